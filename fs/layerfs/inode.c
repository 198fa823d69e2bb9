// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - layerfs inodes: their life cycle, and the inode operations that
 * every kind of object shares (permission, getattr, listxattr), plus those of
 * regular files, symlinks and special files.
 *
 * A layerfs inode mirrors the real object in the topmost layer that has the
 * name: it copies that object's type, mode, owner, size and times when it is
 * created, and keeps references to the real dentries it stands for.  Data and
 * metadata are always read from the real object, so the copy only serves the
 * VFS's own checks (e.g. generic_permission()).
 *
 * There is one layerfs inode per real object, not per name: every name of a
 * hard-linked file leads to the same inode, so that a chmod, chown or lock
 * made through one name holds for the others (see layerfs_new_inode()).
 *
 * Core: layerfs_new_inode() (one inode per real object, the key table
 * below), layerfs_set_upper() (the rehash at copy-up), layerfs_copyattr(),
 * layerfs_permission() (the two checks), layerfs_getattr(),
 * layerfs_setattr(), layerfs_evict_inode().
 * Edge cases: POSIX ACLs in permission checks (layerfs_get_inode_acl()),
 * file attributes and protattr (layerfs_fileattr_get()/_set(),
 * layerfs_read_prot_flags()), FIEMAP, lockdep classes for layerfs stacked
 * on layerfs (layerfs_set_lock_class()), lower hard links on a writable
 * mount (layerfs_inode_key()).
 */

#include <linux/fs.h>
#include <linux/fiemap.h>
#include <linux/file.h>
#include <linux/fileattr.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/namei.h>
#include "layerfs.h"

/*
 * The inode flags a layerfs inode mirrors from its real inode, because the
 * VFS checks them on the layerfs inode: append-only and immutable (may_open(),
 * may_delete(), notify_change(), ...), noatime and sync.
 */
#define LAYERFS_COPY_I_FLAGS	(S_APPEND | S_IMMUTABLE | S_NOATIME | S_SYNC)
/* Of those, the ones an upper object keeps in protattr, not on its inode. */
#define LAYERFS_PROT_I_FLAGS	(S_APPEND | S_IMMUTABLE)

static struct kmem_cache *layerfs_inode_cachep;

/* Called once per slab object, not per allocation: see inode_init_once(). */
static void layerfs_inode_init_once(void *foo)
{
	struct layerfs_inode *li = foo;

	inode_init_once(&li->vfs_inode);
	mutex_init(&li->lock);
}

/**
 * layerfs_init_inode_cache - create the "layerfs_inode" slab cache
 *
 * The constructor also keeps the cache from being merged with another one,
 * so /proc/slabinfo accounts layerfs inodes on their own line.
 *
 * Return: 0 or -ENOMEM.
 */
int layerfs_init_inode_cache(void)
{
	layerfs_inode_cachep = kmem_cache_create("layerfs_inode",
						 sizeof(struct layerfs_inode), 0,
						 SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
						 layerfs_inode_init_once);
	return layerfs_inode_cachep ? 0 : -ENOMEM;
}

/**
 * layerfs_destroy_inode_cache - destroy the slab cache at module unload
 */
void layerfs_destroy_inode_cache(void)
{
	/* Inodes are freed after an RCU grace period: wait for the last one. */
	rcu_barrier();
	kmem_cache_destroy(layerfs_inode_cachep);
}

/**
 * layerfs_alloc_inode - super_operations.alloc_inode
 * @sb: the layerfs super block
 *
 * Return: a new inode with no real objects yet, or NULL.
 */
struct inode *layerfs_alloc_inode(struct super_block *sb)
{
	struct layerfs_inode *li;

	li = alloc_inode_sb(sb, layerfs_inode_cachep, GFP_KERNEL);
	if (!li)
		return NULL;

	li->upper = NULL;
	li->nlower = 0;
	li->lower = NULL;
	RCU_INIT_POINTER(li->nameidx, NULL);
	li->nameidx_flags = 0;
	li->nameidx_debt = 0;
	li->nameidx_cost = 0;
	li->metacopy = false;
	li->indexed = false;
	return &li->vfs_inode;
}

/**
 * layerfs_evict_inode - super_operations.evict_inode
 * @inode: the inode leaving the inode cache
 *
 * Drops the references to the real dentries.  The array that pointed to them
 * stays until layerfs_free_inode(), because a path walk in RCU mode may still
 * be reading it.
 */
void layerfs_evict_inode(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);
	unsigned int i;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	layerfs_nameidx_evict(inode);
	dput(li->upper);
	for (i = 0; i < li->nlower; i++)
		dput(li->lower[i].dentry);
}

/**
 * layerfs_free_inode - super_operations.free_inode, after an RCU grace period
 * @inode: the inode to free
 */
