import type { Btf } from '../btf/btf';

/**
 * A BTF string table as libbpf 1.1 builds one (strset.c): strings appended in the order they are first
 * added, each distinct byte string stored once, offset 0 the empty string. Only whole strings are shared:
 * "count" is not found inside "discount", as in libbpf.
 *
 * Strings are kept as bytes (a name read from a file is copied undecoded, so non-UTF-8 names survive);
 * the lookup key is the byte string spelled one char per byte.
 */
export class StringSet {
  private data = new Uint8Array(256);
  private len = 0;
  private readonly index = new Map<string, number>();

  /** @param leadingEmpty store "" at offset 0 (every BTF but a split one, whose "" is its base's) */
  constructor(leadingEmpty: boolean) {
    if (leadingEmpty) this.add(new Uint8Array(0));
  }

  get length(): number {
    return this.len;
  }

  /** The offset of `s` in this table, or -1 (libbpf strset__find_str). */
  find(s: Uint8Array): number {
    return this.index.get(byteKey(s)) ?? -1;
  }

  /** The offset of `s`, appending it when new (libbpf strset__add_str). */
  add(s: Uint8Array): number {
    const key = byteKey(s);
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const off = this.len;
    this.room(s.length + 1);
    this.data.set(s, off);
    this.data[off + s.length] = 0;
    this.len += s.length + 1;
    this.index.set(key, off);
    return off;
  }

  bytes(): Uint8Array {
    return this.data.subarray(0, this.len);
  }

  private room(n: number): void {
    if (this.len + n <= this.data.length) return;
    const next = new Uint8Array(Math.max(this.data.length * 2, this.len + n));
    next.set(this.data.subarray(0, this.len));
    this.data = next;
  }
}

/** One char per byte: a Map key that tells apart every byte string, valid UTF-8 or not. */
export function byteKey(s: Uint8Array): string {
  if (s.length < 512) return String.fromCharCode.apply(null, s as unknown as number[]);
  let out = '';
  for (let i = 0; i < s.length; i += 512) out += String.fromCharCode.apply(null, s.subarray(i, i + 512) as unknown as number[]);
  return out;
}

/**
 * The bytes of the string at `off` in `btf` (split semantics: offsets below its start are the base's),
 * without the NUL; undefined for an offset outside every string section of the chain.
 */
export function stringBytes(btf: Btf, off: number): Uint8Array | undefined {
  let b: Btf | undefined = btf;
  while (b && off < b.startStrOff) b = b.base;
  if (!b || !b.header) return undefined;
  const rel = off - b.startStrOff;
  if (rel >= b.stringsLength) return undefined;
  const bytes = b.view.bytes;
  const start = b.header.hdrLen + Math.min(b.header.strOff, bytes.length - b.header.hdrLen);
  const end = start + b.stringsLength;
  let p = start + rel;
  while (p < end && bytes[p] !== 0) p++;
  return bytes.subarray(start + rel, p);
}

/**
 * The strings of a base chain as libbpf's btf__find_str sees them: every string at a string start of
 * each section (the root's first), the first offset of each distinct string. Built once per base.
 */
const baseIndexes = new WeakMap<Btf, Map<string, number>>();
export function baseStringIndex(base: Btf): Map<string, number> {
  let ix = baseIndexes.get(base);
  if (ix) return ix;
  ix = new Map();
  for (const b of base.chain()) {
    if (!b.header) continue;
    const bytes = b.view.bytes;
    const start = b.header.hdrLen + Math.min(b.header.strOff, bytes.length - b.header.hdrLen);
    const end = start + b.stringsLength;
    for (let p = start; p < end;) {
      let q = p;
      while (q < end && bytes[q] !== 0) q++;
      const key = byteKey(bytes.subarray(p, q));
      if (!ix.has(key)) ix.set(key, b.startStrOff + (p - start));
      p = q + 1;
    }
  }
  baseIndexes.set(base, ix);
  return ix;
}
