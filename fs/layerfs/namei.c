// SPDX-License-Identifier: GPL-2.0
/*
 * namei.c - looking a name up across the layers.
 *
 * The parent directory of the name is itself a stack of real directories,
 * one per layer it merges: its upper directory, if it has one, then its
 * lower ones (struct layerfs_inode, layerfs_stack()).  The name is looked
 * up in each of them, top first, and the first answers decide:
 *
 *	found in layer i        effect on the layers below i
 *	----------------        ----------------------------
 *	nothing                 look further down
 *	a whiteout (either      the name does not exist: stop
 *	form, util.c)
 *	a non-directory         it is the result: stop
 *	a directory             merge it; stop if it is opaque, otherwise
 *	                        look for directories further down
 *
 * Below a directory, a non-directory of the same name is ignored and ends
 * the search: a merged directory only ever stacks directories.
 *
 * A directory renamed with redirect_dir=on carries a redirect: the layers
 * below it are searched at the place it names, not at the name (struct
 * layerfs_redirect, redirect.c), or the lookup fails with EPERM under
 * redirect_dir=nofollow.  A metacopy file (metacopy.c) makes the lookup
 * go on below for its data with metacopy=on, and fail with metacopy=off,
 * as on overlayfs.
 *
 * Core: all of it -- layerfs_lookup(), layerfs_lookup_stack() and the rule
 * table above.  Edge cases: refusing metacopy files (layerfs_found()),
 * following redirects (redirect.c), weird dentries (layerfs_is_weird(),
 * EREMOTE).
 */

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include "layerfs.h"
#include "trace.h"

/* What a lookup does after finding an object (layerfs_found()). */
enum {
	LAYERFS_STOP,		/* the search ends with this object */
	LAYERFS_MERGE,		/* a directory: look for more below */
	LAYERFS_METACOPY,	/* a metacopy file: look below for its data */
};

/*
 * Decide what follows the finding of @real at index @i of @rd's stack: a
 * LAYERFS_* value or a negative errno.
 *
 * Besides opaque and redirected directories (layerfs_redirect_found()
 * follows or refuses the redirect, and may send the layers below to the
 * root's stack), this is where a metacopy file is found: its data lies
 * in a lower layer, the file itself is a hole of the right size.  Under
 * metacopy=off it is refused (layerfs_metacopy_found()): shown as it is
 * it would read as zeros, which a write through layerfs would make
 * permanent.
 */
/* LAB lookup: stub returns -EOPNOTSUPP */
static int layerfs_found(struct layerfs_redirect *rd,
			 const struct layerfs_real *real, unsigned int i)
{
	bool bottom = i == rd->nstack - 1;
	int res;

	if (!d_is_dir(real->dentry)) {
		res = layerfs_is_metacopy(real);
		if (res <= 0)
			return res ?: LAYERFS_STOP;
		res = layerfs_metacopy_found(rd, real, bottom);
		return res ?: LAYERFS_METACOPY;
	}
	/* The bottom layer needs no checks: nothing lies below. */
	if ((bottom && !layerfs_redirect_may_jump(rd, real)) ||
	    layerfs_is_opaque_dir(real))
		return LAYERFS_STOP;
	/* A renamed directory: its lower parts are elsewhere (redirect.c). */
	res = layerfs_redirect_found(rd, real);
	if (res < 0)
		return res;
	return bottom && !rd->to_root ? LAYERFS_STOP : LAYERFS_MERGE;
}

/*
 * Look @name up below each directory of @dir (@nstack of them, see
 * layerfs_stack(); @dirupper is @dir's upper directory), filling @stack top
 * first, and @lt with what the trace event tells (the layers consulted,
 * why the search stopped).  Called with the mounter's credentials.  Returns
 * how many entries of @stack were filled (each holding a dentry
 * reference), or a negative errno with nothing held.
 */
