/**
 * The custom messages of BTF Lens: one namespace per message, a literal `btf/...` method, typed
 * params and result, and a sentence naming the direction. Shared by the server, the client and
 * the type-tree webview, so this file imports nothing: plain data only.
 *
 * Every type reference names its BTF by `file` (the URI of the indexed file that owns the BTF whose ID
 * space the reference lives in: for a module, the module's file, its IDs continuing the kernel's) and
 * the type ID in that file's ID space (invariant 3).
 */

/** The kinds of file the index knows. `kernel` is the configured kernel BTF (the base of modules). */
export type IndexedFileKind = 'bpf-object' | 'raw-btf' | 'kernel-module' | 'vmlinux' | 'elf' | 'kernel';

export type FileState = 'pending' | 'indexed' | 'failed';

/** BTF kinds as bpftool spells them; index = kind number (the core's KIND_NAMES, checked by the compiler). */
export const BTF_KIND_NAMES = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
] as const;
export type BtfKindName = (typeof BTF_KIND_NAMES)[number];

export interface FileInfo {
  /** file:// URI of the file (also the key of every other request). */
  uri: string;
  /** Path relative to its workspace folder, or the absolute path outside any folder. */
  label: string;
  kind: IndexedFileKind;
  state: FileState;
  /** IDs of this file's own types are [firstId, firstId + ownTypes). */
  firstId: number;
  ownTypes: number;
  /** URI of the base BTF this file's split BTF continues (the kernel BTF for modules). */
  baseUri?: string;
  /** True when split BTF was found and no usable base was available. */
  missingBase: boolean;
  errors: number;
  warnings: number;
  hasExt: boolean;
}

/** One type as a row of a list or tree. */
/** One type as a row of a list or tree (the editor's EditorRow adds the chain level). */
export interface TypeRow {
  id: number;
  kind: BtfKindName;
  /** '' for anonymous types. */
  name: string;
  /** C spelling: `struct task_struct`, `int *`; the name for typedefs, funcs, vars, sections and decl tags. */
  label: string;
  /** Byte size when the kind has one. */
  size?: number;
  vlen: number;
  hasChildren: boolean;
}

/** One member, parameter, enumerator, variable in a section, or the referenced type of a modifier. */
export interface TypeChild {
  /** Member/param/enumerator name; '' when anonymous; for a modifier or pointer, the role (`type`). */
  name: string;
  /** The type this child refers to (0 for void, absent for enumerators). */
  typeId?: number;
  /** The referenced type as C spells it. */
  typeLabel?: string;
  /** Bit offset from the start of the parent (members, section variables ×8). */
  bitOffset?: number;
  bitfieldSize?: number;
  /** Byte size of the child's type when known. */
  size?: number;
  /** Enumerator value, as decimal text (64-bit safe). */
  value?: string;
  hasChildren: boolean;
}

export namespace FilesRequest {
  /** client → server: every file the index knows, with its state. */
  export const method = 'btf/files' as const;
  export type Params = Record<string, never>;
  export interface Result {
    files: FileInfo[];
    /** True while the background index is still running. */
    indexing: boolean;
  }
}

export namespace TypeTextRequest {
  /** client → server: one type as text: C (offsets in comments) or bpftool's raw lines. */
  export const method = 'btf/typeText' as const;
  export interface Params {
    file: string;
    id: number;
    format?: 'c' | 'raw';
  }
  export interface Result {
    text: string;
    /** The `btf-lens:` URI of the read-only document showing the same type. */
    uri: string;
  }
}

export interface SearchHit {
  name: string;
  kind: BtfKindName;
  /** The first file defining it and its type ID there. */
  file: string;
  id: number;
  /** How many indexed files define a type identical by name, kind and shape (grouped into this hit). */
  count: number;
  /** `btf-lens:` URI of the type's document. */
  uri: string;
}

export namespace SearchRequest {
  /** client → server: named types, functions and variables of every indexed BTF, ranked
   * prefix > word start > substring > fuzzy, identical types of many files grouped. */
  export const method = 'btf/search' as const;
  export interface Params {
    query: string;
    kinds?: BtfKindName[];
    limit?: number;
  }
  export interface Result {
    hits: SearchHit[];
  }
}

export namespace DocumentRequest {
  /** client → server: the text of a read-only `btf-lens:` document (a type as C, a function's disassembly). */
  export const method = 'btf/document' as const;
  export interface Params {
    uri: string;
  }
  export interface Result {
    text: string;
    /** `btf-c` or `bpf-asm`. */
    languageId: string;
  }
}

