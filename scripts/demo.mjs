#!/usr/bin/env node
// `npm run demo` (after the build): VS Code on test/workspace -- BPF C sources, the objects built from
// them, a Debian module and its kernel's vmlinux -- with BTF Lens in it, so hover, go to type definition, workspace symbols (Ctrl+T)
// and the type tree are there to try. Kernel BTF: the machine's /sys/kernel/btf/vmlinux when present
// (the extension's default), or the file given with --kernel FILE.
//   - The desktop VS Code when `code` is on PATH: a new window with this checkout as a development extension.
//   - Otherwise VS Code 1.139 served by code-server (installed by scripts/e2e-setup.mjs on first use:
//     npm + apt, ~2.5 min) with the packaged .vsix installed; it prints the URL to open, and runs
//     until Ctrl+C. Options: --port N (default 8080, or a free one), --code-server (skip `code`).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, findOfflineVSCode, freePort, startCodeServer, workbenchUrl } from '../test/e2e/lib/offline-vscode.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ws = path.join(root, 'test/workspace');
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const kernel = opt('kernel') ? path.resolve(opt('kernel')) : undefined;
const say = (m) => console.log(`demo: ${m}`);

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
if (!args.includes('--code-server') && onPath('code')) {
  say(`opening the desktop VS Code on ${path.relative(process.cwd(), ws) || ws}, BTF Lens loaded from this checkout`);
  if (kernel) say(`set "btfLens.kernelBtf": "${kernel}" in its settings to use that kernel BTF`);
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, ws, path.join(ws, 'src/core.c')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

let offline = findOfflineVSCode();
if ('missing' in offline) {
  say(`no desktop \`code\` on PATH, and no code-server yet (${offline.missing}): installing it (npm + apt, ~2.5 min, into ${cacheDir()})`);
  if (spawnSync(process.execPath, [path.join(root, 'scripts/e2e-setup.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
  offline = findOfflineVSCode();
  if ('missing' in offline) { console.error(`demo: ${offline.missing}`); process.exit(1); }
}

// The packaged extension, installed as a user would; the demo's VS Code state lives in the cache dir.
const base = path.join(cacheDir(), 'demo');
fs.mkdirSync(base, { recursive: true });
const vsix = path.join(base, 'btf-lens.vsix');
if (spawnSync(process.execPath, [path.join(root, 'scripts/package.mjs'), vsix], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) process.exit(1);
const xdg = { XDG_CONFIG_HOME: path.join(base, 'xdg-config'), XDG_DATA_HOME: path.join(base, 'xdg-data'), TMPDIR: base };
const inst = spawnSync(offline.node, [offline.entry, '--user-data-dir', path.join(base, 'ud'), '--extensions-dir', path.join(base, 'ext'), '--install-extension', vsix, '--force'], {
  encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...xdg },
});
if (inst.status !== 0) { console.error(`demo: installing the .vsix failed:\n${inst.stdout}${inst.stderr}`); process.exit(1); }

const wanted = Number(opt('port') || process.env.PORT || 8080);
const port = await new Promise((res) => {
  const s = net.createServer();
  s.once('error', () => res(0));
  s.listen(wanted, '127.0.0.1', () => s.close(() => res(wanted)));
}) || await freePort();
const cs = await startCodeServer({
  offline, base, port,
  settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.hover.delay': 300, ...(kernel ? { 'btfLens.kernelBtf': kernel } : {}) },
});
const url = workbenchUrl(cs.origin, ws);
console.log('');
say('VS Code (code-server) with BTF Lens is running. Open this in a browser:');
console.log(`\n    ${url}\n`);
say('try: open src/core.c and hover a BPF_CORE_READ line; F12 / "Go to Type Definition" on a member; Ctrl+T task_struct;');
say('     right-click modules/regmap-sdw.ko → Open With… → BTF Type Tree (a Debian 6.1 module: it finds kernels/vmlinux-6.1.0-56-amd64.xz');
say('     by its release, whatever the kernel BTF), or "BTF Lens: Open the running kernel\'s BTF" in the command palette.');
say(`kernel BTF: ${kernel ?? (fs.existsSync('/sys/kernel/btf/vmlinux') ? '/sys/kernel/btf/vmlinux (the machine\'s)' : 'none on this machine (--kernel FILE to give one)')}; log: ${cs.log}`);
say('Ctrl+C stops it.');
const stop = () => { cs.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cs.child.on('exit', (c) => { say(`code-server exited (${c})`); process.exit(c ?? 1); });
// Opened by hand in a browser, nothing else to do: stay up.
setInterval(() => {}, 1 << 30);

