#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run one command as root inside a Debian kernel booted in QEMU.
#
# The guest is "virtme-style": a tiny cached initramfs (busybox + the 9p
# modules) mounts the host's / read-only over virtio-9p, puts tmpfs on
# the usual writable places, makes /lib/modules/<abi> point at the
# unpacked kernel from kernel.sh, and chroots into it to run COMMAND in
# the caller's working directory.  A per-run host directory is shared
# read-write; the guest sees it at the same path, in $SUBCRED_OUT.
#
# Exit status: COMMAND's, 124 on timeout, 1 if the guest died before
# reporting a status or if the kernel log has a splat (WARN, BUG, ...).
# With --expect-reset (power-cut tests, with --disk for state that
# survives): 0 if the guest reset before COMMAND returned, 2 if COMMAND
# returned instead.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SERIES=${SUBCRED_KVER:-6.12}
ARCH=${SUBCRED_ARCH:-x86_64}
TIMEOUT=600
MEM=1024
LOG=
OUT=
SCAN=
DISK=
EXPECT_RESET=0

usage() {
	cat <<EOF
usage: $0 [options] -- COMMAND [ARGS...]
       $0 --scan-log FILE

Boot a Debian kernel in QEMU (TCG), run COMMAND as root in the current
directory on a read-only view of the host, power off, and exit with
COMMAND's status (124: timeout, 1: no status from guest or kernel splat).

  --kver 5.10|6.1|6.12|debug  kernel series (default \${SUBCRED_KVER:-6.12}; debug: debug-kernel.sh)
                    /ROOT: a kernel in ROOT/boot, ROOT/lib/modules (kernel.sh)
  --arch x86_64|arm64  guest architecture (default \${SUBCRED_ARCH:-x86_64});
                    arm64: Debian's arm64 kernel of that series in
                    qemu-system-aarch64 -M virt, the userland of rootfs.sh
                    (its /usr over the host's), COMMAND cross-built
  --timeout SECS    kill QEMU after SECS seconds (default $TIMEOUT)
  --mem MB          guest memory (default $MEM)
  --log FILE        also save the guest console to FILE
  --out DIR         host directory shared read-write with the guest, at
                    the same path, passed as \$SUBCRED_OUT (default: a
                    temporary directory, deleted afterwards)
  --disk FILE       attach FILE (raw image, e.g. from mke2fs) as a
                    writable virtio-blk disk, so that state survives a
                    reboot: the guest sees it as /dev/vda, passed as
                    \$SUBCRED_DISK, with virtio_blk and ext4 loaded
                    (mount it there); a reset loses what the guest had
                    not written out, like a power cut
  --expect-reset    the guest is expected to reset (e.g. sysrq 'b', a
                    simulated power cut) before COMMAND returns: exit 0
                    if it did, 2 if COMMAND returned (whatever its status);
                    a kernel splat (also a panic), an init failure or a
                    timeout still fail (1, 1, 124)
  --scan-log FILE   only scan an existing console log for kernel splats

Environment: SUBCRED_CACHE (see kernel.sh), SUBCRED_APPEND (extra kernel
parameters, e.g. ignore_loglevel).
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }

need_arg() { [ $# -ge 2 ] || die "$1 needs an argument (see --help)"; }

while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help)	usage; exit 0 ;;
	--kver)		need_arg "$@"; SERIES=$2; shift 2 ;;
	--arch)		need_arg "$@"; ARCH=$2; shift 2 ;;
	--timeout)	need_arg "$@"; TIMEOUT=$2; shift 2 ;;
	--mem)		need_arg "$@"; MEM=$2; shift 2 ;;
	--log)		need_arg "$@"; LOG=$2; shift 2 ;;
	--out)		need_arg "$@"; OUT=$2; shift 2 ;;
	--disk)		need_arg "$@"; DISK=$2; shift 2 ;;
	--expect-reset)	EXPECT_RESET=1; shift ;;
	--scan-log)	need_arg "$@"; SCAN=$2; shift 2 ;;
	--)		shift; break ;;
	*)		die "unknown option '$1' (see --help)" ;;
	esac
