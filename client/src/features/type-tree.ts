/**
 * The type-tree custom editor (`btfLens.typeTree`): a read-only webview over one file's BTF. The host
 * only relays: the webview's typed requests go to the server's `btf/editor/*` handlers as they are;
 * it opens the doc, re-opens it when the file changes on disk, and carries out what a page may not do
 * itself (clipboard, opening C documents and other files). Commands: open the running kernel's BTF or
 * one of its modules, and reveal a type (used by hover and definition links).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { pageHtml } from '../../webview/page';
import {
  EditorCloseRequest, EditorOpenRequest, EditorRowsRequest, EditorTypeTextRequest,
} from '../../../server/src/protocol/requests';
import { FIRST_PAGE_FILTER, type HostToWebview, type WebviewToHost, isWebviewToHost } from '../../../server/src/protocol/webview';
import { request } from './request';

/** Default editor of `*.btf`. */
export const TYPE_TREE_VIEW = 'btfLens.typeTree';
/** The same editor offered ("Open With…", priority option) for objects, modules, vmlinux and /sys/kernel/btf/*. */
export const TYPE_TREE_OBJECT_VIEW = 'btfLens.typeTreeObject';

/** The view type whose selector covers `uri` (VS Code resolves openWith against the selectors). */
export function viewTypeFor(uri: vscode.Uri): string {
  return /\.btf$/i.test(uri.path) ? TYPE_TREE_VIEW : TYPE_TREE_OBJECT_VIEW;
}
const SYS_BTF = '/sys/kernel/btf';

/** What a webview reported after painting its first rows (e2e tests wait on it). */
export interface RenderedInfo {
  uri: string;
  rows: number;
  /** Milliseconds from the page's start to the first painted rows. */
  ms: number;
}

export interface TypeTreeApi {
  /** Fires each time an editor has painted its first rows (also after a reload). */
  onRendered: vscode.Event<RenderedInfo>;
  /** Resolves on the next `rendered` of an editor of `uri` (any editor when omitted). */
  waitRendered(uri?: vscode.Uri): Promise<RenderedInfo>;
  /** The last `rendered` report of each open file, by URI string. */
  readonly lastRendered: ReadonlyMap<string, RenderedInfo>;
}

class TypeTreeDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export function registerTypeTree(context: vscode.ExtensionContext, client: LanguageClient): TypeTreeApi {
  const renderedEmitter = new vscode.EventEmitter<RenderedInfo>();
  const lastRendered = new Map<string, RenderedInfo>();
  const editors = new Map<string, Set<Editor>>();
  /** Types to select once the editor of a file is up (btfLens.revealType before it opened). */
  const pendingReveal = new Map<string, number>();
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');

  class Editor {
    private doc: string | undefined;
    private disposables: vscode.Disposable[] = [];
    private reloadTimer: NodeJS.Timeout | undefined;
    /** The doc opened (and its first rows read) while the page loads, for the first `ready`. */
    private opening: Promise<HostToWebview | undefined>;
    /** The base chosen with "Choose base BTF…" in this editor (file URI): kept for its re-opens. */
    private base: string | undefined;

    constructor(readonly uri: vscode.Uri, readonly panel: vscode.WebviewPanel) {
      const w = panel.webview;
      w.options = { enableScripts: true, localResourceRoots: [dist] };
      w.html = pageHtml({
        nonce: randomBytes(16).toString('hex'), cspSource: w.cspSource, title: uri.path.split('/').pop() ?? 'BTF',
        scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
        styleUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      });
      this.opening = this.open(false);
      this.disposables.push(w.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
      if (uri.scheme === 'file') {
        const dir = vscode.Uri.joinPath(uri, '..');
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, uri.path.split('/').pop()!));
        const changed = () => {
          clearTimeout(this.reloadTimer);
          // A rebuild writes in several steps: wait for the last.
          this.reloadTimer = setTimeout(() => void this.open(true).then((m) => m && this.post(m)), 300);
        };
        this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
      }
    }

    private post(m: HostToWebview): void {
      void this.panel.webview.postMessage(m);
    }

    /** Opens (or re-opens) the doc and reads its first page of rows: the `init` message to send. */
    private async open(reload: boolean): Promise<HostToWebview | undefined> {
      const old = this.doc;
      let init: HostToWebview | undefined;
      try {
        await client.start();
        const params: EditorOpenRequest.Params = { uri: this.uri.toString(), ...(this.base ? { base: [this.base] } : {}) };
        const ov = await request(client, EditorOpenRequest.method, params);
        this.doc = ov.doc;
        const first = ov.ok
          ? await request(client, EditorRowsRequest.method, { doc: ov.doc, ...FIRST_PAGE_FILTER }).catch(() => undefined)
          : undefined;
        const reveal = pendingReveal.get(this.uri.toString());
        pendingReveal.delete(this.uri.toString());
        init = { type: 'init', overview: ov, ...(reveal !== undefined ? { reveal } : {}), ...(reload ? { reload } : {}), ...(first ? { first } : {}) };
      } catch (e) {
        void vscode.window.showErrorMessage(`BTF Lens: cannot open ${this.uri.fsPath}: ${(e as Error).message}`);
      }
      if (old && old !== this.doc) void request(client, EditorCloseRequest.method, { doc: old }).catch(() => {});
      return init;
    }

