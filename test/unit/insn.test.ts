// The instruction decoder and the llvm-objdump renderer against llvm-objdump 14's own text: the committed
// fixtures (test/golden/objdump, printed by test/fixtures/build.sh), hand-made objects for the corners
// compilers do not produce (their llvm-objdump output embedded below), and inputs nothing should throw on.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { branchTarget, decodeInsns, imm64, insnStart, nextSlot, type InsnStream } from '../../server/src/core/insn/decode';
import { formatInsn } from '../../server/src/core/insn/format';
import { OP_LD_IMM64 } from '../../server/src/core/insn/opcodes';
import { type ListingReloc, type ListingSymbol, listSection, renderFileHeader, renderSection } from '../../server/src/core/insn/objdump';
import { ByteView } from '../../server/src/core/util/bytes';
import { ProblemSink } from '../../server/src/core/util/problems';
import { fixtureObj, golden } from '../helpers/paths';
import { codeSections, objdumpText, readElf } from './insn-elf-helper';

const goldenDir = join(golden, 'objdump');
const fixtures = readdirSync(fixtureObj)
  .filter((f) => f.endsWith('.o') && existsSync(join(goldenDir, `${f}.txt`)))
  .sort();
const read = (f: string) => new Uint8Array(readFileSync(join(fixtureObj, f)));

/** The name llvm-objdump printed for the file (the path build.sh gave it), from the golden's header line. */
function printedName(text: string): string {
  const m = /^\n(.*):\tfile format elf64-bpf\n/.exec(text);
  assert.ok(m, 'golden starts with the file header');
  return m[1]!;
}

/** llvm-objdump --no-show-raw-insn output from the default one: the same lines without the bytes column. */
function withoutRawBytes(text: string): string {
  return text.replace(/^( *\d+:)\t[0-9a-f]{2}(?: [0-9a-f]{2})*\t/gm, '$1\t');
}

describe('llvm-objdump -d -r of the committed fixtures', () => {
  it('has fixtures with objdump goldens to compare against', () => {
    assert.ok(fixtures.length >= 10, `only ${fixtures.length} fixtures with goldens`);
  });
  for (const f of fixtures) {
    it(`${f}: --no-show-raw-insn and raw output equal llvm-objdump's`, () => {
      const bytes = read(f);
      const plain = readFileSync(join(goldenDir, `${f}.txt`), 'utf8');
      assert.equal(objdumpText(printedName(plain), bytes, { rawInsn: false }), plain);
      const raw = readFileSync(join(goldenDir, `${f}.raw.txt`), 'utf8');
      assert.equal(objdumpText(printedName(raw), bytes), raw);
    });
  }
});

describe('listSection: llvm-objdump\'s lines with their kind and slot', () => {
  // The server takes instructions and their relocations by these fields, not by parsing the text.
  for (const f of fixtures.slice(0, 6)) {
    it(`${f}: the lines join to llvm-objdump's text; its instruction and relocation lines say so, with their address`, () => {
      const plain = readFileSync(join(goldenDir, `${f}.txt`), 'utf8');
      const elf = readElf(read(f));
      const tagged: { kind: string; slot?: number; line: string }[] = [];
      let text = renderFileHeader(printedName(plain));
      for (const sec of codeSections(elf)) {
        for (const l of listSection(sec, { rawInsn: false })) {
          text += l.text;
          const parts = l.text.split('\n').slice(0, -1);
          for (const line of parts) tagged.push({ kind: l.kind, slot: l.slot, line });
        }
      }
      assert.equal(text, plain);
      let insns = 0;
      let relocs = 0;
      for (const t of tagged) {
        const m = /^ *(\d+):\t/.exec(t.line);
        if (m) {
          insns++;
          assert.deepEqual([t.kind, t.slot], ['insn', Number(m[1])], t.line);
        } else if (/^\t\t[0-9a-f]{16}:  \S+\t/.test(t.line)) {
          relocs++;
          assert.equal(t.kind, 'reloc', t.line);
        } else {
          assert.notEqual(t.kind, 'insn', t.line);
          assert.notEqual(t.kind, 'reloc', t.line);
        }
      }
      assert.ok(insns > 0);
      if (/R_BPF/.test(plain)) assert.ok(relocs > 0);
    });
  }
});

