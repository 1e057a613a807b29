#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ynl-prepare.sh - make the kernel's YNL tooling (tools/net/ynl: cli.py,
# ynl-gen-c.py, lib/) and the genetlink YAML schemas available outside the
# repo, and print the ynl directory (the one holding cli.py).
#
# They are extracted once from Debian's linux-source tarball into
#	${SUBCRED_CACHE:-/var/cache/subcred}/ynl-<package version>/
# (or ynl-sha256-<16 hex> when the tarball belongs to no package).
# The schemas end up in <that dir>/Documentation/netlink/genetlink*.yaml,
# i.e. at $YNL/../../../Documentation/netlink/genetlink.yaml.
#
# Idempotent: a later run only prints the directory, which also works on a
# read-only cache (as in the QEMU guest). Runs on the host before the guest
# boots: extracting a 150 MB tarball under TCG would take minutes.
#
# Environment: SUBCRED_CACHE (cache root), SUBCRED_LINUX_SOURCE (tarball,
# default /usr/src/linux-source-6.12.tar.xz).

set -eu

CACHE=${SUBCRED_CACHE:-/var/cache/subcred}
SRC=${SUBCRED_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}

die() { echo "ynl-prepare.sh: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
	echo "usage: $0    extract tools/net/ynl and the genetlink schemas"
	echo "  from $SRC into \$SUBCRED_CACHE/ynl-<version>/"
	echo "  (once) and print the ynl dir (the one with cli.py)"
	exit 0 ;;
'') ;;
*)	die "unexpected argument '$1' (see --help)" ;;
esac

[ -r "$SRC" ] || die "$SRC is missing (apt-get install linux-source-6.12)"

# The tag: the version of the package owning the tarball (cheap, and it
# changes whenever the tarball does), else a hash of the tarball itself.
tag=
pkg=$(dpkg-query -S "$SRC" 2>/dev/null | sed -n '1s/:.*//p') || pkg=
if [ -n "$pkg" ]; then
	tag=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || tag=
fi
if [ -n "$tag" ]; then
	tag=$(printf '%s' "$tag" | tr -c 'A-Za-z0-9.+_-' '_')
else
	tag=sha256-$(sha256sum "$SRC" | cut -c1-16)
fi

dir=$CACHE/ynl-$tag
ynl=$dir/tools/net/ynl
stamp=$dir/.subcred-extracted

ready() {
	[ -f "$stamp" ] && [ -f "$ynl/cli.py" ] && [ -f "$ynl/lib/ynl.py" ] &&
		[ -f "$dir/Documentation/netlink/genetlink.yaml" ]
}

extract() {
	tmp=$(mktemp -d "$CACHE/.ynl-tmp.XXXXXX")
	# Only the members we need; tar still has to read the whole archive.
	if ! tar -xJf "$SRC" -C "$tmp" --strip-components=1 \
		--wildcards --no-wildcards-match-slash \
		'*/tools/net/ynl' \
		'*/Documentation/netlink/genetlink*.yaml'; then
		rm -rf "$tmp"
		die "cannot extract tools/net/ynl from $SRC"
	fi
	[ -f "$tmp/tools/net/ynl/cli.py" ] || {
		rm -rf "$tmp"
		die "$SRC has no tools/net/ynl/cli.py"
	}
	basename "$SRC" > "$tmp/.subcred-extracted"
	chmod -R a+rX "$tmp"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "ynl-prepare.sh: extracted YNL from $(basename "$SRC") into $dir" >&2
}

if ! ready; then
	mkdir -p "$CACHE" 2>/dev/null ||
		die "$CACHE is not writable and $dir is not prepared"
	[ -w "$CACHE" ] ||
		die "$CACHE is not writable and $dir is not prepared (run this on the host)"
	# Serialize concurrent runs; re-check once we own the lock.
	exec 9> "$CACHE/.ynl.lock"
	flock 9 2>/dev/null || true
	ready || extract
	exec 9>&-
fi

echo "$ynl"
