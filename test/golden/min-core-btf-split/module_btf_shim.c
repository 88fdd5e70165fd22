/*
 * LD_PRELOAD shim for the split-target proof (make.sh): makes libbpf 1.1 see one kernel module BTF, read
 * from the file $MODULE_BTF, as though the running kernel had loaded that module — so that libbpf's own
 * candidate search (vmlinux first, then module BTFs: bpf_core_find_cands/load_module_btfs) relocates an
 * object against the full module + vmlinux. vmlinux is whatever /sys/kernel/btf/vmlinux is (make.sh
 * bind-mounts the module's base there). libbpf's bpf() calls go through libc's syscall(); this one answers:
 *   BPF_BTF_GET_NEXT_ID      one ID, FAKE_ID (the real kernel BTF objects are hidden);
 *   BPF_BTF_GET_FD_BY_ID     of FAKE_ID: a descriptor of /dev/null standing for it;
 *   BPF_OBJ_GET_INFO_BY_FD   on that descriptor: a btf_info as the kernel fills it for a module
 *                            (kernel_btf = 1, name = $MODULE_NAME or "module", the raw split BTF bytes);
 * and passes every other call to the kernel.
 * Build: gcc -O2 -shared -fPIC -o module_btf_shim.so module_btf_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAKE_ID 0x7ffffff0u

static unsigned char *module_bytes;
static unsigned int module_size;
static int fake_fd = -1;

static void load_module(void)
{
	if (module_bytes) return;
	const char *path = getenv("MODULE_BTF");
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f) { fprintf(stderr, "module_btf_shim: cannot open MODULE_BTF=%s\n", path ? path : "(unset)"); exit(2); }
	fseek(f, 0, SEEK_END);
	module_size = ftell(f);
	fseek(f, 0, SEEK_SET);
	module_bytes = malloc(module_size);
	if (!module_bytes || fread(module_bytes, 1, module_size, f) != module_size) exit(2);
	fclose(f);
}

long syscall(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a[6];
	for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
	va_end(ap);
	static long (*real)(long, ...);
	if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (nr != __NR_bpf) return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	int cmd = (int)a[0];
	union bpf_attr *attr = (union bpf_attr *)a[1];
	if (cmd == BPF_BTF_GET_NEXT_ID) {
		if (attr->start_id < FAKE_ID) { attr->next_id = FAKE_ID; return 0; }
		errno = ENOENT;
		return -1;
	}
	if (cmd == BPF_BTF_GET_FD_BY_ID && attr->btf_id == FAKE_ID) {
		load_module();
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		fake_fd = fd;
		return fd;
	}
	if (cmd == BPF_OBJ_GET_INFO_BY_FD && fake_fd >= 0 && (int)attr->info.bpf_fd == fake_fd) {
		struct bpf_btf_info *info = (struct bpf_btf_info *)(unsigned long)attr->info.info;
		const char *name = getenv("MODULE_NAME") ? getenv("MODULE_NAME") : "module";
		if (info->btf && info->btf_size) memcpy((void *)(unsigned long)info->btf, module_bytes, info->btf_size < module_size ? info->btf_size : module_size);
		info->btf_size = module_size;
		info->id = FAKE_ID;
		if (info->name && info->name_len) {
			snprintf((char *)(unsigned long)info->name, info->name_len, "%s", name);
		}
		info->name_len = strlen(name) + 1;
		info->kernel_btf = 1;
		attr->info.info_len = sizeof(*info) < attr->info.info_len ? sizeof(*info) : attr->info.info_len;
		return 0;
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
