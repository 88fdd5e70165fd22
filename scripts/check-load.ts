// Compares `btf-lens check` (checkLoad, the lines the CLI prints) with libbpf 1.1's own load log over a
// directory of BPF objects × kernel BTFs: load_each (test/fixtures/load/load_each.c) runs in a private mount
// namespace with the kernel BTF bind-mounted over /sys/kernel/btf/vmlinux, once for the whole object and once
// per program (-p: the others' autoload off, so that each program's attach lookup is logged even when the
// running kernel refuses the one before). The raw log is reduced by the test's rules
// (test/helpers/libbpf-load-log.ts) and compared as test/unit/check.test.ts compares: equal where libbpf
// stopped on its own or loaded everything, a prefix where the running kernel refused first (and check must
// not stop where libbpf went on).
// What libbpf takes from the running kernel is given to check from the running kernel too: LINUX_KERNEL_VERSION
// (uname -r), CONFIG_* (/boot/config-$(uname -r) or /proc/config.gz), typeless ksyms (/proc/kallsyms) and the
// feature probes (asked of libbpf here).
//
// Usage (root: mount namespaces, bpf()):
//   nice npx tsx scripts/check-load.ts [--oracle PATH] [--maps] [--whole] [--show N] --target T.btf... OBJ.o|DIR...
// --maps: let libbpf create maps (default: load_each -M, no map created: a map the running kernel refuses stops
//   libbpf before CO-RE and the attach lookups). --whole: only whole-object runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { libbpfPrograms } from '../server/src/core/core-relo/programs';
import { openCoreTarget } from '../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../server/src/core/input';
import { checkLoad } from '../server/src/core/load/check';
import type { CoreTarget, LoadOptions } from '../server/src/core/load/model';
import { checkLinesOfOracle, compareWithOracle } from '../test/helpers/libbpf-load-log';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
let oracle = '';
let show = 5;
let maps = false;
let whole = false;
const targets: string[] = [];
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--oracle') oracle = args[++i]!;
  else if (a === '--target') targets.push(args[++i]!);
  else if (a === '--show') show = Number(args[++i]);
  else if (a === '--maps') maps = true;
  else if (a === '--whole') whole = true;
  else inputs.push(a);
}
if (process.getuid?.() !== 0) {
  console.error('check-load: needs root (unshare -m, mount --bind, bpf())');
  process.exit(2);
}
if (!targets.length || !inputs.length) {
  console.error('usage: check-load.ts [--oracle PATH] [--maps] [--whole] [--show N] --target T.btf... OBJ.o|DIR...');
  process.exit(2);
}
if (!oracle) {
  oracle = join(mkdtempSync(join(tmpdir(), 'check-load-')), 'load_each');
  const cc = spawnSync('gcc', ['-O2', '-o', oracle, join(repo, 'test/fixtures/load/load_each.c'), '-lbpf'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    console.error(`check-load: cannot build load_each: ${cc.stderr}`);
    process.exit(2);
  }
}

const objects: string[] = [];
for (const p of inputs) {
  if (statSync(p).isDirectory()) for (const f of readdirSync(p).filter((x) => x.endsWith('.o')).sort()) objects.push(join(p, f));
  else objects.push(p);
}

function hostKconfig(): string | undefined {
  for (const f of [`/boot/config-${release()}`, '/proc/config.gz']) {
    try {
      const b = readFileSync(f);
      return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('latin1');
    } catch {
      // next place
    }
  }
  return undefined;
}
const kconfig = hostKconfig();

/**
 * libbpf's feature probes of the running kernel (LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER) answer for
 * this machine whatever BTF is mounted: ask libbpf here, with a tiny object using both, and give check the
 * same answers (by default check tells them from the target's BTF).
 */
function probeFeatures(): LoadOptions['features'] {
  const dir = mkdtempSync(join(tmpdir(), 'check-load-probe-'));
  writeFileSync(join(dir, 'probe.c'), [
    'extern _Bool LINUX_HAS_BPF_COOKIE __attribute__((section(".kconfig"), weak));',
    'extern _Bool LINUX_HAS_SYSCALL_WRAPPER __attribute__((section(".kconfig"), weak));',
    '__attribute__((section("socket"), used)) int probe(void *ctx) { return LINUX_HAS_BPF_COOKIE + LINUX_HAS_SYSCALL_WRAPPER; }',
    'char LICENSE[] __attribute__((section("license"), used)) = "GPL";', '',
  ].join('\n'));
  const cc = spawnSync('clang', ['-O2', '-g', '-target', 'bpf', '-c', 'probe.c', '-o', 'probe.o'], { cwd: dir, encoding: 'utf8' });
  if (cc.status !== 0) return undefined;
  const out = spawnSync(oracle, ['-M', 'probe.o'], { cwd: dir, encoding: 'utf8' }).stdout ?? '';
  const v = (n: string) => {
    const m = new RegExp(`extern \\(kcfg\\) '${n}': set to 0x([0-9a-f]+)`).exec(out);
    return m ? m[1] !== '0' : undefined;
  };
  return { LINUX_HAS_BPF_COOKIE: v('LINUX_HAS_BPF_COOKIE'), LINUX_HAS_SYSCALL_WRAPPER: v('LINUX_HAS_SYSCALL_WRAPPER') };
}
const features = probeFeatures();
const kallsyms = readFileSync('/proc/kallsyms', 'latin1');

/** Why the last run printed what it did, when it did not end by itself (a timeout, a crash). */
let lastEnd = '';
function runOracle(btf: string, obj: string, prog?: string): string {
  const opts = [...(prog ? ['-p', prog] : []), ...(maps ? [] : ['-M'])];
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'btf=$1; shift; mount --bind "$btf" /sys/kernel/btf/vmlinux && exec "$@"', 'sh', btf, oracle, ...opts, basename(obj)],
    { cwd: dirname(obj), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60_000 });
  lastEnd = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  return r.stdout ?? '';
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const kernels = targets.map((t) => ({ file: t, label: basename(t), target: openCoreTarget(readFileSync(t), [], t).target as CoreTarget }));
let runs = 0, exact = 0, prefix = 0, foreign = 0, notOpened = 0, lines = 0;
const silent: string[] = [];
/** Per kernel: equal, prefix, different. */
const perKernel = new Map(kernels.map((k) => [k.label, [0, 0, 0]]));
const diffs: string[] = [];
const started = Date.now();
for (const obj of objects) {
  const input = openBtfBytes(readFileSync(obj), { file: basename(obj) });
  if (!input.elf?.isBpf) continue;
  if ((input.elf.header?.littleEndian ?? true) !== hostLittleEndian) {
    foreign++;
    continue;
  }
  const all = libbpfPrograms(input.elf).programs;
  const progs = all.filter((p) => !(p.subprog && all.length > 1)).map((p) => p.name);
  for (const k of kernels) {
    const variants: (string | undefined)[] = [undefined, ...(whole || progs.length < 2 ? [] : progs)];
    for (const prog of variants) {
      const raw = runOracle(k.file, obj, prog);
      // No libbpf line at all is no oracle (a wrong --oracle, a crash), not a prefix.
      if (!/^[DWI]: libbpf: /m.test(raw)) {
        silent.push(`${basename(obj)} × ${k.label}${prog ? ` -p ${prog}` : ''}: ${lastEnd}; ${raw.trim().split('\n').pop()?.slice(0, 200) || '(no output)'}`);
        continue;
      }
      if (/^RESULT open failed/m.test(raw) && !/W: libbpf: /.test(raw)) notOpened++;
      const log = checkLinesOfOracle(raw);
      const res = checkLoad(input, k.target, { kernelRelease: release(), kconfig, kallsyms, features, programs: prog ? [prog] : undefined });
      const stopProg = res.stop?.dependency !== undefined ? res.dependencies[res.stop.dependency]!.program : undefined;
      const diff = compareWithOracle(res.log, log, res.stop && { step: res.stop.step, program: stopProg }, progs);
      runs++;
      lines += log.lines.length;
      const tally = perKernel.get(k.label)!;
      if (diff) diffs.push(`${basename(obj)} × ${k.label}${prog ? ` -p ${prog}` : ''}: ${diff}`), tally[2]++;
      else if (log.stoppedByLibbpf || log.result === 0) exact++, tally[0]++;
      else prefix++, tally[1]++;
    }
  }
}
console.log(`check-load: feature probes here: ${JSON.stringify(features)}`);
console.log(`check-load: ${objects.length} objects × ${kernels.length} kernels, ${runs} libbpf runs (${whole ? 'whole objects' : 'whole objects and each program'}, ${maps ? 'maps created' : 'no maps (-M)'}), ${lines} libbpf lines compared, ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`  equal (libbpf stopped itself or loaded all): ${exact}`);
console.log(`  libbpf's lines a prefix of check's (the running kernel refused first): ${prefix}`);
console.log(`  different: ${diffs.length}`);
if (kernels.length > 1) for (const [label, [e, p, d]] of perKernel) console.log(`    ${label}: ${e} equal, ${p} prefix, ${d} different`);
if (silent.length) console.log(`  NOT compared: ${silent.length} runs where the oracle printed no libbpf line (is --oracle load_each?)`);
for (const s of silent.slice(0, show)) console.log(`  ${s}`);
if (foreign) console.log(`  skipped: ${foreign} objects of the other byte order (libbpf opens only its own)`);
if (notOpened) console.log(`  (of the runs, ${notOpened} where libbpf could not open the object)`);
for (const d of diffs.slice(0, show)) console.log(`  ${d}`);
process.exit(diffs.length || silent.length ? 1 : 0);
