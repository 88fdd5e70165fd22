/**
 * CO-RE relocations resolved against the kernels of `btfLens.coreTargets` (default: the kernel BTF, i.e.
 * the running kernel's), as libbpf 1.1 would at load: per-target outcome lines for hovers, a warning on
 * each source line whose relocation fails on a target, and the lookups the compatibility matrix uses.
 * Resolutions are cached per (object, target) and dropped when either file changes (object: its index
 * generation; target: mtime and size, checked on use).
 */
import { readdirSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver';
import { type CoreRelocation, type CoreResolution, type CoreTarget, resolveCoreRelocations } from '../core/core-relo/resolve';
import type { Btf } from '../core/btf/btf';
import { type BtfInput, openBtfInput } from '../core/input';
import type { LoadOptions } from '../core/load/model';
import { releaseOfInput } from '../kernels/release';
import { CoreReloKind, describeCoreRelo, isExistence, isFieldBased } from '../core/core-relo/spec';
import { INSN_SIZE } from '../core/object/bpf-object';
import { type OpenedFile, openFile, readFileHead } from '../io/files';
import { listTargetDir } from '../io/target-dir';
import { sourceLines } from './source-texts';
import { type LineGroup, reloLinesOf } from './lines';
import { type IndexedFile, type ProgramModel, readProblem } from './model';
import { SYS_VMLINUX, kernelBtfPath } from './settings';
import { uriToPath } from './uri';
import type { WorkspaceIndex } from './workspace';

export interface TargetKernel {
  label: string;
  path: string;
  target?: CoreTarget;
  error?: string;
  /** mtime and size when loaded: a change reloads it. */
  stamp: string;
  /** Not read yet (being read in the background). */
  loading?: boolean;
  /**
   * What libbpf takes from the running kernel rather than from its BTF (core/load's options): the release
   * (LINUX_KERNEL_VERSION) the file's ELF or path tells; for /sys/kernel/btf/vmlinux also its config and kallsyms,
   * where libbpf reads them.
   */
  loadOptions?: LoadOptions;
}

/** What a relocation comes to on one target, in a sentence. */
export interface TargetOutcome {
  text: string;
  /** The relocation makes the load fail (a poisoned instruction the verifier reaches, or a load-failing error). */
  fails: boolean;
}

const MAX_CACHE = 256;
/** diagnostics.ts's source name (not imported: diagnostics.ts imports this module). */
const SOURCE = 'btf-lens';

/** The label of a target: its file name without `.btf`; the running kernel's is `vmlinux-<major.minor>`. */
export function targetLabel(path: string): string {
  if (resolve(path) === SYS_VMLINUX) return `vmlinux-${/^\d+\.\d+/.exec(release())?.[0] ?? release()}`;
  const name = basename(path).replace(/\.(gz|xz|zst)$/, '').replace(/\.btf$/, '');
  // A bare `vmlinux` says nothing: the directory it lives in names the kernel (…/5.4/vmlinux → 5.4).
  if (name === 'vmlinux') {
    const dir = basename(dirname(resolve(path)));
    if (dir && dir !== '/') return dir;
  }
  return name;
}

/** BTF files of a directory (io/target-dir.ts: `*.btf`, `vmlinux*`), as absolute paths. */
function listDir(dir: string): string[] {
  return listTargetDir(dir).map((f) => resolve(f));
}

function stampOf(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

/** One target read through the opener (regular files only, capped decompression of any kind), off the request path. */
async function loadTarget(path: string, label: string, stamp: string): Promise<TargetKernel> {
  const t: TargetKernel = { label, path, stamp };
  try {
    if (statSync(path).isDirectory()) {
      t.error = `${path}: no BTF files (*.btf, vmlinux*) in this directory`;
      return t;
    }
  } catch {
    // reported by the open below
  }
  let opened: OpenedFile | undefined;
  try {
    opened = await openFile(path);
    const input = openBtfInput(opened.source, { file: path });
    if (!input.btf || !input.btf.ok) {
      t.error = `${path}: no usable BTF${input.problems[0] ? ` (${input.problems[0].message})` : ''}`;
      return t;
    }
    if (input.btf.startId > 1 || input.problems.some((p) => p.code === 'split-needs-base')) {
      t.error = `${path}: split BTF (a module's): not a kernel BTF`;
      return t;
    }
    t.target = { vmlinux: input.btf, modules: resolve(path) === SYS_VMLINUX ? await runningModules(input.btf) : [] };
    t.loadOptions = runningKernelOptions(path, input);
  } catch (e) {
    const p = readProblem(path, e);
    t.error = `${path}: offset ${p.offset} (0x${p.offset.toString(16)}): ${p.message}`;
  } finally {
    opened?.close();
  }
  return t;
}

const KERNEL_TEXT_MAX = 64 << 20;

/** A kernel config (plain or gzip'ed) or kallsyms listing as text, undefined when it cannot be read. */
function kernelText(path: string): string | undefined {
  try {
    const bytes = readFileHead(path, KERNEL_TEXT_MAX);
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: KERNEL_TEXT_MAX }) : bytes;
    return new TextDecoder('latin1').decode(raw);
  } catch {
    return undefined;
  }
}

