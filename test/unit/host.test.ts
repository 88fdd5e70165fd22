// Real kernel BTF from this machine and ../shared/corpus, against bpftool's output recorded as
// SHA-256 (test/golden/sys/hashes.txt; the dumps themselves are 1-12 MB each). Skips, saying why,
// where those inputs are absent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { Btf } from '../../server/src/core/btf/btf';
import { formatExt } from '../../server/src/core/format/ext';
import { formatRaw } from '../../server/src/core/format/raw';
import { openBtfBytes } from '../../server/src/core/input';
import { ByteWriter } from '../../server/src/core/util/writer';
import { debmodsDir, golden, hasCorpus, selftestsDir, selftestsGccDir, sharedCorpus, sysVmlinux } from '../helpers/paths';

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

// All 4023 Debian 6.1 module BTFs on their vmlinux (../shared/corpus/fetch-debian-modules.sh puts them in
// ../debmods beside the checkout, or BTF_LENS_DEBMODS), against bpftool's dumps fingerprinted by test/fixtures/debmods-hashes.sh.
const debmods = debmodsDir;
const debHashes = readFileSync(join(golden, 'debmods/hashes.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
const debBase = join(debmods, 'vmlinux.btf');
const debSkip = !existsSync(debBase) ? `no Debian module corpus at ${debmods} (set BTF_LENS_DEBMODS)`
  : sha(readFileSync(debBase)) !== debHashes[0]![1] ? `${debBase} is not the base the hashes were recorded on` : false;
describe('Debian 6.1 modules: raw dumps equal bpftool -B vmlinux.btf', { skip: debSkip }, () => {
  it(`all ${debHashes.length - 1} modules`, () => {
    const base = Btf.parse(readFileSync(debBase));
    const bad: string[] = [];
    for (const [hash, name] of debHashes.slice(1)) {
      const btf = Btf.parse(readFileSync(join(debmods, 'modules', name!)), { base });
      if (sha(dump(btf)).slice(0, 16) !== hash || btf.problems.some((p) => p.severity === 'error')) bad.push(name!);
    }
    assert.ok(debHashes.length > 4000);
    assert.deepEqual(bad, []);
  });
});

// The kernel selftests objects built by test/fixtures/selftests.sh (clang, both byte orders) and
// selftests-gcc.sh (bpf-gcc), against the bpftool and ext_oracle outputs that script stored beside them.
// Every 4th object (sorted by name), to stay within a few seconds; scripts/check-objects.ts sweeps them all.
const selftests = selftestsDir;
const selftestsGcc = selftestsGccDir;
for (const [root, what] of [[selftests, 'selftests.sh'], [selftestsGcc, 'selftests-gcc.sh']] as const) {
  describe(`kernel selftests objects (${what}, every 4th): raw dump and .BTF.ext equal bpftool and libbpf`, { skip: existsSync(join(root, 'summary.txt')) ? false : `no ${root}/summary.txt (run test/fixtures/${what})` }, () => {
    for (const order of ['bpfel', 'bpfeb']) {
      it(order, () => {
        const dir = join(root, order);
        let raw = 0, ext = 0;
        const bad: string[] = [];
        for (const f of readdirSync(dir).filter((x) => x.endsWith('.o')).sort().filter((_, i) => i % 4 === 0)) {
          const p = join(dir, f);
          const input = openBtfBytes(new Uint8Array(readFileSync(p)), { file: p });
          if (existsSync(p + '.raw.txt')) {
            raw++;
            if (!input.btf || Buffer.compare(dump(input.btf), readFileSync(p + '.raw.txt')) !== 0) bad.push(`${f} (raw)`);
          }
          const g = existsSync(p + '.ext.txt') ? readFileSync(p + '.ext.txt', 'utf8') : '';
          if (/^RESULT ok/m.test(g)) {
            ext++;
            if (!input.btf || !input.ext || formatExt(input.btf, input.ext) !== g) bad.push(`${f} (ext)`);
          }
        }
        assert.ok(raw > 0, `no objects with bpftool dumps in ${dir}`);
        assert.deepEqual(bad, [], `${bad.length} of ${raw} raw / ${ext} ext differ`);
      });
    }
  });
}
