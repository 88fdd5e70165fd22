import type { Btf } from '../../btf/btf';
import { Kind } from '../../btf/kinds';
import type { BtfInput } from '../../input';
import { ByteWriter } from '../../util/writer';
import { CEmitter } from './emitter';
import { type TypeTable, typeTable } from './table';

export interface CDumpOptions {
  /** Dump only these types and what they need, in this order (bpftool's `root_id`); default: every type. */
  roots?: readonly number[];
  /**
   * The target's pointer size. libbpf takes it from the ELF class for BTF read from an ELF file
   * (see `elfPointerSize`), else from the size of `long` in the BTF (8 without one).
   */
  pointerSize?: number;
}

export interface CDumpResult {
  /** Set when libbpf would stop (an unsatisfiable type cycle): the output ends there, without the footer. */
  error?: string;
}

const HEADER =
  '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
  '#endif\n\n';
const FOOTER = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';

/**
 * `bpftool btf dump file F format c` byte for byte (bpftool 7.1, libbpf 1.1): every type of the
 * chain (a split BTF's base included), or the `roots` and their dependencies.
 */
export function formatC(btf: Btf, w: ByteWriter, opts: CDumpOptions = {}): CDumpResult {
  const d = new CDumper(typeTable(btf, opts.pointerSize), w);
  w.ascii(HEADER);
  const count = btf.typeCount;
  const roots = opts.roots;
  if (roots) {
    for (const id of roots) {
      const err = id >= 0 && id < count ? d.dumpType(id) : `invalid type ID ${id}`;
      if (err) return { error: err };
    }
  } else {
    for (let id = 1; id < count; id++) {
      const err = d.dumpType(id);
      if (err) return { error: err };
    }
  }
  w.ascii(FOOTER);
  return {};
}

/** The pointer size libbpf fixes for BTF read from an ELF file: 4 for ELF32, 8 for ELF64. */
export function elfPointerSize(input: BtfInput): number | undefined {
  const h = input.elf?.header;
  return h ? (h.is64 ? 8 : 4) : undefined;
}

/** `formatC` as a string; on an unsatisfiable cycle, what libbpf printed before stopping. */
export function formatCToString(btf: Btf, opts?: CDumpOptions): string {
  const w = new ByteWriter();
  formatC(btf, w, opts);
  return w.toString();
}

// Per-type state bits (libbpf's btf_dump_type_aux_state).
const ORDERING = 1;
const ORDERED = 2;
const ORDER_MASK = 3;
const EMITTING = 4;
const EMITTED = 8;
const EMIT_MASK = 12;
const FWD_EMITTED = 16;
const REFERENCED = 32;
/**
 * Not libbpf's: a pointer, modifier or array whose walk in `order` is known to end at an ordered type
 * (libbpf would return 1 on walking it again). libbpf walks a chain anew from each of its links, which
 * makes a chain of n arrays or modifiers cost n² (bpftool takes 10 s on 40,000 nested arrays).
 */
const LINK_ORDERED = 64;

/** Deeper than this, a chain of types is taken for a loop (libbpf recurses without bound). */
const MAX_RECURSION = 2000;

/**
 * libbpf's btf_dump__dump_type, for a sequence of calls sharing state: a type is ordered
 * (topologically, strong links needing a full definition, weak ones a forward declaration) and
 * then written with what it needs, each definition once.
 */
export class CDumper {
  readonly t: TypeTable;
  readonly e: CEmitter;
  private readonly state: Uint8Array;
  private queue = new Int32Array(64);
  private queued = 0;
  /** Pointers, modifiers and arrays met by `order` calls under way, marked when each call returns. */
  private linkStack = new Int32Array(64);
  private links = 0;
  private error: string | undefined;

  constructor(t: TypeTable, w: ByteWriter) {
    this.t = t;
    this.e = new CEmitter(t, w, true);
    this.state = new Uint8Array(t.count);
    this.state[0] = ORDERED | EMITTED;
    this.markReferenced();
  }

