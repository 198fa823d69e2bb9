// SPDX-License-Identifier: GPL-2.0
/*
 * metacopy.c - metadata-only copy-up (metacopy=on), side by side with the
 * kernel's overlayfs mounted with the same options in the same VM.
 *
 * Every test builds the same layers twice, $/a for layerfs and $/b for
 * overlay (mounted with redirect_dir=on,metacopy=on,index=off,xino=off;
 * layerfs with metacopy=on alone, which turns redirect_dir on as
 * overlayfs does), runs the same steps on both and compares what each
 * step leaves: the merged view (stat, content) and the raw upper file
 * (size, whether it has blocks, trusted.overlay.metacopy and .redirect).
 * The layerfs side is also checked against what metacopy means: after a
 * change of metadata, an upper file with the xattr and no data; after the
 * first open for writing, the data and no xattr.
 *
 * Layers (tmpfs, where a file without data has no blocks):
 *   $/X/l2: f g d/x (64 KiB each, different patterns), h and h2 (one
 *           file, two names), own (uid 1000, 0644), other
 *   $/X/l1: empty (a lower above the data, so that chains cross layers)
 *   $/X/u, $/X/w, $/X/m
 *
 * Interop: layers written by layerfs read the same under overlay, and the
 * other way round.  Crash safety of the data copy: the state a crash in
 * the middle of it leaves (an upper file with the xattr and part of the
 * data) still reads the lower data, on both.
 */
#define _GNU_SOURCE
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define MC_SIZE		(64 * 1024)
#define MC_XATTR	"trusted.overlay.metacopy"
#define MC_REDIRECT	"trusted.overlay.redirect"
#define MC_OVL_OPTS	"redirect_dir=on,metacopy=on,index=off,xino=off"
#define MC_UID		1000
#define MC_UID2		1001

FIXTURE(mc) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(mc)
{
	LFS_SETUP_VS_OVERLAY(self->base, 0);
}

FIXTURE_TEARDOWN(mc)
{
	umount2(lfs_fmt("%s/a/m", self->base), MNT_DETACH);
	umount2(lfs_fmt("%s/b/m", self->base), MNT_DETACH);
	lfs_drop_base(self->base, NULL);
}

/* The two sides: layerfs in $/a, overlay in $/b. */
static const char *const mc_side_fs[2] = { NULL, "overlay" };

static const char *mc_fs(int side)
{
	return side ? mc_side_fs[1] : lfs_fstype();
}

static int mc_build(const char *dir)
{
	static const char *const dirs[] = { "l1", "l2", "l2/d", "u", "w", "m" };
	unsigned int i;
	int err;

	if (mkdir(dir, 0755))
		return errno;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(lfs_fmt("%s/%s", dir, dirs[i]), 0755))
			return errno;
	err = wu_fill(lfs_fmt("%s/l2/f", dir), MC_SIZE, 1) ?:
	      wu_fill(lfs_fmt("%s/l2/g", dir), MC_SIZE, 2) ?:
	      wu_fill(lfs_fmt("%s/l2/d/x", dir), MC_SIZE, 3) ?:
	      wu_fill(lfs_fmt("%s/l2/h", dir), MC_SIZE, 4) ?:
	      wu_fill(lfs_fmt("%s/l2/own", dir), MC_SIZE, 5) ?:
	      wu_fill(lfs_fmt("%s/l2/other", dir), MC_SIZE, 6);
	if (err)
		return err;
	if (link(lfs_fmt("%s/l2/h", dir), lfs_fmt("%s/l2/h2", dir)))
		return errno;
	if (chown(lfs_fmt("%s/l2/own", dir), MC_UID, MC_UID))
		return errno;
	return 0;
}

/* Mount side @side's stack on its m, with @extra options ("" for none). */
static int mc_mount_opts(const char *dir, int side, const char *lower,
			 const char *extra)
{
	char o[4096];
	int n;

	n = snprintf(o, sizeof(o), "lowerdir=%s,upperdir=%s/u,workdir=%s/w%s%s",
		     lfs_expand(dir, lower), dir, dir, *extra ? "," : "", extra);
	if (n >= (int)sizeof(o))
		return ENAMETOOLONG;
	if (mount(mc_fs(side), lfs_fmt("%s/m", dir), mc_fs(side), 0, o))
		return errno;
	return 0;
}

/* The standard mount of a side: metacopy=on (overlay: MC_OVL_OPTS). */
static int mc_mount(const char *dir, int side)
{
	return mc_mount_opts(dir, side, "$/l1:$/l2",
			     side ? MC_OVL_OPTS : "metacopy=on");
}

