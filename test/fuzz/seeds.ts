/**
 * The seeds: every committed fixture that carries BTF or is an ELF, hand-made BTF with cycles and deep
 * chains (no compiler emits them), and, when the shared corpus is there, a sample of real modules on
 * their vmlinux. Also the bases split seeds need.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildBtf, type RawType } from '../helpers/btf-builder';
import { repoRoot } from '../helpers/paths';
import { hostileBase, hostileSplit, strLenOf } from '../webview/fixtures';
import type { Bases } from './entry-points';
import { type Seed, makeSeed } from './mutate';

const COMMITTED_DIRS = ['test/fixtures/obj', 'test/fixtures/core-targets/btf', 'test/fixtures/core-targets/obj', 'test/fixtures/core-targets/reach', 'test/fixtures/load/obj', 'test/workspace/build', 'test/workspace/modules'];
/** Corpus modules up to this size are sampled (the big ones take seconds per input through every entry point). */
const CORPUS_MODULE_MAX = 170_000;

export const KERNEL_61 = 'vmlinux-6.1';
export const HOSTILE_BASE = 'hostile';

const INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, TYPEDEF = 8, VOLATILE = 9, CONST = 10, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15;
const int32: RawType = { name: 'int', kind: INT, third: 4, extra: [(1 << 24) | 32] };

/** Hand-made BTF: every way a type can reach itself, and chains deeper than any recursion should go. */
function handMade(): { name: string; bytes: Uint8Array }[] {
  const b = (types: RawType[]) => buildBtf(types).bytes;
  const ptrChain: RawType[] = [int32];
  for (let i = 0; i < 5000; i++) ptrChain.push({ kind: PTR, third: i + 1 });
  ptrChain.push({ name: 'deep_t', kind: TYPEDEF, third: ptrChain.length });
  const nested: RawType[] = [int32];
  for (let i = 0; i < 3000; i++) nested.push({ name: `s${i}`, kind: STRUCT, third: 4, vlen: 1, extra: [0, i + 1, 0] });
  return [
    { name: 'self-struct.btf', bytes: b([int32, { name: 'a', kind: STRUCT, third: 8, vlen: 2, extra: [0, 2, 0, 0, 1, 32] }]) },
    { name: 'typedef-loop.btf', bytes: b([{ name: 't', kind: TYPEDEF, third: 2 }, { name: 'u', kind: TYPEDEF, third: 1 }]) },
    { name: 'mod-loop.btf', bytes: b([{ kind: CONST, third: 2 }, { kind: VOLATILE, third: 1 }, { name: 'v', kind: VAR, third: 1, extra: [1] }]) },
    { name: 'array-self.btf', bytes: b([int32, { kind: ARRAY, third: 0, extra: [2, 1, 4] }, { name: 'x', kind: STRUCT, third: 16, vlen: 1, extra: [0, 2, 0] }]) },
    { name: 'proto-self.btf', bytes: b([int32, { kind: FUNC_PROTO, third: 2, vlen: 1, extra: [0, 2] }, { name: 'f', kind: FUNC, third: 2, vlen: 1 }]) },
    { name: 'datasec-self.btf', bytes: b([int32, { name: 'v', kind: VAR, third: 3, extra: [1] }, { name: '.data', kind: DATASEC, third: 8, vlen: 1, extra: [2, 0, 8] }]) },
    { name: 'ptr-chain.btf', bytes: b(ptrChain) },
    { name: 'nested-structs.btf', bytes: b(nested) },
  ];
}

export interface SeedSet {
  seeds: Seed[];
  bases: Bases;
  /** The base the index uses as kernel BTF (modules are paired with it). */
  kernelKey?: string;
}

export function loadSeeds(opts: { corpus?: string } = {}): SeedSet {
  const seeds: Seed[] = [];
  const hb = hostileBase();
  const bases: Bases = { [HOSTILE_BASE]: { path: 'hostile-base.btf', bytes: hb } };
  const vmlinux = opts.corpus ? join(opts.corpus, 'vmlinux-6.1.btf') : undefined;
  const haveKernel = !!vmlinux && existsSync(vmlinux);
  if (haveKernel) bases[KERNEL_61] = { path: vmlinux!, bytes: readFileSync(vmlinux!) };
  for (const d of COMMITTED_DIRS) {
    for (const f of readdirSync(join(repoRoot, d)).sort()) {
      if (!/\.(o|btf|gz)$/.test(f)) continue;
      // test/workspace/modules/regmap-sdw.btf is split on the Debian 6.1 vmlinux
      seeds.push(makeSeed(f, readFileSync(join(repoRoot, d, f)), d.endsWith('modules') ? KERNEL_61 : undefined));
    }
  }
  for (const h of handMade()) seeds.push(makeSeed(h.name, h.bytes));
  seeds.push(makeSeed('hostile-base.btf', hb), makeSeed('hostile-split.btf', hostileSplit(strLenOf(hb)), HOSTILE_BASE));
  if (haveKernel) {
    const dir = join(opts.corpus!, 'modules');
    for (const f of existsSync(dir) ? readdirSync(dir).sort() : []) {
      const bytes = readFileSync(join(dir, f));
      if (bytes.length <= CORPUS_MODULE_MAX) seeds.push(makeSeed(f, bytes, KERNEL_61));
    }
  }
  return { seeds, bases, kernelKey: haveKernel ? KERNEL_61 : undefined };
}
