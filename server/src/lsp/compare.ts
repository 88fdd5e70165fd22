/**
 * "BTF Lens: Compare BTF…": two BTFs (indexed files, kernels, any file, each read with its base as the
 * type-tree editor reads it) compared by the core's diff, shown as a read-only `btf-lens:` document with
 * the text of `btf-lens diff`; code lenses on each changed type open both sides' C, and the type documents
 * opened from it get their changed members marked (`btf/compareMarks`).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CodeLens, Range } from 'vscode-languageserver';
import { type BtfDiffResult, type DiffDetail, diffBtf, formatDiffText } from '../core/diff/index';
import { detailText } from '../core/diff/text';
import type { CompareMarksRequest, CompareRequest } from '../protocol/requests';
import { EditorDocs } from './editor-docs';
import { openCommand } from './markup';
import type { IndexedFile } from './model';
import { RequestError } from './request-errors';
import { type RenderedMember, renderType, typeUri } from './typedoc';
import { compareDocUri, parseCompareUri, parseVirtualUri, uriToPath } from './uri';
import type { WorkspaceIndex } from './workspace';

interface Comparison {
  key: string;
  old: IndexedFile;
  new: IndexedFile;
  diff: BtfDiffResult;
  text?: string;
}

/** Comparisons kept (each holds two BTFs: a pair of kernels is ~20 MB). */
const KEEP = 4;

export class Comparisons {
  private readonly docs: EditorDocs;
  /** Most recent last. */
  private kept: Comparison[] = [];

  constructor(index: () => WorkspaceIndex | undefined) {
    this.docs = new EditorDocs(index);
  }

  /** `btf/compare`: reads both sides (or takes them from the index) and diffs them. */
  async compare(p: CompareRequest.Params): Promise<CompareRequest.Result> {
    const oldPath = uriToPath(p.old);
    const newPath = uriToPath(p.new);
    if (!oldPath || !newPath) throw new RequestError(`not a file URI: ${!oldPath ? p.old : p.new}`);
    const c = await this.get(resolve(oldPath), resolve(newPath));
    return { uri: compareDocUri(c.old.path, c.new.path), summary: c.diff.summary };
  }

  /** The text of a compare document (`btf/document`), compared again when a side changed on disk. */
  async documentText(uri: string): Promise<string | undefined> {
    const sides = parseCompareUri(uri);
    if (!sides) return undefined;
    let c: Comparison;
    try {
      c = await this.get(sides.old, sides.new);
    } catch (e) {
      return `/* ${(e as Error).message} */\n`;
    }
    c.text ??= formatDiffText(c.diff, c.old.btf!, c.new.btf!);
    return c.text;
  }

  /** Code lenses of a compare document: on each added, removed or changed type, its C on each side. */
  codeLenses(uri: string): CodeLens[] {
    const sides = parseCompareUri(uri);
    const c = sides && this.kept.find((k) => k.key === keyOf(sides.old, sides.new));
    if (!c?.text) return [];
    const out: CodeLens[] = [];
    let i = 0;
    c.text.split('\n').forEach((line, n) => {
      // formatDiffText writes one `~ `, `+ ` or `- ` line per change, in the order of `changes`.
      if (!/^[~+-] /.test(line)) return;
      const e = c.diff.changes[i++];
      if (!e) return;
      const at = Range.create(n, 0, n, 0);
      if (e.oldId !== undefined) out.push({ range: at, command: openCommand(`old: ${c.old.label}`, typeUri(c.old, e.oldId)) });
      if (e.newId !== undefined) out.push({ range: at, command: openCommand(`new: ${c.new.label}`, typeUri(c.new, e.newId)) });
    });
    return out;
  }

