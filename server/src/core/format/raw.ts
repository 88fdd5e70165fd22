import type { Btf } from '../btf/btf';
import { FUNC_LINKAGE, Kind, VAR_LINKAGE, kindName } from '../btf/kinds';
import { intEncodingName } from '../btf/types';
import type { ByteView } from '../util/bytes';
import { ByteWriter, putAscii, putDec } from '../util/writer';

/**
 * `bpftool btf dump file F format raw`, byte for byte (bpftool 7.1, tools/bpf/bpftool/btf.c
 * dump_btf_type). Reads the wire format directly and writes bytes: this runs over all of vmlinux.
 * Without `ids`, dumps the BTF's own types (for split BTF, not the base's), as bpftool does.
 */
export function formatRaw(btf: Btf, w: ByteWriter, ids?: Iterable<number>): void {
  if (ids) {
    for (const id of ids) rawType(btf, id, w);
    return;
  }
  for (let id = btf.startId, end = btf.typeCount; id < end; id++) rawTypeAt(btf, id, btf.typeOffset(id), w);
}

export function formatRawToString(btf: Btf, ids?: Iterable<number>): string {
  const w = new ByteWriter();
  formatRaw(btf, w, ids);
  return w.toString();
}

/** bpftool's btf_str: "(anon)" for offset 0, "(invalid)" for an offset outside the strings. */
function name(btf: Btf, off: number, w: ByteWriter): void {
  if (off === 0) w.ascii('(anon)');
  else if (!btf.writeStr(off, w)) w.ascii('(invalid)');
}

/** One type, with its trailing newline. */
export function rawType(btf: Btf, id: number, w: ByteWriter): void {
  const loc = btf.locate(id);
  if (!loc) {
    w.ascii(`[${id}] UNKNOWN '(anon)'\n`);
    return;
  }
  rawTypeAt(loc.btf, id, loc.off, w);
}

/**
 * The kind-specific tail of a type's text. One function per kind, called through a table: kinds
 * first met late in vmlinux (ENUM64, DECL_TAG) then start their own optimisation instead of
 * deoptimising one big function each time (measured: several deopts on a cold dump otherwise).
 */
type KindWriter = (b: Btf, v: ByteView, off: number, info: number, w: ByteWriter) => void;

/** `b` owns `id`, whose btf_type starts at `off` in b's view. */
function rawTypeAt(b: Btf, id: number, off: number, w: ByteWriter): void {
  const v = b.view;
  const info = v.u32(off + 4);
  const kind = (info >>> 24) & 0x7f;
  // One capacity check for the fixed-width part of the line (every field but the name is bounded).
  w.reserve(LINE_ROOM);
  let p = w.pos;
  const o = w.buf;
  o[p++] = 0x5b; // [
  p = putDec(o, p, id);
  o[p++] = 0x5d; // ]
  o[p++] = 0x20;
  const kn = KIND_BYTES[kind] ?? UNKN_BYTES;
  o.set(kn, p);
  p += kn.length;
  o[p++] = 0x20;
  o[p++] = 0x27; // '
  w.pos = p;
  name(b, v.u32(off), w);
  const tail = BY_KIND[kind];
  w.reserve(LINE_ROOM);
  w.buf[w.pos++] = 0x27; // '
  if (tail) tail(b, v, off, info, w);
  w.byte(0x0a);
}

/** Upper bound of a dump line's bytes other than names: kind and field names, ten-digit numbers. */
const LINE_ROOM = 160;

/**
 * The hottest literals as bytes, stored with one TypedArray.set: a CLI dump runs mostly before the JIT
 * has optimised the writers, where one builtin call is cheaper than a loop over the characters.
 */
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KIND_BYTES: Uint8Array[] = Array.from({ length: 128 }, (_, k) => bytesOf(kindName(k)));
const UNKN_BYTES = bytesOf(kindName(0));
const L_SP_TYPE_ID = bytesOf(' type_id=');
const L_Q_TYPE_ID = bytesOf("' type_id=");
const L_BITS_OFFSET = bytesOf(' bits_offset=');

