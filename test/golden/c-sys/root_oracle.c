// root_oracle.c - what `bpftool btf dump file F format c root_id ID...` prints (bpftool >= 7.3 has
// root_id for files; 7.1 here does not): the same header, btf_dump__dump_type() for each root in
// order, the same footer. roots.sh links it with btf_dump.c of Linux 6.1 (the libbpf inside
// bpftool 7.1: Debian's libbpf 1.1.2 writes 8-byte enums differently) and Debian's libbpf.a for the
// rest (apt-get install libbpf-dev linux-source-6.1).
//   root_oracle [-B BASE] FILE ID...
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

static void print(void *ctx, const char *fmt, va_list args)
{
	vfprintf(stdout, fmt, args);
}

int main(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	struct btf_dump *d;
	int i = 1, err;

	if (argc > 3 && strcmp(argv[1], "-B") == 0) {
		base = btf__parse(argv[2], NULL);
		if (!base) {
			fprintf(stderr, "root_oracle: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: root_oracle [-B BASE] FILE ID...\n");
		return 2;
	}
	btf = btf__parse_split(argv[i], base);
	if (!btf) {
		fprintf(stderr, "root_oracle: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	d = btf_dump__new(btf, print, NULL, NULL);
	if (!d)
		return 1;
	printf("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
	printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
	printf("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n");
	printf("#endif\n\n");
	for (i++; i < argc; i++) {
		err = btf_dump__dump_type(d, strtoul(argv[i], NULL, 0));
		if (err) {
			fprintf(stderr, "root_oracle: type %s: %d\n", argv[i], err);
			return 1;
		}
	}
	printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
	printf("#endif /* __VMLINUX_H__ */\n");
	btf_dump__free(d);
	return 0;
}
