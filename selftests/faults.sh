#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded: message loss and forgery between
# device and network. selftests/relay sits in namespace sc-net between
# subcred-agent (sc-dev) and subcred-hn and, for each message type
# (NOTICE, RESPONSE, CONFIRM, ACK, SYNC, REQUEST, each on a credential of
# its own, all six at once), loses it once, loses it until the network
# gives up, duplicates it, reorders it with its neighbour and replays it
# after the transaction; then forges REJECT, REQUEST and ACK during a
# dual-key window; then updates $FAULTS_BULK credentials (default 1000)
# at once through 5% random loss both ways. After each fault: both sides
# on one version, an AKA run with the network's key, and a further
# update. TAP.
set -u
umask 077

tmp=$(mktemp -d)
. selftests/sides.sh
. selftests/tap.sh
TAP_NAME=faults
TAP_WHY=$tmp/why
TAP_LOGS="relay=$tmp/relay.log agent=$tmp/agent.log hn=$tmp/hn.log"
TAP_LOG_LINES=8
relay=selftests/relay
rsock=$tmp/relay.sock
relay_pid=
# the agent sends to the relay's device-facing socket, subcred-hn to its
# network-facing one (the subscribers' device address)
network_addr=192.0.2.1:7400
device_addr=192.0.2.1:7401
# case 2: the network gives up after 3 sends within a second
serve_fast="--rto-ms 200 --rto-max-ms 400 --max-tries 3"
serve_normal=$hn_serve_opts
# the bulk: a thousand updates queue up at the network for a minute or
# more under TCG; a shorter timeout would retransmit into that queue
serve_bulk="--rto-ms 5000 --rto-max-ms 20000 --max-tries 12"
bulk=${FAULTS_BULK:-1000}
seed=${FAULTS_SEED:-4242}
not_converged=

