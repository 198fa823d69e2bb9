// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - the layerfs filesystem type: mount options, checking and taking
 * hold of the layers, the super block, and module load and unload.
 *
 * A mount goes through the fs_context API:
 *
 *	layerfs_init_fs_context()    allocate struct layerfs_config
 *	layerfs_parse_monolithic()   mount(2) only: refuse a cut option string
 *	layerfs_parse_param()        once per option; lowerdir is split here
 *	layerfs_get_tree()           -> get_tree_nodev() -> layerfs_fill_super():
 *	    layerfs_get_layers()         resolve every directory, reach each
 *	                                 layer through a private mount
 *	    layerfs_check_layers()       no overlaps, stacking depth
 *	    layerfs_make_workdir()       <workdir>/work, probe xattrs/whiteouts
 *	    root inode                   stacks the roots of all layers
 *
 * Every failure is reported once, in one line, through the fs_context log:
 * mount(2) callers find it in the kernel log, fsopen(2) callers read it from
 * the fs_context file descriptor.
 *
 * Core: the options (layerfs_parse_param()), the layers
 * (layerfs_get_layers()), the work directory (layerfs_make_workdir()), the
 * root (layerfs_make_root()), layerfs_fill_super(), layerfs_kill_sb().
 * Edge cases: option strings cut at a page (layerfs_parse_monolithic()),
 * escapes in lowerdir, probing what the upper filesystem supports
 * (layerfs_probe_xattr(), layerfs_probe_rename()), claiming upper and work
 * directories against other mounts (layerfs_claim_dirs(), "in use"),
 * pseudo device numbers for layers on several filesystems, remount,
 * syncfs.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include "layerfs.h"

/* ---- mount options --------------------------------------------------- */

enum layerfs_param {
	LAYERFS_OPT_LOWERDIR,
	LAYERFS_OPT_LOWERDIR_ADD,
	LAYERFS_OPT_DATADIR_ADD,
	LAYERFS_OPT_UPPERDIR,
	LAYERFS_OPT_WORKDIR,
	LAYERFS_OPT_VOLATILE,
	LAYERFS_OPT_REDIRECT_DIR,
	LAYERFS_OPT_XINO,
	LAYERFS_OPT_INDEX,
	LAYERFS_OPT_METACOPY,
};

static const struct fs_parameter_spec layerfs_parameters[] = {
	fsparam_string("lowerdir",	LAYERFS_OPT_LOWERDIR),
	fsparam_string("lowerdir+",	LAYERFS_OPT_LOWERDIR_ADD),
	fsparam_string("datadir+",	LAYERFS_OPT_DATADIR_ADD),
	fsparam_string("upperdir",	LAYERFS_OPT_UPPERDIR),
	fsparam_string("workdir",	LAYERFS_OPT_WORKDIR),
	fsparam_flag("volatile",	LAYERFS_OPT_VOLATILE),
	fsparam_enum("redirect_dir",	LAYERFS_OPT_REDIRECT_DIR,
		     layerfs_redirect_dir_values),
	fsparam_enum("xino",		LAYERFS_OPT_XINO, layerfs_xino_values),
	fsparam_enum("index",		LAYERFS_OPT_INDEX, layerfs_index_values),
	fsparam_enum("metacopy",	LAYERFS_OPT_METACOPY,
		     layerfs_metacopy_values),
	{}
};

/* Forget the lower layers named so far, by either kind of option. */
static void layerfs_config_drop_lower(struct layerfs_config *config)
{
	unsigned int i;

	for (i = 0; i < config->numlower; i++)
		kfree(config->lower[i]);
	kfree(config->lower);
	kfree(config->lowerdir);
	config->lower = NULL;
	config->lowerdir = NULL;
	config->numlower = 0;
	config->lower_cap = 0;
}

static void layerfs_config_free(struct layerfs_config *config)
{
	layerfs_config_drop_lower(config);
	kfree(config->upperdir);
	kfree(config->workdir);
	memset(config, 0, sizeof(*config));
}

/* Append the layer name @name (the config takes it over) to @config. */
static int layerfs_config_add_lower(struct fs_context *fc,
				    struct layerfs_config *config, char *name)
{
	unsigned int cap;
	char **lower;

	if (config->numlower == LAYERFS_MAX_LOWER) {
		kfree(name);
		return invalfc(fc, "too many lower layers (at most %d)",
			       LAYERFS_MAX_LOWER);
	}
	if (config->numlower == config->lower_cap) {
		cap = min(max(2 * config->lower_cap, 8U), LAYERFS_MAX_LOWER);
		lower = krealloc_array(config->lower, cap, sizeof(*lower),
				       GFP_KERNEL);
		if (!lower) {
			kfree(name);
			return -ENOMEM;
		}
		config->lower = lower;
		config->lower_cap = cap;
	}
	config->lower[config->numlower++] = name;
	return 0;
}

/*
 * Split a lowerdir option into layer names: ':' separates layers, and a
 * backslash makes the next character literal, so "a\:b" names the single
 * directory "a:b".  The option replaces every lower layer named before it,
 * by lowerdir= or lowerdir+, as on overlayfs.  An empty name ("a::b") is
 * refused: overlayfs reads "::" as the start of data-only layers, which
 * layerfs does not have (see layerfs_parse_param()).
 */
static int layerfs_parse_lowerdir(struct fs_context *fc,
				  struct layerfs_config *config, char *spec)
{
	char *buf, *src, *dst, *name;
	unsigned int i = 0;
	int err = 0;

	buf = kmalloc(strlen(spec) + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	layerfs_config_drop_lower(config);

	for (src = spec; !err; src++) {
		/* Unescape one name into buf, up to ':' or the end. */
		for (dst = buf; *src && *src != ':'; src++) {
			if (*src == '\\' && !*++src) {
				err = invalfc(fc, "lowerdir ends with a lone backslash");
				goto out;
			}
			*dst++ = *src;
		}
		*dst = '\0';
		i++;
		if (dst == buf && i > 1 && *src && src[1]) {
			err = invalfc(fc,
				      "lowerdir layer %u has an empty name ('::' starts data-only layers, which layerfs does not have)",
				      i);
			goto out;
		}
		if (dst == buf) {
			err = invalfc(fc, "lowerdir layer %u has an empty name", i);
			goto out;
		}
		name = kstrdup(buf, GFP_KERNEL);
		err = name ? layerfs_config_add_lower(fc, config, name) :
			     -ENOMEM;
		if (!*src)
			break;
	}
out:
	kfree(buf);
	if (err) {
		layerfs_config_drop_lower(config);
		return err;
	}
	config->lowerdir = spec;
	return 0;
}

static int layerfs_parse_param(struct fs_context *fc,
			       struct fs_parameter *param)
{
	struct layerfs_config *config = fc->fs_private;
	struct fs_parse_result result;
	char **slot;
	int opt, err;

