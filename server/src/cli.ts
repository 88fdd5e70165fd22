#!/usr/bin/env node
/** btf-lens: the command line on the same core as the extension; dumps match bpftool byte for byte. */
import './cli/v8-flags'; // first: V8 flags for a short run
import { mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kindName } from './core/btf/kinds';
import { typeById } from './core/btf/types';
import { formatExt } from './core/format/ext';
import { formatRaw } from './core/format/raw';
import { elfPointerSize, findTypes, formatC } from './core/format/c/index';
import { findStructs, formatLayout, layoutCycle } from './core/format/layout';
import { sectionSpan } from './core/elf/elf';
import type { BtfInput } from './core/input';
import { describeObject, kindCounts } from './core/object/bpf-object';
import { disasmObject } from './core/object/disasm';
import { type CoreResolution, coreLogLines, coreResolutionJson, resolveCoreRelocations } from './core/core-relo/resolve';
import { programsFailingAtPoison } from './core/core-relo/reach';
import { type Problem, formatProblem, internalErrorMessage, oneLine } from './core/util/problems';
import { diffBtf, diffJson, formatDiffText } from './core/diff/index';
import { formatDepsText, objectDeps } from './core/deps/index';
import { ByteWriter } from './core/util/writer';
import { type BaseCache, CliError, InternalError, loadObjectBtf, loadWithBases } from './cli/load';
import { type MinCoreObject, minCoreBtf } from './core/write/min-core-btf';
import { type TargetReport, btfBytes, formatMinCoreReport, minCoreReportJson } from './core/write/min-core-report';
import { listTargetDir, outName } from './io/target-dir';
import { checkLoad } from './core/load/check';
import { loadCheckJson } from './core/load/json';
import type { LoadCheck } from './core/load/model';
import { releaseOfInput } from './kernels/release';
import { readFileHead } from './io/files';
import { gunzipSync } from 'node:zlib';
import { release as osRelease } from 'node:os';
import { osErrorText } from './io/input-error';

const USAGE = `usage:
  btf-lens dump FILE [--base FILE]... [--format raw|json|c] [--root ID|NAME]...
  btf-lens layout FILE [--base FILE]... NAME|ID
  btf-lens ext FILE.o
  btf-lens disasm FILE.o [--section NAME] [--no-show-raw-insn] [--objdump]
  btf-lens info FILE [--base FILE]...
  btf-lens core FILE.o --target FILE [--target-base FILE] [--format text|json] [--all]
  btf-lens check FILE.o --target FILE [--target FILE]... [--kconfig FILE] [--kernel-release REL] [--kallsyms FILE] [--program NAME]... [--format text|json]
  btf-lens diff OLD NEW [--base-old FILE]... [--base-new FILE]... [--format text|json]
  btf-lens deps FILE.o --target FILE... [--format text|json]
  btf-lens gen min-core-btf TARGET OUT FILE.o... [--base VMLINUX] [--report [--format text|json]]
  btf-lens gen min-core-btf --target-dir DIR OUTDIR FILE.o... [--base VMLINUX] [--report ...]

FILE: raw BTF (/sys/kernel/btf/*, *.btf, optionally .gz/.xz/.zst) or an ELF with .BTF
(BPF object, kernel module .ko[.xz|.zst|.gz], vmlinux). --base names the BTF a split BTF
continues (repeat it for multi-level split BTF).`;

class Out {
  readonly w = new ByteWriter((chunk) => writeAll(1, chunk));
  line(s: string): void {
    this.w.text(s);
    this.w.byte(10);
  }
  end(): void {
    this.w.flush();
  }
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) {
    try {
      off += writeSync(fd, chunk, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') process.exit(0); // reader went away (| head): not an error
      throw e;
    }
  }
}

/** The one way to stderr: `btf-lens: ` and one line, whatever a file put into the text (oneLine). */
function say(text: string): void {
  process.stderr.write(`btf-lens: ${oneLine(text)}\n`);
}

/**
 * The input's problems and those its ELF reader found since it was opened (a section is checked when its
 * bytes are first read: one lying past the end of the file is found by disasm or info), each once.
 */
