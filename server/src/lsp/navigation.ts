/**
 * Go to definition / type definition (from a relocation or a type name on a source line, and from a
 * word inside a type document), document symbols of sources and type documents, code lenses over BPF functions,
 * and the disassembly document of one function.
 */
import { Kind } from '../core/btf/kinds';
import { isEnumvalBased } from '../core/core-relo/spec';
import { CodeLens, DocumentSymbol, type Location, Range, SymbolKind } from 'vscode-languageserver';
import { lineGroups } from './lines';
import { openCommand } from './markup';
import { accessesAt } from './member-place';
import { type IndexedFile, coreRelosIn, countInsns, functionListing, functionsOf, insnLines, sourceLineReader } from './model';
import { findTypeByName } from './names';
import { type RenderedMember, escapeRegExp, namedTarget, renderType, resolveWordInDoc, typeTitle, typeUri, wordAt } from './typedoc';
import { disasmDocUri, parseVirtualUri } from './uri';
import type { WorkspaceIndex } from './workspace';

export function locationOfType(index: WorkspaceIndex, file: IndexedFile, id: number, memberPath?: string): Location | undefined {
  const owner = index.ownerOf(file, id);
  if (!owner.btf || !owner.btf.owner(id)) return undefined;
  const r = renderType(owner, id);
  let line = r.firstLine;
  if (memberPath) {
    const stack: RenderedMember[] = [...r.members];
    while (stack.length) {
      const m = stack.shift()!;
      if (m.name === memberPath) {
        line = m.line;
        break;
      }
      stack.push(...m.children);
    }
  }
  return { uri: typeUri(owner, id), range: Range.create(line, 0, line, 0) };
}

