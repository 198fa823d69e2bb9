// SPDX-License-Identifier: GPL-2.0
/*
 * rename.c - rename(2) and renameat2(2) through a read-write layerfs
 * mount: files from every layer, pure upper directories, directories with
 * lower contents (EXDEV, or a redirect with redirect_dir=on),
 * RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT (EINVAL) and the VFS
 * errors.
 *
 * The fixture mounts  lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w  on $/m,
 * once per variant: rn.off.* with redirect_dir=off, rn.on.* with
 * redirect_dir=on.  Every case expects the same in both but
 * dir_with_lower_contents_exdev, where "on" renames what "off" refuses;
 * that case also runs the same renames on the kernel's overlayfs, mounted
 * with the same option over a copy of the layers, and compares.  Each test
 * checks the merged view, the upper layer itself (whiteouts left at old
 * lower names, opaque markers on moved directories) and that the lower
 * layers and $/w/work are left clean.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

FIXTURE(rn) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
};

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))
#define LS(path)	lfs_list(path, self->buf, sizeof(self->buf))
#define RN(a, b, f)	wu_renameat2(M(a), M(b), f)

FIXTURE_VARIANT(rn) {
	const char *redirect_dir;	/* the value of the mount option */
	bool on;			/* directories with lower parts move */
};

FIXTURE_VARIANT_ADD(rn, off) { .redirect_dir = "off", .on = false };
FIXTURE_VARIANT_ADD(rn, on) { .redirect_dir = "on", .on = true };

/*
 * Mount @fstype over the layers below @b on $/m with redirect_dir=@rd
 * (overlay with the options layerfs's contract follows otherwise).
 */
static int rn_mount(const char *fstype, const char *b, const char *rd)
{
	char o[PATH_MAX * 4];
	int n;

	n = snprintf(o, sizeof(o), "%s,redirect_dir=%s%s", wu_opts(b), rd,
		     strcmp(fstype, "overlay") ? "" :
		     ",index=off,metacopy=off,xino=off");
	/* never mount a cut option string */
	errno = ENAMETOOLONG;
	if (n < (int)sizeof(o) && !mount(fstype, lfs_fmt("%s/m", b), fstype,
					 0, o))
		return 0;
	return errno;
}

/* The fixture's layers below @b (which exists). */
static int rn_build(const char *b)
{
	static const char *const dirs[] = {
		"$/u/up_d", "$/u/up_e", "$/l2/lo_d", "$/l2/lo_e", "$/u/mrg",
		"$/l2/mrg", "$/l2/wo_d", "$/u/opq", "$/l2/opq",
	};
	static const char *const files[][2] = {
		{ "$/u/up_f", "UP" }, { "$/u/up_g", "UG" },
		{ "$/u/up_d/x", "X" }, { "$/l2/lo_f", "LO" },
		{ "$/l2/lo_g", "LG" }, { "$/l2/lo_d/a", "A" },
		{ "$/u/mrg/uf", "UF" }, { "$/l2/mrg/lf", "LF" },
		{ "$/l2/wo_f", "OLD" }, { "$/l2/wo_d/old", "OLD" },
		{ "$/u/opq/uo", "UO" }, { "$/l2/opq/hidden", "H" },
	};
	unsigned int i;
	int err = wu_layout_make(b);

	for (i = 0; !err && i < ARRAY_SIZE(dirs); i++)
		if (lfs_mkdir_p(lfs_expand(b, dirs[i])))
			err = errno ? errno : EIO;
	for (i = 0; !err && i < ARRAY_SIZE(files); i++)
		err = lfs_write(lfs_expand(b, files[i][0]), files[i][1]);
	if (!err)
		err = lfs_whiteout(lfs_fmt("%s/u/wo_f", b));
	if (!err)
		err = lfs_whiteout(lfs_fmt("%s/u/wo_d", b));
	if (!err)
		err = lfs_opaque(lfs_fmt("%s/u/opq", b));
	return err;
}

FIXTURE_SETUP(rn)
{
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, rn_build(self->base));
	ASSERT_EQ(0, rn_mount(lfs_fstype(), self->base,
			      variant->redirect_dir));
}

FIXTURE_TEARDOWN(rn)
{
	while (!umount2(self->mnt, MNT_DETACH))
		;
	umount2(L("ovl/m"), MNT_DETACH);
	lfs_drop_base(self->base, NULL);
}

