/**
 * Sizes and offsets at the edge of their fields, where arithmetic in a float or in a C int goes wrong:
 * a BTF with a struct of 2^32-1 bytes, an array of 2^32-1 of them (2^64-2^33+1 bytes), a member at bit
 * 2^32-32, ENUM64 values past 2^53 and at 2^64-1, a DATASEC variable at 2^32-5; and an object whose
 * section sizes are 2^64-8 and 2^53+1. `npx tsx test/helpers/big-sizes.ts DIR` writes DIR/big.btf for
 * test/golden/big-sizes/make.sh (bpftool's raw and C dumps of it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBtf, type RawType } from './btf-builder';
import { sectionHeaders } from './hostile';

const M = 0xffffffff;

export function bigSizesBtf(): Uint8Array {
  const types: RawType[] = [
    { name: 'int', kind: 1, third: 4, extra: [(1 << 24) | 32] }, // 1
    { name: 'Big', kind: 4, vlen: 1, third: M, extra: [0, 1, 0] }, // 2: struct Big { int a; }, 2^32-1 bytes
    { kind: 3, third: 0, extra: [2, 1, M] }, // 3: struct Big[2^32-1]
    { name: 'H', kind: 4, vlen: 2, third: M, extra: [0, 3, 0, 0, 1, 0xffffffe0] }, // 4: struct H { Big a[…]; int b at bit 2^32-32; }
    { name: 'E', kind: 19, vlen: 3, third: 8, extra: [0, M, M, 0, 1, 0x00200000, 0, 0, 0x80000000] }, // 5: ENUM64 2^64-1, 2^53+1, 2^63
    { name: 'v', kind: 14, third: 1, extra: [1] }, // 6: VAR
    { name: '.data', kind: 15, vlen: 1, third: M, extra: [6, 0xfffffffb, 4] }, // 7: DATASEC, v at 2^32-5
    { name: 'S', kind: 19, kflag: true, vlen: 1, third: 8, extra: [0, 0, 0x80000000] }, // 8: signed ENUM64 -2^63
    { name: 'a', kind: 8, third: 1 }, { name: 'b', kind: 8, third: 1 }, { name: 'X', kind: 8, third: 1 }, { name: 'Y', kind: 8, third: 1 },
  ];
  const s = buildBtf(types).strOff; // the names above give the member and enumerator names their offsets
  types[1]!.extra![0] = s('a');
  types[3]!.extra![0] = s('a');
  types[3]!.extra![3] = s('b');
  types[4]!.extra![0] = s('X');
  types[4]!.extra![3] = s('Y');
  types[4]!.extra![6] = s('a');
  types[7]!.extra![0] = s('X');
  return buildBtf(types).bytes;
}

/** A copy of a little-endian object with section `socket` 2^64-8 bytes long and `perf_event` 2^53+1. */
export function bigSectionsObject(obj: Uint8Array): Uint8Array {
  const f = new Uint8Array(obj);
  const dv = new DataView(f.buffer);
  const hs = sectionHeaders(f);
  dv.setBigUint64(hs.find((x) => x.name === 'socket')!.headerAt + 0x20, 2n ** 64n - 8n, true);
  dv.setBigUint64(hs.find((x) => x.name === 'perf_event')!.headerAt + 0x20, 2n ** 53n + 1n, true);
  return f;
}

if (process.argv[1]?.endsWith('big-sizes.ts') && process.argv[2]) writeFileSync(join(process.argv[2], 'big.btf'), bigSizesBtf());
