import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import { type Logger, type Spec, formatSpec, newSpec, parseSpec, specMatch } from './match';
import { CoreReloKind, coreReloKindStr, isEnumvalBased, isFieldBased, isTypeBased } from './spec';
import { ERRNO, type TypeView, isAnyEnum, resolveSize, skipMods } from './types';

/** struct bpf_core_relo_res: what an instruction is to be patched with. Values are u64. */
export interface ReloRes {
  origVal: bigint;
  newVal: bigint;
  poison: boolean;
  validate: boolean;
  failMemszAdjust: boolean;
  origSz: number;
  newSz: number;
  origTypeId: number;
  newTypeId: number;
}

export interface CoreReloInput {
  insnOff: number;
  typeId: number;
  accessStrOff: number;
  kind: number;
}

/** One target candidate: a type of a target BTF with the local type's essential name. */
export interface Candidate {
  tv: TypeView;
  id: number;
  /** "vmlinux" or the module's name, as libbpf names it in its log. */
  btfName: string;
}

/** What the candidate loop saw, for callers that want more than the log. */
export interface CandidateOutcome {
  btfName: string;
  id: number;
  matched: boolean;
  spec: string;
}

export interface CalcResult {
  err: number;
  res?: ReloRes;
  localSpec?: Spec;
  /** formatSpec(localSpec), as logged. */
  localSpecText?: string;
  /** The spec of the (first) matching candidate. */
  targSpec?: Spec;
  candidates: CandidateOutcome[];
}

const U64 = (1n << 64n) - 1n;
const INT_SIGNED = 1n;
const BITFIELD_HOST_LE = true;

interface FieldVal {
  val: bigint;
  fieldSz: number;
  typeId: number;
  validate: boolean;
}

/** bpf_core_calc_field_relo; `bigEndian` picks the LSHIFT_U64 formula (libbpf uses its host's byte order). */
function calcFieldRelo(progName: string, relo: CoreReloInput, spec: Spec | undefined, out: FieldVal, log: Logger, bigEndian: boolean): number {
  out.fieldSz = 0;
  if (relo.kind === CoreReloKind.FIELD_EXISTS) {
    out.val = spec ? 1n : 0n;
    return 0;
  }
  if (!spec) return -ERRNO.EUCLEAN;
  const tv = spec.tv;
  const acc = spec.acc[spec.acc.length - 1];
  if (!acc) return -ERRNO.EINVAL;
  const insn = Math.floor(relo.insnOff / 8) | 0;

  if (acc.name === null) {
    if (relo.kind === CoreReloKind.FIELD_BYTE_OFFSET) {
      out.val = BigInt(Math.floor((spec.bitOffset >>> 0) / 8));
      const sz = resolveSize(tv, acc.typeId);
      if (sz < 0) return -ERRNO.EINVAL;
      out.fieldSz = sz;
      out.typeId = acc.typeId;
    } else if (relo.kind === CoreReloKind.FIELD_BYTE_SIZE) {
      const sz = resolveSize(tv, acc.typeId);
      if (sz < 0) return -ERRNO.EINVAL;
      out.val = BigInt(sz);
    } else {
      log('warn', `prog '${progName}': relo ${relo.kind | 0} at insn #${insn} can't be applied to array access`);
      return -ERRNO.EINVAL;
    }
    out.validate = true;
    return 0;
  }

  const t = acc.typeId;
  const mtype = tv.memberType(t, acc.idx);
  const mt = skipMods(tv, mtype);
  const fieldTypeId = mt < 0 ? mtype : mt;
  const bitOff = spec.bitOffset >>> 0;
  let bitSz = tv.memberBitfieldSize(t, acc.idx);
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = tv.third(mt < 0 ? 0 : mt);
    // libbpf divides by zero here (SIGFPE) on a forged zero-sized bitfield type; we refuse.
    if (byteSz === 0) return -ERRNO.EINVAL;
    byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz >>> 0;
    while (((bitOff + bitSz - byteOff * 8) >>> 0) > ((byteSz * 8) >>> 0)) {
      if (byteSz >= 8) {
        log('warn', `prog '${progName}': relo ${relo.kind | 0} at insn #${insn} can't be satisfied for bitfield`);
        return -ERRNO.E2BIG;
      }
      byteSz *= 2;
      byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz >>> 0;
    }
  } else {
    const sz = resolveSize(tv, fieldTypeId);
    if (sz < 0) return -ERRNO.EINVAL;
    byteSz = sz;
    byteOff = Math.floor(bitOff / 8);
    bitSz = (byteSz * 8) >>> 0;
  }
  out.validate = !bitfield;

  switch (relo.kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      out.val = BigInt(byteOff);
      if (!bitfield) {
        out.fieldSz = byteSz;
        out.typeId = fieldTypeId;
      }
      break;
    case CoreReloKind.FIELD_BYTE_SIZE:
      out.val = BigInt(byteSz);
      break;
    case CoreReloKind.FIELD_SIGNED: {
      const k = tv.kind(mt < 0 ? 0 : mt);
      out.val = (isAnyEnum(k) && tv.kflag(mt)) || (BigInt(tv.intEncoding(mt < 0 ? 0 : mt)) & INT_SIGNED) !== 0n ? 1n : 0n;
      out.validate = true;
      break;
    }
    case CoreReloKind.FIELD_LSHIFT_U64:
      if (!bigEndian && BITFIELD_HOST_LE) out.val = BigInt((64 - ((bitOff + bitSz - byteOff * 8) >>> 0)) >>> 0);
      else out.val = BigInt((((8 - byteSz) * 8) + (bitOff - byteOff * 8)) >>> 0);
      break;
    case CoreReloKind.FIELD_RSHIFT_U64:
      out.val = BigInt((64 - bitSz) >>> 0);
      out.validate = true;
      break;
    default:
      return -ERRNO.EOPNOTSUPP;
  }
  return 0;
}

