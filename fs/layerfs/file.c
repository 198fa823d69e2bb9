// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - open regular files of the merged view.
 *
 * Opening a layerfs file opens the real file too, with the mounter's
 * credentials: the upper file when the layerfs file is opened for writing
 * (layerfs_open() copies it up first), else whichever is the real file at
 * open time.  Every operation is then passed to the real file: layerfs has
 * no page cache of its own, so data is cached once, by the filesystem that
 * holds it, and mmap() maps the real file's pages directly.
 *
 * A file opened read-only before someone else copies it up follows the
 * copy, as on overlayfs: its next read opens the upper file too
 * (layerfs_file_real()).  Only a mapping made before the copy-up keeps
 * showing the lower file, which overlayfs documents as well.
 *
 * A lower file is only ever opened read-only.  An O_TRUNC open of a lower
 * file therefore starts on the lower file and leaves the copy-up to the
 * truncation the VFS makes once the open has passed every check
 * (layerfs_setattr(), then layerfs_file_truncated()): an open refused
 * after ->open() (a Landlock truncate rule) copies nothing up.
 *
 * The operations between two files (copy_file_range, FICLONE,
 * FIDEDUPERANGE) pass to the two real files; the destination was opened
 * for writing, so it is an upper file already.
 *
 * Core: layerfs_open() (copy-up before opening for write),
 * layerfs_read_iter(), layerfs_write_iter(), layerfs_release().
 * Edge cases: a read-only file following a later copy-up
 * (layerfs_file_pick()); F_SETFL flags and O_DIRECT (layerfs_sync_flags(),
 * FMODE_CAN_ODIRECT); O_TRUNC left to the truncation
 * (layerfs_file_truncated()); O_TMPFILE (layerfs_finish_tmpfile()); mmap,
 * splice, fallocate, fadvise, fsync, flush; copy_file_range, clone and
 * dedupe between two files (layerfs_copyfile()).
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/slab.h>
#include "layerfs.h"

/**
 * struct layerfs_file - file->private_data of an open layerfs file
 * @realfile:  the real file opened with the layerfs file (read-only when
 *             it is a lower file)
 * @upperfile: the upper file, opened on first use after a copy-up that
 *             happened while this file was open (else NULL); set once
 * @flags:     the open flags an upper file of this file is opened with
 */
struct layerfs_file {
	struct file *realfile;
	struct file *upperfile;
	int flags;
};

static struct file *layerfs_open_real(struct inode *inode,
				      const struct path *path, int flags)
{
	const struct cred *old_cred;
	struct file *realfile;

	old_cred = layerfs_override_creds(inode->i_sb);
	realfile = dentry_open(path, flags, current_cred());
	revert_creds(old_cred);
	return realfile;
}

/*
 * The real file to do I/O on: the one opened with @file, unless the inode
 * has been copied up since, in which case the upper file (opened once, by
 * whichever caller gets here first).
 */
static struct file *layerfs_file_pick(struct file *file)
{
	struct layerfs_file *lf = file->private_data;
	struct inode *inode = file_inode(file);
	/* a metadata-only copy is not read (metacopy.c) */
	struct dentry *upper = layerfs_upper_data(inode);
	struct file *upperfile, *old;
	struct path path;
	int err;

	/*
	 * A file open for writing whose inode has no upper object yet: it
	 * was opened with O_TRUNC, which layerfs_open() left to the
	 * truncation, and is used before one.  open(2) truncates before it
	 * returns, so that is either a use between ->open() and the
	 * truncation (IMA reading the file it measures) or a file opened by
	 * dentry_open() inside the kernel, which never truncates.  Either way
	 * the data must stay: copy the file up with it (a truncation that
	 * follows then empties the copy).  Copy-up takes write access to the
	 * upper layer itself.
	 */
	if (!upper && (file->f_mode & FMODE_WRITE)) {
		err = layerfs_copy_up_flags(file_dentry(file), O_WRONLY);
		if (err)
			return ERR_PTR(err);
		upper = layerfs_upper_data(inode);
	}
	if (!upper || file_inode(lf->realfile) == d_inode(upper))
		return lf->realfile;

	/* pairs with cmpxchg_release() below: the file is fully opened */
	upperfile = smp_load_acquire(&lf->upperfile);
	if (upperfile)
		return upperfile;

	path.mnt = layerfs_upper_layer(inode->i_sb)->root.mnt;
	path.dentry = upper;
	upperfile = layerfs_open_real(inode, &path, lf->flags);
	if (IS_ERR(upperfile))
		return upperfile;

