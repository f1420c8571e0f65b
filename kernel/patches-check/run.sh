#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Smoke check of the SCM_ZC_NOTIFICATION patches, run from the host:
#   kernel/patches-check/run.sh [kernel/vm run options]
# Builds zc_smoke as a 64-bit and a 32-bit (-m32 -static, compat tasks)
# binary against the patched uapi headers (installing gcc-multilib if
# needed), boots the patched kernel once and runs both with the loopback
# sysctl off (completions must say COPIED) and on (they must say zerocopy).
# kernel/run-selftests runs the same binaries in the debug build, after the
# kselftest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/../vm" ensure-m32
hdr=$("$here/../vm" headers-dir)/include
work=$(mktemp -d /tmp/zc-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Werror -isystem "$hdr" -o "$work/zc_smoke64" "$here/zc_smoke.c"
gcc -m32 -static -O2 -Wall -Werror -isystem "$hdr" -o "$work/zc_smoke32" "$here/zc_smoke.c"
bins="$work/zc_smoke64 $work/zc_smoke32"
"$here/../vm" run --workdir "$work" "$@" -- bash -c '
	rc=0
	for b in '"$bins"'; do "$b" || rc=1; done
	echo 1 > /proc/sys/net/core/msg_zerocopy_loopback
	for b in '"$bins"'; do "$b" || rc=1; done
	exit $rc'
