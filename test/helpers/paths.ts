import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fixtureObj = join(repoRoot, 'test/fixtures/obj');
export const golden = join(repoRoot, 'test/golden');
/** ../shared beside the checkout (present on developer machines and in CI, not on a user's). */
export const sharedCorpus = process.env.BTF_LENS_CORPUS ?? resolve(repoRoot, '../shared/corpus');
export const hasCorpus = existsSync(join(sharedCorpus, 'vmlinux-6.1.btf'));
export const sysVmlinux = '/sys/kernel/btf/vmlinux';
export const cliPath = join(repoRoot, 'dist/cli.js');
