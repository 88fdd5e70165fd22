/**
 * The text of C sources as the server sees it: the open document's, else the file on disk (read through
 * io, so a FIFO named .c is not waited on). Lines are split once per version (document version, or file
 * mtime and size); lines.ts caches what it computes from a source by the getter's identity.
 */
import { statSync } from 'node:fs';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { readTextFile } from '../io/files';
import { uriToPath } from './uri';

export class SourceTexts {
  /** Split sources by URI, with what they were split from. */
  private readonly splitCache = new Map<string, { key: string; get: (n: number) => string }>();

  constructor(private readonly documents: TextDocuments<TextDocument>) {}

  /** Line getter over a source's text: one getter per version. */
  readonly linesOf = (uri: string): ((n: number) => string) => {
    const doc = this.documents.get(uri);
    let key: string;
    if (doc) key = `v${doc.version}`;
    else {
      const path = uriToPath(uri);
      try {
        const st = path ? statSync(path) : undefined;
        key = st ? `${st.mtimeMs}:${st.size}` : 'none';
      } catch {
        key = 'none';
      }
    }
    let hit = this.splitCache.get(uri);
    if (!hit || hit.key !== key) {
      if (this.splitCache.size > 64) this.splitCache.clear();
      const lines = (this.fullText(uri) ?? '').split(/\r?\n/);
      this.splitCache.set(uri, (hit = { key, get: (n) => lines[n] ?? '' }));
    }
    return hit.get;
  };

  readonly fullText = (uri: string): string | undefined => {
    const doc = this.documents.get(uri);
    if (doc) return doc.getText();
    const path = uriToPath(uri);
    try {
      return path ? readTextFile(path) : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * The lines of a source for one pass (diagnostics): `text` when the caller has it, else the file read through
 * io (unreadable: one empty line, as an empty text splits).
 */
export function sourceLines(sourcePath: string, text?: string): string[] {
  if (text !== undefined) return text.split(/\r?\n/);
  try {
    return readTextFile(sourcePath).split(/\r?\n/);
  } catch {
    return [''];
  }
}
