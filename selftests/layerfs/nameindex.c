// SPDX-License-Identifier: GPL-2.0
/*
 * nameindex.c - lookups through the name index of a merged directory
 * (fs/layerfs/nameindex.c).
 *
 * Every test runs with nameindex_check=1, which makes each lookup answered
 * through an index again layer by layer and counts any difference in
 * /sys/fs/layerfs/<id>/nameidx_mismatches: a test fails on a mismatch, and
 * also compares what it sees with the kernel's overlayfs mounted on the
 * same lower layers.  nameindex_min_layers is lowered to 2 so that small
 * stacks are indexed too, and nameindex_build_ratio set to 0 (build at the
 * first lookup) but in the test of the ratio itself.
 *
 * The counters prove the index is used: a name in no lower layer costs no
 * lower lookup at all (layer_lookups), which fails on a layerfs without an
 * index (one lookup per layer).
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "layerfs_util.h"

#define PARAM(name)	"/sys/module/layerfs/parameters/" name

static const char *const params[] = {
	"nameindex_min_layers", "nameindex_check", "nameindex_total_kb",
	"nameindex_max_kb", "nameindex_build_ratio",
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

FIXTURE(nameindex) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char ovl[PATH_MAX + 8];
	char opts[8192];
	char buf[8192];
	char saved[NPARAMS][32];
	dev_t dev;
};

static int read_param(const char *name, char *buf, size_t len)
{
	lfs_cat(lfs_fmt(PARAM("%s"), name), buf, len);
	return buf[0] == '<' ? -1 : 0;	/* "<errno N>" */
}

static int set_param(const char *name, const char *value)
{
	return lfs_write(lfs_fmt(PARAM("%s"), name), value);
}

FIXTURE_SETUP(nameindex)
{
	unsigned int i;

	LFS_REQUIRE(return);
	if (strcmp(lfs_fstype(), "layerfs"))
		SKIP(return, "the name index is layerfs's own (module parameters, counters)");
	for (i = 0; i < NPARAMS; i++)
		ASSERT_EQ(0, read_param(params[i], self->saved[i],
					sizeof(self->saved[i])));
	ASSERT_EQ(0, set_param("nameindex_min_layers", "2"));
	ASSERT_EQ(0, set_param("nameindex_check", "1"));
	ASSERT_EQ(0, set_param("nameindex_build_ratio", "0"));
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	snprintf(self->ovl, sizeof(self->ovl), "%s/o", self->base);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, mkdir(self->ovl, 0755));
}

FIXTURE_TEARDOWN(nameindex)
{
	unsigned int i;

	if (!self->saved[0][0])
		return;
	for (i = 0; i < NPARAMS; i++)
		set_param(params[i], self->saved[i]);
	LFS_DROP_BASE(self->base, "m", "o");
}

#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define O(rel)		lfs_fmt("%s/%s", self->ovl, rel)

/* echo @what > /proc/sys/vm/drop_caches (2: dentries and inodes, shrinkers) */
static int drop_caches(const char *what)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, what, strlen(what)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* A counter of the layerfs mount, e.g. "nameidx_lookups". */
static long long counter(FIXTURE_DATA(nameindex) *self, const char *name)
{
	char buf[64];

	lfs_cat(lfs_fmt("/sys/fs/layerfs/%u:%u/%s", major(self->dev),
			minor(self->dev), name), buf, sizeof(buf));
	return buf[0] == '<' ? -1 : atoll(buf);	/* "<errno N>" */
}

/* The sum of layer_lookups, every layer. */
static long long layer_lookups(FIXTURE_DATA(nameindex) *self)
{
	static char buf[16384];
	long long sum = 0;
	char *p, *end;

	lfs_cat(lfs_fmt("/sys/fs/layerfs/%u:%u/layer_lookups",
			major(self->dev), minor(self->dev)), buf, sizeof(buf));
	if (buf[0] == '<')
		return -1;
	for (p = buf; *p; p = end) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		sum += v;
	}
	return sum;
}

/*
 * Make @n lower layers $/l/0 .. $/l/<n-1> (0 on top), chdir to $/l and put
 * "lowerdir=0:1:..." in self->opts (relative names: 500 of them fit a
 * page), with ",upperdir=..,workdir=.." for both mounts when @upper.
 */
