/**
 * Indexing as the user sees it: work-done progress (begin with the file count, reports, end), a
 * cancelled index (the rest of the queue is dropped, what was read stays answerable), and what is
 * found with the default globs.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
      assert.deepEqual(s.progress[0], { kind: 'begin', title: 'BTF Lens: indexing', cancellable: true, message: '6 file(s)', percentage: 0 });
      // build/*.o (4, one of them x86-64), modules/regmap-sdw.{btf,ko}: one report per file, in path order.
      assert.deepEqual(s.progress.slice(1, -1).map((p) => [p.percentage, p.message]), [
        [16, '1/6 core.bpfeb.o'], [33, '2/6 core.bpfel.o'], [50, '3/6 not_bpf.x86_64.o'], [66, '4/6 progs.bpfel.o'], [83, '5/6 regmap-sdw.btf'],
        [100, '6/6 regmap-sdw.ko'],
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

describe('source mapping: line_info file names to workspace files', () => {
  test('longest path suffix wins; on a tie, the file nearest the object; outside the folders only if it exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'btf-lens-map-'));
    try {
      for (const rel of ['a/src/prog.c', 'b/prog.c', 'b/build/x.h', 'c/deep/src/prog.c']) {
        mkdirSync(join(root, rel, '..'), { recursive: true });
        writeFileSync(join(root, rel), '');
      }
      const index = new WorkspaceIndex([root], readSettings({ kernelBtf: 'none' }), { changed: () => {}, status: () => {}, log: () => {} });
      await index.start();
      const obj = join(root, 'b/build');
      // A build machine's absolute path: the most trailing components shared.
      assert.equal(index.resolveSource('/build/machine/a/src/prog.c', obj), join(root, 'a/src/prog.c'));
      assert.equal(index.resolveSource('/home/ci/c/deep/src/prog.c', obj), join(root, 'c/deep/src/prog.c'));
      // A bare name fits all three equally: the one nearest the object (b/build/x.o → b/prog.c).
      assert.equal(index.resolveSource('prog.c', obj), join(root, 'b/prog.c'));
      // Windows separators count as separators.
      assert.equal(index.resolveSource('C:\\\\work\\\\b\\\\prog.c', obj), join(root, 'b/prog.c'));
      assert.equal(index.resolveSource('/nowhere/else.c', obj), undefined);
      assert.equal(index.resolveSource('x.h', obj), join(root, 'b/build/x.h'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
