import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { ByteWriter } from '../util/writer';
import { CEmitter, isMod } from './c/emitter';
import { type TypeTable, typeTable } from './c/table';

/**
 * Struct layout as pahole (dwarves 1.24, `pahole -F btf`) sees it: holes, bit holes, trailing
 * padding, cacheline boundaries, forced alignments, and pahole's summary figures, computed the
 * way its BTF loader and class__find_holes do (bitfields placed in storage units of their type,
 * alignment inferred from gaps). Figures agree with pahole on every named struct of vmlinux.
 */

export interface LayoutMember {
  /** Member name ('' for anonymous members). */
  name: string;
  /** Member type ID. */
  type: number;
  /** Offset from the start of this struct/union, in bits (BTF's). */
  bitOffset: number;
  /** pahole's byte offset: for bitfields, of the storage unit of their type. */
  byteOffset: number;
  /** Bit offset inside the storage unit (bitfields). */
  bitfieldOffset: number;
  /** Bitfield width; 0 when not a bitfield. */
  bitfieldSize: number;
  /** Size in bytes of the member's type (of the storage unit for bitfields). */
  size: number;
  /** Bytes of hole after this member (structs). */
  hole: number;
  /** Bits of hole after this member (structs). */
  bitHole: number;
  /** Alignment pahole infers from a gap before the member (`__attribute__((__aligned__(n)))`); 0 if none. */
  alignment: number;
  /** Trailing padding of the member's struct type, when the member's type is a struct that has some. */
  typePadding: number;
  /** The layout of an anonymous struct/union member (or of the elements of an array of one), written inline. */
  inner?: StructLayout;
  /** With `inner`: the array dimensions when the member is an array of an anonymous struct/union. */
  dims?: number[];
  /** With `inner`: the levels of pointer when the member points to an anonymous struct/union (offsets inside start at 0). */
  pointers?: number;
}

export interface StructLayout {
  id: number;
  name: string;
  kind: 'struct' | 'union';
  size: number;
  /** Natural alignment (libbpf's btf__align_of: 1 for packed structs). */
  alignment: number;
  /** Alignment pahole infers for the whole struct from its trailing gap; 0 if none. */
  forcedAlignment: number;
  /** libbpf/bpftool consider it packed (`__attribute__((packed))` in the C dump). */
  packed: boolean;
  cacheline: number;
  members: LayoutMember[];
  /** Hole before the first member (bytes, bits). */
  preHole: number;
  preBitHole: number;
  // pahole's figures (its summary comments):
  cachelines: number;
  sumMembers: number;
  sumBitfieldBits: number;
  holes: number;
  sumHoles: number;
  bitHoles: number;
  sumBitHoles: number;
  padding: number;
  bitPadding: number;
  paddings: number;
  sumPaddings: number;
  forcedAlignments: number;
  forcedHoles: number;
  sumForcedHoles: number;
  lastCacheline: number;
}

export interface LayoutOptions {
  /** Cacheline size in bytes (pahole's default here: 64). */
  cacheline?: number;
  /** Pointer size, as libbpf fixes it for ELF input (see elfPointerSize). */
  pointerSize?: number;
  /**
   * pahole's packed-attribute inferences (type ID -> packed), shared by the listings of one run:
   * printing a struct can mark the structs it embeds as packed (pahole keeps such marks for the
   * rest of a run, so `pahole FILE` and `pahole -C NAME FILE` can differ). Default: a fresh map,
   * as `pahole -C NAME`.
   */
  packing?: Map<number, boolean>;
}

/** The layout of struct or union `id`; undefined for other kinds. */
export function structLayout(btf: Btf, id: number, opts: LayoutOptions = {}): StructLayout | undefined {
  const t = typeTable(btf, opts.pointerSize);
  const k = t.kind(id);
  if (k !== Kind.STRUCT && k !== Kind.UNION) return undefined;
  return new Layouter(t, opts.cacheline ?? 64).layout(id, 0);
}