static void make_layers(struct __test_metadata *_metadata,
			FIXTURE_DATA(nameindex) *self, int n)
{
	size_t off;
	int i;

	ASSERT_EQ(0, lfs_mkdir_p(L("l")));
	ASSERT_EQ(0, chdir(L("l")));
	off = snprintf(self->opts, sizeof(self->opts), "lowerdir=");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, mkdir(lfs_fmt("%d", i), 0755));
		off += snprintf(self->opts + off, sizeof(self->opts) - off,
				"%s%d", i ? ":" : "", i);
	}
	ASSERT_LT(off, (size_t)3800);
}

/* Mount layerfs on m and overlay on o, both on the layers of self->opts. */
static void mount_both(struct __test_metadata *_metadata,
		       FIXTURE_DATA(nameindex) *self, bool upper)
{
	char o[8192];

	if (upper) {
		ASSERT_EQ(0, lfs_mkdir_p(L("u1")));
		ASSERT_EQ(0, lfs_mkdir_p(L("w1")));
		ASSERT_EQ(0, lfs_mkdir_p(L("u2")));
		ASSERT_EQ(0, lfs_mkdir_p(L("w2")));
	}
	snprintf(o, sizeof(o), "%s%s", self->opts,
		 upper ? lfs_expand(self->base, ",upperdir=$/u1,workdir=$/w1") : "");
	ASSERT_EQ(0, lfs_mount(self->mnt, o));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	snprintf(o, sizeof(o), "%s%s", self->opts,
		 upper ? lfs_expand(self->base, ",upperdir=$/u2,workdir=$/w2") : "");
	ASSERT_EQ(0, mount("overlay", self->ovl, "overlay", 0, o))
		TH_LOG("overlay: %s", strerror(errno));
}

/*
 * What @path is: "ENOENT"-style errno, or type and content ("f:text",
 * "d:a,b,c" (the listing), "l:target", "c", "p").
 */
static const char *describe(const char *path, char *buf, size_t len)
{
	struct stat st;
	char tmp[4096];
	ssize_t n;

	if (lstat(path, &st))
		return lfs_fmt("%s", strerror(errno));
	if (S_ISREG(st.st_mode))
		return lfs_fmt("f:%s", lfs_cat(path, buf, len));
	if (S_ISDIR(st.st_mode))
		return lfs_fmt("d:%s", lfs_list(path, buf, len));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, tmp, sizeof(tmp) - 1);
		tmp[n < 0 ? 0 : n] = '\0';
		return lfs_fmt("l:%s", tmp);
	}
	return S_ISCHR(st.st_mode) ? "c" : "p";
}

/* @rel is the same on layerfs and overlayfs (and is @want, unless NULL). */
#define SAME(rel, want) do { \
	char __a[4096], __b[4096]; \
	strncpy(__a, describe(M(rel), self->buf, sizeof(self->buf)), sizeof(__a) - 1); \
	__a[sizeof(__a) - 1] = '\0'; \
	strncpy(__b, describe(O(rel), self->buf, sizeof(self->buf)), sizeof(__b) - 1); \
	__b[sizeof(__b) - 1] = '\0'; \
	EXPECT_STREQ(__b, __a) TH_LOG("name %s", rel); \
	if ((want) != NULL) \
		EXPECT_STREQ((const char *)(want), __a) TH_LOG("name %s", rel); \
} while (0)

#define NO_MISMATCH() \
	EXPECT_EQ(0, counter(self, "nameidx_mismatches"))

/*
 * Every lookup rule through the index, in a 10-layer stack:
 *
 *	layer:  0      1       2        3        4      ...   9
 *	top     T
 *	wo      (wh)   f
 *	file            f
 *	dd      d/a    d/b     d/c(op)  d/x
 *	fd      f              d/y
 *	df      d/z    f       d/w                (file ends the merge)
 *	bottom                                           f
 *	sub     d/(wh s)  d/s  d/t  ...                   (whiteout inside)
 */
