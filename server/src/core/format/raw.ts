import type { Btf } from '../btf/btf';
import { FUNC_LINKAGE, Kind, VAR_LINKAGE, kindName } from '../btf/kinds';
import { intEncodingName } from '../btf/types';
import { ByteWriter } from '../util/writer';

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

/** `b` owns `id`, whose btf_type starts at `off` in b's view. */
function rawTypeAt(b: Btf, id: number, off: number, w: ByteWriter): void {
  const v = b.view;
  const info = v.u32(off + 4);
  const kind = (info >>> 24) & 0x7f;
  const vlen = info & 0xffffff;
  const kflag = info >>> 31 === 1;
  const third = v.u32(off + 8);
  const d = off + 12;
  w.byte(0x5b); // [
  w.dec(id);
  w.ascii('] ');
  w.ascii(kindName(kind));
  w.ascii(" '");
  name(b, v.u32(off), w);
  w.byte(0x27); // '
  switch (kind) {
    case Kind.INT: {
      const e = v.u32(d);
      w.ascii(' size=');
      w.dec(third);
      w.ascii(' bits_offset=');
      w.dec((e >>> 16) & 0xff);
      w.ascii(' nr_bits=');
      w.dec(e & 0xff);
      w.ascii(' encoding=');
      w.ascii(intEncodingName((e >>> 24) & 0x0f));
      break;
    }
    case Kind.PTR: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
      w.ascii(' type_id=');
      w.dec(third);
      break;
    case Kind.ARRAY:
      w.ascii(' type_id=');
      w.dec(v.u32(d));
      w.ascii(' index_type_id=');
      w.dec(v.u32(d + 4));
      w.ascii(' nr_elems=');
      w.dec(v.u32(d + 8));
      break;
    case Kind.STRUCT: case Kind.UNION:
      sizeVlen(w, third, vlen);
      for (let i = 0, p = d; i < vlen; i++, p += 12) {
        const o = v.u32(p + 8);
        w.ascii("\n\t'");
        name(b, v.u32(p), w);
        w.ascii("' type_id=");
        w.dec(v.u32(p + 4));
        w.ascii(' bits_offset=');
        w.dec(kflag ? o & 0xffffff : o);
        if (kflag && o >>> 24) {
          w.ascii(' bitfield_size=');
          w.dec(o >>> 24);
        }
      }
      break;
    case Kind.ENUM:
      w.ascii(kflag ? ' encoding=SIGNED' : ' encoding=UNSIGNED');
      sizeVlen(w, third, vlen);
      for (let i = 0, p = d; i < vlen; i++, p += 8) {
        w.ascii("\n\t'");
        name(b, v.u32(p), w);
        w.ascii("' val=");
        w.dec(kflag ? v.i32(p + 4) : v.u32(p + 4));
      }
      break;
    case Kind.ENUM64:
      w.ascii(kflag ? ' encoding=SIGNED' : ' encoding=UNSIGNED');
      sizeVlen(w, third, vlen);
      for (let i = 0, p = d; i < vlen; i++, p += 12) {
        const u = (BigInt(v.u32(p + 8)) << 32n) | BigInt(v.u32(p + 4));
        w.ascii("\n\t'");
        name(b, v.u32(p), w);
        w.ascii(kflag ? `' val=${BigInt.asIntN(64, u)}LL` : `' val=${u}ULL`);
      }
      break;
    case Kind.FWD:
      w.ascii(kflag ? ' fwd_kind=union' : ' fwd_kind=struct');
      break;
    case Kind.FUNC:
      w.ascii(' type_id=');
      w.dec(third);
      w.ascii(' linkage=');
      w.ascii(FUNC_LINKAGE[vlen] ?? '(unknown)');
      break;
    case Kind.FUNC_PROTO:
      w.ascii(' ret_type_id=');
      w.dec(third);
      w.ascii(' vlen=');
      w.dec(vlen);
      for (let i = 0, p = d; i < vlen; i++, p += 8) {
        w.ascii("\n\t'");
        name(b, v.u32(p), w);
        w.ascii("' type_id=");
        w.dec(v.u32(p + 4));
      }
      break;
    case Kind.VAR:
      w.ascii(' type_id=');
      w.dec(third);
      w.ascii(', linkage=');
      w.ascii(VAR_LINKAGE[v.u32(d)] ?? '(unknown)');
      break;
    case Kind.DATASEC: {
      sizeVlen(w, third, vlen);
      const count = b.typeCount;
      for (let i = 0, p = d; i < vlen; i++, p += 12) {
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
      break;
    }
    case Kind.FLOAT:
      w.ascii(' size=');
      w.dec(third);
      break;
    case Kind.DECL_TAG:
      w.ascii(' type_id=');
      w.dec(third);
      w.ascii(' component_idx=');
      w.dec(v.i32(d));
      break;
    default:
      break;
  }
  w.byte(0x0a);
}

function sizeVlen(w: ByteWriter, size: number, vlen: number): void {
  w.ascii(' size=');
  w.dec(size);
  w.ascii(' vlen=');
  w.dec(vlen);
}
