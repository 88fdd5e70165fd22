/**
 * A second, made-up kernel for pairing tests that must run on any machine: a tiny base BTF ("vmlinux"
 * of release OTHER_RELEASE) and a module built against it, as raw BTF and as ELF (.ko with vermagic,
 * vmlinux with its banner). `struct other_mod { struct other_dev *other_dev; }` reads right only on it.
 */
import { buildBtf } from './btf-builder';
import { buildElf, cStrings } from './elf-builder';

export const OTHER_RELEASE = '9.9.9-other';
const INT = 1;
const PTR = 2;
const STRUCT = 4;

export function otherKernel(): { vmlinuxBtf: Uint8Array; moduleBtf: Uint8Array; vmlinuxElf: Uint8Array; moduleKo: Uint8Array } {
  // [1] int, [2] struct other_dev (empty, size 4)
  const base = buildBtf([
    { name: 'int', kind: INT, third: 4, extra: [(1 << 24) | 32] },
    { name: 'other_dev', kind: STRUCT, vlen: 0, third: 4 },
  ]);
  const baseStrLen = new DataView(base.bytes.buffer, base.bytes.byteOffset).getUint32(20, true);
  // [3] struct other_mod { struct other_dev *other_dev; }, [4] struct other_dev * — the member's name is the base's string.
  const mod = buildBtf([
    { name: 'other_mod', kind: STRUCT, vlen: 1, third: 8, extra: [base.strOff('other_dev'), 4, 0] },
    { kind: PTR, third: 2 },
  ], { strBase: baseStrLen, noLeadingNul: true });
  return {
    vmlinuxBtf: base.bytes,
    moduleBtf: mod.bytes,
    vmlinuxElf: buildElf([
      { name: '.rodata', data: cStrings('%s version %s', `Linux version ${OTHER_RELEASE} (test@localhost) (cc) #1 SMP`) },
      { name: '.BTF', data: base.bytes },
    ], { type: 'exec' }),
    moduleKo: buildElf([
      { name: '.modinfo', data: cStrings('license=GPL', `vermagic=${OTHER_RELEASE} SMP preempt mod_unload modversions `, 'name=other_mod') },
      { name: '.BTF', data: mod.bytes },
    ], { type: 'rel' }),
  };
}