	opt = fs_parse(fc, layerfs_parameters, param, &result);
	if (opt < 0)
		return opt;

	/*
	 * The layers of a live mount cannot change: on remount the path
	 * options are accepted (mount(8) passes them back) and ignored.
	 */
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
		return 0;

	switch (opt) {
	case LAYERFS_OPT_LOWERDIR:
		err = layerfs_parse_lowerdir(fc, config, param->string);
		if (!err)
			param->string = NULL;	/* the config owns it now */
		return err;
	case LAYERFS_OPT_LOWERDIR_ADD:
		/*
		 * One layer per option, below those named so far, its name
		 * taken as it is (no ':' splitting, no escapes): the way
		 * past mount(2)'s one page, as on overlayfs 6.8 and later.
		 */
		if (config->lowerdir)
			return invalfc(fc, "lowerdir+ and datadir+ cannot follow lowerdir");
		if (!*param->string)
			return invalfc(fc, "lowerdir+ needs a directory");
		err = layerfs_config_add_lower(fc, config, param->string);
		param->string = NULL;
		return err;
	case LAYERFS_OPT_DATADIR_ADD:
		/*
		 * A data-only layer holds the data of metacopy files, reached
		 * only through absolute redirects, and hidden from lookup
		 * otherwise: layerfs has metacopy (metacopy.c) but not
		 * data-only layers.  Refused rather than mounted as an
		 * ordinary lower layer, whose files would show.
		 */
		return invalfc(fc,
			       "datadir+: data-only layers (for metacopy files) are not implemented by layerfs");
	case LAYERFS_OPT_UPPERDIR:
		slot = &config->upperdir;
		break;
	case LAYERFS_OPT_WORKDIR:
		slot = &config->workdir;
		break;
	case LAYERFS_OPT_VOLATILE:
		config->is_volatile = true;
		return 0;
	case LAYERFS_OPT_REDIRECT_DIR:
		layerfs_redirect_parse(config, result.uint_32);
		config->redirect_set = true;
		return 0;
	case LAYERFS_OPT_METACOPY:
		config->metacopy = result.uint_32;
		config->metacopy_set = true;
		return 0;
	case LAYERFS_OPT_XINO:
		config->xino = result.uint_32;
		return 0;
	case LAYERFS_OPT_INDEX:
		return layerfs_index_parse(fc, result.uint_32);
	default:
		return -EINVAL;
	}
	kfree(*slot);
	*slot = param->string;
	param->string = NULL;
	return 0;
}

/*
 * mount(2) copies one page of option data and ends the string at its last
 * byte (path_mount() stores a NUL at PAGE_SIZE - 1), so a longer string
 * arrives cut, usually in the middle of a lowerdir path.  Nothing in what
 * is left says so: a cut in the middle of a path may leave a prefix that
 * names another directory ("/l/layer12" cut to "/l/layer1"), and a cut
 * between two layers leaves a list that is simply shorter.  So the rule
 * is "the page is full": a string of PAGE_SIZE - 1 bytes or more is
 * refused, even one of exactly that length that was not cut, since layerfs
 * cannot tell the two apart.  fsconfig(2) hands over each option whole and
 * never comes here.
 */
static int layerfs_parse_monolithic(struct fs_context *fc, void *data)
{
	/*
	 * A remount cannot change the layers (layerfs_parse_param() ignores
	 * the path options then), so only a new mount can lose one.
	 */
	if (data && fc->purpose == FS_CONTEXT_FOR_MOUNT &&
	    strnlen(data, PAGE_SIZE) >= PAGE_SIZE - 1)
		return invalfc(fc,
			       "options fill mount(2)'s one page (%lu bytes), so they may have been cut: use shorter or relative layer paths, or fsconfig(2) with one lowerdir+ per layer",
			       PAGE_SIZE);
	return generic_parse_monolithic(fc, data);
}

/* ---- taking hold of the layers -------------------------------------- */

/*
 * Resolve a directory the user named, following symlinks, and refuse one
 * layerfs cannot stack on (layerfs_is_weird()).  A filesystem with
 * case-folding (ext4 or f2fs made with -O casefold) is refused as a whole,
 * as overlayfs does since it checks sb_has_encoding(): the dentry of its
 * root has no d_hash/d_compare, so it would pass as not weird, but any
 * directory below may be made case-insensitive (chattr +F) at any time.
 */
static int layerfs_resolve_dir(struct fs_context *fc, const char *what,
			       const char *name, struct path *path)
{
	int err;

	err = kern_path(name, LOOKUP_FOLLOW, path);
	if (err) {
		errorfc(fc, "%s '%s': cannot resolve path (%d)", what, name, err);
		return err;
	}
	err = -ENOTDIR;
	if (!d_is_dir(path->dentry)) {
		errorfc(fc, "%s '%s' is not a directory", what, name);
		goto out_put;
	}
	err = -EINVAL;
	if (layerfs_sb_has_encoding(path->dentry->d_sb)) {
		errorfc(fc,
			"%s '%s' is on a filesystem with case-folding (casefold), which layerfs does not support",
			what, name);
		goto out_put;
	}
	if (layerfs_is_weird(path->dentry)) {
		errorfc(fc,
			"%s '%s' is an automount point or on a filesystem with its own name comparison, which layerfs does not support",
			what, name);
		goto out_put;
	}
	return 0;

out_put:
	path_put(path);
	/* the caller's cleanup puts whatever is left in @path */
	*path = (struct path) {};
	return err;
}

/*
 * Reach the layer directory @path through a private clone of the mount it
 * is on, rooted at @path, as overlayfs does for every layer.  The clone is
 * in no mount namespace, so nothing the user does to their own mount --
 * umount, mount -o remount,bind,ro, a change of propagation -- reaches it,
 * and the user's mount is not held busy by layerfs.  clone_private_mount()
 * refuses (EINVAL) a mount that is not in the mounter's namespace (a path
 * reached through /proc/PID/root of another one) and an unbindable mount.
 * The clone is released by kern_unmount_array() (layerfs_free_fs()), not
 * by mntput().
 */
static struct vfsmount *layerfs_clone_mount(struct fs_context *fc,
					    const char *what, const char *name,
					    const struct path *path)
{
	struct vfsmount *clone = clone_private_mount(path);

	if (IS_ERR(clone))
		errorfc(fc, "%s '%s': cannot make a private mount of it (%ld)",
			what, name, PTR_ERR(clone));
	return clone;
}

/*
 * Take hold of the upper and work directories.  Both must be on the mount
 * of the user's (not just the same filesystem): copies made in work/ are
 * renamed into the upper layer, and a rename cannot cross mounts.  Both are
 * then reached through one private clone of that mount, which keeps the
 * user's mount flags but not its atime rules: as overlayfs does, the upper
 * layer's atimes follow layerfs's own mount (strictatime on the clone).
 * @layer gets the clone and the upper directory, ofs->workdir the clone
 * (without a reference of its own) and the work directory, @mnt the clone.
 */
static int layerfs_get_upper(struct fs_context *fc, struct layerfs_fs *ofs,
			     struct layerfs_layer *layer, struct vfsmount **mnt)
{
	struct layerfs_config *config = &ofs->config;
	struct path upper, work;
	struct vfsmount *clone;
	int err;

