/**
 * `btf/coreMatrix`: the load matrix of BPF objects × target kernels. Per object and kernel, whether it loads as
 * far as BTF can tell or the first reason it does not; one row per CO-RE relocation (libbpf's order: .BTF.ext
 * sections, records) and per extern, struct_ops and attach dependency (core/load), one column per
 * `btfLens.coreTargets` kernel, each cell the outcome libbpf 1.1 would reach at load, and how the dependency
 * changes across the kernels (core/diff's categories); rendered as markdown and CSV for the client to show or save.
 */
import { relative } from 'node:path';
import { coreReloKindStr, describeCoreRelo } from '../core/core-relo/spec';
import { objectDeps } from '../core/deps';
import type { BtfInput } from '../core/input';
import type { LoadCheck, LoadDependency } from '../core/load/model';
import type { CoreMatrixRequest } from '../protocol/requests';
import { type TargetKernel, coreTargetsOf, objectFiles, reloSourceLine } from './core-targets';
import { memberAccesses } from './lines';
import { EXTERN_KINDS, dependencyLabel, loadCheckOf, outcomeText } from './load-targets';
import { detailText, memberChanges } from './member-kernels';
import type { IndexedFile } from './model';
import { pathToUri } from './uri';
import type { WorkspaceIndex } from './workspace';

type Result = CoreMatrixRequest.Result;
type Row = CoreMatrixRequest.Row;
type ObjectRow = CoreMatrixRequest.ObjectRow;

export function coreMatrix(index: WorkspaceIndex, p: CoreMatrixRequest.Params): Result {
  const ct = coreTargetsOf(index);
  const targets = ct.targets();
  const files = objectFiles(index, p.object);
  const rows: Row[] = [];
  const objects: ObjectRow[] = [];
  const summary = targets.map((t) => ({ label: t.label, fails: 0, loads: 0, objects: 0 }));
  for (const file of files) {
    const btf = file.btf;
    if (!file.object || !btf) continue;
    const own: Row[] = [];
    const sourceOf = (name: string, line: number): Row['source'] => {
      const path = file.object!.sources.get(name);
      return path ? { uri: pathToUri(path), label: `${sourceLabel(index, path)}:${line + 1}`, line } : undefined;
    };
    for (const prog of file.object.programs) {
      prog.section.coreRelo.forEach((rec, i) => {
        const d = describeCoreRelo(btf, rec.typeId, btf.str(rec.accessStrOff), rec.kind);
        const row: Row = {
          object: file.label, objectUri: file.uri, what: 'core', section: prog.section.name, index: i,
          kind: coreReloKindStr(rec.kind), spec: d.text,
          outcomes: targets.map((t) => ct.outcome(file, prog.section.name, i, t)),
        };
        const at = reloSourceLine(file, prog, rec.insnOff);
        const source = at && sourceOf(at.name, at.line);
        if (source) row.source = source;
        // How the member it reads differs across the kernels (its last member: the one the value is about).
        const last = memberAccesses(btf, { rec, slot: 0, text: d.text, spec: d.spec, error: d.error }).at(-1);
        const changes = last && d.spec ? memberChanges(targets, btf, d.spec.rootTypeId, last) : undefined;
        if (changes) row.changes = changes;
        own.push(row);
      });
    }
    const checks = targets.map((t) => loadCheckOf(index, file, t));
    const deps = checks.find((c) => c)?.dependencies ?? [];
    const surface = dependencySurface(file, targets, checks);
    deps.forEach((dep, i) => {
      if (dep.kind === 'core-relo') return;
      const outcomes = checks.map((c) => c?.outcomes[i]);
      const row: Row = {
        object: file.label, objectUri: file.uri, what: whatOf(dep), section: dep.section ?? (dep.kind === 'kconfig' ? '.kconfig' : dep.kind.startsWith('struct-ops') ? '.struct_ops' : '.ksyms'),
        index: i, kind: dep.kind, spec: dependencyLabel(dep) + (dep.weak ? ' (__weak)' : ''),
        outcomes: targets.map((t, k) => outcomeText(dep, outcomes[k], t)),
      };
      const source = dep.place && sourceOf(dep.place.file, dep.place.line);
      if (source) row.source = source;
      const changes = surface(dep);
      if (changes) row.changes = changes;
      own.push(row);
    });
    if (!own.length) continue;
    rows.push(...own);
    const obj: ObjectRow = { object: file.label, objectUri: file.uri, cells: [] };
    targets.forEach((t, k) => {
      const failing = own.filter((r) => r.outcomes[k]!.fails);
      summary[k]!.fails += failing.length;
      summary[k]!.objects++;
      const cell = objectCell(t, checks[k], failing[0], k);
      if (cell.loads) summary[k]!.loads++;
      obj.cells.push(cell);
    });
    objects.push(obj);
  }
  const result: Result = {
    targets: targets.map((t) => (t.error ? { label: t.label, path: t.path, error: t.error } : { label: t.label, path: t.path })),
    objects, rows, summary, markdown: '', csv: '',
  };
  result.markdown = toMarkdown(result);
  result.csv = toCsv(result);
  return result;
}

