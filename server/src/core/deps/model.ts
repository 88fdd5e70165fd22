import type { DiffDetail } from '../diff/model';
import type { OutcomeCode } from '../load/model';

/**
 * What `btf-lens deps` reports: an object's dependency surface on each target kernel (README,
 * "Deps JSON schema"). Plain data, safe to serialise.
 */

/**
 * What the object needs. `field`: a member its CO-RE relocations read (one per named type and member on
 * the access path: `sock.__sk_common.skc_daddr` needs `sock.__sk_common` and `sock_common.skc_daddr`);
 * `enum value`: an enumerator they test; `type`: a type they check (exists, size, matches, ID);
 * `attach`: a program's attach target (fentry/fexit/fmod_ret/lsm/iter functions, tp_btf's `btf_trace_*`);
 * `kfunc`, `ksym`: the object's `.ksyms` externs (functions, typed variables; typeless ones are resolved from
 * kallsyms, not BTF, and left out).
 */
export type DepWhat = 'field' | 'enum value' | 'type' | 'attach' | 'kfunc' | 'ksym';

/** Where the object uses it: a CO-RE relocation (libbpf's `relo #N` of a section) or a program section. */
export interface DepUse {
  section: string;
  prog?: string;
  /** CO-RE relocations: libbpf's index in the section and kind (`byte_off`, `field_exists`…). */
  relo?: number;
  reloKind?: string;
}

/** One dependency on one target. */
export interface DepOnTarget {
  /** The type (and member, enumerator) is there, by its (essential) name. */
  present: boolean;
  /**
   * What libbpf does with it at load, as `btf-lens check` says it (load/model.ts `OutcomeCode`: `found`,
   * `missing`, `weak-missing`, `incompatible`, `poisoned` — the verifier refuses the program if it reaches
   * the instruction: `reachable` —, `failed`, `unknown`, `not-loaded`). CO-RE: the worst outcome of the
   * relocations whose access path ends here; absent when libbpf stops before it or no relocation ends here.
   */
  outcome?: OutcomeCode;
  reachable?: boolean;
  /** What the target has: a member's C type and bit offset (bitfield width), an enumerator's value, a type's size, a declaration. */
  found?: { type?: string; bitOffset?: number; bits?: number; value?: number | string; size?: number; decl?: string };
  /**
   * How it differs, in `btf-lens diff`'s categories: CO-RE dependencies from the object's own (local) type,
   * the others from the first target that has it — or, where check says `incompatible`, from the object's
   * own extern declaration (why libbpf refuses it). Empty when the same or absent.
   */
  changes: DiffDetail[];
}

export interface Dependency {
  what: DepWhat;
  /** The kernel type's kind as bpftool names it (`STRUCT`, `ENUM`, `TYPEDEF`, `FUNC`, `VAR`, `INT`…). */
  kind: string;
  /** The kernel type's name: the object's, without a `___flavor` suffix. */
  name: string;
  /** Member path inside it (through anonymous members: `in6_u.u6_addr32`) or enumerator. */
  member?: string;
  /** The object's own names for it when they differ (flavors: `task_struct___pre514`). */
  local?: string[];
  /** A tracepoint's record (`trace_event_raw_*` roots) or its `btf_trace_*` typedef (tp_btf). */
  tracepoint?: string;
  uses: DepUse[];
  /** One per target, in the report's `targets` order. */
  targets: DepOnTarget[];
}

export interface DepsTarget {
  label: string;
  file: string;
}

export interface DepsReport {
  object: string;
  targets: DepsTarget[];
  dependencies: Dependency[];
  /** Per target: dependencies there, absent, and changed (present with changes). */
  summary: { label: string; present: number; absent: number; changed: number }[];
}
