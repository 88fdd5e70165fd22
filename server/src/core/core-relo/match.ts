import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import { CoreReloKind, coreReloKindStr, isEnumvalBased, isFieldBased, isTypeBased } from './spec';
import {
  ERRNO, type TypeView, essentialNameLen, isAnyEnum, isComposite, kindCoreCompat, resolveSize, skipMods,
} from './types';

/**
 * libbpf 1.1.2's CO-RE matching (relo_core.c): the access spec of a relocation against the local BTF,
 * matched against a target type, and the type-compatibility relations behind it. Functions return
 * libbpf's values: 1 (match), 0 (no match) or a negative errno.
 */

const SPEC_MAX_LEN = 64;
const INT_SIGNED = 1;

export interface Accessor {
  typeId: number;
  idx: number;
  /** Member or enumerator name; null for array indexing. */
  name: string | null;
}

/** struct bpf_core_spec: the low-level (raw) and high-level (accessors) access path and its bit offset. */
export interface Spec {
  tv: TypeView;
  rootId: number;
  kind: number;
  raw: number[];
  acc: Accessor[];
  /** u32, as libbpf keeps it */
  bitOffset: number;
}

/** A log line sink: libbpf's pr_warn/pr_debug with the `libbpf: ` prefix left off. */
export type Logger = (level: 'warn' | 'debug', text: string) => void;

export function newSpec(tv: TypeView, rootId: number, kind: number): Spec {
  return { tv, rootId, kind, raw: [], acc: [], bitOffset: 0 };
}

const mul32 = (a: number, b: number) => Math.imul(a, b) >>> 0;

/** is_flex_arr: a zero-length array that is the last member of the struct the accessor names. */
function isFlexArr(tv: TypeView, acc: Accessor | undefined, nelems: number): boolean {
  if (!acc || acc.name === null || nelems > 0) return false;
  return acc.idx === tv.vlen(acc.typeId) - 1;
}

/**
 * sscanf("%d%n") over the access string: optional whitespace and sign, digits. Returns the value
 * (as a C int after glibc's strtol clamping) and the characters consumed, or undefined.
 */
function scanInt(s: string, pos: number): { value: number; end: number } | undefined {
  let p = pos;
  while (p < s.length && ' \t\n\v\f\r'.includes(s[p]!)) p++;
  let neg = false;
  if (s[p] === '+' || s[p] === '-') {
    neg = s[p] === '-';
    p++;
  }
  const start = p;
  while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
  if (p === start) return undefined;
  let v = BigInt(s.slice(start, p));
  if (neg) v = -v;
  const LMAX = (1n << 63n) - 1n;
  if (v > LMAX) v = LMAX;
  if (v < -LMAX - 1n) v = -LMAX - 1n;
  return { value: Number(BigInt.asIntN(32, v)), end: p };
}

/**
 * bpf_core_parse_spec. `access` is the access string (undefined when its offset is invalid).
 * Returns 0 or a negative errno; `spec` holds what was parsed.
 */
