#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-intree`: subcred built in a kernel tree, as a vendor would.
# scripts/intree.sh's patch is applied to a hard-link copy of Debian's
# linux-source-6.12 (the extracted tree of debug-kernel.sh, never written
# to), and two kernels are built with the debug kernel's configuration
# (tinyconfig plus selftests/qemu/debug.config: what subcred and the guest
# need, KASAN, lockdep, kmemleak), one with CONFIG_SUBCRED=y, one with =m.
# Both start from a copy of the debug kernel's object tree (kernel.sh
# debug, built the first time), so only subcred and the link are built.
# Both boot in QEMU (run.sh): =y must have run the self-tests and
# registered the family at boot, with parameters from the kernel command
# line; =m must be loaded by the first netlink use (selftests/intree-guest.sh).
#
# Cache (${SUBCRED_CACHE:-/var/cache/subcred}/intree-<hash>/, hash of the
# fragment, source version and gcc): src/ (the patched copy, made anew each
# run), obj-y/ and obj-m/ (O= trees, kept: later runs rebuild what changed),
# root-y/ and root-m/ (boot/, lib/modules/ as kernel.sh lays them out),
# build.log.
#
# TAP on stdout, the plan at the end.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${SUBCRED_CACHE:-/var/cache/subcred}
TARBALL=/usr/src/linux-source-6.12.tar.xz
FRAGMENT=$top/selftests/qemu/debug.config
JOBS=${SUBCRED_JOBS:-$(nproc)}
TIMEOUT=${SUBCRED_INTREE_TIMEOUT:-900}

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n intree: $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n intree: $*"; }
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit; }
bail() { notok "$*"; finish; }

echo "TAP version 13"

[ -r "$TARBALL" ] || bail "$TARBALL missing (selftests/qemu/deps.sh)"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12) ||
	bail "linux-source-6.12 is not installed"
cc=$(gcc --version | head -n1)
hash=$({ cat "$FRAGMENT"; echo "$version"; echo "$cc"; } | sha256sum | cut -c1-12)
pristine=$CACHE/linux-$version
dir=$CACHE/intree-$hash
src=$dir/src
log=$dir/build.log
mkdir -p "$dir"
: > "$log"

# A make above us must not pass its flags down to the kernel build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT ARCH \
	CROSS_COMPILE O M KDIR KVER

# The debug kernel: its object tree is our starting point, and building
# it extracts the source.
debug=$("$top/selftests/qemu/kernel.sh" debug 2>> "$log") ||
	bail "the debug kernel (selftests/qemu/kernel.sh debug) failed"
seed=$(printf '%s\n' "$debug" | sed -n 's/^KDIR=//p')
[ -f "$seed/.config" ] && [ -f "$pristine/.subcred-extracted" ] ||
	bail "no debug kernel object tree at '$seed'"

exec 9> "$dir/.lock"
flock 9

# ---- the patch, on a hard-link copy (patched files become real copies) ----
patchfile=$dir/subcred-intree.patch
"$top/scripts/intree.sh" patch "$pristine" > "$patchfile" 2>> "$log" ||
	bail "scripts/intree.sh patch failed (see $log)"
rm -rf "$src" "$src.tmp"
cp -al "$pristine" "$src.tmp" || bail "cannot copy $pristine"
for f in drivers/misc/Kconfig drivers/misc/Makefile; do
	cp --remove-destination "$pristine/$f" "$src.tmp/$f"
done
if (cd "$src.tmp" && patch -p1 --forward --quiet < "$patchfile") >> "$log" 2>&1; then
	ok "the patch applies to linux-source $version ($(grep -c '^+++ ' "$patchfile") files)"
else
	bail "the patch does not apply to linux-source $version (see $log)"
