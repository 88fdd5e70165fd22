import type { ReloRes } from './calc';
import type { Logger } from './match';
import { ERRNO } from './types';

/** A program's instructions, mutable (relocations patch them in turn, as libbpf's prog->insns). */
export class InsnBuf {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly le: boolean) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get count(): number {
    return Math.floor(this.bytes.length / 8);
  }
  /** Instruction `i`, zeros past the end (libbpf would read past its buffer). */
  get(i: number): Insn {
    const o = i * 8;
    if (i < 0 || o + 8 > this.bytes.length) return { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
    const regs = this.bytes[o + 1]!;
    return {
      code: this.bytes[o]!,
      dst: this.le ? regs & 0xf : regs >> 4,
      src: this.le ? regs >> 4 : regs & 0xf,
      off: this.dv.getInt16(o + 2, this.le),
      imm: this.dv.getInt32(o + 4, this.le),
    };
  }
  set(i: number, insn: Insn): void {
    const o = i * 8;
    if (i < 0 || o + 8 > this.bytes.length) return;
    this.bytes[o] = insn.code & 0xff;
    this.bytes[o + 1] = this.le ? ((insn.src & 0xf) << 4) | (insn.dst & 0xf) : ((insn.dst & 0xf) << 4) | (insn.src & 0xf);
    this.dv.setInt16(o + 2, insn.off, this.le);
    this.dv.setInt32(o + 4, insn.imm, this.le);
  }
}

export interface Insn {
  code: number;
  dst: number;
  src: number;
  /** s16 */
  off: number;
  /** s32 */
  imm: number;
}

/** How an instruction was changed: the text libbpf logs, as data. */
export interface InsnPatch {
  insn: number;
  insnClass: 'ALU/ALU64' | 'LDX/ST/STX' | 'LDIMM64';
  field: 'imm' | 'off' | 'imm64';
  from: bigint;
  to: bigint;
  /** LDX/ST/STX whose memory size was changed too. */
  memSz?: { from: number; to: number };
}

export interface PatchResult {
  err: number;
  patch?: InsnPatch;
  /** Instructions replaced by libbpf's invalid call (0xbad2310), when the relocation failed. */
  poisoned?: number[];
}

const BPF_LD = 0, BPF_LDX = 1, BPF_ST = 2, BPF_STX = 3, BPF_ALU = 4, BPF_JMP = 5, BPF_ALU64 = 7;
const BPF_K = 0;
const LDIMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
const CALL = BPF_JMP | 0x80;
/** 0xbad2310: "bad relo"; the verifier reports it as "invalid func unknown#195896080". */
export const POISON_IMM = 195896080;
const SHRT_MAX = 32767n;
const U64 = (1n << 64n) - 1n;

const sext64 = (v: number) => BigInt(v) & U64;

function sizeBytes(code: number): number {
  switch (code & 0x18) {
    case 0x18: return 8;
    case 0x00: return 4;
    case 0x08: return 2;
    default: return 1;
  }
}
function bytesToSize(sz: number): number {
  switch (sz) {
    case 8: return 0x18;
    case 4: return 0x00;
    case 2: return 0x08;
    case 1: return 0x10;
    default: return -1;
  }
}

function poison(progName: string, reloIdx: number, buf: InsnBuf, insnIdx: number, log: Logger, out: number[]): void {
  log('debug', `prog '${progName}': relo #${reloIdx}: substituting insn #${insnIdx} w/ invalid insn`);
  buf.set(insnIdx, { code: CALL, dst: 0, src: 0, off: 0, imm: POISON_IMM });
  out.push(insnIdx);
}

