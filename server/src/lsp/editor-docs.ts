/**
 * The type-tree editor's documents: any file opened for the editor (in the workspace index or not,
 * like /sys/kernel/btf/<module>), with its base chain, object model and cached filter results. A file
 * the index already holds (unchanged on disk) is shared, not read twice; bases opened here are kept
 * once per path for every doc that needs them.
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Btf } from '../core/btf/btf';
import { type BtfInput, openBtfInput } from '../core/input';
import { openFile } from '../io/files';
import { osErrorText } from '../io/input-error';
import type { EditorChainLink, IndexedFileKind } from '../protocol/requests';
import { checkSplitAgainstBase } from '../core/btf/base-check';
import { type IndexedFile, readIndexedFile, readProblem } from './model';
import { SYS_VMLINUX } from './settings';
import { pathToUri } from './uri';
import { type WorkspaceIndex, hideOnWrongBase } from './workspace';

export interface EditorDoc {
  id: string;
  path: string;
  /** The file as the LSP helpers (typedoc, model) want it: the index's own entry when shared. */
  file: IndexedFile;
  /** True when `file` is the workspace index's (its types have `btf-lens:` documents). */
  indexed: boolean;
  size: number;
  chain: EditorChainLink[];
  /** Start ID of each BTF of the chain, the file's first (for a row's `level`). */
  starts: number[];
  /** Filter key → matching IDs, ascending (a few kept; filters are typed one key at a time). */
  matches: Map<string, Uint32Array>;
}

interface OpenedBase {
  btf: Btf;
  mtimeMs: number;
  label: string;
}

export class EditorDocs {
  private docs = new Map<string, EditorDoc>();
  private bases = new Map<string, OpenedBase>();
  private next = 1;

  constructor(private readonly index: () => WorkspaceIndex | undefined) {}

  get(id: string): EditorDoc | undefined {
    return this.docs.get(id);
  }

  close(id: string): void {
    this.docs.delete(id);
    // Bases no open doc uses any more are let go (vmlinux is tens of MB).
    const used = new Set<Btf>();
    for (const d of this.docs.values()) for (let b = d.file.btf?.base; b; b = b.base) used.add(b);
    for (const [k, v] of this.bases) if (!used.has(v.btf)) this.bases.delete(k);
  }