function calcTypeRelo(kind: number, spec: Spec | undefined, out: { val: bigint; validate: boolean }): number {
  out.validate = true;
  if (!spec) {
    out.val = 0n;
    return 0;
  }
  switch (kind) {
    case CoreReloKind.TYPE_ID_TARGET:
      out.val = BigInt(spec.rootId);
      out.validate = false;
      return 0;
    case CoreReloKind.TYPE_EXISTS: case CoreReloKind.TYPE_MATCHES:
      out.val = 1n;
      return 0;
    case CoreReloKind.TYPE_SIZE: {
      const sz = resolveSize(spec.tv, spec.rootId);
      if (sz < 0) return -ERRNO.EINVAL;
      out.val = BigInt(sz);
      return 0;
    }
    default:
      return -ERRNO.EOPNOTSUPP;
  }
}

function calcEnumvalRelo(kind: number, spec: Spec | undefined, out: { val: bigint }): number {
  if (kind === CoreReloKind.ENUMVAL_EXISTS) {
    out.val = spec ? 1n : 0n;
    return 0;
  }
  if (kind === CoreReloKind.ENUMVAL_VALUE) {
    if (!spec) return -ERRNO.EUCLEAN;
    const a = spec.acc[0]!;
    const tv = spec.tv;
    out.val = tv.kind(a.typeId) === Kind.ENUM ? BigInt.asUintN(64, BigInt(tv.enum32Val(a.typeId, a.idx))) : tv.enum64Val(a.typeId, a.idx);
    return 0;
  }
  return -ERRNO.EOPNOTSUPP;
}

/** bpf_core_calc_relo: original and new values for one (local, target) pair; a NULL target asks for failure values. */
function calcRelo(progName: string, relo: CoreReloInput, reloIdx: number, local: Spec, targ: Spec | undefined, log: Logger, bigEndian: boolean): { err: number; res: ReloRes } {
  const res: ReloRes = {
    origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false,
    origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0,
  };
  let err = -ERRNO.EOPNOTSUPP;
  if (isFieldBased(relo.kind)) {
    const o: FieldVal = { val: 0n, fieldSz: 0, typeId: 0, validate: true };
    err = calcFieldRelo(progName, relo, local, o, log, bigEndian);
    res.origVal = o.val;
    res.origSz = o.fieldSz;
    res.origTypeId = o.typeId;
    res.validate = o.validate;
    if (!err) {
      const n: FieldVal = { val: 0n, fieldSz: 0, typeId: 0, validate: true };
      err = calcFieldRelo(progName, relo, targ, n, log, bigEndian);
      res.newVal = n.val;
      res.newSz = n.fieldSz;
      res.newTypeId = n.typeId;
    }
    if (!err && res.origSz !== res.newSz) {
      const ltv = local.tv;
      const ttv = targ!.tv;
      const lk = ltv.kind(res.origTypeId);
      const tk = ttv.kind(res.newTypeId);
      const safe = (lk === Kind.PTR && tk === Kind.PTR) ||
        (lk === Kind.INT && tk === Kind.INT && ltv.intEncoding(res.origTypeId) !== 1 && ttv.intEncoding(res.newTypeId) !== 1);
      if (!safe) res.failMemszAdjust = true;
    }
  } else if (isTypeBased(relo.kind)) {
    const o = { val: 0n, validate: true };
    err = calcTypeRelo(relo.kind, local, o);
    res.origVal = o.val;
    res.validate = o.validate;
    if (!err) {
      const n = { val: 0n, validate: true };
      err = calcTypeRelo(relo.kind, targ, n);
      res.newVal = n.val;
    }
  } else if (isEnumvalBased(relo.kind)) {
    const o = { val: 0n };
    err = calcEnumvalRelo(relo.kind, local, o);
    res.origVal = o.val;
    if (!err) {
      const n = { val: 0n };
      err = calcEnumvalRelo(relo.kind, targ, n);
      res.newVal = n.val;
    }
  }
  if (err === -ERRNO.EUCLEAN) {
    res.poison = true;
    err = 0;
  } else if (err === -ERRNO.EOPNOTSUPP) {
    log('warn', `prog '${progName}': relo #${reloIdx}: unrecognized CO-RE relocation ${coreReloKindStr(relo.kind)} (${relo.kind | 0}) at insn #${Math.floor(relo.insnOff / 8) | 0}`);
  }
  res.origVal &= U64;
  res.newVal &= U64;
  return { err, res };
}