const kflagOf = (info: number) => info >>> 31 === 1;
const vlenOf = (info: number) => info & 0xffffff;

function sizeVlen(w: ByteWriter, size: number, vlen: number): void {
  w.ascii(' size=');
  w.dec(size);
  w.ascii(' vlen=');
  w.dec(vlen);
}

const intTail: KindWriter = (_b, v, off, _info, w) => {
  const e = v.u32(off + 12);
  w.ascii(' size=');
  w.dec(v.u32(off + 8));
  w.ascii(' bits_offset=');
  w.dec((e >>> 16) & 0xff);
  w.ascii(' nr_bits=');
  w.dec(e & 0xff);
  w.ascii(' encoding=');
  w.ascii(intEncodingName((e >>> 24) & 0x0f));
};

const refTail: KindWriter = (_b, v, off, _info, w) => {
  const o = w.buf; // room reserved by rawTypeAt
  o.set(L_SP_TYPE_ID, w.pos);
  w.pos = putDec(o, w.pos + L_SP_TYPE_ID.length, v.u32(off + 8));
};

const arrayTail: KindWriter = (_b, v, off, _info, w) => {
  w.ascii(' type_id=');
  w.dec(v.u32(off + 12));
  w.ascii(' index_type_id=');
  w.dec(v.u32(off + 16));
  w.ascii(' nr_elems=');
  w.dec(v.u32(off + 20));
};

/**
 * The start of a member or parameter line, `\n\t'NAME' type_id=N`, written in place; returns the
 * position after it, with LINE_ROOM reserved for the rest of the line.
 */
function recordHead(b: Btf, nameOff: number, typeId: number, w: ByteWriter): number {
  w.reserve(LINE_ROOM);
  let o = w.buf;
  let p = w.pos;
  o[p++] = 0x0a; // \n
  o[p++] = 0x09; // \t
  o[p++] = 0x27; // '
  w.pos = p;
  name(b, nameOff, w);
  w.reserve(LINE_ROOM);
  o = w.buf;
  o.set(L_Q_TYPE_ID, w.pos);
  return putDec(o, w.pos + L_Q_TYPE_ID.length, typeId);
}

const compositeTail: KindWriter = (b, v, off, info, w) => {
  const vlen = vlenOf(info);
  const kflag = kflagOf(info);
  sizeVlen(w, v.u32(off + 8), vlen);
  for (let i = 0, m = off + 12; i < vlen; i++, m += 12) {
    const bits = v.u32(m + 8);
    let p = recordHead(b, v.u32(m), v.u32(m + 4), w);
    const o = w.buf;
    o.set(L_BITS_OFFSET, p);
    p += L_BITS_OFFSET.length;
    p = putDec(o, p, kflag ? bits & 0xffffff : bits);
    if (kflag && bits >>> 24) {
      p = putAscii(o, p, ' bitfield_size=');
      p = putDec(o, p, bits >>> 24);
    }
    w.pos = p;
  }
};

const enumTail: KindWriter = (b, v, off, info, w) => {
  const vlen = vlenOf(info);
  const signed = kflagOf(info);
  w.ascii(signed ? ' encoding=SIGNED' : ' encoding=UNSIGNED');
  sizeVlen(w, v.u32(off + 8), vlen);
  for (let i = 0, p = off + 12; i < vlen; i++, p += 8) {
    w.ascii("\n\t'");
    name(b, v.u32(p), w);
    w.ascii("' val=");
    w.dec(signed ? v.i32(p + 4) : v.u32(p + 4));
  }
};

