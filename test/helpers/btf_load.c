/*
 * BPF_BTF_LOAD of raw BTF files as libbpf's btf__load_into_kernel() does it (bpf_btf_load: the bytes as they
 * are, no log first; on failure once more with a level-1 log to say why), without libbpf re-serialising
 * them. One line per file: `OK <path>` or `ERR <errno> <path>: <last line of the kernel's log>`.
 * Built at test time by test/unit/btf-load-kernel.test.ts when a C compiler is there; needs CAP_BPF.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_buf[1 << 20];

static int btf_load(const void *data, size_t size, int log_level)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.btf = (unsigned long)data;
	attr.btf_size = size;
	if (log_level) {
		log_buf[0] = 0;
		attr.btf_log_buf = (unsigned long)log_buf;
		attr.btf_log_size = sizeof(log_buf);
		attr.btf_log_level = log_level;
	}
	return syscall(__NR_bpf, BPF_BTF_LOAD, &attr, sizeof(attr));
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) { printf("ERR %d %s: cannot open\n", errno, argv[i]); continue; }
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		void *data = malloc(n ? n : 1);
		if (!data || fread(data, 1, n, f) != (size_t)n) { printf("ERR %d %s: cannot read\n", EIO, argv[i]); fclose(f); free(data); continue; }
		fclose(f);
		int fd = btf_load(data, n, 0);
		if (fd >= 0) {
			printf("OK %s\n", argv[i]);
			close(fd);
		} else {
			int err = errno;
			fd = btf_load(data, n, 1);
			if (fd >= 0) close(fd);
			/* the kernel's last non-empty log line says why */
			char *end = log_buf + strlen(log_buf);
			while (end > log_buf && end[-1] == '\n') *--end = 0;
			char *last = strrchr(log_buf, '\n');
			printf("ERR %d %s: %s\n", err, argv[i], last ? last + 1 : log_buf);
		}
		free(data);
		fflush(stdout);
	}
	return 0;
}
