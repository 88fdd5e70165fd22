/**
 * Where the counts, sizes and offsets of an intact seed file are: the fields a forger rewrites. Read
 * here by a few lines of independent code (not the core under test), once per seed.
 */

export interface Field {
  /** Byte offset in the file. */
  off: number;
  size: 1 | 2 | 4 | 8;
  le: boolean;
  what: string;
  /** Values worth trying besides the generic ones (the blob's size, a type ID near this one…). */
  hints?: number[];
}

export interface Region {
  off: number;
  size: number;
}

export interface BtfRegion extends Region {
  le: boolean;
  hdrLen: number;
  /** File offsets of each btf_type (own types, in ID order). */
  typeOffs: number[];
  /** Bytes after btf_type per type (so members, params, enumerators can be forged too). */
  extraLen: number[];
  strOff: number;
  strLen: number;
}

export interface SeedMap {
  kind: 'elf' | 'btf' | 'other';
  fields: Field[];
  btf?: BtfRegion;
  /** ELF only: every section header (file offset of the header, and the data range). */
  sections: { hdr: number; name: string; type: number; flags: number; data: Region }[];
  shentsize: number;
  code: Region[];
  ext?: Region;
}

/** Bytes after btf_type by kind (vlen-scaled), as the wire format has them. */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1: return 4; // INT
    case 3: return 12; // ARRAY
    case 4: case 5: return 12 * vlen; // STRUCT, UNION
    case 6: return 8 * vlen; // ENUM
    case 13: return 8 * vlen; // FUNC_PROTO
    case 14: return 4; // VAR
    case 15: return 12 * vlen; // DATASEC
    case 17: return 4; // DECL_TAG
    case 19: return 12 * vlen; // ENUM64
    default: return 0;
  }
}

export function mapBtf(b: Uint8Array, off: number, size: number, fields: Field[]): BtfRegion | undefined {
  if (size < 24) return undefined;
  const le = b[off] === 0x9f && b[off + 1] === 0xeb;
  if (!le && !(b[off] === 0xeb && b[off + 1] === 0x9f)) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number) => dv.getUint32(o, le);
  const hdrLen = u32(off + 4);
  const typeOff = u32(off + 8);
  const typeLen = u32(off + 12);
  const strOff = u32(off + 16);
  const strLen = u32(off + 20);
  const hints = [size, size - 24, size + 1, hdrLen + typeLen, typeLen + 4, typeLen - 4, strLen + 1];
  for (const [i, what] of ['hdr_len', 'type_off', 'type_len', 'str_off', 'str_len'].entries()) fields.push({ off: off + 4 + 4 * i, size: 4, le, what: `BTF ${what}`, hints });
  fields.push({ off: off + 2, size: 1, le, what: 'BTF version' }, { off: off + 3, size: 1, le, what: 'BTF flags' });
  if (hdrLen >= 32 && size >= 32) fields.push({ off: off + 24, size: 4, le, what: 'BTF layout_off' }, { off: off + 28, size: 4, le, what: 'BTF layout_len' });
  const typeOffs: number[] = [];
  const extraLen: number[] = [];
  let p = off + hdrLen + typeOff;
  const end = Math.min(off + size, p + typeLen);
  while (p + 12 <= end) {
    const info = u32(p + 4);
    const extra = extraBytes((info >>> 24) & 0x1f, info & 0xffff);
    typeOffs.push(p);
    extraLen.push(extra);
    p += 12 + extra;
  }
  return { off, size, le, hdrLen, typeOffs, extraLen, strOff: off + hdrLen + strOff, strLen };
}

/** .BTF.ext: header, then for each info kind its rec_size and per-section {sec_name_off, num_info}. */
function mapExt(b: Uint8Array, off: number, size: number, le: boolean, fields: Field[]): void {
  if (size < 24) return;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number) => (o + 4 <= off + size ? dv.getUint32(o, le) : 0);
  const hdrLen = u32(off + 4);
  const names = ['func_info', 'line_info', 'core_relo'];
  for (let k = 0; k < 3 && 8 + 8 * k + 8 <= Math.min(hdrLen, size); k++) {
    const at = off + 8 + 8 * k;
    const secOff = u32(at);
    const secLen = u32(at + 4);
    fields.push({ off: at, size: 4, le, what: `ext ${names[k]}_off`, hints: [size, secLen] }, { off: at + 4, size: 4, le, what: `ext ${names[k]}_len`, hints: [size, secLen + 4] });
    let p = off + hdrLen + secOff;
    const end = Math.min(off + size, p + secLen);
    if (p + 4 > end) continue;
    const recSize = u32(p);
    fields.push({ off: p, size: 4, le, what: `ext ${names[k]} rec_size`, hints: [recSize - 4, recSize + 4, recSize * 2] });
    p += 4;
    while (p + 8 <= end) {
      const n = u32(p + 4);
      fields.push({ off: p, size: 4, le, what: `ext ${names[k]} sec_name_off` }, { off: p + 4, size: 4, le, what: `ext ${names[k]} num_info`, hints: [n + 1, n * 2, 0x10000] });
      for (let r = 0; r < Math.min(n, 4); r++) {
        const rec = p + 8 + r * recSize;
        for (let w = 0; w < Math.min(recSize, 16); w += 4) fields.push({ off: rec + w, size: 4, le, what: `ext ${names[k]} record word ${w / 4}` });
      }
      if (!recSize) break;
      p += 8 + n * recSize;
    }
  }
  fields.push({ off: off + 4, size: 4, le, what: 'ext hdr_len', hints: [size, 4, 0x20] });
}

