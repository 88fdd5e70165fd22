import { ByteView, cstring } from '../util/bytes';
import { type Problem, ProblemSink } from '../util/problems';
import type { ByteWriter } from '../util/writer';
import { KIND_LAYOUT, Kind, MAX_KNOWN_KIND, kindName } from './kinds';

export const BTF_MAGIC = 0xeb9f;
const TYPE_HEADER = 12; // struct btf_type

export interface BtfHeader {
  littleEndian: boolean;
  version: number;
  flags: number;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
  /** The 2026 optional layout section (hdr_len >= 32); 0/0 when absent. */
  layoutOff: number;
  layoutLen: number;
}

export interface BtfParseOptions {
  /** The BTF this one is split from: IDs and string offsets continue after it. */
  base?: Btf;
  /** Shown in problems. */
  file?: string;
  /** Where the blob starts in `file` (a .BTF section inside an ELF), so problems name file offsets. */
  fileOffset?: number;
}

/** Per-kind sizes read from a layout section; lets us step over kinds newer than this code. */
interface KindLayout {
  infoSize: number;
  elemSize: number;
}

/**
 * One BTF blob, indexed in one pass: the offset of every type is recorded, nothing else is
 * decoded until asked for. Type IDs below `startId` belong to `base` (split BTF).
 */
export class Btf {
  readonly view: ByteView;
  readonly header: BtfHeader | undefined;
  readonly problems: Problem[];
  readonly base: Btf | undefined;
  readonly file: string | undefined;
  /** Where this blob starts in `file` (0 for raw BTF): a view offset plus this is a file offset. */
  readonly fileOffset: number;
  /** First type ID stored in this blob (1, or the base's type count for split BTF). */
  readonly startId: number;
  /** String offsets below this resolve in the base. */
  readonly startStrOff: number;
  /** Number of types stored in this blob. */
  readonly ownCount: number;
  /** Kinds this code does not know that were stepped over using the layout section. */
  readonly unknownKinds: number;
  private readonly offsets: Uint32Array;
  private readonly strStart: number;
  private readonly strLen: number;

  private constructor(view: ByteView, init: {
    header: BtfHeader | undefined; problems: Problem[]; base: Btf | undefined; file: string | undefined; fileOffset: number;
    offsets: Uint32Array; count: number; strStart: number; strLen: number; unknownKinds: number;
  }) {
    this.view = view;
    this.header = init.header;
    this.problems = init.problems;
    this.base = init.base;
    this.file = init.file;
    this.fileOffset = init.fileOffset;
    this.startId = init.base ? init.base.typeCount : 1;
    this.startStrOff = init.base ? init.base.startStrOff + init.base.strLen : 0;
    this.offsets = init.offsets;
    this.ownCount = init.count;
    this.strStart = init.strStart;
    this.strLen = init.strLen;
    this.unknownKinds = init.unknownKinds;
  }

