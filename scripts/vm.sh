#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm.sh - boot a Debian kernel in qemu with layerfs.ko and run the
# selftests (check), the narrated demo (demo), an interactive shell (shell) or
# the benchmark (bench, see scripts/bench.sh).
#
# Usage: scripts/vm.sh --mode check|demo|shell|bench
#                      [--kernel 6.12|6.1|debug | --kdir DIR]
#                      [--ko FILE] [--tests REGEX] [--targs ARGS]
#                      [--env 'NAME=VALUE ...'] [--selftests DIR]
#                      [--fstype layerfs|overlay] [--kdata DIR]
#
#   --ko FILE        module to load as layerfs.ko (default build/<kver>/layerfs.ko)
#   --tests REGEX    run only the selftests whose name matches (grep -E)
#   --targs ARGS     extra arguments for every selftest (e.g. "-t name")
#   --env VARS       environment for every selftest (e.g. "LAYERFS_DIFF_OPS=400")
#   --selftests DIR  kselftest directory to build and install
#                    (default selftests/layerfs)
#   --kdata DIR      the kernel to boot laid out as in the cache (vmlinuz,
#                    config, modules/load-order; default $CACHE/kernels/<kver>;
#                    scripts/kimage.sh makes one for make check KIMAGE=)
#   --fstype TYPE    filesystem the selftests mount (LAYERFS_TEST_FSTYPE in
#                    their environment); with overlay, the programs that do
#                    not test union semantics (not in UNION_TESTS below) are
#                    reported as skipped with the reason, without running
#
# The initramfs (build/<kver>/initramfs-<mode>.cpio.gz) holds busybox-static
# and its applet symlinks, /init (scripts/init.sh), /modules/ (overlay.ko and
# what it needs, then layerfs.ko), /selftests/layerfs/ with tests.list, and
# /demo.sh.  When a selected selftest uses real filesystems (its source
# names lfs_make_fs or one of the tools below), /modules/ also holds loop,
# squashfs, ext4, xfs, quota_v2, fuse and what they need, listed in
# /modules/fs-modules for lfs_make_fs() to load on demand (VM_FS_MODULES in
# scripts/setup.sh), and the host's mksquashfs, mkfs.ext4, mkfs.xfs,
# quotacheck, quotaon and setquota come along with their shared libraries
# (15.5 MB of initramfs instead of 9.3 MB); btrfs and mkfs.btrfs too when a
# selected selftest names mkfs.btrfs.  The whole console goes to
# build/<kver>/console-<mode>.log, the selftests' KTAP output (check mode)
# to build/<kver>/check.ktap.
# In bench mode the selftests are left out and build/bench/ (the benchmark
# program and its tarball, made by scripts/bench.sh) is copied to /bench/;
# LAYERFS_BENCH_ARGS are its arguments.
#
# In check mode the programs of LSM_TESTS (lsmlabel: SELinux labels) run in
# a second, short VM boot of their own with security=selinux on the kernel
# command line (console-check-lsm.log), when the kernel has SELinux; the
# counts of both boots are added up and check.ktap holds both.
# In check and demo mode the test (or demo) output is printed as it arrives,
# the run is killed after a host-side timeout, scripts/verdict.sh judges the
# log, and the last line printed is "<kver>: N passed, N failed, N skipped";
# the same three numbers are written to build/<kver>/result-<mode>.  The exit
# status is non-zero when anything failed.
#
# Environment: LAYERFS_ACCEL=kvm|tcg forces the accelerator (default: kvm when
# /dev/kvm is usable); LAYERFS_TEST_TIMEOUT (seconds per test, default from
# the selftests' settings file, else 300 under TCG and 120 under KVM);
# LAYERFS_VM_TIMEOUT (seconds for the whole VM run, default: boot allowance
# plus every test's timeout, at most 2400).  On the debug kernel
# (CONFIG_KASAN=y in its config) the VM gets 4G and the default timeouts
# are 4 times longer (the whole run at most 3600).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdata= mode= series=6.12 kdir= ko= tests_re= targs= tenv= ksft_dir=$REPO/selftests/layerfs fstype=layerfs
while [ $# -gt 0 ]; do
	case "$1" in
	--mode)      mode=${2:?}; shift 2 ;;
	--kernel)    series=${2:?}; shift 2 ;;
	--kdir)      kdir=${2:?}; shift 2 ;;
	--ko)        ko=${2:?}; shift 2 ;;
	--tests)     tests_re=$2; shift 2 ;;
	--targs)     targs=$2; shift 2 ;;
	--env)       tenv=$2; shift 2 ;;
	--selftests) ksft_dir=$(cd "${2:?}" && pwd); shift 2 ;;
	--fstype)    fstype=${2:?}; shift 2 ;;
	--kdata)     kdata=$(cd "${2:?}" && pwd); shift 2 ;;
	-h|--help)   usage 0 ;;
	*)           warn "unknown argument '$1'"; usage 1 >&2 ;;
	esac
