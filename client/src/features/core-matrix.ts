/**
 * `btfLens.coreMatrix`: the load matrix (CO-RE, externs, attach targets) of one object (or all) × the kernels of
 * `btfLens.coreTargets`, computed by the server (btf/coreMatrix), opened as an untitled markdown or CSV
 * document (saving it exports it).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CoreMatrixRequest, FilesRequest } from '../../../server/src/protocol/requests';
import { request } from './request';

export function registerCoreMatrix(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(vscode.commands.registerCommand('btfLens.coreMatrix', async (arg?: vscode.Uri | string) => {
    let object = typeof arg === 'string' ? arg : arg?.toString();
    if (!object) {
      const r = await request(client, FilesRequest.method, {});
      const objects = r.files.filter((f) => f.kind === 'bpf-object' && f.state === 'indexed' && f.hasExt);
      const pick = await vscode.window.showQuickPick(
        [{ label: 'All objects', uri: undefined as string | undefined }, ...objects.map((f) => ({ label: f.label, uri: f.uri as string | undefined }))],
        { title: 'Load matrix: which object?' },
      );
      if (!pick) return;
      object = pick.uri;
    }
    const format = await vscode.window.showQuickPick(['Markdown', 'CSV'], { title: 'Load matrix: format' });
    if (!format) return;
    const m = await request(client, CoreMatrixRequest.method, object ? { object } : {});
    const csv = format === 'CSV';
    const doc = await vscode.workspace.openTextDocument({ language: csv ? 'csv' : 'markdown', content: csv ? m.csv : m.markdown });
    await vscode.window.showTextDocument(doc, { preview: false });
    if (!m.targets.length) void vscode.window.showInformationMessage('BTF Lens: no target kernels: no kernel BTF and no btfLens.coreTargets.');
  }));
}
