// Where the corpus is (two kernels' BTF, 20 Debian module BTFs), for the TypeScript tests (paths.ts) and the
// e2e workspace (test/e2e/lib/workspace.mjs) alike: $BTF_LENS_CORPUS, else ../shared/corpus beside the checkout,
// else the committed copy (test/fixtures/corpus) unpacked once into the temporary directory.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function corpusDir(root) {
  if (process.env.BTF_LENS_CORPUS) return process.env.BTF_LENS_CORPUS;
  const shared = resolve(root, '../shared/corpus');
  if (existsSync(join(shared, 'vmlinux-6.1.btf'))) return shared;
  const sums = join(root, 'test/fixtures/corpus/SHA256SUMS');
  if (!existsSync(sums)) return shared;
  // Named by the sums: a corpus change unpacks afresh, an unchanged one is unpacked once per machine.
  const dir = join(tmpdir(), `btf-lens-corpus-${createHash('sha256').update(readFileSync(sums)).digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'vmlinux-6.1.btf'))) return dir;
  // xz-decompress is asynchronous and callers are not: the unpacking runs in a child.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/corpus-unpack.ts'), dir], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`test corpus: unpacking test/fixtures/corpus into ${dir} failed: ${r.stderr.trim().split('\n').pop()}\n`);
  return dir;
}