done
case "$mode" in
check|demo|shell|bench) ;;
*) die "--mode must be check, demo, shell or bench" ;;
esac
resolve_kernel "$series" "$kdir"

out=$REPO/build/$KVER
kdata=${kdata:-$CACHE/kernels/$KVER}
ko=${ko:-$out/layerfs.ko}
[ -s "$kdata/vmlinuz" ] || die "no VM kernel for $KVER in $kdata: run scripts/setup.sh"
[ -s "$ko" ] || die "$ko missing: build it first (make KERNEL=... or scripts/build.sh)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/setup.sh"

# ------------------------------------------------------------- accelerator

# KVM is usable when /dev/kvm opens and qemu can start a "-cpu host" vCPU on
# it: some nested hypervisors expose /dev/kvm but reject the host CPU model
# (qemu aborts at once with "failed to set MSR").  The probe runs firmware
# with no disk for 3 seconds; being killed by the timeout means it worked.
kvm_usable() {
	local rc=0
	[ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null || return 1
	# (in a subshell that waits for it, so bash's "Aborted" report goes to
	# /dev/null too)
	(timeout 3 qemu-system-x86_64 -accel kvm -cpu host -display none -nodefaults \
		-no-reboot -m 64 </dev/null; exit $?) >/dev/null 2>&1 || rc=$?
	[ "$rc" = 124 ]
}

if [ -z "${LAYERFS_ACCEL:-}" ]; then
	if kvm_usable; then
		LAYERFS_ACCEL=kvm
	else
		LAYERFS_ACCEL=tcg
		info "KVM not usable here (no /dev/kvm, or qemu -cpu host fails on it): using TCG"
	fi
fi
case "$LAYERFS_ACCEL" in
kvm) accel=(-accel kvm -cpu host); boot_secs=120; def_test_secs=120 ;;
tcg) accel=(-accel tcg -cpu max); boot_secs=300; def_test_secs=300 ;;
*)   die "LAYERFS_ACCEL must be kvm or tcg" ;;
esac

# The debug kernel (KASAN, lockdep, kmemleak: scripts/debug-kernel.sh) runs
# several times slower and needs memory for KASAN's shadow and kmemleak.
mem=2G slow=1
if grep -q '^CONFIG_KASAN=y' "$kdata/config" 2>/dev/null; then
	mem=4G slow=4
fi

# --------------------------------------------------------------- initramfs

root=$out/initramfs-$mode
rm -rf "$root"
mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,run,root,modules,selftests/layerfs}
ln -s bin "$root/sbin"
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

# busybox-static and one symlink per applet.
busybox=/bin/busybox	# from busybox-static: the guest has no libc
[ -x "$busybox" ] || die "$busybox missing: run scripts/setup.sh"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# The kernel opens /dev/console before /init runs and devtmpfs is mounted.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Selftests: built and installed with their kselftest Makefile (lib.mk).
ntests=0 bench_args=
if [ "$mode" = bench ]; then
	[ -x "$REPO/build/bench/layerfs-bench" ] ||
		die "build/bench/layerfs-bench missing: run scripts/bench.sh"
	cp -r "$REPO/build/bench" "$root/bench"
	bench_args=${LAYERFS_BENCH_ARGS:-}
