/**
 * A headless Neovim (Debian's 0.7.2 here) with the shipped client/nvim config opens a copy of test/workspace and,
 * through Neovim's own LSP client, hovers a BPF_CORE_READ line, goes to a member's definition, opens a workspace
 * symbol, runs a code lens and reads the diagnostics (editors/nvim-check.lua does it and writes what it saw).
 * Skipped when nvim is not installed (`.ci/run` installs Debian's neovim).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const version = nvim.status === 0 ? nvim.stdout.split('\n')[0]! : undefined;
const built = existsSync(join(repoRoot, 'dist/server.js'));
const skip = !version ? 'nvim not installed (apt-get install neovim)' : !built ? 'dist/server.js not built (npm run build)' : false;

interface DocFacts { name: string; line: number; text: string; lines: string[] }
interface Seen {
  error?: string;
  attached: boolean;
  ready: boolean;
  hover?: string[];
  diagnostics?: { lnum: number; severity: number; message: string }[];
  lenses?: { line: number; title: string; command: string }[];
  lens_doc?: DocFacts;
  definition?: DocFacts;
  inner_definition?: DocFacts;
  symbols?: string[];
  symbol_doc?: { name: string; lines: string[] };
}

test(`Neovim (${version ?? 'absent'}) with client/nvim: hover, definition, workspace symbol, code lens, diagnostics`, { skip, timeout: 150_000 }, () => {
  const ws = mkdtempSync(join(tmpdir(), 'btf-lens-nvim-'));
  try {
    cpSync(join(repoRoot, 'test/workspace'), ws, { recursive: true });
    const out = join(ws, 'seen.json');
    const r = spawnSync('nvim', [
      '--headless', '-u', 'NONE', '-i', 'NONE', '-n',
      '--cmd', `set rtp^=${join(repoRoot, 'client/nvim')}`,
      '-c', `luafile ${join(repoRoot, 'test/e2e/editors/nvim-check.lua')}`,
    ], {
      cwd: ws, encoding: 'utf8', timeout: 140_000,
      env: { ...process.env, BTF_LENS_WS: ws, BTF_LENS_NODE: process.execPath, BTF_LENS_LS: join(repoRoot, 'server/bin/btf-lens-ls.js'), BTF_LENS_NVIM_OUT: out },
    });
    assert.ok(existsSync(out), `nvim wrote nothing (status ${r.status}, ${r.error ?? ''}): ${r.stderr}`);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Seen;
    assert.equal(seen.error, undefined, seen.error);
    assert.ok(seen.attached && seen.ready, 'the server started for core.c and indexed the workspace');
    const src = readFileSync(join(ws, 'src/core.c'), 'utf8').split('\n');
    const lineOf = (s: string) => src.findIndex((l) => l.includes(s));
    const docUri = (rel: string, tail: string) => `btf-lens://${join(ws, rel).split('/').map(encodeURIComponent).join('/')}/${tail}`;

    // Hover: the member block and the instructions, rendered — no fence line left, no command link.
    const hover = seen.hover ?? [];
    assert.deepEqual(hover.slice(0, 5), ['**pid** — member of `struct task_struct`', '', 'int pid;', '─'.repeat(58), 'offset 8 · size 4 · bit offset 64'], hover.join('\n'));
    assert.ok(hover.join('\n').includes('build/core.bpfel.o\n\n      12:\tr1 = 8\n      17:\tr2 = 4\n      18:\tcall 113\n'), hover.join('\n'));
    assert.ok(hover.includes('<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)'), hover.join('\n'));
    assert.deepEqual(hover.filter((l) => l.startsWith('```') || l.includes('command:')), []);

    // Go to definition: the member's line of struct task_struct, in a buffer named by the btf-lens:/// URI.
    assert.equal(seen.definition?.name, docUri('build/core.bpfeb.o', '@22/struct%20task_struct.btf.h'));
    assert.equal(seen.definition.text, '\tint pid;                         /* off: 8 (bit 64), size: 4 */');
    assert.equal(seen.definition.lines[1], 'struct task_struct {');
    // …and from there, on `mm_struct`, to that struct's document (the client is attached to btf-lens: buffers).
    assert.equal(seen.inner_definition?.name, docUri('build/core.bpfeb.o', '@61/struct%20mm_struct.btf.h'));
    assert.equal(seen.inner_definition.lines[0], "/* [61] STRUCT 'mm_struct' · build/core.bpfeb.o */");

    // Workspace symbol task_struct: a buffer holding the struct.
    assert.ok(seen.symbols?.includes('[Struct] task_struct'), JSON.stringify(seen.symbols));
    assert.match(seen.symbol_doc?.name ?? '', /^btf-lens:\/\/\/.*\/build\/core\.bpfe[bl]\.o\/@22\/struct%20task_struct\.btf\.h$/);
    assert.deepEqual(seen.symbol_doc!.lines.slice(1, 2), ['struct task_struct {']);

    // Code lenses above each BPF function; running one opens the function's disassembly.
    const fnLine = lineOf('int core_reads(void *ctx)');
    assert.deepEqual(seen.lenses?.filter((l) => l.line === fnLine), [
      { line: fnLine, title: 'kprobe/tcp_connect · 103 instructions · 10 CO-RE relocations · build/core.bpfeb.o', command: 'btf-lens.open' },
      { line: fnLine, title: 'kprobe/tcp_connect · 103 instructions · 10 CO-RE relocations · build/core.bpfel.o', command: 'btf-lens.open' },
    ]);
    assert.equal(seen.lens_doc?.name, docUri('build/core.bpfel.o', '@fn/core_reads.bpf-asm'));
    assert.deepEqual(seen.lens_doc.lines.slice(0, 2), ['; core_reads · kprobe/tcp_connect · build/core.bpfel.o', '; 103 instructions, 10 CO-RE relocations']);

    // Diagnostics: the relocations that fail on the workspace's 6.1 kernel (the configured CO-RE target).
    const diags = (seen.diagnostics ?? []).map((d) => [d.lnum, d.message]);
    assert.deepEqual(diags, [
      [lineOf('o->nr_tasks = cs->nr_tasks.counter;'), 'CO-RE relocation fails on vmlinux-6.1.0-56-amd64: <byte_off> [60] struct css_set.nr_tasks (0:0 @ offset 0): no matching field — load fails here'],
      [lineOf('(__u32)attr->raw[1];'), 'CO-RE relocation fails on vmlinux-6.1.0-56-amd64: <byte_off> [54] union bpf_attr___u.raw[1] (0:1:1 @ offset 8): no matching field — load fails here'],
    ]);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
