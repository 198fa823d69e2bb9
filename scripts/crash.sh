#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/crash.sh - crash safety: kill the VM during copy-ups and a metadata
# storm, then check the ext4 image and the merged view.
#
# Usage: scripts/crash.sh [--kernel 6.12|6.1]... [--kills N] [--seed N]
#                         [--max-delay SECS] [--keep] [--ko FILE]
#                         [--metacopy] [--index] [--fstype layerfs|overlay]
#
#   --kernel SERIES   kernel to test, repeatable (default 6.12)
#   --kills N         kills per kernel (default 12: 4 to 9 minutes under TCG
#                     on a shared 2-core host, 20 to 45 seconds a kill)
#   --seed N          seed of the kill delays and workload seeds (default:
#                     random; printed, so a run can be repeated: the same
#                     delays and workloads, though where a kill lands still
#                     depends on how fast the VM runs)
#   --max-delay SECS  kill at a random moment up to SECS seconds after the
#                     workload began its Nth big copy-up, N random from 1 to 8
#                     (default 2; the 8 copy-ups take 3 to 9 seconds under
#                     TCG, so the kill mostly lands in one, sometimes after;
#                     with --index: default 1, N from 1 to 6)
#   --keep            keep the image of every kill, not only the failed ones
#   --ko FILE         module to test (default: build it, build/<kver>/layerfs.ko)
#   --metacopy        mount with metacopy=on, and give the big files that are
#                     opened for writing a metadata-only copy first, so that
#                     the kill lands in the data copy of a metacopy file
#                     (layerfs-metacopy.rst)
#   --index           mount with index=on; the lower layer also holds hl/:
#                     six files of 3 to 13 MiB with three hard links each
#                     (hl/a/hNN, hl/a/hNNb, hl/b/hNN), which the workload
#                     writes first, each through one name, so that the kill
#                     (after the Nth of them began, N from 1 to 6) lands in
#                     an index copy-up: copy into work/, move into index/,
#                     link up the name, nlink xattr (layerfs-hardlinks.rst).
#                     The verify run lists index/ before and after the mount
#                     and checks every name (old or new content, complete,
#                     one inode, st_nlink 3 through the mount) and index/
#                     (no temporary left by the mount, every entry complete
#                     with a right nlink xattr, upper names linked to it)
#   --fstype TYPE     the stacking filesystem to crash: layerfs (default) or
#                     overlay, the kernel's overlayfs over the same image with
#                     the same options, workload and checks (make crash
#                     FSTYPE=overlay; layerfs is then neither built nor
#                     loaded).  Its logs go to build/<kver>/crash-overlay/.
#
# Once: the lower layer is made on the host by selftests/layerfs/crash/
# crashtest ("populate": 8 big files of 2 to 24 MiB, 16 directories of 24
# small files, every file's content derived from its name), with empty upper/
# and work/ next to it, into an ext4 image (mkfs.ext4 -d).  Each kill then:
#  1. copies that image and boots the VM on it (crash.mode=work, see
#     selftests/layerfs/crash/init.sh): ext4 and layerfs are mounted and
#     "crashtest work" copies the big files up (chmod, utimes, open for write,
#     O_APPEND + fsynced records) while a second process renames, chmods,
#     unlinks, creates, rmdirs and mkdirs in the small directories;
#  2. SIGKILLs qemu a random delay after the workload printed "crash: copy-up
#     begin" for the Nth time (N random);
#  3. checks a copy of the image on the host: "e2fsck -E journal_only" replays
#     the journal (as the next mount would; a plain "e2fsck -fn" cannot, and
#     would report the unreplayed metadata as damage), then "e2fsck -fn" must
#     find nothing (it may print "Free blocks/inodes count wrong": ext4 does
#     not journal those superblock totals, and e2fsck does not count them as
#     errors);
#  4. boots the VM on the killed image itself (crash.mode=verify): the kernel
#     replays the journal, the leftovers in work/work are listed, layerfs is
#     mounted (which must empty work/work) and "crashtest verify" checks every
#     merged file (old or new content, never a partial copy, appended records
#     a clean sequence holding at least those reported fsynced; data never
#     fsynced may read as zeros, as ext4 allows), the lower layer unchanged,
#     no temporary visible, whiteouts and opaque directories well formed;
#     both unmount;
#  5. runs "e2fsck -fn" on the image again, which must now be clean.
# A kill fails on any of these, on a workload system call that failed, and on
# a kernel oops or warning in either console log (scripts/verdict.sh).
#
# qemu writes the disk with cache=unsafe: a write qemu completed is in the
# host's page cache and survives the kill, what the guest had not written
# (its page cache, its journal's running transaction) is lost.  This models a
# crash of the guest kernel, or a power cut on a disk without volatile cache.
#
# Logs go to build/<kver>/crash/kill-NN-{work,fsck,verify}.log (and the image
# of a failed kill to kill-NN.img); the last lines are the summary per kernel:
# kills, kills during a copy-up, leftover temporaries cleaned, journal replays
# at the verify mount, failures.  The exit status is non-zero when any kill
# failed.  LAYERFS_ACCEL=kvm uses KVM (default: TCG).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=() kills=12 seed= max_delay= keep=0 ko= metacopy= index= fstype=layerfs
while [ $# -gt 0 ]; do
	case "$1" in
	--fstype)    fstype=${2:?}; shift 2 ;;
	--metacopy)  metacopy=crash.metacopy=1; shift ;;
	--index)     index=crash.index=1; shift ;;
	--kernel)    kernels+=("${2:?}"); shift 2 ;;
	--kills)     kills=${2:?}; shift 2 ;;
	--seed)      seed=${2:?}; shift 2 ;;
	--max-delay) max_delay=${2:?}; shift 2 ;;
	--keep)      keep=1; shift ;;
	--ko)        ko=$(realpath "${2:?}"); shift 2 ;;
	-h|--help)   usage 0 ;;
	*)           warn "unknown argument '$1'"; usage 1 >&2 ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(6.12)
