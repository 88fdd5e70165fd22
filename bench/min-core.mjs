// `btf-lens gen min-core-btf VMLINUX OUT OBJ...` vs `bpftool gen min_core_btf VMLINUX OUT OBJ...`: whole
// processes (start-up, reading vmlinux and the objects, CO-RE resolution, writing OUT), interleaved runs,
// medians of wall time and user+sys CPU. OUT is checked byte-identical first (a fast wrong answer would not
// count). Objects, in two rows: one large object (the selftests' profiler1.o, ≈1,500 relocations), and
// every object with CO-RE relocations that bpftool takes, all in one run ($BTF_LENS_GEN_OBJS, a directory; else
// libbpf-tools' .bpf.o, scripts/libbpf-tools-objects.sh into $BTF_LENS_LIBBPF_TOOLS, default ../libbpf-tools-objects;
// else the kernel selftests ($BTF_LENS_SELFTESTS, default ../selftests)/bpfel; else the committed fixtures). Standalone: node bench/min-core.mjs [VMLINUX]  (after npm run build; RUNS=N)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gnuTime, have, median, timed } from './timing.mjs';

/** Objects of a directory with CO-RE relocation records (a .BTF.ext core_relo section), by our `info`. */
function coreObjects(root, dir) {
  const cli = join(root, 'dist/cli.js');
  return readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => join(dir, f)).filter((o) => {
    const r = spawnSync(process.execPath, [cli, 'info', o], { encoding: 'utf8' });
    return /core_relo=[1-9]/.test(r.stdout);
  });
}

/** The objects bpftool takes against vmlinux (it fails the whole run on one it cannot relocate). */
function bpftoolTakes(objs, vmlinux, tmp) {
  return objs.filter((o) => spawnSync('bpftool', ['gen', 'min_core_btf', vmlinux, join(tmp, 'probe.btf'), o]).status === 0);
}

function measure({ root, vmlinux, objs, name, runs, tmp }) {
  const cli = join(root, 'dist/cli.js');
  const a = join(tmp, 'ours.btf'), b = join(tmp, 'bpftool.btf');
  execFileSync(process.execPath, [cli, 'gen', 'min-core-btf', vmlinux, a, ...objs]);
  execFileSync('bpftool', ['gen', 'min_core_btf', vmlinux, b, ...objs]);
  if (!readFileSync(a).equals(readFileSync(b))) return [[`${name}: OUT differs from bpftool's: not measured`, NaN, undefined, '']];
  const list = objs.map((o) => `"${o}"`).join(' ');
  const ours = [], theirs = [];
  for (let i = 0; i < runs; i++) { // interleaved, so load changes hit both alike
    ours.push(timed(`"${process.execPath}" "${cli}" gen min-core-btf "${vmlinux}" "${a}" ${list}`));
    theirs.push(timed(`bpftool gen min_core_btf "${vmlinux}" "${b}" ${list}`));
  }
  const rows = [[`${name} (whole process, wall)`, median(ours.map((x) => x.wall)), median(theirs.map((x) => x.wall)), '≤ 1.0×']];
  if (gnuTime) rows.push([`${name} (whole process, user+sys CPU)`, median(ours.map((x) => x.cpu)), median(theirs.map((x) => x.cpu)), '']);
  return rows;
}

/** Rows for bench/run.mjs: [measure, ours ms, bpftool ms, target]. */
export function minCoreRows({ root, vmlinux, runs = 11 }) {
  const what = 'gen min-core-btf vmlinux';
  if (!have('bpftool')) return [[what, NaN, undefined, 'bpftool not installed']];
  const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-bench-gen-'));
  try {
    const selftests = join(process.env.BTF_LENS_SELFTESTS ?? resolve(root, '../selftests'), 'bpfel');
    const libbpfTools = process.env.BTF_LENS_LIBBPF_TOOLS ?? resolve(root, '../libbpf-tools-objects');
    const dir = [process.env.BTF_LENS_GEN_OBJS, libbpfTools, existsSync(join(selftests, 'profiler1.o')) ? selftests : undefined].find((d) => d && existsSync(d));
    const rows = [];
    const profiler = join(selftests, 'profiler1.o');
    if (existsSync(profiler)) rows.push(...measure({ root, vmlinux, objs: [profiler], name: `${what} profiler1.o`, runs, tmp }));
    const objs = dir
      ? bpftoolTakes(coreObjects(root, dir), vmlinux, tmp)
      : ['test/fixtures/obj/core.bpfel.o', 'test/fixtures/obj/progs.bpfel.o', 'test/fixtures/core-targets/obj/corex.bpfel.o'].map((o) => join(root, o));
    rows.push(...measure({ root, vmlinux, objs, name: `${what} ${objs.length} objects ${dir ? `of ${dir}` : '(fixtures)'}`, runs, tmp }));
    return rows;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const vmlinux = process.argv[2] ?? [join(root, '../shared/corpus/vmlinux-6.18.btf'), '/sys/kernel/btf/vmlinux'].find(existsSync);
  if (!process.env.BTF_LENS_BENCH_KEEP_ENV) delete process.env.NODE_EXTRA_CA_CERTS;
  for (const [m, o, t, target] of minCoreRows({ root, vmlinux, runs: Number(process.env.RUNS ?? 11) })) {
    console.log(`${m}: ours ${o.toFixed(1)} ms, bpftool ${t === undefined ? '-' : t.toFixed(1)} ms${t === undefined ? '' : `, ${(o / t).toFixed(2)}×`} ${target ? `(target ${target})` : ''}`);
  }
}
