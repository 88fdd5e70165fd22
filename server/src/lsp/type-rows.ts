/**
 * Types as rows and trees for the type-tree editor (editor-types.ts): a row per type, its children, the
 * types that refer to it. Each takes the file and its BTF (an editor doc's), never an index.
 */
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { forEachTypeRef } from '../core/btf/records';
import { resolveSize } from '../core/btf/resolve';
import { typeById } from '../core/btf/types';
import { lowerBound } from '../core/util/sorted';
import type { TypeChild, TypeRow } from '../protocol/requests';
import type { IndexedFile } from './model';
import { kindNameOf } from './names';
import { cName } from './typedoc';

/** Type `id` as a row (its C label needs the file: pointer size, names). */
export function typeRow(file: IndexedFile, btf: Btf, id: number): TypeRow {
  const kind = btf.kind(id);
  const size = resolveSize(btf, id);
  const row: TypeRow = {
    id, kind: kindNameOf(kind), name: btf.name(id), label: labelOf(file, btf, id),
    vlen: btf.vlen(id), hasChildren: hasChildren(btf, id),
  };
  if (size >= 0 && kind !== Kind.FUNC) row.size = size;
  return row;
}

function labelOf(file: IndexedFile, btf: Btf, id: number): string {
  const k = btf.kind(id);
  if (k === Kind.TYPEDEF || k === Kind.FUNC || k === Kind.VAR || k === Kind.DATASEC || k === Kind.DECL_TAG) return btf.name(id);
  try {
    return cName(file, btf, id);
  } catch {
    return btf.name(id);
  }
}

function hasChildren(btf: Btf, id: number): boolean {
  switch (btf.kind(id)) {
    case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: case Kind.FUNC_PROTO: case Kind.DATASEC:
      return btf.vlen(id) > 0 || btf.kind(id) === Kind.FUNC_PROTO;
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
    case Kind.FUNC: case Kind.VAR: case Kind.ARRAY: case Kind.DECL_TAG:
      return true;
    default:
      return false;
  }
}

/** Type `id`'s row and its children: members, parameters (the return type first), enumerators, section
 * variables, an array's element, the type a modifier, typedef, func or var refers to. */
export function typeChildren(file: IndexedFile, btf: Btf, id: number): { type?: TypeRow; children: TypeChild[] } {
  const t = typeById(btf, id);
  if (!t) return { children: [] };
  const ref = (name: string, typeId: number, extra: Partial<TypeChild> = {}): TypeChild => {
    const size = typeId ? resolveSize(btf, typeId) : -1;
    const c: TypeChild = { name, typeId, typeLabel: typeId ? labelOf(file, btf, typeId) : 'void', hasChildren: typeId ? hasChildren(btf, typeId) : false, ...extra };
    if (size >= 0) c.size = size;
    return c;
  };
  let children: TypeChild[];
  switch (t.kind) {
    case 'STRUCT': case 'UNION':
      children = t.members.map((m) => ref(m.name, m.type, { bitOffset: m.bitsOffset, ...(m.bitfieldSize ? { bitfieldSize: m.bitfieldSize } : {}) }));
      break;
    case 'ENUM': case 'ENUM64':
      children = t.values.map((v) => ({ name: v.name, value: String(v.value), hasChildren: false }));
      break;
    case 'FUNC_PROTO':
      children = [ref('return', t.returnType), ...t.params.map((x, i) => ref(x.name || (x.type === 0 ? '...' : `arg${i}`), x.type))];
      break;
    case 'DATASEC':
      children = t.vars.map((v) => ref(btf.name(v.type), v.type, { bitOffset: v.offset * 8, size: v.size }));
      break;
    case 'ARRAY':
      children = [ref(`[${t.nelems}]`, t.type)];
      break;
    case 'PTR': case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG': case 'FUNC': case 'VAR': case 'DECL_TAG':
      children = [ref('type', t.type)];
      break;
    default:
      children = [];
  }
  return { type: typeRow(file, btf, id), children };
}

const usedByCache = new WeakMap<Btf, { from: Uint32Array; to: Uint32Array }>();

/** Every (referrer, referenced) edge of a BTF's own types, sorted by referenced ID; built on first use. */
function edges(btf: Btf): { from: Uint32Array; to: Uint32Array } {
  const hit = usedByCache.get(btf);
  if (hit) return hit;
  const pairs: number[] = [];
  let referrer = 0;
  const add = (t: number) => pairs.push(t, referrer);
  for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
    referrer = id;
    forEachTypeRef(btf, id, add);
  }
  const count = pairs.length / 2;
  const order = new Uint32Array(count).map((_, i) => i);
  order.sort((a, b) => pairs[a * 2]! - pairs[b * 2]! || pairs[a * 2 + 1]! - pairs[b * 2 + 1]!);
  const to = new Uint32Array(count);
  const from = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    to[i] = pairs[order[i]! * 2]!;
    from[i] = pairs[order[i]! * 2 + 1]!;
  }
  const e = { from, to };
  usedByCache.set(btf, e);
  return e;
}

/** The types that refer to `id` (its referrers in the file's BTF and, for a base type, in the bases), at most `limit`. */
export function usedBy(file: IndexedFile, btf: Btf, id: number, limit: number): { rows: TypeRow[]; truncated: boolean } {
  const rows: TypeRow[] = [];
  let truncated = false;
  // References come from this file's own types and, for base types, from the base's.
  for (let b: Btf | undefined = btf; b; b = b.base) {
    const { from, to } = edges(b);
    let last = -1;
    for (let i = lowerBound(to, id); i < to.length && to[i] === id; i++) {
      if (from[i] === last) continue;
      last = from[i]!;
      if (rows.length >= limit) {
        truncated = true;
        break;
      }
      rows.push(typeRow(file, btf, last));
    }
    if (id >= b.startId) break; // an own type of b is not referenced by b's base
  }
  return { rows, truncated };
}
