#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned long long __u64;

typedef long long __s64;

union zoo_val {
	__u64 u;
	__s64 s;
	double d;
	float f[2];
	unsigned char bytes[8];
};

enum zoo_color {
	ZOO_RED = 0,
	ZOO_GREEN = 1,
	ZOO_BLUE = 7,
};

typedef int __s32;

typedef __s32 zoo_kpid_t;

typedef zoo_kpid_t zoo_pid_t;

struct zoo_bits {
	unsigned int a: 1;
	unsigned int b: 3;
	int c: 12;
	unsigned char d: 2;
	unsigned long long e: 40;
	unsigned short f;
	enum zoo_color col: 4;
	zoo_pid_t tp: 5;
	long: 7;
	_Bool flag: 1;
};

typedef int (*zoo_cb_t)(void *, const char *, unsigned long);

typedef unsigned int __u32;

struct zoo_packed {
	char c;
	int i;
	short s;
} __attribute__((packed));

struct zoo_anon {
	int kind;
	union {
		int i;
		float fl;
		struct {
			short lo;
			short hi;
		};
	};
	struct {
		int x;
		int y;
	} named;
	union {
		unsigned int flags;
		struct {
			unsigned int ro: 1;
			unsigned int wr: 1;
			unsigned int ex: 1;
		};
	};
};

typedef zoo_pid_t zoo_tid_t;

typedef const zoo_tid_t zoo_ctid_t;

struct zoo_quals {
	const int ci;
	long: 32;
	volatile unsigned long vl;
	volatile const char cvc;
	long: 32;
	int * restrict rp;
	long: 32;
	const char * const *cpp;
	long: 32;
	volatile zoo_ctid_t *vct;
	long: 32;
};

struct zoo_ops {
	zoo_cb_t open;
	long: 32;
	void (*close)(struct zoo_ops *);
	long: 32;
	long (*ioctl)(unsigned int, ...);
	long: 32;
	int (*handlers[3])(int);
	long: 32;
	long: 32;
	long: 32;
	int (* (*factory)(void))(char);
	long: 32;
};

struct zoo_opaque;

union zoo_opaque_u;

struct zoo_fwd_user {
	struct zoo_opaque *s;
	long: 32;
	union zoo_opaque_u *u;
	long: 32;
	struct zoo_fwd_user *next;
	long: 32;
};

struct zoo_aligned {
	char c;
	long: 32;
	long: 32;
	long: 32;
	long l;
	long: 32;
	long: 32;
};

struct zoo_empty {};

union zoo_tagged_u {
	int i;
	long l;
};

struct zoo_tagged {
	int plain;
	int tagged;
	char __attribute__((btf_type_tag("user"))) *ubuf;
	long: 32;
	int __attribute__((btf_type_tag("user"))) __attribute__((btf_type_tag("rcu"))) *two_tags;
	long: 32;
	struct zoo_tagged *next;
	long: 32;
};

typedef struct zoo_tagged zoo_tagged_t;

struct zoo_arrays {
	int one[4];
	char two[2][3];
	__u64 three[2][3][4];
	const char *names[2];
	long: 32;
	long: 32;
	union zoo_val vals[2];
	int tail[0];
};

struct zoo_all {
	struct zoo_bits bits;
	union zoo_val val;
	struct zoo_anon anon;
	long: 32;
	struct zoo_quals quals;
	struct zoo_ops ops;
	struct zoo_fwd_user fwd;
	struct zoo_packed packed;
	long: 32;
	long: 32;
	struct zoo_aligned aligned;
	struct zoo_empty empty;
	union zoo_tagged_u tu;
	zoo_tagged_t tagged;
	long: 32;
	long: 32;
	unsigned __int128 wide;
	__int128 swide;
	_Bool b;
	signed char sc;
	unsigned char uc;
	char ch;
	float f;
	double d;
	long double ld;
	void *vp;
	long: 32;
	void **vpp;
	long: 32;
	struct zoo_arrays arrays;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
