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

/*
 * The xino option both filesystem types are mounted with: write_util.h's
 * for overlay (xino=off) unless a case sets another.
 */
static const char *og_xino = "xino=off";

/* Mount @fstype on $/<side>/m with lower @lower and $/<side>'s upper. */
static int og_mount(const char *base, const char *fstype, const char *side,
		    const char *lower)
{
	char opts[PATH_MAX * 3];
	int n;

	n = snprintf(opts, sizeof(opts),
		     "lowerdir=%s,upperdir=%s/%s/u,workdir=%s/%s/w,%s%s", lower,
		     base, side, base, side,
		     strcmp(fstype, "overlay") ? "" :
		     "redirect_dir=off,index=off,metacopy=off,", og_xino);
	if (n >= (int)sizeof(opts))
		return ENAMETOOLONG;
	return WU_ERR(mount(fstype, lfs_fmt("%s/%s/m", base, side), fstype, 0,
			    opts));
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
	LFS_SETUP_VS_OVERLAY(self->base, 022);
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

/* ---- inode numbers ------------------------------------------------------ */

/* The objects whose numbers are watched, and what is seen of them. */
static const char *const og_objs[] = { "f", "d", "d/g", "h1", "h2", "sym" };
#define OG_NOBJS	(sizeof(og_objs) / sizeof(og_objs[0]))

/*
 * Directories have numbers of the mount's own, not persistent and possibly
 * equal to a real one by chance (layers on several filesystems).
 */
static bool og_dir_ino_own;

struct og_obs {
	char out[4096];
	size_t len;
};

static void og_add(struct og_obs *o, const char *fmt, ...)
{
	va_list ap;

	if (o->len >= sizeof(o->out))
		return;
	va_start(ap, fmt);
	o->len += vsnprintf(o->out + o->len, sizeof(o->out) - o->len, fmt, ap);
	va_end(ap);
}

/*
 * Where inode number @m comes from: "lower" (@l), "upper" (@u) or "own",
 * compared in the low 32 bits; high bits (xino's) follow as "^<hex>".
 */
static const char *og_rel(uint64_t m, uint64_t l, uint64_t u)
{
	static char buf[8][48];
	static unsigned int next;
	char *b = buf[next++ % 8];
	const char *r = (uint32_t)m == (uint32_t)l ? "lower" :
			u && (uint32_t)m == (uint32_t)u ? "upper" : "own";

	if (m >> 32)
		snprintf(b, sizeof(buf[0]), "%s^%llx", r,
			 (unsigned long long)(m >> 32));
	else
		snprintf(b, sizeof(buf[0]), "%s", r);
	return b;
}

/* d_ino of @name in directory @dir, 0 when not listed. */
static ino_t og_d_ino(const char *dir, const char *name)
{
	struct dirent *de;
	ino_t ino = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			ino = de->d_ino;
	closedir(d);
	return ino;
}

/*
 * Record, for each object of og_objs, where its st_ino and st_dev through
 * the mount @mnt come from: "lower" (the lower object's number), "upper"
 * (the copy's, in @upper), "own" (neither); st_dev: "mnt" (the mount's),
 * "pseudo" (neither the mount's nor a real one); d_ino: "=st" when
 * readdir agrees with stat, else where it comes from.
 */
static void og_observe(struct og_obs *o, const char *phase, const char *mnt,
		       const char *lower, const char *upper)
{
	struct stat root;
	unsigned int i;

	if (stat(mnt, &root)) {
		og_add(o, "%s:FAIL-stat-root=%d\n", phase, errno);
		return;
	}
	og_add(o, "%s:", phase);
	for (i = 0; i < OG_NOBJS; i++) {
		const char *obj = og_objs[i];
		struct stat m, l, u;
		char dir[PATH_MAX];
		const char *slash = strrchr(obj, '/');
		ino_t dino;

		if (lstat(lfs_fmt("%s/%s", mnt, obj), &m) ||
		    lstat(lfs_fmt("%s/%s", lower, obj), &l)) {
			og_add(o, " %s=FAIL-%d", obj, errno);
			continue;
		}
		if (lstat(lfs_fmt("%s/%s", upper, obj), &u))
			u.st_ino = 0;
		snprintf(dir, sizeof(dir), "%s/%.*s", mnt,
			 slash ? (int)(slash - obj) : 0, obj);
		dino = og_d_ino(dir, slash ? slash + 1 : obj);
		if (S_ISDIR(m.st_mode) && m.st_dev == root.st_dev &&
		    root.st_dev != l.st_dev && og_dir_ino_own) {
			/* a number of the mount's own: nothing to compare */
			og_add(o, " %s=own/mnt/-", obj);
			continue;
		}
		og_add(o, " %s=%s/%s/%s", obj, og_rel(m.st_ino, l.st_ino, u.st_ino),
		       m.st_dev == root.st_dev ? "mnt" :
		       m.st_dev == l.st_dev || m.st_dev == u.st_dev ? "real" :
		       "pseudo",
		       dino == m.st_ino ? "=st" : dino == u.st_ino ? "d:upper" :
		       dino == l.st_ino ? "d:lower" : "d:own");
	}
	og_add(o, "\n");
}

/*
 * One side's life: mount, observe, change, observe, remount, observe;
 * then the other filesystem type mounts this side's layers ("cross").
 */
static void og_life(struct og_obs *o, const char *base, const char *side,
		    const char *fstype, const char *other, const char *lower)
{
	const char *mnt = lfs_fmt("%s/%s/m", base, side);
	char m[PATH_MAX + 16], u[PATH_MAX + 16];
	int err;

	snprintf(m, sizeof(m), "%s", mnt);
	snprintf(u, sizeof(u), "%s/%s/u", base, side);
	err = og_mount(base, fstype, side, lower);
	if (err) {
		og_add(o, "FAIL-mount=%d", err);
		return;
	}
	og_observe(o, "before", m, lower, u);
	err = og_changes(m);
	if (err)
		og_add(o, "FAIL-changes=%d\n", err);
	og_observe(o, "after", m, lower, u);
	if (og_umount(base, side) || og_mount(base, fstype, side, lower)) {
		og_add(o, "FAIL-remount=%d", errno);
		return;
	}
	og_observe(o, "remount", m, lower, u);
	if (og_umount(base, side) || og_mount(base, other, side, lower)) {
		og_add(o, "FAIL-cross=%d", errno);
		return;
	}
	og_observe(o, "cross", m, lower, u);
	og_umount(base, side);
}

/*
 * Run og_life() on both sides over @lower; the overlay side must see
 * @want, and layerfs the same.
 */
#define OG_LIVES(want) do { \
	struct og_obs __l = {}, __o = {}; \
	og_life(&__o, self->base, "ovl", "overlay", lfs_fstype(), \
		self->lower); \
	og_life(&__l, self->base, "lfs", lfs_fstype(), "overlay", \
		self->lower); \
	EXPECT_STREQ(want, __o.out); \
	EXPECT_STREQ(__o.out, __l.out); \
} while (0)

