import type { Btf } from '../btf/btf';
import { Kind } from '../btf/kinds';
import { libbpfKindStr } from '../btf/resolve';
import type { CoreTarget } from '../core-relo/candidates';
import { type LibbpfProgram, type LibbpfPrograms, findProgBySecInsn, libbpfPrograms, secIdxByName } from '../core-relo/programs';
import { type CoreResolution, coreLogLines, resolveCoreRelocations } from '../core-relo/resolve';
import { coreReloKindStr } from '../core-relo/spec';
import { ERRNO, LIBBPF_ERRNO, TypeView } from '../core-relo/types';
import type { BtfInput } from '../input';
import type { Problem } from '../util/problems';
import { type ExternCollection, type ExternDesc, type OpenLine, collectExterns } from './externs';
import { type KcfgState, kernelVersionCode, readKconfig, setNum, targetFeature } from './kconfig';
import { readKallsyms, resolveKsym } from './ksyms';
import type { DependencyOutcome, LoadCheck, LoadDependency, LoadOptions, LoadStep } from './model';
import { findByNameKind } from './names';
import { finalizeDatasecs } from './finalize';
import { SourcePlaces } from './places';
import { findSecDef, kernelPrefixKind } from './sections';
import { type StructOpsOpen, fitStructOps, openStructOps } from './struct-ops';
import { weakReach } from './weak-reach';

/**
 * `btf-lens check`: what libbpf 1.1's bpf_object__open + bpf_object__load decide from the kernel's BTF
 * before the verifier runs, in libbpf's order and words (model.ts describes the result):
 *   open: programs cut out (core-relo/programs.ts), externs collected (externs.ts), struct_ops maps read;
 *   load: externs resolved (bpf_object__resolve_externs: LINUX_* values, the .config, typed ksyms and
 *   kfuncs against the kernel BTF, then strong/weak), struct_ops fitted to the kernel
 *   (bpf_map__init_kern_struct_ops), CO-RE relocation (core-relo/resolve.ts), then each program's attach
 *   target (libbpf_prepare_prog_load → libbpf_find_attach_btf_id) in load order.
 * What needs the running kernel is left out: kallsyms (typeless ksyms), map creation, the verifier.
 */

const ESRCH = 3;
const ENAMETOOLONG = 36;
const BTF_MAX_NAME_SIZE = 128;

/** What an object needs, read once per parsed object and shared by every target. */
interface Opened {
  progs: LibbpfPrograms;
  externs?: ExternCollection;
  structOps?: StructOpsOpen;
  deps: LoadDependency[];
  extDep: Map<ExternDesc, number>;
  /** struct_ops: per map, the struct's dependency and its members' (by member index). */
  opsDep: { map: number; members: number[] }[];
  coreDep: Map<string, number>;
  attachDep: Map<LibbpfProgram, number>;
  openLog: OpenLine[];
  openErr?: number;
  problems: Problem[];
}

const opened = new WeakMap<BtfInput, Opened>();

