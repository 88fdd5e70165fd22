/**
 * An ELF file's code sections shaped as renderSection's input: what `llvm-objdump -d -r` reads from the
 * ELF (executable sections, their symbols, the relocations that apply to them), through the core ELF reader.
 */
import { type Elf, SHF_EXECINSTR, SHT_NOBITS, STT_SECTION } from '../elf/elf';
import { bpfRelocTypeName, type ListingReloc, type ListingSymbol, type SectionListing } from './objdump';

/** Every executable section of `elf` (llvm-objdump -d's choice), in section-header order. */
export function elfCodeListings(elf: Elf, withRelocations = true): SectionListing[] {
  const out: SectionListing[] = [];
  const syms = elf.symbols();
  for (const sec of elf.sections) {
    if ((sec.flags & SHF_EXECINSTR) === 0 || sec.type === SHT_NOBITS) continue;
    const symbols: ListingSymbol[] = [];
    for (const s of syms) if (s.shndx === sec.index && s.index !== 0) symbols.push({ name: s.name, value: s.value, type: s.type, size: s.size });
    let relocations: ListingReloc[] | undefined;
    if (withRelocations) {
      relocations = elf.relocations(sec).map((r) => ({
        offset: r.offset,
        type: bpfRelocTypeName(r.type),
        target: relocTarget(elf, r.symbol) + (r.addend === 0 ? '' : r.addend < 0 ? `-0x${(-r.addend).toString(16)}` : `+0x${r.addend.toString(16)}`),
      }));
    }
    out.push({ name: sec.name, bytes: elf.data(sec), littleEndian: elf.littleEndian, address: sec.addr, symbols, relocations });
  }
  return out;
}

/** llvm-objdump's name for a relocation's target: `*ABS*` for symbol 0, the section's name for a section symbol. */
function relocTarget(elf: Elf, symIndex: number): string {
  if (symIndex === 0) return '*ABS*';
  const sym = elf.symbols()[symIndex];
  if (!sym) return '<bad symbol>';
  return sym.type === STT_SECTION ? (elf.sections[sym.shndx]?.name ?? '') : sym.name;
}
