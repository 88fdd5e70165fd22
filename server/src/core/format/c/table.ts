import type { Btf } from '../../btf/btf';
import { KIND_LAYOUT, Kind, MAX_KNOWN_KIND } from '../../btf/kinds';

/**
 * Every type of a BTF chain (base types included) in flat arrays indexed by ID, plus the string
 * tables: what the C writer and the layout code read in their hot loops, without walking the
 * base chain or allocating per access. IDs out of range read as kind 0 (like void).
 * Built once per Btf and cached (`typeTable`).
 */
export class TypeTable {
  readonly btf: Btf;
  /** Valid IDs are 0 .. count-1 (0 is void). */
  readonly count: number;
  /** The type sections of the chain as host-order words (a view of the file when it can be). */
  readonly words: Uint32Array;
  /** Per ID: index in `words` of its btf_type (name_off, info, size/type; data follows). Void and
   * out-of-range IDs are never looked up: the accessors that may get them check first. Hot loops
   * read `words[at[id] + k]` directly (valid IDs only). */
  readonly at: Uint32Array;
  /** String tables of the chain, root base first: bytes, start, end, first string offset. */
  readonly strBytes: Uint8Array[] = [];
  private readonly strStart: number[] = [];
  private readonly strEnd: number[] = [];
  private readonly strFirst: number[] = [];
  private ptrSz = 0;
  private aligns: Int8Array | undefined;

  constructor(btf: Btf) {
    this.btf = btf;
    const chain = btf.chain();
    const count = btf.typeCount;
    this.count = count;
    this.at = new Uint32Array(count);
    const parts: Uint32Array[] = [];
    let total = 0;
    let first = 0;
    for (const b of chain) {
      const words = typeWords(b, this.at, total);
      parts.push(words);
      total += words.length;
      const len = b.stringsLength;
      const start = b.stringsStart;
      this.strBytes.push(b.view.bytes);
      this.strStart.push(start);
      this.strEnd.push(start + len);
      this.strFirst.push(first);
      first += len;
    }
    if (parts.length === 1) {
      this.words = parts[0]!;
    } else {
      this.words = new Uint32Array(total);
      let p = 0;
      for (const w of parts) {
        this.words.set(w, p);
        p += w.length;
      }
    }
  }

  kind(id: number): number {
    return id > 0 && id < this.count ? (this.words[this.at[id]! + 1]! >>> 24) & 0x7f : 0;
  }
  vlen(id: number): number {
    return id > 0 && id < this.count ? this.words[this.at[id]! + 1]! & 0xffff_ff : 0;
  }
  kflag(id: number): boolean {
    return id > 0 && id < this.count && this.words[this.at[id]! + 1]! >>> 31 === 1;
  }
  nameOff(id: number): number {
    return id > 0 && id < this.count ? this.words[this.at[id]!]! : 0;
  }
  /** Size (INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC) or referenced type (the others). */
  third(id: number): number {
    return id > 0 && id < this.count ? this.words[this.at[id]! + 2]! : 0;
  }
  valid(id: number): boolean {
    return id > 0 && id < this.count;
  }
  /** u32 at `rel` bytes (a multiple of 4) after the btf_type header of `id`. */
  u32(id: number, rel: number): number {
    return this.words[this.at[id]! + 3 + (rel >> 2)]!;
  }
  i32(id: number, rel: number): number {
    return this.words[this.at[id]! + 3 + (rel >> 2)]! | 0;
  }

  // STRUCT/UNION members (3 words each): name, type, offset.
  memberName(id: number, i: number): number {
    return this.words[this.at[id]! + 3 + i * 3]!;
  }
  memberType(id: number, i: number): number {
    return this.words[this.at[id]! + 4 + i * 3]!;
  }
  memberBitOffset(id: number, i: number): number {
    const o = this.words[this.at[id]! + 5 + i * 3]!;
    return this.kflag(id) ? o & 0xff_ffff : o;
  }
  memberBitfieldSize(id: number, i: number): number {
    return this.kflag(id) ? this.words[this.at[id]! + 5 + i * 3]! >>> 24 : 0;
  }
  // ARRAY: type, index_type, nelems.
  arrayType(id: number): number {
    return this.words[this.at[id]! + 3]!;
  }
  arrayLen(id: number): number {
    return this.words[this.at[id]! + 5]!;
  }
  // FUNC_PROTO params (2 words each): name, type.
  paramName(id: number, i: number): number {
    return this.words[this.at[id]! + 3 + i * 2]!;
  }
  paramType(id: number, i: number): number {
    return this.words[this.at[id]! + 4 + i * 2]!;
  }

