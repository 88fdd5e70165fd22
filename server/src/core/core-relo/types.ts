import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';

/**
 * BTF as libbpf's CO-RE code sees it (relo_core.c, libbpf 1.1.2): `btf__type_by_id` gives the void
 * type for ID 0 and NULL past the end; `skip_mods_and_typedefs` tells those two apart; pointers have
 * the BTF's own pointer size (8 for a BPF object's BTF, `determine_ptr_size` for a target).
 */
export class TypeView {
  /**
   * `sizes`: DATASEC sizes libbpf fills in when it opens an object (clang leaves them 0;
   * bpf_object_fixup_btf takes them from the ELF sections).
   */
  constructor(readonly btf: Btf, readonly ptrSize: number, readonly sizes?: ReadonlyMap<number, number>) {}

  /** btf__type_by_id(id) != NULL */
  exists(id: number): boolean {
    return id === 0 || this.btf.owner(id) !== undefined;
  }
  /** Kind of `id`; 0 (void/UNKN) for ID 0 and IDs past the end. */
  kind(id: number): number {
    return id === 0 ? 0 : this.btf.kind(id);
  }
  vlen(id: number): number {
    return id === 0 ? 0 : this.btf.vlen(id);
  }
  kflag(id: number): boolean {
    return id === 0 ? false : this.btf.kflag(id);
  }
  nameOff(id: number): number {
    return id === 0 ? 0 : this.btf.nameOff(id);
  }
  /**
   * `btf__name_by_offset`: undefined (NULL) for an invalid offset. Decoded once per offset: matching reads
   * the same members' names for every relocation into a struct (task_struct's, hundreds of times).
   */
  str(off: number): string | undefined {
    if (this.strs.has(off)) return this.strs.get(off);
    const s = this.btf.str(off);
    this.strs.set(off, s);
    return s;
  }
  private readonly strs = new Map<number, string | undefined>();
  name(id: number): string | undefined {
    return this.str(this.nameOff(id));
  }
  /** The third word of btf_type (size or type). */
  third(id: number): number {
    if (id === 0) return 0;
    return this.sizes?.get(id) ?? this.btf.sizeOrType(id);
  }
  /**
   * The u32 at byte `rel` after the 12-byte btf_type header of `id` (the INT encoding word, a member,
   * an enumerator...). 0 when it lies outside the blob (libbpf would read whatever follows).
   */
  word(id: number, rel: number): number {
    const loc = id === 0 ? undefined : this.btf.locate(id);
    if (!loc) return 0;
    const o = loc.off + 12 + rel;
    return o + 4 <= loc.btf.view.length ? loc.btf.view.u32(o) : 0;
  }
  /** btf_member i of composite `id`: [name_off, type, offset]. */
  memberNameOff(id: number, i: number): number {
    return this.word(id, i * 12);
  }
  memberType(id: number, i: number): number {
    return this.word(id, i * 12 + 4);
  }
  /** btf_member_bit_offset */
  memberBitOffset(id: number, i: number): number {
    const o = this.word(id, i * 12 + 8);
    return this.kflag(id) ? o & 0xffffff : o;
  }
  /** btf_member_bitfield_size */
  memberBitfieldSize(id: number, i: number): number {
    return this.kflag(id) ? this.word(id, i * 12 + 8) >>> 24 : 0;
  }
  /** btf_array: element type, index type, nelems */
  arrayType(id: number): number {
    return this.word(id, 0);
  }
  arrayNelems(id: number): number {
    return this.word(id, 8);
  }
  /** Enumerator `i` of an ENUM (8-byte entries) or ENUM64 (12-byte entries). */
  enumNameOff(id: number, i: number): number {
    return this.kind(id) === Kind.ENUM ? this.word(id, i * 8) : this.word(id, i * 12);
  }
  /** btf_enum(t)[i].val (s32) */
  enum32Val(id: number, i: number): number {
    return this.word(id, i * 8 + 4) | 0;
  }
  /** btf_enum64_value: ((u64)hi << 32) | lo */
  enum64Val(id: number, i: number): bigint {
    return (BigInt(this.word(id, i * 12 + 8)) << 32n) | BigInt(this.word(id, i * 12 + 4));
  }
  /** btf_int_encoding (reads the word after the header whatever the kind, as libbpf does). */
  intEncoding(id: number): number {
    return (this.word(id, 0) >>> 24) & 0x0f;
  }
  /** btf_int_offset */
  intOffset(id: number): number {
    return (this.word(id, 0) >>> 16) & 0xff;
  }
  /** btf_param i of a FUNC_PROTO: [name_off, type] */
  paramType(id: number, i: number): number {
    return this.word(id, i * 8 + 4);
  }
}

