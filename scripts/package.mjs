#!/usr/bin/env node
// `npm run package` (after the build): btf-lens-<version>.vsix with @vscode/vsce, then checked:
// only bundles, grammars, icons and docs inside, under 2 MB, engines.vscode within what is tested.
// The bundles carry their dependencies, so vsce does not walk node_modules (--no-dependencies).
// README links stay relative (--no-rewrite-relative-links): there is no public repository URL to point them at.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vsixProblems } from '../test/e2e/lib/vsix.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(process.argv[2] || path.join(root, `${pkg.name}-${pkg.version}.vsix`));
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository',
  '--no-rewrite-relative-links', '--no-update-package-json', '-o', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) { console.error('package: vsce failed'); process.exit(1); }
const types = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@types/vscode/package.json'), 'utf8')).version;
const { problems, entries, size } = vsixProblems(out, types);
for (const e of entries) console.log(`  ${String(e.size).padStart(9)}  ${e.name}`);
console.log(`package: ${path.relative(process.cwd(), out)}: ${entries.length} files, ${(size / 1024).toFixed(0)} KiB`);
for (const p of problems) console.error(`package: ${p}`);
process.exit(problems.length ? 1 : 0);
