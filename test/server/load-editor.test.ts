/**
 * Will it load on the target kernels, in the editor: a member's place on every `btfLens.coreTargets` kernel
 * (hover), attach targets and externs per kernel (hover, warnings) and the load matrix. Fixtures:
 * test/fixtures/editor-load (src/load.c, its object, two small kernels old/new) and the CO-RE targets of
 * test/fixtures/core-targets. Expected values come from the tools: member offsets and kernel prototypes from
 * `bpftool btf dump` (test/golden/editor-load/*.raw.txt), outcomes from what libbpf 1.1 logged loading the
 * object on each kernel (test/golden/editor-load/load.bpfel.<kernel>*.log, build.sh there).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import type { CoreMatrixRequest } from '../../server/src/protocol/requests';
import { golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const here = join(repoRoot, 'test/fixtures/editor-load');
const coreBtf = (t: string) => join(repoRoot, 'test/fixtures/core-targets/btf', `${t}.btf`);
const loadBtf = (t: string) => join(here, 'btf', `${t}.btf`);
const G = join(golden, 'editor-load');

interface RawMember { name: string; bits: number; type: number }
/**
 * bpftool's raw dump read back: `member(struct, name)` is the bit offset of a member in the named struct,
 * found as C finds it (through anonymous members, whose offsets add up), or undefined.
 */
function rawBtf(file: string) {
  const byId = new Map<number, { name: string; members: RawMember[] }>();
  const byName = new Map<string, number>();
  let cur: RawMember[] | undefined;
  for (const l of readFileSync(join(G, file), 'utf8').split('\n')) {
    const s = /^\[(\d+)\] (?:STRUCT|UNION) '([^']*)' /.exec(l);
    if (s) {
      byId.set(+s[1]!, { name: s[2]!, members: (cur = []) });
      if (s[2] !== '(anon)' && !byName.has(s[2]!)) byName.set(s[2]!, +s[1]!);
      continue;
    }
    const m = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)/.exec(l);
    if (m && cur) cur.push({ name: m[1]!, bits: +m[3]!, type: +m[2]! });
    else if (!l.startsWith('\t')) cur = undefined;
  }
  const find = (id: number, name: string, base: number, depth: number): number | undefined => {
    for (const m of byId.get(id)?.members ?? []) {
      if (m.name === name) return base + m.bits;
      if (m.name === '(anon)' && depth < 8) {
        const r = find(m.type, name, base + m.bits, depth + 1);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  };
  return {
    has: (struct: string) => byName.has(struct),
    member: (struct: string, name: string) => (byName.has(struct) ? find(byName.get(struct)!, name, 0, 0) : undefined),
  };
}

/** Puts src/load.c and its object into the workspace copy (src/, build/: line_info names `src/load.c`). */
export function addLoadFixture(root: string): void {
  copyFileSync(join(here, 'src/load.c'), join(root, 'src/load.c'));
  copyFileSync(join(here, 'obj/load.bpfel.o'), join(root, 'build/load.bpfel.o'));
}

const md = (h: Hover | null) => (h ? (h.contents as { value: string }).value : '');

async function hoverAt(s: TestServer, rel: string, lineText: string, at: string): Promise<string> {
  const lines = readFileSync(s.path(rel), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(lineText));
  assert.ok(line >= 0, `no line with ${lineText} in ${rel}`);
  const character = lines[line]!.indexOf(at) + 1;
  return md((await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri(rel) }, position: { line, character } })) as Hover | null);
}

/** The `On target kernels:` line of a hover's member block (the first block). */
function memberLine(hover: string): string | undefined {
  const block = hover.split('\n\n---\n\n')[0]!;
  return /\n\nThis member on target kernels:\n\n```\n([^\n]*)\n```$/.exec(block)?.[1];
}

