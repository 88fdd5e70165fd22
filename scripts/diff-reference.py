#!/usr/bin/env python3
"""diff-reference.py - what changed between two BTFs, from bpftool's JSON alone.

The oracle of `btf-lens diff`: it shares no code with BTF Lens. It reads what
`bpftool btf dump file X -j` prints for each side (and for its base, when the side is split BTF),
matches named types by kind and name, compares members, parameters and enumerators, spells C
types itself from the JSON (libbpf's btf_dump declarator rules), and prints the diff in the JSON
schema of README.md ("Diff JSON schema"). The rules it implements are the README's.

usage: diff-reference.py OLD NEW [--base-old F] [--base-new F] [--old-name S] [--new-name S]
                         [--bpftool PATH] [--json-old F.json] [--json-new F.json]
                         [--json-base-old F.json] [--json-base-new F.json]
       diff-reference.py --check-spelling FILE [--bpftool PATH]
--json-*: read bpftool's JSON from a file instead of running bpftool.
--check-spelling: this script's C spelling against `bpftool btf dump file FILE format c`, member by member
(the structs and unions whose members print one per line and whose name is unique); exit 1 on a difference.
"""
import argparse
import json
import subprocess
import sys

KINDS = ['STRUCT', 'UNION', 'ENUM', 'ENUM64', 'TYPEDEF', 'FUNC', 'VAR']
MODS = ('CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG')
MAX_DEPTH = 32  # anonymous bodies followed inside one another


def bpftool_json(bpftool, path, base=None):
    cmd = [bpftool, 'btf', 'dump', 'file', path, '-j']
    if base:
        cmd[1:1] = ['-B', base]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)['types']


def nm(t):
    """bpftool prints an empty name as (anon)."""
    n = t.get('name', '')
    return '' if n == '(anon)' else n


