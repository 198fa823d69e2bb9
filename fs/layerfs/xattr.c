// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attributes of the merged view.
 *
 * Reading an xattr reads it from the real object; setting or removing one
 * copies the object up and changes the upper object.  The VFS has already
 * checked the caller (e.g. CAP_SYS_ADMIN for trusted.*) against the layerfs
 * inode; the real read is made with the mounter's credentials.
 *
 * The xattrs that describe the layers themselves (trusted.overlay.*) are
 * layerfs's own business: they are never listed, and reading one through the
 * merged view fails with EOPNOTSUPP, as on overlayfs.
 */

#include <linux/fs.h>
#include <linux/xattr.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "layerfs.h"

static const char *layerfs_acl_name(int type)
{
	return type == ACL_TYPE_ACCESS ? XATTR_NAME_POSIX_ACL_ACCESS :
					 XATTR_NAME_POSIX_ACL_DEFAULT;
}

/*
 * Setting or removing an xattr or an ACL changes the upper object: copy the
 * object up, take write access to the upper layer, and switch to the
 * mounter's credentials.  Returns the upper object or an ERR_PTR; after a
 * success, layerfs_change_end() gives back what this took.
 */
static struct dentry *layerfs_change_begin(struct dentry *dentry,
					   const struct cred **old_cred)
{
	struct super_block *sb = dentry->d_sb;
	int err;

	err = layerfs_copy_up(dentry);
	if (err)
		return ERR_PTR(err);
	err = layerfs_want_write(sb);
	if (err)
		return ERR_PTR(err);
	*old_cred = layerfs_override_creds(sb);
	return layerfs_upper(d_inode(dentry));
}

/* The end of a change: the inode mirrors the new mode and ctime. */
static void layerfs_change_end(struct dentry *dentry,
			       const struct cred *old_cred)
{
	revert_creds(old_cred);
	layerfs_copyattr(d_inode(dentry));
	layerfs_drop_write(dentry->d_sb);
}

/**
 * layerfs_get_acl - inode_operations.get_acl (getfacl, since 6.2)
 * @idmap:  the idmapping of the layerfs mount
 * @dentry: the layerfs object
 * @type:   ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * The real object's ACL, read as the mounter.  Nothing is cached in the
 * layerfs inode (see layerfs_get_inode_acl()).
 *
 * Return: the ACL, NULL when there is none, or an ERR_PTR.
 */
struct posix_acl *layerfs_get_acl(struct layerfs_idmap *idmap,
				  struct dentry *dentry, int type)
{
	struct inode *inode = d_inode(dentry);
	const struct cred *old_cred;
	struct layerfs_real real;
	struct posix_acl *acl;

	layerfs_real(inode, &real);
	if (!IS_POSIXACL(d_inode(real.dentry)))
		return NULL;

	old_cred = layerfs_override_creds(inode->i_sb);
	acl = layerfs_vfs_get_acl(layerfs_real_idmap(&real), real.dentry,
				  layerfs_acl_name(type));
	revert_creds(old_cred);
	return acl == ERR_PTR(-ENODATA) ? NULL : acl;
}

/**
 * layerfs_set_acl - inode_operations.set_acl (setfacl, since 6.2)
 * @idmap:  the idmapping of the layerfs mount
 * @dentry: the layerfs object
 * @acl:    the new ACL, or NULL to remove it
 * @type:   ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * Like setxattr: the VFS has checked the caller (owner or CAP_FOWNER); the
 * object is copied up and the upper object's ACL set as the mounter.  The
 * upper filesystem updates the mode an access ACL implies, and the layerfs
 * inode mirrors it.  Removing an ACL the lower object lacks fails with
 * ENODATA and copies nothing up, as removexattr does.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_set_acl(struct layerfs_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type)
{
	struct inode *inode = d_inode(dentry);
	const struct cred *old_cred;
	struct posix_acl *old;
	struct dentry *upper;
	int err;

	if (!acl && !layerfs_upper(inode)) {
		old = layerfs_get_acl(idmap, dentry, type);
		if (IS_ERR_OR_NULL(old))
			return old ? PTR_ERR(old) : -ENODATA;
		posix_acl_release(old);
	}

	upper = layerfs_change_begin(dentry, &old_cred);
	if (IS_ERR(upper))
		return PTR_ERR(upper);
	err = layerfs_vfs_set_acl(layerfs_upper_idmap(inode->i_sb), upper,
				  layerfs_acl_name(type), acl);
	layerfs_change_end(dentry, old_cred);
	return err;
}

static int layerfs_xattr_get(const struct xattr_handler *handler,
			     struct dentry *dentry, struct inode *inode,
			     const char *name, void *buffer, size_t size)
{
	const struct cred *old_cred;
	struct layerfs_real real;
	ssize_t res;

	layerfs_real(inode, &real);
	old_cred = layerfs_override_creds(inode->i_sb);
	res = vfs_getxattr(layerfs_real_idmap(&real), real.dentry, name, buffer,
			   size);
	revert_creds(old_cred);
	return res;
}

/*
 * Setting (or, with a NULL @value, removing) an xattr copies the object up
 * and changes the upper object.  The VFS has checked the caller's right to
 * change @name on the layerfs inode.
 */
