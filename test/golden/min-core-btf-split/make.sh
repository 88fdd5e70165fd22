#!/usr/bin/env bash
# Proof for `btf-lens gen min-core-btf MODULE OUT OBJ --base VMLINUX` (a split target, which bpftool cannot
# take): libbpf 1.1 (core_oracle -q -M OBJ OUT, OUT as the only kernel BTF) relocates OBJ against the tailored
# OUT. OBJ.txt keeps libbpf's outcome lines per relocation (patched / no match / poisoned / failed; candidate
# and spec lines dropped, as they name the BTF the candidate came from). test/unit/min-core-btf-split.test.ts
# checks that the full module + vmlinux give these same outcomes (libbpf 1.1 searches module BTF only for the
# running kernel, so the full side is our resolver's, itself checked against libbpf by scripts/check-core.ts).
# Needs root (core_oracle calls bpf()) and a built CLI (npm run build). ORACLES: default ../shared/oracles.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
ORACLES=${ORACLES:-$ROOT/../shared/oracles}
cd "$ROOT"
G=test/golden/min-core-btf-split
T=test/fixtures/core-targets/btf
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gcc -O2 -o "$TMP/core_oracle" "$ORACLES/core_oracle.c" -lbpf
rm -f $G/*.txt
for o in test/fixtures/obj/core.bpfel.o test/fixtures/obj/progs.bpfel.o test/fixtures/core-targets/obj/corex.bpfel.o test/fixtures/core-targets/obj/corex.tm.bpfel.o; do
  node dist/cli.js gen min-core-btf $T/module.btf "$TMP/out.btf" "$o" --base $T/missing.btf
  "$TMP/core_oracle" -q -M "$o" "$TMP/out.btf" | sed -E 's/^( ?)[DWI]: libbpf: /\1/' \
    | grep -E "^prog '[^']*': relo #[0-9]+: (patched|substituting|no matching|.*ambiguity)|failed to perform CO-RE" > "$G/$(basename "$o" .o).txt" || true
  echo "$(basename "$o" .o): $(wc -l < "$G/$(basename "$o" .o).txt") outcome lines"
done
