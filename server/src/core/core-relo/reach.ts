import type { Elf, ElfReloc } from '../elf/elf';
import { SHF_EXECINSTR } from '../elf/elf';
import type { InsnBuf } from './patch';
import { type LibbpfProgram, findProgBySecInsn } from './programs';

/**
 * Which instructions of a CO-RE-patched program the kernel verifier can reach.
 *
 * libbpf poisons an instruction it cannot relocate, but the load only fails if the verifier walks onto it:
 * code guarded by `bpf_core_field_exists()` & co. is patched to test a known constant 0, the verifier takes
 * only the live side of that branch, and the poisoned instruction is dead code (removed after verification).
 * We follow the same idea with a path-insensitive constant propagation over each function's CFG: per
 * register "this 64-bit constant" or "unknown", joined to unknown where paths disagree, and a conditional
 * jump whose operands are both known goes one way only.
 *
 * Conservative by construction — every doubt makes code reachable, never the opposite — because the answer
 * is used to say "this loads": anything the kernel would not decide (pointers, memory, division, byte
 * swaps, sign-extending moves, shifts out of range) is unknown, and callees start with unknown arguments.
 * The kernel is more precise (it is path-sensitive, tracks ranges and spilled constants), so it may prune
 * code we call reachable, not the reverse. Bounded: each register of each instruction only goes
 * unset → constant → unknown, so the worklist ends on any input, loops and hostile jumps included.
 */

/** One function (libbpf program or subprogram) with its instructions after CO-RE patching. */
export interface ReachFunc {
  insns: InsnBuf;
  /** The kernel starts here: an autoloaded program (not a `.text` subprogram). */
  entry: boolean;
  /**
   * Is the ld_imm64 at `insn` filled in by libbpf (an ELF relocation: map, global data, extern, function
   * address)? Its value is then no constant we know (a map reference reads as 0 in the object).
   */
  relocated?: (insn: number) => boolean;
  /**
   * The value a relocated ld_imm64 at `insn` is known to get (undefined: unknown): load/weak-reach.ts
   * gives the 0 libbpf writes for a missing `__weak` ksym and the .kconfig map's address.
   */
  ldValue?: (insn: number) => Val | undefined;
  /** What an LDX of `size` bytes at `off` from a tagged pointer (`k:…`) reads, when known. */
  load?: (ptr: string, off: number, size: number) => Val;
  /** Called once the analysis settles, for each reachable instruction, with the registers on entry to it. */
  inspect?: (insn: number, regs: readonly Val[]) => void;
}

/**
 * Functions instruction `insn` of function `fn` makes reachable: the callee of a BPF-to-BPF call, or the
 * function whose address an ld_imm64 takes (a callback). Unresolvable references should name every
 * candidate function (the caller decides; conservative means "all subprograms").
 */
export type RefsOf = (fn: number, insn: number) => readonly number[];

const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;
/** Registers r0..r10. */
const NREGS = 11;

/**
 * A register: a known 64-bit constant, unknown (null), or a tagged value (a string): `w:V:NAME` is the
 * number V (`?`: unknown) derived from the 0 libbpf wrote as the address of the missing `__weak` extern NAME
 * (0, or 0 plus an offset or index: a scalar to the kernel, following it fails), `k:OFF` a pointer into libbpf's frozen .kconfig map
 * at OFF (the kernel reads its values as constants).
 */
export type Val = bigint | string | null;
type State = Val[];

/** The number a value is, as the kernel's scalar tracking knows it (pointers are not numbers). */
const num = (v: Val): bigint | null => {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'string' || !v.startsWith('w:')) return null;
  const n = v.slice(2, v.indexOf(':', 2));
  return n === '?' ? null : BigInt(n);
};
/** The weak extern's name in a `w:` tag. */
export const weakTagName = (v: Val): string | undefined => (typeof v === 'string' && v.startsWith('w:') ? v.slice(v.indexOf(':', 2) + 1) : undefined);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const s32 = (v: bigint) => BigInt.asIntN(32, v);

