// SPDX-License-Identifier: GPL-2.0
/*
 * origin.c - where a copied-up object came from: trusted.overlay.origin.
 *
 * When an object is copied up, its copy records the lower object it was
 * made from, as a file handle of the lower filesystem (the exportfs API:
 * the same handle NFS hands out).  A later lookup that finds the copy can
 * then find the original again, even after the name moved or the mount
 * was made anew, and report the original's inode number: st_ino does not
 * change when an object is copied up (inode.c, layerfs_getattr()).
 *
 * The xattr is overlayfs's, byte for byte, so that layers interchange:
 *
 *	offset  size  field
 *	0       1     version      0
 *	1       1     magic        0xfb
 *	2       1     len          21 + size of fid (the whole value)
 *	3       1     flags        bit 0: big endian, bit 1: any endian,
 *	                           bit 2: the handle is of an upper object
 *	4       1     type         the handle type exportfs gave (FILEID_*)
 *	5       16    uuid         s_uuid of the lower filesystem
 *	21      len-21 fid         the handle itself, in 32-bit words
 *
 * An empty value means "copied up, origin unknown": what overlayfs writes
 * when the lower filesystem cannot decode file handles (or the mounter may
 * not, without CAP_DAC_READ_SEARCH), and what layerfs writes then too.
 *
 * Copy-up also marks the upper parent directory "impure"
 * (trusted.overlay.impure = "y"): it may now hold entries whose d_ino is
 * not their st_ino, which readdir must then fix (readdir.c).
 *
 * Which copies record an origin, as on overlayfs with index=off: every
 * directory, and every other object whose lower inode has one link.  A
 * copy of one name of a lower hard link is a new file, not the lower one:
 * it must not claim the lower inode's number.
 *
 * Core: layerfs_set_origin(), layerfs_lookup_origin().  Edge cases: handles
 * of an unknown version or endianness (ignored, as overlayfs ignores them),
 * lower filesystems whose uuid cannot tell them apart, an origin of another
 * type than the copy (ignored, with a warning).
 */

#include <linux/fs.h>
#include <linux/exportfs.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include "layerfs.h"

#define LAYERFS_XATTR_IMPURE	LAYERFS_XATTR_PREFIX "impure"

#define LAYERFS_FH_VERSION	0
#define LAYERFS_FH_MAGIC	0xfb

/* The flags byte. */
#define LAYERFS_FH_BIG_ENDIAN	BIT(0)
#define LAYERFS_FH_ANY_ENDIAN	BIT(1)
#define LAYERFS_FH_PATH_UPPER	BIT(2)
#define LAYERFS_FH_ALL_FLAGS	(LAYERFS_FH_BIG_ENDIAN | LAYERFS_FH_ANY_ENDIAN | \
				 LAYERFS_FH_PATH_UPPER)
#ifdef __BIG_ENDIAN
#define LAYERFS_FH_CPU_ENDIAN	LAYERFS_FH_BIG_ENDIAN
#else
#define LAYERFS_FH_CPU_ENDIAN	0
#endif

/**
 * struct layerfs_fh - an origin file handle, as stored and in memory
 * @pad:     puts @fid on a 32-bit boundary in memory (not stored)
 * @version: LAYERFS_FH_VERSION
 * @magic:   LAYERFS_FH_MAGIC
 * @len:     the length of the stored value, @version to the end of @fid
 * @flags:   LAYERFS_FH_* flags
 * @type:    the file handle type, for exportfs_decode_fh()
 * @uuid:    the s_uuid of the filesystem of the object
 * @fid:     the handle; only the words @len counts are stored
 *
 * The stored value starts at @version (layerfs_fh_value()).
 */
struct layerfs_fh {
	u8 pad[3];
	u8 version;
	u8 magic;
	u8 len;
	u8 flags;
	u8 type;
	uuid_t uuid;
	u32 fid[MAX_HANDLE_SZ / 4];
} __packed;

#define LAYERFS_FH_HEADER	(offsetof(struct layerfs_fh, fid) - \
				 offsetof(struct layerfs_fh, version))

static_assert(offsetof(struct layerfs_fh, fid) % 4 == 0);
static_assert(LAYERFS_FH_HEADER == 21);
static_assert(LAYERFS_FH_HEADER + MAX_HANDLE_SZ <= 255);

