#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, with subcred.ko loaded: after provisioning and two real
# updates through subcred-agent and subcred-hn (periodic, compromise; the
# two sides of selftests/sides.sh), look for the secrets in everything a
# user or an attacker on the device can read: the agent's process memory
# (every readable mapping, through /proc/PID/mem while it runs), its state
# directory (sealed blobs only), the agent's and subcred-hn's logs, dmesg,
# /proc/keys and /proc/key-users, `subcredctl show -j` (the netlink dump),
# the events (`subcredctl monitor -j`), the messages on the air, the
# agent's command line and environment, the module parameters. Each secret
# is looked for as raw octets and as hex text in either case. TAP.
#
# The secrets: K and OPc of versions 1 (made here), 2 and 3 (from
# subcred-hn's database once each update is committed); CK and IK of every
# NOTICE and of the ordinary AKA runs (selftests/aka_tool milenage, from
# the RAND and the keys); K_conf of each update; the network's ephemeral
# private key sk_N; and Z, the X25519 shared secret of each update.
# subcred-hn keeps the transaction (RAND, sk_N, K_new, OPc_new, K_conf) in
# its txn table only while it runs and overwrites it; triggers added to the
# test's own copy of the database record every version of the row, so no
# test-only option is needed in subcred-hn. Z = X25519(sk_N, PK_D), with
# PK_D from the RESPONSE as captured on the air (an AF_PACKET socket in
# the network's namespace, python3); sk_N is checked against the NOTICE's
# PK_N. Without python3 Z is not obtainable and that test is skipped: the
# device's sk_D never leaves the kernel.
#
# Allowed: the raw K and OPc in this test's own files and in subcred-hn's
# database (the network side), which are not scanned.
set -u
umask 077

tmp=$(mktemp -d)
. selftests/sides.sh
. selftests/tap.sh
TAP_NAME=secrets
TAP_WHY=$tmp/why
id=secrets-001010000000001
PY=${PYTHON:-/usr/bin/python3}
cap_pid=
mon_pid=
secret_bad=0

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$mon_pid" ] && kill "$mon_pid" 2>/dev/null
	sides_down
	$ctl del "$id" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

skip() {
	n=$((n + 1))
	echo "ok $n secrets: $1 # SKIP $2"
}

# sql QUERY: rows of subcred-hn's database, columns separated by '|'.
sql() {
	if command -v sqlite3 >/dev/null; then
		sqlite3 -cmd '.timeout 5000' "$db" "$1"
	elif [ -x "$PY" ]; then
		"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=5)
for row in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
c.commit()' "$db" "$1"
	else
		echo "secrets.sh: neither sqlite3 nor $PY" >&2
		return 1
	fi
}

hex_lower() {
	tr 'A-F' 'a-f'
}

# secret NAME HEX: one more secret to look for.
secret() {
	case $2 in
	*[!0-9a-fA-F]*|'')
		echo "secret $1: '$2' is not hex" >>"$tmp/why"
		secret_bad=$((secret_bad + 1))
		return ;;
	esac
	echo "$1 $(printf '%s' "$2" | hex_lower)" >>"$tmp/secrets"
}

# aka_run V: an ordinary AKA with the network's current key (version V);
# keeps CK and IK of its RAND.
aka_run() {
	_v=$($hn --db "$db" challenge "$id" -j) || return 1
	_rand=$(printf '%s' "$_v" | sed -n 's/.*"rand":"\([0-9a-f]*\)".*/\1/p')
	_autn=$(printf '%s' "$_v" | sed -n 's/.*"autn":"\([0-9a-f]*\)".*/\1/p')
	_xres=$(printf '%s' "$_v" | sed -n 's/.*"xres":"\([0-9a-f]*\)".*/\1/p')
	echo "$1 $_rand" >>"$tmp/aka-rands"
	[ "$($aka device "$id" "$_rand" "$_autn")" = "res $_xres" ] ||
		{ echo "AKA with version $1 failed" >"$tmp/why"; return 1; }
}

