// SPDX-License-Identifier: GPL-2.0
/*
 * Renamed merged directories (redirect_dir), layerfs and the kernel's
 * overlayfs side by side.
 *
 * Each scenario runs four times on four copies of the same layers: written
 * through layerfs or overlay (both with redirect_dir=on), then read back
 * after a fresh mount through layerfs or overlay with redirect_dir=follow
 * (the default on Debian's kernels).  The four merged trees must be the same,
 * and the two upper layers (names, whiteouts, trusted.overlay.redirect and
 * .opaque values) must be the same: so layerfs renames as overlayfs does,
 * writes the same redirects, and reads overlayfs's (interop both ways).
 *
 * Then the option itself: each value, a bad one, what /proc/mounts shows
 * (compared with overlay's on the running kernel), EXDEV without
 * redirect_dir=on and EPERM under nofollow.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/xattr.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define RD_XATTR	"trusted.overlay.redirect"
#define RD_OVL_ON	"redirect_dir=on,index=off,metacopy=off,xino=off"
#define RD_OVL_READ	"index=off,metacopy=off,xino=off"
/* how the layers are read back: Debian's default, stated (not the debug kernel's) */
#define RD_FOLLOW	"redirect_dir=follow"
#define RD_DUMP_MAX	16384

FIXTURE(redirect) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(redirect)
{
	LFS_SETUP_VS_OVERLAY(self->base, 0);
}

FIXTURE_TEARDOWN(redirect)
{
	static const char *const runs[] = { "ll", "lo", "ol", "oo", "x" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(runs); i++)
		umount2(lfs_fmt("%s/%s/m", self->base, runs[i]), MNT_DETACH);
	lfs_drop_base(self->base, NULL);
}

/*
 * The layers below @dir:
 *
 *	u:   nu/
 *	l1:  a/f1  d/e/i  n0/
 *	l2:  a/f  a/sub/g  x/y/h  c/k  gone/q
 *
 * nu is there from the start, a pure upper directory: one made through
 * the mount in a merged directory is opaque (see mkdir_in_merged).
 */
static int rd_build(const char *dir)
{
	static const char *const dirs[] = {
		"l1", "l2", "u", "w", "m", "u/nu", "l1/a", "l1/d/e", "l1/n0",
		"l2/a/sub", "l2/x/y", "l2/c", "l2/gone",
	};
	static const char *const files[][2] = {
		{ "l1/a/f1", "F1" }, { "l1/d/e/i", "I" }, { "l2/a/f", "F" },
		{ "l2/a/sub/g", "G" }, { "l2/x/y/h", "H" }, { "l2/c/k", "K" },
		{ "l2/gone/q", "Q" },
	};
	unsigned int i;

	if (mkdir(dir, 0755))
		return errno;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (lfs_mkdir_p(lfs_fmt("%s/%s", dir, dirs[i])))
			return errno ? errno : EIO;
	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (lfs_write(lfs_fmt("%s/%s", dir, files[i][0]), files[i][1]))
			return errno ? errno : EIO;
	return 0;
}

/* Mount @fstype on @dir/m over @dir's layers, with @extra options. */
static int rd_mount(const char *dir, const char *fstype, const char *extra,
		    bool rw)
{
	const char *opts = rw ?
		lfs_expand(dir, "lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w") :
		lfs_expand(dir, "lowerdir=$/u:$/l1:$/l2");
	char o[8192];

	snprintf(o, sizeof(o), "%s%s%s", opts, *extra ? "," : "", extra);
	if (mount(fstype, lfs_fmt("%s/m", dir), fstype, 0, o))
		return errno;
	return 0;
}

static void rd_append(char *out, const char *fmt, const char *path,
		      const char *val)
{
	size_t len = strlen(out);

	snprintf(out + len, RD_DUMP_MAX - len, fmt, path, val);
}

static int rd_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Append to @out every name below @root/@rel, sorted, one a line: "d" for
 * a directory, "f=<content>" for a file, "w" for a whiteout, "E<n>" for a
 * name whose lstat fails; with @raw, the redirect and opaque xattrs too.
 */
static void rd_dump(const char *root, const char *rel, bool raw, char *out)
{
	char *names[256], path[PATH_MAX], sub[PATH_MAX], buf[512];
	struct dirent *de;
	unsigned int n = 0, i;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	d = opendir(path);
	if (!d) {
		snprintf(buf, sizeof(buf), "%d", errno);
		rd_append(out, "%s: opendir E%s\n", rel, buf);
		return;
	}
	while (n < 256 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), rd_cmp);
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		snprintf(path, sizeof(path), "%s%s", root, sub);
		free(names[i]);
		if (lstat(path, &st)) {
			snprintf(buf, sizeof(buf), "E%d", errno);
			rd_append(out, "%s %s\n", sub, buf);
			continue;
		}
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			rd_append(out, "%s w%s\n", sub, "");
		} else if (S_ISREG(st.st_mode)) {
			rd_append(out, "%s f=%s\n", sub,
				  lfs_cat(path, buf, sizeof(buf)));
		} else if (S_ISDIR(st.st_mode)) {
			rd_append(out, "%s d%s\n", sub, "");
			if (raw) {
				rd_append(out, "%s redirect=%s\n", sub,
					  wu_getxattr(path, RD_XATTR, buf,
						      sizeof(buf)));
				rd_append(out, "%s opaque=%s\n", sub,
					  wu_getxattr(path, LFS_OPAQUE_XATTR,
						      buf, sizeof(buf)));
			}
			rd_dump(root, sub, raw, out);
		} else {
			rd_append(out, "%s other%s\n", sub, "");
		}
	}
}

