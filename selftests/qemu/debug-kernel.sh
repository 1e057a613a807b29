#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build, once, the debug guest kernel of `make check-debug`:
# Debian's linux-source-6.12, `make tinyconfig` plus selftests/qemu/debug.config
# (KASAN, kmemleak, lockdep, fault injection, everything the guest needs
# built in). Nothing is written to the repository.
#
# Cache, outside the tree (${SUBCRED_CACHE:-/var/cache/subcred}):
#	linux-<version>/	the full linux-source-6.12 tree, extracted once
#	debug-<hash>/		one build per fragment, source version and gcc
#				(hash of the three):
#	    <kver>/		the object tree (O=), the KDIR of external modules
#	    root/		boot/vmlinuz-<kver>, boot/config-<kver>,
#				lib/modules/<kver> (modules_install, depmod,
#				build -> <kver>), laid out like kernel.sh's
#	    build.log		config, build and install output, build times
# A new fragment starts from a copy of the newest object tree of the same
# source and compiler: only what the change touches is rebuilt.
#
# Prints on stdout, like kernel.sh:
#	KVER=<kver>
#	ROOT=<dir>/root
#	KDIR=<dir>/<kver>
# Progress goes to stderr. An interrupted build resumes where it stopped.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SUBCRED_CACHE:-/var/cache/subcred}
FRAGMENT=$HERE/debug.config
TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${SUBCRED_JOBS:-$(nproc)}

die() { echo "debug-kernel.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
'') ;;
*)	die "unexpected argument '$1' (see --help)" ;;
esac

[ -r "$TARBALL" ] || die "$TARBALL missing (run $HERE/deps.sh)"
[ -r "$FRAGMENT" ] || die "$FRAGMENT missing"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12) ||
	die "linux-source-6.12 is not installed (run $HERE/deps.sh)"
cc=$(gcc --version | head -n1)
hash=$({ cat "$FRAGMENT"; echo "$version"; echo "$cc"; } | sha256sum |
	cut -c1-12)
seed_key="$version $cc"
src=$CACHE/linux-$version
dir=$CACHE/debug-$hash
root=$dir/root
log=$dir/build.log

# A make above us (the top Makefile's $(shell), a recipe) must not pass its
# flags and variables (KVER=debug, -s, jobserver) down to the kernel build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT ARCH \
	CROSS_COMPILE O M KDIR KVER

# The release: the source's version plus the fragment's LOCALVERSION.
kver_of() {
	local lv

	lv=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$FRAGMENT")
	echo "$(make -s -C "$src" kernelversion)$lv"
}

say() { echo "debug-kernel.sh: $*" | tee -a "$log" >&2; }

extract() {
	local tmp

	[ -f "$src/.subcred-extracted" ] && return
	echo "debug-kernel.sh: extracting $TARBALL into $src" >&2
	tmp=$(mktemp -d "$src.tmp.XXXXXX")
	nice -n 19 tar -xJf "$TARBALL" -C "$tmp" --strip-components=1
	echo "$version" > "$tmp/.subcred-extracted"
	rm -rf "$src"
	mv "$tmp" "$src"
}

# Every "CONFIG_X=..." line of the fragment must be in .config as is, and
# every "# CONFIG_X is not set" must not be set there.
check_config() {
	local line sym missing=

	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$obj/.config" ||
				missing="$missing $line (have: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo nothing))
" ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -qE "^$sym=[ym]" "$obj/.config" ||
				missing="$missing $line (have: $(grep -E "^$sym=" "$obj/.config"))
" ;;
		esac
	done < "$FRAGMENT"
	[ -z "$missing" ] && return
	printf 'debug-kernel.sh: not in .config after olddefconfig (unmet dependency?):\n%s' \
		"$missing" | tee -a "$log" >&2
	exit 1
}

