#!/usr/bin/env bash
# regen.sh - goldens for struct layout: `pahole -F btf -C NAME vmlinux-6.1.btf` (dwarves 1.24) for a
# sample of structs, one file each (<name>.txt). The sample covers plain structs, holes, bitfields with
# bit holes and bit padding, packed structs, forced (inferred) alignments, member struct paddings and
# anonymous members, "Bitfield combined with next/previous fields", explicit bit-hole fillers, packed
# structs as pahole infers them, inline structs pahole summarises (through const), flexible arrays. CORPUS defaults to <repo>/../shared/corpus; without it the script says so and exits 0.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CORPUS=${CORPUS:-$REPO/../shared/corpus}
V=$CORPUS/vmlinux-6.1.btf
if [ ! -f "$V" ]; then
	echo "layout/regen.sh: $V not found (set CORPUS=...); skipping"
	exit 0
fi
command -v pahole >/dev/null || { echo "layout/regen.sh: pahole not found (apt-get install dwarves)" >&2; exit 1; }
pahole --version

STRUCTS="list_head callback_head task_struct sk_buff mm_struct file inode page sock net_device
super_block dentry bpf_prog bpf_map bpf_prog_aux vm_area_struct Qdisc bpf_htab blkdev_dio
_intel_private arch_specific_insn bio_map_data blk_flush_queue acpi_device_wakeup_flags
acpi_hotplug_profile __arch_relative_insn __pldm_header tcp_sock mem_cgroup vm_fault
kmem_cache rq fs_context pci_slot orc_entry e820_table boot_params sgx_sigstruct
linux_efi_memreserve cacheline_padding dev_pagemap kvm kset_uevent_ops acpi_resource"

rm -f "$HERE"/*.txt
for s in $STRUCTS; do
	pahole -F btf -C "$s" "$V" >"$HERE/$s.txt"
	[ -s "$HERE/$s.txt" ] || { echo "layout/regen.sh: pahole printed nothing for $s" >&2; exit 1; }
done
echo "layout/regen.sh: wrote $(ls "$HERE"/*.txt | wc -l) goldens"
