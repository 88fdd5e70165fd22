/**
 * Will the object load on each kernel of `btfLens.coreTargets`, beyond CO-RE (core-targets.ts): what libbpf
 * 1.1 decides from the kernel's BTF for externs (typed ksyms, kfuncs, kconfig) and attach targets (fentry,
 * fexit, fmod_ret, lsm, tp_btf, iter, struct_ops…), computed by core/load (`checkLoad`) per (object, target)
 * and cached like the CO-RE resolutions. Here: where each dependency is written in a source, its outcome
 * per target in a sentence, the hover block of a line and the warnings of a source.
 *
 * Places: an attach target is the SEC("…") line of its program, found from the object: the program's first
 * line_info record (its first line) and its section name, the nearest `SEC("<that name>")` at or above it. An
 * extern is its declaration (nothing in the object says where that is: the statement starting with `extern`
 * that names it), else its first use (line_info of the instruction that uses it).
 */
import { type Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver';
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { Members } from '../core/btf/records';
import { cDeclaration } from '../core/format/c';
import { checkLoad } from '../core/load/check';
import type { DependencyOutcome, LoadCheck, LoadDependency } from '../core/load/model';
import { statementLines } from './c-access';
import { type TargetKernel, coreTargetsOf } from './core-targets';
import { fence } from './markup';
import { type IndexedFile, functionsOf } from './model';
import type { WorkspaceIndex } from './workspace';
import { sourceLines } from './source-texts';

/** diagnostics.ts's source name (not imported: diagnostics.ts imports this module). */
const SOURCE = 'btf-lens';
const MAX_CACHE = 256;

export const EXTERN_KINDS: ReadonlySet<string> = new Set(['ksym-var', 'ksym-typeless', 'kfunc', 'kconfig']);
const ATTACH_KINDS: ReadonlySet<string> = new Set(['attach', 'struct-ops-member']);

interface Entry {
  generation: number;
  stamp: string;
  check: LoadCheck;
}
const caches = new WeakMap<WorkspaceIndex, Map<string, Entry>>();

/** What libbpf decides loading `file` on `t`, or undefined when either cannot be used (not read yet, no BTF). */
export function loadCheckOf(index: WorkspaceIndex, file: IndexedFile, t: TargetKernel): LoadCheck | undefined {
  if (!t.target || !file.input || !file.object) return undefined;
  let cache = caches.get(index);
  if (!cache) caches.set(index, (cache = new Map()));
  const k = `${file.path}\0${t.path}`;
  const hit = cache.get(k);
  if (hit && hit.generation === file.generation && hit.stamp === t.stamp) return hit.check;
  const check = checkLoad(file.input, t.target, t.loadOptions);
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(k, { generation: file.generation, stamp: t.stamp, check });
  return check;
}

/** The dependencies of `file` (the same on every target), from the first target that can be used. */
function dependenciesOf(index: WorkspaceIndex, file: IndexedFile, targets: TargetKernel[]): LoadDependency[] {
  for (const t of targets) {
    const c = loadCheckOf(index, file, t);
    if (c) return c.dependencies;
  }
  return [];
}

/** The dependency stops the load before the verifier on that kernel (a `__weak` extern never does; outcomeText also counts one whose use the verifier reaches). */
export function failsLoad(dep: LoadDependency, o: DependencyOutcome | undefined): boolean {
  if (!o || dep.weak || dep.kind === 'core-relo') return false;
  return o.code === 'missing' || o.code === 'incompatible' || o.code === 'failed';
}

/** The name libbpf looks up in the kernel's BTF for an attach target (`bpf_lsm_file_open` for lsm/file_open). */
export function lookupName(dep: LoadDependency): string {
  const l = dep.lookup;
  if (!l) return dep.name;
  return l.name.startsWith(l.prefix) ? l.name : l.prefix + l.name;
}

/** How libbpf names what it looks for, in a hover's words. */
export function dependencyLabel(dep: LoadDependency): string {
  switch (dep.kind) {
    case 'ksym-var': return `typed ksym ${dep.name}`;
    case 'ksym-typeless': return `ksym ${dep.name}`;
    case 'kfunc': return `kfunc ${dep.name}`;
    case 'kconfig': return `kconfig ${dep.name}`;
    case 'attach': return `attach target ${lookupName(dep)}${dep.section ? ` (${dep.section})` : ''}`;
    case 'struct-ops': return `struct_ops struct ${dep.name}`;
    case 'struct-ops-member': return `struct_ops member ${dep.name}`;
    case 'core-relo': return `CO-RE ${dep.reloKind ?? ''} ${dep.name}`;
  }
}

/** The kernel's declaration of what it resolved to, as C (`int do_unlinkat(int dfd, struct filename *name)`). */
export function kernelDeclaration(t: TargetKernel, o: DependencyOutcome | undefined, dep?: LoadDependency): string | undefined {
  const inModule = o?.targetBtf && o.targetBtf !== 'vmlinux' ? t.target?.modules?.find((m) => m.name === o.targetBtf)?.btf : undefined;
  const btf = inModule ?? t.target?.vmlinux;
  if (!btf || !o?.targetTypeId || (o.targetBtf && o.targetBtf !== 'vmlinux' && !inModule)) return undefined;
  const id = o.targetTypeId;
  if (id >= btf.typeCount) return undefined;
  if (dep?.kind === 'struct-ops-member' && dep.member) {
    // the kernel's member, as its struct declares it
    const members = new Members(btf, id);
    for (let i = 0; i < members.count; i++) {
      if (members.name(i) === dep.member) return `${cDeclaration(btf, members.type(i), dep.member)} (in ${cDeclaration(btf, id)})`;
    }
  }
  // The kernel's functions are all `static` in its BTF: that says nothing here.
  return cDeclaration(btf, id).replace(/^static /, '');
}

/** One dependency on one target, in a sentence; `fails`: the load stops there because of it. */
export function outcomeText(dep: LoadDependency, o: DependencyOutcome | undefined, t: TargetKernel): { text: string; fails: boolean } {
  if (t.error) return { text: `cannot be read (${t.error})`, fails: false };
  if (t.loading) return { text: 'target kernel still loading', fails: false };
  if (!o) return { text: 'not checked', fails: false };
  // a missing __weak extern fails only where the verifier reaches a use of it (not before the verifier:
  // failsLoad, the extern line's warning, says no; the use's line has its own warning)
  const fails = failsLoad(dep, o) || (o.code === 'weak-missing' && o.reachable === true);
  const err = o.err ? ` (error ${o.err})` : '';
  const why = o.detail ? `: ${o.detail}` : '';
  switch (o.code) {
    case 'found': {
      const decl = kernelDeclaration(t, o, dep);
      if (dep.kind === 'kconfig') return { text: `set to ${o.value ?? '?'}`, fails };
      const where = o.targetBtf && o.targetBtf !== 'vmlinux' ? ` in module ${o.targetBtf}` : '';
      return { text: decl ? `found${where}: ${decl}` : `found${where}`, fails };
    }
    case 'weak-missing': return { text: `not found: left 0 (__weak)${weakVerdict(o) ?? why}`, fails };
    case 'missing': return { text: `not found — the load fails${err}${why}`, fails };
    case 'incompatible': return { text: `incompatible — the load fails${err}${why}`, fails };
    case 'failed': return { text: `fails${err}${why}`, fails };
    case 'poisoned': return { text: `poisoned${why}`, fails };
    case 'unknown': return { text: `cannot be told from BTF${why}`, fails };
    case 'not-loaded': return { text: `not looked up${why || ': the program is not loaded by default'}`, fails };
  }
}

/**
 * A missing `__weak` ksym or kfunc: does the verifier reach a use of its 0 (core/load/weak-reach.ts)? The
 * first such use by source line, or that every use is guarded; undefined when not analysed (kconfig).
 */
function weakVerdict(o: DependencyOutcome): string | undefined {
  if (o.reachable === undefined) return undefined;
  if (!o.reachable) return ': every use guarded (the verifier proves it dead): loads';
  const u = o.weakUses?.[0];
  if (!u) return ': a use is reachable: the verifier rejects';
  const where = u.place ? `line ${u.place.line + 1}` : `insn #${u.insn} of ${u.function}`;
  const more = (o.weakUses?.length ?? 0) > 1 ? ` (+${o.weakUses!.length - 1} more)` : '';
  return `: unguarded use at ${where} (prog ${u.program})${more}: the verifier rejects`;
}

// ---- where dependencies are written ----

const SEC_SEARCH = 8;

/** The `SEC("name")` line at or above `line` (within a few lines), else undefined. */
function secLine(text: (n: number) => string, line: number, section: string): number | undefined {
  const quoted = JSON.stringify(section).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`\\bSEC\\s*\\(\\s*${quoted}\\s*\\)`);
  for (let n = line; n >= 0 && n > line - SEC_SEARCH; n--) if (re.test(text(n))) return n;
  return undefined;
}

