/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the one place where layerfs knows which kernel it is built for.
 *
 * layerfs builds from one source tree for Linux 6.1 and 6.12 (and the
 * kernels in between).  These VFS changes between those versions matter:
 *
 *  - 6.3 replaced the "struct user_namespace *mnt_userns" argument of the
 *    inode operations and of the vfs_*() helpers with "struct mnt_idmap
 *    *idmap".  The rest of layerfs names that type "struct layerfs_idmap".
 *  - 6.6 hid inode->i_ctime behind accessors, 6.7 did the same for i_atime
 *    and i_mtime.
 *  - 6.7 lets the VFS ask a stacking filesystem's getattr to skip the LSM
 *    check (AT_GETATTR_NOSEC); vfs_getattr() then refuses the flag, and the
 *    request must be passed on through vfs_getattr_nosec().
 *  - 6.3 renamed the idmap fields of struct renamedata (layerfs_vfs_rename()).
 *  - 6.2 took POSIX ACLs out of the xattr paths: copy-up must use
 *    vfs_get_acl()/vfs_set_acl() (layerfs_is_acl_xattr(),
 *    layerfs_copy_acl() in xattr.c); and it renamed the
 *    ACL hook of permission checks from get_acl to get_inode_acl
 *    (LAYERFS_IOP_GET_INODE_ACL, layerfs_real_inode_acl()), and getfacl
 *    and setfacl reach a filesystem through the get_acl and set_acl inode
 *    operations instead of the xattr handlers (LAYERFS_ACL_IOPS,
 *    layerfs_vfs_get_acl(), layerfs_vfs_set_acl(), which before 6.2 uses
 *    set_posix_acl()).
 *    Before 6.2, the VFS hands the system.posix_acl_* xattrs to the
 *    filesystem's xattr handlers without any owner check: layerfs needs
 *    handlers of its own for them (LAYERFS_ACL_XATTR_HANDLERS,
 *    layerfs_acl_from_xattr()).
 *  - 6.7 made vfs_iter_write() and do_splice_direct() take sb_writers of
 *    the file they write (file_start_write()) themselves
 *    (layerfs_iter_write(), layerfs_splice_copy()).
 *  - 6.7's overlayfs stores the trusted.overlay.* xattrs a user sets
 *    through the mount escaped, as trusted.overlay.overlay.*; before, it
 *    refuses them (layerfs_escape_private_xattrs()).
 *  - 6.9 gave security_inode_copy_up_xattr() the source dentry; by 6.12
 *    LSMs answer -ECANCELED where 6.1's answered 1, "drop this xattr"
 *    (layerfs_security_copy_up_xattr() takes either).
 *  - 6.5 exported vfs_splice_read(), the checked splice from a file
 *    (layerfs_vfs_splice_read()).
 *  - 6.6 renamed vfs_tmpfile_open() to kernel_tmpfile_open()
 *    (layerfs_tmpfile_open()).
 *  - 6.7 made shrinkers objects the kernel allocates (shrinker_alloc());
 *    6.1 registers one the caller provides (layerfs_shrinker_create()).
 *  - 6.5 turned the parent-or-not argument of exportfs_encode_inode_fh()
 *    into flags (layerfs_encode_inode_fh()).
 *  - 6.7 gave filesystems whose file handles hold a 32-bit inode number
 *    an explicit encode_fh, generic_encode_ino32_fh(); before, they had
 *    none (layerfs_fh_is_ino32()).
 *
 * Nothing outside this file tests LINUX_VERSION_CODE.
 */
#ifndef _LAYERFS_COMPAT_H
#define _LAYERFS_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/fcntl.h>
#include <linux/xattr.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/splice.h>
#include <linux/security.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/exportfs.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)

/* "struct layerfs_idmap" is the idmapping type of a mount on this kernel. */
#define layerfs_idmap mnt_idmap

static inline struct layerfs_idmap *layerfs_mnt_idmap(const struct vfsmount *mnt)
{
	return mnt_idmap(mnt);
}

#else /* Linux < 6.3 */

#define layerfs_idmap user_namespace

static inline struct layerfs_idmap *layerfs_mnt_idmap(const struct vfsmount *mnt)
{
	return mnt_user_ns(mnt);
}

#endif

/**
 * layerfs_copy_times - copy atime, mtime and ctime from one inode to another
 * @dst: the layerfs inode
 * @src: the real inode it mirrors
 */
