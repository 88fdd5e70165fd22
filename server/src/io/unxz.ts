/**
 * xz through xz-decompress (xz-embedded in WebAssembly): pulled one output buffer at a time, with a turn
 * of the event loop every few megabytes (its pulls resolve as microtasks, which would otherwise starve
 * I/O), and always cancelled when stopped early: the library serializes its streams behind one lock
 * that only the end, an error or a cancel releases.
 */
import { InputError } from './input-error';
import type { OutputSink } from './output-sink';

const YIELD_EVERY = 1 << 20;
/** xz-embedded reports "no progress" after two empty calls; bound it anyway. */
const MAX_EMPTY_PULLS = 64;

export async function unxzInto(bytes: Uint8Array, sink: OutputSink): Promise<void> {
  const { XzReadableStream } = await import('xz-decompress');
  const stream = new XzReadableStream(new Blob([bytes]).stream());
  const reader = stream.getReader();
  let sinceYield = 0;
  let empty = 0;
  let finished = false;
  try {
    for (;;) {
      let r: { done: boolean; value?: Uint8Array };
      try {
        r = await reader.read();
      } catch (e) {
        throw new InputError(0, `xz data is corrupt or truncated (${xzReason(e)})`);
      }
      if (r.done || !r.value) {
        finished = true;
        return;
      }
      sink.push(r.value);
      if (sink.full) return; // the rest is past the end of the ELF file (cancelled below)
      empty = r.value.length ? 0 : empty + 1;
      if (empty > MAX_EMPTY_PULLS) throw new InputError(0, 'xz data is corrupt or truncated (no progress)');
      sinceYield += r.value.length;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((res) => setImmediate(res));
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** xz-embedded's return codes (enum xz_ret), as the library passes them on. */
const XZ_CODES: Record<string, string> = {
  '2': 'an integrity check of an unsupported kind',
  '3': 'out of memory',
  '4': 'its dictionary is larger than the decoder allows',
  '5': 'not in the xz format',
  '6': 'compression options the decoder does not support',
  '7': 'corrupt data',
  '8': 'the input ends early',
};

function xzReason(e: unknown): string {
  const m = String((e as Error)?.message ?? e);
  const code = /error code (\d+)/.exec(m)?.[1];
  if (code && XZ_CODES[code]) return XZ_CODES[code]!;
  // The library's own words for a short input are a TypeError on a missing buffer.
  if (/null|undefined/.test(m)) return 'the input ends early';
  return m.split('\n')[0]!;
}
