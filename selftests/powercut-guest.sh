#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One boot of the power-cut test, in the guest: selftests/powercut.sh boots
# the guest again and again with the same disk (run.sh --disk, mounted
# here), which holds the agent's state directory, subcred-hn's database and
# the 32 octets of the master key. Every boot starts both sides on it, with
# sides.sh's helpers but on the loopback (a veth pair and "ip netns exec"
# cost seconds per boot under TCG): the agent restores the credential from
# its blob (CRED_IMPORT), subcred-hn resumes the transaction it was in.
# Then: both sides converge, an AKA run works, a new update works; and if
# asked, the agent is armed to cut the power (sysrq 'b', nothing synced)
# at one point of the next update, which ends this boot.
#
# usage: powercut-guest.sh BOOT CUT ARM
#   BOOT  1: the disk is new (master key, one subscriber on both sides);
#         later: restore from it
#   CUT   the cut that ended boot BOOT-1, as BLOB:POINT, or -
#   ARM   the cut to arm in this boot, BLOB:POINT, or - (end normally)
# BLOB is "notice" (the blob of the NOTICE: PENDING) or "confirm" (the blob
# of the CONFIRM: COMMITTING); POINT is one of subcred-agent's --crash-at.
#
# Results go to $SUBCRED_OUT/boot-BOOT/results, one "ok - ..." or
# "not ok - ..." line per check (numbered by powercut.sh), with the logs;
# what was armed to boot-BOOT/armed.
set -u
umask 077

boot=${1:?usage: powercut-guest.sh BOOT CUT ARM}
cut=${2:?usage: powercut-guest.sh BOOT CUT ARM}
arm=${3:?usage: powercut-guest.sh BOOT CUT ARM}
out=${SUBCRED_OUT:?run me through selftests/powercut.sh}
disk=${SUBCRED_DISK:?run me through selftests/powercut.sh (run.sh --disk)}
tmp=$out/boot-$boot
mkdir -p "$tmp"
. selftests/sides.sh
mnt=/run/subcred-disk
db=$mnt/hn.db
state=$mnt/state
network_addr=127.0.0.1:7305
device_addr=127.0.0.1:7306
id=pc-001010000000001
res=$tmp/results
: >"$res"
: >"$tmp/why"

pc_start_hn() {
	$hn --db "$db" serve --listen "$network_addr" --rto-ms 300 \
		--rto-max-ms 2000 --max-tries 20 2>>"$tmp/hn.log" &
	hn_pid=$!
}

# pc_start_agent [OPTION...]
pc_start_agent() {
	$agent --network "$network_addr" --listen "$device_addr" \
		--state-dir "$state" "$@" 2>>"$tmp/agent.log" &
	agent_pid=$!
}

# say LINE: to the results and the console.
say() {
	echo "$1" >>"$res"
	echo "$1"
}

