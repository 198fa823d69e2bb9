// SPDX-License-Identifier: GPL-2.0
/*
 * optfuzz.c - a mount-option fuzzer for layerfs.
 *
 * Thousands of malformed or random option strings go through mount(2) and
 * through fsopen()/fsconfig()/FSCONFIG_CMD_CREATE: long lists (up to and
 * over one page, which mount(2) truncates), odd escapes (a trailing
 * backslash, "\:", "\\"), empty elements, duplicated options, unknown keys
 * and flags, layer paths that are files, fifos, sockets, dangling symlinks,
 * /proc, /sys, /dev, a read-only tmpfs and a ramfs (no xattrs) as upper,
 * layerfs mounts as layers (including one level too deep), upper == lower,
 * relative paths.  Each attempt must come back with an errno from the
 * contract's set (or succeed; a success is then read and umounted, and
 * the umount must not fail with EBUSY, which would mean a leaked
 * reference).  At the end a valid mount still works and /proc/self/mounts
 * shows no layerfs mount but the fixture's own.  The errno histogram of
 * each interface is printed with TH_LOG.
 *
 * corner_table checks hand-picked hostile values with the exact errno the
 * contract gives, through both interfaces.
 *
 * Environment (for longer runs outside "make check"):
 *   LAYERFS_OPTFUZZ_ITERS  attempts per interface      (default 1500, so
 *                          3000 in all)
 *   LAYERFS_OPTFUZZ_SEED   PRNG seed                    (default 1)
 *   LAYERFS_OPTFUZZ_SECS   time budget of the fuzz loop (default 25 s); the
 *                          loop stops early when it runs out, and logs it
 *
 * Layout below the per-test tmpfs "$" (cwd is "$", for relative paths):
 *   l1 l2 l3 (lower dirs, l1/sub), u w (upper/work), a:b, c\d (dirs with
 *   odd names), reg (file), fifo, sock (unix socket), dlink (dangling
 *   symlink), l1link (symlink to l1), ro/{u,w} (read-only tmpfs),
 *   ramfs/{u,w} (ramfs), s1 (layerfs lowerdir=l3), s2 (layerfs
 *   lowerdir=s1: a third level on top of it is too deep), srw (layerfs with
 *   upper su/sw: a layerfs as upper has no trusted.* xattrs), m (target).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <time.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC		0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG
#define FSCONFIG_SET_FLAG	0
#define FSCONFIG_SET_STRING	1
#define FSCONFIG_CMD_CREATE	6
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC		0x00000001
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH	0x00000004
#endif
#ifndef SYS_fsopen
#define SYS_fsopen		430
#define SYS_fsconfig		431
#define SYS_fsmount		432
#define SYS_move_mount		429
#endif

#define MAXOPT		16384	/* longer than a page on purpose */
#define MAXERR		134

FIXTURE(fuzz) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	int baseline;		/* layerfs mounts the fixture made */
};

#define L(rel)		lfs_fmt("%s/%s", self->base, rel)

/* Number of layerfs lines in /proc/self/mounts; -errno on error. */
static int count_layerfs_mounts(void)
{
	static char line[65536];
	int n = 0;
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *type;

		if (!strtok_r(line, " \n", &save) || !strtok_r(NULL, " \n", &save))
			continue;
		type = strtok_r(NULL, " \n", &save);
		if (type && !strcmp(type, "layerfs"))
			n++;
	}
	fclose(f);
	return n;
}

static int make_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return errno;
	}
	close(fd);
	return 0;
}

