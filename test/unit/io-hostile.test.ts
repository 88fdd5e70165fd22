/**
 * Hostile files given to the CLI (issue 16): each refused with one line `btf-lens: FILE: offset N (0xN): why`,
 * exit 1, in bounded time and memory. Before the one opener (server/src/io) the CLI waited forever on a
 * FIFO, read /dev/zero until memory ran out, inflated every bomb in full, misread files and sections of
 * 2 GiB and more with a JavaScript error, and said nothing true about link loops and dangling links.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FAR, GiB, MiB, elfHead, gzipBomb, hostileFixtures, hugeSectionElf, mkfifo, sparseFile, zstdBomb } from '../helpers/hostile-fs';
import { cliPath, fixtureObj, repoRoot } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI on `file`, killed after `ms` (what was a hang becomes a failure, not a stuck test run). */
function run(file: string, env: Record<string, string> = {}, ms = 20000): Promise<Run> {
  const t = Date.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [cliPath, 'dump', file], { timeout: ms, killSignal: 'SIGKILL', env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - t }));
  });
}

/** Exit 1 and exactly one stderr line `btf-lens: FILE: offset N (0xN): <what>`, what matching `why`. */
function assertRefused(r: Run, file: string, why: RegExp, offset = 0): void {
  assert.equal(r.signal, null, `killed after ${r.ms} ms (a hang or runaway memory)`);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  const prefix = `btf-lens: ${file}: offset ${offset} (0x${offset.toString(16)}): `;
  assert.ok(lines[0]!.startsWith(prefix), lines[0]);
  assert.match(lines[0]!.slice(prefix.length), why);
  assert.doesNotMatch(r.stderr, /\n\s+at |RangeError|TypeError/, 'no stack trace, no JavaScript error');
}

