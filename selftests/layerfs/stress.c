// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c - many processes on one read-write layerfs mount.
 *
 * Each case forks 8 workers that hammer one mount for a bounded time
 * (LAYERFS_STRESS_SECS, default 4 s per case):
 *   copy_up_writers_readers   writers and readers on the same lower files
 *   rename_storm              files renamed back and forth between two
 *                             merged directories (+ exchange, + directories
 *                             with lower parts, which must fail EXDEV)
 *   unlink_create_same_names  unlink/create/mkdir/rmdir of the same names
 *   readdir_while_changing    getdents loops while entries come and go
 *   mount_umount_in_parallel  other layerfs instances mounted and unmounted
 *                             while the main mount is busy
 * Every call's errno is checked against the list of errnos the case
 * expects (written next to each call); anything else fails the test with
 * the operation, the path and the errno.  A worker that hangs is killed by
 * alarm() and reported with the operation it was in.
 *
 * Afterwards the upper layer is checked: no temporary left in work/, no
 * whiteout whose name no lower layer has at the same path (layerfs only
 * makes a whiteout where a lower layer has the name), file contents whole
 * (each writer writes one self-checking record in one write(), so a torn
 * or partial record is detected), the invariants of each case (e.g. every
 * renamed file exists exactly once), and the mount unmounts without EBUSY.
 *
 * Environment:
 *   LAYERFS_STRESS_SECS     seconds per case (default 4)
 *   LAYERFS_STRESS_WORKERS  processes per case (default 8, at most 16)
 *
 * Fixture: lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w on $/m.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define MAXW		16
#define RECSZ		4096	/* one record, written with one pwrite() */
#define HANG_SECS	60

struct wstate {
	unsigned long ops;
	int err;		/* first unexpected errno */
	char what[200];		/* its operation and path */
	char cur[200];		/* the operation in progress */
};

struct shared {
	struct wstate w[MAXW];
};

FIXTURE(stress) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
	struct shared *sh;
	int nworkers;
	long secs;
};

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)

FIXTURE_SETUP(stress)
{
	LFS_REQUIRE(return);
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, wu_layout_make(self->base));
	self->secs = lfs_env_long("LAYERFS_STRESS_SECS", 4);
	self->nworkers = lfs_env_long("LAYERFS_STRESS_WORKERS", 8);
	if (self->nworkers < 2 || self->nworkers > MAXW)
		self->nworkers = 8;
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
}

FIXTURE_TEARDOWN(stress)
{
	static const char *const mnts[] = {
		"m", "mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7",
		NULL,
	};

	lfs_drop_base(self->base, mnts);
}

/* ---- workers ------------------------------------------------------------ */

struct ctx {
	FIXTURE_DATA(stress) *self;
	struct wstate *ws;
	int id;
	uint64_t rng;
};

static unsigned int rn(struct ctx *c, unsigned int n)
{
	uint64_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->rng = x;
	return n ? x % n : 0;
}

static void cur(struct ctx *c, const char *op, const char *path)
{
	/* only a status line for the log: the tail of a long path is cut */
	snprintf(c->ws->cur, sizeof(c->ws->cur), "%.40s %.150s", op, path);
	c->ws->ops++;
}

/*
 * Check the result of a call: @ret < 0 with an errno not in the
 * zero-terminated list @ok is recorded (first one only).  Returns true
 * when the call succeeded.
 */
static bool check(struct ctx *c, long ret, const int *ok)
{
	int e = errno;

	if (ret >= 0)
		return true;
	for (; *ok; ok++)
		if (*ok == e)
			return false;
	if (!c->ws->err) {
		c->ws->err = e;
		snprintf(c->ws->what, sizeof(c->ws->what), "%s", c->ws->cur);
	}
	return false;
}

#define OK(...)		((const int[]){ __VA_ARGS__, 0 })
#define NONE		((const int[]){ 0 })

