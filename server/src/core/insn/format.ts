/**
 * One BPF instruction as text, in the syntax of LLVM's BPF instruction printer.
 *
 * The default dialect, 'llvm14', reproduces llvm-objdump 14 exactly, including what it refuses to decode
 * (its tables predate JSET, MOD, ST-immediate, 32-bit atomics other than add, and all of cpu v4), and what
 * it does not check (unused register nibbles, offsets and immediates are ignored except where noted).
 * The rules were measured against llvm-objdump 14.0.6 by flipping every bit of every opcode (the result
 * is kept in test/unit/insn-opcodes.test.ts). 'modern' additionally prints everything the kernel accepts,
 * in the syntax later LLVM releases use for it, still with decimal immediates; no tool here checks it.
 *
 * One pattern cannot be matched: 18 20 00 00 00 00 00 00 (ld_imm64 r0, src 2, imm 0) is LLVM 14's internal
 * `lea` pseudo, which its disassembler decodes with uninitialised operands: it prints garbage or crashes.
 * We print what the bytes say, as for any other ld_imm64.
 */
import type { ByteView } from '../util/bytes';
import {
  ALU_DIV,
  ALU_MOD,
  ALU_MOV,
  ATOMIC_CMPXCHG,
  ATOMIC_LOAD_ACQ,
  ATOMIC_STORE_REL,
  ATOMIC_XCHG,
  CLASS_ALU,
  CLASS_ALU64,
  CLASS_JMP,
  JMP_JSET,
  Kind,
  opKind,
  sizeBytes,
} from './opcodes';

export type Dialect = 'llvm14' | 'modern';

/** LLVM's GPR class has r0..r11 (r11 is internal, but the disassembler accepts it); higher numbers fail. */
const MAX_REG = 11;

/** Operator of each ALU op (code >> 4); NEG and END have their own forms. */
const ALU_OPS: readonly string[] = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', '', '%=', '^=', '=', 's>>='];
/** Comparison of each conditional jump (code >> 4); JA, CALL and EXIT have their own forms. */
const JMP_OPS: readonly string[] = ['', '==', '>', '>=', '&', '!=', 's>', 's>=', '', '', '<', '<=', 's<', 's<='];
/** Atomic arithmetic (imm >> 4 & 0xf): operator and fetch name. */
const ATOMIC_OPS: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0x0, ['+', 'add']],
  [0x4, ['|', 'or']],
  [0x5, ['&', 'and']],
  [0xa, ['^', 'xor']],
]);

/** Result of formatting one instruction; reused between calls to keep the section loop allocation-light. */
export interface FormattedInsn {
  /**
   * Bytes the instruction occupies as llvm-objdump counts them: 8, 16 for ld_imm64, 8 for an undecodable
   * whole slot, 0 when fewer bytes remain than the instruction needs.
   */
  size: number;
  /** The text, or undefined when the bytes do not decode (llvm-objdump prints `<unknown>`). */
  text: string | undefined;
  /** Byte offset (relative to the start of the view) of the jump target, when the instruction is a jump. */
  target: number | undefined;
}

/**
 * Format the instruction at byte `p` of `view` (any offset; llvm-objdump can resynchronise at offsets
 * that are not multiples of 8 after skipping zeros). Never throws.
 */