/**
 * The running kernel's module BTFs (/sys/kernel/btf/<module>, split on its vmlinux), which libbpf searches
 * for kfuncs, typed ksyms, attach targets and CO-RE candidates vmlinux lacks. One that cannot be read is left out.
 */
async function runningModules(vmlinux: Btf): Promise<{ name: string; btf: Btf }[]> {
  const dir = dirname(SYS_VMLINUX);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n !== basename(SYS_VMLINUX)).sort();
  } catch {
    return [];
  }
  const out: { name: string; btf: Btf }[] = [];
  for (const name of names) {
    let opened: OpenedFile | undefined;
    try {
      opened = await openFile(resolve(dir, name));
      const m = openBtfInput(opened.source, { file: resolve(dir, name), base: vmlinux });
      if (m.btf?.ok && !m.problems.some((p) => p.severity === 'error')) out.push({ name, btf: m.btf });
    } catch {
      // not a module BTF we can read: libbpf would skip it too
    } finally {
      opened?.close();
    }
  }
  return out;
}

/** libbpf's inputs besides the BTF, as `btf-lens check` takes them for a target (cli.ts checkCmd). */
function runningKernelOptions(path: string, input: BtfInput): LoadOptions {
  const kernelRelease = releaseOfInput(input, path)?.release;
  if (resolve(path) !== SYS_VMLINUX) return { kernelRelease };
  let kconfig: string | undefined;
  for (const c of [`/boot/config-${release()}`, '/proc/config.gz']) if ((kconfig = kernelText(c)) !== undefined) break;
  return { kernelRelease, kconfig, kallsyms: kernelText('/proc/kallsyms') };
}

interface CacheEntry {
  generation: number;
  stamp: string;
  res: CoreResolution;
  /** `${section}#${index}` → the relocation as resolved. */
  byRecord: Map<string, CoreRelocation>;
}

