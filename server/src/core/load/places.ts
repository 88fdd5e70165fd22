import type { Btf } from '../btf/btf';
import type { LineInfoRec } from '../ext/ext';
import type { BtfInput } from '../input';
import type { SourcePlace } from './model';

/**
 * Source places from the object's .BTF.ext line_info: the record that covers an instruction is the last
 * one at or before it in its ELF section (what the verifier prints for it). Lines and columns are
 * 0-based here (the records count from 1; column 0 means "unknown" and becomes 0).
 */
export class SourcePlaces {
  private readonly bySection = new Map<string, LineInfoRec[]>();
  constructor(private readonly obj: BtfInput) {
    for (const s of obj.ext?.lineInfo ?? []) {
      const recs = [...s.records].sort((a, b) => a.insnOff - b.insnOff);
      this.bySection.set(s.name, recs);
    }
  }

  /** The place of the instruction at byte `insnOff` of section `section`. */
  at(section: string, insnOff: number): SourcePlace | undefined {
    const recs = this.bySection.get(section);
    const btf = this.obj.btf;
    if (!recs || !btf) return undefined;
    let lo = 0;
    let hi = recs.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (recs[m]!.insnOff <= insnOff) {
        hit = m;
        lo = m + 1;
      } else {
        hi = m - 1;
      }
    }
    // line 0 is compiler-made code: the record before it says more
    while (hit >= 0 && recs[hit]!.line === 0) hit--;
    if (hit < 0) return undefined;
    return place(btf, recs[hit]!);
  }
}

function place(btf: Btf, r: LineInfoRec): SourcePlace {
  return { file: btf.str(r.fileNameOff) ?? '', line: r.line - 1, column: r.col > 0 ? r.col - 1 : 0 };
}
