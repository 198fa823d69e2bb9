// SPDX-License-Identifier: GPL-2.0
/*
 * copyup.c - copy-up of lower objects into the upper layer, and the data
 * path of a read-write layerfs mount.
 *
 * The fixture mounts  lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w  on $/m
 * (stack: u l1 l2).  Each test triggers one kind of copy-up through $/m and
 * then looks at the upper layer directly ($/u on the tmpfs): the object must
 * be there with the lower object's data, mode, owner, times and xattrs
 * (except trusted.overlay.*), the lower object must be untouched, and
 * $/w/work must be empty again (the temp file was renamed into place).
 * Standalone TESTs cover what needs a different stack: a 64 MiB file, a
 * full upper filesystem (ENOSPC), statfs, and a lower-only mount (EROFS).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define LO_CONTENT	"lower-file"
#define LO_UID		1234
#define LO_GID		5678
#define LO_MODE		0640
#define LO_MTIME	1000000000
#define LO_MTIME_NS	123456789
#define D1_MTIME	1100000000
#define D2_MTIME	1200000000

FIXTURE(copyup) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
	bool have_user_xattr;
};

/* Path below the mount point / below the per-test tmpfs (the layers). */
#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))
#define XA(path, name)	wu_getxattr(path, name, self->buf, sizeof(self->buf))

/* Set owner, mode and times of a lower object. */
static int lower_meta(const char *path, uid_t uid, gid_t gid, mode_t mode,
		      time_t mtime)
{
	if (lchown(path, uid, gid))
		return errno;
	if (!S_ISLNK(wu_lstat(path).st_mode) && chmod(path, mode))
		return errno;
	return wu_set_times(path, mtime, LO_MTIME_NS);
}

FIXTURE_SETUP(copyup)
{
	const char *b;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	b = self->base;
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", b);
	ASSERT_EQ(0, wu_layout_make(b));

	/* lo_f: a pure lower file with distinctive metadata and xattrs. */
	ASSERT_EQ(0, lfs_write(L("l2/lo_f"), LO_CONTENT));
	ASSERT_EQ(0, setxattr(L("l2/lo_f"), "trusted.foo", "bar", 3, 0));
	ASSERT_EQ(0, setxattr(L("l2/lo_f"), "security.sec", "s1", 2, 0));
	ASSERT_EQ(0, setxattr(L("l2/lo_f"), "trusted.overlay.hidden", "1", 1,
			      0));
	self->have_user_xattr =
		!setxattr(L("l2/lo_f"), "user.u", "uv", 2, 0);
	ASSERT_EQ(0, lower_meta(L("l2/lo_f"), LO_UID, LO_GID, LO_MODE,
				LO_MTIME));
	/* xr: a lower file whose xattr is removed through the mount. */
	ASSERT_EQ(0, lfs_write(L("l2/xr"), "xr"));
	ASSERT_EQ(0, setxattr(L("l2/xr"), "trusted.a", "1", 1, 0));
	ASSERT_EQ(0, setxattr(L("l2/xr"), "trusted.b", "2", 1, 0));
	/* top_f: in both lowers, l1 wins. */
	ASSERT_EQ(0, lfs_write(L("l1/top_f"), "L1"));
	ASSERT_EQ(0, lfs_write(L("l2/top_f"), "L2"));
	/* d1/d2/deep: parents with their own metadata. */
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/d1/d2")));
	ASSERT_EQ(0, lfs_write(L("l2/d1/d2/deep"), "deep"));
	ASSERT_EQ(0, lfs_write(L("l2/d1/sib"), "sib"));
	ASSERT_EQ(0, setxattr(L("l2/d1"), "trusted.dx", "dv", 2, 0));
	ASSERT_EQ(0, lower_meta(L("l2/d1/d2"), 4321, 8765, 0705, D2_MTIME));
	ASSERT_EQ(0, lower_meta(L("l2/d1"), LO_UID, LO_GID, 0751, D1_MTIME));
	/* Special files. */
	ASSERT_EQ(0, symlink("lo_f", L("l2/sym")));
	ASSERT_EQ(0, lower_meta(L("l2/sym"), LO_UID, LO_GID, 0, LO_MTIME));
	ASSERT_EQ(0, mkfifo(L("l2/fifo"), 0620));
	ASSERT_EQ(0, mknod(L("l2/null"), S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, mknod(L("l2/blk"), S_IFBLK | 0600, makedev(7, 0)));
	/* mrg: merged directory (upper + lower). */
	ASSERT_EQ(0, mkdir(L("u/mrg"), 0755));
	ASSERT_EQ(0, lfs_write(L("u/mrg/uf"), "UF"));
	ASSERT_EQ(0, mkdir(L("l2/mrg"), 0755));
	ASSERT_EQ(0, lfs_write(L("l2/mrg/lf"), "LF"));

	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(b)));
}

FIXTURE_TEARDOWN(copyup)
{
	while (!umount2(self->mnt, MNT_DETACH))
		;
	lfs_drop_base(self->base, NULL);
}

/* ---- what is not a copy-up ----------------------------------------------- */

/* Reading data, attributes and xattrs leaves the upper layer alone. */
TEST_F(copyup, read_only_access_does_not_copy_up)
{
	char list[1024];
	int fd;

	ASSERT_STREQ(LO_CONTENT, CAT(M("lo_f")));
	ASSERT_EQ(0, lfs_lstat_errno(M("d1/d2/deep")));
	ASSERT_STREQ("bar", XA(M("lo_f"), "trusted.foo"));
	ASSERT_LT(0, listxattr(M("lo_f"), list, sizeof(list)));
	fd = open(M("top_f"), O_RDONLY);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, wu_count(L("u")) - 1);	/* only "mrg" */
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* Give @path an atime of 1000 s, older than its mtime: relatime updates it. */
static int old_atime(const char *path)
{
	struct timespec ts[2] = { { 1000, 0 }, { 0, UTIME_OMIT } };

	return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) ? errno : 0;
}