# keep_keys V: K and OPc of version V, the network's current key, to
# $tmp/keys (the subscriber row holds the current key only).
keep_keys() {
	_k=$(sql "SELECT hex(k), hex(opc) FROM subscriber WHERE id = '$id'
		  AND key_version = $1" | tr '|' ' ' | hex_lower)
	[ -n "$_k" ] && echo "$1 $_k" >>"$tmp/keys"
}

# surface TAG FILE...: FILEs to scan as surface TAG.
surface() {
	_tag=$1
	shift
	for _f in "$@"; do
		[ -e "$_f" ] && printf '%s\t%s\n' "$_tag" "$_f" >>"$tmp/manifest"
	done
}

# scan_all: every secret of $tmp/secrets in every file of $tmp/manifest,
# as raw octets and as hex text (either case; spaces, colons and line
# breaks between the digits ignored), to $tmp/findings: "TAG<tab>what".
scan_all() {
	: >"$tmp/findings"
	if [ $have_py = 1 ]; then
		"$PY" -c 'import re, sys
secrets = [l.split() for l in open(sys.argv[1])]
for line in open(sys.argv[2]):
    tag, f = line.rstrip("\n").split("\t", 1)
    try:
        data = open(f, "rb").read()
    except OSError as e:
        print("%s\tcannot read %s: %s" % (tag, f, e))
        continue
    text = re.sub(rb"[ :\r\n\t]", b"", data).lower()
    for name, h in secrets:
        if bytes.fromhex(h) in data:
            print("%s\t%s (raw) in %s" % (tag, name, f))
        if h.encode() in text:
            print("%s\t%s (hex) in %s" % (tag, name, f))' \
			"$tmp/secrets" "$tmp/manifest" >"$tmp/findings"
		return
	fi
	while IFS='	' read -r _tag _f; do
		od -An -v -tx1 "$_f" | tr -d ' \n' >"$tmp/scan.raw"
		tr -d ' :\n\r\t' <"$_f" | hex_lower >"$tmp/scan.hex"
		for _form in raw hex; do
			grep -a -o -F -f "$tmp/patterns" "$tmp/scan.$_form" |
			sort -u | while read -r _h; do
				grep " $_h\$" "$tmp/secrets" | cut -d' ' -f1 |
					sed "s|^|$_tag	|; s|\$| ($_form) in $_f|"
			done
		done
	done <"$tmp/manifest" >"$tmp/findings"
}

# clean TAG: nothing found in surface TAG (else the findings, to $tmp/why).
clean() {
	grep "^$1	" "$tmp/findings" | cut -f2- | sed "s|^|found in $1: |" \
		>"$tmp/why"
	[ ! -s "$tmp/why" ]
}

echo "TAP version 13"
echo "1..16"

for b in $ctl $agent $hn $aka; do
	[ -x "$b" ] || { echo "Bail out! $b not built"; exit 1; }
done
have_py=0
[ -x "$PY" ] && "$PY" -c 'import socket' 2>/dev/null && have_py=1

sides_up
ok $? "network namespaces, veth, master key"

# one subscriber on both sides; the database records every txn row
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$tmp/opc"
provision "$id" "$tmp/k" "$tmp/opc" 2>"$tmp/why" &&
	sql "CREATE TABLE secrets_txn (txid, rand, sk_n, notice, k_new,
				       opc_new, k_conf);
	     CREATE TRIGGER secrets_txn_ins AFTER INSERT ON txn BEGIN
		INSERT INTO secrets_txn VALUES (hex(NEW.txid), hex(NEW.rand),
			hex(NEW.sk_n), hex(NEW.notice), hex(NEW.k_new),
			hex(NEW.opc_new), hex(NEW.k_conf));
	     END;
	     CREATE TRIGGER secrets_txn_upd AFTER UPDATE ON txn BEGIN
		INSERT INTO secrets_txn VALUES (hex(NEW.txid), hex(NEW.rand),
			hex(NEW.sk_n), hex(NEW.notice), hex(NEW.k_new),
			hex(NEW.opc_new), hex(NEW.k_conf));
	     END;" 2>>"$tmp/why"
rc=$?

# the air, seen from the network's side of the veth
if [ $rc -eq 0 ] && [ $have_py = 1 ]; then
	cat >"$tmp/capture.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("sc-n", 0))
out = open(sys.argv[1], "w", buffering=1)
out.write("ready\n")
while True:
    f = s.recv(65535)
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        continue
    u = 14 + (f[14] & 15) * 4
    out.write("%d %d %s\n" % (int.from_bytes(f[u:u + 2], "big"),
                              int.from_bytes(f[u + 2:u + 4], "big"),
                              f[u + 8:].hex()))
EOF
	ip netns exec sc-net "$PY" "$tmp/capture.py" "$tmp/air" &
	cap_pid=$!
	i=0
	while ! grep -qs ready "$tmp/air" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -qs ready "$tmp/air" || { echo "capture did not start" >"$tmp/why"; rc=1; }
fi
$ctl monitor -j >"$tmp/events" 2>&1 &
mon_pid=$!
start_hn
start_agent
i=0
while [ ! -e "$state/$id.blob" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ $rc -eq 0 ] && [ -e "$state/$id.blob" ] && aka_run 1
ok $? "subscriber provisioned on both sides, blob stored, AKA with version 1"

echo "1 $(cat "$tmp/k") $(cat "$tmp/opc")" >"$tmp/keys"
$hn --db "$db" rekey "$id" --reason periodic >/dev/null &&
	wait_converged "$id" 2 && keep_keys 2 && aka_run 2