/** Objects written byte by byte (a python ELF writer) with their llvm-objdump 14 -d -r output. */
const SYNTHETIC: { name: string; what: string; elf: string; objdump: string; withoutRelocs?: string }[] = [
  {
    name: 's1.o',
    what: 'ties at one address, a dummy symbol for the section, relocations of unknown type, against *ABS* and a section symbol, past the end, and one that keeps zeros from being skipped',
    elf:
      'f0VMRgIBAQAAAAAAAAAAAAEA9wABAAAAAAAAAAAAAAAAAAAAAAAAAOABAAAAAAAAAAAAAEAAAAAAAEAABwAGALcBAAABAAAABQABAAAA' +
      'AAAFAAAAAAAAAAAAAAAAAAAAtwEAAAEAAAAAAAAAAAAAAAgAAAAAAAAACgAAAAEAAAAIAAAAAAAAAAEAAAACAAAAEAAAAAAAAAABAAAA' +
      'AAAAABQAAAAAAAAAYwAAAAcAAAAYAAAAAAAAAAIAAAADAAAAyAAAAAAAAAADAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEA' +
      'AAAAAAEACAAAAAAAAAAAAAAAAAAAAAQAAAADAAEAAAAAAAAAAAAAAAAAAAAAAAcAAAADAAIAAAAAAAAAAAAAAAAAAAAAAAwAAAASAAEA' +
      'CAAAAAAAAAAAAAAAAAAAAA8AAAAQAAEACAAAAAAAAAAAAAAAAAAAABIAAAASAAEAZAAAAAAAAAAAAAAAAAAAABcAAAAQAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAAB6egB4eABkc2VjAGFhAGJiAGxhdGUAZXh0AAAAAAAAAHh4AC5kYXRhAC5yZWx4eAAuc3ltdGFiAC5zdHJ0YWIALnNo' +
      'c3RydGFiAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEA' +
      'AAABAAAABgAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAKAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAEAAAAAQAAAAMAAAAAAAAA' +
      'AAAAAAAAAABoAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAACgAAAAkAAABAAAAAAAAAAAAAAAAAAAAAcAAAAAAA' +
      'AABgAAAAAAAAAAQAAAABAAAACAAAAAAAAAAQAAAAAAAAABEAAAACAAAAAAAAAAAAAAAAAAAAAAAAANAAAAAAAAAAwAAAAAAAAAAFAAAA' +
      'BAAAAAgAAAAAAAAAGAAAAAAAAAAZAAAAAwAAAAAAAAAAAAAAAAAAAAAAAACQAQAAAAAAABsAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAA' +
      'AAAAAAAAIQAAAAMAAAAAAAAAAAAAAAAAAAAAAAAAsAEAAAAAAAArAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAA==',
    objdump: `
s1.o:\tfile format elf64-bpf

Disassembly of section xx:

0000000000000000 <xx>:
       0:\tb7 01 00 00 01 00 00 00\tr1 = 1

0000000000000008 <zz>:
       1:\t05 00 01 00 00 00 00 00\tgoto +1 <zz+0x10>
\t\t0000000000000008:  R_BPF_64_32\tzz
\t\t0000000000000008:  R_BPF_64_64\txx
       2:\t05 00 00 00 00 00 00 00\tgoto +0 <zz+0x10>
\t\t0000000000000010:  R_BPF_64_64\t*ABS*
\t\t0000000000000014:  Unknown\text
       3:\t00 00 00 00 00 00 00 00\t<unknown>
\t\t0000000000000018:  R_BPF_64_ABS64\t.data
       4:\tb7 01 00 00 01 00 00 00\tr1 = 1
`,
    withoutRelocs: `
s1.o:\tfile format elf64-bpf

Disassembly of section xx:

0000000000000000 <xx>:
       0:\tb7 01 00 00 01 00 00 00\tr1 = 1

0000000000000008 <zz>:
       1:\t05 00 01 00 00 00 00 00\tgoto +1 <zz+0x10>
       2:\t05 00 00 00 00 00 00 00\tgoto +0 <zz+0x10>
\t\t...
       4:\tb7 01 00 00 01 00 00 00\tr1 = 1
`,
  },
  {
    name: 's2.o',
    what: 'an ld_imm64 running into the next chunk, an STT_OBJECT chunk dumped as data, an STT_COMMON symbol placed at its st_size, bytes past the last whole slot',
    elf:
      'f0VMRgIBAQAAAAAAAAAAAAEA9wABAAAAAAAAAAAAAAAAAAAAAAAAAIABAAAAAAAAAAAAAEAAAAAAAEAABgAFABgBAAAAAAAAAAAAAAAA' +
      'AAC3AQAAQUJDAJUAAACVGAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJUAAAAAAAAAGAEAAAAAAAAAFAAAAAAAAAABAAAA' +
      'AQAAACgAAAAAAAAAAQAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAgABAAAAAAAAAAAAAAAAAAAAAAADAAAAAAABAAgA' +
      'AAAAAAAAAAAAAAAAAAAHAAAAAQABABAAAAAAAAAAAAAAAAAAAAALAAAABQABAB0AAAAAAAAAAAAAAAAAAAAPAAAAAgABAB4AAAAAAAAA' +
      'AAAAAAAAAAAAZgBtaWQAb2JqAGNvbQBnAAAAAAAAAAAAeHgALnJlbHh4AC5zeW10YWIALnN0cnRhYgAuc2hzdHJ0YWIAAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAABAAAABgAAAAAAAAAAAAAA' +
      'AAAAAEAAAAAAAAAASgAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAEAAAACQAAAEAAAAAAAAAAAAAAAAAAAACQAAAAAAAAACAA' +
      'AAAAAAAAAwAAAAEAAAAIAAAAAAAAABAAAAAAAAAACwAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAsAAAAAAAAACQAAAAAAAAAAQAAAAGAAAA' +
      'CAAAAAAAAAAYAAAAAAAAABMAAAADAAAAAAAAAAAAAAAAAAAAAAAAAEABAAAAAAAAEQAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAA' +
      'AAAbAAAAAwAAAAAAAAAAAAAAAAAAAAAAAABYAQAAAAAAACUAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAA',
    objdump: `
s2.o:\tfile format elf64-bpf

Disassembly of section xx:

0000000000000000 <f>:
       0:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0 ll

0000000000000008 <mid>:
\t\t...

0000000000000010 <obj>:
      10: b7 01 00 00 41 42 43 00         ....ABC.
      18: 95 00 00 00 95 18               ......

000000000000001e <g>:
       3:\t01 00 00 00 00 00 00 00\t<unknown>
\t\t0000000000000014:  R_BPF_64_64\tf
       4:\t00 00 00 00 00 00 00 00\t<unknown>
\t\t0000000000000028:  R_BPF_64_64\tf
\t\t...
       7:\t00 95 00 00 00 00 00 00\t<unknown>
       8:\t00\t<unknown>
       8:\t18\t<unknown>
       9:\t01\t<unknown>
       9:\t00\t<unknown>
`,
  },
  {
    name: 's3.o',
    what: 'big-endian: a zero skip resuming mid-slot, jumps wrapping below 0 and past the end, a symbol past the end, be16, cmpxchg',
    elf:
      'f0VMRgICAQAAAAAAAAAAAAABAPcAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGYAAAAAABAAAAAAABAAAcABrcQAAAAAAAHBQD//QAA' +
      'AAAAAAAAAAAAAAAAAAAVEAABAAAAAxggAAD/////AAAAAP////8FAAAoAAAAANwQAAAAAAAQ2yP/+AAAAPGVAAAAAAAAAAAAAAAAAAAA' +
      'AGESAAECAAAAAAAAAAAAAAAAACQAAAACAAAAAQAAAAAAAAAIAAAAAwAAAAoAAAAAAAAAEAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAQAAAAEAAAAAAAAAFAAAAAAAAAAAAAAACAMAAAIAAAAAAAAAAAAAAAAAAAAAAAAACxIAAAEAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAEBIAAAEAAAAAAAAQAAAAAAAAAAAAAExCQjBfMwBybwBwcm9nAGxhdGUAAAAAAHRjAC5yb2RhdGEALnJlbHRjAC5zeW10YWIALnN0' +
      'cnRhYgAuc2hzdHJ0YWIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAAAEAAAABAAAAAAAAAAYAAAAAAAAAAAAAAAAAAABAAAAAAAAAAF8AAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAEAAAAAQAA' +
      'AAAAAAACAAAAAAAAAAAAAAAAAAAAoAAAAAAAAAACAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAADAAAAAkAAAAAAAAAQAAAAAAAAAAA' +
      'AAAAAAAAAKgAAAAAAAAAMAAAAAQAAAABAAAAAAAAAAgAAAAAAAAAEAAAABMAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADYAAAAAAAA' +
      'AHgAAAAFAAAAAwAAAAAAAAAIAAAAAAAAABgAAAAbAAAAAwAAAAAAAAAAAAAAAAAAAAAAAAAAAAABUAAAAAAAAAAVAAAAAAAAAAAAAAAA' +
      'AAAAAQAAAAAAAAAAAAAAIwAAAAMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAWgAAAAAAAAALQAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAA==',
    objdump: `
s3.o:\tfile format elf64-bpf

Disassembly of section tc:

0000000000000000 <prog>:
       0:\tb7 10 00 00 00 00 00 07\tr1 = 7
       1:\t05 00 ff fd 00 00 00 00\tgoto -3 <late+0xffffffffffffeff8>
\t\t0000000000000008:  R_BPF_64_32\tprog
       2:\t00 00 00 00 00 00 00 00\t<unknown>
\t\t0000000000000010:  R_BPF_64_NODYLD32\t*ABS*

0000000000000014 <LBB0_3>:
\t\t...
       3:\t15 10 00 01 00 00 00 03\tif r1 == 3 goto +1 <LBB0_3+0x18>
       4:\t18 20 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff\tr2 = -1 ll
\t\t0000000000000024:  R_BPF_64_64\t.rodata
       6:\t05 00 00 28 00 00 00 00\tgoto +40 <LBB0_3+0x168>
       7:\tdc 10 00 00 00 00 00 10\tr1 = be16 r1
       8:\tdb 23 ff f8 00 00 00 f1\tr0 = cmpxchg_64(r2 - 8, r0, r3)
       9:\t95 00 00 00 00 00 00 00\texit
\t\t...
      11:\t00\t<unknown>
      11:\t61\t<unknown>
      11:\t12\t<unknown>
`,
  },
  {
    name: 's4.o',
    what: 'no symbols at all; zero runs of 7, 8, 12, 15, 16, 20 and 9 bytes (skipped 4 bytes at a time, so decoding resumes mid-slot)',
    elf:
      'f0VMRgIBAQAAAAAAAAAAAAEA9wABAAAAAAAAAAAAAAAAAAAAAAAAACABAAAAAAAAAAAAAEAAAAAAAEAABQAEAJUAAAAAAAAAAAAAAAAA' +
      'AJUAAAAAAAAAAAAAAAAAAACVAAAAAAAAAAAAAAAAAAAAAAAAAJUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlQAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAlQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJUAAAAAAAAAAAAAAAAAAAAAlQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAAAAAAAAc29ja2V0AC5zeW10YWIALnN0cnRhYgAuc2hzdHJ0YWIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAABAAAABgAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAlwAAAAAA' +
      'AAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAIAAAAAgAAAAAAAAAAAAAAAAAAAAAAAADYAAAAAAAAABgAAAAAAAAAAwAAAAEAAAAIAAAA' +
      'AAAAABgAAAAAAAAAEAAAAAMAAAAAAAAAAAAAAAAAAAAAAAAA8AAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAABgA' +
      'AAADAAAAAAAAAAAAAAAAAAAAAAAAAPgAAAAAAAAAIgAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAA=',
    objdump: `
s4.o:\tfile format elf64-bpf

Disassembly of section socket:

0000000000000000 <socket>:
       0:\t95 00 00 00 00 00 00 00\texit
       1:\t00 00 00 00 00 00 00 95\t<unknown>
\t\t...
       3:\t00 00 00 95 00 00 00 00\t<unknown>
\t\t...
       6:\t00 00 00 95 00 00 00 00\t<unknown>
\t\t...
       9:\t00 00 95 00 00 00 00 00\t<unknown>
\t\t...
      12:\t00 00 95 00 00 00 00 00\t<unknown>
\t\t...
      15:\t00 00 95 00 00 00 00 00\t<unknown>
\t\t...
      17:\t00 00 00 95 00 00 00 00\t<unknown>
      18:\t00\t<unknown>
      18:\t00\t<unknown>
      18:\t00\t<unknown>
`,
  },
];

