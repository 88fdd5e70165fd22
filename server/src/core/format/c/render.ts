import type { Btf } from '../../btf/btf';
import { Kind } from '../../btf/kinds';
import { ByteWriter } from '../../util/writer';
import { CEmitter, isMod } from './emitter';
import { type TypeTable, typeTable } from './table';

/**
 * One type as C, for hovers and the type tree: the same rules as the vmlinux.h dump (libbpf's
 * declarators, padding members, inline anonymous types) with the names as the BTF spells them
 * (no `___N` suffixes: those depend on the whole dump).
 */

export interface RenderOptions {
  /** Pointer size, as libbpf fixes it for ELF input (see elfPointerSize); default from `long`. */
  pointerSize?: number;
}

export interface DefinitionOptions extends RenderOptions {
  /** Member offset comments (`/* off: 8 (bit 64), size: 4 *\/`) on struct/union definitions; default true. */
  offsets?: boolean;
}

function emitter(btf: Btf, opts: RenderOptions): CEmitter {
  return new CEmitter(typeTable(btf, opts.pointerSize), new ByteWriter(undefined, 1024), false);
}

/**
 * The type's name as C spells it in a cast: `const char *(*)[4]`, `struct task_struct *`,
 * `int (*)(void *)`; anonymous types as `struct {...}`. A function is named by its prototype,
 * a variable by its type, a section by its name; void and invalid IDs are `void`.
 */
export function cTypeName(btf: Btf, id: number, opts: RenderOptions = {}): string {
  const e = emitter(btf, opts);
  const t = e.t;
  switch (t.kind(id)) {
    case Kind.FUNC: case Kind.VAR:
      id = t.third(id);
      break;
    case Kind.DATASEC:
      return t.str(t.nameOff(id));
    case Kind.DECL_TAG:
      return `__attribute__((btf_decl_tag("${t.str(t.nameOff(id))}")))`;
    default:
      break;
  }
  e.skipAnonDefs = true;
  e.anonPlaceholder = true;
  e.declNamed(t.valid(id) ? id : 0, '', 0);
  return e.w.toString();
}

/**
 * A declaration of `id` named `name`: `int (*handlers[3])(int)`, `struct foo x`. Functions and
 * variables use their own name and linkage (`static int foo(int a)`, `extern int x`), typedefs
 * give their definition (`typedef int __s32`). Without a name, a struct/union/enum/fwd is its tag.
 */
export function cDeclaration(btf: Btf, id: number, name?: string, opts: RenderOptions = {}): string {
  const e = emitter(btf, opts);
  const t = e.t;
  e.skipAnonDefs = true;
  e.anonPlaceholder = true;
  declaration(e, t, id, name);
  return e.w.toString();
}

function declaration(e: CEmitter, t: TypeTable, id: number, name: string | undefined): void {
  const own = t.str(t.nameOff(id));
  switch (t.kind(id)) {
    case Kind.FUNC: {
      const linkage = t.vlen(id);
      e.w.ascii(linkage === 0 ? 'static ' : linkage === 2 ? 'extern ' : '');
      e.declNamed(t.third(id), name ?? own, 0);
      return;
    }
    case Kind.VAR: {
      const linkage = t.u32(id, 0);
      e.w.ascii(linkage === 0 ? 'static ' : linkage === 2 ? 'extern ' : '');
      e.declNamed(t.third(id), name ?? own, 0);
      return;
    }
    case Kind.TYPEDEF:
      if (name === undefined) {
        e.typedefDef(id, 0);
        return;
      }
      break;
    case Kind.DATASEC:
      e.w.text(`SEC("${own}")`);
      return;
    case Kind.DECL_TAG:
      e.w.text(`__attribute__((btf_decl_tag("${own}")))`);
      return;
    default:
      break;
  }
  e.declNamed(t.valid(id) ? id : 0, name ?? '', 0);
}

/**
 * The full definition: a struct/union body with each member's byte offset, bit offset and size
 * as aligned comments (anonymous members inline, offsets from the outer struct) and the total
 * size and alignment; an enum with its values; `typedef … name;` (anonymous bodies inline);
 * a function's or variable's declaration; a forward declaration. Ends with `;`.
 */
export function cDefinition(btf: Btf, id: number, opts: DefinitionOptions = {}): string {
  const e = emitter(btf, opts);
  const t = e.t;
  const w = e.w;
  const annotate = opts.offsets ?? true;
  switch (t.kind(id)) {
    case Kind.STRUCT: case Kind.UNION:
      if (annotate) e.annotBase = 0;
      e.structDef(id, 0);
      w.byte(59);
      if (annotate) w.ascii(`\x01/* size: ${t.third(id)}, align: ${t.alignOf(id)} */`);
      break;
    case Kind.ENUM: case Kind.ENUM64:
      e.enumDef(id, 0);
      w.byte(59);
      break;
    case Kind.FWD:
      e.fwdDef(id);
      w.byte(59);
      break;
    case Kind.TYPEDEF: {
      const target = stripMods(t, t.third(id));
      if (annotate && t.nameOff(target) === 0 && (t.kind(target) === Kind.STRUCT || t.kind(target) === Kind.UNION)) {
        e.annotBase = 0;
      }
      e.typedefDef(id, 0);
      w.byte(59);
      break;
    }
    default:
      e.skipAnonDefs = true;
      e.anonPlaceholder = true;
      declaration(e, t, id, undefined);
      w.byte(59);
      break;
  }
  return alignComments(w.toString());
}

/**
 * A typedef and the typedefs it is defined with, outermost first, until a type that is not one:
 * `typedef zoo_pid_t zoo_tid_t;`, `typedef zoo_kpid_t zoo_pid_t;`, `typedef __s32 zoo_kpid_t;`,
 * `typedef int __s32;`. Empty for other kinds.
 */
export function cTypedefChain(btf: Btf, id: number, opts: RenderOptions = {}): string[] {
  const t = typeTable(btf, opts.pointerSize);
  const out: string[] = [];
  for (let i = 0; i < 32 && t.kind(id) === Kind.TYPEDEF; i++) {
    const e = emitter(btf, opts);
    e.skipAnonDefs = true;
    e.anonPlaceholder = true;
    e.typedefDef(id, 0);
    out.push(`${e.w.toString()};`);
    id = stripMods(t, t.third(id));
  }
  return out;
}

function stripMods(t: TypeTable, id: number): number {
  for (let i = 0; i < 32 && id !== 0 && isMod(t.kind(id)); i++) id = t.third(id);
  return id;
}

/** Comment start column cap: longer code lines get a single space before their comment. */
const MAX_COMMENT_COL = 56;

/** Replaces each \x01 marker with spaces so that the comments after it line up (tabs count 8). */
function alignComments(text: string): string {
  if (!text.includes('\x01')) return text;
  const lines = text.split('\n');
  const width = (s: string) => {
    let col = 0;
    for (const c of s) col = c === '\t' ? (col + 8) & ~7 : col + 1;
    return col;
  };
  let col = 0;
  for (const l of lines) {
    const i = l.indexOf('\x01');
    if (i >= 0) {
      const wd = width(l.slice(0, i));
      if (wd < MAX_COMMENT_COL && wd > col) col = wd;
    }
  }
  col += 1;
  return lines.map((l) => {
    const i = l.indexOf('\x01');
    if (i < 0) return l;
    const code = l.slice(0, i);
    return `${code}${' '.repeat(Math.max(1, col - width(code)))}${l.slice(i + 1)}`;
  }).join('\n');
}
