import type { Btf } from '../btf/btf';
import type { BtfExt } from '../ext/ext';

/**
 * .BTF.ext records one per line, in the format of ../shared/oracles/ext_oracle (libbpf's own parse),
 * so the two diff directly. insn_off is printed as stored (bytes in a .o).
 */
export function formatExt(btf: Btf, ext: BtfExt): string {
  const s = (off: number) => btf.str(off) ?? '<bad-str-off>';
  const out: string[] = [];
  let nf = 0, nl = 0, nc = 0;
  for (const sec of ext.funcInfo) {
    for (const r of sec.records) {
      const name = r.typeId === 0 ? '' : r.typeId < btf.typeCount ? s(btf.nameOff(r.typeId)) : '<bad-type-id>';
      out.push(`func_info ${s(sec.nameOff)} insn_off=${r.insnOff} type_id=${r.typeId} ${name}`);
      nf++;
    }
  }
  for (const sec of ext.lineInfo) {
    for (const r of sec.records) {
      out.push(`line_info ${s(sec.nameOff)} insn_off=${r.insnOff} ${s(r.fileNameOff)}:${r.line}:${r.col} | ${s(r.lineOff)}`);
      nl++;
    }
  }
  for (const sec of ext.coreRelo) {
    for (const r of sec.records) {
      out.push(`core_relo ${s(sec.nameOff)} insn_off=${r.insnOff} type_id=${r.typeId} access=${s(r.accessStrOff)} kind=${r.kind}`);
      nc++;
    }
  }
  const rs = ext.recSizes;
  out.push(`RESULT ok func_info=${nf} line_info=${nl} core_relo=${nc} rec_sizes=${rs.funcInfo}/${rs.lineInfo}/${rs.coreRelo}`);
  return out.join('\n') + '\n';
}
