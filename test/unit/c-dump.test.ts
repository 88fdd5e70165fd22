// BTF as C: `bpftool btf dump file X format c` byte for byte (fixture goldens, root_id goldens from
// libbpf's own btf_dump, the host corpus by SHA-256), headers that clang compiles, and one-type rendering.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Btf } from '../../server/src/core/btf/btf';
import { Kind } from '../../server/src/core/btf/kinds';
import {
  cDeclaration, cDefinition, cTypeName, cTypedefChain, elfPointerSize, formatC, formatCToString, typeTable,
} from '../../server/src/core/format/c/index';
import { openBtfBytes } from '../../server/src/core/input';
import { ByteWriter } from '../../server/src/core/util/writer';
import { buildBtf } from '../helpers/btf-builder';
import { LONG_CHAINS, longChainBtf } from '../helpers/long-chains';
import { cliPath, fixtureObj, golden, hasCorpus, sharedCorpus, sysVmlinux } from '../helpers/paths';

const open = (name: string) => {
  let bytes: Uint8Array = readFileSync(join(fixtureObj, name));
  if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
  return openBtfBytes(bytes, { file: name });
};
const dumpC = (name: string, roots?: number[]) => {
  const input = open(name);
  assert.ok(input.btf, `${name}: no BTF`);
  const w = new ByteWriter();
  const r = formatC(input.btf, w, { roots, pointerSize: elfPointerSize(input) });
  assert.equal(r.error, undefined);
  return w.bytes();
};
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const fixtures = readdirSync(fixtureObj).filter((f) => /\.(o|btf|btf\.gz)$/.test(f)).sort();

describe('bpftool btf dump file X format c (fixtures)', () => {
  const withGolden = fixtures.filter((f) => existsSync(join(golden, 'c', `${f}.h`)));
  it('has goldens for both byte orders and both ELF classes', () => {
    assert.ok(withGolden.length >= 15, withGolden.join(' '));
    for (const s of ['bpfeb', 'bpfel', 'elf32', '.btf']) assert.ok(withGolden.some((f) => f.includes(s)), s);
  });
  for (const f of withGolden) {
    it(f, () => assert.equal(Buffer.from(dumpC(f)).toString('latin1'), readFileSync(join(golden, 'c', `${f}.h`), 'latin1')));
  }
  it('a gzip-compressed .btf dumps like its uncompressed self', () => {
    const gz = fixtures.find((f) => f.endsWith('.btf.gz'))!;
    assert.deepEqual(dumpC(gz), dumpC(gz.replace(/\.gz$/, '')));
  });
  it('an ELF32 object uses 4-byte pointers for padding (libbpf takes the ELF class)', () => {
    const h = Buffer.from(dumpC('elf32-i386.btf.o')).toString();
    assert.match(h, /\tlong: 32;\n/);
  });
});