void layerfs_free_inode(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);

	if (li->lower != &li->one_lower)
		kfree(li->lower);
	kmem_cache_free(layerfs_inode_cachep, li);
}

/**
 * layerfs_permission - inode_operations.permission
 * @idmap: the idmapping of the layerfs mount the caller went through
 * @inode: the layerfs inode
 * @mask:  MAY_READ, MAY_WRITE, MAY_EXEC, ...
 *
 * Permission is checked twice, as overlayfs documents it: first the caller
 * against the layerfs inode (whose mode and owner are the real object's),
 * then the mounter against the real object.  The second check keeps a
 * mounter who could not read a layer from exposing it through layerfs.
 *
 * Called in RCU mode too (MAY_NOT_BLOCK): nothing here may sleep.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_permission(struct layerfs_idmap *idmap, struct inode *inode,
		       int mask)
{
	const struct cred *old_cred;
	struct layerfs_real real;
	struct inode *realinode;
	int err;

	err = generic_permission(idmap, inode, mask);
	if (err)
		return err;

	layerfs_real(inode, &real);
	realinode = d_inode_rcu(real.dentry);
	if (!realinode)
		return -ECHILD;

	/*
	 * A write to a lower object will be a write to its copy in the upper
	 * layer: the mounter needs only to be able to read the original.
	 * Special files are never copied for a write, so they keep MAY_WRITE.
	 */
	if (!real.layer->upper && !special_file(realinode->i_mode) &&
	    (mask & MAY_WRITE)) {
		mask &= ~(MAY_WRITE | MAY_APPEND);
		mask |= MAY_READ;
	}

	old_cred = layerfs_override_creds(inode->i_sb);
	err = inode_permission(layerfs_real_idmap(&real), realinode, mask);
	revert_creds(old_cred);
	return err;
}

/**
 * layerfs_get_inode_acl - the POSIX ACL for a permission check
 * @inode: the layerfs inode
 * @type:  ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 * @rcu:   called in RCU path walk: may not block
 *
 * With SB_POSIXACL set, generic_permission() in layerfs_permission() asks
 * for the access ACL of the layerfs inode whenever the mode's group class
 * is involved: it is the real object's, read as the mounter, with the
 * users and groups it names mapped through an idmapped layer as the owner
 * is (layerfs_copyattr()).  Nothing is cached in the layerfs inode (its
 * i_acl is ACL_DONT_CACHE, see layerfs_new_inode()): the real inode caches
 * its own, and a copy-up or a change of the real ACL must count at once.
 *
 * In RCU walk (@rcu) nothing may block, so the answer is what the real
 * inode has cached, as overlayfs answers: an ACL (used without a
 * reference: ACLs are freed after an RCU grace period), NULL for none, or
 * ACL_NOT_CACHED, which makes the VFS retry the walk in ref mode.  Without
 * this every path walk that reaches the group class of a mode (any caller
 * but the owner, on a filesystem with ACLs) would leave RCU walk at every
 * component.  An idmapped layer's ACL must be mapped into a new ACL, which
 * allocates: that one retries in ref mode too.
 *
 * Return: the ACL (a reference for the caller, except in RCU walk), NULL
 * or an ERR_PTR.
 */
struct posix_acl *layerfs_get_inode_acl(struct inode *inode, int type,
					bool rcu)
{
	const struct cred *old_cred;
	struct layerfs_real real;
	struct inode *realinode;
	struct posix_acl *acl;

	layerfs_real(inode, &real);
	realinode = rcu ? d_inode_rcu(real.dentry) : d_inode(real.dentry);
	if (!realinode)
		return ERR_PTR(-ECHILD);
	if (!IS_POSIXACL(realinode))
		return NULL;
	if (rcu) {
		if (is_idmapped_mnt(real.layer->root.mnt))
			return ERR_PTR(-ECHILD);
		return get_cached_acl_rcu(realinode, type);
	}

	old_cred = layerfs_override_creds(inode->i_sb);
	acl = layerfs_real_inode_acl(realinode, type);
	revert_creds(old_cred);
	if (is_idmapped_mnt(real.layer->root.mnt))
		acl = layerfs_acl_idmap(layerfs_real_idmap(&real), realinode,
					acl);
	return acl;
}

