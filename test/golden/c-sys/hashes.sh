#!/usr/bin/env bash
# hashes.sh - fingerprints of `bpftool btf dump file F format c` for the host corpus (the headers
# are 2-3 MB each: too big to commit). Writes test/golden/c-sys/hashes.txt, one line per input:
#   <sha256 of `bpftool btf dump file <path> format c`> <path>
#   <sha256 of `bpftool -B <base> btf dump file <path> format c`> <path> base=<basepath>
# for $CORPUS/vmlinux-6.1.btf, $CORPUS/vmlinux-6.18.btf and every $CORPUS/modules/*.btf (split BTF on top
# of vmlinux-6.1.btf; bpftool prints the base's types and the module's together). Paths are canonical
# (realpath). CORPUS defaults to <repo>/../shared/corpus; if it is absent the script says so and exits 0
# without touching hashes.txt.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CORPUS=${CORPUS:-$REPO/../shared/corpus}
OUT=$HERE/hashes.txt

if [ ! -d "$CORPUS" ] || [ ! -f "$CORPUS/vmlinux-6.1.btf" ]; then
	echo "c-sys/hashes.sh: corpus not found at $CORPUS (set CORPUS=...); skipping"
	exit 0
fi
CORPUS=$(realpath "$CORPUS")
command -v bpftool >/dev/null || { echo "c-sys/hashes.sh: bpftool not found" >&2; exit 1; }
bpftool version | head -1

tmp=$(mktemp "$OUT.XXXXXX")
trap 'rm -f "$tmp"' EXIT

hash_dump() { # hash_dump <path> [base]
	local path=$1 base=${2:-} sum
	if [ -n "$base" ]; then
		sum=$(bpftool -B "$base" btf dump file "$path" format c | sha256sum | cut -d' ' -f1)
		echo "$sum $path base=$base" >>"$tmp"
	else
		sum=$(bpftool btf dump file "$path" format c | sha256sum | cut -d' ' -f1)
		echo "$sum $path" >>"$tmp"
	fi
	echo "c-sys: ${path#"$CORPUS"/}${base:+ (base ${base#"$CORPUS"/})} $sum"
}

BASE=$CORPUS/vmlinux-6.1.btf
hash_dump "$BASE"
[ -f "$CORPUS/vmlinux-6.18.btf" ] && hash_dump "$CORPUS/vmlinux-6.18.btf"
shopt -s nullglob
for m in "$CORPUS"/modules/*.btf; do
	hash_dump "$m" "$BASE"
done
mv "$tmp" "$OUT"
trap - EXIT
echo "c-sys/hashes.sh: wrote ${OUT#"$REPO"/} ($(wc -l <"$OUT") lines)"
