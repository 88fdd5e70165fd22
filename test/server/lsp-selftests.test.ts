/**
 * The language server over a real BPF workspace: the kernel's BPF selftests (built by
 * test/fixtures/selftests.sh into /work/selftests, sources in the 6.1 kernel tree). On every line each
 * object's line_info names (ext_oracle's listing, `*.ext.txt`), hover, and check that every instruction
 * shown is a line llvm-objdump prints for that object, and that each CO-RE relocation of the object
 * is shown on exactly one line. Host-only: skips when the selftests, their sources or llvm-objdump
 * are absent. A sample of objects by default; BTF_LENS_SELFTESTS=all for every one of them,
 * BTF_LENS_SELFTESTS_ORDER=bpfeb for the big-endian build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver/node';
import { describeCoreRelo } from '../../server/src/core/core-relo/spec';
import { memberAccesses } from '../../server/src/lsp/lines';
import { readSettings } from '../../server/src/lsp/settings';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { kernelSrc, selftestsDir } from '../helpers/paths';
import { startTestServer } from './harness';

const selftests = process.env.BTF_LENS_SELFTESTS_DIR ?? selftestsDir;
const progs = process.env.BTF_LENS_SELFTESTS_SRC ?? join(kernelSrc, 'tools/testing/selftests/bpf/progs');
const objdumpOk = spawnSync('llvm-objdump', ['--version']).status === 0;
const why = !existsSync(join(selftests, 'summary.txt')) ? `no ${selftests}/summary.txt (test/fixtures/selftests.sh builds it)`
  : !existsSync(progs) ? `no selftests sources at ${progs}`
  : !objdumpOk ? 'llvm-objdump not installed' : undefined;

interface ObjectFacts {
  path: string;
  /** (source path, 1-based line) pairs of its line_info records. */
  lines: Map<string, Set<number>>;
  coreRelos: number;
}

function factsOf(obj: string): ObjectFacts | undefined {
  let text: string;
  try {
    text = readFileSync(`${obj}.ext.txt`, 'utf8');
  } catch {
    return undefined;
  }
  const lines = new Map<string, Set<number>>();
  let coreRelos = -1;
  for (const l of text.split('\n')) {
    const m = /^line_info \S+ insn_off=\d+ (\S+):(\d+):\d+ \|/.exec(l);
    if (m) {
      const set = lines.get(m[1]!) ?? new Set<number>();
      set.add(Number(m[2]));
      lines.set(m[1]!, set);
    }
    const r = /^RESULT ok .* core_relo=(\d+)/.exec(l);
    if (r) coreRelos = Number(r[1]);
  }
  return coreRelos < 0 ? undefined : { path: obj, lines, coreRelos };
}

