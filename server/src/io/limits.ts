/**
 * How much of one input BTF Lens brings into memory: a whole raw BTF file, a whole compressed file, its
 * decompressed output, or one range (an ELF section) of a large file. The largest real inputs (a vmlinux
 * BTF, ~6 MB; a .BTF section of an allyesconfig vmlinux, tens of MB; a compressed module, a few MB once
 * inflated) stay far below the default; a decompression bomb or a forged 3 GiB section does not.
 */
import { constants as bufferConstants } from 'node:buffer';

export interface InputLimits {
  /** Bytes of one input held in memory at once (file, decompressed output, or one read range). */
  maxInputBytes: number;
  /** Milliseconds one compressed input may take to inflate (a real vmlinux takes a few seconds at most). */
  maxInflateMs: number;
}

export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024 * 1024;
/** Where the limit can be changed (the CLI and the language server both read it). */
export const LIMIT_ENV = 'BTF_LENS_MAX_INPUT';
export const DEFAULT_MAX_INFLATE_MS = 20_000;
/** Where the time budget can be changed: seconds, or with a unit ("20s", "500ms"). */
export const TIME_LIMIT_ENV = 'BTF_LENS_MAX_INFLATE_TIME';
/** One typed array can hold no more (4 GiB in Node 20). */
const MAX_BUFFER = bufferConstants.MAX_LENGTH;
const MIN_INPUT_BYTES = 64 * 1024;

/**
 * The limits in force: BTF_LENS_MAX_INPUT (bytes, or with a K/M/G suffix) and BTF_LENS_MAX_INFLATE_TIME
 * over the defaults.
 */
export function inputLimits(env: NodeJS.ProcessEnv = process.env): InputLimits {
  const parsed = parseSize(env[LIMIT_ENV]);
  const max = parsed === undefined ? DEFAULT_MAX_INPUT_BYTES : Math.min(Math.max(parsed, MIN_INPUT_BYTES), MAX_BUFFER);
  return { maxInputBytes: max, maxInflateMs: parseDuration(env[TIME_LIMIT_ENV]) ?? DEFAULT_MAX_INFLATE_MS };
}

/** "20", "20s", "1.5s", "500ms" → milliseconds; undefined for anything else (or nothing). */
export function parseDuration(text: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text ?? '');
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2]?.toLowerCase() === 'ms' ? 1 : 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

/** "1073741824", "512M", "2G", "64k" → bytes; undefined for anything else. */
export function parseSize(text: string | undefined): number | undefined {
  const m = /^\s*(\d+)\s*([kmg]?)i?b?\s*$/i.exec(text ?? '');
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A byte count for people: exact bytes, with the binary unit when it reads better ("3221225472 bytes (3 GiB)"). */
export function bytesText(n: number | bigint): string {
  const v = Number(n);
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let unit = '';
  let x = v;
  for (const u of units) {
    if (x < 1024) break;
    x /= 1024;
    unit = u;
  }
  const approx = unit ? ` (${Number.isInteger(x) ? x : x.toFixed(1)} ${unit})` : '';
  return `${n} bytes${approx}`;
}

/** The sentence ending every "over the limit" problem: what the limit is and how to change it. */
export function limitText(limits: InputLimits): string {
  return `the limit of ${bytesText(limits.maxInputBytes)} per input (${LIMIT_ENV})`;
}

/** The same for the time budget: "the limit of 20 s per input (BTF_LENS_MAX_INFLATE_TIME)". */
export function timeLimitText(limits: InputLimits): string {
  const ms = limits.maxInflateMs;
  const shown = ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
  return `the limit of ${shown} per input (${TIME_LIMIT_ENV})`;
}
