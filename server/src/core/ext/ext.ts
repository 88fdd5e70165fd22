import type { Btf } from '../btf/btf';
import { ByteView } from '../util/bytes';
import { type Problem, ProblemSink } from '../util/problems';

/** .BTF.ext (struct btf_ext_header, libbpf btf.c): func_info, line_info and, from header v2, core_relo. */
export interface BtfExtHeader {
  littleEndian: boolean;
  version: number;
  flags: number;
  hdrLen: number;
  funcInfoOff: number;
  funcInfoLen: number;
  lineInfoOff: number;
  lineInfoLen: number;
  /** Present only when hdrLen >= 32. */
  coreReloOff?: number;
  coreReloLen?: number;
}

export interface FuncInfoRec {
  /** As stored: a byte offset in .o files. */
  insnOff: number;
  typeId: number;
}
export interface LineInfoRec {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  line: number;
  col: number;
}
export interface CoreReloRec {
  insnOff: number;
  typeId: number;
  accessStrOff: number;
  kind: number;
}

export interface ExtSection<R> {
  /** ELF section the records describe. */
  name: string;
  nameOff: number;
  records: R[];
}

export interface BtfExt {
  header: BtfExtHeader | undefined;
  /** Record sizes as stored (0 when a part is absent); records larger than we know have their tail skipped. */
  recSizes: { funcInfo: number; lineInfo: number; coreRelo: number };
  funcInfo: ExtSection<FuncInfoRec>[];
  lineInfo: ExtSection<LineInfoRec>[];
  coreRelo: ExtSection<CoreReloRec>[];
  problems: Problem[];
}

interface Part<R> {
  desc: string;
  minRec: number;
  read(v: ByteView, p: number): R;
}

const FUNC: Part<FuncInfoRec> = { desc: 'func_info', minRec: 8, read: (v, p) => ({ insnOff: v.u32(p), typeId: v.u32(p + 4) }) };
const LINE: Part<LineInfoRec> = {
  desc: 'line_info', minRec: 16,
  read: (v, p) => {
    const lc = v.u32(p + 12);
    return { insnOff: v.u32(p), fileNameOff: v.u32(p + 4), lineOff: v.u32(p + 8), line: lc >>> 10, col: lc & 0x3ff };
  },
};
const CORE: Part<CoreReloRec> = {
  desc: 'core_relo', minRec: 16,
  read: (v, p) => ({ insnOff: v.u32(p), typeId: v.u32(p + 4), accessStrOff: v.u32(p + 8), kind: v.u32(p + 12) }),
};

/**
 * Parses .BTF.ext in either byte order (libbpf 1.1 reads only the native one), checking what libbpf
 * checks. Strings (section names) resolve in `btf`. A broken part is reported and skipped; the other
 * parts are still read.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf | undefined, opts: { file?: string; fileOffset?: number } = {}): BtfExt {
  const sink = new ProblemSink(opts.fileOffset ?? 0);
  const ext: BtfExt = { header: undefined, recSizes: { funcInfo: 0, lineInfo: 0, coreRelo: 0 }, funcInfo: [], lineInfo: [], coreRelo: [], problems: sink.problems };
  const done = () => {
    if (opts.file) for (const p of sink.problems) p.file ??= opts.file;
    return ext;
  };
  if (bytes.length < 8) {
    sink.error(0, `.BTF.ext header truncated: ${bytes.length} bytes`);
    return done();
  }
  const le = bytes[0] === 0x9f && bytes[1] === 0xeb;
  if (!le && !(bytes[0] === 0xeb && bytes[1] === 0x9f)) {
    sink.error(0, 'not .BTF.ext: bad magic');
    return done();
  }
  const v = new ByteView(bytes, le);
  const hdrLen = v.u32(4);
  if (hdrLen > bytes.length || hdrLen < 24) {
    sink.error(4, `.BTF.ext header length ${hdrLen} is invalid (section is ${bytes.length} bytes; need at least 24)`);
    return done();
  }
  const h: BtfExtHeader = {
    littleEndian: le, version: v.u8(2), flags: v.u8(3), hdrLen,
    funcInfoOff: v.u32(8), funcInfoLen: v.u32(12), lineInfoOff: v.u32(16), lineInfoLen: v.u32(20),
  };
  if (hdrLen >= 32) {
    h.coreReloOff = v.u32(24);
    h.coreReloLen = v.u32(28);
  }
  ext.header = h;
  if (h.version !== 1) sink.error(2, `unsupported .BTF.ext version ${h.version}`);
  if (h.flags !== 0) sink.error(3, `unsupported .BTF.ext flags 0x${h.flags.toString(16)}`);
  if (bytes.length === hdrLen) sink.warn(4, '.BTF.ext has no data after its header');

  const str = (off: number) => btf?.str(off);
  const readPart = <R>(part: Part<R>, off: number, len: number, into: ExtSection<R>[]): number => {
    if (len === 0) return 0;
    const at = hdrLen + off;
    if (off % 4) {
      sink.error(at, `.BTF.ext ${part.desc} is not aligned to 4 bytes`);
      return 0;
    }
    if (at + len > bytes.length) {
      sink.error(at, `.BTF.ext ${part.desc} (offset ${off}, ${len} bytes) runs past the end of the section`);
      return 0;
    }
    if (len < 4) {
      sink.error(at, `.BTF.ext ${part.desc} has no record size`);
      return 0;
    }
    const recSize = v.u32(at);
    if (recSize < part.minRec || recSize % 4) {
      sink.error(at, `.BTF.ext ${part.desc} has invalid record size ${recSize}`);
      return recSize;
    }
    if (len === 4) sink.error(at, `.BTF.ext ${part.desc} has no records`);
    let p = at + 4;
    const end = at + len;
    while (p < end) {
      if (end - p < 8) {
        sink.error(p, `.BTF.ext ${part.desc} section header is truncated`);
        break;
      }
      const nameOff = v.u32(p);
      const num = v.u32(p + 4);
      if (num === 0) {
        sink.error(p + 4, `.BTF.ext ${part.desc} section has no records (num_info = 0)`);
        break;
      }
      // Compare before allocating: a forged num_info must not size an array.
      if (num * recSize > end - p - 8) {
        sink.error(p + 4, `.BTF.ext ${part.desc} section claims ${num} records of ${recSize} bytes but only ${end - p - 8} bytes remain`);
        break;
      }
      const name = str(nameOff);
      if (name === undefined) sink.error(p, `.BTF.ext ${part.desc} section name offset ${nameOff} is not a valid BTF string`);
      const records: R[] = new Array(num);
      let r = p + 8;
      for (let i = 0; i < num; i++, r += recSize) records[i] = part.read(v, r);
      into.push({ name: name ?? '', nameOff, records });
      p = r;
    }
    return recSize;
  };
  ext.recSizes.funcInfo = readPart(FUNC, h.funcInfoOff, h.funcInfoLen, ext.funcInfo);
  ext.recSizes.lineInfo = readPart(LINE, h.lineInfoOff, h.lineInfoLen, ext.lineInfo);
  if (h.coreReloOff !== undefined) ext.recSizes.coreRelo = readPart(CORE, h.coreReloOff, h.coreReloLen!, ext.coreRelo);
  return done();
}