/** The targets of one workspace index and the resolutions against them. */
export class CoreTargets {
  private key = '';
  private list: TargetKernel[] = [];
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly index: WorkspaceIndex) {}

  private loading: Promise<void> | undefined;
  private readonly loadedListeners: (() => void)[] = [];

  /**
   * The configured targets as loaded so far. A target new or changed on disk is (re)read in the background
   * (the opener inflates and reads asynchronously; hovers must not wait on a disk): until then it keeps
   * its previous reading, or says it is loading. `ready()` waits for them.
   */
  targets(): TargetKernel[] {
    this.refresh();
    return this.list;
  }

  /** Resolves once every target is read as it is on disk now (or after `timeoutMs`, answering with what is read). */
  async ready(timeoutMs = 5000): Promise<void> {
    this.refresh();
    const until = Date.now() + timeoutMs;
    while (this.loading && Date.now() < until) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loading, new Promise((r) => (timer = setTimeout(r, until - Date.now())))]);
      clearTimeout(timer);
    }
  }

  /** Called after targets were (re)read, so that what depends on them (source warnings) is published again. */
  onLoaded(listener: () => void): void {
    this.loadedListeners.push(listener);
  }

  private refresh(): void {
    const s = this.index.settings;
    const kernel = kernelBtfPath(s);
    const items = s.coreTargets ?? (kernel ? [kernel] : []);
    const key = JSON.stringify(items);
    if (key !== this.key) {
      this.key = key;
      this.list = [];
      const seen = new Set<string>();
      const labels = new Set<string>();
      for (const item of items) {
        const path = typeof item === 'string' ? item : item.path;
        const abs = resolve(path);
        let isDir = false;
        try {
          isDir = statSync(abs).isDirectory();
        } catch {
          // a missing file is reported as the target's error
        }
        const files = isDir ? listDir(abs) : [abs];
        // an empty directory stays listed, so that the matrix says why it brings no kernel
        if (isDir && !files.length) files.push(abs);
        for (const p of files) {
          if (seen.has(p)) continue;
          seen.add(p);
          let label = typeof item !== 'string' && item.label && !isDir ? item.label : targetLabel(p);
          for (let n = 2; labels.has(label); n++) label = `${targetLabel(p)} (${n})`;
          labels.add(label);
          this.list.push({ label, path: p, stamp: '', loading: true });
        }
      }
    }
    if (!this.loading && this.list.some((t) => t.stamp !== stampOf(t.path))) {
      this.loading = this.loadStale().finally(() => {
        this.loading = undefined;
        for (const l of this.loadedListeners) l();
      });
    }
  }

  /** Reads every target whose file changed, one at a time; again if the list changed meanwhile. */
  private async loadStale(): Promise<void> {
    for (;;) {
      const list = this.list;
      const stale = list.map((t, i) => ({ t, i, stamp: stampOf(t.path) })).filter((x) => x.t.stamp !== x.stamp);
      if (!stale.length) return;
      for (const { t, i, stamp } of stale) {
        const loaded = await loadTarget(t.path, t.label, stamp);
        if (this.list === list) list[i] = loaded;
      }
    }
  }

  /** The resolution of `file` against `t` (undefined when either cannot be used). */
  entry(file: IndexedFile, t: TargetKernel): CacheEntry | undefined {
    if (!t.target || !file.input || !file.object) return undefined;
    const k = `${file.path}\0${t.path}`;
    const hit = this.cache.get(k);
    if (hit && hit.generation === file.generation && hit.stamp === t.stamp) return hit;
    const res = resolveCoreRelocations(file.input, t.target);
    const byRecord = new Map<string, CoreRelocation>();
    for (const r of res.relocations) byRecord.set(`${r.section}#${r.index}`, r);
    const e: CacheEntry = { generation: file.generation, stamp: t.stamp, res, byRecord };
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(k, e);
    return e;
  }

  /** The outcome of relocation `index` of `section` in `file` on `t`. */
  outcome(file: IndexedFile, section: string, index: number, t: TargetKernel): TargetOutcome {
    if (t.error) return { text: `cannot be read (${t.error})`, fails: false };
    if (t.loading) return { text: 'target kernel still loading', fails: false };
    const e = this.entry(file, t);
    if (!e) return { text: 'not resolved', fails: false };
    const r = e.byRecord.get(`${section}#${index}`);
    if (r) return describeOutcome(r);
    const p = e.res.problems.find((x) => x.severity === 'error');
    if (p) return { text: p.message, fails: true };
    const failed = e.res.relocations.find((x) => x.outcome === 'failed');
    if (failed) return { text: `not reached: the load already fails at ${failed.section} relo #${failed.index}`, fails: false };
    return { text: 'not relocated', fails: false };
  }
}

const perIndex = new WeakMap<WorkspaceIndex, CoreTargets>();
export function coreTargetsOf(index: WorkspaceIndex): CoreTargets {
  let t = perIndex.get(index);
  if (!t) perIndex.set(index, (t = new CoreTargets(index)));
  return t;
}

/** What a relocation's value is, in the words of a hover ("offset 1256 (local 1248)"). */
function valueName(kind: number): string {
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET: return 'offset';
    case CoreReloKind.FIELD_BYTE_SIZE: case CoreReloKind.TYPE_SIZE: return 'size';
    case CoreReloKind.FIELD_SIGNED: return 'signed';
    case CoreReloKind.FIELD_LSHIFT_U64: return 'lshift';
    case CoreReloKind.FIELD_RSHIFT_U64: return 'rshift';
    case CoreReloKind.TYPE_ID_LOCAL: return 'local type id';
    case CoreReloKind.TYPE_ID_TARGET: return 'type id';
    default: return 'value';
  }
}

