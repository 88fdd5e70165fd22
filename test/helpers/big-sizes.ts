/**
 * Sizes and offsets at the edge of their fields, where arithmetic in a float or in a C int goes wrong:
 * a BTF with a struct of 2^32-1 bytes, an array of 2^32-1 of them (2^64-2^33+1 bytes), a member at bit
 * 2^32-32, ENUM64 values past 2^53 and at 2^64-1, a DATASEC variable at 2^32-5; and an object whose
 * section sizes are 2^64-8 and 2^53+1. `npx tsx test/helpers/big-sizes.ts DIR` writes DIR/big.btf for
 * test/golden/big-sizes/make.sh (bpftool's raw and C dumps of it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { sectionHeaders } from './hostile';

const M = 0xffffffff;

export function bigSizesBtf(): Uint8Array {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, 'signed'); // 1
  const big = b.addStruct('Big', M, [{ name: 'a', type: int, bitOffset: 0 }]); // 2: struct Big { int a; }, 2^32-1 bytes
  const bigs = b.addArray(int, big, M); // 3: struct Big[2^32-1]
  b.addStruct('H', M, [{ name: 'a', type: bigs, bitOffset: 0 }, { name: 'b', type: int, bitOffset: 0xffffffe0 }]); // 4: b at bit 2^32-32
  b.addEnum64('E', 8); // 5: 2^64-1, 2^53+1, 2^63
  b.addEnumValue('X', 2n ** 64n - 1n);
  b.addEnumValue('Y', 2n ** 53n + 1n);
  b.addEnumValue('a', 2n ** 63n);
  const v = b.addVar('v', int, 'global'); // 6
  b.addDatasec('.data', M); // 7: v at 2^32-5
  b.addVarSecinfo(v, 0xfffffffb, 4);
  b.addEnum64('S', 8, true); // 8: signed, -2^63
  b.addEnumValue('X', -(2n ** 63n));
  for (const name of ['a', 'b', 'X', 'Y']) b.addTypedef(name, int); // 9-12 (the IDs of test/golden/big-sizes)
  return b.bytes();
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
