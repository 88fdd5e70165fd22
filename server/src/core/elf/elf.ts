import { ByteView, cstring } from '../util/bytes';
import { type Problem, ProblemSink } from '../util/problems';
import type { ByteSource } from '../util/source';

export const EM_BPF = 247;
export const ET_REL = 1;
export const SHT_SYMTAB = 2;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  /** File offset of the contents. */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** sh_offset and sh_size as read, when either is past 2^53 (where `offset` and `size` are rounded): for messages. */
  exact?: { offset: bigint; size: bigint };
}

/** A section's size and offset as decimal text, exact even past 2^53. */
export function sectionSpan(sec: ElfSection): { offset: string; size: string } {
  return { offset: String(sec.exact?.offset ?? sec.offset), size: String(sec.exact?.size ?? sec.size) };
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  /** STT_* */
  type: number;
  /** STB_*: 0 local, 1 global, 2 weak */
  bind: number;
  visibility: number;
  shndx: number;
}

export interface ElfReloc {
  /** Offset in the target section. */
  offset: number;
  type: number;
  symbol: number;
  addend: number;
}

export interface ElfHeader {
  is64: boolean;
  littleEndian: boolean;
  type: number;
  machine: number;
  shoff: number;
  shnum: number;
  shstrndx: number;
}

/** What the first bytes of a file say it is, read without parsing further. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * An ELF file read through a ByteSource: the header, section headers and section-name table are
 * read on open; section contents, symbols and relocations only when asked for. Never throws.
 */
export class Elf {
  readonly header: ElfHeader | undefined;
  readonly sections: ElfSection[] = [];
  readonly problems: Problem[];
  private readonly sink: ProblemSink;
  private symbolCache: ElfSymbol[] | undefined;

  constructor(readonly src: ByteSource, readonly file?: string) {
    this.sink = new ProblemSink();
    this.problems = this.sink.problems;
    this.header = this.readHeaders();
    if (file) for (const p of this.problems) p.file ??= file;
  }

  private problem(offset: number, msg: string, warn = false): void {
    if (warn) this.sink.warn(offset, msg);
    else this.sink.error(offset, msg);
    const p = this.problems[this.problems.length - 1];
    if (p && this.file) p.file ??= this.file;
  }

