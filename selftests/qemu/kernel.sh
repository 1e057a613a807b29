#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [--arch arm64] SERIES - make a Debian kernel image of SERIES
# (5.10, 6.1 or 6.12) available for QEMU, without installing it.  SERIES
# debug is the debug kernel built from source by debug-kernel.sh (KASAN,
# kmemleak, lockdep).
#
# 5.10 is Debian 11's kernel, fetched by kernel-bullseye.sh.
#
# The ABI name comes from the installed headers meta package, so the
# guest kernel always matches the headers kmod/ is built against.  The
# image package is downloaded and unpacked once into
# ${SUBCRED_CACHE:-/var/cache/subcred}/kernels/<abi>/, then reused.
#
# --arch arm64: Debian's arm64 kernel of the same version as the amd64
# headers installed (the foreign architecture arm64 must be known to
# dpkg: deps.sh arm64).  Its image and its headers package are unpacked
# there; the headers' scripts/ and tools/ point to the host's own
# linux-kbuild of that version (amd64 programs: modpost handles any
# target), so that the unpacked headers are a tree to cross-build
# modules against, with Debian's arm64 .config and Module.symvers.
#
# Prints on stdout:
#	KVER=<abi>
#	ROOT=<dir with boot/vmlinuz-<abi> and lib/modules/<abi>>
#	KDIR=/usr/src/linux-headers-<abi> (arm64: under ROOT)

set -euo pipefail

CACHE=${SUBCRED_CACHE:-/var/cache/subcred}

die() { echo "kernel.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 [--arch amd64|arm64] 5.10|6.1|6.12|debug|/ROOT"
	echo "  prints KVER=, ROOT= and KDIR= for that Debian kernel series"
	echo "  (debug: built by debug-kernel.sh the first time, ~15 min or more)"
	echo "  (/ROOT: an absolute directory with boot/vmlinuz-<kver>, lib/modules/<kver>)"
	echo "  (--arch arm64: Debian's arm64 kernel and headers, for qemu-system-aarch64)"
	echo "  (cache: \${SUBCRED_CACHE:-/var/cache/subcred})"
}

arch=amd64
if [ "${1:-}" = --arch ]; then
	[ $# -ge 2 ] || { usage >&2; exit 2; }
	arch=$2
	shift 2
fi
case "$arch" in
amd64|x86_64) arch=amd64 ;;
arm64|aarch64) arch=arm64 ;;
*)	die "--arch wants amd64 or arm64, not '$arch'" ;;
esac

case "${1:-}" in
-h|--help) usage; exit 0 ;;
5.10)	[ "$arch" = amd64 ] || die "no 5.10 kernel for $arch"
	exec "$(dirname "$0")/kernel-bullseye.sh" ;;
6.1)	meta=linux-headers-amd64 ;;
6.12)	meta=linux-headers-6.12-amd64 ;;
debug)	[ "$arch" = amd64 ] || die "no debug kernel for $arch"
	exec "$(dirname "$0")/debug-kernel.sh" ;;
/*)	# a kernel laid out like ours (selftests/intree.sh): one release
	[ "$(ls "$1/lib/modules" 2>/dev/null | wc -l)" -eq 1 ] ||
		die "$1: want exactly one release in lib/modules"
	kver=$(ls "$1/lib/modules")
	[ -f "$1/boot/vmlinuz-$kver" ] || die "$1: no boot/vmlinuz-$kver"
	printf 'KVER=%s\nROOT=%s\nKDIR=%s\n' "$kver" "$1" "$1/lib/modules/$kver/build"
	exit 0 ;;
*)	usage >&2; exit 2 ;;
esac

# "linux-headers-6.1.0-56-amd64 (= 6.1.192-2)" -> "6.1.0-56-amd64"
dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null) ||
	die "$meta is not installed (run selftests/qemu/deps.sh)"
kver=$(printf '%s\n' "$dep" | tr ',' '\n' |
	sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p;T;q')
[ -n "$kver" ] || die "cannot find the ABI in '$meta' depends: $dep"
case "$kver" in
"$1".*) ;;
*)	die "$meta depends on $kver, which is not a $1 kernel" ;;
esac

kdir=/usr/src/linux-headers-$kver
[ -f "$kdir/Makefile" ] || die "$kdir is missing (linux-headers-$kver)"
# The arm64 twin: same version and common headers, same kbuild programs.
kbuild=
if [ "$arch" = arm64 ]; then
	kbuild=$(readlink "$kdir/scripts")
	kbuild=/usr/lib/${kbuild#../../lib/}
	kbuild=${kbuild%/scripts}
	[ -x "$kbuild/scripts/mod/modpost" ] ||
		die "no kbuild programs in $kbuild (from $kdir/scripts)"
	kver=${kver%-amd64}-arm64
	kdir=$CACHE/kernels/$kver/usr/src/linux-headers-$kver
fi

root=$CACHE/kernels/$kver
stamp=$root/.subcred-extracted

# Download linux-image-$kver (or its -unsigned twin) into the cwd; for
# arm64 also the headers.
download() {
	local pkg a=

	[ "$arch" = arm64 ] && a=:arm64
	if [ -n "$a" ]; then
		apt-get download -q "linux-headers-$kver$a" >&2 || return
	fi
	for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		apt-get download -q "$pkg$a" >&2 && return
	done
	return 1
}

# Unpack the arm64 headers of $kver in tree/, on the host's kbuild.
unpack_headers() {
	local deb h=tree/usr/src/linux-headers-$kver

	deb=$(echo linux-headers-*.deb)
	dpkg-deb -x "$deb" tree
	[ -f "$h/Makefile" ] || die "$deb has no usr/src/linux-headers-$kver"
	ln -sfn "$kbuild/scripts" "$h/scripts"
	ln -sfn "$kbuild/tools" "$h/tools"
}

fetch() {
	local deb

	tmp=$(mktemp -d "$CACHE/kernels/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# apt drops root to _apt for downloads: let it write here.
	chmod 755 "$tmp"
	chown _apt "$tmp" 2>/dev/null || true
	cd "$tmp"
	if ! download; then
		echo "kernel.sh: retrying after apt-get update" >&2
		apt-get update -q >&2
		download || die "cannot download linux-image-$kver"
	fi
	deb=$(echo linux-image-*.deb)
	mkdir tree
	dpkg-deb -x "$deb" tree
	[ -f "tree/boot/vmlinuz-$kver" ] || die "$deb has no boot/vmlinuz-$kver"
	if [ "$arch" = arm64 ]; then
		unpack_headers
	fi
	depmod -b tree "$kver"
	echo "$deb" > tree/.subcred-extracted

	rm -rf "$root"
	mv tree "$root"
	cd /
	echo "kernel.sh: unpacked $deb in $root" >&2
}

if [ ! -f "$stamp" ]; then
	mkdir -p "$CACHE/kernels"
	# Serialize concurrent runs; re-check once we own the lock.
	exec 9> "$CACHE/kernels/.lock"
	flock 9
	[ -f "$stamp" ] || fetch
	exec 9>&-
fi

echo "KVER=$kver"
echo "ROOT=$root"
echo "KDIR=$kdir"