function allProblems(input: BtfInput): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of [...input.problems, ...(input.elf?.problems ?? [])]) {
    const key = `${p.file ?? ''}\0${p.offset}\0${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** Prints problems to stderr; returns true if any is an error. */
function report(problems: Problem[], file: string): boolean {
  let failed = false;
  for (const p of problems) {
    if (p.severity === 'error') failed = true;
    say(`${p.severity === 'warning' ? 'warning: ' : ''}${formatProblem(p, file)}`);
  }
  return failed;
}

/** The file a command reads, named by the one line an internal error prints. */
let inputFile: string | undefined;
/** Exit status of an error: 1, or 2 for `diff` (diff(1): 1 means "they differ"). */
let troubleStatus = 1;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true, strict: true,
    options: {
      base: { type: 'string', short: 'B', multiple: true },
      format: { type: 'string', default: 'raw' },
      section: { type: 'string' },
      root: { type: 'string', multiple: true },
      target: { type: 'string', multiple: true },
      'target-base': { type: 'string' },
      all: { type: 'boolean' },
      'no-show-raw-insn': { type: 'boolean' },
      objdump: { type: 'boolean' },
      'base-old': { type: 'string', multiple: true },
      'base-new': { type: 'string', multiple: true },
      kconfig: { type: 'string' },
      'kernel-release': { type: 'string' },
      program: { type: 'string', multiple: true },
      kallsyms: { type: 'string' },
      'target-dir': { type: 'string' },
      report: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  inputFile = file;
  if (cmd === 'gen') return genCmd(positionals, { bases: values.base ?? [], targetDir: values['target-dir'], report: values.report, format: values.format! });
  if (cmd === 'layout') {
    if (positionals.length !== 2) throw new CliError(`layout: expects FILE and a struct NAME (or type ID)`, true);
    return layoutCmd(file!, positionals[1]!, values.base ?? []);
  }
  if (cmd === 'diff') {
    troubleStatus = 2;
    if (positionals.length !== 2) throw new CliError('diff: expects OLD and NEW', true);
    return diffCmd(positionals[0]!, positionals[1]!, values['base-old'] ?? [], values['base-new'] ?? [], values.format);
  }
  if (!file || positionals.length > 1) throw new CliError(`${cmd}: expects exactly one FILE`, true);
  const bases = values.base ?? [];
  const out = new Out();
  switch (cmd) {
    case 'dump': {
      const { input } = await loadWithBases(file, bases);
      if (!input.btf) return report(input.problems, file) ? 1 : (report([{ file, offset: 0, severity: 'error', message: 'no BTF in this file' }], file), 1);
      // bpftool's `root_id ID`, repeatable; --root also takes names (`struct task_struct`).
      const roots = values.root?.flatMap((r) => {
        const ids = findTypes(input.btf!, r);
        if (!ids.length) throw new CliError(`--root ${r}: no such type`);
        return ids;
      });
      if (values.format === 'c') {
        const r = formatC(input.btf, out.w, { roots, pointerSize: elfPointerSize(input) });
        out.end();
        if (r.error) input.problems.push({ file, offset: 0, severity: 'error', message: `C dump stopped: ${r.error}` });
        return report(input.problems, file) ? 1 : 0;
      }
      if (values.format === 'raw') formatRaw(input.btf, out.w, roots);
      else if (values.format === 'json') out.line(JSON.stringify(dumpJson(input), jsonBigInt, 1));
      else throw new CliError(`unknown --format ${values.format} (raw, json, c)`);
      out.end();
      return report(input.problems, file) ? 1 : 0;
    }
    case 'ext': {
      const { input } = await loadWithBases(file, bases);
      if (input.btf && input.ext) out.w.text(formatExt(input.btf, input.ext));
      else if (!input.problems.length) input.problems.push({ file, offset: 0, severity: 'error', message: input.btf ? 'no .BTF.ext section' : 'no .BTF section' });
      out.end();
      return report(input.problems, file) ? 1 : 0;
    }
    case 'disasm': {
      // llvm-objdump -d -r's listing with .BTF.ext notes (`;` lines); --objdump leaves them out.
      const { input } = await loadWithBases(file, bases);
      if (!input.elf?.header) {
        if (!input.problems.length) input.problems.push({ file, offset: 0, severity: 'error', message: 'not an ELF object: nothing to disassemble' });
        report(input.problems, file);
        return 1;
      }
      if (!input.elf.isBpf) {
        report([...input.problems, { file, offset: 18, severity: 'error', message: `not a BPF object (e_machine ${input.elf.header.machine}, expected 247 EM_BPF): disasm decodes BPF instructions only` }], file);
        return 1;
      }
      const r = disasmObject(input, { section: values.section, rawInsn: values['no-show-raw-insn'] !== true, notes: values.objdump !== true, fileName: file });
      if (values.section !== undefined && !r.matched) {
        throw new CliError(`${file}: no code section ${values.section} (code sections: ${r.sections.join(' ') || 'none'})`);
      }
      out.w.text(r.text);
      out.end();
      return report(allProblems(input), file) ? 1 : 0;
    }
    case 'info': {
      const { input, baseInputs } = await loadWithBases(file, bases);
      for (const l of infoLines(input, baseInputs.map((b) => b.file))) out.line(l);
      out.end();
      return report(allProblems(input), file) ? 1 : 0;
    }
    case 'deps':
      return depsCmd(file, values.target ?? [], values.format);
    case 'check':
      return checkCmd(file, values.target ?? [], {
        format: values.format, kconfig: values.kconfig, kernelRelease: values['kernel-release'], programs: values.program, kallsyms: values.kallsyms,
      });
    case 'core':
      return coreCmd(file, values.target ?? [], values['target-base'], values.format, values.all === true);
    default:
      throw new CliError(`unknown command '${cmd}'`, true);
  }
}

/** `layout FILE NAME`: pahole's view of a struct (holes, padding, cachelines), every struct or union of that name. */
async function layoutCmd(file: string, name: string, bases: string[]): Promise<number> {
  const { input } = await loadWithBases(file, bases);
  const btf = input.btf;
  if (!btf) {
    report(input.problems.length ? input.problems : [{ file, offset: 0, severity: 'error', message: 'no BTF in this file' }], file);
    return 1;
  }
  const ids = /^(0x[0-9a-f]+|\d+)$/i.test(name) ? findTypes(btf, name) : findStructs(btf, name, true);
  const texts: string[] = [];
  for (const id of ids) {
    const cycle = layoutCycle(btf, id);
    const at = btf.locate(id);
    if (cycle && at) input.problems.push({ file: at.btf.file ?? file, offset: at.btf.fileOffset + at.off, severity: 'error', message: `[${id}] ${cycle}` });
    const text = cycle ? undefined : formatLayout(btf, id, { pointerSize: elfPointerSize(input) });
    if (text !== undefined) texts.push(text);
  }
  if (!texts.length && !input.problems.some((p) => p.severity === 'error')) throw new CliError(`${file}: no struct or union ${name}`);
  const out = new Out();
  out.w.text(texts.join('\n'));
  out.end();
  return report(input.problems, file) ? 1 : 0;
}

/**
 * `core`: resolve the object's CO-RE relocations against a kernel BTF as libbpf 1.1 does at load and print
 * the lines libbpf logs (those core_oracle -q keeps; --all: also libbpf's other warnings). --target-base:
 * the --target files are modules split on it (searched when vmlinux has no candidate). Exit 1 when the
 * load would fail: in libbpf, or in the verifier at a reachable poisoned instruction.
 */
async function coreCmd(file: string, targets: string[], targetBase: string | undefined, format: string | undefined, all: boolean): Promise<number> {
  if (targets.length === 0) throw new CliError('core: --target FILE is required (a vmlinux BTF, e.g. /sys/kernel/btf/vmlinux)');
  if (!targetBase && targets.length > 1) throw new CliError('core: one --target, or --target-base VMLINUX with --target MODULE...');
  const { input } = await loadWithBases(file, []);
  const vmlinuxFile = targetBase ?? targets[0]!;
  const { input: vm } = await loadWithBases(vmlinuxFile, []);
  if (!vm.btf || !vm.btf.ok) throw new CliError(`${vmlinuxFile}: no usable BTF${vm.problems[0] ? `: ${vm.problems[0].message}` : ''}`);
  const modules = [];
  for (const m of targetBase ? targets : []) {
    const { input: mi } = await loadWithBases(m, [targetBase!]);
    if (!mi.btf) throw new CliError(`${m}: no BTF`);
    modules.push({ name: m.replace(/^.*\//, '').replace(/\.(btf|ko)(\.(gz|xz|zst))?$/, ''), btf: mi.btf });
  }
  const res = resolveCoreRelocations(input, { vmlinux: vm.btf, modules });
  const out = new Out();
  if (format === 'json') out.line(JSON.stringify(coreResolutionJson(res, { object: file, target: vmlinuxFile, modules: targetBase ? targets : [] }), undefined, 1));
  else if (format === 'text' || format === 'raw' || format === undefined) for (const l of coreLogLines(res, all)) out.line(l);
  else throw new CliError(`unknown --format ${format} (text, json)`);
  out.end();
  const poison = reachablePoison(input, res, vmlinuxFile);
  const failed = report([...input.problems.filter((p) => p.severity === 'error'), ...res.problems, ...(poison ? [poison] : [])], file);
  if (res.internalError !== undefined && process.env.BTF_LENS_DEBUG) process.stderr.write(`${(res.internalError as Error)?.stack ?? String(res.internalError)}\n`);
  if (!res.ok && !res.problems.length) say(`${file}: CO-RE relocation fails against ${vmlinuxFile} (error ${res.error}): libbpf would not load this object`);
  return failed || !res.ok ? 1 : 0;
}

/**
 * `check`: what libbpf 1.1 logs while loading the object on each target kernel, up to the verifier
 * (core/load/): extern collection and resolution, struct_ops, CO-RE, attach targets, in libbpf's order,
 * stopping where libbpf stops. JSON: every dependency with its outcome per target. Exit 1 when the load
 * fails before the verifier on any target. LINUX_KERNEL_VERSION: --kernel-release, else the target's
 * release (vmlinux banner, path, uname -r for /sys/kernel/btf/vmlinux); CONFIG_*: --kconfig, else for
 * /sys/kernel/btf/vmlinux the running kernel's config (where libbpf reads it), else not checked; ksyms
 * without a type: --kallsyms, else /proc/kallsyms for /sys/kernel/btf/vmlinux, else not checked.
 */
async function checkCmd(
  file: string, targets: string[], o: { format?: string; kconfig?: string; kernelRelease?: string; programs?: string[]; kallsyms?: string },
): Promise<number> {
  if (targets.length === 0) throw new CliError('check: --target FILE is required (a vmlinux BTF, e.g. /sys/kernel/btf/vmlinux)');
  const format = o.format === 'raw' || o.format === undefined ? 'text' : o.format;
  if (format !== 'text' && format !== 'json') throw new CliError(`unknown --format ${o.format} (text, json)`);
  const kconfigText = o.kconfig === undefined ? undefined : readKconfigFile(o.kconfig);
  const { input } = await loadWithBases(file, []);
  const results: { file: string; release?: string; kconfig?: string; check: LoadCheck }[] = [];
  for (const t of targets) {
    const { input: vm } = await loadWithBases(t, []);
    if (!vm.btf || !vm.btf.ok) throw new CliError(`${t}: no usable BTF${vm.problems[0] ? `: ${vm.problems[0].message}` : ''}`);
    const release = o.kernelRelease ?? releaseOfInput(vm, t)?.release;
    let kconfig = kconfigText;
    let kconfigFile = o.kconfig;
    if (kconfig === undefined && t === '/sys/kernel/btf/vmlinux') {
      for (const c of [`/boot/config-${osRelease()}`, '/proc/config.gz']) {
        kconfig = readKconfigFile(c, true);
        if (kconfig !== undefined) {
          kconfigFile = c;
          break;
        }
      }
    }
    const kallsyms = o.kallsyms !== undefined ? readKconfigFile(o.kallsyms) : t === '/sys/kernel/btf/vmlinux' ? readKconfigFile('/proc/kallsyms', true) : undefined;
    const check = checkLoad(input, { vmlinux: vm.btf }, { kconfig, kernelRelease: release, programs: o.programs, kallsyms });
    if (check.internalError !== undefined && process.env.BTF_LENS_DEBUG) process.stderr.write(`${(check.internalError as Error)?.stack ?? String(check.internalError)}\n`);
    results.push({ file: t, release, kconfig: kconfigFile, check });
  }
  const out = new Out();
  if (format === 'json') {
    out.line(JSON.stringify(loadCheckJson(file, results), undefined, 1));
  } else {
    for (const r of results) {
      if (results.length > 1) out.line(`# ${r.file}`);
      for (const l of r.check.log) out.line(l);
    }
  }
  out.end();
  const problems = [...input.problems.filter((p) => p.severity === 'error')];
  for (const r of results) problems.push(...r.check.problems.filter((p) => !problems.some((q) => q.message === p.message)));
  for (const r of results) {
    const weak = reachableWeakUse(input, r.check, r.file);
    if (weak) problems.push(weak);
  }
  const failed = report(problems, file);
  for (const r of results) {
    const unknown = r.check.outcomes.map((x, i) => (x.code === 'unknown' ? r.check.dependencies[i]! : undefined)).filter((d) => d !== undefined);
    const kcfg = unknown.filter((d) => d.kind === 'kconfig').map((d) => d.name);
    const typeless = unknown.filter((d) => d.kind === 'ksym-typeless').map((d) => d.name);
    if (typeless.length) say(`${r.file}: not checked: ${typeless.join(', ')} (ksyms without a type come from the kernel's /proc/kallsyms: give it with --kallsyms)`);
    if (kcfg.length) say(`${r.file}: not checked: ${kcfg.join(', ')} (${kcfg.some((n) => n.startsWith('CONFIG_')) ? 'give the kernel config with --kconfig' : 'give --kernel-release'})`);
    if (r.check.stop && format === 'text' && results.length === 1 && r.check.stop.step !== 'open') say(`${file}: libbpf would not load this object on ${r.file} (error ${r.check.stop.err} at ${r.check.stop.step})`);
  }
  return failed || results.some((r) => r.check.stop) ? 1 : 0;
}