# check STATUS TEXT: one result line.
check() {
	if [ "$1" -eq 0 ]; then
		say "ok - $2"
		return 0
	fi
	{
		echo "not ok - $2"
		[ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why"
		tail -n 10 "$tmp/agent.log" 2>/dev/null | sed 's/^/# agent: /'
		tail -n 10 "$tmp/hn.log" 2>/dev/null | sed 's/^/# hn: /'
	} >>"$res"
	: >"$tmp/why"
	return 1
}

# The rest of this boot makes no sense after a failed step.
bail() {
	say "# boot $boot: stopped after a failure"
	sides_down
	exit 1
}

# wait_log FILE REGEX [N]: up to 60 s for N lines (default 1) matching
# (one grep a look: every program started costs under TCG).
wait_log() {
	_i=0
	while [ "$(grep -cE "$2" "$1" 2>/dev/null)" -lt "${3:-1}" ]; do
		_i=$((_i + 1))
		[ $_i -lt 600 ] || { echo "no '$2' in $1" >"$tmp/why"; return 1; }
		sleep 0.1
	done
}

# settled N: subcred-hn logged N commits or aborts (cheap to watch, unlike
# the two programs wait_converged starts each time it looks), then both
# sides converge on one version >= $v.
settled() {
	wait_log "$tmp/hn.log" "decision=(commit|abort)" "$1" &&
		wait_converged "$id" "$v"
}

start=$(date +%s)
{ [ -d /sys/module/ext4 ] || modprobe ext4; } && mkdir -p "$mnt" && mount -t ext4 "$disk" "$mnt" ||
	{ check 1 "boot $boot: mount the disk"; bail; }
if [ "$boot" = 1 ]; then
	head -c 32 /dev/urandom >"$mnt/master.key" &&
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$mnt/k" &&
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$mnt/opc" && sync ||
		{ check 1 "boot 1: master key, K and OPc on the disk"; bail; }
fi
ip link set lo up && keyctl padd logon subcred:master @u \
	<"$mnt/master.key" >/dev/null && insmod "build/$(uname -r)/subcred.ko" ||
	{ check 1 "boot $boot: master key from the disk, module"; bail; }

if [ "$boot" = 1 ]; then
	provision "$id" "$mnt/k" "$mnt/opc" 2>"$tmp/why" && pc_start_hn &&
		pc_start_agent && wait_log "$tmp/agent.log" "ready: " &&
		[ "$(blob_gen "$id")" = 1 ] && [ "$(network_version "$id")" = 1 ]
	check $? "boot 1: new ext4 disk: master key, one subscriber on both sides, its sealed state (gen 1) stored by the agent" ||
		bail
	aka_network "$id"
	check $? "boot 1: AKA run with v1" || bail
	v=2
	$hn --db "$db" rekey "$id" >/dev/null && settled 1
	check $? "boot 1: update to v2" || bail
else
	read -r v _ <"$tmp/../boot-$((boot - 1))/armed"
	v=${v#v=}
	blob=${cut%%:*}
	point=${cut#*:}
	pc_start_hn
	pc_start_agent
	# After a cut past the fsync of the temporary file and before its
	# rename, the file is on the disk: the agent must remove it.
	wait_log "$tmp/agent.log" "ready: 1 credential restored" &&
		{ [ "$point" != after-fsync ] ||
		  grep -q "removed stale temporary file" "$tmp/agent.log"; }
	check $? "boot $boot: the agent restored the credential from its blob on the disk ($(grep -o 'restored v[0-9]* gen [0-9]*' "$tmp/agent.log"))$([ "$point" = after-fsync ] && echo ", removed the stale temporary file")" ||
		bail

	# What the protocol promises after this cut (protocol.md §5, §6.5):
	# the NOTICE's update always completes (its SQN is durable or not,
	# the network resends or resynchronises); the CONFIRM's completes
	# iff its blob was renamed into place, else the network aborts on
	# REJECT 5 with the old key.
	case $cut in
	confirm:before-write|confirm:after-write|confirm:after-fsync)
		want=$v how="the update aborts" ;;
	*)	want=$((v + 1)) how="the update completes" ;;
	esac
	settled 1 && got=$(device_version "$id") &&
		{ [ "$got" = "$want" ] ||
		  { echo "converged on v$got" >"$tmp/why"; false; }; }
	check $? "after a cut at $point of the $blob blob: both sides converge on v$want (was v$v: $how)" ||
		bail
	aka_network "$id"
	check $? "after a cut at $point of the $blob blob: AKA run with v$want" ||
		bail
	v=$((want + 1))
	$hn --db "$db" rekey "$id" >/dev/null && settled 2
	check $? "after a cut at $point of the $blob blob: a new update commits v$v" ||
		bail
fi

if [ "$arm" = - ]; then
	! grep -qi -e "$(cat "$mnt/k")" -e "$(cat "$mnt/opc")" "$state"/* \
		"$out"/boot-*/agent.log "$out"/boot-*/hn.log /proc/keys
	check $? "the first K and OPc are in no blob, log or /proc/keys"
	say "# boot $boot: $(($(date +%s) - start)) s in the guest"
	sides_down
	rmmod subcred
	umount "$mnt"
	exit 0
fi

# Arm: the agent again, with the cut at the first blob of generation
# g + 1 (the NOTICE's: PENDING) or g + 2 (the CONFIRM's: COMMITTING), g
# being the generation now, stored and live (the last update's ACK left
# after its blob was durable, and nothing changed since).
blob=${arm%%:*}
point=${arm#*:}
kill "$agent_pid" && wait "$agent_pid"
g=$(blob_gen "$id")
case $blob in notice) gen=$((g + 1)) ;; *) gen=$((g + 2)) ;; esac
echo "v=$v gen=$gen blob=$blob point=$point hnlines=$(wc -l <"$tmp/hn.log")" \
	>"$tmp/armed"
ready=$(grep -c "ready: 1 credential restored" "$tmp/agent.log")
pc_start_agent --crash-at "$point" --crash-gen "$gen" --crash-mode reboot
wait_log "$tmp/agent.log" "ready: 1 credential restored" $((ready + 1)) &&
	grep -q "restored v$v gen $g from" "$tmp/agent.log" ||
	{ say "# boot $boot: the armed agent did not restore v$v gen $g"
	  sed 's/^/# agent: /' "$tmp/why" >>"$res"; }
say "# boot $boot: $(($(date +%s) - start)) s in the guest; armed: v$v, $point of gen $gen ($blob)"
$hn --db "$db" rekey "$id" >/dev/null
# The cut ends the guest here.
sleep 60
say "# boot $boot: no power cut within 60 s"
tail -n 10 "$tmp/agent.log" | sed 's/^/# agent: /' >>"$res"
sides_down
exit 1
