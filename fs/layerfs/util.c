// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - small helpers shared by the rest of layerfs: credentials, real
 * objects, writing to the upper layer, and the on-disk conventions
 * (whiteouts, opaque directories, private xattrs, the work directory) that
 * layerfs shares with overlayfs.
 *
 * Keeping the on-disk encoding here, and nowhere else, means the VFS glue in
 * namei.c, dir.c and readdir.c only ever asks "is this a whiteout?", never
 * "is this a character device with rdev 0?".
 *
 * Core: layerfs_override_creds(), layerfs_real(), layerfs_stack(),
 * layerfs_want_write(), the on-disk tests (layerfs_is_whiteout(),
 * layerfs_is_opaque_dir(), layerfs_set_opaque()) and the upper-layer
 * primitives (layerfs_create_real(), layerfs_create_temp(),
 * layerfs_do_rename(), layerfs_cleanup_entry(), layerfs_cleanup_dir()).
 * Edge cases: xattr whiteouts, weird dentries, escaped private xattrs,
 * protattr, idmapped layers.  Metacopy files: metacopy.c.
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/xattr.h>
#include "layerfs.h"
#include "trace.h"

/* overlayfs's xattrs that only util.c reads (the opaque one is shared) */
#define LAYERFS_XATTR_XWHITEOUT	LAYERFS_XATTR_PREFIX "whiteout"

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
	const struct cred *cred = LAYERFS_FS(sb)->creator_cred;

	trace_layerfs_override_creds(sb, cred, _RET_IP_);
	return override_creds(cred);
}

/**
 * layerfs_path - the path (mount and dentry) of an object in a layer
 * @real: the object
 * @path: filled in; no reference is taken
 */
void layerfs_path(const struct layerfs_real *real, struct path *path)
{
	path->mnt = real->layer->root.mnt;
	path->dentry = real->dentry;
}

/**
 * layerfs_real_idmap - the idmapping of the mount an object lives on
 * @real: the object
 *
 * Return: what vfs_*() helpers expect as their first argument for @real.
 */
struct layerfs_idmap *layerfs_real_idmap(const struct layerfs_real *real)
{
	return layerfs_mnt_idmap(real->layer->root.mnt);
}

/**
 * layerfs_upper_idmap - the idmapping of the upper layer's mount
 * @sb: a layerfs super block with an upper layer
 *
 * Return: what vfs_*() helpers expect for upper objects.
 */
struct layerfs_idmap *layerfs_upper_idmap(struct super_block *sb)
{
	return layerfs_mnt_idmap(layerfs_upper_layer(sb)->root.mnt);
}

/**
 * layerfs_real - the real object of a layerfs inode
 * @inode: the layerfs inode
 * @real:  filled in: the upper object if there is one, else the topmost
 *         lower one; no reference is taken
 */
void layerfs_real(const struct inode *inode, struct layerfs_real *real)
{
	struct dentry *upper = layerfs_upper(inode);

	if (upper) {
		real->dentry = upper;
		real->layer = layerfs_upper_layer(inode->i_sb);
	} else {
		*real = LAYERFS_I(inode)->lower[0];
	}
}

/**
 * layerfs_real_path - the path of the real object of a layerfs inode
 * @inode: the layerfs inode
 * @path:  filled in; no reference is taken
 */
void layerfs_real_path(const struct inode *inode, struct path *path)
{
	struct layerfs_real real;

	layerfs_real(inode, &real);
	layerfs_path(&real, path);
}

/**
 * layerfs_nstack - how many real directories a layerfs directory merges
 * @inode: the layerfs directory
 * @upper: its upper directory as the caller read it (layerfs_upper()), so
 *         that a concurrent copy-up cannot change the answer midway
 *
 * Return: the number of entries layerfs_stack() gives.
 */
unsigned int layerfs_nstack(const struct inode *inode, struct dentry *upper)
{
	return LAYERFS_I(inode)->nlower + (upper ? 1 : 0);
}

