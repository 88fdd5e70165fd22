/**
 * Settings the user never set, as a real VS Code hands them over, and what the server makes of them. The
 * middle column comes from a real run: test/fixtures/settings/vscode-unset.json, written and checked by the
 * e2e scenario "defaults" (test/e2e/suite/defaults.test.ts) in code-server 1.139 with the packaged .vsix:
 *   workbench — what VS Code reports for each unset btfLens.* setting (the declared default, else [] / {} / ''
 *               by type); what a client sending getConfiguration('btfLens') (vscode-languageclient's
 *               synchronize, this extension before) sends;
 *   sent      — what the client really sent the server (initializationOptions, the start-up
 *               workspace/configuration answer), recorded by the server (btf/settings).
 * Each must mean "unset" to the server: the defaults the README's settings table gives.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import type { SettingsRequest } from '../../server/src/protocol/requests';
import { coreTargetsOf } from '../../server/src/lsp/core-targets';
import { SYS_VMLINUX, type Settings, kernelBtfPath, readSettings } from '../../server/src/lsp/settings';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { golden, repoRoot } from '../helpers/paths';
import { startTestServer } from './harness';

interface Fixture {
  vscode: string;
  regenerate: string;
  workbench: Record<string, unknown>;
  sent: { initializationOptions: Record<string, unknown>; 'workspace/configuration': Record<string, unknown>; didChangeConfiguration: unknown[] };
}
const fixture = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/settings/vscode-unset.json'), 'utf8')) as Fixture;
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } };
const declared = Object.keys(pkg.contributes.configuration.properties).filter((k) => k.startsWith('btfLens.')).map((k) => k.slice(8));
/** A small kernel BTF (task_struct.pid at byte 56) standing in for the machine's: the core_oracle golden says what libbpf makes of it. */
const KERNEL = join(repoRoot, 'test/fixtures/core-targets/btf/moved.btf');
const noEvents = { changed() {}, status() {}, log() {} };

/** setting → what the server does when the user set nothing (the README's settings table). */
const TABLE: Record<string, { does: string; check: (s: Settings) => void }> = {
  include: {
    does: 'indexes objects, raw .btf, modules (also compressed) and vmlinux files',
    check: (s) => assert.deepEqual(s.include, ['**/*.o', '**/*.bpf.o', '**/*.btf', '**/*.ko', '**/*.ko.{xz,zst,gz}', '**/vmlinux']),
  },
  exclude: {
    does: 'skips node_modules, .git, .vscode-test',
    check: (s) => assert.deepEqual(s.exclude, ['**/node_modules', '**/.git', '**/.vscode-test']),
  },
  kernelBtf: {
    does: `uses ${SYS_VMLINUX} when it exists`,
    check: (s) => assert.equal(kernelBtfPath(s), existsSync(SYS_VMLINUX) ? SYS_VMLINUX : undefined),
  },
  hoverMaxInstructions: {
    does: 'shows 8 instructions per function in a hover',
    check: (s) => assert.equal(s.hoverMaxInstructions, 8),
  },
  coreTargets: {
    does: 'resolves CO-RE against the kernel BTF (btfLens.kernelBtf)',
    check: (s) => {
      const index = new WorkspaceIndex([], { ...s, kernelBtf: KERNEL }, noEvents);
      assert.deepEqual(coreTargetsOf(index).targets().map((t) => [t.label, t.path, t.error]), [['moved', KERNEL, undefined]]);
    },
  },
  // Checked once package.json declares it (the module-base pairing work adds it).
  moduleBases: {
    does: 'maps no glob to a base: modules pair with a base by the release their files name',
    check: (s) => assert.deepEqual((s as { moduleBases?: unknown }).moduleBases ?? {}, {}),
  },
};