fi
mv "$src.tmp" "$src"
# What a vendor sends upstream or to a BSP: checkpatch-clean but for the
# Signed-off-by, which is theirs to add.
"$pristine/scripts/checkpatch.pl" --no-tree --strict "$patchfile" > "$dir/checkpatch.log" 2>&1
if grep -qx 'total: 1 errors, 0 warnings, 0 checks, [0-9]* lines checked' "$dir/checkpatch.log" &&
	[ "$(grep -c '^ERROR' "$dir/checkpatch.log")" = 1 ] &&
	grep -qx 'ERROR: Missing Signed-off-by: line(s)' "$dir/checkpatch.log"; then
	ok "checkpatch --strict: the patch is clean but for the Signed-off-by"
else
	notok "checkpatch --strict: the patch is clean but for the Signed-off-by"
	grep -A3 -E '^(ERROR|WARNING|CHECK)' "$dir/checkpatch.log" | sed 's/^/# /'
fi
if grep -q subcred "$pristine/drivers/misc/Kconfig" "$pristine/drivers/misc/Makefile" ||
	[ -e "$pristine/drivers/misc/subcred" ]; then
	notok "the extracted source is untouched"
else
	ok "the extracted source is untouched"
fi

# kmake OBJ ARGS...: the kernel make, at nice 10, to the log. The patched
# copy is bind-mounted over the extracted source in a mount namespace of
# its own, so that the build sees the source path the debug kernel was
# built from: the same compiler command lines, so only what the patch
# touched is rebuilt. Nobody else sees that mount.
kmake() {
	local obj=$1

	shift
	unshare -m --propagation private sh -c \
		'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$src" "$pristine" \
		nice -n 10 make -C "$pristine" O="$obj" -j"$JOBS" "$@" >> "$log" 2>&1
}

# build y|m: configure and build into obj-$1, install into root-$1.
build() {
	local v=$1 obj=$dir/obj-$1 root=$dir/root-$1 other line miss='' t0 kver

	other=$dir/obj-$([ "$v" = y ] && echo m || echo y)
	[ -f "$other/.config" ] || other=$seed
	if [ ! -d "$obj" ]; then
		# objtool's dependency files name their tree by its absolute path
		rm -rf "$obj.tmp"
		cp -a "$other" "$obj.tmp" && rm -rf "$obj.tmp/tools/objtool" &&
			mv "$obj.tmp" "$obj" || return 1
	fi
	kmake "$obj" tinyconfig || return 1
	{
		cat "$FRAGMENT"
		echo "CONFIG_LOCALVERSION=\"-subcred-intree-$v\""
		echo "CONFIG_SUBCRED=$v"
	} >> "$obj/.config"
	kmake "$obj" olddefconfig || return 1
	while IFS= read -r line; do
		case "$line" in
		CONFIG_LOCALVERSION=*) ;;
		CONFIG_*=*) grep -qxF -- "$line" "$obj/.config" || miss="$miss $line" ;;
		esac
	done < <(cat "$FRAGMENT"; echo "CONFIG_SUBCRED=$v")
	if [ -n "$miss" ]; then
		echo "not in .config after olddefconfig:$miss" | tee -a "$log" >&2
		return 1
	fi
	t0=$(date +%s)
	kmake "$obj" all || return 1
	secs=$(($(date +%s) - t0))
	kver=$(cat "$obj/include/config/kernel.release")
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp/boot"
	cp "$obj/arch/x86/boot/bzImage" "$root.tmp/boot/vmlinuz-$kver"
	cp "$obj/.config" "$root.tmp/boot/config-$kver"
	cp "$obj/System.map" "$root.tmp/boot/System.map-$kver"
	kmake "$obj" INSTALL_MOD_PATH="$root.tmp" modules_install || return 1
	depmod -b "$root.tmp" "$kver" || return 1
	rm -f "$root.tmp/lib/modules/$kver/build" "$root.tmp/lib/modules/$kver/source"
	ln -s "$obj" "$root.tmp/lib/modules/$kver/build"
	rm -rf "$root"
	mv "$root.tmp" "$root"
}

