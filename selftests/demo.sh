#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - "make demo": on a Debian 12 machine, as root, install what is
# missing (selftests/qemu/deps.sh), build subcred.ko and subcredctl, and boot
# a Debian kernel in QEMU to run selftests/demo-guest.sh: the device and the
# network in two network namespaces, one subscriber, a periodic and a
# compromise-triggered update. KVER=6.1 uses the other kernel (default 6.12).
set -euo pipefail

cd "$(dirname "$0")/.."
KVER=${KVER:-6.12}

die() { echo "demo: $*" >&2; exit 1; }
step() { printf '== %s ==\n' "$*"; }

# quietly CMD...: run CMD; show its output only if it fails
quietly() {
	local out

	out=$("$@" 2>&1) || { printf '%s\n' "$out"; die "failed: $*"; }
}

case "$KVER" in
6.1|6.12) ;;
*)	die "KVER must be 6.1 or 6.12, not '$KVER'" ;;
esac
[ "$(id -u)" -eq 0 ] || die "run me as root: I install packages and boot QEMU"

step "prerequisites"
selftests/qemu/deps.sh
step "building subcred.ko for Linux $KVER, the agent, subcred-hn, the tools"
quietly make module KVER="$KVER"
quietly make userspace
quietly make -C userspace/hn
quietly make selftests
step "booting Linux $KVER in QEMU (no KVM: this takes a minute)"
# The guest's console without kernel messages and run.sh's status marker;
# run.sh still fails, with SUBCRED-SPLAT lines, on a kernel warning.
selftests/qemu/run.sh --kver "$KVER" -- selftests/demo-guest.sh 2>&1 |
	sed -u -E '/^\[ *[0-9]+\.[0-9]+\] |^SUBCRED-GUEST-EXIT=[0-9]+$/d'
