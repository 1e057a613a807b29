#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: every guest test (selftests/guest.sh) on a debug
# kernel, Debian's linux-source-6.12 built with KASAN, kmemleak, lockdep,
# UBSAN and fault injection (selftests/qemu/debug-kernel.sh, cached in
# /var/cache/subcred/debug-*/). After the tests and after rmmod, kmemleak
# scans (selftests/kmemleak.sh); any unreferenced object and any KASAN,
# UBSAN, lockdep, WARN or BUG report fails the run. Ends, like make check,
# with "N passed, N failed"; results in build/check-debug/.
#
# The first run builds the kernel: 15 minutes on 2 idle cores, more under
# load. The guest run is several times slower than on Debian's kernels.
set -u

cd "$(dirname "$0")/.." || exit 1

selftests/qemu/deps.sh || exit 1
# The kernel build shows its progress here; if it fails, the module build
# step of check.sh fails too (with the end of the log) and counts.
selftests/qemu/debug-kernel.sh >/dev/null
exec selftests/check.sh debug
