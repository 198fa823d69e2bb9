// SPDX-License-Identifier: GPL-2.0
/*
 * namespace.c - create, mkdir, mknod, symlink, link, unlink and rmdir
 * through a read-write layerfs mount, on every kind of name: pure upper,
 * pure lower, in a merged directory, covered by a whiteout, in an opaque
 * directory.
 *
 * The fixture mounts  lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w  on $/m
 * (stack: u l1 l2).  Each test does the operation through $/m and checks
 * three things: the merged view, the upper layer itself ($/u: new objects,
 * whiteouts = char dev 0/0, opaque = trusted.overlay.opaque "y"), and the
 * errno of every failure case.  The lower layers must never change, and
 * no temporary may stay in $/w/work (a whiteout may: overlayfs keeps one
 * there to hard-link new whiteouts from).
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define SGID_GID	5678

FIXTURE(ns) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
};

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))
#define LS(path)	lfs_list(path, self->buf, sizeof(self->buf))

FIXTURE_SETUP(ns)
{
	static const char *const dirs[] = {
		"$/u/up_d", "$/u/up_full", "$/l2/lo_d", "$/l2/lo_e",
		"$/u/mrg", "$/l1/mrg", "$/l2/mrg", "$/u/mev", "$/l2/mev",
		"$/l2/wo_d", "$/u/opq", "$/l2/opq", "$/u/opqe", "$/l2/opqe",
		"$/l2/pub", "$/l2/sgid", "$/l2/sgid/oldd",
	};
	static const char *const files[][2] = {
		{ "$/u/up_f", "UP" }, { "$/u/up_full/x", "X" },
		{ "$/l2/lo_f", "LO" }, { "$/l2/lo_d/a", "A" },
		{ "$/u/mrg/uf", "UF" }, { "$/l1/mrg/l1f", "L1F" },
		{ "$/l2/mrg/l2f", "L2F" }, { "$/u/mrg/both", "UB" },
		{ "$/l2/mrg/both", "LB" }, { "$/l2/mev/x", "X" },
		{ "$/l2/wo_f", "OLD" }, { "$/l2/wo_d/old", "OLD" },
		{ "$/u/opq/uo", "UO" }, { "$/l2/opq/hidden", "H" },
		{ "$/l2/opqe/h", "H" }, { "$/l2/sgid/old", "OLD" },
	};
	const char *b;
	unsigned int i;

	LFS_REQUIRE(return);
	umask(0);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	b = self->base;
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", b);
	ASSERT_EQ(0, wu_layout_make(b));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(b, dirs[i])));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, lfs_write(lfs_expand(b, files[i][0]),
				       files[i][1]));
	/* mev: merged, but empty in the view (its only name is whited out). */
	ASSERT_EQ(0, lfs_whiteout(L("u/mev/x")));
	/* wo_f, wo_d: names covered by an upper whiteout. */
	ASSERT_EQ(0, lfs_whiteout(L("u/wo_f")));
	ASSERT_EQ(0, lfs_whiteout(L("u/wo_d")));
	/* opq, opqe: opaque upper directories over lower ones. */
	ASSERT_EQ(0, lfs_opaque(L("u/opq")));
	ASSERT_EQ(0, lfs_opaque(L("u/opqe")));
	/* pub: world-writable lower dir; sgid: setgid lower dir. */
	ASSERT_EQ(0, chmod(L("l2/pub"), 0777));
	ASSERT_EQ(0, chown(L("l2/sgid"), 0, SGID_GID));
	ASSERT_EQ(0, chmod(L("l2/sgid"), 02777));

	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(b)));
}

FIXTURE_TEARDOWN(ns)
{
	while (!umount2(self->mnt, MNT_DETACH))
		;
	lfs_drop_base(self->base, NULL);
}

/* The lower layers are never written: spot-check after every test. */
#define LOWER_INTACT() do { \
	ASSERT_STREQ("LO", CAT(L("l2/lo_f"))); \
	ASSERT_STREQ("A", CAT(L("l2/lo_d/a"))); \
	ASSERT_STREQ("OLD", CAT(L("l2/wo_f"))); \
	ASSERT_STREQ("OLD", CAT(L("l2/wo_d/old"))); \
	ASSERT_STREQ("X", CAT(L("l2/mev/x"))); \
	ASSERT_STREQ("L1F", CAT(L("l1/mrg/l1f"))); \
	ASSERT_STREQ("H", CAT(L("l2/opq/hidden"))); \
	ASSERT_EQ(0, wu_work_leftovers(L("w/work"))); \
} while (0)

