// `btf-lens diff` against scripts/diff-reference.py, an independent oracle that reads bpftool's JSON
// (test/golden/diff/, written by test/fixtures/diff/build.sh): two builds of one object (every
// category), pahole's re-encoding of them (ENUM64), a module split on each build, and the two kernels
// of ../shared/corpus (skipped without them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { diffBtf, diffJson } from '../../server/src/core/diff/index';
import { openBtfBytes } from '../../server/src/core/input';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { XzReadableStream } from 'xz-decompress';
import { cliPath, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

const fixtures = join(repoRoot, 'test/fixtures/diff');
const expected = (name: string) => JSON.parse(readFileSync(join(golden, 'diff', name), 'utf8'));

function load(file: string, base?: Btf): Btf {
  const input = openBtfBytes(readFileSync(join(fixtures, file)), { file, base });
  assert.ok(input.btf, `${file}: no BTF`);
  return input.btf;
}

function ours(oldFile: string, newFile: string, bases?: [string, string]) {
  const [a, b] = bases ? [load(oldFile, load(bases[0])), load(newFile, load(bases[1]))] : [load(oldFile), load(newFile)];
  return JSON.parse(JSON.stringify(diffJson(diffBtf(a, b, { oldName: oldFile, newName: newFile }))));
}

describe('diff: the reference script on bpftool JSON agrees', () => {
  it('two builds of one object (clang): every category', () => {
    const got = ours('old.bpf.o', 'new.bpf.o');
    assert.deepEqual(got, expected('objects.json'));
    // The fixture covers every category of the README but ENUM64's (pahole.json has it).
    const seen = new Set(got.changes.flatMap((c: { details: { what: string }[] }) => c.details.map((d) => d.what)));
    for (const what of ['size changed', 'field added', 'field removed', 'field type changed', 'field moved', 'field renamed',
      'bitfield changed', 'param added', 'param removed', 'param reordered', 'param type changed', 'param renamed',
      'return type changed', 'linkage changed', 'value added', 'value removed', 'value changed', 'target changed', 'type changed']) {
      assert.ok(seen.has(what), `no '${what}' in the fixture`);
    }
  });
  it('the same two the other way round', () => {
    assert.deepEqual(ours('new.bpf.o', 'old.bpf.o'), expected('reverse.json'));
  });
  it('pahole\'s raw BTF of the two builds (ENUM64, static functions)', () => {
    const got = ours('old.btf', 'new.btf');
    assert.deepEqual(got, expected('pahole.json'));
    assert.ok(got.changes.some((c: { kind: string; change: string }) => c.kind === 'ENUM64' && c.change === 'changed'));
  });
  it('a module split on each build: its own types only', () => {
    assert.deepEqual(ours('mod-old.btf', 'mod-new.btf', ['old.btf', 'new.btf']), expected('module.json'));
  });
  it('same-named functions and structs (bpftool gen object): equal ones paired first, not by ID order', () => {
    assert.deepEqual(ours('dups-old.bpf.o', 'dups-new.bpf.o'), expected('dups.json'));
  });
  it('a type diffed with itself: nothing', () => {
    const a = load('old.bpf.o');
    assert.deepEqual(diffBtf(a, load('old.bpf.o')).changes, []);
  });
});

describe('diff: bad input is normal input', () => {
  // Raw BTF (old.btf) with bytes of its type section flipped, and cut short: every view of it is diffed
  // both ways against the intact one and itself. Must not throw; hostile loops end at the bounds.
  const good = readFileSync(join(fixtures, 'old.btf'));
  const intact = load('old.btf');
  const variants = (): Uint8Array[] => {
    const out: Uint8Array[] = [];
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8);
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(good);
      for (let k = 0; k < 1 + (i % 4); k++) b[24 + (rnd() % (b.length - 24))] = rnd() & 0xff;
      out.push(b);
    }
    for (let n = 24; n < good.length; n += 13) out.push(good.subarray(0, n));
    return out;
  };
  it('flipped and truncated type sections, both ways, no throw', () => {
    for (const bytes of variants()) {
      const bad = openBtfBytes(bytes, { file: 'bad.btf' }).btf;
      if (!bad) continue;
      diffBtf(intact, bad);
      diffBtf(bad, intact);
      diffBtf(bad, bad);
    }
  });
  it('a prototype that takes a pointer to itself, a struct that holds itself: bounded', () => {
    // Hand-made hostile BTF: a prototype whose parameter points back at it, and an anonymous struct whose only
    // (unnamed) member is itself, by value — what no compiler emits.
    const b = new BtfBuilder();
    const int = b.addInt('int', 4); // [1]
    const ptr = b.addPtr(3); // [2] -> [3]
    b.addFuncProto(int); // [3] int (int (*a)(...))
    b.addParam('a', ptr);
    b.addFunc('f', 3, 'global'); // [4]
    b.addStruct('s', 4, [{ name: '', type: 6, bitOffset: 0 }]); // [5] s { [6] }
    b.addStruct('', 4, [{ name: '', type: 6, bitOffset: 0 }]); // [6] struct { [6] }
    const bytes = b.bytes();
    const hostile = Btf.parse(bytes);
    assert.equal(hostile.problems.filter((p) => p.severity === 'error').length, 0);
    assert.deepEqual(diffBtf(hostile, hostile).changes, []);
    const d = diffBtf(intact, hostile);
    assert.ok(d.changes.some((c) => c.kind === 'STRUCT' && c.name === 's' && c.change === 'added'));
  });
});

