/**
 * `btf-lens disasm`: llvm-objdump's `-d -r` listing of a BPF object with the object's own .BTF.ext
 * interleaved as comment lines, so it reads without DWARF or the source files:
 *   `; <line>:<col>  <source text>` before the first instruction of each line_info record (except line 0,
 *   compiler-made code, and exact repeats; `; file <name>` first whenever the file changes in the section),
 *   `; CO-RE <libbpf spec text>` after an instruction carrying a CO-RE relocation.
 * **Invariant:** every added line starts with `;`, and deleting those lines leaves exactly what
 * `llvm-objdump -d -r [--no-show-raw-insn]` (LLVM 14) prints (checked by scripts/check-disasm.ts).
 */
import type { Btf } from '../btf/btf';
import { describeCoreRelo } from '../core-relo/spec';
import type { BtfExt } from '../ext/ext';
import type { BtfInput } from '../input';
import { elfCodeListings } from '../insn/listing';
import { type ListingOptions, renderFileHeader, renderSection } from '../insn/objdump';

export interface DisasmOptions {
  /** Only the code section of this name. */
  section?: string;
  /** Print instruction bytes (llvm-objdump's default); false = --no-show-raw-insn. Default true. */
  rawInsn?: boolean;
  /** Interleave .BTF.ext notes. Default true; false gives llvm-objdump's text alone. */
  notes?: boolean;
  /** The file name printed in the header line (llvm-objdump prints the path it was given). */
  fileName?: string;
}

export interface DisasmResult {
  text: string;
  /** Names of the code sections (for a message when `section` matched none). */
  sections: string[];
  matched: boolean;
}

export function disasmObject(input: BtfInput, opts: DisasmOptions = {}): DisasmResult {
  const elf = input.elf;
  if (!elf) return { text: '', sections: [], matched: false };
  const listings = elfCodeListings(elf);
  const chosen = opts.section === undefined ? listings : listings.filter((l) => l.name === opts.section);
  let text = renderFileHeader(opts.fileName ?? input.file);
  for (const l of chosen) {
    const lo: ListingOptions = { rawInsn: opts.rawInsn ?? true };
    if ((opts.notes ?? true) && input.btf && input.ext) lo.notes = sectionNotes(input.btf, input.ext, l.name);
    text += renderSection(l, lo);
  }
  return { text, sections: listings.map((l) => l.name), matched: chosen.length > 0 };
}

/** The comment lines of one section, keyed by the instruction byte offset they belong to. */
function sectionNotes(btf: Btf, ext: BtfExt, name: string): NonNullable<ListingOptions['notes']> {
  const before = new Map<number, string>();
  const after = new Map<number, string>();
  const add = (m: Map<number, string>, off: number, line: string) => m.set(off, (m.get(off) ?? '') + line + '\n');
  let lastFile: number | undefined;
  let lastLine = -1, lastCol = -1;
  for (const r of ext.lineInfo.find((s) => s.name === name)?.records ?? []) {
    // Line 0 is code the compiler made up (no source line); a repeat of the line just shown says nothing new.
    if (r.line === 0 || (r.fileNameOff === lastFile && r.line === lastLine && r.col === lastCol)) continue;
    lastLine = r.line;
    lastCol = r.col;
    if (r.fileNameOff !== lastFile) {
      lastFile = r.fileNameOff;
      add(before, r.insnOff, `; file ${btf.str(r.fileNameOff) ?? '<bad string offset>'}`);
    }
    const src = (btf.str(r.lineOff) ?? '').trim();
    add(before, r.insnOff, `; ${r.line}:${r.col}${src ? '  ' + src : ''}`);
  }
  for (const r of ext.coreRelo.find((s) => s.name === name)?.records ?? []) {
    const d = describeCoreRelo(btf, r.typeId, btf.str(r.accessStrOff), r.kind);
    add(after, r.insnOff, `; CO-RE ${d.text}${d.error ? ` (invalid: ${d.error})` : ''}`);
  }
  return { before: (o) => before.get(o), after: (o) => after.get(o) };
}
