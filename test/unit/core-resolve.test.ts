// CO-RE relocation resolved as libbpf 1.1.2 does it: our log lines against what libbpf logged
// (test/golden/core-resolve, recorded by test/fixtures/core-targets/build.sh with core_oracle), for
// every fixture object against every test target and both corpus kernels.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { Btf } from '../../server/src/core/btf/btf';
import {
  type CoreResolution, type CoreTarget, coreLogLines, openCoreTarget, resolveCoreBytes, resolveCoreRelocations,
} from '../../server/src/core/core-relo/resolve';
import { essentialNameLen } from '../../server/src/core/core-relo/types';
import { openBtfBytes } from '../../server/src/core/input';
import { fixtureObj, golden, hasCorpus, repoRoot, sharedCorpus } from '../helpers/paths';

const here = join(repoRoot, 'test/fixtures/core-targets');
const goldenDir = join(golden, 'core-resolve');
const objects = [
  ...readdirSync(fixtureObj).filter((f) => f.endsWith('.bpfel.o')).map((f) => join(fixtureObj, f)),
  ...readdirSync(join(here, 'obj')).filter((f) => f.endsWith('.bpfel.o')).map((f) => join(here, 'obj', f)),
];
const targetFiles = [
  ...readdirSync(join(here, 'btf')).filter((f) => f.endsWith('.btf') && f !== 'module.btf').map((f) => join(here, 'btf', f)),
  ...(hasCorpus ? ['vmlinux-6.1.btf', 'vmlinux-6.18.btf'].map((f) => join(sharedCorpus, f)) : []),
];
const targets = new Map<string, CoreTarget>();
function target(file: string): CoreTarget {
  let t = targets.get(file);
  if (!t) targets.set(file, (t = openCoreTarget(readFileSync(file), [], file).target));
  return t;
}
function resolve(objFile: string, targetFile: string): CoreResolution {
  return resolveCoreRelocations(openBtfBytes(readFileSync(objFile), { file: objFile }), target(targetFile));
}
function goldenLines(objFile: string, targetFile: string): string[] {
  const g = join(goldenDir, `${basename(objFile, '.o')}__${basename(targetFile, '.btf')}.txt`);
  return existsSync(g) ? readFileSync(g, 'utf8').split('\n').slice(0, -1) : [];
}

describe('CO-RE resolution equals libbpf 1.1.2 (core_oracle goldens)', () => {
  it('has goldens for every relocation kind, both outcomes and the failure paths', () => {
    const all = readdirSync(goldenDir).map((g) => readFileSync(join(goldenDir, g), 'utf8')).join('');
    for (const k of ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
      'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches']) {
      assert.ok(all.includes(`<${k}>`), `no golden line for <${k}>`);
    }
    for (const s of ['] struct task_struct___2 in [vmlinux]', 'non-matching candidate', 'no matching targets found',
      'substituting insn', '(LDIMM64) imm64', '(LDX/ST/STX) off', 'mem_sz 4 -> 8', 'accesses field incorrectly',
      'field offset ambiguity', 'relocation decision ambiguity', 'value too big', 'failed to patch insn',
      'failed to relocate: -7', 'failed to perform CO-RE relocations', "prog 'sub_static'", "sec '?kprobe/cx_optional'",
      '] enum64 ', 'error matching candidate #0', '\n prog \'cx_arrays\': relo #0: failed to relocate: -7']) {
      assert.ok(all.includes(s), `no golden line with '${s}'`);
    }
  });

  for (const obj of objects) {
    for (const t of targetFiles) {
      it(`${basename(obj)} against ${basename(t)}`, () => {
        assert.deepEqual(coreLogLines(resolve(obj, t)), goldenLines(obj, t));
      });
    }
  }

  it('an object libbpf cannot open (an extern in no DATASEC): nothing relocated, libbpf\'s reason', () => {
    const obj = join(here, 'obj/externs.bpfel.o');
    const r = resolve(obj, join(here, 'btf/same.btf'));
    assert.equal(r.ok, false);
    assert.deepEqual(coreLogLines(r), []);
    const want = readFileSync(join(goldenDir, 'externs.bpfel.open.txt'), 'utf8').split('\n')[0]!;
    assert.deepEqual(r.problems.map((p) => p.message), [`libbpf cannot open this object: ${want}`]);
  });

  // libbpf 1.1 refuses big-endian objects; progs.c compiles to the same instructions in both orders,
  // so its big-endian twin must log exactly what libbpf logged for the little-endian one.
  for (const t of targetFiles) {
    it(`progs.bpfeb.o against ${basename(t)} (as the little-endian golden)`, () => {
      assert.deepEqual(coreLogLines(resolve(join(fixtureObj, 'progs.bpfeb.o'), t)), goldenLines(join(fixtureObj, 'progs.bpfel.o'), t));
    });
  }
});

