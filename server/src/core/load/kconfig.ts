import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { ERRNO, TypeView } from '../core-relo/types';
import { findByNameKind } from './names';
import type { ExternDesc } from './externs';

/**
 * Values of `.kconfig` externs as libbpf 1.1 sets them (bpf_object__process_kconfig_line,
 * set_kcfg_value_tri/str/num): a kernel .config read line by line; the first line libbpf cannot take
 * ends the reading and the load.
 */

export interface KcfgEmit {
  /** A line about one extern (`ext`), or about the file (`ext` undefined). */
  (level: 'warn' | 'debug', text: string, ext?: ExternDesc): void;
}

export interface KcfgState {
  set: boolean;
  /** What libbpf printed after `set to ` (the .config text, or 0x… for LINUX_* values). */
  value?: string;
  /** The extern's own failure. */
  err?: number;
}

/** KERNEL_VERSION of <linux/version.h> (the patch level saturates at 255). */
export function kernelVersionCode(release: string): number {
  const m = /^\s*\+?(\d+)\.\s*\+?(\d+)\.\s*\+?(\d+)/.exec(release);
  if (!m) return 0;
  const [a, b, c] = [Number(m[1]) >>> 0, Number(m[2]) >>> 0, Number(m[3]) >>> 0];
  return ((a << 16) + (b << 8) + Math.min(c, 255)) >>> 0;
}

const U64 = (1n << 64n) - 1n;

/** is_kcfg_value_in_range */
function inRange(ext: ExternDesc, v: bigint): boolean {
  const sz = ext.kcfg!.sz;
  if (sz === 8) return true;
  const bits = BigInt(sz * 8);
  if (ext.kcfg!.signed) return ((v + (1n << (bits - 1n))) & U64) < 1n << bits;
  return v >> bits === 0n;
}

/** set_kcfg_value_num; 0 or a negative errno. */
export function setNum(ext: ExternDesc, v: bigint, st: KcfgState, emit: KcfgEmit): number {
  const k = ext.kcfg!;
  if (k.type !== 'int' && k.type !== 'char' && k.type !== 'bool') {
    emit('warn', `extern (kcfg) '${ext.name}': value '${v}' implies integer, char, or boolean type`, ext);
    return -ERRNO.EINVAL;
  }
  if (k.type === 'bool' && v > 1n) {
    emit('warn', `extern (kcfg) '${ext.name}': value '${v}' isn't boolean compatible`, ext);
    return -ERRNO.EINVAL;
  }
  if (!inRange(ext, v)) {
    emit('warn', `extern (kcfg) '${ext.name}': value '${v}' doesn't fit in ${k.sz} bytes`, ext);
    return -ERRNO.ERANGE;
  }
  if (k.sz !== 1 && k.sz !== 2 && k.sz !== 4 && k.sz !== 8) return -ERRNO.EINVAL;
  st.set = true;
  return 0;
}

function setTri(ext: ExternDesc, c: string, st: KcfgState, emit: KcfgEmit): number {
  const t = ext.kcfg!.type;
  if (t === 'bool') {
    if (c === 'm') {
      emit('warn', `extern (kcfg) '${ext.name}': value '${c}' implies tristate or char type`, ext);
      return -ERRNO.EINVAL;
    }
  } else if (t !== 'tristate' && t !== 'char') {
    emit('warn', `extern (kcfg) '${ext.name}': value '${c}' implies bool, tristate, or char type`, ext);
    return -ERRNO.EINVAL;
  }
  st.set = true;
  return 0;
}

function setStr(ext: ExternDesc, value: string, st: KcfgState, emit: KcfgEmit): number {
  if (ext.kcfg!.type !== 'char-arr') {
    emit('warn', `extern (kcfg) '${ext.name}': value '${value}' implies char array type`, ext);
    return -ERRNO.EINVAL;
  }
  const bytes = new TextEncoder().encode(value).length;
  if (bytes < 2 || !value.endsWith('"')) {
    emit('warn', `extern (kcfg) '${ext.name}': invalid string config '${value}'`, ext);
    return -ERRNO.EINVAL;
  }
  const len = bytes - 2;
  if (len >= ext.kcfg!.sz) {
    emit('warn', `extern (kcfg) '${ext.name}': long string '${value}' of (${len} bytes) truncated to ${ext.kcfg!.sz - 1} bytes`, ext);
  }
  st.set = true;
  return 0;
}

/**
 * strtoull(value, &end, 0) as parse_u64 uses it: leading blanks, a sign, 0x/0 prefixes; ERANGE past
 * 2^64-1 (strtoull then returns ULLONG_MAX); a minus negates modulo 2^64.
 */
