#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh - a narrated tour of layerfs for a student, run inside the
# VM by "make demo" (busybox ash; /init has already loaded layerfs.ko).
#
# It builds a Docker-like image out of three lower layers and an upper layer,
# mounts them with layerfs and shows: where a read comes from, the merged
# listing, which layer each name comes from, how a whiteout and an opaque
# directory hide lower content, that writes fail (read-only for now) and a
# mount of 25 layers.

set -eu

DEMO=/tmp/demo
L1=$DEMO/layer1-base	# bottom: the "distribution" layer
L2=$DEMO/layer2-packages
L3=$DEMO/layer3-app	# top lower layer
UP=$DEMO/upper
WK=$DEMO/work
MNT=$DEMO/merged

heading() {
	echo
	echo "=================================================================="
	echo "== $*"
	echo "=================================================================="
}
say() { echo "   $*"; }
# Show a command, then run it.
run() {
	echo "\$ $*"
	"$@"
}

cleanup() {
	umount "$MNT" 2>/dev/null || true
	umount "$DEMO/many/merged" 2>/dev/null || true
}
trap cleanup EXIT

# is_whiteout PATH: a 0/0 character device is layerfs's (and overlayfs's)
# marker for "this name was deleted in this layer".
is_whiteout() {
	[ -c "$1" ] && [ "$(stat -c '%t:%T' "$1")" = "0:0" ]
}