static inline void layerfs_copy_times(struct inode *dst, const struct inode *src)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	inode_set_atime_to_ts(dst, inode_get_atime(src));
	inode_set_mtime_to_ts(dst, inode_get_mtime(src));
#else
	dst->i_atime = src->i_atime;
	dst->i_mtime = src->i_mtime;
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	inode_set_ctime_to_ts(dst, inode_get_ctime(src));
#else
	dst->i_ctime = src->i_ctime;
#endif
}

/*
 * Does @sb have a case-folding encoding (ext4/f2fs made with -O casefold)?
 * 6.12 has sb_has_encoding() for this; 6.1 only the field, which exists
 * only with CONFIG_UNICODE.
 */
static inline bool layerfs_sb_has_encoding(const struct super_block *sb)
{
#if IS_ENABLED(CONFIG_UNICODE)
	return sb->s_encoding;
#else
	return false;
#endif
}

/**
 * layerfs_vfs_getattr - getattr of a real object, on behalf of a getattr
 * @path:  the real object
 * @stat:  filled in
 * @mask:  STATX_* fields wanted
 * @flags: the query flags layerfs's own getattr was called with
 *
 * Return: 0 or a negative errno.
 */
static inline int layerfs_vfs_getattr(const struct path *path,
				      struct kstat *stat, u32 mask,
				      unsigned int flags)
{
#ifdef AT_GETATTR_NOSEC
	if (flags & AT_GETATTR_NOSEC)
		return vfs_getattr_nosec(path, stat, mask, flags);
#endif
	return vfs_getattr(path, stat, mask, flags);
}

/**
 * layerfs_vfs_rename - vfs_rename() within one layer
 * @idmap:     idmapping of the layer's mount
 * @olddir:    real parent of @olddentry, locked by lock_rename()
 * @olddentry: real object to move
 * @newdir:    real parent of @newdentry, locked by lock_rename()
 * @newdentry: real destination (may be negative)
 * @flags:     RENAME_* flags
 *
 * struct renamedata named its idmap fields differently before 6.3.
 *
 * Return: 0 or a negative errno.
 */
static inline int layerfs_vfs_rename(struct layerfs_idmap *idmap,
				     struct inode *olddir,
				     struct dentry *olddentry,
				     struct inode *newdir,
				     struct dentry *newdentry,
				     unsigned int flags)
{
	struct renamedata rd = {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
		.old_mnt_idmap	= idmap,
		.new_mnt_idmap	= idmap,
#else
		.old_mnt_userns	= idmap,
		.new_mnt_userns	= idmap,
#endif
		.old_dir	= olddir,
		.old_dentry	= olddentry,
		.new_dir	= newdir,
		.new_dentry	= newdentry,
		.flags		= flags,
	};

	return vfs_rename(&rd);
}

/*
 * Since 6.2, POSIX ACLs are no longer xattrs inside the VFS: vfs_getxattr()
 * and vfs_setxattr() refuse them, and copy-up must go through
 * layerfs_vfs_get_acl()/layerfs_vfs_set_acl() (layerfs_copy_acl() in
 * xattr.c).  Before, they copy like any other xattr.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline bool layerfs_is_acl_xattr(const char *name)
{
	return is_posix_acl_xattr(name);
}
#else
static inline bool layerfs_is_acl_xattr(const char *name)
{
	return false;
}
#endif

/*
 * The access or default ACL of a real inode, for the permission check of
 * a layerfs inode (layerfs_get_inode_acl()), and the name of the
 * inode_operations member that asks for it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define LAYERFS_IOP_GET_INODE_ACL	get_inode_acl

static inline struct posix_acl *layerfs_real_inode_acl(struct inode *inode,
						       int type)
{
	return get_inode_acl(inode, type);
}
#else
#define LAYERFS_IOP_GET_INODE_ACL	get_acl

static inline struct posix_acl *layerfs_real_inode_acl(struct inode *inode,
						       int type)
{
	return get_acl(inode, type);
}
#endif

/*
 * POSIX ACLs read and set through the mount.  Since 6.2 the VFS hands them
 * to inode_operations.get_acl/set_acl (layerfs_get_acl(), layerfs_set_acl()
 * in xattr.c), which LAYERFS_ACL_IOPS fills in.  Before, they are xattrs
 * and take the xattr handlers' path: the macro is empty and the wrappers
 * are never called.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define LAYERFS_ACL_IOPS \
	.get_acl	= layerfs_get_acl, \
	.set_acl	= layerfs_set_acl,

static inline struct posix_acl *
layerfs_vfs_get_acl(struct layerfs_idmap *idmap, struct dentry *dentry,
		    const char *name)
{
	return vfs_get_acl(idmap, dentry, name);
}

/*
 * Set @acl on @dentry, or remove the ACL when @acl is NULL.  @acl names
 * users as @idmap's mount shows them; vfs_set_acl() translates it in place,
 * so it must be the caller's private copy.
 */