describe('llvm-objdump layout rules, on hand-made objects', () => {
  for (const c of SYNTHETIC) {
    it(`${c.name}: ${c.what}`, () => {
      const bytes = new Uint8Array(Buffer.from(c.elf, 'base64'));
      assert.equal(objdumpText(c.name, bytes), c.objdump);
      assert.equal(objdumpText(c.name, bytes, { rawInsn: false }), withoutRawBytes(c.objdump));
      if (c.withoutRelocs) assert.equal(objdumpText(c.name, bytes, { relocs: false }), c.withoutRelocs);
    });
  }

  it('prints nothing for an empty section, and a dummy symbol when none but section symbols are at 0', () => {
    assert.equal(renderSection({ name: 'e', bytes: new Uint8Array(0), littleEndian: true }), '');
    const exit = Uint8Array.of(0x95, 0, 0, 0, 0, 0, 0, 0);
    const symbols = [
      { name: 'zsec', value: 0, type: 3 }, // STT_SECTION, even when named, is not a label
      { name: 'late', value: 8, type: 2 },
    ];
    assert.equal(
      renderSection({ name: 'x', bytes: exit, littleEndian: true, symbols }, { rawInsn: false }),
      '\nDisassembly of section x:\n\n0000000000000000 <x>:\n       0:\texit\n',
    );
  });
});

