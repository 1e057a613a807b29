#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test: the kernel's checkpatch.pl --strict (from linux-source-6.12,
# never copied here) reports no error and no warning on kmod/ and uapi/,
# sparse finds nothing in kmod/ on either kernel, and cppcheck finds nothing
# in userspace/. TAP on stdout.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/selftests/linux-source.sh") || exit 1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
n=0
fails=0

tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n style: $2"
	else
		echo "not ok $n style: $2"
		sed 's/^/# /' "$tmp"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..5"

cd "$top"
# --no-tree: run out of a kernel tree; spelling.txt and const_structs come
# from beside the script in the extracted source.
perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f \
	kmod/*.c kmod/*.h >"$tmp" 2>&1
grep -qE '(ERROR|WARNING|CHECK):' "$tmp"
tap $((! $?)) "checkpatch --strict clean on kmod/"

perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f uapi/linux/subcred.h >"$tmp" 2>&1
grep -qE '(ERROR|WARNING|CHECK):' "$tmp"
tap $((! $?)) "checkpatch --strict clean on uapi/"

for kver in 6.1 6.12; do
	make -s C=2 KVER=$kver module >"$tmp" 2>&1 &&
		! grep -qE '(warning|error):' "$tmp"
	tap $? "sparse (make C=2) clean on kmod/ for $kver"
done

make -s -C userspace check >"$tmp" 2>&1
tap $? "cppcheck clean on userspace/"

[ "$fails" -eq 0 ]
