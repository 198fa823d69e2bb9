// SPDX-License-Identifier: GPL-2.0
/*
 * realfs.c - layerfs on real filesystems: a read-only squashfs lower, ext4
 * and xfs lowers and uppers, made in the VM by lfs_make_fs()
 * (layerfs_util.h).
 *
 * Each variant stacks a lower and an upper of the named types, runs the same
 * short sequence on layerfs and on overlayfs (reads, a copy-up by append, a
 * chmod copy-up, unlinks of lower and upper files, a hard link, a rename, a
 * readdir) and compares the two transcripts; it also checks what landed in
 * the upper layer (the copied-up data, whiteouts as 0/0 character devices)
 * and that the lower layer did not change.  ext4_usrquota proves that the
 * quota tools work in the VM.  Every case SKIPs when a filesystem or tool
 * is missing (the debug kernel has none of them).
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "layerfs_util.h"

#include <sys/statfs.h>

FIXTURE(realfs) {
	char base[PATH_MAX];
	char buf[4096];
};

/* lower and upper: "squashfs", "ext4", "xfs" or "tmpfs" (a plain directory) */
FIXTURE_VARIANT(realfs) {
	const char *lower;
	const char *upper;
};

FIXTURE_VARIANT_ADD(realfs, squashfs_ext4) { .lower = "squashfs", .upper = "ext4" };
FIXTURE_VARIANT_ADD(realfs, squashfs_xfs) { .lower = "squashfs", .upper = "xfs" };
FIXTURE_VARIANT_ADD(realfs, ext4_xfs) { .lower = "ext4", .upper = "xfs" };
FIXTURE_VARIANT_ADD(realfs, xfs_ext4) { .lower = "xfs", .upper = "ext4" };
FIXTURE_VARIANT_ADD(realfs, tmpfs_xfs) { .lower = "tmpfs", .upper = "xfs" };

FIXTURE_SETUP(realfs)
{
	LFS_REQUIRE(return);
	if (strcmp(variant->lower, "tmpfs"))
		LFS_REQUIRE_REALFS(return, variant->lower);
	if (strcmp(variant->upper, "tmpfs"))
		LFS_REQUIRE_REALFS(return, variant->upper);
	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
}

FIXTURE_TEARDOWN(realfs)
{
	LFS_DROP_BASE(self->base, "m-layerfs", "m-overlay", "lo", "up");
}

#define B(rel)		lfs_fmt("%s/%s", self->base, rel)

/* The lower tree: regular files, a directory, a hard link, another owner. */
static int populate(const char *dir)
{
	int err;

	err = lfs_mkdir_p(lfs_fmt("%s/d", dir));
	err = err ?: lfs_write(lfs_fmt("%s/f", dir), "hello");
	err = err ?: lfs_write(lfs_fmt("%s/d/g", dir), "lower g");
	err = err ?: lfs_write(lfs_fmt("%s/d/h", dir), "lower h");
	err = err ?: lfs_write_mode(lfs_fmt("%s/ro", dir), "ro", 0444);
	err = err ?: lfs_write(lfs_fmt("%s/l1", dir), "linked");
	if (!err && link(lfs_fmt("%s/l1", dir), lfs_fmt("%s/l2", dir)))
		err = errno;
	if (!err && chown(lfs_fmt("%s/d/h", dir), LFS_NOBODY, LFS_NOBODY))
		err = errno;
	return err;
}

/* Append the errno (0 for success) of step @what to transcript @t. */
static void note(char *t, size_t len, const char *what, int err)
{
	size_t o = strlen(t);

	snprintf(t + o, len - o, "%s=%d ", what, err);
}

/* @path's content, size, mode, owner and link count, into transcript @t. */
static void note_file(char *t, size_t len, const char *m, const char *rel)
{
	char buf[128];
	struct stat st;
	size_t o = strlen(t);

	if (lstat(lfs_fmt("%s/%s", m, rel), &st)) {
		snprintf(t + o, len - o, "%s:<%d> ", rel, errno);
		return;
	}
	lfs_cat(lfs_fmt("%s/%s", m, rel), buf, sizeof(buf));
	snprintf(t + o, len - o, "%s:'%s',%lld,%o,%u:%u,%lu ", rel, buf,
		 (long long)st.st_size, st.st_mode, st.st_uid, st.st_gid,
		 (unsigned long)st.st_nlink);
}

static int append(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : errno ?: EIO;
}

/* The operations, on the merged directory @m; the transcript into @t. */
static void run_ops(const char *m, char *t, size_t len)
{
	char list[1024];

	t[0] = '\0';
	note_file(t, len, m, "f");
	note_file(t, len, m, "d/h");
	note_file(t, len, m, "l1");
	note(t, len, "append", append(lfs_fmt("%s/f", m), " world"));
	note_file(t, len, m, "f");
	note(t, len, "chmod", chmod(lfs_fmt("%s/d/g", m), 0600) ? errno : 0);
	note_file(t, len, m, "d/g");
	note(t, len, "unlink-lower", unlink(lfs_fmt("%s/d/h", m)) ? errno : 0);
	note(t, len, "create", lfs_write(lfs_fmt("%s/d/new", m), "new"));
	note(t, len, "unlink-upper", unlink(lfs_fmt("%s/d/new", m)) ? errno : 0);
	note(t, len, "link", link(lfs_fmt("%s/f", m), lfs_fmt("%s/d/f2", m)) ?
	     errno : 0);
	note_file(t, len, m, "d/f2");
	note(t, len, "rename", rename(lfs_fmt("%s/ro", m), lfs_fmt("%s/d/ro", m)) ?
	     errno : 0);
	note(t, len, "append-l1", append(lfs_fmt("%s/l1", m), "!"));
	note_file(t, len, m, "l1");
	note_file(t, len, m, "l2");
	note(t, len, "readdir", 0);
	strncat(t, lfs_list(m, list, sizeof(list)), len - strlen(t) - 1);
	strncat(t, " d:", len - strlen(t) - 1);
	strncat(t, lfs_list(lfs_fmt("%s/d", m), list, sizeof(list)),
		len - strlen(t) - 1);
}

