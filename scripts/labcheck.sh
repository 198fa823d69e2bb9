#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/labcheck.sh - prove the labs: each skeleton builds and fails its
# tests, the reference passes them.
#
# Usage: scripts/labcheck.sh [--kernel 6.12|6.1] [LAB...]
#
# For every lab (labs/NN-NAME.lab, or the LABs named), in order:
#  1. make the student tree (scripts/lab.sh) in build/labcheck/lab-NAME,
#     and check that the handout lists the lab file's public cases and
#     points;
#  2. build its module for both kernels, 6.12 and 6.1, with no warning
#     (scripts/grade.sh --build-only);
#  3. grade the skeleton on one kernel (--kernel, default 6.12), hidden
#     cases included: EVERY graded case must fail (a case that passes on
#     the skeleton tests something the lab does not cut, and gives points
#     for nothing);
#  4. grade the reference (this tree) on the same kernel: full score, for
#     all the labs in one VM run (the module is the same for every lab).
# One line per lab says what held; the last line is "N passed, N failed",
# a lab counting as one, and the exit status is non-zero when any failed.

set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$REPO/scripts/lab.sh"

series=6.12 labs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=${2:?}; shift 2 ;;
	-h|--help) usage 0 ;;
	*)        labs+=("$1"); shift ;;
	esac
done
if [ ${#labs[@]} -eq 0 ]; then
	for f in "$REPO"/labs/[0-9][0-9]-*.lab; do
		labs+=("$(basename "$f" .lab)")
	done
fi
"$REPO/scripts/setup.sh"
resolve_kernel "$series" ""

passed=0 failed=0
start=$SECONDS
names=() whys=() skel_scores=()
for lab in "${labs[@]}"; do
	t0=$SECONDS
	[[ $lab =~ ^[0-9][0-9]- ]] && lab=${lab%%-*}
	file=$(lab_file "$lab")
	name=$(sed -n 's/^lab[[:space:]]\+//p' "$file")
	echo "======== labcheck: $name ($(basename "$file")): the skeleton ========"
	skel=$REPO/build/labcheck/lab-$name
	res=$REPO/build/grade/$name/$KVER
	why=
	"$REPO/scripts/lab.sh" --force "$name" "$skel" >/dev/null || why="make lab failed"
	# The handout's table of public cases must match the lab file.
	handout=$REPO/$(sed -n 's/^handout[[:space:]]\+//p' "$file")
	for c in $(awk '/^\[hidden\]/ { exit } $1 == "test" { print $2 ":" $3 ":" $4 }' "$file"); do
		IFS=: read -r p cs pts <<<"$c"
		grep -qE "^ +$p +$cs +$pts\$" "$handout" 2>/dev/null ||
			why="${why:+$why; }$handout does not list $cs ($p, $pts points)"
	done
	# The kernel the tests run on is built by the grading below.
	for k in $SERIES_ALL; do
		[ -z "$why" ] && [ "$k" != "$series" ] || continue
		"$REPO/scripts/grade.sh" --build-only --kernel "$k" --student "$skel" "$name" \
			>/dev/null || why="the skeleton does not build cleanly on $k"
	done
	if [ -z "$why" ]; then
		if ! "$REPO/scripts/grade.sh" --strict --quiet --kernel "$series" --student "$skel" \
			"$name"; then
			why="grading the skeleton broke (or it does not build cleanly on $series)"
		elif grep -q '^PASS' "$res.cases"; then
			why="the skeleton passes $(awk '$1 == "PASS" { printf "%s ", $4 }' "$res.cases")"
		fi
	fi
	names+=("$name") whys+=("$why")
	skel_scores+=("$(cat "$res.score" 2>/dev/null || echo "? ?")")
	echo "labcheck: $name: skeleton checked in $((SECONDS - t0))s"
done

# The reference is the same module for every lab: one VM run grades all.
echo "======== labcheck: the reference ========"
t0=$SECONDS
ref_ok=1
"$REPO/scripts/grade.sh" --quiet --kernel "$series" "${names[@]}" || ref_ok=0
echo "labcheck: the reference graded in $((SECONDS - t0))s"

echo
for i in "${!names[@]}"; do
	name=${names[i]} why=${whys[i]}
	res=$REPO/build/grade/$name/$KVER
	read -r skel_score max <<<"${skel_scores[i]}"
	ref_score=?
	if [ "$ref_ok" = 0 ] || [ ! -r "$res.score" ]; then
		why=${why:-grading the reference broke}
	else
		read -r ref_score ref_max <"$res.score"
		[ "$ref_score" = "$ref_max" ] || why="${why:+$why; }the reference scores" \
			"$ref_score/$ref_max, failing $(awk '$1 != "PASS" { printf "%s ", $4 }' "$res.cases")"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "labcheck: $name ok: the skeleton builds cleanly on ${SERIES_ALL// / and }" \
		     "and scores $skel_score/$max on $series, every case failing;" \
		     "the reference scores $ref_score/$ref_max"
	else
		failed=$((failed + 1))
		echo "labcheck: $name FAILED: $why"
	fi
done
echo "labcheck: ${#names[@]} labs in $((SECONDS - start))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