export namespace StatusNotification {
  /** server → client: the index started, progressed or finished (after every change too). */
  export const method = 'btf/status' as const;
  export interface Params {
    state: 'indexing' | 'ready';
    files: number;
    indexed: number;
    failed: number;
    /** The kernel BTF in use as base of modules, if any. */
    kernel?: string;
  }
}

export namespace CoreMatrixRequest {
  /** client → server: the load matrix: what libbpf 1.1 decides from each kernel's BTF of `btfLens.coreTargets` before the
   * verifier runs, for one object (or all indexed objects): every CO-RE relocation, extern and attach target (rows) ×
   * kernel (outcome cells), and per object whether it loads as far as BTF can tell; also rendered as markdown and CSV. */
  export const method = 'btf/coreMatrix' as const;
  export interface Params {
    /** file:// URI of a BPF object; absent: all indexed objects. */
    object?: string;
  }
  export interface Target {
    label: string;
    path: string;
    /** Why the target could not be read (then every outcome is empty). */
    error?: string;
  }
  export interface Row {
    object: string;
    objectUri: string;
    /** What the row is about: a CO-RE relocation, an extern (ksym, kfunc, kconfig), an attach target, a struct_ops struct or member. */
    what: 'core' | 'extern' | 'attach' | 'struct-ops';
    /** ELF section (externs: `.ksyms` / `.kconfig`) and libbpf's `relo #N` in it (CO-RE), else the dependency's index. */
    section: string;
    index: number;
    /** libbpf's relocation kind (`byte_off`, `type_exists`…) or the dependency's kind (`kfunc`, `ksym-var`, `attach`…); local spec text or what is looked up. */
    kind: string;
    spec: string;
    /** The source line (0-based) the line table gives the instruction. */
    source?: { uri: string; label: string; line: number };
    /** One per target, in `targets` order. */
    outcomes: { text: string; fails: boolean }[];
    /** How what the row depends on differs across the targets (core/diff's categories: `field renamed`, `param added`…), when it does. */
    changes?: string;
  }
  export interface ObjectRow {
    object: string;
    objectUri: string;
    /** One per target: `loads as far as BTF can tell`, or the first reason it does not. */
    cells: { text: string; loads: boolean }[];
  }
  export interface Result {
    targets: Target[];
    /** One per object × target: whether it loads as far as BTF can tell. */
    objects: ObjectRow[];
    rows: Row[];
    /** Per target: rows that fail (a reachable poisoned insn, a missing strong extern or attach target, a load-failing error), and of
     * `objects`, how many load as far as BTF can tell. */
    summary: { label: string; fails: number; loads: number; objects: number }[];
    markdown: string;
    csv: string;
  }
}

export namespace SettingsRequest {
  /** client → server: the `btfLens` settings as the client sent them (raw) and as the server uses them. Shows
   * what an editor really sends for settings the user never set (test/e2e/suite/defaults.test.ts). */
  export const method = 'btf/settings' as const;
  export type Params = Record<string, never>;
  export interface Result {
    /** `initializationOptions.settings`. */
    initializationOptions?: unknown;
    /** The answer to the start-up `workspace/configuration` pull (absent: the client does not support it). */
    configuration?: unknown;
    /** Each settings object taken from a `workspace/didChangeConfiguration` (pushed or pulled after it), oldest first. */
    didChangeConfiguration: unknown[];
    /** The settings in use (the server's defaults for what was not sent). */
    effective: Record<string, unknown>;
    /** The kernel BTF in use. */
    kernel?: string;
    /** The kernels CO-RE relocations are resolved against. */
    coreTargets: { label: string; path: string; error?: string }[];
  }
}

export namespace CompareRequest {
  /** client → server: two BTFs compared as `btf-lens diff OLD NEW` compares them (indexed files, kernels, any file:
   * each read with its base as the type-tree editor reads it); the answer names the read-only compare document. */
  export const method = 'btf/compare' as const;
  export interface Params {
    /** file:// URIs of the two sides. */
    old: string;
    new: string;
  }
  export interface Result {
    /** The `btf-lens:` document listing the changes (`btf/document` renders it; code lenses open both sides' C). */
    uri: string;
    summary: { added: number; removed: number; changed: number };
  }
}

