// SPDX-License-Identifier: GPL-2.0
/*
 * readdir.c - merged directory listing of a large directory.
 *
 * Three lower layers A (top), B, C (bottom) hold entries "nNNNNN":
 *   A: 0..4999 files; dirs at 2500..4999 where N % 7 == 0 (B has files
 *      there); fifos at 10..19; whiteouts at 7000..7099 (in B and C),
 *      12000..12099 (in C only) and 12600..12609 (nowhere).
 *   B: 2500..7499 files; dirs at 6000..6099 (C has files there);
 *      whiteouts at 10000..10999 (in C) and 100..109 (A's files win).
 *   C: 5000..12499 files; symlinks at 8000..8099.
 * The test computes the expected listing from that table (topmost entry
 * wins, a whiteout removes the name, its own d_type) and compares the
 * merged listing with it exactly -- 11,300 names plus "." and ".." -- read
 * in many small getdents64() calls and through readdir(3).  Positions from
 * telldir()/d_off must stay valid for seekdir()/lseek() in any order, and
 * an overlayfs mount of the same layers must list the same names and types.
 *
 * The "passthru" fixture covers directories with a single real directory,
 * which layerfs lists by iterating that directory directly: "solo" exists
 * in the top lower layer only, "up" in the upper layer only, each with
 * ~1,000 entries among which whiteouts (single ones and a run of 100, to
 * be hidden) and real character devices (to be listed).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define NAMES		12610	/* indices 0..12609 */
#define EXPECTED	11300	/* visible names, without "." and ".." */

enum kind { K_NONE, K_REG, K_DIR, K_LNK, K_FIFO, K_WH, K_CHR };

static const unsigned char kind_dtype[] = {
	[K_REG] = DT_REG, [K_DIR] = DT_DIR, [K_LNK] = DT_LNK,
	[K_FIFO] = DT_FIFO, [K_CHR] = DT_CHR,
};

/* What layer @layer (0 = A, 1 = B, 2 = C) holds at index @i. */
static enum kind layer_kind(int layer, int i)
{
	switch (layer) {
	case 0:
		if (i >= 7000 && i < 7100)
			return K_WH;
		if ((i >= 12000 && i < 12100) || (i >= 12600 && i < 12610))
			return K_WH;
		if (i >= 10 && i < 20)
			return K_FIFO;
		if (i >= 2500 && i < 5000 && i % 7 == 0)
			return K_DIR;
		return i < 5000 ? K_REG : K_NONE;
	case 1:
		if ((i >= 10000 && i < 11000) || (i >= 100 && i < 110))
			return K_WH;
		if (i >= 6000 && i < 6100)
			return K_DIR;
		return (i >= 2500 && i < 7500) ? K_REG : K_NONE;
	default:
		if (i >= 8000 && i < 8100)
			return K_LNK;
		return (i >= 5000 && i < 12500) ? K_REG : K_NONE;
	}
}

/* The merged view's kind of index @i: topmost entry, whiteouts remove. */
static enum kind merged_kind(int i)
{
	int layer;

	for (layer = 0; layer < 3; layer++) {
		enum kind k = layer_kind(layer, i);

		if (k == K_WH)
			return K_NONE;
		if (k != K_NONE)
			return k;
	}
	return K_NONE;
}

static int make_entry(int dfd, const char *name, enum kind k)
{
	int fd;

	switch (k) {
	case K_REG:
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case K_DIR:
		return mkdirat(dfd, name, 0755) ? errno : 0;
	case K_LNK:
		return symlinkat("n00000", dfd, name) ? errno : 0;
	case K_FIFO:
		return mknodat(dfd, name, S_IFIFO | 0644, 0) ? errno : 0;
	case K_WH:
		return mknodat(dfd, name, S_IFCHR | 0600, makedev(0, 0)) ?
			errno : 0;
	case K_CHR:	/* a real device (/dev/null's number), not a whiteout */
		return mknodat(dfd, name, S_IFCHR | 0644, makedev(1, 3)) ?
			errno : 0;
	default:
		return 0;
	}
}

