/**
 * A member the source reads, on each kernel of `btfLens.coreTargets`: where it is (`task_struct.__state:
 * vmlinux-6.1 offset 24 · vmlinux-6.18 offset 24`), and, where core/diff's member comparison between two
 * targets says so, that it is renamed there (`absent (named state)`, `offset 24 (renamed from state)`) or
 * has another type. The member is looked up by the name of the named struct/union that holds it (its
 * `___flavor` suffix dropped, as CO-RE does) and its path there, never by type ID.
 */
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { skipModsAndTypedefs } from '../core/btf/resolve';
import { essentialNameLen } from '../core/core-relo/types';
import { type Leaf as MemberLeaf, compareComposite, memberLeaf } from '../core/diff/members';
import type { DiffDetail } from '../core/diff/model';
import { findByNameKind } from '../core/load/names';
import { Side } from '../core/diff/side';
import { type TargetKernel, coreTargetsOf } from './core-targets';
import type { LineGroup, MemberAccess } from './lines';
import type { WorkspaceIndex } from './workspace';

/** One detail of core/diff in a matrix cell's words (`field moved flags (bit offset 0 → 64)`). */
export function detailText(d: DiffDetail): string {
  const member = d.member !== undefined && d.what !== 'field renamed' ? ` ${d.member}` : '';
  const unit = d.what === 'field moved' ? 'bit offset ' : '';
  const change = d.old !== undefined && d.new !== undefined ? `${unit}${d.old} → ${d.new}` : String(d.new ?? d.old ?? '');
  return `${d.what}${member}${change ? ` (${change})` : ''}`;
}

/** One C-spelling side per kernel BTF, kept as long as the BTF is (a target re-read is a new Btf). */
const sides = new WeakMap<Btf, Side>();
export function sideOf(btf: Btf): Side {
  let s = sides.get(btf);
  if (!s) sides.set(btf, (s = new Side(btf)));
  return s;
}

/** The first struct or union (`kind`) named `name` in `btf` (libbpf's btf__find_by_name_kind), else 0. */
function compositeNamed(btf: Btf, name: string, kind: number): number {
  return Math.max(0, findByNameKind(btf, name, kind));
}

interface OnTarget {
  t: TargetKernel;
  side?: Side;
  /** The struct/union in this kernel (0: none), and the member there. */
  id: number;
  leaf?: MemberLeaf;
}

interface MemberOnKernels {
  /** The struct's name (flavor dropped) and the member's path there. */
  name: string;
  path: string;
  kind: number;
  on: OnTarget[];
  /** The first target that has the member. */
  first?: OnTarget;
}

/** Member `acc` (of a relocation rooted at `rootId` in `btf`) looked up in every target kernel. */
function lookUp(targets: TargetKernel[], btf: Btf, rootId: number, acc: MemberAccess): MemberOnKernels | undefined {
  let ownerName = btf.name(acc.ownerId) ?? '';
  // A typedef of an anonymous struct as the root (`atomic_t___local`): CO-RE matches the typedef's name.
  if (!ownerName && skipModsAndTypedefs(btf, rootId) === acc.ownerId) ownerName = btf.name(rootId) ?? '';
  if (!ownerName) return undefined;
  const name = ownerName.slice(0, essentialNameLen(ownerName));
  const kind = btf.kind(acc.ownerId);
  const on: OnTarget[] = targets.map((t) => {
    const kb = t.target?.vmlinux;
    if (!kb) return { t, id: 0 };
    const id = btf.name(acc.ownerId) ? compositeNamed(kb, name, kind) : typedefBody(kb, name, kind);
    const side = id ? sideOf(kb) : undefined;
    return { t, side, id, leaf: side ? memberLeaf(side, id, acc.path) : undefined };
  });
  return { name, path: acc.path, kind, on, first: on.find((x) => x.leaf) };
}

/**
 * The line for member `acc` of a relocation of `g` on every target kernel, or undefined when there are
 * no targets or the member's struct cannot be named.
 */
export function memberOnTargets(index: WorkspaceIndex, g: LineGroup, rootId: number, acc: MemberAccess): string | undefined {
  const targets = coreTargetsOf(index).targets();
  if (!targets.length) return undefined;
  const m = lookUp(targets, g.file.btf!, rootId, acc);
  if (!m) return undefined;
  const cells = m.on.map((x, k) => `${x.t.label} ${cell(x, k, m.on, m.first, m.kind)}`);
  return `${m.name}.${m.path}: ${cells.join(' · ')}`;
}