export namespace CompareMarksRequest {
  /** client → server: for a `btf-lens:` type document opened from a compare document, the lines of its changed
   * members and what changed there (the client shows them as decorations, not diagnostics). */
  export const method = 'btf/compareMarks' as const;
  export interface Params {
    uri: string;
  }
  export interface Result {
    /** 0-based lines of the type document and one line of text each (`changed: field moved: bit 64 -> bit 96`). */
    marks: { line: number; text: string }[];
  }
}

// ---- The type-tree editor (client/src/features/type-tree.ts and its webview) ----
// The editor opens any file (also outside the workspace: /sys/kernel/btf/*) as a `doc`: a handle the
// server keeps until `btf/editor/close`. Every later request names the doc; type IDs are in the doc's
// BTF ID space (a module's IDs continue its base's), and `level` says which BTF of the chain stores a
// type: 0 the file itself, 1 its base, 2 the base's base…

/** One BTF object of a doc's chain: the file itself first, then its base(s). */
export interface EditorChainLink {
  label: string;
  /** file:// URI when the BTF comes from a file of its own. */
  uri?: string;
  firstId: number;
  count: number;
  /** A module's `.BTF.base` (distilled base), relocated onto the real base or standing in for it. */
  distilled: boolean;
}

export interface EditorProblem {
  severity: 'error' | 'warning';
  offset: number;
  message: string;
}

export interface EditorOverview {
  doc: string;
  uri: string;
  label: string;
  /** What the file is (input kind) and whether it could be read at all. */
  kind: string;
  ok: boolean;
  byteOrder?: 'little' | 'big';
  size: number;
  header?: { name: string; value: number }[];
  /** ELF sections (name, size) or the raw BTF's parts. */
  sections: { name: string; size: number; offset: number }[];
  kindCounts: { kind: BtfKindName; count: number }[];
  chain: EditorChainLink[];
  firstId: number;
  ownTypes: number;
  /** IDs are [1, totalTypes]; base types included. */
  totalTypes: number;
  problems: EditorProblem[];
  /**
   * Split BTF whose types are not shown for want of the right base: none was found (`missing`), or the one
   * used does not fit (`mismatch`: `offset` is the first type that does not fit, `base` the file used and
   * `why` why that one). The editor shows it as a banner with "Choose base BTF…".
   */
  baseProblem?: { kind: 'missing' | 'mismatch'; message: string; offset: number; base?: string; why?: string };
  programs: number;
  maps: number;
  ext?: { funcInfo: number; lineInfo: number; coreRelo: number };
  license?: string;
  /** The file is in the workspace index: its types have `btf-lens:` documents. */
  indexed: boolean;
  mtimeMs: number;
}

/** One type as a row of the editor's tree. */
export interface EditorRow extends TypeRow {
  /** Which BTF of the chain stores it (0: the file's own). */
  level: number;
  /** What the label leaves out, as C: a FUNC's prototype, a VAR's or TYPEDEF's type. */
  detail?: string;
}

export interface EditorChild extends TypeChild {
  /** Which BTF of the chain stores `typeId`. */
  level?: number;
}

export interface EditorFilter {
  /** 'own': the file's own types; 'all': from ID 1, base types included. */
  scope: 'own' | 'all';
  /** Substring (case-insensitive) of the name, or a regular expression when `regex`. */
  name?: string;
  regex?: boolean;
  kinds?: BtfKindName[];
  /** Anonymous types are left out when true. */
  namedOnly?: boolean;
}

export namespace EditorOpenRequest {
  /** client → server: open (or re-read, when changed on disk) a file for the editor. */
  export const method = 'btf/editor/open' as const;
  export interface Params {
    uri: string;
    /** Explicit base BTF files, nearest first (else: /sys/kernel/btf/vmlinux for its modules, the kernel BTF for split BTF). */
    base?: string[];
  }
  export type Result = EditorOverview;
}

export namespace EditorCloseRequest {
  /** client → server: the editor closed; the doc may be dropped. */
  export const method = 'btf/editor/close' as const;
  export interface Params {
    doc: string;
  }
  export type Result = null;
}

export namespace EditorRowsRequest {
  /** client → server: one page of a doc's types matching a filter. */
  export const method = 'btf/editor/rows' as const;
  export interface Params extends EditorFilter {
    doc: string;
    offset: number;
    limit: number;
  }
  export interface Result {
    total: number;
    offset: number;
    rows: EditorRow[];
    /** A bad regular expression, said in a sentence (rows are then empty). */
    error?: string;
  }
}

