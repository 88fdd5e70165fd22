/**
 * Builds a small x86-64 ELF64 (little-endian) around given sections, for cases a test must make on any
 * machine: a module (ET_REL with .modinfo and .BTF), a vmlinux (ET_EXEC with .rodata and .BTF).
 */
export interface ElfSectionSpec {
  name: string;
  data: Uint8Array;
}

const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;
const SHF_ALLOC = 2;

export function buildElf(sections: ElfSectionSpec[], opts: { type: 'rel' | 'exec' }): Uint8Array {
  const names = ['', ...sections.map((s) => s.name), '.shstrtab'];
  const nameOff: number[] = [];
  let shstrLen = 0;
  for (const n of names) {
    nameOff.push(shstrLen);
    shstrLen += Buffer.byteLength(n) + 1;
  }
  const shstr = Buffer.concat(names.map((n) => Buffer.concat([Buffer.from(n), Buffer.alloc(1)])));
  const align8 = (n: number) => (n + 7) & ~7;
  const offsets: number[] = [];
  let at = 64;
  for (const s of sections) {
    offsets.push(at);
    at = align8(at + s.data.length);
  }
  const shstrOff = at;
  const shOff = align8(shstrOff + shstr.length);
  const count = sections.length + 2;
  const out = new Uint8Array(shOff + count * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF64, little-endian, version 1
  v.setUint16(16, opts.type === 'rel' ? 1 : 2, true);
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shOff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, count, true);
  v.setUint16(62, count - 1, true);
  const sh = (i: number, type: number, flags: number, off: number, size: number) => {
    const b = shOff + i * 64;
    v.setUint32(b, nameOff[i]!, true);
    v.setUint32(b + 4, type, true);
    v.setBigUint64(b + 8, BigInt(flags), true);
    v.setBigUint64(b + 24, BigInt(off), true);
    v.setBigUint64(b + 32, BigInt(size), true);
    v.setBigUint64(b + 48, 1n, true);
  };
  sections.forEach((s, i) => {
    out.set(s.data, offsets[i]!);
    sh(i + 1, SHT_PROGBITS, s.name === '.rodata' || s.name === '.modinfo' ? SHF_ALLOC : 0, offsets[i]!, s.data.length);
  });
  out.set(shstr, shstrOff);
  sh(count - 1, SHT_STRTAB, 0, shstrOff, shstr.length);
  return out;
}

/** NUL-terminated latin-1 strings, concatenated (a .modinfo, a .rodata of strings). */
export function cStrings(...strings: string[]): Uint8Array {
  return new Uint8Array(Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(1)]))));
}
