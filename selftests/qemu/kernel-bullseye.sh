#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-bullseye.sh - Debian 11's (bullseye) 5.10 kernel for QEMU and a
# tree to build modules against, on this Debian 12 machine, which cannot
# install them: called by kernel.sh 5.10, prints what it prints.
#
# The packages come through an apt index of bullseye and bullseye-security
# (the LTS updates) kept in ${SUBCRED_CACHE:-/var/cache/subcred}/apt-bullseye;
# the host's apt sources and state are not touched.  The ABI is what that
# index's linux-headers-amd64 depends on the first time; it is kept in
# kernels/5.10 (remove that file to move on to a newer 5.10).  The image,
# the headers, their common part and linux-kbuild-5.10 are unpacked in
# kernels/<abi>/; the headers' Makefile is pointed at that common part and
# their compiler, gcc-10 (not in Debian 12), is replaced by gcc.
#
# Prints on stdout:
#	KVER=<abi>
#	ROOT=<dir with boot/vmlinuz-<abi> and lib/modules/<abi>>
#	KDIR=<ROOT>/usr/src/linux-headers-<abi>

set -euo pipefail

CACHE=${SUBCRED_CACHE:-/var/cache/subcred}
MIRROR=${SUBCRED_MIRROR:-http://deb.debian.org/debian}
APTDIR=$CACHE/apt-bullseye
ABIFILE=$CACHE/kernels/5.10

die() { echo "kernel-bullseye.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0    (kernel.sh 5.10) fetch Debian 11's 5.10 kernel and headers once"
	exit 0 ;;
'') ;;
*)	die "unexpected argument '$1' (see --help)" ;;
esac

# apt-get/apt-cache on the private index only.
bapt() {
	local cmd=$1

	shift
	"$cmd" -q -o Dir::Etc::SourceList="$APTDIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$APTDIR/lists" \
		-o Dir::State::status=/dev/null \
		-o Dir::Cache="$APTDIR/cache" \
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
		-o Debug::NoLocking=1 "$@"
}

# The ABI of bullseye's linux-headers-amd64, after refreshing the index.
resolve() {
	local dep

	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	cat >"$APTDIR/sources.list" <<-SRC
	deb $MIRROR bullseye main
	deb ${MIRROR%/debian}/debian-security bullseye-security main
	SRC
	bapt apt-get update >&2 || die "cannot fetch the bullseye index from $MIRROR"
	dep=$(bapt apt-cache show --no-all-versions linux-headers-amd64 |
		sed -n 's/^Depends: linux-headers-\([^ ,]*\).*/\1/p' | head -n1)
	case "$dep" in
	'')	die "no linux-headers-amd64 in the bullseye index of $MIRROR (offline? SUBCRED_MIRROR)" ;;
	5.10.*-amd64) echo "$dep" ;;
	*)	die "bullseye's linux-headers-amd64 depends on '$dep', not a 5.10 kernel" ;;
	esac
}

fetch() {
	local kver=$1 root=$2 tmp deb hdr common kbuild

	tmp=$(mktemp -d "$CACHE/kernels/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && bapt apt-get download "linux-image-$kver-unsigned" \
		"linux-headers-$kver" "linux-headers-${kver%-amd64}-common" \
		linux-kbuild-5.10 >&2) ||
		die "cannot download the $kver packages (rm $ABIFILE: bullseye's newest)"
	mkdir "$tmp/tree"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/tree"
	done
	[ -f "$tmp/tree/boot/vmlinuz-$kver" ] || die "no boot/vmlinuz-$kver in the image package"
	hdr=$tmp/tree/usr/src/linux-headers-$kver
	common=$root/usr/src/linux-headers-${kver%-amd64}-common
	kbuild=$tmp/tree/usr/lib/linux-kbuild-5.10
	if [ ! -f "$hdr/Makefile" ] || [ ! -x "$kbuild/scripts/mod/modpost" ]; then
		die "the $kver headers or linux-kbuild-5.10 are incomplete"
	fi
	# scripts -> ../../lib/linux-kbuild-5.10/scripts stays inside the tree.
	sed -i "s#^include /usr/src/.*#include $common/Makefile#" "$hdr/Makefile"
	sed -i 's/gcc-10$/gcc/' "$hdr/.kernelvariables"
	if ! grep -q "^include $common/Makefile" "$hdr/Makefile" ||
		! grep -q 'gcc$' "$hdr/.kernelvariables"; then
		die "cannot adapt $hdr/Makefile and .kernelvariables"
	fi
	depmod -b "$tmp/tree" "$kver"
	echo "linux-image-$kver-unsigned" >"$tmp/tree/.subcred-extracted"
	rm -rf "$root"
	mv "$tmp/tree" "$root"
	rm -rf "$tmp"
	trap - EXIT
	echo "kernel-bullseye.sh: unpacked $kver in $root" >&2
}

mkdir -p "$CACHE/kernels"
kver=$(cat "$ABIFILE" 2>/dev/null || true)
if [ -z "$kver" ] || [ ! -f "$CACHE/kernels/$kver/.subcred-extracted" ]; then
	exec 9>"$CACHE/kernels/.lock"
	flock 9
	kver=$(cat "$ABIFILE" 2>/dev/null || true)
	if [ -z "$kver" ] || [ ! -f "$CACHE/kernels/$kver/.subcred-extracted" ]; then
		# The index: refreshed for a new ABI, made if it is missing.
		if [ -z "$kver" ]; then
			kver=$(resolve)
		elif [ ! -s "$APTDIR/sources.list" ]; then
			resolve >/dev/null
		fi
		fetch "$kver" "$CACHE/kernels/$kver"
		echo "$kver" >"$ABIFILE"
	fi
	exec 9>&-
fi

echo "KVER=$kver"
echo "ROOT=$CACHE/kernels/$kver"
echo "KDIR=$CACHE/kernels/$kver/usr/src/linux-headers-$kver"
