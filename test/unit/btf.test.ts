import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import { resolveSize } from '../../server/src/core/btf/resolve';
import { typeById } from '../../server/src/core/btf/types';
import { formatRawToString } from '../../server/src/core/format/raw';
import { buildBtf } from '../helpers/btf-builder';

const INT32 = (name = 'int') => ({ name, kind: Kind.INT, third: 4, extra: [(1 << 24) | 32] });

describe('BTF header and sections', () => {
  it('reads little- and big-endian raw BTF to the same types', () => {
    const types = [INT32(), { name: 's', kind: Kind.STRUCT, vlen: 1, third: 4, extra: [0, 1, 0] }];
    for (const bigEndian of [false, true]) {
      const { bytes, strOff } = buildBtf(types, { bigEndian });
      const btf = Btf.parse(bytes);
      assert.deepEqual(btf.problems, []);
      assert.equal(btf.header!.littleEndian, !bigEndian);
      assert.equal(btf.typeCount, 3);
      assert.equal(strOff('s') > 0, true);
      assert.equal(formatRawToString(btf),
        "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n[2] STRUCT 's' size=4 vlen=1\n\t'(anon)' type_id=1 bits_offset=0\n");
    }
  });

  it('reads a 32-byte header and steps over unknown kinds by the layout section', () => {
    const layout: [number, number][] = [];
    for (let k = 0; k <= 19; k++) layout.push([[0, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0][k]!, [0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0, 12, 0, 0, 0, 12][k]!]);
    layout.push([8, 4]); // kind 20: 8 bytes then 4 per vlen element
    const { bytes } = buildBtf([
      INT32(),
      { name: 'future', kind: 20, vlen: 2, third: 0, extra: [7, 7, 1, 2] },
      { name: 'after', kind: Kind.TYPEDEF, third: 1 },
    ], { layout });
    const btf = Btf.parse(bytes);
    assert.equal(btf.header!.hdrLen, 32);
    assert.equal(btf.ownCount, 3, 'the type after the unknown kind is still indexed');
    assert.equal(btf.name(3), 'after');
    assert.equal(btf.unknownKinds, 1);
    assert.equal(btf.problems.length, 1);
    assert.equal(btf.problems[0]!.severity, 'warning');
    assert.match(btf.problems[0]!.message, /kind 20.*layout section/);
    assert.equal(btf.ok, true);
  });

  it('without a layout section, an unknown kind stops indexing with an error naming the offset', () => {
    const { bytes } = buildBtf([INT32(), { name: 'future', kind: 21, third: 0 }, { name: 'after', kind: Kind.TYPEDEF, third: 1 }]);
    const btf = Btf.parse(bytes, { file: 'x.btf' });
    assert.equal(btf.ownCount, 1);
    assert.equal(btf.problems[0]!.offset, 24 + 16);
    assert.equal(btf.problems[0]!.file, 'x.btf');
    assert.match(btf.problems[0]!.message, /unsupported kind 21/);
  });

  it('uses 7-bit kinds and 24-bit vlen', () => {
    const values: number[] = [];
    for (let i = 0; i < 70000; i++) values.push(0, i);
    const { bytes } = buildBtf([{ name: 'big', kind: Kind.ENUM, vlen: 70000, third: 4, extra: values }]);
    const btf = Btf.parse(bytes);
    assert.equal(btf.vlen(1), 70000);
    const t = typeById(btf, 1);
    assert.equal(t?.kind, 'ENUM');
    assert.equal(t.kind === 'ENUM' && t.values.length, 70000);
  });

  it('continues IDs and string offsets in split BTF, also with an empty string section and multi-level', () => {
    const base = Btf.parse(buildBtf([INT32(), INT32('long')]).bytes);
    const baseStrLen = base.stringsLength;
    const mid = Btf.parse(buildBtf([{ name: 'm', kind: Kind.TYPEDEF, third: 2 }], { strBase: baseStrLen, noLeadingNul: true }).bytes, { base });
    assert.deepEqual(mid.problems, []);
    assert.equal(mid.startId, 3);
    assert.equal(mid.name(3), 'm');
    assert.equal(mid.name(1), 'int');
    // A split whose only type reuses a base string: empty string section.
    const top = Btf.parse(buildBtf([{ kind: Kind.PTR, third: 3 }], { strBase: baseStrLen + mid.stringsLength, noLeadingNul: true }).bytes, { base: mid });
    assert.deepEqual(top.problems, []);
    assert.equal(top.startId, 4);
    assert.equal(top.startStrOff, baseStrLen + mid.stringsLength);
    assert.equal(formatRawToString(top), "[4] PTR '(anon)' type_id=3\n");
    assert.equal(top.kind(1), Kind.INT);
  });
});

describe('hostile input', () => {
  it('forged vlen does not allocate or throw', () => {
    const { bytes } = buildBtf([{ name: 's', kind: Kind.STRUCT, vlen: 0xffffff, third: 4 }]);
    const btf = Btf.parse(bytes);
    assert.equal(btf.ownCount, 0);
    assert.match(btf.problems[0]!.message, /needs 201326592 bytes/);
  });

  it('forged header lengths are reported, not trusted', () => {
    const { bytes } = buildBtf([INT32()]);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(12, 0x7fffffff, true); // type_len
    const btf = Btf.parse(bytes);
    assert.ok(!btf.ok);
    assert.ok(btf.problems.some((p) => p.offset === 12));
  });

  it('type cycles end (typedef to itself)', () => {
    const { bytes } = buildBtf([{ name: 'a', kind: Kind.TYPEDEF, third: 2 }, { name: 'b', kind: Kind.TYPEDEF, third: 1 }]);
    const btf = Btf.parse(bytes);
    assert.equal(resolveSize(btf, 1), -1);
  });

  it('truncation at every offset and random byte flips never throw', () => {
    const types = [INT32(), { name: 's', kind: Kind.STRUCT, kflag: true, vlen: 2, third: 8, extra: [0, 1, 0, 0, 1, (3 << 24) | 32] },
      { name: 'e', kind: Kind.ENUM64, vlen: 1, third: 8, extra: [0, 1, 2] }, { name: 'sec', kind: Kind.DATASEC, vlen: 1, third: 0, extra: [9, 0, 4] }];
    const { bytes } = buildBtf(types);
    for (let n = 0; n < bytes.length; n++) {
      const btf = Btf.parse(bytes.slice(0, n));
      assert.ok(btf.problems.length > 0, `truncated at ${n} must be reported`);
      formatRawToString(btf);
    }
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8);
    for (let i = 0; i < 2000; i++) {
      const b = bytes.slice();
      for (let j = 0; j < 3; j++) b[rnd() % b.length] = rnd() & 0xff;
      const btf = Btf.parse(b);
      formatRawToString(btf);
      for (let id = 0; id < btf.typeCount + 2; id++) {
        typeById(btf, id);
        resolveSize(btf, id);
      }
    }
  });
});
