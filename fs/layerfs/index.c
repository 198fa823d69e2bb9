// SPDX-License-Identifier: GPL-2.0
/*
 * index.c - index=on: lower hard links stay hard links across copy-up.
 *
 * Without an index, copying up one name of a lower file with several
 * links makes a new upper file for that name alone: the link is broken,
 * and the other names go on showing the lower file.  With index=on, as on
 * overlayfs, the copy is made once per lower inode and kept in
 * <workdir>/index under a name that identifies the lower inode; each name
 * copied up is an upper hard link to that entry:
 *
 *	lower:   a ---+--> inode 12 (nlink 2)
 *	         b ---+
 *
 *	after "echo x >> a" through the mount:
 *	upper:   a -----------------------+--> upper inode 40 (nlink 2)
 *	work:    index/00fb1d...<hex> ----+    trusted.overlay.origin = fh(12)
 *	                                       trusted.overlay.nlink  = "U+0"
 *	lower:   b --> inode 12 (not copied: found through the index)
 *
 * The entry's name is the hex of the lower inode's file handle, exactly
 * the bytes of the trusted.overlay.origin value (origin.c): lower-case
 * bin2hex(), as overlayfs's ovl_get_index_name(), so that the layers
 * interchange with it.
 *
 * A lookup that finds only a lower non-directory looks its entry up in the
 * index; one found is the object's upper inode, shared by every name, and
 * the name itself has no upper link yet (the dentry's "no upper alias"
 * mark, d_fsdata).  Changing that name copies it up by linking it to the
 * entry ("link-up", layerfs_index_link_up()): no data is copied twice.
 * As on overlayfs, setting or removing an xattr or ACL through such a
 * name changes the shared upper object without linking the name up
 * (xattr.c, layerfs_change_begin()).
 * layerfs inodes are keyed by the real inode (inode.c); the inode of a
 * lower hard link by its lower inode, before and after its copy-up into
 * the index (layerfs_index_by_lower()), so that all names share one
 * layerfs inode, whatever a lookup racing the copy-up finds.
 *
 * Link count.  The names of the object are its upper links (but the
 * entry itself) plus the lower names not yet copied up, hidden by no
 * whiteout: the upper link count alone cannot say it.  The inode keeps it
 * (i_nlink, reported by stat) and the entry records it, relative to the
 * entry's own link count, in trusted.overlay.nlink: "U+n" or "U-n" (as
 * overlayfs, which also reads "L+n", relative to the lower link count).
 * It is rewritten before every link, unlink and rename of a name, so that
 * whichever way the operation ends the value stays right
 * (layerfs_index_nlink_start()); before a link-up, which adds a link to
 * the entry but no name, it is written relative to the lower inode ("L"),
 * and "U" again after (layerfs_index_link_up(): a crash between leaves a
 * right count).  The last name gone, the entry is removed
 * (layerfs_index_cleanup()).
 *
 * At mount (layerfs_index_setup()), as overlayfs:
 *  - the upper root must have the first lower root as its origin (set on
 *    the first mount with index=on): layers reused with another lower
 *    layer would mismatch every entry, so the mount is refused, ESTALE;
 *  - <workdir>/index is created if missing and must carry
 *    trusted.overlay.upper, the file handle of the upper root (set on
 *    first use): an index of another upper layer is refused, ESTALE;
 *  - the entries are checked (layerfs_index_verify()): leftovers of an
 *    interrupted operation ("#..."), entries whose origin no longer
 *    matches or is gone (stale) and entries no name uses any more (orphan)
 *    are removed; a whiteout entry is kept; an entry that cannot be read
 *    (a bad name, no origin) refuses the mount.
 *
 * Rules of the option, as overlayfs's: off by default (Debian builds
 * overlayfs without CONFIG_OVERLAY_FS_INDEX); ignored without an upper
 * layer; falls back to off, with a warning, when a layer's filesystem
 * cannot encode and decode file handles (or the mounter lacks
 * CAP_DAC_READ_SEARCH) or a lower filesystem's uuid cannot tell it apart.
 * overlayfs's nfs_export, which needs it, is not implemented by layerfs.
 *
 * Locking: copy-up and link-up run under the layerfs inode's copy-up
 * mutex; the index directory is locked as an upper directory (4 in
 * layerfs.h), with lock_rename() of work/ and the index directory to move
 * a copy in.  Everything is done with the mounter's credentials.
 *
 * Core: layerfs_index_install(), layerfs_index_link_up(),
 * layerfs_index_lookup(), layerfs_index_name_gone().  Edge cases: the
 * mount-time checks and cleanup, link counts kept relative to the lower
 * inode ("L+n", written by older overlayfs).
 */

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include "layerfs.h"

