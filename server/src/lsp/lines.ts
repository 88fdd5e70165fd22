/**
 * "What did this source line compile to": for a line of a workspace source, every object built from
 * it, and in each the instruction slots (grouped by function) and the CO-RE relocations on them.
 */
import type { Btf } from '../core/btf/btf';
import { Kind } from '../core/btf/kinds';
import { Members, arrayElemType } from '../core/btf/records';
import { resolveSize, skipModsAndTypedefs } from '../core/btf/resolve';
import { type CoreSpec, describeCoreRelo, isEnumvalBased, isFieldBased } from '../core/core-relo/spec';
import type { CoreReloRec } from '../core/ext/ext';
import { INSN_SIZE } from '../core/object/bpf-object';
import { type FunctionRange, type IndexedFile, type ProgramModel, functionsOf } from './model';
import type { WorkspaceIndex } from './workspace';

export interface ReloOnLine {
  rec: CoreReloRec;
  slot: number;
  /** libbpf's text for the spec (`<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)`). */
  text: string;
  spec?: CoreSpec;
  error?: string;
}

export interface LineGroup {
  file: IndexedFile;
  prog: ProgramModel;
  func: FunctionRange;
  slots: number[];
  relos: ReloOnLine[];
  /** The line_info file names that mean this source in this object. */
  sources: string[];
}

/**
 * `line` is 0-based (LSP); `text(n)` gives 0-based source line n. Instructions are the line table's
 * (slots whose line_info record names this line). Relocations are attributed to the line whose text
 * names what they access: clang often schedules a relocated load under a neighbouring line's record
 * (`r1 = 8` of `BPF_CORE_READ(t, pid)` sits under `if (!o)`), so a relocation whose own line does not
 * mention its members goes to the nearest line (by instruction distance) in the same function that does.
 */
export function lineGroups(index: WorkspaceIndex, sourcePath: string, line: number, text: (n: number) => string): LineGroup[] {
  const out: LineGroup[] = [];
  for (const { file, names } of index.objectsFor(sourcePath)) {
    if (!file.object || !file.btf) continue;
    for (const { prog, funcs } of attributionOf(file, sourcePath, names, text)) {
      for (const fa of funcs) {
        const slots = fa.lineSlots.get(line);
        if (slots) out.push({ file, prog, func: fa.func, slots: [...slots], relos: fa.relosByLine.get(line) ?? [], sources: names });
      }
    }
  }
  return out;
}

/** One function's lines of one source: their slots, and the relocations shown on each. */
interface FuncAttribution {
  func: FunctionRange;
  /** 0-based line → slots whose line record names it (ascending). */
  lineSlots: Map<number, number[]>;
  relosByLine: Map<number, ReloOnLine[]>;
}

interface SourceAttribution {
  /** The text getter it was computed from (main.ts hands out one per document version) and the line_info names. */
  text: (n: number) => string;
  names: string;
  progs: { prog: ProgramModel; funcs: FuncAttribution[] }[];
}

/** Per object (replaced on reload), per source path: computed once per text version, not per hover. */
const attributions = new WeakMap<IndexedFile, Map<string, SourceAttribution>>();

function attributionOf(file: IndexedFile, sourcePath: string, names: string[], text: (n: number) => string): SourceAttribution['progs'] {
  let bySource = attributions.get(file);
  if (!bySource) attributions.set(file, (bySource = new Map()));
  const key = names.join('\0');
  const hit = bySource.get(sourcePath);
  if (hit && hit.text === text && hit.names === key) return hit.progs;
  const btf = file.btf!;
  const idCache = new Map<number, Set<string>>();
  const ids = (n: number): Set<string> => {
    let s = idCache.get(n);
    if (!s) idCache.set(n, (s = new Set(text(n).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])));
    return s;
  };
  const progs: SourceAttribution['progs'] = [];
  for (const prog of file.object!.programs) {
    const funcs: FuncAttribution[] = [];
    const ranges = functionsOf(btf, prog);
    // Slots of this source outside every function (no func_info and no symbol covers them): one
    // section-wide pseudo function, as before.
    let uncovered = false;
    for (const name of names) {
      for (const [key, slots] of prog.slots.slotsOfLine) {
        if (!key.startsWith(`${name}:`) || key.slice(name.length + 1).includes(':')) continue;
        if (slots.some((s) => !ranges.some((x) => s >= x.start && s < x.end))) uncovered = true;
      }
    }
    if (uncovered) ranges.push({ name: prog.section.name, start: 0, end: prog.section.slots });
    for (const func of ranges) {
      const fa = attributeFunction(btf, prog, func, names, ids);
      if (fa.lineSlots.size) funcs.push(fa);
    }
    if (funcs.length) progs.push({ prog, funcs });
  }
  if (bySource.size > 32) bySource.clear();
  bySource.set(sourcePath, { text, names: key, progs });
  return progs;
}

/**
 * Lines of this source in one function with their slots, and the line each relocation is shown on.
 * Where each slot's code comes from: its line record, or for compiler-made code (line 0) the last
 * real line before it. A relocation is shown in the source its instruction comes from, and only there
 * (an inline function of a header: in the header); on its own line when that line names what it
 * accesses, else on the nearest line (by instruction distance) of the same function that does.
 */
