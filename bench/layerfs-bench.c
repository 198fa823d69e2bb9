// SPDX-License-Identifier: GPL-2.0
/*
 * bench/layerfs-bench.c - layerfs vs overlayfs vs plain tmpfs, side by side.
 *
 * Runs in the benchmark VM (scripts/vm.sh --mode bench, started by
 * "make bench"), as root, with layerfs.ko and overlay.ko loaded.  Built
 * static: the VM has busybox and no libc.
 *
 * Usage: layerfs-bench [-r RUNS] [-s SCALE] [-c SUBSTRING] [-t TARBALL]
 *                      [-d DIR]
 *
 *   -r RUNS       measured runs of every case and system (default 15), after
 *                 one untimed warm-up run of each
 *   -s SCALE      multiply the file counts and sizes (default 1.0)
 *   -c SUBSTRING  only the cases whose name contains SUBSTRING (several,
 *                 comma-separated: any of them)
 *   -t TARBALL    the source tree for untar/rm_rf (default /bench/src.tar)
 *   -d DIR        where to mount the scratch tmpfs (default /mnt/bench)
 *
 * Every case belongs to a layout: a set of lower layers (built once, shared
 * by the layerfs and the overlay mounts, never modified by them), an upper
 * layer (rebuilt before every stacked run, so each run starts from the same
 * fresh state), and a "plain" tree, the merged view built directly on the
 * same tmpfs (rebuilt before every run for cases that modify it).  A layout
 * may instead live on a filesystem of its own, made for it in a sparse
 * image on the tmpfs and loop-mounted (lfs_make_fs() of the selftests'
 * layerfs_util.h; scripts/vm.sh puts mkfs.xfs and the modules in the VM):
 * copyup_reflink keeps all its layers on one XFS, where a copy-up can
 * clone the lower file instead of copying it.  A run
 * mounts layerfs or overlay afresh on these layers (overlay with
 * redirect_dir=off,index=off,metacopy=off,xino=off; the cases named in
 * case_opts[] give both more options, e.g. metacopy=on), or uses the plain
 * tree;
 * the three systems alternate and the order rotates from run to run; a
 * first round is run and thrown away (the first use of tmpfs pages and slab
 * objects is slower than the steady state).  Cold
 * cases drop the dentry and inode caches (/proc/sys/vm/drop_caches) just
 * before the timed part; warm cases run the timed part once untimed first.
 * Only the operation itself is timed, with CLOCK_MONOTONIC.
 *
 * Output: "raw CASE SYSTEM RUN NS" lines, then an RST table of medians with
 * the ratios layerfs/overlay and layerfs/plain, and the median of the
 * per-round ratios layerfs/overlay ("paired").  Nothing fails on a timing:
 * the exit status is non-zero only when an operation failed or the systems
 * disagreed on a result (e.g. a readdir count).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* lfs_make_fs(): a loop-mounted XFS for the copyup_reflink layout. */
#include "../selftests/layerfs/layerfs_util.h"

extern char **environ;

enum { SYS_LAYERFS, SYS_OVERLAY, SYS_PLAIN, NSYS };
static const char *const sysname[NSYS] = { "layerfs", "overlay", "plain" };

static const char *base = "/mnt/bench";
static const char *tarball = "/bench/src.tar";
static const char *only;
static int runs = 15;
static double scale = 1.0;
static int nerrors;

#define MAXRES 4
#define MAXRUNS 64

/* ---------------------------------------------------------------- helpers */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "layerfs-bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));
	va_end(ap);
	exit(2);
}

static void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("bench: ERROR: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	nerrors++;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int S(int n)
{
	int v = (int)(n * scale);

	return v < 1 ? 1 : v;
}

static char *fmt(const char *f, ...)
{
	static char bufs[8][4096];
	static int i;
	char *b = bufs[i++ & 7];
	va_list ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return b;
}

static void mkdirs(const char *path)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			die("mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir %s", p);
}

static char pattern[1 << 20];

static void mkfile(const char *path, long long size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create %s", path);
	while (size > 0) {
		long long n = size < (long long)sizeof(pattern) ? size : (long long)sizeof(pattern);

		if (write(fd, pattern, n) != n)
			die("write %s", path);
		size -= n;
	}
	close(fd);
}

static void mkwhiteout(const char *path)
{
	if (mknod(path, S_IFCHR | 0000, makedev(0, 0)))
		die("whiteout %s", path);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (type == FTW_DP ? rmdir(path) : unlink(path)) {
		error("rm %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) && errno == ENOENT)
		return 0;
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3", 1) != 1)
		die("drop_caches");
	close(fd);
}

static int run_cmd(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))
		die("spawn %s", argv[0]);
	if (waitpid(pid, &st, 0) < 0)
		die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int untar(const char *dir)
{
	char *argv[] = { "/bin/tar", "-xf", (char *)tarball, "-C", (char *)dir, NULL };

	return run_cmd(argv);
}

/* Count the entries of one directory with getdents64. */
static long count_dir(int dirfd, const char *name)
{
	static char buf[32768];
	long n = 0, r;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -1;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < r) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			n++;
			off += d->d_reclen;
		}
	}
	close(fd);
	return r < 0 ? -1 : n;
}

/* ---------------------------------------------------------------- cases */

struct layout {
	const char *name;
	int nlower;
	void (*lower)(const char *dir, int i);	/* layer i, 0 = topmost lower */
	void (*upper)(const char *dir);		/* may be NULL */
	void (*plain)(const char *dir);
	const char *fs;		/* NULL: the tmpfs; else lfs_make_fs()'s type */
	int fs_mib;		/* its (sparse) image size in MiB, times -s SCALE */
};

struct bcase {
	const char *name;
	const struct layout *layout;
	int cold;		/* drop_caches before the timed part */
	int warm;		/* one untimed pass first */
	int plain_fresh;	/* rebuild the plain tree before every run */
	int nres;
	const char *res[MAXRES];	/* names of the results, when nres > 1 */
	/* Do the work under @root (open as @rootfd); fill ns[nres]. */
	int (*measure)(int rootfd, const char *root, long long *ns);
	const char *what;
};

/* --- tree3: 3 lowers x 10 dirs x (100 own + 30 shadowed) files */
#define T3_DIRS 10
#define T3_OWN S(100)
#define T3_SHARED S(30)