/**
 * Why struct or union `id` has no layout, or undefined. A layout writes out, in place, anonymous struct
 * members and the anonymous structs they point to, and takes figures from the structs embedded by value:
 * a struct that contains itself that way (directly, through typedefs, arrays or other structs) has no
 * finite layout, nor has a member whose type is a loop of typedefs or modifiers. pahole prints the first
 * with wrong figures and a "BRAIN FART ALERT", and never ends on the others.
 */
export function layoutCycle(btf: Btf, id: number): string | undefined {
  const t = typeTable(btf);
  const state = new Map<number, 'open' | 'done'>();
  const name = (sid: number) => `${t.kind(sid) === Kind.UNION ? 'union' : 'struct'} ${t.nameOff(sid) ? t.str(t.nameOff(sid)) : '(anonymous)'}`;
  const member = (sid: number, i: number) => `${t.nameOff(sid) ? t.str(t.nameOff(sid)) : '(anonymous)'}.${t.memberName(sid, i) ? t.str(t.memberName(sid, i)) : '(anonymous)'}`;
  // depth-first over what the layout of `id` looks into, iteratively: a chain of embedded structs can be long
  const frames: { sid: number; i: number }[] = [{ sid: id, i: 0 }];
  state.set(id, 'open');
  while (frames.length) {
    const f = frames[frames.length - 1]!;
    if (f.i >= t.vlen(f.sid)) {
      state.set(f.sid, 'done');
      frames.pop();
      continue;
    }
    const i = f.i++;
    // what the member is made of: typedefs, modifiers and arrays stripped; a pointer followed only to an anonymous struct
    let m = t.memberType(f.sid, i);
    for (let links = 0; ; links++) {
      if (links > t.count) return `${name(id)}: the type of member ${member(f.sid, i)} is a loop of typedefs or modifiers; no layout`;
      const k = t.kind(m);
      if (k === Kind.TYPEDEF || isMod(k)) m = t.third(m);
      else if (k === Kind.ARRAY) m = t.arrayType(m);
      else if (k === Kind.PTR && t.nameOff(stripMods(t, t.third(m))) === 0) m = stripMods(t, t.third(m));
      else break;
    }
    const k = t.kind(m);
    if (k !== Kind.STRUCT && k !== Kind.UNION) continue;
    const st = state.get(m);
    if (st === 'done') continue;
    if (st === 'open') {
      const from = frames.findIndex((x) => x.sid === m);
      const path = frames.slice(from).map((x) => member(x.sid, x.i - 1));
      return `${m === id ? '' : `${name(id)}: `}${name(m)} contains itself (${path.join(' → ')}): a type of infinite size, no layout`;
    }
    state.set(m, 'open');
    frames.push({ sid: m, i: 0 });
  }
  return undefined;
}

/** What printing a listing needs (pahole's state while it prints). */
interface Printer {
  t: TypeTable;
  e: CEmitter;
  lay: Layouter;
  packing: Map<number, boolean>;
  lines: string[];
}

/** Every named struct (pahole's `-C NAME` looks one up; `pahole` alone prints all). */
export function findStructs(btf: Btf, name: string, unions = false): number[] {
  const t = typeTable(btf);
  const out: number[] = [];
  for (let id = 1; id < t.count; id++) {
    const k = t.kind(id);
    if ((k === Kind.STRUCT || (unions && k === Kind.UNION)) && t.nameOff(id) !== 0 && t.str(t.nameOff(id)) === name) out.push(id);
  }
  return out;
}

const MAX_NESTING = 32;
/** Anonymous members inlined per listing at most: bounds forged BTF whose anonymous types repeat each other. */
const MAX_INLINED = 4096;

class Layouter {
  readonly natural = new Map<number, number>();
  private readonly paddingOf = new Map<number, number>();
  /** Structs being laid out (the stack): a forged type inlined in itself is not expanded again. */
  private readonly open = new Set<number>();
  private inlined = 0;

  constructor(private readonly t: TypeTable, private readonly cacheline: number) {}

  /** pahole's tag__strip_typedefs_and_modifiers. */
  private strip(id: number): number {
    const t = this.t;
    for (let i = 0; i < MAX_NESTING && id !== 0; i++) {
      const k = t.kind(id);
      if (k === Kind.TYPEDEF || isMod(k)) id = t.third(id);
      else return id;
    }
    return id;
  }

