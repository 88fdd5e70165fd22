/**
 * The kernel BTF setting (btfLens.kernelBtf): a directory holding `vmlinux` (like /sys/kernel/btf), an
 * ELF vmlinux, a path that does not exist, and a change of the setting while running — the module of
 * the fixture workspace (regmap-sdw, Debian 6.1) pairs with it or says, on itself, why it cannot.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SymbolInformation } from 'vscode-languageserver/node';
import type { FilesRequest, TypeTextRequest } from '../../server/src/protocol/requests';
import { debmodsDir, golden, hasCorpus, sharedCorpus } from '../helpers/paths';
import { startTestServer } from './harness';

/** A minimal x86-64 ELF executable whose only content is a .BTF section (what a vmlinux carries for BTF). */
function elfWithBtf(btf: Uint8Array): Uint8Array {
  const shstr = new TextEncoder().encode('\0.BTF\0.shstrtab\0');
  const btfOff = 64;
  const strOff = btfOff + btf.length;
  const shOff = (strOff + shstr.length + 7) & ~7;
  const out = new Uint8Array(shOff + 3 * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF64, little-endian, version 1
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shOff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, 3, true);
  v.setUint16(62, 2, true);
  out.set(btf, btfOff);
  out.set(shstr, strOff);
  const sh = (i: number, name: number, type: number, off: number, size: number, align: number) => {
    const b = shOff + i * 64;
    v.setUint32(b, name, true);
    v.setUint32(b + 4, type, true);
    v.setBigUint64(b + 24, BigInt(off), true);
    v.setBigUint64(b + 32, BigInt(size), true);
    v.setBigUint64(b + 48, BigInt(align), true);
  };
  sh(1, 1, 1, btfOff, btf.length, 4); // .BTF, PROGBITS
  sh(2, 6, 3, strOff, shstr.length, 1); // .shstrtab, STRTAB
  return out;
}

