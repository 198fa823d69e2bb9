// SPDX-License-Identifier: GPL-2.0
/*
 * ino.c - the inode numbers layerfs reports: st_ino and st_dev in stat(),
 * d_ino in readdir.
 *
 * An object keeps its inode number when it is copied up, as on overlayfs:
 * the copy records its origin (origin.c), and the number reported is the
 * origin's.  The rules are overlayfs's ("Inode properties" in
 * Documentation/filesystems/overlayfs.rst) with index=off and xino=off:
 *
 *	layers            object                      st_dev      st_ino
 *	------            ------                      ------      ------
 *	one filesystem    any                         layerfs's   real, (1)
 *	several           directory                   layerfs's   layerfs's own,
 *	                                                          not persistent
 *	several           non-directory               per fs (2)  real, (1)
 *
 *	(1) of the origin when the object was copied up (or is a merged
 *	    directory), else of the real object; but a copy of a lower hard
 *	    link (lower i_nlink > 1) reports its own number: the copy
 *	    broke the link and is a file of its own (not with index=on,
 *	    where the copy stays the lower inode's, index.c)
 *	(2) an anonymous device number per real filesystem (super.c,
 *	    layerfs_get_pseudo_devs()), of the filesystem the number comes
 *	    from
 *
 * With xino=on or auto and layers on several filesystems, the high bits of
 * every number say which filesystem it is of (struct layerfs_layer.fsid:
 * 0 for the upper one), so that every object has layerfs's st_dev and a
 * number unique in the mount, directories included (layerfs_map_ino()).
 * How many bits: none are needed when every layer's filesystem hands out
 * file handles with 32-bit inode numbers (FILEID_INO32_GEN: ext4, xfs
 * without inode64...), which leaves the high 32 bits free; otherwise
 * enough for the number of filesystems, plus one for the fallback range.
 * A number that does not fit is reported as without xino (xino=on warns).
 * xino=auto falls back to off when a lower filesystem cannot decode file
 * handles or its uuid cannot tell it apart (layerfs_xino_setup()).
 *
 * A directory's origin is the lower directory it merges with (found by
 * name, the top one).  A non-directory's is the lower object its copy's
 * trusted.overlay.origin names, or, before a remount, the lower object the
 * inode was made for.
 *
 * readdir reports the same numbers as d_ino where overlayfs does
 * (readdir.c): "." and ".." always; when all layers share one filesystem,
 * every entry of an upper directory marked impure (one that received
 * copies); with xino, every entry.  Those entries are looked up through
 * layerfs, as overlayfs does.
 *
 * Core: layerfs_ino_real(), layerfs_map_ino(), layerfs_getattr_ino().
 * Edge cases: d_ino (layerfs_readdir_fix_ino(), layerfs_dirent_ino()),
 * xino (layerfs_xino_setup()).
 */

#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include "layerfs.h"

/* The values of the xino option (the default, off, is Debian's). */
const struct constant_table layerfs_xino_values[] = {
	{ "off",	LAYERFS_XINO_OFF },
	{ "auto",	LAYERFS_XINO_AUTO },
	{ "on",		LAYERFS_XINO_ON },
	{}
};

/* Do all objects report layerfs's st_dev (overlayfs's ovl_same_dev())? */
static bool layerfs_same_dev(const struct layerfs_fs *ofs)
{
	return ofs->samefs || ofs->xino_bits;
}

/**
 * layerfs_ino_real - the real object whose inode number @inode reports
 * @inode: a layerfs inode
 * @real:  filled in (no reference taken): the origin (lower[0]) of an
 *         upper object that has one, see the table above, else the real
 *         object (layerfs_real())
 *
 * When the layers are on several filesystems without xino, a directory
 * reports a number of layerfs's own; @real is then only the real directory.
 */