/* One directory entry as read back. */
struct ent {
	char name[32];		/* longer names are cut, then fail the check */
	unsigned char type;
	unsigned long long ino;	/* d_ino */
	long long off;		/* d_off (getdents64) or telldir() before */
};

FIXTURE(readdir) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	struct ent *e;		/* NAMES + 16 entries of scratch */
	struct ent *e2;
};

FIXTURE_SETUP(readdir)
{
	static const char *const layer_dir[] = { "A", "B", "C" };
	int layer, i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	for (layer = 0; layer < 3; layer++) {
		const char *d = lfs_fmt("%s/%s", self->base, layer_dir[layer]);
		int dfd;

		ASSERT_EQ(0, mkdir(d, 0755));
		dfd = open(d, O_RDONLY | O_DIRECTORY);
		ASSERT_GE(dfd, 0);
		for (i = 0; i < NAMES; i++) {
			char name[16];

			snprintf(name, sizeof(name), "n%05d", i);
			ASSERT_EQ(0, make_entry(dfd, name, layer_kind(layer, i)))
				TH_LOG("layer %s entry %s", layer_dir[layer],
				       name);
		}
		close(dfd);
	}
	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(self->base,
						     "lowerdir=$/A:$/B:$/C")));
	self->e = calloc(NAMES + 16, sizeof(struct ent));
	self->e2 = calloc(NAMES + 16, sizeof(struct ent));
	ASSERT_NE(NULL, self->e);
	ASSERT_NE(NULL, self->e2);
}

FIXTURE_TEARDOWN(readdir)
{
	LFS_DROP_BASE(self->base, "m", "ov");
	free(self->e);
	free(self->e2);
}

/* Copy a name into ent.name, cut to fit (real entries are 6 chars). */
static void set_name(struct ent *e, const char *name)
{
	size_t len = strnlen(name, sizeof(e->name) - 1);

	memcpy(e->name, name, len);
	e->name[len] = '\0';
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Read the whole directory behind @fd with getdents64() calls of at most
 * @bufsize bytes into @e (room for NAMES + 16).  Returns the number of
 * entries, -errno on error, -E2BIG if there are too many.
 */
static long read_getdents(int fd, size_t bufsize, struct ent *e)
{
	char buf[4096] __attribute__((aligned(8)));
	long n = 0, calls = 0;

	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, bufsize);
		long pos = 0;

		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		calls++;
		while (pos < got) {
			struct linux_dirent64 *d = (void *)(buf + pos);

			if (n >= NAMES + 16)
				return -E2BIG;
			set_name(&e[n], d->d_name);
			e[n].type = d->d_type;
			e[n].ino = d->d_ino;
			e[n].off = d->d_off;
			n++;
			pos += d->d_reclen;
		}
	}
	return n;
}

/* Read the directory through readdir(3), recording telldir() before each. */
static long read_stream(DIR *d, struct ent *e)
{
	struct dirent *de;
	long n = 0;

	for (;;) {
		long pos = telldir(d);

		errno = 0;
		de = readdir(d);
		if (!de)
			return errno ? -errno : n;
		if (n >= NAMES + 16)
			return -E2BIG;
		set_name(&e[n], de->d_name);
		e[n].type = de->d_type;
		e[n].ino = de->d_ino;
		e[n].off = pos;
		n++;
	}
}

/*
 * Listed entry @e has model index @idx (below @n): @kind_of(idx) must be a
 * listed kind, with the d_type listed, and @seen must not have it yet.
 */
static void check_entry(struct __test_metadata *_metadata, const struct ent *e,
			int idx, int n, enum kind (*kind_of)(int),
			unsigned char *seen)
{
	enum kind k;

	ASSERT_TRUE(idx >= 0 && idx < n)
		TH_LOG("unexpected name \"%s\"", e->name);
	k = kind_of(idx);
	ASSERT_TRUE(k != K_NONE && k != K_WH)
		TH_LOG("%s is hidden (whiteout or absent)", e->name);
	ASSERT_EQ(0, seen[idx])
		TH_LOG("%s listed twice", e->name);
	seen[idx] = 1;
	ASSERT_EQ(kind_dtype[k], e->type)
		TH_LOG("d_type of %s", e->name);
}

