#!/usr/bin/env bash
# libbpf 1.1 refuses big-endian .BTF.ext, so for each big-endian fixture this makes a copy whose
# .BTF.ext alone is byte-swapped to little-endian (every field of .BTF.ext is a u32 after the
# u16 magic and two u8s), and records what libbpf's ext_oracle reads from that copy as the golden
# of the big-endian object: test/golden/ext/<obj>.bpfeb.o.txt.
# Usage: bash test/golden/ext-be.sh   (needs llvm-objcopy, python3, gcc, libbpf-dev, libelf-dev)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
oracles=${ORACLES:-$repo/../shared/oracles}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/ext_oracle" "$oracles/ext_oracle.c" -lbpf -lelf
for obj in "$repo"/test/fixtures/obj/*.bpfeb.o; do
  name=$(basename "$obj")
  llvm-objcopy --dump-section .BTF.ext="$tmp/ext.be" "$obj" "$tmp/discard.o" 2>/dev/null || continue
  python3 - "$tmp/ext.be" "$tmp/ext.le" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:2] == b'\xeb\x9f', 'not big-endian .BTF.ext'
out = bytearray(b'\x9f\xeb') + b[2:4]
out += b''.join(struct.pack('<I', w) for w in struct.unpack('>%dI' % ((len(b) - 4) // 4), b[4:4 + (len(b) - 4) // 4 * 4]))
open(sys.argv[2], 'wb').write(out)
PY
  llvm-objcopy --update-section .BTF.ext="$tmp/ext.le" "$obj" "$tmp/$name"
  "$tmp/ext_oracle" "$tmp/$name" > "$repo/test/golden/ext/$name.txt" || true
  echo "wrote test/golden/ext/$name.txt: $(tail -1 "$repo/test/golden/ext/$name.txt")"
done
