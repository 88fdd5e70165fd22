// npm run bench: BTF Lens vs bpftool/libbpf, measured side by side in the same run.
// Medians over repeated runs (the machine is shared and noisy: read the ratios, not the absolutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { gnuTime, have, median, timed } from './timing.mjs';

const root = resolve(import.meta.dirname, '..');
const corpus = process.env.BTF_LENS_CORPUS ?? resolve(root, '../shared/corpus');
const oracles = process.env.BTF_LENS_ORACLES ?? resolve(root, '../shared/oracles');
const vmlinux = [join(corpus, 'vmlinux-6.18.btf'), '/sys/kernel/btf/vmlinux'].find(existsSync);
const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-bench-'));
const fmt = (ms) => `${ms.toFixed(2)} ms`;
const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}×`;

// NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle at start-up (~45 ms on these machines,
// where the environment sets it; bpftool pays nothing alike): the processes measured here run without it,
// as a plain Node would. BTF_LENS_BENCH_KEEP_ENV=1 keeps it.
const droppedCa = !process.env.BTF_LENS_BENCH_KEEP_ENV && process.env.NODE_EXTRA_CA_CERTS;
if (droppedCa) delete process.env.NODE_EXTRA_CA_CERTS;

if (!vmlinux) {
  console.log('bench: no vmlinux BTF (../shared/corpus or /sys/kernel/btf): nothing to measure');
  process.exit(0);
}
await build({ entryPoints: [join(root, 'bench/inproc.ts')], bundle: true, platform: 'node', target: 'node20', outfile: join(root, 'dist/bench-inproc.js'), logLevel: 'warning' });
const inproc = (...args) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', join(root, 'dist/bench-inproc.js'), ...args], { maxBuffer: 1 << 26 }).toString());

let libbpfBench;
if (existsSync(join(oracles, 'btf_parse_bench.c')) && have('gcc')) {
  libbpfBench = join(tmp, 'btf_parse_bench');
  const r = spawnSync('gcc', ['-O2', '-o', libbpfBench, join(oracles, 'btf_parse_bench.c'), '-lbpf']);
  if (r.status !== 0) libbpfBench = undefined;
}
const libbpfMedian = (args) => {
  const out = execFileSync(libbpfBench, args, { maxBuffer: 1 << 26 }).toString();
  const m = /median\s*[=:]?\s*([\d.]+)\s*(ms|us|s)?/i.exec(out);
  if (!m) throw new Error(`cannot read btf_parse_bench output: ${out}`);
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
};

if (droppedCa) console.log(`bench: NODE_EXTRA_CA_CERTS (${droppedCa}) unset for the processes measured (BTF_LENS_BENCH_KEEP_ENV=1 keeps it)`);
console.log(`bench: vmlinux = ${vmlinux} (${(statSync(vmlinux).size / 1e6).toFixed(1)} MB)\n`);
const rows = [];

// 1. in-process parse+index, warm
{
  const ours = median(inproc('parse', vmlinux, '40').times.slice(10));
  const theirs = libbpfBench ? libbpfMedian(['-n', '40', vmlinux]) : undefined;
  rows.push(['read+parse+index vmlinux (in-process, warm)', ours, theirs, '≤ 2×']);
}

// 2. whole-process raw dump, into /dev/null and through a pipe (where bpftool's one write per line
// costs); wall time, and user+sys CPU (from /usr/bin/time; steadier on a busy machine).
if (have('bpftool')) {
  const runs = 15;
  const cli = `${process.execPath} ${join(root, 'dist/cli.js')} dump ${vmlinux}`;
  const tool = `bpftool btf dump file ${vmlinux}`;
  for (const [sink, what] of [['> /dev/null', 'into /dev/null'], ['| cat > /dev/null', 'piped to cat']]) {
    const ours = [], theirs = [];
    for (let i = 0; i < runs; i++) { // interleaved, so load changes hit both alike
      ours.push(timed(`${cli} ${sink}`));
      theirs.push(timed(`${tool} ${sink}`));
    }
    rows.push([`dump --format raw vmlinux ${what} (whole process, wall)`, median(ours.map((x) => x.wall)), median(theirs.map((x) => x.wall)), '≤ 0.5×']);
    if (gnuTime) rows.push([`dump --format raw vmlinux ${what} (whole process, user+sys CPU${what === 'piped to cat' ? ' incl. cat' : ''})`, median(ours.map((x) => x.cpu)), median(theirs.map((x) => x.cpu)), '']);
  }
} else {
  rows.push(['dump --format raw vmlinux (whole process)', NaN, undefined, 'bpftool not installed']);
}

// whole-process C dump (vmlinux.h) vs bpftool format c (bench/c-dump.mjs)
rows.push(...(await import('./c-dump.mjs')).cDumpRows({ root, vmlinux }));

// whole-process gen min-core-btf (BTFGen) vs bpftool gen min_core_btf (bench/min-core.mjs)
rows.push(...(await import('./min-core.mjs')).minCoreRows({ root, vmlinux }));

// 3. all module BTFs on one base
const modDir = [process.env.BTF_LENS_MODULES, '/work/debmods/modules', join(corpus, 'modules')].find((d) => d && existsSync(d));
const base61 = [process.env.BTF_LENS_MODULES_BASE, '/work/debmods/vmlinux.btf', join(corpus, 'vmlinux-6.1.btf')].find((f) => f && existsSync(f));
if (modDir && base61) {
  const mods = readdirSync(modDir).filter((f) => f.endsWith('.btf')).map((f) => join(modDir, f));
  const ours = median(inproc('split', base61, '15', ...mods).times.slice(3));
  const theirs = libbpfBench ? libbpfMedian(['-n', '15', '-B', base61, ...mods]) : undefined;
  rows.push([`${mods.length} module BTFs read+parsed on one base (in-process, warm)`, ours, theirs, '']);
}

// CO-RE resolution of a large object against vmlinux vs libbpf's own time (bench/core.mjs)
rows.push(...(await (await import('./core.mjs')).coreRows({ root, vmlinux, tmp })));

// `check` of a large object against vmlinux vs libbpf's own time for the same load steps (bench/check.mjs)
rows.push(...(await (await import('./check.mjs')).checkRows({ root, vmlinux, tmp })));

// diff of the two corpus kernels vs bpftool's JSON dumps of both (bench/diff.mjs)
rows.push(...(await (await import('./diff.mjs')).diffRows({ root, corpus })));
// deps of a large object on the two corpus kernels (bench/deps.mjs)
rows.push(...(await (await import('./deps.mjs')).depsRows({ root, corpus })));

// 4. memory
const heap = inproc('heap', vmlinux);
const size = statSync(vmlinux).size;

console.log('| measure | BTF Lens | bpftool/libbpf | ratio | target |');
console.log('|---|---|---|---|---|');
for (const [name, ours, theirs, target] of rows) {
  console.log(`| ${name} | ${Number.isNaN(ours) ? '-' : fmt(ours)} | ${theirs === undefined ? '-' : fmt(theirs)} | ${theirs === undefined || Number.isNaN(ours) ? '-' : ratio(ours, theirs)} | ${target} |`);
}
console.log(`| decoded vmlinux heap (file bytes included) | ${(heap.bytes / 1e6).toFixed(1)} MB | file ${(size / 1e6).toFixed(1)} MB | ${(heap.bytes / size).toFixed(2)}× file | ≤ 2× |`);

// 5. the language server over stdio at scale (kernel + every module BTF + the fixture workspace)
await (await import('./lsp.mjs')).benchLsp();
