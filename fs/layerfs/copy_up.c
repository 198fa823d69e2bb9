// SPDX-License-Identifier: GPL-2.0
/*
 * copy_up.c - copying an object from a lower layer to the upper layer.
 *
 * Lower layers are never written.  Before the first change to an object
 * that exists only in a lower layer, layerfs copies it up: it builds a copy
 * in the work directory and renames it into the upper layer in one step,
 * so that no one, not even after a crash, sees a half-made copy:
 *
 *	lower:  /l/etc/passwd             upper:  /u/etc/      work: /w/work/
 *
 *	1. create   /w/work/#1f                    (same type)
 *	2. copy     data into /w/work/#1f          (a clone where possible)
 *	3. fsync    /w/work/#1f                    (data on disk first)
 *	4. copy     xattrs, file attributes, mode, owner, times
 *	5. rename   /w/work/#1f -> /u/etc/passwd   (atomic on the upper fs)
 *
 * The parent directory must be in the upper layer before its child can be
 * renamed into it, so layerfs_copy_up() copies ancestors first, top-down.
 * A directory is copied without its entries: it is merged with the lower
 * one, so its contents stay visible.
 *
 * Everything runs with the mounter's credentials.  Concurrent copy-ups of
 * one inode are serialised by its copy-up mutex; the loser finds the upper
 * object in place and returns.  Copy-up takes write access to the upper
 * layer itself, for steps 1 and 4-5 but not while the data is copied
 * (layerfs_copy_data() says why): its callers must not hold it.
 *
 * Core: layerfs_copy_up_flags() (ancestors first), layerfs_copy_up_one()
 * (the five steps), layerfs_copy_create(), layerfs_copy_data() (its chunk
 * loop), layerfs_copy_attr(), layerfs_install_copy().
 * Edge cases: clone and copy_file_range before splicing, holes, signals
 * (layerfs_copy_data()); xattrs the upper filesystem cannot store
 * (layerfs_may_drop_xattr()); file attributes (layerfs_copy_fileattr());
 * the parent's times kept (layerfs_set_times()); O_TRUNC copying no data;
 * freeze protection (sb_writers) let go while the data is copied.
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fileattr.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/xattr.h>
#include "layerfs.h"
#include "trace.h"

/* Data is copied in chunks of this size, checking for signals in between. */
#define LAYERFS_COPY_CHUNK	SZ_1M

/*
 * Copy the first @len bytes of the lower file @old into @out, the copy in
 * work/, opened for writing.  Fastest first:
 *
 *  1. vfs_clone_file_range(), the whole file at once: where the upper
 *     filesystem can share the lower file's extents (both layers on one XFS
 *     with reflink, or one Btrfs), the copy takes no time and no space,
 *     whatever its size;
 *  2. otherwise chunks of LAYERFS_COPY_CHUNK, skipping the holes the lower
 *     filesystem reports (SEEK_DATA), so that a sparse file stays sparse;
 *     each chunk with vfs_copy_file_range() (the filesystem's own copy,
 *     e.g. server-side on NFS, or a clone or splice within one
 *     filesystem) until that refuses the pair of files,
 *  3. then with layerfs_splice_copy(), through a pipe, which works between
 *     any two filesystems.
 *
 * A fatal signal between chunks ends the copy with -EINTR; a lower file
 * that shrinks underneath gives -EIO.  A copy is synced before it is
 * renamed into place, a clone not (see below).  The size of the copy is
 * set later (layerfs_copy_attr()), which also makes a final hole.
 *
 * This runs *outside* the upper filesystem's sb_writers (the freeze
 * protection that layerfs_want_write() takes): each of the helpers above
 * takes it itself around the part that writes (file_start_write()), and
 * taking it a second time deadlocks against a freeze that starts in
 * between.  The open @out keeps the upper mount writable meanwhile.
 */
/* LAB copy-up: helper */
static int layerfs_copy_data(struct super_block *sb, const struct path *old,
			     struct file *out, loff_t len)
{
	bool use_copy_range = true, seek_data;
	struct file *in;
	loff_t pos = 0;
	int err;

