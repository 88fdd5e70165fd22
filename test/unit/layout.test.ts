// Struct layout against pahole (dwarves 1.24, `pahole -F btf`): committed goldens for a sample of
// vmlinux-6.1 structs (test/golden/layout/regen.sh), and every named struct of vmlinux-6.1 where pahole
// is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import { findStructs, formatLayout, layoutSummary, structLayout } from '../../server/src/core/format/layout';
import { openBtfBytes } from '../../server/src/core/input';
import { buildBtf } from '../helpers/btf-builder';
import { fixtureObj, golden, hasCorpus, sharedCorpus } from '../helpers/paths';

const SUMMARY = /^\t\/\* (size:|sum members:|sum bitfield members:|padding:|paddings:|bit_padding:|forced alignments:|last cacheline:)/;

/** Splits pahole output into its top-level struct blocks. */
function paholeBlocks(text: string): { name: string; lines: string[] }[] {
  const out: { name: string; lines: string[] }[] = [];
  let cur: { name: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    const m = /^struct (\S+) \{$/.exec(line);
    if (m) {
      cur = { name: m[1]!, lines: [] };
      continue;
    }
    if (!cur) continue;
    cur.lines.push(line);
    if (line.startsWith('}')) {
      out.push(cur);
      cur = undefined;
    }
  }
  return out;
}
const summaryOf = (lines: string[]) => lines.filter((l) => SUMMARY.test(l)).map((l) => l.slice(1));
/** The figures a listing shows, in order: member offsets/sizes, holes, cacheline boundaries. */
const figuresOf = (lines: string[]) => lines.flatMap((l) => {
  const f = /\/\*\s+(\d+)(?::\s*(\d+))?\s+(\d+) \*\/$/.exec(l);
  if (f) return [`${f[1]}${f[2] !== undefined ? `:${f[2]}` : ''} ${f[3]}`];
  const x = /\/\* (XXX \d+ bits? hole|XXX \d+ bytes? hole|XXX last struct has \d+ bytes? of padding|--- cacheline \d+ boundary \(\d+ bytes\)(?: was \d+ bytes ago)? ---)/.exec(l);
  return x ? [x[1]!] : [];
});

describe('layout: pahole goldens (vmlinux-6.1 sample)', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  const btf = hasCorpus ? Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf'))) : undefined;
  const goldens = readdirSync(join(golden, 'layout')).filter((f) => f.endsWith('.txt'));
  it('has ~30 goldens', () => assert.ok(goldens.length >= 30, `${goldens.length}`));
  for (const g of goldens) {
    const name = g.replace(/\.txt$/, '');
    it(name, () => {
      const [block] = paholeBlocks(readFileSync(join(golden, 'layout', g), 'utf8'));
      assert.ok(block, 'golden has a struct');
      const ids = findStructs(btf!, name);
      assert.ok(ids.length > 0, `no struct ${name}`);
      const ours = ids.map((id) => layoutSummary(structLayout(btf!, id)!));
      assert.ok(ours.some((s) => s.join('\n') === summaryOf(block.lines).join('\n')),
        `summary differs:\n${summaryOf(block.lines).join('\n')}\n--- ours:\n${ours.map((s) => s.join('\n')).join('\n---\n')}`);
      const listing = formatLayout(btf!, ids[0]!)!.split('\n');
      assert.deepEqual(figuresOf(listing), figuresOf(block.lines));
      const closing = block.lines[block.lines.length - 1]!;
      const aligned = /__aligned__\((\d+)\)/.exec(closing);
      assert.equal(structLayout(btf!, ids[0]!)!.forcedAlignment, aligned ? Number(aligned[1]) : 0);
    });
  }
});

const hasPahole = spawnSync('sh', ['-c', 'command -v pahole']).status === 0;

