// Real kernel BTF from this machine and ../shared/corpus, against bpftool's output recorded as
// SHA-256 (test/golden/sys/hashes.txt; the dumps themselves are 1-12 MB each). Skips, saying why,
// where those inputs are absent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { Btf } from '../../server/src/core/btf/btf';
import { formatRaw } from '../../server/src/core/format/raw';
import { ByteWriter } from '../../server/src/core/util/writer';
import { golden, hasCorpus, sharedCorpus, sysVmlinux } from '../helpers/paths';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dump = (btf: Btf) => {
  const w = new ByteWriter();
  formatRaw(btf, w);
  return w.bytes();
};
/** Lines `<sha256> <path> [base=<path>]`, paths recorded under .../shared/corpus/. */
const entries = readFileSync(join(golden, 'sys/hashes.txt'), 'utf8').trim().split('\n').map((l) => {
  const [hash, path, base] = l.split(' ');
  const local = (p: string) => join(sharedCorpus, p.replace(/^.*\/shared\/corpus\//, ''));
  return { hash: hash!, path: local(path!), base: base ? local(base.replace(/^base=/, '')) : undefined };
});

describe('../shared/corpus: vmlinux and module BTF equal bpftool', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  const bases = new Map<string, Btf>();
  const baseOf = (p: string) => {
    if (!bases.has(p)) bases.set(p, Btf.parse(readFileSync(p)));
    return bases.get(p)!;
  };
  it('covers the two kernels and the modules', () => assert.ok(entries.length >= 22, `${entries.length} entries`));
  for (const e of entries) {
    it(e.path.replace(sharedCorpus + '/', ''), () => {
      const btf = Btf.parse(readFileSync(e.path), { base: e.base ? baseOf(e.base) : undefined });
      assert.deepEqual(btf.problems.filter((p) => p.severity === 'error'), []);
      assert.equal(sha(dump(btf)), e.hash);
    });
  }
});

describe('this machine: /sys/kernel/btf', { skip: existsSync(sysVmlinux) ? false : `${sysVmlinux} is absent` }, () => {
  const bpftool = spawnSync('sh', ['-c', 'command -v bpftool']).status === 0;
  it('vmlinux parses without problems and every type is reachable', () => {
    const btf = Btf.parse(readFileSync(sysVmlinux));
    assert.deepEqual(btf.problems, []);
    assert.ok(btf.ownCount > 10000);
  });
  it('vmlinux dump equals bpftool', { skip: bpftool ? false : 'bpftool is not installed' }, () => {
    const theirs = spawnSync('bpftool', ['btf', 'dump', 'file', sysVmlinux], { maxBuffer: 1 << 28 }).stdout;
    assert.equal(sha(dump(Btf.parse(readFileSync(sysVmlinux)))), sha(theirs));
  });
});
