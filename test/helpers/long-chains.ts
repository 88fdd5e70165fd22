/**
 * BTF with chains of pointers, modifiers and arrays longer than any compiler emits (bpftool prints them
 * whole; BTF Lens once cut them at 4,096 links). `npx tsx test/helpers/long-chains.ts DIR` writes them
 * as DIR/<name>.btf for test/golden/c-chains/make.sh, which records bpftool's `format c` of each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBtf, type RawType } from './btf-builder';

const INT: RawType = { name: 'int', kind: 1, third: 4, extra: [(1 << 24) | 32] };
const PTR = 2, ARRAY = 3, STRUCT = 4, TYPEDEF = 8, VOLATILE = 9, CONST = 10;

export const LONG_CHAINS: Record<string, () => RawType[]> = {
  /** `typedef int **…*T;`: 5,000 pointers, each on the one before (IDs ascending). */
  'ptr-up-5000': () => [INT, ...Array.from({ length: 5000 }, (_, i) => ({ kind: PTR, third: i + 1 })), { name: 'T', kind: TYPEDEF, third: 5001 }],
  /** The same chain with IDs descending: the typedef first, `int` last. */
  'ptr-down-5000': () => [{ name: 'T', kind: TYPEDEF, third: 2 }, ...Array.from({ length: 5000 }, (_, i) => ({ kind: PTR, third: i + 3 })), INT],
  /** `typedef int T[1][1]…;`: 5,000 dimensions. */
  'array-5000': () => [INT, ...Array.from({ length: 5000 }, (_, i) => ({ kind: ARRAY, third: 0, extra: [i + 1, 1, (i % 3) + 1] })), { name: 'T', kind: TYPEDEF, third: 5001 }],
  /**
   * Pointers, const, volatile and arrays in turn, 6,000 links down to `struct S`, used by a typedef
   * and by a member of `struct U`.
   */
  'mixed-6000': () => {
    const n = 6000;
    const types: RawType[] = [{ name: 'T', kind: TYPEDEF, third: 2 }];
    for (let i = 0; i < n; i++) {
      const next = i + 3;
      const k = [PTR, CONST, ARRAY, VOLATILE][i % 4]!;
      types.push(k === ARRAY ? { kind: ARRAY, third: 0, extra: [next, n + 3, 2] } : { kind: k, third: next });
    }
    types.push({ name: 'S', kind: STRUCT, vlen: 1, third: 4, extra: [0, n + 3, 0] });
    types.push(INT);
    types.push({ name: 'U', kind: STRUCT, vlen: 1, third: 8, extra: [0, 1, 0] });
    return types;
  },
};

/** The BTF blob of chain `name`; member names are filled in (the builder takes offsets only after the fact). */
export function longChainBtf(name: string): Uint8Array {
  const types = LONG_CHAINS[name]!();
  const { strOff } = buildBtf(types);
  for (const t of types) {
    if (t.kind === STRUCT) t.extra![0] = strOff(t.name === 'S' ? 'T' : 'S'); // any name that exists: the members are `T` and `S`
  }
  return buildBtf(types).bytes;
}

if (process.argv[1]?.endsWith('long-chains.ts') && process.argv[2]) {
  const dir = process.argv[2];
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(LONG_CHAINS)) writeFileSync(join(dir, `${name}.btf`), longChainBtf(name));
}
