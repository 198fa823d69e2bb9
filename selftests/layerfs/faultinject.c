// SPDX-License-Identifier: GPL-2.0
/*
 * faultinject.c - fail every allocation, one at a time, inside single
 * syscalls that go through layerfs, and check that each failure surfaces
 * as an errno (or the syscall succeeds anyway) and leaves a consistent
 * mount behind.
 *
 * It uses the per-task fault injection of CONFIG_FAULT_INJECTION
 * (Documentation/fault-injection/fault-injection.rst): writing N to
 * /proc/thread-self/fail-nth makes the N-th fault site the task reaches
 * fail (a slab allocation with CONFIG_FAILSLAB, a page allocation with
 * CONFIG_FAIL_PAGE_ALLOC); reading it back gives 0 when that fault was
 * injected and the rest of the count when the syscall ended first.  The
 * debugfs knobs are set so that sleeping (GFP_KERNEL) allocations and
 * single pages can fail too, and quietly (verbose=0: the VM's verdict
 * treats a stack dump as a kernel problem); they are restored afterwards.
 *
 * Every operation runs with N = 1, 2, ... on a fresh stack until the
 * syscall ends without reaching the N-th fault site; N - 1 is then the
 * number of injection points of that syscall, which the test logs.  After
 * every run: the merged view is the one from before the syscall, or the
 * one the syscall makes when it succeeds; work/work holds no temporary
 * (after a failed mount: once the next mount is up); the mount unmounts
 * (no leaked reference).  Kernels without fail-nth
 * (Debian's stock kernels) SKIP; "make check KERNEL=debug" runs it.
 *
 * The stack, three lowers and an upper (top first: u l1 l2 l3):
 *   l1: a="A1" d/x d/sub/f="F1"       l2: a b wo/old lo_f="LO" d/y
 *   l3: c d/z                         u:  d/u, wo = whiteout
 * so the merged root is "a,b,c,d,lo_f" and d is "sub,u,x,y,z".
 */
#define _GNU_SOURCE

#include <ftw.h>
#include <linux/types.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

/* Give up on an operation that still fails at this many injections. */
#define FI_MAX_POINTS	5000
#define FI_ROOT_VIEW	"a,b,c,d,lo_f"
#define FI_D_VIEW	"sub,u,x,y,z"

/* The debugfs knobs we change, restored in the teardown. */
static const char *const fi_knobs[][2] = {
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/verbose", "0" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_page_alloc/verbose", "0" },
};

#define FI_NKNOBS	ARRAY_SIZE(fi_knobs)
#define FI_DEBUGFS	"/sys/kernel/debug"

struct fi_ctx {
	char base[PATH_MAX];
	char run[PATH_MAX + 8];	/* $/run: the layers of one iteration */
	char saved[FI_NKNOBS][32];
	char buf[8192];
	int nth;		/* /proc/thread-self/fail-nth */
	int dirfd;		/* readdir: the open merged directory */
	bool mounted;
};

struct fi_op;

FIXTURE(fi) {
	struct fi_ctx c;
};

/* Each variant is one operation (struct fi_op, below). */
FIXTURE_VARIANT(fi) {
	const struct fi_op *op;
};

#define R(rel)		lfs_fmt("%s/%s", self->run, rel)
#define M(rel)		R("m/" rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))
#define LS(path)	lfs_list(path, self->buf, sizeof(self->buf))

static int fi_read_knob(const char *knob, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(lfs_fmt("%s/%s", FI_DEBUGFS, knob), O_RDONLY);

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int fi_write_knob(const char *knob, const char *value)
{
	ssize_t n, len = strlen(value);
	int fd = open(lfs_fmt("%s/%s", FI_DEBUGFS, knob), O_WRONLY);

	if (fd < 0)
		return errno;
	n = write(fd, value, len);
	close(fd);
	return n == len ? 0 : errno;
}

/* Arm fail-nth: the @n-th fault site from now on fails. */
static int fi_arm(int nth, unsigned int n)
{
	char num[16];
	int len = snprintf(num, sizeof(num), "%u", n);

	return pwrite(nth, num, len, 0) == len ? 0 : errno;
}

/*
 * Disarm fail-nth.  Returns 1 when the armed fault was injected, 0 when
 * the syscall ended before reaching it, -errno when fail-nth is unusable.
 */
static int fi_disarm(int nth)
{
	char num[16];
	ssize_t n = pread(nth, num, sizeof(num) - 1, 0);

	if (n <= 0 || pwrite(nth, "0", 1, 0) != 1)
		return -(errno ? errno : EIO);
	num[n] = '\0';
	return atoi(num) == 0;
}

static int fi_rm_one(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	return remove(path) ? errno : 0;
}

/* Remove the previous iteration's layers and build them again. */
static int fi_fresh(struct fi_ctx *self)
{
	static const char *const dirs[] = {
		"l1/d/sub", "l2/d", "l2/wo", "l3/d", "u/d", "w", "m",
	};
	static const char *const files[][2] = {
		{ "l1/a", "A1" }, { "l1/d/x", "X1" }, { "l1/d/sub/f", "F1" },
		{ "l2/a", "A2" }, { "l2/b", "B2" }, { "l2/wo/old", "OLD" },
		{ "l2/lo_f", "LO" }, { "l2/d/y", "Y2" }, { "l3/c", "C3" },
		{ "l3/d/z", "Z3" }, { "u/d/u", "U" },
	};
	unsigned int i;
	int err;

	if (nftw(self->run, fi_rm_one, 16, FTW_DEPTH | FTW_PHYS) &&
	    errno != ENOENT)
		return errno;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		err = lfs_mkdir_p(R(dirs[i]));
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		err = lfs_write(R(files[i][0]), files[i][1]);
		if (err)
			return err;
	}
	return lfs_whiteout(R("u/wo"));
}

