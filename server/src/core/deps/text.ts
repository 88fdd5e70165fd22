import { detailText } from '../diff/text';
import type { DepOnTarget, Dependency, DepsReport } from './model';

/**
 * The report for people: each dependency on one line (what, the kernel's C name, where the object uses
 * it), then one line per target: check's outcome, what the target has, and what changed.
 *
 *   field struct task_struct.__state  (prog handle_tp: relo #0 byte_off)
 *       6.1   found   unsigned int at bit 192
 *       6.18  found   unsigned int at bit 200 · field moved: __state: bit 192 -> bit 200
 */
export function formatDepsText(r: DepsReport): string {
  const lines: string[] = [`object: ${r.object}`];
  r.targets.forEach((t) => lines.push(`target: ${t.label}${t.label !== t.file ? ` (${t.file})` : ''}`));
  const width = Math.max(4, ...r.targets.map((t) => t.label.length));
  for (const d of r.dependencies) {
    lines.push('', `${d.what} ${depName(d)}${uses(d)}`);
    d.targets.forEach((s, i) => lines.push(`    ${r.targets[i]!.label.padEnd(width)}  ${stateText(s)}`));
  }
  lines.push('');
  for (const s of r.summary) lines.push(`${s.label}: ${s.present} present (${s.changed} changed), ${s.absent} absent`);
  return `${lines.join('\n')}\n`;
}

const KEYWORD: Record<string, string> = { STRUCT: 'struct ', UNION: 'union ', ENUM: 'enum ', ENUM64: 'enum ', TYPEDEF: 'typedef ', FUNC: 'func ', VAR: 'var ' };

/** `struct task_struct.pid`, `enum bpf_func_id::BPF_FUNC_x`, `typedef btf_trace_sched_switch`. */
export function depName(d: Dependency): string {
  const head = `${KEYWORD[d.kind] ?? `${d.kind.toLowerCase()} `}${d.name}`;
  if (d.member === undefined) return head;
  return d.what === 'enum value' ? `${head}::${d.member}` : `${head}.${d.member}`;
}

function uses(d: Dependency): string {
  const parts: string[] = [];
  if (d.local?.length) parts.push(`as ${d.local.join(', ')}`);
  if (d.tracepoint) parts.push(`tracepoint ${d.tracepoint}`);
  const shown = d.uses.slice(0, 3).map((u) => `${u.prog ? `prog ${u.prog}` : u.section}${u.relo !== undefined ? `: relo #${u.relo} ${u.reloKind}` : ''}`);
  if (d.uses.length > 3) shown.push(`${d.uses.length - 3} more`);
  parts.push(...shown);
  return parts.length ? `  (${parts.join(', ')})` : '';
}

function stateText(s: DepOnTarget): string {
  const parts: string[] = [s.outcome === undefined ? (s.present ? 'present' : 'absent') : s.outcome === 'poisoned' && s.reachable === false ? 'poisoned (unreachable)' : s.outcome];
  if (s.outcome !== undefined && !s.present && s.outcome !== 'missing' && s.outcome !== 'weak-missing') parts[0] += ', absent';
  const f = s.found;
  if (f?.type !== undefined) parts.push(`${f.type} at bit ${f.bitOffset}${f.bits ? ` (${f.bits} bits)` : ''}`);
  if (f?.value !== undefined) parts.push(`= ${f.value}`);
  if (f?.size !== undefined) parts.push(`${f.size} bytes`);
  if (f?.decl !== undefined) parts.push(f.decl);
  for (const c of s.changes) parts.push(detailText(c));
  return parts.join(' · ');
}
