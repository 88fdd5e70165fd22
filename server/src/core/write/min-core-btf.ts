import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import { type CompositeType, typeById } from '../btf/types';
import { type Candidate, calcReloInsn } from '../core-relo/calc';
import { type CoreTarget, findCands } from '../core-relo/candidates';
import { type Logger, type Spec, formatSpec } from '../core-relo/match';
import { coreReloKindStr } from '../core-relo/spec';
import { TypeView, essentialNameLen, isAnyEnum } from '../core-relo/types';
import type { BtfInput } from '../input';
import { BtfBuilder } from './builder';
import { stringBytes } from './strings';

/**
 * BTFGen: `bpftool gen min_core_btf` (bpftool 7.1, gen.c btfgen_*). The target BTF cut down to what the
 * objects' CO-RE relocations use, as bpftool does it:
 * - every relocation record of .BTF.ext (whatever program it is in) is resolved as libbpf does
 *   (bpf_core_calc_relo_insn against the target's candidates); the first matching candidate's spec says
 *   what to keep. A relocation with no match keeps nothing;
 * - field relocations keep the root type, the members on the access path and their types (pointers not
 *   followed); type-based ones keep the type and what it refers to through pointers, structs and unions
 *   without members; `type_matches` keeps members and their types recursively, stopping at structs behind
 *   pointers; enum value relocations keep the whole enum;
 * - the kept types are written in their target ID order into a new BTF (btf__new_empty, btf__add_struct/
 *   btf__add_field for structs and unions with only their kept members, btf__add_type for the rest), type
 *   IDs remapped, a reference to a type not kept becoming void.
 *
 * A module's BTF (split on its vmlinux) as the target, which bpftool cannot take: candidates are searched as
 * libbpf searches the running kernel (vmlinux first, the module only for a local type vmlinux has no candidate
 * of), the marks are made over the whole chain, and OUT is one standalone BTF: the kept vmlinux types in
 * vmlinux ID order, then the kept module types in module ID order. Loaded as the only kernel BTF
 * (btf_custom_path), it resolves every relocation as the full vmlinux + module do — unless a module type of
 * the same name as a vmlinux candidate is kept for another relocation (libbpf would then see both in OUT),
 * a case scripts/check-min-core-btf-split.ts would show.
 */

export interface MinCoreObject {
  file: string;
  input: BtfInput;
}

export type MinCoreResult =
  | { bytes: Uint8Array; error?: undefined; report: MinCoreReport }
  | { bytes?: undefined; error: string; report?: undefined };

/** What one relocation made BTFGen keep: each type it marked and, of a struct or union, the members. */
export interface KeptType {
  /** ID in the target (its chain's numbering for a split target) */
  id: number;
  /** ID in OUT */
  outId: number;
  kind: string;
  name: string;
  /** of a struct or union: the members this relocation keeps (`#N`: an anonymous one), in their order; may be empty */
  members?: string[];
}

export interface RelocationReport {
  object: string;
  section: string;
  /** index of the record in its section of .BTF.ext, as libbpf numbers `relo #N` */
  index: number;
  insnOff: number;
  kind: string;
  /** libbpf's local spec text, `<kind> [id] struct x.a.b (0:1:2 @ offset 8)` */
  local: string;
  /** the spec of the first matching candidate in the target; null: no match (or local_type_id), nothing kept */
  target: string | null;
  kept: KeptType[];
}

export interface MinCoreReport {
  /** types in the target (its whole chain for a split target), void included */
  targetTypes: number;
  /** types in OUT, void included */
  outTypes: number;
  relocations: RelocationReport[];
}