  /** pahole's tag__size for a (stripped) type, as its BTF loader builds tags. */
  private size(id: number, depth = 0): number {
    const t = this.t;
    if (depth > MAX_NESTING) return 0;
    switch (t.kind(id)) {
      case Kind.PTR: return t.ptrSize();
      case Kind.INT: return (t.u32(id, 0) & 0xff) >> 3; // nr_bits / 8
      case Kind.FLOAT: return t.third(id);
      case Kind.ENUM: case Kind.ENUM64: return t.third(id) || 4;
      case Kind.STRUCT: case Kind.UNION: return t.third(id) === 1 && t.vlen(id) === 0 ? 0 : t.third(id);
      case Kind.FWD: return 0;
      case Kind.ARRAY: return this.size(t.arrayType(id), depth + 1) * t.arrayLen(id);
      case Kind.TYPEDEF: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPE_TAG:
        return this.size(t.third(id), depth + 1);
      default: return 0;
    }
  }

  /** `size` as printed: exact, also where arrays of arrays multiply past 2^53 and a float would round it. */
  sizeText(id: number, size: number): string {
    if (Number.isSafeInteger(size)) return String(size);
    const t = this.t;
    let n = 1n;
    for (let depth = 0; depth <= MAX_NESTING; depth++) {
      const k = t.kind(id);
      if (k === Kind.ARRAY) {
        n *= BigInt(t.arrayLen(id));
        id = t.arrayType(id);
      } else if (k === Kind.TYPEDEF || isMod(k)) {
        id = t.third(id);
      } else {
        return String(n * BigInt(this.size(id, depth)));
      }
    }
    return String(size);
  }

  /** pahole's tag__natural_alignment. */
  private naturalAlign(id: number, depth = 0): number {
    const t = this.t;
    let a = 1;
    switch (t.kind(id)) {
      case Kind.PTR: a = t.ptrSize(); break;
      case Kind.INT: a = (t.u32(id, 0) & 0xff) >> 3; break;
      case Kind.FLOAT: a = t.third(id); break;
      case Kind.ENUM: case Kind.ENUM64: a = t.third(id) || 4; break;
      case Kind.STRUCT: case Kind.UNION: case Kind.FWD: a = this.typeNaturalAlign(id, depth); break;
      case Kind.ARRAY: if (depth < MAX_NESTING) a = this.naturalAlign(this.strip(t.arrayType(id)), depth + 1); break;
      default: break;
    }
    return a || 1;
  }

  private typeNaturalAlign(id: number, depth: number): number {
    const t = this.t;
    if (t.kind(id) === Kind.FWD) return 0;
    const cached = this.natural.get(id);
    if (cached !== undefined) return cached;
    let max = 0;
    if (depth < MAX_NESTING) {
      for (let i = 0, n = t.vlen(id); i < n; i++) {
        const a = this.naturalAlign(this.strip(t.memberType(id, i)), depth + 1);
        if (a > max) max = a;
      }
    }
    this.natural.set(id, max);
    return max;
  }

  /**
   * pahole's class__infer_packed_attributes for struct layout `l` (cached in `packing`): packed when
   * it has no hole nor padding and yet a member sits off its natural alignment or the size is not a
   * multiple of the largest one. A struct with holes or padding instead marks the structs it embeds
   * at unnatural offsets (type__check_structs_at_unnatural_alignments).
   */
  inferPacked(l: StructLayout, packing: Map<number, boolean>): boolean {
    if (l.kind !== 'struct') return false;
    const have = packing.get(l.id);
    if (have !== undefined) return have;
    let packed = false;
    if (l.padding !== 0 || l.holes !== 0) {
      this.markEmbedded(l, packing, (m, a) => m.byteOffset % a !== 0);
    } else {
      let max = 1;
      for (const m of l.members) {
        const a = this.naturalAlign(this.strip(m.type));
        if (a === 1) continue;
        if (a > max) max = a;
        if (m.byteOffset % a !== 0) {
          packed = true;
          break;
        }
      }
      if (!packed && l.size % max !== 0) packed = true;
    }
    packing.set(l.id, packed);
    return packed;
  }

