/**
 * A fuzzing run: inputs made from the seeds (every 4th a truncation of a small seed at the next offset,
 * the others mutated at random), each through every entry point in the worker; failures kept as
 * regression fixtures (one per entry point and error, shrunk by truncation when it still fails).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ENTRY_POINTS, type EntryPoint } from './entry-points';
import { type FuzzInput, makeInput, truncations } from './mutate';
import { FuzzPool, type Outcome } from './pool';
import type { SeedSet } from './seeds';

/** Seeds up to this size are truncated at every offset. */
export const SMALL_SEED = 6 * 1024;

export interface CampaignOptions {
  set: SeedSet;
  seed: number;
  count: number;
  /** First input index (to continue a run). */
  start?: number;
  timeoutMs?: number;
  heapMb?: number;
  rssMb?: number;
  /** Where failing inputs are written; none: not written. */
  out?: string;
  log?: (line: string) => void;
  logEveryMs?: number;
  /** The language server's entry points on every n-th input only (default 1: all); the CLI's run on all. */
  lspEvery?: number;
  /** Also run these (regression fixtures) first, through every entry point. */
  extra?: FuzzInput[];
}

export interface Failure {
  kind: Exclude<Outcome['kind'], 'ok'>;
  entry: EntryPoint | 'start';
  error: string;
  input: FuzzInput;
  index: number;
  saved?: string;
}

export interface CampaignStats {
  inputs: number;
  ms: number;
  reached: Record<string, number>;
  /** Milliseconds spent in each entry point, over all inputs. */
  times: Record<string, number>;
  failures: Failure[];
  /** Distinct failures by signature (what a regression fixture is kept for). */
  distinct: Map<string, Failure>;
  restarts: number;
}

