/**
 * `btfLens.compareBtf` ("BTF Lens: Compare BTF…"): a file (the one clicked, the active editor's, or one
 * picked) against another — an indexed BTF file, a kernel of `btfLens.coreTargets`, or any file from a dialog.
 * The server diffs them (btf/compare) and the changes open as a read-only `btf-lens:` document whose code
 * lenses open both sides' C; type documents opened from it get their changed members marked (decorations
 * from btf/compareMarks, not diagnostics).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CompareMarksRequest, CompareRequest, FilesRequest, SettingsRequest, VIRTUAL_SCHEME } from '../../../server/src/protocol/requests';
import { request } from './request';

interface Side extends vscode.QuickPickItem {
  uri?: string;
  browse?: boolean;
}

async function sides(client: LanguageClient, except?: string): Promise<Side[]> {
  const [files, settings] = await Promise.all([request(client, FilesRequest.method, {}), request(client, SettingsRequest.method, {})]);
  const out: Side[] = [];
  const seen = new Set<string>();
  const add = (s: Side) => {
    if (!s.uri || s.uri === except || seen.has(s.uri)) return;
    seen.add(s.uri);
    out.push(s);
  };
  for (const t of settings.coreTargets) if (!t.error) add({ label: t.label, description: 'CO-RE target kernel', detail: t.path, uri: vscode.Uri.file(t.path).toString() });
  if (settings.kernel) add({ label: settings.kernel, description: 'kernel BTF', uri: vscode.Uri.file(settings.kernel).toString() });
  for (const f of files.files) {
    if (f.state !== 'indexed' || f.missingBase || f.ownTypes === 0) continue;
    add({ label: f.label, description: `${f.kind} · ${f.ownTypes} types`, uri: f.uri });
  }
  out.push({ label: '$(folder-opened) Choose a file…', browse: true });
  return out;
}

async function pick(client: LanguageClient, title: string, except?: string): Promise<string | undefined> {
  const s = await vscode.window.showQuickPick(sides(client, except), { title, matchOnDescription: true, matchOnDetail: true });
  if (!s) return undefined;
  if (!s.browse) return s.uri;
  const files = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Compare' });
  return files?.[0]?.toString();
}

/** The file a command was invoked on: the explorer's or editor title's resource, else the active editor's file. */
function invokedOn(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? arg.toString() : undefined;
  if (typeof arg === 'string') return arg;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = tab instanceof vscode.TabInputText || tab instanceof vscode.TabInputCustom ? tab.uri : undefined;
  return uri?.scheme === 'file' && !/\.(c|h)$/.test(uri.path) ? uri.toString() : undefined;
}

export function registerCompare(context: vscode.ExtensionContext, client: LanguageClient): void {
  const marked = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
  });
  let compared = false;
  const decorate = async (editors: readonly vscode.TextEditor[]) => {
    if (!compared) return;
    for (const e of editors) {
      if (e.document.uri.scheme !== VIRTUAL_SCHEME || !e.document.uri.path.endsWith('.btf.h')) continue;
      const r = await request(client, CompareMarksRequest.method, { uri: e.document.uri.toString() });
      e.setDecorations(marked, r.marks.filter((m) => m.line < e.document.lineCount).map((m) => ({
        range: e.document.lineAt(m.line).range,
        renderOptions: { after: { contentText: `// ${m.text}` } },
        hoverMessage: m.text,
      })));
    }
  };
  context.subscriptions.push(
    marked,
    vscode.window.onDidChangeVisibleTextEditors((editors) => void decorate(editors)),
    vscode.commands.registerCommand('btfLens.compareBtf', async (arg?: unknown, other?: unknown) => {
      const old = invokedOn(arg) ?? (await pick(client, 'Compare BTF: the old side'));
      if (!old) return undefined;
      const neu = typeof other === 'string' ? other : other instanceof vscode.Uri ? other.toString()
        : await pick(client, `Compare ${vscode.Uri.parse(old).path.split('/').pop()} with…`, old);
      if (!neu) return undefined;
      let r: CompareRequest.Result;
      try {
        r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'BTF Lens: comparing…' },
          () => request(client, CompareRequest.method, { old, new: neu }),
        );
      } catch (e) {
        void vscode.window.showErrorMessage(`BTF Lens: cannot compare: ${(e as Error).message}`);
        return undefined;
      }
      compared = true;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(r.uri));
      await vscode.window.showTextDocument(doc, { preview: false });
      return r;
    }),
  );
}