  /** Types referenced by any other type: anonymous enums that are not are top-level declarations. */
  private markReferenced(): void {
    const t = this.t;
    const s = this.state;
    const words = t.words;
    const at = t.at;
    // Reads the words directly: this loop runs once over every type, before the JIT has warmed up.
    // Out-of-range IDs index past the end of `s`: typed arrays ignore such writes.
    for (let id = 1, count = t.count; id < count; id++) {
      const p = at[id]!;
      const info = words[p + 1]!;
      const n = info & 0xff_ffff;
      switch ((info >>> 24) & 0x7f) {
        case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.PTR: case Kind.TYPEDEF:
        case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
          s[words[p + 2]!]! |= REFERENCED;
          break;
        case Kind.ARRAY:
          s[words[p + 4]!]! |= REFERENCED;
          s[words[p + 3]!]! |= REFERENCED;
          break;
        case Kind.STRUCT: case Kind.UNION:
          for (let i = 0, q = p + 4; i < n; i++, q += 3) s[words[q]!]! |= REFERENCED;
          break;
        case Kind.FUNC_PROTO:
          for (let i = 0, q = p + 4; i < n; i++, q += 2) s[words[q]!]! |= REFERENCED;
          break;
        case Kind.DATASEC:
          for (let i = 0, q = p + 3; i < n; i++, q += 3) s[words[q]!]! |= REFERENCED;
          break;
        default:
          break;
      }
    }
  }

  /** Dumps `id` and what it needs that is not out yet; an error message when libbpf would fail. */
  dumpType(id: number): string | undefined {
    this.queued = 0;
    if (this.order(id, false, 0) < 0) return this.error;
    for (let i = 0; i < this.queued; i++) this.emit(this.queue[i]!, 0, 0);
    return undefined;
  }

  private enqueue(id: number): void {
    if (this.queued === this.queue.length) {
      const q = new Int32Array(this.queue.length * 2);
      q.set(this.queue);
      this.queue = q;
    }
    this.queue[this.queued++] = id;
  }

  private fail(message: string): number {
    this.error = message;
    return -1;
  }

  /**
   * libbpf's btf_dump_order_type: queues the named definitions `id` needs, dependencies first.
   * Returns 1 for a strong link (a full definition is needed before the user), 0 for a weak one
   * (a forward declaration will do), -1 for an unsatisfiable cycle.
   * Pointers, modifiers and arrays are walked in a loop where libbpf recurses: bpftool prints a typedef of
   * 100,000 pointers, whatever order their IDs are in; a chain longer than the BTF has types is a loop.
   */
  private order(id: number, throughPtr: boolean, depth: number): number {
    const s = this.state;
    const t = this.t;
    const linkBase = this.links;
    let r: number | undefined;
    for (let n = 0; r === undefined; n++) {
      if (id >= t.count) r = this.fail(`invalid type ID ${id}`);
      else if ((s[id]! & ORDER_MASK) === ORDERED || s[id]! & LINK_ORDERED) r = 1;
      else if (n > t.count) r = this.fail(`type chain loops, id:[${id}]`);
      else {
        const kind = (t.words[t.at[id]! + 1]! >>> 24) & 0x7f; // id > 0: void is ORDERED
        if (kind === Kind.PTR) {
          this.pushLink(id);
          throughPtr = true;
          id = t.third(id);
        } else if (kind === Kind.ARRAY) {
          this.pushLink(id);
          throughPtr = false;
          id = t.arrayType(id);
        } else if (kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG) {
          this.pushLink(id);
          id = t.third(id);
        } else {
          r = this.orderNode(id, kind, throughPtr, depth);
        }
      }
    }
    // libbpf marks a pointer ordered once what it points to is, whatever the outcome. A link before a
    // pointer, or before an end now ordered, would lead a later walk to an ordered type: LINK_ORDERED.
    let ends = r >= 0 && id < t.count && ((s[id]! & ORDER_MASK) === ORDERED || (s[id]! & LINK_ORDERED) !== 0);
    for (let i = this.links - 1; i >= linkBase; i--) {
      const link = this.linkStack[i]!;
      if ((t.words[t.at[link]! + 1]! >>> 24 & 0x7f) === Kind.PTR) {
        s[link] = (s[link]! & ~ORDER_MASK) | ORDERED;
        ends = r >= 0;
      } else if (ends) {
        s[link]! |= LINK_ORDERED;
      }
    }
    this.links = linkBase;
    return r;
  }