  /** Parses and indexes `bytes`. Never throws: what cannot be read is reported in `problems`. */
  static parse(bytes: Uint8Array, opts: BtfParseOptions = {}): Btf {
    const sink = new ProblemSink(opts.fileOffset ?? 0);
    const le = bytes.length >= 2 ? bytes[0] === 0x9f && bytes[1] === 0xeb : true;
    const view = new ByteView(bytes, le);
    const empty = (header?: BtfHeader) =>
      new Btf(view, { header, problems: finish(sink, opts.file), base: opts.base, file: opts.file, fileOffset: opts.fileOffset ?? 0,
        offsets: new Uint32Array(0), count: 0, strStart: 0, strLen: 0, unknownKinds: 0 });

    if (bytes.length < 24) {
      sink.error(0, `BTF header truncated: ${bytes.length} bytes, need at least 24`);
      return empty();
    }
    if (view.u16(0) !== BTF_MAGIC) {
      sink.error(0, `not BTF: bad magic 0x${bytes[0]!.toString(16).padStart(2, '0')}${bytes[1]!.toString(16).padStart(2, '0')} (expected 9feb or eb9f)`);
      return empty();
    }
    const hdrLen = view.u32(4);
    const header: BtfHeader = {
      littleEndian: le, version: view.u8(2), flags: view.u8(3), hdrLen,
      typeOff: view.u32(8), typeLen: view.u32(12), strOff: view.u32(16), strLen: view.u32(20),
      layoutOff: 0, layoutLen: 0,
    };
    if (header.version !== 1) sink.warn(2, `unexpected BTF version ${header.version} (expected 1)`);
    if (header.flags !== 0) sink.warn(3, `unexpected BTF header flags 0x${header.flags.toString(16)}`);
    if (hdrLen < 24 || hdrLen > bytes.length) {
      sink.error(4, `BTF header length ${hdrLen} is invalid for a ${bytes.length}-byte blob`);
      return empty(header);
    }
    if (hdrLen >= 32) {
      header.layoutOff = view.u32(24);
      header.layoutLen = view.u32(28);
      for (let o = 32; o + 4 <= hdrLen; o += 4) {
        if (view.u32(o) !== 0) { sink.warn(o, `unknown non-zero BTF header field at byte ${o}`); break; }
      }
    }
    const dataLen = bytes.length - hdrLen;
    if (header.typeOff % 4 !== 0) sink.error(8, `BTF type section offset ${header.typeOff} is not 4-byte aligned`);
    if (header.typeOff + header.typeLen > header.strOff) {
      sink.error(8, `BTF type section (${header.typeOff}+${header.typeLen}) overlaps the string section at ${header.strOff}`);
    }

    // Strings: clamp to what is there so lookups stay in bounds.
    let strLen = header.strLen;
    if (header.strOff + strLen > dataLen) {
      sink.error(16, `BTF string section (${header.strOff}+${header.strLen}) runs past the end of the data (${dataLen} bytes after the header)`);
      strLen = Math.max(0, Math.min(strLen, dataLen - header.strOff));
    }
    const strStart = hdrLen + Math.min(header.strOff, dataLen);
    if (!(opts.base && header.strLen === 0)) {
      if (strLen === 0) sink.error(20, 'BTF string section is empty');
      else if (bytes[strStart + strLen - 1] !== 0) sink.error(hdrLen + header.strOff + strLen - 1, 'BTF string section does not end with a NUL byte');
      else if (!opts.base && bytes[strStart] !== 0) sink.error(hdrLen + header.strOff, 'BTF string section does not start with an empty string');
    }

    const layouts = readLayouts(view, header, dataLen, sink);

    // Types: one pass, recording offsets.
    let typeStart = hdrLen + header.typeOff;
    let typeEnd = typeStart + header.typeLen;
    if (typeEnd > bytes.length) {
      sink.error(12, `BTF type section (${header.typeOff}+${header.typeLen}) runs past the end of the data (${dataLen} bytes after the header)`);
      typeEnd = bytes.length;
      if (typeStart > typeEnd) typeStart = typeEnd;
    }
    const startId = opts.base ? opts.base.typeCount : 1;
    const offsets = new Uint32Array(Math.floor((typeEnd - typeStart) / TYPE_HEADER));
    let count = 0;
    let unknownKinds = 0;
    let off = typeStart;
    // The DataView itself, not view.u32: a CLI run indexes vmlinux once, mostly before the JIT has
    // inlined anything, and a JS-level call per type is then most of the cost.
    const dv = view.dv;
    while (off + TYPE_HEADER <= typeEnd) {
      const info = dv.getUint32(off + 4, le);
      const kind = (info >>> 24) & 0x7f;
      const vlen = info & 0xffffff;
      let size: number;
      if (kind >= 1 && kind <= MAX_KNOWN_KIND) {
        const l = KIND_LAYOUT[kind]!;
        size = TYPE_HEADER + l[0] + vlen * l[1];
      } else if (layouts && kind < layouts.length && kind !== 0) {
        const l = layouts[kind]!;
        size = TYPE_HEADER + l.infoSize + vlen * l.elemSize;
        unknownKinds++;
        sink.warn(off, `type [${startId + count}] has kind ${kind}, unknown to this version; skipped using the layout section`);
      } else {
        sink.error(off, `type [${startId + count}] has unsupported kind ${kind}${kind === 0 ? ' (UNKN)' : ''}; the rest of the type section cannot be read`);
        break;
      }
      if (off + size > typeEnd) {
        sink.error(off, `type [${startId + count}] ${kindName(kind)} needs ${size} bytes but only ${typeEnd - off} remain in the type section`);
        break;
      }
      offsets[count++] = off;
      off += size;
    }
    if (off !== typeEnd && !sink.hasErrors) sink.error(off, `BTF type section has ${typeEnd - off} trailing bytes that do not form a type`);
    if (startId + count > 0x7fffffff) sink.error(0, 'too many BTF types');

    return new Btf(view, {
      header, problems: finish(sink, opts.file), base: opts.base, file: opts.file, fileOffset: opts.fileOffset ?? 0,
      // The array was sized for the worst case (all 12-byte types); keep only what is used.
      offsets: count < offsets.length >> 1 ? offsets.slice(0, count) : offsets, count, strStart, strLen, unknownKinds,
    });
  }

  /** Number of type IDs, void included: valid IDs are 0 .. typeCount-1 (libbpf's btf__type_cnt). */
  get typeCount(): number {
    return this.startId + this.ownCount;
  }

  /** Length of this blob's own string section (clamped to the bytes that are there). */
  get stringsLength(): number {
    return this.strLen;
  }

  /** Where this blob's own string section starts in `view.bytes`: raw name bytes for callers that
   * intern names without decoding them (string offset `startStrOff + k` is at `stringsStart + k`). */
  get stringsStart(): number {
    return this.strStart;
  }

