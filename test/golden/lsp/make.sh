#!/bin/sh
# Regenerates the language server's goldens with the real tools (bpftool 7.1):
#   regmap-sdw.raw.txt — bpftool's raw dump of the fixture module on its Debian 6.1 base.
#   regmap-sdw.wrong-base.raw.txt — the same on a wrong base (below).
# Needs ../shared/corpus/vmlinux-6.1.btf (or CORPUS=...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../../..
corpus=${CORPUS:-$root/../shared/corpus}
bpftool btf dump file "$root/test/fixtures/debian-6.1/regmap-sdw.btf" -B "$corpus/vmlinux-6.1.btf" > "$here/regmap-sdw.raw.txt"
# regmap-sdw.wrong-base.raw.txt — the same module dumped on a base it was not built for (a fixture's
# BTF): bpftool prints it without complaint; btf-lens prints the same and says the base does not fit.
bpftool btf dump file "$root/test/fixtures/debian-6.1/regmap-sdw.btf" -B "$root/test/fixtures/obj/types.bpfel.btf" > "$here/regmap-sdw.wrong-base.raw.txt"
# regmap-sdw.vermagic.txt — what kmod's modinfo reads from the fixture .ko's .modinfo (its first word is the release).
modinfo -F vermagic "$root/test/workspace/modules/regmap-sdw.ko" > "$here/regmap-sdw.vermagic.txt"
