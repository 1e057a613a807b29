#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded: the whole system end to end. The
# device side (subcred-agent, the module) in network namespace sc-dev, the
# network side (subcred-hn and its SQLite file) in sc-net, joined by a veth
# pair. Periodic, compromise and key-age updates, 100 credentials at once,
# ordinary AKA runs with the old and the new key, restart and restore. TAP.
set -u

ctl=userspace/subcredctl
agent=userspace/subcred-agent
hn=userspace/hn/subcred-hn
aka=selftests/aka_tool
tmp=$(mktemp -d)
db=$tmp/hn.db
state=$tmp/state
n=0
fails=0
agent_pid=
hn_pid=

cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$hn_pid" ] && kill "$hn_pid" 2>/dev/null
	wait 2>/dev/null
	for id in $($ctl show -j 2>/dev/null | tr ',' '\n' |
		    sed -n 's/.*"id":"\(e2e-[^"]*\)".*/\1/p'); do
		$ctl del "$id"
	done
	ip netns del sc-dev 2>/dev/null
	ip netns del sc-net 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n e2e: $2"
	else
		echo "not ok $n e2e: $2"
		fails=$((fails + 1))
		[ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why"
		tail -n 15 "$tmp/agent.log" 2>/dev/null | sed 's/^/# agent: /'
		tail -n 15 "$tmp/hn.log" 2>/dev/null | sed 's/^/# hn: /'
	fi
	: >"$tmp/why"
}

# json_num JSON KEY: the first number after "KEY":
json_num() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" | head -n1
}

device_version() {
	json_num "$($ctl show -j "$1" 2>/dev/null)" key_version
}

network_version() {
	out=$($hn --db "$db" list -j 2>/dev/null | tr '{' '\n' |
	      grep "\"id\":\"$1\"")
	case $out in
	*'"state":"idle"'*'"old_key":false'*|*'"old_key":false'*'"state":"idle"'*)
		json_num "$out" key_version ;;
	esac
}

# wait_version ID V: both sides on version V within 120 s.
wait_version() {
	i=0
	while [ $i -lt 600 ]; do
		[ "$(device_version "$1")" = "$2" ] &&
			[ "$(network_version "$1")" = "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "device v$(device_version "$1"), network: $(network_version "$1")" \
		>"$tmp/why"
	return 1
}

# wait_converged ID MIN: both sides on one version >= MIN within 120 s.
wait_converged() {
	i=0
	while [ $i -lt 600 ]; do
		d=$(device_version "$1")
		[ -n "$d" ] && [ "$d" -ge "$2" ] &&
			[ "$(network_version "$1")" = "$d" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "device v$(device_version "$1"), network: $(network_version "$1")" \
		>"$tmp/why"
	return 1
}

# aka_network ID: an AKA run with the network's current key.
aka_network() {
	v=$($hn --db "$db" challenge "$1" -j) || return 1
	rand=$(printf '%s' "$v" | sed -n 's/.*"rand":"\([0-9a-f]*\)".*/\1/p')
	autn=$(printf '%s' "$v" | sed -n 's/.*"autn":"\([0-9a-f]*\)".*/\1/p')
	xres=$(printf '%s' "$v" | sed -n 's/.*"xres":"\([0-9a-f]*\)".*/\1/p')
	res=$($aka device "$1" "$rand" "$autn")
	[ "$res" = "res $xres" ] || { echo "$res != res $xres" >"$tmp/why"; return 1; }
}

start_agent() {
	ip netns exec sc-dev $agent --network 192.0.2.1:7305 \
		--listen 0.0.0.0:7306 --state-dir "$state" \
		2>>"$tmp/agent.log" &
	agent_pid=$!
}

echo "TAP version 13"
echo "1..16"

for b in $ctl $agent $hn $aka; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done

# the two sides and the link between them
ip netns add sc-dev && ip netns add sc-net &&
ip link add sc-d type veth peer name sc-n &&
ip link set sc-d netns sc-dev && ip link set sc-n netns sc-net &&
ip -n sc-dev addr add 192.0.2.2/24 dev sc-d &&
ip -n sc-net addr add 192.0.2.1/24 dev sc-n &&
ip -n sc-dev link set sc-d up && ip -n sc-net link set sc-n up &&
ip -n sc-dev link set lo up && ip -n sc-net link set lo up
ok $? "network namespaces sc-dev and sc-net joined by veth"

head -c 32 /dev/urandom | keyctl padd logon subcred:master @u >/dev/null
ok $? "master key logon:subcred:master in root's user keyring"

# one subscriber, known to both sides
id=e2e-001010000000001
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/opc"
$hn --db "$db" add "$id" --k-file "$tmp/k" --opc-file "$tmp/opc" \
	--device 192.0.2.2:7306 >/dev/null 2>"$tmp/why" &&
	$ctl add "$id" --k-file "$tmp/k" --opc-file "$tmp/opc" 2>>"$tmp/why"
ok $? "subscriber provisioned on both sides"

ip netns exec sc-net $hn --db "$db" serve --listen 192.0.2.1:7305 \
	--rto-ms 300 --rto-max-ms 2000 --max-tries 20 2>>"$tmp/hn.log" &
hn_pid=$!
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
$hn --db "$db" rekey "$id" --reason periodic >/dev/null && wait_version "$id" 2
ok $? "periodic update: device and network on version 2"
echo "# periodic update: $((($(date +%s%N) - start) / 1000000)) ms from rekey to both sides on v2"

aka_network "$id"
ok $? "AKA run with the new key (version 2)"

res=$($aka vector "$(cat "$tmp/k")" "$(cat "$tmp/opc")" 0x3e0)
set -- $res
[ "$($aka device "$id" "$1" "$2")" = "mac-failure" ]
ok $? "the old key no longer authenticates"

$hn --db "$db" rekey "$id" --reason compromise >/dev/null &&
	wait_version "$id" 3
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

# 100 credentials updating at once
i=0
while [ $i -lt 100 ]; do
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k$i"
	$hn --db "$db" add "e2e-bulk-$i" --k-file "$tmp/k$i" \
		--opc-file "$tmp/opc" --device 192.0.2.2:7306 >/dev/null &&
		$ctl add "e2e-bulk-$i" --k-file "$tmp/k$i" \
			--opc-file "$tmp/opc" || break
	i=$((i + 1))
done
start=$(date +%s)
i=0
while [ $i -lt 100 ]; do
	$hn --db "$db" rekey "e2e-bulk-$i" >/dev/null
	i=$((i + 1))
done
i=0
while [ $i -lt 100 ] && wait_version "e2e-bulk-$i" 2; do
	i=$((i + 1))
done
[ $i -eq 100 ]
ok $? "100 credentials updated at once ($i/100 in $(($(date +%s) - start)) s)"

[ "$($hn --db "$db" audit "$id" | grep -c commit)" -ge 3 ]
ok $? "the network's audit trail records the committed updates"

[ "$fails" -eq 0 ]
