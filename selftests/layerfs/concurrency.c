// SPDX-License-Identifier: GPL-2.0
/*
 * concurrency.c - racing callers on a read-write layerfs mount.
 *
 * Sixteen forked children are released at once (they all block reading a
 * pipe until the parent closes its write end) and do the same operation
 * on the same lower object.  The tests prove that the copy-up and the
 * namespace operations are serialised: the object is copied up exactly
 * once, every writer writes into that one copy, exactly one of a set of
 * exclusive operations wins, and no temporary is left in work/.
 *
 * Fixture:  lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w  on $/m.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define NCHILD		16
#define FSIZE		(4UL << 20)	/* big enough for copy-ups to overlap */
#define SLOT		(FSIZE / NCHILD)
#define SEED		11

FIXTURE(race) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
};

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)

FIXTURE_SETUP(race)
{
	int i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, wu_layout_make(self->base));
	ASSERT_EQ(0, wu_fill(L("l2/f"), FSIZE, SEED));
	ASSERT_EQ(0, lfs_write(L("l2/gone"), "gone"));
	ASSERT_EQ(0, mkdir(L("l2/d"), 0755));
	ASSERT_EQ(0, lfs_write(L("l2/d/a"), "a"));
	ASSERT_EQ(0, lfs_write(L("l2/wo"), "old"));
	ASSERT_EQ(0, lfs_whiteout(L("u/wo")));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, lfs_mkdir_p(L(lfs_fmt("l1/deep%d/x/y", i))));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
}

FIXTURE_TEARDOWN(race)
{
	while (!umount2(self->mnt, MNT_DETACH))
		;
	lfs_drop_base(self->base, NULL);
}

/*
 * Fork @n children that wait for a common start, then return
 * @fn(@arg, i) as their exit status; fills @res[i] (254: died abnormally,
 * 255: fork failed).
 */
static void run_parallel(int (*fn)(const void *arg, int i), const void *arg,
			 int n, int *res)
{
	pid_t pid[NCHILD];
	int go[2], i, status;
	char c;

	if (pipe(go)) {
		for (i = 0; i < n; i++)
			res[i] = 255;
		return;
	}
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(253);
			_exit(fn(arg, i) & 0xff);
		}
	}
	close(go[0]);
	close(go[1]);		/* release them all */
	for (i = 0; i < n; i++) {
		if (pid[i] < 0)
			res[i] = 255;
		else if (waitpid(pid[i], &status, 0) != pid[i] ||
			 !WIFEXITED(status))
			res[i] = 254;
		else
			res[i] = WEXITSTATUS(status);
	}
}

/* Count the results equal to @v. */
static int count(const int *res, int n, int v)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += res[i] == v;
	return k;
}

/* The data file after every child wrote its tag at the start of its slot. */
static uint64_t expected_hash(void)
{
	unsigned char *p = malloc(FSIZE);
	uint64_t h;
	size_t i;

	if (!p)
		return 0;
	for (i = 0; i < FSIZE; i++)
		p[i] = wu_byte(i, SEED);
	for (i = 0; i < NCHILD; i++)
		snprintf((char *)p + i * SLOT, 8, "W%02zu-ok", i);
	h = wu_fnv(WU_FNV_INIT, p, FSIZE);
	free(p);
	return h;
}

/*
 * Sixteen writers open the same lower file concurrently (each open may
 * trigger the copy-up), write a tag into their own slot, wait until all
 * have written, then hash the file through their own descriptor.  The file
 * must have been copied up once: every descriptor sees every tag (one
 * shared upper file), the upper layer holds exactly one "f", the lower
 * file is unchanged and work/ is empty.
 */
