import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { skipModsAndTypedefs } from '../btf/resolve';

/** enum bpf_map_type, named as libbpf's libbpf_bpf_map_type_str prints them. */
export const MAP_TYPE_NAMES: readonly string[] = [
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array', 'stack_trace',
  'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps', 'hash_of_maps', 'devmap', 'sockmap',
  'cpumap', 'xskmap', 'sockhash', 'cgroup_storage', 'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack',
  'sk_storage', 'devmap_hash', 'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter',
  'user_ringbuf', 'cgrp_storage', 'arena',
];

/** A BTF-defined map (`struct { __uint(type, …); __type(key, …); … } name SEC(".maps");`). */
export interface MapDef {
  name: string;
  /** The VAR's type ID and the struct describing the map. */
  varId: number;
  defId: number;
  type?: number;
  typeName?: string;
  keyType?: number;
  valueType?: number;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  mapFlags?: number;
  numaNode?: number;
  pinning?: number;
  mapExtra?: number;
  /** Map-in-map / prog-array `values`: the inner map definition's type ID. */
  innerDefId?: number;
  /** Members this code does not know, by name. */
  unknown: string[];
}

/** `int (*name)[N]` encodes N; returns undefined when the member is not of that shape. */
function intField(btf: Btf, memberType: number): number | undefined {
  const p = skipModsAndTypedefs(btf, memberType);
  if (p <= 0 || btf.kind(p) !== Kind.PTR) return undefined;
  const a = skipModsAndTypedefs(btf, btf.sizeOrType(p));
  if (a <= 0 || btf.kind(a) !== Kind.ARRAY) return undefined;
  const loc = btf.locate(a)!;
  return loc.btf.view.u32(loc.off + 20);
}

function pointee(btf: Btf, memberType: number): number | undefined {
  const p = skipModsAndTypedefs(btf, memberType);
  return p > 0 && btf.kind(p) === Kind.PTR ? btf.sizeOrType(p) : undefined;
}

/** Map definition from a struct type ID, as libbpf's parse_btf_map_def reads it. */
export function readMapDef(btf: Btf, name: string, varId: number, defId: number): MapDef {
  const def: MapDef = { name, varId, defId, unknown: [] };
  const id = skipModsAndTypedefs(btf, defId);
  if (id <= 0 || btf.kind(id) !== Kind.STRUCT) return def;
  const loc = btf.locate(id)!;
  const v = loc.btf.view;
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const m = loc.off + 12 + i * 12;
    const mname = loc.btf.str(v.u32(m)) ?? '';
    const mt = v.u32(m + 4);
    switch (mname) {
      case 'type': def.type = intField(btf, mt); def.typeName = def.type === undefined ? undefined : MAP_TYPE_NAMES[def.type] ?? `type ${def.type}`; break;
      case 'max_entries': def.maxEntries = intField(btf, mt); break;
      case 'map_flags': def.mapFlags = intField(btf, mt); break;
      case 'numa_node': def.numaNode = intField(btf, mt); break;
      case 'key_size': def.keySize = intField(btf, mt); break;
      case 'value_size': def.valueSize = intField(btf, mt); break;
      case 'pinning': def.pinning = intField(btf, mt); break;
      case 'map_extra': def.mapExtra = intField(btf, mt); break;
      case 'key': def.keyType = pointee(btf, mt); break;
      case 'value': def.valueType = pointee(btf, mt); break;
      case 'values': {
        // __array(values, struct inner): a zero-length array of pointers to the inner definition.
        const a = skipModsAndTypedefs(btf, mt);
        if (a > 0 && btf.kind(a) === Kind.ARRAY) {
          const al = btf.locate(a)!;
          const inner = pointee(btf, al.btf.view.u32(al.off + 12));
          if (inner !== undefined) def.innerDefId = inner;
        }
        break;
      }
      default: def.unknown.push(mname);
    }
  }
  return def;
}
