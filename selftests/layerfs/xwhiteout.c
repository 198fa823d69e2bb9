// SPDX-License-Identifier: GPL-2.0
/*
 * xwhiteout.c - the second whiteout form and the "x" directory mark.
 *
 * Since 6.7 overlayfs also reads a whiteout made as a zero-size regular
 * file carrying the xattr trusted.overlay.whiteout; a directory holding
 * such files is marked trusted.overlay.opaque = "x", which does NOT make it
 * opaque but tells readdir to check its regular files.  Layer generators
 * (composefs, image builders) write this form, so layerfs reads it on both
 * kernels: it is a property of the layers, not of the kernel.
 *
 * The layers (below the per-test tmpfs; l1 on top of l2):
 *
 *   l2/d/       a  b  c  e  sub/s        l2/gone  l2/plain/w  l2/e2/{p,q}
 *   l1/d/  "x"  a(xw)  sub(xw)  k  z0(empty, no xattr)  zx(xattr, 1 byte)
 *   l1/        "x" on the root, gone(xw)
 *   l1/plain/   unmarked, w(xw)
 *   l1/e2/ "x"  p(xw) q(xw)
 *   l1/only/"x" f  w(xw)                  (no l2/only: a single real dir)
 *   l1/y/  "y"  (opaque)                  l2/y/hidden
 *
 * (xw) = an xattr whiteout.  Each test compares layerfs with overlayfs on
 * the same layers where overlayfs knows the form (6.7 and later); on 6.1
 * overlayfs shows the files, so layerfs's answer is asserted directly.
 * Where the two differ on purpose, the test says so and pins both.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define XW_XATTR	"trusted.overlay.whiteout"

/* Does the running kernel's overlayfs read xattr whiteouts (6.7+)? */
static bool ovl_reads_xwhiteouts(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 7);
}

/* An xattr whiteout at @path: a zero-size file with the xattr.  0/errno. */
static int make_xwhiteout(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return setxattr(path, XW_XATTR, "", 0, 0) ? errno : 0;
}

/* Mark directory @path with trusted.overlay.opaque = @val.  0/errno. */
static int mark_dir(const char *path, const char *val)
{
	return setxattr(path, LFS_OPAQUE_XATTR, val, strlen(val), 0) ?
		errno : 0;
}

/* Build the layers of the file header, plus u, w and m, below @dir. */
static int build_layers(const char *dir)
{
	static const char *const dirs[] = {
		"$/l1", "$/l2", "$/u", "$/w", "$/m", "$/l2/d/sub", "$/l1/d",
		"$/l2/plain", "$/l1/plain", "$/l2/e2", "$/l1/e2", "$/l1/only",
		"$/l1/y", "$/l2/y",
	};
	static const char *const files[][2] = {
		{ "$/l2/d/a", "A" }, { "$/l2/d/b", "B" }, { "$/l2/d/c", "C" },
		{ "$/l2/d/e", "E" }, { "$/l2/d/sub/s", "S" },
		{ "$/l2/gone", "G" }, { "$/l2/plain/w", "W" },
		{ "$/l2/e2/p", "P" }, { "$/l2/e2/q", "Q" },
		{ "$/l1/d/k", "K" }, { "$/l1/d/z0", "" }, { "$/l1/d/zx", "1" },
		{ "$/l1/only/f", "F" }, { "$/l2/y/hidden", "H" },
	};
	static const char *const xws[] = {
		"$/l1/d/a", "$/l1/d/sub", "$/l1/gone", "$/l1/plain/w",
		"$/l1/e2/p", "$/l1/e2/q", "$/l1/only/w",
	};
	static const char *const marked[] = {
		"$/l1", "$/l1/d", "$/l1/e2", "$/l1/only",
	};
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(dirs); i++)
		err = lfs_mkdir_p(lfs_expand(dir, dirs[i]));
	for (i = 0; !err && i < ARRAY_SIZE(files); i++)
		err = lfs_write(lfs_expand(dir, files[i][0]), files[i][1]);
	for (i = 0; !err && i < ARRAY_SIZE(xws); i++)
		err = make_xwhiteout(lfs_expand(dir, xws[i]));
	for (i = 0; !err && i < ARRAY_SIZE(marked); i++)
		err = mark_dir(lfs_expand(dir, marked[i]), "x");
	/* what generators add for older overlayfs; read by neither */
	if (!err && setxattr(lfs_expand(dir, "$/l1/d"),
			     "trusted.overlay.whiteouts", "", 0, 0))
		err = errno;
	/* not a whiteout: the xattr on a file that is not empty */
	if (!err && setxattr(lfs_expand(dir, "$/l1/d/zx"), XW_XATTR, "", 0, 0))
		err = errno;
	if (!err)
		err = mark_dir(lfs_expand(dir, "$/l1/y"), "y");
	return err;
}

