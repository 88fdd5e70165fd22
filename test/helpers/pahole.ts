// pahole's struct listings (dwarves 1.24, `pahole -F btf`) cut into blocks, and the lines of a listing
// that btf-lens layout claims to match. Used by test/unit/layout.test.ts and scripts/check-layout.ts.

export interface PaholeBlock {
  name: string;
  /** From `struct NAME {` to the closing `}` line, both included. */
  lines: string[];
}

/** pahole's output split into its top-level struct blocks. */
export function paholeBlocks(text: string): PaholeBlock[] {
  const out: PaholeBlock[] = [];
  let cur: PaholeBlock | undefined;
  for (const line of text.split('\n')) {
    const m = /^struct (\S+) \{$/.exec(line);
    if (m) cur = { name: m[1]!, lines: [] };
    if (!cur) continue;
    cur.lines.push(line);
    if (line.startsWith('}')) {
      out.push(cur);
      cur = undefined;
    }
  }
  return out;
}

/**
 * The name a member declaration declares: `x` of `int x:3`, `struct a *b[4]`, `void (*fn)(int)`, `int (*h[3])(int)`,
 * `int (*const fn)(void)` (pahole spells it `const int (*fn)(void)`); attributes dropped.
 */
function declared(code: string): string {
  const c = code.replace(/\s*__attribute__\(\([^()]*(\([^()]*\))?[^()]*\)\)/g, '').replace(/;\s*$/, '').replace(/:\s*\d+$/, '').trim();
  const fn = /\(\s*\*+\s*(?:const\s+)?(\w+)\s*(?:\[\d*\]\s*)*\)/.exec(c);
  if (fn) return fn[1]!;
  const words = c.replace(/(\[\d*\])+$/, '').match(/\w+/g);
  return words ? words[words.length - 1]! : '';
}

/**
 * What we claim to print as pahole does, line by line (blank lines and spacing aside): every
 * comment (member `offset[:bit] size`, holes, bit holes, "last struct has N bytes of padding",
 * "Bitfield combined with ...", "Force alignment ...", cacheline boundaries, the summary of the
 * struct and of the inline structs pahole summarises), every `struct {`/`union {` opening, every
 * `}` line whole (packed as pahole infers it, __aligned__(N), an inline member's name and
 * dimensions), and for other lines the member name declared. Not claimed: how a member's type is
 * spelt (we write libbpf's C; pahole has its own spelling, `const const char x[4]`, `char *x` for a
 * pointer to an array) and values of enums defined inline.
 */
export function judgedLines(lines: string[], wholeText = false): string[] {
  if (wholeText) return lines.map((l) => l.replace(/\s+/g, '')).filter((l) => l !== '');
  return lines.flatMap((l) => {
    const c = /^(.*?)\/\*(.*)\*\/\s*$/.exec(l);
    const code = (c ? c[1]! : l).trim();
    const comment = c ? c[2]!.trim().replace(/\s+/g, ' ') : '';
    let what = '';
    if (code.startsWith('}')) what = code.replace(/\s+/g, '');
    else if (code.endsWith('{')) what = code.replace(/\s+/g, ' ');
    else if (code !== '') what = declared(code);
    return what === '' && comment === '' ? [] : [`${what} /* ${comment} */`];
  });
}

/** The first judged line where `ours` and `theirs` differ, as a message; undefined when equal. */
export function firstDifference(ours: string[], theirs: string[]): string | undefined {
  if (ours.join('\n') === theirs.join('\n')) return undefined;
  let i = 0;
  while (i < theirs.length && ours[i] === theirs[i]) i++;
  return `judged line ${i + 1}:\n  pahole: ${theirs[i]}\n  ours:   ${ours[i]}`;
}
