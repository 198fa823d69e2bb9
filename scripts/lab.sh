#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/lab.sh - make the student tree of one lab.
#
# Usage: scripts/lab.sh [--force] LAB [DIR]
#
# LAB is a lab's number or name (labs/NN-NAME.lab: "3", "03", "copy-up").
# DIR (default ./lab-NAME) becomes a copy of this tree without .git, build
# products or other student trees, in which labs/cut.py has replaced the
# regions that labs/NN-NAME.lab's "lab" name marks in fs/layerfs/*.c by
# stubs (the markers stay, so the student sees where to work), and from
# which every lab file's [hidden] section is gone.  DIR/.lab names the lab,
# so "make grade" inside DIR needs no LAB=.  An existing DIR is refused
# unless --force (which replaces it: the student's work there is lost).
# Prints DIR.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Find labs/NN-NAME.lab from "N", "NN" or "NAME"; prints its path.
lab_file() {
	local want=$1 f base
	for f in "$REPO"/labs/[0-9][0-9]-*.lab; do
		base=$(basename "$f" .lab)
		if [ "$want" = "${base#*-}" ] || [ "$want" = "${base%%-*}" ] ||
		   { [[ $want =~ ^[0-9]$ ]] && [ "0$want" = "${base%%-*}" ]; }; then
			echo "$f"
			return 0
		fi
	done
	die "no lab '$want' (labs: $(cd "$REPO/labs" && ls [0-9][0-9]-*.lab | sed 's/\.lab$//' | tr '\n' ' '))"
}

# Only when run, not when grade.sh sources this file for lab_file().
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

force=0
[ "${1:-}" = --force ] && { force=1; shift; }
[ $# -ge 1 ] || usage 1
case "$1" in -h|--help) usage 0 ;; esac
file=$(lab_file "$1")
name=$(sed -n 's/^lab[[:space:]]\+//p' "$file")
dir=${2:-$PWD/lab-$name}

if [ -e "$dir" ]; then
	[ "$force" = 1 ] || die "$dir exists (--force, or FORCE=1 with make, replaces it)"
	rm -rf "$dir"
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The tree as it is on disk (an instructor's uncommitted changes included),
# without what is not source.
rsync -a --exclude=/.git --exclude=/build/ --exclude='/lab-*/' \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude=modules.order --exclude=Module.symvers \
	--exclude="/${dir#"$REPO"/}/" "$REPO/" "$dir/"
# Built selftest programs (every *.c there is one).
for c in "$dir"/selftests/layerfs/*.c; do
	rm -f "${c%.c}"
done

n=$(python3 "$REPO/labs/cut.py" "$name" "$dir"/fs/layerfs/*.c)
for f in "$dir"/labs/*.lab; do
	sed -i '/^\[hidden\]/,$d' "$f"
done
echo "$name" >"$dir/.lab"
info "lab $name: $n marked region(s) stubbed in $dir/fs/layerfs"
echo "$dir"