# kmake ARGS...: the kernel make, at the lowest priority, output to the log
# only, a progress line every 500 files and at the final links.
kmake() {
	nice -n 19 make -C "$src" O="$obj" -j"$JOBS" "$@" 2>&1 |
		tee -a "$log" |
		awk '/^  [A-Z]/ { n++ }
		     n % 500 == 0 && /^  [A-Z]/ { printf "debug-kernel.sh: %d files built\n", n }
		     /^  (LD +vmlinux$|BUILD +arch\/x86\/boot\/bzImage)/ { print "debug-kernel.sh: " $0 }
		     /(error|Error) / { print }
		     { fflush() }' >&2
}

# An earlier build of the same source with the same compiler: start from a
# copy of its object tree, so that a change of the fragment rebuilds only
# what it touches (kbuild tracks each CONFIG_ option a file uses).
seed() {
	local d best=

	for d in "$CACHE"/debug-*; do
		[ "$d" != "$dir" ] || continue
		[ "$(cat "$d/.seed" 2>/dev/null)" = "$seed_key" ] || continue
		[ -d "$d/$(cat "$d/.done" 2>/dev/null)" ] || continue
		if [ -z "$best" ] || [ "$d/.done" -nt "$best/.done" ]; then
			best=$d
		fi
	done
	[ -n "$best" ] || return 0
	say "starting from a copy of $best/$(cat "$best/.done")"
	rm -rf "$obj.tmp"
	cp -a "$best/$(cat "$best/.done")" "$obj.tmp"
	# objtool's dependency files name their tree by its absolute path
	rm -rf "$obj.tmp/tools/objtool"
	mv "$obj.tmp" "$obj"
}

build() {
	local t0 t1

	extract
	mkdir -p "$dir"
	: > "$log"
	say "building $kver in $dir (log: $log), $JOBS jobs at nice 19"
	[ -d "$obj" ] || seed
	mkdir -p "$obj"
	t0=$(date +%s)

	kmake tinyconfig
	cat "$FRAGMENT" >> "$obj/.config"
	kmake olddefconfig
	check_config

	# bash's time: wall clock and the CPU time of every compiler.
	TIMEFORMAT="built in %0R s wall, %0U s user + %0S s system CPU"
	{ time kmake all 2>&3; } 3>&2 2> "$dir/time"
	say "$(cat "$dir/time")"
	rm -f "$dir/time"
	[ "$(cat "$obj/include/config/kernel.release")" = "$kver" ] ||
		die "the release is not $kver (localversion file in $src?)"

	say "installing into $root"
	rm -rf "$root.tmp"
	mkdir -p "$root.tmp/boot"
	cp "$obj/arch/x86/boot/bzImage" "$root.tmp/boot/vmlinuz-$kver"
	cp "$obj/.config" "$root.tmp/boot/config-$kver"
	cp "$obj/System.map" "$root.tmp/boot/System.map-$kver"
	kmake INSTALL_MOD_PATH="$root.tmp" modules_install
	depmod -b "$root.tmp" "$kver"
	rm -f "$root.tmp/lib/modules/$kver/build" "$root.tmp/lib/modules/$kver/source"
	ln -s "$obj" "$root.tmp/lib/modules/$kver/build"
	rm -rf "$root"
	mv "$root.tmp" "$root"
	t1=$(date +%s)
	say "done in $((t1 - t0)) s: $root"
	echo "$seed_key" > "$dir/.seed"
	echo "$kver" > "$dir/.done"
}

if [ ! -f "$dir/.done" ]; then
	mkdir -p "$CACHE"
	# Serialize concurrent runs; re-check once we own the lock.
	exec 9> "$CACHE/.debug-kernel.lock"
	flock 9
	if [ ! -f "$dir/.done" ]; then
		extract
		kver=$(kver_of)
		obj=$dir/$kver
		build
	fi
	exec 9>&-
fi
kver=$(cat "$dir/.done")

echo "KVER=$kver"
echo "ROOT=$root"
echo "KDIR=$dir/$kver"