/** The 8 bytes of a slot as the decoded fields say they were laid out. */
function encodeSlot(s: InsnStream, i: number): number[] {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = s.code[i]!;
  b[1] = s.littleEndian ? (s.src[i]! << 4) | s.dst[i]! : (s.dst[i]! << 4) | s.src[i]!;
  dv.setInt16(2, s.off[i]!, s.littleEndian);
  dv.setInt32(4, s.imm[i]!, s.littleEndian);
  return [...b];
}

/** The same instructions in the other byte order: fields swapped, register nibbles exchanged. */
function flipByteOrder(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let p = 0; p + 8 <= bytes.length; p += 8) {
    out[p] = bytes[p]!;
    out[p + 1] = ((bytes[p + 1]! & 0xf) << 4) | (bytes[p + 1]! >> 4);
    out[p + 2] = bytes[p + 3]!;
    out[p + 3] = bytes[p + 2]!;
    for (let k = 0; k < 4; k++) out[p + 4 + k] = bytes[p + 7 - k]!;
  }
  return out;
}

/** Slot indices llvm-objdump lists per code section (the address column), from a golden. */
function goldenSlots(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let cur: number[] | undefined;
  for (const line of text.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec) out.set(sec[1]!, (cur = []));
    const insn = /^ *(\d+):\t/.exec(line);
    if (insn && cur) cur.push(Number(insn[1]));
  }
  return out;
}

