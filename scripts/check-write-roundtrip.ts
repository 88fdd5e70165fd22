// decode → write → decode, judged by bpftool: every BTF given is copied type by type through the writer
// (BtfBuilder.addType; both byte orders), and bpftool's raw dump of the written file must equal its dump of
// the original. A split BTF takes --base (bpftool -B).
//
// Usage: nice npx tsx scripts/check-write-roundtrip.ts [--base VMLINUX] FILE|DIR...
// Files: raw BTF or ELF with .BTF (directories: every *.o, *.btf and *.ko in them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBtfBytes } from '../server/src/core/input';
import { BtfBuilder } from '../server/src/core/write/builder';

const args = process.argv.slice(2);
let baseFile: string | undefined;
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--base') baseFile = args[++i];
  else inputs.push(args[i]!);
}
const files: string[] = [];
for (const p of inputs) {
  if (statSync(p).isDirectory()) for (const f of readdirSync(p).filter((x) => /\.(o|btf|ko)$/.test(x)).sort()) files.push(join(p, f));
  else files.push(p);
}
const base = baseFile ? openBtfBytes(new Uint8Array(readFileSync(baseFile)), { file: baseFile }).btf : undefined;
const tmp = mkdtempSync(join(tmpdir(), 'write-roundtrip-'));
const dump = (f: string) => spawnSync('bpftool', ['btf', 'dump', 'file', f, ...(baseFile ? ['-B', baseFile] : [])], { encoding: 'utf8', maxBuffer: 1 << 30 });
let same = 0, skipped = 0;
const bad: string[] = [];
for (const f of files) {
  const i = openBtfBytes(new Uint8Array(readFileSync(f)), { file: f, base });
  if (!i.btf?.ok || i.missingBase) { skipped++; continue; }
  const want = dump(f);
  if (want.status !== 0) { skipped++; continue; }
  for (const le of [true, false]) {
    const b = new BtfBuilder({ base: i.btf.base, littleEndian: le });
    for (const id of i.btf.ownIds()) b.addType(i.btf, id);
    const out = join(tmp, 'out.btf');
    writeFileSync(out, b.bytes());
    const got = dump(out);
    if (got.status === 0 && got.stdout === want.stdout) same++;
    else bad.push(`${f} (${le ? 'LE' : 'BE'}): ${got.status !== 0 ? got.stderr.trim() : 'dumps differ'}`);
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`${same} written files dump as their originals, ${bad.length} differ, ${skipped} skipped (no BTF, or bpftool cannot read them)`);
for (const l of bad.slice(0, 10)) console.log(`  ${l}`);
process.exit(bad.length ? 1 : 0);