/*
 * The listing must be ".", "..", then every expected name exactly once
 * with the topmost entry's d_type, and nothing else.
 */
static void check_listing(struct __test_metadata *_metadata,
			  const struct ent *e, long n)
{
	static unsigned char seen[NAMES];
	long i;

	memset(seen, 0, sizeof(seen));
	ASSERT_EQ(EXPECTED + 2, n);
	ASSERT_STREQ(".", e[0].name);
	ASSERT_STREQ("..", e[1].name);
	ASSERT_EQ(DT_DIR, e[0].type);
	ASSERT_EQ(DT_DIR, e[1].type);
	for (i = 2; i < n; i++) {
		int idx = -1;
		char tail;

		ASSERT_EQ(1, sscanf(e[i].name, "n%5d%c", &idx, &tail))
			TH_LOG("unexpected name \"%s\"", e[i].name);
		check_entry(_metadata, &e[i], idx, NAMES, merged_kind, seen);
	}
}

/* Premise for all tests: the model yields the advertised count. */
TEST_F_TIMEOUT(readdir, model_sanity, 300)
{
	int i, count = 0;

	for (i = 0; i < NAMES; i++)
		count += merged_kind(i) != K_NONE;
	ASSERT_EQ(EXPECTED, count);
	ASSERT_EQ((int)K_DIR, (int)merged_kind(6000));
	ASSERT_EQ((int)K_NONE, (int)merged_kind(7000));
	ASSERT_EQ((int)K_REG, (int)merged_kind(100));
}

/* getdents64 with room for ~4 entries per call: thousands of calls. */
TEST_F_TIMEOUT(readdir, getdents64_small_buffer, 300)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);
	long n;

	ASSERT_GE(fd, 0);
	n = read_getdents(fd, 128, self->e);
	ASSERT_GE(n, 0);
	check_listing(_metadata, self->e, n);
	close(fd);
}

/* A buffer that holds exactly one entry at a time. */
TEST_F_TIMEOUT(readdir, getdents64_one_entry_per_call, 300)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);
	long n;

	ASSERT_GE(fd, 0);
	/* "n00000": 19 + 7 = 26 bytes -> reclen 32; two need 64. */
	n = read_getdents(fd, 40, self->e);
	ASSERT_GE(n, 0);
	check_listing(_metadata, self->e, n);
	close(fd);
}

/* readdir(3) sees the same. */
TEST_F_TIMEOUT(readdir, readdir3_full_listing, 300)
{
	DIR *d = opendir(self->mnt);
	long n;

	ASSERT_NE(NULL, d);
	n = read_stream(d, self->e);
	ASSERT_GE(n, 0);
	check_listing(_metadata, self->e, n);
	closedir(d);
}

/* Spot checks of d_type: each is the topmost entry's type. */
TEST_F_TIMEOUT(readdir, d_type_is_topmost, 300)
{
	static const struct { const char *name; unsigned char type; } want[] = {
		{ "n02506", DT_DIR },	/* A dir over B file */
		{ "n06000", DT_DIR },	/* B dir over C file */
		{ "n08000", DT_LNK },	/* C symlink */
		{ "n00010", DT_FIFO },	/* A fifo */
		{ "n02507", DT_REG },	/* A file over B file */
		{ "n00100", DT_REG },	/* A file over B whiteout */
	};
	DIR *d = opendir(self->mnt);
	struct dirent *de;
	unsigned int i, found = 0;

	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		for (i = 0; i < ARRAY_SIZE(want); i++) {
			if (strcmp(de->d_name, want[i].name))
				continue;
			ASSERT_EQ(want[i].type, de->d_type)
				TH_LOG("d_type of %s", de->d_name);
			found++;
		}
	}
	closedir(d);
	ASSERT_EQ(ARRAY_SIZE(want), found);
}

