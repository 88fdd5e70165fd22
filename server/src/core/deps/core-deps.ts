import type { Btf } from '../btf/btf';
import { Kind, kindName } from '../btf/kinds';
import { skipModsAndTypedefs } from '../btf/resolve';
import { candidateIds } from '../core-relo/candidates';
import type { CoreRelocation, CoreResolution } from '../core-relo/resolve';
import { CoreReloKind, coreReloKindStr, isEnumvalBased, isFieldBased, isTypeBased } from '../core-relo/spec';
import { enumValues } from '../diff/enums';
import { compareComposite, leaves } from '../diff/members';
import type { DiffDetail } from '../diff/model';
import type { Side } from '../diff/side';
import type { OutcomeCode } from '../load/model';
import type { DepOnTarget, DepUse, Dependency } from './model';
import { essentialName } from './names';

/**
 * The CO-RE half of the dependency surface: every relocation of the object's `.BTF.ext` walked through the
 * object's own BTF into what it needs of the kernel — one `field` per named type and member on its access
 * path, an `enum value`, or a `type` — and, per target, whether that is there and how it differs from the
 * object's own type, in the diff's categories (member paths as the diff spells them: anonymous bodies
 * flattened into the named type that holds them).
 */

/** The named type a step of an access path is in: a struct/union, an enum, or a typedef of an anonymous body. */
interface Holder {
  kind: number;
  name: string;
  localName: string;
  /** The local body (struct/union/enum) the members are read from. */
  body: number;
}

interface Step {
  holder: Holder;
  member?: string;
}

/** A dependency being built, with what each target needs to look it up. */
export interface CoreDep {
  dep: Dependency;
  holder: Holder;
  reloKinds: Set<number>;
  /** Relocations (by `section\0index`) whose access path ends here: their outcomes are this dependency's. */
  ends: Set<string>;
  /** An enumerator's name in the object, when it has a flavor. */
  localMember?: string;
}

const MAX_STEPS = 64;

function holderOf(btf: Btf, id: number): Holder | undefined {
  // Through modifiers: a typedef is a holder of its own when its body is anonymous.
  for (let i = 0; i < 32 && id > 0; i++) {
    const k = btf.kind(id);
    if (k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) {
      id = btf.sizeOrType(id);
      continue;
    }
    const name = btf.name(id);
    if (k === Kind.TYPEDEF) {
      const body = skipModsAndTypedefs(btf, id);
      if (body <= 0) return undefined;
      if (btf.name(body)) return holderOf(btf, body);
      return { kind: Kind.TYPEDEF, name: essentialName(name), localName: name, body };
    }
    if (k === Kind.STRUCT || k === Kind.UNION || k === Kind.ENUM || k === Kind.ENUM64) {
      return name ? { kind: k, name: essentialName(name), localName: name, body: id } : undefined;
    }
    return undefined;
  }
  return undefined;
}

/** The anonymous struct/union `id` is through modifiers only (as the diff flattens them), else 0. */
function anonBody(btf: Btf, id: number): number {
  for (let i = 0; i < 32 && id > 0; i++) {
    const k = btf.kind(id);
    if (k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) id = btf.sizeOrType(id);
    else return (k === Kind.STRUCT || k === Kind.UNION) && !btf.name(id) ? id : 0;
  }
  return 0;
}

/** The element type of an array (through modifiers and typedefs), or `id` when not an array. */
function member(btf: Btf, id: number, i: number): { name: string; type: number } {
  const loc = btf.locate(id)!;
  const v = loc.btf.view;
  const m = loc.off + 12 + i * 12;
  return { name: loc.btf.str(v.u32(m)) ?? '', type: v.u32(m + 4) };
}

/**
 * The steps of a field relocation's access path (`raw`: its access string's indexes) through the local
 * BTF: a step per named member, in the named type holding it. Undefined when the path does not fit the
 * types (libbpf fails such a relocation; the report still lists its root as a `type`).
 */
