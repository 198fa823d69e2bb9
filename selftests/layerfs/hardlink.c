// SPDX-License-Identifier: GPL-2.0
/*
 * hardlink.c - two names of one file share one inode, as on overlayfs.
 *
 * The VFS checks permissions, setuid bits and ownership against the inode a
 * name leads to, and keeps flock() and fcntl() locks on it.  When two names
 * of one real file had two layerfs inodes, a chmod, chown or lock made
 * through one name did not reach the other: another user could still read
 * a file just made private, run a setuid program whose bit was just
 * cleared, or chmod a file just given away.  overlayfs keys its inodes by
 * the real inode (ovl_get_inode()), and so does layerfs now.
 *
 * Every test builds two identical layer sets below the test's tmpfs, one
 * mounted as layerfs ($/layerfs/m), one as overlay ($/overlay/m, with the
 * options of write_util.h: index=off, Debian's default), runs the same
 * scenario on both and records each observation as "key=value" in a
 * string.  The test then requires that
 *   - the overlay string is the one written in the test (so that a change
 *     of overlayfs, or a wrong belief about it, shows up), and
 *   - the layerfs string is the overlay string.
 * Steps that must work (mount, link, the root chmod) record "FAIL:step"
 * when they do not, which fails the comparison with a readable message.
 *
 * Users: the scenarios run as root; the second user, uid/gid 1001 with no
 * groups, runs in a forked child (lfs_run_as()).
 *
 * Hard links that already exist in a lower layer follow overlayfs with
 * index=off: with an upper layer each name has its own inode, and a copy-up
 * breaks the link (lower_links_rw); without an upper layer the names share
 * one inode (lower_links_ro).
 */
#define _GNU_SOURCE

#include <sys/file.h>
#include <sys/inotify.h>
#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define UID_B		1001	/* the second user */
#define EUID_ROOT	100	/* exit status of the probe: ran as root */
#define EUID_USER	101	/* ... ran as someone else */

/*
 * The setuid scenario executes a copy of this program.  Run with
 * LFS_HL_EUID set, it only reports its effective uid in its exit status,
 * before the harness starts.
 */
__attribute__((constructor)) static void hl_euid_probe(void)
{
	if (getenv("LFS_HL_EUID"))
		_exit(geteuid() ? EUID_USER : EUID_ROOT);
}

/* One layer set, mounted as one filesystem type, and what was seen. */
struct hl {
	const char *fstype;
	char dir[PATH_MAX / 2];
	char out[4096];
	size_t len;
};

static void hl_add(struct hl *h, const char *key, const char *val)
{
	if (h->len < sizeof(h->out))
		h->len += snprintf(h->out + h->len, sizeof(h->out) - h->len,
				   "%s%s=%s", h->len ? " " : "", key, val);
}

/* An errno as a name (the values the scenarios can see), else a number. */
static const char *hl_errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ 0, "0" }, { EACCES, "EACCES" }, { EPERM, "EPERM" },
		{ EWOULDBLOCK, "EWOULDBLOCK" }, { ENOENT, "ENOENT" },
		{ EROFS, "EROFS" }, { EBADF, "EBADF" },
	};
	static char buf[4][16];
	static unsigned int next;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf[next % 4], sizeof(buf[0]), "%d", err);
	return buf[next++ % 4];
}

static void hl_err(struct hl *h, const char *key, int err)
{
	hl_add(h, key, hl_errname(err));
}

static void hl_num(struct hl *h, const char *key, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", val);
	hl_add(h, key, buf);
}

/* Paths: D() in the layer set, P() in the mount. */
#define D(rel)	lfs_fmt("%s/%s", h->dir, rel)
#define P(rel)	lfs_fmt("%s/m/%s", h->dir, rel)

/* A step that must succeed: record "FAIL:step=errno" and stop if not. */
#define STEP(h, call) do { \
	if ((call) == -1) { \
		hl_err(h, "FAIL:" #call, errno); \
		return; \
	} \
} while (0)

/* Same for helpers that return 0 or an errno. */
#define STEP0(h, call) do { \
	int __e = (call); \
	if (__e) { \
		hl_err(h, "FAIL:" #call, __e); \
		return; \
	} \
} while (0)

