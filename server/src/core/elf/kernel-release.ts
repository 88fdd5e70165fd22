import type { Elf } from './elf';

/**
 * Which kernel release an ELF was built for, as the files themselves say it: a module's `.modinfo`
 * holds `vermagic=6.1.0-56-amd64 SMP preempt mod_unload …` (the release is its first word, what
 * `uname -r` prints on that kernel); a vmlinux holds `linux_banner`, "Linux version 6.1.0-56-amd64
 * (builder) (compiler) #1 SMP …", in `.rodata`. Undefined when the file says nothing.
 */
export interface KernelRelease {
  release: string;
  /** Where it was read: a module's vermagic or a vmlinux's banner. */
  from: 'vermagic' | 'banner';
}

/** The release of a module (.modinfo vermagic) or of a vmlinux (its banner); never throws. */
export function kernelRelease(elf: Elf): KernelRelease | undefined {
  const modinfo = elf.section('.modinfo');
  if (modinfo) {
    const release = vermagicRelease(elf.data(modinfo));
    return release ? { release, from: 'vermagic' } : undefined;
  }
  for (const sec of elf.sections) {
    if (sec.name !== '.rodata' && !sec.name.startsWith('.rodata.')) continue;
    const release = bannerRelease(elf.data(sec));
    if (release) return { release, from: 'banner' };
  }
  return undefined;
}

const latin1 = (b: Uint8Array, from: number, to: number) => {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** A release as uname -r prints it: no spaces or format directives, starts with a digit. */
const RELEASE = /^[0-9][0-9A-Za-z._+~-]{0,63}$/;

/** `.modinfo` is `key=value` strings, NUL-separated: the first word of `vermagic=`. */
export function vermagicRelease(modinfo: Uint8Array): string | undefined {
  let start = 0;
  for (let i = 0; i <= modinfo.length; i++) {
    if (i < modinfo.length && modinfo[i] !== 0) continue;
    if (i - start > 9 && latin1(modinfo, start, start + 9) === 'vermagic=') {
      let end = start + 9;
      while (end < i && modinfo[end] !== 0x20) end++;
      const release = latin1(modinfo, start + 9, end);
      return RELEASE.test(release) ? release : undefined;
    }
    start = i + 1;
  }
  return undefined;
}

const BANNER = [...'Linux version '].map((c) => c.charCodeAt(0));

/** The release in "Linux version R (…" at the start of a string of `bytes` (linux_banner). */
export function bannerRelease(bytes: Uint8Array): string | undefined {
  const first = BANNER[0]!;
  for (let i = bytes.indexOf(first); i >= 0; i = bytes.indexOf(first, i + 1)) {
    // A string of its own (linux_banner), not text inside another one.
    if (i > 0 && bytes[i - 1] !== 0) continue;
    let k = 1;
    while (k < BANNER.length && bytes[i + k] === BANNER[k]) k++;
    if (k < BANNER.length) continue;
    const from = i + BANNER.length;
    let end = from;
    while (end < bytes.length && end - from < 65 && bytes[end] !== 0x20 && bytes[end] !== 0) end++;
    const release = latin1(bytes, from, end);
    if (bytes[end] === 0x20 && RELEASE.test(release)) return release;
  }
  return undefined;
}
