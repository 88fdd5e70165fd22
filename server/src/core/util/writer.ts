/**
 * Builds text output as bytes. Dumps of vmlinux are ~12 MB: writing bytes straight into one
 * buffer (names copied from the BTF string table without decoding) is several times faster
 * than concatenating JS strings, and it reproduces non-UTF-8 names byte for byte as C tools do.
 */
export class ByteWriter {
  /** Public for the raw dump's hot loop only (see reserve); everyone else writes through the methods. */
  buf: Uint8Array;
  pos = 0;
  private readonly chunks: Uint8Array[] = [];

  /**
   * @param sink receives full chunks; it must consume them before returning (the buffer is reused).
   *   Without a sink, chunks are kept and `bytes()` returns them joined.
   */
  /** Buffer size to grow to; the first buffer is small (see spill). */
  private readonly capacity: number;

  constructor(private readonly sink?: (chunk: Uint8Array) => void, capacity = 1 << 20) {
    this.capacity = capacity;
    this.buf = new Uint8Array(Math.min(capacity, FIRST_CAPACITY));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.spill();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }

  /**
   * Hands the full buffer on and starts the next one, growing from FIRST_CAPACITY to `capacity`: the
   * first spills then happen while the writers still run in the interpreter, which records them, so the
   * optimised writers (room() inlined everywhere) do not deoptimise at the first full buffer (measured:
   * half a dozen deopts and re-optimisations in a cold vmlinux dump otherwise).
   */
  private spill(): void {
    if (this.pos === 0) return;
    const grow = this.buf.length < this.capacity;
    if (this.sink) this.sink(this.buf.subarray(0, this.pos));
    else this.chunks.push(this.buf.subarray(0, this.pos));
    if (grow || !this.sink) this.buf = new Uint8Array(grow ? Math.min(this.capacity, this.buf.length * 4) : this.buf.length);
    this.pos = 0;
  }

  /**
   * Makes room for `n` bytes at `pos` in `buf`, for callers that then store bytes themselves with putAscii
   * and putDec and set `pos` (one capacity check per line of a dump instead of one per field).
   */
  reserve(n: number): void {
    this.room(n);
  }

  /** Text of char codes < 256 (every literal this project writes), one byte per char. */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, UTF-8 encoded. */
  text(s: string): void {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        this.bytesOf(encoder.encode(s));
        return;
      }
    }
    this.ascii(s);
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A decimal integer (any safe integer, negative included). Runs for nearly every field of a dump. */
  dec(n: number): void {
    this.room(22);
    const b = this.buf;
    if (n < 0) {
      b[this.pos++] = 45; // '-'
      n = -n;
    }
    if (n > 0xffffffff) {
      this.ascii(String(n));
      return;
    }
    const len = n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
    let p = this.pos + len;
    this.pos = p;
    // Two digits per division, from a table (the classic itoa trick): integer math only below 2^32.
    while (n >= 100) {
      const q = (n / 100) >>> 0;
      const r = (n - q * 100) << 1;
      b[--p] = DIGIT_PAIRS[r + 1]!;
      b[--p] = DIGIT_PAIRS[r]!;
      n = q;
    }
    if (n >= 10) {
      const r = n << 1;
      b[--p] = DIGIT_PAIRS[r + 1]!;
      b[--p] = DIGIT_PAIRS[r]!;
    } else {
      b[--p] = 48 + n;
    }
  }

  /**
   * Copy a NUL-terminated string starting at `start` (stopping at `end` if unterminated): one
   * pass, no subarray, since this runs once per name in a dump.
   */
  cstr(src: Uint8Array, start: number, end: number): void {
    let b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c === 0) break;
      if (p === b.length) {
        this.pos = p;
        this.room(1 + Math.min(end - i, 4096));
        b = this.buf;
        p = this.pos;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Copy bytes[start, end). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.room(n);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += n;
  }

  bytesOf(src: Uint8Array): void {
    this.copy(src, 0, src.length);
  }

  /** Hands the rest to the sink. */
  flush(): void {
    this.spill();
  }

  /** Everything written (only without a sink). */
  bytes(): Uint8Array {
    this.spill();
    if (this.chunks.length === 1) return this.chunks[0]!;
    let len = 0;
    for (const c of this.chunks) len += c.length;
    const out = new Uint8Array(len);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }

  toString(): string {
    return decoder.decode(this.bytes());
  }
}

const FIRST_CAPACITY = 1 << 12;

const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stores `s` (char codes < 256) at b[p..]; returns the position after it. The caller reserved the room. */
export function putAscii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Stores the decimal digits of `n` (0 <= n <= 0xffffffff) at b[p..]; returns the position after them. */
export function putDec(b: Uint8Array, p: number, n: number): number {
  const len = n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  const end = p + len;
  let q = end;
  while (n >= 100) {
    const d = (n / 100) >>> 0;
    const r = (n - d * 100) << 1;
    b[--q] = DIGIT_PAIRS[r + 1]!;
    b[--q] = DIGIT_PAIRS[r]!;
    n = d;
  }
  if (n >= 10) {
    const r = n << 1;
    b[--q] = DIGIT_PAIRS[r + 1]!;
    b[--q] = DIGIT_PAIRS[r]!;
  } else {
    b[--q] = 48 + n;
  }
  return end;
}
