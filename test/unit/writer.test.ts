import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWriter, putAscii, putDec } from '../../server/src/core/util/writer';

describe('ByteWriter', () => {
  it('writes decimals like String() across digit-count and sign boundaries', () => {
    const nums = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 123456789, 999999999, 1000000000,
      2147483647, 2147483648, 4294967295, 4294967296, 9007199254740991, -1, -2147483648, -100, -4294967296];
    const w = new ByteWriter(undefined, 8); // tiny buffer: exercises growth
    for (const n of nums) {
      w.dec(n);
      w.byte(32);
    }
    assert.equal(w.toString(), nums.map((n) => `${n} `).join(''));
  });
  it('copies NUL-terminated strings and text across chunk boundaries', () => {
    const chunks: string[] = [];
    const w = new ByteWriter((c) => chunks.push(Buffer.from(c).toString('latin1')), 4);
    const src = new Uint8Array([104, 101, 108, 108, 111, 0, 120]);
    w.cstr(src, 0, src.length);
    w.ascii('|');
    w.cstr(src, 6, src.length); // unterminated at the end
    w.text('|é');
    w.flush();
    assert.equal(Buffer.from(chunks.join(''), 'latin1').toString('utf8'), 'hello|x|é');
  });
  it('reserve + putDec/putAscii (the raw dump hot path) write what dec/ascii write, growing a tiny buffer', () => {
    const nums = [0, 7, 10, 99, 100, 4095, 65536, 999999999, 1000000000, 4294967295];
    const w = new ByteWriter(undefined, 8);
    for (const n of nums) {
      w.reserve(24);
      w.pos = putAscii(w.buf, putDec(w.buf, w.pos, n), ' x=');
    }
    assert.equal(w.toString(), nums.map((n) => `${n} x=`).join(''));
  });
});