/*
 * @e[0..n) was read from @d with telldir() before each entry: seekdir() to
 * any of those positions, in random order, far back and far forward,
 * resumes at the entry that followed the position the first time, and the
 * last position gives the last entry, then end of directory.
 */
static void seekdir_random(struct __test_metadata *_metadata, DIR *d,
			   const struct ent *e, long n, long rounds)
{
	struct dirent *de;
	long i, j;

	for (i = 0; i < rounds; i++) {
		/* Alternate far back and far forward, plus random jumps. */
		long k = i % 3 == 0 ? random() % 50 :
			 i % 3 == 1 ? n - 1 - random() % 50 : random() % n;

		seekdir(d, e[k].off);
		for (j = k; j < k + 3 && j < n; j++) {
			de = readdir(d);
			ASSERT_NE(NULL, de) TH_LOG("seek to entry %ld", k);
			ASSERT_STREQ(e[j].name, de->d_name)
				TH_LOG("seek to entry %ld, read %ld", k, j - k);
		}
	}
	seekdir(d, e[n - 1].off);
	ASSERT_NE(NULL, readdir(d));
	errno = 0;
	ASSERT_EQ(NULL, readdir(d));
	ASSERT_EQ(0, errno);
}

/*
 * @e[0..n) was read from @fd with getdents64(): the raw d_off of entry k,
 * given to lseek(), resumes at entry k + 1.
 */
static void d_off_lseek_random(struct __test_metadata *_metadata, int fd,
			       const struct ent *e, long n, long rounds)
{
	char buf[256] __attribute__((aligned(8)));
	long i;

	for (i = 0; i < rounds; i++) {
		long k = random() % (n - 1);
		struct linux_dirent64 *de = (void *)buf;

		ASSERT_EQ(e[k].off, lseek(fd, e[k].off, SEEK_SET));
		ASSERT_LT(0, syscall(SYS_getdents64, fd, buf, sizeof(buf)));
		ASSERT_STREQ(e[k + 1].name, de->d_name)
			TH_LOG("after d_off of entry %ld", k);
	}
}

/* telldir() positions saved on the first pass stay valid for seekdir(). */
TEST_F_TIMEOUT(readdir, telldir_seekdir_random, 300)
{
	DIR *d = opendir(self->mnt);
	long n;

	ASSERT_NE(NULL, d);
	n = read_stream(d, self->e);
	ASSERT_EQ(EXPECTED + 2, n);
	srandom(20261126);
	seekdir_random(_metadata, d, self->e, n, 2000);
	closedir(d);
}

/* The raw d_off of entry i, given to lseek, resumes at entry i + 1. */
TEST_F_TIMEOUT(readdir, d_off_lseek, 300)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);
	long n;

	ASSERT_GE(fd, 0);
	n = read_getdents(fd, 512, self->e);
	ASSERT_EQ(EXPECTED + 2, n);
	srandom(1126);
	d_off_lseek_random(_metadata, fd, self->e, n, 1000);
	close(fd);
}

/* rewinddir() starts over and yields the complete list again. */
TEST_F_TIMEOUT(readdir, rewinddir_full_list_again, 300)
{
	DIR *d = opendir(self->mnt);
	long n, i;

	ASSERT_NE(NULL, d);
	/* Read part of it, rewind, read all. */
	for (i = 0; i < 5000; i++)
		ASSERT_NE(NULL, readdir(d));
	rewinddir(d);
	n = read_stream(d, self->e);
	ASSERT_GE(n, 0);
	check_listing(_metadata, self->e, n);
	/* And once more after reading everything. */
	rewinddir(d);
	n = read_stream(d, self->e2);
	ASSERT_GE(n, 0);
	check_listing(_metadata, self->e2, n);
	closedir(d);
}

/*
 * rewinddir() (lseek 0) rebuilds the per-open cache: a name created in a
 * lower layer after the first pass shows up on the second pass, and only
 * there.
 */
