import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import type { Elf } from '../elf/elf';
import { ERRNO } from '../core-relo/types';

const STT_OBJECT = 1;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const BTF_VAR_STATIC = 0;

/**
 * bpf_object__finalize_btf at open (btf_fixup_datasec): clang leaves DATASEC sizes and variable offsets 0,
 * libbpf takes them from the ELF section and the variables' GLOBAL/WEAK OBJECT symbols; a DATASEC whose section
 * is missing or empty, or a variable without a symbol, fails the open. Returns the DATASECs' variable
 * offsets as libbpf fixed them (by DATASEC ID, sorted by offset as libbpf sorts them), or libbpf's error.
 * `.kconfig`/`.ksyms` sections sized by extern collection are skipped as libbpf skips them.
 */
export function finalizeDatasecs(elf: Elf, btf: Btf, sized: Set<string>): { err?: number; vars: Map<number, { varId: number; offset: number }[]> } {
  const vars = new Map<number, { varId: number; offset: number }[]>();
  let symByName: Map<string, number> | undefined;
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.DATASEC) continue;
    const name = btf.str(btf.nameOff(id));
    if (name === undefined) return { err: -ERRNO.ENOENT, vars };
    const loc = btf.locate(id);
    if (!loc) return { err: -ERRNO.EINVAL, vars };
    const n = btf.vlen(id);
    const list: { varId: number; offset: number }[] = [];
    for (let i = 0; i < n; i++) {
      const at = loc.off + 12 + i * 12;
      list.push({ varId: loc.btf.view.u32(at), offset: loc.btf.view.u32(at + 4) });
    }
    if (btf.sizeOrType(id) === 0 && !sized.has(name)) {
      const sec = elf.sections.find((s) => s.index > 0 && s.name === name);
      if (!sec || !sec.size) return { err: -ERRNO.ENOENT, vars };
      for (const v of list) {
        if (!btf.owner(v.varId) || btf.kind(v.varId) !== Kind.VAR) return { err: -ERRNO.EINVAL, vars };
        const l = btf.locate(v.varId)!;
        if (l.btf.view.u32(l.off + 12) === BTF_VAR_STATIC) continue;
        if (!symByName) {
          symByName = new Map();
          for (const s of elf.symbols()) {
            if (s.type !== STT_OBJECT || (s.bind !== STB_GLOBAL && s.bind !== STB_WEAK)) continue;
            if (!symByName.has(s.name)) symByName.set(s.name, s.value);
          }
        }
        const off = symByName.get(btf.str(btf.nameOff(v.varId)) ?? '');
        if (off === undefined) return { err: -ERRNO.ENOENT, vars };
        v.offset = off;
      }
    }
    // qsort by offset (not stable: equal offsets in any order, as libbpf's)
    list.sort((a, b) => a.offset - b.offset);
    vars.set(id, list);
  }
  return { vars };
}
