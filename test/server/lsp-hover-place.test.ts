/**
 * Hover and go-to-definition answer for the member written under the cursor, not for any word of the
 * line with the same name: `o->pid = BPF_CORE_READ(t, pid)` has one relocation (task_struct.pid, libbpf's
 * `[22] struct task_struct.pid (0:2 @ offset 8)`), written at the macro's `pid`; `o->pid` is a member of
 * struct core_out, which no relocation touches.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DocumentSymbol, type Hover, type Location, SymbolKind } from 'vscode-languageserver/node';
import { golden } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

/** The member blocks of a hover: `[member, struct]` of each `**m** — member of [`struct s`]…` block. */
function memberBlocks(h: Hover | null): [string, string][] {
  const md = h ? (h.contents as { value: string }).value : '';
  return md.split('\n\n---\n\n').flatMap((part) => {
    const m = /^\*\*(\w+)\*\* — member of \[`([^`]+)`\]/.exec(part);
    return m ? [[m[1]!, m[2]!] as [string, string]] : [];
  });
}

/** What libbpf logs for core.bpfel.o's relocations (test/golden/core-spec), spec text only. */
const libbpfSpecs = readFileSync(join(golden, 'core-spec/core.bpfel.o.txt'), 'utf8').trim().split('\n').map((l) => l.replace(/^\S+ #\d+: /, ''));

describe('hover and definition by the place a relocation is written', () => {
  let s: TestServer;
  let core: string;
  let lines: string[];
  before(async () => {
    s = await startTestServer();
    core = s.uri('src/core.c');
    lines = readFileSync(s.path('src/core.c'), 'utf8').split('\n');
  });
  after(() => s.close());

  /** 0-based line of the source line containing `text`, and the column inside the n-th (0-based) `word` on it. */
  const at = (text: string, word: string, n: number) => {
    const line = lines.findIndex((l) => l.includes(text));
    assert.ok(line >= 0, text);
    let col = -1;
    for (let i = 0; i <= n; i++) {
      col = lines[line]!.slice(col + 1).search(new RegExp(`\\b${word}\\b`)) + col + 1;
      assert.ok(col >= i, `${word} #${n} on ${text}`);
    }
    return { line, character: col + 1 };
  };
  const hover = async (p: { line: number; character: number }) =>
    (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: core }, position: p })) as Hover | null;
  const hoverText = async (p: { line: number; character: number }) => ((await hover(p))?.contents as { value: string } | undefined)?.value ?? '';
  /** Definitions as `[type document title, text of the line]`. */
  const definition = async (p: { line: number; character: number }, method = 'textDocument/definition') => {
    const locs = (await s.client.sendRequest(method, { textDocument: { uri: core }, position: p })) as Location[];
    const out: [string, string][] = [];
    for (const l of locs) {
      const doc = (await s.client.sendRequest('btf/document', { uri: l.uri })) as { text: string };
      out.push([decodeURIComponent(l.uri.slice(l.uri.lastIndexOf('/@') + 1)).replace(/\.btf\.h$/, ''), doc.text.split('\n')[l.range.start.line]!.trim()]);
    }
    return out;
  };

  test('the fixture line and libbpf agree: one relocation, task_struct.pid', () => {
    assert.ok(lines.some((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);')));
    assert.ok(libbpfSpecs.includes('<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)'));
  });

  test('`o->pid`: no member block (core_out.pid is not relocated); the line\'s instructions and relocation still show', async () => {
    const p = at('o->pid = BPF_CORE_READ(t, pid);', 'pid', 0);
    const text = await hoverText(p);
    assert.deepEqual(memberBlocks(await hover(p)), []);
    assert.doesNotMatch(text, /— member of/);
    assert.match(text, /^\*\*core_reads\*\* · `kprobe\/tcp_connect` · build\/core\.bpfeb\.o/);
    assert.match(text, /<byte_off> \[22\] struct task_struct\.pid \(0:2 @ offset 8\)/);
    // …and on `o`, `=`, the macro's name: no member block either.
    for (const w of ['o', 'BPF_CORE_READ', 't']) assert.deepEqual(memberBlocks(await hover(at('o->pid = BPF_CORE_READ(t, pid);', w, 0))), [], w);
  });

  test('`t, pid`: the member block of task_struct.pid', async () => {
    const p = at('o->pid = BPF_CORE_READ(t, pid);', 'pid', 1);
    assert.deepEqual(memberBlocks(await hover(p)), [['pid', 'struct task_struct']]);
    assert.match(await hoverText(p), /^\*\*pid\*\* — member of .*\n\n```c\nint pid;\n```\n\noffset 8 · size 4 · bit offset 64\n/);
  });

  test('go to definition: `t, pid` to task_struct\'s pid, `o->pid` not to task_struct', async () => {
    assert.deepEqual(await definition(at('o->pid = BPF_CORE_READ(t, pid);', 'pid', 1)), [
      ['@22/struct task_struct', 'int pid;                         /* off: 8 (bit 64), size: 4 */'],
      ['@22/struct task_struct', 'int pid;                         /* off: 8 (bit 64), size: 4 */'],
    ]);
    const def = await definition(at('o->pid = BPF_CORE_READ(t, pid);', 'pid', 0));
    assert.ok(!def.some(([title]) => title.includes('task_struct')), JSON.stringify(def));
    const tdef = await definition(at('o->pid = BPF_CORE_READ(t, pid);', 'pid', 0), 'textDocument/typeDefinition');
    assert.ok(!tdef.some(([title]) => title.includes('task_struct')), JSON.stringify(tdef));
  });

  test('BPF_CORE_READ_INTO(&o->tgid, t, …, tgid): only the macro\'s tgid is task_struct.tgid', async () => {
    const text = 'BPF_CORE_READ_INTO(&o->tgid, t, real_parent, real_parent, tgid);';
    assert.deepEqual(memberBlocks(await hover(at(text, 'tgid', 0))), []);
    assert.deepEqual(memberBlocks(await hover(at(text, 'tgid', 1))), [['tgid', 'struct task_struct']]);
    assert.deepEqual(memberBlocks(await hover(at(text, 'real_parent', 1))), [['real_parent', 'struct task_struct']]);
  });

  test('one member name, two roots in macro arguments: BPF_CORE_READ(prev, flags) ^ BPF_CORE_READ((struct task_struct___pre514 *)prev, flags)', async () => {
    const text = 'BPF_CORE_READ(prev, flags) ^ BPF_CORE_READ((struct task_struct___pre514 *)prev, flags)';
    assert.ok(libbpfSpecs.includes('<byte_off> [22] struct task_struct.flags (0:1 @ offset 4)'));
    assert.ok(libbpfSpecs.includes('<byte_off> [46] struct task_struct___pre514.flags (0:1 @ offset 8)'));
    assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 0))), [['flags', 'struct task_struct']]);
    assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 1))), [['flags', 'struct task_struct___pre514']]);
    assert.deepEqual((await definition(at(text, 'flags', 0))).map(([t, l]) => [t, l.split(';')[0]]), [
      ['@22/struct task_struct', 'unsigned int flags'], ['@22/struct task_struct', 'unsigned int flags'],
    ]);
    assert.deepEqual((await definition(at(text, 'flags', 1))).map(([t, l]) => [t, l.split(';')[0]]), [
      ['@46/struct task_struct___pre514', 'unsigned int flags'], ['@46/struct task_struct___pre514', 'unsigned int flags'],
    ]);
  });

  test('one member name, two roots in a -> chain: t->flags ^ t->mm->flags', async () => {
    const text = 'o->flags_exist = t->flags ^ t->mm->flags;';
    assert.ok(libbpfSpecs.includes('<byte_off> [61] struct mm_struct.flags (0:5 @ offset 40)'));
    assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 0))), [['flags', 'struct task_struct']]);
    assert.deepEqual(memberBlocks(await hover(at(text, 'mm', 0))), [['mm', 'struct task_struct']]);
    assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 1))), [['flags', 'struct mm_struct']]);
    assert.deepEqual(memberBlocks(await hover(at(text, 'flags_exist', 0))), []);
    assert.deepEqual((await definition(at(text, 'flags', 1))).map(([t, l]) => [t, l.split(';')[0]]), [
      ['@61/struct mm_struct', 'unsigned long flags'], ['@61/struct mm_struct', 'unsigned long flags'],
    ]);
    assert.deepEqual((await definition(at(text, 'flags', 0))).map(([t]) => t), ['@22/struct task_struct', '@22/struct task_struct']);
    // Type definition of the second `flags`: its type, not mm_struct's neighbour in task_struct.
    const tdef = await definition(at(text, 'flags', 1), 'textDocument/typeDefinition');
    assert.ok(tdef.length > 0 && tdef.every(([t]) => !t.includes('task_struct')), JSON.stringify(tdef));
  });

  test('every field relocation of core.c has a place: on the line that shows it, a word gets its member block', async () => {
    let checked = 0;
    for (let line = 0; line < lines.length; line++) {
      const text = await hoverText({ line, character: 0 });
      const relos = [...text.matchAll(/^<\w+> \[\d+\] (?:struct|union) \w+((?:\.\w+(?:\[\d+\])*)+) \(/gm)].map((m) => m[1]!.split('.').pop()!.replace(/\[.*$/, ''));
      for (const member of new Set(relos)) {
        const cols = [...lines[line]!.matchAll(new RegExp(`\\b${member}\\b`, 'g'))].map((m) => m.index! + 1);
        let found = false;
        for (const character of cols) if (memberBlocks(await hover({ line, character })).some(([m]) => m === member)) found = true;
        assert.ok(found, `line ${line + 1}: no place shows ${member}: ${lines[line]}`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `${checked}`);
  });

  test('where the source does not tell the root\'s type, the line_info column of the relocated instruction does', async () => {
    // clang puts each relocated load of `t->flags ^ t->mm->flags` under a record whose column is its member
    // (./src/core.c:211:22 for task_struct.flags, :37 for mm_struct.flags: test/golden/ext). With `t` declared
    // `void *`, neither chain's root type is known from the text.
    const ext = readFileSync(join(golden, 'ext/core.bpfel.o.txt'), 'utf8');
    const text = 'o->flags_exist = t->flags ^ t->mm->flags;';
    const line = lines.findIndex((l) => l.includes(text));
    const cols = [...ext.matchAll(new RegExp(`^line_info fentry/cgroup_migrate insn_off=\\d+ \\./src/core\\.c:${line + 1}:(\\d+) `, 'gm'))].map((m) => Number(m[1]));
    const flags = [...lines[line]!.matchAll(/\bflags\b/g)].map((m) => m.index! + 1);
    assert.ok(flags.every((c) => cols.includes(c)), `${cols} ${flags}`);
    const decl = lines.findIndex((l, i) => i < line && l.includes('struct task_struct *t = (void *)ctx[0];'));
    const edited = lines.map((l, i) => (i === decl ? l.replace('struct task_struct *t', 'void *t') : l)).join('\n');
    s.client.sendNotification('textDocument/didOpen', { textDocument: { uri: core, languageId: 'c', version: 1, text: edited } });
    try {
      assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 0))), [['flags', 'struct task_struct']]);
      assert.deepEqual(memberBlocks(await hover(at(text, 'flags', 1))), [['flags', 'struct mm_struct']]);
    } finally {
      s.client.sendNotification('textDocument/didClose', { textDocument: { uri: core } });
    }
  });
});

