/**
 * Where a decompressor's output goes: counted against the limit as it arrives, its first bytes checked
 * for ELF or BTF (a bomb of zeros is refused after its first block, not after a gigabyte), copied into
 * slabs of 64 MiB and joined into one buffer only at the end. The slabs are what makes memory return to
 * where it was after a refusal: buffers this large are mmap'ed and given back to the system when freed,
 * where the decompressors' small chunks, kept, would stay in malloc's heap (1 GB resident after a bomb).
 */
import { elfExtent } from './elf-extent';
import { InputError } from './input-error';
import { type InputLimits, limitText, timeLimitText } from './limits';

export type Compression = 'gzip' | 'xz' | 'zstd';

const HEAD = 4;
const JOIN_YIELD_EVERY = 4 << 20;
/** Above glibc's largest mmap threshold (32 MiB): always a mapping of its own. */
const SLAB = 64 << 20;

export class OutputSink {
  /** Full slabs, then the one being filled (`fill` bytes of it used). */
  private chunks: Uint8Array[] = [];
  private fill = 0;
  private head = new Uint8Array(HEAD);
  private headLen = 0;
  total = 0;
  /** How much output the ELF extent needs next (undefined: none can be told); then the end it told. */
  private extentAt: number | undefined = 64;
  private end: number | undefined;
  /** The output when it came whole (pushWhole), instead of slabs. */
  private whole: Uint8Array | undefined;
  /** When the time budget runs out (checked per piece of output; the worker's owner enforces it too). */
  private readonly deadline: number;

  constructor(
    private readonly kind: Compression,
    private readonly limits: InputLimits,
  ) {
    this.deadline = performance.now() + limits.maxInflateMs;
  }

  /**
   * Takes one piece of output; throws InputError once the output is over the limit or not ELF/BTF. Output
   * past the end of an ELF file (elf-extent.ts) is dropped, and `full` tells the decompressor to stop.
   */
  push(chunk: Uint8Array): void {
    while (chunk.length && !this.full) {
      let take = chunk.length;
      if (this.end !== undefined) take = Math.min(take, this.end - this.total);
      else if (this.extentAt !== undefined) take = Math.min(take, this.extentAt - this.total);
      this.append(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      if (this.end === undefined && this.extentAt !== undefined && this.total >= this.extentAt) this.learnExtent();
    }
  }

  /** The output reached the end of the ELF file it holds: the rest need not be inflated. */
  get full(): boolean {
    return this.end !== undefined && this.total >= this.end;
  }

  /**
   * The whole output at once (a zstd file's one frame, decoded in one call), kept as it is instead of
   * copied into slabs (a copy would double what a large frame costs); cut at the end of the ELF it holds,
   * and then copied out, so that a bomb's buffer is not what is kept.
   */
  pushWhole(out: Uint8Array): void {
    if (this.total) return this.push(out);
    const r = elfExtent((o) => out[o]!, out.length);
    const end = r && 'end' in r ? Math.min(r.end, out.length) : out.length;
    this.admit(out.subarray(0, end));
    this.whole = end < out.length ? out.slice(0, end) : out;
    this.end = end;
  }

  /** Counts a piece of output in: its first bytes checked, the limit and the time budget kept. */
  private admit(chunk: Uint8Array): void {
    if (this.headLen < HEAD) {
      const take = Math.min(HEAD - this.headLen, chunk.length);
      this.head.set(chunk.subarray(0, take), this.headLen);
      this.headLen += take;
      this.checkHead(false);
    }
    this.total += chunk.length;
    if (this.total > this.limits.maxInputBytes) {
      this.drop();
      throw new InputError(0, `${this.kind} data inflates to more than ${limitText(this.limits)}: not read`);
    }
    if (performance.now() > this.deadline) {
      this.drop();
      throw tooSlow(this.kind, this.limits);
    }
  }

  private append(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.admit(chunk);
    let at = 0;
    while (at < chunk.length) {
      let slab = this.chunks[this.chunks.length - 1];
      if (!slab || this.fill === slab.length) {
        // Pages are touched only as they are written: a slab costs what it holds.
        this.chunks.push((slab = new Uint8Array(Math.min(SLAB, this.limits.maxInputBytes))));
        this.fill = 0;
      }
      const n = Math.min(chunk.length - at, slab.length - this.fill);
      slab.set(chunk.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
    }
  }

  private learnExtent(): void {
    const slab = this.chunks[0]!.length;
    const r = elfExtent((o) => this.chunks[Math.floor(o / slab)]![o % slab]!, this.total);
    this.extentAt = r && 'readTo' in r && r.readTo <= this.limits.maxInputBytes ? r.readTo : undefined;
    if (r && 'end' in r) this.end = r.end;
  }

  /** Checks what the output will start with (a first block decoded on its own), keeping nothing. */
  checkStart(start: Uint8Array): void {
    if (this.headLen) return;
    const n = Math.min(HEAD, start.length);
    this.head.set(start.subarray(0, n));
    this.headLen = n;
    try {
      this.checkHead(false);
    } finally {
      this.headLen = 0;
    }
  }

  /**
   * The whole output, joined with a turn of the event loop every few megabytes: first touching the pages
   * of a large buffer costs real time (a third of a second for 64 MB on a busy machine).
   */
  async finish(): Promise<Uint8Array> {
    this.checkHead(true);
    if (this.whole) return this.whole;
    const slabs = this.chunks;
    this.chunks = [];
    // One slab: copied out at its size (a kept 64 MiB mapping per module would weigh on V8's accounting).
    if (slabs.length <= 1) return slabs[0] ? slabs[0].slice(0, this.total) : new Uint8Array(0);
    const out = new Uint8Array(this.total);
    let at = 0;
    for (let i = 0; i < slabs.length; i++) {
      const slab = slabs[i]!.subarray(0, Math.min(SLAB, this.total - at));
      for (let o = 0; o < slab.length; o += JOIN_YIELD_EVERY) {
        out.set(slab.subarray(o, o + JOIN_YIELD_EVERY), at + o);
        await new Promise((r) => setImmediate(r));
      }
      at += slab.length;
      slabs[i] = new Uint8Array(0); // let it go as soon as it is copied
    }
    return out;
  }

  drop(): void {
    this.whole = undefined;
    this.chunks = [];
    this.fill = 0;
  }

  private checkHead(end: boolean): void {
    const h = this.head;
    const n = this.headLen;
    // BTF's magic 0xeb9f in either byte order (2 bytes), or ELF's \x7fELF (4 bytes); before the end a
    // prefix of either is still fine.
    const btf = n >= 2 ? (h[0] === 0x9f && h[1] === 0xeb) || (h[0] === 0xeb && h[1] === 0x9f) : n === 1 && (h[0] === 0x9f || h[0] === 0xeb);
    const elf = ELF_MAGIC.slice(0, n).every((b, i) => h[i] === b);
    if (end ? (btf && n >= 2) || (elf && n === HEAD) : btf || elf) return;
    this.drop();
    if (n === 0) throw new InputError(0, `${this.kind} data inflates to nothing`);
    const shown = [...h.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new InputError(0, `${this.kind} data inflates to neither ELF nor BTF (it starts with ${shown}): not read further`);
  }
}

/** The problem of an input whose inflating ran out of time. */
export function tooSlow(kind: Compression, limits: InputLimits): InputError {
  return new InputError(0, `${kind} data takes longer to inflate than ${timeLimitText(limits)}: not read`);
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