/**
 * bpf_core_calc_relo_insn: parse the local spec, try every candidate (pruning the shared candidate
 * list to the matching ones, as libbpf does), insist that matches agree, and compute the patch.
 */
export function calcReloInsn(
  progName: string, relo: CoreReloInput, reloIdx: number, ltv: TypeView, cands: Candidate[] | undefined,
  log: Logger, bigEndian = false,
): CalcResult {
  const out: CalcResult = { err: 0, candidates: [] };
  const localId = relo.typeId;
  const localName = ltv.name(localId);
  if (localName === undefined || !ltv.exists(localId)) return { ...out, err: -ERRNO.EINVAL };
  const localKind = ltv.kind(localId);

  const local = newSpec(ltv, localId, relo.kind);
  const access = ltv.str(relo.accessStrOff);
  const perr = parseSpec(ltv, localId, access, relo.kind, local, progName, log);
  if (perr) {
    log('warn', `prog '${progName}': relo #${reloIdx}: parsing [${localId}] ${libbpfKindStr(localKind)} ${localName || '<anon>'} + ${access ?? '<?>'} failed: ${perr}`);
    return { ...out, err: -ERRNO.EINVAL };
  }
  out.localSpec = local;
  out.localSpecText = formatSpec(local);
  log('debug', `prog '${progName}': relo #${reloIdx}: ${out.localSpecText}`);

  if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
    out.res = {
      origVal: BigInt(local.rootId), newVal: BigInt(local.rootId), poison: false, validate: false,
      failMemszAdjust: false, origSz: 0, newSz: 0, origTypeId: 0, newTypeId: 0,
    };
    return out;
  }
  if (!localName) {
    log('warn', `prog '${progName}': relo #${reloIdx}: <${coreReloKindStr(relo.kind)}> (${relo.kind | 0}) relocation doesn't support anonymous types`);
    return { ...out, err: -ERRNO.EOPNOTSUPP };
  }
  const list = cands ?? [];
  let targRes: ReloRes | undefined;
  let targSpec: Spec | undefined;
  let j = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    const cand = newSpec(c.tv, c.id, relo.kind);
    const err = specMatch(local, c.tv, c.id, cand, log);
    const text = formatSpec(cand);
    if (err < 0) {
      log('warn', `prog '${progName}': relo #${reloIdx}: error matching candidate #${i} ${text}: ${err}\n `);
      return { ...out, err };
    }
    log('debug', `prog '${progName}': relo #${reloIdx}: ${err === 0 ? 'non-matching' : 'matching'} candidate #${i} ${text}`);
    out.candidates.push({ btfName: c.btfName, id: c.id, matched: err > 0, spec: text });
    if (err === 0) continue;

    const r = calcRelo(progName, relo, reloIdx, local, cand, log, bigEndian);
    if (r.err) return { ...out, err: r.err };
    if (j === 0) {
      targRes = r.res;
      targSpec = cand;
    } else if (cand.bitOffset !== targSpec!.bitOffset) {
      log('warn', `prog '${progName}': relo #${reloIdx}: field offset ambiguity: ${cand.bitOffset >>> 0} != ${targSpec!.bitOffset >>> 0}`);
      return { ...out, err: -ERRNO.EINVAL };
    } else if (r.res.poison !== targRes!.poison || r.res.newVal !== targRes!.newVal) {
      log('warn', `prog '${progName}': relo #${reloIdx}: relocation decision ambiguity: ${r.res.poison ? 'failure' : 'success'} ${r.res.newVal} != ${targRes!.poison ? 'failure' : 'success'} ${targRes!.newVal}`);
      return { ...out, err: -ERRNO.EINVAL };
    }
    list[j++] = c;
  }
  if (j > 0) list.length = j;
  if (j === 0) {
    log('debug', `prog '${progName}': relo #${reloIdx}: no matching targets found`);
    const r = calcRelo(progName, relo, reloIdx, local, undefined, log, bigEndian);
    if (r.err) return { ...out, err: r.err };
    targRes = r.res;
  }
  out.res = targRes;
  out.targSpec = targSpec;
  return out;
}
