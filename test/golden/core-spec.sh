#!/usr/bin/env bash
# Goldens for CO-RE spec text: the local-spec lines libbpf 1.1 logs while relocating each fixture
# object (../shared/oracles/core_oracle, needs root and bpf()), one per relocation, as
#   <prog> #<relo idx>: <spec text>
# Usage: bash test/golden/core-spec.sh [TARGET.btf]   (default: ../shared/corpus/vmlinux-6.18.btf)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
oracles=${ORACLES:-$repo/../shared/oracles}
target=${1:-$repo/../shared/corpus/vmlinux-6.18.btf}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/core_oracle" "$oracles/core_oracle.c" -lbpf
for obj in "$repo"/test/fixtures/obj/*.bpfel.o; do
  name=$(basename "$obj")
  out="$repo/test/golden/core-spec/$name.txt"
  "$tmp/core_oracle" -q -M "$obj" "$target" 2>/dev/null \
    | sed -n "s/^D: libbpf: prog '\([^']*\)': relo #\([0-9]*\): \(<.*\)$/\1 #\2: \3/p" > "$out.tmp" || true
  if [ -s "$out.tmp" ]; then mv "$out.tmp" "$out"; echo "wrote $out ($(wc -l < "$out") relocations)"; else rm -f "$out.tmp"; fi
done
