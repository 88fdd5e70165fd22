import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr, resolveSize, skipModsAndTypedefs } from '../btf/resolve';

/** enum bpf_core_relo_kind (include/uapi/linux/bpf.h), with libbpf's names for them. */
/** libbpf's enum bpf_core_relo_kind: the `kind` of a .BTF.ext core_relo record. */
export const enum CoreReloKind {
  FIELD_BYTE_OFFSET = 0,
  FIELD_BYTE_SIZE = 1,
  FIELD_EXISTS = 2,
  FIELD_SIGNED = 3,
  FIELD_LSHIFT_U64 = 4,
  FIELD_RSHIFT_U64 = 5,
  TYPE_ID_LOCAL = 6,
  TYPE_ID_TARGET = 7,
  TYPE_EXISTS = 8,
  TYPE_SIZE = 9,
  ENUMVAL_EXISTS = 10,
  ENUMVAL_VALUE = 11,
  /** clang 15+ (bpf_core_type_matches). */
  TYPE_MATCHES = 12,
}

/** libbpf's spelling of each kind (core_relo_kind_str); index = CoreReloKind. */
export const CORE_RELO_KINDS = [
  'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64',
  'local_type_id', 'target_type_id', 'type_exists', 'type_size',
  'enumval_exists', 'enumval_value', 'type_matches',
] as const;

export function coreReloKindStr(kind: number): string {
  return CORE_RELO_KINDS[kind] ?? 'unknown';
}
export function isFieldBased(kind: number): boolean {
  return kind >= CoreReloKind.FIELD_BYTE_OFFSET && kind <= CoreReloKind.FIELD_RSHIFT_U64;
}
export function isTypeBased(kind: number): boolean {
  return (kind >= CoreReloKind.TYPE_ID_LOCAL && kind <= CoreReloKind.TYPE_SIZE) || kind === CoreReloKind.TYPE_MATCHES;
}
export function isEnumvalBased(kind: number): boolean {
  return kind === CoreReloKind.ENUMVAL_EXISTS || kind === CoreReloKind.ENUMVAL_VALUE;
}
/** The kinds whose value says whether something exists (1/0), as the bpf_core_*_exists macros read them. */
export function isExistence(kind: number): boolean {
  return kind === CoreReloKind.FIELD_EXISTS || kind === CoreReloKind.TYPE_EXISTS || kind === CoreReloKind.ENUMVAL_EXISTS ||
    kind === CoreReloKind.TYPE_MATCHES;
}

export interface CoreAccessor {
  /** The (mods-skipped) type this accessor indexes into. */
  typeId: number;
  idx: number;
  /** Member or enumerator name; undefined for array indexing and anonymous members. */
  name?: string;
}

/** libbpf's struct bpf_core_spec, parsed from a relocation's access string against the local BTF. */
export interface CoreSpec {
  rootTypeId: number;
  kind: number;
  raw: number[];
  accessors: CoreAccessor[];
  /** Bit offset of the accessed field from the start of the root type. */
  bitOffset: number;
}

export type SpecResult = { spec: CoreSpec; error?: undefined } | { spec?: undefined; error: string };

const MAX_SPEC_LEN = 64;