  /** pahole's union__infer_packed_attributes: structs in a union whose size their alignment does not divide are packed. */
  inferUnionPacked(l: StructLayout, packing: Map<number, boolean>): void {
    if (l.kind !== 'union' || packing.has(-l.id)) return;
    this.markEmbedded(l, packing, (_m, a) => l.size % a !== 0);
    packing.set(-l.id, true); // unions are inferred once, like pahole's packed_attributes_inferred
  }

  private markEmbedded(l: StructLayout, packing: Map<number, boolean>, off: (m: LayoutMember, align: number) => boolean): void {
    for (const m of l.members) {
      const st = this.strip(m.type);
      if (this.t.kind(st) !== Kind.STRUCT) continue;
      const a = this.naturalAlign(st);
      if (a && off(m, a)) packing.set(st, true);
    }
  }

  /** pahole's class__infer_alignment. */
  private inferAlignment(byteOffset: number, natural: number, smallest: number): number {
    const delta = (byteOffset - smallest) >>> 0;
    let a = 0;
    if (delta && byteOffset % 2 === 0) {
      const shift = 32 - Math.clz32(delta);
      a = shift === 32 ? 1 : 2 ** shift;
    }
    if (a <= natural || a === 1) return 0;
    if (a < this.cacheline && this.cacheline % a === 0 && byteOffset % this.cacheline === 0) return this.cacheline;
    return a;
  }

  /** Trailing padding of struct `id` (pahole's class->padding), cached. */
  private structPadding(id: number, depth: number): number {
    let p = this.paddingOf.get(id);
    if (p === undefined) {
      p = depth < MAX_NESTING ? this.layout(id, depth + 1).padding : 0;
      this.paddingOf.set(id, p);
    }
    return p;
  }

  layout(id: number, depth: number): StructLayout {
    const t = this.t;
    if (depth === 0) this.open.add(id);
    const isStruct = t.kind(id) === Kind.STRUCT;
    const size = t.third(id);
    const n = t.vlen(id);
    const members: LayoutMember[] = [];
    let smallest = 0;
    // The BTF loader's fixup: storage units for bitfields, sizes, inferred alignments.
    for (let i = 0; i < n; i++) {
      const type = t.memberType(id, i);
      const bitOffset = t.memberBitOffset(id, i);
      const bitfieldSize = t.memberBitfieldSize(id, i);
      const m: LayoutMember = {
        name: t.str(t.memberName(id, i)), type, bitOffset, byteOffset: Math.floor(bitOffset / 8), bitfieldOffset: 0,
        bitfieldSize, size: 0, hole: 0, bitHole: 0, alignment: 0, typePadding: 0,
      };
      members.push(m);
      const st = this.strip(type);
      if (st === 0) continue;
      m.size = this.size(st);
      if (m.size === 0) continue;
      const sk = t.kind(st);
      if (sk === Kind.INT || sk === Kind.FLOAT || sk === Kind.ENUM || sk === Kind.ENUM64) {
        if (bitfieldSize) {
          const bits = m.size * 8;
          m.byteOffset = (Math.floor(bitOffset / bits) * bits) / 8;
          m.bitfieldOffset = bitOffset - m.byteOffset * 8;
        } else {
          m.byteOffset = Math.floor(bitOffset / 8);
        }
      }
      m.alignment = this.inferAlignment(m.byteOffset, this.naturalAlign(st), smallest);
      smallest = m.byteOffset + m.size;
    }
    const l: StructLayout = {
      id, name: t.str(t.nameOff(id)), kind: isStruct ? 'struct' : 'union', size,
      alignment: t.alignOf(id), forcedAlignment: this.inferAlignment(size, this.naturalAlign(id), smallest),
      packed: isStruct && t.isPacked(id), cacheline: this.cacheline, members, preHole: 0, preBitHole: 0,
      cachelines: Math.ceil(size / this.cacheline), sumMembers: 0, sumBitfieldBits: 0, holes: 0, sumHoles: 0,
      bitHoles: 0, sumBitHoles: 0, padding: 0, bitPadding: 0, paddings: 0, sumPaddings: 0,
      forcedAlignments: 0, forcedHoles: 0, sumForcedHoles: 0, lastCacheline: size % this.cacheline,
    };
    if (isStruct) this.findHoles(l);
    // Inline anonymous members and the figures pahole adds up while printing.
    let last: LayoutMember | undefined;
    for (const m of members) {
      const direct = m.type;
      const dk = t.kind(direct);
      let anon = stripMods(t, direct);
      let pointers = 0;
      for (; pointers < MAX_NESTING && t.kind(anon) === Kind.PTR; pointers++) anon = stripMods(t, t.third(anon));
      const dims: number[] = [];
      for (let i = 0; i < MAX_NESTING && !pointers && t.kind(anon) === Kind.ARRAY; i++) {
        dims.push(t.arrayLen(anon));
        anon = stripMods(t, t.arrayType(anon));
      }
      if (depth < MAX_NESTING && t.nameOff(anon) === 0 && (t.kind(anon) === Kind.STRUCT || t.kind(anon) === Kind.UNION) && !this.open.has(anon) && this.inlined < MAX_INLINED) {
        this.inlined++;
        this.open.add(anon);
        m.inner = this.layout(anon, depth + 1);
        this.open.delete(anon);
        if (dims.length) m.dims = dims;
        if (pointers) m.pointers = pointers;
      }
      if (m.alignment) {
        const forcedHole = last ? last.hole : l.preHole;
        if (forcedHole !== 0) {
          l.forcedHoles++;
          l.sumForcedHoles += forcedHole >>> 0;
        }
        l.forcedAlignments++;
      }
      if (direct !== 0 && dk === Kind.STRUCT) {
        m.typePadding = this.structPadding(direct, depth);
        if (m.typePadding > 0) {
          l.paddings++;
          l.sumPaddings += m.typePadding;
        }
      }
      if (m.bitHole !== 0) l.sumBitHoles += m.bitHole;
      if (m.hole > 0) l.sumHoles += m.hole;
      if (m.bitfieldSize) l.sumBitfieldBits += m.bitfieldSize;
      else l.sumMembers += m.size;
      last = m;
    }
    if (l.preBitHole > 0) l.sumBitHoles += l.preBitHole;
    if (l.preHole > 0) l.sumHoles += l.preHole;
    return l;
  }

