#!/bin/sh
# Extracts the CO-RE BPF objects embedded in bcc's libbpf-tools binaries into DIR/<tool>.bpf.o.
#
# Where they come from: Debian's `libbpf-tools` package (0.26 here: `apt-get install -y libbpf-tools`) installs
# the libbpf-tools binaries in /usr/sbin; each was built with a bpftool skeleton (`bpftool gen skeleton`), which
# embeds the tool's compiled BPF object, byte for byte as clang wrote it, in the binary's .rodata. Those objects
# are a host corpus like the kernel selftests: not committed (Debian's build, not ours), made again by this
# script. The sweeps take DIR as they take /work/selftests/bpfel (scripts/check-load.ts, check-core.ts,
# check-min-core-btf.ts, check-disasm.ts, check-objects.ts); test/unit/libbpf-tools.test.ts reads
# $BTF_LENS_LIBBPF_TOOLS (this DIR).
#
# Usage: scripts/libbpf-tools-objects.sh DIR [BINARY...]
#   BINARY: default every regular file the libbpf-tools package installs (`dpkg -L`); symlinks are skipped
#   (btrfsdist, ext4dist… are fsdist: the same binary, the same object).
# Every ELF header in a binary whose e_machine is EM_BPF (247) is cut out with its real extent: up to the end of
# its section header table or of its last section holding bytes, whichever is further (the object is not padded
# in .rodata, and what follows it is not part of it). The first object of a binary is <tool>.bpf.o, any further
# one <tool>.N.bpf.o. Deterministic: the output is a function of the binaries' bytes (files are rewritten, mtimes
# set to the binary's). DIR/SOURCE.txt names the package version and each object's binary and offset.
# Then the reference outputs scripts/check-objects.ts compares with, as test/fixtures/selftests.sh writes them:
# X.o.raw.txt (bpftool btf dump file X.o format raw) and X.o.ext.txt (ext_oracle, built from $ORACLES/ext_oracle.c,
# default ../shared/oracles beside the repository); each skipped when its tool is absent.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [BINARY...]" >&2; exit 2; }
dir=$1
shift
if [ $# -eq 0 ]; then
  command -v dpkg >/dev/null || { echo "$0: no dpkg: name the binaries" >&2; exit 2; }
  dpkg -s libbpf-tools >/dev/null 2>&1 || { echo "$0: libbpf-tools is not installed (apt-get install -y libbpf-tools)" >&2; exit 2; }
  set -- $(dpkg -L libbpf-tools | grep '^/usr/s\?bin/.' | sort)
  version=$(dpkg-query -W -f '${Version}' libbpf-tools)
else
  version=unknown
fi
mkdir -p "$dir"
repo=$(cd "$(dirname "$0")/.." && pwd)
ORACLES=${ORACLES:-$repo/../shared/oracles}
BPFTOOL=${BPFTOOL:-bpftool}
node - "$dir" "$version" "$@" <<'EOF'
const { readFileSync, writeFileSync, lstatSync, statSync, utimesSync } = require('node:fs');
const { basename, join } = require('node:path');
const [dir, version, ...bins] = process.argv.slice(2);
const EM_BPF = 247, SHT_NOBITS = 8;
const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** The extent of the ELF object starting at `at` in `b`, or a reason it is not a whole EM_BPF object. */
function bpfElfExtent(b, at) {
  const cls = b[at + 4], data = b[at + 5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return { skip: 'not an ELF header' };
  const le = data === 1, is64 = cls === 2;
  const u16 = (o) => (le ? b.readUInt16LE(at + o) : b.readUInt16BE(at + o));
  const u32 = (o) => (le ? b.readUInt32LE(at + o) : b.readUInt32BE(at + o));
  const word = (o) => (is64 ? Number(le ? b.readBigUInt64LE(at + o) : b.readBigUInt64BE(at + o)) : u32(o));
  const ehsize = is64 ? 64 : 52;
  if (at + ehsize > b.length) return { skip: 'truncated header' };
  if (u16(18) !== EM_BPF) return { skip: 'not EM_BPF' };
  const shoff = word(is64 ? 0x28 : 0x20), shentsize = u16(is64 ? 0x3a : 0x2e);
  let shnum = u16(is64 ? 0x3c : 0x30);
  const room = b.length - at;
  if (shoff + shentsize > room && shoff !== 0) return { error: `section headers at ${shoff} past the binary's end` };
  if (shnum === 0 && shoff !== 0) shnum = word(shoff + (is64 ? 0x20 : 0x14)); // extended numbering: section 0's sh_size
  let end = Math.max(ehsize, shoff + shnum * shentsize);
  if (end > room) return { error: `${shnum} section headers at ${shoff} past the binary's end` };
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (u32(sh + 4) === SHT_NOBITS) continue;
    const off = word(sh + (is64 ? 0x18 : 0x10)), size = word(sh + (is64 ? 0x20 : 0x14));
    if (size && off + size > end) end = off + size;
  }
  if (end > room) return { error: `sections end at ${end}, past the binary's end` };
  return { end };
}

const source = [`libbpf-tools ${version}: the BPF objects embedded in its binaries (scripts/libbpf-tools-objects.sh)`];
let scanned = 0, objects = 0, links = 0, problems = 0;
const none = [];
for (const bin of bins) {
  if (lstatSync(bin).isSymbolicLink()) { links++; continue; }
  if (!lstatSync(bin).isFile()) continue;
  scanned++;
  const b = readFileSync(bin);
  const tool = basename(bin);
  let n = 0;
  for (let at = b.indexOf(MAGIC, 1); at >= 0; ) {
    const r = bpfElfExtent(b, at);
    if (r.error) { console.error(`${bin}: offset ${at} (0x${at.toString(16)}): ${r.error}`); problems++; }
    if (!r.end) { at = b.indexOf(MAGIC, at + 1); continue; }
    const name = n === 0 ? `${tool}.bpf.o` : `${tool}.${n + 1}.bpf.o`;
    const out = join(dir, name);
    writeFileSync(out, b.subarray(at, at + r.end));
    const { atime, mtime } = statSync(bin);
    utimesSync(out, atime, mtime);
    source.push(`${name}: ${bin} offset ${at} (0x${at.toString(16)}), ${r.end} bytes`);
    n++;
    objects++;
    at = b.indexOf(MAGIC, at + r.end);
  }
  if (!n) none.push(tool);
}
writeFileSync(join(dir, 'SOURCE.txt'), source.join('\n') + '\n');
console.log(`libbpf-tools-objects: ${scanned} binaries (${links} symlinks skipped), ${objects} BPF objects into ${dir}`);
if (none.length) console.log(`  no BPF object in: ${none.join(' ')}`);
if (problems) console.log(`  ${problems} ELF headers with EM_BPF cut short (stderr)`);
process.exit(problems ? 1 : 0);
EOF
if command -v "$BPFTOOL" >/dev/null; then
  raw=0
  for o in "$dir"/*.o; do
    if "$BPFTOOL" btf dump file "$o" format raw >"$o.raw.txt" 2>/dev/null; then raw=$((raw + 1)); else rm -f "$o.raw.txt"; fi
  done
  echo "  $raw X.o.raw.txt (bpftool btf dump format raw)"
fi
if [ -f "$ORACLES/ext_oracle.c" ] && command -v gcc >/dev/null; then
  bin=$(mktemp -d)
  if gcc -O2 -o "$bin/ext_oracle" "$ORACLES/ext_oracle.c" -lbpf -lelf 2>/dev/null; then
    for o in "$dir"/*.o; do "$bin/ext_oracle" "$o" >"$o.ext.txt" 2>&1 || true; done
    echo "  $(grep -l '^RESULT ok' "$dir"/*.o.ext.txt | wc -l) of $(ls "$dir"/*.o.ext.txt | wc -l) X.o.ext.txt with RESULT ok (ext_oracle)"
  fi
  rm -rf "$bin"
else
  echo "  no X.o.ext.txt: no gcc or no $ORACLES/ext_oracle.c (set ORACLES)"
fi
