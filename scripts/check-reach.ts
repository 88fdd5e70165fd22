// Compares reach.ts's "this program fails to load because the verifier reaches a poisoned CO-RE insn"
// with what the running kernel does, per program: test/fixtures/core-targets/reach_oracle loads each
// program of each object on its own (libbpf 1.1 relocating against the running kernel's BTF) and says
// whether it loaded, was rejected at a poisoned CO-RE insn, or failed for another reason.
//
// Usage (root: the oracle calls bpf()):
//   nice npx tsx scripts/check-reach.ts [--oracle PATH] [--target /sys/kernel/btf/vmlinux] [--show N] [--list] OBJ.o|DIR...
// --list: one line per comparable program with poisoned relocations (object, program, kernel, prediction).
// Build the oracle: gcc -O2 -o /tmp/reach_oracle test/fixtures/core-targets/reach_oracle.c -lbpf
//
// Comparable programs: those the kernel loads, and those it rejects at a poisoned CO-RE insn. Excluded (and
// counted by reason): poisoned map references, failures inside libbpf before the kernel (CO-RE errors,
// maps, attach targets), verifier rejections for anything else, objects libbpf cannot open.
// A "fails" prediction the kernel contradicts is conservative (the kernel is path-sensitive, we are not);
// a "loads" prediction it contradicts is a bug: both are listed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { markReachability, programsFailingAtPoison } from '../server/src/core/core-relo/reach';
import { openCoreTarget, resolveCoreRelocations } from '../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../server/src/core/input';

const args = process.argv.slice(2);
let oracle = '/tmp/reach_oracle';
let targetPath = '/sys/kernel/btf/vmlinux';
let show = 10;
let list = false;
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--oracle') oracle = args[++i]!;
  else if (a === '--target') targetPath = args[++i]!;
  else if (a === '--show') show = Number(args[++i]);
  else if (a === '--list') list = true;
  else inputs.push(a);
}
if (!existsSync(oracle)) {
  console.error(`check-reach: no oracle at ${oracle} (gcc -O2 -o ${oracle} test/fixtures/core-targets/reach_oracle.c -lbpf)`);
  process.exit(2);
}
const objects: string[] = [];
for (const p of inputs) {
  if (statSync(p).isDirectory()) {
    for (const f of readdirSync(p).sort()) if (f.endsWith('.o')) objects.push(join(p, f));
  } else objects.push(p);
}
const { target } = openCoreTarget(readFileSync(targetPath), [], targetPath);

/** One program's kernel verdict, from the oracle's line. */
type Verdict = 'loads' | 'poisoned-core' | 'poisoned-map' | 'libbpf' | 'verifier' | 'open';

const count = new Map<string, number>();
const bump = (k: string, n = 1) => count.set(k, (count.get(k) ?? 0) + n);
const lists = new Map<string, string[]>();
const note = (k: string, s: string) => {
  const l = lists.get(k) ?? [];
  l.push(s);
  lists.set(k, l);
};

for (const path of objects) {
  const run = spawnSync(oracle, [path], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const lines = (run.stdout ?? '').split('\n').filter(Boolean);
  if (run.status !== 0 || lines.some((l) => l.startsWith('RESULT open failed'))) {
    bump('excluded: object does not open / oracle failed');
    continue;
  }
  const verdicts = new Map<string, Verdict>();
  const rejectedAt = new Map<string, { insn: number; spec: string }>();
  for (const l of lines) {
    const m = /^prog (\S+): (loads|poisoned-core|poisoned-map|libbpf|verifier)(?: at insn (\d+): (.*))?/.exec(l);
    if (m) verdicts.set(m[1]!, m[2] as Verdict);
    if (m?.[3]) rejectedAt.set(m[1]!, { insn: Number(m[3]), spec: m[4]! });
  }
  const obj = openBtfBytes(readFileSync(path), { file: path });
  const res = resolveCoreRelocations(obj, target);
  const ctx = res.reach;
  const predicted = ctx ? programsFailingAtPoison(ctx, res.relocations) : new Map<string, boolean>();
  for (const [name, v] of verdicts) {
    bump('programs');
    if (v !== 'loads' && v !== 'poisoned-core') {
      bump(`excluded: ${v === 'verifier' ? 'verifier rejects for another reason' : v === 'libbpf' ? 'fails in libbpf before the kernel' : 'poisoned map reference'}`);
      continue;
    }
    const predictFail = predicted.get(name) ?? false;
    const hasPoison = res.relocations.some((r) => r.outcome === 'poisoned' && (r.prog === name || ctx?.programs?.find((p) => p.name === r.prog)?.subprog));
    const kernelFail = v === 'poisoned-core';
    const key = `${hasPoison ? 'with' : 'without'} poisoned relocations`;
    bump(`comparable ${key}`);
    const label = `${basename(path)}:${name}`;
    // the relocation the kernel rejected must be one we call reachable from this program
    const rej = rejectedAt.get(name);
    if (kernelFail && rej && ctx) {
      const main = ctx.programs?.find((p) => p.name === name && !p.subprog);
      const copies = res.relocations.map((r) => ({ ...r }));
      markReachability(ctx, copies, (p) => p === main);
      const inMain = main !== undefined && rej.insn < main.insnCnt;
      const cands = copies.filter((r) => r.outcome === 'poisoned' && r.spec === rej.spec &&
        (inMain ? r.prog === name && (r.poisoned ?? []).includes(rej.insn) : r.prog !== name));
      if (cands.some((r) => r.reachable)) bump('rejected insn: one we call reachable');
      else if (cands.length) {
        bump('rejected insn: one we call UNREACHABLE (BUG)');
        note('bug', `${label}@${rej.insn}`);
      } else bump('rejected insn: not found among our poisoned relocations');
    }
    if (list && hasPoison) console.log(`${basename(path)} ${name} kernel=${v} predicted=${predictFail ? 'poisoned-core' : 'loads'}`);
    if (predictFail === kernelFail) {
      bump(`  identical (${key}): ${kernelFail ? 'fails' : 'loads'}`);
    } else if (predictFail) {
      bump(`  DIFFERENT (${key}): we say fails, kernel loads (conservative)`);
      note('conservative', label);
    } else {
      bump(`  DIFFERENT (${key}): we say loads, kernel rejects a poisoned insn (BUG)`);
      note('bug', label);
    }
  }
}
for (const [k, n] of [...count].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`${String(n).padStart(6)}  ${k}`);
for (const [k, l] of lists) console.log(`${k}: ${l.slice(0, show).join(' ')}${l.length > show ? ` … (${l.length})` : ''}`);