/** A 64-bit (or 32-bit, zero-extended) ALU result of known operands; null where the kernel would not know. */
function alu(op: number, a: bigint, b: bigint, is64: boolean): Val {
  const bits = is64 ? 64n : 32n;
  const mask = is64 ? U64 : U32;
  a &= mask;
  b &= mask;
  let r: bigint;
  switch (op) {
    case 0x00: r = a + b; break; // ADD
    case 0x10: r = a - b; break; // SUB
    case 0x20: r = a * b; break; // MUL
    case 0x40: r = a | b; break; // OR
    case 0x50: r = a & b; break; // AND
    case 0xa0: r = a ^ b; break; // XOR
    case 0x60: if (b >= bits) return null; r = a << b; break; // LSH
    case 0x70: if (b >= bits) return null; r = a >> b; break; // RSH
    case 0xc0: { // ARSH
      if (b >= bits) return null;
      r = (is64 ? s64(a) : s32(a)) >> b;
      break;
    }
    case 0x80: r = -a; break; // NEG
    default: return null; // DIV, MOD, END and anything else: unknown
  }
  return r & mask;
}

/** Is a conditional jump taken, for known operands? undefined: not a comparison we decide. */
function taken(op: number, a: bigint, b: bigint, is64: boolean): boolean | undefined {
  const mask = is64 ? U64 : U32;
  const ua = a & mask, ub = b & mask;
  const sa = is64 ? s64(ua) : s32(ua), sb = is64 ? s64(ub) : s32(ub);
  switch (op) {
    case 0x10: return ua === ub; // JEQ
    case 0x50: return ua !== ub; // JNE
    case 0x20: return ua > ub; // JGT
    case 0x30: return ua >= ub; // JGE
    case 0xa0: return ua < ub; // JLT
    case 0xb0: return ua <= ub; // JLE
    case 0x40: return (ua & ub) !== 0n; // JSET
    case 0x60: return sa > sb; // JSGT
    case 0x70: return sa >= sb; // JSGE
    case 0xc0: return sa < sb; // JSLT
    case 0xd0: return sa <= sb; // JSLE
    default: return undefined;
  }
}

/**
 * Reachable instructions of one function, entered with every register unknown. `onRef(i)` is called once
 * for each reachable instruction (the caller looks for calls and function addresses there).
 */
