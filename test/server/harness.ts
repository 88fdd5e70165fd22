/**
 * In-process LSP round trips (as vscode-languageserver-node tests itself): the server runs on one end
 * of a pair of streams, a protocol connection plays the editor on the other. No process, no VS Code.
 */
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  type Diagnostic, type ProtocolConnection, StreamMessageReader, StreamMessageWriter, createConnection, createProtocolConnection,
} from 'vscode-languageserver/node';
import { startServer } from '../../server/src/lsp/main';
import { StatusNotification } from '../../server/src/protocol/requests';
import { repoRoot } from '../helpers/paths';

export const workspaceFixture = join(repoRoot, 'test/workspace');
/** regmap-sdw.ko's .BTF alone (test/fixtures/debian-6.1/make.sh). */
export const rawModuleFixture = join(repoRoot, 'test/fixtures/debian-6.1/regmap-sdw.btf');

export interface TestServer {
  /** The temporary copy of test/workspace the server indexes. */
  root: string;
  client: ProtocolConnection;
  diagnostics: Map<string, Diagnostic[]>;
  statuses: StatusNotification.Params[];
  /** Work-done progress the server reported ($/progress values, in order). */
  progress: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean }[];
  /** Resolves on the next `btf/status` with state `ready`. */
  nextReady(): Promise<StatusNotification.Params>;
  uri(rel: string): string;
  path(rel: string): string;
  close(): void;
}

export interface StartOptions {
  settings?: Record<string, unknown>;
  /** Index these folders in place (no copy of test/workspace; nothing is deleted on close). */
  folders?: string[];
  /** Prepare the workspace copy before the server starts. */
  prepare?: (root: string) => void;
  /** Play a client that answers workspace/configuration (advertised only then): the value of each section asked (a promise: answered when it settles). */
  configuration?: (section: string | undefined) => unknown;
  /** Which client the server is told it serves (lsp/markup.ts): by default VS Code, as our extension says it. */
  client?: 'vscode' | 'plain';
}

export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const inPlace = opts.folders?.length ? opts.folders : undefined;
  const root = inPlace ? inPlace[0]! : mkdtempSync(join(tmpdir(), 'btf-lens-ws-'));
  if (!inPlace) {
    cpSync(workspaceFixture, root, { recursive: true });
    // Beside the shipped .ko, the same module as raw split BTF (no release in it: it goes on the kernel BTF).
    copyFileSync(rawModuleFixture, join(root, 'modules/regmap-sdw.btf'));
    // One time for every file, so no object looks older than its source by accident of copy order.
    const when = new Date('2024-01-01T00:00:00Z');
    for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) if (e.isFile()) utimesSync(join(e.parentPath, e.name), when, when);
    opts.prepare?.(root);
  }
  const up = new PassThrough();
  const down = new PassThrough();
  const serverConn = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  startServer(serverConn);
  const client = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics = new Map<string, Diagnostic[]>();
  const statuses: StatusNotification.Params[] = [];
  const progress: TestServer['progress'] = [];
  let waiters: ((p: StatusNotification.Params) => void)[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
  });
  client.onNotification(StatusNotification.method, (p: StatusNotification.Params) => {
    statuses.push(p);
    if (p.state === 'ready') {
      const w = waiters;
      waiters = [];
      for (const f of w) f(p);
    }
  });
  client.onNotification('window/logMessage', () => {});
  client.onRequest('window/workDoneProgress/create', () => null);
  client.onRequest('client/registerCapability', () => null);
  client.onRequest('workspace/codeLens/refresh', () => null);
  const answer = opts.configuration;
  if (answer) client.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => Promise.all(p.items.map(async (i) => (await answer(i.section)) ?? null)));
  client.onNotification('$/progress', (p: { value: TestServer['progress'][number] }) => progress.push(p.value));
  client.listen();
  const nextReady = () => new Promise<StatusNotification.Params>((r) => waiters.push(r));
  const first = nextReady();
  const rootUri = pathToFileURL(root).href;
  await client.sendRequest('initialize', {
    processId: null,
    rootUri,
    workspaceFolders: (inPlace ?? [root]).map((f, i) => ({ uri: pathToFileURL(f).href, name: `ws${i}` })),
    capabilities: {
      window: { workDoneProgress: true },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, codeLens: { refreshSupport: true }, symbol: {}, ...(answer ? { configuration: true } : {}) },
      textDocument: { hover: { contentFormat: ['markdown'] } },
    },
    initializationOptions: { settings: { kernelBtf: 'none', ...opts.settings }, ...(opts.client === 'plain' ? {} : { client: 'vscode' }) },
  });
  client.sendNotification('initialized', {});
  await first;
  return {
    root, client, diagnostics, statuses, progress, nextReady,
    uri: (rel) => pathToFileURL(join(root, rel)).href,
    path: (rel) => join(root, rel),
    close() {
      client.dispose();
      serverConn.dispose();
      if (!inPlace) rmSync(root, { recursive: true, force: true });
    },
  };
}