/* What a scenario does through the mount at @m: 0 or the failing errno. */
typedef int (*rd_script_t)(const char *m);

/* The layers as the scenario left them: the upper, then the view. */
struct rd_result {
	char upper[RD_DUMP_MAX];
	char tree[RD_DUMP_MAX];
	char live[RD_DUMP_MAX];		/* the view before the remount */
	int err;
};

/*
 * Run @script through @writer ("layerfs" or "overlay", redirect_dir=on)
 * on fresh layers in @base/@name; then @offline, if any, on the layers
 * with nothing mounted; then read the tree back through @reader with its
 * default options.
 */
static void rd_run(const char *base, const char *name, const char *writer,
		   const char *reader, rd_script_t script,
		   rd_script_t offline, struct rd_result *r)
{
	bool w_ovl = !strcmp(writer, "overlay");
	bool r_ovl = !strcmp(reader, "overlay");
	char dir[PATH_MAX], m[PATH_MAX + 8], u[PATH_MAX + 8];

	memset(r, 0, sizeof(*r));
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	snprintf(m, sizeof(m), "%s/m", dir);
	snprintf(u, sizeof(u), "%s/u", dir);
	r->err = rd_build(dir);
	if (!r->err)
		r->err = rd_mount(dir, writer, w_ovl ? RD_OVL_ON : "redirect_dir=on",
				  true);
	if (r->err)
		return;
	r->err = script(m);
	rd_dump(m, "", false, r->live);
	if (umount(m) && !r->err)
		r->err = errno;
	if (!r->err && offline)
		r->err = offline(dir);
	rd_dump(u, "", true, r->upper);
	if (!r->err)
		r->err = rd_mount(dir, reader,
				  r_ovl ? RD_FOLLOW "," RD_OVL_READ : RD_FOLLOW,
				  true);
	if (r->err)
		return;
	rd_dump(m, "", false, r->tree);
	umount(m);
}

/*
 * Run @script the four ways, written by layerfs (0, 1) or overlay (2, 3),
 * read by layerfs (0, 2) or overlay (1, 3).
 */
static struct rd_result *rd_four(const char *base, rd_script_t script,
				 rd_script_t offline)
{
	static struct rd_result r[4];

	rd_run(base, "ll", "layerfs", "layerfs", script, offline, &r[0]);
	rd_run(base, "lo", "layerfs", "overlay", script, offline, &r[1]);
	rd_run(base, "ol", "overlay", "layerfs", script, offline, &r[2]);
	rd_run(base, "oo", "overlay", "overlay", script, offline, &r[3]);
	return r;
}

/*
 * Run @script the four ways and compare: the same upper layer from both
 * writers, the same tree from all four, and the live view of each writer
 * the same as what is read back.
 */
#define RD_COMPARE(script, offline) do { \
	struct rd_result *r = rd_four(self->base, script, offline); \
	ASSERT_EQ(0, r[3].err); \
	ASSERT_EQ(0, r[0].err); \
	ASSERT_EQ(0, r[1].err); \
	ASSERT_EQ(0, r[2].err); \
	TH_LOG("overlay's upper:\n%s\ntree:\n%s", r[3].upper, r[3].tree); \
	ASSERT_STREQ(r[3].upper, r[0].upper); \
	ASSERT_STREQ(r[3].live, r[0].live); \
	ASSERT_STREQ(r[3].tree, r[0].tree); \
	ASSERT_STREQ(r[3].tree, r[1].tree); \
	ASSERT_STREQ(r[3].tree, r[2].tree); \
} while (0)

/* renameat2() of @m/@from to @m/@to, flags 0: 0 or errno. */
static int rd_mv(const char *m, const char *from, const char *to)
{
	return wu_renameat2(lfs_fmt("%s/%s", m, from), lfs_fmt("%s/%s", m, to),
			    0);
}

/* In the same parent: a relative redirect, a whiteout at the old name. */
static int script_relative(const char *m)
{
	return rd_mv(m, "a", "b");
}

TEST_F(redirect, relative)
{
	char buf[64];

	RD_COMPARE(script_relative, NULL);
	/* the premise, stated: */
	rd_run(self->base, "x", "layerfs", "layerfs", script_relative, NULL,
	       &(struct rd_result){});
	ASSERT_STREQ("a", wu_getxattr(lfs_fmt("%s/x/u/b", self->base),
				      RD_XATTR, buf, sizeof(buf)));
	ASSERT_EQ(0, wu_whiteout_errno(lfs_fmt("%s/x/u/a", self->base)));
}