#define LAYERFS_XATTR_UPPER	LAYERFS_XATTR_PREFIX "upper"
#define LAYERFS_XATTR_NLINK	LAYERFS_XATTR_PREFIX "nlink"

/* d_fsdata of a dentry whose name has no upper link to its upper inode */
#define LAYERFS_D_NO_UPPER_ALIAS	((void *)1)

/* The values of the index option (the default, off, is Debian's). */
const struct constant_table layerfs_index_values[] = {
	{ "off",	false },
	{ "on",		true },
	{}
};

/**
 * layerfs_index_parse - the index option
 * @fc: the mount's fs_context
 * @on: index=on
 *
 * Return: 0.
 */
int layerfs_index_parse(struct fs_context *fc, bool on)
{
	struct layerfs_config *config = fc->fs_private;

	config->index = on;
	config->index_set = true;
	return 0;
}

/**
 * layerfs_index_finish_config - the index option once all are known
 * @fc:     the mount's fs_context, for messages
 * @config: the options
 *
 * An index needs an upper layer: without one, index=on is ignored, as
 * overlayfs ignores it.
 */
void layerfs_index_finish_config(struct fs_context *fc,
				 struct layerfs_config *config)
{
	if (config->upperdir)
		return;
	if (config->index && config->index_set)
		infofc(fc, "option \"index=on\" is useless in a non-upper mount, ignore");
	config->index = false;
}

/**
 * layerfs_index_show - the index option in /proc/mounts
 * @m:      the seq_file being written
 * @config: the options
 *
 * As overlayfs shows it: only when not the default (off), so not after a
 * fall back to off.
 */
void layerfs_index_show(struct seq_file *m,
			const struct layerfs_config *config)
{
	if (config->index)
		seq_puts(m, ",index=on");
}

/**
 * layerfs_index_check - may the layers have an index?
 * @fc: the mount's fs_context, for messages
 * @sb: the layerfs super block, layers set up
 *
 * Every layer's filesystem must encode and decode file handles, and the
 * uuid of each lower one must tell it apart from the others; else
 * index=on falls back to off with a warning, as on overlayfs.  Called
 * before the xino set-up, which depends on the outcome
 * (layerfs_offline_changes_allowed()).
 */
void layerfs_index_check(struct fs_context *fc, struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	unsigned int i;

	if (!ofs->config.index)
		return;
	for (i = 0; i < ofs->numlayers; i++) {
		const struct layerfs_layer *layer = &ofs->layers[i];

		if (!layerfs_can_decode_fh(layer->root.mnt->mnt_sb)) {
			warnfc(fc, "no file handles on '%s', falling back to index=off.",
			       layer->name);
			ofs->config.index = false;
			return;
		}
		if (!layer->upper && !layerfs_uuid_usable(sb, layer)) {
			warnfc(fc, "%s uuid detected in lower fs '%s', falling back to index=off.",
			       uuid_is_null(&layer->root.mnt->mnt_sb->s_uuid) ?
			       "null" : "conflicting", layer->name);
			ofs->config.index = false;
			return;
		}
	}
}

/**
 * layerfs_index_on - does this mount keep an index?
 * @sb: the layerfs super block
 *
 * Return: true once the index directory is set up.
 */
bool layerfs_index_on(struct super_block *sb)
{
	return LAYERFS_FS(sb)->indexdir;
}

/**
 * layerfs_index_wanted - is a copy-up of @inode to go through the index?
 * @inode: a layerfs inode with a lower object
 *
 * Yes for a non-directory whose lower inode has several links, as
 * overlayfs's ovl_need_index() without nfs_export.
 *
 * Return: true when it is.
 */
bool layerfs_index_wanted(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);

	return layerfs_index_on(inode->i_sb) && !S_ISDIR(inode->i_mode) &&
	       li->nlower && d_inode(li->lower[0].dentry)->i_nlink > 1;
}

/*
 * The name of @origin's index entry: the hex of its file handle, in a new
 * kmalloc()ed string (ERR_PTR() on failure).
 */
static char *layerfs_index_name(struct dentry *origin, int *lenp)
{
	size_t len;
	char *name;
	void *fh;

	fh = layerfs_get_fh(d_inode(origin), false, &len);
	if (IS_ERR(fh))
		return fh;
	name = kmalloc(len * 2 + 1, GFP_KERNEL);
	if (name) {
		*bin2hex(name, fh, len) = '\0';
		*lenp = len * 2;
	}
	kfree(fh);
	return name ?: ERR_PTR(-ENOMEM);
}

