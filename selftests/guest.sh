#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the QEMU guest (selftests/qemu/run.sh) from the top of the
# tree: loads subcred.ko for the running kernel, runs every selftest, and
# keeps each one's TAP output and exit status in $SUBCRED_OUT/<kernel>/.
set -u

kver=$(uname -r)
mod=build/$kver/subcred.ko
out=${SUBCRED_OUT:?run me through selftests/qemu/run.sh}/$kver
mkdir -p "$out"

# Kernel messages go to the ring buffer only; it is printed at the end.
dmesg -n 1

# run NAME COMMAND...: one test program, TAP to $out/NAME.tap.
run() {
	name=$1
	shift
	echo "# guest: $name"
	"$@" >"$out/$name.tap" 2>&1
	echo $? >"$out/$name.rc"
	cat "$out/$name.tap"
}

# kmemleak (the debug kernel, make check-debug): only the tests' leaks count.
leak=
[ -e /sys/kernel/debug/kmemleak ] && leak=selftests/kmemleak.sh
[ -n "$leak" ] && $leak clear
# The debug kernel runs each update ten times slower: its bulk update in
# faults.sh is 200 credentials, not 1,000, to stay within that test's limits.
[ -n "$leak" ] && export FAULTS_BULK=${FAULTS_BULK:-200}

if ! insmod "$mod"; then
	echo "not ok 1 insmod $mod" >"$out/insmod.tap"
	echo 1 >"$out/insmod.rc"
	cat "$out/insmod.tap"
	exit 1
fi

run store selftests/subcred_test
run update selftests/update_test
run mutate selftests/mutate_test
[ -x selftests/subcredctl.sh ] && run subcredctl selftests/subcredctl.sh
[ -x selftests/ynl.sh ] && run ynl selftests/ynl.sh
run agent selftests/agent.sh "$mod"
run e2e selftests/e2e.sh
run faults selftests/faults.sh
run restart selftests/restart.sh "$mod"
run secrets selftests/secrets.sh
run nlfuzz selftests/nlfuzz
# Fault injection (the debug kernel): every allocation of every command.
[ -w /proc/self/fail-nth ] && [ -d /sys/kernel/debug/failslab ] &&
	run failslab selftests/failslab "$mod"
run module selftests/module.sh "$mod"
run modprobe selftests/modprobe.sh "$mod"
[ -n "$leak" ] && run kmemleak-loaded $leak "with subcred loaded"
rmmod subcred
[ -n "$leak" ] && run kmemleak $leak "after rmmod subcred"

echo "# guest: kernel log"
dmesg | tee "$out/dmesg"
