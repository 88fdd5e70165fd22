/**
 * Wires the type-tree editor's `btf/editor/...` requests (protocol/requests.ts) to a connection
 * (errors answered as request-errors.ts says).
 */
import type { Connection } from 'vscode-languageserver';
import {
  EditorChildrenRequest, EditorCloseRequest, EditorDisasmRequest, EditorExtRequest, EditorLayoutRequest, EditorLocateRequest, EditorMapsRequest,
  EditorOpenRequest, EditorProgramsRequest, EditorRowsRequest, EditorTypeTextRequest, EditorUsedByRequest, type RequestMethod,
} from '../protocol/requests';
import { type EditorDoc, EditorDocs } from './editor-docs';
import * as obj from './editor-object';
import * as types from './editor-types';
import { type Handler, RequestError, onRequest } from './request-errors';
import { uriToPath } from './uri';
import type { WorkspaceIndex } from './workspace';

export function registerEditorRequests(connection: Connection, index: () => WorkspaceIndex | undefined): EditorDocs {
  const docs = new EditorDocs(index);
  const on = <M extends RequestMethod>(method: M, handler: Handler<M>) =>
    onRequest(connection, method, handler, { log: (line) => connection.console.log(line) });
  const doc = (p: { doc: string }): EditorDoc => {
    const d = docs.get(p?.doc);
    if (!d) throw new RequestError(`no open editor document ${p?.doc} (the file was closed or reopened)`);
    return d;
  };
  on(EditorOpenRequest.method, async (p) => {
    const path = uriToPath(p.uri);
    if (!path) throw new RequestError(`not a file URI: ${p.uri}`);
    const base = (p.base ?? []).map((u) => uriToPath(u) ?? u);
    return types.overview(await docs.open(path, base));
  });
  on(EditorCloseRequest.method, (p) => {
    docs.close(p.doc);
    return null;
  });
  on(EditorRowsRequest.method, (p) => types.rows(doc(p), p));
  on(EditorLocateRequest.method, (p) => types.locate(doc(p), p));
  on(EditorChildrenRequest.method, (p) => types.children(doc(p), p));
  on(EditorTypeTextRequest.method, (p) => types.typeText(doc(p), index(), p));
  on(EditorUsedByRequest.method, (p) => types.usedByRows(doc(p), p));
  on(EditorLayoutRequest.method, (p) => types.layout(doc(p), p));
  on(EditorProgramsRequest.method, (p) => obj.programs(doc(p)));
  on(EditorDisasmRequest.method, (p) => obj.disasm(doc(p), index(), p));
  on(EditorMapsRequest.method, (p) => obj.maps(doc(p)));
  on(EditorExtRequest.method, (p) => obj.ext(doc(p)));
  return docs;
}