	old = cmpxchg_release(&lf->upperfile, NULL, upperfile);
	if (old) {
		fput(upperfile);	/* another caller was first */
		return old;
	}
	return upperfile;
}

/*
 * The flags fcntl(F_SETFL) may change on an open file.  setfl() changes
 * them on the layerfs file only, but the real filesystem reads O_DIRECT,
 * O_NOATIME and O_NONBLOCK from the real file, so they are copied there
 * before the real file is used.
 */
#define LAYERFS_SETFL_MASK	(O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT)

/*
 * Make the F_SETFL flags of @realfile those of @file, checking what setfl()
 * would check for the real file.  Concurrent callers write the same value;
 * f_lock orders them against a setfl() of the real file's own, which
 * nobody else can call (the real file is never installed in an fd table).
 */
static int layerfs_sync_flags(struct file *file, struct file *realfile)
{
	unsigned int flags = READ_ONCE(file->f_flags) & LAYERFS_SETFL_MASK;
	int err;

	if ((realfile->f_flags & LAYERFS_SETFL_MASK) == flags)
		return 0;
	if ((flags & O_DIRECT) && !(realfile->f_mode & FMODE_CAN_ODIRECT))
		return -EINVAL;
	if (realfile->f_op->check_flags) {
		err = realfile->f_op->check_flags(flags);
		if (err)
			return err;
	}
	spin_lock(&realfile->f_lock);
	realfile->f_flags = (realfile->f_flags & ~LAYERFS_SETFL_MASK) | flags;
	realfile->f_iocb_flags = iocb_flags(realfile);
	spin_unlock(&realfile->f_lock);
	return 0;
}

/* The real file of @file (layerfs_file_pick()), with @file's F_SETFL flags. */
static struct file *layerfs_file_real(struct file *file)
{
	struct file *realfile = layerfs_file_pick(file);
	int err;

	if (IS_ERR(realfile))
		return realfile;
	err = layerfs_sync_flags(file, realfile);
	return err ? ERR_PTR(err) : realfile;
}

/*
 * An open for writing copies the file up first, so that the real file opened
 * is the upper one.  An O_TRUNC open does not: the VFS truncates right
 * after ->open(), through layerfs_setattr(), which copies the file up
 * without its data.  Until then the real file is the lower one, read-only.
 * Copying up at the truncation rather than here means that an open refused
 * between ->open() and the truncation (security_file_truncate(): a Landlock
 * rule without LANDLOCK_ACCESS_FS_TRUNCATE) leaves the lower file visible
 * and whole; copying up here without the data would leave it empty.
 *
 * O_TRUNC|O_DIRECT copies the data up here: the upper filesystem may
 * refuse O_DIRECT when the upper file is opened, which must not find the
 * file emptied already.
 */
static int layerfs_open(struct inode *inode, struct file *file)
{
	int flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	bool copy_up_now = file->f_flags & O_TRUNC ?
			   file->f_flags & O_DIRECT :
			   (file->f_mode & FMODE_WRITE) != 0;
	struct layerfs_file *lf;
	struct layerfs_real real;
	struct path realpath;
	int err;

	lf = kzalloc(sizeof(*lf), GFP_KERNEL);
	if (!lf)
		return -ENOMEM;
	lf->flags = flags;

	if (copy_up_now) {
		/* copy-up takes write access to the upper layer itself */
		err = layerfs_copy_up_flags(file_dentry(file), O_WRONLY);
		if (err)
			goto out_free;
	}

	/*
	 * A lower file is only read (until a truncation copies it up); so
	 * is the data below a metadata-only copy (metacopy.c).
	 */
	layerfs_real_data(inode, &real);
	layerfs_path(&real, &realpath);
	if (!real.layer->upper)
		flags = (flags & ~O_ACCMODE) | O_RDONLY;
	lf->realfile = layerfs_open_real(inode, &realpath, flags);
	err = PTR_ERR(lf->realfile);
	if (IS_ERR(lf->realfile))
		goto out_free;

	/*
	 * I/O goes to the real file, opened with the same O_DIRECT flag, so
	 * layerfs can do direct I/O exactly when the real file can.
	 */
	if (lf->realfile->f_mode & FMODE_CAN_ODIRECT)
		file->f_mode |= FMODE_CAN_ODIRECT;
	file->private_data = lf;
	return 0;

out_free:
	kfree(lf);
	return err;
}