/**
 * layerfs_stack - the @i-th real directory of a layerfs directory, top first
 * @inode: the layerfs directory
 * @upper: its upper directory, as passed to layerfs_nstack()
 * @i:     index, below layerfs_nstack()
 * @real:  filled in; no reference is taken
 */
void layerfs_stack(const struct inode *inode, struct dentry *upper,
		   unsigned int i, struct layerfs_real *real)
{
	if (upper && i == 0) {
		real->dentry = upper;
		real->layer = layerfs_upper_layer(inode->i_sb);
		return;
	}
	*real = LAYERFS_I(inode)->lower[upper ? i - 1 : i];
}

/**
 * layerfs_want_write - get write access to the upper layer
 * @sb: a layerfs super block
 *
 * The VFS took write access to the layerfs mount; layerfs must do the same
 * for the upper mount it writes to (and thereby freeze protection of the
 * upper filesystem).  Pair with layerfs_drop_write().
 *
 * Return: 0, or -EROFS when the mount has no upper layer or it is read-only.
 */
int layerfs_want_write(struct super_block *sb)
{
	if (!LAYERFS_FS(sb)->has_upper)
		return -EROFS;
	return mnt_want_write(layerfs_upper_layer(sb)->root.mnt);
}

/**
 * layerfs_drop_write - release what layerfs_want_write() got
 * @sb: a layerfs super block
 */
void layerfs_drop_write(struct super_block *sb)
{
	mnt_drop_write(layerfs_upper_layer(sb)->root.mnt);
}

/**
 * layerfs_is_whiteout - does @dentry hide its name in the layers below?
 * @layer:  the layer @dentry is in
 * @dentry: a positive or negative dentry of @layer
 *
 * A whiteout has one of two forms, as on overlayfs 6.7 and later:
 *  - a character device with device number 0/0 (WHITEOUT_DEV), the form
 *    layerfs and overlayfs make;
 *  - a zero-size regular file carrying the xattr trusted.overlay.whiteout
 *    (any value), which layer generators such as composefs write: unlike
 *    a device node, it can be stored in a layer that is itself read
 *    through an overlay, or in an image built without privileges.
 * The dcache does not tell whiteouts from other devices, so ask the inode;
 * only an empty regular file costs an xattr read.  Reading a trusted.*
 * xattr needs CAP_SYS_ADMIN: call with the mounter's credentials.
 *
 * Return: true for a whiteout.
 */
bool layerfs_is_whiteout(const struct layerfs_layer *layer,
			 struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);

	if (!inode)
		return false;
	if (IS_WHITEOUT(inode))
		return true;
	/* LAB xwhiteout begin: return false; */
	if (!S_ISREG(inode->i_mode) || i_size_read(inode) != 0)
		return false;
	return vfs_getxattr(layerfs_mnt_idmap(layer->root.mnt), dentry,
			    LAYERFS_XATTR_XWHITEOUT, NULL, 0) >= 0;
	/* LAB xwhiteout end */
}

/*
 * The first byte of a directory's trusted.overlay.opaque, or 0 when it has
 * none (or a longer value, which marks nothing).  Mounter's credentials.
 */
static char layerfs_opaque_val(const struct layerfs_real *real)
{
	char val;
	ssize_t res;

	res = vfs_getxattr(layerfs_real_idmap(real), real->dentry,
			   LAYERFS_XATTR_OPAQUE, &val, 1);
	return res == 1 ? val : 0;
}

/**
 * layerfs_is_weird - is @dentry one layerfs cannot stack on?
 * @dentry: a positive dentry of some layer
 *
 * layerfs refuses what overlayfs refuses (ovl_dentry_weird()), as a layer
 * at mount time and as a name in lookup.  An automount point
 * (DCACHE_NEED_AUTOMOUNT) would show as the empty directory it is until
 * something is mounted on it, not as the filesystem meant to be there; a
 * filesystem that compares names its own way (d_hash/d_compare: a
 * case-folding directory, vfat) would disagree with the merged view about
 * which names are the same.  Anything that is not a directory one can look
 * in, a file (regular or special) or a symlink is weird too.
 *
 * Return: true when layerfs must not use @dentry.
 */
