/**
 * The least ELF reading the instruction tests need: code sections with their symbols and relocations,
 * shaped as renderSection's input. A stand-in until the core ELF reader (server/src/core/elf) replaces it;
 * it trusts its input (test fixtures and generated objects) and throws on anything malformed.
 */
import {
  bpfRelocTypeName,
  type ListingReloc,
  type ListingSymbol,
  renderFileHeader,
  renderSection,
  type ListingOptions,
  type SectionListing,
} from '../../server/src/core/insn/objdump';

const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHF_EXECINSTR = 0x4;
const STT_SECTION = 3;

export interface ElfSectionInfo {
  index: number;
  name: string;
  type: number;
  flags: number;
  bytes: Uint8Array;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfSymbolInfo {
  name: string;
  value: bigint;
  size: bigint;
  type: number;
  shndx: number;
}

export interface MiniElf {
  littleEndian: boolean;
  sections: ElfSectionInfo[];
  symbols: ElfSymbolInfo[];
}

function cstr(b: Uint8Array, off: number): string {
  let end = off;
  while (end < b.length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

export function readElf(file: Uint8Array): MiniElf {
  if (file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46 || file[4] !== 2) {
    throw new Error('not an ELF64 file');
  }
  const le = file[5] === 1;
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const u64 = (o: number) => dv.getBigUint64(o, le);
  const shoff = Number(u64(0x28));
  const shentsize = u16(0x3a);
  let shnum = u16(0x3c);
  let shstrndx = u16(0x3e);
  if (shnum === 0 && shoff !== 0) shnum = Number(u64(shoff + 0x20)); // more than 0xff00 sections
  if (shstrndx === 0xffff) shstrndx = u32(shoff + 0x28);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const type = u32(h + 4);
    const off = Number(u64(h + 0x18));
    const size = Number(u64(h + 0x20));
    raw.push({
      nameOff: u32(h),
      type,
      flags: Number(u64(h + 8)),
      bytes: type === SHT_NOBITS ? new Uint8Array(0) : file.subarray(off, off + size),
      link: u32(h + 0x28),
      info: u32(h + 0x2c),
      entsize: Number(u64(h + 0x38)),
    });
  }
  const shstr = raw[shstrndx]!.bytes;
  const sections = raw.map((s, index) => ({ index, name: cstr(shstr, s.nameOff), ...s }));
  const symbols: ElfSymbolInfo[] = [];
  const symtab = sections.find((s) => s.type === 2);
  if (symtab) {
    const strtab = sections[symtab.link]!.bytes;
    const sv = new DataView(symtab.bytes.buffer, symtab.bytes.byteOffset, symtab.bytes.byteLength);
    for (let o = 0; o + 24 <= symtab.bytes.length; o += 24) {
      symbols.push({
        name: cstr(strtab, sv.getUint32(o, le)),
        type: symtab.bytes[o + 4]! & 0xf,
        shndx: sv.getUint16(o + 6, le),
        value: sv.getBigUint64(o + 8, le),
        size: sv.getBigUint64(o + 16, le),
      });
    }
  }
  return { littleEndian: le, sections, symbols };
}

/** Each executable section of `elf` as renderSection wants it, in section-header order. */
export function codeSections(elf: MiniElf): SectionListing[] {
  const out: SectionListing[] = [];
  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0 || sec.type === SHT_NOBITS) continue;
    const symbols: ListingSymbol[] = elf.symbols
      .filter((s) => s.shndx === sec.index)
      .map((s) => ({ name: s.name, value: s.value, type: s.type, size: s.size }));
    const relocations: ListingReloc[] = [];
    for (const rs of elf.sections) {
      if ((rs.type !== SHT_REL && rs.type !== SHT_RELA) || rs.info !== sec.index) continue;
      const ent = rs.type === SHT_RELA ? 24 : 16;
      const dv = new DataView(rs.bytes.buffer, rs.bytes.byteOffset, rs.bytes.byteLength);
      for (let o = 0; o + ent <= rs.bytes.length; o += ent) {
        const info = dv.getBigUint64(o + 8, elf.littleEndian);
        const symIndex = Number(info >> 32n);
        const addend = rs.type === SHT_RELA ? dv.getBigInt64(o + 16, elf.littleEndian) : 0n;
        relocations.push({
          offset: Number(dv.getBigUint64(o, elf.littleEndian)),
          type: bpfRelocTypeName(Number(info & 0xffffffffn)),
          target: relocTarget(elf, symIndex) + (addend === 0n ? '' : addend < 0n ? `-0x${(-addend).toString(16)}` : `+0x${addend.toString(16)}`),
        });
      }
    }
    out.push({ name: sec.name, bytes: sec.bytes, littleEndian: elf.littleEndian, symbols, relocations });
  }
  return out;
}

function relocTarget(elf: MiniElf, symIndex: number): string {
  if (symIndex === 0) return '*ABS*';
  const sym = elf.symbols[symIndex]!;
  return sym.type === STT_SECTION ? elf.sections[sym.shndx]!.name : sym.name;
}

/** The whole `llvm-objdump -d [-r] [--no-show-raw-insn] <fileName>` output for `file` (`-r` unless relocs is false). */
export function objdumpText(fileName: string, file: Uint8Array, opts: ListingOptions & { relocs?: boolean } = {}): string {
  const elf = readElf(file);
  const sections = codeSections(elf).map((s) => (opts.relocs === false ? { ...s, relocations: undefined } : s));
  return renderFileHeader(fileName) + sections.map((s) => renderSection(s, opts)).join('');
}