FIXTURE_SETUP(fuzz)
{
	static const char *const dirs[] = {
		"l1/sub", "l2", "l3", "u", "w", "a:b", "c\\d", "ro", "ramfs",
		"s1", "s2", "srw", "su", "sw", "m",
	};
	unsigned int i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, lfs_mkdir_p(L(dirs[i])));
	ASSERT_EQ(0, lfs_write(L("l1/f1"), "one"));
	ASSERT_EQ(0, lfs_write(L("l2/f2"), "two"));
	ASSERT_EQ(0, lfs_write(L("l3/f3"), "three"));
	ASSERT_EQ(0, lfs_write(L("reg"), "file"));
	ASSERT_EQ(0, mkfifo(L("fifo"), 0644));
	ASSERT_EQ(0, make_socket(L("sock")));
	ASSERT_EQ(0, symlink(L("nope"), L("dlink")));
	ASSERT_EQ(0, symlink(L("l1"), L("l1link")));
	/* A read-only tmpfs with u/ and w/ in it. */
	ASSERT_EQ(0, lfs_mount_tmpfs(L("ro")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ro/u")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ro/w")));
	ASSERT_EQ(0, mount(NULL, L("ro"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	/* ramfs has no xattrs at all. */
	if (lfs_fs_available("ramfs")) {
		ASSERT_EQ(0, mount("ramfs", L("ramfs"), "ramfs", 0, NULL));
		ASSERT_EQ(0, lfs_mkdir_p(L("ramfs/u")));
		ASSERT_EQ(0, lfs_mkdir_p(L("ramfs/w")));
	}
	/* Two stacked layerfs mounts, and a writable one. */
	ASSERT_EQ(0, lfs_mount(L("s1"), lfs_expand(self->base, "lowerdir=$/l3")));
	ASSERT_EQ(0, lfs_mount(L("s2"), lfs_expand(self->base, "lowerdir=$/s1")));
	ASSERT_EQ(0, lfs_mount(L("srw"), lfs_expand(self->base,
				"lowerdir=$/l2,upperdir=$/su,workdir=$/sw")));
	ASSERT_EQ(0, lfs_mkdir_p(L("srw/u")));
	ASSERT_EQ(0, lfs_mkdir_p(L("srw/w")));
	self->baseline = count_layerfs_mounts();
	ASSERT_EQ(3, self->baseline);
	ASSERT_EQ(0, chdir(self->base));
}

FIXTURE_TEARDOWN(fuzz)
{
	LFS_DROP_BASE(self->base, "m", "srw", "s2", "s1", "ramfs", "ro");
	/* The private namespace has no other layerfs mount. */
	EXPECT_EQ(0, count_layerfs_mounts());
}

/* ---- one attempt through each interface -------------------------------- */

/* Errnos a refused layerfs mount may return (see the contract's table). */
static bool errno_allowed(int e)
{
	switch (e) {
	case EINVAL:		/* syntax, pairing, depth, count, too long */
	case ENOENT:		/* missing path */
	case ENOTDIR:		/* not a directory */
	case ELOOP:		/* overlapping layers, symlink loops */
	case EOPNOTSUPP:	/* upper fs lacks xattrs/whiteouts */
	case EROFS:		/* read-only upper */
	case EPERM:		/* mkdir work/ refused by /proc, /sys */
	case EACCES:		/* path walk refused */
	case ENAMETOOLONG:	/* a path element/path too long */
		return true;
	}
	return false;
}

/*
 * A mount succeeded on @mnt: read its root once (the merged view must be
 * usable), then umount it.  Returns 0, or the errno of the umount (EBUSY
 * would be a leaked reference), or -1 if the mount is not layerfs.
 */
static int use_and_umount(const char *mnt)
{
	struct statfs sfs;
	DIR *d;
	int err = 0;

	if (statfs(mnt, &sfs) || sfs.f_type != LAYERFS_SUPER_MAGIC)
		err = -1;
	d = opendir(mnt);
	if (d) {
		while (readdir(d))
			;
		closedir(d);
	}
	if (umount2(mnt, 0))
		return errno;
	return err;
}

/* mount(2): 0 when it succeeded (and was umounted), else errno. */
static int try_mount2(const char *mnt, const char *opts, unsigned long flags,
		      int *umount_err)
{
	*umount_err = 0;
	if (mount("layerfs", mnt, "layerfs", flags, opts))
		return errno;
	*umount_err = use_and_umount(mnt);
	return 0;
}

/*
 * fsopen/fsconfig: each comma-separated element of @opts is one
 * FSCONFIG_SET_STRING (key=value) or FSCONFIG_SET_FLAG (no '='), then
 * CMD_CREATE; a created superblock is fsmount()ed, moved onto @mnt and
 * umounted.  Returns 0 or the errno of the first failing step (*@step
 * names it).
 */
static int try_fsconfig(const char *mnt, const char *opts, int *umount_err,
			const char **step)
{
	static char copy[MAXOPT + 8];
	char *save = NULL, *el;
	int fd, mfd, err = 0;

	*umount_err = 0;
	*step = "fsopen";
	fd = syscall(SYS_fsopen, "layerfs", FSOPEN_CLOEXEC);
	if (fd < 0)
		return errno;
	snprintf(copy, sizeof(copy), "%s", opts);
	*step = "fsconfig";
	for (el = strtok_r(copy, ",", &save); el && !err;
	     el = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(el, '=');
		long r;

		if (eq) {
			*eq = '\0';
			r = syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, el,
				    eq + 1, 0);
		} else {
			r = syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, el,
				    NULL, 0);
		}
		if (r)
			err = errno;
	}
	if (!err) {
		*step = "create";
		if (syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
			err = errno;
	}
	if (!err) {
		*step = "fsmount";
		mfd = syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0);
		if (mfd < 0) {
			err = errno;
		} else {
			*step = "move_mount";
			if (syscall(SYS_move_mount, mfd, "", AT_FDCWD, mnt,
				    MOVE_MOUNT_F_EMPTY_PATH))
				err = errno;
			close(mfd);	/* the fd pins the mount: EBUSY */
			if (!err)
				*umount_err = use_and_umount(mnt);
		}
	}
	close(fd);
	return err;
}