/* The bytes of @fh as they are stored in the xattr. */
static void *layerfs_fh_value(struct layerfs_fh *fh)
{
	return &fh->version;
}

/**
 * layerfs_can_decode_fh - may a file handle of @sb be stored and decoded?
 * @sb: a real filesystem's super block
 *
 * May a file handle of @sb be stored, to be decoded later?  The decoding
 * needs CAP_DAC_READ_SEARCH (it bypasses the path walk's permission
 * checks), so the mounter must have it, as on overlayfs.  Mounter's
 * credentials.
 *
 * Return: true when it may.
 */
bool layerfs_can_decode_fh(const struct super_block *sb)
{
	return capable(CAP_DAC_READ_SEARCH) && sb->s_export_op &&
	       sb->s_export_op->fh_to_dentry;
}

/*
 * Encode the file handle of the real inode @real into a new layerfs_fh.
 * A non-connectable handle: only the inode matters, not where it is.
 */
static struct layerfs_fh *layerfs_encode_fh(struct inode *real)
{
	struct layerfs_fh *fh;
	int words = ARRAY_SIZE(fh->fid);
	int type;

	fh = kzalloc(sizeof(*fh), GFP_KERNEL);
	if (!fh)
		return ERR_PTR(-ENOMEM);
	type = layerfs_encode_inode_fh(real, (struct fid *)fh->fid, &words);
	if (type < 0 || type == FILEID_INVALID ||
	    WARN_ON_ONCE(words > ARRAY_SIZE(fh->fid))) {
		kfree(fh);
		return ERR_PTR(-EIO);
	}
	fh->version = LAYERFS_FH_VERSION;
	fh->magic = LAYERFS_FH_MAGIC;
	fh->len = LAYERFS_FH_HEADER + words * 4;
	fh->flags = LAYERFS_FH_CPU_ENDIAN;
	fh->type = type;
	fh->uuid = real->i_sb->s_uuid;
	return fh;
}

/*
 * Errors of a setxattr of a private xattr that leave things as overlayfs
 * leaves them: an upper filesystem without xattrs (EOPNOTSUPP; overlayfs
 * then keeps no origins at all), and EPERM, which some filesystems answer
 * for an xattr on a symlink or special file.
 */
static int layerfs_xattr_optional(int err)
{
	return err == -EOPNOTSUPP || err == -EPERM ? 0 : err;
}

/**
 * layerfs_set_origin - record the lower object a copy was made from
 * @sb:    the layerfs super block
 * @lower: the lower object
 * @temp:  its copy, in the work directory, not yet in place
 *
 * Writes trusted.overlay.origin on @temp (see the top of this file), or an
 * empty one when the lower filesystem cannot decode file handles.  Does
 * nothing for the copy of a lower hard link (i_nlink above 1), which
 * becomes a file of its own, unless index=on, which copies such a link
 * into the index (index.c).  Mounter's credentials, write access to the
 * upper layer held.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_origin(struct super_block *sb, struct dentry *lower,
		       struct dentry *temp)
{
	struct inode *realinode = d_inode(lower);
	struct layerfs_fh *fh = NULL;
	int err;

	if (!S_ISDIR(realinode->i_mode) && realinode->i_nlink != 1 &&
	    !layerfs_index_on(sb))
		return 0;
	if (layerfs_can_decode_fh(lower->d_sb)) {
		fh = layerfs_encode_fh(realinode);
		if (IS_ERR(fh))
			return PTR_ERR(fh);
	}
	err = vfs_setxattr(layerfs_upper_idmap(sb), temp, LAYERFS_XATTR_ORIGIN,
			   fh ? layerfs_fh_value(fh) : NULL, fh ? fh->len : 0,
			   0);
	kfree(fh);
	return layerfs_xattr_optional(err);
}

/**
 * layerfs_set_impure - mark an upper directory as holding copied-up objects
 * @sb:       the layerfs super block
 * @upperdir: the directory, in the upper layer
 *
 * Sets trusted.overlay.impure = "y" unless it is there already.  Mounter's
 * credentials, write access to the upper layer held; @upperdir's i_rwsem
 * not held (vfs_setxattr() takes it).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_impure(struct super_block *sb, struct dentry *upperdir)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	int err;

	if (vfs_getxattr(idmap, upperdir, LAYERFS_XATTR_IMPURE, NULL, 0) >= 0)
		return 0;
	err = vfs_setxattr(idmap, upperdir, LAYERFS_XATTR_IMPURE, "y", 1, 0);
	return layerfs_xattr_optional(err);
}

/**
 * layerfs_is_impure - is an upper directory marked impure?
 * @sb:       the layerfs super block
 * @upperdir: the directory, in the upper layer; mounter's credentials
 *
 * Return: true when trusted.overlay.impure is "y".
 */