  /** `btf/compareMarks`: the changed members of a type document of either side of a kept comparison. */
  marks(p: CompareMarksRequest.Params): CompareMarksRequest.Result {
    const v = parseVirtualUri(p.uri);
    if (v?.kind !== 'type') return { marks: [] };
    for (let k = this.kept.length - 1; k >= 0; k--) {
      const c = this.kept[k]!;
      for (const side of ['old', 'new'] as const) {
        const file = c[side];
        if (file.path !== v.file) continue;
        const e = c.diff.changes.find((x) => (side === 'old' ? x.oldId : x.newId) === v.id);
        if (!e || e.change !== 'changed') continue;
        return { marks: markLines(file, v.id, e.details) };
      }
    }
    return { marks: [] };
  }

  /** A side of a kept comparison, for type documents of files the index does not hold (kernels, files picked). */
  fileByPath(path: string): IndexedFile | undefined {
    for (let k = this.kept.length - 1; k >= 0; k--) {
      const c = this.kept[k]!;
      if (c.old.path === path) return c.old;
      if (c.new.path === path) return c.new;
    }
    return undefined;
  }

  private async get(oldPath: string, newPath: string): Promise<Comparison> {
    const key = keyOf(oldPath, newPath);
    const hit = this.kept.find((k) => k.key === key);
    if (hit && fresh(hit.old) && fresh(hit.new)) {
      this.kept = [...this.kept.filter((k) => k !== hit), hit];
      return hit;
    }
    const [a, b] = [await this.side(oldPath), await this.side(newPath)];
    const diff = diffBtf(a.btf!, b.btf!, { oldName: a.label, newName: b.label });
    const c: Comparison = { key, old: a, new: b, diff };
    this.kept = [...this.kept.filter((k) => k.key !== key), c].slice(-KEEP);
    return c;
  }

  private async side(path: string): Promise<IndexedFile> {
    const doc = await this.docs.open(path);
    this.docs.close(doc.id); // the file is ours now; the editor's registry need not keep it
    const f = doc.file;
    if (!f.btf) {
      const why = f.problems.find((x) => x.severity === 'error')?.message;
      throw new RequestError(`${f.label}: no BTF to compare${f.missingBase ? ' (split BTF whose base was not found)' : why ? `: ${why}` : ''}`);
    }
    return f;
  }
}

function keyOf(a: string, b: string): string {
  return `${a}\0${b}`;
}

/** The file has not changed on disk since it was read. */
function fresh(f: IndexedFile): boolean {
  try {
    return statSync(f.path).mtimeMs === f.mtimeMs || f.mtimeMs === 0;
  } catch {
    return false;
  }
}

/**
 * The lines of a type document (typedoc.ts's rendering) that hold the members, parameters or enumerators
 * a change names (`u.a`: member `a` inside the anonymous body of `u`), each with what changed there; a
 * change of the type itself (its size, a typedef's target) marks its declaration line.
 */
function markLines(file: IndexedFile, id: number, details: DiffDetail[]): { line: number; text: string }[] {
  const r = renderType(file, id);
  const byLine = new Map<number, string[]>();
  const at = (line: number, text: string) => {
    const l = byLine.get(line);
    if (l) l.push(text);
    else byLine.set(line, [text]);
  };
  for (const d of details) {
    const line = d.member === undefined ? r.firstLine : memberLine(r.members, d.member) ?? r.firstLine;
    at(line, detailText(d));
  }
  return [...byLine].sort((x, y) => x[0] - y[0]).map(([line, texts]) => ({ line, text: `changed: ${texts.join('; ')}` }));
}

/** The line of member `path` (names through anonymous bodies; unnamed bodies are looked through). */
function memberLine(members: RenderedMember[], path: string): number | undefined {
  const [head, ...rest] = path.split('.');
  const find = (list: RenderedMember[]): RenderedMember | undefined => {
    for (const m of list) {
      if (m.name === head) return m;
      if (!m.name) {
        const inner = find(m.children);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  const m = find(members);
  if (!m) return undefined;
  return rest.length ? memberLine(m.children, rest.join('.')) ?? m.line : m.line;
}