/* Make layer @what ("lo" or "up") of @type below the base; 0 or errno. */
static int make_layer(const char *base, const char *what, const char *type,
		      bool lower)
{
	const char *mnt = lfs_fmt("%s/%s", base, what);
	const char *img = lfs_fmt("%s/%s.img", base, what);
	const char *src = lfs_fmt("%s/src", base);
	int err;

	if (!strcmp(type, "squashfs")) {
		err = populate(src);
		return err ?: lfs_make_fs(type, src, img, mnt, "ro");
	}
	if (!strcmp(type, "tmpfs"))
		err = lfs_mkdir_p(mnt);
	else
		err = lfs_make_fs(type, NULL, img, mnt, NULL);
	if (!err && lower)
		err = populate(mnt);
	return err;
}

TEST_F(realfs, ops_match_overlayfs)
{
	static char t_lfs[8192], t_ovl[8192];
	const char *fstypes[] = { "layerfs", "overlay" };
	struct statfs sfs;
	struct stat st;
	int i;

	ASSERT_EQ(0, make_layer(self->base, "lo", variant->lower, true));
	ASSERT_EQ(0, make_layer(self->base, "up", variant->upper, false));
	if (!strcmp(variant->lower, "squashfs")) {
		ASSERT_EQ(0, statfs(B("lo"), &sfs));
		ASSERT_EQ(0x73717368, sfs.f_type);	/* SQUASHFS_MAGIC */
	}
	if (!strcmp(variant->upper, "xfs")) {
		ASSERT_EQ(0, statfs(B("up"), &sfs));
		ASSERT_EQ(0x58465342, sfs.f_type);	/* XFS_SUPER_MAGIC */
	}

	for (i = 0; i < 2; i++) {
		/* (own copies: lfs_fmt()'s ring is reused by run_ops()) */
		char m[PATH_MAX + 16], u[PATH_MAX + 16], w[PATH_MAX + 16];

		snprintf(m, sizeof(m), "%s/m-%s", self->base, fstypes[i]);
		snprintf(u, sizeof(u), "%s/up/%s-u", self->base, fstypes[i]);
		snprintf(w, sizeof(w), "%s/up/%s-w", self->base, fstypes[i]);

		ASSERT_EQ(0, mkdir(m, 0755));
		ASSERT_EQ(0, mkdir(u, 0755));
		ASSERT_EQ(0, mkdir(w, 0755));
		ASSERT_EQ(0, mount(fstypes[i], m, fstypes[i], 0,
				   lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					   B("lo"), u, w))) {
			TH_LOG("mount %s: %s", fstypes[i], strerror(errno));
		}
		run_ops(m, i ? t_ovl : t_lfs, sizeof(t_lfs));
		/* What the upper holds: the copied-up data and a whiteout. */
		ASSERT_STREQ("hello world", lfs_cat(lfs_fmt("%s/f", u), self->buf,
						    sizeof(self->buf)));
		ASSERT_EQ(0, lstat(lfs_fmt("%s/d/h", u), &st));
		ASSERT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/d/new", u)));
		ASSERT_EQ(0, umount(m));
	}
	TH_LOG("layerfs: %s", t_lfs);
	EXPECT_STREQ(t_ovl, t_lfs);
	/* The lower layer is as it was. */
	ASSERT_STREQ("hello", lfs_cat(B("lo/f"), self->buf, sizeof(self->buf)));
	ASSERT_STREQ("lower h", lfs_cat(B("lo/d/h"), self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, lstat(B("lo/l1"), &st));
	ASSERT_EQ(2, st.st_nlink);
}

/* As nobody: create files in @dir until one fails; its errno, 255 if none. */
static int fill_until_error(const void *dir)
{
	int i, err = 0;

	for (i = 0; i < 10 && !err; i++)
		err = lfs_write(lfs_fmt("%s/%d", (const char *)dir, i), "x");
	/* The 4th file is over the hard limit of 3 inodes. */
	return err && i == 4 ? err : 255;
}

/*
 * ext4 with usrquota: setquota's inode limit holds for uid nobody.  (Proves
 * that the quota_v2 module and the quota tools work in the VM; the merged
 * view is not involved.)
 */
TEST(ext4_usrquota)
{
	static const char *const mnts[] = { "q", NULL };
	const char *argv[] = { "setquota", "-u", "65534", "0", "0", "0", "3",
			       NULL, NULL };
	char base[PATH_MAX];

	LFS_REQUIRE_REALFS(return, "ext4");
	if (!lfs_have_tool("setquota"))
		SKIP(return, "setquota is not installed");
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(base));
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, lfs_fmt("%s/q.img", base),
				 lfs_fmt("%s/q", base), "usrquota"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/q/open", base), 0777));
	ASSERT_EQ(0, chmod(lfs_fmt("%s/q/open", base), 0777));
	argv[7] = lfs_fmt("%s/q", base);
	ASSERT_EQ(0, lfs_run(argv, NULL));
	EXPECT_EQ(EDQUOT, lfs_run_as(LFS_NOBODY, fill_until_error,
				     lfs_fmt("%s/q/open", base)));
	EXPECT_EQ(0, lfs_drop_base(base, mnts));
}

TEST_HARNESS_MAIN
