#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/setup.sh - install what building and testing layerfs needs.
#
# Usage: scripts/setup.sh [--refresh | --debug]
#
# Idempotent: a second run that finds everything in place returns in well under
# a second and needs no root.  Everything comes from the Debian bookworm (and
# bookworm-security) archives already configured in apt; nothing else is added.
#
#  * host packages: qemu, busybox-static, cpio, kmod, xz-utils, sparse, rsync,
#    stress-ng (copied into the VM for selftests/layerfs/stress_ng.sh),
#    squashfs-tools, e2fsprogs, xfsprogs, btrfs-progs, quota (mksquashfs,
#    mkfs.ext4, mkfs.xfs, mkfs.btrfs, quotacheck, quotaon, setquota:
#    scripts/vm.sh copies them and their libraries into the VM for
#    lfs_make_fs() of layerfs_util.h, and aclcopy.c's btrfs),
#    gcc, make, libc6-dev, perl, linux-source-6.12, python3-docutils (the
#    rst check of scripts/lint.sh), secilc (compiles the SELinux policy
#    selftests/layerfs/lsmlabel.cil for lsmlabel.c);
#  * for each kernel series (6.12, 6.1) the newest ABI apt offers at setup time
#    (never hard-coded): its linux-headers-<kver> package is installed, its
#    linux-image-<kver> package is only downloaded and unpacked into the cache
#    (it is NOT installed as a host kernel); we keep vmlinuz and, uncompressed
#    (Debian 6.12 ships modules as .ko.xz, busybox insmod cannot read those),
#    the modules of VM_MODULES and VM_FS_MODULES with everything they need;
#    the kernel is unpacked again when one of those lists grows;
#  * from linux-source-6.12: the kselftest harness, lib.mk and checkpatch.pl.
#
# The result is recorded in $CACHE/manifest (see scripts/lib.sh for the layout).
# --refresh asks apt again for the newest ABIs instead of trusting the manifest.
# --debug also installs what building the debug kernel needs (flex, bison,
# bc, libelf-dev; see scripts/debug-kernel.sh).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES="qemu-system-x86 busybox-static cpio kmod xz-utils sparse rsync
	gcc make libc6-dev perl linux-source-6.12 stress-ng python3-docutils
	squashfs-tools e2fsprogs xfsprogs quota btrfs-progs trace-cmd secilc"
DEBUG_PACKAGES="flex bison bc libelf-dev"

# Files taken from the linux-source tarball, relative to its top directory.
SRC_FILES="tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest
	tools/testing/selftests/lib.mk
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch"

# Modules the VM loads at boot besides layerfs.ko: overlay.ko, the reference.
VM_MODULES="overlay"
# Modules the selftests' real filesystems need (lfs_make_fs() in
# selftests/layerfs/layerfs_util.h): loop devices, a read-only squashfs, ext4,
# xfs, quota_v2 for ext4's usrquota, btrfs (-o noacl: an upper without POSIX
# ACLs, for selftests/layerfs/aclcopy.c); and fuse for the FUSE layers of
# selftests/layerfs/fuse_util.h.  All are modules (=m) in Debian's 6.1 and
# 6.12 configs, except fuse in 6.12 (built in: its line names no file).
# They are NOT loaded at boot (under TCG, insmod of
# ext4 and xfs takes 17 seconds): modules/fs-modules has one line per name,
# "NAME FILE.ko ...", the files to load for it in order, dependencies first,
# and lfs_make_fs() loads what it needs with finit_module(2).
VM_FS_MODULES="loop squashfs ext4 xfs quota_v2 fuse btrfs"
VM_MODULES_SKIP="crc32c-intel crc32c_intel"

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0
REFRESH=0

# ---------------------------------------------------------------- apt helpers

need_root() {
	[ "$(id -u)" = 0 ] || die "$* needs root (run: sudo $0)"
}

apt_update_once() {
	[ "$APT_UPDATED" = 1 ] && return
	info "apt-get update"
	apt-get update -qq || die "apt-get update failed"
	APT_UPDATED=1
}

is_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Install the named packages that are not installed yet.
apt_install() {
	local pkg missing=()
	for pkg in "$@"; do
		is_installed "$pkg" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return
	need_root "installing ${missing[*]}"
	apt_update_once
	info "apt-get install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# Print the newest linux-headers ABI of a series as apt knows it, e.g.
# "6.1.0-56-amd64" or "6.12.117+deb12-amd64".
newest_kver() {
	local re
	case "$1" in
	6.1)  re='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
	esac
	apt-cache pkgnames linux-headers- | grep -E "$re" | sort -V | tail -n 1 |
		sed 's/^linux-headers-//'
}

# ------------------------------------------------------------- cache helpers

