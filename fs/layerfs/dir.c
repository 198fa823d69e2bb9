// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - namespace operations of the merged view: create, mkdir, mknod,
 * symlink, link, tmpfile, unlink, rmdir and rename.
 *
 * Every change lands in the upper layer; the parent directory is copied up
 * first.  Two on-disk conventions, shared with overlayfs, make a change to
 * a name that also exists in a lower layer stick:
 *
 *  - removing such a name leaves a whiteout (a 0/0 character device) in
 *    the upper layer, which hides the name in every layer below;
 *  - a directory made where a whiteout stood is marked opaque, so that the
 *    lower directory of the same name stays hidden.
 *
 *	unlink("a"), "a" only in lower:   upper: a (whiteout)
 *	mkdir("a") after that:            upper: a/ (opaque, replaces whiteout)
 *
 * Swaps of an upper object with a whiteout or a new object are made in the
 * work directory and exchanged into place with RENAME_EXCHANGE, so that the
 * name is never missing, even after a crash.
 *
 * The VFS calls these with the layerfs parent(s) locked (and the victim,
 * for unlink, rmdir and rename).  Upper objects are created with the
 * mounter's credentials but the caller's fsuid and fsgid, so they belong to
 * the caller.
 *
 * Core: layerfs_make() and layerfs_create_object() (a new upper object),
 * layerfs_create_over_whiteout() (opaque directory over a whiteout),
 * layerfs_remove(), layerfs_remove_whiteout(), layerfs_remove_upper(),
 * layerfs_lower_positive(), layerfs_rename() and layerfs_rename_upper()
 * (the case table above layerfs_rename()), layerfs_link().
 * Edge cases: the caller's ownership, setgid directories and LSM labels of
 * new objects (layerfs_override_creator()), default ACLs of an object made
 * in work/ (layerfs_inherit_acls()), O_TMPFILE (layerfs_tmpfile()), link
 * counts of hard links (layerfs_name_gone()), the upper layer changed under
 * the mount (layerfs_upper_matches(), ESTALE).
 */

#include <linux/fs.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/security.h>
#include "layerfs.h"
#include "trace.h"

/*
 * Act as the mounter, but own the new object @attr names at @dentry as the
 * caller.  Returns the credentials to give back to layerfs_revert_creator().
 *
 * A setgid directory gives new objects its own group.  The upper filesystem
 * applies that rule to an object made in place, but one that replaces a
 * whiteout is made in work/ and moved: asking for the directory's group as
 * the fsgid gives both the same owner.
 *
 * An LSM (SELinux, Smack) labels a new object from the creating task and
 * the directory.  security_dentry_create_files_as() computes that label for
 * the caller and the layerfs directory, and stores it in the credentials
 * the real object is made with, as overlayfs does (ovl_create_or_link()):
 * otherwise the object would get the mounter's label, or work/'s.  A hard
 * link keeps its object's label, so it is not asked.
 */
static const struct cred *layerfs_override_creator(struct dentry *dentry,
						   const struct layerfs_cattr *attr,
						   struct cred **creator)
{
	struct inode *dir = d_inode(dentry->d_parent);
	kuid_t fsuid = current_fsuid();
	kgid_t fsgid = dir->i_mode & S_ISGID ? dir->i_gid : current_fsgid();
	const struct cred *caller = current_cred();
	const struct cred *old_cred;
	struct cred *cred;
	int err;

	old_cred = layerfs_override_creds(dentry->d_sb);
	cred = prepare_creds();		/* a copy of the mounter's */
	revert_creds(old_cred);
	if (!cred)
		return ERR_PTR(-ENOMEM);

	cred->fsuid = fsuid;
	cred->fsgid = fsgid;
	if (!attr->hardlink) {
		err = security_dentry_create_files_as(dentry, attr->mode,
						      &dentry->d_name, caller,
						      cred);
		if (err) {
			put_cred(cred);
			return ERR_PTR(err);
		}
	}
	*creator = cred;
	return override_creds(cred);
}

static void layerfs_revert_creator(const struct cred *old_cred,
				   struct cred *creator)
{
	revert_creds(old_cred);
	put_cred(creator);
}

/*
 * Does a lower layer have @dentry's name (not whited out)?  Then removing
 * or moving the name away must leave a whiteout.  Mounter's credentials.
 */
