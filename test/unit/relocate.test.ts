// Distilled base (.BTF.base) relocation onto a real base. No tool on this machine writes distilled
// bases (pahole ≥ 1.28 and libbpf ≥ 1.5 do), so the inputs are written by the core's writer: the relocated split
// must dump exactly like the same split encoded directly against the real base.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { relocateSplit } from '../../server/src/core/btf/relocate';
import { formatRawToString } from '../../server/src/core/format/raw';
import { BtfBuilder } from '../../server/src/core/write/builder';

/** The real base: [1] char, [2] int, [3] struct foo { int; int; } (fooSize bytes), [4] union bar. */
function realBase(fooSize: number): Btf {
  const b = new BtfBuilder();
  b.addInt('char', 1, 'char');
  const int = b.addInt('int', 4, 'signed');
  b.addStruct('foo', fooSize, [{ name: '', type: int, bitOffset: 0 }, { name: '', type: int, bitOffset: 32 }]);
  b.addUnion('bar', 4);
  return Btf.parse(b.bytes(), { file: 'vmlinux' });
}

/** A module split on `base`, given where foo, int and bar are in it: a pointer to bar, a struct, a function. */
function moduleOn(base: Btf, ids: { foo: number; int: number; bar: number }): Btf {
  const m = new BtfBuilder({ base });
  const barPtr = m.addPtr(ids.bar);
  m.addStruct('mod_s', 24, [
    { name: '', type: ids.int, bitOffset: 0 },
    { name: '', type: ids.foo, bitOffset: 64 },
    { name: '', type: barPtr, bitOffset: 128 },
  ]);
  const proto = m.addFuncProto(ids.int);
  m.addParam('', barPtr + 1);
  m.addFunc('mod_fn', proto);
  return Btf.parse(m.bytes(), { base });
}

describe('distilled base relocation', () => {
  // the distilled base: [1] struct foo (embedded below, so its size matters), [2] int, [3] union bar (only pointed to)
  const db = new BtfBuilder();
  db.addStruct('foo', 8);
  db.addInt('int', 4, 'signed');
  db.addFwd('bar', 'union');
  const dist = Btf.parse(db.bytes());
  it('relocated split BTF dumps like the split built against the real base', () => {
    const base = realBase(8);
    const split = moduleOn(dist, { foo: 1, int: 2, bar: 3 });
    assert.equal(split.ok, true, JSON.stringify(split.problems));
    const r = relocateSplit(split, base, 'mod.ko');
    assert.deepEqual(r.problems, []);
    const direct = moduleOn(base, { foo: 3, int: 2, bar: 4 });
    assert.equal(r.btf!.startId, 5);
    assert.equal(formatRawToString(r.btf!), formatRawToString(direct));
    assert.match(formatRawToString(r.btf!), /'mod_s' size=24 vlen=3/);
  });
  it('a base whose embedded struct has another size is refused, naming the type', () => {
    const split = moduleOn(dist, { foo: 1, int: 2, bar: 3 });
    const r = relocateSplit(split, realBase(16), 'mod.ko');
    assert.equal(r.btf, undefined);
    assert.match(r.problems[0]!.message, /'foo' \[1\] has no match in the base BTF vmlinux: wrong base\?/);
  });
});
