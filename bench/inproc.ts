// In-process timings of the core, printed as JSON for bench/run.mjs. Usage:
//   node dist/bench-inproc.js parse FILE ITERS            read+parse+index (warm), per-iteration ms
//   node dist/bench-inproc.js split BASE ITERS FILE...    read+parse of all FILEs split on one parsed BASE, per-iteration ms
// The file is read inside the timing, as libbpf's btf__parse (btf_parse_bench) reads it inside its own.
//   node dist/bench-inproc.js heap FILE                   bytes retained by one parsed BTF (file included)
import { readFileSync } from 'node:fs';
import { Btf } from '../server/src/core/btf/btf';

const [mode, a, b, ...rest] = process.argv.slice(2);
const times: number[] = [];
if (mode === 'parse') {
  for (let i = 0; i < Number(b); i++) {
    const t = performance.now();
    Btf.parse(readFileSync(a!));
    times.push(performance.now() - t);
  }
  console.log(JSON.stringify({ times }));
} else if (mode === 'split') {
  const base = Btf.parse(readFileSync(a!));
  for (let i = 0; i < Number(b); i++) {
    const t = performance.now();
    for (const f of rest) Btf.parse(readFileSync(f), { base });
    times.push(performance.now() - t);
  }
  console.log(JSON.stringify({ times }));
} else if (mode === 'heap') {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage();
  const btf = Btf.parse(readFileSync(a!));
  // Twice: the first collection may leave a freed ArrayBuffer (the worst-case offset table parse
  // shrinks) counted in arrayBuffers until its backing store is released (seen: 6.1 vs 7.1 MB run to run).
  gc();
  gc();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  console.log(JSON.stringify({ bytes: used, types: btf.ownCount }));
}