static bool layerfs_lower_positive(struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct layerfs_inode *parent = LAYERFS_I(d_inode(dentry->d_parent));
	const struct qstr *name = &dentry->d_name;
	unsigned int i;

	/*
	 * An object not yet copied up is where its lower part is.  Once it
	 * has an upper part it may have been renamed away from its lower
	 * origin, so ask the lower layers about the name itself.
	 */
	if (inode && !layerfs_upper(inode) && LAYERFS_I(inode)->nlower)
		return true;

	for (i = 0; i < parent->nlower; i++) {
		struct dentry *this;
		bool positive, whiteout;

		this = lookup_one_len_unlocked(name->name,
					       parent->lower[i].dentry,
					       name->len);
		if (IS_ERR(this))
			return true;	/* when unsure, hide */
		positive = d_is_positive(this);
		whiteout = layerfs_is_whiteout(parent->lower[i].layer, this);
		dput(this);
		if (whiteout)
			return false;
		if (positive)
			return true;
	}
	return false;
}

/*
 * What creating @temp in @upperdir would have given it, for an object of
 * @mode created in work/ instead: the ACLs the directory's default ACL
 * passes on, and the permission bits they imply.  Where the directory has
 * no default ACL, posix_acl_create() applies the umask, as the creation in
 * work/ did already, and nothing changes.
 *
 * posix_acl_create() gives ACLs as the filesystem keeps them, and for a
 * directory the default one is @upperdir's own cached ACL, shared with
 * every reader.  layerfs_vfs_set_acl() wants ACLs as the upper mount shows
 * them and rewrites them in place, so it gets private copies translated
 * through the upper mount (layerfs_acl_idmap()), which it translates back.
 */
/* LAB whiteout: helper */
static int layerfs_inherit_acls(struct super_block *sb,
				struct dentry *upperdir, struct dentry *temp,
				umode_t mode)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	struct posix_acl *default_acl, *acl;
	umode_t old_mode = d_inode(temp)->i_mode;
	int err;

	err = posix_acl_create(d_inode(upperdir), &mode, &default_acl, &acl);
	if (err)
		return err;
	acl = layerfs_acl_idmap(idmap, d_inode(upperdir), acl);
	default_acl = layerfs_acl_idmap(idmap, d_inode(upperdir), default_acl);
	if (IS_ERR(acl) || IS_ERR(default_acl)) {
		err = IS_ERR(acl) ? PTR_ERR(acl) : PTR_ERR(default_acl);
		goto out_release;
	}

	if ((old_mode & 0777) != (mode & 0777))
		err = layerfs_set_mode(sb, temp,
				       (old_mode & ~0777) | (mode & 0777));
	if (!err && acl)
		err = layerfs_vfs_set_acl(idmap, temp,
					  XATTR_NAME_POSIX_ACL_ACCESS, acl);
	if (!err && default_acl)
		err = layerfs_vfs_set_acl(idmap, temp,
					  XATTR_NAME_POSIX_ACL_DEFAULT,
					  default_acl);
out_release:
	if (!IS_ERR(acl))
		posix_acl_release(acl);
	if (!IS_ERR(default_acl))
		posix_acl_release(default_acl);
	return err;
}

/*
 * Replace the whiteout at @name in @upperdir with a new object, built in
 * the work directory and exchanged into place.  A new directory is made
 * opaque first: the lower directory the whiteout hid must stay hidden.
 * Returns the new upper object.
 */
/* LAB whiteout: stub returns ERR_PTR(-EOPNOTSUPP) */
static struct dentry *layerfs_create_over_whiteout(struct super_block *sb,
						   struct dentry *upperdir,
						   const struct qstr *name,
						   const struct layerfs_cattr *attr)
{
	struct dentry *work = LAYERFS_FS(sb)->work;
	struct dentry *temp, *whiteout, *trap;
	int err;

	temp = layerfs_create_temp(sb, attr);
	if (IS_ERR(temp))
		return temp;

	if (S_ISDIR(attr->mode)) {
		err = layerfs_set_opaque(sb, temp);
		/*
		 * A directory made in a setgid directory is setgid too.
		 * mkdir() in work/ could not know that, and ignores S_ISGID in
		 * the mode it is given.  The fsgid is the directory's group
		 * already (layerfs_override_creator()), so the chmod may keep
		 * the bit.
		 */
		if (!err && (d_inode(upperdir)->i_mode & S_ISGID))
			err = layerfs_set_mode(sb, temp,
					       d_inode(temp)->i_mode | S_ISGID);
		if (err)
			goto out_cleanup;
	}
	if (!attr->hardlink && !S_ISLNK(attr->mode)) {
		err = layerfs_inherit_acls(sb, upperdir, temp, attr->mode);
		if (err)
			goto out_cleanup;
	}

	trap = lock_rename(work, upperdir);
	err = PTR_ERR(trap);
	if (IS_ERR(trap))
		goto out_cleanup;
	whiteout = lookup_one_len(name->name, upperdir, name->len);
	err = PTR_ERR(whiteout);
	if (IS_ERR(whiteout)) {
		unlock_rename(work, upperdir);
		goto out_cleanup;
	}
	err = -ESTALE;
	if (layerfs_is_whiteout(layerfs_upper_layer(sb), whiteout) &&
	    trap != temp)
		err = layerfs_do_rename(sb, d_inode(work), temp,
					d_inode(upperdir), whiteout,
					RENAME_EXCHANGE);
	unlock_rename(work, upperdir);

	/* The whiteout now sits in work/ under the temporary name. */
	if (!err)
		layerfs_cleanup_entry(sb, work, whiteout, 0);
	dput(whiteout);
	if (!err)
		return temp;
out_cleanup:
	layerfs_cleanup_entry(sb, work, temp, 0);
	dput(temp);
	return ERR_PTR(err);
}

