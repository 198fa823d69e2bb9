#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/walkthrough/walkthrough_vm.sh - runs INSIDE the test VM (busybox
# sh, as root), started by scripts/walkthrough.sh: records a function_graph
# trace of one shell command, "echo x >> /merged/etc/motd", where motd is a
# file of the lower layer only, and prints the trace between markers.
#
# The trace shows only layerfs's own functions and the VFS functions listed
# in FUNCS below (set_ftrace_filter), only for this shell's process
# (set_ftrace_pid), and only while the command runs (tracing_on).
# Documentation/filesystems/layerfs-walkthrough.rst explains it step by step.

set -eu
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs tracefs $T

# The VFS functions a student should see around layerfs's (the path walk,
# both permission checks, open, the real filesystem's calls, write access,
# the write itself).  Globs are allowed.
FUNCS='layerfs_*
do_sys_openat2 path_openat walk_component lookup_fast __lookup_slow
d_alloc_parallel may_open inode_permission generic_permission
lookup_one_len lookup_one_len_unlocked
vfs_open dentry_open ksys_write vfs_write vfs_iter_write file_remove_privs
vfs_create vfs_mkdir vfs_rename vfs_getxattr vfs_setxattr vfs_listxattr
vfs_fsync vfs_copy_file_range vfs_clone_file_range lock_rename unlock_rename
mnt_want_write mnt_drop_write notify_change override_creds revert_creds
iget5_locked d_splice_alias shmem_mknod shmem_rename2 shmem_file_write_iter'

# The layers: motd exists only in the lower layer, in a directory (etc)
# that the upper layer does not have yet.  All on the VM's tmpfs.
rm -rf /wt && mkdir -p /wt/lower/etc /wt/upper /wt/work /merged
echo 'Welcome to layerfs' >/wt/lower/etc/motd
mount -t layerfs layerfs \
	-o lowerdir=/wt/lower,upperdir=/wt/upper,workdir=/wt/work /merged
# Nothing under /merged has been looked up yet: the path walk below goes
# through layerfs_lookup() for "etc" and "motd".

# The filter first, the tracer after: choosing the tracer patches the call
# sites of the filtered functions only, once (patching every function of
# the kernel takes minutes under TCG on 6.1).
echo 0 >$T/tracing_on
echo nop >$T/current_tracer
echo >$T/set_ftrace_filter
for f in $FUNCS; do
	echo "$f" >>$T/set_ftrace_filter 2>/dev/null ||
		echo "walkthrough: no traceable function '$f' here" >&2
done
echo function_graph >$T/current_tracer
echo funcgraph-proc >$T/trace_options 2>/dev/null || true
echo nofuncgraph-irqs >$T/trace_options 2>/dev/null || true
: >$T/trace

# The command runs in a child shell that traces only itself: "echo" is a
# builtin, so the open (for ">>") and the write happen in this process.
sh -c "echo \$\$ >$T/set_ftrace_pid
echo 1 >$T/tracing_on
echo x >>/merged/etc/motd
echo 0 >$T/tracing_on"

echo "==== walkthrough: kernel $(uname -r) ===="
echo "==== walkthrough: trace begin ===="
cat $T/trace
echo "==== walkthrough: trace end ===="
echo "==== walkthrough: result ===="
echo "/merged/etc/motd:"; cat /merged/etc/motd
echo "/wt/lower/etc/motd:"; cat /wt/lower/etc/motd
echo "/wt/upper:"; ls -lR /wt/upper
echo "/wt/work/work:"; ls -la /wt/work/work

echo nop >$T/current_tracer
echo >$T/set_ftrace_filter
echo >$T/set_ftrace_pid
umount /merged
