/**
 * Name look-ups over BTF: per-Btf name → IDs (own types only; a chain is searched blob by blob), and the
 * workspace-wide symbol index behind Ctrl+T and btf/search: one sorted table of unique names, built
 * once per change, searched in (length, name) order so the best matches come first and the scan can stop.
 */
import type { Btf } from '../core/btf/btf';
import { KIND_NAMES, Kind, kindName } from '../core/btf/kinds';
import { BTF_KIND_NAMES, type BtfKindName } from '../protocol/requests';
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

/** A growable Uint32Array (plain arrays of 450k numbers cost twice the memory and a lot of GC). */
class U32List {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

/**
 * First half of the build: every named type of each file, one file at a time (so a build can pause
 * between files and let requests in). Names are deduplicated by their bytes in an open-addressing
 * table (FNV-1a): the ~450k names of a kernel and 4000 modules never become 450k JS strings, only one
 * joined string at the end (a Map of strings made the build several times slower, most of it GC).
 */
class NameCollector {
  /** Bytes of the unique names, back to back. */
  private pool = new Uint8Array(1 << 20);
  private poolLen = 0;
  readonly nameStart = new U32List();
  readonly nameLen = new U32List();
  private readonly nameHash = new U32List();
  /** Open addressing: name index + 1, 0 = empty. */
  private table = new Int32Array(1 << 16);
  /** A name holds a byte ≥ 0x80: the joined string is then decoded name by name as UTF-8. */
  nonAscii = false;
  readonly eName = new U32List();
  readonly eFile = new U32List();
  readonly eId = new U32List();
  readonly eKind = new U32List();
  // Names a module takes from the kernel's strings share their offset across all modules: those are
  // looked up once, through a typed array by offset into the base's strings (-2: not seen, -1: no name).
  private readonly baseCaches = new Map<Btf, Int32Array>();

  static all(files: readonly IndexedFile[]): NameCollector {
    const c = new NameCollector();
    for (let fi = 0; fi < files.length; fi++) c.addFile(fi, files[fi]!.btf);
    return c;
  }

  get count(): number {
    return this.nameLen.length;
  }

  /** Index of the name at `nameOff` (split semantics), -1 for none (empty, out of range, or holding a newline). */
  private nameIndexAt(btf: Btf, nameOff: number): number {
    let owner = btf;
    while (owner.base && nameOff < owner.startStrOff) owner = owner.base;
    let cache: Int32Array | undefined;
    const rel = nameOff - owner.startStrOff;
    if (owner !== btf) {
      cache = this.baseCaches.get(owner);
      if (!cache) this.baseCaches.set(owner, (cache = new Int32Array(owner.stringsLength).fill(-2)));
      const hit = rel < cache.length ? cache[rel]! : -2;
      if (hit !== -2) return hit;
    }
    const i = this.intern(owner, rel);
    if (cache && rel < cache.length) cache[rel] = i;
    return i;
  }