  private pushLink(id: number): void {
    if (this.links === this.linkStack.length) {
      const a = new Int32Array(this.linkStack.length * 2);
      a.set(this.linkStack);
      this.linkStack = a;
    }
    this.linkStack[this.links++] = id;
  }

  /** `order` of a type that is not a pointer, a modifier or an array. */
  private orderNode(id: number, kind: number, throughPtr: boolean, depth: number): number {
    const s = this.state;
    const t = this.t;
    if ((s[id]! & ORDER_MASK) === ORDERING) {
      // A loop, resolvable with a forward declaration.
      if ((kind === Kind.STRUCT || kind === Kind.UNION) && throughPtr && t.nameOff(id) !== 0) return 0;
      return this.fail(`unsatisfiable type cycle, id:[${id}]`);
    }
    if (depth > MAX_RECURSION) return this.fail(`type chain too deep, id:[${id}]`);
    switch (kind) {
      case Kind.INT: case Kind.FLOAT:
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERED;
        return 0;
      case Kind.STRUCT: case Kind.UNION: {
        // Strong only when embedded (no pointer on the way) or anonymous (defined inline).
        const named = t.nameOff(id) !== 0;
        if (throughPtr && named) return 0;
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERING;
        for (let i = 0, n = t.vlen(id); i < n; i++) {
          if (this.order(t.memberType(id, i), false, depth + 1) < 0) return -1;
        }
        if (named) this.enqueue(id);
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERED;
        return 1;
      }
      case Kind.ENUM: case Kind.ENUM64: case Kind.FWD:
        // Named or unreferenced enums are top-level declarations.
        if (t.nameOff(id) !== 0 || !(s[id]! & REFERENCED)) this.enqueue(id);
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERED;
        return 1;
      case Kind.TYPEDEF: {
        const strong = this.order(t.third(id), throughPtr, depth + 1);
        if (strong < 0) return strong;
        if (throughPtr && !strong) return 0;
        this.enqueue(id);
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERED;
        return 1;
      }
      case Kind.FUNC_PROTO: {
        let r = this.order(t.third(id), throughPtr, depth + 1);
        if (r < 0) return r;
        let strong = r > 0;
        for (let i = 0, n = t.vlen(id); i < n; i++) {
          r = this.order(t.paramType(id, i), throughPtr, depth + 1);
          if (r < 0) return r;
          if (r > 0) strong = true;
        }
        return strong ? 1 : 0;
      }
      case Kind.FUNC: case Kind.VAR: case Kind.DATASEC: case Kind.DECL_TAG:
        s[id] = (s[id]! & ~ORDER_MASK) | ORDERED;
        return 0;
      default:
        return this.fail(`unexpected kind ${kind}, id:[${id}]`);
    }
  }

  /** `__builtin_va_list` is the compiler's own: never redefined. */
  private blacklisted(id: number): boolean {
    const off = this.t.nameOff(id);
    return off !== 0 && this.t.str(off) === '__builtin_va_list';
  }

