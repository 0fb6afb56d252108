#!/bin/sh
# The hypervisor behind one interface (docs/design.md 6.1): the kernel's files
# include no hv header but hv.h, and no file name is in both directories, so that an
# include or a rule names one file. Prints each breach as FILE:LINE: why, and fails if
# there is any; prints nothing otherwise.
#   tools/check-layering.sh [KERNEL_DIR HV_DIR]    (default: kernel hv)
set -eu
kdir=${1:-kernel}
hvdir=${2:-hv}
[ -d "$kdir" ] && [ -d "$hvdir" ] || { echo "check-layering: no $kdir or $hvdir" >&2; exit 2; }

breaches=$(
	for f in "$hvdir"/*; do
		name=${f##*/}
		[ -e "$kdir/$name" ] && echo "$kdir/$name: $hvdir/$name has the same name"
	done
	# #include "x" or <x>: a breach when x names an hv header other than hv.h, by its
	# path or by a bare name only hv/ has (the kernel is built with -Ihv).
	for f in "$kdir"/*.[chS]; do
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p;t;s/.*//p' \
			"$f" | awk -v file="$f" -v hvdir="$hvdir" -v kdir="$kdir" \
			-v hvname="${hvdir##*/}" '
			$0 == "" { next }
			{
				inc = $0; base = inc; sub(/.*\//, "", base)
				via_path = inc ~ ("(^|/)" hvname "/")
				bare = inc !~ /\// && system("test -e \"" hvdir "/" inc "\" && ! test -e \"" kdir "/" inc "\"") == 0
				if ((via_path || bare) && base != "hv.h")
					printf "%s:%d: includes %s, an hv header other than hv/hv.h\n", file, NR, inc
			}'
	done
)
[ -z "$breaches" ] && exit 0
echo "$breaches"
exit 1
