import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { openBtfBytes } from '../../server/src/core/input';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { minCoreBtf } from '../../server/src/core/write/min-core-btf';
import { decompress, detectCompression } from '../../server/src/io/files';
import { inputLimits } from '../../server/src/io/limits';
import { fixtureObj, golden, repoRoot, sharedCorpus } from '../helpers/paths';

/**
 * Every BTF the writer makes loads into the running kernel (BPF_BTF_LOAD, as libbpf's btf__load_into_kernel
 * sends it: test/helpers/btf_load.c, built here with the C compiler) where the kernel takes its kinds:
 * - each tailored BTF of `gen min-core-btf` (the bpftool cases of test/golden/min-core-btf, the split-target
 *   cases), which must load — but for one that keeps no type (the kernel takes no BTF without types);
 * - each decode → write round trip of a fixture or kernel BTF whose original bytes the kernel takes: the
 *   written copy must load too. An original the kernel refuses (an object's .BTF before libbpf fills its
 *   DATASEC sizes, a hostile fixture, kinds newer than the kernel's) says nothing about the writer: counted,
 *   not loaded. Split BTF is not loadable from user space (the kernel loads module BTF itself): not tried.
 * Skips, saying why, without root, a C compiler or bpf().
 */
const tmp = mkdtempSync(join(tmpdir(), 'btf-lens-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function buildLoader(): { path?: string; why?: string } {
  if (process.platform !== 'linux') return { why: 'not Linux' };
  if (process.getuid?.() !== 0) return { why: 'not root (BPF_BTF_LOAD needs CAP_BPF)' };
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
  if (!cc) return { why: 'no C compiler to build test/helpers/btf_load.c' };
  const path = join(tmp, 'btf_load');
  const r = spawnSync(cc, ['-O2', '-o', path, join(repoRoot, 'test/helpers/btf_load.c')], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `btf_load.c does not build: ${r.stderr.split('\n')[0]}` };
  // a BTF the kernel must take (one int), to tell "no bpf()" from "refused"
  const probe = new BtfBuilder();
  probe.addInt('int', 4, 'signed');
  const p = join(tmp, 'probe.btf');
  writeFileSync(p, probe.bytes());
  const out = spawnSync(path, [p], { encoding: 'utf8' }).stdout;
  if (!out.startsWith('OK')) return { why: `bpf(BPF_BTF_LOAD) unavailable here: ${out.trim()}` };
  return { path };
}
const loader = buildLoader();

/** Loads each file; `OK` or the kernel's reason, by file. */
function load(files: string[]): Map<string, string> {
  const r = spawnSync(loader.path!, files, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const m = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const x = /^(OK|ERR -?\d+) (\S+?)(?::|$)/.exec(line);
    if (x) m.set(x[2]!, x[1] === 'OK' ? 'OK' : line);
  }
  return m;
}

let n = 0;
function put(bytes: Uint8Array, name: string): string {
  const p = join(tmp, `${n++}-${name.replace(/[^\w.-]/g, '_')}`);
  writeFileSync(p, bytes);
  return p;
}

async function readBtf(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array = new Uint8Array(readFileSync(path));
  const c = detectCompression(bytes);
  if (c) bytes = await decompress(bytes, c, inputLimits());
  return bytes;
}

describe('BPF_BTF_LOAD: what the writer makes loads into the running kernel', { skip: loader.why ?? false }, () => {
  it('every tailored BTF of gen min-core-btf', () => {
    const G = join(golden, 'min-core-btf');
    const files: string[] = [];
    const targets = new Map<string, Btf>();
    for (const line of readFileSync(join(G, 'cases.tsv'), 'utf8').trim().split('\n')) {
      const [name, target, objs] = line.split('\t') as [string, string, string];
      if (!existsSync(join(G, `${name}.btf`))) continue;
      const tpath = resolve(repoRoot, target.replace('$CORPUS', sharedCorpus));
      if (!existsSync(tpath)) continue;
      let t = targets.get(tpath);
      if (!t) targets.set(tpath, (t = Btf.parse(new Uint8Array(readFileSync(tpath)))));
      const objects = objs.split(' ').map((o) => ({ file: o, input: openBtfBytes(new Uint8Array(readFileSync(join(repoRoot, o))), { file: o }) }));
      const r = minCoreBtf(t, objects);
      assert.equal(r.error, undefined, name);
      // nothing kept: the kernel takes no BTF without types ("No type found"), bpftool's file neither
      if (Btf.parse(r.bytes!).typeCount === 1) continue;
      files.push(put(r.bytes!, `${name}.btf`));
    }
    // split targets: one standalone BTF out of a module and its vmlinux
    const T = join(repoRoot, 'test/fixtures/core-targets/btf');
    const vmlinux = Btf.parse(new Uint8Array(readFileSync(join(T, 'missing.btf'))));
    const module = Btf.parse(new Uint8Array(readFileSync(join(T, 'module.btf'))), { base: vmlinux });
    for (const o of ['test/fixtures/obj/core.bpfel.o', 'test/fixtures/core-targets/obj/corex.bpfel.o']) {
      const r = minCoreBtf(module, [{ file: o, input: openBtfBytes(new Uint8Array(readFileSync(join(repoRoot, o))), { file: o }) }]);
      assert.equal(r.error, undefined, o);
      files.push(put(r.bytes!, `split-${o.replace(/.*\//, '')}.btf`));
    }
    assert.ok(files.length >= 50, `${files.length} tailored BTFs`);
    const got = load(files);
    const refused = files.filter((f) => got.get(f) !== 'OK').map((f) => got.get(f) ?? `${f}: no answer`);
    assert.deepEqual(refused, [], 'the kernel refuses');
  });

  it('every kind the writer writes, built by hand and copied type by type', () => {
    // the kinds 6.18 takes, in forms it accepts (a DATASEC with its size and its variables inside)
    const b = new BtfBuilder();
    const int = b.addInt('int', 4, 'signed');
    const chr = b.addInt('char', 1, 'char');
    const u64 = b.addInt('unsigned long long', 8);
    const ptr = b.addPtr(int);
    const arr = b.addArray(int, chr, 16);
    const s = b.addStruct('s', 32, [
      { name: 'a', type: int, bitOffset: 0 }, { name: 'flags', type: int, bitOffset: 32, bitSize: 3 },
      { name: 'p', type: ptr, bitOffset: 64 }, { name: 'name', type: arr, bitOffset: 128 },
    ]);
    b.addUnion('u', 8, [{ name: 'x', type: int, bitOffset: 0 }, { name: 'y', type: u64, bitOffset: 0 }]);
    b.addEnum('e', 4, true);
    b.addEnumValue('E_NEG', -1);
    b.addEnumValue('E_ONE', 1);
    b.addEnum64('e64', 8);
    b.addEnumValue('BIG', 2n ** 63n);
    b.addFwd('later', 'struct');
    b.addFwd('maybe', 'union');
    const td = b.addTypedef('s_t', s);
    b.addVolatile(int);
    const cst = b.addConst(chr);
    b.addRestrict(b.addPtr(cst));
    b.addFloat('double', 8);
    const proto = b.addFuncProto(int);
    b.addParam('x', int);
    b.addParam('s', b.addPtr(td));
    const fn = b.addFunc('f', proto, 'global');
    b.addDeclTag('tag_on_func', fn);
    b.addDeclTag('tag_on_param', fn, 0);
    b.addDeclTag('tag_on_member', s, 1);
    b.addTypeTag('user', int);
    const v = b.addVar('counter', int, 'global');
    const w = b.addVar('limit', u64, 'static');
    b.addDatasec('.data', 16);
    b.addVarSecinfo(v, 0, 4);
    b.addVarSecinfo(w, 8, 8);
    const built = b.bytes();
    const copy = new BtfBuilder();
    const src = Btf.parse(built);
    assert.deepEqual(src.problems, []);
    for (const id of src.ownIds()) copy.addType(src, id);
    const files = [put(built, 'every-kind.btf'), put(copy.bytes(), 'every-kind.copy.btf')];
    const got = load(files);
    assert.deepEqual(files.map((f) => got.get(f)), ['OK', 'OK'], [...got.values()].join('\n'));
  });

  it('every round trip whose original the kernel takes', async () => {
    const dirs = [fixtureObj, join(repoRoot, 'test/fixtures/core-targets/btf'), join(repoRoot, 'test/fixtures/core-targets/obj'), join(repoRoot, 'test/fixtures/min-core-btf/btf')];
    const inputs: { name: string; bytes: Uint8Array }[] = [];
    for (const dir of dirs) for (const f of readdirSync(dir).sort()) if (!f.endsWith('.gz')) inputs.push({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) });
    for (const k of ['vmlinux-6.1.btf', 'vmlinux-6.18.btf']) {
      const p = join(sharedCorpus, k);
      if (existsSync(p)) inputs.push({ name: k, bytes: await readBtf(p) });
    }
    const pairs: { name: string; orig: string; written: string }[] = [];
    for (const { name, bytes } of inputs) {
      const i = openBtfBytes(bytes, { file: name });
      const btf = i.btf;
      if (!btf || !btf.ok || btf.base || i.missingBase || !btf.header?.littleEndian) continue;
      const b = new BtfBuilder();
      for (const id of btf.ownIds()) b.addType(btf, id);
      pairs.push({ name, orig: put(btf.view.bytes, `${name}.orig`), written: put(b.bytes(), `${name}.written`) });
    }
    const got = load(pairs.flatMap((p) => [p.orig, p.written]));
    const taken = pairs.filter((p) => got.get(p.orig) === 'OK');
    // enough originals load for the check to mean something (the kernels, raw fixtures)
    assert.ok(taken.length >= 2, `${taken.length} of ${pairs.length} originals load: ${taken.map((p) => p.name).join(', ')}`);
    for (const k of ['vmlinux-6.1.btf', 'vmlinux-6.18.btf']) {
      if (existsSync(join(sharedCorpus, k))) assert.ok(taken.some((p) => p.name === k), `${k} loads`);
    }
    console.log(`# ${taken.length} of ${pairs.length} originals load: ${taken.map((p) => p.name).join(", ")}`);
    const refused = taken.filter((p) => got.get(p.written) !== 'OK').map((p) => `${p.name}: ${got.get(p.written)}`);
    assert.deepEqual(refused, [], 'the original loads, the written copy does not');
  });
});