export function signature(f: Pick<Failure, 'kind' | 'entry' | 'error'>): string {
  const lines = f.error.split('\n');
  const msg = lines[0]!.replace(/\d+/g, 'N').slice(0, 160);
  const frame = lines.find((l) => /server\/src\//.test(l))?.replace(/:\d+:\d+\)?$/, '').trim() ?? '';
  return `${f.kind} ${f.entry} ${msg} ${frame}`;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignStats> {
  const pool = new FuzzPool({ bases: o.set.bases, kernelKey: o.set.kernelKey, timeoutMs: o.timeoutMs ?? 10_000, heapMb: o.heapMb ?? 1024, rssMb: o.rssMb ?? 3072 });
  const stats: CampaignStats = { inputs: 0, ms: 0, reached: Object.fromEntries(ENTRY_POINTS.map((e) => [e, 0])), times: Object.fromEntries(ENTRY_POINTS.map((e) => [e, 0])), failures: [], distinct: new Map(), restarts: 0 };
  const trunc = truncations(o.set.seeds, SMALL_SEED);
  const t0 = performance.now();
  let lastLog = t0;
  const one = async (input: FuzzInput, index: number) => {
    const lsp = index < 0 || index % (o.lspEvery ?? 1) === 0;
    const r = await pool.run(input.name, input.bytes, input.base, lsp);
    stats.inputs++;
    if (r.kind === 'ok' || r.kind === 'crash') {
      for (const e of r.reached) stats.reached[e]!++;
      for (const [e, t] of Object.entries(r.times)) stats.times[e]! += t;
    }
    const fails: Failure[] = r.kind === 'ok' ? []
      : r.kind === 'crash' ? r.crashes.map((c) => ({ kind: 'crash' as const, entry: c.entry, error: c.error, input, index }))
      : [{ kind: r.kind, entry: r.entry, error: r.error, input, index }];
    for (const f of fails) {
      stats.failures.push(f);
      const sig = signature(f);
      if (stats.distinct.has(sig)) continue;
      stats.distinct.set(sig, f);
      o.log?.(`#${index} ${f.kind} in ${f.entry}: ${f.error.split('\n').slice(0, 3).join(' / ')} (${input.how})`);
      if (o.out) f.saved = await save(o.out, await shrink(pool, f), o.seed);
    }
    const now = performance.now();
    if (o.log && now - lastLog > (o.logEveryMs ?? 30_000)) {
      lastLog = now;
      o.log(`${stats.inputs} inputs, ${(stats.inputs / ((now - t0) / 1000)).toFixed(1)}/s, ${stats.failures.length} failures (${stats.distinct.size} distinct), ${pool.restarts} restarts, worker heap ${pool.heapMb.toFixed(0)} MB`);
    }
  };
  try {
    for (const [i, x] of (o.extra ?? []).entries()) await one(x, -1 - i);
    const start = o.start ?? 0;
    const truncStart = trunc.length ? (Math.imul(o.seed, 2654435761) >>> 0) % trunc.length : 0;
    for (let i = start; i < start + o.count; i++) {
      let input: FuzzInput;
      if (i % 4 === 3 && trunc.length) {
        const t = trunc[(truncStart + (i >> 2)) % trunc.length]!;
        const s = o.set.seeds[t.seed]!;
        input = { name: s.name, bytes: s.bytes.subarray(0, t.at), base: s.base, how: `${s.name} | truncate to ${t.at}` };
      } else input = makeInput(o.set.seeds, o.seed, i);
      await one(input, i);
    }
  } finally {
    stats.ms = performance.now() - t0;
    stats.restarts = pool.restarts;
    await pool.close();
  }
  return stats;
}

/** The shortest prefix that still fails the same way (bisection: most failures need an early byte, not a late one). */
async function shrink(pool: FuzzPool, f: Failure): Promise<Failure> {
  if (f.kind !== 'crash') return f;
  const sig = signature(f);
  const fails = async (n: number) => {
    const r = await pool.run(f.input.name, f.input.bytes.subarray(0, n), f.input.base, true);
    return r.kind === 'crash' && r.crashes.some((c) => signature({ kind: 'crash', entry: c.entry, error: c.error }) === sig);
  };
  let lo = 0;
  let hi = f.input.bytes.length;
  for (let steps = 0; steps < 24 && lo < hi; steps++) {
    const mid = (lo + hi) >> 1;
    if (await fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  if (hi === f.input.bytes.length || !(await fails(hi))) return f;
  return { ...f, input: { ...f.input, bytes: f.input.bytes.subarray(0, hi), how: `${f.input.how} | shrunk to ${hi}` } };
}

async function save(dir: string, f: Failure, seed: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha1').update(f.input.bytes).digest('hex').slice(0, 10);
  const ext = extname(f.input.name) || '.bin';
  const file = `${f.entry}-${f.kind}-${hash}${ext}`;
  writeFileSync(join(dir, file), f.input.bytes);
  const firstLines = f.error.split('\n').slice(0, 8).join('\n');
  writeFileSync(join(dir, `${file}.txt`), [
    `entry point: ${f.entry}`, `outcome: ${f.kind}`, `seed: ${seed}`, `input index: ${f.index}`, `made: ${f.input.how}`,
    ...(f.input.base ? [`base: ${f.input.base}`] : []), 'error:', firstLines, '',
  ].join('\n'));
  return file;
}

/** The regression fixtures of `dir`, as inputs (each file's `.txt` says which base it was read on). */
export function regressionInputs(dir: string): FuzzInput[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => !f.endsWith('.txt') && !f.startsWith('README')).sort().map((f) => {
    const txt = existsSync(join(dir, `${f}.txt`)) ? readFileSync(join(dir, `${f}.txt`), 'utf8') : '';
    const base = /^base: (\S+)$/m.exec(txt)?.[1];
    return { name: f, bytes: new Uint8Array(readFileSync(join(dir, f))), base, how: `regression ${f}` };
  });
}

export function summary(s: CampaignStats): string[] {
  const by = new Map<string, number>();
  for (const f of s.failures) by.set(`${f.kind} in ${f.entry}`, (by.get(`${f.kind} in ${f.entry}`) ?? 0) + 1);
  return [
    `${s.inputs} inputs in ${(s.ms / 1000).toFixed(1)} s (${(s.inputs / (s.ms / 1000)).toFixed(1)} inputs/s), worker restarts: ${s.restarts}`,
    `failures: ${s.failures.length} (${s.distinct.size} distinct)${[...by].map(([k, n]) => `\n  ${k}: ${n}`).join('')}`,
    `reached: ${ENTRY_POINTS.map((e) => `${e}=${s.reached[e]}`).join(' ')}`,
    `seconds: ${ENTRY_POINTS.map((e) => `${e}=${(s.times[e]! / 1000).toFixed(1)}`).join(' ')}`,
  ];
}