/* LAB lookup: stub returns -EOPNOTSUPP */
static int layerfs_lookup_stack(struct inode *dir, struct dentry *dirupper,
				unsigned int nstack, const struct qstr *name,
				struct layerfs_real *stack,
				struct layerfs_lookup_trace *lt)
{
	struct layerfs_redirect rd = {
		.dir = dir, .dirupper = dirupper, .nstack = nstack,
	};
	struct layerfs_nameidx_walk w;
	unsigned int i, n = 0;
	bool metacopy = false;
	int err = 0;

	/* a name index skips the layers that lack the name (nameindex.c) */
	for (i = layerfs_nameidx_first(&w, dir, dirupper, nstack, name, lt->slow);
	     i < rd.nstack && !rd.stop; i = layerfs_nameidx_next(&w, &rd, i)) {
		struct layerfs_real parent;
		struct dentry *this;
		bool whiteout;

		layerfs_stack(rd.dir, rd.dirupper, i, &parent);
		layerfs_lookup_layer(dir->i_sb, lt, parent.layer);
		this = layerfs_redirect_lookup(&rd, &parent, name);
		if (IS_ERR(this)) {
			err = PTR_ERR(this);
			metacopy = false;	/* not a verdict on the file */
			goto out_put;
		}

		if (!this || d_is_negative(this)) {
			dput(this);
			continue;
		}
		/* An automount point, a case-folding directory: EREMOTE. */
		if (layerfs_is_weird(this)) {
			dput(this);
			err = -EREMOTE;
			goto out_put;
		}
		whiteout = layerfs_is_whiteout(parent.layer, this);
		if (metacopy && !layerfs_metacopy_on(dir->i_sb)) {
			/* the data of the upper metacopy file, or not */
			err = d_is_reg(this) && !whiteout ? -EPERM : -EIO;
			dput(this);
			goto out_put;
		}
		/* below a metacopy file only a regular file is its data */
		if (whiteout ||
		    (metacopy ? !d_is_reg(this) : n && !d_is_dir(this))) {
			lt->stop = whiteout ? LAYERFS_LOOKUP_WHITEOUT :
					      LAYERFS_LOOKUP_NONDIR_BELOW;
			dput(this);
			break;
		}

		stack[n].dentry = this;
		stack[n].layer = parent.layer;
		n++;

		err = layerfs_found(&rd, &stack[n - 1], i);
		if (err < 0)
			goto out_put;
		metacopy = err == LAYERFS_METACOPY;
		/* Of the lower metacopy files only the topmost is kept. */
		if (metacopy && n >= 2 && !stack[n - 2].layer->upper)
			dput(stack[--n].dentry);
		if (err == LAYERFS_STOP) {
			lt->stop = !d_is_dir(this) ? LAYERFS_LOOKUP_NONDIR :
				   i == rd.nstack - 1 ? LAYERFS_LOOKUP_END :
				   LAYERFS_LOOKUP_OPAQUE;
			break;
		}
		if (rd.to_root)
			i = layerfs_redirect_to_root(&rd, parent.layer);
	}
	if (!metacopy) {
		kfree(rd.path);
		lt->indexed = layerfs_nameidx_done(&w, lt->consulted);
		return n;
	}
	err = -EIO;	/* a metacopy file with no data below */
out_put:
	kfree(rd.path);
	lt->indexed = layerfs_nameidx_done(&w, lt->consulted);
	lt->stop = LAYERFS_LOOKUP_ERROR;
	if (metacopy && layerfs_metacopy_on(dir->i_sb))
		pr_warn_ratelimited("metacopy with no lower data found - abort lookup (%pd2)\n",
				    stack[0].dentry);
	else if (metacopy)
		pr_warn_ratelimited("refusing metacopy file %pd2\n",
				    stack[0].dentry);
	while (n)
		dput(stack[--n].dentry);
	return err;
}

/*
 * nameindex_check: look @name up again layer by layer, and compare with
 * the answer of the index (@n, @stack).  Mounter's credentials.
 */
