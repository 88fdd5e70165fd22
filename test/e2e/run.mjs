#!/usr/bin/env node
// The e2e suite (test/e2e/suite, mocha inside the extension host) in a real VS Code, over a copy of
// test/workspace. `npm test` runs it last.
//   Which VS Code: the desktop one that @vscode/test-electron downloads, where it can be downloaded
//   and shown (a display on Linux); otherwise VS Code 1.139 served by code-server (npm) in headless
//   Chromium (Debian), as installed by scripts/e2e-setup.mjs, through test/e2e/code-server-shim.mjs.
//   Neither available: the suite is skipped, saying why and how to get it (exit 0), unless
//   BTF_LENS_E2E=require (CI), where that is a failure.
// Environment: BTF_LENS_E2E=skip|require|auto (auto), BTF_LENS_E2E_BACKEND=auto|desktop|code-server,
//   BTF_LENS_VSCODE_VERSION (desktop: 'stable'), BTF_LENS_VSCODE_CACHE (code-server install dir),
//   VSCODE_TEST_EXECUTABLE (use this VS Code as is), BTF_LENS_E2E_GREP (mocha grep).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, findOfflineVSCode } from './lib/offline-vscode.mjs';
import { prepareWorkspace } from './lib/workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mode = process.env.BTF_LENS_E2E || 'auto';
const backend = process.env.BTF_LENS_E2E_BACKEND || 'auto';
const t0 = Date.now();
const say = (m) => console.log(`e2e: ${m}`);

function skip(why, how) {
  if (mode === 'require') {
    console.error(`e2e: FAILED: ${why} (BTF_LENS_E2E=require)${how ? `\n     ${how}` : ''}`);
    process.exit(1);
  }
  say(`SKIPPED -- ${why}`);
  if (how) say(`         ${how}`);
  process.exit(0);
}
if (mode === 'skip' || mode === '0') skip('BTF_LENS_E2E=skip');

// ---- the extension and the suite, built
if (!fs.existsSync(path.join(root, 'dist/extension.js')) || !fs.existsSync(path.join(root, 'dist/server.js'))) {
  if (spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
const outDir = path.join(root, 'out/e2e');
{
  const { build } = await import('esbuild');
  const suite = path.join(root, 'test/e2e/suite');
  await build({
    entryPoints: fs.readdirSync(suite).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => path.join(suite, f)),
    outdir: outDir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline',
    external: ['vscode', 'mocha'], logLevel: 'warning',
  });
}

// ---- the workspace: a copy of test/workspace plus what the suite needs that the server tests make at run time
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btf-lens-e2e-'));
const ws = path.join(tmp, 'ws');
const kernel = prepareWorkspace(root, ws);

const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });

// ---- which VS Code
async function resolveExecutable() {
  if (process.env.VSCODE_TEST_EXECUTABLE) return { exe: process.env.VSCODE_TEST_EXECUTABLE, kind: 'given' };
  const headlessLinux = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  if (backend === 'desktop' || (backend === 'auto' && !headlessLinux)) {
    try {
      const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
      const exe = await downloadAndUnzipVSCode({ version: process.env.BTF_LENS_VSCODE_VERSION || 'stable', cachePath: path.join(cacheDir(), 'desktop'), timeout: 30000 });
      return { exe, kind: 'desktop' };
    } catch (e) {
      if (backend === 'desktop') throw e;
      say(`desktop VS Code could not be downloaded (${String(e?.message ?? e).split('\n')[0]}); trying code-server`);
    }
  } else if (backend === 'auto') say('no display: using code-server in headless Chromium instead of the desktop VS Code');
  const found = findOfflineVSCode();
  if ('missing' in found) {
    cleanup();
    skip(`no VS Code to run in: ${found.missing}`, 'install one with `node scripts/e2e-setup.mjs` (apt: chromium, libkrb5-dev; npm: code-server, Node 24; ~2.5 min, into ~/.cache/vscode-test-offline)');
  }
  Object.assign(process.env, { CODE_SERVER_ENTRY: found.entry, CODE_SERVER_NODE: found.node, CHROMIUM: found.chromium });
  return { exe: path.join(root, 'test/e2e/code-server-shim.mjs'), kind: 'code-server' };
}

const { exe, kind } = await resolveExecutable();
say(`running the suite in ${kind === 'code-server' ? 'code-server (VS Code web workbench, Node extension host) + headless Chromium' : kind === 'desktop' ? 'desktop VS Code' : exe}; kernel BTF: ${kernel.kind}`);
const results = path.join(tmp, 'results.json');
const { runTests } = await import('@vscode/test-electron');
let failed = false;
try {
  await runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(outDir, 'index.js'),
    launchArgs: [ws, '--disable-extensions', `--user-data-dir=${path.join(tmp, 'ud')}`, `--extensions-dir=${path.join(tmp, 'ext')}`],
    extensionTestsEnv: {
      BTF_LENS_E2E_REPO: root, BTF_LENS_E2E_KERNEL: kernel.kind, BTF_LENS_E2E_KERNEL_PATH: kernel.path, BTF_LENS_E2E_RESULTS: results,
      ...(process.env.BTF_LENS_E2E_GREP ? { BTF_LENS_E2E_GREP: process.env.BTF_LENS_E2E_GREP } : {}),
    },
  });
} catch (e) {
  failed = true;
  console.error(`e2e: the run failed: ${e?.message ?? e}`);
}
let summary = '';
try {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  summary = `${r.passed.length} passed, ${r.failed.length} failed, ${r.pending.length} skipped`;
  if (r.failed.length) failed = true;
  if (r.metrics?.activation) say(`activation cost: ${JSON.stringify(r.metrics.activation)}`);
} catch { failed = true; summary = 'no results written (the suite did not run to its end)'; }
say(`${failed ? 'FAILED' : 'ok'}: ${summary} (${kind}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (!failed) cleanup(); else say(`workspace kept: ${ws}`);
process.exit(failed ? 1 : 0);
