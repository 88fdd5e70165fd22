// Struct layout against pahole (dwarves 1.24, `pahole -F btf`): committed `pahole -C` goldens for a
// sample of vmlinux-6.1 structs (test/golden/layout/regen.sh), and every named struct of vmlinux-6.1
// and /sys/kernel/btf/vmlinux where pahole is installed. What is compared: test/helpers/pahole.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import { findStructs, formatLayout, layoutCycle, layoutSummary, structLayout } from '../../server/src/core/format/layout';
import { openBtfBytes } from '../../server/src/core/input';
import { buildBtf } from '../helpers/btf-builder';
import { cliPath, fixtureObj, golden, hasCorpus, sharedCorpus, sysVmlinux } from '../helpers/paths';
import { firstDifference, judgedLines, paholeBlocks } from '../helpers/pahole';

const hasPahole = spawnSync('sh', ['-c', 'command -v pahole']).status === 0;
const hasSys = existsSync(sysVmlinux);

describe('layout: pahole -C goldens (vmlinux-6.1 sample)', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  const btf = hasCorpus ? Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf'))) : undefined;
  const goldens = readdirSync(join(golden, 'layout')).filter((f) => f.endsWith('.txt'));
  it('has ~40 goldens', () => assert.ok(goldens.length >= 40, `${goldens.length}`));
  for (const g of goldens) {
    const name = g.replace(/\.txt$/, '');
    it(name, () => {
      const [block] = paholeBlocks(readFileSync(join(golden, 'layout', g), 'utf8'));
      assert.ok(block, 'golden has a struct');
      const ids = findStructs(btf!, name);
      assert.ok(ids.length > 0, `no struct ${name}`);
      const want = judgedLines(block.lines);
      // `pahole -C NAME` starts with no packed inferences: a fresh map per listing.
      const diffs = ids.map((id) => firstDifference(judgedLines(formatLayout(btf!, id)!.split('\n')), want));
      assert.ok(diffs.some((d) => d === undefined), diffs.join('\n'));
      // The figures in the model are the ones printed.
      const l = structLayout(btf!, ids[diffs.indexOf(undefined)]!)!;
      assert.deepEqual(layoutSummary(l).map((x) => `\t${x}`), block.lines.filter((x) => /^\t\/\* (size|sum|padding|paddings|bit_padding|forced|last cacheline)[: ]/.test(x)));
    });
  }
});