/**
 * layerfs_getattr - inode_operations.getattr
 * @idmap:        the idmapping of the layerfs mount
 * @path:         the layerfs object
 * @stat:         filled in
 * @request_mask: STATX_* fields wanted
 * @flags:        AT_STATX_* sync flags
 *
 * Attributes come from the real object.  st_dev and st_ino then follow the
 * rule overlayfs documents under "Inode properties" (layerfs_getattr_ino(),
 * ino.c): on one filesystem, layerfs's st_dev and the real (or, after a
 * copy-up, the origin's) st_ino; on several, per-filesystem device numbers
 * for non-directories and layerfs's own numbers for directories, so that
 * no two objects in the merged view can share a (st_dev, st_ino) pair.
 *
 * A directory merged from several layers reports one link: its real link
 * count would count subdirectories of a single layer only, and tools like
 * find(1) take st_nlink == 1 to mean "do not count on it".
 *
 * Return: 0 or a negative errno.
 */
int layerfs_getattr(struct layerfs_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	bool is_dir = S_ISDIR(inode->i_mode);
	const struct cred *old_cred;
	struct layerfs_real real;
	struct path realpath;
	int err;

	layerfs_real(inode, &real);
	layerfs_path(&real, &realpath);
	old_cred = layerfs_override_creds(inode->i_sb);
	err = layerfs_vfs_getattr(&realpath, stat, request_mask, flags);
	if (!err)
		err = layerfs_getattr_ino(inode, stat, flags);
	revert_creds(old_cred);
	if (err)
		return err;
	if (is_dir && layerfs_nstack(inode, layerfs_upper(inode)) > 1)
		stat->nlink = 1;
	/* the names of an indexed object, not the links of its entry */
	if (LAYERFS_I(inode)->indexed)
		stat->nlink = inode->i_nlink;
	/* a file whose data is below: the data's blocks (metacopy.c) */
	if (S_ISREG(inode->i_mode) && (request_mask & STATX_BLOCKS))
		return layerfs_metacopy_getattr(inode, stat, flags);
	return 0;
}

/**
 * layerfs_setattr - inode_operations.setattr (chmod, chown, truncate, utimes)
 * @idmap: the idmapping of the layerfs mount
 * @dentry: the layerfs object
 * @attr:  what to change
 *
 * The caller is checked against the layerfs inode by setattr_prepare().
 * The object is then copied up (a truncation to zero copies no data) and
 * the change is made to the upper object with the mounter's credentials.
 *
 * The truncation of an O_TRUNC open (ATTR_OPEN) is where such an open
 * copies a lower file up (see layerfs_open()); its file is then pointed at
 * the upper file (layerfs_file_truncated()).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_setattr(struct layerfs_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct super_block *sb = inode->i_sb;
	bool truncate = attr->ia_valid & ATTR_SIZE;
	struct file *opening = NULL;
	const struct cred *old_cred;
	struct inode *realinode;
	struct dentry *upper;
	int err;

	err = setattr_prepare(idmap, dentry, attr);
	if (err)
		return err;

	/*
	 * truncate(2) leaves the times to the filesystem, which updates them
	 * only when the size changes.  A copy-up for a truncation to zero
	 * copies no data, so the real file is already empty and would keep
	 * the lower file's mtime: ask for the update the size change implies.
	 */
	if (truncate && attr->ia_size != i_size_read(inode) &&
	    !(attr->ia_valid & ATTR_MTIME))
		attr->ia_valid |= ATTR_MTIME | ATTR_CTIME;

	/* a truncation needs the data, even under metacopy=on */
	err = layerfs_copy_up_flags(dentry, !truncate ? 0 :
				    attr->ia_size ? O_WRONLY : O_TRUNC);
	if (err)
		return err;
	err = layerfs_want_write(sb);
	if (err)
		return err;

	upper = layerfs_upper(inode);
	realinode = d_inode(upper);

	/*
	 * A mode change that only clears setuid/setgid after a chown or write
	 * is the real filesystem's to make; ATTR_FILE names the layerfs file,
	 * which the real filesystem must not see.
	 *
	 * ATTR_OPEN says that the truncation belongs to an open(O_TRUNC), which
	 * a filesystem with atomic O_TRUNC (FUSE, NFS) has done already as
	 * part of its open.  The upper file was opened without O_TRUNC
	 * (layerfs_open()), so the upper filesystem must truncate here: it
	 * must not see ATTR_OPEN either.
	 */
	if (attr->ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		attr->ia_valid &= ~ATTR_MODE;
	if ((attr->ia_valid & (ATTR_OPEN | ATTR_FILE)) ==
	    (ATTR_OPEN | ATTR_FILE))
		opening = attr->ia_file;
	attr->ia_valid &= ~(ATTR_FILE | ATTR_OPEN);

	if (truncate) {
		err = get_write_access(realinode);
		if (err)
			goto out_drop_write;
	}

	old_cred = layerfs_override_creds(sb);
	inode_lock(realinode);
	err = notify_change(layerfs_upper_idmap(sb), upper, attr, NULL);
	inode_unlock(realinode);
	revert_creds(old_cred);
	layerfs_copyattr(inode);
	if (!err && opening)
		err = layerfs_file_truncated(opening);

	if (truncate)
		put_write_access(realinode);
out_drop_write:
	layerfs_drop_write(sb);
	return err;
}