/*
 * Look the entry of @origin up in the index: the entry with a reference,
 * NULL when there is none, or an ERR_PTR().  An entry that is a whiteout
 * or not of @origin's type is an error (-EIO), as on overlayfs: a whiteout
 * entry is left only when every name is gone, and then no name can find
 * it.  Mounter's credentials.
 */
static struct dentry *layerfs_index_find(struct super_block *sb,
					 struct dentry *origin)
{
	struct dentry *indexdir = LAYERFS_FS(sb)->indexdir;
	struct dentry *index;
	char *name;
	int len;

	name = layerfs_index_name(origin, &len);
	if (IS_ERR(name))
		return ERR_CAST(name);
	index = lookup_one_len_unlocked(name, indexdir, len);
	if (IS_ERR(index)) {
		pr_warn_ratelimited("failed inode index lookup (ino=%lu, key=%s, err=%ld)\n",
				    d_inode(origin)->i_ino, name,
				    PTR_ERR(index));
	} else if (d_is_negative(index)) {
		dput(index);
		index = NULL;
	} else if (layerfs_is_weird(index) ||
		   layerfs_is_whiteout(layerfs_upper_layer(sb), index) ||
		   inode_wrong_type(d_inode(index), d_inode(origin)->i_mode)) {
		pr_warn_ratelimited("bad index found (index=%pd2, ftype=%x, origin ftype=%x)\n",
				    index, d_inode(index)->i_mode & S_IFMT,
				    d_inode(origin)->i_mode & S_IFMT);
		dput(index);
		index = ERR_PTR(-EIO);
	}
	kfree(name);
	return index;
}

/**
 * layerfs_index_lookup - add the index entry of a lower object to a lookup
 * @sb:    the layerfs super block
 * @stack: a lookup's result, a lower non-directory first, with room for
 *         one more entry
 * @n:     the number of entries
 *
 * When the object's lower inode has an index entry, that entry becomes
 * its upper object: it goes in front of @stack.  Mounter's credentials.
 *
 * Return: the new number of entries, or a negative errno with every
 * reference of @stack dropped.
 */
int layerfs_index_lookup(struct super_block *sb, struct layerfs_real *stack,
			 int n)
{
	struct dentry *index;

	if (!layerfs_index_on(sb) || n < 1 || stack[0].layer->upper ||
	    d_is_dir(stack[0].dentry))
		return n;
	index = layerfs_index_find(sb, stack[0].dentry);
	if (IS_ERR(index)) {
		while (n)
			dput(stack[--n].dentry);
		return PTR_ERR(index);
	}
	if (!index)
		return n;
	memmove(&stack[1], &stack[0], n * sizeof(*stack));
	stack[0].dentry = index;
	stack[0].layer = layerfs_upper_layer(sb);
	return n + 1;
}

/*
 * The link count recorded in the index entry @upper of lower object
 * @lower, or @fallback when there is none usable (overlayfs's
 * ovl_get_nlink()).  A lower inode with one link is indexed only when
 * some of its names were unlinked from the lower layer; the 6.1 overlayfs
 * then ignores the record (compat.h).  Mounter's credentials.
 */
static unsigned int layerfs_index_get_nlink(struct super_block *sb,
					    struct dentry *lower,
					    struct dentry *upper,
					    unsigned int fallback)
{
	char buf[13];
	ssize_t res;
	int diff, nlink;

	if (!LAYERFS_INDEX_NLINK_OF_ONE_LINK && d_inode(lower)->i_nlink == 1)
		return fallback;
	res = vfs_getxattr(layerfs_upper_idmap(sb), upper, LAYERFS_XATTR_NLINK,
			   buf, sizeof(buf) - 1);
	if (res < 0)
		goto fail;
	buf[res] = '\0';
	if ((buf[0] != 'L' && buf[0] != 'U') ||
	    (buf[1] != '+' && buf[1] != '-')) {
		res = -EINVAL;
		goto fail;
	}
	res = kstrtoint(buf + 1, 10, &diff);
	if (res < 0)
		goto fail;
	nlink = d_inode(buf[0] == 'L' ? lower : upper)->i_nlink + diff;
	if (nlink > 0)
		return nlink;
	res = -EINVAL;
fail:
	pr_warn_ratelimited("failed to get index nlink (%pd2, err=%zd)\n",
			    upper, res);
	return fallback;
}

