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

die() { echo "deps.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0    (as root) install missing packages for selftests/qemu"
	exit 0 ;;
'') ;;
*)	die "unexpected argument '$1' (see --help)" ;;
esac

missing=()
for p in "${PKGS[@]}"; do
	# "install ok installed" is the only state that counts as present.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "must run as root to install: ${missing[*]}"
echo "deps.sh: installing ${missing[*]}" >&2
apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
