// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfile.c - open(O_TMPFILE) in the merged view, and making such a file
 * visible with linkat(2).
 *
 * layerfs creates the unnamed file in the upper directory (copying the
 * directory up first), owned by the caller as any create is.  overlayfs
 * does the same since 6.10; on 6.1 it has no tmpfile and answers
 * EOPNOTSUPP, a difference the documentation justifies (one behaviour on
 * both kernels, the one the newer overlayfs has).  Each test therefore
 * checks the answer layerfs must give, and compares it with overlayfs
 * where overlayfs has O_TMPFILE (logging overlayfs's EOPNOTSUPP where not).
 *
 * The fixture builds two identical stacks, $/lfs (layerfs on $/lfs/m) and
 * $/ovl (overlay on $/ovl/m), each  lowerdir=l1:l2,upperdir=u,workdir=w:
 *   mrg/     merged directory (u and l2), holding uf (upper) and lf (lower)
 *   lo_d/    a directory of l2 only, holding a
 *   pub/     a world-writable directory of l2
 *   sgid/    a setgid (02777) directory of l2, group SGID_GID
 *   shut/    a 0755 directory of l2 owned by root
 *   acl_d/   an upper directory with a default ACL (group SGID_GID rwx)
 *   imm/     an immutable (chattr +i) upper directory, when tmpfs can
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define SGID_GID	5678
#define USER_ID		1001

FIXTURE(tmpf) {
	char base[PATH_MAX];
	char buf[4096];
	bool have_ovl;
};

#define S(type, rel)	lfs_fmt("%s/%s/%s", self->base, type, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))
#define LS(path)	lfs_list(path, self->buf, sizeof(self->buf))

/* chattr: set file attribute flags @flags on @path; 0 or errno. */
static int tf_chattr(const char *path, int flags)
{
	int attr, err = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &attr))
		err = errno;
	attr |= flags;
	if (!err && ioctl(fd, FS_IOC_SETFLAGS, &attr))
		err = errno;
	close(fd);
	return err;
}

static int tf_stack(const char *fstype, const char *where)
{
	static const char *const dirs[] = {
		"u/mrg", "l2/mrg", "l2/lo_d", "l2/pub", "l2/sgid", "l2/shut",
		"u/acl_d",
	};
	static const struct wu_acl_entry dacl[] = {
		{ WU_ACL_USER_OBJ, 7, WU_ACL_NO_ID },
		{ WU_ACL_GROUP_OBJ, 5, WU_ACL_NO_ID },
		{ WU_ACL_MASK, 7, WU_ACL_NO_ID },
		{ WU_ACL_OTHER, 0, WU_ACL_NO_ID },
	};
	char dir[PATH_MAX];
	unsigned int i;
	int err;

	snprintf(dir, sizeof(dir), "%s", where);
	if (mkdir(dir, 0755))
		return errno;
	err = wu_layout_make(dir);
	for (i = 0; !err && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		err = WU_ERR(mkdir(lfs_fmt("%s/%s", dir, dirs[i]), 0755));
	if (!err)
		err = lfs_write(lfs_fmt("%s/u/mrg/uf", dir), "UF");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l2/mrg/lf", dir), "LF");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l2/lo_d/a", dir), "A");
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/l2/pub", dir), 0777));
	if (!err)
		err = WU_ERR(chown(lfs_fmt("%s/l2/sgid", dir), 0, SGID_GID));
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/l2/sgid", dir), 02777));
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/u/acl_d", dir), 0777));
	if (!err)
		err = wu_set_acl(lfs_fmt("%s/u/acl_d", dir),
				 "system.posix_acl_default", dacl, 4);
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/u/imm", dir), 0777));
	if (!err)
		tf_chattr(lfs_fmt("%s/u/imm", dir), FS_IMMUTABLE_FL);
	if (!err)
		err = wu_mount_type(fstype, lfs_fmt("%s/m", dir), wu_opts(dir));
	return err;
}

