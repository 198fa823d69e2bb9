// SPDX-License-Identifier: GPL-2.0
/*
 * redirect.c - renamed directories: the redirect_dir option, reading and
 * following trusted.overlay.redirect at lookup, and setting it at rename.
 *
 * A directory with lower parts cannot be moved in the lower layers, which
 * are read-only.  With redirect_dir=on, rename() moves only its upper copy
 * and leaves a note on it: the xattr trusted.overlay.redirect, the place
 * its lower parts are still found, in overlayfs's format:
 *
 *	"a"        relative: the name "a" in the same parent directory
 *	"/x/a"     absolute: the path x/a from the root of each lower layer
 *
 * Lookup reads the note and looks for the old place instead of the name in
 * the layers below (namei.c calls layerfs_redirect_lookup() and
 * layerfs_redirect_found()).  Example: lower has a/f, "mv a b" leaves
 *
 *	upper:  a (whiteout)   b/ (redirect "a")
 *	lower:  a/f
 *
 * and a lookup of "b" finds upper b, reads "a", and merges lower "a" into
 * it: b/f is there.  Documentation/filesystems/layerfs-redirect.rst walks
 * through it, the absolute form and the rename cases.
 *
 * Following a redirect is like following a symlink that the mounter's
 * credentials resolve without permission checks, so a layer from somewhere
 * else could reach what it should not: redirect_dir=nofollow refuses every
 * redirected directory (EPERM), as overlayfs does, whose default on each
 * kernel layerfs shares (the module parameters below).
 *
 * Core: layerfs_redirect_lookup(), layerfs_redirect_found(),
 * layerfs_set_redirect().  Edge cases: invalid values (EINVAL, as
 * overlayfs), a redirect too long to set (EXDEV: mv(1) copies), redirects
 * on the ancestors of an absolute path, show_options on each kernel.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "layerfs.h"
#include "trace.h"

/* overlayfs's limit (its redirect_max parameter's default) */
#define LAYERFS_REDIRECT_MAX	256

/*
 * The defaults are those of the overlayfs the kernel was built with: the
 * kernel's configuration reaches this module too.  On Debian's 6.1 and
 * 6.12, REDIRECT_DIR is off and REDIRECT_ALWAYS_FOLLOW is on: "follow".
 */
static bool layerfs_redirect_dir_def = IS_ENABLED(CONFIG_OVERLAY_FS_REDIRECT_DIR);
module_param_named(redirect_dir, layerfs_redirect_dir_def, bool, 0644);
MODULE_PARM_DESC(redirect_dir, "Default to on or off for the redirect_dir feature");

static bool layerfs_redirect_always_follow =
	IS_ENABLED(CONFIG_OVERLAY_FS_REDIRECT_ALWAYS_FOLLOW);
module_param_named(redirect_always_follow, layerfs_redirect_always_follow,
		   bool, 0644);
MODULE_PARM_DESC(redirect_always_follow,
		 "Follow redirects even if redirect_dir feature is turned off");

const struct constant_table layerfs_redirect_dir_values[] = {
	{ "off",	LAYERFS_REDIRECT_OFF },
	{ "follow",	LAYERFS_REDIRECT_FOLLOW },
	{ "nofollow",	LAYERFS_REDIRECT_NOFOLLOW },
	{ "on",		LAYERFS_REDIRECT_ON },
	{}
};

/* "off" means follow or not, as redirect_always_follow says. */
static unsigned int layerfs_redirect_off(void)
{
	return layerfs_redirect_always_follow ? LAYERFS_REDIRECT_FOLLOW :
						LAYERFS_REDIRECT_NOFOLLOW;
}

static unsigned int layerfs_redirect_def(void)
{
	return layerfs_redirect_dir_def ? LAYERFS_REDIRECT_ON :
					  layerfs_redirect_off();
}

/**
 * layerfs_redirect_init_config - the redirect_dir default of a new mount
 * @config: the options being parsed
 */
void layerfs_redirect_init_config(struct layerfs_config *config)
{
	config->redirect_mode = layerfs_redirect_def();
	config->redirect_given = layerfs_redirect_dir_def ? LAYERFS_REDIRECT_ON :
							    LAYERFS_REDIRECT_OFF;
}

/**
 * layerfs_redirect_parse - take a redirect_dir= value
 * @config: the options being parsed
 * @mode:   the value, an enum layerfs_redirect_mode (fs_parse() refused
 *          any other with EINVAL)
 */
void layerfs_redirect_parse(struct layerfs_config *config, unsigned int mode)
{
	config->redirect_given = mode;
	config->redirect_mode = mode == LAYERFS_REDIRECT_OFF ?
				layerfs_redirect_off() : mode;
}

