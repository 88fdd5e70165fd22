/**
 * Where member accesses are written in BPF C: the `->`/`.` chains of a statement and the member
 * arguments of libbpf's CO-RE macros, as places a relocation can be tied to. A lexer and a postfix-chain
 * reader, not a C parser: enough to tell `o->pid` from the `pid` of `BPF_CORE_READ(t, pid)`.
 */

export interface Pos {
  line: number;
  col: number;
}

/** One member name as written: `pid` at line 137, columns 5..8 (0-based, end exclusive). */
export interface Segment {
  name: string;
  line: number;
  start: number;
  end: number;
}

/**
 * Members reached from one pointer: entered by `->` (or a CO-RE macro's implicit `->`), continued by
 * `.` and `[…]`. clang emits one field relocation per run (or per prefix of it, where a type in the
 * chain has no preserve_access_index).
 */
export interface Run {
  segs: Segment[];
}

/** What the first run of a place is applied to. */
export type Root =
  | { kind: 'var'; name: string; arrow: boolean }
  | { kind: 'type'; name: string; keyword?: 'struct' | 'union' }
  | { kind: 'unknown' };

export interface Place {
  root: Root;
  runs: Run[];
  /** Written inside a CO-RE macro's arguments or `__builtin_preserve_access_index(…)`. */
  core: boolean;
  /** From the root's first character to the last member's end (a macro call: from the macro's name). */
  from: Pos;
  to: Pos;
}

interface Tok {
  kind: 'id' | 'num' | 'str' | 'punct';
  v: string;
  line: number;
  col: number;
  end: number;
}

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '##']);

/** C tokens of lines first..last (comments, strings and preprocessor lines dropped). */
function tokenize(lineText: (n: number) => string, first: number, last: number): Tok[] {
  const out: Tok[] = [];
  let inComment = false;
  for (let n = first; n <= last; n++) {
    const s = lineText(n);
    let i = 0;
    if (!inComment && /^\s*#/.test(s)) continue;
    while (i < s.length) {
      if (inComment) {
        const e = s.indexOf('*/', i);
        if (e < 0) {
          i = s.length;
          break;
        }
        inComment = false;
        i = e + 2;
        continue;
      }
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\r') {
        i++;
      } else if (c === '/' && s[i + 1] === '/') {
        break;
      } else if (c === '/' && s[i + 1] === '*') {
        inComment = true;
        i += 2;
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_]\w*/.exec(s.slice(i))!;
        out.push({ kind: 'id', v: m[0], line: n, col: i, end: i + m[0].length });
        i += m[0].length;
      } else if (/\d/.test(c) || (c === '.' && /\d/.test(s[i + 1] ?? ''))) {
        const m = /^\.?\d(?:[\w.]|[eEpP][+-])*/.exec(s.slice(i))!;
        out.push({ kind: 'num', v: m[0], line: n, col: i, end: i + m[0].length });
        i += m[0].length;
      } else if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
        out.push({ kind: 'str', v: s.slice(i, j + 1), line: n, col: i, end: Math.min(s.length, j + 1) });
        i = j + 1;
      } else {
        const three = s.slice(i, i + 3);
        const two = s.slice(i, i + 2);
        const v = PUNCT3.has(three) ? three : PUNCT2.has(two) ? two : c;
        out.push({ kind: 'punct', v, line: n, col: i, end: i + v.length });
        i += v.length;
      }
    }
  }
  return out;
}

/** Macros whose arguments after the source are member chains, each applied through `->` (libbpf's bpf_core_read.h). */
const READ_MACROS: Record<string, { src: number }> = {
  BPF_CORE_READ: { src: 0 }, BPF_CORE_READ_USER: { src: 0 }, BPF_PROBE_READ: { src: 0 }, BPF_PROBE_READ_USER: { src: 0 },
  BPF_CORE_READ_INTO: { src: 1 }, BPF_CORE_READ_USER_INTO: { src: 1 }, BPF_PROBE_READ_INTO: { src: 1 }, BPF_PROBE_READ_USER_INTO: { src: 1 },
  BPF_CORE_READ_STR_INTO: { src: 1 }, BPF_CORE_READ_USER_STR_INTO: { src: 1 }, BPF_PROBE_READ_STR_INTO: { src: 1 }, BPF_PROBE_READ_USER_STR_INTO: { src: 1 },
  BPF_CORE_READ_BITFIELD: { src: 0 }, BPF_CORE_READ_BITFIELD_PROBED: { src: 0 },
};