const KCONFIG_MAX = 16 << 20;

/** A kernel .config (plain or gzip'ed, /proc/config.gz) or a kallsyms listing, as text; undefined when `optional` and unreadable. */
function readKconfigFile(path: string, optional = false): string | undefined {
  try {
    // opened as every input is (no FIFO waited on); a .config is a few hundred KB
    const bytes = readFileHead(path, KCONFIG_MAX);
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: KCONFIG_MAX }) : bytes;
    return new TextDecoder('latin1').decode(raw);
  } catch (e) {
    if (optional) return undefined;
    throw new CliError(`${path}: cannot read: ${e instanceof Error && 'code' in e ? osErrorText(e) : (e as Error).message}`);
  }
}

/**
 * libbpf sets a missing `__weak` ksym or kfunc to 0 and loads on; the kernel's verifier then refuses each
 * program that reaches a use of it (load/weak-reach.ts; undecided counts as reached). One problem at the
 * first such use, naming the programs refused, as for a reachable poisoned CO-RE instruction.
 */
function reachableWeakUse(input: BtfInput, check: LoadCheck, target: string): Problem | undefined {
  const uses = check.outcomes.flatMap((o, i) => (o.reachable && o.code === 'weak-missing' ? (o.weakUses ?? []).map((u) => ({ u, name: check.dependencies[i]!.name })) : []));
  const first = uses[0];
  if (!first) return undefined;
  const progs = [...new Set(uses.map((x) => x.u.program))];
  const names = progs.length > 5 ? [...progs.slice(0, 4), `… (${progs.length} programs)`] : progs;
  const sec = input.elf?.sections.find((s) => s.name === first.u.section);
  const at = first.u.place ? ` (${first.u.place.file}:${first.u.place.line + 1})` : '';
  return {
    file: input.file, offset: (sec?.offset ?? 0) + first.u.sectionOffset, severity: 'error',
    message: `missing __weak extern '${first.name}' is 0 on ${target} and the verifier reaches a use of it: `
      + `prog '${first.u.function}' insn #${first.u.insn}${at}, a ${first.u.what === 'call' ? 'call of the missing kfunc' : first.u.what === 'dereference' ? 'load or store through address 0' : 'call with address 0 as an argument'}`
      + `${uses.length > 1 ? ` (${uses.length} uses of missing weak externs reached)` : ''}: the kernel's verifier refuses prog ${names.join(', ')}`,
  };
}

