// CO-RE resolution of a large object (every relocation) against vmlinux: BTF Lens in-process vs libbpf's own time.
//
// libbpf's time: a small harness (below, compiled with gcc -lbpf) calls bpf_object__open (btf_custom_path =
// the target) and bpf_object__load with map creation off, and timestamps libbpf's print callback: from the
// last message before the CO-RE phase (btf__parse of the target runs right before its first line, "sec '...':
// found N CO-RE relocations") to the last CO-RE line. That is: target parse, candidate search, matching,
// patching and libbpf formatting its DEBUG log — the work resolveCoreBytes does (it parses both files too and
// keeps the same log). The kernel's verifier runs after and is not counted. Needs root (bpf()), else skipped.
// Ours runs in one process (the first run reported apart, then 10 warm-up runs) and libbpf in a process per
// run, interleaved run by run so that both see the same load; medians of 15, wall and CPU time.
//
// Object: $BTF_LENS_CORE_OBJ, else the kernel selftests' profiler1.o (≈1,500 relocations) from
// ../selftests/bpfel (test/fixtures/selftests.sh builds it), else the committed corex fixture (small).
// Standalone: node bench/core.mjs [OBJ] [TARGET]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { libbpfHarness, oursInProcess } from './side-by-side.mjs';
import { median } from './timing.mjs';

const HARNESS = String.raw`
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static double cpu_ms(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static double t_prev, t_begin = -1, t_end = -1, c_prev, c_begin = -1, c_end = -1;
static int lines;
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, args);
	if (t_begin < 0 && strstr(buf, "CO-RE relocations")) { t_begin = t_prev; c_begin = c_prev; }
	if (t_begin >= 0 && (strstr(buf, "CO-RE") || (strstr(buf, "libbpf: prog '") && strstr(buf, "': relo #") && !strstr(buf, "poisoning insn")))) {
		t_end = now_ms();
		c_end = cpu_ms();
		lines++;
	}
	t_prev = now_ms();
	c_prev = cpu_ms();
	return 0;
}
int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	libbpf_set_print(print_fn);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = argv[2]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &oo);
	if (!obj) { printf("{\"ms\": -1, \"lines\": 0}\n"); return 1; }
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) bpf_map__set_autocreate(map, false);
	t_prev = now_ms();
	c_prev = cpu_ms();
	bpf_object__load(obj);
	printf("{\"ms\": %.4f, \"cpu\": %.4f, \"lines\": %d}\n", t_begin < 0 ? -1.0 : t_end - t_begin, c_end - c_begin, lines);
	bpf_object__close(obj);
	return 0;
}
`;

const ENTRY = `
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { coreLogLines, resolveCoreBytes } from './server/src/core/core-relo/resolve';
const [obj, target] = process.argv.slice(2);
const o = readFileSync(obj), t = readFileSync(target);
// one resolution per input line, answered with its wall and CPU time (ms)
createInterface({ input: process.stdin }).on('line', () => {
  const c = process.cpuUsage();
  const s = performance.now();
  const lines = coreLogLines(resolveCoreBytes(o, t, { objFile: obj, prepare: true })).length;
  const ms = performance.now() - s;
  const d = process.cpuUsage(c);
  process.stdout.write(JSON.stringify({ ms, cpu: (d.user + d.system) / 1000, lines }) + '\\n');
});
`;


/** Rows for bench/run.mjs: [measure, ours ms, libbpf ms | undefined, target]. */
export async function coreRows({ root, vmlinux, tmp, obj }) {
  const object = obj ?? [process.env.BTF_LENS_CORE_OBJ, resolve(root, '../selftests/bpfel/profiler1.o'), join(root, 'test/fixtures/core-targets/obj/corex.bpfel.o')]
    .find((f) => f && existsSync(f));
  const inproc = await oursInProcess(root, 'bench-core', ENTRY, [object, vmlinux]);
  const oursOnce = inproc.once;
  const { path: harness, note: why } = libbpfHarness(tmp, 'core_bench', HARNESS, 'bpf() needed');
  let note = why;
  let canLibbpf = !why;
  const libbpfOnce = () => {
    try {
      return JSON.parse(spawnSync(harness, [object, vmlinux], { encoding: 'utf8' }).stdout);
    } catch {
      return { ms: -1, cpu: -1, lines: 0 };
    }
  };
  const first = await oursOnce();
  for (let i = 0; i < 10; i++) await oursOnce(); // warm-up
  // interleaved, so that both see the same load on a shared machine
  const ours = [], theirs = [];
  for (let i = 0; i < 15; i++) {
    ours.push(await oursOnce());
    if (!canLibbpf) continue;
    const r = libbpfOnce();
    if (r.ms < 0) [note, canLibbpf] = ['libbpf did not reach CO-RE relocation', false];
    else {
      if (r.lines !== first.lines) note = `line counts differ: libbpf ${r.lines}, ours ${first.lines}`;
      theirs.push(r);
    }
  }
  inproc.close();
  const med = (xs, k) => (xs.length ? median(xs.map((x) => x[k])) : undefined);
  const what = `CO-RE: ${first.lines} log lines of ${basename(object)} vs ${basename(vmlinux)}`;
  return [
    [`${what} (in-process, warm, wall)`, med(ours, 'ms'), med(theirs, 'ms'), note || '≤ 2×'],
    [`${what} (in-process, warm, CPU)`, med(ours, 'cpu'), med(theirs, 'cpu'), note || '≤ 2×'],
    [`${what} (in-process, first run, wall)`, first.ms, med(theirs, 'ms'), note || ''],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const [obj, target] = process.argv.slice(2);
  const vmlinux = target ?? [join(root, '../shared/corpus/vmlinux-6.18.btf'), '/sys/kernel/btf/vmlinux'].find(existsSync);
  const rows = await coreRows({ root, vmlinux, tmp: mkdtempSync(join(tmpdir(), 'btf-lens-core-bench-')), obj });
  for (const [name, ours, theirs, note] of rows) {
    console.log(`${name}: ours ${ours.toFixed(2)} ms, libbpf ${theirs === undefined ? '-' : `${theirs.toFixed(2)} ms, ratio ${(ours / theirs).toFixed(2)}×`} ${note}`);
  }
}