  async open(path: string, explicitBase: string[] = []): Promise<EditorDoc> {
    const abs = resolve(path);
    let mtimeMs = 0;
    let size = 0;
    try {
      const st = statSync(abs);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch {
      // Reported by the open below.
    }
    const idx = this.index();
    const shared = idx?.fileByPath(abs);
    let file: IndexedFile;
    let indexed = false;
    if (!explicitBase.length && shared && shared.btf && shared.mtimeMs === mtimeMs) {
      file = shared;
      indexed = true;
    } else {
      file = await this.openFile(abs, explicitBase);
    }
    const doc: EditorDoc = { id: String(this.next++), path: abs, file, indexed, size, chain: [], starts: [], matches: new Map() };
    const distilled = file.input?.distilledBase;
    for (let b: Btf | undefined = file.btf ?? file.input?.btf; b; b = b.base) {
      const own = b === (file.btf ?? file.input?.btf);
      const baseLabel = [...this.bases.values()].find((x) => x.btf === b)?.label ?? (idx?.kernel?.btf === b ? idx.kernel.path : undefined);
      const label = own ? file.label : b === distilled ? `${file.label} (.BTF.base, distilled)` : baseLabel ?? b.file ?? 'base BTF';
      const link: EditorChainLink = { label, firstId: b.startId, count: b.ownCount, distilled: b === distilled };
      const p = own ? abs : b === distilled ? undefined : b.file;
      if (p) link.uri = pathToUri(p);
      doc.chain.push(link);
      doc.starts.push(b.startId);
    }
    if (distilled && file.btf?.base && file.btf.base !== distilled && doc.chain[1]) {
      doc.chain[1].label += ` (relocated from ${basename(abs)}'s .BTF.base)`;
    }
    this.docs.set(doc.id, doc);
    return doc;
  }

  /** Opens a file the index does not hold (or holds with another base), the way the index would. */
  private async openFile(path: string, explicitBase: string[]): Promise<IndexedFile> {
    const idx = this.index();
    const f: IndexedFile = {
      path, uri: pathToUri(path), label: idx?.fileByPath(path)?.label ?? path, kind: 'raw-btf', state: 'pending', generation: 1,
      mtimeMs: 0, missingBase: false, problems: [],
    };
    return readIndexedFile(f, async (source) => {
      let base: Btf | undefined;
      for (let i = explicitBase.length - 1; i >= 0; i--) base = await this.openBase(resolve(explicitBase[i]!), base, f);
      if (!explicitBase.length && dirname(path) === dirname(SYS_VMLINUX) && path !== SYS_VMLINUX) {
        base = await this.openBase(SYS_VMLINUX, undefined, f); // a module of the running kernel, as bpftool pairs them
      }
      let input: BtfInput = openBtfInput(source, { file: path, base });
      let why = explicitBase.length ? 'the base given' : base ? 'the vmlinux beside it' : undefined;
      if (!base && (input.missingBase || input.distilledBase)) {
        // The base the index would pick: btfLens.moduleBases, a vmlinux beside it, its release's vmlinux, the kernel BTF.
        const choice = await idx?.chooseBase(path, input);
        if (choice?.file.btf) {
          input = openBtfInput(source, { file: path, base: choice.file.btf });
          base = choice.file.btf;
          why = choice.why;
        }
      }
      f.input = input;
      f.kind = input.kind as IndexedFileKind;
      f.missingBase = input.missingBase;
      f.problems.push(...input.problems);
      if (input.btf?.base && input.btf.base !== input.distilledBase) {
        const mismatch = checkSplitAgainstBase(input.btf);
        if (mismatch) {
          const basePath = base?.file ?? 'its base';
          const problem = { ...mismatch, file: path, message: `${mismatch.message} — is ${basePath} the base it was built against? It was taken as ${why ?? 'its base'}.` };
          f.problems.push(problem);
          f.baseMismatch = { problem, base: basePath, why: why ?? 'its base' };
        }
      }
      return input;
    }).then(hideOnWrongBase);
  }

  private async openBase(path: string, base: Btf | undefined, into: IndexedFile): Promise<Btf | undefined> {
    const idx = this.index();
    if (!base && idx?.kernel?.btf && idx.kernel.path === path) return idx.kernel.btf;
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch (e) {
      into.problems.push({ file: path, offset: 0, severity: 'error', message: `base BTF cannot be read: ${osErrorText(e)}` });
      return base;
    }
    // A base the index holds unchanged (a vmlinux.btf in the workspace) is shared, not read again.
    const indexed = base ? undefined : idx?.fileByPath(path);
    if (indexed?.btf && indexed.mtimeMs === mtimeMs && !indexed.missingBase) {
      if (![...this.bases.values()].some((b) => b.btf === indexed.btf)) this.bases.set(`${path}\0`, { btf: indexed.btf, mtimeMs, label: indexed.label });
      return indexed.btf;
    }
    const key = `${path}\0${base ? base.file : ''}`;
    const hit = this.bases.get(key);
    if (hit && hit.mtimeMs === mtimeMs) return hit.btf;
    let opened;
    try {
      opened = await openFile(path);
    } catch (e) {
      const p = readProblem(path, e);
      into.problems.push({ ...p, message: `base BTF cannot be read: ${p.message}` });
      return base;
    }
    try {
      const input = openBtfInput(opened.source, { file: path, base });
      if (!input.btf) {
        into.problems.push({ file: path, offset: 0, severity: 'error', message: `base ${path} has no BTF${input.problems[0] ? `: ${input.problems[0].message}` : ''}` });
        return base;
      }
      for (const p of input.problems) if (p.severity === 'error') into.problems.push(p);
      this.bases.set(key, { btf: input.btf, mtimeMs, label: idx?.fileByPath(path)?.label ?? path });
      return input.btf;
    } finally {
      opened.close();
    }
  }
}

