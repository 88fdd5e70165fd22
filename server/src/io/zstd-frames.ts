/**
 * The outline of zstd data (RFC 8878): frames, their declared content and window sizes, and where each
 * block ends, read from headers alone. unzstd.ts uses it to refuse what declares too much before
 * decoding, to look at the first block alone, and to feed fzstd whole blocks a few at a time.
 */
import { InputError } from './input-error';

export const ZSTD_MAGIC = 0xfd2fb528;
/** Block_Maximum_Size: no block regenerates more. */
export const ZSTD_MAX_BLOCK = 128 * 1024;

export interface ZstdFrame {
  start: number;
  /** First byte after the frame header (the first block header). */
  blocksStart: number;
  /** End of each block (offsets in the data), in order. */
  blockEnds: number[];
  /** End of the frame, checksum included. */
  end: number;
  /** Frame_Content_Size when the header declares it. */
  contentSize?: number;
  windowSize: number;
  dictionaryId: number;
  /** A skippable frame (user data, no output). */
  skippable: boolean;
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function uint(b: Uint8Array, o: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[o + i]!;
  return v;
}

/** Every frame of `data`; throws InputError (with the offset) for anything malformed or cut short. */
export function zstdFrames(data: Uint8Array): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  let at = 0;
  const need = (o: number, n: number, what: string) => {
    if (o + n > data.length) throw new InputError(o, `zstd data is truncated: ${what} runs past the end (${data.length} bytes)`);
  };
  while (at < data.length) {
    need(at, 4, 'a frame magic');
    const magic = u32(data, at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      need(at, 8, 'a skippable frame header');
      const end = at + 8 + u32(data, at + 4);
      need(at, end - at, 'a skippable frame');
      frames.push({ start: at, blocksStart: end, blockEnds: [], end, windowSize: 0, dictionaryId: 0, skippable: true });
      at = end;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new InputError(at, `not a zstd frame (magic 0x${magic.toString(16)})`);
    need(at, 5, 'a frame header');
    const fhd = data[at + 4]!;
    if (fhd & 0x08) throw new InputError(at + 4, 'zstd frame header has its reserved bit set');
    const single = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const didSize = [0, 1, 2, 4][fhd & 3]!;
    const fcsFlag = fhd >> 6;
    const fcsSize = fcsFlag === 0 ? single : 1 << fcsFlag;
    let o = at + 5;
    const headerLen = 5 + (single ? 0 : 1) + didSize + fcsSize;
    need(at, headerLen, 'a frame header');
    let windowSize = 0;
    if (!single) {
      const wd = data[o++]!;
      const base = 2 ** (10 + (wd >> 3));
      windowSize = base + (base / 8) * (wd & 7);
    }
    const dictionaryId = uint(data, o, didSize);
    o += didSize;
    let contentSize: number | undefined;
    if (fcsSize) {
      contentSize = uint(data, o, fcsSize) + (fcsSize === 2 ? 256 : 0);
      o += fcsSize;
    }
    if (single) windowSize = contentSize ?? 0;
    const blockEnds: number[] = [];
    for (;;) {
      need(o, 3, 'a block header');
      const bh = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16);
      const last = bh & 1;
      const type = (bh >> 1) & 3;
      const size = bh >>> 3;
      if (type === 3) throw new InputError(o, 'zstd block of the reserved type 3');
      if (size > ZSTD_MAX_BLOCK) throw new InputError(o, `zstd block of ${size} bytes, more than the ${ZSTD_MAX_BLOCK} a block may hold`);
      const payload = type === 1 ? 1 : size;
      need(o + 3, payload, 'a block');
      o += 3 + payload;
      blockEnds.push(o);
      if (last) break;
    }
    const end = o + (checksum ? 4 : 0);
    need(o, end - o, 'the frame checksum');
    frames.push({ start: at, blocksStart: at + headerLen, blockEnds, end, contentSize, windowSize, dictionaryId, skippable: false });
    at = end;
  }
  return frames;
}
