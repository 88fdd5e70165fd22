/**
 * Decompression in a worker thread, the language server's way: its event loop never waits on an inflate,
 * however slow (fzstd decodes a frame that declares its size in one blocking call: 3 s for 65 MB). The
 * worker runs the same capped OutputSink (the memory budget); one still busy when the time budget runs
 * out is terminated, which also gives back at once everything it held. One worker per input: it starts
 * in tens of milliseconds, and nothing of a rejected bomb outlives it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type TransferListItem, Worker } from 'node:worker_threads';
import { InputError } from './input-error';
import type { InputLimits } from './limits';
import { type Compression, tooSlow } from './output-sink';

/** What the worker is given (workerData) and what it answers (one message). */
export interface InflateJob {
  bytes: Uint8Array;
  kind: Compression;
  limits: InputLimits;
}
export type InflateAnswer = { ok: true; bytes: Uint8Array } | { ok: false; offset: number; message: string } | { ok: false; internal: string };

/**
 * The inflated bytes, as decompress() gives them, computed in a worker; `bytes` is handed over (its
 * buffer moves to the worker). Throws InputError for what decompress() refuses and for the time budget.
 */
export function decompressInWorker(bytes: Uint8Array, kind: Compression, limits: InputLimits): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startWorker({ bytes, kind, limits }, [bytes.buffer as ArrayBuffer]);
    } catch (e) {
      reject(e);
      return;
    }
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      then();
    };
    const timer = setTimeout(() => settle(() => reject(tooSlow(kind, limits))), limits.maxInflateMs);
    worker.once('message', (a: InflateAnswer) =>
      settle(() => (a.ok ? resolve(a.bytes) : 'internal' in a ? reject(new Error(`inflate worker: ${a.internal}`)) : reject(new InputError(a.offset, a.message)))),
    );
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`inflate worker exited (code ${code}) without an answer`))));
  });
}

/**
 * The worker script sits beside this code: dist/inflate-worker.js in the bundles; under tsx (the tests
 * run the TypeScript sources) inflate-worker.ts, which a worker loads only with tsx's hook installed first.
 */
let script: { path: string; source: boolean } | undefined;

function startWorker(workerData: InflateJob, transferList: TransferListItem[]): Worker {
  script ??= findScript();
  if (!script.source) return new Worker(script.path, { workerData, transferList });
  const tsx = createRequire(script.path).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(script.path)});`, { eval: true, workerData, transferList });
}

function findScript(): { path: string; source: boolean } {
  const bundled = join(__dirname, 'inflate-worker.js');
  if (existsSync(bundled)) return { path: bundled, source: false };
  const source = join(__dirname, 'inflate-worker.ts');
  if (existsSync(source)) return { path: source, source: true };
  throw new Error(`BTF Lens is installed without its inflate worker (${bundled})`);
}