/* Run @fn in @n workers for self->secs seconds; assert they all ended well. */
static void run_workers(struct __test_metadata *_metadata,
			FIXTURE_DATA(stress) *self, int n,
			void (*fn)(struct ctx *c, time_t end))
{
	pid_t pid[MAXW];
	time_t end = time(NULL) + self->secs;
	unsigned long ops = 0;
	int i, status;

	for (i = 0; i < n; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct ctx c = {
				.self = self, .ws = &self->sh->w[i], .id = i,
				.rng = 0x9e3779b97f4a7c15ULL * (i + 1),
			};

			alarm(self->secs + HANG_SECS);
			fn(&c, end);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++) {
		struct wstate *ws = &self->sh->w[i];

		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("worker %d %s (%d) in \"%s\"", i,
			       WIFSIGNALED(status) ?
			       (WTERMSIG(status) == SIGALRM ? "hung" : "killed")
			       : "exited", WIFSIGNALED(status) ?
			       WTERMSIG(status) : WEXITSTATUS(status), ws->cur);
		EXPECT_EQ(0, ws->err)
			TH_LOG("worker %d: unexpected %s (%d) from %s", i,
			       strerror(ws->err), ws->err, ws->what);
		ops += ws->ops;
	}
	TH_LOG("%d workers, %ld s: %lu operations", n, self->secs, ops);
}

/* ---- records ------------------------------------------------------------ */

/* Fill @buf with the record of writer @w, sequence @seq. */
static void make_record(char *buf, unsigned int w, unsigned int seq)
{
	uint64_t h;
	int n, i;

	n = snprintf(buf, RECSZ, "REC %u %u ", w, seq);
	for (i = n; i < RECSZ - 17; i++)
		buf[i] = 'a' + (w * 7 + seq * 13 + i) % 26;
	h = wu_fnv(WU_FNV_INIT, buf, RECSZ - 17);
	snprintf(buf + RECSZ - 17, 18, "%016llx", (unsigned long long)h);
	buf[RECSZ - 1] = '\n';
}

/* Is @buf (@len bytes) exactly one whole record?  Sets *@w. */
static bool valid_record(const char *buf, ssize_t len, unsigned int *w)
{
	unsigned int seq;
	char want[RECSZ + 1];

	if (len != RECSZ || sscanf(buf, "REC %u %u ", w, &seq) != 2)
		return false;
	make_record(want, *w, seq);
	return !memcmp(buf, want, RECSZ);
}

static const char *check_record_file(const char *path)
{
	static char msg[PATH_MAX + 64];
	char buf[RECSZ + 64];
	unsigned int w;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s: open: %s", path,
			 strerror(errno));
		return msg;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (!valid_record(buf, n, &w)) {
		snprintf(msg, sizeof(msg), "%s: torn or partial record (%zd bytes: \"%.24s\")",
			 path, n, n > 0 ? buf : "");
		return msg;
	}
	return NULL;
}

/* ---- upper layer consistency ------------------------------------------- */

/*
 * Walk the upper directory @rel: every whiteout must hide a name that some
 * lower layer has at the same path.  Returns the number of stray
 * whiteouts (each logged).
 */
static int stray_whiteouts(struct __test_metadata *_metadata,
			   FIXTURE_DATA(stress) *self, const char *rel)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int bad = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/u%s%s", self->base,
		     *rel ? "/" : "", rel) >= (int)sizeof(path)) {
		TH_LOG("path too long below u/: %s", rel);
		return 1;
	}
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			     de->d_name) >= (int)sizeof(sub)) {
			TH_LOG("path too long below u/: %s", rel);
			bad++;
			continue;
		}
		if (lstat(lfs_fmt("%s/u/%s", self->base, sub), &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			bad += stray_whiteouts(_metadata, self, sub);
		} else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			if (lfs_lstat_errno(lfs_fmt("%s/l1/%s", self->base,
						    sub)) &&
			    lfs_lstat_errno(lfs_fmt("%s/l2/%s", self->base,
						    sub))) {
				TH_LOG("stray whiteout u/%s: no lower layer has that name",
				       sub);
				bad++;
			}
		}
	}
	closedir(d);
	return bad;
}

/* The checks every case ends with; see the file header. */
static void check_upper(struct __test_metadata *_metadata,
			FIXTURE_DATA(stress) *self)
{
	struct dirent *de;
	DIR *d;

	d = opendir(L("w/work"));
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		EXPECT_TRUE(wu_is_whiteout(L(lfs_fmt("w/work/%s", de->d_name))))
			TH_LOG("leftover in work/: %s", de->d_name);
	}
	closedir(d);
	EXPECT_EQ(0, stray_whiteouts(_metadata, self, ""));
	ASSERT_EQ(0, umount2(self->mnt, 0))
		TH_LOG("umount: %s (leaked reference?)", strerror(errno));
}

