/**
 * Every entry point a file reaches, run in process on one input: what the CLI commands do (parse, raw,
 * JSON and C dumps, --root, layout, ext, disasm, info, CO-RE both as object and as target), and what the
 * language server does (index it as a workspace file, hover every line of the sources it maps to,
 * definitions, lenses, diagnostics, workspace symbols, type documents, the type-tree editor's requests).
 * A throw from any of them is a crash; so is a problem that says "internal error" (a bug caught by a
 * frame that turns it into a problem).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkSplitAgainstBase } from '../../server/src/core/btf/base-check';
import type { Btf } from '../../server/src/core/btf/btf';
import { Kind, kindName } from '../../server/src/core/btf/kinds';
import { typeById } from '../../server/src/core/btf/types';
import { type CoreTarget, coreLogLines, coreResolutionJson, resolveCoreRelocations } from '../../server/src/core/core-relo/resolve';
import { elfPointerSize, findTypes, formatC } from '../../server/src/core/format/c/index';
import { checkLoad } from '../../server/src/core/load/check';
import { formatDepsText, objectDeps } from '../../server/src/core/deps';
import { diffBtf, diffJson, formatDiffText } from '../../server/src/core/diff';
import { minCoreBtf } from '../../server/src/core/write/min-core-btf';
import { loadCheckJson } from '../../server/src/core/load/json';
import { formatExt } from '../../server/src/core/format/ext';
import { findStructs, formatLayout } from '../../server/src/core/format/layout';
import { formatRaw } from '../../server/src/core/format/raw';
import { type BtfInput, openBtfBytes, openBtfInput } from '../../server/src/core/input';
import { describeObject, kindCounts } from '../../server/src/core/object/bpf-object';
import { disasmObject } from '../../server/src/core/object/disasm';
import type { Problem } from '../../server/src/core/util/problems';
import { ByteWriter } from '../../server/src/core/util/writer';
import { openFile } from '../../server/src/io/files';
import { fileDiagnostics, sourceDiagnostics } from '../../server/src/lsp/diagnostics';
import { EditorDocs } from '../../server/src/lsp/editor-docs';
import * as edObj from '../../server/src/lsp/editor-object';
import * as edTypes from '../../server/src/lsp/editor-types';
import { hoverMarkdown } from '../../server/src/lsp/hover';
import type { IndexedFile } from '../../server/src/lsp/model';
import { SymbolIndex } from '../../server/src/lsp/names';
import { codeLenses, disasmText, docDefinition, docSymbols, sourceDefinition } from '../../server/src/lsp/navigation';
import { RequestError } from '../../server/src/lsp/request-errors';
import * as req from '../../server/src/lsp/requests';
import { readSettings } from '../../server/src/lsp/settings';
import { typeUri } from '../../server/src/lsp/typedoc';
import { disasmDocUri } from '../../server/src/lsp/uri';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { repoRoot } from '../helpers/paths';

export const ENTRY_POINTS = [
  'open', 'raw', 'json', 'c', 'root', 'layout', 'ext', 'disasm', 'info', 'core', 'core-as-target', 'check', 'check-as-target',
  'deps', 'diff', 'gen', 'gen-as-target',
  'index', 'hover', 'definition', 'lenses', 'diagnostics', 'symbols', 'typedoc', 'disasm-doc',
  'editor-open', 'editor-rows', 'editor-children', 'editor-text', 'editor-used-by', 'editor-layout',
  'editor-programs', 'editor-disasm', 'editor-maps', 'editor-ext',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

export interface Crash {
  entry: EntryPoint;
  error: string;
}

export interface RunResult {
  crashes: Crash[];
  /** Entry points this input reached (an ELF-less input has no disasm, …). */
  reached: EntryPoint[];
  /** Milliseconds spent in each. */
  times: Partial<Record<EntryPoint, number>>;
}

/** Per-type work is capped so a 100k-type module stays within the time limit for the right reasons. */
const MAX_TYPES = 128;