    reveal(id: number): void {
      this.panel.reveal();
      this.post({ type: 'reveal', id });
    }

    private async onMessage(raw: unknown): Promise<void> {
      if (!isWebviewToHost(raw)) return;
      const m: WebviewToHost = raw;
      switch (m.type) {
        case 'ready': {
          // The first `ready` uses the doc opened while the page loaded; a page reloaded by VS Code asks again.
          const opening = this.opening;
          this.opening = Promise.resolve(undefined);
          const init = (await opening) ?? (await this.open(false));
          if (init) this.post(init);
          break;
        }
        case 'request':
          try {
            const result: unknown = await request(client, m.method, m.params);
            this.post({ type: 'response', seq: m.seq, ok: true, result });
          } catch (e) {
            this.post({ type: 'response', seq: m.seq, ok: false, error: (e as Error).message ?? String(e) });
          }
          break;
        case 'rendered': {
          const info: RenderedInfo = { uri: this.uri.toString(), rows: m.rows, ms: m.ms };
          lastRendered.set(info.uri, info);
          renderedEmitter.fire(info);
          break;
        }
        case 'copy':
          await vscode.env.clipboard.writeText(m.text);
          void vscode.window.setStatusBarMessage('BTF Lens: C declaration copied', 2000);
          break;
        case 'openC': {
          if (!this.doc) break;
          const r = await request(client, EditorTypeTextRequest.method, { doc: this.doc, id: m.id });
          if (r.uri) await vscode.commands.executeCommand('btfLens.open', r.uri);
          else {
            const doc = await vscode.workspace.openTextDocument({ content: r.c, language: 'btf-c' });
            await vscode.window.showTextDocument(doc, { preview: true });
          }
          break;
        }
        case 'openFile': {
          const target = vscode.Uri.parse(m.uri);
          if (m.id !== undefined) pendingReveal.set(target.toString(), m.id);
          await vscode.commands.executeCommand('vscode.openWith', target, viewTypeFor(target));
          break;
        }
        case 'chooseBase':
          await this.chooseBase();
          break;
        case 'error':
          console.error(`BTF Lens webview (${this.uri.fsPath}): ${m.message}`);
          break;
      }
    }