/*
 * Create @dentry (negative in the merged view) as @attr in the upper layer.
 * For a hard link (@attr->hardlink), @inode is the layerfs inode of the
 * source, which the new name shares; otherwise NULL.  The caller copied
 * the parent up, then took write access to the upper layer (copy-up must
 * come first: see layerfs_copy_up_flags()).
 */
static int layerfs_create_object(struct dentry *dentry,
				 const struct layerfs_cattr *attr,
				 struct inode *inode)
{
	struct dentry *parent = dentry->d_parent;
	struct super_block *sb = dentry->d_sb;
	const struct qstr *name = &dentry->d_name;
	struct dentry *upperdir, *newdentry;
	const struct cred *old_cred;
	struct cred *creator;
	struct inode *udir;
	int err;

	upperdir = layerfs_upper(d_inode(parent));
	udir = d_inode(upperdir);

	old_cred = layerfs_override_creator(dentry, attr, &creator);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);

	inode_lock_nested(udir, I_MUTEX_PARENT);
	newdentry = lookup_one_len(name->name, upperdir, name->len);
	if (IS_ERR(newdentry)) {
		inode_unlock(udir);
		err = PTR_ERR(newdentry);
		goto out_revert;
	}
	if (d_is_negative(newdentry)) {
		err = layerfs_create_real(sb, udir, newdentry, attr);
		if (!err && S_ISDIR(attr->mode))
			layerfs_redirect_new_dir(dentry, newdentry);
		inode_unlock(udir);
	} else {
		inode_unlock(udir);
		err = -EEXIST;
		if (layerfs_is_whiteout(layerfs_upper_layer(sb), newdentry)) {
			dput(newdentry);
			newdentry = layerfs_create_over_whiteout(sb, upperdir,
								 name, attr);
			err = PTR_ERR_OR_ZERO(newdentry);
			if (err)
				goto out_revert;
			if (S_ISDIR(attr->mode))
				layerfs_note_opaque(dentry, newdentry,
						    LAYERFS_OPAQUE_MKDIR);
		}
	}
	if (err) {
		dput(newdentry);
		goto out_revert;
	}

	if (inode) {
		/*
		 * A new name of the source's file gets the source's inode,
		 * which keeps the upper dentry it has.
		 */
		dput(newdentry);
		ihold(inode);
	} else {
		inode = layerfs_new_inode(sb, newdentry, NULL, 0);
		if (IS_ERR(inode)) {
			/*
			 * The upper object exists now: unhash the negative
			 * dentry, so that the next lookup finds it instead of
			 * ENOENT.
			 */
			d_drop(dentry);
			dput(newdentry);
			err = PTR_ERR(inode);
			goto out_revert;
		}
	}
	d_instantiate(dentry, inode);
	layerfs_copyattr(d_inode(parent));
out_revert:
	layerfs_revert_creator(old_cred, creator);
	return err;
}

/* create, mkdir, mknod and symlink differ only in what they create. */
static int layerfs_make(struct inode *dir, struct dentry *dentry,
			struct layerfs_cattr *attr)
{
	struct dentry *upper_root = layerfs_upper_layer(dir->i_sb)->root.dentry;
	int err;

	/*
	 * layerfs sets SB_POSIXACL, so the VFS left the umask out of the mode:
	 * a default ACL of the parent would replace it.  An upper filesystem
	 * with ACLs applies one or the other when the real object is created;
	 * for one without, the umask is applied here.
	 */
	if (!IS_POSIXACL(d_inode(upper_root)) && !S_ISLNK(attr->mode))
		attr->mode &= ~current_umask();

	err = layerfs_copy_up_for_write(dentry->d_parent);
	if (err)
		return err;
	err = layerfs_create_object(dentry, attr, NULL);
	layerfs_drop_write(dir->i_sb);
	return err;
}

static int layerfs_create(struct layerfs_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode, bool excl)
{
	struct layerfs_cattr attr = { .mode = (mode & 07777) | S_IFREG };

	return layerfs_make(dir, dentry, &attr);
}

static int layerfs_mkdir(struct layerfs_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode)
{
	struct layerfs_cattr attr = { .mode = (mode & 07777) | S_IFDIR };

	return layerfs_make(dir, dentry, &attr);
}