describe('decodeInsns', () => {
  it('takes every field of every slot of every fixture code section from the right bytes and nibbles', () => {
    let slots = 0;
    for (const f of fixtures) {
      const elf = readElf(read(f));
      for (const sec of codeSections(elf)) {
        const s = decodeInsns(sec.bytes, elf.littleEndian);
        assert.equal(s.slots, sec.bytes.length / 8, `${f} ${sec.name}`);
        assert.deepEqual(s.problems, [], `${f} ${sec.name}`);
        for (let i = 0; i < s.slots; i++) assert.deepEqual(encodeSlot(s, i), [...sec.bytes.subarray(i * 8, i * 8 + 8)]);
        slots += s.slots;
      }
    }
    assert.ok(slots > 1000, `${slots} slots`);
  });

  it('finds the instructions llvm-objdump lists, with ld_imm64 counted as two slots', () => {
    let compared = 0;
    for (const f of fixtures) {
      const elf = readElf(read(f));
      const listed = goldenSlots(readFileSync(join(goldenDir, `${f}.txt`), 'utf8'));
      for (const sec of codeSections(elf)) {
        const s = decodeInsns(sec.bytes, elf.littleEndian);
        const starts: number[] = [];
        for (let i = 0; i < s.slots; i = nextSlot(s, i)) starts.push(i);
        assert.equal(starts.length, s.count);
        assert.deepEqual(starts, listed.get(sec.name) ?? [], `${f} ${sec.name}`); // an empty section is not listed
        compared += starts.length;
      }
    }
    assert.ok(compared > 1000);
  });

  it('decodes a big-endian stream to the fields of its little-endian image', () => {
    for (const f of fixtures.filter((x) => x.includes('bpfel'))) {
      for (const sec of codeSections(readElf(read(f)))) {
        const le = decodeInsns(sec.bytes, true);
        const be = decodeInsns(flipByteOrder(sec.bytes), false);
        for (const k of ['code', 'dst', 'src', 'off', 'imm', 'width'] as const) assert.deepEqual(be[k], le[k], `${f} ${sec.name} ${k}`);
      }
    }
  });

  it('joins the two halves of ld_imm64 into one 64-bit immediate, as llvm-objdump prints it', () => {
    let seen = 0;
    for (const f of fixtures) {
      const elf = readElf(read(f));
      for (const sec of codeSections(elf)) {
        const s = decodeInsns(sec.bytes, elf.littleEndian);
        const view = new ByteView(sec.bytes, elf.littleEndian);
        for (let i = 0; i < s.slots; i = nextSlot(s, i)) {
          if (s.code[i] !== OP_LD_IMM64) continue;
          assert.equal(s.width[i], 2);
          assert.equal(s.width[i + 1], 0);
          assert.equal(insnStart(s, i + 1), i);
          if (s.src[i] === 0) {
            assert.equal(formatInsn(view, i * 8).text, `r${s.dst[i]} = ${BigInt.asIntN(64, imm64(s, i)!)} ll`);
            seen++;
          }
        }
      }
    }
    assert.ok(seen > 10);
    // Both halves count: 0x00000007_fffffffe.
    const b = Uint8Array.of(0x18, 0x21, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 7, 0, 0, 0);
    const s = decodeInsns(b, true);
    assert.deepEqual([s.slots, s.count, s.dst[0], s.src[0], imm64(s, 0)], [2, 1, 1, 2, 0x7_ffff_fffen]);
    assert.equal(imm64(s, 1), undefined);
  });

  it('gives jump and BPF-to-BPF call targets in slots, gotol from imm', () => {
    const insns = [
      [0x05, 0x00, 2, 0], // 0: goto +2 -> 3
      [0x1d, 0x21, -2, 0], // 1: if r1 == r2 goto -2 -> 0
      [0x85, 0x10, 0, -3], // 2: call -3 (pseudo call) -> 0
      [0x85, 0x00, 0, 14], // 3: call 14 (helper): no target
      [0x85, 0x20, 0, 1234], // 4: kfunc: no target
      [0x06, 0x00, 0, 100_000], // 5: gotol +100000
      [0x95, 0, 0, 0], // 6: exit
    ] as const;
    const b = new Uint8Array(insns.length * 8);
    const dv = new DataView(b.buffer);
    insns.forEach(([op, regs, off, imm], i) => {
      b[i * 8] = op;
      b[i * 8 + 1] = regs;
      dv.setInt16(i * 8 + 2, off, true);
      dv.setInt32(i * 8 + 4, imm, true);
    });
    const s = decodeInsns(b, true);
    assert.deepEqual([...Array(s.slots).keys()].map((i) => branchTarget(s, i)), [3, 0, 0, undefined, undefined, 100_006, undefined]);
  });

  it('reports a trailing partial slot and a cut-off ld_imm64, and decodes what is there', () => {
    const exit = [0x95, 0, 0, 0, 0, 0, 0, 0];
    const partial = decodeInsns(Uint8Array.from([...exit, 0x95, 0, 0]), true);
    assert.deepEqual([partial.slots, partial.count, partial.code[0]], [1, 1, 0x95]);
    assert.deepEqual(partial.problems.map((p) => [p.offset, p.severity]), [[8, 'error']]);
    assert.match(partial.problems[0]!.message, /not a multiple of 8: the last 3 bytes are not/);

    const cut = decodeInsns(Uint8Array.from([...exit, 0x18, 0x01, 0, 0, 1, 0, 0, 0]), true);
    assert.deepEqual([cut.slots, cut.count, cut.width[1], imm64(cut, 1)], [2, 2, 1, undefined]);
    assert.deepEqual(cut.problems.map((p) => [p.offset, p.severity]), [[8, 'error']]);
    assert.match(cut.problems[0]!.message, /ld_imm64 at slot 1 is cut off/);
  });

  it('warns once about opcodes no kernel accepts and about a dirty second half of ld_imm64', () => {
    const b = Uint8Array.of(
      0x18, 0x01, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0, // second half has code 0x07
      0xff, 0, 0, 0, 0, 0, 0, 0,
      0x8f, 0, 0, 0, 0, 0, 0, 0, // NEG with the X bit
    );
    const sink = new ProblemSink().at(0x100);
    const s = decodeInsns(b, true, sink);
    assert.equal(s.count, 3);
    assert.deepEqual(s.problems.map((p) => [p.offset, p.severity]), [[0x108, 'warning'], [0x110, 'warning']]);
    assert.match(s.problems[1]!.message, /unknown opcode 0xff at slot 2 \(2 slots in all\)/);
    assert.equal(sink.problems.length, 2);
  });
});

