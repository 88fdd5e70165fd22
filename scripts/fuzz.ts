/**
 * The fuzzing campaign: `node --import tsx scripts/fuzz.ts [--count N] [--seed S] [--start I] [--out DIR]
 * [--timeout MS] [--lsp-every N] [--corpus DIR] [--no-regressions]`. Mutates the committed fixtures (and, when present, a
 * sample of the shared corpus modules on their vmlinux) and runs every entry point on each input in one
 * worker thread under a time and memory limit (test/fuzz/). Failing inputs are written to DIR (default
 * test/fixtures/fuzz-regressions) with a .txt naming the entry point, the error and the seed.
 * Exit 1 when any input failed.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { regressionInputs, runCampaign, summary } from '../test/fuzz/campaign';
import { loadSeeds } from '../test/fuzz/seeds';
import { repoRoot, sharedCorpus } from '../test/helpers/paths';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '0' },
    out: { type: 'string', default: join(repoRoot, 'test/fixtures/fuzz-regressions') },
    timeout: { type: 'string', default: '10000' },
    'lsp-every': { type: 'string', default: '1' },
    corpus: { type: 'string', default: sharedCorpus },
    'no-regressions': { type: 'boolean' },
  },
});
async function main(): Promise<number> {
  const set = loadSeeds({ corpus: values.corpus });
  const log = (l: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
  log(`${set.seeds.length} seeds${set.kernelKey ? ` (corpus modules on ${set.kernelKey})` : ' (no corpus: committed fixtures only)'}, seed ${values.seed}, ${values.count} inputs`);
  const stats = await runCampaign({
    set, seed: Number(values.seed), count: Number(values.count), start: Number(values.start), timeoutMs: Number(values.timeout), out: values.out, log, lspEvery: Number(values['lsp-every']),
    extra: values['no-regressions'] ? [] : regressionInputs(join(repoRoot, 'test/fixtures/fuzz-regressions')),
  });
  for (const l of summary(stats)) log(l);
  for (const f of stats.distinct.values()) log(`${f.kind} in ${f.entry}: ${f.error.split('\n')[0]} -> ${f.saved ?? '(not saved)'}`);
  return stats.failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(2);
});
