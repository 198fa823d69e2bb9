# SPDX-License-Identifier: GPL-2.0
#
# scripts/lib.sh - helpers shared by the layerfs build/test scripts.
#
# Sourced, never executed.  Provides:
#   REPO, CACHE, MANIFEST     where the repository and the kernel cache live
#   die/info/warn             messages on stderr, prefixed with the script name
#   usage [STATUS]            print the calling script's header comment, exit
#   load_manifest             read the cache manifest written by setup.sh
#   kver_of SERIES            "6.12" -> "6.12.117+deb12-amd64" (from the manifest)
#   kdir_of KVER              the kernel build directory for KVER
#   kver_of_kdir DIR          the kernel release a build directory was configured for
#   resolve_kernel SERIES DIR  set KDIR and KVER ("debug" is the kernel that
#                             scripts/debug-kernel.sh builds)
#
# The cache layout (created by scripts/setup.sh, never committed):
#   $CACHE/manifest                    KEY=value lines (valid sh and make syntax)
#   $CACHE/debs/                       linux-image-*.deb as downloaded by apt
#   $CACHE/kernels/<kver>/vmlinuz      the kernel the VM boots
#   $CACHE/kernels/<kver>/config       its configuration
#   $CACHE/kernels/<kver>/modules/     uncompressed overlay.ko (+ dependencies),
#                                      and loop, squashfs, ext4, xfs, quota_v2,
#                                      fuse, btrfs (+ dependencies)
#   $CACHE/kernels/<kver>/modules/load-order   insmod order at boot, one file
#                                      name a line
#   $CACHE/kernels/<kver>/modules/fs-modules   "NAME FILE.ko ..." a line: the
#                                      modules loaded on demand by lfs_make_fs()
#   $CACHE/linux-src/                  the few files we use from linux-source-6.12:
#                                      kselftest harness + lib.mk, checkpatch.pl
#   $CACHE/kernels/debug/              the debug kernel, laid out the same, plus
#                                      build/ (its kernel build directory), kver;
#                                      $CACHE/kernels/<its kver> links to it
#                                      (scripts/debug-kernel.sh)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LAYERFS_CACHE:-/var/cache/layerfs}
MANIFEST=$CACHE/manifest
PROG=$(basename "$0")

die()  { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
info() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# The header comment of every script (after the shebang and SPDX lines) is
# its help text.
usage() {
	awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0"
	exit "${1:-0}"
}

# The two kernel series we support, newest first; the manifest key for each.
SERIES_ALL="6.12 6.1"
series_key() {
	case "$1" in
	6.12) echo KVER_6_12 ;;
	6.1)  echo KVER_6_1 ;;
	*)    die "unknown kernel series '$1' (expected 6.12, 6.1 or debug)" ;;
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
	# UTS_RELEASE is what "uname -r" says in the VM (Debian's 6.1 headers
	# have "6.1.NNN" in include/config/kernel.release, not the ABI name).
	local uts=$1/include/generated/utsrelease.h
	[ -r "$uts" ] || die "$1 is not a configured kernel build directory (no $uts)"
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts"
}

# Remove kbuild's output from the source tree (what "make M=. clean" removes),
# but leave build/ alone: kbuild's own clean deletes every *.ko under M=,
# including the per-kernel copies in build/<kver>/.
clean_kbuild_outputs() {
	find "$REPO/fs" -type f \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' -o -name '*.dwo' \
		-o -name 'modules.order' -o -name '*.symversions' \) -delete
	find "$REPO" -maxdepth 1 -type f \( -name '*.o' -o -name '.*.cmd' \
		-o -name 'modules.order' -o -name 'Module.symvers' \) -delete
}

# Run make without the caller's make state: a top-level "make check T=x
# KERNEL=6.1" must not leak T=, KERNEL= or MAKELEVEL into kbuild or lib.mk.
cleanmake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make "$@"
}

# Parse the common "--kernel SERIES | --kdir DIR" options into KDIR and KVER.
# Without a manifest (setup.sh not run yet) fall back to the newest headers of
# the series installed on the host, so a plain "make" works on a dev box.
resolve_kernel() {
	local series=$1 kdir=$2
	if [ -n "$kdir" ]; then
		KDIR=$(cd "$kdir" && pwd) || die "KDIR=$kdir does not exist"
		KVER=$(kver_of_kdir "$KDIR")
		return
	fi
	if [ "$series" = debug ]; then
		[ -r "$CACHE/kernels/debug/kver" ] ||
			die "no debug kernel in $CACHE/kernels/debug: run scripts/debug-kernel.sh"
		KDIR=$CACHE/kernels/debug/build
		KVER=$(cat "$CACHE/kernels/debug/kver")
		return
	fi
	if [ -r "$MANIFEST" ]; then
		KVER=$(kver_of "$series")
	else
		local pat
		case "$series" in
		6.12) pat='linux-headers-6.12.*+deb12-amd64' ;;
		6.1)  pat='linux-headers-6.1.0-*-amd64' ;;
		*)    series_key "$series" >/dev/null ;;
		esac
		# shellcheck disable=SC2086 # $pat is a glob on purpose
		KVER=$(cd /usr/src && ls -d $pat 2>/dev/null | sort -V | tail -n 1 |
			sed 's/^linux-headers-//') || true
		[ -n "$KVER" ] || die "no $series headers installed: run scripts/setup.sh (as root)"
	fi
	KDIR=$(kdir_of "$KVER")
}
