// `btf-lens check` against libbpf 1.1.2 itself: the load logs in test/golden/check (test/fixtures/load/build.sh:
// load_each with each corpus kernel's BTF bind-mounted over /sys/kernel/btf/vmlinux, whole objects and one
// program at a time, with and without a kconfig text), reduced to the lines check prints by the committed rules
// of test/helpers/libbpf-load-log.ts, must equal check's lines where libbpf stopped on its own or loaded
// everything, and be a prefix of them where the running kernel refused first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { openCoreTarget, type CoreTarget } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { libbpfPrograms } from '../../server/src/core/core-relo/programs';
import { checkLoad, collectDependencies } from '../../server/src/core/load/check';
import type { LoadOptions } from '../../server/src/core/load/model';
import { checkLinesOfOracle, compareWithOracle } from '../helpers/libbpf-load-log';
import { cliPath, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

const loadDir = join(repoRoot, 'test/fixtures/load');
const goldenDir = join(golden, 'check');
/**
 * The running kernel when the goldens were recorded (build.sh: "6.18.44 here"): libbpf takes
 * LINUX_KERNEL_VERSION from uname, so check is given that release.
 */
const ORACLE_RELEASE = '6.18.44';
const KERNELS = ['vmlinux-6.18', 'vmlinux-6.1'];
const NAME = /^(.+)\.(vmlinux-6\.18|vmlinux-6\.1)(?:\.(with-kconfig|no-maps))?(?:\.([^.]+))?\.log$/;

/**
 * Logs without a kconfig text took CONFIG_* from this machine's /proc/config.gz: they can be compared only on
 * the machine (kernel) they were recorded on, with its config.
 */
function hostKconfig(): string | undefined {
  if (!release().startsWith(`${ORACLE_RELEASE}-`) && release() !== ORACLE_RELEASE) return undefined;
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('latin1');
  } catch {
    return undefined;
  }
}

const targets = new Map<string, CoreTarget>();
function target(kernel: string): CoreTarget {
  let t = targets.get(kernel);
  if (!t) targets.set(kernel, (t = openCoreTarget(readFileSync(join(sharedCorpus, `${kernel}.btf`)), [], kernel).target));
  return t;
}
const open = (obj: string) => openBtfBytes(readFileSync(join(loadDir, 'obj', obj)), { file: obj });

