import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import type { Elf } from '../elf/elf';
import { ERRNO, LIBBPF_ERRNO, TypeView, resolveSize, skipMods } from '../core-relo/types';

/**
 * Externs as libbpf 1.1's bpf_object__collect_externs finds them at open: every undefined GLOBAL/WEAK
 * NOTYPE symbol, its VAR or FUNC in the object's BTF, the DATASEC (`.kconfig` or `.ksyms`) that holds it,
 * for kconfig externs their size, alignment, value type and offset in the .kconfig map; then sorted
 * (kconfig first, by alignment descending, size ascending, name; then ksyms by name), which is the
 * order libbpf resolves and logs them in.
 */

export type KcfgType = 'unknown' | 'char' | 'bool' | 'int' | 'tristate' | 'char-arr';

export interface ExternDesc {
  name: string;
  symIdx: number;
  weak: boolean;
  /** The extern's VAR or FUNC in the object's BTF, and its DATASEC. */
  btfId: number;
  secId: number;
  type: 'kcfg' | 'ksym';
  isFunc: boolean;
  /** ksym: the VAR's type or the FUNC's prototype, modifiers and typedefs skipped (0: typeless ksym). */
  ksymTypeId: number;
  kcfg?: { sz: number; align: number; type: KcfgType; signed: boolean; dataOff: number };
}

export interface OpenLine {
  level: 'warn' | 'debug';
  text: string;
}

export interface ExternCollection {
  externs: ExternDesc[];
  log: OpenLine[];
  /** libbpf's negative errno when the object does not open here. */
  err?: number;
}

const SHN_UNDEF = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STT_NOTYPE = 0;
const BTF_VAR_GLOBAL_EXTERN = 2;
const BTF_FUNC_EXTERN = 2;
const BTF_INT_SIGNED = 1;
const BTF_INT_BOOL = 4;
const ESRCH = 3;
const MAX_ALIGN_DEPTH = 64;

/** btf__align_of (a BPF object's BTF has 8-byte pointers). Bounded where libbpf recurses without end. */
export function alignOf(tv: TypeView, id: number, depth = 0): number {
  if (depth > MAX_ALIGN_DEPTH || !tv.exists(id)) return -ERRNO.EINVAL;
  const k = tv.kind(id);
  switch (k) {
    case Kind.INT: case Kind.ENUM: case Kind.ENUM64: case Kind.FLOAT:
      return Math.min(tv.ptrSize, tv.third(id));
    case Kind.PTR:
      return tv.ptrSize;
    case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
      return alignOf(tv, tv.third(id), depth + 1);
    case Kind.ARRAY:
      return alignOf(tv, tv.arrayType(id), depth + 1);
    case Kind.STRUCT: case Kind.UNION: {
      let max = 1;
      for (let i = 0; i < tv.vlen(id); i++) {
        const a = alignOf(tv, tv.memberType(id, i), depth + 1);
        if (a <= 0) return a;
        max = Math.max(max, a);
        const off = tv.word(id, i * 12 + 8);
        if (tv.memberBitfieldSize(id, i) === 0 && off % (8 * a) !== 0) return 1;
      }
      return tv.third(id) % max !== 0 ? 1 : max;
    }
    default:
      return -ERRNO.EINVAL;
  }
}