  // Strings, by split-aware offset. `locate` sets `locBuf`/`locPos`/`locEnd` (no allocation).
  locBuf = 0;
  locPos = 0;
  locEnd = 0;
  /** Finds the string at `off`; false when the offset is outside every string table. */
  locate(off: number): boolean {
    let i = this.strFirst.length - 1;
    while (i > 0 && off < this.strFirst[i]!) i--;
    const pos = this.strStart[i]! + off - this.strFirst[i]!;
    if (pos >= this.strEnd[i]! || off < 0) return false;
    this.locBuf = i;
    this.locPos = pos;
    const bytes = this.strBytes[i]!;
    let e = pos;
    const end = this.strEnd[i]!;
    while (e < end && bytes[e] !== 0) e++;
    this.locEnd = e;
    return true;
  }
  /**
   * Where the string at `off` starts (its table in `locBuf`, its table's end in `locEnd`), without
   * looking for its end; -1 when the offset is outside every string table.
   */
  strStartOf(off: number): number {
    const first = this.strFirst;
    let i = first.length - 1;
    while (i > 0 && off < first[i]!) i--;
    const pos = this.strStart[i]! + off - first[i]!;
    if (pos >= this.strEnd[i]! || off < 0) return -1;
    this.locBuf = i;
    this.locEnd = this.strEnd[i]!;
    return pos;
  }
  /** The string at `off` ('' when invalid). */
  str(off: number): string {
    return this.btf.str(off) ?? '';
  }
  /** True when the string at `off` is empty or invalid (C's `!name[0]`). */
  emptyStr(off: number): boolean {
    if (off === 0) return true;
    const pos = this.strStartOf(off);
    return pos < 0 || this.strBytes[this.locBuf]![pos] === 0;
  }

  /**
   * Fixes the pointer size, as libbpf does for BTF read from an ELF file (4 for ELFCLASS32, 8 for
   * ELFCLASS64) whatever its `long` says.
   */
  setPointerSize(size: number): void {
    if (size === this.ptrSz) return;
    this.ptrSz = size;
    this.aligns = undefined;
  }

  /** libbpf's btf_ptr_sz: the size of a 4- or 8-byte INT named like `long`, first in ID order; else 8. */
  ptrSize(): number {
    if (this.ptrSz) return this.ptrSz;
    let size = 8;
    for (let id = 1; id < this.count; id++) {
      if (this.kind(id) !== Kind.INT) continue;
      const s = this.third(id);
      if (s !== 4 && s !== 8) continue;
      if (LONG_ALIASES.has(this.str(this.nameOff(id)))) {
        size = s;
        break;
      }
    }
    return (this.ptrSz = size);
  }

  /** libbpf's btf__align_of; 0 when the type has no alignment (void, functions, broken chains). Cached. */
  alignOf(id: number, depth = 0): number {
    if (!(id > 0 && id < this.count)) return 0;
    const cache = (this.aligns ??= new Int8Array(this.count).fill(-1));
    const have = cache[id]!;
    if (have >= 0) return have;
    if (depth > MAX_DEPTH) return 0;
    let a: number;
    switch (this.kind(id)) {
      case Kind.INT: case Kind.ENUM: case Kind.ENUM64: case Kind.FLOAT:
        a = Math.min(this.ptrSize(), this.third(id));
        break;
      case Kind.PTR:
        a = this.ptrSize();
        break;
      case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
        a = this.alignOf(this.third(id), depth + 1);
        break;
      case Kind.ARRAY:
        a = this.alignOf(this.arrayType(id), depth + 1);
        break;
      case Kind.STRUCT: case Kind.UNION:
        a = this.compositeAlign(id, depth);
        break;
      default:
        a = 0;
    }
    // Sizes beyond 127 only come with hostile BTF; libbpf would give the same numbers, uncached.
    if (a <= 127) cache[id] = a;
    return a;
  }

  private compositeAlign(id: number, depth: number): number {
    let max = 1;
    for (let i = 0, n = this.vlen(id); i < n; i++) {
      const a = this.alignOf(this.memberType(id, i), depth + 1);
      if (a <= 0) return a;
      if (a > max) max = a;
      if (this.memberBitfieldSize(id, i) === 0 && this.memberBitOffset(id, i) % (8 * a) !== 0) return 1;
    }
    return this.third(id) % max !== 0 ? 1 : max;
  }

