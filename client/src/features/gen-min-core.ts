/**
 * `btfLens.genMinCoreBtf` — "Generate tailored BTF for this object": BTFGen (bpftool gen min_core_btf, byte for
 * byte) for a BPF object, on the explorer's context menu and in the palette. Pick the target kernels (the
 * `btfLens.coreTargets` ones, all picked; other BTF files can be added), write beside the object or into a
 * chosen folder (btf/genMinCoreBtf does the work and the writing), then open the report: the files, their
 * sizes against the full kernel BTF and what each relocation kept.
 * Tests call it with (object, { targets, outDir }) and no prompt; it returns the server's result.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FilesRequest, GenMinCoreBtfRequest, SettingsRequest } from '../../../server/src/protocol/requests';
import { request } from './request';

interface Options {
  targets?: string[];
  outDir?: string;
  /** no report document (tests) */
  quiet?: boolean;
}

async function pickObject(client: LanguageClient): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri ?? vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const r = await request(client, FilesRequest.method, {});
  const objects = r.files.filter((f) => f.kind === 'bpf-object' && f.state === 'indexed' && f.hasExt);
  const activeUri = active instanceof vscode.Uri ? active.toString() : (active as { uri?: vscode.Uri } | undefined)?.uri?.toString();
  if (activeUri && objects.some((o) => o.uri === activeUri)) return activeUri;
  if (!objects.length) {
    void vscode.window.showInformationMessage('BTF Lens: no BPF object with CO-RE relocations in the workspace.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(objects.map((f) => ({ label: f.label, uri: f.uri })), { title: 'Generate tailored BTF: which object?' });
  return pick?.uri;
}

async function pickTargets(client: LanguageClient): Promise<string[] | undefined> {
  const s = await request(client, SettingsRequest.method, {});
  type Item = vscode.QuickPickItem & { path?: string };
  const other: Item = { label: '$(add) Other BTF files…', alwaysShow: true };
  const items: Item[] = s.coreTargets.map((t) => ({ label: t.label, description: t.path, detail: t.error, path: t.path, picked: !t.error }));
  const picked = await vscode.window.showQuickPick([...items, other], {
    title: 'Generate tailored BTF: target kernels (btfLens.coreTargets)', canPickMany: true,
  });
  if (!picked) return undefined;
  const paths = picked.filter((i) => i.path).map((i) => i.path!);
  if (picked.includes(other)) {
    const more = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Use as target kernels', title: 'Kernel BTF files (raw BTF or vmlinux)' });
    for (const u of more ?? []) paths.push(u.fsPath);
  }
  return paths;
}

async function pickOutDir(object: vscode.Uri): Promise<string | undefined | null> {
  const beside = vscode.Uri.joinPath(object, '..');
  const choice = await vscode.window.showQuickPick(
    [{ label: 'Beside the object', description: vscode.workspace.asRelativePath(beside), dir: beside.fsPath }, { label: 'Choose a folder…', dir: undefined }],
    { title: 'Generate tailored BTF: where to write' },
  );
  if (!choice) return null;
  if (choice.dir) return choice.dir;
  const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Write here', defaultUri: beside });
  return dir?.[0]?.fsPath ?? null;
}

const size = (n: number) => (n < 10240 ? `${n} B` : n < 10 * 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

export function registerGenMinCore(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(vscode.commands.registerCommand('btfLens.genMinCoreBtf', async (arg?: vscode.Uri | string, opts: Options = {}) => {
    const object = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.toString() : await pickObject(client);
    if (!object) return undefined;
    const targets = opts.targets ?? (await pickTargets(client));
    if (!targets) return undefined;
    if (!targets.length) {
      void vscode.window.showInformationMessage('BTF Lens: no target kernels picked (btfLens.coreTargets is empty and no kernel BTF is set).');
      return undefined;
    }
    const outDir = opts.outDir ?? (await pickOutDir(vscode.Uri.parse(object)));
    if (outDir === null) return undefined;
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'BTF Lens: generating tailored BTF…' },
      () => request(client, GenMinCoreBtfRequest.method, { object, targets, outDir }),
    );
    if (!opts.quiet) {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: r.report });
      await vscode.window.showTextDocument(doc, { preview: false });
      const ok = r.files.filter((f) => f.out);
      const failed = r.files.length - ok.length;
      const sizes = ok.map((f) => `${f.label} ${size(f.outBytes!)} of ${size(f.targetBytes!)}`).join(', ');
      const text = `BTF Lens: wrote ${ok.length} tailored BTF${ok.length === 1 ? '' : 's'}${sizes ? ` (${sizes})` : ''}${failed ? `; ${failed} target${failed === 1 ? '' : 's'} failed (see the report)` : ''}.`;
      if (failed) void vscode.window.showWarningMessage(text);
      else void vscode.window.showInformationMessage(text);
    }
    return r;
  }));
}
