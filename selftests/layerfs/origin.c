// SPDX-License-Identifier: GPL-2.0
/*
 * origin.c - what a copy-up records about the original, and the inode
 * numbers that follow from it, side by side with overlayfs.
 *
 * Copy-up writes trusted.overlay.origin on the copy (the file handle of
 * the lower object, overlayfs's format) and trusted.overlay.impure on its
 * upper parent.  With it, a copied-up object keeps its lower inode number
 * (st_ino and d_ino) across the copy-up and across remounts.
 *
 * Every case builds one lower layer and two upper/work pairs, mounts the
 * lower with one pair as layerfs and with the other as overlay (the
 * options of write_util.h: index=off, xino=off), makes the same changes
 * through both, and compares what is on disk and what stat() and readdir
 * say.  The interop cases then swap: overlay mounts the upper layer
 * layerfs wrote, and layerfs the one overlay wrote.
 *
 * Layout, below the test's tmpfs:
 *   $/l            lower: f, d/g, h1 = h2 (hard links), sym -> f
 *   $/lfs/u,w,m    layerfs's upper, work, mount point
 *   $/ovl/u,w,m    overlay's
 *   $/ext4         a second filesystem, for the two-filesystem cases
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define OG_ORIGIN	"trusted.overlay.origin"
#define OG_IMPURE	"trusted.overlay.impure"

/* The lower layer below @lower (a directory that exists). */
static int og_lower(const char *lower)
{
	int err;

	err = lfs_write(lfs_fmt("%s/f", lower), "data");
	if (!err && mkdir(lfs_fmt("%s/d", lower), 0755))
		err = errno;
	if (!err)
		err = lfs_write(lfs_fmt("%s/d/g", lower), "gee");
	if (!err)
		err = lfs_write(lfs_fmt("%s/h1", lower), "link");
	if (!err && link(lfs_fmt("%s/h1", lower), lfs_fmt("%s/h2", lower)))
		err = errno;
	if (!err && symlink("f", lfs_fmt("%s/sym", lower)))
		err = errno;
	return err;
}

/* $/<side>/u, w, m */
static int og_side(const char *base, const char *side)
{
	static const char *const sub[] = { "", "/u", "/w", "/m" };
	unsigned int i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (mkdir(lfs_fmt("%s/%s%s", base, side, sub[i]), 0755))
			return errno;
	return 0;
}

/* Mount @fstype on $/<side>/m with lower @lower and $/<side>'s upper. */
static int og_mount(const char *base, const char *fstype, const char *side,
		    const char *lower)
{
	char opts[PATH_MAX * 3];

	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/%s/u,workdir=%s/%s/w",
		 lower, base, side, base, side);
	return wu_mount_type(fstype, lfs_fmt("%s/%s/m", base, side), opts);
}

static int og_umount(const char *base, const char *side)
{
	return WU_ERR(umount(lfs_fmt("%s/%s/m", base, side)));
}

/* The changes every case makes: each copies an object up. */
static int og_changes(const char *mnt)
{
	if (chmod(lfs_fmt("%s/f", mnt), 0600) ||
	    chmod(lfs_fmt("%s/d/g", mnt), 0600) ||
	    chmod(lfs_fmt("%s/h1", mnt), 0600) ||
	    lchown(lfs_fmt("%s/sym", mnt), 0, 0))
		return errno;
	return 0;
}

/*
 * Mount @lower with each side's upper layer, layerfs and overlay, make the
 * changes of og_changes() through both, and unmount them.  0 or errno.
 */
static int og_change_both(const char *base, const char *lower)
{
	static const char *const sides[][2] = {
		{ "lfs", NULL }, { "ovl", "overlay" },
	};
	unsigned int i;
	int err = 0;

	for (i = 0; i < 2 && !err; i++) {
		err = og_mount(base, sides[i][1] ?: lfs_fstype(), sides[i][0],
			       lower);
		if (!err)
			err = og_changes(lfs_fmt("%s/%s/m", base, sides[i][0]));
		if (!err)
			err = og_umount(base, sides[i][0]);
	}
	return err;
}

