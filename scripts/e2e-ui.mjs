#!/usr/bin/env node
// The UI pass: the packaged .vsix installed into a real VS Code 1.139 (code-server) and driven the way a
// person would, with the mouse, in headless Chromium (playwright-core):
//   - opens src/core.c, moves the mouse over `pid` in `BPF_CORE_READ(t, pid)` and reads the hover widget
//     (the CO-RE relocation in libbpf's words, as the in-process LSP tests assert);
//   - opens btf/types.bpfel.btf (the type tree is the default editor of *.btf), reads the rows from the
//     webview's DOM and compares them with bpftool's dump of the same file (test/golden/raw/);
//   - opens the module regmap-sdw.btf on its base when that base is on this machine;
//   - screenshots into test/artifacts/ (git-ignored). `--docs` also refreshes test/e2e/screenshots/.
// Skips (exit 0, saying why) without code-server/chromium: install them with `node scripts/e2e-setup.mjs`.
// BTF_LENS_E2E=require turns the skip into a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOfflineVSCode, freePort, launchChromium, startCodeServer, workbenchUrl } from '../test/e2e/lib/offline-vscode.mjs';
import { prepareWorkspace } from '../test/e2e/lib/workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'test/artifacts');
const DOCS = path.join(root, 'test/e2e/screenshots');
const docs = process.argv.includes('--docs');
const T0 = Date.now();
const log = (m) => console.log(`[ui +${((Date.now() - T0) / 1000).toFixed(1)}s] ${m}`);
const results = [];
const check = (name, ok, detail = '') => { results.push({ name, ok: !!ok }); console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` -- ${detail}` : ''}`); };

if (['skip', '0'].includes(process.env.BTF_LENS_E2E ?? '')) { console.log('ui: SKIPPED -- BTF_LENS_E2E=skip'); process.exit(0); }
const offline = findOfflineVSCode();
if ('missing' in offline) {
  const msg = `ui: SKIPPED -- ${offline.missing}; install with \`node scripts/e2e-setup.mjs\``;
  if (process.env.BTF_LENS_E2E === 'require') { console.error(msg.replace('SKIPPED', 'FAILED')); process.exit(1); }
  console.log(msg);
  process.exit(0);
}
fs.mkdirSync(OUT, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btf-lens-ui-'));
const ws = path.join(tmp, 'ws');
const kernel = prepareWorkspace(root, ws, { corrupt: false });

// 1. the .vsix, installed as a user would (code-server --install-extension)
const vsix = path.join(tmp, 'btf-lens.vsix');
if (spawnSync(process.execPath, [path.join(root, 'scripts/package.mjs'), vsix], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) {
  console.error('ui: packaging failed'); process.exit(1);
}
const base = path.join(tmp, 'cs');
fs.mkdirSync(base);
const inst = spawnSync(offline.node, [offline.entry, '--user-data-dir', path.join(base, 'ud'), '--extensions-dir', path.join(base, 'ext'), '--install-extension', vsix, '--force'], {
  encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: path.join(base, 'xdg-config'), XDG_DATA_HOME: path.join(base, 'xdg-data'), TMPDIR: base },
});
check('the .vsix installs into VS Code 1.139 (code-server --install-extension)', inst.status === 0 && /successfully installed/i.test(inst.stdout), (inst.stdout + inst.stderr).trim().split('\n').pop());
log('installed');

let cs;
let ctx;
try {
  cs = await startCodeServer({ offline, base, port: await freePort(), settings: { 'editor.hover.delay': 150, 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' } });
  ctx = await launchChromium(offline.chromium, path.join(tmp, 'chromium'), { width: 1400, height: 860 });
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.goto(workbenchUrl(cs.origin, ws));
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
  const row = (name) => page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
  await row('src').waitFor({ timeout: 90000 });
  log('workbench up');

  // --- hover, with the mouse
  await row('src').click();
  await row('core.c').click();
  const lines = fs.readFileSync(path.join(ws, 'src/core.c'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);')) + 1;
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.keyboard.press('Control+g');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  // where `pid` of `(t, pid)` is on screen: a DOM range over the rendered line's text
  const where = async () => page.evaluate(() => {
    for (const el of document.querySelectorAll('.monaco-editor .view-line')) {
      const text = (el.textContent ?? '').replace(/\u00a0/g, ' '); // Monaco renders spaces as no-break spaces
      const at = text.indexOf('BPF_CORE_READ(t, pid)');
      if (at < 0) continue;
      const want = at + 'BPF_CORE_READ(t, '.length + 1;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const len = n.textContent.length;
        if (seen + len > want) {
          const r = document.createRange();
          r.setStart(n, want - seen); r.setEnd(n, want - seen + 1);
          const b = r.getBoundingClientRect();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
        seen += len;
      }
    }
    return null;
  });
  await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line')].some((e) => e.textContent?.replace(/\u00a0/g, ' ').includes('BPF_CORE_READ(t, pid)')), null, { timeout: 30000 });
  let hoverText = '';
  const hoverEnd = Date.now() + 90000;
  while (Date.now() < hoverEnd && !hoverText.includes('CO-RE relocation')) {
    const p = await where();
    if (!p) break;
    await page.mouse.move(p.x - 40, p.y - 30);
    await page.mouse.move(p.x, p.y, { steps: 4 });
    try {
      const hover = page.locator('.monaco-hover:visible').filter({ hasText: 'CO-RE relocation' }).first();
      await hover.waitFor({ timeout: 4000 });
      hoverText = await hover.innerText();
    } catch { /* the server is still indexing: move away and hover again */ }
  }
  log('hover read');
  await page.screenshot({ path: path.join(OUT, 'hover.png') });
  check('hover widget shows the member and the CO-RE relocation in libbpf\'s words',
    hoverText.includes('member of') && hoverText.includes('<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)') && hoverText.includes('core.bpfel.o'),
    JSON.stringify(hoverText.slice(0, 160)));
  // into the hover (it stays open under the mouse) and scrolled to the CO-RE relocation of the first object
  const hb = await page.locator('.monaco-hover:visible').first().boundingBox().catch(() => null);
  const reloc = page.locator('.monaco-hover:visible').first().getByText('struct task_struct.pid (0:2 @ offset 8)').first();
  if (hb && await reloc.count()) {
    const at = await where();
    if (at) await page.mouse.move(at.x, hb.y + hb.height - 8, { steps: 3 });
    await reloc.scrollIntoViewIfNeeded().catch(() => {});
    await page.screenshot({ path: path.join(OUT, 'hover-core.png') });
  }
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  // --- the type tree, reading its webview
  const golden = fs.readFileSync(path.join(root, 'test/golden/raw/types.bpfel.btf.txt'), 'utf8').split('\n')
    .map((l) => /^\[(\d+)\] (\w+) '([^']*)'/.exec(l)).filter(Boolean).map((m) => ({ id: Number(m[1]), kind: m[2], name: m[3] }));
  // select a struct: the details panel shows it as C
  const selectStruct = async (frame, nth) => {
    const struct = frame.locator('.tree .row[data-id]').filter({ has: frame.locator('.kind', { hasText: /^STRUCT$/ }) }).nth(nth);
    if (!(await struct.count())) return;
    await struct.click();
    await frame.locator('.details pre.c').waitFor({ timeout: 20000 }).catch(() => {});
  };
  const openTree = async (...names) => {
    for (const n of names) await row(n).click();
    const frame = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await frame.locator('body[data-rendered]').waitFor({ timeout: 60000 });
    return frame;
  };
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.contributes?.customEditors?.length) {
    console.log('skip the type tree: this build of the extension contributes no custom editor');
    throw Object.assign(new Error('no type tree'), { skipRest: true });
  }
  const frame = await openTree('btf', 'types.bpfel.btf');
  const rows = await frame.locator('.tree .row[data-id]').evaluateAll((els) => els.slice(0, 12).map((e) => ({
    id: Number(e.getAttribute('data-id')), kind: e.querySelector('.kind')?.textContent ?? '', name: e.querySelector('.name')?.textContent ?? '',
  })));
  log(`type tree rows: ${rows.map((r) => `[${r.id}] ${r.kind} ${r.name}`).slice(0, 4).join(' | ')} ...`);
  const agree = rows.filter((r) => {
    const g = golden.find((x) => x.id === r.id);
    return g && g.kind === r.kind && (r.name.endsWith(g.name) || (g.name === '(anon)' && !r.name.includes("'")));
  });
  check('type tree rows agree with bpftool\'s dump of the same file (id, kind, name)', rows.length >= 5 && agree.length === rows.length,
    `${agree.length}/${rows.length} rows agree`);
  await selectStruct(frame, 0);
  await page.screenshot({ path: path.join(OUT, 'type-tree.png') });

  if (kernel.kind === 'corpus-6.1') {
    const mod = await openTree('modules', 'regmap-sdw.btf');
    const n = await mod.locator('.tree .row[data-id]').count();
    check('the module opens on its base (Debian 6.1 vmlinux) and lists types', n > 0, `${n} rows`);
    await selectStruct(mod, 8);
    await page.screenshot({ path: path.join(OUT, 'type-tree-module.png') });
  } else console.log(`skip the module on its base: ../shared/corpus/vmlinux-6.1.btf absent (kernel BTF: ${kernel.kind})`);
} catch (e) {
  if (!e?.skipRest) check('no exception while driving the workbench', false, String(e?.stack ?? e).split('\n').slice(0, 3).join(' | '));
  if (ctx && !e?.skipRest) await ctx.pages()[0]?.screenshot({ path: path.join(OUT, 'ui-failure.png') }).catch(() => {});
} finally {
  if (ctx) await ctx.close().catch(() => {});
  cs?.stop();
}
const failed = results.filter((r) => !r.ok).length;
if (!failed && docs) {
  fs.mkdirSync(DOCS, { recursive: true });
  // the hover scrolled to its CO-RE relocation reads best; README names it hover.png
  const pick = { 'hover.png': fs.existsSync(path.join(OUT, 'hover-core.png')) ? 'hover-core.png' : 'hover.png', 'type-tree.png': 'type-tree.png', 'type-tree-module.png': 'type-tree-module.png' };
  for (const [to, from] of Object.entries(pick)) if (fs.existsSync(path.join(OUT, from))) fs.copyFileSync(path.join(OUT, from), path.join(DOCS, to));
  console.log(`ui: screenshots copied to ${path.relative(root, DOCS)}/`);
}
if (!failed) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
else console.log(`ui: kept ${tmp} (code-server log: ${cs?.log})`);
console.log(`ui: ${failed ? 'FAILED' : 'ok'}: ${results.length - failed} passed, ${failed} failed; screenshots in ${path.relative(process.cwd(), OUT) || '.'}/ (${((Date.now() - T0) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