/** Calls whose arguments are relocated as written: `(src)->field` or a whole access expression. */
const FIELD_MACROS = new Set([
  'bpf_core_field_exists', 'bpf_core_field_size', 'bpf_core_field_offset', 'bpf_core_field_byte_offset',
  'bpf_core_read', 'bpf_core_read_user', 'bpf_core_read_str', 'bpf_core_read_user_str', '__builtin_preserve_access_index',
  '__builtin_preserve_field_info', 'BPF_CORE_READ_BITFIELD', 'BPF_CORE_READ_BITFIELD_PROBED',
]);

/** Index of the token closing the bracket opened at `i` (or toks.length). */
function closing(toks: Tok[], i: number): number {
  const open = toks[i]!.v;
  const close = open === '(' ? ')' : open === '[' ? ']' : '}';
  let depth = 0;
  for (let j = i; j < toks.length; j++) {
    if (toks[j]!.v === open) depth++;
    else if (toks[j]!.v === close && --depth === 0) return j;
  }
  return toks.length;
}

/** Index of the token opening the bracket closed at `i` (or -1). */
function opening(toks: Tok[], i: number): number {
  const close = toks[i]!.v;
  const open = close === ')' ? '(' : '[';
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    if (toks[j]!.v === close) depth++;
    else if (toks[j]!.v === open && --depth === 0) return j;
  }
  return -1;
}

/** `(struct X *)v` or `((struct X *)v)` between `a` and `b` (inclusive): the cast's type. */
function castRoot(toks: Tok[], a: number, b: number): Root {
  let lo = a;
  let hi = b;
  while (toks[lo]?.v === '(' && closing(toks, lo) === hi) {
    lo++;
    hi--;
  }
  // ( struct X * ) operand
  if (toks[lo]?.v !== '(') return { kind: 'unknown' };
  const c = closing(toks, lo);
  if (c >= hi + 1) return { kind: 'unknown' };
  const inner = toks.slice(lo + 1, c).map((t) => t.v).filter((v) => v !== 'const' && v !== 'volatile');
  if (!inner.length || inner[inner.length - 1] !== '*' || inner.filter((v) => v === '*').length !== 1) return { kind: 'unknown' };
  if ((inner[0] === 'struct' || inner[0] === 'union') && inner.length === 3) return { kind: 'type', name: inner[1]!, keyword: inner[0] };
  if (inner.length === 2 && /^[A-Za-z_]\w*$/.test(inner[0]!)) return { kind: 'type', name: inner[0]! };
  return { kind: 'unknown' };
}

interface Chain {
  root: Root;
  runs: Run[];
  /** Token index of the root's first token and of the chain's last token. */
  first: number;
  last: number;
  /** Taken by `&` (its value is the address of the last member, not the member). */
  amp: boolean;
}

/** The `->`/`.`/`[…]` chain starting at accessor token `i` (the first `->` or `.`), with the root before it. */
function readChain(toks: Tok[], i: number, taken: Set<number>): Chain | undefined {
  const prev = toks[i - 1];
  if (!prev) return undefined;
  let root: Root = { kind: 'unknown' };
  let first = i - 1;
  if (prev.kind === 'id') {
    root = { kind: 'var', name: prev.v, arrow: toks[i]!.v === '->' };
  } else if (prev.v === ')') {
    first = opening(toks, i - 1);
    if (first < 0) return undefined;
    root = castRoot(toks, first, i - 1);
  } else if (prev.v === ']') {
    first = opening(toks, i - 1);
    if (first < 1) return undefined;
    first--; // the array's name
  } else return undefined;
  const runs: Run[] = [];
  let j = i;
  let last = i - 1;
  for (;;) {
    const t = toks[j];
    if (!t) break;
    if ((t.v === '->' || t.v === '.') && toks[j + 1]?.kind === 'id') {
      const id = toks[j + 1]!;
      const seg = { name: id.v, line: id.line, start: id.col, end: id.end };
      if (t.v === '->' || !runs.length) runs.push({ segs: [seg] });
      else runs[runs.length - 1]!.segs.push(seg);
      taken.add(j);
      last = j + 1;
      j += 2;
    } else if (t.v === '[' && runs.length) {
      j = closing(toks, j) + 1;
      last = j - 1;
    } else break;
  }
  if (!runs.length) return undefined;
  const amp = toks[first - 1]?.v === '&';
  return { root, runs, first: amp ? first - 1 : first, last, amp };
}

