#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded from $1: unload with credentials
# present, check that nothing is left, load again, and find an empty store.
set -u

mod=$1
ctl=userspace/subcredctl
tmp=$(mktemp -d)
. selftests/tap.sh
TAP_NAME=module
TAP_WHY=$tmp/out
trap 'rm -rf "$tmp"' EXIT

not() { ! "$@"; }

[ -x "$ctl" ] || { echo "$0: build $ctl first" >&2; exit 1; }

echo "TAP version 13"
echo "1..9"

echo 465b5ce8b199b49faa5f0a2ee238a6bc >"$tmp/k"
echo cd63cb71954a9f4e48a5994e37a02baf >"$tmp/opc"
check "provision three credentials" sh -c "
	for i in 1 2 3; do
		$ctl add imsi-mod-\$i --k-file $tmp/k --opc-file $tmp/opc || exit 1
	done"
check "they are in /proc/keys" sh -c \
	'[ "$(grep -c "subcred   imsi-mod-" /proc/keys)" -eq 3 ]'
check "rmmod with credentials present" rmmod subcred
check "no subcred key is left in /proc/keys" not grep -q ' subcred ' /proc/keys
check "no .subcred keyring is left" not grep -q '\.subcred' /proc/keys
check "the family is gone" sh -c \
	"$ctl show 2>&1 | grep -q 'kernel module not loaded'"
check "insmod again" insmod "$mod"
check "the store is empty after reload" sh -c "[ \"\$($ctl show -j)\" = '[]' ]"
check "a second insmod is refused" not insmod "$mod"

[ "$fails" -eq 0 ]
