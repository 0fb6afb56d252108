#!/bin/bash
# Builds the Linux guest: guest/linux/build.sh OUTDIR
#
# Writes OUTDIR/Image (riscv64 Linux from Debian's linux-source-6.1, tinyconfig plus
# config.fragment), OUTDIR/initramfs.cpio.gz (a static busybox from Debian's busybox source
# package, configured by busybox.config, plus ./init), and OUTDIR/vmlinux and System.map for
# debuggers, with the debug information debug.fragment asks for. The kernel and busybox
# builds are cached outside the clone, in
# ${VIREO_CACHE:-$HOME/.cache/vireo}/linux-KEY and busybox-KEY, where KEY hashes every input
# (see README.md); the initramfs is packed anew each time, which takes well under a second.
#
# Builds happen in KEY.work directories inside the cache and are renamed into place when
# complete, so an interrupted build resumes where it stopped and never leaves a half-built
# entry behind. Compiler output goes to the build.log in that directory; on failure its
# path and last lines are printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me="$here/$(basename "${BASH_SOURCE[0]}")"
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
cache=${VIREO_CACHE:-$HOME/.cache/vireo}
cross=riscv64-linux-gnu-
jobs=$(nproc)
linux_pkg=linux-source-6.1
linux_tar=/usr/src/$linux_pkg.tar.xz
# Written only when the machine's apt sources have no deb-src entry (see enable_deb_src).
debsrc_file=/etc/apt/sources.list.d/vireo-deb-src.sources
# Host tools the builds use, by the Debian package that provides them.
packages=(make gcc libc6-dev bc bison flex xz-utils gzip cpio dpkg-dev gdb-multiarch
	gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross "$linux_pkg")
t_start=$SECONDS

die() {
	echo "build.sh: error: $*" >&2
	exit 1
}

# stage LABEL LOG CMD...: prints "LABEL ... Ns", running CMD (a command or a function of
# this file) with errexit on and its output appended to LOG. On failure prints the last 30
# lines of LOG and its path, and exits.
stage() {
	local label=$1 log=$2 t0=$SECONDS rc
	shift 2
	printf '%s ... ' "$label"
	echo "=== $(date '+%F %T') $label" >>"$log"
	# Not `if "$@"`: bash ignores errexit inside a command that is an if's condition.
	set +e
	(set -e; "$@") >>"$log" 2>&1 </dev/null
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		echo "FAILED after $((SECONDS - t0))s"
		{
			echo "---- last 30 lines of $log ----"
			tail -n 30 "$log"
			echo "----"
		} >&2
		die "$label failed (exit $rc); full log: $log"
	fi
	echo "$((SECONDS - t0))s"
}

# Installs whichever of the packages named is missing.
ensure_packages() {
	local missing=() p log
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
	log=$cache/apt.log
	install_missing() {
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "$@" ||
			{ apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; }
	}
	stage "packages: installing ${missing[*]}" "$log" install_missing "${missing[@]}"
}

# Prints, as deb822 stanzas, a deb-src twin of each enabled `deb` entry of the machine's
# apt sources (tools/apt-deb-entries.sh reads them).
derive_deb_src() {
	"$here/../../tools/apt-deb-entries.sh" | sed 's/^Types: deb$/Types: deb-src/'
}

# Makes `apt-get source busybox` possible: adds deb-src entries mirroring the machine's deb
# entries (unless it has some already) and fetches their source indexes. The update reads
# only the deb-src file and keeps the other lists, so it needs no other source to answer.
enable_deb_src() {
	local tmp
	apt-cache showsrc busybox 2>/dev/null | grep -q '^Version:' && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "apt knows no source package for busybox: add deb-src entries to the apt sources (as root) and run apt-get update"
	if grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		--exclude="$(basename "$debsrc_file")" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		# The machine has deb-src entries of its own: only their indexes are missing.
		stage "apt: updating package indexes" "$cache/apt.log" apt-get update -q
	else
		tmp=$(mktemp)
		derive_deb_src >"$tmp"
		[ -s "$tmp" ] || { rm -f "$tmp"; die "no deb entries in the apt sources to derive deb-src entries from"; }
		{
			echo "# Written by Vireo's guest/linux/build.sh: the deb entries of this machine,"
			echo "# as deb-src, so that 'apt-get source busybox' works."
			cat "$tmp"
		} >"$debsrc_file.tmp"
		rm -f "$tmp"
		chmod 644 "$debsrc_file.tmp"
		mv "$debsrc_file.tmp" "$debsrc_file"
		echo "apt: wrote deb-src entries to $debsrc_file"
		stage "apt: updating source indexes" "$cache/apt.log" apt-get update -q \
			-o Dir::Etc::SourceList="$debsrc_file" -o Dir::Etc::SourceParts=/dev/null \
			-o APT::Get::List-Cleanup=0
	fi
	apt-cache showsrc busybox 2>/dev/null | grep -q '^Version:' ||
		die "apt still knows no source package for busybox (see $cache/apt.log)"
}