TEST_F(nameindex, lookup_rules)
{
	int i;

	make_layers(_metadata, self, 10);
	ASSERT_EQ(0, lfs_write("0/top", "T"));
	ASSERT_EQ(0, lfs_whiteout("0/wo"));
	ASSERT_EQ(0, lfs_write("1/wo", "hidden"));
	ASSERT_EQ(0, lfs_write("2/file", "F2"));
	ASSERT_EQ(0, lfs_mkdir_p("0/dd"));
	ASSERT_EQ(0, lfs_write("0/dd/a", "a"));
	ASSERT_EQ(0, lfs_mkdir_p("1/dd"));
	ASSERT_EQ(0, lfs_write("1/dd/b", "b"));
	ASSERT_EQ(0, lfs_mkdir_p("2/dd"));
	ASSERT_EQ(0, lfs_write("2/dd/c", "c"));
	ASSERT_EQ(0, lfs_opaque("2/dd"));
	ASSERT_EQ(0, lfs_mkdir_p("3/dd"));
	ASSERT_EQ(0, lfs_write("3/dd/x", "x"));
	ASSERT_EQ(0, lfs_write("0/fd", "file"));
	ASSERT_EQ(0, lfs_mkdir_p("3/fd"));
	ASSERT_EQ(0, lfs_write("3/fd/y", "y"));
	ASSERT_EQ(0, lfs_mkdir_p("0/df"));
	ASSERT_EQ(0, lfs_write("0/df/z", "z"));
	ASSERT_EQ(0, lfs_write("1/df", "file"));
	ASSERT_EQ(0, lfs_mkdir_p("3/df"));
	ASSERT_EQ(0, lfs_write("3/df/w", "w"));
	ASSERT_EQ(0, lfs_write("9/bottom", "B"));
	ASSERT_EQ(0, symlink("bottom", "9/link"));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/sub", i)));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/sub/s%d", i, i), "s"));
	}
	ASSERT_EQ(0, lfs_whiteout("0/sub/s5"));
	ASSERT_EQ(0, mkfifo("4/fifo", 0644));
	mount_both(_metadata, self, false);

	/* the first lookup builds the root's index, the others use it */
	SAME("top", "f:T");
	SAME("wo", "No such file or directory");
	SAME("file", "f:F2");
	SAME("dd", "d:a,b,c");
	SAME("dd/x", "No such file or directory");
	SAME("fd", "f:file");
	SAME("df", "d:z");
	SAME("bottom", "f:B");
	SAME("link", "l:bottom");
	SAME("fifo", "p");
	SAME("sub", "d:s0,s1,s2,s3,s4,s6,s7,s8,s9");
	SAME("sub/s5", "No such file or directory");
	SAME("sub/s9", "f:s");
	SAME("nowhere", "No such file or directory");
	SAME("sub/nowhere", "No such file or directory");
	EXPECT_LE(2, counter(self, "nameidx_built"));
	EXPECT_LE(10, counter(self, "nameidx_lookups"));
	NO_MISMATCH();
}

/* A name in no layer costs no lower lookup once the index is built. */
TEST_F(nameindex, negative_costs_no_layer_lookup)
{
	long long before, lookups;

	make_layers(_metadata, self, 50);
	ASSERT_EQ(0, lfs_write("49/bottom", "B"));
	mount_both(_metadata, self, false);
	SAME("bottom", "f:B");		/* builds the index */
	/* nameindex_check's second lookups would count: off for this */
	ASSERT_EQ(0, set_param("nameindex_check", "0"));
	before = layer_lookups(self);
	lookups = counter(self, "lookups");
	SAME("nothing-here", "No such file or directory");
	SAME("nor-here", "No such file or directory");
	EXPECT_EQ(lookups + 2, counter(self, "lookups"));
	EXPECT_EQ(before, layer_lookups(self));
	ASSERT_EQ(0, set_param("nameindex_check", "1"));
	SAME("checked", "No such file or directory");
	EXPECT_EQ(before + 50, layer_lookups(self));
	NO_MISMATCH();
}

/* Below the threshold no index is built. */
TEST_F(nameindex, threshold)
{
	make_layers(_metadata, self, 3);
	ASSERT_EQ(0, lfs_write("2/bottom", "B"));
	ASSERT_EQ(0, set_param("nameindex_min_layers", "4"));
	mount_both(_metadata, self, false);
	SAME("bottom", "f:B");
	SAME("none", "No such file or directory");
	EXPECT_EQ(0, counter(self, "nameidx_built"));
	ASSERT_EQ(0, set_param("nameindex_min_layers", "3"));
	SAME("none2", "No such file or directory");
	EXPECT_EQ(1, counter(self, "nameidx_built"));
	NO_MISMATCH();
}