/*
 * Record @inode's link count in its index entry @upper, relative to the
 * link count of @real (@kind 'U': the entry itself, 'L': the lower inode).
 * Mounter's credentials, write access held.
 */
static int layerfs_index_put_nlink(struct inode *inode, struct dentry *upper,
				   char kind, struct dentry *real)
{
	char buf[13];
	int len;

	len = snprintf(buf, sizeof(buf), "%c%+d", kind,
		       (int)(inode->i_nlink - d_inode(real)->i_nlink));
	return vfs_setxattr(layerfs_upper_idmap(inode->i_sb), upper,
			    LAYERFS_XATTR_NLINK, buf, len, 0);
}

/* Record @inode's link count relative to the entry's own: "U%+d". */
static int layerfs_index_set_nlink(struct inode *inode, struct dentry *upper)
{
	return layerfs_index_put_nlink(inode, upper, 'U', upper);
}

/**
 * layerfs_index_init_inode - is a new inode the one of an index entry?
 * @inode: a layerfs inode being set up, its real objects and attributes
 *         in place
 *
 * An upper non-directory with a lower origin is indexed when the index
 * entry of that origin is its upper inode; its link count then comes from
 * the entry (layerfs_index_get_nlink()).  Takes the mounter's credentials.
 */
void layerfs_index_init_inode(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);
	struct super_block *sb = inode->i_sb;
	const struct cred *old_cred;
	struct dentry *index;

	if (!layerfs_index_on(sb) || S_ISDIR(inode->i_mode) || !li->upper ||
	    !li->nlower)
		return;
	old_cred = layerfs_override_creds(sb);
	index = layerfs_index_find(sb, li->lower[0].dentry);
	if (!IS_ERR_OR_NULL(index)) {
		if (d_inode(index) == d_inode(li->upper)) {
			li->indexed = true;
			set_nlink(inode,
				  layerfs_index_get_nlink(sb, li->lower[0].dentry,
							  li->upper,
							  inode->i_nlink));
		}
		dput(index);
	}
	revert_creds(old_cred);
}

/**
 * layerfs_index_by_lower - is an object's inode keyed by its lower inode?
 * @sb:     the layerfs super block
 * @upper:  a lookup's upper object, or NULL
 * @lower:  its lower objects, top first
 * @nlower: how many
 *
 * The inode of a lower hard link stays keyed by its lower inode when it is
 * copied up into the index, as overlayfs keeps it (ovl_hash_bylower()):
 * a name looked up while another name is being copied up then finds the
 * same inode whether its lookup saw the index entry or not.  Keying the
 * copy by its upper inode instead left a window (between the entry's
 * install and the rehash) in which a racing lookup made a second inode,
 * whose write then failed with EEXIST (selftests/layerfs/index.c,
 * race_write_both_names).  An upper object is such a copy when it is the
 * index entry of the lower one; a name copied up without the index (a
 * broken link, from a mount with index=off) is keyed by its upper inode.
 * Takes the mounter's credentials for the index lookup.
 *
 * Return: true when the key is the lower inode.
 */
bool layerfs_index_by_lower(struct super_block *sb, struct dentry *upper,
			    const struct layerfs_real *lower, unsigned int nlower)
{
	const struct cred *old_cred;
	struct inode *lowerinode;
	struct dentry *index;
	bool ret;

	if (!layerfs_index_on(sb) || !nlower)
		return false;
	lowerinode = d_inode(lower[0].dentry);
	if (S_ISDIR(lowerinode->i_mode) || lowerinode->i_nlink < 2)
		return false;
	/* not copied up yet, or found through the index at lookup */
	if (!upper || upper->d_parent == LAYERFS_FS(sb)->indexdir)
		return true;
	/* a name linked to the entry: the entry is one more link */
	if (d_inode(upper)->i_nlink < 2)
		return false;
	old_cred = layerfs_override_creds(sb);
	index = layerfs_index_find(sb, lower[0].dentry);
	revert_creds(old_cred);
	if (IS_ERR_OR_NULL(index))
		return false;
	ret = d_inode(index) == d_inode(upper);
	dput(index);
	return ret;
}

/**
 * layerfs_index_mark_lower - note that a looked-up name has no upper link
 * @dentry: the name, about to be given @inode
 * @inode:  its inode, whose real object was found in a lower layer (or
 *          through the index) and not at the name in the upper layer
 *
 * Only with index=on: the name then shares its inode with names that may
 * be copied up, and must be linked up itself before it changes.
 */