/*
 * To another parent: absolute redirects, from the root of the layers; a
 * directory from below a merged one ("/x/y"), into a new upper directory
 * and into a merged one.
 */
static int script_absolute(const char *m)
{
	int err = rd_mv(m, "a", "nu/a2");

	if (!err)
		err = rd_mv(m, "x/y", "y2");
	if (!err)
		err = rd_mv(m, "c", "d/e/c");
	return err;
}

TEST_F(redirect, absolute)
{
	char buf[64];

	RD_COMPARE(script_absolute, NULL);
	ASSERT_STREQ("/a", wu_getxattr(lfs_fmt("%s/ll/u/nu/a2", self->base),
				       RD_XATTR, buf, sizeof(buf)));
	ASSERT_STREQ("/x/y", wu_getxattr(lfs_fmt("%s/ll/u/y2", self->base),
					 RD_XATTR, buf, sizeof(buf)));
	ASSERT_STREQ("/c", wu_getxattr(lfs_fmt("%s/ll/u/d/e/c", self->base),
				       RD_XATTR, buf, sizeof(buf)));
}

/*
 * Renamed again: in the same parent the redirect stays "a"; moved to
 * another parent it becomes "/a", the original place, not the last name.
 */
static int script_twice(const char *m)
{
	int err = rd_mv(m, "a", "b");

	if (!err)
		err = rd_mv(m, "b", "b2");
	if (!err)
		err = rd_mv(m, "b2", "nu/b3");
	if (!err)
		err = rd_mv(m, "nu/b3", "n0/b4");
	return err;
}

TEST_F(redirect, rename_twice)
{
	char buf[64];

	RD_COMPARE(script_twice, NULL);
	ASSERT_STREQ("/a", wu_getxattr(lfs_fmt("%s/ll/u/n0/b4", self->base),
				       RD_XATTR, buf, sizeof(buf)));
}

/*
 * RENAME_EXCHANGE of two directories with lower parts: each gets its
 * redirect, relative within a parent, absolute across parents; no
 * whiteouts.
 */
static int script_exchange(const char *m)
{
	int err = wu_renameat2(lfs_fmt("%s/a", m), lfs_fmt("%s/c", m),
			       RENAME_EXCHANGE);

	if (!err)
		err = wu_renameat2(lfs_fmt("%s/d/e", m), lfs_fmt("%s/x/y", m),
				   RENAME_EXCHANGE);
	return err;
}

TEST_F(redirect, exchange)
{
	char buf[64];

	RD_COMPARE(script_exchange, NULL);
	ASSERT_STREQ("a", wu_getxattr(lfs_fmt("%s/ll/u/c", self->base),
				      RD_XATTR, buf, sizeof(buf)));
	ASSERT_STREQ("/x/y", wu_getxattr(lfs_fmt("%s/ll/u/d/e", self->base),
					 RD_XATTR, buf, sizeof(buf)));
}

/*
 * mkdir with redirect_dir=on: a new directory in a merged one is opaque
 * (overlayfs's ovl_create_upper() marks it, "an optimization", whenever it
 * forbids offline changes of the lower layers, which redirect_dir=on does),
 * whether a lower layer has the name or not: in the root, in a/ (lower
 * parts in l1 and l2), in d/e/ (lower-only until the mkdir copies it up)
 * and in x2/ (merged through a redirect).  In a pure upper directory (nu/,
 * or top/ just made) it is not.  difftest's seed 1 of the redirect class
 * found this one, through an exchange that moved such a directory onto a
 * lower name.
 */
static int script_mkdir(const char *m)
{
	static const char *const dirs[] = {
		"top", "top/in", "a/new", "nu/new", "d/e/new", "x2/new",
	};
	unsigned int i;
	int err = rd_mv(m, "x", "x2");

	for (i = 0; !err && i < ARRAY_SIZE(dirs); i++)
		if (mkdir(lfs_fmt("%s/%s", m, dirs[i]), 0755))
			err = errno;
	return err;
}

TEST_F(redirect, mkdir_in_merged)
{
	static const char *const marked[][2] = {
		{ "top", "y" }, { "a/new", "y" }, { "d/e/new", "y" },
		{ "x2/new", "y" }, { "top/in", "<errno 61>" },
		{ "nu/new", "<errno 61>" },
	};
	char buf[64];
	unsigned int i;

	RD_COMPARE(script_mkdir, NULL);
	for (i = 0; i < ARRAY_SIZE(marked); i++) {
		const char *up = lfs_fmt("%s/ll/u/%s", self->base,
					 marked[i][0]);

		TH_LOG("%s", marked[i][0]);
		ASSERT_STREQ(marked[i][1], wu_getxattr(up, LFS_OPAQUE_XATTR,
						       buf, sizeof(buf)));
	}
}

/*
 * Mount $dir/m as @fstype with @opts, make a/new<@i> (a merged) and
 * unmount: what the opaque xattr of its upper directory reads, in @buf
 * ("<errno 61>" for none, "<...>" when a step failed).
 */
