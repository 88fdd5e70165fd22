import { Kind } from '../../btf/kinds';
import type { ByteWriter } from '../../util/writer';
import { NameCounter } from './names';
import type { TypeTable } from './table';

/**
 * Writes C declarations and definitions of BTF types as libbpf's btf_dump does (libbpf 1.1,
 * tools/lib/bpf/btf_dump.c): declarators built from a stack of type IDs, struct/union bodies with
 * the padding members that reproduce the layout, enums, typedefs and forward declarations.
 * The topological ordering that decides *what* to write and *when* is in dump.ts.
 */
export class CEmitter {
  readonly t: TypeTable;
  w: ByteWriter;
  /** Give clashing names libbpf's `___N` suffixes (whole-file dumps); off for one-type rendering. */
  readonly dedup: boolean;
  /** Type casts and names: write `struct` for anonymous types instead of their inline body. */
  skipAnonDefs = false;
  /** Leave const/volatile/restrict/type tags out of declarators. */
  stripMods = false;
  /** With skipAnonDefs: write `struct {...}` rather than libbpf's bare `struct`. */
  anonPlaceholder = false;
  /**
   * Offset comments after each member (one-type rendering): the bit offset of the struct being
   * written from the outermost one, NaN when not annotating. Comments start with \x01 so the caller
   * can align them.
   */
  annotBase = NaN;

  private readonly typeNames: NameCounter | undefined;
  private readonly identNames: NameCounter | undefined;
  /** Per ID: 0 = name not resolved yet, 1 = resolved as is, n > 1 = resolved as name___n. */
  private readonly resolved: Int32Array | undefined;
  private stack = new Int32Array(256);
  private sp = 0;
  /** Declarations being written inside one another (prototype parameters, inline struct members). */
  private nesting = 0;
  private chainDepth = 0;
  /** Padding bits written in the struct being written (bounded: see MAX_PADDING_BITS). */
  private padded = 0;
  /** Prototypes being written (see the FUNC_PROTO case of chainLevel). */
  private readonly protos = new Set<number>();
  /** Anonymous structs/unions whose body is being written: a forged one inlined in itself is written once (else 2^depth bodies). */
  private readonly inlining = new Set<number>();
  /** The declarator name when a caller gives one as text (name offset -1). */
  private literal = '';

  constructor(t: TypeTable, w: ByteWriter, dedup: boolean) {
    this.t = t;
    this.w = w;
    this.dedup = dedup;
    if (dedup) {
      this.typeNames = new NameCounter(t);
      this.identNames = new NameCounter(t);
      this.resolved = new Int32Array(t.count);
    }
  }

  // ---- names ----

  /** The raw bytes of the string at `off`; libbpf prints a NULL name as "(null)". */
  str(off: number): void {
    const t = this.t;
    const pos = t.strStartOf(off);
    if (pos >= 0) this.w.cstr(t.strBytes[t.locBuf]!, pos, t.locEnd);
    else this.w.ascii('(null)');
  }

  /** Struct/union/enum/fwd name as libbpf resolves it against the tag namespace. */
  typeName(id: number): void {
    this.resolvedName(id, false);
  }
  /** Typedef name, resolved against the identifier namespace (shared with enumerators). */
  identName(id: number): void {
    this.resolvedName(id, true);
  }

  /** libbpf's btf_dump_resolve_name: the first type to use a name keeps it, the n-th gets `___n`. */
  private resolvedName(id: number, ident: boolean): void {
    const off = this.t.nameOff(id);
    if (off === 0) return;
    this.nameWithSuffix(off, this.resolve(id, ident));
  }

  /** Resolves (once) and returns the suffix number of `id`'s name (0 or 1: none). */
  resolve(id: number, ident: boolean): number {
    const r = this.resolved;
    if (!r) return 0;
    const t = this.t;
    const off = t.nameOff(id);
    if (off === 0) return 0;
    const have = r[id]!;
    if (have) return have;
    const kind = t.kind(id);
    if (kind === Kind.FWD || (kind === Kind.ENUM && t.vlen(id) === 0)) return (r[id] = 1);
    return (r[id] = (ident ? this.identNames! : this.typeNames!).bump(off));
  }