export function reachableInsns(
  insns: InsnBuf, onRef?: (insn: number) => void, relocated?: (insn: number) => boolean,
  more?: Pick<ReachFunc, 'ldValue' | 'load' | 'inspect'>,
): Uint8Array {
  const n = insns.count;
  const reach = new Uint8Array(n);
  if (n === 0) return reach;
  const states: (State | undefined)[] = new Array(n);
  const queued = new Uint8Array(n);
  let again = true;
  let pc = -1;
  /** `own`: st is no longer used by the caller, so a first visit may keep it instead of a copy. */
  const flow = (to: number, st: State, own = true) => {
    if (to < 0 || to >= n) return; // out of range: the kernel rejects the program anyway; no edge
    const cur = states[to];
    let changed = false;
    if (!cur) {
      states[to] = own ? st : st.slice();
      changed = true;
    } else {
      for (let r = 0; r < NREGS; r++) {
        if (cur[r] !== null && cur[r] !== st[r]) {
          cur[r] = null;
          changed = true;
        }
      }
    }
    if (changed && !queued[to]) {
      queued[to] = 1;
      if (to <= pc) again = true;
    }
  };
  flow(0, new Array<Val>(NREGS).fill(null));

  // Sweeps in address order (most edges go forward, so one sweep usually settles a function; a back
  // edge queues a later sweep) rather than a LIFO stack, which revisits join points once per path.
  const next = (): boolean => {
    for (;;) {
      pc++;
      if (pc >= n) {
        if (!again) return false;
        again = false;
        pc = -1;
        continue;
      }
      if (queued[pc]) return true;
    }
  };
  while (next()) {
    queued[pc] = 0;
    const st = states[pc]!.slice();
    if (!reach[pc]) {
      reach[pc] = 1;
      onRef?.(pc);
    }
    const { code, dst, src, off, imm } = insns.get(pc);
    const cls = code & 7;
    const d = dst < NREGS ? dst : -1;
    const reg = (r: number): bigint | null => (r < NREGS ? num(st[r]!) : null);
    const set = (v: Val) => {
      if (d >= 0) st[d] = v;
    };
    switch (cls) {
      case 0: { // LD
        if (code === 0x18) {
          if (pc + 1 >= n) break; // truncated ld_imm64: the path ends (the kernel rejects it)
          reach[pc + 1] = 1;
          const hi = insns.get(pc + 1);
          const known = more?.ldValue?.(pc);
          set(known !== undefined ? known : src === 0 && !relocated?.(pc) ? (BigInt(imm >>> 0) | (BigInt(hi.imm >>> 0) << 32n)) : null);
          flow(pc + 2, st);
        } else {
          // legacy packet loads: r0 is the result, r1-r5 are scratched
          for (let r = 0; r <= 5; r++) st[r] = null;
          flow(pc + 1, st);
        }
        break;
      }
      case 1: { // LDX: memory is unknown, but for the frozen .kconfig map
        const base = src < NREGS ? st[src]! : null;
        const size = [4, 2, 1, 8][(code >> 3) & 3]!;
        set(typeof base === 'string' && base.startsWith('k:') && (code & 0xe0) === 0x60 && more?.load ? more.load(base, off, size) : null);
        flow(pc + 1, st);
        break;
      }
      case 2: // ST
        flow(pc + 1, st);
        break;
      case 3: // STX; atomics may write r0 (cmpxchg) or the source register (fetch)
        if ((code & 0xe0) === 0xc0) {
          st[0] = null;
          if (src < NREGS) st[src] = null;
        }
        flow(pc + 1, st);
        break;
      case 4: case 7: { // ALU, ALU64
        const is64 = cls === 7;
        const op = code & 0xf0;
        const b = (code & 8) === 0 ? BigInt(imm) : reg(src);
        if (op === 0xb0 && is64 && off === 0 && (code & 8) !== 0 && src < NREGS && typeof st[src] === 'string') {
          set(st[src]!); // a copy keeps the tag
        } else if (op === 0xb0) { // MOV (off != 0: sign-extending or address-space moves: unknown)
          set(off !== 0 || b === null ? null : b & (is64 ? U64 : U32));
        } else {
          const a = reg(dst);
          const r = a === null || (op !== 0x80 && b === null) ? null : alu(op, a, b ?? 0n, is64);
          // &var + offset (an array index, a member) still comes from the weak extern's 0
          const w = is64 && (op === 0x00 || op === 0x10) && d >= 0 ? weakTagName(st[d]!) : undefined;
          set(w !== undefined ? `w:${r ?? '?'}:${w}` : r);
        }
        flow(pc + 1, st);
        break;
      }
      case 5: case 6: { // JMP, JMP32
        const op = code & 0xf0;
        if (op === 0x90 && cls === 5) break; // EXIT
        if (op === 0x80 && cls === 5) { // CALL: helpers, kfuncs and subprograms scratch r0-r5
          for (let r = 0; r <= 5; r++) st[r] = null;
          flow(pc + 1, st);
          break;
        }
        if (op === 0x00) { // JA (JMP32 JA: 32-bit offset in imm)
          flow(pc + 1 + (cls === 6 ? imm : off), st);
          break;
        }
        const is64 = cls === 5;
        const a = reg(dst);
        const b = (code & 8) === 0 ? BigInt(imm) : reg(src);
        const t = a !== null && b !== null ? taken(op, a, b, is64) : undefined;
        if (t !== false) flow(pc + 1 + off, st, t === true);
        if (t !== true) flow(pc + 1, st);
        break;
      }
    }
  }
  if (more?.inspect) for (let i = 0; i < n; i++) if (reach[i] && states[i]) more.inspect(i, states[i]!);
  return reach;
}

