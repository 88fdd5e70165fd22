/**
 * `btfLens.moduleBases`: for split BTF that cannot tell its kernel (a raw `.btf`), globs of module
 * paths → the base BTF to read them on. Globs and relative bases are relative to the workspace folder
 * holding the module; absolute ones are taken as they are (a file outside every folder).
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve, sep } from 'node:path';
import { globToRegExp } from '../lsp/glob';

export interface ModuleBase {
  glob: string;
  /** Absolute path of the base BTF. */
  base: string;
}

const expand = (p: string, folder: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : isAbsolute(p) ? p : resolve(folder, p));

/** The first entry of `map` whose glob matches `path` (absolute), with its base resolved. */
export function moduleBaseFor(path: string, folders: readonly string[], map: Readonly<Record<string, string>>): ModuleBase | undefined {
  const slash = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));
  for (const [glob, base] of Object.entries(map)) {
    const re = globToRegExp(slash(glob));
    if (isAbsolute(glob) || glob.startsWith('~')) {
      if (re.test(slash(path)) || globToRegExp(slash(expand(glob, '/'))).test(slash(path))) return { glob, base: expand(base, '/') };
      continue;
    }
    for (const f of folders) {
      const prefix = f.endsWith(sep) ? f : f + sep;
      if (path.startsWith(prefix) && re.test(slash(path.slice(prefix.length)))) return { glob, base: expand(base, f) };
    }
  }
  return undefined;
}
