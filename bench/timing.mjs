// What every bench file measures with: medians, and one whole command timed (wall, and user+sys CPU
// from /usr/bin/time when it is there: steadier on a busy machine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
export const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
export const gnuTime = existsSync('/usr/bin/time');

/** Runs `cmd` under sh: { wall, cpu } in ms (cpu NaN without /usr/bin/time). */
export function timed(cmd) {
  const t = performance.now();
  const r = gnuTime ? spawnSync('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', cmd], { encoding: 'utf8' }) : spawnSync('sh', ['-c', cmd]);
  const wall = performance.now() - t;
  const m = gnuTime ? /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr) : null;
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}
