/** The Types tree model: paged top rows, nested expansion, positions, cycles. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TreeModel, type VisibleRow } from '../../client/webview/tree';
import type { EditorChild, EditorRow } from '../../server/src/protocol/requests';

const row = (id: number, hasChildren = true): EditorRow => ({ id, kind: 'STRUCT', name: `s${id}`, label: `struct s${id}`, vlen: 2, hasChildren, level: 0 });
const child = (name: string, typeId?: number, hasChildren = true): EditorChild => ({ name, typeId, hasChildren });
const describeRow = (r: VisibleRow | undefined) => (!r ? '-' : r.kind === 'top' ? `T${r.row?.id ?? '?'}` : `${'.'.repeat(r.depth)}${r.node.child.name}`);

function model(total = 1000, pageSize = 10): TreeModel {
  const m = new TreeModel(pageSize);
  m.reset(total);
  for (let p = 0; p < total / pageSize; p++) m.setPage(p, Array.from({ length: pageSize }, (_, i) => row(p * pageSize + i + 1)));
  return m;
}
const all = (m: TreeModel) => Array.from({ length: m.count }, (_, i) => describeRow(m.at(i)));

describe('webview: tree model', () => {
  test('top rows come from pages; missing pages are holes, not errors', () => {
    const m = new TreeModel(10);
    m.reset(126_610);
    m.setPage(0, Array.from({ length: 10 }, (_, i) => row(i + 1)));
    assert.equal(m.count, 126_610);
    assert.equal(describeRow(m.at(3)), 'T4');
    const far = m.at(126_609)!;
    assert.ok(far.kind === 'top' && far.index === 126_609 && far.row === undefined);
    assert.equal(m.at(126_610), undefined);
    assert.equal(m.hasPage(12_660), false);
  });

  test('expanding tops and members shifts the rows below; positions and parents follow', () => {
    const m = model(30);
    m.expand(1, [child('a', 100), child('b', 101, false)]); // T2
    m.expand(m.positionOfTop(4), [child('x', 200)]); // T5
    assert.deepEqual(all(m).slice(0, 10), ['T1', 'T2', '.a', '.b', 'T3', 'T4', 'T5', '.x', 'T6', 'T7']);
    m.expand(2, [child('a1', 300), child('a2', 301)]); // inside T2.a
    assert.deepEqual(all(m).slice(0, 9), ['T1', 'T2', '.a', '..a1', '..a2', '.b', 'T3', 'T4', 'T5']);
    assert.equal(m.count, 30 + 5);
    assert.equal(m.positionOfTop(4), 8);
    assert.equal(m.parentOf(4), 2);
    assert.equal(m.parentOf(2), 1);
    assert.equal(m.parentOf(1), -1);
    const a2 = m.at(4)!;
    assert.ok(a2.kind === 'child');
    assert.equal(m.positionOf(a2.node), 4);
    assert.equal(m.expandable(5), false, 'b has no children');
    m.collapse(2);
    assert.deepEqual(all(m).slice(0, 5), ['T1', 'T2', '.a', '.b', 'T3']);
    m.collapse(1);
    assert.deepEqual(all(m).slice(0, 6), ['T1', 'T2', 'T3', 'T4', 'T5', '.x']);
    assert.deepEqual(m.expandedIds(), [5]);
  });

  test('a member whose type is already on its path is a cycle: shown, not expandable', () => {
    const m = model(10);
    m.expand(0, [child('next', 50)]); // T1 → next: PTR [50]
    m.expand(1, [child('type', 1)]); // PTR [50] → struct s1, which is T1 itself
    const r = m.at(2)!;
    assert.ok(r.kind === 'child' && r.node.cycle);
    assert.equal(m.expandable(2), false);
    m.expand(2, [child('never', 7)]);
    assert.equal(m.count, 12, 'expanding a cycle does nothing');
    const m2 = model(10);
    m2.expand(0, [child('v', 0, false), child('n', undefined, false)]); // void and enumerators: no type
    assert.equal(m2.expandable(1), false);
    assert.equal(m2.expandable(2), false);
  });

  test('deep nesting stays consistent (sizes roll up)', () => {
    const m = model(5);
    let at = 0;
    for (let d = 0; d < 30; d++) {
      m.expand(at, [child(`l${d}`, 1000 + d), child(`sib${d}`, 2000 + d, false)]);
      at += 1;
    }
    assert.equal(m.count, 5 + 60);
    assert.equal(describeRow(m.at(30)), `${'.'.repeat(30)}l29`);
    assert.equal(describeRow(m.at(m.count - 5)), '.sib0');
    assert.equal(describeRow(m.at(m.count - 4)), 'T2');
    m.collapse(1); // l0 and everything under it
    assert.equal(m.count, 5 + 2);
  });
});