  private intern(owner: Btf, rel: number): number {
    if (rel >= owner.stringsLength) return -1;
    const bytes = owner.bytes;
    const from = owner.stringsStart + rel;
    const end = owner.stringsStart + owner.stringsLength;
    let h = 0x811c9dc5;
    let i = from;
    for (; i < end; i++) {
      const c = bytes[i]!;
      if (c === 0) break;
      if (c === 10) return -1; // '\n' separates names in the joined string
      if (c >= 0x80) this.nonAscii = true;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const len = i - from;
    if (len === 0) return -1;
    h >>>= 0;
    const table = this.table;
    const mask = table.length - 1;
    const pool = this.pool;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const t = table[slot]!;
      if (t === 0) break;
      const n = t - 1;
      if (this.nameHash.data[n] !== h || this.nameLen.data[n] !== len) continue;
      const at = this.nameStart.data[n]!;
      let k = 0;
      while (k < len && pool[at + k] === bytes[from + k]) k++;
      if (k === len) return n;
    }
    // New name: its bytes into the pool, its index into the table.
    if (this.poolLen + len > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolLen + len));
      grown.set(this.pool.subarray(0, this.poolLen));
      this.pool = grown;
    }
    const dst = this.pool;
    for (let k = 0, at = this.poolLen; k < len; k++) dst[at + k] = bytes[from + k]!; // no subarray per name
    const n = this.count;
    this.nameStart.push(this.poolLen);
    this.nameLen.push(len);
    this.nameHash.push(h);
    this.poolLen += len;
    this.insert(n, h);
    if (this.count * 2 > this.table.length) this.grow();
    return n;
  }

  private insert(n: number, h: number): void {
    const mask = this.table.length - 1;
    let slot = h & mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & mask;
    this.table[slot] = n + 1;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let n = 0; n < this.count; n++) this.insert(n, this.nameHash.data[n]!);
  }

  addFile(fi: number, btf: Btf | undefined): void {
    if (!btf) return;
    // Own types only, by kind and name offset: no type is inflated, no name decoded.
    for (let id = btf.startId, end = btf.typeCount; id < end; id++) {
      const kind = btf.kind(id);
      if (!isNamedKind(kind)) continue;
      const nameOff = btf.nameOff(id);
      if (nameOff === 0) continue;
      const i = this.nameIndexAt(btf, nameOff);
      if (i < 0) continue;
      this.eName.push(i);
      this.eFile.push(fi);
      this.eId.push(id);
      this.eKind.push(kind);
    }
  }

  /**
   * The names ordered by length (a counting sort, stable: first seen first, the kernel's before the
   * workspace's), joined with '\n' (and one after the last): each name's rank, the joined string and
   * where each rank starts in it. Sorting by name as well would cost more than the rest of the build;
   * answers are put in (length, name) order when returned instead.
   */
  finish(): { rankOf: Uint32Array; joined: string; starts: Uint32Array } {
    this.baseCaches.clear();
    this.table = new Int32Array(0);
    const count = this.count;
    const lens = this.nameLen.data;
    let maxLen = 0;
    for (let i = 0; i < count; i++) if (lens[i]! > maxLen) maxLen = lens[i]!;
    const counts = new Uint32Array(maxLen + 2);
    for (let i = 0; i < count; i++) counts[lens[i]! + 1]!++;
    for (let l = 1; l < counts.length; l++) counts[l]! += counts[l - 1]!;
    const rankOf = new Uint32Array(count);
    const byRank = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const r = counts[lens[i]!]!++;
      rankOf[i] = r;
      byRank[r] = i;
    }
    const starts = new Uint32Array(count + 1);
    const pool = this.pool;
    if (!this.nonAscii) {
      // One byte per character: the joined bytes decode in one call, and byte offsets are string offsets.
      const out = Buffer.allocUnsafe(this.poolLen + count);
      let pos = 0;
      for (let r = 0; r < count; r++) {
        const i = byRank[r]!;
        starts[r] = pos;
        const at = this.nameStart.data[i]!;
        for (let k = 0, len = lens[i]!; k < len; k++) out[pos++] = pool[at + k]!;
        out[pos++] = 10;
      }
      starts[count] = pos;
      return { rankOf, joined: out.toString('latin1', 0, pos), starts };
    }
    const utf8 = new TextDecoder();
    const parts: string[] = new Array<string>(count);
    let pos = 0;
    for (let r = 0; r < count; r++) {
      const i = byRank[r]!;
      const at = this.nameStart.data[i]!;
      parts[r] = utf8.decode(pool.subarray(at, at + lens[i]!));
      starts[r] = pos;
      pos += parts[r]!.length + 1;
    }
    starts[count] = pos;
    return { rankOf, joined: parts.join('\n') + '\n', starts };
  }
}

/**
 * Every named type of every indexed BTF, kept compact because the kernel plus 4000 modules hold
 * ~450k of them: the unique names live in two joined strings (as spelled, and lower-cased for the
 * search) and the types in typed arrays grouped by name. Groups (identical types across files) are
 * formed only for the names a search returns.
 */
export class SymbolIndex {
  /** Unique names sorted by length, joined with '\n' (and one after the last). */
  private joined = '';
  /** The same, lower-cased: substring search is one native indexOf. */
  private haystack = '';
  /** Start of each name in the joined strings (and one past the end). */
  private starts: Uint32Array = new Uint32Array(1);
  /** Types of name i are entries [entryStart[i], entryStart[i+1]): file index, type ID, kind. */
  private entryStart: Uint32Array = new Uint32Array(1);
  private entryFile: Uint32Array = new Uint32Array(0);
  private entryId: Uint32Array = new Uint32Array(0);
  private entryKind: Uint8Array = new Uint8Array(0);
  private readonly files: readonly IndexedFile[];
  /** Groups of recently returned names (bounded). */
  private groupCache = new Map<number, SymbolGroup[]>();
  /** Number of named types indexed. */
  readonly size: number;

