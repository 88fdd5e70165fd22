// What a packaged .vsix holds, and the rules it must keep: only the bundles, grammars, icons and docs;
// under 2 MB; engines.vscode no newer than the VS Code the e2e suite runs in (1.139) nor than
// @types/vscode; activation only on events that need it. Used by scripts/package.mjs and
// test/e2e/package.test.ts.
import fs from 'node:fs';

export const MAX_VSIX_BYTES = 2 * 1024 * 1024;
/** The VS Code the offline e2e runs in (code-server 4.139.1). */
export const TESTED_VSCODE = '1.139.0';

/** Entries of a zip file from its central directory: { name, size (uncompressed), compressed }. */
export function zipEntries(file) {
  const b = fs.readFileSync(file);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new Error(`${file}: not a zip (no end of central directory)`);
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const out = [];
  for (let n = 0; n < count; n++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: offset ${p}: bad central directory entry`);
    const nameLen = b.readUInt16LE(p + 28);
    out.push({ name: b.toString('utf8', p + 46, p + 46 + nameLen), compressed: b.readUInt32LE(p + 20), size: b.readUInt32LE(p + 24) });
    p += 46 + nameLen + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return out;
}

/** Files allowed inside: vsce's own manifest files, then extension/<the bundles, grammars, icons, docs>. */
const ALLOWED = [
  /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/, /^extension\/(readme|README|ARCHITECTURE|CHANGELOG|changelog)\.md$/, /^extension\/LICENSE(\.txt)?$/,
  /^extension\/dist\/(extension|server|inflate-worker|cli|webview)\.js$/, /^extension\/dist\/webview\.css$/,
  /^extension\/dist\/webview-assets\/[^/]+\.(ttf|woff2?|css|svg|png)$/,
  /^extension\/syntaxes\/[^/]+\.tmLanguage\.json$/,
  /^extension\/(media|images|icons)\/[^/]+\.(png|svg)$/, /^extension\/test\/e2e\/screenshots\/[^/]+\.png$/,
];

const semver = (v) => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number);
const cmp = (a, b) => { const x = semver(a); const y = semver(b); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0; };

/** Every rule broken, as sentences (empty: the package is fine). */
export function vsixProblems(file, typesVscodeVersion) {
  const problems = [];
  const entries = zipEntries(file);
  for (const e of entries) if (!ALLOWED.some((r) => r.test(e.name))) problems.push(`${e.name} should not be in the package`);
  for (const need of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/inflate-worker.js']) {
    if (!entries.some((e) => e.name === need)) problems.push(`${need} is missing`);
  }
  const size = fs.statSync(file).size;
  if (size >= MAX_VSIX_BYTES) problems.push(`${size} bytes: not under ${MAX_VSIX_BYTES}`);
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const engine = pkg.engines?.vscode ?? '';
  if (!/^\^\d+\.\d+\.\d+$/.test(engine)) problems.push(`engines.vscode ${JSON.stringify(engine)} is not ^X.Y.Z`);
  else {
    if (cmp(engine, TESTED_VSCODE) > 0) problems.push(`engines.vscode ${engine} is newer than the VS Code the e2e suite runs in (${TESTED_VSCODE})`);
    if (typesVscodeVersion && cmp(typesVscodeVersion, engine) > 0) problems.push(`@types/vscode ${typesVscodeVersion} is newer than engines.vscode ${engine}`);
  }
  for (const ev of pkg.activationEvents ?? []) {
    if (ev === '*' || ev === 'onStartupFinished') problems.push(`activation event ${ev}: activates in every window`);
  }
  return { problems, entries, size };
}