	in = dentry_open(old, O_LARGEFILE | O_RDONLY, current_cred());
	if (IS_ERR(in))
		return PTR_ERR(in);

	/*
	 * A clone is not synced, as on overlayfs: it writes no data, only
	 * the copy's block map, and a filesystem that clones (XFS, Btrfs)
	 * journals that before the rename that installs the copy.
	 */
	if (vfs_clone_file_range(in, 0, out, 0, len, 0) == len) {
		err = 0;
		goto out_fput;
	}

	/* The checks read(2) and write(2) make, once for the whole range. */
	err = rw_verify_area(READ, in, &pos, len);
	if (!err)
		err = rw_verify_area(WRITE, out, &pos, len);
	if (err)
		goto out_fput;

	seek_data = in->f_mode & FMODE_LSEEK;
	while (pos < len) {
		size_t chunk = min_t(loff_t, len - pos, LAYERFS_COPY_CHUNK);
		loff_t in_pos = pos, out_pos = pos;
		ssize_t bytes = 0;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (seek_data) {
			loff_t data = vfs_llseek(in, pos, SEEK_DATA);

			if (data == -ENXIO)	/* nothing but a hole up to EOF */
				break;
			if (data < 0)		/* cannot tell: copy it all */
				seek_data = false;
			else if (data > pos) {
				pos = min(data, len);
				continue;
			}
		}
		if (use_copy_range) {
			bytes = vfs_copy_file_range(in, pos, out, pos, chunk, 0);
			/* Not between these two files: splice from now on. */
			if (bytes == -EXDEV || bytes == -EOPNOTSUPP ||
			    bytes == -EINVAL)
				use_copy_range = false;
		}
		if (!use_copy_range)
			bytes = layerfs_splice_copy(in, &in_pos, out, &out_pos,
						    chunk);
		if (bytes <= 0) {
			/* The lower file shrank under us, or an I/O error. */
			err = bytes ? bytes : -EIO;
			break;
		}
		pos += bytes;
		cond_resched();
	}

	/*
	 * The rename must not make the name point at data not yet written;
	 * a volatile mount has given up on that after a crash anyway.
	 */
	if (!err && layerfs_should_sync(sb))
		err = vfs_fsync(out, 0);
out_fput:
	fput(in);
	return err;
}

/*
 * Copy one xattr, reading it into *@value (grown as needed, *@value_size
 * bytes; the caller frees it).
 */
static int layerfs_copy_xattr(const struct layerfs_real *old,
			      struct layerfs_idmap *new_idmap,
			      struct dentry *new, const char *name,
			      char **value, ssize_t *value_size)
{
	struct layerfs_idmap *old_idmap = layerfs_real_idmap(old);
	ssize_t size;

	size = vfs_getxattr(old_idmap, old->dentry, name, NULL, 0);
	if (size < 0)
		return size;
	if (size > *value_size) {
		kvfree(*value);
		*value = kvmalloc(size, GFP_KERNEL);
		*value_size = *value ? size : 0;
		if (!*value)
			return -ENOMEM;
	}
	size = vfs_getxattr(old_idmap, old->dentry, name, *value, size);
	if (size < 0)
		return size;
	return vfs_setxattr(new_idmap, new, name, *value, size, 0);
}

/*
 * May a copy-up go on without xattr @name when the upper filesystem cannot
 * store it?  Not for POSIX ACLs and security.* (an LSM label, file
 * capabilities): they restrict access, so dropping them would let the copy
 * grant what the lower object denies.  overlayfs fails such a copy-up with
 * -EOPNOTSUPP too (ovl_copy_xattr(): ovl_must_copy_xattr()), for ACLs only
 * since 6.2 ("POSIX ACLs must be copied"): 6.1's compares the full name
 * with the prefix-less XATTR_POSIX_ACL_ACCESS and drops ACLs.
 */
static bool layerfs_may_drop_xattr(const char *name)
{
	return strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) &&
	       strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT) &&
	       strncmp(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN);
}

