/**
 * The server as an editor other than VS Code sees it: `server/bin/btf-lens-ls.js` (the package's `btf-lens-ls`) spawned,
 * spoken to by a minimal LSP client written here (Content-Length framing over the pipes, no vscode package).
 * The client sends no initializationOptions and answers `workspace/configuration` (its settings come only from
 * there), names itself something other than VS Code, and supports window/showDocument. Checked: the pulled
 * settings, every custom `btf/*` request of the protocol, workspace/executeCommand (a code lens' command shows
 * its document), and hover markdown with no `command:` link and fences named `asm` / `c`.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as protocol from '../../server/src/protocol/requests';
import type { OpenCommand, ParamsOf, RequestMethod, ResultOf } from '../../server/src/protocol/requests';
import { golden, repoRoot } from '../helpers/paths';
import { workspaceFixture } from './harness';

const bin = join(repoRoot, 'server/bin/btf-lens-ls.js');
const built = existsSync(join(repoRoot, 'dist/server.js'));

type Json = unknown;
interface Message { id?: number | string; method?: string; params?: Json; result?: Json; error?: { code: number; message: string } }

/** JSON-RPC 2.0 over LSP's base protocol (`Content-Length: N\r\n\r\n` + N bytes of JSON), both directions. */
class MiniClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  private notes = new Map<string, ((p: Json) => void)[]>();
  private handlers = new Map<string, (p: Json) => Json>();
  /** Every request the server sent us, in order. */
  readonly serverRequests: { method: string; params: Json }[] = [];

  constructor(private child: ChildProcessByStdio<Writable, Readable, null>) {
    child.stdout.on('data', (d: Buffer) => this.read(d));
    child.stdin.on('error', () => {});
  }

  private read(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString('ascii'))?.[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Message;
      this.buf = this.buf.subarray(end + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(m: Message): void {
    if (m.method !== undefined && m.id !== undefined) {
      this.serverRequests.push({ method: m.method, params: m.params });
      const h = this.handlers.get(m.method);
      this.write(h ? { id: m.id, result: h(m.params) ?? null } : { id: m.id, error: { code: -32601, message: `unhandled ${m.method}` } });
    } else if (m.method !== undefined) {
      for (const f of this.notes.get(m.method) ?? []) f(m.params);
    } else {
      const p = this.pending.get(Number(m.id));
      this.pending.delete(Number(m.id));
      if (m.error) p?.reject(new Error(`${m.error.code}: ${m.error.message}`));
      else p?.resolve(m.result);
    }
  }

  private write(m: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...m }), 'utf8');
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  request<T = Json>(method: string, params: Json): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: Json) => void, reject });
      this.write({ id, method, params });
    });
  }

  readonly customSent = new Set<string>();

  /** One of the server's custom requests, typed by the protocol's RequestMap (as the VS Code client types them). */
  custom<M extends RequestMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    this.customSent.add(method);
    return this.request<ResultOf<M>>(method, params);
  }

  notify(method: string, params: Json): void {
    this.write({ method, params });
  }

  onNotification(method: string, f: (p: Json) => void): void {
    this.notes.set(method, [...(this.notes.get(method) ?? []), f]);
  }

  onRequest(method: string, f: (p: Json) => Json): void {
    this.handlers.set(method, f);
  }
}