	err = layerfs_resolve_dir(fc, "upperdir", config->upperdir, &upper);
	if (err)
		return err;
	err = layerfs_resolve_dir(fc, "workdir", config->workdir, &work);
	if (err)
		goto out_put_upper;

	err = -EINVAL;
	if (work.mnt != upper.mnt) {
		errorfc(fc, "workdir and upperdir must be on the same mount");
		goto out_put_work;
	}
	clone = layerfs_clone_mount(fc, "upperdir", config->upperdir, &upper);
	err = PTR_ERR(clone);
	if (IS_ERR(clone))
		goto out_put_work;
	clone->mnt_flags &= ~(MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME);

	*mnt = clone;
	layer->root.mnt = clone;
	layer->root.dentry = dget(upper.dentry);
	ofs->workdir.mnt = clone;
	ofs->workdir.dentry = dget(work.dentry);
	err = 0;
out_put_work:
	path_put(&work);
out_put_upper:
	path_put(&upper);
	return err;
}

/*
 * Take hold of the lower layer @name, through a private clone of its mount
 * (layerfs_clone_mount()) made read-only and noatime, as overlayfs does:
 * nothing layerfs does can write to a lower layer, and reading through it
 * does not even move an atime.  @root gets the clone and the directory;
 * @mnt the clone again, for its release.
 */
static int layerfs_get_lower(struct fs_context *fc, const char *name,
			     struct path *root, struct vfsmount **mnt)
{
	struct vfsmount *clone;
	struct path path;
	int err;

	err = layerfs_resolve_dir(fc, "lowerdir", name, &path);
	if (err)
		return err;
	clone = layerfs_clone_mount(fc, "lowerdir", name, &path);
	if (IS_ERR(clone)) {
		path_put(&path);
		return PTR_ERR(clone);
	}
	clone->mnt_flags |= MNT_READONLY | MNT_NOATIME;
	*mnt = clone;
	root->mnt = clone;
	root->dentry = dget(path.dentry);
	path_put(&path);
	return 0;
}

/* How many entries ofs->mnts has: one per layer the options name. */
static unsigned int layerfs_nmnts(const struct layerfs_fs *ofs)
{
	return (ofs->config.upperdir ? 1 : 0) + ofs->config.numlower;
}

static int layerfs_get_layers(struct fs_context *fc, struct layerfs_fs *ofs)
{
	struct layerfs_config *config = &ofs->config;
	unsigned int i, nupper = config->upperdir ? 1 : 0;
	struct layerfs_layer *layer;
	int err;

	ofs->layers = kcalloc(layerfs_nmnts(ofs), sizeof(*ofs->layers),
			      GFP_KERNEL);
	ofs->mnts = kcalloc(layerfs_nmnts(ofs), sizeof(*ofs->mnts), GFP_KERNEL);
	if (!ofs->layers || !ofs->mnts)
		return -ENOMEM;

	if (nupper) {
		layer = &ofs->layers[0];
		err = layerfs_get_upper(fc, ofs, layer, &ofs->mnts[0]);
		if (err)
			return err;
		layer->name = config->upperdir;
		layer->upper = true;
		ofs->numlayers = 1;
		ofs->has_upper = true;
	}

	for (i = 0; i < config->numlower; i++) {
		layer = &ofs->layers[ofs->numlayers];
		err = layerfs_get_lower(fc, config->lower[i], &layer->root,
					&ofs->mnts[nupper + i]);
		if (err)
			return err;
		layer->name = config->lower[i];
		layer->idx = ofs->numlayers++;
	}
	return 0;
}

/* Is either directory the other one, or inside it? */
static bool layerfs_overlap(struct dentry *a, struct dentry *b)
{
	return is_subdir(a, b) || is_subdir(b, a);
}

/*
 * Layers must be disjoint trees: a layer inside another would show up in
 * the merged view inside itself, and changes through the upper layer would
 * change a lower layer under the mount.  The workdir must not overlap any
 * layer either.
 */
static int layerfs_check_layers(struct fs_context *fc, struct super_block *sb,
				struct layerfs_fs *ofs)
{
	struct layerfs_layer *layers = ofs->layers;
	unsigned int i, j;
	int depth = 0;

	if (ofs->has_upper &&
	    layerfs_overlap(layers[0].root.dentry, ofs->workdir.dentry))
		return invalfc(fc, "workdir and upperdir must be separate subtrees");

