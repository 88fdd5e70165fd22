/**
 * "Compare BTF…" in the language server: `btf/compare` on two builds of one object (test/fixtures/diff), its
 * document against what scripts/diff-reference.py finds from bpftool's JSON alone (test/golden/diff/objects.json),
 * the code lenses that open both sides' C, the marks on a type document; and the two corpus kernels, which are
 * not in the workspace (skipped without them).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver/node';
import type { CompareMarksRequest, CompareRequest, DocumentRequest } from '../../server/src/protocol/requests';
import { golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';
import { startTestServer } from './harness';

const diffFixtures = join(repoRoot, 'test/fixtures/diff');
interface RefChange { kind: string; name: string; change: string; details: { what: string; member?: string }[] }

describe('language server: Compare BTF…', () => {
  test('two builds of one object: the document lists what the reference diff finds, lenses open both sides', async () => {
    const s = await startTestServer({
      prepare(root) {
        copyFileSync(join(diffFixtures, 'old.bpf.o'), join(root, 'build/old.bpf.o'));
        copyFileSync(join(diffFixtures, 'new.bpf.o'), join(root, 'build/new.bpf.o'));
      },
    });
    try {
      const r = (await s.client.sendRequest('btf/compare', { old: s.uri('build/old.bpf.o'), new: s.uri('build/new.bpf.o') })) as CompareRequest.Result;
      const ref = JSON.parse(readFileSync(join(golden, 'diff/objects.json'), 'utf8')) as { changes: RefChange[]; summary: CompareRequest.Result['summary'] };
      assert.deepEqual(r.summary, ref.summary);
      assert.match(r.uri, /^btf-lens:.*\/build\/old\.bpf\.o\/@diff\/.*\/build\/new\.bpf\.o\.diff$/);
      const doc = (await s.client.sendRequest('btf/document', { uri: r.uri })) as DocumentRequest.Result;
      assert.equal(doc.languageId, 'diff');
      const lines = doc.text.split('\n');
      assert.equal(lines[0], '--- build/old.bpf.o');
      // One `~`/`+`/`-` line per change of the reference, in its order; a `~` line names the type.
      const heads = lines.filter((l) => /^[~+-] /.test(l));
      assert.equal(heads.length, ref.changes.length);
      ref.changes.forEach((c, i) => {
        assert.equal(heads[i]![0], c.change === 'changed' ? '~' : c.change === 'added' ? '+' : '-', `${c.kind} ${c.name}`);
        assert.ok(heads[i]!.includes(c.name), `${heads[i]} names ${c.name}`);
      });
      // Under each changed type, one line per detail of the reference, with its category and member.
      let at = 0;
      for (const c of ref.changes) {
        at = lines.findIndex((l, n) => n >= at && /^[~+-] /.test(l) && l.includes(c.name));
        for (const [k, d] of c.details.entries()) {
          const line = lines[at + 1 + k]!;
          assert.ok(line.startsWith(`    ${d.what}`), `${c.name}: '${line}' is '${d.what}'`);
          if (d.member !== undefined && !d.what.endsWith('renamed')) assert.ok(line.includes(d.member), `${line} names ${d.member}`);
        }
      }
      assert.equal(lines.at(-2), `${ref.summary.changed} changed, ${ref.summary.added} added, ${ref.summary.removed} removed`);

      const lenses = (await s.client.sendRequest('textDocument/codeLens', { textDocument: { uri: r.uri } })) as CodeLens[];
      const onOld = (d: RefChange['details'][number]) => d.member !== undefined && d.what !== 'field added' && d.what !== 'field renamed';
      const changed = ref.changes.findIndex((c) => c.change === 'changed' && c.kind === 'STRUCT' && c.details.some(onOld));
      const line = lines.indexOf(heads[changed]!);
      const mine = lenses.filter((l) => l.range.start.line === line);
      assert.deepEqual(mine.map((l) => l.command!.title), ['old: build/old.bpf.o', 'new: build/new.bpf.o']);
      for (const l of mine) {
        const uri = l.command!.arguments![0] as string;
        const t = (await s.client.sendRequest('btf/document', { uri })) as DocumentRequest.Result;
        assert.match(t.text, new RegExp(`^/\\* \\[\\d+\\] STRUCT '${ref.changes[changed]!.name}'`));
        const m = (await s.client.sendRequest('btf/compareMarks', { uri })) as CompareMarksRequest.Result;
        assert.ok(m.marks.length > 0, 'changed members marked');
        const textLines = t.text.split('\n');
        for (const mark of m.marks) assert.match(mark.text, /^changed: /);
        // A member a detail names is on a marked line of the type document.
        const member = ref.changes[changed]!.details.find(onOld)!.member!.split('.').pop()!;
        if (l.command!.title.startsWith('old')) assert.ok(m.marks.some((x) => new RegExp(`\\b${member}\\b`).test(textLines[x.line]!)), `${member} marked`);
      }
    } finally {
      s.close();
    }
  });

  test('a file outside the workspace, and a side without BTF: an error, not a crash', async () => {
    const s = await startTestServer();
    try {
      const out = pathToFileURL(join(diffFixtures, 'old.btf')).href;
      const r = (await s.client.sendRequest('btf/compare', { old: out, new: pathToFileURL(join(diffFixtures, 'new.btf')).href })) as CompareRequest.Result;
      assert.ok(r.summary.changed > 0);
      const doc = (await s.client.sendRequest('btf/document', { uri: r.uri })) as DocumentRequest.Result;
      assert.match(doc.text, /^--- .*old\.btf$/m);
      const lenses = (await s.client.sendRequest('textDocument/codeLens', { textDocument: { uri: r.uri } })) as CodeLens[];
      const t = (await s.client.sendRequest('btf/document', { uri: lenses[0]!.command!.arguments![0] })) as DocumentRequest.Result;
      assert.match(t.text, /^\/\* \[\d+\] /, 'a type of a side outside the index has its document');
      await assert.rejects(s.client.sendRequest('btf/compare', { old: s.uri('src/core.c'), new: out }), /no BTF to compare/);
    } finally {
      s.close();
    }
  });

  test('the two corpus kernels: fast, and the summary of btf-lens diff', async (t) => {
    if (!hasCorpus) return t.skip(`no corpus at ${sharedCorpus} (BTF_LENS_CORPUS)`);
    const s = await startTestServer();
    try {
      const a = pathToFileURL(join(sharedCorpus, 'vmlinux-6.1.btf')).href;
      const b = pathToFileURL(join(sharedCorpus, 'vmlinux-6.18.btf')).href;
      const t0 = performance.now();
      const r = (await s.client.sendRequest('btf/compare', { old: a, new: b })) as CompareRequest.Result;
      const doc = (await s.client.sendRequest('btf/document', { uri: r.uri })) as DocumentRequest.Result;
      const ms = performance.now() - t0;
      // README: Debian 6.1 vs 6.18 is 4,055 changed, 32,018 added, 16,952 removed (the reference script's count).
      assert.deepEqual(r.summary, { changed: 4055, added: 32018, removed: 16952 });
      assert.match(doc.text, /^~ struct task_struct$/m);
      assert.ok(ms < 15000, `${ms.toFixed(0)} ms`);
      t.diagnostic(`compare + document of the corpus kernels: ${ms.toFixed(0)} ms`);
    } finally {
      s.close();
    }
  });
});
