/**
 * `btf-lens:` documents (a type as C, a function's disassembly): read-only, content asked of the server.
 * The server writes them `btf-lens:///path/…` (a URL to other editors); VS Code's Uri keeps no empty
 * authority and sends them back as `btf-lens:/path/…`, which the server reads the same.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DocumentRequest, VIRTUAL_SCHEME } from '../../../server/src/protocol/requests';
import { onStatus } from './status';
import { request } from './request';

export function registerVirtualDocuments(context: vscode.ExtensionContext, client: LanguageClient): void {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri, token) {
      const r = await request(client, DocumentRequest.method, { uri: uri.toString() }, token);
      return r.text;
    },
  };
  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(VIRTUAL_SCHEME, provider),
    // Give the documents their grammar (the language is not told by the extension alone).
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (doc.uri.scheme !== VIRTUAL_SCHEME) return;
      const want = doc.uri.path.endsWith('.bpf-asm') ? 'bpf-asm' : doc.uri.path.endsWith('.diff') ? 'diff' : 'btf-c';
      if (doc.languageId !== want) void vscode.languages.setTextDocumentLanguage(doc, want);
    }),
    // An object rebuilt: open virtual documents re-ask the server.
    onStatus((p) => {
      if (p.state !== 'ready') return;
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === VIRTUAL_SCHEME) changed.fire(doc.uri);
    }),
  );
}