describe('a member on every target kernel (hover)', () => {
  test('task_struct.__state and .pid on the CO-RE targets: bpftool\'s offsets; absent where the kernel has no such member', async () => {
    const targets = ['same', 'old', 'moved', 'missing'];
    const s = await startTestServer({ settings: { coreTargets: targets.map(coreBtf) } });
    try {
      const raw = Object.fromEntries(targets.map((t) => [t, rawBtf(`core-${t}.raw.txt`)]));
      const cell = (t: string, struct: string, member: string) => {
        const bits = raw[t]!.member(struct, member);
        return `${t} ${!raw[t]!.has(struct) ? 'has no struct of that name' : bits !== undefined ? `offset ${bits / 8}` : 'absent'}`;
      };
      for (const [lineText, at, member] of [
        ['o->state_exist = bpf_core_field_exists(t->__state);', '__state', '__state'],
        ['o->pid = BPF_CORE_READ(t, pid);', 'pid)', 'pid'],
      ] as const) {
        const want = `task_struct.${member}: ${targets.map((t) => cell(t, 'task_struct', member)).join(' · ')}`;
        assert.equal(memberLine(await hoverAt(s, 'src/core.c', lineText, at)), want);
      }
      // old has `state` (a long), not `__state`: absent there, and not a rename (the type differs)
      assert.ok(raw.old!.member('task_struct', 'state') !== undefined && raw.old!.member('task_struct', '__state') === undefined);
      // a member of an anonymous struct inside sock_common: looked up in the kernel's sock_common by name
      const daddr = memberLine(await hoverAt(s, 'src/core.c', 'o->daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);', 'skc_daddr'));
      assert.equal(daddr, `sock_common.skc_daddr: ${targets.map((t) => cell(t, 'sock_common', 'skc_daddr')).join(' · ')}`);
    } finally {
      s.close();
    }
  });

  test('kernfs_node.parent renamed __parent in the new kernel: "absent (named __parent)" there', async () => {
    const s = await startTestServer({ settings: { coreTargets: [loadBtf('old'), loadBtf('new')] }, prepare: addLoadFixture });
    try {
      const old = rawBtf('old.raw.txt');
      const neu = rawBtf('new.raw.txt');
      // bpftool: `parent` is gone from new, `__parent` sits where it was
      assert.ok(neu.member('kernfs_node', 'parent') === undefined && neu.member('kernfs_node', '__parent') === old.member('kernfs_node', 'parent'));
      const line = memberLine(await hoverAt(s, 'src/load.c', 'return kn->parent != 0', 'parent'));
      assert.equal(line, `kernfs_node.parent: old offset ${old.member('kernfs_node', 'parent')! / 8} · new absent (named __parent)`);
      // the kernels the other way round: on old, it was renamed from new's __parent
      const reindexed = s.nextReady();
      s.client.sendNotification('workspace/didChangeConfiguration', { settings: { btfLens: { coreTargets: [loadBtf('new'), loadBtf('old')] } } });
      await reindexed;
      let back: string | undefined;
      for (let i = 0; i < 100 && !back?.startsWith('kernfs_node.parent: new '); i++) back = memberLine(await hoverAt(s, 'src/load.c', 'return kn->parent != 0', 'parent'));
      assert.equal(back, `kernfs_node.parent: new absent (named __parent) · old offset ${old.member('kernfs_node', 'parent')! / 8} (renamed from __parent)`);
    } finally {
      s.close();
    }
  });
});

