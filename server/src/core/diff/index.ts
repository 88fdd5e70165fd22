/**
 * Two BTFs compared (`btf-lens diff`): `diffBtf` matches named types by kind and name and lists
 * what changed in the categories of model.ts; `diffJson` is `--format json`, `formatDiffText`
 * the text for people.
 */
export { type BtfDiffResult, type DiffEntry, type DiffOptions, diffBtf, diffJson } from './diff';
export { type BtfDiff, DIFF_KINDS, type DetailWhat, type DiffChange, type DiffDetail, type DiffKind } from './model';
export { formatDiffText } from './text';