FIXTURE(xw) {
	char base[PATH_MAX];
	char a[PATH_MAX + 8];	/* layers mounted as layerfs on a/m */
	char b[PATH_MAX + 8];	/* the same layers, as overlay on b/m */
	bool ovl;		/* b/m is mounted and reads xattr whiteouts */
};

FIXTURE_SETUP(xw)
{
	LFS_REQUIRE(return);
	umask(0);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->a, sizeof(self->a), "%s/a", self->base);
	snprintf(self->b, sizeof(self->b), "%s/b", self->base);
	ASSERT_EQ(0, mkdir(self->a, 0755));
	ASSERT_EQ(0, mkdir(self->b, 0755));
	ASSERT_EQ(0, build_layers(self->a));
	ASSERT_EQ(0, build_layers(self->b));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", self->a), wu_opts(self->a)));
	self->ovl = ovl_reads_xwhiteouts() && lfs_fs_available("overlay") &&
		    !wu_mount_type("overlay", lfs_fmt("%s/m", self->b),
				   wu_opts(self->b));
}

FIXTURE_TEARDOWN(xw)
{
	LFS_DROP_BASE(self->base, "a/m", "b/m");
}

/* Run @stmt with P(rel) naming @rel in layerfs, then in overlay if mounted. */
#define BOTH(stmt) do { \
	const char *__mnt[2] = { self->a, self->b }; \
	int __i; \
	for (__i = 0; __i < (self->ovl ? 2 : 1); __i++) { \
		const char *__m = __mnt[__i]; \
		if (__i) \
			TH_LOG("the same through overlay"); \
		stmt; \
	} \
} while (0)
#define P(rel)	lfs_fmt("%s/m/%s", __m, rel)

/* stat() of a name an xattr whiteout hides: ENOENT, in any directory. */
TEST_F(xw, lookup_hides)
{
	char buf[64];

	BOTH({
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/a")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/sub")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/sub/s")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("gone")));
		/* lookup does not ask whether the directory is marked */
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("plain/w")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("only/w")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("e2/p")));
		ASSERT_EQ(-1, open(P("d/a"), O_RDONLY));
		ASSERT_EQ(ENOENT, errno);
		/* only an empty regular file with the xattr is one */
		ASSERT_STREQ("", lfs_cat(P("d/z0"), buf, sizeof(buf)));
		ASSERT_STREQ("1", lfs_cat(P("d/zx"), buf, sizeof(buf)));
		ASSERT_STREQ("B", lfs_cat(P("d/b"), buf, sizeof(buf)));
		ASSERT_STREQ("K", lfs_cat(P("d/k"), buf, sizeof(buf)));
	});
	/* the premise: a real file is there */
	ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/l1/d/a", self->a)));
	/* which an overlayfs older than 6.7 shows, empty (documented) */
	if (!self->ovl && lfs_fs_available("overlay")) {
		ASSERT_EQ(0, wu_mount_type("overlay", lfs_fmt("%s/m", self->b),
					   wu_opts(self->b)));
		ASSERT_STREQ("", lfs_cat(lfs_fmt("%s/m/d/a", self->b), buf,
					 sizeof(buf)));
		ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/m/gone", self->b)));
	}
}

/* A merged listing hides xattr whiteouts of a marked directory. */
TEST_F(xw, readdir_hides)
{
	char buf[256];

	BOTH({
		ASSERT_STREQ("b,c,e,k,z0,zx", lfs_list(P("d"), buf,
						       sizeof(buf)));
		ASSERT_STREQ("", lfs_list(P("e2"), buf, sizeof(buf)));
		/* the root: l1's root is marked */
		ASSERT_STREQ("d,e2,only,plain,y",
			     lfs_list(P(""), buf, sizeof(buf)));
	});
}

/*
 * "x" is not opaque: l2's names show through l1/d (and through the marked
 * root), while a "y" directory hides l2/y.
 */
TEST_F(xw, opaque_x_is_not_opaque)
{
	char buf[256];

	BOTH({
		ASSERT_STREQ("C", lfs_cat(P("d/c"), buf, sizeof(buf)));
		ASSERT_STREQ("E", lfs_cat(P("d/e"), buf, sizeof(buf)));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/a")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("y/hidden")));
		ASSERT_STREQ("", lfs_list(P("y"), buf, sizeof(buf)));
	});
}

