#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/grade.sh - build a student's layerfs and grade one lab in the VM.
#
# Usage: scripts/grade.sh [--kernel 6.12|6.1] [--student DIR] [--build-only]
#                         [--strict] [--quiet] [LAB...]
#
# LAB is a lab's number or name (labs/NN-NAME.lab); inside a student tree
# made by "make lab" it defaults to the lab named in ./.lab.  Several labs
# are graded in one VM run (labcheck grades the reference that way); their
# env lines are then all given, a later lab's value of a name winning.  The module is
# built from the student's fs/layerfs (DIR, default this tree) in a copy
# under build/grade/src-<kver>/, so the student's tree is left as it was; the
# selftests, the lab file and its points are this tree's.  Graded from the
# reference tree (make grade STUDENT=DIR), the lab file's [hidden] section
# (which "make lab" strips from the student tree) is graded too.
#
# One VM boot (scripts/vm.sh, default kernel 6.12) runs the lab's test
# programs, each narrowed to the lab's cases with the harness's "-r
# fixture.test", with the lab's env lines as environment.  Each case is
# printed with its points (a case that did not report "ok" scores 0; a
# skipped case too), then "score: N/M".  The per-case results ("PASS|FAIL
# points program case") and the score ("N M") are left in
# build/grade/NAME/<kver>.cases and .score (scripts/labcheck.sh reads them).
# --build-only stops after the build; with it or --strict, a warning fails
# the build (labcheck's rule for skeletons).
# Exit status: 0 when the grading ran (whatever the score; a VM that hung
# or panicked scores the cases reported before), 1 when the build failed,
# 2 when the VM did not start.

set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$REPO/scripts/lab.sh"

series=6.12 student=$REPO build_only=0 strict=0 quiet=0 labs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel)     series=${2:?}; shift 2 ;;
	--student)    student=$(cd "${2:?}" && pwd) || die "no student tree ${2}"; shift 2 ;;
	--build-only) build_only=1 strict=1; shift ;;
	--strict)     strict=1; shift ;;
	--quiet)      quiet=1; shift ;;
	-h|--help)    usage 0 ;;
	-*)           die "unknown argument '$1'" ;;
	*)            labs+=("$1"); shift ;;
	esac