/** Split the arguments of the call whose `(` is at `open`: token index ranges [a, b]. */
function args(toks: Tok[], open: number): [number, number][] {
  const close = closing(toks, open);
  const out: [number, number][] = [];
  let a = open + 1;
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const v = toks[j]!.v;
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') depth--;
    else if (v === ',' && depth === 0) {
      out.push([a, j - 1]);
      a = j + 1;
    }
  }
  if (a <= close - 1) out.push([a, close - 1]);
  return out;
}

/** A macro's member argument (`real_parent`, `__sk_common.skc_daddr`, `comm[5]`) as runs: a new run, then `.` continues it. */
function memberArg(toks: Tok[], a: number, b: number): Run | undefined {
  if (toks[a]?.kind !== 'id') return undefined;
  const segs: Segment[] = [{ name: toks[a]!.v, line: toks[a]!.line, start: toks[a]!.col, end: toks[a]!.end }];
  let j = a + 1;
  while (j <= b) {
    const t = toks[j]!;
    if (t.v === '.' && toks[j + 1]?.kind === 'id' && j + 1 <= b) {
      const id = toks[j + 1]!;
      segs.push({ name: id.v, line: id.line, start: id.col, end: id.end });
      j += 2;
    } else if (t.v === '[') j = closing(toks, j) + 1;
    else return undefined;
  }
  return { segs };
}

const posOf = (t: Tok, end = false): Pos => ({ line: t.line, col: end ? t.end : t.col });

/**
 * The access places of lines first..last: every `->`/`.` chain, and every CO-RE read macro's
 * arguments joined into one chain with its source (`BPF_CORE_READ(t, real_parent, tgid)` is
 * `t->real_parent->tgid`; `BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse)` is
 * `sk->__sk_common.skc_reuse`).
 */
export function accessPlaces(lineText: (n: number) => string, first: number, last: number): Place[] {
  const toks = tokenize(lineText, first, last);
  const taken = new Set<number>();
  const chains: Chain[] = [];
  for (let i = 0; i < toks.length; i++) {
    const v = toks[i]!.v;
    if ((v === '->' || v === '.') && !taken.has(i) && toks[i + 1]?.kind === 'id') {
      const c = readChain(toks, i, taken);
      if (c) chains.push(c);
    }
  }
  // CO-RE calls: their argument ranges, and the read macros' joined chains.
  const coreRanges: [number, number][] = [];
  const places: Place[] = [];
  const absorbed = new Set<Chain>();
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'id' || toks[i + 1]!.v !== '(') continue;
    const read = READ_MACROS[t.v];
    if (!read && !FIELD_MACROS.has(t.v)) continue;
    const close = closing(toks, i + 1);
    coreRanges.push([i + 1, close]);
    const as = args(toks, i + 1);
    if (!read) {
      // libbpf's two-argument form: bpf_core_field_exists(struct task_struct, pid), (*t, pid) or (type_t, pid).
      const field = as.length === 2 && t.v.startsWith('bpf_core_field_') ? memberArg(toks, as[1]![0], as[1]![1]) : undefined;
      if (!field) continue;
      for (const c of chains) if (c.first >= as[1]![0] && c.last <= as[1]![1]) absorbed.add(c);
      const [a, b] = as[0]!;
      const w = toks.slice(a, b + 1).map((x) => x.v);
      const root: Root = (w[0] === 'struct' || w[0] === 'union') && w.length === 2 ? { kind: 'type', name: w[1]!, keyword: w[0] }
        : w.length === 1 && toks[a]!.kind === 'id' ? { kind: 'type', name: w[0]! }
          : w.length === 2 && w[0] === '*' && toks[b]!.kind === 'id' ? { kind: 'var', name: w[1]!, arrow: true } : { kind: 'unknown' };
      places.push({ root, runs: [field], core: true, from: posOf(t), to: posOf(toks[close] ?? toks[toks.length - 1]!, true) });
      continue;
    }
    const src = as[read.src];
    if (!src) continue;
    const members = as.slice(read.src + 1).map(([a, b]) => memberArg(toks, a, b));
    if (!members.length || members.some((m) => !m)) continue;
    // `a.b` in a member argument is the macro's, not a chain rooted at a variable `a`.
    for (const [a, b] of as.slice(read.src + 1)) for (const c of chains) if (c.first >= a && c.last <= b) absorbed.add(c);
    let root: Root = { kind: 'unknown' };
    let runs: Run[] = [];
    const [a, b] = src;
    const srcChain = chains.find((c) => c.first === a && c.last === b);
    if (a === b && toks[a]!.kind === 'id') root = { kind: 'var', name: toks[a]!.v, arrow: true };
    else if (srcChain) {
      absorbed.add(srcChain);
      root = srcChain.root;
      runs = srcChain.runs.map((r) => ({ segs: [...r.segs] }));
    } else root = castRoot(toks, a, b);
    // `&x->m` then `field`: `(&x->m)->field` is `x->m.field`, one run.
    const joinFirst = !!srcChain?.amp;
    for (const [k, m] of members.entries()) {
      if (k === 0 && joinFirst && runs.length) runs[runs.length - 1]!.segs.push(...m!.segs);
      else runs.push(m!);
    }
    places.push({ root, runs, core: true, from: posOf(t), to: posOf(toks[close] ?? toks[toks.length - 1]!, true) });
  }
  for (const c of chains) {
    if (absorbed.has(c)) continue;
    const core = coreRanges.some(([o, e]) => c.first > o && c.last < e);
    places.push({ root: c.root, runs: c.runs, core, from: posOf(toks[c.first]!), to: posOf(toks[c.last]!, true) });
  }
  return places;
}