void layerfs_index_mark_lower(struct dentry *dentry, struct inode *inode)
{
	if (layerfs_index_on(dentry->d_sb) && !S_ISDIR(inode->i_mode))
		WRITE_ONCE(dentry->d_fsdata, LAYERFS_D_NO_UPPER_ALIAS);
}

/**
 * layerfs_index_needs_link - must a name be linked up to its upper inode?
 * @dentry: a positive layerfs dentry
 *
 * Return: true when its inode has an upper object but the name has no
 * upper link to it yet (a copy-up through another name).
 */
bool layerfs_index_needs_link(struct dentry *dentry)
{
	return READ_ONCE(dentry->d_fsdata) == LAYERFS_D_NO_UPPER_ALIAS &&
	       layerfs_upper(d_inode(dentry));
}

/**
 * layerfs_index_linked - note that a name now has its upper link
 * @dentry: the name, copied or linked up
 */
void layerfs_index_linked(struct dentry *dentry)
{
	if (READ_ONCE(dentry->d_fsdata))
		WRITE_ONCE(dentry->d_fsdata, NULL);
}

/**
 * layerfs_index_install - move a finished copy into the index
 * @sb:    the layerfs super block
 * @inode: the layerfs inode copied up (layerfs_index_wanted())
 * @temp:  the copy, in work/, with its origin recorded
 *
 * Records the link count (the copy is the entry's only link yet), then
 * renames the copy to its entry's name.  The copied name is linked to it
 * afterwards (layerfs_index_link_up()).  The caller holds @inode's
 * copy-up mutex and write access; mounter's credentials.
 *
 * Return: 0 with @temp now the entry, or a negative errno with @temp
 * still in work/.
 */
int layerfs_index_install(struct super_block *sb, struct inode *inode,
			  struct dentry *temp)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct dentry *trap, *target;
	char *name;
	int len, err;

	lockdep_assert_held(&LAYERFS_I(inode)->lock);
	name = layerfs_index_name(LAYERFS_I(inode)->lower[0].dentry, &len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	err = layerfs_index_set_nlink(inode, temp);
	if (err)
		goto out_free;

	trap = lock_rename(ofs->work, ofs->indexdir);
	err = PTR_ERR(trap);
	if (IS_ERR(trap))
		goto out_free;
	err = -EIO;
	if (trap == temp || temp->d_parent != ofs->work)
		goto out_unlock;
	target = lookup_one_len(name, ofs->indexdir, len);
	err = PTR_ERR(target);
	if (IS_ERR(target))
		goto out_unlock;
	err = -EEXIST;
	if (d_is_negative(target) && target != trap)
		err = layerfs_do_rename(sb, d_inode(ofs->work), temp,
					d_inode(ofs->indexdir), target, 0);
	dput(target);
out_unlock:
	unlock_rename(ofs->work, ofs->indexdir);
	/* from now on the inode's link count is its own (inode.c) */
	if (!err)
		LAYERFS_I(inode)->indexed = true;
out_free:
	kfree(name);
	return err;
}

/**
 * layerfs_index_link_up - give a name its upper link to its upper inode
 * @parent: the name's parent, copied up
 * @dentry: the name (layerfs_index_needs_link())
 *
 * Links the upper inode (the index entry) at the name in the parent's
 * upper directory, as overlayfs's ovl_link_up(): the parent is marked
 * impure first (the link keeps its origin's inode number, ino.c), the link
 * count is recorded before and after, and the parent's times are put back.
 * The caller holds the inode's copy-up mutex and not write access.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_index_link_up(struct dentry *parent, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct dentry *upper = layerfs_upper(inode);
	struct dentry *upperdir = layerfs_upper(d_inode(parent));
	struct layerfs_cattr attr = { .mode = inode->i_mode, .hardlink = upper };
	struct super_block *sb = dentry->d_sb;
	struct path dirpath = {
		.mnt = layerfs_upper_layer(sb)->root.mnt,
		.dentry = upperdir,
	};
	struct name_snapshot name;
	const struct cred *old_cred;
	struct dentry *target;
	struct kstat pstat;
	int err;

	lockdep_assert_held(&LAYERFS_I(inode)->lock);
	if (!LAYERFS_I(inode)->indexed) {
		layerfs_index_linked(dentry);	/* not ours to link */
		return 0;
	}
	take_dentry_name_snapshot(&name, dentry);
	old_cred = layerfs_override_creds(sb);
	err = vfs_getattr(&dirpath, &pstat, STATX_ATIME | STATX_MTIME,
			  AT_STATX_SYNC_AS_STAT);
	if (err)
		goto out_revert;
	err = layerfs_want_write(sb);
	if (err)
		goto out_revert;
	err = layerfs_set_impure(sb, upperdir);
	/*
	 * Linking a name up adds a link to the entry but none to the inode:
	 * a count relative to the entry ("U") would be one too many once the
	 * link is on disk and until it is rewritten below, so a crash in
	 * between would show one name too many at the next mount.  Relative
	 * to the lower inode ("L"), which the link-up leaves alone, the count
	 * is right either way (overlayfs's ovl_link_up() does the same).
	 */
	if (!err)
		err = layerfs_index_put_nlink(inode, upper, 'L',
					      LAYERFS_I(inode)->lower[0].dentry);
	if (err)
		goto out_drop_write;

	inode_lock_nested(d_inode(upperdir), I_MUTEX_PARENT);
	target = lookup_one_len(name.name.name, upperdir, name.name.len);
	err = PTR_ERR(target);
	if (!IS_ERR(target)) {
		err = -EEXIST;
		if (d_is_negative(target))
			err = layerfs_create_real(sb, d_inode(upperdir), target,
						  &attr);
		if (!err)
			layerfs_set_times(sb, upperdir, &pstat);
		dput(target);
	}
	inode_unlock(d_inode(upperdir));
	if (!err) {
		layerfs_index_linked(dentry);
		err = layerfs_index_set_nlink(inode, upper);
	}
