import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import type { Candidate } from './calc';
import type { Logger } from './match';
import { TypeView, essentialNameLen, isAnyEnum, targetPointerSize } from './types';

/**
 * The kernel BTF a BPF object is relocated against: vmlinux, and module BTFs split on it. Candidates
 * come from vmlinux; only when it has none are the modules searched (bpf_core_find_cands). Pass no
 * modules to get libbpf's behaviour with `btf_custom_path` (what core_oracle does).
 */
export interface CoreTarget {
  vmlinux: Btf;
  modules?: { name: string; btf: Btf }[];
}

/** Where one blob's string section lies, to compare names as bytes without decoding them. */
interface StrRange {
  bytes: Uint8Array;
  startOff: number;
  start: number;
  len: number;
}
function strRanges(btf: Btf): StrRange[] {
  return btf.chain().map((b) => {
    const h = b.header;
    const bytes = b.view.bytes;
    const start = h && h.hdrLen <= bytes.length ? h.hdrLen + Math.min(h.strOff, bytes.length - h.hdrLen) : 0;
    return { bytes, startOff: b.startStrOff, start, len: b.stringsLength };
  }).reverse();
}

/**
 * The own types of one BTF blob listed per kind, IDs ascending, each with where its name's bytes are:
 * one pass over the types, once per target, so that a candidate search walks only the types of the
 * local type's kind and compares names as bytes (libbpf strcmp()s the name of every type instead).
 */
class KindIndex {
  readonly ids: Uint32Array[] = [];
  /** Byte position of each name in `blobs[blob[k][i]]` (-1: no name or an invalid offset). */
  readonly pos: Int32Array[] = [];
  readonly blob: Uint8Array[] = [];
  readonly blobs: Uint8Array[];
  readonly ends: number[];
  constructor(btf: Btf, from: number) {
    const strs = strRanges(btf);
    this.blobs = strs.map((r) => r.bytes);
    this.ends = strs.map((r) => r.start + r.len);
    const n = Math.max(0, btf.typeCount - from);
    const kinds = new Uint8Array(n);
    const nameOffs = new Uint32Array(n);
    const counts = new Uint32Array(128);
    const own = from >= btf.startId;
    const dv = btf.view.dv;
    const le = btf.view.le;
    for (let i = 0; i < n; i++) {
      let k = 0;
      let nameOff = 0;
      if (own) {
        const o = btf.typeOffset(from + i);
        nameOff = dv.getUint32(o, le);
        k = (dv.getUint32(o + 4, le) >>> 24) & 0x7f;
      } else {
        const loc = btf.locate(from + i);
        if (loc) {
          nameOff = loc.btf.view.u32(loc.off);
          k = (loc.btf.view.u32(loc.off + 4) >>> 24) & 0x7f;
        }
      }
      kinds[i] = k;
      nameOffs[i] = nameOff;
      counts[k]!++;
    }
    for (let k = 0; k < 128; k++) {
      if (!counts[k]) continue;
      this.ids[k] = new Uint32Array(counts[k]!);
      this.pos[k] = new Int32Array(counts[k]!);
      this.blob[k] = new Uint8Array(counts[k]!);
    }
    const fill = new Uint32Array(128);
    for (let i = 0; i < n; i++) {
      const k = kinds[i]!;
      const at = fill[k]!++;
      this.ids[k]![at] = from + i;
      const off = nameOffs[i]!;
      let p = -1;
      let b = 0;
      if (off !== 0) {
        while (b < strs.length - 1 && off < strs[b]!.startOff) b++;
        const r = strs[b]!;
        const rel = off - r.startOff;
        if (rel >= 0 && rel < r.len) p = r.start + rel;
      }
      this.pos[k]![at] = p;
      this.blob[k]![at] = b;
    }
  }
}

const indexes = new WeakMap<Btf, Map<number, KindIndex>>();
function indexOf(btf: Btf, from: number): KindIndex {
  let per = indexes.get(btf);
  if (!per) indexes.set(btf, (per = new Map()));
  let ix = per.get(from);
  if (!ix) per.set(from, (ix = new KindIndex(btf, from)));
  return ix;
}

/** Builds the per-kind index of a target ahead of time (otherwise built on the first lookup). */
export function prepareTarget(target: CoreTarget): void {
  indexOf(target.vmlinux, 1);
  for (const m of target.modules ?? []) indexOf(m.btf, m.btf.startId);
}

const utf8 = new TextEncoder();
const views = new WeakMap<Btf, TypeView>();
/** One TypeView per target BTF, so that what it caches serves every relocation. */
function targetView(btf: Btf): TypeView {
  let v = views.get(btf);
  if (!v) views.set(btf, (v = new TypeView(btf, targetPointerSize(btf))));
  return v;
}