describe('layout: every named struct of vmlinux-6.1 equals pahole', {
  skip: !hasCorpus ? `no corpus at ${sharedCorpus}` : !hasPahole ? 'pahole is not installed (apt-get install dwarves)' : false,
}, () => {
  it('summary figures and listings', () => {
    const file = join(sharedCorpus, 'vmlinux-6.1.btf');
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
    let named = 0;
    for (const ids of byName.values()) named += ids.length;
    // pahole prints one struct per name unless their layouts differ: every struct it prints must be
    // one of ours, and it must print every name.
    assert.ok(theirs.length >= byName.size && theirs.length <= named, `${theirs.length} blocks, ${byName.size} names, ${named} structs`);
    assert.deepEqual(new Set(theirs.map((b) => b.name)), new Set(byName.keys()));
    const bad: string[] = [];
    for (const b of theirs) {
      const summary = summaryOf(b.lines).join('\n');
      const figures = figuresOf(b.lines).join('\n');
      const ok = byName.get(b.name)!.some((id) => {
        const l = structLayout(btf, id)!;
        return layoutSummary(l).join('\n') === summary && figuresOf(formatLayout(btf, id)!.split('\n')).join('\n') === figures;
      });
      if (!ok) bad.push(b.name);
    }
    assert.deepEqual(bad, [], `${bad.length} of ${theirs.length} structs differ from pahole`);
  });
});

describe('layout: fixtures', () => {
  const btf = openBtfBytes(readFileSync(join(fixtureObj, 'types.bpfel.o')), { file: 'types.bpfel.o' }).btf!;
  it('bitfields: storage units, bit holes, padding, bit padding (pahole -C zoo_bits)', () => {
    const [id] = findStructs(btf, 'zoo_bits');
    const l = structLayout(btf, id!)!;
    assert.deepEqual(layoutSummary(l), [
      '/* size: 16, cachelines: 1, members: 9 */',
      '/* sum members: 2 */',
      '/* sum bitfield members: 68 bits, bit holes: 2, sum bit holes: 13 bits */',
      '/* padding: 3 */',
      '/* bit_padding: 7 bits */',
      '/* last cacheline: 16 bytes */',
    ]);
    assert.deepEqual(l.members.map((m) => [m.name, m.byteOffset, m.bitfieldOffset, m.size]), [
      ['a', 0, 0, 4], ['b', 0, 1, 4], ['c', 0, 4, 4], ['d', 2, 0, 1], ['e', 0, 18, 8],
      ['f', 8, 0, 2], ['col', 8, 16, 4], ['tp', 8, 20, 4], ['flag', 12, 0, 1],
    ]);
    assert.equal(l.alignment, 8);
  });
  it('a listing with offsets, holes and the summary', () => {
    const [id] = findStructs(btf, 'zoo_bits');
    const text = formatLayout(btf, id!)!;
    assert.match(text, /^struct zoo_bits \{\n\tunsigned int a:1;\s+\/\*     0: 0  4 \*\/\n/);
    assert.match(text, /\n\t\/\* XXX 6 bits hole, try to pack \*\/\n/);
    assert.match(text, /\n\t\/\* bit_padding: 7 bits \*\/\n\t\/\* last cacheline: 16 bytes \*\/\n\};\n$/);
  });
  it('packed structs and unions', () => {
    const p = structLayout(btf, findStructs(btf, 'zoo_packed')[0]!)!;
    assert.equal(p.packed, true);
    assert.equal(p.alignment, 1);
    assert.equal(p.holes, 0);
    const u = structLayout(btf, findStructs(btf, 'zoo_val', true)[0]!)!;
    assert.equal(u.kind, 'union');
    assert.deepEqual(layoutSummary(u), ['/* size: 8, cachelines: 1, members: 5 */', '/* last cacheline: 8 bytes */']);
  });
  it('other kinds have no layout', () => assert.equal(structLayout(btf, 1), btf.kind(1) === Kind.STRUCT || btf.kind(1) === Kind.UNION ? structLayout(btf, 1) : undefined));
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