/** The committed objects CO-RE-resolved against an input used as the target kernel. */
const REFERENCE_OBJECTS = ['test/fixtures/obj/core.bpfel.o', 'test/fixtures/core-targets/obj/corex.bpfel.o'];
/** The committed objects load-checked against an input used as the target kernel (externs, kfuncs, struct_ops, attach). */
const LOAD_OBJECTS = ['kfunc_weak', 'ksym_vars', 'kconfig', 'struct_ops_tcp', 'attach_tracing', 'attach_tp_btf'].map((n) => `test/fixtures/load/obj/${n}.bpfel.o`);
const KCONFIG = 'test/fixtures/load/kconfig.txt';
/** The small committed kernels an input object is resolved against. */
const TARGETS = ['test/fixtures/core-targets/reach/vmlinux-6.18.min.btf', 'test/fixtures/core-targets/btf/moved.btf'];
/** Sources the fixture objects were built from: line_info names map to them by path suffix. */
const SOURCES = ['test/fixtures/src', 'test/fixtures/core-targets/src', 'test/fixtures/core-targets/reach/reach.c'];

export interface Bases {
  /** Base BTF bytes by key (a seed's `base`). */
  [key: string]: { path: string; bytes: Uint8Array } | undefined;
}

export class EntryPoints {
  readonly root: string;
  private index!: WorkspaceIndex;
  private docs!: EditorDocs;
  private baseBtf = new Map<string, Btf>();
  private targets: CoreTarget[] = [];
  private refObjects: BtfInput[] = [];
  private loadObjects: BtfInput[] = [];
  private kconfig = '';
  /** Where the running entry point is told (a watchdog reads it when the input hangs). */
  onStage: (e: EntryPoint) => void = () => {};

  private constructor(private readonly bases: Bases) {
    this.root = mkdtempSync(join(tmpdir(), 'btf-lens-fuzz-'));
  }

  static async create(bases: Bases, kernelKey?: string): Promise<EntryPoints> {
    const e = new EntryPoints(bases);
    const src = join(e.root, 'src');
    mkdirSync(src, { recursive: true });
    mkdirSync(join(e.root, 'build'), { recursive: true });
    for (const s of SOURCES) {
      const abs = join(repoRoot, s);
      if (s.endsWith('.c')) cpSync(abs, join(src, basename(s)));
      else for (const f of readdirSync(abs)) cpSync(join(abs, f), join(src, f));
    }
    for (const [k, v] of Object.entries(bases)) {
      if (!v) continue;
      const i = openBtfBytes(v.bytes, { file: v.path });
      if (i.btf) e.baseBtf.set(k, i.btf);
    }
    for (const t of TARGETS) {
      const i = openBtfBytes(readFileSync(join(repoRoot, t)), { file: t });
      if (i.btf) e.targets.push({ vmlinux: i.btf, modules: [] });
    }
    for (const o of REFERENCE_OBJECTS) e.refObjects.push(openBtfBytes(readFileSync(join(repoRoot, o)), { file: o }));
    for (const o of LOAD_OBJECTS) e.loadObjects.push(openBtfBytes(readFileSync(join(repoRoot, o)), { file: o }));
    e.kconfig = readFileSync(join(repoRoot, KCONFIG), 'latin1');
    const kernel = kernelKey ? bases[kernelKey]?.path : undefined;
    const settings = readSettings({ kernelBtf: kernel ?? 'none', coreTargets: TARGETS.map((t) => join(repoRoot, t)) });
    e.index = new WorkspaceIndex([e.root], settings, { changed: () => {}, status: () => {}, log: () => {} });
    await e.index.start();
    e.docs = new EditorDocs(() => e.index);
    return e;
  }