static void tree3_layer(const char *dir, int k, int all)
{
	for (int d = 0; d < T3_DIRS; d++) {
		mkdirs(fmt("%s/d%02d", dir, d));
		for (int kk = all ? 0 : k; kk <= (all ? 2 : k); kk++)
			for (int j = 0; j < T3_OWN; j++)
				mkfile(fmt("%s/d%02d/k%d_%d", dir, d, kk, j), 0);
		for (int j = 0; j < T3_SHARED; j++)
			mkfile(fmt("%s/d%02d/s%d", dir, d, j), 0);
	}
}

static void tree3_lower(const char *dir, int i) { tree3_layer(dir, i, 0); }
static void tree3_plain(const char *dir) { tree3_layer(dir, 0, 1); }

static int stat_all(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int d = 0; d < T3_DIRS; d++) {
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < T3_OWN; j++)
				bad += !!fstatat(rootfd, fmt("d%02d/k%d_%d", d, k, j), &st,
						 AT_SYMLINK_NOFOLLOW);
		for (int j = 0; j < T3_SHARED; j++)
			bad += !!fstatat(rootfd, fmt("d%02d/s%d", d, j), &st, AT_SYMLINK_NOFOLLOW);
	}
	ns[0] = now_ns() - t;
	if (bad)
		error("stat: %d files missing", bad);
	return bad ? -1 : 0;
}

static const struct layout tree3 = { "tree3", 3, tree3_lower, NULL, tree3_plain, NULL, 0 };

/* --- dir3: "big" merged from 3 lowers + upper with whiteouts; "solo" in one */
#define D3_OWN S(2000)
#define D3_SHARED S(1000)
#define D3_WH S(500)
#define D3_SOLO S(5000)

static void dir3_lower(const char *dir, int k)
{
	mkdirs(fmt("%s/big", dir));
	for (int j = 0; j < D3_OWN; j++)
		mkfile(fmt("%s/big/k%d_%d", dir, k, j), 0);
	for (int j = 0; j < D3_SHARED; j++)
		mkfile(fmt("%s/big/c%d", dir, j), 0);
	if (k == 2) {
		mkdirs(fmt("%s/solo", dir));
		for (int j = 0; j < D3_SOLO; j++)
			mkfile(fmt("%s/solo/s%d", dir, j), 0);
	}
}

static void dir3_upper(const char *dir)
{
	mkdirs(fmt("%s/big", dir));
	for (int j = 0; j < D3_WH; j++) {
		mkwhiteout(fmt("%s/big/k0_%d", dir, j));
		mkfile(fmt("%s/big/u%d", dir, j), 0);
	}
}

static void dir3_plain(const char *dir)
{
	mkdirs(fmt("%s/big", dir));
	for (int k = 0; k < 3; k++)
		for (int j = k ? 0 : D3_WH; j < D3_OWN; j++)
			mkfile(fmt("%s/big/k%d_%d", dir, k, j), 0);
	for (int j = 0; j < D3_SHARED; j++)
		mkfile(fmt("%s/big/c%d", dir, j), 0);
	for (int j = 0; j < D3_WH; j++)
		mkfile(fmt("%s/big/u%d", dir, j), 0);
	mkdirs(fmt("%s/solo", dir));
	for (int j = 0; j < D3_SOLO; j++)
		mkfile(fmt("%s/solo/s%d", dir, j), 0);
}

static int readdir_n(int rootfd, const char *name, long expect, long long *ns)
{
	long long t = now_ns();
	long n = 0;

	for (int i = 0; i < 5; i++)
		n = count_dir(rootfd, name);
	ns[0] = now_ns() - t;
	if (n != expect) {
		error("readdir %s: %ld entries, expected %ld", name, n, expect);
		return -1;
	}
	return 0;
}

static int readdir_big(int rootfd, const char *root, long long *ns)
{
	(void)root;
	return readdir_n(rootfd, "big", 3L * D3_OWN + D3_SHARED + 2, ns);
}

static int readdir_solo(int rootfd, const char *root, long long *ns)
{
	(void)root;
	return readdir_n(rootfd, "solo", D3_SOLO + 2L, ns);
}

static const struct layout dir3 = { "dir3", 3, dir3_lower, dir3_upper, dir3_plain, NULL, 0 };

/* --- stackN: N lowers, the files looked up are in the bottom one */
#define SK_FILES S(200)

static void stack30_lower(const char *dir, int i)
{
	mkfile(fmt("%s/x%d", dir, i), 0);
	if (i == 29)
		for (int j = 0; j < SK_FILES; j++)
			mkfile(fmt("%s/b%d", dir, j), 0);
}

static void stack500_lower(const char *dir, int i)
{
	mkfile(fmt("%s/x%d", dir, i), 0);
	if (i == 499)
		for (int j = 0; j < SK_FILES; j++)
			mkfile(fmt("%s/b%d", dir, j), 0);
}

static void stack_plain(const char *dir)
{
	for (int j = 0; j < SK_FILES; j++)
		mkfile(fmt("%s/b%d", dir, j), 0);
}

static int lookup_bottom(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < SK_FILES; j++)
		bad += !!fstatat(rootfd, fmt("b%d", j), &st, AT_SYMLINK_NOFOLLOW);
	ns[0] = now_ns() - t;
	if (bad)
		error("lookup: %d files missing", bad);
	return bad ? -1 : 0;
}

static const struct layout stack30 = {
	"stack30", 30, stack30_lower, NULL, stack_plain, NULL, 0
};
static const struct layout stack500 = {
	"stack500", 500, stack500_lower, NULL, stack_plain, NULL, 0
};

/* --- bigfile: one large file in the bottom of 2 lowers */
#define BIG_SIZE ((long long)S(64) << 20)
#define NRAND S(20000)

static void big_lower(const char *dir, int i)
{
	if (i == 1)
		mkfile(fmt("%s/big", dir), BIG_SIZE);
	else
		mkfile(fmt("%s/other", dir), 4096);
}

static void big_plain(const char *dir) { mkfile(fmt("%s/big", dir), BIG_SIZE); }

static char iobuf[1 << 20];