  /** `name` or `name___n` (snprintf'd into 256 bytes by libbpf, so cut at 255). */
  nameWithSuffix(off: number, n: number): void {
    if (off === -1) {
      this.w.text(this.literal);
      return;
    }
    if (n <= 1) {
      this.str(off);
      return;
    }
    const t = this.t;
    if (!t.locate(off)) {
      this.w.ascii(`(null)___${n}`);
      return;
    }
    const len = t.locEnd - t.locPos;
    const sfx = `___${n}`;
    if (len + sfx.length <= 255) {
      this.w.cstr(t.strBytes[t.locBuf]!, t.locPos, t.locEnd);
      this.w.ascii(sfx);
    } else {
      const keep = Math.min(len, 255);
      this.w.cstr(t.strBytes[t.locBuf]!, t.locPos, t.locPos + keep);
      this.w.ascii(sfx.slice(0, 255 - keep));
    }
  }

  private nameEmpty(off: number): boolean {
    return off === -1 ? this.literal === '' : this.t.emptyStr(off);
  }

  /** A newline, then the indentation of `lvl`. */
  private newline(lvl: number): void {
    this.w.ascii(NL_TABS[lvl > 13 ? 13 : lvl]!);
  }

  // ---- declarations ----

  /**
   * A declaration of type `id` named by the string at `nameOff` (0: no name; -1: `literal`), with
   * suffix `sfx` (libbpf's btf_dump_emit_type_decl): `const char *(*name)[4]`.
   */
  decl(id: number, nameOff: number, sfx: number, lvl: number): void {
    const t = this.t;
    if (this.nesting >= MAX_NESTING) {
      // Only hostile BTF nests this deep (a prototype taking a pointer to itself, an anonymous
      // struct containing itself); libbpf would recurse until it crashed.
      this.w.ascii('/* ... */');
      return;
    }
    this.nesting++;
    const start = this.sp;
    // Runs for every member and parameter: reads the words directly (see TypeTable.at).
    const words = t.words;
    const at = t.at;
    const count = t.count;
    const stripMods = this.stripMods;
    // The chain is as long as the BTF makes it (libbpf's is unbounded: a typedef of 5,000 pointers is
    // printed whole); past LONG_CHAIN links, IDs are remembered so that a loop ends it.
    let seen: Set<number> | undefined;
    for (let links = 0; ; links++) {
      if (links >= LONG_CHAIN) {
        seen ??= new Set();
        if (seen.has(id)) break;
        seen.add(id);
      }
      const valid = id > 0 && id < count;
      const p = valid ? at[id]! : 0;
      const kind = valid ? (words[p + 1]! >>> 24) & 0x7f : 0;
      if (!(stripMods && isMod(kind))) {
        if (this.sp === this.stack.length) this.push(id);
        else this.stack[this.sp++] = id;
      }
      if (id === 0) break;
      if (kind === Kind.PTR || kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT ||
          kind === Kind.FUNC_PROTO || kind === Kind.TYPE_TAG) {
        id = words[p + 2]!;
      } else if (kind === Kind.ARRAY) {
        id = words[p + 3]!;
      } else {
        break; // INT, ENUM, ENUM64, FWD, STRUCT, UNION, TYPEDEF, FLOAT end the chain; so does anything unexpected
      }
    }
    this.chain(start, this.sp - start, nameOff, sfx, lvl);
    this.sp = start;
    this.nesting--;
  }

  /** `decl` with a name given as text. */
  declNamed(id: number, name: string, lvl: number): void {
    const saved = this.literal;
    this.literal = name;
    this.decl(id, name === '' ? 0 : -1, 0, lvl);
    this.literal = saved;
  }

  private push(id: number): void {
    if (this.sp === this.stack.length) {
      const s = new Int32Array(this.stack.length * 2);
      s.set(this.stack);
      this.stack = s;
    }
    this.stack[this.sp++] = id;
  }

