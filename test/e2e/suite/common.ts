/** What the e2e suites share: the extension's API, the workspace copy, the environment test/e2e/run.mjs set. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'btf-lens.btf-lens';

/** The extension's API (client/src/extension.ts BtfLensApi), typed loosely: tests see it from outside. */
export interface Api {
  ready: Promise<void>;
  client: { sendRequest<R>(method: string, params: unknown): Promise<R> };
  [k: string]: unknown;
}

export const env = {
  /** The repository (for goldens). */
  repo: process.env.BTF_LENS_E2E_REPO ?? '',
  /** 'corpus-6.1' (the module's real base), 'sys' (/sys/kernel/btf/vmlinux, not the module's base) or 'none'. */
  kernel: process.env.BTF_LENS_E2E_KERNEL ?? 'none',
  kernelPath: process.env.BTF_LENS_E2E_KERNEL_PATH ?? '',
};

export const folder = (): vscode.Uri => {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri;
};
export const wsUri = (rel: string): vscode.Uri => vscode.Uri.joinPath(folder(), ...rel.split('/'));
export const wsPath = (rel: string): string => wsUri(rel).fsPath;

let api: Api | undefined;
/** Activates (a no-op when activation events already did) and waits for the first index. */
export async function ready(): Promise<Api> {
  if (api) return api;
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  const a = await ext.activate();
  await a.ready;
  api = a;
  return a;
}

/** 0-based line of the first line of a workspace file containing `text`, and that line. */
export function lineOf(rel: string, text: string): { line: number; text: string } {
  const lines = readFileSync(wsPath(rel), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`no line with ${text} in ${rel}`);
  return { line, text: lines[line]! };
}

/** The `btf-lens:` URI of a type's C document, as the server builds it (see test/server/lsp.test.ts). */
export const typeDoc = (rel: string, id: number, title: string): string =>
  `btf-lens://${wsPath(rel).split('/').map(encodeURIComponent).join('/')}/@${id}/${encodeURIComponent(title)}.btf.h`;

export function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n\n---\n\n');
}

/** The hover text on the line of `rel` holding `lineText`, one character into `at` (the source opened first, as a user would). */
export async function hoverOn(rel: string, lineText: string, at: string): Promise<string> {
  const uri = wsUri(rel);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const { line, text } = lineOf(rel, lineText);
  return hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, text.indexOf(at) + 1)));
}

export const golden = (rel: string): string => readFileSync(join(env.repo, 'test/golden', rel), 'utf8');
