#!/usr/bin/env bash
# roots.sh - goldens for `btf-lens dump --format c --root ...`: what bpftool prints for `root_id`
# (btf_dump__dump_type() per root, sharing state, between the usual header and footer), printed by
# root_oracle.c (bpftool 7.1 has no root_id for files) built with Linux 6.1's btf_dump.c, bpftool
# 7.1's own (LINUX_SRC: an unpacked linux-source-6.1; Debian's libbpf 1.1.2 differs on 8-byte enums).
#   roots/<fixture>@<name>[+<name>...].h       for fixture objects (roots given by name, resolved
#                                              here to their IDs with `bpftool btf dump ... format raw`)
#   roots/index.txt: <golden> <fixture> <root ids...>
#   roots.txt: <sha256> <corpus path> <root ids...>   for vmlinux-6.1 (too big to commit)
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OBJ=$REPO/test/fixtures/obj
CORPUS=${CORPUS:-$REPO/../shared/corpus}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LINUX_SRC=${LINUX_SRC:-/work/src/linux-source-6.1}
L=$LINUX_SRC/tools/lib/bpf
[ -f "$L/btf_dump.c" ] || { echo "roots.sh: $L/btf_dump.c not found (set LINUX_SRC)" >&2; exit 1; }
gcc -O2 -c -D_GNU_SOURCE -I"$L" -I"$LINUX_SRC/tools/include" -o "$TMP/btf_dump.o" "$L/btf_dump.c"
gcc -O2 -c -D_GNU_SOURCE -I"$L" -I"$LINUX_SRC/tools/include" -o "$TMP/hashmap.o" "$L/hashmap.c"
# 6.1's hashmap API is not libbpf 1.1.2's: rename its symbols so both can be linked.
redef=$(nm "$TMP/hashmap.o" | awk '$2 ~ /[TtDdBb]/ && $3 !~ /^\./ {printf " --redefine-sym %s=l61_%s", $3, $3}')
objcopy $redef "$TMP/hashmap.o"
objcopy $redef "$TMP/btf_dump.o"
gcc -O2 -o "$TMP/root_oracle" "$HERE/root_oracle.c" "$TMP/btf_dump.o" "$TMP/hashmap.o" \
	"$(gcc -print-file-name=libbpf.a)" -lelf -lz

# id_of FILE KIND NAME: the first type of that kind and name ("(anon)" for anonymous types)
id_of() {
	bpftool btf dump file "$1" format raw | sed -n "s/^\[\([0-9]*\)\] $2 '$3'.*/\1/p" | head -1
}

fixture() { # fixture OBJ KIND:NAME...
	local obj=$1 ids=() label=()
	shift
	for spec in "$@"; do
		ids+=("$(id_of "$OBJ/$obj" "${spec%%:*}" "${spec#*:}")")
		local n=${spec#*:}
		label+=("${n//[()]/}")
	done
	local out="$HERE/roots/$obj@$(IFS=+; echo "${label[*]}").h"
	"$TMP/root_oracle" "$OBJ/$obj" "${ids[@]}" >"$out"
	echo "${out##*/} $obj ${ids[*]}" >>"$HERE/roots/index.txt"
	echo "roots: ${out#"$REPO"/} (ids ${ids[*]})"
}

mkdir -p "$HERE/roots"
rm -f "$HERE"/roots/*.h "$HERE/roots/index.txt"
fixture types.bpfel.o STRUCT:zoo_all
fixture types.bpfel.o TYPEDEF:zoo_ctid_t STRUCT:zoo_ops STRUCT:zoo_all
fixture types.bpfeb.o 'UNION:zoo_val' 'FUNC_PROTO:(anon)'
fixture core.bpfel.o STRUCT:task_struct
fixture enums.bpfel.o 'ENUM:e_empty_fwd' 'ENUM:(anon)' 'ENUM:e_big'
fixture maps.bpfel.o 'STRUCT:(anon)'

if [ -f "$CORPUS/vmlinux-6.1.btf" ]; then
	V=$(realpath "$CORPUS/vmlinux-6.1.btf")
	: >"$HERE/roots.txt"
	for names in "STRUCT:sk_buff" "STRUCT:task_struct STRUCT:sk_buff TYPEDEF:u64" "UNION:bpf_attr" "ENUM:bpf_cmd" \
		"FUNC:bpf_prog_load" "FWD:assoc_array_ptr" "TYPEDEF:__kernel_size_t" "STRUCT:file_operations" \
		"STRUCT:pt_regs STRUCT:pt_regs" "FWD:mtd_info STRUCT:mm_struct FUNC:bpf_prog_load ENUM:bpf_cmd"; do
		ids=()
		for spec in $names; do ids+=("$(id_of "$V" "${spec%%:*}" "${spec#*:}")"); done
		sum=$("$TMP/root_oracle" "$V" "${ids[@]}" | sha256sum | cut -d' ' -f1)
		echo "$sum $V ${ids[*]}" >>"$HERE/roots.txt"
		echo "roots: vmlinux-6.1 ${ids[*]} $sum"
	done
else
	echo "roots: corpus not found at $CORPUS; roots.txt left as is"
fi