/* ---- 1. copy-up: writers and readers on the same lower files ------------ */

#define NFILES		4

static void copy_up_worker(struct ctx *c, time_t end)
{
	FIXTURE_DATA(stress) *self = c->self;
	char rec[RECSZ], buf[RECSZ + 16];
	unsigned int seq = 0;
	bool writer = c->id % 2 == 0;

	while (time(NULL) < end) {
		const char *p = M(lfs_fmt("f%u", rn(c, NFILES)));
		int fd;
		ssize_t n;

		if (writer) {
			cur(c, "open O_RDWR", p);
			fd = open(p, O_RDWR | O_CLOEXEC);
			if (!check(c, fd, NONE))
				continue;
			make_record(rec, c->id, seq++);
			cur(c, "pwrite", p);
			n = pwrite(fd, rec, RECSZ, 0);
			check(c, n, NONE);
			if (n >= 0 && n != RECSZ)
				check(c, (errno = EIO, -1), NONE);
			if (!rn(c, 8)) {
				cur(c, "fsync", p);
				check(c, fsync(fd), NONE);
			}
			close(fd);
		} else {
			cur(c, "open O_RDONLY", p);
			fd = open(p, O_RDONLY | O_CLOEXEC);
			if (!check(c, fd, NONE))
				continue;
			cur(c, "read", p);
			n = read(fd, buf, sizeof(buf));
			check(c, n, NONE);
			/*
			 * A read may overlap a write (reads do not take the
			 * inode lock), but the file is never short and
			 * always starts with a record header.
			 */
			if (n >= 0 && (n != RECSZ || memcmp(buf, "REC ", 4)))
				check(c, (errno = EBADMSG, -1), NONE);
			cur(c, "stat", p);
			{
				struct stat st;

				if (check(c, fstat(fd, &st), NONE) &&
				    st.st_size != RECSZ)
					check(c, (errno = EFBIG, -1), NONE);
			}
			close(fd);
		}
	}
}

TEST_F_TIMEOUT(stress, copy_up_writers_readers, 120)
{
	char rec[RECSZ + 1];
	unsigned int i;

	for (i = 0; i < NFILES; i++) {
		int fd = open(L(lfs_fmt("l2/f%u", i)), O_WRONLY | O_CREAT, 0644);

		ASSERT_LE(0, fd);
		make_record(rec, 99, i);
		ASSERT_EQ(RECSZ, write(fd, rec, RECSZ));
		close(fd);
	}
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	run_workers(_metadata, self, self->nworkers, copy_up_worker);
	for (i = 0; i < NFILES; i++) {
		const char *err = check_record_file(M(lfs_fmt("f%u", i)));

		EXPECT_EQ(NULL, err) TH_LOG("%s", err);
		err = check_record_file(L(lfs_fmt("l2/f%u", i)));
		EXPECT_EQ(NULL, err) TH_LOG("lower changed: %s", err);
		/* copied up exactly once: one upper file, one link */
		EXPECT_EQ(1, wu_lstat(L(lfs_fmt("u/f%u", i))).st_nlink);
	}
	check_upper(_metadata, self);
}

/* ---- 2. rename storm between two merged directories --------------------- */

#define NREN		16

static void rename_worker(struct ctx *c, time_t end)
{
	FIXTURE_DATA(stress) *self = c->self;
	static const char *const dirs[] = { "A", "B" };

	while (time(NULL) < end) {
		unsigned int k = rn(c, NREN), d = rn(c, 2), op = rn(c, 10);
		const char *from = M(lfs_fmt("%s/a%02u", dirs[d], k));
		const char *to = M(lfs_fmt("%s/a%02u", dirs[!d], k));

		if (op < 6) {
			/* the file is in one of the two: ENOENT if not here */
			cur(c, "rename file", from);
			check(c, rename(from, to), OK(ENOENT));
		} else if (op < 7) {
			/* a file of each: A/aK <-> B/a((K+1)%N) */
			to = M(lfs_fmt("%s/a%02u", dirs[!d], (k + 1) % NREN));
			int e;

			cur(c, "RENAME_EXCHANGE", from);
			e = wu_renameat2(from, to, RENAME_EXCHANGE);
			errno = e;
			check(c, e ? -1 : 0, OK(ENOENT));
		} else if (op < 8) {
			/* a directory with lower parts: always EXDEV */
			from = M(lfs_fmt("%s/sd%u", dirs[d], k % 2));
			to = M(lfs_fmt("%s/sd%u", dirs[!d], k % 2));
			cur(c, "rename lower dir", from);
			errno = 0;
			if (!rename(from, to) || errno != EXDEV) {
				if (!errno)
					errno = EEXIST;	/* it worked: wrong */
				check(c, -1, NONE);
			}
		} else {
			/* this worker's pure-upper directory moves too */
			from = M(lfs_fmt("%s/pu%d", dirs[d], c->id));
			to = M(lfs_fmt("%s/pu%d", dirs[!d], c->id));
			cur(c, "mkdir", from);
			check(c, mkdir(from, 0755), OK(EEXIST));
			cur(c, "create in", from);
			{
				int fd = open(lfs_fmt("%s/x", from),
					      O_WRONLY | O_CREAT | O_CLOEXEC,
					      0644);

				if (check(c, fd, OK(ENOENT)))
					close(fd);
			}
			/* the other side may hold this worker's other copy */
			cur(c, "rename upper dir", from);
			check(c, rename(from, to), OK(ENOENT, ENOTEMPTY));
		}
	}
}

