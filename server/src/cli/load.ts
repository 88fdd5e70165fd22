import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { checkSplitAgainstBase } from '../core/btf/base-check';
import type { Btf } from '../core/btf/btf';
import { type BtfInput, openBtfInput } from '../core/input';
import { isOsError } from '../core/util/problems';
import { openFile } from '../io/files';

/** A user's mistake or an unusable input: one line on stderr (and the usage after it when `withUsage`), exit 1. */
export class CliError extends Error {
  constructor(message: string, readonly withUsage = false) {
    super(message);
  }
}

/** A bug of ours met while reading `file` (a base or target as well as the input): cli.ts says so in one line. */
export class InternalError extends Error {
  constructor(readonly file: string, readonly thrown: unknown) {
    super(`internal error while reading ${file}`);
  }
}

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
    throw new CliError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return openBtfInput(opened.source, { file, base });
  } catch (e) {
    // The core does not throw on bad input: an OS error from a ranged read, or a bug of ours (cli.ts words it).
    if (isOsError(e)) throw new CliError(`${file}: cannot be read: ${(e as Error).message}`);
    throw new InternalError(file, e);
  }
}

