/**
 * CO-RE against target kernels in the language server (btfLens.coreTargets): per-target outcomes in hovers,
 * warnings on source lines whose relocation fails, and the btf/coreMatrix rows. Targets are the small BTFs
 * of test/fixtures/core-targets/btf; every expected value is read from the core_oracle goldens
 * (test/golden/core-resolve/<object>__<target>.txt: what libbpf 1.1 logged relocating the object).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, Hover } from 'vscode-languageserver/node';
import { openCoreTarget, resolveCoreRelocations } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import type { CoreMatrixRequest } from '../../server/src/protocol/requests';
import { golden, repoRoot } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const btfDir = join(repoRoot, 'test/fixtures/core-targets/btf');
const TARGETS = ['moved', 'missing'];

/** What libbpf logged for one relocation (section, relo #N): its kind and lines, from a golden. */
interface GoldenRelo {
  prog: string;
  kind: string;
  lines: string[];
}
function readGolden(object: string, target: string): Map<string, GoldenRelo> {
  const out = new Map<string, GoldenRelo>();
  let section = '';
  for (const l of readFileSync(join(golden, 'core-resolve', `${object}__${target}.txt`), 'utf8').split('\n')) {
    const s = /^sec '([^']*)': found \d+ CO-RE relocations$/.exec(l);
    if (s) {
      section = s[1]!;
      out.set(`sec ${section}`, { prog: '', kind: '', lines: [] });
    }
    // (" prog ...": the line after libbpf's "error matching candidate ...\n " continues it)
    const m = /^ ?prog '([^']*)': relo #(\d+): (.*)$/.exec(l);
    if (!m) continue;
    const key = `${section}#${m[2]}`;
    let g = out.get(key);
    if (!g) out.set(key, (g = { prog: m[1]!, kind: /^<([a-z0-9_]+)>/.exec(m[3]!)?.[1] ?? '?', lines: [] }));
    g.lines.push(m[3]!);
  }
  return out;
}

const NAMES: Record<string, string> = {
  byte_off: 'offset', byte_sz: 'size', signed: 'signed', lshift_u64: 'lshift', rshift_u64: 'rshift',
  target_type_id: 'type id', type_size: 'size', enumval_value: 'value',
};
/**
 * The hover/matrix sentence for what libbpf logged: `patched insn … A -> B` gives the target value B and the
 * local A; `substituting insn … w/ invalid insn` a poisoned instruction. undefined: a case not derived here.
 */
function expectedText(g: GoldenRelo): string | undefined {
  const failed = g.lines.findIndex((l) => /^failed to (relocate|patch insn #\d+): -\d+$/.test(l));
  if (failed > 0) {
    // the warning before "failed to ..." is libbpf's reason; some reasons are not in -q's lines (no "relo #")
    const prev = g.lines[failed - 1]!;
    const reason = /^(<|matching candidate|non-matching candidate)/.test(prev) ? ANY : prev.trim();
    return `${reason} — the load fails (error ${/(-\d+)$/.exec(g.lines[failed]!)![1]})`;
  }
  const patched = g.lines.map((l) => /^patched insn #\d+ \([^)]*\) (?:imm|off|imm64) (\S+) -> (\S+)/.exec(l)).find((x) => x);
  if (patched && g.lines.length === (g.kind === 'local_type_id' ? 2 : 3)) {
    const [, from, to] = patched;
    if (g.kind === 'local_type_id') return `local type id ${from}`;
    if (g.kind === 'field_exists') return to !== '0' ? 'field exists' : 'no such field (0)';
    if (g.kind === 'type_exists') return to !== '0' ? 'type exists' : 'no such type (0)';
    if (g.kind === 'enumval_exists') return to !== '0' ? 'enum value exists' : 'no such enum value (0)';
    if (g.kind === 'type_matches') return to !== '0' ? 'type matches' : 'type does not match (0)';
    // For bitfields libbpf does not check the instruction's value (its A is the compiler's aligned offset,
    // not the local value libbpf computed): there only the target value B is libbpf's.
    const specOff = / @ offset (\d+)\)$/.exec(g.lines[0]!)?.[1];
    const field = ['byte_off', 'byte_sz', 'signed', 'lshift_u64', 'rshift_u64'].includes(g.kind);
    const local = field && !(g.kind === 'byte_off' && specOff === from) ? LOOSE : from;
    return NAMES[g.kind] && `${NAMES[g.kind]} ${to} (local ${local})`;
  }
  if (g.lines.some((l) => /^substituting insn #\d+ w\/ invalid insn$/.test(l)) && g.lines.some((l) => l === 'no matching targets found')) {
    const cands = g.lines.some((l) => l.startsWith('non-matching candidate'));
    const what = ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64'].includes(g.kind) || g.kind === 'enumval_value'
      ? (cands ? (g.kind === 'enumval_value' ? 'enum value' : 'field') : 'type') : 'type';
    return `no matching ${what} — load fails here`;
  }
  return undefined;
}

/** Stands for a local value the golden does not give. */
const LOOSE = '\u0000';
/** Stands for a reason libbpf logged but core_oracle -q does not keep. */
const ANY = '\u0001';
const same = (actual: string, want: string) =>
  /[\u0000\u0001]/.test(want)
    ? new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(LOOSE, '\\d+').replace(ANY, '.+')}$`).test(actual)
    : actual === want;

function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line with ${text}`);
  return i;
}