TEST_F_TIMEOUT(stress, rename_storm, 120)
{
	unsigned int k, content[NREN] = { 0 };
	int i;

	ASSERT_EQ(0, lfs_mkdir_p(L("l2/A/sd0/x")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/A/sd1")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/A")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/B/sd0")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/B/sd1")));
	for (k = 0; k < NREN; k++)
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("%s/A/a%02u",
						 k % 3 ? "l2" : "l1", k)),
				       lfs_fmt("a%02u", k)));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	run_workers(_metadata, self, self->nworkers, rename_worker);

	/* Every file exists exactly once, in A or B, with its content. */
	for (k = 0; k < NREN; k++) {
		int inA = !lfs_lstat_errno(M(lfs_fmt("A/a%02u", k)));
		int inB = !lfs_lstat_errno(M(lfs_fmt("B/a%02u", k)));

		EXPECT_EQ(1, inA + inB) TH_LOG("a%02u: in A %d, in B %d", k,
					       inA, inB);
		if (inA + inB == 1) {
			unsigned int v = NREN;

			/* exchanges swap contents: each must be there once */
			lfs_cat(M(lfs_fmt("%s/a%02u", inA ? "A" : "B", k)),
				self->buf, sizeof(self->buf));
			EXPECT_EQ(1, sscanf(self->buf, "a%u", &v))
				TH_LOG("a%02u holds \"%s\"", k, self->buf);
			if (v < NREN)
				content[v]++;
		}
	}
	for (k = 0; k < NREN; k++) {
		unsigned int seen = content[k];

		EXPECT_EQ(1, seen) TH_LOG("content a%02u seen %u times", k,
					  seen);
	}
	/* The lower directories never moved. */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, lfs_lstat_errno(M(lfs_fmt("A/sd%d", i))));
		EXPECT_EQ(0, lfs_lstat_errno(M(lfs_fmt("B/sd%d", i))));
	}
	EXPECT_EQ(0, lfs_lstat_errno(M("A/sd0/x")));
	check_upper(_metadata, self);
}

/* ---- 3. unlink/create of the same names -------------------------------- */

#define NNAMES		8

static void unlink_create_worker(struct ctx *c, time_t end)
{
	FIXTURE_DATA(stress) *self = c->self;
	char rec[RECSZ];
	unsigned int seq = 0;

	while (time(NULL) < end) {
		unsigned int k = rn(c, NNAMES), op = rn(c, 6);
		/* n*: names the lower layer has; p*: pure upper names */
		const char *p = M(lfs_fmt("d/%c%u", rn(c, 2) ? 'n' : 'p', k));
		int fd;

		switch (op) {
		case 0:
		case 1:
			cur(c, "unlink", p);
			check(c, unlink(p), OK(ENOENT, EISDIR));
			break;
		case 2:
		case 3:
			cur(c, "create O_EXCL", p);
			fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				  0644);
			if (!check(c, fd, OK(EEXIST)))
				break;
			make_record(rec, c->id, seq++);
			cur(c, "write", p);
			if (check(c, write(fd, rec, RECSZ), NONE))
				;
			close(fd);
			break;
		case 4:
			cur(c, "mkdir", p);
			check(c, mkdir(p, 0755), OK(EEXIST));
			break;
		case 5:
			cur(c, "rmdir", p);
			check(c, rmdir(p), OK(ENOENT, ENOTDIR, ENOTEMPTY));
			break;
		}
	}
}