/*
 * Only marked directories have their regular files checked by readdir, as
 * on overlayfs: an xattr whiteout in an unmarked directory still hides the
 * name from lookup, but is listed.  The layers break the rule that such a
 * directory must be marked; this pins what both filesystems then show.
 */
TEST_F(xw, unmarked_dir_lists_xwhiteout)
{
	char buf[256];
	struct dirent *de;
	DIR *dir;

	BOTH({
		ASSERT_STREQ("w", lfs_list(P("plain"), buf, sizeof(buf)));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("plain/w")));
	});
	/* and it is l1's empty file that is listed, as a regular file */
	dir = opendir(lfs_fmt("%s/m/plain", self->a));
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir)) && strcmp(de->d_name, "w"))
		;
	ASSERT_NE(NULL, de);
	ASSERT_EQ(DT_REG, de->d_type);
	closedir(dir);
}

/*
 * A marked directory that exists in one layer only is listed without its
 * xattr whiteouts.  overlayfs lists such a directory straight from the
 * real one, whiteouts included (ovl_dir_is_real()), while lookup says
 * ENOENT; layerfs keeps lookup and readdir consistent.
 */
TEST_F(xw, single_layer_marked_dir)
{
	char buf[256];
	long pos;
	DIR *dir;

	ASSERT_STREQ("f", lfs_list(lfs_fmt("%s/m/only", self->a), buf,
				   sizeof(buf)));
	if (self->ovl)
		ASSERT_STREQ("f,w", lfs_list(lfs_fmt("%s/m/only", self->b),
					     buf, sizeof(buf)));
	/* positions of that listing work: rewind and read again */
	dir = opendir(lfs_fmt("%s/m/only", self->a));
	ASSERT_NE(NULL, dir);
	while (readdir(dir))
		;
	pos = telldir(dir);
	ASSERT_GE(pos, 0);
	rewinddir(dir);
	ASSERT_NE(NULL, readdir(dir));
	seekdir(dir, pos);
	ASSERT_EQ(NULL, readdir(dir));
	closedir(dir);
	/* the upper or a lower unmarked single directory: pass-through */
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/m/new", self->a), 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/m/new/f", self->a), "f"));
	ASSERT_STREQ("f", lfs_list(lfs_fmt("%s/m/new", self->a), buf,
				   sizeof(buf)));
}

/*
 * rmdir of a directory whose only lower names are hidden by xattr
 * whiteouts: it is empty in the merged view, so rmdir works and leaves a
 * whiteout.  overlayfs 6.12 answers ENOTEMPTY (ovl_check_empty_dir() does
 * not check xattr whiteouts, only ovl_iterate() does) although it lists
 * the directory as empty; layerfs follows its own listing.
 */
TEST_F(xw, rmdir_only_xwhiteouts)
{
	ASSERT_EQ(0, rmdir(lfs_fmt("%s/m/e2", self->a)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/m/e2", self->a)));
	ASSERT_TRUE(wu_is_whiteout(lfs_fmt("%s/u/e2", self->a)));
	if (self->ovl) {
		ASSERT_EQ(-1, rmdir(lfs_fmt("%s/m/e2", self->b)));
		ASSERT_EQ(ENOTEMPTY, errno);
	}
	/* a directory with a name left is not empty */
	ASSERT_EQ(-1, rmdir(lfs_fmt("%s/m/d", self->a)));
	ASSERT_EQ(ENOTEMPTY, errno);
}

/*
 * A name hidden by an xattr whiteout can be created again: a file (with
 * O_EXCL), and a directory, which does not merge with the lower directory
 * the whiteout hid.
 */
TEST_F(xw, create_over_xwhiteout)
{
	char buf[256];
	int fd;

	BOTH({
		fd = open(P("d/a"), O_WRONLY | O_CREAT | O_EXCL, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(3, write(fd, "new", 3));
		close(fd);
		ASSERT_STREQ("new", lfs_cat(P("d/a"), buf, sizeof(buf)));
		ASSERT_EQ(0, mkdir(P("d/sub"), 0755));
		ASSERT_STREQ("", lfs_list(P("d/sub"), buf, sizeof(buf)));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/sub/s")));
		ASSERT_EQ(0, symlink("x", P("gone")));
		ASSERT_STREQ("a,b,c,e,k,sub,z0,zx",
			     lfs_list(P("d"), buf, sizeof(buf)));
	});
	/* and after a remount, from the upper layer alone */
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", self->a)));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", self->a), wu_opts(self->a)));
	ASSERT_STREQ("a,b,c,e,k,sub,z0,zx",
		     lfs_list(lfs_fmt("%s/m/d", self->a), buf, sizeof(buf)));
	ASSERT_STREQ("", lfs_list(lfs_fmt("%s/m/d/sub", self->a), buf,
				  sizeof(buf)));
}

