#!/bin/bash
# `make gdb`: QEMU halted at its first instruction with its gdbstub on a free local port, and
# gdb-multiarch attached with the symbols of the kernel, of every program and of the guests
# (build/linux/vmlinux when built, and each --guest FILE) and the `vireo` commands
# (docs/debugging.md). The console is a socket, build/console.sock, that tools/console.py
# attaches a terminal to, and is logged to build/console.log; QEMU ends with gdb.
#   tools/gdb.sh [--guest FILE]... [gdb arguments], e.g. -batch -ex 'break kmain' -ex continue
# VIREO_KERNEL and VIREO_INITRD choose other images, VIREO_CONSOLE another socket.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
kernel="${VIREO_KERNEL:-$root/build/vireo.elf}"
initrd="${VIREO_INITRD:-$root/build/bootfs.cpio}"
console="${VIREO_CONSOLE:-$root/build/console.sock}"
log="${console%.sock}.log"
qemu_log="${console%.sock}.qemu.log"
guests=""
while [ $# -gt 0 ] && [ "$1" = --guest ]; do
	[ -f "$2" ] || { echo "gdb.sh: no guest file $2" >&2; exit 2; }
	guests="$guests${guests:+:}$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
	shift 2
done

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Another QEMU may take the port between free_port and QEMU's bind: then try another.
qemu=""
trap '[ -n "$qemu" ] && kill $qemu 2>/dev/null; rm -f "$console"' EXIT
trap 'exit 130' INT TERM
for _ in 1 2 3 4 5; do
	port=$(free_port)
	rm -f "$console"
	"$root/tools/qemu.sh" --kernel "$kernel" --initrd "$initrd" -- -S \
		-gdb "tcp:127.0.0.1:$port" -chardev \
		"socket,id=console,path=$console,server=on,wait=off,logfile=$log" \
		-serial chardev:console -monitor none -display none </dev/null >"$qemu_log" 2>&1 &
	qemu=$!
	for _ in $(seq 200); do
		listening "$port" || ! kill -0 $qemu 2>/dev/null && break
		sleep 0.05
	done
	listening "$port" && break
	kill $qemu 2>/dev/null || true
	wait $qemu 2>/dev/null || true
	qemu=""
	if ! grep -q "in use" "$qemu_log"; then
		echo "gdb.sh: QEMU's gdbstub did not start:" >&2
		cat "$qemu_log" >&2
		exit 1
	fi
done
[ -n "$qemu" ] || { echo "gdb.sh: no free port for the gdbstub" >&2; exit 1; }
echo "gdb: QEMU is halted at reset; its console: tools/console.py (or tail -f $log)"
VIREO_ROOT=$root VIREO_KERNEL=$kernel VIREO_GDB_PORT=$port VIREO_GUESTS=$guests \
	gdb-multiarch -q -x "$root/tools/gdb/vireo.gdb" "$@"
