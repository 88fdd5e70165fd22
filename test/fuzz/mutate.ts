/**
 * Inputs from seeds, deterministically: input `i` of a run with seed `s` is the same bytes on every
 * machine (its own PRNG stream, so one input can be made again without the ones before it).
 */
import { type BtfRegion, type Field, type SeedMap, mapBtf, mapSeed } from './layout-map';

export interface Seed {
  /** File name the input is written as (its extension decides how the index treats it). */
  name: string;
  bytes: Uint8Array;
  /** Key of the base BTF a split seed needs (see entry-points.ts), if any. */
  base?: string;
  map: SeedMap;
}

export interface FuzzInput {
  name: string;
  bytes: Uint8Array;
  base?: string;
  /** What was done to which seed, in words (kept with a regression). */
  how: string;
}

export type Rng = () => number;

/** splitmix32: a small, good 32-bit generator. */
export function rngFor(seed: number, index: number): Rng {
  let x = (Math.imul(seed | 0, 0x9e3779b9) ^ Math.imul(index | 0, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const below = (r: Rng, n: number) => (n <= 0 ? 0 : r() % n);
const pick = <T>(r: Rng, a: readonly T[]): T => a[below(r, a.length)]!;

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 32, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff];

export function makeSeed(name: string, bytes: Uint8Array, base?: string): Seed {
  return { name, bytes, base, map: mapSeed(bytes) };
}

function write(b: Uint8Array, f: Field, v: number): void {
  if (f.off < 0 || f.off + f.size > b.length) return;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (f.size === 1) dv.setUint8(f.off, v & 0xff);
  else if (f.size === 2) dv.setUint16(f.off, v & 0xffff, f.le);
  else if (f.size === 4) dv.setUint32(f.off, v >>> 0, f.le);
  else dv.setBigUint64(f.off, BigInt.asUintN(64, BigInt(Math.trunc(v))), f.le);
}

function valueFor(r: Rng, f: Field, b: Uint8Array): number {
  const c = below(r, 10);
  if (c < 3 && f.hints?.length) return pick(r, f.hints);
  if (c < 7) return pick(r, INTERESTING);
  if (c < 9) return below(r, b.length + 64);
  if (f.size === 8 && below(r, 2)) return 2 ** 32 + below(r, 2 ** 20); // past 4 GiB
  return r();
}

/** Fields of one btf_type (and its member words): name, info (vlen, kind, kflag), size/type. */
function typeFields(r: Rng, btf: BtfRegion, count: number): { fields: Field[]; id: number } {
  const i = below(r, btf.typeOffs.length);
  const off = btf.typeOffs[i]!;
  const id = i + 1;
  const le = btf.le;
  const ids = [0, id, id - 1, id + 1, count, count + 1, count - 1, 0x7fffffff];
  const fields: Field[] = [
    { off, size: 4, le, what: `type [${id}] name_off`, hints: [btf.strLen, btf.strLen - 1, btf.strLen + 100] },
    { off: off + (le ? 4 : 6), size: 2, le, what: `type [${id}] vlen`, hints: [0xffff, 0x1000, 2] },
    { off: off + (le ? 7 : 4), size: 1, le, what: `type [${id}] kind`, hints: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x9f, 0x84] },
    { off: off + 8, size: 4, le, what: `type [${id}] size/type`, hints: ids },
  ];
  const extra = btf.extraLen[i]!;
  for (let w = 0; w < Math.min(extra, 48); w += 4) fields.push({ off: off + 12 + w, size: 4, le, what: `type [${id}] word ${w / 4}`, hints: ids });
  return { fields, id };
}

type Mutator = (r: Rng, b: Uint8Array, s: Seed) => { bytes: Uint8Array; how: string };

const flipBits: Mutator = (r, b) => {
  const n = 1 + below(r, 8);
  const at: number[] = [];
  for (let i = 0; i < n && b.length; i++) {
    const o = below(r, b.length);
    b[o]! ^= 1 << below(r, 8);
    at.push(o);
  }
  return { bytes: b, how: `flip bits at ${at.join(',')}` };
};

const setBytes: Mutator = (r, b) => {
  const n = 1 + below(r, 4);
  const at: number[] = [];
  for (let i = 0; i < n && b.length; i++) {
    const o = below(r, b.length);
    b[o] = pick(r, [0, 1, 0x7f, 0x80, 0xff, below(r, 256)]);
    at.push(o);
  }
  return { bytes: b, how: `set bytes at ${at.join(',')}` };
};

const truncate: Mutator = (r, b) => {
  const n = below(r, b.length);
  return { bytes: b.subarray(0, n), how: `truncate to ${n}` };
};

const forge: Mutator = (r, b, s) => {
  const all = s.map.fields;
  const n = 1 + below(r, 3);
  const done: string[] = [];
  for (let i = 0; i < n; i++) {
    let fields = all;
    if (s.map.btf?.typeOffs.length && (below(r, 2) || !all.length)) fields = typeFields(r, s.map.btf, s.map.btf.typeOffs.length + 1).fields;
    if (!fields.length) break;
    const f = pick(r, fields);
    const v = valueFor(r, f, b);
    write(b, f, v);
    done.push(`${f.what}=${v}`);
  }
  return { bytes: b, how: `forge ${done.join('; ') || 'nothing'}` };
};

/** A type made to refer to itself or its neighbours: cycles through pointers, typedefs, arrays, members. */
const cycle: Mutator = (r, b, s) => {
  const btf = s.map.btf;
  if (!btf?.typeOffs.length) return flipBits(r, b, s);
  const { fields, id } = typeFields(r, btf, btf.typeOffs.length + 1);
  const refs = fields.filter((f) => f.what.endsWith('size/type') || f.what.includes('word'));
  const f = pick(r, refs);
  const v = pick(r, [id, id - 1, id + 1, Math.max(1, id - 2)]);
  write(b, f, v);
  return { bytes: b, how: `cycle ${f.what}=${v}` };
};

const swapSections: Mutator = (r, b, s) => {
  const secs = s.map.sections;
  if (secs.length < 3 || !s.map.shentsize) return setBytes(r, b, s);
  const x = secs[1 + below(r, secs.length - 1)]!;
  const y = secs[1 + below(r, secs.length - 1)]!;
  const n = s.map.shentsize;
  if (x.hdr + n > b.length || y.hdr + n > b.length) return flipBits(r, b, s);
  const whole = below(r, 2) === 0;
  if (whole) {
    const tmp = b.slice(x.hdr, x.hdr + n);
    b.copyWithin(x.hdr, y.hdr, y.hdr + n);
    b.set(tmp, y.hdr);
    return { bytes: b, how: `swap section headers ${x.name} <-> ${y.name}` };
  }
  // keep the names and types, swap where the data is
  const is64 = b[4] === 2;
  const [o, l] = is64 ? [24, 16] : [16, 8];
  const tmp = b.slice(x.hdr + o, x.hdr + o + l);
  b.copyWithin(x.hdr + o, y.hdr + o, y.hdr + o + l);
  b.set(tmp, y.hdr + o);
  return { bytes: b, how: `swap section data ${x.name} <-> ${y.name}` };
};

/** Random instructions over a code section: the disassembler, the slot index and reach.ts get odd code. */
const insns: Mutator = (r, b, s) => {
  const code = s.map.code.filter((c) => c.size >= 8 && c.off + c.size <= b.length);
  if (!code.length) return flipBits(r, b, s);
  const c = pick(r, code);
  const n = 1 + below(r, 6);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = c.off + 8 * below(r, c.size / 8);
    const op = pick(r, [0x18, 0x00, 0x85, 0x95, 0x05, 0x15, 0x55, 0xbf, 0xb7, 0x61, 0x79, 0x7b, 0x07, 0xdb, 0xc3, 0x8d, 0x06, 0xe5, below(r, 256)]);
    b[o] = op;
    if (below(r, 2)) b[o + 1] = below(r, 256);
    if (below(r, 2)) new DataView(b.buffer, b.byteOffset).setInt16(o + 2, pick(r, [-1, -2, 0, 1, 0x7fff, -0x8000, below(r, 64) - 32]), b[5] !== 2);
    if (below(r, 2)) new DataView(b.buffer, b.byteOffset).setInt32(o + 4, pick(r, [-1, 0, 1, 0x7fffffff, -0x80000000, below(r, 64) - 32]), b[5] !== 2);
    at.push((o - c.off) / 8);
  }
  return { bytes: b, how: `code at insn ${at.join(',')}` };
};

