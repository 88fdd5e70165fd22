/**
 * Will it load on the target kernels, through the real client: btfLens.coreTargets set to the two small kernels
 * of test/fixtures/editor-load (old: no bpf_task_acquire kfunc; new: no do_unlinkat, kernfs_node.parent renamed
 * __parent), then the hover on src/load.c's SEC("fentry/do_unlinkat") line, on a kfunc extern and on a member,
 * the warnings on those lines, and the load matrix. Expected texts are the ones test/server/load-editor.test.ts
 * asserts in-process (checked there against libbpf's logs and bpftool's dumps of those kernels).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { env, hoverOn, lineOf, ready, wsUri } from './common';

const kernels = () => ['old', 'new'].map((k) => join(env.repo, 'test/fixtures/editor-load/btf', `${k}.btf`));

/** Resolves with the source's diagnostics once `ok` holds for them (VS Code's events, not time). */
function diagnosticsWhen(uri: vscode.Uri, ok: (d: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const check = () => {
      const d = vscode.languages.getDiagnostics(uri);
      if (!ok(d)) return false;
      sub.dispose();
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    check();
  });
}

describe('will it load on the target kernels (attach targets, kfuncs, renamed members)', () => {
  const src = () => wsUri('src/load.c');
  let warnings: readonly vscode.Diagnostic[] = [];

  before(async function () {
    this.timeout(60000);
    await ready();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(src()));
    await vscode.workspace.getConfiguration('btfLens').update('coreTargets', kernels(), vscode.ConfigurationTarget.Workspace);
    // the server re-reads the targets and publishes the source's warnings again: wait for both kernels' warnings
    warnings = await diagnosticsWhen(src(), (d) => d.some((x) => x.message.startsWith('load fails on new: ')) && d.some((x) => x.message.startsWith('load fails on old: ')));
  });
  after(async () => {
    await vscode.workspace.getConfiguration('btfLens').update('coreTargets', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('hover on SEC("fentry/do_unlinkat"): the prototype on old; on new, libbpf\'s error and the function nearby', async () => {
    const md = await hoverOn('src/load.c', 'SEC("fentry/do_unlinkat")', 'fentry');
    for (const part of [
      '**attach target do_unlinkat (fentry/do_unlinkat)** · program unlink_entry',
      '```\nold: found: int do_unlinkat(int dfd, struct filename *name)\nnew: not found — the load fails (error -3)',
      'Nearby on new: `do_unlinkat_at`',
    ]) assert.ok(md.includes(part), `missing ${JSON.stringify(part)} in\n${md}`);
  });

  it('a warning on that line for the kernel where the load fails there, and on the kfunc extern for the other', () => {
    const sec = lineOf('src/load.c', 'SEC("fentry/do_unlinkat")').line;
    const acq = lineOf('src/load.c', '*bpf_task_acquire(struct task_struct *p) __ksym').line;
    const load = warnings.filter((d) => d.message.startsWith('load fails on '));
    const at = (line: number) => load.filter((d) => d.range.start.line === line).map((d) => d.message.replace(/: not found — .*$/, ''));
    assert.deepEqual(at(sec), ['load fails on new: attach target do_unlinkat (fentry/do_unlinkat)']);
    assert.deepEqual(at(acq), ['load fails on old: kfunc bpf_task_acquire']);
    assert.ok(load.every((d) => d.severity === vscode.DiagnosticSeverity.Warning && d.source === 'btf-lens'));
  });

  it('hover on the kfunc extern: not found on old, the kernel\'s declaration on new', async () => {
    const md = await hoverOn('src/load.c', '*bpf_task_acquire(struct task_struct *p) __ksym', 'bpf_task_acquire');
    assert.ok(md.includes('**kfunc bpf_task_acquire**'), md);
    assert.match(md, /\nold: not found — the load fails \(error -3\)[^\n]*\nnew: found: struct task_struct \*bpf_task_acquire\(struct task_struct \*p\)\n/);
  });

  it('hover on kn->parent: where the member is on each kernel (renamed __parent on new)', async () => {
    const md = await hoverOn('src/load.c', 'return kn->parent != 0', 'parent');
    assert.ok(md.includes('This member on target kernels:\n\n```\nkernfs_node.parent: old offset 0 · new absent (named __parent)\n```'), md);
  });

  it('the load matrix: where the load stops on each kernel, and what changes across them', async () => {
    const api = await ready();
    const m = await api.client.sendRequest<{ objects: { object: string; cells: { text: string; loads: boolean }[] }[]; rows: { spec: string; changes?: string }[]; markdown: string }>(
      'btf/coreMatrix', { object: wsUri('build/load.bpfel.o').toString() });
    assert.deepEqual(m.objects.map((o) => [o.object, ...o.cells.map((c) => c.text.replace(/: not found — .*$/, ''))]),
      [['build/load.bpfel.o', 'kfunc bpf_task_acquire', 'attach target do_unlinkat (fentry/do_unlinkat)']]);
    assert.equal(m.rows.find((r) => r.spec.includes('struct kernfs_node.parent'))?.changes, 'new: field renamed (parent → __parent)');
    assert.match(m.markdown, /^# Load matrix: 1 object × 2 kernels$/m);
  });
});
