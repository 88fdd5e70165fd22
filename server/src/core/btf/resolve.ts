import type { Btf } from './btf';
import { Kind } from './kinds';

/** libbpf's MAX_RESOLVE_DEPTH: chains longer than this are treated as broken (and cycles end). */
export const MAX_RESOLVE_DEPTH = 32;

/** Skip const/volatile/restrict/typedef/type_tag; returns the ID reached (0 for void, -1 for a broken chain). */
export function skipModsAndTypedefs(btf: Btf, id: number): number {
  for (let i = 0; i < MAX_RESOLVE_DEPTH; i++) {
    if (id === 0) return 0;
    if (!btf.owner(id)) return -1;
    switch (btf.kind(id)) {
      case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
        id = btf.sizeOrType(id);
        break;
      default:
        return id;
    }
  }
  return -1;
}

/** Pointer size of the BTF's target: the size of `long` when present, else 8 (libbpf's btf_ptr_sz). */
export function pointerSize(btf: Btf): number {
  for (let b: Btf | undefined = btf; b; b = b.base) {
    const cached = ptrCache.get(b);
    if (cached !== undefined) return cached;
  }
  let size = 8;
  outer: for (const b of btf.chain()) {
    for (let id = b.startId; id < b.typeCount; id++) {
      if (b.kind(id) !== Kind.INT) continue;
      const n = b.name(id);
      if (n === 'long' || n === 'long int' || n === 'long unsigned int' || n === 'unsigned long' || n === 'long unsigned') {
        size = b.sizeOrType(id);
        break outer;
      }
    }
  }
  ptrCache.set(btf, size);
  return size;
}
const ptrCache = new WeakMap<Btf, number>();

/** libbpf's btf__resolve_size: the byte size of a type, or -1 when it has none (void, func, broken). */
export function resolveSize(btf: Btf, id: number): number {
  let nelems = 1;
  for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
    if (!btf.owner(id)) return -1;
    switch (btf.kind(id)) {
      case Kind.INT: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: case Kind.DATASEC: case Kind.FLOAT: {
        const size = btf.sizeOrType(id);
        if (nelems && size > 0xffffffff / nelems) return -1;
        return size * nelems;
      }
      case Kind.PTR:
        return pointerSize(btf) * nelems;
      case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
        id = btf.sizeOrType(id);
        break;
      case Kind.ARRAY: {
        const loc = btf.locate(id)!;
        const n = loc.btf.view.u32(loc.off + 20);
        if (nelems && n > 0xffffffff / nelems) return -1;
        nelems *= n;
        id = loc.btf.view.u32(loc.off + 12);
        break;
      }
      default:
        return -1;
    }
  }
  return -1;
}

/** libbpf's lower-case kind names used in CO-RE messages ("struct", "enum64", …). */
export function libbpfKindStr(kind: number): string {
  return LIBBPF_KIND_STR[kind] ?? 'unknown';
}
const LIBBPF_KIND_STR = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
  'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
];