  /** Writes const/volatile/restrict prefixes found on top of the frame; returns the new count. */
  private mods(base: number, cnt: number): number {
    const t = this.t;
    while (cnt > 0) {
      const id = this.stack[base + cnt - 1]!;
      const kind = id === 0 ? 0 : t.kind(id);
      if (kind === Kind.VOLATILE) this.w.ascii('volatile ');
      else if (kind === Kind.CONST) this.w.ascii('const ');
      else if (kind === Kind.RESTRICT) this.w.ascii('restrict ');
      else return cnt;
      cnt--;
    }
    return cnt;
  }

  /** Drops modifiers (type tags included) on top of the frame; returns the new count. */
  private dropMods(base: number, cnt: number): number {
    while (cnt > 0) {
      const id = this.stack[base + cnt - 1]!;
      if (id === 0 || !isMod(this.t.kind(id))) return cnt;
      cnt--;
    }
    return cnt;
  }

  private declName(nameOff: number, sfx: number, lastWasPtr: boolean): void {
    if (nameOff === -1 || sfx > 1) {
      if (this.nameEmpty(nameOff)) return;
      if (!lastWasPtr) this.w.byte(32);
      this.nameWithSuffix(nameOff, sfx);
      return;
    }
    // The common case (every member and parameter), in one look-up of the string: nameEmpty, then str.
    if (nameOff === 0) return;
    const t = this.t;
    const pos = t.strStartOf(nameOff);
    if (pos < 0) return;
    const bytes = t.strBytes[t.locBuf]!;
    if (bytes[pos] === 0) return;
    if (!lastWasPtr) this.w.byte(32);
    this.w.cstr(bytes, pos, t.locEnd);
  }

  /**
   * The declarator of the frame stack[base, base+cnt), innermost type on top (libbpf's
   * btf_dump_emit_type_chain): modifiers go left of base types and right of pointers; arrays and
   * function prototypes wrap what is left of the frame in parentheses.
   */
  private chain(base: number, cnt: number, nameOff: number, sfx: number, lvl: number): void {
    // Arrays behind pointers and prototypes recurse once per level (a pointer-array alternation of 6,000 links
    // is 1,500 levels, which bpftool prints whole); past MAX_CHAIN_DEPTH the stack would not hold it.
    if (this.chainDepth >= MAX_CHAIN_DEPTH) {
      this.w.ascii('/* ... */');
      return;
    }
    this.chainDepth++;
    this.chainLevel(base, cnt, nameOff, sfx, lvl);
    this.chainDepth--;
  }

