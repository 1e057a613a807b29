#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make demo" (selftests/demo.sh), run as root in the QEMU
# guest from the top of the tree: the device (subcred.ko + subcred-agent) in
# network namespace sc-dev and the network (subcred-hn + SQLite) in sc-net,
# joined by veth. One subscriber, a periodic and a compromise-triggered
# update, an ordinary AKA run after each. K and OPc are never printed.
set -u

tmp=$(mktemp -d)
. selftests/sides.sh
id=imsi-001010000000001
mod=build/$(uname -r)/subcred.ko

section() { printf '\n== %s ==\n' "$*"; }
say() { printf '%s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { say "demo: $*"; tail -n 5 "$tmp/agent.log" "$tmp/hn.log" 2>/dev/null; exit 1; }
trap 'sides_down; rm -rf "$tmp"' EXIT

ms() { echo $(($(date +%s%N) / 1000000)); }

# update REASON VERSION: one update, timed, with its transaction id.
update() {
	t0=$(ms)
	run $hn --db "$db" rekey "$id" --reason "$1"
	wait_converged "$id" "$2" || die "no convergence on version $2"
	t1=$(ms)
	txid=$($hn --db "$db" list -j | tr '{' '\n' | grep "\"id\":\"$id\"" |
	       sed -n 's/.*"last_txid":"\([0-9a-f]*\)".*/\1/p')
	say "device and network on version $2 after $((t1 - t0)) ms" \
	    "(transaction $txid)"
}

dmesg -n 1

section "the device: subcred.ko"
run insmod "$mod" || die "insmod failed"
say "$(dmesg | grep -m1 'self-tests passed' | sed 's/^\[[^]]*\] //')"

section "two sides, one link"
sides_up || die "cannot set up the network namespaces"
say "device  sc-dev 192.0.2.2: subcred-agent (UDP 7306), relays to the kernel"
say "network sc-net 192.0.2.1: subcred-hn (UDP 7305), subscriber DB in SQLite"
say "master key for sealed state: logon:subcred:master (root's user keyring)"

section "provisioning one subscriber on both sides"
umask 077
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/opc"
say "K and OPc: 16 random octets each, in files; never printed"
provision "$id" "$tmp/k" "$tmp/opc" || die "provisioning failed"
start_hn
start_agent
sleep 1
run $ctl show
say "/proc/keys, the kernel key (id and version only):"
grep " subcred " /proc/keys | sed 's/^/  /'
say "the agent's state dir holds only sealed state:"
ls -l "$state" | sed -n 's/^\(-[^ ]*\).* \([^ ]*\.blob\)$/  \1 \2/p'

section "ordinary authentication with version 1"
aka_network "$id" && say "RES from the kernel = XRES from subcred-hn"

section "periodic update"
update periodic 2
aka_network "$id" && say "AKA with version 2: RES = XRES"
set -- $($aka vector "$(cat "$tmp/k")" "$(cat "$tmp/opc")" 0x3e0)
say "AKA with the old key: $($aka device "$id" "$1" "$2")"

section "compromise: the operator marks the subscription"
update compromise 3
aka_network "$id" && say "AKA with version 3: RES = XRES"

section "what each side recorded"
run $ctl show
say "subcred-hn audit trail:"
$hn --db "$db" audit "$id" | sed 's/^/  /'
say "device log (subcred-agent):"
sed 's/^/  /' "$tmp/agent.log"