for v in y m; do
	if build "$v"; then
		ok "CONFIG_SUBCRED=$v kernel built (make all: $secs s wall)"
	else
		notok "CONFIG_SUBCRED=$v kernel built (see $log)"
		tail -n 20 "$log" | sed 's/^/# /'
		finish
	fi
done
echo "# build log: $log"

ky=$(ls "$dir/root-y/lib/modules")
km=$(ls "$dir/root-m/lib/modules")
ko=$dir/root-m/lib/modules/$km/kernel/drivers/misc/subcred/subcred.ko

# ---- what each build produced ----
if grep -q ' subcred_mod_init$' "$dir/root-y/boot/System.map-$ky" &&
	[ ! -e "$dir/obj-y/drivers/misc/subcred/subcred.ko" ]; then
	ok "=y: subcred is in vmlinux, no subcred.ko"
else
	notok "=y: subcred is in vmlinux, no subcred.ko"
fi
if grep -qx 'kernel/drivers/misc/subcred/subcred.ko' \
	"$dir/root-y/lib/modules/$ky/modules.builtin"; then
	ok "=y: modules.builtin lists subcred"
else
	notok "=y: modules.builtin lists subcred"
fi
if [ -f "$ko" ] && ! grep -q ' subcred_mod_init$' "$dir/root-m/boot/System.map-$km"; then
	ok "=m: subcred.ko installed under kernel/drivers/misc/subcred, not in vmlinux"
else
	notok "=m: subcred.ko installed under kernel/drivers/misc/subcred, not in vmlinux"
fi
mi=$(modinfo "$ko" 2>&1)
for want in 'intree:[[:space:]]+Y' \
	'alias:[[:space:]]+net-pf-16-proto-16-family-subcred' \
	'parm:[[:space:]]+max_credentials:Most credentials' \
	'parm:[[:space:]]+pending_timeout:Default seconds' \
	'parm:[[:space:]]+master_key:Key that seals'; do
	if printf '%s\n' "$mi" | grep -qE "^$want"; then
		ok "=m: modinfo has '$want'"
	else
		notok "=m: modinfo has '$want'"
	fi
done
if grep -qE '^net-pf-16-proto-16-family-subcred|^alias net-pf-16-proto-16-family-subcred subcred$' \
	"$dir/root-m/lib/modules/$km/modules.alias"; then
	ok "=m: depmod put the family alias in modules.alias"
else
	notok "=m: depmod put the family alias in modules.alias"
fi
exec 9>&-

# ---- boot both ----
# guest V ARGS...: boot root-V, run intree-guest.sh V; its TAP lines are
# renumbered into ours.
guest() {
	local v=$1 out line rc

	shift
	out=$(mktemp -d)
	(cd "$top" && SUBCRED_APPEND="$*" timeout $((TIMEOUT + 30)) \
		selftests/qemu/run.sh --kver "$dir/root-$v" --timeout "$TIMEOUT" \
		--out "$out" --log "$dir/console-$v.log" -- \
		selftests/intree-guest.sh "$v") > "$dir/run-$v.log" 2>&1
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*)	    line=${line#ok }; ok "=$v guest: ${line#* }" ;;
		"not ok "*) line=${line#not ok }; notok "=$v guest: ${line#* }" ;;
		"# "*)	    echo "$line" ;;
		esac
	done < "$out/intree-$v.tap"
	if [ "$rc" -eq 0 ]; then
		ok "=$v guest: booted and finished ($(grep -oE 'after [0-9]+s' "$dir/run-$v.log" | tail -n1))"
	else
		notok "=$v guest: booted and finished (run.sh status $rc, see $dir/run-$v.log)"
		tail -n 5 "$dir/run-$v.log" | sed 's/^/# /'
	fi
	rm -rf "$out"
}

guest y subcred.max_credentials=3 subcred.pending_timeout=77
guest m
finish
