#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/init.sh - /init of the layerfs test VM (busybox ash, runs as PID 1).
#
# scripts/vm.sh copies this file into the initramfs as /init together with
# /etc/layerfs-vm.conf, which sets:
#   MODE          check | demo | shell | bench
#   BENCH_ARGS    arguments for /bench/layerfs-bench (bench mode)
#   TEST_TIMEOUT  seconds before a selftest is killed (busybox timeout -s KILL)
#   TARGS         extra arguments for every selftest (e.g. "-t name")
#   TEST_ENV      environment for every selftest ("NAME=VALUE ...", make fuzz)
#
# It mounts the pseudo filesystems, loads /modules/*.ko in load-order (overlay
# first, layerfs last), then depending on MODE runs the selftests listed in
# /selftests/layerfs/tests.list, the narrated /demo.sh, the benchmark
# /bench/layerfs-bench, or an interactive shell.  After the selftests it
# prints kmemleak's report when the kernel has kmemleak (the debug kernel).
# The host parses the console: the lines between the markers below,
# the "# Totals:" lines of each test, and the exit marker which proves the
# guest did not hang or panic.  (kselftest's own runner.sh needs
# "timeout --foreground", which busybox's timeout rejects, hence this loop.)

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH HOME=/root TERM=linux

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# layerfs's trace events (Documentation/filesystems/layerfs-tracing.rst):
# tracefs at its usual place, for cat, echo and trace-cmd.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
# Our stdio is whatever the kernel opened before /dev existed: reopen it.
exec </dev/console >/dev/console 2>&1

. /etc/layerfs-vm.conf

marker() { echo "==== layerfs-vm: $* ===="; }

# Load the modules dependencies first; report failure loudly, because the
# selftests skip (not fail) when layerfs is missing.
load_modules() {
	for ko in $(cat /modules/load-order); do
		if ! insmod "/modules/$ko"; then
			echo "Bail out! insmod /modules/$ko failed"
			return 1
		fi
	done
	export LAYERFS_KO=/modules/layerfs.ko
}

# Run one selftest, print its output indented by "# " and the top-level KTAP
# line, like kselftest's runner.sh does.
run_one() {
	num=$1 name=$2 rc=0
	echo "# selftests: layerfs: $name"
	# The test runs in a session of its own, so that after it ends (or its
	# timeout kills it) anything it left behind can be killed too: an orphan
	# holding the pipe open would block sed, and this loop, forever.  As
	# the shell's child the test is no group leader, so setsid does not
	# fork: $! is the session and process group id.  The pipe hides the
	# exit status; keep it in a file.
	{
		# shellcheck disable=SC2086 # TEST_ENV and TARGS are word lists
		env $TEST_ENV setsid timeout -s KILL "$TEST_TIMEOUT" "./$name" $TARGS 2>&1 &
		pid=$!
		wait "$pid"
		echo $? >/tmp/.rc
		kill -KILL -- "-$pid" 2>/dev/null
	} | sed -e 's/^/# /'
	rc=$(cat /tmp/.rc)
	case "$rc" in
	0)   echo "ok $num selftests: layerfs: $name" ;;
	4)   echo "ok $num selftests: layerfs: $name # SKIP" ;;
	137) echo "not ok $num selftests: layerfs: $name # TIMEOUT $TEST_TIMEOUT seconds" ;;
	*)   echo "not ok $num selftests: layerfs: $name # exit=$rc" ;;
	esac
}

# On a kernel with kmemleak (the debug kernel): scan twice, 5 seconds apart
# (kmemleak reports only what stayed unreferenced over a scan and is older
# than 5 seconds), then print the report between markers for the host.
kmemleak_report() {
	km=/sys/kernel/debug/kmemleak
	[ -e $km ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[ -e $km ] || return 0
	sleep 5
	echo scan >$km
	sleep 5
	echo scan >$km
	marker "kmemleak begin"
	cat $km
	marker "kmemleak end"
}

run_tests() {
	cd /selftests/layerfs || return
	total=$(grep -c . tests.list)
	echo "TAP version 13"
	echo "1..$total"
	num=0
	for name in $(cat tests.list); do
		num=$((num + 1))
		run_one "$num" "$name"
	done
	cd /
}

marker "begin $MODE on $(uname -r)"
case "$MODE" in
check)
	load_modules && run_tests
	kmemleak_report
	;;
demo)
	if load_modules; then
		# Kernel messages would interleave with the narration; they are
		# still in the dmesg dump below.
		dmesg -n 1
		sh /demo.sh </dev/null || echo "Bail out! demo.sh failed (exit $?)"
	fi
	;;
bench)
	if load_modules; then
		dmesg -n 1	# drop_caches logs a line per call
		# shellcheck disable=SC2086 # BENCH_ARGS is a list of arguments
		/bench/layerfs-bench $BENCH_ARGS </dev/null ||
			echo "Bail out! layerfs-bench failed (exit $?)"
	fi
	;;
shell)
	load_modules
	echo
	echo "layerfs VM ($(uname -r)): layerfs.ko and overlay.ko are loaded,"
	echo "the selftests are in /selftests/layerfs. Leaving the shell powers off."
	# cttyhack gives the shell a controlling tty, so ^C works.
	setsid cttyhack sh -l
	;;
esac

# Silence the console so the dump below is not interleaved with new messages;
# the host scans the dump for kernel warnings (not needed after a shell).
dmesg -n 1
if [ "$MODE" != shell ]; then
	marker "dmesg begin"
	dmesg
	marker "dmesg end"
fi
marker "exit"
sync
poweroff -f
