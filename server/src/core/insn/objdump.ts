/**
 * A code section as `llvm-objdump -d -r` (LLVM 14) prints it, byte for byte, so our view and the tool's
 * can be diffed. The layout rules below are llvm-objdump's, not the ISA's:
 *
 *  - the section is cut into chunks at symbol addresses; each chunk gets a `<name>:` line. Several symbols
 *    at one address: only the last in (address, name, type) order gets a line. No symbol at 0: a dummy
 *    named after the section is added;
 *  - a chunk of an STT_OBJECT/STT_COMMON symbol is dumped as data, not disassembled;
 *  - runs of >= 8 zero bytes are printed as `...` (skipping a multiple of 4), but never past the next
 *    relocation, so decoding can resume at an offset that is not a multiple of 8;
 *  - an instruction is decoded from the bytes up to the end of the section, not of its chunk, so an
 *    ld_imm64 can run into the next chunk, which then starts in its middle;
 *  - undecodable bytes print as `<unknown>`, a whole slot at a time, or a byte at a time when fewer bytes
 *    remain than the instruction needs;
 *  - the address column is the byte offset / 8 in decimal; relocations are printed after the instruction
 *    whose bytes they fall in (or after the next one, when they fall in skipped or dumped bytes);
 *  - jump targets are named after the nearest symbol at or below them, `<sym+0xdisp>` when not exact.
 */
import { ByteView } from '../util/bytes';
import { type Dialect, type FormattedInsn, formatInsn } from './format';

/** ELF symbol types llvm-objdump treats specially. */
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_COMMON = 5;

export interface ListingSymbol {
  name: string;
  /** st_value: for a relocatable object, the offset in the section. */
  value: number | bigint;
  /** st_type (STT_*). */
  type: number;
  /** st_size; llvm-objdump uses it as the address of an STT_COMMON symbol. */
  size?: number | bigint;
}

export interface ListingReloc {
  /** r_offset: byte offset in the section. */
  offset: number;
  /** The type as llvm-objdump names it, e.g. `R_BPF_64_64` (see bpfRelocTypeName). */
  type: string;
  /**
   * What llvm-objdump prints for the target: the symbol name; the section name for an STT_SECTION symbol;
   * `*ABS*` for symbol index 0; followed by `+0x..`/`-0x..` for a non-zero RELA addend.
   */
  target: string;
}

export interface SectionListing {
  name: string;
  bytes: Uint8Array;
  littleEndian: boolean;
  /** sh_addr; 0 in relocatable objects. */
  address?: number;
  /** The symbols whose st_shndx is this section, in symbol-table order. STT_SECTION and unnamed ones are ignored. */
  symbols?: readonly ListingSymbol[];
  /** The relocations that apply to this section, in file order; omit to print like `-d` without `-r`. */
  relocations?: readonly ListingReloc[];
  /** False for a section without SHF_EXECINSTR disassembled anyway (no data dumps for object symbols). */
  isText?: boolean;
}

export interface ListingOptions {
  /** Print the instruction bytes, as llvm-objdump does unless given --no-show-raw-insn. Default true. */
  rawInsn?: boolean;
  dialect?: Dialect;
  /**
   * Extra lines around an instruction (btf-lens disasm's source lines and CO-RE notes), given its byte
   * offset in the section: `before` is printed ahead of the instruction line, `after` behind it and its
   * relocations. Each is whole lines, newline-terminated, or undefined. Without notes the text is llvm-objdump's.
   */
  notes?: { before?(offset: number): string | undefined; after?(offset: number): string | undefined };
}

/** The lines llvm-objdump prints before the first section, for a file named `fileName`. */
export function renderFileHeader(fileName: string): string {
  return `\n${fileName}:\tfile format elf64-bpf\n`;
}

/** llvm-objdump's name for a BPF relocation type (ELFRelocs/BPF.def); unknown numbers print as `Unknown`. */
export function bpfRelocTypeName(type: number): string {
  return BPF_RELOC_NAMES.get(type) ?? 'Unknown';
}
const BPF_RELOC_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'R_BPF_NONE'],
  [1, 'R_BPF_64_64'],
  [2, 'R_BPF_64_ABS64'],
  [3, 'R_BPF_64_ABS32'],
  [4, 'R_BPF_64_NODYLD32'],
  [10, 'R_BPF_64_32'],
]);