/** One relocation's result on a target, in a sentence; fails when libbpf's load would fail because of it. */
export function describeOutcome(r: CoreRelocation): TargetOutcome {
  const why = r.reasonDetail;
  switch (r.outcome) {
    case 'patched': {
      const v = r.targetValue ?? 0n;
      const l = r.localValue ?? 0n;
      if (isExistence(r.kind)) {
        const what = r.kind === CoreReloKind.FIELD_EXISTS ? 'field' : r.kind === CoreReloKind.ENUMVAL_EXISTS ? 'enum value' : 'type';
        if (r.kind === CoreReloKind.TYPE_MATCHES) return { text: v ? 'type matches' : 'type does not match (0)', fails: false };
        return { text: v ? `${what} exists` : `no such ${what} (0)`, fails: false };
      }
      if (r.kind === CoreReloKind.TYPE_ID_LOCAL) return { text: `local type id ${l}`, fails: false };
      return { text: `${valueName(r.kind)} ${v} (local ${l})`, fails: false };
    }
    case 'poisoned': {
      const what = isFieldBased(r.kind) ? (r.candidates.length ? 'field' : 'type') : r.kind === CoreReloKind.ENUMVAL_VALUE ? (r.candidates.length ? 'enum value' : 'type') : 'type';
      const cause = why ?? `no matching ${what}`;
      // The verifier only rejects a poisoned instruction it reaches (reach.ts); behind a guard the patched
      // constants make dead, it is pruned and the program loads. Unknown reachability counts as reached.
      if (r.reachable === false) return { text: `${cause} — poisoned, but unreachable on this kernel (guarded): loads`, fails: false };
      return { text: `${cause} — load fails here`, fails: true };
    }
    case 'failed':
      return { text: `${why ?? 'cannot be relocated'} — the load fails (error ${r.error})`, fails: true };
    case 'not-autoloaded':
      return { text: 'not relocated: the program is not loaded by default (SEC("?..."))', fails: false };
    case 'skipped':
      return { text: 'not relocated: in an eliminated weak subprogram', fails: false };
  }
}

/** Index of a line's relocation among its section's records (libbpf's `relo #N`). */
function recordIndex(g: LineGroup, i: number): number {
  return g.prog.section.coreRelo.indexOf(g.relos[i]!.rec);
}

/** The hover block for a line group: per target, the outcome of each relocation of the line. */
export function coreHoverBlock(index: WorkspaceIndex, g: LineGroup): string {
  if (!g.relos.length) return '';
  const ct = coreTargetsOf(index);
  const targets = ct.targets();
  if (!targets.length) return '';
  const lines = targets.map((t) =>
    `${t.label}: ${g.relos.map((_, i) => ct.outcome(g.file, g.prog.section.name, recordIndex(g, i), t).text).join(' · ')}`);
  return `On target kernels:\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

/** The source line (0-based) and line_info file name the line table gives a relocation's instruction. */
export function reloSourceLine(file: IndexedFile, p: ProgramModel, insnOff: number): { name: string; line: number } | undefined {
  const s = Math.floor(insnOff / INSN_SIZE);
  const li = p.slots.lineOfSlot[s];
  if (li === undefined || li < 0) return undefined;
  const rec = p.section.lineInfo[li];
  if (!rec || !rec.line || !file.btf) return undefined;
  return { name: file.btf.str(rec.fileNameOff) ?? '', line: rec.line - 1 };
}

/**
 * Warnings on a C source: each relocation that fails on a configured target, on the line hovers attribute
 * it to, naming the kernel and libbpf's reason.
 */
export function coreDiagnostics(index: WorkspaceIndex, sourcePath: string, text?: string): Diagnostic[] {
  const ct = coreTargetsOf(index);
  const objects = index.objectsFor(sourcePath);
  if (!objects.length) return [];
  const targets = ct.targets().filter((t) => t.target);
  if (!targets.length) return [];
  let lines: string[] | undefined;
  const lineText = (n: number): string => (lines ??= sourceLines(sourcePath, text))[n] ?? '';
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const { file, names } of objects) {
    if (!file.object || !file.btf) continue;
    const btf = file.btf;
    for (const p of file.object.programs) {
      let placed: Map<number, number> | undefined;
      p.section.coreRelo.forEach((rec, i) => {
        let spec: string | undefined;
        for (const t of targets) {
          const o = ct.outcome(file, p.section.name, i, t);
          if (!o.fails) continue;
          placed ??= reloLinesOf(file, p, sourcePath, names, lineText);
          const line = placed.get(i);
          if (line === undefined) return;
          spec ??= describeCoreRelo(btf, rec.typeId, btf.str(rec.accessStrOff), rec.kind).text;
          // bpfel and bpfeb twins (and programs sharing an inlined line) fail alike: one warning per line and message.
          const message = `CO-RE relocation fails on ${t.label}: ${spec}: ${o.text}`;
          const key = `${line}\0${message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            range: Range.create(line, 0, line, lineText(line).length), severity: DiagnosticSeverity.Warning, source: SOURCE,
            message, code: 'core-relo', data: { object: file.uri, section: p.section.name, relo: i },
          });
        }
      });
    }
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.message.localeCompare(b.message));
}

/** The object files of the index, or the one a URI names. */
export function objectFiles(index: WorkspaceIndex, uri?: string): IndexedFile[] {
  const path = uri ? uriToPath(uri) : undefined;
  return index.allFiles().filter((f) => f.object && f.input && (!path || f.path === resolve(path)));
}