bool layerfs_is_weird(const struct dentry *dentry)
{
	if (!d_can_lookup(dentry) && !d_is_file(dentry) &&
	    !d_is_symlink(dentry))
		return true;
	return dentry->d_flags & (DCACHE_NEED_AUTOMOUNT | DCACHE_MANAGE_TRANSIT |
				  DCACHE_OP_HASH | DCACHE_OP_COMPARE);
}

/**
 * layerfs_is_opaque_dir - does this directory hide the layers below it?
 * @real: a directory in some layer
 *
 * An opaque directory carries trusted.overlay.opaque = "y".  Its contents are
 * not merged with directories of the same name further down.  The value "x"
 * does not make a directory opaque (see layerfs_dir_has_xwhiteouts()).
 * Reading a trusted.* xattr needs CAP_SYS_ADMIN: call with the mounter's
 * credentials.
 *
 * Return: true when @real is opaque.
 */
bool layerfs_is_opaque_dir(const struct layerfs_real *real)
{
	return layerfs_opaque_val(real) == 'y';
}

/**
 * layerfs_dir_has_xwhiteouts - may this directory hold xattr whiteouts?
 * @real: a directory in some layer
 *
 * A directory holding whiteouts of the xattr form (see layerfs_is_whiteout())
 * is marked with trusted.overlay.opaque = "x", which, despite the name,
 * means "not opaque: merge me, and check my regular files".  The mark is
 * what spares readdir an xattr read per regular file of every other
 * directory.  trusted.overlay.whiteouts, which generators also set there
 * for older overlayfs versions, is not read (overlayfs 6.12 ignores it too).
 * Mounter's credentials.
 *
 * Return: true when @real is marked.
 */
/* LAB xwhiteout: stub returns false */
bool layerfs_dir_has_xwhiteouts(const struct layerfs_real *real)
{
	return layerfs_opaque_val(real) == 'x';
}

/**
 * layerfs_set_opaque - make an upper directory hide the layers below it
 * @sb:    the layerfs super block
 * @upper: a directory of the upper layer; mounter's credentials
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_opaque(struct super_block *sb, struct dentry *upper)
{
	return vfs_setxattr(layerfs_upper_idmap(sb), upper,
			    LAYERFS_XATTR_OPAQUE, "y", 1, 0);
}

/**
 * layerfs_set_mode - chmod an upper object
 * @sb:    the layerfs super block
 * @upper: the object, in the upper layer
 * @mode:  its new mode (the type bits are ignored)
 *
 * For objects layerfs has just made in work/ and must give what their
 * final place would have (see dir.c and super.c).  The caller holds write
 * access to the upper layer and no lock of @upper.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_mode(struct super_block *sb, struct dentry *upper,
		     umode_t mode)
{
	struct inode *inode = d_inode(upper);
	struct iattr attr = { .ia_valid = ATTR_MODE, .ia_mode = mode };
	int err;

	inode_lock(inode);
	err = notify_change(layerfs_upper_idmap(sb), upper, &attr, NULL);
	inode_unlock(inode);
	return err;
}

/**
 * layerfs_is_escaped_xattr - is @name a user's escaped trusted.overlay.* xattr?
 * @name: a full xattr name, as stored in a layer
 *
 * Since 6.7 overlayfs stores a trusted.overlay.X that a user sets through
 * the mount as trusted.overlay.overlay.X, and shows it back under its
 * first name; layerfs does the same on those kernels (see compat.h,
 * layerfs_escape_private_xattrs()).  Such a name says nothing about the
 * layers: it is the user's data.  On older kernels nothing is escaped.
 *
 * Return: true for an escaped name, on a kernel that escapes.
 */
