/**
 * Endian-aware reads over one Uint8Array. One DataView per buffer, created once:
 * hot loops call these methods, never `new DataView`.
 */
export class ByteView {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  readonly le: boolean;
  readonly length: number;

  constructor(bytes: Uint8Array, littleEndian: boolean) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = littleEndian;
    this.length = bytes.byteLength;
  }

  u8(off: number): number {
    return this.bytes[off]!;
  }
  u16(off: number): number {
    return this.dv.getUint16(off, this.le);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, this.le);
  }
  i16(off: number): number {
    return this.dv.getInt16(off, this.le);
  }
  i32(off: number): number {
    return this.dv.getInt32(off, this.le);
  }
  u64(off: number): bigint {
    return this.dv.getBigUint64(off, this.le);
  }
  i64(off: number): bigint {
    return this.dv.getBigInt64(off, this.le);
  }
  /** u64 as a number; exact below 2^53, which holds for every ELF offset and size we can read. */
  u64n(off: number): number {
    const lo = this.dv.getUint32(off + (this.le ? 0 : 4), this.le);
    const hi = this.dv.getUint32(off + (this.le ? 4 : 0), this.le);
    return hi * 0x1_0000_0000 + lo;
  }
  /** True when [off, off+len) lies inside the buffer. */
  has(off: number, len: number): boolean {
    return off >= 0 && len >= 0 && off + len <= this.length;
  }
  sub(off: number, len: number): ByteView {
    return new ByteView(this.bytes.subarray(off, off + len), this.le);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The NUL-terminated string at `off` (to the end of the buffer when unterminated), or undefined when `off` is out of range. */
export function cstring(bytes: Uint8Array, off: number, end = bytes.length): string | undefined {
  if (off < 0 || off >= end) return undefined;
  let i = off;
  // ASCII fast path: nearly every BTF and ELF name is ASCII.
  let ascii = true;
  while (i < end) {
    const c = bytes[i]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
    i++;
  }
  if (ascii && i - off < 64) {
    let s = '';
    for (let j = off; j < i; j++) s += String.fromCharCode(bytes[j]!);
    return s;
  }
  return utf8.decode(bytes.subarray(off, i));
}