/*
 * Copy every xattr but layerfs's own.  An xattr the upper filesystem does
 * not support is dropped, as overlayfs does, rather than making the file
 * impossible to change, unless it controls access
 * (layerfs_may_drop_xattr()); POSIX ACLs go through compat.h.
 */
static int layerfs_copy_xattrs(struct super_block *sb,
			       const struct layerfs_real *old,
			       struct dentry *new)
{
	struct layerfs_idmap *new_idmap = layerfs_upper_idmap(sb);
	ssize_t list_size, value_size = 0;
	char *buf, *name, *value = NULL;
	int err = 0;

	list_size = vfs_listxattr(old->dentry, NULL, 0);
	if (list_size <= 0)
		return list_size == -EOPNOTSUPP ? 0 : list_size;

	buf = kvzalloc(list_size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	list_size = vfs_listxattr(old->dentry, buf, list_size);
	if (list_size <= 0) {
		err = list_size;
		goto out_free;
	}

	for (name = buf; name < buf + list_size; name += strlen(name) + 1) {
		if (layerfs_is_private_xattr(name))
			continue;
		err = layerfs_security_copy_up_xattr(old->dentry, name);
		if (err > 0) {
			err = 0;	/* an LSM sets it itself */
			continue;
		}
		if (err)
			break;
		if (layerfs_is_acl_xattr(name))
			err = layerfs_copy_acl(layerfs_real_idmap(old),
					       old->dentry, new_idmap, new,
					       name);
		else
			err = layerfs_copy_xattr(old, new_idmap, new, name,
						 &value, &value_size);
		if (err == -EOPNOTSUPP && layerfs_may_drop_xattr(name)) {
			pr_warn_once("upper filesystem cannot store xattr %s: not copied\n",
				     name);
			err = 0;
		}
		if (err)
			break;
	}
	kvfree(value);
out_free:
	kvfree(buf);
	return err;
}

/*
 * The file attributes (chattr flags) a copy gets, as in overlayfs: +S and
 * +A on the copy itself, where the upper filesystem can hold them (an
 * upper that cannot, e.g. tmpfs for +S, fails the copy-up, as it does on
 * overlayfs); other flags, such as +d, are not copied.
 */
#define LAYERFS_COPY_FS_FLAGS	(FS_SYNC_FL | FS_NOATIME_FL)
#define LAYERFS_COPY_FSX_FLAGS	(FS_XFLAG_SYNC | FS_XFLAG_NOATIME)

/*
 * Copy the file attributes of @old to the copy @new.  The append-only and
 * immutable flags are not set on the copy, which could then not be renamed
 * into place, nor (a directory) take copied-up children and whiteouts:
 * they are recorded in its protattr xattr (layerfs_set_protattr()), and
 * the layerfs inode, which mirrors the lower object, already has them.
 * Only called when the layerfs inode has one of the flags involved.
 */
static int layerfs_copy_fileattr(struct super_block *sb,
				 const struct path *old, const struct path *new)
{
	struct fileattr oldfa = { .flags_valid = true };
	struct fileattr newfa = { .flags_valid = true };
	int err;

	err = layerfs_real_fileattr_get(old, &oldfa);
	/* No file attributes in the lower filesystem (ntfs-3g: EINVAL). */
	if (err == -ENOTTY || err == -EINVAL)
		return 0;
	if (err)
		return err;

	if (oldfa.flags & (FS_APPEND_FL | FS_IMMUTABLE_FL)) {
		err = layerfs_set_protattr(sb, new->dentry, oldfa.flags);
		if (err)
			return err;
	}

	if (!(oldfa.flags & LAYERFS_COPY_FS_FLAGS))
		return 0;
	err = layerfs_real_fileattr_get(new, &newfa);
	if (err == -ENOTTY || err == -EINVAL) {
		pr_warn_once("upper filesystem has no file attributes: +S and +A not copied\n");
		return 0;
	}
	if (err)
		return err;
	newfa.flags &= ~LAYERFS_COPY_FS_FLAGS;
	newfa.flags |= oldfa.flags & LAYERFS_COPY_FS_FLAGS;
	newfa.fsx_xflags &= ~LAYERFS_COPY_FSX_FLAGS;
	newfa.fsx_xflags |= oldfa.fsx_xflags & LAYERFS_COPY_FSX_FLAGS;
	return layerfs_real_fileattr_set(new, &newfa);
}

/**
 * layerfs_set_times - set an upper object's atime and mtime
 * @sb:    the layerfs super block
 * @upper: the upper object; its i_rwsem is held
 * @stat:  the times to set
 *
 * Used to give a copy its original's times, and to put a parent
 * directory's times back after a copy was added to it (here and in
 * index.c's link-up).  Mounter's credentials, write access held.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_times(struct super_block *sb, struct dentry *upper,
		      const struct kstat *stat)
{
	struct iattr attr = {
		.ia_valid = ATTR_ATIME | ATTR_MTIME | ATTR_ATIME_SET |
			    ATTR_MTIME_SET,
		.ia_atime = stat->atime,
		.ia_mtime = stat->mtime,
	};

	lockdep_assert_held(&d_inode(upper)->i_rwsem);
	return notify_change(layerfs_upper_idmap(sb), upper, &attr, NULL);
}

/*
 * Give the copy the original's size (regular files), mode, owner and
 * times, in overlayfs's order (ovl_set_attr()): the mode first, while the
 * mounter still owns the copy, so that the setgid bit survives a mounter
 * outside the file's group and without CAP_FSETID; then the owner.  A
 * notify_change() with only ATTR_UID and ATTR_GID clears neither setuid
 * nor setgid on a local filesystem (chown(2) asks for that explicitly,
 * with ATTR_KILL_SUID and ATTR_KILL_SGID); a network filesystem's server
 * may still clear them, as it does under overlayfs.
 */
static int layerfs_copy_attr(struct super_block *sb, struct dentry *new,
			     const struct kstat *stat)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	struct inode *inode = d_inode(new);
	struct iattr attr = {};
	int err = 0;

