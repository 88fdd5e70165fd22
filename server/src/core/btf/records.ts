import type { Btf } from './btf';
import { KIND_LAYOUT, Kind } from './kinds';

/**
 * The records that follow a `btf_type` (members, parameters, enumerators, datasec entries, an
 * array's description) read in place: one small object per type, nothing per record, so the
 * language server's whole-BTF loops (used-by edges, name tables) can use them. Their positions
 * come from `KIND_LAYOUT`: a change of the wire format is made there and here, nowhere else.
 * A view of an ID that is void, out of range or of another kind has `count` 0.
 */
abstract class Records {
  /** The BTF that stores the type (a base of the one asked, for base IDs). */
  protected readonly owner: Btf | undefined;
  /** Byte offset of record 0 in `owner.view`. */
  protected readonly at: number;
  readonly count: number;
  protected readonly kflag: boolean;

  constructor(btf: Btf, id: number, kinds: readonly Kind[]) {
    const loc = btf.locate(id);
    const info = loc ? loc.btf.view.u32(loc.off + 4) : 0;
    const kind = (info >>> 24) & 0x7f;
    if (!loc || !kinds.includes(kind)) {
      this.owner = undefined;
      this.at = 0;
      this.count = 0;
      this.kflag = false;
      return;
    }
    this.owner = loc.btf;
    this.at = loc.off + 12 + KIND_LAYOUT[kind]![0];
    this.count = info & 0xffffff;
    this.kflag = (info & 0x80000000) !== 0;
  }

  protected u32(i: number, stride: number, field: number): number {
    return this.owner!.view.u32(this.at + i * stride + field);
  }
}

const COMPOSITE = [Kind.STRUCT, Kind.UNION];

/** A struct's or union's members (`struct btf_member`). */
export class Members extends Records {
  constructor(btf: Btf, id: number) {
    super(btf, id, COMPOSITE);
  }
  nameOff(i: number): number {
    return this.u32(i, 12, 0);
  }
  /** '' for an anonymous member or a bad name offset. */
  name(i: number): string {
    return this.owner!.str(this.nameOff(i)) ?? '';
  }
  type(i: number): number {
    return this.u32(i, 12, 4);
  }
  /** Offset in bits from the start of the struct (the low 24 bits when the kind flag is set). */
  bitsOffset(i: number): number {
    const o = this.u32(i, 12, 8);
    return this.kflag ? o & 0xffffff : o;
  }
  /** Bitfield width; 0 when not a bitfield. */
  bitfieldSize(i: number): number {
    return this.kflag ? this.u32(i, 12, 8) >>> 24 : 0;
  }
}

/** A function prototype's parameters (`struct btf_param`). */
export class Params extends Records {
  constructor(btf: Btf, id: number) {
    super(btf, id, [Kind.FUNC_PROTO]);
  }
  name(i: number): string {
    return this.owner!.str(this.u32(i, 8, 0)) ?? '';
  }
  type(i: number): number {
    return this.u32(i, 8, 4);
  }
}

/** An ENUM's or ENUM64's enumerators (`struct btf_enum`, `struct btf_enum64`). */
export class EnumValues extends Records {
  private readonly wide: boolean;
  constructor(btf: Btf, id: number) {
    super(btf, id, [Kind.ENUM, Kind.ENUM64]);
    this.wide = this.count > 0 && btf.kind(id) === Kind.ENUM64;
  }
  /** Whether the values are signed (the kind flag). */
  get signed(): boolean {
    return this.kflag;
  }
  name(i: number): string {
    return this.owner!.str(this.u32(i, this.wide ? 12 : 8, 0)) ?? '';
  }
  /** bigint for ENUM64, number for ENUM. */
  value(i: number): number | bigint {
    if (!this.wide) return this.kflag ? this.owner!.view.i32(this.at + i * 8 + 4) : this.u32(i, 8, 4);
    const u = (BigInt(this.u32(i, 12, 8)) << 32n) | BigInt(this.u32(i, 12, 4));
    return this.kflag ? BigInt.asIntN(64, u) : u;
  }
}

/** A DATASEC's variables (`struct btf_var_secinfo`). */
export class SecInfos extends Records {
  constructor(btf: Btf, id: number) {
    super(btf, id, [Kind.DATASEC]);
  }
  type(i: number): number {
    return this.u32(i, 12, 0);
  }
  offset(i: number): number {
    return this.u32(i, 12, 4);
  }
  size(i: number): number {
    return this.u32(i, 12, 8);
  }
}

export interface ArrayInfo {
  type: number;
  indexType: number;
  nelems: number;
}

/** An ARRAY's `struct btf_array`; undefined for another kind. */
export function arrayInfo(btf: Btf, id: number): ArrayInfo | undefined {
  const loc = btf.locate(id);
  if (!loc || btf.kind(id) !== Kind.ARRAY) return undefined;
  const v = loc.btf.view;
  return { type: v.u32(loc.off + 12), indexType: v.u32(loc.off + 16), nelems: v.u32(loc.off + 20) };
}

/** An ARRAY's element type; 0 (void) for another kind. */
export function arrayElemType(btf: Btf, id: number): number {
  const loc = btf.locate(id);
  return loc && btf.kind(id) === Kind.ARRAY ? loc.btf.view.u32(loc.off + 12) : 0;
}

/** A VAR's linkage word (`struct btf_var`); 0 for another kind. */
export function varLinkage(btf: Btf, id: number): number {
  const loc = btf.locate(id);
  return loc && btf.kind(id) === Kind.VAR ? loc.btf.view.u32(loc.off + 12) : 0;
}

/** A DECL_TAG's component index (-1: the type itself); -1 for another kind. */
export function declTagComponent(btf: Btf, id: number): number {
  const loc = btf.locate(id);
  return loc && btf.kind(id) === Kind.DECL_TAG ? loc.btf.view.i32(loc.off + 12) : -1;
}

/** An INT's encoding word (bits: offset 16-23, encoding 24-27, size 0-7); 0 for another kind. */
export function intEncodingWord(btf: Btf, id: number): number {
  const loc = btf.locate(id);
  return loc && btf.kind(id) === Kind.INT ? loc.btf.view.u32(loc.off + 12) : 0;
}

/**
 * Calls `visit` with every type ID type `id` refers to, in record order (a FUNC_PROTO's return type
 * first). The edges of the type graph: used-by, reachability.
 */
export function forEachTypeRef(btf: Btf, id: number, visit: (ref: number) => void): void {
  switch (btf.kind(id)) {
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
    case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG:
      visit(btf.sizeOrType(id));
      break;
    case Kind.ARRAY:
      visit(arrayElemType(btf, id));
      break;
    case Kind.STRUCT: case Kind.UNION: {
      const m = new Members(btf, id);
      for (let i = 0; i < m.count; i++) visit(m.type(i));
      break;
    }
    case Kind.FUNC_PROTO: {
      visit(btf.sizeOrType(id));
      const p = new Params(btf, id);
      for (let i = 0; i < p.count; i++) visit(p.type(i));
      break;
    }
    case Kind.DATASEC: {
      const s = new SecInfos(btf, id);
      for (let i = 0; i < s.count; i++) visit(s.type(i));
      break;
    }
    default:
      break;
  }
}
