/**
 * reach.ts: which poisoned CO-RE instructions the kernel verifier reaches. The truth is the kernel: the
 * goldens test/fixtures/core-targets/reach/*.kernel.txt are what 6.18's verifier did with each program
 * (reach_oracle: loaded, or rejected at a poisoned CO-RE insn), recorded by reach/build.sh. Synthetic
 * instruction streams check the constant propagation itself and its behaviour on hostile input.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InsnBuf, type Insn } from '../../server/src/core/core-relo/patch';
import { markReachability, programsFailingAtPoison, reachableInsns, reachableProgram } from '../../server/src/core/core-relo/reach';
import { coreLogLines, coreResolutionJson, openCoreTarget, resolveCoreRelocations } from '../../server/src/core/core-relo/resolve';
import { openBtfBytes } from '../../server/src/core/input';
import { repoRoot, selftestsDir, sharedCorpus } from '../helpers/paths';

const dir = join(repoRoot, 'test/fixtures/core-targets/reach');

function buf(insns: Partial<Insn>[]): InsnBuf {
  const b = new InsnBuf(new Uint8Array(insns.length * 8), true);
  insns.forEach((x, i) => b.set(i, { code: 0, dst: 0, src: 0, off: 0, imm: 0, ...x }));
  return b;
}
const EXIT: Partial<Insn> = { code: 0x95 };
const movImm = (dst: number, imm: number, alu32 = false): Partial<Insn> => ({ code: alu32 ? 0xb4 : 0xb7, dst, imm });
const ldImm64 = (dst: number, v: bigint): Partial<Insn>[] => [
  { code: 0x18, dst, imm: Number(BigInt.asIntN(32, v)) },
  { code: 0, imm: Number(BigInt.asIntN(32, v >> 32n)) },
];
const ldx = (dst: number): Partial<Insn> => ({ code: 0x79, dst, src: 1 });
const on = (r: Uint8Array) => [...r].map((x, i) => (x ? i : -1)).filter((i) => i >= 0);

/** The kernel's verdicts in a golden: program → does it fail at a poisoned CO-RE insn (others omitted). */
function verdicts(file: string, prefix = ''): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [k, v] of rejections(file, prefix)) out.set(k, v !== undefined);
  return out;
}
/** program → where the kernel rejected it (insn in the loaded program, libbpf's spec), undefined: it loaded. */
function rejections(file: string, prefix = ''): Map<string, { insn: number; spec: string } | undefined> {
  const out = new Map<string, { insn: number; spec: string } | undefined>();
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:(\S+\.o) )?prog (\S+): (loads|poisoned-core at insn (\d+): (.*))$/.exec(l);
    if (m && (m[1] ?? '') === prefix) out.set(m[2]!, m[4] ? { insn: Number(m[4]), spec: m[5]! } : undefined);
  }
  return out;
}

/**
 * The relocation the kernel rejected `prog` at is one reach.ts calls reachable from `prog`: found by its
 * spec and, in the program's own code, its instruction (in an appended subprogram only by spec).
 */
function assertRejectedReachable(res: ReturnType<typeof predict>['res'], prog: string, at: { insn: number; spec: string }): void {
  const main = res.reach!.programs!.find((p) => p.name === prog && !p.subprog)!;
  const copies = res.relocations.map((r) => ({ ...r }));
  markReachability(res.reach!, copies, (p) => p === main);
  const own = at.insn < main.insnCnt;
  const hits = copies.filter((r) => r.outcome === 'poisoned' && r.spec === at.spec &&
    (own ? r.prog === prog && (r.poisoned ?? []).includes(at.insn) : r.prog !== prog));
  assert.ok(hits.length > 0, `${prog}: the kernel's ${at.spec} at insn ${at.insn} is none of our poisoned relocations`);
  assert.ok(hits.some((r) => r.reachable === true), `${prog}: we call the insn the kernel rejected unreachable`);
}

