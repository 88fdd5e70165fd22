/**
 * `npm run package`: the .vsix vsce builds from the current tree holds only the bundles, grammars,
 * icons and docs, stays under 2 MB, and package.json's engines/activation keep their rules
 * (test/e2e/lib/vsix.mjs). The same checker is shown to catch a package that leaks source maps.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../helpers/paths';
import { vsixProblems } from './lib/vsix.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-vsix-'));
const built = existsSync(join(repoRoot, 'dist/extension.js')) && existsSync(join(repoRoot, 'dist/server.js'));
const vsce = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license',
  '--allow-missing-repository', '--no-rewrite-relative-links', ...args], { cwd: repoRoot, encoding: 'utf8' });
const typesVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/vscode/package.json'), 'utf8')).version as string;

describe('the .vsix', { skip: built ? false : 'dist/ is not built (npm run build)' }, () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('scripts/package.mjs builds one that keeps every rule; its file list', () => {
    const out = join(tmp, 'btf-lens.vsix');
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs'), out], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const { problems, entries, size } = vsixProblems(out, typesVersion);
    assert.deepEqual(problems, []);
    const names = entries.map((e) => e.name);
    for (const need of ['extension/package.json', 'extension/readme.md', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/inflate-worker.js', 'extension/dist/cli.js',
      'extension/syntaxes/btf-c.tmLanguage.json', 'extension/syntaxes/bpf-asm.tmLanguage.json', 'extension/syntaxes/btf-raw.tmLanguage.json']) {
      assert.ok(names.includes(need), `${need} missing from ${names.join(' ')}`);
    }
    assert.ok(!names.some((n) => n.endsWith('.map') || n.includes('node_modules/') || n.endsWith('.ts')), names.join(' '));
    assert.ok(size < 2 * 1024 * 1024, `${size}`);
  });

  test('the checker catches a package with source maps and sources in it', () => {
    const ignore = join(tmp, 'leaky.vscodeignore');
    writeFileSync(ignore, '**\n!dist/**\n!client/src/extension.ts\n!package.json\n!README.md\n');
    const out = join(tmp, 'leaky.vsix');
    const r = vsce('--ignoreFile', ignore, '-o', out);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const { problems } = vsixProblems(out, typesVersion);
    assert.ok(problems.includes('extension/dist/extension.js.map should not be in the package'), problems.join('\n'));
    assert.ok(problems.includes('extension/client/src/extension.ts should not be in the package'), problems.join('\n'));
  });

  test('engines.vscode is ^X.Y.Z no newer than the tested VS Code (1.139) nor older than @types/vscode; no activation in every window', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { vscode: string }; activationEvents: string[] };
    assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
    const [, minor] = pkg.engines.vscode.slice(1).split('.').map(Number) as [number, number];
    assert.ok(minor <= 139, pkg.engines.vscode);
    assert.ok(Number(typesVersion.split('.')[1]) <= minor, `@types/vscode ${typesVersion} vs engines ${pkg.engines.vscode}`);
    assert.ok(!pkg.activationEvents.includes('*') && !pkg.activationEvents.includes('onStartupFinished'), pkg.activationEvents.join(' '));
  });
});