/**
 * Reachable instructions of every function of an object: entry functions first, then whatever their
 * reachable calls and function addresses lead to (each function analyzed once, arguments unknown).
 * Unreached functions get all zeros.
 */
export function reachableProgram(funcs: readonly ReachFunc[], refsOf: RefsOf): Uint8Array[] {
  const out: (Uint8Array | undefined)[] = new Array(funcs.length);
  const todo: number[] = [];
  const visit = (f: number) => {
    if (f < 0 || f >= funcs.length || out[f]) return;
    out[f] = new Uint8Array(0); // claimed; filled below
    todo.push(f);
  };
  funcs.forEach((f, i) => {
    if (f.entry) visit(i);
  });
  while (todo.length) {
    const f = todo.pop()!;
    out[f] = reachableInsns(funcs[f]!.insns, (i) => {
      for (const g of refsOf(f, i)) visit(g);
    }, funcs[f]!.relocated, funcs[f]);
  }
  return funcs.map((f, i) => out[i] ?? new Uint8Array(f.insns.count));
}

/** What resolve.ts hands over after relocating: the object, libbpf's programs, their patched instructions. */
export interface ReachContext {
  elf?: Elf;
  programs?: LibbpfProgram[];
  insnsOf?: (p: LibbpfProgram) => InsnBuf;
}

/** The part of a relocation record reachability needs (resolve.ts's CoreRelocation). */
interface PoisonedRelo {
  outcome: string;
  prog?: string;
  section: string;
  insn?: number;
  poisoned?: number[];
  reachable?: boolean;
}

/**
 * Sets `reachable` on every poisoned relocation: true when the verifier can reach any of its poisoned
 * instructions from some autoloaded program. Calls are resolved as libbpf links subprograms: through the
 * ELF relocation of the call (symbol value / 8 + imm + 1) or, without one, within the section
 * (pc + imm + 1); an ld_imm64 relocated against an executable section takes a function's address
 * (symbol value / 8 + imm / 8). A reference we cannot place makes every subprogram reachable.
 * `isEntry` picks the programs the kernel starts from (default: every autoloaded one; one program at a
 * time answers "does this program load", as scripts/check-reach.ts asks).
 */
export function markReachability(ctx: ReachContext, relos: PoisonedRelo[], isEntry?: (p: LibbpfProgram) => boolean): void {
  const { elf, programs, insnsOf } = ctx;
  if (!relos.some((r) => r.outcome === 'poisoned')) return;
  if (!elf || !programs || !insnsOf) {
    for (const r of relos) if (r.outcome === 'poisoned') r.reachable = true;
    return;
  }
  const { funcs, refsOf } = objectFunctions({ elf, programs, insnsOf }, isEntry);
  const reach = reachableProgram(funcs, refsOf);
  for (const r of relos) {
    if (r.outcome !== 'poisoned') continue;
    const f = programs.findIndex((p) => p.name === r.prog && (p.autoload ? p.secName : `?${p.secName}`) === r.section);
    const live = f >= 0 ? reach[f]! : undefined;
    r.reachable = !live || (r.poisoned ?? [r.insn ?? -1]).some((i) => i < 0 || i >= live.length || live[i] === 1);
  }
}

/**
 * The functions of an object as reach.ts walks them (libbpf's programs and subprograms, their patched
 * instructions) and how their calls and function addresses link them (see markReachability). `more` adds a
 * function's own hooks; it gets the ELF symbol index each instruction's relocation names.
 */
