/**
 * Decoders never throw on bad input (invariant 2): they return what they could read
 * plus a list of problems, each naming where in the input it was found.
 */
export type Severity = 'error' | 'warning';

/**
 * What a problem is, for code that decides on it (the sentence is for people and may change):
 * `split-needs-base`: split BTF read without its base; `split-wrong-base`: split BTF on a base it does
 * not fit; `too-many-problems`: the sink's cap was reached, the message says how many were dropped.
 */
export type ProblemCode = 'split-needs-base' | 'split-wrong-base' | 'too-many-problems';

export interface Problem {
  /** The file (or pseudo-file) the problem was found in; filled in by whoever knows the name. */
  file?: string;
  /** Absolute byte offset in that file. */
  offset: number;
  severity: Severity;
  message: string;
  /** Set on problems code decides on; the others are only shown. */
  code?: ProblemCode;
}

/** What a sink and its views share past the cap: how many were dropped, and the last problem saying so. */
interface Overflow {
  dropped: number;
  problem?: Problem;
}

/** Collects problems; a decoder gets one and adds to it. `base` shifts offsets of a sub-buffer to file offsets. */
export class ProblemSink {
  readonly problems: Problem[] = [];
  private overflow: Overflow = { dropped: 0 };
  constructor(private readonly base = 0, private readonly limit = 1000) {}

  error(offset: number, message: string): void {
    this.add(offset, 'error', message);
  }
  warn(offset: number, message: string): void {
    this.add(offset, 'warning', message);
  }
  /** A view of this sink whose offsets are relative to `delta` further into the input. */
  at(delta: number): ProblemSink {
    const child = new ProblemSink(this.base + delta, this.limit);
    (child as { problems: Problem[] }).problems = this.problems;
    child.overflow = this.overflow;
    return child;
  }
  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
  private add(offset: number, severity: Severity, message: string): void {
    if (this.problems.length - (this.overflow.problem ? 1 : 0) >= this.limit) {
      // A hostile file must not grow this without bound: one last problem counts the rest.
      const o = this.overflow;
      o.dropped++;
      if (!o.problem) {
        o.problem = { offset: this.base + offset, severity, message: '', code: 'too-many-problems' };
        this.problems.push(o.problem);
      }
      if (severity === 'error') o.problem.severity = 'error';
      o.problem.message = `${o.dropped} more problem${o.dropped === 1 ? '' : 's'} not shown (only the first ${this.limit} are kept)`;
      return;
    }
    this.problems.push({ offset: this.base + offset, severity, message });
  }
}

/**
 * Control characters as escapes, so that text from a file (a type, section or symbol name, a file name)
 * stays on one line and cannot drive the terminal or editor it is shown in: a forged second
 * `btf-lens: …` line, an OSC title or colour escape. The one rule for every problem line and diagnostic
 * (the CLI's stderr, the server's diagnostics); stdout keeps names raw where bpftool prints them raw.
 * Escaped: C0 and C1 controls and DEL (\n \r \t by name, others as \xNN), the Unicode line and
 * paragraph separators and the bidirectional overrides and isolates (Trojan Source) as \u{NNNN}.
 */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);
}

/** `file: offset 28 (0x1c): message` on one line (oneLine): how the CLI and the server show a problem. */
export function formatProblem(p: Problem, file?: string): string {
  const name = p.file ?? file ?? '<input>';
  return oneLine(`${name}: offset ${p.offset} (0x${p.offset.toString(16)}): ${p.message}`);
}

/**
 * What a user reads when BTF Lens itself fails (an exception where the core promises none): one line
 * naming the file, never the stack, which goes to the server's log or, with BTF_LENS_DEBUG=1, the CLI's stderr.
 */
export function internalErrorMessage(file: string): string {
  return `internal error in BTF Lens while reading ${file}`;
}

/** An exception carrying an errno code (EIO, EACCES…): the system's word on a read, not a bug of ours. */
export function isOsError(e: unknown): boolean {
  return /^E[A-Z0-9]+$/.test(String((e as { code?: unknown } | null | undefined)?.code));
}
