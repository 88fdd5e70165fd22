// The fences of ARCHITECTURE.md, as tests that fail the day one is crossed. What the compiler already
// rejects (node:* and DOM globals in the core, client/src importing server files outside
// server/src/protocol) is checked here too, so a loosened tsconfig is caught as well.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { coreLogLines, openCoreTarget, resolveCoreRelocations } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { fixtureObj, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

const rel = (p: string) => relative(repoRoot, p).split(sep).join('/');
const tsFiles = (dir: string) =>
  (readdirSync(join(repoRoot, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(repoRoot, dir, f))
    .sort();
const inside = (p: string, dir: string) => rel(p) === dir || rel(p).startsWith(dir + '/');
/** `vscode-languageclient/node` → `vscode-languageclient`, `@scope/pkg/x` → `@scope/pkg`. */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

interface Import {
  file: string;
  line: number;
  spec: string;
}
/** Every module a file names: imports (type-only too), re-exports, import(), require(), `/// <reference path>`. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  return [...info.importedFiles, ...info.referencedFiles].map((r) => ({ file: rel(file), line: lineOf(r.pos), spec: r.fileName }));
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

interface Rule {
  dir: string;
  /** Folders a relative import may land in. */
  local: string[];
  /** Which bare specifiers (packages, node:*, vscode) are allowed. */
  bare: (spec: string) => boolean;
  why: string;
}
const none = () => false;
const rules: Rule[] = [
  { dir: 'server/src/core', local: ['server/src/core'], bare: none, why: 'the core is pure: no vscode, no LSP, no node:*, no packages' },
  { dir: 'server/src/protocol', local: ['server/src/protocol'], bare: none, why: 'the protocol is plain data, bundled into the webview' },
  { dir: 'client/webview', local: ['client/webview', 'server/src/protocol'], bare: none, why: 'the webview sees the server only through server/src/protocol' },
  {
    dir: 'client/src',
    local: ['client', 'server/src/protocol'],
    // The extension host's API, Node, and the client's npm libraries (not the server's).
    bare: (s) => s === 'vscode' || s.startsWith('node:') || (packageOf(s) in pkg.dependencies && !packageOf(s).startsWith('vscode-languageserver')),
    why: 'the client sees the server only through server/src/protocol',
  },
  {
    dir: 'server/src',
    local: ['server/src'],
    // The server runs in other editors too (--stdio): LSP, never the VS Code API.
    bare: (s) => s !== 'vscode' && (s.startsWith('node:') || packageOf(s) in pkg.dependencies),
    why: 'the server never imports the client or the VS Code API',
  },
];

describe('fences: who may import what', () => {
  for (const r of rules) {
    it(`${r.dir}: ${r.why}`, () => {
      const files = tsFiles(r.dir);
      assert.ok(files.length > 0, `no files under ${r.dir}`);
      const bad: string[] = [];
      for (const f of files) {
        for (const i of importsOf(f)) {
          const ok = i.spec.startsWith('.')
            ? r.local.some((d) => inside(resolve(dirname(f), i.spec), d))
            : r.bare(i.spec);
          if (!ok) bad.push(`${i.file}:${i.line}: imports '${i.spec}'`);
        }
      }
      assert.deepEqual(bad, []);
    });
  }

  it('the tsconfigs keep the compile-time half: core and protocol without Node/DOM types, client and webview reference only protocol', () => {
    const cfg = (p: string) => JSON.parse(readFileSync(join(repoRoot, p), 'utf8')) as {
      compilerOptions?: { types?: string[]; lib?: string[] }; references?: { path: string }[];
    };
    for (const p of ['server/src/core/tsconfig.json', 'server/src/protocol/tsconfig.json']) {
      const o = cfg(p).compilerOptions ?? {};
      assert.deepEqual(o.types, [], `${p}: "types": [] (no @types/node, no @types/vscode)`);
      assert.ok(o.lib && o.lib.every((l) => l.startsWith('ES')), `${p}: ECMAScript libs only (${o.lib})`);
      assert.deepEqual(cfg(p).references ?? [], [], `${p}: references nothing`);
    }
    const refs = (p: string) => (cfg(p).references ?? []).map((r) => rel(resolve(repoRoot, dirname(p), r.path))).sort();
    assert.deepEqual(refs('client/tsconfig.json'), ['client/webview', 'server/src/protocol']);
    assert.deepEqual(refs('client/webview/tsconfig.json'), ['server/src/protocol']);
    assert.deepEqual(cfg('server/tsconfig.json').compilerOptions?.types, ['node'], 'server: Node types, not vscode');
  });
});

// Every string from a file reaches the page through `html` (escaping) or textContent; the page has a
// nonce CSP, so no inline handlers or style attributes (positions through CSSOM).
describe('fences: the language server asks the core, it does not read BTF bytes', () => {
  // The wire format lives in server/src/core/btf (kinds.ts's table, records.ts, types.ts): a change of
  // format (the 2026 kind and vlen widths) must not need a change in server/src/lsp.
  const reads = new Set(['u8', 'u16', 'u32', 'i16', 'i32', 'u64', 'i64', 'u64n', 'view', 'dv', 'typeOffset']);
  it('server/src/lsp names no ByteView read, no Btf view and no raw type offset', () => {
    const bad: string[] = [];
    for (const f of tsFiles('server/src/lsp')) {
      const text = readFileSync(f, 'utf8');
      const src = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        if (ts.isPropertyAccessExpression(n) && reads.has(n.name.text)) {
          bad.push(`${rel(f)}:${src.getLineAndCharacterOfPosition(n.name.pos).line + 1}: .${n.name.text}`);
        }
        if (ts.isIdentifier(n) && n.text === 'ByteView') bad.push(`${rel(f)}:${src.getLineAndCharacterOfPosition(n.pos).line + 1}: ByteView`);
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    assert.deepEqual(bad, [], 'use the core\'s queries (btf.ts, records.ts, types.ts) instead');
  });
  it('server/src makes no stand-in objects (`{ … } as unknown as T`): one breaks at run time the day its callee asks for more', () => {
    const bad: string[] = [];
    for (const f of tsFiles('server/src')) {
      const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        if (ts.isAsExpression(n) && ts.isAsExpression(n.expression) && n.expression.type.kind === ts.SyntaxKind.UnknownKeyword) {
          let inner: ts.Expression = n.expression.expression;
          while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
          if (ts.isObjectLiteralExpression(inner)) bad.push(`${rel(f)}:${src.getLineAndCharacterOfPosition(n.pos).line + 1}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    assert.deepEqual(bad, []);
  });
});

describe('fences: code decides on codes and fields, not on the text it shows', () => {
  // A problem's sentence and libbpf's log line are for people; a reworded one must not change what the
  // server does. Problems carry a code (core/util/problems.ts), CO-RE results their reason's detail,
  // listing lines their kind and slot (core/insn/objdump.ts).
  const rules: [RegExp, string][] = [
    [/\.(message|reason|why)\??\.(startsWith|endsWith|includes|match|replace|indexOf|search)\(/, 'decides on a sentence: give it a code or a field'],
    [/\.(test|exec)\([^)]*\.(message|reason|why)\)/, 'decides on a sentence: give it a code or a field'],
    [/['"`]R_BPF|startsWith\('\\t\\t'\)/, 'parses llvm-objdump text: take listSection\'s kinds and slots'],
  ];
  it('server/src/lsp and server/src/cli do not parse problem or reason text', () => {
    const bad: string[] = [];
    for (const f of [...tsFiles('server/src/lsp'), ...tsFiles('server/src/cli')]) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        for (const [re, why] of rules) if (re.test(line)) bad.push(`${rel(f)}:${i + 1}: ${why}`);
      });
    }
    assert.deepEqual(bad, []);
  });
});

describe('fences: the webview escapes and stays inside its CSP', () => {
  const files = tsFiles('client/webview');
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: [], noEmit: true, skipLibCheck: true, strict: true,
  });
  const checker = program.getTypeChecker();
  const sources = files.map((f) => program.getSourceFile(f)!);
  const where = (n: ts.Node) => {
    const s = n.getSourceFile();
    return `${rel(s.fileName)}:${s.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  };
  const visit = (f: (n: ts.Node) => void) => {
    const walk = (n: ts.Node): void => {
      f(n);
      ts.forEachChild(n, walk);
    };
    for (const s of sources) walk(s);
  };
  /** `x.value` of a `Raw` (what `html` returns), through parentheses and `?:`. */
  const isRawValue = (e: ts.Expression): boolean => {
    if (ts.isParenthesizedExpression(e)) return isRawValue(e.expression);
    if (ts.isConditionalExpression(e)) return isRawValue(e.whenTrue) && isRawValue(e.whenFalse);
    return ts.isPropertyAccessExpression(e) && e.name.text === 'value' && checker.getTypeAtLocation(e.expression).symbol?.name === 'Raw';
  };
  const literalText = (n: ts.Node): string[] => {
    if (ts.isNoSubstitutionTemplateLiteral(n) || ts.isStringLiteral(n)) return [n.text];
    if (ts.isTemplateExpression(n)) return [n.head.text, ...n.templateSpans.map((s) => s.literal.text)];
    return [];
  };
  /** A literal, a choice between literals, or a template interpolating only numbers and booleans. */
  const trusted = (e: ts.Expression): boolean => {
    if (ts.isParenthesizedExpression(e)) return trusted(e.expression);
    if (ts.isConditionalExpression(e)) return trusted(e.whenTrue) && trusted(e.whenFalse);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
    return ts.isTemplateExpression(e)
      && e.templateSpans.every((s) => (checker.getTypeAtLocation(s.expression).flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) !== 0);
  };
  const inlineAttr = /\s(style|on[a-z]+)\s*=/i;

  it('the program type-checks (so the checks below see real types)', () => {
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });
  it('innerHTML is assigned only html`…`.value (a Raw); no outerHTML, insertAdjacentHTML, document.write', () => {
    const bad: string[] = [];
    let assigned = 0;
    visit((n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === 'innerHTML') {
        assigned++;
        if (!isRawValue(n.right)) bad.push(`${where(n)}: innerHTML = ${n.right.getText().slice(0, 60)}`);
      }
      if (ts.isPropertyAccessExpression(n) && ['outerHTML', 'insertAdjacentHTML', 'write', 'writeln'].includes(n.name.text)
        && (n.name.text !== 'write' && n.name.text !== 'writeln' || n.expression.getText() === 'document')) bad.push(`${where(n)}: ${n.getText()}`);
    });
    assert.ok(assigned > 5, `${assigned} innerHTML assignments seen`);
    assert.deepEqual(bad, []);
  });
  it('raw() (markup trusted as is) takes only literals, interpolating numbers and booleans at most', () => {
    const bad: string[] = [];
    visit((n) => {
      if (!ts.isCallExpression(n) || n.expression.getText() !== 'raw' || rel(n.getSourceFile().fileName) === 'client/webview/html.ts') return;
      const a = n.arguments[0];
      if (!a || !trusted(a)) bad.push(`${where(n)}: ${n.getText().slice(0, 80)}`);
    });
    assert.deepEqual(bad, []);
  });
  it('no inline style or on* attributes in markup, none set by setAttribute', () => {
    const bad: string[] = [];
    visit((n) => {
      if (ts.isTaggedTemplateExpression(n) && n.tag.getText() === 'html' && literalText(n.template).some((t) => inlineAttr.test(t))) bad.push(`${where(n)}: ${n.getText().slice(0, 80)}`);
      if (!ts.isCallExpression(n) || !n.arguments[0]) return;
      const callee = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : n.expression.getText();
      if (callee === 'raw' && literalText(n.arguments[0]).some((t) => inlineAttr.test(t))) bad.push(`${where(n)}: ${n.getText()}`);
      if (callee === 'setAttribute' && literalText(n.arguments[0]).some((t) => /^(style|on[a-z]+)$/i.test(t))) bad.push(`${where(n)}: ${n.getText()}`);
    });
    // The shell page (page.ts) too: its one script comes by nonce.
    const page = readFileSync(join(repoRoot, 'client/webview/page.ts'), 'utf8');
    assert.match(page, /script-src 'nonce-\$\{o\.nonce\}'/);
    assert.doesNotMatch(page, /'unsafe-inline'|<style|<script>|\son[a-z]+=|\sstyle=/i);
    assert.deepEqual(bad, []);
  });
  it('the host checks every webview message (isWebviewToHost) before acting', () => {
    for (const f of tsFiles('client/src')) {
      const text = readFileSync(f, 'utf8');
      if (!text.includes('onDidReceiveMessage')) continue;
      assert.match(text, /onDidReceiveMessage\(\(m: unknown\)/, `${rel(f)}: messages arrive as unknown`);
      assert.match(text, /if \(!isWebviewToHost\(\w+\)\) return;/, `${rel(f)}: checked by isWebviewToHost`);
    }
  });
});

describe('fences: CO-RE resolution never writes into the object or the target', () => {
  it('core.bpfel.o resolved against every fixture target, twice: bytes unchanged, same answers', () => {
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const objBytes = new Uint8Array(readFileSync(join(fixtureObj, 'core.bpfel.o')));
    const before = sha(objBytes);
    const obj = openBtfBytes(objBytes, { file: 'core.bpfel.o' });
    const dir = join(repoRoot, 'test/fixtures/core-targets/btf');
    const targets = readdirSync(dir).filter((f) => f.endsWith('.btf') && f !== 'module.btf').sort();
    assert.ok(targets.length > 10);
    const first = new Map<string, string[]>();
    for (const round of [0, 1]) {
      for (const t of targets) {
        const tBytes = new Uint8Array(readFileSync(join(dir, t)));
        const tBefore = sha(tBytes);
        const lines = coreLogLines(resolveCoreRelocations(obj, openCoreTarget(tBytes, [], t).target));
        assert.equal(sha(tBytes), tBefore, `${t}: target bytes changed`);
        if (round === 0) first.set(t, lines);
        else assert.deepEqual(lines, first.get(t), `${t}: a second resolution of the same object differs`);
      }
    }
    assert.equal(sha(objBytes), before, 'object bytes changed');
  });
});

// Goldens are printed by the reference tools, never by us: each folder of test/golden is written by a
// committed shell script, and no TypeScript or JavaScript file writes there.
describe('fences: goldens come from the tools', () => {
  it('every test/golden entry is made by a shell script (inside it, or naming it)', () => {
    const scripts = [...(readdirSync(join(repoRoot, 'test'), { recursive: true }) as string[])]
      .filter((f) => f.endsWith('.sh')).map((f) => ({ path: `test/${f.split(sep).join('/')}`, text: readFileSync(join(repoRoot, 'test', f), 'utf8') }));
    const bad: string[] = [];
    for (const e of readdirSync(join(repoRoot, 'test/golden'))) {
      if (e.endsWith('.sh') || e.startsWith('.')) continue;
      const own = scripts.some((s) => s.path.startsWith(`test/golden/${e}/`));
      const named = scripts.some((s) => new RegExp(`(golden|\\$G|\\$GOLDEN)/${e.replace(/[.]/g, '\\.')}\\b`).test(s.text));
      if (!own && !named) bad.push(`test/golden/${e}: no script makes it`);
    }
    assert.deepEqual(bad, []);
  });
  it('no .ts/.mjs file writes into test/golden', () => {
    const bad: string[] = [];
    for (const dir of ['test', 'scripts', 'bench', 'server', 'client']) {
      for (const f of (readdirSync(join(repoRoot, dir), { recursive: true }) as string[]).filter((x) => /\.(ts|mjs|js)$/.test(x))) {
        const lines = readFileSync(join(repoRoot, dir, f), 'utf8').split('\n');
        lines.forEach((l, i) => {
          if (/\b(writeFileSync|appendFileSync|copyFileSync|createWriteStream|writeFile)\(/.test(l) && /golden/i.test(l)) bad.push(`${dir}/${f}:${i + 1}: ${l.trim()}`);
        });
      }
    }
    assert.deepEqual(bad, []);
  });
});

// test/server/lsp*.test.ts hard-code type IDs of test/workspace's objects and compare them with the
// goldens of test/fixtures: the workspace must be the fixtures (test/fixtures/build.sh copies them).
describe('fences: test/workspace holds copies of the fixtures', () => {
  const ws = join(repoRoot, 'test/workspace');
  for (const [dir, from] of [['src', 'test/fixtures/src'], ['build', 'test/fixtures/obj']] as const) {
    it(`${dir}/ equals ${from}/ byte for byte`, () => {
      const files = readdirSync(join(ws, dir)).sort();
      assert.ok(files.length >= 3);
      for (const f of files) assert.ok(readFileSync(join(ws, dir, f)).equals(readFileSync(join(repoRoot, from, f))), `test/workspace/${dir}/${f} differs from ${from}/${f}`);
    });
  }
  it('test/fixtures/debian-6.1/regmap-sdw.btf (copied into the workspace by the tests that use it) is the corpus module', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
    const corpus = readFileSync(join(sharedCorpus, 'modules/drivers__base__regmap__regmap-sdw.btf'));
    assert.ok(readFileSync(join(repoRoot, 'test/fixtures/debian-6.1/regmap-sdw.btf')).equals(corpus));
  });
});

describe('fences: tests run on any machine', () => {
  it('no test names an absolute path of one machine (inputs come from the repo, ../shared, or an environment variable)', () => {
    const bad: string[] = [];
    for (const f of (readdirSync(join(repoRoot, 'test'), { recursive: true }) as string[]).filter((x) => /\.(ts|mjs)$/.test(x))) {
      readFileSync(join(repoRoot, 'test', f), 'utf8').split('\n').forEach((l, i) => {
        // A path read from the disk (not a path inside test data, such as a line_info file name).
        const read = /\?\?|Sync\(|spawn|^\s*(export )?const \w+ = ['"`]\//.test(l);
        if (read && /['"`]\/(work|home|root|tmp|Users|srv|opt)\//.test(l)) bad.push(`test/${f}:${i + 1}: ${l.trim()}`);
      });
    }
    assert.deepEqual(bad, []);
  });
});

describe('fences: the top level is fixed', () => {
  // The brief's layout: client/ server/ syntaxes/ test/ package.json tsconfig.json .vscodeignore, bench/ and
  // scripts/, and the files that were there with them; build output and installs are not the tree's.
  const allowed = new Set([
    'client', 'server', 'syntaxes', 'test', 'package.json', 'tsconfig.json', '.vscodeignore', 'bench', 'scripts',
    '.ci', '.gitignore', '.git', 'ARCHITECTURE.md', 'LICENSE', 'README.md', 'esbuild.mjs', 'package-lock.json', 'tsconfig.base.json',
  ]);
  const built = new Set(['node_modules', 'dist', 'out']);
  it('nothing new beside them (a new command goes under server/, a new script under scripts/)', () => {
    const extra = readdirSync(repoRoot).filter((n) => !allowed.has(n) && !built.has(n) && !/\.(vsix|tsbuildinfo)$/.test(n));
    assert.deepEqual(extra, []);
  });
});
