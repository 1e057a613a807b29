#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, as root, with subcred.ko loaded and an empty store: drive
# userspace/subcredctl through every command and error path, asserting its
# exact output and exit status, and that K and OPc never show up in any
# output, in /proc/keys, in the kernel log or in ps. Leaves the store empty.
# Needs setpriv (util-linux) and an x86_64 or arm64 guest (system call
# numbers).
# Every --max-age is large: a key older than its max-age makes the kernel
# send REQUEST events, which would show up in the monitors.
set -u

ctl=userspace/subcredctl
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
PLAN=56
mon=
monj=
as=
tmp=$(mktemp -d)
. selftests/tap.sh
TAP_NAME=subcredctl
TAP_WHY=$tmp/out
umask 077

cleanup() {
	# shellcheck disable=SC2086 # none, one or two pids
	kill ${mon:-} ${monj:-} 2>/dev/null
	for id in $("$ctl" show 2>/dev/null | awk 'NR > 1 && /^ctl-/ { print $1 }')
	do
		"$ctl" del "$id" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# ctl ARGS...: run subcredctl (as $as, if set); stdout, stderr and exit
# status go to $tmp/o, $tmp/e, $tmp/rc, and every output to $tmp/all.
ctl() {
	${as:-} "$ctl" "$@" >"$tmp/o" 2>"$tmp/e"
	echo $? >"$tmp/rc"
	cat "$tmp/o" "$tmp/e" >>"$tmp/all"
}
unpriv() { as=$nobody; ctl "$@"; as=; }

# same FILE TEXT: FILE holds exactly the lines of TEXT ("" = empty file)
same() {
	if [ -n "$2" ]; then printf '%s\n' "$2"; fi >"$tmp/want"
	diff -u "$tmp/want" "$1" >"$tmp/diff" && return 0
	echo "unexpected output:"
	cat "$tmp/diff"
	return 1
}

# want RC STDOUT STDERR: what the last ctl did, exactly
want() {
	st=0
	[ "$(cat "$tmp/rc")" = "$1" ] ||
		{ echo "exit status $(cat "$tmp/rc"), want $1"; st=1; }
	same "$tmp/o" "$2" || st=1
	same "$tmp/e" "$3" || st=1
	return $st
}

# usage LINE ARGS...: exit 2, nothing on stdout, LINE then the usage hint
usage() {
	line=$1
	shift
	ctl "$@"
	grep -Eq "^Try 'subcredctl( [a-z]+)? --help' for more information\.\$" \
		"$tmp/e" || { echo "no usage hint:"; cat "$tmp/e"; return 1; }
	sed -i 1q "$tmp/e"
	want 2 "" "$line"
}

# waiting PID NR: wait up to 30 s until PID sleeps in system call NR
# ($NR_READ read, $NR_RECVMSG recvmsg: a monitor that has joined its group)
case $(uname -m) in
aarch64) NR_READ=63 NR_RECVMSG=212 ;;
*)	NR_READ=0 NR_RECVMSG=47 ;;
esac
waiting() {
	i=0
	while [ $i -lt 300 ]; do
		nr=
		read -r nr _ 2>/dev/null <"/proc/$1/syscall"
		[ "$nr" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "pid $1 is not waiting in system call $2"
	return 1
}

# lines FILE N: wait up to 30 s until FILE has N lines
lines() {
	i=0
	until [ "$(wc -l <"$1")" -ge "$2" ] || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# The JSON age is the one value that changes over time: take it as given.
age() { sed -n 's/.*"age": *\([0-9]*\).*/\1/p' "$tmp/o" | head -n1; }
# serial ID: decimal serial of the subcred key ID, from /proc/keys
serial() {
	printf '%d' "0x$(awk -v d="$1:" '$8 == "subcred" && $9 == d { print $1 }' /proc/keys)"
}
json1() { # ID VERSION SQN MAX-AGE PENDING-TIMEOUT: show -j ID, exactly
	ctl show -j "$1"
	want 0 "[{\"id\":\"$1\",\"key_version\":$2,\"sqn\":$3,\"max_age\":$4,\"pending_timeout\":$5,\"age\":$(age),\"key_serial\":$(serial "$1")}]" ""
}
ids() { ctl show; awk '{ printf "%s ", $1 }' "$tmp/o"; }

# The secrets of this test: none of them may ever be printed.
K1=465b5ce8b199b49faa5f0a2ee238a6bc
O1=cd63cb71954a9f4e48a5994e37a02baf
K2=raw-K-octets-16!
O2=raw-OPc-octets!!
K3=0123456789abcdeffedcba9876543210
O3=A1B2C3D4E5F60718293A4B5C6D7E8F90
K4=8e27b6af0e692e750f32667a3b14605d
O4=8ab0a6e0fd3d4bbb6a5a0aef46d4e5c9
K5=5f0c0b5bb1cd2b4b7e1c2b3ed8f9a0c1
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
SECRETS="$K1 $O1 $K2 $O2 $(hex "$K2") $(hex "$O2") $K3 $O3 $K4 $O4 $K5"

echo "$K1" >"$tmp/k1"
echo "$O1" >"$tmp/o1"
printf '%s' "$K2" >"$tmp/k2"
printf '%s' "$O2" >"$tmp/o2"
printf '  %s  \n' "$O3" >"$tmp/o3"
printf '%s\n%s\n' "$K4" "$O4" >"$tmp/k4o4"
long=$(printf 'ctl-%061d' 0)		# 65 characters
pto=$(cat /sys/module/subcred/parameters/pending_timeout 2>/dev/null)

echo "TAP version 13"
echo "1..$PLAN"

check "$ctl is executable" test -x "$ctl"
check "setpriv is available" command -v setpriv

t_empty() {
	ctl show -j && want 0 "[]" "" &&
	ctl show && want 0 "ID  VERSION  SQN  MAX-AGE  PENDING-TIMEOUT  AGE  SERIAL" ""
}
check "the store is empty: show -j is [], show is the header" t_empty

t_version() {
	ctl --version && want 0 "$(cat "$tmp/o")" "" &&
	grep -Eqx 'subcredctl [0-9][0-9.]* \(genl family subcred version 1\)' \
		"$tmp/o" && cp "$tmp/o" "$tmp/v" && ctl -V && want 0 "$(cat "$tmp/v")" ""
}
check "--version, -V: exit 0, one version line" t_version

t_help() {
	ctl --help && [ "$(head -n1 "$tmp/o")" = "Usage: subcredctl [OPTIONS] COMMAND [ARGS]" ] &&
	[ "$(awk '/^Commands:/ { c = 1 } /^$/ { c = 0 } c && /^  [a-z]/ { printf "%s ", $1 }' "$tmp/o")" = \
		"add show del set monitor help " ] && want 0 "$(cat "$tmp/o")" ""
}
check "--help: exit 0, usage of every command on stdout" t_help

t_help_add() {
	ctl help add && want 0 "$(cat "$tmp/o")" "" &&
	[ "$(head -n1 "$tmp/o")" = "Usage: subcredctl add ID --k-file FILE --opc-file FILE [--sqn N] [--key-version V]" ] &&
	grep -q -- '--pending-timeout SECONDS  1..86400' "$tmp/o" &&
	cp "$tmp/o" "$tmp/h" && ctl add --help && want 0 "$(cat "$tmp/h")" ""
}
check "help add, add --help: exit 0, the same add usage on stdout" t_help_add

t_help_help() {
	ctl help --help && want 0 "Usage: subcredctl help [COMMAND]

Show help for COMMAND." ""
}
check "help --help: exit 0, usage of help on stdout" t_help_help

t_add_hex() {
	ctl add ctl-hex --k-file "$tmp/k1" --opc-file "$tmp/o1" --sqn 0x2a \
		--key-version 3 --max-age 2592000 --pending-timeout 30 && want 0 "" ""
}
check "add from hex files with --sqn/--key-version/--max-age/--pending-timeout" t_add_hex

t_proc_keys() {
	[ "$(awk '$8 == "subcred" { print $8, $9, $10 }' /proc/keys)" = "subcred ctl-hex: v3" ]
}
check "/proc/keys shows the key with id and version only" t_proc_keys

t_table() {
	s=$(serial ctl-hex)
	w=${#s}
	[ "$w" -ge 6 ] || w=6
	ctl "$@"
	a=$(awk 'NR == 2 { print $6 }' "$tmp/o")
	[ "$a" -le 60 ] || { echo "age '$a'"; return 1; }
	want 0 "$(printf 'ID       VERSION  SQN  MAX-AGE  PENDING-TIMEOUT  AGE  %*s\n' "$w" SERIAL
		printf 'ctl-hex        3   42  2592000               30  %3s  %*s' "$a" "$w" "$s")" ""
}
check "show: header and row, exactly" t_table show
check "show ctl-hex: header and row, exactly" t_table show ctl-hex
check "show -j ctl-hex: exact JSON" json1 ctl-hex 3 42 2592000 30

t_pretty() {
	ctl -p show
	want 0 "[
    {
        \"id\": \"ctl-hex\",
        \"key_version\": 3,
        \"sqn\": 42,
        \"max_age\": 2592000,
        \"pending_timeout\": 30,
        \"age\": $(age),
        \"key_serial\": $(serial ctl-hex)
    }
]" ""
}
check "-p show: exact pretty JSON" t_pretty

t_add_raw() {
	ctl add ctl-raw --k-file "$tmp/k2" --opc-file "$tmp/o2" && want 0 "" "" &&
	json1 ctl-raw 1 0 0 "$pto"
}
check "add from raw 16-octet files, with the defaults" t_add_raw

t_add_in1() {
	echo "$K3" | ctl add ctl-in1 --k-file - --opc-file "$tmp/o3" &&
	want 0 "" "" && json1 ctl-in1 1 0 0 "$pto"
}
check "add with K on stdin (-), OPc upper-case hex with blanks" t_add_in1

t_add_in2() {
	ctl add ctl-in2 --k-file - --opc-file - --sqn 0xffffffffffff \
		--key-version 4294967294 --max-age 4294967295 \
		--pending-timeout 86400 <"$tmp/k4o4" && want 0 "" "" &&
	json1 ctl-in2 4294967294 281474976710655 4294967295 86400
}
check "add with K and OPc on stdin, largest values" t_add_in2

t_add_64() {
	id=$(printf 'ctl-%060d' 0)
	ctl add "$id" --k-file "$tmp/k1" --opc-file "$tmp/o1" && want 0 "" "" &&
	json1 "$id" 1 0 0 "$pto" && ctl del "$id" && want 0 "" ""
}
check "a 64-character id is accepted" t_add_64

t_sorted() { [ "$(ids)" = "ID ctl-hex ctl-in1 ctl-in2 ctl-raw " ]; }
check "show lists every credential, sorted by id" t_sorted

t_set_age() {
	ctl set ctl-in1 --max-age 0x100000 && want 0 "" "" &&
	json1 ctl-in1 1 0 1048576 "$pto"
}
check "set --max-age, then show" t_set_age

t_set_pto() {
	ctl set ctl-in1 --pending-timeout 77 && want 0 "" "" &&
	json1 ctl-in1 1 0 1048576 77
}
check "set --pending-timeout, then show" t_set_pto

t_del() {
	ctl del ctl-raw && want 0 "" "" && [ "$(ids)" = "ID ctl-hex ctl-in1 ctl-in2 " ]
}
check "del" t_del

t_dup() {
	ctl add ctl-hex --k-file "$tmp/k2" --opc-file "$tmp/o2" --key-version 9
	want 1 "" "subcredctl: add ctl-hex: File exists (kernel: attribute SUBCRED_A_ID: a credential with this id exists)" &&
	json1 ctl-hex 3 42 2592000 30
}
check "duplicate add: File exists with the kernel's message, exit 1, unchanged" t_dup

t_enoent() {
	ctl "$@"
	want 1 "" "subcredctl: $1 ctl-none: No such file or directory (kernel: attribute SUBCRED_A_ID: no credential with this id)"
}
check "show of an unknown id: exit 1, kernel message" t_enoent show ctl-none
check "del of an unknown id: exit 1, kernel message" t_enoent del ctl-none
check "set of an unknown id: exit 1, kernel message" t_enoent set ctl-none --max-age 1

check "usage: add without --k-file exits 2" usage \
	"subcredctl: add: --k-file and --opc-file are required" \
	add ctl-u --opc-file "$tmp/o1"
check "usage: id with bad characters exits 2" usage \
	"subcredctl: add: invalid ID 'ctl u!': must be 1..64 characters of [A-Za-z0-9._-]" \
	add 'ctl u!' --k-file "$tmp/k1" --opc-file "$tmp/o1"
check "usage: 65-character id exits 2" usage \
	"subcredctl: del: invalid ID '$long': must be 1..64 characters of [A-Za-z0-9._-]" \
	del "$long"
check "usage: --sqn 2^48 exits 2" usage \
	"subcredctl: add: invalid --sqn '281474976710656': must be in 0..281474976710655" \
	add ctl-u --k-file "$tmp/k1" --opc-file "$tmp/o1" --sqn 281474976710656
check "usage: --pending-timeout 0 exits 2" usage \
	"subcredctl: set: invalid --pending-timeout '0': must be in 1..86400" \
	set ctl-hex --pending-timeout 0
check "usage: set with nothing to set exits 2" usage \
	"subcredctl: set: nothing to set: give --max-age and/or --pending-timeout" \
	set ctl-hex
check "usage: unknown command exits 2" usage \
	"subcredctl: unknown command 'frob'" frob
check "usage: unknown option exits 2" usage \
	"subcredctl: unknown option '--frob'" --frob show
check "usage: unknown option of a command exits 2" usage \
	"subcredctl: show: unknown option '--frob'" show --frob

t_kernel() {
	line=$1
	shift
	ctl --no-validate "$@"
	want 1 "" "$line"
}
check "--no-validate: the kernel rejects an id with bad characters" t_kernel \
	"subcredctl: add ctl u!: Invalid argument (kernel: attribute SUBCRED_A_ID: id may contain only A-Z a-z 0-9 . _ -)" \
	add 'ctl u!' --k-file "$tmp/k1" --opc-file "$tmp/o1"
check "--no-validate: the kernel rejects a 65-character id" t_kernel \
	"subcredctl: show $long: Invalid argument (kernel: attribute SUBCRED_A_ID: id is longer than 64 characters)" \
	show "$long"
check "--no-validate: the kernel rejects --sqn 2^48" t_kernel \
	"subcredctl: add ctl-u: Numerical result out of range (kernel: attribute SUBCRED_A_SQN: integer out of range)" \
	add ctl-u --k-file "$tmp/k1" --opc-file "$tmp/o1" --sqn 0x1000000000000
check "--no-validate: the kernel rejects --pending-timeout 0" t_kernel \
	"subcredctl: set ctl-hex: Numerical result out of range (kernel: attribute SUBCRED_A_PENDING_TIMEOUT: integer out of range)" \
	set ctl-hex --pending-timeout 0
check "--no-validate: the kernel rejects a set with nothing to set" t_kernel \
	"subcredctl: set ctl-hex: Invalid argument (kernel: nothing to set: give max-age or pending-timeout)" \
	set ctl-hex

t_badfile() {
	line=$1
	shift
	printf '%b' "$1" >"$tmp/bad"
	shift
	ctl add ctl-bad "$@"
	want 1 "" "$line"
}
check "K of 31 hex digits: exit 1, clear message" t_badfile \
	"subcredctl: K ($tmp/bad): expected 32 hex digits or exactly 16 raw octets, got 31" \
	'465b5ce8b199b49faa5f0a2ee238a6b\n' --k-file "$tmp/bad" --opc-file "$tmp/o1"
check "OPc with a non-hex digit: exit 1, clear message" t_badfile \
	"subcredctl: OPc ($tmp/bad): invalid character at offset 3, expected hex digits" \
	'cd6xcb71954a9f4e48a5994e37a02baf\n' --k-file "$tmp/k1" --opc-file "$tmp/bad"
check "empty K file: exit 1, clear message" t_badfile \
	"subcredctl: K ($tmp/bad): expected 32 hex digits or exactly 16 raw octets, got 0" \
	'' --k-file "$tmp/bad" --opc-file "$tmp/o1"
check "missing OPc file: exit 1, clear message" t_badfile \
	"subcredctl: $tmp/missing: No such file or directory" \
	'' --k-file "$tmp/k1" --opc-file "$tmp/missing"
t_nothing() { [ "$(ids)" = "ID ctl-hex ctl-in1 ctl-in2 " ]; }
check "the rejected requests provisioned nothing" t_nothing

t_mon_start() {
	"$ctl" monitor >"$tmp/mon" 2>&1 &
	mon=$!
	"$ctl" monitor -j >"$tmp/monj" 2>&1 &
	monj=$!
	waiting $mon $NR_RECVMSG && waiting $monj $NR_RECVMSG
}
check "monitor and monitor -j wait for events" t_mon_start

t_mon_events() {
	ctl add ctl-mon --k-file "$tmp/k1" --opc-file "$tmp/o1" --key-version 7 &&
	want 0 "" "" && ctl set ctl-mon --max-age 86400 && want 0 "" "" &&
	ctl del ctl-mon && want 0 "" "" && lines "$tmp/mon" 3 && lines "$tmp/monj" 3
}
check "add, set, del with the monitors running" t_mon_events

t_mon_stop() {
	kill "$1" && wait "$1"
	st=$?
	eval "$2="
	[ $st -eq 0 ] || { echo "exit status $st after SIGTERM, want 0"; return 1; }
	same "$3" "$4"
}
check "monitor: exact new/set/del lines, exit 0 on SIGTERM" t_mon_stop "$mon" mon "$tmp/mon" \
"new ctl-mon version 7
set ctl-mon version 7
del ctl-mon version 7"
check "monitor -j: exact JSON lines, exit 0 on SIGTERM" t_mon_stop "$monj" monj "$tmp/monj" \
'{"event":"new","id":"ctl-mon","key_version":7}
{"event":"set","id":"ctl-mon","key_version":7}
{"event":"del","id":"ctl-mon","key_version":7}'

t_fifo() {
	mkfifo "$tmp/fifo" || return 1
	exec 3<>"$tmp/fifo"
	"$ctl" add ctl-fifo --k-file - --opc-file "$tmp/o1" <"$tmp/fifo" \
		>"$tmp/fo" 2>&1 3>&- &
	pid=$!
	waiting $pid $NR_READ
	st=$?
	ps -ef >"$tmp/ps"
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	cmd=${cmd% }
	echo "$K5" >&3
	exec 3>&-
	wait $pid || { echo "add exited $?"; st=1; }
	same "$tmp/fo" "" || st=1
	[ "$cmd" = "$ctl add ctl-fifo --k-file - --opc-file $tmp/o1" ] ||
		{ echo "cmdline: $cmd"; st=1; }
	grep -F "$cmd" "$tmp/ps" || { echo "not in ps -ef"; st=1; }
	! grep -qiF "$K5" "$tmp/ps" || { echo "K in ps -ef"; st=1; }
	[ $st -eq 0 ] && json1 ctl-fifo 1 0 0 "$pto"
}
check "add --k-file - from a fifo: ps and cmdline show no secret while it waits" t_fifo

t_unpriv_show() {
	unpriv show
	want 1 "" "subcredctl: show: Operation not permitted (needs CAP_NET_ADMIN)"
}
check "unprivileged show: exit 1, needs CAP_NET_ADMIN" t_unpriv_show

t_unpriv_add() {
	unpriv add ctl-nobody --k-file - --opc-file - <"$tmp/k4o4"
	want 1 "" "subcredctl: add ctl-nobody: Operation not permitted (needs CAP_NET_ADMIN)" &&
	ctl show ctl-nobody &&
	want 1 "" "subcredctl: show ctl-nobody: No such file or directory (kernel: attribute SUBCRED_A_ID: no credential with this id)"
}
check "unprivileged add: exit 1, needs CAP_NET_ADMIN, nothing added" t_unpriv_add

t_unpriv_del() {
	unpriv del ctl-hex
	want 1 "" "subcredctl: del ctl-hex: Operation not permitted (needs CAP_NET_ADMIN)" &&
	json1 ctl-hex 3 42 2592000 30
}
check "unprivileged del: exit 1, needs CAP_NET_ADMIN, nothing deleted" t_unpriv_del

t_unpriv_monitor() {
	unpriv monitor
	want 1 "" "subcredctl: monitor: join group events: Operation not permitted (needs CAP_NET_ADMIN)"
}
check "unprivileged monitor: exit 1, needs CAP_NET_ADMIN" t_unpriv_monitor

t_secrets() {
	dmesg >"$tmp/dmesg"
	# shellcheck disable=SC2086 # one secret a word
	printf '%s\n' $SECRETS >"$tmp/secrets"
	st=0
	for f in "$tmp/all" "$tmp/mon" "$tmp/monj" "$tmp/ps" "$tmp/dmesg" /proc/keys; do
		if grep -qiF -f "$tmp/secrets" "$f"; then
			echo "a secret is in $f"
			st=1
		fi
	done
	[ "$(wc -l <"$tmp/secrets")" -eq 11 ] && [ -s "$tmp/all" ] &&
	[ -s "$tmp/ps" ] && [ $st -eq 0 ]
}
check "no K or OPc in any output, ps, /proc/keys or the kernel log" t_secrets

t_cleanup() {
	for id in ctl-fifo ctl-hex ctl-in1 ctl-in2; do
		ctl del $id && want 0 "" "" || return 1
	done
	ctl show -j && want 0 "[]" ""
}
check "del of the rest leaves the store empty" t_cleanup

t_gone() {
	i=0
	while grep -q ' subcred ' /proc/keys && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! grep ' subcred ' /proc/keys
}
check "no subcred key is left in /proc/keys" t_gone

[ $n -eq $PLAN ] || { echo "# planned $PLAN tests, ran $n"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || exit 1
