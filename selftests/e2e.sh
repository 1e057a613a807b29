#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded: the whole system end to end. The
# device side (subcred-agent, the module) in network namespace sc-dev, the
# network side (subcred-hn and its SQLite file) in sc-net, joined by a veth
# pair. Periodic, compromise and key-age updates, 100 credentials at once,
# ordinary AKA runs with the old and the new key, restart and restore. TAP.
set -u
umask 077

tmp=$(mktemp -d)
. selftests/sides.sh
. selftests/tap.sh
TAP_NAME=e2e
TAP_WHY=$tmp/why
TAP_LOGS="agent=$tmp/agent.log hn=$tmp/hn.log"
TAP_LOG_LINES=15

cleanup() {
	sides_down
	$aka del-prefix e2e- >/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "TAP version 13"
echo "1..15"

for b in $ctl $agent $hn $aka; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done

sides_up
ok $? "network namespaces sc-dev and sc-net joined by veth, master key"

# one subscriber, known to both sides
id=e2e-001010000000001
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/opc"
provision "$id" "$tmp/k" "$tmp/opc" 2>"$tmp/why"
ok $? "subscriber provisioned on both sides"

start_hn
start_agent
i=0
while [ ! -e "$state/$id.blob" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -e "$state/$id.blob" ] && [ "$(stat -c %a "$state/$id.blob")" = 600 ]
ok $? "the agent stored the sealed state of the new credential (0600)"

aka_network "$id"
ok $? "AKA run with version 1 against subcred-hn"

start=$(date +%s%N)
$hn --db "$db" rekey "$id" --reason periodic >/dev/null && wait_converged "$id" 2
ok $? "periodic update: device and network on version 2"
echo "# periodic update: $((($(date +%s%N) - start) / 1000000)) ms from rekey to both sides on v2"

aka_network "$id"
ok $? "AKA run with the new key (version 2)"

res=$($aka vector "$(cat "$tmp/k")" "$(cat "$tmp/opc")" 0x3e0)
set -- $res
[ "$($aka device "$id" "$1" "$2")" = "mac-failure" ]
ok $? "the old key no longer authenticates"

$hn --db "$db" rekey "$id" --reason compromise >/dev/null &&
	wait_converged "$id" 3
ok $? "compromise-triggered update: version 3"

aka_network "$id"
ok $? "AKA run with version 3"

! grep -qi -e "$(cat "$tmp/k")" -e "$(cat "$tmp/opc")" "$state"/* \
	"$tmp/agent.log" "$tmp/hn.log" /proc/keys
ok $? "K and OPc are in no blob, log or /proc/keys"

# power is lost: the store goes, the agent restores it from disk
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null
rmmod subcred && insmod "build/$(uname -r)/subcred.ko" && start_agent
i=0
while [ "$(device_version "$id")" != 3 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(device_version "$id")" = 3 ]
ok $? "module reloaded: the agent restored version 3 from its state dir"

aka_network "$id"
ok $? "AKA run after the restore"

# the key gets old: the device asks for an update itself
$ctl set "$id" --max-age 1 && wait_converged "$id" 4 &&
	$ctl set "$id" --max-age 0 && wait_converged "$id" 4 && aka_network "$id"
ok $? "key age: REQUEST from the device, updated past version 3"

# 100 credentials updating at once: provisioned from one batch file on
# each side, one rekey command, every look at both sides for all of them
# (a process start costs a tenth of a second and more under TCG)
od -An -tx1 -v -N3200 /dev/urandom | tr -d ' \n' | fold -w 32 |
	awk 'NR % 2 { k = $0; next } { printf "e2e-bulk-%d %s %s\n", NR / 2, k, $0 }' \
	>"$tmp/bulk"
awk '{ print $1, 2 }' "$tmp/bulk" >"$tmp/want"
now_cs
start=$now_cs
$hn --db "$db" add --batch "$tmp/bulk" --device "$device_addr" &&
	$aka add-batch "$tmp/bulk" >/dev/null &&
	$hn --db "$db" rekey $(awk '{ print $1 }' "$tmp/bulk") >/dev/null &&
	wait_all "$tmp/want" 120 1
rc=$?
now_cs
ok $rc "100 credentials updated at once ($(((now_cs - start) / 100)) s)"

[ "$($hn --db "$db" audit "$id" | grep -c commit)" -ge 3 ]
ok $? "the network's audit trail records the committed updates"

[ "$fails" -eq 0 ]