static inline int layerfs_vfs_set_acl(struct layerfs_idmap *idmap,
				      struct dentry *dentry, const char *name,
				      struct posix_acl *acl)
{
	if (!acl)
		return vfs_remove_acl(idmap, dentry, name);
	return vfs_set_acl(idmap, dentry, name, acl);
}
#else
#define LAYERFS_ACL_IOPS

static inline struct posix_acl *
layerfs_vfs_get_acl(struct layerfs_idmap *idmap, struct dentry *dentry,
		    const char *name)
{
	return ERR_PTR(-EOPNOTSUPP);
}

/*
 * Before 6.2 there is no vfs_set_acl(); set_posix_acl() is what the ACL
 * xattr handler calls, with the inode locked.  layerfs only uses this to
 * give an object it has just made in work/ its inherited ACLs.  Like
 * vfs_set_acl() since 6.2, it takes @acl as @idmap's mount shows it and
 * translates it in place to what the filesystem keeps, which
 * set_posix_acl() stores as given.
 */
static inline int layerfs_vfs_set_acl(struct layerfs_idmap *idmap,
				      struct dentry *dentry, const char *name,
				      struct posix_acl *acl)
{
	int type = strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) ?
		   ACL_TYPE_DEFAULT : ACL_TYPE_ACCESS;
	struct inode *inode = d_inode(dentry);
	struct posix_acl_entry *e, *end;
	int err;

	if (acl) {
		FOREACH_ACL_ENTRY(e, acl, end) {
			if (e->e_tag == ACL_USER)
				e->e_uid = from_vfsuid(idmap, i_user_ns(inode),
						       VFSUIDT_INIT(e->e_uid));
			else if (e->e_tag == ACL_GROUP)
				e->e_gid = from_vfsgid(idmap, i_user_ns(inode),
						       VFSGIDT_INIT(e->e_gid));
		}
	}
	inode_lock(inode);
	err = set_posix_acl(idmap, inode, type, acl);
	inode_unlock(inode);
	return err;
}
#endif

/*
 * setxattr/removexattr of system.posix_acl_* through the mount.  Before
 * 6.2 the VFS passes them to the xattr handlers of the filesystem and
 * checks nothing on the way (xattr_permission() leaves system.* to the
 * filesystem): without handlers of its own, layerfs would hand them to its
 * catch-all handler, which sets them on the upper object as the mounter,
 * and anyone could change anyone's ACL.  LAYERFS_ACL_XATTR_HANDLERS,
 * defined only then, puts layerfs's ACL handlers (xattr.c) first in the
 * list; since 6.2 the VFS sends ACLs to inode_operations.set_acl instead
 * (LAYERFS_ACL_IOPS).
 *
 * layerfs_acl_from_xattr() parses an ACL in the xattr format, only to
 * refuse a malformed one before anything is copied up.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0) && defined(CONFIG_FS_POSIX_ACL)
#define LAYERFS_ACL_XATTR_HANDLERS

static inline struct posix_acl *layerfs_acl_from_xattr(const void *value,
						       size_t size)
{
	return vfs_set_acl_prepare(&init_user_ns, &init_user_ns, value, size);
}
#else
/* Not called: the handlers are not registered on these kernels. */
static inline struct posix_acl *layerfs_acl_from_xattr(const void *value,
						       size_t size)
{
	return ERR_PTR(-EOPNOTSUPP);
}
#endif