describe('check equals libbpf 1.1.2 (test/golden/check, load_each logs)', () => {
  const logs = readdirSync(goldenDir).filter((f) => f.endsWith('.log')).sort();

  it('has logs of every kind of dependency and failure', () => {
    const all = logs.map((l) => readFileSync(join(goldenDir, l), 'utf8')).join('');
    for (const s of ["extern (var ksym) '", "': resolved to kernel [", 'incompatible types, expected', 'func_proto [',
      'not found in kernel or module BTFs', "(strong): not resolved", "(weak): not resolved, defaulting to zero",
      "': set to 0x", 'error parsing system Kconfig line', 'unrecognized virtual extern', 'failed to find kernel BTF type ID of',
      'struct_ops init_kern', 'is not found in kernel BTF', 'found target candidate']) {
      assert.ok(all.includes(s), `no log line with '${s}'`);
    }
  });

  const kconfigTxt = readFileSync(join(loadDir, 'kconfig.txt'), 'latin1');
  const host = hostKconfig();
  for (const log of logs) {
    const m = NAME.exec(log);
    if (!m) continue;
    const [, name, kernel, tag, prog] = m;
    it(`${log}`, (t) => {
      if (!hasCorpus) return t.skip(`no corpus kernels at ${sharedCorpus}`);
      const obj = `${name}.o`;
      const input = open(obj);
      const opts: LoadOptions = { kernelRelease: ORACLE_RELEASE, programs: prog ? [prog] : undefined };
      if (tag === 'with-kconfig') opts.kconfig = kconfigTxt;
      else if (collectDependencies(input).dependencies.some((d) => d.kind === 'kconfig' && d.name.startsWith('CONFIG_'))) {
        if (!host) return t.skip(`took CONFIG_* from the recording machine's /proc/config.gz (kernel ${ORACLE_RELEASE}); this is ${release()}`);
        opts.kconfig = host;
      }
      if (collectDependencies(input).dependencies.some((d) => d.kind === 'ksym-typeless')) {
        // libbpf read the recording machine's /proc/kallsyms (oracle.sh rewrote the addresses to 0xADDR)
        if (!host) return t.skip(`read the recording machine's /proc/kallsyms (kernel ${ORACLE_RELEASE}); this is ${release()}`);
        opts.kallsyms = readFileSync('/proc/kallsyms', 'latin1');
      }
      const res = checkLoad(input, target(kernel!), opts);
      res.log = res.log.map((l) => l.replace(/^(extern \(ksym\) '[^']*': set to 0x)[0-9a-f]+$/, '$1ADDR'));
      assert.deepEqual(res.problems, []);
      const oracle = checkLinesOfOracle(readFileSync(join(goldenDir, log), 'utf8'));
      const stopProg = res.stop?.dependency !== undefined ? res.dependencies[res.stop.dependency]!.program : undefined;
      const all = libbpfPrograms(input.elf!).programs;
      const order = all.filter((p) => !(p.subprog && all.length > 1)).map((p) => p.name);
      const diff = compareWithOracle(res.log, oracle, res.stop && { step: res.stop.step, program: stopProg }, order);
      assert.equal(diff, undefined, diff);
      // where libbpf stopped by itself, check says the load stops (and where it loaded, that it does not)
      if (oracle.stoppedByLibbpf) assert.equal(res.stop?.err, oracle.result, 'libbpf\'s error');
      if (oracle.result === 0) assert.equal(res.stop, undefined);
    });
  }
});

describe('check outcomes (JSON model)', () => {
  it('weak and strong kfuncs on 6.1: every missing one listed, the load stops at the first strong one', (t) => {
    if (!hasCorpus) return t.skip(`no corpus kernels at ${sharedCorpus}`);
    const res = checkLoad(open('kfunc_strong.bpfel.o'), target('vmlinux-6.1'), { kernelRelease: ORACLE_RELEASE });
    const oracle = checkLinesOfOracle(readFileSync(join(goldenDir, 'kfunc_strong.bpfel.vmlinux-6.1.log'), 'utf8'));
    assert.ok(oracle.stoppedByLibbpf);
    assert.equal(res.stop?.step, 'externs');
    const stopDep = res.dependencies[res.stop!.dependency!]!;
    // the dependency the load stops at is the one libbpf names in its last extern line
    assert.ok(oracle.lines.some((l) => l.includes(`'${stopDep.name}'`)), stopDep.name);
    assert.equal(res.outcomes[res.stop!.dependency!]!.code === 'missing' || res.outcomes[res.stop!.dependency!]!.code === 'incompatible', true);
  });

  it('attach targets: one outcome per program, found with the kernel type, missing with libbpf\'s error', (t) => {
    if (!hasCorpus) return t.skip(`no corpus kernels at ${sharedCorpus}`);
    const input = open('attach_tracing.bpfel.o');
    const res = checkLoad(input, target('vmlinux-6.1'), { kernelRelease: ORACLE_RELEASE });
    const attach = res.dependencies.map((d, i) => ({ d, o: res.outcomes[i]! })).filter((x) => x.d.kind === 'attach');
    assert.ok(attach.length >= 4);
    for (const { d, o } of attach) {
      // each per-program oracle log says whether libbpf found it
      const log = join(goldenDir, `attach_tracing.bpfel.vmlinux-6.1.${d.program}.log`);
      const lines = checkLinesOfOracle(readFileSync(log, 'utf8')).lines;
      const missing = lines.some((l) => l.startsWith(`prog '${d.program}': failed to find kernel BTF type ID of '${d.name}'`));
      assert.equal(o.code, missing ? 'missing' : 'found', `${d.program}: ${d.name}`);
      if (!missing) assert.ok(o.targetTypeId! > 0 && o.targetKind === 'func');
      assert.ok(d.place && d.place.line >= 0 && d.place.file.endsWith('attach_tracing.c'), JSON.stringify(d.place));
    }
  });
});

describe('check --program (libbpf\'s autoload)', () => {
  it('turns entry programs off but not subprograms: their CO-RE relocations are still applied (core_oracle golden)', () => {
    const targets = join(repoRoot, 'test/fixtures/core-targets');
    const obj = openBtfBytes(readFileSync(join(targets, 'obj/corex.bpfel.o')), { file: 'corex.bpfel.o' });
    const tgt = openCoreTarget(readFileSync(join(targets, 'btf/decision.btf')), [], 'decision.btf').target;
    const coreLines = readFileSync(join(golden, 'core-resolve/corex.bpfel__decision.txt'), 'utf8').split('\n');
    const sub = coreLines.filter((l) => /^prog 'sub_(static|global)': relo #/.test(l));
    assert.ok(sub.length > 0);
    const res = checkLoad(obj, tgt, { programs: ['cx_arrays'] });
    for (const l of sub) assert.ok(res.log.includes(l), l);
    // and the entry programs not named are not relocated
    assert.ok(!res.log.some((l) => l.startsWith("prog 'cx_first': relo #")));
  });
});

describe('check: byte order (bpf_object__check_endianness)', () => {
  const obj = (name: string) => openBtfBytes(readFileSync(join(repoRoot, 'test/fixtures/obj', name)), { file: name });
  const target = (name: string) => openCoreTarget(readFileSync(join(repoRoot, 'test/fixtures/obj', name)), [], name).target;
  it('a big-endian object on a little-endian kernel: libbpf 1.1.2\'s one line, and the open fails', () => {
    // load_oracle core.bpfeb.o on this (little-endian) machine: "W: libbpf: elf: endianness mismatch in core.bpfeb.o.", "RESULT open failed"
    const res = checkLoad(obj('core.bpfeb.o'), target('types.bpfel.btf'));
    assert.deepEqual(res.log, ['elf: endianness mismatch in core.bpfeb.o.']);
    assert.deepEqual(res.stop, { step: 'open', err: -4003 }); // LIBBPF_ERRNO__ENDIAN (libbpf.h)
    assert.equal(checkLoad(obj('core.bpfel.o'), target('types.bpfeb.btf')).stop?.err, -4003);
  });
  it('an object of the kernel\'s byte order gets past open, big-endian too', () => {
    for (const [o, t] of [['core.bpfeb.o', 'types.bpfeb.btf'], ['core.bpfel.o', 'types.bpfel.btf']] as const) {
      const res = checkLoad(obj(o), target(t));
      assert.equal(res.log[0], 'looking for externs among 31 symbols...', o);
      assert.notEqual(res.stop?.step, 'open', o);
    }
  });
});

describe('btf-lens check (CLI)', () => {
  it('prints libbpf\'s lines and exits 1 where libbpf stops before the verifier', (t) => {
    if (!hasCorpus) return t.skip(`no corpus kernels at ${sharedCorpus}`);
    if (!existsSync(cliPath)) return t.skip('dist/cli.js not built (npm run build)');
    const obj = join(loadDir, 'obj/ksym_var_missing.bpfel.o');
    const r = spawnSync(process.execPath, [cliPath, 'check', obj, '--target', join(sharedCorpus, 'vmlinux-6.1.btf'), '--kernel-release', ORACLE_RELEASE], { encoding: 'utf8' });
    const oracle = checkLinesOfOracle(readFileSync(join(goldenDir, 'ksym_var_missing.bpfel.vmlinux-6.1.log'), 'utf8'));
    assert.ok(oracle.stoppedByLibbpf);
    const ours = r.stdout.split('\n').slice(0, -1).map((l) => l.replace(obj, 'ksym_var_missing.bpfel.o'));
    assert.equal(compareWithOracle(ours, oracle), undefined);
    assert.equal(r.status, 1);
  });

  it('--format json: every dependency with one outcome per target', (t) => {
    if (!hasCorpus) return t.skip(`no corpus kernels at ${sharedCorpus}`);
    if (!existsSync(cliPath)) return t.skip('dist/cli.js not built (npm run build)');
    const r = spawnSync(process.execPath, [cliPath, 'check', join(loadDir, 'obj/attach_lsm.bpfel.o'), '--format', 'json',
      ...KERNELS.flatMap((k) => ['--target', join(sharedCorpus, `${k}.btf`)])], { encoding: 'utf8' });
    const j = JSON.parse(r.stdout) as { targets: { loads: boolean }[]; dependencies: { kind: string; name: string; outcomes: { code: string }[] }[] };
    assert.equal(j.targets.length, 2);
    // each kernel lacks one of the LSM hooks (attach_lsm.c): both loads stop, the exit status says so
    assert.deepEqual(j.targets.map((x) => x.loads), [false, false]);
    assert.equal(r.status, 1);
    const codes = (n: string) => j.dependencies.find((d) => d.name === n)?.outcomes.map((o) => o.code);
    assert.deepEqual(codes('bpf_map_alloc_security'), ['missing', 'found']);
    assert.deepEqual(codes('bpf_map_create'), ['found', 'missing']);
    assert.ok(j.dependencies.some((d) => d.kind === 'attach'));
    for (const d of j.dependencies) assert.equal(d.outcomes.length, 2);
  });
});