/* ---- corner cases with an exact errno ---------------------------------- */

struct corner {
	const char *opts;	/* '$' is the base directory */
	int err;		/* expected errno, 0 = mounts */
	bool mount2_only;	/* longer than fsconfig's 256-byte values */
};

static const struct corner corners[] = {
	{ "lowerdir=$/l1\\", EINVAL },			/* trailing backslash */
	{ "lowerdir=\\", EINVAL },
	{ "lowerdir=$/a\\:b", 0 },			/* "\:" is a colon */
	{ "lowerdir=$/a:b", ENOENT },			/* unescaped: "$/a", "b" */
	{ "lowerdir=$/c\\\\d", 0 },			/* "\\" is a backslash */
	{ "lowerdir=$/c\\d", ENOENT },			/* "\d" is "d" */
	{ "lowerdir=$/l\\1", 0 },			/* "\1" is "1" */
	{ "lowerdir=$/l1::$/l2", EINVAL },
	{ "lowerdir=:", EINVAL },
	{ "lowerdir=\\:", ENOENT },			/* the path ":" */
	{ "lowerdir=", EINVAL },
	{ "lowerdir", EINVAL },				/* flag, no value */
	{ "lowerdir=$/l1,lowerdir=$/l2,lowerdir=$/l3", 0 },
	{ "lowerdir=$/l1,upperdir=$/u,upperdir=$/nope,workdir=$/w", ENOENT },
	{ "lowerdir=$/l1,upperdir=$/nope,upperdir=$/u,workdir=$/w", 0 },
	{ "lowerdir=$/l1,nosuchkey=1", EINVAL },
	{ "lowerdir=$/l1,nosuchflag", EINVAL },
	{ "lowerdir=$/l1,UPPERDIR=$/u,workdir=$/w", EINVAL },
	{ "lowerdir=$/reg", ENOTDIR },
	{ "lowerdir=$/fifo", ENOTDIR },
	{ "lowerdir=$/sock", ENOTDIR },
	{ "lowerdir=$/dlink", ENOENT },
	{ "lowerdir=$/l1link:$/l1", ELOOP },
	{ "lowerdir=/proc/self/status", ENOTDIR },
	{ "lowerdir=/dev/null", ENOTDIR },
	{ "lowerdir=/sys:/dev", 0 },			/* read-only view */
	/* procfs refuses stacking: s_stack_depth is already the maximum */
	{ "lowerdir=/proc", EINVAL },
	{ "lowerdir=/sys:/proc/self", EINVAL },
	{ "lowerdir=$/l1,upperdir=/proc/sys,workdir=/proc/self", EINVAL },
	{ "lowerdir=$/l1,upperdir=/dev,workdir=$/w", EINVAL },
	{ "lowerdir=$/l1,upperdir=$/ro/u,workdir=$/ro/w", EROFS },
	{ "lowerdir=$/l1,upperdir=$/ramfs/u,workdir=$/ramfs/w", EOPNOTSUPP },
	{ "lowerdir=$/l1,upperdir=$/srw/u,workdir=$/srw/w", EOPNOTSUPP },
	{ "lowerdir=$/l1,upperdir=$/s1/u,workdir=$/s1/w", ENOENT },
	{ "lowerdir=$/s1", 0 },				/* depth 2 */
	{ "lowerdir=$/s2", EINVAL },			/* depth 3 */
	{ "lowerdir=$/l1:$/s2", EINVAL },
	{ "lowerdir=$/srw:$/l1", 0 },
	{ "lowerdir=$/u,upperdir=$/u,workdir=$/w", ELOOP },
	{ "lowerdir=$/l1,upperdir=$/u,workdir=$/u", EINVAL },
	{ "lowerdir=$/l1:$/l1", ELOOP },
	{ "lowerdir=$,upperdir=$/u,workdir=$/w", ELOOP },
	{ "lowerdir=l1:l2,upperdir=u,workdir=w", 0 },	/* relative */
	{ "lowerdir=./l1:../$/l2", ENOENT },
	{ "lowerdir=.,upperdir=u,workdir=w", ELOOP },
	{ "lowerdir=l1/..", 0 },			/* the base itself */
	{ "lowerdir=l1/../l2:l2", ELOOP },
	{ "lowerdir=$/l1/", 0 },
	{ "lowerdir=$//l1//", 0 },
	{ "lowerdir=/", 0 },
	{ "lowerdir=$/l1,upperdir=$/u", EINVAL },
	{ "lowerdir=$/l1,workdir=$/w", EINVAL },
	{ "upperdir=$/u,workdir=$/w", EINVAL },
	{ "lowerdir=$/l1,upperdir=$/u,workdir=$/ro/w", EINVAL },
	{ "lowerdir=$/l1,upperdir=$/reg,workdir=$/w", ENOTDIR },
	{ "lowerdir=$/l1,upperdir=$/u,workdir=$/fifo", ENOTDIR },
	{ "lowerdir=$/l1,,", 0 },		/* empty elements are skipped */
	{ ",,lowerdir=$/l1", 0 },
};