/**
 * IDs of the types from `from` whose kind is CO-RE-compatible with `kind` (ENUM and ENUM64 alike) and whose
 * essential name (`task_struct___pre514` → `task_struct`) is `name`'s, in ID order: libbpf's candidate search
 * (bpf_core_add_cands) without its log, over the per-kind index, names compared as bytes.
 */
export function candidateIds(tbtf: Btf, from: number, kind: number, name: string): number[] {
  const ix = indexOf(tbtf, from);
  const ess = essentialNameLen(name);
  const prefix = utf8.encode(name.slice(0, ess));
  // kinds libbpf accepts for this local kind (btf_kind_core_compat), scanned in ID order
  const kinds = isAnyEnum(kind) ? [Kind.ENUM, Kind.ENUM64] : [kind];
  const hits: number[] = [];
  const essName = name.slice(0, ess);
  const plen = prefix.length;
  const p0 = prefix[0]!;
  const b0 = ix.blobs[0]!;
  const end0 = ix.ends[0]!;
  for (const k of kinds) {
    const ids = ix.ids[k];
    const pos = ix.pos[k];
    const blob = ix.blob[k];
    if (!ids || !pos || !blob) continue;
    for (let i = 0; i < ids.length; i++) {
      const p = pos[i]!;
      if (p < 0) continue;
      const bi = blob[i]!;
      const b = bi === 0 ? b0 : ix.blobs[bi]!;
      if (b[p] !== p0 || p + plen >= (bi === 0 ? end0 : ix.ends[bi]!)) continue;
      let j = 1;
      while (j < plen && b[p + j] === prefix[j]) j++;
      if (j < plen) continue;
      const c = b[p + plen];
      if (c !== 0 && c !== 95) continue;
      // same bytes up to the essential length: now libbpf's own test on the decoded name
      const tname = tbtf.str(tbtf.nameOff(ids[i]!));
      if (!tname || essentialNameLen(tname) !== ess || tname.slice(0, ess) !== essName) continue;
      hits.push(ids[i]!);
    }
  }
  if (kinds.length > 1) hits.sort((a, b) => a - b);
  return hits;
}

/**
 * bpf_core_add_cands over one target BTF: types of a CO-RE-compatible kind whose essential name equals
 * the local one, each logged as libbpf logs it.
 */
function addCands(ltv: TypeView, localId: number, localName: string, tbtf: Btf, btfName: string, from: number, out: Candidate[], log: Logger): void {
  const lk = ltv.kind(localId);
  const hits = candidateIds(tbtf, from, lk, localName);
  if (!hits.length) return;
  const ttv = targetView(tbtf);
  for (const id of hits) {
    log('debug', `CO-RE relocating [${localId}] ${libbpfKindStr(lk)} ${localName}: found target candidate [${id}] ${libbpfKindStr(tbtf.kind(id))} ${tbtf.name(id)} in [${btfName}]`);
    out.push({ tv: ttv, id, btfName });
  }
}

/**
 * The first type of `kind` named exactly `name` (its bytes: `utf8` of it) among the types from ID `from`
 * (1: a split BTF's base included; its startId: its own), or 0: a scan of that kind's names as bytes, no
 * string decoded. Answers a few lookups on a fresh target faster than a map of every name would.
 */
export function scanByNameKind(btf: Btf, from: number, nameBytes: Uint8Array, kind: number): number {
  const ix = indexOf(btf, from);
  const ids = ix.ids[kind];
  const pos = ix.pos[kind];
  const blob = ix.blob[kind];
  const n = nameBytes.length;
  if (!ids || !pos || !blob || n === 0) return 0;
  const c0 = nameBytes[0]!;
  for (let i = 0; i < ids.length; i++) {
    const p = pos[i]!;
    if (p < 0) continue;
    const b = ix.blobs[blob[i]!]!;
    if (b[p] !== c0 || p + n >= ix.ends[blob[i]!]!) continue;
    let j = 1;
    while (j < n && b[p + j] === nameBytes[j]) j++;
    if (j === n && b[p + n] === 0) return ids[i]!;
  }
  return 0;
}

/** bpf_core_find_cands: undefined (-EINVAL) for an anonymous or missing local type. */
export function findCands(ltv: TypeView, localId: number, target: CoreTarget, log: Logger): Candidate[] | undefined {
  if (!ltv.exists(localId)) return undefined;
  const localName = ltv.name(localId);
  if (!localName) return undefined;
  const out: Candidate[] = [];
  addCands(ltv, localId, localName, target.vmlinux, 'vmlinux', 1, out, log);
  if (out.length) return out;
  for (const m of target.modules ?? []) addCands(ltv, localId, localName, m.btf, m.name, m.btf.startId, out, log);
  return out;
}