static const char *rd_new_dir_marker(const char *dir, const char *fstype,
				     const char *opts, unsigned int i,
				     char *buf, size_t size)
{
	char name[PATH_MAX + 32];
	int err;

	snprintf(name, sizeof(name), "%s/m/a/new%u", dir, i);
	err = rd_mount(dir, fstype, opts, true);
	if (err)
		return "<mount failed>";
	err = mkdir(name, 0755) ? errno : 0;
	if (umount(lfs_fmt("%s/m", dir)) || err)
		return "<mkdir or umount failed>";
	return wu_getxattr(lfs_fmt("%s/u/a/new%u", dir, i), LFS_OPAQUE_XATTR,
			   buf, size);
}

/*
 * Without redirect_dir=on neither marks a directory made in a merged one:
 * overlayfs allows offline changes of the lower layers then, which a
 * marker would hide.
 */
TEST_F(redirect, mkdir_in_merged_unless_on)
{
	static const char *const vals[] = { "off", "follow", "nofollow" };
	static const char *const fs[] = { "layerfs", "overlay" };
	char dir[PATH_MAX + 8], o[256], buf[64];
	unsigned int i, f;

	for (f = 0; f < 2; f++) {
		snprintf(dir, sizeof(dir), "%s/%s", self->base,
			 f ? "oo" : "ll");
		ASSERT_EQ(0, rd_build(dir));
		for (i = 0; i < ARRAY_SIZE(vals); i++) {
			snprintf(o, sizeof(o), "redirect_dir=%s%s", vals[i],
				 f ? "," RD_OVL_READ : "");
			TH_LOG("%s %s", fs[f], vals[i]);
			ASSERT_STREQ("<errno 61>",
				     rd_new_dir_marker(dir, fs[f], o, i, buf,
						       sizeof(buf)));
		}
	}
}

/*
 * The other options that forbid offline changes of the lower layers mark
 * it too, with redirect_dir=off: xino=on (as given, though every layer is
 * on one tmpfs and the option does nothing else there) and metacopy=on
 * (which turns redirect_dir on itself).
 */
TEST_F(redirect, mkdir_in_merged_xino_or_metacopy)
{
	static const char *const opts[][2] = {
		{ "redirect_dir=off,xino=on",
		  "redirect_dir=off,index=off,metacopy=off,xino=on" },
		{ "metacopy=on", "index=off,metacopy=on,xino=off" },
	};
	static const char *const fs[] = { "layerfs", "overlay" };
	char dir[PATH_MAX + 8], buf[64];
	unsigned int i, f;

	for (f = 0; f < 2; f++) {
		snprintf(dir, sizeof(dir), "%s/%s", self->base,
			 f ? "oo" : "ll");
		ASSERT_EQ(0, rd_build(dir));
		for (i = 0; i < ARRAY_SIZE(opts); i++) {
			TH_LOG("%s %s", fs[f], opts[i][f]);
			ASSERT_STREQ("y", rd_new_dir_marker(dir, fs[f],
							    opts[i][f], i, buf,
							    sizeof(buf)));
		}
	}
}

/*
 * rename(2) of a merged directory onto a non-empty pure upper one: ENOTEMPTY
 * on both, but overlayfs copies the source up first (ovl_rename() checks only
 * a replaced directory with lower parts for emptiness, and leaves a pure
 * upper one to the upper filesystem's rename), and the copy stays.  layerfs
 * checks before any copy-up: its upper layer is as it was.  A documented
 * difference (layerfs-redirect.rst; difftest's seed 38 of class redirect).
 */
TEST_F(redirect, enotempty_before_copy_up)
{
	static const char *const fs[] = { "layerfs", "overlay" };
	static const int copied[] = { ENOENT, 0 };
	char dir[PATH_MAX + 8], m[PATH_MAX + 16];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", self->base,
			 i ? "oo" : "ll");
		snprintf(m, sizeof(m), "%s/m", dir);
		ASSERT_EQ(0, rd_build(dir));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/nu/z", dir), 0755));
		ASSERT_EQ(0, rd_mount(dir, fs[i], i ? RD_OVL_ON :
				      "redirect_dir=on", true));
		ASSERT_EQ(ENOTEMPTY, rd_mv(m, "a", "nu"));
		ASSERT_EQ(ENOTEMPTY, rd_mv(m, "x/y", "nu"));
		ASSERT_EQ(0, umount(m));
		TH_LOG("%s", fs[i]);
		ASSERT_EQ(copied[i], lfs_lstat_errno(lfs_fmt("%s/u/a", dir)));
		ASSERT_EQ(copied[i], lfs_lstat_errno(lfs_fmt("%s/u/x/y", dir)));
	}
}

/*
 * Forget the unused dentries and inodes, so that the next lookups read the
 * layers again (and follow the redirects) instead of the dcache.
 */
static int rd_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	sync();
	if (write(fd, "2", 1) != 1)
		err = errno;
	close(fd);
	return err;
}