static const char *fi_opts(struct fi_ctx *self)
{
	return lfs_expand(self->run,
			  "lowerdir=$/l1:$/l2:$/l3,upperdir=$/u,workdir=$/w");
}

static int fi_do_mount(struct fi_ctx *self)
{
	int err = lfs_mount(R("m"), fi_opts(self));

	self->mounted = !err;
	return err;
}

static void fi_ctx_init(struct __test_metadata *_metadata, struct fi_ctx *self)
{
	unsigned int i;

	self->nth = -1;
	self->dirfd = -1;
	LFS_REQUIRE(return);
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (self->nth < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	ASSERT_EQ(0, lfs_private_ns());
	if (access(FI_DEBUGFS "/failslab", F_OK))
		mount("debugfs", FI_DEBUGFS, "debugfs", 0, NULL);
	if (access(FI_DEBUGFS "/failslab", F_OK) ||
	    access(FI_DEBUGFS "/fail_page_alloc", F_OK))
		SKIP(return, "no failslab and fail_page_alloc in debugfs");
	for (i = 0; i < FI_NKNOBS; i++) {
		ASSERT_EQ(0, fi_read_knob(fi_knobs[i][0], self->saved[i],
					  sizeof(self->saved[i])));
		ASSERT_EQ(0, fi_write_knob(fi_knobs[i][0], fi_knobs[i][1]));
	}
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->run, sizeof(self->run), "%s/run", self->base);
}

static void fi_ctx_fini(struct __test_metadata *_metadata, struct fi_ctx *self)
{
	unsigned int i;

	if (self->nth < 0)
		return;
	pwrite(self->nth, "0", 1, 0);
	for (i = 0; i < FI_NKNOBS; i++)
		if (self->saved[i][0])
			fi_write_knob(fi_knobs[i][0], self->saved[i]);
	if (self->dirfd >= 0)
		close(self->dirfd);
	LFS_DROP_BASE(self->base, "run/m");
}

FIXTURE_SETUP(fi)
{
	fi_ctx_init(_metadata, &self->c);
}

FIXTURE_TEARDOWN(fi)
{
	fi_ctx_fini(_metadata, &self->c);
}

/*
 * One operation under test: @prepare sets the stage (no injection), @run
 * is the single syscall (0 or errno), @check judges the state after it
 * (NULL when consistent, else what is wrong).  @check runs with the
 * mount still up when there is one.
 */
struct fi_op {
	const char *name;
	int (*prepare)(struct fi_ctx *self);
	int (*run)(struct fi_ctx *self);
	const char *(*check)(struct fi_ctx *self, int err);
};

/* The merged view from before any change: NULL or what differs. */
static const char *fi_view_unchanged(struct fi_ctx *self)
{
	if (strcmp(LS(M("")), FI_ROOT_VIEW))
		return "merged root changed";
	if (strcmp(LS(M("d")), FI_D_VIEW))
		return "merged d/ changed";
	if (strcmp(CAT(M("lo_f")), "LO") || strcmp(CAT(M("d/sub/f")), "F1"))
		return "file content changed";
	if (lfs_lstat_errno(M("wo")) != ENOENT)
		return "whited-out wo reappeared";
	return NULL;
}

