/**
 * A struct's layout (pahole's figures from the server) cut into cacheline rows of bars: members, holes
 * between them, trailing padding. Bitfields sharing a storage unit are one bar. Unions draw one row
 * per member, all from offset 0.
 */
import type { EditorLayoutRequest } from '../../server/src/protocol/requests';

export interface Bar {
  kind: 'member' | 'hole' | 'padding';
  /** Byte offset from the struct start, and length. */
  start: number;
  len: number;
  label: string;
  /** Index into layout.members of the (first) member. */
  member?: number;
}

export interface BarRow {
  /** Offset of the row's first byte. */
  offset: number;
  /** Row index of a cacheline (structs) or of a member (unions). */
  line: number;
  bars: Bar[];
}

export function layoutBars(l: EditorLayoutRequest.Result): BarRow[] {
  const cl = l.cacheline > 0 ? l.cacheline : 64;
  if (l.kind === 'union') {
    return l.members
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.depth === 0)
      .map(({ m, i }, line) => ({ offset: 0, line, bars: [{ kind: 'member' as const, start: 0, len: Math.max(1, m.size), label: m.name || '(anon)', member: i }] }));
  }
  const bars: Bar[] = [];
  let last: Bar | undefined;
  l.members.forEach((m, i) => {
    if (m.depth !== 0) return;
    const len = Math.max(m.size, 0);
    if (last && m.bitfieldSize && last.start === m.offset && last.kind === 'member') {
      last.label += `, ${m.name || '(anon)'}:${m.bitfieldSize}`;
    } else {
      last = { kind: 'member', start: m.offset, len, label: m.bitfieldSize ? `${m.name || '(anon)'}:${m.bitfieldSize}` : m.name || '(anon)', member: i };
      bars.push(last);
    }
    if (m.hole > 0) {
      bars.push({ kind: 'hole', start: m.offset + len, len: m.hole, label: `hole ${m.hole}` });
      last = undefined;
    }
  });
  if (l.padding > 0) bars.push({ kind: 'padding', start: l.size - l.padding, len: l.padding, label: `padding ${l.padding}` });
  const rows: BarRow[] = [];
  const lines = Math.max(1, Math.ceil(l.size / cl));
  for (let line = 0; line < lines; line++) rows.push({ offset: line * cl, line, bars: [] });
  for (const b of bars) {
    // A bar crossing a cacheline boundary is drawn in every line it touches.
    let s = b.start;
    const end = b.start + Math.max(1, b.len);
    while (s < end) {
      const line = Math.floor(s / cl);
      const lineEnd = (line + 1) * cl;
      const e = Math.min(end, lineEnd);
      const row = rows[line] ?? (rows[line] = { offset: line * cl, line, bars: [] });
      row.bars.push({ ...b, start: s, len: e - s });
      s = e;
    }
  }
  return rows;
}