	inode_lock(inode);
	if (S_ISREG(stat->mode) && i_size_read(inode) != stat->size) {
		attr.ia_valid = ATTR_SIZE;
		attr.ia_size = stat->size;
		err = notify_change(idmap, new, &attr, NULL);
	}
	if (!err && !S_ISLNK(stat->mode)) {
		attr.ia_valid = ATTR_MODE;
		attr.ia_mode = stat->mode;
		err = notify_change(idmap, new, &attr, NULL);
	}
	if (!err) {
		attr.ia_valid = ATTR_UID | ATTR_GID;
		attr.ia_uid = stat->uid;
		attr.ia_gid = stat->gid;
		err = notify_change(idmap, new, &attr, NULL);
	}
	if (!err)
		err = layerfs_set_times(sb, new, stat);
	inode_unlock(inode);
	return err;
}

/*
 * Move the finished copy @temp from the work directory to its place in the
 * upper directory @upperdir.  The name must be free there: a lower object
 * is only visible when nothing in the upper layer hides it.
 */
/* LAB copy-up: stub returns -EOPNOTSUPP */
static int layerfs_install_copy(struct super_block *sb, struct dentry *temp,
				struct dentry *upperdir,
				const struct qstr *name)
{
	struct dentry *work = LAYERFS_FS(sb)->work;
	struct dentry *trap, *target;
	int err;

	trap = lock_rename(work, upperdir);
	if (IS_ERR(trap))
		return PTR_ERR(trap);

	err = -EIO;
	if (trap == temp || temp->d_parent != work)
		goto out_unlock;

	target = lookup_one_len(name->name, upperdir, name->len);
	err = PTR_ERR(target);
	if (IS_ERR(target))
		goto out_unlock;

	err = -EEXIST;
	if (d_is_negative(target) && target != trap)
		err = layerfs_do_rename(sb, d_inode(work), temp,
					d_inode(upperdir), target, 0);
	dput(target);
out_unlock:
	unlock_rename(work, upperdir);
	return err;
}