/*
 * Make side @side's layers in @base/a@suffix (layerfs) or @base/b@suffix
 * (overlay), named in @dir (PATH_MAX + 8 bytes), and mount them.  0 or
 * errno.
 */
static int mc_side(const char *base, int side, const char *suffix, char *dir)
{
	int err;

	snprintf(dir, PATH_MAX + 8, "%s/%s%s", base, side ? "b" : "a", suffix);
	err = mc_build(dir);
	return err ?: mc_mount(dir, side);
}

/*
 * One line on @name: through the mount (size, blocks, links, mode, owner,
 * content hash or errno) and in the upper layer (size, data or not, the
 * metacopy xattr's size, the redirect).
 */
static const char *mc_state(const char *dir, const char *name, char *out,
			    size_t len)
{
	char rd[256], m[256], u[384];
	struct stat st;
	uint64_t h = 0;
	ssize_t x;
	int err;

	if (lstat(lfs_fmt("%s/m/%s", dir, name), &st)) {
		snprintf(m, sizeof(m), "m:<errno %d>", errno);
	} else {
		err = wu_hash_path(lfs_fmt("%s/m/%s", dir, name), &h, NULL);
		snprintf(m, sizeof(m),
			 "m:size=%lld blocks=%lld nlink=%lu mode=%o uid=%u hash=%016llx/%d",
			 (long long)st.st_size, (long long)st.st_blocks,
			 (unsigned long)st.st_nlink, (unsigned int)st.st_mode,
			 st.st_uid, (unsigned long long)h, err);
	}
	if (lstat(lfs_fmt("%s/u/%s", dir, name), &st)) {
		snprintf(u, sizeof(u), "u:<errno %d>", errno);
	} else {
		x = lgetxattr(lfs_fmt("%s/u/%s", dir, name), MC_XATTR, NULL, 0);
		snprintf(u, sizeof(u),
			 "u:size=%lld data=%d metacopy=%zd redirect=%s",
			 (long long)st.st_size, st.st_blocks != 0,
			 x < 0 ? -errno : x,
			 wu_getxattr(lfs_fmt("%s/u/%s", dir, name),
				     MC_REDIRECT, rd, sizeof(rd)));
	}
	snprintf(out, len, "%s %s %s", name, m, u);
	return out;
}

/* Is the raw upper file @name a metadata-only copy (xattr, no blocks)? */
static int mc_is_meta(const char *dir, const char *name)
{
	struct stat st;

	if (lstat(lfs_fmt("%s/u/%s", dir, name), &st))
		return -errno;
	return st.st_blocks == 0 &&
	       lgetxattr(lfs_fmt("%s/u/%s", dir, name), MC_XATTR, NULL, 0) == 0;
}

/* Does the raw upper file @name hold the data, without the xattr? */
static int mc_has_data(const char *dir, const char *name)
{
	struct stat st;

	if (lstat(lfs_fmt("%s/u/%s", dir, name), &st))
		return -errno;
	return st.st_blocks != 0 &&
	       lgetxattr(lfs_fmt("%s/u/%s", dir, name), MC_XATTR, NULL, 0) < 0 &&
	       errno == ENODATA;
}

/* Content hash of @path through the mount, 0 on error. */
static uint64_t mc_hash(const char *path)
{
	uint64_t h = 0;

	return wu_hash_path(path, &h, NULL) ? 0 : h;
}

/* ---- the metadata changes ------------------------------------------------- */

static int op_chmod(const char *p)
{
	return WU_ERR(chmod(p, 0600));
}

static int op_chown(const char *p)
{
	return WU_ERR(chown(p, MC_UID, MC_UID));
}

static int op_utimes(const char *p)
{
	return wu_set_times(p, 1000000, 0);
}

static int op_trusted_xattr(const char *p)
{
	return WU_ERR(setxattr(p, "trusted.mc", "v", 1, 0));
}

static int op_user_xattr(const char *p)
{
	int err = WU_ERR(setxattr(p, "user.mc", "v", 1, 0));

	/* tmpfs before 6.6 has no user.* xattrs: still a metadata change */
	return err == EOPNOTSUPP ? op_trusted_xattr(p) : err;
}

static int op_acl(const char *p)
{
	static const struct wu_acl_entry e[] = {
		{ WU_ACL_USER_OBJ, 6, WU_ACL_NO_ID },
		{ WU_ACL_USER, 4, MC_UID2 },
		{ WU_ACL_GROUP_OBJ, 4, WU_ACL_NO_ID },
		{ WU_ACL_MASK, 4, WU_ACL_NO_ID },
		{ WU_ACL_OTHER, 4, WU_ACL_NO_ID },
	};

	return wu_set_acl(p, "system.posix_acl_access", e, 5);
}