out_drop_write:
	layerfs_drop_write(sb);
out_revert:
	revert_creds(old_cred);
	release_dentry_name_snapshot(&name);
	return err;
}

/**
 * layerfs_index_prepare - copy up a name before it is unlinked or renamed
 * @dentry: the name; its parent is copied up
 *
 * Its link count lives in the index entry, which must exist, and the name
 * must be an upper link to it, before the operation changes the count (as
 * overlayfs's ovl_nlink_start()).
 *
 * Return: 0 or a negative errno.
 */
int layerfs_index_prepare(struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);

	if (!inode || S_ISDIR(inode->i_mode))
		return 0;
	if ((layerfs_upper(inode) && !LAYERFS_I(inode)->indexed) ||
	    (!layerfs_upper(inode) && !layerfs_index_wanted(inode)))
		return 0;
	if (layerfs_upper(inode) && !layerfs_index_needs_link(dentry))
		return 0;
	return layerfs_copy_up(dentry);
}

/**
 * layerfs_index_nlink_start - record the link count before it changes
 * @inode: the layerfs inode one of whose names is linked, unlinked or
 *         renamed over; write access to the upper layer held
 *
 * The record is relative to the entry's own link count, which the upper
 * operation changes by as much as the operation changes @inode's: it is
 * right whether the operation succeeds or fails.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_index_nlink_start(struct inode *inode)
{
	const struct cred *old_cred;
	int err;

	if (!inode || !LAYERFS_I(inode)->indexed)
		return 0;
	old_cred = layerfs_override_creds(inode->i_sb);
	err = layerfs_index_set_nlink(inode, layerfs_upper(inode));
	revert_creds(old_cred);
	return err;
}

/*
 * The last name of indexed @inode is gone: remove its entry, as overlayfs's
 * ovl_cleanup_index().  An entry with more upper links than itself means
 * that the count was wrong (a lower link added while mounted): then the
 * count is taken from the links instead.  Mounter's credentials, write
 * access held.  Failures only warn: the entry is an orphan, removed at the
 * next mount.
 */
static void layerfs_index_cleanup(struct inode *inode)
{
	struct layerfs_fs *ofs = LAYERFS_FS(inode->i_sb);
	struct dentry *upper = layerfs_upper(inode);
	struct inode *dir = d_inode(ofs->indexdir);
	struct dentry *index;
	char *name;
	int len, err;

	if (d_inode(upper)->i_nlink != 1) {
		pr_warn_ratelimited("cleanup linked index (%pd2, ino=%lu, nlink=%u)\n",
				    upper, d_inode(upper)->i_ino,
				    d_inode(upper)->i_nlink);
		set_nlink(inode, d_inode(upper)->i_nlink - 1);
		layerfs_index_set_nlink(inode, upper);
		return;
	}
	name = layerfs_index_name(LAYERFS_I(inode)->lower[0].dentry, &len);
	err = PTR_ERR(name);
	if (IS_ERR(name))
		goto fail;
	inode_lock_nested(dir, I_MUTEX_PARENT);
	index = lookup_one_len(name, ofs->indexdir, len);
	err = PTR_ERR(index);
	if (!IS_ERR(index)) {
		err = 0;
		if (d_inode(index) == d_inode(upper))
			err = vfs_unlink(layerfs_upper_idmap(inode->i_sb), dir,
					 index, NULL);
		dput(index);
	}
	inode_unlock(dir);
	kfree(name);
	if (!err)
		return;
fail:
	pr_err("cleanup index of %pd2 failed (%d)\n", upper, err);
}

