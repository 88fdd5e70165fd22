/**
 * Scenario "defaults" (test/e2e/run.mjs): the packaged .vsix installed into the VS Code, a workspace and a
 * user settings file that name no `btfLens.*` key (except `btfLens.kernelBtf` in the user settings where
 * the machine has no /sys/kernel/btf/vmlinux). What a newcomer gets out of the box: CO-RE resolved against
 * the running kernel in hovers and in the compatibility matrix.
 * It also records what this VS Code reports for each unset setting and what the client really sent the
 * server, and compares both with test/fixtures/settings/vscode-unset.json, the table
 * test/server/settings-unset.test.ts checks the server against (BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE=1 rewrites it).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, env, hoverOn, ready } from './common';

const kernelPath = env.kernelPath;
const sysKernel = kernelPath === '/sys/kernel/btf/vmlinux';
/** The running kernel's label, from uname -r (vmlinux-6.18 for 6.18.44-…); a configured file is named by its base name. */
const kernelLabel = sysKernel ? `vmlinux-${/^\d+\.\d+/.exec(release())![0]}` : kernelPath.split('/').pop()!.replace(/\.btf$/, '');
/** The byte offset of task_struct.pid in that kernel, as bpftool dumps it (run.mjs; '' without bpftool). */
const pidOffset = process.env.BTF_LENS_E2E_PID_OFFSET ?? '';
const FIXTURE = 'test/fixtures/settings/vscode-unset.json';

interface Received { initializationOptions?: unknown; configuration?: unknown; didChangeConfiguration: unknown[]; effective: Record<string, unknown>; kernel?: string; coreTargets: { label: string; path: string }[] }