/*
 * Reading through the mount writes nothing to a lower layer, not even an
 * atime: read(), mmap() and listing a lower-only and a merged directory
 * leave the lower objects' atimes alone (layerfs reaches the lower layers
 * through private read-only, noatime clones of their mounts, as overlayfs
 * does).  The same read made straight on the lower layer does move its
 * atime, which shows the check can fail.
 */
TEST_F(copyup, reads_leave_lower_atimes_alone)
{
	const char *objs[] = { "l2/lo_f", "l2/d1", "l2/mrg", "l2/xr" };
	unsigned int i;
	char *map;
	int fd;

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		ASSERT_EQ(0, old_atime(L(objs[i])));

	ASSERT_STREQ(LO_CONTENT, CAT(M("lo_f")));
	fd = open(M("lo_f"), O_RDONLY);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(LO_CONTENT[0], map[0]);
	munmap(map, 4096);
	close(fd);
	ASSERT_EQ(2, wu_count(M("d1")));	/* d2, sib: pass-through */
	ASSERT_EQ(2, wu_count(M("mrg")));	/* uf, lf: merged */

	for (i = 0; i < ARRAY_SIZE(objs) - 1; i++) {
		if (wu_lstat(L(objs[i])).st_atime != 1000)
			TH_LOG("atime of %s changed", objs[i]);
		EXPECT_EQ(1000, wu_lstat(L(objs[i])).st_atime);
	}

	/* the control: the user's own mount of the layer does update it */
	ASSERT_STREQ("xr", CAT(L("l2/xr")));
	EXPECT_NE(1000, wu_lstat(L("l2/xr")).st_atime);
}

/*
 * Flags changed with fcntl(F_SETFL) after open reach the real file, as on
 * overlayfs: with O_NOATIME set that way, a read through the mount leaves
 * the upper file's atime alone; once it is cleared, the same read moves it
 * (which shows the check can fail).
 */
TEST_F(copyup, fcntl_setfl_reaches_real_file)
{
	char c;
	int fd;

	ASSERT_EQ(0, old_atime(L("u/mrg/uf")));
	fd = open(M("mrg/uf"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NOATIME));
	ASSERT_EQ(1, read(fd, &c, 1));
	EXPECT_EQ(1000, wu_lstat(L("u/mrg/uf")).st_atime);

	ASSERT_EQ(0, fcntl(fd, F_SETFL, 0));
	ASSERT_EQ(1, pread(fd, &c, 1, 0));
	EXPECT_NE(1000, wu_lstat(L("u/mrg/uf")).st_atime);
	close(fd);
}

/* ---- open for write ------------------------------------------------------ */

/*
 * Opening a lower file for write copies it up before any byte is written:
 * data, mode, owner, mtime and xattrs (not trusted.overlay.*) appear in
 * the upper layer; the lower file is untouched; work/ is empty again.
 */