/*
 * All layers on one filesystem: every object keeps its lower inode number
 * across the copy-up, the remount and the other filesystem type, but the
 * copy of a hard-linked name (h1), which is a file of its own.  st_dev is
 * the mount's, d_ino agrees with st_ino.
 */
TEST_F(origin, ino_samefs)
{
	ASSERT_EQ(0, og_lower(self->lower));
	OG_LIVES("before: f=lower/mnt/=st d=lower/mnt/=st d/g=lower/mnt/=st h1=lower/mnt/=st h2=lower/mnt/=st sym=lower/mnt/=st\n"
		 "after: f=lower/mnt/=st d=lower/mnt/=st d/g=lower/mnt/=st h1=upper/mnt/=st h2=lower/mnt/=st sym=lower/mnt/=st\n"
		 "remount: f=lower/mnt/=st d=lower/mnt/=st d/g=lower/mnt/=st h1=upper/mnt/=st h2=lower/mnt/=st sym=lower/mnt/=st\n"
		 "cross: f=lower/mnt/=st d=lower/mnt/=st d/g=lower/mnt/=st h1=upper/mnt/=st h2=lower/mnt/=st sym=lower/mnt/=st\n");
}

/*
 * The lower layer on an ext4 image, the upper on tmpfs: a non-directory
 * keeps its lower number with the lower filesystem's pseudo st_dev across
 * the copy-up; directories have numbers of the mount's own.  d_ino is
 * not translated (overlayfs does that only with xino).
 */