/* The layer set: $/l, $/l2 (a second, empty lower), $/u, $/w, $/m. */
static int hl_make(struct hl *h, const char *base, const char *fstype)
{
	static const char *const sub[] = { "", "/l", "/l2", "/u", "/w", "/m" };
	unsigned int i;

	memset(h, 0, sizeof(*h));
	h->fstype = fstype;
	snprintf(h->dir, sizeof(h->dir), "%s/%s", base, fstype);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (mkdir(lfs_fmt("%s%s", h->dir, sub[i]), 0755))
			return errno;
	return 0;
}

/* Mount the set read-write (upper layer), or read-only (two lowers). */
static int hl_mount(struct hl *h, bool upper)
{
	return wu_mount_type(h->fstype, D("m"), lfs_expand(h->dir, upper ?
			     "lowerdir=$/l,upperdir=$/u,workdir=$/w" :
			     "lowerdir=$/l:$/l2"));
}

/* A root-owned file with @mode holding "data" (owner @uid). */
static int hl_file(const char *path, mode_t mode, uid_t uid)
{
	int err = lfs_write_mode(path, "data", mode);

	if (!err && chown(path, uid, uid))
		err = errno;
	/* chown() cleared setuid: set the mode again. */
	if (!err && chmod(path, mode))
		err = errno;
	return err;
}

/* Prune unused dentries (and with them the inodes nothing else holds). */
static int hl_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, "2", 1) != 1)
		err = errno;
	close(fd);
	return err;
}

/* ---- what the second user does (in a child, as uid 1001) --------------- */

struct hl_arg {
	const char *path;
	mode_t mode;
};