/**
 * libbpf relocates an object with poisoned instructions without a word; the kernel's verifier then refuses
 * each program that reaches one (reach.ts; undecided counts as reached). One problem at the first such
 * instruction, naming the programs that fail, or none when every poisoned instruction is dead code.
 */
function reachablePoison(input: BtfInput, res: CoreResolution, target: string): Problem | undefined {
  const hit = res.relocations.filter((r) => r.outcome === 'poisoned' && r.reachable !== false);
  const first = hit[0];
  if (!first) return undefined;
  const failing = res.reach ? [...programsFailingAtPoison(res.reach, res.relocations)].filter(([, f]) => f).map(([name]) => name) : [];
  const names = failing.length > 5 ? [...failing.slice(0, 4), `… (${failing.length} programs)`] : failing;
  const sec = input.elf?.sections.find((s) => s.name === first.section);
  return {
    file: input.file, offset: (sec?.offset ?? 0) + first.insnOff, severity: 'error',
    message: `${hit.length} poisoned CO-RE instruction${hit.length > 1 ? 's' : ''} reachable against ${target}, the first in prog '${first.prog}' insn #${first.insn} `
      + `(${first.spec ?? first.access}): the kernel's verifier refuses ${names.length ? `prog ${names.join(', ')}` : 'the programs that reach them'}`,
  };
}

