import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { formatRawToString } from '../../server/src/core/format/raw';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { golden } from '../helpers/paths';

/**
 * The writer against libbpf 1.1's own (test/golden/write/make.sh runs write_oracle.c): the same types added
 * by hand, as btf__add_* adds them, give the same bytes — type words, kflags, the deduplicated string table
 * in libbpf's order, both byte orders, split output continuing its base.
 */
const G = join(golden, 'write');
const want = (f: string) => readFileSync(join(G, f));

function typed(le = true): BtfBuilder {
  const b = new BtfBuilder({ littleEndian: le });
  b.addInt('int', 4, 'signed'); // 1
  b.addInt('unsigned char', 1); // 2
  b.addFloat('double', 8); // 3
  b.addPtr(1); // 4
  b.addConst(1); // 5
  b.addVolatile(4); // 6
  b.addRestrict(4); // 7
  b.addTypedef('u8', 2); // 8
  b.addTypeTag('user', 1); // 9
  b.addFwd('fwd_s', 'struct'); // 10
  b.addFwd('fwd_u', 'union'); // 11
  b.addFwd('fwd_e', 'enum'); // 12
  b.addArray(1, 2, 16); // 13
  b.addStruct('point', 32, [ // 14
    { name: 'x', type: 1, bitOffset: 0 },
    { name: 'y', type: 1, bitOffset: 32 },
    { name: 'flags', type: 2, bitOffset: 64, bitSize: 3 },
    { name: 'mode', type: 2, bitOffset: 67, bitSize: 5 },
    { name: 'buf', type: 13, bitOffset: 72 },
    { name: '', type: 4, bitOffset: 200 },
  ]);
  b.addUnion('u', 8, [{ name: 'x', type: 1, bitOffset: 0 }, { name: 'd', type: 3, bitOffset: 0 }]); // 15
  b.addEnum('color', 4); // 16
  b.addEnumValue('RED', 0);
  b.addEnumValue('GREEN', 1);
  b.addEnumValue('NEG', -1);
  b.addEnum64('big', 8, true); // 17
  b.addEnumValue('MIN', -(1n << 63n));
  b.addEnumValue('MAX', (1n << 63n) - 1n);
  b.addFuncProto(1); // 18
  b.addParam('a', 1);
  b.addParam('', 4);
  b.addFunc('f', 18, 'global'); // 19
  b.addVar('v', 1, 'global'); // 20
  b.addDatasec('.data', 8); // 21
  b.addVarSecinfo(20, 0, 4);
  b.addDeclTag('tag', 14, 1); // 22
  b.addDeclTag('tag', 19); // 23
  b.addStruct('café', 4, [{ name: 'RED', type: 1, bitOffset: 0 }]); // 24
  return b;
}

describe('write: byte for byte what libbpf writes (test/golden/write)', () => {
  it('every kind by hand, little-endian', () => {
    const bytes = typed().bytes();
    assert.deepEqual(Buffer.from(bytes), want('typed.btf'));
    assert.equal(formatRawToString(Btf.parse(bytes)), readFileSync(join(G, 'typed.raw.txt'), 'utf8'), 'bpftool dump of it');
  });
  it('the same big-endian (btf__set_endianness)', () => {
    assert.deepEqual(Buffer.from(typed(false).bytes()), want('typed.be.btf'));
  });
  it('split on it (btf__new_empty_split): IDs and strings continue the base, base names reused', () => {
    const base = Btf.parse(new Uint8Array(want('typed.btf')));
    const s = new BtfBuilder({ base });
    assert.equal(s.typeCount, 25);
    s.addStruct('point2', 8, [{ name: 'x', type: 1, bitOffset: 0 }, { name: 'z', type: 26, bitOffset: 32 }]);
    s.addTypedef('point_t', 14);
    s.addPtr(25);
    assert.deepEqual(Buffer.from(s.bytes()), want('split.btf'));
  });
  it('every type copied by btf__add_type, last first', () => {
    const src = Btf.parse(new Uint8Array(want('typed.btf')));
    const c = new BtfBuilder();
    for (let id = src.typeCount - 1; id >= 1; id--) c.addType(src, id);
    assert.deepEqual(Buffer.from(c.bytes()), want('copied.btf'));
  });
  it('refuses what btf__add_field refuses', () => {
    const b = new BtfBuilder();
    b.addInt('int', 4, 'signed');
    assert.equal(b.addField('x', 1, 0), false, 'no struct to add to');
    b.addUnion('u', 4);
    assert.equal(b.addField('x', 1, 8), false, 'a union member at a non-zero offset');
    b.addStruct('s', 4);
    assert.equal(b.addField('x', 1, 3), false, 'an offset inside a byte without a width');
    assert.equal(b.addField('x', 1, 0, 256), false, 'a width over 255');
    assert.equal(b.addField('x', 1, 0, 3), true);
  });
});