  /** Builds the table in one go (blocks for the whole build: see `build` for the incremental way). */
  constructor(files: readonly IndexedFile[], collected?: NameCollector) {
    this.files = files;
    const c = collected ?? NameCollector.all(files);
    const { eName, eFile, eId, eKind } = c;
    this.size = eName.length;
    const { rankOf, joined, starts } = c.finish();
    const count = c.count;
    this.starts = starts;
    this.joined = joined;
    // Lower-casing must keep every offset (a few non-ASCII letters grow when lower-cased): ASCII only then.
    const lower = this.joined.toLowerCase();
    this.haystack = lower.length === this.joined.length ? lower : this.joined.replace(/[A-Z]+/g, (x) => x.toLowerCase());
    // Entries grouped by name rank (counting sort keeps file order within a name: kernel first).
    const n = eName.length;
    const entryStart = new Uint32Array(count + 1);
    for (let e = 0; e < n; e++) entryStart[rankOf[eName.data[e]!]! + 1]!++;
    for (let r = 1; r <= count; r++) entryStart[r]! += entryStart[r - 1]!;
    const fill = entryStart.slice(0, count);
    this.entryFile = new Uint32Array(n);
    this.entryId = new Uint32Array(n);
    this.entryKind = new Uint8Array(n);
    for (let e = 0; e < n; e++) {
      const at = fill[rankOf[eName.data[e]!]!]!++;
      this.entryFile[at] = eFile.data[e]!;
      this.entryId[at] = eId.data[e]!;
      this.entryKind[at] = eKind.data[e]!;
    }
    this.entryStart = entryStart;
  }

  private maskCache: Uint32Array | undefined;
  /** Per name, which characters it holds (see charMask): built on the first fuzzy search. */
  private masks(): Uint32Array {
    if (this.maskCache) return this.maskCache;
    const m = new Uint32Array(this.nameCount);
    for (let r = 0; r < m.length; r++) m[r] = charMask(this.haystack, this.starts[r]!, this.starts[r + 1]! - 1);
    return (this.maskCache = m);
  }

  /**
   * Builds the table a file at a time, pausing (a turn of the event loop) every `sliceMs` of work so
   * requests are answered during a build over thousands of modules. `files` must stay as given until it resolves.
   */
  static async build(files: readonly IndexedFile[], sliceMs = 20): Promise<SymbolIndex> {
    const c = new NameCollector();
    let t = performance.now();
    for (let fi = 0; fi < files.length; fi++) {
      c.addFile(fi, files[fi]!.btf);
      if (performance.now() - t > sliceMs) {
        await new Promise((r) => setImmediate(r));
        t = performance.now();
      }
    }
    return new SymbolIndex(files, c);
  }

  /** Number of unique names. */
  get nameCount(): number {
    return this.starts.length - 1;
  }

  private nameOf(r: number): string {
    return this.joined.slice(this.starts[r]!, this.starts[r + 1]! - 1);
  }