describe('CO-RE target kernels in the language server', () => {
  let s: TestServer;
  const goldens = Object.fromEntries(TARGETS.map((t) => [t, readGolden('core.bpfel', t)]));
  const md = (h: Hover | null) => (h ? (h.contents as { value: string }).value : '');
  const hover = async (line: number, character: number) =>
    (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/core.c') }, position: { line, character } })) as Hover | null;

  before(async () => {
    s = await startTestServer({ settings: { coreTargets: TARGETS.map((t) => join(btfDir, `${t}.btf`)) } });
  });
  after(() => s.close());

  test('hover on BPF_CORE_READ(t, pid): the outcome on each target, as libbpf logged it', async () => {
    const line = lineOf(s.path('src/core.c'), 'o->pid = BPF_CORE_READ(t, pid);');
    const block = `On target kernels:\n\n\`\`\`\n${TARGETS.map((t) => `${t}: ${expectedText(goldens[t]!.get('kprobe/tcp_connect#0')!)}`).join('\n')}\n\`\`\``;
    assert.equal(block, 'On target kernels:\n\n```\nmoved: offset 56 (local 8)\nmissing: offset 8 (local 8)\n```');
    const groups = md(await hover(line, 4)).split('\n\n---\n\n').filter((g) => g.startsWith('**core_reads**'));
    // one group per object (bpfeb and bpfel): both end with the targets' outcomes
    assert.equal(groups.length, 2);
    for (const g of groups) assert.ok(g.endsWith(`\n\n${block}`), g);
  });

  test('a relocation that fails on a target: a warning on its source line naming the kernel and the reason', async () => {
    const diags = await waitFor(() => s.diagnostics.get(s.uri('src/core.c')));
    const core = diags.filter((d) => d.message.startsWith('CO-RE relocation fails on '));
    // every failure libbpf logged for core.bpfel.o (poisoned instructions), none on `moved`
    const expected: string[] = [];
    for (const t of TARGETS) {
      for (const g of goldens[t]!.values()) {
        if (g.lines.some((l) => /^substituting insn/.test(l))) expected.push(`CO-RE relocation fails on ${t}: ${g.lines[0]}: ${expectedText(g)}`);
      }
    }
    assert.ok(expected.length >= 3, 'the missing target poisons several relocations');
    assert.deepEqual([...new Set(core.map((d) => d.message))].sort(), [...new Set(expected)].sort());
    for (const d of core) assert.equal(d.severity, 2 /* Warning */);
    // the warning sits on the line whose hover shows that failure
    const w = core.find((d) => d.message.includes('struct sock.__sk_common (0:0 @ offset 0)'))!;
    assert.ok(w, 'sock.__sk_common fails on missing');
    const h = md(await hover(w.range.start.line, 4));
    assert.match(h, /\nmissing: [^\n]*no matching type — load fails here/);
    assert.match(readFileSync(s.path('src/core.c'), 'utf8').split('\n')[w.range.start.line]!, /__sk_common/);
  });

  test('btf/coreMatrix: every relocation × every target, the outcomes libbpf logged', async () => {
    const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/core.bpfel.o') } satisfies CoreMatrixRequest.Params)) as CoreMatrixRequest.Result;
    assert.deepEqual(r.targets.map((t) => t.label), TARGETS);
    let compared = 0;
    for (const row of r.rows.filter((x) => x.what === 'core')) {
      TARGETS.forEach((t, k) => {
        const g = goldens[t]!.get(`${row.section}#${row.index}`);
        const want = g && expectedText(g);
        if (!want) return;
        assert.ok(same(row.outcomes[k]!.text, want), `${row.section} relo #${row.index} on ${t}: ${row.outcomes[k]!.text} vs ${want}`);
        assert.equal(row.outcomes[k]!.fails, want.endsWith('load fails here'));
        assert.equal(row.spec, g.lines[0]);
        compared++;
      });
    }
    assert.ok(compared >= 40, `compared ${compared} cells`);
    // the CO-RE rows that fail are what the goldens poison; the summary also counts the attach targets these small
    // kernels lack (every function: they have none)
    TARGETS.forEach((t, k) => {
      const poisoned = [...goldens[t]!.values()].filter((g) => g.lines.some((l) => /^substituting insn/.test(l))).length;
      assert.equal(r.rows.filter((x) => x.what === 'core' && x.outcomes[k]!.fails).length, poisoned, t);
      assert.equal(r.summary[k]!.fails, r.rows.filter((x) => x.outcomes[k]!.fails).length, t);
    });
    assert.match(r.markdown, /^# Load matrix: 1 object × 2 kernels\n/);
    assert.match(r.markdown, /\n\| object \| what \| section \| # \| line \| dependency \| moved \| missing \| changes across kernels \|\n/);
    const csv = r.csv.trimEnd().split('\n');
    assert.equal(csv.length, r.rows.length + 1);
    assert.equal(csv[0], 'object,what,section,index,kind,line,dependency,moved,moved fails,missing,missing fails,changes across kernels');
  });

  test('a target file that changes is read again (resolutions cached per object and target)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-lens-targets-'));
    const kernel = join(dir, 'vmlinux-x.btf');
    copyFileSync(join(btfDir, 'moved.btf'), kernel);
    s.client.sendNotification('workspace/didChangeConfiguration', { settings: { btfLens: { kernelBtf: 'none', coreTargets: [dir] } } });
    await new Promise((r) => setTimeout(r, 100));
    const line = lineOf(s.path('src/core.c'), 'o->pid = BPF_CORE_READ(t, pid);');
    const outcome = async () => /\nvmlinux-x: ([^\n]*)\n/.exec(md(await hover(line, 4)))?.[1];
    assert.equal(await outcome(), expectedText(goldens.moved!.get('kprobe/tcp_connect#0')!));
    copyFileSync(join(btfDir, 'missing.btf'), kernel);
    const later = new Date(Date.now() + 5000);
    utimesSync(kernel, later, later);
    assert.equal(await outcome(), expectedText(goldens.missing!.get('kprobe/tcp_connect#0')!));
    rmSync(dir, { recursive: true, force: true });
  });

  test('all objects; a target that cannot be read says why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'btf-lens-empty-'));
    const splitBtf = join(golden, 'write', 'split.btf'); // a module's BTF, without its base
    s.client.sendNotification('workspace/didChangeConfiguration', {
      settings: { btfLens: { kernelBtf: 'none', coreTargets: [join(btfDir, 'same.btf'), join(btfDir, 'nope.btf'), empty, splitBtf] } },
    });
    await new Promise((r) => setTimeout(r, 100));
    const r = (await s.client.sendRequest('btf/coreMatrix', {})) as CoreMatrixRequest.Result;
    rmSync(empty, { recursive: true, force: true });
    assert.deepEqual(r.targets.map((t) => t.label), ['same', 'nope', empty.split('/').pop(), 'split']);
    assert.equal(r.targets[0]!.error, undefined);
    assert.match(r.targets[1]!.error!, /^\/.*nope\.btf: offset 0 \(0x0\): no such file \(ENOENT\)$/);
    assert.match(r.targets[2]!.error!, /no BTF files \(\*\.btf, vmlinux\*\) in this directory$/);
    assert.match(r.targets[3]!.error!, /split\.btf: no usable BTF \(this is split BTF \(a kernel module's\?\): it needs its base BTF/);
    assert.deepEqual([...new Set(r.rows.map((x) => x.object))], ['build/core.bpfeb.o', 'build/core.bpfel.o', 'build/progs.bpfel.o']);
    assert.equal(r.rows.filter((x) => x.what === 'core' && x.outcomes[0]!.fails).length, 0);
    // against `same` no relocation fails: the warnings are gone
    const diags = await waitFor(() => {
      const d = s.diagnostics.get(s.uri('src/core.c'));
      return d && !d.some((x) => x.message.startsWith('CO-RE')) ? d : undefined;
    });
    assert.equal(diags.filter((d: Diagnostic) => d.message.startsWith('CO-RE')).length, 0);
  });
});

async function waitFor<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('CO-RE matrix of corex.bpfel.o (every kind, subprograms, failures) against the fixture targets', () => {
  const targets = ['moved', 'missing', 'bitfields', 'ambiguous', 'decision', 'toobig', 'straddle', 'toodeep', 'flavors', 'kinds'];
  test('each cell is what libbpf logged', async () => {
    const here = join(repoRoot, 'test/fixtures/core-targets');
    const s = await startTestServer({
      settings: { coreTargets: targets.map((t) => join(btfDir, `${t}.btf`)) },
      prepare: (root) => {
        copyFileSync(join(here, 'obj/corex.bpfel.o'), join(root, 'build/corex.bpfel.o'));
        copyFileSync(join(here, 'src/corex.c'), join(root, 'src/corex.c'));
      },
    });
    try {
      const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/corex.bpfel.o') })) as CoreMatrixRequest.Result;
      assert.ok(r.rows.length >= 30);
      assert.ok(r.rows.every((x) => x.source?.label.startsWith('src/corex.c:')), 'rows carry their source line');
      let compared = 0, failures = 0, after = 0;
      targets.forEach((t, k) => {
        const g = readGolden('corex.bpfel', t);
        const failedAt = [...g].find(([, x]) => expectedText(x)?.includes('— the load fails'))?.[0];
        for (const row of r.rows.filter((x) => x.what === 'core')) {
          const key = `${row.section}#${row.index}`;
          const got = row.outcomes[k]!;
          const e = g.get(key);
          let want = e && expectedText(e);
          if (!e && failedAt && !g.has(`sec ${row.section}`)) want = `not reached: the load already fails at ${failedAt.replace('#', ' relo #')}`;
          else if (!e && row.section.startsWith('?') && g.has(`sec ${row.section}`)) want = 'not relocated: the program is not loaded by default (SEC("?..."))';
          if (!want) continue;
          assert.ok(same(got.text, want), `${key} on ${t}: ${got.text} vs ${want}`);
          assert.equal(got.fails, / load fails/.test(want), `${key} on ${t}`);
          compared++;
          if (want.includes('— the load fails')) failures++;
          if (want.startsWith('not reached')) after++;
        }
      });
      assert.ok(compared >= 200, `compared ${compared} cells`);
      assert.ok(failures >= 5 && after >= 1, `${failures} load failures, ${after} not reached`);
    } finally {
      s.close();
    }
  });
});

describe('CO-RE resolutions follow a rebuilt object', () => {
  test('an object replaced on disk is resolved again', async () => {
    const here = join(repoRoot, 'test/fixtures/core-targets');
    const s = await startTestServer({ settings: { coreTargets: [join(btfDir, 'moved.btf')] } });
    try {
      const matrix = async () => ((await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/core.bpfel.o') })) as CoreMatrixRequest.Result).rows;
      const before = await matrix();
      assert.equal(before[0]!.spec, readGolden('core.bpfel', 'moved').get(`${before[0]!.section}#0`)!.lines[0]);
      const ready = s.nextReady();
      copyFileSync(join(here, 'obj/corex.bpfel.o'), s.path('build/core.bpfel.o'));
      s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('build/core.bpfel.o'), type: 2 }] });
      await ready;
      const after = await matrix();
      const g = readGolden('corex.bpfel', 'moved');
      assert.notEqual(after.length, before.length);
      for (const row of after.filter((x) => x.what === 'core')) {
        const e = g.get(`${row.section}#${row.index}`);
        const want = e && expectedText(e);
        if (want) assert.ok(same(row.outcomes[0]!.text, want), `${row.section}#${row.index}: ${row.outcomes[0]!.text} vs ${want}`);
      }
    } finally {
      s.close();
    }
  });
});