/* xattr @name of @path in hex, "none" when absent, "<errno>" on error. */
static const char *og_xattr_hex(const char *path, const char *name)
{
	static char out[4][600];
	static unsigned int next;
	unsigned char val[256];
	char *o = out[next++ % 4];
	ssize_t n, i;

	n = lgetxattr(path, name, val, sizeof(val));
	if (n < 0) {
		snprintf(o, sizeof(out[0]), errno == ENODATA ? "none" : "<%d>",
			 errno);
		return o;
	}
	snprintf(o, sizeof(out[0]), "len%zd:", n);
	for (i = 0; i < n; i++)
		sprintf(o + strlen(o), "%02x", val[i]);
	return o;
}

FIXTURE(origin) {
	char base[PATH_MAX];
	char lower[PATH_MAX + 8];
};

FIXTURE_SETUP(origin)
{
	LFS_REQUIRE(return);
	if (!lfs_fs_available("overlay"))
		SKIP(return, "overlay is not in /proc/filesystems");
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->lower, sizeof(self->lower), "%s/l", self->base);
	ASSERT_EQ(0, mkdir(self->lower, 0755));
	ASSERT_EQ(0, og_side(self->base, "lfs"));
	ASSERT_EQ(0, og_side(self->base, "ovl"));
}

FIXTURE_TEARDOWN(origin)
{
	LFS_DROP_BASE(self->base, "lfs/m", "ovl/m", "l");
}

/*
 * The origin xattr layerfs writes is overlayfs's, byte for byte: the same
 * lower inode gives the same handle.  A copy of one name of a lower hard
 * link records none (the link is broken, the copy is a new file).  The
 * upper parents of copies are marked impure.
 */
TEST_F(origin, xattr_bytes)
{
	static const char *const objs[] = { "f", "d", "d/g", "h1", "sym", "." };
	unsigned int i;

	ASSERT_EQ(0, og_lower(self->lower));
	ASSERT_EQ(0, og_change_both(self->base, self->lower));

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		char l[600], o[600];

		snprintf(o, sizeof(o), "%s", og_xattr_hex(
			 lfs_fmt("%s/ovl/u/%s", self->base, objs[i]), OG_ORIGIN));
		snprintf(l, sizeof(l), "%s", og_xattr_hex(
			 lfs_fmt("%s/lfs/u/%s", self->base, objs[i]), OG_ORIGIN));
		EXPECT_STREQ(o, l) TH_LOG("origin of %s", objs[i]);
		/* overlayfs itself: a handle for all but the hard link */
		if (!strcmp(objs[i], "h1") || !strcmp(objs[i], ".")) {
			EXPECT_STREQ("none", o);
		} else {
			EXPECT_EQ(0, strncmp(o, "len", 3))
				TH_LOG("%s: %s", objs[i], o);
		}

		snprintf(o, sizeof(o), "%s", og_xattr_hex(
			 lfs_fmt("%s/ovl/u/%s", self->base, objs[i]), OG_IMPURE));
		snprintf(l, sizeof(l), "%s", og_xattr_hex(
			 lfs_fmt("%s/lfs/u/%s", self->base, objs[i]), OG_IMPURE));
		EXPECT_STREQ(o, l) TH_LOG("impure of %s", objs[i]);
	}
	/* the root and d hold copies: impure "y" */
	EXPECT_STREQ("len1:79", og_xattr_hex(lfs_fmt("%s/lfs/u", self->base),
					     OG_IMPURE));
	EXPECT_STREQ("len1:79", og_xattr_hex(lfs_fmt("%s/lfs/u/d", self->base),
					     OG_IMPURE));
}

/*
 * A lower filesystem that cannot decode file handles (ramfs has no export
 * operations): the copy gets an empty origin, "copied up, origin unknown",
 * as on overlayfs.
 */
TEST_F(origin, xattr_no_handles)
{
	char o[600];

	ASSERT_EQ(0, mount("ramfs", self->lower, "ramfs", 0, "mode=0755"));
	ASSERT_EQ(0, og_lower(self->lower));
	ASSERT_EQ(0, og_change_both(self->base, self->lower));

	snprintf(o, sizeof(o), "%s", og_xattr_hex(
		 lfs_fmt("%s/ovl/u/f", self->base), OG_ORIGIN));
	EXPECT_STREQ("len0:", o);
	EXPECT_STREQ(o, og_xattr_hex(lfs_fmt("%s/lfs/u/f", self->base),
				     OG_ORIGIN));
	EXPECT_STREQ("len0:", og_xattr_hex(lfs_fmt("%s/lfs/u/d", self->base),
					   OG_ORIGIN));
}

TEST_HARNESS_MAIN