TEST_F(origin, ino_twofs)
{
	LFS_REQUIRE_REALFS(return, "ext4");
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, lfs_fmt("%s/l.img", self->base),
				 self->lower, NULL));
	ASSERT_EQ(0, og_lower(self->lower));
	og_dir_ino_own = true;
	OG_LIVES("before: f=lower/pseudo/=st d=own/mnt/- d/g=lower/pseudo/=st h1=lower/pseudo/=st h2=lower/pseudo/=st sym=lower/pseudo/=st\n"
		 "after: f=lower/pseudo/d:upper d=own/mnt/- d/g=lower/pseudo/d:upper h1=upper/pseudo/=st h2=lower/pseudo/=st sym=lower/pseudo/d:upper\n"
		 "remount: f=lower/pseudo/d:upper d=own/mnt/- d/g=lower/pseudo/d:upper h1=upper/pseudo/=st h2=lower/pseudo/=st sym=lower/pseudo/d:upper\n"
		 "cross: f=lower/pseudo/d:upper d=own/mnt/- d/g=lower/pseudo/d:upper h1=upper/pseudo/=st h2=lower/pseudo/=st sym=lower/pseudo/d:upper\n");
}

/* What ino_rename sees of new/f2 through @mnt (lower file $/l/f). */
static void og_renamed(struct og_obs *o, const char *phase, const char *mnt,
		       const char *lower, const char *upper)
{
	struct stat m, l;

	if (lstat(lfs_fmt("%s/new/f2", mnt), &m) ||
	    lstat(lfs_fmt("%s/f", lower), &l)) {
		og_add(o, "%s:FAIL-%d\n", phase, errno);
		return;
	}
	og_add(o, "%s: st_ino=%s d_ino=%s impure=%s\n", phase,
	       m.st_ino == l.st_ino ? "lower" : "other",
	       og_d_ino(lfs_fmt("%s/new", mnt), "f2") == m.st_ino ? "=st" :
	       "other",
	       og_xattr_hex(lfs_fmt("%s/new", upper), OG_IMPURE));
}

static void og_rename_life(struct og_obs *o, const char *base,
			   const char *side, const char *fstype,
			   const char *other, const char *lower)
{
	char m[PATH_MAX + 16], u[PATH_MAX + 16];
	int err;

	snprintf(m, sizeof(m), "%s/%s/m", base, side);
	snprintf(u, sizeof(u), "%s/%s/u", base, side);
	err = og_mount(base, fstype, side, lower);
	if (!err && mkdir(lfs_fmt("%s/new", m), 0755))
		err = errno;
	if (!err && rename(lfs_fmt("%s/f", m), lfs_fmt("%s/new/f2", m)))
		err = errno;
	if (err) {
		og_add(o, "FAIL=%d\n", err);
		return;
	}
	og_renamed(o, "after", m, lower, u);
	if (og_umount(base, side) || og_mount(base, other, side, lower)) {
		og_add(o, "FAIL-cross=%d", errno);
		return;
	}
	og_renamed(o, "cross", m, lower, u);
	og_umount(base, side);
}

/*
 * A copy renamed into a new directory keeps its lower number, and that
 * directory is marked impure, so that readdir agrees with stat (one
 * filesystem), also under the other filesystem type.
 */
