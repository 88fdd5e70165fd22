import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { checkSplitAgainstBase } from '../core/btf/base-check';
import type { Btf } from '../core/btf/btf';
import type { ByteSource } from '../core/util/source';
import { type BtfInput, openBtfInput } from '../core/input';
import { openFile } from '../io/files';
import { InputError, osErrorText } from '../io/input-error';

export class CliError extends Error {}

const SYSFS_BTF = '/sys/kernel/btf/';

/**
 * Opens FILE on top of the given bases (each split on the previous one). Like bpftool, a module
 * under /sys/kernel/btf/ gets /sys/kernel/btf/vmlinux as its base when none is given.
 */
export async function loadWithBases(file: string, bases: string[]): Promise<{ input: BtfInput; baseInputs: BtfInput[] }> {
  if (bases.length === 0 && file.startsWith(SYSFS_BTF) && basename(file) !== 'vmlinux' && existsSync(dirname(file) + '/vmlinux')) {
    bases = [dirname(file) + '/vmlinux'];
  }
  const baseInputs: BtfInput[] = [];
  let base: Btf | undefined;
  for (const b of bases) {
    const bi = await loadOne(b, base);
    if (!bi.btf) throw new CliError(`${b}: no BTF to use as a base`);
    const fatal = bi.problems.find((p) => p.severity === 'error');
    if (fatal) throw new CliError(`${b}: cannot be used as a base: offset ${fatal.offset} (0x${fatal.offset.toString(16)}): ${fatal.message}`);
    baseInputs.push(bi);
    base = bi.btf;
  }
  const input = await loadOne(file, base);
  // A split read on a base it was not built for still parses (bpftool dumps it without a word): say so.
  if (input.btf?.base && input.btf.base !== input.distilledBase && !input.missingBase) {
    const mismatch = checkSplitAgainstBase(input.btf);
    if (mismatch) input.problems.push({ ...mismatch, file, message: `${mismatch.message}: is ${bases[bases.length - 1]} the base it was built against?` });
  }
  return { input, baseInputs };
}

async function loadOne(file: string, base: Btf | undefined): Promise<BtfInput> {
  let opened;
  try {
    opened = await openFile(file);
  } catch (e) {
    throw asCliError(file, e);
  }
  // Left open: the core reads sections as commands ask for them, and the process ends after one command.
  const src = opened.source;
  const source: ByteSource = {
    size: src.size,
    read(offset, length) {
      try {
        return src.read(offset, length);
      } catch (e) {
        throw asCliError(file, e); // a range over the limit, or a failing read, in the same words
      }
    },
  };
  return openBtfInput(source, { file, base });
}

/** What the opener and its reads throw, as `FILE: offset N (0xN): what`; anything else (a bug) unchanged. */
function asCliError(file: string, e: unknown): unknown {
  let offset = 0;
  let what: string;
  if (e instanceof InputError) {
    offset = e.offset;
    what = e.message;
  } else if (typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall) {
    what = osErrorText(e);
  } else {
    return e;
  }
  return new CliError(`${file}: offset ${offset} (0x${offset.toString(16)}): ${what}`);
}
