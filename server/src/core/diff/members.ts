import type { DiffDetail } from './model';
import type { Side } from './side';

/**
 * Struct and union bodies compared member by member. Members of anonymous structs and unions are
 * members of the type that holds them (C reaches them by name, so does CO-RE): a body is flattened
 * into leaves with absolute bit offsets, `u.a` for `a` inside the anonymous struct of member `u`.
 */

export interface Leaf {
  path: string;
  type: string;
  /** Bit offset from the start of the outermost type. */
  off: number;
  /** Bitfield width; 0 when not a bitfield. */
  bits: number;
}

/** Nesting of anonymous bodies followed; only hostile BTF nests deeper (or in a loop). */
const MAX_DEPTH = 32;

/** The members of struct/union `id`, anonymous bodies flattened (paths as the diff names them). */
export function leaves(s: Side, id: number): Leaf[] {
  const out: Leaf[] = [];
  const seen = new Set<string>();
  const walk = (id: number, base: number, prefix: string, depth: number): void => {
    const t = s.t;
    for (let i = 0, n = t.vlen(id); i < n; i++) {
      const type = t.memberType(id, i);
      const off = base + t.memberBitOffset(id, i);
      const nameOff = t.memberName(id, i);
      const anon = depth < MAX_DEPTH ? s.anonComposite(type) : 0;
      if (t.emptyStr(nameOff)) {
        if (anon) walk(anon, off, prefix, depth + 1);
        continue;
      }
      const path = prefix + t.str(nameOff);
      // C has no two members of one name; hostile BTF may: the first one counts.
      if (!seen.has(path)) {
        seen.add(path);
        out.push({ path, type: s.spell(type), off, bits: t.memberBitfieldSize(id, i) });
      }
      if (anon) walk(anon, off, `${path}.`, depth + 1);
    }
  };
  walk(id, 0, '', 0);
  return out;
}

/** Member `path` of struct/union `id` as the comparison names it (`u.a`), or undefined when it has none. */
export function memberLeaf(s: Side, id: number, path: string): Leaf | undefined {
  return leaves(s, id).find((l) => l.path === path);
}

/**
 * The differences between struct/union `a` of `sa` and `b` of `sb`: size, then for each old member
 * in order (type, offset, bitfield width, or renamed, or removed), then the members added. A rename
 * is a member gone and one new at the same bit offset with the same type and bitfield width.
 */
export function compareComposite(sa: Side, a: number, sb: Side, b: number, out: DiffDetail[]): void {
  const oldSize = sa.t.third(a);
  const newSize = sb.t.third(b);
  if (oldSize !== newSize) out.push({ what: 'size changed', old: oldSize, new: newSize });
  const la = leaves(sa, a);
  const lb = leaves(sb, b);
  const byPath = new Map<string, Leaf>();
  for (const l of lb) byPath.set(l.path, l);
  const paired = new Set<Leaf>();
  const gone: Leaf[] = [];
  for (const o of la) {
    const n = byPath.get(o.path);
    if (!n) {
      gone.push(o);
      continue;
    }
    paired.add(n);
  }
  const fresh = lb.filter((l) => !paired.has(l));
  const renamedTo = new Map<Leaf, Leaf>();
  for (const o of gone) {
    const n = fresh.find((f) => !paired.has(f) && f.off === o.off && f.bits === o.bits && f.type === o.type);
    if (n) {
      paired.add(n);
      renamedTo.set(o, n);
    }
  }
  for (const o of la) {
    const n = byPath.get(o.path);
    if (n) {
      if (o.type !== n.type) out.push({ what: 'field type changed', member: o.path, old: o.type, new: n.type });
      if (o.off !== n.off) out.push({ what: 'field moved', member: o.path, old: o.off, new: n.off });
      if (o.bits !== n.bits) out.push({ what: 'bitfield changed', member: o.path, old: o.bits, new: n.bits });
      continue;
    }
    const r = renamedTo.get(o);
    if (r) out.push({ what: 'field renamed', member: o.path, old: o.path, new: r.path });
    else out.push({ what: 'field removed', member: o.path, old: o.type });
  }
  for (const n of fresh) if (!paired.has(n)) out.push({ what: 'field added', member: n.path, new: n.type });
}