static int layerfs_mknod(struct layerfs_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, dev_t rdev)
{
	struct layerfs_cattr attr = { .mode = mode, .rdev = rdev };

	/* A 0/0 device through the merged view would read as a whiteout. */
	if (S_ISCHR(mode) && rdev == WHITEOUT_DEV)
		return -EPERM;
	return layerfs_make(dir, dentry, &attr);
}

static int layerfs_symlink(struct layerfs_idmap *idmap, struct inode *dir,
			   struct dentry *dentry, const char *link)
{
	struct layerfs_cattr attr = { .mode = S_IFLNK | 0777, .link = link };

	return layerfs_make(dir, dentry, &attr);
}

static int layerfs_link(struct dentry *old, struct inode *dir,
			struct dentry *new)
{
	struct layerfs_cattr attr = { .mode = d_inode(old)->i_mode };
	const struct cred *old_cred;
	bool indexed;
	int err;

	/*
	 * A name of a lower hard link is copied up alone, into a file of its
	 * own: the link is broken, as on overlayfs with index=off.
	 */
	err = layerfs_copy_up(old);
	if (!err)
		err = layerfs_copy_up(new->d_parent);
	if (err)
		return err;
	/*
	 * An indexed file's link count is recorded by a link-up of another
	 * of its names too: hold that off, as layerfs_remove() does, or its
	 * record could miss this link (index.c).
	 */
	indexed = LAYERFS_I(d_inode(old))->indexed;
	if (indexed) {
		err = mutex_lock_interruptible(&LAYERFS_I(d_inode(old))->lock);
		if (err)
			return err;
	}
	err = layerfs_want_write(dir->i_sb);
	if (err)
		goto out_unlock;
	/* an indexed file's link count, before it changes (index.c) */
	err = layerfs_index_nlink_start(d_inode(old));
	if (err)
		goto out_drop_write;
	/* a metadata-only copy: where its data is, for the new name too */
	old_cred = layerfs_override_creds(dir->i_sb);
	err = layerfs_metacopy_set_redirect(old, false);
	revert_creds(old_cred);
	if (err)
		goto out_drop_write;
	attr.hardlink = layerfs_upper(d_inode(old));
	err = layerfs_link_impure(old, new);
	if (!err)
		err = layerfs_create_object(new, &attr, d_inode(old));
	/* The link count comes from the upper file, which has one more. */
	if (!err) {
		layerfs_index_name_added(d_inode(old));
		layerfs_copyattr(d_inode(old));
	}
out_drop_write:
	layerfs_drop_write(dir->i_sb);
out_unlock:
	if (indexed)
		mutex_unlock(&LAYERFS_I(d_inode(old))->lock);
	return err;
}

/*
 * open(O_TMPFILE) in a merged directory: an unnamed file in the upper
 * directory, made as a create would make it (copy the directory up, the
 * mounter's credentials with the caller's fsuid and fsgid, the upper
 * filesystem applying the umask or the directory's default ACL), and
 * opened at once (layerfs_finish_tmpfile()).
 *
 * The real file keeps the open flags: without O_EXCL both the layerfs
 * inode and the real one are I_LINKABLE, so linkat() of the descriptor
 * reaches layerfs_link(), whose source already has its upper object.
 * Until then the layerfs inode has no link, like the real one.
 */
static int layerfs_tmpfile(struct layerfs_idmap *idmap, struct inode *dir,
			   struct file *file, umode_t mode)
{
	struct dentry *dentry = file->f_path.dentry;
	struct layerfs_cattr attr = { .mode = mode };
	struct super_block *sb = dir->i_sb;
	const struct cred *old_cred;
	struct path upperpath;
	struct file *realfile;
	struct inode *inode;
	struct cred *creator;
	int err;

	err = layerfs_copy_up_for_write(dentry->d_parent);
	if (err)
		return err;
	upperpath.mnt = layerfs_upper_layer(sb)->root.mnt;
	upperpath.dentry = layerfs_upper(dir);

	old_cred = layerfs_override_creator(dentry, &attr, &creator);
	err = PTR_ERR(old_cred);
	if (IS_ERR(old_cred))
		goto out_drop_write;
	realfile = layerfs_tmpfile_open(layerfs_upper_idmap(sb), &upperpath,
					mode, file->f_flags, current_cred());
	layerfs_revert_creator(old_cred, creator);
	err = PTR_ERR(realfile);
	if (IS_ERR(realfile))
		goto out_drop_write;

