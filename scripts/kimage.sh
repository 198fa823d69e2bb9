#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kimage.sh - prepare a kernel you built for the layerfs test VM.
#
# Usage: scripts/kimage.sh --kimage BZIMAGE [--kmodules DIR] [--kdir DIR]
#
#   --kimage BZIMAGE  the x86-64 kernel to boot (arch/x86/boot/bzImage)
#   --kdir DIR        its configured build directory, which layerfs.ko is
#                     built against (default: the tree BZIMAGE is in, when it
#                     is <tree>/arch/x86/boot/bzImage, else DIR/build of
#                     --kmodules)
#   --kmodules DIR    where its modules are: /lib/modules/<kver>, or an
#                     INSTALL_MOD_PATH root holding lib/modules/<kver>, or
#                     the build tree (default: the build directory)
#
# "make check KIMAGE=... [KMODULES=...] [KDIR=...]" runs this.  It checks the
# kernel's configuration (DIR/.config, else <kmodules>/config) against
# selftests/layerfs/config and, when something is missing, fails with the
# list of what is missing and why it is needed.  Then it lays the kernel out
# as scripts/vm.sh expects it, in build/<kver>/kimage/: vmlinuz, config,
# modules/ with overlay.ko (when overlayfs is a module) and what it depends
# on, modules/load-order.  Prints that directory and the build directory on
# stdout, one a line.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kimage= kmodules= kdir=
while [ $# -gt 0 ]; do
	case "$1" in
	--kimage)   kimage=${2:?}; shift 2 ;;
	--kmodules) kmodules=${2:?}; shift 2 ;;
	--kdir)     kdir=${2:?}; shift 2 ;;
	-h|--help)  usage 0 ;;
	*)          die "unknown argument '$1'" ;;
	esac
done
[ -n "$kimage" ] || die "--kimage BZIMAGE is required"
[ -s "$kimage" ] || die "KIMAGE=$kimage: no such file"
kimage=$(realpath "$kimage")
if [ -n "$kmodules" ]; then
	[ -d "$kmodules" ] || die "KMODULES=$kmodules: no such directory"
	kmodules=$(realpath "$kmodules")
fi

# The build directory.
if [ -z "$kdir" ]; then
	case "$kimage" in
	*/arch/x86/boot/bzImage) kdir=${kimage%/arch/x86/boot/bzImage} ;;
	esac
fi
if [ -z "$kdir" ] && [ -n "$kmodules" ]; then
	for d in "$kmodules/build" "$kmodules"/lib/modules/*/build; do
		[ -d "$d" ] && { kdir=$d; break; }
	done
fi
[ -n "$kdir" ] || die "cannot tell the kernel's build directory from KIMAGE=$kimage: give KDIR=<build dir>"
resolve_kernel "" "$kdir"

# The bzImage says which release it is; it must be the build directory's.
img_ver=$(file -bL "$kimage" 2>/dev/null | sed -n 's/.*, version \([^ ]*\) .*/\1/p')
[ -z "$img_ver" ] || [ "$img_ver" = "$KVER" ] ||
	die "KIMAGE is $img_ver but KDIR=$KDIR is configured for $KVER"
case "$(file -bL "$kimage" 2>/dev/null)" in
*"Linux kernel x86 boot executable"*) ;;
*) warn "$kimage does not look like an x86 bzImage (file(1)); booting it anyway" ;;
esac

config=
for c in "$KDIR/.config" ${kmodules:+"$kmodules/config"} "/boot/config-$KVER"; do
	[ -r "$c" ] && { config=$c; break; }
done
[ -n "$config" ] || die "no configuration for $KVER (looked for $KDIR/.config)"

# What each option is for, in the message.
why() {
	case "$1" in
	CONFIG_OVERLAY_FS)   echo "no overlayfs: the reference the tests compare with" ;;
	CONFIG_TMPFS_XATTR)  echo "no tmpfs xattrs: whiteouts and opaque directories on tmpfs layers" ;;
	CONFIG_TMPFS_POSIX_ACL|CONFIG_FS_POSIX_ACL) echo "no POSIX ACLs on tmpfs" ;;
	CONFIG_TMPFS|CONFIG_SHMEM) echo "no tmpfs: the layers live on tmpfs" ;;
	CONFIG_MODULES|CONFIG_MODULE_UNLOAD) echo "layerfs.ko is loaded and unloaded" ;;
	CONFIG_SERIAL_8250*|CONFIG_TTY|CONFIG_PRINTK) echo "no serial console: the host reads the results there" ;;
	CONFIG_BLK_DEV_INITRD|CONFIG_RD_GZIP) echo "the VM boots a gzipped initramfs" ;;
	CONFIG_DEVTMPFS|CONFIG_PROC_FS|CONFIG_SYSFS) echo "mounted by the VM's /init" ;;
	CONFIG_BINFMT_*|CONFIG_64BIT) echo "the VM runs static x86-64 ELF programs and scripts" ;;
	*) echo "used by the selftests" ;;
	esac
}
missing=
while IFS='=' read -r opt want; do
	have=$(sed -n "s/^$opt=\(.*\)/\1/p" "$config")
	case "$want:$have" in
	y:y|m:y|m:m) ;;
	*) missing+="    $opt=$want (have: ${have:-not set}) - $(why "$opt")"$'\n' ;;
	esac
done < <(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$REPO/selftests/layerfs/config")
[ -z "$missing" ] || die "$KVER ($config) lacks what the selftests need (selftests/layerfs/config):
$missing"

# The modules: overlay.ko and what it depends on, uncompressed.
out=$REPO/build/$KVER/kimage
rm -rf "$out"
mkdir -p "$out/modules"
cp "$kimage" "$out/vmlinuz"
cp "$config" "$out/config"
: >"$out/modules/load-order"
mod_dirs=()
[ -z "$kmodules" ] || mod_dirs+=("$kmodules")
mod_dirs+=("$KDIR")
find_module() {
	local d f
	for d in "${mod_dirs[@]}"; do
		f=$(find -L "$d" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
			-o -name "$1.ko.gz" 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return; }
	done
	return 1
}
add_module() {
	local name=$1 f dep
	grep -qx "$name.ko" "$out/modules/load-order" && return
	f=$(find_module "$name") ||
		die "overlayfs is a module (CONFIG_OVERLAY_FS=m) but $name.ko is not in ${mod_dirs[*]}: give KMODULES=<dir> (make modules_install INSTALL_MOD_PATH=<dir>)"
	case "$f" in
	*.xz)  xz -dc "$f" >"$out/modules/$name.ko" ;;
	*.zst) zstd -qdc "$f" >"$out/modules/$name.ko" ;;
	*.gz)  gzip -dc "$f" >"$out/modules/$name.ko" ;;
	*)     cp "$f" "$out/modules/$name.ko" ;;
	esac
	for dep in $(modinfo -F depends "$out/modules/$name.ko" | tr ',' ' '); do
		add_module "${dep//-/_}"
	done
	echo "$name.ko" >>"$out/modules/load-order"
}
if grep -qx 'CONFIG_OVERLAY_FS=m' "$config"; then
	add_module overlay
fi
info "$KVER: $kimage, build directory $KDIR, modules: $(tr '\n' ' ' <"$out/modules/load-order")"
echo "$out"
echo "$KDIR"