const STRUCT_OPS_SEC = /\bSEC\s*\(\s*"\.struct_ops(?:\.link)?"\s*\)/;

/** The `SEC(".struct_ops")` line in [from, to] whose variable is `map` (on that line or the next). */
function structOpsLine(text: (n: number) => string, map: string, from: number, to: number): number | undefined {
  const word = new RegExp(`\\b${map.replace(/[^A-Za-z0-9_]/g, '')}\\b`);
  for (let n = from; n <= to; n++) {
    if (STRUCT_OPS_SEC.test(text(n)) && (word.test(text(n)) || word.test(text(n + 1)))) return n;
  }
  return undefined;
}

/** The first line_info line (0-based) of program `dep.program` and its section, when that line is in this source. */
function programFirstLine(file: IndexedFile, dep: LoadDependency, names: string[]): { line: number; section: string } | undefined {
  const btf = file.btf;
  if (!btf || !file.object || !dep.program) return undefined;
  for (const p of file.object.programs) {
    if (dep.kind === 'attach' && dep.section !== undefined && p.section.name !== dep.section) continue;
    const f = functionsOf(btf, p).find((x) => x.name === dep.program);
    if (!f) continue;
    for (let s = f.start; s < f.end; s++) {
      const li = p.slots.lineOfSlot[s];
      if (li === undefined || li < 0) continue;
      const rec = p.section.lineInfo[li]!;
      if (!rec.line) continue;
      return names.includes(btf.str(rec.fileNameOff) ?? '') ? { line: rec.line - 1, section: p.section.name } : undefined;
    }
  }
  return undefined;
}

