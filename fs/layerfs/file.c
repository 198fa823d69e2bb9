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
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/slab.h>
#include "layerfs.h"

/**
 * struct layerfs_file - file->private_data of an open layerfs file
 * @realfile:  the real file opened with the layerfs file
 * @upperfile: the upper file, opened on first use after a copy-up that
 *             happened while this file was open (else NULL); set once
 */
struct layerfs_file {
	struct file *realfile;
	struct file *upperfile;
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
	struct dentry *upper = layerfs_upper(inode);
	struct file *upperfile, *old;
	struct path path;

	if (!upper || file_inode(lf->realfile) == d_inode(upper))
		return lf->realfile;

	/* pairs with cmpxchg_release() below: the file is fully opened */
	upperfile = smp_load_acquire(&lf->upperfile);
	if (upperfile)
		return upperfile;

	path.mnt = layerfs_upper_layer(inode->i_sb)->root.mnt;
	path.dentry = upper;
	upperfile = layerfs_open_real(inode, &path, lf->realfile->f_flags);
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
 * is the upper one.  O_TRUNC copies no data: the VFS truncates right after
 * (through layerfs_setattr()), and creation was the VFS's job too.  That
 * shortcut empties the file before the real open, so it is taken only when
 * nothing expected can fail after it: the memory is allocated first, and an
 * O_DIRECT open (which the upper filesystem may refuse) copies the data.
 */
static int layerfs_open(struct inode *inode, struct file *file)
{
	int flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	struct layerfs_file *lf;
	struct path realpath;
	int err;

	lf = kzalloc(sizeof(*lf), GFP_KERNEL);
	if (!lf)
		return -ENOMEM;

	if ((file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC)) {
		err = layerfs_copy_up_flags(file_dentry(file),
					    file->f_flags & O_DIRECT ? 0 :
					    file->f_flags & O_TRUNC);
		if (err)
			goto out_free;
	}

	layerfs_real_path(inode, &realpath);
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

	old_cred = layerfs_override_creds(inode->i_sb);
	ret = layerfs_iter_write(realfile, iter, &iocb->ki_pos,
				 layerfs_iocb_rwf(iocb->ki_flags));
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

static ssize_t layerfs_splice_read(struct file *in, loff_t *ppos,
				   struct pipe_inode_info *pipe, size_t len,
				   unsigned int flags)
{
	struct file *realfile = layerfs_file_real(in);
	const struct cred *old_cred;
	ssize_t ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);
	if (!realfile->f_op->splice_read)
		return -EINVAL;

	old_cred = layerfs_override_creds(file_inode(in)->i_sb);
	ret = realfile->f_op->splice_read(realfile, ppos, pipe, len, flags);
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

static int layerfs_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	struct file *realfile = layerfs_file_real(file);
	const struct cred *old_cred;
	int ret;

	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	ret = vfs_fsync_range(realfile, start, end, datasync);
	revert_creds(old_cred);
	return ret;
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
};
