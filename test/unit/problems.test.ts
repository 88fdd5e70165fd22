// The problem sink's cap: a hostile file cannot grow the list without bound, and the list says how many it dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProblemSink, formatProblem } from '../../server/src/core/util/problems';

describe('ProblemSink cap', () => {
  it('keeps the first 1000 problems and counts the rest in one last problem', () => {
    const sink = new ProblemSink(0x100);
    for (let i = 0; i < 1000; i++) sink.warn(i, `w${i}`);
    assert.equal(sink.problems.length, 1000);
    assert.equal(sink.problems.some((p) => p.code === 'too-many-problems'), false, 'at the cap, nothing is dropped yet');
    const view = sink.at(0x1000);
    view.warn(4, 'dropped 1');
    for (let i = 0; i < 1233; i++) sink.warn(i, 'dropped');
    assert.equal(sink.problems.length, 1001);
    const last = sink.problems[1000]!;
    assert.equal(last.code, 'too-many-problems');
    assert.equal(formatProblem(last, 'f.o'), 'f.o: offset 4356 (0x1104): 1234 more problems not shown (only the first 1000 are kept)');
    assert.equal(last.severity, 'warning');
    assert.equal(sink.hasErrors, false);
    sink.error(0, 'a dropped error');
    assert.equal(last.severity, 'error', 'a dropped error still makes the input fail');
    assert.equal(sink.hasErrors, true);
    assert.equal(sink.problems.length, 1001);
  });
  it('says "1 more problem" for one', () => {
    const sink = new ProblemSink(0, 2);
    sink.error(0, 'a');
    sink.error(1, 'b');
    sink.error(2, 'c');
    assert.deepEqual(sink.problems.map((p) => p.message), ['a', 'b', '1 more problem not shown (only the first 2 are kept)']);
  });
});