function openObject(obj: BtfInput): Opened {
  const cached = opened.get(obj);
  if (cached) return cached;
  const o: Opened = {
    progs: { programs: [], textShndx: 0 }, deps: [], extDep: new Map(), opsDep: [], coreDep: new Map(),
    attachDep: new Map(), openLog: [], problems: [],
  };
  opened.set(obj, o);
  const { elf, btf, ext } = obj;
  if (!elf) {
    o.problems.push({ file: obj.file, offset: 0, severity: 'error', message: 'not an ELF object: nothing to load' });
    o.openErr = -ERRNO.EINVAL;
    return o;
  }
  o.progs = libbpfPrograms(elf);
  if (o.progs.openError) {
    o.openLog.push({ level: 'warn', text: o.progs.openError.message });
    o.openErr = -o.progs.openError.errno;
    o.problems.push({ file: obj.file, offset: 0, severity: 'error', message: `libbpf cannot open this object: ${o.progs.openError.message}` });
    return o;
  }
  const places = new SourcePlaces(obj);
  const elfName = (p: LibbpfProgram) => elf.sections[p.secIdx]?.name ?? p.secName;

  // externs, and where the code uses them (relocations against their symbols)
  o.externs = collectExterns(elf, btf);
  o.openLog.push(...o.externs.log);
  const uses = new Map<number, { section: string; off: number }[]>();
  if (o.externs.externs.length) {
    const want = new Set(o.externs.externs.map((e) => e.symIdx));
    for (const sec of elf.sections) {
      if (!(sec.flags & 4) || sec.size === 0) continue;
      for (const r of elf.relocations(sec)) {
        if (!want.has(r.symbol)) continue;
        let l = uses.get(r.symbol);
        if (!l) uses.set(r.symbol, (l = []));
        l.push({ section: sec.name, off: r.offset });
      }
    }
  }
  for (const e of o.externs.externs) {
    const at = (uses.get(e.symIdx) ?? []).map((u) => places.at(u.section, u.off)).filter((p) => p !== undefined);
    const kind = e.type === 'kcfg' ? 'kconfig' : e.isFunc ? 'kfunc' : e.ksymTypeId ? 'ksym-var' : 'ksym-typeless';
    o.extDep.set(e, o.deps.length);
    o.deps.push({
      kind, name: e.name, weak: e.weak, localVarId: e.btfId,
      localTypeId: e.type === 'kcfg' ? btf?.sizeOrType(e.btfId) : e.ksymTypeId || undefined,
      place: at[0], uses: at, index: e.type === 'kcfg' ? o.externs.externs.indexOf(e) : undefined,
    });
  }
  if (o.externs.err) {
    o.openErr = o.externs.err;
    return o;
  }
  const fin: ReturnType<typeof finalizeDatasecs> = btf ? finalizeDatasecs(elf, btf) : { vars: new Map() };
  if (fin.err) {
    if (fin.line) o.openLog.push({ level: 'debug', text: fin.line });
    o.openErr = fin.err;
    o.problems.push({ file: obj.file, offset: 0, severity: 'error', message: `libbpf cannot open this object: ${fin.line ?? `bad DATASEC (${fin.err})`}` });
    return o;
  }

  // struct_ops maps and the programs set in them
  o.structOps = openStructOps(elf, btf, o.progs.programs, fin.vars);
  o.openLog.push(...o.structOps.log.filter((l) => l.level === 'warn'));
  for (const m of o.structOps.maps) {
    const progOf = (i: number) => m.progs[i];
    const first = m.progs.find((p) => p);
    const mapDep = o.deps.length;
    o.deps.push({
      kind: 'struct-ops', name: m.tname, weak: false, localTypeId: m.typeId, map: m.name,
      place: first ? places.at(elfName(first), first.insnOff * 8) : undefined,
    });
    const members: number[] = [];
    const n = btf ? btf.vlen(m.typeId) : 0;
    for (let i = 0; i < n; i++) {
      const tv = new TypeView(btf!, 8);
      const member = tv.str(tv.memberNameOff(m.typeId, i)) ?? '';
      const p = progOf(i);
      members.push(o.deps.length);
      o.deps.push({
        kind: 'struct-ops-member', name: `${m.tname}.${member}`, weak: false, localTypeId: m.typeId, map: m.name,
        member, program: p?.name, place: p ? places.at(elfName(p), p.insnOff * 8) : undefined,
      });
    }
    o.opsDep.push({ map: mapDep, members });
  }
  if (o.structOps.err) {
    o.openErr = o.structOps.err;
    return o;
  }

  // CO-RE relocation records
  if (btf && ext && !ext.problems.some((p) => p.severity === 'error')) {
    for (const sec of ext.coreRelo) {
      const secIdx = secIdxByName(elf, sec.name);
      sec.records.forEach((rec, i) => {
        const prog = rec.insnOff % 8 ? undefined : findProgBySecInsn(o.progs.programs, secIdx, rec.insnOff / 8);
        o.coreDep.set(`${sec.name}#${i}`, o.deps.length);
        o.deps.push({
          kind: 'core-relo', name: btf.str(btf.nameOff(rec.typeId)) ?? '', weak: false, localTypeId: rec.typeId,
          program: prog?.name, section: sec.name, index: i, reloKind: coreReloKindStr(rec.kind),
          access: btf.str(rec.accessStrOff) ?? '', place: places.at(sec.name, rec.insnOff),
        });
      });
    }
  }

  // attach targets, in load order
  const funcOf = new Map<string, Map<number, number>>();
  for (const s of ext?.funcInfo ?? []) funcOf.set(s.name, new Map(s.records.map((r) => [r.insnOff, r.typeId])));
  for (const p of o.progs.programs) {
    if (isSubprog(o.progs, p)) continue;
    const def = findSecDef(p.secName);
    if (!def?.attach) continue;
    const slash = p.secName.indexOf('/');
    const name = slash < 0 ? '' : p.secName.slice(slash + 1);
    const pk = kernelPrefixKind(def.attach);
    const colon = name.indexOf(':');
    o.attachDep.set(p, o.deps.length);
    o.deps.push({
      kind: 'attach', name, weak: false, program: p.name, section: p.secName, attachType: def.attach,
      localTypeId: funcOf.get(elfName(p))?.get(p.insnOff * 8),
      lookup: def.attach === 'freplace' || slash < 0 ? undefined : { prefix: pk.prefix, name: pk.prefix + name, kind: pk.kind },
      module: colon > 0 ? name.slice(0, colon) : undefined,
      place: places.at(elfName(p), p.insnOff * 8),
    });
  }
  return o;
}

