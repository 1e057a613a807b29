#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the QEMU guest (bench/run.sh, through selftests/qemu/run.sh)
# from the top of the tree. One boot, in this order, nothing else running:
#   1. subcred_bench.ko: the in-kernel crypto floor, each primitive alone;
#   2. subcred.ko: bench/bench (update with the floor interleaved through
#      subcred_bench.ko's floor file, userspace OpenSSL, netlink round
#      trip, 100,000 credentials); then subcred_bench.ko is unloaded;
#   3. bench/agent.sh: 10,000 credentials updated at once through the
#      agent (skipped with BENCH_BULK=0).
# Results in $SUBCRED_OUT/<kernel>/: floor.txt, bench.tap, agent.tap.
set -u

kver=$(uname -r)
out=${SUBCRED_OUT:?run me through bench/run.sh}/$kver
mkdir -p "$out"
seed=${BENCH_SEED:-1}
bulk=${BENCH_BULK:-10000}
dmesg -n 1
rc=0

echo "# guest: Linux $kver, $(nproc) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB, $(cat /proc/cmdline)"
echo "# guest: subcred_bench.ko (seed $seed, ${BENCH_ITER:-1000} iterations)"
insmod "build/bench-$kver/subcred_bench.ko" seed="$seed" \
	iterations="${BENCH_ITER:-1000}" warmup=100 || exit 1
cp /sys/kernel/debug/subcred_bench/results "$out/floor.txt"
cat "$out/floor.txt"

insmod "build/$kver/subcred.ko" || exit 1
# the seal key's master key, in the keyring bench/bench runs with
head -c 32 /dev/urandom | keyctl padd logon subcred:master @u >/dev/null

echo "# guest: bench/bench"
bench/bench --seed "$seed" --updates "${BENCH_UPDATES:-1000}" \
	--creds "${BENCH_CREDS:-100000}" --floor "$out/floor.txt" \
	--floor-live /sys/kernel/debug/subcred_bench/floor \
	>"$out/bench.tap" 2>&1 || rc=1
cat "$out/bench.tap"
rmmod subcred_bench || rc=1

if [ "$bulk" -gt 0 ]; then
	echo "# guest: bench/agent.sh"
	BENCH_SEED=$seed BENCH_BULK=$bulk bench/agent.sh >"$out/agent.tap" 2>&1 ||
		rc=1
	cat "$out/agent.tap"
fi

rmmod subcred || rc=1
dmesg >"$out/dmesg"
exit $rc