TEST_F(origin, ino_rename)
{
	struct og_obs l = {}, o = {};

	ASSERT_EQ(0, og_lower(self->lower));
	og_rename_life(&o, self->base, "ovl", "overlay", lfs_fstype(),
		       self->lower);
	og_rename_life(&l, self->base, "lfs", lfs_fstype(), "overlay",
		       self->lower);
	EXPECT_STREQ("after: st_ino=lower d_ino==st impure=len1:79\n"
		     "cross: st_ino=lower d_ino==st impure=len1:79\n", o.out);
	EXPECT_STREQ(o.out, l.out);
}

/* Is option @opt in the /proc/self/mounts line of @mnt?  1, 0, or -errno. */
static int og_shows(const char *mnt, const char *opt)
{
	char line[8192];
	int found = -ENOENT;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		if (sp && !strncmp(sp + 1, mnt, strlen(mnt)) &&
		    sp[1 + strlen(mnt)] == ' ')
			found = !!strstr(line, opt);
	}
	fclose(f);
	return found;
}

/*
 * xino=on, the lower layer on an ext4 image and the upper on tmpfs (whose
 * handles are not 32-bit ones: 2 xino bits): every object has the mount's
 * st_dev, the lower filesystem's numbers carry fsid 1 in the top bits
 * (bit 63), and d_ino is st_ino everywhere, directories included.
 */
TEST_F(origin, xino_on_twofs)
{
	LFS_REQUIRE_REALFS(return, "ext4");
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, lfs_fmt("%s/l.img", self->base),
				 self->lower, NULL));
	ASSERT_EQ(0, og_lower(self->lower));
	og_xino = "xino=on";
	OG_LIVES("before: f=lower^80000000/mnt/=st d=lower^80000000/mnt/=st d/g=lower^80000000/mnt/=st h1=lower^80000000/mnt/=st h2=lower^80000000/mnt/=st sym=lower^80000000/mnt/=st\n"
		 "after: f=lower^80000000/mnt/=st d=lower^80000000/mnt/=st d/g=lower^80000000/mnt/=st h1=upper/mnt/=st h2=lower^80000000/mnt/=st sym=lower^80000000/mnt/=st\n"
		 "remount: f=lower^80000000/mnt/=st d=lower^80000000/mnt/=st d/g=lower^80000000/mnt/=st h1=upper/mnt/=st h2=lower^80000000/mnt/=st sym=lower^80000000/mnt/=st\n"
		 "cross: f=lower^80000000/mnt/=st d=lower^80000000/mnt/=st d/g=lower^80000000/mnt/=st h1=upper/mnt/=st h2=lower^80000000/mnt/=st sym=lower^80000000/mnt/=st\n");
}

/*
 * How the xino option is taken, shown and dropped, as on overlayfs: shown
 * in /proc/mounts with layers on two filesystems; "useless" and not shown
 * on one; xino=auto over a lower filesystem that cannot decode file
 * handles (ramfs) falls back to off.
 */
TEST_F(origin, xino_options)
{
	static const struct {
		const char *xino, *lowerfs, *shown;
	} cases[] = {
		{ "xino=on", "ext4", ",xino=on" },
		{ "xino=auto", "ext4", ",xino=auto" },
		{ "xino=on", NULL, ",xino" },
		{ "xino=auto", "ramfs", ",xino" },
	};
	static const char *const sides[][2] = {
		{ "ovl", "overlay" }, { "lfs", NULL },
	};
	unsigned int i, j;

	LFS_REQUIRE_REALFS(return, "ext4");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int want = -1;

		if (cases[i].lowerfs && !strcmp(cases[i].lowerfs, "ext4")) {
			ASSERT_EQ(0, lfs_make_fs("ext4", NULL,
						 lfs_fmt("%s/l.img", self->base),
						 self->lower, NULL));
		} else if (cases[i].lowerfs) {
			ASSERT_EQ(0, mount("ramfs", self->lower, "ramfs", 0,
					   NULL));
		}
		og_xino = cases[i].xino;
		for (j = 0; j < 2; j++) {
			const char *mnt = lfs_fmt("%s/%s/m", self->base,
						  sides[j][0]);
			char m[PATH_MAX];
			int shown;

			snprintf(m, sizeof(m), "%s", mnt);
			ASSERT_EQ(0, og_mount(self->base, sides[j][1] ?:
					      lfs_fstype(), sides[j][0],
					      self->lower))
				TH_LOG("%s over %s", og_xino, cases[i].lowerfs);
			shown = og_shows(m, cases[i].shown);
			if (want < 0)
				want = shown;
			EXPECT_EQ(want, shown)
				TH_LOG("%s: %s over %s", sides[j][0], og_xino,
				       cases[i].lowerfs);
			ASSERT_EQ(0, og_umount(self->base, sides[j][0]));
		}
		/* overlay, the reference: shown only for the first two */
		EXPECT_EQ(i < 2, want) TH_LOG("overlay: %s over %s", og_xino,
					      cases[i].lowerfs);
		if (cases[i].lowerfs)
			ASSERT_EQ(0, umount(self->lower));
	}
}

