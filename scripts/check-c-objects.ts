// Compares `btf-lens dump --format c` (in-process) with `bpftool btf dump file F format c` for BPF
// objects and raw BTF files: every .o/.btf under the directories given, or the files given.
// Usage: nice npx tsx scripts/check-c-objects.ts DIR|FILE...
// Prints one line per difference (file, first differing line) and the counts; files without BTF
// (bpftool fails and we find none) count as "no BTF".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { elfPointerSize, formatC } from '../server/src/core/format/c/index';
import { openBtfBytes } from '../server/src/core/input';
import { ByteWriter } from '../server/src/core/util/writer';

const files: string[] = [];
for (const a of process.argv.slice(2)) {
  if (statSync(a).isDirectory()) {
    for (const f of readdirSync(a).sort()) if (/\.(o|btf)$/.test(f)) files.push(join(a, f));
  } else {
    files.push(a);
  }
}

function firstDiff(a: Buffer, b: Buffer): string {
  const la = a.toString('latin1').split('\n');
  const lb = b.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: ours ${JSON.stringify(la[i])} bpftool ${JSON.stringify(lb[i])}`;
  }
  return 'same lines';
}

let same = 0;
let noBtf = 0;
const diff: string[] = [];
for (const p of files) {
  const input = openBtfBytes(readFileSync(p), { file: p });
  let theirs: Buffer | undefined;
  try {
    theirs = execFileSync('bpftool', ['btf', 'dump', 'file', p, 'format', 'c'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout;
    theirs = out && out.length ? out : undefined;
  }
  if (!input.btf) {
    if (theirs) {
      diff.push(p);
      console.log(`${p}: we found no BTF, bpftool printed ${theirs.length} bytes`);
    } else {
      noBtf++;
    }
    continue;
  }
  const w = new ByteWriter();
  formatC(input.btf, w, { pointerSize: elfPointerSize(input) });
  const ours = Buffer.from(w.bytes());
  if (theirs && ours.equals(theirs)) same++;
  else {
    diff.push(p);
    console.log(`${p}: ${theirs ? firstDiff(ours, theirs) : 'bpftool printed nothing'}`);
  }
}
console.log(`${files.length} files: ${same} identical, ${diff.length} different, ${noBtf} without BTF`);
process.exit(diff.length ? 1 : 0);