else
	info "building selftests in ${ksft_dir#"$REPO"/}"
	cleanmake -s -C "$ksft_dir" -j"$(nproc)" all >&2 || die "selftest build failed"
	cleanmake -s -C "$ksft_dir" install INSTALL_PATH="$root/selftests/layerfs" >/dev/null ||
		die "selftest install failed"
	cleanmake -s -C "$ksft_dir" emit_tests | sed 's/^[^:]*://' |
		{ grep -E -- "${tests_re:-.}" || true; } >"$root/selftests/layerfs/tests.list"
	ntests=$(grep -c . "$root/selftests/layerfs/tests.list" || true)
fi
if [ "$mode" = check ] && [ "$ntests" = 0 ]; then
	die "no selftest matches '${tests_re}'"
fi
# The programs that test union semantics, which hold for the kernel's
# overlayfs too (make check FSTYPE=overlay; see
# Documentation/filesystems/layerfs-packaging.rst); the others test layerfs's
# own interfaces or compare layerfs with overlayfs.  init.sh reports each
# program of skip.list as skipped, with the reason given there.
UNION_TESTS="lookup readdir copyup namespace rename perms concurrency stress hostile
	stress_ng.sh"
# Why a program is not among them (the reason its SKIP line gives).
not_union_why() {
	case "$1" in
	aclcopy|difftest|fileattr|fileops|hardlink|index|interop|lsmlabel|metacopy|\
	origin|realfs|redirect|tmpfile|volatile|xattr_escape|xwhiteout)
		echo "mounts layerfs and overlay side by side and compares them" ;;
	lowerdir_add)
		echo "layerfs's lowerdir+/datadir+ limits and messages, compared with overlay where it agrees" ;;
	mountsec)
		echo "layerfs's mount-time protections and sysfs, compared with overlay where both agree" ;;
	mount_options|optfuzz)
		echo "layerfs's option table and its errno contract" ;;
	layers)
		echo "layerfs's 500-layer limit and layerfs stacked on layerfs" ;;
	lifecycle|busybox_view.sh)
		echo "layerfs's module: slab cache, rmmod while mounted" ;;
	faultinject)
		echo "fault injection in layerfs's error paths" ;;
	nameindex|observe|whichlayer)
		echo "layerfs's own interfaces (name index, trace events and counters, ioctl)" ;;
	*)
		echo "not a union-semantics program" ;;
	esac
}
if [ "$fstype" != layerfs ] && [ "$mode" != bench ]; then
	tenv="${tenv:+$tenv }LAYERFS_TEST_FSTYPE=$fstype"
	for name in $(cat "$root/selftests/layerfs/tests.list"); do
		case " $(echo $UNION_TESTS) " in
		*" $name "*) ;;
		*) echo "$name FSTYPE=$fstype: $(not_union_why "$name")" ;;
		esac
	done >"$root/selftests/layerfs/skip.list"
fi
# The programs that need an LSM that labels files (SELinux) active from
# boot: the kernel takes the choice of its major LSM from the command line
# only, and a loaded policy stays until the next boot, so in check mode
# these run in a second, short VM boot of their own, with security=selinux
# (Debian's kernels build SELinux in but start AppArmor), after the other
# programs' boot.  They move from tests.list to lsm.list; the second boot's
# initramfs is the first one plus a small archive that replaces tests.list
# (see below).  On a kernel without CONFIG_SECURITY_SELINUX (the debug
# kernel) they stay in the first boot, where they skip and say why.
LSM_TESTS="lsmlabel"
: >"$root/selftests/layerfs/lsm.list"
if [ "$mode" = check ] && [ "$fstype" = layerfs ] &&
   grep -q '^CONFIG_SECURITY_SELINUX=y' "$kdata/config" 2>/dev/null; then
	for name in $LSM_TESTS; do
		grep -qx "$name" "$root/selftests/layerfs/tests.list" &&
			echo "$name" >>"$root/selftests/layerfs/lsm.list"
	done
	grep -vxF -f "$root/selftests/layerfs/lsm.list" \
		"$root/selftests/layerfs/tests.list" >"$root/selftests/layerfs/rest.list" || true
	mv "$root/selftests/layerfs/rest.list" "$root/selftests/layerfs/tests.list"
