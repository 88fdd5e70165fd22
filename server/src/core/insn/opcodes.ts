/**
 * The BPF opcode byte, as the kernel's ISA defines it (include/uapi/linux/bpf.h and
 * Documentation/bpf/standardization/instruction-set.rst), turned into one table lookup.
 *
 *   ALU/JMP:  op (4 bits) | source K/X (1 bit) | class (3 bits)
 *   LD/ST:    mode (3 bits) | size (2 bits)    | class (3 bits)
 */

export const CLASS_LD = 0x00;
export const CLASS_LDX = 0x01;
export const CLASS_ST = 0x02;
export const CLASS_STX = 0x03;
export const CLASS_ALU = 0x04;
export const CLASS_JMP = 0x05;
export const CLASS_JMP32 = 0x06;
export const CLASS_ALU64 = 0x07;

export const SRC_X = 0x08;

export const MODE_IMM = 0x00;
export const MODE_ABS = 0x20;
export const MODE_IND = 0x40;
export const MODE_MEM = 0x60;
export const MODE_MEMSX = 0x80;
export const MODE_ATOMIC = 0xc0;

/** ALU operations (code & 0xf0). */
export const ALU_ADD = 0x00;
export const ALU_SUB = 0x10;
export const ALU_MUL = 0x20;
export const ALU_DIV = 0x30;
export const ALU_OR = 0x40;
export const ALU_AND = 0x50;
export const ALU_LSH = 0x60;
export const ALU_RSH = 0x70;
export const ALU_NEG = 0x80;
export const ALU_MOD = 0x90;
export const ALU_XOR = 0xa0;
export const ALU_MOV = 0xb0;
export const ALU_ARSH = 0xc0;
export const ALU_END = 0xd0;

/** Jump operations (code & 0xf0). */
export const JMP_JA = 0x00;
export const JMP_JEQ = 0x10;
export const JMP_JGT = 0x20;
export const JMP_JGE = 0x30;
export const JMP_JSET = 0x40;
export const JMP_JNE = 0x50;
export const JMP_JSGT = 0x60;
export const JMP_JSGE = 0x70;
export const JMP_CALL = 0x80;
export const JMP_EXIT = 0x90;
export const JMP_JLT = 0xa0;
export const JMP_JLE = 0xb0;
export const JMP_JSLT = 0xc0;
export const JMP_JSLE = 0xd0;
export const JMP_JCOND = 0xe0;

/** Atomic operations: the imm of a MODE_ATOMIC store. FETCH is or-ed into the arithmetic ones. */
export const ATOMIC_FETCH = 0x01;
export const ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH;
export const ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;
export const ATOMIC_LOAD_ACQ = 0x100;
export const ATOMIC_STORE_REL = 0x110;

/** The opcode of the 16-byte ld_imm64 (LD | IMM | DW). */
export const OP_LD_IMM64 = 0x18;

/** src_reg of ld_imm64: what the 64-bit immediate means to the loader (BPF_PSEUDO_*). */
export const PSEUDO_IMM = 0;
export const PSEUDO_MAP_FD = 1;
export const PSEUDO_MAP_VALUE = 2;
export const PSEUDO_BTF_ID = 3;
export const PSEUDO_FUNC = 4;
export const PSEUDO_MAP_IDX = 5;
export const PSEUDO_MAP_IDX_VALUE = 6;

/** src_reg of a call: whom it calls. */
export const CALL_HELPER = 0;
export const CALL_PSEUDO = 1; // BPF-to-BPF call, imm is a relative slot offset
export const CALL_KFUNC = 2; // imm is a BTF id of a kernel function

/** What an opcode does, independent of its operands. */
export const Kind = {
  Invalid: 0,
  LdImm64: 1,
  LdAbs: 2,
  LdInd: 3,
  Ldx: 4,
  LdxSx: 5,
  St: 6,
  Stx: 7,
  Atomic: 8,
  Alu: 9, // two-operand arithmetic, mov and movsx included
  Neg: 10,
  End: 11, // le/be conversions (ALU) and unconditional bswap (ALU64)
  Ja: 12,
  JmpCond: 13,
  Call: 14,
  Callx: 15,
  Exit: 16,
  MayGoto: 17,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Access width in bytes of a load/store opcode: the size field 0x18 -> W, H, B, DW. */
export const SIZE_BYTES: readonly number[] = [4, 2, 1, 8];

export function sizeBytes(code: number): number {
  return SIZE_BYTES[(code >> 3) & 3]!;
}

/** Kind of every opcode byte under the kernel's ISA; built once at load. */
const KIND = new Uint8Array(256);

function buildKinds(): void {
  for (let code = 0; code < 256; code++) KIND[code] = kindOf(code);
}

function kindOf(code: number): Kind {
  const cls = code & 7;
  const op = code & 0xf0;
  const x = (code & SRC_X) !== 0;
  switch (cls) {
    case CLASS_LD: {
      if (code === OP_LD_IMM64) return Kind.LdImm64;
      const mode = code & 0xe0;
      const dw = (code & 0x18) === 0x18;
      if (mode === MODE_ABS && !dw) return Kind.LdAbs;
      if (mode === MODE_IND && !dw) return Kind.LdInd;
      return Kind.Invalid;
    }
    case CLASS_LDX: {
      const mode = code & 0xe0;
      if (mode === MODE_MEM) return Kind.Ldx;
      if (mode === MODE_MEMSX && (code & 0x18) !== 0x18) return Kind.LdxSx;
      return Kind.Invalid;
    }
    case CLASS_ST:
      return (code & 0xe0) === MODE_MEM ? Kind.St : Kind.Invalid;
    case CLASS_STX: {
      const mode = code & 0xe0;
      if (mode === MODE_MEM) return Kind.Stx;
      if (mode === MODE_ATOMIC) return Kind.Atomic;
      return Kind.Invalid;
    }
    case CLASS_ALU:
    case CLASS_ALU64:
      if (op === ALU_NEG) return x ? Kind.Invalid : Kind.Neg;
      // ALU64 | END | X is unassigned; ALU64 | END | K is the unconditional bswap.
      if (op === ALU_END) return cls === CLASS_ALU64 && x ? Kind.Invalid : Kind.End;
      return op <= ALU_END ? Kind.Alu : Kind.Invalid;
    case CLASS_JMP:
    case CLASS_JMP32:
      if (op === JMP_JA) return x ? Kind.Invalid : Kind.Ja;
      if (op === JMP_CALL) return cls !== CLASS_JMP ? Kind.Invalid : x ? Kind.Callx : Kind.Call;
      if (op === JMP_EXIT) return cls === CLASS_JMP && !x ? Kind.Exit : Kind.Invalid;
      if (op === JMP_JCOND) return cls === CLASS_JMP && !x ? Kind.MayGoto : Kind.Invalid;
      return op <= JMP_JSLE ? Kind.JmpCond : Kind.Invalid;
  }
  return Kind.Invalid;
}

buildKinds();

/** What `code` does under the kernel's ISA (Kind.Invalid when no kernel accepts it). */
export function opKind(code: number): Kind {
  return KIND[code & 0xff] as Kind;
}

/** Is `code` a jump whose 16-bit `off` (or for JMP32 JA, 32-bit `imm`) is relative to the next slot? */
