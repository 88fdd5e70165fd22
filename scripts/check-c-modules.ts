// Compares `btf-lens dump --format c` (in-process) with `bpftool -B BASE btf dump file M format c`
// for every module BTF in a directory (split BTF: bpftool prints base and module types together).
// Usage: nice npx tsx scripts/check-c-modules.ts BASE DIR [SHARD/SHARDS]
//   e.g. BASE=/work/debmods/vmlinux.btf DIR=/work/debmods/modules, "0/2" and "1/2" in two processes.
// Prints one line per difference (file, first differing line, ours vs bpftool) and a count.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../server/src/core/btf/btf';
import { formatC } from '../server/src/core/format/c/index';
import { ByteWriter } from '../server/src/core/util/writer';

const [basePath, dir, shardSpec] = process.argv.slice(2);
if (!basePath || !dir) {
  console.error('usage: check-c-modules.ts BASE DIR [SHARD/SHARDS]');
  process.exit(2);
}
const [shard, shards] = (shardSpec ?? '0/1').split('/').map(Number) as [number, number];
const base = Btf.parse(readFileSync(basePath));
const files = readdirSync(dir).filter((x) => x.endsWith('.btf')).sort().filter((_, i) => i % shards === shard);

/** The first line where `a` and `b` differ: its number and both versions. */
function firstDiff(a: Buffer, b: Buffer): string {
  const la = a.toString('latin1').split('\n');
  const lb = b.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: ours ${JSON.stringify(la[i])} bpftool ${JSON.stringify(lb[i])}`;
  }
  return 'same lines';
}

let same = 0;
let errors = 0;
const diff: string[] = [];
for (const f of files) {
  const p = join(dir, f);
  const w = new ByteWriter();
  const r = formatC(Btf.parse(readFileSync(p), { base }), w);
  const ours = Buffer.from(w.bytes());
  let theirs: Buffer;
  try {
    theirs = execFileSync('bpftool', ['-B', basePath, 'btf', 'dump', 'file', p, 'format', 'c'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // bpftool fails (an unsatisfiable cycle): what it printed before stopping must still match.
    theirs = (e as { stdout?: Buffer }).stdout ?? Buffer.alloc(0);
    errors++;
    if (!r.error) console.log(`${f}: bpftool failed, we did not`);
  }
  if (ours.equals(theirs)) same++;
  else {
    diff.push(f);
    console.log(`${f}: ${firstDiff(ours, theirs)}`);
  }
}
console.log(`shard ${shard}/${shards}: ${files.length} modules, ${same} identical, ${diff.length} different, ${errors} bpftool failures`);
process.exit(diff.length ? 1 : 0);