/* "$" expansion into a static buffer. */
static const char *expand(const char *base, const char *tmpl)
{
	static char buf[MAXOPT];
	size_t blen = strlen(base), o = 0;

	for (; *tmpl && o + blen + 1 < sizeof(buf); tmpl++) {
		if (*tmpl == '$') {
			memcpy(buf + o, base, blen);
			o += blen;
		} else {
			buf[o++] = *tmpl;
		}
	}
	buf[o] = '\0';
	return buf;
}

TEST_F_TIMEOUT(fuzz, corner_table, 120)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(corners); i++) {
		const char *o = expand(self->base, corners[i].opts);
		const char *step;
		int e1, e2, u1, u2;

		e1 = try_mount2(self->mnt, o, 0, &u1);
		EXPECT_EQ(corners[i].err, e1)
			TH_LOG("mount(2) \"%s\": got %s, want %s",
			       corners[i].opts, strerror(e1),
			       strerror(corners[i].err));
		EXPECT_EQ(0, u1) TH_LOG("umount after \"%s\": %s",
					corners[i].opts, strerror(u1));
		if (corners[i].mount2_only)
			continue;
		e2 = try_fsconfig(self->mnt, o, &u2, &step);
		/* fsconfig has no "empty element": strtok skips them */
		EXPECT_EQ(corners[i].err, e2)
			TH_LOG("fsconfig \"%s\": got %s at %s, want %s",
			       corners[i].opts, strerror(e2), step,
			       strerror(corners[i].err));
		EXPECT_EQ(0, u2) TH_LOG("umount after fsconfig \"%s\": %s",
					corners[i].opts, strerror(u2));
		bad += e1 != corners[i].err || u1 ||
		       e2 != corners[i].err || u2;
	}
	TH_LOG("%zu corner cases, %u mismatches", ARRAY_SIZE(corners), bad);
	ASSERT_EQ(self->baseline, count_layerfs_mounts());
}

