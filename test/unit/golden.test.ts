// Our text against the real tools' text, printed by them and committed (test/fixtures/build.sh).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatExt } from '../../server/src/core/format/ext';
import { formatRawToString } from '../../server/src/core/format/raw';
import { openBtfBytes } from '../../server/src/core/input';
import { describeObject } from '../../server/src/core/object/bpf-object';
import { fixtureObj, golden } from '../helpers/paths';
import { gunzipSync } from 'node:zlib';

const open = (name: string) => {
  let bytes: Uint8Array = readFileSync(join(fixtureObj, name));
  if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
  return openBtfBytes(bytes, { file: name });
};
const fixtures = readdirSync(fixtureObj).filter((f) => /\.(o|btf|btf\.gz)$/.test(f)).sort();

describe('bpftool btf dump file X format raw', () => {
  const withGolden = fixtures.filter((f) => existsSync(join(golden, 'raw', `${f}.txt`)));
  it('has goldens for both byte orders', () => {
    assert.ok(withGolden.some((f) => f.includes('bpfeb')) && withGolden.some((f) => f.includes('bpfel')), withGolden.join(' '));
    assert.ok(withGolden.length >= 10, `only ${withGolden.length} raw goldens`);
  });
  for (const f of withGolden) {
    it(f, () => {
      const input = open(f);
      assert.ok(input.btf, `${f}: no BTF read`);
      assert.deepEqual(input.problems.filter((p) => p.severity === 'error'), []);
      assert.equal(formatRawToString(input.btf), readFileSync(join(golden, 'raw', `${f}.txt`), 'utf8'));
    });
  }
  it('a gzip-compressed .btf dumps like its uncompressed self', () => {
    const gz = fixtures.find((f) => f.endsWith('.btf.gz'));
    assert.ok(gz);
    assert.equal(formatRawToString(open(gz).btf!), readFileSync(join(golden, 'raw', `${gz.replace(/\.gz$/, '')}.txt`), 'utf8'));
  });
});

// Big-endian goldens come from libbpf reading a copy whose .BTF.ext was swapped (test/golden/ext-be.sh).
describe('.BTF.ext as libbpf reads it (ext_oracle)', () => {
  const goldens = readdirSync(join(golden, 'ext')).filter((f) => f.endsWith('.txt'));
  for (const g of goldens) {
    const obj = g.replace(/\.txt$/, '');
    const expected = readFileSync(join(golden, 'ext', g), 'utf8');
    it(obj, () => {
      const input = open(obj);
      if (expected.startsWith('RESULT no .BTF or no .BTF.ext')) {
        assert.ok(!input.btf || !input.ext, 'libbpf found no .BTF.ext here, nor should we');
        return;
      }
      assert.ok(input.btf && input.ext);
      assert.deepEqual(input.problems.filter((p) => p.severity === 'error'), []);
      assert.equal(formatExt(input.btf, input.ext), expected);
    });
  }
});

// In a .o, DATASEC sizes and VAR offsets are stored as 0; libbpf fills them from the ELF. Its static
// linker (`bpftool gen object`) writes the filled values, which is what we compare with.
describe('DATASEC sizes and VAR offsets filled from the ELF, as libbpf does', () => {
  for (const g of readdirSync(join(golden, 'linked')).filter((f) => f.endsWith('.txt'))) {
    const obj = g.replace(/\.txt$/, '');
    it(obj, () => {
      const expected = new Map<string, { size: number; vars: Map<string, [number, number]> }>();
      let cur: { size: number; vars: Map<string, [number, number]> } | undefined;
      for (const line of readFileSync(join(golden, 'linked', g), 'utf8').split('\n')) {
        const sec = /^\[\d+\] DATASEC '([^']*)' size=(\d+)/.exec(line);
        const v = /^\ttype_id=\d+ offset=(\d+) size=(\d+) \(VAR '([^']*)'\)/.exec(line);
        if (sec) expected.set(sec[1]!, (cur = { size: Number(sec[2]), vars: new Map() }));
        else if (v && cur) cur.vars.set(v[3]!, [Number(v[1]), Number(v[2])]);
        else if (line.startsWith('[')) cur = undefined;
      }
      assert.ok(expected.size > 0);
      const ours = describeObject(open(obj)).dataSections;
      for (const [name, e] of expected) {
        const d = ours.find((x) => x.name === name);
        assert.ok(d, `no data section ${name}`);
        assert.equal(d.size, e.size, `${name} size`);
        for (const [vname, [off, size]] of e.vars) {
          const ov: { offset: number; size: number } | undefined = d.vars.find((x) => x.name === vname);
          assert.deepEqual([ov?.offset, ov?.size], [off, size], `${name}.${vname}`);
        }
      }
    });
  }
});
