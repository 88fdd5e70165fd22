import { Kind } from '../btf/kinds';
import { type Side, sameStr } from './side';

/**
 * Quick structural checks that two types of two BTFs spell the same, for the common case of a type
 * that did not change: no C text is written and no name decoded. Each check implies the comparison
 * by C text finds nothing (it looks at all the text is made of: kinds, names, array lengths,
 * parameters); false only means "compare the text".
 */

/** Steps one check may take: beyond, say "not known equal" (hostile loops through prototypes end here). */
const BUDGET = 4096;

/** `a` of `sa` and `b` of `sb` spell the same (as a cast writes them). */
export function sameType(sa: Side, a: number, sb: Side, b: number): boolean {
  const budget = { left: BUDGET };
  return same(sa, a, sb, b, budget);
}

function same(sa: Side, a: number, sb: Side, b: number, budget: { left: number }): boolean {
  const ta = sa.t;
  const tb = sb.t;
  while (budget.left-- > 0) {
    const k = ta.kind(a);
    if (k !== tb.kind(b)) return false;
    switch (k) {
      case 0:
        return true;
      case Kind.INT: case Kind.FLOAT: case Kind.TYPEDEF:
        return sameStr(sa, ta.nameOff(a), sb, tb.nameOff(b));
      case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: {
        // Anonymous ones are `struct {...}` whatever they hold.
        const ea = ta.emptyStr(ta.nameOff(a));
        if (ea !== tb.emptyStr(tb.nameOff(b))) return false;
        return ea || sameStr(sa, ta.nameOff(a), sb, tb.nameOff(b));
      }
      case Kind.FWD:
        return ta.kflag(a) === tb.kflag(b) && sameStr(sa, ta.nameOff(a), sb, tb.nameOff(b));
      case Kind.PTR: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT:
        break;
      case Kind.TYPE_TAG:
        if (!sameStr(sa, ta.nameOff(a), sb, tb.nameOff(b))) return false;
        break;
      case Kind.ARRAY:
        if (ta.arrayLen(a) !== tb.arrayLen(b)) return false;
        a = ta.arrayType(a);
        b = tb.arrayType(b);
        continue;
      case Kind.FUNC_PROTO: {
        const n = ta.vlen(a);
        if (n !== tb.vlen(b)) return false;
        for (let i = 0; i < n; i++) {
          if (!sameStr(sa, ta.paramName(a, i), sb, tb.paramName(b, i))) return false;
          if (!same(sa, ta.paramType(a, i), sb, tb.paramType(b, i), budget)) return false;
        }
        break;
      }
      default:
        return false;
    }
    a = ta.third(a);
    b = tb.third(b);
  }
  return false;
}

/** Struct/union bodies with the same size and the same members (anonymous bodies inside alike). */
export function sameComposite(sa: Side, a: number, sb: Side, b: number, depth = 0): boolean {
  const ta = sa.t;
  const tb = sb.t;
  const n = ta.vlen(a);
  if (n !== tb.vlen(b) || ta.third(a) !== tb.third(b) || depth > 32) return false;
  for (let i = 0; i < n; i++) {
    if (ta.memberBitOffset(a, i) !== tb.memberBitOffset(b, i)) return false;
    if (ta.memberBitfieldSize(a, i) !== tb.memberBitfieldSize(b, i)) return false;
    if (!sameStr(sa, ta.memberName(a, i), sb, tb.memberName(b, i))) return false;
    const ma = ta.memberType(a, i);
    const mb = tb.memberType(b, i);
    if (!sameType(sa, ma, sb, mb)) return false;
    const ca = sa.anonComposite(ma);
    const cb = sb.anonComposite(mb);
    if ((ca === 0) !== (cb === 0)) return false;
    if (ca && !sameComposite(sa, ca, sb, cb, depth + 1)) return false;
  }
  return true;
}

/** Enums with the same enumerators, in the same order, of the same values and signedness. */
export function sameEnum(sa: Side, a: number, sb: Side, b: number): boolean {
  const ta = sa.t;
  const tb = sb.t;
  const n = ta.vlen(a);
  if (n !== tb.vlen(b) || ta.kind(a) !== tb.kind(b) || ta.kflag(a) !== tb.kflag(b)) return false;
  const words = ta.kind(a) === Kind.ENUM64 ? 3 : 2;
  for (let i = 0; i < n; i++) {
    const o = i * words * 4;
    if (!sameStr(sa, ta.u32(a, o), sb, tb.u32(b, o))) return false;
    for (let w = 1; w < words; w++) if (ta.u32(a, o + w * 4) !== tb.u32(b, o + w * 4)) return false;
  }
  return true;
}