	inode = layerfs_new_inode(sb, dget(realfile->f_path.dentry), NULL, 0);
	if (IS_ERR(inode)) {
		dput(realfile->f_path.dentry);
		fput(realfile);
		err = PTR_ERR(inode);
		goto out_drop_write;
	}
	/*
	 * d_tmpfile() takes away the one link of a new inode; this one
	 * mirrors the real tmpfile, which has none already.
	 */
	set_nlink(inode, 1);
	d_tmpfile(file, inode);
	err = layerfs_finish_tmpfile(file, realfile);
out_drop_write:
	layerfs_drop_write(sb);
	return err;
}

/*
 * Is @real, just looked up by name in the upper layer, still the object
 * layerfs knows as @upper?  Compared by inode, not by dentry: the names of
 * a hard-linked file share one layerfs inode, whose @upper is the dentry of
 * whichever name made it (see layerfs_new_inode()).
 */
static bool layerfs_upper_matches(struct dentry *real, struct dentry *upper)
{
	return d_inode(real) && d_inode(real) == d_inode(upper);
}

/*
 * Remove the upper object @upper at @name in @upperdir, which no lower layer
 * has.  A directory that is empty in the merged view may still hold
 * whiteouts; they hide nothing here and go first.
 */
static int layerfs_remove_upper(struct super_block *sb,
				struct dentry *upperdir,
				const struct qstr *name, struct dentry *upper,
				bool is_dir)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	struct inode *udir = d_inode(upperdir);
	struct dentry *real;
	int err;

	if (is_dir) {
		err = layerfs_cleanup_dir(sb, upper, 0);
		if (err)
			return err;
	}

	inode_lock_nested(udir, I_MUTEX_PARENT);
	real = lookup_one_len(name->name, upperdir, name->len);
	err = PTR_ERR(real);
	if (IS_ERR(real))
		goto out_unlock;
	err = -ESTALE;
	if (layerfs_upper_matches(real, upper))
		err = is_dir ? vfs_rmdir(idmap, udir, real) :
			       vfs_unlink(idmap, udir, real, NULL);
	dput(real);
out_unlock:
	inode_unlock(udir);
	return err;
}

/*
 * Hide @name in @upperdir, which some lower layer has: put a whiteout there,
 * in place of the upper object @upper if there is one.
 *
 * The whiteout is made in work/ and moved into place, as overlayfs does,
 * never created in @upperdir itself: work/ has no default ACL, so the
 * whiteout gets no ACL of its own, whatever @upperdir passes on.
 */
/* LAB whiteout: stub returns -EOPNOTSUPP */
static int layerfs_remove_whiteout(struct super_block *sb,
				   struct dentry *upperdir,
				   const struct qstr *name,
				   struct dentry *upper)
{
	struct layerfs_cattr wh = { .mode = S_IFCHR, .rdev = WHITEOUT_DEV };
	struct dentry *work = LAYERFS_FS(sb)->work;
	struct inode *udir = d_inode(upperdir);
	struct dentry *real, *temp, *trap;
	int err;

	temp = layerfs_create_temp(sb, &wh);
	if (IS_ERR(temp))
		return PTR_ERR(temp);

	trap = lock_rename(work, upperdir);
	err = PTR_ERR(trap);
	if (IS_ERR(trap))
		goto out_cleanup;
	real = lookup_one_len(name->name, upperdir, name->len);
	err = PTR_ERR(real);
	if (!IS_ERR(real)) {
		/*
		 * The upper layer must be as layerfs last saw it: the name
		 * free when there is no upper object, else that object,
		 * which the whiteout swaps places with; and neither end of
		 * the rename an ancestor of the other (the trap).
		 */
		bool in_place = trap != temp && trap != real;

		err = -ESTALE;
		if (in_place && !upper && d_is_negative(real))
			err = layerfs_do_rename(sb, d_inode(work), temp, udir,
						real, 0);
		else if (in_place && upper && layerfs_upper_matches(real, upper))
			err = layerfs_do_rename(sb, d_inode(work), temp, udir,
						real, RENAME_EXCHANGE);
	}
	unlock_rename(work, upperdir);
	if (!err && upper) {
		/*
		 * @real now sits in work/ under the temporary name.  The
		 * lookup's reference is held over the unlink: were the
		 * layerfs inode's the only one, d_delete() would turn its
		 * upper dentry negative under an open file or a later
		 * getattr of the unlinked inode.
		 */
		if (layerfs_cleanup_entry(sb, work, real, 0))
			pr_warn("%pd stays in work/ until the next mount\n",
				real);
	}
	if (!IS_ERR(real))
		dput(real);
	if (!err) {
		dput(temp);
		layerfs_note_whiteout(sb, upperdir, name, !!upper);
		return 0;
	}
out_cleanup:
	layerfs_cleanup_entry(sb, work, temp, 0);
	dput(temp);
	return err;
}

/*
 * The link count of @inode after one of its names was removed or renamed
 * over: that of its upper file, which counts the names left (hard links
 * share one inode), or none for a directory or an object without an upper
 * file (a lower-only inode has no other name on a writable mount).
 */
