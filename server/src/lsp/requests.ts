/**
 * Handlers of the custom `btf/...` requests (server/src/protocol/requests.ts): what the type tree and
 * dump views ask for, in pages.
 */
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { forEachTypeRef } from '../core/btf/records';
import { resolveSize } from '../core/btf/resolve';
import { typeById } from '../core/btf/types';
import { formatRawToString } from '../core/format/raw';
import { lowerBound } from '../core/util/sorted';
import type {
  DocumentRequest, FileInfo, FilesRequest, SearchRequest, TypeChild, TypeChildrenRequest, TypeRow, TypesRequest, TypeTextRequest, UsedByRequest,
} from '../protocol/requests';
import type { IndexedFile } from './model';
import { RequestError } from './request-errors';
import { type SymbolIndex, kindNameOf, kindSet } from './names';
import { disasmText } from './navigation';
import { cName, renderType, typeUri } from './typedoc';
import { parseVirtualUri } from './uri';
import type { WorkspaceIndex } from './workspace';


function fileOf(index: WorkspaceIndex, uri: string): IndexedFile {
  const f = index.fileByUri(uri);
  if (!f) throw new RequestError(`not an indexed file: ${uri}`);
  if (!f.btf) throw new RequestError(`${f.label} has no readable BTF${f.missingBase ? ' (its base BTF is missing)' : ''}`);
  return f;
}

export function files(index: WorkspaceIndex): FilesRequest.Result {
  const out: FileInfo[] = index.allFiles().map((f) => ({
    uri: f.uri,
    label: f.label,
    kind: f.kind,
    state: f.state,
    firstId: f.btf?.startId ?? 1,
    ownTypes: f.btf?.ownCount ?? 0,
    baseUri: f.base?.uri,
    missingBase: f.missingBase,
    errors: f.problems.filter((p) => p.severity === 'error').length,
    warnings: f.problems.filter((p) => p.severity === 'warning').length,
    hasExt: !!f.input?.ext,
  }));
  return { files: out, indexing: index.indexing };
}

export function typeRow(file: IndexedFile, btf: Btf, id: number): TypeRow {
  const kind = btf.kind(id);
  const size = resolveSize(btf, id);
  const row: TypeRow = {
    file: file.uri, id, kind: kindNameOf(kind), name: btf.name(id), label: labelOf(file, btf, id),
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

export function types(index: WorkspaceIndex, p: TypesRequest.Params): TypesRequest.Result {
  const file = fileOf(index, p.file);
  const btf = file.btf!;
  const kinds = kindSet(p.kinds);
  const q = p.name?.toLowerCase();
  const offset = Math.max(0, p.offset ?? 0);
  const limit = Math.min(5000, Math.max(1, p.limit ?? 200));
  const rows: TypeRow[] = [];
  let total = 0;
  for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
    if (kinds && !kinds.has(btf.kind(id))) continue;
    if (q !== undefined || !p.includeAnonymous) {
      const name = btf.name(id);
      if (!name && !p.includeAnonymous) continue;
      if (q && !name.toLowerCase().includes(q)) continue;
    }
    if (total >= offset && rows.length < limit) rows.push(typeRow(file, btf, id));
    total++;
  }
  return { total, rows };
}

export function typeChildren(index: WorkspaceIndex, p: TypeChildrenRequest.Params): TypeChildrenRequest.Result {
  const file = fileOf(index, p.file);
  const btf = file.btf!;
  const t = typeById(btf, p.id);
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
  return { type: typeRow(file, btf, p.id), children };
}

export function typeText(index: WorkspaceIndex, p: TypeTextRequest.Params): TypeTextRequest.Result {
  const f = fileOf(index, p.file);
  const owner = index.ownerOf(f, p.id);
  if (!owner.btf?.owner(p.id)) throw new RequestError(`no type [${p.id}] in ${f.label}`);
  const text = p.format === 'raw' ? formatRawToString(owner.btf, [p.id]) : renderType(owner, p.id).text;
  return { text, uri: typeUri(owner, p.id) };
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

export function usedBy(index: WorkspaceIndex, p: UsedByRequest.Params): UsedByRequest.Result {
  const file = fileOf(index, p.file);
  const limit = Math.max(1, p.limit ?? 500);
  const rows: TypeRow[] = [];
  let truncated = false;
  // References come from this file's own types and, for base types, from the base's.
  for (let b: Btf | undefined = file.btf; b; b = b.base) {
    const { from, to } = edges(b);
    let last = -1;
    for (let i = lowerBound(to, p.id); i < to.length && to[i] === p.id; i++) {
      if (from[i] === last) continue;
      last = from[i]!;
      if (rows.length >= limit) {
        truncated = true;
        break;
      }
      rows.push(typeRow(file, file.btf!, last));
    }
    if (p.id >= b.startId) break; // an own type of b is not referenced by b's base
  }
  return { rows, truncated };
}

export function search(symbols: SymbolIndex, p: SearchRequest.Params): SearchRequest.Result {
  const limit = Math.min(1000, Math.max(1, p.limit ?? 100));
  const hits = symbols.search(p.query, limit, kindSet(p.kinds)).map(({ group }) => ({
    name: group.name, kind: kindNameOf(group.kind), file: group.files[0]!.uri, id: group.ids[0]!, count: group.files.length,
    uri: typeUri(group.files[0]!, group.ids[0]!),
  }));
  return { hits };
}

export function document(index: WorkspaceIndex, p: DocumentRequest.Params): DocumentRequest.Result {
  const v = parseVirtualUri(p.uri);
  if (!v) throw new RequestError(`not a btf-lens document: ${p.uri}`);
  const file = index.fileByPath(v.file);
  if (!file) return { text: `/* ${v.file} is not indexed (any more) */\n`, languageId: v.kind === 'type' ? 'btf-c' : 'bpf-asm' };
  if (v.kind === 'disasm') {
    return { text: disasmText(index, v.file, v.func) ?? `; no function ${v.func} in ${file.label}\n`, languageId: 'bpf-asm' };
  }
  if (!file.btf?.owner(v.id)) return { text: `/* no type [${v.id}] in ${file.label} */\n`, languageId: 'btf-c' };
  return { text: renderType(file, v.id).text, languageId: 'btf-c' };
}
