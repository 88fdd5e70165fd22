import { Btf } from './btf';
import { Kind } from './kinds';
import type { Problem, ProblemCode } from '../util/problems';

/**
 * Re-parents split BTF built against a distilled base (`.BTF.base` of an out-of-tree module) onto
 * a real base, as libbpf's btf__relocate does: each distilled type is matched by name and kind (a
 * distilled FWD matches a STRUCT/UNION, ENUM matches ENUM64) and by size/encoding for INT, FLOAT and
 * for STRUCT/UNION the split embeds by value; then every type ID and string offset of the split is
 * rewritten. Produces a new blob parsed on `base`. Strings that named distilled types are appended
 * to the split's own string table rather than pointed into the base (the names are what matter).
 */
export function relocateSplit(split: Btf, base: Btf, file?: string): { btf?: Btf; problems: Problem[] } {
  const dist = split.base;
  const problems: Problem[] = [];
  const fail = (message: string, code?: ProblemCode) => {
    problems.push({ file, offset: 0, severity: 'error', message, ...(code ? { code } : {}) });
    return { problems };
  };
  if (!dist || !split.header) return fail('no distilled base to relocate from');
  const distCount = dist.typeCount;

  // Which distilled STRUCT/UNIONs the split embeds by value: those must match in size.
  const embedded = new Set<number>();
  for (let id = split.startId; id < split.typeCount; id++) {
    const k = split.kind(id);
    if (k !== Kind.STRUCT && k !== Kind.UNION) continue;
    const { btf: b, off } = split.locate(id)!;
    for (let i = 0, n = split.vlen(id); i < n; i++) {
      const t = b.view.u32(off + 12 + i * 12 + 4);
      if (t > 0 && t < distCount) embedded.add(t);
    }
  }

  const byName = new Map<string, number[]>();
  for (let id = 1; id < distCount; id++) {
    const k = dist.kind(id);
    const name = dist.name(id);
    if (!name || ![Kind.INT, Kind.FLOAT, Kind.ENUM, Kind.ENUM64, Kind.STRUCT, Kind.UNION, Kind.FWD].includes(k)) {
      return fail(`distilled base type [${id}] (kind ${k}${name ? ` '${name}'` : ', anonymous'}) cannot appear in a distilled base`);
    }
    const list = byName.get(name);
    if (list) list.push(id);
    else byName.set(name, [id]);
  }

  const map = new Uint32Array(distCount);
  const intWord = (b: Btf, id: number) => {
    const l = b.locate(id)!;
    return l.btf.view.u32(l.off + 12);
  };
  for (let id = 1; id < base.typeCount; id++) {
    const k = base.kind(id);
    if (![Kind.INT, Kind.FLOAT, Kind.ENUM, Kind.ENUM64, Kind.STRUCT, Kind.UNION, Kind.FWD].includes(k)) continue;
    const cands = byName.get(base.name(id));
    if (!cands) continue;
    for (const d of cands) {
      if (map[d]) continue;
      const dk = dist.kind(d);
      const compatible = dk === k || (dk === Kind.FWD && (k === Kind.STRUCT || k === Kind.UNION))
        || ((dk === Kind.ENUM || dk === Kind.ENUM64) && (k === Kind.ENUM || k === Kind.ENUM64));
      if (!compatible) continue;
      if (dk === Kind.INT && (intWord(dist, d) !== intWord(base, id) || dist.sizeOrType(d) !== base.sizeOrType(id))) continue;
      if (dk === Kind.FLOAT && dist.sizeOrType(d) !== base.sizeOrType(id)) continue;
      if ((dk === Kind.STRUCT || dk === Kind.UNION) && embedded.has(d) && dist.sizeOrType(d) !== base.sizeOrType(id)) continue;
      if ((dk === Kind.ENUM || dk === Kind.ENUM64) && dist.sizeOrType(d) !== base.sizeOrType(id)) continue;
      map[d] = id;
    }
  }
  for (let d = 1; d < distCount; d++) {
    if (!map[d]) return fail(`distilled base type '${dist.name(d)}' [${d}] has no match in the base BTF${base.file ? ` ${base.file}` : ''}: wrong base?`, 'split-wrong-base');
  }

  // Rewrite a copy of the split blob.
  const h = split.header;
  const src = split.view;
  const bytes = new Uint8Array(src.bytes);
  const out = new DataView(bytes.buffer);
  const le = src.le;
  const shift = base.typeCount - distCount;
  const newId = (id: number) => (id === 0 ? 0 : id < distCount ? map[id]! : id + shift);
  const distStrEnd = dist.startStrOff + dist.stringsLength;
  const ownStrLen = h.strLen;
  const newStrStart = base.startStrOff + base.stringsLength;
  const appended: number[] = [];
  const appendedAt = new Map<number, number>();
  let appendedLen = 0;
  const encoder = new TextEncoder();
  const newStr = (off: number): number => {
    if (off === 0) return 0;
    if (off >= distStrEnd) return off - distStrEnd + newStrStart;
    let at = appendedAt.get(off);
    if (at === undefined) {
      const s = encoder.encode(split.str(off) ?? '');
      at = ownStrLen + appendedLen;
      appendedAt.set(off, at);
      for (const c of s) appended.push(c);
      appended.push(0);
      appendedLen += s.length + 1;
    }
    return newStrStart + at;
  };
  const rw = (pos: number, f: (v: number) => number) => out.setUint32(pos, f(out.getUint32(pos, le)), le);
  for (let id = split.startId; id < split.typeCount; id++) {
    const off = split.typeOffset(id);
    const k = split.kind(id);
    const vlen = split.vlen(id);
    rw(off, newStr);
    switch (k) {
      case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
      case Kind.FUNC: case Kind.FUNC_PROTO: case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
        rw(off + 8, newId);
        break;
    }
    const d = off + 12;
    switch (k) {
      case Kind.ARRAY:
        rw(d, newId);
        rw(d + 4, newId);
        break;
      case Kind.STRUCT: case Kind.UNION:
        for (let i = 0; i < vlen; i++) {
          rw(d + i * 12, newStr);
          rw(d + i * 12 + 4, newId);
        }
        break;
      case Kind.ENUM:
        for (let i = 0; i < vlen; i++) rw(d + i * 8, newStr);
        break;
      case Kind.ENUM64:
        for (let i = 0; i < vlen; i++) rw(d + i * 12, newStr);
        break;
      case Kind.FUNC_PROTO:
        for (let i = 0; i < vlen; i++) {
          rw(d + i * 8, newStr);
          rw(d + i * 8 + 4, newId);
        }
        break;
      case Kind.DATASEC:
        for (let i = 0; i < vlen; i++) rw(d + i * 12, newId);
        break;
    }
  }
  // Append the names that used to live in the distilled base to the string section.
  const strEnd = h.hdrLen + h.strOff + h.strLen;
  const blob = new Uint8Array(bytes.length + appendedLen);
  blob.set(bytes.subarray(0, strEnd), 0);
  blob.set(appended, strEnd);
  blob.set(bytes.subarray(strEnd), strEnd + appendedLen);
  const hv = new DataView(blob.buffer);
  hv.setUint32(20, h.strLen + appendedLen, le);
  if (h.layoutLen && h.layoutOff >= h.strOff + h.strLen) hv.setUint32(24, h.layoutOff + appendedLen, le);
  const btf = Btf.parse(blob, { base, file });
  return { btf, problems: [...problems, ...btf.problems] };
}