const CORE_FIELD_BYTE_OFFSET = 0;
const CORE_FIELD_RSHIFT_U64 = 5;
const CORE_TYPE_ID_LOCAL = 6;
const CORE_TYPE_ID_TARGET = 7;
const CORE_TYPE_SIZE = 9;
const CORE_ENUMVAL_EXISTS = 10;
const CORE_ENUMVAL_VALUE = 11;
const CORE_TYPE_MATCHES = 12;
/** Deeper than any type chain a compiler makes; a hostile cycle (a typedef of itself) stops here. */
const MAX_DEPTH = 1024;

class Failure {
  constructor(readonly message: string) {}
}

/** What the relocations use: types and, per struct or union, members (bpftool's MARKED clone). */
class Marks {
  readonly types: Uint8Array;
  readonly members = new Map<number, Uint8Array>();
  /** What the relocation being recorded marks, for the report (type ID -> member indexes), in marking order. */
  current: Map<number, number[]> | undefined;
  constructor(readonly btf: Btf) {
    this.types = new Uint8Array(btf.typeCount);
  }

  member(typeId: number, idx: number): void {
    let m = this.members.get(typeId);
    if (!m) this.members.set(typeId, (m = new Uint8Array(this.btf.vlen(typeId))));
    if (idx < m.length) m[idx] = 1;
    if (this.current) {
      const c = this.current.get(typeId);
      if (c) { if (!c.includes(idx)) c.push(idx); } else this.current.set(typeId, [idx]);
    }
  }

  private mark(id: number): void {
    this.types[id] = 1;
    if (this.current && !this.current.has(id)) this.current.set(id, []);
  }

  /** btfgen_mark_type */
  type(id: number, followPointers: boolean, depth = 0): void {
    if (id === 0) return;
    this.check(id, depth);
    this.mark(id);
    const btf = this.btf;
    const kind = btf.kind(id);
    switch (kind) {
      case Kind.INT: case Kind.FLOAT: case Kind.ENUM: case Kind.ENUM64: case Kind.STRUCT: case Kind.UNION:
        return;
      case Kind.PTR:
        if (followPointers) this.type(btf.sizeOrType(id), followPointers, depth + 1);
        return;
      case Kind.CONST: case Kind.RESTRICT: case Kind.VOLATILE: case Kind.TYPEDEF:
        this.type(btf.sizeOrType(id), followPointers, depth + 1);
        return;
      case Kind.ARRAY:
        this.type(word(btf, id, 0), followPointers, depth + 1);
        this.type(word(btf, id, 1), followPointers, depth + 1);
        return;
      case Kind.FUNC_PROTO: {
        this.type(btf.sizeOrType(id), followPointers, depth + 1);
        for (let i = 0, n = btf.vlen(id); i < n; i++) this.type(word(btf, id, 2 * i + 1), followPointers, depth + 1);
        return;
      }
      default:
        throw new Failure(`unsupported kind: ${libbpfKindStr(kind)} (${id})`);
    }
  }

  /** btfgen_mark_type_match */
  typeMatch(id: number, behindPtr: boolean, depth = 0): void {
    if (id === 0) return;
    this.check(id, depth);
    this.mark(id);
    const btf = this.btf;
    const kind = btf.kind(id);
    switch (kind) {
      case Kind.INT: case Kind.FLOAT: case Kind.ENUM: case Kind.ENUM64:
        return;
      case Kind.STRUCT: case Kind.UNION: {
        if (behindPtr) return;
        for (let i = 0, n = btf.vlen(id); i < n; i++) {
          this.member(id, i);
          this.typeMatch(word(btf, id, 3 * i + 1), false, depth + 1);
        }
        return;
      }
      case Kind.CONST: case Kind.FWD: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.VOLATILE:
        this.typeMatch(btf.sizeOrType(id), behindPtr, depth + 1);
        return;
      case Kind.PTR:
        this.typeMatch(btf.sizeOrType(id), true, depth + 1);
        return;
      case Kind.ARRAY:
        this.typeMatch(word(btf, id, 0), false, depth + 1);
        this.typeMatch(word(btf, id, 1), false, depth + 1);
        return;
      case Kind.FUNC_PROTO: {
        this.typeMatch(btf.sizeOrType(id), false, depth + 1);
        for (let i = 0, n = btf.vlen(id); i < n; i++) this.typeMatch(word(btf, id, 2 * i + 1), false, depth + 1);
        return;
      }
      default:
        throw new Failure(`unsupported kind: ${libbpfKindStr(kind)} (${id})`);
    }
  }

