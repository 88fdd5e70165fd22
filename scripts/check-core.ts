// Compares `btf-lens core` (resolveCoreRelocations + coreLogLines, what the CLI prints) with libbpf 1.1's own
// log (core_oracle -q -M, reduced to the CO-RE relocation phase exactly as test/fixtures/core-targets/build.sh
// reduces it for the goldens), for every BPF object given against every target given.
//
// Usage (root: core_oracle calls bpf()):
//   nice npx tsx scripts/check-core.ts [--oracle PATH] [--pairs] [--show N] --target T.btf... OBJ.o|DIR...
// --target: vmlinux BTF (raw or ELF) files; repeat. Objects: files, or directories (every *.o in them).
// --pairs: also the kernel selftests' own pairing (prog_tests/core_reloc.c): each test_core_reloc_X.o in
//   a directory against each btf__core_reloc_X*.o beside it (the target BTF is that object's .BTF).
// Objects without CO-RE relocations are counted and skipped (libbpf logs nothing for them either).
// libbpf resolves ksym externs against the running kernel before CO-RE: when one is missing here (a test
// module's kfunc), the pair is compared on a copy whose undefined symbols are weak.
// Build the oracle: gcc -O2 -o /tmp/core_oracle ../shared/oracles/core_oracle.c -lbpf
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { coreLogLines, openCoreTarget, resolveCoreRelocations } from '../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../server/src/core/input';

const args = process.argv.slice(2);
let oracle = '/tmp/core_oracle';
let show = 3;
let pairs = false;
const targets: string[] = [];
const inputs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--oracle') oracle = args[++i]!;
  else if (a === '--target') targets.push(args[++i]!);
  else if (a === '--show') show = Number(args[++i]);
  else if (a === '--pairs') pairs = true;
  else inputs.push(a);
}
if (!existsSync(oracle)) {
  console.error(`check-core: no oracle at ${oracle} (gcc -O2 -o ${oracle} ../shared/oracles/core_oracle.c -lbpf)`);
  process.exit(2);
}

const objects: string[] = [];
const dirs: string[] = [];
for (const p of inputs) {
  if (statSync(p).isDirectory()) {
    dirs.push(p);
    for (const f of readdirSync(p).filter((x) => x.endsWith('.o')).sort()) objects.push(join(p, f));
  } else objects.push(p);
}

/** core_oracle's -q lines reduced to the CO-RE relocation phase (build.sh's core_lines). */
function oracleLines(obj: string, target: string): string[] {
  const r = spawnSync(oracle, ['-q', '-M', obj, target], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out: string[] = [];
  let inLoadLog = false;
  for (const raw of r.stdout.split('\n')) {
    if (!raw) continue;
    // A message that does not end in a newline leaves the next one's prefix mid-line (" W: libbpf: ...").
    const l = raw.replace(/^( ?)[DWI]: libbpf: /, '$1');
    if (inLoadLog) {
      if (/^-- END PROG LOAD LOG --$/.test(l)) inLoadLog = false;
      continue;
    }
    if (/^prog '[^']*': -- BEGIN PROG LOAD LOG --$/.test(l)) {
      inLoadLog = true;
      continue;
    }
    if (/^RESULT |^sec '[^']*': relo #|^\.maps relo #|: relo #[0-9]+: (poisoning insn #[0-9]+ that loads map|bad insn$|bad relo type)/.test(l)) continue;
    out.push(l);
  }
  return out;
}

interface Target { label: string; file: string; target: ReturnType<typeof openCoreTarget>['target'] }
const openTarget = (file: string, label = basename(file)): Target => ({ label, file, target: openCoreTarget(readFileSync(file), [], file).target });
const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const vmTargets = targets.map((t) => openTarget(t));

let same = 0, skipped = 0, foreign = 0;
const diffs: { obj: string; target: string; line: number; ours?: string; theirs?: string; counts: string }[] = [];
let lines = 0;
const beforeCore: string[] = [];
const viaWeak: string[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'check-core-'));

