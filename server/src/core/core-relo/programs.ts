import type { Elf } from '../elf/elf';
import { SHF_EXECINSTR, STT_FUNC } from '../elf/elf';
import { LIBBPF_ERRNO } from './types';

/**
 * BPF programs as libbpf 1.1.2 cuts them out of an object at open (bpf_object__elf_collect,
 * bpf_object__add_programs): every STT_FUNC symbol of a non-empty executable PROGBITS section is a
 * program named after the symbol, `.text` functions being subprograms; programs are sorted by
 * (section index, first instruction). CO-RE relocation happens per program, before subprograms are
 * appended to the programs that call them, so `insn #I` in libbpf's CO-RE log counts from the
 * function's own first instruction.
 */
export interface LibbpfProgram {
  name: string;
  secIdx: number;
  secName: string;
  /** First instruction, in 8-byte slots from the start of the section (sec_insn_off). */
  insnOff: number;
  insnCnt: number;
  /** false for SEC("?...") programs: libbpf skips their CO-RE relocations. */
  autoload: boolean;
  /** A function of `.text`. */
  subprog: boolean;
}

export interface LibbpfPrograms {
  programs: LibbpfProgram[];
  textShndx: number;
  /** Why libbpf's bpf_object__open would fail (then nothing is relocated). */
  openError?: { errno: number; message: string };
}

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_LLVM_ADDRSIG = 0x6fff4c03;
const STB_LOCAL = 0;
const INSN_SZ = 8;

function isDwarf(name: string): boolean {
  return name.startsWith('.debug_');
}

/** ignore_elf_section */
function ignored(type: number, size: number, name: string): boolean {
  if (type === SHT_STRTAB || type === SHT_LLVM_ADDRSIG) return true;
  if (type === SHT_PROGBITS && size === 0 && name === '.text') return true;
  if (isDwarf(name)) return true;
  if (name.startsWith('.rel')) {
    const rest = name.slice(4);
    if (isDwarf(rest) || rest === '.BTF' || rest === '.BTF.ext') return true;
  }
  return false;
}

export function libbpfPrograms(elf: Elf): LibbpfPrograms {
  const out: LibbpfPrograms = { programs: [], textShndx: 0 };
  const fail = (errno: number, message: string) => {
    out.openError = { errno, message };
    out.programs = [];
    return out;
  };
  const symtabs = elf.sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length === 0) return fail(2, "elf: couldn't find symbol table, stripped object file?");
  if (symtabs.length > 1) return fail(LIBBPF_ERRNO.FORMAT, 'elf: multiple symbol tables');
  const syms = elf.symbols();
  for (const sec of elf.sections) {
    if (sec.index === 0) continue;
    if (ignored(sec.type, sec.size, sec.name)) continue;
    if (sec.name === 'maps') return fail(95, "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+");
    if (sec.name === 'license' || sec.name === 'version' || sec.name === '.maps' || sec.name === '.BTF' || sec.name === '.BTF.ext') continue;
    if (sec.type !== SHT_PROGBITS || sec.size === 0 || !(sec.flags & SHF_EXECINSTR)) continue;
    if (sec.name === '.text') out.textShndx = sec.index;
    for (const sym of syms) {
      if (sym.shndx !== sec.index || sym.type !== STT_FUNC) continue;
      const size = sym.size;
      const off = sym.value;
      if (off + size > sec.size) return fail(LIBBPF_ERRNO.FORMAT, `sec '${sec.name}': program at offset ${off} crosses section boundary`);
      if (sec.index !== out.textShndx && sym.bind === STB_LOCAL) return fail(95, `sec '${sec.name}': program '${sym.name}' is static and not supported`);
      if (size === 0 || size % INSN_SZ || off % INSN_SZ) return fail(22, `sec '${sec.name}': corrupted program '${sym.name}', offset ${off}, size ${size}`);
      const autoload = !sec.name.startsWith('?');
      out.programs.push({
        name: sym.name, secIdx: sec.index, secName: autoload ? sec.name : sec.name.slice(1),
        insnOff: off / INSN_SZ, insnCnt: size / INSN_SZ, autoload, subprog: false,
      });
    }
  }
  for (const p of out.programs) p.subprog = p.secIdx === out.textShndx;
  out.programs.sort((a, b) => (a.secIdx !== b.secIdx ? a.secIdx - b.secIdx : a.insnOff - b.insnOff));
  return out;
}

/** find_prog_by_sec_insn: libbpf's binary search, including its answer when functions overlap. */
export function findProgBySecInsn(progs: LibbpfProgram[], secIdx: number, insnIdx: number): LibbpfProgram | undefined {
  if (progs.length === 0) return undefined;
  let l = 0;
  let r = progs.length - 1;
  while (l < r) {
    const m = l + Math.floor((r - l + 1) / 2);
    const p = progs[m]!;
    if (p.secIdx < secIdx || (p.secIdx === secIdx && p.insnOff <= insnIdx)) l = m;
    else r = m - 1;
  }
  const p = progs[l]!;
  return p.secIdx === secIdx && insnIdx >= p.insnOff && insnIdx < p.insnOff + p.insnCnt ? p : undefined;
}

/** elf_sec_by_name: the first section with that name (0 when none). */
export function secIdxByName(elf: Elf, name: string): number {
  for (const s of elf.sections) if (s.index > 0 && s.name === name) return s.index;
  return 0;
}
