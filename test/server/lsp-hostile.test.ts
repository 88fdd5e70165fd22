/**
 * The language server with hostile files in its workspace (issue 16): FIFOs (one reached through a link,
 * one created while it runs), device links, link loops, dangling links and decompression bombs each get
 * a one-line diagnostic naming the reason, while hover and workspace symbol keep answering within their
 * normal latency, memory stays bounded, and shutdown answers. Before the one opener (server/src/io) a FIFO
 * behind a link blocked the server in open(2) for good, a /dev/zero link was read until memory ran out,
 * and bombs were inflated in full on the event loop; before the inflate worker (server/src/io/inflate-off-thread.ts)
 * a zstd frame that declares its size was decoded in one blocking call (seconds for some hundred MiB) and nothing
 * bounded the time one input could take to inflate.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Diagnostic, Hover, SymbolInformation } from 'vscode-languageserver/node';
import type { CoreMatrixRequest } from '../../server/src/protocol/requests';
import { FAR, GiB, MiB, elfHead, gzipBomb, hostileFixtures, mkfifo, zstdBomb, zstdFrameOf } from '../helpers/hostile-fs';
import { repoRoot } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

/** Each answer must come within this (normal latency is a few ms; generous for a shared 2-core box). */
const MAX_LATENCY_MS = 500;
const unix = process.platform !== 'win32';

/**
 * For code that waits on a FIFO in open(2) with the main thread: after a delay, a worker opens every FIFO
 * for writing and closes it again (the reader gets end-of-file), so that a hang shows as a failed latency
 * assertion instead of a test run stuck forever.
 */
function fifoWatchdog(fifos: string[], afterMs: number): Worker {
  const w = new Worker(
    `const { workerData } = require('node:worker_threads'); const fs = require('node:fs');
     setTimeout(() => setInterval(() => { for (const f of workerData.fifos) {
       try { fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); } catch {} } }, 200), workerData.afterMs);`,
    { eval: true, workerData: { fifos, afterMs } },
  );
  w.unref();
  return w;
}

/** Peak resident memory while the server works, sampled off the main thread's answers (a timer). */
function rssSampler(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(t) };
}

