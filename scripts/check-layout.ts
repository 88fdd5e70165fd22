// Compares `btf-lens layout` (in-process formatLayout) with `pahole -F btf FILE` for every named
// struct pahole prints (one pahole run for the whole file, a shared packed-inference state as pahole's).
// Usage: nice npx tsx scripts/check-layout.ts FILE [--text] [--show N]
// What is compared: see judgedLines in test/helpers/pahole.ts (every figure pahole prints, struct and
// union openings and closings whole, member names); --text: the whole listing with whitespace
// removed, member declarations too (not claimed: pahole spells types its own way).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Btf } from '../server/src/core/btf/btf';
import { Kind } from '../server/src/core/btf/kinds';
import { formatLayout } from '../server/src/core/format/layout';
import { firstDifference, judgedLines, paholeBlocks } from '../test/helpers/pahole';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a))!;
const text = args.includes('--text');
const showAt = args.indexOf('--show');
const show = showAt >= 0 ? Number(args[showAt + 1]) : 5;

const btf = Btf.parse(readFileSync(file));
const r = spawnSync('pahole', ['-F', 'btf', file], { maxBuffer: 1 << 30, encoding: 'utf8' });
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(2);
}

const byName = new Map<string, number[]>();
for (let id = 1; id < btf.typeCount; id++) {
  if (btf.kind(id) !== Kind.STRUCT || btf.nameOff(id) === 0) continue;
  const n = btf.name(id);
  byName.set(n, [...(byName.get(n) ?? []), id]);
}
const theirs = paholeBlocks(r.stdout);
// One pahole run prints every struct in turn, keeping its packed-attribute inferences: so do we.
const packing = new Map<number, boolean>();
let same = 0;
const bad: string[] = [];
const printed = new Set<string>();
for (const b of theirs) {
  printed.add(b.name);
  const want = judgedLines(b.lines, text);
  const ids = byName.get(b.name) ?? [];
  let why: string | undefined = 'no struct of that name';
  // pahole prints one struct per name unless their layouts differ: one of ours must match.
  for (const id of ids) {
    const d = firstDifference(judgedLines(formatLayout(btf, id, { packing })!.split('\n'), text), want);
    if (d === undefined) {
      why = undefined;
      break;
    }
    if (why === 'no struct of that name') why = d;
  }
  if (why === undefined) {
    same++;
    continue;
  }
  bad.push(b.name);
  if (bad.length <= show) console.log(`struct ${b.name} (ids ${ids.join(',') || 'none'}): ${why}`);
}
const missing = [...byName.keys()].filter((n) => !printed.has(n));
console.log(`${file}${text ? ' (--text)' : ''}: ${theirs.length} pahole structs (${byName.size} names), ${same} identical, ${bad.length} different${bad.length ? ': ' + bad.slice(0, 30).join(' ') : ''}; ${missing.length} names pahole did not print${missing.length ? ': ' + missing.slice(0, 10).join(' ') : ''}`);
process.exit(bad.length || missing.length ? 1 : 0);
