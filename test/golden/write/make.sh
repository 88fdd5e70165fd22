#!/usr/bin/env bash
# Goldens for the BTF writer: what libbpf 1.1's own writer (btf__add_*, btf__add_type, btf__raw_data) writes
# for the types of write_oracle.c (libbpf-dev). test/unit/write-libbpf.test.ts builds the same with BtfBuilder.
set -euo pipefail
cd "$(dirname "$0")"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gcc -O2 -Wall -o "$TMP/write_oracle" write_oracle.c -lbpf
rm -f ./*.btf
"$TMP/write_oracle" .
bpftool btf dump file typed.btf > typed.raw.txt
ls -l ./*.btf
