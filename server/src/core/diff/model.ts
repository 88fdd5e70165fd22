/**
 * What `btf-lens diff` reports: the JSON schema of `--format json` (README, "Diff JSON schema").
 * Plain data, safe to serialise.
 */

/** The kinds compared, as bpftool names them, in the order the report lists them. */
export const DIFF_KINDS = ['STRUCT', 'UNION', 'ENUM', 'ENUM64', 'TYPEDEF', 'FUNC', 'VAR'] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

export type DetailWhat =
  // struct/union, and a typedef of an anonymous struct/union
  | 'size changed' | 'field added' | 'field removed' | 'field type changed' | 'field moved' | 'field renamed'
  | 'bitfield changed'
  // func
  | 'linkage changed' | 'return type changed' | 'param added' | 'param removed' | 'param reordered'
  | 'param type changed' | 'param renamed'
  // enum, enum64, and a typedef of an anonymous enum
  | 'value added' | 'value removed' | 'value changed'
  // typedef
  | 'target changed'
  // var
  | 'type changed';

/**
 * One difference inside a type. `member`: the field (a path through anonymous members' names:
 * `u.a` for `a` in the anonymous struct of member `u`; members of unnamed members keep their own
 * name), the parameter (its name, `#N` when it has none) or the enumerator. `old`/`new`: C text
 * of a type, a bit offset, a bitfield width in bits (0: not a bitfield), a size in bytes, an
 * index, a linkage (`static`, `global`, `extern`), an enumerator's value (number; ENUM64: a
 * decimal string), or a name (renames).
 */
export interface DiffDetail {
  what: DetailWhat;
  member?: string;
  old?: string | number;
  new?: string | number;
}

export interface DiffChange {
  kind: DiffKind;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Empty unless `change` is 'changed'. */
  details: DiffDetail[];
}

export interface BtfDiff {
  old: string;
  new: string;
  changes: DiffChange[];
  summary: { added: number; removed: number; changed: number };
}
