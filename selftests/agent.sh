#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded from $1: subcred-agent stores what
# the kernel seals (and nothing else), restores it after a restart and a
# module reload, refuses bad blobs, relays datagrams and REQUEST events,
# never says PERSISTED for a blob it could not make durable, and stops at
# its --crash-at fault points. With userspace/hn/subcred-hn, also one
# complete update over UDP on loopback. Leaves no credential behind.
set -u

mod=${1:-build/$(uname -r)/subcred.ko}
ctl=userspace/subcredctl
agent=userspace/subcred-agent
hn=userspace/hn/subcred-hn
PORT=17306		# the agent
NETPORT=17305		# a fake network peer that only records
HNPORT=17307		# subcred-hn, if there is one
tmp=$(mktemp -d)
state=$tmp/state
netlog=$tmp/net.log
alog=$tmp/agent.0.log
. selftests/tap.sh
TAP_NAME=agent
TAP_WHY=$tmp/out
TAP_LOGS="log=$alog"
TAP_LOG_LINES=15
runs=0
apid=
lpid=
hpid=
keyid=
ids="imsi-agent-1 imsi-agent-2 imsi-agent-4 imsi-agent-5 imsi-agent-e2e"

cleanup() {
	# the agent's logs, for whoever reads the results
	if [ -n "${SUBCRED_OUT:-}" ] && [ -d "$SUBCRED_OUT" ]; then
		d=$SUBCRED_OUT/$(uname -r)/agent-logs
		mkdir -p "$d" && cp "$tmp"/*.log "$d/" 2>/dev/null
	fi
	for p in $apid $lpid $hpid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for id in $ids; do
		"$ctl" del "$id" >/dev/null 2>&1
	done
	[ -n "$keyid" ] && keyctl unlink "$keyid" @u >/dev/null 2>&1
	mountpoint -q "$tmp/full" 2>/dev/null && umount "$tmp/full"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

skip() {
	n=$((n + 1))
	echo "ok $n agent: $1 # SKIP $2"
}

not() { ! "$@"; }

# wait_for COMMAND...: until it succeeds, at most ~30 s (TCG is slow).
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 300 ] || return 1
		sleep 0.1
	done
}

in_log() { grep -qE -- "$1" "$alog"; }
wait_log() { wait_for in_log "$1" || { echo "no log line /$1/"; false; }; }
# running PID: alive and not a zombie (kill -0 succeeds on a zombie).
running() {
	[ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}
alive() { [ -n "$apid" ] && running "$apid"; }

# launch [ARGS...]: start the agent with a fresh log; later flags win.
launch() {
	runs=$((runs + 1))
	alog=$tmp/agent.$runs.log
	TAP_LOGS="log=$alog"
	"$agent" --config /dev/null --network "127.0.0.1:$NETPORT" \
		--listen "127.0.0.1:$PORT" --state-dir "$state" "$@" \
		2>"$alog" </dev/null &
	apid=$!
}

# start_agent [ARGS...]: launch, and wait until it says it is ready.
start_agent() {
	launch "$@"
	wait_for sh -c "grep -q 'ready:' '$alog' ||
		[ ! -e /proc/$apid/stat ] || grep -q ' Z ' /proc/$apid/stat" &&
		alive && in_log 'ready:'
}

# agent_exit: wait (~30 s, then SIGKILL) for the agent to end; its
# exit status in $rc.
agent_exit() {
	i=0
	while running "$apid"; do
		i=$((i + 1))
		[ $i -le 300 ] || kill -KILL "$apid"
		sleep 0.1
	done
	wait "$apid"
	rc=$?
	apid=
}

stop_agent() {
	kill -TERM "$apid" && agent_exit && [ "$rc" = 0 ] && in_log 'exiting'
}

exit_is() { agent_exit; [ "$rc" = "$1" ]; }

mode_is() { [ "$(stat -c %a "$2")" = "$1" ]; }

# send HEX: one datagram to the agent, from an ephemeral port.
send() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[1]), ("127.0.0.1", int(sys.argv[2])))' \
		"$1" "$PORT"
}

# notice ID VERSION: a well-formed NOTICE whose RAND, AUTN, PK and tag
# are all zero: it parses, and fails MAC-A.
notice() {
	python3 -c 'import struct, sys
i = sys.argv[1].encode()
body = bytes([1]) + struct.pack(">I", int(sys.argv[2])) + bytes(64)
n = 8 + len(i) + 8 + len(body) + 32
m = b"SC" + bytes([1, 1]) + struct.pack(">H", n) + bytes([len(i), 0])
print((m + i + bytes(8) + body + bytes(32)).hex())' "$1" "$2"
}

# The fake network peer: one line "TYPE LENGTH" per datagram it gets.
start_listener() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
f = open(sys.argv[2], "a")
f.write("ready\n")
f.flush()
while True:
    d, a = s.recvfrom(4096)
    f.write("%d %d\n" % (d[3] if len(d) > 3 else -1, len(d)))
    f.flush()' "$NETPORT" "$netlog" &
	lpid=$!
	wait_for grep -q ready "$netlog"
}

net_got() { grep -qE "^$1 " "$netlog"; }

# no_secret FILE: neither K nor OPc, raw or in hex, anywhere in FILE.
no_secret() {
	python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
for h in sys.argv[2:]:
    if bytes.fromhex(h) in b or h.encode() in b.lower():
        sys.exit("found " + ("K" if h == sys.argv[2] else "OPc"))' \
		"$1" "$K" "$OPC"
}

# blob_gen_is GEN FILE: the generation in the clear header of a blob
# ('S' 'C' 'B' | format | id_len | id | key_version (4) | generation (8))
blob_gen_is() {
	python3 -c 'import sys
b = open(sys.argv[2], "rb").read()
o = 5 + b[4] + 4
sys.exit(int.from_bytes(b[o:o + 8], "big") != int(sys.argv[1]))' "$1" "$2"
}

flip_last_byte() {
	python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 1
open(sys.argv[1], "wb").write(b)' "$1"
}

version_is() { "$ctl" show -j "$1" | grep -q "\"key_version\":$2[,}]"; }
only_file() { [ "$(ls -A "$1")" = "$2" ]; }

# fill DIR: until the file system is full.
fill() { dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null; true; }

for f in "$ctl" "$agent"; do
	[ -x "$f" ] || { echo "$0: build $f first" >&2; exit 1; }
done

echo "TAP version 13"

K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
echo $K >"$tmp/k"
echo $OPC >"$tmp/opc"
chmod 600 "$tmp/k" "$tmp/opc"
# The master key for sealing; keep one a caller may have put there.
if ! keyctl search @u logon subcred:master >/dev/null 2>&1; then
	keyid=$(head -c 32 /dev/urandom | keyctl padd logon subcred:master @u)
fi
start_listener

# ---- command line ----
check "--help documents --crash-at" sh -c "$agent --help | grep -q -- --crash-at"
check "a missing --config file is an error (exit 2)" \
	sh -c "$agent --network 127.0.0.1 --config $tmp/none; [ \$? = 2 ]"
check "no network peer is an error (exit 2)" \
	sh -c "$agent --config /dev/null; [ \$? = 2 ]"

# ---- store ----
check "starts on an empty state directory" start_agent
check "the state directory is created 0700" mode_is 700 "$state"
check "provision imsi-agent-1 while it runs" \
	"$ctl" add imsi-agent-1 --k-file "$tmp/k" --opc-file "$tmp/opc" \
	--key-version 7
check "its blob appears" wait_for test -s "$state/imsi-agent-1.blob"
check "the blob is 0600" mode_is 600 "$state/imsi-agent-1.blob"
check "the blob holds neither K nor OPc" no_secret "$state/imsi-agent-1.blob"
check "the log has one line: id, version, event, generation" \
	wait_log '^subcred-agent: imsi-agent-1 v7 event NEW: gen [0-9]+ persisted \([0-9]+ bytes\)$'
check "change the policy" "$ctl" set imsi-agent-1 --pending-timeout 300
check "... it is stored as a new generation" \
	wait_log 'imsi-agent-1 v7 event SET: gen [0-9]+ persisted'
check "provision imsi-agent-2" "$ctl" add imsi-agent-2 --k-file "$tmp/k" \
	--opc-file "$tmp/opc"
check "its blob appears" wait_for test -s "$state/imsi-agent-2.blob"

# ---- datagrams ----
send 68656c6c6f
check "garbage from the network: the kernel's reason is logged, dropped" \
	wait_log 'non-subcred datagram \(5 bytes\).*dropped: malformed message'
check "a datagram from another address is logged and accepted" \
	in_log 'from 127\.0\.0\.1:[0-9]+, not the network peer 127\.0\.0\.1:'"$NETPORT"' \(accepted\)'
send "$(notice imsi-agent-none 1)"
check "a message for an unknown id: logged with the kernel's reason" \
	wait_log 'imsi-agent-none NOTICE \([0-9]+ bytes\).*dropped: no credential with this id'
send "$(notice imsi-agent-1 7)"
check "a forged NOTICE is answered with REJECT cause 1" \
	wait_log 'imsi-agent-1 NOTICE .*REJECT cause 1 sent'
check "the REJECT reaches the network peer (type 6)" wait_for net_got 6
check "nothing reached the log but lengths and types" no_secret "$alog"

# ---- REQUEST ----
check "max-age 1 makes the kernel ask for a new key" \
	"$ctl" set imsi-agent-1 --max-age 1
check "the REQUEST reaches the network peer (type 7 at byte 3)" \
	wait_for net_got 7
check "the REQUEST is logged" in_log 'imsi-agent-1 v7 event REQUEST: key too old, REQUEST sent'
"$ctl" set imsi-agent-1 --max-age 0 >/dev/null
check "still running" alive

# ---- restart, reload, restore ----
check "SIGTERM: it exits 0" stop_agent
check "a restart restores both blobs" start_agent
check "... imsi-agent-1 v7" in_log '^subcred-agent: imsi-agent-1: restored v7 gen [0-9]+ from imsi-agent-1\.blob$'
check "... imsi-agent-2 v1" in_log 'imsi-agent-2: restored v1 gen'
check "rmmod with the agent running" rmmod subcred
check "... exit status 1" exit_is 1
check "... the log says why" in_log 'kernel module subcred unloaded'
check "without the module it says so and exits 1" sh -c "
	$agent --config /dev/null --network 127.0.0.1 --state-dir $state \
		2>$tmp/nomod; [ \$? = 1 ] &&
	grep -q 'kernel module subcred not loaded (modprobe subcred)' $tmp/nomod"
check "insmod again" insmod "$mod"
check "the store is empty" not "$ctl" show imsi-agent-1
flip_last_byte "$state/imsi-agent-2.blob"
cp "$state/imsi-agent-1.blob" "$state/imsi-agent-3.blob"
echo stale >"$state/.imsi-agent-9.blob.tmp"
check "the agent starts on blobs good and bad" start_agent
check "imsi-agent-1 is back with the same version" version_is imsi-agent-1 7
check "a tampered blob is refused with the kernel's reason" \
	in_log '^subcred-agent: imsi-agent-2: imsi-agent-2\.blob refused: blob does not authenticate'
check "... and not restored" not "$ctl" show imsi-agent-2
check "a blob under another id's name is refused" \
	in_log 'imsi-agent-3: imsi-agent-3\.blob refused: blob is for another credential id'
check "a stale temporary file is removed" sh -c "
	[ ! -e $state/.imsi-agent-9.blob.tmp ] &&
	grep -q 'removed stale temporary file' $alog"
check "still running" alive
rm -f "$state/imsi-agent-2.blob" "$state/imsi-agent-3.blob"
check "DEL removes the blob" sh -c "$ctl del imsi-agent-1 &&
	i=0; while [ -e $state/imsi-agent-1.blob ] && [ \$i -lt 300 ]; do
		i=\$((i + 1)); sleep 0.1; done; [ ! -e $state/imsi-agent-1.blob ]"
check "... and logs it" wait_log 'imsi-agent-1 v7 event DEL: imsi-agent-1\.blob removed'
check "SIGTERM" stop_agent

# ---- a full disk ----
mkdir "$tmp/full"
check "a small tmpfs for the state" \
	mount -t tmpfs -o size=256k,mode=0700 tmpfs "$tmp/full"
fill "$tmp/full"
check "the agent starts on a full file system" start_agent --state-dir "$tmp/full"
check "provision imsi-agent-4" "$ctl" add imsi-agent-4 --k-file "$tmp/k" \
	--opc-file "$tmp/opc"
check "ENOSPC: logged, and PERSISTED is not sent" \
	wait_log 'imsi-agent-4 v1 event NEW: gen [0-9]+ NOT persisted: .*No space left on device; PERSISTED not sent'
check "no blob and no temporary file are left" only_file "$tmp/full" fill
check "still running" alive
rm -f "$tmp/full/fill"
check "with space again the next change is stored" sh -c "
	$ctl set imsi-agent-4 --pending-timeout 200 &&
	i=0; while [ ! -s $tmp/full/imsi-agent-4.blob ] && [ \$i -lt 300 ]; do
		i=\$((i + 1)); sleep 0.1; done; [ -s $tmp/full/imsi-agent-4.blob ]"
check "DEL removes it again" sh -c "$ctl del imsi-agent-4 &&
	i=0; while [ -e $tmp/full/imsi-agent-4.blob ] && [ \$i -lt 300 ]; do
		i=\$((i + 1)); sleep 0.1; done; [ ! -e $tmp/full/imsi-agent-4.blob ]"
check "SIGTERM" stop_agent
umount "$tmp/full"

# ---- fault points ----
check "--crash-at after-fsync: starts" start_agent --crash-at after-fsync
"$ctl" add imsi-agent-5 --k-file "$tmp/k" --opc-file "$tmp/opc" >/dev/null
check "... it stops with status 99 at the first persist" exit_is 99
check "... fsynced temp file, no blob" sh -c "
	[ -s $state/.imsi-agent-5.blob.tmp ] && [ ! -e $state/imsi-agent-5.blob ]"
check "a normal start removes the temp file" start_agent
check "... and stores what the kernel had without a blob" \
	in_log '^subcred-agent: imsi-agent-5 v1 at start: gen [0-9]+ persisted'
check "... in a blob file" test -s "$state/imsi-agent-5.blob"
check "SIGTERM" stop_agent
gen=$(sed -n 's/.*imsi-agent-5 v1 at start: gen \([0-9]*\) .*/\1/p' "$alog")
check "--crash-at before-write --crash-gen $((gen + 2)): starts" \
	start_agent --crash-at before-write --crash-gen $((gen + 2)) \
	--crash-mode exit
"$ctl" set imsi-agent-5 --pending-timeout 100 >/dev/null
check "... generation $((gen + 1)) is stored" \
	wait_log "imsi-agent-5 v1 event SET: gen $((gen + 1)) persisted"
"$ctl" set imsi-agent-5 --pending-timeout 101 >/dev/null
check "... generation $((gen + 2)) stops it with 99" exit_is 99
check "... leaving an empty temp file" sh -c "
	[ -e $state/.imsi-agent-5.blob.tmp ] && [ ! -s $state/.imsi-agent-5.blob.tmp ]"
launch --crash-at after-persisted
check "--crash-at after-persisted: a stale blob is refused at start" \
	wait_log 'imsi-agent-5: imsi-agent-5\.blob refused: blob is older than the live state'
check "... the live state is exported; it stops with 99 after PERSISTED" \
	exit_is 99
check "... by then the blob on disk is generation $((gen + 2))" \
	blob_gen_is $((gen + 2)) "$state/imsi-agent-5.blob"
check "restarted, that blob restores cleanly" start_agent
check "... as generation $((gen + 2))" \
	in_log "imsi-agent-5: restored v1 gen $((gen + 2)) from"
check "... and no temporary file is left" only_file "$state" imsi-agent-5.blob
check "SIGTERM" stop_agent

# ---- end to end with the network peer ----
e2e=
if [ -x "$hn" ] && "$hn" --version >/dev/null 2>&1; then
	e2e=1
fi
if [ -n "$e2e" ]; then
	check "subcred-hn: add imsi-agent-e2e" "$hn" --db "$tmp/hn.db" add \
		imsi-agent-e2e --k-file "$tmp/k" --opc-file "$tmp/opc" \
		--device "127.0.0.1:$PORT"
	"$hn" --db "$tmp/hn.db" serve --listen "127.0.0.1:$HNPORT" \
		2>"$tmp/hn.log" &
	hpid=$!
	check "the device: add imsi-agent-e2e (no agent running)" \
		"$ctl" add imsi-agent-e2e --k-file "$tmp/k" --opc-file "$tmp/opc"
	check "the agent starts towards subcred-hn" \
		start_agent --network "127.0.0.1:$HNPORT"
	check "... and stores the credential it did not know" \
		in_log 'imsi-agent-e2e v1 at start: gen [0-9]+ persisted'
	check "subcred-hn: rekey" "$hn" --db "$tmp/hn.db" rekey imsi-agent-e2e
	check "NOTICE: persisted, then RESPONSE sent" wait_log \
		'imsi-agent-e2e NOTICE \([0-9]+ bytes\): gen [0-9]+ persisted \([0-9]+ bytes\), RESPONSE sent'
	check "CONFIRM: persisted, then ACK sent" wait_log \
		'imsi-agent-e2e CONFIRM \([0-9]+ bytes\): gen [0-9]+ persisted \([0-9]+ bytes\), ACK sent \([0-9]+ bytes\), active key v2'
	check "the kernel holds version 2" wait_for version_is imsi-agent-e2e 2
	check "the network holds version 2" wait_for sh -c \
		"$hn --db $tmp/hn.db list -j imsi-agent-e2e | grep -q '\"key_version\":2[,}]'"
	check "SIGTERM" stop_agent
	check "rmmod, insmod" sh -c "rmmod subcred && insmod $mod"
	check "restarted, the agent restores version 2 from disk" \
		start_agent --network "127.0.0.1:$HNPORT"
	check "... the kernel holds version 2 again" \
		version_is imsi-agent-e2e 2
	gen=$(sed -n 's/.*imsi-agent-e2e: restored v2 gen \([0-9]*\) .*/\1/p' \
		"$alog")
	check "SIGTERM" stop_agent
	check "--crash-at after-rename --crash-gen $((gen + 2)) (the CONFIRM)" \
		start_agent --network "127.0.0.1:$HNPORT" \
		--crash-at after-rename --crash-gen $((gen + 2))
	check "subcred-hn: rekey again" "$hn" --db "$tmp/hn.db" rekey \
		imsi-agent-e2e
	check "the NOTICE goes through (generation $((gen + 1)))" wait_log \
		"imsi-agent-e2e NOTICE .*: gen $((gen + 1)) persisted .*, RESPONSE sent"
	check "at the CONFIRM's blob, durable, before PERSISTED: status 99" \
		exit_is 99
	check "restarted, the import of that blob completes the commit" \
		start_agent --network "127.0.0.1:$HNPORT"
	check "... as version 3, generation $((gen + 2))" \
		in_log "imsi-agent-e2e: restored v3 gen $((gen + 2)) from"
	check "the CONFIRM the network sends again gets the cached ACK" \
		wait_log 'imsi-agent-e2e CONFIRM \([0-9]+ bytes\): answered, ACK sent'
	check "the kernel holds version 3" version_is imsi-agent-e2e 3
	check "the network holds version 3" wait_for sh -c \
		"$hn --db $tmp/hn.db list -j imsi-agent-e2e | grep -q '\"key_version\":3[,}]'"
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	hpid=
	[ -s "$tmp/hn.log" ] && sed 's/^/# hn: /' "$tmp/hn.log" | tail -n 12
else
	skip "end-to-end update with subcred-hn" "no working $hn"
fi

# ---- clean up ----
[ -n "$apid" ] || start_agent >/dev/null 2>&1
for id in $ids; do
	"$ctl" del "$id" >/dev/null 2>&1
done
check "the blobs go with the credentials" wait_for only_file "$state" ""
check "SIGTERM" stop_agent
check "no credential of this test is left" \
	not sh -c "$ctl show | grep -q imsi-agent-"
echo "1..$n"
[ "$fails" -eq 0 ]
