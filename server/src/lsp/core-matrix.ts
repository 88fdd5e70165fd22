/**
 * `btf/coreMatrix`: the compatibility matrix of BPF objects × target kernels. One row per CO-RE relocation
 * (libbpf's order: .BTF.ext sections, records), one column per `btfLens.coreTargets` kernel, each cell the
 * outcome libbpf 1.1 would reach at load; rendered as markdown and CSV for the client to show or save.
 */
import { relative } from 'node:path';
import { coreReloKindStr, describeCoreRelo } from '../core/core-relo/spec';
import type { CoreMatrixRequest } from '../protocol/requests';
import { coreTargetsOf, objectFiles, reloSourceLine } from './core-targets';
import { pathToUri } from './uri';
import type { WorkspaceIndex } from './workspace';

type Result = CoreMatrixRequest.Result;
type Row = CoreMatrixRequest.Row;

export function coreMatrix(index: WorkspaceIndex, p: CoreMatrixRequest.Params): Result {
  const ct = coreTargetsOf(index);
  const targets = ct.targets();
  const files = objectFiles(index, p.object);
  const rows: Row[] = [];
  const summary = targets.map((t) => ({ label: t.label, fails: 0, loads: 0, objects: 0 }));
  for (const file of files) {
    const btf = file.btf;
    if (!file.object || !btf) continue;
    let any = false;
    const failsHere = targets.map(() => false);
    for (const prog of file.object.programs) {
      prog.section.coreRelo.forEach((rec, i) => {
        any = true;
        const row: Row = {
          object: file.label, objectUri: file.uri, section: prog.section.name, index: i,
          kind: coreReloKindStr(rec.kind),
          spec: describeCoreRelo(btf, rec.typeId, btf.str(rec.accessStrOff), rec.kind).text,
          outcomes: targets.map((t) => ct.outcome(file, prog.section.name, i, t)),
        };
        const own = reloSourceLine(file, prog, rec.insnOff);
        const path = own && file.object!.sources.get(own.name);
        if (own && path) row.source = { uri: pathToUri(path), label: `${sourceLabel(index, path)}:${own.line + 1}`, line: own.line };
        row.outcomes.forEach((o, k) => {
          if (!o.fails) return;
          summary[k]!.fails++;
          failsHere[k] = true;
        });
        rows.push(row);
      });
    }
    if (!any) continue;
    targets.forEach((t, k) => {
      const e = ct.entry(file, t);
      summary[k]!.objects++;
      // Loads as far as CO-RE goes: libbpf relocates it and no relocation leaves the verifier a reachable poisoned insn.
      if (e?.res.ok && !failsHere[k]) summary[k]!.loads++;
    });
  }
  const result: Result = {
    targets: targets.map((t) => (t.error ? { label: t.label, path: t.path, error: t.error } : { label: t.label, path: t.path })),
    rows, summary, markdown: '', csv: '',
  };
  result.markdown = toMarkdown(result);
  result.csv = toCsv(result);
  return result;
}

function sourceLabel(index: WorkspaceIndex, path: string): string {
  for (const f of index.folders) {
    const r = relative(f, path);
    if (!r.startsWith('..')) return r;
  }
  return path;
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function toMarkdown(r: Result): string {
  const out: string[] = [];
  const objects = new Set(r.rows.map((x) => x.object)).size;
  out.push(`# CO-RE compatibility: ${objects} object${objects === 1 ? '' : 's'} × ${r.targets.length} kernel${r.targets.length === 1 ? '' : 's'}`, '');
  if (!r.targets.length) {
    out.push('No target kernels: no kernel BTF (`btfLens.kernelBtf` is `none`, or /sys/kernel/btf/vmlinux is absent) and no `btfLens.coreTargets` (BTF files or directories of them).', '');
    return out.join('\n');
  }
  out.push('Outcomes as libbpf 1.1 computes them at load; ⚠ marks a relocation that makes the load fail (a poisoned instruction only where the verifier can reach it: one behind a `bpf_core_*_exists` guard that is false on the kernel loads).', '');
  out.push('| kernel | file | failing relocations | objects that load as far as CO-RE goes |', '|---|---|---|---|');
  r.targets.forEach((t, k) => {
    const s = r.summary[k]!;
    out.push(`| ${cell(t.label)} | ${cell(t.path)} | ${t.error ? cell(t.error) : s.fails} | ${t.error ? '' : `${s.loads}/${s.objects}`} |`);
  });
  out.push('');
  out.push(`| object | section | relo | line | relocation | ${r.targets.map((t) => cell(t.label)).join(' | ')} |`);
  out.push(`|${'---|'.repeat(5 + r.targets.length)}`);
  for (const row of r.rows) {
    const outcomes = row.outcomes.map((o) => cell(o.fails ? `⚠ ${o.text}` : o.text));
    out.push(`| ${cell(row.object)} | ${cell(row.section)} | #${row.index} | ${row.source ? cell(row.source.label) : ''} | \`${cell(row.spec)}\` | ${outcomes.join(' | ')} |`);
  }
  out.push('');
  return out.join('\n');
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function toCsv(r: Result): string {
  const lines = [['object', 'section', 'relo', 'kind', 'line', 'relocation', ...r.targets.flatMap((t) => [t.label, `${t.label} fails`])]];
  for (const row of r.rows) {
    lines.push([row.object, row.section, String(row.index), row.kind, row.source?.label ?? '', row.spec,
      ...row.outcomes.flatMap((o) => [o.text, o.fails ? 'yes' : 'no'])]);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\n') + '\n';
}