/**
 * layerfs_redirect_finish_config - settle redirect_dir once all is parsed
 * @config: the options
 *
 * Without an upper layer nothing is renamed, and overlayfs calls "follow"
 * "on" there (which its show_options prints on 6.12); so does layerfs.
 */
void layerfs_redirect_finish_config(struct layerfs_config *config)
{
	if (!config->upperdir && config->redirect_mode == LAYERFS_REDIRECT_FOLLOW)
		config->redirect_mode = LAYERFS_REDIRECT_ON;
}

/**
 * layerfs_redirect_show - redirect_dir in /proc/mounts, when not the default
 * @m:      the seq_file of show_options
 * @config: the mount's options
 *
 * As the running kernel's overlayfs prints it (layerfs_redirect_show_given()).
 */
void layerfs_redirect_show(struct seq_file *m,
			   const struct layerfs_config *config)
{
	unsigned int def = layerfs_redirect_def();
	unsigned int mode = config->redirect_mode;

	if (layerfs_redirect_show_given()) {
		def = layerfs_redirect_dir_def ? LAYERFS_REDIRECT_ON :
						 LAYERFS_REDIRECT_OFF;
		mode = config->redirect_given;
	}
	if (mode != def)
		seq_printf(m, ",redirect_dir=%s",
			   layerfs_redirect_dir_values[mode].name);
}

/**
 * layerfs_redirect_follow - does lookup follow redirects on this mount?
 * @sb: a layerfs super block
 *
 * Return: false only for redirect_dir=nofollow (or off, where it means so).
 */
bool layerfs_redirect_follow(struct super_block *sb)
{
	return LAYERFS_FS(sb)->config.redirect_mode != LAYERFS_REDIRECT_NOFOLLOW;
}

/**
 * layerfs_redirect_dir - may rename move a directory with lower parts?
 * @sb: a layerfs super block
 *
 * Return: true for redirect_dir=on.
 */
bool layerfs_redirect_dir(struct super_block *sb)
{
	return LAYERFS_FS(sb)->config.redirect_mode == LAYERFS_REDIRECT_ON;
}

/**
 * layerfs_offline_changes_allowed - may the lower layers change between mounts?
 * @sb: a layerfs super block
 *
 * Some options write into the upper layer facts about the lower layers
 * that must stay true from one mount to the next: a redirect names a lower
 * path (redirect_dir=on, and metacopy=on, which implies it), an origin is
 * trusted for inode numbers even on a lower filesystem without a uuid
 * (xino=on as given).  overlayfs calls a mount with none of them one that
 * allows offline changes of its lower layers (ovl_allow_offline_changes());
 * with one of them it makes directories created in merged ones opaque and
 * decodes origins on a null-uuid lower.  index=on (index.c) is the
 * fourth such option.
 *
 * Return: true when none of those options is in force.
 */
bool layerfs_offline_changes_allowed(struct super_block *sb)
{
	const struct layerfs_config *config = &LAYERFS_FS(sb)->config;

	return !layerfs_redirect_dir(sb) && !config->metacopy &&
	       config->xino != LAYERFS_XINO_ON && !config->index;
}

/*
 * The redirect of @dentry, a directory of the layer whose mount has @idmap:
 * a NUL-terminated kmalloc()ed string, NULL when it has none, or an
 * ERR_PTR().  Checked as overlayfs checks it (ovl_get_redirect_xattr()):
 * not empty; an absolute one made of non-empty names ("/", "/a/" and
 * "/a//b" are invalid); a relative one a single name.  "." and ".." are
 * left to lookup_one_len(), which refuses them with EACCES, as on
 * overlayfs.  Mounter's credentials (trusted.* needs CAP_SYS_ADMIN).
 */
static char *layerfs_read_redirect(struct layerfs_idmap *idmap,
				   struct dentry *dentry)
{
	const char *s, *next;
	ssize_t res;
	char *buf;