TEST_F_TIMEOUT(stress, unlink_create_same_names, 120)
{
	char rec[RECSZ + 1];
	struct stat st;
	unsigned int k;
	int fd;

	ASSERT_EQ(0, lfs_mkdir_p(L("l2/d")));
	for (k = 0; k < NNAMES; k++) {
		fd = open(L(lfs_fmt("l2/d/n%u", k)), O_WRONLY | O_CREAT, 0644);
		ASSERT_LE(0, fd);
		make_record(rec, 99, k);
		ASSERT_EQ(RECSZ, write(fd, rec, RECSZ));
		close(fd);
	}
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	run_workers(_metadata, self, self->nworkers, unlink_create_worker);

	/*
	 * What is left: files hold one whole record each (a create and its
	 * write are one worker's two calls, and workers only stop between
	 * operations), directories are empty.
	 */
	for (k = 0; k < 2 * NNAMES; k++) {
		const char *p = M(lfs_fmt("d/%c%u", k < NNAMES ? 'n' : 'p',
					  k % NNAMES));

		if (lstat(p, &st))
			continue;
		if (S_ISREG(st.st_mode)) {
			const char *err = check_record_file(p);

			EXPECT_EQ(NULL, err) TH_LOG("%s", err);
		} else {
			EXPECT_TRUE(S_ISDIR(st.st_mode));
			EXPECT_EQ(0, wu_count(p));
		}
	}
	check_upper(_metadata, self);
}

/* ---- 4. readdir while entries change ----------------------------------- */

#define NSTATIC		100

static void readdir_worker(struct ctx *c, time_t end)
{
	FIXTURE_DATA(stress) *self = c->self;
	char dir[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/big", self->mnt);

	if (c->id % 2) {	/* changers */
		while (time(NULL) < end) {
			const char *p = M(lfs_fmt("big/c%d_%u", c->id,
						  rn(c, 20)));
			const char *l = M(lfs_fmt("big/l%u", rn(c, 20)));
			int fd;

			cur(c, "create", p);
			fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (check(c, fd, NONE))
				close(fd);
			cur(c, "unlink", p);
			check(c, unlink(p), OK(ENOENT));
			/* names from the lower layer come and go too */
			cur(c, "unlink lower name", l);
			check(c, unlink(l), OK(ENOENT));
			cur(c, "create lower name", l);
			fd = open(l, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (check(c, fd, NONE))
				close(fd);
		}
		return;
	}
	while (time(NULL) < end) {	/* readers */
		static char seen[NSTATIC];
		struct dirent *de;
		char names[4096][8];
		unsigned int n = 0, i, j, pos = 0;
		DIR *d;

		cur(c, "opendir", dir);
		d = opendir(dir);
		if (!check(c, d ? 0 : -1, NONE))
			continue;
		memset(seen, 0, sizeof(seen));
		cur(c, "readdir", dir);
		errno = 0;
		while ((de = readdir(d))) {
			/* "." and ".." come first */
			if ((pos == 0 && strcmp(de->d_name, ".")) ||
			    (pos == 1 && strcmp(de->d_name, ".."))) {
				errno = EBADE;
				check(c, -1, NONE);
			}
			pos++;
			if (de->d_name[0] == 's') {
				i = atoi(de->d_name + 1);
				if (i < NSTATIC && seen[i]++) {
					errno = EEXIST;	/* duplicate */
					cur(c, "duplicate in readdir", de->d_name);
					check(c, -1, NONE);
				}
			} else if (de->d_name[0] != '.' && n < 4096) {
				snprintf(names[n++], 8, "%.7s", de->d_name);
			}
		}
		check(c, errno ? -1 : 0, NONE);
		closedir(d);
		for (i = 0; i < NSTATIC; i++)
			if (!seen[i]) {
				errno = ENOENT;	/* a static name was missed */
				cur(c, "static name missing", lfs_fmt("s%u", i));
				check(c, -1, NONE);
			}
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (!strcmp(names[i], names[j])) {
					errno = EEXIST;
					cur(c, "duplicate in readdir", names[i]);
					check(c, -1, NONE);
				}
	}
}

TEST_F_TIMEOUT(stress, readdir_while_changing, 120)
{
	unsigned int i;

	ASSERT_EQ(0, lfs_mkdir_p(L("l1/big")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/big")));
	for (i = 0; i < NSTATIC; i++)
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("l%d/big/s%u", 1 + i % 2, i)),
				       "s"));
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("l2/big/l%u", i)), "l"));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	run_workers(_metadata, self, self->nworkers, readdir_worker);
	EXPECT_LE(NSTATIC, wu_count(M("big")));
	check_upper(_metadata, self);
}

