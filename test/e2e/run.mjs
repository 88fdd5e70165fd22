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
//   VSCODE_TEST_EXECUTABLE (use this VS Code as is), BTF_LENS_E2E_GREP (mocha grep),
//   BTF_LENS_E2E_SCENARIOS (main,defaults): which runs, each in its own VS Code:
//     main      the extension from this tree (extensionDevelopmentPath) over the workspace copy, its
//               .vscode/settings.json setting btfLens.kernelBtf;
//     defaults  the packaged .vsix (scripts/package.mjs) installed with the VS Code's own CLI, a workspace
//               and user settings naming no btfLens.* key (btfLens.kernelBtf in the user settings only where
//               /sys/kernel/btf/vmlinux is absent); BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE=1 rewrites
//               test/fixtures/settings/vscode-unset.json from what this VS Code sent.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, findOfflineVSCode } from './lib/offline-vscode.mjs';
import { pickKernel, prepareWorkspace } from './lib/workspace.mjs';

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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btf-lens-e2e-'));
const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
const scenarios = (process.env.BTF_LENS_E2E_SCENARIOS || 'main,defaults').split(',').map((x) => x.trim()).filter(Boolean);

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
say(`running in ${kind === 'code-server' ? 'code-server (VS Code web workbench, Node extension host) + headless Chromium' : kind === 'desktop' ? 'desktop VS Code' : exe}; scenarios: ${scenarios.join(', ')}`);
const { runTests, resolveCliArgsFromVSCodeExecutablePath } = await import('@vscode/test-electron');

/** The byte offset of task_struct.pid in a kernel BTF, as bpftool dumps it; '' without bpftool. */
function pidOffsetByBpftool(btf) {
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', btf, 'format', 'raw'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 || !r.stdout) return '';
  const m = /^\[\d+\] STRUCT 'task_struct' [^\n]*\n((?:\t[^\n]*\n)*)/m.exec(r.stdout);
  const bits = m && /^\t'pid' type_id=\d+ bits_offset=(\d+)/m.exec(m[1]);
  return bits ? String(Number(bits[1]) / 8) : '';
}

/** Installs a .vsix into `extDir` with the VS Code's own CLI (code-server's, or the desktop one). */
function installVsix(vsix, extDir, dir) {
  const [cmd, ...args] = kind === 'code-server'
    ? [process.env.CODE_SERVER_NODE, process.env.CODE_SERVER_ENTRY, '--user-data-dir', path.join(dir, 'ud-cli')]
    : resolveCliArgsFromVSCodeExecutablePath(exe);
  const r = spawnSync(cmd, [...args, '--extensions-dir', extDir, '--install-extension', vsix], {
    encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data') },
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stdout}${r.stderr}`);
}

/** One scenario: its workspace, VS Code arguments and environment. */
function prepare(name) {
  const dir = path.join(tmp, name);
  const ws = path.join(dir, 'ws');
  const ud = path.join(dir, 'ud');
  const ext = path.join(dir, 'ext');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.mkdirSync(ext, { recursive: true });
  if (name === 'main') {
    const kernel = prepareWorkspace(root, ws);
    return { ws, env: { BTF_LENS_E2E_KERNEL: kernel.kind, BTF_LENS_E2E_KERNEL_PATH: kernel.path }, devPath: root,
      launchArgs: [ws, '--disable-extensions', `--user-data-dir=${ud}`, `--extensions-dir=${ext}`], about: `kernel BTF: ${kernel.kind}` };
  }
  if (name === 'defaults') {
    const sys = '/sys/kernel/btf/vmlinux';
    const kernel = fs.existsSync(sys) ? { kind: 'sys', path: sys } : pickKernel(root);
    if (kernel.kind === 'none') return { skip: 'no kernel BTF (neither /sys/kernel/btf/vmlinux nor ../shared/corpus/vmlinux-6.1.btf)' };
    prepareWorkspace(root, ws, { kernel, kernelSetting: false });
    // User settings: none of ours, but where the machine has no kernel BTF, the one the test brings.
    fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify(kernel.kind === 'sys' ? {} : { 'btfLens.kernelBtf': kernel.path }, null, 2));
    const t = Date.now();
    const vsix = path.join(dir, 'btf-lens.vsix');
    const p = spawnSync(process.execPath, [path.join(root, 'scripts/package.mjs'), vsix], { cwd: root, encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`scripts/package.mjs failed:\n${p.stdout}${p.stderr}`);
    installVsix(vsix, ext, dir);
    const pid = pidOffsetByBpftool(kernel.path);
    // extensionDevelopmentPath: the suite's folder, which holds no extension (the installed one runs); VS Code
    // runs extensionTestsPath only in extension development mode.
    return { ws, env: { BTF_LENS_E2E_KERNEL: kernel.kind, BTF_LENS_E2E_KERNEL_PATH: kernel.path, BTF_LENS_E2E_FROM: 'vsix', BTF_LENS_E2E_PID_OFFSET: pid,
      ...(process.env.BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE ? { BTF_LENS_E2E_WRITE_SETTINGS_FIXTURE: '1' } : {}) },
    devPath: outDir, launchArgs: [ws, `--user-data-dir=${ud}`, `--extensions-dir=${ext}`],
    about: `kernel BTF: ${kernel.kind}, .vsix packaged and installed in ${((Date.now() - t) / 1000).toFixed(1)} s, task_struct.pid by bpftool: ${pid || 'no bpftool'}` };
  }
  throw new Error(`unknown scenario ${name} (BTF_LENS_E2E_SCENARIOS: main, defaults)`);
}

let failed = false;
const summaries = [];
const metrics = [];
for (const name of scenarios) {
  const t = Date.now();
  let sc;
  try { sc = prepare(name); } catch (e) { failed = true; console.error(`e2e: ${name}: ${e.message}`); summaries.push(`${name}: could not be prepared`); continue; }
  if (sc.skip) { say(`${name}: SKIPPED -- ${sc.skip}`); summaries.push(`${name}: skipped`); continue; }
  say(`${name}: ${sc.about}`);
  const results = path.join(tmp, name, 'results.json');
  try {
    await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: sc.devPath,
      extensionTestsPath: path.join(outDir, 'index.js'),
      launchArgs: sc.launchArgs,
      extensionTestsEnv: {
        BTF_LENS_E2E_REPO: root, BTF_LENS_E2E_RESULTS: results, BTF_LENS_E2E_SCENARIO: name, ...sc.env,
        ...(process.env.BTF_LENS_E2E_GREP ? { BTF_LENS_E2E_GREP: process.env.BTF_LENS_E2E_GREP } : {}),
      },
    });
  } catch (e) {
    failed = true;
    console.error(`e2e: ${name}: the run failed: ${e?.message ?? e}`);
  }
  try {
    const r = JSON.parse(fs.readFileSync(results, 'utf8'));
    summaries.push(`${name}: ${r.passed.length} passed, ${r.failed.length} failed, ${r.pending.length} skipped (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    if (r.failed.length) failed = true;
    if (r.metrics?.activation) metrics.push(`${name}: activation cost: ${JSON.stringify(r.metrics.activation)}`);
  } catch { failed = true; summaries.push(`${name}: no results written (the suite did not run to its end)`); }
}
for (const m of metrics) say(m);
say(`${failed ? 'FAILED' : 'ok'}: ${summaries.join('; ')} (${kind}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (!failed) cleanup(); else say(`scenario folders kept: ${tmp}`);
process.exit(failed ? 1 : 0);
