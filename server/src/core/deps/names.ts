import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { essentialNameLen } from '../core-relo/types';

/**
 * Types of a BTF by kind and essential name (`task_struct___pre514` → `task_struct`), as libbpf's candidate
 * search pairs them: ENUM and ENUM64 are one group, every other kind its own. A kind's names are decoded
 * the first time one of that kind is looked for (a kernel's 60,000 functions are never, for CO-RE).
 */

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLen(name));
}

function group(kind: number): number {
  return kind === Kind.ENUM64 ? Kind.ENUM : kind;
}

export class NameIndex {
  private readonly byGroup = new Map<number, Map<string, number[]>>();

  constructor(readonly btf: Btf) {}

  /** IDs of `kind` (ENUM and ENUM64 alike) named `name` (essential names), in ID order. */
  find(kind: number, name: string): number[] {
    const g = group(kind);
    let map = this.byGroup.get(g);
    if (!map) this.byGroup.set(g, (map = this.build(g)));
    return map.get(essentialName(name)) ?? [];
  }

  private build(g: number): Map<string, number[]> {
    const btf = this.btf;
    const map = new Map<string, number[]>();
    for (let id = 1; id < btf.typeCount; id++) {
      if (group(btf.kind(id)) !== g) continue;
      const name = btf.name(id);
      if (!name) continue;
      const key = essentialName(name);
      const list = map.get(key);
      if (list) list.push(id);
      else map.set(key, [id]);
    }
    return map;
  }
}