/*
 * nameindex_build_ratio: a big directory looked in a few times is not read
 * whole; once the lookups made layer by layer add up to its size (over the
 * ratio), the index is built.  10 layers x 200 entries: about 2000
 * entries, so with ratio 10 about 200 lower lookups, 20 missed names.
 */
TEST_F(nameindex, build_ratio_defers_big_dirs)
{
	int i, j;

	make_layers(_metadata, self, 10);
	for (i = 0; i < 10; i++)
		for (j = 0; j < 200; j++)
			ASSERT_EQ(0, lfs_write(lfs_fmt("%d/e%d_%d", i, i, j), ""));
	ASSERT_EQ(0, set_param("nameindex_build_ratio", "10"));
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(ENOENT, lfs_lstat_errno(M(lfs_fmt("miss%d", i))));
	EXPECT_EQ(0, counter(self, "nameidx_built"));
	for (i = 5; i < 40; i++)
		ASSERT_EQ(ENOENT, lfs_lstat_errno(M(lfs_fmt("miss%d", i))));
	EXPECT_EQ(1, counter(self, "nameidx_built"));
	EXPECT_LT(0, counter(self, "nameidx_lookups"));
	ASSERT_EQ(0, lfs_lstat_errno(M("e9_199")));
	NO_MISMATCH();
}

/* Names in the bottom of 500 layers, a merged dir through all of them. */
TEST_F_TIMEOUT(nameindex, bottom_of_500_layers, 240)
{
	long long before;
	int i;

	make_layers(_metadata, self, 500);
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/x%d", i, i), "x"));
		if (i % 50 == 0 || i == 499) {
			ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/d", i)));
			ASSERT_EQ(0, lfs_write(lfs_fmt("%d/d/in%d", i, i), "in"));
		}
	}
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, lfs_write(lfs_fmt("499/b%d", i), lfs_fmt("b%d", i)));
	ASSERT_EQ(0, lfs_whiteout("250/x499"));
	mount_both(_metadata, self, false);

	for (i = 0; i < 100; i++) {
		char want[16];

		snprintf(want, sizeof(want), "f:b%d", i);
		SAME(lfs_fmt("b%d", i), want);
	}
	SAME("x0", "f:x");
	SAME("x498", "f:x");
	SAME("x499", "No such file or directory");
	SAME("d/in499", "f:in");
	SAME("d/in0", "f:in");
	SAME("d/in1", "No such file or directory");
	ASSERT_EQ(0, set_param("nameindex_check", "0"));
	before = layer_lookups(self);
	for (i = 0; i < 100; i++)
		SAME(lfs_fmt("none%d", i), "No such file or directory");
	EXPECT_EQ(before, layer_lookups(self));
	ASSERT_EQ(0, set_param("nameindex_check", "1"));
	EXPECT_LE(200, counter(self, "nameidx_lookups"));
	NO_MISMATCH();
}

/* Copy-up, unlink, rename, mkdir and rmdir through the mount. */
TEST_F(nameindex, after_changes_through_mount)
{
	const char *const names[] = {
		"bottom", "mid", "d", "d/in", "d/low", "moved", "gone",
		"newdir", "newdir/f", "d2", "d2/in", "nothing",
	};
	unsigned int k;
	int i, fd;

	make_layers(_metadata, self, 20);
	ASSERT_EQ(0, lfs_write("19/bottom", "B"));
	ASSERT_EQ(0, lfs_write("10/mid", "M"));
	ASSERT_EQ(0, lfs_write("15/gone", "G"));
	for (i = 5; i < 20; i += 7) {
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/d", i)));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/d/in", i), lfs_fmt("%d", i)));
	}
	ASSERT_EQ(0, lfs_write("19/d/low", "low"));
	mount_both(_metadata, self, true);

	for (k = 0; k < 2; k++) {
		const char *root = k ? self->ovl : self->mnt;

		fd = open(lfs_fmt("%s/bottom", root), O_WRONLY | O_APPEND);
		ASSERT_LE(0, fd);
		ASSERT_EQ(2, write(fd, "+u", 2));
		close(fd);
		ASSERT_EQ(0, unlink(lfs_fmt("%s/gone", root)));
		ASSERT_EQ(0, rename(lfs_fmt("%s/mid", root),
				    lfs_fmt("%s/moved", root)));
		ASSERT_EQ(0, unlink(lfs_fmt("%s/d/low", root)));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/newdir", root), 0755));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%s/newdir/f", root), "n"));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/d2", root), 0755));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%s/d2/in", root), "d2"));
	}
	/* fresh dentries: the lookups go through the indexes again */
	ASSERT_EQ(0, drop_caches("2"));
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		SAME(names[k], NULL);
	SAME("bottom", "f:B+u");
	SAME("gone", "No such file or directory");
	SAME("mid", "No such file or directory");
	SAME("d/in", "f:5");
	NO_MISMATCH();
}