export function formatInsn(view: ByteView, p: number, dialect: Dialect = 'llvm14', out?: FormattedInsn): FormattedInsn {
  const r = out ?? { size: 0, text: undefined, target: undefined };
  r.target = undefined;
  r.text = undefined;
  if (!view.has(p, 8)) {
    r.size = 0;
    return r;
  }
  r.size = 8;
  const modern = dialect === 'modern';
  const op = view.u8(p);
  const regs = view.u8(p + 1);
  const dst = view.le ? regs & 0xf : regs >> 4;
  const src = view.le ? regs >> 4 : regs & 0xf;
  const off = view.i16(p + 2);
  const imm = view.i32(p + 4);
  const cls = op & 7;
  const x = (op & 8) !== 0;

  switch (opKind(op)) {
    case Kind.LdImm64: {
      // The decoder checks off and dst before it looks for the second half; only then can it run short.
      if (off !== 0 || dst > MAX_REG) return r;
      if (!view.has(p, 16)) {
        r.size = 0;
        return r;
      }
      r.size = 16;
      if (src === 0) {
        const v = (BigInt.asIntN(32, BigInt(view.i32(p + 12))) << 32n) | BigInt(imm >>> 0);
        r.text = `r${dst} = ${v} ll`;
      } else {
        // LLVM's ld_pseudo prints only the low 32 bits, unsigned, and a tab after the mnemonic.
        r.text = `ld_pseudo\tr${dst}, ${src}, ${imm >>> 0}`;
      }
      return r;
    }
    case Kind.LdAbs:
      r.text = `r0 = *(u${sizeBytes(op) * 8} *)skb[${imm}]`;
      return r;
    case Kind.LdInd:
      if (src > MAX_REG) return r;
      r.text = `r0 = *(u${sizeBytes(op) * 8} *)skb[r${src}]`;
      return r;
    case Kind.Ldx:
      if (dst > MAX_REG || src > MAX_REG) return r;
      r.text = `r${dst} = *(u${sizeBytes(op) * 8} *)(${mem(src, off)})`;
      return r;
    case Kind.LdxSx:
      if (!modern || dst > MAX_REG || src > MAX_REG) return r;
      r.text = `r${dst} = *(s${sizeBytes(op) * 8} *)(${mem(src, off)})`;
      return r;
    case Kind.St:
      if (!modern || dst > MAX_REG) return r;
      r.text = `*(u${sizeBytes(op) * 8} *)(${mem(dst, off)}) = ${imm}`;
      return r;
    case Kind.Stx:
      if (dst > MAX_REG || src > MAX_REG) return r;
      r.text = `*(u${sizeBytes(op) * 8} *)(${mem(dst, off)}) = r${src}`;
      return r;
    case Kind.Atomic:
      if (dst > MAX_REG || src > MAX_REG) return r;
      r.text = modern ? atomicModern(sizeBytes(op), dst, src, off, imm) : atomic14(sizeBytes(op), dst, src, off, imm);
      return r;
    case Kind.Alu: {
      if (dst > MAX_REG || (x && src > MAX_REG)) return r;
      const w = cls === CLASS_ALU64 ? 'r' : 'w';
      const aluOp = op & 0xf0;
      let opr = ALU_OPS[aluOp >> 4]!;
      if (aluOp === ALU_MOD && !modern) return r; // LLVM 14 has no MOD
      if (modern && (aluOp === ALU_DIV || aluOp === ALU_MOD) && off === 1) opr = 's' + opr;
      if (!x) {
        r.text = `${w}${dst} ${opr} ${imm}`;
      } else if (modern && aluOp === ALU_MOV && off !== 0) {
        r.text = movOffset(w, dst, src, off, imm);
      } else {
        r.text = `${w}${dst} ${opr} ${w}${src}`;
      }
      return r;
    }
    case Kind.Neg: {
      if (dst > MAX_REG) return r;
      const w = cls === CLASS_ALU64 ? 'r' : 'w';
      r.text = `${w}${dst} = -${w}${dst}`;
      return r;
    }
    case Kind.End: {
      // The decoder matches imm 16, 32 and 64 exactly; the printer always says r, even in class ALU.
      if (dst > MAX_REG || (imm !== 16 && imm !== 32 && imm !== 64)) return r;
      if (cls === CLASS_ALU) r.text = `r${dst} = ${x ? 'be' : 'le'}${imm} r${dst}`;
      else if (modern) r.text = `r${dst} = bswap${imm} r${dst}`;
      return r;
    }
    case Kind.Ja:
      if (cls === CLASS_JMP) {
        r.text = `goto ${signed(off)}`;
        r.target = p + 8 + off * 8;
      } else if (modern) {
        r.text = `gotol ${signed(imm)}`;
        r.target = p + 8 + imm * 8;
      }
      return r;
    case Kind.JmpCond: {
      if ((op & 0xf0) === JMP_JSET && !modern) return r; // LLVM 14 has no JSET
      if (dst > MAX_REG || (x && src > MAX_REG)) return r;
      const w = cls === CLASS_JMP ? 'r' : 'w';
      const rhs = x ? `${w}${src}` : `${imm}`;
      r.text = `if ${w}${dst} ${JMP_OPS[op >> 4]} ${rhs} goto ${signed(off)}`;
      r.target = p + 8 + off * 8;
      return r;
    }
    case Kind.Call:
      r.text = `call ${imm}`;
      return r;
    case Kind.Callx:
      // LLVM reads callx's register from imm and rejects any value that is not a register number.
      if (imm < 0 || imm > MAX_REG) return r;
      r.text = `callx r${imm}`;
      return r;
    case Kind.Exit:
      if (imm !== 0) return r;
      r.text = 'exit';
      return r;
    case Kind.MayGoto:
      if (!modern) return r;
      r.text = `may_goto ${signed(off)}`;
      r.target = p + 8 + off * 8;
      return r;
  }
  return r;
}