  /** A base written once into the workspace folder, for the editor's explicit base. */
  private basePath(key: string): string {
    const p = join(this.root, 'bases', `${key}.base`);
    if (!existsSync(p)) {
      mkdirSync(join(this.root, 'bases'), { recursive: true });
      writeFileSync(p, this.bases[key]?.bytes ?? new Uint8Array(0));
    }
    return p;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs the CLI's entry points on the input, and the language server's too unless `lsp` is false. */
  async run(name: string, bytes: Uint8Array, baseKey?: string, lsp = true): Promise<RunResult> {
    const crashes: Crash[] = [];
    const reached: EntryPoint[] = [];
    const times: RunResult['times'] = {};
    const failed = (e: EntryPoint, err: unknown) => {
      // A request refused in a sentence (invalid params: no BTF, no such type) is an answer, not a crash.
      if (!(err instanceof RequestError)) crashes.push({ entry: e, error: (err as Error)?.stack ?? String(err) });
    };
    const step = <T>(e: EntryPoint, f: () => T): T | undefined => {
      this.onStage(e);
      if (!reached.includes(e)) reached.push(e);
      const t0 = performance.now();
      try {
        return f();
      } catch (err) {
        failed(e, err);
        return undefined;
      } finally {
        times[e] = (times[e] ?? 0) + performance.now() - t0;
      }
    };
    const stepAsync = async <T>(e: EntryPoint, f: () => Promise<T>): Promise<T | undefined> => {
      this.onStage(e);
      if (!reached.includes(e)) reached.push(e);
      const t0 = performance.now();
      try {
        return await f();
      } catch (err) {
        failed(e, err);
        return undefined;
      } finally {
        times[e] = (times[e] ?? 0) + performance.now() - t0;
      }
    };
    const internal = (e: EntryPoint, problems: readonly Problem[]) => {
      for (const p of problems) if (/internal error/i.test(p.message)) crashes.push({ entry: e, error: p.message });
    };
    const sink = () => new ByteWriter(() => {}, 1 << 16);

    const path = join(this.root, 'build', basename(name));
    writeFileSync(path, bytes);
    try {
      // ---- the CLI's commands ----
      const base = baseKey ? this.baseBtf.get(baseKey) : undefined;
      const input = await stepAsync('open', async () => {
        let opened;
        try {
          opened = await openFile(path);
        } catch {
          return undefined; // unreadable or undecompressable: the CLI's one-line error (cli/load.ts)
        }
        try {
          const i = openBtfInput(opened.source, { file: path, base });
          if (i.btf?.base && i.btf.base !== i.distilledBase && !i.missingBase) checkSplitAgainstBase(i.btf);
          return i;
        } finally {
          opened.close();
        }
      });
      if (input) internal('open', input.problems);
      const btf = input?.btf;
      const ps = input ? elfPointerSize(input) : undefined;
      if (input && btf) {
        step('raw', () => formatRaw(btf, sink()));
        step('json', () => {
          const types = [];
          for (let id = btf.startId; id < btf.typeCount; id++) types.push(typeById(btf, id));
          JSON.stringify({ header: btf.header, types, problems: input.problems }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        });
        step('c', () => formatC(btf, sink(), { pointerSize: ps }));
        const structs: number[] = [];
        for (let id = btf.startId; id < btf.typeCount && structs.length < MAX_TYPES; id++) {
          const k = btf.kind(id);
          if (k === Kind.STRUCT || k === Kind.UNION) structs.push(id);
        }
        step('root', () => {
          const some = [btf.startId, Math.floor((btf.startId + btf.typeCount) / 2), btf.typeCount - 1, structs[0] ?? 0].filter((x) => x > 0);
          for (const id of some) {
            const ids = findTypes(btf, String(id));
            const n = btf.name(id);
            if (n) ids.push(...findTypes(btf, `struct ${n}`), ...findTypes(btf, n));
            formatC(btf, sink(), { roots: ids, pointerSize: ps });
            formatRaw(btf, sink(), ids);
          }
        });
        step('layout', () => {
          for (const id of structs) {
            formatLayout(btf, id, { pointerSize: ps });
            const n = btf.name(id);
            if (n && id === structs[0]) findStructs(btf, n, true);
          }
        });
        if (input.ext) step('ext', () => formatExt(btf, input.ext!));
      }
      if (input?.elf?.header && input.elf.isBpf) {
        step('disasm', () => {
          disasmObject(input, { rawInsn: true, notes: true, fileName: name });
          disasmObject(input, { rawInsn: false, notes: false, fileName: name });
        });
      }
      if (input) {
        step('info', () => {
          const L: string[] = [];
          for (const s of input.elf?.sections ?? []) L.push(`${s.index} ${s.name} ${s.type} ${s.size}`);
          if (btf) for (const [k, n] of kindCounts(btf)) L.push(`${kindName(k)}=${n}`);
          const obj = describeObject(input);
          for (const p of obj.programs) for (const f of p.functions) L.push(`${p.name} ${f.name} ${f.start} ${f.slots}`);
          for (const m of obj.maps) L.push(`${m.name} ${m.typeName} ${m.keyType ?? m.keySize} ${m.valueType ?? m.valueSize} ${m.mapFlags?.toString(16)}`);
          for (const d of obj.dataSections) for (const v of d.vars) L.push(`${v.name} ${v.offset} ${v.size}`);
        });
      }
      if (input?.kind === 'bpf-object') {
        step('core', () => {
          for (const t of this.targets) {
            const res = resolveCoreRelocations(input, t);
            internal('core', res.problems);
            coreLogLines(res, true);
            JSON.stringify(coreResolutionJson(res, { object: name, target: 'target' }));
          }
        });
      }
      if (input?.kind === 'bpf-object') {
        step('check', () => {
          for (const t of this.targets) {
            const res = checkLoad(input, t, { kconfig: this.kconfig, kernelRelease: '6.1.0', kallsyms: '0 T x\n' });
            internal('check', res.problems);
            JSON.stringify(loadCheckJson(name, [{ file: 'target', check: res }]));
          }
        });
      }
      if (btf && !input.missingBase && btf.ok) {
        step('check-as-target', () => {
          const target: CoreTarget = btf.base && btf.base !== input.distilledBase ? { vmlinux: btf.base, modules: [{ name: 'module', btf }] } : { vmlinux: btf, modules: [] };
          for (const o of this.loadObjects) internal('check-as-target', checkLoad(o, target, { kconfig: this.kconfig, kernelRelease: '6.18.0' }).problems);
        });
      }
      if (input?.kind === 'bpf-object') {
        step('deps', () => {
          const res = objectDeps(input, this.targets.map((t, i) => ({ label: `k${i}`, file: `k${i}`, btf: t.vmlinux })), { check: checkLoad });
          internal('deps', res.problems);
          formatDepsText(res.report);
        });
        step('gen', () => {
          for (const t of this.targets) {
            const r = minCoreBtf(t.vmlinux, [{ file: name, input }], { report: true });
            if (r.error !== undefined && /internal error/i.test(r.error)) crashes.push({ entry: 'gen', error: r.error });
          }
        });
      }
      if (btf && !input.missingBase && btf.ok) {
        step('diff', () => {
          for (const t of this.targets) {
            for (const [a, b] of [[t.vmlinux, btf], [btf, t.vmlinux]] as const) {
              const d = diffBtf(a, b);
              formatDiffText(d, a, b);
              JSON.stringify(diffJson(d));
            }
          }
        });
        step('gen-as-target', () => {
          const r = minCoreBtf(btf, this.refObjects.map((o) => ({ file: o.file, input: o })), { report: true });
          if (r.error !== undefined && /internal error/i.test(r.error)) crashes.push({ entry: 'gen-as-target', error: r.error });
        });
      }
      if (btf && !input.missingBase && btf.ok) {
        step('core-as-target', () => {
          const target: CoreTarget = btf.base && btf.base !== input.distilledBase ? { vmlinux: btf.base, modules: [{ name: 'module', btf }] } : { vmlinux: btf, modules: [] };
          for (const o of this.refObjects) {
            const res = resolveCoreRelocations(o, target);
            internal('core-as-target', res.problems);
            coreLogLines(res, true);
          }
        });
      }

      // ---- the language server ----
      if (!lsp) return { crashes, reached, times };
      const file = await stepAsync('index', async () => {
        await this.index.changed([{ path, deleted: false }]);
        return this.index.fileByPath(path);
      });
      if (file) {
        internal('index', file.problems);
        step('diagnostics', () => fileDiagnostics(file));
      }
      for (const src of this.index.mappedSources()) {
        const text = readFileSync(src, 'utf8');
        const lines = text.split('\n');
        const get = (n: number) => lines[n] ?? '';
        step('hover', () => {
          for (let l = 0; l < lines.length; l++) for (const ch of positions(lines[l]!)) hoverMarkdown(this.index, src, l, ch, get);
        });
        step('definition', () => {
          for (let l = 0; l < lines.length; l++) for (const ch of positions(lines[l]!)) sourceDefinition(this.index, src, l, ch, get, l % 2 === 0);
        });
        step('lenses', () => codeLenses(this.index, src, text));
        step('diagnostics', () => sourceDiagnostics(this.index, src, text));
      }
      const fb = file?.btf;
      if (file && fb) {
        step('symbols', () => {
          const table = new SymbolIndex([file]);
          const names = ['', 'a', 'task', '_', fb.name(fb.typeCount - 1)];
          for (const q of names) table.search(q, 200);
          req.search(table, { query: 's', kinds: ['STRUCT', 'UNION', 'TYPEDEF'], limit: 50 });
        });
        step('typedoc', () => {
          for (let id = fb.startId, n = 0; id < fb.typeCount && n < MAX_TYPES / 4; id++, n++) {
            const uri = typeUri(file, id);
            tolerate(() => req.document(this.index, { uri }));
            docSymbols(this.index, uri);
            docDefinition(this.index, uri, 1, 4);
          }
        });
      }
      if (file?.object) {
        step('disasm-doc', () => {
          for (const p of file.object!.obj.programs) for (const f of p.functions) {
            disasmText(this.index, path, f.name);
            tolerate(() => req.document(this.index, { uri: disasmDocUri(path, f.name) }));
          }
        });
      }
      await this.editor(path, baseKey, step, stepAsync);
    } finally {
      await this.index.changed([{ path, deleted: true }]).catch(() => {});
      rmSync(path, { force: true });
    }
    return { crashes, reached, times };
  }

  /** The type-tree editor: open the file, then every request its tabs make. */
  private async editor(
    path: string,
    baseKey: string | undefined,
    step: <T>(e: EntryPoint, f: () => T) => T | undefined,
    stepAsync: <T>(e: EntryPoint, f: () => Promise<T>) => Promise<T | undefined>,
  ): Promise<void> {
    const doc = await stepAsync('editor-open', async () => {
      const d = await this.docs.open(path, baseKey ? [this.basePath(baseKey)] : []);
      edTypes.overview(d);
      return d;
    });
    if (!doc) return;
    try {
      const f: IndexedFile = doc.file;
      const rows = step('editor-rows', () => {
        const own = edTypes.rows(doc, { doc: doc.id, scope: 'own', offset: 0, limit: MAX_TYPES });
        edTypes.rows(doc, { doc: doc.id, scope: 'all', offset: 0, limit: 50, name: 'a', namedOnly: true });
        edTypes.rows(doc, { doc: doc.id, scope: 'all', offset: 0, limit: 50, name: '^[a-z]+_?', regex: true, kinds: ['STRUCT', 'TYPEDEF', 'FUNC'] });
        edTypes.rows(doc, { doc: doc.id, scope: 'own', offset: Math.max(0, own.total - 10), limit: 20 });
        return own.rows;
      }) ?? [];
      const ids = rows.map((r) => r.id);
      if (f.btf) ids.push(0, f.btf.typeCount, f.btf.typeCount + 5);
      step('editor-children', () => {
        for (const id of ids) {
          tolerate(() => edTypes.children(doc, { doc: doc.id, id }));
          tolerate(() => edTypes.locate(doc, { doc: doc.id, id, scope: 'own' }));
        }
      });
      step('editor-text', () => {
        for (const id of ids) tolerate(() => edTypes.typeText(doc, this.index, { doc: doc.id, id }));
      });
      step('editor-used-by', () => {
        for (const id of ids.slice(0, MAX_TYPES / 4)) tolerate(() => edTypes.usedByRows(doc, { doc: doc.id, id, limit: 100 }));
      });
      step('editor-layout', () => {
        for (const r of rows) if (r.kind === 'STRUCT' || r.kind === 'UNION') tolerate(() => edTypes.layout(doc, { doc: doc.id, id: r.id, cacheline: 64 }));
      });
      const progs = step('editor-programs', () => edObj.programs(doc));
      if (progs) {
        step('editor-disasm', () => {
          for (const fn of progs.functions) tolerate(() => edObj.disasm(doc, this.index, { doc: doc.id, section: fn.section, name: fn.name }));
          tolerate(() => edObj.disasm(doc, this.index, { doc: doc.id, section: 'nonexistent', name: 'nothing' }));
        });
      }
      step('editor-maps', () => edObj.maps(doc));
      step('editor-ext', () => edObj.ext(doc));
    } finally {
      this.docs.close(doc.id);
    }
  }
}

/** Calls `f`, letting through the by-design refusal of a request (an ID the doc does not have). */
function tolerate(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
  }
}

/** Where to hover on a line: its first word, and each member after `->` or `.`. */
function positions(line: string): number[] {
  const out: number[] = [];
  const first = line.search(/\S/);
  if (first >= 0) out.push(first);
  for (const m of line.matchAll(/(->|\.)([A-Za-z_]\w*)/g)) out.push(m.index! + m[1]!.length);
  return out;
}