  /** btfgen_record_field_relo: the root, then each member on the raw access path and its type. */
  field(spec: Spec): void {
    const btf = this.btf;
    let id = spec.rootId;
    this.type(id, false);
    for (let i = 1; i < spec.raw.length; i++) {
      for (let guard = 0; ; guard++) {
        const k = btf.kind(id);
        if (k !== Kind.TYPEDEF && k !== Kind.CONST && k !== Kind.VOLATILE && k !== Kind.RESTRICT) break;
        if (guard > MAX_DEPTH) throw new Failure(`type chain of [${spec.rootId}] is too deep`);
        id = btf.sizeOrType(id);
      }
      const k = btf.kind(id);
      if (k === Kind.STRUCT || k === Kind.UNION) {
        const idx = spec.raw[i]!;
        if (idx >= btf.vlen(id)) throw new Failure(`member #${idx} of [${id}] is out of range`);
        this.member(id, idx);
        id = word(btf, id, 3 * idx + 1);
        this.type(id, false);
      } else if (k === Kind.ARRAY) {
        id = word(btf, id, 0);
      } else {
        throw new Failure(`unsupported kind: ${libbpfKindStr(k)} (${btf.sizeOrType(id)})`);
      }
    }
  }

  /** btfgen_record_reloc */
  record(kind: number, spec: Spec): void {
    if (kind >= CORE_FIELD_BYTE_OFFSET && kind <= CORE_FIELD_RSHIFT_U64) this.field(spec);
    else if (kind === CORE_TYPE_ID_LOCAL) return;
    else if (kind >= CORE_TYPE_ID_TARGET && kind <= CORE_TYPE_SIZE) this.type(spec.rootId, true);
    else if (kind === CORE_TYPE_MATCHES) this.typeMatch(spec.rootId, false);
    else if (kind === CORE_ENUMVAL_EXISTS || kind === CORE_ENUMVAL_VALUE) this.type(spec.rootId, false);
    else throw new Failure(`unknown relocation kind ${kind}`);
  }

  private check(id: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new Failure(`type chain at [${id}] is too deep`);
    if (id >= this.types.length) throw new Failure(`type [${id}] is not in the target BTF`);
  }
}

/**
 * The n-th u32 after a type's 12-byte btf_type (a member is 3 words: name, type, offset; a param 2: name,
 * type; an array's are type, index type, nelems): read in place, where typeById would inflate every member
 * of a struct (task_struct's hundreds, with their names) for each relocation.
 */
function word(btf: Btf, id: number, n: number): number {
  const loc = btf.locate(id);
  return loc ? loc.btf.view.u32(loc.off + 12 + n * 4) : 0;
}

const quiet: Logger = () => {};

/**
 * The kernel the candidates come from: a vmlinux BTF, or a module's BTF split on it, searched as libbpf
 * searches the running kernel's modules (vmlinux first; the module only for a type vmlinux has no candidate of).
 */
