/**
 * The built server as other editors run it: `node dist/server.js --stdio`, a separate process speaking
 * LSP over its standard streams (initialize, wait for the index, hover, shutdown, exit).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Hover, StreamMessageReader, StreamMessageWriter, createProtocolConnection } from 'vscode-languageserver/node';
import { repoRoot } from '../helpers/paths';
import { workspaceFixture } from './harness';

const serverJs = join(repoRoot, 'dist/server.js');

test('dist/server.js --stdio: initialize, index, hover', { skip: !existsSync(serverJs) && 'dist/server.js not built (npm run build)', timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const ready = new Promise<void>((r) => conn.onNotification('btf/status', (p: { state: string }) => p.state === 'ready' && r()));
  conn.onNotification('window/logMessage', () => {});
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
    await conn.sendRequest('shutdown');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    conn.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    conn.dispose();
    child.kill();
  }
});