static void fi_loop(struct __test_metadata *_metadata, struct fi_ctx *self,
		    const struct fi_op *op)
{
	unsigned int n, failed = 0, ok = 0;
	int err, fired, leftovers;
	const char *why;
	char errnos[256] = "";

	for (n = 1; n <= FI_MAX_POINTS; n++) {
		ASSERT_EQ(0, fi_fresh(self));
		if (op->prepare)
			ASSERT_EQ(0, op->prepare(self));
		ASSERT_EQ(0, fi_arm(self->nth, n));
		err = op->run(self);
		fired = fi_disarm(self->nth);
		ASSERT_LE(0, fired) TH_LOG("fail-nth: %s", strerror(-fired));
		if (!fired)
			ASSERT_EQ(0, err) TH_LOG("%s without a fault: %s",
						 op->name, strerror(err));
		why = op->check(self, err);
		ASSERT_EQ(NULL, why) TH_LOG("%s, fault %u (%s): %s", op->name,
					    n, err ? strerror(err) : "success",
					    why);
		if (self->dirfd >= 0) {
			close(self->dirfd);
			self->dirfd = -1;
		}
		if (self->mounted) {
			ASSERT_EQ(0, WU_ERR(umount2(R("m"), 0)))
				TH_LOG("%s, fault %u: umount: %s", op->name,
				       n, strerror(errno));
			self->mounted = false;
		}
		/* A failed mount may not have created work/ at all. */
		leftovers = wu_work_leftovers(R("w/work"));
		if (leftovers == -ENOENT)
			leftovers = 0;
		ASSERT_EQ(0, leftovers) TH_LOG("%s, fault %u: work/work: %s",
					       op->name, n, LS(R("w/work")));
		if (!fired)
			break;
		if (!err) {
			ok++;
		} else {
			failed++;
			if (!strstr(errnos, strerrorname_np(err)) &&
			    strlen(errnos) + 16 < sizeof(errnos))
				snprintf(errnos + strlen(errnos),
					 sizeof(errnos) - strlen(errnos), " %s",
					 strerrorname_np(err));
		}
	}
	ASSERT_GE(FI_MAX_POINTS, n) TH_LOG("%s: more than %d points", op->name,
					   FI_MAX_POINTS);
	TH_LOG("%s: %u injection points: %u failed (%s ), %u succeeded anyway",
	       op->name, n - 1, failed, failed ? errnos : " none", ok);
}

/* ---- mount(2) with three lowers and an upper */

static int fi_mount_run(struct fi_ctx *self)
{
	return fi_do_mount(self);
}

/*
 * A failed mount may leave temporaries in work/work (its upper probes);
 * the next mount must empty it (checked after the unmount).
 */
static const char *fi_mount_check(struct fi_ctx *self, int err)
{
	dev_t dev;

	if (err && lfs_mount_dev(R("m"), &dev) != ENOENT)
		return "a failed mount left something mounted";
	if (err && fi_do_mount(self))
		return "mounting again after the failure fails";
	return fi_view_unchanged(self);
}

/* ---- lookup: stat(2) of a name three merged levels down, cold dcache */

static int fi_lookup_run(struct fi_ctx *self)
{
	struct stat st;

	return stat(M("d/sub/f"), &st) ? errno : 0;
}

static const char *fi_lookup_check(struct fi_ctx *self, int err)
{
	struct stat st;

	if (stat(M("d/sub/f"), &st) || st.st_size != 2)
		return "d/sub/f does not stat after the fault";
	return fi_view_unchanged(self);
}

/* ---- readdir: getdents64 of the merged d/ (upper + two lowers) */