/** bpftool's raw dump read back for declarations: a FUNC's or VAR's C, for the simple types the fixtures use. */
function rawDecls(file: string) {
  interface RawType { kind: string; name: string; ref: number; params: { name: string; type: number }[] }
  const types = new Map<number, RawType>();
  let cur: RawType | undefined;
  for (const l of readFileSync(join(G, file), 'utf8').split('\n')) {
    const t = /^\[(\d+)\] (\w+) '([^']*)'(?: type_id=(\d+)| ret_type_id=(\d+))?/.exec(l);
    if (t) {
      types.set(+t[1]!, (cur = { kind: t[2]!, name: t[3]!, ref: +(t[4] ?? t[5] ?? 0), params: [] }));
      continue;
    }
    const p = /^\t'([^']*)' type_id=(\d+)$/.exec(l);
    if (p && cur) cur.params.push({ name: p[1]!, type: +p[2]! });
  }
  const spell = (id: number): string => {
    const t = types.get(id);
    if (!t) return 'void';
    if (t.kind === 'PTR') return `${spell(t.ref)}${spell(t.ref).endsWith('*') ? '' : ' '}*`;
    if (t.kind === 'STRUCT') return `struct ${t.name}`;
    if (t.kind === 'CONST') return `const ${spell(t.ref)}`;
    return t.name;
  };
  const named = (type: number, name: string) => `${spell(type)}${spell(type).endsWith('*') ? '' : ' '}${name}`;
  const byName = (kind: string, name: string) => [...types].find(([, t]) => t.kind === kind && t.name === name);
  return {
    has: (kind: string, name: string) => !!byName(kind, name),
    /** `int do_unlinkat(int dfd, struct filename *name)` */
    func: (name: string) => {
      const f = byName('FUNC', name)![1];
      const proto = types.get(f.ref)!;
      return `${named(proto.ref, name)}(${proto.params.map((p) => named(p.type, p.name)).join(', ')})`;
    },
    var: (name: string) => named(byName('VAR', name)![1].ref, name),
  };
}

/** libbpf's lines (without `X: libbpf: `) of one oracle log. */
const libbpf = (log: string) => readFileSync(join(G, log), 'utf8').split('\n').map((l) => l.replace(/^[DIW]: libbpf: /, ''));

