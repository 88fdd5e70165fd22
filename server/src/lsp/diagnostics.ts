/**
 * Where the user sees problems: decode problems on the indexed file itself (with the byte offset), a
 * missing or wrong base on the module, and on C sources: an object older than its source, or a BPF
 * source with no object found.
 */
import { statSync } from 'node:fs';
import { type Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver';
import { coreDiagnostics } from './core-targets';
import { loadDiagnostics } from './load-targets';
import { formatProblem, oneLine } from '../core/util/problems';
import type { IndexedFile } from './model';
import type { WorkspaceIndex } from './workspace';

export const SOURCE = 'btf-lens';

export function fileDiagnostics(f: IndexedFile): Diagnostic[] {
  return f.problems.slice(0, 200).map((p) => ({
    range: Range.create(0, 0, 0, 0),
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    message: formatProblem({ ...p, file: f.label }),
  }));
}

/** Diagnostics on a C source: stale objects; with its text, "no object found" for a BPF source. */
export function sourceDiagnostics(index: WorkspaceIndex, sourcePath: string, text?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const objects = index.objectsFor(sourcePath);
  let srcTime = 0;
  try {
    srcTime = statSync(sourcePath).mtimeMs;
  } catch {
    // unsaved or deleted: nothing to compare
  }
  for (const { file } of objects) {
    if (srcTime && file.mtimeMs && file.mtimeMs + 1 < srcTime) {
      out.push({
        range: Range.create(0, 0, 0, 0), severity: DiagnosticSeverity.Warning, source: SOURCE,
        message: `${file.label} is older than this file: hovers and lenses may be stale (rebuild it)`,
      });
    }
  }
  if (!objects.length && text !== undefined && !index.indexing && /\bSEC\s*\(\s*"/.test(text)) {
    const line = text.split('\n').findIndex((l) => /\bSEC\s*\(\s*"/.test(l));
    out.push({
      range: Range.create(Math.max(0, line), 0, Math.max(0, line), 0), severity: DiagnosticSeverity.Information, source: SOURCE,
      message: 'no BPF object built from this file was found in the workspace (build it with -g to see what each line compiles to)',
    });
  }
  out.push(...coreDiagnostics(index, sourcePath, text));
  out.push(...loadDiagnostics(index, sourcePath, text));
  for (const d of out) d.message = oneLine(d.message); // names from objects and kernels: one line, no escapes
  return out;
}
