// Compares `btf-lens disasm` with `llvm-objdump -d -r` (LLVM 14) for every .o in the given directories:
//  --objdump output must equal llvm-objdump's byte for byte, and the annotated output with its `;` lines
//  deleted must equal it too. Both with and without --no-show-raw-insn.
// Usage: npx tsx scripts/check-disasm.ts DIR...   (e.g. /work/selftests/bpfel /work/selftests/bpfeb test/fixtures/obj)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBtfBytes } from '../server/src/core/input';
import { disasmObject } from '../server/src/core/object/disasm';

const OBJDUMP = process.env.LLVM_OBJDUMP ?? 'llvm-objdump';
const stripNotes = (t: string) => t.replace(/^;.*\n/gm, '');
let same = 0, notes = 0;
const diff: string[] = [];
for (const dir of process.argv.slice(2)) {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.o')).sort()) {
    const p = join(dir, f);
    const input = openBtfBytes(new Uint8Array(readFileSync(p)), { file: p });
    if (!input.elf?.isBpf) continue;
    let ok = true;
    for (const rawInsn of [true, false]) {
      const args = ['-d', '-r', ...(rawInsn ? [] : ['--no-show-raw-insn']), p];
      const theirs = execFileSync(OBJDUMP, args, { maxBuffer: 1 << 28 }).toString();
      const plain = disasmObject(input, { rawInsn, notes: false, fileName: p }).text;
      const annotated = disasmObject(input, { rawInsn, fileName: p }).text;
      if (rawInsn && annotated !== plain) notes++;
      if (plain !== theirs || stripNotes(annotated) !== theirs) ok = false;
    }
    if (ok) same++;
    else diff.push(p);
  }
}
console.log(`disasm: ${same} identical to llvm-objdump -d -r (with and without raw bytes), ${diff.length} different${diff.length ? ': ' + diff.slice(0, 20).join(' ') : ''}`);
console.log(`(${notes} objects carried .BTF.ext notes)`);
process.exit(diff.length ? 1 : 0);