export const ERRNO = {
  ENOENT: 2,
  E2BIG: 7,
  ENOMEM: 12,
  EINVAL: 22,
  ERANGE: 34,
  EOPNOTSUPP: 95,
  EUCLEAN: 117,
} as const;

/** libbpf's own error codes (enum libbpf_errno, libbpf.h), returned negated like errno values. */
export const LIBBPF_ERRNO = {
  FORMAT: 4001,
  ENDIAN: 4003,
  RELOC: 4005,
} as const;

const MAX_RESOLVE_DEPTH = 32;
/** libbpf has no bound on modifier chains; a forged cycle must not hang us. */
const MAX_MODS = 1024;

export function isMod(kind: number): boolean {
  return kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG;
}
export function isAnyEnum(kind: number): boolean {
  return kind === Kind.ENUM || kind === Kind.ENUM64;
}
export function isComposite(kind: number): boolean {
  return kind === Kind.STRUCT || kind === Kind.UNION;
}
/** btf_kind_core_compat */
export function kindCoreCompat(k1: number, k2: number): boolean {
  return k1 === k2 || (isAnyEnum(k1) && isAnyEnum(k2));
}

/** skip_mods_and_typedefs: the ID reached, or -1 where libbpf gets NULL (an ID past the end). */
export function skipMods(tv: TypeView, id: number): number {
  for (let i = 0; i < MAX_MODS; i++) {
    if (!tv.exists(id)) return -1;
    const k = tv.kind(id);
    if (!(isMod(k) || k === Kind.TYPEDEF)) return id;
    id = tv.third(id);
  }
  return -1;
}

/** btf__resolve_size: a size, or a negative errno (-EINVAL, -E2BIG). */
export function resolveSize(tv: TypeView, id: number): number {
  let nelems = 1;
  let size = -1;
  for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0 && tv.exists(id); i++) {
    const k = tv.kind(id);
    if (k === Kind.INT || k === Kind.STRUCT || k === Kind.UNION || k === Kind.ENUM || k === Kind.ENUM64 || k === Kind.DATASEC || k === Kind.FLOAT) {
      size = tv.third(id);
      break;
    }
    if (k === Kind.PTR) {
      size = tv.ptrSize;
      break;
    }
    if (k === Kind.TYPEDEF || k === Kind.VOLATILE || k === Kind.CONST || k === Kind.RESTRICT || k === Kind.VAR || k === Kind.DECL_TAG || k === Kind.TYPE_TAG) {
      id = tv.third(id);
      continue;
    }
    if (k === Kind.ARRAY) {
      const n = tv.arrayNelems(id);
      if (nelems && n > Math.floor(0xffffffff / nelems)) return -ERRNO.E2BIG;
      nelems = (nelems * n) >>> 0;
      id = tv.arrayType(id);
      continue;
    }
    return -ERRNO.EINVAL;
  }
  if (size < 0) return -ERRNO.EINVAL;
  if (nelems && size > Math.floor(0xffffffff / nelems)) return -ERRNO.E2BIG;
  return nelems * size;
}

/** bpf_core_essential_name_len: the name without its `___flavor` suffix (X___Y, X and Y not '_'). */
export function essentialNameLen(name: string): number {
  const n = name.length;
  for (let i = n - 5; i >= 0; i--) {
    if (name.charCodeAt(i) !== 95 && name.charCodeAt(i + 1) === 95 && name.charCodeAt(i + 2) === 95 &&
        name.charCodeAt(i + 3) === 95 && name.charCodeAt(i + 4) !== 95) return i + 1;
  }
  return n;
}

/** The essential part of a name (`task_struct___pre514` → `task_struct`). */
const LONG_ALIASES = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int', 'unsigned int long',
  'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned',
]);
const ptrSizes = new WeakMap<Btf, number>();

/**
 * libbpf's btf_ptr_sz for a BTF it parsed (determine_ptr_size): the size of the first 4- or 8-byte INT
 * named like `long`, the base's when the base has one; 8 (the host's) when there is none.
 */
export function targetPointerSize(btf: Btf): number {
  const cached = ptrSizes.get(btf);
  if (cached !== undefined) return cached;
  let size = -1;
  if (btf.base) {
    const b = determine(btf.base);
    if (b > 0) size = b;
  }
  if (size < 0) size = determine(btf);
  const r = size < 0 ? 8 : size;
  ptrSizes.set(btf, r);
  return r;
}

function determine(btf: Btf): number {
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.INT) continue;
    const sz = btf.sizeOrType(id);
    if (sz !== 4 && sz !== 8) continue;
    const name = btf.name(id);
    if (LONG_ALIASES.has(name)) return sz;
  }
  return -1;
}
