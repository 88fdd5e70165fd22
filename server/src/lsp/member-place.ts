/**
 * Which CO-RE relocation accesses the member written under the cursor. A relocation on a line is tied
 * to the place where its access is written (c-access.ts): a run of members with the relocation's names,
 * whose root has the relocation's root type (the variable's declaration, a cast, or the members before it
 * walked through the local BTF), or which the line_info column of the relocated instruction points into.
 * `o->pid = BPF_CORE_READ(t, pid)`: the relocation `task_struct.pid` is the macro's `pid`, not `o->pid`.
 */
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { Members, arrayElemType } from '../core/btf/records';
import { skipModsAndTypedefs } from '../core/btf/resolve';
import { type Place, type Root, accessPlaces, declaredType, placeCovers, segmentAt, statementLines } from './c-access';
import { type LineGroup, type MemberAccess, type ReloOnLine, memberAccesses } from './lines';
import { findTypeByName } from './names';

export interface TokenAccess {
  group: LineGroup;
  relo: ReloOnLine;
  access: MemberAccess;
}

/** The places written on the statement around `line`, cached per text getter (one per document version). */
const placeCache = new WeakMap<(n: number) => string, Map<number, Place[]>>();

function placesAround(text: (n: number) => string, line: number): Place[] {
  let byLine = placeCache.get(text);
  if (!byLine) placeCache.set(text, (byLine = new Map()));
  let hit = byLine.get(line);
  if (!hit) {
    const [first, last] = statementLines(text, line);
    hit = accessPlaces(text, first, last);
    if (byLine.size > 256) byLine.clear();
    byLine.set(line, hit);
  }
  return hit;
}

/**
 * The member accesses of relocations on `line` that are written at (line, character): none when the
 * word there is not a member of any relocation's place (`o->pid`), even if a relocation names it.
 */
export function accessesAt(groups: LineGroup[], line: number, character: number, text: (n: number) => string): TokenAccess[] {
  if (!groups.length) return [];
  const places = placesAround(text, line);
  const at = segmentAt(places, line, character);
  if (!at) return [];
  const out: TokenAccess[] = [];
  for (const g of groups) {
    const btf = g.file.btf!;
    const roots = new Map<Place, (number | undefined)[]>();
    const rootsOf = (p: Place) => {
      let r = roots.get(p);
      if (!r) roots.set(p, (r = runRoots(btf, p, text, line)));
      return r;
    };
    for (const r of g.relos) {
      const accs = memberAccesses(btf, r);
      const acc = accs[at.seg];
      if (!acc || acc.name !== at.place.runs[at.run]!.segs[at.seg]!.name) continue;
      if (!runMatches(accs, at.place, at.run)) continue;
      const placesOf = writtenAt(btf, g, r, accs, places, line, rootsOf);
      if (placesOf.some((c) => c.place === at.place && c.run === at.run)) out.push({ group: g, relo: r, access: acc });
    }
  }
  return out;
}

/** The relocation's named members are the run's first members (a type without preserve_access_index ends it early). */
function runMatches(accs: MemberAccess[], p: Place, run: number): boolean {
  const segs = p.runs[run]!.segs;
  return accs.length > 0 && accs.length <= segs.length && accs.every((a, i) => a.name === segs[i]!.name);
}

/**
 * Where on the statement relocation `r` is written: of the runs with its names, those the line_info
 * column of its instruction points into (when it has one on this line), then those whose root is known
 * to be its root type, else those in CO-RE macro arguments, else all of them; never one whose root is
 * known to be another type.
 */
function writtenAt(
  btf: Btf, g: LineGroup, r: ReloOnLine, accs: MemberAccess[], places: Place[], line: number,
  rootsOf: (p: Place) => (number | undefined)[],
): { place: Place; run: number }[] {
  const root = skipModsAndTypedefs(btf, r.rec.typeId);
  let cands: { place: Place; run: number; known: boolean }[] = [];
  for (const place of places) {
    for (let k = 0; k < place.runs.length; k++) {
      if (!place.runs[k]!.segs.some((s) => s.line === line) || !runMatches(accs, place, k)) continue;
      const t = rootsOf(place)[k];
      if (t !== undefined && t !== root) continue;
      cands.push({ place, run: k, known: t !== undefined });
    }
  }
  const col = reloColumn(btf, g, r, line);
  if (col !== undefined) {
    const pointed = cands.filter((c) => placeCovers(c.place, line, col));
    if (pointed.length) cands = pointed;
  }
  if (cands.some((c) => c.known)) return cands.filter((c) => c.known);
  if (cands.some((c) => c.place.core)) return cands.filter((c) => c.place.core);
  return cands;
}

