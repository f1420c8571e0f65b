#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the SCM_ZC_NOTIFICATION smoke check inside the test VM:
#   kernel/vm run -- kernel/patches-check/run.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/zc_smoke.$$
gcc -O2 -Wall -o "$out" "$here/zc_smoke.c"
"$out"
