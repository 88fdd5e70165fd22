/**
 * BTF as C. `formatC`: `bpftool btf dump file F format c` byte for byte (libbpf's btf_dump:
 * dump.ts orders, emitter.ts writes). `cTypeName`/`cDeclaration`/`cDefinition`/`cTypedefChain`:
 * one type at a time for hovers and the type tree (render.ts).
 */
export { type CDumpOptions, type CDumpResult, CDumper, elfPointerSize, formatC, formatCToString } from './dump';
export { type DefinitionOptions, type RenderOptions, cDeclaration, cDefinition, cTypeName, cTypedefChain } from './render';
export { findTypes } from './lookup';
export { TypeTable, typeTable } from './table';