// Each case is a process of its own: they run side by side.
describe('hostile files on the CLI', { concurrency: 4 }, () => {
  const fifo = join(tmp, 'p.btf');
  const haveFifo = mkfifo(fifo);

  it('a FIFO is refused, not waited on', { skip: !haveFifo && 'no mkfifo here' }, async () => {
    assertRefused(await run(fifo, {}, 10000), fifo, /^a FIFO \(named pipe\): not a regular file$/);
  });

  it('a FIFO through a symbolic link is refused too', { skip: !haveFifo && 'no mkfifo here' }, async () => {
    const link = join(tmp, 'pl.btf');
    symlinkSync('p.btf', link);
    assertRefused(await run(link, {}, 10000), link, new RegExp(`^links to ${fifo.replace(/[.\\/]/g, '\\$&')}, a FIFO \\(named pipe\\): not a regular file$`));
  });

  it('a link to /dev/zero is refused before anything is read', { skip: process.platform === 'win32' && 'no /dev/zero' }, async () => {
    const link = join(tmp, 'z.btf');
    symlinkSync('/dev/zero', link);
    const r = await run(link, {}, 10000);
    assertRefused(r, link, /^links to \/dev\/zero, a character device: not a regular file$/);
  });

  it('a symbolic link loop is named, link by link', async () => {
    const a = join(tmp, 'loop-a.btf');
    const b = join(tmp, 'loop-b.btf');
    symlinkSync('loop-b.btf', a);
    symlinkSync('loop-a.btf', b);
    assertRefused(await run(a), a, new RegExp(`^symbolic link loop: ${a} → ${b} → ${a}$`.replace(/[.]/g, '\\.')));
  });

  it('a dangling symbolic link says where it points', async () => {
    const d = join(tmp, 'dangling.btf');
    symlinkSync('nowhere.btf', d);
    assertRefused(await run(d), d, new RegExp(`^dangling symbolic link: ${d} → ${join(tmp, 'nowhere.btf')}, which does not exist$`.replace(/[.]/g, '\\.')));
  });

  it('an OS error is one line in the FILE: offset form', async () => {
    const missing = join(tmp, 'missing.btf');
    assertRefused(await run(missing), missing, /^no such file \(ENOENT\)$/);
  });

  // Bombs of zeros: refused on their first output bytes (neither ELF nor BTF), never inflated in full.
  const bombs: [string, () => Buffer | string][] = [
    ['gzip', () => gzipBomb(GiB)],
    ['zstd', () => zstdBomb(GiB)],
    ['zstd (size declared in the frame)', () => zstdBomb(512 * MiB, { declare: true })],
    ['xz', () => join(hostileFixtures, 'zeros-256m.ko.xz')],
  ];
  for (const [name, make] of bombs) {
    it(`a ${name} bomb is refused on its first bytes`, async () => {
      const made = make();
      const file = typeof made === 'string' ? made : join(tmp, `bomb-${name.split(' ')[0]}.ko`);
      if (typeof made !== 'string') writeFileSync(file, made);
      const kind = name.split(' ')[0];
      const r = await run(file);
      assertRefused(r, file, new RegExp(`^${kind} data inflates to neither ELF nor BTF \\(it starts with 00 00 00 00\\): not read further$`));
    });
  }

  // Bombs that start like an ELF whose section table lies past the limit: inflated only up to the limit
  // (8 MiB here, 1 GiB by default).
  const far = () => elfHead({ tableAt: FAR });
  const elfBombs: [string, () => Buffer | string, RegExp][] = [
    ['gzip', () => gzipBomb(64 * MiB, far()), /^gzip data inflates to more than the limit of 8388608 bytes \(8 MiB\) per input \(BTF_LENS_MAX_INPUT\): not read$/],
    ['zstd', () => zstdBomb(64 * MiB, { head: far() }), /^zstd data inflates to more than the limit of 8388608 bytes \(8 MiB\) per input \(BTF_LENS_MAX_INPUT\): not read$/],
    ['zstd (size declared)', () => zstdBomb(64 * MiB, { head: far(), declare: true }), /^zstd frames declare 67108928 bytes, over the limit of 8388608 bytes \(8 MiB\) per input \(BTF_LENS_MAX_INPUT\): not read$/],
    ['xz', () => join(hostileFixtures, 'elf-far-table-64m.ko.xz'), /^xz data inflates to more than the limit of 8388608 bytes \(8 MiB\) per input \(BTF_LENS_MAX_INPUT\): not read$/],
  ];
  for (const [name, make, why] of elfBombs) {
    it(`a ${name} bomb behind an ELF header stops at the input limit`, async () => {
      const made = make();
      const file = typeof made === 'string' ? made : join(tmp, `elf-bomb-${name.split(' ')[0]}-${name.length}.ko`);
      if (typeof made !== 'string') writeFileSync(file, made);
      assertRefused(await run(file, { BTF_LENS_MAX_INPUT: '8M' }), file, why);
    });
  }

  // Bombs behind a real ELF header: its section table (zeros, a few KB in) says where the ELF ends, and
  // inflating stops there (was: on to the 1 GiB limit, seconds of work); what is read is an ELF without BTF.
  const endedBombs: [string, () => Buffer | string][] = [
    ['gzip', () => gzipBomb(GiB, elfHead())],
    ['zstd', () => zstdBomb(GiB, { head: elfHead() })],
    ['xz', () => join(hostileFixtures, 'elf-zeros-64m.ko.xz')],
  ];
  for (const [name, make] of endedBombs) {
    it(`a ${name} bomb behind a real ELF header stops where that ELF ends`, async () => {
      const made = make();
      const file = typeof made === 'string' ? made : join(tmp, `ended-bomb-${name}.ko`);
      if (typeof made !== 'string') writeFileSync(file, made);
      const r = await run(file, { BTF_LENS_MAX_INPUT: '32M' });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr, `btf-lens: warning: ${file}: offset 0 (0x0): no .BTF section (built without -g?): no types, no .BTF.ext\nbtf-lens: ${file}: offset 0 (0x0): no BTF in this file\n`);
    });
  }

  it('the time budget per input holds in the CLI too (it inflates in-process): a bomb behind an ELF header given 200 ms', async () => {
    const file = join(tmp, 'slow-elf-bomb.ko.gz');
    writeFileSync(file, gzipBomb(GiB, elfHead({ tableAt: FAR })));
    const r = await run(file, { BTF_LENS_MAX_INFLATE_TIME: '200ms' });
    assertRefused(r, file, /^gzip data takes longer to inflate than the limit of 200 ms per input \(BTF_LENS_MAX_INFLATE_TIME\): not read$/);
    assert.ok(r.ms < 4000, `gave up after ${r.ms} ms`);
  });

  it('a sparse raw BTF over 4 GiB with a valid header: refused with its true size', async (t) => {
    const file = sparseFile(join(tmp, 'big.btf'), readFileSync(join(repoRoot, 'test/fixtures/core-targets/btf/moved.btf')), 4 * GiB + 100);
    if (!file) return t.skip(`${tmpdir()} does not hold sparse files`);
    assertRefused(await run(file), file, /^raw BTF file \(read whole\) of 4294967396 bytes \(4\.0 GiB\) is over the limit of 1073741824 bytes \(1 GiB\) per input \(BTF_LENS_MAX_INPUT\)$/);
  });

  it('a 3 GiB .BTF section: "too large" at the section, not a JavaScript error', async (t) => {
    const file = hugeSectionElf(join(fixtureObj, 'types.bpfel.o'), join(tmp, 'huge-section.o'), 3 * GiB);
    if (!file) return t.skip(`${tmpdir()} does not hold sparse files`);
    const r = await run(file);
    const at = /offset (\d+) \(/.exec(r.stderr)?.[1];
    assertRefused(r, file, new RegExp(`^3221225472 bytes \\(3 GiB\\) at offset ${at} are over the limit of 1073741824 bytes \\(1 GiB\\) per input \\(BTF_LENS_MAX_INPUT\\)$`), Number(at ?? -1));
  });

  it('a compressed real input still reads as the plain one', async () => {
    const plain = join(fixtureObj, 'types.bpfel.o');
    const want = await run(plain);
    assert.equal(want.status, 0, want.stderr);
    const gz = join(tmp, 'types.bpfel.o.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const got = await run(gz);
    assert.equal(got.status, 0, got.stderr);
    assert.equal(got.stdout, want.stdout);
  });
});
