import { BTF_MAGIC, type Btf } from '../btf/btf';
import { KIND_LAYOUT, Kind, MAX_KNOWN_KIND } from '../btf/kinds';
import { StringSet, baseStringIndex, byteKey, stringBytes } from './strings';

/**
 * The one place BTF bytes are written: libbpf's btf__add_* and btf__raw_data. Types are added one after
 * the other (copied from any decoded BTF with their references remapped, or built by hand), strings go
 * through a deduplicating table, and `bytes()` lays out header, types, strings (and the layout section).
 */

export interface BtfBuilderOptions {
  /** Split output on this base: IDs and string offsets continue the base's, and strings the base holds are its offsets. */
  base?: Btf;
  /**
   * Split output on a base known only by its size (hand-made fixtures): first type ID and first string
   * offset. No string is looked up in that base. Ignored when `base` is given.
   */
  splitAt?: { typeId: number; strOff: number };
  /** Default true (what libbpf writes on x86 and arm64). */
  littleEndian?: boolean;
  /**
   * Write the 32-byte header with a layout section after the strings: `true` for the known kinds'
   * layout, or explicit [info_sz, elem_sz] entries (index = kind) to describe kinds this code does not know.
   */
  layout?: boolean | readonly (readonly [number, number])[];
}

/** A member of a struct or union built by hand. */
export interface FieldSpec {
  name: string;
  type: number;
  bitOffset: number;
  /** Bitfield width; 0 (default) when not a bitfield. */
  bitSize?: number;
}

export type Linkage = 'static' | 'global' | 'extern';
const LINKAGE: Record<Linkage, number> = { static: 0, global: 1, extern: 2 };
export type IntEncoding = 'signed' | 'char' | 'bool' | 'none';
const INT_ENC: Record<IntEncoding, number> = { none: 0, signed: 1, char: 2, bool: 4 };

const utf8 = new TextEncoder();
const HDR = 24;
const HDR_LAYOUT = 32;

export class BtfBuilder {
  readonly littleEndian: boolean;
  /** ID of the first type this builder adds (1, or the base's type count). */
  readonly startId: number;
  /** String offset of this builder's first string (0, or the base's string end). */
  readonly startStrOff: number;
  private readonly base: Btf | undefined;
  private readonly strs: StringSet;
  private readonly layout: readonly (readonly [number, number])[] | undefined;
  private w = new Uint32Array(1024);
  private n = 0;
  /** Word index where each type starts. */
  private starts: number[] = [];

  constructor(opts: BtfBuilderOptions = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.base = opts.base;
    const split = opts.base ? { typeId: opts.base.typeCount, strOff: opts.base.startStrOff + opts.base.stringsLength } : opts.splitAt;
    this.startId = split?.typeId ?? 1;
    this.startStrOff = split?.strOff ?? 0;
    this.strs = new StringSet(!split);
    this.layout = opts.layout === true ? KIND_LAYOUT.map(([f, e]) => [Math.max(0, f), e] as const) : opts.layout || undefined;
  }

  /** Type IDs so far, void included (libbpf's btf__type_cnt): the next type gets this ID. */
  get typeCount(): number {
    return this.startId + this.starts.length;
  }

  /**
   * The offset of a string, added when new (btf__add_str): in a split BTF a string its base holds is the
   * base's offset. A JS string is written as UTF-8; bytes are written as they are.
   */
  addString(s: string | Uint8Array): number {
    const bytes = typeof s === 'string' ? utf8.encode(s) : s;
    if (this.base) {
      const off = baseStringIndex(this.base).get(byteKey(bytes));
      if (off !== undefined) return off;
    }
    return this.startStrOff + this.strs.add(bytes);
  }

  /** A name as libbpf's btf__add_* take it: empty means no name (offset 0), never a string of its own. */
  private nameOff(name: string | Uint8Array | undefined): number {
    return name === undefined || name.length === 0 ? 0 : this.addString(name);
  }

  // ---- raw types ----

  /**
   * Appends one type as its u32 words (btf_type then what follows it), string offsets and type IDs
   * already final. For fixtures that need what no well-formed type has (forged counts, unknown kinds).
   */
  addRaw(words: ArrayLike<number>): number {
    this.starts.push(this.n);
    this.push(words);
    return this.typeCount - 1;
  }