/*
 * FIEMAP reports the extents of the real file (upper, or lower while there
 * is no copy), which the mounter may map.  A real filesystem without
 * fiemap (tmpfs) answers EOPNOTSUPP, as the VFS does for one.
 */
static int layerfs_fiemap(struct inode *inode,
			  struct fiemap_extent_info *fieinfo, u64 start,
			  u64 len)
{
	const struct cred *old_cred;
	struct layerfs_real real;
	struct inode *realinode;
	int err;

	/* the extents of the data, below a metadata-only copy (metacopy.c) */
	layerfs_real_data(inode, &real);
	realinode = d_inode(real.dentry);
	if (!realinode->i_op->fiemap)
		return -EOPNOTSUPP;

	old_cred = layerfs_override_creds(inode->i_sb);
	err = realinode->i_op->fiemap(realinode, fieinfo, start, len);
	revert_creds(old_cred);
	return err;
}

/* ---- file attributes (chattr, lsattr) ----------------------------------- */

/* S_APPEND and S_IMMUTABLE for the protection flags among FS_*_FL @fsflags. */
static unsigned int layerfs_prot_iflags(u32 fsflags)
{
	return (fsflags & FS_APPEND_FL ? S_APPEND : 0) |
	       (fsflags & FS_IMMUTABLE_FL ? S_IMMUTABLE : 0);
}

/*
 * The VFS asks the LSM about an FS_IOC_*FLAGS or FS_IOC_FS*XATTR ioctl only
 * for the file it was called on, the layerfs one.  Ask about the real
 * object too, with the same command, on a file opened for just that: there
 * is no inode hook for file attributes (overlayfs does the same).
 */
static int layerfs_fileattr_security(const struct path *realpath,
				     const struct fileattr *fa, bool set)
{
	unsigned int cmd;
	struct file *file;
	int err;

	file = dentry_open(realpath, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (set)
		cmd = fa->fsx_valid ? FS_IOC_FSSETXATTR : FS_IOC_SETFLAGS;
	else
		cmd = fa->fsx_valid ? FS_IOC_FSGETXATTR : FS_IOC_GETFLAGS;
	err = security_file_ioctl(file, cmd, 0);
	fput(file);
	return err;
}

/**
 * layerfs_real_fileattr_get - the file attributes of a real object
 * @realpath: the object, a regular file or a directory of some layer
 * @fa:       filled in; ->flags_valid or ->fsx_valid says which interface
 *            the caller asks through
 *
 * Mounter's credentials.
 *
 * Return: 0 or a negative errno; -ENOTTY when the real filesystem has no
 * file attributes.
 */
int layerfs_real_fileattr_get(const struct path *realpath,
			      struct fileattr *fa)
{
	int err;

	err = layerfs_fileattr_security(realpath, fa, false);
	if (err)
		return err;
	err = vfs_fileattr_get(realpath->dentry, fa);
	return err == -ENOIOCTLCMD ? -ENOTTY : err;
}

/**
 * layerfs_real_fileattr_set - change the file attributes of a real object
 * @realpath: the object, in the upper layer
 * @fa:       the new attributes
 *
 * vfs_fileattr_set() checks the mounter again (owner or capable,
 * CAP_LINUX_IMMUTABLE) and locks the real inode.  Mounter's credentials,
 * write access to the upper layer.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_real_fileattr_set(const struct path *realpath,
			      struct fileattr *fa)
{
	int err;

	err = layerfs_fileattr_security(realpath, fa, true);
	if (err)
		return err;
	return vfs_fileattr_set(layerfs_mnt_idmap(realpath->mnt),
				realpath->dentry, fa);
}

/**
 * layerfs_fileattr_get - inode_operations.fileattr_get
 * @dentry: the layerfs object (a regular file or a directory)
 * @fa:     filled in
 *
 * For FS_IOC_GETFLAGS and FS_IOC_FSGETXATTR (lsattr, and the VFS itself
 * before a change).  The attributes are the real object's, read with the
 * mounter's credentials, plus the protection flags of the layerfs inode,
 * which the real object does not carry once it is in the upper layer.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_fileattr_get(struct dentry *dentry, struct fileattr *fa)
{
	struct inode *inode = d_inode(dentry);
	const struct cred *old_cred;
	struct path realpath;
	int err;

	layerfs_real_path(inode, &realpath);
	old_cred = layerfs_override_creds(inode->i_sb);
	err = layerfs_real_fileattr_get(&realpath, fa);
	revert_creds(old_cred);
	if (err)
		return err;

	if (IS_APPEND(inode)) {
		fa->flags |= FS_APPEND_FL;
		fa->fsx_xflags |= FS_XFLAG_APPEND;
	}
	if (IS_IMMUTABLE(inode)) {
		fa->flags |= FS_IMMUTABLE_FL;
		fa->fsx_xflags |= FS_XFLAG_IMMUTABLE;
	}
	return 0;
}

/**
 * layerfs_fileattr_set - inode_operations.fileattr_set
 * @idmap:  the idmapping of the layerfs mount
 * @dentry: the layerfs object (a regular file or a directory)
 * @fa:     the new attributes
 *
 * For FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR (chattr).  vfs_fileattr_set()
 * has checked the caller against the layerfs inode (owner or capable;
 * CAP_LINUX_IMMUTABLE to change +a or +i) and holds its i_rwsem.  The
 * object is copied up; then, with the mounter's credentials, the
 * protection flags go to its protattr xattr (layerfs_set_protattr()) and
 * to the layerfs inode, and everything else to the upper object, which
 * loses any +a or +i of its own (set there by hand or by an old kernel).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_fileattr_set(struct layerfs_idmap *idmap, struct dentry *dentry,
			 struct fileattr *fa)
{
	struct inode *inode = d_inode(dentry);
	struct super_block *sb = inode->i_sb;
	unsigned int prot = layerfs_prot_iflags(fa->flags);
	const struct cred *old_cred;
	struct path upperpath;
	int err;

	err = layerfs_copy_up_for_write(dentry);
	if (err)
		return err;

	upperpath.mnt = layerfs_upper_layer(sb)->root.mnt;
	upperpath.dentry = layerfs_upper(inode);

	old_cred = layerfs_override_creds(sb);
	/* Nothing to record, nothing recorded before: no xattr to remove. */
	if (prot || (inode->i_flags & LAYERFS_PROT_I_FLAGS))
		err = layerfs_set_protattr(sb, upperpath.dentry, fa->flags);
	if (!err) {
		inode_set_flags(inode, prot, LAYERFS_PROT_I_FLAGS);
		fa->flags &= ~(FS_APPEND_FL | FS_IMMUTABLE_FL);
		fa->fsx_xflags &= ~(FS_XFLAG_APPEND | FS_XFLAG_IMMUTABLE);
		err = layerfs_real_fileattr_set(&upperpath, fa);
	}
	revert_creds(old_cred);
	layerfs_copyattr(inode);
	layerfs_drop_write(sb);
	return err;
}

