#!/bin/sh
# What test/unit/deps.test.ts checks `btf-lens deps` against, printed by bpftool alone: each CO-RE fixture
# target's types as JSON (members, bit offsets, enumerator values). Outcomes come from libbpf's own logs in
# test/golden/core-resolve (test/fixtures/core-targets/build.sh).
#   sh test/golden/deps/make.sh    # BPFTOOL=... to override
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bpftool=${BPFTOOL:-bpftool}
for t in same moved missing old flavors bitfields enum64; do
  "$bpftool" btf dump file "$root/test/fixtures/core-targets/btf/$t.btf" -j > "$here/$t.json"
done
# The objects' own BTF (the local types CO-RE changes are reported from).
for o in core progs; do
  "$bpftool" btf dump file "$root/test/fixtures/obj/$o.bpfel.o" -j > "$here/$o.bpfel.json"
done
"$bpftool" btf dump file "$root/test/fixtures/core-targets/obj/corex.bpfel.o" -j > "$here/corex.bpfel.json"
