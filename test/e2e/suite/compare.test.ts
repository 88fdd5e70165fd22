/**
 * "BTF Lens: Compare BTF…" through the real client: the command on two workspace objects (the other side
 * given as the command's second argument, as the quick pick would), the read-only `btf-lens:` document it
 * opens (the `btf-lens diff` text of the same two files: the CLI is checked against bpftool's JSON in
 * test/unit/diff.test.ts), its `diff` language, and the code lenses that open both sides' C.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { env, folder, ready, wsUri } from './common';

describe('Compare BTF…', () => {
  it('opens the changes between two objects as a document; its lenses open both sides\' C', async () => {
    await ready();
    const r = await vscode.commands.executeCommand<{ uri: string; summary: { changed: number; added: number; removed: number } } | undefined>(
      'btfLens.compareBtf', wsUri('build/core.bpfel.o'), wsUri('build/progs.bpfel.o'));
    assert.ok(r, 'the command answered nothing');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.toString() === vscode.Uri.parse(r.uri).toString(), `active: ${editor?.document.uri}`);
    const text = editor.document.getText();
    // The same text as the CLI prints for the same two files, named as the workspace names them.
    const cli = spawnSync(process.execPath, [join(env.repo, 'dist/cli.js'), 'diff', 'build/core.bpfel.o', 'build/progs.bpfel.o'],
      { cwd: folder().fsPath, encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    assert.equal(cli.status, 1, cli.stderr); // diff(1): they differ
    assert.equal(text, cli.stdout);
    assert.match(text, /^--- build\/core\.bpfel\.o\n\+\+\+ build\/progs\.bpfel\.o\n/);
    assert.match(text, new RegExp(`\n${r.summary.changed} changed, ${r.summary.added} added, ${r.summary.removed} removed\n$`));
    assert.ok(r.summary.added + r.summary.removed > 0);
    if (editor.document.languageId !== 'diff') {
      await new Promise<void>((done) => {
        const sub = vscode.workspace.onDidOpenTextDocument((d) => {
          if (d.uri.toString() === editor.document.uri.toString() && d.languageId === 'diff') { sub.dispose(); done(); }
        });
      });
    }
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    const lines = text.split('\n');
    const first = lines.indexOf('~ struct task_struct'); // fewer members in progs.c's own task_struct
    const titles = lenses.filter((l) => l.range.start.line === first).map((l) => l.command?.title);
    assert.deepEqual(titles, ['old: build/core.bpfel.o', 'new: build/progs.bpfel.o']);
    const lens = lenses.find((l) => l.range.start.line === first)!;
    await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    const typeDoc = vscode.window.activeTextEditor!.document;
    assert.equal(typeDoc.uri.scheme, 'btf-lens');
    assert.match(typeDoc.getText(), /^\/\* \[\d+\] STRUCT 'task_struct' · build\/core\.bpfel\.o \*\/\nstruct task_struct \{/, typeDoc.getText().slice(0, 200));
  });
});