  private readHeaders(): ElfHeader | undefined {
    const id = this.src.read(0, 64);
    if (!isElf(id)) {
      this.problem(0, 'not an ELF file (bad magic)');
      return undefined;
    }
    if (id.length < 16) {
      this.problem(id.length, 'ELF identification truncated');
      return undefined;
    }
    const cls = id[4];
    const data = id[5];
    if (cls !== 1 && cls !== 2) {
      this.problem(4, `unknown ELF class ${cls}`);
      return undefined;
    }
    if (data !== 1 && data !== 2) {
      this.problem(5, `unknown ELF data encoding ${data}`);
      return undefined;
    }
    const is64 = cls === 2;
    const ehsize = is64 ? 64 : 52;
    if (id.length < ehsize) {
      this.problem(id.length, `ELF header truncated: ${id.length} bytes, need ${ehsize}`);
      return undefined;
    }
    const v = new ByteView(id, data === 1);
    const h: ElfHeader = {
      is64, littleEndian: data === 1, type: v.u16(16), machine: v.u16(18),
      shoff: is64 ? v.u64n(40) : v.u32(32),
      shnum: v.u16(is64 ? 60 : 48), shstrndx: v.u16(is64 ? 62 : 50),
    };
    const shentsize = v.u16(is64 ? 58 : 46);
    const want = is64 ? 64 : 40;
    if (h.shoff === 0) return h; // no section headers: nothing else to read
    if (shentsize < want) {
      this.problem(is64 ? 58 : 46, `ELF section header size ${shentsize} is smaller than ${want}`);
      return h;
    }
    // shnum 0 with a non-zero shoff: the real count is in section 0's sh_size (ELF extended numbering).
    let shnum = h.shnum;
    let shstrndx = h.shstrndx;
    const first = this.src.read(h.shoff, shentsize);
    if (first.length < want) {
      this.problem(h.shoff, `section header table at offset ${h.shoff} lies past the end of the file (${this.src.size} bytes)`);
      return h;
    }
    const fv = new ByteView(first, h.littleEndian);
    if (shnum === 0) shnum = is64 ? fv.u64n(32) : fv.u32(20);
    if (shstrndx === 0xffff) shstrndx = is64 ? fv.u32(44) : fv.u32(24);
    const tableLen = shnum * shentsize;
    if (h.shoff + tableLen > this.src.size) {
      this.problem(h.shoff, `section header table (${shnum} × ${shentsize} bytes at ${h.shoff}) runs past the end of the file (${this.src.size} bytes)`);
      shnum = Math.max(0, Math.floor((this.src.size - h.shoff) / shentsize));
    }
    const table = new ByteView(this.src.read(h.shoff, shnum * shentsize), h.littleEndian);
    const nameOffs: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      nameOffs.push(table.u32(o));
      this.sections.push(is64
        ? { index: i, name: '', type: table.u32(o + 4), flags: table.u64n(o + 8), addr: table.u64n(o + 16), offset: table.u64n(o + 24),
            size: table.u64n(o + 32), link: table.u32(o + 40), info: table.u32(o + 44), addralign: table.u64n(o + 48), entsize: table.u64n(o + 56),
            ...exactSpan(table.u64(o + 24), table.u64(o + 32)) }
        : { index: i, name: '', type: table.u32(o + 4), flags: table.u32(o + 8), addr: table.u32(o + 12), offset: table.u32(o + 16),
            size: table.u32(o + 20), link: table.u32(o + 24), info: table.u32(o + 28), addralign: table.u32(o + 32), entsize: table.u32(o + 36) });
    }
    h.shnum = shnum;
    h.shstrndx = shstrndx;
    const strSec = this.sections[shstrndx];
    if (!strSec) {
      if (shnum > 0) this.problem(is64 ? 62 : 50, `section name table index ${shstrndx} is out of range (${shnum} sections)`);
      return h;
    }
    const names = this.data(strSec);
    for (let i = 0; i < shnum; i++) {
      const n = cstring(names, nameOffs[i]!);
      if (n === undefined && nameOffs[i] !== 0) this.problem(h.shoff + i * shentsize, `section ${i} has a name offset ${nameOffs[i]} outside the name table`, true);
      this.sections[i]!.name = n ?? '';
    }
    return h;
  }

  get littleEndian(): boolean {
    return this.header?.littleEndian ?? true;
  }

  get isBpf(): boolean {
    return this.header?.machine === EM_BPF;
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's contents; empty for SHT_NOBITS. Truncated sections are reported and cut short. */
  data(sec: ElfSection): Uint8Array {
    if (sec.type === SHT_NOBITS || sec.size === 0) return new Uint8Array(0);
    if (sec.flags & SHF_COMPRESSED) {
      this.problem(sec.offset, `section ${sec.name || sec.index} is compressed (SHF_COMPRESSED), which is not supported`);
      return new Uint8Array(0);
    }
    if (sec.offset > this.src.size || sec.offset + sec.size > this.src.size) {
      const span = sectionSpan(sec);
      this.problem(sec.offset, `section ${sec.name || sec.index} (${span.size} bytes at offset ${span.offset}) runs past the end of the file (${this.src.size} bytes)`);
    }
    return this.src.read(sec.offset, Math.min(sec.size, Math.max(0, this.src.size - sec.offset)));
  }

  /** The symbol table (read once). */
  symbols(): ElfSymbol[] {
    if (this.symbolCache) return this.symbolCache;
    const out: ElfSymbol[] = [];
    this.symbolCache = out;
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab || !this.header) return out;
    const is64 = this.header.is64;
    const entsize = is64 ? 24 : 16;
    const v = new ByteView(this.data(symtab), this.littleEndian);
    const strs = this.sections[symtab.link] ? this.data(this.sections[symtab.link]!) : new Uint8Array(0);
    const n = Math.floor(v.length / entsize);
    for (let i = 0; i < n; i++) {
      const o = i * entsize;
      const nameOff = v.u32(o);
      const info = is64 ? v.u8(o + 4) : v.u8(o + 12);
      out.push({
        index: i, name: cstring(strs, nameOff) ?? '',
        value: is64 ? v.u64n(o + 8) : v.u32(o + 4),
        size: is64 ? v.u64n(o + 16) : v.u32(o + 8),
        type: info & 0xf, bind: info >> 4,
        visibility: (is64 ? v.u8(o + 5) : v.u8(o + 13)) & 3,
        shndx: is64 ? v.u16(o + 6) : v.u16(o + 14),
      });
    }
    return out;
  }

  /** Relocations that apply to section `target` (from every SHT_REL/SHT_RELA whose sh_info names it). */
  relocations(target: ElfSection): ElfReloc[] {
    const out: ElfReloc[] = [];
    if (!this.header) return out;
    const is64 = this.header.is64;
    for (const s of this.sections) {
      if ((s.type !== SHT_REL && s.type !== SHT_RELA) || s.info !== target.index) continue;
      const rela = s.type === SHT_RELA;
      const entsize = is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
      const v = new ByteView(this.data(s), this.littleEndian);
      for (let o = 0; o + entsize <= v.length; o += entsize) {
        if (is64) {
          const info = v.u64(o + 8);
          out.push({ offset: v.u64n(o), symbol: Number(info >> 32n), type: Number(info & 0xffffffffn), addend: rela ? Number(v.i64(o + 16)) : 0 });
        } else {
          const info = v.u32(o + 4);
          out.push({ offset: v.u32(o), symbol: info >>> 8, type: info & 0xff, addend: rela ? v.i32(o + 8) : 0 });
        }
      }
    }
    out.sort((a, b) => a.offset - b.offset);
    return out;
  }
}

export type { Problem };

function exactSpan(offset: bigint, size: bigint): { exact?: { offset: bigint; size: bigint } } {
  return offset > MAX_SAFE || size > MAX_SAFE ? { exact: { offset, size } } : {};
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
