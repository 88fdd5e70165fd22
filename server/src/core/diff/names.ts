import { Kind } from '../btf/kinds';
import type { Side } from './side';

/**
 * The named types of both sides grouped by kind and name, by the bytes of the name: a kernel has
 * some 75,000 named types, and decoding each name to a JS string only to pair it would cost more
 * than the whole comparison. Names are decoded for the groups a report lists.
 */

/** Kinds compared (bpftool's names in model.ts). */
export function isDiffKind(kind: number): boolean {
  return kind === Kind.STRUCT || kind === Kind.UNION || kind === Kind.ENUM || kind === Kind.ENUM64 ||
    kind === Kind.TYPEDEF || kind === Kind.FUNC || kind === Kind.VAR;
}

/**
 * Groups in order of first appearance (old side first). Per group: its kind, the first ID on each
 * side (0: none) and how many there are (`first0`/`n0` old, `first1`/`n1` new); `ids` lists them all.
 */
export class NameGroups {
  count = 0;
  readonly kind: Uint8Array;
  readonly first0: Int32Array;
  readonly first1: Int32Array;
  readonly n0: Int32Array;
  readonly n1: Int32Array;
  /** IDs of groups with several of one side (key: group * 2 + side). */
  private readonly more = new Map<number, number[]>();
  /** Where each group's name is (to compare bytes with): string table (`tables`), start, length. */
  private readonly repTable: Uint8Array;
  private readonly repPos: Int32Array;
  private readonly repLen: Int32Array;
  private readonly tables: Uint8Array[] = [];
  /** Open addressing, linear probing: group + 1 per slot (0: empty), and the hash of that group. */
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(sides: readonly [Side, Side]) {
    const total = sides[0].btf.typeCount - sides[0].btf.startId + sides[1].btf.typeCount - sides[1].btf.startId;
    let size = 1024;
    while (size < total * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    const cap = Math.max(1, total);
    this.kind = new Uint8Array(cap);
    this.first0 = new Int32Array(cap);
    this.first1 = new Int32Array(cap);
    this.n0 = new Int32Array(cap);
    this.n1 = new Int32Array(cap);
    this.repTable = new Uint8Array(cap);
    this.repPos = new Int32Array(cap);
    this.repLen = new Int32Array(cap);
    for (let side = 0; side < 2; side++) {
      const s = sides[side]!;
      const t = s.t;
      const tableBase = this.tables.length;
      this.tables.push(...t.strBytes);
      for (let id = s.btf.startId, end = s.btf.typeCount; id < end; id++) {
        const kind = t.kind(id);
        if (isDiffKind(kind) && s.locate(t.nameOff(id)) && s.np !== s.ne) this.add(s, side, id, kind, tableBase + t.locBuf);
      }
    }
  }

  /** IDs of group `g` on a side (0: old, 1: new), in ID order. */
  ids(g: number, side: number): number[] {
    const n = side ? this.n1[g]! : this.n0[g]!;
    return n === 0 ? [] : n === 1 ? [side ? this.first1[g]! : this.first0[g]!] : this.more.get(g * 2 + side)!;
  }

  private add(s: Side, side: number, id: number, kind: number, table: number): void {
    const b = s.nb;
    const start = s.np;
    const len = s.ne - start;
    let h = 0x811c9dc5 ^ kind;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ b[start + i]!, 0x01000193);
    const mask = this.mask;
    let slot = h & mask;
    let g = -1;
    for (let e = this.slots[slot]!; e !== 0; slot = (slot + 1) & mask, e = this.slots[slot]!) {
      const c = e - 1;
      if (this.hashes[slot] !== h || this.kind[c] !== kind || this.repLen[c] !== len) continue;
      const rb = this.tables[this.repTable[c]!]!;
      const rp = this.repPos[c]!;
      let i = 0;
      while (i < len && rb[rp + i] === b[start + i]) i++;
      if (i === len) {
        g = c;
        break;
      }
    }
    if (g < 0) {
      g = this.count++;
      this.kind[g] = kind;
      this.repTable[g] = table;
      this.repPos[g] = start;
      this.repLen[g] = len;
      this.slots[slot] = g + 1;
      this.hashes[slot] = h;
    }
    const counts = side ? this.n1 : this.n0;
    const first = side ? this.first1 : this.first0;
    const n = counts[g]!;
    counts[g] = n + 1;
    if (n === 0) first[g] = id;
    else if (n === 1) this.more.set(g * 2 + side, [first[g]!, id]);
    else this.more.get(g * 2 + side)!.push(id);
  }
}