bool layerfs_is_escaped_xattr(const char *name)
{
	return layerfs_escape_private_xattrs() &&
	       !strncmp(name, LAYERFS_XATTR_ESCAPED_PREFIX,
			sizeof(LAYERFS_XATTR_ESCAPED_PREFIX) - 1);
}

/**
 * layerfs_is_private_xattr - is @name one of overlayfs's own xattrs?
 * @name: a full xattr name, as stored in a layer
 *
 * trusted.overlay.* describe the layers themselves (opaque directories,
 * and what overlayfs records).  They are never listed through the merged
 * view, and never copied up: the copy would describe the wrong layer.
 * The escaped names of layerfs_is_escaped_xattr() are the exception: they
 * are listed (unescaped) and copied like any user xattr.
 *
 * Return: true for a private name.
 */
bool layerfs_is_private_xattr(const char *name)
{
	return !strncmp(name, LAYERFS_XATTR_PREFIX,
			sizeof(LAYERFS_XATTR_PREFIX) - 1) &&
	       !layerfs_is_escaped_xattr(name);
}

/**
 * layerfs_create_real - create an object in the upper layer
 * @sb:     the layerfs super block
 * @dir:    the real parent directory, locked (I_MUTEX_PARENT)
 * @dentry: the real negative dentry to create
 * @attr:   what to create
 *
 * Called with the credentials the new object should be created with.
 *
 * Return: 0 with @dentry positive, or a negative errno.
 */
int layerfs_create_real(struct super_block *sb, struct inode *dir,
			struct dentry *dentry, const struct layerfs_cattr *attr)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	int err;

	lockdep_assert_held(&dir->i_rwsem);
	if (attr->hardlink) {
		err = vfs_link(attr->hardlink, idmap, dir, dentry, NULL);
	} else {
		switch (attr->mode & S_IFMT) {
		case S_IFREG:
			err = vfs_create(idmap, dir, dentry, attr->mode, true);
			break;
		case S_IFDIR:
			err = vfs_mkdir(idmap, dir, dentry, attr->mode);
			break;
		case S_IFLNK:
			err = vfs_symlink(idmap, dir, dentry, attr->link);
			break;
		default:
			err = vfs_mknod(idmap, dir, dentry, attr->mode,
					attr->rdev);
			break;
		}
	}
	/* Some filesystems leave the dentry unhashed: not fit as upper. */
	if (!err && (d_unhashed(dentry) || d_is_negative(dentry)))
		err = -EIO;
	return err;
}

/**
 * layerfs_create_temp - create a scratch object in the work directory
 * @sb:   the layerfs super block (with an upper layer)
 * @attr: what to create
 *
 * Copy-up and whiteout creation build objects in <workdir>/work, under a
 * name no merged directory shows ("#<hex>"), and rename them into place
 * once complete.  The work directory is locked only while the object is
 * created, so the caller may lock_rename() it afterwards.
 *
 * Return: the new positive dentry, or an ERR_PTR().
 */
struct dentry *layerfs_create_temp(struct super_block *sb,
				   const struct layerfs_cattr *attr)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct inode *wdir = d_inode(ofs->work);
	struct dentry *temp;
	char name[16];
	int err;

	snprintf(name, sizeof(name), "#%x", atomic_inc_return(&ofs->tmp_id));

	inode_lock_nested(wdir, I_MUTEX_PARENT);
	temp = lookup_one_len(name, ofs->work, strlen(name));
	if (IS_ERR(temp))
		goto out_unlock;

	err = -EEXIST;
	if (d_is_negative(temp))
		err = layerfs_create_real(sb, wdir, temp, attr);
	if (err) {
		dput(temp);
		temp = ERR_PTR(err);
	}
out_unlock:
	inode_unlock(wdir);
	return temp;
}

