/**
 * What the server keeps per indexed file: the opened BTF input, and for a BPF object its programs
 * with per-slot indices and (lazily) their llvm-objdump text. Pure data plus lazy caches, and the one
 * frame every open of a file shares (readIndexedFile); which base a file gets is decided by its caller
 * (workspace.ts by settings, editor-docs.ts by the editor's chain).
 */
import { statSync } from 'node:fs';
import type { Btf } from '../core/btf/btf';
import { bpfRelocTypeName, type ListingReloc, type ListingSymbol, listSection } from '../core/insn/objdump';
import type { BtfInput } from '../core/input';
import { describeObject } from '../core/object/bpf-object';
import { indexSlots } from '../core/object/insn-index';
import { describeCoreRelo } from '../core/core-relo/spec';
import type { ByteSource } from '../core/util/source';
import { type OpenedFile, openFile, readTextFile } from '../io/files';
import { readFailure } from '../io/input-error';
import { type BpfObject, INSN_SIZE, type ProgramSection } from '../core/object/bpf-object';
import type { SlotIndex } from '../core/object/insn-index';
import { type Problem, internalErrorMessage } from '../core/util/problems';
import type { FileState, IndexedFileKind } from '../protocol/requests';

export interface IndexedFile {
  path: string;
  uri: string;
  /** Relative to its workspace folder (or the absolute path for files outside, like the kernel BTF). */
  label: string;
  kind: IndexedFileKind;
  state: FileState;
  /** Bumped on every (re)load: caches keyed by file check it. */
  generation: number;
  mtimeMs: number;
  input?: BtfInput;
  /** The BTF to answer with (undefined when none could be read, or split BTF without a usable base). */
  btf?: Btf;
  /** The file whose BTF is this one's base (the kernel BTF for modules). */
  base?: IndexedFile;
  missingBase: boolean;
  object?: ObjectModel;
  /** Problems to show on the file: the core's and ours (missing or wrong base). */
  problems: Problem[];
  /**
   * Split BTF on a base it does not fit (core/btf/base-check.ts): the problem, the base used and why that
   * one. Such a file has no `btf` to answer with: names from a wrong base would be wrong.
   */
  baseMismatch?: { problem: Problem; base: string; why: string };
}

export interface ObjectModel {
  obj: BpfObject;
  programs: ProgramModel[];
  /** line_info file name (as stored) → workspace path it maps to, or undefined when none matches. */
  sources: Map<string, string | undefined>;
}

export interface ProgramModel {
  section: ProgramSection;
  slots: SlotIndex;
  /** Lazily: slot → the llvm-objdump lines of the instruction starting there (with its relocation lines). */
  insnLines?: Map<number, InsnLine[]>;
}

export interface FunctionRange {
  name: string;
  /** FUNC type ID in the object's BTF, when known from func_info. */
  typeId?: number;
  start: number;
  end: number;
}

/** The functions of a program section: from func_info (as libbpf), else from ELF symbols. */
export function functionsOf(btf: Btf | undefined, p: ProgramModel): FunctionRange[] {
  const s = p.section;
  if (s.funcInfo.length && btf) {
    // Within the section: a forged insn_off must not make callers walk 2^29 slots.
    const slot = (insnOff: number) => Math.min(s.slots, Math.floor(insnOff / INSN_SIZE));
    return s.funcInfo.map((f, i) => ({
      name: btf.name(f.typeId) || `func_${f.insnOff / INSN_SIZE}`,
      typeId: f.typeId,
      start: slot(f.insnOff),
      end: i + 1 < s.funcInfo.length ? Math.max(slot(f.insnOff), slot(s.funcInfo[i + 1]!.insnOff)) : s.slots,
    }));
  }
  return s.functions.map((f, i) => ({
    name: f.name,
    start: Math.min(f.start, s.slots),
    end: Math.min(s.slots, f.slots ? f.start + f.slots : i + 1 < s.functions.length ? s.functions[i + 1]!.start : s.slots),
  }));
}

/** An instruction's line or one of its relocations' (llvm-objdump's text, without the newline). */
export interface InsnLine {
  kind: 'insn' | 'reloc';
  text: string;
}

/** llvm-objdump -d -r --no-show-raw-insn lines of the section, indexed by the slot each instruction starts at. */
export function insnLines(file: IndexedFile, p: ProgramModel): Map<number, InsnLine[]> {
  if (p.insnLines) return p.insnLines;
  const s = p.section;
  const elf = file.input?.elf;
  const elfSymbols: ListingSymbol[] = elf
    ? elf.symbols().filter((y) => y.shndx === s.section.index).map((y) => ({ name: y.name, value: y.value, type: y.type, size: y.size }))
    : [];
  const littleEndian = elf?.littleEndian ?? true;
  const relocations: ListingReloc[] = s.relocations.map((r) => ({
    offset: r.offset,
    type: bpfRelocTypeName(r.type),
    target: (r.symbol === 0 ? '*ABS*' : r.symbolName) + (r.addend === 0 ? '' : r.addend < 0 ? `-0x${(-r.addend).toString(16)}` : `+0x${r.addend.toString(16)}`),
  }));
  const listing = listSection({ name: s.name, bytes: s.bytes, littleEndian, symbols: elfSymbols, relocations }, { rawInsn: false });
  const map = new Map<number, InsnLine[]>();
  let cur: InsnLine[] | undefined;
  for (const line of listing) {
    const text = line.text.slice(0, -1);
    if (line.kind === 'insn' && line.slot !== undefined) {
      cur = [{ kind: 'insn', text }];
      map.set(line.slot, cur);
    } else if (line.kind === 'reloc' && cur) cur.push({ kind: 'reloc', text });
    else cur = undefined;
  }
  p.insnLines = map;
  return map;
}