/* Symlinks: the target is the real symlink's, read with the mounter's creds. */
static const char *layerfs_get_link(struct dentry *dentry, struct inode *inode,
				    struct delayed_call *done)
{
	const struct cred *old_cred;
	struct path realpath;
	const char *link;

	/* Reading a link may sleep: not in RCU mode. */
	if (!dentry)
		return ERR_PTR(-ECHILD);

	layerfs_real_path(inode, &realpath);
	old_cred = layerfs_override_creds(inode->i_sb);
	link = vfs_get_link(realpath.dentry, done);
	revert_creds(old_cred);
	return link;
}

static const struct inode_operations layerfs_file_inode_operations = {
	.permission	= layerfs_permission,
	.LAYERFS_IOP_GET_INODE_ACL = layerfs_get_inode_acl,
	LAYERFS_ACL_IOPS
	.setattr	= layerfs_setattr,
	.getattr	= layerfs_getattr,
	.listxattr	= layerfs_listxattr,
	.fiemap		= layerfs_fiemap,
	.fileattr_get	= layerfs_fileattr_get,
	.fileattr_set	= layerfs_fileattr_set,
};

static const struct inode_operations layerfs_symlink_inode_operations = {
	.get_link	= layerfs_get_link,
	.setattr	= layerfs_setattr,
	.getattr	= layerfs_getattr,
	.listxattr	= layerfs_listxattr,
};

/* fifos, sockets and device nodes: open() is the VFS's, on the layerfs inode */
static const struct inode_operations layerfs_special_inode_operations = {
	.permission	= layerfs_permission,
	.LAYERFS_IOP_GET_INODE_ACL = layerfs_get_inode_acl,
	LAYERFS_ACL_IOPS
	.setattr	= layerfs_setattr,
	.getattr	= layerfs_getattr,
	.listxattr	= layerfs_listxattr,
};

/*
 * Mirror the LAYERFS_COPY_I_FLAGS of @realinode in @inode.  When
 * @realinode is the upper one, the append-only and immutable flags @inode
 * has are kept: they came from protattr (layerfs_read_prot_flags()), from
 * the lower object before copy-up, or from layerfs_fileattr_set(), and the
 * upper inode does not carry them.
 */
