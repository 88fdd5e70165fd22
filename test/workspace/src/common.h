/* common.h - the little every fixture needs, without vmlinux.h or <linux/bpf.h>.
 * With clang: libbpf's bpf_helpers.h / bpf_core_read.h.  With gcc 12 (bpf-gcc), whose BPF backend
 * cannot call libbpf's `static long (*helper)(...) = (void *)N` pointers, helpers are declared
 * with gcc's kernel_helper(N) attribute instead and the map macros are spelled out.
 */
#ifndef FIXTURE_COMMON_H
#define FIXTURE_COMMON_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

/* values from include/uapi/linux/bpf.h */
#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_PROG_ARRAY 3
#define BPF_MAP_TYPE_PERCPU_HASH 5
#define BPF_MAP_TYPE_PERCPU_ARRAY 6
#define BPF_MAP_TYPE_LRU_HASH 9
#define BPF_MAP_TYPE_ARRAY_OF_MAPS 12
#define BPF_MAP_TYPE_HASH_OF_MAPS 13
#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_F_NO_PREALLOC 1
#define BPF_ANY 0
#define XDP_DROP 1
#define XDP_PASS 2

#ifdef __clang__
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#else /* bpf-gcc 12 */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define __noinline __attribute__((noinline))
#define __always_inline inline __attribute__((always_inline))
enum libbpf_pin_type { LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME };
#define KH(n) __attribute__((kernel_helper(n)))
void *bpf_map_lookup_elem(void *map, const void *key) KH(1);
long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags) KH(2);
__u64 bpf_ktime_get_ns(void) KH(5);
__u32 bpf_get_smp_processor_id(void) KH(8);
long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index) KH(12);
__u64 bpf_get_current_pid_tgid(void) KH(14);
long bpf_get_current_comm(void *buf, __u32 size_of_buf) KH(16);
__u64 bpf_get_current_task(void) KH(35);
long bpf_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr) KH(113);
void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags) KH(131);
void bpf_ringbuf_submit(void *data, __u64 flags) KH(132);
#undef KH
#endif

#endif
