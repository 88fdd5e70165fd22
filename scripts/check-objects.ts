// Compares our raw dump and .BTF.ext records with bpftool's and libbpf's, for every object in a
// directory that test/fixtures/selftests.sh produced (X.o with X.o.raw.txt and X.o.ext.txt; also X.btf with X.btf.raw.txt).
// Usage: npx tsx scripts/check-objects.ts DIR [LE_TWIN_DIR]
// With LE_TWIN_DIR, big-endian objects' ext records are compared with their little-endian twin's golden.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatExt } from '../server/src/core/format/ext';
import { formatRawToString } from '../server/src/core/format/raw';
import { openBtfBytes } from '../server/src/core/input';

const [dir, twinDir] = process.argv.slice(2);
let raw = 0, rawBad: string[] = [], ext = 0, extBad: string[] = [], extSkip = 0;
for (const f of readdirSync(dir!).filter((x) => x.endsWith('.o') || x.endsWith('.btf')).sort()) {
  const p = join(dir!, f);
  const input = openBtfBytes(readFileSync(p), { file: p });
  if (existsSync(p + '.raw.txt')) {
    if (input.btf && formatRawToString(input.btf) === readFileSync(p + '.raw.txt', 'utf8')) raw++;
    else rawBad.push(f);
  }
  const extGolden = existsSync(p + '.ext.txt') ? p + '.ext.txt' : twinDir && existsSync(join(twinDir, f + '.ext.txt')) ? join(twinDir, f + '.ext.txt') : undefined;
  if (extGolden) {
    const g = readFileSync(extGolden, 'utf8');
    if (!g.startsWith('RESULT ok')  && !g.includes('\nRESULT ok')) { extSkip++; continue; }
    const ours = input.btf && input.ext ? formatExt(input.btf, input.ext) : '';
    if (ours === g) ext++;
    else extBad.push(f);
  }
}
console.log(`raw: ${raw} identical, ${rawBad.length} different ${rawBad.slice(0, 10).join(' ')}`);
console.log(`ext: ${ext} identical, ${extBad.length} different ${extBad.slice(0, 10).join(' ')}, ${extSkip} where libbpf read none`);