interface Sym {
  name: string;
  addr: bigint;
  type: number;
}

/** What a listing line is: so a reader takes the instructions and their relocations by kind, not by their text. */
export type ListingLineKind =
  /** `\nDisassembly of section NAME:\n` */
  | 'heading'
  /** `\n0000000000000000 <sym>:\n` */
  | 'label'
  /** An instruction, `<unknown>` included. */
  | 'insn'
  /** A relocation, printed after the instruction it falls in (or the next one). */
  | 'reloc'
  /** `\t\t...`: a run of zero bytes skipped. */
  | 'skip'
  /** A hex and ASCII line of an object symbol's bytes. */
  | 'data'
  /** ListingOptions.notes' lines. */
  | 'note';

/** One piece of renderSection's text; the pieces' texts joined are that text, byte for byte. */
export interface ListingLine {
  kind: ListingLineKind;
  /** As printed, newline(s) included. */
  text: string;
  /** insn, reloc and note lines: the address column of their instruction (its byte offset + sh_addr, / 8). */
  slot?: number;
}

/**
 * The section as llvm-objdump 14 prints it with `-d` (and `-r` when relocations are given): from the
 * blank line before `Disassembly of section` to the last instruction's newline; '' when it prints nothing.
 */
export function renderSection(sec: SectionListing, opts: ListingOptions = {}): string {
  const out: string[] = [];
  walkSection(sec, opts, (_kind, text) => out.push(text));
  return out.join('');
}

/** renderSection's text as its lines, each with its kind and slot. */
export function listSection(sec: SectionListing, opts: ListingOptions = {}): ListingLine[] {
  const out: ListingLine[] = [];
  walkSection(sec, opts, (kind, text, slot) => out.push(slot === undefined ? { kind, text } : { kind, text, slot }));
  return out;
}

type Emit = (kind: ListingLineKind, text: string, slot?: number) => void;

function walkSection(sec: SectionListing, opts: ListingOptions, emit: Emit): void {
  const raw = opts.rawInsn ?? true;
  const dialect = opts.dialect ?? 'llvm14';
  const notes = opts.notes;
  const bytes = sec.bytes;
  const view = new ByteView(bytes, sec.littleEndian);
  const secAddr = sec.address ?? 0;
  const size = bytes.length;
  const syms = sortedSymbols(sec);
  const rels = sec.relocations ? sortedRelocs(sec.relocations) : [];
  let relCur = 0;
  let started = false;
  const insn: FormattedInsn = { size: 0, text: undefined, target: undefined };
  const secStart = BigInt(secAddr);
  const secEnd = secStart + BigInt(size);

  for (let si = 0; si < syms.length; si++) {
    const sym = syms[si]!;
    if (sym.addr < secStart || sym.addr >= secEnd) continue;
    let endAddr = secEnd;
    if (si + 1 < syms.length && syms[si + 1]!.addr < endAddr) endAddr = syms[si + 1]!.addr;
    if (sym.addr >= endAddr) continue;
    const start = Number(sym.addr - secStart);
    const end = Number(endAddr - secStart);

    if (!started) emit('heading', `\nDisassembly of section ${sec.name}:\n`);
    started = true;
    emit('label', `\n${hex16(secStart + BigInt(start))} <${sym.name}>:\n`);

    let index = start;
    if ((sec.isText ?? true) && (sym.type === STT_OBJECT || sym.type === STT_COMMON)) {
      dumpData(emit, bytes, secAddr, index, end);
      index = end;
    }
    while (index < end) {
      let maxOffset = end - index;
      // A relocation behind us (e.g. inside dumped data) wraps around in llvm-objdump's unsigned math and so does not limit.
      if (relCur < rels.length && rels[relCur]!.offset >= index) maxOffset = Math.min(rels[relCur]!.offset - index, maxOffset);
      const zeros = skippableZeros(bytes, index, maxOffset);
      if (zeros !== 0) {
        emit('skip', '\t\t...\n');
        index += zeros;
        continue;
      }
      formatInsn(view, index, dialect, insn);
      const n = insn.size === 0 ? 1 : insn.size;
      const slot = Math.floor((secAddr + index) / 8);
      const before = notes?.before?.(index);
      if (before) emit('note', before, slot);
      let line = `${pad8(slot)}:`;
      if (raw) line += '\t' + hexBytes(bytes, index, n);
      line += insn.text === undefined ? '\t<unknown>' : '\t' + insn.text;
      if (insn.text !== undefined && insn.target !== undefined) line += targetLabel(syms, secAddr + insn.target);
      emit('insn', line + '\n', slot);
      while (relCur < rels.length && rels[relCur]!.offset < index + n) {
        const rel = rels[relCur++]!;
        emit('reloc', `\t\t${hex16(BigInt(secAddr + rel.offset))}:  ${rel.type}\t${rel.target}\n`, slot);
      }
      const after = notes?.after?.(index);
      if (after) emit('note', after, slot);
      index += n;
    }
  }
}