fi
nlsm=$(grep -c . "$root/selftests/layerfs/lsm.list" || true)
ntests=$((ntests - nlsm))
# Copy the host's dynamically linked program PATH into the initramfs with
# its libraries and the loader, at the paths ldd names.  (rm first: the
# destination may be one of busybox's applet symlinks, which cp would follow
# and overwrite busybox through.)
copy_host_binary() {
	local f
	for f in "$1" $(ldd "$1" | grep -o '/[^ ]*'); do
		[ -e "$root$f" ] && [ "$f" != "$1" ] && continue
		mkdir -p "$root$(dirname "$f")"
		rm -f "$root$f"
		cp -L "$f" "$root$f"
	done
}
# Does a selected selftest use PATTERN (grep -E on its source)?
tests_use() {
	local name src
	for name in $(cat "$root/selftests/layerfs/tests.list"); do
		src=$ksft_dir/$name
		[ -e "$src.c" ] && src=$src.c
		grep -qE -- "$1" "$src" 2>/dev/null && return 0
	done
	return 1
}
# stress-ng for selftests/layerfs/stress_ng.sh (which skips without it):
# Debian's binary is dynamically linked, so its libraries and the loader
# come along.
if [ "$mode" = check ] && sng=$(command -v stress-ng) &&
   grep -qx 'stress_ng.sh' "$root/selftests/layerfs/tests.list"; then
	copy_host_binary "$sng"
fi
# trace-cmd (Debian's, dynamically linked) for reading layerfs's trace
# events from the shell (Documentation/filesystems/layerfs-tracing.rst):
# 1 MB of libraries, so only in shell mode.
if [ "$mode" = shell ] && tc=$(command -v trace-cmd); then
	copy_host_binary "$tc"
