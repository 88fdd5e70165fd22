/**
 * Hand-made BTF for the editor's browser test: a base with hostile names (markup and script in type,
 * member and enumerator names), a pointer cycle, and a split BTF on it whose types refer to base types.
 * Built here, through the project's one BTF writer, because no compiler emits a struct named
 * `<img src=x onerror=alert(1)>`.
 */
import { BtfBuilder } from '../../server/src/core/write/builder';

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const HOSTILE_MEMBER = '<script>alert(2)</script>';
export const HOSTILE_ENUM = '<i>GREEN</i>';

/** Base: 8 types. [2] is the hostile struct, [7] list_head (next/prev point back at it). */
export function hostileBase(opts: { extraFirst?: boolean } = {}): Uint8Array {
  const b = new BtfBuilder();
  if (opts.extraFirst) b.addInt('long', 8, 'signed');
  const int = b.addInt('int', 4, 'signed');
  const hostile = b.typeCount;
  const ptrToHostile = hostile + 1;
  b.addStruct(HOSTILE, 16, [
    { name: 'next', type: ptrToHostile, bitOffset: 0 },
    { name: 'count', type: int, bitOffset: 64 },
    { name: HOSTILE_MEMBER, type: int, bitOffset: 96 },
  ]);
  b.addPtr(hostile);
  b.addEnum('colour', 4);
  b.addEnumValue('RED', 0);
  b.addEnumValue(HOSTILE_ENUM, 1);
  b.addEnumValue('BLUE', 7);
  const proto = b.addFuncProto(int);
  b.addParam('a', ptrToHostile);
  b.addFunc('do_thing', proto, 'global');
  const listHead = b.typeCount;
  b.addStruct('list_head', 16, [
    { name: 'next', type: listHead + 1, bitOffset: 0 },
    { name: 'prev', type: listHead + 1, bitOffset: 64 },
  ]);
  b.addPtr(listHead);
  return b.bytes();
}

/** Split on hostileBase (IDs from 9): own_struct embeds the base's list_head and has a bitfield. */
export function hostileSplit(baseStrLen: number): Uint8Array {
  const b = new BtfBuilder({ splitAt: { typeId: 9, strOff: baseStrLen } });
  const own = b.addStruct('own_struct', 24, [
    { name: 'head', type: 7, bitOffset: 0 }, // the base's list_head
    { name: 'n', type: 1, bitOffset: 128 },
    { name: 'flag', type: 1, bitOffset: 160, bitSize: 3 },
  ]);
  b.addPtr(own);
  b.addTypedef('own_t', own);
  return b.bytes();
}

/** A second level on hostileSplit (IDs from 12): members of both levels below. */
export function hostileSplit2(strBase: number): Uint8Array {
  const b = new BtfBuilder({ splitAt: { typeId: 12, strOff: strBase } });
  b.addStruct('level2', 32, [{ name: 'own', type: 9, bitOffset: 0 }, { name: 'lh', type: 7, bitOffset: 192 }]);
  return b.bytes();
}

/** Length of a raw BTF's string section (where a split BTF's string offsets start). */
export function strLenOf(btf: Uint8Array): number {
  return new DataView(btf.buffer, btf.byteOffset, btf.byteLength).getUint32(20, true);
}