export function parseSpec(tv: TypeView, typeId: number, access: string | undefined, kind: number, spec: Spec, progName: string, log: Logger): number {
  if (!access || access[0] === ':') return -ERRNO.EINVAL;
  if (isTypeBased(kind)) return access === '0' ? 0 : -ERRNO.EINVAL;

  let p = 0;
  while (p < access.length) {
    if (access[p] === ':') p++;
    const r = scanInt(access, p);
    if (!r) return -ERRNO.EINVAL;
    // libbpf 1.1.2 takes negative indices and then reads out of bounds; we refuse them.
    if (r.value < 0) return -ERRNO.EINVAL;
    if (spec.raw.length === SPEC_MAX_LEN) return -ERRNO.E2BIG;
    p = r.end;
    spec.raw.push(r.value);
  }
  if (spec.raw.length === 0) return -ERRNO.EINVAL;

  let id = skipMods(tv, typeId);
  if (id < 0) return -ERRNO.EINVAL;
  let idx = spec.raw[0]!;
  spec.acc.push({ typeId: id, idx, name: null });

  if (isEnumvalBased(kind)) {
    const k = tv.kind(id);
    if (!isAnyEnum(k) || spec.raw.length > 1 || idx >= tv.vlen(id)) return -ERRNO.EINVAL;
    spec.acc[0]!.name = tv.str(tv.enumNameOff(id, idx)) ?? '';
    return 0;
  }
  if (!isFieldBased(kind)) return -ERRNO.EINVAL;

  let sz = resolveSize(tv, id);
  if (sz < 0) return sz;
  spec.bitOffset = mul32(mul32(idx, sz), 8);

  for (let i = 1; i < spec.raw.length; i++) {
    id = skipMods(tv, id);
    if (id < 0) return -ERRNO.EINVAL;
    idx = spec.raw[i]!;
    const k = tv.kind(id);
    if (isComposite(k)) {
      if (idx >= tv.vlen(id)) return -ERRNO.EINVAL;
      spec.bitOffset = (spec.bitOffset + tv.memberBitOffset(id, idx)) >>> 0;
      const nameOff = tv.memberNameOff(id, idx);
      if (nameOff) {
        const name = tv.str(nameOff);
        if (!name) return -ERRNO.EINVAL;
        spec.acc.push({ typeId: id, idx, name });
      }
      id = tv.memberType(id, idx);
    } else if (k === Kind.ARRAY) {
      const nelems = tv.arrayNelems(id);
      const elem = skipMods(tv, tv.arrayType(id));
      if (elem < 0) return -ERRNO.EINVAL;
      id = elem;
      const flex = isFlexArr(tv, spec.acc[spec.acc.length - 1], nelems);
      if (!flex && idx >= nelems) return -ERRNO.EINVAL;
      spec.acc.push({ typeId: id, idx, name: null });
      sz = resolveSize(tv, id);
      if (sz < 0) return sz;
      spec.bitOffset = (spec.bitOffset + mul32(mul32(idx, sz), 8)) >>> 0;
    } else {
      // libbpf prints the access string pointer after parsing: it is at its end by now.
      log('warn', `prog '${progName}': relo for [${typeId}]  (at idx ${i}) captures type [${id}] of unexpected kind ${libbpfKindStr(k)}`);
      return -ERRNO.EINVAL;
    }
  }
  return 0;
}

/** bpf_core_format_spec into libbpf's 256-byte buffer. */
export function formatSpec(spec: Spec): string {
  const { tv, rootId } = spec;
  const rootName = tv.name(rootId);
  let s = `<${coreReloKindStr(spec.kind)}> [${rootId}] ${libbpfKindStr(tv.kind(rootId))} ${rootName ? rootName : '<anon>'}`;
  if (isTypeBased(spec.kind)) return clip(s);
  if (isEnumvalBased(spec.kind)) {
    const t = skipMods(tv, rootId);
    const i = spec.raw[0] ?? 0;
    if (tv.kind(t) === Kind.ENUM) {
      const v = tv.enum32Val(t, i);
      s += `::${tv.str(tv.enumNameOff(t, i)) ?? '(null)'} = ${tv.kflag(t) ? v : v >>> 0}`;
    } else {
      const v = tv.enum64Val(t, i);
      s += `::${tv.str(tv.word(t, i * 12)) ?? '(null)'} = ${tv.kflag(t) ? BigInt.asIntN(64, v) : v}`;
    }
    return clip(s);
  }
  if (isFieldBased(spec.kind)) {
    spec.acc.forEach((a, i) => {
      if (a.name !== null) s += `.${a.name}`;
      else if (i > 0 || a.idx > 0) s += `[${a.idx >>> 0}]`;
    });
    s += ` (${spec.raw.join(':')}`;
    const b = spec.bitOffset >>> 0;
    s += b % 8 ? ` @ offset ${Math.floor(b / 8)}.${b % 8})` : ` @ offset ${b / 8})`;
  }
  return clip(s);
}

function clip(s: string): string {
  // libbpf's spec buffer holds 255 bytes; a UTF-16 unit is at most 3 UTF-8 bytes, so short text always fits
  if (s.length <= 85 || (s.length <= 255 && /^[\x00-\x7f]*$/.test(s))) return s;
  const b = new TextEncoder().encode(s);
  return b.length <= 255 ? s : new TextDecoder().decode(b.subarray(0, 255));
}

