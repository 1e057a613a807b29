#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test of the project. Installs what it needs, builds,
# runs the host tests, then boots Debian's 6.1 and 6.12 kernels in QEMU and
# runs the guest tests (selftests/guest.sh) in each. Every TAP line counts;
# a test program that fails without saying which test, a guest that does
# not finish, and any kernel splat count as failures too. Ends with the line
# "N passed, N failed". Results stay in build/check/.
#
# With arguments, only the guests of those kernels (6.1, 6.12, debug) run,
# after the builds they need, and no host test: `make check-debug` is
# "check.sh debug" (selftests/check-debug.sh), with results in
# build/check-debug/.
set -u

cd "$(dirname "$0")/.."
out=build/check
[ $# -eq 0 ] || out=build/check-$(echo "$*" | tr ' ' -)
rm -rf "$out"
mkdir -p "$out"

pass=0
fail=0
skip=0

# count NAME TAPFILE STATUS: add a program's TAP results to the totals.
count() {
	p=$(grep -cE '^ok [0-9]+' "$2" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$2" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$2" | tr -d ' ')
	pass=$((pass + p - s))
	skip=$((skip + s))
	fail=$((fail + f))
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1 exited $3 without a failed test"
		fail=$((fail + 1))
	fi
}

# host NAME COMMAND...: a test program that runs on this machine.
host() {
	name=$1
	shift
	echo "# host: $name"
	"$@" >"$out/$name.tap" 2>&1
	rc=$?
	cat "$out/$name.tap"
	count "$name" "$out/$name.tap" "$rc"
}

# step NAME COMMAND...: a prerequisite step, one test of its own.
step() {
	name=$1
	shift
	if "$@" >"$out/$name.log" 2>&1; then
		echo "ok - $name"
		pass=$((pass + 1))
		return 0
	fi
	echo "not ok - $name"
	sed 's/^/# /' "$out/$name.log" | tail -n 40
	fail=$((fail + 1))
	return 1
}

summary() {
	echo "# results in $out/"
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ "$fail" -eq 0 ]
	exit
}

kernels=${*:-6.1 6.12}

step "install prerequisites" selftests/qemu/deps.sh || summary
for kver in $kernels; do
	step "build subcred.ko for $kver" make -s module KVER="$kver"
done
step "build userspace" make -s userspace
step "build selftests" make -s selftests
step "build userspace unit tests" make -s -C userspace/tests

step "extract ynl from linux-source-6.12" selftests/ynl-prepare.sh

if [ $# -eq 0 ]; then
	host wire userspace/tests/test_wire
	step "fuzz the wire codec (libFuzzer, ASan, UBSan: 1,000,000 inputs)" \
		make -s -C userspace/fuzz run RUNS=1000000
	host hn make -s -C userspace/hn check

	host style selftests/style.sh
	host dkms selftests/dkms.sh \
		"$(make -s --no-print-directory kabi KVER=6.1)" \
		"$(make -s --no-print-directory kabi KVER=6.12)"
fi

# guest KVER KABI: boot KVER and run selftests/guest.sh, then (not on the
# debug kernel: minutes per boot) the power cuts. Prints nothing; leaves
# the status in $out/rc-KABI, remarks in $out/notes-KABI, the power cuts'
# TAP in $out/powercut-KABI.tap.
guest() {
	# KASAN, kmemleak and lockdep: several times slower, more memory.
	opts="--timeout 2400"
	[ "$1" = debug ] && opts="--timeout 7200 --mem 2048"
	: >"$out/notes-$2"
	for try in 1 2; do
		# shellcheck disable=SC2086 # options, one per word
		selftests/qemu/run.sh --kver "$1" $opts \
			--out "$(pwd)/$out" --log "$out/console-$2.log" \
			-- selftests/guest.sh >"$out/run-$2.log" 2>&1
		rc=$?
		# A guest that died before its first test (seen: a rare
		# int3 oops in early boot of 6.12 under TCG) boots once more;
		# the first console log is kept and the retry is reported.
		[ "$rc" -ne 0 ] && [ "$try" = 1 ] &&
			! ls "$out/$2"/*.tap >/dev/null 2>&1 || break
		{
			echo "# Linux $2: the guest died before any test (status $rc): booting again"
			grep SUBCRED-SPLAT "$out/run-$2.log" | head -n 5 |
				sed 's/^/# /'
		} >>"$out/notes-$2"
		mv "$out/console-$2.log" "$out/console-$2-failed-boot.log"
	done
	echo "$rc" >"$out/rc-$2"
	# Power cuts mid-update: this kernel booted 11 times on one disk.
	[ "$1" = debug ] && return
	selftests/powercut.sh --kver "$1" --out "$(pwd)/$out/powercut-$2" \
		>"$out/powercut-$2.tap" 2>&1
	echo $? >"$out/powercut-$2.rc"
}

# The kernels boot side by side (a guest uses about one core under TCG),
# then their results are counted one after the other.
for kver in $kernels; do
	guest "$kver" "$(make -s --no-print-directory kabi KVER="$kver")" &
done
wait

for kver in $kernels; do
	kabi=$(make -s --no-print-directory kabi KVER="$kver")
	rc=$(cat "$out/rc-$kabi" 2>/dev/null || echo 1)
	echo "# guest: Linux $kabi"
	cat "$out/notes-$kabi" 2>/dev/null
	grep -h '' "$out/$kabi"/*.tap 2>/dev/null
	for tap in "$out/$kabi"/*.tap; do
		[ -e "$tap" ] || continue
		name=$(basename "$tap" .tap)
		count "$kabi/$name" "$tap" "$(cat "$out/$kabi/$name.rc")"
	done
	# Guest failures not seen as a test: no results, timeout, splat.
	if [ "$rc" -ne 0 ] && ! grep -qs '^not ok' "$out/$kabi"/*.tap; then
		echo "not ok - Linux $kabi: the guest run failed ($rc)"
		grep -E 'SUBCRED-SPLAT|run.sh:' "$out/run-$kabi.log" |
			sed 's/^/# /'
		fail=$((fail + 1))
	elif grep -q SUBCRED-SPLAT "$out/run-$kabi.log"; then
		echo "not ok - Linux $kabi: kernel splat"
		grep SUBCRED-SPLAT "$out/run-$kabi.log" | sed 's/^/# /'
		fail=$((fail + 1))
	else
		echo "ok - Linux $kabi: no kernel warning, bug or oops"
		pass=$((pass + 1))
	fi
	[ -e "$out/powercut-$kabi.tap" ] || continue
	echo "# host: powercut-$kabi"
	cat "$out/powercut-$kabi.tap"
	count "powercut-$kabi" "$out/powercut-$kabi.tap" \
		"$(cat "$out/powercut-$kabi.rc")"
done

summary