#define LOWER_INTACT() do { \
	ASSERT_STREQ("LO", CAT(L("l2/lo_f"))); \
	ASSERT_STREQ("LG", CAT(L("l2/lo_g"))); \
	ASSERT_STREQ("A", CAT(L("l2/lo_d/a"))); \
	ASSERT_STREQ("OLD", CAT(L("l2/wo_d/old"))); \
	ASSERT_STREQ("LF", CAT(L("l2/mrg/lf"))); \
	ASSERT_EQ(0, wu_work_leftovers(L("w/work"))); \
} while (0)

/* ---- files --------------------------------------------------------------- */

/* A pure upper file moves within the upper layer; no whiteout is left. */
TEST_F(rn, pure_upper_file)
{
	ASSERT_EQ(0, rename(M("up_f"), M("new")));
	ASSERT_STREQ("UP", CAT(M("new")));
	ASSERT_STREQ("UP", CAT(L("u/new")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("up_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/up_f")));
	LOWER_INTACT();
}

/* A lower file is copied up under the new name; its old name is whited out. */
TEST_F(rn, lower_file_leaves_whiteout)
{
	ASSERT_EQ(0, rename(M("lo_f"), M("new")));
	ASSERT_STREQ("LO", CAT(M("new")));
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/new")).st_mode));
	ASSERT_STREQ("LO", CAT(L("u/new")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("lo_f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_f")));
	LOWER_INTACT();
}

/* Over an existing lower file: the target shows the source's data. */
TEST_F(rn, lower_over_lower)
{
	ASSERT_EQ(0, rename(M("lo_f"), M("lo_g")));
	ASSERT_STREQ("LO", CAT(M("lo_g")));
	ASSERT_STREQ("LO", CAT(L("u/lo_g")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("lo_f")));
	LOWER_INTACT();
}

/* An upper file over a lower file: no whiteout at the pure-upper source. */
TEST_F(rn, upper_over_lower)
{
	ASSERT_EQ(0, rename(M("up_f"), M("lo_g")));
	ASSERT_STREQ("UP", CAT(M("lo_g")));
	ASSERT_STREQ("UP", CAT(L("u/lo_g")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/up_f")));
	LOWER_INTACT();
}

/* Onto a whited-out name: the whiteout is replaced by the file. */
TEST_F(rn, onto_whiteout_name)
{
	ASSERT_EQ(0, rename(M("lo_g"), M("wo_f")));
	ASSERT_STREQ("LG", CAT(M("wo_f")));
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/wo_f")).st_mode));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_g")));
	LOWER_INTACT();
}

/* Across directories: both parents are copied up. */
TEST_F(rn, across_directories)
{
	ASSERT_EQ(0, rename(M("lo_d/a"), M("mrg/a")));
	ASSERT_STREQ("A", CAT(M("mrg/a")));
	ASSERT_STREQ("A", CAT(L("u/mrg/a")));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/lo_d")).st_mode));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_d/a")));
	ASSERT_STREQ("", LS(M("lo_d")));
	ASSERT_STREQ("a,lf,uf", LS(M("mrg")));
	LOWER_INTACT();
}

/* Into an opaque directory, onto a name only its hidden lower dir has. */
TEST_F(rn, into_opaque_dir)
{
	ASSERT_EQ(0, rename(M("lo_f"), M("opq/hidden")));
	ASSERT_STREQ("LO", CAT(M("opq/hidden")));
	ASSERT_STREQ("LO", CAT(L("u/opq/hidden")));
	ASSERT_STREQ("hidden,uo", LS(M("opq")));
	LOWER_INTACT();
}

/* Renaming a name onto another link of the same inode changes nothing. */
TEST_F(rn, same_inode_is_noop)
{
	ASSERT_EQ(0, link(M("up_f"), M("up_h")));
	ASSERT_EQ(0, rename(M("up_f"), M("up_h")));
	ASSERT_STREQ("UP", CAT(M("up_f")));
	ASSERT_STREQ("UP", CAT(M("up_h")));
	ASSERT_EQ(2, wu_lstat(L("u/up_f")).st_nlink);
}

/* ---- directories --------------------------------------------------------- */

/*
 * A pure upper directory moves with its contents.  Into a pure upper
 * parent it stays non-opaque (nothing below could show through); into a
 * merged parent overlayfs marks it opaque as a precaution, which the view
 * cannot tell apart, so only the view is checked there.
 */