	res = vfs_getxattr(idmap, dentry, LAYERFS_XATTR_REDIRECT, NULL, 0);
	if (res == -ENODATA || res == -EOPNOTSUPP)
		return NULL;
	if (res < 0)
		return ERR_PTR(res);
	buf = kzalloc(res + 1, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (res)
		res = vfs_getxattr(idmap, dentry, LAYERFS_XATTR_REDIRECT, buf,
				   res);
	if (res < 0) {
		kfree(buf);
		return ERR_PTR(res);
	}
	if (!buf[0])
		goto out_invalid;
	if (buf[0] == '/') {
		for (s = buf; *s == '/'; s = next) {
			next = strchrnul(++s, '/');
			if (next == s)
				goto out_invalid;
		}
	} else if (strchr(buf, '/')) {
		goto out_invalid;
	}
	return buf;

out_invalid:
	pr_warn_ratelimited("invalid redirect (%s) on %pd2\n", buf, dentry);
	kfree(buf);
	return ERR_PTR(-EINVAL);
}

/*
 * Replace the name at [@s, @next) of @rd's path with @redirect, found on
 * the directory of that name: a relative redirect takes the place of the
 * name, an absolute one of the path up to it.  What follows (@next on)
 * stays.  Takes @redirect.  Returns the offset in the new path of what
 * followed, or a negative errno.
 */
static int layerfs_redirect_rewrite(struct layerfs_redirect *rd, char *redirect,
				    size_t s, size_t next)
{
	const char *tail = rd->path ? rd->path + next : "";
	size_t taillen = strlen(tail);
	char *new;

	if (redirect[0] == '/') {
		new = kasprintf(GFP_KERNEL, "%s%s", redirect, tail);
		rd->stop = false;	/* the path starts anew below */
	} else {
		new = kasprintf(GFP_KERNEL, "%.*s%s%s", (int)s,
				rd->path ? rd->path : "", redirect, tail);
	}
	kfree(redirect);
	if (!new)
		return -ENOMEM;
	kfree(rd->path);
	rd->path = new;
	return strlen(new) - taillen;
}

/*
 * Look @name up below @base, a directory of one layer, for a redirect's
 * path: NULL when it is too long to be a name there (not found, as on
 * overlayfs), the dentry otherwise (perhaps negative), or an ERR_PTR().
 */
static struct dentry *layerfs_redirect_one(const char *name, size_t len,
					   struct dentry *base)
{
	struct dentry *this = lookup_one_len_unlocked(name, base, len);

	if (this == ERR_PTR(-ENAMETOOLONG))
		return NULL;
	return this;
}

/**
 * layerfs_redirect_lookup - look a name up in one layer, following @rd
 * @rd:     the redirect being followed, if any
 * @parent: the directory to look in: in @rd->dir's stack, the parent of
 *          the name in that layer, or the layer's root for an absolute
 *          redirect
 * @name:   the name the lookup is for
 *
 * Without a redirect, or with a relative one, a single lookup.  An absolute
 * one is walked name by name from @parent: an ancestor that is missing, a
 * whiteout or not a directory means this layer has nothing, and (but for
 * missing) no layer below has either (@rd->stop); an opaque ancestor lets
 * this layer answer but none below; a redirected ancestor rewrites the
 * path for the layers below.  Mounter's credentials.
 *
 * Return: the object (a reference held; perhaps negative), NULL when the
 * layer has nothing, or an ERR_PTR().
 */
struct dentry *layerfs_redirect_lookup(struct layerfs_redirect *rd,
				       const struct layerfs_real *parent,
				       const struct qstr *name)
{
	struct dentry *base, *this;
	size_t s, next;
	int err;

	if (!rd->path)
		return lookup_one_len_unlocked(name->name, parent->dentry,
					       name->len);
	if (rd->path[0] != '/')
		return layerfs_redirect_one(rd->path, strlen(rd->path),
					    parent->dentry);

	base = dget(parent->dentry);
	for (s = 1;; s = next + 1) {
		struct layerfs_real real = { .layer = parent->layer };
		char *redirect;

		next = strchrnul(rd->path + s, '/') - rd->path;
		this = layerfs_redirect_one(rd->path + s, next - s, base);
		dput(base);
		if (IS_ERR_OR_NULL(this) || !rd->path[next])
			return this;

		/* an ancestor of the object on the path */
		err = -EREMOTE;
		if (d_is_positive(this) && layerfs_is_weird(this))
			goto out_put;
		if (d_is_negative(this) || !d_can_lookup(this) ||
		    layerfs_is_whiteout(parent->layer, this)) {
			if (d_is_positive(this))
				rd->stop = true;
			dput(this);
			return NULL;
		}
		real.dentry = this;
		if (layerfs_is_opaque_dir(&real)) {
			rd->stop = true;
		} else {
			redirect = layerfs_read_redirect(layerfs_real_idmap(&real),
							 this);
			err = PTR_ERR(redirect);
			if (IS_ERR(redirect))
				goto out_put;
			if (redirect) {
				err = layerfs_redirect_rewrite(rd, redirect, s,
							       next);
				if (err < 0)
					goto out_put;
				next = err;
			}
		}
		base = this;
	}

out_put:
	dput(this);
	return ERR_PTR(err);
}

/**
 * layerfs_redirect_may_jump - may a redirect lead below this layer?
 * @rd:   the lookup's state
 * @real: a directory found in some layer
 *
 * Even at the bottom of its parent's stack, a directory may carry an
 * absolute redirect to the lower layers below it, when redirects are
 * followed; only the bottom layer of the mount needs no look.
 *
 * Return: true when layerfs_redirect_found() must be asked.
 */
bool layerfs_redirect_may_jump(const struct layerfs_redirect *rd,
			       const struct layerfs_real *real)
{
	struct super_block *sb = rd->dir->i_sb;

	return layerfs_redirect_follow(sb) &&
	       real->layer->idx + 1 < LAYERFS_FS(sb)->numlayers;
}

/**
 * layerfs_redirect_found - take the redirect of a directory a lookup found
 * @rd:   the lookup's state
 * @real: the directory, not opaque, found in some layer, with more layers
 *        to look in below
 *
 * With redirect_dir=nofollow, a redirected directory is refused with
 * EPERM, as overlayfs does once it finds something at the old place (its
 * lower parts would be missing, and a change through the mount would make
 * that permanent).  Otherwise the layers below are searched at the place
 * the redirect names.  Mounter's credentials.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_redirect_found(struct layerfs_redirect *rd,
			   const struct layerfs_real *real)
{
	struct layerfs_idmap *idmap = layerfs_real_idmap(real);
	size_t s = 0, len;
	char *redirect;
	int err;

	if (!layerfs_redirect_follow(rd->dir->i_sb)) {
		ssize_t res = vfs_getxattr(idmap, real->dentry,
					   LAYERFS_XATTR_REDIRECT, NULL, 0);

		if (res == -ENODATA || res == -EOPNOTSUPP)
			return 0;
		if (res >= 0) {
			pr_warn_ratelimited("refusing to follow redirect for %pd2\n",
					    real->dentry);
			res = -EPERM;
		}
		return res;
	}
	redirect = layerfs_read_redirect(idmap, real->dentry);
	if (IS_ERR_OR_NULL(redirect))
		return PTR_ERR(redirect);

	/* A relative redirect replaces the last name of an absolute path. */
	len = rd->path ? strlen(rd->path) : 0;
	if (rd->path && rd->path[0] == '/')
		s = strrchr(rd->path, '/') - rd->path + 1;
	err = layerfs_redirect_rewrite(rd, redirect, s, len);
	if (err < 0)
		return err;
	if (rd->path[0] == '/' && rd->dir != d_inode(rd->dir->i_sb->s_root))
		rd->to_root = true;
	return 0;
}

