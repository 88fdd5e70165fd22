import type { Btf } from './btf';
import { FUNC_LINKAGE, INT_BOOL, INT_CHAR, INT_SIGNED, Kind, VAR_LINKAGE, kindName } from './kinds';
import { EnumValues, Members, Params, SecInfos, arrayInfo, declTagComponent, intEncodingWord, varLinkage } from './records';

/**
 * A type inflated from the wire format, on demand. Plain data: safe to serialise (JSON dump,
 * LSP custom requests). `name` is '' for anonymous types.
 */
export type BtfType =
  | IntType | RefType | ArrayType | CompositeType | EnumType | FwdType | FuncType
  | FuncProtoType | VarType | DatasecType | FloatType | DeclTagType | UnknownType;

interface Common {
  id: number;
  name: string;
}
export interface IntType extends Common {
  kind: 'INT';
  size: number;
  bitsOffset: number;
  bits: number;
  /** 'SIGNED' | 'CHAR' | 'BOOL' | '(none)' | 'UNKN' as bpftool spells it */
  encoding: string;
}
export interface RefType extends Common {
  kind: 'PTR' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'TYPE_TAG';
  type: number;
}
export interface ArrayType extends Common {
  kind: 'ARRAY';
  type: number;
  indexType: number;
  nelems: number;
}
export interface Member {
  name: string;
  type: number;
  /** Offset in bits from the start of the struct. */
  bitsOffset: number;
  /** Bitfield width; 0 when not a bitfield. */
  bitfieldSize: number;
}
export interface CompositeType extends Common {
  kind: 'STRUCT' | 'UNION';
  size: number;
  members: Member[];
}
export interface EnumValue {
  name: string;
  /** bigint for ENUM64, number for ENUM. */
  value: number | bigint;
}
export interface EnumType extends Common {
  kind: 'ENUM' | 'ENUM64';
  size: number;
  signed: boolean;
  values: EnumValue[];
}
export interface FwdType extends Common {
  kind: 'FWD';
  fwdKind: 'struct' | 'union';
}
export interface FuncType extends Common {
  kind: 'FUNC';
  type: number;
  linkage: string;
}
export interface Param {
  name: string;
  type: number;
}
export interface FuncProtoType extends Common {
  kind: 'FUNC_PROTO';
  returnType: number;
  params: Param[];
}
export interface VarType extends Common {
  kind: 'VAR';
  type: number;
  linkage: string;
}
export interface SecInfo {
  type: number;
  offset: number;
  size: number;
}
export interface DatasecType extends Common {
  kind: 'DATASEC';
  size: number;
  vars: SecInfo[];
}
export interface FloatType extends Common {
  kind: 'FLOAT';
  size: number;
}
export interface DeclTagType extends Common {
  kind: 'DECL_TAG';
  type: number;
  /** -1: the tag is on the type itself; otherwise the member or parameter index. */
  componentIdx: number;
}
export interface UnknownType extends Common {
  kind: 'UNKNOWN';
  rawKind: number;
  vlen: number;
}

export function intEncodingName(enc: number): string {
  switch (enc) {
    case 0: return '(none)';
    case INT_SIGNED: return 'SIGNED';
    case INT_CHAR: return 'CHAR';
    case INT_BOOL: return 'BOOL';
    default: return 'UNKN';
  }
}

/** Inflate type `id` (any ID of the chain); undefined for void or an ID out of range. */
export function typeById(btf: Btf, id: number): BtfType | undefined {
  if (!btf.owner(id)) return undefined;
  const kind = btf.kind(id);
  const vlen = btf.vlen(id);
  const kflag = btf.kflag(id);
  const name = btf.name(id);
  const third = btf.sizeOrType(id);
  switch (kind) {
    case Kind.INT: {
      const e = intEncodingWord(btf, id);
      return { id, name, kind: 'INT', size: third, bitsOffset: (e >>> 16) & 0xff, bits: e & 0xff, encoding: intEncodingName((e >>> 24) & 0x0f) };
    }
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
      return { id, name, kind: kindName(kind) as RefType['kind'], type: third };
    case Kind.ARRAY: {
      const a = arrayInfo(btf, id)!;
      return { id, name, kind: 'ARRAY', type: a.type, indexType: a.indexType, nelems: a.nelems };
    }
    case Kind.STRUCT: case Kind.UNION: {
      const m = new Members(btf, id);
      const members: Member[] = new Array(m.count);
      for (let i = 0; i < m.count; i++) {
        members[i] = { name: m.name(i), type: m.type(i), bitsOffset: m.bitsOffset(i), bitfieldSize: m.bitfieldSize(i) };
      }
      return { id, name, kind: kind === Kind.STRUCT ? 'STRUCT' : 'UNION', size: third, members };
    }
    case Kind.ENUM: case Kind.ENUM64: {
      const e = new EnumValues(btf, id);
      const values: EnumValue[] = new Array(e.count);
      for (let i = 0; i < e.count; i++) values[i] = { name: e.name(i), value: e.value(i) };
      return { id, name, kind: kind === Kind.ENUM ? 'ENUM' : 'ENUM64', size: third, signed: kflag, values };
    }
    case Kind.FWD:
      return { id, name, kind: 'FWD', fwdKind: kflag ? 'union' : 'struct' };
    case Kind.FUNC:
      return { id, name, kind: 'FUNC', type: third, linkage: FUNC_LINKAGE[vlen] ?? '(unknown)' };
    case Kind.FUNC_PROTO: {
      const p = new Params(btf, id);
      const params: Param[] = new Array(p.count);
      for (let i = 0; i < p.count; i++) params[i] = { name: p.name(i), type: p.type(i) };
      return { id, name, kind: 'FUNC_PROTO', returnType: third, params };
    }
    case Kind.VAR:
      return { id, name, kind: 'VAR', type: third, linkage: VAR_LINKAGE[varLinkage(btf, id)] ?? '(unknown)' };
    case Kind.DATASEC: {
      const d = new SecInfos(btf, id);
      const vars: SecInfo[] = new Array(d.count);
      for (let i = 0; i < d.count; i++) vars[i] = { type: d.type(i), offset: d.offset(i), size: d.size(i) };
      return { id, name, kind: 'DATASEC', size: third, vars };
    }
    case Kind.FLOAT:
      return { id, name, kind: 'FLOAT', size: third };
    case Kind.DECL_TAG:
      return { id, name, kind: 'DECL_TAG', type: third, componentIdx: declTagComponent(btf, id) };
    default:
      return { id, name, kind: 'UNKNOWN', rawKind: kind, vlen };
  }
}
