import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ByteSource } from '../core/util/source';
import { bufferSource } from '../core/util/source';

export type Compression = 'gzip' | 'xz' | 'zstd';

/** Files larger than this are read range by range instead of whole (a vmlinux ELF with DWARF is ~500 MB). */
const WHOLE_FILE_LIMIT = 64 << 20;

export interface OpenedFile {
  source: ByteSource;
  compression?: Compression;
  close(): void;
}

export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return undefined;
}

export async function decompress(bytes: Uint8Array, c: Compression): Promise<Uint8Array> {
  switch (c) {
    case 'gzip':
      return gunzipSync(bytes);
    // Loaded on first use: most runs never decompress, and the xz decoder carries a wasm module.
    case 'zstd':
      return (await import('fzstd')).decompress(bytes);
    case 'xz': {
      const { XzReadableStream } = await import('xz-decompress');
      const out = new XzReadableStream(new Blob([bytes]).stream());
      return new Uint8Array(await new Response(out).arrayBuffer());
    }
  }
}

/**
 * Opens a file for the core: compressed files (.gz/.xz/.zst, told by their magic) are inflated in
 * memory; large plain files are read in ranges through one descriptor; the rest is read whole.
 * Throws only the OS's errors (ENOENT, EACCES), which the caller reports.
 */
export async function openFile(path: string): Promise<OpenedFile> {
  const fd = openSync(path, 'r');
  let size = fstatSync(fd).size;
  // sysfs files report size 4096 or 0 regardless of content: read them whole.
  const sysfs = path.startsWith('/sys/');
  if (!sysfs && size > WHOLE_FILE_LIMIT) {
    const head = new Uint8Array(6);
    readSync(fd, head, 0, 6, 0);
    if (!detectCompression(head)) {
      return {
        source: {
          size,
          read(offset, length) {
            const n = Math.max(0, Math.min(length, size - offset));
            const buf = new Uint8Array(n);
            let got = 0;
            while (got < n) {
              const r = readSync(fd, buf, got, n - got, offset + got);
              if (r === 0) break;
              got += r;
            }
            return got === n ? buf : buf.subarray(0, got);
          },
        },
        close: () => closeSync(fd),
      };
    }
  }
  closeSync(fd);
  let bytes: Uint8Array = readFileSync(path);
  size = bytes.length;
  const compression = detectCompression(bytes);
  if (compression) bytes = await decompress(bytes, compression);
  return { source: bufferSource(bytes), compression, close: () => {} };
}