void layerfs_ino_real(const struct inode *inode, struct layerfs_real *real)
{
	struct layerfs_inode *li = LAYERFS_I(inode);

	layerfs_real(inode, real);
	if (!layerfs_upper(inode) || !li->nlower)
		return;
	if (S_ISDIR(inode->i_mode) ? !layerfs_same_dev(LAYERFS_FS(inode->i_sb)) :
	    d_inode(li->lower[0].dentry)->i_nlink != 1 && !li->indexed)
		return;
	*real = li->lower[0];
}

/*
 * The st_ino to report for real inode number @ino of an object in @layer,
 * on the st_dev put in *@dev (overlayfs's ovl_map_dev_ino()).  @inode is
 * the layerfs inode, whose own number a directory falls back to.
 */
static u64 layerfs_map_ino(const struct inode *inode, u64 ino,
			   const struct layerfs_layer *layer, dev_t *dev)
{
	struct layerfs_fs *ofs = LAYERFS_FS(inode->i_sb);
	unsigned int shift = 64 - ofs->xino_bits;

	*dev = inode->i_sb->s_dev;
	if (ofs->samefs)
		return ino;
	if (ofs->xino_bits) {
		/* the lowest xino bit stays clear: the fallback range */
		if (!(ino >> shift))
			return ino | (u64)layer->fsid << (shift + 1);
		if (ofs->config.xino == LAYERFS_XINO_ON)
			pr_warn_ratelimited("inode number too big (ino=%llu, xinobits=%u)\n",
					    ino, ofs->xino_bits);
	}
	if (S_ISDIR(inode->i_mode))
		return inode->i_ino;
	*dev = layer->pseudo_dev;
	return ino;
}

/**
 * layerfs_inode_st_ino - the st_ino stat() reports for a layerfs inode
 * @inode: the inode
 *
 * From the real inodes' i_ino, without a getattr: for readdir's d_ino.
 *
 * Return: the number.
 */
u64 layerfs_inode_st_ino(const struct inode *inode)
{
	struct layerfs_real ireal;
	dev_t dev;

	if (!layerfs_same_dev(LAYERFS_FS(inode->i_sb)) &&
	    S_ISDIR(inode->i_mode))
		return inode->i_ino;
	layerfs_ino_real(inode, &ireal);
	return layerfs_map_ino(inode, d_inode(ireal.dentry)->i_ino, ireal.layer,
			       &dev);
}

/**
 * layerfs_getattr_ino - st_dev and st_ino of a layerfs object
 * @inode: the layerfs inode
 * @stat:  what getattr of the real object filled in
 * @flags: the AT_STATX_* flags of the getattr
 *
 * Replaces the real object's st_dev and st_ino by those of the table
 * above.  Mounter's credentials (the origin's getattr).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_getattr_ino(struct inode *inode, struct kstat *stat,
			unsigned int flags)
{
	struct layerfs_fs *ofs = LAYERFS_FS(inode->i_sb);
	struct layerfs_real real, ireal;

	if (!layerfs_same_dev(ofs) && S_ISDIR(inode->i_mode)) {
		stat->dev = inode->i_sb->s_dev;
		stat->ino = inode->i_ino;
		return 0;
	}
	layerfs_real(inode, &real);
	layerfs_ino_real(inode, &ireal);
	if (ireal.dentry != real.dentry) {
		struct kstat istat;
		struct path path;
		int err;

		layerfs_path(&ireal, &path);
		err = layerfs_vfs_getattr(&path, &istat, STATX_INO, flags);
		if (err)
			return err;
		stat->ino = istat.ino;
	}
	stat->ino = layerfs_map_ino(inode, stat->ino, ireal.layer, &stat->dev);
	return 0;
}

/**
 * layerfs_init_ino - the i_ino of a new layerfs inode
 * @inode: the inode, with its type and real objects set
 *
 * The number stat() reports where that is persistent, so that the numbers
 * in /proc/locks and in inotify's fdinfo agree with it; a number of
 * layerfs's own for a directory that has no such number (overlayfs's
 * ovl_map_ino()), with xino taken from the fallback range.
 */
