#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/verdict.sh - judge one VM run from its console log.
#
# Usage: scripts/verdict.sh CONSOLE_LOG [check|demo]
#
# Prints the reasons for any failure on stderr and, as the last line on
# stdout, "PASSED FAILED SKIPPED" for the run.  Rules:
#  * each selftest's "# Totals: pass:P fail:F xfail:XF xpass:XP skip:S error:E"
#    lines count P+XF passed, F+XP+E failed, S skipped;
#  * a test whose top-level line is "not ok" but that reported no failing
#    case (crash, timeout, bad exit code) counts as one failure; a test without
#    a Totals line (a shell test that does not print one) counts as one pass,
#    skip or failure according to its top-level line;
#  * a test announced by the plan ("1..N") that never reported is a failure;
#  * "Bail out!" (a module failed to load) is a failure;
#  * no exit marker (hang, host timeout, panic, reboot) is a failure;
#  * a kernel message with BUG:, WARNING:, Oops, general protection fault,
#    Kernel panic, KASAN, UBSAN, possible circular/recursive locking,
#    INFO: task (hung task), kmemleak's "suspected memory leaks" or Call
#    Trace is a failure, even when every test said ok; the offending lines
#    are printed;
#  * an "unreferenced object" in the kmemleak report that scripts/init.sh
#    prints after the selftests (debug kernel) is a failure.
# In demo mode only the last three rules (and "Bail out!") apply.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=${1:?usage: verdict.sh CONSOLE_LOG [check|demo]}
mode=${2:-check}
[ -r "$log" ] || die "cannot read $log"

tr -d '\r' <"$log" | awk -v mode="$mode" '
function fail(msg) { failed++; print "verdict: " msg > "/dev/stderr" }
# Split "key:N" fields of the current line into tot[key].
function parse_totals(   i, kv) {
	split("", tot)
	for (i = 1; i <= NF; i++)
		if (split($i, kv, ":") == 2 && kv[2] ~ /^[0-9]+$/)
			tot[kv[1]] = kv[2] + 0
}

BEGIN {
	passed = failed = skipped = 0
	kernel_re = "BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN|UBSAN|" \
		    "possible circular locking|possible recursive locking|INFO: task|Call Trace|" \
		    "suspected memory leak|Kernel memory leak detector disabled|Memory pool empty"
}

# Kernel messages carry a printk timestamp ("[   12.345678] "); test output
# does not, so a test printing "WARNING:" itself is not mistaken for the kernel.
/\[ *[0-9]+\.[0-9]+\]/ && $0 ~ kernel_re {
	line = substr($0, index($0, "["))
	if (!(line in seen_kernel)) {
		seen_kernel[line] = 1
		bad_kernel[++nbad] = line
	}
}

/==== layerfs-vm: kmemleak begin ====/ { in_kmemleak = 1 }
/==== layerfs-vm: kmemleak end ====/ { in_kmemleak = 0 }
in_kmemleak && /^unreferenced object/ { leaks++ }

/==== layerfs-vm: begin / { in_tests = 1 }
/==== layerfs-vm: dmesg begin ====/ { in_tests = 0 }
/==== layerfs-vm: exit ====/ { exited = 1 }
in_tests && /^Bail out!/ { fail("guest: " $0); next }
mode != "check" || !in_tests { next }

/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
/^# selftests: layerfs: / { t_pass = t_fail = t_skip = t_totals = 0; next }
/^[# ]*# Totals: pass:[0-9]+/ {
	t_totals = 1
	parse_totals()
	t_pass += tot["pass"] + tot["xfail"]
	t_fail += tot["fail"] + tot["xpass"] + tot["error"]
	t_skip += tot["skip"]
	next
}
/^(not )?ok [0-9]+ selftests: layerfs: / {
	reported++
	notok = ($0 ~ /^not ok/)
	if (t_totals) {
		passed += t_pass; failed += t_fail; skipped += t_skip
		if (notok && t_fail == 0)
			fail("top-level failure without a failing case: " $0)
		else if (t_fail)
			print "verdict: " t_fail " failing case(s) in: " $0 > "/dev/stderr"
	} else if (notok) {
		fail($0)
	} else if ($0 ~ /# SKIP/) {
		skipped++
	} else {
		passed++
	}
	t_pass = t_fail = t_skip = t_totals = 0
}

END {
	if (mode == "check" && reported < plan)
		fail((plan - reported) " of " plan " selftests never reported a result")
	if (leaks)
		fail("kmemleak: " leaks " unreferenced object(s), see the report in the log")
	if (!exited)
		fail("no exit marker: the VM hung, timed out, panicked or rebooted")
	if (nbad) {
		fail("the kernel reported problems:")
		for (i = 1; i <= nbad; i++)
			print "    " bad_kernel[i] > "/dev/stderr"
	}
	print passed, failed, skipped
}'