/*
 * Step 1: create the copy in work/, with the type (and target or device
 * number) of the lower object.  The mode comes later, with the owner
 * (layerfs_copy_attr()).  A regular file with data to copy is also opened
 * for writing (*@out), for layerfs_copy_data(), unless @out is NULL (a
 * metadata-only copy, metacopy.c).  @dentry is the layerfs
 * object, which an LSM may ask about (layerfs_create_copy()).  The caller
 * holds write access to the upper layer.
 */
/* LAB copy-up: helper */
static struct dentry *layerfs_copy_create(struct dentry *dentry,
					  struct dentry *lower,
					  const struct kstat *stat,
					  struct file **out)
{
	struct layerfs_cattr cattr = { .mode = stat->mode, .rdev = stat->rdev };
	struct super_block *sb = dentry->d_sb;
	DEFINE_DELAYED_CALL(done);
	struct path path;
	struct dentry *temp;
	struct file *file;

	if (S_ISLNK(stat->mode)) {
		cattr.link = vfs_get_link(lower, &done);
		if (IS_ERR(cattr.link))
			return ERR_CAST(cattr.link);
	}
	temp = layerfs_create_copy(dentry, &cattr);
	do_delayed_call(&done);
	if (IS_ERR(temp) || !S_ISREG(stat->mode) || !stat->size || !out)
		return temp;

	path.mnt = layerfs_upper_layer(sb)->root.mnt;
	path.dentry = temp;
	file = dentry_open(&path, O_LARGEFILE | O_WRONLY, current_cred());
	if (IS_ERR(file)) {
		layerfs_cleanup_entry(sb, LAYERFS_FS(sb)->work, temp, 0);
		dput(temp);
		return ERR_CAST(file);
	}
	*out = file;
	return temp;
}

/*
 * The inode flags that come from file attributes of the lower object: when
 * the layerfs inode, which mirrors them, has none, there are no file
 * attributes to copy, and layerfs does not ask.
 */
#define LAYERFS_FILEATTR_I_FLAGS (S_APPEND | S_IMMUTABLE | S_NOATIME | S_SYNC)

/*
 * Step 4: give the copy @temp of @inode's lower object @lower everything
 * but the data: xattrs, its origin (origin.c), file attributes, size,
 * mode, owner, times.
 */
/* LAB copy-up: helper */
static int layerfs_copy_metadata(struct super_block *sb, struct inode *inode,
				 const struct layerfs_real *lower,
				 struct dentry *temp, const struct kstat *stat)
{
	struct path lowerpath, temppath = {
		.mnt = layerfs_upper_layer(sb)->root.mnt,
		.dentry = temp,
	};
	int err;

	err = layerfs_copy_xattrs(sb, lower, temp);
	if (!err)
		err = layerfs_set_origin(sb, lower->dentry, temp);
	if (!err && (inode->i_flags & LAYERFS_FILEATTR_I_FLAGS) &&
	    (S_ISREG(stat->mode) || S_ISDIR(stat->mode))) {
		layerfs_path(lower, &lowerpath);
		err = layerfs_copy_fileattr(sb, &lowerpath, &temppath);
	}
	if (!err)
		err = layerfs_copy_attr(sb, temp, stat);
	return err;
}

/*
 * Copy @dentry up into its parent's upper directory.  The parent must
 * already be there.  @flags may hold O_TRUNC: copy no data.
 *
 * Write access to the upper layer is held throughout, except while the
 * data is copied (see layerfs_copy_data()); meanwhile the copy, open for
 * writing, keeps the upper mount from becoming read-only.
 */
