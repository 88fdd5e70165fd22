/**
 * The extension in a real VS Code (desktop, or code-server's Node extension host) over a copy of
 * test/workspace: activation, then hover, type definition and workspace symbols through VS Code's
 * own command API (vscode.execute*Provider), so the client's middleware, converters and virtual
 * documents are in the path. Expected texts are the ones test/server/lsp.test.ts asserts in-process
 * (themselves checked there against libbpf, llvm-objdump and bpftool goldens).
 * Everything waits on signals (api.ready, document events); nothing sleeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, env, golden, hoverOn, lineOf, ready, typeDoc, wsUri } from './common';
import type { RunStart } from './index';

const link = (label: string, uri: string) => `[${label}](command:btfLens.open?${encodeURIComponent(JSON.stringify([uri]))})`;
const same = (a: vscode.Uri, b: string) => a.toString() === vscode.Uri.parse(b).toString();
const locUri = (l: vscode.Location | vscode.LocationLink) => ('targetUri' in l ? l.targetUri : l.uri);

/** Opens a document and resolves once it carries `languageId` (virtual documents get theirs on open). */
async function openAs(uri: vscode.Uri, languageId: string): Promise<vscode.TextDocument> {
  const had = new Promise<vscode.TextDocument>((resolve) => {
    const sub = vscode.workspace.onDidOpenTextDocument((d) => {
      if (d.uri.toString() === uri.toString() && d.languageId === languageId) { sub.dispose(); resolve(d); }
    });
  });
  const doc = await vscode.workspace.openTextDocument(uri);
  return doc.languageId === languageId ? doc : had;
}

