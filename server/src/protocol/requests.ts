/**
 * The custom messages of BTF Lens: one namespace per message, a literal `btf/...` method, typed
 * params and result, and a sentence naming the direction. Shared by the server, the client and (later)
 * the type-tree webview, so this file imports nothing: plain data only.
 *
 * Every type reference names its BTF by `file` (the URI of the indexed file that owns the BTF whose ID
 * space the reference lives in: for a module, the module's file, its IDs continuing the kernel's) and
 * the type ID in that file's ID space (invariant 3).
 */

/** The kinds of file the index knows. `kernel` is the configured kernel BTF (the base of modules). */
export type IndexedFileKind = 'bpf-object' | 'raw-btf' | 'kernel-module' | 'vmlinux' | 'elf' | 'kernel';

export type FileState = 'pending' | 'indexed' | 'failed';

/** BTF kinds as bpftool spells them. */
export type BtfKindName =
  | 'INT' | 'PTR' | 'ARRAY' | 'STRUCT' | 'UNION' | 'ENUM' | 'FWD' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT'
  | 'FUNC' | 'FUNC_PROTO' | 'VAR' | 'DATASEC' | 'FLOAT' | 'DECL_TAG' | 'TYPE_TAG' | 'ENUM64' | 'UNKNOWN';

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
export interface TypeRow {
  file: string;
  id: number;
  kind: BtfKindName;
  /** '' for anonymous types. */
  name: string;
  /** C spelling: `struct task_struct`, `int *`, `typedef __u32` → `__u32`. */
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

export namespace TypesRequest {
  /** client → server: one page of the types of a file (its own types; not its base's). */
  export const method = 'btf/types' as const;
  export interface Params {
    file: string;
    /** Case-insensitive substring of the name. */
    name?: string;
    kinds?: BtfKindName[];
    /** Anonymous types are listed only when true. */
    includeAnonymous?: boolean;
    offset?: number;
    /** Default 200, at most 5000. */
    limit?: number;
  }
  export interface Result {
    /** Matching types in all pages. */
    total: number;
    rows: TypeRow[];
  }
}

export namespace TypeChildrenRequest {
  /** client → server: the members/params/enumerators/target of one type. */
  export const method = 'btf/typeChildren' as const;
  export interface Params {
    file: string;
    id: number;
  }
  export interface Result {
    type?: TypeRow;
    children: TypeChild[];
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

export namespace UsedByRequest {
  /** client → server: the types that refer to a type (members, pointers, typedefs, params, variables…). */
  export const method = 'btf/usedBy' as const;
  export interface Params {
    file: string;
    id: number;
    limit?: number;
  }
  export interface Result {
    rows: TypeRow[];
    truncated: boolean;
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

/** The virtual documents' URI scheme. */
export const VIRTUAL_SCHEME = 'btf-lens' as const;

/** Request method → [params, result]: lets a client or server helper check a reply against its request. */
export interface RequestMap {
  [FilesRequest.method]: [FilesRequest.Params, FilesRequest.Result];
  [TypesRequest.method]: [TypesRequest.Params, TypesRequest.Result];
  [TypeChildrenRequest.method]: [TypeChildrenRequest.Params, TypeChildrenRequest.Result];
  [TypeTextRequest.method]: [TypeTextRequest.Params, TypeTextRequest.Result];
  [UsedByRequest.method]: [UsedByRequest.Params, UsedByRequest.Result];
  [SearchRequest.method]: [SearchRequest.Params, SearchRequest.Result];
  [DocumentRequest.method]: [DocumentRequest.Params, DocumentRequest.Result];
}
export type RequestMethod = keyof RequestMap;
export type ParamsOf<M extends RequestMethod> = RequestMap[M][0];
export type ResultOf<M extends RequestMethod> = RequestMap[M][1];