function predict(objPath: string, targetBytes: Uint8Array) {
  const { target } = openCoreTarget(targetBytes, [], 'vmlinux');
  const res = resolveCoreRelocations(openBtfBytes(readFileSync(objPath), { file: objPath }), target);
  return { res, failing: res.reach ? programsFailingAtPoison(res.reach, res.relocations) : new Map<string, boolean>() };
}

describe('reachability of poisoned CO-RE instructions: the fixtures against the kernel verifier', () => {
  const min = readFileSync(join(dir, 'vmlinux-6.18.min.btf'));
  for (const obj of ['reach.bpfel', 'reach.v3.bpfel', 'reach.tm.bpfel']) {
    it(`${obj}.o on 6.18 (min_core_btf of the kernel's BTF): each program as the kernel's verifier decided`, () => {
      const want = verdicts(join(dir, `${obj}.kernel.txt`));
      assert.equal(want.size, 12);
      assert.ok([...want.values()].filter(Boolean).length === 5, 'five programs fail, seven load');
      const { res, failing } = predict(join(dir, `${obj}.o`), min);
      assert.deepEqual(Object.fromEntries(failing), Object.fromEntries(want));
      for (const [prog, at] of rejections(join(dir, `${obj}.kernel.txt`))) if (at) assertRejectedReachable(res, prog, at);
      // relocation level: the guarded ones are unreachable, the others reachable, every one decided
      const poisoned = res.relocations.filter((r) => r.outcome === 'poisoned');
      assert.equal(poisoned.length, 11);
      for (const r of poisoned) {
        const guarded = r.prog!.startsWith('g_') || r.prog === 'sub_guarded';
        assert.equal(r.reachable, !guarded, `${r.prog} relo #${r.index}`);
      }
      assert.ok(res.relocations.every((r) => (r.outcome === 'poisoned') === (r.reachable !== undefined)));
    });
  }

  it('the JSON gains `reachable` on poisoned relocations; the text (libbpf\'s log) does not change', () => {
    const { res } = predict(join(dir, 'reach.bpfel.o'), min);
    const j = coreResolutionJson(res, { object: 'reach.bpfel.o', target: 'min' }) as { relocations: { outcome: string; reachable?: boolean }[] };
    assert.ok(j.relocations.some((r) => r.reachable === false) && j.relocations.some((r) => r.reachable === true));
    assert.ok(j.relocations.every((r) => r.outcome === 'poisoned' || !('reachable' in r)));
    const text = coreLogLines(res).join('\n');
    assert.ok(!/reach/.test(text));
    assert.match(text, /prog 'g_field': relo #2: substituting insn #3 w\/ invalid insn/);
  });

  const sys = '/sys/kernel/btf/vmlinux';
  it('the same against the running kernel\'s BTF', { skip: !existsSync(sys) && `no ${sys}` }, () => {
    const want = verdicts(join(dir, 'reach.bpfel.kernel.txt'));
    // the fixture's missing names are made up: no kernel has them, so the verdicts hold on any kernel
    assert.deepEqual(Object.fromEntries(predict(join(dir, 'reach.bpfel.o'), readFileSync(sys)).failing), Object.fromEntries(want));
  });

  const selftests = selftestsDir;
  const v618 = join(sharedCorpus, 'vmlinux-6.18.btf');
  const skip = !existsSync(join(selftests, 'bpfel/profiler1.o')) ? `no ${selftests}/bpfel (test/fixtures/selftests.sh)` : !existsSync(v618) ? `no ${v618}` : false;
  it('kernel selftests objects: never "loads" where 6.18 rejects a poisoned insn (which we call reachable); one known conservative miss', { skip }, () => {
    const golden = join(dir, 'selftests.kernel.txt');
    const objs = new Set(readFileSync(golden, 'utf8').split('\n').map((l) => /^(\S+\.o) /.exec(l)?.[1]).filter((x): x is string => !!x));
    const target = readFileSync(v618);
    let compared = 0, rejected = 0;
    const conservative: string[] = [];
    for (const o of objs) {
      const want = verdicts(golden, o);
      const { res, failing } = predict(join(selftests, 'bpfel', o), target);
      for (const [prog, at] of rejections(golden, o)) {
        if (!at) continue;
        assertRejectedReachable(res, prog, at);
        rejected++;
      }
      for (const [prog, fails] of want) {
        compared++;
        const got = failing.get(prog) ?? false;
        if (got === fails) continue;
        assert.ok(got && !fails, `${o} ${prog}: we say it loads, the kernel rejected a poisoned insn`);
        conservative.push(`${o}:${prog}`);
      }
    }
    assert.ok(compared >= 50 && rejected >= 40, `compared ${compared}, ${rejected} rejections`);
    // `if (never)` on a `volatile const` in .rodata: the kernel reads frozen .rodata, we do not (a skeleton
    // may set it before load), so we keep the guarded code reachable
    assert.deepEqual(conservative, ['core_kern.o:balancer_ingress']);
  });
});

describe('reach.ts constant propagation', () => {
  it('a branch on a known constant goes one way; on an unknown value both ways', () => {
    // 0: r1 = 0 (a patched bpf_core_field_exists); 1: if r1 == 0 goto 3; 2: poisoned; 3: exit
    const poisoned = { code: 0x85, imm: 195896080 };
    assert.deepEqual(on(reachableInsns(buf([movImm(1, 0), { code: 0x15, dst: 1, imm: 0, off: 1 }, poisoned, EXIT]))), [0, 1, 3]);
    assert.deepEqual(on(reachableInsns(buf([movImm(1, 1), { code: 0x15, dst: 1, imm: 0, off: 1 }, poisoned, EXIT]))), [0, 1, 2, 3]);
    assert.deepEqual(on(reachableInsns(buf([ldx(1), { code: 0x15, dst: 1, imm: 0, off: 1 }, poisoned, EXIT]))), [0, 1, 2, 3]);
  });

  // every conditional jump, JMP and JMP32, imm and reg, against an independent reference
  const OPS: [number, string, (a: bigint, b: bigint, bits: number) => boolean][] = [
    [0x10, 'jeq', (a, b) => a === b], [0x50, 'jne', (a, b) => a !== b],
    [0x20, 'jgt', (a, b) => a > b], [0x30, 'jge', (a, b) => a >= b], [0xa0, 'jlt', (a, b) => a < b], [0xb0, 'jle', (a, b) => a <= b],
    [0x40, 'jset', (a, b) => (a & b) !== 0n],
    [0x60, 'jsgt', (a, b, n) => BigInt.asIntN(n, a) > BigInt.asIntN(n, b)], [0x70, 'jsge', (a, b, n) => BigInt.asIntN(n, a) >= BigInt.asIntN(n, b)],
    [0xc0, 'jslt', (a, b, n) => BigInt.asIntN(n, a) < BigInt.asIntN(n, b)], [0xd0, 'jsle', (a, b, n) => BigInt.asIntN(n, a) <= BigInt.asIntN(n, b)],
  ];
  const VALUES = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1_0000_0001n, (1n << 63n), (1n << 64n) - 1n, (1n << 64n) - 2n];
  for (const [op, name, ref] of OPS) {
    it(`${name}: JMP and JMP32, imm and reg forms, signed and unsigned`, () => {
      for (const cls of [5, 6]) {
        const bits = cls === 5 ? 64 : 32;
        const mask = (1n << BigInt(bits)) - 1n;
        for (const a of VALUES) {
          for (const b of VALUES) {
            for (const k of [true, false]) {
              if (k && BigInt.asIntN(32, b) !== BigInt.asIntN(64, b)) continue; // imm is a sign-extended s32
              const jmp: Partial<Insn> = k ? { code: op | cls, dst: 1, imm: Number(BigInt.asIntN(32, b)), off: 2 } : { code: op | cls | 8, dst: 1, src: 2, off: 2 };
              // 0-1: r1 = a; 2-3: r2 = b; 4: jump to 7; 5: fallthrough; 6: exit; 7: taken; 8: exit
              const prog = [...ldImm64(1, a), ...ldImm64(2, b), jmp, movImm(0, 0), EXIT, movImm(0, 1), EXIT];
              const r = reachableInsns(buf(prog));
              const bv = k ? BigInt.asUintN(64, BigInt.asIntN(32, b)) : b;
              const t = ref(a & mask, bv & mask, bits);
              assert.deepEqual([r[5], r[7]], t ? [0, 1] : [1, 0], `${name}${bits === 32 ? '32' : ''} ${a} ${b} ${k ? 'imm' : 'reg'}`);
            }
          }
        }
      }
    });
  }

  it('ALU: 32-bit results are zero-extended, imm is sign-extended; unknown stays unknown', () => {
    const jeq = (dst: number, imm: number, off: number): Partial<Insn> => ({ code: 0x15, dst, imm, off });
    const body = (pre: Partial<Insn>[], test: Partial<Insn>) => {
      const p = [...pre, test, movImm(0, 0), EXIT, movImm(0, 1), EXIT];
      const r = reachableInsns(buf(p));
      return [r[pre.length + 1], r[pre.length + 3]];
    };
    // w1 = -1: r1 == 0xffffffff, not -1
    assert.deepEqual(body([movImm(1, -1, true)], { code: 0x55, dst: 1, imm: -1, off: 2 }), [0, 1]);
    // r1 = -1 (64-bit): r1 == -1
    assert.deepEqual(body([movImm(1, -1)], jeq(1, -1, 2)), [0, 1]);
    // r1 = 5; r1 += 3; r1 <<= 2 → 32
    assert.deepEqual(body([movImm(1, 5), { code: 0x07, dst: 1, imm: 3 }, { code: 0x67, dst: 1, imm: 2 }], jeq(1, 32, 2)), [0, 1]);
    // r2 = 7; r1 = r2; r1 &= 3 → 3 (reg forms)
    assert.deepEqual(body([movImm(2, 7), { code: 0xbf, dst: 1, src: 2 }, { code: 0x57, dst: 1, imm: 3 }], jeq(1, 3, 2)), [0, 1]);
    // arsh on a negative 32-bit value: w1 = 0x80000000; w1 s>>= 31 → 0xffffffff
    assert.deepEqual(body([movImm(1, -0x80000000, true), { code: 0xc4, dst: 1, imm: 31 }], { code: 0x16, dst: 1, imm: -1, off: 2 }), [0, 1]);
    // division, byte swaps, sign-extending moves, out-of-range shifts: unknown (both ways)
    assert.deepEqual(body([movImm(1, 8), { code: 0x37, dst: 1, imm: 2 }], jeq(1, 4, 2)), [1, 1]);
    assert.deepEqual(body([movImm(1, 8), { code: 0xd4, dst: 1, imm: 16 }], jeq(1, 8, 2)), [1, 1]);
    assert.deepEqual(body([movImm(2, -1), { code: 0xbf, dst: 1, src: 2, off: 8 }], jeq(1, -1, 2)), [1, 1]);
    assert.deepEqual(body([movImm(1, 1), { code: 0x67, dst: 1, imm: 64 }], jeq(1, 0, 2)), [1, 1]);
    // unknown op known: unknown
    assert.deepEqual(body([ldx(1), { code: 0x07, dst: 1, imm: 1 }], jeq(1, 1, 2)), [1, 1]);
  });

  it('calls scratch r0-r5 and keep r6-r9; a relocated ld_imm64 (a map) is no constant', () => {
    const after = (reg: number) => {
      const p = [movImm(reg, 0), { code: 0x85, imm: 1 }, { code: 0x15, dst: reg, imm: 0, off: 2 }, movImm(0, 0), EXIT, movImm(0, 1), EXIT];
      const r = reachableInsns(buf(p));
      return [r[3], r[5]];
    };
    assert.deepEqual(after(1), [1, 1]);
    assert.deepEqual(after(5), [1, 1]);
    assert.deepEqual(after(6), [0, 1]);
    const p = [...ldImm64(1, 0n), { code: 0x15, dst: 1, imm: 0, off: 2 }, movImm(0, 0), EXIT, movImm(0, 1), EXIT];
    assert.deepEqual(on(reachableInsns(buf(p))), [0, 1, 2, 3, 4, 5, 6].filter((i) => i !== 3 && i !== 4));
    assert.deepEqual(on(reachableInsns(buf(p), undefined, (i) => i === 0)), [0, 1, 2, 3, 4, 5, 6]);
  });

  it('loops join to unknown and end; a loop-invariant guard still prunes', () => {
    // 0: r6 = 0 (guard); 1: r1 = 0; 2: if r6 == 0 goto 4; 3: poisoned; 4: r1 += 1; 5: if r1 < 4 goto 2; 6: exit
    const p = [movImm(6, 0), movImm(1, 0), { code: 0x15, dst: 6, imm: 0, off: 1 }, { code: 0x85, imm: 195896080 },
      { code: 0x07, dst: 1, imm: 1 }, { code: 0xa5, dst: 1, imm: 4, off: -4 }, EXIT];
    assert.deepEqual(on(reachableInsns(buf(p))), [0, 1, 2, 4, 5, 6]);
    // an endless loop (ja -1) ends the analysis too
    assert.deepEqual(on(reachableInsns(buf([{ code: 0x05, off: -1 }]))), [0]);
  });

  it('hostile streams: jumps out of range, truncated ld_imm64, garbage — no throw, no hang', () => {
    assert.deepEqual(on(reachableInsns(buf([{ code: 0x05, off: 1000 }, EXIT]))), [0]);
    assert.deepEqual(on(reachableInsns(buf([{ code: 0x05, off: -5 }, EXIT]))), [0]);
    assert.deepEqual(on(reachableInsns(buf([movImm(1, 0), { code: 0x18, dst: 1, imm: 5 }]))), [0, 1]);
    assert.deepEqual(on(reachableInsns(buf([]))), []);
    assert.deepEqual(on(reachableInsns(new InsnBuf(new Uint8Array(13), true))), [0]);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rnd() * 200);
      const bytes = new Uint8Array(n * 8);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
      // bias toward jumps and constants so the loops and joins are exercised
      for (let i = 0; i < n; i++) if (rnd() < 0.5) bytes[i * 8] = [0x05, 0x15, 0x25, 0x55, 0xa5, 0x16, 0xb7, 0x07, 0x18, 0x85, 0x95][Math.floor(rnd() * 11)]!;
      for (let i = 0; i < n; i++) if (rnd() < 0.7) bytes[i * 8 + 2] = Math.floor(rnd() * 8), bytes[i * 8 + 3] = rnd() < 0.5 ? 0 : 0xff;
      const r = reachableInsns(new InsnBuf(bytes, round % 2 === 0));
      assert.equal(r.length, n);
      const funcs = [{ insns: new InsnBuf(bytes, true), entry: true }, { insns: new InsnBuf(bytes.slice(8), true), entry: false }];
      reachableProgram(funcs, () => [1, 7, -1]);
    }
  });

  it('functions: callees become reachable through reachable references only', () => {
    const main = buf([movImm(1, 0), { code: 0x15, dst: 1, imm: 0, off: 1 }, { code: 0x85, src: 1, imm: 5 }, EXIT]);
    const callee = buf([{ code: 0x85, imm: 195896080 }, EXIT]);
    const other = buf([EXIT]);
    const out = reachableProgram([{ insns: main, entry: true }, { insns: callee, entry: false }, { insns: other, entry: false }], (f, i) =>
      f === 0 && i === 2 ? [1] : []);
    assert.deepEqual(out.map(on), [[0, 1, 3], [], []]);
    const out2 = reachableProgram([{ insns: main, entry: true }, { insns: callee, entry: false }], (f, i) => (f === 0 && i === 1 ? [1] : []));
    assert.deepEqual(out2.map(on), [[0, 1, 3], [0, 1]]);
  });
});
