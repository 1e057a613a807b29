# SPDX-License-Identifier: GPL-2.0
#
# Sourced by e2e.sh and demo-guest.sh, in the guest with subcred.ko loaded:
# the device side (subcred-agent and the module) in network namespace
# sc-dev, the network side (subcred-hn, its SQLite file) in sc-net, joined
# by a veth pair on 192.0.2.0/24 (a documentation prefix; nothing leaves
# the guest). Needs $tmp, a private directory.

ctl=userspace/subcredctl
agent=userspace/subcred-agent
hn=userspace/hn/subcred-hn
aka=selftests/aka_tool
db=$tmp/hn.db
state=$tmp/state
agent_pid=
hn_pid=
# Where the agent sends device messages and where the network sends to the
# device: a test that puts a relay in between (selftests/relay) sets these.
network_addr=192.0.2.1:7305
device_addr=192.0.2.2:7306

sides_up() {
	ip netns add sc-dev && ip netns add sc-net &&
	ip link add sc-d type veth peer name sc-n &&
	ip link set sc-d netns sc-dev && ip link set sc-n netns sc-net &&
	ip -n sc-dev addr add 192.0.2.2/24 dev sc-d &&
	ip -n sc-net addr add 192.0.2.1/24 dev sc-n &&
	ip -n sc-dev link set sc-d up && ip -n sc-net link set sc-n up &&
	ip -n sc-dev link set lo up && ip -n sc-net link set lo up &&
	head -c 32 /dev/urandom |
		keyctl padd logon subcred:master @u >/dev/null
}

sides_down() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$hn_pid" ] && kill "$hn_pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del sc-dev 2>/dev/null
	ip netns del sc-net 2>/dev/null
}

start_hn() {
	ip netns exec sc-net $hn --db "$db" serve --listen 192.0.2.1:7305 \
		--rto-ms 300 --rto-max-ms 2000 --max-tries 20 \
		2>>"$tmp/hn.log" &
	hn_pid=$!
}

start_agent() {
	ip netns exec sc-dev $agent --network "$network_addr" \
		--listen 0.0.0.0:7306 --state-dir "$state" \
		2>>"$tmp/agent.log" &
	agent_pid=$!
}

# provision ID KFILE OPCFILE: the same subscriber on both sides.
provision() {
	$hn --db "$db" add "$1" --k-file "$2" --opc-file "$3" \
		--device "$device_addr" >/dev/null && \
		$ctl add "$1" --k-file "$2" --opc-file "$3"
}

# json_num JSON KEY: the first number after "KEY":
json_num() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" | head -n1
}

device_version() {
	json_num "$($ctl show -j "$1" 2>/dev/null)" key_version
}

# The network's version of ID once it holds one key and is idle.
network_version() {
	_out=$($hn --db "$db" list -j 2>/dev/null | tr '{' '\n' |
	       grep "\"id\":\"$1\"")
	case $_out in
	*'"state":"idle"'*'"old_key":false'*|*'"old_key":false'*'"state":"idle"'*)
		json_num "$_out" key_version ;;
	esac
}

# wait_converged ID MIN: both sides on one version >= MIN within 120 s.
wait_converged() {
	_i=0
	while [ $_i -lt 600 ]; do
		_d=$(device_version "$1")
		[ -n "$_d" ] && [ "$_d" -ge "$2" ] &&
			[ "$(network_version "$1")" = "$_d" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "device v$(device_version "$1"), network: $(network_version "$1")" \
		>"$tmp/why"
	return 1
}

# aka_network ID: an ordinary AKA run with the network's current key.
aka_network() {
	_v=$($hn --db "$db" challenge "$1" -j) || return 1
	_rand=$(printf '%s' "$_v" | sed -n 's/.*"rand":"\([0-9a-f]*\)".*/\1/p')
	_autn=$(printf '%s' "$_v" | sed -n 's/.*"autn":"\([0-9a-f]*\)".*/\1/p')
	_xres=$(printf '%s' "$_v" | sed -n 's/.*"xres":"\([0-9a-f]*\)".*/\1/p')
	_res=$($aka device "$1" "$_rand" "$_autn")
	[ "$_res" = "res $_xres" ] ||
		{ echo "device: $_res, network XRES $_xres" >"$tmp/why"; return 1; }
}
