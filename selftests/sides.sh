# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest tests (e2e.sh, faults.sh, ...) and demo-guest.sh,
# in the guest with subcred.ko loaded:
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
# subcred-hn serve's timers; a test may set others before start_hn.
hn_serve_opts="--rto-ms 300 --rto-max-ms 2000 --max-tries 20"

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
		$hn_serve_opts 2>>"$tmp/hn.log" &
	hn_pid=$!
}

# start_agent [OPTION...]: e.g. --crash-at POINT --crash-gen N
start_agent() {
	ip netns exec sc-dev $agent --network "$network_addr" \
		--listen 0.0.0.0:7306 --state-dir "$state" "$@" \
		2>>"$tmp/agent.log" &
	agent_pid=$!
}

# provision ID KFILE OPCFILE: the same subscriber on both sides.
provision() {
	$hn --db "$db" add "$1" --k-file "$2" --opc-file "$3" \
		--device "$device_addr" >/dev/null && \
		$ctl add "$1" --k-file "$2" --opc-file "$3"
}

# json_num JSON KEY: the first number after "KEY": (shell builtins only:
# under TCG every process start costs a tenth of a second or more)
json_num() {
	case $1 in
	*"\"$2\":"[0-9]*)
		_j=${1#*\"$2\":}
		echo "${_j%%[!0-9]*}" ;;
	esac
}

# json_str JSON KEY: the string after "KEY": (no escapes expected)
json_str() {
	case $1 in
	*"\"$2\":\""*)
		_j=${1#*\"$2\":\"}
		echo "${_j%%\"*}" ;;
	esac
}

device_version() {
	json_num "$($ctl show -j "$1" 2>/dev/null)" key_version
}

# The network's version of ID once it holds one key and is idle.
network_version() {
	_out=$($hn --db "$db" list -j "$1" 2>/dev/null)
	case $_out in
	*'"state":"idle"'*'"old_key":false'*|*'"old_key":false'*'"state":"idle"'*)
		json_num "$_out" key_version ;;
	esac
}

# blob_gen ID: the generation of ID's stored blob, from its clear header
# (protocol.md §8.1: BE64 at 9 + id_len); 0 without a blob.
blob_gen() {
	_g=0
	for _b in $(od -An -tu1 -j $((9 + ${#1})) -N 8 "$state/$1.blob" 2>/dev/null); do
		_g=$((_g * 256 + _b))
	done
	echo "$_g"
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

# now_cs: $now_cs := hundredths of a second since boot (no process).
now_cs() {
	read _u _r </proc/uptime
	_f=${_u#*.}
	now_cs=$((${_u%.*} * 100 + ${_f#0}))
}

# Many credentials at once, with three processes per look instead of two
# per credential: WANT is a file of "ID MIN" lines. The awk program reads
# the device's and the network's JSON lists; check prints, on one line,
# the ids not yet on one version >= MIN on both sides (network idle with
# one key), with details in $tmp/why; next prints "ID V+1" per ID of WANT,
# V the device's version.
_sides_awk='
function val(rec, key,   i, s) {
	i = index(rec, "\"" key "\":")
	if (!i)
		return ""
	s = substr(rec, i + length(key) + 3)
	if (substr(s, 1, 1) == "\"") {
		s = substr(s, 2)
		return substr(s, 1, index(s, "\"") - 1)
	}
	return match(s, /^[^,}]*/) ? substr(s, 1, RLENGTH) : ""
}
BEGIN {
	while ((getline line < want) > 0)
		if (split(line, a, " ") == 2) {
			min[a[1]] = a[2] + 0
			order[++n] = a[1]
		}
	RS = "}"
}
FILENAME == dev { id = val($0, "id"); if (id in min) dv[id] = val($0, "key_version") }
FILENAME == net {
	id = val($0, "id")
	if (id in min) {
		nv[id] = val($0, "key_version")
		st[id] = val($0, "state")
		ok[id] = val($0, "old_key")
	}
}
END {
	if (mode == "next") {
		for (i = 1; i <= n; i++)
			print order[i], dv[order[i]] + 1
		exit
	}
	for (i = 1; i <= n; i++) {
		id = order[i]
		if (dv[id] != "" && dv[id] + 0 >= min[id] && nv[id] == dv[id] &&
		    st[id] == "idle" && ok[id] == "false")
			continue
		out = out " " id
		if (++bad <= 5)
			printf "%s: device v%s, network v%s %s, old key %s (want >= v%d)\n",
			       id, dv[id], nv[id], st[id], ok[id], min[id] > why
	}
	if (bad > 5)
		printf "... %d credentials in all not converged\n", bad > why
	print substr(out, 2)
}'

# sides_awk MODE WANT: snapshot both sides, run the program above.
sides_awk() {
	$ctl show -j >"$tmp/dev.json" 2>/dev/null
	$hn --db "$db" list -j >"$tmp/net.json" 2>/dev/null
	awk -v mode="$1" -v want="$2" -v dev="$tmp/dev.json" \
	    -v net="$tmp/net.json" -v why="$tmp/why" "$_sides_awk" \
	    "$tmp/dev.json" "$tmp/net.json"
}

# wait_all WANT SECONDS [PERIOD]: every ID of WANT converged (as above)
# within SECONDS, looking every PERIOD seconds (default 0.3; a look at a
# thousand credentials costs CPU the update itself needs); else false,
# the ids left in $not_converged.
wait_all() {
	now_cs
	_end=$((now_cs + $2 * 100))
	while :; do
		: >"$tmp/why"
		not_converged=$(sides_awk check "$1")
		[ -z "$not_converged" ] && return 0
		now_cs
		[ "$now_cs" -ge "$_end" ] && return 1
		sleep "${3:-0.3}"
	done
}

# aka_network ID: an ordinary AKA run with the network's current key.
aka_network() {
	_v=$($hn --db "$db" challenge "$1" -j) || return 1
	_rand=$(json_str "$_v" rand)
	_autn=$(json_str "$_v" autn)
	_xres=$(json_str "$_v" xres)
	_res=$($aka device "$1" "$_rand" "$_autn")
	[ "$_res" = "res $_xres" ] ||
		{ echo "device: $_res, network XRES $_xres" >"$tmp/why"; return 1; }
}
