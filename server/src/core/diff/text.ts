import type { Btf } from '../btf/btf';
import type { BtfDiffResult } from './diff';
import { DIFF_KINDS, type DiffDetail, type DiffKind } from './model';
import { Side } from './side';

/**
 * The diff for people: one group per kind, one line per type added (`+`), removed (`-`) or
 * changed (`~`), and under a changed type one line per difference, C on both sides:
 *
 *   STRUCT: 1 changed, 1 added
 *   ~ struct cfs_rq
 *       field renamed: nr_running -> nr_queued
 *       field moved: load: bit 0 -> bit 64
 *   + struct sched_dl_entity
 *
 * Added and removed types show their declaration (a function's prototype, a typedef's definition).
 */
export function formatDiffText(d: BtfDiffResult, oldBtf: Btf, newBtf: Btf): string {
  const sides = [new Side(oldBtf), new Side(newBtf)] as const;
  const lines: string[] = [`--- ${d.old}`, `+++ ${d.new}`];
  for (const kind of DIFF_KINDS) {
    const group = d.changes.filter((c) => c.kind === kind);
    if (!group.length) continue;
    const n = (what: string) => group.filter((c) => c.change === what).length;
    const counts = [['changed', n('changed')], ['added', n('added')], ['removed', n('removed')]]
      .filter(([, k]) => k).map(([w, k]) => `${k} ${w}`).join(', ');
    lines.push('', `${kind}: ${counts}`);
    for (const c of group) {
      if (c.change === 'added') lines.push(`+ ${declaration(sides[1], c.newId, kind, c.name)}`);
      else if (c.change === 'removed') lines.push(`- ${declaration(sides[0], c.oldId, kind, c.name)}`);
      else {
        lines.push(`~ ${KEYWORD[kind]} ${c.name}`);
        for (const x of c.details) lines.push(`    ${detailText(x)}`);
      }
    }
  }
  const s = d.summary;
  lines.push('', `${s.changed} changed, ${s.added} added, ${s.removed} removed`);
  return `${lines.join('\n')}\n`;
}

const KEYWORD: Record<DiffKind, string> = {
  STRUCT: 'struct', UNION: 'union', ENUM: 'enum', ENUM64: 'enum', TYPEDEF: 'typedef', FUNC: 'func', VAR: 'var',
};

function declaration(s: Side, id: number | undefined, kind: DiffKind, name: string): string {
  return id === undefined ? `${KEYWORD[kind]} ${name}` : s.declare(id);
}

/** One difference as the text report writes it (`field moved: pid: bit 64 -> bit 96`). */
export function detailText(x: DiffDetail): string {
  const head = x.member !== undefined && x.what !== 'field renamed' && x.what !== 'param renamed' ? `${x.what}: ${x.member}` : x.what;
  const v = (u: string | number) => {
    switch (x.what) {
      case 'field moved': return `bit ${u}`;
      case 'bitfield changed': return u === 0 ? 'not a bitfield' : `${u} bits`;
      case 'size changed': return `${u} bytes`;
      case 'param reordered': return `#${u}`;
      default: return String(u);
    }
  };
  if (x.old !== undefined && x.new !== undefined) return `${head}: ${v(x.old)} -> ${v(x.new)}`;
  if (x.new !== undefined) return `${head}: ${v(x.new)}`;
  if (x.old !== undefined) return `${head}: ${v(x.old)}`;
  return head;
}
