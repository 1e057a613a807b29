#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded (selftests/guest.sh): crashes and
# restarts in the middle of an update, without a reboot. The two sides of
# sides.sh (network namespaces sc-dev and sc-net) and one subscriber:
#  - subcred-hn killed (-9) in notice-sent and in confirm-sent, restarted
#    on the same database;
#  - subcred-agent killed (-9) with a NOTICE unread, and stopped at exact
#    points of a persist (--crash-at ... --crash-mode exit: _exit(99), like
#    kill -9 there, the page cache survives), then started again;
#  - the agent stopped mid-update and the module reloaded (rmmod, insmod):
#    the agent restores the credential from its blob.
# Each time both sides must converge on the version the protocol promises
# (protocol.md §5, §6.5, §8.4) and an AKA run must work. TAP.
#
# usage: restart.sh [MODULE]   (default build/$(uname -r)/subcred.ko)
set -u
umask 077

mod=${1:-build/$(uname -r)/subcred.ko}
tmp=$(mktemp -d)
. selftests/sides.sh
. selftests/tap.sh
TAP_NAME=restart
TAP_WHY=$tmp/why
TAP_LOGS="agent=$tmp/agent.log hn=$tmp/hn.log"
TAP_LOG_LINES=12
id=restart-001010000000001
t0=$(date +%s)