# --index: the linked files are smaller, their copy-ups shorter
max_delay=${max_delay:-$([ -z "$index" ] && echo 2 || echo 1)}
case "$fstype" in
layerfs|overlay) ;;
*) die "--fstype must be layerfs or overlay" ;;
esac
seed=${seed:-$((RANDOM * 32768 + RANDOM))}
case "${LAYERFS_ACCEL:-tcg}" in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=(-accel tcg -cpu max) ;;
*)   die "LAYERFS_ACCEL must be kvm or tcg" ;;
esac
if ! command -v mkfs.ext4 >/dev/null || ! command -v e2fsck >/dev/null; then
	die "mkfs.ext4 and e2fsck are needed (package e2fsprogs)"
fi

CRASH_SRC=$REPO/selftests/layerfs/crash
BOOT_SECS=300		# a boot plus the verify run, under TCG on a busy host

# ---------------------------------------------------------------- the VM

# Unpack the modules ext4 and the virtio disk need from the cached Debian
# image package into $1/, uncompressed, in insmod order (modprobe computes
# it from a depmod of the unpacked tree), then layerfs.ko; with --fstype
# overlay, overlay.ko (and what it needs) from the package instead.
crash_modules() {
	local out=$1 deb tmp file
	rm -rf "$out"
	mkdir -p "$out"
	deb=$(find "$CACHE/debs" -name "linux-image-${KVER}_*.deb" | sort -V | tail -n 1)
	[ -n "$deb" ] || die "no linux-image-$KVER .deb in $CACHE/debs: run scripts/setup.sh"
	tmp=$(mktemp -d)
	dpkg-deb -x "$deb" "$tmp"
	depmod -b "$tmp" "$KVER"
	# shellcheck disable=SC2046 # no module, or one word
	modprobe -d "$tmp" -S "$KVER" --show-depends -a ext4 virtio_blk virtio_pci \
		$([ "$fstype" = overlay ] && echo overlay) |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$tmp/list"
	while read -r file; do
		case "$file" in
		*.xz) xz -dc "$file" >"$out/$(basename "$file" .xz)" ;;
		*)    cp "$file" "$out/" ;;
		esac
		basename "$file" .xz >>"$out/load-order"
	done <"$tmp/list"
	rm -rf "$tmp"
	[ "$fstype" = layerfs ] || return 0
	cp "${ko:-$REPO/build/$KVER/layerfs.ko}" "$out/layerfs.ko"
	echo layerfs.ko >>"$out/load-order"
}

make_initramfs() {
	local root=$WORK/initramfs
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev"
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$WORK/crashtest" "$root/bin/crashtest"
	cp "$CRASH_SRC/init.sh" "$root/init"
	chmod 755 "$root/init"
	mknod -m 600 "$root/dev/console" c 5 1
	crash_modules "$root/modules"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/initramfs.cpio.gz"
}

make_image() {
	local stage
	stage=$(mktemp -d)
	mkdir "$stage/lower" "$stage/upper" "$stage/work"
	# shellcheck disable=SC2046 # no --index: no argument
	"$WORK/crashtest" populate "$stage/lower" $([ -z "$index" ] || echo index)
	mkfs.ext4 -q -F -b 4096 -L crash -d "$stage" "$WORK/pristine.img" \
		"$([ -z "$index" ] && echo 384M || echo 512M)" >/dev/null
	rm -rf "$stage"
}

