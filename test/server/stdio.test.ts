/**
 * The built server as other editors run it: `node dist/server.js --stdio`, a separate process speaking
 * LSP over its standard streams (initialize, wait for the index, hover, shutdown, exit).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type CodeLens, type Hover, StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver/node';
import { fixtureObj, repoRoot } from '../helpers/paths';
import { workspaceFixture } from './harness';

const serverJs = join(repoRoot, 'dist/server.js');

test('dist/server.js --stdio: initialize, index, hover', { skip: !existsSync(serverJs) && 'dist/server.js not built (npm run build)', timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const ready = new Promise<void>((r) => conn.onNotification('btf/status', (p: { state: string }) => p.state === 'ready' && r()));
  conn.onNotification('window/logMessage', () => {});
  const diagnostics = new Map<string, { message: string }[]>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { message: string }[] }) => diagnostics.set(p.uri, p.diagnostics));
  conn.listen();
  try {
    const root = pathToFileURL(workspaceFixture).href;
    const init = (await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: root, workspaceFolders: [{ uri: root, name: 'workspace' }], capabilities: {},
      initializationOptions: { settings: { kernelBtf: 'none' } },
    })) as { capabilities: { hoverProvider?: boolean }; serverInfo?: { name: string } };
    assert.equal(init.capabilities.hoverProvider, true);
    assert.equal(init.serverInfo?.name, 'btf-lens');
    conn.sendNotification('initialized', {});
    await ready;
    const src = join(workspaceFixture, 'src/core.c');
    const line = readFileSync(src, 'utf8').split('\n').findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);'));
    const h = (await conn.sendRequest('textDocument/hover', {
      textDocument: { uri: pathToFileURL(src).href }, position: { line, character: 1 },
    })) as Hover;
    const text = (h.contents as { value: string }).value;
    assert.ok(text.includes('**core_reads** · `kprobe/tcp_connect` · build/core.bpfel.o'), text);
    assert.ok(text.includes('```\n<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)\n```'), text);
    // The module's base, the workspace's xz-compressed vmlinux, was inflated by the bundled worker
    // (dist/inflate-worker.js): without it the module says no vmlinux of its release was found.
    const module = pathToFileURL(join(workspaceFixture, 'modules/regmap-sdw.ko')).href;
    assert.deepEqual(diagnostics.get(module) ?? [], []);
    await conn.sendRequest('shutdown');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    conn.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    conn.dispose();
    child.kill();
  }
});

test('dist/server.js --stdio with a client that does not watch files: the server watches, a rebuilt object is re-read', { skip: !existsSync(serverJs) && 'dist/server.js not built (npm run build)', timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'btf-lens-stdio-'));
  cpSync(workspaceFixture, root, { recursive: true });
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.on('error', () => {}); // the server may be gone when the last message is flushed
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let onReady: (() => void) | undefined;
  conn.onNotification('btf/status', (p: { state: string }) => p.state === 'ready' && onReady?.());
  const nextReady = () => new Promise<void>((r) => (onReady = r));
  conn.onNotification('window/logMessage', () => {});
  conn.onNotification('textDocument/publishDiagnostics', () => {});
  conn.listen();
  const lens = async () => {
    const src = join(root, 'src/core.c');
    const line = readFileSync(src, 'utf8').split('\n').findIndex((l) => l.includes('int core_fields('));
    const lenses = (await conn.sendRequest('textDocument/codeLens', { textDocument: { uri: pathToFileURL(src).href } })) as CodeLens[];
    return lenses.filter((l) => l.range.start.line === line).map((l) => l.command!.title);
  };
  try {
    const uri = pathToFileURL(root).href;
    await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], capabilities: {},
      initializationOptions: { settings: { kernelBtf: 'none' } },
    });
    let ready = nextReady();
    conn.sendNotification('initialized', {});
    await ready;
    assert.deepEqual(await lens(), [
      'kprobe/inet_csk_accept · 99 instructions · 30 CO-RE relocations · build/core.bpfeb.o',
      'kprobe/inet_csk_accept · 81 instructions · 27 CO-RE relocations · build/core.bpfel.o',
    ]);
    // "Rebuild" core.bpfel.o as the big-endian object of the same source (which llvm compiled to 99
    // instructions, 30 relocations, against 81 and 27) and remove the big-endian one. Nobody tells the server.
    ready = nextReady();
    copyFileSync(join(fixtureObj, 'core.bpfeb.o'), join(root, 'build/core.bpfel.o.tmp'));
    renameSync(join(root, 'build/core.bpfel.o.tmp'), join(root, 'build/core.bpfel.o'));
    rmSync(join(root, 'build/core.bpfeb.o'));
    await ready;
    assert.deepEqual(await lens(), ['kprobe/inet_csk_accept · 99 instructions · 30 CO-RE relocations']);
    await conn.sendRequest('shutdown');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    conn.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    conn.dispose();
    child.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
