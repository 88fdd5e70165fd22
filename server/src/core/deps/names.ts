import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { essentialNameLen } from '../core-relo/types';

/**
 * Types of a BTF by kind and essential name (`task_struct___pre514` → `task_struct`), as libbpf's candidate
 * search pairs them: ENUM and ENUM64 are one group, every other kind its own.
 */

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLen(name));
}

function group(kind: number): number {
  return kind === Kind.ENUM64 ? Kind.ENUM : kind;
}

export class NameIndex {
  private readonly map = new Map<string, number[]>();

  constructor(readonly btf: Btf) {
    for (let id = 1; id < btf.typeCount; id++) {
      const k = btf.kind(id);
      if (k === Kind.PTR || k === Kind.ARRAY || k === Kind.FUNC_PROTO || k === Kind.CONST || k === Kind.VOLATILE ||
        k === Kind.RESTRICT || k === Kind.DECL_TAG || k === Kind.TYPE_TAG || k === Kind.DATASEC) continue;
      const name = btf.name(id);
      if (!name) continue;
      const key = `${group(k)}:${essentialName(name)}`;
      const list = this.map.get(key);
      if (list) list.push(id);
      else this.map.set(key, [id]);
    }
  }

  /** IDs of `kind` (ENUM and ENUM64 alike) named `name` (essential names), in ID order. */
  find(kind: number, name: string): number[] {
    return this.map.get(`${group(kind)}:${essentialName(name)}`) ?? [];
  }
}