/** A chunk of the file copied over another place of it. */
const copyChunk: Mutator = (r, b) => {
  if (b.length < 16) return { bytes: b, how: 'nothing' };
  const len = 1 + below(r, Math.min(256, b.length / 2));
  const from = below(r, b.length - len);
  const to = below(r, b.length - len);
  b.copyWithin(to, from, from + len);
  return { bytes: b, how: `copy ${len} bytes ${from} -> ${to}` };
};

const MUTATORS: [Mutator, number, string][] = [
  [flipBits, 3, 'flip'], [setBytes, 2, 'set'], [truncate, 1, 'truncate'], [forge, 6, 'forge'], [cycle, 2, 'cycle'],
  [swapSections, 1, 'swap'], [insns, 2, 'insns'], [copyChunk, 1, 'copy'],
];
const WEIGHT = MUTATORS.reduce((a, m) => a + m[1], 0);

function pickMutator(r: Rng): Mutator {
  let w = below(r, WEIGHT);
  for (const [m, n] of MUTATORS) {
    if (w < n) return m;
    w -= n;
  }
  return flipBits;
}

/** Raw BTF of the .BTF of an ELF seed (the raw path gets every object's types too). */
function rawBtfOf(s: Seed): Uint8Array | undefined {
  const btf = s.map.btf;
  if (!btf || s.map.kind !== 'elf' || btf.off + btf.size > s.bytes.length) return undefined;
  return s.bytes.slice(btf.off, btf.off + btf.size);
}

