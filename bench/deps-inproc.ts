// In-process time of `btf-lens deps`, printed as JSON for bench/deps.mjs:
//   node dist/bench-deps.js OBJ ITERS TARGET...   per iteration: the object's dependencies on every target (ms);
// the targets are read once (a server or a loop over objects keeps them), the object each time.
import { readFileSync } from 'node:fs';
import { objectDeps } from '../server/src/core/deps/index';
import { openBtfBytes } from '../server/src/core/input';
import { checkLoad } from '../server/src/core/load/check';

const [obj, iters, ...targetFiles] = process.argv.slice(2);
const targets = targetFiles.map((f) => ({ label: f, file: f, btf: openBtfBytes(readFileSync(f), { file: f }).btf! }));
const times: number[] = [];
let deps = 0;
for (let i = 0; i < Number(iters); i++) {
  const t = performance.now();
  const r = objectDeps(openBtfBytes(readFileSync(obj!), { file: obj! }), targets, { check: checkLoad });
  times.push(performance.now() - t);
  deps = r.report.dependencies.length;
}
console.log(JSON.stringify({ times, deps }));
