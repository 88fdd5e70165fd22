/** Commands: open a `btf-lens:` document (hover links, code lenses), search types, show the index's files. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FilesRequest, SearchRequest } from '../../../server/src/protocol/requests';
import { request } from './request';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('btfLens.open', async (uri: string, line?: number) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const pos = new vscode.Position(line ?? 0, 0);
      await vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(pos, pos) });
    }),
    vscode.commands.registerCommand('btfLens.searchTypes', async () => {
      const query = await vscode.window.showInputBox({ prompt: 'Type, function or variable name' });
      if (!query) return;
      const r = await request(client, SearchRequest.method, { query, limit: 200 });
      const pick = await vscode.window.showQuickPick(
        r.hits.map((h) => ({ label: h.name, description: h.kind, detail: h.count > 1 ? `${h.file} (+${h.count - 1})` : h.file, uri: h.uri })),
        { matchOnDescription: true },
      );
      if (pick) await vscode.commands.executeCommand('btfLens.open', pick.uri);
    }),
    vscode.commands.registerCommand('btfLens.showFiles', async () => {
      const r = await request(client, FilesRequest.method, {});
      const items = r.files.map((f) => ({
        label: f.label, description: `${f.kind} · ${f.ownTypes} types${f.missingBase ? ' · base missing' : ''}`,
        detail: f.errors || f.warnings ? `${f.errors} error(s), ${f.warnings} warning(s)` : undefined, uri: f.uri,
      }));
      const pick = await vscode.window.showQuickPick(items, { title: r.indexing ? 'BTF files (indexing…)' : 'BTF files' });
      if (pick) await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(pick.uri));
    }),
  );
}
