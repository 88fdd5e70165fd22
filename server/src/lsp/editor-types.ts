/**
 * The editor's type requests over an EditorDoc: overview, filtered pages of rows (any ID of the chain,
 * with the BTF that stores it), children, text, "used by" and pahole-style layout. Rows, children and
 * "used by" come from type-rows.ts (as the `btf/types…` requests' do), plus the chain level.
 */
import { Kind } from '../core/btf/kinds';
import { cDefinition } from '../core/format/c';
import { type StructLayout, formatLayout, structLayout } from '../core/format/layout';
import { formatRawToString } from '../core/format/raw';
import { kindCounts } from '../core/object/bpf-object';
import { lowerBound } from '../core/util/sorted';
import type {
  EditorChild, EditorChildrenRequest, EditorFilter, EditorLayoutMember, EditorLayoutRequest, EditorLocateRequest, EditorOverview, EditorRow,
  EditorRowsRequest, EditorTypeTextRequest, EditorUsedByRequest,
} from '../protocol/requests';
import type { EditorDoc } from './editor-docs';
import type { IndexedFile } from './model';
import { kindNameOf, kindSet } from './names';
import { RequestError } from './request-errors';
import { typeChildren, typeRow, usedBy } from './type-rows';
import { cName, pointerSizeOf, typeUri } from './typedoc';
import type { WorkspaceIndex } from './workspace';

export function overview(doc: EditorDoc): EditorOverview {
  const f = doc.file;
  const btf = f.btf ?? f.input?.btf;
  const elf = f.input?.elf;
  const h = btf?.header;
  const o: EditorOverview = {
    doc: doc.id, uri: f.uri, label: f.label, kind: f.input?.kind ?? 'unreadable', ok: !!f.btf, size: doc.size,
    sections: [], kindCounts: [], chain: doc.chain, firstId: btf?.startId ?? 1, ownTypes: btf?.ownCount ?? 0,
    totalTypes: f.btf ? f.btf.typeCount - 1 : 0,
    problems: f.problems.map((p) => ({ severity: p.severity === 'warning' ? 'warning' : 'error', offset: p.offset, message: p.message })),
    programs: f.object?.obj.programs.length ?? 0, maps: f.object?.obj.maps.length ?? 0, indexed: doc.indexed, mtimeMs: f.mtimeMs,
  };
  if (f.baseMismatch) {
    const m = f.baseMismatch;
    o.baseProblem = { kind: 'mismatch', message: m.problem.message, offset: m.problem.offset, base: m.base, why: m.why };
  } else if (f.missingBase) {
    const p = f.problems.find((x) => x.severity === 'error') ?? { offset: 0, message: 'split BTF: its base BTF is missing' };
    o.baseProblem = { kind: 'missing', message: p.message, offset: p.offset };
  }
  if (elf?.header) o.byteOrder = elf.littleEndian ? 'little' : 'big';
  else if (h) o.byteOrder = h.littleEndian ? 'little' : 'big';
  if (h) {
    o.header = [
      { name: 'version', value: h.version }, { name: 'flags', value: h.flags }, { name: 'hdr_len', value: h.hdrLen },
      { name: 'type_off', value: h.typeOff }, { name: 'type_len', value: h.typeLen }, { name: 'str_off', value: h.strOff },
      { name: 'str_len', value: h.strLen },
    ];
    if (h.hdrLen >= 32) o.header.push({ name: 'layout_off', value: h.layoutOff }, { name: 'layout_len', value: h.layoutLen });
  }
  if (elf) {
    for (const s of elf.sections) if (s.name) o.sections.push({ name: s.name, size: s.size, offset: s.offset });
  } else if (h) {
    o.sections.push({ name: 'header', size: h.hdrLen, offset: 0 }, { name: 'types', size: h.typeLen, offset: h.hdrLen + h.typeOff },
      { name: 'strings', size: h.strLen, offset: h.hdrLen + h.strOff });
    if (h.layoutLen) o.sections.push({ name: 'layout', size: h.layoutLen, offset: h.hdrLen + h.layoutOff });
  }
  if (btf) {
    const counts = [...kindCounts(btf)].sort((a, b) => a[0] - b[0]);
    o.kindCounts = counts.map(([k, count]) => ({ kind: kindNameOf(k), count }));
  }
  const ext = f.input?.ext;
  if (ext) {
    const n = (parts: { records: unknown[] }[]) => parts.reduce((a, p) => a + p.records.length, 0);
    o.ext = { funcInfo: n(ext.funcInfo), lineInfo: n(ext.lineInfo), coreRelo: n(ext.coreRelo) };
  }
  if (f.object?.obj.license !== undefined) o.license = f.object.obj.license;
  return o;
}

