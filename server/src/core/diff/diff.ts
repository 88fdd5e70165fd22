import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { compareEnum } from './enums';
import { compareFunc } from './funcs';
import { sameComposite, sameEnum, sameType } from './equal';
import { compareComposite } from './members';
import { NameGroups } from './names';
import { type BtfDiff, DIFF_KINDS, type DiffChange, type DiffDetail, type DiffKind } from './model';
import { Side } from './side';

/**
 * Two BTFs compared by name and C spelling, never by type ID (IDs of two builds mean nothing to
 * each other). The named structs, unions, enums, typedefs, functions and variables a BTF holds
 * itself (for split BTF: not its base's) are matched by kind and name; anonymous types are
 * compared through the named type that holds them. A member whose type is a named type spells the
 * same however that type changed: the named type is reported once, where it is.
 */

const KIND_OF: Partial<Record<number, DiffKind>> = {
  [Kind.STRUCT]: 'STRUCT', [Kind.UNION]: 'UNION', [Kind.ENUM]: 'ENUM', [Kind.ENUM64]: 'ENUM64',
  [Kind.TYPEDEF]: 'TYPEDEF', [Kind.FUNC]: 'FUNC', [Kind.VAR]: 'VAR',
};
const RANK = new Map<string, number>(DIFF_KINDS.map((k, i) => [k, i]));

export interface DiffOptions {
  /** Names of the two sides, as the report shows them (file names). */
  oldName?: string;
  newName?: string;
}

/** A change with the type IDs it is about, for views that open both sides. */
export interface DiffEntry extends DiffChange {
  oldId?: number;
  newId?: number;
}

export interface BtfDiffResult extends BtfDiff {
  changes: DiffEntry[];
}

/** What differs between `a` (old) and `b` (new), both of `kind`; empty when nothing does. */
function compare(kind: DiffKind, sa: Side, a: number, sb: Side, b: number): DiffDetail[] {
  const out: DiffDetail[] = [];
  const ta = sa.t;
  const tb = sb.t;
  switch (kind) {
    case 'STRUCT': case 'UNION':
      compareComposite(sa, a, sb, b, out);
      break;
    case 'ENUM': case 'ENUM64':
      compareEnum(sa, a, sb, b, out);
      break;
    case 'FUNC':
      compareFunc(sa, a, sb, b, out);
      break;
    case 'TYPEDEF': {
      const x = ta.third(a);
      const y = tb.third(b);
      if (!sameType(sa, x, sb, y) && sa.spell(x) !== sb.spell(y)) out.push({ what: 'target changed', old: sa.spell(x), new: sb.spell(y) });
      // A typedef of an anonymous body holds that body: compare it here.
      const ca = sa.anonComposite(x);
      const cb = sb.anonComposite(y);
      if (ca && cb && !sameComposite(sa, ca, sb, cb)) compareComposite(sa, ca, sb, cb, out);
      const ea = sa.anonEnum(x);
      const eb = sb.anonEnum(y);
      if (ea && eb && !sameEnum(sa, ea, sb, eb)) compareEnum(sa, ea, sb, eb, out);
      break;
    }
    case 'VAR': {
      const x = ta.third(a);
      const y = tb.third(b);
      if (!sameType(sa, x, sb, y) && sa.spell(x) !== sb.spell(y)) out.push({ what: 'type changed', old: sa.spell(x), new: sb.spell(y) });
      break;
    }
  }
  return out;
}

/**
 * Compares `oldBtf` with `newBtf`. Types of one kind and name are paired: with one of each, those
 * two; with several (a kernel has a few same-named types from different files), each old one first
 * with the first new one equal to it, the rest in ID order, the excess added or removed.
 * Changes are listed by kind (`DIFF_KINDS` order), then name.
 */
export function diffBtf(oldBtf: Btf, newBtf: Btf, opts: DiffOptions = {}): BtfDiffResult {
  const sa = new Side(oldBtf);
  const sb = new Side(newBtf);
  const byKind: DiffEntry[][] = DIFF_KINDS.map(() => []);
  const groups = new NameGroups([sa, sb]);
  for (let g = 0; g < groups.count; g++) {
    const code = groups.kind[g]!;
    const kind = KIND_OF[code]!;
    const changes = byKind[RANK.get(kind)!]!;
    const a1 = groups.first0[g]!;
    const b1 = groups.first1[g]!;
    const n0 = groups.n0[g]!;
    const n1 = groups.n1[g]!;
    if (n0 === 1 && n1 === 1) {
      if (unchanged(code, sa, a1, sb, b1)) continue;
      const details = compare(kind, sa, a1, sb, b1);
      if (details.length) changes.push({ kind, name: sa.name(a1), change: 'changed', details, oldId: a1, newId: b1 });
      continue;
    }
    // Names are decoded only for the groups that change (most do not).
    const name = n0 ? sa.name(a1) : sb.name(b1);
    if (n0 === 0 || n1 === 0) {
      for (const a of groups.ids(g, 0)) changes.push({ kind, name, change: 'removed', details: [], oldId: a });
      for (const b of groups.ids(g, 1)) changes.push({ kind, name, change: 'added', details: [], newId: b });
      continue;
    }
    const olds = groups.ids(g, 0);
    const news = groups.ids(g, 1);
    const taken = new Set<number>();
    const rest: number[] = [];
    for (const a of olds) {
      const b = news.find((b) => !taken.has(b) && (unchanged(code, sa, a, sb, b) || compare(kind, sa, a, sb, b).length === 0));
      if (b === undefined) rest.push(a);
      else taken.add(b);
    }
    const left = news.filter((b) => !taken.has(b));
    rest.forEach((a, i) => {
      const b = left[i];
      if (b === undefined) changes.push({ kind, name, change: 'removed', details: [], oldId: a });
      else changes.push({ kind, name, change: 'changed', details: compare(kind, sa, a, sb, b), oldId: a, newId: b });
    });
    for (const b of left.slice(rest.length)) changes.push({ kind, name, change: 'added', details: [], newId: b });
  }
  // Stable: same-named entries keep the order above (changed, removed, added).
  for (const list of byKind) list.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const changes = byKind.flat();
  const summary = { added: 0, removed: 0, changed: 0 };
  for (const c of changes) summary[c.change]++;
  return { old: opts.oldName ?? oldBtf.file ?? 'old', new: opts.newName ?? newBtf.file ?? 'new', changes, summary };
}

/** The quick structural checks of equal.ts: true when `compare` would find nothing (false: look). */
function unchanged(code: number, sa: Side, a: number, sb: Side, b: number): boolean {
  const ta = sa.t;
  const tb = sb.t;
  switch (code) {
    case Kind.STRUCT: case Kind.UNION:
      return sameComposite(sa, a, sb, b);
    case Kind.ENUM: case Kind.ENUM64:
      return sameEnum(sa, a, sb, b);
    case Kind.FUNC:
      return ta.vlen(a) === tb.vlen(b) && tb.kind(tb.third(b)) === Kind.FUNC_PROTO && sameType(sa, ta.third(a), sb, tb.third(b));
    case Kind.VAR:
      return sameType(sa, ta.third(a), sb, tb.third(b));
    default:
      return false;
  }
}

/** The result as `--format json` writes it: the README's schema, without the type IDs. */
export function diffJson(d: BtfDiffResult): BtfDiff {
  return {
    old: d.old,
    new: d.new,
    changes: d.changes.map(({ kind, name, change, details }) => ({ kind, name, change, details })),
    summary: d.summary,
  };
}