static int seq_read(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns(), total = 0;

	(void)root;
	for (int i = 0; i < 4; i++) {
		int fd = openat(rootfd, "big", O_RDONLY);
		ssize_t r;

		if (fd < 0)
			return error("open big: %s", strerror(errno)), -1;
		while ((r = read(fd, iobuf, sizeof(iobuf))) > 0)
			total += r;
		close(fd);
	}
	ns[0] = now_ns() - t;
	if (total != 4 * BIG_SIZE)
		return error("seq_read: read %lld bytes", total), -1;
	return 0;
}

static long long rand_off(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (long long)((*s >> 33) % (BIG_SIZE / 4096)) * 4096;
}

static int rand_read(int rootfd, const char *root, long long *ns)
{
	uint64_t seed = 42;
	long long t = now_ns();
	int fd = openat(rootfd, "big", O_RDONLY), bad = 0;

	(void)root;
	if (fd < 0)
		return error("open big: %s", strerror(errno)), -1;
	for (int i = 0; i < NRAND; i++)
		bad += pread(fd, iobuf, 4096, rand_off(&seed)) != 4096;
	close(fd);
	ns[0] = now_ns() - t;
	if (bad)
		error("rand_read: %d short reads", bad);
	return bad ? -1 : 0;
}

static int rand_mmap(int rootfd, const char *root, long long *ns)
{
	uint64_t seed = 42;
	long long t = now_ns();
	int fd = openat(rootfd, "big", O_RDONLY);
	char *p;

	(void)root;
	if (fd < 0)
		return error("open big: %s", strerror(errno)), -1;
	p = mmap(NULL, BIG_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return error("mmap big: %s", strerror(errno)), close(fd), -1;
	for (int i = 0; i < NRAND; i++)
		memcpy(iobuf, p + rand_off(&seed), 4096);
	munmap(p, BIG_SIZE);
	close(fd);
	ns[0] = now_ns() - t;
	return 0;
}

static int append_byte(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_APPEND);

	if (fd < 0)
		return -1;
	if (write(fd, "x", 1) != 1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int copyup_large(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int err = append_byte(rootfd, "big");

	(void)root;
	ns[0] = now_ns() - t;
	if (err)
		error("copyup_large: %s", strerror(errno));
	return err;
}

static const struct layout bigfile = { "bigfile", 2, big_lower, NULL, big_plain, NULL, 0 };

/*
 * --- bigxfs: one large file in a lower layer on an XFS (reflink=1, mkfs.xfs's
 * default) that also holds the upper layer, so a copy-up can share its
 * extents (vfs_clone_file_range()) instead of copying the data.
 */
#define XBIG_SIZE ((long long)S(256) << 20)

static void bigxfs_lower(const char *dir, int i)
{
	(void)i;
	mkfile(fmt("%s/big", dir), XBIG_SIZE);
}

static void bigxfs_plain(const char *dir) { mkfile(fmt("%s/big", dir), XBIG_SIZE); }

/* Room for the lower file, the plain one and a full copy, with some spare. */
static const struct layout bigxfs = {
	"bigxfs", 1, bigxfs_lower, NULL, bigxfs_plain, "xfs", 1024
};

/* --- small: many small files in one lower */
#define SM_FILES S(1000)

static void small_lower(const char *dir, int i)
{
	(void)i;
	mkdirs(fmt("%s/cu", dir));
	for (int j = 0; j < SM_FILES; j++)
		mkfile(fmt("%s/cu/f%d", dir, j), 1024);
}

static void small_plain(const char *dir) { small_lower(dir, 0); }

static int copyup_small(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < SM_FILES; j++)
		bad += !!append_byte(rootfd, fmt("cu/f%d", j));
	ns[0] = now_ns() - t;
	if (bad)
		error("copyup_small: %d failed (last: %s)", bad, strerror(errno));
	return bad ? -1 : 0;
}

static const struct layout small = { "small", 1, small_lower, NULL, small_plain, NULL, 0 };

/*
 * --- chown: a change of metadata of lower files, which copies them up
 * (with metacopy=on, without their data).  The 1,000 files of "small",
 * and one 256 MiB file.
 */
#define CH_BIG ((long long)S(256) << 20)

static void chbig_lower(const char *dir, int i)
{
	(void)i;
	mkfile(fmt("%s/big", dir), CH_BIG);
}

static void chbig_plain(const char *dir) { chbig_lower(dir, 0); }

static const struct layout chbig = { "chbig", 1, chbig_lower, NULL, chbig_plain, NULL, 0 };

/* The owner the chown cases give, not the files' own (root). */
#define CH_UID 1

static int chown_small(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < SM_FILES; j++)
		bad += !!fchownat(rootfd, fmt("cu/f%d", j), CH_UID, CH_UID,
				  AT_SYMLINK_NOFOLLOW);
	ns[0] = now_ns() - t;
	if (bad)
		error("chown_small: %d failed (last: %s)", bad, strerror(errno));
	return bad ? -1 : 0;
}

static int chown_big(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int err = fchownat(rootfd, "big", CH_UID, CH_UID, AT_SYMLINK_NOFOLLOW);

	(void)root;
	ns[0] = now_ns() - t;
	if (err)
		error("chown_big: %s", strerror(errno));
	return err;
}

/* Both stacked systems with metacopy=on (and the redirect_dir=on it needs). */
#define METACOPY_OPTS "redirect_dir=on,metacopy=on"

/* --- storm: create/rename/unlink in a merged dir; unlink lower files */
#define ST_LOWER S(500)
#define ST_NEW S(2000)

static void storm_lower(const char *dir, int i)
{
	(void)i;
	mkdirs(fmt("%s/st", dir));
	for (int j = 0; j < ST_LOWER; j++)
		mkfile(fmt("%s/st/l%d", dir, j), 100);
}

static void storm_upper(const char *dir) { mkdirs(fmt("%s/st", dir)); }
static void storm_plain(const char *dir) { storm_lower(dir, 0); }