/*
 * A redirected directory emptied and removed: nothing comes back.  Its
 * lower entry is found through the redirect after the caches are dropped,
 * so it is not empty until that entry is removed.
 */
static int script_rmdir(const char *m)
{
	int err = rd_mv(m, "c", "c2");

	if (!err)
		err = rd_drop_caches();

	if (!err)
		err = WU_ERR(rmdir(lfs_fmt("%s/c2", m)));
	err = err == ENOTEMPTY ? 0 : EPROTO;	/* not empty in the merged view */
	if (!err)
		err = WU_ERR(unlink(lfs_fmt("%s/c2/k", m)));
	if (!err)
		err = WU_ERR(rmdir(lfs_fmt("%s/c2", m)));
	if (!err)
		err = lfs_lstat_errno(lfs_fmt("%s/c2", m)) == ENOENT ? 0 : EPROTO;
	if (!err)
		err = lfs_lstat_errno(lfs_fmt("%s/c", m)) == ENOENT ? 0 : EPROTO;
	/* and a new directory at the old name is empty (and opaque) */
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/c", m), 0755));
	if (!err)
		err = wu_count(lfs_fmt("%s/c", m)) ? EPROTO : 0;
	return err;
}

TEST_F(redirect, rmdir_after_rename)
{
	RD_COMPARE(script_rmdir, NULL);
}

/*
 * Nested: a redirected directory inside a redirected one, moved out (its
 * absolute redirect goes through its parent's: "/a/sub"), and a directory
 * moved into a redirected one.
 */
static int script_nested(const char *m)
{
	int err = rd_mv(m, "a", "b");

	if (!err)
		err = rd_mv(m, "b/sub", "b/sub2");
	if (!err)
		err = rd_mv(m, "b/sub2", "top");
	if (!err)
		err = rd_mv(m, "x", "b/x2");
	if (!err)
		err = rd_mv(m, "b/x2/y", "b/y3");
	return err;
}

TEST_F(redirect, nested)
{
	char buf[64];

	RD_COMPARE(script_nested, NULL);
	ASSERT_STREQ("/a/sub", wu_getxattr(lfs_fmt("%s/ll/u/top", self->base),
					   RD_XATTR, buf, sizeof(buf)));
	ASSERT_STREQ("/x/y", wu_getxattr(lfs_fmt("%s/ll/u/b/y3", self->base),
					 RD_XATTR, buf, sizeof(buf)));
}

/*
 * Reading a redirected directory: the lower entries under its old name,
 * with what was added, removed and copied up through the new name.
 */
static int script_readdir(const char *m)
{
	char buf[256];
	int err = rd_mv(m, "a", "b");

	if (!err)
		err = rd_drop_caches();
	if (!err)
		err = lfs_write(lfs_fmt("%s/b/new", m), "N");
	if (!err)
		err = WU_ERR(unlink(lfs_fmt("%s/b/f", m)));
	if (!err)
		err = lfs_write(lfs_fmt("%s/b/f1", m), "changed");
	if (!err)
		err = strcmp(lfs_list(lfs_fmt("%s/b", m), buf, sizeof(buf)),
			     "f1,new,sub") ? EPROTO : 0;
	if (!err)
		err = wu_count(lfs_fmt("%s/b/sub", m)) == 1 ? 0 : EPROTO;
	return err;
}

TEST_F(redirect, readdir)
{
	RD_COMPARE(script_readdir, NULL);
}

/* The directory a redirect names removed from the lower layer, offline. */
static int script_gone(const char *m)
{
	int err = rd_mv(m, "gone", "g2");

	if (!err)
		err = lfs_write(lfs_fmt("%s/g2/up", m), "U");
	return err;
}

static int offline_gone(const char *dir)
{
	if (unlink(lfs_fmt("%s/l2/gone/q", dir)) ||
	    rmdir(lfs_fmt("%s/l2/gone", dir)))
		return errno;
	/* and another directory where a lookup of the old name could land */
	if (mkdir(lfs_fmt("%s/l2/g2", dir), 0755))
		return errno;
	return lfs_write(lfs_fmt("%s/l2/g2/wrong", dir), "W");
}

TEST_F(redirect, target_gone)
{
	char buf[64];

	RD_COMPARE(script_gone, offline_gone);
	/* the new name's own lower directory is not merged either */
	ASSERT_EQ(0, rd_mount(lfs_fmt("%s/ll", self->base), "layerfs",
			      RD_FOLLOW, true));
	ASSERT_STREQ("up", lfs_list(lfs_fmt("%s/ll/m/g2", self->base), buf,
				    sizeof(buf)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/ll/m", self->base)));
}

/* The layers of the absolute scenario read as lower layers only. */
TEST_F(redirect, lower_only)
{
	static struct rd_result r;
	char buf[64];

	rd_run(self->base, "x", "layerfs", "layerfs", script_absolute, NULL,
	       &r);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, rd_mount(lfs_fmt("%s/x", self->base), "layerfs",
			      RD_FOLLOW, false));
	ASSERT_STREQ("f,f1,sub", lfs_list(lfs_fmt("%s/x/m/nu/a2", self->base),
					  buf, sizeof(buf)));
	ASSERT_STREQ("h", lfs_list(lfs_fmt("%s/x/m/y2", self->base), buf,
				   sizeof(buf)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/x/m/a", self->base)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/x/m", self->base)));
}

