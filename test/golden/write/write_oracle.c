/* write_oracle OUTDIR: BTF written by libbpf's own writer (btf__add_*, btf__add_type, btf__raw_data), the
 * reference for server/src/core/write/builder.ts (test/unit/write-libbpf.test.ts builds the same types).
 *   typed.btf     every kind by btf__add_*: names shared between types and members, a bitfield, a
 *                 negative enumerator (kflag), ENUM64, a name that is not ASCII
 *   typed.be.btf  the same, btf__set_endianness(BTF_BIG_ENDIAN)
 *   split.btf     btf__new_empty_split(typed): IDs and strings continue the base's, base names reused
 *   copied.btf    every type of typed.btf copied by btf__add_type, last first (strings re-added in that order)
 */
#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x) do { if ((x) < 0) { fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #x); exit(1); } } while (0)

static void save(const struct btf *btf, const char *dir, const char *name)
{
	char path[4096];
	__u32 sz;
	const void *data = btf__raw_data(btf, &sz);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!data || !f || fwrite(data, 1, sz, f) != sz) { perror(path); exit(1); }
	fclose(f);
}

static struct btf *typed(void)
{
	struct btf *b = btf__new_empty();

	CHECK(btf__add_int(b, "int", 4, BTF_INT_SIGNED));                /* 1 */
	CHECK(btf__add_int(b, "unsigned char", 1, 0));                   /* 2 */
	CHECK(btf__add_float(b, "double", 8));                           /* 3 */
	CHECK(btf__add_ptr(b, 1));                                       /* 4 */
	CHECK(btf__add_const(b, 1));                                     /* 5 */
	CHECK(btf__add_volatile(b, 4));                                  /* 6 */
	CHECK(btf__add_restrict(b, 4));                                  /* 7 */
	CHECK(btf__add_typedef(b, "u8", 2));                             /* 8 */
	CHECK(btf__add_type_tag(b, "user", 1));                          /* 9 */
	CHECK(btf__add_fwd(b, "fwd_s", BTF_FWD_STRUCT));                 /* 10 */
	CHECK(btf__add_fwd(b, "fwd_u", BTF_FWD_UNION));                  /* 11 */
	CHECK(btf__add_fwd(b, "fwd_e", BTF_FWD_ENUM));                   /* 12 */
	CHECK(btf__add_array(b, 1, 2, 16));                              /* 13: u8[16] indexed by int */
	CHECK(btf__add_struct(b, "point", 32));                          /* 14 */
	CHECK(btf__add_field(b, "x", 1, 0, 0));
	CHECK(btf__add_field(b, "y", 1, 32, 0));
	CHECK(btf__add_field(b, "flags", 2, 64, 3));
	CHECK(btf__add_field(b, "mode", 2, 67, 5));
	CHECK(btf__add_field(b, "buf", 13, 72, 0));
	CHECK(btf__add_field(b, "", 4, 200, 0));
	CHECK(btf__add_union(b, "u", 8));                                /* 15 */
	CHECK(btf__add_field(b, "x", 1, 0, 0));
	CHECK(btf__add_field(b, "d", 3, 0, 0));
	CHECK(btf__add_enum(b, "color", 4));                             /* 16 */
	CHECK(btf__add_enum_value(b, "RED", 0));
	CHECK(btf__add_enum_value(b, "GREEN", 1));
	CHECK(btf__add_enum_value(b, "NEG", -1));
	CHECK(btf__add_enum64(b, "big", 8, true));                       /* 17 */
	CHECK(btf__add_enum64_value(b, "MIN", (uint64_t)INT64_MIN));
	CHECK(btf__add_enum64_value(b, "MAX", (uint64_t)INT64_MAX));
	CHECK(btf__add_func_proto(b, 1));                                /* 18 */
	CHECK(btf__add_func_param(b, "a", 1));
	CHECK(btf__add_func_param(b, "", 4));
	CHECK(btf__add_func(b, "f", BTF_FUNC_GLOBAL, 18));               /* 19 */
	CHECK(btf__add_var(b, "v", BTF_VAR_GLOBAL_ALLOCATED, 1));         /* 20 */
	CHECK(btf__add_datasec(b, ".data", 8));                          /* 21 */
	CHECK(btf__add_datasec_var_info(b, 20, 0, 4));
	CHECK(btf__add_decl_tag(b, "tag", 14, 1));                       /* 22 */
	CHECK(btf__add_decl_tag(b, "tag", 19, -1));                      /* 23 */
	CHECK(btf__add_struct(b, "caf\xc3\xa9", 4));                     /* 24 */
	CHECK(btf__add_field(b, "RED", 1, 0, 0));
	return b;
}

int main(int argc, char **argv)
{
	struct btf *t, *s, *c;
	int n, id;

	if (argc != 2) { fprintf(stderr, "usage: %s OUTDIR\n", argv[0]); return 2; }
	t = typed();
	save(t, argv[1], "typed.btf");

	s = btf__new_empty_split(t);
	CHECK(btf__add_struct(s, "point2", 8));                          /* 25 */
	CHECK(btf__add_field(s, "x", 1, 0, 0));
	CHECK(btf__add_field(s, "z", 26, 32, 0));
	CHECK(btf__add_typedef(s, "point_t", 14));                       /* 26 */
	CHECK(btf__add_ptr(s, 25));                                      /* 27 */
	save(s, argv[1], "split.btf");

	c = btf__new_empty();
	n = btf__type_cnt(t);
	for (id = n - 1; id >= 1; id--) CHECK(btf__add_type(c, t, btf__type_by_id(t, id)));
	save(c, argv[1], "copied.btf");

	CHECK(btf__set_endianness(t, BTF_BIG_ENDIAN));
	save(t, argv[1], "typed.be.btf");
	return 0;
}