/** A copy of an ELF64 object with its undefined GLOBAL NOTYPE symbols made WEAK (both byte orders). */
function weakCopy(obj: string): string | undefined {
  const b = Buffer.from(readFileSync(obj));
  if (b[4] !== 2) return undefined;
  const le = b[5] === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const shoff = u64(0x28), shentsize = u16(0x3a), shnum = u16(0x3c);
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (u32(sh + 4) !== 2 /* SHT_SYMTAB */) continue;
    const off = u64(sh + 0x18), size = u64(sh + 0x20);
    for (let e = off; e + 24 <= off + size; e += 24) {
      const info = b[e + 4]!;
      if (u32(e) !== 0 && u16(e + 6) === 0 && info >> 4 === 1 && (info & 0xf) === 0) b[e + 4] = (2 << 4) | (info & 0xf);
    }
  }
  const out = join(tmp, basename(obj));
  writeFileSync(out, b);
  return out;
}

function check(obj: string, t: Target): void {
  const input = openBtfBytes(readFileSync(obj), { file: obj });
  if (!input.ext || input.ext.coreRelo.every((s) => s.records.length === 0)) {
    skipped++;
    return;
  }
  // libbpf opens only objects of its own byte order ("elf: endianness mismatch"): nothing to compare.
  if ((input.elf?.header?.littleEndian ?? true) !== hostLittleEndian) {
    foreign++;
    return;
  }
  const ours = coreLogLines(resolveCoreRelocations(input, t.target));
  const theirs = oracleLines(obj, t.file);
  if (theirs.length === 0 && ours.length > 0) {
    // libbpf resolves ksym externs against the RUNNING kernel (and its modules), whatever the CO-RE target,
    // before CO-RE relocation: a kfunc of a module not loaded here stops it first. Not a CO-RE difference.
    const all = spawnSync(oracle, ['-M', obj, t.file], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
    const m = /extern \((?:func|var) ksym\) '([^']*)': not found in kernel or module BTFs/.exec(all);
    if (m) {
      // Compare anyway on a copy whose undefined symbols are weak: libbpf then loads without those ksyms
      // (weak externs may be missing) and reaches CO-RE; the binding plays no part in CO-RE relocation.
      const weak = weakCopy(obj);
      const w = weak && oracleLines(weak, t.file);
      if (!weak || !w || w.length === 0) {
        beforeCore.push(`${basename(obj)} × ${t.label} (${m[1]})`);
        return;
      }
      viaWeak.push(`${basename(obj)} × ${t.label}`);
      theirs.push(...w);
    }
  }
  lines += theirs.length;
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== theirs[i]) {
      diffs.push({ obj, target: t.label, line: i + 1, ours: ours[i], theirs: theirs[i], counts: `${ours.length} vs ${theirs.length} lines` });
      return;
    }
  }
  same++;
}

for (const obj of objects) for (const t of vmTargets) check(obj, t);
if (pairs) {
  for (const d of dirs) {
    const files = readdirSync(d);
    for (const f of files.filter((x) => /^test_core_reloc_.*\.o$/.test(x)).sort()) {
      const stem = f.replace(/^test_core_reloc_/, '').replace(/\.o$/, '').replace(/_(direct|probed)$/, '');
      for (const b of files.filter((x) => x.startsWith(`btf__core_reloc_${stem}`) && x.endsWith('.o')).sort()) {
        check(join(d, f), openTarget(join(d, b)));
      }
    }
  }
}

console.log(`core: ${same} identical, ${diffs.length} different (${lines} libbpf lines compared), ${skipped} pairs without CO-RE relocations, ${foreign} of the other byte order (libbpf refuses them)`);
rmSync(tmp, { recursive: true, force: true });
if (viaWeak.length) console.log(`${viaWeak.length} pairs compared on a copy with weak undefined symbols (libbpf stops at a ksym missing from the running kernel otherwise): ${viaWeak.join(', ')}`);
if (beforeCore.length) console.log(`${beforeCore.length} pairs where libbpf stops before CO-RE (a ksym extern missing from the running kernel): ${beforeCore.join(', ')}`);
for (const d of diffs.slice(0, show)) {
  console.log(`-- ${d.obj} against ${d.target}: first difference at line ${d.line} (${d.counts})`);
  console.log(`   libbpf: ${d.theirs ?? '(end)'}`);
  console.log(`   ours:   ${d.ours ?? '(end)'}`);
}
if (diffs.length > show) for (const d of diffs.slice(show)) console.log(`   also: ${basename(d.obj)} × ${d.target}`);
process.exit(diffs.length ? 1 : 0);
