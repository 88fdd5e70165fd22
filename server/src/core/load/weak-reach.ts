import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import type { Elf } from '../elf/elf';
import { InsnBuf } from '../core-relo/patch';
import type { LibbpfProgram } from '../core-relo/programs';
import { type Val, objectFunctions, reachableProgram, weakTagName } from '../core-relo/reach';
import type { ExternDesc } from './externs';
import type { WeakUse } from './model';
import { findByNameKind } from './names';
import type { SourcePlaces } from './places';

/**
 * Does the verifier reach a use of a `__weak` extern the kernel lacks? libbpf 1.1 resolves it to 0 and
 * goes on (bpf_object__relocate_data): a typed ksym's (or a kfunc's) address becomes the plain ld_imm64 of 0,
 * a kfunc call becomes BPF_PSEUDO_KFUNC_CALL with imm 0, a .kconfig value is 0 in the frozen .kconfig map.
 * The kernel then refuses a program only where it walks onto a use (checked on 6.18: test/fixtures/load/
 * weak/): a call of the kfunc ("invalid kernel function call not eliminated in verifier pass", or "R0
 * !read_ok" when its result is read first), a load or store through the 0 address ("invalid mem access
 * 'scalar'"), the 0 address handed to a helper that wants the kernel's pointer. A test of the address
 * (`if (&var)`, `if (kfunc)`) or of a .kconfig value the kernel knows makes the use dead code.
 *
 * core-relo/reach.ts's constant propagation does the walking, each autoloaded program on its own (the
 * kernel loads them one by one), with the 0 tagged by the extern's name and the .kconfig map's values
 * known. A call's arguments are the registers its prototype names: a kfunc's or a subprogram's from the
 * object's BTF (r1..r5 when it has none), for helpers only bpf_per_cpu_ptr/bpf_this_cpu_ptr's r1 (the
 * helpers made to take a ksym's address; the others take it as a plain number or not at all, and a register
 * left over from the guard `if (&var)` is no argument). The 0 handed to a kfunc or a subprogram counts as a
 * failing use: we do not follow it into the callee (doubt counts as failing). Limits: the 0 stored to the
 * stack and loaded back is unknown to us (the kernel tracks spilled constants: a dereference after such a
 * reload is missed); a global function is walked only where something calls it, as 6.8+ kernels do (older
 * ones verify each global function on its own, dead calls or not).
 */

export interface WeakReachInput {
  elf: Elf;
  /** The object's BTF: the arity of kfuncs and subprograms (their prototypes). */
  btf?: Btf;
  programs: LibbpfProgram[];
  /** The instructions as libbpf loads them (CO-RE-patched when there are CO-RE relocations). */
  insnsOf?: (p: LibbpfProgram) => InsnBuf;
  externs: readonly ExternDesc[];
  /** The externs libbpf set to 0 because the kernel lacks them (weak, unresolved). */
  missing: ReadonlySet<ExternDesc>;
  /** A .kconfig extern's value on this target (as the map holds it), when known. */
  kcfgValue: (e: ExternDesc) => bigint | undefined;
  isEntry: (p: LibbpfProgram) => boolean;
  places: SourcePlaces;
}

const CALL = 0x85;
const PSEUDO_CALL = 1;
/** BPF_FUNC_per_cpu_ptr, BPF_FUNC_this_cpu_ptr: r1 is a per-CPU ksym's address (ARG_PTR_TO_PERCPU_BTF_ID). */
const KSYM_ADDR_HELPERS = new Set([153, 154]);