/**
 * layerfs_create_copy - create the scratch object a copy-up fills
 * @dentry: the layerfs object being copied up
 * @attr:   what to create: the lower object's type and mode
 *
 * layerfs_create_temp(), with the label an LSM wants the copy to have.
 * The copy is created by the mounter, in work/, so it would get a label
 * for those; security_inode_copy_up() may instead give credentials that
 * create objects with @dentry's own label (SELinux sets their create_sid),
 * which layerfs wears for the creation only, as overlayfs does for its
 * copy-up (ovl_prep_cu_creds()).  Mounter's credentials.
 *
 * Return: the new positive dentry, or an ERR_PTR().
 */
struct dentry *layerfs_create_copy(struct dentry *dentry,
				   const struct layerfs_cattr *attr)
{
	const struct cred *old_cred = NULL;
	struct cred *copy_cred = NULL;
	struct dentry *temp;
	int err;

	err = security_inode_copy_up(dentry, &copy_cred);
	if (err < 0)
		return ERR_PTR(err);
	if (copy_cred)
		old_cred = override_creds(copy_cred);
	temp = layerfs_create_temp(dentry->d_sb, attr);
	if (copy_cred) {
		revert_creds(old_cred);
		put_cred(copy_cred);
	}
	return temp;
}

/**
 * layerfs_do_rename - rename within the upper layer
 * @sb:        the layerfs super block
 * @olddir:    real parent of @olddentry
 * @olddentry: the real object to move
 * @newdir:    real parent of @newdentry
 * @newdentry: the real destination
 * @flags:     RENAME_* flags
 *
 * Both parents are locked with lock_rename(); mounter's credentials.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_do_rename(struct super_block *sb, struct inode *olddir,
		      struct dentry *olddentry, struct inode *newdir,
		      struct dentry *newdentry, unsigned int flags)
{
	pr_debug("rename(%pd2 -> %pd2, 0x%x)\n", olddentry, newdentry, flags);
	return layerfs_vfs_rename(layerfs_upper_idmap(sb), olddir, olddentry,
				  newdir, newdentry, flags);
}

/* ---- emptying directories of the upper layer ------------------------- */

/* How deep layerfs looks into a directory it is removing before giving up. */
#define LAYERFS_CLEANUP_DEPTH	8

/**
 * layerfs_read_dir - read a whole real directory through a dir_reader
 * @path: the real directory
 * @rd:   its ctx.actor set; the actor counts every entry it is offered in
 *        @rd->count and leaves an error in @rd->err
 *
 * A filesystem may return a directory in several batches: iterate_dir()
 * is called again until a call offers no entry.  The directory is opened
 * here and closed before returning, so no lock of it is held once the
 * caller acts on what the actor gathered.  Mounter's credentials.
 *
 * Return: 0 or a negative errno (of the open, of iterate_dir(), or the
 * actor's).
 */