ok $? "periodic update: both sides on version 2, AKA with it"

$hn --db "$db" rekey "$id" --reason compromise >/dev/null &&
	wait_converged "$id" 3 && keep_keys 3 && aka_run 3
ok $? "compromise update: both sides on version 3, AKA with it"

# ---- the secrets ----
: >"$tmp/secrets"
rc=0
[ "$(cut -d' ' -f1 "$tmp/keys" | tr '\n' ' ')" = "1 2 3 " ] ||
	{ echo "keys of versions $(cut -d' ' -f1 "$tmp/keys")" >>"$tmp/why"; rc=1; }
while read -r v k o; do
	secret "K_v$v" "$k"
	secret "OPc_v$v" "$o"
	# each new key is the one its update derived
	[ "$v" = 1 ] || sql "SELECT DISTINCT k_new FROM secrets_txn" |
		hex_lower | grep -qx "$k" ||
		{ echo "K of version $v is no update's K_new" >>"$tmp/why"; rc=1; }
done <"$tmp/keys"
nrand=0
for rn in $(sql "SELECT DISTINCT rand || '|' || notice FROM secrets_txn
		 WHERE rand != ''" | hex_lower); do
	# CK, IK of the NOTICE's RAND under the key of its key_version
	r=${rn%|*}
	notice=${rn#*|}
	L=$((0x$(printf '%s' "$notice" | cut -c13-14)))
	v=$((0x$(printf '%s' "$notice" | cut -c$((2 * (17 + L) + 1))-$((2 * (21 + L))))))
	# shellcheck disable=SC2046 # hex words, split on purpose
	set -- $(grep "^$v " "$tmp/keys") - - -
	# shellcheck disable=SC2046
	set -- $($aka milenage "$2" "$3" "$r") - - -
	secret "CK_notice_${r%????????????????????????}_v$v" "$2"
	secret "IK_notice_${r%????????????????????????}_v$v" "$3"
	nrand=$((nrand + 1))
done
while read -r v r; do
	# shellcheck disable=SC2046 # hex words, split on purpose
	set -- $(grep "^$v " "$tmp/keys") - - -
	# shellcheck disable=SC2046
	set -- $($aka milenage "$2" "$3" "$r") - - -
	secret "CK_aka_v$v" "$2"
	secret "IK_aka_v$v" "$3"
done <"$tmp/aka-rands"
nconf=0
for c in $(sql "SELECT DISTINCT k_conf FROM secrets_txn WHERE k_conf != ''"); do
	secret "K_conf_$nconf" "$c"
	nconf=$((nconf + 1))
done
nsk=0
for s in $(sql "SELECT DISTINCT sk_n FROM secrets_txn WHERE sk_n != ''"); do
	secret "sk_N_$nsk" "$s"
	nsk=$((nsk + 1))
done
[ $rc -eq 0 ] && [ $secret_bad -eq 0 ] && [ $nrand -ge 2 ] && [ $nconf -ge 2 ] && [ $nsk -ge 2 ] &&
	[ "$(wc -l <"$tmp/aka-rands")" -eq 3 ]
ok $? "secrets known: K/OPc of versions 1-3, CK/IK of $nrand NOTICE RANDs and 3 AKA runs, $nconf K_conf, $nsk sk_N"

# Z of each update: X25519(sk_N, PK_D of the RESPONSE on the air)
if [ $have_py = 1 ]; then
	nz=0
	rc=0
	for resp in $(awk '$2 == 7305 && $3 ~ /^53430102/ { print $3 }' \
		      "$tmp/air" | sort -u); do
		L=$((0x$(printf '%s' "$resp" | cut -c13-14)))
		txid=$(printf '%s' "$resp" | cut -c$((2 * (8 + L) + 1))-$((2 * (16 + L))))
		pkd=$(printf '%s' "$resp" | cut -c$((2 * (24 + L) + 1))-$((2 * (56 + L))))
		row=$(sql "SELECT sk_n, notice FROM secrets_txn WHERE
			   lower(txid) = '$txid' AND sk_n != '' LIMIT 1")
		skn=${row%|*}
		notice=$(printf '%s' "${row#*|}" | hex_lower)
		pkn=$(printf '%s' "$notice" | cut -c$((2 * (53 + L) + 1))-$((2 * (85 + L))))
		base=09$(printf '%062d' 0)
		if [ -z "$skn" ] ||
		   [ "$($aka x25519 "$skn" "$base")" != "$pkn" ]; then
			echo "txid $txid: no sk_N matching the NOTICE's PK_N" >>"$tmp/why"
			rc=1
			continue
		fi
		secret "Z_$txid" "$($aka x25519 "$skn" "$pkd")"
		nz=$((nz + 1))
	done
	[ $rc -eq 0 ] && [ $secret_bad -eq 0 ] && [ $nz -ge 2 ]
	ok $? "Z of $nz updates from sk_N (checked against PK_N) and PK_D on the air"
else
	skip "Z of each update" "no $PY: PK_D cannot be captured, sk_D never leaves the kernel"
fi
cut -d' ' -f2 "$tmp/secrets" | sort -u >"$tmp/patterns"
echo "# $(wc -l <"$tmp/patterns") secrets to look for"

# ---- the surfaces, collected first, then scanned at once ----
: >"$tmp/manifest"
pid=$agent_pid
case $(readlink "/proc/$pid/exe") in
*/subcred-agent) ;;
*) pid=$(pgrep -x subcred-agent | head -n1) ;;
esac
: >"$tmp/mem"
regions=0
unread=0
while read -r range perms _rest; do
	case $perms in r*) ;; *) continue ;; esac
	start=$((0x${range%-*}))
	end=$((0x${range#*-}))
	[ $start -lt 0 ] && continue	# [vsyscall], above 2^63
	if dd if="/proc/$pid/mem" bs=65536 iflag=skip_bytes,count_bytes \
	      skip=$start count=$((end - start)) status=none \
	      >>"$tmp/mem" 2>/dev/null; then
		regions=$((regions + 1))
	else
		unread=$((unread + 1))
	fi
done <"/proc/$pid/maps"
# the dump is the agent's memory: it holds the agent's own arguments
mem_ok=1
[ -n "$pid" ] && kill -0 "$pid" && [ $regions -gt 3 ] &&
	grep -q -a -F -e "--state-dir" "$tmp/mem" && mem_ok=0
surface mem "$tmp/mem"
tr '\0' ' ' <"/proc/$pid/cmdline" >"$tmp/cmdline"
tr '\0' '\n' <"/proc/$pid/environ" >"$tmp/environ"
surface proc "$tmp/cmdline" "$tmp/environ" /sys/module/subcred/parameters/*

state_ok=1
ls "$state"/*.blob >/dev/null 2>&1 && state_ok=0
surface state "$state"/* "$state"/.[!.]*
surface agentlog "$tmp/agent.log"
surface hnlog "$tmp/hn.log"
dmesg >"$tmp/dmesg"
surface dmesg "$tmp/dmesg"
cat /proc/keys >"$tmp/proc-keys"
cat /proc/key-users >"$tmp/proc-key-users"
surface keys "$tmp/proc-keys" "$tmp/proc-key-users"
show_ok=1
$ctl show -j >"$tmp/show-all" && $ctl show -j "$id" >"$tmp/show-id" &&
	grep -q '"key_version":3' "$tmp/show-id" && show_ok=0
surface show "$tmp/show-all" "$tmp/show-id"
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
mon_pid=
surface events "$tmp/events"
if [ $have_py = 1 ]; then
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=
	awk 'NF == 3 { print $3 }' "$tmp/air" >"$tmp/air.hex"
	# the datagrams as octets too
	"$PY" -c 'import sys
out = open(sys.argv[2], "wb")
for l in open(sys.argv[1]):
    out.write(bytes.fromhex(l.strip()))' "$tmp/air.hex" "$tmp/air.raw"
	surface air "$tmp/air.raw" "$tmp/air.hex"
fi

scan_all

[ $mem_ok -eq 0 ] && clean mem
ok $? "agent memory: $regions readable mappings, $(wc -c <"$tmp/mem") octets ($unread unreadable, e.g. [vvar])"

[ $state_ok -eq 0 ] && clean state
ok $? "agent state directory: only sealed blobs ($(ls "$state" | tr '\n' ' '))"

clean agentlog
ok $? "agent log ($(wc -l <"$tmp/agent.log") lines)"

clean hnlog
ok $? "subcred-hn log ($(wc -l <"$tmp/hn.log") lines)"

clean dmesg
ok $? "dmesg"

grep -q "$id" "$tmp/proc-keys" && clean keys
ok $? "/proc/keys (the credential's key listed) and /proc/key-users"

[ $show_ok -eq 0 ] && clean show
ok $? "subcredctl show -j: the dump of all credentials and the credential"

grep -q updated "$tmp/events" && clean events
ok $? "events during the updates ($(wc -l <"$tmp/events") lines)"

if [ $have_py = 1 ]; then
	[ "$(wc -l <"$tmp/air.hex")" -ge 8 ] && clean air
	ok $? "over-the-air messages ($(wc -l <"$tmp/air.hex") datagrams)"
else
	skip "over-the-air messages" "no $PY to capture them"
fi

clean proc
ok $? "agent command line and environment, module parameters"

[ "$fails" -eq 0 ]
