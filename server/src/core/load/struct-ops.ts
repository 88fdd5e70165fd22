import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import type { Elf } from '../elf/elf';
import { findProgBySecInsn, type LibbpfProgram } from '../core-relo/programs';
import { ERRNO, LIBBPF_ERRNO, TypeView, resolveSize, skipMods, targetPointerSize } from '../core-relo/types';
import type { OpenLine } from './externs';
import { findByNameKind } from './names';
import { findSecDef } from './sections';

/**
 * SEC(".struct_ops") maps as libbpf 1.1 reads them at open (bpf_object__init_struct_ops_maps,
 * bpf_object__collect_st_ops_relos) and fits them to the kernel's BTF at load
 * (bpf_map__init_kern_struct_ops): the kernel's struct of that name, its `bpf_struct_ops_<name>` value
 * type holding it, and every member of the local struct by name, of the same kind and size.
 */

export interface StructOpsMap {
  /** The variable's name (the map's name). */
  name: string;
  /** The local struct: name and ID. */
  tname: string;
  typeId: number;
  /** Programs set in the struct's function pointers, by member index. */
  progs: (LibbpfProgram | undefined)[];
}

export interface StructOpsOpen {
  maps: StructOpsMap[];
  log: OpenLine[];
  err?: number;
}

const STRUCT_OPS_SEC = '.struct_ops';
const SHT_PROGBITS = 1;
const SHN_LORESERVE = 0xff00;

/** btf__resolve_type: through typedefs, modifiers and VARs. */
function resolveType(tv: TypeView, id: number): number {
  for (let depth = 0; depth < 32; depth++) {
    if (!tv.exists(id) || id === 0) return id === 0 ? 0 : -ERRNO.EINVAL;
    const k = tv.kind(id);
    if (k !== Kind.TYPEDEF && k !== Kind.VOLATILE && k !== Kind.CONST && k !== Kind.RESTRICT && k !== Kind.VAR && k !== Kind.TYPE_TAG) return id;
    id = tv.third(id);
  }
  return -ERRNO.EINVAL;
}

/** Is `id` (after modifiers) a pointer to a function prototype? (resolve_func_ptr) */
function isFuncPtr(tv: TypeView, id: number): boolean {
  const p = skipMods(tv, id);
  if (p < 0 || tv.kind(p) !== Kind.PTR) return false;
  const f = skipMods(tv, tv.third(p));
  return f >= 0 && tv.kind(f) === Kind.FUNC_PROTO;
}

