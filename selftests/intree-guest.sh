#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In a guest of selftests/intree.sh (run.sh), from the top of the tree:
# intree-guest.sh y  on the CONFIG_SUBCRED=y kernel, booted with
#                    subcred.max_credentials=3 subcred.pending_timeout=77
# intree-guest.sh m  on the CONFIG_SUBCRED=m kernel, module not loaded yet
# TAP to $SUBCRED_OUT/intree-<y|m>.tap.
set -u

v=${1:-}
ctl=userspace/subcredctl
out=${SUBCRED_OUT:?run me through selftests/qemu/run.sh}/intree-$v.tap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

check() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		sed 's/^/# /' "$tmp/out"
	fi
}

not() { ! "$@"; }
logged() { dmesg | grep -qF "subcred: $1"; }
param() { [ "$(cat "/sys/module/subcred/parameters/$1")" = "$2" ]; }

echo 465b5ce8b199b49faa5f0a2ee238a6bc >"$tmp/k"
echo cd63cb71954a9f4e48a5994e37a02baf >"$tmp/opc"
add() { $ctl add "$1" --k-file "$tmp/k" --opc-file "$tmp/opc"; }

case "$v" in
y)
	{
	echo "TAP version 13"
	check "built in: no /sys/module/subcred/initstate" \
		not test -e /sys/module/subcred/initstate
	check "crypto self-tests ran at boot" logged "self-tests passed (milenage"
	check "protocol self-test ran at boot" logged "self-test protocol v1: every message"
	check "store and family registered at boot" \
		logged "credential store ready, netlink family subcred v"
	check "genl ctrl knows the family" sh -c \
		'genl ctrl get name subcred | grep -q "Name: subcred"'
	check "subcredctl show: an empty store" sh -c \
		"[ \"\$($ctl show -j)\" = '[]' ]"
	check "subcred.pending_timeout=77 from the command line" param pending_timeout 77
	check "subcred.max_credentials=3 from the command line" param max_credentials 3
	check "master_key has its default" param master_key logon:subcred:master
	check "a new credential gets pending_timeout 77" sh -c \
		"$ctl add imsi-intree-1 --k-file $tmp/k --opc-file $tmp/opc &&
		 $ctl show -j imsi-intree-1 | grep -q '\"pending_timeout\":77[,}]'"
	check "two more credentials fit" sh -c \
		"$ctl add imsi-intree-2 --k-file $tmp/k --opc-file $tmp/opc &&
		 $ctl add imsi-intree-3 --k-file $tmp/k --opc-file $tmp/opc"
	check "the fourth is refused: store full (max_credentials=3)" sh -c \
		"if $ctl add imsi-intree-4 --k-file $tmp/k --opc-file $tmp/opc \
			>$tmp/add4 2>&1; then exit 1; fi
		 cat $tmp/add4; grep -q max_credentials $tmp/add4 &&
		 ! $ctl show imsi-intree-4"
	check "rmmod of a built-in subcred is refused" not rmmod subcred
	echo "1..$n"
	} >"$out" 2>&1
	;;
m)
	{
	echo "TAP version 13"
	check "not loaded at boot" not test -e /sys/module/subcred
	check "modinfo: the installed module is in-tree" sh -c \
		'[ "$(modinfo -F intree subcred)" = Y ]'
	check "subcredctl show loads it (genl family alias)" sh -c \
		"[ \"\$($ctl show -j)\" = '[]' ]"
	check "it is live" sh -c \
		'[ "$(cat /sys/module/subcred/initstate)" = live ]'
	check "its self-tests ran" logged "self-tests passed (milenage"
	check "family registered" \
		logged "credential store ready, netlink family subcred v"
	check "a credential can be added" add imsi-intree-m
	check "rmmod with a credential present" rmmod subcred
	check "the module is gone" not test -e /sys/module/subcred
	echo "1..$n"
	} >"$out" 2>&1
	;;
*)
	echo "usage: $0 y|m" >&2
	exit 2
	;;
esac
cat "$out"
! grep -q '^not ok' "$out"
