import type { Btf } from '../btf/btf';
import type { MinCoreReport } from './min-core-btf';

/**
 * The report of `gen min-core-btf --report`: per target, what BTFGen kept and why — per relocation, the
 * spec libbpf matched in the target and the types and members that made it keep. Text for people, JSON
 * (README "gen min-core-btf report") for tools; both from the same rows.
 */
export interface TargetReport {
  target: string;
  out: string;
  /** sizes of the target's BTF and of OUT, in bytes */
  targetBytes?: number;
  outBytes?: number;
  /** bpftool's failure for this target (no OUT written) */
  error?: string;
  report?: MinCoreReport;
}

export function minCoreReportJson(targets: readonly TargetReport[]): object {
  return {
    targets: targets.map((t) => ({
      target: t.target,
      out: t.error === undefined ? t.out : null,
      error: t.error ?? null,
      targetBytes: t.targetBytes ?? null,
      outBytes: t.outBytes ?? null,
      targetTypes: t.report?.targetTypes ?? null,
      outTypes: t.report?.outTypes ?? null,
      relocations: t.report?.relocations ?? [],
    })),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? ` (${((100 * a) / b).toFixed(2)}%)` : '');

export function formatMinCoreReport(targets: readonly TargetReport[]): string {
  const L: string[] = [];
  for (const t of targets) {
    if (t.error !== undefined || !t.report) {
      L.push(`${t.target}: failed: ${t.error ?? 'no report'}`);
      L.push('');
      continue;
    }
    const r = t.report;
    const bytes = t.outBytes !== undefined && t.targetBytes !== undefined ? `, ${t.outBytes} of ${t.targetBytes} bytes${ratio(t.outBytes, t.targetBytes)}` : '';
    L.push(`${t.target} -> ${t.out}: ${r.outTypes - 1} of ${r.targetTypes - 1} types${bytes}`);
    let object = '';
    for (const x of r.relocations) {
      if (x.object !== object) L.push(`${(object = x.object)}:`);
      L.push(`  ${x.section} relo #${x.index} (insn ${x.insnOff / 8}): ${x.local}`);
      if (x.target === null) {
        L.push(`    ${x.kind === 'local_type_id' ? 'local type ID: nothing from the target' : 'no match in the target: nothing kept'}`);
        continue;
      }
      L.push(`    matches ${x.target}`);
      for (const k of x.kept) {
        const members = k.members === undefined ? '' : k.members.length ? `: ${k.members.join(', ')}` : ': no members';
        L.push(`    keeps [${k.id}] ${k.kind} ${k.name || '<anon>'}${members} -> [${k.outId}]`);
      }
    }
    L.push('');
  }
  return L.join('\n');
}

/** The size of a BTF as written (header and sections), with its bases for a split one: "the full kernel BTF". */
export function btfBytes(btf: Btf): number {
  let n = 0;
  for (const b of btf.chain()) {
    const h = b.header;
    if (h) n += h.hdrLen + Math.max(h.typeOff + h.typeLen, h.strOff + h.strLen, h.layoutOff + h.layoutLen);
  }
  return n;
}