describe('attach targets and externs on every target kernel (hover, warnings)', () => {
  let s: TestServer;
  const kernels = ['old', 'new'] as const;
  const raw = { old: rawDecls('old.raw.txt'), new: rawDecls('new.raw.txt') };
  before(async () => {
    s = await startTestServer({ settings: { coreTargets: kernels.map(loadBtf) }, prepare: addLoadFixture });
  });
  after(() => s.close());
  const block = (h: string, title: string) => h.split('\n\n---\n\n').find((b) => b.startsWith(`**${title}**`)) ?? '';
  const rows = (b: string) => /On target kernels:\n\n```\n([^`]*)\n```/.exec(b)?.[1]?.split('\n') ?? [];

  test('SEC("fentry/do_unlinkat"): the kernel\'s prototype where it is; where not, libbpf\'s error and what is nearby', async () => {
    const h = await hoverAt(s, 'src/load.c', 'SEC("fentry/do_unlinkat")', 'fentry');
    const b = block(h, 'attach target do_unlinkat (fentry/do_unlinkat)');
    // new: libbpf looked it up and failed (per-program run, as libbpf stops at the first program)
    const failed = libbpf('load.bpfel.new.unlink_entry.log').map((l) => /^prog 'unlink_entry': failed to find kernel BTF type ID of 'do_unlinkat': (-\d+)$/.exec(l)).find((m) => m);
    assert.ok(failed, 'libbpf logged the failed lookup on new');
    // old: libbpf never got that far (the kfunc stops it first): the kernel's FUNC as bpftool dumps it
    assert.ok(libbpf('load.bpfel.old.unlink_entry.log').includes("extern (func ksym) 'bpf_task_acquire': not found in kernel or module BTFs"));
    const r = rows(b);
    assert.equal(r[0], `old: found: ${raw.old.func('do_unlinkat')}`);
    assert.ok(r[1]!.startsWith(`new: not found — the load fails (error ${failed[1]})`), r[1]);
    // nearby: the kernel's functions named do_unlinkat_* (bpftool)
    assert.ok(!raw.new.has('FUNC', 'do_unlinkat') && raw.new.has('FUNC', 'do_unlinkat_at'));
    assert.ok(b.includes('Nearby on new: `do_unlinkat_at`'), b);
    assert.match(b, /`do_unlinkat\.isra\.0`/);
  });

  test('SEC("lsm/file_open"): bpf_lsm_file_open on both kernels', async () => {
    const b = block(await hoverAt(s, 'src/load.c', 'SEC("lsm/file_open")', 'lsm'), 'attach target bpf_lsm_file_open (lsm/file_open)');
    assert.deepEqual(rows(b), kernels.map((k) => `${k}: found: ${raw[k].func('bpf_lsm_file_open')}`));
  });

  test('extern declarations: kfuncs, a __weak kfunc, a typed ksym, as libbpf resolved them', async () => {
    const whole = { old: libbpf('load.bpfel.old.log'), new: libbpf('load.bpfel.new.log') };
    const acq = rows(block(await hoverAt(s, 'src/load.c', 'bpf_task_acquire(struct task_struct *p) __ksym', 'bpf_task_acquire'), 'kfunc bpf_task_acquire'));
    assert.ok(whole.old.includes("extern (func ksym) 'bpf_task_acquire': not found in kernel or module BTFs"));
    assert.ok(acq[0]!.startsWith('old: not found — the load fails'), acq[0]);
    const resolved = whole.new.map((l) => /^extern \(func ksym\) 'bpf_task_acquire': resolved to kernel \[(\d+)\]$/.exec(l)).find((m) => m);
    assert.ok(resolved);
    assert.equal(acq[1], `new: found: ${raw.new.func('bpf_task_acquire')}`);
    const weak = rows(block(await hoverAt(s, 'src/load.c', 'bpf_lens_maybe(int x) __ksym __weak', 'bpf_lens_maybe'), 'kfunc bpf_lens_maybe'));
    assert.ok(whole.new.includes("extern 'bpf_lens_maybe' (weak): not resolved, defaulting to zero"));
    // its one call is behind `if (bpf_lens_maybe)`: dead to the verifier (core/load/weak-reach.ts, checked against
    // the running kernel's verdicts in test/unit/weak-reach.test.ts)
    assert.deepEqual(weak, kernels.map((k) => `${k}: not found: left 0 (__weak): every use guarded (the verifier proves it dead): loads`));
    const rq = rows(block(await hoverAt(s, 'src/load.c', 'const struct rq runqueues __ksym', 'runqueues'), 'typed ksym runqueues'));
    assert.ok(whole.new.some((l) => /^extern \(var ksym\) 'runqueues': resolved to \[\d+\] var runqueues$/.test(l)));
    assert.deepEqual(rq, kernels.map((k) => `${k}: found: ${raw[k].var('runqueues')}`));
  });

  test('warnings: on each line whose dependency makes the load fail on a kernel, naming it', async () => {
    const lines = readFileSync(s.path('src/load.c'), 'utf8').split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    const diags = await waitFor(() => {
      const d = s.diagnostics.get(s.uri('src/load.c'))?.filter((x) => x.message.startsWith('load fails on '));
      return d?.length ? d : undefined;
    });
    // what fails, from bpftool (old has no bpf_task_*; new has no do_unlinkat) and libbpf's logs
    assert.ok(!raw.old.has('FUNC', 'bpf_task_acquire') && !raw.old.has('FUNC', 'bpf_task_release'));
    assert.deepEqual(diags.map((d) => [d.range.start.line, d.message.replace(/: not found — .*$/, '')]), [
      [at('*bpf_task_acquire(struct task_struct *p) __ksym'), 'load fails on old: kfunc bpf_task_acquire'],
      [at('bpf_task_release(struct task_struct *p) __ksym'), 'load fails on old: kfunc bpf_task_release'],
      [at('SEC("fentry/do_unlinkat")'), 'load fails on new: attach target do_unlinkat (fentry/do_unlinkat)'],
    ]);
    assert.ok(diags.every((d) => d.severity === 2 /* Warning */));
  });
});

describe('the load matrix (btf/coreMatrix)', () => {
  test('per kernel: where libbpf stops loading the object; CO-RE, extern and attach rows; what changes across the kernels', async () => {
    const s = await startTestServer({ settings: { coreTargets: [loadBtf('old'), loadBtf('new')] }, prepare: addLoadFixture });
    try {
      const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/load.bpfel.o') })) as CoreMatrixRequest.Result;
      assert.deepEqual(r.targets.map((t) => t.label), ['old', 'new']);
      // libbpf's whole-object logs: the last warning before "failed to load object" names what stopped it
      const stopped = (k: string) => {
        const l = libbpf(`load.bpfel.${k}.log`);
        return l[l.findIndex((x) => x.startsWith("failed to load object 'load.bpfel.o'")) - 1]!;
      };
      assert.equal(stopped('old'), "extern (func ksym) 'bpf_task_acquire': not found in kernel or module BTFs");
      assert.equal(stopped('new'), "prog 'unlink_entry': failed to load: -3");
      assert.deepEqual(r.objects.map((o) => o.cells.map((c) => [c.loads, c.text.replace(/: not found — .*$/, '')])), [[
        [false, 'kfunc bpf_task_acquire'],
        [false, 'attach target do_unlinkat (fentry/do_unlinkat)'],
      ]]);
      assert.deepEqual(r.summary.map((x) => [x.loads, x.objects]), [[0, 1], [0, 1]]);
      const row = (what: string, spec: string) => r.rows.find((x) => x.what === what && x.spec === spec)!;
      // rows of every kind, each cell as the hover says it
      assert.deepEqual([...new Set(r.rows.map((x) => x.what))].sort(), ['attach', 'core', 'extern']);
      const acq = row('extern', 'kfunc bpf_task_acquire');
      assert.deepEqual(acq.outcomes.map((o) => o.fails), [true, false]);
      assert.equal(acq.changes, 'old: absent');
      assert.equal(row('attach', 'attach target do_unlinkat (fentry/do_unlinkat)').changes, 'new: absent');
      assert.equal(row('extern', 'kfunc bpf_lens_maybe (__weak)').outcomes.some((o) => o.fails), false);
      // the CO-RE read of kernfs_node.parent: poisoned on new (libbpf), where bpftool shows it renamed __parent
      assert.ok(libbpf('load.bpfel.new.log').includes("prog 'file_open': relo #0: substituting insn #6 w/ invalid insn"));
      const parent = r.rows.find((x) => x.what === 'core' && x.spec.includes('struct kernfs_node.parent'))!;
      assert.deepEqual(parent.outcomes.map((o) => o.fails), [false, true]);
      assert.equal(parent.changes, 'new: field renamed (parent → __parent)');
      assert.match(r.markdown, /^# Load matrix: 1 object × 2 kernels\n/);
      assert.match(r.markdown, /\n\| build\/load\.bpfel\.o \| ⚠ kfunc bpf_task_acquire: [^|]+ \| ⚠ attach target do_unlinkat \(fentry\/do_unlinkat\): [^|]+ \|\n/);
      const csv = r.csv.trimEnd().split('\n');
      assert.equal(csv.length, r.rows.length + 1);
      assert.ok(csv.some((l) => l.endsWith(',new: field renamed (parent → __parent)')), r.csv);
    } finally {
      s.close();
    }
  });
});

describe('the load matrix on the corpus kernels agrees with libbpf on the load fixtures (test/golden/check)', () => {
  const kernelsDir = sharedCorpus;
  const loadDir = join(repoRoot, 'test/fixtures/load');
  test('per object and kernel: where libbpf stopped before the verifier, or that it got past BTF', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, async () => {
    const objects = readdirSync(join(loadDir, 'obj')).filter((f) => f.endsWith('.bpfel.o') && !f.startsWith('kconfig'));
    const kernels = ['vmlinux-6.1', 'vmlinux-6.18'];
    const s = await startTestServer({
      settings: { coreTargets: kernels.map((k) => join(kernelsDir, `${k}.btf`)) },
      prepare: (root) => {
        for (const f of readdirSync(join(loadDir, 'src'))) copyFileSync(join(loadDir, 'src', f), join(root, 'src', f));
        for (const f of objects) copyFileSync(join(loadDir, 'obj', f), join(root, 'build', f));
      },
    });
    try {
      const r = (await s.client.sendRequest('btf/coreMatrix', {})) as CoreMatrixRequest.Result;
      assert.deepEqual(r.targets.map((t) => [t.label, t.error]), kernels.map((k) => [k, undefined]));
      let compared = 0;
      for (const obj of objects) {
        const row = r.objects.find((o) => o.object === `build/${obj}`);
        assert.ok(row, `${obj}: no matrix row`);
        kernels.forEach((k, i) => {
          const log = readFileSync(join(golden, 'check', `${obj.replace(/\.o$/, '')}.${k}.log`), 'utf8').split('\n');
          const cell = row.cells[i]!;
          const end = log.findIndex((l) => l.startsWith('W: libbpf: failed to load object'));
          if (end < 0) {
            assert.ok(log.includes('RESULT 0'), `${obj} on ${k}`);
            assert.equal(cell.loads, true, `${obj} on ${k}: ${cell.text}`);
            compared++;
            return;
          }
          const warns = log.slice(0, end).filter((l) => l.startsWith('W: libbpf: ')).map((l) => l.slice('W: libbpf: '.length));
          const attach = warns.map((l) => /failed to find kernel BTF type ID of '([^']*)'/.exec(l)).find((m) => m);
          const before = warns.find((l) => /^(extern|struct_ops init_kern)/.test(l));
          if (attach || before) {
            // libbpf stopped on BTF: the cell names what it stopped on (the name libbpf quotes)
            const name = attach ? attach[1]! : [/Cannot find member (\S+)/, /'([^']+)'/, /struct (\S+) is not found/].map((re) => re.exec(before!)?.[1]).find((x) => x)!;
            assert.equal(cell.loads, false, `${obj} on ${k}: libbpf stopped at ${attach?.[0] ?? before}`);
            assert.ok(cell.text.includes(name), `${obj} on ${k}: libbpf stopped at ${attach?.[0] ?? before}; the cell says ${cell.text}`);
            compared++;
          } else if (warns.some((l) => /BPF program load failed|failed to load: -/.test(l)) && !warns.some((l) => /failed to create|Kconfig/.test(l))) {
            // The running kernel rejected a program (it has the last word there) and libbpf stopped: the programs
            // after it were never looked up. Their attach lookups are in the one-program logs.
            const base = `${obj.replace(/\.o$/, '')}.${k}.`;
            const lookups = readdirSync(join(golden, 'check')).filter((f) => f.startsWith(base) && /^[a-z_0-9]+\.log$/.test(f.slice(base.length)))
              .flatMap((f) => readFileSync(join(golden, 'check', f), 'utf8').split('\n'))
              .map((l) => /failed to find kernel BTF type ID of '([^']*)'/.exec(l)?.[1]).filter((x): x is string => !!x);
            // a missing __weak extern whose use the verifier reaches (core/load/weak-reach.ts): libbpf got past BTF,
            // the verifier refuses (with a mounted BTF the running kernel refuses earlier, at the attach BTF ID; the
            // verdicts of the running kernel's own BTF are compared in test/unit/weak-reach.test.ts)
            const weakUse = /\(__weak\): not found: left 0 \(__weak\): unguarded use at line \d+/.test(cell.text);
            if (weakUse) {
              assert.equal(cell.loads, false);
              assert.ok(log.some((l) => l.endsWith('-- BEGIN PROG LOAD LOG --')), `${obj} on ${k}: ${cell.text}`);
            } else if (lookups.length) {
              assert.equal(cell.loads, false, `${obj} on ${k}: libbpf failed to find ${lookups.join(', ')} (one program at a time); the cell says ${cell.text}`);
              assert.ok(lookups.some((x) => cell.text.includes(x)), `${obj} on ${k}: ${lookups.join(', ')} vs ${cell.text}`);
            } else assert.equal(cell.loads, true, `${obj} on ${k}: the kernel got it (${warns.at(-1)}), the cell says ${cell.text}`);
            compared++;
          }
        });
      }
      assert.ok(compared >= 25, `compared ${compared} cells`);
    } finally {
      s.close();
    }
  });

  test('an extern whose type is not the kernel\'s: both declarations as C in the hover', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, async () => {
    const s = await startTestServer({
      settings: { coreTargets: [join(kernelsDir, 'vmlinux-6.18.btf')] },
      prepare: (root) => {
        for (const f of ['ksym_var_incompat.c', 'load.h']) copyFileSync(join(loadDir, 'src', f), join(root, 'src', f));
        copyFileSync(join(loadDir, 'obj/ksym_var_incompat.bpfel.o'), join(root, 'build/ksym_var_incompat.bpfel.o'));
      },
    });
    try {
      const log = readFileSync(join(golden, 'check/ksym_var_incompat.bpfel.vmlinux-6.18.log'), 'utf8');
      const m = /extern \(var ksym\) 'bpf_prog_active': incompatible types, expected \[\d+\] struct (\w+), but kernel has \[\d+\] int (\w+)/.exec(log)!;
      assert.ok(m, 'libbpf logged the incompatible types');
      const h = await hoverAt(s, 'src/ksym_var_incompat.c', 'bpf_prog_active __ksym __weak', 'bpf_prog_active');
      assert.match(h, /\nvmlinux-6\.18: incompatible — the load fails/);
      assert.ok(h.includes(`\`\`\`c\n/* this object */ const struct ${m[1]} bpf_prog_active;\n/* vmlinux-6.18 */ ${m[2]} bpf_prog_active;\n\`\`\``), h);
    } finally {
      s.close();
    }
  });
});

