#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh [YNL_DIR] - drive the "subcred" generic netlink family through the
# kernel's own YNL CLI (tools/net/ynl/cli.py) and Documentation/netlink/
# subcred.yaml, and print TAP 13.
#
# Runs as root with subcred.ko loaded, typically in the QEMU guest:
#	selftests/qemu/run.sh --kver 6.12 -- sh -c \
#		'insmod .../subcred.ko && selftests/ynl.sh /var/cache/.../tools/net/ynl'
# YNL_DIR is the directory holding cli.py; by default what
# selftests/ynl-prepare.sh prints (run that on the host first: it extracts
# the tooling from the linux-source tarball, which is slow under TCG).
# The schema is YNL_DIR/../../../Documentation/netlink/genetlink.yaml.
#
# Only /tmp needs to be writable. Exit status 0 only if every test passed.
#
# Environment: PYTHON (default /usr/bin/python3, which has python3-yaml and
# python3-jsonschema; a pyenv python3 earlier in PATH may lack them),
# SUBCRED_YNL_SPEC (default: the spec of this tree).

# shellcheck disable=SC2317 # functions are called indirectly, through t
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
SPEC=${SUBCRED_YNL_SPEC:-$repo/Documentation/netlink/subcred.yaml}
# Never write __pycache__ into the (shared, maybe read-only) YNL cache.
export PYTHONDONTWRITEBYTECODE=1

case "${1:-}" in
-h|--help)
	sed -n '4,/^$/s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac

PLAN=24
n=0
failed=0

echo "TAP version 13"
echo "1..$PLAN"

# Every test below is numbered by order; a fatal problem fails the rest.
bail() {
	echo "# $*"
	while [ "$n" -lt "$PLAN" ]; do
		n=$((n + 1))
		echo "not ok $n - ynl: not run: $*"
	done
	exit 1
}

if [ $# -ge 1 ] && [ -n "$1" ]; then
	YNL=$1
else
	YNL=$("$here/ynl-prepare.sh") || bail "ynl-prepare.sh failed"
fi
SCHEMA=$YNL/../../../Documentation/netlink/genetlink.yaml

[ -f "$YNL/cli.py" ] || bail "no cli.py in $YNL"
[ -f "$SCHEMA" ] || bail "no schema $SCHEMA"
[ -f "$SPEC" ] || bail "no spec $SPEC"
[ -x "$PY" ] || bail "no $PY"
[ -d /sys/module/subcred ] || bail "subcred.ko is not loaded"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/subcred-ynl.XXXXXX") || bail "mktemp failed"
ID=ynl-test-$$
K=000102030405060708090a0b0c0d0e0f
OPC=f0e1d2c3b4a5968778695a4b3c2d1e0f
SQN=4294967333		# > 2^32: the u64 must survive the round trip
KV=7
MAX_AGE=3600
PT=120

# ynl OUT ARGS...: run cli.py, output in $tmp/OUT, return its status.
# With --output-json the reply is one JSON line ("null" for none), then,
# with --subscribe, one JSON list of notifications.
ynl() {
	out=$tmp/$1
	shift
	"$PY" "$YNL/cli.py" --spec "$SPEC" --schema "$SCHEMA" \
		--output-json "$@" > "$out" 2>&1
}

# Delete what a failed run left behind (not after a good cred-del: each
# cli.py run costs seconds under TCG).
# ynl_ntf OUT ARGS...: like ynl, and append one JSON line: the list of
# notifications of the group "events" seen meanwhile, as cli.py
# --subscribe events would. Not with --subscribe itself: the ynl.py of
# Linux 6.12 crashes ("'NoneType' object has no attribute 'attr_set'" in
# YnlFamily._ops) when a notification reaches the requesting socket before
# the ACK, which is always the case here as the kernel notifies from doit.
# So a second YnlFamily of the same library listens while cli.py runs.
ynl_ntf() {
	out=$tmp/$1
	shift
	"$PY" - "$YNL" "$SPEC" "$SCHEMA" "$@" > "$out" 2>&1 <<-'EOF'
	import json, subprocess, sys
	ynl, spec, schema = sys.argv[1:4]
	sys.path.insert(0, ynl)
	from lib import YnlFamily
	listener = YnlFamily(spec, schema)
	listener.ntf_subscribe('events')
	sys.stdout.flush()
	rc = subprocess.run([sys.executable, ynl + '/cli.py', '--spec', spec,
	                     '--schema', schema, '--output-json'] +
	                    sys.argv[4:]).returncode
	listener.check_ntf()
	print(json.dumps(listener.async_msg_queue, default=bytes.hex))
	sys.exit(rc)
	EOF
}

cleanup() {
	if [ -f "$tmp/new.rc" ] && ! { [ -f "$tmp/del.rc" ] && is_ok del; }; then
		ynl cleanup --do cred-del --json "{\"id\": \"$ID\"}"
	fi
	if [ -f "$tmp/newbad.rc" ] && is_ok newbad; then
		ynl cleanup --do cred-del --json "{\"id\": \"$ID-k15\"}"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# js OUT PYEXPR: evaluate PYEXPR with r = the reply, e = the notifications,
# d = the one dumped entry whose id is $ID (else None); print the result;
# status 1 when it is false or raises.
js() {
	ID=$ID "$PY" - "$tmp/$1" "$2" <<-'EOF'
	import json, os, sys
	try:
	    lines = [l for l in open(sys.argv[1]) if l.strip()]
	    r = json.loads(lines[0]) if lines else None
	    e = json.loads(lines[1]) if len(lines) > 1 else []
	    mine = [x for x in r if x.get('id') == os.environ['ID']] \
	        if isinstance(r, list) else []
	    d = mine[0] if len(mine) == 1 else None
	    res = eval(sys.argv[2])
	except Exception as ex:
	    print(f'{type(ex).__name__}: {ex}')
	    sys.exit(1)
	print(f'{sys.argv[2]} -> {res}')
	sys.exit(0 if res else 1)
	EOF
}

# t DESC CMD...: one TAP line; on failure, the check's own output and
# (once per run) the output of the cli.py run last made.
last=
shown=
t() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@" > "$tmp/.t" 2>&1; then
		echo "ok $n - ynl: $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - ynl: $desc"
		sed 's/^/#   /' "$tmp/.t"
		case " $shown " in
		*" $last "*) ;;
		*)	shown="$shown $last"
			echo "#   cli.py output ($last, status $(cat "$tmp/$last.rc")):"
			sed 's/^/#     /' "$tmp/$last" ;;
		esac
	fi
}