describe('the language server among hostile files', { skip: !unix && 'FIFOs and device links are POSIX' }, () => {
  let s: TestServer;
  let watchdog: Worker;
  const fifos: string[] = [];
  const baseRss = process.memoryUsage.rss();
  const rss = rssSampler();
  let haveFifo = true;

  before(async () => {
    s = await startTestServer({
      prepare(root) {
        const h = join(root, 'hostile');
        mkdirSync(h);
        haveFifo = mkfifo(join(h, 'fifo.btf'));
        fifos.push(join(h, 'fifo.btf'), join(root, 'build/new.o'), join(root, 'src/fifo.c'));
        mkfifo(join(root, 'src/fifo.c'));
        watchdog = fifoWatchdog(fifos, 8000);
        symlinkSync('fifo.btf', join(h, 'fifo-link.btf'));
        symlinkSync('/dev/zero', join(h, 'zero.btf'));
        symlinkSync('/dev/urandom', join(h, 'urandom.o'));
        symlinkSync('loop-b.btf', join(h, 'loop-a.btf'));
        symlinkSync('loop-a.btf', join(h, 'loop-b.btf'));
        symlinkSync('nowhere.btf', join(h, 'dangling.btf'));
        writeFileSync(join(h, 'bomb.ko.gz'), gzipBomb(GiB));
        writeFileSync(join(h, 'bomb.ko.zst'), zstdBomb(GiB));
        copyFileSync(join(hostileFixtures, 'zeros-256m.ko.xz'), join(h, 'bomb.ko.xz'));
      },
    });
  });
  after(() => {
    rss.stop();
    void watchdog?.terminate();
    s?.close();
  });

  const diag = (rel: string): Diagnostic[] => s.diagnostics.get(s.uri(rel)) ?? [];
  const oneLine = (rel: string, why: RegExp) => {
    const d = diag(rel);
    assert.equal(d.length, 1, `${rel}: ${JSON.stringify(d)}`);
    const prefix = `${rel}: offset 0 (0x0): `;
    assert.ok(d[0]!.message.startsWith(prefix), d[0]!.message);
    assert.match(d[0]!.message.slice(prefix.length), why);
    assert.doesNotMatch(d[0]!.message, /\n/);
    assert.equal(d[0]!.severity, 1);
  };

  test('each hostile file gets one diagnostic saying why it is not read', () => {
    const h = s.path('hostile');
    if (haveFifo) oneLine('hostile/fifo.btf', /^a FIFO \(named pipe\): not a regular file$/);
    if (haveFifo) oneLine('hostile/fifo-link.btf', new RegExp(`^links to ${h}/fifo\\.btf, a FIFO \\(named pipe\\): not a regular file$`));
    oneLine('hostile/zero.btf', /^links to \/dev\/zero, a character device: not a regular file$/);
    oneLine('hostile/urandom.o', /^links to \/dev\/urandom, a character device: not a regular file$/);
    oneLine('hostile/loop-a.btf', new RegExp(`^symbolic link loop: ${h}/loop-a\\.btf → ${h}/loop-b\\.btf → ${h}/loop-a\\.btf$`));
    oneLine('hostile/dangling.btf', new RegExp(`^dangling symbolic link: ${h}/dangling\\.btf → ${h}/nowhere\\.btf, which does not exist$`));
    for (const kind of ['gz', 'zst', 'xz']) {
      const name = { gz: 'gzip', zst: 'zstd', xz: 'xz' }[kind];
      oneLine(`hostile/bomb.ko.${kind}`, new RegExp(`^${name} data inflates to neither ELF nor BTF \\(it starts with 00 00 00 00\\): not read further$`));
    }
  });

  const hoverLine = () => readFileSync(s.path('src/core.c'), 'utf8').split('\n').findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);'));
  /** One hover and one workspace symbol: how long each took, and that each answered as usual. */
  async function answers(): Promise<{ hover: number; symbol: number }> {
    let t = performance.now();
    const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/core.c') }, position: { line: hoverLine(), character: 1 } })) as Hover;
    const hover = performance.now() - t;
    assert.match((h.contents as { value: string }).value, /struct task_struct\.pid/);
    t = performance.now();
    const sym = (await s.client.sendRequest('workspace/symbol', { query: 'sock_common' })) as SymbolInformation[];
    const symbol = performance.now() - t;
    assert.ok(sym.length > 0);
    return { hover, symbol };
  }

  /**
   * Each answer in normal latency; on a shared box the odd one is descheduled, so: 95% of them under
   * MAX_LATENCY_MS and none over three times that (a blocked event loop costs seconds, not this).
   */
  function normalLatency(times: { hover: number; symbol: number }[], t: { diagnostic(m: string): void }): void {
    const slowest = (k: 'hover' | 'symbol') => Math.round(Math.max(...times.map((x) => x[k])));
    t.diagnostic(`${times.length} rounds: slowest hover ${slowest('hover')} ms, slowest workspace symbol ${slowest('symbol')} ms`);
    const all = times.flatMap((x) => [x.hover, x.symbol]).sort((a, b) => a - b);
    const p95 = all[Math.floor(all.length * 0.95)]!;
    const worst = all[all.length - 1]!;
    const shown = JSON.stringify(times.map((x) => [Math.round(x.hover), Math.round(x.symbol)]));
    assert.ok(p95 < MAX_LATENCY_MS && worst < 3 * MAX_LATENCY_MS, `95th percentile ${p95.toFixed(0)} ms, slowest ${worst.toFixed(0)} ms: ${shown}`);
  }

  test(`hover and workspace symbol answer in normal latency (95% under ${MAX_LATENCY_MS} ms) while hostile files arrive (a FIFO created while running)`, async (t) => {
    await answers(); // first hover renders the listing it shows: not what is measured
    // A bomb behind an ELF header (its section table said to be past the limit) is inflated up to the limit
    // (128 MiB here): real work while requests come in.
    process.env.BTF_LENS_MAX_INPUT = '128M';
    writeFileSync(s.path('build/elfbomb.ko.gz'), gzipBomb(GiB, elfHead({ tableAt: FAR })));
    const ready = s.nextReady();
    if (haveFifo) mkfifo(s.path('build/new.o'));
    symlinkSync('/dev/zero', s.path('build/zero.o'));
    writeFileSync(s.path('build/bomb2.ko.gz'), gzipBomb(GiB));
    writeFileSync(s.path('build/bomb2.ko.zst'), zstdBomb(GiB));
    const created = ['build/elfbomb.ko.gz', 'build/new.o', 'build/zero.o', 'build/bomb2.ko.gz', 'build/bomb2.ko.zst'].map((r) => ({ uri: s.uri(r), type: 1 }));
    s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: created });
    // Ask again and again until the files are all read (at least 5 times).
    let indexed = false;
    void ready.then(() => (indexed = true));
    const times: { hover: number; symbol: number }[] = [];
    while (times.length < 5 || (!indexed && times.length < 500)) {
      times.push(await answers());
      await new Promise((r) => setTimeout(r, 10));
    }
    await ready;
    delete process.env.BTF_LENS_MAX_INPUT;
    times.push(await answers());
    normalLatency(times, t);
    if (haveFifo) oneLine('build/new.o', /^a FIFO \(named pipe\): not a regular file$/);
    oneLine('build/zero.o', /^links to \/dev\/zero, a character device: not a regular file$/);
    oneLine('build/bomb2.ko.gz', /^gzip data inflates to neither ELF nor BTF/);
    oneLine('build/bomb2.ko.zst', /^zstd data inflates to neither ELF nor BTF/);
    oneLine('build/elfbomb.ko.gz', /^gzip data inflates to more than the limit of 134217728 bytes \(128 MiB\) per input \(BTF_LENS_MAX_INPUT\): not read$/);
  });

  test('a zstd frame of 512 MiB that declares its size: hover and workspace symbol answer meanwhile, and at the time budget the file is given up with a diagnostic naming it and why', async (t) => {
    // fzstd decodes it in one call of seconds, which only ending the worker stops (zeros: 16 KB on disk).
    process.env.BTF_LENS_MAX_INFLATE_TIME = '400ms';
    writeFileSync(s.path('build/slow.ko.zst'), zstdBomb(512 * MiB, { head: elfHead(), declare: true }));
    const ready = s.nextReady();
    let indexed = false;
    void ready.then(() => (indexed = true));
    const t0 = performance.now();
    s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('build/slow.ko.zst'), type: 1 }] });
    const times: { hover: number; symbol: number }[] = [];
    while (times.length < 3 || (!indexed && times.length < 500)) times.push(await answers());
    await ready;
    const ms = performance.now() - t0;
    delete process.env.BTF_LENS_MAX_INFLATE_TIME;
    normalLatency(times, t);
    oneLine('build/slow.ko.zst', /^zstd data takes longer to inflate than the limit of 400 ms per input \(BTF_LENS_MAX_INFLATE_TIME\): not read$/);
    assert.ok(ms < 2000, `the file was given up after ${ms.toFixed(0)} ms (its budget: 400 ms)`);
  });

  test(`a hover on a C "source" that is a FIFO answers at once (nothing to show)`, { skip: !haveFifo && 'no mkfifo here' }, async () => {
    const t = performance.now();
    const h = await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/fifo.c') }, position: { line: 0, character: 0 } });
    const ms = performance.now() - t;
    assert.equal(h, null);
    assert.ok(ms < MAX_LATENCY_MS, `answered after ${ms.toFixed(0)} ms`);
  });

  test('CO-RE targets go through the same opener: a FIFO or a bomb is refused, a zstd-compressed kernel BTF is read', { skip: !haveFifo && 'no mkfifo here' }, async () => {
    const dir = s.path('targets');
    mkdirSync(dir);
    mkfifo(join(dir, 'fifo.btf'));
    const unjam = fifoWatchdog([join(dir, 'fifo.btf')], 3000);
    writeFileSync(join(dir, 'bomb.btf.zst'), zstdBomb(GiB));
    writeFileSync(join(dir, 'moved.btf.zst'), zstdFrameOf(readFileSync(join(repoRoot, 'test/fixtures/core-targets/btf/moved.btf'))));
    s.client.sendNotification('workspace/didChangeConfiguration', { settings: { btfLens: { kernelBtf: 'none', coreTargets: [dir] } } });
    await new Promise((r) => setTimeout(r, 50));
    const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/core.bpfel.o') })) as CoreMatrixRequest.Result;
    void unjam.terminate();
    assert.deepEqual(r.targets.map((x) => [x.label, x.error]), [
      ['bomb', `${dir}/bomb.btf.zst: offset 0 (0x0): zstd data inflates to neither ELF nor BTF (it starts with 00 00 00 00): not read further`],
      ['fifo', `${dir}/fifo.btf: offset 0 (0x0): a FIFO (named pipe): not a regular file`],
      ['moved', undefined],
    ]);
    assert.ok(r.rows.length > 0 && r.rows.every((row) => row.outcomes[2]!.text !== 'not resolved'), 'the compressed target resolves');
  });

  test('an object rewritten as empty gets a diagnostic instead of vanishing', async () => {
    const ready = s.nextReady();
    writeFileSync(s.path('build/progs.bpfel.o'), '');
    s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('build/progs.bpfel.o'), type: 2 }] });
    await ready;
    oneLine('build/progs.bpfel.o', /^empty file \(0 bytes\): not an ELF object \(yet\?\)$/);
  });

  test('memory stays bounded: no bomb was inflated (peak resident growth under 400 MiB)', (t) => {
    const growth = (rss.peak() - baseRss) / (1024 * 1024);
    t.diagnostic(`peak resident growth ${growth.toFixed(0)} MiB`);
    assert.ok(growth < 400, `resident memory grew by ${growth.toFixed(0)} MiB`);
  });

  test(`shutdown answers within ${MAX_LATENCY_MS} ms, just after a FIFO appears`, { skip: !haveFifo && 'no mkfifo here' }, async () => {
    // Idle first (a change to nothing: the index answers with its status).
    const idle = s.nextReady();
    s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('build/gone.o'), type: 3 }] });
    await idle;
    const late = s.path('build/late.o');
    mkfifo(late);
    const unjam = fifoWatchdog([late], 3000);
    const settled = s.nextReady();
    const t = performance.now();
    s.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('build/late.o'), type: 1 }] });
    await new Promise((r) => setTimeout(r, 20)); // the server takes the notification first
    await s.client.sendRequest('shutdown');
    const ms = performance.now() - t;
    // The index finishes with late.o before the connection goes (no notification after it is disposed).
    await Promise.race([settled, new Promise((r) => setTimeout(r, 5000))]);
    void unjam.terminate();
    assert.ok(ms < MAX_LATENCY_MS, `shutdown answered after ${ms.toFixed(0)} ms`);
  });
});
