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
 * layerfs's own business: they are never listed, and never read or set
 * through the merged view.  A caller who names one gets what the overlayfs
 * of the running kernel gives: EOPNOTSUPP before 6.7; since 6.7 the name is
 * escaped, so that trusted.overlay.X through the mount is the user's own
 * trusted.overlay.overlay.X in the layers (layerfs_escape_name()).
 *
 * POSIX ACLs are xattrs to users (system.posix_acl_access and _default),
 * but only the owner (or CAP_FOWNER) may change one, and the change is made
 * in the upper layer as the mounter, who may change anything: layerfs must
 * check the caller itself before it copies up (layerfs_acl_may_change()),
 * and clear the setgid bit the way the real filesystem would have for the
 * caller (layerfs_acl_kill_sgid()).  Since 6.2 the VFS hands ACLs to
 * layerfs_get_acl()/layerfs_set_acl(); before, to the xattr handlers
 * layerfs_acl_xattr_get()/layerfs_acl_xattr_set() (see compat.h).
 *
 * Core: layerfs_xattr_get(), layerfs_xattr_set() (copy up, then set),
 * layerfs_listxattr() (hide trusted.overlay.*).
 * Edge cases: everything about ACLs (the owner check, setgid, idmapped
 * layers, the 6.1 xattr handlers) and the escaping of the user's own
 * trusted.overlay.* names.
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

	/*
	 * A name whose object was copied up through another name (index=on)
	 * is not linked up for an xattr, as on overlayfs (ovl_xattr_set()
	 * copies up only an inode without an upper object): the change goes
	 * to the shared upper object.
	 */
	if (layerfs_upper(d_inode(dentry)))
		err = layerfs_want_write(sb);
	else
		err = layerfs_copy_up_for_write(dentry);
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
 * layerfs_acl_idmap - an ACL of a real object, as its layer's mount shows it
 * @idmap:     the idmapping of the layer's mount
 * @realinode: the real inode the ACL belongs to
 * @acl:       the ACL as the real filesystem keeps it (consumed), NULL or
 *             an ERR_PTR
 *
 * A layer may be an idmapped mount: stat() through it shows mapped owners,
 * so the users and groups its ACLs name must be mapped the same way before
 * layerfs uses them in a permission check, hands them to getfacl or copies
 * them up.  The real ACL is shared (the real inode caches it), so a copy is
 * translated.  With a mount that is not idmapped the copy equals @acl:
 * callers on hot paths check is_idmapped_mnt() first.
 *
 * Return: the translated ACL (a new reference), or @acl itself when it is
 * NULL or an ERR_PTR, or ERR_PTR(-ENOMEM).
 */
struct posix_acl *layerfs_acl_idmap(struct layerfs_idmap *idmap,
				    const struct inode *realinode,
				    struct posix_acl *acl)
{
	struct user_namespace *fs_userns = i_user_ns(realinode);
	struct posix_acl_entry *e, *end;
	struct posix_acl *clone;

	if (IS_ERR_OR_NULL(acl))
		return acl;
	clone = posix_acl_clone(acl, GFP_KERNEL);
	posix_acl_release(acl);
	if (!clone)
		return ERR_PTR(-ENOMEM);

	FOREACH_ACL_ENTRY(e, clone, end) {
		if (e->e_tag == ACL_USER)
			e->e_uid = vfsuid_into_kuid(make_vfsuid(idmap, fs_userns,
								e->e_uid));
		else if (e->e_tag == ACL_GROUP)
			e->e_gid = vfsgid_into_kgid(make_vfsgid(idmap, fs_userns,
								e->e_gid));
	}
	return clone;
}

/**
 * layerfs_copy_acl - copy one POSIX ACL to a copy-up in progress
 * @old_idmap: idmapping of the lower object's mount
 * @old:       the lower object
 * @new_idmap: idmapping of the upper layer's mount
 * @new:       its copy, in the work directory; mounter's credentials
 * @name:      system.posix_acl_access or system.posix_acl_default
 *
 * Only called since 6.2 (layerfs_is_acl_xattr()): before, ACLs are xattrs
 * and copy as such.  The copy names the users the lower mount shows
 * (layerfs_acl_idmap()), as the copied owner does.
 *
 * Return: 0 (also when @old has no such ACL) or a negative errno.
 */
int layerfs_copy_acl(struct layerfs_idmap *old_idmap, struct dentry *old,
		     struct layerfs_idmap *new_idmap, struct dentry *new,
		     const char *name)
{
	struct posix_acl *acl = layerfs_vfs_get_acl(old_idmap, old, name);
	int err;

	if (acl == ERR_PTR(-ENODATA) || acl == ERR_PTR(-EOPNOTSUPP))
		return 0;
	acl = layerfs_acl_idmap(old_idmap, d_inode(old), acl);
	if (IS_ERR_OR_NULL(acl))
		return PTR_ERR_OR_ZERO(acl);
	err = layerfs_vfs_set_acl(new_idmap, new, name, acl);
	posix_acl_release(acl);
	return err;
}