cleanup() {
	[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
	sides_down
	# FAULTS_LOGS=DIR keeps the logs (e.g. "$SUBCRED_OUT" in the guest)
	[ -n "${FAULTS_LOGS:-}" ] &&
		cp "$tmp/relay.log" "$tmp/hn.log" "$tmp/agent.log" "$FAULTS_LOGS"
	$aka del-prefix flt- >/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

rctl() {
	$relay ctl "$rsock" "$@"
}

start_relay() {
	ip netns exec sc-net $relay --listen-device "$network_addr" \
		--device 192.0.2.2:7306 --listen-network "$device_addr" \
		--network 192.0.2.1:7305 --control "$rsock" --seed "$seed" \
		2>>"$tmp/relay.log" &
	relay_pid=$!
	_i=0
	while ! rctl ping 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || return 1
		sleep 0.1
	done
}

restart_hn() {
	kill "$hn_pid"
	wait "$hn_pid" 2>/dev/null
	hn_serve_opts=$1
	start_hn
}

# add_rules RULE...: $r1, $r2, ... := their numbers
add_rules() {
	_out=$(rctl add "$@") || return 1
	_k=0
	for _w in $_out; do
		[ "$_w" = rule ] && continue
		_k=$((_k + 1))
		eval "r$_k=$_w"
	done
}

# rstats; counter KEY: a counter of the relay, shell builtins only
rstats() {
	_st="
$(rctl stats)"
}
counter() {
	case $_st in
	*"
$1 "[0-9]*)
		_j=${_st#*"
$1 "}
		echo "${_j%%[!0-9]*}" ;;
	*)
		echo 0 ;;
	esac
}

# want FILE ID...: "ID V+1" lines, V each one's device version
want() {
	_f=$1
	shift
	: >"$tmp/ids"
	for _i in "$@"; do
		echo "$_i 0" >>"$tmp/ids"
	done
	sides_awk next "$tmp/ids" >"$_f"
}

# version_in FILE ID: ID's version in a want file
version_in() {
	while read -r _i _v; do
		[ "$_i" = "$2" ] && echo "$_v" && return 0
	done <"$1"
}

# request_now ID RULE: make ID's device send a REQUEST now (key age),
# and once the relay saw it (RULE matched), push the next one an hour
# away, so that the commit does not start another one a second later
request_now() {
	$ctl set "$1" --max-age 1 || return 1
	_i=0
	while :; do
		rstats
		[ "$(counter "rule.$2.matched")" -ge 1 ] && break
		_i=$((_i + 1))
		[ $_i -lt 40 ] || { echo "no REQUEST of $1 seen" >>"$tmp/why";
				    return 1; }
		sleep 0.3
	done
	$ctl set "$1" --max-age 3600
}

# in_list WORD LIST: is WORD one of the words of LIST?
in_list() {
	case " $2 " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# finish IDS: AKA with the network's key for each (failures in $aka_bad),
# then a further update of all of them (failures in $upd_bad)
finish() {
	aka_bad=
	for _i in $1; do
		aka_network "$_i" || aka_bad="$aka_bad $_i"
	done
	want "$tmp/want2" $1
	upd_bad=$1
	$hn --db "$db" rekey $1 >/dev/null &&
		{ wait_all "$tmp/want2" 90; upd_bad=$not_converged; }
	[ -z "$upd_bad" ] || cp "$tmp/why" "$tmp/why2"
}

# verdict TYPE ID FAULT_OK TEXT: the TAP line of one type in a round
verdict() {
	_v=$(version_in "$tmp/want1" "$2")
	_r=0
	[ "$3" -eq 0 ] || { _r=1; echo "$1: the fault was not applied as" \
		"planned" >>"$tmp/why"; }
	in_list "$2" "$conv_bad" && { _r=1; echo "$2: did not converge" \
		>>"$tmp/why"; }
	in_list "$2" "$aka_bad" && { _r=1; echo "$2: the AKA run with the" \
		"network's key failed" >>"$tmp/why"; }
	in_list "$2" "$upd_bad" && { _r=1; echo "$2: the next update" \
		"failed" >>"$tmp/why"; cat "$tmp/why2" >>"$tmp/why"; }
	ok $_r "$4: both on v$_v, AKA with it, next update"
}

upper() {
	case $1 in
	notice) echo NOTICE ;; response) echo RESPONSE ;;
	confirm) echo CONFIRM ;; ack) echo ACK ;; sync) echo SYNC ;;
	request) echo REQUEST ;;
	esac
}

elapsed() {
	now_cs
	echo "# $1: $(((now_cs - $2) / 100)).$(((now_cs - $2) % 100 / 10)) s"
}

echo "TAP version 13"
echo "1..36"

for b in $ctl $agent $hn $aka $relay; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done
now_cs
t_all=$now_cs

# ---- setup: one namespace pair, one relay, every credential ----

id_notice=flt-notice
id_response=flt-response
id_confirm=flt-confirm
id_ack=flt-ack
id_request=flt-request
id_request1=flt-request-once
id_forge=flt-forge
ids_fixed="$id_notice $id_response $id_confirm $id_ack $id_request $id_request1 $id_forge flt-sync-1 flt-sync-2 flt-sync-3 flt-sync-4 flt-sync-5"
od -An -tx1 -v -N$((32 * 12)) /dev/urandom | tr -d ' \n' | fold -w 32 |
	awk -v ids="$ids_fixed" 'BEGIN { split(ids, id, " ") }
		NR % 2 { k = $0; next } { print id[NR / 2], k, $0 }' \
	>"$tmp/creds"
awk '{ print $2; print $3 }' "$tmp/creds" >"$tmp/creds.keys"
sides_up && start_relay &&
	$hn --db "$db" add --batch "$tmp/creds" --device "$device_addr" &&
	$aka add-batch "$tmp/creds" >/dev/null && start_hn && start_agent
