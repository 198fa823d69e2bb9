#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check.sh - build layerfs and run the selftests in a VM per kernel.
#
# Usage: scripts/check.sh [--kernel SERIES]... [--kdir DIR] [--tests REGEX]
#                         [--targs ARGS] [--env 'NAME=VALUE ...'] [--ko FILE]
#                         [--fstype layerfs|overlay]
#                         [--kimage BZIMAGE [--kmodules DIR]]
#
# Without --kernel/--kdir both kernels run, 6.12 then 6.1.  For each kernel:
# build layerfs.ko (scripts/build.sh), boot it with the selftests
# (scripts/vm.sh --mode check).  A failed build counts as one failure of that
# kernel and the next kernel still runs.  The last line printed is the sum over
# all runs: "N passed, N failed" or "N passed, N failed, N skipped"; the exit
# status is non-zero when anything failed.
#
# --ko FILE boots FILE as layerfs.ko instead of building one (e.g. the module
# DKMS built: scripts/package.sh dkms-test); it must match the one kernel
# named.  --fstype overlay runs the union-semantics selftests against the
# kernel's overlayfs instead of layerfs, the others reported as skipped
# (scripts/vm.sh).  --kimage boots a kernel you built (with --kdir its build
# directory, --kmodules where its modules are): scripts/kimage.sh checks its
# configuration against selftests/layerfs/config and lays it out for vm.sh.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=() kdir= vm_args=() ko= kimage= kmodules=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernels+=("${2:?}"); shift 2 ;;
	--kdir)   kdir=${2:?}; shift 2 ;;
	--tests)  vm_args+=(--tests "$2"); shift 2 ;;
	--targs)  vm_args+=(--targs "$2"); shift 2 ;;
	--env)    vm_args+=(--env "$2"); shift 2 ;;
	--kimage) kimage=${2:?}; shift 2 ;;
	--kmodules) kmodules=${2:?}; shift 2 ;;
	--fstype) vm_args+=(--fstype "${2:?}"); shift 2 ;;
	--ko)     ko=$(realpath "${2:?}"); vm_args+=(--ko "$ko"); shift 2 ;;
	-h|--help) usage 0 ;;
	*)        die "unknown argument '$1'" ;;
	esac
done
# A kernel you built: check its configuration, lay it out for vm.sh, and
# build layerfs.ko against its build directory (the only target).
if [ -n "$kimage" ]; then
	[ ${#kernels[@]} -eq 0 ] || die "KIMAGE= and KERNEL= exclude each other"
	{ read -r kdata; read -r kdir; } < <("$REPO/scripts/kimage.sh" --kimage "$kimage" \
		${kmodules:+--kmodules "$kmodules"} ${kdir:+--kdir "$kdir"} || echo)
	[ -n "$kdir" ] || exit 1
	vm_args+=(--kdata "$kdata")
fi
# Each entry is "--kernel SERIES" or "--kdir DIR", the options both scripts take.
targets=()
if [ -n "$kdir" ]; then
	targets+=("--kdir $kdir")
fi
for k in "${kernels[@]}"; do
	targets+=("--kernel $k")
done
if [ ${#targets[@]} -eq 0 ]; then
	for k in $SERIES_ALL; do
		targets+=("--kernel $k")
	done
fi

"$REPO/scripts/setup.sh"

passed=0 failed=0 skipped=0
for target in "${targets[@]}"; do
	# shellcheck disable=SC2086 # "--kernel 6.1" is two words on purpose
	set -- $target
	echo "======== layerfs check: $target ========"
	if [ -n "$ko" ]; then
		[ -s "$ko" ] || die "--ko $ko: no such module"
	elif ! "$REPO/scripts/build.sh" "$@" >/dev/null; then
		warn "build failed ($target)"
		failed=$((failed + 1))
		continue
	fi
	case "$1" in
	--kernel) resolve_kernel "$2" "" ;;
	--kdir)   resolve_kernel "" "$2" ;;
	esac
	# vm.sh leaves "passed failed skipped" here; no file means it broke.
	result=$REPO/build/$KVER/result-check
	rm -f "$result"
	"$REPO/scripts/vm.sh" --mode check "$@" ${vm_args[@]+"${vm_args[@]}"} || true
	if [ -r "$result" ]; then
		read -r p f s <"$result"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		failed=$((failed + 1))
	fi
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
