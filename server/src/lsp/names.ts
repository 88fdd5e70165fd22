/**
 * Name look-ups over BTF: per-Btf name → IDs (own types only; a chain is searched blob by blob), and the
 * workspace-wide symbol index behind Ctrl+T and btf/search: one sorted table of unique names, built
 * once per change, searched in (length, name) order so the best matches come first and the scan can stop.
 */
import type { Btf } from '../core/btf/btf';
import { Kind, kindName } from '../core/btf/kinds';
import type { BtfKindName } from '../protocol/requests';
import type { IndexedFile } from './model';
import { isNamedKind } from './workspace';

const ownNames = new WeakMap<Btf, Map<string, number[]>>();

/** name → own type IDs of this blob (named kinds only). Built on first use. */
export function namesOf(btf: Btf): Map<string, number[]> {
  let m = ownNames.get(btf);
  if (m) return m;
  m = new Map();
  for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
    if (!isNamedKind(btf.kind(id))) continue;
    const n = btf.name(id);
    if (!n) continue;
    const list = m.get(n);
    if (list) list.push(id);
    else m.set(n, [id]);
  }
  ownNames.set(btf, m);
  return m;
}

export type TagKeyword = 'struct' | 'union' | 'enum' | undefined;

/**
 * The type named `name` in the chain of `btf` (own types first, then bases): with a keyword, a
 * struct/union/enum of that kind; without, a typedef first, then any named type. Full definitions win
 * over forward declarations.
 */
