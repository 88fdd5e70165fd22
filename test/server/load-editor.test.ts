/**
 * Will it load on the target kernels, in the editor: a member's place on every `btfLens.coreTargets` kernel
 * (hover), attach targets and externs per kernel (hover, warnings) and the load matrix. Fixtures:
 * test/fixtures/editor-load (src/load.c, its object, two small kernels old/new) and the CO-RE targets of
 * test/fixtures/core-targets. Expected values come from the tools: member offsets and kernel prototypes from
 * `bpftool btf dump` (test/golden/editor-load/*.raw.txt), outcomes from what libbpf 1.1 logged loading the
 * object on each kernel (test/golden/editor-load/load.bpfel.<kernel>*.log, build.sh there).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import { golden, repoRoot } from '../helpers/paths';
import { type TestServer, startTestServer } from './harness';

const here = join(repoRoot, 'test/fixtures/editor-load');
const coreBtf = (t: string) => join(repoRoot, 'test/fixtures/core-targets/btf', `${t}.btf`);
const loadBtf = (t: string) => join(here, 'btf', `${t}.btf`);
const G = join(golden, 'editor-load');

interface RawMember { name: string; bits: number; type: number }
/**
 * bpftool's raw dump read back: `member(struct, name)` is the bit offset of a member in the named struct,
 * found as C finds it (through anonymous members, whose offsets add up), or undefined.
 */
function rawBtf(file: string) {
  const byId = new Map<number, { name: string; members: RawMember[] }>();
  const byName = new Map<string, number>();
  let cur: RawMember[] | undefined;
  for (const l of readFileSync(join(G, file), 'utf8').split('\n')) {
    const s = /^\[(\d+)\] (?:STRUCT|UNION) '([^']*)' /.exec(l);
    if (s) {
      byId.set(+s[1]!, { name: s[2]!, members: (cur = []) });
      if (s[2] !== '(anon)' && !byName.has(s[2]!)) byName.set(s[2]!, +s[1]!);
      continue;
    }
    const m = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)/.exec(l);
    if (m && cur) cur.push({ name: m[1]!, bits: +m[3]!, type: +m[2]! });
    else if (!l.startsWith('\t')) cur = undefined;
  }
  const find = (id: number, name: string, base: number, depth: number): number | undefined => {
    for (const m of byId.get(id)?.members ?? []) {
      if (m.name === name) return base + m.bits;
      if (m.name === '(anon)' && depth < 8) {
        const r = find(m.type, name, base + m.bits, depth + 1);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  };
  return {
    has: (struct: string) => byName.has(struct),
    member: (struct: string, name: string) => (byName.has(struct) ? find(byName.get(struct)!, name, 0, 0) : undefined),
  };
}

/** Puts src/load.c and its object into the workspace copy (src/, build/: line_info names `src/load.c`). */
export function addLoadFixture(root: string): void {
  copyFileSync(join(here, 'src/load.c'), join(root, 'src/load.c'));
  copyFileSync(join(here, 'obj/load.bpfel.o'), join(root, 'build/load.bpfel.o'));
}

const md = (h: Hover | null) => (h ? (h.contents as { value: string }).value : '');

async function hoverAt(s: TestServer, rel: string, lineText: string, at: string): Promise<string> {
  const lines = readFileSync(s.path(rel), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(lineText));
  assert.ok(line >= 0, `no line with ${lineText} in ${rel}`);
  const character = lines[line]!.indexOf(at) + 1;
  return md((await s.client.sendRequest('textDocument/hover', { textDocument: { uri: s.uri(rel) }, position: { line, character } })) as Hover | null);
}

/** The `On target kernels:` line of a hover's member block (the first block). */
function memberLine(hover: string): string | undefined {
  const block = hover.split('\n\n---\n\n')[0]!;
  return /\n\nOn target kernels:\n\n```\n([^\n]*)\n```$/.exec(block)?.[1];
}

describe('a member on every target kernel (hover)', () => {
  test('task_struct.__state and .pid on the CO-RE targets: bpftool\'s offsets; absent where the kernel has no such member', async () => {
    const targets = ['same', 'old', 'moved', 'missing'];
    const s = await startTestServer({ settings: { coreTargets: targets.map(coreBtf) } });
    try {
      const raw = Object.fromEntries(targets.map((t) => [t, rawBtf(`core-${t}.raw.txt`)]));
      const cell = (t: string, struct: string, member: string) => {
        const bits = raw[t]!.member(struct, member);
        return `${t} ${!raw[t]!.has(struct) ? 'has no struct of that name' : bits !== undefined ? `offset ${bits / 8}` : 'absent'}`;
      };
      for (const [lineText, at, member] of [
        ['o->state_exist = bpf_core_field_exists(t->__state);', '__state', '__state'],
        ['o->pid = BPF_CORE_READ(t, pid);', 'pid)', 'pid'],
      ] as const) {
        const want = `task_struct.${member}: ${targets.map((t) => cell(t, 'task_struct', member)).join(' · ')}`;
        assert.equal(memberLine(await hoverAt(s, 'src/core.c', lineText, at)), want);
      }
      // old has `state` (a long), not `__state`: absent there, and not a rename (the type differs)
      assert.ok(raw.old!.member('task_struct', 'state') !== undefined && raw.old!.member('task_struct', '__state') === undefined);
      // a member of an anonymous struct inside sock_common: looked up in the kernel's sock_common by name
      const daddr = memberLine(await hoverAt(s, 'src/core.c', 'o->daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);', 'skc_daddr'));
      assert.equal(daddr, `sock_common.skc_daddr: ${targets.map((t) => cell(t, 'sock_common', 'skc_daddr')).join(' · ')}`);
    } finally {
      s.close();
    }
  });

  test('kernfs_node.parent renamed __parent in the new kernel: "absent (named __parent)" there', async () => {
    const s = await startTestServer({ settings: { coreTargets: [loadBtf('old'), loadBtf('new')] }, prepare: addLoadFixture });
    try {
      const old = rawBtf('old.raw.txt');
      const neu = rawBtf('new.raw.txt');
      // bpftool: `parent` is gone from new, `__parent` sits where it was
      assert.ok(neu.member('kernfs_node', 'parent') === undefined && neu.member('kernfs_node', '__parent') === old.member('kernfs_node', 'parent'));
      const line = memberLine(await hoverAt(s, 'src/load.c', 'return kn->parent != 0', 'parent'));
      assert.equal(line, `kernfs_node.parent: old offset ${old.member('kernfs_node', 'parent')! / 8} · new absent (named __parent)`);
    } finally {
      s.close();
    }
  });
});
