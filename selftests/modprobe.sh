#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest (selftests/guest.sh), from the top of the tree, with
# subcred.ko ($1) loaded by insmod: subcred installed as `make install`
# does it and loaded by modprobe.
#
# /lib/modules/<kver> becomes, for the time of the test, a tmpfs tree with
# subcred.ko in updates/, the kernel's modules.order, modules.builtin and
# modules.builtin.modinfo, and `depmod -a` run on it; /etc/modprobe.d gets
# an options file
# made from the shipped example (userspace/subcred.modprobe.conf). Checks:
# the family alias autoloads the module on the first netlink use, options
# from /etc/modprobe.d reach /sys/module/subcred/parameters and take
# effect, bad options make the load fail, modinfo describes each
# parameter, and `modprobe -r` with credentials present deletes them (as
# the example file says). Everything is undone at the end, and $1 is
# loaded again with insmod.
set -u

mod=$1
ctl=userspace/subcredctl
example=userspace/subcred.modprobe.conf
kver=$(uname -r)
lm=/lib/modules/$kver
tmp=$(mktemp -d)
. selftests/tap.sh
TAP_NAME=modprobe
TAP_WHY=$tmp/out
mounted=

cleanup() {
	grep -q '^subcred ' /proc/modules && rmmod subcred
	for m in $mounted; do umount "$m"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

not() { ! "$@"; }
loaded() { grep -q '^subcred ' /proc/modules; }
param() { [ "$(cat "/sys/module/subcred/parameters/$1")" = "$2" ]; }
# options LINE: /etc/modprobe.d/subcred.conf is LINE
options() { echo "$1" >"$tmp/modprobe.d/subcred.conf"; }

[ -x "$ctl" ] || { echo "$0: build $ctl first" >&2; exit 1; }
[ -r "$example" ] || { echo "$0: $example missing" >&2; exit 1; }

echo "TAP version 13"
echo "1..42"

echo 465b5ce8b199b49faa5f0a2ee238a6bc >"$tmp/k"
echo cd63cb71954a9f4e48a5994e37a02baf >"$tmp/opc"
add() { $ctl add "$1" --k-file "$tmp/k" --opc-file "$tmp/opc"; }

# ---- the module tree of `make install` ----
check "rmmod the module that guest.sh loaded" rmmod subcred
mkdir "$tmp/orig" "$tmp/tree" "$tmp/modprobe.d"
mount --bind "$lm" "$tmp/orig" && mounted="$tmp/orig $mounted"
# Not the kernel's own modules: depmod would read all of them (5 minutes
# under TCG). subcred.ko needs none of them (tested below), and the crypto
# drivers it asks for at load are loaded already, by the insmod of guest.sh.
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -e "$tmp/orig/$f" ] && ln -s "$tmp/orig/$f" "$tmp/tree/"
done
mkdir "$tmp/tree/updates"
cp "$mod" "$tmp/tree/updates/subcred.ko"
mount --bind "$tmp/tree" "$lm" && mounted="$lm $mounted"
cp -a /etc/modprobe.d/. "$tmp/modprobe.d/"
rm -f "$tmp/modprobe.d/subcred.conf"
mount --bind "$tmp/modprobe.d" /etc/modprobe.d &&
	mounted="/etc/modprobe.d $mounted"
t0=$(date +%s)
check "subcred.ko depends on no other module" sh -c \
	"[ -z \"\$(modinfo -F depends $mod)\" ]"
check "depmod -a with updates/subcred.ko" depmod -a "$kver"
echo "# depmod -a: $(($(date +%s) - t0)) s"
check "modules.dep lists updates/subcred.ko" grep -qE '^updates/subcred\.ko:' "$lm/modules.dep"
check "modules.alias has the family alias" \
	grep -qx 'alias net-pf-16-proto-16-family-subcred subcred' "$lm/modules.alias"
check "modinfo finds updates/subcred.ko" sh -c \
	"[ \"\$(modinfo -n subcred)\" = '$lm/updates/subcred.ko' ]"

# ---- modinfo: every parameter described, the example gives the defaults ----
modinfo -F parm subcred >"$tmp/parm" 2>&1
check "modinfo: three parameters" sh -c "[ \$(wc -l <$tmp/parm) -eq 3 ]"
for p in master_key pending_timeout max_credentials; do
	check "modinfo describes $p, with its default" \
		grep -qE "^$p:.*\(default [^)]+\)( \([a-z]+\))?\$" "$tmp/parm"
done
line=$(grep '^options subcred ' "$example")
check "the example sets the three parameters" sh -c \
	"[ \$(echo '$line' | wc -w) -eq 5 ]"
for kv in ${line#options subcred }; do
	check "the example's ${kv%%=*} is the default modinfo states" \
		grep -qE "^${kv%%=*}:.*\(default ${kv#*=}\)" "$tmp/parm"
done

# ---- autoload with the shipped example as is ----
cp "$example" "$tmp/modprobe.d/subcred.conf"
check "not loaded before the first netlink use" not loaded
check "subcredctl show loads it (genl family alias), empty store" sh -c \
	"[ \"\$($ctl show -j)\" = '[]' ]"
check "it is live" sh -c \
	'[ "$(cat /sys/module/subcred/initstate)" = live ]'
check "the example's values are in effect" sh -c \
	"$(for kv in ${line#options subcred }; do
		printf '[ "$(cat /sys/module/subcred/parameters/%s)" = "%s" ] && ' \
			"${kv%%=*}" "${kv#*=}"; done) true"