/*
 * Copying a marked directory up copies none of trusted.overlay.*: the
 * upper directory is not marked (it holds no xattr whiteouts) and not
 * opaque, and l1's whiteouts keep hiding l2's names below it.  Renaming the
 * directory is refused as for any directory with lower parts.
 */
TEST_F(xw, copy_up_marked_dir)
{
	char buf[256];

	BOTH({
		ASSERT_EQ(0, chmod(P("d"), 0700));
		ASSERT_EQ(0, lfs_write(P("d/n"), "n"));
		ASSERT_STREQ("b,c,e,k,n,z0,zx",
			     lfs_list(P("d"), buf, sizeof(buf)));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/a")));
		ASSERT_EQ(-1, rename(P("d"), P("d2")));
		ASSERT_EQ(EXDEV, errno);
	});
	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u/d", self->a), LFS_OPAQUE_XATTR,
			       buf, sizeof(buf)));
	ASSERT_EQ(ENODATA, errno);
	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u/d", self->a),
			       "trusted.overlay.whiteouts", buf, sizeof(buf)));
	ASSERT_EQ(ENODATA, errno);
	/* nor is the upper root, below the marked root of l1 */
	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u", self->a), LFS_OPAQUE_XATTR,
			       buf, sizeof(buf)));
	ASSERT_EQ(ENODATA, errno);
}

/*
 * An xattr whiteout in the upper layer hides the lower name too (overlayfs
 * checks every layer at lookup); create over it, and unlink of what
 * replaced it, work.  An upper directory marked "x" is not opaque either.
 * Its whiteouts are hidden from readdir by layerfs, which checks marked
 * directories of every layer; overlayfs checks lower layers only and lists
 * them (while lookup says ENOENT).
 */
