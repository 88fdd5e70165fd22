// Compares `btf-lens dump --format c --root ...` (in-process) with libbpf's btf_dump__dump_type per
// root, as `bpftool btf dump file F root_id N... format c` prints it (bpftool >= 7.3; 7.1 here has no
// root_id for files, so the oracle is test/golden/c-sys/root_oracle.c built as roots.sh builds it).
// Usage: nice npx tsx scripts/check-c-roots.ts ROOT_ORACLE FILE [--base BASE] [PER_KIND]
// Roots: PER_KIND (default 4) types of every kind spread over the file, named favourites, an
// anonymous struct, a forward declaration, and sequences of several roots (repeats included).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Btf } from '../server/src/core/btf/btf';
import { Kind } from '../server/src/core/btf/kinds';
import { elfPointerSize, findTypes, formatC } from '../server/src/core/format/c/index';
import { openBtfBytes } from '../server/src/core/input';
import { ByteWriter } from '../server/src/core/util/writer';

const args = process.argv.slice(2);
const bi = args.indexOf('--base');
const basePath = bi >= 0 ? args.splice(bi, 2)[1] : undefined;
const [oracle, file, perKindArg] = args;
if (!oracle || !file) {
  console.error('usage: check-c-roots.ts ROOT_ORACLE FILE [--base BASE] [PER_KIND]');
  process.exit(2);
}
const perKind = Number(perKindArg ?? 4);
const base = basePath ? Btf.parse(readFileSync(basePath)) : undefined;
// Raw BTF (split onto --base) or an object/ELF file with .BTF (pointer size from its ELF class).
const input = base ? undefined : openBtfBytes(readFileSync(file), { file });
const btf = input?.btf ?? Btf.parse(readFileSync(file), { base });
const pointerSize = input ? elfPointerSize(input) : undefined;

const byKind = new Map<number, number[]>();
for (let id = btf.startId; id < btf.typeCount; id++) {
  const k = btf.kind(id);
  byKind.set(k, [...(byKind.get(k) ?? []), id]);
}
const cases: number[][] = [];
for (const [, ids] of [...byKind].sort((a, b) => a[0] - b[0])) {
  for (let i = 0; i < perKind && i < ids.length; i++) cases.push([ids[Math.floor((i * ids.length) / perKind)]!]);
}
const named = (spec: string) => findTypes(btf, spec).slice(0, 1);
for (const s of ['struct task_struct', 'struct sk_buff', 'union bpf_attr', 'enum bpf_cmd', 'typedef u64', 'typedef __kernel_size_t',
  'struct bpf_prog', 'struct file_operations', 'struct pt_regs', 'bpf_prog_load', 'struct mm_struct', 'struct page']) {
  const ids = named(s);
  if (ids.length) cases.push(ids);
}
const anonStruct = byKind.get(Kind.STRUCT)?.find((id) => btf.nameOff(id) === 0);
const anonEnum = byKind.get(Kind.ENUM)?.find((id) => btf.nameOff(id) === 0);
const fwd = byKind.get(Kind.FWD) ?? [];
for (const id of [anonStruct, anonEnum, ...fwd.slice(0, 3)]) if (id !== undefined) cases.push([id]);
// Several roots sharing one dump's state: what an earlier root emitted is not emitted again.
const singles = cases.map((c) => c[0]!);
cases.push(singles.slice(0, 8), singles.slice(-8), [singles[3]!, singles[3]!], singles.filter((_, i) => i % 5 === 0));

let same = 0;
const bad: string[] = [];
for (const roots of cases.filter((c) => c.length > 0)) {
  const w = new ByteWriter();
  formatC(btf, w, { roots, pointerSize });
  const ours = Buffer.from(w.bytes());
  const theirs = execFileSync(oracle, [...(basePath ? ['-B', basePath] : []), file, ...roots.map(String)], { maxBuffer: 1 << 28 });
  if (ours.equals(theirs)) same++;
  else {
    bad.push(roots.join(','));
    console.log(`roots ${roots.join(' ')}: ${ours.length} bytes, oracle ${theirs.length}`);
  }
}
const kinds = [...byKind.keys()].sort((a, b) => a - b).join(',');
console.log(`${file}: ${cases.filter((c) => c.length > 0).length} root sets (kinds ${kinds}), ${same} identical, ${bad.length} different`);
process.exit(bad.length ? 1 : 0);