/**
 * How each attach target, kfunc and typed ksym of `file` differs across the kernels: core/deps's dependency
 * surface (`btf-lens deps`) over the load checks already made, in a cell's words (`new: param added (flags)`).
 */
function dependencySurface(file: IndexedFile, targets: TargetKernel[], checks: (LoadCheck | undefined)[]): (dep: LoadDependency) => string | undefined {
  const usable = targets.map((t, k) => ({ t, k })).filter(({ t, k }) => t.target && checks[k]);
  if (usable.length < 2 || !file.input) return () => undefined;
  // the load checks are cached per (object, target): so is what is made of them
  const key = usable.map(({ t, k }) => `${t.path}\0${t.stamp}\0${k}`).join('\0');
  const hit = surfaces.get(checks[usable[0]!.k]!);
  if (hit && hit.key === key && hit.checks.every((c, i) => c === checks[usable[i]!.k])) return hit.lookup;
  const lookup = makeSurface(file.input, usable, checks);
  surfaces.set(checks[usable[0]!.k]!, { key, checks: usable.map(({ k }) => checks[k]!), lookup });
  return lookup;
}

const surfaces = new WeakMap<LoadCheck, { key: string; checks: LoadCheck[]; lookup: (dep: LoadDependency) => string | undefined }>();

function makeSurface(input: BtfInput, usable: { t: TargetKernel; k: number }[], checks: (LoadCheck | undefined)[]): (dep: LoadDependency) => string | undefined {
  const { report } = objectDeps(input, usable.map(({ t }) => ({ label: t.label, file: t.path, btf: t.target!.vmlinux })), {
    check: (_obj, target) => checks[usable.find(({ t }) => t.target!.vmlinux === target.vmlinux)!.k]!,
  });
  return (ld) => {
    const dep = report.dependencies.find((d) => (ld.kind === 'attach'
      ? d.what === 'attach' && d.uses.some((u) => u.section === ld.section && u.prog === ld.program)
      : d.what === (ld.kind === 'kfunc' ? 'kfunc' : ld.kind === 'ksym-var' ? 'ksym' : '') && d.name === ld.name));
    if (!dep || !dep.targets.some((x) => x.present)) return undefined;
    const out: string[] = [];
    dep.targets.forEach((x, i) => {
      const label = usable[i]!.t.label;
      if (!x.present) out.push(`${label}: absent`);
      else if (x.changes.length) out.push(`${label}: ${x.changes.map(detailText).join(', ')}`);
    });
    return out.length ? out.join('; ') : undefined;
  };
}

function whatOf(dep: LoadDependency): Row['what'] {
  if (EXTERN_KINDS.has(dep.kind)) return 'extern';
  if (dep.kind === 'struct-ops' || dep.kind === 'struct-ops-member') return 'struct-ops';
  return dep.kind === 'core-relo' ? 'core' : 'attach';
}

const LOADS = 'loads as far as BTF can tell';

/**
 * One object on one kernel: where libbpf stops before the verifier (core/load's stop: a strong extern, a
 * struct_ops member, a CO-RE error, an attach target), else the first row that fails (a poisoned instruction
 * the verifier reaches, a missing `__weak` extern it reaches a use of), else it loads as far as BTF can tell.
 */
