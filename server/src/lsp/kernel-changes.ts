/**
 * How an object's dependency on the kernel differs across the target kernels (issue: "which of my object's
 * dependencies change"): an attach target's or kfunc's prototype, a typed ksym's type, a tracepoint's
 * typedef, a struct_ops struct, compared with core/diff between the first target that has it and each
 * other one; absent where a target lacks it. CO-RE members: member-kernels.ts.
 */
import { Kind } from '../core/btf/kinds';
import { compareFunc } from '../core/diff/funcs';
import { compareComposite } from '../core/diff/members';
import type { DiffDetail } from '../core/diff/model';
import type { DependencyOutcome, LoadDependency } from '../core/load/model';
import type { TargetKernel } from './core-targets';
import { detailText, sideOf } from './member-kernels';

function compareIds(a: TargetKernel, ia: number, b: TargetKernel, ib: number): DiffDetail[] {
  const sa = sideOf(a.target!.vmlinux);
  const sb = sideOf(b.target!.vmlinux);
  const out: DiffDetail[] = [];
  const ka = sa.t.kind(ia);
  if (ka !== sb.t.kind(ib)) return [{ what: 'type changed', old: sa.declare(ia), new: sb.declare(ib) }];
  switch (ka) {
    case Kind.FUNC:
      compareFunc(sa, ia, sb, ib, out);
      break;
    case Kind.STRUCT: case Kind.UNION:
      compareComposite(sa, ia, sb, ib, out);
      break;
    case Kind.VAR: case Kind.TYPEDEF: {
      const x = sa.spell(sa.t.third(ia));
      const y = sb.spell(sb.t.third(ib));
      if (x !== y) out.push({ what: ka === Kind.VAR ? 'type changed' : 'target changed', old: x, new: y });
      break;
    }
    default:
      break;
  }
  return out;
}

/** The changes of `dep` across `targets` (outcomes in the same order), or undefined when it is the same on all. */
export function dependencyChanges(dep: LoadDependency, targets: TargetKernel[], outcomes: (DependencyOutcome | undefined)[]): string | undefined {
  if (dep.kind === 'core-relo' || dep.kind === 'kconfig' || dep.kind === 'ksym-typeless') return undefined;
  const usable = targets.map((_, k) => k).filter((k) => targets[k]!.target && outcomes[k]);
  if (usable.length < 2) return undefined;
  const idOn = (k: number): number => {
    const o = outcomes[k]!;
    if (o.code !== 'found' && o.code !== 'incompatible') return 0;
    if (!o.targetTypeId || (o.targetBtf && o.targetBtf !== 'vmlinux') || o.targetTypeId >= targets[k]!.target!.vmlinux.typeCount) return 0;
    return o.targetTypeId;
  };
  const first = usable.find((k) => idOn(k));
  if (first === undefined) return undefined;
  const out: string[] = [];
  for (const k of usable) {
    if (k === first) continue;
    const t = targets[k]!;
    const id = idOn(k);
    if (!id) {
      out.push(`${t.label}: absent`);
      continue;
    }
    for (const d of compareIds(targets[first]!, idOn(first), t, id)) out.push(`${t.label}: ${detailText(d)}`);
  }
  return out.length ? out.join('; ') : undefined;
}
