// SPDX-License-Identifier: GPL-2.0
/*
 * metacopy.c - metadata-only copy-up: the metacopy=on|off option.
 *
 * chmod, chown, utimes, setxattr or chattr of a lower file change only its
 * metadata, yet a full copy-up copies its data too: "chown -R" of an image
 * doubles it.  With metacopy=on a copy-up that is not for writing data
 * makes an upper file with the metadata and no data -- a hole of the right
 * size -- marked with the xattr trusted.overlay.metacopy; the data is
 * still read from the lower file.  The first open for writing (or a
 * truncation) copies the data into that upper file and removes the mark:
 *
 *	chmod 600 f          upper f: mode 600, size 4 MiB, 0 blocks,
 *	                              trusted.overlay.metacopy = ""
 *	                     reads of f: the lower file's data
 *	open(f, O_WRONLY)    data copied into upper f, synced, then the
 *	                     xattr removed: upper f is an ordinary file
 *
 * The order makes the data copy crash-safe without a rename: until the
 * mark is gone, a mount reads the data from the lower file whatever the
 * upper one holds; the mark goes only once the data is on disk.
 *
 * A metacopy file that is renamed or linked gets a redirect
 * (trusted.overlay.redirect, as a renamed directory does, redirect.c) to
 * the place its data is found under in the lower layers; lookup follows
 * it.  The on-disk format is overlayfs's, so layers move between the two.
 *
 * A lookup that finds a metacopy file goes on below it for its data: the
 * first regular file that is not itself a metacopy file, following the
 * redirects on the way.  A whiteout, a directory or nothing below means
 * the data is gone: EIO.  The layerfs inode then has the upper file (if
 * any), the topmost lower file (its inode number) and the data file,
 * lower[nlower - 1] (intermediate metacopy files are not kept).
 *
 * Trust, as overlayfs's documentation warns: a crafted metacopy file with
 * a redirect reads whatever lower file the redirect names, with the
 * mounter's credentials.  So with metacopy=off (the default of Debian's
 * kernels, CONFIG_OVERLAY_FS_METACOPY) every metacopy file is refused
 * (EPERM; EIO when there is no data for it), whichever layer it is in.
 *
 * Core: layerfs_metacopy_found() (lookup), layerfs_metacopy_wanted() and
 * layerfs_metacopy_mark() (copy-up), layerfs_metacopy_copy_data() (the
 * data, later), layerfs_upper_data()/layerfs_real_data() (what is read).
 * Edge cases: the option's dependencies (redirect_dir=on), the xattr's
 * value on 6.5+, security.capability across the data copy, stat's blocks.
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xattr.h>
#include "layerfs.h"

/* The default, as overlayfs's: the kernel's configuration (off on Debian). */
static bool layerfs_metacopy_def = IS_ENABLED(CONFIG_OVERLAY_FS_METACOPY);
module_param_named(metacopy, layerfs_metacopy_def, bool, 0644);
MODULE_PARM_DESC(metacopy, "Default to on or off for the metadata only copy up feature");

/*
 * overlayfs's value of the xattr on 6.5+ (compat.h): empty, or a 4-byte
 * header and up to 64 bytes of fs-verity digest.  layerfs writes the empty
 * value, as overlayfs does without verity.
 */
#define LAYERFS_METACOPY_HDR	4

/* "on" and "off" only, as overlayfs takes them ("yes" is refused) */
const struct constant_table layerfs_metacopy_values[] = {
	{ "off",	false },
	{ "on",		true },
	{}
};

/**
 * layerfs_metacopy_init_config - the metacopy default of a new mount
 * @config: the options being parsed
 */
void layerfs_metacopy_init_config(struct layerfs_config *config)
{
	config->metacopy = layerfs_metacopy_def;
}