export function openStructOps(
  elf: Elf, btf: Btf | undefined, programs: LibbpfProgram[], datasecVars: Map<number, { varId: number; offset: number }[]>,
): StructOpsOpen {
  const out: StructOpsOpen = { maps: [], log: [] };
  const sec = elf.sections.find((s) => s.index > 0 && s.name === STRUCT_OPS_SEC && s.type === SHT_PROGBITS && s.size > 0);
  if (!sec || !btf) return out;
  const warn = (text: string, err: number) => {
    out.log.push({ level: 'warn', text });
    out.err = err;
    return out;
  };
  const tv = new TypeView(btf, 8);
  const ds = findByNameKind(btf, STRUCT_OPS_SEC, Kind.DATASEC);
  if (ds < 0) return warn(`struct_ops init: DATASEC ${STRUCT_OPS_SEC} not found`, -ERRNO.EINVAL);
  const offsets: number[] = [];
  const sizes: number[] = [];
  // the variables as bpf_object__finalize_btf left them: offsets from the ELF symbols, sorted by offset
  for (const { varId: vt, offset: off } of datasecVars.get(ds) ?? []) {
    const varName = tv.name(vt) ?? '';
    const typeId = resolveType(tv, vt);
    if (typeId < 0) return warn(`struct_ops init: Cannot resolve var type_id ${vt} in DATASEC ${STRUCT_OPS_SEC}`, -ERRNO.EINVAL);
    const tname = tv.name(typeId) ?? '';
    if (!tname) return warn('struct_ops init: anonymous type is not supported', -ERRNO.EOPNOTSUPP);
    if (tv.kind(typeId) !== Kind.STRUCT) return warn(`struct_ops init: ${tname} is not a struct`, -ERRNO.EINVAL);
    const size = tv.third(typeId);
    if (off + size > sec.size) return warn(`struct_ops init: var ${varName} is beyond the end of DATASEC ${STRUCT_OPS_SEC}`, -ERRNO.EINVAL);
    out.maps.push({ name: varName, tname, typeId, progs: new Array<LibbpfProgram | undefined>(tv.vlen(typeId)).fill(undefined) });
    offsets.push(off);
    sizes.push(size);
    out.log.push({ level: 'debug', text: `struct_ops init: struct ${tname}(type_id=${typeId}) ${varName} found at offset ${off}` });
  }
  const syms = elf.symbols();
  const owner = new Map<LibbpfProgram, { typeId: number; member: number }>();
  for (const rel of elf.relocations(sec)) {
    const sym = syms[rel.symbol];
    if (!sym) return warn(`struct_ops reloc: symbol ${rel.symbol.toString(16)} not found`, -LIBBPF_ERRNO.FORMAT);
    const mi = out.maps.findIndex((_, i) => offsets[i]! <= rel.offset && rel.offset - offsets[i]! < sizes[i]!);
    if (mi < 0) return warn(`struct_ops reloc: cannot find map at rel->r_offset ${rel.offset}`, -ERRNO.EINVAL);
    const map = out.maps[mi]!;
    const moff = rel.offset - offsets[mi]!;
    if (sym.shndx >= SHN_LORESERVE) {
      return warn(`struct_ops reloc ${map.name}: rel->r_offset ${rel.offset} shdr_idx ${sym.shndx} unsupported non-static function`, -LIBBPF_ERRNO.RELOC);
    }
    if (sym.value % 8) return warn(`struct_ops reloc ${map.name}: invalid target program offset ${sym.value}`, -LIBBPF_ERRNO.FORMAT);
    let member = -1;
    for (let i = 0; i < tv.vlen(map.typeId); i++) if (tv.memberBitOffset(map.typeId, i) === moff * 8) { member = i; break; }
    if (member < 0) return warn(`struct_ops reloc ${map.name}: cannot find member at moff ${moff}`, -ERRNO.EINVAL);
    const mname = tv.str(tv.memberNameOff(map.typeId, member)) ?? '';
    if (!isFuncPtr(tv, tv.memberType(map.typeId, member))) return warn(`struct_ops reloc ${map.name}: cannot relocate non func ptr ${mname}`, -ERRNO.EINVAL);
    const prog = findProgBySecInsn(programs, sym.shndx, sym.value / 8);
    if (!prog) return warn(`struct_ops reloc ${map.name}: cannot find prog at shdr_idx ${sym.shndx} to relocate func ptr ${mname}`, -ERRNO.EINVAL);
    if (findSecDef(prog.secName)?.progType !== 'struct_ops') return warn(`struct_ops reloc ${map.name}: prog ${prog.name} is not struct_ops BPF program`, -ERRNO.EINVAL);
    const was = owner.get(prog);
    if (!was) owner.set(prog, { typeId: map.typeId, member });
    else if (was.typeId !== map.typeId || was.member !== member) {
      return warn(`struct_ops reloc ${map.name}: cannot use prog ${prog.name} in sec ${prog.secName} with type 27 attach_btf_id ${was.typeId} expected_attach_type ${was.member} for func ptr ${mname}`, -ERRNO.EINVAL);
    }
    map.progs[member] = prog;
  }
  return out;
}

export interface MemberFit {
  member: number;
  name: string;
  code: 'found' | 'missing' | 'incompatible';
  kernMember?: number;
  err?: number;
  /** The program set in this function pointer, if any. */
  prog?: string;
}

export interface StructOpsFit {
  /** The kernel's struct and its bpf_struct_ops_ value type; undefined when missing. */
  kernTypeId?: number;
  kernVtypeId?: number;
  /** Why the struct itself does not fit (missing struct, value type or data member). */
  err?: number;
  members: MemberFit[];
}

/**
 * bpf_map__init_kern_struct_ops for one map: each line goes to `emit` (with the member index it is
 * about); libbpf stops at the first failure, the fit records every member.
 */
