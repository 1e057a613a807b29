#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest of a kernel with kmemleak (the debug kernel of make
# check-debug), run by guest.sh:
#   kmemleak.sh clear   before the tests: scan and forget what is already
#                       unreferenced (boot), so that only the tests count
#   kmemleak.sh WHEN    scan twice, then one TAP test: no unreferenced
#                       object; each one is printed with its backtrace
# The debug kernel has no automatic scan thread: only these scans report.
set -u

f=/sys/kernel/debug/kmemleak
[ -w "$f" ] || { echo "$0: no $f (kernel without kmemleak?)" >&2; exit 1; }

if [ "${1:-}" = clear ]; then
	echo scan >"$f" && echo clear >"$f"
	exit
fi
when=${1:?usage: $0 clear|WHEN}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

echo "TAP version 13"
echo "1..1"
# An object is reported once it has been unreferenced in a scan and is at
# least 5 s old: the second scan, 6 s after the first, settles both.
if ! { echo scan >"$f" && sleep 6 && echo scan >"$f" && cat "$f" >"$tmp"; }; then
	echo "not ok 1 kmemleak: scan $when failed"
	exit 1
fi
n=$(grep -c '^unreferenced object' "$tmp")
if [ "$n" -eq 0 ]; then
	echo "ok 1 kmemleak: no unreferenced object $when"
	exit 0
fi
echo "not ok 1 kmemleak: $n unreferenced objects $when"
# Module addresses (after an rmmod they have no symbol): the load address.
grep '^subcred ' /proc/modules | sed 's/^/# loaded: /'
head -n 600 "$tmp" | sed 's/^/# /'
exit 1
