/**
 * The TextMate grammars in syntaxes/ against the text they are for, tokenized as VS Code does
 * (vscode-textmate + the oniguruma regex engine): the server's disassembly documents and hover fences
 * (llvm-objdump's lines), bpftool's raw dump (the golden), and the type documents (C with offsets).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeLens, Hover } from 'vscode-languageserver/node';
import { OnigScanner, OnigString, loadWASM } from 'vscode-oniguruma';
import { INITIAL, type IGrammar, Registry, parseRawGrammar } from 'vscode-textmate';
import { golden, repoRoot } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const grammarFiles: Record<string, string> = {
  'source.bpf-asm': 'syntaxes/bpf-asm.tmLanguage.json',
  'source.btf-raw': 'syntaxes/btf-raw.tmLanguage.json',
  'source.btf-c': 'syntaxes/btf-c.tmLanguage.json',
};

let registry: Registry;
async function grammar(scope: string): Promise<IGrammar> {
  if (!registry) {
    const wasm = readFileSync(createRequire(__filename).resolve('vscode-oniguruma/release/onig.wasm'));
    await loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new OnigScanner(p), createOnigString: (s: string) => new OnigString(s) }),
      // source.c (included by btf-c for plain C) is VS Code's own grammar: absent here, so only our rules apply.
      loadGrammar: async (s: string) => {
        const rel = grammarFiles[s];
        return rel ? parseRawGrammar(readFileSync(join(repoRoot, rel), 'utf8'), join(repoRoot, rel)) : null;
      },
    });
  }
  const g = await registry.loadGrammar(scope);
  assert.ok(g, scope);
  return g;
}

/** Each line's tokens that carry a scope of their own: `text=innermost scopes` (the root scope dropped). */
function tokenize(g: IGrammar, text: string): string[][] {
  let stack = INITIAL;
  return text.split('\n').map((line) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens
      .filter((t) => t.scopes.length > 1)
      .map((t) => `${line.slice(t.startIndex, t.endIndex)}=${t.scopes.slice(1).join(' ')}`);
  });
}