export namespace EditorLocateRequest {
  /** client → server: where type `id` is in the filtered list (-1 when the filter leaves it out). */
  export const method = 'btf/editor/locate' as const;
  export interface Params extends EditorFilter {
    doc: string;
    id: number;
  }
  export interface Result {
    index: number;
    row?: EditorRow;
  }
}

export namespace EditorChildrenRequest {
  /** client → server: members, params, enumerators or target of one type. */
  export const method = 'btf/editor/children' as const;
  export interface Params {
    doc: string;
    id: number;
  }
  export interface Result {
    type?: EditorRow;
    children: EditorChild[];
  }
}

export namespace EditorTypeTextRequest {
  /** client → server: one type as C (its definition) and as bpftool's raw lines. */
  export const method = 'btf/editor/typeText' as const;
  export interface Params {
    doc: string;
    id: number;
  }
  export interface Result {
    c: string;
    raw: string;
    /** The `btf-lens:` document of the type, when the file is indexed. */
    uri?: string;
  }
}

export namespace EditorUsedByRequest {
  /** client → server: the types referring to one type. */
  export const method = 'btf/editor/usedBy' as const;
  export interface Params {
    doc: string;
    id: number;
    limit?: number;
  }
  export interface Result {
    rows: EditorRow[];
    truncated: boolean;
  }
}

export interface EditorLayoutMember {
  name: string;
  typeId: number;
  typeLabel: string;
  /** Bytes from the start of the outermost struct. */
  offset: number;
  size: number;
  bitfieldOffset: number;
  bitfieldSize: number;
  /** Hole after the member (bytes, bits). */
  hole: number;
  bitHole: number;
  /** Nesting inside anonymous struct/union members. */
  depth: number;
}

export namespace EditorLayoutRequest {
  /** client → server: a struct/union laid out as pahole sees it. */
  export const method = 'btf/editor/layout' as const;
  export interface Params {
    doc: string;
    id: number;
    cacheline?: number;
  }
  export interface Result {
    id: number;
    name: string;
    kind?: 'struct' | 'union';
    size: number;
    cacheline: number;
    members: EditorLayoutMember[];
    /** Trailing padding, bytes. */
    padding: number;
    holes: number;
    sumHoles: number;
    /** pahole's text for the same struct. */
    text: string;
  }
}

export interface EditorFunction {
  section: string;
  name: string;
  /** FUNC type ID, when func_info names it. */
  typeId?: number;
  insns: number;
  coreRelos: number;
  lines: number;
}

export namespace EditorProgramsRequest {
  /** client → server: program sections and their functions. */
  export const method = 'btf/editor/programs' as const;
  export interface Params {
    doc: string;
  }
  export interface Result {
    sections: { name: string; size: number; insns: number; relocations: number }[];
    functions: EditorFunction[];
  }
}

export interface EditorAsmLine {
  kind: 'insn' | 'reloc' | 'source' | 'core' | 'note';
  text: string;
  /** For `core`: the local type it refers to. */
  typeId?: number;
}

export namespace EditorDisasmRequest {
  /** client → server: one function's instructions with source lines and CO-RE notes. */
  export const method = 'btf/editor/disasm' as const;
  export interface Params {
    doc: string;
    section: string;
    name: string;
  }
  export interface Result {
    lines: EditorAsmLine[];
  }
}

export interface EditorMap {
  name: string;
  varId: number;
  defId: number;
  type?: string;
  keyType?: number;
  keyLabel?: string;
  valueType?: number;
  valueLabel?: string;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  flags?: number;
  pinning?: number;
}

export namespace EditorMapsRequest {
  /** client → server: BTF-defined maps. */
  export const method = 'btf/editor/maps' as const;
  export interface Params {
    doc: string;
  }
  export interface Result {
    maps: EditorMap[];
  }
}

export namespace EditorExtRequest {
  /** client → server: .BTF.ext tables, one row per record. */
  export const method = 'btf/editor/ext' as const;
  export interface Params {
    doc: string;
  }
  export interface Result {
    funcInfo: { section: string; insnOff: number; typeId: number; name: string }[];
    lineInfo: { section: string; insnOff: number; file: string; line: number; col: number; text: string }[];
    coreRelo: { section: string; insnOff: number; typeId: number; typeLabel: string; access: string; kind: string; spec: string }[];
  }
}

// ---- Commands the server runs (workspace/executeCommand), for editors that cannot run the VS Code client's ----
// Code lenses name OpenCommand where the client did not say it is VS Code (server/src/lsp/markup.ts).

