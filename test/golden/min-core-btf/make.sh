#!/usr/bin/env bash
# Goldens for `btf-lens gen min-core-btf`: what `bpftool gen min_core_btf TARGET OUT OBJ...` (bpftool 7.1,
# libbpf 1.1) writes for the committed objects with CO-RE relocations against every non-split target of
# test/fixtures/core-targets/btf (and test/fixtures/min-core-btf's own fixtures) and, when present, the
# corpus kernels (CORPUS, default ../shared/corpus).
#   OBJ__TARGET.btf   bpftool's output, byte for byte
#   OBJ__TARGET.fail  bpftool failed: its stderr (we must fail too)
# plus a few cases for the error paths and several objects at once (listed at the end).
# cases.tsv lists each case (name, target, objects; repo-relative, the corpus as $CORPUS) for the test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CORPUS=$(cd "${CORPUS:-$ROOT/../shared/corpus}" 2>/dev/null && pwd || echo /nonexistent)
cd "$ROOT" # objects named by repo-relative paths: bpftool's messages then hold no machine's path
G=test/golden/min-core-btf
rm -f $G/*.btf $G/*.fail $G/cases.tsv

objs=()
for o in test/fixtures/obj/{core,progs}.*.o test/fixtures/core-targets/obj/*.o; do
  case $o in *nobtf*) continue ;; esac
  objs+=("$o")
done
targets=()
for t in test/fixtures/core-targets/btf/*.btf; do
  [ "$(basename "$t")" = module.btf ] && continue # split: bpftool cannot
  targets+=("$t")
done
for k in vmlinux-6.1 vmlinux-6.18; do [ -f "$CORPUS/$k.btf" ] && targets+=("$CORPUS/$k.btf"); done

gen() { # NAME TARGET OBJ...
  local name=$1 target=$2; shift 2
  local out=$G/$name
  printf '%s\t%s\t%s\n' "$name" "${target/#$CORPUS/\$CORPUS}" "$*" >>$G/cases.tsv
  if ! bpftool gen min_core_btf "$target" "$out.btf" "$@" 2>"$out.err"; then
    rm -f "$out.btf"; mv "$out.err" "$out.fail"
  else
    rm -f "$out.err"
  fi
}
for o in "${objs[@]}"; do
  for t in "${targets[@]}"; do
    gen "$(basename "$o" .o)__$(basename "$t" .btf)" "$t" "$o"
  done
done
# several objects at once: marks add up, one output
gen "multi__same" "test/fixtures/core-targets/btf/same.btf" "test/fixtures/obj/core.bpfel.o" "test/fixtures/obj/progs.bpfel.o" "test/fixtures/core-targets/obj/corex.bpfel.o"
[ -f "$CORPUS/vmlinux-6.1.btf" ] && gen "multi__vmlinux-6.1" "$CORPUS/vmlinux-6.1.btf" "test/fixtures/obj/core.bpfel.o" "test/fixtures/obj/progs.bpfeb.o" "test/fixtures/obj/progs.gcc.bpfel.o"
# test/fixtures/min-core-btf (build.sh): one relocation family per object, against its target
for o in test/fixtures/min-core-btf/obj/*.o; do
  # modtypes reads module types: the split-target proof's (test/golden/min-core-btf-split)
  [ "$(basename "$o")" = modtypes.bpfel.o ] && continue
  gen "$(basename "$o" .o)__target" test/fixtures/min-core-btf/btf/target.btf "$o"
done
gen "gen+match__target" test/fixtures/min-core-btf/btf/target.btf test/fixtures/min-core-btf/obj/gen.bpfel.o test/fixtures/min-core-btf/obj/match.bpfel.o
# no CO-RE relocation: an empty BTF; no .BTF.ext, no .BTF, not BPF: bpftool fails
for o in enums.bpfel types.noext.bpfel progs.nobtf.bpfel not_bpf.x86_64; do
  gen "${o}__same" "test/fixtures/core-targets/btf/same.btf" "test/fixtures/obj/$o.o"
done
ls $G | grep -c '\.btf$' | sed 's/$/ outputs/'
ls $G | grep -c '\.fail$' | sed 's/$/ failures/'
