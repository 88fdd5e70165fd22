import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import type { Elf } from '../elf/elf';
import { ERRNO } from '../core-relo/types';

const STT_OBJECT = 1;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const BTF_VAR_STATIC = 0;
const BTF_VAR_GLOBAL_EXTERN = 2;

/**
 * libbpf 1.1.2's bpf_object_fixup_btf at open (btf_fixup_datasec): clang leaves DATASEC sizes and variable
 * offsets 0, libbpf takes them from the ELF section and the variables' GLOBAL/WEAK OBJECT symbols; a
 * DATASEC whose section is missing or empty, or a variable without a symbol, fails the open (with a debug
 * line, `line`). `.kconfig` and `.ksyms` are left as extern collection made them. Returns each DATASEC's
 * variables as libbpf left them (offsets fixed, sorted by offset), or libbpf's error.
 */
export function finalizeDatasecs(elf: Elf, btf: Btf): { err?: number; line?: string; vars: Map<number, { varId: number; offset: number }[]> } {
  const vars = new Map<number, { varId: number; offset: number }[]>();
  let symByName: Map<string, number> | undefined;
  const symOf = (name: string) => {
    if (!symByName) {
      symByName = new Map();
      for (const s of elf.symbols()) {
        if (s.type !== STT_OBJECT || (s.bind !== STB_GLOBAL && s.bind !== STB_WEAK)) continue;
        if (!symByName.has(s.name)) symByName.set(s.name, s.value);
      }
    }
    return symByName.get(name);
  };
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.DATASEC) continue;
    const name = btf.str(btf.nameOff(id)) ?? '';
    const loc = btf.locate(id);
    if (!loc) return { err: -ERRNO.EINVAL, vars };
    const list: { varId: number; offset: number }[] = [];
    for (let i = 0; i < btf.vlen(id); i++) {
      const at = loc.off + 12 + i * 12;
      list.push({ varId: loc.btf.view.u32(at), offset: loc.btf.view.u32(at + 4) });
    }
    if (name !== '.kconfig' && name !== '.ksyms') {
      const fixup = btf.sizeOrType(id) === 0;
      if (fixup) {
        const sec = elf.sections.find((s) => s.index > 0 && s.name === name);
        const size = sec?.size ?? 0;
        if (!sec || !size) {
          return { err: -ERRNO.ENOENT, line: `sec '${name}': failed to determine size from ELF: size ${size}, err ${sec ? 0 : -ERRNO.ENOENT}`, vars };
        }
      }
      for (const v of list) {
        if (!btf.owner(v.varId) || btf.kind(v.varId) !== Kind.VAR) return { err: -ERRNO.EINVAL, line: `sec '${name}': unexpected non-VAR type found`, vars };
        const l = btf.locate(v.varId)!;
        const linkage = l.btf.view.u32(l.off + 12);
        if (linkage === BTF_VAR_STATIC || linkage === BTF_VAR_GLOBAL_EXTERN) continue;
        const varName = btf.str(btf.nameOff(v.varId)) ?? '';
        const off = symOf(varName);
        if (off === undefined) return { err: -ERRNO.ENOENT, line: `sec '${name}': failed to find ELF symbol for VAR '${varName}'`, vars };
        if (fixup) v.offset = off;
      }
    }
    // qsort by offset (equal offsets in any order, as libbpf's)
    list.sort((a, b) => a.offset - b.offset);
    vars.set(id, list);
  }
  return { vars };
}
