/**
 * The workspace index: which files carry BTF, each one opened through the core, modules paired with
 * their base (chooseBase), line_info file names mapped to workspace sources. Loads in the background (one file
 * per turn of the event loop, so requests are answered in between), reloads on change.
 */
import { type Dirent, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { Kind } from '../core/btf/kinds';
import { EM_BPF } from '../core/elf/elf';
import { type BtfInput, openBtfInput } from '../core/input';
import type { Problem } from '../core/util/problems';
import type { IndexedFileKind } from '../protocol/requests';
import { checkSplitAgainstBase } from '../core/btf/base-check';
import { findVmlinux } from '../kernels/known-places';
import { moduleBaseFor } from '../kernels/module-bases';
import { type FileRelease, describeRelease, releaseOfFile, releaseOfInput } from '../kernels/release';
import { GlobSet } from './glob';
import { type IndexedFile, readIndexedFile, readProblem } from './model';
import { readFileHead } from '../io/files';
import { SYS_VMLINUX, type Settings, kernelBtfPath } from './settings';
import { pathToUri, uriToPath } from './uri';

export interface IndexProgress {
  begin(total: number): void;
  report(done: number, total: number, file: string): void;
  end(): void;
  readonly cancelled: boolean;
}

export interface WorkspaceEvents {
  /** Files (re)loaded or removed; called after each batch. */
  changed(files: IndexedFile[]): void;
  /** A batch of work started or finished. */
  status(indexing: boolean): void;
  log(message: string): void;
}

const SOURCE_EXT = /\.(c|h)$/;
/** Files that may be a kernel's vmlinux (bases for modules that name their release): vmlinux, vmlinux-6.1.0-56-amd64.xz… */
const VMLINUX_NAME = /^vmlinux(?:$|[-.])/;

/** The base a split BTF file was read on, and why that one (said when it does not fit). */
export interface BaseChoice {
  file: IndexedFile;
  /** 'btfLens.moduleBases "modules/**"', 'the vmlinux beside it', 'its kernel release …', 'the kernel BTF'. */
  why: string;
  /** Where the choice came from: a btfLens.moduleBases entry, the vmlinux beside it, its release's, the kernel BTF. */
  source: 'moduleBases' | 'beside' | 'release' | 'kernel';
  /** The release the module says it was built for, when it says. */
  release?: FileRelease;
  /** Set when the release named no vmlinux that could be found: where we looked. */
  searched?: string[];
}

export class WorkspaceIndex {
  readonly files = new Map<string, IndexedFile>();
  /** Workspace C sources and headers (absolute paths), for line_info file name mapping. */
  readonly sources = new Set<string>();
  private sourcesByBase = new Map<string, string[]>();
  /** Source path → the objects (and the line_info names in them) that map to it. */
  private sourceMap = new Map<string, { file: IndexedFile; names: string[] }[]>();
  kernel: IndexedFile | undefined;
  kernelError: string | undefined;
  /** Bases that are not indexed files: a `vmlinux` beside split BTF outside the workspace, a base found by release or setting. */
  private siblingBases = new Map<string, IndexedFile>();
  /** Workspace files named like a vmlinux (any, included or not): where a module's release finds its base. */
  readonly vmlinuxFiles = new Set<string>();
  private include: GlobSet;
  private exclude: GlobSet;
  private queue = new Set<string>();
  private running: Promise<void> | undefined;
  private progressFactory: (() => Promise<IndexProgress | undefined>) | undefined;
  indexing = false;

  constructor(
    public folders: string[],
    public settings: Settings,
    private readonly events: WorkspaceEvents,
  ) {
    this.include = new GlobSet(settings.include);
    this.exclude = new GlobSet(settings.exclude);
  }

  setProgressFactory(f: () => Promise<IndexProgress | undefined>): void {
    this.progressFactory = f;
  }

  /** Scans the folders and indexes everything found (kernel BTF first: modules need it). */
  async start(): Promise<void> {
    await this.loadKernel();
    const found = await this.scan();
    for (const p of found) this.queue.add(p);
    await this.drain();
  }

  /** New settings: rescan on glob changes, reload the kernel and every split file on a kernel change. */
  async configure(settings: Settings): Promise<void> {
    const old = this.settings;
    this.settings = settings;
    this.include = new GlobSet(settings.include);
    this.exclude = new GlobSet(settings.exclude);
    const globs = JSON.stringify([old.include, old.exclude]) !== JSON.stringify([settings.include, settings.exclude]);
    const kernel = kernelBtfPath(old) !== kernelBtfPath(settings);
    if (kernel) await this.loadKernel();
    if (kernel || JSON.stringify(old.moduleBases) !== JSON.stringify(settings.moduleBases)) {
      for (const f of this.files.values()) if (f.base || f.missingBase || f.baseMismatch) this.queue.add(f.path);
    }
    if (globs) {
      const found = new Set(await this.scan());
      const gone = [...this.files.keys()].filter((p) => !found.has(p));
      for (const p of gone) this.files.delete(p);
      for (const p of found) if (!this.files.has(p)) this.queue.add(p);
      this.remapSources();
      if (gone.length) this.events.changed([]);
    }
    await this.drain();
  }

  /** Watched-file events: reload what changed (an object rebuilt), drop what was deleted. */
  async changed(paths: { path: string; deleted: boolean }[]): Promise<void> {
    let remap = false;
    const removed: IndexedFile[] = [];
    for (const { path, deleted } of paths) {
      const abs = resolve(path);
      if (SOURCE_EXT.test(abs) && this.inFolders(abs) && !this.excluded(abs)) {
        if (deleted) this.sources.delete(abs);
        else this.sources.add(abs);
        remap = true;
        continue;
      }
      if (this.kernel && abs === this.kernel.path) {
        await this.loadKernel();
        for (const f of this.files.values()) if (f.base || f.missingBase) this.queue.add(f.path);
        continue;
      }
      if (VMLINUX_NAME.test(basename(abs)) && this.inFolders(abs) && !this.excluded(abs)) {
        // A kernel appeared or went: modules that name a release may pair differently now.
        if (deleted) this.vmlinuxFiles.delete(abs);
        else this.vmlinuxFiles.add(abs);
        for (const f of this.files.values()) if (f.base || f.missingBase || f.baseMismatch) this.queue.add(f.path);
      }
      if (deleted) {
        const f = this.files.get(abs);
        if (f) {
          this.files.delete(abs);
          removed.push(f);
        }
        continue;
      }
      if (this.wanted(abs)) this.queue.add(abs);
      // A base rebuilt: the split files on it are read again (a sibling vmlinux outside the workspace too).
      this.siblingBases.delete(abs);
      for (const f of this.files.values()) if (f.base?.path === abs && f.path !== abs) this.queue.add(f.path);
    }
    if (remap) {
      this.rebuildSourceIndex();
      this.remapSources();
    }
    if (removed.length && !remap) this.remapSources();
    if (removed.length || remap) this.events.changed(removed);
    // Every batch of events ends with a status (clients wait for "ready" after telling of a change).
    if (this.queue.size === 0 && !this.running) this.events.status(false);
    await this.drain();
  }

  /** Waits for the queue to empty (also when called while indexing). */
  async drain(): Promise<void> {
    if (this.running) return this.running;
    if (this.queue.size === 0) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    this.indexing = true;
    this.events.status(true);
    const progress = this.progressFactory ? await this.progressFactory().catch(() => undefined) : undefined;
    let done = 0;
    let total = this.queue.size;
    progress?.begin(total);
    const batch: IndexedFile[] = [];
    let lastFlush = Date.now();
    try {
      while (this.queue.size) {
        if (progress?.cancelled) {
          this.events.log(`indexing cancelled: ${this.queue.size} file(s) not indexed`);
          this.queue.clear();
          break;
        }
        const path = this.queue.values().next().value as string;
        this.queue.delete(path);
        total = Math.max(total, done + this.queue.size + 1);
        const f = await this.load(path);
        if (f) batch.push(f);
        done++;
        progress?.report(done, total, path);
        // Let requests in between files; publish what is ready every so often.
        await new Promise((r) => setImmediate(r));
        if (Date.now() - lastFlush > 500 && batch.length) {
          this.remapSources();
          this.events.changed(batch.splice(0));
          lastFlush = Date.now();
        }
      }
    } finally {
      progress?.end();
      this.remapSources();
      this.indexing = false;
      this.events.changed(batch);
      this.events.status(false);
    }
    if (this.queue.size) return this.run();
  }

  // ---- scanning ----

  private relInFolder(abs: string): string | undefined {
    // A prefix test, not path.relative: this runs for every file of a 4000-module workspace, several times.
    for (const f of this.folders) {
      const prefix = f.endsWith(sep) ? f : f + sep;
      if (abs.startsWith(prefix)) {
        const r = abs.slice(prefix.length);
        return sep === '/' ? r : r.split(sep).join('/');
      }
      if (abs === f) return '';
    }
    return undefined;
  }
  private inFolders(abs: string): boolean {
    return this.relInFolder(abs) !== undefined;
  }
  private excluded(abs: string): boolean {
    const rel = this.relInFolder(abs);
    if (rel === undefined) return false;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) if (this.exclude.matches(parts.slice(0, i).join('/'))) return true;
    return false;
  }
  /** True when a change to `path` matters: a BTF candidate, an indexed file or base, or a C source. */
  relevant(path: string): boolean {
    const abs = resolve(path);
    return this.files.has(abs) || this.siblingBases.has(abs) || this.kernel?.path === abs || SOURCE_EXT.test(abs) || this.wanted(abs);
  }

  /** True when the path is one the include globs select (and no exclude glob removes). */
  wanted(abs: string): boolean {
    const rel = this.relInFolder(abs);
    return rel !== undefined && this.include.matches(rel) && !this.excluded(abs);
  }

  /** Walks the folders: BTF candidates (returned) and C sources (kept). */
  private async scan(): Promise<string[]> {
    const found: string[] = [];
    this.sources.clear();
    this.vmlinuxFiles.clear();
    /** `relDir`: dir relative to its folder, '/'-separated ('' for the folder itself). */
    const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
      if (depth > 40) return;
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const abs = join(dir, e.name);
        const rel = relDir ? `${relDir}/${e.name}` : e.name;
        if (this.exclude.matches(rel)) continue;
        if (e.isDirectory()) await walk(abs, rel, depth + 1);
        else {
          if ((e.isFile() || e.isSymbolicLink()) && VMLINUX_NAME.test(e.name)) this.vmlinuxFiles.add(abs);
          // A FIFO, socket or device named like an input is listed too: it gets the opener's diagnostic.
          if (this.include.matches(rel)) found.push(abs);
          else if ((e.isFile() || e.isSymbolicLink()) && SOURCE_EXT.test(e.name)) this.sources.add(abs);
        }
      }
    };
    for (const f of this.folders) await walk(f, '', 0);
    this.rebuildSourceIndex();
    return found.sort();
  }

  private rebuildSourceIndex(): void {
    this.sourcesByBase.clear();
    for (const s of this.sources) {
      const b = basename(s);
      const list = this.sourcesByBase.get(b);
      if (list) list.push(s);
      else this.sourcesByBase.set(b, [s]);
    }
  }

  // ---- loading ----

  private labelFor(abs: string): string {
    return this.relInFolder(abs) ?? abs;
  }

  private async loadKernel(): Promise<void> {
    this.kernel = undefined;
    this.kernelError = undefined;
    let path = kernelBtfPath(this.settings);
    if (!path) return;
    try {
      if (statSync(path).isDirectory()) path = join(path, 'vmlinux');
    } catch (e) {
      this.kernelError = `kernel BTF ${path}: ${(e as Error).message}`;
      this.events.log(this.kernelError);
      return;
    }
    const f = await this.open(resolve(path), 'kernel');
    if (!f.btf || f.problems.some((p) => p.severity === 'error')) {
      this.kernelError = `kernel BTF ${path} could not be read${f.problems[0] ? `: ${f.problems[0].message}` : ''}`;
      this.events.log(this.kernelError);
      if (!f.btf) return;
    }
    this.kernel = f;
    this.events.log(`kernel BTF: ${f.path} (${f.btf.typeCount - 1} types)`);
  }

  /**
   * The base of split BTF at `path`: the one btfLens.moduleBases names for it; a `vmlinux` in the same
   * directory (the /sys/kernel/btf layout); the vmlinux of the kernel release the file names (a .ko's
   * vermagic) in the workspace, among the configured kernels or at the known places; else the kernel BTF.
   */
  async chooseBase(path: string, input: BtfInput): Promise<BaseChoice | undefined> {
    const named = moduleBaseFor(path, this.folders, this.settings.moduleBases);
    if (named) return { file: await this.baseFile(named.base), why: `btfLens.moduleBases "${named.glob}"`, source: 'moduleBases' };
    const sibling = join(dirname(path), 'vmlinux');
    if (sibling !== path && this.kernel?.path !== sibling && existsSync(sibling)) {
      const f = await this.baseFile(sibling);
      if (f.btf) return { file: f, why: 'the vmlinux beside it', source: 'beside' };
    }
    const release = releaseOfInput(input, path);
    let searched: string[] | undefined;
    if (release) {
      const r = await findVmlinux(release.release, { candidates: this.kernelCandidates(), near: path });
      if (r.found) {
        const f = await this.baseFile(r.found.path);
        if (f.btf) return { file: f, why: `the vmlinux of its kernel release, ${describeRelease(release)}`, source: 'release', release };
      }
      searched = r.searched;
    }
    return this.kernel ? { file: this.kernel, why: 'the kernel BTF (btfLens.kernelBtf)', source: 'kernel', release, searched } : undefined;
  }

  /** Where a release may find its vmlinux before the known places: workspace vmlinux files, the kernel BTF, the CO-RE targets. */
  private kernelCandidates(): string[] {
    const out = [...this.vmlinuxFiles].sort();
    const kernel = kernelBtfPath(this.settings);
    if (kernel) out.push(this.kernel?.path ?? kernel);
    for (const t of this.settings.coreTargets ?? []) {
      const p = resolve(typeof t === 'string' ? t : t.path);
      try {
        if (statSync(p).isDirectory()) {
          for (const n of readdirSync(p).sort()) if (VMLINUX_NAME.test(n)) out.push(join(p, n));
        } else out.push(p);
      } catch {
        // A target that does not exist is core-targets.ts's to report.
      }
    }
    return out;
  }

  /** A base file: the kernel BTF, an indexed file, or one opened (once) for this purpose. */
  private async baseFile(path: string): Promise<IndexedFile> {
    if (this.kernel?.path === path) return this.kernel;
    let f = this.files.get(path);
    if (!f && this.queue.has(path)) {
      // Queued after this module (paths are sorted): load it now.
      this.queue.delete(path);
      f = await this.load(path);
    }
    if (f?.btf && !f.base && !f.missingBase) return f;
    f = this.siblingBases.get(path);
    if (!f) this.siblingBases.set(path, (f = await this.open(path, 'kernel')));
    return f;
  }

  /** Loads (or reloads) one workspace file; undefined when it is not a BTF-bearing file after all. */
  private async load(path: string): Promise<IndexedFile | undefined> {
    const prev = this.files.get(path);
    // Gone: dropped. A dangling link or a link loop is still there, and gets the opener's diagnostic.
    if (!pathEntryExists(path)) {
      this.files.delete(path);
      return prev;
    }
    const head = path.endsWith('.o') ? objectHead(path) : 'bpf';
    if (head === 'other') {
      if (prev) this.files.delete(path);
      return prev;
    }
    const f = head === 'bpf' ? await this.open(path, 'workspace') : this.unreadable(path, head);
    f.generation = (prev?.generation ?? 0) + 1;
    this.files.set(path, f);
    return f;
  }

  /** A workspace file that cannot be opened, with the reason as its diagnostic. */
  private unreadable(path: string, problem: Problem): IndexedFile {
    return {
      path, uri: pathToUri(path), label: this.labelFor(path), kind: 'raw-btf', state: 'failed', generation: 1, mtimeMs: 0,
      missingBase: false, problems: [problem],
    };
  }

  private async open(path: string, role: 'workspace' | 'kernel'): Promise<IndexedFile> {
    const f: IndexedFile = {
      path, uri: pathToUri(path), label: role === 'kernel' ? path : this.labelFor(path), kind: role === 'kernel' ? 'kernel' : 'raw-btf',
      state: 'pending', generation: 1, mtimeMs: 0, missingBase: false, problems: [],
    };
    return readIndexedFile(f, async (source) => {
      let input: BtfInput = openBtfInput(source, { file: path });
      // Split BTF goes on the base chooseBase picks (a setting, a `vmlinux` beside it as bpftool pairs
      // /sys/kernel/btf, its release's vmlinux, the kernel BTF); a module with a distilled base (.BTF.base) is relocated onto it.
      const choice = role === 'workspace' && (input.missingBase || input.distilledBase) ? await this.chooseBase(path, input) : undefined;
      const baseFile = choice?.file;
      if (choice && baseFile && !baseFile.btf && choice.source === 'moduleBases') {
        f.problems.push({ file: path, offset: 0, severity: 'error', message: `its base ${baseFile.path} (${choice.why}) cannot be read${baseFile.problems[0] ? `: ${baseFile.problems[0].message}` : ''}` });
      }
      if (choice && baseFile?.btf) {
        input = openBtfInput(source, { file: path, base: baseFile.btf });
        f.base = baseFile;
        const mismatch = input.btf && input.btf.base !== input.distilledBase ? checkSplitAgainstBase(input.btf) : undefined;
        if (mismatch) {
          const problem = { ...mismatch, file: path, message: mismatchMessage(mismatch.message, choice) };
          f.problems.push(problem);
          f.baseMismatch = { problem, base: baseFile.path, why: choice.why };
        } else {
          // It fits, but both say their release and they differ: a near kernel can fit by chance.
          const own = releaseOfInput(input, path);
          const theirs = own ? await releaseOfFile(baseFile.path) : undefined;
          if (own && theirs && own.release !== theirs.release) {
            f.problems.push({
              file: path, offset: 0, severity: 'warning',
              message: `built for ${describeRelease(own)}, read on ${baseFile.path}, which is ${describeRelease(theirs)} (${choice.why}): types that differ between the two kernels may be shown wrong`,
            });
          }
        }
      }
      f.input = input;
      if (role === 'workspace') f.kind = input.kind as IndexedFileKind;
      f.missingBase = input.missingBase;
      for (const p of input.problems) {
        if (p.code === 'split-needs-base') continue; // replaced below with what to do in the editor
        f.problems.push(p);
      }
      if (f.missingBase) {
        const release = releaseOfInput(input, path);
        const why = this.kernelError
          ?? (this.settings.kernelBtf === 'none' ? 'kernel BTF is turned off (btfLens.kernelBtf is "none")'
            : kernelBtfPath(this.settings) ? 'the kernel BTF is not loaded yet'
            : `no kernel BTF is configured (btfLens.kernelBtf is empty and ${SYS_VMLINUX} does not exist)`);
        f.problems.unshift({
          file: path, offset: 0, severity: 'error', code: 'split-needs-base',
          message: `split BTF (a kernel module's) needs its base BTF, and ${why}${release ? `; it was built for ${describeRelease(release)} and no vmlinux of that release was found` : ''}: its types cannot be shown. Set btfLens.kernelBtf to the vmlinux BTF it was built against.`,
        });
      }
      return input;
    }).then(hideOnWrongBase);
  }

  // ---- source mapping ----

  /** Maps every object's line_info file names to workspace sources (longest path-suffix match). */
  private remapSources(): void {
    this.sourceMap.clear();
    for (const f of this.files.values()) {
      if (!f.object) continue;
      const byPath = new Map<string, string[]>();
      for (const name of f.object.sources.keys()) {
        const target = this.resolveSource(name, dirname(f.path));
        f.object.sources.set(name, target);
        if (!target) continue;
        const list = byPath.get(target);
        if (list) list.push(name);
        else byPath.set(target, [name]);
      }
      for (const [src, names] of byPath) {
        const list = this.sourceMap.get(src);
        if (list) list.push({ file: f, names });
        else this.sourceMap.set(src, [{ file: f, names }]);
      }
    }
    for (const list of this.sourceMap.values()) list.sort((a, b) => (a.file.label < b.file.label ? -1 : a.file.label > b.file.label ? 1 : 0));
  }

  /** The workspace file a build-machine path names: the one sharing the longest path suffix (closest to the object on ties). */
  resolveSource(name: string, objDir: string): string | undefined {
    const norm = name.replace(/\\/g, '/');
    const parts = norm.split('/').filter((p) => p && p !== '.');
    const base = parts[parts.length - 1];
    if (!base) return undefined;
    const candidates = this.sourcesByBase.get(base);
    if (candidates?.length) {
      let best: string | undefined;
      let bestScore = -1;
      let bestNear = -1;
      for (const c of candidates) {
        const cp = c.split(sep);
        let n = 0;
        while (n < parts.length && n < cp.length && parts[parts.length - 1 - n] === cp[cp.length - 1 - n]) n++;
        const near = commonPrefix(c, objDir);
        if (n > bestScore || (n === bestScore && near > bestNear)) {
          best = c;
          bestScore = n;
          bestNear = near;
        }
      }
      return best;
    }
    // Not among the scanned sources (outside the folders, or excluded): take it if it exists as named.
    const direct = isAbsolute(name) ? name : resolve(objDir, name);
    return existsSync(direct) ? direct : undefined;
  }

  /** Objects built from a source file, with the line_info names that mean it. */
  objectsFor(sourcePath: string): { file: IndexedFile; names: string[] }[] {
    return this.sourceMap.get(resolve(sourcePath)) ?? [];
  }

  mappedSources(): string[] {
    return [...this.sourceMap.keys()];
  }

  /** Every file with BTF to answer with: the kernel first, then the workspace files by label. */
  btfFiles(): IndexedFile[] {
    const out: IndexedFile[] = [];
    if (this.kernel?.btf && !this.files.has(this.kernel.path)) out.push(this.kernel);
    const ws = [...this.files.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    for (const f of ws) if (f.btf) out.push(f);
    return out;
  }

  allFiles(): IndexedFile[] {
    const out = [...this.files.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    if (this.kernel && !this.files.has(this.kernel.path)) out.unshift(this.kernel);
    return out;
  }

  fileByPath(path: string): IndexedFile | undefined {
    const abs = resolve(path);
    return this.files.get(abs) ?? (this.kernel?.path === abs ? this.kernel : undefined);
  }

  fileByUri(uri: string): IndexedFile | undefined {
    const path = uriToPath(uri);
    return path === undefined ? undefined : this.fileByPath(path);
  }

  /** The file whose BTF stores type `id` of `file`'s ID space (a module's base types live in the kernel's file). */
  ownerOf(file: IndexedFile, id: number): IndexedFile {
    let f: IndexedFile | undefined = file;
    while (f?.btf && f.base && id < f.btf.startId) f = f.base;
    return f ?? file;
  }
}

/** A split BTF on a base it does not fit: what is wrong, on what, why that base, and what to do. */
function mismatchMessage(what: string, c: BaseChoice): string {
  const built = c.release && c.searched ? `; it was built for ${describeRelease(c.release)} and no vmlinux of that release was found` : '';
  return `${what} — is ${c.file.path} the kernel this was built for? It was taken as ${c.why}${built}. `
    + 'Its types are not shown (their names would be wrong): choose its base with "Choose base BTF…" in its type tree, or btfLens.moduleBases.';
}

/**
 * A split BTF read on a base it does not fit answers nothing: its names and types would be the wrong
 * base's (bpftool prints them without a word). The problem on the file says why.
 */
export function hideOnWrongBase(f: IndexedFile): IndexedFile {
  if (f.baseMismatch) {
    f.btf = undefined;
    f.object = undefined;
    f.state = 'failed';
  }
  return f;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * What a `.o` is, from its 20-byte ELF header (opened as every input is: a FIFO or device is refused, not
 * waited on): a BPF object, another object (skipped without a word: the workspace's host objects), or a
 * problem worth a diagnostic (an empty file, as a rebuild leaves it for a moment; a truncated ELF header;
 * a file that cannot be opened).
 */
export function objectHead(path: string): 'bpf' | 'other' | Problem {
  let h: Uint8Array;
  try {
    h = readFileHead(path, 20);
  } catch (e) {
    return readProblem(path, e);
  }
  if (h.length === 0) return { file: path, offset: 0, severity: 'error', message: 'empty file (0 bytes): not an ELF object (yet?)' };
  const elf = h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46;
  if (!elf) return 'other';
  if (h.length < 20) return { file: path, offset: 0, severity: 'error', message: `ELF header truncated: ${h.length} bytes, need 20 to tell the machine` };
  const machine = h[5] === 2 ? (h[18]! << 8) | h[19]! : h[18]! | (h[19]! << 8);
  return machine === EM_BPF ? 'bpf' : 'other';
}

/** True when something (even a dangling link) is at `path`. */
function pathEntryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Named-type kinds (what workspace symbols and name look-ups consider). */
export function isNamedKind(kind: number): boolean {
  switch (kind) {
    case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: case Kind.TYPEDEF: case Kind.FWD:
    case Kind.FUNC: case Kind.VAR: case Kind.DATASEC: case Kind.INT: case Kind.FLOAT:
      return true;
    default:
      return false;
  }
}

export type { Problem };