done

# Kernel lines only (printk.time=1 is forced below), so that a test
# printing "WARNING:" itself is not taken for a kernel splat.
SPLAT_RE='\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Kernel panic|general protection|Call Trace:|lockdep|possible recursive locking|refcount_t:|UBSAN:|KASAN:|kmemleak)'
# Known harmless lines; add "|<regex>" alternatives here, one per reason,
# with a comment. None on the Debian kernels; on the debug kernel
# (debug-kernel.sh): the banners of RCU's lockdep checks and of kmemleak,
# and kmemleak's "N new suspected memory leaks", which selftests/kmemleak.sh
# reports object by object as a failed test.
SPLAT_IGNORE_RE='^$|rcu:[[:space:]]+RCU lockdep checking is enabled\.$|kmemleak: (Kernel memory leak detector initialized|[0-9]+ new suspected memory leaks)'

# Print one SUBCRED-SPLAT line per kernel splat line in $1; false if none.
scan_log() {
	local hits

	hits=$(tr -d '\r' < "$1" | grep -E "$SPLAT_RE" |
		grep -Ev "$SPLAT_IGNORE_RE") || return 1
	printf '%s\n' "$hits" | sed 's/^/SUBCRED-SPLAT: /'
}

if [ -n "$SCAN" ]; then
	[ -r "$SCAN" ] || die "cannot read $SCAN"
	if scan_log "$SCAN"; then
		echo "run.sh: kernel splat in $SCAN" >&2
		exit 1
	fi
	exit 0
fi

