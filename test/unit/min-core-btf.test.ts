import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { openBtfBytes } from '../../server/src/core/input';
import { minCoreBtf } from '../../server/src/core/write/min-core-btf';
import { cliPath, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

/**
 * `gen min-core-btf` against bpftool 7.1's `gen min_core_btf` (test/golden/min-core-btf/make.sh): the same
 * bytes where bpftool writes a file, a failure where bpftool fails.
 */
const G = join(golden, 'min-core-btf');
const cases = readFileSync(join(G, 'cases.tsv'), 'utf8').trim().split('\n').map((l) => {
  const [name, target, objs] = l.split('\t');
  return { name: name!, target: target!, objs: objs!.split(' ') };
});

const cache = new Map<string, Btf>();
function target(path: string): Btf {
  let b = cache.get(path);
  if (!b) cache.set(path, (b = Btf.parse(new Uint8Array(readFileSync(path)), { file: path })));
  return b;
}

describe('gen min-core-btf: byte for byte what bpftool writes', () => {
  it('has the goldens', () => assert.ok(cases.length >= 100, `${cases.length} cases`));
  for (const c of cases) {
    const corpus = c.target.startsWith('$CORPUS');
    const tpath = corpus ? c.target.replace('$CORPUS', sharedCorpus) : join(repoRoot, c.target);
    it(c.name, { skip: corpus && !existsSync(tpath) ? `no corpus at ${sharedCorpus}` : false }, () => {
      const objects = c.objs.map((o) => ({ file: o, input: openBtfBytes(new Uint8Array(readFileSync(join(repoRoot, o))), { file: o }) }));
      const r = minCoreBtf(target(tpath), objects);
      const fail = join(G, `${c.name}.fail`);
      if (existsSync(fail)) {
        const text = readFileSync(fail, 'utf8');
        assert.equal(r.bytes, undefined, `bpftool fails: ${text}`);
        // the failing object is named, as bpftool names it
        const named = /error recording relocations for (\S+):/.exec(text)?.[1];
        if (named) assert.ok(r.error.includes(named), `${r.error} names ${named}`);
        // and says why as libbpf said it
        const why = /^libbpf: (.*)$/m.exec(text)?.[1];
        if (why) assert.ok(r.error.includes(why.trim()), `${r.error} says ${why}`);
        return;
      }
      assert.equal(r.error, undefined);
      const want = readFileSync(join(G, `${c.name}.btf`));
      if (!Buffer.from(r.bytes!).equals(want)) {
        // show the difference as types, then as bytes
        const got = Btf.parse(r.bytes!);
        const exp = Btf.parse(new Uint8Array(want));
        assert.equal(got.typeCount, exp.typeCount, 'type count');
        assert.deepEqual(Buffer.from(r.bytes!), want);
      }
    });
  }
});

describe('gen min-core-btf: the corpus goldens are there', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  it('both kernels', () => assert.ok(cases.some((c) => c.target === '$CORPUS/vmlinux-6.18.btf')));
});

describe('btf-lens gen min-core-btf (the CLI)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: repoRoot });
  it('writes OUT, bpftool\'s bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-lens-gen-'));
    try {
      const out = join(dir, 'out.btf');
      const r = run('gen', 'min-core-btf', 'test/fixtures/core-targets/btf/same.btf', out, 'test/fixtures/obj/core.bpfel.o', 'test/fixtures/obj/progs.bpfel.o', 'test/fixtures/core-targets/obj/corex.bpfel.o');
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.ok(readFileSync(out).equals(readFileSync(join(G, 'multi__same.btf'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('where bpftool fails: one line naming the object and the relocation, exit 1, no OUT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-lens-gen-'));
    try {
      const out = join(dir, 'out.btf');
      const r = run('gen', 'min-core-btf', 'test/fixtures/core-targets/btf/ambiguous.btf', out, 'test/fixtures/obj/core.bpfel.o');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^btf-lens: error recording relocations: test\/fixtures\/obj\/core\.bpfel\.o: section 'kprobe\/tcp_connect' relo #0 \(byte_off \[\d+\] \S+ \+ [0-9:]+\): libbpf fails this relocation \(EINVAL\): prog 'kprobe\/tcp_connect': relo #0: field offset ambiguity: 128 != 64\n$/);
      assert.equal(existsSync(out), false);
      const noext = run('gen', 'min-core-btf', 'test/fixtures/core-targets/btf/same.btf', out, 'test/fixtures/obj/types.noext.bpfel.o');
      assert.equal(noext.status, 1);
      assert.equal(noext.stderr, "btf-lens: error recording relocations: failed to parse BPF object 'test/fixtures/obj/types.noext.bpfel.o': section .BTF.ext not found\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a split TARGET without --base: a sentence asking for it', () => {
    const r = run('gen', 'min-core-btf', 'test/fixtures/core-targets/btf/module.btf', '/nonexistent/out', 'test/fixtures/obj/core.bpfel.o');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^btf-lens: .*module\.btf: .*\n$/);
  });
});

describe('gen min-core-btf: bad input is an answer, never a throw', () => {
  it('truncated and garbled objects and targets', () => {
    const obj = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/obj/core.bpfel.o')));
    const tgt = new Uint8Array(readFileSync(join(repoRoot, 'test/fixtures/core-targets/btf/same.btf')));
    for (let cut = 0; cut < obj.length; cut += 97) {
      const bad = obj.slice(0, cut);
      const r = minCoreBtf(Btf.parse(tgt), [{ file: 'cut.o', input: openBtfBytes(bad, { file: 'cut.o' }) }]);
      assert.ok(r.bytes || r.error);
    }
    for (let i = 0; i < 200; i++) {
      const t = tgt.slice();
      // flip bytes in the type section: kinds, vlens and IDs that lie
      for (let k = 0; k < 4; k++) t[24 + ((i * 7919 + k * 104729) % (t.length - 24))] ^= 0xff >> k;
      const r = minCoreBtf(Btf.parse(t), [{ file: 'core.o', input: openBtfBytes(obj, { file: 'core.o' }) }]);
      assert.ok(r.bytes || r.error);
      assert.doesNotMatch(r.error ?? '', /internal error/);
    }
  });
});
