/**
 * A second, made-up kernel for pairing tests that must run on any machine: a tiny base BTF ("vmlinux"
 * of release OTHER_RELEASE) and a module built against it, as raw BTF and as ELF (.ko with vermagic,
 * vmlinux with its banner). `struct other_mod { struct other_dev *other_dev; }` reads right only on it.
 */
import { Btf } from '../../server/src/core/btf/btf';
import { BtfBuilder } from '../../server/src/core/write/builder';
import { buildElf, cStrings } from './elf-builder';

export const OTHER_RELEASE = '9.9.9-other';

export function otherKernel(): { vmlinuxBtf: Uint8Array; moduleBtf: Uint8Array; vmlinuxElf: Uint8Array; moduleKo: Uint8Array } {
  // [1] int, [2] struct other_dev (empty, size 4)
  const vb = new BtfBuilder();
  vb.addInt('int', 4, 'signed');
  const otherDev = vb.addStruct('other_dev', 4);
  const base = { bytes: vb.bytes() };
  // [3] struct other_mod { struct other_dev *other_dev; }, [4] struct other_dev * — the member's name is the base's string.
  const mb = new BtfBuilder({ base: Btf.parse(base.bytes) });
  mb.addStruct('other_mod', 8, [{ name: 'other_dev', type: mb.typeCount + 1, bitOffset: 0 }]);
  mb.addPtr(otherDev);
  const mod = { bytes: mb.bytes() };
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
