/**
 * LSP round trips over the fixture workspace (test/workspace): hover text, definitions, symbols, code
 * lenses, custom requests and diagnostics, against what libbpf, llvm-objdump and bpftool print.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeLens, DocumentSymbol, Hover, Location, SymbolInformation } from 'vscode-languageserver/node';
import type { FilesRequest, ParamsOf, RequestMethod, ResultOf, SearchRequest, TypeTextRequest } from '../../server/src/protocol/requests';
import { golden } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const link = (label: string, uri: string) => `[${label}](command:btfLens.open?${encodeURIComponent(JSON.stringify([uri]))})`;
const typeDoc = (s: TestServer, obj: string, id: number, title: string) =>
  `btf-lens://${s.path(obj).split('/').map(encodeURIComponent).join('/')}/@${id}/${encodeURIComponent(title)}.btf.h`;

/** Source line (1-based, as editors show) of the first line of core.c containing `text`. */
function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line with ${text}`);
  return i + 1;
}

describe('language server over test/workspace', () => {
  let s: TestServer;
  let core: string;
  const hover = async (line1: number, character: number, uri = core) =>
    ((await s.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: line1 - 1, character } })) as Hover | null);
  const md = (h: Hover | null) => (h ? (h.contents as { value: string }).value : '');

  before(async () => {
    s = await startTestServer();
    core = s.uri('src/core.c');
  });
  after(() => s.close());

  test('btf/files lists the BPF objects and the module; the x86-64 object is rejected after its header', async () => {
    const r = (await s.client.sendRequest('btf/files', {})) as FilesRequest.Result;
    assert.deepEqual(r.files.map((f) => [f.label, f.kind, f.state]), [
      ['build/core.bpfeb.o', 'bpf-object', 'indexed'],
      ['build/core.bpfel.o', 'bpf-object', 'indexed'],
      ['build/progs.bpfel.o', 'bpf-object', 'indexed'],
      ['modules/regmap-sdw.btf', 'raw-btf', 'failed'],
      // The same module as Debian ships it: its vermagic names its kernel, whose vmlinux is in the workspace.
      ['modules/regmap-sdw.ko', 'kernel-module', 'indexed'],
    ]);
    assert.equal(r.indexing, false);
    const mod = r.files.find((f) => f.label === 'modules/regmap-sdw.btf')!;
    assert.equal(mod.missingBase, true);
  });

  test('hover on `pid` of BPF_CORE_READ(t, pid): member, instructions of both objects, libbpf spec, local type', async () => {
    const line = lineOf(s.path('src/core.c'), 'o->pid = BPF_CORE_READ(t, pid);');
    const text = readFileSync(s.path('src/core.c'), 'utf8').split('\n')[line - 1]!;
    const h = await hover(line, text.indexOf('pid)') + 1);
    const group = (obj: string) => [
      `**core_reads** · \`kprobe/tcp_connect\` · ${obj}`,
      '```bpf-asm\n      12:\tr1 = 8\n      17:\tr2 = 4\n      18:\tcall 113\n      19:\tr1 = *(u32 *)(r10 - 16)\n      20:\t*(u32 *)(r6 + 0) = r1\n'
        + '      21:\tr1 = 32\n      22:\tr8 = r9\n      23:\tr8 += r1\n… 1 more\n```',
      'CO-RE relocation:\n\n```\n<byte_off> [22] struct task_struct.pid (0:2 @ offset 8)\n```',
      `Local type: ${link('`struct task_struct`', typeDoc(s, obj, 22, 'struct task_struct'))} [22] `
        + `([tree](command:btfLens.revealType?${encodeURIComponent(JSON.stringify([s.uri(obj), 22]))} "Show in the BTF type tree"))`,
    ].join('\n\n');
    const expected = [
      `**pid** — member of ${link('`struct task_struct`', typeDoc(s, 'build/core.bpfeb.o', 22, 'struct task_struct'))}\n\n\`\`\`c\nint pid;\n\`\`\`\n\noffset 8 · size 4 · bit offset 64`,
      group('build/core.bpfeb.o'),
      group('build/core.bpfel.o'),
    ].join('\n\n---\n\n');
    assert.equal(md(h), expected);
  });

  test('hover on a bitfield through anonymous members: offsets from the relocation root', async () => {
    const line = lineOf(s.path('src/core.c'), 'o->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);');
    const text = readFileSync(s.path('src/core.c'), 'utf8').split('\n')[line - 1]!;
    const h = md(await hover(line, text.indexOf('skc_dport') + 2));
    const first = h.split('\n\n---\n\n')[0]!;
    assert.equal(first, `**skc_dport** — member of ${link('`struct {...}`', typeDoc(s, 'build/core.bpfeb.o', 34, 'struct (anon)'))}\n\n\`\`\`c\n__be16 skc_dport;\n\`\`\`\n\noffset 12 · size 2 · bit offset 96 (from \`struct sock\`)`);
    const reuse = lineOf(s.path('src/core.c'), 'o->reuse = BPF_CORE_READ_BITFIELD_PROBED');
    const rtext = readFileSync(s.path('src/core.c'), 'utf8').split('\n')[reuse - 1]!;
    const hr = md(await hover(reuse, rtext.indexOf('skc_reuse)') + 1)).split('\n\n---\n\n')[0]!;
    assert.match(hr, /^\*\*skc_reuse\*\* — member of \[`struct sock_common`\]/);
    assert.ok(hr.endsWith('```c\nunsigned char skc_reuse: 4;\n```\n\noffset 19 · bits 4 · bit offset 152 (from `struct sock`)'), hr);
  });

  test('every CO-RE relocation of core.bpfel.o is shown on exactly one line, in libbpf\'s words', async () => {
    const lines = readFileSync(s.path('src/core.c'), 'utf8').split('\n');
    const shown: string[] = [];
    for (let i = 1; i <= lines.length; i++) {
      const h = md(await hover(i, 0));
      for (const part of h.split('\n\n---\n\n')) {
        if (!part.startsWith('**') || !part.split('\n')[0]!.endsWith('· build/core.bpfel.o')) continue;
        const fn = /^\*\*(\w+)\*\*/.exec(part)![1]!;
        const m = /CO-RE relocations?:\n\n```\n([\s\S]*?)\n```/.exec(part);
        if (m) for (const r of m[1]!.split('\n')) shown.push(`${fn} ${r}`);
      }
    }
    const want = readFileSync(join(golden, 'core-spec/core.bpfel.o.txt'), 'utf8').trim().split('\n').map((l) => l.replace(/ #\d+:/, ''));
    assert.deepEqual(shown.sort(), want.sort());
  });

  test('instructions in hovers are llvm-objdump\'s lines', async () => {
    const objdump = new Set(readFileSync(join(golden, 'objdump/core.bpfel.o.txt'), 'utf8').split('\n'));
    const lines = readFileSync(s.path('src/core.c'), 'utf8').split('\n');
    let checked = 0;
    for (let i = 1; i <= lines.length; i++) {
      for (const part of md(await hover(i, 0)).split('\n\n---\n\n')) {
        if (!part.split('\n')[0]!.endsWith('· build/core.bpfel.o')) continue;
        const m = /```bpf-asm\n([\s\S]*?)\n```/.exec(part);
        for (const l of m ? m[1]!.split('\n') : []) {
          if (l.startsWith('… ')) continue;
          assert.ok(objdump.has(l), `not an llvm-objdump line: ${JSON.stringify(l)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `${checked}`);
  });

  test('no hover on a line that compiled to nothing', async () => {
    assert.equal(await hover(lineOf(s.path('src/core.c'), 'struct mm_struct {'), 8), null);
  });

  test('definition and type definition from a relocated member', async () => {
    const line = lineOf(s.path('src/core.c'), 'o->pid = t->real_parent->mm->task_size;');
    const text = readFileSync(s.path('src/core.c'), 'utf8').split('\n')[line - 1]!;
    const pos = { line: line - 1, character: text.indexOf('mm->') + 1 };
    const def = (await s.client.sendRequest('textDocument/definition', { textDocument: { uri: core }, position: pos })) as Location[];
    // `mm` is a member of struct task_struct: its line in both objects' documents.
    assert.deepEqual(def.map((l) => [l.uri, l.range.start.line]), [
      [typeDoc(s, 'build/core.bpfeb.o', 22, 'struct task_struct'), 8],
      [typeDoc(s, 'build/core.bpfel.o', 22, 'struct task_struct'), 8],
    ]);
    const tdef = (await s.client.sendRequest('textDocument/typeDefinition', { textDocument: { uri: core }, position: pos })) as Location[];
    assert.deepEqual(tdef.map((l) => l.uri), [typeDoc(s, 'build/core.bpfeb.o', 61, 'struct mm_struct'), typeDoc(s, 'build/core.bpfel.o', 61, 'struct mm_struct')]);
    const doc = (await s.client.sendRequest('btf/document', { uri: def[1]!.uri })) as { text: string; languageId: string };
    assert.equal(doc.languageId, 'btf-c');
    assert.equal(doc.text.split('\n')[8], '\tstruct mm_struct *mm;            /* off: 40 (bit 320), size: 8 */');
    assert.equal(doc.text.split('\n')[0], "/* [22] STRUCT 'task_struct' · build/core.bpfel.o */");
  });

  test('definition from a type name (type-based relocation) and inside a type document', async () => {
    const line = lineOf(s.path('src/core.c'), 'bpf_core_type_size(atomic_t___local)');
    const text = readFileSync(s.path('src/core.c'), 'utf8').split('\n')[line - 1]!;
    const def = (await s.client.sendRequest('textDocument/definition', {
      textDocument: { uri: core }, position: { line: line - 1, character: text.indexOf('atomic_t___local') + 3 },
    })) as Location[];
    const uri = typeDoc(s, 'build/core.bpfel.o', 52, 'typedef atomic_t___local');
    assert.deepEqual(def.map((l) => l.uri)[1], uri);
    // F12 on `struct mm_struct` inside the task_struct document follows to mm_struct.
    const taskDoc = typeDoc(s, 'build/core.bpfel.o', 22, 'struct task_struct');
    const inner = (await s.client.sendRequest('textDocument/definition', { textDocument: { uri: taskDoc }, position: { line: 8, character: 12 } })) as Location[];
    assert.deepEqual(inner.map((l) => l.uri), [typeDoc(s, 'build/core.bpfel.o', 61, 'struct mm_struct')]);
    // …and on a member name, to the member's type.
    const viaMember = (await s.client.sendRequest('textDocument/definition', { textDocument: { uri: taskDoc }, position: { line: 7, character: 24 } })) as Location[];
    assert.deepEqual(viaMember.map((l) => l.uri), [taskDoc]);
  });

  test('document symbols of a type document: members, anonymous members nested', async () => {
    const uri = typeDoc(s, 'build/core.bpfel.o', 27, 'struct sock_common');
    const syms = (await s.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    assert.equal(syms.length, 1);
    assert.equal(syms[0]!.name, 'struct sock_common');
    const names = (d: DocumentSymbol): unknown => (d.children?.length ? [d.name, d.children.map(names)] : d.name);
    assert.deepEqual(syms[0]!.children!.map(names), [
      ['(anon)', ['skc_addrpair', ['(anon)', ['skc_daddr', 'skc_rcv_saddr']]]],
      ['(anon)', ['skc_hash', 'skc_u16hashes']],
      ['(anon)', ['skc_portpair', ['(anon)', ['skc_dport', 'skc_num']]]],
      'skc_family', 'skc_state', 'skc_reuse', 'skc_reuseport', 'skc_ipv6only', 'skc_net_refcnt', 'skc_bound_dev_if', 'skc_v6_daddr', 'skc_v6_rcv_saddr',
    ]);
    const doc = ((await s.client.sendRequest('btf/document', { uri })) as { text: string }).text.split('\n');
    const dport = syms[0]!.children![2]!.children![1]!.children![0]!;
    assert.match(doc[dport.range.start.line]!, /__be16 skc_dport;/);
  });

  test('workspace symbols: grouped across objects, ranked prefix > word start > substring > fuzzy', async () => {
    const q = async (query: string) => (await s.client.sendRequest('workspace/symbol', { query })) as SymbolInformation[];
    const task = await q('task_struct');
    assert.deepEqual(task.slice(0, 2).map((x) => [x.name, x.kind, x.containerName]), [
      ['task_struct', 23, 'build/core.bpfeb.o (+1 more file)'],
      ['task_struct', 23, 'build/progs.bpfel.o'],
    ]);
    assert.equal(task[0]!.location.uri, typeDoc(s, 'build/core.bpfeb.o', 22, 'struct task_struct'));
    const tier = (name: string, query: string) => {
      const n = name.toLowerCase();
      if (n.startsWith(query)) return 0;
      const i = n.indexOf(query);
      if (i > 0) return /[_.]/.test(name[i - 1]!) || /[A-Z]/.test(name[i]!) ? 1 : 2;
      return 3;
    };
    for (const query of ['sock', 'addr', 'pid', 'core', 'tsk']) {
      const r = await q(query);
      assert.ok(r.length > 0, query);
      const tiers = r.map((x) => tier(x.name, query));
      assert.deepEqual(tiers, [...tiers].sort(), `${query}: ${r.map((x) => x.name).join(' ')}`);
    }
    const sock = await q('sock');
    // Within a tier, shorter names first.
    assert.deepEqual(sock.slice(0, 4).map((x) => x.name), ['sock', 'sock_a', 'sock_b', 'sock_common']);
    const fz = await q('tskstrct');
    assert.ok(fz.some((x) => x.name === 'task_struct'));
    const fn = await q('core_reads');
    assert.deepEqual(fn.map((x) => [x.name, x.kind]), [['core_reads', 12]]);
  });

  test('code lenses above each BPF function: section, instructions, CO-RE relocations, per object', async () => {
    const lenses = (await s.client.sendRequest('textDocument/codeLens', { textDocument: { uri: core } })) as CodeLens[];
    const fnLine = lineOf(s.path('src/core.c'), 'int core_reads(void *ctx)') - 1;
    const got = lenses.filter((l) => l.range.start.line === fnLine).map((l) => l.command!.title);
    assert.deepEqual(got, [
      'kprobe/tcp_connect · 103 instructions · 10 CO-RE relocations · build/core.bpfeb.o',
      'kprobe/tcp_connect · 103 instructions · 10 CO-RE relocations · build/core.bpfel.o',
    ]);
    assert.equal(lenses.length, 8);
    const open = lenses[4]!.command!;
    assert.equal(open.command, 'btfLens.open');
    const dis = (await s.client.sendRequest('btf/document', { uri: open.arguments![0] })) as { text: string; languageId: string };
    assert.equal(dis.languageId, 'bpf-asm');
    assert.match(dis.text, /^; core_reads · kprobe\/tcp_connect · build\/core\.bpfel\.o\n; 103 instructions, 10 CO-RE relocations\n/);
    assert.ok(dis.text.includes('; ./src/core.c:138  o->pid = BPF_CORE_READ(t, pid);                          /* 0:2 */\n      17:\tr2 = 4\n'), dis.text);
    assert.ok(dis.text.includes('      12:\tr1 = 8\n\t\t; CO-RE <byte_off> [22] struct task_struct.pid (0:2 @ offset 8)\n'));
  });

  test('document symbols of a disassembly document: the function, and each run of one source line', async () => {
    const lenses = (await s.client.sendRequest('textDocument/codeLens', { textDocument: { uri: core } })) as CodeLens[];
    const uri = lenses.find((l) => l.command!.title.startsWith('kprobe/tcp_connect') && l.command!.title.endsWith('build/core.bpfel.o'))!.command!.arguments![0] as string;
    const syms = (await s.client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    const text = ((await s.client.sendRequest('btf/document', { uri })) as { text: string }).text.split('\n');
    assert.deepEqual([syms.length, syms[0]!.name, syms[0]!.detail, syms[0]!.kind], [1, 'core_reads', 'kprobe/tcp_connect · build/core.bpfel.o', 12]);
    const kids = syms[0]!.children!;
    assert.equal(kids.length, text.filter((l) => /^; \.\/src\/core\.c:\d+/.test(l)).length);
    assert.deepEqual(kids.slice(0, 3).map((k) => [k.name, k.detail, k.range.start.line, k.range.end.line]), [
      ['./src/core.c:130', 'int core_reads(void *ctx)', 3, 4],
      ['./src/core.c:132', 'struct task_struct *t = (void *)bpf_get_current_task();', 5, 8],
      ['./src/core.c:124', '__u32 k = 0;', 9, 12],
    ]);
    // The runs tile the document: each ends on the line before the next starts.
    for (let i = 1; i < kids.length; i++) assert.equal(kids[i - 1]!.range.end.line, kids[i]!.range.start.line - 1);
  });

  test('btf/editor rows in pages, children, typeText (bpftool raw), usedBy; btf/typeText, btf/search', async () => {
    const req = <M extends RequestMethod>(method: M, params: ParamsOf<M>) => s.client.sendRequest(method, params) as Promise<ResultOf<M>>;
    const file = s.uri('build/core.bpfel.o');
    const { doc } = await req('btf/editor/open', { uri: file });
    const all = await req('btf/editor/rows', { doc, scope: 'own', kinds: ['STRUCT'], namedOnly: true, offset: 0, limit: 3 });
    assert.ok(all.total >= 8);
    assert.equal(all.rows.length, 3);
    const page2 = await req('btf/editor/rows', { doc, scope: 'own', kinds: ['STRUCT'], namedOnly: true, offset: 3, limit: 3 });
    assert.notDeepEqual(page2.rows.map((r) => r.id), all.rows.map((r) => r.id));
    const named = await req('btf/editor/rows', { doc, scope: 'own', name: 'TASK_STRUCT', offset: 0, limit: 100 });
    assert.deepEqual(named.rows.map((r) => [r.id, r.kind, r.label]), [
      [22, 'STRUCT', 'struct task_struct'], [46, 'STRUCT', 'struct task_struct___pre514'], [48, 'STRUCT', 'struct task_struct___nonexistent'],
    ]);
    const kids = await req('btf/editor/children', { doc, id: 22 });
    assert.deepEqual(kids.children.slice(2, 3), [{ name: 'pid', typeId: 2, typeLabel: 'int', hasChildren: false, bitOffset: 64, size: 4, level: 0 }]);
    assert.deepEqual(kids.children[8], { name: 'in_iowait', typeId: 9, typeLabel: 'unsigned int', hasChildren: false, bitOffset: 385, bitfieldSize: 1, size: 4, level: 0 });
    const bpftool = readFileSync(join(golden, 'raw/core.bpfel.o.txt'), 'utf8');
    const start = bpftool.indexOf('[22] STRUCT');
    const dump22 = bpftool.slice(start, bpftool.indexOf('\n[', start) + 1);
    assert.equal((await req('btf/editor/typeText', { doc, id: 22 })).raw, dump22);
    const raw = (await s.client.sendRequest('btf/typeText', { file, id: 22, format: 'raw' })) as TypeTextRequest.Result;
    assert.equal(raw.text, dump22);
    // Used-by from bpftool's dump: each type whose line or member/param/var lines say type_id=ID (or
    // ret_type_id=ID; an array's index type is not a use), once, in ID order. __u32 [8] is named 25 times
    // by 5 types, so a list that is not deduplicated differs.
    const referrers = (id: number) => {
      const out = new Map<number, string>();
      let cur = 0, kind = '';
      for (const line of bpftool.split('\n')) {
        const h = /^\[(\d+)\] (\S+) /.exec(line);
        if (h) [cur, kind] = [Number(h[1]), h[2]!];
        if ([...line.matchAll(/\b(?:ret_)?type_id=(\d+)/g)].some((m) => Number(m[1]) === id)) out.set(cur, kind);
      }
      return [...out];
    };
    for (const id of [22, 8]) {
      const used = await req('btf/editor/usedBy', { doc, id });
      assert.deepEqual(used.rows.map((r) => [r.id, r.kind]), referrers(id), `used by [${id}]`);
    }
    assert.equal(referrers(8).length, 5);
    assert.equal([...bpftool.matchAll(/\btype_id=8\b/g)].length, 25);
    const hits = (await s.client.sendRequest('btf/search', { query: 'task_struct', kinds: ['STRUCT'], limit: 5 })) as SearchRequest.Result;
    assert.deepEqual(hits.hits.slice(0, 2).map((h) => [h.name, h.count]), [['task_struct', 2], ['task_struct', 1]]);
  });

  test('a module without its base: a clear diagnostic on the module file, no types', async () => {
    const d = s.diagnostics.get(s.uri('modules/regmap-sdw.btf'));
    assert.ok(d?.length, 'no diagnostics on the module');
    assert.equal(d[0]!.severity, 1);
    assert.equal(d[0]!.message, 'modules/regmap-sdw.btf: offset 0 (0x0): split BTF (a kernel module\'s) needs its base BTF, and kernel BTF is turned off (btfLens.kernelBtf is "none"): its types cannot be shown. Set btfLens.kernelBtf to the vmlinux BTF it was built against.');
    // Its types come only from the .ko, which found its own base.
    const r = (await s.client.sendRequest('workspace/symbol', { query: 'sdw_slave_status' })) as SymbolInformation[];
    assert.deepEqual(r.map((x) => x.containerName), ['modules/regmap-sdw.ko']);
    // Sources whose objects are up to date carry no diagnostics.
    assert.deepEqual(s.diagnostics.get(core) ?? [], []);
  });
});