export namespace OpenCommand {
  /** client → server: show a `btf-lens:` document, at a line; the server asks the client with window/showDocument. */
  export const command = 'btf-lens.open' as const;
  export type Arguments = [uri: string, line?: number];
  export interface Result {
    /** False when the client does not support window/showDocument or did not show it (read it with btf/document). */
    shown: boolean;
  }
}

export namespace CoreMatrixCommand {
  /** client → server: btf/coreMatrix as a command (for clients that can only run commands). */
  export const command = 'btf-lens.coreMatrix' as const;
  export type Arguments = [object?: string];
  export type Result = CoreMatrixRequest.Result;
}

export namespace GenMinCoreBtfRequest {
  /**
   * client → server: BTFGen (`btf-lens gen min-core-btf`) for one BPF object: per target kernel one tailored
   * BTF (bpftool's bytes) written into `outDir`, named `<object>-<target label>.btf`, and the report of
   * what was kept and why.
   */
  export const method = 'btf/genMinCoreBtf' as const;
  export interface Params {
    /** URI of an indexed BPF object */
    object: string;
    /** paths of kernel BTFs; absent: the `btfLens.coreTargets` kernels */
    targets?: string[];
    /** where to write (a path); absent: the object's directory */
    outDir?: string;
  }
  export interface File {
    label: string;
    target: string;
    /** the path written; absent when this target failed */
    out?: string;
    outBytes?: number;
    /** the full kernel BTF's size */
    targetBytes?: number;
    outTypes?: number;
    targetTypes?: number;
    error?: string;
  }
  export interface Result {
    files: File[];
    /** `gen min-core-btf --report` text, under a table of the files and their sizes (markdown) */
    report: string;
  }
}

/** The virtual documents' URI scheme. */
export const VIRTUAL_SCHEME = 'btf-lens' as const;

/** Request method → [params, result]: lets a client or server helper check a reply against its request. */
export interface RequestMap {
  [FilesRequest.method]: [FilesRequest.Params, FilesRequest.Result];
  [TypeTextRequest.method]: [TypeTextRequest.Params, TypeTextRequest.Result];
  [SearchRequest.method]: [SearchRequest.Params, SearchRequest.Result];
  [DocumentRequest.method]: [DocumentRequest.Params, DocumentRequest.Result];
  [CoreMatrixRequest.method]: [CoreMatrixRequest.Params, CoreMatrixRequest.Result];
  [GenMinCoreBtfRequest.method]: [GenMinCoreBtfRequest.Params, GenMinCoreBtfRequest.Result];
  [SettingsRequest.method]: [SettingsRequest.Params, SettingsRequest.Result];
  [CompareRequest.method]: [CompareRequest.Params, CompareRequest.Result];
  [CompareMarksRequest.method]: [CompareMarksRequest.Params, CompareMarksRequest.Result];
  [EditorOpenRequest.method]: [EditorOpenRequest.Params, EditorOpenRequest.Result];
  [EditorCloseRequest.method]: [EditorCloseRequest.Params, EditorCloseRequest.Result];
  [EditorRowsRequest.method]: [EditorRowsRequest.Params, EditorRowsRequest.Result];
  [EditorLocateRequest.method]: [EditorLocateRequest.Params, EditorLocateRequest.Result];
  [EditorChildrenRequest.method]: [EditorChildrenRequest.Params, EditorChildrenRequest.Result];
  [EditorTypeTextRequest.method]: [EditorTypeTextRequest.Params, EditorTypeTextRequest.Result];
  [EditorUsedByRequest.method]: [EditorUsedByRequest.Params, EditorUsedByRequest.Result];
  [EditorLayoutRequest.method]: [EditorLayoutRequest.Params, EditorLayoutRequest.Result];
  [EditorProgramsRequest.method]: [EditorProgramsRequest.Params, EditorProgramsRequest.Result];
  [EditorDisasmRequest.method]: [EditorDisasmRequest.Params, EditorDisasmRequest.Result];
  [EditorMapsRequest.method]: [EditorMapsRequest.Params, EditorMapsRequest.Result];
  [EditorExtRequest.method]: [EditorExtRequest.Params, EditorExtRequest.Result];
}
export type RequestMethod = keyof RequestMap;
export type ParamsOf<M extends RequestMethod> = RequestMap[M][0];
export type ResultOf<M extends RequestMethod> = RequestMap[M][1];
