/**
 * Opening an input without ever waiting on it: symbolic links followed by hand (a bounded number of
 * hops, loops and dangling links named), the target stat'ed before it is opened, opened with O_NONBLOCK
 * where the platform has it (a FIFO swapped in after the stat opens at once instead of waiting for a
 * writer), and the descriptor fstat'ed: anything but a regular file is refused.
 */
import { type BigIntStats, closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, osErrorText } from './input-error';

/** Linux follows at most 40 links in one lookup (MAXSYMLINKS); so do we, for the last component. */
export const MAX_LINK_HOPS = 40;
const O_NONBLOCK: number = constants.O_NONBLOCK ?? 0;

export interface RegularFile {
  fd: number;
  /** Exact size from fstat (64-bit); sysfs and procfs files report 0 or 4096 whatever they hold. */
  size: bigint;
  /** The file the links led to. */
  target: string;
}

/** What a stat says a file is, as a noun for a sentence ("a FIFO (named pipe)"). */
export function fileTypeText(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * The file `path` leads to after its symbolic links: throws InputError for a loop, a dangling link,
 * too many hops, and for a path that does not exist (ENOENT, as the OS says it).
 */
export function followLinks(path: string): string {
  const seen: string[] = [path];
  let p = path;
  for (let hops = 0; ; hops++) {
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      if (hops === 0) throw new InputError(0, osErrorText(e));
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(0, `dangling symbolic link: ${chain(seen)}, which does not exist`);
      throw new InputError(0, `symbolic link to ${p}: ${osErrorText(e)}`);
    }
    if (!st.isSymbolicLink()) return p;
    if (hops >= MAX_LINK_HOPS) throw new InputError(0, `more than ${MAX_LINK_HOPS} symbolic links to follow (${chain(seen.slice(0, 3))} → …)`);
    let to: string;
    try {
      to = readlinkSync(p);
    } catch (e) {
      throw new InputError(0, `symbolic link ${p} cannot be read: ${osErrorText(e)}`);
    }
    // Relative to the link's directory as the kernel sees it: `..` after a linked directory is physical.
    p = resolve(realpathSync(dirname(p)), to);
    if (seen.includes(p)) {
      seen.push(p);
      throw new InputError(0, `symbolic link loop: ${chain(seen)}`);
    }
    seen.push(p);
  }
}

function chain(paths: string[]): string {
  return paths.join(' → ');
}

/**
 * Opens `path` for reading if it is (or links to) a regular file. Never waits on a FIFO or device; throws
 * InputError saying why a file is refused (OS errors in one line).
 */
export function openRegular(path: string): RegularFile {
  const target = followLinks(path);
  const via = target === path ? '' : `links to ${target}, `;
  let st: BigIntStats;
  try {
    st = statSync(target, { bigint: true });
  } catch (e) {
    throw new InputError(0, `${via}${osErrorText(e)}`);
  }
  if (!st.isFile()) throw new InputError(0, `${via}${fileTypeText(st)}: not a regular file`);
  let fd: number;
  try {
    fd = openSync(target, constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    throw new InputError(0, `${via}${osErrorText(e)}`);
  }
  try {
    // Replaced between the stat and the open: the descriptor is what counts.
    const fst = fstatSync(fd, { bigint: true });
    if (!fst.isFile()) throw new InputError(0, `${via}${fileTypeText(fst)}: not a regular file`);
    return { fd, size: fst.size, target };
  } catch (e) {
    closeSync(fd);
    throw e instanceof InputError ? e : new InputError(0, `${via}${osErrorText(e)}`);
  }
}