  /** The groups of name r: types of one kind and shape across files, the most widespread first. */
  private groupsOf(r: number): SymbolGroup[] {
    const hit = this.groupCache.get(r);
    if (hit) return hit;
    const name = this.nameOf(r);
    const groups: (SymbolGroup & { sig?: string })[] = [];
    for (let e = this.entryStart[r]!, end = this.entryStart[r + 1]!; e < end; e++) {
      const f = this.files[this.entryFile[e]!]!;
      const id = this.entryId[e]!;
      const kind = this.entryKind[e]!;
      let sig: string | undefined;
      let joined = false;
      for (const g of groups) {
        if (g.kind !== kind) continue;
        g.sig ??= signature(g.files[0]!.btf!, g.ids[0]!, kind);
        sig ??= signature(f.btf!, id, kind);
        if (g.sig !== sig) continue;
        if (g.files[g.files.length - 1] !== f) {
          g.files.push(f);
          g.ids.push(id);
        }
        joined = true;
        break;
      }
      if (!joined) groups.push(sig === undefined ? { name, kind, files: [f], ids: [id] } : { name, kind, files: [f], ids: [id], sig });
    }
    const out: SymbolGroup[] = groups
      .sort((a, b) => b.files.length - a.files.length)
      .map(({ name: n, kind, files, ids }) => ({ name: n, kind, files, ids }));
    if (this.groupCache.size > 4096) this.groupCache.clear();
    this.groupCache.set(r, out);
    return out;
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

  /** True when name r has an entry of one of `kinds` (all when undefined). */
  private hasKind(r: number, kinds: ReadonlySet<number> | undefined): boolean {
    if (!kinds) return true;
    for (let e = this.entryStart[r]!, end = this.entryStart[r + 1]!; e < end; e++) if (kinds.has(this.entryKind[e]!)) return true;
    return false;
  }

  /** Ranked matches: prefix > word start > substring > fuzzy; within a tier shorter names first. */
  search(query: string, limit: number, kinds?: ReadonlySet<number>): SymbolMatch[] {
    const q = query.toLowerCase().replace(/\s+/g, '');
    const tiers: SymbolMatch[][] = [[], [], [], []];
    const add = (r: number, tier: number) => {
      if (!this.hasKind(r, kinds)) return;
      for (const g of this.groupsOf(r)) {
        if (kinds && !kinds.has(g.kind)) continue;
        tiers[tier]!.push({ group: g, tier });
      }
    };
    const hay = this.haystack;
    const count = this.nameCount;
    if (q.length === 0) {
      for (let r = 0; r < count && tiers[0]!.length < limit; r++) add(r, 0);
      return tiers[0]!.slice(0, limit);
    }
    const full = () => tiers[0]!.length + tiers[1]!.length + tiers[2]!.length + tiers[3]!.length >= limit;
    const matched = new Set<number>();
    // 1. Prefixes: a name starts after a '\n' (or at 0), in (length, name) order; the first `limit` are the best.
    const nq = `\n${q}`;
    const nextPrefix = (from: number) => {
      const i = hay.indexOf(nq, from);
      return i < 0 ? -1 : i + 1;
    };
    for (let p = hay.startsWith(q) ? 0 : nextPrefix(0); p >= 0 && tiers[0]!.length < limit; p = nextPrefix(p)) {
      const r = this.nameAt(p);
      matched.add(r);
      add(r, 0);
    }
    // 2. Word starts and other substrings: one native scan; stops once the first two tiers fill the answer.
    let last = -1;
    for (let at = full() ? -1 : hay.indexOf(q); at >= 0; at = hay.indexOf(q, at + 1)) {
      const r = this.nameAt(at);
      if (r === last || matched.has(r)) continue;
      last = r;
      matched.add(r);
      // Later occurrences in the same name may be better (a word start after a plain substring).
      const tier = wordStartMatch(this.joined, hay, q, at, this.starts[r + 1]! - 1) ? 1 : 2;
      if (tier === 1 || tiers[0]!.length + tiers[1]!.length + tiers[2]!.length < limit) add(r, tier);
      if (tiers[0]!.length + tiers[1]!.length >= limit) break;
    }
    // 3. Fuzzy: the query's characters in order within one name. A per-name letter mask rejects most
    // names without looking at them; names come in (length, name) order, so the first found are the shortest.
    if (!full() && q.length > 1) {
      const need = charMask(q, 0, q.length);
      const masks = this.masks();
      for (let r = 0; r < count && !full(); r++) {
        if ((masks[r]! & need) !== need || matched.has(r)) continue;
        if (isSubsequence(hay, this.starts[r]!, this.starts[r + 1]! - 1, q)) add(r, 3);
      }
    }
    const out: SymbolMatch[] = [];
    const byLengthName = (a: SymbolMatch, b: SymbolMatch) => {
      const x = a.group.name;
      const y = b.group.name;
      return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
    };
    for (const t of tiers) for (const m of t.sort(byLengthName)) if (out.length < limit) out.push(m);
    return out;
  }
}

/** Bits for the characters of s[from, to): a–z one each, digits, '_' and the rest one bit per class. */
function charMask(s: string, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) m |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) m |= 1 << 26;
    else if (c === 95) m |= 1 << 27;
    else m |= 1 << 28;
  }
  return m;
}

/** True when q's characters occur in order within s[from, to). */
function isSubsequence(s: string, from: number, to: number, q: string): boolean {
  let j = 0;
  for (let i = from; i < to && j < q.length; i++) if (s.charCodeAt(i) === q.charCodeAt(j)) j++;
  return j === q.length;
}

/** A match at a word start: after `_` or `.`, a digit/letter change, or a lower→upper case hump (`first` and `end` index the joined strings). */
function wordStartMatch(orig: string, lower: string, q: string, first: number, end: number): boolean {
  for (let at = first; at >= 0 && at + q.length <= end; at = lower.indexOf(q, at + 1)) {
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

// The protocol's kind names are the core's, in the same order: a compile error otherwise.
const sameKindNames: typeof KIND_NAMES = BTF_KIND_NAMES satisfies typeof KIND_NAMES;
void sameKindNames;

export function kindNameOf(kind: number): BtfKindName {
  return kindName(kind);
}

/** Kind names → kind numbers (for filters). */
export function kindSet(names: readonly string[] | undefined): Set<number> | undefined {
  if (!names?.length) return undefined;
  return new Set(names.map((n) => (KIND_NAMES as readonly string[]).indexOf(n)).filter((k) => k >= 0));
}
