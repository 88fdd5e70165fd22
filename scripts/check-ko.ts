// Compares `btf-lens dump` of kernel module ELF files (.ko, and .ko.xz/.ko.zst/.ko.gz) with
// `bpftool -B BASE btf dump file M.ko`, through the same I/O path as the CLI (server/src/io, compressed or not).
// Usage: npx tsx scripts/check-ko.ts BASE FILE_OR_DIR...   (directories are searched for *.ko* recursively;
// a compressed module is compared with bpftool's dump of its uncompressed twin next to it, or of a
// temporary decompressed copy, since bpftool reads plain ELF only).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from '../server/src/core/btf/btf';
import { formatRaw } from '../server/src/core/format/raw';
import { openBtfInput } from '../server/src/core/input';
import { ByteWriter } from '../server/src/core/util/writer';
import { openFile } from '../server/src/io/files';

const [basePath, ...roots] = process.argv.slice(2);
const base = Btf.parse(readFileSync(basePath!));
const tmp = mkdtempSync(join(tmpdir(), 'check-ko-'));
const files: string[] = [];
const walk = (p: string) => {
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
  else if (/\.ko(\.(xz|zst|gz))?$/.test(p)) files.push(p);
};
for (const r of roots) walk(r);
const count = new Map<string, [number, number]>();
const diff: string[] = [];
async function main(): Promise<void> {
for (const p of files) {
  const ext = /\.ko(\.\w+)?$/.exec(p)![1] ?? '';
  const opened = await openFile(p);
  const input = openBtfInput(opened.source, { file: p, base });
  let plain = p.replace(/\.(xz|zst|gz)$/, '');
  if (plain !== p && !existsSync(plain)) {
    plain = join(tmp, 'm.ko');
    writeFileSync(plain, opened.source.read(0, opened.source.size));
  }
  const w = new ByteWriter();
  if (input.btf) formatRaw(input.btf, w);
  const ours = Buffer.from(w.bytes());
  const theirs = execFileSync('bpftool', ['-B', basePath!, 'btf', 'dump', 'file', plain], { maxBuffer: 1 << 28 });
  const c = count.get(ext) ?? [0, 0];
  const same = ours.equals(theirs) && !input.problems.some((x) => x.severity === 'error');
  c[same ? 0 : 1]++;
  count.set(ext, c);
  if (!same) diff.push(p);
}
for (const [ext, [s, d]] of count) console.log(`.ko${ext}: ${s} identical, ${d} different`);
if (diff.length) console.log('different: ' + diff.slice(0, 20).join(' '));
process.exit(diff.length ? 1 : 0);
}
void main();