TEST_F_TIMEOUT(race, sixteen_writers_copy_up_once, 300)
{
	int go[2], wrote[2], check[2], hashes[2];
	pid_t pid[NCHILD];
	uint64_t want = expected_hash(), h = 0;
	int i, status;
	char c;

	ASSERT_NE(0, want);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(wrote));
	ASSERT_EQ(0, pipe(check));
	ASSERT_EQ(0, pipe(hashes));
	for (i = 0; i < NCHILD; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			char tag[8];
			int fd;

			close(go[1]);
			close(check[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(253);
			fd = open(M("f"), O_RDWR);
			if (fd < 0)
				_exit(errno);
			snprintf(tag, sizeof(tag), "W%02d-ok", i);
			if (pwrite(fd, tag, 7, (off_t)i * SLOT) != 7)
				_exit(200);
			if (write(wrote[1], "w", 1) != 1)
				_exit(201);
			close(wrote[1]);	/* parent sees EOF if one dies */
			if (read(check[0], &c, 1) < 0)	/* all have written */
				_exit(202);
			if (wu_hash_fd(fd, &h, NULL))
				_exit(203);
			if (write(hashes[1], &h, sizeof(h)) != sizeof(h))
				_exit(204);
			close(fd);
			_exit(0);
		}
	}
	close(go[0]);
	close(check[0]);
	close(wrote[1]);
	close(hashes[1]);
	close(go[1]);			/* start */
	for (i = 0; i < NCHILD; i++)
		if (read(wrote[0], &c, 1) != 1)
			break;		/* a child failed before writing */
	close(check[1]);		/* everyone has written: check */
	for (i = 0; i < NCHILD; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	for (i = 0; i < NCHILD; i++) {
		ASSERT_EQ(sizeof(h), read(hashes[0], &h, sizeof(h)));
		ASSERT_EQ(want, h);
	}
	ASSERT_EQ(0, wu_hash_path(M("f"), &h, NULL));
	ASSERT_EQ(want, h);
	ASSERT_EQ(0, wu_hash_path(L("u/f"), &h, NULL));
	ASSERT_EQ(want, h);
	ASSERT_STREQ("f,wo", lfs_list(L("u"), self->buf, sizeof(self->buf)));
	ASSERT_EQ(1, wu_lstat(L("u/f")).st_nlink);
	ASSERT_EQ(0, wu_count(L("w/work")));
	ASSERT_EQ(0, wu_hash_path(L("l2/f"), &h, NULL));
	ASSERT_EQ(wu_pattern_hash(FSIZE, SEED), h);
}

static int create_child(const void *arg, int i)
{
	const char *mnt = arg;
	int fd = open(lfs_fmt("%s/d/c%02d", mnt, i),
		      O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * Sixteen creators of distinct names in one lower-only directory race on
 * copying that directory up: all succeed, the upper directory exists once
 * with all sixteen names, the lower name stays visible.
 */
TEST_F(race, creates_in_lower_dir)
{
	int res[NCHILD];

	run_parallel(create_child, self->mnt, NCHILD, res);
	ASSERT_EQ(NCHILD, count(res, NCHILD, 0));
	ASSERT_EQ(NCHILD, wu_count(L("u/d")));
	ASSERT_EQ(NCHILD + 1, wu_count(M("d")));
	ASSERT_EQ(0, lfs_lstat_errno(M("d/a")));
	ASSERT_STREQ("d,wo", lfs_list(L("u"), self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, wu_work_leftovers(L("w/work")));
}

static int deep_create_child(const void *arg, int i)
{
	const char *mnt = arg;

	return mkdir(lfs_fmt("%s/deep%d/x/y/n%02d", mnt, i % 4, i), 0755) ?
	       errno : 0;
}

/*
 * Creators below four lower directory chains race on copying up the same
 * parents top-down: all succeed and each chain exists once in the upper
 * layer.
 */
TEST_F(race, creates_copy_up_parent_chains)
{
	int res[NCHILD], i;

	run_parallel(deep_create_child, self->mnt, NCHILD, res);
	ASSERT_EQ(NCHILD, count(res, NCHILD, 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(NCHILD / 4, wu_count(L(lfs_fmt("u/deep%d/x/y", i))));
	ASSERT_EQ(0, wu_work_leftovers(L("w/work")));
}

static int unlink_child(const void *arg, int i)
{
	(void)i;
	return unlink(lfs_fmt("%s/gone", (const char *)arg)) ? errno : 0;
}

/* Racing unlinks of one lower file: one wins, the rest get ENOENT. */
TEST_F(race, unlink_same_lower_file)
{
	int res[NCHILD];

	run_parallel(unlink_child, self->mnt, NCHILD, res);
	ASSERT_EQ(1, count(res, NCHILD, 0));
	ASSERT_EQ(NCHILD - 1, count(res, NCHILD, ENOENT));
	ASSERT_EQ(0, wu_whiteout_errno(L("u/gone")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("gone")));
	ASSERT_EQ(0, wu_work_leftovers(L("w/work")));
}

#define NRACE		48	/* files unlink_vs_open_write races on */

/*
 * Even children unlink every file r0..r47, odd ones open each for writing
 * (which copies it up) and write to it.  Returns 0, or the first errno
 * neither "it is gone" (ENOENT) nor success explains.
 */
static int unlink_or_write_child(const void *arg, int i)
{
	const char *mnt = arg;
	int k, fd;

	for (k = 0; k < NRACE; k++) {
		const char *path = lfs_fmt("%s/r%d", mnt, k);

		if (i % 2 == 0) {
			if (unlink(path) && errno != ENOENT)
				return errno;
			continue;
		}
		fd = open(path, O_WRONLY | O_APPEND);
		if (fd < 0) {
			if (errno != ENOENT)
				return errno;
			continue;
		}
		if (write(fd, "w", 1) != 1) {
			close(fd);
			return 200;
		}
		close(fd);
	}
	return 0;
}

/*
 * unlink racing a copy-up of the same lower file (open for writing):
 * whichever comes first, the other sees a file or no file, never
 * ESTALE or EEXIST from layerfs meeting the other's half-done work, and
 * the name ends up whited out with nothing left in work/.  The copy-up
 * and the removal are serialised on the inode's copy-up mutex, and a
 * copy-up of a name already removed fails with ENOENT.
 */
TEST_F_TIMEOUT(race, unlink_vs_open_write, 300)
{
	int res[NCHILD], k;

	for (k = 0; k < NRACE; k++)
		ASSERT_EQ(0, wu_fill(L(lfs_fmt("l2/r%d", k)), 256 << 10, k));

	run_parallel(unlink_or_write_child, self->mnt, NCHILD, res);
	for (k = 0; k < NCHILD; k++)
		if (res[k])
			TH_LOG("child %d: %s", k, strerror(res[k]));
	/* make check FSTYPE=overlay: overlayfs's copy-up that meets the
	 * unlink's whiteout answers EEXIST where layerfs answers ENOENT
	 * (layerfs.rst, "Differences from overlayfs") */
	if (wu_dry_run_overlay() && count(res, NCHILD, EEXIST))
		SKIP(return, "overlayfs: open() racing unlink() failed with EEXIST");
	EXPECT_EQ(NCHILD, count(res, NCHILD, 0));
	for (k = 0; k < NRACE; k++) {
		EXPECT_EQ(ENOENT, lfs_lstat_errno(M(lfs_fmt("r%d", k))));
		EXPECT_EQ(0, wu_whiteout_errno(L(lfs_fmt("u/r%d", k))));
	}
	ASSERT_EQ(0, wu_work_leftovers(L("w/work")));
}

static int excl_child(const void *arg, int i)
{
	int fd = open(lfs_fmt("%s/wo", (const char *)arg),
		      O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return errno;
	if (write(fd, lfs_fmt("%02d", i), 2) != 2) {
		close(fd);
		return 200;
	}
	close(fd);
	return 0;
}

/*
 * Racing O_CREAT|O_EXCL on a whited-out name: one wins, the rest get
 * EEXIST, and the upper file is the winner's.
 */
TEST_F(race, exclusive_create_over_whiteout)
{
	int res[NCHILD], i, winner = -1;
	char want[16];

	run_parallel(excl_child, self->mnt, NCHILD, res);
	ASSERT_EQ(1, count(res, NCHILD, 0));
	ASSERT_EQ(NCHILD - 1, count(res, NCHILD, EEXIST));
	for (i = 0; i < NCHILD; i++)
		if (!res[i])
			winner = i;
	snprintf(want, sizeof(want), "%02d", winner);
	ASSERT_TRUE(S_ISREG(wu_lstat(L("u/wo")).st_mode));
	ASSERT_STREQ(want, lfs_cat(L("u/wo"), self->buf, sizeof(self->buf)));
	ASSERT_STREQ(want, lfs_cat(M("wo"), self->buf, sizeof(self->buf)));
}

static int mkdir_child(const void *arg, int i)
{
	(void)i;
	return mkdir(lfs_fmt("%s/wo", (const char *)arg), 0755) ? errno : 0;
}

/* Racing mkdir over a whiteout: one opaque directory, the rest EEXIST. */
TEST_F(race, mkdir_over_whiteout)
{
	int res[NCHILD];

	run_parallel(mkdir_child, self->mnt, NCHILD, res);
	ASSERT_EQ(1, count(res, NCHILD, 0));
	ASSERT_EQ(NCHILD - 1, count(res, NCHILD, EEXIST));
	ASSERT_TRUE(wu_is_opaque(L("u/wo")));
	ASSERT_EQ(0, wu_count(M("wo")));
}

TEST_HARNESS_MAIN