describe('document symbols of a BPF C source: its programs, from the objects built from it', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  /** Per section of an object: its function, instruction count (llvm-objdump's lines) and CO-RE relocations (ext_oracle's records). */
  const fromGoldens = (obj: string) => {
    const objdump = readFileSync(join(golden, `objdump/${obj}.txt`), 'utf8').split('\n');
    const ext = readFileSync(join(golden, `ext/${obj}.txt`), 'utf8');
    const out = new Map<string, { section: string; insns: number; relos: number }>();
    let section = '';
    let func = '';
    for (const l of objdump) {
      const sec = /^Disassembly of section (.*):$/.exec(l);
      if (sec) section = sec[1]!;
      const fn = /^[0-9a-f]{16} <(\w+)>:$/.exec(l);
      if (fn && !fn[1]!.startsWith('LBB')) {
        func = fn[1]!;
        out.set(func, { section, insns: 0, relos: ext.split('\n').filter((x) => x.startsWith(`core_relo ${section} `)).length });
      }
      if (/^ +\d+:\t/.test(l)) out.get(func)!.insns++;
    }
    return out;
  };

  test('core.c: one symbol per program over its SEC line to its closing brace; per object, counts as llvm-objdump and libbpf see them', async () => {
    const uri = s.uri('src/core.c');
    const lines = readFileSync(s.path('src/core.c'), 'utf8').split('\n');
    const syms = (await s.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    const el = fromGoldens('core.bpfel.o');
    const eb = fromGoldens('core.bpfeb.o');
    assert.deepEqual(syms.map((x) => x.name), ['core_reads', 'core_fields', 'core_types', 'core_direct']);
    for (const sym of syms) {
      const g = el.get(sym.name)!;
      assert.equal(sym.kind, SymbolKind.Function);
      assert.equal(sym.detail, `SEC("${g.section}")`);
      const decl = lines.findIndex((l) => l.startsWith(`int ${sym.name}(`));
      assert.equal(lines[sym.range.start.line], `SEC("${g.section}")`);
      assert.equal(sym.range.start.line, decl - 1);
      assert.equal(lines[sym.range.end.line], '}');
      assert.ok(lines.slice(decl + 1, sym.range.end.line).every((l) => l !== '}'), sym.name);
      assert.equal(lines[sym.selectionRange.start.line]!.slice(sym.selectionRange.start.character, sym.selectionRange.end.character), sym.name);
      const per = (x: { insns: number; relos: number }) => `${x.insns} instructions · ${x.relos} CO-RE relocations`;
      assert.deepEqual(sym.children!.map((c) => [c.name, c.detail]), [['build/core.bpfeb.o', per(eb.get(sym.name)!)], ['build/core.bpfel.o', per(g)]]);
    }
  });

  test('progs.c: .text functions are subprograms; a header with no BPF function has no symbols', async () => {
    const syms = (await s.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri: s.uri('src/progs.c') } })) as DocumentSymbol[];
    const el = fromGoldens('progs.bpfel.o');
    assert.deepEqual(syms.map((x) => x.name).sort(), [...el.keys()].sort());
    for (const sym of syms) assert.equal(sym.detail, el.get(sym.name)!.section === '.text' ? '.text subprogram' : `SEC("${el.get(sym.name)!.section}")`, sym.name);
    assert.deepEqual(await s.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri: s.uri('src/common.h') } }), []);
  });
});