/* Option values longer than a page through mount(2) are refused. */
TEST_F(fuzz, over_one_page)
{
	static char o[3 * 4096];
	size_t n;
	int e, u;

	/* 4096+ bytes of one valid layer repeated: truncated mid-path. */
	n = snprintf(o, sizeof(o), "lowerdir=%s/l1", self->base);
	while (n < sizeof(o) - 64)
		n += snprintf(o + n, sizeof(o) - n, ":%s/l2", self->base);
	e = try_mount2(self->mnt, o, 0, &u);
	EXPECT_TRUE(e == ELOOP || e == ENOENT || e == EINVAL)
		TH_LOG("got %s", strerror(e));
	EXPECT_EQ(0, u);
	/* Relative short names: 1000+ layers is over the 500 limit. */
	n = snprintf(o, sizeof(o), "lowerdir=l1");
	while (n < 4090)
		n += snprintf(o + n, sizeof(o) - n, ":l1");
	EXPECT_EQ(EINVAL, try_mount2(self->mnt, o, 0, &u));
	/*
	 * A path of over a page: mount(2) cuts it to a page, and layerfs
	 * refuses a full page (fsconfig refuses the value, below).
	 */
	n = snprintf(o, sizeof(o), "lowerdir=");
	while (n < sizeof(o) - 8)
		n += snprintf(o + n, sizeof(o) - n, "./");
	e = try_mount2(self->mnt, o, 0, &u);
	EXPECT_EQ(EINVAL, e) TH_LOG("\"./\" x 2000: got %s", strerror(e));
	EXPECT_EQ(0, u);
	/* A 300-byte value is over fsconfig's 256-byte limit: EINVAL. */
	n = snprintf(o, sizeof(o), "lowerdir=");
	while (n < 300)
		n += snprintf(o + n, sizeof(o) - n, "./");
	{
		const char *step;

		EXPECT_EQ(EINVAL, try_fsconfig(self->mnt, o, &u, &step));
		EXPECT_STREQ("fsconfig", step);
	}
	/* A path element longer than NAME_MAX. */
	n = snprintf(o, sizeof(o), "lowerdir=%s/", self->base);
	while (n < 600)
		o[n++] = 'x';
	o[n] = '\0';
	EXPECT_EQ(ENAMETOOLONG, try_mount2(self->mnt, o, 0, &u));
	ASSERT_EQ(self->baseline, count_layerfs_mounts());
}

/* ---- the random fuzzer -------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static unsigned int rn(unsigned int n)
{
	return n ? rnd() % n : 0;
}

/* Paths a layer option may name; '$' is the base, others relative/abs. */
static const char *const paths[] = {
	"$/l1", "$/l2", "$/l3", "$/u", "$/w", "$/l1/sub", "$/u/x", "$/w/x",
	"$/a\\:b", "$/a:b", "$/c\\\\d", "$/c\\d", "$/reg", "$/fifo", "$/sock",
	"$/dlink", "$/l1link", "$/ro/u", "$/ro/w", "$/ramfs/u", "$/ramfs/w",
	"$/s1", "$/s2", "$/srw", "$/srw/u", "$/srw/w", "$/m", "$", "$/",
	"$/nope", "l1", "l2", "u", "w", ".", "..", "./l3", "l1/../l2",
	"/proc", "/proc/self", "/proc/sys", "/proc/self/fd", "/sys",
	"/sys/kernel", "/dev", "/dev/null", "/", "//", "",
};

static const char *const junk_keys[] = {
	"lowerdir", "upperdir", "workdir", "LOWERDIR", "lower", "redirect_dir",
	"index", "xino", "metacopy", "userxattr", "volatile", "nfs_export",
	"colour", "", "=", "ro", "rw", "sync", "dirsync", "silent", "source",
	"lazytime", "nosuid", "x",
};