static int u_read(const void *arg)
{
	const struct hl_arg *a = arg;
	int fd = open(a->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int u_chmod(const void *arg)
{
	const struct hl_arg *a = arg;

	return WU_ERR(chmod(a->path, a->mode));
}

/* Run the probe copy at @path: EUID_ROOT/EUID_USER, or the exec errno. */
static int u_exec(const void *arg)
{
	const struct hl_arg *a = arg;
	char *const argv[] = { "hl-probe", NULL };
	char *const envp[] = { "LFS_HL_EUID=1", NULL };

	execve(a->path, argv, envp);
	return errno;
}

/* As root, in a child: is a write lock on @path refused by a POSIX lock? */
static int c_getlk(const void *arg)
{
	const struct hl_arg *a = arg;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(a->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 200;
	if (fcntl(fd, F_GETLK, &fl)) {
		close(fd);
		return 201;
	}
	close(fd);
	return fl.l_type == F_UNLCK ? 0 : EWOULDBLOCK;
}

static void hl_as_user(struct hl *h, const char *key,
		       int (*fn)(const void *arg), const char *rel,
		       mode_t mode)
{
	struct hl_arg a = { .path = P(rel), .mode = mode };
	int ret = lfs_run_as(UID_B, fn, &a);

	if (fn == u_exec && ret == EUID_ROOT)
		hl_add(h, key, "root");
	else if (fn == u_exec && ret == EUID_USER)
		hl_add(h, key, "user");
	else
		hl_err(h, key, ret);
}

/*
 * Lock through @a, then try through @b: flock() on two open files of the
 * process, and a POSIX read lock held here against a write lock asked for
 * by a child process.  Records "<key>_flock" and "<key>_posix"
 * (EWOULDBLOCK: the two names share the lock).
 */
static void hl_locks(struct hl *h, const char *key, const char *a,
		     const char *b)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct hl_arg arg = { .path = P(b) };
	char k[64];
	int fa, fb;

	fa = open(P(a), O_RDONLY | O_CLOEXEC);
	STEP(h, fa);
	fb = open(P(b), O_RDONLY | O_CLOEXEC);
	if (fb < 0) {
		hl_err(h, "FAIL:open b", errno);
		close(fa);
		return;
	}
	snprintf(k, sizeof(k), "%s_flock", key);
	if (flock(fa, LOCK_EX | LOCK_NB))
		hl_err(h, "FAIL:flock a", errno);
	else
		hl_err(h, k, WU_ERR(flock(fb, LOCK_EX | LOCK_NB)));

	snprintf(k, sizeof(k), "%s_posix", key);
	if (fcntl(fa, F_SETLK, &fl))
		hl_err(h, "FAIL:F_SETLK a", errno);
	else
		hl_err(h, k, lfs_in_child(c_getlk, &arg));
	close(fb);
	close(fa);
}

static void hl_mode(struct hl *h, const char *key, const char *rel)
{
	struct stat st;

	if (stat(P(rel), &st))
		hl_err(h, key, errno);
	else
		hl_num(h, key, st.st_mode & 07777);
}

static void hl_nlink(struct hl *h, const char *key, const char *rel)
{
	struct stat st;

	if (stat(P(rel), &st))
		hl_err(h, key, errno);
	else
		hl_num(h, key, st.st_nlink);
}

/* Do @a and @b report one (st_dev, st_ino)? */
static void hl_same(struct hl *h, const char *key, const char *a,
		    const char *b)
{
	struct stat sa, sb;

	if (stat(P(a), &sa) || stat(P(b), &sb))
		hl_err(h, key, errno);
	else
		hl_num(h, key, sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* ---- the scenarios ------------------------------------------------------ */

/*
 * A link made through the mount (the source copied up), chmod through one
 * name, open through the other, both ways.
 */
static void sc_link_chmod(struct hl *h)
{
	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP0(h, hl_mount(h, true));
	STEP(h, link(P("f"), P("g")));
	hl_as_user(h, "read_g", u_read, "g", 0);

	STEP(h, chmod(P("f"), 0600));
	hl_mode(h, "mode_g", "g");
	hl_as_user(h, "read_g", u_read, "g", 0);
	STEP(h, chmod(P("g"), 0644));
	hl_as_user(h, "read_f", u_read, "f", 0);
	STEP(h, chmod(P("g"), 0600));
	hl_as_user(h, "read_f", u_read, "f", 0);
}

/* The same for a file created through the mount (no lower part at all). */
static void sc_new_file_chmod(struct hl *h)
{
	STEP0(h, hl_mount(h, true));
	STEP0(h, hl_file(P("n"), 0644, 0));
	STEP(h, link(P("n"), P("n2")));
	STEP(h, chmod(P("n"), 0600));
	hl_as_user(h, "read_n2", u_read, "n2", 0);
	hl_locks(h, "n_n2", "n", "n2");
}

/*
 * chown through one name: the second user, the owner until then, must not
 * chmod the file through the other name.
 */
static void sc_chown(struct hl *h)
{
	STEP0(h, hl_file(D("l/o"), 0644, UID_B));
	STEP0(h, hl_mount(h, true));
	STEP(h, link(P("o"), P("o2")));
	STEP(h, chown(P("o"), 0, 0));
	hl_as_user(h, "chmod_o2", u_chmod, "o2", 0666);
	hl_mode(h, "mode_o", "o");
	/* And back: the new owner may chmod through the first name. */
	STEP(h, chown(P("o2"), UID_B, UID_B));
	hl_as_user(h, "chmod_o", u_chmod, "o", 0640);
	hl_mode(h, "mode_o2", "o2");
}

/* Copy this program to @path (for the setuid probe). */
static int hl_copy_self(const char *path)
{
	char buf[65536];
	ssize_t n;
	int in, out, err = 0;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		err = errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = errno ? errno : EIO;
			break;
		}
	if (n < 0)
		err = errno;
	close(out);
	close(in);
	return err;
}

/* Clearing the setuid bit through one name clears it for the other. */
static void sc_setuid(struct hl *h)
{
	STEP0(h, hl_copy_self(D("l/prog")));
	STEP(h, chmod(D("l/prog"), 04755));
	STEP0(h, hl_mount(h, true));
	STEP(h, link(P("prog"), P("prog2")));
	hl_as_user(h, "exec_prog2", u_exec, "prog2", 0);
	STEP(h, chmod(P("prog"), 0755));
	hl_as_user(h, "exec_prog2", u_exec, "prog2", 0);
	/* Setting it through the second name works for the first, too. */
	STEP(h, chmod(P("prog2"), 04755));
	hl_as_user(h, "exec_prog", u_exec, "prog", 0);
}

/* flock() and fcntl() locks taken through one name bind the other. */
static void sc_locks(struct hl *h)
{
	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP0(h, hl_mount(h, true));
	STEP(h, link(P("f"), P("g")));
	hl_locks(h, "f_g", "f", "g");
	hl_locks(h, "g_f", "g", "f");
	hl_same(h, "same_ino", "f", "g");
}

/* Links that already exist in the upper layer when it is mounted. */
static void sc_upper_links(struct hl *h)
{
	STEP0(h, hl_file(D("u/f"), 0644, 0));
	STEP(h, link(D("u/f"), D("u/g")));
	STEP0(h, hl_mount(h, true));
	hl_as_user(h, "read_g", u_read, "g", 0);
	STEP(h, chmod(P("f"), 0600));
	hl_as_user(h, "read_g", u_read, "g", 0);
	hl_locks(h, "f_g", "f", "g");
	hl_nlink(h, "nlink_g", "g");
	hl_same(h, "same_ino", "f", "g");
}

/*
 * Links that exist in the lower layer, with an upper layer: overlayfs
 * with index=off gives each name its own inode (ovl_hash_bylower()), and
 * a copy-up breaks the link.  The names do not share locks, and a chmod
 * through one name copies that name only.
 */
static void sc_lower_links_rw(struct hl *h)
{
	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP(h, link(D("l/f"), D("l/g")));
	STEP0(h, hl_mount(h, true));
	hl_same(h, "same_ino", "f", "g");
	hl_nlink(h, "nlink_g", "g");
	hl_locks(h, "f_g", "f", "g");
	STEP(h, chmod(P("f"), 0600));
	hl_as_user(h, "read_g", u_read, "g", 0);
	hl_mode(h, "mode_g", "g");
	hl_nlink(h, "nlink_f", "f");
	hl_nlink(h, "nlink_g", "g");
	hl_same(h, "same_ino", "f", "g");
	/* A link made through the mount now joins the copy, not g. */
	STEP(h, link(P("f"), P("h")));
	STEP(h, chmod(P("h"), 0644));
	hl_mode(h, "mode_f", "f");
	hl_locks(h, "f_h", "f", "h");
	hl_locks(h, "g_h", "g", "h");
}

/* Links in a lower layer of a mount without upper: one shared inode. */
static void sc_lower_links_ro(struct hl *h)
{
	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP(h, link(D("l/f"), D("l/g")));
	STEP0(h, hl_mount(h, false));
	hl_same(h, "same_ino", "f", "g");
	hl_nlink(h, "nlink_g", "g");
	hl_locks(h, "f_g", "f", "g");
}

/*
 * After a copy-up the upper copy gains a second name; its dentry is pruned
 * while the first name is held open, so that the next lookup of the second
 * name must find the first name's inode again.
 */
static void sc_after_copy_up(struct hl *h)
{
	int fd, fd2;

	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP0(h, hl_mount(h, true));
	STEP(h, chmod(P("f"), 0644));		/* copy-up */
	STEP(h, link(P("f"), P("g")));
	fd = open(P("f"), O_RDONLY | O_CLOEXEC);
	STEP(h, fd);
	if (flock(fd, LOCK_EX | LOCK_NB))
		hl_err(h, "FAIL:flock f", errno);
	if (hl_drop_caches())
		hl_add(h, "FAIL", "drop_caches");
	if (chmod(P("g"), 0600))
		hl_err(h, "FAIL:chmod g", errno);
	hl_as_user(h, "read_f", u_read, "f", 0);
	fd2 = open(P("g"), O_RDONLY | O_CLOEXEC);
	if (fd2 < 0) {
		hl_err(h, "FAIL:open g", errno);
	} else {
		hl_err(h, "flock_g", WU_ERR(flock(fd2, LOCK_EX | LOCK_NB)));
		close(fd2);
	}
	close(fd);
}

/*
 * Link counts follow the upper file: after a link, an unlink of one name
 * while the other is open, and a rename over one of the names.
 */
static void sc_nlink(struct hl *h)
{
	char buf[64];
	struct stat st;
	int fd;

	STEP0(h, hl_file(D("l/f"), 0644, 0));
	STEP0(h, hl_file(D("l/x"), 0644, 0));
	STEP0(h, hl_mount(h, true));
	STEP(h, link(P("f"), P("g")));
	hl_nlink(h, "nlink_f", "f");
	fd = open(P("g"), O_RDWR | O_CLOEXEC);
	STEP(h, fd);
	if (unlink(P("f")))
		hl_err(h, "FAIL:unlink f", errno);
	hl_num(h, "fstat_nlink", fstat(fd, &st) ? -errno : (long)st.st_nlink);
	hl_nlink(h, "nlink_g", "g");
	hl_err(h, "write_g", pwrite(fd, "DATA", 4, 0) == 4 ? 0 : errno);
	close(fd);
	hl_add(h, "g", lfs_cat(P("g"), buf, sizeof(buf)));
	/* link again (the inode must not think it has no names left) */
	hl_err(h, "link_g_h", WU_ERR(link(P("g"), P("h"))));
	hl_nlink(h, "nlink_g", "g");
	/* rename another file over one of the two names */
	hl_err(h, "rename_x_h", WU_ERR(rename(P("x"), P("h"))));
	hl_nlink(h, "nlink_g", "g");
	hl_add(h, "g", lfs_cat(P("g"), buf, sizeof(buf)));
	hl_add(h, "h", lfs_cat(P("h"), buf, sizeof(buf)));
	/* rename of a name onto another name of the same file: nothing */
	hl_err(h, "link_g_k", WU_ERR(link(P("g"), P("k"))));
	hl_err(h, "rename_g_k", WU_ERR(rename(P("g"), P("k"))));
	hl_nlink(h, "nlink_g", "g");
	hl_nlink(h, "nlink_k", "k");
}

/*
 * Read the events queued on the inotify instance @fd (non-blocking) and
 * count them per watch: @count[i] for watch descriptor @wd[i].
 */
static void hl_events(int fd, const int *wd, int *count, int nwd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	int i;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			for (i = 0; i < nwd; i++)
				count[i] += ev->wd == wd[i];
		}
}

/*
 * An inotify watch holds the inode, not the dentry: once the name's dentry
 * is pruned, the next lookup must find the watched inode again for the
 * watch to see what happens through the name.  Watch a lower file, an
 * upper file and a lower directory for IN_OPEN, prune, open each.
 */
static void sc_inotify(struct hl *h)
{
	static const char *const names[] = { "lf", "uf", "ld" };
	int fd, wd[3], count[3] = { 0 }, i, o;

	STEP0(h, hl_file(D("l/lf"), 0644, 0));
	STEP0(h, hl_file(D("u/uf"), 0644, 0));
	STEP(h, mkdir(D("l/ld"), 0755));
	STEP0(h, hl_mount(h, true));
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	STEP(h, fd);
	for (i = 0; i < 3; i++) {
		wd[i] = inotify_add_watch(fd, P(names[i]), IN_OPEN);
		if (wd[i] < 0) {
			hl_err(h, "FAIL:inotify_add_watch", errno);
			close(fd);
			return;
		}
	}
	if (hl_drop_caches())
		hl_add(h, "FAIL", "drop_caches");
	for (i = 0; i < 3; i++) {
		o = open(P(names[i]), O_RDONLY | O_CLOEXEC);
		if (o < 0)
			hl_err(h, "FAIL:open", errno);
		else
			close(o);
	}
	hl_events(fd, wd, count, 3);
	for (i = 0; i < 3; i++)
		hl_num(h, names[i], count[i] > 0);
	close(fd);
}

FIXTURE(hlink) {
	char base[PATH_MAX];
	struct hl lfs, ovl;
};

FIXTURE_SETUP(hlink)
{
	LFS_SETUP_VS_OVERLAY(self->base, 022);
	ASSERT_EQ(0, hl_make(&self->lfs, self->base, lfs_fstype()));
	ASSERT_EQ(0, hl_make(&self->ovl, self->base, "overlay"));
}

FIXTURE_TEARDOWN(hlink)
{
	static const char *const mounts[] = { "overlay/m", "layerfs/m", NULL };

	EXPECT_EQ(0, lfs_drop_base(self->base, mounts));
}

/* Run @sc on both layer sets; see the file header. */
#define HL_RUN(sc, want) do { \
	sc(&self->ovl); \
	sc(&self->lfs); \
	EXPECT_STREQ(want, self->ovl.out); \
	EXPECT_STREQ(self->ovl.out, self->lfs.out); \
} while (0)

TEST_F(hlink, link_chmod)
{
	HL_RUN(sc_link_chmod,
	       "read_g=0 mode_g=384 read_g=EACCES read_f=0 read_f=EACCES");
}

TEST_F(hlink, new_file_chmod)
{
	HL_RUN(sc_new_file_chmod,
	       "read_n2=EACCES n_n2_flock=EWOULDBLOCK n_n2_posix=EWOULDBLOCK");
}

TEST_F(hlink, chown)
{
	HL_RUN(sc_chown,
	       "chmod_o2=EPERM mode_o=420 chmod_o=0 mode_o2=416");
}

TEST_F_TIMEOUT(hlink, setuid, 120)
{
	HL_RUN(sc_setuid,
	       "exec_prog2=root exec_prog2=user exec_prog=root");
}

TEST_F(hlink, locks)
{
	HL_RUN(sc_locks,
	       "f_g_flock=EWOULDBLOCK f_g_posix=EWOULDBLOCK "
	       "g_f_flock=EWOULDBLOCK g_f_posix=EWOULDBLOCK same_ino=1");
}

TEST_F(hlink, upper_links)
{
	HL_RUN(sc_upper_links,
	       "read_g=0 read_g=EACCES f_g_flock=EWOULDBLOCK "
	       "f_g_posix=EWOULDBLOCK nlink_g=2 same_ino=1");
}

TEST_F(hlink, lower_links_rw)
{
	HL_RUN(sc_lower_links_rw,
	       "same_ino=1 nlink_g=2 f_g_flock=0 f_g_posix=0 read_g=0 "
	       "mode_g=420 nlink_f=1 nlink_g=2 same_ino=0 mode_f=420 "
	       "f_h_flock=EWOULDBLOCK f_h_posix=EWOULDBLOCK g_h_flock=0 "
	       "g_h_posix=0");
}

TEST_F(hlink, lower_links_ro)
{
	HL_RUN(sc_lower_links_ro,
	       "same_ino=1 nlink_g=2 f_g_flock=EWOULDBLOCK "
	       "f_g_posix=EWOULDBLOCK");
}

TEST_F(hlink, after_copy_up)
{
	HL_RUN(sc_after_copy_up, "read_f=EACCES flock_g=EWOULDBLOCK");
}

TEST_F(hlink, nlink)
{
	HL_RUN(sc_nlink,
	       "nlink_f=2 fstat_nlink=1 nlink_g=1 write_g=0 g=DATA "
	       "link_g_h=0 nlink_g=2 rename_x_h=0 nlink_g=1 g=DATA h=data "
	       "link_g_k=0 rename_g_k=0 nlink_g=2 nlink_k=2");
}

/*
 * The one pinned difference: directories are not hashed (an inode per
 * dentry), so a watch on a directory whose dentry was pruned stays on the
 * old inode and sees nothing more.  overlayfs hashes directories too.
 */
TEST_F(hlink, inotify_after_prune)
{
	static const char *const want_ovl = "lf=1 uf=1 ld=1";
	int fd = inotify_init1(IN_CLOEXEC);

	/* the debug kernel is built without CONFIG_INOTIFY_USER */
	if (fd < 0 && errno == ENOSYS)
		SKIP(return, "no inotify in this kernel");
	ASSERT_LE(0, fd);
	close(fd);

	sc_inotify(&self->ovl);
	sc_inotify(&self->lfs);
	EXPECT_STREQ(want_ovl, self->ovl.out);
	EXPECT_STREQ(wu_dry_run_overlay() ? want_ovl : "lf=1 uf=1 ld=0",
		     self->lfs.out);
}

TEST_HARNESS_MAIN