fi
# The tools of lfs_make_fs() (selftests/layerfs/layerfs_util.h), for the
# selftests that build squashfs, ext4 or xfs images in the VM (and the quota
# tools for ext4 or xfs with usrquota): 4 MB of gzipped initramfs with their
# libraries, so only when a selected selftest names one of them, or in bench
# mode when the benchmark does (its copyup_reflink case needs an xfs).  A tool
# missing on the host (setup.sh installs them) makes those tests skip.
realfs=0 btrfs=0
if { [ "$mode" = bench ] && grep -q lfs_make_fs "$REPO/bench/layerfs-bench.c"; } ||
   { [ "$mode" != bench ] &&
     tests_use 'lfs_make_fs|mksquashfs|mkfs\.(ext4|xfs|btrfs)|quotacheck|quotaon|setquota'; }; then
	realfs=1
	tools="mksquashfs mkfs.ext4 mkfs.xfs quotacheck quotaon setquota"
	# btrfs (mkfs.btrfs and 4 MB of modules) only for a selftest naming
	# mkfs.btrfs (aclcopy.c's upper mounted -o noacl)
	if [ "$mode" != bench ] && tests_use 'mkfs\.btrfs'; then
		btrfs=1
		tools+=" mkfs.btrfs"
	fi
	for tool in $tools; do
		f=$(PATH=/usr/sbin:/sbin:/usr/bin:/bin command -v "$tool") ||
			{ warn "$tool missing on the host: run scripts/setup.sh"; continue; }
		copy_host_binary "$f"
	done
	# glibc loads libgcc_s at run time (ldd cannot see it) when a thread
	# exits: mksquashfs's threads do.
	gcc_s=$(gcc -print-file-name=libgcc_s.so.1)
	mkdir -p "$root/lib/x86_64-linux-gnu"
	cp -L "$gcc_s" "$root/lib/x86_64-linux-gnu/"
	# mke2fs's defaults (it has built-in ones, but ext4's come from here);
	# the quota tools and mke2fs find the mounts in /etc/mtab.
	[ -r /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
	ln -sf /proc/self/mounts "$root/etc/mtab"
fi

# Modules: overlay.ko (after what it needs, if ever) and layerfs.ko, loaded
# at boot in load-order.  When a selected test uses real filesystems, also
# loop, squashfs, ext4, xfs, quota_v2, fuse (and btrfs) and their
# dependencies with fs-modules, their list, which lfs_make_fs() loads on
# demand (VM_FS_MODULES in scripts/setup.sh).
for m in $(cat "$kdata/modules/load-order"); do
	cp "$kdata/modules/$m" "$root/modules/"
done
cp "$kdata/modules/load-order" "$root/modules/"
if [ "$realfs" = 1 ] && [ -r "$kdata/modules/fs-modules" ]; then
	cp "$kdata/modules/fs-modules" "$root/modules/"
	# (a line may name no file: a module built into the kernel; btrfs's
	# files only when a test makes a btrfs, see above)
	for m in $(awk -v btrfs="$btrfs" '$1 != "btrfs" || btrfs {
			for (i = 2; i <= NF; i++) print $i }' \
			"$kdata/modules/fs-modules" | sort -u); do
		cp "$kdata/modules/$m" "$root/modules/"
	done
fi
cp "$ko" "$root/modules/layerfs.ko"
echo layerfs.ko >>"$root/modules/load-order"

test_secs=${LAYERFS_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$ksft_dir/settings" 2>/dev/null || true)}
test_secs=${test_secs:-$def_test_secs}
[ -n "${LAYERFS_TEST_TIMEOUT:-}" ] || test_secs=$((test_secs * slow))

cp "$REPO/scripts/init.sh" "$root/init"
cp "$REPO/scripts/demo.sh" "$root/demo.sh"
# The demo marks a directory opaque by hand; busybox has no setfattr.
gcc -static -O2 -Wall -o "$root/bin/setfattr" "$REPO/scripts/setfattr.c" ||
	die "cannot build scripts/setfattr.c"
# The demo (and a student at the shell) asks which layer serves a path.
gcc -static -O2 -Wall -I"$REPO/include/uapi" -o "$root/bin/layerfs-which" \
	"$REPO/tools/layerfs-which.c" || die "cannot build tools/layerfs-which.c"
cat >"$root/etc/layerfs-vm.conf" <<EOF
MODE=$mode
TEST_TIMEOUT=$test_secs
TARGS='${targs//\'/}'
TEST_ENV='${tenv//\'/}'
BENCH_ARGS='${bench_args//\'/}'
EOF
chmod 755 "$root/init"

initrd=$out/initramfs-$mode.cpio.gz
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd"
# The LSM boot's initramfs: the kernel unpacks concatenated archives in
# order, a later file replacing an earlier one, so appending an archive
# with lsm.list as selftests/layerfs/tests.list is all it takes.
if [ "$nlsm" -gt 0 ]; then
	lsm_root=$out/initramfs-$mode-lsm
	rm -rf "$lsm_root"
	mkdir -p "$lsm_root/selftests/layerfs"
	cp "$root/selftests/layerfs/lsm.list" "$lsm_root/selftests/layerfs/tests.list"
	lsm_initrd=$out/initramfs-$mode-lsm.cpio.gz
	cp "$initrd" "$lsm_initrd"
	(cd "$lsm_root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >>"$lsm_initrd"
fi

# -------------------------------------------------------------------- boot

log=$out/console-$mode.log
# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer test
# can miss its ticks and panic at boot ("IO-APIC + timer doesn't work").
append="console=ttyS0 panic=-1 printk.time=1 no_timer_check"
append+=" sysctl.kernel.hung_task_timeout_secs=$((60 * slow))"
# tsc=reliable (TCG only): on a loaded host the clocksource watchdog finds
# the emulated TSC drifting and marks it unstable mid-run; that flips the
# sched_clock static key, and text patching under multi-threaded TCG
# sometimes leaves a vCPU on the int3 of the patch ("Oops: int3" in
# __schedule, at boot or during a test).  With the TSC trusted, nothing
# patches the scheduler's code after boot.
[ "$LAYERFS_ACCEL" = tcg ] && append+=" tsc=reliable"
qemu=(qemu-system-x86_64 -nographic -no-reboot -m "$mem" -smp 2 "${accel[@]}"
      -nic none -kernel "$kdata/vmlinuz")

if [ "$mode" = shell ]; then
	info "console log: $log  (Ctrl-A x kills the VM)"
	# The serial console and qemu's monitor share stdio; Ctrl-C goes to the guest.
	exec "${qemu[@]}" -initrd "$initrd" -append "$append" \
		-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" \
		-serial chardev:con -mon chardev=con
fi

# Boot, then every test up to its own timeout; capped at 40 minutes so that
# a hung kernel on each of the two kernels still fits CI's 90-minute budget
# (the debug kernel: SLOW times the boot allowance, capped at 60 minutes).
# boot_vm INITRD APPEND LOG NTESTS runs one VM, printing the part between
# the begin and dmesg markers as it arrives; the whole console goes to LOG.
boot_vm() {
	local initrd=$1 append=$2 log=$3 n=$4 vm_secs max_secs qemu_rc start
	case "$mode" in
	check) vm_secs=$((boot_secs * slow + n * (test_secs + 15))) ;;
	demo)  vm_secs=$((boot_secs * slow + 600 * slow)) ;;
	bench) vm_secs=$((boot_secs * slow + 1800)) ;;
	esac
	max_secs=$((slow == 1 ? 2400 : 3600))
	[ "$vm_secs" -le "$max_secs" ] || vm_secs=$max_secs
	vm_secs=${LAYERFS_VM_TIMEOUT:-$vm_secs}

	info "booting $KVER ($LAYERFS_ACCEL, timeout ${vm_secs}s, $n selftests, ${test_secs}s each)"
	info "console log: $log"
	start=$(date +%s)
	set +e
	# No stdin: CI has none and the run is unattended.
	timeout -k 10 "$vm_secs" "${qemu[@]}" -initrd "$initrd" -append "$append" </dev/null |
		tee "$log" | tr -d '\r' |
		awk '/==== layerfs-vm: begin /   { on = 1 }
		     /==== layerfs-vm: dmesg begin/ { on = 0 }
		     on { print; fflush() }'
	qemu_rc=${PIPESTATUS[0]}
	set -e
	secs=$((secs + $(date +%s) - start))

	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		warn "host timeout: killed the VM after ${vm_secs}s"
	fi
	if ! grep -q '==== layerfs-vm: begin ' "$log"; then
		warn "the guest never reached /init; last console lines:"
		tail -n 40 "$log" | tr -d '\r' | sed 's/^/    /' >&2
		echo >&2	# the last console line may lack its newline
	fi
}

