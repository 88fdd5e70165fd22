/**
 * Emacs in batch mode with eglot (Debian's emacs + elpa-eglot 1.9) and the shipped client/emacs/btf-lens.el opens a
 * copy of test/workspace: the hover eglot renders on a BPF_CORE_READ member, and go to definition through eglot's
 * xref backend visiting the member's line in a `btf-lens:` buffer read through the server (editors/emacs-check.el
 * does it and writes what it saw). Skipped when emacs or eglot is missing (`.ci/run` installs both).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths';

// -q, not -Q: Debian's site-start puts its elpa packages (eglot) on the package path.
const probe = spawnSync('emacs', ['--batch', '-q', '--eval', '(progn (package-initialize) (require (quote eglot)) (princ emacs-version))'], { encoding: 'utf8' });
const emacs = probe.status === 0 ? probe.stdout.trim() : undefined;
const built = existsSync(join(repoRoot, 'dist/server.js'));
const skip = probe.error ? 'emacs not installed (apt-get install emacs-nox elpa-eglot)'
  : !emacs ? `eglot not loadable (apt-get install elpa-eglot): ${probe.stderr.trim().split('\n').pop()}`
  : !built ? 'dist/server.js not built (npm run build)' : false;

interface Seen {
  error?: string;
  ready?: boolean;
  hover?: string;
  definitions?: string[];
  definition?: { name: string; mode: string; readOnly: boolean; line: string; first: string };
}

test(`Emacs${emacs ? ` ${emacs}` : ''} + eglot with client/emacs/btf-lens.el: hover and go to definition`, { skip, timeout: 120_000 }, () => {
  const ws = mkdtempSync(join(tmpdir(), 'btf-lens-emacs-'));
  try {
    cpSync(join(repoRoot, 'test/workspace'), ws, { recursive: true });
    spawnSync('git', ['init', '-q', ws]); // project.el's project root (a VC root) is what eglot indexes
    const out = join(ws, 'seen.json');
    const r = spawnSync('emacs', ['--batch', '-q', '-L', join(repoRoot, 'client/emacs'), '-l', join(repoRoot, 'test/e2e/editors/emacs-check.el')], {
      cwd: ws, encoding: 'utf8', timeout: 110_000,
      env: { ...process.env, BTF_LENS_WS: ws, BTF_LENS_NODE: process.execPath, BTF_LENS_LS: join(repoRoot, 'server/bin/btf-lens-ls.js'), BTF_LENS_EMACS_OUT: out },
    });
    assert.ok(existsSync(out), `emacs wrote nothing (status ${r.status}): ${r.stderr}`);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Seen;
    assert.equal(seen.error, undefined, seen.error);
    assert.equal(seen.ready, true);

    // Hover: plain markdown (no command: link, fences eglot's markdown rendering knows).
    const hover = seen.hover ?? '';
    assert.ok(hover.startsWith('**pid** — member of `struct task_struct`\n\n```c\nint pid;\n```\n\noffset 8 · size 4 · bit offset 64\n'), hover);
    assert.ok(hover.includes('```asm\n      12:\tr1 = 8\n      17:\tr2 = 4\n      18:\tcall 113\n'), hover);
    assert.ok(!hover.includes('command:') && !hover.includes('bpf-asm'), hover);

    // Definition: both objects' struct task_struct, the first visited on the member's line, read-only.
    assert.deepEqual(seen.definitions, Array(2).fill('\tint pid;                         /* off: 8 (bit 64), size: 4 */'));
    const def = seen.definition!;
    assert.equal(def.name, `btf-lens://${join(ws, 'build/core.bpfeb.o').split('/').map(encodeURIComponent).join('/')}/@22/struct%20task_struct.btf.h`);
    assert.equal(def.line, '\tint pid;                         /* off: 8 (bit 64), size: 4 */');
    assert.equal(def.first, "/* [22] STRUCT 'task_struct' · build/core.bpfeb.o */\nstruct task_struct {");
    assert.deepEqual([def.mode, def.readOnly], ['btf-lens-type-mode', true]);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