  /**
   * Copies type `id` of `src` (any BTF of a chain) as libbpf's btf__add_type does: the same words, every
   * string re-added to this table (in libbpf's order: name, then members, enumerators or parameters),
   * every type-ID field passed through `mapId` (void included; default: unchanged). Kinds unknown to this
   * code are copied with only their name re-added. Returns the new ID, or -1 when `id` is not a type of `src`.
   */
  addType(src: Btf, id: number, mapId: (id: number) => number = (x) => x): number {
    const loc = src.locate(id);
    if (!loc) return -1;
    const v = loc.btf.view;
    const off = loc.off;
    const info = v.u32(off + 4);
    const kind = (info >>> 24) & 0x7f;
    const vlen = info & 0xffffff;
    const size = typeWords(loc.btf, id, kind, vlen);
    const start = this.n;
    this.starts.push(start);
    this.room(size);
    for (let i = 0; i < size; i++) this.w[start + i] = v.u32(off + i * 4);
    this.n += size;
    const w = this.w;
    const str = (at: number) => {
      const o = w[at]!;
      if (o === 0) return; // libbpf's btf_rewrite_str leaves offset 0 alone
      const bytes = stringBytes(src, o);
      w[at] = bytes ? this.addString(bytes) : 0;
    };
    const ref = (at: number) => {
      w[at] = mapId(w[at]!) >>> 0;
    };
    str(start);
    const d = start + 3;
    switch (kind) {
      case Kind.STRUCT: case Kind.UNION:
        for (let i = 0; i < vlen; i++) str(d + i * 3);
        for (let i = 0; i < vlen; i++) ref(d + i * 3 + 1);
        break;
      case Kind.ENUM:
        for (let i = 0; i < vlen; i++) str(d + i * 2);
        break;
      case Kind.ENUM64:
        for (let i = 0; i < vlen; i++) str(d + i * 3);
        break;
      case Kind.FUNC_PROTO:
        for (let i = 0; i < vlen; i++) str(d + i * 2);
        ref(start + 2);
        for (let i = 0; i < vlen; i++) ref(d + i * 2 + 1);
        break;
      case Kind.ARRAY:
        ref(d);
        ref(d + 1);
        break;
      case Kind.DATASEC:
        for (let i = 0; i < vlen; i++) ref(d + i * 3);
        break;
      case Kind.FWD: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.PTR: case Kind.TYPEDEF:
      case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
        ref(start + 2);
        break;
      default:
        break;
    }
    return this.typeCount - 1;
  }

  // ---- types by hand (libbpf's btf__add_*) ----