describe('out of the box: no btfLens.* setting, the packaged extension', () => {
  it('the extension is the installed .vsix and no btfLens.* setting is set at any level', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    if (process.env.BTF_LENS_E2E_FROM === 'vsix') {
      assert.ok(!ext.extensionPath.startsWith(env.repo + '/') && ext.extensionPath !== env.repo, `the extension runs from ${ext.extensionPath}, not from an installed .vsix`);
    }
    const cfg = vscode.workspace.getConfiguration('btfLens');
    for (const key of declaredKeys()) {
      const i = cfg.inspect(key)!;
      const set = (['globalValue', 'workspaceValue', 'workspaceFolderValue', 'globalLanguageValue', 'workspaceLanguageValue', 'workspaceFolderLanguageValue'] as const)
        .filter((l) => i[l] !== undefined);
      if (key === 'kernelBtf' && !sysKernel) assert.deepEqual(set, ['globalValue'], 'only the fallback kernelBtf (no /sys/kernel/btf/vmlinux here)');
      else assert.deepEqual(set, [], `btfLens.${key} is set`);
    }
  });

  it('hover on a BPF_CORE_READ line shows "On target kernels" with the running kernel\'s outcome', async () => {
    await ready();
    const md = await hoverOn('src/core.c', 'o->pid = BPF_CORE_READ(t, pid);', 'pid)');
    const block = /On target kernels:\n\n```\n([^`]*)\n```/.exec(md);
    assert.ok(block, `no "On target kernels" block in the hover:\n${md}`);
    // local 8: the fixture's own struct task_struct (bpftool: 'pid' bits_offset=64); the kernel's offset from bpftool.
    const want = new RegExp(`^${kernelLabel.replace(/[.]/g, '\\.')}: offset ${pidOffset || '\\d+'} \\(local 8\\)$`, 'm');
    assert.match(block[1]!, want);
    if (!pidOffset) console.log('      (no bpftool: the kernel\'s offset of task_struct.pid not checked)');
  });

  it('the load matrix (btfLens.coreMatrix\'s btf/coreMatrix) lists that kernel and is not empty', async () => {
    const api = await ready();
    const m = await api.client.sendRequest<{ targets: { label: string; path: string; error?: string }[]; rows: { object: string; outcomes: { text: string }[] }[]; markdown: string }>('btf/coreMatrix', {});
    assert.deepEqual(m.targets.map((t) => [t.label, t.path, t.error]), [[kernelLabel, kernelPath, undefined]], m.markdown.slice(0, 400));
    assert.ok(m.rows.length > 0, m.markdown.slice(0, 400));
    const pid = m.rows.find((r) => r.object === 'build/core.bpfel.o' && r.outcomes[0]?.text.startsWith('offset '));
    assert.ok(pid, m.markdown.slice(0, 1200));
    assert.match(m.markdown, new RegExp(`^# Load matrix: \\d+ objects × 1 kernel$`, 'm'));
  });

  it('what VS Code reports for unset settings and what the client sent are the recorded table (test/fixtures/settings/vscode-unset.json)', async () => {
    const api = await ready();
    const cfg = vscode.workspace.getConfiguration('btfLens');
    const workbench: Record<string, unknown> = {};
    for (const key of declaredKeys()) workbench[key] = cfg.get(key);
    const r = await api.client.sendRequest<Received>('btf/settings', {});
    // Only the fallback kernelBtf may have been sent (no /sys/kernel/btf/vmlinux): left out of the record.
    const unsetOnly = (v: unknown) => {
      if (sysKernel || !v || typeof v !== 'object') return v;
      const { kernelBtf: _, ...rest } = v as Record<string, unknown>;
      return rest;
    };
    if (!sysKernel) delete workbench.kernelBtf;
    const record = {
      vscode: `${vscode.env.appName} ${vscode.version}`,
      regenerate: 'npm run build && BTF_LENS_E2E_SCENARIOS=defaults BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE=1 node test/e2e/run.mjs',
      workbench,
      sent: {
        initializationOptions: unsetOnly(r.initializationOptions),
        'workspace/configuration': unsetOnly(r.configuration),
        didChangeConfiguration: r.didChangeConfiguration.map(unsetOnly),
      },
    };
    const file = join(env.repo, FIXTURE);
    if (process.env.BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE) {
      writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
      console.log(`      wrote ${FIXTURE}`);
    }
    const fixture = JSON.parse(readFileSync(file, 'utf8')) as typeof record;
    assert.deepEqual({ workbench: record.workbench, sent: record.sent }, { workbench: fixture.workbench, sent: fixture.sent },
      `what ${record.vscode} reports or the client sent differs from ${FIXTURE} (${fixture.vscode}): the client sends a setting the user did not set, `
      + `or VS Code changed (then regenerate: ${record.regenerate})`);
    // And what the server made of it: the table's third column, live.
    assert.deepEqual(r.coreTargets.map((t) => [t.label, t.path]), [[kernelLabel, kernelPath]]);
    assert.equal(r.kernel, kernelPath);
  });

  it('a setting the user changes reaches the server alone (didChangeConfiguration), and unsetting it again sends nothing', async () => {
    const api = await ready();
    const cfg = () => vscode.workspace.getConfiguration('btfLens');
    // The extension's own listener was registered first: when ours fires, it has sent its notification.
    const changed = () => new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('btfLens')) { sub.dispose(); resolve(); } });
    });
    let seen = changed();
    await cfg().update('hoverMaxInstructions', 3, vscode.ConfigurationTarget.Global);
    await seen;
    let r = await api.client.sendRequest<Received>('btf/settings', {});
    const fallback = sysKernel ? {} : { kernelBtf: kernelPath };
    assert.deepEqual(r.didChangeConfiguration.at(-1), { ...fallback, hoverMaxInstructions: 3 });
    assert.equal(r.effective.hoverMaxInstructions, 3);
    seen = changed();
    await cfg().update('hoverMaxInstructions', undefined, vscode.ConfigurationTarget.Global);
    await seen;
    r = await api.client.sendRequest<Received>('btf/settings', {});
    assert.deepEqual(r.didChangeConfiguration.at(-1), fallback);
    assert.equal(r.effective.hoverMaxInstructions, 8);
    assert.deepEqual(r.coreTargets.map((t) => t.path), [kernelPath]);
  });
});

/** The `btfLens.*` settings the extension declares (without the prefix). */
function declaredKeys(): string[] {
  const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { configuration: { properties: Record<string, unknown> } } };
  return Object.keys(pkg.contributes.configuration.properties).filter((k) => k.startsWith('btfLens.')).map((k) => k.slice('btfLens.'.length));
}
