/**
 * An object's dependency surface across target kernels (`btf-lens deps`): `objectDeps` lists what the
 * object needs (CO-RE fields, enum values and types, attach targets, kfuncs, ksyms) and per target whether
 * it is there and what changed; `formatDepsText` is the text for people, the report itself the JSON.
 */
export { type DepsOptions, type DepsResult, type DepsTargetInput, objectDeps } from './deps';
export type { DepOnTarget, DepUse, DepWhat, Dependency, DepsReport, DepsTarget } from './model';
export { depName, formatDepsText } from './text';