TEST_F(rn, pure_upper_dir)
{
	ASSERT_EQ(0, rename(M("up_d"), M("up_e/moved")));
	ASSERT_STREQ("X", CAT(M("up_e/moved/x")));
	ASSERT_STREQ("x", LS(L("u/up_e/moved")));
	ASSERT_FALSE(wu_is_opaque(L("u/up_e/moved")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/up_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("up_d")));

	ASSERT_EQ(0, rename(M("up_e/moved"), M("mrg/moved")));
	ASSERT_STREQ("X", CAT(M("mrg/moved/x")));
	ASSERT_STREQ("x", LS(L("u/mrg/moved")));
	ASSERT_STREQ("lf,moved,uf", LS(M("mrg")));
	ASSERT_STREQ("", LS(M("up_e")));
	LOWER_INTACT();
}

/*
 * A directory moved onto a name that exists in a lower layer (here behind
 * a whiteout) becomes opaque: the old lower contents stay hidden.
 */
TEST_F(rn, dir_onto_whiteout_becomes_opaque)
{
	ASSERT_EQ(0, rename(M("up_d"), M("wo_d")));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/wo_d")).st_mode));
	ASSERT_TRUE(wu_is_opaque(L("u/wo_d")));
	ASSERT_STREQ("x", LS(M("wo_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_d/old")));
	LOWER_INTACT();
}

/* Over an empty lower directory: succeeds, and the result is opaque. */
TEST_F(rn, dir_over_empty_lower_dir_becomes_opaque)
{
	ASSERT_EQ(0, rename(M("up_d"), M("lo_e")));
	ASSERT_TRUE(wu_is_opaque(L("u/lo_e")));
	ASSERT_STREQ("x", LS(M("lo_e")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("up_d")));
	LOWER_INTACT();
}

/*
 * An opaque upper directory has no lower contents, so it may move; a
 * whiteout stays at its old name to keep the lower directory hidden.
 */
