#!/bin/sh
# Writes, as assembly, the kernel's table of function symbols (see kernel/ksyms.c) from
# `nm -n` of a linked kernel. With no argument, writes an empty table for the first link.
set -eu
echo '	.section .ksyms, "a"'
echo '	.balign 8'
if [ $# -eq 0 ]; then
	printf '	.globl ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names\n'
	printf 'ksyms_count: .quad 0\nksyms_addrs:\nksyms_name_offsets:\nksyms_names: .byte 0\n'
	exit 0
fi
${NM:-nm} -n "$1" | awk '
	BEGIN { n = 0 }
	# functions only: no local labels, and no linker script markers (__kernel_start, _etext)
	NF == 3 && $2 ~ /^[tT]$/ && $3 !~ /^(\.L|\$|__)/ && $3 != "_etext" {
		addr[n] = $1; name[n] = $3; n++
	}
	END {
		print "	.globl ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names"
		printf "ksyms_count: .quad %d\n", n
		print "ksyms_addrs:"
		for (i = 0; i < n; i++) printf "	.quad 0x%s\n", addr[i]
		print "ksyms_name_offsets:"
		off = 0
		for (i = 0; i < n; i++) { printf "	.word %d\n", off; off += length(name[i]) + 1 }
		print "ksyms_names:"
		for (i = 0; i < n; i++) printf "	.asciz \"%s\"\n", name[i]
	}'