setup=$?
# the SYNC credentials: an ordinary AKA run the network did not count
# moves the device's SEQ at IND 0 to 100, past the network's first NOTICE
# (SEQ 1, IND 0), which then gets a SYNC
while read -r _i _k _o; do
	case $_i in flt-sync-*) ;; *) continue ;; esac
	set -- $($aka vector "$_k" "$_o" $((100 * 32)))
	[ "$($aka device "$_i" "$1" "$2")" = "res $3" ] || {
		echo "$_i: the AKA run that desynchronises failed" >>"$tmp/why"
		setup=1
	}
done <"$tmp/creds"
ok $setup "namespaces, relay between agent and network, 12 credentials, 5 of them with the device's SQN ahead"

# ---- 1. lost once: the retransmission (the device's REQUEST retry for
# REQUEST, 60 s later: checked at the end) recovers ----

now_cs
t0=$now_cs
id_sync=flt-sync-1
ids="$id_notice $id_response $id_confirm $id_ack $id_sync"
add_rules "notice@$id_notice:1=drop" "response@$id_response:1=drop" \
	"confirm@$id_confirm:1=drop" "ack@$id_ack:1=drop" \
	"sync@flt-sync-1:1=drop" "request@$id_request1:1=drop"
rq1_rule=$r6
want "$tmp/want1" $ids
want "$tmp/want_rq1" $id_request1
$hn --db "$db" rekey $ids >/dev/null
request_now "$id_request1" "$rq1_rule"
rq1_ok=$?
conv_bad=
wait_all "$tmp/want1" 60 || conv_bad=$not_converged
cp "$tmp/why" "$tmp/why1"
rstats
finish "$ids"
cat "$tmp/why1" >"$tmp/why"
k=1
for t in notice response confirm ack sync; do
	eval "_r=\$r$k"
	eval "_id=\$id_$t"
	[ "$(counter "rule.$_r.applied")" -eq 1 ] &&
		[ "$(counter "rule.$_r.matched")" -ge 2 ]
	_c=$?
	verdict $t $_id $_c "$(upper $t) lost once ($(counter \
		"rule.$_r.matched") seen, 1 dropped)"
	k=$((k + 1))
done
rctl del $r1 $r2 $r3 $r4 $r5 >/dev/null
elapsed "lost once" $t0

# ---- 2. lost every time until the network gives up: NOTICE, RESPONSE,
# SYNC abandoned, CONFIRM and ACK stalled with both keys, REQUEST never
# heard of; then an operator's rekey (for the CONFIRM once the device's
# PENDING expired: REJECT 5 under the old key, the network aborts), and
# for the ACK the device's next authenticated message (a REQUEST under
# the new key) ----

now_cs
t0=$now_cs
restart_hn "$serve_fast"
$ctl set $id_confirm --pending-timeout 2
id_sync=flt-sync-2
ids="$id_notice $id_response $id_confirm $id_ack flt-sync-2 $id_request"
add_rules "notice@$id_notice=drop" "response@$id_response=drop" \
	"confirm@$id_confirm=drop" "ack@$id_ack=drop" "sync@flt-sync-2=drop" \
	"request@$id_request=drop" "request@$id_ack=pass"
$hn --db "$db" rekey $id_notice $id_response $id_confirm $id_ack \
	flt-sync-2 >/dev/null
request_now "$id_request" "$r6"
# wait until the network gave up on each
gave_up=
_i=0
while [ $_i -lt 60 ]; do
	_l=$($hn --db "$db" list -j 2>/dev/null)
	gave_up=
	for _id in $id_notice $id_response flt-sync-2; do
		_o=${_l#*\"id\":\"$_id\"}
		_o=${_o%%\}*}
		case $_o in
		*'"state":"idle"'*'"last_result":"abandoned'*) gave_up="$gave_up $_id" ;;
		esac
	done
	for _id in $id_confirm $id_ack; do
		_o=${_l#*\"id\":\"$_id\"}
		_o=${_o%%\}*}
		case $_o in
		*'"state":"stalled","old_key":true'*) gave_up="$gave_up $_id" ;;
		esac
	done
	[ "$gave_up" = " $id_notice $id_response flt-sync-2 $id_confirm $id_ack" ] &&
		break
	_i=$((_i + 1))
	sleep 0.5
