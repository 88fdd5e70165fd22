/**
 * Decompression in a worker thread (server/src/io/inflate-off-thread.ts, the language server's way): the
 * same bytes as in-process, the same one-line refusals carried across the thread, the time budget ending
 * a worker stuck in one blocking call, and the budget's setting read from the environment.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decompress } from '../../server/src/io/decompress';
import { decompressInWorker } from '../../server/src/io/inflate-off-thread';
import { InputError } from '../../server/src/io/input-error';
import { inputLimits, parseDuration } from '../../server/src/io/limits';
import { MiB, elfHead, gzipBomb, zstdBomb } from '../helpers/hostile-fs';
import { repoRoot } from '../helpers/paths';

const limits = inputLimits({});
const vmlinuxXz = join(repoRoot, 'test/workspace/kernels/vmlinux-6.1.0-56-amd64.xz');

describe('inflating in a worker thread', () => {
  it('gives the bytes inflating in-process gives (a real xz-compressed vmlinux BTF)', async () => {
    const packed = new Uint8Array(readFileSync(vmlinuxXz));
    const here = await decompress(packed, 'xz', limits);
    const there = await decompressInWorker(packed.slice(), 'xz', limits);
    assert.equal(there.length, here.length);
    assert.ok(Buffer.from(there.buffer, there.byteOffset, there.length).equals(Buffer.from(here.buffer, here.byteOffset, here.length)));
  });

  it('carries a refusal across as the same InputError', async () => {
    const bomb = new Uint8Array(gzipBomb(64 * MiB));
    const err = await decompressInWorker(bomb, 'gzip', limits).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.offset, 0);
    assert.equal(err.message, 'gzip data inflates to neither ELF nor BTF (it starts with 00 00 00 00): not read further');
  });

  it('ends a worker still in one blocking call at the time budget (a zstd frame of 512 MiB that declares its size)', async () => {
    const frame = new Uint8Array(zstdBomb(512 * MiB, { head: elfHead(), declare: true }));
    const t = performance.now();
    const err = await decompressInWorker(frame, 'zstd', { ...limits, maxInflateMs: 300 }).then(() => undefined, (e: unknown) => e);
    const ms = performance.now() - t;
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.message, 'zstd data takes longer to inflate than the limit of 300 ms per input (BTF_LENS_MAX_INFLATE_TIME): not read');
    assert.ok(ms < 1000, `answered after ${ms.toFixed(0)} ms`);
  });

  it('the budget: 20 s unless BTF_LENS_MAX_INFLATE_TIME says otherwise (seconds, or with s / ms)', () => {
    assert.equal(inputLimits({}).maxInflateMs, 20_000);
    assert.equal(inputLimits({ BTF_LENS_MAX_INFLATE_TIME: '1.5s' }).maxInflateMs, 1500);
    assert.equal(inputLimits({ BTF_LENS_MAX_INFLATE_TIME: '250ms' }).maxInflateMs, 250);
    assert.equal(inputLimits({ BTF_LENS_MAX_INFLATE_TIME: '3' }).maxInflateMs, 3000);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(inputLimits({ BTF_LENS_MAX_INFLATE_TIME: 'soon' }).maxInflateMs, 20_000);
  });
});
