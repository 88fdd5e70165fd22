// Compares `btf-lens gen min-core-btf` (minCoreBtf, what the CLI writes) with `bpftool gen min_core_btf`
// byte for byte, for every BPF object given against every target given (one object per run, and with --all
// every object at once per target). Both failing counts as agreement.
//
// Usage:
//   nice npx tsx scripts/check-min-core-btf.ts [--bpftool PATH] [--all] [--show N] --target T.btf... OBJ.o|DIR...
// --target: vmlinux BTF files (raw or ELF); repeat. Objects: files, or directories (every *.o in them, e.g.
//   the kernel selftests built by test/fixtures/selftests.sh, or libbpf-tools' .bpf.o).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openBtfBytes } from '../server/src/core/input';
import { minCoreBtf } from '../server/src/core/write/min-core-btf';

const args = process.argv.slice(2);
let bpftool = 'bpftool';
let show = 5;
let all = false;
const targets: string[] = [];
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--bpftool') bpftool = args[++i]!;
  else if (a === '--target') targets.push(args[++i]!);
  else if (a === '--show') show = Number(args[++i]);
  else if (a === '--all') all = true;
  else inputs.push(a);
}
if (!targets.length || !inputs.length) {
  console.error('usage: check-min-core-btf.ts [--bpftool PATH] [--all] [--show N] --target T.btf... OBJ.o|DIR...');
  process.exit(2);
}
const objects: string[] = [];
for (const p of inputs) {
  if (statSync(p).isDirectory()) for (const f of readdirSync(p).filter((x) => x.endsWith('.o')).sort()) objects.push(join(p, f));
  else objects.push(p);
}

const tmp = mkdtempSync(join(tmpdir(), 'min-core-btf-'));
const opened = new Map<string, ReturnType<typeof openBtfBytes>>();
const open = (f: string) => {
  let i = opened.get(f);
  if (!i) opened.set(f, (i = openBtfBytes(new Uint8Array(readFileSync(f)), { file: f })));
  return i;
};
let same = 0, bothFail = 0, bpftoolMs = 0, oursMs = 0;
const diffs: string[] = [];

function check(target: string, objs: string[], label: string): void {
  const out = join(tmp, 'out.btf');
  rmSync(out, { force: true });
  let t0 = performance.now();
  const r = spawnSync(bpftool, ['gen', 'min_core_btf', target, out, ...objs], { encoding: 'utf8' });
  bpftoolMs += performance.now() - t0;
  const theirs = r.status === 0 && existsSync(out) ? readFileSync(out) : undefined;
  const tb = open(target).btf!;
  t0 = performance.now();
  const ours = minCoreBtf(tb, objs.map((o) => ({ file: o, input: open(o) })));
  oursMs += performance.now() - t0;
  if (!theirs && ours.error !== undefined) bothFail++;
  else if (theirs && ours.bytes && Buffer.from(ours.bytes).equals(theirs)) same++;
  else diffs.push(`${label} vs ${basename(target)}: bpftool ${theirs ? `${theirs.length} bytes` : `fails: ${r.stderr.trim().split('\n').pop()}`}; ours ${ours.bytes ? `${ours.bytes.length} bytes` : `fails: ${ours.error}`}`);
}

for (const t of targets) {
  if (!open(t).btf?.ok) {
    console.error(`${t}: no usable BTF`);
    process.exit(2);
  }
  for (const o of objects) check(t, [o], basename(o));
  if (all && objects.length > 1) check(t, objects, `all ${objects.length} objects`);
}
rmSync(tmp, { recursive: true, force: true });
console.log(`${same} identical, ${bothFail} failing in both, ${diffs.length} different (bpftool ${(bpftoolMs / 1000).toFixed(1)} s, ours in-process ${(oursMs / 1000).toFixed(1)} s)`);
for (const d of diffs.slice(0, show)) console.log(`  ${d}`);
process.exit(diffs.length ? 1 : 0);
