/**
 * What a BPF object needs from a kernel before the verifier runs, and what one kernel's BTF answers, as
 * libbpf 1.1 decides it in bpf_object__load: extern collection (open) and resolution, struct_ops
 * init_kern, CO-RE relocation, then each program's attach-target lookup (libbpf_prepare_prog_load).
 *
 * The dependencies are a property of the object alone (`LoadCheck.dependencies`, the same list for every
 * target); the outcomes are per target (`LoadCheck.outcomes[i]` answers `dependencies[i]`). Type IDs
 * always come with the BTF they belong to: `localTypeId` is in the object's BTF, `targetTypeId` in the
 * target BTF named by `targetBtf` (`vmlinux` or a module's name).
 */
import type { CoreTarget } from '../core-relo/candidates';
import type { CoreResolution } from '../core-relo/resolve';
import type { BtfInput } from '../input';
import type { Problem } from '../util/problems';

export type { CoreTarget } from '../core-relo/candidates';

/** A place in the source, as the object's .BTF.ext line_info (or BTF) tells it. 0-based line and column. */
export interface SourcePlace {
  /** The file name as the compiler recorded it (often absolute, of the machine that built the object). */
  file: string;
  line: number;
  column: number;
}

export type DependencyKind =
  /** `extern const struct rq runqueues __ksym;`: a typed kernel variable, resolved against BTF VARs. */
  | 'ksym-var'
  /** `extern const void x __ksym;`: no type, so libbpf resolves it from /proc/kallsyms, not from BTF. */
  | 'ksym-typeless'
  /** `extern struct task_struct *bpf_task_acquire(...) __ksym;`: a kernel function, BTF FUNC + prototype. */
  | 'kfunc'
  /** `extern … __kconfig`: CONFIG_* from the kernel's config, or libbpf's virtual LINUX_* values. */
  | 'kconfig'
  /** The kernel function/typedef a program attaches to, named by its section (fentry/, lsm/, tp_btf/, iter/…). */
  | 'attach'
  /** The kernel struct a SEC(".struct_ops") map implements (and its bpf_struct_ops_<name> value type). */
  | 'struct-ops'
  /** One member of a struct_ops struct: the kernel must have a member of that name and kind. */
  | 'struct-ops-member'
  /** One CO-RE relocation record. */
  | 'core-relo';

export interface LoadDependency {
  kind: DependencyKind;
  /**
   * The name libbpf looks for: the extern's name; for `attach` the name after the section's `/`
   * (`do_unlinkat`, `file_open`, `bpf_testmod:fn`); for struct_ops the struct name, for a member
   * `struct.member`; for CO-RE the local type's name.
   */
  name: string;
  /** `__weak` extern (unresolved means 0, not a failure). false for every other kind. */
  weak: boolean;
  /**
   * In the object's BTF: ksym-var the variable's type (modifiers and typedefs skipped, as libbpf
   * compares it); kfunc its FUNC_PROTO; kconfig the variable's type; attach the program's FUNC;
   * struct-ops the local STRUCT; struct-ops-member that struct; core-relo the record's type.
   */
  localTypeId?: number;
  /** In the object's BTF: the extern's VAR or FUNC (externs only). */
  localVarId?: number;
  /** Where the source declares or (first) uses it, when line_info tells; `uses` lists every use. */
  place?: SourcePlace;
  uses?: SourcePlace[];
  /** attach, core-relo, struct-ops-member: the program (function) concerned. */
  program?: string;
  /** attach: the program's section; core-relo: the ELF section of the record. */
  section?: string;
  /** core-relo: the record's index in its section (libbpf's `relo #N`); kconfig: libbpf's extern index. */
  index?: number;
  /** core-relo: the relocation kind name (`byte_off`, `type_exists`…) and the access string. */
  reloKind?: string;
  access?: string;
  /**
   * attach: what libbpf looks up in the kernel's BTF: prefix + name (`bpf_lsm_` for lsm, `btf_trace_`
   * for tp_btf, `bpf_iter_` for iter, none for fentry/fexit/fmod_ret) and the kind (`func`, `typedef`).
   * libbpf 1.1 does not split `module:function`: it looks for the whole string (and does not find it).
   */
  lookup?: { prefix: string; name: string; kind: string };
  /** attach: the program's libbpf attach type name (`fentry`, `lsm`, `tp_btf`, `iter`…). */
  attachType?: string;
  /** attach: the `module` of a `module:function` section name. */
  module?: string;
  /** struct-ops, struct-ops-member: the map (variable) of the .struct_ops section. */
  map?: string;
  member?: string;
}

export type OutcomeCode =
  /** The target has it, compatible (CO-RE: patched with the target's value). */
  | 'found'
  /** A `__weak` extern the target lacks: libbpf sets it to 0 and goes on. */
  | 'weak-missing'
  /** The target lacks it: the load stops (strong extern, attach target, struct_ops struct or member). */
  | 'missing'
  /** The target has the name but libbpf's compatibility check fails (types, prototype, member kind/size). */
  | 'incompatible'
  /** CO-RE: no candidate matched; the instruction is poisoned (fails at the verifier only if reachable). */
  | 'poisoned'
  /** libbpf fails for another reason (ambiguous CO-RE match, bad record, kconfig value that does not fit…). */
  | 'failed'
  /** Cannot be told from a BTF file: CONFIG_* without --kconfig, typeless ksyms (kallsyms), unknown release. */
  | 'unknown'
  /** libbpf does not look: SEC("?…") program, autoload off, eliminated weak subprogram. */
  | 'not-loaded';