/**
 * layerfs_index_name_gone - one name of an indexed inode was removed
 * @inode: the layerfs inode; write access to the upper layer held
 *
 * Drops the link count the inode keeps, and removes the index entry with
 * the last name.
 *
 * Return: true when @inode is indexed (its link count is handled), false
 * when the caller sets it.
 */
bool layerfs_index_name_gone(struct inode *inode)
{
	const struct cred *old_cred;

	if (!LAYERFS_I(inode)->indexed)
		return false;
	drop_nlink(inode);
	if (!inode->i_nlink) {
		old_cred = layerfs_override_creds(inode->i_sb);
		layerfs_index_cleanup(inode);
		revert_creds(old_cred);
	}
	return true;
}

/**
 * layerfs_index_name_added - a name was linked to an indexed inode
 * @inode: the layerfs inode
 */
void layerfs_index_name_added(struct inode *inode)
{
	if (LAYERFS_I(inode)->indexed)
		inc_nlink(inode);
}

/* ---- at mount ---------------------------------------------------------- */

/*
 * Check the xattr @xattr of @dentry against the file handle of @real, and
 * set it when missing (overlayfs's ovl_verify_set_fh()).  Mounter's
 * credentials, write access held.
 */
static int layerfs_index_verify_set(struct super_block *sb,
				    struct dentry *dentry, const char *xattr,
				    struct dentry *real, bool is_upper,
				    bool set)
{
	size_t len;
	void *fh;
	int err;

	fh = layerfs_get_fh(d_inode(real), is_upper, &len);
	if (IS_ERR(fh))
		return PTR_ERR(fh);
	err = layerfs_verify_fh(sb, dentry, xattr, fh, len);
	if (err == -ENODATA && set)
		err = vfs_setxattr(layerfs_upper_idmap(sb), dentry, xattr, fh,
				   len, 0);
	kfree(fh);
	return err;
}

/*
 * Check one entry of the index (overlayfs's ovl_verify_index()): 0 to keep
 * it, -ESTALE when stale (its origin changed or is gone), -ENOENT when an
 * orphan (no name left), another errno when it cannot be understood.
 * Mounter's credentials.
 */
static int layerfs_index_verify(struct super_block *sb, struct dentry *index)
{
	struct layerfs_real origin = {};
	size_t len = index->d_name.len / 2;
	u8 *fh;
	int err;

	if (d_is_negative(index))
		return 0;
	err = -EINVAL;
	if (len < 21)
		goto fail;
	err = -ENOMEM;
	fh = kzalloc(len, GFP_KERNEL);
	if (!fh)
		goto fail;
	err = -EINVAL;
	if (hex2bin(fh, index->d_name.name, len))
		goto out;
	err = layerfs_check_fh(fh, len);
	if (err)
		goto out;
	len = fh[2];	/* the handle's own length */

	/* A whiteout entry marks a file whose names are all gone: kept. */
	if (layerfs_is_whiteout(layerfs_upper_layer(sb), index))
		goto out;
	/* Directories are indexed only for nfs_export: not checked. */
	if (d_is_dir(index))
		goto out;

	err = layerfs_verify_fh(sb, index, LAYERFS_XATTR_ORIGIN, fh, len);
	if (err)
		goto out;
	if (d_inode(index)->i_nlink == 1) {
		err = layerfs_decode_fh(sb, fh, len, &origin);
		if (err)
			goto out;
		if (!layerfs_index_get_nlink(sb, origin.dentry, index, 0)) {
			pr_warn_ratelimited("orphan index entry (%pd2, ftype=%x, nlink=%u)\n",
					    index, d_inode(index)->i_mode & S_IFMT,
					    d_inode(index)->i_nlink);
			err = -ENOENT;
		}
		dput(origin.dentry);
	}
out:
	kfree(fh);
	if (!err || err == -ENOENT)
		return err;
fail:
	pr_warn_ratelimited("failed to verify index (%pd2, ftype=%x, err=%i)\n",
			    index, d_inode(index)->i_mode & S_IFMT, err);
	return err;
}

