#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test: the kernel's checkpatch.pl --strict (from linux-source-6.12,
# never copied here) reports no error and no warning on kmod/ and uapi/,
# sparse finds nothing in kmod/ on any of the three kernels, and cppcheck
# finds nothing in userspace/. TAP on stdout.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/selftests/linux-source.sh") || exit 1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
. "$top/selftests/tap.sh"
TAP_NAME=style
TAP_WHY=$tmp

echo "TAP version 13"
echo "1..6"

cd "$top" || exit 1
# --no-tree: run out of a kernel tree; spelling.txt and const_structs come
# from beside the script in the extracted source.
perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f \
	kmod/*.c kmod/*.h >"$tmp" 2>&1
grep -qE '(ERROR|WARNING|CHECK):' "$tmp"
ok $((! $?)) "checkpatch --strict clean on kmod/"

perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f uapi/linux/subcred.h >"$tmp" 2>&1
grep -qE '(ERROR|WARNING|CHECK):' "$tmp"
ok $((! $?)) "checkpatch --strict clean on uapi/"

for kver in 6.1 6.12 5.10; do
	make -s C=2 KVER=$kver module >"$tmp" 2>&1 &&
		! grep -qE '(warning|error):' "$tmp"
	ok $? "sparse (make C=2) clean on kmod/ for $kver"
done

make -s -C userspace check >"$tmp" 2>&1
ok $? "cppcheck clean on userspace/"

[ "$fails" -eq 0 ]
