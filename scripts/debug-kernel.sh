#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug-kernel.sh - build the 6.12 debug kernel (KASAN, lockdep,
# kmemleak, fault injection) that "make check KERNEL=debug" boots.
#
# Usage: scripts/debug-kernel.sh [--force | --check]
#
#   --force   rebuild even when the cached kernel is up to date
#   --check   build nothing: exit 0 when the cached kernel is up to date,
#             1 when a run would build it (.ci/run uses this)
#
# The kernel is Debian's linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz,
# installed by scripts/setup.sh --debug, with the build tools) configured with "make allnoconfig" plus
# scripts/debug.config.  Everything lands in $CACHE/kernels/debug/:
#   build/            the unpacked source, configured and built; a kernel
#                     build directory for "make -C build M=$PWD modules"
#   vmlinuz, config   the kernel the VM boots and its configuration
#   modules/          overlay.ko and load-order, as for the Debian kernels
#   kver              its release ("uname -r"), e.g. 6.12.117-layerfs-debug
#   key               what it was built from (source version, fragment,
#                     compiler); when it matches, nothing is rebuilt
# plus a symlink $CACHE/kernels/<kver> -> debug, so that the scripts find it
# by release like the Debian kernels.  When only the fragment changed, the
# existing tree is reconfigured and rebuilt incrementally.  Prints the
# build time on stderr and the kernel release on stdout.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

force= check=
while [ $# -gt 0 ]; do
	case "$1" in
	--force)   force=1; shift ;;
	--check)   check=1; shift ;;
	-h|--help) usage 0 ;;
	*)         warn "unknown argument '$1'"; usage 1 >&2 ;;
	esac
done

tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$REPO/scripts/debug.config
dir=$CACHE/kernels/debug
tree=$dir/build

# What the kernel is built from: a different source changes the tree, a
# different fragment or compiler only the configuration and objects.
make_key() {
	src_id=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null ||
		 echo none)
	key="source=$src_id
fragment=$(sha256sum <"$fragment" | cut -d' ' -f1)
cc=$(gcc --version 2>/dev/null | head -n 1)"
}
make_key

if [ -z "$force" ] && [ -s "$dir/vmlinuz" ] && [ -r "$dir/key" ] &&
   [ "$(cat "$dir/key")" = "$key" ]; then
	info "up to date: $dir"
	cat "$dir/kver"
	exit 0
fi
[ -z "$check" ] || exit 1

"$REPO/scripts/setup.sh" --debug
[ -r "$tarball" ] || die "$tarball missing: run scripts/setup.sh (as root)"
make_key	# setup.sh may just have installed the source or gcc

mkdir -p "$dir"
rm -f "$dir/key"	# until the build below succeeds
if [ "$(cat "$tree/.layerfs-source" 2>/dev/null)" != "$src_id" ]; then
	info "unpacking $tarball into $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xJf "$tarball" -C "$tree" --strip-components=1
	echo "$src_id" >"$tree/.layerfs-source"
fi

start=$(date +%s)
info "configuring: allnoconfig + ${fragment#"$REPO"/}"
cleanmake -s -C "$tree" allnoconfig KCONFIG_ALLCONFIG="$fragment" >/dev/null
# Kconfig drops an option whose dependencies are not met without a word.
missing=$(grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$fragment" |
	while read -r line; do
		grep -qxF -- "$line" "$tree/.config" || echo "    $line"
	done)
[ -z "$missing" ] || die "options of ${fragment#"$REPO"/} not in the configuration:
$missing"
info "building $(grep -c '=[ym]$' "$tree/.config") options with $(nproc) jobs"
cleanmake -s -C "$tree" -j"$(nproc)" bzImage modules >/dev/null ||
	die "kernel build failed"
secs=$(($(date +%s) - start))

kver=$(cleanmake -s -C "$tree" kernelrelease)
rm -rf "$dir/modules"
mkdir -p "$dir/modules"
cp "$tree/fs/overlayfs/overlay.ko" "$dir/modules/"
echo overlay.ko >"$dir/modules/load-order"
cp "$tree/arch/x86/boot/bzImage" "$dir/vmlinuz"
cp "$tree/.config" "$dir/config"
echo "$kver" >"$dir/kver"
ln -sfn debug "$CACHE/kernels/$kver"
echo "$key" >"$dir/key"
info "built $kver in $((secs / 60))m$((secs % 60))s: $dir"
echo "$kver"
