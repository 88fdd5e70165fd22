/** gzip through node:zlib's stream: inflated on the thread pool in chunks, stopped at the sink's word (an error, or full). */
import { createGunzip } from 'node:zlib';
import { InputError } from './input-error';
import type { OutputSink } from './output-sink';

const CHUNK = 256 * 1024;

export function gunzipInto(bytes: Uint8Array, sink: OutputSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = createGunzip({ chunkSize: CHUNK });
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      z.destroy();
      reject(e instanceof InputError ? e : new InputError(0, `gzip data is corrupt or truncated (${(e as Error).message})`));
    };
    z.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        sink.push(chunk);
      } catch (e) {
        fail(e);
        return;
      }
      if (sink.full) {
        done = true;
        z.destroy();
        resolve();
      }
    });
    z.on('error', fail);
    z.on('end', () => {
      if (done) return;
      done = true;
      resolve();
    });
    z.end(bytes);
  });
}
