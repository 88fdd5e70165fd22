/**
 * Decoders never throw on bad input (invariant 2): they return what they could read
 * plus a list of problems, each naming where in the input it was found.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  /** The file (or pseudo-file) the problem was found in; filled in by whoever knows the name. */
  file?: string;
  /** Absolute byte offset in that file. */
  offset: number;
  severity: Severity;
  message: string;
}

/** Collects problems; a decoder gets one and adds to it. `base` shifts offsets of a sub-buffer to file offsets. */
export class ProblemSink {
  readonly problems: Problem[] = [];
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
    return child;
  }
  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
  private add(offset: number, severity: Severity, message: string): void {
    if (this.problems.length >= this.limit) return; // a hostile file must not grow this without bound
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