static int op_chattr(const char *p)
{
	int err = 0, flags, fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		err = errno;
	flags |= FS_NOATIME_FL;
	if (!err && ioctl(fd, FS_IOC_SETFLAGS, &flags))
		err = errno;
	close(fd);
	return err;
}

static const struct {
	const char *name;
	int (*fn)(const char *path);
} mc_ops[] = {
	{ "chmod", op_chmod }, { "chown", op_chown }, { "utimes", op_utimes },
	{ "setxattr", op_user_xattr }, { "trusted", op_trusted_xattr },
	{ "acl", op_acl }, { "chattr", op_chattr },
};

/*
 * Each change of metadata leaves an upper file with the xattr and no data
 * (and the same merged view as overlay's); the first open for writing,
 * without a write, brings the data and removes the xattr.
 */
TEST_F(mc, every_metadata_change_copies_metadata_only)
{
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8];
	uint64_t want = wu_pattern_hash(MC_SIZE, 1);
	unsigned int i;
	int side, fd;

	for (i = 0; i < sizeof(mc_ops) / sizeof(mc_ops[0]); i++) {
		int err[2];

		for (side = 0; side < 2; side++) {
			ASSERT_EQ(0, mc_side(self->base, side, lfs_fmt("%u", i),
					     dir[side]));
			err[side] = mc_ops[i].fn(lfs_fmt("%s/m/f", dir[side]));
		}
		EXPECT_EQ(err[1], err[0]) TH_LOG("%s", mc_ops[i].name);
		if (err[1] == EOPNOTSUPP || err[1] == ENOTTY) {
			TH_LOG("%s: not supported by the layers' fs here",
			       mc_ops[i].name);
			goto next;
		}
		ASSERT_EQ(0, err[0]) TH_LOG("%s", mc_ops[i].name);
		/* no data in the upper layer; reads still give the data */
		EXPECT_EQ(1, mc_is_meta(dir[0], "f")) TH_LOG("%s", mc_ops[i].name);
		EXPECT_EQ(want, mc_hash(lfs_fmt("%s/m/f", dir[0])));
		EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
			     mc_state(dir[0], "f", sa, sizeof(sa)));

		for (side = 0; side < 2; side++) {
			fd = open(lfs_fmt("%s/m/f", dir[side]),
				  O_WRONLY | O_CLOEXEC);
			ASSERT_LE(0, fd);
			close(fd);
		}
		EXPECT_EQ(1, mc_has_data(dir[0], "f")) TH_LOG("%s", mc_ops[i].name);
		EXPECT_EQ(want, mc_hash(lfs_fmt("%s/u/f", dir[0])));
		EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
			     mc_state(dir[0], "f", sa, sizeof(sa)));
next:
		for (side = 0; side < 2; side++)
			ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
	}
}

/* What brings the data: write, O_RDWR open, truncate, O_TRUNC open. */
static int dw_write(const char *p)
{
	int err = 0, fd = open(p, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (pwrite(fd, "XY", 2, 100) != 2)
		err = errno;
	close(fd);
	return err;
}

static int dw_append(const char *p)
{
	int err = 0, fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (write(fd, "tail", 4) != 4)
		err = errno;
	close(fd);
	return err;
}

static int dw_truncate(const char *p)
{
	return WU_ERR(truncate(p, 1000));
}

static int dw_grow(const char *p)
{
	return WU_ERR(truncate(p, MC_SIZE * 2));
}

static int dw_otrunc(const char *p)
{
	int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int dw_truncate0(const char *p)
{
	return WU_ERR(truncate(p, 0));
}

static const struct {
	const char *name;
	int (*fn)(const char *path);
} mc_data_ops[] = {
	{ "write", dw_write }, { "append", dw_append },
	{ "truncate", dw_truncate }, { "grow", dw_grow },
	{ "O_TRUNC", dw_otrunc }, { "truncate0", dw_truncate0 },
};

TEST_F(mc, data_comes_with_the_first_write_or_truncate)
{
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8];
	unsigned int i;
	int side;

	for (i = 0; i < sizeof(mc_data_ops) / sizeof(mc_data_ops[0]); i++) {
		for (side = 0; side < 2; side++) {
			ASSERT_EQ(0, mc_side(self->base, side, lfs_fmt("%u", i),
					     dir[side]));
			ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0640));
			ASSERT_EQ(0, mc_data_ops[i].fn(lfs_fmt("%s/m/f",
							       dir[side])));
		}
		/* no xattr left; for the empty ones, no blocks either */
		EXPECT_EQ(ENODATA, lgetxattr(lfs_fmt("%s/u/f", dir[0]), MC_XATTR,
					     NULL, 0) < 0 ? errno : 0)
			TH_LOG("%s", mc_data_ops[i].name);
		EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
			     mc_state(dir[0], "f", sa, sizeof(sa)));
		for (side = 0; side < 2; side++)
			ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		/* and after a remount, the same again */
		for (side = 0; side < 2; side++)
			ASSERT_EQ(0, mc_mount(dir[side], side));
		EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
			     mc_state(dir[0], "f", sa, sizeof(sa)));
		for (side = 0; side < 2; side++)
			ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
	}
}