/**
 * layerfs_metacopy_finish_config - settle metacopy once all is parsed
 * @fc:     the mount's context, for messages
 * @config: the options; redirect_dir already settled
 *          (layerfs_redirect_finish_config())
 *
 * metacopy needs redirect_dir=on (a renamed metacopy file must say where
 * its data is), as on overlayfs: both given and in conflict is an error;
 * an explicit redirect_dir turns a default metacopy=on off; otherwise
 * metacopy=on turns redirect_dir on.  Setting trusted.* xattrs needs
 * CAP_SYS_ADMIN, so an explicit metacopy=on without it is refused.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_metacopy_finish_config(struct fs_context *fc,
				   struct layerfs_config *config)
{
	const char *given;

	if (!config->metacopy)
		return 0;
	if (config->metacopy_set && !capable(CAP_SYS_ADMIN)) {
		errorfc(fc, "metacopy requires permission to access trusted xattrs");
		return -EPERM;
	}
	if (config->redirect_mode == LAYERFS_REDIRECT_ON)
		return 0;
	/* the redirect_dir value named as the kernel's overlayfs names it */
	given = layerfs_redirect_dir_values[layerfs_redirect_show_given() ?
					    config->redirect_given :
					    config->redirect_mode].name;
	if (config->metacopy_set && config->redirect_set)
		return invalfc(fc, "conflicting options: metacopy=on,redirect_dir=%s",
			       given);
	if (config->redirect_set) {
		infofc(fc, "disabling metacopy due to redirect_dir=%s", given);
		config->metacopy = false;
		return 0;
	}
	config->redirect_mode = LAYERFS_REDIRECT_ON;
	return 0;
}

/**
 * layerfs_metacopy_show - metacopy in /proc/mounts, when not the default
 * @m:      the seq_file of show_options
 * @config: the mount's options
 */
void layerfs_metacopy_show(struct seq_file *m,
			   const struct layerfs_config *config)
{
	if (config->metacopy != layerfs_metacopy_def)
		seq_printf(m, ",metacopy=%s", config->metacopy ? "on" : "off");
}

/**
 * layerfs_metacopy_on - was this mount made with metacopy=on?
 * @sb: a layerfs super block
 *
 * Return: true when metadata-only copies are made and followed.
 */
bool layerfs_metacopy_on(struct super_block *sb)
{
	return LAYERFS_FS(sb)->config.metacopy;
}

/**
 * layerfs_is_metacopy - is this a metadata-only copy?
 * @real: an object in some layer
 *
 * A regular file carrying trusted.overlay.metacopy.  On kernels whose
 * overlayfs reads the value (compat.h), a value shorter than its header
 * (but not empty) is refused with EIO; the header's fields matter only to
 * fs-verity, which layerfs does not do (nor does overlayfs, without its
 * verity option).  Mounter's credentials.
 *
 * Return: 1 for a metacopy file, 0 for anything else, or a negative errno.
 */
int layerfs_is_metacopy(const struct layerfs_real *real)
{
	ssize_t res;

	if (!d_is_reg(real->dentry))
		return 0;
	res = vfs_getxattr(layerfs_real_idmap(real), real->dentry,
			   LAYERFS_XATTR_METACOPY, NULL, 0);
	if (res == -ENODATA || res == -EOPNOTSUPP)
		return 0;
	if (res < 0) {
		pr_warn_ratelimited("failed to get metacopy (%zd)\n", res);
		return res;
	}
	if (res && res < LAYERFS_METACOPY_HDR &&
	    layerfs_metacopy_checks_value()) {
		pr_warn_ratelimited("metacopy file '%pd' has too small xattr\n",
				    real->dentry);
		return -EIO;
	}
	return 1;
}

/**
 * layerfs_metacopy_found - a lookup found a metacopy file
 * @rd:     the lookup's state (namei.c)
 * @real:   the metacopy file, in some layer
 * @bottom: @real is in the last directory of @rd's stack
 *
 * With metacopy=off, a metacopy file is refused: at once in a lower
 * layer, and in the upper layer once the lookup finds what lies below it
 * (EPERM), or finds nothing (EIO), as overlayfs answers.  Otherwise the
 * lookup goes on below, for the data (or, under metacopy=off, for what
 * makes the answer EPERM), at the place the file's redirect names, if it
 * has one and redirects are followed.  Mounter's credentials.
 *
 * Return: 0 to look below for the data, or a negative errno.
 */
