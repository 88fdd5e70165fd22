// Distilled base (.BTF.base) relocation onto a real base. No tool on this machine writes distilled
// bases (pahole ≥ 1.28 and libbpf ≥ 1.5 do), so the inputs are built by hand: the relocated split
// must dump exactly like the same split encoded directly against the real base.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import { relocateSplit } from '../../server/src/core/btf/relocate';
import { formatRawToString } from '../../server/src/core/format/raw';
import { buildBtf } from '../helpers/btf-builder';

const INT = { name: 'int', kind: Kind.INT, third: 4, extra: [(1 << 24) | 32] };
const realBase = (fooSize: number) => Btf.parse(buildBtf([
  { name: 'char', kind: Kind.INT, third: 1, extra: [(2 << 24) | 8] }, // 1
  INT, // 2
  { name: 'foo', kind: Kind.STRUCT, vlen: 2, third: fooSize, extra: [0, 2, 0, 0, 2, 32] }, // 3 (members named later)
  { name: 'bar', kind: Kind.UNION, vlen: 0, third: 4 }, // 4
], {}).bytes, { file: 'vmlinux' });

describe('distilled base relocation', () => {
  const dist = Btf.parse(buildBtf([
    { name: 'foo', kind: Kind.STRUCT, vlen: 0, third: 8 }, // 1: embedded below, so size matters
    INT, // 2
    { name: 'bar', kind: Kind.FWD, kflag: true, third: 0 }, // 3: only pointed to
  ]).bytes);
  const splitTypes = (foo: number, int: number, bar: number, first: number) => [
    { kind: Kind.PTR, third: bar }, // first
    { name: 'mod_s', kind: Kind.STRUCT, vlen: 3, third: 24, extra: [0, int, 0, 0, foo, 64, 0, first, 128] },
    { name: 'mod_fn', kind: Kind.FUNC_PROTO, vlen: 1, third: int, extra: [0, first + 1] },
  ];
  it('relocated split BTF dumps like the split built against the real base', () => {
    const base = realBase(8);
    const split = Btf.parse(buildBtf(splitTypes(1, 2, 3, 4), { strBase: dist.stringsLength, noLeadingNul: true }).bytes, { base: dist });
    assert.equal(split.ok, true, JSON.stringify(split.problems));
    const r = relocateSplit(split, base, 'mod.ko');
    assert.deepEqual(r.problems, []);
    const direct = Btf.parse(buildBtf(splitTypes(3, 2, 4, 5), { strBase: base.stringsLength, noLeadingNul: true }).bytes, { base });
    assert.equal(r.btf!.startId, 5);
    assert.equal(formatRawToString(r.btf!), formatRawToString(direct));
    assert.match(formatRawToString(r.btf!), /'mod_s' size=24 vlen=3/);
  });
  it('a base whose embedded struct has another size is refused, naming the type', () => {
    const split = Btf.parse(buildBtf(splitTypes(1, 2, 3, 4), { strBase: dist.stringsLength, noLeadingNul: true }).bytes, { base: dist });
    const r = relocateSplit(split, realBase(16), 'mod.ko');
    assert.equal(r.btf, undefined);
    assert.match(r.problems[0]!.message, /'foo' \[1\] has no match in the base BTF vmlinux: wrong base\?/);
  });
});