void layerfs_init_ino(struct inode *inode)
{
	struct layerfs_fs *ofs = LAYERFS_FS(inode->i_sb);
	unsigned int shift = 64 - ofs->xino_bits;
	struct layerfs_real ireal;
	u64 ino;

	if (S_ISDIR(inode->i_mode) && !layerfs_same_dev(ofs))
		goto own;
	layerfs_ino_real(inode, &ireal);
	ino = d_inode(ireal.dentry)->i_ino;
	if (ofs->samefs) {
		inode->i_ino = ino;
		return;
	}
	if (ofs->xino_bits && !(ino >> shift)) {
		inode->i_ino = ino | (u64)ireal.layer->fsid << (shift + 1);
		return;
	}
	if (!S_ISDIR(inode->i_mode)) {
		inode->i_ino = ino;
		return;
	}
own:
	inode->i_ino = get_next_ino();
	if (ofs->xino_bits) {
		inode->i_ino &= ~0UL >> ofs->xino_bits;
		inode->i_ino |= 1UL << shift;
	}
}

/**
 * layerfs_readdir_fix_ino - which entries of @dir need their d_ino looked up
 * @dir: a layerfs directory
 *
 * With xino, all: the numbers of every layer but the upper filesystem's
 * carry their filesystem in the high bits.  Without, only the upper
 * entries of an upper directory marked impure (it holds copies, whose
 * d_ino is the copy's number while stat() reports the origin's), and only
 * when the layers share one filesystem: otherwise d_ino cannot be st_ino
 * anyway, and overlayfs does not try either.  Mounter's credentials.
 *
 * Return: a LAYERFS_FIX_INO_* value.
 */
int layerfs_readdir_fix_ino(struct inode *dir)
{
	struct layerfs_fs *ofs = LAYERFS_FS(dir->i_sb);
	struct dentry *upper = layerfs_upper(dir);

	if (ofs->xino_bits)
		return LAYERFS_FIX_INO_ALL;
	if (upper && ofs->samefs && layerfs_is_impure(dir->i_sb, upper))
		return LAYERFS_FIX_INO_UPPER;
	return LAYERFS_FIX_INO_NONE;
}

/**
 * layerfs_dirent_ino - the d_ino of an entry layerfs_readdir_fix_ino() names
 * @dir:  the layerfs directory being listed; its i_rwsem is held (shared,
 *        by iterate_shared)
 * @name: the entry's name
 * @len:  its length
 * @ino:  the d_ino the real directory reported
 *
 * Looks the name up through layerfs (as overlayfs's readdir does), so the
 * answer is the st_ino layerfs_getattr() gives.  Mounter's credentials.
 *
 * Return: the number to report; @ino when the lookup fails (the entry was
 * removed meanwhile, say).
 */
u64 layerfs_dirent_ino(struct dentry *dir, const char *name, int len, u64 ino)
{
	struct dentry *this;

	this = lookup_one_len(name, dir, len);
	if (IS_ERR(this))
		return ino;
	if (d_really_is_positive(this))
		ino = layerfs_inode_st_ino(d_inode(this));
	dput(this);
	return ino;
}

/*
 * Can file handles of @sb be decoded by the mounter (as origin.c and
 * overlayfs's ovl_can_decode_fh() require)?
 */
static bool layerfs_xino_can_decode(const struct super_block *sb)
{
	return capable(CAP_DAC_READ_SEARCH) && sb->s_export_op &&
	       sb->s_export_op->fh_to_dentry;
}

/*
 * Is @layer's filesystem, not the upper one, unusable for xino=auto: its
 * uuid is null, or another lower layer's filesystem has the same one
 * (overlayfs's ovl_lower_uuid_ok(), with xino=auto allowing offline
 * changes)?
 */