/** Identifiers declared `extern` by the statement around `line`, with the line each is written on. */
export function externNamesAround(text: (n: number) => string, line: number): Map<string, number> {
  const out = new Map<string, number>();
  const [first, last] = statementLines(text, line);
  if (!/^\s*extern\b/.test(text(first))) return out;
  for (let n = first; n <= last; n++) {
    for (const m of text(n).replace(/\/\/.*$/, '').matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (!out.has(m[0])) out.set(m[0], n);
  }
  return out;
}

/** Where a dependency is written in a source: line → dependency indices. */
export type DepLines = Map<number, number[]>;

/**
 * The lines of `sourcePath` (0-based) where the attach and extern dependencies of `file` are written.
 * `lineCount` bounds the scan for extern declarations (the hover knows its line and passes `only`).
 */
export function dependencyLines(file: IndexedFile, deps: LoadDependency[], names: string[], text: (n: number) => string, lineCount: number, only?: number): DepLines {
  const out: DepLines = new Map();
  const add = (line: number, i: number) => {
    if (only !== undefined && line !== only) return;
    const l = out.get(line);
    if (l) l.push(i);
    else out.set(line, [i]);
  };
  // extern declarations: every `extern` statement of the source (or the one around `only`)
  const declared = new Map<string, number>();
  const scan = (n: number) => {
    for (const [name, line] of externNamesAround(text, n)) if (!declared.has(name)) declared.set(name, line);
  };
  if (only !== undefined) scan(only);
  else for (let n = 0; n < lineCount; n++) if (/\bextern\b/.test(text(n))) scan(n);
  deps.forEach((dep, i) => {
    if (EXTERN_KINDS.has(dep.kind)) {
      const d = declared.get(dep.name);
      if (d !== undefined) add(d, i);
      else if (only === undefined && dep.place && names.includes(dep.place.file)) add(dep.place.line, i);
    } else if (dep.kind === 'struct-ops' && dep.map) {
      // a map has no line_info: its `SEC(".struct_ops")` line, the one naming the map or just above it
      const at = only !== undefined ? structOpsLine(text, dep.map, only, only) : structOpsLine(text, dep.map, 0, lineCount - 1);
      if (at !== undefined) add(at, i);
    } else if (ATTACH_KINDS.has(dep.kind) || dep.kind === 'struct-ops') {
      const first = dep.program ? programFirstLine(file, dep, names) : undefined;
      if (first !== undefined) add(secLine(text, first.line, first.section) ?? first.line, i);
      else if (dep.place && names.includes(dep.place.file)) add(dep.place.line, i);
    }
  });
  return out;
}

// ---- what the kernel has nearby ----

const nearbyCache = new WeakMap<Btf, Map<string, string[]>>();
const kindNamesCache = new WeakMap<Btf, Map<number, string[]>>();

/** The names of a BTF's types of one kind (decoded once per BTF and kind: a kernel has some 60,000 functions). */
function kindNames(btf: Btf, kind: number): string[] {
  let per = kindNamesCache.get(btf);
  if (!per) kindNamesCache.set(btf, (per = new Map()));
  let names = per.get(kind);
  if (!names) {
    const set = new Set<string>();
    for (let id = 1; id < btf.typeCount; id++) {
      if (btf.kind(id) !== kind) continue;
      const n = btf.str(btf.nameOff(id));
      if (n) set.add(n);
    }
    per.set(kind, (names = [...set]));
  }
  return names;
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
/** Levenshtein distance of a and b, or limit + 1 once it exceeds `limit` (two reused rows: called for every kernel function). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

/**
 * Names of the kernel's functions (or typedefs, for tp_btf) close to `name`: a small edit distance, or one
 * is the other plus a `_suffix` (`do_unlinkat` / `do_unlinkat_at`). Nearest first, at most 5.
 */
export function nearbyNames(btf: Btf, name: string, kind: 'func' | 'typedef' = 'func'): string[] {
  let cache = nearbyCache.get(btf);
  if (!cache) nearbyCache.set(btf, (cache = new Map()));
  const key = `${kind}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const want = kind === 'typedef' ? Kind.TYPEDEF : Kind.FUNC;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 5)));
  const found: { n: string; d: number }[] = [];
  for (const n of kindNames(btf, want)) {
    if (n === name) continue;
    let d = distance(name, n, limit);
    if (d > limit && (n.startsWith(`${name}_`) || name.startsWith(`${n}_`))) d = limit + 1;
    else if (d > limit) continue;
    found.push({ n, d });
  }
  found.sort((a, b) => a.d - b.d || a.n.length - b.n.length || (a.n < b.n ? -1 : 1));
  const out = found.slice(0, 5).map((x) => x.n);
  if (cache.size > 256) cache.clear();
  cache.set(key, out);
  return out;
}

/** What the kernel has near a missing attach target, and why it may be missing from its BTF. */
function attachNotes(dep: LoadDependency, targets: TargetKernel[], outcomes: (DependencyOutcome | undefined)[]): string[] {
  const notes: string[] = [];
  const lookup = dep.lookup;
  if (!lookup || dep.kind !== 'attach') return notes;
  let missing = false;
  targets.forEach((t, k) => {
    const o = outcomes[k];
    if (o?.code !== 'missing' || !t.target) return;
    missing = true;
    const near = nearbyNames(t.target.vmlinux, lookupName(dep), lookup.kind === 'typedef' ? 'typedef' : 'func');
    if (near.length) notes.push(`Nearby on ${t.label}: ${near.map((n) => `\`${n}\``).join(', ')}`);
  });
  if (!missing) return notes;
  if (dep.module) {
    notes.push(`\`${dep.name}\` names a function of module ${dep.module}: libbpf 1.1 looks the whole string up as one name, and a kernel BTF file holds no module's functions.`);
  } else if (!lookup.prefix && lookup.kind === 'func') {
    // fentry/fexit/fmod_ret name a kernel function itself (lsm, tp_btf, iter name a hook, a tracepoint, an iterator)
    const bare = dep.name.replace(/^.*:/, '');
    notes.push(`Not in a kernel's BTF: a function the compiler inlined everywhere, or only kept as an optimised copy (\`${bare}.isra.0\`, \`${bare}.constprop.0\`: pahole leaves those out), and the functions of modules (a module function? its BTF is the module's, not vmlinux's).`);
  }
  return notes;
}