/** bpf_core_fields_are_compat */
export function fieldsAreCompat(ltv: TypeView, localId: number, ttv: TypeView, targId: number): number {
  for (let depth = 0; depth < 1024; depth++) {
    localId = skipMods(ltv, localId);
    targId = skipMods(ttv, targId);
    if (localId < 0 || targId < 0) return -ERRNO.EINVAL;
    const lk = ltv.kind(localId);
    const tk = ttv.kind(targId);
    if (isComposite(lk) && isComposite(tk)) return 1;
    if (!kindCoreCompat(lk, tk)) return 0;
    switch (lk) {
      case Kind.PTR: case Kind.FLOAT:
        return 1;
      case Kind.FWD: case Kind.ENUM64: case Kind.ENUM: {
        const ln = ltv.name(localId) ?? '';
        const tn = ttv.name(targId) ?? '';
        const ll = essentialNameLen(ln);
        const tl = essentialNameLen(tn);
        return ll === 0 || tl === 0 || (ll === tl && ln.slice(0, ll) === tn.slice(0, ll)) ? 1 : 0;
      }
      case Kind.INT:
        return ltv.intOffset(localId) === 0 && ttv.intOffset(targId) === 0 ? 1 : 0;
      case Kind.ARRAY:
        localId = ltv.arrayType(localId);
        targId = ttv.arrayType(targId);
        continue;
      default:
        return 0;
    }
  }
  return -ERRNO.EINVAL;
}

/** __bpf_core_types_are_compat (type-based relocations other than TYPE_MATCHES). */
export function typesAreCompat(ltv: TypeView, localId: number, ttv: TypeView, targId: number, level: number, log: Logger): number {
  if (!ltv.exists(localId) || !ttv.exists(targId)) return -ERRNO.EINVAL;
  if (!kindCoreCompat(ltv.kind(localId), ttv.kind(targId))) return 0;
  let depth = 32;
  for (;;) {
    depth--;
    if (depth < 0) return -ERRNO.EINVAL;
    localId = skipMods(ltv, localId);
    targId = skipMods(ttv, targId);
    if (localId < 0 || targId < 0) return -ERRNO.EINVAL;
    const lk = ltv.kind(localId);
    const tk = ttv.kind(targId);
    if (!kindCoreCompat(lk, tk)) return 0;
    switch (lk) {
      case Kind.UNKN: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.FWD: case Kind.ENUM64:
        return 1;
      case Kind.INT:
        return ltv.intOffset(localId) === 0 && ttv.intOffset(targId) === 0 ? 1 : 0;
      case Kind.PTR:
        localId = ltv.third(localId);
        targId = ttv.third(targId);
        continue;
      case Kind.ARRAY:
        localId = ltv.arrayType(localId);
        targId = ttv.arrayType(targId);
        continue;
      case Kind.FUNC_PROTO: {
        const lv = ltv.vlen(localId);
        if (lv !== ttv.vlen(targId)) return 0;
        for (let i = 0; i < lv; i++) {
          if (level <= 0) return -ERRNO.EINVAL;
          const lp = skipMods(ltv, ltv.paramType(localId, i));
          const tp = skipMods(ttv, ttv.paramType(targId, i));
          // libbpf keeps the previous ID when skipping fails; the recursion then fails on it the same way.
          const err = typesAreCompat(ltv, lp < 0 ? ltv.paramType(localId, i) : lp, ttv, tp < 0 ? ttv.paramType(targId, i) : tp, level - 1, log);
          if (err <= 0) return err;
        }
        const lr = ltv.third(localId);
        const tr = ttv.third(targId);
        localId = lr;
        targId = tr;
        continue;
      }
      default:
        log('warn', `unexpected kind ${libbpfKindStr(lk)} relocated, local [${localId}], target [${targId}]`);
        return 0;
    }
  }
}

/** bpf_core_names_match */
function namesMatch(ltv: TypeView, lOff: number, ttv: TypeView, tOff: number): boolean {
  const ln = ltv.str(lOff);
  const tn = ttv.str(tOff);
  if (!tn) return !ln;
  const tl = essentialNameLen(tn);
  const ll = essentialNameLen(ln ?? '');
  return tl === ll && (ln ?? '').slice(0, ll) === tn.slice(0, tl);
}

function enumsMatch(ltv: TypeView, l: number, ttv: TypeView, t: number): number {
  if (ltv.third(l) !== ttv.third(t)) return 0;
  const lv = ltv.vlen(l) & 0xffff;
  const tv = ttv.vlen(t) & 0xffff;
  if (lv > tv) return 0;
  for (let i = 0; i < lv; i++) {
    const ln = ltv.enumNameOff(l, i);
    let matched = false;
    for (let j = 0; j < tv; j++) {
      if (namesMatch(ltv, ln, ttv, ttv.enumNameOff(t, j))) {
        matched = true;
        break;
      }
    }
    if (!matched) return 0;
  }
  return 1;
}