function targetOf(target: Btf): CoreTarget {
  if (!target.base) return { vmlinux: target };
  const root = target.chain()[0]!;
  return { vmlinux: root, modules: [{ name: target.file?.replace(/^.*\//, '').replace(/\.(btf|ko)(\.(gz|xz|zst))?$/, '') || 'module', btf: target }] };
}

/** A relocation's marks, waiting for OUT's IDs. */
interface PendingRelocation {
  row: Omit<RelocationReport, 'kept'>;
  marked: Map<number, number[]>;
}

/** btfgen_record_obj: resolve every CO-RE relocation record of one object and mark what its target spec uses. */
function recordObject(marks: Marks, target: Btf, obj: MinCoreObject, byName: Map<string, Candidate[]>, report?: PendingRelocation[]): void {
  const { btf, ext, elf } = obj.input;
  // libbpf 1.1 reads objects in the host's byte order only (bpftool: "Invalid argument")
  if (elf?.header && !elf.header.littleEndian) throw new Failure(`failed to parse BPF object '${obj.file}': a big-endian object, and libbpf 1.1 reads only the host's (little-endian) byte order`);
  if (!btf || !btf.ok) throw new Failure(`failed to parse BPF object '${obj.file}': ${obj.input.problems[0]?.message ?? 'no .BTF section'}`);
  if (!ext) throw new Failure(`failed to parse BPF object '${obj.file}': section .BTF.ext not found`);
  if (ext.problems.some((p) => p.severity === 'error')) {
    throw new Failure(`failed to parse BPF object '${obj.file}': .BTF.ext: ${ext.problems.find((p) => p.severity === 'error')!.message}`);
  }
  const ltv = new TypeView(btf, 8);
  const cache = new Map<number, Candidate[]>();
  const coreTarget = targetOf(target);
  for (const sec of ext.coreRelo) {
    for (let i = 0; i < sec.records.length; i++) {
      const rec = sec.records[i]!;
      const where = () => `${obj.file}: section '${sec.name}' relo #${i} (${coreReloKindStr(rec.kind)} [${rec.typeId}] ${btf.name(rec.typeId) || '<anon>'} + ${btf.str(rec.accessStrOff) ?? '<?>'})`;
      let cands: Candidate[] | undefined;
      if (rec.kind !== CORE_TYPE_ID_LOCAL) {
        cands = cache.get(rec.typeId);
        if (!cands) {
          // btfgen_find_cands fails only for a local type that is missing or has an invalid name
          if (!ltv.exists(rec.typeId) || ltv.name(rec.typeId) === undefined) throw new Failure(`${where()}: local type [${rec.typeId}] does not exist`);
          // the search depends on the kind and essential name only: made once for all objects, each object
          // getting its own copy (libbpf prunes an object's list as its relocations match)
          const name = ltv.name(rec.typeId)!;
          const kind = ltv.kind(rec.typeId);
          const key = `${isAnyEnum(kind) ? 'enum' : kind}:${name.slice(0, essentialNameLen(name))}`;
          let found = byName.get(key);
          if (!found) byName.set(key, (found = findCands(ltv, rec.typeId, coreTarget, quiet) ?? []));
          cands = found.slice();
          cache.set(rec.typeId, cands);
        }
      }
      let warning: string | undefined;
      const r = calcReloInsn(sec.name, rec, i, ltv, cands, (level, text) => {
        if (level === 'warn') warning ??= text.trim();
      });
      // libbpf's own warning says why (bpftool prints it too): ambiguity, a bitfield that cannot be read...
      if (r.err) throw new Failure(`${where()}: libbpf fails this relocation (${errnoText(r.err)})${warning ? `: ${warning}` : ''}`);
      const marked = new Map<number, number[]>();
      report?.push({
        row: {
          object: obj.file, section: sec.name, index: i, insnOff: rec.insnOff, kind: coreReloKindStr(rec.kind),
          local: r.localSpecText ?? '', target: r.targSpec ? formatSpec(r.targSpec) : null,
        },
        marked,
      });
      if (!r.targSpec) continue; // no match (or TYPE_ID_LOCAL): bpftool marks nothing
      marks.current = report ? marked : undefined;
      try {
        marks.record(rec.kind, r.targSpec);
      } catch (e) {
        if (e instanceof Failure) throw new Failure(`${where()}: ${e.message}`);
        throw e;
      } finally {
        marks.current = undefined;
      }
    }
  }
}

const ERRNO_NAMES: Record<number, string> = { 2: 'ENOENT', 7: 'E2BIG', 22: 'EINVAL', 95: 'EOPNOTSUPP' };
function errnoText(err: number): string {
  return ERRNO_NAMES[-err] ?? `error ${err}`;
}

/** btfgen_get_btf: the kept types in ID order, structs and unions with only their kept members, IDs remapped. */
function emit(marks: Marks, ids: Uint32Array): Uint8Array | Failure {
  const src = marks.btf;
  const mapId = (x: number) => (x < ids.length ? ids[x]! : 0);
  const out = new BtfBuilder();
  const noName = new Uint8Array(0);
  for (let id = 1; id < src.typeCount; id++) {
    if (!marks.types[id]) continue;
    const kind = src.kind(id);
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      const name = stringBytes(src, src.nameOff(id)) ?? noName;
      if (kind === Kind.STRUCT) out.addStruct(name, src.sizeOrType(id));
      else out.addUnion(name, src.sizeOrType(id));
      const kept = marks.members.get(id);
      if (!kept) continue;
      const t = typeById(src, id) as CompositeType;
      const loc = src.locate(id)!;
      for (let i = 0; i < t.members.length; i++) {
        if (!kept[i]) continue;
        const m = t.members[i]!;
        const mName = stringBytes(src, loc.btf.view.u32(loc.off + 12 + i * 12)) ?? noName;
        if (!out.addField(mName, mapId(m.type), m.bitsOffset, m.bitfieldSize)) {
          return new Failure(`error generating BTF: member #${i} of [${id}] ${src.name(id)} has a bit offset libbpf refuses (${m.bitsOffset}, width ${m.bitfieldSize})`);
        }
      }
    } else if (out.addType(src, id, mapId) < 0) {
      return new Failure(`error generating BTF: cannot copy type [${id}]`);
    }
  }
  return out.bytes();
}

/** One relocation's marks as the report names them, in target ID order. */
function keptTypes(btf: Btf, marked: Map<number, number[]>, ids: Uint32Array): KeptType[] {
  return [...marked.keys()].sort((a, b) => a - b).map((id) => {
    const kind = btf.kind(id);
    const k: KeptType = { id, outId: ids[id]!, kind: libbpfKindStr(kind), name: btf.name(id) };
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      const t = typeById(btf, id) as CompositeType;
      k.members = [...marked.get(id)!].sort((a, b) => a - b).map((i) => t.members[i]?.name || `#${i}`);
    }
    return k;
  });
}

/**
 * `bpftool gen min_core_btf TARGET OUT OBJ...` for a non-split target: OUT's bytes, or bpftool's failure
 * as one sentence naming the object and the relocation.
 */
export function minCoreBtf(target: Btf, objects: readonly MinCoreObject[], opts: { report?: boolean } = {}): MinCoreResult {
  try {
    const marks = new Marks(target);
    const pending: PendingRelocation[] | undefined = opts.report ? [] : undefined;
    const byName = new Map<string, Candidate[]>();
    for (const o of objects) recordObject(marks, target, o, byName, pending);
    // OUT's IDs: the kept types, renumbered in target ID order
    const ids = new Uint32Array(target.typeCount);
    let next = 1;
    for (let id = 1; id < target.typeCount; id++) if (marks.types[id]) ids[id] = next++;
    const r = emit(marks, ids);
    if (r instanceof Failure) return { error: r.message };
    const relocations = (pending ?? []).map(({ row, marked }) => ({ ...row, kept: keptTypes(target, marked, ids) }));
    return { bytes: r, report: { targetTypes: target.typeCount, outTypes: next, relocations } };
  } catch (e) {
    if (e instanceof Failure) return { error: `error recording relocations: ${e.message}` };
    // a bug of ours, not bad input: still an answer, never a throw
    return { error: `internal error: ${(e as Error).message}` };
  }
}
