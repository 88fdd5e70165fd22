import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { type Elf, type ElfReloc, type ElfSection, type ElfSymbol, SHF_EXECINSTR, STT_FUNC, STT_SECTION } from '../elf/elf';
import type { CoreReloRec, FuncInfoRec, LineInfoRec } from '../ext/ext';
import type { BtfInput } from '../input';
import { type MapDef, readMapDef } from './maps';

export const INSN_SIZE = 8;

export interface ProgramFunction {
  name: string;
  /** First instruction slot (8-byte units) in the section. */
  start: number;
  /** Slots; 0 when the symbol has no size. */
  slots: number;
  global: boolean;
}

/** One executable ELF section of a BPF object, with the .BTF.ext records attached per instruction slot. */
export interface ProgramSection {
  section: ElfSection;
  name: string;
  bytes: Uint8Array;
  /** Number of 8-byte instruction slots (an ld_imm64 takes two). */
  slots: number;
  functions: ProgramFunction[];
  relocations: (ElfReloc & { symbolName: string })[];
  funcInfo: FuncInfoRec[];
  lineInfo: LineInfoRec[];
  coreRelo: CoreReloRec[];
}

export interface DataVar {
  name: string;
  varId: number;
  type: number;
  linkage: number;
  /** Filled from the ELF symbol when the stored offset is 0, as libbpf does at load. */
  offset: number;
  size: number;
}

export interface DataSection {
  name: string;
  datasecId: number;
  /** Filled from the ELF section size when stored as 0. */
  size: number;
  storedSize: number;
  vars: DataVar[];
}

export interface BpfObject {
  input: BtfInput;
  programs: ProgramSection[];
  maps: MapDef[];
  license?: string;
  dataSections: DataSection[];
}

/** Programs, maps, license and global data of an opened BPF object (or any ELF with BTF). */
export function describeObject(input: BtfInput): BpfObject {
  const obj: BpfObject = { input, programs: [], maps: [], dataSections: [] };
  const { elf, btf, ext } = input;
  if (!elf) return obj;
  const syms = elf.symbols();
  const lic = elf.section('license');
  if (lic) {
    const b = elf.data(lic);
    const z = b.indexOf(0);
    obj.license = new TextDecoder().decode(b.subarray(0, z < 0 ? b.length : z));
  }
  if (elf.isBpf) {
    for (const sec of elf.sections) {
      if (!(sec.flags & SHF_EXECINSTR) || sec.size === 0) continue;
      obj.programs.push(programSection(elf, sec, syms, input));
    }
    if (ext) {
      for (const p of obj.programs) {
        p.funcInfo = ext.funcInfo.find((s) => s.name === p.name)?.records ?? [];
        p.lineInfo = ext.lineInfo.find((s) => s.name === p.name)?.records ?? [];
        p.coreRelo = ext.coreRelo.find((s) => s.name === p.name)?.records ?? [];
      }
    }
  }
  if (btf) {
    for (let id = btf.startId; id < btf.typeCount; id++) {
      if (btf.kind(id) !== Kind.DATASEC) continue;
      const name = btf.name(id);
      const loc = btf.locate(id)!;
      const v = loc.btf.view;
      const n = btf.vlen(id);
      if (name === '.maps') {
        for (let i = 0; i < n; i++) {
          const varId = v.u32(loc.off + 12 + i * 12);
          if (btf.kind(varId) !== Kind.VAR) continue;
          obj.maps.push(readMapDef(btf, btf.name(varId), varId, btf.sizeOrType(varId)));
        }
      }
      const esec = elf.section(name);
      const storedSize = btf.sizeOrType(id);
      const ds: DataSection = { name, datasecId: id, storedSize, size: storedSize || esec?.size || 0, vars: [] };
      for (let i = 0; i < n; i++) {
        const p = loc.off + 12 + i * 12;
        const varId = v.u32(p);
        const vname = btf.name(varId);
        let offset = v.u32(p + 4);
        if (offset === 0 && esec) {
          const sym = syms.find((s) => s.shndx === esec.index && s.name === vname && s.type !== STT_SECTION);
          if (sym) offset = sym.value;
        }
        const vl = btf.locate(varId);
        ds.vars.push({
          name: vname, varId, type: btf.kind(varId) === Kind.VAR ? btf.sizeOrType(varId) : 0,
          linkage: vl && btf.kind(varId) === Kind.VAR ? vl.btf.view.u32(vl.off + 12) : 0,
          offset, size: v.u32(p + 8),
        });
      }
      obj.dataSections.push(ds);
    }
  }
  return obj;
}

function programSection(elf: Elf, sec: ElfSection, syms: ElfSymbol[], _input: BtfInput): ProgramSection {
  const bytes = elf.data(sec);
  const functions = syms
    .filter((s) => s.shndx === sec.index && s.type === STT_FUNC)
    .map((s) => ({ name: s.name, start: Math.floor(s.value / INSN_SIZE), slots: Math.floor(s.size / INSN_SIZE), global: s.bind !== 0 }))
    .sort((a, b) => a.start - b.start);
  const relocations = elf.relocations(sec).map((r) => ({ ...r, symbolName: symbolName(elf, syms, r.symbol) }));
  return { section: sec, name: sec.name, bytes, slots: Math.floor(bytes.length / INSN_SIZE), functions, relocations, funcInfo: [], lineInfo: [], coreRelo: [] };
}

/** A relocation's symbol as tools print it: its name, or its section's name for section symbols. */
function symbolName(elf: Elf, syms: ElfSymbol[], index: number): string {
  const s = syms[index];
  if (!s) return '';
  if (s.type === STT_SECTION) return elf.sections[s.shndx]?.name ?? '';
  return s.name;
}

/** Counts per BTF kind name over a BTF's own types. */
export function kindCounts(btf: Btf): Map<number, number> {
  const m = new Map<number, number>();
  for (let id = btf.startId; id < btf.typeCount; id++) {
    const k = btf.kind(id);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