/*
 * Remove leftovers, stale and orphan entries from the index (overlayfs's
 * ovl_indexdir_cleanup()).  An entry that cannot be checked refuses the
 * mount rather than risk a wrong index.  Mounter's credentials, write
 * access held.
 */
static int layerfs_index_cleanup_dir(struct fs_context *fc,
				     struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	char *names, *name;
	size_t size;
	int err = 0;

	names = layerfs_read_names(sb, ofs->indexdir, &size);
	if (IS_ERR(names))
		return PTR_ERR(names);
	for (name = names; name && name < names + size;
	     name += strlen(name) + 1) {
		struct dentry *index;

		index = lookup_one_len_unlocked(name, ofs->indexdir,
						strlen(name));
		if (IS_ERR(index)) {
			err = PTR_ERR(index);
			break;
		}
		/* a leftover of an interrupted copy-up or cleanup */
		err = name[0] == '#' ? -ESTALE : layerfs_index_verify(sb, index);
		if (err == -ESTALE || err == -ENOENT)
			err = layerfs_cleanup_entry(sb, ofs->indexdir, index, 0);
		dput(index);
		if (err) {
			errorfc(fc, "bad index entry '%s' (%d): try index=off",
				name, err);
			break;
		}
	}
	kfree(names);
	return err;
}

/* Find or create <workdir>/index; mounter's credentials, write access. */
static struct dentry *layerfs_index_get_dir(struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct dentry *workdir = ofs->workdir.dentry;
	const char *name = LAYERFS_INDEXDIR_NAME;
	struct dentry *dir;
	int err = 0;

	inode_lock_nested(d_inode(workdir), I_MUTEX_PARENT);
	dir = lookup_one_len(name, workdir, strlen(name));
	if (!IS_ERR(dir) && d_is_negative(dir)) {
		err = vfs_mkdir(layerfs_upper_idmap(sb), d_inode(workdir), dir,
				S_IFDIR | 0);
		if (!err && (d_unhashed(dir) || d_is_negative(dir))) {
			dput(dir);
			dir = lookup_one_len(name, workdir, strlen(name));
		}
	}
	inode_unlock(d_inode(workdir));
	if (IS_ERR(dir))
		return dir;
	if (!err && !d_is_dir(dir))
		err = -ENOTDIR;
	if (err) {
		dput(dir);
		return ERR_PTR(err);
	}
	return dir;
}

/**
 * layerfs_index_setup - check and clean the index at mount
 * @fc: the mount's fs_context, for messages
 * @sb: the layerfs super block; work/ is set up
 *
 * See the top of this file.  Mounter's credentials.
 *
 * Return: 0, or a negative errno that refuses the mount: -ESTALE when the
 * upper layer was used with another lower layer, or the index directory
 * with another upper layer.
 */
int layerfs_index_setup(struct fs_context *fc, struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct dentry *upperroot = ofs->layers[0].root.dentry;
	struct dentry *dir;
	int err;

	if (!ofs->config.index)
		return 0;
	err = mnt_want_write(ofs->layers[0].root.mnt);
	if (err)
		return err;
	err = layerfs_index_verify_set(sb, upperroot, LAYERFS_XATTR_ORIGIN,
				       ofs->layers[1].root.dentry, false, true);
	if (err) {
		errorfc(fc, "upperdir '%s' was used with another lowerdir than '%s' (%d)",
			ofs->config.upperdir, ofs->layers[1].name, err);
		goto out;
	}
	dir = layerfs_index_get_dir(sb);
	if (IS_ERR(dir)) {
		err = PTR_ERR(dir);
		errorfc(fc, "cannot create '%s/%s' (%d)", ofs->config.workdir,
			LAYERFS_INDEXDIR_NAME, err);
		goto out;
	}
	ofs->indexdir = dir;
	/* an older overlayfs recorded the upper root as the dir's origin */
	err = layerfs_index_verify_set(sb, dir, LAYERFS_XATTR_ORIGIN, upperroot,
				       true, false);
	if (err == -ENODATA)
		err = 0;
	if (!err)
		err = layerfs_index_verify_set(sb, dir, LAYERFS_XATTR_UPPER,
					       upperroot, true, true);
	if (err) {
		errorfc(fc, "'%s/%s' indexes another upperdir than '%s' (%d)",
			ofs->config.workdir, LAYERFS_INDEXDIR_NAME,
			ofs->config.upperdir, err);
		goto out;
	}
	err = layerfs_index_cleanup_dir(fc, sb);
out:
	mnt_drop_write(ofs->layers[0].root.mnt);
	return err;
}