cleanup() {
	sides_down
	$ctl del "$id" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# hn_state: the network's state of $id (idle, notice-sent, ...).
hn_state() {
	json_str "$($hn --db "$db" list -j "$id" 2>/dev/null)" state
}

# wait_hn_state STATE: within 30 s.
wait_hn_state() {
	_i=0
	while [ "$(hn_state)" != "$1" ]; do
		_i=$((_i + 1))
		[ $_i -lt 150 ] ||
			{ echo "network: $(hn_state), not $1" >"$tmp/why"; return 1; }
		sleep 0.2
	done
}

# wait_gen G: the stored blob reaches generation G within 30 s.
wait_gen() {
	_i=0
	while [ "$(blob_gen "$id")" -lt "$1" ]; do
		_i=$((_i + 1))
		[ $_i -lt 150 ] ||
			{ echo "blob gen $(blob_gen "$id"), not $1" >"$tmp/why"; return 1; }
		sleep 0.2
	done
}

# converged V: both sides on exactly V, and an AKA run with it works.
# The AKA run accepts an SQN: the agent stores the state once more (+1).
converged() {
	wait_converged "$id" "$1" || return 1
	[ "$(device_version "$id")" = "$1" ] ||
		{ echo "converged on v$(device_version "$id"), not v$1" >"$tmp/why"
		  return 1; }
	_g=$(blob_gen "$id")
	aka_network "$id" && wait_gen $((_g + 1))
}

# stop_agent: SIGTERM, wait; $g := the generation stored, which is the
# live one (every change since the last ACK or AKA run is stored).
stop_agent() {
	kill "$agent_pid" 2>/dev/null
	reap "$agent_pid"
	agent_pid=
	g=$(blob_gen "$id")
}

# armed POINT GEN: start the agent to _exit(99) at POINT of the first blob
# of generation >= GEN; wait until it is ready.
armed() {
	_from=$(grep -c "ready: " "$tmp/agent.log")
	start_agent --crash-at "$1" --crash-gen "$2" --crash-mode exit
	wait_ready $((_from + 1))
}

# wait_ready N: the agent's log has N "ready" lines, within 30 s.
wait_ready() {
	_i=0
	while [ "$(grep -c "ready: " "$tmp/agent.log")" -lt "$1" ]; do
		_i=$((_i + 1))
		[ $_i -lt 150 ] || { echo "agent not ready" >"$tmp/why"; return 1; }
		sleep 0.2
	done
}

# reap PID: its exit status, waiting at most 30 s for it to end by
# itself, then killing it (-9). A child that ended is a zombie until
# waited for: look at its state, not at kill -0.
reap() {
	_i=0
	while read -r _a _b _c _ 2>/dev/null <"/proc/$1/stat" &&
	      [ "$_c" != Z ] && [ $_i -lt 150 ]; do
		_i=$((_i + 1))
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# crashed POINT GEN: the armed agent ended with 99 at POINT of gen GEN.
crashed() {
	reap "$agent_pid"
	_st=$?
	agent_pid=
	[ "$_st" = 99 ] && grep -q "$id gen $2: crash-at $1:" "$tmp/agent.log" ||
		{ echo "agent status $_st, no 'gen $2: crash-at $1' in its log" \
			>"$tmp/why"; return 1; }
}

# cached: how often the agent answered a CONFIRM with the cached ACK.
cached() {
	grep -c "CONFIRM ([0-9]* bytes): answered, ACK sent" "$tmp/agent.log"
}

echo "TAP version 13"
echo "1..19"

for b in $ctl $agent $hn $aka; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done

od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/opc"
sides_up && provision "$id" "$tmp/k" "$tmp/opc" 2>"$tmp/why" &&
	start_hn && start_agent && wait_gen 1 && converged 1
ok $? "both sides up, one subscriber on v1, AKA works"
v=1

# 1. subcred-hn killed in notice-sent: the agent is stopped so that the
# NOTICE (and its copies) wait in its socket.
kill -STOP "$agent_pid"
$hn --db "$db" rekey "$id" >/dev/null && wait_hn_state notice-sent
r=$?
kill -KILL "$hn_pid"
wait "$hn_pid" 2>/dev/null
st=$?
[ "$r" = 0 ] && [ "$st" = 137 ] && [ "$(hn_state)" = notice-sent ]
ok $? "subcred-hn killed (-9) in notice-sent"
start_hn
kill -CONT "$agent_pid"
v=$((v + 1))
converged $v
ok $? "subcred-hn restarted on the same database: converged on v$v, AKA works"

# 2. subcred-hn killed in confirm-sent: the agent stops (exit) once the
# CONFIRM's state is PERSISTED, before it sends the ACK; the device is on
# the new key, the network holds both.
stop_agent
acks=$(cached)
armed after-persisted $((g + 2)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed after-persisted $((g + 2)) &&
	[ "$(hn_state)" = confirm-sent ]
r=$?
kill -KILL "$hn_pid"
wait "$hn_pid" 2>/dev/null
st=$?
[ "$r" = 0 ] && [ "$st" = 137 ]
ok $? "agent stopped after PERSISTED of the CONFIRM's blob, subcred-hn killed (-9) in confirm-sent"
start_hn
start_agent
v=$((v + 1))
converged $v && [ "$(cached)" -gt "$acks" ]
ok $? "both restarted: the resent CONFIRM gets the cached ACK, converged on v$v, AKA works"

# 3. The agent killed (-9) with the NOTICE unread in its socket.
kill -STOP "$agent_pid"
$hn --db "$db" rekey "$id" >/dev/null && wait_hn_state notice-sent
r=$?
kill -KILL "$agent_pid"
wait "$agent_pid" 2>/dev/null
st=$?
[ "$r" = 0 ] && [ "$st" = 137 ]
ok $? "agent killed (-9) mid-update, network in notice-sent"
start_agent
v=$((v + 1))
converged $v
ok $? "agent started again: converged on v$v, AKA works"

# 4. The agent stopped after fsync of the NOTICE's blob, before its rename:
# the kernel holds PENDING with the RESPONSE held back; the stored blob is
# older (ESTALE at import), so the agent stores the kernel's state.
stop_agent
armed after-fsync $((g + 1)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed after-fsync $((g + 1)) &&
	[ -s "$state/.$id.blob.tmp" ]
ok $? "agent stopped after fsync of the NOTICE's blob (gen $((g + 1))), its temporary file left"
start_agent
v=$((v + 1))
converged $v && [ ! -e "$state/.$id.blob.tmp" ] &&
	grep -q "removed stale temporary file" "$tmp/agent.log"
ok $? "agent started again: stale temporary file removed, converged on v$v, AKA works"

# 5. The agent stopped before writing the CONFIRM's blob: the kernel is
# COMMITTING; at start the agent stores that state and the ACK leaves.
stop_agent
armed before-write $((g + 2)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed before-write $((g + 2))
ok $? "agent stopped before writing the CONFIRM's blob (gen $((g + 2)))"
start_agent
v=$((v + 1))
converged $v
ok $? "agent started again: the committing state stored, converged on v$v, AKA works"

# 6. rmmod/insmod with the CONFIRM's blob renamed into place but not
# PERSISTED: the import creates the credential on the new key with the
# ACK (protocol.md §8.4); the resent CONFIRM gets it.
stop_agent
acks=$(cached)
armed after-rename $((g + 2)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed after-rename $((g + 2)) &&
	rmmod subcred && insmod "$mod"
ok $? "agent stopped after the rename of the CONFIRM's blob, module reloaded"
start_agent
v=$((v + 1))
converged $v && [ "$(cached)" -gt "$acks" ]
ok $? "agent restored the new key from its blob, the resent CONFIRM gets the cached ACK: converged on v$v, AKA works"

# 7. rmmod/insmod with the CONFIRM's blob not written: the module comes
# back on the old key, answers the resent CONFIRM with REJECT 5, the
# network aborts.
stop_agent
armed before-write $((g + 2)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed before-write $((g + 2)) &&
	rmmod subcred && insmod "$mod"
ok $? "agent stopped before writing the CONFIRM's blob, module reloaded"
start_agent
converged $v && grep -q "event=REJECT decision=abort" "$tmp/hn.log"
ok $? "agent restored the old key: REJECT 5, the network aborted, converged on v$v, AKA works"

# 8. rmmod/insmod after the NOTICE's state was PERSISTED, its RESPONSE not
# sent: the NOTICE's SQN is stored, the resent NOTICE gets SYNC, the
# network starts again with a fresh one.
stop_agent
syncs=$(grep -c "event=SYNC decision=resync" "$tmp/hn.log")
armed after-persisted $((g + 1)) &&
	$hn --db "$db" rekey "$id" >/dev/null && crashed after-persisted $((g + 1)) &&
	rmmod subcred && insmod "$mod"
ok $? "agent stopped after PERSISTED of the NOTICE's blob, module reloaded"
start_agent
v=$((v + 1))
converged $v && [ "$(grep -c "event=SYNC decision=resync" "$tmp/hn.log")" -gt "$syncs" ]
ok $? "agent restored the NOTICE's SQN: SYNC, a fresh NOTICE, converged on v$v, AKA works"

$hn --db "$db" audit "$id" >"$tmp/audit" &&
	[ "$(awk '$6 == "commit"' "$tmp/audit" | wc -l)" -eq $((v - 1)) ] &&
	[ "$(awk '$6 == "abort"' "$tmp/audit" | wc -l)" -eq 1 ]
ok $? "the network's audit trail: $((v - 1)) commits, 1 abort"

! grep -qi -e "$(cat "$tmp/k")" -e "$(cat "$tmp/opc")" "$state"/* \
	"$tmp/agent.log" "$tmp/hn.log" /proc/keys
ok $? "the first K and OPc are in no blob, log or /proc/keys"

echo "# restart: $(($(date +%s) - t0)) s"
[ "$fails" -eq 0 ]