static void layerfs_name_gone(struct inode *inode)
{
	struct dentry *upper = layerfs_upper(inode);

	if (layerfs_index_name_gone(inode))
		return;		/* indexed: counted by layerfs (index.c) */
	if (S_ISDIR(inode->i_mode) || !upper)
		clear_nlink(inode);
	else
		set_nlink(inode, d_inode(upper)->i_nlink);
}

static int layerfs_remove(struct inode *dir, struct dentry *dentry,
			  bool is_dir)
{
	struct super_block *sb = dir->i_sb;
	struct inode *inode = d_inode(dentry);
	const struct cred *old_cred;
	struct dentry *upperdir;
	int err;

	if (is_dir) {
		err = layerfs_check_empty_dir(dentry);
		if (err)
			return err;
	}
	err = layerfs_copy_up(dentry->d_parent);
	/* an indexed name is unlinked as an upper link (index.c) */
	if (!err && !is_dir)
		err = layerfs_index_prepare(dentry);
	if (err)
		return err;
	/*
	 * Hold off a copy-up of the victim (an open for writing needs no
	 * lock the VFS holds here): whether it has an upper object decides
	 * between removing that and leaving a whiteout, and a copy landing
	 * in between would make the removal fail or the file come back.
	 * Taken before write access, in copy-up's own order.
	 */
	err = mutex_lock_interruptible(&LAYERFS_I(inode)->lock);
	if (err)
		return err;
	err = layerfs_want_write(sb);
	if (err)
		goto out_unlock;
	err = layerfs_index_nlink_start(inode);
	if (err)
		goto out_drop_write;

	upperdir = layerfs_upper(dir);
	old_cred = layerfs_override_creds(sb);
	if (layerfs_lower_positive(dentry))
		err = layerfs_remove_whiteout(sb, upperdir, &dentry->d_name,
					      layerfs_upper(inode));
	else
		err = layerfs_remove_upper(sb, upperdir, &dentry->d_name,
					   layerfs_upper(inode), is_dir);
	revert_creds(old_cred);

	if (!err) {
		layerfs_name_gone(inode);
		layerfs_copyattr(dir);
	}
out_drop_write:
	layerfs_drop_write(sb);
out_unlock:
	mutex_unlock(&LAYERFS_I(inode)->lock);
	return err;
}

static int layerfs_unlink(struct inode *dir, struct dentry *dentry)
{
	return layerfs_remove(dir, dentry, false);
}

static int layerfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return layerfs_remove(dir, dentry, true);
}

/*
 * Does a directory at @dentry have parts in lower layers?  Such directories
 * are renamed only with redirect_dir=on, which marks the moved upper copy
 * with where its lower parts are (layerfs_set_redirect()); otherwise the
 * answer is EXDEV, and mv(1) copies instead, as on overlayfs.
 */
/* LAB rename: helper */
static bool layerfs_dir_has_lower(struct dentry *dentry)
{
	return d_is_dir(dentry) && LAYERFS_I(d_inode(dentry))->nlower;
}

/*
 * Rename within the upper layer, once both parents and the moving objects
 * are copied up.  Mounter's credentials.
 */