export function mapSeed(b: Uint8Array): SeedMap {
  const fields: Field[] = [];
  const m: SeedMap = { kind: 'other', fields, sections: [], shentsize: 0, code: [] };
  if (b.length >= 24 && ((b[0] === 0x9f && b[1] === 0xeb) || (b[0] === 0xeb && b[1] === 0x9f))) {
    m.kind = 'btf';
    m.btf = mapBtf(b, 0, b.length, fields);
    return m;
  }
  if (b.length < 52 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return m;
  m.kind = 'elf';
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const word = (o: number) => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const W = is64 ? 8 : 4;
  fields.push({ off: 4, size: 1, le, what: 'EI_CLASS' }, { off: 5, size: 1, le, what: 'EI_DATA' }, { off: 16, size: 2, le, what: 'e_type' }, { off: 18, size: 2, le, what: 'e_machine' });
  const shoffAt = is64 ? 40 : 32;
  const shentAt = is64 ? 58 : 46;
  const shoff = word(shoffAt);
  const shentsize = u16(shentAt);
  const shnum = u16(shentAt + 2);
  const shstrndx = u16(shentAt + 4);
  m.shentsize = shentsize;
  fields.push(
    { off: shoffAt, size: W as 4 | 8, le, what: 'e_shoff', hints: [b.length, b.length - shentsize, shoff + 1] },
    { off: shentAt, size: 2, le, what: 'e_shentsize', hints: [0, 1, shentsize + 8] },
    { off: shentAt + 2, size: 2, le, what: 'e_shnum', hints: [shnum + 1, shnum * 2, 0xff00] },
    { off: shentAt + 4, size: 2, le, what: 'e_shstrndx', hints: [shnum, shnum - 1, 0xffff] },
  );
  if (!shentsize || shoff + shnum * shentsize > b.length) return m;
  const hdrs: { hdr: number; nameOff: number; type: number; flags: number; off: number; size: number; link: number; entsize: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const r = is64
      ? { hdr: h, nameOff: u32(h), type: u32(h + 4), flags: word(h + 8), off: word(h + 24), size: word(h + 32), link: u32(h + 40), entsize: word(h + 56) }
      : { hdr: h, nameOff: u32(h), type: u32(h + 4), flags: u32(h + 8), off: u32(h + 16), size: u32(h + 20), link: u32(h + 24), entsize: u32(h + 36) };
    hdrs.push(r);
  }
  const strtab = hdrs[shstrndx];
  const nameOf = (o: number) => {
    if (!strtab) return '';
    let s = '';
    for (let p = strtab.off + o; p < b.length && b[p]; p++) s += String.fromCharCode(b[p]!);
    return s;
  };
  for (const h of hdrs) {
    const name = nameOf(h.nameOff);
    m.sections.push({ hdr: h.hdr, name, type: h.type, flags: h.flags, data: { off: h.off, size: h.size } });
    const at = (o64: number, o32: number) => h.hdr + (is64 ? o64 : o32);
    const sz = W as 4 | 8;
    const hints = [b.length, b.length - h.off, h.size + 1, h.off + h.size];
    fields.push(
      { off: at(0, 0), size: 4, le, what: `${name} sh_name` },
      { off: at(4, 4), size: 4, le, what: `${name} sh_type`, hints: [1, 2, 4, 8, 9, 11] },
      { off: at(8, 8), size: sz, le, what: `${name} sh_flags`, hints: [4, 6, 0x800] },
      { off: at(24, 16), size: sz, le, what: `${name} sh_offset`, hints },
      { off: at(32, 20), size: sz, le, what: `${name} sh_size`, hints },
      { off: at(40, 24), size: 4, le, what: `${name} sh_link`, hints: [shnum, shnum - 1] },
      { off: at(44, 28), size: 4, le, what: `${name} sh_info`, hints: [shnum, shnum - 1] },
      { off: at(56, 36), size: sz, le, what: `${name} sh_entsize`, hints: [0, 1, 3, h.entsize + 1] },
    );
    if (h.off + h.size > b.length || h.type === 8) continue;
    if (name === '.BTF') m.btf = mapBtf(b, h.off, h.size, fields);
    else if (name === '.BTF.ext') {
      m.ext = { off: h.off, size: h.size };
      mapExt(b, h.off, h.size, le, fields);
    } else if (name === '.BTF.base') mapBtf(b, h.off, h.size, fields);
    if (h.flags & 4) m.code.push({ off: h.off, size: h.size });
    if (h.type === 2 && h.entsize) {
      // the first symbols: name, value, size, section index
      for (let p = h.off + h.entsize, n = 0; p + h.entsize <= h.off + h.size && n < 48; p += h.entsize, n++) {
        if (is64) fields.push({ off: p, size: 4, le, what: 'st_name' }, { off: p + 6, size: 2, le, what: 'st_shndx', hints: [shnum, 0xfff1, 0xfff2] }, { off: p + 8, size: 8, le, what: 'st_value' }, { off: p + 16, size: 8, le, what: 'st_size' }, { off: p + 4, size: 1, le, what: 'st_info' });
        else fields.push({ off: p, size: 4, le, what: 'st_name' }, { off: p + 4, size: 4, le, what: 'st_value' }, { off: p + 8, size: 4, le, what: 'st_size' }, { off: p + 14, size: 2, le, what: 'st_shndx' });
      }
    }
    if ((h.type === 9 || h.type === 4) && h.entsize) {
      for (let p = h.off, n = 0; p + h.entsize <= h.off + h.size && n < 32; p += h.entsize, n++) {
        fields.push({ off: p, size: sz, le, what: 'r_offset' });
        if (is64) fields.push({ off: p + (le ? 12 : 8), size: 4, le, what: 'r_info symbol' }, { off: p + (le ? 8 : 12), size: 4, le, what: 'r_info type' });
        else fields.push({ off: p + 4, size: 4, le, what: 'r_info' });
      }
    }
  }
  return m;
}
