// The lines `btf-lens check` prints, kept from a raw libbpf 1.1 load log (load_oracle / load_each output:
// "D: libbpf: …", "W: libbpf: …", verifier text, "RESULT …"). These are the test's own rules, by libbpf's
// message prefixes (libbpf.c), so that a log of the real libbpf can be compared with what check prints:
//   the open-time DATASEC fix-up failures ("sec 'S': failed to determine size from ELF…"),
//   extern collection and resolution ("looking for externs…", "collected N externs total", "extern …",
//     the open-time extern failures, .config parsing failures),
//   struct_ops fitted to the kernel ("struct_ops init_kern…", and struct_ops warnings),
//   CO-RE relocation (what `btf-lens core` prints: core_oracle -q's lines less the relocation collection),
//   attach-target lookup and the failures before the verifier ("prog 'P': failed to find kernel BTF type ID…",
//     "…no BTF-based attach target…", "…missing BPF prog type…", "…failed to prepare load attributes…",
//     then "prog 'P': failed to load: E" and "failed to load object 'X'" when libbpf stopped there itself).
// Left out: map creation and the kernel's verdicts. Typeless ksyms set from the running kernel's /proc/kallsyms
// ("extern (ksym) 'x': set to 0x…") are kept: check prints them when given that kallsyms text.
// "in-memory Kconfig" (libbpf's opts.kconfig) reads as "system Kconfig": check reads the target's .config
// where libbpf reads the system's.
import { isCoreLine } from '../../server/src/core/core-relo/resolve';

export interface OracleLog {
  /** The kept lines, libbpf's `X: libbpf: ` prefixes stripped. */
  lines: string[];
  /** bpf_object__load's result ("RESULT -3" → -3; undefined when the object did not open). */
  result?: number;
  /** libbpf stopped on its own (its last kept line is "failed to load object"), not at the kernel. */
  stoppedByLibbpf: boolean;
  /**
   * Where the running kernel refused first, when it did: a map (before CO-RE and the attach lookups) or a
   * program, which libbpf hands to the kernel after its attach lookup succeeded.
   */
  kernelRefused?: { map: string } | { prog: string };
}

const PREFIX = /^( ?)([DWI]): libbpf: /;
const EXTERN = /^(looking for externs among \d+ symbols|collected \d+ externs total|extern |failed to find BTF for extern|failed to find extern definition|failed to resolve size of extern|failed to determine alignment of extern|unrecognized extern section|failed to parse '|error parsing (system|in-memory) Kconfig line|sec '[^']*': (failed to determine size from ELF|unexpected non-VAR type found|failed to find ELF symbol for VAR))/;
const ATTACH = /^prog '[^']*': (failed to find kernel BTF type ID of |no BTF-based attach target is specified|attach program FD is not set|missing BPF prog type|failed to prepare load attributes: )/;
const NOT_CORE = /^sec '[^']*': relo #|^\.maps relo #|: relo #[0-9]+: (poisoning insn #[0-9]+ that loads map|bad insn$|bad relo type)/;

export function checkLinesOfOracle(raw: string): OracleLog {
  const lines: string[] = [];
  let result: number | undefined;
  let prevKept = false;
  let prevText = '';
  let inVerifierLog = false;
  let kernelRefused: OracleLog['kernelRefused'];
  for (const rawLine of raw.split('\n')) {
    const r = /^RESULT (-?\d+)$/.exec(rawLine);
    if (r) {
      result = Number(r[1]);
      continue;
    }
    const m = PREFIX.exec(rawLine);
    if (!m) continue; // verifier text, blank lines
    const level = m[2];
    const text = m[1] + rawLine.slice(m[0].length);
    const refusedProg = /^prog '([^']*)': BPF program load failed/.exec(text);
    const refusedMap = /^map '([^']*)': failed to create/.exec(text);
    if (!kernelRefused && refusedProg) kernelRefused = { prog: refusedProg[1]! };
    if (!kernelRefused && refusedMap) kernelRefused = { map: refusedMap[1]! };
    if (/^prog '[^']*': -- BEGIN PROG LOAD LOG --$/.test(text)) inVerifierLog = true;
    if (inVerifierLog) {
      if (text === '-- END PROG LOAD LOG --') inVerifierLog = false;
      prevKept = false;
      prevText = text;
      continue;
    }
    let keep = false;
    if (EXTERN.test(text)) keep = true;
    else if (text.startsWith('struct_ops init_kern') || (level === 'W' && text.startsWith('struct_ops '))) keep = true;
    else if (ATTACH.test(text)) keep = true;
    else if (/^prog '([^']*)': failed to load: -?\d+$/.test(text)) {
      // only after libbpf's own refusal (not after the kernel's "BPF program load failed")
      keep = prevKept && /: (failed to prepare load attributes: -?\d+|missing BPF prog type, .*)$/.test(prevText);
    } else if (text.startsWith('failed to load object ')) {
      keep = prevKept && level === 'W';
    } else if (isCoreLine(text.trimStart()) && !NOT_CORE.test(text.trimStart())) keep = true;
    if (keep) lines.push(text.replace('error parsing in-memory Kconfig line', 'error parsing system Kconfig line'));
    prevKept = keep;
    prevText = text;
  }
  const last = lines[lines.length - 1] ?? '';
  const stoppedByLibbpf = last.startsWith('failed to load object ');
  return { lines, result, stoppedByLibbpf, ...(kernelRefused && !stoppedByLibbpf ? { kernelRefused } : {}) };
}

/**
 * How check's lines must relate to the oracle's: equal when libbpf stopped on its own or loaded everything
 * (RESULT 0); otherwise the kernel refused something first (a program whose attach ID came from another
 * kernel's BTF, a map), and libbpf's lines are a prefix of check's. Returns a description of the first
 * difference, or undefined.
 */
export function compareWithOracle(ours: string[], oracle: OracleLog, stop?: { step: string; program?: string }, loadOrder: string[] = []): string | undefined {
  const exact = oracle.stoppedByLibbpf || oracle.result === 0;
  const n = exact ? Math.max(ours.length, oracle.lines.length) : oracle.lines.length;
  for (let i = 0; i < n; i++) {
    if (ours[i] !== oracle.lines[i]) return `line ${i + 1}: check ${JSON.stringify(ours[i])}, libbpf ${JSON.stringify(oracle.lines[i])}`;
  }
  // A prefix is not enough: check must not stop where libbpf went on. Past a map the kernel refused, libbpf had
  // resolved every extern and struct_ops; past a program the kernel refused, also CO-RE and the attach
  // lookups of that program and those before it.
  const k = oracle.kernelRefused;
  if (k && stop) {
    if (stop.step === 'open' || stop.step === 'externs' || stop.step === 'struct-ops') return `check stops at ${stop.step}, libbpf went on to the kernel`;
    if ('prog' in k) {
      if (stop.step !== 'attach') return `check stops at ${stop.step}, libbpf went on to load program ${k.prog}`;
      const at = loadOrder.indexOf(stop.program ?? '');
      if (at <= loadOrder.indexOf(k.prog)) return `check stops at program ${stop.program}, libbpf found its attach target and went on to load ${k.prog}`;
    }
  }
  return undefined;
}