describe(`unset settings: what ${fixture.vscode} sends, what the server does`, () => {
  test('the table, the recorded run and package.json name the same settings', () => {
    assert.deepEqual(declared.filter((k) => !TABLE[k]), [], 'a btfLens.* setting without a row here');
    assert.deepEqual(Object.keys(fixture.workbench).sort(), [...declared].sort(),
      `test/fixtures/settings/vscode-unset.json is from another package.json: regenerate it (${fixture.regenerate})`);
  });

  test('the client sends no unset setting: not at start-up, not when asked', () => {
    assert.deepEqual(fixture.sent.initializationOptions, {});
    assert.deepEqual(fixture.sent['workspace/configuration'], {});
  });

  for (const key of declared) {
    const row = TABLE[key];
    test(`btfLens.${key}: VS Code reports ${JSON.stringify(fixture.workbench[key])} → the server ${row?.does ?? '(no row)'}`, () => {
      assert.ok(row, `no row for btfLens.${key}`);
      // Whatever reaches the server for an unset setting means the same as nothing sent at all.
      assert.deepEqual(readSettings({ [key]: fixture.workbench[key] }), readSettings({}),
        'readSettings must read VS Code\'s value for an unset setting as unset (give what readSettings({}) gives)');
      for (const sent of [fixture.sent.initializationOptions, fixture.sent['workspace/configuration'], fixture.workbench]) row.check(readSettings(sent));
    });
  }

  test('a user\'s own coreTargets: [] also means the kernel BTF; a list is used as given', () => {
    assert.equal(readSettings({ coreTargets: [] }).coreTargets, undefined);
    assert.equal(readSettings({ coreTargets: [42, null] }).coreTargets, undefined);
    assert.deepEqual(readSettings({ coreTargets: ['/k/a.btf', { path: '/k/b.btf', label: 'b' }] }).coreTargets, ['/k/a.btf', { path: '/k/b.btf', label: 'b' }]);
  });

  test('in the server: VS Code\'s filled-in settings (coreTargets: []) give the kernel\'s CO-RE outcome in a hover (libbpf: offset 8 -> 56)', async () => {
    // libbpf relocating core.bpfel.o against that BTF (core_oracle): `patched insn #12 (ALU/ALU64) imm 8 -> 56`
    const m = /^prog 'core_reads': relo #0: patched insn #\d+ \(ALU\/ALU64\) imm (\d+) -> (\d+)$/m.exec(readFileSync(join(golden, 'core-resolve/core.bpfel__moved.txt'), 'utf8'));
    assert.ok(m);
    const want = `On target kernels:\n\n\`\`\`\nmoved: offset ${m[2]} (local ${m[1]})\n\`\`\``;
    // The client of before: every value VS Code reports, so coreTargets: [] (kernelBtf: the stand-in kernel).
    const s = await startTestServer({ settings: { ...fixture.workbench, kernelBtf: KERNEL } });
    try {
      const lines = readFileSync(s.path('src/core.c'), 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);'));
      const character = lines[line]!.indexOf('pid)') + 1;
      const hover = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/core.c') }, position: { line, character } })) as Hover;
      assert.ok((hover.contents as { value: string }).value.includes(want), (hover.contents as { value: string }).value);
    } finally {
      s.close();
    }
  });

  test('start-up pulls workspace/configuration where the client answers it; its keys win over initializationOptions', async () => {
    const asked: (string | undefined)[] = [];
    const s = await startTestServer({
      settings: { ...fixture.sent.initializationOptions, hoverMaxInstructions: 3 },
      configuration: (section) => {
        asked.push(section);
        return section === 'btfLens' ? { ...fixture.sent['workspace/configuration'], kernelBtf: KERNEL } : null;
      },
    });
    try {
      assert.deepEqual(asked, ['btfLens']);
      const r = (await s.client.sendRequest('btf/settings', {})) as SettingsRequest.Result;
      assert.deepEqual(r.initializationOptions, { kernelBtf: 'none', hoverMaxInstructions: 3 });
      assert.deepEqual(r.configuration, { kernelBtf: KERNEL });
      assert.equal(r.kernel, KERNEL);
      assert.equal(r.effective.hoverMaxInstructions, 3, 'a key the answer lacks keeps its initializationOptions value');
      assert.deepEqual(r.coreTargets, [{ label: 'moved', path: KERNEL }]);
    } finally {
      s.close();
    }
  });

  test('a client that never answers workspace/configuration does not hold up the index (initializationOptions are used)', { timeout: 20000 }, async () => {
    const t = Date.now();
    const s = await startTestServer({ settings: { hoverMaxInstructions: 3 }, configuration: () => new Promise(() => {}) });
    try {
      const r = (await s.client.sendRequest('btf/settings', {})) as SettingsRequest.Result;
      assert.equal(r.configuration, undefined);
      assert.equal(r.effective.hoverMaxInstructions, 3);
      assert.ok(Date.now() - t < 20000, `${Date.now() - t} ms`);
    } finally {
      s.close();
    }
  });
});
