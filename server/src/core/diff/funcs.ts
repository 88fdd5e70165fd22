import { FUNC_LINKAGE, Kind } from '../btf/kinds';
import type { DiffDetail } from './model';
import type { Side } from './side';

/**
 * Functions compared through their prototypes: linkage, return type, then parameters by name
 * (`#N` for an unnamed one at index N; a trailing `...` is an unnamed parameter of type `...`).
 */

interface Param {
  key: string;
  type: string;
  index: number;
}

export function linkageName(linkage: number): string {
  return FUNC_LINKAGE[linkage] ?? String(linkage);
}

/** The prototype of FUNC `id`, or 0 when it refers to something else (only hostile BTF does). */
function protoOf(s: Side, id: number): number {
  const p = s.t.third(id);
  return s.t.kind(p) === Kind.FUNC_PROTO ? p : 0;
}

function params(s: Side, proto: number): Param[] {
  const t = s.t;
  const out: Param[] = [];
  const seen = new Set<string>();
  for (let i = 0, n = proto ? t.vlen(proto) : 0; i < n; i++) {
    const nameOff = t.paramName(proto, i);
    const type = t.paramType(proto, i);
    const key = t.emptyStr(nameOff) ? `#${i}` : t.str(nameOff);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, type: i === n - 1 && type === 0 ? '...' : s.spell(type), index: i });
  }
  return out;
}

/**
 * The differences between FUNC `a` of `sa` and FUNC `b` of `sb`. A parameter is reordered when its
 * place among the parameters both have differs (one added in front moves none); renamed when one
 * is gone and one new sits at the same index with the same type.
 */
export function compareFunc(sa: Side, a: number, sb: Side, b: number, out: DiffDetail[]): void {
  const la = sa.t.vlen(a);
  const lb = sb.t.vlen(b);
  if (la !== lb) out.push({ what: 'linkage changed', old: linkageName(la), new: linkageName(lb) });
  const pa = protoOf(sa, a);
  const pb = protoOf(sb, b);
  // Same prototype text (parameter names included): nothing else to see.
  if (sa.spell(pa) === sb.spell(pb) && pa && pb) return;
  const ra = sa.spell(pa ? sa.t.third(pa) : 0);
  const rb = sb.spell(pb ? sb.t.third(pb) : 0);
  if (ra !== rb) out.push({ what: 'return type changed', old: ra, new: rb });
  const qa = params(sa, pa);
  const qb = params(sb, pb);
  const byKey = new Map<string, Param>();
  for (const q of qb) byKey.set(q.key, q);
  const inOld = new Set(qa.map((q) => q.key));
  // Rank among the parameters both sides have.
  const rankOld = new Map<string, number>();
  const rankNew = new Map<string, number>();
  for (const q of qa) if (byKey.has(q.key)) rankOld.set(q.key, rankOld.size);
  for (const q of qb) if (inOld.has(q.key)) rankNew.set(q.key, rankNew.size);
  const fresh = qb.filter((q) => !inOld.has(q.key));
  const taken = new Set<Param>();
  for (const o of qa) {
    const n = byKey.get(o.key);
    if (n) {
      if (o.type !== n.type) out.push({ what: 'param type changed', member: o.key, old: o.type, new: n.type });
      if (rankOld.get(o.key) !== rankNew.get(o.key)) out.push({ what: 'param reordered', member: o.key, old: o.index, new: n.index });
      continue;
    }
    const r = fresh.find((f) => !taken.has(f) && f.index === o.index && f.type === o.type);
    if (r) {
      taken.add(r);
      out.push({ what: 'param renamed', member: o.key, old: o.key, new: r.key });
    } else {
      out.push({ what: 'param removed', member: o.key, old: o.type });
    }
  }
  for (const n of fresh) if (!taken.has(n)) out.push({ what: 'param added', member: n.key, new: n.type });
}