done
rstats
st2=$_st
rctl del $r1 $r2 $r3 $r4 $r5 $r6 >/dev/null
restart_hn "$serve_normal"
_i=0
while ! grep -q "^subcred-agent: $id_confirm v[0-9]* event EXPIRED" \
		"$tmp/agent.log" && [ $_i -lt 30 ]; do
	_i=$((_i + 1))
	sleep 0.5
done
$ctl set $id_confirm --pending-timeout 600
# from here: the ACK's device is on v+1, the network commits it on the
# REQUEST and starts another update at once (v+2); the others go to v+1
want "$tmp/want1" $ids
$hn --db "$db" rekey $id_notice $id_response $id_confirm flt-sync-2 \
	$id_request >/dev/null
request_now "$id_ack" "$r7"
ack_request=$?
rctl del $r7 >/dev/null
_st=$st2
conv_bad=
wait_all "$tmp/want1" 90 || conv_bad=$not_converged
cp "$tmp/why" "$tmp/why1"
grep -q "id=$id_confirm .*event=REJECT decision=abort" "$tmp/hn.log"
confirm_abort=$?
finish "$ids"
cat "$tmp/why1" >"$tmp/why"
k=1
for t in notice response confirm ack sync request; do
	eval "_r=\$r$k"
	eval "_id=\$id_$t"
	case $t in
	notice|response|sync) _how="abandoned, then an operator's rekey" ;;
	confirm) _how="stalled with both keys; the device's PENDING expired, an operator's rekey, REJECT 5 under the old key: aborted; a new update" ;;
	ack) _how="stalled with both keys, then the device's REQUEST" ;;
	request) _how="never heard of, then an operator's rekey" ;;
	esac
	_min=3
	[ $t = request ] && _min=1
	[ "$(counter "rule.$_r.applied")" -ge $_min ] &&
		{ [ $t = request ] || in_list "$_id" "$gave_up"; } &&
		{ [ $t != ack ] || [ $ack_request -eq 0 ]; } &&
		{ [ $t != confirm ] || [ $confirm_abort -eq 0 ]; }
	_c=$?
	verdict $t "$_id" $_c "$(upper $t) lost every time \
($(counter "rule.$_r.applied") dropped): $_how"
	k=$((k + 1))
done
elapsed "lost until the network gives up" $t0

# ---- 3. duplicated, 4. reordered with its neighbour, 5. replayed after
# the transaction ----

