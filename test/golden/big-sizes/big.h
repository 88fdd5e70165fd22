#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct Big {
	int a;
} __attribute__((packed));

struct H {
	struct Big a[4294967295];
	int b;
} __attribute__((packed));

enum E {
	X = 18446744073709551615ULL,
	Y = 9007199254740993ULL,
	a = 9223372036854775808ULL,
};

enum S {
	X___2 = -9223372036854775808LL,
};

typedef int a___2;

typedef int b;

typedef int X___3;

typedef int Y___2;

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
