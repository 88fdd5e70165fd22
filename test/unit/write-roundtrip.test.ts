import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import { KIND_LAYOUT } from '../../server/src/core/btf/kinds';
import { typeById } from '../../server/src/core/btf/types';
import { formatRawToString } from '../../server/src/core/format/raw';
import { openBtfBytes } from '../../server/src/core/input';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { decompress, detectCompression } from '../../server/src/io/files';
import { inputLimits } from '../../server/src/io/limits';
import { fixtureObj, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

/**
 * decode → write → decode gives the same types: every type of a BTF copied through the writer (in both
 * byte orders; a split BTF on its base) reads back to the same inflated types and the same raw dump.
 * scripts/check-write-roundtrip.ts makes the same comparison with bpftool's dumps of both files.
 */

function rewrite(btf: Btf, littleEndian: boolean): Btf {
  const b = new BtfBuilder({ base: btf.base, littleEndian });
  for (const id of btf.ownIds()) assert.equal(b.addType(btf, id), id);
  return Btf.parse(b.bytes(), { base: btf.base });
}

function assertSameTypes(orig: Btf, back: Btf, what: string): void {
  assert.deepEqual(back.problems, [], `${what}: the written BTF reads without problems`);
  assert.equal(back.typeCount, orig.typeCount, `${what}: type count`);
  assert.equal(back.header!.hdrLen, 24);
  for (const id of orig.ownIds()) {
    const a = typeById(orig, id);
    const b = typeById(back, id);
    if (JSON.stringify(a, big) !== JSON.stringify(b, big)) assert.deepEqual(b, a, `${what}: type [${id}]`);
  }
  const ra = formatRawToString(orig);
  const rb = formatRawToString(back);
  if (ra !== rb) assert.equal(rb, ra, `${what}: raw dump`);
}
const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

function fixtureBtfs(): { name: string; btf: Btf }[] {
  const out: { name: string; btf: Btf }[] = [];
  const dirs = [fixtureObj, join(repoRoot, 'test/fixtures/core-targets/btf'), join(repoRoot, 'test/fixtures/core-targets/obj')];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.gz')) continue;
      const i = openBtfBytes(new Uint8Array(readFileSync(join(dir, f))), { file: f });
      if (i.btf && i.btf.ok && !i.missingBase) out.push({ name: f, btf: i.btf });
    }
  }
  return out;
}

describe('write: decode → write → decode over the committed fixtures', () => {
  const all = fixtureBtfs();
  it('finds fixtures with BTF', () => assert.ok(all.length >= 20, `${all.length} fixtures`));
  for (const { name, btf } of all) {
    it(`${name}: same types written little- and big-endian`, () => {
      for (const le of [true, false]) {
        const back = rewrite(btf, le);
        assert.equal(back.header!.littleEndian, le);
        assertSameTypes(btf, back, `${name} (${le ? 'LE' : 'BE'})`);
      }
    });
  }
  it('a raw BTF written by libbpf (pahole) comes back byte for byte: same string table, same order', () => {
    const bytes = new Uint8Array(readFileSync(join(fixtureObj, 'enums.pahole.btf')));
    const btf = Btf.parse(bytes);
    const b = new BtfBuilder({ littleEndian: btf.header!.littleEndian });
    for (const id of btf.ownIds()) b.addType(btf, id);
    assert.deepEqual(Buffer.from(b.bytes()), Buffer.from(bytes));
  });
});

const vmlinux61xz = join(repoRoot, 'test/workspace/kernels/vmlinux-6.1.0-56-amd64.xz');
const regmap = join(repoRoot, 'test/fixtures/debian-6.1/regmap-sdw.btf');

async function kernelBtf(path: string): Promise<Btf> {
  return (await kernelBytes(path)).btf;
}
async function kernelBytes(path: string): Promise<{ btf: Btf; bytes: Uint8Array }> {
  let bytes: Uint8Array = new Uint8Array(readFileSync(path));
  const c = detectCompression(bytes);
  if (c) bytes = await decompress(bytes, c, inputLimits());
  const i = openBtfBytes(bytes, { file: path });
  assert.ok(i.btf && i.btf.ok, `${path} reads`);
  return { btf: i.btf, bytes };
}

describe('write: a split module on its base', () => {
  it('regmap-sdw on the Debian 6.1 vmlinux: IDs and string offsets continue the base\'s', async () => {
    const base = await kernelBtf(hasCorpus ? join(sharedCorpus, 'vmlinux-6.1.btf') : vmlinux61xz);
    const mod = Btf.parse(new Uint8Array(readFileSync(regmap)), { base, file: regmap });
    assert.ok(mod.ok && mod.ownCount > 0);
    for (const le of [true, false]) {
      const back = rewrite(mod, le);
      assert.equal(back.startId, mod.startId);
      assertSameTypes(mod, back, `regmap-sdw (${le ? 'LE' : 'BE'})`);
      // names the base holds are the base's offsets: the module's own table keeps only its own names
      assert.ok(back.stringsLength <= mod.stringsLength, `${back.stringsLength} <= ${mod.stringsLength}`);
    }
  });
});

describe('write: the corpus kernels', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  for (const k of ['vmlinux-6.1.btf', 'vmlinux-6.18.btf']) {
    const path = join(sharedCorpus, k);
    it(`${k}: same types`, { skip: existsSync(path) ? false : `${path} is missing` }, async () => {
      const { btf, bytes } = await kernelBytes(path);
      const back = rewrite(btf, true);
      assertSameTypes(btf, back, k);
      // btf_dedup rewrote pahole's string table, so no byte identity here; but nothing is lost or added
      assert.equal(back.view.bytes.length - back.stringsLength, bytes.length - btf.stringsLength);
      assert.ok(back.stringsLength <= btf.stringsLength);
    });
  }
});

describe('write: the 32-byte header and kinds from the future', () => {
  it('a BTF with a layout section and an unknown kind is copied word for word, layout included', () => {
    const layout: [number, number][] = KIND_LAYOUT.map(([f, e]) => [Math.max(0, f), e]);
    layout.push([8, 4]); // kind 20: 8 bytes, then 4 per vlen element
    const b = new BtfBuilder({ layout });
    b.addInt('int', 4, 'signed');
    b.addRaw([b.addString('future'), (20 << 24) | 2, 0, 7, 7, 1, 2]);
    b.addTypedef('after', 1);
    const orig = Btf.parse(b.bytes());
    assert.equal(orig.header!.hdrLen, 32);
    assert.equal(orig.unknownKinds, 1);
    const c = new BtfBuilder({ layout });
    for (const id of orig.ownIds()) c.addType(orig, id);
    assert.deepEqual(Buffer.from(c.bytes()), Buffer.from(orig.view.bytes));
    assert.equal(Btf.parse(c.bytes()).name(3), 'after');
  });
  it('layout: true describes the known kinds as the decoder expects them (no warning)', () => {
    const b = new BtfBuilder({ layout: true });
    b.addInt('int', 4, 'signed');
    const btf = Btf.parse(b.bytes());
    assert.equal(btf.header!.hdrLen, 32);
    assert.equal(btf.header!.layoutLen, 20 * 4);
    assert.deepEqual(btf.problems, []);
  });
});