# round NAME ACTION SYNC_ID
round() {
	now_cs
	t0=$now_cs
	id_sync=$3
	ids="$id_notice $id_response $id_confirm $id_ack $3 $id_request"
	add_rules "notice@$id_notice:1=$2" "response@$id_response:1=$2" \
		"confirm@$id_confirm:1=$2" "ack@$id_ack:1=$2" "sync@$3:1=$2" \
		"request@$id_request:1=$2"
	want "$tmp/want1" $ids
	# the REQUEST first: reordered, the others' messages overtake it
	request_now "$id_request" "$r6"
	rq_ok=$?
	$hn --db "$db" rekey $id_notice $id_response $id_confirm $id_ack \
		"$3" >/dev/null
	conv_bad=
	wait_all "$tmp/want1" 60 || conv_bad=$not_converged
	cp "$tmp/why" "$tmp/why1"
	rstats
	replay_bad=
	if [ "$2" = replay ]; then
		# the copies, now that every transaction is over: answered or
		# dropped, nothing changes
		sides_awk next "$tmp/want1" >"$tmp/before"
		_from=$(wc -l <"$tmp/hn.log")
		[ "$(rctl replay)" = "replayed 6" ] || replay_bad="$ids"
		_i=0
		while [ $_i -lt 30 ]; do
			replay_bad=$(awk -v from="$_from" -v ids="$ids" '
				BEGIN { split(ids, id, " ")
					want[id[1]] = "event=REJECT decision=no-change"
					want[id[2]] = "event=RESPONSE decision=ignore"
					want[id[3]] = "event=ACK decision=ignore"
					want[id[4]] = "event=ACK decision=ignore"
					want[id[5]] = "event=SYNC decision=ignore"
					want[id[6]] = "event=REQUEST decision=drop" }
				NR > from { for (i in want)
					if (index($0, "id=" i " ") &&
					    index($0, want[i])) seen[i] = 1 }
				END { for (i = 1; i <= 6; i++)
					if (!(id[i] in seen)) printf "%s ", id[i] }' \
				"$tmp/hn.log")
			[ -z "$replay_bad" ] && break
			_i=$((_i + 1))
			sleep 0.3
		done
		: >"$tmp/why"
		sides_awk next "$tmp/want1" >"$tmp/after"
		[ -z "$(sides_awk check "$tmp/want1")" ] &&
			cmp -s "$tmp/before" "$tmp/after" ||
			replay_bad="$replay_bad $ids (a version or state changed)"
		[ -n "$replay_bad" ] &&
			echo "no reaction to the replay, or a change: $replay_bad" \
				>>"$tmp/why1"
	fi
	finish "$ids"
	cat "$tmp/why1" >"$tmp/why"
	k=1
	for t in notice response confirm ack sync request; do
		eval "_r=\$r$k"
		eval "_id=\$id_$t"
		[ "$(counter "rule.$_r.applied")" -eq 1 ] &&
			! in_list "$_id" "$replay_bad" &&
			{ [ $t != request ] || [ $rq_ok -eq 0 ]; }
		_c=$?
		verdict $t "$_id" $_c "$(upper $t) $1"
		k=$((k + 1))
	done
	rctl del $r1 $r2 $r3 $r4 $r5 $r6 >/dev/null
	elapsed "$1" $t0
}

round duplicated dup flt-sync-3
round "reordered with its neighbour" reorder flt-sync-4
round "replayed after the transaction (answered or dropped, nothing changed)" \
	replay flt-sync-5

# ---- 6. forged REJECT (cause 5), REQUEST and ACK with the pending txid
# and wrong tags while the network holds both keys ----

now_cs
t0=$now_cs
add_rules "confirm@$id_forge=drop"
want "$tmp/want1" $id_forge
$hn --db "$db" rekey $id_forge >/dev/null
_i=0
while [ $_i -lt 40 ]; do
	before=$($hn --db "$db" list -j $id_forge 2>/dev/null)
	case $before in *'"state":"confirm-sent","old_key":true'*) break ;; esac
	_i=$((_i + 1))
	sleep 0.3
done
# what must not change: all but the retransmission timer and the count
# of rejected messages
fields() {
	for _f in key_version state old_key new_version last_txid last_result; do
		_o=${1#*\"$_f\":}
		printf '%s=%s ' $_f "${_o%%,*}"
	done
}
rej0=$(json_num "$before" rejected)
rctl forge reject $id_forge >/dev/null &&
	rctl forge request $id_forge >/dev/null &&
	rctl forge ack $id_forge >/dev/null
forged=$?
_i=0
while [ $_i -lt 30 ]; do
	after=$($hn --db "$db" list -j $id_forge 2>/dev/null)
	[ "$(json_num "$after" rejected)" = $((rej0 + 3)) ] && break
	_i=$((_i + 1))
	sleep 0.3
done
rstats
[ $forged -eq 0 ] && [ "$(counter reject.forged)" -eq 1 ] &&
	[ "$(counter request.forged)" -eq 1 ] && [ "$(counter ack.forged)" -eq 1 ] &&
	[ "$(json_num "$after" rejected)" = $((rej0 + 3)) ] &&
	[ "$(fields "$before")" = "$(fields "$after")" ] &&
	case $before in *'"state":"confirm-sent","old_key":true'*) ;; *) false ;; esac
