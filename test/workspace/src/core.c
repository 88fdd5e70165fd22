/* core.c - CO-RE relocations of every kind clang 14 can emit (it cannot emit TYPE_MATCHES: bpf_core_type_matches
 * crashes clang 14's backend, so it is not used). Local types mirror real Linux 6.1 types, some with ___flavor
 * suffixes; sock_common keeps the kernel's anonymous unions/structs and bitfields so access strings go through
 * anonymous members (0:0:1:0 ...) and array indices (skc_v6_daddr.in6_u.u6_addr32[3], comm[5]).
 */
#include "common.h"

#define __pai __attribute__((preserve_access_index))

struct mm_struct {
	unsigned long task_size;
	unsigned long start_code, end_code, start_data, end_data, flags;
} __pai;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	struct mm_struct *mm;
	unsigned int in_execve : 1;
	unsigned int in_iowait : 1;
} __pai;

struct task_struct___pre514 {
	long state; /* pre-5.14 layout: 'state' was renamed to '__state' */
	unsigned int flags;
} __pai;

/* a flavor that does not exist anywhere */
struct task_struct___nonexistent {
	int no_such_field;
} __pai;

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
} __pai;

struct sock_common {
	union {
		__u64 skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		unsigned int skc_hash;
		__u16 skc_u16hashes[2];
	};
	union {
		__u32 skc_portpair;
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
	volatile unsigned char skc_state;
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
	unsigned char skc_ipv6only : 1;
	unsigned char skc_net_refcnt : 1;
	int skc_bound_dev_if;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __pai;

struct sock {
	struct sock_common __sk_common;
} __pai;

typedef struct {
	int counter;
} atomic_t___local; /* typedef of an anonymous struct, flavored */

struct css_set {
	atomic_t___local nr_tasks;
} __pai;

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

enum bpf_map_type___local {
	BPF_MAP_TYPE_RINGBUF___local = 27,
	BPF_MAP_TYPE_BLOOM_FILTER___local = 30,
	BPF_MAP_TYPE_NO_SUCH___local = 999,
};

union bpf_attr___u {
	__u32 map_type;
	__u64 raw[2];
} __pai;

struct core_out {
	int pid, ppid, tgid;
	char c5;
	__u32 daddr, v6_3;
	__u16 dport, hash1;
	__u64 reuse, reuseport, iowait;
	__u32 flags_exist, state_exist, old_state_exist, no_field_exist;
	__u32 comm_size, skc_v6_size, mm_off;
	__u32 type_exists, no_type_exists, sock_size, atomic_size;
	__u32 task_id_kernel, task_id_local, attr_id_kernel;
	__u64 pidtype_tgid, pidtype_max, ringbuf_value;
	__u32 ringbuf_exists, bloom_exists, no_such_exists;
	__u32 nr_tasks, union_member;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct core_out);
} out SEC(".maps");

static __always_inline struct core_out *slot(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&out, &k);
}

SEC("kprobe/tcp_connect")
int core_reads(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct sock *sk = (void *)ctx;
	struct core_out *o = slot();

	if (!o)
		return 0;
	o->pid = BPF_CORE_READ(t, pid);                          /* 0:2 */
	o->ppid = BPF_CORE_READ(t, real_parent, tgid);           /* 0:5 then 0:3 */
	o->c5 = BPF_CORE_READ(t, comm[5]);                       /* 0:4:5 */
	o->daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);     /* through anonymous union + struct */
	o->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	o->hash1 = BPF_CORE_READ(sk, __sk_common.skc_u16hashes[1]);
	o->v6_3 = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32[3]);
	BPF_CORE_READ_INTO(&o->tgid, t, real_parent, real_parent, tgid);
	return 0;
}

SEC("kprobe/inet_csk_accept")
int core_fields(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct sock *sk = (void *)ctx;
	struct core_out *o = slot();

	if (!o)
		return 0;
	o->reuse = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
	o->reuseport = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
	o->iowait = BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait);
	o->flags_exist = bpf_core_field_exists(t->flags);
	o->state_exist = bpf_core_field_exists(t->__state);
	o->old_state_exist = bpf_core_field_exists(((struct task_struct___pre514 *)t)->state);
	o->no_field_exist = bpf_core_field_exists(((struct task_struct___nonexistent *)t)->no_such_field);
	o->comm_size = bpf_core_field_size(t->comm);
	o->skc_v6_size = bpf_core_field_size(sk->__sk_common.skc_v6_daddr);
	o->mm_off = bpf_core_field_offset(t->mm);
	return 0;
}

SEC("tp_btf/sched_switch")
int core_types(__u64 *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct core_out *o = slot();

	if (!o)
		return 0;
	o->type_exists = bpf_core_type_exists(struct task_struct);
	o->no_type_exists = bpf_core_type_exists(struct task_struct___nonexistent);
	o->sock_size = bpf_core_type_size(struct sock_common);
	o->atomic_size = bpf_core_type_size(atomic_t___local);
	o->task_id_kernel = bpf_core_type_id_kernel(struct task_struct);
	o->task_id_local = bpf_core_type_id_local(struct task_struct);
	o->attr_id_kernel = bpf_core_type_id_kernel(union bpf_attr___u);
	o->ringbuf_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
	o->bloom_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_BLOOM_FILTER___local);
	o->no_such_exists = bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_NO_SUCH___local);
	o->ringbuf_value = bpf_core_enum_value(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
	o->pidtype_tgid = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
	o->pidtype_max = bpf_core_enum_value(enum pid_type, PIDTYPE_MAX);
	o->nr_tasks = BPF_CORE_READ(prev, flags) ^ BPF_CORE_READ((struct task_struct___pre514 *)prev, flags);
	return 0;
}

SEC("fentry/cgroup_migrate")
int core_direct(__u64 *ctx)
{
	/* BTF-typed pointers: plain dereferences are CO-RE relocated (preserve_access_index) */
	struct task_struct *t = (void *)ctx[0];
	struct css_set *cs = (void *)ctx[1];
	union bpf_attr___u *attr = (void *)ctx[2];
	struct core_out *o = slot();

	if (!o)
		return 0;
	o->nr_tasks = cs->nr_tasks.counter;
	o->union_member = attr->map_type + (__u32)attr->raw[1];
	o->pid = t->real_parent->mm->task_size;
	o->tgid = __builtin_preserve_access_index(t->comm[1]);
	o->flags_exist = t->flags ^ t->mm->flags;                /* one name, two roots: task_struct, mm_struct */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