TEST_F(rn, opaque_dir_moves)
{
	ASSERT_EQ(0, rename(M("opq"), M("opq2")));
	ASSERT_STREQ("uo", LS(M("opq2")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("opq")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/opq")));
	LOWER_INTACT();
}

#define RN_LOWER_OPS	5
#define RN_XATTR	"trusted.overlay.redirect"

/*
 * The renames of dir_with_lower_contents_exdev through the mount on @m, each
 * errno into @err: every one moves a directory with lower parts (merged, or
 * lower-only), or exchanges with one.  @on: the earlier ones succeeded, so
 * the later ones name the directories where they are now.
 */
static void rn_lower_ops(const char *m, bool on, int *err)
{
	const char *mrg = on ? "mrg2" : "mrg", *lo_e = on ? "lo_e2" : "lo_e";
	char a[PATH_MAX + 16], b[PATH_MAX + 16];
	static const char *const pairs[RN_LOWER_OPS][2] = {
		{ "mrg", "mrg2" }, { "lo_d", "up_d/lo_d" }, { "lo_e", "lo_e2" },
		{ NULL, NULL }, { "up_f", NULL },
	};
	unsigned int i;

	for (i = 0; i < RN_LOWER_OPS; i++) {
		/* 3: mrg <-> lo_e, both with lower parts; 4: a file <-> mrg */
		snprintf(a, sizeof(a), "%s/%s", m, i == 3 ? mrg : pairs[i][0]);
		snprintf(b, sizeof(b), "%s/%s", m,
			 i == 3 ? lo_e : i == 4 ? mrg : pairs[i][1]);
		err[i] = wu_renameat2(a, b, i >= 3 ? RENAME_EXCHANGE : 0);
	}
}

/*
 * Directories with lower contents (merged or lower-only).  Without
 * redirects (rn.off) they cannot be renamed: EXDEV, also for either side of
 * RENAME_EXCHANGE, and nothing changes.  With redirect_dir=on (rn.on) the
 * same renames succeed: the moved upper copy carries the redirect (the old
 * name within a parent, kept through later moves in it; "/lo_d" across
 * parents) and a whiteout hides the old name.  Either way overlayfs, mounted
 * with the same option over a copy of the layers, answers the same and
 * leaves the same merged tree and upper layer (whiteouts, opaque markers,
 * redirects).
 */
TEST_F(rn, dir_with_lower_contents_exdev)
{
	static const char *const redirected[] = {
		"mrg", "mrg2", "lo_d", "up_d/lo_d", "lo_e", "lo_e2", "up_f",
	};
	int err[RN_LOWER_OPS], oerr[RN_LOWER_OPS];
	char *view, *upper, *oview, *oupper, buf[64], obuf[64];
	unsigned int i;

	rn_lower_ops(self->mnt, variant->on, err);
	for (i = 0; i < RN_LOWER_OPS; i++) {
		TH_LOG("rename %u", i);
		ASSERT_EQ(variant->on ? 0 : EXDEV, err[i]);
	}
	if (variant->on) {
		ASSERT_STREQ("lf,uf", LS(M("lo_e2")));
		ASSERT_STREQ("UP", CAT(M("mrg2")));
		ASSERT_STREQ("a", LS(M("up_d/lo_d")));
		ASSERT_STREQ("", LS(M("up_f")));
		ASSERT_STREQ("mrg", wu_getxattr(L("u/lo_e2"), RN_XATTR, buf,
						sizeof(buf)));
		ASSERT_STREQ("lo_e", wu_getxattr(L("u/up_f"), RN_XATTR, buf,
						 sizeof(buf)));
		ASSERT_STREQ("/lo_d", wu_getxattr(L("u/up_d/lo_d"), RN_XATTR,
						  buf, sizeof(buf)));
		ASSERT_EQ(0, wu_whiteout_errno(L("u/mrg")));
		ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_d")));
		ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_e")));
	} else {
		ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_d")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_e")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(M("mrg2")));
		ASSERT_STREQ("lf,uf", LS(M("mrg")));
		ASSERT_STREQ("x", LS(M("up_d")));
	}
	LOWER_INTACT();

	/* the same on overlayfs */
	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, mkdir(L("ovl"), 0755));
	ASSERT_EQ(0, rn_build(L("ovl")));
	ASSERT_EQ(0, rn_mount("overlay", L("ovl"), variant->redirect_dir));
	rn_lower_ops(L("ovl/m"), variant->on, oerr);
	for (i = 0; i < RN_LOWER_OPS; i++)
		ASSERT_EQ(oerr[i], err[i]);
	view = wu_dump_string(self->mnt, 0);
	oview = wu_dump_string(L("ovl/m"), 0);
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, umount(L("ovl/m")));
	upper = wu_dump_string(L("u"), WU_RAW);
	oupper = wu_dump_string(L("ovl/u"), WU_RAW);
	TH_LOG("overlay's view:%s\noverlay's upper:%s", oview, oupper);
	ASSERT_STREQ(oview, view);
	ASSERT_STREQ(oupper, upper);
	for (i = 0; i < ARRAY_SIZE(redirected); i++) {
		wu_getxattr(lfs_fmt("%s/ovl/u/%s", self->base, redirected[i]),
			    RN_XATTR, obuf, sizeof(obuf));
		TH_LOG("%s: redirect %s", redirected[i], obuf);
		ASSERT_STREQ(obuf, wu_getxattr(lfs_fmt("%s/u/%s", self->base,
						       redirected[i]),
					       RN_XATTR, buf, sizeof(buf)));
	}
	free(view);
	free(oview);
	free(upper);
	free(oupper);
}

/* ---- flags --------------------------------------------------------------- */

/*
 * RENAME_NOREPLACE: EEXIST for a target in any layer, but a whited-out
 * name does not exist, so renaming onto it succeeds.
 */
