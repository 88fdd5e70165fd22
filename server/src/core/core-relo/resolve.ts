import { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import { openBtfBytes, type BtfInput } from '../input';
import type { Problem } from '../util/problems';
import { type Candidate, type CandidateOutcome, type ReloRes, calcReloInsn } from './calc';
import { type CoreTarget, findCands, prepareTarget } from './candidates';
import { externOpenError } from './externs';
import { type Logger, formatSpec } from './match';
import { type InsnPatch, InsnBuf, patchInsn } from './patch';
import { type LibbpfProgram, findProgBySecInsn, libbpfPrograms, secIdxByName } from './programs';
import { markReachability, type ReachContext } from './reach';
import { CoreReloKind, coreReloKindStr } from './spec';
import { ERRNO, TypeView } from './types';

export type { CoreTarget } from './candidates';
export { prepareTarget } from './candidates';

/**
 * CO-RE relocation of a BPF object against a target kernel BTF, as libbpf 1.1.2 does it in
 * bpf_object__relocate_core at load time, with the log libbpf writes while doing it.
 */

export interface CoreLogLine {
  level: 'warn' | 'debug';
  /** The message without libbpf's `libbpf: ` prefix. */
  text: string;
  /** Kept by core_oracle -q (the text mentions `relo #`, `CO-RE` or `candidate`). */
  core: boolean;
}

export type CoreOutcome =
  /** The instruction was patched with the target's value. */
  | 'patched'
  /** No target matched (or the access cannot be satisfied): the instruction was made an invalid call. */
  | 'poisoned'
  /** libbpf stopped here: the object fails to load (ambiguity, unexpected instruction...). */
  | 'failed'
  /** The record points into no known function (an eliminated weak subprogram). */
  | 'skipped'
  /** The program is SEC("?...") and not loaded by default: not relocated. */
  | 'not-autoloaded';

export interface CoreRelocation {
  /** ELF section of the record, its index in the section's .BTF.ext records (libbpf's `relo #N`). */
  section: string;
  index: number;
  /** Byte offset of the instruction in the section (insn_off). */
  insnOff: number;
  /** The program (function) the instruction belongs to, and its index there (libbpf's `insn #I`). */
  prog?: string;
  insn?: number;
  kind: number;
  kindName: string;
  typeId: number;
  access: string;
  /** The local spec as libbpf formats it. */
  spec?: string;
  candidates: CandidateOutcome[];
  /** The matching candidate's spec. */
  targetSpec?: string;
  /** The matching target type: which BTF, which ID. */
  target?: { btf: string; id: number };
  outcome: CoreOutcome;
  /** Local and target values (offset, size, existence, ID, enum value...) as libbpf computed them (u64). */
  localValue?: bigint;
  targetValue?: bigint;
  patch?: InsnPatch;
  poisoned?: number[];
  /** negative errno when outcome is 'failed' */
  error?: number;
  /** The warning libbpf logged for this relocation, if any. */
  reason?: string;
  /** `reason` without libbpf's `prog '…': ` and `relo #N: ` prefixes, trimmed: the cause in a sentence of ours. */
  reasonDetail?: string;
  /**
   * Poisoned relocations only: can the kernel verifier reach the poisoned instruction (reach.ts)? false
   * means it sits in code the patched constants make dead (e.g. behind `bpf_core_field_exists()`), so
   * the program still loads; true (the conservative answer) means the load fails there.
   */
  reachable?: boolean;
}

export interface CoreResolution {
  relocations: CoreRelocation[];
  log: CoreLogLine[];
  /** false when libbpf would fail the load during CO-RE relocation (or the object cannot be opened). */
  ok: boolean;
  /** libbpf's error code when !ok. */
  error?: number;
  problems: Problem[];
  /** The object, its programs and their patched instructions, for reachability questions (reach.ts). */
  reach?: ReachContext;
  /** What was thrown when resolution failed by a bug of ours (its problem says only that): for logs. */
  internalError?: unknown;
}

export interface ResolveOptions {
  /** LSHIFT_U64 uses the byte order of the machine running libbpf; default: the object's byte order. */
  hostBigEndian?: boolean;
  /** Compute `reachable` for poisoned relocations (reach.ts); default true. */
  reach?: boolean;
  /** Which programs libbpf loads (bpf_program__set_autoload); default: all but SEC("?…") ones. */
  autoload?: (prog: string) => boolean;
  /** Go on after a failed relocation (libbpf stops): every record gets its outcome; `error` is the first. */
  keepGoing?: boolean;
}

/** Does core_oracle -q keep this message? */
export function isCoreLine(text: string): boolean {
  return text.includes('relo #') || text.includes('CO-RE') || text.includes('candidate');
}

/** Resolves every CO-RE relocation of `obj` against `target`. Never throws on bad input. */
export function resolveCoreRelocations(obj: BtfInput, target: CoreTarget, opts: ResolveOptions = {}): CoreResolution {
  const result: CoreResolution = { relocations: [], log: [], ok: true, problems: [] };
  const log: Logger = (level, text) => {
    result.log.push({ level, text, core: isCoreLine(text) });
  };
  const ctx: ReachContext = {};
  try {
    run(obj, target, opts, result, log, ctx);
    if (opts.reach !== false) markReachability(ctx, result.relocations);
    result.reach = ctx;
  } catch (e) {
    // A bug of ours, not bad input; keep the promise of never throwing: one line for the user (no stack),
    // the exception for whoever keeps a log.
    result.ok = false;
    result.internalError = e;
    result.problems.push({ file: obj.file, offset: 0, severity: 'error', message: `internal error in BTF Lens while resolving the CO-RE relocations of ${obj.file}` });
  }
  return result;
}

function run(obj: BtfInput, target: CoreTarget, opts: ResolveOptions, result: CoreResolution, log: Logger, ctx: ReachContext): void {
  const problem = (message: string, severity: 'error' | 'warning' = 'error') =>
    result.problems.push({ file: obj.file, offset: 0, severity, message });
  const { elf, btf, ext } = obj;
  if (!elf) {
    problem('not an ELF object: no CO-RE relocations to resolve');
    return;
  }
  const progs = libbpfPrograms(elf);
  if (progs.openError) {
    result.ok = false;
    result.error = -progs.openError.errno;
    problem(`libbpf cannot open this object: ${progs.openError.message}`);
    return;
  }
  if (!btf || !ext) return;
  if (ext.problems.some((p) => p.severity === 'error')) {
    // libbpf: "Error loading ELF section .BTF.ext: ... Ignored and continue."
    problem('.BTF.ext is malformed: libbpf ignores it, so no CO-RE relocation is applied', 'warning');
    return;
  }
  const sections = ext.coreRelo;
  if (sections.length === 0) return;
  const extErr = externOpenError(elf, new TypeView(btf, 8));
  if (extErr) {
    result.ok = false;
    result.error = -extErr.errno;
    problem(`libbpf cannot open this object: ${extErr.message}`);
    return;
  }

  // libbpf forces 8-byte pointers for a BPF object's BTF, and fills in DATASEC sizes at open
  const sizes = new Map<number, number>();
  for (let id = btf.startId; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.DATASEC || btf.sizeOrType(id) !== 0) continue;
    const name = btf.name(id);
    if (name === '.kconfig' || name === '.ksyms') continue;
    const sec = elf.sections[secIdxByName(elf, name)];
    if (!name || !sec || sec.index === 0 || sec.size === 0) {
      result.ok = false;
      result.error = -ERRNO.ENOENT;
      problem(`libbpf cannot open this object: no ELF section for DATASEC '${name}'`);
      return;
    }
    sizes.set(id, sec.size);
  }
  const ltv = new TypeView(btf, 8, sizes);
  const bigEndian = opts.hostBigEndian ?? !(elf.header?.littleEndian ?? true);
  const cache = new Map<number, Candidate[]>();
  const bufs = new Map<LibbpfProgram, InsnBuf>();
  const insnsOf = (p: LibbpfProgram): InsnBuf => {
    let b = bufs.get(p);
    if (!b) {
      const sec = elf.sections[p.secIdx]!;
      const data = elf.data(sec);
      // A copy: patching must not touch the object's bytes (a Node Buffer's slice() would be a view, and
      // the next resolution of the same object would find the previous target's values).
      b = new InsnBuf(new Uint8Array(data.subarray(p.insnOff * 8, (p.insnOff + p.insnCnt) * 8)), elf.header?.littleEndian ?? true);
      bufs.set(p, b);
    }
    return b;
  };
  Object.assign(ctx, { elf, programs: progs.programs, insnsOf });
  const abort = (err: number) => {
    if (result.ok) {
      result.ok = false;
      result.error = err;
      log('warn', `failed to perform CO-RE relocations: ${err}`);
    }
    // keepGoing: the caller continues with the next record (a failed one is not patched)
    return !opts.keepGoing;
  };

  for (const sec of sections) {
    const secIdx = secIdxByName(elf, sec.name);
    if (!sec.name) {
      if (abort(-ERRNO.EINVAL)) return;
      continue;
    }
    log('debug', `sec '${sec.name}': found ${sec.records.length} CO-RE relocations`);
    for (let i = 0; i < sec.records.length; i++) {
      const rec = sec.records[i]!;
      const access = btf.str(rec.accessStrOff) ?? '';
      const entry: CoreRelocation = {
        section: sec.name, index: i, insnOff: rec.insnOff, kind: rec.kind, kindName: coreReloKindStr(rec.kind),
        typeId: rec.typeId, access, candidates: [], outcome: 'failed',
      };
      if (rec.insnOff % 8) {
        const why = `insn_off ${rec.insnOff} is not a multiple of 8`;
        result.relocations.push({ ...entry, error: -ERRNO.EINVAL, reason: why, reasonDetail: why });
        if (abort(-ERRNO.EINVAL)) return;
        continue;
      }
      const secInsn = rec.insnOff / 8;
      const prog = findProgBySecInsn(progs.programs, secIdx, secInsn);
      if (!prog) {
        log('debug', `sec '${sec.name}': skipping CO-RE relocation #${i} for insn #${secInsn} belonging to eliminated weak subprogram`);
        result.relocations.push({ ...entry, outcome: 'skipped' });
        continue;
      }
      entry.prog = prog.name;
      if (!(opts.autoload ? opts.autoload(prog.name) : prog.autoload)) {
        result.relocations.push({ ...entry, outcome: 'not-autoloaded' });
        continue;
      }
      const insnIdx = secInsn - prog.insnOff;
      entry.insn = insnIdx;
      result.relocations.push(entry);
      if (insnIdx >= prog.insnCnt) {
        entry.error = -ERRNO.EINVAL;
        if (abort(-ERRNO.EINVAL)) return;
        continue;
      }
      const warnAt = result.log.length;
      const progPrefix = `prog '${prog.name}': `;
      const reloPrefix = `relo #${i}: `;
      const setReason = () => {
        const text = result.log.slice(warnAt).find((l) => l.level === 'warn')?.text;
        if (text === undefined) return;
        entry.reason = text;
        let detail = text.startsWith(progPrefix) ? text.slice(progPrefix.length) : text;
        if (detail.startsWith(reloPrefix)) detail = detail.slice(reloPrefix.length);
        entry.reasonDetail = detail.trim();
      };

      // bpf_core_resolve_relo
      const localId = rec.typeId;
      let err = 0;
      let res: ReloRes | undefined;
      if (!ltv.exists(localId) || ltv.name(localId) === undefined) {
        err = -ERRNO.EINVAL;
      } else {
        let cands: Candidate[] | undefined;
        if (rec.kind !== CoreReloKind.TYPE_ID_LOCAL) {
          cands = cache.get(localId);
          if (!cands) {
            cands = findCands(ltv, localId, target, log);
            if (!cands) {
              log('warn', `prog '${prog.name}': relo #${i}: target candidate search failed for [${localId}] ${libbpfKindStr(ltv.kind(localId))} ${ltv.name(localId) ?? ''}: ${-ERRNO.EINVAL}`);
              err = -ERRNO.EINVAL;
            } else {
              cache.set(localId, cands);
            }
          }
        }
        if (!err) {
          const c = calcReloInsn(prog.name, rec, i, ltv, cands, log, bigEndian);
          err = c.err;
          res = c.res;
          entry.spec = c.localSpecText;
          entry.candidates = c.candidates;
          if (c.targSpec) {
            // the first matching candidate is the one whose spec libbpf keeps (formatted when logged)
            const hit = c.candidates.find((x) => x.matched);
            entry.targetSpec = hit ? hit.spec : formatSpec(c.targSpec);
            if (hit) entry.target = { btf: hit.btfName, id: hit.id };
          }
        }
      }
      if (err || !res) {
        entry.error = err || -ERRNO.EINVAL;
        log('warn', `prog '${prog.name}': relo #${i}: failed to relocate: ${entry.error}`);
        setReason();
        if (abort(entry.error)) return;
        continue;
      }
      entry.localValue = res.origVal;
      entry.targetValue = res.newVal;
      const p = patchInsn(prog.name, insnsOf(prog), insnIdx, i, res, log);
      entry.patch = p.patch;
      entry.poisoned = p.poisoned;
      if (p.err) {
        entry.error = p.err;
        log('warn', `prog '${prog.name}': relo #${i}: failed to patch insn #${insnIdx >>> 0}: ${p.err}`);
        setReason();
        if (abort(p.err)) return;
        continue;
      }
      entry.outcome = p.poisoned ? 'poisoned' : 'patched';
      setReason();
    }
  }
}

