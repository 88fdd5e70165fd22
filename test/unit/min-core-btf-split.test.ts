import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { coreLogLines, resolveCoreRelocations } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { minCoreBtf } from '../../server/src/core/write/min-core-btf';
import { golden, repoRoot, sharedCorpus } from '../helpers/paths';

/**
 * A module's BTF as the target (what bpftool cannot do): the tailored OUT, loaded by libbpf as the only kernel
 * BTF, gives every relocation the outcome libbpf gives with the full module + vmlinux (test/golden/min-core-btf-split/
 * make.sh records libbpf 1.1 on both: OBJ.txt on OUT, OBJ.full.txt on vmlinux + the module shown to libbpf as a
 * loaded module's BTF); our resolver agrees with both.
 */
const G = join(golden, 'min-core-btf-split');
const T = join(repoRoot, 'test/fixtures/core-targets/btf');
const objects: Record<string, string> = {
  'core.bpfel': 'test/fixtures/obj/core.bpfel.o',
  'progs.bpfel': 'test/fixtures/obj/progs.bpfel.o',
  'corex.bpfel': 'test/fixtures/core-targets/obj/corex.bpfel.o',
  'corex.tm.bpfel': 'test/fixtures/core-targets/obj/corex.tm.bpfel.o',
};
const OUTCOME = /^prog '[^']*': relo #[0-9]+: (patched|substituting|no matching|.*ambiguity)|failed to perform CO-RE/;
/**
 * The outcome lines; the new value of a TYPE_ID_TARGET relocation is an ID of the BTF loaded, which no
 * tailored BTF keeps (bpftool's own output renumbers too): only that it resolves is compared.
 */
function outcomes(lines: string[], typeIdTarget: Set<string>): string[] {
  return lines.filter((l) => OUTCOME.test(l)).map((l) => {
    const key = /^prog '[^']*': relo #[0-9]+/.exec(l)?.[0];
    return key && typeIdTarget.has(key) ? l.replace(/-> \d+$/, '-> (target type ID)') : l;
  });
}
const TYPE_ID_TARGET = 7;

interface Case {
  obj: string;
  /** the module's base and the module */
  vmlinux: string;
  module: string;
}
/** The Debian 6.1 modules src/modtypes.c reads types of (make.sh's list). */
const REAL_MODULES: Record<string, string> = { ext4: 'fs__ext4__ext4.btf', openvswitch: 'net__openvswitch__openvswitch.btf' };
/** Golden name -> case: the fixture module on its fixture vmlinux, and real Debian 6.1 modules (../shared/corpus). */
function caseOf(name: string): Case | undefined {
  if (objects[name]) return { obj: objects[name]!, vmlinux: join(T, 'missing.btf'), module: join(T, 'module.btf') };
  const file = REAL_MODULES[/^modtypes\.bpfel__(\w+)$/.exec(name)?.[1] ?? ''];
  if (!file) return undefined;
  return { obj: 'test/fixtures/min-core-btf/obj/modtypes.bpfel.o', vmlinux: join(sharedCorpus, 'vmlinux-6.1.btf'), module: join(sharedCorpus, 'modules', file) };
}
const parsed = new Map<string, Btf>();
function load(path: string, base?: Btf): Btf {
  let b = parsed.get(path);
  if (!b) parsed.set(path, (b = Btf.parse(new Uint8Array(readFileSync(path)), { base, file: path })));
  return b;
}

describe('gen min-core-btf on a module (split target): the tailored BTF resolves as the full module + vmlinux', () => {
  const goldens = readdirSync(G).filter((f) => f.endsWith('.txt') && !f.endsWith('.full.txt')).sort();
  it('has the goldens', () => {
    assert.ok(goldens.length >= Object.keys(objects).length + 2, goldens.join(' '));
    for (const g of goldens) assert.ok(caseOf(g.replace(/\.txt$/, '')), `${g}: a case`);
  });
  for (const g of goldens) {
    const name = g.replace(/\.txt$/, '');
    const c = caseOf(name);
    const missing = c && [c.vmlinux, c.module].find((f) => !existsSync(f));
    it(name, { skip: missing ? `no ${missing}` : false }, () => {
      const { obj: path } = c!;
      const vmlinux = load(c!.vmlinux);
      const module = load(c!.module, vmlinux);
      const obj = openBtfBytes(new Uint8Array(readFileSync(join(repoRoot, path))), { file: path });
      const libbpfOnOut = readFileSync(join(G, g), 'utf8').trimEnd().split('\n');
      const libbpfOnFull = readFileSync(join(G, `${name}.full.txt`), 'utf8').trimEnd().split('\n');
      // some relocations must have been resolved in the module, or the case proves nothing
      const full = resolveCoreRelocations(obj, { vmlinux, modules: [{ name: 'module', btf: module }] });
      assert.ok(full.relocations.some((r) => r.target && r.target.btf === 'module') || name === 'progs.bpfel', 'a relocation resolved in the module');
      const ids = new Set(full.relocations.filter((r) => r.kind === TYPE_ID_TARGET).map((r) => `prog '${r.prog}': relo #${r.index}`));
      const want = outcomes(libbpfOnOut, ids);
      assert.ok(want.length > 0);
      // the proof, libbpf on both sides: every relocation comes out the same on OUT as on the full module + vmlinux
      assert.deepEqual(outcomes(libbpfOnFull, ids), want, 'libbpf on the full module + vmlinux vs libbpf on OUT');
      // our resolver on the full module + vmlinux is libbpf's, IDs included
      assert.deepEqual(coreLogLines(full).filter((l) => OUTCOME.test(l)), libbpfOnFull, 'ours vs libbpf on the full module + vmlinux');
      // and the OUT we write today is one that resolves so
      const out = minCoreBtf(module, [{ file: path, input: obj }]);
      assert.equal(out.error, undefined);
      const tailored = resolveCoreRelocations(obj, { vmlinux: Btf.parse(out.bytes!) });
      assert.deepEqual(outcomes(coreLogLines(tailored), ids), want, 'OUT vs libbpf on OUT');
    });
  }
});
