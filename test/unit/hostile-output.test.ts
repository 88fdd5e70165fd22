// What a hostile file can make BTF Lens print: problem lines stay one line each with their control
// characters escaped (CLI stderr, server diagnostics); our own bugs are one line without a stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileDiagnostics } from '../../server/src/lsp/diagnostics';
import { type IndexedFile, readIndexedFile } from '../../server/src/lsp/model';
import { formatProblem, oneLine } from '../../server/src/core/util/problems';
import { bigSectionsObject, bigSizesBtf } from '../helpers/big-sizes';
import { HOSTILE_NAME, renameDatasec } from '../helpers/hostile';
import { cliPath, fixtureObj, repoRoot } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-hostile-'));
const run = (args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) =>
  spawnSync(process.execPath, [...nodeArgs, cliPath, ...args], { encoding: 'utf8', env: { ...process.env, BTF_LENS_DEBUG: '', ...env } });
const targets = join(repoRoot, 'test/fixtures/core-targets');
/** No terminal control at all: C0 (but the final newlines), DEL, C1, bidi overrides. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** Every stderr line is a problem line of `file` or the one allowed form, and nothing in it drives a terminal. */
function assertOneLineEach(stderr: string, lines: number): void {
  assert.doesNotMatch(stderr, CONTROL);
  const got = stderr.split('\n');
  assert.equal(got.pop(), '');
  assert.equal(got.length, lines, stderr);
  for (const l of got) assert.match(l, /^btf-lens: /);
}

describe('hostile names in problem lines', () => {
  it('a DATASEC named with a newline, a forged line and an OSC title: one escaped line (core)', () => {
    const obj = join(tmp, 'datasec_evil.o');
    writeFileSync(obj, renameDatasec(readFileSync(join(targets, 'obj/corex.bpfel.o')), 'license', HOSTILE_NAME));
    const r = run(['core', obj, '--target', join(targets, 'btf/same.btf')]);
    assert.equal(r.status, 1);
    assertOneLineEach(r.stderr, 1);
    assert.equal(r.stderr, `btf-lens: ${obj}: offset 0 (0x0): libbpf cannot open this object: no ELF section for DATASEC `
      + `'x\\nbtf-lens: /etc/shadow: offset 0 (0x0): forged\\x1b]0;title\\x07\\x9b31m\\u{202e}'\n`);
  });
  it('check: hostile names on stdout as libbpf logs them, each problem one escaped line on stderr', () => {
    const obj = join(tmp, 'datasec_evil.o');
    writeFileSync(obj, renameDatasec(readFileSync(join(targets, 'obj/corex.bpfel.o')), 'license', HOSTILE_NAME));
    const r = run(['check', obj, '--target', join(targets, 'btf/same.btf')]);
    assert.equal(r.status, 1);
    assertOneLineEach(r.stderr, 1);
    assert.equal(r.stdout, `looking for externs among 41 symbols...\ncollected 0 externs total\nsec '${HOSTILE_NAME}': failed to determine size from ELF: size 0, err -2\n`);
  });
  it('the same name is printed raw on stdout by dump, as bpftool prints it', () => {
    const obj = join(tmp, 'datasec_evil.o');
    writeFileSync(obj, renameDatasec(readFileSync(join(targets, 'obj/corex.bpfel.o')), 'license', HOSTILE_NAME));
    const r = run(['dump', obj]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`[62] DATASEC '${HOSTILE_NAME}' size=0 vlen=1\n`));
    // bpftool itself, where installed: the same bytes
    const bpftool = spawnSync('bpftool', ['btf', 'dump', 'file', obj], { encoding: 'utf8' });
    if (bpftool.status === 0) assert.equal(r.stdout, bpftool.stdout);
  });
  it('a file name with control characters: escaped in every problem line (dump of garbage)', () => {
    const f = join(tmp, 'a\nbtf-lens: forged\x1b]0;t\x07.btf');
    writeFileSync(f, new Uint8Array(64).fill(0x41));
    const r = run(['dump', f]);
    assert.equal(r.status, 1);
    assertOneLineEach(r.stderr, 1);
    assert.ok(r.stderr.startsWith(`btf-lens: ${join(tmp, 'a\\nbtf-lens: forged\\x1b]0;t\\x07.btf')}: offset 0 (0x0): `), r.stderr);
  });
  it('server diagnostics of a file: the same one line', () => {
    const f = { label: 'obj/evil.o', problems: [{ file: '/w/obj/evil.o', offset: 16, severity: 'error', message: `no ELF section for DATASEC '${HOSTILE_NAME}'` }] } as IndexedFile;
    const [d] = fileDiagnostics(f);
    assert.equal(d!.message, 'obj/evil.o: offset 16 (0x10): no ELF section for DATASEC '
      + `'x\\nbtf-lens: /etc/shadow: offset 0 (0x0): forged\\x1b]0;title\\x07\\x9b31m\\u{202e}'`);
  });
  it('the rule: control characters escaped, everything else (UTF-8 names, backslashes, quotes) kept', () => {
    assert.equal(oneLine('a\tb\r\n\x00\x7f\u0085\u2028\u2066é€\\n\'"'), 'a\\tb\\r\\n\\x00\\x7f\\x85\\u{2028}\\u{2066}é€\\n\'"');
    assert.equal(formatProblem({ offset: 255, severity: 'warning', message: 'm\n' }, 'f\x1b'), 'f\\x1b: offset 255 (0xff): m\\n');
  });
});