[ $# -gt 0 ] || die "no COMMAND given (see --help)"
case "$SERIES" in 5.10|6.1|6.12|debug|/*) ;; *) die "--kver wants 5.10, 6.1, 6.12, debug or /ROOT, not '$SERIES'" ;; esac
case "$TIMEOUT" in ''|*[!0-9]*) die "--timeout wants seconds, not '$TIMEOUT'" ;; esac
case "$MEM" in ''|*[!0-9]*) die "--mem wants megabytes, not '$MEM'" ;; esac
if [ -n "$DISK" ]; then
	if [ ! -f "$DISK" ] || [ ! -w "$DISK" ]; then
		die "--disk $DISK: not a writable file"
	fi
	DISK=$(realpath "$DISK")
fi
# A foreign guest (arm64) runs the programs of rootfs.sh's userland.
ARCHROOT=
BUSYBOX=/bin/busybox
KARCH=()
case "$ARCH" in
x86_64|amd64)
	ARCH=x86_64
	QEMU=(qemu-system-x86_64 -accel tcg -cpu max)
	CONSOLE=ttyS0 ;;
arm64|aarch64)
	case "$SERIES" in 6.1|6.12) ;; *) die "--arch arm64 wants --kver 6.1 or 6.12" ;; esac
	ARCH=arm64
	KARCH=(--arch arm64)
	# pauth-impdef: pointer authentication without QARMA, much
	# faster under TCG.  SUBCRED_ARM64_CPU: another -cpu.
	# shellcheck disable=SC2054 # commas inside QEMU option values
	QEMU=(qemu-system-aarch64 -M virt -accel "tcg${SUBCRED_ARM64_TCG:+,$SUBCRED_ARM64_TCG}"
	      -cpu "${SUBCRED_ARM64_CPU:-max,pauth-impdef=on}")
	CONSOLE=ttyAMA0
	ARCHROOT=$("$HERE/rootfs.sh" arm64) || die "rootfs.sh arm64 failed"
	BUSYBOX=$ARCHROOT/usr/bin/busybox ;;
*)	die "--arch wants x86_64 or arm64, not '$ARCH'" ;;
esac
command -v "${QEMU[0]}" > /dev/null ||
	die "${QEMU[0]} missing (run $HERE/deps.sh${KARCH:+ arm64})"

KVER=
ROOT=
while IFS='=' read -r k v; do
	case "$k" in
	KVER) KVER=$v ;;
	ROOT) ROOT=$v ;;
	esac
done < <("$HERE/kernel.sh" "${KARCH[@]}" "$SERIES" || echo FAIL=1)
[ -n "$KVER" ] || die "kernel.sh $SERIES failed"

# Quote $1 for any POSIX shell (busybox sh reads what we write).
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# PID 1 of the guest.  Everything the guest prints goes through /guest,
# which gets the console as its only open file: user writes to a tty are
# asynchronous, and only the last close of the console waits for the
# UART to drain (tty_port_close_start), so /guest's exit is the point
# where all its output has reached the host.
INIT=$(cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec < /dev/null > /dev/null 2> /dev/null
sh /guest > /dev/console 2>&1
# Leftover processes may still hold the console: kill them, then let
# one more last close drain it.
kill -KILL -1
sleep 0.1
: > /dev/console
echo b > /proc/sysrq-trigger
EOF
)

# The guest proper; /run.conf and /cmd come from the per-run cpio.
GUEST=$(cat <<'EOF'
. /run.conf

# Any failure here leaves no exit marker: the host reports it.
fail() { echo "subcred-init: $*"; exit 1; }

while read -r m; do
	insmod "/lib/modules/$m" || fail "insmod $m"
done < /modules

# The 9p channel shows up once virtio-pci has probed: retry a little.
opts=trans=virtio,version=9p2000.L,msize=512000
i=0
until mount -t 9p -o "$opts,cache=loose,ro" hostroot /newroot 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "cannot mount hostroot"
	sleep 0.1
done
N=/newroot

# A foreign guest: the programs and libraries of $ARCHROOT over the host's.
if [ -n "$ARCHROOT" ]; then
	for d in usr/bin usr/sbin usr/lib usr/libexec; do
		mount -o bind "$N$ARCHROOT/$d" "$N/$d" || fail "bind $ARCHROOT/$d"
	done
fi

# Host paths that the tmpfs mounts below would hide: bind them first.
mount -t tmpfs -o mode=0755 tmpfs "$N$LIBMOD" || fail "tmpfs $LIBMOD"
mkdir "$N$LIBMOD/$KVER"
mount -o bind "$N$MODDIR" "$N$LIBMOD/$KVER" || fail "bind $MODDIR"
[ -n "$KEEP" ] && mount -o bind "$N$KEEP" /keep
for t in $TMPFS; do
	mount -t tmpfs -o "mode=${t#*:}" tmpfs "$N${t%:*}" || fail "tmpfs $t"
done
if [ -n "$KEEP" ]; then
	mkdir -p "$N$KEEP" && mount -o bind /keep "$N$KEEP" || fail "bind $KEEP"
fi
mkdir -p "$N$OUT"
mount -t 9p -o "$opts" subcredout "$N$OUT" || fail "cannot mount $OUT"

mount -t proc proc $N/proc
mount -t sysfs sysfs $N/sys
mount -t devtmpfs devtmpfs $N/dev
mkdir -p $N/dev/pts $N/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $N/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $N/dev/shm
ln -s /proc/self/fd $N/dev/fd
ln -s fd/0 $N/dev/stdin
ln -s fd/1 $N/dev/stdout
ln -s fd/2 $N/dev/stderr
mount -t debugfs debugfs $N/sys/kernel/debug 2>/dev/null
hostname subcred
ip link set lo up

# request_module() runs modprobe in this initramfs, not in the chroot:
# send it to the host root, where this kernel's modules are.
printf '#!/bin/sh\nexec chroot /newroot /sbin/modprobe "$@"\n' \
	>/bin/modprobe-guest
chmod 755 /bin/modprobe-guest
echo /bin/modprobe-guest >/proc/sys/kernel/modprobe

# --disk: virtio_blk and ext4 are modules on both kernels, in the
# initramfs (faster than modprobe over 9p).  The probe is synchronous,
# the device node comes from devtmpfs a moment later.
if [ -n "$DISKDEV" ]; then
	# crc32c-intel wants SSE4.2 (-cpu max has it); crc32c_generic will do.
	while read -r m; do
		insmod "/lib/modules/$m" || case "$m" in
			crc32c-intel.ko) ;;
			*) fail "insmod $m" ;;
			esac
	done < /disk-modules
	i=0
	until [ -b "$DISKDEV" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "no $DISKDEV"
		sleep 0.1
	done
fi

chroot $N /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 SUBCRED_OUT="$OUT" SUBCRED_GUEST=1 SUBCRED_DISK="$DISKDEV" \
	/bin/sh -c "$(cat /cmd)"
st=$?
sync
echo "SUBCRED-GUEST-EXIT=$st"
EOF
)

# Rebuild the per-kernel initramfs when /init, busybox or the modules
# change.  virtio_pci is a module on 6.1 (built in on 6.12); the rest of
# the list comes from modules.dep.
build_initramfs() {
	local dir=$ROOT/subcred mods dmods key stage m name list

	mods=$(modprobe -d "$ROOT" -S "$KVER" -a --show-depends \
			virtio_pci virtio_rng 9pnet_virtio 9p |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }') ||
		die "cannot resolve the 9p modules of $KVER"
	# Loaded only with --disk, after those above; none if built in (a
	# kernel without them fails --disk only, at boot).
	dmods=$(modprobe -d "$ROOT" -S "$KVER" -a --show-depends \
			virtio_blk ext4 2>/dev/null |
		awk -v have="$mods" 'BEGIN { split(have, h); for (i in h) seen[h[i]] = 1 }
			$1 == "insmod" && !seen[$2]++ { print $2 }') || true
	# shellcheck disable=SC2086 # one path per word
	key=$({ printf '%s\n' "$INIT" "$GUEST"; stat -L -c '%n %s %Y' "$BUSYBOX" $mods $dmods; } |
		sha256sum)
	[ -f "$dir/initramfs.cpio" ] &&
		[ "$(cat "$dir/initramfs.key" 2>/dev/null)" = "$key" ] && return

	echo "run.sh: building the initramfs for $KVER" >&2
	mkdir -p "$dir"
	stage=$(mktemp -d "$dir/.stage.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,keep,lib/modules}
	cp "$BUSYBOX" "$stage/bin/busybox"
	printf '%s\n' "$INIT" > "$stage/init"
	printf '%s\n' "$GUEST" > "$stage/guest"
	chmod 755 "$stage/init"
	mknod "$stage/dev/console" c 5 1 2>/dev/null || true
	: > "$stage/disk-modules"
	for m in $mods $dmods; do
		name=$(basename "$m" .xz)
		case "$m" in
		*.ko.xz) xz -dc "$m" > "$stage/lib/modules/$name" ;;
		*.ko)	 cp "$m" "$stage/lib/modules/" ;;
		*)	 die "cannot handle module $m" ;;
		esac
		list=modules
		case " $dmods " in *" $m "*) list=disk-modules ;; esac
		echo "$name" >> "$stage/$list"
	done
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) > "$stage.cpio"
	mv "$stage.cpio" "$dir/initramfs.cpio"
	echo "$key" > "$dir/initramfs.key"
	rm -rf "$stage"
}

# Boot the uncompressed vmlinux through its PVH entry when we can: that
# skips the decompressor, which takes seconds under TCG (6.1 is xz).
# The bzImage payload (boot protocol >= 2.08) ends with the 32-bit
# uncompressed size, which we check.  Falls back to vmlinuz.
extract_vmlinux() {
	local z=$ROOT/boot/vmlinuz-$KVER out=$ROOT/subcred/vmlinux
	local off len size unz

	[ "$out" -nt "$z" ] && return
	grep -qx CONFIG_PVH=y "$ROOT/boot/config-$KVER" 2>/dev/null || return 0
	rd() { od -An -tu"$2" -j "$1" -N "$2" "$z" | tr -d ' '; }
	off=$(( ($(rd 0x1f1 1) + 1) * 512 + $(rd 0x248 4) ))
	len=$(rd 0x24c 4)
	size=$(rd $((off + len - 4)) 4)
	case "$(od -An -tx1 -j "$off" -N 4 "$z" | tr -d ' ')" in
	fd377a58) unz="xz -dc" ;;
	28b52ffd) unz="zstd -dcq" ;;
	1f8b*)	  unz="gzip -dc" ;;
	*)	  return 0 ;;
	esac
	echo "run.sh: extracting vmlinux for $KVER" >&2
	dd if="$z" iflag=skip_bytes,count_bytes skip="$off" count=$((len - 4)) \
		bs=1M status=none | $unz > "$out.tmp" || true
	if [ "$(stat -c %s "$out.tmp")" = "$size" ]; then
		mv "$out.tmp" "$out"
	else
		echo "run.sh: cannot extract vmlinux (${unz%% *} missing?), booting vmlinuz" >&2
		rm -f "$out.tmp"
	fi
}

mkdir -p "$ROOT/subcred"
exec 9> "$ROOT/subcred/.lock"
flock 9
build_initramfs
extract_vmlinux
exec 9>&-
KERNEL=$ROOT/subcred/vmlinux
[ -f "$KERNEL" ] || KERNEL=$ROOT/boot/vmlinuz-$KVER

RUN=$(mktemp -d "${TMPDIR:-/tmp}/subcred-run.XXXXXX")
# timeout(1) puts QEMU in its own process group: stop it ourselves.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -f "$RUN/pid" ]; then
		kill "$(cat "$RUN/pid")" 2>/dev/null
		wait
	fi
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "$OUT" ]; then
	OUT=$RUN/out
fi
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
CWD=$(pwd -P)
[ -n "$LOG" ] || LOG=$RUN/console.log
: > "$LOG"

# Per-run part of the initramfs: settings for /init and the command.
mkdir "$RUN/cpio"
# The work tree (or the cwd, outside it) stays visible where a tmpfs would
# hide it: build/arm64's links point into the whole tree.
tmpfs=
keep=
top=$(cd "$HERE/../.." && pwd -P)
keepdir=$CWD
case "$CWD/" in "$top"/*) keepdir=$top ;; esac
for t in /tmp:1777 /run:0755 /var/tmp:1777 /root:0700; do
	[ -d "${t%:*}" ] || continue
	t=$(realpath "${t%:*}"):${t#*:}
	tmpfs="$tmpfs ${t}"
	case "$keepdir" in "${t%:*}"/*) keep=$keepdir ;; esac
done
{
	echo "KVER=$(sq "$KVER")"
	echo "MODDIR=$(sq "$ROOT/lib/modules/$KVER")"
	echo "LIBMOD=$(sq "$(realpath /lib/modules)")"
	echo "CWD=$(sq "$CWD")"
	echo "KEEP=$(sq "$keep")"
	echo "OUT=$(sq "$OUT")"
	echo "TMPFS=$(sq "$tmpfs")"
	echo "DISKDEV=${DISK:+/dev/vda}"
	echo "ARCHROOT=$(sq "$ARCHROOT")"
} > "$RUN/cpio/run.conf"
{
	printf 'cd %s || exit 125\nexec' "$(sq "$CWD")"
	for a in "$@"; do printf ' %s' "$(sq "$a")"; done
	echo
} > "$RUN/cpio/cmd"
(cd "$RUN/cpio" && printf '%s\n' . run.conf cmd |
	cpio -o -H newc -R 0:0 --quiet) > "$RUN/run.cpio"
cat "$ROOT/subcred/initramfs.cpio" "$RUN/run.cpio" > "$RUN/initrd"

# loglevel=5 keeps KERN_WARNING and worse (WARN, BUG, Oops) on the console.
APPEND="console=$CONSOLE loglevel=5 printk.time=1 panic=-1 rdinit=/init"
APPEND="$APPEND ${SUBCRED_APPEND:-}"
DISKARGS=()
if [ -n "$DISK" ]; then
	# cache=writeback: what the guest wrote reaches the image (the host
	# page cache, which a guest reset does not touch); what it had not
	# written yet is lost.  Flushes are honoured.
	# shellcheck disable=SC2054 # commas inside QEMU option values
	DISKARGS=(-drive "file=${DISK//,/,,},format=raw,if=none,id=disk,cache=writeback"
		  -device virtio-blk-pci,drive=disk)
fi

start=$(date +%s)
# In the background, so that the traps above can run during the wait.
{
	timeout -k 10 "$TIMEOUT" "${QEMU[@]}" -smp 2 -m "$MEM" \
		-nodefaults -no-reboot -display none \
		-chardev stdio,id=con,signal=off -serial chardev:con \
		-kernel "$KERNEL" -initrd "$RUN/initrd" \
		-append "$APPEND" \
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
		-fsdev "local,id=out,path=${OUT//,/,,},security_model=none,multidevs=remap" \
		-device virtio-9p-pci,fsdev=out,mount_tag=subcredout \
		-device virtio-rng-pci \
		"${DISKARGS[@]}" \
		< /dev/null 2>&1 &
	echo $! > "$RUN/pid"
	wait $!
	echo $? > "$RUN/status"
} | sed -u 's/\r$//' | tee "$LOG" &
wait $!
rm -f "$RUN/pid"
qst=$(cat "$RUN/status" 2>/dev/null || echo 1)
secs=$(($(date +%s) - start))

# Splats are reported whatever happened; a timeout or a dead guest wins.
splat=0
scan_log "$LOG" && splat=1
if [ "$qst" -eq 124 ]; then
	echo "run.sh: timeout: guest killed after ${TIMEOUT}s" >&2
	exit 124
fi
# Not anchored at ^: output without a final newline precedes the marker.
marker=$(grep -oE 'SUBCRED-GUEST-EXIT=[0-9]+$' "$LOG" | tail -n1) || true
if [ "$EXPECT_RESET" = 1 ]; then
	# A reset ends QEMU (-no-reboot) with status 0 and no marker.  So
	# does a panic (panic=-1), which the scan sees, and a failure of
	# the guest's init, which says so.
	if [ -n "$marker" ]; then
		echo "run.sh: $KVER: command exited ${marker#*=} after ${secs}s, but a reset was expected" >&2
		exit 2
	fi
	if grep -q '^subcred-init: ' "$LOG"; then
		echo "run.sh: guest init failed: $(grep '^subcred-init: ' "$LOG" | head -n1)" >&2
		exit 1
	fi
	if [ "$qst" -ne 0 ]; then
		echo "run.sh: guest ended without SUBCRED-GUEST-EXIT (qemu status $qst)" >&2
		exit 1
	fi
	if [ "$splat" = 1 ]; then
		echo "run.sh: kernel splat on $KVER (guest reset)" >&2
		exit 1
	fi
	echo "run.sh: $KVER: guest reset as expected after ${secs}s" >&2
	exit 0
fi
if [ -z "$marker" ]; then
	echo "run.sh: guest ended without SUBCRED-GUEST-EXIT (qemu status $qst, panic or init failure?)" >&2
	exit 1
fi
st=${marker#*=}
if [ "$splat" = 1 ]; then
	echo "run.sh: kernel splat on $KVER (command status $st)" >&2
	exit 1
fi
echo "run.sh: $KVER: command exited $st after ${secs}s" >&2
exit "$st"
