#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test: `make -C userspace install` with PREFIX=/usr into a DESTDIR
# puts the programs, man pages, systemd unit and example files where the
# README says, the unit starts the installed agent, and the installed
# programs run. The module's own `make install` (modules_install, depmod)
# is tested in the guest (selftests/modprobe.sh). TAP on stdout.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/selftests/tap.sh"
TAP_NAME=install
TAP_WHY=$tmp/log

files="usr/sbin/subcredctl usr/sbin/subcred-agent
usr/share/man/man8/subcredctl.8 usr/share/man/man8/subcred-agent.8
usr/lib/systemd/system/subcred-agent.service
usr/share/doc/subcred/agent.conf.example
usr/share/doc/subcred/subcred.modprobe.conf"

echo "TAP version 13"
echo "1..$((7 + $(echo "$files" | wc -w)))"
make -s -C "$top/userspace" install PREFIX=/usr DESTDIR="$tmp/root" \
	>"$tmp/log" 2>&1
ok $? "make -C userspace install PREFIX=/usr DESTDIR=..."
for f in $files; do
	test -f "$tmp/root/$f"
	ok $? "$f"
done
unit=$tmp/root/usr/lib/systemd/system/subcred-agent.service
grep -qx 'ExecStart=/usr/sbin/subcred-agent' "$unit" 2>"$tmp/log" ||
	grep ExecStart "$unit" >"$tmp/log" 2>&1
ok $? "the unit starts /usr/sbin/subcred-agent"
perm=$(stat -c %a "$unit" 2>"$tmp/log")
[ "$perm" = 644 ] || echo "mode $perm" >>"$tmp/log"
ok $? "the unit is mode 0644"
"$tmp/root/usr/sbin/subcredctl" --help >"$tmp/out" 2>"$tmp/log" &&
	grep -q subcredctl "$tmp/out"
ok $? "installed subcredctl --help"
"$tmp/root/usr/sbin/subcred-agent" --help >"$tmp/out" 2>"$tmp/log" &&
	grep -q subcred-agent "$tmp/out"
ok $? "installed subcred-agent --help"

# The in-tree patch for a vendor's kernel: without a tree, say what to give.
make -s -C "$top" intree-patch >"$tmp/log" 2>&1
[ $? -ne 0 ] && grep -q 'give KSRC=/path/to/linux' "$tmp/log"
ok $? "make intree-patch without KSRC= fails and asks for it"
rm -f "$top/build/subcred-intree.patch"
make -s -C "$top" intree-patch KSRC="$tmp/nowhere" >"$tmp/log" 2>&1
[ $? -ne 0 ] && grep -q "no kernel tree at '$tmp/nowhere'" "$tmp/log" &&
	[ ! -e "$top/build/subcred-intree.patch" ] &&
	[ ! -e "$top/build/subcred-intree.patch.tmp" ]
ok $? "make intree-patch KSRC=<not a kernel tree> fails, says so, writes no patch"
[ "$fails" -eq 0 ]