/**
 * `diff OLD NEW`: what changed between two BTFs (two kernels, two builds of a module each on its
 * own base, two builds of an object), by kind and name; see README ("Diff JSON schema").
 */
async function diffCmd(oldFile: string, newFile: string, oldBases: string[], newBases: string[], format: string | undefined): Promise<number> {
  if (format !== 'json' && format !== 'text' && format !== 'raw' && format !== undefined) throw new CliError(`unknown --format ${format} (text, json)`);
  const { input: a } = await loadWithBases(oldFile, oldBases);
  const { input: b } = await loadWithBases(newFile, newBases);
  const problems = (i: BtfInput, f: string) => i.btf ? i.problems : [...i.problems, { file: f, offset: 0, severity: 'error' as const, message: 'no BTF in this file' }];
  // A split BTF read without its base has no names to match: say so rather than print an empty diff.
  if (!a.btf || !b.btf || a.missingBase || b.missingBase) {
    report(problems(a, oldFile), oldFile);
    report(problems(b, newFile), newFile);
    return 2;
  }
  const d = diffBtf(a.btf, b.btf, { oldName: oldFile, newName: newFile });
  // Megabytes of text for two kernels: encoded at once rather than char by char through the writer.
  const text = format === 'json' ? `${JSON.stringify(diffJson(d), undefined, 1)}\n` : formatDiffText(d, a.btf, b.btf);
  writeAll(1, Buffer.from(text));
  const failedA = report(a.problems, oldFile);
  const failedB = report(b.problems, newFile);
  // diff(1)'s status: 0 the same, 1 they differ, 2 trouble (a side read with errors: its diff may be partial).
  return failedA || failedB ? 2 : d.changes.length ? 1 : 0;
}