function fieldSteps(btf: Btf, rootId: number, raw: number[]): Step[] | undefined {
  let holder = holderOf(btf, rootId);
  if (!holder) return undefined;
  const steps: Step[] = [];
  let path: string[] = [];
  let id = skipModsAndTypedefs(btf, rootId);
  for (let i = 1; i < raw.length && i < MAX_STEPS; i++) {
    if (id <= 0 || !btf.owner(id)) return undefined;
    const k = btf.kind(id);
    const idx = raw[i]!;
    if (k === Kind.ARRAY) {
      const loc = btf.locate(id)!;
      id = skipModsAndTypedefs(btf, loc.btf.view.u32(loc.off + 12));
      continue;
    }
    if ((k !== Kind.STRUCT && k !== Kind.UNION) || idx >= btf.vlen(id)) return undefined;
    const m = member(btf, id, idx);
    if (m.name) path.push(m.name);
    const anon = anonBody(btf, m.type);
    if (anon) {
      id = anon;
      continue;
    }
    if (path.length) steps.push({ holder, member: path.join('.') });
    path = [];
    // The next step is in the member's own named type, through typedefs and arrays.
    let t = skipModsAndTypedefs(btf, m.type);
    for (let j = 0; j < 32 && t > 0 && btf.kind(t) === Kind.ARRAY; j++) {
      const loc = btf.locate(t)!;
      t = skipModsAndTypedefs(btf, loc.btf.view.u32(loc.off + 12));
    }
    const next = t > 0 && i + 1 < raw.length ? holderOf(btf, m.type) ?? holderOf(btf, t) : undefined;
    if (next) holder = next;
    id = skipModsAndTypedefs(btf, m.type);
  }
  if (path.length) steps.push({ holder, member: path.join('.') });
  return steps;
}

function rawOf(access: string): number[] | undefined {
  const parts = access.split(':');
  return parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : undefined;
}

function tracepointOf(name: string): string | undefined {
  return name.startsWith('trace_event_raw_') ? name.slice('trace_event_raw_'.length) : undefined;
}

/** The CO-RE dependencies of an object, in the order its relocations first need them. */
export function collectCoreDeps(btf: Btf, sections: { name: string; records: { typeId: number; accessStrOff: number; kind: number }[] }[],
  progOf: (section: string, index: number) => string | undefined): CoreDep[] {
  const byKey = new Map<string, CoreDep>();
  const add = (what: Dependency['what'], holder: Holder, memberName: string | undefined, use: DepUse, kind: number, end: boolean): CoreDep => {
    const key = `${what}\0${holder.kind === Kind.ENUM64 ? Kind.ENUM : holder.kind}\0${holder.name}\0${memberName ?? ''}`;
    let d = byKey.get(key);
    if (!d) {
      d = {
        dep: { what, kind: kindName(holder.kind), name: holder.name, ...(memberName !== undefined ? { member: memberName } : {}), uses: [], targets: [] },
        holder, reloKinds: new Set(), ends: new Set(),
      };
      const tp = tracepointOf(holder.name);
      if (tp) d.dep.tracepoint = tp;
      byKey.set(key, d);
    }
    if (holder.localName !== holder.name) {
      const local = (d.dep.local ??= []);
      if (!local.includes(holder.localName)) local.push(holder.localName);
    }
    d.dep.uses.push(use);
    d.reloKinds.add(kind);
    if (end && use.relo !== undefined) d.ends.add(`${use.section}\0${use.relo}`);
    return d;
  };
  for (const sec of sections) {
    sec.records.forEach((rec, index) => {
      const prog = progOf(sec.name, index);
      const use: DepUse = { section: sec.name, ...(prog ? { prog } : {}), relo: index, reloKind: coreReloKindStr(rec.kind) };
      const access = btf.str(rec.accessStrOff) ?? '';
      const raw = rawOf(access);
      const root = rec.typeId;
      if (!btf.owner(root) || !raw) return;
      if (isFieldBased(rec.kind)) {
        const steps = fieldSteps(btf, root, raw);
        if (steps && steps.length) {
          steps.forEach((s, i) => add('field', s.holder, s.member, use, rec.kind, i === steps.length - 1));
          return;
        }
      } else if (isEnumvalBased(rec.kind)) {
        const h = holderOf(btf, root);
        const body = h ? skipModsAndTypedefs(btf, h.body) : -1;
        if (h && body > 0 && raw.length === 1 && raw[0]! < btf.vlen(body)) {
          const loc = btf.locate(body)!;
          const name = loc.btf.str(loc.btf.view.u32(loc.off + 12 + raw[0]! * (btf.kind(body) === Kind.ENUM ? 8 : 12))) ?? '';
          const d = add('enum value', h, essentialName(name), use, rec.kind, true);
          if (name !== d.dep.member) d.localMember = name;
          return;
        }
      }
      if (!isFieldBased(rec.kind) && !isEnumvalBased(rec.kind) && !isTypeBased(rec.kind)) return;
      // A type check, or a path that stops at its root (or does not fit): the root type itself.
      const k = btf.kind(root);
      const name = btf.name(root);
      if (!name) return;
      add('type', { kind: k, name: essentialName(name), localName: name, body: root }, undefined, use, rec.kind, true);
    });
  }
  return [...byKey.values()];
}