/**
 * layerfs_escape_private_xattrs - are trusted.overlay.* names escaped?
 *
 * Since 6.7 overlayfs lets a user set, read and list trusted.overlay.X
 * through the mount: it stores them in the layers as
 * trusted.overlay.overlay.X ("escaped"), which it never interprets, and
 * copies them up.  Before, reading or setting such a name through the mount
 * fails with EOPNOTSUPP and copy-up drops them.  layerfs follows the
 * overlayfs of the kernel it runs on.
 *
 * Return: true on kernels whose overlayfs escapes.
 */
static inline bool layerfs_escape_private_xattrs(void)
{
	return LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0);
}

/**
 * layerfs_metacopy_checks_value - is trusted.overlay.metacopy's value read?
 *
 * Since 6.5 (fs-verity support) overlayfs's metacopy xattr may carry a
 * header and a digest: { version 0, length, flags, digest algorithm,
 * digest }.  An empty value is the plain form both kernels write.  Lookup
 * refuses a value shorter than the 4-byte header (EIO); the rest is read
 * only with the verity option.  6.1 only asks whether the xattr exists.
 *
 * Return: true on kernels whose overlayfs checks the value.
 */
static inline bool layerfs_metacopy_checks_value(void)
{
	return LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0);
}

/**
 * layerfs_redirect_show_given - how does show_options print redirect_dir?
 *
 * Until 6.4 overlayfs keeps the redirect_dir value as the string given and
 * prints it when it differs from the default's name ("on" or "off"), so
 * redirect_dir=follow shows.  Since its move to fs_context (6.5) it keeps
 * the mode that results ("off" is stored as "follow" or "nofollow") and
 * prints that when it differs from the default mode, so, on Debian's
 * kernels, redirect_dir=follow and redirect_dir=off do not show.
 *
 * Return: true on kernels whose overlayfs prints the value as given.
 */
static inline bool layerfs_redirect_show_given(void)
{
	return LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0);
}

/*
 * Shall copy-up copy the xattr @name of the lower object @src?  The LSMs
 * decide for their own xattrs (security_inode_copy_up_xattr()): SELinux
 * drops security.selinux, which the copy gets from the credentials of
 * layerfs_create_copy() instead.  6.9 gave the hook the source object.
 * "Drop it" is 1 on 6.1 and -ECANCELED on 6.12; both are taken, whatever
 * the version.  "Not mine" is -EOPNOTSUPP on both.
 *
 * Return: 0 to copy the xattr, 1 to leave it out, or a negative errno that
 * fails the copy-up.
 */
static inline int layerfs_security_copy_up_xattr(struct dentry *src,
						 const char *name)
{
	int err;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	err = security_inode_copy_up_xattr(src, name);
#else
	err = security_inode_copy_up_xattr(name);
#endif
	if (err == -EOPNOTSUPP)
		return 0;
	if (err == -ECANCELED)
		return 1;
	return err;
}

/* vfs_iter_write() to a real file, inside file_start_write() exactly once. */
static inline ssize_t layerfs_iter_write(struct file *file,
					 struct iov_iter *iter, loff_t *ppos,
					 rwf_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return vfs_iter_write(file, iter, ppos, flags);
#else
	ssize_t ret;

	file_start_write(file);
	ret = vfs_iter_write(file, iter, ppos, flags);
	file_end_write(file);
	return ret;
#endif
}

/*
 * Splice up to @len bytes from @in to @out, inside sb_writers of @out's
 * filesystem exactly once; the caller does not hold it (copy-up copies
 * data outside it, see layerfs_copy_data()).  Since 6.7
 * do_splice_direct() takes it itself, around each write to @out.
 */
static inline ssize_t layerfs_splice_copy(struct file *in, loff_t *ppos,
					  struct file *out, loff_t *opos,
					  size_t len)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return do_splice_direct(in, ppos, out, opos, len, SPLICE_F_MOVE);
#else
	ssize_t ret;

	file_start_write(out);
	ret = do_splice_direct(in, ppos, out, opos, len, SPLICE_F_MOVE);
	file_end_write(out);
	return ret;
#endif
}

/**
 * layerfs_vfs_splice_read - splice from a real file into a pipe, checked
 * @in:    the real file
 * @ppos:  position in @in, advanced by what was read
 * @pipe:  the pipe to fill
 * @len:   bytes wanted (the caller has limited it to the pipe's room)
 * @flags: SPLICE_F_* flags
 *
 * What a splice(2) from @in itself would do: refuse a file not open for
 * reading, check the range and ask the LSMs and fsnotify permission
 * listeners (rw_verify_area()), then call @in's splice_read.  Since 6.5
 * that is vfs_splice_read(); before, the VFS kept it to itself
 * (do_splice_to() in fs/splice.c), so the same steps are spelled out.
 *
 * Return: bytes read, or a negative errno.
 */
