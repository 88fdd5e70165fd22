/**
 * The language server over any connection (IPC and stdio from server.ts, a pair of streams in tests):
 * LSP features and the custom `btf/...` requests wired to the workspace index.
 */
import { inflateOffThread } from '../io/files';
import { resolve } from 'node:path';
import {
  type ClientCapabilities, ErrorCodes, type Hover, ResponseError, type HoverParams, CodeLensRefreshRequest, type Connection, DidChangeWatchedFilesNotification, FileChangeType,
  type InitializeResult, type Location, type SymbolInformation, TextDocumentSyncKind, TextDocuments,
  type WorkDoneProgressServerReporter, type WorkspaceSymbol,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompareMarksRequest, CompareRequest, CoreMatrixCommand, CoreMatrixRequest, DocumentRequest, GenMinCoreBtfRequest, OpenCommand, FilesRequest,
  type RequestMethod, SearchRequest, SettingsRequest, StatusNotification,
  TypeTextRequest,
} from '../protocol/requests';
import { Comparisons } from './compare';
import { coreMatrix } from './core-matrix';
import { genMinCoreBtf } from './gen-min-core';
import { coreTargetsOf } from './core-targets';
import { DiagnosticsPublisher } from './diagnostics-publisher';
import { hoverMarkdown } from './hover';
import { flavorOf, setClientFlavor } from './markup';
import type { IndexedFile } from './model';
import type { SymbolIndex } from './names';
import { codeLenses, docDefinition, docSymbols, sourceDefinition, sourceSymbols, symbolKindOf } from './navigation';
import { registerEditorRequests } from './editor-requests';
import { type Handler, onRequest } from './request-errors';
import * as req from './requests';
import { type Settings, kernelBtfPath, readSettings } from './settings';
import { SourceTexts } from './source-texts';
import { SymbolTable } from './symbol-table';
import { typeUri } from './typedoc';
import { parseCompareUri, parseVirtualUri, uriToPath } from './uri';
import { warmSource } from './warm-up';
import { watchFolders } from './watch';
import { type IndexProgress, WorkspaceIndex } from './workspace';

export interface ServerHandle {
  index: () => WorkspaceIndex | undefined;
  /** Resolves when the first full index has finished. */
  firstIndex: Promise<void>;
}

/** How long start-up waits for the client's workspace/configuration answer before indexing with initializationOptions. */
const CONFIGURATION_PULL_MS = 3000;

