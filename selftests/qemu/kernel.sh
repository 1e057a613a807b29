#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh SERIES - make a Debian kernel image of SERIES (6.1 or 6.12)
# available for QEMU, without installing it.  SERIES debug is the debug
# kernel built from source by debug-kernel.sh (KASAN, kmemleak, lockdep).
#
# The ABI name comes from the installed headers meta package, so the
# guest kernel always matches the headers kmod/ is built against.  The
# image package is downloaded and unpacked once into
# ${SUBCRED_CACHE:-/var/cache/subcred}/kernels/<abi>/, then reused.
#
# Prints on stdout:
#	KVER=<abi>
#	ROOT=<dir with boot/vmlinuz-<abi> and lib/modules/<abi>>
#	KDIR=/usr/src/linux-headers-<abi>

set -euo pipefail

CACHE=${SUBCRED_CACHE:-/var/cache/subcred}

die() { echo "kernel.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 6.1|6.12|debug"
	echo "  prints KVER=, ROOT= and KDIR= for that Debian kernel series"
	echo "  (debug: built by debug-kernel.sh the first time, ~15 min or more)"
	echo "  (cache: \${SUBCRED_CACHE:-/var/cache/subcred})"
}

case "${1:-}" in
-h|--help) usage; exit 0 ;;
6.1)	meta=linux-headers-amd64 ;;
6.12)	meta=linux-headers-6.12-amd64 ;;
debug)	exec "$(dirname "$0")/debug-kernel.sh" ;;
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

root=$CACHE/kernels/$kver
stamp=$root/.subcred-extracted

# Download linux-image-$kver (or its -unsigned twin) into the cwd.
download() {
	local pkg

	for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		apt-get download -q "$pkg" >&2 && return
	done
	return 1
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