/**
 * layerfs_file_truncated - the truncation of an O_TRUNC open is done
 * @file: the file being opened (the truncation's ATTR_FILE)
 *
 * Called by layerfs_setattr() after it has copied up and truncated the
 * file that an O_TRUNC open is opening.  layerfs_open() left the real file
 * on the lower file; the upper file is opened now, so that a failure
 * fails the open(2) instead of the first write.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_file_truncated(struct file *file)
{
	if (file->f_op != &layerfs_file_operations)
		return 0;
	return PTR_ERR_OR_ZERO(layerfs_file_pick(file));
}

/* The tmpfile's real file is open already: see layerfs_finish_tmpfile(). */
static int layerfs_open_tmpfile(struct inode *inode, struct file *file)
{
	struct layerfs_file *lf = file->private_data;

	if (lf->realfile->f_mode & FMODE_CAN_ODIRECT)
		file->f_mode |= FMODE_CAN_ODIRECT;
	return 0;
}

/**
 * layerfs_finish_tmpfile - open a new layerfs tmpfile on its real file
 * @file:     the file of open(O_TMPFILE); its dentry has been given the
 *            layerfs inode (d_tmpfile())
 * @realfile: the unnamed upper file made for it (layerfs_tmpfile() in
 *            dir.c); consumed, also on failure
 *
 * The counterpart of layerfs_open() for inode_operations.tmpfile, which
 * must open the file it creates.  The real file is the upper one from the
 * start, so nothing is ever copied up for it.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_finish_tmpfile(struct file *file, struct file *realfile)
{
	struct layerfs_file *lf;
	int err;

	lf = kzalloc(sizeof(*lf), GFP_KERNEL);
	if (!lf) {
		fput(realfile);
		return -ENOMEM;
	}
	lf->realfile = realfile;
	lf->flags = realfile->f_flags;
	file->private_data = lf;

	err = finish_open(file, file->f_path.dentry, layerfs_open_tmpfile);
	/* Without FMODE_OPENED, layerfs_release() will not be called. */
	if (err && !(file->f_mode & FMODE_OPENED)) {
		file->private_data = NULL;
		fput(realfile);
		kfree(lf);
	}
	return err;
}

static int layerfs_release(struct inode *inode, struct file *file)
{
	struct layerfs_file *lf = file->private_data;

	if (lf->upperfile)
		fput(lf->upperfile);
	fput(lf->realfile);
	kfree(lf);
	return 0;
}

/* The flags of an I/O request, in the form vfs_iter_read/write() take. */
static rwf_t layerfs_iocb_rwf(int ki_flags)
{
	rwf_t flags = 0;

	if (ki_flags & IOCB_NOWAIT)
		flags |= RWF_NOWAIT;
	if (ki_flags & IOCB_HIPRI)
		flags |= RWF_HIPRI;
	if (ki_flags & IOCB_DSYNC)
		flags |= RWF_DSYNC;
	if (ki_flags & IOCB_SYNC)
		flags |= RWF_SYNC;
	if (ki_flags & IOCB_APPEND)
		flags |= RWF_APPEND;
	return flags;
}

static ssize_t layerfs_read_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct file *file = iocb->ki_filp;
	const struct cred *old_cred;
	struct file *realfile;
	ssize_t ret;

	if (!iov_iter_count(iter))
		return 0;

	realfile = layerfs_file_real(file);
	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	ret = vfs_iter_read(realfile, iter, &iocb->ki_pos,
			    layerfs_iocb_rwf(iocb->ki_flags));
	revert_creds(old_cred);
	return ret;
}

/*
 * Writes go to the upper file (the open copied it up).  The layerfs inode
 * lock orders writers the way the real inode lock would, and lets the size
 * and times be mirrored without racing another writer.
 */
static ssize_t layerfs_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct file *file = iocb->ki_filp;
	struct file *realfile = layerfs_file_real(file);
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	int ki_flags;
	ssize_t ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);
	if (!iov_iter_count(iter))
		return 0;

	inode_lock(inode);
	/* Writing clears setuid/setgid as the caller, not as the mounter. */
	ret = file_remove_privs(file);
	if (ret)
		goto out_unlock;

	/* A volatile mount asks no write to be synced (RWF_DSYNC ...). */
	ki_flags = iocb->ki_flags;
	if (!layerfs_should_sync(inode->i_sb))
		ki_flags &= ~(IOCB_DSYNC | IOCB_SYNC);
	old_cred = layerfs_override_creds(inode->i_sb);
	ret = layerfs_iter_write(realfile, iter, &iocb->ki_pos,
				 layerfs_iocb_rwf(ki_flags));
	revert_creds(old_cred);
	layerfs_copyattr(inode);
out_unlock:
	inode_unlock(inode);
	return ret;
}