  private chainLevel(base: number, cnt: number, nameOff: number, sfx: number, lvl: number): void {
    const t = this.t;
    const w = this.w;
    let lastWasPtr = true;
    while (cnt > 0) {
      const id = this.stack[base + --cnt]!;
      if (id === 0) {
        cnt = this.mods(base, cnt);
        w.ascii('void');
        lastWasPtr = false;
        continue;
      }
      const kind = t.kind(id);
      switch (kind) {
        case Kind.INT: case Kind.FLOAT:
          cnt = this.mods(base, cnt);
          this.str(t.nameOff(id));
          break;
        case Kind.STRUCT: case Kind.UNION:
          cnt = this.mods(base, cnt);
          if (t.nameOff(id) === 0 && !this.skipAnonDefs) {
            if (this.inlining.has(id)) w.ascii('/* ... */');
            else {
              this.inlining.add(id);
              this.structDef(id, lvl);
              this.inlining.delete(id);
            }
          } else this.structFwd(id);
          break;
        case Kind.ENUM: case Kind.ENUM64:
          cnt = this.mods(base, cnt);
          if (t.nameOff(id) === 0 && !this.skipAnonDefs) this.enumDef(id, lvl);
          else this.enumFwd(id);
          break;
        case Kind.FWD:
          cnt = this.mods(base, cnt);
          this.fwdDef(id);
          break;
        case Kind.TYPEDEF:
          cnt = this.mods(base, cnt);
          this.identName(id);
          break;
        case Kind.PTR:
          w.ascii(lastWasPtr ? '*' : ' *');
          break;
        case Kind.VOLATILE:
          w.ascii(' volatile');
          break;
        case Kind.CONST:
          w.ascii(' const');
          break;
        case Kind.RESTRICT:
          w.ascii(' restrict');
          break;
        case Kind.TYPE_TAG:
          cnt = this.mods(base, cnt);
          w.ascii(' __attribute__((btf_type_tag("');
          this.str(t.nameOff(id));
          w.ascii('")))');
          break;
        case Kind.ARRAY: {
          // A run of arrays is one declarator, `name[2][3]` (outermost first), walked in a loop where
          // libbpf recurses per dimension: as many dimensions as the BTF has. What the run applies to
          // goes in parentheses, `(*name)[2]`.
          const inner = base + cnt;
          let outer = inner;
          let space = !lastWasPtr;
          for (;;) {
            // GCC puts the element's qualifiers on the array too; C has no use for them.
            cnt = this.dropMods(base, cnt);
            if (cnt === 0) {
              this.declName(nameOff, sfx, !space);
              break;
            }
            if (space && !this.nameEmpty(nameOff)) w.byte(32);
            space = false;
            const next = this.stack[base + cnt - 1]!;
            if (next !== 0 && t.kind(next) === Kind.ARRAY) {
              outer = base + --cnt;
              continue;
            }
            w.byte(40);
            this.chain(base, cnt, nameOff, sfx, lvl);
            w.byte(41);
            break;
          }
          for (let p = outer; p <= inner; p++) {
            const a = this.stack[p]!;
            if (a === 0 || t.kind(a) !== Kind.ARRAY) continue; // a dropped qualifier
            w.byte(91);
            w.dec(t.arrayLen(a));
            w.byte(93);
          }
          return;
        }
        case Kind.FUNC_PROTO: {
          // A forged prototype returning or taking itself: written once (each level would write it again per parameter).
          if (this.protos.has(id)) {
            w.ascii('/* ... */');
            return;
          }
          this.protos.add(id);
          // GCC marks noreturn function pointers volatile; dropped like array qualifiers.
          cnt = this.dropMods(base, cnt);
          if (cnt > 0) {
            w.ascii(' (');
            this.chain(base, cnt, nameOff, sfx, lvl);
            w.byte(41);
          } else {
            this.declName(nameOff, sfx, lastWasPtr);
          }
          this.params(id, lvl);
          this.protos.delete(id);
          return;
        }
        default:
          return; // libbpf: "unexpected type in decl chain"
      }
      lastWasPtr = kind === Kind.PTR;
    }
    this.declName(nameOff, sfx, lastWasPtr);
  }