/** libbpf's CO-RE outcomes in `btf-lens check`'s words, worst first. */
const OUTCOME_RANK: OutcomeCode[] = ['failed', 'poisoned', 'found', 'not-loaded'];
const CHECK_CODE: Record<CoreRelocation['outcome'], OutcomeCode> = {
  failed: 'failed', poisoned: 'poisoned', patched: 'found', skipped: 'not-loaded', 'not-autoloaded': 'not-loaded',
};

/** One target's view of the CO-RE dependencies: its types' C spelling and libbpf's resolution on it. */
export interface CoreTargetView {
  btf: Btf;
  side: Side;
  resolution: CoreResolution;
}

/** Fills `dep.targets` for one target (appended: call once per target, in order). */
export function coreDepsOnTarget(local: Side, deps: CoreDep[], t: CoreTargetView): void {
  const relos = new Map<string, CoreRelocation>();
  for (const r of t.resolution.relocations) relos.set(`${r.section}\0${r.index}`, r);
  const composites = new Map<string, DiffDetail[]>();
  const compositeDetails = (lb: number, tb: number): DiffDetail[] => {
    const key = `${lb}:${tb}`;
    let out = composites.get(key);
    if (!out) {
      out = [];
      compareComposite(local, lb, t.side, tb, out);
      composites.set(key, out);
    }
    return out;
  };
  const leafCache = new Map<number, ReturnType<typeof leaves>>();
  const leavesOf = (id: number) => {
    let l = leafCache.get(id);
    if (!l) leafCache.set(id, (l = leaves(t.side, id)));
    return l;
  };
  for (const d of deps) {
    const state: DepOnTarget = { present: false, changes: [] };
    // Outcome: the worst of the relocations whose path ends here (absent: libbpf stopped before them).
    for (const key of d.ends) {
      const r = relos.get(key);
      if (!r) continue;
      const code = CHECK_CODE[r.outcome];
      if (state.outcome === undefined || OUTCOME_RANK.indexOf(code) < OUTCOME_RANK.indexOf(state.outcome)) state.outcome = code;
      if (r.outcome === 'poisoned') state.reachable = (state.reachable ?? false) || r.reachable !== false;
    }
    lookUp(local, d, t, state, compositeDetails, leavesOf);
    d.dep.targets.push(state);
  }
}

function bodyOf(btf: Btf, id: number): number {
  const b = skipModsAndTypedefs(btf, id);
  return b > 0 ? b : 0;
}