/* ---- 5. mount/umount of other instances in parallel --------------------- */

static void mount_worker(struct ctx *c, time_t end)
{
	FIXTURE_DATA(stress) *self = c->self;

	if (c->id % 2 == 0) {
		/* its own instance, on its own upper, sharing the lowers */
		char mnt[PATH_MAX + 16];
		char opts[PATH_MAX * 4];
		char buf[64];

		/* (not an lfs_fmt() ring buffer: it is kept across calls) */
		snprintf(mnt, sizeof(mnt), "%s/mm%d", self->base, c->id / 2);

		if (snprintf(opts, sizeof(opts),
			     "lowerdir=%s/l1:%s/l2,upperdir=%s/mu%d,workdir=%s/mw%d",
			     self->base, self->base, self->base, c->id / 2,
			     self->base, c->id / 2) >= (int)sizeof(opts)) {
			errno = ENAMETOOLONG;	/* base is short: never */
			check(c, -1, OK(0));
			return;
		}
		while (time(NULL) < end) {
			cur(c, "mount", mnt);
			if (!check(c, mount("layerfs", mnt, "layerfs", 0, opts),
				   NONE))
				break;
			cur(c, "read through", mnt);
			check(c, lfs_cat(lfs_fmt("%s/f", mnt), buf,
					 sizeof(buf))[0] == 'f' ? 0 :
			      (errno = EIO, -1), NONE);
			cur(c, "write through", mnt);
			errno = lfs_write(lfs_fmt("%s/d/n%d", mnt, c->id), "n");
			check(c, errno ? -1 : 0, NONE);
			if (!rn(c, 2)) {
				/* a lower-only instance on top, too */
				cur(c, "mount lower-only", mnt);
				if (check(c, mount("layerfs", mnt, "layerfs", 0,
					lfs_fmt("lowerdir=%s/l1:%s/l2",
						self->base, self->base)),
					  NONE)) {
					cur(c, "umount lower-only", mnt);
					check(c, umount2(mnt, 0), NONE);
				}
			}
			cur(c, "umount", mnt);
			if (!check(c, umount2(mnt, 0), NONE))
				break;
			if (c->ws->err)
				break;
		}
		return;
	}
	/* the others keep the main mount busy */
	while (time(NULL) < end) {
		const char *p = M(lfs_fmt("d/g%u", rn(c, 8)));
		int fd;

		cur(c, "open O_RDWR", p);
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (check(c, fd, NONE)) {
			check(c, pwrite(fd, "G", 1, 0), NONE);
			close(fd);
		}
		cur(c, "readdir", M("d"));
		check(c, wu_count(M("d")) >= 8 ? 0 : (errno = ENOENT, -1),
		      NONE);
	}
}

TEST_F_TIMEOUT(stress, mount_umount_in_parallel, 120)
{
	int i;

	ASSERT_EQ(0, lfs_write(L("l2/f"), "f"));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/d")));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("l2/d/g%d", i)), "g"));
	for (i = 0; i < MAXW / 2; i++) {
		ASSERT_EQ(0, lfs_mkdir_p(L(lfs_fmt("mm%d", i))));
		ASSERT_EQ(0, lfs_mkdir_p(L(lfs_fmt("mu%d", i))));
		ASSERT_EQ(0, lfs_mkdir_p(L(lfs_fmt("mw%d", i))));
	}
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	run_workers(_metadata, self, self->nworkers, mount_worker);
	for (i = 0; i < self->nworkers / 2; i++) {
		EXPECT_EQ(EINVAL, umount2(L(lfs_fmt("mm%d", i)), 0) ? errno : 0)
			TH_LOG("mm%d still mounted", i);
		EXPECT_STREQ("n", lfs_cat(L(lfs_fmt("mu%d/d/n%d", i, 2 * i)),
					  self->buf, sizeof(self->buf)));
	}
	check_upper(_metadata, self);
}

TEST_HARNESS_MAIN
