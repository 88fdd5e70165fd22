/**
 * "BTF Lens: Generate tailored BTF for this object" through the real client: the command, run on a workspace
 * object with a fixture kernel as its target, writes bpftool 7.1's bytes (test/golden/min-core-btf, made by
 * bpftool gen min_core_btf) and opens the report.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { env, ready, wsUri } from './common';

describe('Generate tailored BTF for this object', () => {
  it('writes bpftool\'s tailored BTF and opens the report', async () => {
    await ready();
    const out = mkdtempSync(join(tmpdir(), 'btf-lens-e2e-gen-'));
    try {
      const target = join(env.repo, 'test/fixtures/core-targets/btf/same.btf');
      const r = await vscode.commands.executeCommand<{ files: { label: string; out?: string; outBytes?: number; targetBytes?: number; error?: string }[] }>(
        'btfLens.genMinCoreBtf', wsUri('build/core.bpfel.o'), { targets: [target], outDir: out },
      );
      assert.ok(r, 'the command answers');
      assert.equal(r.files.length, 1);
      const f = r.files[0]!;
      assert.equal(f.error, undefined);
      assert.equal(f.out, join(out, 'core.bpfel-same.btf'));
      const want = readFileSync(join(env.repo, 'test/golden/min-core-btf/core.bpfel__same.btf'));
      assert.ok(readFileSync(f.out!).equals(want), 'byte for byte what bpftool wrote');
      assert.equal(f.outBytes, want.length);
      assert.ok(f.targetBytes! > want.length);
      const doc = vscode.window.activeTextEditor?.document;
      assert.equal(doc?.languageId, 'markdown');
      assert.match(doc!.getText(), /^# Tailored BTF for build\/core\.bpfel\.o\n/);
      assert.match(doc!.getText(), /keeps \[\d+\] struct task_struct: /);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