function btfOf(doc: EditorDoc) {
  const btf = doc.file.btf;
  if (!btf) throw new RequestError(`${doc.file.label} has no readable BTF${doc.file.missingBase ? ' (its base BTF is missing)' : ''}`);
  return btf;
}

/** Which BTF of the doc's chain stores `id` (0: the file's own). */
export function levelOf(doc: EditorDoc, id: number): number {
  for (let i = 0; i < doc.starts.length; i++) if (id >= doc.starts[i]!) return i;
  return doc.starts.length - 1;
}

export function row(doc: EditorDoc, id: number): EditorRow {
  const btf = btfOf(doc);
  const out: EditorRow = { ...typeRow(doc.file, btf, id), level: levelOf(doc, id) };
  const k = btf.kind(id);
  if (k === Kind.FUNC || k === Kind.VAR || k === Kind.TYPEDEF) {
    const target = btf.sizeOrType(id);
    try {
      out.detail = target ? cName(doc.file, btf, target) : 'void';
    } catch {
      // A broken reference: the row still shows the name.
    }
  }
  return out;
}

function firstOf(doc: EditorDoc, f: EditorFilter): number {
  return f.scope === 'all' ? 1 : btfOf(doc).startId;
}

function isUnfiltered(f: EditorFilter): boolean {
  return !f.name && !f.kinds?.length && !f.namedOnly;
}

/** IDs matching a filter, ascending (cached per doc), or undefined for "every ID of the scope". */
function matches(doc: EditorDoc, f: EditorFilter): Uint32Array | undefined {
  if (isUnfiltered(f)) return undefined;
  const key = JSON.stringify([f.scope, f.name ?? '', !!f.regex, [...(f.kinds ?? [])].sort(), !!f.namedOnly]);
  const hit = doc.matches.get(key);
  if (hit) return hit;
  const btf = btfOf(doc);
  let test: ((s: string) => boolean) | undefined;
  if (f.name) {
    if (f.regex) {
      let re: RegExp;
      try {
        re = new RegExp(f.name, 'i');
      } catch (e) {
        throw new RequestError(`bad regular expression: ${(e as Error).message}`);
      }
      test = (s) => re.test(s);
    } else {
      const q = f.name.toLowerCase();
      test = (s) => s.toLowerCase().includes(q);
    }
  }
  const kinds = kindSet(f.kinds);
  const out: number[] = [];
  for (let id = firstOf(doc, f), end = btf.typeCount; id < end; id++) {
    if (kinds && !kinds.has(btf.kind(id))) continue;
    if (test || f.namedOnly) {
      const name = btf.name(id);
      if (f.namedOnly && !name) continue;
      if (test && !test(name)) continue;
    }
    out.push(id);
  }
  const arr = Uint32Array.from(out);
  if (doc.matches.size >= 8) doc.matches.delete(doc.matches.keys().next().value as string);
  doc.matches.set(key, arr);
  return arr;
}

export function rows(doc: EditorDoc, p: EditorRowsRequest.Params): EditorRowsRequest.Result {
  const btf = btfOf(doc);
  const offset = Math.max(0, Math.floor(p.offset || 0));
  const limit = Math.min(2000, Math.max(1, Math.floor(p.limit || 200)));
  let m: Uint32Array | undefined;
  try {
    m = matches(doc, p);
  } catch (e) {
    if (e instanceof RequestError) return { total: 0, offset, rows: [], error: e.message };
    throw e;
  }
  const first = firstOf(doc, p);
  const total = m ? m.length : btf.typeCount - first;
  const out: EditorRow[] = [];
  for (let i = offset; i < total && out.length < limit; i++) out.push(row(doc, m ? m[i]! : first + i));
  return { total, offset, rows: out };
}