# qemu MODE IMAGE EXTRA_CMDLINE: the VM command line, in the array QEMU
qemu_cmd() {
	local append="console=ttyS0 panic=-1 printk.time=1"

	append+=" crash.mode=$1 crash.fstype=$fstype $metacopy $index $3"
	QEMU=(qemu-system-x86_64 -nographic -no-reboot -m 1G -smp 2 "${accel[@]}"
	      -nic none -kernel "$CACHE/kernels/$KVER/vmlinuz"
	      -initrd "$WORK/initramfs.cpio.gz"
	      -drive "file=$2,format=raw,if=virtio,cache=unsafe"
	      -append "$append")
}

# Judge a console log with verdict.sh; a killed run has no exit marker.
kernel_problems() {
	local failed
	failed=$("$REPO/scripts/verdict.sh" "$1" demo 2> >(grep -v 'no exit marker' >&2) |
		tail -n 1 | awk '{ print $2 }')
	[ "$2" = killed ] && failed=$((failed - 1))
	echo "$failed"
}

# ---------------------------------------------------------------- one kill

# wait_until PID POLLS CMD...: poll CMD every 0.1 s; fail when qemu (PID)
# died first, or after POLLS polls.
wait_until() {
	local pid=$1 polls=$2
	shift 2
	until "$@"; do
		if ! kill -0 "$pid" 2>/dev/null || [ "$polls" -le 0 ]; then
			return 1
		fi
		sleep 0.1
		polls=$((polls - 1))
	done
}

# Has the workload (console log $1) begun its $2-th copy-up, or ended them?
copy_up_begun() {
	[ "$(grep -c '^crash: copy-up begin' "$1")" -ge "$2" ] ||
		grep -q '^crash: copy-ups done' "$1"
}

# Boot the workload, kill it $2 milliseconds after it began its $5-th big
# copy-up.
run_work() {
	local img=$1 delay_ms=$2 wseed=$3 log=$4 nth=$5 pid rc=0
	qemu_cmd work "$img" "crash.seed=$wseed"
	"${QEMU[@]}" </dev/null >"$log" 2>&1 &
	pid=$!
	if wait_until "$pid" $((BOOT_SECS * 10)) grep -qs '^crash: ready' "$log"; then
		wait_until "$pid" 600 copy_up_begun "$log" "$nth" || true
		sleep "$((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000)))"
	else
		rc=1
	fi
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || true
	sed -i 's/\r$//' "$log"
	return "$rc"
}

# Host-side check of a killed image: replay the journal on a copy, then fsck;
# the output goes to $2.
host_fsck() {
	local img=$1 log=$2 copy=$WORK/fsck.img rc=0
	cp --sparse=always "$img" "$copy"
	e2fsck -E journal_only -y "$copy" >"$log" 2>&1 || rc=$?
	if [ "$rc" -le 1 ]; then
		rc=0
		e2fsck -fn "$copy" >>"$log" 2>&1 || rc=$?
	fi
	rm -f "$copy"
	if [ "$rc" != 0 ]; then
		warn "e2fsck found problems (exit $rc):"
		sed 's/^/    /' "$log" >&2
		return 1
	fi
}

during_text() {
	case "$1" in
	"") echo "between copy-ups" ;;
	-)  echo "after the copy-ups (storm only)" ;;
	*)  echo "during the copy-up of $1" ;;
	esac
}