/** Instructions (not slots: an ld_imm64 is one) in [from, to). */
export function countInsns(lines: ReadonlyMap<number, unknown>, from: number, to: number): number {
  let n = 0;
  for (let s = from; s < to; s++) if (lines.has(s)) n++;
  return n;
}

export function coreRelosIn(p: ProgramModel, from: number, to: number): number {
  let n = 0;
  for (const r of p.section.coreRelo) {
    const s = Math.floor(r.insnOff / INSN_SIZE);
    if (s >= from && s < to) n++;
  }
  return n;
}

/** What the server keeps of a BPF object: the core's description, each program's slot index, its line_info sources. */
export function objectModel(input: BtfInput): ObjectModel {
  const obj = describeObject(input);
  const btf = input.btf!;
  input.elf?.symbols(); // read now: the file is closed after opening
  const sources = new Map<string, string | undefined>();
  const programs = obj.programs.map((section) => {
    const slots = indexSlots(btf, section);
    for (const key of slots.slotsOfLine.keys()) sources.set(key.slice(0, key.lastIndexOf(':')), undefined);
    return { section, slots };
  });
  return { obj, programs, sources };
}

/**
 * Reads `f.path` into `f`: a file that cannot be read, and a bug of our own while decoding, become
 * problems on the file (never a throw: one bad file must not stop the rest); what `decode` returns
 * becomes f's btf, object and state; the file is closed either way.
 */
export async function readIndexedFile(f: IndexedFile, decode: (source: ByteSource) => BtfInput | Promise<BtfInput>): Promise<IndexedFile> {
  let opened: OpenedFile;
  try {
    f.mtimeMs = statSync(f.path).mtimeMs; // sync: a thread-pool round trip per file costs more than the call
  } catch {
    // a dangling link or a file gone: the open below says which
  }
  try {
    opened = await openFile(f.path);
  } catch (e) {
    f.state = 'failed';
    f.problems.push(readProblem(f.path, e));
    return f;
  }
  try {
    const input = await decode(opened.source);
    if (input.btf && !input.missingBase) f.btf = input.btf;
    if (input.kind === 'bpf-object' && input.btf) f.object = objectModel(input);
    f.state = f.btf ? 'indexed' : 'failed';
  } catch (e) {
    f.state = 'failed';
    f.problems.push(readProblem(f.path, e, f.label));
  } finally {
    opened.close();
  }
  return f;
}

/**
 * A read that failed as a problem on the file: the opener's reasons (InputError: not a regular file, over
 * the limit, a range that cannot be read) and the OS's in one line; anything else is a bug of ours (the
 * core does not throw on bad input): one line for the user, the stack in the server's log.
 */
export function readProblem(path: string, e: unknown, label = path): Problem {
  const failed = readFailure(e);
  if (failed) return { file: path, offset: failed.offset, severity: 'error', message: failed.what };
  console.error(`${internalErrorMessage(path)}: ${(e as Error)?.stack ?? e}`);
  return { file: path, offset: 0, severity: 'error', message: internalErrorMessage(label) };
}

/** One line of a function's listing with its source: what llvm-objdump -S shows, plus CO-RE notes. */
export type ListingItem =
  | { kind: 'source'; key: string; text: string | undefined; lineInfoText: string | undefined }
  | { kind: 'insn' | 'reloc'; text: string }
  | { kind: 'core'; text: string; typeId: number };

/**
 * A function's instructions in order, each run of them from one source line headed by that line
 * (`text`: the source file's line through `srcLine`; `lineInfoText`: what line_info stored), and each
 * CO-RE relocation after its instruction in libbpf's words. Shared by the disassembly documents and
 * the type-tree editor's Programs tab.
 */
export function* functionListing(file: IndexedFile, prog: ProgramModel, f: FunctionRange, srcLine: (name: string, line: number) => string | undefined): Generator<ListingItem> {
  const btf = file.btf;
  if (!btf) return;
  const il = insnLines(file, prog);
  let last = '';
  for (let s = f.start; s < f.end; s++) {
    const li = prog.slots.lineOfSlot[s]!;
    const rec = li >= 0 ? prog.section.lineInfo[li] : undefined;
    if (rec?.line && il.has(s)) {
      const name = btf.str(rec.fileNameOff) ?? '';
      const key = `${name}:${rec.line}`;
      if (key !== last) {
        last = key;
        yield { kind: 'source', key, text: srcLine(name, rec.line), lineInfoText: btf.str(rec.lineOff) };
      }
    }
    for (const line of il.get(s) ?? []) yield line;
    for (const r of prog.slots.relosAt.get(s) ?? []) {
      yield { kind: 'core', text: `CO-RE ${describeCoreRelo(btf, r.typeId, btf.str(r.accessStrOff), r.kind).text}`, typeId: r.typeId };
    }
  }
}

/** Source lines by line_info file name, each file read once (undefined when it cannot be found or read). */
export function sourceLineReader(pathOf: (name: string) => string | undefined): (name: string, line: number) => string | undefined {
  const files = new Map<string, string[] | undefined>();
  return (name, line) => {
    const target = pathOf(name);
    if (!target) return undefined;
    if (!files.has(target)) {
      try {
        files.set(target, readTextFile(target).split('\n'));
      } catch {
        files.set(target, undefined);
      }
    }
    return files.get(target)?.[line - 1];
  };
}