static int storm(int rootfd, const char *root, long long *ns)
{
	int dfd = openat(rootfd, "st", O_RDONLY | O_DIRECTORY), bad = 0;
	long long t;

	(void)root;
	if (dfd < 0)
		return error("open st: %s", strerror(errno)), -1;
	t = now_ns();
	for (int j = 0; j < ST_NEW; j++) {
		int fd = openat(dfd, fmt("n%d", j), O_WRONLY | O_CREAT | O_EXCL, 0644);

		bad += fd < 0;
		if (fd >= 0)
			close(fd);
	}
	ns[0] = now_ns() - t;
	t = now_ns();
	for (int j = 0; j < ST_NEW; j++)
		bad += !!renameat(dfd, fmt("n%d", j), dfd, fmt("r%d", j));
	ns[1] = now_ns() - t;
	t = now_ns();
	for (int j = 0; j < ST_NEW; j++)
		bad += !!unlinkat(dfd, fmt("r%d", j), 0);
	ns[2] = now_ns() - t;
	t = now_ns();
	for (int j = 0; j < ST_LOWER; j++)
		bad += !!unlinkat(dfd, fmt("l%d", j), 0);
	ns[3] = now_ns() - t;
	close(dfd);
	if (bad)
		error("storm: %d operations failed (last: %s)", bad, strerror(errno));
	return bad ? -1 : 0;
}

static const struct layout storml = {
	"storm", 1, storm_lower, storm_upper, storm_plain, NULL, 0
};

/* --- untar: a real source tree into the merged root */
static void base_lower(const char *dir, int i)
{
	mkdirs(fmt("%s/etc", dir));
	mkfile(fmt("%s/etc/os-release", dir), 300);
	mkfile(fmt("%s/lower%d", dir, i), 100);
}

static void untar_plain(const char *dir) { base_lower(dir, 0); }

static int untar_case(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int rc = untar(root);

	(void)rootfd;
	ns[0] = now_ns() - t;
	if (rc)
		error("tar -xf into %s: exit %d", root, rc);
	return rc ? -1 : 0;
}

static const struct layout untarl = { "untar", 1, base_lower, NULL, untar_plain, NULL, 0 };

/* --- rm_rf: rm -rf of a tree that is all in a lower layer */
static void src_lower(const char *dir, int i)
{
	(void)i;
	if (untar(dir))
		die("tar -xf %s -C %s failed", tarball, dir);
}

static void src_plain(const char *dir) { src_lower(dir, 0); }

static int rm_rf_case(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int rc = rm_rf(fmt("%s/include", root));

	(void)rootfd;
	ns[0] = now_ns() - t;
	return rc ? -1 : 0;
}

static const struct layout rmrfl = { "rmrf", 1, src_lower, NULL, src_plain, NULL, 0 };

/*
 * --- renamedir: rename a directory whose 10,000 entries are all in the lower
 * layer, then list it at its new name.  Both stacked systems are mounted
 * with redirect_dir=on for this layout only (mount_stacked()): the rename
 * copies up the directory alone and sets a redirect, where without it
 * rename(2) fails with EXDEV and mv(1) copies every entry.
 */
#define RD_FILES S(10000)

static void renamedir_lower(const char *dir, int i)
{
	(void)i;
	mkdirs(fmt("%s/big", dir));
	for (int j = 0; j < RD_FILES; j++)
		mkfile(fmt("%s/big/f%d", dir, j), 0);
}

static void renamedir_plain(const char *dir) { renamedir_lower(dir, 0); }

static int renamedir(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int err = renameat(rootfd, "big", rootfd, "big2");

	(void)root;
	ns[0] = now_ns() - t;
	if (err)
		return error("rename big: %s", strerror(errno)), -1;
	return readdir_n(rootfd, "big2", RD_FILES + 2L, ns + 1);
}

static const struct layout renamel = {
	"renamedir", 1, renamedir_lower, NULL, renamedir_plain, NULL, 0
};

/* --- name index (fs/layerfs/nameindex.c): deep stacks */

/* stat 200 names that no layer has */
static int stat_none(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < SK_FILES; j++)
		bad += !fstatat(rootfd, fmt("none%d", j), &st, AT_SYMLINK_NOFOLLOW) ||
		       errno != ENOENT;
	ns[0] = now_ns() - t;
	if (bad)
		error("stat_none: %d names found", bad);
	return bad ? -1 : 0;
}

/* the first two lookups of bottom names: the second builds the index */
static int lookup_first(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < 2; j++)
		bad += !!fstatat(rootfd, fmt("b%d", j), &st, AT_SYMLINK_NOFOLLOW);
	ns[0] = now_ns() - t;
	if (bad)
		error("lookup: %d files missing", bad);
	return bad ? -1 : 0;
}

/* --- wide100: 100 lowers, d/ of 1000 entries in each, 500 of them shared */
#define W100_LAYERS 100
#define W100_SHARED S(500)
#define W100_OWN S(500)
#define W100_BOTTOM S(1000)

static void wide100_lower(const char *dir, int i)
{
	mkdirs(fmt("%s/d", dir));
	if (i == W100_LAYERS - 1) {
		for (int j = 0; j < W100_BOTTOM; j++)
			mkfile(fmt("%s/d/b%d", dir, j), 0);
		return;
	}
	for (int j = 0; j < W100_SHARED; j++)
		mkfile(fmt("%s/d/s%d", dir, j), 0);
	for (int j = 0; j < W100_OWN; j++)
		mkfile(fmt("%s/d/o%d_%d", dir, i, j), 0);
}

static void wide100_plain(const char *dir)
{
	mkdirs(fmt("%s/d", dir));
	for (int j = 0; j < W100_BOTTOM; j++)
		mkfile(fmt("%s/d/b%d", dir, j), 0);
}

static int stat_wide_bottom(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < W100_BOTTOM; j++)
		bad += !!fstatat(rootfd, fmt("d/b%d", j), &st, AT_SYMLINK_NOFOLLOW);
	ns[0] = now_ns() - t;
	if (bad)
		error("stat: %d files missing", bad);
	return bad ? -1 : 0;
}

/* a few lookups only: not worth reading d/ whole (nameindex_build_ratio) */
static int stat_wide_few(int rootfd, const char *root, long long *ns)
{
	struct stat st;
	long long t = now_ns();
	int bad = 0;

	(void)root;
	for (int j = 0; j < 10; j++)
		bad += !!fstatat(rootfd, fmt("d/b%d", j), &st, AT_SYMLINK_NOFOLLOW);
	ns[0] = now_ns() - t;
	if (bad)
		error("stat: %d files missing", bad);
	return bad ? -1 : 0;
}

static const struct layout wide100 = {
	"wide100", W100_LAYERS, wide100_lower, NULL, wide100_plain, NULL, 0
};