/**
 * layerfs_redirect_to_root - go on with a lookup in the root's stack
 * @rd:    the lookup's state, with an absolute path to follow
 * @layer: the layer where the absolute redirect was found
 *
 * The root directory merges the roots of every layer; the layers below
 * @layer are searched from there.
 *
 * Return: the index of @layer in the root's stack (the lookup goes on with
 * the next one).
 */
unsigned int layerfs_redirect_to_root(struct layerfs_redirect *rd,
				      const struct layerfs_layer *layer)
{
	struct inode *root = d_inode(rd->dir->i_sb->s_root);
	struct layerfs_real real;
	unsigned int i;

	rd->to_root = false;
	rd->dir = root;
	rd->dirupper = layerfs_upper(root);
	rd->nstack = layerfs_nstack(root, rd->dirupper);
	for (i = 0; i < rd->nstack; i++) {
		layerfs_stack(root, rd->dirupper, i, &real);
		if (real.layer->idx >= layer->idx)
			break;
	}
	return i;
}

/*
 * The redirect of the layerfs directory @dentry: its upper directory's, or
 * NULL.  Mounter's credentials.
 */
static char *layerfs_get_redirect(struct dentry *dentry)
{
	struct dentry *upper = layerfs_upper(d_inode(dentry));

	if (!upper)
		return NULL;
	return layerfs_read_redirect(layerfs_upper_idmap(dentry->d_sb), upper);
}

/*
 * The absolute redirect of @dentry, about to move to another directory:
 * the path of its lower parts, from its parents' names, or their own
 * redirects where they have one (up to the first absolute one).  Only
 * called for a rename between directories, which the VFS serialises
 * (s_vfs_rename_mutex): no directory on the path moves meanwhile.
 */
