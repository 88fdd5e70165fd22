import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The kernel BTFs of a directory, as `gen min-core-btf --target-dir` and `btfLens.coreTargets` take them:
 * `*.btf` and `vmlinux*` files, plain or compressed (`.gz`, `.xz`, `.zst`),
 * sorted by name. A directory that cannot be read lists nothing.
 */
export function listTargetDir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && (/\.btf(\.(gz|xz|zst))?$/.test(e.name) || /^vmlinux/.test(e.name)))
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** The name a tailored BTF gets: its target's, less a compression suffix (OUT is raw BTF). */
export function outName(target: string): string {
  return basename(target).replace(/\.(gz|xz|zst)$/, '');
}
