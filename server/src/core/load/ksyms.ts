import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import type { CoreTarget } from '../core-relo/candidates';
import { typesAreCompat } from '../core-relo/match';
import { ERRNO, TypeView, skipMods, targetPointerSize } from '../core-relo/types';
import type { ExternDesc } from './externs';
import type { KcfgState } from './kconfig';
import type { DependencyOutcome } from './model';
import { findByNameKind } from './names';

/**
 * `__ksym` externs resolved as libbpf 1.1 does at load: typed variables and kfuncs against the kernel's
 * BTF (bpf_object__resolve_ksyms_btf_id, with bpf_core_types_are_compat), typeless ones from a kallsyms
 * listing (bpf_object__read_kallsyms_file).
 */

const ESRCH = 3;

/**
 * libbpf_kallsyms_parse + kallsyms_cb over the text of a /proc/kallsyms: each line `ADDR TYPE NAME [module]`
 * naming a ksym variable extern sets it (the first address; another one later is ambiguous). Returns 0 or
 * libbpf's error.
 */
export function readKallsyms(text: string, externs: ExternDesc[], states: Map<ExternDesc, KcfgState>, emit: (text: string, e?: ExternDesc) => void): number {
  const byName = new Map<string, ExternDesc>();
  for (const e of externs) if (!byName.has(e.name)) byName.set(e.name, e);
  const addr = new Map<ExternDesc, bigint>();
  const line = /^\s*([0-9a-fA-F]+)\s+(\S)\s+(\S{1,499})/;
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    const m = line.exec(l);
    if (!m) {
      // fscanf("%llx %c %499s…") matched fewer than 3 fields
      emit(`failed to read kallsyms entry: ${/^\s*[0-9a-fA-F]+\s+\S/.test(l) ? 2 : /^\s*[0-9a-fA-F]/.test(l) ? 1 : 0}`);
      return -ERRNO.EINVAL;
    }
    const e = byName.get(m[3]!);
    if (!e || e.type !== 'ksym' || e.isFunc) continue;
    const a = BigInt(`0x${m[1]}`) & ((1n << 64n) - 1n);
    const st = states.get(e)!;
    const had = addr.get(e);
    if (had !== undefined && had !== a) {
      emit(`extern (ksym) '${e.name}': resolution is ambiguous: 0x${had.toString(16)} or 0x${a.toString(16)}`, e);
      return -ERRNO.EINVAL;
    }
    if (had === undefined) {
      addr.set(e, a);
      st.set = true;
      st.value = `0x${a.toString(16)}`;
      emit(`extern (ksym) '${e.name}': set to ${st.value}`, e);
    }
  }
  return 0;
}

/** find_ksym_btf_id: vmlinux first, then each module's own types. */
function findKsym(target: CoreTarget, name: string, kind: number): { id: number; btf: Btf; btfName: string } | undefined {
  const id = findByNameKind(target.vmlinux, name, kind);
  if (id > 0) return { id, btf: target.vmlinux, btfName: 'vmlinux' };
  if (id === -ERRNO.ENOENT) {
    for (const m of target.modules ?? []) {
      const mid = findByNameKind(m.btf, name, kind, true);
      if (mid !== -ERRNO.ENOENT) return mid > 0 ? { id: mid, btf: m.btf, btfName: m.name } : undefined;
    }
  }
  return undefined;
}

/** bpf_object__resolve_ksym_var_btf_id / _func_btf_id: 0 or libbpf's error. */
export function resolveKsym(
  e: ExternDesc, btf: Btf, target: CoreTarget, st: KcfgState, emit: (text: string) => void,
  set: (v: Partial<DependencyOutcome>) => void,
): number {
  const ltv = new TypeView(btf, 8);
  const hit = findKsym(target, e.name, e.isFunc ? Kind.FUNC : Kind.VAR);
  const compatLog = (_l: 'warn' | 'debug', text: string) => emit(text);
  if (!hit) {
    if (e.weak) return 0;
    emit(e.isFunc ? `extern (func ksym) '${e.name}': not found in kernel or module BTFs` : `extern (var ksym) '${e.name}': not found in kernel BTF`);
    set({ code: 'missing', err: -ESRCH, detail: `no ${e.isFunc ? 'func' : 'var'} ${e.name} in the kernel's BTF` });
    return -ESRCH;
  }
  const ttv = new TypeView(hit.btf, targetPointerSize(hit.btf));
  if (!e.isFunc) {
    const targType = skipMods(ttv, hit.btf.sizeOrType(hit.id));
    const ok = targType >= 0 ? typesAreCompat(ltv, e.ksymTypeId, ttv, targType, 32, compatLog) : -ERRNO.EINVAL;
    if (ok <= 0) {
      const tt = targType < 0 ? 0 : targType;
      emit(`extern (var ksym) '${e.name}': incompatible types, expected [${e.ksymTypeId}] ${libbpfKindStr(ltv.kind(e.ksymTypeId))} ${ltv.name(e.ksymTypeId) ?? ''}, but kernel has [${tt}] ${libbpfKindStr(ttv.kind(tt))} ${ttv.name(tt) ?? ''}`);
      set({ code: 'incompatible', err: -ERRNO.EINVAL, targetTypeId: hit.id, targetKind: 'var', targetBtf: hit.btfName, detail: 'the kernel\'s variable has another type' });
      return -ERRNO.EINVAL;
    }
    st.set = true;
    set({ code: 'found', targetTypeId: hit.id, targetKind: 'var', targetBtf: hit.btfName });
    emit(`extern (var ksym) '${e.name}': resolved to [${hit.id}] var ${hit.btf.name(hit.id)}`);
    return 0;
  }
  const kproto = hit.btf.sizeOrType(hit.id);
  const ok = typesAreCompat(ltv, e.ksymTypeId, ttv, kproto, 32, compatLog);
  if (ok <= 0) {
    emit(`extern (func ksym) '${e.name}': func_proto [${e.ksymTypeId}] incompatible with kernel [${kproto}]`);
    set({ code: 'incompatible', err: -ERRNO.EINVAL, targetTypeId: hit.id, targetKind: 'func', targetBtf: hit.btfName, detail: 'the kernel\'s function has another prototype' });
    return -ERRNO.EINVAL;
  }
  st.set = true;
  set({ code: 'found', targetTypeId: hit.id, targetKind: 'func', targetBtf: hit.btfName });
  emit(`extern (func ksym) '${e.name}': resolved to kernel [${hit.id}]`);
  return 0;
}