/*
 * redirect_dir=on: a merged directory renamed through the mount keeps its
 * lower stack (found again through the redirect), and its index is built
 * from that stack; a subdirectory renamed inside it sends the lookup of
 * its new name to the old one, past which the walk goes layer by layer.
 */
TEST_F(nameindex, redirected_dirs)
{
	const char *const names[] = {
		"src", "dst", "dst/f0", "dst/f5", "dst/f11", "dst/none",
		"dst/sub", "dst/sub2", "dst/sub2/s5", "dst/sub2/s11",
		"dst/sub2/none",
	};
	unsigned int k;
	int i;

	make_layers(_metadata, self, 12);
	for (i = 0; i < 12; i += 5) {
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/src/sub", i)));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/src/f%d", i, i), "f"));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/src/sub/s%d", i, i), "s"));
	}
	ASSERT_EQ(0, lfs_mkdir_p("11/src/sub"));
	ASSERT_EQ(0, lfs_write("11/src/f11", "f"));
	ASSERT_EQ(0, lfs_write("11/src/sub/s11", "s"));
	strcat(self->opts, ",redirect_dir=on");
	mount_both(_metadata, self, true);
	for (k = 0; k < 2; k++) {
		const char *root = k ? self->ovl : self->mnt;

		ASSERT_EQ(0, rename(lfs_fmt("%s/src", root), lfs_fmt("%s/dst", root)))
			TH_LOG("%s: %s", k ? "overlay" : "layerfs", strerror(errno));
		ASSERT_EQ(0, rename(lfs_fmt("%s/dst/sub", root),
				    lfs_fmt("%s/dst/sub2", root)));
	}
	ASSERT_EQ(0, drop_caches("2"));
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		SAME(names[k], NULL);
	SAME("dst/f11", "f:f");
	SAME("dst/sub2", "d:s0,s10,s11,s5");
	EXPECT_LT(0, counter(self, "nameidx_lookups"));
	NO_MISMATCH();
}

/*
 * The contract broken: a name added to a lower layer after the index was
 * built.  The index does not see it; nameindex_check does, and says so.
 */
TEST_F(nameindex, check_mode_reports_changed_lower)
{
	make_layers(_metadata, self, 10);
	ASSERT_EQ(0, lfs_write("9/bottom", "B"));
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	ASSERT_EQ(0, lfs_lstat_errno(M("bottom")));
	NO_MISMATCH();
	ASSERT_EQ(0, lfs_write("9/late", "L"));
	/* checked: the index says ENOENT, the layers say it exists */
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("late")));
	EXPECT_EQ(1, counter(self, "nameidx_mismatches"));
	/* unchecked, the same answer and no count */
	ASSERT_EQ(0, set_param("nameindex_check", "0"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("late2")));
	EXPECT_EQ(1, counter(self, "nameidx_mismatches"));
}