# The newest busybox source version apt knows.
busybox_version() {
	local v best=
	for v in $(apt-cache showsrc busybox | awk '$1 == "Package:" { p = $2 } $1 == "Version:" && p == "busybox" { print $2 }'); do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
			best=$v
		fi
	done
	[ -n "$best" ] || die "no busybox source version found"
	echo "$best"
}

key_of() {
	sha256sum | cut -c1-16
}

# check_config FRAGMENT CONFIG: every option FRAGMENT sets must be so in CONFIG.
check_config() {
	local frag=$1 cfg=$2 bad=0 line sym got
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			if ! grep -qxF -- "$line" "$cfg"; then
				got=$(grep -E "^(# )?${sym}[= ]" "$cfg" || echo "absent (a dependency is missing?)")
				echo "config: wanted $line, got: $got"
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if got=$(grep "^$sym=" "$cfg"); then
				echo "config: wanted $line, got: $got"
				bad=1
			fi
			;;
		esac
	done <"$frag"
	if [ $bad -ne 0 ]; then
		echo "config: options of $frag did not end up in $cfg (see above)"
		return 1
	fi
	echo "config: all options of $frag are set"
}

# apply_fragment FRAGMENT CONFIG: sets the options of FRAGMENT in CONFIG, replacing theirs.
apply_fragment() {
	local frag=$1 cfg=$2 syms
	syms=$(sed -nE 's/^(# )?(CONFIG_[A-Za-z0-9_]+)(=| is not set).*/\2/p' "$frag")
	# shellcheck disable=SC2086
	awk -v syms="$syms" '
		BEGIN { n = split(syms, s, /[ \n]+/); for (i = 1; i <= n; i++) drop[s[i]] = 1 }
		{ sym = $0; sub(/^# /, "", sym); sub(/[= ].*/, "", sym) }
		!(sym in drop)
	' "$cfg" >"$cfg.new"
	grep -E '^(# )?CONFIG_' "$frag" >>"$cfg.new"
	mv "$cfg.new" "$cfg"
}

# --- Linux -------------------------------------------------------------------------------

linux_make() {
	make -C "$linux_src" O="$1" ARCH=riscv CROSS_COMPILE="$cross" \
		KBUILD_BUILD_USER=vireo KBUILD_BUILD_HOST=vireo "${@:2}"
}

unpack_linux() {
	local tmp=$cache/src/.$linux_pkg-$linux_ver.tmp
	[ -d "$linux_src" ] && return 0
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xf "$linux_tar" -C "$tmp"
	[ -f "$tmp/$linux_pkg/Makefile" ] || { echo "$linux_tar has no $linux_pkg/Makefile"; return 1; }
	mv "$tmp/$linux_pkg" "$linux_src"
	rm -rf "$tmp"
}

configure_linux() {
	local b=$1
	linux_make "$b" tinyconfig
	"$linux_src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$here/config.fragment" \
		"$here/debug.fragment"
	linux_make "$b" olddefconfig
	check_config "$here/config.fragment" "$b/.config"
	check_config "$here/debug.fragment" "$b/.config"
}

collect_linux() {
	local b=$1 o=$2
	rm -rf "$o"
	mkdir -p "$o"
	cp "$b/arch/riscv/boot/Image" "$b/vmlinux" "$b/System.map" "$o/"
	cp "$b/.config" "$o/config"
	# The RISC-V Image header: "RSC\x05" at 0x38.
	[ "$(od -An -c -j 56 -N 4 "$o/Image" | tr -d ' ')" = 'RSC005' ] ||
		{ echo "$o/Image has no RISC-V Image header"; return 1; }
	# GDB's Linux backtraces need its line tables and call frame information.
	"${cross}readelf" -SW "$o/vmlinux" | grep -q ' \.debug_line ' &&
		"${cross}readelf" -SW "$o/vmlinux" | grep -q ' \.debug_frame ' ||
		{ echo "$o/vmlinux has no .debug_line or .debug_frame (debug.fragment)"; return 1; }
}

# Adds a .gdb_index to vmlinux, so that GDB opens it in a moment instead of reading all of
# its debug information first (make gdb, docs/debugging.md).
index_vmlinux() {
	GDB=gdb-multiarch OBJCOPY="${cross}objcopy" READELF="${cross}readelf" gdb-add-index "$1"
	"${cross}readelf" -SW "$1" | grep -q ' \.gdb_index ' || { echo "$1 has no .gdb_index"; return 1; }
}

build_linux() {
	local work=$linux_dir.work label
	mkdir -p "$work"
	if [ -d "$linux_src" ]; then
		label="linux: fetching sources (cached)"
	else
		label="linux: fetching sources (unpacking)"
	fi
	stage "$label" "$work/build.log" unpack_linux
	stage "linux: configuring" "$work/build.log" configure_linux "$work/build"
	stage "linux: compiling" "$work/build.log" linux_make "$work/build" -j"$jobs" Image vmlinux
	collect_linux "$work/build" "$work/out"
	stage "linux: indexing debug information" "$work/build.log" index_vmlinux "$work/out/vmlinux"
	mv "$work/build.log" "$work/out/build.log"
	mv "$work/out" "$linux_dir"
	rm -rf "$work"
}

# --- busybox -----------------------------------------------------------------------------

busybox_make() {
	make -C "$busybox_src" O="$1" CROSS_COMPILE="$cross" "${@:2}"
}

fetch_busybox() {
	local tmp=$cache/src/.busybox-$busybox_dirver.tmp d
	[ -d "$busybox_src" ] && return 0
	rm -rf "$tmp"
	mkdir -p "$tmp"
	(
		cd "$tmp"
		if [ "$(id -u)" -eq 0 ]; then
			# As root apt would try to drop to _apt, which cannot write here.
			apt-get source -q -o APT::Sandbox::User=root "busybox=$busybox_ver"
		else
			apt-get source -q "busybox=$busybox_ver"
		fi
	)
	for d in "$tmp"/busybox-*/; do
		[ -f "$d/Makefile" ] && break
	done
	[ -f "$d/Makefile" ] || { echo "apt-get source left no busybox source tree in $tmp"; return 1; }
	mv "$d" "$busybox_src"
	rm -rf "$tmp"
}

configure_busybox() {
	local b=$1
	mkdir -p "$b"
	busybox_make "$b" defconfig
	apply_fragment "$here/busybox.config" "$b/.config"
	# Options the fragment brings in get their defaults.
	{ yes '' || true; } | busybox_make "$b" oldconfig
	check_config "$here/busybox.config" "$b/.config"
}

collect_busybox() {
	local b=$1 o=$2
	rm -rf "$o"
	mkdir -p "$o"
	cp "$b/busybox" "$b/busybox.links" "$o/"
	cp "$b/.config" "$o/config"
	"${cross}readelf" -h "$o/busybox" | grep -q 'Machine:.*RISC-V' ||
		{ echo "$o/busybox is not a RISC-V executable"; return 1; }
	if "${cross}readelf" -lW "$o/busybox" | grep -q 'INTERP'; then
		echo "$o/busybox is dynamically linked"
		return 1
	fi
}

build_busybox() {
	local work=$busybox_dir.work label
	mkdir -p "$work"
	if [ -d "$busybox_src" ]; then
		label="busybox: fetching sources (cached)"
	else
		label="busybox: fetching sources (apt-get source busybox=$busybox_ver)"
	fi
	stage "$label" "$work/build.log" fetch_busybox
	stage "busybox: configuring" "$work/build.log" configure_busybox "$work/build"
	stage "busybox: compiling" "$work/build.log" \
		busybox_make "$work/build" -j"$jobs" busybox busybox.links
	collect_busybox "$work/build" "$work/out"
	mv "$work/build.log" "$work/out/build.log"
	mv "$work/out" "$busybox_dir"
	rm -rf "$work"
}

# --- initramfs ---------------------------------------------------------------------------

pack_initramfs() {
	local t=$1 d
	# The kernel's own packer: newc, owned by root, with device nodes, without privileges.
	cc -O2 -o "$t/gen_init_cpio" "$linux_gen_init_cpio"
	{
		for d in bin sbin usr usr/bin usr/sbin dev etc proc sys tmp run root mnt var var/log; do
			echo "dir /$d 755 0 0"
		done
		# The kernel opens /dev/console for init before any devtmpfs is mounted.
		echo "nod /dev/console 600 0 0 c 5 1"
		echo "file /init $here/init 755 0 0"
		echo "file /bin/busybox $busybox_dir/busybox 755 0 0"
		sed -n 's|^/*\(.*\)|\1|p' "$busybox_dir/busybox.links" |
			grep -vx 'bin/busybox' |
			while IFS= read -r d; do
				echo "slink /$d /bin/busybox 777 0 0"
			done
	} >"$t/list"
	"$t/gen_init_cpio" -t 0 "$t/list" | gzip -9 -n >"$t/initramfs.cpio.gz"
	# Check the archive: it must hold /init and the busybox links.
	gzip -dc "$t/initramfs.cpio.gz" | cpio -it --quiet >"$t/contents"
	for d in init bin/busybox bin/sh sbin/init sbin/poweroff bin/cttyhack; do
		grep -qx "$d" "$t/contents" || { echo "initramfs lacks /$d"; return 1; }
	done
}

# install_out FILE...: copies into $out, each file renamed into place once complete.
install_out() {
	local f
	for f in "$@"; do
		cp "$f" "$out/.$(basename "$f").tmp"
		mv -f "$out/.$(basename "$f").tmp" "$out/$(basename "$f")"
	done
}

# --- main --------------------------------------------------------------------------------

mkdir -p "$cache/src" "$out"
# One build.sh at a time per cache (the work directories are shared).
exec 9>"$cache/.guest-linux.lock"
if ! flock -n 9; then
	echo "build.sh: waiting for another build.sh using $cache"
	flock 9
fi

ensure_packages "${packages[@]}"
[ -f "$linux_tar" ] || die "$linux_tar is missing although $linux_pkg is installed"
command -v "${cross}gcc" >/dev/null || die "${cross}gcc not found"
[ -f /usr/riscv64-linux-gnu/lib/libc.a ] ||
	die "/usr/riscv64-linux-gnu/lib/libc.a not found (libc6-dev-riscv64-cross)"
enable_deb_src

linux_ver=$(dpkg-query -W -f='${Version}' "$linux_pkg")
busybox_ver=$(busybox_version)
busybox_dirver=${busybox_ver//:/_}
cc_ver="$("${cross}gcc" --version | head -n1); $("${cross}ld" --version | head -n1)"
libc_ver=$(dpkg-query -W -f='${Version}' libc6-dev-riscv64-cross)

linux_key=$({
	echo "$linux_pkg $linux_ver"
	echo "$cc_ver"
	echo "--- config.fragment"
	cat "$here/config.fragment"
	echo "--- debug.fragment"
	cat "$here/debug.fragment"
	echo "--- build.sh"
	cat "$me"
} | key_of)
busybox_key=$({
	echo "busybox source $busybox_ver"
	echo "$cc_ver"
	echo "libc6-dev-riscv64-cross $libc_ver"
	echo "--- busybox.config"
	cat "$here/busybox.config"
	echo "--- build.sh"
	cat "$me"
} | key_of)

linux_src=$cache/src/$linux_pkg-${linux_ver//:/_}
linux_dir=$cache/linux-$linux_key
busybox_src=$cache/src/busybox-$busybox_dirver
busybox_dir=$cache/busybox-$busybox_key

if [ -d "$linux_dir" ]; then
	echo "linux: cached ($linux_pkg $linux_ver) in $linux_dir"
else
	echo "linux: building $linux_pkg $linux_ver into $linux_dir"
	build_linux
fi

if [ -d "$busybox_dir" ]; then
	echo "busybox: cached (source $busybox_ver) in $busybox_dir"
else
	echo "busybox: building source $busybox_ver into $busybox_dir"
	build_busybox
fi

# gen_init_cpio.c from the kernel sources; unpacked only if the kernel build needed them.
linux_gen_init_cpio=$linux_src/usr/gen_init_cpio.c
if [ ! -f "$linux_gen_init_cpio" ]; then
	linux_gen_init_cpio=$cache/src/gen_init_cpio-${linux_ver//:/_}.c
	if [ ! -f "$linux_gen_init_cpio" ]; then
		tar -xOf "$linux_tar" "$linux_pkg/usr/gen_init_cpio.c" >"$linux_gen_init_cpio.tmp" ||
			die "cannot extract usr/gen_init_cpio.c from $linux_tar"
		mv "$linux_gen_init_cpio.tmp" "$linux_gen_init_cpio"
	fi
fi
tmp=$(mktemp -d "$cache/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$cache/initramfs.log"
stage "initramfs: packing" "$cache/initramfs.log" pack_initramfs "$tmp"

install_out "$linux_dir/Image" "$linux_dir/vmlinux" "$linux_dir/System.map" \
	"$tmp/initramfs.cpio.gz"
echo "done in $((SECONDS - t_start))s: $out/Image ($(stat -c %s "$out/Image") bytes)," \
	"$out/initramfs.cpio.gz ($(stat -c %s "$out/initramfs.cpio.gz") bytes)"
