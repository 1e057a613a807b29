#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: installs what it needs (as make check), builds subcred.ko,
# subcred_bench.ko (bench/Kbuild, never linked into subcred.ko), userspace
# and bench/bench, boots Debian's kernel in QEMU (TCG) once and runs
# bench/guest.sh there. Results in build/bench/<kernel>/; the table is
# printed at the end. Under TCG absolute times mean little: the figures
# that matter are the ratios, each taken within the one boot.
#
# Environment: BENCH_KVER (6.12; 6.1 works too), BENCH_SEED (1),
# BENCH_UPDATES (1000), BENCH_CREDS (100000), BENCH_BULK (10000, the
# agent test), BENCH_AGENT_TIMEOUT (3000 s for the BULK updates),
# BENCH_ITER (1000, per floor case), BENCH_TIMEOUT (7200 s, the guest).
set -eu

cd "$(dirname "$0")/.."
kver=${BENCH_KVER:-6.12}
out=build/bench

selftests/qemu/deps.sh >/dev/null
nice -n 10 make -s module KVER="$kver"
nice -n 10 make -s userspace
nice -n 10 make -s -C selftests aka_tool
nice -n 10 make -s -C bench

# subcred_bench.ko, next to subcred.ko's build/<kernel>/ (see Makefile)
kabi=$(make -s --no-print-directory kabi KVER="$kver")
kdir=/lib/modules/$kabi/build
name=$(basename "$(realpath "$kdir")")
mb=build/bench-${name#linux-headers-}
rm -rf "$mb"
mkdir -p "$mb/bench"
cp -a kmod uapi "$mb/"
rm -f "$mb"/kmod/*.o
# bench/Kbuild, then the top Kbuild's flags and header probes
{ cat bench/Kbuild; grep -E '^(ccflags-y|subcred_probe)' Kbuild; } \
	>"$mb/Kbuild"
cp bench/subcred_bench.c "$mb/bench/"
nice -n 10 make -s -C "$kdir" M="$(pwd)/$mb" modules

rm -rf "$out"
mkdir -p "$out"
rc=0
# slab_nomerge: key_jar and the kmalloc caches each in /proc/slabinfo
# (the guest's environment is empty but for what env passes)
SUBCRED_APPEND="slab_nomerge ${SUBCRED_APPEND:-}" selftests/qemu/run.sh --kver "$kver" \
	--timeout "${BENCH_TIMEOUT:-7200}" --mem 3072 \
	--out "$(pwd)/$out" --log "$out/console.log" \
	-- env BENCH_SEED="${BENCH_SEED:-1}" \
	BENCH_UPDATES="${BENCH_UPDATES:-1000}" \
	BENCH_CREDS="${BENCH_CREDS:-100000}" BENCH_BULK="${BENCH_BULK:-10000}" \
	BENCH_ITER="${BENCH_ITER:-1000}" \
	BENCH_AGENT_TIMEOUT="${BENCH_AGENT_TIMEOUT:-3000}" bench/guest.sh \
	>"$out/run.log" 2>&1 || rc=$?

echo "# host: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# guest: Linux $kabi under QEMU TCG (-cpu max -smp 2 -m 3072)"
for f in floor.txt bench.tap agent.tap; do
	[ "$f" = agent.tap ] && [ "${BENCH_BULK:-10000}" -eq 0 ] && continue
	cat "$out/$kabi/$f" 2>/dev/null || echo "not ok - no $f (run.sh status $rc, see $out/run.log)"
done
grep -h 'SUBCRED-SPLAT' "$out/run.log" && rc=1
[ "$rc" -eq 0 ] && ! grep -qh '^not ok' "$out/$kabi"/*.tap