describe('BTF Lens in a real VS Code', () => {
  it('runs in a real VS Code (informational)', () => {
    console.log(`      host: ${vscode.env.appName} ${vscode.version}, uiKind=${vscode.env.uiKind === vscode.UIKind.Web ? 'Web' : 'Desktop'}, `
      + `remote=${vscode.env.remoteName ?? 'none'}, node ${process.version}, kernel BTF: ${env.kernel}${env.kernelPath ? ` (${env.kernelPath})` : ''}`);
    assert.ok(vscode.workspace.workspaceFolders?.length, 'no folder open');
  });

  it('activates by itself (workspaceContains: the workspace holds .btf files); api.ready resolves after the first index', async () => {
    const start = (globalThis as { btfLensE2E?: RunStart }).btfLensE2E;
    assert.ok(start, 'index.ts did not record the start');
    assert.ok(start.activatedByEvent, 'the extension was not activating before the suite asked: no activation event fired');
    const api = await ready();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)!.isActive);
    assert.equal(typeof api.client.sendRequest, 'function');
    // Activation cost, from VS Code's own performance marks: activate() called -> ready (first index done).
    const t = await start.times;
    if (t.willActivate !== undefined) {
      const m = {
        activateCallMs: t.didActivate !== undefined ? t.didActivate - t.willActivate : undefined,
        activateToReadyMs: t.ready - t.willActivate,
        codeLoadMs: t.willLoad !== undefined ? t.willActivate - t.willLoad : undefined,
        readyBeforeSuiteStarted: t.readyAlreadyAt !== undefined,
        kernel: env.kernel,
      };
      Object.assign((globalThis as { btfLensE2EMetrics?: Record<string, unknown> }).btfLensE2EMetrics ?? {}, { activation: m });
      console.log(`      activation: code load ${m.codeLoadMs} ms, activate() ${m.activateCallMs} ms, activate -> ready ${m.activateToReadyMs} ms`
        + `${m.readyBeforeSuiteStarted ? ' (at most: ready before the suite began)' : ''}, kernel BTF ${env.kernel}`);
    } else console.log('      (no VS Code performance marks in this host: activation cost not measured)');
  });

  it('hover on `pid` of BPF_CORE_READ(t, pid) shows the member, both objects\' instructions and the CO-RE relocation', async () => {
    await ready();
    const md = await hoverOn('src/core.c', 'o->pid = BPF_CORE_READ(t, pid);', 'pid)');
    const member = `**pid** — member of ${link('`struct task_struct`', typeDoc('build/core.bpfeb.o', 22, 'struct task_struct'))}\n\n\`\`\`c\nint pid;\n\`\`\`\n\noffset 8 · size 4 · bit offset 64`;
    assert.ok(md.includes(member), md);
    for (const obj of ['build/core.bpfeb.o', 'build/core.bpfel.o']) {
      for (const part of [
        `**core_reads** · \`kprobe/tcp_connect\` · ${obj}`,
        '```bpf-asm\n      12:\tr1 = 8\n      17:\tr2 = 4\n      18:\tcall 113\n',
        'CO-RE relocation:\n\n```\n<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)\n```',
        `Local type: ${link('`struct task_struct`', typeDoc(obj, 22, 'struct task_struct'))} [22]`,
      ]) assert.ok(md.includes(part), `missing ${JSON.stringify(part)} in\n${md}`);
    }
    // The relocation line is libbpf's own, from the golden its log printed (core_oracle), less the index.
    const libbpf = golden('core-spec/core.bpfel.o.txt').split('\n').find((l) => l.startsWith('core_reads #0: '))!.replace(/^core_reads #0: /, '');
    assert.ok(md.includes(`\`\`\`\n${libbpf}\n\`\`\``), `libbpf's ${libbpf} not in the hover`);
  });

  it('type definition of `mm` lands on struct mm_struct in both objects; the document is the type as C', async () => {
    await ready();
    const uri = wsUri('src/core.c');
    const { line, text } = lineOf('src/core.c', 'o->pid = t->real_parent->mm->task_size;');
    const pos = new vscode.Position(line, text.indexOf('mm->') + 1);
    const tdef = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeTypeDefinitionProvider', uri, pos);
    const want = [typeDoc('build/core.bpfeb.o', 61, 'struct mm_struct'), typeDoc('build/core.bpfel.o', 61, 'struct mm_struct')];
    assert.equal(tdef.length, 2, JSON.stringify(tdef.map((l) => locUri(l).toString())));
    want.forEach((w, i) => assert.ok(same(locUri(tdef[i]!), w), `${locUri(tdef[i]!).toString()} != ${w}`));
    const doc = await openAs(locUri(tdef[1]!), 'btf-c');
    assert.equal(doc.lineAt(0).text, "/* [61] STRUCT 'mm_struct' · build/core.bpfel.o */");
    // Definition of the member itself: its line in struct task_struct.
    const def = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, pos);
    const task = def.find((l) => same(locUri(l), typeDoc('build/core.bpfel.o', 22, 'struct task_struct')));
    assert.ok(task, JSON.stringify(def.map((l) => locUri(l).toString())));
    const range = 'targetRange' in task ? task.targetRange : task.range;
    const taskDoc = await openAs(locUri(task), 'btf-c');
    assert.equal(taskDoc.lineAt(range.start.line).text, '\tstruct mm_struct *mm;            /* off: 40 (bit 320), size: 8 */');
  });

  it('workspace symbols find object types and functions', async () => {
    await ready();
    const q = (query: string) => vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', query);
    const task = await q('task_struct');
    const inObjects = task.find((s) => s.name === 'task_struct' && s.containerName.startsWith('build/core.bpfeb.o'));
    assert.ok(inObjects, task.map((s) => `${s.name} ${s.containerName}`).join('\n'));
    assert.equal(inObjects.kind, vscode.SymbolKind.Struct);
    assert.ok(same(inObjects.location.uri, typeDoc('build/core.bpfeb.o', 22, 'struct task_struct')));
    const fn = await q('core_reads');
    assert.deepEqual(fn.filter((s) => s.name === 'core_reads').map((s) => s.kind), [vscode.SymbolKind.Function]);
  });

  it('workspace symbols find kernel types', async function () {
    if (env.kernel === 'none') {
      console.log('      skipped: no kernel BTF on this machine (neither ../shared/corpus/vmlinux-6.1.btf nor /sys/kernel/btf/vmlinux)');
      this.skip();
    }
    await ready();
    const r = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'net_device');
    const k = r.find((s) => s.name === 'net_device' && s.location.uri.path.startsWith(env.kernelPath));
    assert.ok(k, r.map((s) => `${s.name} ${s.containerName} ${s.location.uri.toString()}`).join('\n'));
    assert.equal(k.kind, vscode.SymbolKind.Struct);
    const doc = await openAs(k.location.uri, 'btf-c');
    assert.match(doc.lineAt(0).text, /^\/\* \[\d+\] STRUCT 'net_device' · /);
  });

  it('the module gets its base: its own types are searchable, no error on it', async function () {
    if (env.kernel !== 'corpus-6.1') {
      console.log(`      skipped: the module's base (the Debian 6.1 vmlinux BTF, ../shared/corpus/vmlinux-6.1.btf) is absent; kernel BTF here: ${env.kernel}`);
      this.skip();
    }
    await ready();
    const mod = wsUri('modules/regmap-sdw.btf');
    const errors = vscode.languages.getDiagnostics(mod).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
    const r = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'sdw_slave_status');
    assert.ok(r.some((s) => s.containerName.startsWith('modules/regmap-sdw.btf')), r.map((s) => `${s.name} ${s.containerName}`).join('\n'));
  });

  it('the shipped .ko finds its own base by its release (vermagic = the workspace vmlinux\'s banner), with no module setting', async () => {
    const api = await ready();
    const ko = wsUri('modules/regmap-sdw.ko');
    const errors = vscode.languages.getDiagnostics(ko).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
    const files = await api.client.sendRequest<{ files: { label: string; state: string; firstId: number; errors: number }[] }>('btf/files', {});
    const f = files.files.find((x) => x.label === 'modules/regmap-sdw.ko');
    assert.deepEqual(f && [f.state, f.firstId, f.errors], ['indexed', 100751, 0]);
  });

  it('"Choose base BTF…" (btfLens.setModuleBase) saves btfLens.moduleBases; the raw module re-pairs: a wrong base said, the right one clears it', async () => {
    await ready();
    const mod = wsUri('modules/regmap-sdw.btf');
    /** Resolves when the module's error diagnostics satisfy `ok` (events, not time). */
    const errorsOf = () => vscode.languages.getDiagnostics(mod).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message);
    const until = (ok: (errors: string[]) => boolean) => new Promise<string[]>((resolve) => {
      if (ok(errorsOf())) return resolve(errorsOf());
      const sub = vscode.languages.onDidChangeDiagnostics(() => {
        if (!ok(errorsOf())) return;
        sub.dispose();
        resolve(errorsOf());
      });
    });
    const config = () => vscode.workspace.getConfiguration('btfLens');
    try {
      await vscode.commands.executeCommand('btfLens.setModuleBase', mod, wsUri('btf/types.bpfel.btf'), 'file');
      assert.deepEqual(config().inspect('moduleBases')?.workspaceValue, { 'modules/regmap-sdw.btf': 'btf/types.bpfel.btf' });
      // The module may already carry a wrong-base error from the kernel BTF it was paired with before: wait for
      // the one the new setting causes.
      const wrong = await until((e) => e.some((m) => m.includes('does not fit its base') && m.includes('taken as btfLens.moduleBases')));
      assert.match(wrong.join('\n'), /It was taken as btfLens\.moduleBases "modules\/regmap-sdw\.btf"/);
      await vscode.commands.executeCommand('btfLens.setModuleBase', mod, wsUri('kernels/vmlinux-6.1.0-56-amd64.xz'), 'folder');
      assert.deepEqual(config().inspect('moduleBases')?.workspaceValue, { 'modules/**': 'kernels/vmlinux-6.1.0-56-amd64.xz', 'modules/regmap-sdw.btf': 'btf/types.bpfel.btf' });
      // The file's own entry still wins (first match): replace it, then the module is right.
      await vscode.commands.executeCommand('btfLens.setModuleBase', mod, wsUri('kernels/vmlinux-6.1.0-56-amd64.xz'), 'file');
      assert.deepEqual(await until((e) => e.length === 0), []);
    } finally {
      await config().update('moduleBases', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a corrupt object gets an error diagnostic naming the byte offset; the other files are indexed', async () => {
    const api = await ready();
    const bad = wsUri('build/corrupt.bpfel.o');
    const diags = vscode.languages.getDiagnostics(bad);
    const err = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(err, `no error diagnostic on the corrupt object: ${JSON.stringify(diags.map((d) => d.message))}`);
    assert.match(err.message, /^build\/corrupt\.bpfel\.o: offset \d+ \(0x[0-9a-f]+\): /);
    const files = await api.client.sendRequest<{ files: { label: string; state: string; errors: number }[] }>('btf/files', {});
    const states = Object.fromEntries(files.files.map((f) => [f.label, f.state]));
    for (const ok of ['build/core.bpfeb.o', 'build/core.bpfel.o', 'build/progs.bpfel.o', 'btf/types.bpfel.btf']) assert.equal(states[ok], 'indexed', JSON.stringify(states));
  });
});