# is_ok OUT: the CLI succeeded (status saved in $tmp/OUT.rc).
is_ok() { [ "$(cat "$tmp/$1.rc")" = 0 ]; }
# fails_with OUT ERE...: the CLI failed, and its output (strerror, extack)
# matches every extended regular expression given.
fails_with() {
	f=$tmp/$1
	shift
	[ "$(cat "$f.rc")" != 0 ] || return 1
	for re in "$@"; do
		grep -Eq -- "$re" "$f" || { echo "no match for /$re/"; return 1; }
	done
}
# run OUT ARGS...: ynl, remembering the status; run_ntf: the same with
# ynl_ntf.
run() { last=$1; ynl "$@"; echo $? > "$tmp/$1.rc"; }
run_ntf() { last=$1; ynl_ntf "$@"; echo $? > "$tmp/$1.rc"; }

# --- cred-new -------------------------------------------------------------
run_ntf new --do cred-new --json \
	"{\"id\": \"$ID\", \"k\": \"$K\", \"opc\": \"$OPC\", \"sqn\": $SQN,
	  \"key-version\": $KV, \"max-age\": $MAX_AGE,
	  \"pending-timeout\": $PT}"
t "cred-new $ID succeeds" is_ok new
t "cred-new reply is empty" js new 'r is None'
t "cred-new notifies event new with id and key-version" js new \
	"[m['msg'] for m in e if m['name'] == 'event'] == \
	 [{'event': 'new', 'id': '$ID', 'key-version': $KV}]"

run new2 --do cred-new --json \
	"{\"id\": \"$ID\", \"k\": \"$K\", \"opc\": \"$OPC\"}"
t "cred-new of an existing id fails (EEXIST)" \
	fails_with new2 'Netlink error: File exists' 'with this id exists'

run newbad --do cred-new --json \
	"{\"id\": \"$ID-k15\", \"k\": \"${K%??}\", \"opc\": \"$OPC\"}"
