// The two halves of an in-process benchmark against libbpf (bench/core.mjs, bench/check.mjs): ours in a child
// Node process that times one run per line it reads (warm after the first), libbpf in a C harness built here.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

/** Bundles `entry` (TypeScript source) to dist/NAME.js and runs it with `args`; `once()` asks it for one run's JSON line. */
export async function oursInProcess(root, name, entry, args) {
  const out = join(root, `dist/${name}.js`);
  await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', target: 'node20', outfile: out, logLevel: 'warning' });
  const child = spawn(process.execPath, [out, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    once: async () => {
      child.stdin.write('\n');
      return JSON.parse((await replies.next()).value);
    },
    close: () => child.stdin.end(),
  };
}

/** Builds a libbpf harness into tmp/NAME; `note` says why libbpf cannot be measured here ('' when it can). */
export function libbpfHarness(tmp, name, source, rootWhy) {
  const path = join(tmp, name);
  writeFileSync(`${path}.c`, source);
  if (spawnSync('gcc', ['-O2', '-o', path, `${path}.c`, '-lbpf']).status !== 0) return { path, note: 'gcc/libbpf-dev missing: libbpf not measured' };
  if (process.getuid?.() !== 0) return { path, note: `not root: libbpf not measured (${rootWhy})` };
  return { path, note: '' };
}