  /** The blob's bytes (the string section lies at `stringsStart`). */
  get bytes(): Uint8Array {
    return this.view.bytes;
  }

  /** True if the blob was fully readable (warnings allowed). */
  get ok(): boolean {
    return !this.problems.some((p) => p.severity === 'error');
  }

  /** The BTF of the chain that stores `id`, or undefined when out of range (and for void, 0). */
  owner(id: number): Btf | undefined {
    let b: Btf | undefined = this;
    while (b && id < b.startId) b = b.base;
    if (!b || id <= 0 || id >= b.typeCount) return undefined;
    return b;
  }

  /** Byte offset of own type `id`'s btf_type in this view; `id` must be in [startId, typeCount). */
  typeOffset(id: number): number {
    return this.offsets[id - this.startId]!;
  }

  /** Resolve (btf, offset) for an id; undefined for void or out-of-range. */
  locate(id: number): { btf: Btf; off: number } | undefined {
    const b = this.owner(id);
    return b && { btf: b, off: b.typeOffset(id) };
  }

  info(id: number): number {
    const b = this.owner(id);
    return b ? b.view.u32(b.typeOffset(id) + 4) : 0;
  }
  kind(id: number): number {
    return (this.info(id) >>> 24) & 0x7f;
  }
  vlen(id: number): number {
    return this.info(id) & 0xffffff;
  }
  kflag(id: number): boolean {
    return (this.info(id) & 0x80000000) !== 0;
  }
  nameOff(id: number): number {
    const b = this.owner(id);
    return b ? b.view.u32(b.typeOffset(id)) : 0;
  }
  /** The type's name; '' for anonymous types and void. */
  name(id: number): string {
    return this.str(this.nameOff(id)) ?? '';
  }
  /** The third word: a size for INT/ENUM/STRUCT/UNION/DATASEC/FLOAT/ENUM64, a type ID for the others. */
  sizeOrType(id: number): number {
    const b = this.owner(id);
    return b ? b.view.u32(b.typeOffset(id) + 8) : 0;
  }

  /** The string at `off` with split semantics (offsets below startStrOff are the base's); undefined if invalid. */
  str(off: number): string | undefined {
    if (off < this.startStrOff) return this.base?.str(off);
    const rel = off - this.startStrOff;
    if (rel >= this.strLen) return undefined;
    return cstring(this.view.bytes, this.strStart + rel, this.strStart + this.strLen);
  }

  /**
   * Copies the raw bytes of the string at `off` (split semantics) into `w`, without decoding.
   * Returns false, writing nothing, when the offset is invalid.
   */
  writeStr(off: number, w: ByteWriter): boolean {
    if (off < this.startStrOff) return this.base ? this.base.writeStr(off, w) : false;
    const rel = off - this.startStrOff;
    if (rel >= this.strLen) return false;
    w.cstr(this.view.bytes, this.strStart + rel, this.strStart + this.strLen);
    return true;
  }

  /** Iterate own type IDs. */
  *ownIds(): IterableIterator<number> {
    for (let i = 0; i < this.ownCount; i++) yield this.startId + i;
  }

  /** Chain from the root base to this BTF. */
  chain(): Btf[] {
    const out: Btf[] = [];
    for (let b: Btf | undefined = this; b; b = b.base) out.unshift(b);
    return out;
  }
}

function readLayouts(view: ByteView, h: BtfHeader, dataLen: number, sink: ProblemSink): KindLayout[] | undefined {
  if (h.layoutLen === 0) return undefined;
  if (h.layoutOff + h.layoutLen > dataLen || h.layoutLen % 4 !== 0) {
    sink.error(24, `BTF layout section (${h.layoutOff}+${h.layoutLen}) is malformed or runs past the data; ignored`);
    return undefined;
  }
  const out: KindLayout[] = [];
  const start = h.hdrLen + h.layoutOff;
  for (let o = 0; o < h.layoutLen; o += 4) out.push({ infoSize: view.u8(start + o), elemSize: view.u8(start + o + 1) });
  // Known kinds must agree with what we know, or the layout section is lying.
  for (let k = 1; k < out.length && k <= MAX_KNOWN_KIND; k++) {
    const [fixed, elem] = KIND_LAYOUT[k]!;
    if (out[k]!.infoSize !== fixed || out[k]!.elemSize !== elem) {
      sink.warn(start + k * 4, `BTF layout section says kind ${kindName(k)} has ${out[k]!.infoSize}+${out[k]!.elemSize}*vlen bytes; expected ${fixed}+${elem}*vlen`);
    }
  }
  return out;
}

function finish(sink: ProblemSink, file: string | undefined): Problem[] {
  if (file) for (const p of sink.problems) p.file ??= file;
  return sink.problems;
}

export { Kind };
