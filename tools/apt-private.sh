# shellcheck shell=bash
# Sourced by the scripts that fetch packages of another suite of the machine's own archive
# (tools/qemu-backports.sh: the release's backports; tools/distro-kernel.sh: a newer release)
# into a private apt configuration in DIR, leaving the system's apt as it is. The caller
# defines root (the clone) and die.
#   apt_private DIR SUITE [ARCH]
# writes DIR/suite.sources (tools/apt-suite-sources.sh), sets apt_opts and log (DIR/apt.log)
# and runs apt-get update.
apt_private() {
	local dir=$1 suite=$2 arch=${3:-}
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	"$root/tools/apt-suite-sources.sh" "$suite" >"$dir/sources.tmp"
	[ -s "$dir/sources.tmp" ] ||
		die "no deb entry of the apt sources names the machine's release, to take $suite from"
	# deb822, as the name tells apt.
	mv "$dir/sources.tmp" "$dir/suite.sources"
	apt_opts=(-q -o Dir::Etc::SourceList="$dir/suite.sources" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o Dir::State::status=/dev/null)
	[ -z "$arch" ] || apt_opts+=(-o APT::Architecture="$arch" -o APT::Architectures="$arch")
	# As root apt would drop to _apt for downloads, which cannot write into the cache.
	[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)
	log=$dir/apt.log
	apt-get "${apt_opts[@]}" update >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get update of $suite failed"; }
}