static void layerfs_copy_iflags(struct inode *inode,
				const struct inode *realinode)
{
	struct dentry *upper = layerfs_upper(inode);
	unsigned int flags = realinode->i_flags & LAYERFS_COPY_I_FLAGS;

	if (upper && d_inode(upper) == realinode)
		flags |= inode->i_flags & LAYERFS_PROT_I_FLAGS;
	inode_set_flags(inode, flags, LAYERFS_COPY_I_FLAGS);
}

/*
 * A new layerfs inode for an upper object takes the protection flags
 * recorded in its protattr xattr, on top of the upper inode's own.
 */
static void layerfs_read_prot_flags(struct inode *inode, struct dentry *upper)
{
	const struct cred *old_cred;
	u32 fsflags;

	old_cred = layerfs_override_creds(inode->i_sb);
	fsflags = layerfs_get_protattr(inode->i_sb, upper);
	revert_creds(old_cred);
	if (fsflags)
		inode_set_flags(inode, layerfs_prot_iflags(fsflags),
				layerfs_prot_iflags(fsflags));
}

/**
 * layerfs_copyattr - mirror the real object's attributes in a layerfs inode
 * @inode: the layerfs inode
 *
 * What the VFS itself looks at (type, mode, owner, size, times, link count,
 * and the append-only and immutable flags) is copied when the inode is made
 * and again after every change layerfs makes to the real object.
 *
 * The owner is the one the layer's mount shows: on an idmapped layer, the
 * real i_uid mapped through the mount's idmapping, as stat() through the
 * layer (and so through layerfs) reports it.  The VFS's permission checks
 * of the layerfs inode (generic_permission(), inode_owner_or_capable())
 * then agree with what users see.
 */
void layerfs_copyattr(struct inode *inode)
{
	struct layerfs_idmap *idmap;
	struct path realpath;
	struct inode *realinode;

	layerfs_real_path(inode, &realpath);
	realinode = d_inode(realpath.dentry);
	idmap = layerfs_mnt_idmap(realpath.mnt);

	inode->i_mode = realinode->i_mode;
	inode->i_uid = vfsuid_into_kuid(i_uid_into_vfsuid(idmap, realinode));
	inode->i_gid = vfsgid_into_kgid(i_gid_into_vfsgid(idmap, realinode));
	layerfs_copy_iflags(inode, realinode);
	/* an indexed inode keeps the count of its names (index.c) */
	if (!LAYERFS_I(inode)->indexed)
		set_nlink(inode, realinode->i_nlink);
	i_size_write(inode, i_size_read(realinode));
	layerfs_copy_times(inode, realinode);
}

/*
 * A layerfs mount can be a layer of another one.  The VFS then holds the
 * lock of an upper-level layerfs directory while layerfs takes the lock of
 * its real directory, a layerfs inode as well: lockdep must see these as
 * different classes, not as recursive locking.  Each stacking depth gets
 * its own classes, directories apart from the rest as the VFS does.
 */
static void layerfs_set_lock_class(struct inode *inode)
{
	static struct lock_class_key dir_keys[FILESYSTEM_MAX_STACK_DEPTH];
	static struct lock_class_key keys[FILESYSTEM_MAX_STACK_DEPTH];
	int depth = inode->i_sb->s_stack_depth - 1;

	if (WARN_ON_ONCE(depth < 0 || depth >= FILESYSTEM_MAX_STACK_DEPTH))
		depth = 0;
	if (S_ISDIR(inode->i_mode))
		lockdep_set_class(&inode->i_rwsem, &dir_keys[depth]);
	else
		lockdep_set_class(&inode->i_rwsem, &keys[depth]);
}

/*
 * One layerfs inode per real object
 * ---------------------------------
 * Inodes are hashed by the real inode that stands for their object, so that
 * every name of one real file leads to one layerfs inode (iget5_locked()),
 * which holds the mode and owner the VFS checks and the file locks:
 *
 *	object                                       key (inode->i_private)
 *	------                                       ----------------------
 *	non-directory with an upper object           the upper inode
 *	non-directory in a lower layer only          the lower inode
 *	  ... with i_nlink > 1, mount with an upper  none: own inode per name
 *	      (but with index=on: the lower inode)
 *	lower hard link copied up into the index     the lower inode (index=on)
 *	directory                                    none: own inode per dentry
 *
 * The third row is overlayfs's rule with index=off (ovl_hash_bylower()): a
 * copy-up copies the one name it is made for into a file of its own, which
 * breaks a lower hard link; the other names keep showing the lower file, so
 * they must not share the copy's inode.  With index=on the copy is the
 * index entry of the lower inode (index.c), which every name of it finds
 * at lookup as its upper object: the names share one inode throughout,
 * keyed by the lower inode before and after the copy-up, as overlayfs
 * keys it, so that a lookup racing the copy-up, which may or may not see
 * the new entry, finds that inode (layerfs_index_by_lower()).
 * A mount without an upper layer never copies up, and there the names of
 * a lower hard link share one inode, as on overlayfs.
 *
 * A copy-up files the inode under its new upper inode (layerfs_set_upper()).
 * overlayfs keeps the lower key instead, and finds it again through the
 * trusted.overlay.origin xattr of the copy.  layerfs writes that xattr too
 * and finds the origin at lookup (origin.c), but only for the inode number
 * it reports (ino.c), not as a key.
 *
 * Directories cannot be hard-linked: each has one dentry, which holds the
 * inode while the name is in use.  They are not hashed, as before.
 */