describe('CO-RE resolution as data', () => {
  const same = join(here, 'btf/same.btf');
  it('reports each relocation with its program, instruction, values and patch', () => {
    const r = resolve(join(here, 'obj/corex.bpfel.o'), join(here, 'btf/moved.btf'));
    assert.equal(r.ok, true);
    const sub = r.relocations.filter((x) => x.section === '.text');
    assert.deepEqual([...new Set(sub.map((x) => x.prog))].sort(), ['sub_global', 'sub_static']);
    const ucount = r.relocations.find((x) => x.prog === 'cx_first' && x.index === 0)!;
    assert.equal(ucount.kindName, 'byte_off');
    assert.equal(ucount.outcome, 'patched');
    assert.equal(ucount.localValue, 4n);
    assert.equal(ucount.targetValue, 8n);
    assert.deepEqual(ucount.patch?.memSz, { from: 4, to: 8 });
    assert.equal(ucount.target?.btf, 'vmlinux');
    const scount = r.relocations.find((x) => x.prog === 'cx_first' && x.index === 1)!;
    assert.equal(scount.outcome, 'poisoned');
    assert.match(scount.reason ?? '', /accesses field incorrectly/);
    // The cause without libbpf's prefixes, as data: the server shows it and parses no log line.
    assert.match(scount.reasonDetail ?? '', /^insn #\d+ \(LDX\/ST\/STX\) accesses field incorrectly/);
    assert.equal(scount.reason, `prog 'cx_first': relo #1: ${scount.reasonDetail}`);
    assert.deepEqual(scount.poisoned, [scount.insn]);
    const optional = r.relocations.filter((x) => x.prog === 'cx_optional');
    assert.deepEqual(optional.map((x) => x.outcome), ['not-autoloaded']);
  });
  it('a failing relocation stops everything, as the load fails', () => {
    const r = resolve(join(here, 'obj/corex.bpfel.o'), join(here, 'btf/decision.btf'));
    assert.equal(r.ok, false);
    assert.equal(r.error, -22);
    const last = r.relocations[r.relocations.length - 1]!;
    assert.equal(last.outcome, 'failed');
    assert.match(last.reason ?? '', /relocation decision ambiguity/);
    assert.match(last.reasonDetail ?? '', /^relocation decision ambiguity: /);
  });
  it('--all also keeps the warnings core_oracle -q drops', () => {
    const r = resolve(join(here, 'obj/corex.bpfel.o'), join(here, 'btf/straddle.btf'));
    assert.ok(coreLogLines(r, true).some((l) => /relo 0 at insn #\d+ can't be satisfied for bitfield/.test(l)));
    assert.ok(!coreLogLines(r).some((l) => l.includes("can't be satisfied")));
  });
  it('module BTF is searched only when vmlinux has no candidate, with IDs continuing the base', () => {
    const base = readFileSync(join(here, 'btf/missing.btf'));
    const { target } = openCoreTarget(base, [{ name: 'module', bytes: readFileSync(join(here, 'btf/module.btf')) }]);
    const baseCount = target.vmlinux.typeCount;
    const r = resolveCoreRelocations(openBtfBytes(readFileSync(join(here, 'obj/corex.bpfel.o')), { file: 'corex' }), target);
    const lines = coreLogLines(r);
    const modCands = lines.filter((l) => l.startsWith('CO-RE relocating') && l.endsWith(' in [module]'));
    assert.ok(modCands.some((l) => l.includes('struct cx_buf: found target candidate')));
    for (const l of modCands) assert.ok(Number(/found target candidate \[(\d+)\]/.exec(l)![1]) >= baseCount, l);
    // cx_task is in vmlinux (missing.btf): its candidates never come from the module
    assert.ok(lines.some((l) => /CO-RE relocating \[\d+\] struct cx_task: found target candidate \[\d+\] struct cx_task in \[vmlinux\]/.test(l)));
    assert.ok(!lines.some((l) => /struct cx_task: .* in \[module\]/.test(l)));
    const buf = r.relocations.find((x) => x.prog === 'cx_arrays' && x.index === 0)!;
    assert.equal(buf.outcome, 'patched');
    assert.equal(buf.target?.btf, 'module');
  });
  it('resolveCoreBytes (the benchmark entry) gives the same lines', () => {
    const obj = join(fixtureObj, 'core.bpfel.o');
    const r = resolveCoreBytes(readFileSync(obj), readFileSync(same), { prepare: true });
    assert.deepEqual(coreLogLines(r), goldenLines(obj, same));
  });
  it('essential names: the last ___ whose neighbours are not underscores', () => {
    assert.equal(essentialNameLen('task_struct___pre514'), 11);
    assert.equal(essentialNameLen('a___b___c'), 5);
    assert.equal(essentialNameLen('__x___'), 6);
    assert.equal(essentialNameLen('x____y'), 6);
    assert.equal(essentialNameLen('____'), 4);
  });
});

/** xorshift32: the same "random" mutations on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('CO-RE resolution never throws on forged input', () => {
  const objBytes = readFileSync(join(fixtureObj, 'core.bpfel.o'));
  const tgt = target(join(here, 'btf/same.btf'));
  const input = openBtfBytes(objBytes, { file: 'core.bpfel.o' });
  const extSec = input.elf!.section('.BTF.ext')!;
  const btfSec = input.elf!.section('.BTF')!;
  const ev = new DataView(objBytes.buffer, objBytes.byteOffset + extSec.offset, extSec.size);
  const coreStart = extSec.offset + ev.getUint32(4, true) + ev.getUint32(24, true);
  const coreLen = ev.getUint32(28, true);
  const recSize = ev.getUint32(coreStart - extSec.offset, true);
  /** Byte offsets (in the file) of every core_relo record. */
  const recs: number[] = [];
  for (let p = coreStart + 4; p < coreStart + coreLen;) {
    const n = new DataView(objBytes.buffer, objBytes.byteOffset + p).getUint32(4, true);
    p += 8;
    for (let i = 0; i < n; i++, p += recSize) recs.push(p);
  }
  const check = (bytes: Uint8Array, t: CoreTarget = tgt, what = '') => {
    const r = resolveCoreRelocations(openBtfBytes(bytes, { file: 'forged.o' }), t);
    assert.ok(!r.problems.some((p) => p.message.startsWith('internal error')), `${what}: ${r.problems.map((p) => p.message).join('; ')}`);
    coreLogLines(r, true);
    return r;
  };

  it('finds the records to forge', () => {
    assert.ok(recs.length > 10);
  });
  it('forged record fields (type IDs, access string offsets, kinds, instruction offsets)', () => {
    const rand = rng(7);
    const specials = [0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 2, 3, 8, 12, 13, 64, 1000];
    for (let round = 0; round < 400; round++) {
      const b = new Uint8Array(objBytes);
      const dv = new DataView(b.buffer);
      for (let k = 0; k < 3; k++) {
        const rec = recs[Math.floor(rand() * recs.length)]!;
        const field = Math.floor(rand() * 4) * 4;
        const v = rand() < 0.5 ? specials[Math.floor(rand() * specials.length)]! : Math.floor(rand() * (field === 12 ? 16 : 600));
        dv.setUint32(rec + field, v, true);
      }
      check(b, tgt, `round ${round}`);
    }
  });
  it('malformed access strings', () => {
    const strStart = btfSec.offset + new DataView(objBytes.buffer, objBytes.byteOffset + btfSec.offset).getUint32(4, true) +
      new DataView(objBytes.buffer, objBytes.byteOffset + btfSec.offset).getUint32(16, true);
    const dv0 = new DataView(objBytes.buffer, objBytes.byteOffset);
    const accessOffs = [...new Set(recs.map((r) => dv0.getUint32(r + 8, true)))];
    const forged = ['', ':', ':0', '0:', '0::1', '0:-1', '-1', '+0:2', ' 0: 2', '0:99999999999', '0:4294967295', '0:2147483648',
      'abc', '0:x', '1', '7:2', '0:2:0:0:0', Array(70).fill('0').join(':'), '0:0:0:0:0:0:0:0:0:0:0:9', '00000000000000000000:2'];
    for (const f of forged) {
      for (const off of accessOffs) {
        const b = new Uint8Array(objBytes);
        const at = strStart + off;
        const old = b.indexOf(0, at) - at;
        const enc = new TextEncoder().encode(f);
        if (enc.length > old) continue; // keep the string table's layout: only shorter or equal strings fit
        b.fill(0, at, at + old);
        b.set(enc, at);
        check(b, tgt, `access '${f}'`);
      }
    }
  });
  it('random bytes flipped in .BTF, .BTF.ext, the code and the target', () => {
    const rand = rng(11);
    const regions: [number, number][] = [[btfSec.offset, btfSec.size], [extSec.offset, extSec.size]];
    for (const s of input.elf!.sections) if (s.flags & 4) regions.push([s.offset, s.size]);
    for (let round = 0; round < 300; round++) {
      const b = new Uint8Array(objBytes);
      const [o, n] = regions[round % regions.length]!;
      for (let k = 0; k < 4; k++) b[o + Math.floor(rand() * n)] = Math.floor(rand() * 256);
      check(b, tgt, `object round ${round}`);
    }
    const tb = readFileSync(join(here, 'btf/same.btf'));
    for (let round = 0; round < 200; round++) {
      const b = new Uint8Array(tb);
      for (let k = 0; k < 4; k++) b[24 + Math.floor(rand() * (b.length - 24))] = Math.floor(rand() * 256);
      check(objBytes, { vmlinux: Btf.parse(b) }, `target round ${round}`);
    }
  });
  it('truncated objects and targets', () => {
    for (let n = 0; n < objBytes.length; n += 97) check(objBytes.subarray(0, n), tgt, `object cut at ${n}`);
    const tb = readFileSync(join(here, 'btf/same.btf'));
    for (let n = 0; n < tb.length; n += 53) check(objBytes, { vmlinux: Btf.parse(tb.subarray(0, n)) }, `target cut at ${n}`);
  });
});
