/**
 * The BTF wire format as a table: for each kind, the bytes that follow the 12-byte
 * `struct btf_type` (one fixed part, then vlen elements). One loop uses this table for
 * indexing and bounds checks (the design of libbpf's btf_type_size and cilium/ebpf).
 */
export const enum Kind {
  UNKN = 0,
  INT = 1,
  PTR = 2,
  ARRAY = 3,
  STRUCT = 4,
  UNION = 5,
  ENUM = 6,
  FWD = 7,
  TYPEDEF = 8,
  VOLATILE = 9,
  CONST = 10,
  RESTRICT = 11,
  FUNC = 12, // Linux 5.0
  FUNC_PROTO = 13, // 5.0
  VAR = 14, // 5.2
  DATASEC = 15, // 5.2
  FLOAT = 16, // 5.13
  DECL_TAG = 17, // 5.16
  TYPE_TAG = 18, // 5.17
  ENUM64 = 19, // 6.0
}

export const MAX_KNOWN_KIND = 19;

/** bpftool's spelling of each kind; index = kind. The protocol's BTF_KIND_NAMES is checked against it
 * by the compiler (lsp/names.ts), so the editor's kind filters and the core agree. */
export const KIND_NAMES = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
] as const;

export type KindName = (typeof KIND_NAMES)[number];

export function kindName(kind: number): KindName {
  return KIND_NAMES[kind] ?? 'UNKNOWN';
}

/** Bytes after btf_type: [fixed part, per vlen element]; index = kind; kind 0 is invalid. */
export const KIND_LAYOUT: readonly (readonly [number, number])[] = [
  [-1, 0], // UNKN
  [4, 0], // INT: encoding word
  [0, 0], // PTR
  [12, 0], // ARRAY: btf_array
  [0, 12], // STRUCT: btf_member
  [0, 12], // UNION
  [0, 8], // ENUM: btf_enum
  [0, 0], // FWD
  [0, 0], // TYPEDEF
  [0, 0], // VOLATILE
  [0, 0], // CONST
  [0, 0], // RESTRICT
  [0, 0], // FUNC
  [0, 8], // FUNC_PROTO: btf_param
  [4, 0], // VAR: btf_var
  [0, 12], // DATASEC: btf_var_secinfo
  [0, 0], // FLOAT
  [4, 0], // DECL_TAG: btf_decl_tag
  [0, 0], // TYPE_TAG
  [0, 12], // ENUM64: btf_enum64
];

export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;

export const FUNC_LINKAGE = ['static', 'global', 'extern'] as const;
export const VAR_LINKAGE = ['static', 'global', 'extern'] as const;