static long layerfs_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct file *realfile = layerfs_file_real(file);
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	long ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	inode_lock(inode);
	/* Like a write: drop setuid/setgid first, as the caller (not the mounter). */
	ret = file_remove_privs(file);
	if (ret)
		goto out_unlock;
	old_cred = layerfs_override_creds(inode->i_sb);
	ret = vfs_fallocate(realfile, mode, offset, len);
	revert_creds(old_cred);
out_unlock:
	layerfs_copyattr(inode);
	inode_unlock(inode);
	return ret;
}

/*
 * splice(2) and sendfile(2) from the file.  The VFS checked the caller
 * against the layerfs file; the read of the real file is checked again as
 * the mounter, like read(2)'s vfs_iter_read(): rw_verify_area() runs the
 * LSM file-permission hook and fsnotify permission events on the real file.
 */
static ssize_t layerfs_splice_read(struct file *in, loff_t *ppos,
				   struct pipe_inode_info *pipe, size_t len,
				   unsigned int flags)
{
	struct file *realfile = layerfs_file_real(in);
	const struct cred *old_cred;
	ssize_t ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	old_cred = layerfs_override_creds(file_inode(in)->i_sb);
	ret = layerfs_vfs_splice_read(realfile, ppos, pipe, len, flags);
	revert_creds(old_cred);
	return ret;
}

/*
 * The mapping is the real file's: the vma is pointed at the real file, which
 * then sets it up.  From here on page faults never see layerfs.
 */
static int layerfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *realfile = layerfs_file_real(file);
	const struct cred *old_cred;
	int ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);
	if (!realfile->f_op->mmap)
		return -ENODEV;
	if (WARN_ON_ONCE(file != vma->vm_file))
		return -EIO;

	vma_set_file(vma, realfile);
	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	ret = call_mmap(realfile, vma);
	revert_creds(old_cred);
	return ret;
}

/*
 * The real file has a position of its own, which SEEK_DATA and SEEK_HOLE
 * need: carry ours over, seek there, and bring the result back.  The inode
 * lock keeps two seeks on files of this inode from mixing the positions.
 */
static loff_t layerfs_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *realfile = layerfs_file_real(file);
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	loff_t ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	inode_lock(inode);
	realfile->f_pos = file->f_pos;
	old_cred = layerfs_override_creds(inode->i_sb);
	ret = vfs_llseek(realfile, offset, whence);
	revert_creds(old_cred);
	file->f_pos = realfile->f_pos;
	inode_unlock(inode);
	return ret;
}

/*
 * Only an upper file is synced.  Nothing written through layerfs is in a
 * lower file, and a read-only lower filesystem may have no fsync at all
 * (squashfs: EINVAL); overlayfs skips lower files for the same reasons.
 * A volatile mount syncs nothing, and reports upper writeback errors.
 */
static int layerfs_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	struct file *realfile = layerfs_file_real(file);
	struct dentry *upper = layerfs_upper(file_inode(file));
	const struct cred *old_cred;
	int ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);
	if (!upper || file_inode(realfile) != d_inode(upper))
		return 0;
	ret = layerfs_sync_status(file_inode(file)->i_sb);
	if (ret <= 0)
		return ret;

	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	ret = vfs_fsync_range(realfile, start, end, datasync);
	revert_creds(old_cred);
	return ret;
}

/*
 * close(2) of every descriptor calls flush: filesystems such as NFS and
 * FUSE write back or report errors there, so the real file's flush must
 * run too, with the same lock owner.
 */
static int layerfs_flush(struct file *file, fl_owner_t id)
{
	struct file *realfile = layerfs_file_pick(file);
	const struct cred *old_cred;
	int ret = 0;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	if (realfile->f_op->flush) {
		old_cred = layerfs_override_creds(file_inode(file)->i_sb);
		ret = realfile->f_op->flush(realfile, id);
		revert_creds(old_cred);
	}
	return ret;
}

/* Readahead advice belongs to the real file, whose page cache is used. */
static int layerfs_fadvise(struct file *file, loff_t offset, loff_t len,
			   int advice)
{
	struct file *realfile = layerfs_file_real(file);
	const struct cred *old_cred;
	int ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	ret = vfs_fadvise(realfile, offset, len, advice);
	revert_creds(old_cred);
	return ret;
}

enum layerfs_copy_op {
	LAYERFS_COPY,		/* copy_file_range(2) */
	LAYERFS_CLONE,		/* FICLONE, FICLONERANGE */
	LAYERFS_DEDUPE,		/* FIDEDUPERANGE */
};

