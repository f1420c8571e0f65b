#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Smoke check of the SCM_ZC_NOTIFICATION patches, run from the host:
#   kernel/patches-check/run.sh
# Builds zc_smoke (64-bit, and 32-bit if gcc-multilib is installed) on the
# host, boots the patched kernel once and runs it with the loopback sysctl
# off (completions must say COPIED) and on (they must say zerocopy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/zc-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/zc_smoke64" "$here/zc_smoke.c"
bins="$work/zc_smoke64"
if gcc -m32 -static -O2 -Wall -o "$work/zc_smoke32" "$here/zc_smoke.c" 2>/dev/null; then
	bins="$bins $work/zc_smoke32"
else
	echo "note: no gcc-multilib, skipping the 32-bit (compat) run" >&2
fi
"$here/../vm" run --workdir "$work" "$@" -- bash -c '
	rc=0
	for b in '"$bins"'; do "$b" || rc=1; done
	echo 1 > /proc/sys/net/core/msg_zerocopy_loopback
	for b in '"$bins"'; do "$b" || rc=1; done
	exit $rc'
