import { fileURLToPath, pathToFileURL } from 'node:url';
import { VIRTUAL_SCHEME } from '../protocol/requests';

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** The file path of a file: URI; undefined for other schemes or malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * Read-only documents the server renders. Everything is in the path (clients re-encode queries
 * their own way, paths survive a round trip): `btf-lens:///<file path>/@<id>/<label>.btf.h` is a type of
 * the BTF of that indexed file, `btf-lens:///<object path>/@fn/<function>.bpf-asm` a function's disassembly.
 * The empty authority (`//`) is what makes Vim, Emacs and other editors take the name as a URL rather
 * than a relative file name; VS Code drops it (`btf-lens:/<path>`), and both forms are read.
 */
export type VirtualDoc =
  | { kind: 'type'; file: string; id: number }
  | { kind: 'disasm'; file: string; func: string };

const SEG = encodeURIComponent;

function encodePath(path: string): string {
  const p = path.replace(/\\/g, '/');
  return (p.startsWith('/') ? p : `/${p}`).split('/').map((s) => encodeURIComponent(s)).join('/');
}

export function typeDocUri(file: string, id: number, label: string): string {
  return `${VIRTUAL_SCHEME}://${encodePath(file)}/@${id}/${SEG(safeLabel(label))}.btf.h`;
}

export function disasmDocUri(file: string, func: string): string {
  return `${VIRTUAL_SCHEME}://${encodePath(file)}/@fn/${SEG(safeLabel(func))}.bpf-asm`;
}

/** `btf-lens:///<old path>/@diff<new path>.diff`: the changes from one BTF to another (`btf/compare`). */
export function compareDocUri(oldFile: string, newFile: string): string {
  return `${VIRTUAL_SCHEME}://${encodePath(oldFile)}/@diff${encodePath(newFile)}.diff`;
}

function safeLabel(s: string): string {
  return (s || 'anon').replace(/[/\\?#%]/g, '_').slice(0, 120);
}

/** The decoded path of a `btf-lens:` URI. */
function virtualPath(uri: string): string | undefined {
  if (!uri.startsWith(`${VIRTUAL_SCHEME}:`)) return undefined;
  let rest = uri.slice(VIRTUAL_SCHEME.length + 1);
  // `btf-lens:///x` as made here, `btf-lens:/x` as VS Code writes it back; a query or fragment a client may add.
  if (rest.startsWith('//')) rest = rest.slice(rest.indexOf('/', 2));
  rest = rest.replace(/[?#].*$/, '');
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** The two sides of a compare document's URI (compareDocUri). */
export function parseCompareUri(uri: string): { old: string; new: string } | undefined {
  const path = virtualPath(uri);
  const c = path === undefined ? undefined : /^(.*?)\/@diff(\/.*)\.diff$/.exec(path);
  return c ? { old: drive(c[1]!), new: drive(c[2]!) } : undefined;
}

export function parseVirtualUri(uri: string): VirtualDoc | undefined {
  const path = virtualPath(uri);
  if (path === undefined) return undefined;
  const m = /^(.*)\/@(\d+|fn)\/([^/]*)$/.exec(path);
  if (!m) return undefined;
  const file = drive(m[1]!);
  if (m[2] === 'fn') return { kind: 'disasm', file, func: m[3]!.replace(/\.bpf-asm$/, '') };
  return { kind: 'type', file, id: Number(m[2]) };
}

/** Windows drive paths come as `/C:/…` in a URI path. */
function drive(file: string): string {
  return /^\/[A-Za-z]:\//.test(file) ? file.slice(1) : file;
}