/**
 * How member `acc` differs across the targets, relative to the first target that has it, in core/diff's
 * categories (`new: field renamed (parent → __parent)`); undefined when it is the same everywhere.
 */
export function memberChanges(targets: TargetKernel[], btf: Btf, rootId: number, acc: MemberAccess): string | undefined {
  const usable = targets.filter((t) => t.target);
  if (usable.length < 2) return undefined;
  const m = lookUp(usable, btf, rootId, acc);
  if (!m) return undefined;
  const out: string[] = [];
  const first = m.first;
  for (const x of m.on) {
    if (x === first) continue;
    const label = x.t.label;
    if (!x.id) {
      out.push(`${label}: no ${m.kind === Kind.UNION ? 'union' : 'struct'} ${m.name}`);
      continue;
    }
    if (!first) continue;
    const details = detailsOf(first, x, m.path);
    if (!x.leaf) {
      const r = details.find((d) => d.what === 'field renamed');
      out.push(r ? `${label}: field renamed (${r.old} → ${r.new})` : `${label}: field removed`);
      continue;
    }
    for (const d of details) out.push(`${label}: ${detailText(d)}`);
  }
  return out.length ? out.join('; ') : undefined;
}

/** The anonymous struct/union a typedef named `name` stands for, else 0. */
function typedefBody(btf: Btf, name: string, kind: number): number {
  const id = findByNameKind(btf, name, Kind.TYPEDEF);
  if (id <= 0) return 0;
  const s = skipModsAndTypedefs(btf, id);
  return s > 0 && btf.kind(s) === kind ? s : 0;
}

/** The details core/diff gives member `path` between two kernels' versions of the struct. */
function detailsOf(a: OnTarget, b: OnTarget, path: string): DiffDetail[] {
  return compared(a.side!, a.id, b.side!, b.id).filter((d) => d.member === path);
}

/** compareComposite of two kernels' structs, kept per pair of sides: a matrix asks about one struct for many relocations. */
const comparisons = new WeakMap<Side, WeakMap<Side, Map<string, DiffDetail[]>>>();
function compared(sa: Side, a: number, sb: Side, b: number): DiffDetail[] {
  let bySide = comparisons.get(sa);
  if (!bySide) comparisons.set(sa, (bySide = new WeakMap()));
  let byIds = bySide.get(sb);
  if (!byIds) bySide.set(sb, (byIds = new Map()));
  const key = `${a}:${b}`;
  let out = byIds.get(key);
  if (!out) {
    out = [];
    compareComposite(sa, a, sb, b, out);
    if (byIds.size > 4096) byIds.clear();
    byIds.set(key, out);
  }
  return out;
}

function cell(x: OnTarget, k: number, on: OnTarget[], first: OnTarget | undefined, kind: number): string {
  const t = x.t;
  if (t.error) return 'cannot be read';
  if (t.loading) return 'still loading';
  if (!x.id) return `has no ${kind === Kind.UNION ? 'union' : 'struct'} of that name`;
  const path = first?.leaf?.path;
  if (!x.leaf) {
    // Renamed here, as the comparison with a kernel that has it says: the nearest such kernel before this one, else after.
    const others = [...on.slice(0, k).reverse(), ...on.slice(k + 1)].filter((o) => o.leaf);
    for (const o of others) {
      const r = detailsOf(o, x, o.leaf!.path).find((d) => d.what === 'field renamed');
      if (r) return `absent (named ${r.new})`;
    }
    return 'absent';
  }
  const l = x.leaf;
  const where = l.bits ? `bit offset ${l.off}, ${l.bits} bits` : `offset ${l.off / 8}`;
  const notes: string[] = [];
  const prev = on.slice(0, k).reverse().find((o) => o.id);
  if (prev && !prev.leaf) {
    const from = renamedFrom(prev, x, l.path);
    if (from) notes.push(`renamed from ${from}`);
  }
  if (first && first !== x && path) {
    for (const d of detailsOf(first, x, path)) {
      if (d.what === 'field type changed') notes.push(`type ${d.new}`);
      else if (d.what === 'bitfield changed') notes.push(d.new ? `${d.new}-bit bitfield` : 'no longer a bitfield');
    }
  }
  return notes.length ? `${where} (${notes.join(', ')})` : where;
}

/** The old name of `path` when the comparison from `prev` to `x` says it was renamed. */
function renamedFrom(prev: OnTarget, x: OnTarget, path: string): string | undefined {
  const r = compared(prev.side!, prev.id, x.side!, x.id).find((d) => d.what === 'field renamed' && d.new === path);
  return r ? String(r.old) : undefined;
}
