/**
 * The workspace name table on hand-made BTF: names as bytes (ASCII, UTF-8, a newline), kinds, grouping
 * of identical types across files, and the ranking tiers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import type { IndexedFile } from '../../server/src/lsp/model';
import { SymbolIndex } from '../../server/src/lsp/names';
import { buildBtf, type RawType } from '../helpers/btf-builder';

const INT: RawType = { name: 'int', kind: Kind.INT, third: 4, extra: [0x01000020] };
const struct = (name: string, size: number): RawType => ({ name, kind: Kind.STRUCT, vlen: 0, third: size });

function file(label: string, types: RawType[]): IndexedFile {
  const btf = Btf.parse(buildBtf(types).bytes, { file: label });
  assert.deepEqual(btf.problems, []);
  return { path: `/ws/${label}`, uri: `file:///ws/${label}`, label, kind: 'raw-btf', state: 'indexed', generation: 1, mtimeMs: 0, missingBase: false, problems: [], btf };
}

describe('name table', () => {
  test('UTF-8 names read right, a name holding a newline is left out, the rest unaffected', () => {
    const a = file('a.btf', [INT, struct('café_state', 8), struct('bad\nname', 4), struct('cafe', 4)]);
    const t = new SymbolIndex([a]);
    assert.equal(t.size, 3); // int, café_state, cafe
    assert.deepEqual(t.search('caf', 10).map((m) => [m.group.name, m.tier]), [['cafe', 0], ['café_state', 0]]);
    assert.deepEqual(t.search('state', 10).map((m) => [m.group.name, m.tier]), [['café_state', 1]]);
    assert.deepEqual(t.search('name', 10), []);
  });

  test('identical types in many files are one group; a different shape is another; tiers rank first', () => {
    const files = ['m1.btf', 'm2.btf', 'm3.btf'].map((l, i) => file(l, [INT, struct('conn', 16), struct(i === 2 ? 'conn_stats' : 'xconn', 8 + i)]));
    files.push(file('m4.btf', [INT, struct('conn', 24)]));
    const t = new SymbolIndex(files);
    const r = t.search('conn', 10);
    assert.deepEqual(r.map((m) => [m.tier, m.group.name, m.group.files.map((f) => f.label), m.group.ids]), [
      [0, 'conn', ['m1.btf', 'm2.btf', 'm3.btf'], [2, 2, 2]],
      [0, 'conn', ['m4.btf'], [2]],
      [0, 'conn_stats', ['m3.btf'], [3]],
      [2, 'xconn', ['m1.btf'], [3]],
      [2, 'xconn', ['m2.btf'], [3]],
    ]);
    // Kinds filter; fuzzy after everything else.
    assert.deepEqual(t.search('int', 10, new Set([Kind.INT])).map((m) => [m.group.name, m.group.files.length]), [['int', 4]]);
    assert.deepEqual(t.search('cnst', 10).map((m) => [m.tier, m.group.name]), [[3, 'conn_stats']]);
  });
});