TEST_F(rn, noreplace)
{
	ASSERT_EQ(EEXIST, RN("up_f", "lo_g", RENAME_NOREPLACE));
	ASSERT_EQ(EEXIST, RN("lo_f", "up_g", RENAME_NOREPLACE));
	ASSERT_EQ(EEXIST, RN("up_f", "mrg/lf", RENAME_NOREPLACE));
	ASSERT_EQ(EEXIST, RN("up_e", "lo_e", RENAME_NOREPLACE));
	ASSERT_STREQ("UP", CAT(M("up_f")));
	ASSERT_STREQ("LG", CAT(M("lo_g")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_g")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));

	ASSERT_EQ(0, RN("lo_f", "wo_f", RENAME_NOREPLACE));
	ASSERT_STREQ("LO", CAT(M("wo_f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_f")));
	ASSERT_EQ(0, RN("up_f", "fresh", RENAME_NOREPLACE));
	ASSERT_STREQ("UP", CAT(L("u/fresh")));
	LOWER_INTACT();
}

/* RENAME_EXCHANGE of an upper and a lower file, and of two lower files. */
TEST_F(rn, exchange_files)
{
	ASSERT_EQ(0, RN("up_f", "lo_g", RENAME_EXCHANGE));
	ASSERT_STREQ("LG", CAT(M("up_f")));
	ASSERT_STREQ("UP", CAT(M("lo_g")));
	ASSERT_STREQ("LG", CAT(L("u/up_f")));
	ASSERT_STREQ("UP", CAT(L("u/lo_g")));

	ASSERT_EQ(0, RN("lo_f", "mrg/lf", RENAME_EXCHANGE));
	ASSERT_STREQ("LF", CAT(M("lo_f")));
	ASSERT_STREQ("LO", CAT(M("mrg/lf")));
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/lo_f")).st_mode));
	ASSERT_STREQ("LO", CAT(L("u/mrg/lf")));
	LOWER_INTACT();
}

/* RENAME_EXCHANGE of two pure upper directories, and of a dir and a file. */
TEST_F(rn, exchange_dirs)
{
	ASSERT_EQ(0, RN("up_d", "up_e", RENAME_EXCHANGE));
	ASSERT_STREQ("", LS(M("up_d")));
	ASSERT_STREQ("x", LS(M("up_e")));
	ASSERT_STREQ("x", LS(L("u/up_e")));
	ASSERT_EQ(0, RN("up_d", "up_f", RENAME_EXCHANGE));
	ASSERT_TRUE(S_ISDIR(wu_lstat(M("up_f")).st_mode));
	ASSERT_STREQ("UP", CAT(M("up_d")));
	LOWER_INTACT();
}

/* RENAME_EXCHANGE needs both names: a missing or whited-out one is ENOENT. */
TEST_F(rn, exchange_missing_enoent)
{
	ASSERT_EQ(ENOENT, RN("up_f", "nope", RENAME_EXCHANGE));
	ASSERT_EQ(ENOENT, RN("up_f", "wo_f", RENAME_EXCHANGE));
	ASSERT_EQ(ENOENT, RN("wo_f", "lo_f", RENAME_EXCHANGE));
	ASSERT_STREQ("UP", CAT(M("up_f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/wo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
	LOWER_INTACT();
}

/* RENAME_WHITEOUT is layerfs's own business: EINVAL through the mount. */
TEST_F(rn, whiteout_flag_einval)
{
	ASSERT_EQ(EINVAL, RN("up_f", "new", RENAME_WHITEOUT));
	ASSERT_EQ(EINVAL, RN("lo_f", "new", RENAME_WHITEOUT));
	ASSERT_STREQ("UP", CAT(M("up_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("new")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/new")));
	LOWER_INTACT();
}

/* The VFS errors, with nothing changed afterwards. */
TEST_F(rn, errors)
{
	ASSERT_EQ(EISDIR, WU_ERR(rename(M("up_f"), M("up_e"))));
	ASSERT_EQ(EISDIR, WU_ERR(rename(M("lo_f"), M("lo_e"))));
	ASSERT_EQ(ENOTDIR, WU_ERR(rename(M("up_e"), M("up_f"))));
	ASSERT_EQ(ENOTDIR, WU_ERR(rename(M("up_e"), M("lo_f"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rename(M("up_e"), M("up_d"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rename(M("up_e"), M("mrg"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rename(M("up_e"), M("lo_d"))));
	ASSERT_EQ(EINVAL, WU_ERR(rename(M("up_d"), M("up_d/sub"))));
	ASSERT_EQ(ENOENT, WU_ERR(rename(M("nope"), M("x"))));
	ASSERT_EQ(ENOENT, WU_ERR(rename(M("wo_f"), M("x"))));
	ASSERT_EQ(ENOENT, WU_ERR(rename(M("opq/hidden"), M("x"))));
	ASSERT_EQ(ENOENT, WU_ERR(rename(M("up_f"), M("wo_d/x"))));
	ASSERT_STREQ("UP", CAT(M("up_f")));
	ASSERT_STREQ("x", LS(M("up_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("x")));
	LOWER_INTACT();
}

TEST_HARNESS_MAIN