/**
 * prog_is_subprog of libbpf 1.1.2: a function of `.text` is a subprogram unless it is the object's only
 * program (then libbpf loads it, and finds no program type for section `.text`).
 */
function isSubprog(progs: LibbpfPrograms, p: LibbpfProgram): boolean {
  return p.subprog && progs.programs.length > 1;
}

/** The dependencies alone (no target): the list checkLoad returns. Never throws. */
export function collectDependencies(obj: BtfInput): { dependencies: LoadDependency[]; problems: Problem[] } {
  try {
    const o = openObject(obj);
    return { dependencies: o.deps, problems: o.problems };
  } catch {
    return { dependencies: [], problems: [{ file: obj.file, offset: 0, severity: 'error', message: `internal error in BTF Lens while reading the load dependencies of ${obj.file}` }] };
  }
}

/** The log libbpf writes, the outcomes, and where the load stops. */
class Run {
  readonly log: string[] = [];
  stop?: LoadCheck['stop'];
  constructor(readonly outcomes: DependencyOutcome[]) {}
  get stopped(): boolean {
    return this.stop !== undefined;
  }
  /** A line libbpf logs (about dependency `dep`, if any): to the dependency's log always, to the load's until it stops. */
  emit(text: string, dep?: number): void {
    if (dep !== undefined) this.outcomes[dep]!.log.push(text);
    if (!this.stopped) this.log.push(text);
  }
  /** libbpf stops here (the first time): `then` are the lines it prints on its way out. */
  fail(step: LoadStep, err: number, dep?: number, then: string[] = []): void {
    if (this.stopped) return;
    this.log.push(...then);
    this.stop = { step, err, ...(dep !== undefined ? { dependency: dep } : {}) };
  }
}

/** Checks one object against one kernel. Never throws. */
export function checkLoad(obj: BtfInput, target: CoreTarget, opts: LoadOptions = {}): LoadCheck {
  let o: Opened | undefined;
  try {
    o = openObject(obj);
    return run(obj, o, target, opts);
  } catch (e) {
    return {
      dependencies: o?.deps ?? [], outcomes: (o?.deps ?? []).map(() => ({ code: 'unknown' as const, log: [] })), log: [],
      problems: [{ file: obj.file, offset: 0, severity: 'error', message: `internal error in BTF Lens while checking the load of ${obj.file}` }],
      internalError: e,
    };
  }
}

