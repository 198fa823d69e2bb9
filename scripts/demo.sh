#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh - a narrated tour of layerfs for a student, run inside the
# VM by "make demo" (busybox ash; /init has already loaded layerfs.ko and
# overlay.ko).
#
# It builds a Docker-like image out of three lower layers and an upper layer,
# mounts them with layerfs and shows: where a read comes from, the merged
# listing, which layer each name comes from (asked of layerfs itself with
# layerfs-which), how a whiteout and an opaque directory hide lower content; then, writing through the merged view: a
# copy-up, the whiteout left by a delete, the opaque directory made when a
# deleted directory is created again, EXDEV on renaming a lower directory;
# that the kernel's overlayfs reads the same upper layer; and a mount of 25
# layers.
#
# /bin/setfattr is scripts/setfattr.c, built by vm.sh; run as getfattr or
# rename it prints an xattr or makes one rename(2) call (busybox has neither).
# /bin/layerfs-which is tools/layerfs-which.c, also built by vm.sh: it asks
# layerfs which layer serves a path (the LAYERFS_IOC_WHICH ioctl).

set -eu

DEMO=/tmp/demo
L1=$DEMO/layer1-base	# bottom: the "distribution" layer
L2=$DEMO/layer2-packages
L3=$DEMO/layer3-app	# top lower layer
UP=$DEMO/upper
WK=$DEMO/work
MNT=$DEMO/merged
OVL=$DEMO/overlay	# the same layers mounted with overlayfs

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
# Show a shell command line (with a redirection), then run it.
run_sh() {
	echo "\$ $1"
	eval "$1"
}
# layerfs's trace events since the last call, one per line without the
# task/CPU/time columns (Documentation/filesystems/layerfs-tracing.rst).
TR=/sys/kernel/tracing
show_events() {
	echo "\$ cat $TR/trace"
	grep -o 'layerfs_[a-z_]*: .*' "$TR/trace" | grep -v "$1"
	echo >"$TR/trace"
}
# Show a command that is meant to fail, then run it: its error message is
# part of the lesson.  That it succeeds instead stops the demo.
run_fails() {
	echo "\$ $*"
	if "$@"; then
		echo "   unexpected: this succeeded" >&2
		return 1
	fi
}

cleanup() {
	umount "$MNT" 2>/dev/null || true
	umount "$OVL" 2>/dev/null || true
	umount "$DEMO/many/merged" 2>/dev/null || true
}
trap cleanup EXIT

# The multi-call helper answers to these names too.
for tool in getfattr rename; do
	[ -e "/bin/$tool" ] || ln -s setfattr "/bin/$tool"
done

# origin NAME: the layer(s) serving merged NAME, as layerfs answers
# layerfs-which, on one line: "lower: layer2-packages", "merged: upper
# layer3-app layer1-base".  layerfs-which prints "PATH: KIND, layer N (DIR)"
# a line per layer; here only the kind and the directories' last names stay.
origin() {
	layerfs-which "$MNT/$1" | sed 's/^.*: \([a-z]*\), layer [0-9]* (\(.*\))$/\1 \2/' |
	{
		line=
		while read -r kind dir; do
			line="${line:-$kind:} $(basename "$dir")"
		done
		echo "$line"
	}
}

