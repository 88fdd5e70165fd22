#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

enum e_big {
	EB_ONE = 1ULL,
	EB_2_32 = 4294967296ULL,
	EB_HIGH = 9223372036854775808ULL,
	EB_MAX = 18446744073709551615ULL,
};

enum e_sbig {
	ESB_MIN = -9223372036854775808LL,
	ESB_NEG = -5000000000LL,
	ESB_MINUS1 = -1LL,
	ESB_BIG = 78187493530LL,
};

enum e_plain {
	EP_A = 0,
	EP_B = 5,
	EP_C = 6,
};

enum e_signed {
	ES_NEG = -3,
	ES_ZERO = 0,
	ES_POS = 7,
};

enum e_min {
	EM_INT_MIN = -2147483648,
	EM_INT_MAX = 2147483647,
};

enum e_u32 {
	EU_TOP = 4294967295,
	EU_HALF = 2147483648,
};

enum e_byte {
	EBY_A = 1,
	EBY_B = 255,
};

enum e_short {
	ESH_NEG = -1,
	ESH_A = 300,
};

typedef enum {
	EA_X = 10,
	EA_Y = 20,
} e_anon_t;

enum e_empty_fwd;

enum e_one {
	EONE_ONLY = 42,
};

struct enum_holder {
	enum e_plain plain;
	enum e_signed sgn;
	enum e_min min;
	enum e_u32 u32;
	enum e_big big;
	enum e_sbig sbig;
	enum e_byte byte;
	enum e_short shrt;
	e_anon_t anon;
	enum e_empty_fwd *fwd;
	enum e_one one: 7;
	enum {
		INNER_A = -2,
		INNER_B = -1,
	} inner;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