bool layerfs_is_impure(struct super_block *sb, struct dentry *upperdir)
{
	char val;

	return vfs_getxattr(layerfs_upper_idmap(sb), upperdir,
			    LAYERFS_XATTR_IMPURE, &val, 1) == 1 && val == 'y';
}

/*
 * Read the origin xattr of @upper into a new layerfs_fh.  Returns NULL when
 * there is no usable origin: none recorded, the empty "origin unknown", or
 * a handle of a newer version or another byte order (overlayfs treats those
 * as unknown too).  A malformed value is reported and ignored.
 */
static struct layerfs_fh *layerfs_read_origin(struct super_block *sb,
					      struct dentry *upper)
{
	struct layerfs_fh *fh;
	ssize_t res;

	fh = kzalloc(sizeof(*fh), GFP_KERNEL);
	if (!fh)
		return ERR_PTR(-ENOMEM);
	res = vfs_getxattr(layerfs_upper_idmap(sb), upper, LAYERFS_XATTR_ORIGIN,
			   layerfs_fh_value(fh),
			   sizeof(*fh) - offsetof(struct layerfs_fh, version));
	if (res == -ENODATA || res == -EOPNOTSUPP || res == 0)
		goto out_none;
	if (res < 0) {
		pr_warn_ratelimited("cannot read the origin of %pd2 (%zd)\n",
				    upper, res);
		goto out_none;
	}
	if (res < LAYERFS_FH_HEADER || res < fh->len ||
	    fh->len < LAYERFS_FH_HEADER || fh->magic != LAYERFS_FH_MAGIC) {
		pr_warn_ratelimited("invalid origin of %pd2 (%*phN)\n", upper,
				    (int)res, layerfs_fh_value(fh));
		goto out_none;
	}
	if (fh->version > LAYERFS_FH_VERSION ||
	    (fh->flags & ~LAYERFS_FH_ALL_FLAGS))
		goto out_none;
	if (!(fh->flags & LAYERFS_FH_ANY_ENDIAN) &&
	    (fh->flags & LAYERFS_FH_BIG_ENDIAN) != LAYERFS_FH_CPU_ENDIAN)
		goto out_none;
	return fh;

out_none:
	kfree(fh);
	return NULL;
}

/**
 * layerfs_uuid_usable - can a handle's uuid tell its lower filesystem?
 * @sb:    the layerfs super block
 * @layer: a lower layer
 *
 * Can a handle's uuid tell which lower filesystem it belongs to?  Not when
 * another lower layer on a different filesystem has the same uuid, nor
 * when the uuid is null on a filesystem other than the upper one, unless
 * the mounter asked for an option that takes offline changes of the lower
 * layers off the table (layerfs_offline_changes_allowed(): overlayfs's
 * bad_uuid rule with index=off).
 *
 * Return: true when it can.
 */
bool layerfs_uuid_usable(struct super_block *sb,
			 const struct layerfs_layer *layer)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct super_block *lsb = layer->root.mnt->mnt_sb;
	unsigned int i;

	if (lsb == layerfs_upper_layer(sb)->root.mnt->mnt_sb)
		return true;
	if (uuid_is_null(&lsb->s_uuid) && layerfs_offline_changes_allowed(sb))
		return false;
	for (i = 1; i < ofs->numlayers; i++) {
		struct super_block *other = ofs->layers[i].root.mnt->mnt_sb;

		if (other != lsb && uuid_equal(&other->s_uuid, &lsb->s_uuid))
			return false;
	}
	return true;
}

