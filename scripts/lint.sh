#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/lint.sh - style and static checks of the layerfs module.
#
# Usage: scripts/lint.sh [--kernel SERIES]... [--kdir DIR]
#
#  * checkpatch.pl --no-tree --strict -f over fs/layerfs/*.[ch] (the script
#    comes from linux-source-6.12 in the cache; CHECKs count as problems too);
#  * a clean W=1 build for each kernel (default: 6.12 and 6.1);
#  * sparse (C=2) for each kernel;
#  * Documentation/filesystems/*.rst parsed by docutils, which must report
#    nothing at level WARNING or above (python3-docutils).
# Prints a summary; the exit status is non-zero on any warning or error.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--kdir) targets+=("$1 ${2:?}"); shift 2 ;;
	-h|--help) usage 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=("--kernel 6.12" "--kernel 6.1")

checkpatch=$CACHE/linux-src/scripts/checkpatch.pl
[ -r "$checkpatch" ] || die "$checkpatch missing: run scripts/setup.sh"
command -v sparse >/dev/null || die "sparse missing: run scripts/setup.sh"
python3 -c 'import docutils' 2>/dev/null ||
	die "python3 docutils missing: run scripts/setup.sh"

logdir=$REPO/build/lint
mkdir -p "$logdir"
problems=0
summary=()

# note NAME LOG COUNT: record one check's result.
note() {
	local name=$1 log=$2 count=$3
	if [ "$count" = 0 ]; then
		summary+=("  ok    $name")
	else
		summary+=("  FAIL  $name: $count problem(s), see $log")
		problems=$((problems + count))
	fi
}

# Diagnostics of gcc and sparse: "file:line:col: warning: ..." (and errors).
count_diagnostics() {
	grep -cE '(warning|error):' "$1" || true
}

echo "== checkpatch --strict"
log=$logdir/checkpatch.log
# The sources, without kbuild's generated layerfs.mod.c.
sources=()
for f in "$REPO"/fs/layerfs/*.[ch]; do
	case "$f" in *.mod.c) ;; *) sources+=("$f") ;; esac
done
# Run from a scratch directory: in a git tree checkpatch leaves a
# .checkpatch-camelcase.git. cache file in the current directory.
#
# compat.h is the one file whose job is to test the kernel version, which
# checkpatch rightly discourages everywhere else: it is checked like the
# rest, except for those two version-test warnings.
version_ok="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON"
scratch=$(mktemp -d)
{
	for f in "${sources[@]}"; do
		ignore=
		[ "${f##*/}" = compat.h ] && ignore=$version_ok
		# shellcheck disable=SC2086 # $ignore is two words or none
		(cd "$scratch" && perl "$checkpatch" --no-tree --strict \
			--show-types $ignore -f "$f") || true
	done
} >"$log" 2>&1
rm -rf "$scratch"
grep -E '^(ERROR|WARNING|CHECK):' -A3 "$log" || true
count=$(grep -cE '^(ERROR|WARNING|CHECK):' "$log" || true)
note "checkpatch --strict" "$log" "$count"

for target in "${targets[@]}"; do
	# shellcheck disable=SC2086 # "--kernel 6.1" is two words on purpose
	set -- $target
	name=${2##*/}

	echo "== W=1 build ($target)"
	log=$logdir/w1-$name.log
	"$REPO/scripts/build.sh" "$@" --clean W=1 >/dev/null 2>"$log" ||
		echo "error: build failed" >>"$log"
	grep -E '(warning|error):' "$log" || true
	note "W=1 build ($target)" "$log" "$(count_diagnostics "$log")"

	echo "== sparse C=2 ($target)"
	log=$logdir/sparse-$name.log
	"$REPO/scripts/build.sh" "$@" C=2 >/dev/null 2>"$log" ||
		echo "error: build failed" >>"$log"
	grep -E '(warning|error):' "$log" || true
	note "sparse C=2 ($target)" "$log" "$(count_diagnostics "$log")"
done

echo "== reStructuredText (docutils)"
log=$logdir/rst.log
python3 - "$REPO"/Documentation/filesystems/*.rst >"$log" 2>&1 <<'EOF' || true
import io
import sys

import docutils.core

for path in sys.argv[1:]:
    messages = io.StringIO()
    with open(path, encoding="utf-8") as f:
        docutils.core.publish_doctree(
            f.read(), source_path=path,
            settings_overrides={"warning_stream": messages,
                                "report_level": 2, "halt_level": 5})
    sys.stdout.write(messages.getvalue())
EOF
cat "$log"
# A docutils message is "<file>:<line>: (LEVEL/n) ..."; a crash counts too.
count=$(grep -cE '[(](WARNING|ERROR|SEVERE)/|^Traceback' "$log" || true)
note "rst (docutils)" "$log" "$count"

echo
echo "lint summary:"
printf '%s\n' "${summary[@]}"
if [ "$problems" = 0 ]; then
	echo "lint: clean"
else
	echo "lint: $problems problem(s)"
	exit 1
fi