/*
 * A descriptor opened read-only on a metacopy file reads the lower data,
 * and, once another opens it for writing and writes, the new data.  stat
 * reports the data's blocks (the lower file's), and the size.
 */
TEST_F(mc, reads_stat_and_a_reader_across_the_data_copy)
{
	char dir[2][PATH_MAX + 8], buf[4];
	struct stat lst, mst;
	int side, rfd[2], wfd;

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, lstat(lfs_fmt("%s/l2/f", dir[side]), &lst));
		ASSERT_EQ(0, lstat(lfs_fmt("%s/m/f", dir[side]), &mst));
		EXPECT_EQ(lst.st_blocks, mst.st_blocks);
		EXPECT_EQ(MC_SIZE, mst.st_size);
		EXPECT_EQ(0600, mst.st_mode & 07777);
		rfd[side] = open(lfs_fmt("%s/m/f", dir[side]),
				 O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, rfd[side]);
		ASSERT_EQ(1, pread(rfd[side], buf, 1, 0));
		EXPECT_EQ(wu_byte(0, 1), (unsigned char)buf[0]);
		wfd = open(lfs_fmt("%s/m/f", dir[side]), O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, wfd);
		ASSERT_EQ(2, pwrite(wfd, "ZZ", 2, 0));
		close(wfd);
		ASSERT_EQ(2, pread(rfd[side], buf, 2, 0));
		EXPECT_EQ(0, memcmp(buf, "ZZ", 2)) TH_LOG("side %d", side);
		close(rfd[side]);
	}
	EXPECT_EQ(1, mc_has_data(dir[0], "f"));
}

/*
 * Rename of a metacopy file: within its directory the upper file records
 * its old name (trusted.overlay.redirect "f"), into another the path from
 * the root ("/d/x"), as overlay does; the data is still found, also after
 * a remount, and the first write after the rename brings it.
 */
TEST_F(mc, rename_keeps_the_data_through_a_redirect)
{
	static const char *const names[] = { "f2", "sub/x2", "g" };
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8], rd[64];
	unsigned int i;
	int side;

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/m/sub", dir[side]), 0755));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/f", dir[side]),
				    lfs_fmt("%s/m/f2", dir[side])));
		ASSERT_EQ(0, chown(lfs_fmt("%s/m/d/x", dir[side]), 1, 1));
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/d/x", dir[side]),
				    lfs_fmt("%s/m/sub/x2", dir[side])));
		/* a lower file never copied: rename copies metadata only */
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/g", dir[side]),
				    lfs_fmt("%s/m/g2", dir[side])));
	}
	EXPECT_STREQ("f", wu_getxattr(lfs_fmt("%s/u/f2", dir[0]), MC_REDIRECT,
				      rd, sizeof(rd)));
	EXPECT_STREQ("/d/x", wu_getxattr(lfs_fmt("%s/u/sub/x2", dir[0]),
					 MC_REDIRECT, rd, sizeof(rd)));
	EXPECT_EQ(1, mc_is_meta(dir[0], "g2"));
	EXPECT_EQ(wu_pattern_hash(MC_SIZE, 1),
		  mc_hash(lfs_fmt("%s/m/f2", dir[0])));
	EXPECT_EQ(wu_pattern_hash(MC_SIZE, 3),
		  mc_hash(lfs_fmt("%s/m/sub/x2", dir[0])));
	for (i = 0; i < 3; i++) {
		const char *n = i == 2 ? "g2" : names[i];

		EXPECT_STREQ(mc_state(dir[1], n, sb, sizeof(sb)),
			     mc_state(dir[0], n, sa, sizeof(sa)));
	}
	/* remounted, and then the first write */
	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		ASSERT_EQ(0, mc_mount(dir[side], side));
		ASSERT_EQ(0, dw_write(lfs_fmt("%s/m/sub/x2", dir[side])));
	}
	EXPECT_EQ(1, mc_has_data(dir[0], "sub/x2"));
	for (i = 0; i < 3; i++) {
		const char *n = i == 2 ? "g2" : names[i];

		EXPECT_STREQ(mc_state(dir[1], n, sb, sizeof(sb)),
			     mc_state(dir[0], n, sa, sizeof(sa)));
	}
	/* renamed twice, into the same directory: the redirect stays */
	for (side = 0; side < 2; side++)
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/f2", dir[side]),
				    lfs_fmt("%s/m/f3", dir[side])));
	EXPECT_STREQ(mc_state(dir[1], "f3", sb, sizeof(sb)),
		     mc_state(dir[0], "f3", sa, sizeof(sa)));
	EXPECT_STREQ("f", wu_getxattr(lfs_fmt("%s/u/f3", dir[0]), MC_REDIRECT,
				      rd, sizeof(rd)));
}

