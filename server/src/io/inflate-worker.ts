/**
 * The inflate worker's entry (bundled as dist/inflate-worker.js): decompresses the one input it is given
 * and answers once, its output's buffer moved, not copied, to the thread that asked (inflate-off-thread.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decompress } from './decompress';
import type { InflateAnswer, InflateJob } from './inflate-off-thread';
import { InputError } from './input-error';

const job = workerData as InflateJob;
const answer = (a: InflateAnswer, moved: ArrayBuffer[] = []) => parentPort!.postMessage(a, moved);

decompress(job.bytes, job.kind, job.limits).then(
  (bytes) => answer({ ok: true, bytes }, [bytes.buffer as ArrayBuffer]),
  (e: unknown) => answer(e instanceof InputError ? { ok: false, offset: e.offset, message: e.message } : { ok: false, internal: String((e as Error)?.stack ?? e) }),
);