/*
 * Copy, clone or dedupe between two layerfs files by doing it between
 * their real files, as the mounter of @file_out's layerfs.  The VFS has
 * checked the caller against both layerfs files.  The real files are on
 * the layers' filesystems, so the real operation may fail with EXDEV
 * (a lower file on another filesystem) or EOPNOTSUPP (no reflink) where
 * the two layerfs files look alike; that is overlayfs's answer too.
 */
static loff_t layerfs_copyfile(struct file *file_in, loff_t pos_in,
			       struct file *file_out, loff_t pos_out,
			       loff_t len, unsigned int flags,
			       enum layerfs_copy_op op)
{
	struct inode *inode_in = file_inode(file_in);
	struct inode *inode_out = file_inode(file_out);
	struct file *real_in, *real_out;
	const struct cred *old_cred;
	loff_t ret;

	inode_lock(inode_out);
	if (op != LAYERFS_DEDUPE) {
		/* Like a write: drop setuid/setgid first, as the caller. */
		ret = file_remove_privs(file_out);
		if (ret)
			goto out_unlock;
	}

	real_out = layerfs_file_real(file_out);
	ret = PTR_ERR(real_out);
	if (IS_ERR(real_out))
		goto out_unlock;
	real_in = layerfs_file_real(file_in);
	ret = PTR_ERR(real_in);
	if (IS_ERR(real_in))
		goto out_unlock;

	/*
	 * From another layerfs mount (copy_file_range lets the same file
	 * system type handle both), the real call below checks the read as
	 * @file_out's mounter only: check it as @file_in's mounter as well.
	 */
	if (inode_in->i_sb != inode_out->i_sb) {
		old_cred = layerfs_override_creds(inode_in->i_sb);
		ret = rw_verify_area(READ, real_in, &pos_in, len);
		revert_creds(old_cred);
		if (ret)
			goto out_unlock;
	}

	old_cred = layerfs_override_creds(inode_out->i_sb);
	switch (op) {
	case LAYERFS_COPY:
		ret = vfs_copy_file_range(real_in, pos_in, real_out, pos_out,
					  len, flags);
		break;
	case LAYERFS_CLONE:
		ret = vfs_clone_file_range(real_in, pos_in, real_out, pos_out,
					   len, flags);
		break;
	case LAYERFS_DEDUPE:
		ret = vfs_dedupe_file_range_one(real_in, pos_in, real_out,
						pos_out, len, flags);
		break;
	}
	revert_creds(old_cred);
	layerfs_copyattr(inode_out);
out_unlock:
	inode_unlock(inode_out);
	return ret;
}

static ssize_t layerfs_copy_file_range(struct file *file_in, loff_t pos_in,
				       struct file *file_out, loff_t pos_out,
				       size_t len, unsigned int flags)
{
	return layerfs_copyfile(file_in, pos_in, file_out, pos_out, len, flags,
				LAYERFS_COPY);
}

/*
 * FICLONE/FICLONERANGE share the real files' extents; FIDEDUPERANGE does
 * so only where the data is the same.  A dedupe is refused (EPERM) unless
 * both files are upper already: copying a lower file up to share its
 * extents would duplicate the data it means to save.  Neither copies
 * anything up itself: the destination was opened for writing.
 */
static loff_t layerfs_remap_file_range(struct file *file_in, loff_t pos_in,
				       struct file *file_out, loff_t pos_out,
				       loff_t len, unsigned int remap_flags)
{
	enum layerfs_copy_op op = LAYERFS_CLONE;

	if (remap_flags & ~(REMAP_FILE_DEDUP | REMAP_FILE_ADVISORY))
		return -EINVAL;

	if (remap_flags & REMAP_FILE_DEDUP) {
		op = LAYERFS_DEDUPE;
		if (!layerfs_upper(file_inode(file_in)) ||
		    !layerfs_upper(file_inode(file_out)))
			return -EPERM;
	}
	return layerfs_copyfile(file_in, pos_in, file_out, pos_out, len,
				remap_flags, op);
}

const struct file_operations layerfs_file_operations = {
	.open		= layerfs_open,
	.release	= layerfs_release,
	.llseek		= layerfs_llseek,
	.read_iter	= layerfs_read_iter,
	.write_iter	= layerfs_write_iter,
	.splice_read	= layerfs_splice_read,
	.splice_write	= iter_file_splice_write,
	.fallocate	= layerfs_fallocate,
	.mmap		= layerfs_mmap,
	.fsync		= layerfs_fsync,
	.flush		= layerfs_flush,
	.fadvise	= layerfs_fadvise,
	.copy_file_range = layerfs_copy_file_range,
	.remap_file_range = layerfs_remap_file_range,
	.unlocked_ioctl	= layerfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
