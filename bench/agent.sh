#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded (bench/guest.sh): $BENCH_BULK
# credentials (default 10000) updated at once through subcred-agent and
# subcred-hn, device and network in two network namespaces as in
# selftests/e2e.sh and the bulk of selftests/faults.sh, no relay, no
# injected loss. Keys from awk's PRNG seeded with $BENCH_SEED. Checks that
# every update completes on both sides, and counts every datagram each
# side received (/proc/net/snmp of each namespace): NOTICE + CONFIRM in,
# RESPONSE + ACK out, per credential, and no receive error. TAP; the
# figures as "#" lines.
set -u
umask 077

tmp=$(mktemp -d)
. selftests/sides.sh
. selftests/tap.sh
TAP_NAME=agent
TAP_WHY=$tmp/why
TAP_LOGS="agent=$tmp/agent.log hn=$tmp/hn.log"
TAP_LOG_LINES=8
bulk=${BENCH_BULK:-10000}
seed=${BENCH_SEED:-1}
# as faults.sh's bulk: thousands of updates queue up at the network
hn_serve_opts="--rto-ms 5000 --rto-max-ms 20000 --max-tries 12"

cleanup() {
	sides_down
	$aka del-prefix bench- >/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# udp NS: "InDatagrams InErrors OutDatagrams RcvbufErrors" of namespace NS
udp() {
	ip netns exec "$1" cat /proc/net/snmp | awk '
		$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) f[$i] = i; h = 1; next }
		$1 == "Udp:" { print $f["InDatagrams"], $f["InErrors"],
			       $f["OutDatagrams"], $f["RcvbufErrors"] }'
}

stored() {
	ls "$state" 2>/dev/null | grep -c '^bench-.*\.blob$'
}

secs() {
	echo "$((($2 - $1) / 100)).$((($2 - $1) % 100 / 10))"
}

echo "TAP version 13"
echo "1..5"
echo "# $bulk credentials, seed $seed"

for b in $ctl $agent $hn $aka; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done

awk -v n="$bulk" -v seed="$seed" 'BEGIN {
	srand(seed)
	for (i = 1; i <= n; i++) {
		k = ""; o = ""
		for (j = 0; j < 16; j++) {
			k = k sprintf("%02x", int(rand() * 256))
			o = o sprintf("%02x", int(rand() * 256))
		}
		printf "bench-%06d %s %s\n", i, k, o
	}
}' >"$tmp/creds"
awk '{ print $1, 2 }' "$tmp/creds" >"$tmp/want"

now_cs
t0=$now_cs
sides_up && $hn --db "$db" add --batch "$tmp/creds" --device "$device_addr" \
	>/dev/null && $aka add-batch "$tmp/creds" >/dev/null
prov=$?
now_cs
t1=$now_cs
ok $prov "$bulk credentials provisioned on both sides in $(secs "$t0" "$t1") s"

start_hn
start_agent
_i=0
while [ "$(stored)" -lt "$bulk" ] && [ $_i -lt 1800 ]; do
	_i=$((_i + 1))
	sleep 1
done
now_cs
t2=$now_cs
[ "$(stored)" -eq "$bulk" ]
ok $? "the agent stored the sealed state of all $bulk ($(stored)) in $(secs "$t1" "$t2") s"

set -- $(udp sc-dev) $(udp sc-net)
dev0_in=$1 dev0_err=$2 dev0_out=$3 dev0_buf=$4
net0_in=$5 net0_err=$6 net0_out=$7 net0_buf=$8
now_cs
t3=$now_cs
conv=1
$hn --db "$db" rekey $(awk '{ print $1 }' "$tmp/creds") >/dev/null &&
	wait_all "$tmp/want" "${BENCH_AGENT_TIMEOUT:-3000}" 15 && conv=0
now_cs
t4=$now_cs
el=$((t4 - t3))
[ "$el" -gt 0 ] || el=1
ok $conv "$bulk credentials updated at once through the agent: all on v2 on both sides in $(secs "$t3" "$t4") s"
echo "# throughput: $((bulk * 100 / el)) updates/s, $((el * 10 / bulk)) ms per update (wall clock, all $bulk in flight)"

set -- $(udp sc-dev) $(udp sc-net)
d_in=$(($1 - dev0_in)) d_err=$(($2 - dev0_err)) d_out=$(($3 - dev0_out))
d_buf=$(($4 - dev0_buf))
n_in=$(($5 - net0_in)) n_err=$(($6 - net0_err)) n_out=$(($7 - net0_out))
n_buf=$(($8 - net0_buf))
echo "# device received $d_in datagrams (NOTICE + CONFIRM), sent $d_out (RESPONSE + ACK); network received $n_in, sent $n_out; $((2 * bulk)) each way without retransmission"
echo "# receive errors: device $d_err (buffer $d_buf), network $n_err (buffer $n_buf)"
[ $conv -eq 0 ] && [ "$d_err" -eq 0 ] && [ "$d_buf" -eq 0 ] &&
	[ "$n_err" -eq 0 ] && [ "$n_buf" -eq 0 ] &&
	[ "$d_in" -ge $((2 * bulk)) ] && [ "$n_in" -ge $((2 * bulk)) ] &&
	[ "$n_in" -eq "$d_out" ]
ok $? "no message lost: every update completed, no UDP receive error on either side, every datagram the device sent was received ($((d_in - 2 * bulk)) NOTICE/CONFIRM retransmissions)"

aka_network bench-000001 && aka_network "$(printf 'bench-%06d' "$bulk")"
ok $? "AKA with the new key on the first and the last credential"

[ "$fails" -eq 0 ]