export function findTypeByName(btf: Btf, name: string, keyword?: TagKeyword): number | undefined {
  for (let b: Btf | undefined = btf; b; b = b.base) {
    const ids = namesOf(b).get(name);
    if (!ids) continue;
    const rank = (id: number): number => {
      const k = b!.kind(id);
      if (keyword === 'struct') return k === Kind.STRUCT ? 0 : k === Kind.FWD && !b!.kflag(id) ? 1 : 9;
      if (keyword === 'union') return k === Kind.UNION ? 0 : k === Kind.FWD && b!.kflag(id) ? 1 : 9;
      if (keyword === 'enum') return k === Kind.ENUM || k === Kind.ENUM64 ? 0 : 9;
      switch (k) {
        case Kind.TYPEDEF: return 0;
        case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: return 1;
        case Kind.INT: case Kind.FLOAT: return 2;
        case Kind.FWD: return 3;
        case Kind.FUNC: case Kind.VAR: return 4;
        default: return 8;
      }
    };
    let best: number | undefined;
    let bestRank = 9;
    for (const id of ids) {
      const r = rank(id);
      if (r < bestRank) {
        best = id;
        bestRank = r;
      }
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

// ---- workspace symbol index ----

export interface SymbolGroup {
  name: string;
  kind: number;
  /** Files defining it (identical by name, kind and shape), first one is where the hit points. */
  files: IndexedFile[];
  ids: number[];
  /** Shape signature, computed when a second type of this name and kind shows up. */
  sig?: string;
}

export interface SymbolMatch {
  group: SymbolGroup;
  /** 0 prefix, 1 word start, 2 substring, 3 fuzzy. */
  tier: number;
}

/** A cheap shape signature: identical types in many files share it, different ones (mostly) do not. */
function signature(btf: Btf, id: number, kind: number): string {
  switch (kind) {
    case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: case Kind.INT: case Kind.FLOAT: case Kind.DATASEC:
      return `${btf.sizeOrType(id)}/${btf.vlen(id)}`;
    case Kind.FWD:
      return btf.kflag(id) ? 'u' : 's';
    case Kind.FUNC: {
      const proto = btf.sizeOrType(id);
      return `${btf.vlen(proto)}/${btf.name(btf.sizeOrType(proto))}`;
    }
    case Kind.TYPEDEF: case Kind.VAR: {
      const t = btf.sizeOrType(id);
      return `${btf.kind(t)}/${btf.name(t)}`;
    }
    default:
      return '';
  }
}

export class SymbolIndex {
  /** Unique names sorted by (length, name). */
  private names: string[] = [];
  /** All names lower-cased, in that order, each followed by '\n': substring search is one native indexOf. */
  private haystack = '';
  /** Start of each name in the haystack (and one past the end). */
  private starts: Uint32Array = new Uint32Array(1);
  private groupsByName: SymbolGroup[][] = [];
  readonly size: number;

  constructor(files: readonly IndexedFile[]) {
    const nameIdx = new Map<string, number>();
    const groups: SymbolGroup[][] = [];
    const names: string[] = [];
    let size = 0;
    for (const f of files) {
      const btf = f.btf;
      if (!btf) continue;
      // Read the wire directly (own types only) and decode each distinct name offset once: BTF
      // deduplicates strings, so equal names share an offset within a blob.
      const v = btf.view;
      const byOff = new Map<number, number>();
      for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
        const off = btf.typeOffset(id);
        const kind = (v.u32(off + 4) >>> 24) & 0x7f;
        if (!isNamedKind(kind)) continue;
        const nameOff = v.u32(off);
        if (nameOff === 0) continue;
        size++;
        let i = byOff.get(nameOff);
        let name: string;
        if (i !== undefined) name = names[i]!;
        else {
          name = btf.str(nameOff) ?? '';
          if (!name) continue;
          i = nameIdx.get(name);
          if (i !== undefined) byOff.set(nameOff, i);
        }
        if (i === undefined) {
          nameIdx.set(name, (i = names.length));
          byOff.set(nameOff, i);
          names.push(name);
          groups.push([{ name, kind, files: [f], ids: [id] }]);
          continue;
        }
        // Same name seen before: group with an identical type (same kind and shape) from another file.
        const list = groups[i]!;
        let sig: string | undefined;
        let joined = false;
        for (const g of list) {
          if (g.kind !== kind) continue;
          g.sig ??= signature(g.files[0]!.btf!, g.ids[0]!, kind);
          sig ??= signature(btf, id, kind);
          if (g.sig !== sig) continue;
          if (g.files[g.files.length - 1] !== f) {
            g.files.push(f);
            g.ids.push(id);
          }
          joined = true;
          break;
        }
        if (!joined) list.push(sig === undefined ? { name, kind, files: [f], ids: [id] } : { name, kind, files: [f], ids: [id], sig });
      }
    }
    this.size = size;
    // Sort by (length, name): native sort by name, then a stable counting sort by length.
    const order = [...names].sort().map((n) => nameIdx.get(n)!);
    let maxLen = 0;
    for (const n of names) if (n.length > maxLen) maxLen = n.length;
    const counts = new Uint32Array(maxLen + 2);
    for (const n of names) counts[n.length + 1]!++;
    for (let l = 1; l < counts.length; l++) counts[l]! += counts[l - 1]!;
    const sorted = new Array<number>(names.length);
    for (const i of order) sorted[counts[names[i]!.length]!++] = i;
    this.names = sorted.map((i) => names[i]!);
    this.groupsByName = sorted.map((i) => groups[i]!.sort((a, b) => b.files.length - a.files.length));
    const starts = new Uint32Array(this.names.length + 1);
    let pos = 0;
    for (let i = 0; i < this.names.length; i++) {
      starts[i] = pos;
      pos += this.names[i]!.length + 1;
    }
    starts[this.names.length] = pos;
    this.starts = starts;
    this.haystack = this.names.join('\n').toLowerCase() + '\n';
  }

  /** The name whose haystack span contains `pos`. */
  private nameAt(pos: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Ranked matches: prefix > word start > substring > fuzzy; within a tier shorter names first. */
  search(query: string, limit: number, kinds?: ReadonlySet<number>): SymbolMatch[] {
    const q = query.toLowerCase().replace(/\s+/g, '');
    const tiers: SymbolMatch[][] = [[], [], [], []];
    const add = (i: number, tier: number) => {
      for (const g of this.groupsByName[i]!) {
        if (kinds && !kinds.has(g.kind)) continue;
        tiers[tier]!.push({ group: g, tier });
      }
    };
    const hay = this.haystack;
    if (q.length === 0) {
      for (let i = 0; i < this.names.length && tiers[0]!.length < limit; i++) add(i, 0);
      return tiers[0]!.slice(0, limit);
    }
    // Substring matches, in (length, name) order: one native scan of the haystack.
    const matched = new Set<number>();
    let last = -1;
    for (let at = hay.indexOf(q); at >= 0; at = hay.indexOf(q, at + 1)) {
      const i = this.nameAt(at);
      if (i === last) continue;
      const start = this.starts[i]!;
      // Later occurrences in the same name may be better (a word start after a plain substring).
      let tier = at === start ? 0 : 2;
      if (tier === 2 && wordStartMatch(this.names[i]!, hay.slice(start, this.starts[i + 1]! - 1), q, at - start)) tier = 1;
      last = i;
      matched.add(i);
      if (tiers[tier]!.length < limit) add(i, tier);
      if (tiers[0]!.length >= limit) break;
    }
    const have = tiers[0]!.length + tiers[1]!.length + tiers[2]!.length;
    if (have < limit && q.length > 1) {
      // Fuzzy: the query's characters in order within one name.
      const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const re = new RegExp(q.split('').map(esc).join('[^\n]*?'), 'g');
      let m: RegExpExecArray | null;
      while ((m = re.exec(hay)) && tiers[3]!.length < limit - have) {
        const i = this.nameAt(m.index);
        if (!matched.has(i)) {
          matched.add(i);
          add(i, 3);
        }
        re.lastIndex = this.starts[i + 1]!; // next name
      }
      tiers[3]!.sort((a, b) => a.group.name.length - b.group.name.length);
    }
    const out: SymbolMatch[] = [];
    for (const t of tiers) for (const m of t) if (out.length < limit) out.push(m);
    return out;
  }
}

/** A match at a word start: after `_`, a digit/letter change, or a lower→upper case hump. */
function wordStartMatch(orig: string, lower: string, q: string, first: number): boolean {
  for (let at = first; at >= 0; at = lower.indexOf(q, at + 1)) {
    const prev = orig.charCodeAt(at - 1);
    const cur = orig.charCodeAt(at);
    if (prev === 95 /* _ */ || prev === 46 /* . */) return true;
    const prevUpper = prev >= 65 && prev <= 90;
    const curUpper = cur >= 65 && cur <= 90;
    if (curUpper && !prevUpper) return true;
    const prevDigit = prev >= 48 && prev <= 57;
    const curDigit = cur >= 48 && cur <= 57;
    if (prevDigit !== curDigit) return true;
  }
  return false;
}

export function kindNameOf(kind: number): BtfKindName {
  return kindName(kind) as BtfKindName;
}

/** Kind names → kind numbers (for filters). */
export function kindSet(names: readonly string[] | undefined): Set<number> | undefined {
  if (!names?.length) return undefined;
  const all = ['UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT',
    'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64'];
  return new Set(names.map((n) => all.indexOf(n)).filter((k) => k >= 0));
}