/** F12 / "go to type definition" on a source line. */
export function sourceDefinition(index: WorkspaceIndex, sourcePath: string, line: number, character: number, text: (n: number) => string, typeDef: boolean): Location[] {
  const w = wordAt(text(line), character);
  if (!w) return [];
  const out: Location[] = [];
  const seen = new Set<string>();
  const push = (l: Location | undefined) => {
    if (!l) return;
    const k = `${l.uri}#${l.range.start.line}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  };
  const groups = lineGroups(index, sourcePath, line, text);
  // 1. A member where a relocation on this line accesses it (not the same name elsewhere on the line).
  for (const { group, access } of accessesAt(groups, line, character, text)) {
    const btf = group.file.btf!;
    if (typeDef) push(locationOfType(index, group.file, namedTarget(btf, access.typeId)));
    else push(locationOfType(index, group.file, access.parentId, access.name));
  }
  if (out.length) return out;
  // 2. A relocation's root type named on the line (casts, bpf_core_type_exists(struct x), enum values).
  for (const g of groups) {
    const btf = g.file.btf!;
    for (const r of g.relos) {
      const root = r.rec.typeId;
      if (btf.name(root) === w.word) push(locationOfType(index, g.file, root));
      const first = r.spec?.accessors[0];
      if (first?.name === w.word && isEnumvalBased(r.rec.kind)) push(locationOfType(index, g.file, root, w.word));
    }
  }
  if (out.length) return out;
  // 3. Any type of the objects built from this file, by name.
  for (const { file } of index.objectsFor(sourcePath)) {
    if (!file.btf) continue;
    const id = findTypeByName(file.btf, w.word, w.keyword);
    if (id === undefined) continue;
    const k = file.btf.kind(id);
    if (k === Kind.INT || k === Kind.FLOAT) continue;
    push(locationOfType(index, file, typeDef && (k === Kind.VAR || k === Kind.FUNC) ? namedTarget(file.btf, id) : id));
  }
  return out;
}

/** F12 inside a type document: a type name, or a member whose type to follow. */
export function docDefinition(index: WorkspaceIndex, uri: string, line: number, character: number): Location[] {
  const v = parseVirtualUri(uri);
  if (!v || v.kind !== 'type') return [];
  const file = index.fileByPath(v.file);
  if (!file?.btf) return [];
  const text = renderType(file, v.id).text.split('\n')[line] ?? '';
  const w = wordAt(text, character);
  if (!w) return [];
  const id = resolveWordInDoc(file, v.id, line, w.word, w.keyword);
  if (id === undefined || id === 0) return [];
  const l = locationOfType(index, file, id);
  return l ? [l] : [];
}

const SYMBOL_KIND: Record<number, SymbolKind> = {
  [Kind.STRUCT]: SymbolKind.Struct, [Kind.UNION]: SymbolKind.Struct, [Kind.FWD]: SymbolKind.Struct,
  [Kind.ENUM]: SymbolKind.Enum, [Kind.ENUM64]: SymbolKind.Enum, [Kind.TYPEDEF]: SymbolKind.TypeParameter,
  [Kind.FUNC]: SymbolKind.Function, [Kind.VAR]: SymbolKind.Variable, [Kind.DATASEC]: SymbolKind.Module,
  [Kind.INT]: SymbolKind.Number, [Kind.FLOAT]: SymbolKind.Number,
};

export function symbolKindOf(kind: number): SymbolKind {
  return SYMBOL_KIND[kind] ?? SymbolKind.Class;
}

export function docSymbols(index: WorkspaceIndex, uri: string): DocumentSymbol[] {
  const v = parseVirtualUri(uri);
  if (!v) return [];
  const file = index.fileByPath(v.file);
  if (!file?.btf) return [];
  if (v.kind === 'disasm') return disasmSymbols(index, v.file, v.func);
  if (!file.btf.owner(v.id)) return [];
  const r = renderType(file, v.id);
  const lines = r.text.split('\n');
  const lastLine = Math.max(r.firstLine, lines.length - 2);
  const whole = Range.create(r.firstLine, 0, lastLine, lines[lastLine]?.length ?? 0);
  const conv = (m: RenderedMember): DocumentSymbol => {
    const len = lines[m.line]?.length ?? 0;
    const range = Range.create(m.line, 0, m.line, len);
    const children = m.children.map(conv);
    const end = children.length ? children[children.length - 1]!.range.end : range.end;
    return DocumentSymbol.create(
      m.name || '(anon)', undefined,
      m.kind === 'enumerator' ? SymbolKind.EnumMember : m.kind === 'var' ? SymbolKind.Variable : SymbolKind.Field,
      Range.create(range.start, end), range, children,
    );
  };
  const root = DocumentSymbol.create(typeTitle(file.btf, v.id), undefined, symbolKindOf(file.btf.kind(v.id)), whole, Range.create(r.firstLine, 0, r.firstLine, lines[r.firstLine]?.length ?? 0), r.members.map(conv));
  return [root];
}

/** A BPF function defined in a source, in one object built from it. */
interface SourceFunction {
  file: IndexedFile;
  section: string;
  name: string;
  /** 0-based line of its declaration (`int name(`). */
  line: number;
  insns: number;
  relos: number;
}

/** The BPF functions of every object built from this source whose code starts in it, in object order. */
function sourceFunctions(index: WorkspaceIndex, sourcePath: string, lines: string[]): SourceFunction[] {
  const out: SourceFunction[] = [];
  for (const { file, names } of index.objectsFor(sourcePath)) {
    const btf = file.btf;
    if (!file.object || !btf) continue;
    for (const prog of file.object.programs) {
      const il = insnLines(file, prog);
      for (const f of functionsOf(btf, prog)) {
        const li = prog.slots.lineOfSlot[f.start];
        if (li === undefined || li < 0) continue;
        const rec = prog.section.lineInfo[li]!;
        if (!names.includes(btf.str(rec.fileNameOff) ?? '')) continue;
        out.push({
          file, section: prog.section.name, name: f.name, line: functionLine(lines, f.name, rec.line - 1),
          insns: countInsns(il, f.start, f.end), relos: coreRelosIn(prog, f.start, f.end),
        });
      }
    }
  }
  return out;
}

const counts = (f: SourceFunction) => `${f.insns} instruction${f.insns === 1 ? '' : 's'} · ${f.relos} CO-RE relocation${f.relos === 1 ? '' : 's'}`;

/** Code lenses above each BPF function defined in this source. */
export function codeLenses(index: WorkspaceIndex, sourcePath: string, text: string): CodeLens[] {
  const fns = sourceFunctions(index, sourcePath, text.split('\n'));
  const multi = index.objectsFor(sourcePath).length > 1;
  return fns.map((f) => {
    const lens = CodeLens.create(Range.create(f.line, 0, f.line, 0), undefined);
    lens.command = openCommand(`${f.section} · ${counts(f)}${multi ? ` · ${f.file.label}` : ''}`, disasmDocUri(f.file.path, f.name));
    return lens;
  });
}

/**
 * Outline of a BPF C source: its BPF programs and subprograms (the functions of the objects built from
 * it, `SEC` name as detail), each over its definition's lines, with one child per object built from it
 * (instruction and CO-RE relocation counts).
 */
export function sourceSymbols(index: WorkspaceIndex, sourcePath: string, text: string): DocumentSymbol[] {
  const lines = text.split('\n');
  const byFunc = new Map<string, SourceFunction[]>();
  for (const f of sourceFunctions(index, sourcePath, lines)) {
    const key = `${f.line}\0${f.name}\0${f.section}`;
    const list = byFunc.get(key);
    if (list) list.push(f);
    else byFunc.set(key, [f]);
  }
  const out: DocumentSymbol[] = [];
  for (const fs of byFunc.values()) {
    const { line, name, section } = fs[0]!;
    const last = functionEnd(lines, line);
    const first = line > 0 && /^\s*SEC\(/.test(lines[line - 1]!) ? line - 1 : line;
    const range = Range.create(first, 0, last, lines[last]?.length ?? 0);
    const at = lines[line]!.search(new RegExp(`\\b${name}\\b`));
    const sel = Range.create(line, Math.max(0, at), line, Math.max(0, at) + (at >= 0 ? name.length : 0));
    const children = fs.map((f) => DocumentSymbol.create(f.file.label, counts(f), SymbolKind.Module, range, sel));
    // Functions of .text are subprograms (called, not attached); the others are programs of their SEC.
    const detail = section === '.text' ? '.text subprogram' : `SEC("${section}")`;
    out.push(DocumentSymbol.create(name, detail, SymbolKind.Function, range, sel, children));
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

/** The line of the `}` closing the body that starts at or after `from` (braces counted outside comments and literals). */
function functionEnd(lines: string[], from: number): number {
  let depth = 0;
  let opened = false;
  let comment = false;
  for (let i = from; i < lines.length && i < from + 5000; i++) {
    const l = lines[i]!;
    for (let j = 0; j < l.length; j++) {
      const c = l[j]!;
      if (comment) {
        if (c === '*' && l[j + 1] === '/') {
          comment = false;
          j++;
        }
      } else if (c === '/' && l[j + 1] === '/') break;
      else if (c === '/' && l[j + 1] === '*') {
        comment = true;
        j++;
      } else if (c === '"' || c === "'") {
        for (j++; j < l.length && l[j] !== c; j++) if (l[j] === '\\') j++;
      } else if (c === '{') {
        depth++;
        opened = true;
      } else if (c === '}' && opened && --depth === 0) return i;
    }
  }
  return from;
}

/** The line declaring `name(` at or above the first line the function's code maps to. */
function functionLine(lines: string[], name: string, from: number): number {
  // names come from the file: a `(` or `[` in one is text, not a regular expression
  const re = new RegExp(`\\b${escapeRegExp(name)}\\s*\\(`);
  for (let i = Math.min(from, lines.length - 1); i >= 0 && i >= from - 40; i--) if (re.test(lines[i]!)) return i;
  return Math.max(0, from);
}

/** A function's instructions with the source lines they come from (like llvm-objdump -S). */
export function disasmText(index: WorkspaceIndex, path: string, func: string): string | undefined {
  const doc = disasmDoc(index, path, func);
  return doc && doc.lines.map((l) => l.text).join('\n') + '\n';
}

/** A disassembly document's lines; source headings keep their key and source text apart, for the outline. */
interface DisasmDoc {
  heading: string;
  lines: { text: string; source?: { key: string; text: string | undefined } }[];
}

function disasmDoc(index: WorkspaceIndex, path: string, func: string): DisasmDoc | undefined {
  const file = index.fileByPath(path);
  const btf = file?.btf;
  if (!file?.object || !btf) return undefined;
  const srcLine = sourceLineReader((name) => file.object!.sources.get(name));
  for (const prog of file.object.programs) {
    const f = functionsOf(btf, prog).find((x) => x.name === func);
    if (!f) continue;
    const il = insnLines(file, prog);
    const heading = `${prog.section.name} · ${file.label}`;
    const out: DisasmDoc['lines'] = [
      { text: `; ${f.name} · ${heading}` },
      { text: `; ${countInsns(il, f.start, f.end)} instructions, ${coreRelosIn(prog, f.start, f.end)} CO-RE relocations` },
      { text: '' },
    ];
    for (const item of functionListing(file, prog, f, srcLine)) {
      if (item.kind === 'source') {
        const text = item.text?.trim();
        out.push({ text: `; ${item.key}${text !== undefined ? `  ${text}` : ''}`, source: { key: item.key, text } });
      } else if (item.kind === 'insn' || item.kind === 'reloc') out.push({ text: item.text });
      else out.push({ text: `\t\t; ${item.text}` });
    }
    return { heading, lines: out };
  }
  return undefined;
}

/**
 * Outline of a disassembly document: the function, and under it each run of instructions from one
 * source line (`; ./src/core.c:138  o->pid = …`), so breadcrumbs tell which C line the cursor is in.
 */
export function disasmSymbols(index: WorkspaceIndex, path: string, func: string): DocumentSymbol[] {
  const doc = disasmDoc(index, path, func);
  if (doc === undefined) return [];
  const lines = [...doc.lines.map((l) => l.text), ''];
  const last = Math.max(0, lines.length - 2);
  const children: DocumentSymbol[] = [];
  doc.lines.forEach(({ source }, i) => {
    if (!source) return;
    const prev = children[children.length - 1];
    if (prev) prev.range.end = { line: i - 1, character: lines[i - 1]!.length };
    const sel = Range.create(i, 0, i, lines[i]!.length);
    children.push(DocumentSymbol.create(source.key, source.text, SymbolKind.Event, Range.create(sel.start, sel.end), sel));
  });
  const tail = children[children.length - 1];
  if (tail) tail.range.end = { line: last, character: lines[last]!.length };
  const whole = Range.create(0, 0, last, lines[last]!.length);
  return [DocumentSymbol.create(func, doc.heading, SymbolKind.Function, whole, Range.create(0, 0, 0, lines[0]!.length), children)];
}
