#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test: kernel.sh refuses what it cannot fetch, and says why; 5.10's
# fetch (kernel-bullseye.sh) from a mirror that does not answer fails
# with a message and leaves no ABI behind. Needs no network: the mirror
# is a closed port on loopback. TAP on stdout.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/selftests/tap.sh"
TAP_NAME=kernels
TAP_WHY=$tmp/log
k=$top/selftests/qemu/kernel.sh

echo "TAP version 13"
echo "1..3"

SUBCRED_CACHE=$tmp/cache "$k" 4.19 >"$tmp/out" 2>"$tmp/log"
[ $? -eq 2 ] && grep -q '^usage: ' "$tmp/log" && [ ! -s "$tmp/out" ]
ok $? "kernel.sh 4.19: exit 2 and the usage, nothing on stdout"

SUBCRED_CACHE=$tmp/cache "$k" --arch arm64 5.10 >"$tmp/out" 2>"$tmp/log"
[ $? -eq 1 ] && grep -q 'no 5.10 kernel for arm64' "$tmp/log" && [ ! -s "$tmp/out" ]
ok $? "kernel.sh --arch arm64 5.10: refused, says why"

SUBCRED_CACHE=$tmp/cache SUBCRED_MIRROR=http://127.0.0.1:9/debian \
	"$k" 5.10 >"$tmp/out" 2>"$tmp/log"
[ $? -eq 1 ] && grep -q 'no linux-headers-amd64 in the bullseye index of http://127.0.0.1:9/debian' "$tmp/log" &&
	[ ! -s "$tmp/out" ] && [ ! -e "$tmp/cache/kernels/5.10" ]
ok $? "kernel.sh 5.10 from a mirror that does not answer: fails, names it, no ABI kept"

[ "$fails" -eq 0 ]
