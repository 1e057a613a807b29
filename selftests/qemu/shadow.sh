#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# shadow.sh DIR - make DIR (under build/) a tree of symbolic links to the
# sources of this work tree, for a cross build (make ARCH=arm64) whose
# objects and programs must not replace the host's.  The tests run in DIR
# as they run at the top of the tree: same relative paths, scripts shared
# with the host (links), programs of their own; DIR/build links to the
# tree's build/, where the module of every kernel is.
#
# Build products of the host are not linked: ELF files, objects, archives.
# Run again after sources are added or removed: links are made for new
# files and links to files that are gone are deleted; what the cross
# build made in DIR stays.

set -euo pipefail

die() { echo "shadow.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0 DIR    links to the sources of this tree in DIR (under build/)"
	exit 0 ;;
'')	die "no DIR given (see --help)" ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
case "$dir" in
"$top"/build/?*) ;;
*)	die "$1 is not under $top/build/" ;;
esac

cd "$top"
find . \( -path ./build -o -path ./.git \) -prune -o -type f \
	! -name '*.o' ! -name '*.a' ! -name '*.ko' -print |
while read -r f; do
	f=${f#./}
	[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && continue
	[ -L "$dir/$f" ] && continue
	[ -e "$dir/$f" ] && die "$dir/$f: a file of the cross build has a source's name"
	mkdir -p "$dir/$(dirname "$f")"
	ln -s "$top/$f" "$dir/$f"
done
# Links to sources that are gone.
find "$dir" -xtype l -delete
ln -sfn .. "$dir/build"