function compositesMatch(ltv: TypeView, l: number, ttv: TypeView, t: number, behindPtr: boolean, level: number, log: Logger): number {
  const lv = ltv.vlen(l) & 0xffff;
  const tv = ttv.vlen(t) & 0xffff;
  if (lv > tv) return 0;
  for (let i = 0; i < lv; i++) {
    let matched = false;
    for (let j = 0; j < tv; j++) {
      if (!namesMatch(ltv, ltv.memberNameOff(l, i), ttv, ttv.memberNameOff(t, j))) continue;
      const err = typesMatch(ltv, ltv.memberType(l, i), ttv, ttv.memberType(t, j), behindPtr, level - 1, log);
      if (err < 0) return err;
      if (err > 0) {
        matched = true;
        break;
      }
    }
    if (!matched) return 0;
  }
  return 1;
}

/** __bpf_core_types_match (TYPE_MATCHES). */
export function typesMatch(ltv: TypeView, localId: number, ttv: TypeView, targId: number, behindPtr: boolean, level: number, log: Logger): number {
  if (level <= 0) return -ERRNO.EINVAL;
  let depth = 32;
  for (;;) {
    depth--;
    if (depth < 0) return -ERRNO.EINVAL;
    localId = skipMods(ltv, localId);
    targId = skipMods(ttv, targId);
    if (localId < 0 || targId < 0) return -ERRNO.EINVAL;
    if (!namesMatch(ltv, ltv.nameOff(localId), ttv, ttv.nameOff(targId))) return 0;
    const lk = ltv.kind(localId);
    const tk = ttv.kind(targId);
    switch (lk) {
      case Kind.UNKN:
        return lk === tk ? 1 : 0;
      case Kind.FWD: {
        const lf = ltv.kflag(localId);
        if (behindPtr) {
          if (lk === tk) return lf === ttv.kflag(targId) ? 1 : 0;
          return (tk === Kind.STRUCT && !lf) || (tk === Kind.UNION && lf) ? 1 : 0;
        }
        if (lk !== tk) return 0;
        return lf === ttv.kflag(targId) ? 1 : 0;
      }
      case Kind.ENUM: case Kind.ENUM64:
        if (!isAnyEnum(tk)) return 0;
        return enumsMatch(ltv, localId, ttv, targId);
      case Kind.STRUCT: case Kind.UNION:
        if (behindPtr) {
          if (lk === tk) return 1;
          if (tk !== Kind.FWD) return 0;
          return (lk === Kind.UNION) === ttv.kflag(targId) ? 1 : 0;
        }
        if (lk !== tk) return 0;
        return compositesMatch(ltv, localId, ttv, targId, behindPtr, level, log);
      case Kind.INT: {
        if (lk !== tk) return 0;
        const ls = ltv.intEncoding(localId) & INT_SIGNED;
        const ts = ttv.intEncoding(targId) & INT_SIGNED;
        return ltv.third(localId) === ttv.third(targId) && ls === ts ? 1 : 0;
      }
      case Kind.PTR:
        if (lk !== tk) return 0;
        behindPtr = true;
        localId = ltv.third(localId);
        targId = ttv.third(targId);
        continue;
      case Kind.ARRAY:
        if (lk !== tk) return 0;
        if (ltv.arrayNelems(localId) !== ttv.arrayNelems(targId)) return 0;
        localId = ltv.arrayType(localId);
        targId = ttv.arrayType(targId);
        continue;
      case Kind.FUNC_PROTO: {
        if (lk !== tk) return 0;
        const lv = ltv.vlen(localId) & 0xffff;
        if (lv !== (ttv.vlen(targId) & 0xffff)) return 0;
        for (let i = 0; i < lv; i++) {
          const err = typesMatch(ltv, ltv.paramType(localId, i), ttv, ttv.paramType(targId, i), behindPtr, level - 1, log);
          if (err <= 0) return err;
        }
        localId = ltv.third(localId);
        targId = ttv.third(targId);
        continue;
      }
      default:
        log('warn', `unexpected kind ${libbpfKindStr(lk)} relocated, local [${localId}], target [${targId}]`);
        return 0;
    }
  }
}