export function startServer(connection: Connection): ServerHandle {
  inflateOffThread(); // a bomb or a slow zstd frame must not hold up hover and the rest
  const documents = new TextDocuments(TextDocument);
  let index: WorkspaceIndex | undefined;
  let caps: ClientCapabilities = {};
  let firstIndexDone!: () => void;
  const firstIndex = new Promise<void>((r) => (firstIndexDone = r));

  const log = (m: string) => connection.console.log(m);
  const texts = new SourceTexts(documents);
  const { linesOf, fullText } = texts;
  const symbolTable = new SymbolTable(() => (index ? index.btfFiles() : []), () => !!index?.indexing, log);
  const diagnostics = new DiagnosticsPublisher(connection, documents, () => index);
  const publishAll = (changed: IndexedFile[]) => diagnostics.publishAll(changed);
  const publishSource = (path: string, uri?: string) => diagnostics.publishSource(path, uri);
  const comparisons = new Comparisons(() => index); // "Compare BTF…" documents

  const sendStatus = (indexing: boolean) => {
    if (!index) return;
    const all = index.allFiles();
    const p: StatusNotification.Params = {
      state: indexing ? 'indexing' : 'ready', files: all.length,
      indexed: all.filter((f) => f.state === 'indexed').length, failed: all.filter((f) => f.state === 'failed').length,
    };
    if (index.kernel) p.kernel = index.kernel.path;
    void connection.sendNotification(StatusNotification.method, p);
  };

  /** The `btfLens` settings as the client sent them (btf/settings shows them). */
  const received: Omit<SettingsRequest.Result, 'effective' | 'kernel' | 'coreTargets'> = { didChangeConfiguration: [] };
  /**
   * Start-up: where the client answers workspace/configuration, its answer goes over initializationOptions (what
   * the client computed before it started; some clients send none, some answer {} for a section they do not
   * know, so keys it lacks keep their initializationOptions value). Bounded: a client that never answers does
   * not hold up the index; null (no such section) keeps initializationOptions.
   */
  const pullSettings = async (): Promise<void> => {
    if (!index || !caps.workspace?.configuration) return;
    const timeout = Symbol('timeout');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answer: unknown = await Promise.race([
      connection.workspace.getConfiguration('btfLens').catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, CONFIGURATION_PULL_MS, timeout))),
    ]).finally(() => clearTimeout(timer));
    if (answer === timeout) return log(`workspace/configuration: no answer in ${CONFIGURATION_PULL_MS} ms; using initializationOptions`);
    if (!answer || typeof answer !== 'object') return;
    received.configuration = answer;
    const init = received.initializationOptions;
    const pulled = readSettings({ ...(init && typeof init === 'object' ? init : {}), ...answer });
    if (JSON.stringify(pulled) !== JSON.stringify(index.settings)) await index.configure(pulled).catch((e) => log(String(e)));
  };

  connection.onInitialize((params): InitializeResult => {
    caps = params.capabilities;
    const folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (!folders.length && params.rootUri) {
      const p = uriToPath(params.rootUri);
      if (p) folders.push(p);
    }
    // `settings` (our clients), or `btfLens` (Helix sends its one `config` table here and answers the pull from it).
    const init = params.initializationOptions as { settings?: unknown; btfLens?: unknown; client?: unknown } | undefined;
    received.initializationOptions = init?.settings ?? init?.btfLens;
    setClientFlavor(flavorOf(init, params.clientInfo));
    const settings: Settings = readSettings(received.initializationOptions);
    index = new WorkspaceIndex(folders.map((f) => resolve(f)), settings, {
      changed: (files) => {
        symbolTable.changed();
        publishAll(files);
        if (caps.workspace?.codeLens?.refreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => {});
      },
      status: sendStatus,
      log,
    });
    // Source warnings depend on the CO-RE targets, read in the background: published again once read.
    coreTargetsOf(index).onLoaded(() => publishAll([]));
    index.setProgressFactory(async (): Promise<IndexProgress | undefined> => {
      if (!caps.window?.workDoneProgress) return undefined;
      const r: WorkDoneProgressServerReporter = await connection.window.createWorkDoneProgress();
      let cancelled = false;
      r.token.onCancellationRequested(() => (cancelled = true));
      let lastPct = -1;
      return {
        begin: (total) => r.begin('BTF Lens: indexing', 0, `${total} file(s)`, true),
        report: (done, total, file) => {
          const pct = Math.floor((done * 100) / Math.max(1, total));
          if (pct !== lastPct) {
            lastPct = pct;
            r.report(pct, `${done}/${total} ${file.split('/').pop()}`);
          }
        },
        end: () => r.done(),
        get cancelled() {
          return cancelled;
        },
      };
    });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        typeDefinitionProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [OpenCommand.command, CoreMatrixCommand.command] },
      },
      serverInfo: { name: 'btf-lens' },
    };
  });

  connection.onInitialized(() => void pullSettings().then(() => {
    if (!index) return;
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      const watchers = [...index.settings.include, '**/*.{c,h}'].map((globPattern) => ({ globPattern }));
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => {});
    } else {
      // The client does not watch for us (many editors over --stdio): watch the folders here.
      const stop = watchFolders(index.folders, (changes) => {
        const mine = changes.filter((c) => index?.relevant(c.path));
        if (mine.length) void index?.changed(mine).catch((e) => log(String(e)));
      }, log);
      connection.onShutdown(stop);
    }
    void index.start().catch((e) => log(`indexing failed: ${(e as Error).stack ?? e}`)).finally(() => firstIndexDone());
  }));

  connection.onDidChangeConfiguration((p) => {
    if (!index) return;
    const s = (p.settings as { btfLens?: unknown } | undefined)?.btfLens;
    const apply = (raw: unknown) => {
      received.didChangeConfiguration = [...received.didChangeConfiguration.slice(-9), raw];
      return index!.configure(readSettings(raw)).then(() => publishAll([])).catch((e) => log(String(e)));
    };
    if (s !== undefined) void apply(s);
    else if (caps.workspace?.configuration) {
      void connection.workspace.getConfiguration('btfLens').then(apply, () => {});
    }
  });

  connection.onDidChangeWatchedFiles((p) => {
    if (!index) return;
    const paths = p.changes
      .map((c) => ({ path: uriToPath(c.uri), deleted: c.type === FileChangeType.Deleted }))
      .filter((c): c is { path: string; deleted: boolean } => !!c.path);
    void index.changed(paths).catch((e) => log(String(e)));
  });

  // ---- language features ----

  const guard = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      log(`request failed: ${(e as Error).stack ?? e}`);
      return fallback;
    }
  };

  connection.onHover(async (p) => {
    // CO-RE target kernels are read in the background; a hover waits for them (bounded), not the other way round.
    if (index) await coreTargetsOf(index).ready(2000);
    return hover(p);
  });
  const hover = (p: HoverParams): Hover | null => guard<Hover | null>(() => {
    if (!index) return null;
    const path = uriToPath(p.textDocument.uri);
    if (!path) return null;
    const md = hoverMarkdown(index, path, p.position.line, p.position.character, linesOf(p.textDocument.uri));
    return md ? { contents: { kind: 'markdown', value: md } } : null;
  }, null);

  const definition = (uri: string, line: number, character: number, typeDef: boolean): Location[] => {
    if (!index) return [];
    if (parseVirtualUri(uri)) return docDefinition(index, uri, line, character);
    const path = uriToPath(uri);
    if (!path) return [];
    return sourceDefinition(index, path, line, character, linesOf(uri), typeDef);
  };
  connection.onDefinition((p) => guard(() => definition(p.textDocument.uri, p.position.line, p.position.character, false), []));
  connection.onTypeDefinition((p) => guard(() => definition(p.textDocument.uri, p.position.line, p.position.character, true), []));

  connection.onDocumentSymbol((p) => guard(() => {
    if (!index) return [];
    const uri = p.textDocument.uri;
    if (parseVirtualUri(uri)) return docSymbols(index, uri);
    const path = uriToPath(uri);
    const text = fullText(uri);
    return path && text !== undefined ? sourceSymbols(index, path, text) : [];
  }, []));

  connection.onCodeLens((p) => guard(() => {
    if (!index) return [];
    if (parseCompareUri(p.textDocument.uri)) return comparisons.codeLenses(p.textDocument.uri);
    const path = uriToPath(p.textDocument.uri);
    const text = fullText(p.textDocument.uri);
    return path && text !== undefined ? codeLenses(index, path, text) : [];
  }, []));

  connection.onWorkspaceSymbol(async (p): Promise<SymbolInformation[] | WorkspaceSymbol[]> => {
    const table = index ? await symbolTable.ready() : undefined;
    return guard(() => workspaceSymbols(table, p.query), []);
  });
  const workspaceSymbols = (table: SymbolIndex | undefined, query: string): SymbolInformation[] => {
    if (!table) return [];
    const matches = table.search(query, 200);
    return matches.map(({ group }): SymbolInformation => {
      const f = group.files[0]!;
      const n = group.files.length;
      return {
        name: group.name,
        kind: symbolKindOf(group.kind),
        containerName: n > 1 ? `${f.label} (+${n - 1} more file${n > 2 ? 's' : ''})` : f.label,
        location: { uri: typeUri(f, group.ids[0]!), range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } } },
      };
    });
  };

  // Commands for editors that cannot run the VS Code client's (code lenses name OpenCommand there).
  connection.onExecuteCommand(async (p): Promise<OpenCommand.Result | CoreMatrixCommand.Result | null> => {
    const args = p.arguments ?? [];
    if (p.command === OpenCommand.command) {
      const [uri, line] = args as Partial<OpenCommand.Arguments>;
      if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${OpenCommand.command}: a URI expected`);
      if (!caps.window?.showDocument?.support) return { shown: false };
      const at = typeof line === 'number' && line >= 0 ? { start: { line, character: 0 }, end: { line, character: 0 } } : undefined;
      const r = await connection.window.showDocument({ uri, takeFocus: true, ...(at ? { selection: at } : {}) }).catch(() => ({ success: false }));
      return { shown: r.success };
    }
    if (p.command === CoreMatrixCommand.command) {
      if (!index) return null;
      const [object] = args as Partial<CoreMatrixCommand.Arguments>;
      await coreTargetsOf(index).ready();
      return coreMatrix(index, typeof object === 'string' ? { object } : {});
    }
    throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${p.command}`);
  });

  // ---- custom requests ----

  const on = <M extends RequestMethod>(method: M, handler: Handler<M>) => onRequest(connection, method, handler, { log, ready: () => !!index });
  on(FilesRequest.method, () => req.files(index!));
  on(TypeTextRequest.method, (p) => req.typeText(index!, p));
  on(SearchRequest.method, (p) => req.search(symbolTable.now(), p));
  on(DocumentRequest.method, async (p) => {
    const diff = await comparisons.documentText(p.uri);
    return diff !== undefined ? { text: diff, languageId: 'diff' } : req.document(index!, p, (path) => comparisons.fileByPath(path));
  });
  on(CompareRequest.method, (p) => comparisons.compare(p));
  on(CompareMarksRequest.method, (p) => comparisons.marks(p));
  on(CoreMatrixRequest.method, async (p) => {
    await coreTargetsOf(index!).ready();
    return coreMatrix(index!, p);
  });
  on(GenMinCoreBtfRequest.method, (p) => genMinCoreBtf(index!, p));
  on(SettingsRequest.method, () => ({
    ...received, effective: { ...index!.settings }, kernel: kernelBtfPath(index!.settings),
    coreTargets: coreTargetsOf(index!).targets().map((t) => (t.error ? { label: t.label, path: t.path, error: t.error } : { label: t.label, path: t.path })),
  }));
  registerEditorRequests(connection, () => index); // the type-tree editor's btf/editor/* requests

  documents.onDidOpen((e) => {
    const path = uriToPath(e.document.uri);
    if (index && path && /\.(c|h)$/.test(path)) {
      publishSource(path, e.document.uri);
      const uri = e.document.uri;
      warmSource(index, path, () => linesOf(uri), () => !!documents.get(uri), (job) => guard(job, undefined));
    }
  });
  documents.listen(connection);
  connection.listen();
  return { index: () => index, firstIndex };
}
