// `btf-lens check` of a large object against vmlinux: BTF Lens in-process vs libbpf's own time for the same steps.
//
// libbpf's time: a harness (below, gcc -lbpf) run as root in a private mount namespace with the target BTF
// bind-mounted over /sys/kernel/btf/vmlinux opens the object, turns map creation off and calls
// bpf_object__load, timestamping libbpf's print callback. Counted: from bpf_object__load's start to the line
// "loading kernel BTF '/sys/kernel/btf/vmlinux': 0" (its loading probe and the vmlinux BTF parse), then to its
// last extern line (extern resolution), then the CO-RE phase as bench/core.mjs times it (from the message
// before "sec '…': found N CO-RE relocations" to the last CO-RE line). Not counted: the object's open (ours
// parses it, libbpf's open is outside), loading the object's BTF into the kernel, the verifier; libbpf's attach
// lookups log nothing when they succeed and run amid the kernel's program loads, so they are not counted either
// (ours are). Ours: checkLoad on freshly parsed object and target bytes, in one process (first run apart, 10
// warm-up runs), interleaved run by run with libbpf's; medians of 15.
//
// Object: $BTF_LENS_CHECK_OBJ, else the largest libbpf-tools object (scripts/libbpf-tools-objects.sh into
// $BTF_LENS_LIBBPF_TOOLS, default ../libbpf-tools-objects: klockstat.bpf.o, 44 programs), else the kernel
// selftests' profiler1.o from ../selftests/bpfel, else the committed kfunc_weak load fixture (small).
// Standalone: node bench/check.mjs [OBJ] [TARGET]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
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
static double t0, c0, t_btf = -1, c_btf, t_ext = -1, c_ext, t_prev, c_prev, t_cb = -1, c_cb, t_ce = -1, c_ce;
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[4096];
	double t = now_ms(), c = cpu_ms();
	vsnprintf(buf, sizeof(buf), fmt, args);
	if (t_btf < 0 && strstr(buf, "loading kernel BTF")) { t_btf = t; c_btf = c; t_ext = t; c_ext = c; }
	else if (t_btf >= 0 && t_cb < 0 && !strncmp(buf, "libbpf: extern ", 15)) { t_ext = t; c_ext = c; }
	if (t_cb < 0 && strstr(buf, "CO-RE relocations")) { t_cb = t_prev; c_cb = c_prev; }
	if (t_cb >= 0 && (strstr(buf, "CO-RE") || (strstr(buf, "libbpf: prog '") && strstr(buf, "': relo #") && !strstr(buf, "poisoning insn")))) { t_ce = t; c_ce = c; }
	t_prev = now_ms();
	c_prev = cpu_ms();
	return 0;
}
int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	libbpf_set_print(print_fn);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { printf("{\"ms\": -1}\n"); return 1; }
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) bpf_map__set_autocreate(map, false);
	t0 = t_prev = now_ms();
	c0 = c_prev = cpu_ms();
	bpf_object__load(obj);
	if (t_btf < 0) { printf("{\"ms\": -1}\n"); return 1; }
	double ms = (t_ext - t0) + (t_cb >= 0 ? t_ce - t_cb : 0), cpu = (c_ext - c0) + (t_cb >= 0 ? c_ce - c_cb : 0);
	printf("{\"ms\": %.4f, \"cpu\": %.4f}\n", ms, cpu);
	bpf_object__close(obj);
	return 0;
}
`;

const ENTRY = `
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openCoreTarget } from './server/src/core/core-relo/resolve';
import { openBtfBytes } from './server/src/core/input';
import { checkLoad } from './server/src/core/load/check';
const [obj, target] = process.argv.slice(2);
const o = readFileSync(obj), t = readFileSync(target);
// one check per input line, answered with its wall and CPU time (ms)
createInterface({ input: process.stdin }).on('line', () => {
  const c = process.cpuUsage();
  const s = performance.now();
  const input = openBtfBytes(o, { file: obj });
  const res = checkLoad(input, openCoreTarget(t, [], target).target, { kernelRelease: '6.18.0', reach: false });
  const ms = performance.now() - s;
  const d = process.cpuUsage(c);
  process.stdout.write(JSON.stringify({ ms, cpu: (d.user + d.system) / 1000, lines: res.log.length, deps: res.dependencies.length }) + '\\n');
});
`;

/** The largest of the libbpf-tools objects, when they were extracted. */
function largestLibbpfTool(root) {
  const dir = process.env.BTF_LENS_LIBBPF_TOOLS ?? resolve(root, '../libbpf-tools-objects');
  if (!existsSync(dir)) return undefined;
  const objs = readdirSync(dir).filter((f) => f.endsWith('.bpf.o')).map((f) => join(dir, f));
  return objs.sort((a, b) => statSync(b).size - statSync(a).size || (a < b ? -1 : 1))[0];
}

/** Rows for bench/run.mjs: [measure, ours ms, libbpf ms | undefined, target]. */
export async function checkRows({ root, vmlinux, tmp, obj }) {
  const object = obj ?? [process.env.BTF_LENS_CHECK_OBJ, largestLibbpfTool(root), resolve(root, '../selftests/bpfel/profiler1.o'), join(root, 'test/fixtures/load/obj/kfunc_weak.bpfel.o')]
    .find((f) => f && existsSync(f));
  const inproc = await oursInProcess(root, 'bench-check', ENTRY, [object, vmlinux]);
  const oursOnce = inproc.once;
  const { path: harness, note: why } = libbpfHarness(tmp, 'check_bench', HARNESS, 'mount namespace, bpf()');
  let note = why;
  let canLibbpf = !why;
  const libbpfOnce = () => {
    try {
      const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" /sys/kernel/btf/vmlinux && exec "$2" "$3"', 'sh', resolve(vmlinux), harness, basename(object)],
        { cwd: dirname(object), encoding: 'utf8' });
      return JSON.parse(r.stdout);
    } catch {
      return { ms: -1, cpu: -1 };
    }
  };
  const first = await oursOnce();
  for (let i = 0; i < 10; i++) await oursOnce(); // warm-up
  const ours = [], theirs = [];
  for (let i = 0; i < 15; i++) {
    ours.push(await oursOnce());
    if (!canLibbpf) continue;
    const r = libbpfOnce();
    if (r.ms < 0) [note, canLibbpf] = ['libbpf did not get to the kernel BTF', false];
    else theirs.push(r);
  }
  inproc.close();
  const med = (xs, k) => (xs.length ? median(xs.map((x) => x[k])) : undefined);
  const what = `check: ${basename(object)} (${first.deps} dependencies, ${first.lines} lines) vs ${basename(vmlinux)}`;
  return [
    [`${what} (in-process, warm, wall)`, med(ours, 'ms'), med(theirs, 'ms'), note || '≤ 1×'],
    [`${what} (in-process, warm, CPU)`, med(ours, 'cpu'), med(theirs, 'cpu'), note || '≤ 1×'],
    [`${what} (in-process, first run, wall)`, first.ms, med(theirs, 'ms'), note || ''],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, '..');
  const [obj, target] = process.argv.slice(2);
  const vmlinux = target ?? [join(root, '../shared/corpus/vmlinux-6.18.btf'), '/sys/kernel/btf/vmlinux'].find(existsSync);
  if (!vmlinux) {
    console.log('check bench: no vmlinux BTF (../shared/corpus or /sys/kernel/btf): skipped');
    process.exit(0);
  }
  const rows = await checkRows({ root, vmlinux, tmp: mkdtempSync(join(tmpdir(), 'btf-lens-check-bench-')), obj });
  for (const [name, ours, theirs, note] of rows) {
    console.log(`${name}: ours ${ours.toFixed(2)} ms, libbpf ${theirs === undefined ? '-' : `${theirs.toFixed(2)} ms, ratio ${(ours / theirs).toFixed(2)}×`} ${note}`);
  }
}