/** Section symbols as llvm-objdump keeps them: named, not STT_SECTION, sorted, with the dummy at the start. */
function sortedSymbols(sec: SectionListing): Sym[] {
  const syms: Sym[] = [];
  for (const s of sec.symbols ?? []) {
    if (s.name === '' || s.type === STT_SECTION) continue;
    // ObjectFile::getSymbolValue answers st_size for common symbols, wherever they live.
    const addr = BigInt.asUintN(64, BigInt(s.type === STT_COMMON ? (s.size ?? 0) : s.value));
    syms.push({ name: s.name, addr, type: s.type });
  }
  // Array.prototype.sort is stable, as is llvm-objdump's stable_sort.
  syms.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : compareBytes(a.name, b.name) || a.type - b.type));
  // llvm-objdump compares with 0, not with the section address.
  if (syms.length === 0 || syms[0]!.addr !== 0n) {
    syms.unshift({ name: sec.name, addr: BigInt(sec.address ?? 0), type: (sec.isText ?? true) ? STT_FUNC : STT_OBJECT });
  }
  return syms;
}

function sortedRelocs(rels: readonly ListingReloc[]): ListingReloc[] {
  return rels.slice().sort((a, b) => a.offset - b.offset);
}

/** StringRef order: by UTF-8 bytes, which is code point order (not JS's UTF-16 unit order). */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** ` <sym>` or ` <sym+0xdisp>` for a jump to byte address `target` (negative targets wrap as in uint64). */
function targetLabel(syms: readonly Sym[], target: number): string {
  const t = BigInt.asUintN(64, BigInt(target));
  // The last symbol at or below the target (the dummy guarantees one in a relocatable object).
  let lo = 0;
  let hi = syms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (syms[mid]!.addr <= t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return '';
  const sym = syms[lo - 1]!;
  const disp = t - sym.addr;
  return disp === 0n ? ` <${sym.name}>` : ` <${sym.name}+0x${disp.toString(16)}>`;
}

/** llvm-objdump's countSkippableZeroBytes: at least 8 zeros, skipped in multiples of 4. */
function skippableZeros(bytes: Uint8Array, index: number, max: number): number {
  const limit = Math.min(bytes.length, index + max);
  let i = index;
  while (i < limit && bytes[i] === 0) i++;
  const n = i - index;
  return n < 8 ? 0 : n & ~3;
}

/** llvm-objdump's dumpELFData: 8 bytes a line, hex then printable ASCII. */
function dumpData(emit: Emit, bytes: Uint8Array, secAddr: number, index: number, end: number): void {
  let line = '';
  let ascii = '';
  for (let i = index; i < end; i++) {
    if (ascii.length === 0) line = (secAddr + i).toString(16).padStart(8, ' ') + ':';
    const b = bytes[i]!;
    line += ' ' + b.toString(16).padStart(2, '0');
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    if (ascii.length === 8 || i === end - 1) {
      emit('data', line + ' '.repeat(3 * (8 - ascii.length)) + '         ' + ascii + '\n');
      ascii = '';
    }
  }
}

function hexBytes(bytes: Uint8Array, from: number, n: number): string {
  let s = HEX[bytes[from]!]!;
  for (let i = from + 1; i < from + n; i++) s += HEX_SP[bytes[i]!]!;
  return s;
}
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_SP: readonly string[] = HEX.map((h) => ' ' + h);

function hex16(n: bigint): string {
  return BigInt.asUintN(64, n).toString(16).padStart(16, '0');
}

function pad8(n: number): string {
  const s = String(n);
  return s.length >= 8 ? s : SPACES[8 - s.length] + s;
}
const SPACES: readonly string[] = Array.from({ length: 9 }, (_, i) => ' '.repeat(i));
