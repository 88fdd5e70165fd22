#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

enum e_big {
	EB_ONE = 1,
	EB_2_32 = 0,
	EB_HIGH = 0,
	EB_MAX = 4294967295,
};

enum e_sbig {
	ESB_MIN = 0,
	ESB_NEG = 3589934592,
	ESB_MINUS1 = 4294967295,
	ESB_BIG = 878082202,
};

enum e_plain {
	EP_A = 0,
	EP_B = 5,
	EP_C = 6,
};

enum e_signed {
	ES_NEG = 4294967293,
	ES_ZERO = 0,
	ES_POS = 7,
};

enum e_min {
	EM_INT_MIN = 2147483648,
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
	ESH_NEG = 4294967295,
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
		INNER_A = 4294967294,
		INNER_B = 4294967295,
	} inner;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
