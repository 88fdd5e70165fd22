/**
 * libbpf 1.1's section_defs: which program type a section name gives, and for the programs that attach
 * to a kernel BTF type (SEC_ATTACH_BTF), the attach type that decides the name prefix and kind looked
 * up (btf_get_kernel_prefix_kind). Only what load-time checks need is kept; a section name that matches
 * no definition leaves the program without a type (libbpf: "missing BPF prog type").
 */
export interface SecDef {
  /** libbpf's pattern: `name` exact, `name+` exact or `name/…`, `name/` a prefix. */
  sec: string;
  /** The program type's name (libbpf's prog_type_name). */
  progType: string;
  /** For SEC_ATTACH_BTF definitions: the attach type's libbpf name. */
  attach?: 'tp_btf' | 'fentry' | 'fexit' | 'fmod_ret' | 'freplace' | 'lsm' | 'lsm_cgroup' | 'iter';
}

const T = (sec: string, progType: string, attach?: SecDef['attach']): SecDef => ({ sec, progType, attach });

export const SECTION_DEFS: readonly SecDef[] = [
  T('socket', 'socket_filter'), T('sk_reuseport/migrate', 'sk_reuseport'), T('sk_reuseport', 'sk_reuseport'),
  T('kprobe+', 'kprobe'), T('uprobe+', 'kprobe'), T('uprobe.s+', 'kprobe'), T('kretprobe+', 'kprobe'),
  T('uretprobe+', 'kprobe'), T('uretprobe.s+', 'kprobe'), T('kprobe.multi+', 'kprobe'), T('kretprobe.multi+', 'kprobe'),
  T('ksyscall+', 'kprobe'), T('kretsyscall+', 'kprobe'), T('usdt+', 'kprobe'),
  T('tc', 'sched_cls'), T('classifier', 'sched_cls'), T('action', 'sched_act'),
  T('tracepoint+', 'tracepoint'), T('tp+', 'tracepoint'), T('raw_tracepoint+', 'raw_tracepoint'), T('raw_tp+', 'raw_tracepoint'),
  T('raw_tracepoint.w+', 'raw_tracepoint_writable'), T('raw_tp.w+', 'raw_tracepoint_writable'),
  T('tp_btf+', 'tracing', 'tp_btf'), T('fentry+', 'tracing', 'fentry'), T('fmod_ret+', 'tracing', 'fmod_ret'),
  T('fexit+', 'tracing', 'fexit'), T('fentry.s+', 'tracing', 'fentry'), T('fmod_ret.s+', 'tracing', 'fmod_ret'),
  T('fexit.s+', 'tracing', 'fexit'), T('freplace+', 'ext', 'freplace'), T('lsm+', 'lsm', 'lsm'), T('lsm.s+', 'lsm', 'lsm'),
  T('lsm_cgroup+', 'lsm', 'lsm_cgroup'), T('iter+', 'tracing', 'iter'), T('iter.s+', 'tracing', 'iter'),
  T('syscall', 'syscall'), T('xdp.frags/devmap', 'xdp'), T('xdp/devmap', 'xdp'), T('xdp.frags/cpumap', 'xdp'),
  T('xdp/cpumap', 'xdp'), T('xdp.frags', 'xdp'), T('xdp', 'xdp'), T('perf_event', 'perf_event'),
  T('lwt_in', 'lwt_in'), T('lwt_out', 'lwt_out'), T('lwt_xmit', 'lwt_xmit'), T('lwt_seg6local', 'lwt_seg6local'),
  T('sockops', 'sock_ops'), T('sk_skb/stream_parser', 'sk_skb'), T('sk_skb/stream_verdict', 'sk_skb'), T('sk_skb', 'sk_skb'),
  T('sk_msg', 'sk_msg'), T('lirc_mode2', 'lirc_mode2'), T('flow_dissector', 'flow_dissector'),
  T('cgroup_skb/ingress', 'cgroup_skb'), T('cgroup_skb/egress', 'cgroup_skb'), T('cgroup/skb', 'cgroup_skb'),
  T('cgroup/sock_create', 'cgroup_sock'), T('cgroup/sock_release', 'cgroup_sock'), T('cgroup/sock', 'cgroup_sock'),
  T('cgroup/post_bind4', 'cgroup_sock'), T('cgroup/post_bind6', 'cgroup_sock'),
  T('cgroup/bind4', 'cgroup_sock_addr'), T('cgroup/bind6', 'cgroup_sock_addr'), T('cgroup/connect4', 'cgroup_sock_addr'),
  T('cgroup/connect6', 'cgroup_sock_addr'), T('cgroup/sendmsg4', 'cgroup_sock_addr'), T('cgroup/sendmsg6', 'cgroup_sock_addr'),
  T('cgroup/recvmsg4', 'cgroup_sock_addr'), T('cgroup/recvmsg6', 'cgroup_sock_addr'),
  T('cgroup/getpeername4', 'cgroup_sock_addr'), T('cgroup/getpeername6', 'cgroup_sock_addr'),
  T('cgroup/getsockname4', 'cgroup_sock_addr'), T('cgroup/getsockname6', 'cgroup_sock_addr'),
  T('cgroup/sysctl', 'cgroup_sysctl'), T('cgroup/getsockopt', 'cgroup_sockopt'), T('cgroup/setsockopt', 'cgroup_sockopt'),
  T('cgroup/dev', 'cgroup_device'), T('struct_ops+', 'struct_ops'), T('sk_lookup', 'sk_lookup'),
];

/** sec_def_matches */
function matches(def: string, name: string): boolean {
  const last = def[def.length - 1];
  if (last === '/') return name.startsWith(def);
  if (last === '+') {
    const pfx = def.slice(0, -1);
    if (!name.startsWith(pfx)) return false;
    return name.length === pfx.length || name[pfx.length] === '/';
  }
  return name === def;
}

/** find_sec_def (no custom handlers registered). */
export function findSecDef(secName: string): SecDef | undefined {
  return SECTION_DEFS.find((d) => matches(d.sec, secName));
}

/** btf_get_kernel_prefix_kind: the prefix and BTF kind libbpf looks the attach name up with. */
export function kernelPrefixKind(attach: NonNullable<SecDef['attach']>): { prefix: string; kind: 'typedef' | 'func' } {
  switch (attach) {
    case 'tp_btf': return { prefix: 'btf_trace_', kind: 'typedef' };
    case 'lsm': case 'lsm_cgroup': return { prefix: 'bpf_lsm_', kind: 'func' };
    case 'iter': return { prefix: 'bpf_iter_', kind: 'func' };
    default: return { prefix: '', kind: 'func' };
  }
}