describe('diff: the Debian 6.1 kernel against 6.18', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  it('every named struct, union, enum, typedef, func and var as the reference finds it', async () => {
    const old = Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf')));
    const neu = Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.18.btf')));
    const got = diffJson(diffBtf(old, neu, { oldName: 'vmlinux-6.1.btf', newName: 'vmlinux-6.18.btf' }));
    const xz = readFileSync(join(golden, 'diff/vmlinux-6.1-6.18.json.xz'));
    // JSON, not an input of ours: the opener's decompression would refuse it (neither ELF nor BTF).
    const want = JSON.parse(await new Response(new XzReadableStream(new Blob([xz]).stream())).text());
    assert.deepEqual(want.summary, got.summary);
    // Entry by entry: a failure names the type rather than a 7 MB object (text first: 53,000 deepEquals are slow).
    for (let i = 0; i < want.changes.length; i++) {
      if (JSON.stringify(got.changes[i]) !== JSON.stringify(want.changes[i])) assert.deepEqual(got.changes[i], want.changes[i], `entry ${i}`);
    }
    assert.equal(got.changes.length, want.changes.length);
  });
});

describe('diff: the CLI', { skip: existsSync(cliPath) ? false : `${cliPath} not built (npm run build)` }, () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, 'diff', ...args], { encoding: 'utf8', cwd: fixtures });
  it('--format json is the schema, with the file names as given', () => {
    const r = run('old.bpf.o', 'new.bpf.o', '--format', 'json');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expected('objects.json'));
  });
  it('--base-old/--base-new: a module on each build', () => {
    const r = run('mod-old.btf', 'mod-new.btf', '--base-old', 'old.btf', '--base-new', 'new.btf', '--format', 'json');
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expected('module.json'));
  });
  it('text: grouped by kind, one line per change, C on both sides', () => {
    const r = run('mod-old.btf', 'mod-new.btf', '--base-old', 'old.btf', '--base-new', 'new.btf');
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, [
      '--- mod-old.btf', '+++ mod-new.btf', '',
      'STRUCT: 1 changed', '~ struct mod_state', '    size changed: 16 bytes -> 24 bytes', '    field type changed: count: int -> long',
      '    field added: flags: unsigned int', '',
      'ENUM: 1 changed', '~ enum mod_mode', '    value added: MOD_AUTO: 2', '',
      'FUNC: 1 changed', '~ func mod_work', '    param added: flags: int', '',
      '3 changed, 0 added, 0 removed', ''].join('\n'));
  });
  it('exit status as diff(1): 0 the same, 1 they differ', () => {
    const same = run('old.bpf.o', 'old.bpf.o');
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /0 changed, 0 added, 0 removed/);
    assert.equal(run('old.bpf.o', 'new.bpf.o').status, 1);
  });
  it('a split BTF without its base, a missing file: one line, exit 2 (diff(1)\'s trouble)', () => {
    const r = run('mod-old.btf', 'nothing-here.btf');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^btf-lens: .*\n$/);
    const m = run('mod-old.btf', 'mod-new.btf', '--base-new', 'new.btf');
    assert.equal(m.status, 2);
    assert.equal(m.stdout, '', 'no diff of a split BTF without its base');
    assert.match(m.stderr, /mod-old\.btf: offset 0 \(0x0\): this is split BTF/);
    const s = run('old.bpf.o');
    assert.equal(s.status, 2);
    assert.match(s.stderr, /diff: expects OLD and NEW/);
  });
});