test('btf-lens-ls over stdio, a client that is not VS Code: settings pulled, every btf/* request, executeCommand, plain hovers', { skip: !built && 'dist/server.js not built (npm run build)', timeout: 90_000 }, async () => {
  const child = spawn(process.execPath, [bin], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = new MiniClient(child);
  const ready = new Promise<void>((r) => c.onNotification('btf/status', (p) => (p as { state: string }).state === 'ready' && r()));
  const diagnostics = new Map<string, { message: string; severity?: number }[]>();
  c.onNotification('textDocument/publishDiagnostics', (p) => {
    const d = p as { uri: string; diagnostics: { message: string }[] };
    diagnostics.set(d.uri, d.diagnostics);
  });
  // The settings exist only as this answer: no initializationOptions.
  c.onRequest('workspace/configuration', (p) => (p as { items: { section?: string }[] }).items.map((i) => (i.section === 'btfLens' ? { kernelBtf: 'none', hoverMaxInstructions: 3 } : null)));
  c.onRequest('window/showDocument', () => ({ success: true }));
  try {
    const root = pathToFileURL(workspaceFixture).href;
    const init = await c.request<{ capabilities: { executeCommandProvider?: { commands: string[] } } }>('initialize', {
      processId: process.pid, clientInfo: { name: 'Neovim', version: '0.7.2' }, rootUri: root, workspaceFolders: [{ uri: root, name: 'workspace' }],
      capabilities: { workspace: { configuration: true }, window: { showDocument: { support: true } }, textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } } },
    });
    assert.deepEqual(init.capabilities.executeCommandProvider?.commands, ['btf-lens.open', 'btf-lens.coreMatrix']);
    c.notify('initialized', {});
    await ready;
    assert.ok(c.serverRequests.some((r) => r.method === 'workspace/configuration'), 'the server pulled workspace/configuration at start-up');

    // btf/settings: what came over workspace/configuration is in use.
    const settings = await c.custom('btf/settings', {});
    assert.equal(settings.initializationOptions, undefined);
    assert.deepEqual(settings.configuration, { kernelBtf: 'none', hoverMaxInstructions: 3 });
    assert.equal(settings.effective.hoverMaxInstructions, 3);
    assert.equal(settings.effective.kernelBtf, 'none');

    const src = join(workspaceFixture, 'src/core.c');
    const srcUri = pathToFileURL(src).href;
    const text = readFileSync(src, 'utf8');
    c.notify('textDocument/didOpen', { textDocument: { uri: srcUri, languageId: 'c', version: 1, text } });
    const lines = text.split('\n');
    const lineOf = (s: string) => lines.findIndex((l) => l.includes(s));

    // Hover: rendered for a client that runs no VS Code command and knows no `bpf-asm`.
    const pidLine = lineOf('o->pid = BPF_CORE_READ(t, pid);');
    const h = await c.request<{ contents: { kind: string; value: string } }>('textDocument/hover', {
      textDocument: { uri: srcUri }, position: { line: pidLine, character: lines[pidLine]!.indexOf('pid);') + 1 },
    });
    const md = h.contents.value;
    assert.equal(h.contents.kind, 'markdown');
    assert.ok(md.startsWith('**pid** — member of `struct task_struct`\n\n```c\nint pid;\n```\n\noffset 8 · size 4 · bit offset 64'), md);
    assert.ok(md.includes('```asm\n      12:\tr1 = 8\n      17:\tr2 = 4\n      18:\tcall 113\n… 6 more\n```'), md);
    assert.ok(md.includes('Local type: `struct task_struct` [22]\n'), md);
    assert.ok(!md.includes('command:') && !md.includes('bpf-asm') && !md.includes('[tree]'), md);

    // Code lenses name the server's command, which shows the document through window/showDocument.
    const fnLine = lineOf('int core_reads(void *ctx)');
    const lenses = await c.request<{ range: { start: { line: number } }; command: { title: string; command: string; arguments: OpenCommand.Arguments } }[]>('textDocument/codeLens', { textDocument: { uri: srcUri } });
    const lens = lenses.find((l) => l.range.start.line === fnLine && l.command.title.endsWith('build/core.bpfel.o'))!;
    assert.equal(lens.command.command, 'btf-lens.open');
    const disasmUri = lens.command.arguments[0];
    assert.match(disasmUri, /^btf-lens:\/\/\/.*\/build\/core\.bpfel\.o\/@fn\/core_reads\.bpf-asm$/);
    const shown = await c.request<OpenCommand.Result>('workspace/executeCommand', lens.command);
    assert.deepEqual(shown, { shown: true });
    const asked = c.serverRequests.filter((r) => r.method === 'window/showDocument').map((r) => r.params);
    assert.deepEqual(asked, [{ uri: disasmUri, takeFocus: true }]);
    await assert.rejects(c.request('workspace/executeCommand', { command: 'btf-lens.open', arguments: [] }), /a URI expected/);

    // Definition lands in a btf-lens:/// document the client reads with btf/document.
    const defs = await c.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', {
      textDocument: { uri: srcUri }, position: { line: pidLine, character: lines[pidLine]!.indexOf('pid);') + 1 },
    });
    const def = defs.find((d) => d.uri.includes('/build/core.bpfel.o/'))!;
    assert.match(def.uri, /^btf-lens:\/\/\/.*\/build\/core\.bpfel\.o\/@22\/struct%20task_struct\.btf\.h$/);
    const doc = await c.custom('btf/document', { uri: def.uri });
    assert.equal(doc.languageId, 'btf-c');
    assert.equal(doc.text.split('\n')[def.range.start.line], '\tint pid;                         /* off: 8 (bit 64), size: 4 */');
    const dis = await c.custom('btf/document', { uri: disasmUri });
    assert.match(dis.text, /^; core_reads · kprobe\/tcp_connect · build\/core\.bpfel\.o\n; 103 instructions, 10 CO-RE relocations\n/);
    // The form VS Code writes back (no empty authority) is the same document.
    assert.deepEqual(await c.custom('btf/document', { uri: def.uri.replace('btf-lens:///', 'btf-lens:/') }), doc);

    // Every other custom request, once, against the tools' output where there is one.
    const files = await c.custom('btf/files', {});
    const obj = files.files.find((f) => f.label === 'build/core.bpfel.o')!;
    assert.deepEqual([obj.kind, obj.state, obj.hasExt], ['bpf-object', 'indexed', true]);
    const bpftool = readFileSync(join(golden, 'raw/core.bpfel.o.txt'), 'utf8');
    const start = bpftool.indexOf('[22] STRUCT');
    const raw22 = await c.custom('btf/typeText', { file: obj.uri, id: 22, format: 'raw' });
    assert.equal(raw22.text, bpftool.slice(start, bpftool.indexOf('\n[', start) + 1));
    assert.equal(raw22.uri, def.uri);
    const search = await c.custom('btf/search', { query: 'task_struct', kinds: ['STRUCT'], limit: 5 });
    assert.deepEqual(search.hits.slice(0, 1).map((x) => [x.name, x.kind, x.id, x.count]), [['task_struct', 'STRUCT', 22, 2]]);
    assert.match(search.hits[0]!.uri, /^btf-lens:\/\/\//);
    const matrix = await c.custom('btf/coreMatrix', { object: obj.uri });
    assert.deepEqual(matrix.targets, []); // kernelBtf 'none': no kernel to resolve against
    assert.equal(matrix.rows.filter((r) => r.section === 'kprobe/tcp_connect').length, 10);
    assert.deepEqual(await c.request('workspace/executeCommand', { command: 'btf-lens.coreMatrix', arguments: [obj.uri] }), matrix);
    // Compare BTF: the document is `btf-lens diff`'s text; its code lenses run the server's open command here.
    const progsObj = files.files.find((f) => f.label === 'build/progs.bpfel.o')!;
    const cmp = await c.custom('btf/compare', { old: obj.uri, new: progsObj.uri });
    assert.match(cmp.uri, /^btf-lens:\/\/\/.*\.diff$/);
    const cdoc = await c.custom('btf/document', { uri: cmp.uri });
    assert.equal(cdoc.languageId, 'diff');
    const tline = cdoc.text.split('\n').indexOf('~ struct task_struct');
    const clens = (await c.request<{ range: { start: { line: number } }; command: { command: string; arguments: [string] } }[]>('textDocument/codeLens', { textDocument: { uri: cmp.uri } }))
      .filter((l) => l.range.start.line === tline);
    assert.deepEqual(clens.map((l) => l.command.command), ['btf-lens.open', 'btf-lens.open']);
    assert.equal(clens[0]!.command.arguments[0], def.uri); // task_struct [22] of core.bpfel.o
    assert.ok((await c.custom('btf/compareMarks', { uri: def.uri })).marks.some((m) => m.text.includes('field moved: pid')));

    // Generate tailored BTF: bpftool's bytes for the object on a target of the CO-RE fixtures.
    const genDir = mkdtempSync(join(tmpdir(), 'btf-lens-gen-'));
    try {
      const gen = await c.custom('btf/genMinCoreBtf', { object: obj.uri, targets: [join(repoRoot, 'test/fixtures/core-targets/btf/same.btf')], outDir: genDir });
      assert.equal(gen.files.length, 1);
      assert.deepEqual(readFileSync(gen.files[0]!.out!), readFileSync(join(golden, 'min-core-btf/core.bpfel__same.btf')));
    } finally {
      rmSync(genDir, { recursive: true, force: true });
    }

    const { doc: ed, ok } = await c.custom('btf/editor/open', { uri: obj.uri });
    assert.equal(ok, true);
    const rows = await c.custom('btf/editor/rows', { doc: ed, scope: 'own', name: 'task_struct', kinds: ['STRUCT'], offset: 0, limit: 1 });
    assert.deepEqual(rows.rows.map((r) => [r.id, r.label]), [[22, 'struct task_struct']]);
    assert.equal((await c.custom('btf/editor/locate', { doc: ed, scope: 'own', id: 22 })).index, 21);
    assert.equal((await c.custom('btf/editor/children', { doc: ed, id: 22 })).children[2]!.name, 'pid');
    assert.equal((await c.custom('btf/editor/typeText', { doc: ed, id: 22 })).raw, raw22.text);
    assert.ok((await c.custom('btf/editor/usedBy', { doc: ed, id: 22 })).rows.length > 0);
    const pahole = await c.custom('btf/editor/layout', { doc: ed, id: 22 });
    assert.equal(pahole.name, 'task_struct');
    const progs = await c.custom('btf/editor/programs', { doc: ed });
    const fn = progs.functions.find((f) => f.name === 'core_reads')!;
    assert.deepEqual([fn.section, fn.insns, fn.coreRelos], ['kprobe/tcp_connect', 103, 10]);
    assert.ok((await c.custom('btf/editor/disasm', { doc: ed, section: fn.section, name: fn.name })).lines.some((l) => l.text === '      12:\tr1 = 8'));
    assert.ok((await c.custom('btf/editor/maps', { doc: ed })).maps.length > 0);
    assert.ok((await c.custom('btf/editor/ext', { doc: ed })).coreRelo.length > 0);
    assert.equal(await c.custom('btf/editor/close', { doc: ed }), null);

    // That was every request the protocol declares (a new one fails here until it is tried above).
    const declared = Object.values(protocol).flatMap((ns) => {
      const m = (ns as { method?: unknown }).method;
      return typeof m === 'string' && m !== protocol.StatusNotification.method ? [m] : [];
    });
    assert.deepEqual([...c.customSent].sort(), declared.sort());

    // Diagnostics reach a client that never registered a watcher (the source's: none; not_bpf.x86_64.o says why it is skipped).
    assert.ok([...diagnostics.keys()].length > 0);

    await c.request('shutdown', null);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    c.notify('exit', null);
    assert.equal(await exited, 0);
  } finally {
    child.kill();
  }
});
