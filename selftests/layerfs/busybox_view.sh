#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# busybox_view.sh - layerfs as a user of the plain busybox userland sees it.
#
# The C tests drive the syscalls directly; this one checks that the
# ordinary tools work on a layerfs mount: mount(8) with -o options, cat, ls,
# stat, readlink, touch, mkdir, rm and shell appends (which land in the upper
# layer), rmmod while mounted (refused; the mount keeps working), umount.
#
# Runs in its own mount namespace (it re-executes itself under unshare -m),
# on a private tmpfs; prints KTAP; exit 0 pass, 1 fail, 4 skip.

set -eu
set -o pipefail

. "$(dirname "$0")/sh_util.inc"
lfs_sh_start "$0" "$@"

# Layers: u (upper), a, b (lowers), w (workdir); see each case for content.
mkdir -p "$BASE/u" "$BASE/a/d" "$BASE/b/d" "$BASE/w"
echo U >"$BASE/u/top"
echo A >"$BASE/a/top"
echo B >"$BASE/b/top"
echo A >"$BASE/a/d/fa"
echo B >"$BASE/b/d/fb"
echo B >"$BASE/b/gone"
mknod "$BASE/a/gone" c 0 0
ln -s d/fb "$BASE/b/link"
mkfifo "$BASE/b/pipe"
mknod "$BASE/b/null" c 1 3

OPTS="lowerdir=$BASE/a:$BASE/b,upperdir=$BASE/u,workdir=$BASE/w"

# --- helpers: print a diagnostic and return 1 on mismatch -----------------
expect_eq() { # expected actual what
	if [ "$1" != "$2" ]; then
		echo "# $3: expected '$1', got '$2'"
		return 1
	fi
}

expect_fail() { # what command...
	what=$1
	shift
	if "$@" 2>/dev/null; then
		echo "# $what: succeeded, expected failure"
		return 1
	fi
}

# --- cases -----------------------------------------------------------------

# mount(8) with the usual -o syntax, and the topmost layer's content wins.
case_mount_and_cat() {
	mount -t layerfs -o "$OPTS" layerfs "$M" || return 1
	expect_eq U "$(cat "$M/top")" "cat top" || return 1
	expect_eq B "$(cat "$M/d/fb")" "cat d/fb"
}

# ls shows the merged directory; the whited-out name is gone.
case_ls_merged() {
	expect_eq "d link null pipe top" "$(ls "$M" | tr '\n' ' ' | sed 's/ $//')" \
		"ls /" || return 1
	expect_eq "fa fb" "$(ls "$M/d" | tr '\n' ' ' | sed 's/ $//')" "ls d" || return 1
	expect_fail "stat gone" stat "$M/gone"
}

# stat(1) and readlink(1) see the real types.
case_stat_types() {
	expect_eq "symbolic link" "$(stat -c %F "$M/link")" "type of link" || return 1
	expect_eq "fifo" "$(stat -c %F "$M/pipe")" "type of pipe" || return 1
	expect_eq "character special file" "$(stat -c %F "$M/null")" \
		"type of null" || return 1
	expect_eq "1,3" "$(stat -c '%t,%T' "$M/null")" "rdev of null" || return 1
	expect_eq "d/fb" "$(readlink "$M/link")" "readlink link" || return 1
	expect_eq B "$(cat "$M/link")" "cat through link"
}

# /proc/mounts shows the type, "rw" and the options.
case_proc_mounts() {
	line=$(grep " $M layerfs " /proc/mounts) || {
		echo "# no layerfs line for $M in /proc/mounts"
		return 1
	}
	case "$line" in
	*" layerfs rw,"*) ;;
	*) echo "# not rw: $line"; return 1 ;;
	esac
	case "$line" in
	*"lowerdir=$BASE/a:$BASE/b"*"upperdir=$BASE/u"*"workdir=$BASE/w"*) ;;
	*) echo "# options missing: $line"; return 1 ;;
	esac
}

# Writing tools work: changes land in the upper layer, lowers stay as they
# were, and a removed lower name leaves a whiteout (a 0/0 char device).
case_write_tools() {
	touch "$M/new" || return 1
	[ -f "$BASE/u/new" ] || { echo "# new not in upper"; return 1; }
	mkdir "$M/newdir" || return 1
	[ -d "$BASE/u/newdir" ] || { echo "# newdir not in upper"; return 1; }
	echo x >>"$M/d/fb" || return 1
	expect_eq "B x" "$(cat "$M/d/fb" | tr '\n' ' ' | sed 's/ $//')" \
		"d/fb after append" || return 1
	expect_eq B "$(cat "$BASE/b/d/fb")" "lower d/fb after append" || return 1
	rm "$M/pipe" || return 1
	expect_fail "stat pipe" stat "$M/pipe" || return 1
	expect_eq "character special file 0,0" \
		"$(stat -c '%F %t,%T' "$BASE/u/pipe")" "whiteout for pipe" || return 1
	[ -p "$BASE/b/pipe" ] || { echo "# lower pipe gone"; return 1; }
	mount -o remount,rw "$M" || return 1
	expect_eq U "$(cat "$M/top")" "top after writes"
}

# rmmod while mounted fails and leaves the mount working.
case_rmmod_busy() {
	expect_fail "rmmod layerfs" rmmod layerfs || return 1
	grep -qw layerfs /proc/filesystems || {
		echo "# layerfs vanished from /proc/filesystems"
		return 1
	}
	expect_eq A "$(cat "$M/d/fa")" "cat after rmmod attempt"
}

# umount(8) works and the mount point is empty again.
case_umount() {
	umount "$M" || return 1
	expect_eq "" "$(ls "$M")" "mount point after umount"
}

# --- KTAP driver -------------------------------------------------------------
CASES="case_mount_and_cat case_ls_merged case_stat_types case_proc_mounts
case_write_tools case_rmmod_busy case_umount"

n=0 pass=0 fail=0
echo "TAP version 13"
echo "1..$(echo $CASES | wc -w)"
for c in $CASES; do
	n=$((n + 1))
	name=${c#case_}
	if $c; then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		echo "not ok $n $name"
		fail=$((fail + 1))
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
