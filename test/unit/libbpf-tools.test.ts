// `btf-lens check` on real CO-RE tools: the BPF objects of bcc's libbpf-tools (Debian's libbpf-tools package,
// cut out of its binaries by scripts/libbpf-tools-objects.sh into $BTF_LENS_LIBBPF_TOOLS, default ../libbpf-tools-objects
// beside the checkout) against the corpus 6.18 kernel, compared with libbpf 1.1.2's own log produced here and now:
// load_each (test/fixtures/load/load_each.c, built with gcc -lbpf) in a private mount namespace with
// vmlinux-6.18.btf bind-mounted over /sys/kernel/btf/vmlinux, no maps (-M), the whole object and each program
// alone, reduced and compared by the rules of test/unit/check.test.ts (test/helpers/libbpf-load-log.ts): equal
// where libbpf stopped on its own or loaded everything, a prefix where the running kernel refused first.
// A handful of objects only (fentry/fexit, tp_btf, kprobes, LINUX_KERNEL_VERSION); scripts/check-load.ts sweeps
// them all (README). Skips, saying why, without the objects, the corpus, root, gcc + libbpf or mount namespaces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { libbpfPrograms } from '../../server/src/core/core-relo/programs';
import { openCoreTarget, type CoreTarget } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { checkLoad } from '../../server/src/core/load/check';
import { checkLinesOfOracle, compareWithOracle } from '../helpers/libbpf-load-log';
import { repoRoot, sharedCorpus } from '../helpers/paths';

const toolsDir = process.env.BTF_LENS_LIBBPF_TOOLS ?? resolve(repoRoot, '../libbpf-tools-objects');
const kernelBtf = join(sharedCorpus, 'vmlinux-6.18.btf');
/** klockstat: 44 fentry/fexit/kprobe programs (the largest object); runqslower: tp_btf and raw_tp; biolatency:
 * the same and LINUX_KERNEL_VERSION; ksnoop and tcpconnect: kprobes, CO-RE on kernel structs. */
const TOOLS = ['klockstat', 'runqslower', 'biolatency', 'ksnoop', 'tcpconnect'];
const BTF_ATTACH = /^(fentry|fexit|fmod_ret|lsm|tp_btf|iter)(\.s)?\//;

const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-libbpf-tools-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** load_each built here, or why the oracle cannot run on this machine. */
function buildOracle(): { path?: string; why?: string } {
  if (!existsSync(toolsDir) || !readdirSync(toolsDir).some((f) => f.endsWith('.bpf.o')))
    return { why: `no libbpf-tools objects at ${toolsDir} (scripts/libbpf-tools-objects.sh DIR; BTF_LENS_LIBBPF_TOOLS=DIR)` };
  if (!existsSync(kernelBtf)) return { why: `no corpus kernel at ${kernelBtf}` };
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { why: 'not root on Linux (unshare -m, mount --bind, bpf())' };
  if (!existsSync('/sys/kernel/btf/vmlinux')) return { why: 'no /sys/kernel/btf/vmlinux to bind-mount over' };
  const path = join(tmp, 'load_each');
  const cc = spawnSync('gcc', ['-O2', '-o', path, join(repoRoot, 'test/fixtures/load/load_each.c'), '-lbpf'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { why: `load_each.c does not build with gcc -lbpf: ${cc.error?.message ?? cc.stderr.split('\n')[0]}` };
  const ns = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" /sys/kernel/btf/vmlinux', 'sh', kernelBtf], { encoding: 'utf8' });
  if (ns.error || ns.status !== 0) return { why: `cannot bind-mount a BTF in a private mount namespace: ${ns.error?.message ?? ns.stderr.trim()}` };
  return { path };
}
const oracle = buildOracle();

function runOracle(obj: string, prog?: string): string {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'btf=$1; shift; mount --bind "$btf" /sys/kernel/btf/vmlinux && exec "$@"',
    'sh', kernelBtf, oracle.path!, ...(prog ? ['-p', prog] : []), '-M', `${obj}.bpf.o`],
  { cwd: toolsDir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 60_000 });
  return r.stdout ?? '';
}

let target: CoreTarget | undefined;
describe('check equals libbpf 1.1.2 on libbpf-tools objects × vmlinux 6.18 (load_each, run now)', () => {
  for (const tool of TOOLS) {
    it(tool, (t) => {
      if (!oracle.path) return t.skip(oracle.why);
      const file = join(toolsDir, `${tool}.bpf.o`);
      if (!existsSync(file)) return t.skip(`no ${file}`);
      target ??= openCoreTarget(readFileSync(kernelBtf), [], 'vmlinux-6.18.btf').target;
      const input = openBtfBytes(readFileSync(file), { file: `${tool}.bpf.o` });
      const all = libbpfPrograms(input.elf!).programs;
      const order = all.filter((p) => !(p.subprog && all.length > 1)).map((p) => p.name);
      assert.ok(order.length > 0);
      let lines = 0;
      // alone: each program with a kernel BTF attach target (its lookup is logged), the whole object for the rest
      const alone = order.length > 1 ? all.filter((p) => BTF_ATTACH.test(p.secName)).map((p) => p.name) : [];
      for (const prog of [undefined, ...alone]) {
        const log = checkLinesOfOracle(runOracle(tool, prog));
        assert.ok(log.lines.length > 0, `libbpf printed nothing${prog ? ` for -p ${prog}` : ''}`);
        lines += log.lines.length;
        // LINUX_KERNEL_VERSION: libbpf reads uname here, whatever BTF is mounted
        const res = checkLoad(input, target, { kernelRelease: release(), programs: prog ? [prog] : undefined });
        assert.deepEqual(res.problems, []);
        const stopProg = res.stop?.dependency !== undefined ? res.dependencies[res.stop.dependency]!.program : undefined;
        const diff = compareWithOracle(res.log, log, res.stop && { step: res.stop.step, program: stopProg }, order);
        assert.equal(diff, undefined, `${tool}${prog ? ` -p ${prog}` : ''}: ${diff}`);
      }
      t.diagnostic(`${order.length} programs (${alone.length} loaded alone too), ${lines} libbpf lines compared`);
    });
  }
});
