#!/usr/bin/env bash
# Proof for `btf-lens gen min-core-btf MODULE OUT OBJ --base VMLINUX` (a split target, which bpftool cannot
# take), libbpf 1.1 on both sides:
# - OBJ.txt: libbpf (core_oracle -q -M OBJ OUT, OUT as the only kernel BTF) relocating OBJ against the
#   tailored OUT;
# - OBJ.full.txt: libbpf relocating OBJ against the full module + vmlinux, as it does on a running kernel
#   (vmlinux first, module BTFs for a type vmlinux has no candidate of): vmlinux bind-mounted over
#   /sys/kernel/btf/vmlinux in a private mount namespace, the module shown to libbpf as a loaded kernel
#   module's BTF by module_btf_shim.c (LD_PRELOAD over libbpf's bpf() calls).
# Each keeps libbpf's outcome lines per relocation (patched / no match / poisoned / failed; candidate and spec
# lines dropped, as they name the BTF the candidate came from). test/unit/min-core-btf-split.test.ts checks
# that the two agree on every relocation (but the values of bpf_core_type_id_kernel, IDs of the BTF loaded)
# and that our resolver gives the same on both.
# Needs root (bpf(), unshare -m, mount) and a built CLI (npm run build). ORACLES: default ../shared/oracles.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
ORACLES=${ORACLES:-$ROOT/../shared/oracles}
CORPUS=${BTF_LENS_CORPUS:-$ROOT/../shared/corpus}
cd "$ROOT"
G=test/golden/min-core-btf-split
T=test/fixtures/core-targets/btf
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gcc -O2 -o "$TMP/core_oracle" "$ORACLES/core_oracle.c" -lbpf
gcc -O2 -shared -fPIC -o "$TMP/module_btf_shim.so" $G/module_btf_shim.c -ldl
outcomes() {
  sed -E 's/^( ?)[DWI]: libbpf: /\1/' | grep -E "^prog '[^']*': relo #[0-9]+: (patched|substituting|no matching|.*ambiguity)|failed to perform CO-RE" || true
}
rm -f $G/*.txt
# prove OBJ against MODULE split on VMLINUX; NAME names the goldens
prove() {
  local o=$1 mod=$2 vmlinux=$3 n=$4
  node dist/cli.js gen min-core-btf "$mod" "$TMP/out.btf" "$o" --base "$vmlinux"
  "$TMP/core_oracle" -q -M "$o" "$TMP/out.btf" | outcomes > "$G/$n.txt" || true
  unshare -m sh -c "mount --bind $vmlinux /sys/kernel/btf/vmlinux && MODULE_BTF=$mod MODULE_NAME=module LD_PRELOAD=$TMP/module_btf_shim.so $TMP/core_oracle -q -M $o" > "$TMP/full.log" || true
  outcomes < "$TMP/full.log" > "$G/$n.full.txt"
  # the module really was searched: some candidate came from it
  grep -q 'in \[module\]' "$TMP/full.log" || echo "$n: no candidate from the module"
  echo "$n: $(wc -l < "$G/$n.txt") outcome lines on OUT, $(wc -l < "$G/$n.full.txt") on the full module + vmlinux"
}
rm -f $G/*.txt
for o in test/fixtures/obj/core.bpfel.o test/fixtures/obj/progs.bpfel.o test/fixtures/core-targets/obj/corex.bpfel.o test/fixtures/core-targets/obj/corex.tm.bpfel.o; do
  prove "$o" $T/module.btf $T/missing.btf "$(basename "$o" .o)"
done
# real modules: Debian 6.1's ext4 and openvswitch on their vmlinux (../shared/corpus)
M=test/fixtures/min-core-btf/obj/modtypes.bpfel.o
for mod in fs__ext4__ext4 net__openvswitch__openvswitch; do
  prove $M "$CORPUS/modules/$mod.btf" "$CORPUS/vmlinux-6.1.btf" "modtypes.bpfel__${mod##*__}"
done
