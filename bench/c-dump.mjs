// `btf-lens dump --format c` of vmlinux vs `bpftool btf dump file vmlinux format c`: whole processes
// (start-up, read, parse and write included), output to /dev/null, interleaved runs, medians; wall time
// and user+sys CPU (from /usr/bin/time: steadier on a busy machine). The two outputs are checked to be
// byte-identical first (a fast wrong answer would not count).
// Standalone: node bench/c-dump.mjs [VMLINUX]   (after npm run build; RUNS=N to change the count)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gnuTime, have, median, timed } from './timing.mjs';

/** Rows for bench/run.mjs: [measure, ours ms, bpftool ms, target]. */
export function cDumpRows({ root, vmlinux, runs = 11 }) {
  const name = 'dump --format c vmlinux > /dev/null (whole process';
  if (!have('bpftool')) return [[`${name})`, NaN, undefined, 'bpftool not installed']];
  const cli = join(root, 'dist/cli.js');
  const ours = execFileSync(process.execPath, [cli, 'dump', vmlinux, '--format', 'c'], { maxBuffer: 1 << 28 });
  const theirs = execFileSync('bpftool', ['btf', 'dump', 'file', vmlinux, 'format', 'c'], { maxBuffer: 1 << 28 });
  if (!ours.equals(theirs)) return [[`${name})`, NaN, undefined, 'outputs differ: not measured']];
  const a = [], b = [];
  for (let i = 0; i < runs; i++) { // interleaved, so load changes hit both alike
    a.push(timed(`"${process.execPath}" "${cli}" dump "${vmlinux}" --format c > /dev/null`));
    b.push(timed(`bpftool btf dump file "${vmlinux}" format c > /dev/null`));
  }
  const rows = [[`${name}, wall)`, median(a.map((x) => x.wall)), median(b.map((x) => x.wall)), '≤ 1.0×']];
  if (gnuTime) rows.push([`${name}, user+sys CPU)`, median(a.map((x) => x.cpu)), median(b.map((x) => x.cpu)), '']);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const vmlinux = process.argv[2] ?? [join(root, '../shared/corpus/vmlinux-6.18.btf'), '/sys/kernel/btf/vmlinux'].find(existsSync);
  for (const [m, o, t, target] of cDumpRows({ root, vmlinux, runs: Number(process.env.RUNS ?? 11) })) {
    console.log(`${m}: ours ${o.toFixed(1)} ms, bpftool ${t === undefined ? '-' : t.toFixed(1)} ms${t === undefined ? '' : `, ${(o / t).toFixed(2)}×`} ${target ? `(target ${target})` : ''}`);
  }
}