# Is everything the manifest promises present?  (The fast path.)
cache_complete() {
	local series key kver pkg
	[ -r "$MANIFEST" ] || return 1
	# shellcheck disable=SC1090
	. "$MANIFEST"
	for pkg in $HOST_PACKAGES; do
		is_installed "$pkg" || return 1
	done
	for series in $SERIES_ALL; do
		key=$(series_key "$series")
		kver=${!key:-}
		[ -n "$kver" ] || return 1
		is_installed "linux-headers-$kver" || return 1
		kernel_complete "$kver" || return 1
	done
	[ -r "$CACHE/linux-src/tools/testing/selftests/lib.mk" ] &&
		[ -r "$CACHE/linux-src/scripts/checkpatch.pl" ]
}

# Does the cache hold vmlinuz and every module of VM_MODULES and
# VM_FS_MODULES for KVER?  (A cache made before a module joined a list lacks
# it: unpack again.)
kernel_complete() {
	local dir=$CACHE/kernels/$1 mod
	[ -s "$dir/vmlinuz" ] && [ -s "$dir/modules/load-order" ] || return 1
	for mod in $VM_MODULES; do
		grep -qx "$mod.ko" "$dir/modules/load-order" || return 1
	done
	for mod in $VM_FS_MODULES; do
		grep -qE "^$mod( |\$)" "$dir/modules/fs-modules" 2>/dev/null ||
			return 1
	done
}

# Print the files to insmod for module NAME of the unpacked image ROOT (after
# depmod), dependencies first, soft ones included, as modprobe computes them;
# VM_MODULES_SKIP left out.
module_chain() {
	local root=$1 kver=$2 name=$3 file
	modprobe -d "$root" -S "$kver" --show-depends "$name" >"$root/.chain" ||
		die "modprobe --show-depends $name failed for $kver"
	for file in $(awk '$1 == "insmod" { print $2 }' "$root/.chain"); do
		case " $VM_MODULES_SKIP " in
		*" $(basename "$file" | sed 's/\.ko.*//') "*) ;;
		*) echo "$file" ;;
		esac
	done
}

# Copy FILE (a module, maybe .xz) into OUT uncompressed unless it is there;
# print its name there.
copy_module() {
	local file=$1 out=$2 name
	name=$(basename "$file" .xz)
	if [ ! -e "$out/$name" ]; then
		case "$file" in
		*.xz) xz -dc "$file" >"$out/$name" ;;
		*)    cp "$file" "$out/$name" ;;
		esac
	fi
	echo "$name"
}

# Copy the modules of VM_MODULES and VM_FS_MODULES, with everything they
# depend on, from the unpacked image ROOT into OUT (uncompressed); list the
# former in OUT/load-order (insmod order), the latter in OUT/fs-modules.
collect_modules() {
	local root=$1 kver=$2 out=$3 mod file line
	depmod -b "$root" "$kver" || die "depmod of linux-image-$kver failed"
	for mod in $VM_MODULES; do
		for file in $(module_chain "$root" "$kver" "$mod"); do
			file=$(copy_module "$file" "$out")
			grep -qx "$file" "$out/load-order" 2>/dev/null ||
				echo "$file" >>"$out/load-order"
		done
	done
	for mod in $VM_FS_MODULES; do
		line=$mod
		for file in $(module_chain "$root" "$kver" "$mod"); do
			line+=" $(copy_module "$file" "$out")"
		done
		echo "$line" >>"$out/fs-modules"
	done
}