/* LAB copy-up: stub returns -EOPNOTSUPP */
static int layerfs_copy_up_one(struct dentry *parent, struct dentry *dentry,
			       int flags)
{
	struct inode *inode = d_inode(dentry);
	struct layerfs_inode *li = LAYERFS_I(inode);
	struct super_block *sb = dentry->d_sb;
	struct name_snapshot name;
	const struct cred *old_cred;
	struct path lowerpath, parentpath;
	struct dentry *temp, *upperdir;
	struct file *out = NULL;
	struct super_block *upper_sb = layerfs_upper_layer(sb)->root.mnt->mnt_sb;
	struct kstat stat, pstat;
	loff_t copied = 0;
	bool meta;
	u64 start;
	int err, werr;

	/* See layerfs_copy_up_flags(): the caller must not hold sb_writers. */
	lockdep_assert_not_held(&upper_sb->s_writers.rw_sem[SB_FREEZE_WRITE - 1]);

	err = mutex_lock_interruptible(&li->lock);
	if (err)
		return err;
	/* copied up through another name: link this one (index.c) */
	if (layerfs_index_needs_link(dentry)) {
		err = layerfs_index_link_up(parent, dentry);
		goto out_unlock;
	}
	if (layerfs_upper(inode))
		goto out_unlock;	/* someone else was quicker */
	/*
	 * The name was removed or renamed over while we waited (through an
	 * open file, say): installing the copy now would bring the object
	 * back, or trip over the whiteout that replaced it.  Removal and
	 * rename drop the link count of a victim that has no upper object
	 * to zero under this mutex (layerfs_remove(), layerfs_rename()), so
	 * a count above zero here stays so until the copy is in place.
	 */
	err = -ENOENT;
	if (!inode->i_nlink)
		goto out_unlock;
	/* the name to install the copy under, and for the trace events */
	take_dentry_name_snapshot(&name, dentry);
	start = layerfs_copy_up_begin(dentry, &name.name, &li->lower[0]);

	old_cred = layerfs_override_creds(sb);
	layerfs_path(&li->lower[0], &lowerpath);
	err = vfs_getattr(&lowerpath, &stat, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	if (err)
		goto out_revert;

	upperdir = layerfs_upper(d_inode(parent));
	parentpath.mnt = layerfs_upper_layer(sb)->root.mnt;
	parentpath.dentry = upperdir;
	err = vfs_getattr(&parentpath, &pstat, STATX_ATIME | STATX_MTIME,
			  AT_STATX_SYNC_AS_STAT);
	if (err)
		goto out_revert;
	if (flags & O_TRUNC)
		stat.size = 0;
	/* metacopy=on: only the metadata, unless for a write (metacopy.c) */
	meta = layerfs_metacopy_wanted(sb, stat.mode, flags);

	err = layerfs_want_write(sb);
	if (err)
		goto out_revert;
	temp = layerfs_copy_create(dentry, lowerpath.dentry, &stat,
				   meta ? NULL : &out);
	if (IS_ERR(temp)) {
		err = PTR_ERR(temp);
		goto out_drop_write;
	}

	if (out) {
		struct layerfs_real data;
		struct path datapath;

		/* below a lower metacopy file, the data is further down */
		layerfs_lower_data(inode, &data);
		layerfs_path(&data, &datapath);
		layerfs_drop_write(sb);
		err = layerfs_copy_data(sb, &datapath, out, stat.size);
		copied = stat.size;
		werr = layerfs_want_write(sb);
		fput(out);
		if (werr) {
			/* Forced read-only: the copy stays in work/ for now. */
			dput(temp);
			err = err ?: werr;
			goto out_revert;
		}
	}
	if (!err && meta)
		err = layerfs_metacopy_mark(sb, temp);
	if (!err)
		err = layerfs_copy_metadata(sb, inode, &li->lower[0], temp,
					    &stat);
	/* the parent may now hold an entry whose d_ino is not its st_ino */
	if (!err)
		err = layerfs_set_impure(sb, upperdir);
	/* a lower hard link goes to the index, linked up afterwards */
	if (!err && layerfs_index_wanted(inode))
		err = layerfs_index_install(sb, inode, temp);
	else if (!err)
		err = layerfs_install_copy(sb, temp, upperdir, &name.name);
	if (!err) {
		/* Adding the copy changed the parent's times: put them back. */
		inode_lock(d_inode(upperdir));
		layerfs_set_times(sb, upperdir, &pstat);
		inode_unlock(d_inode(upperdir));
	}

	if (err) {
		/* Nothing was installed: the copy only ever lived in work/. */
		layerfs_cleanup_entry(sb, LAYERFS_FS(sb)->work, temp, 0);
		dput(temp);
	} else {
		layerfs_metacopy_publish(inode, meta);
		layerfs_set_upper(inode, temp);
		layerfs_copyattr(inode);
		if (!LAYERFS_I(inode)->indexed)
			layerfs_index_linked(dentry);
	}
out_drop_write:
	layerfs_drop_write(sb);
out_revert:
	revert_creds(old_cred);
	layerfs_copy_up_end(dentry, &name.name, err ? 0 : copied, start, err);
	release_dentry_name_snapshot(&name);
out_unlock:
	mutex_unlock(&li->lock);
	return err;
}

/**
 * layerfs_copy_up_flags - make sure an object exists in the upper layer
 * @dentry: the layerfs object
 * @flags:  O_TRUNC to copy a regular file without its data; an access
 *          mode for writing (O_WRONLY, O_RDWR) to copy it with its data
 *          under metacopy=on too, or to add the data to a metadata-only
 *          copy made before (metacopy.c)
 *
 * Copies up every ancestor that is not yet in the upper layer, topmost
 * first, then @dentry.  The root is always in the upper layer of a
 * writable mount, so the walk up ends there.  Copy-up takes write access
 * to the upper layer itself: the caller must not hold it (call this
 * before layerfs_want_write()), see layerfs_copy_data().  The caller may
 * hold the layerfs inode's i_rwsem, as the VFS does around setattr.
 *
 * Return: 0 or a negative errno (-EROFS without an upper layer, or when it
 * is read-only).
 */
int layerfs_copy_up_flags(struct dentry *dentry, int flags)
{
	int err = 0;

	if (!LAYERFS_FS(dentry->d_sb)->has_upper)
		return -EROFS;

	/* LAB copy-up begin: err = layerfs_upper(d_inode(dentry)) ? 0 : -EOPNOTSUPP; */
	while (!err && (!layerfs_upper(d_inode(dentry)) ||
			layerfs_index_needs_link(dentry))) {
		struct dentry *next = dget(dentry), *parent;

		/* Find the topmost ancestor whose parent is already upper. */
		for (;;) {
			parent = dget_parent(next);
			if (layerfs_upper(d_inode(parent)))
				break;
			dput(next);
			next = parent;
		}
		err = layerfs_copy_up_one(parent, next,
					  next == dentry ? flags : 0);
		dput(parent);
		dput(next);
	}
	/* LAB copy-up end */
	if (!err && S_ISREG(d_inode(dentry)->i_mode) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) &&
	    !layerfs_upper_data(d_inode(dentry)))
		err = layerfs_metacopy_copy_data(dentry, flags);
	return err;
}

