/**
 * Decodes a BPF instruction stream (the bytes of one ELF code section) into parallel typed arrays,
 * one entry per 8-byte slot.
 *
 * Slots, not instructions, are the unit because every consumer counts in slots: .BTF.ext insn_off / 8,
 * relocation r_offset / 8, jump offsets and BPF-to-BPF call offsets all step over the second half of an
 * ld_imm64 as if it were an instruction. So the arrays are indexed by slot and `width` says where the
 * instructions are (2 on the first slot of an ld_imm64, 0 on its second slot, 1 elsewhere).
 *
 * Decoding never throws: a trailing partial slot or a cut-off ld_imm64 is reported and left out or
 * shortened; opcodes no kernel accepts are reported as warnings and kept (they are still slots).
 */
import { ByteView } from '../util/bytes';
import { type Problem, ProblemSink } from '../util/problems';
import { Kind, OP_LD_IMM64, opKind } from './opcodes';

export const SLOT_BYTES = 8;

export interface InsnStream {
  readonly littleEndian: boolean;
  /** Whole 8-byte slots decoded; a trailing partial slot is not counted. */
  readonly slots: number;
  /** Instructions: slots minus the second halves of ld_imm64. */
  readonly count: number;
  /** The opcode byte of each slot. */
  readonly code: Uint8Array;
  /** Destination register, already taken from the right nibble for the byte order. */
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int16Array;
  readonly imm: Int32Array;
  /** 1: a one-slot instruction; 2: first slot of a complete ld_imm64; 0: second slot of an ld_imm64. */
  readonly width: Uint8Array;
  /** What this call found wrong, offsets relative to the start of the section (plus the sink's base). */
  readonly problems: readonly Problem[];
}

/**
 * Decode `bytes` (a code section) in the object's byte order. Problems go to `sink` when given
 * (so offsets can be made file-relative with `sink.at(sectionOffset)`) and are also returned.
 */
export function decodeInsns(bytes: Uint8Array, littleEndian: boolean, sink?: ProblemSink): InsnStream {
  const out = sink ?? new ProblemSink();
  const before = out.problems.length;
  const view = new ByteView(bytes, littleEndian);
  const slots = Math.floor(bytes.length / SLOT_BYTES);
  const code = new Uint8Array(slots);
  const dst = new Uint8Array(slots);
  const src = new Uint8Array(slots);
  const off = new Int16Array(slots);
  const imm = new Int32Array(slots);
  const width = new Uint8Array(slots);
  // In big-endian objects the compiler swaps the nibbles of the register byte, so dst is the high one.
  const dstShift = littleEndian ? 0 : 4;
  const srcShift = 4 - dstShift;

  let count = 0;
  let unknown = 0;
  let firstUnknown = -1;
  let secondHalf = false; // the previous slot opened an ld_imm64
  for (let i = 0; i < slots; i++) {
    const p = i * SLOT_BYTES;
    const op = bytes[p]!;
    const regs = bytes[p + 1]!;
    code[i] = op;
    dst[i] = (regs >> dstShift) & 0xf;
    src[i] = (regs >> srcShift) & 0xf;
    off[i] = view.i16(p + 2);
    imm[i] = view.i32(p + 4);
    if (secondHalf) {
      secondHalf = false;
      width[i] = 0;
      // The kernel rejects an ld_imm64 whose second half carries anything but the high imm.
      if (op !== 0 || regs !== 0 || off[i] !== 0) {
        out.warn(p, `second half of ld_imm64 at slot ${i - 1} has non-zero code, registers or offset`);
      }
      continue;
    }
    count++;
    width[i] = 1;
    if (op === OP_LD_IMM64) {
      if (i + 1 < slots) {
        width[i] = 2;
        secondHalf = true;
      } else {
        out.error(p, `ld_imm64 at slot ${i} is cut off: the section ends after its first 8 of 16 bytes`);
      }
    } else if (opKind(op) === Kind.Invalid && unknown++ === 0) {
      firstUnknown = i;
    }
  }
  if (unknown !== 0) {
    // One report per stream is enough to flag data in a code section; the count says how much there is.
    const more = unknown > 1 ? ` (${unknown} slots in all)` : '';
    out.warn(firstUnknown * SLOT_BYTES, `unknown opcode 0x${hex2(code[firstUnknown]!)} at slot ${firstUnknown}${more}`);
  }
  const tail = bytes.length - slots * SLOT_BYTES;
  if (tail !== 0) {
    out.error(
      slots * SLOT_BYTES,
      `section size ${bytes.length} is not a multiple of 8: the last ${tail === 1 ? 'byte is' : `${tail} bytes are`} not an instruction`,
    );
  }
  return {
    littleEndian,
    slots,
    count,
    code,
    dst,
    src,
    off,
    imm,
    width,
    problems: out.problems.slice(before),
  };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The 64-bit immediate of the ld_imm64 whose first slot is `slot`, or undefined for any other slot. */
export function imm64(s: InsnStream, slot: number): bigint | undefined {
  if (s.width[slot] !== 2) return undefined;
  return (BigInt(s.imm[slot + 1]! >>> 0) << 32n) | BigInt(s.imm[slot]! >>> 0);
}

/** The slot of the instruction after the one at `slot`. */
export function nextSlot(s: InsnStream, slot: number): number {
  return slot + (s.width[slot] === 2 ? 2 : 1);
}

/** The slot of the instruction that covers `slot` (steps back from the second half of an ld_imm64). */
export function insnStart(s: InsnStream, slot: number): number {
  return s.width[slot] === 0 ? slot - 1 : slot;
}

/**
 * Where the jump or BPF-to-BPF call at `slot` goes, as a slot index (may lie outside the stream),
 * or undefined when the instruction at `slot` is neither.
 */
export function branchTarget(s: InsnStream, slot: number): number | undefined {
  if (s.width[slot] !== 1) return undefined;
  const op = s.code[slot]!;
  const kind = opKind(op);
  if (kind === Kind.Ja) return slot + 1 + ((op & 7) === 6 ? s.imm[slot]! : s.off[slot]!); // JMP32 JA is gotol, imm-relative
  if (kind === Kind.JmpCond || kind === Kind.MayGoto) return slot + 1 + s.off[slot]!;
  if (kind === Kind.Call && s.src[slot] === 1) return slot + 1 + s.imm[slot]!;
  return undefined;
}
