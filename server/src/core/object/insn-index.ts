import type { Btf } from '../btf/btf';
import type { CoreReloRec, FuncInfoRec, LineInfoRec } from '../ext/ext';
import { INSN_SIZE, type ProgramSection } from './bpf-object';

/**
 * .BTF.ext attached to instruction slots (the per-instruction metadata design of cilium/ebpf #522),
 * so "what did line 42 compile to" and "which relocations does instruction 7 carry" are single
 * look-ups. Built once per program section; arrays indexed by slot.
 */
export interface SlotIndex {
  section: ProgramSection;
  /** For each slot, the index into section.lineInfo of the record covering it, or -1. */
  lineOfSlot: Int32Array;
  /** For each slot, the index into section.funcInfo of the function it belongs to, or -1. */
  funcOfSlot: Int32Array;
  /** Slot → CO-RE relocations on that slot. */
  relosAt: Map<number, CoreReloRec[]>;
  /** "file:line" (file as stored in line_info) → slots whose line record has that line. */
  slotsOfLine: Map<string, number[]>;
}

export function lineKey(file: string, line: number): string {
  return `${file}:${line}`;
}

export function indexSlots(btf: Btf, p: ProgramSection): SlotIndex {
  const n = p.slots;
  const lineOfSlot = new Int32Array(n).fill(-1);
  const funcOfSlot = new Int32Array(n).fill(-1);
  fillRanges(p.lineInfo, lineOfSlot);
  fillRanges(p.funcInfo, funcOfSlot);
  const relosAt = new Map<number, CoreReloRec[]>();
  for (const r of p.coreRelo) {
    const s = Math.floor(r.insnOff / INSN_SIZE);
    const list = relosAt.get(s);
    if (list) list.push(r);
    else relosAt.set(s, [r]);
  }
  const slotsOfLine = new Map<string, number[]>();
  const fileNames = new Map<number, string>();
  for (let s = 0; s < n; s++) {
    const li = lineOfSlot[s]!;
    if (li < 0) continue;
    const rec = p.lineInfo[li]!;
    if (rec.line === 0) continue; // compiler-generated code with no source line
    let file = fileNames.get(rec.fileNameOff);
    if (file === undefined) fileNames.set(rec.fileNameOff, (file = btf.str(rec.fileNameOff) ?? ''));
    const key = lineKey(file, rec.line);
    const list = slotsOfLine.get(key);
    if (list) list.push(s);
    else slotsOfLine.set(key, [s]);
  }
  return { section: p, lineOfSlot, funcOfSlot, relosAt, slotsOfLine };
}

/** Each record covers the slots from its own up to the next record's (records are sorted by insn_off). */
function fillRanges(recs: readonly (LineInfoRec | FuncInfoRec)[], out: Int32Array): void {
  for (let i = 0; i < recs.length; i++) {
    const from = Math.floor(recs[i]!.insnOff / INSN_SIZE);
    const to = i + 1 < recs.length ? Math.floor(recs[i + 1]!.insnOff / INSN_SIZE) : out.length;
    for (let s = Math.max(0, from); s < Math.min(to, out.length); s++) out[s] = i;
  }
}