/*
 * iget5_locked() callbacks: the key is the real inode, in i_private.
 *
 * Between the eviction of a layerfs inode (which drops its real dentries,
 * and with them perhaps the real inode) and its removal from the hash,
 * i_private may point at a freed real inode: layerfs_inode_test() only
 * compares the pointer, it never dereferences it.
 */
static int layerfs_inode_test(struct inode *inode, void *key)
{
	return inode->i_private == key;
}

static int layerfs_inode_set(struct inode *inode, void *key)
{
	inode->i_private = key;
	return 0;
}

/*
 * The key of a lookup's result, or NULL for none (see the table above);
 * *@bylower tells an indexed lower hard link's key.
 */
static struct inode *layerfs_inode_key(struct super_block *sb,
				       struct dentry *upper,
				       const struct layerfs_real *lower,
				       unsigned int nlower, bool *bylower)
{
	struct inode *realinode = d_inode(upper ?: lower[0].dentry);

	*bylower = layerfs_index_by_lower(sb, upper, lower, nlower);
	if (*bylower)
		return d_inode(lower[0].dentry);
	if (S_ISDIR(realinode->i_mode))
		return NULL;
	if (!upper && LAYERFS_FS(sb)->has_upper && realinode->i_nlink > 1 &&
	    !layerfs_index_on(sb))
		return NULL;
	return realinode;
}

/*
 * Is @inode, found under the key of a lookup's result, the inode of that
 * result?  Under an upper key it has that upper object.  Under a lower key
 * it has not been copied up (a copy-up moves it to the upper key).  The
 * upper inode of a name may be found through another hard link's name, so
 * inodes are compared, not dentries.  Anything else means that the layers
 * changed under the mount.  An indexed lower hard link (@bylower) has that
 * lower inode, and its upper object, if both have one (the inode may have
 * none yet while a copy-up installs the entry a lookup found, or may have
 * one that a lookup which missed the entry does not know).
 */
static bool layerfs_inode_matches(struct inode *inode, struct dentry *upper,
				  const struct layerfs_real *lower,
				  bool bylower)
{
	struct layerfs_inode *li = LAYERFS_I(inode);
	struct dentry *iupper = layerfs_upper(inode);

	if (bylower)
		return li->nlower &&
		       d_inode(li->lower[0].dentry) == d_inode(lower[0].dentry) &&
		       (!upper || !iupper || d_inode(iupper) == d_inode(upper));
	if (upper)
		return iupper && d_inode(iupper) == d_inode(upper);
	return !iupper && li->nlower &&
	       d_inode(li->lower[0].dentry) == d_inode(lower[0].dentry);
}

/* Give a new @inode its real objects and mirror them (layerfs_new_inode()). */
static int layerfs_init_inode(struct inode *inode, struct dentry *upper,
			      const struct layerfs_real *lower,
			      unsigned int nlower)
{
	struct inode *realinode = d_inode(upper ?: lower[0].dentry);
	struct layerfs_inode *li = LAYERFS_I(inode);
	umode_t mode = realinode->i_mode;
	int err;

	err = layerfs_metacopy_init_inode(inode, upper, nlower);
	if (err)
		return err;
	if (nlower == 1) {
		li->one_lower = lower[0];
		li->lower = &li->one_lower;
	} else if (nlower > 1) {
		li->lower = kmemdup(lower, nlower * sizeof(*lower), GFP_KERNEL);
		if (!li->lower)
			return -ENOMEM;	/* nothing set: eviction puts nothing */
	}
	li->nlower = nlower;
	li->upper = upper;

	/* See layerfs_getattr() for the inode number rule. */
	layerfs_init_ino(inode);

	layerfs_copyattr(inode);
	layerfs_index_init_inode(inode);
	if (upper)
		layerfs_read_prot_flags(inode, upper);
#ifdef CONFIG_FS_POSIX_ACL
	/* The real inode caches ACLs; see layerfs_get_inode_acl(). */
	inode->i_acl = ACL_DONT_CACHE;
	inode->i_default_acl = ACL_DONT_CACHE;
#endif
	layerfs_set_lock_class(inode);
	switch (mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &layerfs_dir_inode_operations;
		inode->i_fop = &layerfs_dir_operations;
		break;
	case S_IFREG:
		inode->i_op = &layerfs_file_inode_operations;
		inode->i_fop = &layerfs_file_operations;
		break;
	case S_IFLNK:
		inode->i_op = &layerfs_symlink_inode_operations;
		break;
	default:
		inode->i_op = &layerfs_special_inode_operations;
		init_special_inode(inode, mode, realinode->i_rdev);
		break;
	}
	return 0;
}