TEST_F(copyup, open_wronly_copies_data_and_metadata)
{
	struct stat st;
	int fd = open(M("lo_f"), O_WRONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(0, lstat(L("u/lo_f"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(LO_MODE, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_EQ(LO_MTIME, st.st_mtim.tv_sec);
	ASSERT_EQ(LO_MTIME_NS, st.st_mtim.tv_nsec);
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_STREQ("s1", XA(L("u/lo_f"), "security.sec"));
	if (self->have_user_xattr)
		ASSERT_STREQ("uv", XA(L("u/lo_f"), "user.u"));
	/* trusted.overlay.* is layer metadata: never copied. */
	ASSERT_EQ(-1, lgetxattr(L("u/lo_f"), "trusted.overlay.hidden",
				self->buf, sizeof(self->buf)));
	ASSERT_EQ(ENODATA, errno);
	/* The lower file is unchanged, work/ holds no temp. */
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
	ASSERT_EQ(0, wu_count(L("w/work")));
	/* The merged view still shows the same attributes. */
	ASSERT_EQ(0, lstat(M("lo_f"), &st));
	ASSERT_EQ(LO_MODE, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
}

/* write/pwrite/writev go to the upper copy; the lower file keeps its data. */
TEST_F(copyup, write_pwrite_writev_land_in_upper)
{
	struct iovec iov[2] = {
		{ .iov_base = "<a", .iov_len = 2 },
		{ .iov_base = "b>", .iov_len = 2 },
	};
	int fd = open(M("lo_f"), O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "LO", 2));
	ASSERT_EQ(2, pwrite(fd, "XY", 2, 6));
	ASSERT_EQ(10, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(4, writev(fd, iov, 2));
	ASSERT_EQ(0, close(fd));
	ASSERT_STREQ("LOwer-XYle<ab>", CAT(M("lo_f")));
	ASSERT_STREQ("LOwer-XYle<ab>", CAT(L("u/lo_f")));
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
	ASSERT_EQ(14, wu_lstat(L("u/lo_f")).st_size);
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* O_TRUNC copies the metadata but no data: the upper file is empty. */
TEST_F(copyup, open_trunc_copies_no_data)
{
	struct stat st;
	int fd = open(M("lo_f"), O_WRONLY | O_TRUNC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, lstat(L("u/lo_f"), &st));
	ASSERT_EQ(0, st.st_size);
	ASSERT_EQ(LO_MODE, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_STREQ("", CAT(M("lo_f")));
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* The topmost lower copy is the one copied up (l1 over l2). */
TEST_F(copyup, copies_topmost_lower)
{
	int fd = open(M("top_f"), O_WRONLY | O_APPEND);

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "+", 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_STREQ("L1+", CAT(L("u/top_f")));
	ASSERT_STREQ("L1", CAT(L("l1/top_f")));
	ASSERT_STREQ("L2", CAT(L("l2/top_f")));
}

/* A child of a merged directory goes into the existing upper directory. */
TEST_F(copyup, child_of_merged_dir)
{
	ASSERT_EQ(0, truncate(M("mrg/lf"), 1));
	ASSERT_STREQ("L", CAT(L("u/mrg/lf")));
	ASSERT_STREQ("lf,uf", lfs_list(L("u/mrg"), self->buf,
				       sizeof(self->buf)));
	ASSERT_STREQ("lf,uf", lfs_list(M("mrg"), self->buf,
				       sizeof(self->buf)));
}

/* ---- setattr ------------------------------------------------------------- */

/* truncate(2) copies up and then shortens the upper copy. */
TEST_F(copyup, truncate_copies_up)
{
	ASSERT_EQ(0, truncate(M("lo_f"), 5));
	ASSERT_STREQ("lower", CAT(L("u/lo_f")));
	ASSERT_EQ(LO_MODE, wu_lstat(L("u/lo_f")).st_mode & 07777);
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* chmod copies up; owner, data, mtime and xattrs stay as they were. */
TEST_F(copyup, chmod_keeps_other_metadata)
{
	struct stat st;

	ASSERT_EQ(0, chmod(M("lo_f"), 0604));
	ASSERT_EQ(0, lstat(L("u/lo_f"), &st));
	ASSERT_EQ(0604, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_EQ(LO_MTIME, st.st_mtim.tv_sec);
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_EQ(LO_MODE, wu_lstat(L("l2/lo_f")).st_mode & 07777);
	ASSERT_EQ(0604, wu_lstat(M("lo_f")).st_mode & 07777);
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* chown copies up; mode, data, mtime and xattrs stay as they were. */
TEST_F(copyup, chown_keeps_other_metadata)
{
	struct stat st;

	ASSERT_EQ(0, chown(M("lo_f"), 1111, 2222));
	ASSERT_EQ(0, lstat(L("u/lo_f"), &st));
	ASSERT_EQ(1111, st.st_uid);
	ASSERT_EQ(2222, st.st_gid);
	ASSERT_EQ(LO_MODE, st.st_mode & 07777);
	ASSERT_EQ(LO_MTIME, st.st_mtim.tv_sec);
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_EQ(LO_UID, wu_lstat(L("l2/lo_f")).st_uid);
	ASSERT_EQ(1111, wu_lstat(M("lo_f")).st_uid);
}

/* utimensat copies up; mode, owner, data and xattrs stay as they were. */
TEST_F(copyup, utimes_keeps_other_metadata)
{
	struct stat st;

	ASSERT_EQ(0, wu_set_times(M("lo_f"), 2000000000, 5));
	ASSERT_EQ(0, lstat(L("u/lo_f"), &st));
	ASSERT_EQ(2000000000, st.st_mtim.tv_sec);
	ASSERT_EQ(5, st.st_mtim.tv_nsec);
	ASSERT_EQ(LO_MODE, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_EQ(LO_MTIME, wu_lstat(L("l2/lo_f")).st_mtim.tv_sec);
	ASSERT_EQ(2000000000, wu_lstat(M("lo_f")).st_mtim.tv_sec);
}

/*
 * Copy-up of a deep file copies its parents first, each with the lower
 * directory's mode, owner, mtime and xattrs; the parents are not opaque
 * (the lower siblings stay visible).
 */
TEST_F(copyup, parents_copied_with_metadata)
{
	struct stat st;

	ASSERT_EQ(0, truncate(M("d1/d2/deep"), 2));
	ASSERT_STREQ("de", CAT(L("u/d1/d2/deep")));

	ASSERT_EQ(0, lstat(L("u/d1"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0751, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_EQ(D1_MTIME, st.st_mtim.tv_sec);
	ASSERT_STREQ("dv", XA(L("u/d1"), "trusted.dx"));
	ASSERT_FALSE(wu_is_opaque(L("u/d1")));

	ASSERT_EQ(0, lstat(L("u/d1/d2"), &st));
	ASSERT_EQ(0705, st.st_mode & 07777);
	ASSERT_EQ(4321, st.st_uid);
	ASSERT_EQ(8765, st.st_gid);
	ASSERT_EQ(D2_MTIME, st.st_mtim.tv_sec);
	ASSERT_FALSE(wu_is_opaque(L("u/d1/d2")));

	/* Only the path to the file was copied; the sibling stays lower. */
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/d1/sib")));
	ASSERT_STREQ("sib", CAT(M("d1/sib")));
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/*
 * chmod/chown of a lower directory copies up the directory alone: its
 * children stay in the lower layer and still show (the copy is not opaque).
 * On a merged directory it changes the existing upper directory.  On a
 * whited-out name it fails with ENOENT.
 */
TEST_F(copyup, dir_setattr_copies_up_only_the_dir)
{
	struct stat st;

	ASSERT_EQ(0, chmod(M("d1"), 0700));
	ASSERT_EQ(0, lstat(L("u/d1"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0700, st.st_mode & 07777);
	ASSERT_EQ(LO_UID, st.st_uid);
	ASSERT_EQ(LO_GID, st.st_gid);
	ASSERT_FALSE(wu_is_opaque(L("u/d1")));
	ASSERT_EQ(0, wu_count(L("u/d1")));
	ASSERT_STREQ("d2,sib", lfs_list(M("d1"), self->buf,
					sizeof(self->buf)));
	ASSERT_EQ(0751, wu_lstat(L("l2/d1")).st_mode & 07777);

	ASSERT_EQ(0, chown(M("mrg"), 1111, 2222));
	ASSERT_EQ(1111, wu_lstat(L("u/mrg")).st_uid);
	ASSERT_EQ(2222, wu_lstat(M("mrg")).st_gid);
	ASSERT_STREQ("lf,uf", lfs_list(M("mrg"), self->buf,
				       sizeof(self->buf)));

	ASSERT_EQ(0, unlink(M("top_f")));
	ASSERT_EQ(ENOENT, WU_ERR(chmod(M("top_f"), 0600)));
	ASSERT_EQ(ENOENT, WU_ERR(truncate(M("top_f"), 0)));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/top_f")));
	ASSERT_EQ(0, wu_work_leftovers(L("w/work")));
}

/* ---- xattrs -------------------------------------------------------------- */

/* setxattr copies up (with the existing xattrs) and sets the new one. */
TEST_F(copyup, setxattr_copies_up)
{
	ASSERT_EQ(0, setxattr(M("lo_f"), "trusted.new", "nv", 2, 0));
	ASSERT_STREQ("nv", XA(L("u/lo_f"), "trusted.new"));
	ASSERT_STREQ("bar", XA(L("u/lo_f"), "trusted.foo"));
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_STREQ("nv", XA(M("lo_f"), "trusted.new"));
	ASSERT_STREQ("<errno 61>", XA(L("l2/lo_f"), "trusted.new"));
}

/* removexattr copies up and removes the name only from the upper copy. */
TEST_F(copyup, removexattr_copies_up)
{
	ASSERT_EQ(0, removexattr(M("xr"), "trusted.a"));
	ASSERT_STREQ("<errno 61>", XA(L("u/xr"), "trusted.a"));
	ASSERT_STREQ("2", XA(L("u/xr"), "trusted.b"));
	ASSERT_STREQ("1", XA(L("l2/xr"), "trusted.a"));
	ASSERT_STREQ("<errno 61>", XA(M("xr"), "trusted.a"));
}

/*
 * trusted.overlay.* set or removed through the mount never reaches the raw
 * names in the layers.  Before 6.7 it fails with EOPNOTSUPP and copies
 * nothing up; since 6.7 it is the user's escaped trusted.overlay.overlay.*
 * (copy-up, then the escaped name changes), as on overlayfs: the directory
 * does not become opaque, and the lower object's raw name is not there to
 * remove (ENODATA).  See xattr_escape.c.
 */
TEST_F(copyup, private_xattr_never_raw)
{
	bool esc = lfs_overlay_escapes_xattrs();

	ASSERT_EQ(esc ? 0 : -1, setxattr(M("lo_f"), LFS_OPAQUE_XATTR, "y", 1,
					 0));
	if (!esc)
		ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(esc ? 0 : -1, setxattr(M("mrg"), LFS_OPAQUE_XATTR, "y", 1,
					 0));
	if (!esc)
		ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, removexattr(M("lo_f"), "trusted.overlay.hidden"));
	ASSERT_EQ(esc ? ENODATA : EOPNOTSUPP, errno);
	ASSERT_FALSE(wu_is_opaque(L("u/mrg")));
	if (!esc) {
		ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
		return;
	}
	ASSERT_STREQ("y", XA(L("u/lo_f"), "trusted.overlay.overlay.opaque"));
	ASSERT_STREQ("y", XA(L("u/mrg"), "trusted.overlay.overlay.opaque"));
	ASSERT_STREQ("<errno 61>", XA(L("u/lo_f"), "trusted.overlay.hidden"));
	/* the merged directory still shows the lower entries */
	ASSERT_EQ(0, lfs_lstat_errno(M("mrg/lf")));
}

/* ---- special files ------------------------------------------------------- */

/* lchown of a lower symlink copies up the link itself, target unchanged. */
TEST_F(copyup, symlink_copies_up)
{
	struct stat st;

	ASSERT_EQ(0, lchown(M("sym"), 1111, 2222));
	ASSERT_EQ(0, lstat(L("u/sym"), &st));
	ASSERT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(1111, st.st_uid);
	ASSERT_STREQ("lo_f", wu_readlink(L("u/sym"), self->buf,
					 sizeof(self->buf)));
	/* The target was not copied up. */
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/lo_f")));
	ASSERT_STREQ(LO_CONTENT, CAT(M("sym")));
}

/* chmod of a fifo, a char device, a block device copies the node up. */
TEST_F(copyup, special_files_copy_up)
{
	struct stat st;

	ASSERT_EQ(0, chmod(M("fifo"), 0600));
	ASSERT_EQ(0, chmod(M("null"), 0600));
	ASSERT_EQ(0, chmod(M("blk"), 0640));

	ASSERT_EQ(0, lstat(L("u/fifo"), &st));
	ASSERT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, lstat(L("u/null"), &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(makedev(1, 3), st.st_rdev);
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, lstat(L("u/blk"), &st));
	ASSERT_TRUE(S_ISBLK(st.st_mode));
	ASSERT_EQ(makedev(7, 0), st.st_rdev);
	ASSERT_EQ(0640, st.st_mode & 07777);
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* ---- open file descriptors ----------------------------------------------- */

/*
 * A descriptor opened read-only before the copy-up follows the copy: its next
 * read returns the upper file's data, as on overlayfs since 4.19.  (Only a
 * mapping made before the copy-up keeps showing the lower file.)
 */
TEST_F(copyup, ro_fd_before_copy_up_reads_the_copy)
{
	char b[64] = { 0 };
	int ro, wr;

	ro = open(M("lo_f"), O_RDONLY);
	ASSERT_LE(0, ro);
	ASSERT_EQ(10, pread(ro, b, sizeof(b) - 1, 0));
	ASSERT_STREQ(LO_CONTENT, b);
	wr = open(M("lo_f"), O_WRONLY | O_TRUNC);
	ASSERT_LE(0, wr);
	ASSERT_EQ(3, write(wr, "new", 3));
	ASSERT_EQ(0, close(wr));
	memset(b, 0, sizeof(b));
	ASSERT_EQ(3, pread(ro, b, sizeof(b) - 1, 0));
	ASSERT_STREQ("new", b);
	ASSERT_EQ(0, close(ro));
	ASSERT_STREQ("new", CAT(M("lo_f")));
	ASSERT_STREQ("new", CAT(L("u/lo_f")));
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
}

/* Writes through a MAP_SHARED mapping land in the upper copy. */
TEST_F(copyup, mmap_shared_write_lands_in_upper)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p;
	int fd = open(M("lo_f"), O_RDWR);

	ASSERT_LE(0, fd);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, memcmp(p, LO_CONTENT, 10));
	memcpy(p, "MAPPED", 6);
	ASSERT_EQ(0, msync(p, pg, MS_SYNC));
	ASSERT_EQ(0, munmap(p, pg));
	ASSERT_EQ(0, close(fd));
	ASSERT_STREQ("MAPPEDfile", CAT(L("u/lo_f")));
	ASSERT_STREQ("MAPPEDfile", CAT(M("lo_f")));
	ASSERT_STREQ(LO_CONTENT, CAT(L("l2/lo_f")));
}

/*
 * fsync, fdatasync and syncfs succeed on a copied-up file; fallocate
 * extends the upper copy and punching a hole zeroes it (tmpfs supports
 * both).
 */
TEST_F(copyup, fsync_fdatasync_fallocate)
{
	char b[16];
	int fd = open(M("lo_f"), O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, fdatasync(fd));
	ASSERT_EQ(0, syncfs(fd));
	ASSERT_EQ(0, fallocate(fd, 0, 0, 1 << 20));
	ASSERT_EQ(1 << 20, wu_lstat(L("u/lo_f")).st_size);
	ASSERT_EQ(1 << 20, wu_lstat(M("lo_f")).st_size);
	ASSERT_EQ(10, wu_lstat(L("l2/lo_f")).st_size);
	ASSERT_EQ(10, pread(fd, b, 10, 0));
	ASSERT_EQ(0, memcmp(b, LO_CONTENT, 10));
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0, 4096));
	ASSERT_EQ(10, pread(fd, b, 10, 0));
	ASSERT_EQ(0, memcmp(b, "\0\0\0\0\0\0\0\0\0\0", 10));
	ASSERT_EQ(1 << 20, wu_lstat(L("u/lo_f")).st_size);
	ASSERT_EQ(0, close(fd));
}

/* A read-write mount shows "rw" in /proc/mounts. */
TEST_F(copyup, mount_is_rw)
{
	char opts[4096];

	ASSERT_EQ(0, lfs_mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_EQ(0, strncmp(opts, "rw", 2));
}

/* ---- POSIX ACLs ------------------------------------------------------------ */

#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"

/* user::rw- user:1000:r-- group::r-- mask::r-- other::--- */
static const struct wu_acl_entry acl_1000_r[] = {
	{ WU_ACL_USER_OBJ, 6, WU_ACL_NO_ID }, { WU_ACL_USER, 4, 1000 },
	{ WU_ACL_GROUP_OBJ, 4, WU_ACL_NO_ID }, { WU_ACL_MASK, 4, WU_ACL_NO_ID },
	{ WU_ACL_OTHER, 0, WU_ACL_NO_ID },
};

/* user::rwx group::r-x other::r-x (a default ACL) */
static const struct wu_acl_entry acl_dflt[] = {
	{ WU_ACL_USER_OBJ, 7, WU_ACL_NO_ID },
	{ WU_ACL_GROUP_OBJ, 5, WU_ACL_NO_ID },
	{ WU_ACL_OTHER, 5, WU_ACL_NO_ID },
};

#define ACL_N(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * getfacl through the mount reads the lower object's ACL (the same bytes)
 * without copying it up.
 */
TEST_F(copyup, acl_read_from_lower)
{
	char lower[256], merged[256];
	ssize_t n;

	ASSERT_EQ(0, wu_set_acl(L("l2/top_f"), ACL_ACCESS, acl_1000_r,
				ACL_N(acl_1000_r)));
	n = getxattr(L("l2/top_f"), ACL_ACCESS, lower, sizeof(lower));
	ASSERT_LT(0, n);
	/* l1/top_f hides l2's: its (missing) ACL is the one shown. */
	ASSERT_EQ(-1, getxattr(M("top_f"), ACL_ACCESS, merged, sizeof(merged)));
	ASSERT_EQ(ENODATA, errno);
	ASSERT_EQ(0, wu_set_acl(L("l1/top_f"), ACL_ACCESS, acl_1000_r,
				ACL_N(acl_1000_r)));
	ASSERT_EQ(n, getxattr(M("top_f"), ACL_ACCESS, merged, sizeof(merged)));
	ASSERT_EQ(0, memcmp(lower, merged, n));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/top_f")));
}

/*
 * setfacl through the mount copies the object up and sets the ACL on the
 * copy, with the mode it implies (group bits = mask); the lower object
 * keeps no ACL.  A default ACL on a directory likewise.
 */
TEST_F(copyup, acl_set_copies_up)
{
	char buf[256];

	ASSERT_EQ(0, wu_set_acl(M("lo_f"), ACL_ACCESS, acl_1000_r,
				ACL_N(acl_1000_r)));
	ASSERT_LT(0, getxattr(L("u/lo_f"), ACL_ACCESS, buf, sizeof(buf)));
	ASSERT_EQ(0640, wu_lstat(L("u/lo_f")).st_mode & 07777);
	ASSERT_EQ(0640, wu_lstat(M("lo_f")).st_mode & 07777);
	ASSERT_STREQ(LO_CONTENT, CAT(L("u/lo_f")));
	ASSERT_EQ(-1, getxattr(L("l2/lo_f"), ACL_ACCESS, buf, sizeof(buf)));
	ASSERT_LT(0, getxattr(M("lo_f"), ACL_ACCESS, buf, sizeof(buf)));

	ASSERT_EQ(0, wu_set_acl(M("d1"), ACL_DEFAULT, acl_dflt,
				ACL_N(acl_dflt)));
	ASSERT_LT(0, getxattr(L("u/d1"), ACL_DEFAULT, buf, sizeof(buf)));
	ASSERT_EQ(-1, getxattr(L("l2/d1"), ACL_DEFAULT, buf, sizeof(buf)));
	ASSERT_EQ(0, wu_count(L("w/work")));
}

/* Removing an ACL the lower object lacks: ENODATA, nothing copied up. */
TEST_F(copyup, acl_remove_missing_no_copy_up)
{
	ASSERT_EQ(-1, removexattr(M("xr"), ACL_ACCESS));
	ASSERT_EQ(ENODATA, errno);
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("u/xr")));
}

/* Removing one it has copies up and removes it from the copy. */
TEST_F(copyup, acl_remove_copies_up)
{
	char buf[256];

	ASSERT_EQ(0, wu_set_acl(L("l2/xr"), ACL_ACCESS, acl_1000_r,
				ACL_N(acl_1000_r)));
	ASSERT_EQ(0, removexattr(M("xr"), ACL_ACCESS));
	ASSERT_EQ(-1, getxattr(L("u/xr"), ACL_ACCESS, buf, sizeof(buf)));
	ASSERT_EQ(ENODATA, errno);
	ASSERT_LT(0, getxattr(L("l2/xr"), ACL_ACCESS, buf, sizeof(buf)));
}

/* user::rwx user:1000:rwx group::r-x mask::rwx other::r-x (a default ACL) */
static const struct wu_acl_entry acl_dflt_1000[] = {
	{ WU_ACL_USER_OBJ, 7, WU_ACL_NO_ID }, { WU_ACL_USER, 7, 1000 },
	{ WU_ACL_GROUP_OBJ, 5, WU_ACL_NO_ID }, { WU_ACL_MASK, 7, WU_ACL_NO_ID },
	{ WU_ACL_OTHER, 5, WU_ACL_NO_ID },
};

/* Do @a and @b (upper objects) have the same mode and the same ACL @name? */
static void same_mode_and_acl(struct __test_metadata *_metadata,
			      const char *a, const char *b, const char *name)
{
	char va[256], vb[256];
	ssize_t na, nb;

	EXPECT_EQ(wu_lstat(a).st_mode, wu_lstat(b).st_mode);
	na = getxattr(a, name, va, sizeof(va));
	nb = getxattr(b, name, vb, sizeof(vb));
	ASSERT_LT(0, nb) TH_LOG("%s has no %s", b, name);
	ASSERT_EQ(nb, na) TH_LOG("%s: %s differs from %s's", a, name, b);
	EXPECT_EQ(0, memcmp(va, vb, nb));
}

/*
 * In a directory with a default ACL, a name that was deleted and is made
 * again gets the ACLs and mode a fresh name gets, although layerfs builds
 * it in work/ (no default ACL there) and swaps it with the whiteout.
 */
TEST_F(copyup, acl_default_inherited_over_whiteout)
{
	int fd;

	umask(022);
	ASSERT_EQ(0, wu_set_acl(M("d1"), ACL_DEFAULT, acl_dflt_1000,
				ACL_N(acl_dflt_1000)));
	ASSERT_EQ(0, unlink(M("d1/sib")));
	ASSERT_EQ(0, unlink(M("d1/d2/deep")));
	ASSERT_EQ(0, rmdir(M("d1/d2")));
	ASSERT_TRUE(wu_is_whiteout(L("u/d1/sib")));
	ASSERT_TRUE(wu_is_whiteout(L("u/d1/d2")));

	fd = open(M("d1/sib"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	ASSERT_LE(0, fd);
	close(fd);
	fd = open(M("d1/fresh"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mkdir(M("d1/d2"), 0777));
	ASSERT_EQ(0, mkdir(M("d1/freshd"), 0777));

	same_mode_and_acl(_metadata, L("u/d1/sib"), L("u/d1/fresh"),
			  ACL_ACCESS);
	same_mode_and_acl(_metadata, L("u/d1/d2"), L("u/d1/freshd"),
			  ACL_ACCESS);
	same_mode_and_acl(_metadata, L("u/d1/d2"), L("u/d1/freshd"),
			  ACL_DEFAULT);
	EXPECT_EQ(0664, wu_lstat(M("d1/sib")).st_mode & 07777);
	/* overlayfs keeps a whiteout in work/work to link the next ones to
	 * (ovl_whiteout(), ofs->whiteout); layerfs leaves work/work empty */
	if (wu_dry_run_overlay())
		SKIP(return, "overlayfs keeps its shared whiteout in work/work");
	EXPECT_EQ(0, wu_count(L("w/work")));
}

/* ---- standalone stacks --------------------------------------------------- */

/* A private namespace and tmpfs; each test builds its own stack in it. */
FIXTURE(stack) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(stack)
{
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
}

FIXTURE_TEARDOWN(stack)
{
	umount2(lfs_fmt("%s/m", self->base), MNT_DETACH);
	lfs_drop_base(self->base, NULL);
}

#define BIG_SIZE	(64UL << 20)

/* A 64 MiB lower file keeps every byte through copy-up. */
TEST_F_TIMEOUT(stack, big_file_copy_up_keeps_bytes, 600)
{
	const char *base = self->base;
	char mnt[PATH_MAX + 8];
	uint64_t want, h = 0;
	size_t size = 0;
	int fd;

	ASSERT_EQ(0, wu_layout_make(base));
	ASSERT_EQ(0, wu_fill(lfs_fmt("%s/l2/big", base), BIG_SIZE, 7));
	snprintf(mnt, sizeof(mnt), "%s/m", base);
	ASSERT_EQ(0, wu_mount(mnt, wu_opts(base)));
	want = wu_pattern_hash(BIG_SIZE, 7);

	/* Copy-up by open for write; nothing written. */
	fd = open(lfs_fmt("%s/m/big", base), O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(0, wu_hash_path(lfs_fmt("%s/u/big", base), &h, &size));
	ASSERT_EQ(BIG_SIZE, size);
	ASSERT_EQ(want, h);
	ASSERT_EQ(0, wu_hash_path(lfs_fmt("%s/m/big", base), &h, &size));
	ASSERT_EQ(BIG_SIZE, size);
	ASSERT_EQ(want, h);
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/w/work", base)));
}

#define DIO_SIZE	8192

/*
 * What O_DIRECT opens of lower file "f" (DIO_SIZE bytes, pattern 9) do on
 * a stack of type @fstype built in @where: the errno of a read-only
 * O_DIRECT open (0 when it worked and an aligned direct read returned the
 * right bytes), the errno of an O_WRONLY|O_TRUNC|O_DIRECT open, and whether
 * the file still holds all its bytes after that.
 */
struct dio_result {
	int ro_err;
	int trunc_err;
	bool intact;
	size_t size;
};

static int dio_try(const char *fstype, const char *where,
		   struct dio_result *r)
{
	char dir[PATH_MAX];	/* @where may be a ring buffer of lfs_fmt() */
	uint64_t h = 0;
	void *buf;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", where);
	if (mkdir(dir, 0755))
		return errno;
	err = wu_layout_make(dir);
	if (!err)
		err = wu_fill(lfs_fmt("%s/l2/f", dir), DIO_SIZE, 9);
	if (!err)
		err = wu_mount_type(fstype, lfs_fmt("%s/m", dir), wu_opts(dir));
	if (err)
		return err;
	if (posix_memalign(&buf, 4096, DIO_SIZE))
		return ENOMEM;

	fd = open(lfs_fmt("%s/m/f", dir), O_RDONLY | O_DIRECT);
	r->ro_err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		if (pread(fd, buf, DIO_SIZE, 0) != DIO_SIZE ||
		    wu_fnv(WU_FNV_INIT, buf, DIO_SIZE) !=
		    wu_pattern_hash(DIO_SIZE, 9))
			r->ro_err = -1;
		close(fd);
	}
	free(buf);

	fd = open(lfs_fmt("%s/m/f", dir), O_WRONLY | O_TRUNC | O_DIRECT);
	r->trunc_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	err = wu_hash_path(lfs_fmt("%s/m/f", dir), &h, &r->size);
	r->intact = r->size == DIO_SIZE && h == wu_pattern_hash(DIO_SIZE, 9);
	umount2(lfs_fmt("%s/m", dir), MNT_DETACH);
	return err;
}

/*
 * O_DIRECT works through the mount exactly when it works on the real file,
 * as on overlayfs (tmpfs has direct I/O since 6.6: yes on 6.12, EINVAL on
 * 6.1).  An O_TRUNC|O_DIRECT open truncates when it succeeds and loses no
 * data when it fails: the copy-up for it copies the data instead of
 * relying on the truncation to follow.  (overlayfs on 6.1 empties the file
 * and still fails, which is logged, not copied.)
 */
TEST_F(stack, o_direct_like_overlay)
{
	struct dio_result lr = { -9, -9 }, or = { -9, -9 };

	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, dio_try(lfs_fstype(), lfs_fmt("%s/a", self->base), &lr));
	ASSERT_EQ(0, dio_try("overlay", lfs_fmt("%s/b", self->base), &or));
	TH_LOG("O_DIRECT: %s %d, overlay %d; O_TRUNC|O_DIRECT: %s %d (size %zu), overlay %d (size %zu)",
	       lfs_fstype(), lr.ro_err, or.ro_err, lfs_fstype(), lr.trunc_err,
	       lr.size, or.trunc_err, or.size);
	EXPECT_EQ(or.ro_err, lr.ro_err);
	EXPECT_EQ(or.trunc_err, lr.trunc_err);
	EXPECT_TRUE(lr.ro_err == 0 || lr.ro_err == EINVAL);
	if (lr.trunc_err) {
		/* FSTYPE=overlay: a documented overlayfs 6.1 difference */
		if (wu_dry_run_overlay() && !lr.intact)
			SKIP(return, "overlayfs 6.1 has emptied the file when O_TRUNC|O_DIRECT fails");
		EXPECT_TRUE(lr.intact);
	} else {
		EXPECT_EQ(0, lr.size);
	}
}

#define ENOSPC_SIZE	(4UL << 20)

/*
 * Copy-up into a full upper filesystem (1 MiB tmpfs, 4 MiB lower file)
 * fails with ENOSPC and leaves nothing behind: no file in the upper layer,
 * no temp in work/, the lower file still visible and intact.
 */
TEST_F(stack, enospc_copy_up_leaves_nothing)
{
	const char *base = self->base;
	char mnt[PATH_MAX + 8];
	const char *opts;
	uint64_t h = 0;
	size_t size = 0;

	ASSERT_EQ(0, mkdir(lfs_fmt("%s/l", base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/m", base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/small", base), 0755));
	ASSERT_EQ(0, mount("tmpfs", lfs_fmt("%s/small", base), "tmpfs", 0,
			   "size=1m,mode=0755"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/small/u", base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/small/w", base), 0755));
	ASSERT_EQ(0, wu_fill(lfs_fmt("%s/l/big", base), ENOSPC_SIZE, 3));
	snprintf(mnt, sizeof(mnt), "%s/m", base);
	opts = lfs_expand(base,
		"lowerdir=$/l,upperdir=$/small/u,workdir=$/small/w");
	ASSERT_EQ(0, wu_mount(mnt, opts));

	ASSERT_EQ(-1, open(lfs_fmt("%s/m/big", base), O_WRONLY));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/small/u/big", base)));
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/small/u", base)));
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/small/w/work", base)));

	/* chmod needs the data as well: same answer, same clean state. */
	ASSERT_EQ(-1, chmod(lfs_fmt("%s/m/big", base), 0600));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/small/u", base)));
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/small/w/work", base)));

	/* The merged view still shows the intact lower file. */
	ASSERT_EQ(0644, wu_lstat(lfs_fmt("%s/m/big", base)).st_mode & 07777);
	ASSERT_EQ(0, wu_hash_path(lfs_fmt("%s/m/big", base), &h, &size));
	ASSERT_EQ(ENOSPC_SIZE, size);
	ASSERT_EQ(wu_pattern_hash(ENOSPC_SIZE, 3), h);
}

/*
 * A default ACL on the workdir reaches nothing: layerfs removes what
 * work/ inherits from it (overlayfs does the same), so neither a copy-up
 * nor an object made over a whiteout -- both built in work/ -- picks up an
 * ACL or a mode from it.
 */
TEST_F(stack, workdir_default_acl_not_inherited)
{
	const char *b = self->base;
	char buf[256];
	int fd;

	umask(022);
	ASSERT_EQ(0, wu_layout_make(b));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/f", b), "F"));
	ASSERT_EQ(0, chmod(lfs_fmt("%s/l2/f", b), 0640));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/g", b), "G"));
	ASSERT_EQ(0, wu_set_acl(lfs_fmt("%s/w", b), ACL_DEFAULT, acl_dflt_1000,
				ACL_N(acl_dflt_1000)));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", b), wu_opts(b)));

	fd = open(lfs_fmt("%s/m/f", b), O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, unlink(lfs_fmt("%s/m/g", b)));
	fd = open(lfs_fmt("%s/m/g", b), O_WRONLY | O_CREAT | O_EXCL, 0666);
	ASSERT_LE(0, fd);
	close(fd);

	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u/f", b), ACL_ACCESS, buf,
			       sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0640, wu_lstat(lfs_fmt("%s/u/f", b)).st_mode & 07777);
	ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u/g", b), ACL_ACCESS, buf,
			       sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(0644, wu_lstat(lfs_fmt("%s/u/g", b)).st_mode & 07777);
}

/*
 * Nor does a setgid workdir: objects made over whiteouts (in work/ first)
 * belong to the caller's group, and a directory is not setgid, as in a
 * plain parent directory.
 */
TEST_F(stack, workdir_setgid_not_inherited)
{
	const char *b = self->base;
	struct stat st;
	int fd;

	ASSERT_EQ(0, wu_layout_make(b));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/g", b), "G"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/l2/d", b), 0755));
	ASSERT_EQ(0, chown(lfs_fmt("%s/w", b), 0, 5678));
	ASSERT_EQ(0, chmod(lfs_fmt("%s/w", b), 02775));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", b), wu_opts(b)));

	ASSERT_EQ(0, unlink(lfs_fmt("%s/m/g", b)));
	fd = open(lfs_fmt("%s/m/g", b), O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, rmdir(lfs_fmt("%s/m/d", b)));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/m/d", b), 0755));

	ASSERT_EQ(0, lstat(lfs_fmt("%s/u/g", b), &st));
	EXPECT_EQ(getegid(), st.st_gid);
	ASSERT_EQ(0, lstat(lfs_fmt("%s/u/d", b), &st));
	EXPECT_EQ(getegid(), st.st_gid);
	EXPECT_EQ(0, st.st_mode & S_ISGID);
}

/*
 * statfs of the mount reports the upper filesystem (its block counts) with
 * the stacking filesystem's f_type, and follows writes made through it.
 */
TEST_F(stack, statfs_reflects_upper)
{
	const char *base = self->base;
	struct statfs sm, su, sb;
	char mnt[PATH_MAX + 8], up[PATH_MAX + 8];
	int fd;

	ASSERT_EQ(0, mkdir(lfs_fmt("%s/l", base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/m", base), 0755));
	snprintf(up, sizeof(up), "%s/up", base);
	ASSERT_EQ(0, mkdir(up, 0755));
	ASSERT_EQ(0, mount("tmpfs", up, "tmpfs", 0, "size=8m,nr_inodes=1000"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/up/u", base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/up/w", base), 0755));
	snprintf(mnt, sizeof(mnt), "%s/m", base);
	ASSERT_EQ(0, wu_mount(mnt, lfs_expand(base,
		"lowerdir=$/l,upperdir=$/up/u,workdir=$/up/w")));

	ASSERT_EQ(0, statfs(mnt, &sm));
	ASSERT_EQ(0, statfs(up, &su));
	ASSERT_EQ(0, statfs(base, &sb));
	ASSERT_EQ(wu_magic(), sm.f_type);
	ASSERT_NE(sb.f_blocks, su.f_blocks);	/* the two are told apart */
	ASSERT_EQ(su.f_blocks, sm.f_blocks);
	ASSERT_EQ(su.f_bsize, sm.f_bsize);
	ASSERT_EQ(su.f_files, sm.f_files);

	/* 1 MiB written through the mount is charged to the upper fs. */
	fd = open(lfs_fmt("%s/m/f", base), O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 1 << 20));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, statfs(mnt, &sm));
	ASSERT_EQ(0, statfs(up, &su));
	ASSERT_EQ(su.f_bfree, sm.f_bfree);
	ASSERT_EQ(su.f_ffree, sm.f_ffree);
	ASSERT_GE(su.f_blocks - su.f_bfree, (1UL << 20) / su.f_bsize);
}

/*
 * Without upperdir the mount stays read-only: every modifying call fails
 * with EROFS, also on a file a read-write mount would copy up.
 */
TEST_F(stack, lower_only_mount_erofs)
{
	const char *base = self->base;
	char opts[4096];
	char mnt[PATH_MAX + 8];

	ASSERT_EQ(0, wu_layout_make(base));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/f", base), "f"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/l1/d", base), 0755));
	snprintf(mnt, sizeof(mnt), "%s/m", base);
	ASSERT_EQ(0, wu_mount(mnt, lfs_expand(base, "lowerdir=$/l1:$/l2")));
	ASSERT_EQ(0, lfs_mount_opts(mnt, opts, sizeof(opts)));
	ASSERT_EQ(0, strncmp(opts, "ro", 2));

#define IN(rel) lfs_fmt("%s/m/%s", base, rel)
	ASSERT_EQ(EROFS, WU_ERR(open(IN("f"), O_WRONLY)));
	ASSERT_EQ(EROFS, WU_ERR(open(IN("f"), O_RDONLY | O_TRUNC)));
	ASSERT_EQ(EROFS, WU_ERR(open(IN("new"), O_WRONLY | O_CREAT, 0644)));
	ASSERT_EQ(EROFS, WU_ERR(truncate(IN("f"), 0)));
	ASSERT_EQ(EROFS, WU_ERR(chmod(IN("f"), 0600)));
	ASSERT_EQ(EROFS, WU_ERR(chown(IN("f"), 1, 1)));
	ASSERT_EQ(EROFS, WU_ERR(utimensat(AT_FDCWD, IN("f"), NULL, 0)));
	ASSERT_EQ(EROFS, WU_ERR(setxattr(IN("f"), "trusted.x", "1", 1, 0)));
	ASSERT_EQ(EROFS, WU_ERR(unlink(IN("f"))));
	ASSERT_EQ(EROFS, WU_ERR(rmdir(IN("d"))));
	ASSERT_EQ(EROFS, WU_ERR(mkdir(IN("nd"), 0755)));
	ASSERT_EQ(EROFS, WU_ERR(rename(IN("f"), IN("g"))));
	ASSERT_EQ(EROFS, WU_ERR(link(IN("f"), IN("g"))));
	ASSERT_EQ(EROFS, WU_ERR(symlink("f", IN("s"))));
	ASSERT_EQ(EROFS, WU_ERR(mknod(IN("p"), S_IFIFO | 0644, 0)));
#undef IN
	ASSERT_EQ(0, wu_count(lfs_fmt("%s/u", base)));
}

TEST_HARNESS_MAIN
