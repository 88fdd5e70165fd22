#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned int __u32;

typedef unsigned short __u16;

typedef unsigned long long __u64;

struct core_out {
	int pid;
	int ppid;
	int tgid;
	char c5;
	__u32 daddr;
	__u32 v6_3;
	__u16 dport;
	__u16 hash1;
	__u64 reuse;
	__u64 reuseport;
	__u64 iowait;
	__u32 flags_exist;
	__u32 state_exist;
	__u32 old_state_exist;
	__u32 no_field_exist;
	__u32 comm_size;
	__u32 skc_v6_size;
	__u32 mm_off;
	__u32 type_exists;
	__u32 no_type_exists;
	__u32 sock_size;
	__u32 atomic_size;
	__u32 task_id_kernel;
	__u32 task_id_local;
	__u32 attr_id_kernel;
	__u64 pidtype_tgid;
	__u64 pidtype_max;
	__u64 ringbuf_value;
	__u32 ringbuf_exists;
	__u32 bloom_exists;
	__u32 no_such_exists;
	__u32 nr_tasks;
	__u32 union_member;
};

struct mm_struct;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	struct mm_struct *mm;
	unsigned int in_execve: 1;
	unsigned int in_iowait: 1;
};

typedef __u32 __be32;

typedef __u16 __be16;

typedef unsigned char __u8;

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
};

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
	unsigned char skc_reuse: 4;
	unsigned char skc_reuseport: 1;
	unsigned char skc_ipv6only: 1;
	unsigned char skc_net_refcnt: 1;
	int skc_bound_dev_if;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
};

struct task_struct___pre514 {
	long state;
	unsigned int flags;
};

struct task_struct___nonexistent {
	int no_such_field;
};

typedef struct {
	int counter;
} atomic_t___local;

union bpf_attr___u {
	__u32 map_type;
	__u64 raw[2];
};

enum bpf_map_type___local {
	BPF_MAP_TYPE_RINGBUF___local = 27,
	BPF_MAP_TYPE_BLOOM_FILTER___local = 30,
	BPF_MAP_TYPE_NO_SUCH___local = 999,
};

enum pid_type {
	PIDTYPE_PID = 0,
	PIDTYPE_TGID = 1,
	PIDTYPE_PGID = 2,
	PIDTYPE_SID = 3,
	PIDTYPE_MAX = 4,
};

struct css_set {
	atomic_t___local nr_tasks;
};

struct mm_struct {
	unsigned long task_size;
	unsigned long start_code;
	unsigned long end_code;
	unsigned long start_data;
	unsigned long end_data;
	unsigned long flags;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