  addInt(name: string, byteSize: number, encoding: IntEncoding = 'none', bits = byteSize * 8, bitOffset = 0): number {
    return this.addRaw([this.nameOff(name), info(Kind.INT, 0, false), byteSize, (INT_ENC[encoding] << 24) | ((bitOffset & 0xff) << 16) | (bits & 0xff)]);
  }
  addFloat(name: string, byteSize: number): number {
    return this.addRaw([this.nameOff(name), info(Kind.FLOAT, 0, false), byteSize]);
  }
  addPtr(type: number): number {
    return this.addRaw([0, info(Kind.PTR, 0, false), type]);
  }
  addConst(type: number): number {
    return this.addRaw([0, info(Kind.CONST, 0, false), type]);
  }
  addVolatile(type: number): number {
    return this.addRaw([0, info(Kind.VOLATILE, 0, false), type]);
  }
  addRestrict(type: number): number {
    return this.addRaw([0, info(Kind.RESTRICT, 0, false), type]);
  }
  addTypedef(name: string, type: number): number {
    return this.addRaw([this.nameOff(name), info(Kind.TYPEDEF, 0, false), type]);
  }
  addTypeTag(value: string, type: number): number {
    return this.addRaw([this.nameOff(value), info(Kind.TYPE_TAG, 0, false), type]);
  }
  addFwd(name: string, fwd: 'struct' | 'union' | 'enum'): number {
    // libbpf: an enum forward declaration is an ENUM with no values and size 4
    if (fwd === 'enum') return this.addRaw([this.nameOff(name), info(Kind.ENUM, 0, false), 4]);
    return this.addRaw([this.nameOff(name), info(Kind.FWD, 0, fwd === 'union'), 0]);
  }
  /** btf__add_array's order: index type first. */
  addArray(indexType: number, elemType: number, nelems: number): number {
    return this.addRaw([0, info(Kind.ARRAY, 0, false), 0, elemType, indexType, nelems]);
  }
  /** A struct without members; add them with addField. */
  addStruct(name: string | Uint8Array, byteSize: number, fields: readonly FieldSpec[] = []): number {
    const id = this.addRaw([this.nameOff(name), info(Kind.STRUCT, 0, false), byteSize]);
    for (const f of fields) this.addField(f.name, f.type, f.bitOffset, f.bitSize ?? 0);
    return id;
  }
  addUnion(name: string | Uint8Array, byteSize: number, fields: readonly FieldSpec[] = []): number {
    const id = this.addRaw([this.nameOff(name), info(Kind.UNION, 0, false), byteSize]);
    for (const f of fields) this.addField(f.name, f.type, f.bitOffset, f.bitSize ?? 0);
    return id;
  }
  /**
   * A member of the last type, a struct or union (btf__add_field): a bitfield (a width, or an offset
   * that is not a whole byte) sets the type's kflag, and the offset word is then bit_offset | width << 24.
   * Returns false, adding nothing, where libbpf returns -EINVAL.
   */
  addField(name: string | Uint8Array, type: number, bitOffset: number, bitSize = 0): boolean {
    const last = this.lastKind();
    if (last !== Kind.STRUCT && last !== Kind.UNION) return false;
    const isBitfield = bitSize !== 0 || bitOffset % 8 !== 0;
    if (isBitfield && (bitSize === 0 || bitSize > 255 || bitOffset > 0xffffff)) return false;
    if (last === Kind.UNION && bitOffset !== 0) return false;
    this.push([this.nameOff(name), type, (bitOffset | (bitSize << 24)) >>> 0]);
    this.grow(1, isBitfield);
    return true;
  }
  /** An enum without values (kflag: signed); add them with addEnumValue. */
  addEnum(name: string, byteSize: number, signed = false): number {
    return this.addRaw([this.nameOff(name), info(Kind.ENUM, 0, signed), byteSize]);
  }
  addEnum64(name: string, byteSize: number, signed = false): number {
    return this.addRaw([this.nameOff(name), info(Kind.ENUM64, 0, signed), byteSize]);
  }
  /** A value of the last type, an ENUM (a negative value sets kflag, signed) or ENUM64. */
  addEnumValue(name: string, value: number | bigint): boolean {
    const last = this.lastKind();
    if (last === Kind.ENUM) {
      this.push([this.nameOff(name), Number(BigInt.asUintN(32, BigInt(value)))]);
      this.grow(1, value < 0); // libbpf: a negative value makes the enum signed
      return true;
    } else if (last === Kind.ENUM64) {
      const u = BigInt.asUintN(64, BigInt(value));
      this.push([this.nameOff(name), Number(u & 0xffffffffn), Number(u >> 32n)]);
    } else return false;
    this.grow(1, false);
    return true;
  }
  addFunc(name: string, protoType: number, linkage: Linkage = 'static'): number {
    return this.addRaw([this.nameOff(name), info(Kind.FUNC, LINKAGE[linkage], false), protoType]);
  }
  /** A function prototype without parameters; add them with addParam. */
  addFuncProto(returnType: number): number {
    return this.addRaw([0, info(Kind.FUNC_PROTO, 0, false), returnType]);
  }
  addParam(name: string, type: number): boolean {
    if (this.lastKind() !== Kind.FUNC_PROTO) return false;
    this.push([this.nameOff(name), type]);
    this.grow(1, false);
    return true;
  }
  addVar(name: string, type: number, linkage: Linkage = 'static'): number {
    return this.addRaw([this.nameOff(name), info(Kind.VAR, 0, false), type, LINKAGE[linkage]]);
  }
  /** A data section without variables; add them with addVarSecinfo. */
  addDatasec(name: string, byteSize: number): number {
    return this.addRaw([this.nameOff(name), info(Kind.DATASEC, 0, false), byteSize]);
  }
  addVarSecinfo(varType: number, offset: number, byteSize: number): boolean {
    if (this.lastKind() !== Kind.DATASEC) return false;
    this.push([varType, offset, byteSize]);
    this.grow(1, false);
    return true;
  }
  /** componentIdx -1: the tag is on the type itself. */
  addDeclTag(value: string, type: number, componentIdx = -1): number {
    return this.addRaw([this.nameOff(value), info(Kind.DECL_TAG, 0, false), type, componentIdx >>> 0]);
  }