/** Deterministic xorshift32: the same "random" inputs on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function checkStream(s: InsnStream, length: number): void {
  assert.equal(s.slots, Math.floor(length / 8));
  let count = 0;
  for (let i = 0; i < s.slots; i++) {
    const w = s.width[i]!;
    if (w !== 0) count++;
    if (w === 2) assert.equal(s.width[i + 1], 0);
    if (w === 0) assert.equal(s.width[i - 1], 2);
  }
  assert.equal(s.count, count);
  assert.equal(length % 8 !== 0, s.problems.some((p) => /not a multiple of 8/.test(p.message)));
}

describe('robustness: nothing throws', () => {
  it('decodes and renders every truncation of real code sections', () => {
    for (const f of ['progs.bpfel.o', 'progs.bpfeb.o', 'core.bpfel.o'].filter((x) => fixtures.includes(x))) {
      const elf = readElf(read(f));
      for (const sec of codeSections(elf).slice(0, 3)) {
        for (let n = 0; n <= Math.min(sec.bytes.length, 1200); n++) {
          const bytes = sec.bytes.subarray(0, n);
          const s = decodeInsns(bytes, elf.littleEndian);
          checkStream(s, n);
          const last = s.slots - 1;
          const cut = last >= 0 && s.code[last] === OP_LD_IMM64 && s.width[last] === 1;
          assert.equal(cut, s.problems.some((p) => /cut off/.test(p.message)));
          const text = renderSection({ ...sec, bytes });
          if (n > 0) assert.ok(text.startsWith(`\nDisassembly of section ${sec.name}:\n`));
        }
      }
    }
  });

  it('decodes, formats at every byte offset and renders random bytes with random symbols and relocations', () => {
    const next = rng(0x5eed);
    for (let round = 0; round < 400; round++) {
      const n = next() % 200;
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        // Mostly zeros and ld_imm64 opcodes, the bytes that steer the lister.
        const r = next() % 8;
        bytes[i] = r < 3 ? 0 : r === 3 ? OP_LD_IMM64 : next() & 0xff;
      }
      const littleEndian = (next() & 1) === 0;
      checkStream(decodeInsns(bytes, littleEndian), n);
      const view = new ByteView(bytes, littleEndian);
      for (let p = 0; p <= n + 1; p++) {
        formatInsn(view, p, 'llvm14');
        formatInsn(view, p, 'modern');
      }
      const symbols: ListingSymbol[] = [];
      for (let k = next() % 5; k > 0; k--) {
        const v = next() % 4 === 0 ? 2n ** 64n - BigInt(next() % 64) : BigInt(next() % (n + 24));
        symbols.push({ name: ['a', 'b', '', 'a'][next() % 4]!, value: v, type: next() % 7, size: next() % 32 });
      }
      const relocations: ListingReloc[] = [];
      for (let k = next() % 5; k > 0; k--) relocations.push({ offset: next() % (n + 16), type: 'R_BPF_64_64', target: 'x' });
      for (const rawInsn of [true, false]) {
        const text = renderSection({ name: 's', bytes, littleEndian, symbols, relocations }, { rawInsn, dialect: round % 2 ? 'modern' : 'llvm14' });
        assert.equal(typeof text, 'string');
      }
    }
  });
});