/*
 * Hard links: a link made through the mount to a metacopy file gets an
 * absolute redirect, both names show the data, and a write through one
 * shows through the other; a lower hard link (h, h2) copied up by one
 * name leaves the other as it was (index=off).
 */
TEST_F(mc, hard_links)
{
	static const char *const names[] = { "f", "fl", "h", "h2" };
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8], rd[64];
	unsigned int i;
	int side;

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, link(lfs_fmt("%s/m/f", dir[side]),
				  lfs_fmt("%s/m/fl", dir[side])));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/h", dir[side]), 0600));
	}
	EXPECT_STREQ("/f", wu_getxattr(lfs_fmt("%s/u/f", dir[0]), MC_REDIRECT,
				       rd, sizeof(rd)));
	EXPECT_EQ(1, mc_is_meta(dir[0], "fl"));
	EXPECT_EQ(1, mc_is_meta(dir[0], "h"));
	for (i = 0; i < 4; i++)
		EXPECT_STREQ(mc_state(dir[1], names[i], sb, sizeof(sb)),
			     mc_state(dir[0], names[i], sa, sizeof(sa)));
	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		ASSERT_EQ(0, mc_mount(dir[side], side));
		ASSERT_EQ(0, dw_write(lfs_fmt("%s/m/fl", dir[side])));
		ASSERT_EQ(0, dw_write(lfs_fmt("%s/m/h", dir[side])));
	}
	EXPECT_EQ(1, mc_has_data(dir[0], "f"));
	for (i = 0; i < 4; i++)
		EXPECT_STREQ(mc_state(dir[1], names[i], sb, sizeof(sb)),
			     mc_state(dir[0], names[i], sa, sizeof(sa)));
}

/* ---- a second user ---------------------------------------------------------- */

static int as_chmod(const void *p)
{
	return WU_ERR(chmod(p, 0600));
}

static int as_read(const void *p)
{
	uint64_t h = 0;
	int err = wu_hash_path(p, &h, NULL);

	return err ?: h == wu_pattern_hash(MC_SIZE, 5) ? 0 : EIO;
}

static int as_open_write(const void *p)
{
	int fd = open(p, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * The owner makes a metadata-only copy of their file (chmod 600); a
 * second user can then neither read nor write it, though its data is
 * still the lower file, readable by all; the owner reads and writes it.
 */
TEST_F(mc, second_user)
{
	char dir[2][PATH_MAX + 8];
	int side;

	for (side = 0; side < 2; side++) {
		const char *p;

		snprintf(dir[side], sizeof(dir[side]), "%s/%s", self->base,
			 side ? "b" : "a");
		ASSERT_EQ(0, mc_build(dir[side]));
		ASSERT_EQ(0, chmod(dir[side], 0755));
		ASSERT_EQ(0, mc_mount(dir[side], side));
		p = strdup(lfs_fmt("%s/m/own", dir[side]));
		ASSERT_EQ(EPERM, lfs_run_as(MC_UID2, as_chmod, p));
		ASSERT_EQ(0, lfs_run_as(MC_UID, as_chmod, p));
		EXPECT_EQ(1, mc_is_meta(dir[side], "own"));
		EXPECT_EQ(EACCES, lfs_run_as(MC_UID2, as_read, p));
		EXPECT_EQ(EACCES, lfs_run_as(MC_UID2, as_open_write, p));
		EXPECT_EQ(0, lfs_run_as(MC_UID, as_read, p));
		EXPECT_EQ(1, mc_is_meta(dir[side], "own"));
		EXPECT_EQ(0, lfs_run_as(MC_UID, as_open_write, p));
		EXPECT_EQ(1, mc_has_data(dir[side], "own"));
		free((void *)p);
	}
}

/* ---- crash safety of the data copy ----------------------------------------- */

/*
 * The data goes into the upper file itself, and the xattr is removed only
 * once it is synced: a crash in between leaves an upper file with the
 * xattr and part of the data (or all of it, not yet marked).  Build that
 * state by hand: both filesystems still read the lower data, report the
 * data's size, and a write then completes the copy.
 */
TEST_F(mc, crash_in_the_data_copy_reads_the_lower_data)
{
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8];
	int side, fd;

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		/* half the data written, the xattr still there */
		fd = open(lfs_fmt("%s/u/f", dir[side]), O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(5, pwrite(fd, "junk!", 5, 0));
		close(fd);
		ASSERT_EQ(0, lgetxattr(lfs_fmt("%s/u/f", dir[side]), MC_XATTR,
				       NULL, 0));
		ASSERT_EQ(0, mc_mount(dir[side], side));
		EXPECT_EQ(wu_pattern_hash(MC_SIZE, 1),
			  mc_hash(lfs_fmt("%s/m/f", dir[side])))
			TH_LOG("side %d", side);
	}
	EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
		     mc_state(dir[0], "f", sa, sizeof(sa)));
	for (side = 0; side < 2; side++)
		ASSERT_EQ(0, as_open_write(lfs_fmt("%s/m/f", dir[side])));
	EXPECT_EQ(wu_pattern_hash(MC_SIZE, 1),
		  mc_hash(lfs_fmt("%s/u/f", dir[0])));
	EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
		     mc_state(dir[0], "f", sa, sizeof(sa)));
}

