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
 *	a whiteout              the name does not exist: stop
 *	a non-directory         it is the result: stop
 *	a directory             merge it; stop if it is opaque, otherwise
 *	                        look for directories further down
 *
 * Below a directory, a non-directory of the same name is ignored and ends
 * the search: a merged directory only ever stacks directories.
 */

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include "layerfs.h"

/*
 * Look @name up below each directory of @dir (@nstack of them, see
 * layerfs_stack(); @dirupper is @dir's upper directory), filling @stack top
 * first.  Called with the mounter's credentials.  Returns how many entries
 * of @stack were filled (each holding a dentry reference), or a negative
 * errno with nothing held.
 */
static int layerfs_lookup_stack(struct inode *dir, struct dentry *dirupper,
				unsigned int nstack, const struct qstr *name,
				struct layerfs_real *stack)
{
	unsigned int i, n = 0;

	for (i = 0; i < nstack; i++) {
		struct layerfs_real parent;
		struct dentry *this;

		layerfs_stack(dir, dirupper, i, &parent);
		this = lookup_one_len_unlocked(name->name, parent.dentry,
					       name->len);
		if (IS_ERR(this)) {
			while (n)
				dput(stack[--n].dentry);
			return PTR_ERR(this);
		}

		if (d_is_negative(this)) {
			dput(this);
			continue;
		}
		/* An automount point, a case-folding directory: EREMOTE. */
		if (layerfs_is_weird(this)) {
			dput(this);
			while (n)
				dput(stack[--n].dentry);
			return -EREMOTE;
		}
		if (layerfs_is_whiteout(this) || (n && !d_is_dir(this))) {
			dput(this);
			break;
		}

		stack[n].dentry = this;
		stack[n].layer = parent.layer;
		n++;

		/* The bottom layer needs no opaque check: nothing lies below. */
		if (!d_is_dir(this) || i == nstack - 1 ||
		    layerfs_is_opaque_dir(&stack[n - 1]))
			break;
	}
	return n;
}

/**
 * layerfs_lookup - inode_operations.lookup of layerfs directories
 * @dir:    the layerfs directory
 * @dentry: the name to look up, negative and hashed in the dcache
 * @flags:  LOOKUP_* intent flags (unused)
 *
 * Called by the VFS with @dir's i_rwsem held shared.
 *
 * Return: NULL or the dentry to use instead of @dentry (d_splice_alias()),
 * or an ERR_PTR().  A name found in no layer gives a negative dentry.
 */
struct dentry *layerfs_lookup(struct inode *dir, struct dentry *dentry,
			      unsigned int flags)
{
	struct dentry *dirupper = layerfs_upper(dir);
	unsigned int nstack = layerfs_nstack(dir, dirupper);
	struct dentry *upper = NULL;
	struct inode *inode = NULL;
	struct layerfs_real *stack;
	const struct cred *old_cred;
	int n;

	stack = kcalloc(nstack, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return ERR_PTR(-ENOMEM);

	old_cred = layerfs_override_creds(dir->i_sb);
	n = layerfs_lookup_stack(dir, dirupper, nstack, &dentry->d_name, stack);
	revert_creds(old_cred);

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
		}
	} else if (n < 0) {
		inode = ERR_PTR(n);
	}
	kfree(stack);
	return d_splice_alias(inode, dentry);
}