/*
 * Both values of the index option mount (index.c's cases test what
 * index=on does); index=off, Debian's default, is not shown.
 */
TEST_F(origin, index_option)
{
	char opts[4096];

	og_xino = "index=on";
	ASSERT_EQ(0, og_mount(self->base, lfs_fstype(), "lfs", self->lower));
	ASSERT_EQ(0, lfs_mount_opts(lfs_fmt("%s/lfs/m", self->base), opts,
				    sizeof(opts)));
	EXPECT_NE(NULL, strstr(opts, ",index=on")) TH_LOG("%s", opts);
	EXPECT_EQ(0, og_umount(self->base, "lfs"));
	og_xino = "index=off";
	ASSERT_EQ(0, og_mount(self->base, lfs_fstype(), "lfs", self->lower));
	ASSERT_EQ(0, lfs_mount_opts(lfs_fmt("%s/lfs/m", self->base), opts,
				    sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "index=")) TH_LOG("%s", opts);
	EXPECT_EQ(0, og_umount(self->base, "lfs"));
}

/*
 * A merged directory whose upper part has no origin (made by hand) gets
 * one at lookup, and its upper parent the impure mark, as overlayfs does
 * (ovl_fix_origin()): readdir then agrees with stat for it.
 */
TEST_F(origin, merged_dir_gets_origin)
{
	static const char *const sides[][2] = {
		{ "ovl", "overlay" }, { "lfs", NULL },
	};
	char got[2][2][600];
	unsigned int j;

	ASSERT_EQ(0, og_lower(self->lower));
	for (j = 0; j < 2; j++) {
		const char *u = lfs_fmt("%s/%s/u", self->base, sides[j][0]);
		char m[PATH_MAX + 16];
		struct stat st;

		snprintf(m, sizeof(m), "%s/%s/m", self->base, sides[j][0]);
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/d", u), 0755));
		ASSERT_EQ(0, og_mount(self->base, sides[j][1] ?: lfs_fstype(),
				      sides[j][0], self->lower));
		ASSERT_EQ(0, stat(lfs_fmt("%s/d", m), &st));
		EXPECT_EQ(st.st_ino, og_d_ino(m, "d")) TH_LOG("%s", sides[j][0]);
		ASSERT_EQ(0, og_umount(self->base, sides[j][0]));
		u = lfs_fmt("%s/%s/u", self->base, sides[j][0]);
		snprintf(got[j][0], sizeof(got[j][0]), "%s",
			 og_xattr_hex(lfs_fmt("%s/d", u), OG_ORIGIN));
		u = lfs_fmt("%s/%s/u", self->base, sides[j][0]);
		snprintf(got[j][1], sizeof(got[j][1]), "%s",
			 og_xattr_hex(u, OG_IMPURE));
	}
	EXPECT_EQ(0, strncmp(got[0][0], "len", 3)) TH_LOG("%s", got[0][0]);
	EXPECT_STREQ(got[0][0], got[1][0]);
	EXPECT_STREQ("len1:79", got[0][1]);
	EXPECT_STREQ(got[0][1], got[1][1]);
}

TEST_HARNESS_MAIN