/**
 * layerfs_copy_up_data - copy data into an upper file, for metacopy.c
 * @sb:  the layerfs super block
 * @old: the lower file with the data
 * @out: the upper file, open for writing
 * @len: how many bytes
 *
 * layerfs_copy_data() for a metadata-only copy's data (see there for the
 * rules: no write access to the upper layer held, the result synced).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_copy_up_data(struct super_block *sb, const struct path *old,
			 struct file *out, loff_t len)
{
	return layerfs_copy_data(sb, old, out, len);
}

/**
 * layerfs_copy_up - make sure an object exists in the upper layer
 * @dentry: the layerfs object
 *
 * For a change of metadata: under metacopy=on a regular file is copied
 * without its data (layerfs_copy_up_flags()).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_copy_up(struct dentry *dentry)
{
	return layerfs_copy_up_flags(dentry, 0);
}

/**
 * layerfs_copy_up_for_write - copy an object up, then get write access
 * @dentry: the layerfs object about to be changed in the upper layer (or
 *          the parent a new name is about to be made in)
 *
 * The two steps every change to one upper object starts with, in the
 * only order that is safe: copy-up takes write access to the upper layer
 * itself and must not be called with it held (see layerfs_copy_up_flags()).
 * After a success, pair with layerfs_drop_write().
 *
 * Return: 0 or a negative errno, with nothing held.
 */
int layerfs_copy_up_for_write(struct dentry *dentry)
{
	int err = layerfs_copy_up(dentry);

	return err ?: layerfs_want_write(dentry->d_sb);
}