/* exportfs_decode_fh()'s check of a decoded non-directory: any will do. */
static int layerfs_origin_acceptable(void *ctx, struct dentry *dentry)
{
	return 1;
}

/*
 * Decode @fh in the first lower layer whose filesystem has its uuid (and
 * can be told apart by it).  Returns the object with a reference, NULL
 * when no layer has it (a stale handle), or an ERR_PTR().  The object may
 * be disconnected (no path to it).  Mounter's credentials.
 */
static struct dentry *layerfs_decode_one(struct super_block *sb,
					 const struct layerfs_fh *fh,
					 const struct layerfs_layer **layerp)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	unsigned int i;

	if (!capable(CAP_DAC_READ_SEARCH))
		return NULL;
	for (i = 1; i < ofs->numlayers; i++) {
		const struct layerfs_layer *layer = &ofs->layers[i];
		struct vfsmount *mnt = layer->root.mnt;
		struct dentry *found;

		if (!uuid_equal(&fh->uuid, &mnt->mnt_sb->s_uuid) ||
		    !layerfs_uuid_usable(sb, layer))
			continue;
		found = exportfs_decode_fh(mnt, (struct fid *)fh->fid,
					   (fh->len - LAYERFS_FH_HEADER) / 4,
					   fh->type, layerfs_origin_acceptable,
					   NULL);
		/* A stale handle: the original is gone from this layer. */
		if (found == ERR_PTR(-ESTALE))
			continue;
		if (!IS_ERR(found))
			*layerp = layer;
		return found;
	}
	return NULL;
}

/*
 * layerfs_lookup_origin - find the lower object an upper copy was made from
 * @sb:     the layerfs super block (with an upper layer)
 * @upper:  a non-directory of the upper layer
 * @origin: filled in when found: the lower object, with a reference
 *
 * Decodes the handle in trusted.overlay.origin (layerfs_decode_one()).
 * The object found may be disconnected (no path to it): only its inode is
 * used, for its number.  An origin of another type than @upper was not
 * made from it: warned about and ignored.  Mounter's credentials.
 *
 * Return: 1 when found, 0 when there is no usable origin, or a negative
 * errno.
 */
static int layerfs_lookup_origin(struct super_block *sb,
				 struct dentry *upper,
				 struct layerfs_real *origin)
{
	struct dentry *found;
	struct layerfs_fh *fh;

	fh = layerfs_read_origin(sb, upper);
	if (IS_ERR_OR_NULL(fh))
		return PTR_ERR(fh);
	found = layerfs_decode_one(sb, fh, &origin->layer);
	kfree(fh);
	if (IS_ERR_OR_NULL(found))
		return PTR_ERR(found);
	if (d_is_negative(found) || layerfs_is_weird(found) ||
	    inode_wrong_type(d_inode(upper), d_inode(found)->i_mode)) {
		pr_warn_ratelimited("invalid origin of %pd2: not of its type\n",
				    upper);
		dput(found);
		return 0;
	}
	origin->dentry = found;
	return 1;
}

/**
 * layerfs_get_fh - the file handle overlayfs would store for a real inode
 * @real:     the real inode
 * @is_upper: it is in the upper layer (flag LAYERFS_FH_PATH_UPPER)
 * @lenp:     set to the length of the value
 *
 * The bytes of a trusted.overlay.origin (or .upper) value for @real, as
 * described at the top of this file; index.c names index entries by them.
 *
 * Return: a kmalloc()ed value, or an ERR_PTR().
 */
void *layerfs_get_fh(struct inode *real, bool is_upper, size_t *lenp)
{
	struct layerfs_fh *fh = layerfs_encode_fh(real);
	void *val;

	if (IS_ERR(fh))
		return fh;
	if (is_upper)
		fh->flags |= LAYERFS_FH_PATH_UPPER;
	*lenp = fh->len;
	val = kmemdup(layerfs_fh_value(fh), fh->len, GFP_KERNEL);
	kfree(fh);
	return val ?: ERR_PTR(-ENOMEM);
}