function run(obj: BtfInput, o: Opened, target: CoreTarget, opts: LoadOptions): LoadCheck {
  const outcomes: DependencyOutcome[] = o.deps.map(() => ({ code: 'unknown', log: [] }));
  const r = new Run(outcomes);
  const res: LoadCheck = { dependencies: o.deps, outcomes, log: r.log, problems: [...o.problems] };
  const set = (dep: number | undefined, v: Partial<DependencyOutcome>) => {
    if (dep !== undefined) Object.assign(outcomes[dep]!, v);
  };
  // bpf_program__set_autoload reaches entry programs only: subprograms keep their own (on)
  const autoload = (p: LibbpfProgram) => (opts.programs && !isSubprog(o.progs, p) ? opts.programs.includes(p.name) : p.autoload);

  const kern = target.vmlinux;
  // bpf_object__check_endianness, the first thing open does: libbpf runs on the target kernel's machine, whose
  // byte order its BTF tells, and refuses an object of the other order.
  const kernLe = kern.header?.littleEndian;
  if (obj.elf?.header && kernLe !== undefined && obj.elf.header.littleEndian !== kernLe) {
    r.emit(`elf: endianness mismatch in ${obj.file}.`);
    r.fail('open', -LIBBPF_ERRNO.ENDIAN);
    res.stop = r.stop;
    return res;
  }
  for (const l of o.openLog) r.emit(l.text);
  if (o.openErr !== undefined) {
    r.fail('open', o.openErr);
    res.stop = r.stop;
    return res;
  }
  const btf = obj.btf;

  // bpf_object__resolve_externs
  const externs = o.externs?.externs ?? [];
  const states = new Map<ExternDesc, KcfgState>(externs.map((e) => [e, { set: false }]));
  const weakMissing = new Set<ExternDesc>();
  if (externs.length && btf) {
    const unknown = new Set<ExternDesc>();
    let needConfig = false;
    for (const e of externs) {
      const dep = o.extDep.get(e)!;
      if (e.type === 'ksym') {
        if (!e.ksymTypeId) {
          unknown.add(e);
          set(dep, { code: 'unknown', detail: 'a ksym without a type is resolved from the running kernel\'s /proc/kallsyms, not from BTF' });
        }
        continue;
      }
      const st = states.get(e)!;
      if (e.name.startsWith('CONFIG_')) {
        needConfig = true;
        continue;
      }
      let value = 0n;
      if (e.name === 'LINUX_KERNEL_VERSION') {
        if (opts.kernelRelease === undefined) {
          unknown.add(e);
          set(dep, { code: 'unknown', detail: 'the target\'s kernel release is not known (give --kernel-release)' });
          continue;
        }
        value = BigInt(kernelVersionCode(opts.kernelRelease));
        if (!value) {
          r.emit(`extern (kcfg) '${e.name}': failed to get kernel version`, dep);
          set(dep, { code: 'failed', err: -ERRNO.EINVAL, detail: `'${opts.kernelRelease}' is not a release libbpf can read (X.Y.Z)` });
          r.fail('externs', -ERRNO.EINVAL, dep);
          continue;
        }
      } else if (e.name === 'LINUX_HAS_BPF_COOKIE' || e.name === 'LINUX_HAS_SYSCALL_WRAPPER') {
        const probed = opts.features?.[e.name];
        value = probed === undefined ? targetFeature(kern, e.name) : probed ? 1n : 0n;
      } else if (!e.name.startsWith('LINUX_') || !e.weak) {
        r.emit(`extern (kcfg) '${e.name}': unrecognized virtual extern`, dep);
        set(dep, { code: 'failed', err: -ERRNO.EINVAL, detail: 'libbpf knows no such LINUX_ value' });
        r.fail('externs', -ERRNO.EINVAL, dep);
        continue;
      }
      const err = setNum(e, value, st, (_l, text) => r.emit(text, dep));
      if (err) {
        set(dep, { code: 'failed', err, detail: `libbpf's value does not fit the extern's type` });
        r.fail('externs', err, dep);
        continue;
      }
      st.value = `0x${value.toString(16)}`;
      r.emit(`extern (kcfg) '${e.name}': set to ${st.value}`, dep);
    }
    if (needConfig) {
      if (opts.kconfig === undefined) {
        for (const e of externs) {
          if (e.type !== 'kcfg' || !e.name.startsWith('CONFIG_')) continue;
          unknown.add(e);
          set(o.extDep.get(e), { code: 'unknown', detail: 'no kernel config given (--kconfig)' });
        }
      } else {
        readKconfig(opts.kconfig, externs, states, (_l, text, e) => {
          r.emit(text, e ? o.extDep.get(e) : undefined);
          // libbpf stops reading at the first line it cannot take, and the load with it
          if (text.startsWith('error parsing system Kconfig line')) r.fail('externs', -ERRNO.EINVAL);
        }, true);
        for (const e of externs) {
          const st = states.get(e)!;
          if (st.err) set(o.extDep.get(e), { code: 'failed', err: st.err, detail: 'the config\'s value does not fit the extern\'s type' });
        }
      }
    }
    // bpf_object__read_kallsyms_file: typeless ksyms (and, when one is there, every ksym variable) from the
    // kernel's /proc/kallsyms, when given
    if (opts.kallsyms !== undefined && externs.some((e) => e.type === 'ksym' && !e.ksymTypeId)) {
      const err = readKallsyms(opts.kallsyms, externs, states, (text, e) => r.emit(text, e ? o.extDep.get(e) : undefined));
      for (const e of externs) if (e.type === 'ksym' && !e.ksymTypeId) unknown.delete(e);
      for (const e of externs) {
        const st = states.get(e)!;
        if (e.type === 'ksym' && !e.ksymTypeId) set(o.extDep.get(e), st.set ? { code: 'found', value: st.value, detail: undefined } : { code: 'unknown', detail: undefined });
      }
      if (err) r.fail('externs', -ERRNO.EINVAL);
    }
    // typed ksyms and kfuncs against the kernel BTF (and its modules)
    for (const e of externs) {
      if (e.type !== 'ksym' || !e.ksymTypeId) continue;
      const dep = o.extDep.get(e)!;
      const err = resolveKsym(e, btf, target, states.get(e)!, (text) => r.emit(text, dep), (v) => set(dep, v));
      if (err) r.fail('externs', -ERRNO.EINVAL, dep);
    }
    for (const e of externs) {
      const st = states.get(e)!;
      const dep = o.extDep.get(e)!;
      if (st.set) {
        if (outcomes[dep]!.code === 'unknown') set(dep, { code: 'found', value: e.type === 'kcfg' ? st.value : undefined });
        continue;
      }
      // decided already (missing, incompatible, failed) or not decidable here
      if (unknown.has(e) || outcomes[dep]!.code !== 'unknown') continue;
      if (!e.weak) {
        r.emit(`extern '${e.name}' (strong): not resolved`, dep);
        set(dep, { code: 'missing', err: -ESRCH, detail: e.type === 'kcfg' ? 'not in the kernel config' : 'not in the kernel\'s BTF' });
        r.fail('externs', -ESRCH, dep);
      } else {
        r.emit(`extern '${e.name}' (weak): not resolved, defaulting to zero`, dep);
        weakMissing.add(e);
        set(dep, { code: 'weak-missing', value: e.type === 'kcfg' ? '0x0' : undefined, detail: e.type === 'kcfg' ? 'not in the kernel config: 0'
          : e.isFunc ? 'not in the kernel\'s BTF: its address is 0 and a call to it is left unresolved (the verifier refuses a program that reaches one)'
            : 'not in the kernel\'s BTF: its address is 0' });
      }
    }
  }

  // bpf_object__init_kern_struct_ops_maps
  const ops = o.structOps?.maps ?? [];
  ops.forEach((m, mi) => {
    const d = o.opsDep[mi]!;
    if (!btf) return;
    const fit = fitStructOps(m, btf, kern, (_l, text, member) => r.emit(text, member === undefined ? d.map : d.members[member]));
    if (fit.kernTypeId === undefined || fit.kernVtypeId === undefined) {
      const code = fit.kernTypeId === undefined || fit.err === -ERRNO.ENOENT ? 'missing' : 'incompatible';
      set(d.map, {
        code, err: fit.err, targetTypeId: fit.kernTypeId, targetKind: fit.kernTypeId ? 'struct' : undefined, targetBtf: 'vmlinux',
        detail: fit.kernTypeId === undefined ? `no struct ${m.tname} in the kernel's BTF` : `the kernel has no struct_ops value type bpf_struct_ops_${m.tname} holding it`,
      });
      for (const md of d.members) set(md, { code: 'missing', detail: `the kernel has no struct_ops ${m.tname}` });
      r.fail('struct-ops', fit.err ?? -ERRNO.EINVAL, d.map);
      return;
    }
    set(d.map, { code: 'found', targetTypeId: fit.kernTypeId, targetKind: 'struct', targetBtf: 'vmlinux' });
    let failed: number | undefined;
    for (const mf of fit.members) {
      const md = d.members[mf.member]!;
      const detail = mf.code === 'missing' ? `the kernel's struct ${m.tname} has no member ${mf.name}`
        : mf.code === 'incompatible' ? `the kernel's member ${mf.name} differs (kind, size, bitfield or not a function pointer)` : undefined;
      set(md, { code: mf.code, err: mf.err, targetTypeId: fit.kernTypeId, targetKind: 'struct', targetBtf: 'vmlinux', detail });
      if (mf.err && failed === undefined) failed = md;
    }
    if (failed !== undefined) r.fail('struct-ops', -ERRNO.EOPNOTSUPP, failed);
  });

  // bpf_object__relocate → bpf_object__relocate_core
  const coreOpts = { hostBigEndian: opts.hostBigEndian, reach: opts.reach, autoload: (name: string) => { const p = o.progs.programs.find((x) => x.name === name); return p ? autoload(p) : false; } };
  let core: CoreResolution | undefined;
  if (o.coreDep.size) {
    core = resolveCoreRelocations(obj, target, coreOpts);
    res.core = core;
    res.problems.push(...core.problems);
    const byProgRelo = new Map<string, number>();
    for (const rel of core.relocations) if (rel.prog !== undefined) byProgRelo.set(`prog '${rel.prog}': relo #${rel.index}: `, o.coreDep.get(`${rel.section}#${rel.index}`)!);
    for (const line of coreLogLines(core)) {
      const m = /^ ?prog '[^']*': relo #\d+: /.exec(line);
      r.emit(line, m ? byProgRelo.get(m[0].trimStart()) : undefined);
    }
    let all = core;
    if (!core.ok) {
      const failedRel = core.relocations.find((x) => x.outcome === 'failed');
      r.fail('core', core.error ?? -ERRNO.EINVAL, failedRel ? o.coreDep.get(`${failedRel.section}#${failedRel.index}`) : undefined);
      all = resolveCoreRelocations(obj, target, { ...coreOpts, keepGoing: true });
    }
    for (const rel of all.relocations) {
      const dep = o.coreDep.get(`${rel.section}#${rel.index}`);
      if (dep === undefined) continue;
      const tgt = rel.target ? { targetTypeId: rel.target.id, targetBtf: rel.target.btf, targetKind: libbpfKindStr(btfByName(target, rel.target.btf)?.kind(rel.target.id) ?? 0) } : {};
      const value = rel.targetValue?.toString();
      switch (rel.outcome) {
        case 'patched': set(dep, { code: 'found', ...tgt, value }); break;
        case 'poisoned': set(dep, { code: 'poisoned', reachable: rel.reachable, detail: rel.reasonDetail ?? 'no matching type in the kernel' }); break;
        case 'failed': set(dep, { code: 'failed', err: rel.error, detail: rel.reasonDetail }); break;
        default: set(dep, { code: 'not-loaded' });
      }
    }
  }

  // what the verifier then makes of the 0 a missing weak ksym or kfunc became
  if (opts.reach !== false && [...weakMissing].some((e) => e.type === 'ksym') && obj.elf) {
    const uses = weakReach({
      elf: obj.elf, btf, programs: o.progs.programs, insnsOf: core?.reach?.insnsOf, externs, missing: weakMissing,
      kcfgValue: (e) => (weakMissing.has(e) ? 0n : kcfgNumber(e, states.get(e))),
      isEntry: (p) => !isSubprog(o.progs, p) && autoload(p), places: new SourcePlaces(obj),
    });
    for (const e of weakMissing) {
      if (e.type !== 'ksym') continue;
      const u = uses.get(e) ?? [];
      set(o.extDep.get(e), { reachable: u.length > 0, weakUses: u });
    }
  }

  // bpf_object__load_progs → bpf_object_load_prog → libbpf_prepare_prog_load
  for (const p of o.progs.programs) {
    if (isSubprog(o.progs, p)) continue;
    const dep = o.attachDep.get(p);
    if (!autoload(p)) {
      set(dep, { code: 'not-loaded', detail: 'the program is not loaded (autoload off)' });
      continue;
    }
    const def = findSecDef(p.secName);
    if (!def) {
      r.emit(`prog '${p.name}': missing BPF prog type, check ELF section name '${p.secName}'`);
      r.fail('attach', -ERRNO.EINVAL, undefined, [`prog '${p.name}': failed to load: ${-ERRNO.EINVAL}`]);
      continue;
    }
    if (!def.attach || dep === undefined) continue;
    const d = o.deps[dep]!;
    const stopHere = (err: number) => {
      r.fail('attach', err, dep, [`prog '${p.name}': failed to prepare load attributes: ${err}`, `prog '${p.name}': failed to load: ${err}`]);
    };
    if (!p.secName.includes('/')) {
      r.emit(`prog '${p.name}': no BTF-based attach target is specified, use bpf_program__set_attach_target()`, dep);
      set(dep, { code: 'failed', err: -ERRNO.EINVAL, detail: 'the section names no attach target' });
      stopHere(-ERRNO.EINVAL);
      continue;
    }
    if (def.attach === 'freplace') {
      r.emit(`prog '${p.name}': attach program FD is not set`, dep);
      set(dep, { code: 'unknown', err: -ERRNO.EINVAL, detail: 'freplace attaches to another BPF program, given at run time' });
      stopHere(-ERRNO.EINVAL);
      continue;
    }
    const look = d.lookup!;
    const kind = look.kind === 'typedef' ? Kind.TYPEDEF : Kind.FUNC;
    let err = 0;
    let found: { id: number; btf: string } | undefined;
    if (new TextEncoder().encode(look.name).length >= BTF_MAX_NAME_SIZE) {
      err = -ENAMETOOLONG;
    } else {
      const id = findByNameKind(kern, look.name, kind);
      if (id > 0) found = { id, btf: 'vmlinux' };
      else {
        for (const m of target.modules ?? []) {
          const mid = findByNameKind(m.btf, look.name, kind);
          if (mid > 0) {
            found = { id: mid, btf: m.name };
            break;
          }
        }
        if (!found) err = -ESRCH;
      }
    }
    if (found) {
      set(dep, { code: 'found', targetTypeId: found.id, targetKind: look.kind, targetBtf: found.btf });
      continue;
    }
    r.emit(`prog '${p.name}': failed to find kernel BTF type ID of '${d.name}': ${err}`, dep);
    set(dep, {
      code: err === -ESRCH ? 'missing' : 'failed', err,
      detail: err === -ESRCH ? `no ${look.kind} ${look.name} in the kernel's BTF${d.module ? ' (libbpf 1.1 does not read module:function)' : ''}` : 'the name is too long',
    });
    stopHere(err);
  }

  if (r.stop) r.log.push(`failed to load object '${obj.file}'`);
  res.stop = r.stop;
  return res;
}

/** A .kconfig value as the map holds it, from libbpf's `set to` text: y/n/m, numbers; undefined otherwise. */
function kcfgNumber(e: ExternDesc, st: KcfgState | undefined): bigint | undefined {
  const v = st?.set ? st.value : undefined;
  if (v === undefined || !e.kcfg) return undefined;
  if (v === 'y') return 1n;
  if (v === 'n') return 0n;
  if (v === 'm') return e.kcfg.type === 'tristate' ? 2n : undefined;
  try {
    return /^-?(0x[0-9a-f]+|\d+)$/i.test(v) ? (v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v)) : undefined;
  } catch {
    return undefined;
  }
}

function btfByName(target: CoreTarget, name: string): Btf | undefined {
  if (name === 'vmlinux') return target.vmlinux;
  return target.modules?.find((m) => m.name === name)?.btf;
}

