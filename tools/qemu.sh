#!/bin/sh
# The one QEMU launch line (docs/design.md 1) that run, test, bench and gdb all use.
#   tools/qemu.sh [options] [-- extra QEMU arguments]
#     --kernel FILE   kernel ELF (default build/vireo.elf)
#     --initrd FILE   boot file system (default build/bootfs.cpio); --no-initrd for none
#     --cpu MODEL     QEMU -cpu value (default rv64,h=true)
#     --mem SIZE      guest RAM, QEMU -m value (default 1G)
#     --append ARGS   kernel command line (/chosen/bootargs)
#     --disk FILE     a raw disk image as QEMU's virtio-blk device (modern virtio-mmio)
#     --net PORT      QEMU's virtio-net device on its user network, with the host's
#                     127.0.0.1:PORT forwarded to port 80 of the guest at 10.0.2.15
#     --smp N         N harts (default $VIREO_SMP, `make ... SMP=N`, or 1)
#     --gdb           halt at the first instruction and wait for GDB on tcp::1234
# Leave QEMU with Ctrl-A then X.
# VIREO_QEMU=10 (`make ... QEMU=10`) runs QEMU 10 with its OpenSBI from the backports of the
# machine's Debian release (tools/qemu-backports.sh); unset, the system's QEMU (Debian 12:
# 7.2 with OpenSBI 1.1).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kernel="$root/build/vireo.elf"
initrd="$root/build/bootfs.cpio"
cpu="rv64,h=true"
mem=1G
append=""
gdb=""
disk=""
net=""
smp=${VIREO_SMP:-1}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--no-initrd) initrd=""; shift ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--disk) disk=$2; shift 2 ;;
	--net) net=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--gdb) gdb="-s -S"; shift ;;
	--) shift; break ;;
	*) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
# No sound: without an -audiodev QEMU probes every audio driver and loads their modules
# (QEMU 10 also tries the system QEMU's, refusing them with a warning on the console).
set -- -machine virt -cpu "$cpu" -m "$mem" -smp "$smp" -nographic -bios default \
	-audiodev none,id=none \
	-kernel "$kernel" ${initrd:+-initrd "$initrd"} ${append:+-append "$append"} $gdb "$@"
# Vireo's drivers speak virtio-mmio Version 2 only; QEMU's slots are legacy by default.
if [ -n "$disk" ] || [ -n "$net" ]; then
	set -- "$@" -global virtio-mmio.force-legacy=false
fi
if [ -n "$disk" ]; then
	set -- "$@" -drive "file=$disk,format=raw,if=none,id=disk0,cache=writeback" \
		-device virtio-blk-device,drive=disk0
fi
if [ -n "$net" ]; then
	set -- "$@" -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$net-:80" \
		-device virtio-net-device,netdev=net0
fi
qemu=qemu-system-riscv64
if [ -n "${VIREO_QEMU:-}" ]; then
	tree=$("$root/tools/qemu-backports.sh" "$VIREO_QEMU")
	qemu=$tree/usr/bin/qemu-system-riscv64
	# Its own data directory, where -bios default finds the OpenSBI unpacked with it, and
	# its own modules: the built-in paths are the system QEMU's.
	set -- -L "$tree/usr/share/qemu" "$@"
	for QEMU_MODULE_DIR in "$tree"/usr/lib/*/qemu; do :; done
	export QEMU_MODULE_DIR
fi
exec "$qemu" "$@"
