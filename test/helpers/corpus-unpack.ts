/**
 * corpus-unpack.ts DIR: writes the committed corpus (test/fixtures/corpus/*.xz, made by its make.sh) into DIR,
 * each file checked against SHA256SUMS, the directory renamed into place only when complete (test processes
 * run in parallel; the first to finish wins, the others find it there). Run by paths.ts in a child process:
 * xz-decompress is asynchronous and paths.ts is imported synchronously.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { XzReadableStream } from 'xz-decompress';

const src = resolve(import.meta.dirname, '../fixtures/corpus');
const dest = process.argv[2];
if (!dest) throw new Error('usage: corpus-unpack.ts DIR');
const target = dest;

async function unxz(path: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const reader = new XzReadableStream(new Blob([readFileSync(path)]).stream()).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return Buffer.concat(chunks);
}

async function unpack(dest: string): Promise<void> {
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const line of readFileSync(join(src, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean)) {
    const [sum, name] = line.split(/ +/) as [string, string];
    const bytes = await unxz(join(src, `${name}.xz`));
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== sum) throw new Error(`${name}.xz: unpacks to sha256 ${got}, SHA256SUMS says ${sum}`);
    mkdirSync(dirname(join(tmp, name)), { recursive: true });
    writeFileSync(join(tmp, name), bytes);
  }
  try {
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dest, 'vmlinux-6.1.btf'))) throw e;
  }
}

unpack(target).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
