#!/bin/sh
# Installs the Debian packages Vireo's build, run and tests need, and nothing when all are
# there already. Called by `make run`, `make test` and .ci/run; safe to run again.
#   tools/setup.sh [PACKAGE...]   with names: those of them that are missing instead
set -eu

packages="${*:-gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-misc opensbi
device-tree-compiler gdb-multiarch python3-pytest python3-pexpect libcmocka-dev libfdt-dev
pkg-config linux-source-6.1 cpio xz-utils u-boot-qemu e2fsprogs libc6-dev-riscv64-cross}"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "setup: installing Debian packages:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