/** Every struct `pahole -F btf FILE` prints (one run, its packed inferences shared) against ours. */
function everyStruct(file: string): void {
  const btf = Btf.parse(readFileSync(file));
  const r = spawnSync('pahole', ['-F', 'btf', file], { maxBuffer: 1 << 28, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const theirs = paholeBlocks(r.stdout);
  const byName = new Map<string, number[]>();
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.STRUCT || btf.nameOff(id) === 0) continue;
    const n = btf.name(id);
    byName.set(n, [...(byName.get(n) ?? []), id]);
  }
  // pahole prints one struct per name unless their layouts differ: every struct it prints must be
  // one of ours, and it must print every name.
  assert.deepEqual(new Set(theirs.map((b) => b.name)), new Set(byName.keys()));
  const packing = new Map<number, boolean>();
  const bad: string[] = [];
  for (const b of theirs) {
    const want = judgedLines(b.lines);
    const diffs = byName.get(b.name)!.map((id) => firstDifference(judgedLines(formatLayout(btf, id, { packing })!.split('\n')), want));
    if (!diffs.includes(undefined)) bad.push(`struct ${b.name}: ${diffs[0]}`);
  }
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${theirs.length} structs differ from pahole`);
}

describe('layout: every named struct of vmlinux equals pahole -F btf', { skip: hasPahole ? false : 'pahole is not installed (apt-get install dwarves)' }, () => {
  it('vmlinux-6.1', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => everyStruct(join(sharedCorpus, 'vmlinux-6.1.btf')));
  it(sysVmlinux, { skip: hasSys ? false : `no ${sysVmlinux}` }, () => everyStruct(sysVmlinux));
});

// test/golden/pahole/types.bpfel.o.txt: `pahole -F btf obj/types.bpfel.o` (test/fixtures/build.sh).
describe('layout: fixtures against pahole -F btf (test/golden/pahole)', () => {
  const btf = openBtfBytes(readFileSync(join(fixtureObj, 'types.bpfel.o')), { file: 'types.bpfel.o' }).btf!;
  const blocks: { kind: 'struct' | 'union'; name: string; lines: string[] }[] = [];
  for (const line of readFileSync(join(golden, 'pahole/types.bpfel.o.txt'), 'utf8').split('\n')) {
    const m = /^(struct|union) (\S+) \{$/.exec(line);
    if (m) blocks.push({ kind: m[1] as 'struct' | 'union', name: m[2]!, lines: [] });
    const cur = blocks[blocks.length - 1];
    if (cur && (m || cur.lines[cur.lines.length - 1]?.startsWith('}') === false)) cur.lines.push(line);
  }
  const block = (name: string) => blocks.find((x) => x.name === name)!;
  /** pahole's `/* OFFSET[:BIT] SIZE *\/` member comments as [name, byte offset, bit offset, size]. */
  const memberComments = (lines: string[]) => lines.flatMap((l) => {
    const m = /^\t\S.*?(\w+)(?:\[\d*\])*(?::\d+)?;\s+\/\*\s+(\d+)(?::\s*(\d+))?\s+(\d+) \*\/$/.exec(l);
    return m ? [[m[1]!, Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), Number(m[4])]] : [];
  });
  const summary = (lines: string[]) => lines.filter((l) => /^\t\/\* (size|sum|padding|bit_padding|last cacheline|paddings|bit holes|holes|member types|BRAIN FART)/.test(l)).map((l) => l.trim());

  it('the golden lists the structs and unions that have a layout, in ID order', () => {
    const ours: string[] = [];
    for (let id = 1; id < btf.typeCount; id++) {
      if (btf.name(id) === '') continue;
      const l = structLayout(btf, id);
      if (l) ours.push(`${l.kind} ${btf.name(id)}`);
    }
    assert.ok(blocks.length >= 10, `${blocks.length} blocks`);
    assert.deepEqual(ours, blocks.map((x) => `${x.kind} ${x.name}`));
  });
  it('bitfields: storage units, bit holes, padding, bit padding (pahole -C zoo_bits)', () => {
    const [id] = findStructs(btf, 'zoo_bits');
    const l = structLayout(btf, id!)!;
    const want = block('zoo_bits').lines;
    assert.deepEqual(layoutSummary(l), summary(want));
    assert.deepEqual(l.members.map((m) => [m.name, m.byteOffset, m.bitfieldSize ? m.bitfieldOffset : undefined, m.size]), memberComments(want));
    assert.ok(summary(want).includes('/* bit_padding: 7 bits */'), 'the golden has the cases this test is for');
  });
  it('every struct listing, line by line as far as we claim pahole\'s text (helpers/pahole.ts judgedLines)', () => {
    for (const x of blocks.filter((b) => b.kind === 'struct')) {
      const [id] = findStructs(btf, x.name);
      assert.equal(firstDifference(judgedLines(formatLayout(btf, id!)!.split('\n')), judgedLines(x.lines)), undefined, `struct ${x.name}`);
    }
  });
  it('packed: libbpf\'s flag (layout.packed) is where pahole infers __packed__ (zoo_packed only)', () => {
    const structs = blocks.filter((b) => b.kind === 'struct');
    const ours = structs.filter((b) => structLayout(btf, findStructs(btf, b.name)[0]!)!.packed).map((b) => b.name);
    assert.deepEqual(ours, structs.filter((b) => b.lines.at(-1) === '} __attribute__((__packed__));').map((b) => b.name));
    assert.deepEqual(ours, ['zoo_packed']);
  });
  it('unions: members as pahole lists them', () => {
    for (const x of blocks.filter((b) => b.kind === 'union')) {
      const u = structLayout(btf, findStructs(btf, x.name, true)[0]!)!;
      assert.equal(u.kind, 'union');
      assert.deepEqual(u.members.map((m) => [m.name, m.byteOffset, m.bitfieldSize ? m.bitfieldOffset : undefined, m.size]), memberComments(x.lines), `union ${x.name}`);
    }
  });
  it('unions: the whole listing (pahole 1.24 prints no summary after a top-level union)', () => {
    for (const x of blocks.filter((b) => b.kind === 'union')) {
      const [id] = findStructs(btf, x.name, true);
      assert.equal(firstDifference(judgedLines(formatLayout(btf, id!)!.split('\n')), judgedLines(x.lines)), undefined, `union ${x.name}`);
    }
  });
});

