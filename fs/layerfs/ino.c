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
 *	    broke the link and is a file of its own
 *	(2) an anonymous device number per real filesystem (super.c,
 *	    layerfs_get_pseudo_devs()), of the filesystem the number comes
 *	    from
 *
 * A directory's origin is the lower directory it merges with (found by
 * name, the top one).  A non-directory's is the lower object its copy's
 * trusted.overlay.origin names, or, before a remount, the lower object the
 * inode was made for.
 *
 * readdir reports the same numbers as d_ino where it can know them cheaply
 * (readdir.c): "." and ".." always, and, when all layers share one
 * filesystem, every entry of an upper directory marked impure (one that
 * received copies), looked up through layerfs as overlayfs does.
 *
 * Core: layerfs_ino_real(), layerfs_getattr_ino().  Edge cases: d_ino of
 * impure directories (layerfs_readdir_fix_ino(), layerfs_dirent_ino()).
 */

#include <linux/fs.h>
#include <linux/namei.h>
#include "layerfs.h"

/**
 * layerfs_ino_real - the real object whose inode number @inode reports
 * @inode: a layerfs inode
 * @real:  filled in (no reference taken): the origin (lower[0]) of an
 *         upper object that has one, see the table above, else the real
 *         object (layerfs_real())
 *
 * When the layers are on several filesystems a directory reports a number
 * of layerfs's own; @real is then only the real directory.
 */
void layerfs_ino_real(const struct inode *inode, struct layerfs_real *real)
{
	struct layerfs_inode *li = LAYERFS_I(inode);

	layerfs_real(inode, real);
	if (!layerfs_upper(inode) || !li->nlower)
		return;
	if (S_ISDIR(inode->i_mode) ? !LAYERFS_FS(inode->i_sb)->samefs :
	    d_inode(li->lower[0].dentry)->i_nlink != 1)
		return;
	*real = li->lower[0];
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

	if (!ofs->samefs && S_ISDIR(inode->i_mode)) {
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
	stat->dev = ofs->samefs ? inode->i_sb->s_dev : ireal.layer->pseudo_dev;
	return 0;
}

/**
 * layerfs_init_ino - the i_ino of a new layerfs inode
 * @inode: the inode, with its real objects set
 *
 * The number stat() reports where that is persistent, so that the numbers
 * in /proc/locks and in inotify's fdinfo agree with it; a number of
 * layerfs's own for a directory on several filesystems.
 */
void layerfs_init_ino(struct inode *inode)
{
	struct layerfs_real ireal;

	if (!LAYERFS_FS(inode->i_sb)->samefs && S_ISDIR(inode->i_mode)) {
		inode->i_ino = get_next_ino();
		return;
	}
	layerfs_ino_real(inode, &ireal);
	inode->i_ino = d_inode(ireal.dentry)->i_ino;
}

/**
 * layerfs_readdir_fix_ino - must readdir of @dir look its entries up?
 * @dir: a layerfs directory
 *
 * Only when the layers share one filesystem (otherwise d_ino cannot be
 * st_ino anyway: overlayfs does not try either) and @dir's upper
 * directory is marked impure: it holds copies, whose d_ino is the copy's
 * number while stat() reports the origin's.  Mounter's credentials.
 *
 * Return: true when the upper entries' d_ino need layerfs_dirent_ino().
 */
bool layerfs_readdir_fix_ino(struct inode *dir)
{
	struct dentry *upper = layerfs_upper(dir);

	return upper && LAYERFS_FS(dir->i_sb)->samefs &&
	       layerfs_is_impure(dir->i_sb, upper);
}

/**
 * layerfs_dirent_ino - the d_ino of an upper entry of an impure directory
 * @dir:  the layerfs directory being listed; its i_rwsem is held (shared,
 *        by iterate_shared)
 * @name: the entry's name
 * @len:  its length
 * @ino:  the d_ino the upper directory reported
 *
 * Looks the name up through layerfs (as overlayfs's readdir does), so the
 * answer is the st_ino layerfs_getattr() gives.  Mounter's credentials.
 *
 * Return: the number to report; @ino when the lookup fails (the entry was
 * removed meanwhile, say).
 */
u64 layerfs_dirent_ino(struct dentry *dir, const char *name, int len, u64 ino)
{
	struct layerfs_real ireal;
	struct dentry *this;

	this = lookup_one_len(name, dir, len);
	if (IS_ERR(this))
		return ino;
	if (d_really_is_positive(this)) {
		layerfs_ino_real(d_inode(this), &ireal);
		ino = d_inode(ireal.dentry)->i_ino;
	}
	dput(this);
	return ino;
}
