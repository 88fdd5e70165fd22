// In-process half of bench/lsp.mjs: the same index (kernel + modules + test/workspace) driven without a
// process boundary, timing each workspace-symbol search and hover by this process's CPU time
// (process.cpuUsage, µs), which a busy machine inflates far less than wall time. Prints JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverMarkdown } from '../server/src/lsp/hover';
import { SymbolIndex } from '../server/src/lsp/names';
import { readSettings } from '../server/src/lsp/settings';
import { WorkspaceIndex } from '../server/src/lsp/workspace';

const [ws, modDir, base, queriesJson] = process.argv.slice(2) as [string, string, string, string];
// `selftests OBJDIR SRCDIR OBJ...`: hover every line_info line of big real objects (the kernel's BPF selftests).
const selftestsMode = ws === 'selftests';
const cpuMs = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

async function main(): Promise<void> {
  const index = new WorkspaceIndex([ws, modDir], readSettings({ kernelBtf: base }), { changed: () => {}, status: () => {}, log: () => {} });
  const c0 = process.cpuUsage();
  await index.start();
  const c1 = process.cpuUsage(c0);
  let table!: SymbolIndex;
  const buildMs = cpuMs(() => (table = new SymbolIndex(index.btfFiles())));
  const queries = JSON.parse(queriesJson) as string[];
  for (const q of queries) table.search(q, 200); // warm: groups, letter masks
  const symbol: number[] = [];
  for (let round = 0; round < 5; round++) for (const q of queries) symbol.push(cpuMs(() => table.search(q, 200)));
  const hover: number[] = [];
  for (const src of ['src/core.c', 'src/progs.c']) {
    const path = join(ws, src);
    const lines = readFileSync(path, 'utf8').split('\n');
    const text = (n: number) => lines[n] ?? '';
    for (let round = 0; round < 3; round++) {
      for (let line = 0; line < lines.length; line++) {
        const character = Math.max(0, lines[line]!.search(/\w+\)/));
        hover.push(cpuMs(() => hoverMarkdown(index, path, line, character, text)));
      }
    }
  }
  process.stdout.write(JSON.stringify({ indexCpuMs: (c1.user + c1.system) / 1000, buildMs, names: table.nameCount, symbol, hover }));
}
/** Hover CPU over the selftests objects named (every (file, line) their ext_oracle listing names). */
async function selftests(objDir: string, srcDir: string, objs: string[]): Promise<void> {
  const index = new WorkspaceIndex([srcDir, objDir], readSettings({ kernelBtf: 'none', include: objs.map((o) => `**/${o}`) }), { changed: () => {}, status: () => {}, log: () => {} });
  await index.start();
  const texts = new Map<string, (n: number) => string>();
  const textOf = (path: string) => {
    let t = texts.get(path);
    if (!t) {
      const lines = readFileSync(path, 'utf8').split('\n');
      texts.set(path, (t = (n: number) => lines[n] ?? ''));
    }
    return t;
  };
  const first: number[] = [];
  const rest: number[] = [];
  for (const o of objs) {
    const ext = readFileSync(join(objDir, `${o}.ext.txt`), 'utf8');
    const pairs = new Set<string>();
    for (const m of ext.matchAll(/^line_info \S+ insn_off=\d+ (\S+):(\d+):/gm)) pairs.add(`${m[1]}\0${m[2]}`);
    let n = 0;
    for (const p of pairs) {
      const [path, line] = p.split('\0') as [string, string];
      const ms = cpuMs(() => hoverMarkdown(index, path, Number(line) - 1, 0, textOf(path)));
      (n++ === 0 ? first : rest).push(ms);
    }
  }
  process.stdout.write(JSON.stringify({ first, rest }));
}

if (selftestsMode) void selftests(modDir, base, process.argv.slice(5));
else void main();