function lookUp(local: Side, d: CoreDep, t: CoreTargetView, state: DepOnTarget, compositeDetails: (lb: number, tb: number) => DiffDetail[],
  leavesOf: (id: number) => ReturnType<typeof leaves>): void {
  const { dep, holder } = d;
  const cands = candidateIds(t.btf, 1, holder.kind, holder.name);
  const tbtf = t.btf;
  if (dep.what === 'field') {
    const path = dep.member!;
    const lb = bodyOf(local.btf, holder.body);
    // Of several same-named types, the first that has the member (libbpf pairs them by structure).
    let chosen = 0;
    let leaf: ReturnType<typeof leaves>[number] | undefined;
    for (const c of cands) {
      const tb = bodyOf(tbtf, c);
      const k = tbtf.kind(tb);
      if (!tb || (k !== Kind.STRUCT && k !== Kind.UNION)) continue;
      const l = leavesOf(tb).find((x) => x.path === path);
      if (!chosen || l) chosen = tb;
      if (l) {
        leaf = l;
        break;
      }
    }
    if (!chosen) return;
    if (leaf) {
      state.present = true;
      state.found = { type: leaf.type, bitOffset: leaf.off, ...(leaf.bits ? { bits: leaf.bits } : {}) };
    }
    if (lb && (local.btf.kind(lb) === Kind.STRUCT || local.btf.kind(lb) === Kind.UNION)) {
      state.changes = compositeDetails(lb, chosen).filter((x) => x.member === path && !sameIntSpelling(x));
    }
    return;
  }
  if (dep.what === 'enum value') {
    // Enumerators pair by essential name too (`BPF_MAP_TYPE_RINGBUF___local`), as libbpf matches them.
    const name = dep.member!;
    const mine = enumValues(local, bodyOf(local.btf, holder.body)).get(d.localMember ?? name);
    for (const c of cands) {
      const tb = bodyOf(tbtf, c);
      if (!tb || (tbtf.kind(tb) !== Kind.ENUM && tbtf.kind(tb) !== Kind.ENUM64)) continue;
      for (const [k, v] of enumValues(t.side, tb)) {
        if (essentialName(k) !== name) continue;
        state.present = true;
        state.found = { value: v };
        if (mine !== undefined && String(mine) !== String(v)) state.changes = [{ what: 'value changed', member: name, old: mine, new: v }];
        return;
      }
    }
    if (cands.length && mine !== undefined) state.changes = [{ what: 'value removed', member: name, old: mine }];
    return;
  }
  // A type: there when a type of a compatible kind has its name; its size, for a size check.
  const c = cands[0];
  if (c === undefined) return;
  state.present = true;
  const tb = bodyOf(tbtf, c);
  const lb = bodyOf(local.btf, holder.body);
  const sized = (k: number) => k === Kind.STRUCT || k === Kind.UNION || k === Kind.ENUM || k === Kind.ENUM64 || k === Kind.INT || k === Kind.FLOAT;
  if (tb && sized(tbtf.kind(tb))) {
    state.found = { size: tbtf.sizeOrType(tb) };
    if (d.reloKinds.has(CoreReloKind.TYPE_SIZE) && lb && sized(local.btf.kind(lb)) && local.btf.sizeOrType(lb) !== tbtf.sizeOrType(tb)) {
      state.changes = [{ what: 'size changed', old: local.btf.sizeOrType(lb), new: tbtf.sizeOrType(tb) }];
    }
  }
}

/**
 * A `field type changed` that only spells an integer type another way: clang writes `unsigned long` where
 * pahole writes `long unsigned int` (the object's BTF against the kernel's). CO-RE sees one type: not a change.
 */
function sameIntSpelling(d: DiffDetail): boolean {
  return d.what === 'field type changed' && typeof d.old === 'string' && typeof d.new === 'string' && canonicalInts(d.old) === canonicalInts(d.new);
}

function canonicalInts(c: string): string {
  return c.replace(/\b(?:(?:unsigned|signed|long|short|int|char)\b\s*)+/g, (run) => {
    const words = run.trim().split(/\s+/);
    const longs = words.filter((w) => w === 'long').length;
    const base = words.includes('char') ? 'char' : words.includes('short') ? 'short' : longs ? 'long'.repeat(longs) : 'int';
    const sign = words.includes('unsigned') ? 'u' : words.includes('signed') && base === 'char' ? 's' : '';
    return `${sign}${base} `;
  }).trim();
}