describe('our own bugs: one line, no stack', () => {
  // A planted bug: every DataView read throws, as a bug of ours in the decoder would.
  const plant = ['--import', 'data:text/javascript,DataView.prototype.getUint32=function(){throw new Error("planted bug")}'];
  const file = join(fixtureObj, 'types.bpfel.btf');
  it('CLI: "internal error in BTF Lens while reading FILE", exit 1', () => {
    const r = run(['dump', file], {}, plant);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `btf-lens: internal error in BTF Lens while reading ${file}\n`);
  });
  it('CLI with BTF_LENS_DEBUG=1: the stack follows', () => {
    const r = run(['dump', file], { BTF_LENS_DEBUG: '1' }, plant);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^btf-lens: internal error in BTF Lens while reading .*\nError: planted bug\n {4}at /);
  });
  it('server: the same line as a problem on the file, the stack in the log only', async () => {
    const f = { path: file, label: 'types.bpfel.btf', problems: [], state: 'pending', generation: 1, mtimeMs: 0, missingBase: false, uri: '', kind: 'btf' } as unknown as IndexedFile;
    const logged: string[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => void logged.push(a.join(' '));
    try {
      await readIndexedFile(f, () => { throw new Error('planted bug'); });
    } finally {
      console.error = error;
    }
    assert.deepEqual(f.problems.map((p) => p.message), ['internal error in BTF Lens while reading types.bpfel.btf']);
    assert.match(logged.join('\n'), /planted bug\n {4}at /);
    assert.equal(f.state, 'failed');
  });
});

describe('sizes and offsets at the edge of their fields: printed exactly, as bpftool prints them', () => {
  const f = join(tmp, 'big.btf');
  writeFileSync(f, bigSizesBtf());
  const goldenDir = join(repoRoot, 'test/golden/big-sizes'); // make.sh: bpftool's dumps of the same BTF
  it('raw dump: bpftool\'s text (u32 sizes and bit offsets, ENUM64 values to 2^64-1)', () => {
    const r = run(['dump', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(goldenDir, 'big.raw.txt'), 'utf8'));
  });
  it('C dump: bpftool\'s text, no padding where libbpf\'s int arithmetic wraps (not 2^29 lines of `long: 64;`)', () => {
    const r = run(['dump', f, '--format', 'c']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(goldenDir, 'big.h'), 'utf8'));
  });
  it('JSON: ENUM64 values as exact decimal strings, u32 fields as numbers', () => {
    const j = JSON.parse(run(['dump', f, '--format', 'json']).stdout);
    assert.deepEqual(j.types[4].values.map((v: { value: string }) => v.value), [String(2n ** 64n - 1n), String(2n ** 53n + 1n), String(2n ** 63n)]);
    assert.deepEqual(j.types[6].vars, [{ type: 6, offset: 2 ** 32 - 5, size: 4 }]);
    assert.equal(j.types[7].values[0].value, String(-(2n ** 63n)));
  });
  it('layout: an array of 2^32-1 structs of 2^32-1 bytes is (2^32-1)^2 bytes, not a float near it', () => {
    const r = run(['layout', f, 'H']);
    assert.match(r.stdout, new RegExp(`^\\tstruct Big a\\[4294967295\\]; +/\\* +0 ${(2n ** 32n - 1n) ** 2n} \\*/$`, 'm'));
  });
  it('info: ELF section sizes of 2^64-8 and 2^53+1 as readelf has them, and a problem each (they run past the end)', () => {
    const o = join(tmp, 'big-sections.o');
    const bytes = bigSectionsObject(readFileSync(join(fixtureObj, 'progs.bpfel.o')));
    writeFileSync(o, bytes);
    const r = run(['info', o]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^ {2}\[\d+\] socket type=1 size=18446744073709551608 exec$/m);
    assert.match(r.stdout, /^ {2}\[\d+\] perf_event type=1 size=9007199254740993 exec$/m);
    assert.match(r.stderr, /: section socket \(18446744073709551608 bytes at offset \d+\) runs past the end of the file \(\d+ bytes\)\n/);
    assert.match(r.stderr, /: section perf_event \(9007199254740993 bytes at offset \d+\) runs past the end of the file/);
  });
});
