/**
 * Hover by column through the real VS Code client: on `o->pid = BPF_CORE_READ(t, pid);` the relocation
 * (libbpf: `[22] struct task_struct.pid`) is written at the macro's `pid`, so only that `pid` gets the
 * task_struct member; `o->pid` (struct core_out, not relocated) gets the line's code and relocation only.
 * And the Outline of core.c: its BPF programs, from the objects built from it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { golden, hoverText, lineOf, ready, wsUri } from './common';

describe('hover and outline by place in a real VS Code', () => {
  const hoverAt = async (uri: vscode.Uri, line: number, character: number) =>
    hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, character)));

  it('hover on `o->pid` says nothing about task_struct; hover on `t, pid` does', async () => {
    await ready();
    const uri = wsUri('src/core.c');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const { line, text } = lineOf('src/core.c', 'o->pid = BPF_CORE_READ(t, pid);');
    const first = text.indexOf('o->pid') + 'o->'.length + 1;
    const second = text.indexOf('t, pid') + 't, '.length + 1;
    assert.equal(text.slice(first - 1, first + 2), 'pid');
    assert.equal(text.slice(second - 1, second + 2), 'pid');
    const onMember = await hoverAt(uri, line, first);
    const onMacro = await hoverAt(uri, line, second);
    // The line's code still shows on `o->pid` (its instructions and its relocation, in fenced blocks, and the
    // relocation's local type)…
    const sections = onMember.split('\n\n---\n\n');
    assert.ok(sections.every((p) => p.startsWith('**core_reads** · `kprobe/tcp_connect`')), onMember);
    const relo = golden('core-spec/core.bpfel.o.txt').split('\n').find((l) => l.startsWith('core_reads #0: '))!.replace(/^core_reads #0: /, '');
    assert.ok(onMember.includes(`\`\`\`\n${relo}\n\`\`\``), onMember);
    // …but no member block: outside those, nothing names task_struct.
    assert.doesNotMatch(onMember, /— member of/, onMember);
    const prose = sections.map((p) => p.replace(/```[\s\S]*?```/g, '').split('\n\n').filter((x) => !x.startsWith('Local type')).join('\n\n'));
    assert.ok(!prose.some((p) => p.includes('task_struct')), prose.join('\n---\n'));
    assert.match(onMacro, /^\*\*pid\*\* — member of \[`struct task_struct`\]/, onMacro);
    assert.ok(onMacro.includes('```c\nint pid;\n```\n\noffset 8 · size 4 · bit offset 64'), onMacro);
  });

  it('go to definition: `t, pid` to task_struct, `o->pid` not', async () => {
    const uri = wsUri('src/core.c');
    const { line, text } = lineOf('src/core.c', 'o->pid = BPF_CORE_READ(t, pid);');
    const defs = async (character: number) => ((await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider', uri, new vscode.Position(line, character))) ?? []).map((l) => decodeURIComponent(('targetUri' in l ? l.targetUri : l.uri).toString()));
    const onMacro = await defs(text.indexOf('t, pid') + 4);
    assert.ok(onMacro.length > 0 && onMacro.every((u) => u.endsWith('/@22/struct task_struct.btf.h')), onMacro.join('\n'));
    const onMember = await defs(text.indexOf('o->pid') + 4);
    assert.ok(!onMember.some((u) => u.includes('task_struct')), onMember.join('\n'));
  });

  it('the outline of core.c lists its programs with their SEC names, per object', async () => {
    const uri = wsUri('src/core.c');
    const syms = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.ok(syms?.length, 'no symbols for core.c');
    // SEC names and functions as llvm-objdump prints them (test/golden/objdump).
    const objdump = golden('objdump/core.bpfel.o.txt');
    const want = [...objdump.matchAll(/^Disassembly of section (.*):\n\n[0-9a-f]{16} <(\w+)>:$/gm)].map((m) => [m[2], `SEC("${m[1]}")`]);
    assert.deepEqual(syms.map((s) => [s.name, s.detail]), want);
    const reads = syms.find((s) => s.name === 'core_reads')!;
    assert.equal(reads.kind, vscode.SymbolKind.Function);
    assert.deepEqual(reads.children.map((c) => c.name), ['build/core.bpfeb.o', 'build/core.bpfel.o']);
    assert.match(reads.children[1]!.detail, /^\d+ instructions · 10 CO-RE relocations$/);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineAt(reads.range.start.line).text, 'SEC("kprobe/tcp_connect")');
    assert.equal(doc.lineAt(reads.range.end.line).text, '}');
    assert.equal(doc.getText(reads.selectionRange), 'core_reads');
  });
});
