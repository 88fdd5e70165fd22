/**
 * The places member accesses are written in BPF C (server/src/lsp/c-access.ts): chains and CO-RE macro
 * arguments, as C and libbpf's bpf_core_read.h define them (`BPF_CORE_READ(s, a, b.c)` is `s->a->b.c`;
 * `BPF_CORE_READ_BITFIELD_PROBED(&s->a, f)` is `s->a.f`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Place, accessPlaces, declaredType, segmentAt, statementLines } from '../../server/src/lsp/c-access';

const getter = (src: string) => {
  const lines = src.split('\n');
  return (n: number) => lines[n] ?? '';
};
/** Places of a one-line text as `root: run.run/run · core?`. */
function show(src: string): string[] {
  const text = getter(src);
  const n = src.split('\n').length - 1;
  return accessPlaces(text, 0, n).map(fmt).sort();
}
function fmt(p: Place): string {
  const root = p.root.kind === 'var' ? p.root.name : p.root.kind === 'type' ? `(${p.root.keyword ? `${p.root.keyword} ` : ''}${p.root.name})` : '?';
  return `${root}: ${p.runs.map((r) => r.segs.map((s) => s.name).join('.')).join(' -> ')}${p.core ? ' · core' : ''}`;
}

describe('c-access: where member accesses are written', () => {
  test('a member beside a CO-RE read of the same name: two places, one in the macro', () => {
    assert.deepEqual(show('\to->pid = BPF_CORE_READ(t, pid);  /* o->x in a comment */'), ['o: pid', 't: pid · core']);
  });

  test('macro arguments chain through -> (each argument) and . (inside one)', () => {
    assert.deepEqual(show('BPF_CORE_READ_INTO(&o->tgid, t, real_parent, real_parent, tgid);'), ['o: tgid · core', 't: real_parent -> real_parent -> tgid · core']);
    assert.deepEqual(show('x = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32[3]);'), ['sk: __sk_common.skc_v6_daddr.in6_u.u6_addr32 · core']);
    assert.deepEqual(show('x = BPF_CORE_READ(t->mm, flags) + BPF_CORE_READ_USER(t, comm[1]);'), ['t: comm · core', 't: mm -> flags · core']);
  });

  test('&s->a as the source of a field macro continues its run: (&s->a)->f is s->a.f', () => {
    assert.deepEqual(show('o->reuse = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);'), ['o: reuse', 'sk: __sk_common.skc_reuse · core']);
  });

  test('casts give the root type; -> starts a run, . and [] continue it', () => {
    assert.deepEqual(show('e = bpf_core_field_exists(((struct task_struct___pre514 *)t)->state);'), ['(struct task_struct___pre514): state · core']);
    assert.deepEqual(show('x = BPF_CORE_READ((struct task_struct___pre514 *)prev, flags);'), ['(struct task_struct___pre514): flags · core']);
    assert.deepEqual(show('o->pid = t->real_parent->mm->task_size + a.b[2].c + ctx[0]->x;'), ['?: x', 'a: b.c', 'o: pid', 't: real_parent -> mm -> task_size']);
    assert.deepEqual(show('o->tgid = __builtin_preserve_access_index(t->comm[1]) + 1.5;'), ['o: tgid', 't: comm · core']);
  });

  test('libbpf\'s two-argument field macros: (type, field) and (*ptr, field)', () => {
    assert.deepEqual(show('a = bpf_core_field_exists(struct task_struct, pid) + bpf_core_field_size(*t, comm) + bpf_core_field_offset(atomic_t, counter);'),
      ['(atomic_t): counter · core', '(struct task_struct): pid · core', 't: comm · core']);
  });

  test('comments, strings and preprocessor lines hold no places', () => {
    assert.deepEqual(show('#define X(p) p->a\n/* t->pid\n   o->x */ s = "a->b"; // c->d'), []);
  });

  test('a macro call over two lines: the statement is read whole', () => {
    const src = '\tif (!o)\n\t\treturn 0;\n\tx = BPF_CORE_READ(t,\n\t\t\treal_parent, pid);\n\ty = 1;';
    const text = getter(src);
    assert.deepEqual(statementLines(text, 3), [2, 3]);
    const places = accessPlaces(text, 2, 3);
    assert.deepEqual(places.map(fmt), ['t: real_parent -> pid · core']);
    const at = segmentAt(places, 3, src.split('\n')[3]!.indexOf('pid') + 1);
    assert.deepEqual(at && [at.run, at.seg], [1, 0]);
    assert.equal(segmentAt(places, 3, 0), undefined);
  });

  test('declared types: the nearest declaration above, with its pointer depth', () => {
    const src = [
      'int prog(struct task_struct *t, struct sock *sk)',
      '{',
      '\tstruct core_out *o = slot(), x;',
      '\tatomic_t *v;',
      '\tstruct sock_common sc;',
      '\tn = a * t;',
      '}',
    ].join('\n');
    const text = getter(src);
    assert.deepEqual(declaredType(text, 6, 't'), { name: 'task_struct', keyword: 'struct', stars: 1 });
    assert.deepEqual(declaredType(text, 6, 'sk'), { name: 'sock', keyword: 'struct', stars: 1 });
    assert.deepEqual(declaredType(text, 6, 'o'), { name: 'core_out', keyword: 'struct', stars: 1 });
    assert.deepEqual(declaredType(text, 6, 'v'), { name: 'atomic_t', keyword: undefined, stars: 1 });
    assert.deepEqual(declaredType(text, 6, 'sc'), { name: 'sock_common', keyword: 'struct', stars: 0 });
    assert.equal(declaredType(text, 6, 'nope'), undefined);
  });
});
