#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract, once, the parts of Debian's linux-source-6.12 that the build and
# the tests use (kselftest harness, checkpatch, ynl) into a cache outside the
# repository, and print that directory. Nothing of it is copied into the tree.
set -eu

tarball=/usr/src/linux-source-6.12.tar.xz
[ -r "$tarball" ] || {
	echo "$0: $tarball missing: apt-get install linux-source-6.12" >&2
	exit 1
}
version=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=${SUBCRED_CACHE:-/var/cache/subcred}/linux-source-$version
if [ ! -e "$dir/.done" ]; then
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch \
		linux-source-6.12/tools/net/ynl \
		linux-source-6.12/Documentation/netlink
	touch "$dir/.done"
fi
echo "$dir"