/**
 * The lines core_oracle -q prints (without its `D: libbpf: ` / `W: libbpf: ` prefixes), or all of them.
 * libbpf 1.1's "error matching candidate" message ends in "\n " instead of "\n": its last line is a lone
 * space that the next message printed continues (" prog '...': relo #N: failed to relocate: ..."). A later
 * libbpf patch drops that space; we print what 1.1 prints.
 */
export function coreLogLines(res: CoreResolution, all = false): string[] {
  const out: string[] = [];
  let carry = '';
  for (const l of res.log) {
    if (!all && !l.core) continue;
    const text = carry + l.text;
    if (!l.text.endsWith('\n ')) {
      out.push(text);
      carry = '';
      continue;
    }
    const parts = text.split('\n');
    carry = parts.pop()!;
    out.push(...parts);
  }
  if (carry) out.push(carry);
  return out;
}

/** Opens a target: vmlinux BTF (raw or ELF), optionally with module BTF split on it. */
export function openCoreTarget(vmlinux: Uint8Array, modules: { name: string; bytes: Uint8Array }[] = [], file = 'vmlinux'): { target: CoreTarget; problems: Problem[] } {
  const base = openBtfBytes(vmlinux, { file });
  const problems = [...base.problems];
  const vbtf = base.btf ?? Btf.parse(new Uint8Array(0));
  const mods = modules.map((m) => {
    const i = openBtfBytes(m.bytes, { file: m.name, base: vbtf });
    problems.push(...i.problems);
    return { name: m.name, btf: i.btf ?? Btf.parse(new Uint8Array(0), { base: vbtf }) };
  });
  return { target: { vmlinux: vbtf, modules: mods }, problems };
}

