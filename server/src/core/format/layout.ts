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
}

/** The layout of struct or union `id`; undefined for other kinds. */
export function structLayout(btf: Btf, id: number, opts: LayoutOptions = {}): StructLayout | undefined {
  const t = typeTable(btf, opts.pointerSize);
  const k = t.kind(id);
  if (k !== Kind.STRUCT && k !== Kind.UNION) return undefined;
  return new Layouter(t, opts.cacheline ?? 64).layout(id, 0);
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

class Layouter {
  private readonly natural = new Map<number, number>();
  private readonly paddingOf = new Map<number, number>();

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
      if (depth < MAX_NESTING && t.nameOff(anon) === 0 && (t.kind(anon) === Kind.STRUCT || t.kind(anon) === Kind.UNION)) {
        m.inner = this.layout(anon, depth + 1);
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

/** pahole's summary comments for `l`, one string per line, without indentation. */
export function layoutSummary(l: StructLayout): string[] {
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
  if (l.lastCacheline) out.push(`/* last cacheline: ${l.lastCacheline} bytes */`);
  return out;
}

/**
 * A pahole-style listing of struct/union `id`: one line per member with its C declaration and
 * `/* offset size *\/` (`/* offset:bit size *\/` for bitfields), holes and cacheline boundaries
 * as comments, anonymous members expanded in place, the summary at the end.
 */
export function formatLayout(btf: Btf, id: number, opts: LayoutOptions = {}): string | undefined {
  const l = structLayout(btf, id, opts);
  if (!l) return undefined;
  const t = typeTable(btf, opts.pointerSize);
  const e = new CEmitter(t, new ByteWriter(undefined, 256), false);
  const lines: string[] = [];
  const state = { cacheline: 0 };
  const head = `${l.kind}${l.name ? ` ${l.name}` : ''} {`;
  lines.push(head);
  body(t, e, l, 1, 0, lines, state);
  lines.push('');
  for (const s of layoutSummary(l)) lines.push(`\t${s}`);
  let tail = '}';
  if (l.packed) tail += ' __attribute__((packed))';
  if (l.forcedAlignment && !l.packed) tail += ` __attribute__((__aligned__(${l.forcedAlignment})))`;
  lines.push(`${tail};`);
  return lines.join('\n') + '\n';
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

function body(t: TypeTable, e: CEmitter, l: StructLayout, lvl: number, base: number,
  lines: string[], state: { cacheline: number }): void {
  const ind = tabs(lvl);
  const hole = (n: number, unit: 'bit' | 'byte') => {
    lines.push('');
    lines.push(`${ind}/* XXX ${n} ${unit}${n !== 1 ? 's' : ''} hole, try to pack */`);
  };
  if (l.preBitHole > 0) hole(l.preBitHole, 'bit');
  if (l.preHole > 0) hole(l.preHole, 'byte');
  let prevHadHole = l.preBitHole > 0 || l.preHole > 0;
  // pahole prints each member of a union from the cacheline where the union starts.
  const unionCacheline = state.cacheline;
  for (const m of l.members) {
    if (prevHadHole) lines.push('');
    const off = base + m.byteOffset;
    const cl = Math.floor(off / l.cacheline);
    if (cl > state.cacheline) {
      const pos = off % l.cacheline;
      lines.push(`${ind}/* --- cacheline ${cl} boundary (${off - pos} bytes)${pos ? ` was ${pos} byte${pos !== 1 ? 's' : ''} ago` : ''} --- */`);
      state.cacheline = cl;
    }
    const align = m.alignment ? ` __attribute__((__aligned__(${m.alignment})))` : '';
    const where = m.bitfieldSize
      ? `/* ${String(off).padStart(5)}:${String(m.bitfieldOffset).padStart(2)} ${String(m.size).padStart(2)} */`
      : `/* ${String(off).padStart(5)} ${String(m.size).padStart(5)} */`;
    if (m.inner) {
      const kw = m.inner.kind;
      const mods = modifiers(t, m.type);
      lines.push(`${ind}${mods}${kw} {`);
      // What a pointer points to is laid out on its own, from offset 0.
      if (m.pointers) body(t, e, m.inner, lvl + 1, 0, lines, { cacheline: 0 });
      else body(t, e, m.inner, lvl + 1, off, lines, state);
      const dims = m.dims ? m.dims.map((d) => `[${d}]`).join('') : '';
      const stars = m.pointers ? ` ${'*'.repeat(m.pointers)}` : '';
      lines.push(withComment(`${ind}}${stars}${m.name ? ` ${m.name}` : ''}${dims}${align};`, where));
    } else {
      e.w = new ByteWriter(undefined, 256);
      e.declNamed(m.type, m.name, lvl);
      const decl = e.w.toString();
      lines.push(withComment(`${ind}${decl}${m.bitfieldSize ? `:${m.bitfieldSize}` : ''}${align};`, where));
    }
    prevHadHole = false;
    if (l.kind === 'union') state.cacheline = unionCacheline;
    if (m.typePadding > 0 && l.kind === 'struct') {
      lines.push('');
      lines.push(`${ind}/* XXX last struct has ${m.typePadding} byte${m.typePadding !== 1 ? 's' : ''} of padding */`);
      prevHadHole = true;
    }
    if (m.bitHole !== 0) {
      if (!prevHadHole) lines.push('');
      lines.push(`${ind}/* XXX ${m.bitHole} bit${m.bitHole !== 1 ? 's' : ''} hole, try to pack */`);
      prevHadHole = true;
    }
    if (m.hole > 0) {
      if (!prevHadHole) lines.push('');
      lines.push(`${ind}/* XXX ${m.hole} byte${m.hole !== 1 ? 's' : ''} hole, try to pack */`);
      prevHadHole = true;
    }
  }
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
