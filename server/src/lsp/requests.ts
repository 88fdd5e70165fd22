/**
 * Handlers of the custom `btf/...` requests (server/src/protocol/requests.ts) over the workspace index:
 * files, types in pages (rows from type-rows.ts, named by file), text, search, documents.
 */
import { formatRawToString } from '../core/format/raw';
import type {
  DocumentRequest, FileInfo, FileTypeRow, FilesRequest, SearchRequest, TypeChildrenRequest, TypesRequest, TypeTextRequest, UsedByRequest,
} from '../protocol/requests';
import type { IndexedFile } from './model';
import { type SymbolIndex, kindNameOf, kindSet } from './names';
import { disasmText } from './navigation';
import { RequestError } from './request-errors';
import * as rows from './type-rows';
import { renderType, typeUri } from './typedoc';
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

export function types(index: WorkspaceIndex, p: TypesRequest.Params): TypesRequest.Result {
  const file = fileOf(index, p.file);
  const btf = file.btf!;
  const kinds = kindSet(p.kinds);
  const q = p.name?.toLowerCase();
  const offset = Math.max(0, p.offset ?? 0);
  const limit = Math.min(5000, Math.max(1, p.limit ?? 200));
  const out: FileTypeRow[] = [];
  let total = 0;
  for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
    if (kinds && !kinds.has(btf.kind(id))) continue;
    if (q !== undefined || !p.includeAnonymous) {
      const name = btf.name(id);
      if (!name && !p.includeAnonymous) continue;
      if (q && !name.toLowerCase().includes(q)) continue;
    }
    if (total >= offset && out.length < limit) out.push({ file: file.uri, ...rows.typeRow(file, btf, id) });
    total++;
  }
  return { total, rows: out };
}

export function typeChildren(index: WorkspaceIndex, p: TypeChildrenRequest.Params): TypeChildrenRequest.Result {
  const file = fileOf(index, p.file);
  const r = rows.typeChildren(file, file.btf!, p.id);
  return r.type ? { type: { file: file.uri, ...r.type }, children: r.children } : { children: r.children };
}

export function typeText(index: WorkspaceIndex, p: TypeTextRequest.Params): TypeTextRequest.Result {
  const f = fileOf(index, p.file);
  const owner = index.ownerOf(f, p.id);
  if (!owner.btf?.owner(p.id)) throw new RequestError(`no type [${p.id}] in ${f.label}`);
  const text = p.format === 'raw' ? formatRawToString(owner.btf, [p.id]) : renderType(owner, p.id).text;
  return { text, uri: typeUri(owner, p.id) };
}

export function usedBy(index: WorkspaceIndex, p: UsedByRequest.Params): UsedByRequest.Result {
  const file = fileOf(index, p.file);
  const r = rows.usedBy(file, file.btf!, p.id, Math.max(1, p.limit ?? 500));
  return { rows: r.rows.map((x) => ({ file: file.uri, ...x })), truncated: r.truncated };
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
