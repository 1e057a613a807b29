#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make demo" (selftests/demo.sh): run as root in the QEMU
# guest from the top of the tree, it loads subcred.ko, provisions one
# credential from random K and OPc, and shows what can and cannot be seen of
# it. K and OPc are never printed.
set -eu

mod=build/$(uname -r)/subcred.ko
id=imsi-001010000000001
PATH=$PWD/userspace:$PATH

section() { printf '\n== %s ==\n' "$*"; }
say() { printf '%s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# waiting PID: until PID sleeps in recvmsg(2) (x86_64 system call 47), as a
# monitor does once it has joined its multicast group; 10 s at most.
waiting() {
	i=0
	while [ $i -lt 100 ]; do
		nr=
		read -r nr _ 2>/dev/null <"/proc/$1/syscall" || true
		[ "$nr" = 47 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

dmesg -n 1

section "loading the module"
run insmod "$mod"
say "subcred: $(modinfo -F description "$mod"); version" \
	"$(modinfo -F version "$mod" | grep . || echo '(none)');" \
	"built for $(modinfo -F vermagic "$mod" | cut -d' ' -f1)"

section "provisioning"
umask 077
dir=$(mktemp -d)
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/k"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/opc"
say "K and OPc: 16 random octets each, as hex in $dir (tmpfs, mode 0600)."
say "They go into the kernel once and are never printed nor read back."
run subcredctl add "$id" --k-file "$dir/k" --opc-file "$dir/opc" \
	--sqn 0x20 --max-age 2592000
run shred -u "$dir/k" "$dir/opc"

section "what userspace can see"
run subcredctl show
run subcredctl -p show "$id"
serial=$(subcredctl -j show "$id" | sed 's/.*"key_serial":\([0-9]*\).*/\1/')
hex=$(printf '%08x' "$serial")
say
say "The kernel key in /proc/keys (serial $serial = $hex): id and version only."
run grep "^$hex" /proc/keys

section "reading the key back"
if command -v keyctl >/dev/null; then
	printf '$ keyctl print %s\n' "$serial"
	if out=$(keyctl print "$serial" 2>&1); then
		say "UNEXPECTED: the key could be read (output withheld)"
		exit 1
	fi
	say "$out"
	say "Refused, even for root: the key grants no read permission, its type"
	say "has no read operation, and no process possesses the keyring it is in."
else
	say "keyctl (keyutils) is not installed on the host: step skipped."
fi

section "events"
say "subcredctl monitor prints one line per change:"
printf '$ subcredctl monitor &\n'
subcredctl monitor >"$dir/events" 2>&1 &
mon=$!
waiting $mon || say "(the monitor is slow to start; events may be missed)"
run subcredctl set "$id" --pending-timeout 300
run subcredctl del "$id"
i=0
while [ "$(wc -l <"$dir/events")" -lt 2 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill $mon
wait $mon || true
sed 's/^/monitor: /' "$dir/events"

section "the end"
run subcredctl show
run rmmod subcred
rm -rf "$dir"
say "Done: the store is empty and the module is unloaded."