# One kill: prints "DURING CLEANED FAILED REPLAYED" (0 or 1, a count, 0 or
# 1, 0 or 1: did the kernel replay the journal at the verify mount).
one_kill() {
	local n=$1 delay_ms=$2 wseed=$3 nth=$4 tag img wlog vlog during min left zeroed
	local replayed ibefore iafter
	local bad=0
	tag=$(printf 'kill-%02d' "$n")
	img=$WORK/$tag.img wlog=$WORK/$tag-work.log vlog=$WORK/$tag-verify.log
	cp --sparse=always "$WORK/pristine.img" "$img"

	if ! run_work "$img" "$delay_ms" "$wseed" "$wlog" "$nth"; then
		warn "$tag: the workload never started; last console lines:"
		tail -n 20 "$wlog" | sed 's/^/    /' >&2
		echo "0 0 1"
		return
	fi
	# What was the workload doing?  A "copy-up begin" without its "end".
	during=$(awk '
		/^crash: copy-up begin / { cur = $4 " (" $5 ")" }
		/^crash: copy-up end /   { cur = "" }
		/^crash: copy-ups done/  { cur = ""; done = 1 }
		END { if (cur != "") print cur; else if (done) print "-"; }' "$wlog")
	min=$(awk '/^crash: fsynced / { n[$3] = $4 }
		END { for (b in n) { printf "%s%s:%d", sep, b, n[b]; sep = "," } }' "$wlog")
	if grep -a '^crash: error' "$wlog" | sed 's/^/    /' >&2; then
		warn "$tag: a workload system call failed"
		bad=1
	fi
	if [ "$(kernel_problems "$wlog" killed)" != 0 ]; then
		warn "$tag: scripts/verdict.sh rejects the workload's console log"
		bad=1
	fi
	host_fsck "$img" "$WORK/$tag-fsck.log" || bad=1

	qemu_cmd verify "$img" "${min:+crash.min=$min}"
	timeout -k 10 "$BOOT_SECS" "${QEMU[@]}" </dev/null >"$vlog" 2>&1 || true
	sed -i 's/\r$//' "$vlog"
	left=$(sed -n 's/^crash: leftovers \([0-9]*\)$/\1/p' "$vlog")
	zeroed=$(sed -n 's/^crash: verify .* zeroed=\([0-9]*\)$/\1/p' "$vlog")
	ibefore=$(sed -n 's/^crash: index before \([0-9]*\) entries, \([0-9]*\) temporaries$/\1\/\2/p' "$vlog")
	iafter=$(sed -n 's/^crash: index after \([0-9]*\) entries, \([0-9]*\) temporaries$/\1\/\2/p' "$vlog")
	if ! grep -aq '^crash: verify ok' "$vlog"; then
		warn "$tag: verify failed:"
		grep -a -E '^(crash: |Bail out)' "$vlog" | awk -v vlog="$vlog" '
			n++ < 20 { print "    " $0 }
			END { if (n > 20) print "    (" n - 20 " more lines in " vlog ")" }' >&2
		bad=1
	elif ! grep -aq '^crash: unmounted' "$vlog"; then
		warn "$tag: the verify run did not unmount cleanly"
		bad=1
	fi
	if [ "$(kernel_problems "$vlog" verify)" != 0 ]; then
		warn "$tag: scripts/verdict.sh rejects the verify run's console log"
		bad=1
	fi
	e2fsck -fn "$img" >>"$WORK/$tag-fsck.log" 2>&1 || {
		warn "$tag: e2fsck after the verify run:"
		sed 's/^/    /' "$WORK/$tag-fsck.log" >&2
		bad=1
	}
	info "$tag: killed $(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))s" \
		"after copy-up #$nth began (workload seed $wseed), $(during_text "$during")," \
		"leftovers ${left:-?}, fsynced records ${min:-none}," \
		"unsynced pieces read as zeros ${zeroed:-?}${index:+, index entries/temporaries before the mount ${ibefore:-?}, after ${iafter:-?}}:" \
		"$([ "$bad" = 0 ] && echo ok || echo FAILED)"
	[ "$bad" = 1 ] || [ "$keep" = 1 ] || rm -f "$img"
	replayed=0
	! grep -q 'EXT4-fs (vda): recovery complete' "$vlog" || replayed=1
	case "$during" in
	""|-) echo "0 ${left:-0} $bad $replayed" ;;
	*)    echo "1 ${left:-0} $bad $replayed" ;;
	esac
}

# ---------------------------------------------------------------- main

"$REPO/scripts/setup.sh"
total_failed=0
info "$fstype${metacopy:+ (metacopy=on)}${index:+ (index=on)}: seed $seed (repeat with --seed $seed)," \
	"$kills kills per kernel, delays up to ${max_delay}s after a random copy-up began"
for series in "${kernels[@]}"; do
	if [ "$fstype" = layerfs ] && [ -z "$ko" ]; then
		"$REPO/scripts/build.sh" --kernel "$series" >/dev/null
	fi
	resolve_kernel "$series" ""
	WORK=$REPO/build/$KVER/crash
	[ "$fstype" = layerfs ] || WORK=$WORK-$fstype
	mkdir -p "$WORK"
	rm -f "$WORK"/kill-*
	gcc -static -O2 -Wall -o "$WORK/crashtest" "$CRASH_SRC/crashtest.c" ||
		die "cannot build crashtest.c"
	make_initramfs
	make_image
	RANDOM=$seed
	copy_ups=8	# --index: the 6 linked files are written first
	[ -z "$index" ] || copy_ups=6
	start=$(date +%s) during=0 cleaned=0 failed=0 replays=0
	for ((i = 1; i <= kills; i++)); do
		delay_ms=$(((RANDOM * 32768 + RANDOM) % (max_delay * 1000)))
		wseed=$RANDOM
		nth=$((RANDOM % copy_ups + 1))
		read -r d c f r < <(one_kill "$i" "$delay_ms" "$wseed" "$nth") ||
			d=0 c=0 f=1 r=0
		during=$((during + d)) cleaned=$((cleaned + c)) failed=$((failed + f))
		replays=$((replays + r))
	done
	secs=$(($(date +%s) - start))
	echo "$KVER ($fstype${metacopy:+, metacopy=on}${index:+, index=on}): $kills kills, $during during a copy-up," \
		"$cleaned leftover temporaries cleaned, $replays journal replays, $failed failed" \
		"(${secs}s, seed $seed)"
	total_failed=$((total_failed + failed))
done
[ "$total_failed" = 0 ]