	ofs->samefs = true;
	for (i = 0; i < ofs->numlayers; i++) {
		struct dentry *di = layers[i].root.dentry;

		for (j = i + 1; j < ofs->numlayers; j++) {
			if (!layerfs_overlap(di, layers[j].root.dentry))
				continue;
			errorfc(fc, "layers '%s' and '%s' overlap",
				layers[i].name, layers[j].name);
			return -ELOOP;
		}
		if (ofs->has_upper && i > 0 &&
		    layerfs_overlap(di, ofs->workdir.dentry)) {
			errorfc(fc, "workdir '%s' and lowerdir '%s' overlap",
				ofs->config.workdir, layers[i].name);
			return -ELOOP;
		}

		if (di->d_sb != layers[0].root.dentry->d_sb)
			ofs->samefs = false;
		depth = max(depth, di->d_sb->s_stack_depth);
	}

	/* Each stacking filesystem adds one level; the kernel allows two. */
	sb->s_stack_depth = depth + 1;
	if (sb->s_stack_depth > FILESYSTEM_MAX_STACK_DEPTH)
		return invalfc(fc, "layers are stacked too deep (at most %d levels)",
			       FILESYSTEM_MAX_STACK_DEPTH);
	return 0;
}

/* The index of the first layer on the filesystem of layer @i (at most @i). */
static unsigned int layerfs_first_on_fs(const struct layerfs_fs *ofs,
					unsigned int i)
{
	struct super_block *sb = ofs->layers[i].root.dentry->d_sb;
	unsigned int j;

	for (j = 0; j < i; j++) {
		if (ofs->layers[j].root.dentry->d_sb == sb)
			break;
	}
	return j;
}

/*
 * With layers on several filesystems, a real inode number is unique only
 * within its own filesystem, so a non-directory reports it together with a
 * device number that stands for that filesystem (layerfs_getattr()).  Not
 * the real st_dev: an object of the merged view would then have the
 * (st_dev, st_ino) of the real object outside it, which tools such as cp,
 * tar and du read as "the same file".  As overlayfs does (with xino off,
 * Debian's default), each real filesystem gets an anonymous device number
 * instead, shared by all the layers on it.
 */
static int layerfs_get_pseudo_devs(struct layerfs_fs *ofs)
{
	unsigned int i, first;
	int err;

	if (ofs->samefs)
		return 0;
	for (i = 0; i < ofs->numlayers; i++) {
		first = layerfs_first_on_fs(ofs, i);
		if (first < i) {
			ofs->layers[i].pseudo_dev = ofs->layers[first].pseudo_dev;
			continue;
		}
		err = get_anon_bdev(&ofs->layers[i].pseudo_dev);
		if (err)
			return err;
	}
	return 0;
}

/* Give back the device numbers of layerfs_get_pseudo_devs(), once each. */
static void layerfs_put_pseudo_devs(struct layerfs_fs *ofs)
{
	unsigned int i;

	for (i = 0; i < ofs->numlayers; i++) {
		if (ofs->layers[i].pseudo_dev &&
		    layerfs_first_on_fs(ofs, i) == i)
			free_anon_bdev(ofs->layers[i].pseudo_dev);
	}
}

/* ---- the work directory ---------------------------------------------- */

/* Can the upper filesystem store trusted.overlay.* xattrs? */
static int layerfs_probe_xattr(struct fs_context *fc, struct super_block *sb)
{
	struct layerfs_idmap *idmap = layerfs_upper_idmap(sb);
	struct dentry *work = LAYERFS_FS(sb)->work;
	int err;

	err = vfs_setxattr(idmap, work, LAYERFS_XATTR_OPAQUE, "0", 1, 0);
	if (err) {
		errorfc(fc, "upperdir's filesystem cannot store trusted.* xattrs (%d)",
			err);
		return err;
	}
	vfs_removexattr(idmap, work, LAYERFS_XATTR_OPAQUE);
	return 0;
}

/*
 * Report a probe of the upper filesystem for @feature that failed with
 * @err.  Failing for want of memory or space, or on an I/O error, says
 * nothing about what the filesystem supports: the message says so and the
 * errno is passed on as it is.  Anything else means "not supported".
 */
static int layerfs_probe_failed(struct fs_context *fc, const char *feature,
				int err)
{
	switch (err) {
	case -ENOMEM:
	case -ENOSPC:
	case -EDQUOT:
	case -EIO:
	case -EINTR:
		errorfc(fc, "cannot probe upperdir's filesystem for %s (%d)",
			feature, err);
		return err;
	default:
		errorfc(fc, "upperdir's filesystem lacks %s (%d)", feature, err);
		return -EOPNOTSUPP;
	}
}

/*
 * Can the upper filesystem make whiteouts, both with mknod() and as a side
 * effect of rename(RENAME_WHITEOUT), and swap two names (RENAME_EXCHANGE)?
 * Everything the probe makes is left in work/, which the caller empties.
 */
static int layerfs_probe_rename(struct fs_context *fc, struct super_block *sb)
{
	struct layerfs_cattr file = { .mode = S_IFREG };
	struct layerfs_cattr wh = { .mode = S_IFCHR, .rdev = WHITEOUT_DEV };
	struct dentry *work = LAYERFS_FS(sb)->work;
	struct inode *wdir = d_inode(work);
	struct dentry *temp, *target = NULL, *old = NULL;
	char name[16];
	int err;

	temp = layerfs_create_temp(sb, &wh);
	if (IS_ERR(temp))
		return layerfs_probe_failed(fc, "whiteouts (0/0 character devices)",
					    PTR_ERR(temp));
	dput(temp);

	temp = layerfs_create_temp(sb, &file);
	if (IS_ERR(temp))
		return PTR_ERR(temp);
	strscpy(name, temp->d_name.name, sizeof(name));

	inode_lock_nested(wdir, I_MUTEX_PARENT);
	target = lookup_one_len("#probe", work, strlen("#probe"));
	err = PTR_ERR(target);
	if (IS_ERR(target)) {
		target = NULL;
		goto out_unlock;
	}
	/* temp moves to "#probe", a whiteout takes its old name */
	err = layerfs_do_rename(sb, wdir, temp, wdir, target, RENAME_WHITEOUT);
	if (err)
		goto out_unsupported;
	old = lookup_one_len(name, work, strlen(name));
	err = PTR_ERR(old);
	if (IS_ERR(old)) {
		old = NULL;
		goto out_unlock;
	}
	err = -EOPNOTSUPP;
	if (!layerfs_is_whiteout(layerfs_upper_layer(sb), old))
		goto out_unsupported;
	err = layerfs_do_rename(sb, wdir, old, wdir, temp, RENAME_EXCHANGE);
	if (!err)
		goto out_unlock;
out_unsupported:
	err = layerfs_probe_failed(fc, "RENAME_WHITEOUT or RENAME_EXCHANGE", err);
out_unlock:
	inode_unlock(wdir);
	dput(old);
	dput(target);
	dput(temp);
	return err;
}

/*
 * Temporaries are made in work/ and must come out as if made where they
 * end up, so work/ must pass nothing on.  What it inherited from the
 * workdir would be: the setgid bit (and with it the workdir's group) and
 * a default ACL, given to every copy-up and every object made over a
 * whiteout.  work/ loses both, its mode bits (nobody but layerfs, as the
 * mounter, has business in it), and the access ACL that came with the
 * default one.  An upper filesystem without POSIX ACLs has no ACL to lose.
 */
static int layerfs_strip_work(struct fs_context *fc, struct super_block *sb)
{
	static const char *const names[] = {
		XATTR_NAME_POSIX_ACL_DEFAULT, XATTR_NAME_POSIX_ACL_ACCESS,
	};
	struct dentry *work = LAYERFS_FS(sb)->work;
	struct inode *inode = d_inode(work);
	unsigned int i;
	int err;

	if (inode->i_mode & 07777) {
		err = layerfs_set_mode(sb, work, S_IFDIR);
		if (err) {
			errorfc(fc, "cannot chmod '%s/%s' (%d)",
				LAYERFS_FS(sb)->config.workdir,
				LAYERFS_WORKDIR_NAME, err);
			return err;
		}
	}
	if (!IS_POSIXACL(inode))
		return 0;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		err = layerfs_vfs_set_acl(layerfs_upper_idmap(sb), work,
					  names[i], NULL);
		/*
		 * EOPNOTSUPP: no ACLs after all.  FUSE before 6.2 sets
		 * SB_POSIXACL for a server without ACL support too.
		 */
		if (err && err != -ENODATA && err != -EOPNOTSUPP) {
			errorfc(fc, "cannot remove %s from '%s/%s' (%d)",
				names[i], LAYERFS_FS(sb)->config.workdir,
				LAYERFS_WORKDIR_NAME, err);
			return err;
		}
	}
	return 0;
}