class Side:
    def __init__(self, own, base):
        self.types = {0: {'kind': 'VOID'}}
        for t in base or []:
            self.types[t['id']] = t
        for t in own:
            self.types[t['id']] = t
        self.own = own
        self.cache = {}

    def t(self, i):
        return self.types.get(i, {'kind': 'VOID'})

    def kind(self, i):
        return self.t(i)['kind']

    def strip(self, i):
        for _ in range(32):
            if self.kind(i) not in MODS:
                break
            i = self.t(i)['type_id']
        return i

    def anon_composite(self, i):
        i = self.strip(i)
        return i if self.kind(i) in ('STRUCT', 'UNION') and not nm(self.t(i)) else 0

    def anon_enum(self, i):
        i = self.strip(i)
        return i if self.kind(i) in ('ENUM', 'ENUM64') and not nm(self.t(i)) else 0

    # ---- C spelling: libbpf btf_dump_emit_type_decl / emit_type_chain, casts (no name),
    # anonymous structs, unions and enums written as `struct {...}` rather than inline ----

    def spell(self, i):
        if i not in self.cache:
            self.cache[i] = self.decl(i, '')
        return self.cache[i]

    def decl(self, i, fname):
        stack = []
        for _ in range(4096):
            stack.append(i)
            t = self.t(i)
            k = t['kind']
            if k in ('PTR', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG', 'ARRAY'):
                i = t['type_id']
            elif k == 'FUNC_PROTO':
                i = t['ret_type_id']
            else:
                break
        out = []
        self.chain(stack, fname, out)
        return ''.join(out)

    def mods(self, stack, out):
        while stack:
            k = self.kind(stack[-1]) if stack[-1] else 'VOID'
            if k == 'VOLATILE':
                out.append('volatile ')
            elif k == 'CONST':
                out.append('const ')
            elif k == 'RESTRICT':
                out.append('restrict ')
            else:
                return
            stack.pop()

    def drop_mods(self, stack):
        while stack and stack[-1] and self.kind(stack[-1]) in MODS:
            stack.pop()

    @staticmethod
    def name_out(fname, last_was_ptr, out):
        if fname:
            out.append(fname if last_was_ptr else ' ' + fname)

    def chain(self, stack, fname, out):
        last_was_ptr = True
        while stack:
            i = stack.pop()
            if i == 0:
                self.mods(stack, out)
                out.append('void')
                last_was_ptr = False
                continue
            t = self.t(i)
            k = t['kind']
            if k in ('INT', 'FLOAT', 'TYPEDEF'):
                self.mods(stack, out)
                out.append(nm(t))
            elif k in ('STRUCT', 'UNION'):
                self.mods(stack, out)
                out.append(k.lower() + (' ' + nm(t) if nm(t) else ' {...}'))
            elif k in ('ENUM', 'ENUM64'):
                self.mods(stack, out)
                out.append('enum ' + (nm(t) or '{...}'))
            elif k == 'FWD':
                self.mods(stack, out)
                out.append(t['fwd_kind'] + ' ' + nm(t))
            elif k == 'PTR':
                out.append('*' if last_was_ptr else ' *')
            elif k in ('VOLATILE', 'CONST', 'RESTRICT'):
                out.append(' ' + k.lower())
            elif k == 'TYPE_TAG':
                self.mods(stack, out)
                out.append(' __attribute__((btf_type_tag("%s")))' % nm(t))
            elif k == 'ARRAY':
                self.drop_mods(stack)  # GCC puts the element's qualifiers on the array
                if not stack:
                    self.name_out(fname, last_was_ptr, out)
                else:
                    multidim = stack[-1] != 0 and self.kind(stack[-1]) == 'ARRAY'
                    if fname and not last_was_ptr:
                        out.append(' ')
                    if not multidim:
                        out.append('(')
                    self.chain(stack, fname, out)
                    if not multidim:
                        out.append(')')
                out.append('[%d]' % t['nr_elems'])
                return
            elif k == 'FUNC_PROTO':
                self.drop_mods(stack)
                if stack:
                    out.append(' (')
                    self.chain(stack, fname, out)
                    out.append(')')
                else:
                    self.name_out(fname, last_was_ptr, out)
                ps = t['params']
                if not ps or (len(ps) == 1 and ps[0]['type_id'] == 0):
                    out.append('(void)')
                    return
                parts = []
                for n, p in enumerate(ps):
                    if n == len(ps) - 1 and p['type_id'] == 0:
                        parts.append('...')
                        break
                    parts.append(self.decl(p['type_id'], nm(p)))
                out.append('(' + ', '.join(parts) + ')')
                return
            else:
                return
            last_was_ptr = k == 'PTR'
        self.name_out(fname, last_was_ptr, out)


# ---- comparisons (README, "Diff JSON schema") ----

def leaves(s, i):
    """Members of struct/union i, members of anonymous bodies included (path `u.a`), absolute bit offsets."""
    out, seen = [], set()

    def walk(i, base, prefix, depth):
        for m in s.t(i).get('members', []):
            off = base + m['bits_offset']
            anon = s.anon_composite(m['type_id']) if depth < MAX_DEPTH else 0
            if not nm(m):
                if anon:
                    walk(anon, off, prefix, depth + 1)
                continue
            path = prefix + nm(m)
            if path not in seen:
                seen.add(path)
                out.append({'path': path, 'type': s.spell(m['type_id']), 'off': off, 'bits': m.get('bitfield_size', 0)})
            if anon:
                walk(anon, off, path + '.', depth + 1)

    walk(i, 0, '', 0)
    return out


def cmp_composite(sa, a, sb, b, out):
    za, zb = sa.t(a)['size'], sb.t(b)['size']
    if za != zb:
        out.append({'what': 'size changed', 'old': za, 'new': zb})
    la, lb = leaves(sa, a), leaves(sb, b)
    newp = {l['path']: l for l in lb}
    oldp = {l['path'] for l in la}
    added = [l for l in lb if l['path'] not in oldp]
    renamed, used = {}, set()
    for o in la:
        if o['path'] in newp:
            continue
        for k, n in enumerate(added):
            if k not in used and (n['off'], n['bits'], n['type']) == (o['off'], o['bits'], o['type']):
                used.add(k)
                renamed[o['path']] = n['path']
                break
    for o in la:
        n = newp.get(o['path'])
        if n:
            if o['type'] != n['type']:
                out.append({'what': 'field type changed', 'member': o['path'], 'old': o['type'], 'new': n['type']})
            if o['off'] != n['off']:
                out.append({'what': 'field moved', 'member': o['path'], 'old': o['off'], 'new': n['off']})
            if o['bits'] != n['bits']:
                out.append({'what': 'bitfield changed', 'member': o['path'], 'old': o['bits'], 'new': n['bits']})
        elif o['path'] in renamed:
            out.append({'what': 'field renamed', 'member': o['path'], 'old': o['path'], 'new': renamed[o['path']]})
        else:
            out.append({'what': 'field removed', 'member': o['path'], 'old': o['type']})
    for k, n in enumerate(added):
        if k not in used:
            out.append({'what': 'field added', 'member': n['path'], 'new': n['type']})


def enum_values(s, i):
    t = s.t(i)
    vals = {}
    for v in t.get('values', []):
        if v['name'] in vals:
            continue
        x = v['val']
        if t['kind'] == 'ENUM64':
            x = str(x)
        elif t.get('encoding') == 'SIGNED':
            x = (x & 0xffffffff) - ((x & 0x80000000) << 1)
        else:
            x &= 0xffffffff  # bpftool 7.1 prints unsigned 32-bit values sign-extended to 64 bits
        vals[v['name'] if v['name'] != '(anon)' else ''] = x
    return vals


def cmp_enum(sa, a, sb, b, out):
    va, vb = enum_values(sa, a), enum_values(sb, b)
    for n, v in va.items():
        if n not in vb:
            out.append({'what': 'value removed', 'member': n, 'old': v})
        elif vb[n] != v or type(vb[n]) is not type(v):
            out.append({'what': 'value changed', 'member': n, 'old': v, 'new': vb[n]})
    for n, v in vb.items():
        if n not in va:
            out.append({'what': 'value added', 'member': n, 'new': v})


def params(s, proto):
    ps = s.t(proto).get('params', []) if proto else []
    out, seen = [], set()
    for k, p in enumerate(ps):
        key = nm(p) or '#%d' % k
        if key in seen:
            continue
        seen.add(key)
        out.append({'key': key, 'type': '...' if k == len(ps) - 1 and p['type_id'] == 0 else s.spell(p['type_id']), 'index': k})
    return out


def cmp_func(sa, a, sb, b, out):
    ta, tb = sa.t(a), sb.t(b)
    if ta['linkage'] != tb['linkage']:
        out.append({'what': 'linkage changed', 'old': ta['linkage'], 'new': tb['linkage']})
    pa = ta['type_id'] if sa.kind(ta['type_id']) == 'FUNC_PROTO' else 0
    pb = tb['type_id'] if sb.kind(tb['type_id']) == 'FUNC_PROTO' else 0
    ra = sa.spell(sa.t(pa)['ret_type_id'] if pa else 0)
    rb = sb.spell(sb.t(pb)['ret_type_id'] if pb else 0)
    if ra != rb:
        out.append({'what': 'return type changed', 'old': ra, 'new': rb})
    qa, qb = params(sa, pa), params(sb, pb)
    keys_a = [q['key'] for q in qa]
    keys_b = [q['key'] for q in qb]
    common_a = [k for k in keys_a if k in keys_b]
    common_b = [k for k in keys_b if k in keys_a]
    newk = {q['key']: q for q in qb}
    added = [q for q in qb if q['key'] not in keys_a]
    used = set()
    for o in qa:
        n = newk.get(o['key'])
        if n:
            if o['type'] != n['type']:
                out.append({'what': 'param type changed', 'member': o['key'], 'old': o['type'], 'new': n['type']})
            if common_a.index(o['key']) != common_b.index(o['key']):
                out.append({'what': 'param reordered', 'member': o['key'], 'old': o['index'], 'new': n['index']})
            continue
        for k, q in enumerate(added):
            if k not in used and q['index'] == o['index'] and q['type'] == o['type']:
                used.add(k)
                out.append({'what': 'param renamed', 'member': o['key'], 'old': o['key'], 'new': q['key']})
                break
        else:
            out.append({'what': 'param removed', 'member': o['key'], 'old': o['type']})
    for k, q in enumerate(added):
        if k not in used:
            out.append({'what': 'param added', 'member': q['key'], 'new': q['type']})


def compare(kind, sa, a, sb, b):
    out = []
    if kind in ('STRUCT', 'UNION'):
        cmp_composite(sa, a, sb, b, out)
    elif kind in ('ENUM', 'ENUM64'):
        cmp_enum(sa, a, sb, b, out)
    elif kind == 'FUNC':
        cmp_func(sa, a, sb, b, out)
    elif kind == 'TYPEDEF':
        x, y = sa.t(a)['type_id'], sb.t(b)['type_id']
        if sa.spell(x) != sb.spell(y):
            out.append({'what': 'target changed', 'old': sa.spell(x), 'new': sb.spell(y)})
        ca, cb = sa.anon_composite(x), sb.anon_composite(y)
        if ca and cb:
            cmp_composite(sa, ca, sb, cb, out)
        ea, eb = sa.anon_enum(x), sb.anon_enum(y)
        if ea and eb:
            cmp_enum(sa, ea, sb, eb, out)
    elif kind == 'VAR':
        x, y = sa.spell(sa.t(a)['type_id']), sb.spell(sb.t(b)['type_id'])
        if x != y:
            out.append({'what': 'type changed', 'old': x, 'new': y})
    return out


def diff(sa, sb):
    def named(s):
        groups = {}
        for t in s.own:
            if t['kind'] in KINDS and nm(t):
                groups.setdefault((t['kind'], t['name']), []).append(t['id'])
        return groups

    ga, gb = named(sa), named(sb)
    changes = []
    for key in list(ga) + [k for k in gb if k not in ga]:
        kind, name = key
        olds, news = sorted(ga.get(key, [])), sorted(gb.get(key, []))
        # Each old one first with the first new one equal to it, the rest in ID order.
        taken, rest = set(), []
        for a in olds:
            for b in news:
                if b not in taken and not compare(kind, sa, a, sb, b):
                    taken.add(b)
                    break
            else:
                rest.append(a)
        left = [b for b in news if b not in taken]
        for k, a in enumerate(rest):
            if k < len(left):
                changes.append({'kind': kind, 'name': name, 'change': 'changed', 'details': compare(kind, sa, a, sb, left[k])})
            else:
                changes.append({'kind': kind, 'name': name, 'change': 'removed', 'details': []})
        for b in left[len(rest):]:
            changes.append({'kind': kind, 'name': name, 'change': 'added', 'details': []})
    changes.sort(key=lambda c: (KINDS.index(c['kind']), c['name']))
    summary = {w: sum(1 for c in changes if c['change'] == w) for w in ('added', 'removed', 'changed')}
    return changes, summary


def check_spelling(bpftool, path):
    import re
    types = bpftool_json(bpftool, path)
    s = Side(types, None)
    text = subprocess.run([bpftool, 'btf', 'dump', 'file', path, 'format', 'c'], check=True, capture_output=True, text=True).stdout
    bodies = {}
    for m in re.finditer(r'^(struct|union) (\w+) \{\n(.*?)\n\}', text, re.S | re.M):
        bodies[(m.group(1), m.group(2))] = m.group(3).split('\n')
    counts = {}
    for t in types:
        if t['kind'] in ('STRUCT', 'UNION'):
            key = (t['kind'].lower(), t['name'])
            counts[key] = counts.get(key, 0) + 1
    dup = {k for k, c in counts.items() if c > 1}
    ok, bad = 0, []
    for t in types:
        key = (t['kind'].lower(), t['name'])
        if t['kind'] not in ('STRUCT', 'UNION') or not nm(t) or key in dup or key not in bodies:
            continue
        lines = bodies[key]
        simple = [l for l in lines if l.startswith('\t') and not l.startswith('\t\t')]
        if len(simple) != len(t['members']) or any('{' in l or '}' in l or '___' in l for l in lines):
            continue
        for l, mb in zip(simple, t['members']):
            want = re.sub(r': \d+$', '', l.strip().rstrip(';')) if 'bitfield_size' in mb else l.strip().rstrip(';')
            got = s.decl(mb['type_id'], nm(mb))
            if got == want:
                ok += 1
            else:
                bad.append('%s %s: bpftool %r, here %r' % (key[0], key[1], want, got))
    print('%s: %d members spelled as bpftool format c, %d differ' % (path, ok, len(bad)))
    for b in bad[:20]:
        print('  ' + b)
    return 1 if bad or not ok else 0


def main():
    if '--check-spelling' in sys.argv:
        argv = sys.argv
        bt = argv[argv.index('--bpftool') + 1] if '--bpftool' in argv else 'bpftool'
        sys.exit(check_spelling(bt, argv[argv.index('--check-spelling') + 1]))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('old')
    ap.add_argument('new')
    ap.add_argument('--base-old')
    ap.add_argument('--base-new')
    ap.add_argument('--old-name')
    ap.add_argument('--new-name')
    ap.add_argument('--bpftool', default='bpftool')
    for s in ('old', 'new', 'base-old', 'base-new'):
        ap.add_argument('--json-' + s)
    a = ap.parse_args()

    def load(path, js):
        if js:
            with open(js) as f:
                return json.load(f)['types']
        return bpftool_json(a.bpftool, path)

    def side(path, js, base, base_js):
        b = load(base, base_js) if base or base_js else None
        own = json.load(open(js))['types'] if js else bpftool_json(a.bpftool, path, base)
        return Side(own, b)

    sa = side(a.old, a.json_old, a.base_old, a.json_base_old)
    sb = side(a.new, a.json_new, a.base_new, a.json_base_new)
    changes, summary = diff(sa, sb)
    json.dump({'old': a.old_name or a.old, 'new': a.new_name or a.new, 'changes': changes, 'summary': summary},
              sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
