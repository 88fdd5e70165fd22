/**
 * The editor's BPF-object requests: program sections and functions (instruction counts as llvm-objdump
 * lists them), one function's disassembly with source lines and CO-RE notes, BTF-defined maps, and the
 * .BTF.ext tables as rows.
 */
import { dirname } from 'node:path';
import { coreReloKindStr, describeCoreRelo } from '../core/core-relo/spec';
import { MAP_TYPE_NAMES } from '../core/object/maps';
import type {
  EditorAsmLine, EditorDisasmRequest, EditorExtRequest, EditorFunction, EditorMap, EditorMapsRequest, EditorProgramsRequest,
} from '../protocol/requests';
import type { EditorDoc } from './editor-docs';
import { coreRelosIn, countInsns, functionListing, functionsOf, insnLines, sourceLineReader } from './model';
import { RequestError } from './request-errors';
import { cName } from './typedoc';
import type { WorkspaceIndex } from './workspace';

function label(doc: EditorDoc, id: number | undefined): string | undefined {
  if (id === undefined || !doc.file.btf) return undefined;
  try {
    return cName(doc.file, doc.file.btf, id);
  } catch {
    return doc.file.btf.name(id);
  }
}

export function programs(doc: EditorDoc): EditorProgramsRequest.Result {
  const obj = doc.file.object;
  const btf = doc.file.btf;
  if (!obj || !btf) return { sections: [], functions: [] };
  const sections: EditorProgramsRequest.Result['sections'] = [];
  const functions: EditorFunction[] = [];
  for (const p of obj.programs) {
    const il = insnLines(doc.file, p);
    sections.push({ name: p.section.name, size: p.section.bytes.length, insns: il.size, relocations: p.section.relocations.length });
    for (const f of functionsOf(btf, p)) {
      const lines = new Set<number>();
      for (let s = f.start; s < f.end; s++) {
        const li = p.slots.lineOfSlot[s];
        if (li !== undefined && li >= 0) lines.add(li);
      }
      const fn: EditorFunction = {
        section: p.section.name, name: f.name, insns: countInsns(il, f.start, f.end), coreRelos: coreRelosIn(p, f.start, f.end), lines: lines.size,
      };
      if (f.typeId !== undefined) fn.typeId = f.typeId;
      functions.push(fn);
    }
  }
  return { sections, functions };
}

export function disasm(doc: EditorDoc, index: WorkspaceIndex | undefined, p: EditorDisasmRequest.Params): EditorDisasmRequest.Result {
  const obj = doc.file.object;
  const btf = doc.file.btf;
  if (!obj || !btf) throw new RequestError(`${doc.file.label} is not a BPF object`);
  const prog = obj.programs.find((x) => x.section.name === p.section);
  const f = prog && functionsOf(btf, prog).find((x) => x.name === p.name);
  if (!prog || !f) throw new RequestError(`no function ${p.name} in section ${p.section} of ${doc.file.label}`);
  const srcLine = sourceLineReader((name) => obj.sources.get(name) ?? (index ? index.resolveSource(name, dirname(doc.path)) : undefined));
  const il = insnLines(doc.file, prog);
  const lines: EditorAsmLine[] = [
    { kind: 'note', text: `${countInsns(il, f.start, f.end)} instructions, ${coreRelosIn(prog, f.start, f.end)} CO-RE relocations` },
  ];
  for (const item of functionListing(doc.file, prog, f, srcLine)) {
    if (item.kind === 'source') {
      const text = item.text ?? item.lineInfoText;
      lines.push({ kind: 'source', text: `${item.key}${text ? `  ${text.trim()}` : ''}` });
    } else if (item.kind === 'insn' || item.kind === 'reloc') {
      lines.push({ kind: item.kind, text: item.text });
    } else {
      lines.push(item);
    }
  }
  return { lines };
}

export function maps(doc: EditorDoc): EditorMapsRequest.Result {
  const obj = doc.file.object;
  if (!obj) return { maps: [] };
  return {
    maps: obj.obj.maps.map((m) => {
      const out: EditorMap = { name: m.name, varId: m.varId, defId: m.defId };
      if (m.type !== undefined) out.type = m.typeName ?? MAP_TYPE_NAMES[m.type] ?? String(m.type);
      if (m.keyType !== undefined) {
        out.keyType = m.keyType;
        out.keyLabel = label(doc, m.keyType);
      }
      if (m.valueType !== undefined) {
        out.valueType = m.valueType;
        out.valueLabel = label(doc, m.valueType);
      }
      if (m.keySize !== undefined) out.keySize = m.keySize;
      if (m.valueSize !== undefined) out.valueSize = m.valueSize;
      if (m.maxEntries !== undefined) out.maxEntries = m.maxEntries;
      if (m.mapFlags !== undefined) out.flags = m.mapFlags;
      if (m.pinning !== undefined) out.pinning = m.pinning;
      return out;
    }),
  };
}

export function ext(doc: EditorDoc): EditorExtRequest.Result {
  const e = doc.file.input?.ext;
  const btf = doc.file.btf;
  const out: EditorExtRequest.Result = { funcInfo: [], lineInfo: [], coreRelo: [] };
  if (!e || !btf) return out;
  // Offsets as instruction indices would hide misaligned records; they stay bytes, as stored.
  for (const s of e.funcInfo) for (const r of s.records) out.funcInfo.push({ section: s.name, insnOff: r.insnOff, typeId: r.typeId, name: btf.name(r.typeId) });
  for (const s of e.lineInfo) {
    for (const r of s.records) {
      out.lineInfo.push({ section: s.name, insnOff: r.insnOff, file: btf.str(r.fileNameOff) ?? '', line: r.line, col: r.col, text: btf.str(r.lineOff) ?? '' });
    }
  }
  for (const s of e.coreRelo) {
    for (const r of s.records) {
      const access = btf.str(r.accessStrOff) ?? '';
      out.coreRelo.push({
        section: s.name, insnOff: r.insnOff, typeId: r.typeId, typeLabel: label(doc, r.typeId) ?? '', access, kind: coreReloKindStr(r.kind),
        spec: describeCoreRelo(btf, r.typeId, access, r.kind).text,
      });
    }
  }
  return out;
}

