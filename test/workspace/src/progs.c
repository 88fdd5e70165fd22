/* progs.c - many programs in many ELF sections (kprobe/, kretprobe/, tracepoint/, raw_tp/, fentry/, fexit/,
 * uprobe/, socket twice in one section, cgroup_skb/ingress, perf_event), all calling a static and a
 * global __noinline subprogram in .text (so .BTF.ext has func_info/line_info for several sections and
 * the calls carry relocations), plus plain CO-RE field accesses through preserve_access_index structs.
 * Builds with clang and with bpf-gcc 12 (-mco-re).
 */
#include "common.h"

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct pt_regs { /* x86-64 kernel layout, CO-RE relocated */
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
} __attribute__((preserve_access_index));

struct trace_event_raw_sys_enter {
	unsigned short common_type;
	unsigned char common_flags;
	unsigned char common_preempt_count;
	int common_pid;
	long id;
	unsigned long args[6];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

__u32 target_tgid;     /* .bss */
__u64 total = 0;       /* .bss too (zero initialised) */
__u32 seen_pids[4] = { 1, 2, 3, 4 }; /* .data */

static __noinline int bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (!v)
		return -1;
	*v += by;
	total += by;
	return 0;
}

__noinline int filter_pid(__u32 tgid)
{
	if (target_tgid && tgid != target_tgid)
		return 0;
	return 1;
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

SEC("kprobe/do_unlinkat")
int on_unlink(struct pt_regs *ctx)
{
	if (!filter_pid(current_tgid()))
		return 0;
	return bump(0, ctx->si != 0);
}

SEC("kretprobe/do_unlinkat")
int on_unlink_ret(struct pt_regs *ctx)
{
	return bump(1, ctx->ax);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	if (!filter_pid(current_tgid()))
		return 0;
	return bump(2, ctx->args[2] + ctx->id);
}

SEC("raw_tp/sched_process_exec")
int on_exec(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent;
	int ppid = 0;

	bpf_probe_read_kernel(&parent, sizeof(parent), &t->real_parent);
	if (parent)
		bpf_probe_read_kernel(&ppid, sizeof(ppid), &parent->tgid);
	seen_pids[ppid & 3] = ppid;
	return bump(3, 1);
}

SEC("fentry/do_exit")
int on_exit_enter(__u64 *ctx)
{
	return bump(4, ctx[0]);
}

SEC("fexit/do_exit")
int on_exit_leave(__u64 *ctx)
{
	return filter_pid(current_tgid()) ? bump(5, ctx[1]) : 0;
}

SEC("uprobe//bin/bash:readline")
int on_readline(struct pt_regs *ctx)
{
	return bump(6, ctx->di);
}

SEC("socket")
int sock_a(void *skb)
{
	return bump(7, 1) ? 0 : -1;
}

SEC("socket")
int sock_b(void *skb)
{
	return bump(8, 2) ? 0 : -1;
}

SEC("cgroup_skb/ingress")
int cg_ingress(void *skb)
{
	bump(9, 1);
	return 1;
}

SEC("perf_event")
int on_perf(void *ctx)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return bump(10, comm[0]);
}

char LICENSE[] SEC("license") = "GPL";