/**
 * layerfs_new_inode - the layerfs inode of a looked-up or new name
 * @sb:     the layerfs super block
 * @upper:  the object in the upper layer, or NULL
 * @lower:  the objects in lower layers, top first (see struct layerfs_inode)
 * @nlower: number of entries in @lower
 *
 * Returns the inode that another name of the same real object already has,
 * if there is one (see "One layerfs inode per real object" above), else a
 * new inode for @upper and @lower.  Either way the dentry references in
 * @upper and @lower are the inode's on success (an existing inode keeps its
 * own and drops these), and stay the caller's on failure; the array itself
 * stays the caller's.
 *
 * An existing inode keeps the real dentries of the name that made it: an
 * operation on a name's own place in the upper layer (unlink, rename, the
 * whiteout checks in dir.c) looks the name up there and compares inodes.
 *
 * Return: the inode (a reference for the caller) or an ERR_PTR(); -ESTALE
 * when the inode found does not stand for these real objects.
 */
struct inode *layerfs_new_inode(struct super_block *sb, struct dentry *upper,
				const struct layerfs_real *lower,
				unsigned int nlower)
{
	struct inode *inode, *key;
	unsigned int i;
	bool bylower;
	int err;

	key = layerfs_inode_key(sb, upper, lower, nlower, &bylower);

	if (!key) {
		inode = new_inode(sb);
		if (!inode)
			return ERR_PTR(-ENOMEM);
		err = layerfs_init_inode(inode, upper, lower, nlower);
		if (err) {
			iput(inode);
			return ERR_PTR(err);
		}
		return inode;
	}

	inode = iget5_locked(sb, (unsigned long)key, layerfs_inode_test,
			     layerfs_inode_set, key);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (inode->i_state & I_NEW) {
		err = layerfs_init_inode(inode, upper, lower, nlower);
		if (err) {
			iget_failed(inode);
			return ERR_PTR(err);
		}
		unlock_new_inode(inode);
		return inode;
	}

	if (!layerfs_inode_matches(inode, upper, lower, bylower)) {
		pr_warn_ratelimited("%s: inode %lu of %pd2 changed under the mount\n",
				    sb->s_id, inode->i_ino,
				    upper ? upper : lower[0].dentry);
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	dput(upper);
	for (i = 0; i < nlower; i++)
		dput(lower[i].dentry);
	return inode;
}

/**
 * layerfs_set_upper - give an inode the upper object its copy-up made
 * @inode: the layerfs inode; the caller holds its copy-up mutex
 * @upper: the complete copy, in place (the inode takes over the reference)
 *
 * Publishes @upper for layerfs_upper(), then files a non-directory under
 * the upper inode (see "One layerfs inode per real object"): the copy is
 * the object from now on, and a name linked to it later must find this
 * inode.  Until then a lookup can reach the copy only through the one name
 * the caller installed it at, and that name's dentry, hashed with @inode,
 * answers such a lookup from the dcache.  A copy into the index keeps its
 * lower key (layerfs_index_by_lower()).
 */
void layerfs_set_upper(struct inode *inode, struct dentry *upper)
{
	struct inode *key = d_inode(upper);

	lockdep_assert_held(&LAYERFS_I(inode)->lock);

	/* Pairs with layerfs_upper(): the copy is complete. */
	smp_store_release(&LAYERFS_I(inode)->upper, upper);
	/* an indexed lower hard link stays keyed by its lower inode */
	if (S_ISDIR(inode->i_mode) || LAYERFS_I(inode)->indexed)
		return;
	/*
	 * The rehash is safe because during a copy-up no second name can
	 * reach the lower key or the new upper key: an inode is lower-keyed
	 * with an upper layer only when the lower file's i_nlink is 1, and
	 * the copy is linked nowhere else yet.  A lower filesystem that
	 * reports i_nlink 1 for a hard-linked file breaks this, as it breaks
	 * overlayfs with index=off.
	 */
	remove_inode_hash(inode);
	inode->i_private = key;
	__insert_inode_hash(inode, (unsigned long)key);
}