/** Every reachable failing use of each missing weak extern (the key), in program order. */
export function weakReach(inp: WeakReachInput): Map<ExternDesc, WeakUse[]> {
  const out = new Map<ExternDesc, WeakUse[]>();
  const missing = inp.externs.filter((e) => inp.missing.has(e) && e.type === 'ksym');
  if (!missing.length) return out;
  const bySym = new Map(inp.externs.map((e) => [e.symIdx, e] as const));
  const byName = new Map(missing.map((e) => [e.name, e] as const));
  const kcfgAt = new Map<number, ExternDesc>();
  for (const e of inp.externs) if (e.kcfg) kcfgAt.set(e.kcfg.dataOff, e);
  const elf = inp.elf;
  const bufs = new Map<LibbpfProgram, InsnBuf>();
  const insnsOf = inp.insnsOf ?? ((p: LibbpfProgram) => {
    let b = bufs.get(p);
    if (!b) {
      const data = elf.data(elf.sections[p.secIdx]!);
      b = new InsnBuf(new Uint8Array(data.subarray(p.insnOff * 8, (p.insnOff + p.insnCnt) * 8)), elf.header?.littleEndian ?? true);
      bufs.set(p, b);
    }
    return b;
  });
  const load = (ptr: string, off: number, size: number): Val => {
    const e = kcfgAt.get(Number(ptr.slice(2)) + off);
    if (!e?.kcfg || e.kcfg.sz !== size) return null;
    const v = inp.kcfgValue(e);
    return v === undefined ? null : BigInt.asUintN(size * 8, v);
  };

  const btf = inp.btf;
  const protoArgs = (protoId: number | undefined): number => (btf && protoId && btf.kind(protoId) === Kind.FUNC_PROTO ? Math.min(btf.vlen(protoId), 5) : 5);
  const subprogArgs = (name: string): number => {
    const f = btf ? findByNameKind(btf, name, Kind.FUNC) : 0;
    return f > 0 ? protoArgs(btf!.sizeOrType(f)) : 5;
  };
  let refsOf: ((fn: number, insn: number) => readonly number[]) | undefined;
  for (const entry of inp.programs) {
    if (entry.subprog || !inp.isEntry(entry)) continue;
    const seen = new Set<string>();
    const use = (e: ExternDesc, p: LibbpfProgram, insn: number, what: WeakUse['what']) => {
      const key = `${e.name}/${p.name}/${insn}`;
      if (seen.has(key)) return;
      seen.add(key);
      let l = out.get(e);
      if (!l) out.set(e, (l = []));
      const section = elf.sections[p.secIdx]?.name ?? p.secName;
      const sectionOffset = (p.insnOff + insn) * 8;
      l.push({ program: entry.name, function: p.name, insn, what, section, sectionOffset, place: inp.places.at(section, sectionOffset) });
    };
    const o = objectFunctions({ elf, programs: inp.programs, insnsOf }, (p) => p === entry, (p, symAt) => {
      const buf = insnsOf(p);
      const extAt = (i: number) => {
        const s = symAt(i);
        return s === undefined ? undefined : bySym.get(s);
      };
      return {
        ldValue: (i) => {
          const e = extAt(i);
          if (!e) return undefined;
          if (inp.missing.has(e) && e.type === 'ksym') return `w:0:${e.name}`;
          return e.kcfg ? `k:${e.kcfg.dataOff}` : undefined;
        },
        load,
        inspect: (i, regs) => {
          const insn = buf.get(i);
          const tagged = (r: number): ExternDesc | undefined => {
            const v = r < regs.length ? regs[r] : null;
            const name = v === undefined ? undefined : weakTagName(v);
            return name === undefined ? undefined : byName.get(name);
          };
          const cls = insn.code & 7;
          if (insn.code === CALL) {
            const e = extAt(i); // libbpf makes it BPF_PSEUDO_KFUNC_CALL; the object may say otherwise
            if (e && inp.missing.has(e)) use(e, p, i, 'call');
            let nargs = 0;
            if (e) nargs = protoArgs(e.ksymTypeId);
            else if (insn.src === PSEUDO_CALL) {
              const callees = refsOf?.(inp.programs.indexOf(p), i) ?? [];
              nargs = callees.length === 1 ? subprogArgs(inp.programs[callees[0]!]!.name) : 5;
            } else if (insn.src === 0 && KSYM_ADDR_HELPERS.has(insn.imm)) nargs = 1;
            for (let r = 1; r <= nargs; r++) {
              const t = tagged(r);
              if (t) use(t, p, i, 'argument');
            }
          } else if (cls === 1) {
            const t = tagged(insn.src);
            if (t) use(t, p, i, 'dereference');
          } else if (cls === 2 || cls === 3) {
            // storing the 0 as a number is fine (`out = (u64)&var`, test_ksyms_weak.c); storing through it is not
            const t = tagged(insn.dst);
            if (t) use(t, p, i, 'dereference');
          }
        },
      };
    });
    refsOf = o.refsOf;
    reachableProgram(o.funcs, o.refsOf);
  }
  return out;
}
