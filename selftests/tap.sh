# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# tap.sh - the TAP lines of the shell tests; sourced by them, which set
#   TAP_NAME	the start of every description ("e2e", "modprobe", ...)
#   TAP_WHY	a file: what it holds when a test fails is printed under
#		it as "# " lines; emptied after every test
#   TAP_LOGS	optional, "LABEL=FILE ...": the last TAP_LOG_LINES (10)
#		lines of each FILE are printed under a failed test as well
# and read $n (tests so far) and $fails (failed so far) at the end.

n=0
fails=0

# ok STATUS DESCRIPTION: one test, passed if STATUS is 0.
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $TAP_NAME: $2"
	else
		echo "not ok $n $TAP_NAME: $2"
		fails=$((fails + 1))
		[ -s "$TAP_WHY" ] && sed 's/^/# /' "$TAP_WHY"
		for tap_log in ${TAP_LOGS:-}; do
			tail -n "${TAP_LOG_LINES:-10}" "${tap_log#*=}" 2>/dev/null |
				sed "s|^|# ${tap_log%%=*}: |"
		done
	fi
	: >"$TAP_WHY"
}

# check DESCRIPTION COMMAND...: one test, passed if COMMAND succeeds; what
# it printed explains a failure.
check() {
	tap_desc=$1
	shift
	"$@" >"$TAP_WHY" 2>&1
	ok $? "$tap_desc"
}