/*
 * Two generations: a mount renames a to b; its upper layer becomes a
 * lower one of a second mount, which moves b/sub to the root.  The new
 * redirect is "/b/sub" (b's redirect is in a lower layer, not the upper),
 * and the lookup meets b's own redirect "a" on the way in the layer
 * below, which rewrites the path to "/a/sub" for the layers further down.
 */
#define RD_GEN2	"lowerdir=$/u:$/l1:$/l2,upperdir=$/u2,workdir=$/w2"

static int rd_stacked(const char *base, const char *name,
		      const char *fstype, char *upper, char *tree)
{
	bool ovl = !strcmp(fstype, "overlay");
	const char *on = ovl ? RD_OVL_ON : "redirect_dir=on";
	char dir[PATH_MAX + 8], m[PATH_MAX + 16], o[8192];
	int err;

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	snprintf(m, sizeof(m), "%s/m", dir);
	err = rd_build(dir);
	if (!err)
		err = rd_mount(dir, fstype, on, true);
	if (!err)
		err = rd_mv(m, "a", "b");
	if (!err && umount(m))
		err = errno;
	if (!err && (mkdir(lfs_fmt("%s/u2", dir), 0755) ||
		     mkdir(lfs_fmt("%s/w2", dir), 0755)))
		err = errno;
	snprintf(o, sizeof(o), "%s,%s", lfs_expand(dir, RD_GEN2), on);
	if (!err && mount(fstype, m, fstype, 0, o))
		err = errno;
	if (!err)
		err = rd_mv(m, "b/sub", "top");
	if (!err && umount(m))
		err = errno;
	if (err)
		return err;
	rd_dump(lfs_fmt("%s/u2", dir), "", true, upper);
	snprintf(o, sizeof(o), "%s,%s", lfs_expand(dir, RD_GEN2),
		 ovl ? RD_FOLLOW "," RD_OVL_READ : RD_FOLLOW);
	if (mount(fstype, m, fstype, 0, o))
		return errno;
	rd_dump(m, "", false, tree);
	umount(m);
	return 0;
}

TEST_F(redirect, stacked_generations)
{
	static char lupper[RD_DUMP_MAX], ltree[RD_DUMP_MAX];
	static char oupper[RD_DUMP_MAX], otree[RD_DUMP_MAX];
	char buf[64];

	ASSERT_EQ(0, rd_stacked(self->base, "ll", "layerfs", lupper, ltree));
	ASSERT_EQ(0, rd_stacked(self->base, "oo", "overlay", oupper, otree));
	TH_LOG("overlay's upper:\n%s\ntree:\n%s", oupper, otree);
	ASSERT_STREQ(oupper, lupper);
	ASSERT_STREQ(otree, ltree);
	ASSERT_STREQ("/b/sub", wu_getxattr(lfs_fmt("%s/ll/u2/top", self->base),
					   RD_XATTR, buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(ltree, "/top/g f=G"));
}

/* The redirect_dir= token of @m's /proc/mounts options, or "". */
static const char *rd_shown(const char *m, char *buf, size_t len)
{
	char opts[8192], *p, *end;

	buf[0] = '\0';
	if (lfs_mount_opts(m, opts, sizeof(opts)))
		return "<not mounted>";
	p = strstr(opts, "redirect_dir=");
	if (p) {
		end = strchrnul(p, ',');
		snprintf(buf, len, "%.*s", (int)(end - p), p);
	}
	return buf;
}

/*
 * Every value mounts on both, and /proc/mounts shows redirect_dir= as the
 * running kernel's overlayfs does (6.1 prints "follow", 6.12 does not; a
 * mount without an upper layer shows "on" for "follow" on 6.12); a bad
 * value is EINVAL on both.
 */
TEST_F(redirect, option)
{
	static const char *const vals[] = {
		"", "off", "follow", "nofollow", "on",
	};
	char dir[PATH_MAX + 8];
	char m[PATH_MAX + 16], lshow[64], oshow[64], o[64];
	unsigned int i, rw;

	snprintf(dir, sizeof(dir), "%s/x", self->base);
	ASSERT_EQ(0, rd_build(dir));
	snprintf(m, sizeof(m), "%s/m", dir);
	for (rw = 0; rw < 2; rw++) {
		for (i = 0; i < ARRAY_SIZE(vals); i++) {
			snprintf(o, sizeof(o), "%s%s%s", *vals[i] ?
				 "redirect_dir=" : "", vals[i],
				 *vals[i] ? "," : "");
			ASSERT_EQ(0, rd_mount(dir, "overlay",
					      lfs_fmt("%s%s", o, RD_OVL_READ),
					      rw));
			rd_shown(m, oshow, sizeof(oshow));
			ASSERT_EQ(0, umount(m));
			o[strlen(o) ? strlen(o) - 1 : 0] = '\0';
			ASSERT_EQ(0, rd_mount(dir, "layerfs", o, rw));
			rd_shown(m, lshow, sizeof(lshow));
			ASSERT_EQ(0, umount(m));
			TH_LOG("%s %s: overlay '%s' layerfs '%s'",
			       rw ? "rw" : "ro", vals[i], oshow, lshow);
			ASSERT_STREQ(oshow, lshow);
		}
	}
	ASSERT_EQ(EINVAL, rd_mount(dir, "layerfs", "redirect_dir=maybe", true));
	ASSERT_EQ(EINVAL, rd_mount(dir, "overlay",
				   "redirect_dir=maybe," RD_OVL_READ, true));
	ASSERT_EQ(EINVAL, rd_mount(dir, "layerfs", "redirect_dir=", true));
}

/* Without redirect_dir=on, a directory with lower parts does not move. */
TEST_F(redirect, exdev_unless_on)
{
	static const char *const vals[] = { "", "off", "follow", "nofollow" };
	char dir[PATH_MAX + 8];
	char m[PATH_MAX + 16];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/x", self->base);
	ASSERT_EQ(0, rd_build(dir));
	snprintf(m, sizeof(m), "%s/m", dir);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		const char *o = *vals[i] ? lfs_fmt("redirect_dir=%s", vals[i]) :
					   "";

		ASSERT_EQ(0, rd_mount(dir, "layerfs", o, true));
		ASSERT_EQ(EXDEV, rd_mv(m, "a", "b"));
		ASSERT_EQ(EXDEV, rd_mv(m, "x/y", "y2"));
		ASSERT_EQ(0, umount(m));
		ASSERT_EQ(0, rd_mount(dir, "overlay",
				      lfs_fmt("%s%s%s", o, *o ? "," : "",
					      RD_OVL_READ), true));
		ASSERT_EQ(EXDEV, rd_mv(m, "a", "b"));
		ASSERT_EQ(0, umount(m));
	}
	/* nothing was copied up, nothing marked */
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/u/a", dir)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/u/y2", dir)));
}