  /** pahole's class__find_holes. */
  private findHoles(l: StructLayout): void {
    const size = l.size;
    let curBitfieldEnd = size * 8;
    let curBitfieldSize = 0;
    let lastSeenBit = 0;
    let inBitfield = false;
    let last: LayoutMember | undefined;
    for (const pos of l.members) {
      const bitStart = pos.bitOffset;
      const bitEnd = bitStart + (pos.bitfieldSize ? pos.bitfieldSize : pos.size * 8);
      let bitHoles = 0;
      let byteHoles = 0;
      if (inBitfield) {
        const bitfieldEnd = Math.min(bitStart, curBitfieldEnd);
        bitHoles = bitfieldEnd - lastSeenBit;
        lastSeenBit = bitfieldEnd;
      }
      if (pos.bitfieldSize) {
        const alignedStart = pos.byteOffset * 8;
        if (lastSeenBit < alignedStart && alignedStart <= bitStart) {
          byteHoles = pos.byteOffset - Math.trunc(lastSeenBit / 8);
          lastSeenBit = alignedStart;
        }
        bitHoles += bitStart - lastSeenBit;
      } else {
        byteHoles = Math.trunc(bitStart / 8) - Math.trunc(lastSeenBit / 8);
      }
      lastSeenBit = bitEnd;
      if (pos.bitfieldSize) {
        inBitfield = true;
        const bitSize = pos.size * 8;
        if (bitEnd > curBitfieldEnd || bitSize > curBitfieldSize) {
          curBitfieldSize = bitSize;
          curBitfieldEnd = pos.byteOffset * 8 + curBitfieldSize;
          // A bitfield that borrowed bits of the previous unit ends in the next one.
          if (bitEnd > curBitfieldEnd) curBitfieldEnd += curBitfieldSize;
        }
      } else {
        inBitfield = false;
        curBitfieldSize = 0;
        curBitfieldEnd = bitEnd;
      }
      if (last) {
        last.hole = byteHoles;
        last.bitHole = bitHoles;
      } else {
        l.preHole = byteHoles;
        l.preBitHole = bitHoles;
      }
      if (bitHoles) l.bitHoles++;
      if (byteHoles) l.holes++;
      last = pos;
    }
    if (inBitfield) {
      const bitfieldEnd = Math.min(size * 8, curBitfieldEnd);
      l.bitPadding = bitfieldEnd - lastSeenBit;
      lastSeenBit = bitfieldEnd;
    }
    l.padding = size - Math.trunc(lastSeenBit / 8);
  }
}

