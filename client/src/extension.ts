/**
 * The VS Code side of BTF Lens. Wiring only: start the language server (dist/server.js over IPC) and
 * register each feature (one file each under features/). All knowledge lives in the server.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { VIRTUAL_SCHEME } from '../../server/src/protocol/requests';
import { registerCommands } from './features/commands';
import { registerCompare } from './features/compare';
import { registerCoreMatrix } from './features/core-matrix';
import { registerGenMinCore } from './features/gen-min-core';
import { configurationMiddleware, currentSettings, registerSettingsSync } from './features/settings';
import { registerStatus } from './features/status';
import { type TypeTreeApi, registerTypeTree } from './features/type-tree';
import { registerVirtualDocuments } from './features/virtual-docs';

/** What activate() returns: tests and other extensions wait on `ready` instead of sleeping. */
export interface BtfLensApi {
  /** Resolves when the server is running and has finished its first index. */
  ready: Promise<void>;
  client: LanguageClient;
  /** The type-tree editor: `onRendered`/`waitRendered` report its first painted rows. */
  typeTree: TypeTreeApi;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): BtfLensApi {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp', pattern: '**/*.h' },
      { scheme: VIRTUAL_SCHEME },
    ],
    // Only the settings the user set (features/settings.ts): never VS Code's fill-ins for unset ones. `client`
    // tells the server it may write command links and `bpf-asm` fences (server/src/lsp/markup.ts).
    initializationOptions: () => ({ settings: currentSettings(context), client: 'vscode' }),
    middleware: { workspace: configurationMiddleware(context) },
    // Hovers carry command links (btfLens.open) to the types they mention.
    markdown: { isTrusted: { enabledCommands: ['btfLens.open', 'btfLens.revealType'] } },
  };
  client = new LanguageClient('btfLens', 'BTF Lens', serverOptions, clientOptions);
  const c = client;
  const status = registerStatus(context, c);
  registerVirtualDocuments(context, c);
  registerCommands(context, c);
  const typeTree = registerTypeTree(context, c);
  registerCoreMatrix(context, c);
  registerCompare(context, c);
  registerGenMinCore(context, c);
  registerSettingsSync(context, c);
  const ready = c.start().then(() => status.firstIndex);
  return { ready, client: c, typeTree };
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