/** find_kcfg_type */
function kcfgType(tv: TypeView, id: number, depth = 0): { type: KcfgType; signed: boolean } {
  const unknown = { type: 'unknown' as const, signed: false };
  const t = skipMods(tv, id);
  if (t < 0 || depth > MAX_ALIGN_DEPTH) return unknown;
  const size = tv.third(t);
  switch (tv.kind(t)) {
    case Kind.INT: {
      const enc = tv.intEncoding(t);
      if (enc & BTF_INT_BOOL) return { type: size === 1 ? 'bool' : 'unknown', signed: false };
      const signed = (enc & BTF_INT_SIGNED) !== 0;
      if (size === 1) return { type: 'char', signed };
      if (size < 1 || size > 8 || (size & (size - 1))) return { type: 'unknown', signed };
      return { type: 'int', signed };
    }
    case Kind.ENUM:
      if (size !== 4) return unknown;
      return { type: tv.name(t) === 'libbpf_tristate' ? 'tristate' : 'unknown', signed: false };
    case Kind.ENUM64:
      return { type: tv.name(t) === 'libbpf_tristate' ? 'tristate' : 'unknown', signed: false };
    case Kind.ARRAY:
      if (tv.arrayNelems(t) === 0) return unknown;
      if (kcfgType(tv, tv.arrayType(t), depth + 1).type !== 'char') return unknown;
      return { type: 'char-arr', signed: false };
    default:
      return unknown;
  }
}

const KCFG_RANK = { kcfg: 1, ksym: 2 } as const;
function byteCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
/** cmp_externs */
function cmpExterns(a: ExternDesc, b: ExternDesc): number {
  if (a.type !== b.type) return KCFG_RANK[a.type] - KCFG_RANK[b.type];
  if (a.type === 'kcfg' && a.kcfg && b.kcfg) {
    if (a.kcfg.align !== b.kcfg.align) return a.kcfg.align > b.kcfg.align ? -1 : 1;
    if (a.kcfg.sz !== b.kcfg.sz) return a.kcfg.sz < b.kcfg.sz ? -1 : 1;
  }
  return byteCmp(a.name, b.name);
}

