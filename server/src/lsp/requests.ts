/**
 * Handlers of the custom `btf/...` requests (server/src/protocol/requests.ts) over the workspace index:
 * files, a type's text and document, search, `btf-lens:` documents (types as rows are the editor's).
 */
import { formatRawToString } from '../core/format/raw';
import type {
  DocumentRequest, FileInfo, FilesRequest, SearchRequest, TypeTextRequest,
} from '../protocol/requests';
import type { IndexedFile } from './model';
import { type SymbolIndex, kindNameOf, kindSet } from './names';
import { disasmText } from './navigation';
import { RequestError } from './request-errors';
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

export function typeText(index: WorkspaceIndex, p: TypeTextRequest.Params): TypeTextRequest.Result {
  const f = fileOf(index, p.file);
  const owner = index.ownerOf(f, p.id);
  if (!owner.btf?.owner(p.id)) throw new RequestError(`no type [${p.id}] in ${f.label}`);
  const text = p.format === 'raw' ? formatRawToString(owner.btf, [p.id]) : renderType(owner, p.id).text;
  return { text, uri: typeUri(owner, p.id) };
}

export function search(symbols: SymbolIndex, p: SearchRequest.Params): SearchRequest.Result {
  const limit = Math.min(1000, Math.max(1, p.limit ?? 100));
  const hits = symbols.search(p.query, limit, kindSet(p.kinds)).map(({ group }) => ({
    name: group.name, kind: kindNameOf(group.kind), file: group.files[0]!.uri, id: group.ids[0]!, count: group.files.length,
    uri: typeUri(group.files[0]!, group.ids[0]!),
  }));
  return { hits };
}

/** `others`: files outside the index that have type documents too (the sides of a comparison). */
export function document(index: WorkspaceIndex, p: DocumentRequest.Params, others?: (path: string) => IndexedFile | undefined): DocumentRequest.Result {
  const v = parseVirtualUri(p.uri);
  if (!v) throw new RequestError(`not a btf-lens document: ${p.uri}`);
  const file = index.fileByPath(v.file) ?? others?.(v.file);
  if (!file) return { text: `/* ${v.file} is not indexed (any more) */\n`, languageId: v.kind === 'type' ? 'btf-c' : 'bpf-asm' };
  if (v.kind === 'disasm') {
    return { text: disasmText(index, v.file, v.func) ?? `; no function ${v.func} in ${file.label}\n`, languageId: 'bpf-asm' };
  }
  if (!file.btf?.owner(v.id)) return { text: `/* no type [${v.id}] in ${file.label} */\n`, languageId: 'btf-c' };
  return { text: renderType(file, v.id).text, languageId: 'btf-c' };
}