describe('layout: hostile BTF ends without throwing', () => {
  it('a struct embedding itself, members of types out of range', () => {
    const { bytes } = buildBtf([
      { name: 'a', kind: Kind.STRUCT, vlen: 2, third: 16, extra: [0, 1, 0, 0, 99, 64] }, // 1: struct a { struct a; <99>; }
      { kind: Kind.ARRAY, third: 0, extra: [2, 2, 3] }, // 2: array of itself
      { name: 'b', kind: Kind.UNION, vlen: 1, third: 8, extra: [0, 2, 0] }, // 3
    ]);
    const btf = Btf.parse(bytes);
    for (let id = 0; id < 5; id++) {
      formatLayout(btf, id);
      const l = structLayout(btf, id);
      if (l) layoutSummary(l);
    }
    assert.equal(structLayout(btf, 1)!.size, 16);
  });
});

// pahole on the same files: the self-embedding ones print with wrong paddings (65532) and its own
// "BRAIN FART ALERT! 8 bytes != 12 (member bytes)…", exit 0; the typedef/const loops never end; the
// anonymous ones nest without end. BTF Lens refuses them: one problem at the struct's btf_type, exit 1.
describe('layout: a struct that contains itself has no layout', () => {
  const INT = { name: 'int', kind: Kind.INT, third: 4, extra: [(1 << 24) | 32] };
  // struct S { int a; <member b of type 3>; } at ID 2, then the case's own types from ID 3
  const S = (b: number, size = 8) => ({ name: 'S', kind: Kind.STRUCT, vlen: 2, third: size, extra: [0, 1, 0, 0, b, 32] });
  const cases: [string, object[], string][] = [
    ['S embeds S', [INT, S(2)], '[2] struct S contains itself (S.b): a type of infinite size, no layout'],
    ['through a typedef', [INT, S(3), { name: 'T', kind: Kind.TYPEDEF, third: 2 }], '[2] struct S contains itself (S.b): a type of infinite size, no layout'],
    ['through an array', [INT, S(3), { kind: Kind.ARRAY, third: 0, extra: [2, 1, 2] }], '[2] struct S contains itself (S.b): a type of infinite size, no layout'],
    ['through another struct', [INT, S(3), { name: 'U', kind: Kind.STRUCT, vlen: 2, third: 8, extra: [0, 1, 0, 0, 2, 32] }],
      '[2] struct S contains itself (S.b → U.b): a type of infinite size, no layout'],
    ['an anonymous member that contains itself', [INT, S(3), { kind: Kind.STRUCT, vlen: 2, third: 8, extra: [0, 1, 0, 0, 3, 32] }],
      '[2] struct S: struct (anonymous) contains itself ((anonymous).b): a type of infinite size, no layout'],
    ['an anonymous member that points to itself', [INT, S(3, 16), { kind: Kind.STRUCT, vlen: 2, third: 16, extra: [0, 1, 0, 0, 4, 64] }, { kind: Kind.PTR, third: 3 }],
      '[2] struct S: struct (anonymous) contains itself ((anonymous).b): a type of infinite size, no layout'],
    ['a typedef of itself', [INT, S(3), { name: 'T', kind: Kind.TYPEDEF, third: 3 }], '[2] struct S: the type of member S.b is a loop of typedefs or modifiers; no layout'],
    ['a const of itself', [INT, S(3), { kind: Kind.CONST, third: 3 }], '[2] struct S: the type of member S.b is a loop of typedefs or modifiers; no layout'],
  ];
  const build = (types: object[]) => {
    const all = [...types, { name: 'a', kind: Kind.TYPEDEF, third: 1 }, { name: 'b', kind: Kind.TYPEDEF, third: 1 }] as Parameters<typeof buildBtf>[0];
    const { strOff } = buildBtf(all);
    for (const t of all) if (t.kind === Kind.STRUCT) { t.extra![0] = strOff('a'); t.extra![3] = strOff('b'); }
    return buildBtf(all).bytes;
  };
  const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-layout-'));
  for (const [what, types, message] of cases) {
    it(`${what}: exit 1, one line at the struct's offset, no listing`, () => {
      const f = join(tmp, 'cycle.btf');
      writeFileSync(f, build(types));
      const r = spawnSync(process.execPath, [cliPath, 'layout', f, 'S'], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `btf-lens: ${f}: offset 40 (0x28): ${message}\n`); // 24-byte header, 16-byte int
    });
  }
  it('no struct of vmlinux is taken for one', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const btf = Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf')));
    for (let id = 1; id < btf.typeCount; id++) {
      if (btf.kind(id) === Kind.STRUCT || btf.kind(id) === Kind.UNION) assert.equal(layoutCycle(btf, id), undefined, `[${id}]`);
    }
  });
});