function parseU64(value: string, ext: ExternDesc, emit: KcfgEmit): bigint | number {
  let i = 0;
  while (i < value.length && ' \t\n\v\f\r'.includes(value[i]!)) i++;
  let neg = false;
  if (value[i] === '+' || value[i] === '-') neg = value[i++] === '-';
  let base = 10;
  if (value[i] === '0' && (value[i + 1] === 'x' || value[i + 1] === 'X') && /[0-9a-fA-F]/.test(value[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (value[i] === '0') {
    base = 8;
  }
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  let v = 0n;
  let overflow = false;
  while (i < value.length && digits.test(value[i]!)) {
    v = v * BigInt(base) + BigInt(parseInt(value[i]!, base));
    if (v > U64) overflow = true;
    i++;
  }
  // no digits at all: strtoull sets end to the start of the string
  if (i === start) i = 0;
  if (overflow) {
    emit('warn', `failed to parse '${value}' as integer: ${-ERRNO.ERANGE}`, ext);
    return -ERRNO.ERANGE;
  }
  if (i < value.length) {
    emit('warn', `failed to parse '${value}' as integer completely`, ext);
    return -ERRNO.EINVAL;
  }
  return neg ? (-v) & U64 : v;
}

/**
 * bpf_object__process_kconfig_line for one line (without its newline): 0, or a negative errno with
 * the text libbpf prints for the line afterwards (the buffer as the failure left it).
 */
function processLine(
  raw: string, hadNewline: boolean, externs: ExternDesc[], states: Map<ExternDesc, KcfgState>, emit: KcfgEmit,
): { err: number; shown: string } {
  if (!raw.startsWith('CONFIG_')) return { err: 0, shown: raw };
  const sep = raw.indexOf('=');
  if (sep < 0) {
    const shown = hadNewline ? `${raw}\n` : raw;
    emit('warn', `failed to parse '${shown}': no separator`);
    return { err: -ERRNO.EINVAL, shown };
  }
  const name = raw.slice(0, sep);
  const value = raw.slice(sep + 1);
  if (!value) {
    emit('warn', `failed to parse '${raw}': no value`);
    return { err: -ERRNO.EINVAL, shown: raw };
  }
  const ext = externs.find((e) => e.name === name);
  if (!ext || states.get(ext)?.set) return { err: 0, shown: raw };
  let st = states.get(ext);
  if (!st) states.set(ext, (st = { set: false }));
  if (!ext.kcfg) return { err: 0, shown: raw };
  let err: number;
  switch (value[0]) {
    case 'y': case 'n': case 'm':
      err = setTri(ext, value[0], st, emit);
      break;
    case '"':
      err = setStr(ext, value, st, emit);
      break;
    default: {
      const num = parseU64(value, ext, emit);
      if (typeof num === 'number') {
        emit('warn', `extern (kcfg) '${ext.name}': value '${value}' isn't a valid integer`, ext);
        err = num;
        break;
      }
      if (ext.kcfg.type !== 'int' && ext.kcfg.type !== 'char') {
        emit('warn', `extern (kcfg) '${ext.name}': value '${value}' implies integer type`, ext);
        err = -ERRNO.EINVAL;
        break;
      }
      err = setNum(ext, num, st, emit);
    }
  }
  if (err) {
    st.err = err;
    return { err, shown: name };
  }
  st.value = value;
  emit('debug', `extern (kcfg) '${ext.name}': set to ${value}`, ext);
  return { err: 0, shown: raw };
}

/** The longest line libbpf's fgets/gzgets reads at once (PATH_MAX with its NUL): longer lines come in pieces. */
const LINE_BUF = 4095;

/**
 * bpf_object__read_kconfig_file over `text` (the target's .config, as libbpf reads
 * /boot/config-$(uname -r)). Returns the first error (libbpf stops there) or 0; with `keepGoing` every
 * line is still processed so that each extern gets its own outcome.
 */
export function readKconfig(
  text: string, externs: ExternDesc[], states: Map<ExternDesc, KcfgState>, emit: KcfgEmit, keepGoing: boolean,
): number {
  let first = 0;
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    let end = nl < 0 ? text.length : nl + 1;
    if (end - at > LINE_BUF) end = at + LINE_BUF;
    const piece = text.slice(at, end);
    at = end;
    const hadNewline = piece.endsWith('\n');
    const line = hadNewline ? piece.slice(0, -1) : piece;
    // a NUL ends the string libbpf sees
    const z = line.indexOf('\0');
    const r = processLine(z < 0 ? line : line.slice(0, z), hadNewline && z < 0, externs, states, emit);
    if (r.err) {
      emit('warn', `error parsing system Kconfig line '${r.shown}': ${r.err}`);
      if (!first) first = r.err;
      if (!keepGoing) return first;
    }
  }
  return first;
}

/** libbpf's probes of the running kernel, answered from the target's BTF (documented in README). */
export function targetFeature(btf: Btf, name: 'LINUX_HAS_BPF_COOKIE' | 'LINUX_HAS_SYSCALL_WRAPPER'): bigint {
  if (name === 'LINUX_HAS_BPF_COOKIE') {
    const id = findByNameKind(btf, 'bpf_func_id', Kind.ENUM);
    if (id <= 0) return 0n;
    const tv = new TypeView(btf, 8);
    for (let i = 0; i < btf.vlen(id); i++) if (tv.str(tv.enumNameOff(id, i)) === 'BPF_FUNC_get_attach_cookie') return 1n;
    return 0n;
  }
  for (const pfx of ['x64', 'ia32', 'arm64', 'arm', 's390x', 's390', 'riscv', 'mips', 'powerpc', 'powerpc64']) {
    if (findByNameKind(btf, `__${pfx}_sys_bpf`, Kind.FUNC) > 0) return 1n;
  }
  return 0n;
}