# snapshot DIR: one line per name under DIR: type and permissions, owner,
# and for a file its size and a checksum of its content.
snapshot() {
	(cd "$1" && find . | sort | while read -r f; do
		if [ -f "$f" ] && [ ! -L "$f" ]; then
			echo "$(stat -c '%A %U %5s' "$f") $(md5sum <"$f" | cut -c1-8) $f"
		else
			echo "$(stat -c '%A %U' "$f")                $f"
		fi
	done)
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
mkfile "$L1/srv"                   'in the base, srv is a plain file'
mkfile "$L3/srv/www/index.html"    '<h1>the app</h1>'
mkfile "$UP/app/settings"          'colour = blue'
run find "$DEMO" -path "$MNT" -prune -o -type f -print

heading "2. Mount them with layerfs"
say "lowerdir lists the read-only layers TOP FIRST, separated by ':'."
say "upperdir is the writable layer: every change made through the merged"
say "view lands there (steps 7 to 10). workdir is layerfs's scratch space;"
say "it must be on the same mount as upperdir (not just the same filesystem)."
run mount -t layerfs -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" layerfs "$MNT"
run grep layerfs /proc/mounts
say "f_type of the merged view (LAYERFS_SUPER_MAGIC is 4c415952):"
run stat -f -c '%t' "$MNT"
heading "3. A read is served by the topmost layer that has the file"
run cat "$MNT/bin/tool"
say "bin/tool exists in layer1-base and layer2-packages; the higher one wins."
say "layerfs-which asks layerfs itself which layer serves a path (an ioctl"
say "on the open file). Layers are numbered from the top: 0 is the upper"
say "layer, 1 layer3-app, 2 layer2-packages, 3 layer1-base:"
run layerfs-which "$MNT/bin/tool"
run cat "$MNT/etc/os-release"
say "etc/os-release only exists in the base layer:"
run layerfs-which "$MNT/etc/os-release"
say "A directory found in several layers is merged from all of them (the"
say "upper layer has no etc/ yet; step 7 makes one):"
run layerfs-which "$MNT/etc"

heading "4. The merged listing"
say "A directory present in several layers shows the union of their entries,"
say "each name once."
run ls -la "$MNT/etc"
say "Every name in the merged tree and the layer(s) it comes from, as"
say "layerfs-which reports them. A file is read from one layer; a directory"
say "is merged from every layer listed for it:"
(cd "$MNT" && find . -mindepth 1 | sort) | while read -r name; do
	printf '   %-32s %s\n' "${name#./}" "$(origin "${name#./}")"
done
say "Look at srv: layer3-app has a directory srv/, layer1-base a plain file"
say "srv. A name that is not a directory ends the merge, so srv/ comes from"
say "layer3-app alone: the base's file is hidden, and not merged (searching"
say "the layer directories by hand, one would be tempted to list it too):"
run ls -l "$L1/srv"
run layerfs-which "$MNT/srv"

heading "5. A whiteout hides a file of the layers below"
say "Deleting a lower file cannot touch the read-only lower layer, so a layer"
say "above records the deletion as a whiteout: a character device 0/0."
say "(Step 8 shows layerfs making one when you delete a file.) Here we place"
say "one by hand in layer3-app for var/log/install.log:"
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
run getfattr -n trusted.overlay.opaque "$L2/opt/vendor"
run umount "$MNT"
run mount -t layerfs -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" layerfs "$MNT"
run ls -la "$MNT/opt/vendor"
say "old-plugin (layer1-base) is hidden: opt/vendor is layer2-packages' alone,"
say "although layer1-base has one too:"
run layerfs-which "$MNT/opt/vendor"
say "Without the opaque mark both plugins would be listed."

heading "7. Writing to a lower file copies it up"
say "Now we write through the merged view. The lower layers are never"
say "modified: the first write to a file that is only in a lower layer"
say "copies it up into the upper layer (data, mode, owner, times, xattrs),"
say "and the write goes to the copy. etc/tool.conf is in layer2-packages;"
say "the upper layer holds only app/settings so far, no etc/:"
run ls -lR "$UP"
run cat "$MNT/etc/tool.conf"
run layerfs-which "$MNT/etc/tool.conf"
say "layerfs reports what it does as trace events. We switch them on for"
say "the write, then read what happened:"
run_sh "echo 1 >$TR/events/layerfs/enable"
echo >"$TR/trace"
run_sh "echo 'colour = auto' >>$MNT/etc/tool.conf"
say "The copy-up of etc/ (a directory: no data), then of tool.conf (with"
say "the bytes copied and the time it took), each done as the mounter,"
say "whose credentials layerfs takes on (layerfs_override_creds) for"
say "every access to a layer:"
show_events '^layerfs_lookup'
run ls -lR "$UP"
run layerfs-which "$MNT/etc/tool.conf" "$MNT/etc"
say "Notice etc/ and etc/tool.conf now in the upper layer: the parent"
say "directory is copied up first (with its mode, owner and times), then the"
say "file. Only what is modified is copied: os-release stays in layer1-base."
say "The copy holds the old line, and the new one was appended after it:"
run cat "$MNT/etc/tool.conf"
say "The lower file is unchanged:"
run cat "$L2/etc/tool.conf"
say "The copy is not written in place: layerfs builds it in the workdir, as"
say "work/#<hex>, and then rename(2)s it to upper/etc/tool.conf. A rename is"
say "atomic, so the merged view shows either the lower file or the complete"
say "copy, never a half-copied file, even after a crash (a leftover temp is"
say "removed at the next mount). This is why workdir must be on the same"
say "filesystem as upperdir. Once the copy-up is done, work/ is empty again:"
run ls -la "$WK/work"

heading "8. Deleting a lower file leaves a whiteout"
say "etc/motd comes from layer3-app (layer1-base has one too). rm cannot"
say "delete it from a lower layer, so layerfs records the deletion in the"
say "upper layer with a whiteout, like the one we made by hand in step 5:"
run rm "$MNT/etc/motd"
say "The event says so (replaced_upper=0: there was no upper copy to swap):"
show_events 'layerfs_override_creds\|^layerfs_lookup'
run_sh "echo 0 >$TR/events/layerfs/enable"
run ls -l "$UP/etc"
say "Notice motd in the upper layer: 'c---------' and '0, 0' mean a"
say "character device with major and minor number 0 and no permissions:"
say "a whiteout."
say "The merged listing no longer shows motd:"
run ls -la "$MNT/etc"
say "while both lower copies are still there:"
run cat "$L3/etc/motd" "$L1/etc/motd"

heading "9. A directory deleted and created again is opaque"
say "usr/share/doc comes from layer2-packages. Delete it, with its contents:"
run rm -rf "$MNT/usr/share/doc"
run ls -lR "$UP/usr"
say "rm -rf deleted README, then tool/, then doc/; each removal of a lower"
say "name left a whiteout, and removing a directory took the whiteouts inside"
say "it along: what remains is one whiteout, usr/share/doc. Now make a new"
say "doc directory with a new file:"
run mkdir "$MNT/usr/share/doc"
run_sh "echo 'release notes' >$MNT/usr/share/doc/NEWS"
run ls -lR "$UP/usr"
say "The new upper directory replaced the whiteout. Merged like other"
say "directories, it would bring back layer2's tool/README; so layerfs marked"
say "it opaque when it created it:"
run getfattr -n trusted.overlay.opaque "$UP/usr/share/doc"
run ls -la "$MNT/usr/share/doc"
say "Only NEWS. The old contents are still in layer2-packages, hidden:"
run ls -R "$L2/usr/share/doc"
say "The opaque directory ends the merge: doc/ is the upper layer's alone."
run layerfs-which "$MNT/usr/share/doc"
say "Through the merged view, trusted.overlay.* attributes are layerfs's own"
say "bookkeeping: they are hidden, reading one fails:"
run_fails getfattr -n trusted.overlay.opaque "$MNT/usr/share/doc"

heading "10. Renaming a directory of a lower layer fails with EXDEV"
say "app/ has contents in a lower layer (main.sh, from layer3-app) next to"
say "settings in the upper layer. Renaming it would mean moving lower"
say "contents, and layerfs never modifies a lower layer (overlayfs with"
say "redirect_dir=off behaves the same), so rename(2) fails with EXDEV, the"
say "error of a rename between two filesystems. This holds for any directory"
say "with lower contents; files, and directories that exist only in the"
say "upper layer, rename normally."
say "'rename' is a tiny helper (scripts/setfattr.c) that makes one rename(2)"
say "call and prints the result like strace:"
run_fails rename "$MNT/app" "$MNT/application"
say "Programs handle EXDEV as a move to another filesystem: mv copies the"
say "tree, then deletes the original, so mv still works:"
run mv "$MNT/app" "$MNT/application"
run ls -la "$MNT"
run cat "$MNT/application/main.sh" "$MNT/application/settings"
run ls -l "$UP"
say "In the upper layer: application/ is a new directory holding copies, and"
say "app is a whiteout that hides layer3-app's app/."
say "application/ exists only in the upper layer, so renaming it is a plain"
say "rename(2). Back to app, where it replaces the whiteout:"
run rename "$MNT/application" "$MNT/app"
run getfattr -n trusted.overlay.opaque "$UP/app"
say "layer3-app still has an app/ under that name, so layerfs made the moved"
say "directory opaque: layer3-app's app/ stays hidden, and the merged app/"
say "shows only the copies made by mv:"
run ls -la "$MNT/app"

say "Per-mount counters in sysfs add up what this mount has done so far;"
say "the directory is named after the mount's device number, the third"
say "field of its line in /proc/self/mountinfo:"
dev=$(awk -v m="$MNT" '$5 == m { print $3 }' /proc/self/mountinfo)
run_sh "(cd /sys/fs/layerfs/$dev && grep . *)"

heading "11. The upper layer is in overlayfs's format"
say "Nothing in upper/ is layerfs-specific: copied-up files, whiteouts (0/0"
say "devices) and opaque directories (trusted.overlay.opaque=y) are what the"
say "kernel's overlayfs writes and reads. Record the merged tree (type and"
say "permissions, owner, size, start of the content's md5sum, name):"
run_sh "snapshot $MNT >/tmp/merged-by-layerfs.txt"
run cat /tmp/merged-by-layerfs.txt
say "Unmount layerfs and mount the same layers, upper and work directories"
say "with overlayfs:"
run umount "$MNT"
run mkdir -p "$OVL"
run mount -t overlay overlay -o "lowerdir=$L3:$L2:$L1,upperdir=$UP,workdir=$WK" "$OVL"
run grep overlay /proc/mounts
run cat "$OVL/etc/tool.conf"
run ls -la "$OVL/etc" "$OVL/usr/share/doc"
run_sh "snapshot $OVL >/tmp/merged-by-overlayfs.txt"
run diff -u /tmp/merged-by-layerfs.txt /tmp/merged-by-overlayfs.txt
say "No difference: overlayfs shows the same merged tree, copies, deletions"
say "and opaque directory included."
run umount "$OVL"

heading "12. Many layers: a 25-layer mount"
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
run layerfs-which "$DEMO/many/merged/top" "$DEMO/many/merged/file-from-layer-3"
say "The index counts from the top of the stack (0 is the directory named"
say "24 here); in parentheses, each layer as the mount options name it, here"
say "relative to the directory mount ran in. The root directory merges all"
say "25 layers (the tool asks again with a larger buffer when the kernel"
say "says there are more layers than it made room for):"
run_sh "layerfs-which $DEMO/many/merged | sed -n '1,2p;\$p'"
run_sh "layerfs-which $DEMO/many/merged | wc -l"
say "Without upperdir there is nowhere to write: the mount is read-only."
run_fails touch "$DEMO/many/merged/new-file"
run umount "$DEMO/many/merged"

heading "Done"
say "Read more: Documentation/filesystems/layerfs.rst in the repository."