static int layerfs_xattr_set(const struct xattr_handler *handler,
			     struct layerfs_idmap *idmap,
			     struct dentry *dentry, struct inode *inode,
			     const char *name, const void *value, size_t size,
			     int flags)
{
	struct layerfs_idmap *upper_idmap = layerfs_upper_idmap(inode->i_sb);
	const struct cred *old_cred;
	struct dentry *upper;
	int err;

	/* Removing a name the lower object lacks must not copy it up. */
	if (!value && !layerfs_upper(inode)) {
		err = layerfs_xattr_get(handler, dentry, inode, name, NULL, 0);
		if (err < 0)
			return err;
	}

	upper = layerfs_change_begin(dentry, &old_cred);
	if (IS_ERR(upper))
		return PTR_ERR(upper);
	if (value)
		err = vfs_setxattr(upper_idmap, upper, name, value, size,
				   flags);
	else
		err = vfs_removexattr(upper_idmap, upper, name);
	layerfs_change_end(dentry, old_cred);
	return err;
}

static int layerfs_private_xattr_get(const struct xattr_handler *handler,
				     struct dentry *dentry, struct inode *inode,
				     const char *name, void *buffer,
				     size_t size)
{
	return -EOPNOTSUPP;
}

static int layerfs_private_xattr_set(const struct xattr_handler *handler,
				     struct layerfs_idmap *idmap,
				     struct dentry *dentry, struct inode *inode,
				     const char *name, const void *value,
				     size_t size, int flags)
{
	return -EOPNOTSUPP;
}

/* trusted.overlay.*: hidden.  Listed first, so it wins over the catch-all. */
static const struct xattr_handler layerfs_private_xattr_handler = {
	.prefix	= LAYERFS_XATTR_PREFIX,
	.get	= layerfs_private_xattr_get,
	.set	= layerfs_private_xattr_set,
};

/* Every other name (the empty prefix matches all) goes to the real object. */
static const struct xattr_handler layerfs_other_xattr_handler = {
	.prefix	= "",
	.get	= layerfs_xattr_get,
	.set	= layerfs_xattr_set,
};

const struct xattr_handler *layerfs_xattr_handlers[] = {
	&layerfs_private_xattr_handler,
	&layerfs_other_xattr_handler,
	NULL
};

/*
 * Should @name be listed to the caller?  trusted.* names are listed only to
 * a caller who could read them, as the real filesystem would do: the real
 * list was fetched with the mounter's credentials, which may see more.
 */
static bool layerfs_can_list(const char *name, bool trusted_ok)
{
	if (layerfs_is_private_xattr(name))
		return false;
	if (!strncmp(name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN))
		return trusted_ok;
	return true;
}

/**
 * layerfs_listxattr - inode_operations.listxattr
 * @dentry: the layerfs object
 * @list:   where to put the NUL-separated names, or NULL when @size is 0
 * @size:   room in @list; 0 asks for the size needed
 *
 * The real list is always fetched whole and filtered, so the size reported
 * for @size == 0 is exactly the size a second call fills.
 *
 * Return: the length of the filtered list, or a negative errno (-ERANGE
 * when it does not fit in @size).
 */
ssize_t layerfs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	bool trusted_ok = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	const struct cred *old_cred;
	struct path realpath;
	ssize_t len, res;
	char *buf, *name;
	size_t slen;

	layerfs_real_path(d_inode(dentry), &realpath);
	old_cred = layerfs_override_creds(dentry->d_sb);
	len = vfs_listxattr(realpath.dentry, NULL, 0);
	if (len <= 0) {
		res = len;
		goto out_revert;
	}

	buf = kvmalloc(len, GFP_KERNEL);
	res = -ENOMEM;
	if (!buf)
		goto out_revert;

	len = vfs_listxattr(realpath.dentry, buf, len);
	revert_creds(old_cred);
	if (len < 0) {
		res = len;
		goto out_free;
	}

	/* Filter in place: keep the names the caller may see. */
	res = 0;
	for (name = buf; name < buf + len; name += slen) {
		slen = strlen(name) + 1;
		if (!layerfs_can_list(name, trusted_ok))
			continue;
		memmove(buf + res, name, slen);
		res += slen;
	}

	if (size) {
		if (res > size)
			res = -ERANGE;
		else
			memcpy(list, buf, res);
	}
out_free:
	kvfree(buf);
	return res;

out_revert:
	revert_creds(old_cred);
	return res;
}
