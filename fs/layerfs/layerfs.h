/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layerfs.h - state and shared declarations of the layerfs stacking
 * filesystem.
 *
 * layerfs merges a stack of directories ("layers") into one tree:
 *
 *	merged view      /merged         what users see
 *	                    |
 *	layer 0          upperdir        writable (optional)
 *	layer 1          lowerdir #1     read-only, topmost lower
 *	...
 *	layer N          lowerdir #N     read-only, bottom
 *
 * A name is looked up top-down; the first layer that has it decides what it
 * is (see namei.c).  Directories of the same name in several layers merge.
 *
 * Vocabulary, as in overlayfs: the "real" object of a layerfs inode is the
 * object in the topmost layer that has the name; "upper" is layer 0 when an
 * upperdir was given; "lower" is any other layer.
 *
 * Locking
 * -------
 * layerfs adds no lock of its own.  It takes the VFS inode locks of the real
 * objects below it, always in this order (outermost first):
 *
 *  1. a layerfs inode's i_rwsem (taken by the VFS around lookup and
 *     iterate_shared, or by layerfs_dir_llseek() and layerfs_llseek());
 *  2. the i_rwsem of a real inode in some layer (taken by the real
 *     filesystem inside lookup_one_len_unlocked(), iterate_dir() and
 *     vfs_llseek(), or by layerfs as I_MUTEX_PARENT when it changes the
 *     workdir at mount time).
 *
 * No layerfs code takes a lock of layer N+1 while holding one of layer N,
 * and no real lock is held across a return to the VFS.  The per-open state
 * of a directory (the readdir cache) is serialised by the file's f_pos_lock
 * and, against llseek, by the layerfs inode lock.
 *
 * Credentials: everything layerfs does to a layer it does with the
 * credentials of the task that mounted it (layerfs_override_creds()), after
 * the VFS has checked the caller against the layerfs inode.
 */
#ifndef _LAYERFS_H
#define _LAYERFS_H

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/cred.h>
#include <linux/xattr.h>
#include "compat.h"

#define LAYERFS_SUPER_MAGIC	0x4c415952	/* "LAYR" */

/* overlayfs's limit, and ours: the number of lowerdirs one mount may have */
#define LAYERFS_MAX_LOWER	500

/*
 * On-disk conventions, shared with the kernel's overlayfs so that the same
 * layers mount under both:
 *  - a whiteout is a character device with device number 0/0;
 *  - an opaque directory carries the xattr trusted.overlay.opaque = "y";
 *  - scratch files live in <workdir>/work.
 * Only util.c interprets them.
 */
#define LAYERFS_XATTR_PREFIX	XATTR_TRUSTED_PREFIX "overlay."
#define LAYERFS_XATTR_OPAQUE	LAYERFS_XATTR_PREFIX "opaque"
#define LAYERFS_WORKDIR_NAME	"work"

/**
 * struct layerfs_layer - one directory of the stack
 * @root: the directory the user named (mount and dentry), held while mounted
 * @name: the name the user gave it, for messages
 * @idx:  0 for the topmost layer, counting down the stack
 * @upper: this is the writable upper layer
 */
struct layerfs_layer {
	struct path root;
	const char *name;
	unsigned int idx;
	bool upper;
};

/**
 * struct layerfs_config - the mount options, as parsed
 * @lowerdir:  the lowerdir option as given (escapes kept), for show_options
 * @upperdir:  the upperdir option, or NULL
 * @workdir:   the workdir option, or NULL
 * @lower:     @numlower lower layer names, top first, unescaped
 * @lower_buf: the storage @lower points into
 * @numlower:  number of lower layers
 */
struct layerfs_config {
	char *lowerdir;
	char *upperdir;
	char *workdir;
	char **lower;
	char *lower_buf;
	unsigned int numlower;
};

/**
 * struct layerfs_fs - one mounted layerfs (super_block->s_fs_info)
 * @layers:       @numlayers layers, top first: the upper layer (if any) is
 *                layers[0], then the lower layers in the order given
 * @numlayers:    number of entries in @layers
 * @has_upper:    whether layers[0] is a writable upper layer
 * @samefs:       all layers are on one filesystem, so their inode numbers
 *                are unique and can be reported unchanged
 * @workdir:      the workdir the user named (upper mounts only)
 * @work:         <workdir>/work, layerfs's scratch directory
 * @creator_cred: credentials of the mounter, used for every layer access
 * @config:       the mount options, for show_options and messages
 */
struct layerfs_fs {
	struct layerfs_layer *layers;
	unsigned int numlayers;
	bool has_upper;
	bool samefs;
	struct path workdir;
	struct dentry *work;
	const struct cred *creator_cred;
	struct layerfs_config config;
};

/**
 * struct layerfs_real - an object in one layer
 * @dentry: the object (a reference is held)
 * @layer:  the layer it is in
 */
struct layerfs_real {
	struct dentry *dentry;
	const struct layerfs_layer *layer;
};

/**
 * struct layerfs_inode - the layerfs view of one merged name
 * @vfs_inode: the VFS inode (mode, owner, size and times mirror real[0])
 * @nreal:     number of entries in @real
 * @real:      the real objects, top first; real[0] is "the real object".
 *             A directory lists every layer's directory that merges into
 *             it; anything else has exactly one entry.
 * @one_real:  storage for @real when @nreal is 1 (most inodes), to save an
 *             allocation
 *
 * @real is set when the inode is created and does not change while the
 * inode lives, so it is read without locks.
 */
struct layerfs_inode {
	struct inode vfs_inode;
	unsigned int nreal;
	struct layerfs_real *real;
	struct layerfs_real one_real;
};

static inline struct layerfs_fs *LAYERFS_FS(const struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct layerfs_inode *LAYERFS_I(const struct inode *inode)
{
	return container_of(inode, struct layerfs_inode, vfs_inode);
}

/* The topmost real object of a layerfs inode. */
static inline struct layerfs_real *layerfs_real(const struct inode *inode)
{
	return &LAYERFS_I(inode)->real[0];
}

/* util.c */
const struct cred *layerfs_override_creds(struct super_block *sb);
void layerfs_real_path(const struct layerfs_real *real, struct path *path);
struct layerfs_idmap *layerfs_real_idmap(const struct layerfs_real *real);
bool layerfs_is_whiteout(const struct dentry *dentry);
bool layerfs_is_opaque_dir(const struct layerfs_real *real);
bool layerfs_is_private_xattr(const char *name);

/* inode.c */
int layerfs_init_inode_cache(void);
void layerfs_destroy_inode_cache(void);
struct inode *layerfs_alloc_inode(struct super_block *sb);
void layerfs_free_inode(struct inode *inode);
void layerfs_evict_inode(struct inode *inode);
struct inode *layerfs_new_inode(struct super_block *sb,
				const struct layerfs_real *stack,
				unsigned int nreal);
int layerfs_permission(struct layerfs_idmap *idmap, struct inode *inode,
		       int mask);
int layerfs_getattr(struct layerfs_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags);

/* namei.c */
struct dentry *layerfs_lookup(struct inode *dir, struct dentry *dentry,
			      unsigned int flags);

/* dir.c */
extern const struct inode_operations layerfs_dir_inode_operations;

/* readdir.c */
extern const struct file_operations layerfs_dir_operations;

/* file.c */
extern const struct file_operations layerfs_file_operations;

/* xattr.c */
extern const struct xattr_handler *layerfs_xattr_handlers[];
ssize_t layerfs_listxattr(struct dentry *dentry, char *list, size_t size);

#endif /* _LAYERFS_H */
