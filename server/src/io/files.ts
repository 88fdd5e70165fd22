/**
 * The one way BTF Lens opens an input (the CLI, the index, the type tree, CO-RE targets): a regular file
 * only, reached through a bounded number of links and opened without waiting (regular-file.ts); read
 * whole when small, compressed or raw BTF, in ranges when a large ELF (reads.ts); inflated as a capped
 * stream when compressed (decompress.ts). Everything refused is an InputError: one line, with an offset.
 */
import { closeSync, readSync } from 'node:fs';
import type { ByteSource } from '../core/util/source';
import { bufferSource } from '../core/util/source';
import { type Compression, decompress, detectCompression } from './decompress';
import { decompressInWorker } from './inflate-off-thread';
import { InputError, osErrorText } from './input-error';
import { type InputLimits, bytesText, inputLimits, limitText } from './limits';
import { openRegular } from './regular-file';
import { rangedSource, readWhole } from './reads';

export { type Compression, decompress, detectCompression };

/** Larger plain files are read range by range instead of whole (a vmlinux ELF with DWARF is ~500 MB). */
const WHOLE_FILE_LIMIT = 64 << 20;
const HEAD = 6;

let offThread = false;

/**
 * From now on compressed inputs are inflated in a worker thread, with the time budget enforced by
 * ending it: the language server's choice (its event loop answers meanwhile). The CLI inflates on its
 * own thread: one file per run and nothing else to answer, so no worker to start nor output to hand over
 * (its time budget is checked as output arrives).
 */
export function inflateOffThread(on = true): void {
  offThread = on;
}

export interface OpenedFile {
  source: ByteSource;
  compression?: Compression;
  close(): void;
}

/**
 * Opens `path` for the core. Throws InputError (never waits, never reads past the limit): not a regular
 * file, a link loop or dangling link, an OS error, over the limit, or compressed data that is corrupt,
 * inflates too far or inflates to neither ELF nor BTF.
 */
export async function openFile(path: string, limits: InputLimits = inputLimits(), how: { ranged?: boolean } = {}): Promise<OpenedFile> {
  const { fd, size: statSize } = openRegular(path);
  let closeFd = true;
  try {
    if (statSize > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(0, `file of ${bytesText(statSize)} is larger than BTF Lens can address`);
    const size = Number(statSize);
    const head = readHead(fd, HEAD);
    const compression = detectCompression(head);
    const rawBtf = head.length >= 2 && ((head[0] === 0x9f && head[1] === 0xeb) || (head[0] === 0xeb && head[1] === 0x9f));
    // `ranged`: a caller that needs a few sections of an ELF file (gen min-core-btf: .BTF and .BTF.ext of many
    // objects, whose DWARF can be most of their bytes) reads only those, as libbpf's mmap of the object does.
    if (!compression && !rawBtf && (how.ranged || size > WHOLE_FILE_LIMIT)) {
      closeFd = false;
      const src = rangedSource(fd, size, limits);
      return { source: src, close: () => src.close() };
    }
    // Raw BTF is parsed from one buffer (as libbpf reads it): a file over the limit is refused unread.
    if (size > limits.maxInputBytes) {
      const what = compression ? `${compression}-compressed file` : rawBtf ? 'raw BTF file (read whole)' : 'file';
      throw new InputError(0, `${what} of ${bytesText(size)} is over ${limitText(limits)}`);
    }
    let bytes = await readWhole(fd, size, limits);
    closeSync(fd);
    closeFd = false;
    if (compression) bytes = await (offThread ? decompressInWorker : decompress)(bytes, compression, limits);
    return { source: bufferSource(bytes), compression, close: () => {} };
  } finally {
    if (closeFd) closeSync(fd);
  }
}

/** Source files the server shows lines of are read whole; none is near this. */
const TEXT_LIMIT = 64 << 20;

/**
 * A text file (a C source the server quotes), opened as every input is: a FIFO or device behind a source
 * name is refused, not waited on, and a file over 64 MiB is not read. Throws InputError.
 */
export function readTextFile(path: string): string {
  const { fd, size } = openRegular(path);
  try {
    if (size > BigInt(TEXT_LIMIT)) throw new InputError(0, `text file of ${bytesText(size)} is over the ${bytesText(TEXT_LIMIT)} read for a source`);
    const buf = new Uint8Array(Math.max(Number(size), 4096));
    let got = 0;
    for (;;) {
      if (got === buf.length) break; // at its size (a file growing meanwhile is read up to it)
      const r = readSync(fd, buf, got, buf.length - got, got);
      if (r === 0) break;
      got += r;
    }
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf.subarray(0, got)); // as readFileSync(path, 'utf8')
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(0, osErrorText(e));
  } finally {
    closeSync(fd);
  }
}

/** The first `n` bytes of `path` (fewer for a shorter file), opened as openFile opens: for a look at a header. */
export function readFileHead(path: string, n: number): Uint8Array {
  const { fd } = openRegular(path);
  try {
    return readHead(fd, n);
  } finally {
    closeSync(fd);
  }
}

function readHead(fd: number, n: number): Uint8Array {
  const head = new Uint8Array(n);
  let got = 0;
  try {
    while (got < n) {
      const r = readSync(fd, head, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
  } catch (e) {
    throw new InputError(got, `read failed: ${osErrorText(e)}`);
  }
  return head.subarray(0, got);
}
