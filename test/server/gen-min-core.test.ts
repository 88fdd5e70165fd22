/**
 * "Generate tailored BTF for this object" in the language server (btf/genMinCoreBtf): one file per target
 * kernel, bpftool 7.1's bytes (test/golden/min-core-btf, made by bpftool gen min_core_btf), a report that
 * names what was kept; the tailored files open in the type tree like any BTF, and the CO-RE matrix with the
 * tailored files as `coreTargets` gives every relocation the outcome it gets with the full kernels.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import type { CoreMatrixRequest, EditorOverview, GenMinCoreBtfRequest } from '../../server/src/protocol/requests';
import { golden, repoRoot } from '../helpers/paths';
import { startTestServer } from './harness';

const btfDir = join(repoRoot, 'test/fixtures/core-targets/btf');
const G = join(golden, 'min-core-btf');
// kernels core.bpfel.o resolves on under bpftool (a .btf golden), some of them failing relocations there
const TARGETS = ['same', 'moved', 'missing', 'old', 'kinds', 'enum64'];
const out = mkdtempSync(join(tmpdir(), 'btf-lens-gen-out-'));
after(() => rmSync(out, { recursive: true, force: true }));

/**
 * The matrix cells as libbpf's outcome: the value patched, or no match (poisoned). Left out: the values that
 * are IDs of the BTF loaded (target_type_id; a tailored BTF renumbers), and why nothing matched — a kernel
 * type with no matching field is not kept (bpftool keeps only what matched), so the tailored kernel says
 * "no matching type" where the full one says "no matching field": libbpf finds no target either way.
 */
function cells(r: CoreMatrixRequest.Result): string[] {
  const outcome = (kind: string, text: string) => (kind === 'target_type_id' ? text.replace(/^type id \d+/, 'type id N') : text.replace(/^no matching (type|field|enum value) —/, 'no match —'));
  return r.rows.map((row) => `${row.section} #${row.index} ${row.kind}: ${row.outcomes.map((o) => `${outcome(row.kind, o.text)}${o.fails ? ' (fails)' : ''}`).join(' | ')}`);
}

describe('btf/genMinCoreBtf', () => {
  let gen: GenMinCoreBtfRequest.Result;
  let full: CoreMatrixRequest.Result;

  test('writes bpftool\'s tailored BTF per coreTargets kernel, with sizes and a report', async () => {
    const s = await startTestServer({ settings: { coreTargets: TARGETS.map((t) => join(btfDir, `${t}.btf`)) } });
    try {
      gen = (await s.client.sendRequest('btf/genMinCoreBtf', { object: s.uri('build/core.bpfel.o'), outDir: out } satisfies GenMinCoreBtfRequest.Params)) as GenMinCoreBtfRequest.Result;
      full = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/core.bpfel.o') })) as CoreMatrixRequest.Result;
    } finally {
      s.close();
    }
    assert.deepEqual(gen.files.map((f) => f.label), TARGETS);
    for (const f of gen.files) {
      assert.equal(f.error, undefined, f.label);
      assert.equal(f.out, join(out, `core.bpfel-${f.label}.btf`));
      const want = readFileSync(join(G, `core.bpfel__${f.label}.btf`));
      assert.ok(readFileSync(f.out!).equals(want), `${f.label}: bpftool's bytes`);
      assert.equal(f.outBytes, want.length);
      assert.equal(f.targetBytes, readFileSync(join(btfDir, `${f.label}.btf`)).length);
      assert.equal(f.outTypes, Btf.parse(new Uint8Array(want)).typeCount - 1);
    }
    assert.match(gen.report, /^# Tailored BTF for build\/core\.bpfel\.o\n/);
    assert.match(gen.report, /\| same \| .*core\.bpfel-same\.btf \| \d+ B \(\d+\.\d\d%\) \| \d+ B \| \d+ of \d+ \|/);
    assert.match(gen.report, /kprobe\/tcp_connect relo #0 \(insn \d+\): <byte_off> \[\d+\] struct task_struct\.pid/);
  });

  test('a target that fails is named, the others are written', async () => {
    const s = await startTestServer();
    try {
      const r = (await s.client.sendRequest('btf/genMinCoreBtf', {
        object: s.uri('build/core.bpfel.o'), outDir: join(out, 'two'), targets: [join(btfDir, 'ambiguous.btf'), join(btfDir, 'same.btf'), join(btfDir, 'module.btf')],
      } satisfies GenMinCoreBtfRequest.Params)) as GenMinCoreBtfRequest.Result;
      assert.match(r.files[0]!.error!, /field offset ambiguity/);
      assert.ok(readFileSync(r.files[1]!.out!).equals(readFileSync(join(G, 'core.bpfel__same.btf'))));
      assert.match(r.files[2]!.error!, /split BTF/);
      assert.equal(existsSync(join(out, 'two/core.bpfel-ambiguous.btf')), false);
    } finally {
      s.close();
    }
  });

  test('the tailored BTFs as coreTargets: the matrix gives the same outcome in every cell', async () => {
    assert.ok(gen && full, 'the first test ran');
    const s = await startTestServer({ settings: { coreTargets: gen.files.map((f) => f.out!) } });
    try {
      const tailored = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/core.bpfel.o') })) as CoreMatrixRequest.Result;
      assert.deepEqual(tailored.targets.map((t) => t.error), full.targets.map((t) => t.error));
      assert.ok(full.rows.length > 20);
      assert.ok(full.rows.some((r) => r.outcomes.some((o) => o.fails)), 'some cells fail on the full kernels');
      assert.deepEqual(cells(tailored), cells(full));
      assert.deepEqual(tailored.summary.map((x) => [x.fails, x.loads]), full.summary.map((x) => [x.fails, x.loads]));
      // and a tailored BTF opens in the type tree like any other
      const o = (await s.client.sendRequest('btf/editor/open', { uri: pathToFileURL(gen.files[0]!.out!).href })) as EditorOverview;
      assert.ok(o.ok);
      assert.equal(o.kind, 'raw-btf');
      assert.equal(o.totalTypes, gen.files[0]!.outTypes);
    } finally {
      s.close();
    }
  });
});
