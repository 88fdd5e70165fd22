/**
 * The type-tree editor's server requests (btf/editor/*) in process over test/workspace: what the
 * Types, Programs, Ext info and Layout tabs show checked against what the real tools print for the
 * same objects — bpftool's raw dump (test/golden/raw), llvm-objdump -d -r (test/golden/objdump),
 * libbpf's .BTF.ext records (ext_oracle, test/golden/ext) and pahole -C (test/golden/layout, over the
 * corpus vmlinux-6.1 BTF when present) — plus split/base levels, filters and bad input.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { CORE_RELO_KINDS } from '../../server/src/core/core-relo/spec';
import type {
  EditorDisasmRequest, EditorExtRequest, EditorLayoutRequest, EditorMapsRequest, EditorOverview, EditorProgramsRequest, EditorRowsRequest,
  EditorTypeTextRequest, ParamsOf, RequestMethod, ResultOf,
} from '../../server/src/protocol/requests';
import { golden, hasCorpus, sharedCorpus } from '../helpers/paths';
import { firstDifference, judgedLines, paholeBlocks } from '../helpers/pahole';
import { type TestServer, startTestServer } from '../server/harness';
import { HOSTILE, hostileBase, hostileSplit, hostileSplit2, strLenOf } from '../webview/fixtures';

/** bpftool's raw dump cut into one block per type ID. */
function rawBlocks(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let id = 0;
  for (const line of text.split('\n')) {
    const m = /^\[(\d+)\] /.exec(line);
    if (m) {
      id = Number(m[1]);
      out.set(id, `${line}\n`);
    } else if (line && id) out.set(id, out.get(id)! + `${line}\n`);
  }
  return out;
}

/**
 * llvm-objdump's listing: section → its instruction and relocation lines; function → its lines. A
 * `<label>:` that is not one of `functions` (a jump target like LBB0_2) goes on with the function.
 */
function objdump(text: string, names: Set<string>): { sections: Map<string, string[]>; functions: Map<string, string[]> } {
  const sections = new Map<string, string[]>();
  const functions = new Map<string, string[]>();
  let sec: string[] | undefined;
  let fn: string[] | undefined;
  for (const line of text.split('\n')) {
    const s = /^Disassembly of section (.*):$/.exec(line);
    if (s) {
      sections.set(s[1]!, (sec = []));
      fn = undefined;
      continue;
    }
    const f = /^[0-9a-f]{16} <(.*)>:$/.exec(line);
    if (f && names.has(f[1]!)) {
      functions.set(f[1]!, (fn = []));
      continue;
    }
    if (f) continue;
    if (/^ *\d+:\t/.test(line) || /^\t\t[0-9a-f]{16}:  R_BPF/.test(line)) {
      sec?.push(line);
      fn?.push(line);
    }
  }
  return { sections, functions };
}