/** bpf_core_parse_spec (libbpf relo_core.c): walk the access string through the local types. */
export function parseCoreSpec(btf: Btf, typeId: number, access: string | undefined, kind: number): SpecResult {
  if (!access || access.startsWith(':')) return { error: `invalid access string '${access ?? ''}'` };
  const spec: CoreSpec = { rootTypeId: typeId, kind, raw: [], accessors: [], bitOffset: 0 };
  if (isTypeBased(kind)) return access === '0' ? { spec } : { error: `type-based relocation with access string '${access}' (expected '0')` };

  for (const part of access.split(':')) {
    if (!/^\d+$/.test(part)) return { error: `invalid access string '${access}'` };
    if (spec.raw.length === MAX_SPEC_LEN) return { error: 'access string too long' };
    spec.raw.push(Number(part));
  }
  let id = skipModsAndTypedefs(btf, typeId);
  if (id <= 0) return { error: `type [${typeId}] does not resolve to a type` };
  let idx = spec.raw[0]!;
  const first: CoreAccessor = { typeId: id, idx };
  spec.accessors.push(first);

  if (isEnumvalBased(kind)) {
    const k = btf.kind(id);
    if ((k !== Kind.ENUM && k !== Kind.ENUM64) || spec.raw.length > 1 || idx >= btf.vlen(id)) {
      return { error: `enum value access '${access}' does not fit [${id}] ${libbpfKindStr(k)}` };
    }
    const loc = btf.locate(id)!;
    first.name = loc.btf.str(loc.btf.view.u32(loc.off + 12 + idx * (k === Kind.ENUM ? 8 : 12))) ?? '';
    return { spec };
  }
  if (!isFieldBased(kind)) return { error: `unknown relocation kind ${kind}` };

  let sz = resolveSize(btf, id);
  if (sz < 0) return { error: `type [${id}] has no size` };
  spec.bitOffset = idx * sz * 8;

  for (let i = 1; i < spec.raw.length; i++) {
    id = skipModsAndTypedefs(btf, id);
    if (id <= 0) return { error: `access '${access}' reaches a broken type chain` };
    idx = spec.raw[i]!;
    const k = btf.kind(id);
    const loc = btf.locate(id)!;
    const v = loc.btf.view;
    if (k === Kind.STRUCT || k === Kind.UNION) {
      if (idx >= btf.vlen(id)) return { error: `member index ${idx} out of range for [${id}]` };
      const m = loc.off + 12 + idx * 12;
      const off = v.u32(m + 8);
      spec.bitOffset += btf.kflag(id) ? off & 0xffffff : off;
      const nameOff = v.u32(m);
      if (nameOff) {
        const name = loc.btf.str(nameOff);
        if (!name) return { error: `member ${idx} of [${id}] has an invalid name` };
        spec.accessors.push({ typeId: id, idx, name });
      }
      id = v.u32(m + 4);
    } else if (k === Kind.ARRAY) {
      const elem = skipModsAndTypedefs(btf, v.u32(loc.off + 12));
      if (elem < 0) return { error: `array [${id}] has a broken element type` };
      const nelems = v.u32(loc.off + 20);
      const prev = spec.accessors[spec.accessors.length - 1]!;
      const flex = prev.name !== undefined && nelems === 0 && prev.idx === btf.vlen(prev.typeId) - 1;
      if (!flex && idx >= nelems) return { error: `array index ${idx} out of range (${nelems} elements)` };
      spec.accessors.push({ typeId: elem, idx });
      sz = resolveSize(btf, elem);
      if (sz < 0) return { error: `type [${elem}] has no size` };
      spec.bitOffset += idx * sz * 8;
      id = elem;
    } else {
      return { error: `relo for [${typeId}] ${access} (at idx ${i}) captures type [${id}] of unexpected kind ${libbpfKindStr(k)}` };
    }
  }
  return { spec };
}

/** bpf_core_format_spec: `<byte_off> [20] struct foo___x.sector (0:1 @ offset 8)`. */
export function formatCoreSpec(btf: Btf, spec: CoreSpec): string {
  const root = spec.rootTypeId;
  const rootName = btf.name(root);
  let s = `<${coreReloKindStr(spec.kind)}> [${root}] ${libbpfKindStr(root === 0 ? 0 : btf.kind(root))} ${rootName || '<anon>'}`;
  if (isTypeBased(spec.kind)) return s;
  if (isEnumvalBased(spec.kind)) {
    const id = skipModsAndTypedefs(btf, root);
    const loc = btf.locate(id);
    if (!loc) return s;
    const v = loc.btf.view;
    const signed = btf.kflag(id);
    const i = spec.raw[0]!;
    if (btf.kind(id) === Kind.ENUM) {
      const p = loc.off + 12 + i * 8;
      s += `::${loc.btf.str(v.u32(p)) ?? ''} = ${signed ? v.i32(p + 4) : v.u32(p + 4)}`;
    } else {
      const p = loc.off + 12 + i * 12;
      const u = (BigInt(v.u32(p + 8)) << 32n) | BigInt(v.u32(p + 4));
      s += `::${loc.btf.str(v.u32(p)) ?? ''} = ${signed ? BigInt.asIntN(64, u) : u}`;
    }
    return s;
  }
  if (isFieldBased(spec.kind)) {
    spec.accessors.forEach((a, i) => {
      if (a.name !== undefined) s += `.${a.name}`;
      else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
    });
    s += ` (${spec.raw.join(':')}`;
    s += spec.bitOffset % 8 ? ` @ offset ${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8})` : ` @ offset ${spec.bitOffset / 8})`;
  }
  return s;
}

/** The spec text for a relocation record, or a libbpf-like header plus the reason it cannot be parsed. */
export function describeCoreRelo(btf: Btf, typeId: number, access: string | undefined, kind: number): { text: string; spec?: CoreSpec; error?: string } {
  const r = parseCoreSpec(btf, typeId, access, kind);
  if (r.spec) return { text: formatCoreSpec(btf, r.spec), spec: r.spec };
  const k = typeId === 0 || !btf.owner(typeId) ? 0 : btf.kind(typeId);
  return { text: `<${coreReloKindStr(kind)}> [${typeId}] ${libbpfKindStr(k)} ${btf.name(typeId) || '<anon>'} + ${access ?? ''}`, error: r.error };
}
