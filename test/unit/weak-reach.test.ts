// load/weak-reach.ts against the running kernel's verdicts: a missing __weak ksym or kfunc fails a program
// exactly when the 6.18 verifier refused it (test/fixtures/load/weak/build.sh recorded them per program).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openCoreTarget } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { checkLoad } from '../../server/src/core/load/check';
import { outcomeText } from '../../server/src/lsp/load-targets';
import { cliPath, repoRoot, sharedCorpus } from '../helpers/paths';

const loadDir = join(repoRoot, 'test/fixtures/load');
const vmlinux618 = join(sharedCorpus, 'vmlinux-6.18.btf');
/** The 1-based line of src/weak_reach.c that holds `text` (the first). */
const lineOf = (text: string) => readFileSync(join(loadDir, 'src/weak_reach.c'), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

/**
 * `prog NAME: loads` / `prog NAME: verifier -13 at weak_reach.c:24: R1 invalid mem access 'scalar'` lines of a
 * kernel.txt: program → does it load, and the source line the verifier stopped at when it says.
 */
function kernelVerdicts(file: string): Map<string, { loads: boolean; line?: number }> {
  const out = new Map<string, { loads: boolean; line?: number }>();
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    const m = /^prog (\S+): (loads|verifier -?\d+(?: at \S+:(\d+))?)/.exec(l);
    if (m) out.set(m[1]!, { loads: m[2] === 'loads', line: m[3] ? +m[3] : undefined });
  }
  return out;
}

describe('weak externs: reachable uses vs the kernel verifier', () => {
  it('weak_reach.bpfel.o: a program fails exactly when the 6.18 verifier refused it', (t) => {
    if (!existsSync(vmlinux618)) return t.skip(`no ${vmlinux618} (the corpus): the 6.18 BTF the verdicts were recorded on`);
    const name = 'weak_reach.bpfel.o';
    const obj = openBtfBytes(readFileSync(join(loadDir, 'obj', name)), { file: name });
    const target = openCoreTarget(readFileSync(vmlinux618), [], 'vmlinux-6.18').target;
    const check = checkLoad(obj, target, { kconfig: '' });
    // program → 1-based line of its first failing use (when in the program's own code: the kernel names the
    // line where it stopped, which for a use in a subprogram can be the caller's, after the return)
    const failing = new Map<string, number | undefined>();
    const weak: string[] = [];
    check.dependencies.forEach((d, i) => {
      const o = check.outcomes[i]!;
      if (o.code !== 'weak-missing' || d.kind === 'kconfig') return;
      weak.push(`${d.name}:${o.reachable}`);
      for (const u of o.weakUses ?? []) if (!failing.has(u.program)) failing.set(u.program, u.place && u.function === u.program ? u.place.line + 1 : undefined);
    });
    assert.deepEqual(weak.sort(), ['bpf_made_up_kfunc:true', 'made_up_array:true', 'made_up_percpu:true', 'made_up_var:true']);
    const kernel = kernelVerdicts(join(loadDir, 'weak', 'weak_reach.bpfel.kernel.txt'));
    assert.ok(kernel.size >= 18);
    assert.ok([...failing.values()].filter((l) => l !== undefined).length >= 4);
    for (const [prog, v] of kernel) {
      assert.equal(!failing.has(prog), v.loads, `prog ${prog}: the kernel says ${v.loads ? 'loads' : 'fails'}`);
      if (v.line !== undefined && failing.get(prog) !== undefined) assert.equal(failing.get(prog), v.line, `prog ${prog}: the verifier stopped at line ${v.line}`);
    }
    // the use is named where the source has it (line_info, 0-based lines)
    const kf = check.outcomes[check.dependencies.findIndex((d) => d.name === 'bpf_made_up_kfunc')]!;
    assert.deepEqual(kf.weakUses?.map((u) => `${u.program} insn ${u.insn} ${u.what} line ${u.place?.line}`),
      [`wk_kfunc_call insn 1 call line ${kernel.get('wk_kfunc_call')!.line! - 1}`, `wk_kfunc_noresult insn 1 call line ${lineOf('\tbpf_made_up_kfunc(3);') - 1}`,
        `wk_kfunc_in_subprog insn 0 call line ${lineOf('return bpf_made_up_kfunc(x);') - 1}`]);
    // the extern's hover in the editor: the first unguarded use by its (1-based) source line
    const kernel618 = { label: '6.18', path: vmlinux618, target, stamp: '' };
    const hover = (n: string) => { const i = check.dependencies.findIndex((d) => d.name === n); return outcomeText(check.dependencies[i]!, check.outcomes[i], kernel618).text; };
    assert.equal(hover('bpf_made_up_kfunc'), `not found: left 0 (__weak): unguarded use at line ${kernel.get('wk_kfunc_call')!.line} (prog wk_kfunc_call) (+2 more): the verifier rejects`);
    assert.equal(hover('made_up_var'), `not found: left 0 (__weak): unguarded use at line ${kernel.get('wk_var_deref')!.line} (prog wk_var_deref): the verifier rejects`);
  });
});

describe('btf-lens check: a reachable use of a missing weak extern', () => {
  const obj = join(loadDir, 'obj/weak_reach.bpfel.o');
  const run = (progs: string[]) => spawnSync(process.execPath, [cliPath, 'check', obj, '--target', vmlinux618, '--kernel-release', '6.18.44', '--kconfig', join(loadDir, 'kconfig.txt'),
    ...progs.flatMap((p) => ['--program', p])], { encoding: 'utf8' });
  it('exits 1 with one line naming the first use and the programs the verifier refuses', (t) => {
    if (!existsSync(cliPath)) return t.skip('dist/cli.js not built (npm run build)');
    if (!existsSync(vmlinux618)) return t.skip(`no ${vmlinux618} (the corpus)`);
    const r = run(['wk_kfunc_call', 'wk_kfunc_guarded']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /weak_reach\.bpfel\.o: offset \d+ \(0x[0-9a-f]+\): missing __weak extern 'bpf_made_up_kfunc' is 0 on .* prog 'wk_kfunc_call' insn #1 \(\.\/src\/weak_reach\.c:\d+\), a call of the missing kfunc: the kernel's verifier refuses prog wk_kfunc_call$/m);
    // libbpf's lines are unchanged: it says nothing of the verifier
    assert.doesNotMatch(r.stdout, /verifier/);
  });
  it('exits 0 when every use is guarded', (t) => {
    if (!existsSync(cliPath)) return t.skip('dist/cli.js not built (npm run build)');
    if (!existsSync(vmlinux618)) return t.skip(`no ${vmlinux618} (the corpus)`);
    const r = run(['wk_var_guarded', 'wk_kfunc_guarded', 'wk_kfunc_kconfig']);
    assert.equal(r.status, 0, r.stderr);
  });
});
