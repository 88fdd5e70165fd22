/**
 * Indexing as the user sees it: work-done progress (begin with the file count, reports, end), a
 * cancelled index (the rest of the queue is dropped, what was read stays answerable), and what is
 * found with the default globs.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readSettings } from '../../server/src/lsp/settings';
import { type IndexProgress, WorkspaceIndex } from '../../server/src/lsp/workspace';
import { startTestServer, workspaceFixture } from './harness';

describe('indexing: progress and cancellation', () => {
  test('work-done progress over LSP: begin (cancellable, file count), a report per file, end', async () => {
    const s = await startTestServer();
    try {
      const kinds = s.progress.map((p) => p.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds[kinds.length - 1], 'end');
      assert.deepEqual(s.progress[0], { kind: 'begin', title: 'BTF Lens: indexing', cancellable: true, message: '5 file(s)', percentage: 0 });
      // build/*.o (4, one of them x86-64), modules/regmap-sdw.btf: one report per file, in path order.
      assert.deepEqual(s.progress.slice(1, -1).map((p) => [p.percentage, p.message]), [
        [20, '1/5 core.bpfeb.o'], [40, '2/5 core.bpfel.o'], [60, '3/5 not_bpf.x86_64.o'], [80, '4/5 progs.bpfel.o'], [100, '5/5 regmap-sdw.btf'],
      ]);
    } finally {
      s.close();
    }
  });

  test('cancelled after two files: the queue is dropped, the two stay indexed, the index says it is ready', async () => {
    const root = mkdtempSync(join(tmpdir(), 'btf-lens-cancel-'));
    cpSync(workspaceFixture, root, { recursive: true });
    const logs: string[] = [];
    const statuses: boolean[] = [];
    try {
      const index = new WorkspaceIndex([root], readSettings({ kernelBtf: 'none' }), {
        changed: () => {}, status: (indexing) => statuses.push(indexing), log: (m) => logs.push(m),
      });
      let reports = 0;
      let began = -1;
      let ended = false;
      index.setProgressFactory(async (): Promise<IndexProgress> => ({
        begin: (total) => (began = total),
        report: () => void reports++,
        end: () => (ended = true),
        get cancelled() {
          return reports >= 2;
        },
      }));
      await index.start();
      assert.equal(began, 5);
      assert.ok(ended);
      assert.deepEqual([...index.files.keys()].map((p) => p.slice(root.length + 1)), ['build/core.bpfeb.o', 'build/core.bpfel.o']);
      assert.deepEqual(logs.filter((l) => l.startsWith('indexing')), ['indexing cancelled: 3 file(s) not indexed']);
      assert.deepEqual(statuses, [true, false]);
      assert.equal(index.indexing, false);
      // What was read answers: the source maps to both objects.
      assert.deepEqual(index.objectsFor(join(root, 'src/core.c')).map((o) => o.file.label), ['build/core.bpfeb.o', 'build/core.bpfel.o']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
