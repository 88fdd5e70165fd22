/**
 * One input through every entry point in this thread, each entry point timed on stderr: where a
 * fuzz regression hangs or throws. `node --import tsx scripts/fuzz-one.ts FILE [--base KEY] [--corpus DIR]`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { EntryPoints } from '../test/fuzz/entry-points';
import { loadSeeds } from '../test/fuzz/seeds';
import { sharedCorpus } from '../test/helpers/paths';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { base: { type: 'string' }, corpus: { type: 'string', default: sharedCorpus } } });
  const set = loadSeeds({ corpus: values.corpus });
  const eps = await EntryPoints.create(set.bases, set.kernelKey);
  let t = performance.now();
  let last = 'start';
  eps.onStage = (e) => {
    const now = performance.now();
    process.stderr.write(`${last} ${(now - t).toFixed(1)} ms\n`);
    last = e;
    t = now;
  };
  try {
    for (const f of positionals) {
      const r = await eps.run(basename(f), new Uint8Array(readFileSync(f)), values.base);
      eps.onStage('open');
      for (const c of r.crashes) console.log(`crash in ${c.entry}: ${c.error}`);
    }
  } finally {
    eps.dispose();
  }
  return 0;
}

void main().then((c) => process.exit(c));
