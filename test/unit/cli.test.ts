// The built CLI as a user runs it: exit codes, one-line errors, bases, compressed input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cliPath, fixtureObj, golden, hasCorpus, sharedCorpus } from '../helpers/paths';

const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-cli-'));

describe('btf-lens CLI', () => {
  it('dump prints bpftool raw text', () => {
    const r = run('dump', join(fixtureObj, 'types.bpfeb.o'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'raw/types.bpfeb.o.txt'), 'utf8'));
  });
  it('ext prints libbpf records', () => {
    const r = run('ext', join(fixtureObj, 'progs.bpfel.o'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'ext/progs.bpfel.o.txt'), 'utf8'));
  });
  it('dump --format json is parseable and complete', () => {
    const r = run('dump', join(fixtureObj, 'enums.bpfel.o'), '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const rawLines = readFileSync(join(golden, 'raw/enums.bpfel.o.txt'), 'utf8').split('\n').filter((l) => l.startsWith('['));
    assert.equal(j.types.length, rawLines.length);
    assert.equal(j.byteOrder, 'little');
  });
  it('info names programs, maps and license of an object', () => {
    const r = run('info', join(fixtureObj, 'maps.bpfel.o'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kind: bpf-object$/m);
    assert.match(r.stdout, /^license: /m);
    assert.match(r.stdout, /^maps:$/m);
    assert.match(r.stdout, /type=ringbuf/);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /offset 0 .*neither BTF/],
    ['truncated-btf', readFileSync(join(fixtureObj, 'types.bpfel.btf')).subarray(0, 100), /offset \d+ \(0x[0-9a-f]+\): .*(truncated|past the end|needs)/],
    ['truncated-elf', readFileSync(join(fixtureObj, 'types.bpfel.o')).subarray(0, 300), /offset \d+ \(0x[0-9a-f]+\): /],
    ['garbage', new Uint8Array(4096).fill(0x41), /neither BTF/],
  ];
  for (const [name, bytes, re] of bad) {
    it(`bad input (${name}): exit 1, messages naming file and offset, no stack trace`, () => {
      const f = join(tmp, name);
      writeFileSync(f, bytes);
      const r = run('dump', f);
      assert.equal(r.status, 1);
      assert.match(r.stderr, re);
      for (const line of r.stderr.trim().split('\n')) assert.match(line, new RegExp(`^btf-lens: (warning: )?${f.replace(/[/.]/g, '\\$&')}: offset \\d+`));
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    });
  }
  it('a non-BPF .o: no BTF, exit 1, clear message', () => {
    const r = run('dump', join(fixtureObj, 'not_bpf.x86_64.o'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no \.BTF section/);
  });
  it('a missing file: one line', () => {
    const r = run('dump', join(tmp, 'nope.btf'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `btf-lens: ${join(tmp, 'nope.btf')}: no such file\n`);
  });
  it('gzip input is read', () => {
    const f = join(tmp, 'x.btf.gz');
    writeFileSync(f, gzipSync(readFileSync(join(fixtureObj, 'types.bpfeb.btf'))));
    const r = run('dump', f);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'raw/types.bpfeb.btf.txt'), 'utf8'));
  });
  it('split BTF without its base: says so', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const r = run('dump', join(sharedCorpus, 'modules/lib__crc16.btf'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /split BTF.*--base/);
  });
  it('split BTF with --base: only the split types, IDs continuing', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const r = run('dump', join(sharedCorpus, 'modules/crypto__cast_common.btf'), '--base', join(sharedCorpus, 'vmlinux-6.1.btf'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[100751\] /);
  });
});
