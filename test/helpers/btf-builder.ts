/**
 * Builds small BTF blobs by hand for cases no compiler emits (future kinds, layout sections,
 * hostile counts, big-endian raw BTF). Tests of real inputs use real files instead.
 */
export interface RawType {
  name?: string;
  kind: number;
  kflag?: boolean;
  vlen?: number;
  /** size or type */
  third: number;
  /** u32 words after btf_type */
  extra?: number[];
}

export interface BuildOptions {
  bigEndian?: boolean;
  /** Emit a 32-byte header with this layout section (entries of [info_sz, elem_sz]). */
  layout?: [number, number][];
  /** Split BTF: string offsets start here and no leading NUL is required. */
  strBase?: number;
  noLeadingNul?: boolean;
}

export function buildBtf(types: RawType[], opts: BuildOptions = {}): { bytes: Uint8Array; strOff: (s: string) => number } {
  const strs: string[] = [];
  const strIndex = new Map<string, number>();
  let strLen = 0;
  const base = opts.strBase ?? 0;
  const addStr = (s: string): number => {
    if (strIndex.has(s)) return strIndex.get(s)!;
    const off = strLen;
    strs.push(s);
    strIndex.set(s, base + off);
    strLen += Buffer.byteLength(s) + 1;
    return base + off;
  };
  if (!opts.noLeadingNul) addStr('');
  const words: number[] = [];
  for (const t of types) {
    const nameOff = t.name ? addStr(t.name) : 0;
    const info = ((t.kflag ? 1 : 0) << 31) | ((t.kind & 0x7f) << 24) | ((t.vlen ?? 0) & 0xffffff);
    words.push(nameOff, info >>> 0, t.third);
    for (const x of t.extra ?? []) words.push(x);
  }
  const typeBytes = words.length * 4;
  const strBytes = Buffer.concat(strs.map((s) => Buffer.concat([Buffer.from(s), Buffer.alloc(1)])));
  const layoutBytes = (opts.layout?.length ?? 0) * 4;
  const hdrLen = opts.layout ? 32 : 24;
  const total = hdrLen + typeBytes + strBytes.length + layoutBytes;
  const buf = Buffer.alloc(total);
  const le = !opts.bigEndian;
  const w16 = (o: number, v: number) => (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const w32 = (o: number, v: number) => (le ? buf.writeUInt32LE(v >>> 0, o) : buf.writeUInt32BE(v >>> 0, o));
  w16(0, 0xeb9f);
  buf[2] = 1;
  buf[3] = 0;
  w32(4, hdrLen);
  w32(8, 0);
  w32(12, typeBytes);
  w32(16, typeBytes);
  w32(20, strBytes.length);
  if (opts.layout) {
    w32(24, typeBytes + strBytes.length);
    w32(28, layoutBytes);
  }
  words.forEach((wd, i) => w32(hdrLen + i * 4, wd));
  strBytes.copy(buf, hdrLen + typeBytes);
  opts.layout?.forEach(([info, elem], i) => {
    const o = hdrLen + typeBytes + strBytes.length + i * 4;
    buf[o] = info;
    buf[o + 1] = elem;
  });
  return { bytes: new Uint8Array(buf), strOff: (s) => strIndex.get(s) ?? -1 };
}