/* ---- lookup rules ---------------------------------------------------------- */

/*
 * With metacopy=on, a metacopy file in a lower layer is followed to its
 * data too (the upper layer of an earlier mount used as a lower one), and
 * one whose data is gone is EIO; with metacopy=off it is EPERM, as on
 * overlay.
 */
TEST_F(mc, lower_metacopy_files_and_missing_data)
{
	char sa[1024], sb[1024], dir[2][PATH_MAX + 8];
	int side, err[2];

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/g", dir[side]), 0600));
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/g", dir[side]),
				    lfs_fmt("%s/m/d/g2", dir[side])));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		/* the upper layer becomes a lower one, over a new upper */
		ASSERT_EQ(0, rename(lfs_fmt("%s/u", dir[side]),
				    lfs_fmt("%s/l0", dir[side])));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/u", dir[side]), 0755));
		ASSERT_EQ(0, mc_mount_opts(dir[side], side, "$/l0:$/l1:$/l2",
					   side ? MC_OVL_OPTS : "metacopy=on"));
	}
	EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
		     mc_state(dir[0], "f", sa, sizeof(sa)));
	EXPECT_STREQ(mc_state(dir[1], "d/g2", sb, sizeof(sb)),
		     mc_state(dir[0], "d/g2", sa, sizeof(sa)));
	EXPECT_EQ(wu_pattern_hash(MC_SIZE, 2),
		  mc_hash(lfs_fmt("%s/m/d/g2", dir[0])));
	/* a metadata change copies the lower metacopy file's metadata */
	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/d/g2", dir[side]), 0640));
		ASSERT_EQ(0, dw_write(lfs_fmt("%s/m/f", dir[side])));
	}
	EXPECT_EQ(1, mc_is_meta(dir[0], "d/g2"));
	EXPECT_EQ(1, mc_has_data(dir[0], "f"));
	EXPECT_STREQ(mc_state(dir[1], "f", sb, sizeof(sb)),
		     mc_state(dir[0], "f", sa, sizeof(sa)));
	EXPECT_STREQ(mc_state(dir[1], "d/g2", sb, sizeof(sb)),
		     mc_state(dir[0], "d/g2", sa, sizeof(sa)));

	/* metacopy=off: the lower metacopy file is refused */
	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		ASSERT_EQ(0, mc_mount_opts(dir[side], side, "$/l0:$/l1:$/l2",
					   side ? "redirect_dir=on,metacopy=off,index=off,xino=off" :
					   "redirect_dir=on,metacopy=off"));
		err[side] = lfs_lstat_errno(lfs_fmt("%s/m/other", dir[side]));
		EXPECT_EQ(0, err[side]);
		err[side] = lfs_lstat_errno(lfs_fmt("%s/m/d/g2", dir[side]));
	}
	EXPECT_EQ(EPERM, err[1]);
	EXPECT_EQ(err[1], err[0]);

	/* metacopy=on again, the data gone: EIO */
	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		ASSERT_EQ(0, unlink(lfs_fmt("%s/l2/g", dir[side])));
		ASSERT_EQ(0, mc_mount_opts(dir[side], side, "$/l0:$/l1:$/l2",
					   side ? MC_OVL_OPTS : "metacopy=on"));
		err[side] = lfs_lstat_errno(lfs_fmt("%s/m/d/g2", dir[side]));
	}
	EXPECT_EQ(EIO, err[1]);
	EXPECT_EQ(err[1], err[0]);
}