TEST_F_TIMEOUT(readdir, rewinddir_rebuilds_cache, 300)
{
	DIR *d = opendir(self->mnt);
	long n, i, found = 0;

	/*
	 * overlayfs keeps a merged directory's cache (in the inode) until a
	 * change through the mount; a change made in a lower layer directly
	 * is not seen after a rewind ("changes to the underlying filesystems"
	 * are undefined for overlayfs, Documentation/filesystems/overlayfs.rst)
	 */
	if (strcmp(lfs_fstype(), "layerfs")) {
		if (d)
			closedir(d);
		SKIP(return, "overlayfs's rewind reuses its cache: a lower layer's change is not seen");
	}
	ASSERT_NE(NULL, d);
	n = read_stream(d, self->e);
	ASSERT_EQ(EXPECTED + 2, n);
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/C/late", self->base), "late"));
	/* Without a rewind the cached list is unchanged: end of directory. */
	errno = 0;
	ASSERT_EQ(NULL, readdir(d));
	ASSERT_EQ(0, errno);
	rewinddir(d);
	n = read_stream(d, self->e);
	ASSERT_EQ(EXPECTED + 3, n);
	for (i = 0; i < n; i++)
		found += !strcmp(self->e[i].name, "late");
	ASSERT_EQ(1, found);
	closedir(d);
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name,
		      ((const struct ent *)b)->name);
}

/*
 * Differential check: overlayfs, mounted read-only on the same three
 * layers, lists exactly the same names with the same d_type.
 */
TEST_F_TIMEOUT(readdir, same_as_overlayfs, 300)
{
	const char *ov = lfs_fmt("%s/ov", self->base);
	DIR *d;
	long n, n2, i;

	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, mkdir(ov, 0755));
	ASSERT_EQ(0, mount("overlay", ov, "overlay", MS_RDONLY,
			   lfs_expand(self->base, "lowerdir=$/A:$/B:$/C")));
	d = opendir(self->mnt);
	ASSERT_NE(NULL, d);
	n = read_stream(d, self->e);
	closedir(d);
	d = opendir(ov);
	ASSERT_NE(NULL, d);
	n2 = read_stream(d, self->e2);
	closedir(d);
	ASSERT_EQ(n2, n);
	qsort(self->e, n, sizeof(struct ent), ent_cmp);
	qsort(self->e2, n2, sizeof(struct ent), ent_cmp);
	for (i = 0; i < n; i++) {
		ASSERT_STREQ(self->e2[i].name, self->e[i].name);
		ASSERT_EQ(self->e2[i].type, self->e[i].type)
			TH_LOG("d_type of %s", self->e[i].name);
	}
}

/* --- pass-through: directories with exactly one real directory --- */

#define SOLO_N	1200	/* entries "sNNNN" of L1/solo */
#define UP_N	1000	/* entries "uNNNN" of U/up */

/* What the single real directory holds at index @i (solo and up alike). */
static enum kind solo_kind(int i)
{
	if (i >= 500 && i < 600)
		return K_WH;		/* a run: a batch of nothing else */
	if (i % 10 == 3)
		return K_WH;
	if (i % 10 == 7)
		return K_CHR;
	if (i % 10 == 5)
		return K_DIR;
	if (i % 13 == 0)
		return K_FIFO;
	return K_REG;
}

static int solo_expected(int n)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		count += solo_kind(i) != K_WH;
	return count;
}

/*
 * make check FSTYPE=overlay: overlayfs iterates a directory that exists in
 * one layer only directly (ovl_dir_is_real() in fs/overlayfs/overlayfs.h:
 * no OVL_WHITEOUTS flag) and lists its whiteouts, which stat() then reports
 * missing; layerfs hides them (Documentation/filesystems/layerfs.rst,
 * "Pass-through: one real directory").
 */
/* (an open directory would make the teardown's unmount fail: EBUSY) */
static void passthru_closedir(DIR *d)
{
	if (d)
		closedir(d);
}

#define PASSTHRU_LAYERFS_ONLY(d) do { \
	if (strcmp(lfs_fstype(), "layerfs")) { \
		passthru_closedir(d); \
		SKIP(return, "overlayfs lists the whiteouts of a one-layer directory (ovl_dir_is_real())"); \
	} \
} while (0)