/**
 * layerfs_get_acl - inode_operations.get_acl (getfacl, since 6.2)
 * @idmap:  the idmapping of the layerfs mount
 * @dentry: the layerfs object
 * @type:   ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * The real object's ACL, read as the mounter and mapped through its
 * layer's mount.  Nothing is cached in the layerfs inode (see
 * layerfs_get_inode_acl()).
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
	if (acl == ERR_PTR(-ENODATA))
		return NULL;
	if (is_idmapped_mnt(real.layer->root.mnt))
		acl = layerfs_acl_idmap(layerfs_real_idmap(&real),
					d_inode(real.dentry), acl);
	return acl;
}

/*
 * May the caller set (@set) or remove the @type ACL of @inode?  These are
 * set_posix_acl()'s checks, made on the layerfs inode before anything is
 * copied up, because the change itself is made as the mounter, whom the
 * upper filesystem lets do anything.  Removing a default ACL from a
 * non-directory is allowed and does nothing: the caller must return 0
 * without changing anything.
 */
static int layerfs_acl_may_change(struct layerfs_idmap *idmap,
				  struct inode *inode, int type, bool set)
{
	struct super_block *sb = inode->i_sb;
	struct layerfs_real real;

	if (!LAYERFS_FS(sb)->has_upper)
		return -EROFS;
	/* The ACL will live in the upper layer: can that hold ACLs at all? */
	if (!IS_POSIXACL(d_inode(layerfs_upper_layer(sb)->root.dentry)))
		return -EOPNOTSUPP;
	layerfs_real(inode, &real);
	if (!d_inode(real.dentry)->i_op->set_acl)
		return -EOPNOTSUPP;
	if (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode))
		return set ? -EACCES : 0;
	if (!inode_owner_or_capable(idmap, inode))
		return -EPERM;
	return 0;
}

/*
 * A new access ACL clears the setgid bit when the caller is neither in the
 * file's group nor has CAP_FSETID, as chmod would (posix_acl_update_mode()).
 * The upper filesystem would do this itself, but it sees the mounter, who
 * has CAP_FSETID: clear the bit first, as the caller, through setattr
 * (which copies up).  Called with the layerfs inode locked, as setattr is.
 */
static int layerfs_acl_kill_sgid(struct layerfs_idmap *idmap,
				 struct dentry *dentry, int type)
{
	struct inode *inode = d_inode(dentry);
	struct iattr attr = { .ia_valid = ATTR_KILL_SGID };

	if (type != ACL_TYPE_ACCESS || !(inode->i_mode & S_ISGID))
		return 0;
	if (vfsgid_in_group_p(i_gid_into_vfsgid(idmap, inode)) ||
	    capable_wrt_inode_uidgid(idmap, inode, CAP_FSETID))
		return 0;
	return layerfs_setattr(idmap, dentry, &attr);
}

/**
 * layerfs_set_acl - inode_operations.set_acl (setfacl, since 6.2)
 * @idmap:  the idmapping of the layerfs mount
 * @dentry: the layerfs object, locked by the VFS
 * @acl:    the new ACL, or NULL to remove it
 * @type:   ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * The VFS has checked the caller (owner or CAP_FOWNER) and the ACL;
 * layerfs_acl_may_change() adds what only layerfs can know (can the upper
 * layer hold an ACL?).  Then the setgid bit is cleared if the caller's
 * change should clear it, the object is copied up and the upper object's
 * ACL set as the mounter.  The upper filesystem updates the mode an access
 * ACL implies, and the layerfs inode mirrors it.  Removing an ACL the lower
 * object lacks fails with ENODATA and copies nothing up (unless clearing
 * setgid did), as removexattr does.
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

	err = layerfs_acl_may_change(idmap, inode, type, !!acl);
	if (err || (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode)))
		return err;
	err = layerfs_acl_kill_sgid(idmap, dentry, type);
	if (err)
		return err;

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

/*
 * The name in the layers of trusted.overlay.@name (@name is what follows the
 * prefix), on kernels that escape (layerfs_escape_private_xattrs()).  A
 * name too long to escape is not supported, as on overlayfs.
 */
static char *layerfs_escape_name(const char *name)
{
	char *escaped;

	if (sizeof(LAYERFS_XATTR_ESCAPED_PREFIX) - 1 + strlen(name) >
	    XATTR_NAME_MAX)
		return ERR_PTR(-EOPNOTSUPP);
	escaped = kasprintf(GFP_KERNEL, LAYERFS_XATTR_ESCAPED_PREFIX "%s",
			    name);
	return escaped ?: ERR_PTR(-ENOMEM);
}