describe('syntaxes/ grammars on the text they colour', () => {
  let s: TestServer;
  let asm: IGrammar;
  before(async () => {
    s = await startTestServer();
    asm = await grammar('source.bpf-asm');
  });
  after(() => s.close());

  test('bpf-asm: a function disassembly document, line by line', async () => {
    const lenses = (await s.client.sendRequest('textDocument/codeLens', { textDocument: { uri: s.uri('src/core.c') } })) as CodeLens[];
    const lens = lenses.find((l) => l.command!.title.startsWith('kprobe/tcp_connect') && l.command!.title.endsWith('core.bpfel.o'))!;
    const doc = ((await s.client.sendRequest('btf/document', { uri: lens.command!.arguments![0] })) as { text: string }).text;
    const lines = doc.split('\n');
    const toks = tokenize(asm, doc);
    const at = (text: string) => {
      const i = lines.indexOf(text);
      assert.ok(i >= 0, `no line ${JSON.stringify(text)}`);
      return toks[i];
    };
    assert.deepEqual(toks[0], ['; core_reads · kprobe/tcp_connect · build/core.bpfel.o=comment.line.semicolon.bpf-asm']);
    assert.deepEqual(at('      12:\tr1 = 8'), [
      '12=constant.numeric.slot.bpf-asm', ':=punctuation.separator.bpf-asm', 'r1=variable.language.register.bpf-asm', '8=constant.numeric.bpf-asm',
    ]);
    assert.deepEqual(at('\t\t; CO-RE <byte_off> [22] struct task_struct.pid (0:2 @ offset 8)'), [
      ';=comment.line.bpf-asm punctuation.definition.comment.bpf-asm', 'CO-RE=keyword.other.core.bpf-asm',
      '<byte_off>=entity.name.tag.relo-kind.bpf-asm', ' [22] struct task_struct.pid (0:2 @ offset 8)=string.unquoted.core-spec.bpf-asm',
    ]);
    assert.deepEqual(at('      18:\tcall 113'), [
      '18=constant.numeric.slot.bpf-asm', ':=punctuation.separator.bpf-asm', 'call=keyword.control.bpf-asm', '113=constant.numeric.bpf-asm',
    ]);
    assert.deepEqual(at('      19:\tr1 = *(u32 *)(r10 - 16)'), [
      '19=constant.numeric.slot.bpf-asm', ':=punctuation.separator.bpf-asm', 'r1=variable.language.register.bpf-asm',
      '(u32 *)=storage.type.size.bpf-asm', 'r10=variable.language.register.bpf-asm', '16=constant.numeric.bpf-asm',
    ]);
    const src = lines.findIndex((l) => l.startsWith('; ./src/core.c:138'));
    assert.deepEqual(toks[src], [`${lines[src]}=comment.line.semicolon.bpf-asm`]);
  });

  test('bpf-asm: every line of llvm-objdump -d -r (the golden) gets its slot, relocation or label scoped', async () => {
    const text = readFileSync(join(golden, 'objdump/core.bpfel.o.txt'), 'utf8');
    const lines = text.split('\n');
    const toks = tokenize(asm, text);
    let insns = 0;
    let relocs = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^ *\d+:\t/.test(l)) {
        insns++;
        assert.match(toks[i]![0]!, /^\d+=constant\.numeric\.slot\.bpf-asm$/, l);
      } else if (/^\t\t[0-9a-f]{16}:/.test(l)) {
        relocs++;
        assert.deepEqual(toks[i]!.map((t) => t.slice(t.lastIndexOf('=') + 1)), ['constant.numeric.address.bpf-asm', 'storage.type.reloc.bpf-asm', 'variable.other.symbol.bpf-asm'], l);
      } else if (/^[0-9a-f]{16} </.test(l)) {
        assert.deepEqual(toks[i], [`${l}=entity.name.function.bpf-asm`]);
      }
      // Registers are never numbers: r10 is one token.
      for (const t of toks[i]!) assert.ok(!/^r\d+=constant/.test(t), `${l}: ${t}`);
    }
    assert.ok(insns > 200 && relocs > 3, `${insns} ${relocs}`);
  });

  test('bpf-asm: a hover fence, with its "… N more" line', async () => {
    const path = s.path('src/core.c');
    const line = readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes('o->pid = BPF_CORE_READ(t, pid);'));
    const h = (await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri('src/core.c') }, position: { line, character: 1 } })) as Hover;
    const fence = /```bpf-asm\n([\s\S]*?)\n```/.exec((h.contents as { value: string }).value)![1]!;
    const toks = tokenize(asm, fence);
    assert.deepEqual(toks[toks.length - 1], ['… 1 more=comment.line.more.bpf-asm']);
    assert.deepEqual(toks[6], [
      '22=constant.numeric.slot.bpf-asm', ':=punctuation.separator.bpf-asm', 'r8=variable.language.register.bpf-asm', 'r9=variable.language.register.bpf-asm',
    ]);
  });

  test('btf-raw: bpftool btf dump (the golden) — every type line and every type reference', async () => {
    const g = await grammar('source.btf-raw');
    const text = readFileSync(join(golden, 'raw/core.bpfel.o.txt'), 'utf8');
    const lines = text.split('\n');
    const toks = tokenize(g, text);
    const i = lines.indexOf("[22] STRUCT 'task_struct' size=56 vlen=9");
    assert.deepEqual(toks[i], [
      '22=constant.numeric.type-id.btf-raw', 'STRUCT=storage.type.kind.btf-raw', "'task_struct'=entity.name.type.btf-raw",
      'size=variable.parameter.key.btf-raw', '56=constant.numeric.btf-raw', 'vlen=variable.parameter.key.btf-raw', '9=constant.numeric.btf-raw',
    ]);
    assert.deepEqual(toks[i + 3], [
      "'pid'=variable.other.member.btf-raw", 'type_id=variable.parameter.key.btf-raw', '2=markup.underline.link.type-ref.btf-raw',
      'bits_offset=variable.parameter.key.btf-raw', '64=constant.numeric.btf-raw',
    ]);
    let types = 0;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      if (/^\[\d+\] /.test(l)) {
        types++;
        assert.match(toks[k]!.join('|'), /^\d+=constant\.numeric\.type-id\.btf-raw\|[A-Z_0-9]+=storage\.type\.kind\.btf-raw\|'[^']*'=entity\.name\.type\.btf-raw/, l);
      }
      const refs = l.match(/\b(type_id|ret_type_id|index_type_id)=\d+/g) ?? [];
      assert.equal(toks[k]!.filter((t) => t.endsWith('=markup.underline.link.type-ref.btf-raw')).length, refs.length, l);
    }
    assert.equal(types, 66); // bpftool printed 66 types
  });

  test('btf-c: a type document — header comment and layout comments', async () => {
    const g = await grammar('source.btf-c');
    const uri = `btf-lens://${s.path('build/core.bpfel.o').split('/').map(encodeURIComponent).join('/')}/@22/${encodeURIComponent('struct task_struct')}.btf.h`;
    const doc = ((await s.client.sendRequest('btf/document', { uri })) as { text: string }).text;
    const lines = doc.split('\n');
    const toks = tokenize(g, doc);
    assert.deepEqual(toks[0], [
      '/*=comment.block.btf-c punctuation.definition.comment.begin.btf-c', '22=constant.numeric.type-id.btf-c', 'STRUCT=storage.type.kind.btf-c',
      "'task_struct'=entity.name.type.btf-c", ' · build/core.bpfel.o =comment.block.btf-c', '*/=comment.block.btf-c punctuation.definition.comment.end.btf-c',
    ]);
    const pid = lines.findIndex((l) => /\bint pid;/.test(l));
    assert.equal(lines[pid], '\tint pid;                         /* off: 8 (bit 64), size: 4 */');
    assert.deepEqual(toks[pid], [
      '/*=comment.block.layout.btf-c', ' =comment.block.layout.btf-c', 'off=comment.block.layout.btf-c keyword.other.layout.btf-c', ': =comment.block.layout.btf-c',
      '8=comment.block.layout.btf-c constant.numeric.btf-c', ' (=comment.block.layout.btf-c', 'bit=comment.block.layout.btf-c keyword.other.layout.btf-c',
      ' =comment.block.layout.btf-c', '64=comment.block.layout.btf-c constant.numeric.btf-c', '), =comment.block.layout.btf-c',
      'size=comment.block.layout.btf-c keyword.other.layout.btf-c', ': =comment.block.layout.btf-c', '4=comment.block.layout.btf-c constant.numeric.btf-c',
      ' =comment.block.layout.btf-c', '*/=comment.block.layout.btf-c',
    ]);
  });
});
