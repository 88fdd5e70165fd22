/**
 * Bounded reads from an open regular file: a whole file (to its real end, whatever its size said, never
 * past the limit) and ranges of a large one, each checked against the limit before anything is allocated.
 */
import { closeSync, readSync } from 'node:fs';
import type { ByteSource } from '../core/util/source';
import { InputError, osErrorText } from './input-error';
import { type InputLimits, bytesText, limitText } from './limits';

/** One read(2) at most: Node takes no more than 2^31-1 bytes per call. */
const MAX_READ_CALL = 1 << 30;
const YIELD_EVERY = 4 << 20;

/**
 * The whole file, read to end of file, with a turn of the event loop every few megabytes (the server
 * answers while a large file comes in); `sizeHint` sizes the buffer (sysfs files say 0 or 4096 and hold
 * megabytes, handed out a page per read(2): reads stay synchronous, a thread-pool trip per page is slow).
 */
export async function readWhole(fd: number, sizeHint: number, limits: InputLimits, what = 'file'): Promise<Uint8Array> {
  const max = limits.maxInputBytes;
  if (sizeHint > max) throw new InputError(0, `${what} of ${bytesText(sizeHint)} is over ${limitText(limits)}`);
  let buf = new Uint8Array(Math.max(sizeHint, 4096));
  let got = 0;
  for (;;) {
    if (got === buf.length) {
      if (got >= max) {
        // Exactly at the limit and maybe more to come: one more byte tells.
        const probe = new Uint8Array(1);
        if (readChunk(fd, probe, 0, 1, got) === 0) break;
        throw new InputError(got, `${what} goes on past ${limitText(limits)}`);
      }
      const grown = new Uint8Array(Math.min(max, buf.length * 2));
      grown.set(buf);
      buf = grown;
    }
    const n = readChunk(fd, buf, got, Math.min(YIELD_EVERY, buf.length - got), got);
    if (n === 0) break;
    await new Promise((r) => setImmediate(r));
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

function readChunk(fd: number, buf: Uint8Array, at: number, length: number, position: number): number {
  try {
    return readSync(fd, buf, at, length, position);
  } catch (e) {
    throw new InputError(position, `read failed: ${osErrorText(e)}`);
  }
}

/**
 * Ranges of a large file through its descriptor (a 500 MB vmlinux with DWARF is read section by
 * section). A range over the limit is refused before anything is allocated; reads after close()
 * are refused too (the descriptor number may belong to another file by then).
 */
export function rangedSource(fd: number, size: number, limits: InputLimits): ByteSource & { close(): void } {
  let open = true;
  return {
    size,
    read(offset, length) {
      if (!open) throw new InputError(offset, 'read after the file was closed (internal)');
      const n = Math.max(0, Math.min(length, size - offset));
      if (n > limits.maxInputBytes) {
        throw new InputError(offset, `${bytesText(n)} at offset ${offset} are over ${limitText(limits)}`);
      }
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        let r: number;
        try {
          r = readSync(fd, buf, got, Math.min(MAX_READ_CALL, n - got), offset + got);
        } catch (e) {
          throw new InputError(offset + got, `read failed: ${osErrorText(e)}`);
        }
        if (r === 0) break;
        got += r;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