function attributeFunction(btf: Btf, prog: ProgramModel, func: FunctionRange, names: string[], ids: (n: number) => Set<string>): FuncAttribution {
  const lineSlots = new Map<number, number[]>();
  // -1: another source; -2: nothing says.
  const slotLine = new Int32Array(Math.max(0, func.end - func.start)).fill(-2);
  const inThis = new Map<number, boolean>();
  let home = -2;
  for (let s = func.start; s < func.end; s++) {
    const li = prog.slots.lineOfSlot[s]!;
    const rec = li >= 0 ? prog.section.lineInfo[li]! : undefined;
    if (rec?.line) {
      let mine = inThis.get(rec.fileNameOff);
      if (mine === undefined) inThis.set(rec.fileNameOff, (mine = names.includes(btf.str(rec.fileNameOff) ?? '')));
      home = mine ? rec.line - 1 : -1;
      if (mine) {
        const l = lineSlots.get(rec.line - 1);
        if (l) l.push(s);
        else lineSlots.set(rec.line - 1, [s]);
      }
    }
    slotLine[s - func.start] = home;
  }
  const relosByLine = new Map<number, ReloOnLine[]>();
  if (!lineSlots.size) return { func, lineSlots, relosByLine };
  for (const rec of prog.section.coreRelo) {
    const s = Math.floor(rec.insnOff / INSN_SIZE);
    if (s < func.start || s >= func.end) continue;
    if (slotLine[s - func.start] === -1) continue;
    const d = describeCoreRelo(btf, rec.typeId, btf.str(rec.accessStrOff), rec.kind);
    const r: ReloOnLine = { rec, slot: s, text: d.text, spec: d.spec, error: d.error };
    const words = reloWords(btf, r);
    const matches = (n: number) => words.length > 0 && words.every((w) => ids(n).has(w));
    const own = Math.max(-1, slotLine[s - func.start]!);
    let eff = own;
    if (!(own >= 0 && matches(own))) {
      let best = -1;
      let bestDist = Infinity;
      for (const [n, ss] of lineSlots) {
        if (!matches(n)) continue;
        let dist = Infinity;
        for (const t of ss) dist = Math.min(dist, Math.abs(t - s));
        if (dist < bestDist) {
          best = n;
          bestDist = dist;
        }
      }
      if (best >= 0) eff = best;
    }
    if (eff < 0) continue;
    const list = relosByLine.get(eff);
    if (list) list.push(r);
    else relosByLine.set(eff, [r]);
  }
  return { func, lineSlots, relosByLine };
}

/**
 * The line (0-based) of `sourcePath` each relocation of `prog` is shown on (index into
 * prog.section.coreRelo → line), as hovers show them: for features that need every relocation's line
 * at once (diagnostics per relocation) and must agree with the hover.
 */
export function reloLinesOf(file: IndexedFile, prog: ProgramModel, sourcePath: string, names: string[], text: (n: number) => string): Map<number, number> {
  const out = new Map<number, number>();
  if (!file.object || !file.btf) return out;
  const entry = attributionOf(file, sourcePath, names, text).find((x) => x.prog === prog);
  const index = new Map(prog.section.coreRelo.map((r, i) => [r, i] as const));
  for (const fa of entry?.funcs ?? []) for (const [line, relos] of fa.relosByLine) for (const r of relos) out.set(index.get(r.rec)!, line);
  return out;
}

/** The identifiers a relocation's source must mention: the members it walks, or its type/enumerator name. */
function reloWords(btf: Btf, r: ReloOnLine): string[] {
  const spec = r.spec;
  if (!spec) return [];
  if (isFieldBased(r.rec.kind)) return spec.accessors.slice(1).map((a) => a.name).filter((n): n is string => !!n);
  if (isEnumvalBased(r.rec.kind)) return spec.accessors[0]?.name ? [spec.accessors[0].name] : [];
  const name = btf.name(r.rec.typeId);
  return name ? [name] : [];
}

/** Member accesses of a relocation: each named accessor with the struct/union it indexes and the bit offset from the root. */
export interface MemberAccess {
  name: string;
  /** The struct/union containing the member (mods and typedefs skipped). */
  parentId: number;
  index: number;
  /** The member's type. */
  typeId: number;
  /** Bit offset of the member from the start of the relocation's root type. */
  bitOffset: number;
  bitfieldSize: number;
  /**
   * The nearest named struct/union the member is in (anonymous bodies are part of it, as C reaches
   * their members by name) and the member's path there as core/diff names it (`in6_u.u6_addr32`).
   */
  ownerId: number;
  path: string;
}

/** Walks a field relocation's raw access string through the local types, as bpf_core_parse_spec does. */
export function memberAccesses(btf: Btf, relo: ReloOnLine): MemberAccess[] {
  const spec = relo.spec;
  if (!spec || !isFieldBased(relo.rec.kind) || spec.raw.length < 2) return [];
  const out: MemberAccess[] = [];
  let id = skipModsAndTypedefs(btf, spec.rootTypeId);
  if (id <= 0) return out;
  let bit = spec.raw[0]! * Math.max(0, resolveSize(btf, id)) * 8;
  let ownerId = 0;
  let path: string[] = [];
  for (let i = 1; i < spec.raw.length; i++) {
    id = skipModsAndTypedefs(btf, id);
    if (id <= 0) break;
    const k = btf.kind(id);
    const idx = spec.raw[i]!;
    if (k === Kind.STRUCT || k === Kind.UNION) {
      const members = new Members(btf, id);
      if (idx >= members.count) break;
      if (btf.name(id) || !ownerId) {
        ownerId = id;
        path = [];
      }
      bit += members.bitsOffset(idx);
      const name = members.name(idx);
      const typeId = members.type(idx);
      if (name) {
        path.push(name);
        out.push({ name, parentId: id, index: idx, typeId, bitOffset: bit, bitfieldSize: members.bitfieldSize(idx), ownerId, path: path.join('.') });
      }
      id = typeId;
    } else if (k === Kind.ARRAY) {
      const elem = arrayElemType(btf, id);
      bit += idx * Math.max(0, resolveSize(btf, elem)) * 8;
      id = elem;
    } else break;
  }
  return out;
}
