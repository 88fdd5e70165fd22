import { Kind } from '../btf/kinds';
import type { DiffDetail } from './model';
import type { Side } from './side';

/** Enumerators by name: ENUM values as numbers, ENUM64 values as decimal strings (they need 64 bits). */

export function enumValues(s: Side, id: number): Map<string, number | string> {
  const t = s.t;
  const out = new Map<string, number | string>();
  const is64 = t.kind(id) === Kind.ENUM64;
  const signed = t.kflag(id);
  for (let i = 0, n = t.vlen(id); i < n; i++) {
    const name = t.str(t.u32(id, is64 ? i * 12 : i * 8));
    if (out.has(name)) continue;
    if (!is64) {
      out.set(name, signed ? t.i32(id, i * 8 + 4) : t.u32(id, i * 8 + 4));
      continue;
    }
    const v = (BigInt(t.u32(id, i * 12 + 8)) << 32n) | BigInt(t.u32(id, i * 12 + 4));
    out.set(name, (signed ? BigInt.asIntN(64, v) : v).toString());
  }
  return out;
}

/** Old enumerators in order (changed or removed), then the new ones. */
export function compareEnum(sa: Side, a: number, sb: Side, b: number, out: DiffDetail[]): void {
  const va = enumValues(sa, a);
  const vb = enumValues(sb, b);
  for (const [name, v] of va) {
    const w = vb.get(name);
    if (w === undefined) out.push({ what: 'value removed', member: name, old: v });
    else if (w !== v) out.push({ what: 'value changed', member: name, old: v, new: w });
  }
  for (const [name, w] of vb) if (!va.has(name)) out.push({ what: 'value added', member: name, new: w });
}
