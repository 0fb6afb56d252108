#!/bin/bash
# Prints the path of a distribution's packaged riscv64 Linux kernel (a boot-protocol Image),
# fetching it first if the cache has none:  tools/distro-kernel.sh [SUITE]
#
# A guest no one here built, for the tests (tools/systest/test_distro_kernel.py): Debian's
# own linux-image-riscv64, built with the full distribution configuration (the 8250 UART
# built in, virtio-mmio and most drivers as modules, no HVC_RISCV_SBI). SUITE is the Debian
# suite to take it from, by default trixie (Debian 13, the first release with riscv64).
# The archive comes from the machine's own apt sources (tools/apt-deb-entries.sh), whose
# entry for its release gives SUITE its URIs and keys; a private apt configuration in
# ${VIREO_CACHE:-$HOME/.cache/vireo}/apt-SUITE-riscv64 downloads the package and `dpkg -x`
# unpacks it into distro-kernel-VERSION there. The system's apt stays as it is.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() {
	echo "distro-kernel.sh: error: $*" >&2
	exit 1
}
suite=${1:-trixie}
[[ $suite =~ ^[a-z0-9-]+$ ]] || die "usage: $0 [SUITE] (a Debian suite, e.g. trixie)"
cache=${VIREO_CACHE:-$HOME/.cache/vireo}
link=$cache/distro-kernel-$suite
if [ -f "$link/Image" ]; then
	readlink -f "$link/Image"
	exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.distro-kernel.lock"
flock 9

# shellcheck source=tools/apt-private.sh
. "$root/tools/apt-private.sh"
echo "distro-kernel: looking for linux-image-riscv64 in $suite (log: $cache/apt-$suite-riscv64/apt.log)" >&2
apt_private "$cache/apt-$suite-riscv64" "$suite" riscv64
# The metapackage names the versioned image package (linux-image-6.12.N-riscv64).
image_pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-riscv64 2>>"$log" |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$image_pkg" ] || die "$suite has no linux-image-riscv64 naming a kernel package"
version=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$image_pkg" |
	awk '$1 == "Version:" { print $2; exit }')
dir=$cache/distro-kernel-$image_pkg-$version
if [ ! -f "$dir/Image" ]; then
	echo "distro-kernel: fetching $image_pkg $version from $suite" >&2
	work=$dir.work
	rm -rf "$work"
	mkdir -p "$work/deb"
	(cd "$work/deb" && apt-get "${apt_opts[@]}" download "$image_pkg=$version") >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get download of $image_pkg failed"; }
	dpkg -x "$work"/deb/*.deb "$work/root"
	# Debian installs the riscv64 Image (an EFI stub with the RISC-V boot header) as vmlinux.
	images=("$work"/root/boot/vmlinu[xz]-*)
	[ -f "${images[0]}" ] || die "$image_pkg has no /boot/vmlinux-*"
	[ "$(od -An -c -j 56 -N 4 "${images[0]}" | tr -d ' ')" = 'RSC005' ] ||
		die "${images[0]} has no RISC-V Image header"
	cp "${images[0]}" "$work/Image.tmp"
	cp "$work"/root/boot/config-* "$work/config"
	echo "$image_pkg $version" >"$work/version"
	rm -rf "$work/deb" "$work/root"
	mv "$work/Image.tmp" "$work/Image"
	rm -rf "$dir"
	mv "$work" "$dir"
fi
ln -sfn "$(basename "$dir")" "$link.tmp"
mv -T "$link.tmp" "$link"
echo "distro-kernel: $image_pkg $version in $dir" >&2
echo "$dir/Image"