function objectCell(t: TargetKernel, check: LoadCheck | undefined, firstFailing: Row | undefined, k: number): ObjectRow['cells'][number] {
  if (t.error) return { text: 'kernel cannot be read', loads: false };
  if (t.loading) return { text: 'kernel still loading', loads: false };
  const stop = check?.stop;
  if (stop) {
    const d = stop.dependency;
    if (d !== undefined && check.dependencies[d]) {
      const dep = check.dependencies[d]!;
      return { text: `${dependencyLabel(dep)}: ${outcomeText(dep, check.outcomes[d], t).text}`, loads: false };
    }
    const why = [...check.log].reverse().find((l) => /fail|error|not found|incompatible/i.test(l));
    return { text: `libbpf stops at ${stop.step} (error ${stop.err})${why ? `: ${why}` : ''}`, loads: false };
  }
  if (firstFailing) return { text: `${firstFailing.spec}: ${firstFailing.outcomes[k]!.text}`, loads: false };
  return { text: LOADS, loads: true };
}

function sourceLabel(index: WorkspaceIndex, path: string): string {
  for (const f of index.folders) {
    const r = relative(f, path);
    if (!r.startsWith('..')) return r;
  }
  return path;
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function toMarkdown(r: Result): string {
  const out: string[] = [];
  const objects = r.objects.length;
  out.push(`# Load matrix: ${objects} object${objects === 1 ? '' : 's'} × ${r.targets.length} kernel${r.targets.length === 1 ? '' : 's'}`, '');
  if (!r.targets.length) {
    out.push('No target kernels: no kernel BTF (`btfLens.kernelBtf` is `none`, or /sys/kernel/btf/vmlinux is absent) and no `btfLens.coreTargets` (BTF files or directories of them).', '');
    return out.join('\n');
  }
  out.push('What libbpf 1.1 decides from each kernel\'s BTF before the verifier runs: externs (ksyms, kfuncs, kconfig), struct_ops, CO-RE relocations and attach targets. ⚠ marks what makes the load fail (a poisoned CO-RE instruction only where the verifier can reach it: one behind a `bpf_core_*_exists` guard that is false on the kernel loads; a missing `__weak` extern only where the verifier reaches a use of it).', '');
  out.push('| kernel | file | failing rows | objects that load as far as BTF can tell |', '|---|---|---|---|');
  r.targets.forEach((t, k) => {
    const s = r.summary[k]!;
    out.push(`| ${cell(t.label)} | ${cell(t.path)} | ${t.error ? cell(t.error) : s.fails} | ${t.error ? '' : `${s.loads}/${s.objects}`} |`);
  });
  out.push('');
  out.push(`| object | ${r.targets.map((t) => cell(t.label)).join(' | ')} |`);
  out.push(`|${'---|'.repeat(1 + r.targets.length)}`);
  for (const o of r.objects) out.push(`| ${cell(o.object)} | ${o.cells.map((c) => cell(c.loads ? c.text : `⚠ ${c.text}`)).join(' | ')} |`);
  out.push('');
  out.push(`| object | what | section | # | line | dependency | ${r.targets.map((t) => cell(t.label)).join(' | ')} | changes across kernels |`);
  out.push(`|${'---|'.repeat(7 + r.targets.length)}`);
  for (const row of r.rows) {
    const outcomes = row.outcomes.map((o) => cell(o.fails ? `⚠ ${o.text}` : o.text));
    out.push(`| ${cell(row.object)} | ${row.what} | ${cell(row.section)} | ${row.what === 'core' ? `relo #${row.index}` : `#${row.index}`} | ${row.source ? cell(row.source.label) : ''} | \`${cell(row.spec)}\` | ${outcomes.join(' | ')} | ${cell(row.changes ?? '')} |`);
  }
  out.push('');
  return out.join('\n');
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function toCsv(r: Result): string {
  const lines = [['object', 'what', 'section', 'index', 'kind', 'line', 'dependency', ...r.targets.flatMap((t) => [t.label, `${t.label} fails`]), 'changes across kernels']];
  for (const row of r.rows) {
    lines.push([row.object, row.what, row.section, String(row.index), row.kind, row.source?.label ?? '', row.spec,
      ...row.outcomes.flatMap((o) => [o.text, o.fails ? 'yes' : 'no']), row.changes ?? '']);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\n') + '\n';
}
