// Compares `btf-lens diff` (in-process) with scripts/diff-reference.py (bpftool's JSON alone) on pairs of
// module BTFs of one directory, each on the same base: every module against the next one by name, and
// against itself (nothing). Usage: npx tsx scripts/check-diff.ts BASE DIR [MAX_PAIRS]
//   e.g. ../shared/corpus/vmlinux-6.1.btf ../shared/corpus/modules
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Btf } from '../server/src/core/btf/btf';
import { diffBtf, diffJson } from '../server/src/core/diff/index';

const [basePath, dir, max] = process.argv.slice(2);
const ref = resolve(import.meta.dirname, 'diff-reference.py');
const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-check-diff-'));
const baseJson = join(tmp, 'base.json');
writeFileSync(baseJson, execFileSync('bpftool', ['btf', 'dump', 'file', basePath!, '-j'], { maxBuffer: 1 << 30 }));
const base = Btf.parse(readFileSync(basePath!));
const mods = readdirSync(dir!).filter((x) => x.endsWith('.btf')).sort();
const pairs: [string, string][] = mods.map((m, i) => [m, mods[(i + 1) % mods.length]!] as [string, string]).slice(0, Number(max ?? mods.length));
pairs.push(...mods.slice(0, 3).map((m) => [m, m] as [string, string]));
let same = 0;
const bad: string[] = [];
for (const [a, b] of pairs) {
  const [pa, pb] = [join(dir!, a), join(dir!, b)];
  const ours = JSON.parse(JSON.stringify(diffJson(diffBtf(Btf.parse(readFileSync(pa), { base }), Btf.parse(readFileSync(pb), { base }), { oldName: a, newName: b }))));
  const theirs = JSON.parse(execFileSync('python3', [ref, pa, pb, '--base-old', basePath!, '--base-new', basePath!,
    '--json-base-old', baseJson, '--json-base-new', baseJson, '--old-name', a, '--new-name', b], { maxBuffer: 1 << 30 }).toString());
  if (isDeepStrictEqual(ours, theirs)) same++;
  else bad.push(`${a} -> ${b}`);
  console.log(`${isDeepStrictEqual(ours, theirs) ? 'same' : 'DIFFERENT'} ${a} -> ${b}: ${JSON.stringify(ours.summary)}`);
}
console.log(`${same} pairs agree, ${bad.length} differ${bad.length ? ': ' + bad.join(', ') : ''}`);
process.exit(bad.length ? 1 : 0);