/** The statement around `line`: back to the line after one ending a statement or block, forward to a `;` (at most 12 lines each way). */
export function statementLines(lineText: (n: number) => string, line: number): [number, number] {
  const ends = (s: string) => /[;{}]\s*(?:\/\/.*|\/\*.*\*\/)?\s*$/.test(s) || /^\s*(#.*)?$/.test(s);
  let first = line;
  while (first > 0 && line - first < 12 && !ends(lineText(first - 1))) first--;
  let last = line;
  while (last - line < 12 && !ends(lineText(last))) last++;
  return [first, last];
}

/** The segment at (line, character) in `places`: which place, run and member index. */
export function segmentAt(places: Place[], line: number, character: number): { place: Place; run: number; seg: number } | undefined {
  for (const place of places) {
    for (const [r, run] of place.runs.entries()) {
      for (const [s, seg] of run.segs.entries()) {
        if (seg.line === line && character >= seg.start && character <= seg.end) return { place, run: r, seg: s };
      }
    }
  }
  return undefined;
}

/** Whether 0-based (line, col) falls inside the place's written extent. */
export function placeCovers(p: Place, line: number, col: number): boolean {
  const after = line > p.from.line || (line === p.from.line && col >= p.from.col);
  const before = line < p.to.line || (line === p.to.line && col < p.to.col);
  return after && before;
}

/**
 * The declared type of variable `name` as seen from `line`: the nearest declaration above it
 * (`struct task_struct *t`, `struct sock *sk = …`, a parameter), with how many `*`s.
 */
export function declaredType(lineText: (n: number) => string, line: number, name: string): { name: string; keyword?: 'struct' | 'union'; stars: number } | undefined {
  const re = new RegExp(`(?:^|[;{(,])\\s*(?:(?:const|volatile|static|register)\\s+)*(?:(struct|union)\\s+)?([A-Za-z_]\\w*)\\s*((?:\\*\\s*(?:const\\s+)?)*)\\b${name}\\s*(?=[=;,)\\[])`);
  const NOT_TYPES = new Set(['return', 'sizeof', 'case', 'goto', 'else', 'do']);
  for (let n = line; n >= 0 && line - n < 400; n--) {
    const m = re.exec(lineText(n));
    if (!m || NOT_TYPES.has(m[2]!)) continue;
    return { name: m[2]!, keyword: m[1] as 'struct' | 'union' | undefined, stars: (m[3]!.match(/\*/g) ?? []).length };
  }
  return undefined;
}
