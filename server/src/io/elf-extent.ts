/**
 * Where an ELF file ends, told from its header and section table alone, so that inflating can stop there:
 * a bomb of zeros behind a real ELF header has a section table of zeros, and ends a few kilobytes in
 * instead of at the input limit. The end is the furthest of the section table, the program header table
 * and every section that has bytes in the file; what lies past it (a module's appended signature) is
 * nothing BTF Lens reads. Anything unusual (no section table, extended numbering, odd entry sizes) gives
 * no end: the output then runs on to the input limit, as before.
 */

export type ElfExtent =
  /** The output must reach this many bytes before the end can be told. */
  | { readTo: number }
  /** The file ends here. */
  | { end: number }
  /** No end can be told: inflate it all. */
  | undefined;

const SHT_NOBITS = 8;

/** The extent of the ELF whose first `have` bytes `at` reads (`have` ≥ the readTo given before). */
export function elfExtent(at: (offset: number) => number, have: number): ElfExtent {
  if (have < 64) return { readTo: 64 };
  if (at(0) !== 0x7f || at(1) !== 0x45 || at(2) !== 0x4c || at(3) !== 0x46) return undefined;
  const is64 = at(4) === 2;
  const little = at(5) === 1;
  if ((at(4) !== 1 && !is64) || (at(5) !== 1 && at(5) !== 2)) return undefined;
  const uint = (o: number, n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + at(little ? o + n - 1 - i : o + i);
    return v;
  };
  const word = is64 ? 8 : 4;
  const phoff = uint(is64 ? 32 : 28, word);
  const shoff = uint(is64 ? 40 : 32, word);
  const [phentsize, phnum, shentsize, shnum] = [0, 1, 2, 3].map((i) => uint((is64 ? 54 : 42) + 2 * i, 2)) as [number, number, number, number];
  if (shoff === 0 || shnum === 0 || shentsize !== (is64 ? 64 : 40)) return undefined;
  const tableEnd = shoff + shnum * shentsize;
  if (!Number.isSafeInteger(tableEnd)) return undefined;
  if (have < tableEnd) return { readTo: tableEnd };
  let end = Math.max(tableEnd, phnum ? phoff + phnum * phentsize : 0);
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    if (uint(h + 4, 4) === SHT_NOBITS) continue;
    end = Math.max(end, uint(h + (is64 ? 24 : 16), word) + uint(h + (is64 ? 32 : 20), word));
  }
  return Number.isSafeInteger(end) ? { end } : undefined;
}