int layerfs_read_dir(const struct path *path, struct layerfs_dir_reader *rd)
{
	struct file *file;
	int err;

	file = dentry_open(path, O_RDONLY | O_DIRECTORY, current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	do {
		rd->count = 0;
		err = iterate_dir(file, &rd->ctx);
		if (!err)
			err = rd->err;
	} while (!err && rd->count);
	fput(file);
	return err;
}

/**
 * struct layerfs_name_list - names read from a directory, for removal
 * @rd:    the dir_context and its count and error (layerfs_read_dir())
 * @names: the names, NUL-separated
 * @len:   bytes used in @names
 * @size:  bytes allocated for @names
 */
struct layerfs_name_list {
	struct layerfs_dir_reader rd;
	char *names;
	size_t len;
	size_t size;
};

static bool layerfs_collect_name(struct dir_context *ctx, const char *name,
				 int len, loff_t offset, u64 ino,
				 unsigned int d_type)
{
	struct layerfs_name_list *nl =
		container_of(ctx, struct layerfs_name_list, rd.ctx);

	nl->rd.count++;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return true;

	if (nl->len + len + 1 > nl->size) {
		size_t size = max_t(size_t, 2 * nl->size, nl->len + len + 1);
		char *names = krealloc(nl->names, size, GFP_KERNEL);

		if (!names) {
			nl->rd.err = -ENOMEM;
			return false;
		}
		nl->names = names;
		nl->size = size;
	}
	memcpy(nl->names + nl->len, name, len);
	nl->names[nl->len + len] = '\0';
	nl->len += len + 1;
	return true;
}

/**
 * layerfs_cleanup_entry - remove an upper object and everything below it
 * @sb:     the layerfs super block
 * @parent: real parent directory (unlocked)
 * @child:  the object to remove
 * @depth:  how deep the removal already is
 *
 * Used on scratch objects in the work directory (a copy that failed, what
 * an earlier mount left there, a directory replaced by a whiteout).
 * Mounter's credentials.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_cleanup_entry(struct super_block *sb, struct dentry *parent,
			  struct dentry *child, int depth)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	struct inode *dir = d_inode(parent);
	int err;

	if (d_is_dir(child)) {
		err = layerfs_cleanup_dir(sb, child, depth + 1);
		if (err)
			return err;
	}

	inode_lock_nested(dir, I_MUTEX_PARENT);
	if (child->d_parent != parent || d_unhashed(child) ||
	    d_is_negative(child))
		err = -ESTALE;
	else if (d_is_dir(child))
		err = vfs_rmdir(idmap, dir, child);
	else
		err = vfs_unlink(idmap, dir, child, NULL);
	inode_unlock(dir);
	return err;
}

/**
 * layerfs_cleanup_dir - empty a directory of the upper layer
 * @sb:    the layerfs super block
 * @dir:   the real directory (unlocked)
 * @depth: how deep the removal already is
 *
 * Names are read first and removed after, so that no lock is held across
 * iterate_dir().  Mounter's credentials.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_cleanup_dir(struct super_block *sb, struct dentry *dir, int depth)
{
	struct dentry *child;
	char *names, *name;
	size_t len;
	int err = 0;

	if (depth > LAYERFS_CLEANUP_DEPTH)
		return -ENOTEMPTY;

	names = layerfs_read_names(sb, dir, &len);
	if (IS_ERR(names))
		return PTR_ERR(names);
	for (name = names; !err && name < names + len;
	     name += strlen(name) + 1) {
		child = lookup_one_len_unlocked(name, dir, strlen(name));
		if (IS_ERR(child)) {
			err = PTR_ERR(child);
			break;
		}
		if (d_is_positive(child))
			err = layerfs_cleanup_entry(sb, dir, child, depth);
		dput(child);
	}
	kfree(names);
	return err;
}

/**
 * layerfs_read_names - the names in a directory of the upper layer
 * @sb:   the layerfs super block
 * @dir:  the real directory (unlocked)
 * @lenp: set to the bytes used in the result
 *
 * All at once, so that the caller can act on them with no lock held
 * across iterate_dir().  Mounter's credentials.
 *
 * Return: the names but "." and "..", each ending in a NUL, in one
 * kmalloc()ed block (NULL when there are none; kfree() it), or an ERR_PTR.
 */
char *layerfs_read_names(struct super_block *sb, struct dentry *dir,
			 size_t *lenp)
{
	struct layerfs_name_list nl = { .rd.ctx.actor = layerfs_collect_name };
	struct path path = {
		.mnt = layerfs_upper_layer(sb)->root.mnt,
		.dentry = dir,
	};
	int err;

	err = layerfs_read_dir(&path, &nl.rd);
	if (err) {
		kfree(nl.names);
		return ERR_PTR(err);
	}
	*lenp = nl.len;
	return nl.names;
}

/**
 * layerfs_sync_status - must a sync reach the upper layer?
 * @sb: the layerfs super block
 *
 * A volatile mount (see layerfs_mark_volatile()) never syncs the upper
 * layer; it still reports the writeback errors the upper filesystem met
 * since the mount, which fsync() and syncfs() would otherwise have told.
 *
 * Return: 1 to sync; 0 to skip it; a negative errno to report instead.
 */
int layerfs_sync_status(struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);

	if (!ofs->config.is_volatile)
		return 1;
	return errseq_check(&layerfs_upper_layer(sb)->root.mnt->mnt_sb->s_wb_err,
			    ofs->errseq);
}

