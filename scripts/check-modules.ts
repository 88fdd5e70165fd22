// Compares `btf-lens dump` (in-process) with `bpftool btf dump file M -B BASE` for every module BTF in a directory.
// Usage: npx tsx scripts/check-modules.ts BASE DIR   (DIR from ../shared/corpus/fetch-debian-modules.sh)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../server/src/core/btf/btf';
import { formatRaw } from '../server/src/core/format/raw';
import { ByteWriter } from '../server/src/core/util/writer';

const [basePath, dir] = process.argv.slice(2);
const base = Btf.parse(readFileSync(basePath!));
let same = 0;
const diff: string[] = [];
for (const f of readdirSync(dir!).filter((x) => x.endsWith('.btf')).sort()) {
  const p = join(dir!, f);
  const w = new ByteWriter();
  formatRaw(Btf.parse(readFileSync(p), { base }), w);
  const ours = Buffer.from(w.bytes());
  const theirs = execFileSync('bpftool', ['-B', basePath!, 'btf', 'dump', 'file', p], { maxBuffer: 1 << 28 });
  if (ours.equals(theirs)) same++;
  else diff.push(f);
}
console.log(`${same} identical, ${diff.length} different${diff.length ? ': ' + diff.slice(0, 20).join(' ') : ''}`);
process.exit(diff.length ? 1 : 0);