describe('kernel BTF setting', { skip: !hasCorpus && 'no ../shared/corpus (vmlinux-6.1.btf)' }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btf-lens-kernel-'));
    mkdirSync(join(dir, '6.1'));
    writeFileSync(join(dir, '6.1/vmlinux'), elfWithBtf(new Uint8Array(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf')))));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const moduleState = async (s: Awaited<ReturnType<typeof startTestServer>>) => {
    const files = (await s.client.sendRequest('btf/files', {})) as FilesRequest.Result;
    const mod = files.files.find((f) => f.label === 'modules/regmap-sdw.btf')!;
    return { kernel: files.files[0]!, mod };
  };

  test('a directory holding an ELF vmlinux: the module pairs with it', async () => {
    const s = await startTestServer({ settings: { kernelBtf: join(dir, '6.1') } });
    try {
      const { kernel, mod } = await moduleState(s);
      assert.deepEqual([kernel.kind, kernel.label, kernel.state], ['kernel', join(dir, '6.1/vmlinux'), 'indexed']);
      assert.deepEqual([mod.state, mod.missingBase, mod.firstId], ['indexed', false, 100751]);
      assert.equal(s.diagnostics.get(s.uri('modules/regmap-sdw.btf'))?.length ?? 0, 0);
      const sym = (await s.client.sendRequest('workspace/symbol', { query: 'sdw_slave' })) as SymbolInformation[];
      assert.match(sym[0]!.containerName!, /^modules\/regmap-sdw\.btf/);
    } finally {
      s.close();
    }
  });

  test('a kernel BTF that does not exist: the module says so, naming the path', async () => {
    const missing = join(dir, 'nope/vmlinux');
    const s = await startTestServer({ settings: { kernelBtf: missing } });
    try {
      const { mod } = await moduleState(s);
      assert.deepEqual([mod.state, mod.missingBase], ['failed', true]);
      const d = s.diagnostics.get(s.uri('modules/regmap-sdw.btf'))!;
      assert.equal(d[0]!.message, `modules/regmap-sdw.btf: offset 0 (0x0): split BTF (a kernel module's) needs its base BTF, and kernel BTF ${missing}: ENOENT: no such file or directory, stat '${missing}': its types cannot be shown. Set btfLens.kernelBtf to the vmlinux BTF it was built against.`);
    } finally {
      s.close();
    }
  });

  test('the setting changed while running: modules re-pair, their diagnostics go', async () => {
    const s = await startTestServer();
    try {
      assert.equal((await moduleState(s)).mod.state, 'failed');
      assert.ok(s.diagnostics.get(s.uri('modules/regmap-sdw.btf'))?.length);
      const ready = s.nextReady();
      s.client.sendNotification('workspace/didChangeConfiguration', { settings: { btfLens: { kernelBtf: join(dir, '6.1') } } });
      await ready;
      const { kernel, mod } = await moduleState(s);
      assert.deepEqual([kernel.label, mod.state, mod.firstId], [join(dir, '6.1/vmlinux'), 'indexed', 100751]);
      assert.deepEqual(s.diagnostics.get(s.uri('modules/regmap-sdw.btf')), []);
    } finally {
      s.close();
    }
  });

  test('a module beside a vmlinux (the /sys/kernel/btf layout) pairs with it, in the workspace or not', async () => {
    const lay = (root: string) => {
      mkdirSync(join(root, 'btf'));
      copyFileSync(join(sharedCorpus, 'vmlinux-6.1.btf'), join(root, 'btf/vmlinux'));
      copyFileSync(join(root, 'modules/regmap-sdw.btf'), join(root, 'btf/regmap-sdw.btf'));
    };
    for (const exclude of [[], ['**/btf/vmlinux']]) {
      const s = await startTestServer({ prepare: lay, settings: { exclude } });
      try {
        const files = (await s.client.sendRequest('btf/files', {})) as FilesRequest.Result;
        const mod = files.files.find((f) => f.label === 'btf/regmap-sdw.btf')!;
        assert.deepEqual([mod.state, mod.missingBase, mod.firstId], ['indexed', false, 100751], JSON.stringify(exclude));
        assert.equal(s.diagnostics.get(s.uri('btf/regmap-sdw.btf'))?.length ?? 0, 0);
        // The copy in modules/ has no vmlinux beside it and no kernel BTF (kernelBtf: none).
        assert.equal(files.files.find((f) => f.label === 'modules/regmap-sdw.btf')!.state, 'failed');
        assert.equal(files.files.some((f) => f.label === 'btf/vmlinux'), exclude.length === 0);
      } finally {
        s.close();
      }
    }
  });

  test('a module as split .btf, as .ko and as .ko.gz on the kernel BTF: every own type as bpftool prints it', async (t) => {
    // The .ko from the Debian package fetch-debian-modules.sh unpacks into <debmods>/.pkg.
    const mods = join(debmodsDir, '.pkg/x/lib/modules');
    const ko = existsSync(mods) ? readdirSync(mods).map((v) => join(mods, v, 'kernel/drivers/base/regmap/regmap-sdw.ko')).find(existsSync) : undefined;
    const haveKo = ko !== undefined;
    const s = await startTestServer({
      settings: { kernelBtf: join(sharedCorpus, 'vmlinux-6.1.btf') },
      prepare(root) {
        if (!ko) return;
        copyFileSync(ko, join(root, 'modules/regmap-sdw.ko'));
        writeFileSync(join(root, 'modules/regmap-sdw.ko.gz'), gzipSync(readFileSync(ko)));
      },
    });
    try {
      // bpftool btf dump file regmap-sdw.btf -B vmlinux-6.1.btf (test/golden/lsp/make.sh); the .ko's is the same.
      const want = readFileSync(join(golden, 'lsp/regmap-sdw.raw.txt'), 'utf8');
      const files = (await s.client.sendRequest('btf/files', {})) as FilesRequest.Result;
      const labels = ['modules/regmap-sdw.btf', ...(haveKo ? ['modules/regmap-sdw.ko', 'modules/regmap-sdw.ko.gz'] : [])];
      for (const label of labels) {
        const f = files.files.find((x) => x.label === label)!;
        assert.deepEqual([f.state, f.missingBase, f.firstId, f.errors], ['indexed', false, 100751, 0], label);
        let text = '';
        for (let id = f.firstId; id < f.firstId + f.ownTypes; id++) {
          text += ((await s.client.sendRequest('btf/typeText', { file: f.uri, id, format: 'raw' })) as TypeTextRequest.Result).text;
        }
        assert.equal(text, want, label);
      }
      if (!haveKo) t.diagnostic(`no Debian 6.1 regmap-sdw.ko under ${mods} (set BTF_LENS_DEBMODS): only the .btf checked`);
    } finally {
      s.close();
    }
  });
});
