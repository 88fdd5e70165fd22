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

/** `file: offset 0x1c: message` — the one-line form the CLI prints. */
export function formatProblem(p: Problem, file?: string): string {
  const name = p.file ?? file ?? '<input>';
  return `${name}: offset ${p.offset} (0x${p.offset.toString(16)}): ${p.message}`;
}
