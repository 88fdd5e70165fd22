/**
 * zstd through fzstd, outlined first (zstd-frames.ts): frames that declare more than the limit are refused
 * unread; the first block is decoded alone and must start ELF or BTF; a frame that declares its size is
 * decoded in one call into a buffer of exactly that size (fzstd's streaming decoder shifts its whole window
 * once per block: far too slow for a large single-segment frame); a frame that does not is streamed a few
 * blocks per turn of the event loop.
 */
import { InputError } from './input-error';
import { limitText, type InputLimits } from './limits';
import type { OutputSink } from './output-sink';
import { ZSTD_MAGIC, ZSTD_MAX_BLOCK, type ZstdFrame, zstdFrames } from './zstd-frames';

type Fzstd = typeof import('fzstd');

/** Blocks handed to the streaming decoder per turn (≤ 1 MiB of output). */
const BLOCKS_PER_TURN = 8;

export async function unzstdInto(data: Uint8Array, sink: OutputSink, limits: InputLimits): Promise<void> {
  const frames = zstdFrames(data).filter((f) => !f.skippable);
  if (!frames.length) throw new InputError(0, 'zstd data holds no frame with content');
  let declared = 0;
  for (const f of frames) {
    if (f.dictionaryId) throw new InputError(f.start, `zstd frame needs dictionary ${f.dictionaryId}, which BTF Lens does not have`);
    if (f.contentSize !== undefined) declared += f.contentSize;
    if (declared > limits.maxInputBytes) throw new InputError(f.start, `zstd frames declare ${declared} bytes, over ${limitText(limits)}: not read`);
    if (f.windowSize > limits.maxInputBytes) throw new InputError(f.start, `zstd frame asks for a ${f.windowSize}-byte window, over ${limitText(limits)}: not read`);
  }
  const fzstd = await import('fzstd');
  sink.checkStart(firstBlock(fzstd, data, frames[0]!));
  for (const f of frames) {
    if (f.contentSize !== undefined) {
      let out: Uint8Array;
      try {
        out = fzstd.decompress(data.subarray(f.start, f.end));
      } catch (e) {
        throw corrupt(f.start, e);
      }
      if (out.length !== f.contentSize) throw new InputError(f.start, `zstd frame declares ${f.contentSize} bytes and holds ${out.length}: corrupt`);
      if (frames.length === 1) sink.pushWhole(out);
      else sink.push(out);
    } else {
      await streamFrame(fzstd, data, f, sink);
    }
    if (sink.full) return; // the rest is past the end of the ELF file
    await new Promise((r) => setImmediate(r));
  }
}

/** The first block of a frame decoded on its own (a frame of one block with a 128 KiB window): at most 128 KiB. */
function firstBlock(fzstd: Fzstd, data: Uint8Array, f: ZstdFrame): Uint8Array {
  const block = data.subarray(f.blocksStart, f.blockEnds[0]);
  const mini = new Uint8Array(6 + block.length);
  new DataView(mini.buffer).setUint32(0, ZSTD_MAGIC, true);
  mini[4] = 0; // no content size, no checksum, no dictionary, not single-segment
  mini[5] = 7 << 3; // window 2^(10+7) = 128 KiB
  mini.set(block, 6);
  mini[6] = mini[6]! | 1; // the last block
  try {
    return fzstd.decompress(mini);
  } catch (e) {
    throw corrupt(f.blocksStart, e);
  }
}

async function streamFrame(fzstd: Fzstd, data: Uint8Array, f: ZstdFrame, sink: OutputSink): Promise<void> {
  let failure: unknown;
  const d = new fzstd.Decompress((chunk) => {
    if (failure) return;
    try {
      if (chunk.length > ZSTD_MAX_BLOCK) throw new InputError(f.start, `zstd block regenerates ${chunk.length} bytes, more than a block may: corrupt`);
      sink.push(chunk);
    } catch (e) {
      failure = e;
    }
  });
  let from = f.start;
  for (let i = 0; i < f.blockEnds.length; i += BLOCKS_PER_TURN) {
    const last = i + BLOCKS_PER_TURN >= f.blockEnds.length;
    const to = last ? f.end : f.blockEnds[i + BLOCKS_PER_TURN - 1]!;
    try {
      d.push(data.subarray(from, to), last);
    } catch (e) {
      throw corrupt(from, e);
    }
    if (failure) throw failure;
    if (sink.full) return;
    from = to;
    if (!last) await new Promise((r) => setImmediate(r));
  }
}

function corrupt(offset: number, e: unknown): InputError {
  if (e instanceof InputError) return e;
  return new InputError(offset, `zstd data is corrupt (${String((e as Error)?.message ?? e).split('\n')[0]})`);
}
