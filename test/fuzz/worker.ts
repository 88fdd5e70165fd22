/**
 * The fuzz worker thread: runs every entry point on each input it is sent. The running entry point is
 * kept in shared memory, so the watchdog can name it when the worker has to be terminated.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { ENTRY_POINTS, EntryPoints } from './entry-points';
import type { WorkerData, WorkerReply, WorkerRequest } from './pool';

const data = workerData as WorkerData;
const stage = new Int32Array(data.stage);
async function main(): Promise<void> {
  const eps = await EntryPoints.create(data.bases, data.kernelKey);
  eps.onStage = (e) => Atomics.store(stage, 0, ENTRY_POINTS.indexOf(e));
  process.on('exit', () => eps.dispose());

  parentPort!.on('message', (m: WorkerRequest) => {
    if (m.type === 'quit') {
      eps.dispose();
      process.exit(0);
    }
    const t0 = performance.now();
    Atomics.store(stage, 0, -1);
    eps.run(m.name, m.bytes, m.base, m.lsp).then(
      (r) => parentPort!.postMessage({ id: m.id, ...r, ms: performance.now() - t0, heapMb: getHeapStatistics().used_heap_size / 2 ** 20 } satisfies WorkerReply),
      (e: unknown) => parentPort!.postMessage({ id: m.id, crashes: [{ entry: 'open', error: String((e as Error)?.stack ?? e) }], reached: [], times: {}, ms: performance.now() - t0, heapMb: 0 } satisfies WorkerReply),
    );
  });
  parentPort!.postMessage({ ready: true });
}

void main();