  /** `(int a, char *b)`, `(void)` for none, `...` for a trailing void parameter. */
  private params(id: number, lvl: number): void {
    const t = this.t;
    const w = this.w;
    const n = t.vlen(id);
    w.byte(40);
    if (n === 0 || (n === 1 && t.paramType(id, 0) === 0)) {
      w.ascii('void)');
      return;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) w.ascii(', ');
      const p = t.paramType(id, i);
      if (i === n - 1 && p === 0) {
        w.ascii('...');
        break;
      }
      this.decl(p, t.paramName(id, i), 0, lvl);
    }
    w.byte(41);
  }

  // ---- definitions ----

  structFwd(id: number): void {
    this.w.ascii(this.t.kind(id) === Kind.STRUCT ? 'struct' : 'union');
    if (this.t.nameOff(id) !== 0) {
      this.w.byte(32);
      this.typeName(id);
    } else if (this.anonPlaceholder) {
      this.w.ascii(' {...}');
    }
  }

  enumFwd(id: number): void {
    this.w.ascii('enum ');
    this.typeName(id);
    if (this.t.nameOff(id) === 0 && this.anonPlaceholder) this.w.ascii('{...}');
  }

  fwdDef(id: number): void {
    this.w.ascii(this.t.kflag(id) ? 'union ' : 'struct ');
    this.typeName(id);
  }

  /** `typedef <decl of target> name` (no semicolon). */
  typedefDef(id: number, lvl: number): void {
    const t = this.t;
    const sfx = this.resolve(id, true);
    const off = t.nameOff(id);
    // Old GCC emits __gnuc_va_list as a typedef of void.
    if (t.third(id) === 0 && sfx <= 1 && t.str(off) === '__gnuc_va_list') {
      this.w.ascii('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.w.ascii('typedef ');
    this.decl(t.third(id), off, sfx, lvl);
  }

  enumDef(id: number, lvl: number): void {
    const t = this.t;
    const w = this.w;
    const n = t.vlen(id);
    w.ascii('enum');
    if (t.nameOff(id) !== 0) {
      w.byte(32);
      this.typeName(id);
    }
    if (n === 0) return;
    w.ascii(' {');
    const signed = t.kflag(id);
    const is64 = t.kind(id) === Kind.ENUM64;
    for (let i = 0; i < n; i++) {
      const nameOff = t.u32(id, is64 ? i * 12 : i * 8);
      // Enumerators share the identifier namespace with typedefs.
      const dups = this.identNames ? this.identNames.bump(nameOff) : 1;
      this.newline(lvl + 1);
      this.nameWithSuffix(nameOff, dups);
      w.ascii(' = ');
      if (!is64) {
        w.dec(signed ? t.i32(id, i * 8 + 4) : t.u32(id, i * 8 + 4));
        w.byte(44);
        continue;
      }
      const lo = t.u32(id, i * 12 + 4);
      const hi = t.u32(id, i * 12 + 8);
      if (hi === 0) w.dec(lo);
      else if (signed && hi >= 0x8000_0000) w.ascii(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString());
      else if (hi < 0x20_0000) w.dec(hi * 0x1_0000_0000 + lo);
      else w.ascii(((BigInt(hi) << 32n) | BigInt(lo)).toString());
      w.ascii(signed ? 'LL,' : 'ULL,');
    }
    this.newline(lvl);
    w.byte(125);
  }

  /** The body of a struct/union, with libbpf's padding members and `__attribute__((packed))`. */
  structDef(id: number, lvl: number): void {
    const t = this.t;
    const w = this.w;
    const isStruct = t.kind(id) === Kind.STRUCT;
    const n = t.vlen(id);
    const size = t.third(id);
    const packed = isStruct && t.isPacked(id);
    w.ascii(isStruct ? 'struct' : 'union');
    const outerPadded = this.padded;
    this.padded = 0;
    if (t.nameOff(id) !== 0) {
      w.byte(32);
      this.typeName(id);
    }
    w.ascii(' {');
    const base = this.annotBase;
    const words = t.words;
    const p = t.at[id]! + 3; // first member: name_off, type, offset
    const kflag = t.kflag(id);
    let off = 0;
    let prevBitfield = false;
    const nl = NL_TABS[lvl + 1 > 13 ? 13 : lvl + 1]!; // newline(lvl + 1), once per struct
    for (let i = 0, q = p; i < n; i++, q += 3) {
      const mtype = words[q + 1]!;
      const raw = words[q + 2]!;
      // libbpf computes offsets in C ints (bit offsets past 2^31 turn negative, sizes × 8 wrap): so do we,
      // for bpftool's padding on hostile sizes (none where the arithmetic wraps, not 2^29 lines of it)
      const mOff = (kflag ? raw & 0xff_ffff : raw) | 0;
      let mSz = kflag ? raw >>> 24 : 0;
      // Most members need no padding: skip the call (and the alignment) then.
      if (off < mOff) this.padding(off, mOff, packed ? 1 : t.alignOf(mtype), prevBitfield && mSz !== 0, lvl + 1);
      w.ascii(nl);
      if (base === base) this.annotBase = this.embedsAnon(mtype) ? base + mOff : NaN;
      this.decl(mtype, words[q]!, 0, lvl + 1);
      const bits = mSz;
      if (mSz) {
        w.ascii(': ');
        w.dec(mSz);
        off = (mOff + mSz) | 0;
        prevBitfield = true;
      } else {
        mSz = Math.max(0, t.sizeOf(mtype));
        off = (mOff + Math.imul(mSz, 8)) | 0;
        prevBitfield = false;
      }
      w.byte(59);
      if (base === base) this.memberComment(base + mOff, bits, mSz);
    }
    this.annotBase = base;
    if (isStruct) this.padding(off, Math.imul(size, 8), t.alignOf(id), false, lvl + 1); // u32 size * 8, read as int
    if (n || size) {
      this.newline(lvl);
    }
    w.byte(125);
    if (packed) w.ascii(' __attribute__((packed))');
    this.padded = outerPadded;
  }

  /** True when a member of this type is written as an inline anonymous struct/union body. */
  private embedsAnon(id: number): boolean {
    const t = this.t;
    for (let guard = 0; guard < 32 && id !== 0; guard++) {
      const k = t.kind(id);
      if (isMod(k)) id = t.third(id);
      else return (k === Kind.STRUCT || k === Kind.UNION) && t.nameOff(id) === 0;
    }
    return false;
  }

  private memberComment(bitOff: number, bitfield: number, bytes: number): void {
    const w = this.w;
    w.ascii('\x01/* off: ');
    w.dec(Math.floor(bitOff / 8));
    w.ascii(' (bit ');
    w.dec(bitOff);
    if (bitfield) {
      w.ascii('), bits: ');
      w.dec(bitfield);
    } else {
      w.ascii('), size: ');
      w.dec(bytes);
    }
    w.ascii(' */');
  }

  /**
   * Padding members between bit `cur` and bit `next` (libbpf's btf_dump_emit_bit_padding): the
   * widest of long/int/short/char that reaches an aligned boundary, an explicit `type: 0` where the
   * compiler would not align by itself (always a bit count inside a bitfield run), then whole
   * `type: bits` fills, the last one with the narrowest type that holds the rest.
   */
  private padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    const w = this.w;
    const ptrBits = this.t.ptrSize() * 8;
    let i = 0;
    let padBits = ptrBits;
    let newOff = 0;
    for (; i < 4; i++) {
      padBits = i === 0 ? ptrBits : PAD_BITS[i]!;
      newOff = roundup(cur, padBits);
      if (newOff <= next) break;
    }
    if (i === 4) i = 3;
    let padType = PAD_NAMES[i]!;
    if (newOff > cur && newOff <= next) {
      if (inBitfield ||
          (newOff === next && roundup(cur, nextAlign * 8) !== newOff) ||
          (newOff !== next && next - newOff <= newOff - cur)) {
        this.newline(lvl);
        w.ascii(padType);
        w.ascii(': ');
        w.dec(inBitfield ? newOff - cur : 0);
        w.byte(59);
      }
      cur = newOff;
    }
    this.padded += next - cur;
    if (this.padded > MAX_PADDING_BITS) {
      // Forged member offsets (up to 2^32 bits, a gap per member): libbpf would write 64 million `long: 64;` lines.
      this.newline(lvl);
      w.ascii('/* ');
      w.dec(next - cur);
      w.ascii(' bits of padding */');
      return;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits !== padBits) {
        // The rest, in the narrowest type that holds it.
        for (let j = 3; j >= 0; j--) {
          const b = j === 0 ? ptrBits : PAD_BITS[j]!;
          if (b < bits) continue;
          padType = PAD_NAMES[j]!;
          padBits = b;
          break;
        }
      }
      this.newline(lvl);
      w.ascii(padType);
      w.ascii(': ');
      w.dec(bits);
      w.byte(59);
      cur += bits;
    }
  }
}

/** More padding than any struct has (512 KiB in all): the rest is written as one comment per gap, not a line per 8 bytes. */
const MAX_PADDING_BITS = 1 << 22;

/** Declarator levels written by recursion (array runs behind pointers, prototypes) before the stack runs out. */
const MAX_CHAIN_DEPTH = 4096;
/** Deeper nesting of declarations than any C source has: taken for a loop. */
const MAX_NESTING = 256;
/** Chains of modifiers, pointers and arrays longer than this are checked for loops as they are walked. */
const LONG_CHAIN = 4096;

/** libbpf indents with at most 13 tabs. */
const TABS = Array.from({ length: 14 }, (_, i) => '\t'.repeat(i));
const NL_TABS = TABS.map((t) => `\n${t}`);
const PAD_NAMES = ['long', 'int', 'short', 'char'];
const PAD_BITS = [64, 32, 16, 8];

/** libbpf's roundup() on ints: C division truncates toward zero. */
function roundup(x: number, y: number): number {
  return Math.trunc((x + y - 1) / y) * y;
}

/** libbpf's btf_is_mod: const, volatile, restrict and type tags. */
export function isMod(kind: number): boolean {
  return kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG;
}
