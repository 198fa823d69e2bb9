#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# selftests/layerfs/crash/init.sh - /init of the crash-test VM (busybox ash,
# PID 1).
#
# scripts/crash.sh puts this file into the initramfs as /init, next to
# /bin/busybox, /bin/crashtest (crashtest.c) and /modules/ (ext4, the virtio
# disk driver and what they need, then layerfs.ko or overlay.ko, in the
# order of /modules/load-order).  The disk /dev/vda is an ext4 image holding
# /lower, /upper and /work.  The kernel command line says what to do:
#   crash.mode=work     mount ext4 and the stacking filesystem and run
#                       "crashtest work" until the host kills the VM
#   crash.mode=verify   mount ext4 (which replays its journal), list what is
#                       left in work/work, mount the stacking filesystem
#                       (which empties it), run "crashtest verify", unmount
#                       both
#   crash.fstype=TYPE   the stacking filesystem: layerfs (default) or overlay
#                       (the kernel's overlayfs, scripts/crash.sh --fstype)
#   crash.metacopy=1    mount it with metacopy=on
#   crash.index=1       mount it with index=on, the workload writes the hard
#                       linked files too, verify checks them and the index
#                       (listed before and after the mount, crashtest
#                       index-list)
#   crash.seed=N        the workload's seed
#   crash.min=bigNN:N,...  records the host saw fsynced before the kill
# The lines starting with "crash: " are for the host; the markers are those
# of scripts/init.sh, so that scripts/verdict.sh can judge the log.

/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt /merged
/bin/busybox --install -s /bin
PATH=/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

MODE= SEED=1 MIN= META= INDEX= FSTYPE=layerfs
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	crash.fstype=*) FSTYPE=${arg#*=} ;;
	crash.metacopy=1) META=meta ;;
	crash.index=1) INDEX=index ;;
	crash.mode=*) MODE=${arg#*=} ;;
	crash.seed=*) SEED=${arg#*=} ;;
	crash.min=*)  MIN=${arg#*=} ;;
	esac
done

bail() {
	echo "Bail out! $*"
	return 1
}

# crc32c-intel needs SSE4.2; crc32c_generic does the same job without it.
load_modules() {
	for ko in $(cat /modules/load-order); do
		insmod "/modules/$ko" && continue
		case "$ko" in
		crc32c-intel.ko) ;;
		*) bail "insmod /modules/$ko failed" || return ;;
		esac
	done
}

OPTS=lowerdir=/mnt/lower,upperdir=/mnt/upper,workdir=/mnt/work
[ -z "$META" ] || OPTS=$OPTS,metacopy=on
[ -z "$INDEX" ] || OPTS=$OPTS,index=on

# virtio_blk may probe the disk after insmod returns.
wait_disk() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -b /dev/vda ] && return
		sleep 1
	done
	bail "no /dev/vda"
}

run_work() {
	wait_disk || return
	mount -t ext4 /dev/vda /mnt || bail "mount ext4 failed" || return
	mount -t "$FSTYPE" "$FSTYPE" -o "$OPTS" /merged ||
		bail "mount $FSTYPE failed" || return
	# shellcheck disable=SC2086 # no crash.metacopy/index: no argument
	crashtest work /merged "$SEED" $META $INDEX
	bail "the workload ended before the kill"
}

run_verify() {
	wait_disk || return
	mount -t ext4 /dev/vda /mnt || bail "mount ext4 failed" || return
	crashtest leftovers /mnt/work/work
	[ -z "$INDEX" ] || crashtest index-list /mnt/work/index before
	if mount -t "$FSTYPE" "$FSTYPE" -o "$OPTS" /merged; then
		[ -z "$INDEX" ] || crashtest index-list /mnt/work/index after
		# shellcheck disable=SC2086 # no crash.min/index: no argument
		crashtest verify /mnt/lower /mnt/upper /mnt/work/work /merged $INDEX $MIN ||
			bail "verify failed"
		umount /merged || bail "umount $FSTYPE failed"
	else
		bail "mount $FSTYPE failed"
	fi
	umount /mnt || bail "umount ext4 failed"
	echo "crash: unmounted"
}

echo "==== layerfs-vm: begin crash-$MODE ($FSTYPE) on $(uname -r) ===="
if load_modules; then
	case "$MODE" in
	work)   run_work ;;
	verify) run_verify ;;
	*)      bail "unknown crash.mode '$MODE'" ;;
	esac
fi
dmesg -n 1
echo "==== layerfs-vm: dmesg begin ===="
dmesg
echo "==== layerfs-vm: dmesg end ===="
echo "==== layerfs-vm: exit ===="
sync
poweroff -f
