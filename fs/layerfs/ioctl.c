// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - layerfs's own ioctl: LAYERFS_IOC_WHICH, "which layer serves
 * this object?" (include/uapi/linux/layerfs.h,
 * Documentation/filesystems/layerfs-which.rst).
 *
 * The answer is read from what lookup left in the layerfs inode: its upper
 * dentry and its lower stack (layerfs.h, struct layerfs_inode), each real
 * object pointing at its layer.  Nothing is looked up again and nothing is
 * copied up, so asking costs no write access and changes nothing.
 *
 * The file ioctls the VFS knows itself (FS_IOC_GETFLAGS and SETFLAGS,
 * FS_IOC_FSGETXATTR and FSSETXATTR, FIONREAD, ...) never reach
 * file_operations.unlocked_ioctl: do_vfs_ioctl() answers them through
 * inode_operations.fileattr_get/set.  Everything else comes here, and what
 * is not ours fails with -ENOTTY, as the VFS expects of an unknown ioctl.
 *
 * Who may ask: anyone holding a file descriptor on the object, that is
 * anyone who could open it.  The answer is layer indices, no names and no
 * contents of a layer: which layer the file came from, or which layers a
 * directory merges.  The names of the layer directories are already in
 * /proc/mounts for every user; the tool reads them from there.
 */

#include <linux/uaccess.h>
#include <linux/string.h>
#include "layerfs.h"
#include <uapi/linux/layerfs.h>

/*
 * LAYERFS_IOC_WHICH.  No lock is needed: the lower stack of an inode is
 * constant for the inode's life, the layer table for the mount's, and both
 * outlive the open file.  Only the upper dentry can appear while we look, by
 * a copy-up on another CPU; it is read once (layerfs_upper(), an acquire
 * that pairs with the release in layerfs_set_upper()) and the whole answer is
 * made from that one reading.  A racing copy-up therefore gives either the
 * answer from before it (lower) or the one from after (upper), never a mix.
 */
static long layerfs_ioc_which(struct file *file,
			      struct layerfs_which __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct layerfs_fs *ofs = LAYERFS_FS(inode->i_sb);
	struct layerfs_which_layer lw;
	struct layerfs_which wh;
	struct layerfs_real real;
	struct dentry *upper;
	unsigned int i, count;

	if (copy_from_user(&wh, uarg, sizeof(wh)))
		return -EFAULT;
	if (wh.wh_flags || memchr_inv(wh.wh_reserved, 0, sizeof(wh.wh_reserved)))
		return -EINVAL;

	upper = layerfs_upper(inode);
	/*
	 * A directory is served by every real directory it merges; anything
	 * else by its real object alone (a copied-up file keeps its lower
	 * object too, but no longer reads from it).
	 */
	count = S_ISDIR(inode->i_mode) ? layerfs_nstack(inode, upper) : 1;

	for (i = 0; i < count && i < wh.wh_room; i++) {
		layerfs_stack(inode, upper, i, &real);
		lw.lw_index = real.layer->idx;
		lw.lw_flags = real.layer->upper ? LAYERFS_LAYER_UPPER : 0;
		if (copy_to_user(&uarg->wh_layers[i], &lw, sizeof(lw)))
			return -EFAULT;
	}

	layerfs_stack(inode, upper, 0, &real);
	if (count > 1)
		wh.wh_kind = LAYERFS_WHICH_MERGED;
	else if (real.layer->upper)
		wh.wh_kind = LAYERFS_WHICH_UPPER;
	else
		wh.wh_kind = LAYERFS_WHICH_LOWER;
	wh.wh_flags = ofs->has_upper ? LAYERFS_WHICH_HAS_UPPER : 0;
	wh.wh_numlayers = ofs->numlayers;
	wh.wh_count = count;
	if (copy_to_user(uarg, &wh, sizeof(wh)))
		return -EFAULT;
	return 0;
}

/**
 * layerfs_ioctl - file_operations.unlocked_ioctl of files and directories
 * @file: an open layerfs regular file or directory
 * @cmd:  the ioctl number
 * @arg:  its argument, a user pointer for LAYERFS_IOC_WHICH
 *
 * Called without locks, with the caller's credentials; nothing here touches
 * a layer, so no credentials are overridden.  The 32-bit entry point is
 * compat_ptr_ioctl(): struct layerfs_which has the same layout there.
 *
 * Return: 0 or a negative errno; -ENOTTY for an ioctl layerfs does not know.
 */
long layerfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case LAYERFS_IOC_WHICH:
		return layerfs_ioc_which(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}
