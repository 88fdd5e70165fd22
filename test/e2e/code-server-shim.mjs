#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron where the desktop VS Code cannot be
// downloaded: given the arguments test-electron passes VS Code (--extensionDevelopmentPath=,
// --extensionTestsPath=, --user-data-dir=, a folder, ...), it
//   1. starts code-server (VS Code 1.139 server + web workbench) with the smoke-test driver on, so
//      the workbench honours the URL payload;
//   2. opens the workbench in headless Chromium with payload [extensionDevelopmentPath, extensionTestsPath];
//   3. the mocha suite runs in the Node extension host on the server; its console output is printed
//      here, its exit code becomes ours.
// The environment reaches the extension host (code-server's children inherit it): runTests'
// extensionTestsEnv works. Needs CODE_SERVER_ENTRY, CODE_SERVER_NODE, CHROMIUM (set by test/e2e/run.mjs).
// Optional: BTF_LENS_E2E_TIMEOUT_MS (600000), BTF_LENS_E2E_VERBOSE=1 (the workbench's own chatter too),
// BTF_LENS_E2E_SCREENSHOT=file.png (page screenshot when the run fails), BTF_LENS_E2E_KEEP=1 (keep logs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { launchChromium, startCodeServer, tail, workbenchUrl } from './lib/offline-vscode.mjs';

const env = process.env;
const die = (msg) => { console.error(`[code-server-shim] ${msg}`); process.exit(2); };
const offline = { entry: env.CODE_SERVER_ENTRY || die('CODE_SERVER_ENTRY is not set'), node: env.CODE_SERVER_NODE || die('CODE_SERVER_NODE is not set') };
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = Number(env.BTF_LENS_E2E_TIMEOUT_MS || 600000);
const VERBOSE = !!env.BTF_LENS_E2E_VERBOSE;

const devPaths = [];
let testsPath;
let userDataDir;
let extensionsDir;
const positional = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const take = (name) => (a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : a === `--${name}` ? argv[++i] : undefined);
  let v;
  if ((v = take('extensionDevelopmentPath')) !== undefined) devPaths.push(path.resolve(v));
  else if ((v = take('extensionTestsPath')) !== undefined) testsPath = path.resolve(v);
  // Ours are private (code-server keeps sockets in the user data dir: the path must stay short), but the
  // caller's user settings file is honoured, and its extensions dir (extensions installed from a .vsix).
  else if ((v = take('user-data-dir')) !== undefined) userDataDir = path.resolve(v);
  else if ((v = take('extensions-dir')) !== undefined) extensionsDir = path.resolve(v);
  else if (!a.startsWith('-')) positional.push(path.resolve(a));
}
if (!devPaths.length) die('no --extensionDevelopmentPath');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btf-lens-cs-'));
let cs;
let ctx;
let finished = false;
async function finish(code, why) {
  if (finished) return;
  finished = true;
  if (why) console.error(`[code-server-shim] ${why}`);
  if (code !== 0) {
    if (env.BTF_LENS_E2E_SCREENSHOT && ctx) await ctx.pages()[0]?.screenshot({ path: env.BTF_LENS_E2E_SCREENSHOT }).catch(() => {});
    console.error(`[code-server-shim] exit ${code}; workbench + extension host console: ${path.join(tmp, 'workbench.log')}`);
    if (cs) console.error(`[code-server-shim] code-server log, last lines:\n${tail(cs.log)}`);
  }
  if (ctx) await ctx.close().catch(() => {});
  cs?.stop();
  if (code === 0 && !env.BTF_LENS_E2E_KEEP) {
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  process.exit(code);
}
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGTERM', () => finish(143, 'terminated'));
setTimeout(() => finish(1, `timed out after ${TIMEOUT} ms`), TIMEOUT).unref();

try {
  const given = userDataDir && path.join(userDataDir, 'User', 'settings.json');
  const settings = given && fs.existsSync(given) ? JSON.parse(fs.readFileSync(given, 'utf8')) : {};
  cs = await startCodeServer({ offline, base: tmp, smokeTestDriver: true, env, settings, extensionsDir });
} catch (e) {
  await finish(1, e.message);
}
cs.child.on('exit', (c) => finish(1, `code-server exited early (${c})`));
ctx = await launchChromium(CHROMIUM, path.join(tmp, 'chromium-profile'));
const page = ctx.pages()[0] || await ctx.newPage();
// Every console line of the workbench and the extension host arrives here. All go to workbench.log;
// the terminal gets the tests' output, not the offline workbench's marketplace/telemetry failures.
const wbLog = fs.createWriteStream(path.join(tmp, 'workbench.log'));
const noise = /^\[(AgentHost|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)|\/static\/out\/vs\/|getaddrinfo|ENOTFOUND|Ignoring fetching additional builtin|^Canceled|^(Resolving|Resolved) connection token|^Creating a socket|^Creation of workbench contribution|^Updating additional builtin extensions/;
await page.exposeFunction('codeAutomationLog', (type, args) => {
  const line = util.format(...(args || []));
  wbLog.write(`[${type}] ${line}\n`);
  if (!VERBOSE && noise.test(line)) return;
  (type === 'error' ? process.stderr : process.stdout).write(line + '\n');
});
await page.exposeFunction('codeAutomationExit', (code) => finish(code));
const payload = devPaths.map((p) => ['extensionDevelopmentPath', p]);
if (testsPath) payload.push(['extensionTestsPath', testsPath]);
payload.push(['skipWelcome', 'true']);
const folder = positional.find((p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
await page.goto(workbenchUrl(cs.origin, folder, payload));
if (!testsPath) console.log(`[code-server-shim] no --extensionTestsPath; workbench open at ${cs.origin}`);
