/**
 * Publishing diagnostics (computed by diagnostics.ts): every indexed file's problems, the warnings of the
 * sources objects map to and of open C sources; a URI that had diagnostics gets an empty list once it has
 * none (or leaves the index), and one that never had any is not sent.
 */
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileDiagnostics, sourceDiagnostics } from './diagnostics';
import type { IndexedFile } from './model';
import { pathToUri, uriToPath } from './uri';
import type { WorkspaceIndex } from './workspace';

export class DiagnosticsPublisher {
  /** URIs whose last published list was not empty. */
  private readonly published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly index: () => WorkspaceIndex | undefined,
  ) {}

  /** Everything, after `changedFiles` changed (files gone from the index are cleared). */
  publishAll(changedFiles: readonly IndexedFile[]): void {
    const index = this.index();
    if (!index) return;
    const seen = new Set<string>();
    for (const f of index.allFiles()) {
      seen.add(f.uri);
      this.send(f.uri, fileDiagnostics(f));
    }
    for (const f of changedFiles) if (!seen.has(f.uri)) this.send(f.uri, []);
    // Sources: those objects map to, and those open.
    for (const p of index.mappedSources()) this.publishSource(p);
    for (const d of this.documents.all()) {
      const path = uriToPath(d.uri);
      if (path && /\.(c|h)$/.test(path) && !index.objectsFor(path).length) this.publishSource(path, d.uri);
    }
  }

  /** One source's warnings (its open document's text when open). */
  publishSource(path: string, uri?: string): void {
    const index = this.index();
    if (!index) return;
    const u = uri ?? this.documentUriFor(path);
    this.send(u, sourceDiagnostics(index, path, this.documents.get(u)?.getText()));
  }

  private send(uri: string, diagnostics: ReturnType<typeof fileDiagnostics>): void {
    if (!diagnostics.length && !this.published.has(uri)) return;
    this.connection.sendDiagnostics({ uri, diagnostics });
    if (diagnostics.length) this.published.add(uri);
    else this.published.delete(uri);
  }

  private documentUriFor(path: string): string {
    for (const d of this.documents.all()) if (uriToPath(d.uri) === path) return d.uri;
    return pathToUri(path);
  }
}