/*
 * --- docker25: an image of 25 layers.  The bottom one is the source tree
 * (as rm_rf_lower's); each of the 24 above adds a directory of its own
 * (app<k>/, 40 files), 20 files to include/linux/ and 5 to etc/, rewrites
 * "include/linux/version.h"-like shared files (etc/shared<j>), and whites
 * out two of the files the layer below added.  include/linux/ and etc/
 * thus merge through all 25 layers, the rest sits in one.
 */
#define DK_LAYERS 25

static void docker_layer(const char *dir, int k, int plain)
{
	int top = DK_LAYERS - 1;

	if (k == top) {
		if (untar(dir))
			die("tar -xf %s -C %s failed", tarball, dir);
		mkdirs(fmt("%s/etc", dir));
		return;
	}
	mkdirs(fmt("%s/app%d", dir, k));
	mkdirs(fmt("%s/include/linux", dir));
	mkdirs(fmt("%s/etc", dir));
	for (int j = 0; j < 40; j++)
		mkfile(fmt("%s/app%d/f%d", dir, k, j), 100);
	for (int j = 0; j < 20; j++)
		mkfile(fmt("%s/include/linux/k%d_%d.h", dir, k, j), 100);
	for (int j = 0; j < 5; j++)
		mkfile(fmt("%s/etc/conf%d_%d", dir, k, j), 50);
	for (int j = 0; j < 3; j++)
		mkfile(fmt("%s/etc/shared%d", dir, j), 50 + k);
	if (k + 1 < top) {
		for (int j = 0; j < 2; j++) {
			const char *p = fmt("%s/include/linux/k%d_%d.h", dir, k + 1, j);

			if (plain)
				unlink(p);
			else
				mkwhiteout(p);
		}
	}
}

static void docker_lower(const char *dir, int i) { docker_layer(dir, i, 0); }

/* The merged view: the layers applied bottom to top on one tree. */
static void docker_plain(const char *dir)
{
	for (int k = DK_LAYERS - 1; k >= 0; k--)
		docker_layer(dir, k, 1);
}

static long find_count;

static int find_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path; (void)st; (void)type; (void)ftw;
	find_count++;
	return 0;
}

/* find: every entry listed and lstat()ed (nftw), cold */
static int find_walk(int rootfd, const char *root, long long *ns)
{
	long long t = now_ns();
	int rc;

	(void)rootfd;
	find_count = 0;
	rc = nftw(root, find_one, 64, FTW_PHYS);
	ns[0] = now_ns() - t;
	if (rc || find_count < 1000)
		error("find %s: rc %d, %ld entries", root, rc, find_count);
	return rc || find_count < 1000 ? -1 : 0;
}

static const struct layout docker25 = {
	"docker25", DK_LAYERS, docker_lower, NULL, docker_plain, NULL, 0
};

/*
 * --- xoverN: the crossover of the name index.  d/ merges N lowers of 200
 * own names each; every name is stat()ed once, cold (what find or ls -l
 * do).  Layer by layer a name of layer i costs i + 1 lookups; with an index
 * (built at the first lookup for these cases) it costs one, after one
 * readdir of every layer.
 */
#define XO_NAMES S(200)

static void xover_lower(const char *dir, int i)
{
	mkdirs(fmt("%s/d", dir));
	for (int j = 0; j < XO_NAMES; j++)
		mkfile(fmt("%s/d/n%d_%d", dir, i, j), 0);
}

#define XOVER(n)							\
	static void xover##n##_plain(const char *dir)			\
	{								\
		for (int i = 0; i < n; i++)				\
			xover_lower(dir, i);				\
	}								\
	static int xover##n##_stat(int rootfd, const char *root, long long *ns) \
	{								\
		struct stat st;						\
		long long t = now_ns();					\
		int bad = 0;						\
									\
		(void)root;						\
		for (int i = 0; i < n; i++)				\
			for (int j = 0; j < XO_NAMES; j++)		\
				bad += !!fstatat(rootfd, fmt("d/n%d_%d", i, j), \
						 &st, AT_SYMLINK_NOFOLLOW); \
		ns[0] = now_ns() - t;					\
		if (bad)						\
			error("stat: %d files missing", bad);		\
		return bad ? -1 : 0;					\
	}								\
	static const struct layout xover##n = {				\
		"xover" #n, n, xover_lower, NULL, xover##n##_plain, NULL, 0 \
	}

XOVER(2);
XOVER(4);
XOVER(8);
XOVER(16);

/* The index built at the first lookup, in any stack: for the crossover. */
#define XO_PARAMS "nameindex_min_layers=1 nameindex_build_ratio=0"

/* layerfs module parameters set for a case ("name=value ..."), by name */
static const struct {
	const char *name, *params;
} case_params[] = {
	{ "xover_2", XO_PARAMS }, { "xover_4", XO_PARAMS },
	{ "xover_8", XO_PARAMS }, { "xover_16", XO_PARAMS },
	{ "xover_2_off", "nameindex_min_layers=0" },
	{ "xover_4_off", "nameindex_min_layers=0" },
	{ "xover_8_off", "nameindex_min_layers=0" },
	{ "xover_16_off", "nameindex_min_layers=0" },
};