export function locate(doc: EditorDoc, p: EditorLocateRequest.Params): EditorLocateRequest.Result {
  const btf = btfOf(doc);
  if (!Number.isInteger(p.id) || p.id <= 0 || p.id >= btf.typeCount) return { index: -1 };
  const r = row(doc, p.id);
  let m: Uint32Array | undefined;
  try {
    m = matches(doc, p);
  } catch {
    return { index: -1, row: r };
  }
  if (!m) {
    const first = firstOf(doc, p);
    return { index: p.id >= first ? p.id - first : -1, row: r };
  }
  const at = lowerBound(m, p.id);
  return { index: m[at] === p.id ? at : -1, row: r };
}

export function children(doc: EditorDoc, p: EditorChildrenRequest.Params): EditorChildrenRequest.Result {
  const btf = btfOf(doc);
  if (!btf.owner(p.id)) return { children: [] };
  const r = typeChildren(doc.file, btf, p.id);
  const kids: EditorChild[] = r.children.map((c) => (c.typeId ? { ...c, level: levelOf(doc, c.typeId) } : c));
  return { type: row(doc, p.id), children: kids };
}

export function typeText(doc: EditorDoc, index: WorkspaceIndex | undefined, p: EditorTypeTextRequest.Params): EditorTypeTextRequest.Result {
  const btf = btfOf(doc);
  if (!btf.owner(p.id)) throw new RequestError(`no type [${p.id}] in ${doc.file.label}`);
  let c: string;
  try {
    c = cDefinition(btf, p.id, { pointerSize: pointerSizeOf(doc.file) });
  } catch (e) {
    c = `/* cannot be written as C: ${(e as Error).message} */`;
  }
  let raw: string;
  try {
    raw = formatRawToString(btf, [p.id]);
  } catch (e) {
    raw = `(raw dump failed: ${(e as Error).message})`;
  }
  const out: EditorTypeTextRequest.Result = { c, raw };
  if (doc.indexed && index) out.uri = typeUri(index.ownerOf(doc.file, p.id), p.id);
  return out;
}

export function usedByRows(doc: EditorDoc, p: EditorUsedByRequest.Params): EditorUsedByRequest.Result {
  const r = usedBy(doc.file, btfOf(doc), p.id, Math.max(1, p.limit ?? 500));
  return { rows: r.rows.map((x) => ({ ...x, level: levelOf(doc, x.id) })), truncated: r.truncated };
}

export function layout(doc: EditorDoc, p: EditorLayoutRequest.Params): EditorLayoutRequest.Result {
  const btf = btfOf(doc);
  const opts = { pointerSize: pointerSizeOf(doc.file), cacheline: p.cacheline ?? 64 };
  const k = btf.owner(p.id) ? btf.kind(p.id) : -1;
  if (k !== Kind.STRUCT && k !== Kind.UNION) {
    return { id: p.id, name: btf.name(p.id), size: 0, cacheline: opts.cacheline, members: [], padding: 0, holes: 0, sumHoles: 0, text: '' };
  }
  const l = structLayout(btf, p.id, opts)!;
  const members: EditorLayoutMember[] = [];
  flatten(doc.file, l, 0, 0, members);
  return {
    id: p.id, name: l.name, kind: l.kind, size: l.size, cacheline: l.cacheline, members, padding: l.padding, holes: l.holes,
    sumHoles: l.sumHoles, text: formatLayout(btf, p.id, opts) ?? '',
  };
}

/** Members in order, anonymous struct/union members followed by their own members (offsets made absolute). */
function flatten(file: IndexedFile, l: StructLayout, base: number, depth: number, out: EditorLayoutMember[]): void {
  if (depth > 32) return;
  const btf = file.btf!;
  for (const m of l.members) {
    let label: string;
    try {
      label = cName(file, btf, m.type);
    } catch {
      label = btf.name(m.type);
    }
    out.push({
      name: m.name, typeId: m.type, typeLabel: label, offset: base + m.byteOffset, size: m.size, bitfieldOffset: m.bitfieldOffset,
      bitfieldSize: m.bitfieldSize, hole: m.hole, bitHole: m.bitHole, depth,
    });
    if (m.inner && !m.dims && !m.pointers) flatten(file, m.inner, base + m.byteOffset, depth + 1, out);
  }
}
