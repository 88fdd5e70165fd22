import { Btf } from './btf/btf';
import { Kind } from './btf/kinds';
import { relocateSplit } from './btf/relocate';
import { Elf, EM_BPF, ET_REL, isElf } from './elf/elf';
import { type BtfExt, parseBtfExt } from './ext/ext';
import type { Problem } from './util/problems';
import { type ByteSource, bufferSource } from './util/source';

export type InputKind = 'raw-btf' | 'bpf-object' | 'kernel-module' | 'vmlinux' | 'elf';

/** A file that may carry BTF, opened: what it is, its BTF and .BTF.ext, and every problem found. */
export interface BtfInput {
  file: string;
  kind: InputKind;
  elf?: Elf;
  btf?: Btf;
  ext?: BtfExt;
  /** `.BTF.base` of an out-of-tree module: the distilled base its split BTF was built against. */
  distilledBase?: Btf;
  /** True when the BTF is split and no base was supplied (IDs and strings cannot be resolved). */
  missingBase: boolean;
  problems: Problem[];
}

export interface OpenOptions {
  file: string;
  base?: Btf;
}

/** Opens raw BTF or an ELF carrying `.BTF`, as libbpf's btf__parse does (raw first, then ELF). Never throws. */
export function openBtfInput(src: ByteSource, opts: OpenOptions): BtfInput {
  const head = src.read(0, 4);
  if (head.length >= 2 && ((head[0] === 0x9f && head[1] === 0xeb) || (head[0] === 0xeb && head[1] === 0x9f))) {
    const bytes = src.read(0, src.size);
    const btf = Btf.parse(bytes, { base: opts.base, file: opts.file });
    const missingBase = !opts.base && looksSplit(btf);
    const problems = [...btf.problems];
    if (missingBase) problems.unshift(splitHint(opts.file));
    return { file: opts.file, kind: opts.file.endsWith('vmlinux') && !opts.base ? 'vmlinux' : 'raw-btf', btf, missingBase, problems };
  }
  if (!isElf(head)) {
    return {
      file: opts.file, kind: 'raw-btf', missingBase: false,
      problems: [{ file: opts.file, offset: 0, severity: 'error', message: 'neither BTF (magic eb9f) nor ELF: not a file BTF Lens can read' }],
    };
  }
  const elf = new Elf(src, opts.file);
  const problems: Problem[] = [...elf.problems];
  const kind: InputKind = elf.section('.gnu.linkonce.this_module') || elf.section('.modinfo')
    ? 'kernel-module'
    : elf.header?.machine === EM_BPF ? 'bpf-object'
    : elf.header?.type !== ET_REL && elf.section('.BTF') ? 'vmlinux' : 'elf';
  const input: BtfInput = { file: opts.file, kind, elf, missingBase: false, problems };
  const baseSec = elf.section('.BTF.base');
  let base = opts.base;
  if (baseSec) {
    input.distilledBase = Btf.parse(elf.data(baseSec), { file: opts.file, fileOffset: baseSec.offset });
    problems.push(...input.distilledBase.problems);
    // Read on its own, a module with a distilled base resolves against it; with a real base it is relocated.
    base = input.distilledBase;
  }
  const btfSec = elf.section('.BTF');
  if (!btfSec) {
    if (kind === 'bpf-object') problems.push({ file: opts.file, offset: 0, severity: 'warning', message: 'no .BTF section (built without -g?): no types, no .BTF.ext' });
    else if (kind !== 'elf' || elf.header) problems.push({ file: opts.file, offset: 0, severity: 'warning', message: 'no .BTF section' });
    return input;
  }
  let btf = Btf.parse(elf.data(btfSec), { base, file: opts.file, fileOffset: btfSec.offset });
  problems.push(...btf.problems);
  if (input.distilledBase && opts.base && btf.ok) {
    const r = relocateSplit(btf, opts.base, opts.file);
    problems.push(...r.problems);
    if (r.btf) btf = r.btf;
  }
  input.btf = btf;
  if (!base && (kind === 'kernel-module' || looksSplit(btf))) {
    input.missingBase = looksSplit(btf);
    if (input.missingBase) problems.unshift(splitHint(opts.file));
  }
  const extSec = elf.section('.BTF.ext');
  if (extSec) {
    input.ext = parseBtfExt(elf.data(extSec), btf, { file: opts.file, fileOffset: extSec.offset });
    problems.push(...input.ext.problems);
  }
  // Problems found lazily by the ELF reader while fetching sections.
  for (const p of elf.problems) if (!problems.includes(p)) problems.push(p);
  return input;
}

export function openBtfBytes(bytes: Uint8Array, opts: OpenOptions): BtfInput {
  return openBtfInput(bufferSource(bytes), opts);
}

function splitHint(file: string): Problem {
  return { file, offset: 0, severity: 'error', code: 'split-needs-base', message: 'this is split BTF (a kernel module\'s?): it needs its base BTF (--base FILE, e.g. the vmlinux BTF it was built against)' };
}

/**
 * Split BTF read without its base shows it: its string table does not start with "\0", or its types
 * refer to IDs beyond their own count.
 */
export function looksSplit(btf: Btf): boolean {
  if (btf.base) return false;
  const h = btf.header;
  if (!h) return false;
  if (h.strLen === 0) return true;
  const first = btf.view.bytes[h.hdrLen + h.strOff];
  if (first !== 0) return true;
  const count = btf.typeCount;
  const limit = Math.min(count, 1 + 256);
  for (let id = 1; id < limit; id++) {
    const k = btf.kind(id);
    if ((k === Kind.PTR || k === Kind.TYPEDEF || k === Kind.CONST || k === Kind.VOLATILE) && btf.sizeOrType(id) >= count) return true;
  }
  return false;
}