static const struct bcase cases[] = {
	{ "stat_cold", &tree3, 1, 0, 0, 1, {0}, stat_all,
	  "lstat every file, 3 lowers x 10 dirs x (100 own + 30 shadowed), cold" },
	{ "stat_warm", &tree3, 0, 1, 0, 1, {0}, stat_all,
	  "the same, dcache warm" },
	{ "readdir_merged", &dir3, 0, 1, 0, 1, {0}, readdir_big,
	  "5 x list a dir merged from upper + 3 lowers (3x2000 own, 1000 shared, 500 whiteouts)" },
	{ "readdir_1layer", &dir3, 0, 1, 0, 1, {0}, readdir_solo,
	  "5 x list a 5000-entry dir that exists in one lower only" },
	{ "lookup_30", &stack30, 1, 0, 0, 1, {0}, lookup_bottom,
	  "stat 200 files of the bottom layer of 30 lowers, cold" },
	{ "lookup_500", &stack500, 1, 0, 0, 1, {0}, lookup_bottom,
	  "stat 200 files of the bottom layer of 500 lowers, cold" },
	{ "lookup_500_first", &stack500, 1, 0, 0, 1, {0}, lookup_first,
	  "stat 2 files of the bottom of 500 lowers, cold (the 2nd builds the index)" },
	{ "stat_none_500", &stack500, 1, 0, 0, 1, {0}, stat_none,
	  "stat 200 names that no layer has, 500 lowers, cold" },
	{ "stat_wide_100", &wide100, 1, 0, 0, 1, {0}, stat_wide_bottom,
	  "stat 1000 bottom files of d/, 100 lowers x 1000 entries, cold" },
	{ "stat_wide_100_few", &wide100, 1, 0, 0, 1, {0}, stat_wide_few,
	  "stat 10 bottom files of that d/, cold (too few to build its index)" },
	{ "find_docker25", &docker25, 1, 0, 0, 1, {0}, find_walk,
	  "find (nftw + lstat) of a 25-layer image (source tree + 24 small layers), cold" },
	{ "xover_2", &xover2, 1, 0, 0, 1, {0}, xover2_stat,
	  "stat each of 2 x 200 names of d/ (2 lowers) once, cold, index built at once" },
	{ "xover_2_off", &xover2, 1, 0, 0, 1, {0}, xover2_stat,
	  "xover_2 with the index off (nameindex_min_layers=0)" },
	{ "xover_4", &xover4, 1, 0, 0, 1, {0}, xover4_stat,
	  "the same, 4 lowers" },
	{ "xover_4_off", &xover4, 1, 0, 0, 1, {0}, xover4_stat,
	  "xover_4 with the index off" },
	{ "xover_8", &xover8, 1, 0, 0, 1, {0}, xover8_stat,
	  "the same, 8 lowers" },
	{ "xover_8_off", &xover8, 1, 0, 0, 1, {0}, xover8_stat,
	  "xover_8 with the index off" },
	{ "xover_16", &xover16, 1, 0, 0, 1, {0}, xover16_stat,
	  "the same, 16 lowers" },
	{ "xover_16_off", &xover16, 1, 0, 0, 1, {0}, xover16_stat,
	  "xover_16 with the index off" },
	{ "seq_read", &bigfile, 0, 1, 0, 1, {0}, seq_read,
	  "4 x read() a 64 MiB lower file, 1 MiB at a time" },
	{ "rand_read", &bigfile, 0, 1, 0, 1, {0}, rand_read,
	  "20000 random 4 KiB pread() of the 64 MiB lower file" },
	{ "rand_mmap", &bigfile, 0, 1, 0, 1, {0}, rand_mmap,
	  "20000 random 4 KiB reads of it through a fresh mmap" },
	{ "copyup_large", &bigfile, 0, 0, 0, 1, {0}, copyup_large,
	  "append 1 byte to the 64 MiB lower file (copy-up)" },
	{ "copyup_reflink", &bigxfs, 0, 0, 0, 1, {0}, copyup_large,
	  "append 1 byte to a 256 MiB lower file, all layers on one XFS (copy-up, clone)" },
	{ "copyup_small", &small, 0, 0, 1, 1, {0}, copyup_small,
	  "append 1 byte to each of 1000 1 KiB lower files (copy-up)" },
	{ "chown_small", &small, 0, 0, 1, 1, {0}, chown_small,
	  "chown each of 1000 1 KiB lower files (copy-up)" },
	{ "chown_small_meta", &small, 0, 0, 1, 1, {0}, chown_small,
	  "the same with metacopy=on on both (metadata-only copy-up)" },
	{ "chown_big", &chbig, 0, 0, 0, 1, {0}, chown_big,
	  "chown a 256 MiB lower file (copy-up)" },
	{ "chown_big_meta", &chbig, 0, 0, 0, 1, {0}, chown_big,
	  "the same with metacopy=on on both (metadata-only copy-up)" },
	{ "storm", &storml, 0, 0, 1, 4,
	  { "create", "rename", "unlink", "unlink_lower" }, storm,
	  "in a merged dir: create 2000, rename 2000, unlink 2000 files; unlink 500 lower files" },
	{ "untar", &untarl, 0, 0, 1, 1, {0}, untar_case,
	  "busybox tar -xf of a source tree into the merged root" },
	{ "rm_rf_lower", &rmrfl, 0, 0, 1, 1, {0}, rm_rf_case,
	  "rm -rf (nftw) of that tree when it is all in the lower layer" },
	{ "rename_dir", &renamel, 0, 0, 1, 2, { "rename", "readdir" }, renamedir,
	  "rename a lower dir of 10000 files (redirect_dir=on), then 5 x list it" },
};
#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

/* Cases that mount both stacked systems with more options, given last. */
static const struct {
	const char *name, *opts;
} case_opts[] = {
	{ "chown_small_meta", METACOPY_OPTS },
	{ "chown_big_meta", METACOPY_OPTS },
};

static const char *more_opts(const struct bcase *c)
{
	for (size_t i = 0; i < sizeof(case_opts) / sizeof(case_opts[0]); i++)
		if (!strcmp(c->name, case_opts[i].name))
			return case_opts[i].opts;
	return NULL;
}

/* ---------------------------------------------------------------- driver */

static long long results[NCASES][MAXRES][NSYS][MAXRUNS];
static int nresults[NCASES][MAXRES][NSYS];
static int failed[NCASES];

static const struct layout *cur_layout;

/* Remove the current layout, and the filesystem it had of its own. */
static void drop_layout(void)
{
	const struct layout *l = cur_layout;

	if (!l)
		return;
	if (l->fs) {
		if (umount2(fmt("%s/%s", base, l->name), 0))
			error("umount %s: %s", l->name, strerror(errno));
		unlink(fmt("%s/%s.img", base, l->name));
		rmdir(fmt("%s/%s", base, l->name));
	} else {
		rm_rf(fmt("%s/%s", base, l->name));
	}
	cur_layout = NULL;
}

