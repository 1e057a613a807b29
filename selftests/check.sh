#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test of the project. Installs what it needs, builds,
# runs the host tests, then boots Debian's 6.1 and 6.12 kernels, Debian
# 11's 5.10 and Debian's arm64 6.12 in QEMU and runs the guest tests
# (selftests/guest.sh) in each.
# Every TAP line counts; a test program that fails without saying which
# test, a guest that does not finish, and any kernel splat count as
# failures too. Ends with the line "N passed, N failed". Results stay in
# build/check/.
#
# With arguments, only the guests of those kernels (5.10, 6.1, 6.12, debug) run,
# after the builds they need, and no host test: `make check-debug` is
# "check.sh debug" (selftests/check-debug.sh), with results in
# build/check-debug/.
#
# arm64 is Debian's arm64 6.12 kernel in qemu-system-aarch64, the module
# and the programs cross-built (make ARCH=arm64; no power cuts there). It
# is one of the default kernels; SUBCRED_ARM64=0 leaves it out.
# `make check ARCH=arm64` is "check.sh arm64".
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
		if [ "$3" -eq 255 ]; then
			echo "not ok - $1 did not finish"
		else
			echo "not ok - $1 exited $3 without a failed test"
		fi
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

arm64=
[ "${SUBCRED_ARM64:-1}" = 1 ] && arm64=arm64
kernels=${*:-6.1 6.12 5.10 $arm64}
case " $kernels " in *" arm64 "*) arm64=arm64 ;; *) arm64= ;; esac

# kargs KERNEL: make's arguments for that kernel.
kargs() {
	case "$1" in
	arm64)	echo ARCH=arm64 ;;
	*)	echo "KVER=$1" ;;
	esac
}

# shellcheck disable=SC2086 # empty or arm64
step "install prerequisites" selftests/qemu/deps.sh $arm64 || summary
for kver in $kernels; do
	# shellcheck disable=SC2046 # one argument
	step "build subcred.ko for $kver" make -s module $(kargs "$kver")
done
[ -n "$arm64" ] && step "cross-build userspace and selftests for arm64" \
	make -s selftests ARCH=arm64
step "build userspace" make -s userspace
step "build selftests" make -s selftests
step "build userspace unit tests" make -s -C userspace/tests

step "extract ynl from linux-source-6.12" selftests/ynl-prepare.sh

if [ $# -eq 0 ]; then
	host wire userspace/tests/test_wire
	step "fuzz the wire codec (1,000,000 inputs) and the device state machine (150,000 sequences): libFuzzer, ASan, UBSan" \
		make -s -C userspace/fuzz run RUNS=1000000 UPDATE_RUNS=150000
	host hn make -s -C userspace/hn check

	host style selftests/style.sh
	host install selftests/install.sh
	host kernels selftests/kernels.sh
	host dkms selftests/dkms.sh \
		"$(make -s --no-print-directory kabi KVER=6.1)" \
		"$(make -s --no-print-directory kabi KVER=6.12)" \
		"$(make -s --no-print-directory kabi KVER=5.10):$(make -s --no-print-directory kdir KVER=5.10)"
fi

# guest KVER KABI: boot KVER and run selftests/guest.sh, then (not on the
# debug kernel: minutes per boot) the power cuts. Prints nothing; leaves
# the status in $out/rc-KABI, remarks in $out/notes-KABI, the power cuts'
# TAP in $out/powercut-KABI.tap.
guest() {
	# KASAN, kmemleak and lockdep: several times slower, more memory.
	opts="--timeout 2400 --kver $1"
	[ "$1" = debug ] && opts="--timeout 7200 --mem 2048 --kver debug"
	# arm64: in the tree of the cross-built programs (make ARCH=arm64).
	dir=.
	[ "$1" = arm64 ] && opts="--timeout 5400 --arch arm64 --kver 6.12" &&
		dir=build/arm64
	top=$(pwd)
	: >"$out/notes-$2"
	for try in 1 2; do
		# shellcheck disable=SC2086 # options, one per word
		(cd "$dir" && "$top/selftests/qemu/run.sh" $opts \
			--out "$top/$out" --log "$top/$out/console-$2.log" \
			-- selftests/guest.sh) >"$out/run-$2.log" 2>&1
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
	[ "$1" = debug ] || [ "$1" = arm64 ] && return
	selftests/powercut.sh --kver "$1" --out "$(pwd)/$out/powercut-$2" \
		>"$out/powercut-$2.tap" 2>&1
	echo $? >"$out/powercut-$2.rc"
}

# A guest uses about one core under TCG: the kernels boot in one lane per
# core (SUBCRED_LANES), one after the other in each lane, so that a guest
# is never slowed more than by the guests of the other lanes; then their
# results are counted one after the other.
lanes=${SUBCRED_LANES:-$(nproc)}
case "$lanes" in ''|*[!0-9]*|0) lanes=1 ;; esac
lane=0
while [ "$lane" -lt "$lanes" ]; do
	i=0
	for kver in $kernels; do
		if [ $((i % lanes)) -eq "$lane" ]; then
			# shellcheck disable=SC2046 # one argument
			guest "$kver" "$(make -s --no-print-directory kabi $(kargs "$kver"))"
		fi
		i=$((i + 1))
	done &
	lane=$((lane + 1))
done
wait

for kver in $kernels; do
	# shellcheck disable=SC2046 # one argument
	kabi=$(make -s --no-print-directory kabi $(kargs "$kver"))
	rc=$(cat "$out/rc-$kabi" 2>/dev/null || echo 1)
	echo "# guest: Linux $kabi"
	cat "$out/notes-$kabi" 2>/dev/null
	grep -h '' "$out/$kabi"/*.tap 2>/dev/null
	for tap in "$out/$kabi"/*.tap; do
		[ -e "$tap" ] || continue
		name=$(basename "$tap" .tap)
		# No status: the guest died or timed out during this test.
		count "$kabi/$name" "$tap" \
			"$(cat "$out/$kabi/$name.rc" 2>/dev/null || echo 255)"
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