/*
 * "volatile" only concerns the upper layer: without one it is ignored, as
 * overlayfs ignores it.  A volatile mount reports the upper filesystem's
 * writeback errors from the mount on (layerfs_sync_status()), so one that
 * nobody has been told of yet would go unreported: refused, as overlayfs
 * does, until a sync of the upper filesystem reports it.
 */
static int layerfs_check_volatile(struct fs_context *fc, struct layerfs_fs *ofs)
{
	struct super_block *upper_sb;

	if (!ofs->config.is_volatile)
		return 0;
	if (!ofs->has_upper) {
		infofc(fc, "option 'volatile' is meaningless without upperdir, ignoring it");
		ofs->config.is_volatile = false;
		return 0;
	}
	upper_sb = ofs->layers[0].root.mnt->mnt_sb;
	ofs->errseq = errseq_sample(&upper_sb->s_wb_err);
	if (errseq_check(&upper_sb->s_wb_err, ofs->errseq)) {
		errorfc(fc,
			"upperdir '%s' has a writeback error nobody was told of: sync its filesystem before a volatile mount",
			ofs->config.upperdir);
		return -EIO;
	}
	return 0;
}

/*
 * work/incompat/ holds one directory per feature of an earlier mount that
 * a later one must not take for granted; the only such feature is
 * "volatile" (layerfs_mark_volatile()).  Any name in it, from layerfs or
 * overlayfs (which uses the same directory), refuses the mount, as on
 * overlayfs, instead of emptying work/ as after an ordinary mount.
 * Returns 0 when the mount may go on, else an errno (-EINVAL for such a
 * name), said in the fs_context log.
 */
static int layerfs_check_incompat(struct fs_context *fc,
				  struct super_block *sb, struct dentry *work)
{
	struct dentry *incompat;
	char *names;
	size_t len;
	int err = 0;

	incompat = lookup_one_len_unlocked(LAYERFS_INCOMPAT_NAME, work,
					   strlen(LAYERFS_INCOMPAT_NAME));
	err = PTR_ERR_OR_ZERO(incompat);
	if (err || !d_is_dir(incompat))
		goto out_dput;
	names = layerfs_read_names(sb, incompat, &len);
	err = PTR_ERR_OR_ZERO(names);
	if (names && !err)
		err = invalfc(fc,
			      "workdir '%s' has incompat feature '%s' from an earlier mount (a volatile mount's changes may be lost): use new upper and work directories, or remove '%s/%s/%s/%s' if the upper layer is known to be intact",
			      LAYERFS_FS(sb)->config.workdir, names,
			      LAYERFS_FS(sb)->config.workdir,
			      LAYERFS_WORKDIR_NAME, LAYERFS_INCOMPAT_NAME, names);
	if (!IS_ERR(names))
		kfree(names);
out_dput:
	if (!IS_ERR(incompat))
		dput(incompat);
	if (err && err != -EINVAL)
		errorfc(fc, "cannot read '%s/%s/%s' (%d)",
			LAYERFS_FS(sb)->config.workdir, LAYERFS_WORKDIR_NAME,
			LAYERFS_INCOMPAT_NAME, err);
	return err;
}

/*
 * A volatile mount never syncs the upper layer, so after a crash the upper
 * layer may hold anything: files whose names were renamed into place before
 * their data reached the disk, whiteouts without the copy they replaced.
 * work/incompat/volatile/dirty (overlayfs's marker, so each filesystem
 * refuses the other's) stays after the mount ends, crash or not, and
 * layerfs_check_incompat() refuses every later mount until a user who knows
 * the layers are intact removes it.
 */
