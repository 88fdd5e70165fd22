#!/usr/bin/env bash
# make.sh - record bpftool's `format c` of the long-chain BTF that test/helpers/long-chains.ts builds
# (chains of pointers, modifiers and arrays longer than 4,096 links). Run from anywhere; needs bpftool.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$ROOT" && npx tsx test/helpers/long-chains.ts "$TMP")
for f in "$TMP"/*.btf; do
	name=$(basename "$f" .btf)
	bpftool btf dump file "$f" format c > "$HERE/$name.h"
	echo "  $name.h ($(wc -c < "$HERE/$name.h") bytes)"
done
bpftool version | head -1 > "$HERE/bpftool-version.txt"