/**
 * Raw BTF with types of `a` and then a run of `b`'s records (their IDs and string offsets now mean
 * other things in a's tables): well-formed framing, nonsense references.
 */
function splice(r: Rng, a: Seed, b: Seed): FuzzInput | undefined {
  const ra = a.map.btf;
  const rb = b.map.btf;
  if (!ra || !rb || !ra.typeOffs.length || !rb.typeOffs.length) return undefined;
  const le = ra.le;
  const recs = (s: Seed, reg: BtfRegion, from: number, to: number) => {
    const out: Uint8Array[] = [];
    for (let i = from; i < to; i++) {
      const off = reg.typeOffs[i]!;
      const rec = s.bytes.slice(off, Math.min(s.bytes.length, off + 12 + reg.extraLen[i]!));
      if (reg.le !== le) for (let w = 0; w + 4 <= rec.length; w += 4) rec.subarray(w, w + 4).reverse(); // same byte order as a
      out.push(rec);
    }
    return out;
  };
  const cut = below(r, ra.typeOffs.length + 1);
  const bFrom = below(r, rb.typeOffs.length);
  const bTo = Math.min(rb.typeOffs.length, bFrom + 1 + below(r, 64));
  const parts = [...recs(a, ra, 0, cut), ...recs(b, rb, bFrom, bTo), ...recs(a, ra, cut, ra.typeOffs.length)];
  const typeLen = parts.reduce((n, p) => n + p.length, 0);
  const strs = a.bytes.slice(ra.strOff, Math.min(a.bytes.length, ra.strOff + ra.strLen));
  const out = new Uint8Array(24 + typeLen + strs.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, le);
  out[2] = 1;
  dv.setUint32(4, 24, le);
  dv.setUint32(8, 0, le);
  dv.setUint32(12, typeLen, le);
  dv.setUint32(16, typeLen, le);
  dv.setUint32(20, strs.length, le);
  let p = 24;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  out.set(strs, p);
  return { name: 'spliced.btf', bytes: out, base: a.base, how: `splice ${b.name} types ${bFrom + 1}..${bTo} into ${a.name} after [${cut}]` };
}

/** Every truncation of the small seeds, in a fixed order (the campaign runs them interleaved). */
export function truncations(seeds: readonly Seed[], maxSize: number): { seed: number; at: number }[] {
  const out: { seed: number; at: number }[] = [];
  seeds.forEach((s, i) => {
    if (s.bytes.length <= maxSize) for (let n = 0; n < s.bytes.length; n++) out.push({ seed: i, at: n });
  });
  return out;
}

/** Input `index` of the run with `seed` over `seeds`. */
export function makeInput(seeds: readonly Seed[], seed: number, index: number): FuzzInput {
  const r = rngFor(seed, index);
  const s = pick(r, seeds);
  const mode = below(r, 20);
  if (mode === 0) {
    const other = pick(r, seeds);
    const sp = splice(r, s, other);
    if (sp) return mutateMore(r, sp, s, 1);
  }
  if (mode === 1) {
    const raw = rawBtfOf(s);
    if (raw) {
      const seedRaw: Seed = { name: s.name.replace(/\.(o|ko)$/, '') + '.btf', bytes: raw, base: s.base, map: { kind: 'btf', fields: [], sections: [], shentsize: 0, code: [] } };
      seedRaw.map.btf = mapBtf(raw, 0, raw.length, seedRaw.map.fields);
      return mutateMore(r, { name: seedRaw.name, bytes: raw.slice(), base: s.base, how: `raw .BTF of ${s.name}` }, seedRaw, 1 + below(r, 3));
    }
  }
  return mutateMore(r, { name: s.name, bytes: s.bytes.slice(), base: s.base, how: s.name }, s, 1 + below(r, 3));
}

function mutateMore(r: Rng, input: FuzzInput, s: Seed, n: number): FuzzInput {
  let bytes = input.bytes;
  const hows = [input.how];
  for (let i = 0; i < n; i++) {
    const m = pickMutator(r);
    const res = m(r, bytes, s);
    bytes = res.bytes;
    hows.push(res.how);
  }
  return { ...input, bytes, how: hows.join(' | ') };
}