/** bpf_core_patch_insn (libbpf 1.1.2): patch, or poison, instruction `insnIdx` of `buf`. */
export function patchInsn(progName: string, buf: InsnBuf, insnIdx: number, reloIdx: number, res: ReloRes, log: Logger): PatchResult {
  const insn = buf.get(insnIdx);
  const cls = insn.code & 7;
  const doPoison = (): PatchResult => {
    const out: number[] = [];
    // the second half of an ldimm64 first, then the instruction itself
    if (insn.code === LDIMM64) poison(progName, reloIdx, buf, insnIdx + 1, log, out);
    poison(progName, reloIdx, buf, insnIdx, log, out);
    return { err: 0, poisoned: out };
  };
  if (res.poison) return doPoison();

  const orig = res.origVal;
  const next = res.newVal;
  switch (cls) {
    case BPF_ALU: case BPF_ALU64: {
      if ((insn.code & 0x08) !== BPF_K) return { err: -ERRNO.EINVAL };
      if (res.validate && sext64(insn.imm) !== orig) {
        log('warn', `prog '${progName}': relo #${reloIdx}: unexpected insn #${insnIdx} (ALU/ALU64) value: got ${insn.imm >>> 0}, exp ${orig} -> ${next}`);
        return { err: -ERRNO.EINVAL };
      }
      const from = sext64(insn.imm);
      buf.set(insnIdx, { ...insn, imm: Number(BigInt.asIntN(32, next)) });
      log('debug', `prog '${progName}': relo #${reloIdx}: patched insn #${insnIdx} (ALU/ALU64) imm ${from} -> ${next}`);
      return { err: 0, patch: { insn: insnIdx, insnClass: 'ALU/ALU64', field: 'imm', from, to: next } };
    }
    case BPF_LDX: case BPF_ST: case BPF_STX: {
      if (res.validate && sext64(insn.off) !== orig) {
        log('warn', `prog '${progName}': relo #${reloIdx}: unexpected insn #${insnIdx} (LDX/ST/STX) value: got ${insn.off >>> 0}, exp ${orig} -> ${next}`);
        return { err: -ERRNO.EINVAL };
      }
      if (next > SHRT_MAX) {
        log('warn', `prog '${progName}': relo #${reloIdx}: insn #${insnIdx} (LDX/ST/STX) value too big: ${next}`);
        return { err: -ERRNO.ERANGE };
      }
      if (res.failMemszAdjust) {
        log('warn', `prog '${progName}': relo #${reloIdx}: insn #${insnIdx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return doPoison();
      }
      const from = sext64(insn.off);
      const patched = { ...insn, off: Number(next) };
      buf.set(insnIdx, patched);
      log('debug', `prog '${progName}': relo #${reloIdx}: patched insn #${insnIdx} (LDX/ST/STX) off ${from} -> ${next}`);
      const patch: InsnPatch = { insn: insnIdx, insnClass: 'LDX/ST/STX', field: 'off', from, to: next };
      if (res.newSz !== res.origSz) {
        const have = sizeBytes(insn.code);
        if (have !== res.origSz) {
          log('warn', `prog '${progName}': relo #${reloIdx}: insn #${insnIdx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz >>> 0}`);
          return { err: -ERRNO.EINVAL, patch };
        }
        const sz = bytesToSize(res.newSz);
        if (sz < 0) {
          log('warn', `prog '${progName}': relo #${reloIdx}: insn #${insnIdx} (LDX/ST/STX) invalid new mem size: ${res.newSz >>> 0}`);
          return { err: -ERRNO.EINVAL, patch };
        }
        buf.set(insnIdx, { ...patched, code: (insn.code & 0xe0) | sz | cls });
        log('debug', `prog '${progName}': relo #${reloIdx}: patched insn #${insnIdx} (LDX/ST/STX) mem_sz ${res.origSz >>> 0} -> ${res.newSz >>> 0}`);
        patch.memSz = { from: res.origSz, to: res.newSz };
      }
      return { err: 0, patch };
    }
    case BPF_LD: {
      const hi = buf.get(insnIdx + 1);
      if (insn.code !== LDIMM64 || insn.src !== 0 || insn.off !== 0 || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        log('warn', `prog '${progName}': relo #${reloIdx}: insn #${insnIdx} (LDIMM64) has unexpected form`);
        return { err: -ERRNO.EINVAL };
      }
      const imm = (BigInt(insn.imm >>> 0) | (BigInt(hi.imm >>> 0) << 32n)) & U64;
      if (res.validate && imm !== orig) {
        log('warn', `prog '${progName}': relo #${reloIdx}: unexpected insn #${insnIdx} (LDIMM64) value: got ${imm}, exp ${orig} -> ${next}`);
        return { err: -ERRNO.EINVAL };
      }
      buf.set(insnIdx, { ...insn, imm: Number(BigInt.asIntN(32, next)) });
      buf.set(insnIdx + 1, { ...hi, imm: Number(BigInt.asIntN(32, next >> 32n)) });
      log('debug', `prog '${progName}': relo #${reloIdx}: patched insn #${insnIdx} (LDIMM64) imm64 ${imm} -> ${next}`);
      return { err: 0, patch: { insn: insnIdx, insnClass: 'LDIMM64', field: 'imm64', from: imm, to: next } };
    }
    default: {
      const hex = (v: number) => (v >>> 0).toString(16);
      log('warn', `prog '${progName}': relo #${reloIdx}: trying to relocate unrecognized insn #${insnIdx}, code:0x${hex(insn.code)}, src:0x${hex(insn.src)}, dst:0x${hex(insn.dst)}, off:0x${hex(insn.off)}, imm:0x${hex(insn.imm)}`);
      return { err: -ERRNO.EINVAL };
    }
  }
}
