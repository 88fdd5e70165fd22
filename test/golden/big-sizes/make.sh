#!/usr/bin/env bash
# make.sh - record bpftool's raw and C dumps of the BTF test/helpers/big-sizes.ts builds (sizes and
# offsets at the edge of their fields). Run from anywhere; needs bpftool.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$ROOT" && npx tsx test/helpers/big-sizes.ts "$TMP")
bpftool btf dump file "$TMP/big.btf" > "$HERE/big.raw.txt"
bpftool btf dump file "$TMP/big.btf" format c > "$HERE/big.h"
bpftool version | head -1 > "$HERE/bpftool-version.txt"
echo "  big.raw.txt big.h"