int layerfs_metacopy_found(struct layerfs_redirect *rd,
			   const struct layerfs_real *real, bool bottom)
{
	struct super_block *sb = rd->dir->i_sb;

	if (!layerfs_metacopy_on(sb) && !real->layer->upper) {
		pr_warn_ratelimited("refusing metacopy file %pd2\n",
				    real->dentry);
		return -EPERM;
	}
	if ((bottom && !layerfs_redirect_may_jump(rd, real)) ||
	    !layerfs_redirect_follow(sb))
		return 0;
	return layerfs_redirect_found(rd, real);
}

/**
 * layerfs_metacopy_init_inode - is a new inode's upper file a metacopy?
 * @inode:  a new layerfs inode, not yet seen by anyone
 * @upper:  the upper object the lookup found, or NULL
 * @nlower: how many lower objects it found
 *
 * Only a regular upper file with lower objects under a metacopy=on mount
 * may be one (the lookup went on below it for its data).  Called before
 * anything else of @inode is set up.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_metacopy_init_inode(struct inode *inode, struct dentry *upper,
				unsigned int nlower)
{
	struct layerfs_real real;
	const struct cred *old_cred;
	int res;

	if (!upper || !nlower || !d_is_reg(upper) ||
	    !layerfs_metacopy_on(inode->i_sb))
		return 0;
	real.dentry = upper;
	real.layer = layerfs_upper_layer(inode->i_sb);
	old_cred = layerfs_override_creds(inode->i_sb);
	res = layerfs_is_metacopy(&real);
	revert_creds(old_cred);
	if (res < 0)
		return res;
	LAYERFS_I(inode)->metacopy = res;
	return 0;
}

/**
 * layerfs_upper_data - the upper object of @inode, if it holds the data
 * @inode: a layerfs inode
 *
 * Return: the upper object, or NULL when there is none or it is a
 * metadata-only copy.
 */
struct dentry *layerfs_upper_data(const struct inode *inode)
{
	struct dentry *upper = layerfs_upper(inode);

	/* pairs with smp_store_release() in layerfs_metacopy_copy_data() */
	if (upper && smp_load_acquire(&LAYERFS_I(inode)->metacopy))
		return NULL;
	return upper;
}

/**
 * layerfs_lower_data - the lower file that holds the data of @inode
 * @inode: a layerfs inode of a non-directory with a lower object
 * @real:  filled in; no reference is taken
 *
 * The last lower object: the file itself, or, below a metacopy file, the
 * file the lookup found its data in.
 */
void layerfs_lower_data(const struct inode *inode, struct layerfs_real *real)
{
	const struct layerfs_inode *li = LAYERFS_I(inode);

	*real = li->lower[li->nlower - 1];
}

/**
 * layerfs_real_data - the real object whose data @inode reads
 * @inode: a layerfs inode
 * @real:  filled in: for a regular file, the upper object if it has the
 *         data, else the lower data file (layerfs_lower_data()); for
 *         anything else the real object (layerfs_real()); no reference is
 *         taken
 */
void layerfs_real_data(const struct inode *inode, struct layerfs_real *real)
{
	struct dentry *upper = layerfs_upper_data(inode);

	if (!S_ISREG(inode->i_mode)) {
		layerfs_real(inode, real);
	} else if (upper) {
		real->dentry = upper;
		real->layer = layerfs_upper_layer(inode->i_sb);
	} else if (LAYERFS_I(inode)->nlower) {
		layerfs_lower_data(inode, real);
	} else {
		layerfs_real(inode, real);
	}
}