/* ---- create -------------------------------------------------------------- */

/* A new file in a merged directory is made in the upper directory. */
TEST_F(ns, create_in_merged_dir)
{
	struct stat st;
	int fd = open(M("mrg/new"), O_WRONLY | O_CREAT | O_EXCL, 0640);

	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "NEW", 3));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, lstat(L("u/mrg/new"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(0640, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
	ASSERT_EQ(0, st.st_gid);
	ASSERT_STREQ("NEW", CAT(L("u/mrg/new")));
	ASSERT_STREQ("both,l1f,l2f,new,uf", LS(M("mrg")));
	LOWER_INTACT();
}

/*
 * A new file in a pure lower directory copies the directory up first (with
 * its lower contents still visible: the copy is not opaque).
 */
TEST_F(ns, create_in_lower_dir_copies_parent)
{
	int fd = open(M("lo_d/new"), O_WRONLY | O_CREAT | O_EXCL, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/lo_d")).st_mode));
	ASSERT_FALSE(wu_is_opaque(L("u/lo_d")));
	ASSERT_STREQ("new", LS(L("u/lo_d")));
	ASSERT_STREQ("a,new", LS(M("lo_d")));
	LOWER_INTACT();
}

/*
 * Creating over a whiteout replaces it with the new file; the hidden lower
 * file never shows through.
 */
TEST_F(ns, create_over_whiteout)
{
	int fd;

	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_f")));
	fd = open(M("wo_f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "NEW", 3));
	ASSERT_EQ(0, close(fd));
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/wo_f")).st_mode));
	ASSERT_STREQ("NEW", CAT(L("u/wo_f")));
	ASSERT_STREQ("NEW", CAT(M("wo_f")));
	LOWER_INTACT();
}

/* O_EXCL on a name that exists in any layer: EEXIST, nothing copied up. */
TEST_F(ns, create_existing_eexist)
{
	ASSERT_EQ(EEXIST, WU_ERR(open(M("lo_f"), O_RDWR | O_CREAT | O_EXCL,
				      0644)));
	ASSERT_EQ(EEXIST, WU_ERR(open(M("mrg/l1f"), O_RDWR | O_CREAT | O_EXCL,
				      0644)));
	ASSERT_EQ(EEXIST, WU_ERR(open(M("lo_d"), O_RDWR | O_CREAT | O_EXCL,
				      0644)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/mrg/l1f")));
	LOWER_INTACT();
}

/* Creating below a whited-out directory: ENOENT. */
TEST_F(ns, create_below_whiteout_enoent)
{
	ASSERT_EQ(ENOENT, WU_ERR(open(M("wo_d/old"), O_RDONLY)));
	ASSERT_EQ(ENOENT, WU_ERR(open(M("wo_d/n"), O_WRONLY | O_CREAT, 0644)));
	ASSERT_EQ(ENOENT, WU_ERR(mkdir(M("wo_d/n"), 0755)));
	ASSERT_TRUE(wu_is_whiteout(L("u/wo_d")));
	LOWER_INTACT();
}

/* In an opaque directory only the upper entries exist, new ones join them. */
TEST_F(ns, create_in_opaque_dir)
{
	int fd = open(M("opq/new"), O_WRONLY | O_CREAT | O_EXCL, 0644);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_STREQ("new,uo", LS(M("opq")));
	ASSERT_STREQ("new,uo", LS(L("u/opq")));
	ASSERT_TRUE(wu_is_opaque(L("u/opq")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("opq/hidden")));
	LOWER_INTACT();
}

static int create_as_caller(const void *arg)
{
	int fd = open((const char *)arg, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int mkdir_as_caller(const void *arg)
{
	return mkdir((const char *)arg, 0755) ? errno : 0;
}

/* New objects belong to the caller's fsuid/fsgid, not to the mounter. */
TEST_F(ns, create_owned_by_caller)
{
	struct stat st;

	ASSERT_EQ(0, lfs_run_as(1000, create_as_caller, M("pub/f")));
	ASSERT_EQ(0, lfs_run_as(1000, mkdir_as_caller, M("pub/d")));
	ASSERT_EQ(0, lstat(L("u/pub/f"), &st));
	ASSERT_EQ(1000, st.st_uid);
	ASSERT_EQ(1000, st.st_gid);
	ASSERT_EQ(0, lstat(L("u/pub/d"), &st));
	ASSERT_EQ(1000, st.st_uid);
	ASSERT_EQ(1000, st.st_gid);
	ASSERT_EQ(1000, wu_lstat(M("pub/f")).st_uid);
	/* The copied-up parent keeps its own owner and mode. */
	ASSERT_EQ(0, wu_lstat(L("u/pub")).st_uid);
	ASSERT_EQ(0777, wu_lstat(L("u/pub")).st_mode & 07777);
}

/*
 * In a setgid directory new objects take the directory's group, and new
 * directories inherit the setgid bit (the upper filesystem's rules).
 */
TEST_F(ns, create_in_setgid_dir)
{
	struct stat st;

	ASSERT_EQ(0, lfs_run_as(1000, create_as_caller, M("sgid/f")));
	ASSERT_EQ(0, lfs_run_as(1000, mkdir_as_caller, M("sgid/d")));
	ASSERT_EQ(02777, wu_lstat(L("u/sgid")).st_mode & 07777);
	ASSERT_EQ(0, lstat(L("u/sgid/f"), &st));
	ASSERT_EQ(1000, st.st_uid);
	ASSERT_EQ(SGID_GID, st.st_gid);
	ASSERT_EQ(0, lstat(L("u/sgid/d"), &st));
	ASSERT_EQ(1000, st.st_uid);
	ASSERT_EQ(SGID_GID, st.st_gid);
	ASSERT_TRUE(st.st_mode & S_ISGID);
}

/*
 * The same where a lower name was deleted: the new object is built in
 * work/ and swapped with the whiteout, and still takes the group (and, a
 * directory, the setgid bit) of the directory it ends up in.
 */
TEST_F(ns, create_over_whiteout_in_setgid_dir)
{
	struct stat st;

	ASSERT_EQ(0, unlink(M("sgid/old")));
	ASSERT_EQ(0, rmdir(M("sgid/oldd")));
	ASSERT_TRUE(wu_is_whiteout(L("u/sgid/old")));
	ASSERT_TRUE(wu_is_whiteout(L("u/sgid/oldd")));
	ASSERT_EQ(0, lfs_run_as(1000, create_as_caller, M("sgid/old")));
	ASSERT_EQ(0, lfs_run_as(1000, mkdir_as_caller, M("sgid/oldd")));
	ASSERT_EQ(0, lstat(L("u/sgid/old"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(SGID_GID, st.st_gid);
	ASSERT_EQ(0, lstat(L("u/sgid/oldd"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(SGID_GID, st.st_gid);
	EXPECT_TRUE(st.st_mode & S_ISGID);
	EXPECT_TRUE(wu_is_opaque(L("u/sgid/oldd")));
	LOWER_INTACT();
}

/* ---- mkdir --------------------------------------------------------------- */

/* A directory on a fresh name is a plain upper directory (not opaque). */
TEST_F(ns, mkdir_fresh_name)
{
	ASSERT_EQ(0, mkdir(M("mrg/nd"), 0750));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/mrg/nd")).st_mode));
	ASSERT_EQ(0750, wu_lstat(L("u/mrg/nd")).st_mode & 07777);
	ASSERT_FALSE(wu_is_opaque(L("u/mrg/nd")));
	ASSERT_STREQ("", LS(M("mrg/nd")));
	ASSERT_EQ(0, mkdir(M("lo_d/nd"), 0755));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/lo_d/nd")).st_mode));
	ASSERT_STREQ("a,nd", LS(M("lo_d")));
	LOWER_INTACT();
}

/*
 * mkdir where a whiteout stands makes an opaque directory: the old lower
 * directory's contents stay hidden.
 */
TEST_F(ns, mkdir_over_whiteout_is_opaque)
{
	ASSERT_EQ(0, mkdir(M("wo_d"), 0755));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/wo_d")).st_mode));
	ASSERT_TRUE(wu_is_opaque(L("u/wo_d")));
	ASSERT_STREQ("", LS(M("wo_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_d/old")));
	/* A non-directory over a whiteout is not marked opaque. */
	ASSERT_EQ(0, mkfifo(M("wo_f"), 0644));
	ASSERT_TRUE(S_ISFIFO(wu_lstat(L("u/wo_f")).st_mode));
	ASSERT_EQ(ENODATA, WU_ERR(lgetxattr(L("u/wo_f"), LFS_OPAQUE_XATTR,
					     self->buf, 8)));
	LOWER_INTACT();
}

/* mkdir on names that exist in some layer: EEXIST; below a file: ENOTDIR. */
TEST_F(ns, mkdir_errors)
{
	ASSERT_EQ(EEXIST, WU_ERR(mkdir(M("lo_d"), 0755)));
	ASSERT_EQ(EEXIST, WU_ERR(mkdir(M("lo_f"), 0755)));
	ASSERT_EQ(EEXIST, WU_ERR(mkdir(M("mrg"), 0755)));
	ASSERT_EQ(EEXIST, WU_ERR(mkdir(M("up_d"), 0755)));
	ASSERT_EQ(EEXIST, WU_ERR(mkdir(M("mrg/l1f"), 0755)));
	ASSERT_EQ(ENOTDIR, WU_ERR(mkdir(M("lo_f/x"), 0755)));
	ASSERT_EQ(ENOENT, WU_ERR(mkdir(M("nope/x"), 0755)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_d")));
	LOWER_INTACT();
}

/* ---- mknod, symlink ------------------------------------------------------ */

/* fifo and device nodes are made in the upper layer with their rdev. */
TEST_F(ns, mknod_fifo_and_devices)
{
	struct stat st;

	ASSERT_EQ(0, mknod(M("mrg/p"), S_IFIFO | 0640, 0));
	ASSERT_EQ(0, mknod(M("lo_d/c"), S_IFCHR | 0600, makedev(1, 3)));
	ASSERT_EQ(0, lstat(L("u/mrg/p"), &st));
	ASSERT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0640, st.st_mode & 07777);
	ASSERT_EQ(0, lstat(L("u/lo_d/c"), &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(makedev(1, 3), st.st_rdev);
	ASSERT_EQ(makedev(1, 3), wu_lstat(M("lo_d/c")).st_rdev);
	ASSERT_EQ(EEXIST, WU_ERR(mknod(M("lo_f"), S_IFIFO | 0644, 0)));
	LOWER_INTACT();
}

/*
 * A 0/0 character device cannot be made through the mount (it would be a
 * whiteout): EPERM, as in overlayfs; nothing appears in the upper layer.
 */
TEST_F(ns, mknod_whiteout_eperm)
{
	ASSERT_EQ(EPERM, WU_ERR(mknod(M("mrg/w"), S_IFCHR | 0600,
				      makedev(0, 0))));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/mrg/w")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("mrg/w")));
}

/* Symlinks are made in the upper layer, also over a whiteout. */
TEST_F(ns, symlink_create)
{
	ASSERT_EQ(0, symlink("../lo_f", M("mrg/sl")));
	ASSERT_TRUE(S_ISLNK(wu_lstat(L("u/mrg/sl")).st_mode));
	ASSERT_STREQ("../lo_f", wu_readlink(L("u/mrg/sl"), self->buf,
					    sizeof(self->buf)));
	ASSERT_STREQ("LO", CAT(M("mrg/sl")));
	ASSERT_EQ(0, symlink("lo_f", M("wo_f")));
	ASSERT_TRUE(S_ISLNK(wu_lstat(L("u/wo_f")).st_mode));
	ASSERT_STREQ("LO", CAT(M("wo_f")));
	ASSERT_EQ(EEXIST, WU_ERR(symlink("x", M("lo_f"))));
	ASSERT_EQ(EEXIST, WU_ERR(symlink("x", M("lo_d"))));
	LOWER_INTACT();
}

/* ---- link ---------------------------------------------------------------- */

/*
 * link copies the lower source up and links the upper copy: one upper
 * inode with two names.
 */
TEST_F(ns, link_lower_source)
{
	struct stat a, b;

	ASSERT_EQ(0, link(M("lo_f"), M("mrg/hl")));
	ASSERT_EQ(0, lstat(L("u/lo_f"), &a));
	ASSERT_EQ(0, lstat(L("u/mrg/hl"), &b));
	ASSERT_EQ(a.st_ino, b.st_ino);
	ASSERT_EQ(2, a.st_nlink);
	ASSERT_STREQ("LO", CAT(L("u/mrg/hl")));
	ASSERT_EQ(0, lstat(M("lo_f"), &a));
	ASSERT_EQ(0, lstat(M("mrg/hl"), &b));
	ASSERT_EQ(a.st_ino, b.st_ino);
	ASSERT_EQ(2, b.st_nlink);
	/* Writes through one name are seen through the other. */
	ASSERT_EQ(0, lfs_write(M("mrg/hl"), "CHANGED"));
	ASSERT_STREQ("CHANGED", CAT(M("lo_f")));
	LOWER_INTACT();
}

/* link onto a whiteout replaces it; the usual errors otherwise. */
TEST_F(ns, link_targets_and_errors)
{
	ASSERT_EQ(0, link(M("up_f"), M("wo_f")));
	ASSERT_EQ(wu_lstat(L("u/up_f")).st_ino, wu_lstat(L("u/wo_f")).st_ino);
	ASSERT_STREQ("UP", CAT(M("wo_f")));
	ASSERT_EQ(EEXIST, WU_ERR(link(M("up_f"), M("lo_f"))));
	ASSERT_EQ(EEXIST, WU_ERR(link(M("up_f"), M("mrg/both"))));
	ASSERT_EQ(EPERM, WU_ERR(link(M("lo_d"), M("mrg/dl"))));
	ASSERT_EQ(ENOENT, WU_ERR(link(M("wo_d/old"), M("mrg/x"))));
	ASSERT_EQ(ENOENT, WU_ERR(link(M("mev/x"), M("mrg/x"))));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/mrg/x")));
	LOWER_INTACT();
}

/* ---- unlink -------------------------------------------------------------- */

/* A pure upper file is simply removed: no whiteout is left. */
TEST_F(ns, unlink_pure_upper)
{
	ASSERT_EQ(0, unlink(M("up_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("up_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/up_f")));
	ASSERT_EQ(0, unlink(M("mrg/uf")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/mrg/uf")));
	LOWER_INTACT();
}

/* A pure lower file leaves a whiteout (char 0/0) in the upper layer. */
TEST_F(ns, unlink_pure_lower_leaves_whiteout)
{
	ASSERT_EQ(0, unlink(M("lo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("lo_f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_f")));
	ASSERT_EQ(-1, access(M("lo_f"), F_OK));
	ASSERT_EQ(NULL, strstr(LS(M("")), "lo_f"));
	LOWER_INTACT();
}

/*
 * In a merged directory: a name that is upper and lower, or lower only,
 * leaves a whiteout; the parent was upper already.
 */
TEST_F(ns, unlink_in_merged_dir)
{
	ASSERT_EQ(0, unlink(M("mrg/both")));
	ASSERT_EQ(0, unlink(M("mrg/l1f")));
	ASSERT_EQ(0, unlink(M("mrg/l2f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/mrg/both")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/mrg/l1f")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/mrg/l2f")));
	ASSERT_STREQ("uf", LS(M("mrg")));
	ASSERT_STREQ("LB", CAT(L("l2/mrg/both")));
	LOWER_INTACT();
}

/* In a pure lower directory: the directory is copied up, then whiteout. */
TEST_F(ns, unlink_in_lower_dir_copies_parent)
{
	ASSERT_EQ(0, unlink(M("lo_d/a")));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/lo_d")).st_mode));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_d/a")));
	ASSERT_STREQ("", LS(M("lo_d")));
	LOWER_INTACT();
}

/* Unlink errors: hidden names, directories, missing names. */
TEST_F(ns, unlink_errors)
{
	ASSERT_EQ(ENOENT, WU_ERR(unlink(M("wo_f"))));
	ASSERT_EQ(ENOENT, WU_ERR(unlink(M("wo_d/old"))));
	ASSERT_EQ(ENOENT, WU_ERR(unlink(M("mev/x"))));
	ASSERT_EQ(ENOENT, WU_ERR(unlink(M("opq/hidden"))));
	ASSERT_EQ(ENOENT, WU_ERR(unlink(M("nope"))));
	ASSERT_EQ(EISDIR, WU_ERR(unlink(M("lo_d"))));
	ASSERT_EQ(EISDIR, WU_ERR(unlink(M("mrg"))));
	ASSERT_EQ(ENOTDIR, WU_ERR(unlink(M("lo_f/x"))));
	ASSERT_EQ(ENOTDIR, WU_ERR(rmdir(M("lo_f"))));
	ASSERT_EQ(ENOTDIR, WU_ERR(rmdir(M("up_f"))));
	/* Whiteouts stay whiteouts; nothing was copied up. */
	ASSERT_EQ(0, wu_whiteout_errno(L("u/wo_f")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
	LOWER_INTACT();
}

/*
 * In an opaque directory the lower name is already hidden: removing the
 * upper file must not uncover it (no regular file remains; a whiteout is
 * allowed but not needed).
 */
TEST_F(ns, unlink_in_opaque_dir)
{
	int e;

	ASSERT_EQ(0, unlink(M("opq/uo")));
	ASSERT_STREQ("", LS(M("opq")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("opq/uo")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("opq/hidden")));
	e = wu_whiteout_errno(L("u/opq/uo"));
	ASSERT_TRUE(e == ENOENT || e == 0);
	ASSERT_TRUE(wu_is_opaque(L("u/opq")));
	LOWER_INTACT();
}

/* After unlink, a new file of the same name shows only the new data. */
TEST_F(ns, recreate_after_unlink)
{
	ASSERT_EQ(0, unlink(M("lo_f")));
	ASSERT_EQ(0, lfs_write(M("lo_f"), "AGAIN"));
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/lo_f")).st_mode));
	ASSERT_STREQ("AGAIN", CAT(M("lo_f")));
	ASSERT_STREQ("AGAIN", CAT(L("u/lo_f")));
	LOWER_INTACT();
}

/* ---- rmdir --------------------------------------------------------------- */

/* A pure upper empty directory is removed without a whiteout. */
TEST_F(ns, rmdir_pure_upper)
{
	ASSERT_EQ(0, rmdir(M("up_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("up_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/up_d")));
	LOWER_INTACT();
}

/* An empty pure lower directory leaves a whiteout. */
TEST_F(ns, rmdir_pure_lower_leaves_whiteout)
{
	ASSERT_EQ(0, rmdir(M("lo_e")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("lo_e")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_e")));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("l2/lo_e")).st_mode));
	LOWER_INTACT();
}

/*
 * A directory with visible entries in any layer: ENOTEMPTY, and nothing
 * is copied up or whited out.
 */
TEST_F(ns, rmdir_not_empty)
{
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rmdir(M("mrg"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rmdir(M("lo_d"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rmdir(M("up_full"))));
	ASSERT_EQ(ENOTEMPTY, WU_ERR(rmdir(M("opq"))));
	ASSERT_EQ(ENOENT, WU_ERR(rmdir(M("wo_d"))));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_d")));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/mrg")).st_mode));
	ASSERT_STREQ("both,l1f,l2f,uf", LS(M("mrg")));
	LOWER_INTACT();
}

/*
 * A merged directory whose only lower entry is whited out is empty in the
 * view: rmdir succeeds, and the upper directory (with its whiteouts) is
 * replaced by a whiteout that hides the lower directory.
 */
TEST_F(ns, rmdir_empty_in_view_merged_dir)
{
	ASSERT_EQ(0, rmdir(M("mev")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("mev")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/mev")));
	ASSERT_EQ(NULL, strstr(LS(M("")), "mev"));
	LOWER_INTACT();
}

/* An opaque directory with no upper entries is empty in the view. */
TEST_F(ns, rmdir_opaque_dir)
{
	ASSERT_EQ(0, rmdir(M("opqe")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/opqe")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("opqe")));
	LOWER_INTACT();
}

/* A lower directory emptied through the view can be removed. */
TEST_F(ns, rmdir_after_emptying)
{
	ASSERT_EQ(0, unlink(M("lo_d/a")));
	ASSERT_EQ(0, rmdir(M("lo_d")));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/lo_d")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("lo_d/a")));
	LOWER_INTACT();
}

/* A directory recreated after rmdir is opaque: the old contents stay gone. */
TEST_F(ns, mkdir_after_rmdir_is_opaque)
{
	ASSERT_EQ(0, rmdir(M("mev")));
	ASSERT_EQ(0, mkdir(M("mev"), 0700));
	ASSERT_TRUE(S_ISDIR(wu_lstat(L("u/mev")).st_mode));
	ASSERT_TRUE(wu_is_opaque(L("u/mev")));
	ASSERT_STREQ("", LS(M("mev")));
	ASSERT_STREQ("", LS(L("u/mev")));
	ASSERT_EQ(0700, wu_lstat(M("mev")).st_mode & 07777);
	LOWER_INTACT();
}

TEST_HARNESS_MAIN