/**
 * `deps OBJ --target K...`: what the object needs of each kernel and whether each has it, changes in the
 * diff's categories; see README ("Deps JSON schema").
 */
async function depsCmd(file: string, targetFiles: string[], format: string | undefined): Promise<number> {
  if (format !== 'json' && format !== 'text' && format !== 'raw' && format !== undefined) throw new CliError(`unknown --format ${format} (text, json)`);
  if (targetFiles.length === 0) throw new CliError('deps: --target FILE is required (a vmlinux BTF; repeat it for each kernel)');
  const { input } = await loadWithBases(file, []);
  const targets = [];
  for (const t of targetFiles) {
    const { input: ti } = await loadWithBases(t, []);
    if (!ti.btf || !ti.btf.ok || ti.missingBase) throw new CliError(`${t}: no usable BTF${ti.problems[0] ? `: ${ti.problems[0].message}` : ''}`);
    targets.push({ label: t.replace(/^.*\//, ''), file: t, btf: ti.btf });
  }
  const { report: r, problems } = objectDeps(input, targets, { check: checkLoad });
  writeAll(1, Buffer.from(format === 'json' ? `${JSON.stringify(r, undefined, 1)}\n` : formatDepsText(r)));
  return report([...input.problems.filter((p) => p.severity === 'error'), ...problems], file) ? 1 : 0;
}

/**
 * `gen min-core-btf TARGET OUT OBJ... [--base VMLINUX]`: bpftool gen min_core_btf (BTFGen) — TARGET cut down to
 * the types and members the objects' CO-RE relocations use, byte for byte what bpftool 7.1 writes. With --base,
 * TARGET is a module's BTF and OUT one standalone BTF of what the objects need from it and its vmlinux.
 * `--target-dir DIR OUTDIR OBJ...`: the same for every kernel BTF of DIR, each OUT named as its target.
 * `--report` prints what was kept and why (text, or `--format json`).
 */
async function genCmd(args: string[], opts: { bases: string[]; targetDir?: string; report?: boolean; format: string }): Promise<number> {
  const [what, ...rest] = args;
  const usage = 'gen: expects min-core-btf TARGET OUT OBJ... or min-core-btf --target-dir DIR OUTDIR OBJ...';
  if (what !== 'min-core-btf') throw new CliError(usage, true);
  const format = opts.format === 'raw' ? 'text' : opts.format;
  if (format !== 'text' && format !== 'json') throw new CliError(`unknown --format ${opts.format} (text, json)`);
  let jobs: { target: string; out: string }[];
  let objs: string[];
  if (opts.targetDir !== undefined) {
    const [outDir, ...o] = rest;
    if (!outDir || o.length === 0) throw new CliError(usage, true);
    const targets = listTargetDir(opts.targetDir);
    if (!targets.length) throw new CliError(`${opts.targetDir}: no kernel BTF files (*.btf, vmlinux*) in this directory`);
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw new CliError(`${outDir}: cannot be made: ${osErrorText(e)}`);
    }
    jobs = targets.map((t) => ({ target: t, out: join(outDir, outName(t)) }));
    objs = o;
  } else {
    const [target, outFile, ...o] = rest;
    if (!target || !outFile || o.length === 0) throw new CliError(usage, true);
    jobs = [{ target, out: outFile }];
    objs = o;
  }
  const objects = [];
  for (const o of objs) objects.push({ file: o, input: await loadObjectBtf(o) });
  const reports: TargetReport[] = [];
  let failed = false;
  const baseCache: BaseCache = new Map();
  for (const job of jobs) {
    const r = await genOne(job.target, job.out, objects, opts.bases, opts.report === true, baseCache);
    reports.push(r);
    if (r.error !== undefined) {
      failed = true;
      // one target: bpftool's one error; many: each failing target named, the others still written
      if (jobs.length === 1) throw new CliError(r.error);
      say(r.error.startsWith(`${job.target}: `) ? r.error : `${job.target}: ${r.error}`);
    }
  }
  if (opts.report) {
    const text = format === 'json' ? `${JSON.stringify(minCoreReportJson(reports), undefined, 1)}\n` : formatMinCoreReport(reports);
    writeAll(1, Buffer.from(text));
  }
  return failed ? 1 : 0;
}

async function genOne(target: string, outFile: string, objects: MinCoreObject[], bases: string[], withReport: boolean, baseCache: BaseCache): Promise<TargetReport> {
  const row: TargetReport = { target, out: outFile };
  try {
    const { input: t } = await loadWithBases(target, bases, baseCache);
    if (!t.btf || !t.btf.ok) return { ...row, error: `${target}: no usable BTF${t.problems[0] ? `: ${t.problems[0].message}` : ''}` };
    if (t.missingBase) return { ...row, error: `${target}: split BTF (a module's): give its vmlinux with --base` };
    const r = minCoreBtf(t.btf, objects, { report: withReport });
    if (r.error !== undefined) return { ...row, error: r.error };
    try {
      writeFileSync(outFile, r.bytes);
    } catch (e) {
      return { ...row, error: `${outFile}: cannot be written: ${osErrorText(e)}` };
    }
    return { ...row, targetBytes: btfBytes(t.btf), outBytes: r.bytes.length, report: r.report };
  } catch (e) {
    if (e instanceof CliError) return { ...row, error: e.message };
    throw e;
  }
}

function jsonBigInt(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** `--format json`: see README ("JSON dump schema"). */
function dumpJson(input: BtfInput): object {
  const btf = input.btf!;
  const types = [];
  for (let id = btf.startId; id < btf.typeCount; id++) types.push(typeById(btf, id));
  return {
    file: input.file,
    byteOrder: btf.header?.littleEndian === false ? 'big' : 'little',
    header: btf.header,
    startId: btf.startId,
    startStrOff: btf.startStrOff,
    base: btf.base ? { file: btf.base.file ?? null, typeCount: btf.base.typeCount } : null,
    types,
    problems: input.problems,
  };
}

function infoLines(input: BtfInput, bases: string[]): string[] {
  const L: string[] = [];
  const { elf, btf } = input;
  L.push(`file: ${input.file}`);
  L.push(`kind: ${input.kind}`);
  if (elf?.header) {
    const h = elf.header;
    L.push(`elf: ${h.is64 ? 'ELF64' : 'ELF32'} ${h.littleEndian ? 'little-endian' : 'big-endian'} machine=${h.machine}${h.machine === 247 ? ' (BPF)' : ''} type=${h.type}`);
    L.push(`sections: ${elf.sections.length}`);
    for (const s of elf.sections) if (s.index > 0) L.push(`  [${s.index}] ${s.name || '(no name)'} type=${s.type} size=${sectionSpan(s).size}${s.flags & 4 ? ' exec' : ''}`);
  }
  if (btf?.header) {
    L.push(`btf: ${btf.header.littleEndian ? 'little-endian' : 'big-endian'} hdr_len=${btf.header.hdrLen} types=${btf.ownCount} (ids ${btf.startId}..${btf.typeCount - 1}) strings=${btf.header.strLen} bytes`);
    L.push(`base: ${btf.base ? bases.join(' -> ') || 'distilled .BTF.base' : input.missingBase ? 'NEEDED (split BTF; pass --base)' : 'none (standalone)'}`);
    const counts = [...kindCounts(btf)].sort((a, b) => a[0] - b[0]);
    L.push(`kinds: ${counts.map(([k, n]) => `${kindName(k)}=${n}`).join(' ')}`);
  } else {
    L.push('btf: none');
  }
  if (input.ext) {
    const n = (a: { records: unknown[] }[]) => a.reduce((s, x) => s + x.records.length, 0);
    L.push(`btf.ext: func_info=${n(input.ext.funcInfo)} line_info=${n(input.ext.lineInfo)} core_relo=${n(input.ext.coreRelo)}`);
  }
  const obj = describeObject(input);
  if (obj.license !== undefined) L.push(`license: ${obj.license}`);
  if (obj.programs.length) {
    L.push(`programs:`);
    for (const p of obj.programs) {
      L.push(`  ${p.name}: ${p.slots} insn slots, ${p.coreRelo.length} CO-RE relocations`);
      for (const f of p.functions) L.push(`    ${f.global ? 'global' : 'static'} ${f.name} @${f.start} (${f.slots} slots)`);
    }
  }
  if (obj.maps.length) {
    L.push('maps:');
    for (const m of obj.maps) {
      const t = (id?: number) => (id === undefined || !btf ? '-' : `[${id}] ${btf.name(id) || kindName(btf.kind(id)).toLowerCase()}`);
      L.push(`  ${m.name}: type=${m.typeName ?? '-'} key=${m.keyType !== undefined ? t(m.keyType) : m.keySize ?? '-'} value=${m.valueType !== undefined ? t(m.valueType) : m.valueSize ?? '-'} max_entries=${m.maxEntries ?? '-'}${m.mapFlags ? ` flags=0x${m.mapFlags.toString(16)}` : ''}${m.pinning ? ` pinning=${m.pinning}` : ''}${m.innerDefId !== undefined ? ` inner=[${m.innerDefId}]` : ''}`);
    }
  }
  for (const d of obj.dataSections) {
    L.push(`data ${d.name}: size=${d.size}${d.storedSize !== d.size ? ` (stored ${d.storedSize})` : ''}`);
    for (const v of d.vars) L.push(`  ${v.name} offset=${v.offset} size=${v.size}`);
  }
  return L;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof CliError || (e as { code?: string } | undefined)?.code?.startsWith('ERR_PARSE_ARGS')) {
      say((e as Error).message);
      if (e instanceof CliError && e.withUsage) process.stderr.write(USAGE + '\n');
      process.exit(e instanceof CliError ? troubleStatus : 2);
    }
    // A bug of ours: one line, never a stack trace unless asked for.
    const file = e instanceof InternalError ? e.file : inputFile;
    const thrown = e instanceof InternalError ? e.thrown : e;
    say(file ? internalErrorMessage(file) : 'internal error in BTF Lens');
    if (process.env.BTF_LENS_DEBUG) process.stderr.write(`${(thrown as Error)?.stack ?? String(thrown)}\n`);
    process.exit(troubleStatus);
  },
);
