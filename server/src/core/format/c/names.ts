import type { TypeTable } from './table';

/**
 * Counts occurrences of names, keyed by their bytes in the BTF string tables (as libbpf's
 * hashmap keys on the C string): no string is decoded. Open addressing over typed arrays.
 */
export class NameCounter {
  /** Slot -> entry index + 1 (0 = empty). */
  private slots = new Int32Array(1024);
  private bufs = new Uint16Array(512);
  private starts = new Int32Array(512);
  private lens = new Int32Array(512);
  private hashes = new Int32Array(512);
  private counts = new Int32Array(512);
  private size = 0;

  constructor(private readonly table: TypeTable) {}

  /**
   * libbpf's btf_dump_name_dups: bumps and returns the count of the string at `off`.
   * An invalid offset counts as the empty string.
   */
  bump(off: number): number {
    const t = this.table;
    let buf = 0;
    let start = 0;
    let len = 0;
    if (t.locate(off)) {
      buf = t.locBuf;
      start = t.locPos;
      len = t.locEnd - t.locPos;
    }
    const bytes = t.strBytes[buf]!;
    let h = 0x811c9dc5 | 0;
    for (let i = start, e = start + len; i < e; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]!;
      if (e === 0) {
        const idx = this.add(buf, start, len, h);
        this.slots[s] = idx + 1;
        if (this.size * 2 > this.slots.length) this.rehash();
        return 1;
      }
      const i = e - 1;
      if (this.hashes[i] === h && this.lens[i] === len && this.same(i, bytes, start, len)) return ++this.counts[i]!;
    }
  }

  private same(i: number, bytes: Uint8Array, start: number, len: number): boolean {
    const other = this.table.strBytes[this.bufs[i]!]!;
    const o = this.starts[i]!;
    if (other === bytes && o === start) return true;
    for (let k = 0; k < len; k++) if (other[o + k] !== bytes[start + k]) return false;
    return true;
  }

  private add(buf: number, start: number, len: number, h: number): number {
    const i = this.size++;
    if (i === this.bufs.length) {
      const grow = <T extends Int32Array | Uint16Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.bufs = grow(this.bufs);
      this.starts = grow(this.starts);
      this.lens = grow(this.lens);
      this.hashes = grow(this.hashes);
      this.counts = grow(this.counts);
    }
    this.bufs[i] = buf;
    this.starts[i] = start;
    this.lens[i] = len;
    this.hashes[i] = h;
    this.counts[i] = 1;
    return i;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.size; i++) {
      let s = this.hashes[i]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = i + 1;
    }
    this.slots = slots;
  }
}
