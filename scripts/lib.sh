# SPDX-License-Identifier: GPL-2.0
#
# scripts/lib.sh - helpers shared by the layerfs build/test scripts.
#
# Sourced, never executed.  Provides:
#   REPO, CACHE, MANIFEST     where the repository and the kernel cache live
#   die/info/warn             messages on stderr, prefixed with the script name
#   load_manifest             read the cache manifest written by setup.sh
#   kver_of SERIES            "6.12" -> "6.12.117+deb12-amd64" (from the manifest)
#   kdir_of KVER              the kernel build directory for KVER
#   kver_of_kdir DIR          the kernel release a build directory was configured for
#
# The cache layout (created by scripts/setup.sh, never committed):
#   $CACHE/manifest                    KEY=value lines (valid sh and make syntax)
#   $CACHE/debs/                       linux-image-*.deb as downloaded by apt
#   $CACHE/kernels/<kver>/vmlinuz      the kernel the VM boots
#   $CACHE/kernels/<kver>/modules/     uncompressed overlay.ko (+ dependencies)
#   $CACHE/kernels/<kver>/modules/load-order   insmod order, one file name a line
#   $CACHE/linux-src/                  the few files we use from linux-source-6.12:
#                                      kselftest harness + lib.mk, checkpatch.pl

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LAYERFS_CACHE:-/var/cache/layerfs}
MANIFEST=$CACHE/manifest
PROG=$(basename "$0")

die()  { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
info() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# The two kernel series we support, newest first; the manifest key for each.
SERIES_ALL="6.12 6.1"
series_key() {
	case "$1" in
	6.12) echo KVER_6_12 ;;
	6.1)  echo KVER_6_1 ;;
	*)    die "unknown kernel series '$1' (expected 6.12 or 6.1)" ;;
	esac
}

load_manifest() {
	[ -r "$MANIFEST" ] || die "no $MANIFEST: run scripts/setup.sh (as root) first"
	# shellcheck disable=SC1090
	. "$MANIFEST"
}

kver_of() {
	local key
	key=$(series_key "$1")
	load_manifest
	[ -n "${!key:-}" ] || die "$MANIFEST has no $key: run scripts/setup.sh --refresh"
	echo "${!key}"
}

kdir_of() {
	local kdir=/usr/src/linux-headers-$1
	[ -d "$kdir" ] || die "$kdir missing: run scripts/setup.sh (as root)"
	echo "$kdir"
}

kver_of_kdir() {
	local rel=$1/include/config/kernel.release
	[ -r "$rel" ] || die "$1 is not a configured kernel build directory (no $rel)"
	cat "$rel"
}
