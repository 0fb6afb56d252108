#!/bin/sh
# Prints the directory holding libfdt's sources, unpacking them first if needed. They come
# from Debian's linux-source-6.1 package (scripts/dtc/libfdt), which the Linux guest needs
# anyway; they are cached outside the clone, keyed by that package's version, and never
# committed.
set -eu
cache="${VIREO_CACHE:-$HOME/.cache/vireo}"
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
dir="$cache/libfdt-$version"
if [ ! -f "$dir/.done" ]; then
	echo "libfdt: unpacking from linux-source-6.1 $version into the cache" >&2
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir.tmp" --strip-components=4 \
		linux-source-6.1/scripts/dtc/libfdt
	touch "$dir.tmp/.done"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
