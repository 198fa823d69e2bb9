// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - small helpers shared by the rest of layerfs: credentials, real
 * paths, and the on-disk conventions (whiteouts, opaque directories,
 * private xattrs) that layerfs shares with overlayfs.
 *
 * Keeping the on-disk encoding here, and nowhere else, means the VFS glue in
 * namei.c and readdir.c only ever asks "is this a whiteout?", never "is this
 * a character device with rdev 0?".
 */

#include <linux/fs.h>
#include <linux/xattr.h>
#include "layerfs.h"

/**
 * layerfs_override_creds - act as the task that mounted @sb
 * @sb: a layerfs super block
 *
 * Every access to a layer is made with the mounter's credentials, after the
 * VFS has checked the caller against the layerfs inode.  The caller must
 * hand the return value to revert_creds() before returning to the VFS.
 *
 * Return: the credentials to restore.
 */
const struct cred *layerfs_override_creds(struct super_block *sb)
{
	return override_creds(LAYERFS_FS(sb)->creator_cred);
}

/**
 * layerfs_real_path - the path (mount and dentry) of a real object
 * @real: the object
 * @path: filled in; no reference is taken
 */
void layerfs_real_path(const struct layerfs_real *real, struct path *path)
{
	path->mnt = real->layer->root.mnt;
	path->dentry = real->dentry;
}

/**
 * layerfs_real_idmap - the idmapping of the mount @real lives on
 * @real: the object
 *
 * Return: what vfs_*() helpers expect as their first argument for @real.
 */
struct layerfs_idmap *layerfs_real_idmap(const struct layerfs_real *real)
{
	return layerfs_mnt_idmap(real->layer->root.mnt);
}

/**
 * layerfs_is_whiteout - does @dentry hide the name in the layers below?
 * @dentry: a positive or negative dentry of some layer
 *
 * A whiteout is a character device with device number 0/0 (WHITEOUT_DEV).
 * The dcache does not tell whiteouts from other devices, so ask the inode.
 *
 * Return: true for a whiteout.
 */
bool layerfs_is_whiteout(const struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);

	return inode && IS_WHITEOUT(inode);
}

/**
 * layerfs_is_opaque_dir - does this directory hide the layers below it?
 * @real: a directory in some layer
 *
 * An opaque directory carries trusted.overlay.opaque = "y".  Its contents are
 * not merged with directories of the same name further down.  Reading a
 * trusted.* xattr needs CAP_SYS_ADMIN: call with the mounter's credentials.
 *
 * Return: true when @real is opaque.
 */
bool layerfs_is_opaque_dir(const struct layerfs_real *real)
{
	char val;
	ssize_t res;

	res = vfs_getxattr(layerfs_real_idmap(real), real->dentry,
			   LAYERFS_XATTR_OPAQUE, &val, 1);
	return res == 1 && val == 'y';
}

/**
 * layerfs_is_private_xattr - is @name one of overlayfs's own xattrs?
 * @name: a full xattr name
 *
 * trusted.overlay.* describe the layers themselves.  They are never shown
 * through the merged view, and never copied or set by users through it.
 *
 * Return: true for a private name.
 */
bool layerfs_is_private_xattr(const char *name)
{
	return !strncmp(name, LAYERFS_XATTR_PREFIX,
			sizeof(LAYERFS_XATTR_PREFIX) - 1);
}
