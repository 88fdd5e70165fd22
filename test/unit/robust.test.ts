// Bad input is normal input: truncated, flipped and forged objects must give problems with offsets,
// never an exception or a hang, and what is intact must still be read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatExt } from '../../server/src/core/format/ext';
import { formatRawToString } from '../../server/src/core/format/raw';
import { openBtfBytes } from '../../server/src/core/input';
import { describeObject } from '../../server/src/core/object/bpf-object';
import { indexSlots } from '../../server/src/core/object/insn-index';
import { describeCoreRelo } from '../../server/src/core/core-relo/spec';
import { checkLoad, collectDependencies } from '../../server/src/core/load/check';
import { openCoreTarget } from '../../server/src/core/core-relo/resolve';
import { fixtureObj, repoRoot } from '../helpers/paths';

/** A small committed kernel BTF that load checks run against (check never throws either). */
const loadTarget = openCoreTarget(readFileSync(join(repoRoot, 'test/fixtures/core-targets/reach/vmlinux-6.18.min.btf'))).target;

/** Everything a view does with a file. Must not throw. */
function exercise(bytes: Uint8Array, file = 'x.o'): number {
  const input = openBtfBytes(bytes, { file });
  const obj = describeObject(input);
  if (input.btf) {
    formatRawToString(input.btf);
    for (const p of obj.programs) indexSlots(input.btf, p);
    if (input.ext) {
      formatExt(input.btf, input.ext);
      for (const s of input.ext.coreRelo) for (const r of s.records) describeCoreRelo(input.btf, r.typeId, input.btf.str(r.accessStrOff), r.kind);
    }
  }
  collectDependencies(input);
  const check = checkLoad(input, loadTarget, { kconfig: 'CONFIG_HZ=250\n', kernelRelease: '6.1.0' });
  assert.ok(!check.problems.some((p) => /internal error/.test(p.message)), JSON.stringify(check.problems));
  for (const p of input.problems) {
    assert.equal(typeof p.offset, 'number');
    assert.ok(p.message.length > 0);
  }
  return input.problems.length;
}

describe('robustness', () => {
  const obj = readFileSync(join(fixtureObj, 'core.bpfel.o'));
  const be = readFileSync(join(fixtureObj, 'progs.bpfeb.o'));
  // externs of every kind, struct_ops and attach targets: what `check` reads
  const load = ['kfunc_weak', 'kconfig', 'struct_ops_tcp', 'attach_tracing'].map((n) => readFileSync(join(repoRoot, `test/fixtures/load/obj/${n}.bpfel.o`)));

  it('load fixtures truncated at every 5th offset and with random flips: check never throws', () => {
    for (const src of load) for (let n = 0; n < src.length; n += 5) exercise(src.subarray(0, n));
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8);
    for (let i = 0; i < 400; i++) {
      const b = new Uint8Array(load[i % load.length]!);
      for (let j = 0; j < 8; j++) b[rnd() % b.length] = rnd() & 0xff;
      exercise(b);
    }
  });

  it('truncated at every 7th offset: problems, no throw', () => {
    for (const src of [obj, be]) {
      for (let n = 0; n < src.length; n += 7) {
        const count = exercise(src.subarray(0, n));
        if (n < src.length - 64) assert.ok(count > 0, `truncated at ${n} of ${src.length} must be reported`);
      }
    }
  });

  it('random byte flips never throw', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8);
    for (let i = 0; i < 400; i++) {
      const b = new Uint8Array(i % 2 ? obj : be);
      for (let j = 0; j < 8; j++) b[rnd() % b.length] = rnd() & 0xff;
      exercise(b);
    }
  });

  it('forged ELF section count and offsets are reported with the header offset', () => {
    const b = new Uint8Array(obj);
    const dv = new DataView(b.buffer);
    dv.setUint16(60, 0xfff0, true); // e_shnum
    const input = openBtfBytes(b, { file: 'forged.o' });
    assert.ok(input.problems.some((p) => /section header table/.test(p.message) && p.offset === Number(dv.getBigUint64(40, true))));
  });

  it('forged .BTF.ext num_info does not allocate and names the offset', () => {
    const b = new Uint8Array(obj);
    const input = openBtfBytes(b, { file: 'x.o' });
    const sec = input.elf!.section('.BTF.ext')!;
    const dv = new DataView(b.buffer);
    const hdrLen = dv.getUint32(sec.offset + 4, true);
    const funcOff = dv.getUint32(sec.offset + 8, true);
    const numInfoAt = sec.offset + hdrLen + funcOff + 4 + 4; // after rec_size and the first sec_name_off
    dv.setUint32(numInfoAt, 0x7fffffff, true);
    const forged = openBtfBytes(b, { file: 'x.o' });
    const p = forged.problems.find((x) => /claims 2147483647 records/.test(x.message));
    assert.ok(p, JSON.stringify(forged.problems));
    assert.equal(p.offset, numInfoAt);
    assert.ok(forged.ext!.lineInfo.length > 0, 'the other parts are still read');
  });
});