/* Does a copy-up with these open flags need the data (not metacopy)? */
static bool layerfs_metacopy_flags_want_data(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/**
 * layerfs_metacopy_wanted - shall this copy-up leave the data below?
 * @sb:    the layerfs super block
 * @mode:  the type and mode of the object copied up
 * @flags: the copy-up's flags: an access mode for writing or O_TRUNC
 *         means the data is about to change (layerfs_copy_up_flags())
 *
 * Return: true for a regular file under metacopy=on copied up for a
 * change of its metadata only.
 */
bool layerfs_metacopy_wanted(struct super_block *sb, umode_t mode, int flags)
{
	return layerfs_metacopy_on(sb) && S_ISREG(mode) &&
	       !layerfs_metacopy_flags_want_data(flags);
}

/**
 * layerfs_metacopy_mark - mark a copy in work/ as a metadata-only copy
 * @sb:   the layerfs super block
 * @temp: the copy, not yet renamed into place; mounter's credentials and
 *        write access to the upper layer held
 *
 * Return: 0 or a negative errno.
 */
int layerfs_metacopy_mark(struct super_block *sb, struct dentry *temp)
{
	return vfs_setxattr(layerfs_upper_idmap(sb), temp,
			    LAYERFS_XATTR_METACOPY, "", 0, 0);
}

/**
 * layerfs_metacopy_publish - note what a copy-up made, before publishing
 * @inode:    the layerfs inode; its copy-up mutex held, no upper yet
 * @metacopy: the copy is a metadata-only one
 *
 * Called before layerfs_set_upper(), whose release orders this store
 * before the upper object becomes visible.
 */
void layerfs_metacopy_publish(struct inode *inode, bool metacopy)
{
	lockdep_assert_held(&LAYERFS_I(inode)->lock);
	WRITE_ONCE(LAYERFS_I(inode)->metacopy, metacopy);
}

/*
 * security.capability of @upper, which a write to it removes: *@value is
 * a kmalloc()ed copy (NULL if there is none), the return value its size
 * or a negative errno.  Mounter's credentials.
 */
static ssize_t layerfs_metacopy_get_caps(struct super_block *sb,
					 struct dentry *upper, void **value)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	ssize_t size;

	*value = NULL;
	size = vfs_getxattr(idmap, upper, XATTR_NAME_CAPS, NULL, 0);
	if (size == -ENODATA || size == -EOPNOTSUPP)
		return 0;
	if (size <= 0)
		return size;
	*value = kmalloc(size, GFP_KERNEL);
	if (!*value)
		return -ENOMEM;
	size = vfs_getxattr(idmap, upper, XATTR_NAME_CAPS, *value, size);
	if (size < 0) {
		kfree(*value);
		*value = NULL;
	}
	return size;
}

/*
 * Put the data of @inode's lower data file into its metadata-only upper
 * file: @size bytes, or, for a truncation to zero (@size 0), none, and
 * the upper file is cut to zero first.  The data is synced before it
 * counts (layerfs_copy_up_data()).  Mounter's credentials; write access
 * to the upper layer not held (the open upper file keeps the mount
 * writable, and the copy takes sb_writers itself).
 */
static int layerfs_metacopy_fill(struct inode *inode, struct dentry *upper,
				 loff_t size)
{
	struct super_block *sb = inode->i_sb;
	struct path upperpath = {
		.mnt = layerfs_upper_layer(sb)->root.mnt,
		.dentry = upper,
	};
	struct layerfs_real data;
	struct path datapath;
	struct file *out;
	int err;

	out = dentry_open(&upperpath, O_LARGEFILE | O_WRONLY, current_cred());
	if (IS_ERR(out))
		return PTR_ERR(out);
	if (!size) {
		struct iattr attr = { .ia_valid = ATTR_SIZE, .ia_size = 0 };

		err = layerfs_want_write(sb);
		if (!err) {
			inode_lock(d_inode(upper));
			err = notify_change(layerfs_upper_idmap(sb), upper,
					    &attr, NULL);
			inode_unlock(d_inode(upper));
			layerfs_drop_write(sb);
		}
	} else {
		layerfs_lower_data(inode, &data);
		layerfs_path(&data, &datapath);
		err = layerfs_copy_up_data(sb, &datapath, out, size);
	}
	fput(out);
	return err;
}