// ---- hover and warnings ----

/** The local declaration as C, for an extern whose kernel declaration differs. */
function localDeclaration(file: IndexedFile, dep: LoadDependency): string | undefined {
  const btf = file.btf;
  if (!btf || !dep.localVarId || dep.localVarId >= btf.typeCount) return undefined;
  return cDeclaration(btf, dep.localVarId).replace(/^extern /, '');
}

/** Hover blocks for the attach targets and externs written on `line` of a source, per object built from it. */
export function loadHoverBlocks(index: WorkspaceIndex, sourcePath: string, line: number, text: (n: number) => string): string[] {
  const targets = coreTargetsOf(index).targets();
  if (!targets.length) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const objects = index.objectsFor(sourcePath);
  const multi = objects.length > 1;
  for (const { file, names } of objects) {
    const deps = dependenciesOf(index, file, targets);
    if (!deps.length) continue;
    const at = dependencyLines(file, deps, names, text, 0, line).get(line);
    for (const i of at ?? []) {
      const dep = deps[i]!;
      const outcomes = targets.map((t) => loadCheckOf(index, file, t)?.outcomes[i]);
      const rows = targets.map((t, k) => `${t.label}: ${outcomeText(dep, outcomes[k], t).text}`);
      const parts = [`**${dependencyLabel(dep)}**${dep.weak ? ' (__weak)' : ''}${dep.program ? ` · program ${dep.program}` : ''}`];
      parts.push(`On target kernels:\n\n\`\`\`\n${rows.join('\n')}\n\`\`\``);
      if (EXTERN_KINDS.has(dep.kind) && outcomes.some((o) => o?.code === 'incompatible')) {
        const local = localDeclaration(file, dep);
        const decls = targets.map((t, k) => (outcomes[k]?.code === 'incompatible' ? kernelDeclaration(t, outcomes[k]) : undefined));
        const lines = [`/* this object */ ${local ?? dep.name};`, ...targets.flatMap((t, k) => (decls[k] ? [`/* ${t.label} */ ${decls[k]};`] : []))];
        parts.push(`${fence('c')}\n${lines.join('\n')}\n\`\`\``);
      }
      parts.push(...attachNotes(dep, targets, outcomes));
      const block = parts.join('\n\n');
      if (seen.has(block)) continue; // bpfel and bpfeb twins
      seen.add(block);
      out.push(multi ? block.replace(/^(\*\*[^\n]*)/, `$1 · ${file.label}`) : block);
    }
  }
  return out;
}

