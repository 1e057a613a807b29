#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rootfs.sh ARCH - a Debian 12 userland of a foreign ARCH (arm64) for the
# QEMU guest of that architecture, made once and printed (its directory).
#
# The guest of run.sh sees the host's / over 9p; a foreign guest cannot
# run the host's programs, so run.sh mounts this tree's usr/bin, usr/sbin,
# usr/lib and usr/libexec over the host's (merged /usr: /bin, /sbin and
# /lib follow) and keeps the rest: the work tree, /etc, /usr/share,
# /var/lib/dpkg, /usr/src, the cache.  The packages are what the guest's
# tests run (selftests/guest.sh) and the libraries of the cross-built
# programs, unpacked by mmdebstrap without running any of their scripts
# (nothing of ARCH can run here); the few links that maintainer scripts
# would make (update-alternatives) are added by hand.  Kept in
# ${SUBCRED_CACHE:-/var/cache/subcred}/rootfs-ARCH-<hash of this file>/.

set -euo pipefail

CACHE=${SUBCRED_CACHE:-/var/cache/subcred}
MIRROR=${SUBCRED_MIRROR:-http://deb.debian.org/debian}

PKGS=(
	# Essential: yes, and what the test scripts call
	base-files base-passwd bash bsdutils coreutils dash debianutils
	diffutils dpkg findutils grep gzip hostname libc-bin login mawk
	ncurses-bin sed sysvinit-utils tar util-linux mount procps kmod iproute2
	keyutils file xz-utils e2fsprogs
	# the guest's initramfs
	busybox-static
	# ynl.sh, agent.sh, secrets.sh
	python3 python3-yaml python3-jsonschema sqlite3
	# the cross-built subcredctl, subcred-agent, subcred-hn, selftests
	libnl-3-200 libnl-genl-3-200 libssl3 libsqlite3-0
)

die() { echo "rootfs.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0 arm64    print the directory of the arm64 userland (made once)"
	exit 0 ;;
arm64)	arch=$1 ;;
*)	die "want arm64, not '${1:-}' (see --help)" ;;
esac

key=$(sha256sum "$0" | cut -c1-12)
dir=$CACHE/rootfs-$arch-$key

tmp=
make_rootfs() {
	local link pkgs

	command -v mmdebstrap >/dev/null ||
		die "mmdebstrap missing (run selftests/qemu/deps.sh $arch)"
	tmp=$(mktemp -d "$CACHE/.rootfs-$arch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	pkgs=$(printf '%s\n' "${PKGS[@]}" | grep -v '^#' | paste -sd,)
	echo "rootfs.sh: unpacking a Debian $arch userland in $dir" >&2
	mmdebstrap --quiet --variant=extract --mode=root --architectures="$arch" \
		--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh \
		--include="$pkgs" bookworm "$tmp/root" \
		"deb $MIRROR bookworm main" \
		"deb $MIRROR bookworm-updates main" \
		"deb ${MIRROR%/debian}/debian-security bookworm-security main" \
		>&2 || die "mmdebstrap failed"
	[ -L "$tmp/root/bin" ] || die "no merged /usr in the $arch userland"
	[ -x "$tmp/root/usr/bin/busybox" ] || die "no busybox in the $arch userland"
	# Mount point of run.sh's /lib/modules.
	mkdir -p "$tmp/root/usr/lib/modules"
	# update-alternatives links (awk -> /etc/alternatives/awk, ...): as
	# the host has them, for the programs that are here.
	for link in /usr/bin/* /usr/sbin/*; do
		if [ ! -L "$link" ] || [ -e "$tmp/root$link" ]; then
			continue
		fi
		case "$(readlink "$link")" in
		/etc/alternatives/*)
			[ -e "$tmp/root$(readlink -f "$link")" ] &&
				cp -P "$link" "$tmp/root$link" ;;
		esac
	done
	[ -e "$tmp/root/usr/bin/awk" ] || ln -s mawk "$tmp/root/usr/bin/awk"
	rm -rf "$dir" "$CACHE/rootfs-$arch"-*
	mv "$tmp/root" "$dir"
	touch "$dir/.subcred-done"
	rm -rf "$tmp"
	trap - EXIT
}

if [ ! -f "$dir/.subcred-done" ]; then
	mkdir -p "$CACHE"
	exec 9> "$CACHE/.rootfs-$arch.lock"
	flock 9
	[ -f "$dir/.subcred-done" ] || make_rootfs
	exec 9>&-
fi
echo "$dir"