  /**
   * libbpf's btf_dump_emit_type: writes `id` (at top level when `cont` is 0, else as used inside
   * struct `cont`) after what it needs, with forward declarations where a definition is under way.
   */
  private emit(id: number, cont: number, depth: number): void {
    const s = this.state;
    const t = this.t;
    const e = this.e;
    const w = e.w;
    if (depth > MAX_RECURSION) return;
    // Pointers, modifiers and arrays pass `cont` on to what they refer to (libbpf recurses; see order)
    let kind = 0;
    for (let links = 0; ; links++) {
      if (id >= t.count || (s[id]! & EMIT_MASK) === EMITTED || links > t.count) return;
      kind = (t.words[t.at[id]! + 1]! >>> 24) & 0x7f; // id > 0: void is EMITTED
      if (kind === Kind.PTR || kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG) id = t.third(id);
      else if (kind === Kind.ARRAY) id = t.arrayType(id);
      else break;
    }
    const st = s[id]!;
    const topLevel = cont === 0;
    if ((st & EMIT_MASK) === EMITTING) {
      if (st & FWD_EMITTED) return;
      if (kind === Kind.STRUCT || kind === Kind.UNION) {
        // Referenced from inside its own definition: no forward declaration needed.
        if (id === cont) return;
        if (t.nameOff(id) === 0) return; // libbpf: "anonymous struct/union loop"
        e.structFwd(id);
        w.ascii(';\n\n');
        s[id]! |= FWD_EMITTED;
      } else if (kind === Kind.TYPEDEF) {
        // The typedef serves as its own forward declaration (usable through pointers only).
        if (!this.blacklisted(id)) {
          e.typedefDef(id, 0);
          w.ascii(';\n\n');
        }
        s[id]! |= FWD_EMITTED;
      }
      return;
    }
    switch (kind) {
      case Kind.INT:
        this.missingAlias(id);
        s[id] = (st & ~EMIT_MASK) | EMITTED;
        break;
      case Kind.ENUM: case Kind.ENUM64:
        if (topLevel) {
          e.enumDef(id, 0);
          w.ascii(';\n\n');
        }
        s[id] = (st & ~EMIT_MASK) | EMITTED;
        break;
      case Kind.FWD:
        e.fwdDef(id);
        w.ascii(';\n\n');
        s[id] = (st & ~EMIT_MASK) | EMITTED;
        break;
      case Kind.TYPEDEF:
        s[id] = (st & ~EMIT_MASK) | EMITTING;
        this.emit(t.third(id), id, depth + 1);
        if (!(s[id]! & FWD_EMITTED) && !this.blacklisted(id)) {
          e.typedefDef(id, 0);
          w.ascii(';\n\n');
        }
        s[id] = (s[id]! & ~EMIT_MASK) | EMITTED;
        break;
      case Kind.STRUCT: case Kind.UNION: {
        s[id] = (st & ~EMIT_MASK) | EMITTING;
        const anon = t.nameOff(id) === 0;
        if (topLevel || anon) {
          // All members are written out: what they use must be declared first.
          const inner = anon ? cont : id;
          for (let i = 0, n = t.vlen(id); i < n; i++) this.emit(t.memberType(id, i), inner, depth + 1);
        } else if (!(s[id]! & FWD_EMITTED) && id !== cont) {
          e.structFwd(id);
          w.ascii(';\n\n');
          s[id]! |= FWD_EMITTED;
        }
        if (topLevel) {
          e.structDef(id, 0);
          w.ascii(';\n\n');
          s[id] = (s[id]! & ~EMIT_MASK) | EMITTED;
        } else {
          s[id] = s[id]! & ~EMIT_MASK;
        }
        break;
      }
      case Kind.FUNC_PROTO:
        this.emit(t.third(id), cont, depth + 1);
        for (let i = 0, n = t.vlen(id); i < n; i++) this.emit(t.paramType(id, i), cont, depth + 1);
        break;
      default:
        break;
    }
  }

  /** GCC's ARM SIMD `__PolyN_t` base types get typedefs to standard ones (resolving the name, as libbpf does). */
  private missingAlias(id: number): void {
    const t = this.t;
    const off = t.nameOff(id);
    if (off === 0) return;
    const sfx = this.e.resolve(id, false);
    if (sfx > 1) return;
    const name = t.str(off);
    if (!name.startsWith('__Poly')) return;
    const alias = POLY_ALIASES[name];
    if (alias) this.e.w.ascii(`typedef ${alias} ${name};\n\n`);
  }
}

const POLY_ALIASES: Record<string, string> = {
  __Poly8_t: 'unsigned char',
  __Poly16_t: 'unsigned short',
  __Poly64_t: 'unsigned long long',
  __Poly128_t: 'unsigned __int128',
};
