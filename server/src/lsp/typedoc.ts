/**
 * The read-only documents behind `btf-lens:` URIs: one type as C with offsets in comments (the core's
 * per-type C renderer), its outline, and "what does this word name" inside it (for F12 that follows
 * member types further, across split and base BTF).
 */
import type { Btf } from '../core/btf/btf';
import { Kind, kindName } from '../core/btf/kinds';
import { arrayElemType } from '../core/btf/records';
import { skipModsAndTypedefs } from '../core/btf/resolve';
import { type BtfType, typeById } from '../core/btf/types';
import { cDefinition, cTypeName, elfPointerSize } from '../core/format/c';
import { formatRawToString } from '../core/format/raw';
import type { IndexedFile } from './model';
import { findTypeByName, type TagKeyword } from './names';
import { typeDocUri } from './uri';

export interface RenderedType {
  text: string;
  /** 0-based line of each member (by path of member indices through anonymous members), for outline and jumps. */
  members: RenderedMember[];
  /** Line of the type's own declaration (after the header comment). */
  firstLine: number;
}

export interface RenderedMember {
  name: string;
  line: number;
  /** The member's (or parameter's, or variable's) type; absent for enumerators. */
  type?: number;
  /** Children of an anonymous struct/union member, rendered inline. */
  children: RenderedMember[];
  kind: 'member' | 'enumerator' | 'param' | 'var';
}

const cache = new WeakMap<IndexedFile, Map<number, RenderedType>>();

export function pointerSizeOf(file: IndexedFile): number | undefined {
  return file.input ? elfPointerSize(file.input) : undefined;
}

/** `struct task_struct`, `typedef atomic_t`, `func core_reads`: the type as a title. */
export function typeTitle(btf: Btf, id: number): string {
  const k = btf.kind(id);
  const name = btf.name(id);
  switch (k) {
    case Kind.STRUCT: return `struct ${name || '(anon)'}`;
    case Kind.UNION: return `union ${name || '(anon)'}`;
    case Kind.ENUM: case Kind.ENUM64: return `enum ${name || '(anon)'}`;
    case Kind.FWD: return `${btf.kflag(id) ? 'union' : 'struct'} ${name}`;
    case Kind.TYPEDEF: return `typedef ${name}`;
    case Kind.FUNC: return `func ${name}`;
    case Kind.VAR: return `var ${name}`;
    case Kind.DATASEC: return `section ${name}`;
    default: return name || `${kindName(k).toLowerCase()} [${id}]`;
  }
}

/** The C spelling of a type for hovers (`struct task_struct`, `int *`). */
export function cName(file: IndexedFile, btf: Btf, id: number): string {
  return cTypeName(btf, id, { pointerSize: pointerSizeOf(file) });
}

export function typeUri(file: IndexedFile, id: number): string {
  return typeDocUri(file.path, id, file.btf ? typeTitle(file.btf, id) : String(id));
}

