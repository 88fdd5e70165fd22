/**
 * One worker thread under a watchdog: each input gets a time limit (the worker is terminated and
 * restarted past it) and a memory limit (the worker's V8 heap through resourceLimits; the process's
 * resident size, which also counts ArrayBuffers, checked every 100 ms).
 */
import { Worker } from 'node:worker_threads';
import { ENTRY_POINTS, type Bases, type EntryPoint, type RunResult } from './entry-points';

export interface WorkerData {
  bases: Bases;
  kernelKey?: string;
  stage: SharedArrayBuffer;
}
export type WorkerRequest = { type: 'run'; id: number; name: string; bytes: Uint8Array; base?: string; lsp: boolean } | { type: 'quit' };
export interface WorkerReply extends RunResult {
  id: number;
  ms: number;
  /** The worker's V8 heap in use after the input. */
  heapMb: number;
}

export type Outcome =
  | ({ kind: 'ok'; ms: number } & RunResult)
  | ({ kind: 'crash'; ms: number } & RunResult)
  | { kind: 'hang' | 'over-memory' | 'worker-died'; entry: EntryPoint | 'start'; error: string; ms: number };

export interface PoolOptions {
  bases: Bases;
  kernelKey?: string;
  timeoutMs: number;
  /** The worker's old-generation heap, MB. */
  heapMb: number;
  /** Resident size of the whole process, MB. */
  rssMb: number;
}

export class FuzzPool {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly stage = new SharedArrayBuffer(4);
  private next = 1;
  restarts = 0;
  /** The worker's heap after the last input, MB. */
  heapMb = 0;

  constructor(private readonly opts: PoolOptions) {}

  private start(): Promise<void> {
    const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { bases: this.opts.bases, kernelKey: this.opts.kernelKey, stage: this.stage } satisfies WorkerData,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    this.worker = w;
    return new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (m.ready) {
          w.off('message', onMsg);
          w.off('error', reject);
          resolve();
        }
      };
      w.on('message', onMsg);
      w.once('error', reject);
    });
  }

  private stageName(): EntryPoint | 'start' {
    const i = Atomics.load(new Int32Array(this.stage), 0);
    return ENTRY_POINTS[i] ?? 'start';
  }

  async run(name: string, bytes: Uint8Array, base?: string, lsp = true): Promise<Outcome> {
    this.ready ??= this.start();
    await this.ready;
    const w = this.worker!;
    const id = this.next++;
    const t0 = performance.now();
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome, kill: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(mem);
        w.off('message', onMsg);
        w.off('error', onError);
        w.off('exit', onExit);
        if (kill) {
          this.restarts++;
          this.ready = undefined;
          this.worker = undefined;
          void w.terminate();
        }
        resolve(o);
      };
      const ms = () => performance.now() - t0;
      const onMsg = (m: WorkerReply) => {
        if (m.id === id) this.heapMb = m.heapMb;
        if (m.id === id) finish({ kind: m.crashes.length ? 'crash' : 'ok', crashes: m.crashes, reached: m.reached, times: m.times, ms: m.ms } as Outcome, false);
      };
      const onError = (e: Error) => {
        const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        finish({ kind: oom ? 'over-memory' : 'worker-died', entry: this.stageName(), error: e.stack ?? e.message, ms: ms() }, true);
      };
      const onExit = (code: number) => finish({ kind: 'worker-died', entry: this.stageName(), error: `worker exited with ${code}`, ms: ms() }, true);
      const timer = setTimeout(() => finish({ kind: 'hang', entry: this.stageName(), error: `no answer within ${this.opts.timeoutMs} ms`, ms: ms() }, true), this.opts.timeoutMs);
      const mem = setInterval(() => {
        const rss = process.memoryUsage.rss() / 2 ** 20;
        if (rss > this.opts.rssMb) finish({ kind: 'over-memory', entry: this.stageName(), error: `process resident size ${rss.toFixed(0)} MB > ${this.opts.rssMb} MB`, ms: ms() }, true);
      }, 100);
      w.on('message', onMsg);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ type: 'run', id, name, bytes, base, lsp } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) await w.terminate();
  }
}
