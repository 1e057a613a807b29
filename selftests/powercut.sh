#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# powercut.sh - power cuts in the middle of an update, on the host: boots
# one kernel in QEMU again and again with the same ext4 disk (run.sh
# --disk; the agent's blobs, subcred-hn's database and the master key live
# on it), each boot running selftests/powercut-guest.sh. The agent cuts
# the power (sysrq 'b': an immediate reset, nothing synced) at each of its
# five --crash-at points, for the blob of the NOTICE (PENDING) and for the
# blob of the CONFIRM (COMMITTING): ten cuts, and the boot after a cut
# arms the next one, eleven boots in all. Per cut: the guest reset without
# an exit marker, the agent's log says it cut at that point of that blob,
# and in the next boot both sides converge on the version the protocol
# promises, AKA works and a new update commits. TAP.
#
# usage: powercut.sh [--kver 5.10|6.1|6.12] [--out DIR]
set -u

cd "$(dirname "$0")/.." || exit 1
kver=${SUBCRED_KVER:-6.12}
out=
while [ $# -gt 0 ]; do
	case "$1" in
	--kver)	kver=${2:?--kver 5.10|6.1|6.12}; shift 2 ;;
	--out)	out=${2:?--out DIR}; shift 2 ;;
	-h|--help) sed -n '4,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*)	echo "powercut.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || out=build/powercut-$kver

cuts=(notice:before-write notice:after-write notice:after-fsync
      notice:after-rename notice:after-persisted
      confirm:before-write confirm:after-write confirm:after-fsync
      confirm:after-rename confirm:after-persisted)
id=pc-001010000000001
boots=$((${#cuts[@]} + 1))
# guest checks: 3 in boot 1, 4 in each later boot and 1 more in the last;
# host checks: 2 per cut and 1 for the last boot's end.
plan=$((3 + 4 * ${#cuts[@]} + 1 + 2 * ${#cuts[@]} + 1))
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

# rest TEXT: the checks that cannot run any more fail.
rest() {
	while [ $n -lt $plan ]; do
		ok 1 "$1"
	done
}

echo "TAP version 13"
echo "1..$plan"

rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
disk=$out/disk.img
if ! truncate -s 64M "$disk" ||
   ! mke2fs -q -t ext4 -F -E lazy_itable_init=0,lazy_journal_init=0 "$disk"; then
	rest "powercut: cannot make the ext4 image $disk"
	exit 1
fi

t0=$(date +%s)
prev=-
for ((b = 1; b <= boots; b++)); do
	arm=-
	[ "$b" -lt "$boots" ] && arm=${cuts[b - 1]}
	mkdir -p "$out/boot-$b"
	: >"$out/boot-$b/results"
	opts=(--kver "$kver" --timeout 300 --disk "$disk" --out "$out"
	      --log "$out/boot-$b/console.log")
	[ "$arm" = - ] || opts+=(--expect-reset)
	t=$(date +%s)
	for try in 1 2; do
		selftests/qemu/run.sh "${opts[@]}" -- \
			selftests/powercut-guest.sh "$b" "$prev" "$arm" \
			>"$out/boot-$b/run.log" 2>&1
		rc=$?
		# A kernel that died before the guest's first check (seen: a
		# rare int3 oops in early boot of 6.12 under TCG, as in
		# check.sh) boots once more: the disk is as it was.
		[ "$rc" -ne 0 ] && [ "$try" = 1 ] &&
			[ ! -s "$out/boot-$b/results" ] &&
			grep -q SUBCRED-SPLAT "$out/boot-$b/run.log" || break
		echo "# boot $b: the kernel died before the first check (status $rc): booting again"
		grep SUBCRED-SPLAT "$out/boot-$b/run.log" | head -n 3 | sed 's/^/# /'
		mv "$out/boot-$b/console.log" "$out/boot-$b/console-failed-boot.log"
	done
	echo "# boot $b ($prev -> $arm): $(($(date +%s) - t)) s, run.sh status $rc"

	# The guest's own checks, numbered here; missing ones fail.
	want=4
	[ "$b" = 1 ] && want=3
	[ "$arm" = - ] && want=$((want + 1))
	got=0
	while IFS= read -r line; do
		case $line in
		"ok - "*)	[ $got -lt $want ] || continue
				got=$((got + 1)); ok 0 "${line#ok - }" ;;
		"not ok - "*)	[ $got -lt $want ] || continue
				got=$((got + 1)); ok 1 "${line#not ok - }" ;;
		*)		echo "$line" ;;
		esac
	done <"$out/boot-$b/results"
	while [ $got -lt $want ]; do
		got=$((got + 1))
		ok 1 "boot $b: check $got of $want did not report"
	done

	if [ "$arm" = - ]; then
		[ "$rc" -eq 0 ]
		ok $? "boot $b: the guest ended normally, no kernel splat"
		[ "$rc" -eq 0 ] || grep -E 'SUBCRED-SPLAT|run.sh:' \
			"$out/boot-$b/run.log" | sed 's/^/# /'
		break
	fi

	blob=${arm%%:*}
	point=${arm#*:}
	[ "$rc" -eq 0 ]
	ok $? "cut $b ($point, $blob blob): the guest was reset (power cut), no exit marker, no kernel splat"
	[ "$rc" -eq 0 ] || grep -E 'SUBCRED-SPLAT|run.sh:' \
		"$out/boot-$b/run.log" | sed 's/^/# /'

	# The agent's last words name the point and the generation; the
	# network had or had not sent the CONFIRM since arming.
	a=$out/boot-$b/armed
	gen=$(tr ' ' '\n' 2>/dev/null <"$a" | sed -n 's/^gen=//p')
	hnl=$(tr ' ' '\n' 2>/dev/null <"$a" | sed -n 's/^hnlines=//p')
	confirms=$(tail -n +"$((${hnl:-0} + 1))" "$out/boot-$b/hn.log" 2>/dev/null |
		grep -c 'decision=confirm')
	last=$(tail -n 1 "$out/boot-$b/agent.log" 2>/dev/null)
	case $last in
	*"$id gen $gen: crash-at $point: simulating a power cut (sysrq reboot, no sync)") r=0 ;;
	*) r=1 ;;
	esac
	if [ "$blob" = notice ]; then
		[ "$r" = 0 ] && [ "$confirms" = 0 ]
	else
		[ "$r" = 0 ] && [ "$confirms" -ge 1 ]
	fi
	ok $? "cut $b: the agent cut the power at $point of gen ${gen:-?}, the $blob blob (CONFIRMs sent by the network since arming: $confirms)"
	[ "$r" = 0 ] || echo "# agent's last line: $last"

	if [ "$rc" -ne 0 ] || [ "$r" != 0 ]; then
		rest "boot $((b + 1)) and later: not run (the chain of cuts broke at boot $b)"
		break
	fi
	prev=$arm
done
echo "# powercut on $kver: $n checks, $(($(date +%s) - t0)) s"
[ "$fails" -eq 0 ] && [ "$n" -eq "$plan" ]