export interface DependencyOutcome {
  code: OutcomeCode;
  /** The kernel's type: ID in `targetBtf`, its kind as libbpf names it (`var`, `func`, `typedef`, `struct`). */
  targetTypeId?: number;
  targetKind?: string;
  /** `vmlinux` or the module's name. */
  targetBtf?: string;
  /** kconfig: the value libbpf sets (hex as libbpf prints it, or the string). */
  value?: string;
  /** libbpf's negative errno when this dependency makes the load fail. */
  err?: number;
  /** One sentence of ours saying why, when the code is not `found`. */
  detail?: string;
  /**
   * CO-RE `poisoned`: can the verifier reach the poisoned instruction (core-relo/reach.ts)? `weak-missing`
   * ksym or kfunc: does it reach a use of the 0 libbpf wrote that fails (load/weak-reach.ts; `weakUses`)?
   */
  reachable?: boolean;
  /** `weak-missing` ksym or kfunc: each use the verifier reaches and refuses, per program that reaches it. */
  weakUses?: WeakUse[];
  /** libbpf's log lines about this dependency on this target (without `libbpf: `), in libbpf's order. */
  log: string[];
}

/** A use of a missing `__weak` extern's 0 that the verifier reaches and refuses (load/weak-reach.ts). */
export interface WeakUse {
  /** The program being loaded (the kernel loads each with the subprograms it calls). */
  program: string;
  /** The function holding the instruction (the program itself or a subprogram). */
  function: string;
  /** The instruction's index in that function (as libbpf's `insn #N` counts it). */
  insn: number;
  /** The ELF section holding it and the instruction's byte offset there. */
  section: string;
  sectionOffset: number;
  /** A call of the missing kfunc; a load or store through the 0 address; 0 as a call's argument. */
  what: 'call' | 'dereference' | 'argument';
  place?: SourcePlace;
}

/** The step of bpf_object__load where libbpf stops. */
export type LoadStep = 'open' | 'externs' | 'struct-ops' | 'core' | 'attach';

export interface LoadStop {
  step: LoadStep;
  /** Index in `dependencies` of the dependency that stops the load, when one does. */
  dependency?: number;
  /** libbpf's negative errno. */
  err: number;
}

export interface LoadCheck {
  dependencies: LoadDependency[];
  /** One per dependency, same index, for this target; evaluated without stopping at the first failure. */
  outcomes: DependencyOutcome[];
  /**
   * What libbpf 1.1 logs (without `libbpf: `) for extern collection and resolution, struct_ops init_kern,
   * CO-RE relocation and the attach lookup of each program in load order, up to where it stops.
   */
  log: string[];
  /** Where the load stops before the verifier; absent when it gets that far. */
  stop?: LoadStop;
  /** The CO-RE resolution behind the core-relo outcomes (patched code, reachability). */
  core?: CoreResolution;
  problems: Problem[];
  /** What was thrown when the check failed by a bug of ours (its problem says only that): for logs. */
  internalError?: unknown;
}

export interface LoadOptions {
  /** Text of a kernel .config (`CONFIG_X=y` lines), as libbpf reads /boot/config-$(uname -r). */
  kconfig?: string;
  /**
   * Text of the target's /proc/kallsyms: libbpf resolves ksyms without a type (`extern const void x __ksym`)
   * from there (not from BTF); without it they are `unknown`.
   */
  kallsyms?: string;
  /** The target's release (`6.1.0-13-amd64`): LINUX_KERNEL_VERSION comes from it, as libbpf's from uname. */
  kernelRelease?: string;
  /**
   * What libbpf's feature probes of the running kernel answer (LINUX_HAS_BPF_COOKIE: a program calling
   * bpf_get_attach_cookie loads; LINUX_HAS_SYSCALL_WRAPPER: a kprobe on __<arch>_sys_bpf can be made);
   * default: told from the target's BTF (BPF_FUNC_get_attach_cookie in enum bpf_func_id; a __<arch>_sys_bpf FUNC).
   */
  features?: { LINUX_HAS_BPF_COOKIE?: boolean; LINUX_HAS_SYSCALL_WRAPPER?: boolean };
  /** LSHIFT_U64 uses the byte order of the machine running libbpf; default: the object's. */
  hostBigEndian?: boolean;
  /** Compute `reachable` for poisoned CO-RE relocations; default true. */
  reach?: boolean;
  /**
   * The programs libbpf loads (bpf_program__set_autoload true for these, false for the others); default:
   * every program but SEC("?…") ones. The per-program oracle harness loads one at a time.
   */
  programs?: string[];
}

/** The entry point (`checkLoad` in ./check.ts): never throws; problems, not exceptions. */
export type CheckLoad = (obj: BtfInput, target: CoreTarget, opts?: LoadOptions) => LoadCheck;

/** The dependencies alone, no target (`collectDependencies` in ./check.ts): the same list checkLoad returns. */
export type CollectDependencies = (obj: BtfInput) => { dependencies: LoadDependency[]; problems: Problem[] };