static char *layerfs_redirect_path(struct dentry *dentry)
{
	char *buf, *name, *ret;
	struct dentry *d;
	int pos = LAYERFS_REDIRECT_MAX;
	int len, err = 0;

	buf = kmalloc(LAYERFS_REDIRECT_MAX + 1, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf[pos] = '\0';

	for (d = dget(dentry); !IS_ROOT(d);) {
		struct dentry *parent;

		name = layerfs_get_redirect(d);
		if (IS_ERR(name)) {
			err = PTR_ERR(name);
			break;
		}
		if (!name) {
			spin_lock(&d->d_lock);
			name = kstrndup(d->d_name.name, d->d_name.len,
					GFP_ATOMIC);
			spin_unlock(&d->d_lock);
			if (!name) {
				err = -ENOMEM;
				break;
			}
		}
		len = strlen(name);
		/* too long: refuse, and mv(1) copies instead (overlayfs too) */
		if (len + (name[0] != '/') > pos) {
			kfree(name);
			err = -EXDEV;
			break;
		}
		pos -= len;
		memcpy(buf + pos, name, len);
		kfree(name);
		if (buf[pos] == '/')
			break;
		buf[--pos] = '/';
		parent = dget_parent(d);
		dput(d);
		d = parent;
	}
	dput(d);
	ret = err ? ERR_PTR(err) : kstrdup(buf + pos, GFP_KERNEL);
	kfree(buf);
	return ret ? ret : ERR_PTR(-ENOMEM);
}

/**
 * layerfs_set_redirect - mark a directory with lower parts before a rename
 * @dentry:  the directory, copied up, about to be renamed
 * @samedir: the rename stays in the same parent
 *
 * Within its parent, a directory's lower parts are under its current name
 * (a relative redirect); moving to another parent, under a path from the
 * root (an absolute one).  A directory renamed before keeps the redirect it
 * has if that still fits: any within the same parent, an absolute one
 * anywhere.  Called with the mounter's credentials and write access to
 * the upper layer.
 *
 * Return: 0, or -EXDEV when the redirect cannot be set (too long, or the
 * upper filesystem refuses it): mv(1) then copies, as on overlayfs.
 */
int layerfs_set_redirect(struct dentry *dentry, bool samedir)
{
	struct dentry *upper = layerfs_upper(d_inode(dentry));
	char *redirect;
	int err;

	redirect = layerfs_get_redirect(dentry);
	if (IS_ERR(redirect))
		return PTR_ERR(redirect);
	if (redirect && (samedir || redirect[0] == '/')) {
		kfree(redirect);
		return 0;
	}
	kfree(redirect);

	if (samedir)
		redirect = kstrndup(dentry->d_name.name, dentry->d_name.len,
				    GFP_KERNEL);
	else
		redirect = layerfs_redirect_path(dentry);
	if (!redirect)
		return -ENOMEM;
	if (IS_ERR(redirect))
		return PTR_ERR(redirect);

	err = vfs_setxattr(layerfs_upper_idmap(dentry->d_sb), upper,
			   LAYERFS_XATTR_REDIRECT, redirect, strlen(redirect),
			   0);
	kfree(redirect);
	if (err) {
		pr_warn_ratelimited("failed to set redirect (%d)\n", err);
		err = -EXDEV;
	}
	return err;
}

/**
 * layerfs_redirect_new_dir - mark a directory just made in a merged one
 * @dentry: the new layerfs directory (not instantiated yet); the caller
 *          holds its parent's i_rwsem and the creator's credentials
 *          (layerfs_override_creator(): the mounter's capabilities)
 * @upper:  the new directory in the upper layer, made by mkdir there
 *
 * With redirect_dir=on (or metacopy=on, xino=on), overlayfs makes every
 * directory it creates in a merged directory opaque (ovl_create_upper(),
 * "just an optimization"), whether or not a lower layer has the name: the
 * new directory's lookups then never search the layers below, and a lower
 * directory of that name added offline later stays hidden.  It does so only
 * when it forbids offline changes of the lower layers
 * (layerfs_offline_changes_allowed()).  layerfs writes the same marker, so
 * that the upper layers of both are the same on disk.  As there, failing to
 * set it only loses the optimization: ignored.
 * A directory made over a whiteout is opaque anyway (dir.c).
 */
void layerfs_redirect_new_dir(struct dentry *dentry, struct dentry *upper)
{
	struct super_block *sb = dentry->d_sb;

	if (layerfs_offline_changes_allowed(sb) ||
	    !LAYERFS_I(d_inode(dentry->d_parent))->nlower)
		return;
	if (!layerfs_set_opaque(sb, upper))
		layerfs_note_opaque(dentry, upper, LAYERFS_OPAQUE_NEW_IN_MERGED);
}
