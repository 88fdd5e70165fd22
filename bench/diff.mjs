// `btf-lens diff` of the Debian 6.1 kernel's BTF against the 6.18 one, in-process (read, parse and
// compare both; first run and warm median), beside what bpftool takes only to print both as JSON
// (`bpftool btf dump file X -j`, whole processes, into /dev/null), the input of the reference diff.
// Standalone: node bench/diff.mjs [OLD NEW]   (RUNS=N to change the count)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { have, median, timed } from './timing.mjs';

/** Rows for bench/run.mjs: [measure, ours ms, bpftool ms, target]. */
export async function diffRows({ root, corpus, runs = 15 }) {
  const [a, b] = [join(corpus, 'vmlinux-6.1.btf'), join(corpus, 'vmlinux-6.18.btf')];
  const name = 'diff vmlinux 6.1 vs 6.18, in-process (read+parse+compare; bpftool: btf dump -j of both, whole processes)';
  if (!existsSync(a) || !existsSync(b)) return [[name, NaN, undefined, `no ${a} and ${b}`]];
  const out = join(root, 'dist/bench-diff.js');
  await build({ entryPoints: [join(root, 'bench/diff-inproc.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'warning' });
  const r = JSON.parse(execFileSync(process.execPath, [out, a, b, String(runs)], { maxBuffer: 1 << 26 }).toString());
  let theirs;
  if (have('bpftool')) {
    const t = [];
    for (let i = 0; i < runs; i++) t.push(timed(`bpftool btf dump file "${a}" -j > /dev/null; bpftool btf dump file "${b}" -j > /dev/null`).wall);
    theirs = median(t);
  }
  return [
    [`${name}, warm`, median(r.times.slice(3)), theirs, '< 1 s'],
    [`diff vmlinux 6.1 vs 6.18, first run in a fresh process (${r.summary.changed} changed, ${r.summary.added} added, ${r.summary.removed} removed)`, r.times[0], theirs, ''],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const corpus = process.env.BTF_LENS_CORPUS ?? resolve(root, '../shared/corpus');
  for (const [m, o, t, target] of await diffRows({ root, corpus, runs: Number(process.env.RUNS ?? 15) })) {
    console.log(`${m}: ours ${o.toFixed(1)} ms, bpftool ${t === undefined ? '-' : t.toFixed(1)} ms${t === undefined ? '' : `, ${(o / t).toFixed(2)}×`} ${target ? `(target ${target})` : ''}`);
  }
}