  /** libbpf's btf__resolve_size; -1 when the type has no size. */
  sizeOf(id: number): number {
    // Runs for nearly every member of a dump: reads the words directly (see `at`), one range check a step.
    const words = this.words;
    const at = this.at;
    const count = this.count;
    let nelems = 1;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      if (!(id > 0 && id < count)) return -1; // void, or out of range
      const p = at[id]!;
      switch ((words[p + 1]! >>> 24) & 0x7f) {
        case Kind.INT: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64:
        case Kind.DATASEC: case Kind.FLOAT: {
          const size = words[p + 2]!;
          if (nelems && size > 0xffff_ffff / nelems) return -1;
          return size * nelems;
        }
        case Kind.PTR: {
          const size = this.ptrSize();
          if (nelems && size > 0xffff_ffff / nelems) return -1;
          return size * nelems;
        }
        case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
          id = words[p + 2]!;
          break;
        case Kind.ARRAY: {
          const n = words[p + 5]!;
          if (nelems && n > 0xffff_ffff / nelems) return -1;
          nelems *= n;
          id = words[p + 3]!;
          break;
        }
        default:
          return -1;
      }
    }
    return -1;
  }

  /**
   * libbpf's btf_is_struct_packed: a member off its natural alignment (bitfields aside), or a
   * size that is not a multiple of the largest member alignment. `id` is a valid STRUCT.
   */
  isPacked(id: number): boolean {
    const words = this.words;
    const p = this.at[id]!;
    const info = words[p + 1]!;
    const kflag = info >>> 31 === 1;
    let max = 1;
    for (let i = 0, n = info & 0xffff_ff, q = p + 3; i < n; i++, q += 3) {
      const a = this.alignOf(words[q + 1]!);
      const raw = words[q + 2]!;
      if (a && (kflag ? raw >>> 24 : 0) === 0 && (kflag ? raw & 0xff_ffff : raw) % (8 * a) !== 0) return true;
      if (a > max) max = a;
    }
    return words[p + 2]! % max !== 0;
  }

  /** Skips const/volatile/restrict/type_tag and typedefs (bounded); the ID reached. */
  skipModsAndTypedefs(id: number): number {
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      switch (this.kind(id)) {
        case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
          id = this.third(id);
          break;
        default:
          return id;
      }
    }
    return id;
  }
}

/** libbpf's MAX_RESOLVE_DEPTH, also our bound on recursion over type chains. */
const MAX_DEPTH = 32;

const LONG_ALIASES = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int', 'unsigned int long',
  'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned',
]);

const tables = new WeakMap<Btf, TypeTable>();

/** The (cached) table of `btf` and its base chain; `pointerSize` as libbpf fixes it for ELF input. */
export function typeTable(btf: Btf, pointerSize?: number): TypeTable {
  let t = tables.get(btf);
  if (!t) tables.set(btf, (t = new TypeTable(btf)));
  if (pointerSize) t.setPointerSize(pointerSize);
  return t;
}

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The type section of `b` as host-order words, recording in `at` where each of its types starts
 * (plus `lead`). A zero-copy view when the file's byte order and alignment allow.
 */
function typeWords(b: Btf, at: Uint32Array, lead: number): Uint32Array {
  const n = b.ownCount;
  const h = b.header;
  if (n === 0 || !h) return new Uint32Array(0);
  const v = b.view;
  const first = b.startId;
  const start = b.typeOffset(first);
  const last = b.typeOffset(first + n - 1);
  const end = Math.min(v.length, h.hdrLen + h.typeOff + h.typeLen, last + 12 + lastTypeBytes(b));
  let aligned = (v.bytes.byteOffset + start) % 4 === 0;
  for (let i = 0; i < n; i++) {
    const rel = b.typeOffset(first + i) - start;
    if (rel & 3) {
      aligned = false;
      break;
    }
    at[first + i] = lead + (rel >> 2);
  }
  if (aligned) {
    const len = (end - start) >> 2;
    if (HOST_LE === v.le) return new Uint32Array(v.bytes.buffer, v.bytes.byteOffset + start, len);
    const out = new Uint32Array(len);
    for (let i = 0; i < len; i++) out[i] = v.u32(start + i * 4);
    return out;
  }
  // Types of unknown kinds with odd sizes: copy type by type, each padded to whole words.
  const chunks: number[] = [];
  for (let i = 0; i < n; i++) {
    const off = b.typeOffset(b.startId + i);
    const next = i + 1 < n ? b.typeOffset(b.startId + i + 1) : end;
    at[b.startId + i] = lead + chunks.length;
    for (let o = off; o < next; o += 4) chunks.push(o + 4 <= v.length ? v.u32(o) : 0);
  }
  return Uint32Array.from(chunks);
}

/** Bytes after the 12-byte header of the last type of `b`, for known kinds (else 0). */
function lastTypeBytes(b: Btf): number {
  const id = b.typeCount - 1;
  const kind = b.kind(id);
  const layout = KIND_LAYOUT[kind];
  return layout && kind > 0 && kind <= MAX_KNOWN_KIND ? layout[0] + b.vlen(id) * layout[1] : 0;
}
