/**
 * A short fuzzing run (scripts/fuzz.ts is the long one): inputs mutated from the committed fixtures with
 * a fixed seed, through every CLI entry point (the language server's on every 16th), and every kept
 * regression fixture (test/fixtures/fuzz-regressions) through all of them; each under a time and memory
 * limit in a worker thread. Any throw, hang or limit is a failure, named with its entry point and input.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { regressionInputs, runCampaign, signature } from '../fuzz/campaign';
import { loadSeeds } from '../fuzz/seeds';
import { repoRoot } from '../helpers/paths';

const SEED = 20261207;
const COUNT = Number(process.env.BTF_LENS_FUZZ_COUNT ?? 1000);

test(`fuzz: ${COUNT} mutated inputs (seed ${SEED}) and every regression fixture, no crash, hang or limit`, { timeout: 600_000 }, async () => {
  const regressions = regressionInputs(join(repoRoot, 'test/fixtures/fuzz-regressions'));
  assert.ok(regressions.length > 0, 'the regression fixtures are there');
  const stats = await runCampaign({ set: loadSeeds(), seed: SEED, count: COUNT, lspEvery: 16, timeoutMs: 15_000, extra: regressions });
  assert.equal(stats.inputs, COUNT + regressions.length);
  const failures = [...stats.distinct.values()].map((f) => `${signature(f)}\n    input ${f.index}: ${f.input.how}\n    ${f.error.split('\n').slice(0, 4).join('\n    ')}`);
  assert.deepEqual(failures, [], `${stats.failures.length} failing input(s); reproduce one with scripts/fuzz.ts --seed ${SEED} --start INDEX --count 1`);
  // Every entry point was reached by some input (a harness that silently skips one would pass anything).
  const unreached = Object.entries(stats.reached).filter(([, n]) => n === 0).map(([e]) => e);
  assert.deepEqual(unreached, []);
});
