import { Kind } from '../btf/kinds';
import type { Elf } from '../elf/elf';
import { ERRNO, type TypeView } from './types';

/** Linkages and ELF constants. */
const BTF_VAR_GLOBAL_EXTERN = 2;
const BTF_FUNC_EXTERN = 2;
const SHN_UNDEF = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STT_NOTYPE = 0;

/**
 * The extern checks of libbpf 1.1's bpf_object__collect_externs, which run at open: every undefined
 * GLOBAL/WEAK NOTYPE symbol must have an extern VAR or FUNC of that name in the object's BTF, placed in
 * a DATASEC named `.kconfig` or `.ksyms`. An object that fails them does not open, so libbpf relocates
 * nothing (and logs no CO-RE line). Objects meant to be linked first (bpftool gen object) fail here.
 * Returns the first failure, as libbpf logs it, or undefined.
 */
export function externOpenError(elf: Elf, tv: TypeView): { errno: number; message: string } | undefined {
  const btf = tv.btf;
  let byName: Map<string, number> | undefined;
  let secOf: Map<number, number> | undefined;
  for (const sym of elf.symbols()) {
    if (sym.shndx !== SHN_UNDEF || (sym.bind !== STB_GLOBAL && sym.bind !== STB_WEAK) || sym.type !== STT_NOTYPE) continue;
    if (!sym.name) continue;
    if (!byName) {
      // find_extern_btf_id: the first VAR or FUNC with the name decides (wrong linkage: -EINVAL)
      byName = new Map();
      secOf = new Map();
      for (let id = 1; id < btf.typeCount; id++) {
        const k = tv.kind(id);
        if (k === Kind.VAR || k === Kind.FUNC) {
          const n = tv.name(id) ?? '';
          if (!byName.has(n)) byName.set(n, id);
        } else if (k === Kind.DATASEC) {
          for (let j = 0; j < tv.vlen(id); j++) {
            const v = tv.word(id, j * 12);
            if (!secOf.has(v)) secOf.set(v, id);
          }
        }
      }
    }
    const id = byName.get(sym.name);
    let err = id === undefined ? -ERRNO.ENOENT : 0;
    if (id !== undefined) {
      const linkage = tv.kind(id) === Kind.VAR ? tv.word(id, 0) : tv.vlen(id);
      if (linkage !== (tv.kind(id) === Kind.VAR ? BTF_VAR_GLOBAL_EXTERN : BTF_FUNC_EXTERN)) err = -ERRNO.EINVAL;
    }
    if (err || id === undefined) return { errno: -err, message: `failed to find BTF for extern '${sym.name}': ${err}` };
    const sec = secOf!.get(id);
    if (sec === undefined) return { errno: ERRNO.ENOENT, message: `failed to find BTF for extern '${sym.name}' [${id}] section: ${-ERRNO.ENOENT}` };
    const secName = tv.name(sec);
    if (secName === '.kconfig') {
      if (tv.kind(id) === Kind.FUNC) return { errno: ERRNO.EOPNOTSUPP, message: `extern function ${sym.name} is unsupported under .kconfig section` };
    } else if (secName !== '.ksyms') {
      return { errno: ERRNO.EOPNOTSUPP, message: `unrecognized extern section '${secName}'` };
    }
  }
  return undefined;
}
