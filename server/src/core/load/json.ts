import type { LoadCheck } from './model';

/**
 * `btf-lens check --format json` (README, "check JSON"): the object's dependencies, each with its outcome
 * on every target (same order as `targets`), evaluated without stopping at the first failure; per target
 * whether the load gets to the verifier, where libbpf stops otherwise, and libbpf's log.
 */
export function loadCheckJson(
  object: string, results: { file: string; release?: string; kconfig?: string; check: LoadCheck }[],
): object {
  const deps = results[0]?.check.dependencies ?? [];
  return {
    object,
    targets: results.map((r) => ({
      file: r.file,
      release: r.release ?? null,
      kconfig: r.kconfig ?? null,
      loads: r.check.stop === undefined,
      stop: r.check.stop ?? null,
      log: r.check.log,
    })),
    dependencies: deps.map((d, i) => ({ ...d, outcomes: results.map((r) => r.check.outcomes[i] ?? null) })),
    problems: results.flatMap((r) => r.check.problems),
  };
}
