/**
 * The type-tree custom editor through vscode.openWith: a raw .btf, a module on its base, an object
 * (the "Open With…" editor) and a corrupt object. Each waits on the webview's own `rendered` report
 * (api.typeTree.waitRendered: the page painted its first rows), never on time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { type Api, env, golden, ready, wsUri } from './common';

interface RenderedInfo { uri: string; rows: number; ms: number }
interface TypeTreeApi { waitRendered(uri?: vscode.Uri): Promise<RenderedInfo> }

async function typeTree(ctx: Mocha.Context): Promise<TypeTreeApi> {
  const api = (await ready()) as Api & { typeTree?: TypeTreeApi };
  if (!api.typeTree) {
    console.log('      skipped: this build of the extension has no type-tree editor (api.typeTree)');
    ctx.skip();
  }
  return api.typeTree!;
}

/** openWith, resolved once the webview reports its first painted rows. */
async function openRendered(tt: TypeTreeApi, uri: vscode.Uri, viewType: string): Promise<RenderedInfo> {
  const rendered = tt.waitRendered(uri); // subscribed before opening: the report cannot be missed
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
  const info = await rendered;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  assert.ok(tab?.input instanceof vscode.TabInputCustom, `active tab is not a custom editor: ${tab?.label}`);
  assert.equal(tab.input.viewType, viewType);
  assert.equal(tab.input.uri.toString(), uri.toString());
  return info;
}

describe('type tree (custom editor) through vscode.openWith', () => {
  it('a raw .btf opens in the type tree by default and its rows render', async function () {
    const tt = await typeTree(this);
    const uri = wsUri('btf/types.bpfel.btf');
    const info = await openRendered(tt, uri, 'btfLens.typeTree');
    // bpftool's dump of the same file: the number of types there bounds the rows painted
    const types = golden('raw/types.bpfel.btf.txt').split('\n').filter((l) => l.startsWith('[')).length;
    assert.ok(info.rows > 0 && info.rows <= types, `rows ${info.rows} of ${types} types`);
    console.log(`      ${info.rows} rows painted ${info.ms} ms after the page started`);
  });

  it('a module opens on its base and renders', async function () {
    if (env.kernel !== 'corpus-6.1') {
      console.log(`      skipped: the module's base (../shared/corpus/vmlinux-6.1.btf) is absent; kernel BTF here: ${env.kernel}`);
      this.skip();
    }
    const tt = await typeTree(this);
    const info = await openRendered(tt, wsUri('modules/regmap-sdw.btf'), 'btfLens.typeTree');
    assert.ok(info.rows > 0, `rows ${info.rows}`);
  });

  it('the shipped .ko opens on the vmlinux of its release and renders its types', async function () {
    const tt = await typeTree(this);
    const info = await openRendered(tt, wsUri('modules/regmap-sdw.ko'), 'btfLens.typeTreeObject');
    assert.ok(info.rows > 0, `rows ${info.rows}`);
  });

  it('a BPF object opens with "Open With…" (btfLens.typeTreeObject) and renders', async function () {
    const tt = await typeTree(this);
    const info = await openRendered(tt, wsUri('build/core.bpfel.o'), 'btfLens.typeTreeObject');
    assert.ok(info.rows > 0, `rows ${info.rows}`);
  });

  it('a corrupt object still opens and reports back (no types), and the next file still renders', async function () {
    const tt = await typeTree(this);
    await openRendered(tt, wsUri('build/corrupt.bpfel.o'), 'btfLens.typeTreeObject');
    const next = await openRendered(tt, wsUri('build/progs.bpfel.o'), 'btfLens.typeTreeObject');
    assert.ok(next.rows > 0, `rows ${next.rows}`);
  });
  it('the kernel BTF (a whole vmlinux, ~100k types) opens in the type tree and paints its first rows', async function () {
    if (!env.kernelPath) {
      console.log('      skipped: no kernel BTF on this machine');
      this.skip();
    }
    const tt = await typeTree(this);
    const info = await openRendered(tt, vscode.Uri.file(env.kernelPath), 'btfLens.typeTreeObject');
    assert.ok(info.rows > 0, `rows ${info.rows}`);
    console.log(`      ${env.kernelPath}: ${info.rows} rows painted ${info.ms} ms after the page started`);
  });

  it('the tree link of a source-line hover opens the object in the type tree', async function () {
    const tt = await typeTree(this);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const src = wsUri('src/core.c');
    const doc = await vscode.workspace.openTextDocument(src);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', src, new vscode.Position(line, 4));
    const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    const m = /\(command:btfLens\.revealType\?([^ )]+)/.exec(md);
    assert.ok(m, `no type-tree link in the hover:\n${md}`);
    const [file, id] = JSON.parse(decodeURIComponent(m[1]!)) as [string, number];
    assert.equal(id, 22);
    const uri = vscode.Uri.parse(file);
    const rendered = tt.waitRendered(uri);
    await vscode.commands.executeCommand('btfLens.revealType', file, id);
    const info = await rendered;
    assert.ok(info.rows > 0, `rows ${info.rows}`);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom && tab.input.uri.toString() === uri.toString(), `active tab: ${tab?.label}`);
  });
});
