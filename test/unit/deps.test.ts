// `btf-lens deps` against what the real tools print: members, bit offsets and enumerator values from
// `bpftool btf dump -j` of each target and of the objects (test/golden/deps/make.sh), CO-RE outcomes from
// libbpf 1.1's own logs (test/golden/core-resolve, test/fixtures/core-targets/build.sh). The host part runs
// the selftests objects against the two corpus kernels (skipped without them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { objectDeps, type Dependency, type DepsReport } from '../../server/src/core/deps/index';
import { openBtfBytes } from '../../server/src/core/input';
import { checkLoad } from '../../server/src/core/load/check';
import { cliPath, fixtureObj, golden, hasCorpus, repoRoot, selftestsDir, sharedCorpus } from '../helpers/paths';

const targetsDir = join(repoRoot, 'test/fixtures/core-targets/btf');
const TARGETS = ['same', 'moved', 'missing', 'old', 'flavors', 'bitfields', 'enum64'];
const OBJECTS: [string, string][] = [
  ['core.bpfel', join(fixtureObj, 'core.bpfel.o')],
  ['progs.bpfel', join(fixtureObj, 'progs.bpfel.o')],
  ['corex.bpfel', join(repoRoot, 'test/fixtures/core-targets/obj/corex.bpfel.o')],
];

function open(path: string) {
  return openBtfBytes(readFileSync(path), { file: path });
}

function deps(objPath: string, targets: string[]): DepsReport {
  const obj = open(objPath);
  const ts = targets.map((t) => {
    const b = open(join(targetsDir, `${t}.btf`)).btf!;
    return { label: t, file: `${t}.btf`, btf: b };
  });
  return objectDeps(obj, ts).report;
}

// ---- bpftool's JSON, read here without our code ----
interface JType { id: number; kind: string; name: string; type_id?: number; size?: number; encoding?: string; members?: { name: string; type_id: number; bits_offset: number; bitfield_size?: number }[]; values?: { name: string; val: number | string }[] }
function bpftoolTypes(name: string): JType[] {
  // Values as text: bpftool prints 64-bit ones (and 32-bit ones sign-extended to 64 bits) past 2^53.
  return JSON.parse(readFileSync(join(golden, 'deps', `${name}.json`), 'utf8').replace(/"val":(-?\d+)/g, '"val":"$1"')).types;
}
const MODS = new Set(['CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);
/** name path → bit offset of a struct's members, anonymous bodies flattened (as C reaches them). */
function memberOffsets(types: JType[], id: number): Map<string, number> {
  const byId = new Map(types.map((t) => [t.id, t]));
  const out = new Map<string, number>();
  const walk = (t: JType, base: number, prefix: string) => {
    for (const m of t.members ?? []) {
      let mt = byId.get(m.type_id);
      while (mt && MODS.has(mt.kind)) mt = byId.get(mt.type_id!);
      const anon = mt && (mt.kind === 'STRUCT' || mt.kind === 'UNION') && mt.name === '(anon)' ? mt : undefined;
      const named = m.name !== '(anon)' && m.name !== '';
      const path = named ? prefix + m.name : prefix;
      if (named && !out.has(path)) out.set(path, base + m.bits_offset);
      if (anon) walk(anon, base + m.bits_offset, named ? `${path}.` : prefix);
    }
  };
  walk(byId.get(id)!, 0, '');
  return out;
}
function essential(n: string): string {
  const m = /^(.*?[^_])___[^_].*$/.exec(n);
  return m ? m[1]! : n;
}
function composites(types: JType[], name: string): JType[] {
  return types.filter((t) => (t.kind === 'STRUCT' || t.kind === 'UNION') && essential(t.name) === name);
}

// ---- libbpf's log: each relocation's outcome and the last name of its local spec ----
type Outcome = 'found' | 'poisoned' | 'failed';
function libbpfOutcomes(obj: string, target: string): Map<string, { outcome: Outcome; last?: string }> {
  const file = join(golden, 'core-resolve', `${obj}__${target}.txt`);
  const out = new Map<string, { outcome: Outcome; last?: string }>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^prog '([^']+)': relo #(\d+): (.*)$/.exec(line);
    if (!m) continue;
    const key = `${m[1]}#${m[2]}`;
    const rest = m[3]!;
    const spec = /^<[a-z_0-9]+> \[\d+\] \S+ ([^ ]+)/.exec(rest);
    if (spec && !out.has(key)) {
      // `task_struct.comm[5]` → comm; `enum e::V = 1` → V; a type: none
      const path = spec[1]!.replace(/\[\d+\]/g, '');
      const enumv = /::(\S+)/.exec(rest);
      out.set(key, { outcome: 'found', last: enumv ? enumv[1] : path.includes('.') ? path.slice(path.lastIndexOf('.') + 1) : undefined });
    }
    const e = out.get(key);
    if (!e) continue;
    if (/substituting insn .* w\/ invalid insn/.test(rest)) e.outcome = 'poisoned';
    else if (/failed to relocate|failed to patch/.test(rest)) e.outcome = 'failed';
  }
  return out;
}

