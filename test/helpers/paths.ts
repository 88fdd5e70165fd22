import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fixtureObj = join(repoRoot, 'test/fixtures/obj');
export const golden = join(repoRoot, 'test/golden');
/**
 * The corpus: two kernels' BTF and 20 Debian module BTFs. ../shared beside the checkout on developer machines,
 * else the committed copy (test/fixtures/corpus, xz) unpacked once into the temporary directory.
 */
export const sharedCorpus = process.env.BTF_LENS_CORPUS ?? sharedOrCommittedCorpus();
export const hasCorpus = existsSync(join(sharedCorpus, 'vmlinux-6.1.btf'));
export const sysVmlinux = '/sys/kernel/btf/vmlinux';
/*
 * Host-only corpora made by scripts outside the commit (../shared/corpus/fetch-debian-modules.sh DIR,
 * test/fixtures/selftests.sh, selftests-gcc.sh), beside the checkout unless an environment variable says
 * where. Tests that need them skip, naming the path they looked at.
 */
export const debmodsDir = process.env.BTF_LENS_DEBMODS ?? resolve(repoRoot, '../debmods');
export const selftestsDir = process.env.BTF_LENS_SELFTESTS ?? resolve(repoRoot, '../selftests');
export const selftestsGccDir = process.env.BTF_LENS_SELFTESTS_GCC ?? resolve(repoRoot, '../selftests-gcc');
/** The Debian 6.1 kernel source tree the selftests were built from (selftests.sh's KSRC). */
export const kernelSrc = process.env.BTF_LENS_KSRC ?? resolve(repoRoot, '../src/linux-source-6.1');
export const cliPath = join(repoRoot, 'dist/cli.js');

function sharedOrCommittedCorpus(): string {
  const shared = resolve(repoRoot, '../shared/corpus');
  if (existsSync(join(shared, 'vmlinux-6.1.btf'))) return shared;
  const sums = join(repoRoot, 'test/fixtures/corpus/SHA256SUMS');
  if (!existsSync(sums)) return shared;
  // Named by the sums: a corpus change unpacks afresh, an unchanged one is unpacked once per machine.
  const dir = join(tmpdir(), `btf-lens-corpus-${createHash('sha256').update(readFileSync(sums)).digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'vmlinux-6.1.btf'))) return dir;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/helpers/corpus-unpack.ts'), dir], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`test corpus: unpacking test/fixtures/corpus into ${dir} failed: ${r.stderr.trim().split('\n').pop()}\n`);
  return dir;
}
