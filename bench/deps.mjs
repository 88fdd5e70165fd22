// `btf-lens deps` of a large object against the two corpus kernels (Debian 6.1 and 6.18): in-process (the
// object read and every dependency looked up on both; first run and warm median, targets read once), and the
// whole `btf-lens deps … --format json` process. No other tool does this: the row has no reference.
// Object: $BTF_LENS_CORE_OBJ, else the selftests' profiler1.o (../selftests/bpfel), else the corex fixture.
// Standalone: node bench/deps.mjs   (RUNS=N to change the count)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { median, timed } from './timing.mjs';

/** Rows for bench/run.mjs: [measure, ours ms, reference ms, target]. */
export async function depsRows({ root, corpus, runs = 15 }) {
  const kernels = [join(corpus, 'vmlinux-6.1.btf'), join(corpus, 'vmlinux-6.18.btf')];
  const selftests = process.env.BTF_LENS_SELFTESTS ?? resolve(root, '../selftests');
  const obj = [process.env.BTF_LENS_CORE_OBJ, join(selftests, 'bpfel/profiler1.o'), join(root, 'test/fixtures/core-targets/obj/corex.bpfel.o')]
    .find((f) => f && existsSync(f));
  const name = `deps ${basename(obj ?? 'OBJ')} × vmlinux 6.1 and 6.18, in-process`;
  if (!kernels.every(existsSync)) return [[name, NaN, undefined, `no ${kernels.join(' and ')}`]];
  const out = join(root, 'dist/bench-deps.js');
  await build({ entryPoints: [join(root, 'bench/deps-inproc.ts')], bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'warning' });
  const r = JSON.parse(execFileSync(process.execPath, [out, obj, String(runs), ...kernels], { maxBuffer: 1 << 26 }).toString());
  const cli = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    cli.push(timed(`"${process.execPath}" "${join(root, 'dist/cli.js')}" deps "${obj}" --target "${kernels[0]}" --target "${kernels[1]}" --format json > /dev/null`).wall);
  }
  return [
    [`${name} (${r.deps} dependencies), warm`, median(r.times.slice(3)), undefined, ''],
    [`${name}, first run (target name indexes and C spellings built)`, r.times[0], undefined, ''],
    [`deps, same, whole \`btf-lens deps --format json\` process (both kernels read)`, median(cli), undefined, '< 2 s'],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const corpus = process.env.BTF_LENS_CORPUS ?? resolve(root, '../shared/corpus');
  for (const [m, o, , target] of await depsRows({ root, corpus, runs: Number(process.env.RUNS ?? 15) })) {
    console.log(`${m}: ${Number.isNaN(o) ? '-' : `${o.toFixed(1)} ms`} ${target ? `(target ${target})` : ''}`);
  }
}