# Download linux-image-KVER, unpack it, keep vmlinuz and the VM's modules.
fetch_kernel() {
	local kver=$1 dir=$CACHE/kernels/$1 tmp deb
	kernel_complete "$kver" && return
	need_root "downloading linux-image-$kver"
	mkdir -p "$CACHE/debs"
	deb=$(find "$CACHE/debs" -name "linux-image-${kver}_*.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		info "apt-get download linux-image-$kver"
		(cd "$CACHE/debs" &&
			apt-get download -qq -o APT::Sandbox::User=root "linux-image-$kver") ||
			{ apt_update_once; (cd "$CACHE/debs" &&
			apt-get download -qq -o APT::Sandbox::User=root "linux-image-$kver"); } ||
			die "cannot download linux-image-$kver"
		deb=$(find "$CACHE/debs" -name "linux-image-${kver}_*.deb" | sort -V | tail -n 1)
	fi
	info "unpacking $(basename "$deb")"
	tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
	dpkg-deb -x "$deb" "$tmp/root"
	mkdir -p "$tmp/out/modules"
	cp "$tmp/root/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
	cp "$tmp/root/boot/config-$kver" "$tmp/out/config"
	collect_modules "$tmp/root" "$kver" "$tmp/out/modules"
	rm -rf "$dir"
	mkdir -p "$CACHE/kernels"
	mv "$tmp/out" "$dir"
	rm -rf "$tmp"
}

# Extract the files we use from linux-source-6.12 into $CACHE/linux-src.
fetch_source() {
	local tarball tmp top
	[ -r "$CACHE/linux-src/scripts/checkpatch.pl" ] &&
		[ -r "$CACHE/linux-src/tools/testing/selftests/lib.mk" ] && return
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
		die "/usr/src/linux-source-6.12.tar.xz missing (package linux-source-6.12)"
	info "extracting kselftest harness and checkpatch from $tarball"
	tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
	top=$(basename "$tarball" .tar.xz)
	# shellcheck disable=SC2086 # SRC_FILES is a word list on purpose
	tar -xJf "$tarball" -C "$tmp" $(printf "$top/%s " $SRC_FILES)
	rm -rf "$CACHE/linux-src"
	mv "$tmp/$top" "$CACHE/linux-src"
	rm -rf "$tmp"
}

write_manifest() {
	local tmp
	tmp=$(mktemp "$CACHE/manifest.XXXXXX")
	{
		echo "# Written by scripts/setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); KEY=value, sh and make syntax."
		echo "KVER_6_12=$KVER_6_12"
		echo "KVER_6_1=$KVER_6_1"
		echo "LINUX_SRC_VERSION=$(dpkg-query -W -f='${Version}' linux-source-6.12)"
	} >"$tmp"
	chmod 644 "$tmp"
	mv "$tmp" "$MANIFEST"
}

# ---------------------------------------------------------------- host check

# Everything below comes from Debian 12's apt archive: on another host, say
# what is needed and how to get it instead of failing in apt.
# LAYERFS_HOST_CHECK=0 skips this (a bookworm derivative with its archive).
host_check() {
	local id= ver= name
	[ "${LAYERFS_HOST_CHECK:-1}" = 0 ] && return
	if [ -r /etc/os-release ]; then
		id=$(. /etc/os-release && echo "${ID:-}")
		ver=$(. /etc/os-release && echo "${VERSION_ID:-}")
		name=$(. /etc/os-release && echo "${PRETTY_NAME:-$id $ver}")
	fi
	[ "$id" = debian ] && [ "$ver" = 12 ] && command -v apt-get >/dev/null && return
	cat >&2 <<EOT
$PROG: this host is ${name:-unknown (no /etc/os-release)}, not Debian 12 (bookworm).

layerfs builds and tests against Debian bookworm's 6.1 and 6.12 kernels:
their headers, kernel images and the tools below come from bookworm's apt
archive (linux-headers-*, linux-image-*, linux-source-6.12, qemu-system-x86,
busybox-static, cpio, kmod, gcc, make, sparse, stress-ng, squashfs-tools,
e2fsprogs, xfsprogs, btrfs-progs, quota, python3-docutils).  Run the suite in
a Debian 12 container (or VM) instead, from the top of the repository:

  docker run --rm -it --device /dev/kvm -v "\$PWD":/src -w /src debian:bookworm \\
      sh -c 'apt-get update && apt-get install -y make && make setup && make check'

(podman works the same; without /dev/kvm drop --device /dev/kvm and the VM
runs under TCG, several times slower.)  See README.md, "Other distributions".
Set LAYERFS_HOST_CHECK=0 to try anyway on a bookworm derivative.
EOT
	exit 1
}

# ---------------------------------------------------------------------- main

main() {
	local series key kver
	case "${1:-}" in
	"") ;;
	--refresh) REFRESH=1 ;;
	--debug) apt_install $DEBUG_PACKAGES ;;
	-h|--help) usage 0 ;;
	*) usage 1 >&2 ;;
	esac

	if [ "$REFRESH" = 0 ] && cache_complete; then
		info "everything in place ($MANIFEST: 6.12=$KVER_6_12 6.1=$KVER_6_1)"
		return
	fi
	host_check
	need_root "setting up $CACHE"
	mkdir -p "$CACHE"
	# Two concurrent setups (make check in two shells) must not interleave.
	exec 9>"$CACHE/.lock"
	flock 9

	apt_install $HOST_PACKAGES

	# Pick the kernels: the manifest's unless --refresh or none yet.
	KVER_6_12= KVER_6_1=
	if [ "$REFRESH" = 0 ] && [ -r "$MANIFEST" ]; then
		# shellcheck disable=SC1090
		. "$MANIFEST"
	fi
	for series in $SERIES_ALL; do
		key=$(series_key "$series")
		kver=${!key:-}
		if [ -z "$kver" ]; then
			[ "$REFRESH" = 1 ] && apt_update_once
			kver=$(newest_kver "$series")
			if [ -z "$kver" ]; then
				apt_update_once
				kver=$(newest_kver "$series")
			fi
			[ -n "$kver" ] || die "apt knows no linux-headers package for $series"
			printf -v "$key" '%s' "$kver"
		fi
		info "kernel $series: $kver"
		apt_install "linux-headers-$kver"
		fetch_kernel "$kver"
	done
	fetch_source
	write_manifest
	info "done: $MANIFEST"
	sed 's/^/  /' "$MANIFEST" >&2
}

main "$@"
