#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stress_ng.sh - Debian's stress-ng filesystem stressors on a merged mount.
#
# stress.c drives layerfs with workloads written for it; this test lets an
# independent tool loose on it.  Twenty stress-ng stressors of the
# "filesystem" class run at once, two instances each, with their scratch
# directories inside a merged directory (one that exists in the upper layer
# and in both lower layers, next to lower files).  The test passes when
# stress-ng reports no failed stressor (stressors that need something the
# VM lacks skip themselves), the lower layers are unchanged,
# work/ is empty, the lower files in the merged directory still read back,
# and the mount unmounts (no leaked reference).  The VM runner fails the run
# on any oops or warning in dmesg.
#
# stress-ng is dynamically linked: scripts/vm.sh copies it into the VM with
# its libraries when the host has it (scripts/setup.sh installs it).
#
# Environment: LAYERFS_STRESS_NG_SECS, seconds of the run (default 10);
# LAYERFS_TEST_FSTYPE, the filesystem to mount (default layerfs; overlay
# under make check FSTYPE=overlay).
# Runs in its own mount namespace, on a private tmpfs; prints KTAP; exit 0
# pass, 1 fail, 4 skip.

set -eu
set -o pipefail

SECS=${LAYERFS_STRESS_NG_SECS:-10}
STRESSORS="access chdir chmod chown copy-file dentry dir dirdeep dirmany
	fallocate fcntl filename flock fstat getdent link lockf mknod open
	rename symlink touch utime xattr"

. "$(dirname "$0")/sh_util.inc"
command -v stress-ng >/dev/null 2>&1 || lfs_sh_skip "stress-ng is not installed"
lfs_sh_start "$0" "$@"

# A listing of a layer that changes if anything in it does.
fingerprint() {
	(cd "$1" && find . | sort | while read -r p; do
		if [ -f "$p" ] && [ ! -L "$p" ]; then
			echo "$p $(stat -c '%s %a %Y' "$p") $(md5sum <"$p")"
		else
			echo "$p $(stat -c '%F %a' "$p")"
		fi
	done)
}

mkdir -p "$BASE/u/work" "$BASE/l1/work" "$BASE/l2/work" "$BASE/w"
for i in 1 2 3 4 5 6 7 8; do
	echo "l1 file $i" >"$BASE/l1/work/f$i"
	echo "l2 file $i" >"$BASE/l2/work/g$i"
done
mkdir "$BASE/l2/work/sub"
echo deep >"$BASE/l2/work/sub/deep"
before1=$(fingerprint "$BASE/l1")
before2=$(fingerprint "$BASE/l2")

echo "TAP version 13"
echo "1..3"

FSTYPE=${LAYERFS_TEST_FSTYPE:-layerfs}
mount -t "$FSTYPE" -o "lowerdir=$BASE/l1:$BASE/l2,upperdir=$BASE/u,workdir=$BASE/w" \
	"$FSTYPE" "$M"

# 1: the stressors, scratch space in the merged directory $M/work.
args=""
for s in $STRESSORS; do
	args="$args --$s 2"
done
rc=0
# shellcheck disable=SC2086 # $args is a list of options
stress-ng $args --timeout "${SECS}s" --temp-path "$M/work" \
	--metrics-brief 2>&1 | sed -e 's/^/# /' || rc=$?
# stress-ng's exit status: 0 all passed, 2 a stressor failed, 3 one could
# not run for lack of a resource or feature (e.g. user.* xattrs on a 6.1
# tmpfs upper layer), 4 one is not implemented on this system.
case "$rc" in
0 | 3 | 4) echo "ok 1 stressors" ;;
*)
	echo "# stress-ng exit status $rc (2: a stressor failed)"
	echo "not ok 1 stressors"
	;;
esac

# 2: the merged view and the layers afterwards.
fail=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$M/work/f$i")" = "l1 file $i" ] || { echo "# f$i changed"; fail=1; }
	[ "$(cat "$M/work/g$i")" = "l2 file $i" ] || { echo "# g$i changed"; fail=1; }
done
[ "$(cat "$M/work/sub/deep")" = deep ] || { echo "# sub/deep changed"; fail=1; }
[ "$(fingerprint "$BASE/l1")" = "$before1" ] || { echo "# lower l1 changed"; fail=1; }
[ "$(fingerprint "$BASE/l2")" = "$before2" ] || { echo "# lower l2 changed"; fail=1; }
left=$(ls -A "$BASE/w/work" | wc -l)
[ "$left" = 0 ] || { echo "# $left entries left in work/"; fail=1; }
if [ "$fail" = 0 ]; then
	echo "ok 2 layers_consistent"
else
	echo "not ok 2 layers_consistent"
fi

# 3: nothing still holds the mount.
if umount "$M"; then
	echo "ok 3 umount"
else
	echo "# umount: $?"
	echo "not ok 3 umount"
	fail=1
fi

case "$rc" in 0 | 3 | 4) ;; *) exit 1 ;; esac
[ "$fail" = 0 ]
