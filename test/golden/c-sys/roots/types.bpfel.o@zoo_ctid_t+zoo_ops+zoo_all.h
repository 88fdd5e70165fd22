#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef int __s32;

typedef __s32 zoo_kpid_t;

typedef zoo_kpid_t zoo_pid_t;

typedef zoo_pid_t zoo_tid_t;

typedef const zoo_tid_t zoo_ctid_t;

typedef int (*zoo_cb_t)(void *, const char *, unsigned long);

struct zoo_ops {
	zoo_cb_t open;
	void (*close)(struct zoo_ops *);
	long (*ioctl)(unsigned int, ...);
	int (*handlers[3])(int);
	int (* (*factory)(void))(char);
};

enum zoo_color {
	ZOO_RED = 0,
	ZOO_GREEN = 1,
	ZOO_BLUE = 7,
};

struct zoo_bits {
	unsigned int a: 1;
	unsigned int b: 3;
	int c: 12;
	unsigned char d: 2;
	unsigned long long e: 40;
	unsigned short f;
	enum zoo_color col: 4;
	zoo_pid_t tp: 5;
	int: 7;
	_Bool flag: 1;
};

typedef unsigned long long __u64;

typedef long long __s64;

union zoo_val {
	__u64 u;
	__s64 s;
	double d;
	float f[2];
	unsigned char bytes[8];
};

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

struct zoo_quals {
	const int ci;
	volatile unsigned long vl;
	volatile const char cvc;
	int * restrict rp;
	const char * const *cpp;
	volatile zoo_ctid_t *vct;
};

struct zoo_opaque;

union zoo_opaque_u;

struct zoo_fwd_user {
	struct zoo_opaque *s;
	union zoo_opaque_u *u;
	struct zoo_fwd_user *next;
};

struct zoo_packed {
	char c;
	int i;
	short s;
} __attribute__((packed));

struct zoo_aligned {
	char c;
	long: 64;
	long l;
	long: 64;
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
	int __attribute__((btf_type_tag("user"))) __attribute__((btf_type_tag("rcu"))) *two_tags;
	struct zoo_tagged *next;
};

typedef struct zoo_tagged zoo_tagged_t;

struct zoo_arrays {
	int one[4];
	char two[2][3];
	__u64 three[2][3][4];
	const char *names[2];
	union zoo_val vals[2];
	int tail[0];
};

struct zoo_all {
	struct zoo_bits bits;
	union zoo_val val;
	struct zoo_anon anon;
	struct zoo_quals quals;
	struct zoo_ops ops;
	struct zoo_fwd_user fwd;
	struct zoo_packed packed;
	long: 64;
	struct zoo_aligned aligned;
	struct zoo_empty empty;
	union zoo_tagged_u tu;
	zoo_tagged_t tagged;
	long: 64;
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
	void **vpp;
	struct zoo_arrays arrays;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