# is_opaque DIR: busybox cannot read xattrs, so the demo remembers the
# directories it marked opaque (trusted.overlay.opaque=y) in OPAQUE_DIRS.
OPAQUE_DIRS=
is_opaque() {
	case " $OPAQUE_DIRS " in
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

# origin NAME: which layer(s) a merged name comes from, found the way layerfs
# looks it up: upper first, then the lowers from top to bottom.  A whiteout
# stops the search, a non-directory hides everything below it, directories of
# the same name merge until one of them is opaque.
origin() {
	name=$1 found=
	for layer in "$UP" "$L3" "$L2" "$L1"; do
		path=$layer/$name
		[ -e "$path" ] || [ -L "$path" ] || continue
		if is_whiteout "$path"; then
			found="$found (whiteout in $(basename "$layer") hides the rest)"
			break
		fi
		found="$found $(basename "$layer")"
		[ -d "$path" ] && [ ! -L "$path" ] || break
		if is_opaque "$path"; then
			found="$found (opaque: lower dirs hidden)"
			break
		fi
	done
	echo "${found# }"
}

mkfile() {	# mkfile PATH CONTENT
	mkdir -p "$(dirname "$1")"
	echo "$2" >"$1"
}

heading "1. Build an image out of layers (like a Docker image)"
say "Each layer is an ordinary directory; here they live on tmpfs."
say "The bottom layer is the base system, each layer above adds or"
say "replaces files, the upper layer is where a container's changes go."
mkdir -p "$L1" "$L2" "$L3" "$UP" "$WK" "$MNT"
mkfile "$L1/etc/os-release"        'NAME="Base OS 1.0"'
mkfile "$L1/etc/motd"              'Welcome to the base image'
mkfile "$L1/bin/tool"              'tool version 1 (from the base layer)'
mkfile "$L1/var/log/install.log"   'base installed'
mkfile "$L1/opt/vendor/old-plugin" 'an old plugin shipped by the base'
mkfile "$L2/bin/tool"              'tool version 2 (upgraded by the packages layer)'
mkfile "$L2/usr/share/doc/tool/README" 'tool documentation'
mkfile "$L2/etc/tool.conf"         'verbose = no'
mkfile "$L3/app/main.sh"           'echo hello from the app'
mkfile "$L3/etc/motd"              'Welcome to the app container'
mkfile "$UP/app/settings"          'colour = blue'
run find "$DEMO" -path "$MNT" -prune -o -type f -print

heading "2. Mount them with layerfs"
say "lowerdir lists the read-only layers TOP FIRST, separated by ':'."
say "upperdir/workdir name the writable layer (not written to yet)."
run mount -t layerfs -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" layerfs "$MNT"
run grep layerfs /proc/mounts
say "f_type of the merged view (LAYERFS_SUPER_MAGIC is 4c415952):"
run stat -f -c '%t' "$MNT"

heading "3. A read is served by the topmost layer that has the file"
run cat "$MNT/bin/tool"
say "bin/tool exists in layer1-base and layer2-packages; the higher one wins:"
say "  origin: $(origin bin/tool)"
run cat "$MNT/etc/os-release"
say "etc/os-release only exists in the base layer: $(origin etc/os-release)"

heading "4. The merged listing"
say "A directory present in several layers shows the union of their entries,"
say "each name once."
run ls -la "$MNT/etc"
say "Every name in the merged tree and the layer(s) it comes from, found by"
say "checking the layer directories top-down (upper, layer3, layer2, layer1)."
say "A file is read from one layer; a directory is merged from every layer"
say "listed for it:"
(cd "$MNT" && find . -mindepth 1 | sort) | while read -r name; do
	printf '   %-32s %s\n' "${name#./}" "$(origin "${name#./}")"
done

heading "5. A whiteout hides a file of the layers below"
say "Deleting a lower file cannot touch the read-only lower layer, so a layer"
say "above records the deletion as a whiteout: a character device 0/0."
say "We place one by hand in layer3-app for var/log/install.log:"
run mkdir -p "$L3/var/log"
run mknod "$L3/var/log/install.log" c 0 0
run ls -l "$L3/var/log"
say "Layer contents changed under a mounted layerfs are not guaranteed to show"
say "(the kernel caches lookups), so we remount:"
run umount "$MNT"
run mount -t layerfs -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" layerfs "$MNT"
run ls -la "$MNT/var/log"
say "install.log is gone from the merged view, while layer1-base still has it:"
run cat "$L1/var/log/install.log"

heading "6. An opaque directory hides a whole lower directory"
say "A whiteout hides one name. To replace a directory's contents instead of"
say "merging them, a layer marks its directory opaque with the extended"
say "attribute trusted.overlay.opaque=y. layer2-packages gets a fresh opt/vendor:"
run mkdir -p "$L2/opt/vendor"
run setfattr -n trusted.overlay.opaque -v y "$L2/opt/vendor"
mkfile "$L2/opt/vendor/new-plugin" 'the new plugin from the packages layer'
OPAQUE_DIRS="$OPAQUE_DIRS $L2/opt/vendor"
run umount "$MNT"
run mount -t layerfs -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" layerfs "$MNT"
run ls -la "$MNT/opt/vendor"
say "old-plugin (layer1-base) is hidden: $(origin opt/vendor)"
say "Without the opaque mark both plugins would be listed."

heading "7. Writing through the merged view"
say "layerfs is read-only for now: the write side (copy-up into the upper"
say "layer, whiteouts on delete) comes later. Every modification fails"
say "with EROFS ('Read-only file system'):"
for cmd in "touch $MNT/app/new-file" "rm -f $MNT/etc/motd" "mkdir $MNT/newdir"; do
	echo "\$ $cmd"
	if $cmd 2>&1; then
		echo "   unexpected: this succeeded"
	fi
done
run umount "$MNT"

heading "8. Many layers: a 25-layer mount"
say "Images often have dozens of layers. Each of these 25 adds one file and"
say "overwrites 'top', so 'top' shows the topmost layer (layer 24)."
mkdir -p "$DEMO/many/merged"
i=0
lower=
while [ "$i" -lt 25 ]; do
	mkfile "$DEMO/many/$i/file-from-layer-$i" "layer $i"
	echo "written by layer $i" >"$DEMO/many/$i/top"
	lower="$i${lower:+:$lower}"
	i=$((i + 1))
done
say "(short relative layer names keep the option string small: cd first)"
cd "$DEMO/many"
run mount -t layerfs -o "lowerdir=$lower" layerfs merged
cd /
run ls "$DEMO/many/merged"
say "$(ls "$DEMO/many/merged" | grep -c file-from-layer) files merged from 25 layers"
run cat "$DEMO/many/merged/top"
run umount "$DEMO/many/merged"

heading "Done"
say "Read more: Documentation/filesystems/layerfs.rst in the repository."