/* LAB rename: stub returns -EOPNOTSUPP */
static int layerfs_rename_upper(struct super_block *sb, struct dentry *old,
				struct dentry *new, unsigned int flags,
				bool old_lower)
{
	struct dentry *olddir = layerfs_upper(d_inode(old->d_parent));
	struct dentry *newdir = layerfs_upper(d_inode(new->d_parent));
	struct dentry *oldupper = layerfs_upper(d_inode(old));
	struct dentry *newupper = d_inode(new) ?
				  layerfs_upper(d_inode(new)) : NULL;
	struct dentry *trap, *olddentry, *newdentry;
	bool unlink_whiteout = false;
	int err;

	trap = lock_rename(newdir, olddir);
	if (IS_ERR(trap))
		return PTR_ERR(trap);

	olddentry = lookup_one_len(old->d_name.name, olddir, old->d_name.len);
	err = PTR_ERR(olddentry);
	if (IS_ERR(olddentry))
		goto out_unlock;
	newdentry = lookup_one_len(new->d_name.name, newdir, new->d_name.len);
	err = PTR_ERR(newdentry);
	if (IS_ERR(newdentry))
		goto out_dput_old;

	/* The upper layer must still be as layerfs last saw it. */
	err = -ESTALE;
	if (!layerfs_upper_matches(olddentry, oldupper))
		goto out_dput;
	if (newupper ? !layerfs_upper_matches(newdentry, newupper) :
	    d_is_positive(newdentry) &&
	    !layerfs_is_whiteout(layerfs_upper_layer(sb), newdentry))
		goto out_dput;
	err = -EINVAL;
	if (olddentry == trap)
		goto out_dput;
	err = -ENOTEMPTY;
	if (newdentry == trap)
		goto out_dput;

	if (!(flags & RENAME_EXCHANGE) && old_lower)
		flags |= RENAME_WHITEOUT;
	if (!newupper &&
	    layerfs_is_whiteout(layerfs_upper_layer(sb), newdentry)) {
		/* The merged view has no @new: the whiteout may go. */
		flags &= ~RENAME_NOREPLACE;
		if (d_is_dir(olddentry) && !IS_WHITEOUT(d_inode(newdentry))) {
			/*
			 * A directory cannot replace a file, and an xattr
			 * whiteout swapped to the old name would be a plain
			 * file in a directory not marked for them: remove
			 * it, and rename to the free name.
			 */
			err = vfs_unlink(layerfs_upper_idmap(sb),
					 d_inode(newdir), newdentry, NULL);
			if (err)
				goto out_dput;
			dput(newdentry);
			newdentry = lookup_one_len(new->d_name.name, newdir,
						   new->d_name.len);
			err = PTR_ERR(newdentry);
			if (IS_ERR(newdentry))
				goto out_dput_old;
		} else if (d_is_dir(olddentry)) {
			/* A directory cannot replace a device: swap them. */
			unlink_whiteout = !(flags & RENAME_WHITEOUT);
			flags = RENAME_EXCHANGE;
		}
	}

	err = layerfs_do_rename(sb, d_inode(olddir), olddentry,
				d_inode(newdir), newdentry, flags);
	if (!err && (flags & RENAME_WHITEOUT))
		layerfs_note_whiteout(sb, olddir, &old->d_name, false);
	/*
	 * The rename is done; failing now would leave the dcache out of step
	 * with it.  A whiteout left at the old name hides nothing (no lower
	 * layer has that name), so it only costs a warning.
	 */
	if (!err && unlink_whiteout &&
	    vfs_unlink(layerfs_upper_idmap(sb), d_inode(olddir), newdentry,
		       NULL))
		pr_warn("needless whiteout left at %pd\n", newdentry);
out_dput:
	dput(newdentry);
out_dput_old:
	dput(olddentry);
out_unlock:
	unlock_rename(newdir, olddir);
	return err;
}

/*
 * @moving, about to take @dest's name in a rename: a directory with lower
 * parts gets a redirect naming where they are (@samedir: one parent); any
 * other directory, where a lower layer has that name (@dest_lower), is made
 * opaque to hide what lies below.  Mounter's credentials, write access held.
 */
/* LAB rename: helper */
static int layerfs_mark_arriving(struct dentry *moving, struct dentry *dest,
				 bool dest_lower, bool samedir)
{
	struct dentry *upper = layerfs_upper(d_inode(moving));
	int err;

	if (layerfs_dir_has_lower(moving))
		return layerfs_set_redirect(moving, samedir);
	if (!d_is_dir(moving))	/* a metadata-only copy needs a redirect */
		return layerfs_metacopy_set_redirect(moving, samedir);
	if (!dest_lower)
		return 0;
	err = layerfs_set_opaque(moving->d_sb, upper);
	if (!err)
		layerfs_note_opaque(dest, upper, LAYERFS_OPAQUE_RENAME);
	return err;
}

/*
 * inode_operations.rename.  The VFS has already refused what it can see on
 * layerfs's own dentries (a missing or whited-out source or exchange target,
 * EEXIST for RENAME_NOREPLACE, EISDIR, ENOTDIR, a move into its own
 * subtree, and a rename between two names of one inode, which is a no-op).
 * What is left, in order:
 *
 *	source / target             flags     result
 *	---------------             -----     ------
 *	any / any                   WHITEOUT  EINVAL (or any unknown flag)
 *	dir with lower parts / any  any       EXDEV unless redirect_dir=on
 *	any / dir with lower parts  EXCHANGE  EXDEV unless redirect_dir=on
 *	any / dir not empty (merged view)     ENOTEMPTY
 *	then copy-up of the source, the target's parent, and (EXCHANGE) the
 *	target; then, with old_lower = "a lower layer has the old name" and
 *	new_lower = "a lower layer has the new name" (asked for directories):
 *	dir with lower parts / any  -         redirect set first (relative in
 *	                                      the same parent, else absolute;
 *	                                      one it has kept if it still fits)
 *	other dir / new_lower name  -         the dir is made opaque first
 *	replaced upper dir          -         made opaque if new_lower, emptied
 *	                                      of whiteouts (layerfs_cleanup_dir)
 *	any, old_lower / any        not EXCH  RENAME_WHITEOUT: whiteout at old
 *	file / upper whiteout       -         the whiteout is replaced
 *	                                      (NOREPLACE dropped: not a name)
 *	dir / upper whiteout        -         RENAME_EXCHANGE with the whiteout,
 *	                                      then unlinked unless old_lower;
 *	                                      an xattr whiteout is unlinked
 *	                                      first, then a plain rename
 *	EXCHANGE                    EXCHANGE  dirs with lower parts get a
 *	                                      redirect, others moving onto a
 *	                                      lower name are made opaque; one
 *	                                      real exchange
 *
 * Documentation/filesystems/layerfs.rst ("The rename decision, case by
 * case") gives each case with its test in selftests/layerfs/rename.c.
 */
