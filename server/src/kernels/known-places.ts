/**
 * Where a kernel of a given release keeps its vmlinux: the places libbpf 1.1 looks
 * (btf__load_vmlinux_btf), under `/` and under the root of the tree a module sits in (an unpacked
 * package: `x/lib/modules/R/kernel/…/m.ko` → `x/boot/vmlinux-R`, `x/usr/lib/debug/boot/vmlinux-R`, …),
 * and /sys/kernel/btf/vmlinux when R is the running kernel.
 */
import { existsSync, statSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import { join, sep } from 'node:path';
import { type FileRelease, SYS_VMLINUX, releaseOfFile } from './release';

/** libbpf's list, rooted at `root`. */
export function vmlinuxPlaces(release: string, root = '/'): string[] {
  return [
    `boot/vmlinux-${release}`,
    `lib/modules/${release}/vmlinux-${release}`,
    `lib/modules/${release}/build/vmlinux`,
    `usr/lib/modules/${release}/kernel/vmlinux`,
    `usr/lib/debug/boot/vmlinux-${release}`,
    `usr/lib/debug/boot/vmlinux-${release}.debug`,
    `usr/lib/debug/lib/modules/${release}/vmlinux`,
  ].map((p) => join(root, p));
}

/** The directory a `…/lib/modules/R/…` path hangs from ('/' for the system's own), if it is one. */
export function treeRootOf(path: string): string | undefined {
  const i = path.lastIndexOf(`${sep}lib${sep}modules${sep}`);
  if (i < 0) return undefined;
  let root = path.slice(0, i);
  if (root.endsWith(`${sep}usr`)) root = root.slice(0, -4);
  return root || sep;
}

export interface VmlinuxSearch {
  /** The vmlinux found for the release, and how its release is known. */
  found?: { path: string; release: FileRelease };
  /** Every place looked at, in order (for the message when none is found). */
  searched: string[];
}

/**
 * A vmlinux of `release`: first among `candidates` (workspace files, configured kernels; their own
 * release must match), then at the known places under the module's tree and under `/`.
 */
export async function findVmlinux(release: string, opts: { candidates?: readonly string[]; near?: string } = {}): Promise<VmlinuxSearch> {
  const searched: string[] = [];
  const tried = new Set<string>();
  const check = async (path: string): Promise<VmlinuxSearch['found']> => {
    if (tried.has(path)) return undefined;
    tried.add(path);
    searched.push(path);
    if (path !== SYS_VMLINUX && !isFile(path)) return undefined;
    const r = await releaseOfFile(path);
    return r?.release === release ? { path, release: r } : undefined;
  };
  for (const c of opts.candidates ?? []) {
    const f = await check(c);
    if (f) return { found: f, searched };
  }
  if (osRelease() === release && existsSync(SYS_VMLINUX)) {
    const f = await check(SYS_VMLINUX);
    if (f) return { found: f, searched };
  }
  const root = opts.near ? treeRootOf(opts.near) : undefined;
  const places = [...(root && root !== sep ? vmlinuxPlaces(release, root) : []), ...vmlinuxPlaces(release, sep)];
  for (const p of places) {
    // A file at a known place of R is R's even when it cannot tell itself (raw BTF): libbpf takes it so.
    if (!isFile(p)) {
      tried.add(p);
      searched.push(p);
      continue;
    }
    const r = await releaseOfFile(p);
    tried.add(p);
    searched.push(p);
    if (!r || r.release === release) return { found: { path: p, release: r ?? { release, from: 'path' } }, searched };
  }
  return { searched };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
