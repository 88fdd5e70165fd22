/**
 * Inflating stops at the end of the ELF file the output holds (server/src/io/elf-extent.ts): every ELF
 * fixture, gzipped, inflates to exactly itself (little- and big-endian objects, a module); what a signed
 * module carries past its ELF end (the signature) is left out; an ELF-headed bomb stops a few KB in.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decompress } from '../../server/src/io/decompress';
import { inputLimits } from '../../server/src/io/limits';
import { GiB, MiB, elfHead, gzipBomb, zstdBomb, zstdFrameOf } from '../helpers/hostile-fs';
import { repoRoot } from '../helpers/paths';

const limits = inputLimits({});
const elfFiles = ['test/fixtures', 'test/workspace']
  .flatMap((d) => readdirSync(join(repoRoot, d), { recursive: true, encoding: 'utf8' }).map((f) => join(d, f)))
  .filter((f) => /\.(o|ko)$/.test(f))
  .filter((f) => readFileSync(join(repoRoot, f)).subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1')))
  .sort();
const SIGNATURE_MARK = '~Module signature appended~\n';

describe('inflating stops at the end of the ELF file', () => {
  it(`${elfFiles.length} ELF fixtures inflate to themselves; a signed module to itself without its signature`, async () => {
    assert.ok(elfFiles.length >= 20, elfFiles.join(' '));
    for (const f of elfFiles) {
      const plain = readFileSync(join(repoRoot, f));
      const out = Buffer.from(await decompress(gzipSync(plain), 'gzip', limits));
      // zstd as the zstd tool writes a file: one frame that declares its size, decoded in one call.
      const zout = Buffer.from(await decompress(zstdFrameOf(plain), 'zstd', limits));
      assert.ok(zout.equals(out), `${f}: zstd ${zout.length} bytes, gzip ${out.length}`);
      if (plain.subarray(-SIGNATURE_MARK.length).toString('latin1') === SIGNATURE_MARK) {
        assert.ok(out.length < plain.length - SIGNATURE_MARK.length, `${f}: ${out.length} of ${plain.length} bytes`);
        assert.ok(out.equals(plain.subarray(0, out.length)), f);
      } else {
        assert.ok(out.equals(plain), `${f}: ${out.length} of ${plain.length} bytes`);
      }
    }
  });

  it('a gzip bomb of 1 GiB behind a real ELF header (its section table zeros) inflates to where the table ends', async () => {
    const head = elfHead();
    const dv = new DataView(head.buffer, head.byteOffset);
    const tableEnd = Number(dv.getBigUint64(0x28, true)) + dv.getUint16(0x3c, true) * dv.getUint16(0x3a, true);
    const out = await decompress(gzipBomb(GiB, head), 'gzip', limits);
    assert.equal(out.length, tableEnd);
    const whole = await decompress(zstdBomb(64 * MiB, { head, declare: true }), 'zstd', limits);
    assert.equal(whole.length, tableEnd);
    assert.equal(whole.buffer.byteLength, tableEnd, 'the 64 MiB the frame was decoded into is not kept');
  });
});