static int layerfs_mark_volatile(struct fs_context *fc, struct super_block *sb)
{
	static const char *const path[] = {
		LAYERFS_INCOMPAT_NAME, "volatile", "dirty",
	};
	struct dentry *dir = dget(LAYERFS_FS(sb)->work), *child;
	struct layerfs_cattr attr = { };
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(path) && !err; i++) {
		attr.mode = i + 1 < ARRAY_SIZE(path) ? S_IFDIR : S_IFREG;
		inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
		child = lookup_one_len(path[i], dir, strlen(path[i]));
		err = PTR_ERR_OR_ZERO(child);
		if (!err && d_is_negative(child))
			err = layerfs_create_real(sb, d_inode(dir), child, &attr);
		else if (!err && d_is_dir(child) != S_ISDIR(attr.mode))
			err = -EEXIST;
		inode_unlock(d_inode(dir));
		dput(dir);
		dir = err ? NULL : child;
		if (err && !IS_ERR(child))
			dput(child);
	}
	dput(dir);
	if (err)
		errorfc(fc, "cannot create the volatile marker in '%s/%s' (%d)",
			LAYERFS_FS(sb)->config.workdir, LAYERFS_WORKDIR_NAME,
			err);
	return err;
}

/*
 * Create <workdir>/work, emptying what an earlier mount left there (e.g. a
 * copy interrupted by a crash), then check the upper filesystem.
 */
static int layerfs_make_workdir(struct fs_context *fc, struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct layerfs_idmap *idmap = layerfs_mnt_idmap(ofs->workdir.mnt);
	struct dentry *workdir = ofs->workdir.dentry;
	struct inode *dir = d_inode(workdir);
	const char *name = LAYERFS_WORKDIR_NAME;
	struct dentry *work;
	bool retried = false;
	int err;

	err = mnt_want_write(ofs->workdir.mnt);
	if (err) {
		errorfc(fc, "upperdir '%s' is on a read-only filesystem",
			ofs->config.upperdir);
		return err;
	}

retry:
	inode_lock_nested(dir, I_MUTEX_PARENT);
	work = lookup_one_len(name, workdir, strlen(name));
	if (IS_ERR(work)) {
		inode_unlock(dir);
		err = PTR_ERR(work);
		goto out_drop_write;
	}
	if (d_is_positive(work)) {
		inode_unlock(dir);
		err = -EEXIST;
		if (!retried) {
			err = layerfs_check_incompat(fc, sb, work);
			if (err) {
				dput(work);
				goto out_drop_write;
			}
			err = layerfs_cleanup_entry(sb, workdir, work, 0);
		}
		dput(work);
		if (err) {
			errorfc(fc, "cannot clean up '%s/%s' (%d)",
				ofs->config.workdir, name, err);
			goto out_drop_write;
		}
		retried = true;
		goto retry;
	}

	err = vfs_mkdir(idmap, dir, work, 0);
	if (!err && (d_unhashed(work) || d_is_negative(work))) {
		/* Some filesystems (kernfs) leave the new dentry unused. */
		dput(work);
		work = lookup_one_len(name, workdir, strlen(name));
		if (IS_ERR(work)) {
			err = PTR_ERR(work);
			work = NULL;
		} else if (!d_is_dir(work)) {
			err = -EIO;
		}
	}
	inode_unlock(dir);
	if (err) {
		errorfc(fc, "cannot create '%s/%s' (%d)", ofs->config.workdir,
			name, err);
		dput(work);
		goto out_drop_write;
	}
	ofs->work = work;

	err = layerfs_strip_work(fc, sb);
	if (!err)
		err = layerfs_probe_xattr(fc, sb);
	if (!err)
		err = layerfs_probe_rename(fc, sb);
	if (!err)
		err = layerfs_cleanup_dir(sb, work, 0);
	if (!err && ofs->config.is_volatile)
		err = layerfs_mark_volatile(fc, sb);
out_drop_write:
	mnt_drop_write(ofs->workdir.mnt);
	return err;
}

/* ---- upper and work directories in use --------------------------------- */

/*
 * The upper and work directories of every live mount.  Two mounts sharing
 * one would corrupt each other: each empties work/ when it mounts, under
 * the other's copy-ups, and each trusts what it last saw in the upper
 * layer.  One inside the other is as bad: a mount whose upper or work
 * directory contains another's changes that other's layers under it, and
 * its own work/ cleanup could reach them.  overlayfs, unless index=on,
 * only warns about sharing (ovl_report_in_use()) and checks nesting one
 * way only (ovl_check_layer(): an ancestor of a new layer in use); layerfs
 * refuses the second mount with EBUSY either way.  layerfs_inuse_lock is
 * a leaf: nothing is taken under it but the allocations of the message.
 */
static DEFINE_MUTEX(layerfs_inuse_lock);
static LIST_HEAD(layerfs_inuse_list);

/*
 * Does mount @ofs's upper or work directory overlap @other's?  If so, say
 * which ones and how in the fs_context log.  Called under
 * layerfs_inuse_lock, which keeps @other (and its names) alive.
 */
static bool layerfs_dirs_conflict(struct fs_context *fc,
				  const struct layerfs_fs *ofs,
				  const struct layerfs_fs *other)
{
	const struct {
		const char *what;
		const char *name;
		struct dentry *dentry;
	} mine[] = {
		{ "upperdir", ofs->config.upperdir, ofs->layers[0].root.dentry },
		{ "workdir", ofs->config.workdir, ofs->workdir.dentry },
	}, theirs[] = {
		{ "upper", other->config.upperdir, other->layers[0].root.dentry },
		{ "work", other->config.workdir, other->workdir.dentry },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(mine); i++) {
		for (j = 0; j < ARRAY_SIZE(theirs); j++) {
			struct dentry *a = mine[i].dentry, *b = theirs[j].dentry;
			const char *how;

			if (a == b)
				how = "is";
			else if (is_subdir(a, b))
				how = "is inside";
			else if (is_subdir(b, a))
				how = "contains";
			else
				continue;
			errorfc(fc, "%s '%s' %s the %s directory '%s' of another layerfs mount",
				mine[i].what, mine[i].name, how, theirs[j].what,
				theirs[j].name);
			return true;
		}
	}
	return false;
}

