// In-process time of `btf-lens diff`, printed as JSON for bench/diff.mjs:
//   node dist/bench-diff.js OLD NEW ITERS   per iteration: read both files, parse, diff (ms)
import { readFileSync } from 'node:fs';
import { Btf } from '../server/src/core/btf/btf';
import { diffBtf } from '../server/src/core/diff/index';

const [oldFile, newFile, iters] = process.argv.slice(2);
const times: number[] = [];
let summary;
for (let i = 0; i < Number(iters); i++) {
  const t = performance.now();
  const d = diffBtf(Btf.parse(readFileSync(oldFile!)), Btf.parse(readFileSync(newFile!)));
  times.push(performance.now() - t);
  summary = d.summary;
}
console.log(JSON.stringify({ times, summary }));