static void layerfs_lookup_verify(struct inode *dir, struct dentry *dirupper,
				  unsigned int nstack, const struct qstr *name,
				  int n, const struct layerfs_real *stack)
{
	struct layerfs_lookup_trace lt = { .slow = true };
	struct layerfs_real *stack2;
	int n2;

	stack2 = kcalloc(LAYERFS_FS(dir->i_sb)->numlayers, sizeof(*stack2),
			 GFP_KERNEL);
	if (!stack2)
		return;
	n2 = layerfs_lookup_stack(dir, dirupper, nstack, name, stack2, &lt);
	layerfs_nameidx_verify(dir, name, n, stack, n2, stack2);
	while (n2 > 0)
		dput(stack2[--n2].dentry);
	kfree(stack2);
}

/**
 * layerfs_lookup - inode_operations.lookup of layerfs directories
 * @dir:    the layerfs directory
 * @dentry: the name to look up, negative and hashed in the dcache
 * @flags:  LOOKUP_* intent flags (unused)
 *
 * Called by the VFS with @dir's i_rwsem held shared.
 *
 * A non-directory gets the inode that another name of the same real file
 * already has, if there is one (layerfs_new_inode()), and @dentry becomes
 * one more alias of it.
 *
 * Return: NULL or the dentry to use instead of @dentry (d_splice_alias()),
 * or an ERR_PTR().  A name found in no layer gives a negative dentry.
 */
struct dentry *layerfs_lookup(struct inode *dir, struct dentry *dentry,
			      unsigned int flags)
{
	struct dentry *dirupper = layerfs_upper(dir);
	unsigned int nstack = layerfs_nstack(dir, dirupper);
	struct layerfs_lookup_trace lt = { .stop = LAYERFS_LOOKUP_END };
	struct dentry *upper = NULL;
	struct inode *inode = NULL;
	struct layerfs_real *stack;
	const struct cred *old_cred;
	bool named_upper;
	int n;

	/* An absolute redirect may reach every layer of the mount. */
	stack = kcalloc(LAYERFS_FS(dir->i_sb)->numlayers + 1, sizeof(*stack),
			GFP_KERNEL);
	if (!stack)
		return ERR_PTR(-ENOMEM);

	old_cred = layerfs_override_creds(dir->i_sb);
	n = layerfs_lookup_stack(dir, dirupper, nstack, &dentry->d_name, stack,
				 &lt);
	if (lt.indexed && layerfs_nameidx_checking())
		layerfs_lookup_verify(dir, dirupper, nstack, &dentry->d_name, n,
				      stack);
	/* An upper non-directory: the lower object it was copied from. */
	if (n == 1 && stack[0].layer->upper && !d_is_dir(stack[0].dentry))
		n = layerfs_add_origin(dir->i_sb, stack);
	/* A merged directory: its origin, if it has none (origin.c). */
	else if (n > 1 && stack[0].layer->upper && d_is_dir(stack[0].dentry))
		n = layerfs_fix_origin(dir, stack, n);
	/* A lower hard link copied up through another name (index.c). */
	named_upper = n > 0 && stack[0].layer->upper;
	n = layerfs_index_lookup(dir->i_sb, stack, n);
	revert_creds(old_cred);
	layerfs_count(dir->i_sb, LAYERFS_CNT_LOOKUPS);
	trace_layerfs_lookup(dir, &dentry->d_name, &lt, n);

	if (n > 0) {
		struct layerfs_real *lower = stack;
		unsigned int nlower = n;

		if (stack[0].layer->upper) {
			upper = stack[0].dentry;
			lower++;
			nlower--;
		}
		inode = layerfs_new_inode(dir->i_sb, upper, lower, nlower);
		if (IS_ERR(inode)) {
			while (n)
				dput(stack[--n].dentry);
		} else if (!named_upper) {
			layerfs_index_mark_lower(dentry, inode);
		}
	} else if (n < 0) {
		inode = ERR_PTR(n);
	}
	kfree(stack);
	return d_splice_alias(inode, dentry);
}