/* Parallel lookups in one directory, while its index is being built. */
TEST_F_TIMEOUT(nameindex, parallel_lookups, 180)
{
	int i, status;

	make_layers(_metadata, self, 40);
	for (i = 0; i < 400; i++)
		ASSERT_EQ(0, lfs_write(lfs_fmt("%d/f%d", i % 40, i), "p"));
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	for (i = 0; i < 4; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			int j, bad = 0;

			for (j = 0; j < 400; j++) {
				int e = lfs_lstat_errno(M(lfs_fmt("f%d", (j * 7 + i * 101) % 400)));

				bad += e != 0;
				bad += lfs_lstat_errno(M(lfs_fmt("n%d_%d", i, j))) != ENOENT;
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (i = 0; i < 4; i++) {
		ASSERT_LT(0, wait(&status));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT_EQ(1, counter(self, "nameidx_built"));
	NO_MISMATCH();
}

/*
 * Lookups in several directories while the shrinker drops their indexes
 * over and over (drop_caches): a lookup holding an index while it is
 * unpublished must finish with it, the next one rebuild it.  Best run on
 * the debug kernel (KASAN, lockdep): make check KERNEL=debug T=nameindex.
 */
TEST_F_TIMEOUT(nameindex, lookups_racing_shrinker, 120)
{
	int i, status, nchild = 0;

	make_layers(_metadata, self, 12);
	for (i = 0; i < 12; i++) {
		int d;

		for (d = 0; d < 4; d++) {
			ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/d%d", i, d)));
			ASSERT_EQ(0, lfs_write(lfs_fmt("%d/d%d/f%d", i, d, i), "r"));
		}
	}
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	for (i = 0; i < 5; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		nchild++;
		if (!pid) {
			int j, bad = 0;

			for (j = 0; j < 300; j++) {
				if (i == 4) {
					bad += drop_caches("2") != 0;
					continue;
				}
				bad += lfs_lstat_errno(M(lfs_fmt("d%d/f%d", (i + j) % 4,
								 j % 12))) != 0;
				bad += lfs_lstat_errno(M(lfs_fmt("d%d/n%d", j % 4, j))) !=
				       ENOENT;
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (i = 0; i < nchild; i++) {
		ASSERT_LT(0, wait(&status));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	TH_LOG("%lld indexes built, %lld dropped", counter(self, "nameidx_built"),
	       counter(self, "nameidx_dropped"));
	EXPECT_LT(4, counter(self, "nameidx_built"));
	NO_MISMATCH();
}

/*
 * Many large merged directories, little memory: with nameindex_total_kb
 * at 512 the indexes never hold much more (the oldest are dropped), and
 * the shrinker (drop_caches) takes the rest even from directories that
 * stay in use.
 */
TEST_F_TIMEOUT(nameindex, memory_bounded, 240)
{
	int fds[30], d, i;
	long long bytes, max = 0;

	make_layers(_metadata, self, 8);
	for (d = 0; d < 30; d++) {
		for (i = 0; i < 8; i++) {
			int j;

			ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%d/dir%d", i, d)));
			for (j = 0; j < 100; j++)
				ASSERT_EQ(0, lfs_write(lfs_fmt("%d/dir%d/long-name-of-entry-%d-%d",
							       i, d, i, j), ""));
		}
	}
	ASSERT_EQ(0, set_param("nameindex_total_kb", "512"));
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &self->dev));
	for (d = 0; d < 30; d++) {
		fds[d] = open(M(lfs_fmt("dir%d", d)), O_RDONLY | O_DIRECTORY);
		ASSERT_LE(0, fds[d]);
		ASSERT_EQ(0, lfs_lstat_errno(M(lfs_fmt("dir%d/long-name-of-entry-7-5", d))));
		ASSERT_EQ(ENOENT, lfs_lstat_errno(M(lfs_fmt("dir%d/none", d))));
		bytes = counter(self, "nameidx_bytes");
		if (bytes > max)
			max = bytes;
	}
	TH_LOG("largest total %lld bytes, %lld indexes built, %lld dropped", max,
	       counter(self, "nameidx_built"), counter(self, "nameidx_dropped"));
	EXPECT_LE(30, counter(self, "nameidx_built"));
	EXPECT_LE(512 * 1024, max * 2);		/* the cap was reached */
	EXPECT_GE(512 * 1024, max);		/* and never passed */
	EXPECT_LT(0, counter(self, "nameidx_dropped"));

	/* memory pressure: the shrinker frees what is left (second chance) */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, drop_caches("2"));
	EXPECT_EQ(0, counter(self, "nameidx_bytes"));
	/* and the next lookup builds again */
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("dir3/none2")));
	EXPECT_LT(0, counter(self, "nameidx_bytes"));
	for (d = 0; d < 30; d++)
		close(fds[d]);
	NO_MISMATCH();
}

TEST_HARNESS_MAIN
