import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { CEmitter, isMod } from '../format/c/emitter';
import { type TypeTable, typeTable } from '../format/c/table';
import { ByteWriter } from '../util/writer';

/**
 * One side of a diff: a BTF (with its base chain) read through the C writer's flat table, and the
 * C spelling of its types as a cast writes them (`struct rq *`, `const char *`, `struct {...}`),
 * each spelled once and kept: a kernel's members and parameters name far fewer types than they are.
 */
export class Side {
  readonly t: TypeTable;
  private readonly e: CEmitter;
  private w: ByteWriter;
  private readonly spelled = new Map<number, string>();

  constructor(readonly btf: Btf) {
    this.t = typeTable(btf);
    this.w = new ByteWriter(undefined, 1 << 16);
    this.e = new CEmitter(this.t, this.w, false);
    this.e.skipAnonDefs = true;
    this.e.anonPlaceholder = true;
  }

  /** The C spelling of type `id` (void for 0 and IDs out of range). */
  spell(id: number): string {
    const have = this.spelled.get(id);
    if (have !== undefined) return have;
    const s = this.capture(() => this.e.decl(this.t.valid(id) ? id : 0, 0, 0, 0));
    this.spelled.set(id, s);
    return s;
  }

  /**
   * The declaration of named type `id` as render.ts's cDeclaration writes it (`static int f(int a)`,
   * `typedef int myint_t`, `struct foo`), through this side's one emitter: a report declares thousands.
   */
  declare(id: number): string {
    const t = this.t;
    const k = t.kind(id);
    const linkage = (l: number) => (l === 0 ? 'static ' : l === 2 ? 'extern ' : '');
    switch (k) {
      case Kind.FUNC:
        return linkage(t.vlen(id)) + this.capture(() => this.e.declNamed(t.third(id), this.name(id), 0));
      case Kind.VAR:
        return linkage(t.u32(id, 0)) + this.capture(() => this.e.declNamed(t.third(id), this.name(id), 0));
      case Kind.TYPEDEF:
        return this.capture(() => this.e.typedefDef(id, 0));
      default:
        return this.spell(id);
    }
  }

  /** What `write` puts in the writer, as a string. */
  private capture(write: () => void): string {
    const w = this.w;
    const buf = w.buf;
    w.pos = 0;
    write();
    if (w.buf === buf) return decoder.decode(buf.subarray(0, w.pos));
    // Spilled (longer than the buffer): take it all and start a fresh writer.
    const s = w.toString();
    this.e.w = this.w = new ByteWriter(undefined, 1 << 16);
    return s;
  }

  name(id: number): string {
    return this.str(this.t.nameOff(id));
  }

  /** The string at `off` ('' when invalid); ASCII, nearly every name, without a decoder call. */
  str(off: number): string {
    if (!this.locate(off)) return '';
    const b = this.nb;
    const end = this.ne;
    let ascii = true;
    for (let i = this.np; i < end; i++) if (b[i]! >= 0x80) { ascii = false; break; }
    if (!ascii) return decoder.decode(b.subarray(this.np, end));
    return String.fromCharCode.apply(null, b.subarray(this.np, end) as unknown as number[]);
  }

  /** Where `locate` found the string: its bytes are nb[np, ne). */
  nb: Uint8Array = new Uint8Array(0);
  np = 0;
  ne = 0;
  /** Finds the bytes of the string at `off` (nb, np, ne); false when the offset is invalid. */
  locate(off: number): boolean {
    const t = this.t;
    const pos = t.strStartOf(off);
    if (pos < 0) return false;
    const b = t.strBytes[t.locBuf]!;
    const end = t.locEnd;
    let e = pos;
    while (e < end && b[e] !== 0) e++;
    this.nb = b;
    this.np = pos;
    this.ne = e;
    return true;
  }

  /** `id` without const/volatile/restrict/type tags (bounded). */
  stripMods(id: number): number {
    const t = this.t;
    for (let i = 0; i < 32 && isMod(t.kind(id)); i++) id = t.third(id);
    return id;
  }

  /** The anonymous struct or union `id` is (through modifiers), else 0. */
  anonComposite(id: number): number {
    id = this.stripMods(id);
    const k = this.t.kind(id);
    return (k === Kind.STRUCT || k === Kind.UNION) && this.t.emptyStr(this.t.nameOff(id)) ? id : 0;
  }

  /** The anonymous enum or enum64 `id` is (through modifiers), else 0. */
  anonEnum(id: number): number {
    id = this.stripMods(id);
    const k = this.t.kind(id);
    return (k === Kind.ENUM || k === Kind.ENUM64) && this.t.emptyStr(this.t.nameOff(id)) ? id : 0;
  }
}

const decoder = new TextDecoder();

/** True when the string at `offA` of `a` and the one at `offB` of `b` have the same bytes (invalid ones read as ''). */
export function sameStr(a: Side, offA: number, b: Side, offB: number): boolean {
  if (!a.locate(offA)) return !b.locate(offB) || b.np === b.ne;
  const ba = a.nb;
  const pa = a.np;
  const len = a.ne - pa;
  if (!b.locate(offB)) return len === 0;
  if (b.ne - b.np !== len) return false;
  const bb = b.nb;
  const pb = b.np;
  for (let i = 0; i < len; i++) if (ba[pa + i] !== bb[pb + i]) return false;
  return true;
}