/* scratch for the listings of the passthru tests (one test per process) */
static struct ent passthru_ents[NAMES + 16];

FIXTURE(passthru) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	struct ent *e;		/* passthru_ents */
};

static int fill_dir(const char *dir, char prefix, int n)
{
	char name[16];
	int dfd, i, err = 0;

	if (mkdir(dir, 0755))
		return errno;
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return errno;
	for (i = 0; i < n && !err; i++) {
		snprintf(name, sizeof(name), "%c%04d", prefix, i);
		err = make_entry(dfd, name, solo_kind(i));
	}
	close(dfd);
	return err;
}

FIXTURE_SETUP(passthru)
{
	static const char *const dirs[] = { "L1", "L2", "U", "W", "m" };
	unsigned int i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/%s", self->base, dirs[i]),
				   0755));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, fill_dir(lfs_fmt("%s/L1/solo", self->base), 's',
			      SOLO_N));
	ASSERT_EQ(0, fill_dir(lfs_fmt("%s/U/up", self->base), 'u', UP_N));
	/* L2 has names too, so that the root is merged, but no solo */
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/L2/bottom", self->base), "b"));
	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(self->base,
		"lowerdir=$/L1:$/L2,upperdir=$/U,workdir=$/W")));
	self->e = passthru_ents;
}

FIXTURE_TEARDOWN(passthru)
{
	LFS_DROP_BASE(self->base, "m2", "x", "m");
}

/*
 * "." and ".." once each, and the names "<prefix>NNNN" for the first @n
 * indexes that are not whiteouts, each once with its d_type -- in the real
 * directory's order, so not sorted.  @extra names outside that pattern are
 * allowed and @removed of the pattern's may be missing (the caller checks
 * which).
 */
static void check_solo(struct __test_metadata *_metadata, const struct ent *e,
		       long count, char prefix, int n, long extra,
		       long removed)
{
	static unsigned char seen[SOLO_N];
	int dots = 0, dotdots = 0, others = 0;
	long i;

	memset(seen, 0, sizeof(seen));
	ASSERT_EQ(solo_expected(n) + 2 + extra - removed, count);
	for (i = 0; i < count; i++) {
		int idx = -1;
		char p = 0, tail;

		if (!strcmp(e[i].name, ".") || !strcmp(e[i].name, "..")) {
			ASSERT_EQ(DT_DIR, e[i].type);
			dots += e[i].name[1] == '\0';
			dotdots += e[i].name[1] == '.';
			continue;
		}
		if (sscanf(e[i].name, "%c%4d%c", &p, &idx, &tail) != 2 ||
		    p != prefix) {
			others++;
			continue;
		}
		check_entry(_metadata, &e[i], idx, n, solo_kind, seen);
	}
	ASSERT_EQ(1, dots);
	ASSERT_EQ(1, dotdots);
	ASSERT_EQ(extra, others);
}

/* solo and up list exactly, with tiny and one-entry getdents64 buffers. */
TEST_F_TIMEOUT(passthru, whiteouts_hidden_small_buffers, 300)
{
	static const size_t sizes[] = { 40, 128, 4096 };
	unsigned int i;

	PASSTHRU_LAYERFS_ONLY(NULL);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		int fd = open(lfs_fmt("%s/solo", self->mnt),
			      O_RDONLY | O_DIRECTORY);
		long n;

		ASSERT_GE(fd, 0);
		n = read_getdents(fd, sizes[i], self->e);
		close(fd);
		check_solo(_metadata, self->e, n, 's', SOLO_N, 0, 0);

		fd = open(lfs_fmt("%s/up", self->mnt), O_RDONLY | O_DIRECTORY);
		ASSERT_GE(fd, 0);
		n = read_getdents(fd, sizes[i], self->e);
		close(fd);
		check_solo(_metadata, self->e, n, 'u', UP_N, 0, 0);
	}
}