static void build_layout(const struct layout *l)
{
	long long t = now_ns();
	int err;

	if (cur_layout == l)
		return;
	drop_layout();
	cur_layout = l;
	if (l->fs) {
		err = lfs_make_fs_sized(l->fs, NULL, fmt("%s/%s.img", base, l->name),
					fmt("%s/%s", base, l->name), NULL, S(l->fs_mib));
		if (err) {
			errno = err;
			die("making a %d MiB %s for layout %s", S(l->fs_mib), l->fs, l->name);
		}
	}
	for (int i = 0; i < l->nlower; i++) {
		char d[4096];

		snprintf(d, sizeof(d), "%s/%s/l/%d", base, l->name, i);
		mkdirs(d);
		l->lower(d, i);
	}
	mkdirs(fmt("%s/%s/m", base, l->name));
	printf("bench: built layout %s (%d lowers%s%s) in %.1f s\n", l->name, l->nlower,
	       l->fs ? ", on " : "", l->fs ? l->fs : "", (now_ns() - t) / 1e9);
	fflush(stdout);
}

static int mount_stacked(const struct layout *l, int sys, const char *mnt,
			 const char *extra)
{
	static char opts[4096];
	int n;

	if (chdir(fmt("%s/%s/l", base, l->name)))
		die("chdir");
	n = snprintf(opts, sizeof(opts), "lowerdir=");
	for (int i = 0; i < l->nlower; i++)
		n += snprintf(opts + n, sizeof(opts) - n, "%s%d", i ? ":" : "", i);
	n += snprintf(opts + n, sizeof(opts) - n, ",upperdir=../u,workdir=../w");
	/* a directory with lower parts moves only with redirects, on both */
	if (l == &renamel)
		n += snprintf(opts + n, sizeof(opts) - n, ",redirect_dir=on");
	if (sys == SYS_OVERLAY)
		n += snprintf(opts + n, sizeof(opts) - n, "%s,index=off,metacopy=off,xino=off",
			      l == &renamel ? "" : ",redirect_dir=off");
	/* given last, so that they win over the defaults above */
	if (extra)
		n += snprintf(opts + n, sizeof(opts) - n, ",%s", extra);
	if (n >= (int)sizeof(opts) - 1)
		die("mount options too long");
	if (mount(sys == SYS_OVERLAY ? "overlay" : "layerfs", mnt, sysname[sys], 0, opts)) {
		error("mount %s on %s: %s", sysname[sys], mnt, strerror(errno));
		chdir("/");
		return -1;
	}
	chdir("/");
	return 0;
}

/*
 * Set the layerfs module parameters "name=value ..." of @params, keeping
 * the old values for restore_params().
 */
#define MAXPARAMS 4
static char saved_params[MAXPARAMS][2][64];
static int nsaved;

static void set_params(const char *params)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", params);
	for (tok = strtok_r(buf, " ", &save); tok && nsaved < MAXPARAMS;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		const char *path;
		char old[64] = "";
		int fd;
		ssize_t n;

		if (!eq)
			die("bad parameter %s", tok);
		*eq = '\0';
		path = fmt("/sys/module/layerfs/parameters/%s", tok);
		fd = open(path, O_RDWR);
		if (fd < 0)
			die("open %s", path);
		n = read(fd, old, sizeof(old) - 1);
		old[n > 0 ? n : 0] = '\0';
		snprintf(saved_params[nsaved][0], 64, "%s", tok);
		snprintf(saved_params[nsaved][1], 64, "%s", old);
		nsaved++;
		if (pwrite(fd, eq + 1, strlen(eq + 1), 0) < 0)
			die("write %s", path);
		close(fd);
	}
}

static void restore_params(void)
{
	while (nsaved > 0) {
		int fd;

		nsaved--;
		fd = open(fmt("/sys/module/layerfs/parameters/%s",
				  saved_params[nsaved][0]), O_WRONLY);

		if (fd < 0 || write(fd, saved_params[nsaved][1],
				    strlen(saved_params[nsaved][1])) < 0)
			error("restoring %s", saved_params[nsaved][0]);
		if (fd >= 0)
			close(fd);
	}
}

/*
 * The name index's own figures of the layerfs mount on @mnt (sysfs
 * counters): indexes built, and the time spent building them.
 */
static long long index_builds[64][MAXRUNS];
static long long index_build_ns[64][MAXRUNS];

static long long layerfs_counter(const char *mnt, const char *name)
{
	char buf[64];
	dev_t dev;

	if (lfs_mount_dev(mnt, &dev))
		return -1;
	lfs_cat(fmt("/sys/fs/layerfs/%u:%u/%s", major(dev), minor(dev), name),
		buf, sizeof(buf));
	return buf[0] == '<' ? -1 : atoll(buf);
}

static void run_one(int ci, int sys, int run)
{
	const struct bcase *c = &cases[ci];
	const struct layout *l = c->layout;
	char top[1024], root[4096], u[4096], w[4096];
	long long ns[MAXRES] = { 0 };
	int rootfd, err;

	snprintf(top, sizeof(top), "%s/%s", base, l->name);
	if (sys == SYS_PLAIN) {
		snprintf(root, sizeof(root), "%s/p", top);
		if (c->plain_fresh || access(root, F_OK)) {
			rm_rf(root);
			mkdirs(root);
			l->plain(root);
		}
	} else {
		snprintf(u, sizeof(u), "%s/u", top);
		snprintf(w, sizeof(w), "%s/w", top);
		snprintf(root, sizeof(root), "%s/m", top);
		rm_rf(u);
		rm_rf(w);
		mkdirs(u);
		mkdirs(w);
		if (l->upper)
			l->upper(u);
		if (mount_stacked(l, sys, root, more_opts(c))) {
			failed[ci] = 1;
			return;
		}
	}
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	if (rootfd < 0)
		die("open %s", root);
	if (c->warm)
		c->measure(rootfd, root, ns);
	if (c->cold)
		drop_caches();
	err = c->measure(rootfd, root, ns);
	close(rootfd);
	if (sys == SYS_LAYERFS && run >= 0 && ci < 64) {
		index_builds[ci][run] = layerfs_counter(root, "nameidx_built");
		index_build_ns[ci][run] = layerfs_counter(root, "nameidx_build_ns");
	}
	if (sys != SYS_PLAIN && umount2(root, 0)) {
		error("umount %s: %s", root, strerror(errno));
		umount2(root, MNT_DETACH);
	}
	if (err) {
		failed[ci] = 1;
		printf("bench: %s %s run %d failed\n", c->name, sysname[sys], run);
		return;
	}
	if (run < 0)
		return;		/* the warm-up round */
	for (int r = 0; r < c->nres; r++) {
		results[ci][r][sys][nresults[ci][r][sys]++] = ns[r];
		printf("raw %s%s%s %s %d %lld\n", c->name, c->nres > 1 ? "/" : "",
		       c->nres > 1 ? c->res[r] : "", sysname[sys], run, ns[r]);
	}
	fflush(stdout);
}