FIXTURE_SETUP(tmpf)
{
	LFS_REQUIRE(return);
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	ASSERT_EQ(0, tf_stack(lfs_fstype(), lfs_fmt("%s/lfs", self->base)));
	self->have_ovl = false;
	if (lfs_fs_available("overlay")) {
		int fd;

		ASSERT_EQ(0, tf_stack("overlay",
				      lfs_fmt("%s/ovl", self->base)));
		/* Does this kernel's overlayfs have O_TMPFILE (6.10+)? */
		fd = open(lfs_fmt("%s/ovl/m/mrg", self->base),
			  O_TMPFILE | O_RDWR, 0600);
		if (fd >= 0)
			close(fd);
		else
			TH_LOG("overlay: open(O_TMPFILE) errno %d, not compared",
			       errno);
		self->have_ovl = fd >= 0;
	}
}

FIXTURE_TEARDOWN(tmpf)
{
	while (!umount2(lfs_fmt("%s/lfs/m", self->base), MNT_DETACH))
		;
	while (!umount2(lfs_fmt("%s/ovl/m", self->base), MNT_DETACH))
		;
	lfs_drop_base(self->base, NULL);
}

#define FOR_EACH_STACK(t) \
	for (const char *t = "lfs"; t; \
	     t = !strcmp(t, "lfs") && self->have_ovl ? "ovl" : NULL)

/* linkat() of descriptor @fd to @to through /proc, as an unprivileged user can. */
static int tf_link_proc(int fd, const char *to)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return WU_ERR(linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW));
}

/*
 * An O_TMPFILE file in a merged directory: it can be written and read,
 * has no link and no name anywhere (not in the merged directory, not in the
 * upper directory, nothing left in work/), and vanishes when closed.
 */