/*
 * d_ino of every entry, "." and ".." included, is the st_ino stat()
 * reports for it (all layers are on one filesystem here) -- in the
 * pass-through directories and in the merged root, where ".." is skipped:
 * stat() of the mount root's ".." leaves the mount.
 */
static void check_d_ino(struct __test_metadata *_metadata, const char *dir,
			struct ent *e, bool root, bool samefs)
{
	struct stat st;
	long n, i;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	n = read_getdents(fd, 4096, e);
	ASSERT_GE(n, 2);
	for (i = 0; i < n; i++) {
		if (root && !strcmp(e[i].name, ".."))
			continue;
		/* layers on several filesystems: a directory's st_ino is
		 * layerfs's own number, its d_ino the real one (documented) */
		if (!samefs && e[i].type == DT_DIR && strcmp(e[i].name, ".") &&
		    strcmp(e[i].name, ".."))
			continue;
		ASSERT_EQ(0, fstatat(fd, e[i].name, &st, AT_SYMLINK_NOFOLLOW))
			TH_LOG("%s/%s: %s", dir, e[i].name, strerror(errno));
		ASSERT_EQ((unsigned long long)st.st_ino, e[i].ino)
			TH_LOG("d_ino of %s/%s", dir, e[i].name);
	}
	close(fd);
}

TEST_F_TIMEOUT(passthru, d_ino_is_st_ino, 300)
{
	PASSTHRU_LAYERFS_ONLY(NULL);
	check_d_ino(_metadata, lfs_fmt("%s/solo", self->mnt), self->e, false,
		    true);
	check_d_ino(_metadata, lfs_fmt("%s/up", self->mnt), self->e, false,
		    true);
	check_d_ino(_metadata, self->mnt, self->e, true, true);
	/* a pass-through directory below a pass-through one: ".." too */
	check_d_ino(_metadata, lfs_fmt("%s/solo/s0005", self->mnt), self->e,
		    false, true);
}

/*
 * A merged directory copied up after its layerfs inode was made: stat()
 * now reports the upper directory's number, and so must "." of a merged
 * listing.
 */
TEST_F_TIMEOUT(passthru, d_ino_is_st_ino_after_dir_copy_up, 300)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(lfs_fmt("%s/L1/both", self->base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/L2/both", self->base), 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/L2/both/f", self->base), "f"));
	ASSERT_EQ(0, stat(lfs_fmt("%s/both", self->mnt), &st));
	/* creating a name copies "both" up */
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/both/new", self->mnt), "n"));
	ASSERT_EQ(0, stat(lfs_fmt("%s/U/both", self->base), &st));
	check_d_ino(_metadata, lfs_fmt("%s/both", self->mnt), self->e, false,
		    true);
}

/*
 * The same with the upper layer on another filesystem: "." and ".." carry
 * layerfs's directory numbers, other entries the real ones.
 */
TEST_F_TIMEOUT(passthru, d_ino_is_st_ino_two_filesystems, 300)
{
	const char *m2 = lfs_fmt("%s/m2", self->base);

	PASSTHRU_LAYERFS_ONLY(NULL);
	ASSERT_EQ(0, lfs_mount_tmpfs(lfs_fmt("%s/x", self->base)));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/x/U", self->base), 0755));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/x/W", self->base), 0755));
	ASSERT_EQ(0, mkdir(m2, 0755));
	ASSERT_EQ(0, lfs_mount(m2, lfs_expand(self->base,
		"lowerdir=$/L1:$/L2,upperdir=$/x/U,workdir=$/x/W")));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/newdir", m2), 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/newdir/f", m2), "f"));
	check_d_ino(_metadata, lfs_fmt("%s/solo", m2), self->e, false, false);
	check_d_ino(_metadata, lfs_fmt("%s/solo/s0005", m2), self->e, false,
		    false);
	check_d_ino(_metadata, lfs_fmt("%s/newdir", m2), self->e, false,
		    false);
}

/*
 * telldir() positions (the real directory's) stay valid: seekdir() back and
 * forth resumes at the entry that followed; d_off given to lseek() too.
 */