/* Append a random path (with random escape damage) to @o. */
static size_t add_path(char *o, size_t n, size_t cap, const char *base)
{
	const char *p = paths[rn(ARRAY_SIZE(paths))];
	const char *e = expand(base, p);
	static const char *const damage[] = {
		"\\", "\\:", "\\\\", ":", "::", "\\,", "%", " ", "\t", "=",
		"\\x", "\xff",
	};
	size_t len = strlen(e);

	if (n + len + 8 >= cap)
		return n;
	memcpy(o + n, e, len);
	n += len;
	if (!rn(6)) {
		const char *d = damage[rn(ARRAY_SIZE(damage))];
		size_t pos = n - rn(len + 1), dl = strlen(d);

		memmove(o + pos + dl, o + pos, n - pos);
		memcpy(o + pos, d, dl);
		n += dl;
	}
	o[n] = '\0';
	return n;
}

/* Build one random option string into @o (at most @cap - 1 bytes). */
static void gen_opts(char *o, size_t cap, const char *base)
{
	unsigned int mode = rn(100), nel, i, j;
	size_t n = 0;

	if (mode < 45) {
		/* well-formed shape, random layer choice: reaches the checks */
		unsigned int nl = 1 + rn(3);

		n += snprintf(o + n, cap - n, "lowerdir=");
		for (j = 0; j < nl; j++) {
			if (j)
				o[n++] = ':';
			n = add_path(o, n, cap, base);
		}
		if (rn(2)) {
			static const char *const pairs[][2] = {
				{ "$/u", "$/w" }, { "$/ro/u", "$/ro/w" },
				{ "$/ramfs/u", "$/ramfs/w" },
				{ "$/srw/u", "$/srw/w" }, { "$/w", "$/u" },
				{ "u", "w" }, { "$/u", "$/u/x" },
				{ "$/l1", "$/w" }, { "$/u", "$/l1/sub" },
			};
			unsigned int k = rn(ARRAY_SIZE(pairs));

			n += snprintf(o + n, cap - n, ",upperdir=%s",
				      expand(base, pairs[k][0]));
			n += snprintf(o + n, cap - n, ",workdir=%s",
				      expand(base, pairs[k][1]));
		} else if (rn(3)) {
			n += snprintf(o + n, cap - n, ",upperdir=");
			n = add_path(o, n, cap, base);
			n += snprintf(o + n, cap - n, ",workdir=");
			n = add_path(o, n, cap, base);
		}
		return;
	}
	mode = rn(100);

	/* short lists mostly; sometimes up to a page or well over one */
	nel = mode < 75 ? 1 + rn(5) : mode < 93 ? 1 + rn(40) : 50 + rn(400);
	if (!rn(3))
		n += snprintf(o + n, cap - n, "lowerdir=");
	for (i = 0; i < nel && n + 64 < cap; i++) {
		unsigned int kind = rn(20);

		if (n && o[n - 1] != '=')
			o[n++] = rn(20) ? ',' : ':';
		o[n] = '\0';
		if (kind < 6) {			/* lowerdir=a:b:... */
			unsigned int nl = rn(10) ? 1 + rn(4) : 1 + rn(600);

			n += snprintf(o + n, cap - n, "lowerdir=");
			for (j = 0; j < nl && n + 64 < cap; j++) {
				if (j)
					o[n++] = rn(30) ? ':' : ',';
				n = add_path(o, n, cap, base);
			}
		} else if (kind < 9) {
			n += snprintf(o + n, cap - n, "upperdir=");
			n = add_path(o, n, cap, base);
		} else if (kind < 12) {
			n += snprintf(o + n, cap - n, "workdir=");
			n = add_path(o, n, cap, base);
		} else if (kind < 14) {		/* a bare path */
			n = add_path(o, n, cap, base);
		} else if (kind < 15) {		/* empty element */
			;
		} else if (kind < 18) {		/* other keys */
			n += snprintf(o + n, cap - n, "%s",
				      junk_keys[rn(ARRAY_SIZE(junk_keys))]);
			if (rn(2)) {
				o[n++] = '=';
				o[n] = '\0';
				if (rn(2))
					n = add_path(o, n, cap, base);
				else
					n += snprintf(o + n, cap - n, "%u",
						      rn(3));
			}
		} else {			/* random bytes */
			unsigned int k, len = 1 + rn(rn(10) ? 16 : 300);
			static const char alpha[] =
				"abclowerdirupperwork=:,\\/.$ \t~-_0123456789";

			for (k = 0; k < len && n + 2 < cap; k++)
				o[n++] = rn(8) ? alpha[rn(sizeof(alpha) - 1)] :
					 (char)(1 + rn(255));
			o[n] = '\0';
		}
	}
	o[n < cap ? n : cap - 1] = '\0';
}