t "cred-new with a 15-octet k fails (ERANGE, exact-len)" \
	fails_with newbad 'Netlink error: (Numerical result out of range|Invalid argument)' \
	"'bad-attr': '\\.k'"

# --- cred-get do ----------------------------------------------------------
run get --do cred-get --json "{\"id\": \"$ID\"}"
t "cred-get succeeds" is_ok get
t "cred-get id is $ID" js get "r['id'] == '$ID'"
t "cred-get key-version is $KV" js get "r['key-version'] == $KV"
t "cred-get sqn is $SQN" js get "r['sqn'] == $SQN"
t "cred-get max-age is $MAX_AGE" js get "r['max-age'] == $MAX_AGE"
t "cred-get pending-timeout is $PT" js get "r['pending-timeout'] == $PT"
t "cred-get key-serial > 0 and age is small" js get \
	"r['key-serial'] > 0 and 0 <= r['age'] < 600"
t "cred-get reply has the documented attributes, never k or opc" \
	js get "{'id', 'key-serial', 'key-version', 'sqn', 'max-age', \
	    'pending-timeout', 'age'} <= set(r) <= {'id', 'key-serial', \
	    'key-version', 'sqn', 'max-age', 'pending-timeout', 'age', \
	    'generation', 'state', 'stats'} and r.get('state', 'idle') == 'idle'"

# --- cred-get dump --------------------------------------------------------
run dump --dump cred-get
t "cred-get dump lists $ID once, as provisioned" js dump \
	"d is not None and d['key-version'] == $KV and d['sqn'] == $SQN \
	 and d['max-age'] == $MAX_AGE and d['pending-timeout'] == $PT"
t "cred-get dump has no k or opc anywhere" js dump \
	"isinstance(r, list) and all('k' not in x and 'opc' not in x for x in r)"

# --- cred-set -------------------------------------------------------------
run_ntf set --do cred-set --json \
	"{\"id\": \"$ID\", \"max-age\": $((MAX_AGE * 2))}"
t "cred-set max-age $((MAX_AGE * 2)) succeeds, notifies event set" js set \
	"r is None and [m['msg'] for m in e if m['name'] == 'event'] == \
	 [{'event': 'set', 'id': '$ID', 'key-version': $KV}]"
run get2 --do cred-get --json "{\"id\": \"$ID\"}"
t "cred-get after set: max-age $((MAX_AGE * 2)), pending-timeout still $PT" \
	js get2 "r['max-age'] == $((MAX_AGE * 2)) and \
	    r['pending-timeout'] == $PT and r['key-version'] == $KV"
run set0 --do cred-set --json "{\"id\": \"$ID\"}"
t "cred-set with nothing to set fails (EINVAL)" \
	fails_with set0 'Netlink error: Invalid argument' 'nothing to set'
run setpt --do cred-set --json "{\"id\": \"$ID\", \"pending-timeout\": 0}"
t "cred-set pending-timeout 0 fails (ERANGE, min 1)" \
	fails_with setpt 'Netlink error: Numerical result out of range' \
	"'bad-attr': '\\.pending-timeout'"

# --- cred-del -------------------------------------------------------------
run_ntf del --do cred-del --json "{\"id\": \"$ID\"}"
t "cred-del succeeds" is_ok del
t "cred-del notifies event del" js del \
	"r is None and [m['msg'] for m in e if m['name'] == 'event'] == \
	 [{'event': 'del', 'id': '$ID', 'key-version': $KV}]"
run get3 --do cred-get --json "{\"id\": \"$ID\"}"
t "cred-get after del fails (ENOENT)" \
	fails_with get3 'Netlink error: No such file or directory' \
	'no credential with this id'
run dump2 --dump cred-get
t "cred-get dump after del no longer lists $ID" js dump2 \
	"isinstance(r, list) and d is None and \
	 not any(x.get('id') == '$ID' for x in r)"
run del2 --do cred-del --json "{\"id\": \"$ID\"}"
t "cred-del again fails (ENOENT)" \
	fails_with del2 'Netlink error: No such file or directory'

[ "$n" -eq "$PLAN" ] || {
	echo "# ran $n tests, planned $PLAN"
	exit 1
}
[ "$failed" -eq 0 ] || {
	echo "# $failed of $PLAN failed"
	exit 1
}
exit 0