done
if [ ${#labs[@]} -eq 0 ]; then
	[ -r "$student/.lab" ] || [ -r "$REPO/.lab" ] ||
		die "which lab? LAB=name or number (not a student tree: no .lab)"
	labs=("$(cat "$student/.lab" 2>/dev/null || cat "$REPO/.lab")")
fi
files=() names=()
for lab in "${labs[@]}"; do
	files+=("$(lab_file "$lab")")
	names+=("$(sed -n 's/^lab[[:space:]]\+//p' "${files[-1]}")")
done
name=$(IFS=+; echo "${names[*]}")
resolve_kernel "$series" ""

# ------------------------------------------------------------------ build

work=$REPO/build/grade/$name
mkdir -p "$work"
# One build directory per kernel for every grading: the student's sources
# are copied in by content (rsync -c, without their times), so only the
# files that differ from the previous build get a new time and are
# compiled again -- grading lab after lab (labcheck) recompiles one or two
# files, not nine.  A warning in a file shows when that file is compiled,
# and every file whose content changed is.  flock: one build at a time.
src=$REPO/build/grade/src-$KVER
ko=$work/layerfs-$KVER.ko
blog=$work/build-$KVER.log
mkdir -p "$src/fs/layerfs"
exec 9>"$src.lock"
flock 9
rsync -rc --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude=modules.order \
	--exclude=Module.symvers --exclude='*.symvers' --exclude='*.a' \
	--exclude='*.dwo' "$student/fs/layerfs/" "$src/fs/layerfs/"
cmp -s "$REPO/Kbuild" "$src/Kbuild" || cp "$REPO/Kbuild" "$src/Kbuild"
# The ioctl ABI header (include/uapi/linux/layerfs.h) is the module's too.
mkdir -p "$src/include"
rsync -rc --delete "$student/include/" "$src/include/"
info "building ${student}/fs/layerfs for $KVER"
rm -f "$ko"
if ! cleanmake -C "$KDIR" M="$src" -j"$(nproc)" modules >"$blog" 2>&1; then
	grep -E 'error|warning' "$blog" | head -n 30 >&2 || tail -n 30 "$blog" >&2
	warn "the module does not build for $KVER (full log: $blog)"
	exit 1
fi
cp "$src/fs/layerfs/layerfs.ko" "$ko"
exec 9>&-
if grep -q 'warning:' "$blog"; then
	grep -A3 'warning:' "$blog" >&2
	warn "the module builds with warnings for $KVER (full log: $blog)"
	[ "$strict" = 1 ] && exit 1
fi
[ "$build_only" = 1 ] && { info "built $ko"; exit 0; }

# --------------------------------------------------------------- the run

# "test PROGRAM CASE POINTS" lines, and "env NAME=VALUE" lines; after a
# "[hidden]" line they are hidden tests (none in a student tree).
cases=$(for i in "${!files[@]}"; do
	awk -v lab="${names[i]}" '/^\[hidden\]/ { h = 1 }
		$1 == "test" && NF == 4 { print $2, $3, $4, h ? "hidden" : "-", lab }' "${files[i]}"
done)
[ -n "$cases" ] || die "${files[*]} list no test"
progs=$(echo "$cases" | awk '{ print $1 }' | sort -u | paste -sd'|')
targs=$(echo "$cases" | awk '{ printf "-r %s ", $2 }')
tenv=$(awk '$1 == "env" { $1 = ""; printf "%s ", $0 }' "${files[@]}")

for n in "${names[@]}"; do
	mkdir -p "$REPO/build/grade/$n"
	rm -f "$REPO/build/grade/$n/$KVER.cases" "$REPO/build/grade/$n/$KVER.score"
done
info "grading lab $name on $KVER: $(echo "$cases" | wc -l) cases from $progs"
vmlog=$work/vm-$KVER.log
console=$REPO/build/$KVER/console-check.log
rm -f "$console"
if [ "$quiet" = 1 ]; then
	"$REPO/scripts/vm.sh" --mode check --kernel "$series" --ko "$ko" \
		--tests "^($progs)\$" --targs "$targs" --env "$tenv" >"$vmlog" 2>&1 || true
else
	"$REPO/scripts/vm.sh" --mode check --kernel "$series" --ko "$ko" \
		--tests "^($progs)\$" --targs "$targs" --env "$tenv" 2>&1 | tee "$vmlog" || true
fi
[ -s "$console" ] || { warn "the VM did not start (see $vmlog)"; exit 2; }
grep -q '==== layerfs-vm: exit ====' "$console" ||
	warn "the VM run did not finish (a hang, a panic, a timeout: see $console);" \
	     "the cases that did not report score 0"

# Each case's result line in the console, inside its program's section:
# "# ok N fixture.test" or "# not ok N fixture.test".  Each lab's cases go
# to build/grade/LAB/<kver>.cases, its score to .score.
tr -d '\r' <"$console" | awk -v cases="$cases" -v dir="$REPO/build/grade" -v kver="$KVER" '
BEGIN {
	n = split(cases, line, "\n")
	for (i = 1; i <= n; i++) {
		split(line[i], f, " ")
		prog[i] = f[1]; name[i] = f[2]; pts[i] = f[3]; hid[i] = f[4]
		lab[i] = f[5]
		res[f[1] " " f[2]] = "FAIL"
	}
}
/^# selftests: layerfs: / { cur = $4; next }
/^# (not )?ok [0-9]+ / {
	notok = ($2 == "not")
	c = notok ? $5 : $4
	if (!notok && $0 !~ /# SKIP/)
		res[cur " " c] = "PASS"
	else if ($0 ~ /# SKIP/)
		res[cur " " c] = "SKIP"
}
END {
	for (i = 1; i <= n; i++) {
		l = lab[i]
		if (l != last)
			printf "\nlab %s, %s:\n", l, kver
		last = l
		r = res[prog[i] " " name[i]]
		got = r == "PASS" ? pts[i] : 0
		score[l] += got; max[l] += pts[i]
		printf "  %-4s %3d/%-3d %s: %s%s\n", r, got, pts[i], prog[i], name[i],
		       hid[i] == "hidden" ? "  (hidden)" : ""
		printf "%s %d %s %s\n", r, pts[i], prog[i], name[i] > (dir "/" l "/" kver ".cases")
		if (i == n || lab[i + 1] != l) {
			printf "score: %d/%d\n", score[l], max[l]
			printf "%d %d\n", score[l], max[l] > (dir "/" l "/" kver ".score")
		}
	}
}'
if grep -q '^verdict: the kernel reported problems' "$vmlog"; then
	warn "the kernel reported problems during the run (BUG, WARNING, lockdep...): see $console"
fi
exit 0