TEST_F_TIMEOUT(passthru, telldir_seekdir_back_and_forth, 300)
{
	const char *dirs[] = { "solo", "up" };
	unsigned int t;

	PASSTHRU_LAYERFS_ONLY(NULL);
	for (t = 0; t < ARRAY_SIZE(dirs); t++) {
		const char *dir = lfs_fmt("%s/%s", self->mnt, dirs[t]);
		DIR *d = opendir(dir);
		long n;
		int fd;

		ASSERT_NE(NULL, d);
		n = read_stream(d, self->e);
		check_solo(_metadata, self->e, n, dirs[t][0],
			   t ? UP_N : SOLO_N, 0, 0);
		srandom(20261127 + t);
		seekdir_random(_metadata, d, self->e, n, 1000);
		closedir(d);

		fd = open(dir, O_RDONLY | O_DIRECTORY);
		ASSERT_GE(fd, 0);
		n = read_getdents(fd, 512, self->e);
		ASSERT_GT(n, 2);
		d_off_lseek_random(_metadata, fd, self->e, n, 500);
		close(fd);
	}
}

/* How many of @e[0..n) are named @name. */
static int count_name(const struct ent *e, long n, const char *name)
{
	int found = 0;
	long i;

	for (i = 0; i < n; i++)
		found += !strcmp(e[i].name, name);
	return found;
}

/*
 * Upper-only directory: changes made through the mount between two passes
 * show after rewinddir().
 */
TEST_F_TIMEOUT(passthru, rewinddir_after_changes_upper, 300)
{
	const char *up = lfs_fmt("%s/up", self->mnt);
	DIR *d = opendir(up);
	long n, i;

	PASSTHRU_LAYERFS_ONLY(d);
	ASSERT_NE(NULL, d);
	for (i = 0; i < 100; i++)
		ASSERT_NE(NULL, readdir(d));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/new", up), "new"));
	ASSERT_EQ(0, unlink(lfs_fmt("%s/u0001", up)));
	rewinddir(d);
	n = read_stream(d, self->e);
	check_solo(_metadata, self->e, n, 'u', UP_N, 1, 1);
	ASSERT_EQ(1, count_name(self->e, n, "new"));
	ASSERT_EQ(0, count_name(self->e, n, "u0001"));
	ASSERT_EQ(1, count_name(self->e, n, "u0002"));
	closedir(d);
}

/*
 * Single-lower directory copied up while open (creating a name in it gives
 * it an upper directory: it becomes merged).  Without a rewind the open
 * stream keeps listing the lower directory, complete and consistent; after
 * rewinddir() it lists the merged view.
 */
TEST_F_TIMEOUT(passthru, becomes_merged_while_open, 300)
{
	const char *solo = lfs_fmt("%s/solo", self->mnt);
	struct stat st;
	DIR *d = opendir(solo);
	long n, i;

	PASSTHRU_LAYERFS_ONLY(d);
	ASSERT_NE(NULL, d);
	for (i = 0; i < 300; i++) {
		struct dirent *de = readdir(d);

		ASSERT_NE(NULL, de);
		set_name(&self->e[i], de->d_name);
		self->e[i].type = de->d_type;
	}
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/new", solo), "new"));
	ASSERT_EQ(0, unlink(lfs_fmt("%s/s0001", solo)));	/* whiteout */
	ASSERT_EQ(0, stat(lfs_fmt("%s/U/solo", self->base), &st));
	/* the rest of the first pass: the lower directory as it was */
	n = read_stream(d, self->e + 300);
	ASSERT_GE(n, 0);
	check_solo(_metadata, self->e, n + 300, 's', SOLO_N, 0, 0);

	rewinddir(d);
	n = read_stream(d, self->e);
	check_solo(_metadata, self->e, n, 's', SOLO_N, 1, 1);
	ASSERT_EQ(1, count_name(self->e, n, "new"));
	ASSERT_EQ(0, count_name(self->e, n, "s0001"));
	closedir(d);
}

TEST_HARNESS_MAIN
