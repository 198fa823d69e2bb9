#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/bench.sh - layerfs vs overlayfs vs plain tmpfs, one VM per kernel.
#
# Usage: scripts/bench.sh [--kernel SERIES]... [--kdir DIR] [--args ARGS]
#
#   --args ARGS   arguments for bench/layerfs-bench (e.g. "-r 3 -c stat")
#
# Without --kernel/--kdir both kernels run, 6.12 then 6.1.  Builds the static
# benchmark program (bench/layerfs-bench.c) and a tarball of a real source
# tree (headers from the host's /usr/include, about 2,000 files) into
# build/bench/, then for each kernel builds layerfs.ko and boots it with
# scripts/vm.sh --mode bench.  Each kernel's table is printed and kept in
# build/<kver>/bench.txt.  Timings never fail the run; the exit status is
# non-zero only when a build, a VM or a benchmark operation failed.
# Results are recorded in Documentation/filesystems/layerfs-benchmarks.rst.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=() kdir= args=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernels+=("${2:?}"); shift 2 ;;
	--kdir)   kdir=${2:?}; shift 2 ;;
	--args)   args=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	*)        die "unknown argument '$1'" ;;
	esac
done
targets=()
[ -z "$kdir" ] || targets+=("--kdir $kdir")
for k in ${kernels[@]+"${kernels[@]}"}; do
	targets+=("--kernel $k")
done
if [ ${#targets[@]} -eq 0 ]; then
	for k in $SERIES_ALL; do
		targets+=("--kernel $k")
	done
fi

"$REPO/scripts/setup.sh"

out=$REPO/build/bench
rm -rf "$out"
mkdir -p "$out"
gcc -static -O2 -Wall -Wextra -o "$out/layerfs-bench" "$REPO/bench/layerfs-bench.c" ||
	die "cannot build bench/layerfs-bench.c"
# The source tree untarred and removed in the VM: real C headers, not
# committed, built afresh from the host each time.
srcdirs=()
for d in linux asm-generic x86_64-linux-gnu c++; do
	[ -d "/usr/include/$d" ] && srcdirs+=("include/$d")
done
[ ${#srcdirs[@]} -gt 0 ] || die "no headers in /usr/include to make the source tarball"
tar -C /usr -cf "$out/src.tar" --owner=0 --group=0 "${srcdirs[@]}"
info "source tarball: $(tar -tf "$out/src.tar" | grep -vc '/$') files," \
	"$(($(stat -c %s "$out/src.tar") >> 20)) MiB"

status=0
for target in "${targets[@]}"; do
	# shellcheck disable=SC2086 # "--kernel 6.1" is two words on purpose
	set -- $target
	echo "======== layerfs bench: $target ========"
	if ! "$REPO/scripts/build.sh" "$@" >/dev/null; then
		warn "build failed ($target)"
		status=1
		continue
	fi
	case "$1" in
	--kernel) resolve_kernel "$2" "" ;;
	--kdir)   resolve_kernel "" "$2" ;;
	esac
	# Progress as it comes, without the per-run "raw" lines (those stay
	# in build/<kver>/console-bench.log).
	LAYERFS_BENCH_ARGS=$args "$REPO/scripts/vm.sh" --mode bench "$@" |
		grep --line-buffered -v '^raw ' || status=1
	# The table: from its first rule to the total line.
	tr -d '\r' <"$REPO/build/$KVER/console-bench.log" |
		awk '/^bench: [0-9]+ runs/ { print } /^=====/ { on = 1 }
		     on { print } /^bench: total/ { on = 0 }' >"$REPO/build/$KVER/bench.txt"
done
exit "$status"
