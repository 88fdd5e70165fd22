// Compares `btf-lens check` (checkLoad, the lines the CLI prints) with libbpf 1.1's own load log over a
// directory of BPF objects × kernel BTFs: load_each (test/fixtures/load/load_each.c) runs in a private mount
// namespace with the kernel BTF bind-mounted over /sys/kernel/btf/vmlinux, once for the whole object and once
// per program (-p: the others' autoload off, so that each program's attach lookup is logged even when the
// running kernel refuses the one before). The raw log is reduced by the test's rules
// (test/helpers/libbpf-load-log.ts) and compared as test/unit/check.test.ts compares: equal where libbpf
// stopped on its own or loaded everything, a prefix where the running kernel refused first (and check must
// not stop where libbpf went on).
// What libbpf takes from the running kernel is given to check from the running kernel too: LINUX_KERNEL_VERSION
// (uname -r), CONFIG_* (/boot/config-$(uname -r) or /proc/config.gz) and typeless ksyms (/proc/kallsyms).
//
// Usage (root: mount namespaces, bpf()):
//   nice npx tsx scripts/check-load.ts [--oracle PATH] [--maps] [--whole] [--show N] --target T.btf... OBJ.o|DIR...
// --maps: let libbpf create maps (default: load_each -M, no map created: a map the running kernel refuses stops
//   libbpf before CO-RE and the attach lookups). --whole: only whole-object runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { libbpfPrograms } from '../server/src/core/core-relo/programs';
import { openCoreTarget } from '../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../server/src/core/input';
import { checkLoad } from '../server/src/core/load/check';
import type { CoreTarget } from '../server/src/core/load/model';
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
const kallsyms = readFileSync('/proc/kallsyms', 'latin1');

function runOracle(btf: string, obj: string, prog?: string): string {
  const opts = [...(prog ? ['-p', prog] : []), ...(maps ? [] : ['-M'])];
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'btf=$1; shift; mount --bind "$btf" /sys/kernel/btf/vmlinux && exec "$@"', 'sh', btf, oracle, ...opts, basename(obj)],
    { cwd: dirname(obj), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60_000 });
  return r.stdout ?? '';
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const kernels = targets.map((t) => ({ file: t, label: basename(t), target: openCoreTarget(readFileSync(t), [], t).target as CoreTarget }));
let runs = 0, exact = 0, prefix = 0, foreign = 0, notOpened = 0, lines = 0;
const diffs: string[] = [];
const started = Date.now();
for (const obj of objects) {
  const input = openBtfBytes(readFileSync(obj), { file: basename(obj) });
  if (!input.elf?.isBpf) continue;
  if ((input.elf.header?.littleEndian ?? true) !== hostLittleEndian) {
    foreign++;
    continue;
  }
  const progs = libbpfPrograms(input.elf).programs.filter((p) => !p.subprog).map((p) => p.name);
  for (const k of kernels) {
    const variants: (string | undefined)[] = [undefined, ...(whole || progs.length < 2 ? [] : progs)];
    for (const prog of variants) {
      const raw = runOracle(k.file, obj, prog);
      if (/^RESULT open failed/m.test(raw) && !/W: libbpf: /.test(raw)) notOpened++;
      const log = checkLinesOfOracle(raw);
      const res = checkLoad(input, k.target, { kernelRelease: release(), kconfig, kallsyms, programs: prog ? [prog] : undefined });
      const stopProg = res.stop?.dependency !== undefined ? res.dependencies[res.stop.dependency]!.program : undefined;
      const diff = compareWithOracle(res.log, log, res.stop && { step: res.stop.step, program: stopProg }, progs);
      runs++;
      lines += log.lines.length;
      if (diff) diffs.push(`${basename(obj)} × ${k.label}${prog ? ` -p ${prog}` : ''}: ${diff}`);
      else if (log.stoppedByLibbpf || log.result === 0) exact++;
      else prefix++;
    }
  }
}
console.log(`check-load: ${objects.length} objects × ${kernels.length} kernels, ${runs} libbpf runs (${whole ? 'whole objects' : 'whole objects and each program'}, ${maps ? 'maps created' : 'no maps (-M)'}), ${lines} libbpf lines compared, ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`  equal (libbpf stopped itself or loaded all): ${exact}`);
console.log(`  libbpf's lines a prefix of check's (the running kernel refused first): ${prefix}`);
console.log(`  different: ${diffs.length}`);
if (foreign) console.log(`  skipped: ${foreign} objects of the other byte order (libbpf opens only its own)`);
if (notOpened) console.log(`  (of the runs, ${notOpened} where libbpf could not open the object)`);
for (const d of diffs.slice(0, show)) console.log(`  ${d}`);
process.exit(diffs.length ? 1 : 0);