TEST_F(tmpf, tmpfile_in_merged_dir)
{
	FOR_EACH_STACK(t) {
		char b[8] = { 0 };
		struct stat st;
		int fd = open(S(t, "m/mrg"), O_TMPFILE | O_RDWR, 0640);

		ASSERT_LE(0, fd) TH_LOG("%s: errno %d", t, errno);
		ASSERT_EQ(3, write(fd, "tmp", 3));
		ASSERT_EQ(3, pread(fd, b, sizeof(b) - 1, 0));
		EXPECT_STREQ("tmp", b);
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(0, st.st_nlink);
		EXPECT_EQ(S_IFREG | 0640, st.st_mode);
		EXPECT_EQ(3, st.st_size);
		EXPECT_EQ(0, st.st_uid);
		EXPECT_STREQ("lf,uf", LS(S(t, "m/mrg")));
		EXPECT_STREQ("uf", LS(S(t, "u/mrg")));
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
		/* fchmod and ftruncate reach the unnamed upper file. */
		EXPECT_EQ(0, fchmod(fd, 0600));
		EXPECT_EQ(0, ftruncate(fd, 1));
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(S_IFREG | 0600, st.st_mode);
		EXPECT_EQ(1, st.st_size);
		ASSERT_EQ(0, close(fd));
		EXPECT_STREQ("lf,uf", LS(S(t, "m/mrg")));
		EXPECT_STREQ("uf", LS(S(t, "u/mrg")));
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

/*
 * linkat() gives the file a name: through /proc/self/fd (any user) and
 * with AT_EMPTY_PATH (CAP_DAC_READ_SEARCH).  Both names are in the upper
 * directory, hold the data, and count as links of the open file.
 */
TEST_F(tmpf, tmpfile_linkat_makes_it_visible)
{
	FOR_EACH_STACK(t) {
		struct stat st, a, b;
		int fd = open(S(t, "m/mrg"), O_TMPFILE | O_WRONLY, 0644);

		ASSERT_LE(0, fd) TH_LOG("%s: errno %d", t, errno);
		ASSERT_EQ(4, write(fd, "data", 4));
		ASSERT_EQ(0, tf_link_proc(fd, S(t, "m/mrg/named")));
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(1, st.st_nlink);
		ASSERT_EQ(0, linkat(fd, "", AT_FDCWD, S(t, "m/mrg/second"),
				    AT_EMPTY_PATH));
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(2, st.st_nlink);
		ASSERT_EQ(1, write(fd, "!", 1));
		ASSERT_EQ(0, close(fd));

		EXPECT_STREQ("lf,named,second,uf", LS(S(t, "m/mrg")));
		EXPECT_STREQ("named,second,uf", LS(S(t, "u/mrg")));
		EXPECT_STREQ("data!", CAT(S(t, "m/mrg/named")));
		EXPECT_STREQ("data!", CAT(S(t, "u/mrg/second")));
		ASSERT_EQ(0, lstat(S(t, "u/mrg/named"), &a));
		ASSERT_EQ(0, lstat(S(t, "u/mrg/second"), &b));
		EXPECT_EQ(a.st_ino, b.st_ino);
		EXPECT_EQ(2, a.st_nlink);
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

/* O_EXCL makes the file unlinkable: linkat() fails with ENOENT. */
TEST_F(tmpf, tmpfile_excl_cannot_be_linked)
{
	FOR_EACH_STACK(t) {
		int fd = open(S(t, "m/mrg"), O_TMPFILE | O_RDWR | O_EXCL,
			      0600);

		ASSERT_LE(0, fd) TH_LOG("%s: errno %d", t, errno);
		EXPECT_EQ(ENOENT, tf_link_proc(fd, S(t, "m/mrg/named")));
		EXPECT_EQ(ENOENT, WU_ERR(linkat(fd, "", AT_FDCWD,
						S(t, "m/mrg/named"),
						AT_EMPTY_PATH)));
		ASSERT_EQ(0, close(fd));
		EXPECT_STREQ("lf,uf", LS(S(t, "m/mrg")));
		EXPECT_STREQ("uf", LS(S(t, "u/mrg")));
	}
}

/*
 * In a directory of a lower layer only, the directory is copied up first
 * (not opaque: its lower entries stay visible).
 */
TEST_F(tmpf, tmpfile_copies_up_lower_dir)
{
	FOR_EACH_STACK(t) {
		int fd = open(S(t, "m/lo_d"), O_TMPFILE | O_RDWR, 0600);

		ASSERT_LE(0, fd) TH_LOG("%s: errno %d", t, errno);
		EXPECT_TRUE(S_ISDIR(wu_lstat(S(t, "u/lo_d")).st_mode));
		EXPECT_FALSE(wu_is_opaque(S(t, "u/lo_d")));
		EXPECT_STREQ("", LS(S(t, "u/lo_d")));
		ASSERT_EQ(0, tf_link_proc(fd, S(t, "m/lo_d/b")));
		ASSERT_EQ(0, close(fd));
		EXPECT_STREQ("a,b", LS(S(t, "m/lo_d")));
		EXPECT_STREQ("b", LS(S(t, "u/lo_d")));
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

struct tf_new {
	const char *dir;	/* where to make the tmpfile */
	mode_t mode, umask;
	const char *link;	/* name to link it to */
};

/*
 * As the caller of the test (after lfs_run_as()): make a tmpfile in
 * @a->dir, link it to @a->link.  0 or errno.
 */
static int tf_make_as(const void *p)
{
	const struct tf_new *a = p;
	int fd, err;

	umask(a->umask);
	fd = open(a->dir, O_TMPFILE | O_WRONLY, a->mode);
	if (fd < 0)
		return errno;
	err = tf_link_proc(fd, a->link);
	close(fd);
	return err;
}

/* Make a tmpfile in $/<t>/m/<dir> as uid/gid USER_ID; 0 or errno. */
static int tf_make_as_user(const char *base, const char *t, const char *dir,
			   mode_t mode, mode_t mask, const char *name)
{
	char d[PATH_MAX], l[PATH_MAX];
	struct tf_new a = { d, mode, mask, l };

	snprintf(d, sizeof(d), "%s/%s/m/%s", base, t, dir);
	snprintf(l, sizeof(l), "%s/%s/m/%s/%s", base, t, dir, name);
	return lfs_run_as(USER_ID, tf_make_as, &a);
}

/*
 * The tmpfile of a second user is created as any of that user's files:
 * owned by the caller, with the caller's umask, the group of a setgid
 * directory (and S_ISGID dropped from a mode asked for by a non-member),
 * the permissions a default ACL of the directory gives, EACCES in a
 * directory the caller may not write.  Same as overlayfs.
 */
TEST_F(tmpf, tmpfile_owner_umask_setgid_acl)
{
	const char *b = self->base;

	FOR_EACH_STACK(t) {
		struct stat st;

		ASSERT_EQ(0, tf_make_as_user(b, t, "pub", 0666, 027, "f"));
		st = wu_lstat(S(t, "u/pub/f"));
		EXPECT_EQ(S_IFREG | 0640, st.st_mode) TH_LOG("%s", t);
		EXPECT_EQ(USER_ID, st.st_uid);
		EXPECT_EQ(USER_ID, st.st_gid);

		ASSERT_EQ(0, tf_make_as_user(b, t, "sgid", 02755, 0, "g"));
		st = wu_lstat(S(t, "u/sgid/g"));
		EXPECT_EQ(S_IFREG | 0755, st.st_mode) TH_LOG("%s", t);
		EXPECT_EQ(USER_ID, st.st_uid);
		EXPECT_EQ(SGID_GID, st.st_gid);
		st = wu_lstat(S(t, "m/sgid/g"));
		EXPECT_EQ(SGID_GID, st.st_gid);

		/* The default ACL replaces the umask: group rwx & mode. */
		ASSERT_EQ(0, tf_make_as_user(b, t, "acl_d", 0666, 077, "h"));
		st = wu_lstat(S(t, "u/acl_d/h"));
		EXPECT_EQ(S_IFREG | 0660, st.st_mode) TH_LOG("%s", t);
		EXPECT_EQ(USER_ID, st.st_uid);

		EXPECT_EQ(EACCES, tf_make_as_user(b, t, "shut", 0600, 0, "x"));
		EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "u/shut")));
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

/*
 * An immutable upper directory (chattr +i) takes no tmpfile: EPERM, from
 * the VFS's check of the merged directory, which mirrors the flag.
 */
TEST_F(tmpf, tmpfile_in_immutable_dir)
{
	int attr = 0, fd = open(S("lfs", "u/imm"), O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &attr));
	close(fd);
	if (!(attr & FS_IMMUTABLE_FL))
		SKIP(return, "tmpfs cannot chattr +i here");
	FOR_EACH_STACK(t) {
		EXPECT_EQ(EPERM, WU_ERR(open(S(t, "m/imm"),
					     O_TMPFILE | O_RDWR, 0600)))
			TH_LOG("%s", t);
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

/* A lower-only (read-only) mount answers EROFS, as for any create. */
TEST_F(tmpf, tmpfile_read_only_mount)
{
	const char *types[] = { lfs_fstype(), "overlay" };
	unsigned int i;

	for (i = 0; i < (self->have_ovl ? 2 : 1); i++) {
		const char *ro = lfs_fmt("%s/ro%u", self->base, i);
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s", ro);
		ASSERT_EQ(0, mkdir(path, 0755));
		ASSERT_EQ(0, wu_mount_type(types[i], path,
					   lfs_expand(self->base,
						      "lowerdir=$/lfs/l1:$/lfs/l2")));
		EXPECT_EQ(EROFS, WU_ERR(open(lfs_fmt("%s/mrg", path),
					     O_TMPFILE | O_RDWR, 0600)))
			TH_LOG("%s", types[i]);
		ASSERT_EQ(0, umount2(path, 0));
	}
}

TEST_HARNESS_MAIN