test('selftests: hovers show llvm-objdump\'s instructions and every CO-RE relocation once', { skip: why ?? false, timeout: 600_000 }, async (t) => {
  const dir = join(selftests, process.env.BTF_LENS_SELFTESTS_ORDER ?? 'bpfel'); // or bpfeb
  const all = readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => factsOf(join(dir, f))).filter((f): f is ObjectFacts => !!f && f.lines.size > 0);
  // The sample: the objects with the most relocations, and some without.
  const sample = process.env.BTF_LENS_SELFTESTS === 'all' ? all
    : [...all.filter((f) => f.coreRelos > 0).sort((a, b) => b.coreRelos - a.coreRelos || (a.path < b.path ? -1 : 1)).slice(0, 6), ...all.filter((f) => f.coreRelos === 0).slice(0, 2)];
  const s = await startTestServer({
    folders: [progs, dir],
    settings: { kernelBtf: 'none', include: sample.map((f) => `**/${basename(f.path)}`) },
  });
  let checked = 0;
  let different = 0;
  const wrongRelos: string[] = [];
  try {
    for (const f of sample) {
      const label = basename(f.path);
      const dump = spawnSync('llvm-objdump', ['-d', '-r', '--no-show-raw-insn', f.path], { maxBuffer: 1 << 28 }).stdout.toString();
      const objdump = new Set(dump.split('\n'));
      let relos = 0;
      for (const [src, lines] of f.lines) {
        const uri = pathToFileURL(src).href;
        for (const line of lines) {
          const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: line - 1, character: 0 } })) as Hover | null;
          const md = h ? (h.contents as { value: string }).value : '';
          for (const part of md.split('\n\n---\n\n')) {
            // `**func** · \`section\`` and, when several objects map to the source, ` · object`. Unlabelled:
            // one object maps to this source, and it is this one (its line_info names it).
            const head = /^\*\*[^*]+\*\* · `[^`]*`(?: · (.+))?$/.exec(part.split('\n')[0]!);
            if (!head || (head[1] !== undefined && head[1] !== label)) continue;
            const fence = /```bpf-asm\n([\s\S]*?)\n```/.exec(part);
            for (const l of fence ? fence[1]!.split('\n') : []) {
              if (l.startsWith('… ')) continue;
              checked++;
              if (!objdump.has(l)) {
                different++;
                if (different <= 5) t.diagnostic(`${label} ${src}:${line}: not an llvm-objdump line: ${JSON.stringify(l)}`);
              }
            }
            const r = /CO-RE relocations?:\n\n```\n([\s\S]*?)\n```/.exec(part);
            if (r) relos += r[1]!.split('\n').length;
          }
        }
      }
      if (relos !== f.coreRelos) wrongRelos.push(`${label}: ${relos} shown, ${f.coreRelos} in .BTF.ext`);
    }
  } finally {
    s.close();
  }
  t.diagnostic(`${sample.length} objects, ${checked} instruction lines in hovers: ${checked - different} identical to llvm-objdump, ${different} different; relocations shown once: ${sample.length - wrongRelos.length}/${sample.length}`);
  assert.ok(checked > 0);
  assert.equal(different, 0);
  assert.deepEqual(wrongRelos, []);
});

test('selftests: a relocated member\'s offset in hovers is libbpf\'s (the spec\'s bit offset), for every field relocation', { skip: why ?? false, timeout: 600_000 }, async (t) => {
  const dir = join(selftests, process.env.BTF_LENS_SELFTESTS_ORDER ?? 'bpfel');
  const names = readdirSync(dir).filter((f) => f.endsWith('.o') && (process.env.BTF_LENS_SELFTESTS === 'all' || /^(core_kern|profiler\d|xdp_synproxy_kern|test_core_reloc_\w+|bpf_iter_tcp[46])\.o$/.test(f)));
  const index = new WorkspaceIndex([dir], readSettings({ kernelBtf: 'none', include: names.map((n) => `**/${n}`) }), { changed: () => {}, status: () => {}, log: () => {} });
  await index.start();
  let compared = 0;
  const wrong: string[] = [];
  for (const file of index.files.values()) {
    const btf = file.btf;
    if (!btf || !file.object) continue;
    for (const prog of file.object.programs) {
      for (const rec of prog.section.coreRelo) {
        if (rec.kind > 5) continue; // field relocations only
        const d = describeCoreRelo(btf, rec.typeId, btf.str(rec.accessStrOff), rec.kind);
        if (!d.spec) continue;
        const last = d.spec.accessors[d.spec.accessors.length - 1];
        if (d.spec.accessors.length < 2 || !last?.name) continue; // ends in an array index: no member to hover
        const acc = memberAccesses(btf, { rec, slot: 0, text: d.text, spec: d.spec });
        compared++;
        const a = acc[acc.length - 1];
        if (!a || a.name !== last.name || a.bitOffset !== d.spec.bitOffset) {
          wrong.push(`${file.label} ${d.text}: hover says ${a ? `${a.name} bit ${a.bitOffset}` : 'nothing'}`);
        }
      }
    }
  }
  t.diagnostic(`${index.files.size} objects, ${compared} member relocations: ${compared - wrong.length} with libbpf's bit offset, ${wrong.length} different`);
  assert.ok(compared > 100, `${compared}`);
  assert.deepEqual(wrong.slice(0, 10), []);
});