/** Renders type `id` of `file` (which must own it: see WorkspaceIndex.ownerOf). */
export function renderType(file: IndexedFile, id: number): RenderedType {
  let m = cache.get(file);
  if (!m) cache.set(file, (m = new Map()));
  const hit = m.get(id);
  if (hit) return hit;
  const btf = file.btf!;
  const t = typeById(btf, id);
  const header = `/* [${id}] ${kindName(btf.kind(id))} '${btf.name(id) || '(anon)'}' · ${file.label} */`;
  let body: string;
  try {
    body = t ? cDefinition(btf, id, { pointerSize: pointerSizeOf(file) }) : `/* no type [${id}] */`;
  } catch {
    body = formatRawToString(btf, [id]).trimEnd();
  }
  if (t && (t.kind === 'PTR' || t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG' || t.kind === 'ARRAY' || t.kind === 'FUNC_PROTO')) {
    // Anonymous types have no C definition of their own: show bpftool's line too.
    body = `${body}\n/* ${formatRawToString(btf, [id]).trimEnd().replace(/\*\//g, '* /')} */`;
  }
  const text = `${header}\n${body}\n`;
  const lines = text.split('\n');
  const r: RenderedType = { text, members: [], firstLine: 1 };
  if (t) r.members = locateMembers(btf, t, lines, 1);
  m.set(id, r);
  return r;
}

/** Members located, and lines looked at for one, at most. */
const MAX_LOCATED = 4096;

/** Finds each member's line, in order (anonymous members' fields are rendered inline). */
function locateMembers(btf: Btf, t: BtfType, lines: string[], from: number): RenderedMember[] {
  let cursor = from;
  const find = (name: string): number => {
    if (!name) return -1;
    const re = new RegExp(`\\b${escapeRegExp(name)}\\b`); // a name from the file is text, not a pattern
    for (let i = cursor, end = Math.min(lines.length, cursor + MAX_LOCATED); i < end; i++) {
      if (re.test(lines[i]!.replace(/\/\*.*?\*\//g, ''))) {
        cursor = i + 1;
        return i;
      }
    }
    return -1;
  };
  const open = new Set<number>();
  // A real struct has hundreds of members with its inline ones; forged anonymous types nesting each
  // other vlen-fold would make it vlen^8.
  let budget = MAX_LOCATED;
  const walk = (tt: BtfType, depth: number): RenderedMember[] => {
    const out: RenderedMember[] = [];
    if (--budget < 0) return out;
    if (tt.kind === 'STRUCT' || tt.kind === 'UNION') {
      for (const mem of tt.members) {
        if (--budget < 0) break;
        if (mem.name) {
          const line = find(mem.name);
          out.push({ name: mem.name, line: line < 0 ? from : line, type: mem.type, children: [], kind: 'member' });
          continue;
        }
        // Anonymous member: its fields follow inline.
        const start = cursor;
        const inner = skipModsAndTypedefs(btf, mem.type);
        // A type inlined in itself (forged BTF) is walked once: else each level multiplies the work by vlen.
        const it = inner > 0 && depth < 8 && !open.has(inner) ? typeById(btf, inner) : undefined;
        open.add(inner);
        const children = it && (it.kind === 'STRUCT' || it.kind === 'UNION') ? walk(it, depth + 1) : [];
        open.delete(inner);
        out.push({ name: '', line: start, type: mem.type, children, kind: 'member' });
      }
    } else if (tt.kind === 'ENUM' || tt.kind === 'ENUM64') {
      for (const v of tt.values) {
        const line = find(v.name);
        out.push({ name: v.name, line: line < 0 ? from : line, children: [], kind: 'enumerator' });
      }
    } else if (tt.kind === 'DATASEC') {
      for (const v of tt.vars) {
        const name = btf.name(v.type);
        out.push({ name, line: from, type: v.type, children: [], kind: 'var' });
      }
    } else if (tt.kind === 'TYPEDEF') {
      const inner = skipModsAndTypedefs(btf, tt.type);
      if (inner > 0 && !btf.name(inner)) {
        const it = typeById(btf, inner);
        if (it && depth < 8) return walk(it, depth + 1);
      }
    }
    return out;
  };
  return walk(t, 0);
}

/** The identifier at `character` of `line`, with the C tag keyword before it if any. */
export function wordAt(line: string, character: number): { word: string; start: number; end: number; keyword: TagKeyword } | undefined {
  const isId = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let s = character;
  let e = character;
  if (!isId(line[s]) && isId(line[s - 1])) s = e = character - 1;
  if (!isId(line[s])) return undefined;
  while (s > 0 && isId(line[s - 1])) s--;
  while (e < line.length && isId(line[e])) e++;
  const word = line.slice(s, e);
  if (/^\d/.test(word)) return undefined;
  const m = /\b(struct|union|enum)\s+$/.exec(line.slice(0, s));
  return { word, start: s, end: e, keyword: m ? (m[1] as TagKeyword) : undefined };
}

/** The named type a type reference ends at: through pointers, arrays, modifiers (typedefs kept). */
export function namedTarget(btf: Btf, id: number): number {
  for (let i = 0; i < 32 && id > 0; i++) {
    const k = btf.kind(id);
    if (k === Kind.PTR || k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) id = btf.sizeOrType(id);
    else if (k === Kind.ARRAY) id = arrayElemType(btf, id);
    else if (k === Kind.VAR) id = btf.sizeOrType(id);
    else return id;
  }
  return id;
}

/** What a word in a rendered type document names: a type of that file's BTF chain. */
export function resolveWordInDoc(file: IndexedFile, docId: number, line: number, word: string, keyword: TagKeyword): number | undefined {
  const btf = file.btf!;
  if (keyword || !isMemberOnLine(file, docId, line, word)) {
    const byName = findTypeByName(btf, word, keyword);
    if (byName !== undefined) return byName;
  }
  // A member (or enumerator/param) name: follow its type.
  const r = renderType(file, docId);
  const stack = [...r.members];
  while (stack.length) {
    const m = stack.shift()!;
    if (m.name === word && m.type !== undefined && m.line === line) return namedTarget(btf, m.type);
    stack.push(...m.children);
  }
  return findTypeByName(btf, word, keyword);
}

function isMemberOnLine(file: IndexedFile, docId: number, line: number, word: string): boolean {
  const stack = [...renderType(file, docId).members];
  while (stack.length) {
    const m = stack.shift()!;
    if (m.name === word && m.line === line) return true;
    stack.push(...m.children);
  }
  return false;
}

export { typeById };

/** `s` matched literally inside a regular expression. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
