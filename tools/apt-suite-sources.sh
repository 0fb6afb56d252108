#!/bin/bash
# Prints deb822 apt sources for another suite of the machine's own archive: the entries of
# its apt sources for its release (VERSION_CODENAME in /etc/os-release), with Suites set to
# SUITE and Components to main, URIs and keys kept (tools/apt-deb-entries.sh). For scripts
# that fetch packages of another suite into a private apt configuration
# (tools/qemu-backports.sh: the release's backports; tools/distro-kernel.sh: a newer release).
#   tools/apt-suite-sources.sh SUITE
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=${1:?usage: $0 SUITE}
# shellcheck disable=SC1091
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "$release" ]; then
	echo "apt-suite-sources.sh: /etc/os-release names no VERSION_CODENAME (is this Debian?)" >&2
	exit 1
fi
"$root/tools/apt-deb-entries.sh" | awk -v rel="$release" -v suite="$suite" '
	function flush(   i) {
		if (n && (" " suites " ") ~ ("[ \t]" rel "[ \t]")) {
			for (i = 1; i <= n; i++) print line[i]
			print ""
		}
		n = 0; suites = ""; key = ""
	}
	/^$/ { flush(); next }
	/^[ \t]/ {
		if (key == "suites") suites = suites " " $0
		else if (key != "components") line[++n] = $0
		next
	}
	{
		key = tolower($0); sub(/:.*/, "", key)
		if (key == "suites") { suites = $0; sub(/^[^:]*:/, "", suites); line[++n] = "Suites: " suite }
		else if (key == "components") line[++n] = "Components: main"
		else line[++n] = $0
	}
	END { flush() }
'
