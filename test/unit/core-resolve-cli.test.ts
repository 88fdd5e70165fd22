// `btf-lens core`: the CLI prints the resolution lines libbpf logs (the goldens), JSON on request.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, fixtureObj, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

const here = join(repoRoot, 'test/fixtures/core-targets');
const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

describe('btf-lens core', () => {
  it('prints libbpf\'s lines for a resolution', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target', join(here, 'btf/same.btf'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'core-resolve/corex.bpfel__same.txt'), 'utf8'));
  });
  it('a reachable poisoned instruction: libbpf\'s lines, exit 1 and one line naming where (the load fails in the verifier)', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target', join(here, 'btf/moved.btf'));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, readFileSync(join(golden, 'core-resolve/corex.bpfel__moved.txt'), 'utf8'));
    assert.match(r.stderr, /^btf-lens: \S+corex\.bpfel\.o: offset \d+ \(0x[0-9a-f]+\): 2 poisoned CO-RE instructions reachable against \S+moved\.btf, the first in prog 'cx_first' insn #\d+ .*: the kernel's verifier refuses prog cx_first\n$/);
  });
  it('exit 1 names the programs the kernel refused; exit 0 when every poisoned instruction is guarded (reach/*.kernel.txt)', () => {
    const min = join(here, 'reach/vmlinux-6.18.min.btf');
    const refused = (obj: string) => readFileSync(join(here, `reach/${obj}.kernel.txt`), 'utf8').split('\n')
      .map((l) => /^prog (\S+): poisoned-core/.exec(l)?.[1]).filter((x) => x !== undefined);
    const r = cli('core', join(here, 'reach/reach.bpfel.o'), '--target', min);
    assert.equal(r.status, 1);
    assert.equal(/refuses prog (.*)$/m.exec(r.stderr)?.[1], refused('reach.bpfel').join(', '));
    // guarded.c: poisoned relocations, all behind bpf_core_*_exists; the kernel loads both programs
    assert.deepEqual(refused('guarded.bpfel'), []);
    const g = cli('core', join(here, 'reach/guarded.bpfel.o'), '--target', min);
    assert.equal(g.status, 0, g.stderr);
    assert.equal(g.stderr, '');
    const j = JSON.parse(cli('core', join(here, 'reach/guarded.bpfel.o'), '--target', min, '--format', 'json').stdout);
    assert.equal(j.relocations.filter((x: { outcome: string }) => x.outcome === 'poisoned').length, 2);
  });
  it('against a corpus kernel', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    // core_direct reads css_set.nr_tasks, which 6.1 does not have: poisoned where the verifier goes
    const r = cli('core', join(fixtureObj, 'core.bpfel.o'), '--target', join(sharedCorpus, 'vmlinux-6.1.btf'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /refuses prog core_direct\n$/);
    assert.equal(r.stdout, readFileSync(join(golden, 'core-resolve/core.bpfel__vmlinux-6.1.txt'), 'utf8'));
  });
  it('exit 1 and a sentence when the load would fail', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target', join(here, 'btf/ambiguous.btf'));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, readFileSync(join(golden, 'core-resolve/corex.bpfel__ambiguous.txt'), 'utf8'));
    assert.match(r.stderr, /CO-RE relocation fails .* \(error -22\)/);
  });
  it('--format json', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target', join(here, 'btf/moved.btf'), '--format', 'json');
    assert.equal(r.status, 1, r.stderr); // poisoned instructions the verifier reaches (see above)
    const j = JSON.parse(r.stdout);
    assert.equal(j.ok, true);
    const ucount = j.relocations.find((x: { prog: string; index: number }) => x.prog === 'cx_first' && x.index === 0);
    assert.deepEqual([ucount.localValue, ucount.targetValue, ucount.outcome], ['4', '8', 'patched']);
    assert.deepEqual(ucount.patch.memSz, { from: 4, to: 8 });
  });
  it('--target-base: modules split on vmlinux', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target-base', join(here, 'btf/missing.btf'), '--target', join(here, 'btf/module.btf'));
    assert.match(r.stdout, /^CO-RE relocating \[34\] struct cx_buf: found target candidate \[\d+\] struct cx_buf in \[module\]$/m);
  });
  it('without --target: usage error', () => {
    const r = cli('core', join(here, 'obj/corex.bpfel.o'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--target FILE is required/);
  });
});
