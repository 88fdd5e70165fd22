/**
 * Modules on their own base, in the language server and the type-tree editor: the shipped Debian 6.1
 * `.ko` finds the workspace's vmlinux of its release (vermagic = banner) with no setting; raw module BTF
 * gets the base btfLens.moduleBases names; a made-up second kernel's module beside them resolves on its
 * own base; a base that does not fit is said on the file and in the editor's banner, and nothing of the
 * module is offered as if it were right. Names are checked against bpftool's dump (test/golden/lsp).
 * Everything here is in the repository: no corpus, no /sys needed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import type { SymbolInformation } from 'vscode-languageserver/node';
import type { FilesRequest, ParamsOf, RequestMethod, ResultOf, TypeTextRequest } from '../../server/src/protocol/requests';
import { buildElf, cStrings } from '../helpers/elf-builder';
import { OTHER_RELEASE, otherKernel } from '../helpers/other-kernel';
import { fixtureObj, golden } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const VMLINUX_61 = 'kernels/vmlinux-6.1.0-56-amd64.xz';
const OTHER_VMLINUX = `kernels/vmlinux-${OTHER_RELEASE}`;
/** bpftool btf dump file regmap-sdw.btf -B vmlinux-6.1.btf (test/golden/lsp/make.sh). */
const bpftool = readFileSync(join(golden, 'lsp/regmap-sdw.raw.txt'), 'utf8');
/** [id, kind, name] of every type bpftool prints. */
const bpftoolNames = bpftool.split('\n').flatMap((l) => {
  const m = /^\[(\d+)\] (\w+) '([^']*)'/.exec(l);
  return m ? [[Number(m[1]), m[2]!, m[3] === '(anon)' ? '' : m[3]!] as [number, string, string]] : [];
});

const req = <M extends RequestMethod>(s: TestServer, method: M, params: ParamsOf<M>) => s.client.sendRequest(method, params) as Promise<ResultOf<M>>;
const fileOf = async (s: TestServer, label: string) => (await req(s, 'btf/files', {}) as FilesRequest.Result).files.find((f) => f.label === label);

/** The module's own types as bpftool's raw dump prints them, through btf/typeText. */
async function rawText(s: TestServer, label: string): Promise<string> {
  const f = (await fileOf(s, label))!;
  let text = '';
  for (let id = f.firstId; id < f.firstId + f.ownTypes; id++) {
    text += ((await s.client.sendRequest('btf/typeText', { file: f.uri, id, format: 'raw' })) as TypeTextRequest.Result).text;
  }
  return text;
}

/** What the type tree lists for the file: [id, kind, name] of its own types. */
async function treeNames(s: TestServer, doc: string): Promise<[number, string, string][]> {
  const rows = await req(s, 'btf/editor/rows', { doc, scope: 'own', offset: 0, limit: 1000 });
  return rows.rows.map((r) => [r.id, r.kind, r.name]);
}

/** The made-up second kernel in the workspace copy: its vmlinux (banner + BTF), its module as .ko and as raw BTF. */
function addOtherKernel(root: string): void {
  const k = otherKernel();
  writeFileSync(join(root, OTHER_VMLINUX), k.vmlinuxElf);
  mkdirSync(join(root, 'other/raw'), { recursive: true });
  writeFileSync(join(root, 'other/other_mod.ko'), k.moduleKo);
  writeFileSync(join(root, 'other/raw/other_mod.btf'), k.moduleBtf);
}