const enum64Tail: KindWriter = (b, v, off, info, w) => {
  const vlen = vlenOf(info);
  const signed = kflagOf(info);
  w.ascii(signed ? ' encoding=SIGNED' : ' encoding=UNSIGNED');
  sizeVlen(w, v.u32(off + 8), vlen);
  for (let i = 0, p = off + 12; i < vlen; i++, p += 12) {
    const u = (BigInt(v.u32(p + 8)) << 32n) | BigInt(v.u32(p + 4));
    w.ascii("\n\t'");
    name(b, v.u32(p), w);
    w.ascii(signed ? `' val=${BigInt.asIntN(64, u)}LL` : `' val=${u}ULL`);
  }
};

const fwdTail: KindWriter = (_b, _v, _off, info, w) => {
  w.ascii(kflagOf(info) ? ' fwd_kind=union' : ' fwd_kind=struct');
};

const funcTail: KindWriter = (_b, v, off, info, w) => {
  const o = w.buf; // room reserved by rawTypeAt
  let p = putDec(o, putAscii(o, w.pos, ' type_id='), v.u32(off + 8));
  p = putAscii(o, p, ' linkage=');
  w.pos = putAscii(o, p, FUNC_LINKAGE[vlenOf(info)] ?? '(unknown)');
};

const protoTail: KindWriter = (b, v, off, info, w) => {
  const vlen = vlenOf(info);
  w.ascii(' ret_type_id=');
  w.dec(v.u32(off + 8));
  w.ascii(' vlen=');
  w.dec(vlen);
  for (let i = 0, m = off + 12; i < vlen; i++, m += 8) w.pos = recordHead(b, v.u32(m), v.u32(m + 4), w);
};

const varTail: KindWriter = (_b, v, off, _info, w) => {
  w.ascii(' type_id=');
  w.dec(v.u32(off + 8));
  w.ascii(', linkage=');
  w.ascii(VAR_LINKAGE[v.u32(off + 12)] ?? '(unknown)');
};

const datasecTail: KindWriter = (b, v, off, info, w) => {
  const vlen = vlenOf(info);
  sizeVlen(w, v.u32(off + 8), vlen);
  const count = b.typeCount;
  for (let i = 0, p = off + 12; i < vlen; i++, p += 12) {
    const t = v.u32(p);
    w.ascii('\n\ttype_id=');
    w.dec(t);
    w.ascii(' offset=');
    w.dec(v.u32(p + 4));
    w.ascii(' size=');
    w.dec(v.u32(p + 8));
    // bpftool names the variable only when the ID is in range; ID 0 is void.
    if (t < count) {
      w.ascii(' (');
      w.ascii(t === 0 ? 'UNKNOWN' : kindName(b.kind(t)));
      w.ascii(" '");
      name(b, t === 0 ? 0 : b.nameOff(t), w);
      w.ascii("')");
    }
  }
};

const floatTail: KindWriter = (_b, v, off, _info, w) => {
  w.ascii(' size=');
  w.dec(v.u32(off + 8));
};

const declTagTail: KindWriter = (_b, v, off, _info, w) => {
  w.ascii(' type_id=');
  w.dec(v.u32(off + 8));
  w.ascii(' component_idx=');
  w.dec(v.i32(off + 12));
};

const BY_KIND: (KindWriter | undefined)[] = [];
BY_KIND[Kind.INT] = intTail;
for (const k of [Kind.PTR, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPEDEF, Kind.TYPE_TAG]) BY_KIND[k] = refTail;
BY_KIND[Kind.ARRAY] = arrayTail;
BY_KIND[Kind.STRUCT] = compositeTail;
BY_KIND[Kind.UNION] = compositeTail;
BY_KIND[Kind.ENUM] = enumTail;
BY_KIND[Kind.ENUM64] = enum64Tail;
BY_KIND[Kind.FWD] = fwdTail;
BY_KIND[Kind.FUNC] = funcTail;
BY_KIND[Kind.FUNC_PROTO] = protoTail;
BY_KIND[Kind.VAR] = varTail;
BY_KIND[Kind.DATASEC] = datasecTail;
BY_KIND[Kind.FLOAT] = floatTail;
BY_KIND[Kind.DECL_TAG] = declTagTail;