/** 0-based column of the line_info record covering the relocated instruction, when it is on `line` of this source. */
function reloColumn(btf: Btf, g: LineGroup, r: ReloOnLine, line: number): number | undefined {
  const li = g.prog.slots.lineOfSlot[r.slot];
  if (li === undefined || li < 0) return undefined;
  const rec = g.prog.section.lineInfo[li]!;
  if (rec.line - 1 !== line || rec.col <= 0 || !g.sources.includes(btf.str(rec.fileNameOff) ?? '')) return undefined;
  return rec.col - 1;
}

/**
 * The struct/union each run of a place is applied to, where the source tells: the root's declared or
 * cast type, then each run's last member followed through its pointer in the local BTF.
 */
function runRoots(btf: Btf, p: Place, text: (n: number) => string, line: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let cur = rootType(btf, p.root, text, line);
  for (const run of p.runs) {
    out.push(cur);
    // The next run is entered through `->`: this run's last member is a pointer (or an array of them).
    const m = cur === undefined ? undefined : lastMember(btf, cur, run.segs.map((s) => s.name));
    cur = m === undefined ? undefined : structOf(btf, m, true);
  }
  return out;
}

/** The type of the member reached by `names` from struct `id` (unresolved: the member's own type ID). */
function lastMember(btf: Btf, id: number, names: string[]): number | undefined {
  let t: number | undefined = id;
  for (const [i, n] of names.entries()) {
    if (t === undefined) return undefined;
    const m = memberType(btf, t, n);
    if (m === undefined || i === names.length - 1) return m;
    t = structOf(btf, m, false);
  }
  return undefined;
}

function rootType(btf: Btf, root: Root, text: (n: number) => string, line: number): number | undefined {
  let name: string;
  let keyword: 'struct' | 'union' | undefined;
  if (root.kind === 'type') {
    name = root.name;
    keyword = root.keyword;
  } else if (root.kind === 'var') {
    const d = declaredType(text, line, root.name);
    if (!d || d.stars !== (root.arrow ? 1 : 0)) return undefined;
    name = d.name;
    keyword = d.keyword;
  } else return undefined;
  const id = findTypeByName(btf, name, keyword);
  if (id === undefined) return undefined;
  const s = skipModsAndTypedefs(btf, id);
  const k = s > 0 ? btf.kind(s) : -1;
  return k === Kind.STRUCT || k === Kind.UNION ? s : undefined;
}

/**
 * The struct/union a member of type `id` leads to: through modifiers, typedefs and arrays, and when
 * `deref`, through exactly one pointer. undefined if it leads elsewhere.
 */
function structOf(btf: Btf, id: number, deref: boolean): number | undefined {
  let ptr = false;
  for (let i = 0; i < 32; i++) {
    id = skipModsAndTypedefs(btf, id);
    if (id <= 0) return undefined;
    const k = btf.kind(id);
    if (k === Kind.ARRAY) {
      id = arrayElemType(btf, id);
    } else if (k === Kind.PTR && deref && !ptr) {
      ptr = true;
      id = btf.sizeOrType(id);
    } else if (k === Kind.STRUCT || k === Kind.UNION) {
      return ptr === deref ? id : undefined;
    } else return undefined;
  }
  return undefined;
}

/** The type of member `name` of struct/union `id`, looking into anonymous members as C does. */
function memberType(btf: Btf, id: number, name: string, depth = 0): number | undefined {
  const members = new Members(btf, id);
  if (members.count === 0 || depth > 8) return undefined;
  for (let i = 0; i < members.count; i++) {
    const mname = members.name(i);
    const type = members.type(i);
    if (mname === name) return type;
    if (!mname) {
      const inner = structOf(btf, type, false);
      const found = inner === undefined ? undefined : memberType(btf, inner, name, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
