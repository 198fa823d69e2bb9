#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/walkthrough.sh - capture the function_graph trace of
# "echo x >> /merged/etc/motd" (a lower file copied up on open for write)
# in a VM, for Documentation/filesystems/layerfs-walkthrough.rst.
#
# Usage: scripts/walkthrough.sh [--kernel 6.12|6.1]     (make walkthrough)
#
# Builds layerfs.ko, boots the kernel in QEMU (scripts/vm.sh, check mode,
# with scripts/walkthrough/ as the only "selftest"), runs
# scripts/walkthrough/walkthrough_vm.sh there, and writes the raw trace to
# build/<kver>/walkthrough.trace and the listing of the layers after the
# write to build/<kver>/walkthrough.result.  Takes about a minute of boot
# under TCG plus the run.  Rerun it when the code changes and update the
# excerpts in the walkthrough document.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=6.12
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=${2:?}; shift 2 ;;
	-h|--help) usage 0 ;;
	*) warn "unknown argument '$1'"; usage 1 >&2 ;;
	esac
done
resolve_kernel "$series" ""

"$REPO/scripts/build.sh" --kernel "$series" >/dev/null
"$REPO/scripts/vm.sh" --mode check --kernel "$series" \
	--selftests "$REPO/scripts/walkthrough" >/dev/null || true

out=$REPO/build/$KVER
log=$out/console-check.log
tr -d '\r' <"$log" | sed -n 's/^# //p' >"$out/walkthrough.all"
sed -n '/==== walkthrough: trace begin/,/==== walkthrough: trace end/p' \
	"$out/walkthrough.all" | sed '1d;$d' >"$out/walkthrough.trace"
sed -n '/==== walkthrough: result/,$p' "$out/walkthrough.all" | sed '1d' \
	>"$out/walkthrough.result"
rm -f "$out/walkthrough.all"
[ -s "$out/walkthrough.trace" ] || die "no trace in $log"
info "$(grep -c . "$out/walkthrough.trace") trace lines in $out/walkthrough.trace"
info "layers after the write: $out/walkthrough.result"