/**
 * Benchmark entry: parse the object and the target from bytes and resolve every relocation, the work
 * core_oracle times in libbpf (btf__parse of the target, candidate search, matching, patching).
 */
export function resolveCoreBytes(objBytes: Uint8Array, targetBytes: Uint8Array, opts: { objFile?: string; modules?: { name: string; bytes: Uint8Array }[]; prepare?: boolean } = {}): CoreResolution {
  const obj = openBtfBytes(objBytes, { file: opts.objFile ?? 'object.o' });
  const { target } = openCoreTarget(targetBytes, opts.modules);
  if (opts.prepare) prepareTarget(target);
  // no reachability: libbpf does not do that work (the verifier does, later), so it is not timed against it
  return resolveCoreRelocations(obj, target, { reach: false });
}

/** `btf-lens core --format json`: the resolution as plain JSON data (u64 values as decimal strings). */
export function coreResolutionJson(res: CoreResolution, meta: { object: string; target: string; modules?: string[] }): object {
  const big = (v: bigint | undefined) => (v === undefined ? undefined : v.toString());
  return {
    object: meta.object,
    target: { vmlinux: meta.target, modules: meta.modules ?? [] },
    ok: res.ok,
    error: res.error ?? null,
    relocations: res.relocations.map((r) => ({
      ...r,
      localValue: big(r.localValue),
      targetValue: big(r.targetValue),
      patch: r.patch && { ...r.patch, from: big(r.patch.from), to: big(r.patch.to) },
    })),
    log: res.log,
    problems: res.problems,
  };
}