static int layerfs_private_xattr_get(const struct xattr_handler *handler,
				     struct dentry *dentry, struct inode *inode,
				     const char *name, void *buffer,
				     size_t size)
{
	char *escaped;
	int res;

	if (!layerfs_escape_private_xattrs())
		return -EOPNOTSUPP;
	escaped = layerfs_escape_name(name);
	if (IS_ERR(escaped))
		return PTR_ERR(escaped);
	res = layerfs_xattr_get(handler, dentry, inode, escaped, buffer, size);
	kfree(escaped);
	return res;
}

static int layerfs_private_xattr_set(const struct xattr_handler *handler,
				     struct layerfs_idmap *idmap,
				     struct dentry *dentry, struct inode *inode,
				     const char *name, const void *value,
				     size_t size, int flags)
{
	char *escaped;
	int err;

	if (!layerfs_escape_private_xattrs())
		return -EOPNOTSUPP;
	escaped = layerfs_escape_name(name);
	if (IS_ERR(escaped))
		return PTR_ERR(escaped);
	err = layerfs_xattr_set(handler, idmap, dentry, inode, escaped, value,
				size, flags);
	kfree(escaped);
	return err;
}

/*
 * Before 6.2 only (LAYERFS_ACL_XATTR_HANDLERS): getfacl reads the real
 * object's ACL like any xattr.  handler->name is the full name: the VFS
 * passes the empty rest of it.
 */
static int layerfs_acl_xattr_get(const struct xattr_handler *handler,
				 struct dentry *dentry, struct inode *inode,
				 const char *name, void *buffer, size_t size)
{
	return layerfs_xattr_get(handler, dentry, inode, handler->name, buffer,
				 size);
}

/*
 * Before 6.2 only: setfacl, as layerfs_set_acl() does since 6.2, but the
 * VFS has checked nothing yet: a malformed ACL is refused first, then the
 * caller is checked, the setgid bit cleared if it must be, and the ACL set
 * on the upper copy as the xattr it is.  A value that holds no entries
 * counts as a removal, as the real handler takes it.
 */
static int layerfs_acl_xattr_set(const struct xattr_handler *handler,
				 struct layerfs_idmap *idmap,
				 struct dentry *dentry, struct inode *inode,
				 const char *name, const void *value,
				 size_t size, int flags)
{
	int type = handler->flags;
	struct posix_acl *acl;
	bool set = false;
	int err;

	if (value) {
		acl = layerfs_acl_from_xattr(value, size);
		if (IS_ERR(acl))
			return PTR_ERR(acl);
		set = !!acl;
		posix_acl_release(acl);
	}

	err = layerfs_acl_may_change(idmap, inode, type, set);
	if (err || (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode)))
		return err;
	err = layerfs_acl_kill_sgid(idmap, dentry, type);
	if (err)
		return err;
	return layerfs_xattr_set(handler, idmap, dentry, inode, handler->name,
				 value, size, flags);
}

/* system.posix_acl_access and _default, before 6.2 (see compat.h) */
static const struct xattr_handler layerfs_acl_access_xattr_handler __maybe_unused = {
	.name	= XATTR_NAME_POSIX_ACL_ACCESS,
	.flags	= ACL_TYPE_ACCESS,
	.get	= layerfs_acl_xattr_get,
	.set	= layerfs_acl_xattr_set,
};

static const struct xattr_handler layerfs_acl_default_xattr_handler __maybe_unused = {
	.name	= XATTR_NAME_POSIX_ACL_DEFAULT,
	.flags	= ACL_TYPE_DEFAULT,
	.get	= layerfs_acl_xattr_get,
	.set	= layerfs_acl_xattr_set,
};

/*
 * trusted.overlay.*: refused, or escaped since 6.7.  Listed before the
 * catch-all, so it wins.
 */
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

/* The first handler whose name or prefix matches serves a name. */
const struct xattr_handler *layerfs_xattr_handlers[] = {
#ifdef LAYERFS_ACL_XATTR_HANDLERS
	&layerfs_acl_access_xattr_handler,
	&layerfs_acl_default_xattr_handler,
#endif
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
	const size_t prefix_len = sizeof(LAYERFS_XATTR_PREFIX) - 1;
	const size_t escape_len = sizeof(LAYERFS_XATTR_ESCAPED_PREFIX) -
				  sizeof(LAYERFS_XATTR_PREFIX);
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

	/*
	 * Filter in place: keep the names the caller may see, and show an
	 * escaped trusted.overlay.overlay.X as the trusted.overlay.X the user
	 * set.  Names only shrink, so the write position never passes the
	 * read position.
	 */
	res = 0;
	for (name = buf; name < buf + len; name += slen) {
		slen = strlen(name) + 1;
		if (!layerfs_can_list(name, trusted_ok))
			continue;
		if (layerfs_is_escaped_xattr(name)) {
			memmove(buf + res, name, prefix_len);
			memmove(buf + res + prefix_len,
				name + prefix_len + escape_len,
				slen - prefix_len - escape_len);
			res += slen - escape_len;
			continue;
		}
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