describe('CO-RE targets default to the kernel BTF', () => {
  test('btfLens.coreTargets unset: the kernel BTF (btfLens.kernelBtf) is the one target', async () => {
    const s = await startTestServer({ settings: { kernelBtf: join(btfDir, 'moved.btf') } });
    try {
      const line = lineOf(s.path('src/core.c'), 'o->pid = BPF_CORE_READ(t, pid);');
      const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/core.c') }, position: { line, character: 4 } })) as Hover | null;
      const want = expectedText(readGolden('core.bpfel', 'moved').get('kprobe/tcp_connect#0')!);
      assert.ok((h?.contents as { value: string }).value.endsWith(`On target kernels:\n\n\`\`\`\nmoved: ${want}\n\`\`\``));
      const r = (await s.client.sendRequest('btf/coreMatrix', {})) as CoreMatrixRequest.Result;
      assert.deepEqual(r.targets, [{ label: 'moved', path: join(btfDir, 'moved.btf') }]);
    } finally {
      s.close();
    }
  });
});

describe('CO-RE poisoned instructions the verifier does not reach (guarded): they load', () => {
  // reach.bpfel.o against 6.18 (bpftool min_core_btf of this machine's kernel BTF). The truth is the
  // kernel's verifier: reach/reach.bpfel.kernel.txt says which programs 6.18 loads and which it rejects at a
  // poisoned CO-RE insn (reach/build.sh, reach_oracle); sub_unguarded is reached only from u_call.
  test('matrix cells, hovers and warnings follow the kernel\'s verdicts', async () => {
    const here = join(repoRoot, 'test/fixtures/core-targets/reach');
    const kernel = new Map<string, boolean>();
    for (const l of readFileSync(join(here, 'reach.bpfel.kernel.txt'), 'utf8').split('\n')) {
      const m = /^prog (\S+): (loads|poisoned-core)( at insn .*)?$/.exec(l);
      if (m) kernel.set(m[1]!, m[2] === 'poisoned-core');
    }
    const callers: Record<string, string> = { sub_unguarded: 'u_call', sub_guarded: 'g_call_guarded_callee' };
    const s = await startTestServer({
      settings: { coreTargets: [join(here, 'vmlinux-6.18.min.btf')] },
      prepare: (root) => {
        mkdirSync(join(root, 'reach'));
        copyFileSync(join(here, 'reach.bpfel.o'), join(root, 'build/reach.bpfel.o'));
        copyFileSync(join(here, 'reach.c'), join(root, 'reach/reach.c'));
      },
    });
    try {
      const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/reach.bpfel.o') })) as CoreMatrixRequest.Result;
      assert.deepEqual(r.targets.map((t) => t.label), ['vmlinux-6.18.min']);
      const poisoned = r.rows.filter((x) => / — (load fails here|poisoned, but unreachable)/.test(x.outcomes[0]!.text));
      assert.equal(poisoned.length, 11);
      const failingLines = new Set<number>();
      // each row's program, as the core names it (libbpf's `prog '…'`)
      const { target } = openCoreTarget(readFileSync(join(here, 'vmlinux-6.18.min.btf')));
      const res = resolveCoreRelocations(openBtfBytes(readFileSync(join(here, 'reach.bpfel.o')), { file: 'reach.bpfel.o' }), target);
      for (const row of poisoned) {
        const o = row.outcomes[0]!;
        const fn = res.relocations.find((x) => x.section === row.section && x.index === row.index)?.prog ?? '?';
        const fails = kernel.get(callers[fn] ?? fn);
        assert.notEqual(fails, undefined, `${fn}: no kernel verdict`);
        assert.equal(o.fails, fails, `${fn} relo #${row.index}: ${o.text}`);
        assert.match(o.text, fails ? /^no matching (field|type|enum value) — load fails here$/ : /^no matching (field|type|enum value) — poisoned, but unreachable on this kernel \(guarded\): loads$/);
        if (fails) failingLines.add(row.source!.line);
      }
      assert.equal(r.summary[0]!.fails, 5);
      // the object loads (bpf_object__load) only if the kernel loads every program of it
      const objectLoads = [...kernel.values()].every((f) => !f);
      assert.equal(r.summary[0]!.loads, objectLoads ? 1 : 0);
      assert.match(r.markdown, new RegExp(`\\| vmlinux-6\\.18\\.min \\| [^|]+ \\| 5 \\| ${objectLoads ? 1 : 0}/1 \\|`));
      // warnings only where the load fails
      const diags = await waitFor(() => {
        const d = s.diagnostics.get(s.uri('reach/reach.c'));
        return d && d.some((x) => x.message.startsWith('CO-RE')) ? d : undefined;
      });
      const core = diags.filter((d) => d.message.startsWith('CO-RE relocation fails on vmlinux-6.18.min: '));
      // (placed by the hover's rule, lines.ts, not on the matrix's line_info line): in the failing functions only
      const src = readFileSync(join(here, 'reach.c'), 'utf8');
      const warned = [...new Set(core.map((d) => functionAt(src, d.range.start.line)))].sort();
      assert.deepEqual(warned, ['sub_unguarded', 'u_enum', 'u_field', 'u_field_wrong_guard', 'u_type']);
      assert.equal(new Set(core.map((d) => d.range.start.line)).size, failingLines.size);
      assert.ok(warned.every((f) => kernel.get(callers[f] ?? f) === true));
      assert.ok(core.every((d) => d.message.endsWith('— load fails here')));
      // the hovers of a guarded function (g_field) say its poisoned access loads, and nothing fails there
      const lines = src.split('\n');
      const from = lines.findIndex((l) => l.startsWith('int g_field('));
      const blocks: string[] = [];
      for (let line = from; line < from + 8; line++) {
        const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('reach/reach.c') }, position: { line, character: 2 } })) as Hover | null;
        blocks.push(h ? (h.contents as { value: string }).value : '');
      }
      const all = blocks.join('\n');
      assert.match(all, /\nvmlinux-6\.18\.min: [^\n]*no matching field — poisoned, but unreachable on this kernel \(guarded\): loads/);
      assert.doesNotMatch(all, /load fails here/);
    } finally {
      s.close();
    }
  });
});

/** The C function whose body holds 0-based line `line` (the nearest definition line above it). */
function functionAt(src: string, line: number): string {
  const lines = src.split('\n');
  for (let i = line; i >= 0; i--) {
    const m = /^(?:static __noinline )?int ([a-z_0-9]+)\(/.exec(lines[i]!);
    if (m) return m[1]!;
  }
  return '?';
}
