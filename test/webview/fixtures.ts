/**
 * Hand-made BTF for the editor's browser test: a base with hostile names (markup and script in type,
 * member and enumerator names), a pointer cycle, and a split BTF on it whose types refer to base types.
 * Built here because no compiler emits a struct named `<img src=x onerror=alert(1)>`.
 */
export const HOSTILE = '<img src=x onerror=alert(1)>';
export const HOSTILE_MEMBER = '<script>alert(2)</script>';
export const HOSTILE_ENUM = '<i>GREEN</i>';

interface T {
  name?: string;
  kind: number;
  kflag?: boolean;
  third: number;
  /** Words after btf_type; strings are replaced by their offsets. */
  extra?: (number | string)[];
  vlen?: number;
}

function build(types: T[], strBase: number): Uint8Array {
  const strs: string[] = [''];
  const at = new Map<string, number>([['', 0]]);
  let len = 1;
  const str = (s: string) => {
    if (!at.has(s)) {
      at.set(s, len);
      strs.push(s);
      len += Buffer.byteLength(s) + 1;
    }
    return strBase + at.get(s)!;
  };
  const words: number[] = [];
  for (const t of types) {
    words.push(t.name ? str(t.name) : 0, (((t.kflag ? 1 : 0) << 31) | (t.kind << 24) | (t.vlen ?? 0)) >>> 0, t.third >>> 0);
    for (const x of t.extra ?? []) words.push(typeof x === 'string' ? str(x) : x >>> 0);
  }
  const strBytes = Buffer.concat(strs.map((s) => Buffer.from(`${s}\0`)));
  const buf = Buffer.alloc(24 + words.length * 4 + strBytes.length);
  buf.writeUInt16LE(0xeb9f, 0);
  buf[2] = 1;
  buf.writeUInt32LE(24, 4);
  buf.writeUInt32LE(0, 8);
  buf.writeUInt32LE(words.length * 4, 12);
  buf.writeUInt32LE(words.length * 4, 16);
  buf.writeUInt32LE(strBytes.length, 20);
  words.forEach((w, i) => buf.writeUInt32LE(w, 24 + i * 4));
  strBytes.copy(buf, 24 + words.length * 4);
  return new Uint8Array(buf);
}

const INT = 1, PTR = 2, STRUCT = 4, ENUM = 6, TYPEDEF = 8, FUNC = 12, FUNC_PROTO = 13;

/** Base: 8 types. [2] is the hostile struct, [7] list_head (next/prev point back at it). */
export function hostileBase(opts: { extraFirst?: boolean } = {}): Uint8Array {
  const first: T[] = opts.extraFirst ? [{ name: 'long', kind: INT, third: 8, extra: [(1 << 24) | 64] }] : [];
  const shift = first.length;
  const ref = (id: number) => id + shift;
  return build([
    ...first,
    { name: 'int', kind: INT, third: 4, extra: [(1 << 24) | 32] },
    { name: HOSTILE, kind: STRUCT, third: 16, vlen: 3, extra: ['next', ref(3), 0, 'count', ref(1), 64, HOSTILE_MEMBER, ref(1), 96] },
    { kind: PTR, third: ref(2) },
    { name: 'colour', kind: ENUM, third: 4, vlen: 3, extra: ['RED', 0, HOSTILE_ENUM, 1, 'BLUE', 7] },
    { kind: FUNC_PROTO, third: ref(1), vlen: 1, extra: ['a', ref(3)] },
    { name: 'do_thing', kind: FUNC, third: ref(5), vlen: 1 },
    { name: 'list_head', kind: STRUCT, third: 16, vlen: 2, extra: ['next', ref(8), 0, 'prev', ref(8), 64] },
    { kind: PTR, third: ref(7) },
  ], 0);
}

/** Split on hostileBase (IDs from 9): own_struct embeds the base's list_head and has a bitfield. */
export function hostileSplit(baseStrLen: number): Uint8Array {
  return build([
    { name: 'own_struct', kind: STRUCT, kflag: true, third: 24, vlen: 3, extra: ['head', 7, 0, 'n', 1, 128, 'flag', 1, (3 << 24) | 160] },
    { kind: PTR, third: 9 },
    { name: 'own_t', kind: TYPEDEF, third: 9 },
  ], baseStrLen);
}

/** A second level on hostileSplit (IDs from 12): members of both levels below. */
export function hostileSplit2(strBase: number): Uint8Array {
  return build([{ name: 'level2', kind: STRUCT, third: 32, vlen: 2, extra: ['own', 9, 0, 'lh', 7, 192] }], strBase);
}

/** Length of a raw BTF's string section (where a split BTF's string offsets start). */
export function strLenOf(btf: Uint8Array): number {
  return Buffer.from(btf.buffer, btf.byteOffset, btf.byteLength).readUInt32LE(20);
}