/**
 * bpf_core_match_member: find the local accessor's field by name in target composite `targId`, looking
 * through anonymous members; extends `spec` as libbpf does (speculative raw/bit-offset pushes that
 * are undone one level at a time, so a failed deep match leaves libbpf's traces).
 */
function matchMember(ltv: TypeView, lacc: Accessor, ttv: TypeView, targId: number, spec: Spec, next: { id: number }): number {
  targId = skipMods(ttv, targId);
  if (targId < 0) return -ERRNO.EINVAL;
  if (!isComposite(ttv.kind(targId))) return 0;
  const localName = lacc.name!;
  const localMemberType = ltv.memberType(lacc.typeId, lacc.idx);
  const n = ttv.vlen(targId) & 0xffff;
  for (let i = 0; i < n; i++) {
    const bitOff = ttv.memberBitOffset(targId, i);
    if (spec.raw.length === SPEC_MAX_LEN) return -ERRNO.E2BIG;
    spec.bitOffset = (spec.bitOffset + bitOff) >>> 0;
    spec.raw.push(i);
    const tname = ttv.str(ttv.memberNameOff(targId, i));
    const mtype = ttv.memberType(targId, i);
    if (!tname) {
      const found = matchMember(ltv, lacc, ttv, mtype, spec, next);
      if (found) return found;
    } else if (tname === localName) {
      spec.acc.push({ typeId: targId, idx: i, name: tname });
      next.id = mtype;
      const found = fieldsAreCompat(ltv, localMemberType, ttv, mtype);
      if (!found) spec.acc.pop();
      return found;
    }
    spec.bitOffset = (spec.bitOffset - bitOff) >>> 0;
    spec.raw.pop();
  }
  return 0;
}

/** bpf_core_spec_match: 1 when `targId` in the target matches the local spec (filling `targ`), 0 when not, <0 on error. */
export function specMatch(local: Spec, ttv: TypeView, targId: number, targ: Spec, log: Logger): number {
  const ltv = local.tv;
  if (isTypeBased(local.kind)) {
    if (local.kind === CoreReloKind.TYPE_MATCHES) return typesMatch(ltv, local.rootId, ttv, targId, false, 32, log);
    return typesAreCompat(ltv, local.rootId, ttv, targId, 32, log);
  }
  if (isEnumvalBased(local.kind)) {
    const lacc = local.acc[0]!;
    const t = skipMods(ttv, targId);
    if (t < 0 || !isAnyEnum(ttv.kind(t))) return 0;
    const lname = lacc.name ?? '';
    const ll = essentialNameLen(lname);
    const n = ttv.vlen(t) & 0xffff;
    for (let i = 0; i < n; i++) {
      const tname = ttv.str(ttv.enumNameOff(t, i)) ?? '';
      if (essentialNameLen(tname) !== ll) continue;
      if (lname.slice(0, ll) === tname.slice(0, ll)) {
        targ.acc.push({ typeId: t, idx: i, name: tname });
        targ.raw.push(i);
        return 1;
      }
    }
    return 0;
  }
  if (!isFieldBased(local.kind)) return -ERRNO.EINVAL;

  const next = { id: targId };
  for (let i = 0; i < local.acc.length; i++) {
    const lacc = local.acc[i]!;
    const cur = skipMods(ttv, next.id);
    if (cur < 0) return -ERRNO.EINVAL;
    next.id = cur;
    if (lacc.name !== null) {
      const matched = matchMember(ltv, lacc, ttv, cur, targ, next);
      if (matched <= 0) return matched;
    } else {
      if (i > 0) {
        if (ttv.kind(cur) !== Kind.ARRAY) return 0;
        const nelems = ttv.arrayNelems(cur);
        const flex = isFlexArr(ttv, targ.acc[i - 1], nelems);
        if (!flex && lacc.idx >= nelems) return 0;
        const elem = skipMods(ttv, ttv.arrayType(cur));
        if (elem < 0) return -ERRNO.EINVAL;
        next.id = elem;
      }
      if (targ.raw.length === SPEC_MAX_LEN) return -ERRNO.E2BIG;
      targ.acc.push({ typeId: next.id, idx: lacc.idx, name: null });
      targ.raw.push(lacc.idx);
      const sz = resolveSize(ttv, next.id);
      if (sz < 0) return sz;
      targ.bitOffset = (targ.bitOffset + mul32(mul32(lacc.idx, sz), 8)) >>> 0;
    }
  }
  return 1;
}

