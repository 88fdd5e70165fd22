import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { checkSplitAgainstBase } from '../core/btf/base-check';
import type { Btf } from '../core/btf/btf';
import type { ByteSource } from '../core/util/source';
import { type BtfInput, openBtfInput } from '../core/input';
import { openFile } from '../io/files';
import { findVmlinux } from '../kernels/known-places';
import { describeRelease, releaseOfFile, releaseOfInput } from '../kernels/release';
import { readFailure } from '../io/input-error';

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
 * under /sys/kernel/btf/ gets /sys/kernel/btf/vmlinux as its base when none is given; split BTF that
 * names its kernel release (a .ko's vermagic, a path under lib/modules/R/) gets that release's vmlinux
 * when one is at a known place (kernels/known-places.ts). `--base` wins.
 */
/**
 * A run that reads many split BTFs on one base (`gen min-core-btf --target-dir DIR --base VMLINUX`) passes one
 * `baseCache`, so the base chain is read once, not once per module.
 */
export type BaseCache = Map<string, BtfInput>;

export async function loadWithBases(file: string, bases: string[], baseCache?: BaseCache): Promise<{ input: BtfInput; baseInputs: BtfInput[] }> {
  if (bases.length === 0 && file.startsWith(SYSFS_BTF) && basename(file) !== 'vmlinux' && existsSync(dirname(file) + '/vmlinux')) {
    bases = [dirname(file) + '/vmlinux'];
  }
  if (bases.length === 0) {
    const alone = await loadOne(file, undefined);
    const release = alone.missingBase ? releaseOfInput(alone, file) : undefined;
    if (!release) return { input: alone, baseInputs: [] };
    const search = await findVmlinux(release.release, { near: file });
    if (!search.found) {
      const hint = alone.problems.findIndex((p) => p.code === 'split-needs-base');
      const message = `split BTF built for ${describeRelease(release)}: no vmlinux of that release at ${search.searched.join(', ')}; give its base with --base FILE`;
      if (hint >= 0) alone.problems[hint] = { ...alone.problems[hint]!, message };
      return { input: alone, baseInputs: [] };
    }
    bases = [search.found.path];
  }
  const baseInputs: BtfInput[] = [];
  let base: Btf | undefined;
  for (const [i, b] of bases.entries()) {
    const key = bases.slice(0, i + 1).join('\0');
    const bi = baseCache?.get(key) ?? (await loadOne(b, base));
    baseCache?.set(key, bi);
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
    if (mismatch) {
      const base = bases[bases.length - 1]!;
      const [own, theirs] = [releaseOfInput(input, file), await releaseOfFile(base)];
      const releases = own && theirs && own.release !== theirs.release ? ` (it was built for ${describeRelease(own)}; the base is ${describeRelease(theirs)})` : '';
      input.problems.push({ ...mismatch, file, message: `${mismatch.message}: is ${base} the base it was built against?${releases}` });
    }
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
  try {
    return openBtfInput(source, { file, base });
  } catch (e) {
    // The core does not throw on bad input: a read the opener refused (already a CliError), or a bug of ours.
    if (e instanceof CliError) throw e;
    throw new InternalError(file, e);
  }
}

/**
 * A BPF object for `gen min-core-btf`, of which only .BTF and .BTF.ext count: an ELF file is read by ranges
 * (its headers and those sections, not its DWARF) and closed once they are parsed, so that a thousand
 * objects hold neither their bytes nor a descriptor each.
 */
export async function loadObjectBtf(file: string): Promise<BtfInput> {
  let opened;
  try {
    opened = await openFile(file, undefined, { ranged: true });
  } catch (e) {
    throw asCliError(file, e);
  }
  try {
    return openBtfInput(opened.source, { file });
  } catch (e) {
    const failed = asCliError(file, e);
    if (failed instanceof CliError) throw failed;
    throw new InternalError(file, e);
  } finally {
    opened.close();
  }
}

/** What the opener and its reads throw, as `FILE: offset N (0xN): what`; anything else (a bug) unchanged. */
function asCliError(file: string, e: unknown): unknown {
  const failed = readFailure(e);
  return failed ? new CliError(`${file}: offset ${failed.offset} (0x${failed.offset.toString(16)}): ${failed.what}`) : e;
}

