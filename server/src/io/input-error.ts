import { isOsError } from '../core/util/problems';
/**
 * Why an input cannot be read, at which byte: what the opener, the reads and the decompressors throw,
 * and what their callers turn into a problem (`FILE: offset N (0xN): what`). One line, no stack.
 */
export class InputError extends Error {
  constructor(
    /** Byte offset in the file (or in its decompressed data) the reason is about; 0 for the file as a whole. */
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Why a read failed, where: the opener's reasons (InputError: not a regular file, over the limit, a range
 * that cannot be read) and the OS's, in one line; undefined for anything else, which is a bug of ours.
 */
export function readFailure(e: unknown): { offset: number; what: string } | undefined {
  if (e instanceof InputError) return { offset: e.offset, what: e.message };
  if (isOsError(e)) return { offset: 0, what: osErrorText(e) };
  return undefined;
}

/** An OS error in one line: "permission denied (EACCES)", without the syscall and path Node adds. */
export function osErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const known = code ? OS_TEXT[code] : undefined;
  if (known) return `${known} (${code})`;
  // Node's text is "CODE: what, syscall 'path'": keep the what.
  const raw = String(err?.message ?? e).split('\n')[0]!;
  const what = raw.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*'$/, '');
  return code ? `${what} (${code})` : what;
}

const OS_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EAGAIN: 'no data available without waiting',
  ENXIO: 'no such device or address',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EOVERFLOW: 'file too large for this system',
  ESTALE: 'stale file handle',
};
