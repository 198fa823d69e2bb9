#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/build.sh - build fs/layerfs/layerfs.ko for one kernel.
#
# Usage: scripts/build.sh [--kernel 6.12|6.1|debug | --kdir DIR] [--clean] [MAKE_ARGS...]
#
# Runs the standard out-of-tree build (make -C <kdir> M=<repo> modules) and
# copies the result to build/<kver>/layerfs.ko, which is printed on stdout.
# Both kernels build in the same tree, so the tree is cleaned whenever the
# kernel differs from the previous build (recorded in build/last-kver), and
# always with --clean (lint uses that to see every warning).  MAKE_ARGS (e.g.
# W=1, C=2) go to kbuild.  --kernel debug first builds the debug kernel
# (scripts/debug-kernel.sh), which returns at once when it is cached.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=6.12 kdir= clean=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=${2:?--kernel needs 6.12 or 6.1}; shift 2 ;;
	--kdir)   kdir=${2:?--kdir needs a directory}; shift 2 ;;
	--clean)  clean=1; shift ;;
	-h|--help) usage 0 ;;
	*)        break ;;
	esac
done
if [ "$series" = debug ] && [ -z "$kdir" ]; then
	"$REPO/scripts/debug-kernel.sh" >/dev/null
fi
resolve_kernel "$series" "$kdir"

out=$REPO/build/$KVER
last=$REPO/build/last-kver
mkdir -p "$out"
if [ "$clean" = 1 ] || [ "$(cat "$last" 2>/dev/null)" != "$KVER" ]; then
	clean_kbuild_outputs
fi
echo "$KVER" >"$last"

info "building layerfs.ko for $KVER ($KDIR)"
cleanmake -C "$KDIR" M="$REPO" -j"$(nproc)" "$@" modules >&2 ||
	die "module build for $KVER failed"
cp "$REPO/fs/layerfs/layerfs.ko" "$out/layerfs.ko"
echo "$out/layerfs.ko"