/* Is case @name among those of -c (comma-separated substrings)? */
static int selected(const char *name)
{
	char buf[256], *tok, *save = NULL;

	if (!only)
		return 1;
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strstr(name, tok))
			return 1;
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static double median(long long *v, int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ll);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median over the rounds of layerfs/overlay within each round: the two
 * ran back to back, so a slow spell of a loaded host tends to hit both, and
 * this ratio is steadier than the ratio of the medians.  Call before
 * median() sorts the results; 0 when the rounds do not pair up.
 */
static double paired_ratio(int ci, int r)
{
	const long long *l = results[ci][r][SYS_LAYERFS];
	const long long *o = results[ci][r][SYS_OVERLAY];
	int n = nresults[ci][r][SYS_LAYERFS];
	double q[MAXRUNS];

	if (!n || n != nresults[ci][r][SYS_OVERLAY])
		return 0;
	for (int i = 0; i < n; i++)
		q[i] = o[i] ? (double)l[i] / o[i] : 0;
	qsort(q, n, sizeof(*q), cmp_double);
	return n & 1 ? q[n / 2] : (q[n / 2 - 1] + q[n / 2]) / 2;
}

static void print_table(void)
{
	const char *rule = "======================== ========== ========== ========== "
			   "============= ====== =========== ======";

	printf("\n%s\n", rule);
	printf("%-24s %10s %10s %10s %13s %6s %11s %6s\n", "case", "layerfs",
	       "overlay", "plain", "layerfs/ovl", "paired", "layerfs/pln", "iqr");
	printf("%s\n", rule);
	for (int ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];

		if (!selected(c->name))
			continue;
		for (int r = 0; r < c->nres; r++) {
			double med[NSYS], iqr = 0, paired = paired_ratio(ci, r);
			char name[64];

			snprintf(name, sizeof(name), "%s%s%s", c->name, c->nres > 1 ? "/" : "",
				 c->nres > 1 ? c->res[r] : "");
			for (int s = 0; s < NSYS; s++) {
				int n = nresults[ci][r][s];

				med[s] = median(results[ci][r][s], n) / 1e6;
				/* interquartile range / median, the worse of
				 * layerfs and overlay (median() sorted them) */
				if (s != SYS_PLAIN && n && med[s] > 0) {
					double q = (results[ci][r][s][(3 * n) / 4] -
						    results[ci][r][s][n / 4]) / 1e6 / med[s];
					if (q > iqr)
						iqr = q;
				}
			}
			if (failed[ci] || !nresults[ci][r][0] || !nresults[ci][r][1] ||
			    !nresults[ci][r][2]) {
				printf("%-24s %10s %10s %10s %13s %6s %11s %6s\n", name,
				       "failed", "", "", "", "", "", "");
				continue;
			}
			printf("%-24s %10.2f %10.2f %10.2f %13.2f %6.2f %11.2f %5.0f%%\n",
			       name, med[0], med[1], med[2], med[0] / med[1], paired,
			       med[0] / med[2], iqr * 100);
		}
	}
	printf("%s\n", rule);
	printf("(medians of %d runs in ms; paired = median of the per-round ratios "
	       "layerfs/overlay;\n iqr = interquartile range / median, "
	       "the worse of layerfs and overlay)\n\n", runs);
	for (int ci = 0; ci < NCASES; ci++)
		if (selected(cases[ci].name))
			printf("  %-16s %s\n", cases[ci].name, cases[ci].what);

	/* the first-lookup cost, apart: what building the indexes took */
	printf("\nname index builds, layerfs (median per run, inside the times above):\n");
	for (int ci = 0; ci < NCASES && ci < 64; ci++) {
		long long b[MAXRUNS], t[MAXRUNS];
		int n = nresults[ci][0][SYS_LAYERFS];

		if (!selected(cases[ci].name) || !n)
			continue;
		memcpy(b, index_builds[ci], n * sizeof(*b));
		memcpy(t, index_build_ns[ci], n * sizeof(*t));
		if (median(b, n) <= 0)
			continue;
		printf("  %-24s %6.0f indexes, %9.3f ms\n", cases[ci].name, median(b, n),
		       median(t, n) / 1e6);
	}
}

int main(int argc, char **argv)
{
	long long t0 = now_ns();
	int opt;

	while ((opt = getopt(argc, argv, "r:s:c:t:d:")) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg); break;
		case 's': scale = atof(optarg); break;
		case 'c': only = optarg; break;
		case 't': tarball = optarg; break;
		case 'd': base = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-r RUNS] [-s SCALE] [-c SUBSTRING] "
				"[-t TARBALL] [-d DIR]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > MAXRUNS)
		runs = runs < 1 ? 1 : MAXRUNS;
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = 'a' + i % 26;
	setvbuf(stdout, NULL, _IOLBF, 0);

	mkdirs(base);
	if (mount("tmpfs", base, "tmpfs", 0, "size=80%,mode=0755"))
		die("mount tmpfs on %s", base);
	printf("bench: %d runs, scale %.2f, kernel: ", runs, scale);
	fflush(stdout);
	{
		char *argv_u[] = { "/bin/uname", "-r", NULL };

		run_cmd(argv_u);
	}

	for (int ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];
		long long t = now_ns();

		if (!selected(c->name))
			continue;
		build_layout(c->layout);
		for (size_t k = 0; k < sizeof(case_params) / sizeof(case_params[0]); k++)
			if (!strcmp(case_params[k].name, c->name))
				set_params(case_params[k].params);
		for (int run = -1; run < runs; run++)
			for (int k = 0; k < NSYS; k++)
				run_one(ci, (run + 1 + k) % NSYS, run);
		restore_params();
		printf("bench: case %s done in %.1f s\n", c->name, (now_ns() - t) / 1e9);
	}
	drop_layout();
	umount2(base, MNT_DETACH);

	print_table();
	printf("\nbench: total %.0f s, %d errors\n", (now_ns() - t0) / 1e9, nerrors);
	return nerrors ? 1 : 0;
}