/**
 * layerfs_metacopy_copy_data - copy the data of a metadata-only copy up
 * @dentry: the layerfs object, whose upper file is a metacopy file
 * @flags:  the copy-up's flags: O_TRUNC copies no data
 *
 * The data goes into the upper file itself: it is already in place, and
 * may have other names (hard links made through the mount).  The mark
 * (trusted.overlay.metacopy) is removed only after the data is synced,
 * so that after a crash the file is either still a metacopy file, read
 * from below, or complete.  A write to the upper file drops its
 * security.capability, which is put back.  Takes the copy-up mutex; the
 * caller must not hold write access to the upper layer.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_metacopy_copy_data(struct dentry *dentry, int flags)
{
	struct inode *inode = d_inode(dentry);
	struct layerfs_inode *li = LAYERFS_I(inode);
	struct super_block *sb = inode->i_sb;
	const struct cred *old_cred;
	struct dentry *upper;
	ssize_t cap_size;
	void *cap;
	loff_t size;
	int err;

	err = mutex_lock_interruptible(&li->lock);
	if (err)
		return err;
	upper = layerfs_upper(inode);
	if (!upper || layerfs_upper_data(inode))
		goto out_unlock;	/* someone else was quicker */

	old_cred = layerfs_override_creds(sb);
	size = flags & O_TRUNC ? 0 : i_size_read(d_inode(upper));
	cap_size = layerfs_metacopy_get_caps(sb, upper, &cap);
	err = cap_size < 0 ? cap_size : 0;
	if (!err)
		err = layerfs_metacopy_fill(inode, upper, size);
	if (!err)
		err = layerfs_want_write(sb);
	if (!err) {
		if (cap)
			err = vfs_setxattr(layerfs_upper_idmap(sb), upper,
					   XATTR_NAME_CAPS, cap, cap_size, 0);
		if (!err)
			err = vfs_removexattr(layerfs_upper_idmap(sb), upper,
					      LAYERFS_XATTR_METACOPY);
		layerfs_drop_write(sb);
	}
	revert_creds(old_cred);
	kfree(cap);
	if (!err) {
		layerfs_count_add(sb, LAYERFS_CNT_COPY_UP_BYTES, size);
		/* pairs with layerfs_upper_data(): the data is in place */
		smp_store_release(&li->metacopy, false);
	}
out_unlock:
	mutex_unlock(&li->lock);
	return err;
}

/**
 * layerfs_metacopy_set_redirect - say where a metacopy file's data is
 * @dentry:  the layerfs file, about to be renamed or linked
 * @samedir: a rename within its parent (false for a link)
 *
 * Only for an upper file without its data.  A rename within the parent
 * records the old name, any other move or a link the path from the root
 * (a link's names may end up in other directories); so does a rename of
 * a file whose lower file has several names, as on overlayfs.  A file
 * that holds its data needs nothing.  Mounter's credentials, write access
 * to the upper layer held.
 *
 * Return: 0 or a negative errno (-EXDEV: the caller, mv(1), copies).
 */
int layerfs_metacopy_set_redirect(struct dentry *dentry, bool samedir)
{
	struct inode *inode = d_inode(dentry);
	struct layerfs_real lower;

	if (!S_ISREG(inode->i_mode) || !layerfs_upper(inode) ||
	    layerfs_upper_data(inode))
		return 0;
	lower = LAYERFS_I(inode)->lower[0];
	if (d_inode(lower.dentry)->i_nlink > 1)
		samedir = false;
	return layerfs_set_redirect(dentry, samedir);
}

/**
 * layerfs_metacopy_getattr - stat of a file whose data is below
 * @inode: the layerfs inode of a regular file
 * @stat:  filled in from the real object already
 * @flags: the AT_STATX_* flags of the stat call
 *
 * The size is the metadata's (the upper or topmost lower file has it); the
 * blocks are those of the data file, as overlayfs reports them.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_metacopy_getattr(struct inode *inode, struct kstat *stat,
			     unsigned int flags)
{
	const struct cred *old_cred;
	struct layerfs_real data;
	struct kstat datastat;
	struct path datapath;
	int err;

	if (layerfs_upper(inode) ? !!layerfs_upper_data(inode) :
	    LAYERFS_I(inode)->nlower < 2)
		return 0;
	layerfs_lower_data(inode, &data);
	layerfs_path(&data, &datapath);
	old_cred = layerfs_override_creds(inode->i_sb);
	err = layerfs_vfs_getattr(&datapath, &datastat, STATX_BLOCKS, flags);
	revert_creds(old_cred);
	if (!err)
		stat->blocks = datastat.blocks;
	return err;
}