# The selftests' KTAP output of LOG, for CI: from "TAP version" to the
# dmesg marker, without the kernel messages interleaved on the console.
ktap_of() {
	tr -d '\r' <"$1" | awk '/^TAP version/ { on = 1 }
		/==== layerfs-vm: dmesg begin/ { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\]/'
}

secs=0 passed=0 failed=0 skipped=0 logs=()
# (check mode with only LSM programs selected: no first boot)
if [ "$mode" != check ] || [ "$ntests" -gt 0 ]; then
	boot_vm "$initrd" "$append" "$log" "$ntests"
	logs+=("$log")
fi
# The LSM programs: SELinux chosen as the major LSM (AppArmor is off).
if [ "$nlsm" -gt 0 ]; then
	info "second boot for the programs that need SELinux: $(tr '\n' ' ' <"$root/selftests/layerfs/lsm.list")"
	boot_vm "$lsm_initrd" "$append security=selinux" "$out/console-$mode-lsm.log" "$nlsm"
	logs+=("$out/console-$mode-lsm.log")
fi

if [ "$mode" = check ]; then
	for l in "${logs[@]}"; do
		ktap_of "$l"
	done >"$out/$mode.ktap"
	info "KTAP: $out/$mode.ktap"
fi
for l in "${logs[@]}"; do
	read -r p f s < <("$REPO/scripts/verdict.sh" "$l" "$mode" | tail -n 1)
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed $failed $skipped" >"$out/result-$mode"
info "$KVER: ${secs}s, console log: ${logs[*]}"
if [ "$mode" = demo ] || [ "$mode" = bench ]; then
	[ "$failed" = 0 ] && echo "$KVER: $mode ok" || echo "$KVER: $mode FAILED"
else
	echo "$KVER: $passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" = 0 ]