/**
 * pahole's summary comments for `l`, one string per line, without indentation; `base`: the byte
 * offset it is printed at (inline structs).
 */
export function layoutSummary(l: StructLayout, base = 0): string[] {
  const out = [`/* size: ${l.size}, cachelines: ${l.cachelines}, members: ${l.members.length} */`];
  if (l.kind === 'struct') {
    if (l.sumHoles > 0 || l.sumBitHoles > 0) {
      if (l.sumMembers > 0) out.push(`/* sum members: ${l.sumMembers}${l.sumHoles > 0 ? `, holes: ${l.holes}, sum holes: ${l.sumHoles}` : ''} */`);
      if (l.sumBitfieldBits > 0) {
        out.push(`/* sum bitfield members: ${l.sumBitfieldBits} bits${l.sumBitHoles > 0
          ? `, bit holes: ${l.bitHoles}, sum bit holes: ${l.sumBitHoles} bits`
          : ` (${Math.floor(l.sumBitfieldBits / 8)} bytes)`} */`);
      }
    }
    if (l.padding > 0) out.push(`/* padding: ${l.padding} */`);
    if (l.paddings > 0) out.push(`/* paddings: ${l.paddings}, sum paddings: ${l.sumPaddings} */`);
    if (l.bitPadding > 0) out.push(`/* bit_padding: ${l.bitPadding} bits */`);
    if (l.forcedAlignments) {
      out.push(`/* forced alignments: ${l.forcedAlignments}${l.forcedHoles ? `, forced holes: ${l.forcedHoles}, sum forced holes: ${l.sumForcedHoles}` : ''} */`);
    }
  }
  // pahole counts the last cacheline from where the struct is printed (an inline struct: its member offset).
  const last = base ? (base + l.size) % l.cacheline : l.lastCacheline;
  if (last) out.push(`/* last cacheline: ${last} bytes */`);
  return out;
}

/**
 * A pahole-style listing of struct/union `id`: one line per member with its C declaration and
 * `/* offset size *\/` (`/* offset:bit size *\/` for bitfields), holes and cacheline boundaries
 * as comments, anonymous members expanded in place, the summary at the end. undefined for other kinds and
 * for a struct that contains itself (layoutCycle says how).
 */
export function formatLayout(btf: Btf, id: number, opts: LayoutOptions = {}): string | undefined {
  const t = typeTable(btf, opts.pointerSize);
  const k = t.kind(id);
  if (k !== Kind.STRUCT && k !== Kind.UNION) return undefined;
  if (layoutCycle(btf, id) !== undefined) return undefined; // no finite layout: the caller says why
  const lay = new Layouter(t, opts.cacheline ?? 64);
  const l = lay.layout(id, 0);
  const p: Printer = { t, e: new CEmitter(t, new ByteWriter(undefined, 256), false), lay, packing: opts.packing ?? new Map(), lines: [] };
  const lines = p.lines;
  lines.push(`${l.kind}${l.name ? ` ${l.name}` : ''} {`);
  const packed = body(p, l, 1, 0, { cacheline: 0 }, true);
  // pahole 1.24 prints its summary after a top-level struct only (union__fprintf has none).
  if (l.kind === 'struct') {
    lines.push('');
    for (const s of layoutSummary(l)) lines.push(`\t${s}`);
  }
  lines.push(`${closing(l, packed)};`);
  return lines.join('\n') + '\n';
}