static inline ssize_t layerfs_vfs_splice_read(struct file *in, loff_t *ppos,
					      struct pipe_inode_info *pipe,
					      size_t len, unsigned int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return vfs_splice_read(in, ppos, pipe, len, flags);
#else
	int ret;

	if (unlikely(!(in->f_mode & FMODE_READ)))
		return -EBADF;
	ret = rw_verify_area(READ, in, ppos, len);
	if (unlikely(ret < 0))
		return ret;
	len = min_t(size_t, len, MAX_RW_COUNT);
	if (unlikely(!in->f_op->splice_read))
		return -EINVAL;
	return in->f_op->splice_read(in, ppos, pipe, len, flags);
#endif
}

/**
 * layerfs_tmpfile_open - create and open an unnamed file in a real directory
 * @idmap:      idmapping of @parentpath's mount
 * @parentpath: the real directory
 * @mode:       type and permission bits of the new file
 * @open_flag:  open(2) flags; without O_EXCL the file may be linked later
 * @cred:       credentials the file is opened with
 *
 * Return: the open file, or an ERR_PTR().
 */
static inline struct file *layerfs_tmpfile_open(struct layerfs_idmap *idmap,
						const struct path *parentpath,
						umode_t mode, int open_flag,
						const struct cred *cred)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return kernel_tmpfile_open(idmap, parentpath, mode, open_flag, cred);
#else
	return vfs_tmpfile_open(idmap, parentpath, mode, open_flag, cred);
#endif
}

/**
 * layerfs_shrinker_create - make and register a shrinker
 * @name:  its name in /sys/kernel/debug/shrinker/ (CONFIG_SHRINKER_DEBUG)
 * @count: shrinker.count_objects
 * @scan:  shrinker.scan_objects
 *
 * 6.7 made shrinkers dynamically allocated (shrinker_alloc(),
 * shrinker_register(), shrinker_free()); before, the caller embedded one
 * and called register_shrinker().  Both kernels get one allocated here.
 *
 * Return: the registered shrinker, or NULL.
 */
static inline struct shrinker *
layerfs_shrinker_create(const char *name,
			unsigned long (*count)(struct shrinker *,
					       struct shrink_control *),
			unsigned long (*scan)(struct shrinker *,
					      struct shrink_control *))
{
	struct shrinker *s;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

/* Unregister and free a shrinker of layerfs_shrinker_create(). */
static inline void layerfs_shrinker_destroy(struct shrinker *s)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/**
 * layerfs_encode_inode_fh - encode a decodable file handle of a real inode
 * @inode:   the inode
 * @fid:     where the handle goes
 * @max_len: in: room at @fid in 32-bit words; out: words used
 *
 * Return: the handle's type (FILEID_*), or a negative errno or
 * FILEID_INVALID.
 */
static inline int layerfs_encode_inode_fh(struct inode *inode, struct fid *fid,
					  int *max_len)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return exportfs_encode_inode_fh(inode, fid, max_len, NULL, 0);
#else
	return exportfs_encode_inode_fh(inode, fid, max_len, NULL);
#endif
}

/*
 * Do the file handles of @sb hold a 32-bit inode number (FILEID_INO32_GEN:
 * ext4, ...)?  Then its inode numbers leave the high 32 bits free, for
 * xino (ino.c).  Only asked of filesystems that can decode handles.
 */
static inline bool layerfs_fh_is_ino32(const struct super_block *sb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return sb->s_export_op->encode_fh == generic_encode_ino32_fh;
#else
	return !sb->s_export_op->encode_fh;
#endif
}

/*
 * Does overlayfs read the link count an index entry records when the lower
 * inode has one link (index.c)?  The 6.12 one does (ovl_get_nlink() got an
 * "indexed" argument); the 6.1 one takes the upper count then.  6.12 is
 * the first kernel checked that does: the boundary is the one layerfs is
 * built for, not the commit that changed it.
 */
#define LAYERFS_INDEX_NLINK_OF_ONE_LINK \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

#endif /* _LAYERFS_COMPAT_H */
