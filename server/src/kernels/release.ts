/**
 * Which kernel release a file belongs to, as the file or its place says it: a module's vermagic, a
 * vmlinux's banner (core/elf/kernel-release.ts), /sys/kernel/btf/vmlinux is the running kernel, and the
 * places distributions keep kernels (`…/boot/vmlinux-R`, `…/lib/modules/R/…`). Read once per file version.
 */
import { statSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import { basename, dirname, sep } from 'node:path';
import { Elf, isElf } from '../core/elf/elf';
import { kernelRelease } from '../core/elf/kernel-release';
import type { BtfInput } from '../core/input';
import { detectCompression, openFile, readFileHead } from '../io/files';

export const SYS_VMLINUX = '/sys/kernel/btf/vmlinux';

export interface FileRelease {
  release: string;
  /** What told it: the module's .modinfo, the vmlinux's banner, the file's place, or uname -r. */
  from: 'vermagic' | 'banner' | 'path' | 'running kernel';
}

/** "6.1.0-56-amd64 (.modinfo vermagic)": a release and what told it, for messages. */
export function describeRelease(r: FileRelease): string {
  const how = r.from === 'vermagic' ? '.modinfo vermagic' : r.from === 'banner' ? 'its Linux version banner' : r.from === 'path' ? 'its path' : 'uname -r';
  return `${r.release} (${how})`;
}

const RELEASE = /^[0-9][0-9A-Za-z._+~-]{0,63}$/;

/** The release a path names by the distributions' layout: `…/lib/modules/R/…`, `…/boot/vmlinux-R[.debug]`. */
export function releaseFromPath(path: string): string | undefined {
  const parts = path.split(sep === '/' ? '/' : /[\\/]/);
  for (let i = 0; i + 2 < parts.length; i++) {
    if (parts[i] === 'lib' && parts[i + 1] === 'modules' && RELEASE.test(parts[i + 2]!)) return parts[i + 2];
  }
  const m = /^vmlinux-(.+?)(?:\.debug)?$/.exec(basename(path));
  if (m && basename(dirname(path)) === 'boot' && RELEASE.test(m[1]!)) return m[1];
  return undefined;
}

/** The release of a file already opened (its ELF read), else of its place. */
export function releaseOfInput(input: BtfInput | undefined, path: string): FileRelease | undefined {
  if (path === SYS_VMLINUX) return { release: osRelease(), from: 'running kernel' };
  const own = input?.elf ? kernelRelease(input.elf) : undefined;
  if (own) return own;
  const byPath = releaseFromPath(path);
  return byPath ? { release: byPath, from: 'path' } : undefined;
}

const cache = new Map<string, { stamp: string; release: FileRelease | undefined }>();

/** The release of the file at `path` (opened only for ELF; cached per mtime and size). */
export async function releaseOfFile(path: string): Promise<FileRelease | undefined> {
  if (path === SYS_VMLINUX) return releaseOfInput(undefined, path);
  let stamp: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
  const hit = cache.get(path);
  if (hit?.stamp === stamp) return hit.release;
  let own;
  try {
    // Only an ELF (plain or compressed) can tell: a raw BTF file is not read whole for nothing.
    if (!mayBeElf(path)) throw new Error('not ELF');
    const opened = await openFile(path);
    try {
      if (isElf(opened.source.read(0, 4))) own = kernelRelease(new Elf(opened.source, path));
    } finally {
      opened.close();
    }
  } catch {
    // Unreadable or not decompressible: its place may still tell.
  }
  const byPath = releaseFromPath(path);
  const release: FileRelease | undefined = own ?? (byPath ? { release: byPath, from: 'path' } : undefined);
  if (cache.size > 256) cache.clear();
  cache.set(path, { stamp, release });
  return release;
}

/** The first bytes are ELF's magic or a compressor's (whose content may be ELF). */
function mayBeElf(path: string): boolean {
  const head = readFileHead(path, 6); // the one opener: never blocks on a FIFO swapped in after the stat
  return head.length >= 4 && (isElf(head) || !!detectCompression(head));
}