/*
 * metacopy=off and a renamed metacopy file (redirect "f" at f2): both
 * follow the redirect (redirect_dir=follow), find the data and refuse the
 * file with EPERM; the old name is a whiteout, ENOENT.
 */
TEST_F(mc, metacopy_off_follows_the_redirect_to_refuse)
{
	char dir[2][PATH_MAX + 8];
	int side, err[2][2];

	for (side = 0; side < 2; side++) {
		ASSERT_EQ(0, mc_side(self->base, side, "", dir[side]));
		ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
		ASSERT_EQ(0, rename(lfs_fmt("%s/m/f", dir[side]),
				    lfs_fmt("%s/m/f2", dir[side])));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		ASSERT_EQ(0, mc_mount_opts(dir[side], side, "$/l1:$/l2",
					   side ? "redirect_dir=follow,metacopy=off,index=off,xino=off" :
					   "redirect_dir=follow,metacopy=off"));
		err[side][0] = lfs_lstat_errno(lfs_fmt("%s/m/f2", dir[side]));
		err[side][1] = lfs_lstat_errno(lfs_fmt("%s/m/f", dir[side]));
	}
	EXPECT_EQ(EPERM, err[1][0]);
	EXPECT_EQ(err[1][0], err[0][0]);
	EXPECT_EQ(ENOENT, err[1][1]);
	EXPECT_EQ(err[1][1], err[0][1]);
}

/*
 * The xattr's value: empty (what both write), a 4-byte header (6.5+'s
 * form, here without a digest; its fields are read only for fs-verity),
 * or shorter than a header, which 6.5+ refuses with EIO and 6.1 takes;
 * layerfs answers as the running kernel's overlay does.
 */
TEST_F(mc, xattr_values_as_the_running_overlay)
{
	static const unsigned char vals[][5] = {
		{ 0, 4, 0, 0 }, { 1, 4, 0, 0 }, { 0, 5, 0, 0, 0 }, { 0, 0 },
	};
	static const size_t lens[] = { 4, 4, 4, 2 };
	char dir[2][PATH_MAX + 8];
	unsigned int i;
	int side, err[2];

	for (i = 0; i < 4; i++) {
		for (side = 0; side < 2; side++) {
			ASSERT_EQ(0, mc_side(self->base, side, lfs_fmt("%u", i),
					     dir[side]));
			ASSERT_EQ(0, chmod(lfs_fmt("%s/m/f", dir[side]), 0600));
			ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
			ASSERT_EQ(0, lsetxattr(lfs_fmt("%s/u/f", dir[side]),
					       MC_XATTR, vals[i], lens[i], 0));
			ASSERT_EQ(0, mc_mount(dir[side], side));
			err[side] = lfs_lstat_errno(lfs_fmt("%s/m/f",
							    dir[side]));
			ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir[side])));
		}
		EXPECT_EQ(err[1], err[0]) TH_LOG("value %u", i);
		if (i == 0)
			EXPECT_EQ(0, err[0]);
	}
}

/* ---- options ------------------------------------------------------------------ */

/* What mount(2) answers for @extra on each side, and /proc/mounts. */
static int mc_try(const char *dir, int side, const char *extra, char *opts,
		  size_t len)
{
	int err = mc_mount_opts(dir, side, "$/l1:$/l2", extra);

	opts[0] = '\0';
	if (err)
		return err;
	err = lfs_mount_opts(lfs_fmt("%s/m", dir), opts, len);
	umount(lfs_fmt("%s/m", dir));
	return err;
}

/*
 * metacopy=on needs redirect_dir=on: given alone it turns it on; given
 * with another redirect_dir it is refused; a redirect_dir given with the
 * default metacopy leaves it off.  Only "on" and "off" are values.
 */
