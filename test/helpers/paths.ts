import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { corpusDir } from './corpus-dir.mjs';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fixtureObj = join(repoRoot, 'test/fixtures/obj');
export const golden = join(repoRoot, 'test/golden');
/**
 * The corpus: two kernels' BTF and 20 Debian module BTFs. ../shared beside the checkout on developer machines,
 * else the committed copy (test/fixtures/corpus, xz) unpacked once into the temporary directory.
 */
export const sharedCorpus = corpusDir(repoRoot);
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