/**
 * layerfs_verify_fh - does an xattr hold a given file handle?
 * @sb:     the layerfs super block
 * @dentry: an upper object
 * @xattr:  the xattr's name (trusted.overlay.origin or .upper)
 * @fh:     the value expected (layerfs_get_fh())
 * @len:    its length
 *
 * Mounter's credentials.
 *
 * Return: 0 when it does, -ENODATA when there is no such xattr, -ESTALE
 * when it holds something else, or another negative errno.
 */
int layerfs_verify_fh(struct super_block *sb, struct dentry *dentry,
		      const char *xattr, const void *fh, size_t len)
{
	u8 *buf;
	ssize_t res;

	buf = kmalloc(LAYERFS_FH_HEADER + MAX_HANDLE_SZ, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	res = vfs_getxattr(layerfs_upper_idmap(sb), dentry, xattr, buf,
			   LAYERFS_FH_HEADER + MAX_HANDLE_SZ);
	if (res == -ERANGE)
		res = -ESTALE;		/* too long to be this handle */
	else if (res >= 0)
		res = res == len && !memcmp(buf, fh, len) ? 0 : -ESTALE;
	kfree(buf);
	return res == -EOPNOTSUPP ? -ENODATA : res;
}

/**
 * layerfs_check_fh - is a stored file handle one layerfs can use?
 * @val: the handle, as stored (the bytes of an origin xattr)
 * @len: its length
 *
 * As overlayfs's ovl_check_fb_len().
 *
 * Return: 0; -EINVAL for a malformed handle; -ENODATA for one of a newer
 * version, with unknown flags, or of another byte order ("origin unknown").
 */
int layerfs_check_fh(const void *val, size_t len)
{
	const struct layerfs_fh *fh = val - offsetof(struct layerfs_fh, version);

	if (len < LAYERFS_FH_HEADER || len > LAYERFS_FH_HEADER + MAX_HANDLE_SZ ||
	    len < fh->len || fh->len < LAYERFS_FH_HEADER ||
	    fh->magic != LAYERFS_FH_MAGIC)
		return -EINVAL;
	if (fh->version > LAYERFS_FH_VERSION ||
	    (fh->flags & ~LAYERFS_FH_ALL_FLAGS))
		return -ENODATA;
	if (!(fh->flags & LAYERFS_FH_ANY_ENDIAN) &&
	    (fh->flags & LAYERFS_FH_BIG_ENDIAN) != LAYERFS_FH_CPU_ENDIAN)
		return -ENODATA;
	return 0;
}

/**
 * layerfs_decode_fh - find the lower object of a stored file handle
 * @sb:     the layerfs super block
 * @val:    the handle, as stored (the bytes of an origin xattr)
 * @len:    its length
 * @origin: filled in when found, with a reference
 *
 * As overlayfs's ovl_check_origin_fh(): a handle layerfs_check_fh()
 * refuses is its error, one no lower layer has -ESTALE.  Mounter's
 * credentials.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_decode_fh(struct super_block *sb, const void *val, size_t len,
		      struct layerfs_real *origin)
{
	struct layerfs_fh *fh;
	struct dentry *found;
	int err;

	err = layerfs_check_fh(val, len);
	if (err)
		return err;
	fh = kzalloc(sizeof(*fh), GFP_KERNEL);
	if (!fh)
		return -ENOMEM;
	memcpy(layerfs_fh_value(fh), val, len);
	found = layerfs_decode_one(sb, fh, &origin->layer);
	err = found ? PTR_ERR_OR_ZERO(found) : -ESTALE;
	if (!err && d_is_negative(found)) {
		dput(found);
		err = -ESTALE;
	} else if (!err) {
		origin->dentry = found;
	}
	kfree(fh);
	return err;
}

/**
 * layerfs_add_origin - add the origin of an upper non-directory to a stack
 * @sb:    the layerfs super block
 * @stack: the result of a lookup: one entry, an upper non-directory, and
 *         room for a second
 *
 * Puts the origin (layerfs_lookup_origin()) in @stack[1], where
 * layerfs_new_inode() takes it as the inode's lower object: it serves
 * only for the inode number (ino.c).  Mounter's credentials.
 *
 * Return: the number of entries of @stack now filled (1 or 2), or a
 * negative errno with @stack[0]'s reference dropped.
 */
int layerfs_add_origin(struct super_block *sb, struct layerfs_real *stack)
{
	int found = layerfs_lookup_origin(sb, stack[0].dentry, &stack[1]);

	if (found < 0) {
		dput(stack[0].dentry);
		return found;
	}
	return 1 + found;
}

/*
 * Does @inode stand for a copy-up that keeps its origin's inode number: an
 * upper object with a lower one, a directory or a file whose lower inode
 * has one link (overlayfs's "origin" type)?
 */
static bool layerfs_has_origin(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);

	return layerfs_upper(inode) && li->nlower &&
	       (S_ISDIR(inode->i_mode) || li->indexed ||
		d_inode(li->lower[0].dentry)->i_nlink == 1);
}