export function collectExterns(elf: Elf, btf: Btf | undefined): ExternCollection {
  const out: ExternCollection = { externs: [], log: [] };
  const debug = (text: string) => out.log.push({ level: 'debug', text });
  const warn = (text: string) => out.log.push({ level: 'warn', text });
  const fail = (err: number) => {
    out.err = err;
    return out;
  };
  const symtab = elf.sections.find((s) => s.type === 2);
  if (!symtab) return out;
  if (symtab.entsize !== 24) return fail(-LIBBPF_ERRNO.FORMAT);
  const syms = elf.symbols();
  debug(`looking for externs among ${syms.length} symbols...`);
  const tv = btf ? new TypeView(btf, 8) : undefined;

  // find_extern_btf_id / find_extern_sec_btf_id, as maps built once
  let byName: Map<string, number> | undefined;
  let secOf: Map<number, number> | undefined;
  const lookups = () => {
    if (byName || !btf) return;
    byName = new Map();
    secOf = new Map();
    for (let id = 1; id < btf.typeCount; id++) {
      const k = btf.kind(id);
      if (k === Kind.VAR || k === Kind.FUNC) {
        const n = btf.str(btf.nameOff(id));
        if (n !== undefined && !byName.has(n)) byName.set(n, id);
      } else if (k === Kind.DATASEC) {
        for (let j = 0; j < btf.vlen(id); j++) {
          const v = tv!.word(id, j * 12);
          if (!secOf.has(v)) secOf.set(v, id);
        }
      }
    }
  };

  let ksymSec = 0;
  let kcfgSec = 0;
  for (const sym of syms) {
    if (sym.shndx !== SHN_UNDEF || (sym.bind !== STB_GLOBAL && sym.bind !== STB_WEAK) || sym.type !== STT_NOTYPE) continue;
    if (!sym.name) continue;
    if (!btf || !tv) {
      warn(`failed to find BTF for extern '${sym.name}': ${-ESRCH}`);
      return fail(-ESRCH);
    }
    lookups();
    let id = byName!.get(sym.name) ?? -ERRNO.ENOENT;
    if (id > 0) {
      const isVar = btf.kind(id) === Kind.VAR;
      const linkage = isVar ? tv.word(id, 0) : btf.vlen(id);
      if (linkage !== (isVar ? BTF_VAR_GLOBAL_EXTERN : BTF_FUNC_EXTERN)) id = -ERRNO.EINVAL;
    }
    if (id <= 0) {
      warn(`failed to find BTF for extern '${sym.name}': ${id}`);
      return fail(id);
    }
    const name = btf.str(btf.nameOff(id)) ?? '';
    const secId = secOf!.get(id) ?? -ERRNO.ENOENT;
    if (secId <= 0) {
      warn(`failed to find BTF for extern '${sym.name}' [${id}] section: ${secId}`);
      return fail(secId);
    }
    const isFunc = btf.kind(id) === Kind.FUNC;
    const ext: ExternDesc = {
      name, symIdx: sym.index, weak: sym.bind === STB_WEAK, btfId: id, secId, type: 'ksym', isFunc, ksymTypeId: 0,
    };
    const secName = btf.str(btf.nameOff(secId));
    const typeId = tv.third(id);
    if (secName === '.kconfig') {
      if (isFunc) {
        warn(`extern function ${name} is unsupported under .kconfig section`);
        return fail(-ERRNO.EOPNOTSUPP);
      }
      kcfgSec = secId;
      ext.type = 'kcfg';
      const sz = resolveSize(tv, typeId);
      if (sz <= 0) {
        warn(`failed to resolve size of extern (kcfg) '${sym.name}': ${sz}`);
        return fail(sz);
      }
      const align = alignOf(tv, typeId);
      if (align <= 0) {
        warn(`failed to determine alignment of extern (kcfg) '${sym.name}': ${align}`);
        return fail(-ERRNO.EINVAL);
      }
      const kt = kcfgType(tv, typeId);
      if (kt.type === 'unknown') {
        warn(`extern (kcfg) '${sym.name}': type is unsupported`);
        return fail(-ERRNO.EOPNOTSUPP);
      }
      ext.kcfg = { sz, align, type: kt.type, signed: kt.signed, dataOff: 0 };
    } else if (secName === '.ksyms') {
      ksymSec = secId;
      const t = skipMods(tv, typeId);
      ext.ksymTypeId = t < 0 ? 0 : t;
    } else {
      warn(`unrecognized extern section '${secName ?? ''}'`);
      return fail(-ERRNO.EOPNOTSUPP);
    }
    out.externs.push(ext);
  }
  debug(`collected ${out.externs.length} externs total`);
  if (!out.externs.length || !btf || !tv) return out;
  out.externs.sort(cmpExterns);
  const byExtName = (n: string) => out.externs.find((e) => e.name === n);

  if (ksymSec) {
    out.externs.forEach((e, i) => {
      if (e.type === 'ksym') debug(`extern (ksym) #${i}: symbol ${e.symIdx}, name ${e.name}`);
    });
    for (let j = 0; j < btf.vlen(ksymSec); j++) {
      const vt = tv.word(ksymSec, j * 12);
      const n = tv.name(vt) ?? '';
      if (!byExtName(n)) {
        warn(`failed to find extern definition for BTF ${libbpfKindStr(tv.kind(vt))} '${n}'`);
        return fail(-ESRCH);
      }
    }
  }
  if (kcfgSec) {
    let off = 0;
    out.externs.forEach((e, i) => {
      if (e.type !== 'kcfg' || !e.kcfg) return;
      const a = e.kcfg.align;
      e.kcfg.dataOff = Math.ceil(off / a) * a;
      off = e.kcfg.dataOff + e.kcfg.sz;
      debug(`extern (kcfg) #${i}: symbol ${e.symIdx}, off ${e.kcfg.dataOff}, name ${e.name}`);
    });
    for (let j = 0; j < btf.vlen(kcfgSec); j++) {
      const n = tv.name(tv.word(kcfgSec, j * 12)) ?? '';
      if (!byExtName(n)) {
        warn(`failed to find extern definition for BTF var '${n}'`);
        return fail(-ESRCH);
      }
    }
  }
  return out;
}