export function fitStructOps(
  map: StructOpsMap, objBtf: Btf, kern: Btf, emit: (level: 'warn' | 'debug', text: string, member?: number) => void,
): StructOpsFit {
  const fit: StructOpsFit = { members: [] };
  const tv = new TypeView(objBtf, 8);
  const kv = new TypeView(kern, targetPointerSize(kern));
  const kernType = findByNameKind(kern, map.tname, Kind.STRUCT);
  if (kernType < 0) {
    emit('warn', `struct_ops init_kern: struct ${map.tname} is not found in kernel BTF`);
    fit.err = kernType;
    return fit;
  }
  const kernVtype = findByNameKind(kern, `bpf_struct_ops_${map.tname}`, Kind.STRUCT);
  if (kernVtype < 0) {
    emit('warn', `struct_ops init_kern: struct bpf_struct_ops_${map.tname} is not found in kernel BTF`);
    fit.err = kernVtype;
    fit.kernTypeId = kernType;
    return fit;
  }
  let dataMember = -1;
  for (let i = 0; i < kv.vlen(kernVtype); i++) if (kv.memberType(kernVtype, i) === kernType) { dataMember = i; break; }
  if (dataMember < 0) {
    emit('warn', `struct_ops init_kern: struct ${map.tname} data is not found in struct bpf_struct_ops_${map.tname}`);
    fit.err = -ERRNO.EINVAL;
    fit.kernTypeId = kernType;
    return fit;
  }
  fit.kernTypeId = kernType;
  fit.kernVtypeId = kernVtype;
  emit('debug', `struct_ops init_kern ${map.name}: type_id:${map.typeId} kern_type_id:${kernType} kern_vtype_id:${kernVtype}`);
  const kernByName = new Map<string, number>();
  for (let i = 0; i < kv.vlen(kernType); i++) {
    const n = kv.str(kv.memberNameOff(kernType, i));
    if (n !== undefined && !kernByName.has(n)) kernByName.set(n, i);
  }
  let failed = false;
  const say = (level: 'warn' | 'debug', text: string, member: number) => {
    if (!failed) emit(level, text, member);
  };
  for (let i = 0; i < tv.vlen(map.typeId); i++) {
    const mname = tv.str(tv.memberNameOff(map.typeId, i)) ?? '';
    const prog = map.progs[i];
    const m: MemberFit = { member: i, name: mname, code: 'found', prog: prog?.name };
    fit.members.push(m);
    const fail = (text: string) => {
      say('warn', text, i);
      m.err = -ERRNO.EOPNOTSUPP;
      failed = true;
    };
    const km = kernByName.get(mname);
    if (km === undefined) {
      m.code = 'missing';
      fail(`struct_ops init_kern ${map.name}: Cannot find member ${mname} in kernel BTF`);
      continue;
    }
    m.kernMember = km;
    m.code = 'incompatible';
    if (tv.memberBitfieldSize(map.typeId, i) || kv.memberBitfieldSize(kernType, km)) {
      fail(`struct_ops init_kern ${map.name}: bitfield ${mname} is not supported`);
      continue;
    }
    const moff = Math.floor(tv.word(map.typeId, i * 12 + 8) / 8);
    const kernMoff = Math.floor(kv.word(kernType, km * 12 + 8) / 8);
    const mtype = skipMods(tv, tv.memberType(map.typeId, i));
    const kmtype = skipMods(kv, kv.memberType(kernType, km));
    const mk = mtype < 0 ? 0 : tv.kind(mtype);
    const kk = kmtype < 0 ? 0 : kv.kind(kmtype);
    if (mk !== kk) {
      fail(`struct_ops init_kern ${map.name}: Unmatched member type ${mname} ${mk} != ${kk}(kernel)`);
      continue;
    }
    if (mk === Kind.PTR) {
      if (!prog) {
        m.code = 'found';
        continue;
      }
      const kf = skipMods(kv, kv.third(kmtype));
      if (kf < 0 || kv.kind(kf) !== Kind.FUNC_PROTO) {
        fail(`struct_ops init_kern ${map.name}: kernel member ${mname} is not a func ptr`);
        continue;
      }
      m.code = 'found';
      say('debug', `struct_ops init_kern ${map.name}: func ptr ${mname} is set to prog ${prog.name} from data(+${moff}) to kern_data(+${kernMoff})`, i);
      continue;
    }
    const msize = resolveSize(tv, mtype < 0 ? 0 : mtype);
    const kmsize = resolveSize(kv, kmtype < 0 ? 0 : kmtype);
    if (msize < 0 || kmsize < 0 || msize !== kmsize) {
      fail(`struct_ops init_kern ${map.name}: Error in size of member ${mname}: ${msize} != ${kmsize}(kernel)`);
      continue;
    }
    m.code = 'found';
    say('debug', `struct_ops init_kern ${map.name}: copy ${mname} ${msize} bytes from data(+${moff}) to kern_data(+${kernMoff})`, i);
  }
  return fit;
}
