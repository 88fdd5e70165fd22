import type { Btf } from '../btf/btf';
import { ERRNO } from '../core-relo/types';

/**
 * libbpf's btf__find_by_name_kind (every type from ID 1, a split BTF's base included) and
 * btf__find_by_name_kind_own (the blob's own types): the first type of that kind with that name.
 * libbpf walks the types for every lookup; here each (BTF, kind) gets one map of first IDs by name,
 * built on the first lookup and kept while the BTF lives, so a target answers many objects.
 */
const indexes = new WeakMap<Btf, Map<string, Map<string, number>>>();

function index(btf: Btf, kind: number, own: boolean): Map<string, number> {
  let per = indexes.get(btf);
  if (!per) indexes.set(btf, (per = new Map()));
  const key = `${kind}:${own ? 'own' : 'all'}`;
  let m = per.get(key);
  if (m) return m;
  m = new Map();
  per.set(key, m);
  for (let id = own ? btf.startId : 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== kind) continue;
    const name = btf.str(btf.nameOff(id));
    if (name !== undefined && !m.has(name)) m.set(name, id);
  }
  return m;
}

/** The ID, 0 for `void`, or -ENOENT. */
export function findByNameKind(btf: Btf, name: string, kind: number, own = false): number {
  if (kind === 0 || name === 'void') return 0;
  return index(btf, kind, own).get(name) ?? -ERRNO.ENOENT;
}