describe('editor requests over test/workspace', () => {
  let s: TestServer;
  const req = <M extends RequestMethod>(method: M, params: ParamsOf<M>) => s.client.sendRequest(method, params) as Promise<ResultOf<M>>;
  const open = (rel: string, base?: string[]) => req('btf/editor/open', { uri: s.uri(rel), ...(base ? { base } : {}) });

  before(async () => {
    s = await startTestServer({
      prepare: (root) => {
        const base = hostileBase();
        writeFileSync(join(root, 'hostile.btf'), base);
        mkdirSync(join(root, 'split'), { recursive: true });
        const split = hostileSplit(strLenOf(base));
        writeFileSync(join(root, 'split/hostile-split.btf'), split);
        writeFileSync(join(root, 'split/level2.btf'), hostileSplit2(strLenOf(base) + strLenOf(split)));
        writeFileSync(join(root, 'garbage.btf'), 'this is not BTF at all\n');
      },
    });
  });
  after(() => s.close());

  for (const obj of ['core.bpfel.o', 'core.bpfeb.o', 'progs.bpfel.o']) {
    describe(obj, () => {
      let ov: EditorOverview;
      before(async () => {
        ov = await open(`build/${obj}`);
      });

      test('overview: kind, byte order, own types, ext counts', () => {
        assert.equal(ov.kind, 'bpf-object');
        assert.equal(ov.ok, true);
        assert.equal(ov.byteOrder, obj.includes('bpfeb') ? 'big' : 'little');
        assert.equal(ov.indexed, true, 'shared with the workspace index');
        const raw = rawBlocks(readFileSync(join(golden, 'raw', `${obj}.txt`), 'utf8'));
        assert.equal(ov.ownTypes, raw.size);
        assert.equal(ov.kindCounts.reduce((a, k) => a + k.count, 0), raw.size);
        const ext = readFileSync(join(golden, 'ext', `${obj}.txt`), 'utf8').split('\n');
        const n = (p: string) => ext.filter((l) => l.startsWith(`${p} `)).length;
        assert.deepEqual(ov.ext, { funcInfo: n('func_info'), lineInfo: n('line_info'), coreRelo: n('core_relo') });
      });

      test('every row, and its raw text, is what bpftool dumps for that ID', async () => {
        const raw = rawBlocks(readFileSync(join(golden, 'raw', `${obj}.txt`), 'utf8'));
        const r = await req('btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 2000 });
        assert.deepEqual(r.rows.map((x) => x.id), [...raw.keys()]);
        for (const row of r.rows) {
          const want = raw.get(row.id)!;
          assert.ok(want.startsWith(`[${row.id}] ${row.kind} '${row.name || '(anon)'}'`), `${JSON.stringify(row)} vs ${want}`);
          const t: EditorTypeTextRequest.Result = await req('btf/editor/typeText', { doc: ov.doc, id: row.id });
          assert.equal(t.raw, want, `[${row.id}]`);
          assert.match(t.uri ?? '', /^btf-lens:/);
        }
      });

      test('programs and disassembly: llvm-objdump -d -r lines, function by function', async () => {
        const p: EditorProgramsRequest.Result = await req('btf/editor/programs', { doc: ov.doc });
        const want = objdump(readFileSync(join(golden, 'objdump', `${obj}.txt`), 'utf8'), new Set(p.functions.map((f) => f.name)));
        assert.deepEqual(p.sections.map((x) => x.name), [...want.sections.keys()].filter((n) => p.sections.some((x) => x.name === n)));
        for (const sec of p.sections) {
          assert.equal(sec.insns, want.sections.get(sec.name)!.filter((l) => !l.includes('R_BPF')).length, sec.name);
        }
        assert.ok(p.functions.length > 0);
        for (const f of p.functions) {
          const d: EditorDisasmRequest.Result = await req('btf/editor/disasm', { doc: ov.doc, section: f.section, name: f.name });
          const lines = d.lines.filter((l) => l.kind === 'insn' || l.kind === 'reloc').map((l) => l.text);
          assert.deepEqual(lines, want.functions.get(f.name), `${f.section} ${f.name}`);
          assert.equal(f.insns, lines.filter((l) => !l.includes('R_BPF')).length);
          // llvm-objdump's relocation lines (the golden's), and only they, come as 'reloc'.
          assert.deepEqual(d.lines.filter((l) => l.kind === 'reloc').map((l) => l.text), lines.filter((l) => /^\t\t[0-9a-f]{16}:  R_BPF/.test(l)));
          assert.equal(d.lines.filter((l) => l.kind === 'core').length, f.coreRelos);
          if (f.lines) assert.ok(d.lines.some((l) => l.kind === 'source' && /^\.\/src\/\w+\.c:\d+ {2}\S/.test(l.text)), 'source lines with their text');
        }
      });

      test('ext info: the records libbpf reads (ext_oracle)', async () => {
        const e: EditorExtRequest.Result = await req('btf/editor/ext', { doc: ov.doc });
        const lines = [
          ...e.funcInfo.map((r) => `func_info ${r.section} insn_off=${r.insnOff} type_id=${r.typeId} ${r.name}`),
          ...e.lineInfo.map((r) => `line_info ${r.section} insn_off=${r.insnOff} ${r.file}:${r.line}:${r.col} | ${r.text}`),
          ...e.coreRelo.map((r) => `core_relo ${r.section} insn_off=${r.insnOff} type_id=${r.typeId} access=${r.access} kind=${CORE_RELO_KINDS.indexOf(r.kind as never)}`),
        ];
        const want = readFileSync(join(golden, 'ext', `${obj}.txt`), 'utf8').split('\n').filter((l) => /^(func_info|line_info|core_relo) /.test(l));
        assert.deepEqual(lines.sort(), [...want].sort());
      });
    });
  }

  test('maps of core.bpfel.o: type, key and value linked to their types', async () => {
    const ov = await open('build/core.bpfel.o');
    const m: EditorMapsRequest.Result = await req('btf/editor/maps', { doc: ov.doc });
    assert.deepEqual(m.maps.map((x) => [x.name, x.type, x.keyLabel, x.valueLabel, x.maxEntries]), [['out', 'array', '__u32', 'struct core_out', 1]]);
    const key = await req('btf/editor/locate', { doc: ov.doc, scope: 'own', id: m.maps[0]!.keyType! });
    assert.equal(key.row?.name, '__u32');
  });

  test('split BTF with an explicit base: levels, continued IDs, filters, locate, used by', async () => {
    const ov = await open('split/hostile-split.btf', [s.uri('hostile.btf')]);
    assert.equal(ov.indexed, false, 'the index has no base for it: opened by the editor itself');
    assert.deepEqual([ov.firstId, ov.ownTypes, ov.totalTypes], [9, 3, 11]);
    assert.deepEqual(ov.chain.map((c) => [c.label, c.firstId, c.count]), [['split/hostile-split.btf', 9, 3], ['hostile.btf', 1, 8]]);
    const own = await req('btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 100 });
    assert.deepEqual(own.rows.map((r) => [r.id, r.label, r.level]), [[9, 'struct own_struct', 0], [10, 'struct own_struct *', 0], [11, 'own_t', 0]]);
    const all = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', offset: 0, limit: 100 });
    assert.deepEqual(all.rows.map((r) => r.level), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    const kids = await req('btf/editor/children', { doc: ov.doc, id: 9 });
    assert.deepEqual(kids.children.map((c) => [c.name, c.typeLabel, c.bitOffset, c.bitfieldSize, c.level]), [
      ['head', 'struct list_head', 0, undefined, 1], ['n', 'int', 128, undefined, 1], ['flag', 'int', 160, 3, 1],
    ]);
    const page2 = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', offset: 4, limit: 3 });
    assert.deepEqual([page2.total, page2.rows.map((r) => r.id)], [11, [5, 6, 7]]);
    const re = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', name: '^(list|own)_', regex: true, offset: 0, limit: 10 });
    assert.deepEqual(re.rows.map((r) => r.id), [7, 9, 11]);
    const sub = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', name: 'ONERROR', kinds: ['STRUCT'], offset: 0, limit: 10 });
    assert.deepEqual(sub.rows.map((r) => r.name), [HOSTILE]);
    const named = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', namedOnly: true, offset: 0, limit: 10 });
    assert.deepEqual(named.rows.map((r) => r.id), [1, 2, 4, 6, 7, 9, 11]);
    assert.deepEqual(named.rows.filter((r) => r.detail).map((r) => [r.name, r.detail]), [['do_thing', `int(struct ${HOSTILE} *a)`], ['own_t', 'struct own_struct']]);
    const bad: EditorRowsRequest.Result = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', name: '(', regex: true, offset: 0, limit: 10 });
    assert.deepEqual([bad.total, bad.rows.length], [0, 0]);
    assert.match(bad.error ?? '', /^bad regular expression: /);
    assert.deepEqual((await req('btf/editor/locate', { doc: ov.doc, scope: 'own', id: 7 })).index, -1, 'a base type is not among own types');
    assert.deepEqual((await req('btf/editor/locate', { doc: ov.doc, scope: 'all', name: '^(list|own)_', regex: true, id: 11 })).index, 2);
    assert.deepEqual((await req('btf/editor/locate', { doc: ov.doc, scope: 'all', id: 12 })).index, -1);
    const used = await req('btf/editor/usedBy', { doc: ov.doc, id: 7 });
    assert.deepEqual(used.rows.map((r) => [r.id, r.level]), [[9, 0], [8, 1]], "the split's own referrers, then the base's");
    const text = await req('btf/editor/typeText', { doc: ov.doc, id: 9 });
    assert.match(text.c, /^struct own_struct \{\n\tstruct list_head head;/);
    assert.equal(text.uri, undefined);
    const l: EditorLayoutRequest.Result = await req('btf/editor/layout', { doc: ov.doc, id: 9 });
    assert.deepEqual([l.kind, l.size, l.members.map((m) => [m.name, m.offset, m.size, m.bitfieldSize, m.hole])], ['struct', 24, [
      ['head', 0, 16, 0, 0], ['n', 16, 4, 0, 0], ['flag', 20, 4, 3, 0],
    ]]);
    const notStruct = await req('btf/editor/layout', { doc: ov.doc, id: 11 });
    assert.equal(notStruct.kind, undefined);
    await req('btf/editor/close', { doc: ov.doc });
    await assert.rejects(req('btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 1 }), /no open editor document/);
  });

  test('multi-level split BTF: a chain of three, levels per type', async () => {
    const ov = await open('split/level2.btf', [s.uri('split/hostile-split.btf'), s.uri('hostile.btf')]);
    assert.equal(ov.ok, true, JSON.stringify(ov.problems));
    assert.deepEqual(ov.chain.map((c) => [c.label, c.firstId, c.count]), [['split/level2.btf', 12, 1], ['split/hostile-split.btf', 9, 3], ['hostile.btf', 1, 8]]);
    const kids = await req('btf/editor/children', { doc: ov.doc, id: 12 });
    assert.deepEqual(kids.children.map((c) => [c.name, c.typeLabel, c.level]), [['own', 'struct own_struct', 1], ['lh', 'struct list_head', 2]]);
    const all = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', offset: 0, limit: 100 });
    assert.deepEqual(all.rows.map((r) => r.level), [2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 0]);
  });

  test('split BTF the index cannot pair (no kernel BTF): the editor still reads it with a base given', async () => {
    const ov = await open('modules/regmap-sdw.btf');
    assert.equal(ov.ok, false);
    assert.match(ov.problems.map((p) => p.message).join('\n'), /split BTF .* needs its base BTF/);
    // The editor's banner says so, with the way out ("Choose base BTF…").
    assert.equal(ov.baseProblem?.kind, 'missing');
    assert.match(ov.baseProblem!.message, /split BTF/);
  });

  test('an unreadable file: what was read and the problems, with offsets', async () => {
    const ov = await open('garbage.btf');
    assert.deepEqual([ov.ok, ov.kind, ov.size, ov.totalTypes], [false, 'raw-btf', 23, 0]);
    assert.deepEqual(ov.problems, [{ severity: 'error', offset: 0, message: 'neither BTF (magic eb9f) nor ELF: not a file BTF Lens can read' }]);
    await assert.rejects(req('btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 1 }), /has no readable BTF/);
    const missing = await req('btf/editor/open', { uri: s.uri('no/such.btf') });
    assert.match(missing.problems[0]!.message, /^no such file \(ENOENT\)$/);
    await assert.rejects(req('btf/editor/open', { uri: 'untitled:foo' }), /not a file URI/);
  });
});

describe('editor requests over the corpus', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  let s: TestServer;
  const req = <M extends RequestMethod>(method: M, params: ParamsOf<M>) => s.client.sendRequest(method, params) as Promise<ResultOf<M>>;
  const vmlinux = pathToFileURL(join(sharedCorpus, 'vmlinux-6.1.btf')).href;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s?.close());

  test('layout tab of vmlinux-6.1 structs: pahole -C text, and holes and padding as pahole counts them', async () => {
    const ov = await req('btf/editor/open', { uri: vmlinux });
    assert.equal(ov.totalTypes, 100750);
    const goldens = readdirSync(join(golden, 'layout')).filter((f) => f.endsWith('.txt'));
    let checked = 0;
    for (const g of goldens) {
      const [block] = paholeBlocks(readFileSync(join(golden, 'layout', g), 'utf8'));
      if (!block) continue;
      const found = await req('btf/editor/rows', { doc: ov.doc, scope: 'own', name: `^${block.name}$`, regex: true, kinds: ['STRUCT'], offset: 0, limit: 10 });
      // Same-named structs: the one whose listing pahole printed.
      let match: EditorLayoutRequest.Result | undefined;
      for (const r of found.rows) {
        const l = await req('btf/editor/layout', { doc: ov.doc, id: r.id });
        if (firstDifference(judgedLines(l.text.split('\n')), judgedLines(block.lines)) === undefined) match = l;
      }
      assert.ok(match, `${block.name}: no struct laid out as pahole shows it`);
      const holes = block.lines.filter((x) => /^\t\/\* XXX \d+ bytes? hole/.test(x)).map((x) => Number(/(\d+) bytes?/.exec(x)![1]));
      assert.deepEqual(match.members.filter((m) => m.depth === 0 && m.hole > 0).map((m) => m.hole), holes, `${block.name}: holes`);
      const pad = block.lines.map((x) => /^\t\/\* padding: (\d+) \*\/$/.exec(x)).find((x) => x);
      assert.equal(match.padding, pad ? Number(pad[1]) : 0, `${block.name}: padding`);
      checked++;
    }
    assert.ok(checked >= 40, `${checked} structs`);
  });

  test('a Debian 6.1 module on vmlinux-6.1: chain, own IDs after the base, base types marked', async () => {
    const ov = await req('btf/editor/open', { uri: s.uri('modules/regmap-sdw.btf'), base: [vmlinux] });
    assert.equal(ov.ok, true, JSON.stringify(ov.problems));
    assert.deepEqual(ov.chain.map((c) => [c.firstId, c.count]), [[100751, 73], [1, 100750]]);
    const own = await req('btf/editor/rows', { doc: ov.doc, scope: 'own', offset: 0, limit: 100 });
    assert.equal(own.rows[0]!.id, 100751);
    assert.ok(own.rows.every((r) => r.level === 0));
    const withBase = await req('btf/editor/rows', { doc: ov.doc, scope: 'all', name: '^regmap$', regex: true, kinds: ['STRUCT'], offset: 0, limit: 5 });
    assert.deepEqual(withBase.rows.map((r) => r.level), [1], 'struct regmap is the base kernel\'s');
    // bpftool btf dump file regmap-sdw.btf -B vmlinux-6.1.btf (test/golden/lsp/make.sh), type by type: all 73 own types.
    const dump = rawBlocks(readFileSync(join(golden, 'lsp/regmap-sdw.raw.txt'), 'utf8'));
    assert.deepEqual(own.rows.map((r) => r.id), [...dump.keys()]);
    for (const r of own.rows) assert.equal((await req('btf/editor/typeText', { doc: ov.doc, id: r.id })).raw, dump.get(r.id), `[${r.id}]`);
  });
});
