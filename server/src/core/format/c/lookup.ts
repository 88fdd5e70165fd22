import type { Btf } from '../../btf/btf';
import { Kind } from '../../btf/kinds';
import { typeTable } from './table';

const KEYWORDS: Record<string, number[]> = {
  struct: [Kind.STRUCT],
  union: [Kind.UNION],
  enum: [Kind.ENUM, Kind.ENUM64],
  typedef: [Kind.TYPEDEF],
};

/**
 * The type IDs a user means by `spec`: a decimal or 0x ID, or a name (`task_struct`), optionally
 * with its C keyword (`struct task_struct`, `union bpf_attr`, `enum bpf_cmd`, `typedef u64`). A bare
 * name gives every type of that name (forward declarations aside) in ID order; [] when none.
 */
export function findTypes(btf: Btf, spec: string): number[] {
  const s = spec.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(s)) {
    const id = Number(s);
    return id >= 0 && id < btf.typeCount ? [id] : [];
  }
  const m = /^(struct|union|enum|typedef)\s+(.+)$/.exec(s);
  const kinds = m ? KEYWORDS[m[1]!]! : undefined;
  const name = m ? m[2]! : s;
  const t = typeTable(btf);
  const out: number[] = [];
  for (let id = 1; id < t.count; id++) {
    const k = t.kind(id);
    if (kinds ? !kinds.includes(k) : k === Kind.FWD) continue;
    if (t.nameOff(id) !== 0 && t.str(t.nameOff(id)) === name) out.push(id);
  }
  return out;
}
