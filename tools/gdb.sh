#!/bin/bash
# `make gdb`: QEMU halted at its first instruction with the gdbstub on tcp::1234, and
# gdb-multiarch attached with the kernel's symbols. The Vireo console goes to
# build/console.log (watch it with `tail -f build/console.log`); QEMU ends with gdb.
# Extra arguments go to gdb, e.g. tools/gdb.sh -batch -ex 'break kmain' -ex continue -ex bt
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kernel="${VIREO_KERNEL:-$root/build/vireo.elf}"
log="$root/build/console.log"
"$root/tools/qemu.sh" --kernel "$kernel" --gdb -- -serial "file:$log" -monitor none \
	-display none </dev/null >/dev/null 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT INT TERM
# Wait for the gdbstub to listen before gdb connects.
for _ in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/1234) 2>/dev/null && break
	sleep 0.1
done
echo "gdb: QEMU is halted at reset; console output goes to $log"
gdb-multiarch -q -x "$root/tools/gdb/vireo.gdb" "$@" "$kernel"
