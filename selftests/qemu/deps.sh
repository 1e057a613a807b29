#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the QEMU test harness (and the build of kmod/ and
# userspace/) needs on a Debian 12 machine.  Idempotent: apt is only
# touched when a package is missing, and nothing is printed then.

set -euo pipefail

PKGS=(
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd
	linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.12
	libnl-3-dev libnl-genl-3-dev pkg-config keyutils sparse dkms
	python3-yaml python3-jsonschema gcc make libc6-dev
	libssl-dev libsqlite3-dev cppcheck iproute2 util-linux procps
	clang libclang-rt-dev
	# the debug kernel, built from source (debug-kernel.sh)
	bc bison flex libelf-dev
)
# deps.sh arm64: the arm64 guest (run.sh --arch arm64, make ARCH=arm64).
ARM64_PKGS=(
	qemu-system-arm gcc-aarch64-linux-gnu gcc-12-aarch64-linux-gnu
	libc6-dev-arm64-cross mmdebstrap
	libnl-3-dev:arm64 libnl-genl-3-dev:arm64 libssl-dev:arm64
	libsqlite3-dev:arm64
)

die() { echo "deps.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0 [arm64]    (as root) install missing packages for selftests/qemu"
	echo "  arm64: also the cross compiler, :arm64 libraries and qemu-system-aarch64"
	exit 0 ;;
'') ;;
arm64)	PKGS+=("${ARM64_PKGS[@]}") ;;
*)	die "unexpected argument '$1' (see --help)" ;;
esac

missing=()
native=$(dpkg --print-architecture)
for p in "${PKGS[@]}"; do
	# "install ok installed" is the only state that counts as present;
	# of the native architecture (or all) unless the name has another
	# (a foreign arm64 makes "libnl-3-dev" name two packages).
	arch=$native
	case "$p" in *:*) arch=${p#*:} ;; esac
	dpkg-query -W -f='${Architecture} ${Status}\n' "$p" 2>/dev/null |
		grep -Eqx "($arch|all) install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "must run as root to install: ${missing[*]}"
if [ "${1:-}" = arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "deps.sh: dpkg --add-architecture arm64" >&2
	dpkg --add-architecture arm64
fi
echo "deps.sh: installing ${missing[*]}" >&2
apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
