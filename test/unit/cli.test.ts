// The built CLI as a user runs it: exit codes, one-line errors, bases, compressed input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { moveSection } from '../helpers/hostile';
import { cliPath, fixtureObj, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

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
    assert.equal(r.stderr, `btf-lens: ${join(tmp, 'nope.btf')}: offset 0 (0x0): no such file (ENOENT)\n`);
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
  it('split BTF on a base it was not built for: bpftool\'s dump, and an error naming the first type that does not fit', () => {
    const mod = join(repoRoot, 'test/fixtures/debian-6.1/regmap-sdw.btf');
    const base = join(fixtureObj, 'types.bpfel.btf');
    const r = run('dump', mod, '--base', base);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, readFileSync(join(golden, 'lsp/regmap-sdw.wrong-base.raw.txt'), 'utf8'));
    // The first five types are enums naming only the module's own strings; the sixth (at byte 204 of the
    // file: 24-byte header, then 44 + 52 + 20 + 28 + 36 bytes of enums) is a struct whose members refer to the kernel's types.
    assert.equal(r.stderr, `btf-lens: ${mod}: offset 204 (0xcc): split BTF does not fit its base: 1 of 1 names taken from the base point into the middle `
      + `of its strings, 120 type references point past the last type: is ${base} the base it was built against?\n`);
  });
  it('split BTF with --base: only the split types, IDs continuing', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const r = run('dump', join(sharedCorpus, 'modules/crypto__cast_common.btf'), '--base', join(sharedCorpus, 'vmlinux-6.1.btf'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[100751\] /);
  });
});

// disasm: llvm-objdump -d -r's text plus `;` note lines. The goldens were printed by llvm-objdump run in
// test/fixtures on `obj/<file>`, so the CLI is run there with the same relative path.
describe('btf-lens disasm', () => {
  const fixtures = join(repoRoot, 'test/fixtures');
  const runIn = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: fixtures, maxBuffer: 1 << 28 });
  const objs = readdirSync(join(golden, 'objdump')).filter((f) => f.endsWith('.o.raw.txt')).map((f) => f.slice(0, -'.raw.txt'.length)).sort();
  const stripNotes = (t: string) => t.replace(/^;.*\n/gm, '');
  it('has objdump goldens', () => assert.ok(objs.length >= 10));
  for (const o of objs) {
    it(`${o}: --objdump equals llvm-objdump -d -r; the annotated text minus its ; lines too`, () => {
      const want = readFileSync(join(golden, 'objdump', `${o}.raw.txt`), 'utf8');
      const plain = runIn('disasm', `obj/${o}`, '--objdump');
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(plain.stdout, want);
      const noRaw = runIn('disasm', `obj/${o}`, '--no-show-raw-insn');
      assert.equal(noRaw.status, 0, noRaw.stderr);
      assert.equal(stripNotes(noRaw.stdout), readFileSync(join(golden, 'objdump', `${o}.txt`), 'utf8'));
    });
  }
  it('notes carry every source line of line_info and every CO-RE relocation (core.bpfel.o vs ext_oracle)', () => {
    const r = runIn('disasm', 'obj/core.bpfel.o');
    assert.equal(r.status, 0, r.stderr);
    const ext = readFileSync(join(golden, 'ext/core.bpfel.o.txt'), 'utf8').split('\n');
    const notes = new Set(r.stdout.split('\n').filter((l) => l.startsWith(';')));
    let lines = 0;
    for (const l of ext) {
      const m = /^line_info \S+ insn_off=\d+ (.*):(\d+):(\d+) \| (.*)$/.exec(l);
      if (!m || m[2] === '0') continue;
      lines++;
      assert.ok(notes.has(`; ${m[2]}:${m[3]}${m[4]!.trim() ? '  ' + m[4]!.trim() : ''}`), `no note for ${l}`);
    }
    assert.ok(lines > 20);
    assert.ok(notes.has('; file ./src/core.c'));
    const relos = ext.filter((l) => l.startsWith('core_relo ')).length;
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('; CO-RE <')).length, relos);
    assert.match(r.stdout, /^; CO-RE <byte_off> \[\d+\] struct task_struct\.pid \(0:\d+ @ offset \d+\)$/m);
  });
  it('--section picks one section; an unknown one is one line naming the sections', () => {
    const r = runIn('disasm', 'obj/progs.bpfel.o', '--section', '.text', '--objdump');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.match(/^Disassembly of section .*$/gm), ['Disassembly of section .text:']);
    const bad = runIn('disasm', 'obj/progs.bpfel.o', '--section', 'nope');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^btf-lens: obj\/progs\.bpfel\.o: no code section nope \(code sections: .*\.text.*\)\n$/);
  });
  it('a non-BPF ELF is refused: exit 1, naming e_machine', () => {
    const r = runIn('disasm', 'obj/not_bpf.x86_64.o');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^btf-lens: obj\/not_bpf\.x86_64\.o: offset 18 \(0x12\): not a BPF object \(e_machine 62/m);
  });
  it('an executable section lying past the end of the file: exit 1, one line with its offset (llvm-objdump: exit 1 too)', () => {
    const obj = readFileSync(join(fixtures, 'obj/progs.bpfel.o'));
    for (const [what, at] of [['past the end', obj.length + 4096], ['across the end', obj.length - 16], ['at 2^40', 2 ** 40]] as const) {
      const f = join(tmp, 'text-past-end.o');
      writeFileSync(f, moveSection(obj, '.text', at));
      const r = runIn('disasm', f);
      assert.equal(r.status, 1, what);
      assert.equal(r.stderr, `btf-lens: ${f}: offset ${at} (0x${at.toString(16)}): section .text (272 bytes at offset ${at}) runs past the end of the file (${obj.length} bytes)\n`, what);
    }
  });
  it('a raw .btf is not disassemblable: exit 1, one line', () => {
    const r = runIn('disasm', 'obj/types.bpfel.btf');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^btf-lens: obj\/types\.bpfel\.btf: offset 0 \(0x0\): not an ELF object/);
  });
});
