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

function safeLabel(s: string): string {
  return (s || 'anon').replace(/[/\\?#%]/g, '_').slice(0, 120);
}

export function parseVirtualUri(uri: string): VirtualDoc | undefined {
  if (!uri.startsWith(`${VIRTUAL_SCHEME}:`)) return undefined;
  let rest = uri.slice(VIRTUAL_SCHEME.length + 1);
  // `btf-lens:///x` as made here, `btf-lens:/x` as VS Code writes it back; a query or fragment a client may add.
  if (rest.startsWith('//')) rest = rest.slice(rest.indexOf('/', 2));
  rest = rest.replace(/[?#].*$/, '');
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  const m = /^(.*)\/@(\d+|fn)\/([^/]*)$/.exec(path);
  if (!m) return undefined;
  let file = m[1]!;
  if (/^\/[A-Za-z]:\//.test(file)) file = file.slice(1); // Windows drive paths
  if (m[2] === 'fn') return { kind: 'disasm', file, func: m[3]!.replace(/\.bpf-asm$/, '') };
  return { kind: 'type', file, id: Number(m[2]) };
}