/** `}` with pahole's attributes for the struct itself: packed as pahole infers it, else a forced alignment. */
function closing(l: StructLayout, packed: boolean): string {
  if (packed) return '} __attribute__((__packed__))';
  return l.forcedAlignment ? `} __attribute__((__aligned__(${l.forcedAlignment})))` : '}';
}

const TABS = '\t'.repeat(16);
function tabs(n: number): string {
  return TABS.slice(0, Math.min(n, 16));
}

/** Column (tabs = 8) where member comments start, as in pahole's default output. */
const COMMENT_COL = 48;

function withComment(code: string, comment: string): string {
  let col = 0;
  for (const c of code) col = c === '\t' ? (col + 8) & ~7 : col + 1;
  return `${code}${' '.repeat(Math.max(1, COMMENT_COL - col))}${comment}`;
}

/**
 * The members of `l` at indentation `lvl`, `base` bytes into the outermost struct, as pahole's
 * __class__fprintf/union__fprintf print them. `stats`: pahole prints a summary for this struct too
 * (the outermost one, and inline structs reached through a `const` member, for which pahole keeps
 * its printing options).
 */
function body(p: Printer, l: StructLayout, lvl: number, base: number, state: { cacheline: number }, stats: boolean,
  inUnion = false): boolean {
  const { t, e, lines } = p;
  const ind = tabs(lvl);
  // pahole infers packing when it starts printing a struct or union (marks on embedded structs included).
  const packed = p.lay.inferPacked(l, p.packing);
  p.lay.inferUnionPacked(l, p.packing);
  const isStruct = l.kind === 'struct';
  const comment = (text: string) => lines.push(`${ind}/* ${text} */`);
  const plural = (n: number, unit: string) => `${n} ${unit}${n !== 1 ? 's' : ''}`;
  if (l.preBitHole > 0 || l.preHole > 0) lines.push('');
  if (l.preBitHole > 0) comment(`XXX ${plural(l.preBitHole, 'bit')} hole, try to pack`);
  if (l.preHole > 0) comment(`XXX ${plural(l.preHole, 'byte')} hole, try to pack`);
  /** A blank line is owed before the next member (pahole's `newline`). */
  let pending = l.preBitHole > 0 || l.preHole > 0;
  // pahole prints each member of a union from the cacheline where the union starts.
  const unionCacheline = state.cacheline;
  let last: LayoutMember | undefined;
  /** pahole's last_size: the size of the member that started the current byte offset. */
  let lastSize = 0;
  for (let i = 0; i < l.members.length; i++) {
    const m = l.members[i]!;
    // pahole writes the zero-length dimensions of the last member of a struct as `[]`, unless it is
    // the only member or anywhere inside a union.
    const flexible = isStruct && !inUnion && i > 0 && i === l.members.length - 1;
    const flex = (d: string) => (flexible ? d.replace(/\[0\]/g, '[]') : d);
    // Between struct members: explicit bit-hole fillers and bitfields sharing storage with others.
    if (isStruct && last && lastSize !== 0) {
      if (last.bitHole !== 0 && m.bitfieldSize) {
        let width = last.bitHole;
        if (last.byteOffset !== m.byteOffset) {
          lines.push('');
          comment('Force alignment to the next boundary:');
          width = 0;
        }
        lines.push(`${ind}${declOf(e, m.type, '', lvl)} :${width};`);
      }
      if (m.byteOffset < last.byteOffset || (m.byteOffset === last.byteOffset && last.bitfieldSize === 0 && m.bitfieldSize !== 0)) {
        if (!pending) lines.push('');
        pending = true;
        comment('Bitfield combined with previous fields');
      } else {
        const d = m.byteOffset - last.byteOffset;
        if (d > 0 && d < lastSize) {
          if (!pending) lines.push('');
          pending = true;
          comment('Bitfield combined with next fields');
        }
      }
    }
    if (pending) lines.push('');
    pending = false;
    const off = base + m.byteOffset;
    const cl = Math.floor(off / l.cacheline);
    if (cl > state.cacheline) {
      const pos = off % l.cacheline;
      lines.push(`${ind}/* --- cacheline ${cl} boundary (${off - pos} bytes)${pos ? ` was ${plural(pos, 'byte')} ago` : ''} --- */`);
      state.cacheline = cl;
    }
    const align = m.alignment ? ` __attribute__((__aligned__(${m.alignment})))` : '';
    const where = m.bitfieldSize
      ? `/* ${String(off).padStart(5)}:${String(m.bitfieldOffset).padStart(2)} ${String(m.size).padStart(2)} */`
      : `/* ${String(off).padStart(5)} ${p.lay.sizeText(m.type, m.size).padStart(5)} */`;
    if (m.inner) {
      const kw = m.inner.kind;
      const mods = modifiers(t, m.type);
      lines.push(`${ind}${mods}${kw} {`);
      // Through a modifier pahole keeps its options: an inline struct gets its own summary.
      const innerStats = stats && mods !== '' && !m.pointers && !m.dims && kw === 'struct';
      // What a pointer points to is laid out on its own, from offset 0.
      const innerPacked = m.pointers
        ? body(p, m.inner, lvl + 1, 0, { cacheline: 0 }, false, inUnion || !isStruct)
        : body(p, m.inner, lvl + 1, off, state, innerStats, inUnion || !isStruct);
      const dims = m.dims ? flex(m.dims.map((d) => `[${d}]`).join('')) : '';
      const stars = m.pointers ? ` ${'*'.repeat(m.pointers)}` : '';
      // pahole's __class__fprintf ends an inline struct with `}`, its packed attribute, the name
      // when it was handed one (through a pointer), then the struct's own inferred alignment;
      // the member's name and alignment follow (unions print neither attribute).
      const own = kw === 'struct' ? closing(m.inner, innerPacked) : '}';
      const named = m.name ? ` ${m.name}` : '';
      const text = m.pointers
        ? `${ind}${own.replace(/^\}/, `}${stars}${named}`)}${dims}${align};`
        : `${ind}${own}${named}${dims}${align};`;
      lines.push(withComment(text, where));
    } else {
      lines.push(withComment(`${ind}${flex(declOf(e, m.type, m.name, lvl))}${m.bitfieldSize ? `:${m.bitfieldSize}` : ''}${align};`, where));
    }
    if (l.kind === 'union') state.cacheline = unionCacheline;
    if (m.typePadding > 0 && isStruct) {
      lines.push('');
      comment(`XXX last struct has ${plural(m.typePadding, 'byte')} of padding`);
      pending = true;
    }
    if (m.bitHole !== 0) {
      if (!pending) lines.push('');
      comment(`XXX ${plural(m.bitHole, 'bit')} hole, try to pack`);
      pending = true;
    }
    if (m.hole > 0) {
      if (!pending) lines.push('');
      comment(`XXX ${plural(m.hole, 'byte')} hole, try to pack`);
      pending = true;
    }
    if (isStruct) {
      if (!last || lastSize === 0 || last.byteOffset !== m.byteOffset) lastSize = m.size;
      else if (last.bitfieldSize === 0 && m.bitfieldSize !== 0) lastSize = m.size;
    }
    last = m;
  }
  if (stats && lvl > 1) {
    lines.push('');
    for (const s of layoutSummary(l, base)) lines.push(`${ind}${s}`);
  }
  return packed;
}

function declOf(e: CEmitter, type: number, name: string, lvl: number): string {
  e.w = new ByteWriter(undefined, 256);
  e.declNamed(type, name, lvl);
  return e.w.toString();
}

/** Skips const/volatile/restrict/type tags (not typedefs). */
function stripMods(t: TypeTable, id: number): number {
  for (let i = 0; i < MAX_NESTING && id !== 0 && isMod(t.kind(id)); i++) id = t.third(id);
  return id;
}

/** `const ` / `volatile ` written before an inline anonymous member's keyword. */
function modifiers(t: TypeTable, id: number): string {
  let s = '';
  for (let i = 0; i < MAX_NESTING && id !== 0; i++) {
    const k = t.kind(id);
    if (k === Kind.CONST) s += 'const ';
    else if (k === Kind.VOLATILE) s += 'volatile ';
    else if (k === Kind.RESTRICT) s += 'restrict ';
    else if (k !== Kind.TYPE_TAG) break;
    id = t.third(id);
  }
  return s;
}