describe('modules on their own base', () => {
  test('the shipped .ko names its release; the workspace vmlinux of that release is its base, whatever the kernel BTF', async () => {
    // A kernel BTF the module does not fit, set on purpose: the release decides first.
    const s = await startTestServer({ settings: { kernelBtf: join(fixtureObj, 'types.bpfel.btf') } });
    try {
      const ko = (await fileOf(s, 'modules/regmap-sdw.ko'))!;
      assert.deepEqual([ko.state, ko.missingBase, ko.firstId, ko.errors], ['indexed', false, 100751, 0]);
      assert.deepEqual(s.diagnostics.get(s.uri('modules/regmap-sdw.ko')) ?? [], []);
      assert.equal(await rawText(s, 'modules/regmap-sdw.ko'), bpftool);
      const ov = await req(s, 'btf/editor/open', { uri: s.uri('modules/regmap-sdw.ko') });
      assert.equal(ov.ok, true, JSON.stringify(ov.problems));
      assert.equal(ov.baseProblem, undefined);
      assert.deepEqual(ov.chain.map((c) => [c.firstId, c.count]), [[100751, 73], [1, 100750]]);
      assert.equal(ov.chain[1]!.uri, s.uri(VMLINUX_61));
      assert.deepEqual(await treeNames(s, ov.doc), bpftoolNames);
    } finally {
      s.close();
    }
  });

  test('raw module BTF on a base it does not fit: a banner in the editor, no rows, nothing offered; "Choose base" re-opens it right', async () => {
    const wrong = join(fixtureObj, 'types.bpfel.btf');
    const s = await startTestServer({ settings: { kernelBtf: wrong } });
    try {
      const ov = await req(s, 'btf/editor/open', { uri: s.uri('modules/regmap-sdw.btf') });
      assert.equal(ov.ok, false);
      const b = ov.baseProblem!;
      assert.deepEqual([b.kind, b.offset, b.base, b.why], ['mismatch', 204, wrong, 'the kernel BTF (btfLens.kernelBtf)']);
      assert.match(b.message, /^split BTF does not fit its base: 1 of 1 names taken from the base point into the middle of its strings, 120 type references point past the last type — /);
      // The chain still says which base was used.
      assert.deepEqual(ov.chain.map((c) => c.label), ['modules/regmap-sdw.btf', wrong]);
      await assert.rejects(req(s, 'btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 10 }), /has no readable BTF/);
      // Not in workspace symbols, no type documents, the file failed (the .ko beside it answers for the module).
      const sym = (await s.client.sendRequest('workspace/symbol', { query: 'sdw_' })) as SymbolInformation[];
      assert.ok(sym.length > 0 && sym.every((x) => x.containerName === 'modules/regmap-sdw.ko'), sym.map((x) => x.containerName).join());
      const f = (await fileOf(s, 'modules/regmap-sdw.btf'))!;
      assert.equal(f.state, 'failed');
      await assert.rejects(s.client.sendRequest('btf/typeText', { file: f.uri, id: 100751, format: 'raw' }));
      // "Choose base BTF…": the editor re-opens with the base picked.
      const fixed = await req(s, 'btf/editor/open', { uri: s.uri('modules/regmap-sdw.btf'), base: [s.uri(VMLINUX_61)] });
      assert.equal(fixed.ok, true, JSON.stringify(fixed.problems));
      assert.equal(fixed.baseProblem, undefined);
      assert.deepEqual(await treeNames(s, fixed.doc), bpftoolNames);
    } finally {
      s.close();
    }
  });

  test('btfLens.moduleBases pairs raw module BTF; changed while running, the module re-pairs and a wrong one is reported', async () => {
    const s = await startTestServer({ prepare: addOtherKernel, settings: { kernelBtf: 'none', moduleBases: { 'modules/*.btf': VMLINUX_61 } } });
    try {
      assert.deepEqual(s.diagnostics.get(s.uri('modules/regmap-sdw.btf')) ?? [], []);
      assert.equal(await rawText(s, 'modules/regmap-sdw.btf'), bpftool);
      const ready = s.nextReady();
      s.client.sendNotification('workspace/didChangeConfiguration', { settings: { btfLens: { kernelBtf: 'none', moduleBases: { 'modules/*.btf': OTHER_VMLINUX } } } });
      await ready;
      const d = s.diagnostics.get(s.uri('modules/regmap-sdw.btf'))!;
      assert.equal(d.length, 1);
      assert.match(d[0]!.message, new RegExp(`^modules/regmap-sdw\\.btf: offset 204 \\(0xcc\\): split BTF does not fit its base: .* — is .*${OTHER_VMLINUX} the kernel this was built for\\? It was taken as btfLens\\.moduleBases "modules/\\*\\.btf"\\. `));
      assert.equal((await fileOf(s, 'modules/regmap-sdw.btf'))!.state, 'failed');
      const ov = await req(s, 'btf/editor/open', { uri: s.uri('modules/regmap-sdw.btf') });
      assert.deepEqual([ov.ok, ov.baseProblem?.kind, ov.baseProblem?.why], [false, 'mismatch', 'btfLens.moduleBases "modules/*.btf"']);
    } finally {
      s.close();
    }
  });

  test('two kernels in one workspace: the Debian 6.1 module and another kernel\'s module, each on its own base', async () => {
    const s = await startTestServer({
      prepare: addOtherKernel,
      settings: { kernelBtf: 'none', moduleBases: { 'modules/*.btf': VMLINUX_61, 'other/raw/**': OTHER_VMLINUX } },
    });
    try {
      for (const label of ['modules/regmap-sdw.ko', 'modules/regmap-sdw.btf', 'other/other_mod.ko', 'other/raw/other_mod.btf']) {
        const f = (await fileOf(s, label))!;
        assert.deepEqual([f.state, f.missingBase, f.errors], ['indexed', false, 0], label);
        assert.deepEqual(s.diagnostics.get(s.uri(label)) ?? [], [], label);
      }
      for (const label of ['modules/regmap-sdw.ko', 'modules/regmap-sdw.btf']) assert.equal(await rawText(s, label), bpftool, label);
      for (const label of ['other/other_mod.ko', 'other/raw/other_mod.btf']) {
        const f = (await fileOf(s, label))!;
        assert.equal(f.firstId, 3, label);
        const c = ((await s.client.sendRequest('btf/typeText', { file: f.uri, id: 3 })) as TypeTextRequest.Result).text;
        assert.match(c, /struct other_mod \{\n\tstruct other_dev \*other_dev; /, label);
      }
      // The other .ko found its base by its release: the editor says so in its chain.
      const ov = await req(s, 'btf/editor/open', { uri: s.uri('other/other_mod.ko') });
      assert.deepEqual(ov.chain.map((c) => [c.firstId, c.count, c.uri]), [[3, 2, s.uri('other/other_mod.ko')], [1, 2, pathToFileURL(s.path(OTHER_VMLINUX)).href]]);
    } finally {
      s.close();
    }
  });

  test('a vmlinux of the right release whose BTF does not fit is still reported, naming the release', async () => {
    const s = await startTestServer({
      prepare(root) {
        addOtherKernel(root);
        // The other kernel's banner around a BTF that is not its (a fixture's).
        writeFileSync(join(root, OTHER_VMLINUX), buildElf([
          { name: '.rodata', data: cStrings(`Linux version ${OTHER_RELEASE} (test@localhost) (cc) #1 SMP`) },
          { name: '.BTF', data: new Uint8Array(readFileSync(join(fixtureObj, 'types.bpfel.btf'))) },
        ], { type: 'exec' }));
      },
      settings: { kernelBtf: 'none' },
    });
    try {
      const d = s.diagnostics.get(s.uri('other/other_mod.ko')) ?? [];
      assert.ok(d.length, 'no diagnostic on the module');
      assert.match(d.map((x) => x.message).join('\n'), new RegExp(`^other/other_mod\\.ko: offset 176 \\(0xb0\\): split BTF does not fit its base: 1 of 2 names .* — is .*/${OTHER_VMLINUX} the kernel this was built for\\? It was taken as the vmlinux of its kernel release, ${OTHER_RELEASE} \\(\\.modinfo vermagic\\)\\. Its types are not shown`));
    } finally {
      s.close();
    }
  });

  test('a base that fits but says another release than the module: a warning naming both', async () => {
    const s = await startTestServer({
      prepare(root) {
        addOtherKernel(root);
        // The same BTF as the other kernel's, under another release's banner.
        writeFileSync(join(root, 'kernels/near-vmlinux'), buildElf([
          { name: '.rodata', data: cStrings('Linux version 9.9.8-near (test@localhost) (cc) #1 SMP') },
          { name: '.BTF', data: otherKernel().vmlinuxBtf },
        ], { type: 'exec' }));
      },
      settings: { kernelBtf: 'none', moduleBases: { 'other/*.ko': 'kernels/near-vmlinux' } },
    });
    try {
      assert.equal((await fileOf(s, 'other/other_mod.ko'))!.state, 'indexed');
      const d = s.diagnostics.get(s.uri('other/other_mod.ko')) ?? [];
      assert.deepEqual(d.map((x) => [x.severity, x.message.replace(s.root, 'WS')]), [[2,
        'other/other_mod.ko: offset 0 (0x0): built for 9.9.9-other (.modinfo vermagic), read on WS/kernels/near-vmlinux, which is 9.9.8-near (its Linux version banner) (btfLens.moduleBases "other/*.ko"): types that differ between the two kernels may be shown wrong']]);
    } finally {
      s.close();
    }
  });
});