function lastName(d: Dependency): string | undefined {
  if (d.member === undefined) return undefined;
  return d.member.slice(d.member.lastIndexOf('.') + 1);
}

describe('deps: CO-RE dependencies against bpftool JSON and libbpf logs', () => {
  for (const [name, path] of OBJECTS) {
    it(`${name} × ${TARGETS.join(', ')}`, () => {
      const r = deps(path, TARGETS);
      const local = bpftoolTypes(name);
      const fields = r.dependencies.filter((d) => d.what === 'field');
      assert.ok(fields.length > 3, 'fields found');
      TARGETS.forEach((t, ti) => {
        const types = bpftoolTypes(t);
        const libbpf = libbpfOutcomes(name, t);
        for (const d of r.dependencies) {
          const s = d.targets[ti]!;
          const where = `${t}: ${d.what} ${d.name}${d.member ? `.${d.member}` : ''}`;
          if (d.what === 'field' && d.kind !== 'TYPEDEF') {
            // present where bpftool shows a same-named struct with that member, at that bit offset
            const offs = composites(types, d.name).map((c) => memberOffsets(types, c.id)).filter((m) => m.has(d.member!));
            assert.equal(s.present, offs.length > 0, `${where}: present`);
            if (s.present) assert.ok(offs.some((m) => m.get(d.member!) === s.found?.bitOffset), `${where}: bit offset ${s.found?.bitOffset}`);
            // field moved: from the object's own type's offset to the target's
            const moved = s.changes.find((c) => c.what === 'field moved');
            const mine = composites(local, d.name).concat((d.local ?? []).flatMap((l) => local.filter((x) => x.name === l))).map((c) => memberOffsets(local, c.id)).find((m) => m.has(d.member!));
            if (s.present && mine) assert.equal(moved !== undefined, mine.get(d.member!) !== s.found?.bitOffset, `${where}: moved`);
            if (moved) assert.deepEqual([moved.old, moved.new], [mine?.get(d.member!), s.found?.bitOffset], `${where}: moved from/to`);
          }
          if (d.what === 'enum value') {
            const e = types.filter((x) => (x.kind === 'ENUM' || x.kind === 'ENUM64') && essential(x.name) === d.name)
              .flatMap((x) => (x.values ?? []).map((v) => ({ ...v, of: x }))).find((v) => essential(v.name) === d.member);
            assert.equal(s.present, e !== undefined, `${where}: present`);
            // the enumerator's C value: a 32-bit ENUM's as its signedness reads it (bpftool sign-extends)
            const value = (v: string, of: JType) => {
              const bits = of.kind === 'ENUM64' ? 64 : 32;
              return of.encoding === 'SIGNED' ? BigInt.asIntN(bits, BigInt(v)) : BigInt.asUintN(bits, BigInt(v));
            };
            if (e) assert.equal(String(s.found?.value), String(value(String(e.val), e.of)), `${where}: value`);
          }
          // libbpf's outcome of the relocations whose path ends here, the worst first
          const ends = d.uses.filter((u) => u.prog && libbpf.get(`${u.prog}#${u.relo}`)?.last === lastName(d));
          const seen = ends.map((u) => libbpf.get(`${u.prog}#${u.relo}`)!.outcome);
          if (seen.length && d.what !== 'type') {
            const worst = seen.includes('failed') ? 'failed' : seen.includes('poisoned') ? 'poisoned' : 'found';
            assert.equal(s.outcome, worst, `${where}: outcome`);
          }
        }
      });
    });
  }

  it('renamed and removed members say so (old: task_struct.state, no __state)', () => {
    const r = deps(join(fixtureObj, 'core.bpfel.o'), ['same', 'old']);
    const st = r.dependencies.find((d) => d.what === 'field' && d.name === 'task_struct' && d.member === '__state');
    assert.ok(st, 'task_struct.__state is a dependency');
    assert.equal(st.targets[0]!.present, true);
    assert.equal(st.targets[1]!.present, false);
    // bpftool: old.btf's task_struct has `state`, not `__state`
    const old = composites(bpftoolTypes('old'), 'task_struct').map((c) => memberOffsets(bpftoolTypes('old'), c.id));
    assert.ok(old.some((m) => m.has('state')) && !old.some((m) => m.has('__state')));
    assert.ok(st.targets[1]!.changes.some((c) => c.what === 'field removed' || c.what === 'field renamed'));
  });

  it('CLI: --format json is the report, text names every target', (t) => {
    if (!existsSync(cliPath)) return t.skip(`no ${cliPath}: npm run build`);
    const obj = join(fixtureObj, 'core.bpfel.o');
    const args = ['deps', obj, '--target', join(targetsDir, 'same.btf'), '--target', join(targetsDir, 'missing.btf')];
    const j = spawnSync(process.execPath, [cliPath, ...args, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(j.status, 0, j.stderr);
    const r = JSON.parse(j.stdout) as DepsReport;
    assert.deepEqual(r.targets.map((t) => t.label), ['same.btf', 'missing.btf']);
    assert.ok(r.dependencies.every((d) => d.targets.length === 2));
    const txt = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
    assert.match(txt.stdout, /^field struct task_struct\.pid/m);
    const bad = spawnSync(process.execPath, [cliPath, 'deps', obj], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--target FILE is required/);
  });
});

describe('deps: selftests objects × the corpus kernels', () => {
  const dir = join(selftestsDir, 'bpfel');
  const k61 = join(sharedCorpus, 'vmlinux-6.1.btf');
  const k618 = join(sharedCorpus, 'vmlinux-6.18.btf');
  it('every CO-RE relocation is some dependency\'s use; fields agree with each kernel\'s struct', (t) => {
    if (!hasCorpus || !existsSync(k618)) return t.skip(`no corpus kernels at ${sharedCorpus} (BTF_LENS_CORPUS)`);
    if (!existsSync(dir)) return t.skip(`no selftests objects at ${dir} (test/fixtures/selftests.sh; BTF_LENS_SELFTESTS)`);
    const targets = [k61, k618].map((f) => ({ label: f.replace(/^.*\//, ''), file: f, btf: open(f).btf! }));
    const objs = readdirSync(dir).filter((f) => f.endsWith('.o')).sort();
    let relocations = 0;
    let fields = 0;
    for (const f of objs) {
      const obj = open(join(dir, f));
      const records = obj.ext?.coreRelo ?? [];
      if (!records.length) continue;
      const r = objectDeps(obj, targets).report;
      const used = new Set(r.dependencies.flatMap((d) => d.uses.map((u) => `${u.section}#${u.relo}`)));
      for (const s of records) s.records.forEach((_, i) => {
        relocations++;
        if (!used.has(`${s.name}#${i}`)) {
          // only a record whose root has no name, or whose access string does not fit, is left out
          const root = obj.btf!.name(s.records[i]!.typeId);
          assert.ok(!root, `${f}: ${s.name} relo #${i} in no dependency`);
        }
      });
      for (const d of r.dependencies) {
        if (d.what !== 'field') continue;
        fields++;
        d.targets.forEach((s, ti) => {
          // libbpf patched an offset or size (not an existence test, which is patched with 0 when absent)
          if (s.outcome === 'found' && d.kind !== 'TYPEDEF' && d.uses.every((u) => u.reloKind !== 'field_exists')) assert.ok(s.present, `${f}: ${d.name}.${d.member} patched on ${targets[ti]!.label} but absent`);
        });
      }
    }
    assert.ok(relocations > 1000 && fields > 100, `${relocations} relocations, ${fields} field dependencies`);
  });
});

describe('deps: attach targets, kfuncs and ksyms as libbpf 1.1 logs them (test/golden/check)', () => {
  const loadObjs = join(repoRoot, 'test/fixtures/load/obj');
  const logs = join(golden, 'check');
  it('every load fixture × the corpus kernels', (t) => {
    if (!hasCorpus || !existsSync(join(sharedCorpus, 'vmlinux-6.18.btf'))) return t.skip(`no corpus kernels at ${sharedCorpus} (BTF_LENS_CORPUS)`);
    if (!existsSync(loadObjs)) return t.skip(`no ${loadObjs}`);
    const kernels = ['vmlinux-6.1', 'vmlinux-6.18'];
    const targets = kernels.map((k) => ({ label: k, file: `${k}.btf`, btf: open(join(sharedCorpus, `${k}.btf`)).btf! }));
    let checked = 0;
    for (const f of readdirSync(loadObjs).filter((x) => x.endsWith('.bpfel.o'))) {
      const base = f.replace(/\.o$/, '');
      const r = objectDeps(open(join(loadObjs, f)), targets, { check: checkLoad }).report;
      kernels.forEach((k, ti) => {
        const whole = join(logs, `${base}.${k}.log`);
        const text = existsSync(whole) ? readFileSync(whole, 'utf8') : '';
        for (const d of r.dependencies) {
          const s = d.targets[ti]!;
          const where = `${f} on ${k}: ${d.what} ${d.name}`;
          if (d.what === 'attach') {
            const prog = d.uses[0]?.prog;
            const log = join(logs, `${base}.${k}.${prog}.log`);
            if (!prog || !existsSync(log)) continue;
            if (text.includes(`sec '?${d.uses[0]!.section}': found program '${prog}'`)) {
              // SEC("?…"): not loaded by default, its target never looked up (the per-program log forces a load)
              assert.ok(!text.includes(`prog '${prog}': failed to find kernel BTF type ID`), where);
              assert.equal(s.outcome, 'not-loaded', where);
              continue;
            }
            const missing = /failed to find kernel BTF type ID of/.test(readFileSync(log, 'utf8'));
            assert.equal(s.outcome, missing ? 'missing' : 'found', where);
            assert.equal(s.present, !missing, where);
            checked++;
            continue;
          }
          if (d.what !== 'kfunc' && d.what !== 'ksym') continue;
          const q = d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          let want: string | undefined;
          if (new RegExp(`extern '${q}' \\(weak\\): not resolved`).test(text)) want = 'weak-missing';
          else if (new RegExp(`'${q}': resolved to`).test(text)) want = 'found';
          else if (new RegExp(`'${q}': (func_proto .* incompatible|incompatible types)`).test(text)) want = 'incompatible';
          else if (new RegExp(`'${q}': not found in kernel`).test(text)) want = 'missing';
          if (!want) continue; // libbpf stopped before it
          assert.equal(s.outcome, want, where);
          assert.equal(s.present, want === 'found' || want === 'incompatible', `${where}: present`);
          checked++;
        }
      });
    }
    assert.ok(checked >= 30, `${checked} outcomes checked`);
  });
});

describe('deps: bad input is normal input', () => {
  it('core.bpfel.o and corex.bpfel.o with bytes flipped, against themselves and a target: no throw, no internal error', () => {
    const target = open(join(targetsDir, 'moved.btf')).btf!;
    let seed = 4242;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8);
    for (const [, path] of OBJECTS) {
      const good = readFileSync(path);
      for (let i = 0; i < 60; i++) {
        const b = Uint8Array.from(good);
        for (let k = 0; k < 1 + (i % 6); k++) b[rnd() % b.length] = rnd() & 0xff;
        const obj = openBtfBytes(b, { file: 'bad.o' });
        const targets = [{ label: 't', file: 't', btf: target }];
        if (obj.btf) targets.push({ label: 'self', file: 'self', btf: obj.btf });
        const r = objectDeps(obj, targets, { check: checkLoad });
        assert.equal(r.internalError, undefined, `input ${i}: ${(r.internalError as Error)?.stack}`);
      }
    }
  });
});
