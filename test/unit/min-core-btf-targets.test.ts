import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import { type CompositeType, typeById } from '../../server/src/core/btf/types';
import { cliPath, golden, repoRoot, sharedCorpus } from '../helpers/paths';

/**
 * `gen min-core-btf --target-dir DIR OUTDIR OBJ...` and `--report`: every OUT is bpftool 7.1's bytes for its
 * target (test/golden/min-core-btf, made by bpftool one target at a time), a target bpftool fails on gets no
 * OUT and its error, and the report accounts for OUT exactly: the types and members it says the relocations
 * kept are, together, every type and member of bpftool's OUT — no more, no fewer.
 */
const G = join(golden, 'min-core-btf');
const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 1 << 28 });
const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-gen-dir-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface ReportJson {
  targets: {
    target: string; out: string | null; error: string | null; outBytes: number | null; outTypes: number | null;
    relocations: { target: string | null; kept: { id: number; outId: number; name: string; members?: string[] }[] }[];
  }[];
}

/** OUT as the report describes it: out ID -> member names kept (undefined for a type not a struct/union). */
function reportedOut(t: ReportJson['targets'][number]): Map<number, Set<string> | undefined> {
  const m = new Map<number, Set<string> | undefined>();
  for (const r of t.relocations) {
    for (const k of r.kept) {
      if (k.members === undefined) m.set(k.outId, undefined);
      else {
        const s = m.get(k.outId) ?? new Set<string>();
        for (const n of k.members) s.add(n);
        m.set(k.outId, s);
      }
    }
  }
  return m;
}

/** bpftool's OUT the same way. */
function goldenOut(bytes: Uint8Array): Map<number, Set<string> | undefined> {
  const btf = Btf.parse(bytes);
  const m = new Map<number, Set<string> | undefined>();
  for (let id = 1; id < btf.typeCount; id++) {
    const k = btf.kind(id);
    m.set(id, k === Kind.STRUCT || k === Kind.UNION ? new Set((typeById(btf, id) as CompositeType).members.map((x, i) => x.name || `#${i}`)) : undefined);
  }
  return m;
}

function checkAccounts(t: ReportJson['targets'][number], want: Uint8Array): void {
  const got = reportedOut(t);
  const exp = goldenOut(want);
  assert.equal(t.outTypes, exp.size + 1, `${t.target}: type count`);
  assert.deepEqual([...got.keys()].sort((a, b) => a - b), [...exp.keys()], `${t.target}: types kept`);
  // an anonymous member is `#N` by its index: in the target for the report, in OUT for bpftool's file
  const names = (s: Set<string> | undefined) => s && [...s].map((n) => n.replace(/^#\d+$/, '#')).sort();
  for (const [id, members] of exp) assert.deepEqual(names(got.get(id)), names(members), `${t.target}: members of [${id}]`);
}

describe('gen min-core-btf --target-dir', () => {
  const outDir = join(tmp, 'out');
  const r = run('gen', 'min-core-btf', '--target-dir', 'test/fixtures/core-targets/btf', outDir, 'test/fixtures/obj/core.bpfel.o', '--report', '--format', 'json');
  const targets = readdirSync(join(repoRoot, 'test/fixtures/core-targets/btf')).filter((f) => f.endsWith('.btf'));
  const report = JSON.parse(r.stdout) as ReportJson;

  it('exits 1 when a target fails, naming it', () => {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ambiguous\.btf: .*field offset ambiguity/);
    assert.match(r.stderr, /module\.btf: .*split BTF/);
  });
  for (const name of targets) {
    const stem = name.replace(/\.btf$/, '');
    const btf = join(G, `core.bpfel__${stem}.btf`);
    const fail = join(G, `core.bpfel__${stem}.fail`);
    if (!existsSync(btf) && !existsSync(fail) && stem !== 'module') continue;
    it(`${name}: bpftool's OUT, or none where bpftool fails`, () => {
      const t = report.targets.find((x) => x.target.endsWith(`/${name}`));
      assert.ok(t, 'in the report');
      if (existsSync(btf)) {
        assert.equal(t.error, null);
        const want = readFileSync(btf);
        assert.ok(readFileSync(join(outDir, name)).equals(want), 'byte for byte');
        checkAccounts(t, new Uint8Array(want));
      } else {
        assert.ok(t.error);
        assert.equal(existsSync(join(outDir, name)), false);
      }
    });
  }
});

describe('gen min-core-btf --report: the report accounts for OUT', () => {
  const cases = readFileSync(join(G, 'cases.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string, string]);
  for (const [name, target, objs] of cases) {
    if (!existsSync(join(G, `${name}.btf`)) || !/vmlinux|multi|corex\.bpfel__/.test(name)) continue;
    const tpath = target.replace('$CORPUS', sharedCorpus);
    it(name, { skip: existsSync(resolve(repoRoot, tpath)) ? false : `no ${tpath}` }, () => {
      const out = join(tmp, `${name}.btf`);
      const r = run('gen', 'min-core-btf', tpath, out, ...objs.split(' '), '--report', '--format', 'json');
      assert.equal(r.status, 0, r.stderr);
      const want = readFileSync(join(G, `${name}.btf`));
      assert.ok(readFileSync(out).equals(want));
      checkAccounts((JSON.parse(r.stdout) as ReportJson).targets[0]!, new Uint8Array(want));
    });
  }
  it('text: names each relocation and what it keeps', () => {
    const r = run('gen', 'min-core-btf', 'test/fixtures/core-targets/btf/same.btf', join(tmp, 't.btf'), 'test/fixtures/obj/core.bpfel.o', '--report');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^test\/fixtures\/core-targets\/btf\/same\.btf -> .*t\.btf: \d+ of \d+ types, \d+ of \d+ bytes/);
    assert.match(r.stdout, /kprobe\/tcp_connect relo #0 \(insn \d+\): <byte_off> \[\d+\] struct task_struct\.pid/);
    assert.match(r.stdout, /keeps \[\d+\] struct task_struct: pid(, \w+)* -> \[\d+\]/);
  });
  it('a compressed target keeps its name less the suffix', () => {
    const dir = join(tmp, 'z');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', dir]);
    spawnSync('sh', ['-c', `gzip -c ${join(repoRoot, 'test/fixtures/core-targets/btf/same.btf')} > ${join(dir, 'same.btf.gz')}`]);
    symlinkSync(join(repoRoot, 'test/fixtures/core-targets/btf/old.btf'), join(dir, 'old.btf'));
    const r = run('gen', 'min-core-btf', '--target-dir', dir, join(dir, 'out'), 'test/fixtures/obj/core.bpfel.o');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(join(dir, 'out/same.btf')).equals(readFileSync(join(G, 'core.bpfel__same.btf'))));
    assert.ok(readFileSync(join(dir, 'out/old.btf')).equals(readFileSync(join(G, 'core.bpfel__old.btf'))));
  });
});