/* LAB rename: stub returns -EOPNOTSUPP */
static int layerfs_rename(struct layerfs_idmap *idmap, struct inode *olddir,
			  struct dentry *old, struct inode *newdir,
			  struct dentry *new, unsigned int flags)
{
	struct super_block *sb = olddir->i_sb;
	struct inode *newinode = d_inode(new), *victim;
	bool exchange = flags & RENAME_EXCHANGE;
	bool replace_dir = !exchange && newinode && d_is_dir(new);
	const struct cred *old_cred;
	bool old_lower, new_lower;
	struct dentry *newupper;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (!layerfs_redirect_dir(sb) &&
	    (layerfs_dir_has_lower(old) ||
	     (exchange && layerfs_dir_has_lower(new))))
		return -EXDEV;

	if (replace_dir) {
		err = layerfs_check_empty_dir(new);
		if (err)
			return err;
	}
	err = layerfs_copy_up(old);
	if (!err)
		err = layerfs_copy_up(new->d_parent);
	if (!err && exchange)
		err = layerfs_copy_up(new);
	/* an indexed victim is replaced as an upper link (index.c) */
	else if (!err && newinode && !d_is_dir(new))
		err = layerfs_index_prepare(new);
	if (err)
		return err;
	/* A victim is held off copy-up as in layerfs_remove(). */
	victim = exchange ? NULL : newinode;
	if (victim) {
		err = mutex_lock_interruptible(&LAYERFS_I(victim)->lock);
		if (err)
			return err;
	}
	err = layerfs_want_write(sb);
	if (err)
		goto out_unlock;
	err = layerfs_index_nlink_start(victim);
	if (err)
		goto out_drop_write;

	old_cred = layerfs_override_creds(sb);
	old_lower = layerfs_lower_positive(old);
	/* Only a directory arriving at @new's name has to know (lookups). */
	new_lower = (d_is_dir(old) || replace_dir) &&
		    layerfs_lower_positive(new);

	err = layerfs_mark_arriving(old, new, new_lower, olddir == newdir);
	if (!err && exchange)
		err = layerfs_mark_arriving(new, old, old_lower,
					    olddir == newdir);
	/* copies moving to another directory: their d_ino (origin.c) */
	if (!err)
		err = layerfs_rename_impure(old, new, exchange);

	/*
	 * A directory being replaced is empty in the merged view, but its
	 * upper part may hold whiteouts, which the real rename would refuse.
	 * Make it opaque (so the whiteouts are not needed), then empty it.
	 */
	newupper = replace_dir ? layerfs_upper(newinode) : NULL;
	if (!err && newupper && new_lower)
		err = layerfs_set_opaque(sb, newupper);
	if (!err && newupper)
		err = layerfs_cleanup_dir(sb, newupper, 0);

	if (!err)
		err = layerfs_rename_upper(sb, old, new, flags, old_lower);
	revert_creds(old_cred);

	if (!err && newinode && !exchange)
		layerfs_name_gone(newinode);
	if (!err) {
		layerfs_copyattr(olddir);
		layerfs_copyattr(newdir);
	}
out_drop_write:
	layerfs_drop_write(sb);
out_unlock:
	if (victim)
		mutex_unlock(&LAYERFS_I(victim)->lock);
	return err;
}

const struct inode_operations layerfs_dir_inode_operations = {
	.lookup		= layerfs_lookup,
	.create		= layerfs_create,
	.mkdir		= layerfs_mkdir,
	.mknod		= layerfs_mknod,
	.symlink	= layerfs_symlink,
	.link		= layerfs_link,
	.tmpfile	= layerfs_tmpfile,
	.unlink		= layerfs_unlink,
	.rmdir		= layerfs_rmdir,
	.rename		= layerfs_rename,
	.permission	= layerfs_permission,
	.LAYERFS_IOP_GET_INODE_ACL = layerfs_get_inode_acl,
	LAYERFS_ACL_IOPS
	.setattr	= layerfs_setattr,
	.getattr	= layerfs_getattr,
	.listxattr	= layerfs_listxattr,
	.fileattr_get	= layerfs_fileattr_get,
	.fileattr_set	= layerfs_fileattr_set,
};