ok $? "forged REJECT cause 5, REQUEST, ACK (pending txid, wrong tags) in the dual-key window: dropped, counted, nothing else changed"
[ -n "$before" ] && echo "# $(fields "$before")"
rctl del $r1 >/dev/null
conv_bad=
wait_all "$tmp/want1" 60 || conv_bad=$not_converged
cp "$tmp/why" "$tmp/why1"
finish $id_forge
cat "$tmp/why1" >"$tmp/why"
verdict forge $id_forge 0 "then the CONFIRM let through"
elapsed "forged messages" $t0

# ---- REQUEST lost once: the device asked again after 60 s ----

conv_bad=
wait_all "$tmp/want_rq1" 60 || conv_bad=$not_converged
cp "$tmp/why" "$tmp/why1"
rstats
rctl del $rq1_rule >/dev/null
cp "$tmp/want_rq1" "$tmp/want1"
finish $id_request1
cat "$tmp/why1" >"$tmp/why"
[ $rq1_ok -eq 0 ] && [ "$(counter "rule.$rq1_rule.applied")" -eq 1 ] &&
	[ "$(counter "rule.$rq1_rule.matched")" -ge 2 ]
_c=$?
verdict request $id_request1 $_c "REQUEST lost once ($(counter \
	"rule.$rq1_rule.matched") seen, 1 dropped; the device asked again)"

! grep -qi -f "$tmp/creds.keys" "$tmp/relay.log" "$tmp/hn.log" \
	"$tmp/agent.log" 2>/dev/null
ok $? "no K or OPc in the relay's, the network's or the agent's log"

# ---- 7. many credentials at once through 5% random loss both ways ----

now_cs
t0=$now_cs
restart_hn "$serve_bulk"
od -An -tx1 -v -N$((32 * bulk)) /dev/urandom | tr -d ' \n' | fold -w 32 |
	awk 'NR % 2 { k = $0; next } { printf "flt-bulk-%d %s %s\n", NR / 2, k, $0 }' \
	>"$tmp/bulk"
awk '{ print $1, 2 }' "$tmp/bulk" >"$tmp/want_bulk"
$hn --db "$db" add --batch "$tmp/bulk" --device "$device_addr" &&
	$aka add-batch "$tmp/bulk" >/dev/null
prov=$?
# the agent stores each new credential (event NEW) before it counts
stored() {
	ls "$state" | grep -c '^flt-bulk-.*\.blob$'
}
_i=0
while [ $prov -eq 0 ] && [ "$(stored)" -lt "$bulk" ] && [ $_i -lt 120 ]; do
	_i=$((_i + 1))
	sleep 1
done
elapsed "provisioning $bulk credentials, $(stored) stored by the agent" $t0
rctl reset >/dev/null
rctl loss 5 "$seed" >/dev/null
now_cs
t1=$now_cs
conv_bad=all
[ $prov -eq 0 ] && $hn --db "$db" rekey $(awk '{ print $1 }' "$tmp/bulk") \
	>/dev/null && { wait_all "$tmp/want_bulk" 360 5;
			conv_bad=$not_converged; }
now_cs
t2=$now_cs
rctl loss 0 >/dev/null
rstats
up=$(($(counter response.lost) + $(counter ack.lost) + $(counter sync.lost) +
      $(counter reject.lost) + $(counter request.lost)))
down=$(($(counter notice.lost) + $(counter confirm.lost)))
[ -z "$conv_bad" ] && [ $up -gt 0 ] && [ $down -gt 0 ] &&
	[ "$(stored)" -eq "$bulk" ]
ok $? "$bulk credentials updated at once through 5% loss both ways (seed $seed, $up lost up, $down down): all on v2 in $(((t2 - t1) / 100)) s, $(((t2 - t1) * 10 / bulk)) ms per update"
echo "# bulk: $(counter all.seen) messages seen, $(counter notice.seen) NOTICEs, $(counter confirm.seen) CONFIRMs"
aka_network flt-bulk-1 && aka_network flt-bulk-$bulk
ok $? "AKA with the new key on the first and the last of them"
$aka del-prefix flt-bulk- >/dev/null
elapsed "bulk" $t0
elapsed "faults.sh" $t_all

[ "$fails" -eq 0 ]
