import { existsSync } from 'node:fs';

/** `btfLens.*` settings, as the client sends them (initializationOptions.settings and didChangeConfiguration). */
export interface Settings {
  /** Globs (relative to each workspace folder) of files that may carry BTF. */
  include: string[];
  /** Globs of paths never indexed (matched against the relative path and every directory on it). */
  exclude: string[];
  /**
   * The kernel BTF: a raw BTF file (/sys/kernel/btf/vmlinux), an ELF vmlinux, or a directory holding
   * `vmlinux` (like /sys/kernel/btf). '' = the default: /sys/kernel/btf/vmlinux when it exists.
   * 'none' disables kernel BTF.
   */
  kernelBtf: string;
  /** Instructions shown per function in a hover before "… N more". */
  hoverMaxInstructions: number;
  /**
   * Kernels to resolve CO-RE relocations against (core-targets.ts): BTF files or directories of them,
   * each a path or `{ path, label }`. undefined = the kernel BTF above (the running kernel's). An empty
   * list is undefined too: VS Code reports an unset array setting as [] and other editors fill settings
   * in from the schema the same way, so [] cannot be told from "not set".
   */
  coreTargets?: (string | { path: string; label?: string })[];
  /**
   * Split BTF (modules) → its base, for files that do not tell their kernel release: glob (relative to
   * the workspace folder, or absolute) → base BTF file (relative to the folder, or absolute). First match wins.
   */
  moduleBases: Record<string, string>;
}

export const DEFAULT_INCLUDE = ['**/*.o', '**/*.bpf.o', '**/*.btf', '**/*.ko', '**/*.ko.{xz,zst,gz}', '**/vmlinux'];
export const DEFAULT_EXCLUDE = ['**/node_modules', '**/.git', '**/.vscode-test'];
export const SYS_VMLINUX = '/sys/kernel/btf/vmlinux';

export function defaultSettings(): Settings {
  return { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE, kernelBtf: '', hoverMaxInstructions: 8, moduleBases: {} };
}

/**
 * Merges whatever the client sent (any shape) over the defaults; wrong types are ignored. What a key
 * holds when the user set nothing is whatever the editor fills in (VS Code: the declared default, else
 * [] / {} / '' / 0 / false by type): each key must mean "unset" then (test/server/settings-unset.test.ts).
 */
export function readSettings(raw: unknown): Settings {
  const s = defaultSettings();
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  s.include = strings(r.include) ?? s.include;
  s.exclude = strings(r.exclude) ?? s.exclude;
  if (typeof r.kernelBtf === 'string') s.kernelBtf = r.kernelBtf;
  if (Array.isArray(r.coreTargets)) {
    const targets = r.coreTargets.filter((x): x is string | { path: string; label?: string } =>
      typeof x === 'string' || (!!x && typeof x === 'object' && typeof (x as { path?: unknown }).path === 'string'));
    if (targets.length) s.coreTargets = targets;
  }
  s.moduleBases = readModuleBases(r.moduleBases) ?? s.moduleBases;
  if (typeof r.hoverMaxInstructions === 'number' && r.hoverMaxInstructions >= 0) s.hoverMaxInstructions = Math.floor(r.hoverMaxInstructions);
  return s;
}

/** `btfLens.moduleBases`: an object of string → string (entries of other types are dropped). */
export function readModuleBases(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, b] of Object.entries(v)) if (k && typeof b === 'string' && b) out[k] = b;
  return out;
}

/** The kernel BTF path the settings name, or undefined for none. */
export function kernelBtfPath(s: Settings): string | undefined {
  if (s.kernelBtf === 'none') return undefined;
  if (s.kernelBtf) return s.kernelBtf;
  return existsSync(SYS_VMLINUX) ? SYS_VMLINUX : undefined;
}