describe('--root: libbpf btf_dump__dump_type per root (root_id)', () => {
  const index = readFileSync(join(golden, 'c-sys/roots/index.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  for (const [file, obj, ...ids] of index) {
    it(`${obj} roots ${ids.join(' ')}`, () => {
      assert.equal(Buffer.from(dumpC(obj!, ids.map(Number))).toString('latin1'), readFileSync(join(golden, 'c-sys/roots', file!), 'latin1'));
    });
  }
});

/** Lines `<sha256> <path> [base=<path>]` or `<sha256> <path> <root ids...>`, paths under .../shared/corpus/. */
const local = (p: string) => join(sharedCorpus, p.replace(/^.*\/shared\/corpus\//, ''));
const hashLines = (file: string) => readFileSync(join(golden, file), 'utf8').trim().split('\n').map((l) => l.split(' '));

describe('../shared/corpus: vmlinux.h of two kernels and 20 modules equal bpftool', { skip: hasCorpus ? false : `no corpus at ${sharedCorpus}` }, () => {
  const bases = new Map<string, Btf>();
  const parse = (p: string, base?: string) => {
    if (!base) return Btf.parse(readFileSync(p));
    if (!bases.has(base)) bases.set(base, Btf.parse(readFileSync(base)));
    return Btf.parse(readFileSync(p), { base: bases.get(base) });
  };
  const entries = hashLines('c-sys/hashes.txt');
  it('covers both kernels and the modules', () => assert.ok(entries.length >= 22, `${entries.length} entries`));
  for (const [hash, path, base] of entries) {
    it(local(path!).replace(sharedCorpus + '/', ''), () => {
      const btf = parse(local(path!), base ? local(base.replace(/^base=/, '')) : undefined);
      const w = new ByteWriter();
      assert.deepEqual(formatC(btf, w), {});
      assert.equal(sha(w.bytes()), hash);
    });
  }
  for (const [hash, path, ...ids] of hashLines('c-sys/roots.txt')) {
    it(`vmlinux-6.1 roots ${ids.join(' ')}`, () => {
      const w = new ByteWriter();
      formatC(parse(local(path!)), w, { roots: ids.map(Number) });
      assert.equal(sha(w.bytes()), hash);
    });
  }
});

/**
 * `_Static_assert`s that clang lays out every struct and union as the BTF says: the size of each
 * one whose name is unique (a repeated name is written name___N), and the offset of each of its
 * named non-bitfield members, so the padding members and packed attributes are checked by the
 * compiler. Only for 8-byte pointers (clang -target bpf). Left out, as libbpf 1.1 cannot express
 * them (bpftool's header is the same): types that embed a 1- or 2-byte enum (written as a plain
 * `enum`, 4 bytes) or a va_list (the target's own, 8 bytes for BPF).
 */
function layoutAsserts(btf: Btf): string {
  const t = typeTable(btf);
  const inexpressible = new Map<number, boolean>();
  const bad = (id: number, depth: number): boolean => {
    if (depth > 64) return false;
    const k = t.kind(id);
    if (k === Kind.ENUM || k === Kind.ENUM64) return t.third(id) < 4;
    if (k === Kind.TYPEDEF) return /va_list$/.test(t.str(t.nameOff(id))) || bad(t.third(id), depth + 1);
    if (k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) return bad(t.third(id), depth + 1);
    if (k === Kind.ARRAY) return bad(t.arrayType(id), depth + 1);
    if (k !== Kind.STRUCT && k !== Kind.UNION) return false;
    const have = inexpressible.get(id);
    if (have !== undefined) return have;
    inexpressible.set(id, false);
    let r = false;
    for (let i = 0; i < t.vlen(id) && !r; i++) r = bad(t.memberType(id, i), depth + 1);
    inexpressible.set(id, r);
    return r;
  };
  const count = new Map<string, number>();
  for (let id = 1; id < t.count; id++) {
    const k = t.kind(id);
    if ((k === Kind.STRUCT || k === Kind.UNION || k === Kind.ENUM || k === Kind.ENUM64) && t.nameOff(id) !== 0) {
      const n = t.str(t.nameOff(id));
      count.set(n, (count.get(n) ?? 0) + 1);
    }
  }
  const out: string[] = [];
  for (let id = 1; id < t.count; id++) {
    const k = t.kind(id);
    if ((k !== Kind.STRUCT && k !== Kind.UNION) || t.nameOff(id) === 0) continue;
    const name = t.str(t.nameOff(id));
    if (count.get(name) !== 1 || bad(id, 0)) continue;
    const tag = `${k === Kind.STRUCT ? 'struct' : 'union'} ${name}`;
    out.push(`_Static_assert(sizeof(${tag}) == ${t.third(id)}, "${tag}");`);
    const seen = new Set<string>();
    for (let i = 0; i < t.vlen(id); i++) {
      const m = t.str(t.memberName(id, i));
      if (!m || seen.has(m) || t.memberBitfieldSize(id, i) || t.memberBitOffset(id, i) % 8) continue;
      seen.add(m);
      out.push(`_Static_assert(__builtin_offsetof(${tag}, ${m}) == ${t.memberBitOffset(id, i) / 8}, "${tag}.${m}");`);
    }
  }
  return out.join('\n');
}

describe('the headers compile: clang -target bpf -c, laid out as the BTF says', { skip: have('clang') ? false : 'clang is not installed' }, () => {
  const compile = (h: Uint8Array, asserts = ''): string => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-lens-c-'));
    try {
      writeFileSync(join(dir, 'vmlinux.h'), h);
      writeFileSync(join(dir, 'use.c'), `#include "vmlinux.h"\n${asserts}\nint use(void) { return 0; }\n`);
      const r = spawnSync('clang', ['-target', 'bpf', '-c', '-w', '-ferror-limit=0', '-o', join(dir, 'use.o'), join(dir, 'use.c')], { encoding: 'utf8' });
      return r.status === 0 ? '' : r.stderr.split('\n').filter((l) => /error:/.test(l)).join('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  for (const f of fixtures.filter((x) => existsSync(join(golden, 'c', `${x}.h`)))) {
    it(f, () => {
      const input = open(f);
      // ELF32 objects have 4-byte pointers: clang -target bpf lays them out with 8.
      const asserts = elfPointerSize(input) === 4 ? '' : layoutAsserts(input.btf!);
      assert.equal(compile(dumpC(f), asserts), '');
    });
  }
  const whole = (btf: Btf) => {
    const asserts = layoutAsserts(btf);
    // Nearly every struct is checked: a few dozen embed what libbpf cannot express.
    const sizes = asserts.split('\n').filter((l) => l.startsWith('_Static_assert(sizeof')).length;
    let named = 0;
    for (let id = 1; id < btf.typeCount; id++) if ((btf.kind(id) === Kind.STRUCT || btf.kind(id) === Kind.UNION) && btf.nameOff(id)) named++;
    assert.ok(sizes > named * 0.95, `${sizes} of ${named} structs and unions checked`);
    return compile(Buffer.from(formatCToString(btf)), asserts);
  };
  it('vmlinux-6.1', { skip: hasCorpus ? false : 'no corpus' }, () => {
    assert.equal(whole(Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf')))), '');
  });
  it(sysVmlinux, { skip: existsSync(sysVmlinux) ? false : `no ${sysVmlinux}` }, () => {
    assert.equal(whole(Btf.parse(readFileSync(sysVmlinux))), '');
  });
  it('a module with its base (kvm on vmlinux-6.1)', { skip: hasCorpus ? false : 'no corpus' }, () => {
    const base = Btf.parse(readFileSync(join(sharedCorpus, 'vmlinux-6.1.btf')));
    assert.equal(whole(Btf.parse(readFileSync(join(sharedCorpus, 'modules/arch__x86__kvm__kvm.btf')), { base })), '');
  });
});

describe('hand-made BTF: libbpf rules no compiler shows here', () => {
  const int = { name: 'int', kind: Kind.INT, third: 4, extra: [(1 << 24) | 32] };
  const member = (name: number, type: number, bitOff: number) => [name, type, bitOff];
  it('a second struct of the same name is foo___2; enumerators share the typedef namespace', () => {
    const types = (m: number, x: number) => [
      int, // 1
      { name: 'foo', kind: Kind.STRUCT, vlen: 1, third: 4, extra: member(m, 1, 0) }, // 2
      { name: 'foo', kind: Kind.STRUCT, vlen: 1, third: 4, extra: member(m, 1, 0) }, // 3
      { name: 'e', kind: Kind.ENUM, vlen: 1, third: 4, extra: [x, 7] }, // 4: enum e { X = 7 }
      { name: 'X', kind: Kind.TYPEDEF, third: 1 }, // 5
    ];
    const { strOff } = buildBtf(types(0, 0)); // string offsets depend on the names only
    const text = formatCToString(Btf.parse(buildBtf(types(strOff('e'), strOff('X'))).bytes));
    assert.match(text, /\nstruct foo \{\n\tint e;\n\};\n\nstruct foo___2 \{\n\tint e;\n\};\n\nenum e \{\n\tX = 7,\n\};\n\ntypedef int X___2;\n/);
  });
  it('an anonymous struct that contains itself stops the dump like libbpf (unsatisfiable cycle, no footer)', () => {
    const { bytes } = buildBtf([
      { kind: Kind.STRUCT, vlen: 1, third: 8, extra: [0, 2, 0] }, // 1: struct { <2> x; }
      { kind: Kind.PTR, third: 1 }, // 2: pointer to 1
    ]);
    const w = new ByteWriter();
    const r = formatC(Btf.parse(bytes), w);
    assert.equal(r.error, 'unsatisfiable type cycle, id:[1]');
    assert.ok(!w.toString().includes('#endif /* __VMLINUX_H__ */'));
  });
  it('hostile chains (self-referencing modifiers, IDs out of range) end without throwing', () => {
    const { bytes } = buildBtf([
      { kind: Kind.CONST, third: 1 }, // 1: const of itself
      { kind: Kind.PTR, third: 999 }, // 2: pointer to nothing
      { name: 's', kind: Kind.STRUCT, vlen: 2, third: 16, extra: [0, 2, 0, 0, 777, 64] }, // 3
      { name: 't', kind: Kind.TYPEDEF, third: 1 }, // 4
      { kind: Kind.FUNC_PROTO, vlen: 1, third: 0, extra: [0, 6] }, // 5: void (*)(<6>)
      { kind: Kind.PTR, third: 5 }, // 6: a prototype taking a pointer to itself
      { kind: Kind.STRUCT, vlen: 1, third: 8, extra: [0, 8, 0] }, // 7: anonymous struct { <8> }
      { kind: Kind.PTR, third: 7 }, // 8: pointer to it
    ]);
    const btf = Btf.parse(bytes);
    for (let id = 0; id < 10; id++) {
      const w = new ByteWriter();
      formatC(btf, w, { roots: [id] });
      cTypeName(btf, id);
      cDeclaration(btf, id, 'x');
      cDefinition(btf, id);
      cTypedefChain(btf, id);
    }
    const w = new ByteWriter();
    assert.match(formatC(btf, w).error ?? '', /./);
  });
});

describe('chains longer than 4,096 links: printed whole, as bpftool does', () => {
  // test/golden/c-chains/make.sh: bpftool's format c of the BTF long-chains.ts builds
  for (const name of Object.keys(LONG_CHAINS)) {
    it(name, () => {
      const w = new ByteWriter();
      const r = formatC(Btf.parse(longChainBtf(name)), w);
      assert.equal(r.error, undefined);
      assert.equal(w.toString(), readFileSync(join(golden, 'c-chains', `${name}.h`), 'utf8'));
    });
  }
  it('the CLI: the same text, exit 0 (a typedef of 5,000 pointers keeps its int)', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'btf-lens-chain-')), 'ptr-up-5000.btf');
    writeFileSync(f, longChainBtf('ptr-up-5000'));
    const r = spawnSync(process.execPath, [cliPath, 'dump', f, '--format', 'c'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'c-chains/ptr-up-5000.h'), 'utf8'));
    assert.match(r.stdout, /^typedef int \*{5000}T;$/m);
  });
  it('a loop of pointers stops the dump with a sentence (bpftool crashes on it)', () => {
    const { bytes } = buildBtf([{ name: 'T', kind: Kind.TYPEDEF, third: 2 }, { kind: Kind.PTR, third: 3 }, { kind: Kind.PTR, third: 2 }]);
    const r = formatC(Btf.parse(bytes), new ByteWriter());
    assert.match(r.error ?? '', /^type chain loops, id:\[\d+\]$/);
  });
});

describe('one type as C (hovers, type tree)', () => {
  const btf = open('types.bpfel.o').btf!;
  const byName = (name: string, kind?: number) => {
    for (let id = 1; id < btf.typeCount; id++) if (btf.name(id) === name && (kind === undefined || btf.kind(id) === kind)) return id;
    throw new Error(`no ${name}`);
  };
  const find = (pred: (id: number) => boolean) => {
    for (let id = 1; id < btf.typeCount; id++) if (pred(id)) return id;
    throw new Error('not found');
  };
  const nameOf = (id: number) => cTypeName(btf, id);

  it('names types as C spells them', () => {
    assert.equal(nameOf(0), 'void');
    assert.equal(nameOf(byName('zoo_ops')), 'struct zoo_ops');
    assert.equal(nameOf(byName('zoo_opaque_u')), 'union zoo_opaque_u');
    assert.equal(nameOf(byName('zoo_color', Kind.ENUM)), 'enum zoo_color');
    assert.equal(nameOf(byName('zoo_tid_t')), 'zoo_tid_t');
    const ptrTo = (target: number) => find((id) => btf.kind(id) === Kind.PTR && btf.sizeOrType(id) === target);
    assert.equal(nameOf(ptrTo(byName('zoo_bits'))), 'struct zoo_bits *');
    // the members of struct zoo_ops, struct zoo_quals, struct zoo_arrays
    const memberType = (s: string, m: string) => {
      const t = btf.locate(byName(s))!;
      for (let i = 0; i < btf.vlen(byName(s)); i++) {
        const off = t.off + 12 + i * 12;
        if (btf.str(t.btf.view.u32(off)) === m) return t.btf.view.u32(off + 4);
      }
      throw new Error(m);
    };
    assert.equal(nameOf(memberType('zoo_ops', 'handlers')), 'int (*[3])(int)');
    assert.equal(nameOf(memberType('zoo_ops', 'factory')), 'int (* (*)(void))(char)');
    assert.equal(nameOf(memberType('zoo_ops', 'ioctl')), 'long (*)(unsigned int, ...)');
    assert.equal(nameOf(memberType('zoo_quals', 'cpp')), 'const char * const *');
    assert.equal(nameOf(memberType('zoo_quals', 'rp')), 'int * restrict');
    assert.equal(nameOf(memberType('zoo_arrays', 'three')), '__u64[2][3][4]');
    assert.equal(nameOf(memberType('zoo_arrays', 'names')), 'const char *[2]');
    assert.equal(nameOf(memberType('zoo_anon', '')), 'union {...}');
    assert.equal(nameOf(memberType('zoo_tagged', 'ubuf')), 'char __attribute__((btf_type_tag("user"))) *');
    assert.equal(nameOf(byName('.rodata')), '.rodata');
  });

  it('spells a pointer to an array of pointers: const char *(*)[4]', () => {
    // Built by hand: PTR -> ARRAY[4] of PTR -> CONST -> char.
    const { bytes } = buildBtf([
      { name: 'char', kind: Kind.INT, third: 1, extra: [(2 << 24) | 8] }, // 1
      { kind: Kind.CONST, third: 1 }, // 2
      { kind: Kind.PTR, third: 2 }, // 3
      { name: 'int', kind: Kind.INT, third: 4, extra: [(1 << 24) | 32] }, // 4
      { kind: Kind.ARRAY, third: 0, extra: [3, 4, 4] }, // 5
      { kind: Kind.PTR, third: 5 }, // 6
    ]);
    const b = Btf.parse(bytes);
    assert.equal(cTypeName(b, 6), 'const char *(*)[4]');
    assert.equal(cDeclaration(b, 6, 'p'), 'const char *(*p)[4]');
    assert.equal(cDeclaration(b, 5, 'names'), 'const char *names[4]');
  });

  it('declares functions, variables and typedefs', () => {
    assert.equal(cDeclaration(btf, byName('zoo_helper', Kind.FUNC)), 'static int zoo_helper(int x, char __attribute__((btf_type_tag("user"))) *buf, struct zoo_bits *bits)');
    assert.equal(cDeclaration(btf, byName('zoo_global', Kind.FUNC)), 'int zoo_global(union zoo_val *v, double scale)');
    assert.equal(cDeclaration(btf, byName('zoo_matrix', Kind.VAR)), 'int zoo_matrix[2][3]');
    assert.equal(cDeclaration(btf, byName('zoo_static_data', Kind.VAR)), 'static int zoo_static_data');
    assert.equal(cDeclaration(btf, byName('zoo_cb_t')), 'typedef int (*zoo_cb_t)(void *, const char *, unsigned long)');
    assert.equal(cDeclaration(btf, byName('zoo_ops'), 'ops'), 'struct zoo_ops ops');
    assert.equal(cDefinition(btf, byName('zoo_cfg', Kind.VAR)), 'volatile const __u32 zoo_cfg;');
    assert.equal(cDefinition(btf, byName('zoo_opaque')), 'struct zoo_opaque;');
  });

  it('follows a typedef chain', () => {
    assert.deepEqual(cTypedefChain(btf, byName('zoo_ctid_t')), [
      'typedef const zoo_tid_t zoo_ctid_t;',
      'typedef zoo_pid_t zoo_tid_t;',
      'typedef zoo_kpid_t zoo_pid_t;',
      'typedef __s32 zoo_kpid_t;',
      'typedef int __s32;',
    ]);
    assert.deepEqual(cTypedefChain(btf, byName('zoo_ops')), []);
  });

  it('defines a struct with offsets, bit offsets and sizes of every member, anonymous members inline', () => {
    assert.equal(cDefinition(btf, byName('zoo_anon')), [
      'struct zoo_anon {',
      '\tint kind;                           /* off: 0 (bit 0), size: 4 */',
      '\tunion {',
      '\t\tint i;                      /* off: 4 (bit 32), size: 4 */',
      '\t\tfloat fl;                   /* off: 4 (bit 32), size: 4 */',
      '\t\tstruct {',
      '\t\t\tshort lo;           /* off: 4 (bit 32), size: 2 */',
      '\t\t\tshort hi;           /* off: 6 (bit 48), size: 2 */',
      '\t\t};                          /* off: 4 (bit 32), size: 4 */',
      '\t};                                  /* off: 4 (bit 32), size: 4 */',
      '\tstruct {',
      '\t\tint x;                      /* off: 8 (bit 64), size: 4 */',
      '\t\tint y;                      /* off: 12 (bit 96), size: 4 */',
      '\t} named;                            /* off: 8 (bit 64), size: 8 */',
      '\tunion {',
      '\t\tunsigned int flags;         /* off: 16 (bit 128), size: 4 */',
      '\t\tstruct {',
      '\t\t\tunsigned int ro: 1; /* off: 16 (bit 128), bits: 1 */',
      '\t\t\tunsigned int wr: 1; /* off: 16 (bit 129), bits: 1 */',
      '\t\t\tunsigned int ex: 1; /* off: 16 (bit 130), bits: 1 */',
      '\t\t};                          /* off: 16 (bit 128), size: 4 */',
      '\t};                                  /* off: 16 (bit 128), size: 4 */',
      '};                                          /* size: 20, align: 4 */',
    ].join('\n'));
  });

  it('defines bitfields, padding members and packed structs as the dump does', () => {
    assert.equal(cDefinition(btf, byName('zoo_bits')), [
      'struct zoo_bits {',
      '\tunsigned int a: 1;        /* off: 0 (bit 0), bits: 1 */',
      '\tunsigned int b: 3;        /* off: 0 (bit 1), bits: 3 */',
      '\tint c: 12;                /* off: 0 (bit 4), bits: 12 */',
      '\tunsigned char d: 2;       /* off: 2 (bit 16), bits: 2 */',
      '\tunsigned long long e: 40; /* off: 2 (bit 18), bits: 40 */',
      '\tunsigned short f;         /* off: 8 (bit 64), size: 2 */',
      '\tenum zoo_color col: 4;    /* off: 10 (bit 80), bits: 4 */',
      '\tzoo_pid_t tp: 5;          /* off: 10 (bit 84), bits: 5 */',
      '\tint: 7;',
      '\t_Bool flag: 1;            /* off: 12 (bit 96), bits: 1 */',
      '};                                /* size: 16, align: 8 */',
    ].join('\n'));
    assert.match(cDefinition(btf, byName('zoo_packed')), /^struct zoo_packed \{\n[^]*\n\} __attribute__\(\(packed\)\); +\/\* size: 7, align: 1 \*\/$/);
    assert.equal(cDefinition(btf, byName('zoo_packed'), { offsets: false }), 'struct zoo_packed {\n\tchar c;\n\tint i;\n\tshort s;\n} __attribute__((packed));');
    assert.equal(cDefinition(btf, byName('zoo_color', Kind.ENUM)), 'enum zoo_color {\n\tZOO_RED = 0,\n\tZOO_GREEN = 1,\n\tZOO_BLUE = 7,\n};');
  });
});

describe('btf-lens dump --format c, layout (CLI)', { skip: existsSync(cliPath) ? false : `${cliPath} not built (npm run build)` }, () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'latin1', maxBuffer: 1 << 28 });
  it('dump --format c equals bpftool', () => {
    const r = run('dump', join(fixtureObj, 'types.bpfel.o'), '--format', 'c');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'c/types.bpfel.o.h'), 'latin1'));
  });
  it('--root takes IDs and names, in order, like root_id', () => {
    const r = run('dump', join(fixtureObj, 'types.bpfel.o'), '--format', 'c', '--root', 'zoo_ctid_t', '--root', 'struct zoo_ops', '--root', '65');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(golden, 'c-sys/roots/types.bpfel.o@zoo_ctid_t+zoo_ops+zoo_all.h'), 'latin1'));
    const bad = run('dump', join(fixtureObj, 'types.bpfel.o'), '--format', 'c', '--root', 'no_such_type');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--root no_such_type: no such type/);
  });
  it('layout FILE NAME', () => {
    const r = run('layout', join(fixtureObj, 'types.bpfel.o'), 'zoo_bits');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^struct zoo_bits \{\n[^]*\t\/\* size: 16, cachelines: 1, members: 9 \*\/\n[^]*\};\n$/);
    assert.equal(run('layout', join(fixtureObj, 'types.bpfel.o'), 'nope').status, 1);
    assert.equal(run('layout', join(fixtureObj, 'types.bpfel.o')).status, 1);
  });
  it('a split module with --base', { skip: hasCorpus ? false : 'no corpus' }, () => {
    const [hash, path, base] = hashLines('c-sys/hashes.txt').find((l) => l[2]?.startsWith('base='))!;
    const r = spawnSync(process.execPath, [cliPath, 'dump', local(path!), '--base', local(base!.slice(5)), '--format', 'c'], { maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(sha(r.stdout), hash);
  });
});