function mem(reg: number, off: number): string {
  return off >= 0 ? `r${reg} + ${off}` : `r${reg} - ${-off}`;
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : `${n}`;
}

/**
 * LLVM 14 without the alu32 feature (llvm-objdump's default): 32-bit atomics decode only as the
 * old XADD, whatever the low imm bits say; 64-bit ones look at imm bits 0-7 only.
 */
function atomic14(size: number, dst: number, src: number, off: number, imm: number): string | undefined {
  const addr = mem(dst, off);
  if (size === 4) return (imm & 0xf0) === 0 ? `lock *(u32 *)(${addr}) += r${src}` : undefined;
  if (size !== 8) return undefined;
  const low = imm & 0xff;
  if (low === ATOMIC_XCHG) return `r${src} = xchg_64(${addr}, r${src})`;
  if (low === ATOMIC_CMPXCHG) return `r0 = cmpxchg_64(${addr}, r0, r${src})`;
  const a = ATOMIC_OPS.get(low >> 4);
  if (!a) return undefined;
  return (low & 0xf) === 1
    ? `r${src} = atomic_fetch_${a[1]}((u64 *)(${addr}), r${src})`
    : `lock *(u64 *)(${addr}) ${a[0]}= r${src}`;
}

/** Later LLVM: every atomic the kernel defines, 32-bit ones on w registers. */
function atomicModern(size: number, dst: number, src: number, off: number, imm: number): string | undefined {
  const addr = mem(dst, off);
  const bits = size * 8;
  const w = size === 8 ? 'r' : 'w';
  if (imm === ATOMIC_LOAD_ACQ) return `${w}${src} = load_acquire((u${bits} *)(${addr}))`;
  if (imm === ATOMIC_STORE_REL) return `store_release((u${bits} *)(${addr}), ${w}${src})`;
  if (size !== 4 && size !== 8) return undefined;
  if (imm === ATOMIC_XCHG) return size === 8 ? `r${src} = xchg_64(${addr}, r${src})` : `w${src} = xchg32_32(${addr}, w${src})`;
  if (imm === ATOMIC_CMPXCHG) {
    return size === 8 ? `r0 = cmpxchg_64(${addr}, r0, r${src})` : `w0 = cmpxchg32_32(${addr}, w0, w${src})`;
  }
  const a = (imm & ~0xf1) === 0 ? ATOMIC_OPS.get(imm >> 4) : undefined;
  if (!a) return undefined;
  return (imm & 1) === 1
    ? `${w}${src} = atomic_fetch_${a[1]}((u${bits} *)(${addr}), ${w}${src})`
    : `lock *(u${bits} *)(${addr}) ${a[0]}= ${w}${src}`;
}

/** MOV with a non-zero offset: sign-extending moves (cpu v4) and arena address-space casts. */
function movOffset(w: string, dst: number, src: number, off: number, imm: number): string | undefined {
  if (off === 8 || off === 16 || (off === 32 && w === 'r')) return `${w}${dst} = (s${off})${w}${src}`;
  if (off === 1 && w === 'r') return `r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
  return undefined;
}