static int layerfs_claim_dirs(struct fs_context *fc, struct layerfs_fs *ofs)
{
	struct layerfs_fs *other;
	int err = 0;

	mutex_lock(&layerfs_inuse_lock);
	list_for_each_entry(other, &layerfs_inuse_list, inuse) {
		if (layerfs_dirs_conflict(fc, ofs, other)) {
			err = -EBUSY;
			break;
		}
	}
	if (!err)
		list_add(&ofs->inuse, &layerfs_inuse_list);
	mutex_unlock(&layerfs_inuse_lock);
	return err;
}

static void layerfs_release_dirs(struct layerfs_fs *ofs)
{
	mutex_lock(&layerfs_inuse_lock);
	list_del_init(&ofs->inuse);
	mutex_unlock(&layerfs_inuse_lock);
}

/* ---- the super block ------------------------------------------------- */

static void layerfs_free_fs(struct layerfs_fs *ofs)
{
	unsigned int i;

	layerfs_release_dirs(ofs);
	layerfs_put_pseudo_devs(ofs);

	/* The mounts of the layers and of the workdir are in ofs->mnts. */
	for (i = 0; i < ofs->numlayers; i++)
		dput(ofs->layers[i].root.dentry);
	kfree(ofs->layers);
	dput(ofs->work);
	dput(ofs->indexdir);
	dput(ofs->workdir.dentry);
	/* one RCU grace period for all the clones, not one per layer */
	if (ofs->mnts)
		kern_unmount_array(ofs->mnts, layerfs_nmnts(ofs));
	kfree(ofs->mnts);
	if (ofs->creator_cred)
		put_cred(ofs->creator_cred);
	layerfs_config_free(&ofs->config);
	layerfs_stats_free(ofs);
	kfree(ofs);
}

static int layerfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct layerfs_fs *ofs = LAYERFS_FS(dentry->d_sb);
	const struct cred *old_cred;
	int err;

	/* Free space is the top layer's: that is where writes go. */
	old_cred = layerfs_override_creds(dentry->d_sb);
	err = vfs_statfs(&ofs->layers[0].root, buf);
	revert_creds(old_cred);
	if (!err)
		buf->f_type = LAYERFS_SUPER_MAGIC;
	return err;
}

static int layerfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct layerfs_fs *ofs = LAYERFS_FS(root->d_sb);

	unsigned int i;

	/*
	 * As given: one lowerdir= list, or one lowerdir+= per layer, each
	 * escaped by seq_show_option() so that mount(8) reads it back.
	 */
	if (ofs->config.lowerdir)
		seq_show_option(m, "lowerdir", ofs->config.lowerdir);
	else
		for (i = 0; i < ofs->config.numlower; i++)
			seq_show_option(m, "lowerdir+", ofs->config.lower[i]);
	if (ofs->has_upper) {
		seq_show_option(m, "upperdir", ofs->config.upperdir);
		seq_show_option(m, "workdir", ofs->config.workdir);
	}
	if (ofs->config.is_volatile)
		seq_puts(m, ",volatile");
	layerfs_redirect_show(m, &ofs->config);
	layerfs_xino_show(m, ofs);
	layerfs_metacopy_show(m, &ofs->config);
	layerfs_index_show(m, &ofs->config);
	return 0;
}

/*
 * syncfs() of the merged view syncs the upper filesystem, where every change
 * went.  Only the waiting pass does the work: sync_filesystem() on the upper
 * super block runs both passes itself.  sync(2) does not come here
 * (SB_I_SKIP_SYNC): it syncs the upper super block on its own.  A volatile
 * mount syncs nothing, and reports writeback errors of the upper
 * filesystem since the mount (layerfs_sync_status()).
 */
static int layerfs_sync_fs(struct super_block *sb, int wait)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct super_block *upper_sb;
	int err;

	if (!ofs->has_upper || !wait)
		return 0;
	err = layerfs_sync_status(sb);
	if (err <= 0)
		return err;

	upper_sb = ofs->layers[0].root.mnt->mnt_sb;
	down_read(&upper_sb->s_umount);
	err = sync_filesystem(upper_sb);
	up_read(&upper_sb->s_umount);
	return err;
}

static const struct super_operations layerfs_super_operations = {
	.alloc_inode	= layerfs_alloc_inode,
	.free_inode	= layerfs_free_inode,
	.evict_inode	= layerfs_evict_inode,
	/* An unused inode goes at once: it holds real dentries (overlayfs too). */
	.drop_inode	= generic_delete_inode,
	.sync_fs	= layerfs_sync_fs,
	.statfs		= layerfs_statfs,
	.show_options	= layerfs_show_options,
};

/* The root of the merged view stacks the root of every layer. */
static struct dentry *layerfs_make_root(struct super_block *sb,
					struct layerfs_fs *ofs)
{
	unsigned int i, nupper = ofs->has_upper ? 1 : 0;
	unsigned int nlower = ofs->numlayers - nupper;
	struct layerfs_real *lower;
	struct dentry *upper = NULL;
	struct dentry *root;
	struct inode *inode;

	lower = kcalloc(nlower, sizeof(*lower), GFP_KERNEL);
	if (!lower)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < nlower; i++) {
		lower[i].dentry = dget(ofs->layers[nupper + i].root.dentry);
		lower[i].layer = &ofs->layers[nupper + i];
	}
	if (nupper)
		upper = dget(ofs->layers[0].root.dentry);

	inode = layerfs_new_inode(sb, upper, lower, nlower);
	if (IS_ERR(inode)) {
		dput(upper);
		for (i = 0; i < nlower; i++)
			dput(lower[i].dentry);
	}
	kfree(lower);
	if (IS_ERR(inode))
		return ERR_CAST(inode);

	root = d_make_root(inode);	/* puts the inode on failure */
	if (!root)
		return ERR_PTR(-ENOMEM);
	return root;
}

/*
 * On error, the caller (vfs_get_super) destroys the super block, and
 * layerfs_kill_sb() frees whatever was set up.
 */
