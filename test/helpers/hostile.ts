/**
 * Hostile variants of real fixture objects, made by patching their bytes in place (no compiler emits
 * them): a BTF name that forges a second stderr line and sets the terminal's title, an executable section
 * lying past the end of the file.
 */

/** A name that, printed raw, ends the line, forges a `btf-lens:` problem line and sends an OSC title escape. */
export const HOSTILE_NAME = 'x\nbtf-lens: /etc/shadow: offset 0 (0x0): forged\x1b]0;title\x07\u009b31m\u202e';

interface SectionHeader {
  name: string;
  /** Where this section's header is in the file. */
  headerAt: number;
  offset: number;
  size: number;
  flags: number;
}

/** The section headers of a little-endian ELF64 file (the fixtures' `*.bpfel.o`). */
export function sectionHeaders(file: Uint8Array): SectionHeader[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    raw.push({ nameOff: dv.getUint32(h, true), headerAt: h, flags: Number(dv.getBigUint64(h + 8, true)), offset: Number(dv.getBigUint64(h + 0x18, true)), size: Number(dv.getBigUint64(h + 0x20, true)) });
  }
  const names = raw[shstrndx]!;
  const name = (off: number) => {
    let end = names.offset + off;
    while (file[end] !== 0) end++;
    return new TextDecoder().decode(file.subarray(names.offset + off, end));
  };
  return raw.map((r) => ({ ...r, name: name(r.nameOff) }));
}

/**
 * A copy of a little-endian BPF object whose DATASEC `datasec` is renamed `name`: the longest string of
 * .BTF (a line_info source line) is overwritten with it and the DATASEC's name_off pointed there, so no
 * size or offset changes. The DATASEC then names no ELF section, which libbpf refuses at open ("no ELF
 * section for DATASEC '<name>'").
 */
export function renameDatasec(obj: Uint8Array, datasec: string, name: string): Uint8Array {
  const file = new Uint8Array(obj);
  const btf = sectionHeaders(file).find((s) => s.name === '.BTF')!;
  const dv = new DataView(file.buffer, btf.offset, btf.size);
  const hdrLen = dv.getUint32(4, true);
  const types = hdrLen + dv.getUint32(8, true);
  const typeLen = dv.getUint32(12, true);
  const strs = hdrLen + dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const at = (off: number) => btf.offset + strs + off;
  // every string: its offset and length
  let oldOff = -1;
  let longest = { off: 0, len: 0 };
  for (let off = 0; off < strLen;) {
    let end = off;
    while (file[at(end)] !== 0) end++;
    const s = new TextDecoder().decode(file.subarray(at(off), at(end)));
    if (s === datasec) oldOff = off;
    if (end - off > longest.len) longest = { off, len: end - off };
    off = end + 1;
  }
  const bytes = new TextEncoder().encode(name);
  if (oldOff < 0 || bytes.length > longest.len) throw new Error(`renameDatasec: no string '${datasec}', or none long enough`);
  file.fill(0, at(longest.off), at(longest.off + longest.len));
  file.set(bytes, at(longest.off));
  // btf_type of the DATASEC: name_off, info (kind 15), size 0
  for (let o = types; o + 12 <= types + typeLen; o += 4) {
    if (dv.getUint32(o, true) === oldOff && (dv.getUint32(o + 4, true) >>> 24 & 0x7f) === 15 && dv.getUint32(o + 8, true) === 0) {
      dv.setUint32(o, longest.off, true);
      return file;
    }
  }
  throw new Error(`renameDatasec: no DATASEC '${datasec}'`);
}

/** A copy of a little-endian ELF64 object whose section `name` says it starts at file offset `offset`. */
export function moveSection(obj: Uint8Array, name: string, offset: number): Uint8Array {
  const file = new Uint8Array(obj);
  const s = sectionHeaders(file).find((x) => x.name === name)!;
  new DataView(file.buffer).setBigUint64(s.headerAt + 0x18, BigInt(offset), true);
  return file;
}
