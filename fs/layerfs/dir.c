// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - inode operations of layerfs directories.
 *
 * This is where the namespace operations of the merged view live: lookup
 * (namei.c does the work), and the attribute operations every directory
 * shares.  Operations that change the namespace (create, mkdir, unlink,
 * rename, ...) are not provided yet: every layerfs super block is read-only
 * for now, so the VFS answers EROFS before it would call them.
 */

#include <linux/fs.h>
#include "layerfs.h"

const struct inode_operations layerfs_dir_inode_operations = {
	.lookup		= layerfs_lookup,
	.permission	= layerfs_permission,
	.getattr	= layerfs_getattr,
	.listxattr	= layerfs_listxattr,
};