/*
 * redirect_dir=nofollow: a redirected directory is refused (EPERM), on
 * both, whether layerfs or overlay wrote it; its old name stays hidden.
 */
TEST_F(redirect, nofollow_refuses)
{
	static const char *const writers[] = { "layerfs", "overlay" };
	char m[PATH_MAX + 16];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		char dir[PATH_MAX + 8];
		bool ovl = i;

		snprintf(dir, sizeof(dir), "%s/%s", self->base,
			 i ? "oo" : "ll");
		ASSERT_EQ(0, rd_build(dir));
		snprintf(m, sizeof(m), "%s/m", dir);
		ASSERT_EQ(0, rd_mount(dir, writers[i],
				      ovl ? RD_OVL_ON : "redirect_dir=on",
				      true));
		ASSERT_EQ(0, rd_mv(m, "a", "b"));
		ASSERT_EQ(0, umount(m));

		ASSERT_EQ(0, rd_mount(dir, "layerfs", "redirect_dir=nofollow",
				      true));
		ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/b", m)));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/a", m)));
		ASSERT_EQ(0, umount(m));
		ASSERT_EQ(0, rd_mount(dir, "overlay",
				      "redirect_dir=nofollow," RD_OVL_READ,
				      true));
		ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/b", m)));
		ASSERT_EQ(0, umount(m));
		/* follow reads it */
		ASSERT_EQ(0, rd_mount(dir, "layerfs", RD_FOLLOW, true));
		ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/b/sub/g", m)));
		ASSERT_EQ(0, umount(m));
	}
}

/*
 * The documented difference under redirect_dir=nofollow (layerfs-redirect.rst,
 * "Differences from overlayfs"): layerfs refuses every redirected directory
 * that is not at the bottom of its parent's stack, overlayfs only one whose
 * redirect leads to a directory below.  Here g2's redirect "gone" leads
 * nowhere (removed offline): EPERM on layerfs, the upper part on overlay.
 * At the bottom of its parent's stack (nu/a2 in the pure upper nu) neither
 * reads the redirect: both show the upper part only.
 */
