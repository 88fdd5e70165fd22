import type { Btf } from '../btf/btf';
import { scanByNameKind } from '../core-relo/candidates';
import { ERRNO } from '../core-relo/types';

/**
 * libbpf's btf__find_by_name_kind (every type from ID 1, a split BTF's base included) and
 * btf__find_by_name_kind_own (the blob's own types): the first type of that kind with that name.
 * libbpf walks the types for every lookup. Here the first lookups of a (BTF, kind) scan that kind's names as
 * bytes (core-relo's per-kind index, shared with the candidate search); past SCANS lookups, a map of first IDs
 * by name is built and kept while the BTF lives: `btf-lens check` of one object asks a few dozen names of a
 * fresh target, the editor asks many of one target it keeps.
 */
const SCANS = 64;
const indexes = new WeakMap<Btf, Map<string, { scans: number; map?: Map<string, number> }>>();
const utf8 = new TextEncoder();

function mapOf(btf: Btf, kind: number, own: boolean): Map<string, number> {
  const m = new Map<string, number>();
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
  let per = indexes.get(btf);
  if (!per) indexes.set(btf, (per = new Map()));
  const key = `${kind}:${own ? 'own' : 'all'}`;
  let st = per.get(key);
  if (!st) per.set(key, (st = { scans: 0 }));
  if (!st.map && (++st.scans > SCANS || name === '')) st.map = mapOf(btf, kind, own);
  if (st.map) return st.map.get(name) ?? -ERRNO.ENOENT;
  return scanByNameKind(btf, own ? btf.startId : 1, utf8.encode(name), kind) || -ERRNO.ENOENT;
}