  // ---- output ----

  /** The raw BTF: header, types, strings (then the layout section when asked), as btf__raw_data lays them out. */
  bytes(): Uint8Array {
    const typeLen = this.n * 4;
    const strs = this.strs.bytes();
    const layoutLen = (this.layout?.length ?? 0) * 4;
    const hdrLen = this.layout ? HDR_LAYOUT : HDR;
    const out = new Uint8Array(hdrLen + typeLen + strs.length + layoutLen);
    const dv = new DataView(out.buffer);
    const le = this.littleEndian;
    dv.setUint16(0, BTF_MAGIC, le);
    out[2] = 1; // version
    out[3] = 0; // flags
    dv.setUint32(4, hdrLen, le);
    dv.setUint32(8, 0, le);
    dv.setUint32(12, typeLen, le);
    dv.setUint32(16, typeLen, le);
    dv.setUint32(20, strs.length, le);
    if (this.layout) {
      dv.setUint32(24, typeLen + strs.length, le);
      dv.setUint32(28, layoutLen, le);
    }
    const w = this.w;
    for (let i = 0, o = hdrLen; i < this.n; i++, o += 4) dv.setUint32(o, w[i]!, le);
    out.set(strs, hdrLen + typeLen);
    if (this.layout) {
      let o = hdrLen + typeLen + strs.length;
      for (const [infoSz, elemSz] of this.layout) {
        out[o] = infoSz;
        out[o + 1] = elemSz;
        o += 4;
      }
    }
    return out;
  }

  private lastKind(): number {
    if (!this.starts.length) return -1;
    return (this.w[this.starts[this.starts.length - 1]! + 1]! >>> 24) & 0x7f;
  }

  /** One more element on the last type: vlen + 1, kflag kept or set. */
  private grow(by: number, kflag: boolean): void {
    const at = this.starts[this.starts.length - 1]! + 1;
    const old = this.w[at]!;
    const vlen = ((old & 0xffffff) + by) & 0xffffff;
    this.w[at] = ((old & 0x7f000000) | vlen | (kflag || (old & 0x80000000) !== 0 ? 0x80000000 : 0)) >>> 0;
  }

  private push(words: ArrayLike<number>): void {
    this.room(words.length);
    for (let i = 0; i < words.length; i++) this.w[this.n + i] = words[i]! >>> 0;
    this.n += words.length;
  }

  private room(k: number): void {
    if (this.n + k <= this.w.length) return;
    const next = new Uint32Array(Math.max(this.w.length * 2, this.n + k));
    next.set(this.w.subarray(0, this.n));
    this.w = next;
  }
}

function info(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 0x80000000 : 0) | ((kind & 0x7f) << 24) | (vlen & 0xffffff)) >>> 0;
}

/** Words of type `id` (btf_type included), from the kind table or, for unknown kinds, the blob's own index. */
function typeWords(btf: Btf, id: number, kind: number, vlen: number): number {
  if (kind >= 1 && kind <= MAX_KNOWN_KIND) {
    const [fixed, elem] = KIND_LAYOUT[kind]!;
    return 3 + (fixed + vlen * elem) / 4;
  }
  // a kind stepped over with the layout section: its size is the distance to the next type
  const next = id + 1 < btf.typeCount ? btf.typeOffset(id + 1) : btf.header!.hdrLen + btf.header!.typeOff + btf.header!.typeLen;
  return Math.max(3, Math.floor((next - btf.typeOffset(id)) / 4));
}