static bool layerfs_xino_bad_uuid(const struct layerfs_fs *ofs,
				  unsigned int i)
{
	struct super_block *sb = ofs->layers[i].root.mnt->mnt_sb;
	unsigned int j;

	if (!ofs->has_upper)
		return false;
	if (uuid_is_null(&sb->s_uuid) && !(ofs->config.redirect_mode ==
					   LAYERFS_REDIRECT_ON))
		return true;
	for (j = 1; j < i; j++) {
		struct super_block *other = ofs->layers[j].root.mnt->mnt_sb;

		if (other != sb && uuid_equal(&other->s_uuid, &sb->s_uuid))
			return true;
	}
	return false;
}

/**
 * layerfs_xino_setup - number the layers' filesystems, decide on xino
 * @fc:  the mount's fs_context, for messages
 * @ofs: the layerfs being mounted, its layers known and checked
 *
 * Gives each layer its fsid and sets @ofs->xino_bits, with overlayfs's
 * rules and messages: nothing to do on one filesystem ("xino=on" is then
 * "useless"); xino=auto falls back to off when a lower filesystem cannot
 * decode file handles or has a uuid that cannot tell it apart.  The
 * mounter's own credentials (capable()).
 *
 * Return: 0.
 */
int layerfs_xino_setup(struct fs_context *fc, struct layerfs_fs *ofs)
{
	struct super_block *upper_sb = ofs->has_upper ?
				       ofs->layers[0].root.mnt->mnt_sb : NULL;
	unsigned int i, j, numfs = 1;
	bool ino32 = true;

	for (i = 0; i < ofs->numlayers; i++) {
		struct super_block *sb = ofs->layers[i].root.mnt->mnt_sb;

		if (sb == upper_sb) {
			ofs->layers[i].fsid = 0;
			continue;
		}
		for (j = 0; j < i; j++) {
			if (ofs->layers[j].root.mnt->mnt_sb == sb)
				break;
		}
		ofs->layers[i].fsid = j < i ? ofs->layers[j].fsid : numfs++;
	}

	if (ofs->samefs) {
		if (ofs->config.xino == LAYERFS_XINO_ON)
			infofc(fc, "\"xino=on\" is useless with all layers on same fs, ignore.");
		return 0;
	}
	for (i = 0; i < ofs->numlayers; i++) {
		struct super_block *sb = ofs->layers[i].root.mnt->mnt_sb;
		bool decode = layerfs_xino_can_decode(sb);

		if (ofs->config.xino == LAYERFS_XINO_AUTO && i > 0 &&
		    sb != upper_sb && ofs->has_upper &&
		    (!decode || layerfs_xino_bad_uuid(ofs, i))) {
			ofs->config.xino = LAYERFS_XINO_OFF;
			warnfc(fc, "fs on '%s' cannot serve xino, falling back to xino=off.",
			       ofs->layers[i].name);
		}
		if (!decode || !layerfs_fh_is_ino32(sb))
			ino32 = false;
	}
	if (ofs->config.xino == LAYERFS_XINO_OFF)
		return 0;
	ofs->xino_bits = ino32 ? BITS_PER_LONG - 32 : ilog2(numfs - 1) + 2;
	infofc(fc, "\"xino\" feature enabled using %u upper inode bits.",
	       ofs->xino_bits);
	return 0;
}

/**
 * layerfs_xino_show - the xino option in /proc/mounts
 * @m:   the seq_file being written
 * @ofs: the mounted layerfs
 *
 * As overlayfs shows it: only when not the default (off) and the layers
 * are on several filesystems.
 */
void layerfs_xino_show(struct seq_file *m, const struct layerfs_fs *ofs)
{
	if (ofs->config.xino != LAYERFS_XINO_OFF && !ofs->samefs)
		seq_printf(m, ",xino=%s",
			   layerfs_xino_values[ofs->config.xino].name);
}