TEST_F(mc, option_and_its_dependencies)
{
	static const char *const cases[] = {
		"metacopy=on", "metacopy=off", "metacopy=on,redirect_dir=on",
		"metacopy=on,redirect_dir=off", "metacopy=on,redirect_dir=follow",
		"metacopy=on,redirect_dir=nofollow", "redirect_dir=off",
		"metacopy=yes", "metacopy", "metacopy=on,metacopy=off",
	};
	char oa[4096], ob[4096], dir[2][PATH_MAX + 8];
	unsigned int i;
	int side, err[2];

	for (side = 0; side < 2; side++) {
		snprintf(dir[side], sizeof(dir[side]), "%s/%s", self->base,
			 side ? "b" : "a");
		ASSERT_EQ(0, mc_build(dir[side]));
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a, *b;

		err[0] = mc_try(dir[0], 0, cases[i], oa, sizeof(oa));
		err[1] = mc_try(dir[1], 1, lfs_fmt("%s,index=off,xino=off",
						   cases[i]), ob, sizeof(ob));
		EXPECT_EQ(err[1], err[0]) TH_LOG("%s", cases[i]);
		/* the options shown, after the layers */
		a = strstr(oa, ",metacopy");
		b = strstr(ob, ",metacopy");
		EXPECT_EQ(!b, !a) TH_LOG("%s: '%s' vs '%s'", cases[i], oa, ob);
		if (a && b)
			EXPECT_EQ(0, strncmp(a, b, strlen(",metacopy=on")))
				TH_LOG("%s: '%s' vs '%s'", cases[i], oa, ob);
		a = strstr(oa, ",redirect_dir");
		b = strstr(ob, ",redirect_dir");
		EXPECT_EQ(!b, !a) TH_LOG("%s: '%s' vs '%s'", cases[i], oa, ob);
	}
}

/* ---- interop ---------------------------------------------------------------- */

/* Changes of every kind, through whichever filesystem is mounted on @dir. */
static int mc_script(const char *dir)
{
	const char *m = lfs_fmt("%s/m", dir);

	return WU_ERR(chmod(lfs_fmt("%s/f", m), 0600)) ?:
	       WU_ERR(chown(lfs_fmt("%s/g", m), 7, 7)) ?:
	       WU_ERR(rename(lfs_fmt("%s/g", m), lfs_fmt("%s/g2", m))) ?:
	       WU_ERR(chmod(lfs_fmt("%s/d/x", m), 0444)) ?:
	       WU_ERR(mkdir(lfs_fmt("%s/n", m), 0755)) ?:
	       WU_ERR(rename(lfs_fmt("%s/d/x", m), lfs_fmt("%s/n/x", m))) ?:
	       op_utimes(lfs_fmt("%s/h", m)) ?:
	       WU_ERR(link(lfs_fmt("%s/h", m), lfs_fmt("%s/hl", m))) ?:
	       op_trusted_xattr(lfs_fmt("%s/other", m)) ?:
	       dw_write(lfs_fmt("%s/other", m)) ?:
	       WU_ERR(chmod(lfs_fmt("%s/own", m), 0400));
}

/*
 * Layers written by one filesystem with metacopy=on, read by the other
 * with metacopy=on: the same merged tree as the writer showed, and the
 * same again after the reader writes to every metacopy file.
 */
TEST_F(mc, interop_both_ways)
{
	char dir[PATH_MAX + 8];
	int writer;

	for (writer = 0; writer < 2; writer++) {
		char *before, *after, *mine, *theirs;

		snprintf(dir, sizeof(dir), "%s/w%d", self->base, writer);
		ASSERT_EQ(0, mc_build(dir));
		ASSERT_EQ(0, mc_mount(dir, writer));
		ASSERT_EQ(0, mc_script(dir));
		before = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
		EXPECT_EQ(1, mc_is_meta(dir, "f"));
		EXPECT_EQ(1, mc_is_meta(dir, "n/x"));

		ASSERT_EQ(0, mc_mount(dir, !writer));
		after = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
		EXPECT_STREQ(before, after) TH_LOG("written by %s",
						   mc_fs(writer));
		/* the reader writes: the data copy of the other's files */
		ASSERT_EQ(0, dw_append(lfs_fmt("%s/m/f", dir)));
		ASSERT_EQ(0, dw_append(lfs_fmt("%s/m/n/x", dir)));
		ASSERT_EQ(0, dw_append(lfs_fmt("%s/m/hl", dir)));
		mine = wu_dump_string(lfs_fmt("%s/m", dir), 0);
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
		ASSERT_EQ(0, mc_mount(dir, writer));
		theirs = wu_dump_string(lfs_fmt("%s/m", dir), 0);
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
		EXPECT_STREQ(mine, theirs) TH_LOG("written by %s",
						  mc_fs(writer));
		EXPECT_EQ(1, mc_has_data(dir, "f"));
		free(before);
		free(after);
		free(mine);
		free(theirs);
	}
}

TEST_HARNESS_MAIN