/** Warnings on a source: each attach target or strong extern written there that makes the load fail on a target. */
export function loadDiagnostics(index: WorkspaceIndex, sourcePath: string, text?: string): Diagnostic[] {
  const objects = index.objectsFor(sourcePath);
  if (!objects.length) return [];
  const targets = coreTargetsOf(index).targets().filter((t) => t.target);
  if (!targets.length) return [];
  const lines = sourceLines(sourcePath, text);
  const lineText = (n: number) => lines[n] ?? '';
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const { file, names } of objects) {
    const deps = dependenciesOf(index, file, targets);
    if (!deps.length) continue;
    const placed = dependencyLines(file, deps, names, lineText, lines.length);
    for (const [line, list] of placed) {
      for (const i of list) {
        const dep = deps[i]!;
        for (const t of targets) {
          const o = loadCheckOf(index, file, t)?.outcomes[i];
          if (!failsLoad(dep, o)) continue;
          const message = `load fails on ${t.label}: ${dependencyLabel(dep)}: ${outcomeText(dep, o, t).text}`;
          const key = `${line}\0${message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            range: Range.create(line, 0, line, lineText(line).length), severity: DiagnosticSeverity.Warning, source: SOURCE,
            message, code: EXTERN_KINDS.has(dep.kind) ? 'load-extern' : 'load-attach', data: { object: file.uri, dependency: i },
          });
        }
      }
    }
    // a missing __weak ksym or kfunc: a warning where the verifier reaches a use of its 0 (weak-reach.ts)
    deps.forEach((dep, i) => {
      for (const t of targets) {
        const o = loadCheckOf(index, file, t)?.outcomes[i];
        if (o?.code !== 'weak-missing' || !o.reachable) continue;
        for (const u of o.weakUses ?? []) {
          if (!u.place || !names.includes(u.place.file)) continue;
          const line = u.place.line;
          const message = `load fails on ${t.label}: ${dependencyLabel(dep)} is missing (__weak, left 0) and prog ${u.program} reaches this use: the verifier rejects it`;
          const key = `${line}\0${message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            range: Range.create(line, 0, line, lineText(line).length), severity: DiagnosticSeverity.Warning, source: SOURCE,
            message, code: 'load-weak-use', data: { object: file.uri, dependency: i },
          });
        }
      }
    });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.message.localeCompare(b.message));
}
