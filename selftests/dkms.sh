#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test: Debian's dkms adds, builds and installs subcred from dkms.conf
# for each kernel given, in private dkms/source/install trees so that the
# machine's own /lib/modules is not touched. TAP on stdout.
#
# dkms.sh KABI[:KDIR]...: KDIR is the kernel's build tree where it is not
# /lib/modules/KABI/build (5.10's, unpacked in the cache by kernel.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=$tmp/src/subcred-$version
trees="--dkmstree $tmp/dkms --sourcetree $tmp/src --installtree $tmp/install"

mkdir -p "$src" "$tmp/dkms" "$tmp/install"
(cd "$top" && git ls-files -z Kbuild dkms.conf kmod uapi |
	xargs -0 cp --parents -t "$src")

echo "TAP version 13"
echo "1..$((1 + 2 * $#))"
n=1
fails=0
if dkms add $trees "subcred/$version" >"$tmp/log" 2>&1; then
	echo "ok $n dkms: add subcred/$version"
else
	echo "not ok $n dkms: add subcred/$version"
	sed 's/^/# /' "$tmp/log"
	fails=$((fails + 1))
fi
for arg in "$@"; do
	kabi=${arg%%:*}
	ksrc=
	[ "$kabi" = "$arg" ] || ksrc="--kernelsourcedir ${arg#*:}"
	n=$((n + 1))
	# shellcheck disable=SC2086 # options, one per word
	if dkms build $trees $ksrc "subcred/$version" -k "$kabi" >"$tmp/log" 2>&1 &&
	   ls "$tmp/dkms/subcred/$version/$kabi/x86_64/module/"subcred.ko* \
		>/dev/null 2>&1; then
		echo "ok $n dkms: build for $kabi"
	else
		echo "not ok $n dkms: build for $kabi"
		sed 's/^/# /' "$tmp/log"
		cat "$tmp/dkms/subcred/$version/build/make.log" 2>/dev/null |
			sed 's/^/# /'
		fails=$((fails + 1))
	fi
	n=$((n + 1))
	mkdir -p "$tmp/install/$kabi"
	# shellcheck disable=SC2086 # options, one per word
	if dkms install $trees $ksrc "subcred/$version" -k "$kabi" \
			--no-depmod >"$tmp/log" 2>&1 &&
	   ls "$tmp/install/$kabi/updates/dkms/"subcred.ko* >/dev/null 2>&1; then
		echo "ok $n dkms: install for $kabi into updates/dkms"
	else
		echo "not ok $n dkms: install for $kabi into updates/dkms"
		sed 's/^/# /' "$tmp/log"
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