export function objectFunctions(
  ctx: Required<ReachContext>, isEntry?: (p: LibbpfProgram) => boolean,
  more?: (p: LibbpfProgram, symAt: (insn: number) => number | undefined) => Partial<ReachFunc>,
): { funcs: ReachFunc[]; refsOf: RefsOf } {
  const { elf, programs, insnsOf } = ctx;
  // Programs that are not loaded (SEC("?...")) are no entry points, and libbpf did not relocate them.
  const syms = new Map(elf.symbols().map((s) => [s.index, s] as const));
  const relocsBySec = new Map<number, Map<number, ElfReloc>>();
  const relocsOf = (secIdx: number) => {
    let m = relocsBySec.get(secIdx);
    if (!m) {
      m = new Map();
      const sec = elf.sections[secIdx];
      if (sec) for (const r of elf.relocations(sec)) m.set(r.offset, r);
      relocsBySec.set(secIdx, m);
    }
    return m;
  };
  const funcs: ReachFunc[] = programs.map((p) => ({
    insns: insnsOf(p),
    entry: isEntry ? isEntry(p) : p.autoload && !p.subprog,
    relocated: (i: number) => relocsOf(p.secIdx).has((p.insnOff + i) * 8),
    ...more?.(p, (i: number) => {
      const rel = relocsOf(p.secIdx).get((p.insnOff + i) * 8);
      return rel ? syms.get(rel.symbol)?.index : undefined;
    }),
  }));
  const index = new Map<LibbpfProgram, number>();
  programs.forEach((p, i) => index.set(p, i));
  const allSubprogs = programs.map((p, i) => (p.subprog ? i : -1)).filter((i) => i >= 0);
  const at = (secIdx: number, slot: number): readonly number[] => {
    const p = Number.isInteger(slot) ? findProgBySecInsn(programs, secIdx, slot) : undefined;
    return p ? [index.get(p)!] : allSubprogs;
  };
  const refsOf: RefsOf = (f, i) => {
    const p = programs[f]!;
    const insn = funcs[f]!.insns.get(i);
    const isCall = insn.code === 0x85 && insn.src === 1;
    const isLdImm = insn.code === 0x18;
    if (!isCall && !isLdImm) return [];
    const rel = relocsOf(p.secIdx).get((p.insnOff + i) * 8);
    const sym = rel ? syms.get(rel.symbol) : undefined;
    if (isCall) {
      if (!rel) return at(p.secIdx, p.insnOff + i + insn.imm + 1);
      if (!sym) return allSubprogs;
      if (sym.shndx === 0) return []; // an extern: a kfunc call (libbpf makes it BPF_PSEUDO_KFUNC_CALL)
      return at(sym.shndx, sym.value / 8 + insn.imm + 1);
    }
    if (insn.src === 4) return allSubprogs; // BPF_PSEUDO_FUNC written by hand: place unknown
    if (!sym) return [];
    const sec = elf.sections[sym.shndx];
    if (!sec || !(sec.flags & SHF_EXECINSTR)) return []; // a map or global data, not a function
    return at(sym.shndx, sym.value / 8 + Math.trunc(insn.imm / 8));
  };
  return { funcs, refsOf };
}

/**
 * Per autoloaded program (the kernel loads each on its own, with the subprograms it calls): does the
 * verifier reach a poisoned CO-RE instruction from it, i.e. does its load fail because of CO-RE?
 */
export function programsFailingAtPoison(ctx: ReachContext, relos: readonly PoisonedRelo[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const p of ctx.programs ?? []) {
    if (!p.autoload || p.subprog) continue;
    if (!relos.some((r) => r.outcome === 'poisoned')) {
      out.set(p.name, false);
      continue;
    }
    const copies = relos.map((r) => ({ ...r }));
    markReachability(ctx, copies, (q) => q === p);
    out.set(p.name, copies.some((r) => r.outcome === 'poisoned' && r.reachable === true));
  }
  return out;
}