check "modprobe -r, no credential" modprobe -r subcred

# ---- options of our own ----
options "options subcred max_credentials=2 pending_timeout=4242 master_key=user:subcred-test"
check "first use loads it with /etc/modprobe.d/subcred.conf" sh -c \
	"$ctl show >/dev/null && grep -q '^subcred ' /proc/modules"
check "max_credentials=2 in /sys" param max_credentials 2
check "pending_timeout=4242 in /sys" param pending_timeout 4242
check "master_key=user:subcred-test in /sys" param master_key user:subcred-test
check "a new credential gets pending_timeout 4242" sh -c \
	"$ctl add imsi-mp-1 --k-file $tmp/k --opc-file $tmp/opc &&
	 $ctl show -j imsi-mp-1 | grep -q '\"pending_timeout\":4242[,}]'"
check "a second credential fits" add imsi-mp-2
check "the third is refused (max_credentials=2)" sh -c \
	"if $ctl add imsi-mp-3 --k-file $tmp/k --opc-file $tmp/opc \
		>$tmp/add3 2>&1; then exit 1; fi
	 cat $tmp/add3; grep -q max_credentials $tmp/add3"

# ---- modprobe -r with credentials present ----
check "modprobe -r with two credentials present" modprobe -r subcred
check "the module is gone" not test -e /sys/module/subcred
check "no subcred key is left in /proc/keys" not grep -q ' subcred ' /proc/keys
check "modprobe subcred: loaded again, the credentials are gone" sh -c \
	"modprobe subcred && [ \"\$($ctl show -j)\" = '[]' ]"
check "modprobe -r again" modprobe -r subcred

# ---- the master key: each kind seals and opens, or its fault is named ----
# aka_tool reseal: CRED_EXPORT seals under the master key, CRED_IMPORT of
# that blob after a delete opens it.  The keys are in the user keyring,
# which request_key() searches for processes without a session keyring.
tool=selftests/aka_tool
options "options subcred master_key=user:subcred-test"
check "master_key=user:subcred-test: credential added" add imsi-mk
check "no such key: the export fails and names the parameter" sh -c \
	"! $tool reseal imsi-mk 2>$tmp/mk && cat $tmp/mk &&
	 grep -q 'master key (module parameter master_key) not in the caller' $tmp/mk"
head -c 16 /dev/urandom >"$tmp/mk16"
head -c 32 /dev/urandom >"$tmp/mk32"
check "a 16-octet user key is refused as too short" sh -c \
	"keyctl padd user subcred-test @u <$tmp/mk16 >/dev/null &&
	 ! $tool reseal imsi-mk 2>$tmp/mk && cat $tmp/mk &&
	 grep -q 'master key must hold at least 32 octets' $tmp/mk"
check "a 32-octet user key seals, and the blob opens again" sh -c \
	"keyctl padd user subcred-test @u <$tmp/mk32 >/dev/null &&
	 $tool reseal imsi-mk && $ctl show imsi-mk >/dev/null"
keyctl purge user subcred-test >/dev/null 2>&1
check "modprobe -r" modprobe -r subcred
# An encrypted key where the kernel has the type (CONFIG_ENCRYPTED_KEYS:
# Debian's 6.1 and 6.12), a clear refusal where it has not (5.10).
options "options subcred master_key=encrypted:subcred-enc"
if keyctl padd user subcred-kmk @u <"$tmp/mk32" >/dev/null &&
	keyctl add encrypted subcred-enc "new user:subcred-kmk 32" @u \
		>"$tmp/enc" 2>&1; then
	check "master_key=encrypted:subcred-enc seals, and the blob opens again" \
		sh -c "$ctl add imsi-mk --k-file $tmp/k --opc-file $tmp/opc &&
		       $tool reseal imsi-mk && $ctl show imsi-mk >/dev/null"
else
	echo "# no encrypted key type: $(cat "$tmp/enc")"
	check "master_key=encrypted: on a kernel without encrypted keys is refused, and says why" \
		sh -c "$ctl add imsi-mk --k-file $tmp/k --opc-file $tmp/opc &&
		       ! $tool reseal imsi-mk 2>$tmp/mk && cat $tmp/mk &&
		       grep -q 'this kernel has no encrypted keys' $tmp/mk &&
		       $ctl show imsi-mk >/dev/null"
fi
keyctl purge encrypted subcred-enc >/dev/null 2>&1
keyctl purge user subcred-kmk >/dev/null 2>&1
check "modprobe -r" modprobe -r subcred

# ---- bad options: the load fails, nothing is left ----
for bad in pending_timeout=0 pending_timeout=86401 max_credentials=many; do
	options "options subcred $bad"
	check "modprobe refuses $bad" sh -c \
		"! modprobe subcred && ! grep -q '^subcred ' /proc/modules"
done

rm -f "$tmp/modprobe.d/subcred.conf"
for m in $mounted; do umount "$m"; done
mounted=
check "insmod $mod again" insmod "$mod"

[ "$fails" -eq 0 ]
