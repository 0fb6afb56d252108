#!/bin/bash
# Prints the directory of a QEMU of the given major version (e.g. 10) and its OpenSBI, taken
# from the backports suite of the machine's own Debian release, fetching them first if the
# cache has none:  tools/qemu-backports.sh MAJOR
#
# The system's QEMU and apt configuration stay as they are: a private apt configuration
# (its sources, lists and cache in ${VIREO_CACHE:-$HOME/.cache/vireo}/apt-RELEASE-backports)
# downloads qemu-system-riscv, qemu-system-common, qemu-system-data and opensbi, and
# `dpkg -x` unpacks them into the cache, in qemu-UPSTREAM-KEY (KEY hashes the four package
# versions); qemu-MAJOR points at it. The archive and the release's codename come from the
# machine's apt sources (tools/apt-deb-entries.sh), whose entry for the release
# (VERSION_CODENAME in /etc/os-release) gives the backports suite its URIs and keys. Only the
# shared libraries the packages depend on and the machine lacks are installed, as ordinary
# Debian packages (tools/setup.sh).
#
# With a complete tree cached this prints its path and does nothing else; remove the
# qemu-MAJOR link to look for a newer version. Progress goes to stderr.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() {
	echo "qemu-backports.sh: error: $*" >&2
	exit 1
}
[ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]] || die "usage: $0 MAJOR (a QEMU major version, e.g. 10)"
want=$1
cache=${VIREO_CACHE:-$HOME/.cache/vireo}
link=$cache/qemu-$want
packages=(qemu-system-riscv qemu-system-common qemu-system-data opensbi)

if [ -f "$link/.done" ]; then
	readlink -f "$link"
	exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.qemu-backports.lock"
flock 9
if [ -f "$link/.done" ]; then
	readlink -f "$link"
	exit 0
fi

# shellcheck disable=SC1091
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$release" ] || die "/etc/os-release names no VERSION_CODENAME (is this Debian?)"
suite=$release-backports
# shellcheck source=tools/apt-private.sh
. "$root/tools/apt-private.sh"
echo "qemu: looking for QEMU $want in $suite (log: $cache/apt-$suite/apt.log)" >&2
apt_private "$cache/apt-$suite" "$suite"

declare -A version
for p in "${packages[@]}"; do
	version[$p]=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$p" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }')
	[ -n "${version[$p]}" ] || die "$suite has no package $p"
done
upstream=${version[qemu-system-riscv]#*:}
upstream=${upstream%%[-+~]*}
[ "${upstream%%.*}" = "$want" ] ||
	die "$suite has QEMU $upstream (qemu-system-riscv ${version[qemu-system-riscv]}), not QEMU $want"
key=$(for p in "${packages[@]}"; do echo "$p ${version[$p]}"; done | sha256sum | cut -c1-16)
dir=$cache/qemu-$upstream-$key

if [ ! -f "$dir/.done" ]; then
	echo "qemu: fetching QEMU ${version[qemu-system-riscv]} and OpenSBI ${version[opensbi]} from $suite into $dir" >&2
	work=$dir.work
	rm -rf "$work"
	mkdir -p "$work/debs"
	specs=()
	for p in "${packages[@]}"; do specs+=("$p=${version[$p]}"); done
	(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${specs[@]}") >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get download failed"; }
	for deb in "$work"/debs/*.deb; do
		dpkg -x "$deb" "$work"
	done
	rm -rf "$work/debs"

	# The libraries they need are ordinary packages of the release; the QEMU and OpenSBI
	# packages among their Depends are the ones unpacked here.
	missing=()
	for p in "${packages[@]}"; do
		apt-cache "${apt_opts[@]}" show --no-all-versions "$p=${version[$p]}" |
			awk '$1 == "Depends:" || $1 == "Pre-Depends:" { sub(/^[^:]*:/, ""); print }' |
			tr ',' '\n'
	done >"$work/depends"
	while IFS= read -r dep; do
		names=$(echo "$dep" | sed -E 's/\([^)]*\)//g; s/\[[^]]*\]//g; s/:[a-z0-9]+//g; s/\|/ /g')
		read -ra alts <<<"$names"
		[ ${#alts[@]} -gt 0 ] || continue
		case ${alts[0]} in qemu-* | opensbi) continue ;; esac
		have=0
		for a in "${alts[@]}"; do
			dpkg-query -W -f='${db:Status-Abbrev}' "$a" 2>/dev/null | grep -q '^ii' && have=1
		done
		[ $have -eq 1 ] || missing+=("${alts[0]}")
	done < <(sort -u "$work/depends")
	rm -f "$work/depends"
	if [ ${#missing[@]} -gt 0 ]; then
		"$root/tools/setup.sh" "${missing[@]}" >&2
	fi

	bin=$work/usr/bin/qemu-system-riscv64
	[ -x "$bin" ] || die "qemu-system-riscv has no usr/bin/qemu-system-riscv64"
	if ldd "$bin" | grep -q 'not found'; then
		ldd "$bin" | grep 'not found' >&2
		die "$bin still lacks the libraries above"
	fi
	"$bin" --version | grep -q "version $upstream" || die "$bin does not run as QEMU $upstream"
	# -bios default finds the firmware through a relative link; it must land in this tree
	# (OpenSBI from the same backports), not in the system's.
	fw=$(readlink -f "$work/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin")
	tree=$(readlink -f "$work")
	[ -f "$fw" ] && [ "${fw#"$tree"/}" != "$fw" ] ||
		die "QEMU's default firmware does not resolve inside $work (it is $fw)"
	for p in "${packages[@]}"; do echo "$p ${version[$p]}"; done >"$work/versions"
	touch "$work/.done"
	rm -rf "$dir"
	mv "$work" "$dir"
fi
ln -sfn "$(basename "$dir")" "$link.tmp"
mv -T "$link.tmp" "$link"
echo "qemu: QEMU ${version[qemu-system-riscv]}, OpenSBI ${version[opensbi]} in $dir" >&2
echo "$dir"
