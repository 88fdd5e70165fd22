import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { resolveCoreRelocations } from '../core-relo/resolve';
import { compareFunc } from '../diff/funcs';
import type { DiffDetail } from '../diff/model';
import { Side } from '../diff/side';
import type { BtfInput } from '../input';
import type { CheckLoad, LoadCheck, LoadDependency } from '../load/model';
import type { Problem } from '../util/problems';
import { type CoreDep, coreDepsOnTarget, collectCoreDeps } from './core-deps';
import type { DepOnTarget, Dependency, DepsReport } from './model';

/**
 * An object's dependency surface across target kernels (`btf-lens deps`): what its CO-RE relocations
 * read (core-deps.ts), and — from `btf-lens check`'s model of libbpf's load, when given — its attach
 * targets, kfuncs and typed ksyms, each with check's outcome per target and what changed, in the diff's
 * categories, from the first target.
 */

export interface DepsTargetInput {
  label: string;
  file: string;
  btf: Btf;
}

export interface DepsOptions {
  /** `btf-lens check`'s entry point: externs and attach targets come from it; without it, CO-RE only. */
  check?: CheckLoad;
}

export interface DepsResult {
  report: DepsReport;
  problems: Problem[];
  /** What was thrown when listing failed by a bug of ours (its problem says only that): for logs. */
  internalError?: unknown;
}

/** A target's C spellings, kept per BTF: one kernel serves many objects (a test, the server). */
const views = new WeakMap<Btf, { side: Side }>();
function viewOf(btf: Btf): { side: Side } {
  let v = views.get(btf);
  if (!v) views.set(btf, (v = { side: new Side(btf) }));
  return v;
}

/** Typeless ksyms are left out: libbpf resolves them from the running kernel's kallsyms, not from BTF. */
const EXTERN_KINDS = new Set<LoadDependency['kind']>(['attach', 'kfunc', 'ksym-var']);

/** Never throws on bad input: what cannot be read is a problem and an empty list. */
export function objectDeps(obj: BtfInput, targets: DepsTargetInput[], opts: DepsOptions = {}): DepsResult {
  const report: DepsReport = { object: obj.file, targets: targets.map(({ label, file }) => ({ label, file })), dependencies: [], summary: [] };
  try {
    return collect(obj, targets, opts, report);
  } catch (e) {
    // A bug of ours, not bad input: one line for the user, the exception for whoever keeps a log.
    const message = `internal error in BTF Lens while listing the dependencies of ${obj.file}`;
    return { report: { ...report, dependencies: [] }, problems: [{ file: obj.file, offset: 0, severity: 'error', message }], internalError: e };
  }
}

function collect(obj: BtfInput, targets: DepsTargetInput[], opts: DepsOptions, report: DepsReport): DepsResult {
  const problems: Problem[] = [];
  if (!obj.btf) {
    problems.push({ file: obj.file, offset: 0, severity: 'error', message: 'no BTF in this object: no dependencies to list' });
    return { report, problems };
  }
  const local = new Side(obj.btf);
  const checks: (LoadCheck | undefined)[] = targets.map((t) => opts.check?.(obj, { vmlinux: t.btf }));
  const resolutions = targets.map((t, i) => checks[i]?.core ?? resolveCoreRelocations(obj, { vmlinux: t.btf }));
  for (const r of resolutions) problems.push(...r.problems);
  for (const c of checks) if (c) problems.push(...c.problems.filter((p) => !problems.some((q) => q.message === p.message)));

  const progs = new Map<string, string>();
  for (const r of resolutions) for (const x of r.relocations) if (x.prog) progs.set(`${x.section}\0${x.index}`, x.prog);
  const core: CoreDep[] = collectCoreDeps(obj.btf, obj.ext?.coreRelo ?? [], (s, i) => progs.get(`${s}\0${i}`));
  const sides = targets.map((t) => viewOf(t.btf).side);
  targets.forEach((t, i) => {
    const v = viewOf(t.btf);
    if (core.length) coreDepsOnTarget(local, core, { btf: t.btf, side: v.side, resolution: resolutions[i]! });
  });

  const externs = externDeps(checks, sides, local);
  report.dependencies = [...externs, ...core.map((d) => d.dep)];
  report.summary = targets.map((t, i) => {
    let present = 0;
    let absent = 0;
    let changed = 0;
    for (const d of report.dependencies) {
      const s = d.targets[i]!;
      if (!s.present) absent++;
      else {
        present++;
        if (s.changes.length) changed++;
      }
    }
    return { label: t.label, present, absent, changed };
  });
  return { report, problems };
}

/**
 * Attach targets, kfuncs and ksyms as check lists them (the same list for every target), each with check's
 * outcome on every target, and how the kernel's function, typedef or variable differs from the first
 * target's.
 */
function externDeps(checks: (LoadCheck | undefined)[], sides: Side[], local: Side): Dependency[] {
  const first = checks[0];
  if (!first || checks.some((c) => !c)) return [];
  const out: Dependency[] = [];
  first.dependencies.forEach((ld, i) => {
    if (!EXTERN_KINDS.has(ld.kind)) return;
    const what = ld.kind === 'attach' ? 'attach' : ld.kind === 'kfunc' ? 'kfunc' : 'ksym';
    const name = ld.kind === 'attach' && ld.lookup ? ld.lookup.name : ld.name;
    const dep: Dependency = {
      what,
      kind: ld.kind === 'attach' ? (ld.lookup?.kind === 'typedef' ? 'TYPEDEF' : 'FUNC') : ld.kind === 'kfunc' ? 'FUNC' : 'VAR',
      name,
      uses: ld.kind === 'attach' ? [{ section: ld.section ?? '', ...(ld.program ? { prog: ld.program } : {}) }] : [],
      targets: [],
    };
    if (ld.kind === 'attach' && name.startsWith('btf_trace_')) dep.tracepoint = name.slice('btf_trace_'.length);
    let first: { at: number; id: number } | undefined;
    checks.forEach((c, t) => {
      const o = c!.outcomes[i];
      const side = sides[t]!;
      const id = o?.targetTypeId;
      const state: DepOnTarget = { present: id !== undefined && id > 0, changes: [] };
      if (o) state.outcome = o.code;
      if (o?.reachable !== undefined) state.reachable = o.reachable;
      if (state.present) {
        state.found = { decl: side.declare(id!) };
        // From the first target that has it.
        // libbpf refused the kernel's type as the object declares it: how the two differ says why.
        if (o?.code === 'incompatible' && ld.localVarId !== undefined) state.changes = changesFrom(local, ld.localVarId, side, id!).filter((c) => c.what !== 'linkage changed' && c.what !== 'param renamed');
        else if (first) state.changes = changesFrom(sides[first.at]!, first.id, side, id!);
        if (!first) first = { at: t, id: id! };
      }
      dep.targets.push(state);
    });
    out.push(dep);
  });
  return out;
}

/** How `b` of `sb` differs from `a` of `sa` (same kind and name), in the diff's categories. */
function changesFrom(sa: Side, a: number, sb: Side, b: number): DiffDetail[] {
  const out: DiffDetail[] = [];
  const ka = sa.t.kind(a);
  if (ka !== sb.t.kind(b)) return out;
  if (ka === Kind.FUNC) compareFunc(sa, a, sb, b, out);
  else if (ka === Kind.TYPEDEF || ka === Kind.VAR) {
    const x = sa.spell(sa.t.third(a));
    const y = sb.spell(sb.t.third(b));
    if (x !== y) out.push({ what: ka === Kind.TYPEDEF ? 'target changed' : 'type changed', old: x, new: y });
  }
  return out;
}