    /**
     * "Choose base BTF…": the user picks the vmlinux BTF this split BTF was built against, for this file
     * or its folder; saved in btfLens.moduleBases (the workspace's settings, or the user's for a file outside
     * every folder) so the index pairs it too, and the editor re-opens on it at once.
     */
    private async chooseBase(): Promise<void> {
      const name = this.uri.path.split('/').pop() ?? 'this file';
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: 'Use as base', defaultUri: vscode.Uri.joinPath(this.uri, '..'),
        title: `Base BTF of ${name}: the vmlinux (BTF or ELF) of the kernel it was built for`,
      });
      const base = picked?.[0];
      if (!base || base.scheme !== 'file') return;
      const { rel, dir } = moduleGlobs(this.uri);
      const scope = await vscode.window.showQuickPick(
        [{ label: 'This file', description: rel, glob: rel }, { label: 'Every file of its folder', description: dir, glob: dir }],
        { title: `Use ${base.fsPath.split('/').pop()} as the base of` },
      );
      if (!scope) return;
      await saveModuleBase(this.uri, base, scope.glob === rel ? 'file' : 'folder');
      this.base = base.toString();
      const init = await this.open(true);
      if (init) this.post(init);
    }

    dispose(): void {
      clearTimeout(this.reloadTimer);
      for (const d of this.disposables) d.dispose();
      if (this.doc) void request(client, EditorCloseRequest.method, { doc: this.doc }).catch(() => {});
    }
  }

  const provider: vscode.CustomReadonlyEditorProvider<TypeTreeDocument> = {
    openCustomDocument: (uri) => new TypeTreeDocument(uri),
    resolveCustomEditor(document, panel) {
      const ed = new Editor(document.uri, panel);
      const key = document.uri.toString();
      let set = editors.get(key);
      if (!set) editors.set(key, (set = new Set()));
      set.add(ed);
      panel.onDidDispose(() => {
        ed.dispose();
        set!.delete(ed);
        if (!set!.size) editors.delete(key);
      });
    },
  };

  const openWith = (uri: vscode.Uri) => vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));

  /** The module's globs for btfLens.moduleBases: the file, and every file of its folder. */
  const moduleGlobs = (uri: vscode.Uri) => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const rel = folder ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath;
    return { rel, dir: `${rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : ''}**` };
  };

  /**
   * Saves `base` as the base of the module (or of every file of its folder) in btfLens.moduleBases: the
   * workspace's settings (a window-scoped setting cannot be written per folder; its globs are relative to
   * whichever folder holds the module), or the user's for a file outside every folder. The new entry goes
   * first: the first glob that matches wins. The server re-pairs when the setting reaches it.
   */
  const saveModuleBase = async (module: vscode.Uri, base: vscode.Uri, scope: 'file' | 'folder'): Promise<void> => {
    const folder = vscode.workspace.getWorkspaceFolder(module);
    const { rel, dir } = moduleGlobs(module);
    const glob = scope === 'file' ? rel : dir;
    const inFolder = folder && vscode.workspace.getWorkspaceFolder(base)?.uri.toString() === folder.uri.toString();
    const value = inFolder ? vscode.workspace.asRelativePath(base, false) : base.fsPath;
    const config = vscode.workspace.getConfiguration('btfLens', folder?.uri);
    const target = folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    const inspected = config.inspect<Record<string, string>>('moduleBases');
    const current = (folder ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
    const next: Record<string, string> = { [glob]: value };
    for (const [k, v] of Object.entries(current)) if (k !== glob) next[k] = v;
    try {
      await config.update('moduleBases', next, target);
    } catch (e) {
      void vscode.window.showWarningMessage(`BTF Lens: btfLens.moduleBases could not be saved (${(e as Error).message}); the base is used in this editor only.`);
    }
  };

  context.subscriptions.push(
    renderedEmitter,
    // State survives hide/show through the webview's setState, so no retained context is needed.
    vscode.window.registerCustomEditorProvider(TYPE_TREE_VIEW, provider, { supportsMultipleEditorsPerDocument: true }),
    vscode.window.registerCustomEditorProvider(TYPE_TREE_OBJECT_VIEW, provider, { supportsMultipleEditorsPerDocument: true }),
    vscode.commands.registerCommand('btfLens.openKernelBtf', async () => {
      let names: string[];
      try {
        names = readdirSync(SYS_BTF).sort((a, b) => (a === 'vmlinux' ? -1 : b === 'vmlinux' ? 1 : a < b ? -1 : a > b ? 1 : 0));
      } catch (e) {
        void vscode.window.showErrorMessage(`BTF Lens: ${SYS_BTF} cannot be read (${(e as Error).message}): is this a Linux kernel with CONFIG_DEBUG_INFO_BTF?`);
        return;
      }
      const pick = await vscode.window.showQuickPick(
        names.map((n) => ({ label: n, description: n === 'vmlinux' ? 'the running kernel' : 'module (split BTF on vmlinux)' })),
        { title: 'Open kernel BTF', placeHolder: 'vmlinux or a module' },
      );
      if (pick) await openWith(vscode.Uri.file(`${SYS_BTF}/${pick.label}`));
    }),
    vscode.commands.registerCommand('btfLens.openTypeTree', async (arg?: vscode.Uri) => {
      let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri || uri.scheme !== 'file') {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open BTF, a BPF object, a module or vmlinux' });
        uri = picked?.[0];
      }
      if (uri) await openWith(uri);
    }),
    // What "Choose base BTF…" does after its dialogs, callable without them (tests, scripts).
    vscode.commands.registerCommand('btfLens.setModuleBase', async (module: string | vscode.Uri, base: string | vscode.Uri, scope: 'file' | 'folder' = 'file') => {
      const m = typeof module === 'string' ? vscode.Uri.parse(module) : module;
      await saveModuleBase(m, typeof base === 'string' ? vscode.Uri.parse(base) : base, scope === 'folder' ? 'folder' : 'file');
    }),
    vscode.commands.registerCommand('btfLens.revealType', async (uri: string | vscode.Uri, id: number) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
      const open = editors.get(target.toString());
      if (open?.size) {
        for (const ed of open) ed.reveal(Number(id));
        return;
      }
      pendingReveal.set(target.toString(), Number(id));
      await openWith(target);
    }),
  );

  return {
    onRendered: renderedEmitter.event,
    lastRendered,
    waitRendered(uri) {
      return new Promise((resolve) => {
        const sub = renderedEmitter.event((info) => {
          if (uri && info.uri !== uri.toString()) return;
          sub.dispose();
          resolve(info);
        });
      });
    },
  };
}