static int layerfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct layerfs_config *config = fc->fs_private;
	struct layerfs_fs *ofs;
	struct dentry *root;
	struct cred *cred;
	int err;

	if (!config->numlower)
		return invalfc(fc, "missing 'lowerdir' (or 'lowerdir+')");
	if (!config->upperdir != !config->workdir)
		return invalfc(fc, "'upperdir' and 'workdir' go together: give both or neither");

	ofs = kzalloc(sizeof(*ofs), GFP_KERNEL);
	if (!ofs)
		return -ENOMEM;
	INIT_LIST_HEAD(&ofs->inuse);
	sb->s_fs_info = ofs;

	layerfs_redirect_finish_config(config);
	err = layerfs_metacopy_finish_config(fc, config);
	if (err)
		return err;
	layerfs_index_finish_config(fc, config);
	/* The super block keeps the options; the fs_context forgets them. */
	ofs->config = *config;
	memset(config, 0, sizeof(*config));

	cred = prepare_creds();
	if (!cred)
		return -ENOMEM;
	ofs->creator_cred = cred;

	err = layerfs_get_layers(fc, ofs);
	if (err)
		return err;
	err = layerfs_check_volatile(fc, ofs);
	if (err)
		return err;
	err = layerfs_check_layers(fc, sb, ofs);
	if (err)
		return err;
	err = layerfs_stats_register(sb);
	if (err)
		return err;
	err = layerfs_get_pseudo_devs(ofs);
	if (err)
		return err;
	layerfs_index_check(fc, sb);
	err = layerfs_xino_setup(fc, ofs);
	if (err)
		return err;
	if (ofs->has_upper) {
		const struct cred *old_cred;

		err = layerfs_claim_dirs(fc, ofs);
		if (err)
			return err;
		old_cred = layerfs_override_creds(sb);
		err = layerfs_make_workdir(fc, sb);
		if (!err)
			err = layerfs_index_setup(fc, sb);
		revert_creds(old_cred);
		if (err)
			return err;
	}

	/*
	 * From now on every access to a layer is made with these credentials,
	 * and without CAP_SYS_RESOURCE, as in overlayfs (ovl_fill_super()):
	 * a user's writes and creates through the mount are charged to the
	 * user's disk quota and kept out of the blocks the upper filesystem
	 * reserves for privileged users, instead of passing because the
	 * mounter is root.  Like overlayfs, layerfs drops it only here, after
	 * its own set-up of work/; nobody else has seen the credentials yet,
	 * so they can still change.
	 */
	cap_lower(cred->cap_effective, CAP_SYS_RESOURCE);

	sb->s_magic = LAYERFS_SUPER_MAGIC;
	sb->s_op = &layerfs_super_operations;
	sb->s_xattr = layerfs_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	/*
	 * sync(2) syncs every super block, the upper filesystem's included:
	 * layerfs_sync_fs() would only sync it a second time, under
	 * layerfs's s_umount.  syncfs(2) of the merged view still calls it.
	 */
	sb->s_iflags |= SB_I_SKIP_SYNC;
	/* Without an upper layer there is nowhere to write to. */
	if (!ofs->has_upper)
		sb->s_flags |= SB_RDONLY;
	/* Permission checks honour the real objects' POSIX ACLs. */
	if (IS_ENABLED(CONFIG_FS_POSIX_ACL))
		sb->s_flags |= SB_POSIXACL;

	root = layerfs_make_root(sb, ofs);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = root;
	return 0;
}

static int layerfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, layerfs_fill_super);
}

static int layerfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;

	if (!(fc->sb_flags & SB_RDONLY) && !LAYERFS_FS(sb)->has_upper) {
		errorfc(fc, "a mount without upperdir is read-only");
		return -EROFS;
	}
	return 0;
}

static void layerfs_free_fc(struct fs_context *fc)
{
	struct layerfs_config *config = fc->fs_private;

	if (config) {
		layerfs_config_free(config);
		kfree(config);
	}
}

static const struct fs_context_operations layerfs_context_ops = {
	.parse_monolithic = layerfs_parse_monolithic,
	.parse_param	= layerfs_parse_param,
	.get_tree	= layerfs_get_tree,
	.reconfigure	= layerfs_reconfigure,
	.free		= layerfs_free_fc,
};

static int layerfs_init_fs_context(struct fs_context *fc)
{
	struct layerfs_config *config;

	config = kzalloc(sizeof(*config), GFP_KERNEL);
	if (!config)
		return -ENOMEM;
	layerfs_redirect_init_config(config);
	layerfs_metacopy_init_config(config);
	fc->fs_private = config;
	fc->ops = &layerfs_context_ops;
	return 0;
}

static void layerfs_kill_sb(struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);

	/* /sys/fs/layerfs/<dev>/ goes before <dev> can be reused */
	if (ofs)
		layerfs_stats_unregister(ofs);
	kill_anon_super(sb);
	if (ofs)
		layerfs_free_fs(ofs);
}

static struct file_system_type layerfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "layerfs",
	.init_fs_context	= layerfs_init_fs_context,
	.parameters		= layerfs_parameters,
	.kill_sb		= layerfs_kill_sb,
};
MODULE_ALIAS_FS("layerfs");

/* ---- module ---------------------------------------------------------- */

static int __init layerfs_init(void)
{
	int err;

	err = layerfs_init_inode_cache();
	if (err)
		return err;
	err = layerfs_stats_init();
	if (err)
		goto out_inode_cache;

	err = layerfs_nameidx_init();
	if (err)
		goto out_stats;

	err = register_filesystem(&layerfs_fs_type);
	if (err)
		goto out_nameidx;
	return 0;

out_nameidx:
	layerfs_nameidx_exit();
out_stats:
	layerfs_stats_exit();
out_inode_cache:
	layerfs_destroy_inode_cache();
	return err;
}

static void __exit layerfs_exit(void)
{
	unregister_filesystem(&layerfs_fs_type);
	layerfs_nameidx_exit();
	layerfs_stats_exit();
	layerfs_destroy_inode_cache();
}

module_init(layerfs_init);
module_exit(layerfs_exit);

MODULE_DESCRIPTION("layerfs: a teaching union filesystem of read-only lower layers under one upper layer");
MODULE_AUTHOR("The layerfs developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