/* ---- protection flags kept in trusted.overlay.protattr ------------------ */

/*
 * An upper object never carries the append-only (+a) or immutable (+i)
 * flag itself: an immutable upper directory would take no copied-up child,
 * an append-only one would lose no name to a rename or a whiteout, and
 * neither kind of object could take layerfs's xattrs or be renamed from
 * work/ into place.  As overlayfs does (since 5.13), the flags are
 * recorded in the xattr trusted.overlay.protattr of the upper object
 * instead, as the letters 'a' and 'i', and the layerfs inode carries them
 * (layerfs_fileattr_set(), layerfs_new_inode()).  The value is at most
 * this long: overlayfs reserves room for more letters.
 */
#define LAYERFS_PROTATTR_MAX	32

/**
 * layerfs_get_protattr - the protection flags recorded for an upper object
 * @sb:    the layerfs super block
 * @upper: an object of the upper layer; mounter's credentials
 *
 * A value with any other letter is ignored with a warning, as overlayfs
 * does, so that a layer written by a newer kernel is not misread.
 *
 * Return: FS_APPEND_FL and/or FS_IMMUTABLE_FL, or 0 (also when the xattr
 * is missing or cannot be read).
 */
u32 layerfs_get_protattr(struct super_block *sb, struct dentry *upper)
{
	char buf[LAYERFS_PROTATTR_MAX];
	u32 fsflags = 0;
	ssize_t res, i;

	res = vfs_getxattr(layerfs_upper_idmap(sb), upper,
			   LAYERFS_XATTR_PROTATTR, buf, sizeof(buf));
	if (res < 0)
		return 0;
	for (i = 0; i < res; i++) {
		if (buf[i] == 'a')
			fsflags |= FS_APPEND_FL;
		else if (buf[i] == 'i')
			fsflags |= FS_IMMUTABLE_FL;
		else
			break;
	}
	if (res && i == res)
		return fsflags;
	pr_warn_ratelimited("ignoring %s of %pd2: not in overlayfs's format\n",
			    LAYERFS_XATTR_PROTATTR, upper);
	return 0;
}

/**
 * layerfs_set_protattr - record the protection flags of an upper object
 * @sb:      the layerfs super block
 * @upper:   an object of the upper layer; mounter's credentials, write
 *           access to the upper layer
 * @fsflags: FS_*_FL flags; FS_APPEND_FL and FS_IMMUTABLE_FL are recorded,
 *           and the xattr is removed when neither is set
 *
 * Return: 0 or a negative errno; -EPERM when the upper filesystem has no
 * xattrs, as on overlayfs, since the flags could not be kept.
 */
int layerfs_set_protattr(struct super_block *sb, struct dentry *upper,
			 u32 fsflags)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	char buf[2];
	int len = 0, err;

	if (fsflags & FS_APPEND_FL)
		buf[len++] = 'a';
	if (fsflags & FS_IMMUTABLE_FL)
		buf[len++] = 'i';

	if (!len) {
		err = vfs_removexattr(idmap, upper, LAYERFS_XATTR_PROTATTR);
		return err == -ENODATA || err == -EOPNOTSUPP ? 0 : err;
	}
	err = vfs_setxattr(idmap, upper, LAYERFS_XATTR_PROTATTR, buf, len, 0);
	return err == -EOPNOTSUPP ? -EPERM : err;
}