TEST_F(xw, upper_xwhiteout)
{
	char buf[256];
	int fd;

	ASSERT_EQ(0, umount(lfs_fmt("%s/m", self->a)));
	if (self->ovl)
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", self->b)));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/d", self->a), 0755));
	ASSERT_EQ(0, make_xwhiteout(lfs_fmt("%s/u/d/b", self->a)));
	ASSERT_EQ(0, mark_dir(lfs_fmt("%s/u/d", self->a), "x"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/d", self->b), 0755));
	ASSERT_EQ(0, make_xwhiteout(lfs_fmt("%s/u/d/b", self->b)));
	ASSERT_EQ(0, mark_dir(lfs_fmt("%s/u/d", self->b), "x"));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", self->a), wu_opts(self->a)));
	if (self->ovl)
		ASSERT_EQ(0, wu_mount_type("overlay", lfs_fmt("%s/m", self->b),
					   wu_opts(self->b)));
	ASSERT_STREQ("c,e,k,z0,zx", lfs_list(lfs_fmt("%s/m/d", self->a), buf,
					     sizeof(buf)));
	if (self->ovl)
		ASSERT_STREQ("b,c,e,k,z0,zx",
			     lfs_list(lfs_fmt("%s/m/d", self->b), buf,
				      sizeof(buf)));
	BOTH({
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/b")));
		ASSERT_STREQ("C", lfs_cat(P("d/c"), buf, sizeof(buf)));
		fd = open(P("d/b"), O_WRONLY | O_CREAT | O_EXCL, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(2, write(fd, "b2", 2));
		close(fd);
		ASSERT_STREQ("b2", lfs_cat(P("d/b"), buf, sizeof(buf)));
		ASSERT_EQ(0, unlink(P("d/b")));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(P("d/b")));
	});
	/* the name is hidden again by a whiteout layerfs made */
	ASSERT_TRUE(wu_is_whiteout(lfs_fmt("%s/u/d/b", self->a)));
}

/*
 * A directory renamed onto a name an upper xattr whiteout hides, from a
 * name a lower layer has (so a whiteout must stay behind).  layerfs swaps
 * a directory with a device whiteout; an xattr whiteout, a regular file,
 * would then sit at the old name in a directory not marked "x", where
 * readdir lists it.  It is removed instead and a device whiteout made.
 * overlayfs refuses the rename (ESTALE: it takes only a device for a
 * whiteout in the upper layer); layerfs's answer is pinned.
 */
TEST_F(xw, dir_renamed_onto_upper_xwhiteout)
{
	char buf[256];
	int err;

	ASSERT_EQ(0, umount(lfs_fmt("%s/m", self->a)));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/mv", self->a), "lower mv"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/d", self->a), 0755));
	ASSERT_EQ(0, make_xwhiteout(lfs_fmt("%s/u/d/b", self->a)));
	ASSERT_EQ(0, mark_dir(lfs_fmt("%s/u/d", self->a), "x"));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", self->a), wu_opts(self->a)));

	ASSERT_EQ(0, unlink(lfs_fmt("%s/m/mv", self->a)));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/m/mv", self->a), 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/m/mv/in", self->a), "in"));
	err = rename(lfs_fmt("%s/m/mv", self->a),
		     lfs_fmt("%s/m/d/b", self->a)) ? errno : 0;
	ASSERT_EQ(0, err);

	ASSERT_STREQ("in", lfs_cat(lfs_fmt("%s/m/d/b/in", self->a), buf,
				   sizeof(buf)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/m/mv", self->a)));
	ASSERT_EQ(NULL, strstr(lfs_list(lfs_fmt("%s/m", self->a), buf,
					sizeof(buf)), "mv"));
	ASSERT_TRUE(wu_is_whiteout(lfs_fmt("%s/u/mv", self->a)));
	ASSERT_EQ(0, wu_work_leftovers(lfs_fmt("%s/w/work", self->a)));
}

/*
 * What an unprivileged caller sees, in a child that has become nobody
 * (no CAP_SYS_ADMIN, so it could not read trusted.* itself): returns 0, or
 * a small number naming the first check that failed.
 */
static int view_as_nobody(const void *arg)
{
	const char *m = arg;
	char buf[256];

	if (lfs_lstat_errno(lfs_fmt("%s/d/a", m)) != ENOENT)
		return 1;
	if (lfs_lstat_errno(lfs_fmt("%s/gone", m)) != ENOENT)
		return 2;
	if (strcmp(lfs_list(lfs_fmt("%s/d", m), buf, sizeof(buf)),
		   "b,c,e,k,z0,zx"))
		return 3;
	if (strcmp(lfs_list(lfs_fmt("%s/only", m), buf, sizeof(buf)), "f"))
		return 4;
	if (lfs_lstat_errno(lfs_fmt("%s/d/zx", m)))
		return 5;
	/* and it cannot make one: trusted.* needs CAP_SYS_ADMIN */
	if (!setxattr(lfs_fmt("%s/d/z0", m), XW_XATTR, "", 0, 0) ||
	    (errno != EPERM && errno != EACCES))
		return 6;
	return 0;
}

/*
 * The first lookups and listings are made by nobody: layerfs reads the
 * xattrs with the mounter's credentials, so the whiteouts hide for every
 * caller, as on overlayfs.
 */
TEST_F(xw, unprivileged_caller)
{
	ASSERT_EQ(0, lfs_run_as(LFS_NOBODY, view_as_nobody,
				lfs_fmt("%s/m", self->a)));
	if (self->ovl) {
		char buf[256];

		/* overlay differs on "only" (see single_layer_marked_dir) */
		ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/m/d/a",
							  self->b)));
		ASSERT_STREQ("b,c,e,k,z0,zx",
			     lfs_list(lfs_fmt("%s/m/d", self->b), buf,
				      sizeof(buf)));
	}
}

/* Truncate @arg (a path) to 0 bytes, as the caller; 0 or errno. */
static int truncate_it(const void *arg)
{
	return truncate(arg, 0) ? errno : 0;
}

/*
 * A user who may write a non-empty lower file carrying the whiteout xattr
 * empties it through the mount: the copy-up leaves trusted.overlay.*
 * behind, so the emptied copy is an ordinary empty file, not a whiteout
 * that would make the name vanish (nor does it after a remount).
 */
TEST_F(xw, emptied_file_stays_a_file)
{
	struct stat st;

	ASSERT_EQ(0, chmod(lfs_fmt("%s/l1/d/zx", self->a), 0666));
	ASSERT_EQ(0, chmod(lfs_fmt("%s/l1/d/zx", self->b), 0666));
	BOTH({
		ASSERT_EQ(0, lfs_run_as(LFS_NOBODY, truncate_it, P("d/zx")));
		ASSERT_EQ(0, lstat(P("d/zx"), &st));
		ASSERT_EQ(0, st.st_size);
	});
	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u/d/zx", self->a), XW_XATTR, NULL,
			       0));
	ASSERT_EQ(ENODATA, errno);
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", self->a)));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", self->a), wu_opts(self->a)));
	ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/m/d/zx", self->a)));
}

TEST_HARNESS_MAIN
