/**
 * `btf/genMinCoreBtf`: "Generate tailored BTF for this object" — BTFGen (core/write/min-core-btf.ts, bpftool's
 * bytes) for one indexed BPF object against the chosen kernels (by default the `btfLens.coreTargets`),
 * one file per kernel, and the report of what was kept and why (core/write/min-core-report.ts) under a
 * table of the files and their sizes against the full kernel BTF.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Btf } from '../core/btf/btf';
import { openBtfInput } from '../core/input';
import { minCoreBtf } from '../core/write/min-core-btf';
import { type TargetReport, btfBytes, formatMinCoreReport } from '../core/write/min-core-report';
import { osErrorText } from '../io/input-error';
import { openFile } from '../io/files';
import type { GenMinCoreBtfRequest } from '../protocol/requests';
import { coreTargetsOf, objectFiles, targetLabel } from './core-targets';
import { readProblem } from './model';
import type { WorkspaceIndex } from './workspace';

type File = GenMinCoreBtfRequest.File;

/** A kernel BTF by path: the one `coreTargets` already read, else read now (standalone BTF only). */
async function kernelBtf(index: WorkspaceIndex, path: string): Promise<{ btf?: Btf; error?: string }> {
  const known = coreTargetsOf(index).targets().find((t) => resolve(t.path) === path && !t.loading);
  if (known?.target) return { btf: known.target.vmlinux };
  if (known?.error) return { error: known.error };
  let opened;
  try {
    opened = await openFile(path);
    const input = openBtfInput(opened.source, { file: path });
    if (!input.btf || !input.btf.ok) return { error: `${path}: no usable BTF${input.problems[0] ? ` (${input.problems[0].message})` : ''}` };
    if (input.btf.startId > 1 || input.missingBase) return { error: `${path}: split BTF (a module's): use \`btf-lens gen min-core-btf MODULE OUT OBJ --base VMLINUX\`` };
    return { btf: input.btf };
  } catch (e) {
    const p = readProblem(path, e);
    return { error: `${path}: offset ${p.offset} (0x${p.offset.toString(16)}): ${p.message}` };
  } finally {
    opened?.close();
  }
}

const kb = (n: number) => (n < 10240 ? `${n} B` : n < 10 * 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);

export async function genMinCoreBtf(index: WorkspaceIndex, p: GenMinCoreBtfRequest.Params): Promise<GenMinCoreBtfRequest.Result> {
  const file = objectFiles(index, p.object)[0];
  if (!file?.input || !file.object) throw new Error(`${p.object}: not an indexed BPF object`);
  const ct = coreTargetsOf(index);
  await ct.ready();
  const paths = p.targets?.map((t) => resolve(t)) ?? ct.targets().map((t) => resolve(t.path));
  const outDir = p.outDir ?? dirname(file.path);
  const stem = basename(file.path).replace(/\.o$/, '');
  const objects = [{ file: file.label, input: file.input }];
  const files: File[] = [];
  const reports: TargetReport[] = [];
  const labels = new Set<string>();
  for (const path of paths) {
    let label = targetLabel(path);
    for (let n = 2; labels.has(label); n++) label = `${targetLabel(path)} (${n})`;
    labels.add(label);
    const out = join(outDir, `${stem}-${label.replace(/[^\w.+-]/g, '_')}.btf`);
    const row: File = { label, target: path };
    files.push(row);
    const k = await kernelBtf(index, path);
    if (!k.btf) {
      row.error = k.error;
      reports.push({ target: path, out, error: k.error });
      continue;
    }
    const r = minCoreBtf(k.btf, objects, { report: true });
    if (r.error !== undefined) {
      row.error = r.error;
      reports.push({ target: path, out, error: r.error });
      continue;
    }
    try {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(out, r.bytes);
    } catch (e) {
      row.error = `${out}: cannot be written: ${osErrorText(e)}`;
      reports.push({ target: path, out, error: row.error });
      continue;
    }
    Object.assign(row, { out, outBytes: r.bytes.length, targetBytes: btfBytes(k.btf), outTypes: r.report.outTypes - 1, targetTypes: r.report.targetTypes - 1 });
    reports.push({ target: path, out, outBytes: row.outBytes, targetBytes: row.targetBytes, report: r.report });
  }
  const head = [`# Tailored BTF for ${file.label}`, ''];
  if (!files.length) head.push('No target kernels: no kernel BTF and no `btfLens.coreTargets`.', '');
  else {
    head.push('| kernel | file | size | full kernel BTF | types |', '|---|---|---|---|---|');
    for (const f of files) {
      const cell = (s: string) => s.replace(/\|/g, '\\|');
      if (f.error !== undefined) head.push(`| ${cell(f.label)} | failed: ${cell(f.error)} | | | |`);
      else head.push(`| ${cell(f.label)} | ${cell(f.out!)} | ${kb(f.outBytes!)} (${((100 * f.outBytes!) / f.targetBytes!).toFixed(2)}%) | ${kb(f.targetBytes!)} | ${f.outTypes} of ${f.targetTypes} |`);
    }
    head.push('', 'What each relocation kept (libbpf\'s spec in the object, the one it matched in the kernel, the types and members kept):', '', '```');
  }
  const report = files.length ? `${head.join('\n')}\n${formatMinCoreReport(reports)}\`\`\`\n` : head.join('\n');
  return { files, report };
}