describe('struct_ops on the corpus kernels: the map\'s and each program\'s SEC line', () => {
  const loadDir = join(repoRoot, 'test/fixtures/load');
  test('SEC(".struct_ops") names the kernel struct; SEC("struct_ops/…") the member its program fills', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, async () => {
    const kernels = ['vmlinux-6.1', 'vmlinux-6.18'];
    const s = await startTestServer({
      settings: { coreTargets: kernels.map((k) => join(sharedCorpus, `${k}.btf`)) },
      prepare: (root) => {
        for (const f of ['struct_ops_tcp.c', 'load.h']) copyFileSync(join(loadDir, 'src', f), join(root, 'src', f));
        copyFileSync(join(loadDir, 'obj/struct_ops_tcp.bpfel.o'), join(root, 'build/struct_ops_tcp.bpfel.o'));
      },
    });
    try {
      for (const k of kernels) {
        const log = readFileSync(join(golden, `check/struct_ops_tcp.bpfel.${k}.no-maps.log`), 'utf8');
        assert.match(log, /struct_ops init_kern btf_lens_cc: type_id:\d+ kern_type_id:\d+/);
        assert.match(log, /struct_ops init_kern btf_lens_cc: func ptr ssthresh is set to prog btf_lens_ssthresh/);
      }
      const rowsOf = (h: string) => /On target kernels:\n\n```\n([^`]*)\n```/.exec(h)?.[1]?.split('\n');
      const map = await hoverAt(s, 'src/struct_ops_tcp.c', 'SEC(".struct_ops")', 'SEC');
      assert.ok(map.startsWith('**struct_ops struct tcp_congestion_ops**'), map);
      assert.deepEqual(rowsOf(map), kernels.map((k) => `${k}: found: struct tcp_congestion_ops`));
      const prog = await hoverAt(s, 'src/struct_ops_tcp.c', 'SEC("struct_ops/btf_lens_ssthresh")', 'SEC');
      assert.ok(prog.startsWith('**struct_ops member tcp_congestion_ops.ssthresh** · program btf_lens_ssthresh'), prog);
      for (const r of rowsOf(prog)!) assert.match(r, /^vmlinux-6\.1[8]?: found: \S+ \(\*ssthresh\)\(struct sock \*\) \(in struct tcp_congestion_ops\)$/);
    } finally {
      s.close();
    }
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
