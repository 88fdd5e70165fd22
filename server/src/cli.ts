#!/usr/bin/env node
/** btf-lens: the command line on the same core as the extension; dumps match bpftool byte for byte. */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kindName } from './core/btf/kinds';
import { typeById } from './core/btf/types';
import { formatExt } from './core/format/ext';
import { formatRaw } from './core/format/raw';
import type { BtfInput } from './core/input';
import { describeObject, kindCounts } from './core/object/bpf-object';
import { type Problem, formatProblem } from './core/util/problems';
import { ByteWriter } from './core/util/writer';
import { CliError, loadWithBases } from './cli/load';

const USAGE = `usage:
  btf-lens dump FILE [--base FILE]... [--format raw|json]
  btf-lens ext FILE.o
  btf-lens disasm FILE.o [--section NAME]
  btf-lens info FILE [--base FILE]...

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

/** Prints problems to stderr; returns true if any is an error. */
function report(problems: Problem[], file: string): boolean {
  let failed = false;
  for (const p of problems) {
    if (p.severity === 'error') failed = true;
    process.stderr.write(`btf-lens: ${p.severity === 'warning' ? 'warning: ' : ''}${formatProblem(p, file)}\n`);
  }
  return failed;
}

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
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError(`${cmd}: expects exactly one FILE\n${USAGE}`);
  const bases = values.base ?? [];
  const out = new Out();
  switch (cmd) {
    case 'dump': {
      const { input } = await loadWithBases(file, bases);
      if (!input.btf) return report(input.problems, file) ? 1 : (report([{ file, offset: 0, severity: 'error', message: 'no BTF in this file' }], file), 1);
      if (values.format === 'raw') formatRaw(input.btf, out.w);
      else if (values.format === 'json') out.line(JSON.stringify(dumpJson(input), jsonBigInt, 1));
      else throw new CliError(`unknown --format ${values.format} (raw, json)`);
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
    case 'info': {
      const { input, baseInputs } = await loadWithBases(file, bases);
      for (const l of infoLines(input, baseInputs.map((b) => b.file))) out.line(l);
      out.end();
      return report(input.problems, file) ? 1 : 0;
    }
    default:
      throw new CliError(`unknown command '${cmd}'\n${USAGE}`);
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
    for (const s of elf.sections) if (s.index > 0) L.push(`  [${s.index}] ${s.name || '(no name)'} type=${s.type} size=${s.size}${s.flags & 4 ? ' exec' : ''}`);
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
    if (e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`btf-lens: ${(e as Error).message}\n`);
      process.exit(e instanceof CliError ? 1 : 2);
    }
    // A bug of ours: still one line, never a stack trace, unless asked for.
    process.stderr.write(`btf-lens: internal error: ${(e as Error).message}${process.env.BTF_LENS_DEBUG ? `\n${(e as Error).stack}` : ''}\n`);
    process.exit(1);
  },
);