struct histo {
	unsigned int ok;
	unsigned int err[MAXERR];
};

static void log_histo(struct __test_metadata *_metadata, const char *what,
		      const struct histo *h)
{
	char line[2048];
	size_t n = 0;
	int e;

	n += snprintf(line + n, sizeof(line) - n, "%s: success=%u", what,
		      h->ok);
	for (e = 1; e < MAXERR; e++)
		if (h->err[e])
			n += snprintf(line + n, sizeof(line) - n, " %s=%u",
				      strerrorname_np(e) ?: "?", h->err[e]);
	TH_LOG("%s", line);
}

TEST_F_TIMEOUT(fuzz, random_options, 300)
{
	static char o[MAXOPT];
	long iters = lfs_env_long("LAYERFS_OPTFUZZ_ITERS", 1500);
	long secs = lfs_env_long("LAYERFS_OPTFUZZ_SECS", 25);
	struct histo h2 = { 0 }, hc = { 0 };
	unsigned int fails = 0;
	struct timespec t0, t;
	long i;

	rng_state = lfs_env_long("LAYERFS_OPTFUZZ_SEED", 1) * 0x9e3779b97f4a7c15ULL
		    + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iters; i++) {
		static const unsigned long mflags[] = {
			0, 0, 0, MS_RDONLY, MS_NOSUID | MS_NODEV, MS_SILENT,
		};
		const char *step;
		int e, u;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= secs) {
			TH_LOG("time budget of %ld s used up after %ld iterations",
			       secs, i);
			break;
		}
		gen_opts(o, sizeof(o), self->base);

		e = try_mount2(self->mnt, o, mflags[rn(ARRAY_SIZE(mflags))],
			       &u);
		if (e)
			h2.err[e < MAXERR ? e : 0]++;
		else
			h2.ok++;
		if ((e && !errno_allowed(e)) || u) {
			if (fails++ < 20)
				TH_LOG("iter %ld mount(2) \"%.300s\": %s, umount: %s",
				       i, o, strerror(e), strerror(u));
		}

		e = try_fsconfig(self->mnt, o, &u, &step);
		if (e)
			hc.err[e < MAXERR ? e : 0]++;
		else
			hc.ok++;
		if ((e && !errno_allowed(e)) || u) {
			if (fails++ < 20)
				TH_LOG("iter %ld fsconfig (%s) \"%.300s\": %s, umount: %s",
				       i, step, o, strerror(e), strerror(u));
		}
	}
	log_histo(_metadata, "mount(2)", &h2);
	log_histo(_metadata, "fsconfig", &hc);
	TH_LOG("%ld iterations per interface", i);
	EXPECT_EQ(0, fails);

	/* Nothing stayed mounted; a valid mount still works. */
	ASSERT_EQ(self->baseline, count_layerfs_mounts());
	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(self->base,
			"lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w")));
	{
		char buf[64];

		ASSERT_STREQ("one", lfs_cat(L("m/f1"), buf, sizeof(buf)));
		ASSERT_STREQ("two", lfs_cat(L("m/f2"), buf, sizeof(buf)));
		ASSERT_EQ(0, lfs_write(L("m/new"), "new"));
		ASSERT_STREQ("new", lfs_cat(L("u/new"), buf, sizeof(buf)));
	}
	ASSERT_EQ(0, umount2(self->mnt, 0));
	ASSERT_EQ(self->baseline, count_layerfs_mounts());
}

TEST_HARNESS_MAIN
