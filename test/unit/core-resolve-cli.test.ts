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
    const r = cli('core', join(here, 'obj/corex.bpfel.o'), '--target', join(here, 'btf/moved.btf'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'core-resolve/corex.bpfel__moved.txt'), 'utf8'));
  });
  it('against a corpus kernel', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const r = cli('core', join(fixtureObj, 'core.bpfel.o'), '--target', join(sharedCorpus, 'vmlinux-6.1.btf'));
    assert.equal(r.status, 0, r.stderr);
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
    assert.equal(r.status, 0, r.stderr);
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
