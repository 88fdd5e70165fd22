/**
 * Compressed inputs (.ko.gz, .ko.xz, .ko.zst, a gzipped BTF), told by their magic and inflated as a
 * stream into an OutputSink: capped at the input limit, refused as soon as the output starts with
 * neither ELF nor BTF, yielding to the event loop as it goes (the language server answers meanwhile).
 */
import type { InputLimits } from './limits';
import { type Compression, OutputSink } from './output-sink';
import { gunzipInto } from './gunzip';
import { unxzInto } from './unxz';
import { unzstdInto } from './unzstd';

export type { Compression };

export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return undefined;
}

/** The inflated bytes; throws InputError when they are over the limit, not ELF/BTF, or the data is corrupt. */
export async function decompress(bytes: Uint8Array, kind: Compression, limits: InputLimits): Promise<Uint8Array> {
  const sink = new OutputSink(kind, limits);
  try {
    switch (kind) {
      case 'gzip':
        await gunzipInto(bytes, sink);
        break;
      case 'xz':
        await unxzInto(bytes, sink);
        break;
      case 'zstd':
        await unzstdInto(bytes, sink, limits);
        break;
    }
    return await sink.finish();
  } finally {
    sink.drop();
  }
}