static int fi_readdir_prepare(struct fi_ctx *self)
{
	int err = fi_do_mount(self);

	if (err)
		return err;
	self->dirfd = open(M("d"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (self->dirfd < 0)
		return errno;
	/*
	 * Start past "." and "..": getdents64 returns an error only when it
	 * returned no entry before it, and layerfs lists the dots before it
	 * reads the layers.
	 */
	return lseek(self->dirfd, 2, SEEK_SET) == 2 ? 0 : errno;
}

static int fi_readdir_run(struct fi_ctx *self)
{
	return syscall(SYS_getdents64, self->dirfd, self->buf,
		       sizeof(self->buf)) < 0 ? errno : 0;
}

struct fi_dirent64 {
	__u64 ino;
	__s64 off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/*
 * The names getdents64 returns on @fd from offset 0, sorted, "." and ".."
 * left out, as "a,b,c" (like lfs_list(), but on an already open directory).
 */
static const char *fi_dirfd_list(int fd, char *out, size_t len)
{
	char dents[4096], names[32][NAME_MAX + 1];
	char *sorted[32];
	size_t n = 0, i, o = 0;
	long got, pos;

	if (lseek(fd, 0, SEEK_SET))
		return "<lseek failed>";
	while ((got = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (pos = 0; pos < got; ) {
			struct fi_dirent64 *de = (void *)(dents + pos);

			pos += de->reclen;
			if (!strcmp(de->name, ".") || !strcmp(de->name, ".."))
				continue;
			if (n == 32)
				return "<too many names>";
			snprintf(names[n], sizeof(names[n]), "%s", de->name);
			sorted[n] = names[n];
			n++;
		}
	}
	if (got < 0)
		return "<getdents64 failed>";
	qsort(sorted, n, sizeof(sorted[0]), lfs_strcmp_p);
	out[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s", i ? "," : "",
			      sorted[i]);
	return out;
}

static const char *fi_readdir_check(struct fi_ctx *self, int err)
{
	if (strcmp(fi_dirfd_list(self->dirfd, self->buf, sizeof(self->buf)),
		   FI_D_VIEW))
		return "rereading the same open directory gives another list";
	return fi_view_unchanged(self);
}

/* ---- copy-up: open(O_WRONLY) of a lower file whose parent is lower too */

static int fi_copyup_run(struct fi_ctx *self)
{
	int fd = open(M("d/sub/f"), O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static const char *fi_copyup_check(struct fi_ctx *self, int err)
{
	int up = lfs_lstat_errno(R("u/d/sub/f"));

	if (!err && up)
		return "open for write succeeded without a copy-up";
	if (!up && strcmp(CAT(R("u/d/sub/f")), "F1"))
		return "the upper copy is incomplete";
	if (strcmp(CAT(R("l1/d/sub/f")), "F1"))
		return "the lower file changed";
	return fi_view_unchanged(self);
}

/* ---- unlink of a lower file: leaves a whiteout */

static int fi_unlink_run(struct fi_ctx *self)
{
	return unlink(M("lo_f")) ? errno : 0;
}

static const char *fi_unlink_check(struct fi_ctx *self, int err)
{
	if (err && lfs_lstat_errno(R("u/lo_f")) != ENOENT)
		return "a failed unlink left something in the upper";
	if (err)
		return fi_view_unchanged(self);
	if (!wu_is_whiteout(R("u/lo_f")))
		return "no whiteout after the unlink";
	if (strcmp(LS(M("")), "a,b,c,d"))
		return "lo_f still listed";
	if (lfs_lstat_errno(M("lo_f")) != ENOENT)
		return "lo_f still there";
	return NULL;
}

/* ---- mkdir over a whiteout: makes an opaque directory */

static int fi_mkdir_run(struct fi_ctx *self)
{
	return mkdir(M("wo"), 0755) ? errno : 0;
}

/*
 * A failed mkdir may have created the directory before the failure (the
 * upper directory is in place, only the layerfs inode could not be made):
 * then it must show like one made by a successful mkdir.
 */
static const char *fi_mkdir_check(struct fi_ctx *self, int err)
{
	if (err && wu_is_whiteout(R("u/wo")))
		return fi_view_unchanged(self);
	if (lfs_lstat_errno(M("wo")))
		return "wo does not stat (a stale negative dentry?)";
	if (!wu_is_opaque(R("u/wo")))
		return "the new directory is not opaque";
	if (strcmp(LS(M("wo")), ""))
		return "the new directory shows lower names";
	if (strcmp(LS(M("")), "a,b,c,d,lo_f,wo"))
		return "wo not listed";
	return NULL;
}

/* The operations under test, one variant of the fixture each. */
static const struct fi_op fi_ops[] = {
	{ "mount", NULL, fi_mount_run, fi_mount_check },
	{ "lookup", fi_do_mount, fi_lookup_run, fi_lookup_check },
	{ "readdir", fi_readdir_prepare, fi_readdir_run, fi_readdir_check },
	{ "copy-up", fi_do_mount, fi_copyup_run, fi_copyup_check },
	{ "unlink", fi_do_mount, fi_unlink_run, fi_unlink_check },
	{ "mkdir over a whiteout", fi_do_mount, fi_mkdir_run, fi_mkdir_check },
};

FIXTURE_VARIANT_ADD(fi, mount) { .op = &fi_ops[0] };
FIXTURE_VARIANT_ADD(fi, lookup) { .op = &fi_ops[1] };
FIXTURE_VARIANT_ADD(fi, readdir) { .op = &fi_ops[2] };
FIXTURE_VARIANT_ADD(fi, copyup) { .op = &fi_ops[3] };
FIXTURE_VARIANT_ADD(fi, unlink) { .op = &fi_ops[4] };
FIXTURE_VARIANT_ADD(fi, mkdir_over_whiteout) { .op = &fi_ops[5] };

/*
 * Each injection point is a syscall under KASAN and TCG, about a second
 * when the machine is shared: mount alone has some 60 (the layers, the
 * work directory, the sysfs directory), beyond the harness's default 30 s.
 */
TEST_F_TIMEOUT(fi, inject, 600)
{
	fi_loop(_metadata, &self->c, variant->op);
}

TEST_HARNESS_MAIN
