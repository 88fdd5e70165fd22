/**
 * A missing `__weak` extern in the editor: its hover says per target kernel whether the verifier reaches a
 * use of the 0 libbpf leaves (the line of the first) or every use is guarded, and each reached use gets a
 * warning. Fixture: test/fixtures/load/src/weak_reach.c and its object, target the 6.18 corpus BTF; the lines
 * come from the running 6.18 kernel's verifier logs (test/fixtures/load/weak/weak_reach.bpfel.kernel.txt).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import type { CoreMatrixRequest } from '../../server/src/protocol/requests';
import { repoRoot, sharedCorpus } from '../helpers/paths';
import { startTestServer } from './harness';

const loadDir = join(repoRoot, 'test/fixtures/load');
const vmlinux618 = join(sharedCorpus, 'vmlinux-6.18.btf');

/** The source lines (1-based) the kernel's verifier stopped at, per program refused (kernel.txt). */
function kernelLines(): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of readFileSync(join(loadDir, 'weak/weak_reach.bpfel.kernel.txt'), 'utf8').split('\n')) {
    const m = /^prog (\S+): verifier -?\d+ at weak_reach\.c:(\d+):/.exec(l);
    if (m) out.set(m[1]!, +m[2]!);
  }
  return out;
}

async function waitFor<T>(f: () => T | undefined, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a missing __weak extern: reached uses (hover, warnings)', () => {
  test('hover: the first unguarded use by line, or every use guarded; a warning on each reached use', async (t) => {
    if (!existsSync(vmlinux618)) return t.skip(`no ${vmlinux618} (the corpus)`);
    const s = await startTestServer({
      settings: { coreTargets: [vmlinux618] },
      prepare: (root) => {
        mkdirSync(join(root, 'src'), { recursive: true });
        mkdirSync(join(root, 'build'), { recursive: true });
        copyFileSync(join(loadDir, 'src/weak_reach.c'), join(root, 'src/weak_reach.c'));
        copyFileSync(join(loadDir, 'obj/weak_reach.bpfel.o'), join(root, 'build/weak_reach.bpfel.o'));
      },
    });
    try {
      const lines = readFileSync(s.path('src/weak_reach.c'), 'utf8').split('\n');
      const hover = async (decl: string, at: string) => {
        const line = lines.findIndex((l) => l.includes(decl));
        const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/weak_reach.c') }, position: { line, character: lines[line]!.indexOf(at) + 1 } })) as Hover | null;
        const md = h ? (h.contents as { value: string }).value : '';
        return /On target kernels:\n\n```\n([^\n]*)\n```/.exec(md)?.[1];
      };
      const kernel = kernelLines();
      assert.equal(kernel.get('wk_var_deref'), lines.findIndex((l) => l === '\tout = made_up_var;') + 1);
      let row: string | undefined;
      for (let i = 0; i < 200 && !row?.includes('__weak'); i++) row = await hover('extern const int made_up_var __ksym __weak;', 'made_up_var');
      assert.equal(row, `vmlinux-6.18: not found: left 0 (__weak): unguarded use at line ${kernel.get('wk_var_deref')} (prog wk_var_deref): the verifier rejects`);
      // +3: wk_kfunc_noresult, wk_kfunc_in_subprog and, with no kernel config known for a BTF file,
      // wk_kfunc_kconfig (its CONFIG_ guard is undecided: counted as reached)
      assert.equal(await hover('extern int bpf_made_up_kfunc(int x) __ksym __weak;', 'bpf_made_up_kfunc'),
        `vmlinux-6.18: not found: left 0 (__weak): unguarded use at line ${kernel.get('wk_kfunc_call')} (prog wk_kfunc_call) (+3 more): the verifier rejects`);
      const diags = await waitFor(() => {
        const d = s.diagnostics.get(s.uri('src/weak_reach.c'))?.filter((x) => x.code === 'load-weak-use');
        return d?.length ? d : undefined;
      });
      // every program the kernel refused at a line of its own has a warning there, naming it
      for (const p of ['wk_var_deref', 'wk_var_helper', 'wk_kfunc_call']) {
        assert.ok(diags.some((d) => d.range.start.line + 1 === kernel.get(p) && d.message.includes(`prog ${p} reaches this use`)), `${p} at ${kernel.get(p)}`);
      }
      // and none where every use is guarded (those programs load)
      assert.ok(!diags.some((d) => /prog wk_\w*guarded/.test(d.message)));
      // the load matrix: the object fails on 6.18 at the first missing weak extern whose use is reached
      const r = (await s.client.sendRequest('btf/coreMatrix', { object: s.uri('build/weak_reach.bpfel.o') })) as CoreMatrixRequest.Result;
      assert.deepEqual(r.objects.map((o) => o.cells.map((c) => c.loads)), [[false]]);
      assert.ok(r.objects[0]!.cells[0]!.text.startsWith(`kfunc bpf_made_up_kfunc (__weak): not found: left 0 (__weak): unguarded use at line ${kernel.get('wk_kfunc_call')} `), r.objects[0]!.cells[0]!.text);
    } finally {
      s.close();
    }
  });
});