/**
 * layerfs_rename_impure - mark the directories a rename brings copies into
 * @old:      the layerfs object being renamed, copied up
 * @new:      the name it takes (its parent copied up)
 * @exchange: RENAME_EXCHANGE: the object at @new moves to @old's parent
 *
 * A copy keeps its origin's inode number, so a directory it moves into
 * lists it with the wrong d_ino unless marked impure, as overlayfs marks
 * it (ino.c).  Only for a rename between two directories: the one a copy
 * leaves is already marked.  Mounter's credentials, write access held.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_rename_impure(struct dentry *old, struct dentry *new,
			  bool exchange)
{
	struct super_block *sb = old->d_sb;
	int err = 0;

	if (old->d_parent == new->d_parent)
		return 0;
	if (layerfs_has_origin(d_inode(old)))
		err = layerfs_set_impure(sb, layerfs_upper(d_inode(new->d_parent)));
	if (!err && exchange && layerfs_has_origin(d_inode(new)))
		err = layerfs_set_impure(sb, layerfs_upper(d_inode(old->d_parent)));
	return err;
}

/**
 * layerfs_fix_origin - record the origin of a merged directory at lookup
 * @dir:   the layerfs parent directory
 * @stack: the lookup's result: an upper directory, then its lower ones
 * @n:     number of entries in @stack, at least 2
 *
 * An upper directory that merges with a lower one but has no origin (made
 * by hand, or by an older kernel) gets the first lower directory's, and
 * its upper parent is marked impure, as overlayfs does at lookup
 * (ovl_fix_origin()): readdir of the parent then gives it the d_ino of
 * its st_ino, which is the lower directory's (ino.c).  Mounter's
 * credentials; takes write access to the upper layer.
 *
 * Return: @n, or a negative errno (write access refused, say) with every
 * reference of @stack dropped: the lookup fails, as on overlayfs.
 */
int layerfs_fix_origin(struct inode *dir, struct layerfs_real *stack, int n)
{
	struct super_block *sb = dir->i_sb;
	int err;

	if (vfs_getxattr(layerfs_upper_idmap(sb), stack[0].dentry,
			 LAYERFS_XATTR_ORIGIN, NULL, 0) >= 0)
		return n;
	err = layerfs_want_write(sb);
	if (!err) {
		err = layerfs_set_origin(sb, stack[1].dentry, stack[0].dentry);
		if (!err)
			err = layerfs_set_impure(sb, layerfs_upper(dir));
		layerfs_drop_write(sb);
	}
	if (!err)
		return n;
	while (n)
		dput(stack[--n].dentry);
	return err;
}

/**
 * layerfs_link_impure - mark the directory a copy gets a new link in
 * @old: the layerfs object being linked, copied up
 * @new: the new name (its parent copied up)
 *
 * As for a rename (layerfs_rename_impure()), and as overlayfs does for a
 * link (ovl_create_or_link()): the new name lists with the d_ino of the
 * copy's origin only in a directory marked impure.  Takes the mounter's
 * credentials; the caller holds write access to the upper layer.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_link_impure(struct dentry *old, struct dentry *new)
{
	struct super_block *sb = old->d_sb;
	const struct cred *old_cred;
	int err;

	if (!layerfs_has_origin(d_inode(old)))
		return 0;
	old_cred = layerfs_override_creds(sb);
	err = layerfs_set_impure(sb, layerfs_upper(d_inode(new->d_parent)));
	revert_creds(old_cred);
	return err;
}