TEST_F(redirect, nofollow_target_gone)
{
	static const char *const fs[] = { "layerfs", "overlay" };
	static const int g2_errno[] = { EPERM, 0 };
	char dir[PATH_MAX + 8], m[PATH_MAX + 16], buf[64];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/x", self->base);
	snprintf(m, sizeof(m), "%s/m", dir);
	ASSERT_EQ(0, rd_build(dir));
	ASSERT_EQ(0, rd_mount(dir, "layerfs", "redirect_dir=on", true));
	ASSERT_EQ(0, script_gone(m));
	ASSERT_EQ(0, rd_mv(m, "a", "nu/a2"));
	ASSERT_EQ(0, umount(m));
	ASSERT_EQ(0, unlink(lfs_fmt("%s/l2/gone/q", dir)));
	ASSERT_EQ(0, rmdir(lfs_fmt("%s/l2/gone", dir)));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, rd_mount(dir, fs[i], i ?
				      "redirect_dir=nofollow," RD_OVL_READ :
				      "redirect_dir=nofollow", true));
		TH_LOG("%s", fs[i]);
		ASSERT_EQ(g2_errno[i], lfs_lstat_errno(lfs_fmt("%s/g2", m)));
		ASSERT_STREQ("", lfs_list(lfs_fmt("%s/nu/a2", m), buf,
					  sizeof(buf)));
		ASSERT_EQ(0, umount(m));
	}
	/* follow: g2 shows its upper part on both, a2 its lower files */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, rd_mount(dir, fs[i], i ?
				      RD_FOLLOW "," RD_OVL_READ : RD_FOLLOW,
				      true));
		ASSERT_STREQ("up", lfs_list(lfs_fmt("%s/g2", m), buf,
					    sizeof(buf)));
		ASSERT_STREQ("f,f1,sub", lfs_list(lfs_fmt("%s/nu/a2", m), buf,
						  sizeof(buf)));
		ASSERT_EQ(0, umount(m));
	}
}

/* Read @arg (a path) as whoever runs this: 0 if it reads "S", or errno. */
static int rd_read_secret(const void *arg)
{
	char buf[16];
	ssize_t n;
	int fd = open(arg, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return errno;
	return n == 1 && buf[0] == 'S' ? 0 : EPROTO;
}

/*
 * A redirect planted in a layer from elsewhere works like a symlink the
 * mounter resolves: lower/secret is 0700, but the upper directory pub
 * (0755) redirected to "/secret" shows its file to anyone, on overlay as
 * on layerfs, when redirects are followed; redirect_dir=nofollow is the
 * protection, on both (EPERM for every user).
 */
TEST_F(redirect, untrusted_layer)
{
	static const char *const types[] = { "layerfs", "overlay" };
	char dir[PATH_MAX + 8], f[PATH_MAX + 32];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/x", self->base);
	ASSERT_EQ(0, rd_build(dir));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/l2/secret", dir), 0700));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/l2/secret/f", dir), "S"));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/pub", dir), 0755));
	ASSERT_EQ(0, setxattr(lfs_fmt("%s/u/pub", dir), RD_XATTR, "/secret",
			      7, 0));
	snprintf(f, sizeof(f), "%s/m/pub/f", dir);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		bool ovl = i;

		ASSERT_EQ(0, rd_mount(dir, types[i],
				      ovl ? RD_FOLLOW "," RD_OVL_READ :
					    RD_FOLLOW, true));
		EXPECT_EQ(0, lfs_run_as(LFS_NOBODY, rd_read_secret, f))
			TH_LOG("%s, follow", types[i]);
		/*
		 * The lower directory itself stays closed.  (overlayfs 6.1
		 * answers ESTALE for this second name of one lower directory
		 * that pub already merges; 6.12 and layerfs look it up.)
		 */
		if (!ovl)
			EXPECT_EQ(EACCES,
				  lfs_run_as(LFS_NOBODY, rd_read_secret,
					     lfs_fmt("%s/m/secret/f", dir)));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));

		ASSERT_EQ(0, rd_mount(dir, types[i],
				      ovl ? "redirect_dir=nofollow," RD_OVL_READ :
					    "redirect_dir=nofollow", true));
		EXPECT_EQ(EPERM, lfs_run_as(LFS_NOBODY, rd_read_secret, f))
			TH_LOG("%s, nofollow", types[i]);
		EXPECT_EQ(EPERM, rd_read_secret(f));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	}
}

/*
 * Invalid redirects, set by hand on an upper directory: refused as
 * overlayfs refuses them (EINVAL; "." and ".." EACCES from the lookup),
 * the same errno on both.
 */
TEST_F(redirect, invalid_values)
{
	static const char *const vals[] = {
		"", "/", "a/b", "/a//sub", "/a/", "..", "/a/../c", "/nowhere",
		"nothere",
	};
	char dir[PATH_MAX + 8];
	char m[PATH_MAX + 16];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/x", self->base);
	ASSERT_EQ(0, rd_build(dir));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/u/v", dir), 0755));
	snprintf(m, sizeof(m), "%s/m", dir);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		int lerr, oerr;

		ASSERT_EQ(0, setxattr(lfs_fmt("%s/u/v", dir), RD_XATTR,
				      vals[i], strlen(vals[i]), 0));
		ASSERT_EQ(0, rd_mount(dir, "layerfs", RD_FOLLOW, true));
		lerr = lfs_lstat_errno(lfs_fmt("%s/v", m));
		ASSERT_EQ(0, umount(m));
		ASSERT_EQ(0, rd_mount(dir, "overlay",
				      RD_FOLLOW "," RD_OVL_READ, true));
		oerr = lfs_lstat_errno(lfs_fmt("%s/v", m));
		ASSERT_EQ(0, umount(m));
		TH_LOG("redirect '%s': overlay %d layerfs %d", vals[i], oerr,
		       lerr);
		ASSERT_EQ(oerr, lerr);
	}
}

TEST_HARNESS_MAIN
