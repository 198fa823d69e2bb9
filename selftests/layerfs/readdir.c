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
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define NAMES		12610	/* indices 0..12609 */
#define EXPECTED	11300	/* visible names, without "." and ".." */

enum kind { K_NONE, K_REG, K_DIR, K_LNK, K_FIFO, K_WH };

static const unsigned char kind_dtype[] = {
	[K_REG] = DT_REG, [K_DIR] = DT_DIR, [K_LNK] = DT_LNK,
	[K_FIFO] = DT_FIFO,
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
	default:
		return 0;
	}
}

/* One directory entry as read back. */
struct ent {
	char name[32];		/* longer names are cut, then fail the check */
	unsigned char type;
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
		e[n].off = pos;
		n++;
	}
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
		enum kind k;

		ASSERT_EQ(1, sscanf(e[i].name, "n%5d%c", &idx, &tail))
			TH_LOG("unexpected name \"%s\"", e[i].name);
		ASSERT_TRUE(idx >= 0 && idx < NAMES)
			TH_LOG("unexpected name \"%s\"", e[i].name);
		k = merged_kind(idx);
		ASSERT_NE((int)K_NONE, (int)k)
			TH_LOG("%s is hidden (whiteout or absent)", e[i].name);
		ASSERT_EQ(0, seen[idx])
			TH_LOG("%s listed twice", e[i].name);
		seen[idx] = 1;
		ASSERT_EQ(kind_dtype[k], e[i].type)
			TH_LOG("d_type of %s", e[i].name);
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
 * telldir() positions saved on the first pass stay valid: seekdir() to any
 * of them, in random order, backwards and forwards, resumes at the entry
 * that followed the position the first time.
 */
TEST_F_TIMEOUT(readdir, telldir_seekdir_random, 300)
{
	DIR *d = opendir(self->mnt);
	struct dirent *de;
	long n, i;

	ASSERT_NE(NULL, d);
	n = read_stream(d, self->e);
	ASSERT_EQ(EXPECTED + 2, n);
	srandom(20261126);
	for (i = 0; i < 2000; i++) {
		/* Alternate far back and far forward, plus random jumps. */
		long k = i % 3 == 0 ? random() % 50 :
			 i % 3 == 1 ? n - 1 - random() % 50 : random() % n;
		long j;

		seekdir(d, self->e[k].off);
		for (j = k; j < k + 3 && j < n; j++) {
			de = readdir(d);
			ASSERT_NE(NULL, de) TH_LOG("seek to entry %ld", k);
			ASSERT_STREQ(self->e[j].name, de->d_name)
				TH_LOG("seek to entry %ld, read %ld", k, j - k);
		}
	}
	/* Seeking to the end position gives end of directory. */
	seekdir(d, self->e[n - 1].off);
	ASSERT_NE(NULL, readdir(d));
	errno = 0;
	ASSERT_EQ(NULL, readdir(d));
	ASSERT_EQ(0, errno);
	closedir(d);
}

/* The raw d_off of entry i, given to lseek, resumes at entry i + 1. */
TEST_F_TIMEOUT(readdir, d_off_lseek, 300)
{
	char buf[256] __attribute__((aligned(8)));
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);
	long n, i;

	ASSERT_GE(fd, 0);
	n = read_getdents(fd, 512, self->e);
	ASSERT_EQ(EXPECTED + 2, n);
	srandom(1126);
	for (i = 0; i < 1000; i++) {
		long k = random() % (n - 1);
		struct linux_dirent64 *de = (void *)buf;

		ASSERT_EQ(self->e[k].off, lseek(fd, self->e[k].off, SEEK_SET));
		ASSERT_LT(0, syscall(SYS_getdents64, fd, buf, sizeof(buf)));
		ASSERT_STREQ(self->e[k + 1].name, de->d_name)
			TH_LOG("after d_off of entry %ld", k);
	}
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

	if (!lfs_fs_available("overlay"))
		SKIP(return, "overlay is not in /proc/filesystems");
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

TEST_HARNESS_MAIN
