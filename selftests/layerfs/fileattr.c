// SPDX-License-Identifier: GPL-2.0
/*
 * fileattr.c - file attributes (chattr/lsattr flags) through layerfs, side
 * by side with the kernel's overlayfs.
 *
 * overlayfs copies the "protection" flags append-only (+a) and immutable
 * (+i) of a lower object up, but not onto the upper inode: a real +i
 * directory could take no copied-up child, a real +a one no whiteout.  It
 * writes them to the xattr trusted.overlay.protattr ("a", "i" or "ai") of
 * the upper object instead, reads that xattr whenever it makes an inode for
 * an upper object, and shows the flags through FS_IOC_GETFLAGS and
 * FS_IOC_FSGETXATTR.  The flags that the upper can hold and that matter to
 * the VFS (+A noatime, +S sync) are copied onto the upper inode.  chattr
 * through the mount copies the object up and follows the same split.
 *
 * Each scenario below builds two identical layer sets on tmpfs (tmpfs keeps
 * +a, +i, +d and +A since Linux 6.0, not +S), sets the flags of the lower
 * objects before mounting, mounts one set as layerfs and one as overlay,
 * and runs the same steps on both.  Each step writes one line to a
 * transcript ("truncate f: EPERM", "lsattr f: a"); the test passes when
 * the two transcripts are equal and overlay's steps gave the errno the
 * scenario expects (a line "(expected ...)" marks a step that did not).
 * A "remount" step unmounts and mounts again, so the next steps see inodes
 * made from what is on disk (the protattr xattr), not cached ones.
 *
 * The rest is what else copy-up gives the copy, also side by side with
 * overlayfs: the mode before the owner (a mounter without CAP_FSETID keeps
 * setgid), +S refused by a tmpfs upper (an ext4 lower from lfs_make_fs());
 * and, with layers on a loop-mounted XFS (reflink=1): the copy of a lower
 * file on the same XFS shares its extents (FIEMAP), a copy from tmpfs
 * keeps the holes, and freezing and thawing the XFS throughout copy-ups
 * started by every kind of operation neither deadlocks nor damages them.
 * No timing is asserted ("make bench" has the copyup_reflink row).
 */
#define _GNU_SOURCE

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <linux/capability.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define UID_A		1000	/* owner of the "mine" objects */
#define ANY		-2	/* a step whose errno is not predicted */
#define PROTATTR	"trusted.overlay.protattr"

/* The flags a transcript shows, in lsattr's letters. */
static const struct { unsigned int fl; char c; } flag_names[] = {
	{ FS_SYNC_FL, 'S' }, { FS_IMMUTABLE_FL, 'i' }, { FS_APPEND_FL, 'a' },
	{ FS_NODUMP_FL, 'd' }, { FS_NOATIME_FL, 'A' },
};

static const struct { unsigned int fl; char c; } xflag_names[] = {
	{ FS_XFLAG_SYNC, 'S' }, { FS_XFLAG_IMMUTABLE, 'i' },
	{ FS_XFLAG_APPEND, 'a' }, { FS_XFLAG_NODUMP, 'd' },
	{ FS_XFLAG_NOATIME, 'A' },
};

/* One layer set, mounted as one filesystem type, and its transcript. */
struct run {
	char dir[PATH_MAX + 8];	/* l, u, w, m below it */
	const char *fstype;
	struct wu_dump log;
};

static const char *errname(int err)
{
	static char buf[4][32];
	static unsigned int next;
	char *b = buf[next++ % 4];

	switch (err) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ENOTTY: return "ENOTTY";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case EXDEV: return "EXDEV";
	}
	snprintf(b, 32, "errno %d", err);
	return b;
}

/* Record step @what with result @err (and @extra on success). */
static void rec(struct run *r, const char *what, int err, int want,
		const char *extra)
{
	wu_dump_add(&r->log, "%s: %s%s%s\n", what, errname(err),
		    !err && extra ? " " : "", !err && extra ? extra : "");
	if (want != ANY && err != want)
		wu_dump_add(&r->log, "  (expected %s)\n", errname(want));
}

static const char *mnt(struct run *r, const char *rel)
{
	return lfs_fmt("%s/m/%s", r->dir, rel);
}

static int mount_run(struct run *r)
{
	return wu_mount_type(r->fstype, lfs_fmt("%s/m", r->dir),
			     lfs_expand(r->dir,
					"lowerdir=$/l,upperdir=$/u,workdir=$/w"));
}

/* ---- the flags of one object ------------------------------------------- */

static int open_any(const char *path)
{
	return open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
}

static int get_flags(const char *path, unsigned int *flags)
{
	int fd = open_any(path), err = 0;
	int v = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &v))
		err = errno;
	close(fd);
	*flags = v;
	return err;
}

/* chattr: set the flags in @set, clear those in @clear. */
static int change_flags(const char *path, unsigned int set,
			unsigned int clear)
{
	int fd = open_any(path), err = 0;
	int v = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &v))
		err = errno;
	v = (v | set) & ~clear;
	if (!err && ioctl(fd, FS_IOC_SETFLAGS, &v))
		err = errno;
	close(fd);
	return err;
}

static int get_xflags(const char *path, unsigned int *xflags)
{
	struct fsxattr fsx = { 0 };
	int fd = open_any(path), err = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		err = errno;
	close(fd);
	*xflags = fsx.fsx_xflags;
	return err;
}

static int set_xflags(const char *path, unsigned int set, unsigned int clear)
{
	struct fsxattr fsx = { 0 };
	int fd = open_any(path), err = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx))
		err = errno;
	fsx.fsx_xflags = (fsx.fsx_xflags | set) & ~clear;
	if (!err && ioctl(fd, FS_IOC_FSSETXATTR, &fsx))
		err = errno;
	close(fd);
	return err;
}

static const char *letters(unsigned int v, bool x)
{
	static char buf[4][8];
	static unsigned int next;
	char *b = buf[next++ % 4];
	unsigned int i, n = 0;

	for (i = 0; i < 5; i++)
		if (v & (x ? xflag_names[i].fl : flag_names[i].fl))
			b[n++] = x ? xflag_names[i].c : flag_names[i].c;
	if (!n)
		b[n++] = '-';
	b[n] = '\0';
	return b;
}

/* ---- steps --------------------------------------------------------------- */

/* lsattr through the mount; @want_flags is what overlay shows. */
static void lsattr(struct run *r, const char *rel, const char *want_flags)
{
	unsigned int v = 0;
	int err = get_flags(mnt(r, rel), &v);

	rec(r, lfs_fmt("lsattr %s", rel), err, 0, letters(v, false));
	if (!err && strcmp(letters(v, false), want_flags))
		wu_dump_add(&r->log, "  (expected %s)\n", want_flags);
}

/* FS_IOC_FSGETXATTR through the mount (xfs_io -c lsattr). */
static void fsgetx(struct run *r, const char *rel, const char *want_flags)
{
	unsigned int v = 0;
	int err = get_xflags(mnt(r, rel), &v);

	rec(r, lfs_fmt("fsgetxattr %s", rel), err, 0, letters(v, true));
	if (!err && strcmp(letters(v, true), want_flags))
		wu_dump_add(&r->log, "  (expected %s)\n", want_flags);
}

static void chattr(struct run *r, const char *rel, unsigned int set,
		   unsigned int clear, int want)
{
	rec(r, lfs_fmt("chattr +%s -%s %s", letters(set, false),
		       letters(clear, false), rel),
	    change_flags(mnt(r, rel), set, clear), want, NULL);
}

static void fssetx(struct run *r, const char *rel, unsigned int set,
		   unsigned int clear, int want)
{
	rec(r, lfs_fmt("fssetxattr +%s -%s %s", letters(set, true),
		       letters(clear, true), rel),
	    set_xflags(mnt(r, rel), set, clear), want, NULL);
}

/* The real upper object: its own flags and its protattr xattr. */
static void upper_state(struct run *r, const char *rel, const char *want)
{
	const char *p = lfs_fmt("%s/u/%s", r->dir, rel);
	char val[64], state[128];
	unsigned int v = 0;
	ssize_t n;
	int err;

	err = get_flags(p, &v);
	if (err) {
		snprintf(state, sizeof(state), "%s", errname(err));
	} else {
		n = lgetxattr(p, PROTATTR, val, sizeof(val) - 1);
		val[n < 0 ? 0 : n] = '\0';
		snprintf(state, sizeof(state), "flags %s protattr %s",
			 letters(v, false), n < 0 ? errname(errno) : val);
	}
	wu_dump_add(&r->log, "upper %s: %s\n", rel, state);
	if (strcmp(state, want))
		wu_dump_add(&r->log, "  (expected %s)\n", want);
}

static void truncate_step(struct run *r, const char *rel, int want)
{
	rec(r, lfs_fmt("truncate %s", rel), WU_ERR(truncate(mnt(r, rel), 0)),
	    want, NULL);
}

/* open(O_WRONLY[|O_APPEND]) and write one byte. */
static void write_step(struct run *r, const char *rel, bool append, int want)
{
	int fd = open(mnt(r, rel), O_WRONLY | (append ? O_APPEND : 0));
	int err = 0;

	if (fd < 0)
		err = errno;
	else if (write(fd, "x", 1) != 1)
		err = errno;
	if (fd >= 0)
		close(fd);
	rec(r, lfs_fmt("%s %s", append ? "append" : "write", rel), err, want,
	    NULL);
}

static void create_step(struct run *r, const char *rel, int want)
{
	int fd = open(mnt(r, rel), O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd >= 0)
		close(fd);
	rec(r, lfs_fmt("create %s", rel), fd < 0 ? errno : 0, want, NULL);
}

static void unlink_step(struct run *r, const char *rel, int want)
{
	rec(r, lfs_fmt("unlink %s", rel), WU_ERR(unlink(mnt(r, rel))), want,
	    NULL);
}

static void rename_step(struct run *r, const char *a, const char *b, int want)
{
	rec(r, lfs_fmt("rename %s %s", a, b),
	    WU_ERR(rename(mnt(r, a), mnt(r, b))), want, NULL);
}

static void chmod_step(struct run *r, const char *rel, mode_t mode, int want)
{
	rec(r, lfs_fmt("chmod %o %s", mode, rel),
	    WU_ERR(chmod(mnt(r, rel), mode)), want, NULL);
}

static void utimes_now_step(struct run *r, const char *rel, int want)
{
	rec(r, lfs_fmt("touch %s", rel),
	    WU_ERR(utimensat(AT_FDCWD, mnt(r, rel), NULL, 0)), want, NULL);
}

static void link_step(struct run *r, const char *a, const char *b, int want)
{
	rec(r, lfs_fmt("link %s %s", a, b),
	    WU_ERR(link(mnt(r, a), mnt(r, b))), want, NULL);
}

static void setxattr_step(struct run *r, const char *rel, int want)
{
	rec(r, lfs_fmt("setxattr user.x %s", rel),
	    WU_ERR(setxattr(mnt(r, rel), "user.x", "v", 1, 0)), want, NULL);
}

static void remount(struct run *r)
{
	int err = WU_ERR(umount(lfs_fmt("%s/m", r->dir)));

	if (!err)
		err = mount_run(r);
	rec(r, "remount", err, 0, NULL);
}

/* The same steps, as another user (in a child). */
struct as_step {
	struct run *r;
	const char *rel;
	unsigned int set, clear;
	bool x;
};

static int as_chattr_fn(const void *arg)
{
	const struct as_step *s = arg;

	if (s->x)
		return set_xflags(mnt(s->r, s->rel), s->set, s->clear);
	return change_flags(mnt(s->r, s->rel), s->set, s->clear);
}

static int as_lsattr_fn(const void *arg)
{
	const struct as_step *s = arg;
	unsigned int v;

	return get_flags(mnt(s->r, s->rel), &v);
}

static void as_chattr(struct run *r, uid_t uid, const char *rel,
		      unsigned int set, unsigned int clear, bool x, int want)
{
	struct as_step s = { r, rel, set, clear, x };

	rec(r, lfs_fmt("as %u: %s +%s %s", uid, x ? "fssetxattr" : "chattr",
		       letters(set, x), rel),
	    lfs_run_as(uid, as_chattr_fn, &s), want, NULL);
}

static void as_lsattr(struct run *r, uid_t uid, const char *rel, int want)
{
	struct as_step s = { r, rel };

	rec(r, lfs_fmt("as %u: lsattr %s", uid, rel),
	    lfs_run_as(uid, as_lsattr_fn, &s), want, NULL);
}

/* ---- building the layers --------------------------------------------------- */

/* Make $/l, $/u, $/w, $/m below @r->dir. */
static int make_layers(struct run *r)
{
	static const char *const d[] = { "", "l", "u", "w", "m" };
	unsigned int i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (mkdir(lfs_fmt("%s/%s", r->dir, d[i]), 0755))
			return errno;
	return 0;
}

/* A lower (or upper, @layer "u") file or directory, with flags. */
static int obj(struct run *r, const char *layer, const char *rel,
	       bool dir, unsigned int flags, uid_t uid, mode_t mode)
{
	const char *p = lfs_fmt("%s/%s/%s", r->dir, layer, rel);
	int err;

	err = dir ? WU_ERR(mkdir(p, 0755)) : lfs_write(p, "data");
	if (!err)
		err = WU_ERR(chown(p, uid, uid));
	if (!err)
		err = WU_ERR(chmod(p, mode));
	if (!err && flags)
		err = change_flags(p, flags, 0);
	return err;
}

/* ---- the fixture ------------------------------------------------------------ */

/*
 * A scenario: @build makes the layers of one set (before mounting), @steps
 * runs the steps on the mounted set.
 */
struct scenario {
	int (*build)(struct run *r);
	void (*steps)(struct run *r);
};

FIXTURE(fileattr) {
	char base[PATH_MAX];
	struct run lfs, ovl;
};

FIXTURE_SETUP(fileattr)
{
	unsigned int v;

	LFS_SETUP_VS_OVERLAY(self->base, 022);
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/probe", self->base), "x"));
	if (get_flags(lfs_fmt("%s/probe", self->base), &v))
		SKIP(return, "tmpfs has no FS_IOC_GETFLAGS (before 6.0)");
	snprintf(self->lfs.dir, sizeof(self->lfs.dir), "%s/lfs", self->base);
	snprintf(self->ovl.dir, sizeof(self->ovl.dir), "%s/ovl", self->base);
	self->lfs.fstype = lfs_fstype();
	self->ovl.fstype = "overlay";
}

FIXTURE_TEARDOWN(fileattr)
{
	umount2(lfs_fmt("%s/m", self->lfs.dir), MNT_DETACH);
	umount2(lfs_fmt("%s/m", self->ovl.dir), MNT_DETACH);
	free(self->lfs.log.s);
	free(self->ovl.log.s);
	lfs_drop_base(self->base, NULL);
}

/* Run @sc on both layer sets and compare the transcripts. */
static void run_scenario(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fileattr) *self,
			 const struct scenario *sc)
{
	struct run *runs[2] = { &self->lfs, &self->ovl };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct run *r = runs[i];

		ASSERT_EQ(0, make_layers(r));
		ASSERT_EQ(0, sc->build(r));
		ASSERT_EQ(0, mount_run(r)) TH_LOG("mounting %s", r->fstype);
		wu_dump_add(&r->log, "\n");
		sc->steps(r);
	}
	if (strcmp(self->ovl.log.s, self->lfs.log.s))
		TH_LOG("%s and overlay differ", self->lfs.fstype);
	EXPECT_STREQ(self->ovl.log.s, self->lfs.log.s);
	EXPECT_EQ(NULL, strstr(self->ovl.log.s, "(expected"))
		TH_LOG("overlay did not give the expected answers:%s",
		       self->ovl.log.s);
}

/* ---- scenarios ------------------------------------------------------------- */

/*
 * An append-only lower file: refused truncation and plain writes before
 * and after an appending write copies it up, and after a remount.
 */
static int build_append_file(struct run *r)
{
	return obj(r, "l", "f", false, FS_APPEND_FL, 0, 0644);
}

static void steps_append_file(struct run *r)
{
	lsattr(r, "f", "a");
	fsgetx(r, "f", "a");
	truncate_step(r, "f", EPERM);
	write_step(r, "f", false, EPERM);
	write_step(r, "f", true, 0);		/* copies f up */
	upper_state(r, "f", "flags - protattr a");
	lsattr(r, "f", "a");
	fsgetx(r, "f", "a");
	truncate_step(r, "f", EPERM);
	write_step(r, "f", false, EPERM);
	unlink_step(r, "f", EPERM);
	rename_step(r, "f", "g", EPERM);
	remount(r);
	lsattr(r, "f", "a");
	truncate_step(r, "f", EPERM);
	write_step(r, "f", false, EPERM);
	write_step(r, "f", true, 0);
	unlink_step(r, "f", EPERM);
}

TEST_F(fileattr, append_only_file_copied_up)
{
	static const struct scenario sc = {
		build_append_file, steps_append_file
	};

	run_scenario(_metadata, self, &sc);
}

/*
 * An append-only lower directory: new names may be added (which copies it
 * up), existing ones neither removed nor renamed, before and after.
 */
static int build_append_dir(struct run *r)
{
	int err = obj(r, "l", "d", true, 0, 0, 0755);

	if (!err)
		err = obj(r, "l", "d/f", false, 0, 0, 0644);
	if (!err)
		err = change_flags(lfs_fmt("%s/l/d", r->dir), FS_APPEND_FL, 0);
	return err;
}

static void steps_append_dir(struct run *r)
{
	lsattr(r, "d", "a");
	unlink_step(r, "d/f", EPERM);
	create_step(r, "d/new", 0);		/* copies d up */
	upper_state(r, "d", "flags - protattr a");
	lsattr(r, "d", "a");
	unlink_step(r, "d/f", EPERM);
	unlink_step(r, "d/new", EPERM);
	rename_step(r, "d/f", "d/g", EPERM);
	rename_step(r, "d/new", "new", EPERM);
	chmod_step(r, "d/f", 0600, 0);		/* copies d/f up into d */
	remount(r);
	lsattr(r, "d", "a");
	unlink_step(r, "d/f", EPERM);
	create_step(r, "d/new2", 0);
}

TEST_F(fileattr, append_only_dir_copied_up)
{
	static const struct scenario sc = {
		build_append_dir, steps_append_dir
	};

	run_scenario(_metadata, self, &sc);
}

/* An immutable lower file: nothing through the mount can change it. */
static int build_immutable_file(struct run *r)
{
	return obj(r, "l", "f", false, FS_IMMUTABLE_FL, 0, 0644);
}

static void steps_immutable_file(struct run *r)
{
	lsattr(r, "f", "i");
	fsgetx(r, "f", "i");
	write_step(r, "f", false, EPERM);
	write_step(r, "f", true, EPERM);
	truncate_step(r, "f", EPERM);
	chmod_step(r, "f", 0600, EPERM);
	utimes_now_step(r, "f", EPERM);
	setxattr_step(r, "f", EPERM);
	link_step(r, "f", "g", EPERM);
	unlink_step(r, "f", EPERM);
	rename_step(r, "f", "g", EPERM);
	upper_state(r, "f", "ENOENT");
	chattr(r, "f", 0, FS_IMMUTABLE_FL, 0);	/* the one change: copies up */
	upper_state(r, "f", "flags - protattr ENODATA");
	lsattr(r, "f", "-");
	write_step(r, "f", false, 0);
}

TEST_F(fileattr, immutable_file)
{
	static const struct scenario sc = {
		build_immutable_file, steps_immutable_file
	};

	run_scenario(_metadata, self, &sc);
}

/*
 * An immutable lower directory is copied up when a child of it is: the
 * child must still go in (so the upper directory itself is not +i), and
 * afterwards nothing may be added or removed.
 */
static int build_immutable_dir(struct run *r)
{
	int err = obj(r, "l", "d", true, 0, 0, 0755);

	if (!err)
		err = obj(r, "l", "d/f", false, 0, 0, 0644);
	if (!err)
		err = change_flags(lfs_fmt("%s/l/d", r->dir), FS_IMMUTABLE_FL,
				   0);
	return err;
}

static void steps_immutable_dir(struct run *r)
{
	lsattr(r, "d", "i");
	create_step(r, "d/new", EPERM);
	chmod_step(r, "d/f", 0600, 0);		/* copies d, then d/f up */
	upper_state(r, "d", "flags - protattr i");
	lsattr(r, "d", "i");
	create_step(r, "d/new", EPERM);
	unlink_step(r, "d/f", EPERM);
	rename_step(r, "d/f", "d/g", EPERM);
	write_step(r, "d/f", false, 0);
	remount(r);
	lsattr(r, "d", "i");
	create_step(r, "d/new", EPERM);
	unlink_step(r, "d/f", EPERM);
}

TEST_F(fileattr, immutable_dir_copied_up)
{
	static const struct scenario sc = {
		build_immutable_dir, steps_immutable_dir
	};

	run_scenario(_metadata, self, &sc);
}

/*
 * +A (noatime) is copied onto the upper inode; +d (nodump) is not copied
 * at all by overlayfs; +a goes to protattr.
 */
static int build_other_flags(struct run *r)
{
	return obj(r, "l", "f", false,
		   FS_NOATIME_FL | FS_NODUMP_FL | FS_APPEND_FL, 0, 0644);
}

static void steps_other_flags(struct run *r)
{
	lsattr(r, "f", "adA");
	write_step(r, "f", true, 0);
	upper_state(r, "f", "flags A protattr a");
	lsattr(r, "f", "aA");
	remount(r);
	lsattr(r, "f", "aA");
}

TEST_F(fileattr, copy_up_copies_noatime_not_nodump)
{
	static const struct scenario sc = {
		build_other_flags, steps_other_flags
	};

	run_scenario(_metadata, self, &sc);
}

/* chattr and lsattr through the mount, as root. */
static int build_plain(struct run *r)
{
	int err = obj(r, "l", "f", false, 0, 0, 0644);

	if (!err)
		err = obj(r, "l", "g", false, 0, 0, 0644);
	if (!err)
		err = obj(r, "l", "h", false, 0, 0, 0644);
	if (!err)
		err = obj(r, "l", "d", true, 0, 0, 0755);
	if (!err)
		err = obj(r, "l", "d/f", false, 0, 0, 0644);
	return err;
}

static void steps_chattr(struct run *r)
{
	lsattr(r, "f", "-");
	lsattr(r, "d", "-");
	chattr(r, "f", FS_APPEND_FL, 0, 0);	/* copies f up */
	upper_state(r, "f", "flags - protattr a");
	lsattr(r, "f", "a");
	truncate_step(r, "f", EPERM);
	write_step(r, "f", true, 0);
	remount(r);
	lsattr(r, "f", "a");
	truncate_step(r, "f", EPERM);
	chattr(r, "f", FS_IMMUTABLE_FL, 0, 0);
	upper_state(r, "f", "flags - protattr ai");
	write_step(r, "f", true, EPERM);
	chattr(r, "f", 0, FS_APPEND_FL | FS_IMMUTABLE_FL, 0);
	upper_state(r, "f", "flags - protattr ENODATA");
	lsattr(r, "f", "-");
	truncate_step(r, "f", 0);
	chattr(r, "g", FS_NOATIME_FL | FS_NODUMP_FL, 0, 0);
	upper_state(r, "g", "flags dA protattr ENODATA");
	lsattr(r, "g", "dA");
	chattr(r, "g", FS_SYNC_FL, 0, EOPNOTSUPP);	/* tmpfs has no +S */
	lsattr(r, "g", "dA");
	chattr(r, "d", FS_IMMUTABLE_FL, 0, 0);
	upper_state(r, "d", "flags - protattr i");
	fsgetx(r, "d", "i");
	create_step(r, "d/x", EPERM);
	unlink_step(r, "d/f", EPERM);
	chattr(r, "d", 0, FS_IMMUTABLE_FL, 0);
	create_step(r, "d/x", 0);
	fssetx(r, "h", FS_XFLAG_APPEND, 0, 0);
	upper_state(r, "h", "flags - protattr a");
	fsgetx(r, "h", "a");
	truncate_step(r, "h", EPERM);
	fssetx(r, "h", 0, FS_XFLAG_APPEND, 0);
	truncate_step(r, "h", 0);
}

TEST_F(fileattr, chattr_lsattr_through_mount)
{
	static const struct scenario sc = { build_plain, steps_chattr };

	run_scenario(_metadata, self, &sc);
}

/*
 * chattr +a of the merged root, then a remount: layerfs reads the root's
 * trusted.overlay.protattr back as it does for every directory, so the
 * root stays append-only and a name in it cannot be removed.  overlayfs
 * makes its root inode in ovl_get_root(), which never reads protattr
 * (ovl_check_protattr() is called from ovl_get_inode() only): after the
 * remount its root has lost the flag.  layerfs's answers are pinned,
 * overlayfs's logged (difftest does not chattr the root for that reason).
 */
static void steps_root(struct run *r)
{
	chattr(r, ".", FS_APPEND_FL, 0, 0);
	upper_state(r, ".", "flags - protattr a");
	lsattr(r, ".", "a");
	unlink_step(r, "f", EPERM);
	remount(r);
	lsattr(r, ".", "a");
	unlink_step(r, "f", EPERM);
	rename_step(r, "f", "h", EPERM);
	chattr(r, ".", 0, FS_APPEND_FL, 0);
	unlink_step(r, "f", 0);
}

TEST_F(fileattr, root_keeps_append_only_after_remount)
{
	struct run *runs[2] = { &self->lfs, &self->ovl };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, make_layers(runs[i]));
		ASSERT_EQ(0, build_plain(runs[i]));
		ASSERT_EQ(0, mount_run(runs[i]));
		steps_root(runs[i]);
	}
	TH_LOG("overlay:%s", self->ovl.log.s);
	EXPECT_EQ(NULL, strstr(self->lfs.log.s, "(expected"))
		TH_LOG("%s:%s", self->lfs.fstype, self->lfs.log.s);
}

/* chattr and lsattr by users other than root. */
static int build_users(struct run *r)
{
	int err = obj(r, "l", "root_f", false, 0, 0, 0644);

	if (!err)
		err = obj(r, "l", "root_priv", false, 0, 0, 0600);
	if (!err)
		err = obj(r, "l", "mine", false, 0, UID_A, 0644);
	if (!err)
		err = obj(r, "l", "mine_a", false, FS_APPEND_FL, UID_A, 0644);
	return err;
}

static void steps_users(struct run *r)
{
	as_lsattr(r, UID_A, "root_f", 0);
	as_lsattr(r, UID_A, "root_priv", EACCES);
	as_chattr(r, UID_A, "root_f", FS_NODUMP_FL, 0, false, EPERM);
	as_chattr(r, UID_A, "root_f", FS_XFLAG_NODUMP, 0, true, EPERM);
	as_chattr(r, LFS_NOBODY, "mine", FS_NODUMP_FL, 0, false, EPERM);
	as_chattr(r, UID_A, "mine", FS_APPEND_FL, 0, false, EPERM);
	as_chattr(r, UID_A, "mine", FS_NODUMP_FL, 0, false, 0);
	as_chattr(r, UID_A, "mine_a", 0, FS_APPEND_FL, false, EPERM);
	upper_state(r, "root_f", "ENOENT");
	upper_state(r, "mine", "flags d protattr ENODATA");
	upper_state(r, "mine_a", "ENOENT");
	lsattr(r, "mine", "d");
	lsattr(r, "mine_a", "a");
}

TEST_F(fileattr, chattr_by_other_users)
{
	static const struct scenario sc = { build_users, steps_users };

	run_scenario(_metadata, self, &sc);
}

/*
 * Layers as overlayfs (or layerfs) left them: protattr on upper objects
 * counts, on lower objects it does not, and a value overlayfs would not
 * write is ignored.
 */
static int build_protattr(struct run *r)
{
	int err = obj(r, "u", "f", false, 0, 0, 0644);

	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/u/f", r->dir), PROTATTR,
				      "ai", 2, 0));
	if (!err)
		err = obj(r, "u", "d", true, 0, 0, 0755);
	if (!err)
		err = obj(r, "u", "d/f", false, 0, 0, 0644);
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/u/d", r->dir), PROTATTR,
				      "a", 1, 0));
	if (!err)
		err = obj(r, "u", "bad", false, 0, 0, 0644);
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/u/bad", r->dir), PROTATTR,
				      "ax", 2, 0));
	if (!err)
		err = obj(r, "l", "low", false, 0, 0, 0644);
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l/low", r->dir), PROTATTR,
				      "a", 1, 0));
	return err;
}

static void steps_protattr(struct run *r)
{
	lsattr(r, "f", "ia");
	write_step(r, "f", true, EPERM);
	unlink_step(r, "f", EPERM);
	lsattr(r, "d", "a");
	unlink_step(r, "d/f", EPERM);
	create_step(r, "d/new", 0);
	lsattr(r, "bad", "-");
	truncate_step(r, "bad", 0);
	lsattr(r, "low", "-");
	truncate_step(r, "low", 0);		/* copies low up */
	upper_state(r, "low", "flags - protattr ENODATA");
	chattr(r, "f", 0, FS_IMMUTABLE_FL, 0);
	upper_state(r, "f", "flags - protattr a");
	write_step(r, "f", true, 0);
	truncate_step(r, "f", EPERM);
}

TEST_F(fileattr, protattr_on_disk)
{
	static const struct scenario sc = { build_protattr, steps_protattr };

	run_scenario(_metadata, self, &sc);
}

/*
 * The two filesystems read each other's layers: flags set through one are
 * there through the other on the same directories.
 */
TEST_F(fileattr, protattr_written_by_the_other)
{
	struct run *runs[2] = { &self->lfs, &self->ovl };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct run *r = runs[i];

		ASSERT_EQ(0, make_layers(r));
		ASSERT_EQ(0, build_plain(r));
		ASSERT_EQ(0, mount_run(r));
		chattr(r, "f", FS_APPEND_FL, 0, 0);
		chattr(r, "d", FS_IMMUTABLE_FL, 0, 0);
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", r->dir)));
	}
	/* Swap: layerfs on the layers overlay wrote, and the reverse. */
	self->lfs.fstype = "overlay";
	self->ovl.fstype = lfs_fstype();
	for (i = 0; i < 2; i++) {
		struct run *r = runs[i];

		ASSERT_EQ(0, mount_run(r));
		wu_dump_add(&r->log, "\n");
		lsattr(r, "f", "a");
		lsattr(r, "d", "i");
		truncate_step(r, "f", EPERM);
		create_step(r, "d/x", EPERM);
	}
	EXPECT_STREQ(self->lfs.log.s, self->ovl.log.s);
	EXPECT_EQ(NULL, strstr(self->ovl.log.s, "(expected"))
		TH_LOG("%s", self->ovl.log.s);
	EXPECT_EQ(NULL, strstr(self->lfs.log.s, "(expected"))
		TH_LOG("%s", self->lfs.log.s);
}

/* ---- what else copy-up gives the copy ------------------------------------ */

/*
 * Set the capability sets of the calling thread to exactly @keep (CAP_*
 * bits below 32, permitted and effective).
 */
static int set_caps(__u32 keep)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {
		{ .effective = keep, .permitted = keep, .inheritable = 0 },
	};

	return syscall(SYS_capset, &h, d) ? errno : 0;
}

/* (In a child.)  Mount @arg's layer set as root without CAP_FSETID. */
static int mount_without_fsetid(const void *arg)
{
	if (set_caps(~(1U << CAP_FSETID)))
		return 255;
	return mount_run((struct run *)arg);
}

static void stat_step(struct run *r, const char *what, const char *path,
		      const char *want)
{
	struct stat st;
	char state[64];

	if (lstat(path, &st))
		snprintf(state, sizeof(state), "%s", errname(errno));
	else
		snprintf(state, sizeof(state), "%o %u:%u",
			 (unsigned int)(st.st_mode & 07777), st.st_uid,
			 st.st_gid);
	wu_dump_add(&r->log, "%s: %s\n", what, state);
	if (strcmp(state, want))
		wu_dump_add(&r->log, "  (expected %s)\n", want);
}

/*
 * Copy-up gives the copy the lower object's mode before its owner, as
 * overlayfs's ovl_set_attr() does: while the copy still belongs to the
 * mounter, so that a mounter outside the object's group and without
 * CAP_FSETID keeps its setgid bit; a chown that does not ask for it
 * (ATTR_KILL_S*ID) clears neither setgid nor setuid on a local upper.
 */
TEST_F(fileattr, copy_up_mode_then_owner)
{
	struct run *runs[2] = { &self->lfs, &self->ovl };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct run *r = runs[i];

		ASSERT_EQ(0, make_layers(r));
		ASSERT_EQ(0, obj(r, "l", "sg", false, 0, UID_A, 06755));
		ASSERT_EQ(0, obj(r, "l", "sgd", true, 0, UID_A, 02755));
		ASSERT_EQ(0, lfs_in_child(mount_without_fsetid, r))
			TH_LOG("mounting %s without CAP_FSETID", r->fstype);
		wu_dump_add(&r->log, "\n");
		stat_step(r, "sg", mnt(r, "sg"), "6755 1000:1000");
		utimes_now_step(r, "sg", 0);		/* copies sg up */
		stat_step(r, "sg", mnt(r, "sg"), "6755 1000:1000");
		stat_step(r, "upper sg", lfs_fmt("%s/u/sg", r->dir),
			  "6755 1000:1000");
		create_step(r, "sgd/x", 0);		/* copies sgd up */
		stat_step(r, "sgd", mnt(r, "sgd"), "2755 1000:1000");
		stat_step(r, "upper sgd", lfs_fmt("%s/u/sgd", r->dir),
			  "2755 1000:1000");
		stat_step(r, "sgd/x", mnt(r, "sgd/x"), "644 0:1000");
	}
	EXPECT_STREQ(self->ovl.log.s, self->lfs.log.s);
	EXPECT_EQ(NULL, strstr(self->ovl.log.s, "(expected"))
		TH_LOG("overlay: %s", self->ovl.log.s);
}

/*
 * A lower file with +S (sync) on ext4, an upper on tmpfs, which cannot
 * hold +S: the copy-up fails with tmpfs's EOPNOTSUPP on both filesystems
 * (overlayfs copies +S and +A and takes the upper's refusal as an error).
 */
TEST(copy_up_sync_flag_to_tmpfs)
{
	char base[PATH_MAX], t[2][256];
	int i;

	LFS_REQUIRE(return);
	LFS_REQUIRE_REALFS(return, "ext4");
	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(base));
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, lfs_fmt("%s/e.img", base),
				 lfs_fmt("%s/e", base), NULL));
	for (i = 0; i < 2; i++) {
		const char *fs = i ? "overlay" : lfs_fstype();
		const char *d = lfs_fmt("%s/%d", base, i);
		const char *l = lfs_fmt("%s/e/%d", base, i);
		unsigned int v = 0;
		int fd, err, lerr;

		ASSERT_EQ(0, mkdir(l, 0755));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%s/f", l), "sync"));
		ASSERT_EQ(0, change_flags(lfs_fmt("%s/f", l), FS_SYNC_FL, 0));
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/u", d)));
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/w", d)));
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/m", d)));
		ASSERT_EQ(0, wu_mount_type(fs, lfs_fmt("%s/m", d),
				lfs_fmt("lowerdir=%s,upperdir=%s/u,workdir=%s/w",
					l, d, d)));
		lerr = get_flags(lfs_fmt("%s/m/f", d), &v);
		fd = open(lfs_fmt("%s/m/f", d), O_WRONLY | O_APPEND);
		err = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		snprintf(t[i], sizeof(t[i]), "lsattr: %s %s; append: %s; upper: %s",
			 errname(lerr), letters(v, false), errname(err),
			 errname(lfs_lstat_errno(lfs_fmt("%s/u/f", d))));
		ASSERT_EQ(0, umount(lfs_fmt("%s/m", d)));
	}
	EXPECT_STREQ(t[1], t[0]);
	EXPECT_STREQ("lsattr: ok S; append: EOPNOTSUPP; upper: ENOENT", t[1]);
	LFS_DROP_BASE(base, "e");
}

/* ---- copy-up on XFS: clones, holes, freezes ------------------------------- */

/*
 * Layers on a loop-mounted XFS (reflink=1, mkfs.xfs's default) made by
 * lfs_make_fs(): $/x is the XFS, and $/x/<fs>/{l,u,w} and $/<fs>/{l,m} the
 * layers and mount point of each filesystem type <fs> (lfs, ovl).
 */
FIXTURE(xfs) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(xfs)
{
	LFS_REQUIRE(return);
	LFS_REQUIRE_REALFS(return, "xfs");
	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	ASSERT_EQ(0, lfs_make_fs_sized("xfs", NULL,
				       lfs_fmt("%s/x.img", self->base),
				       lfs_fmt("%s/x", self->base), NULL, 256));
}

FIXTURE_TEARDOWN(xfs)
{
	LFS_DROP_BASE(self->base, "lfs/m", "ovl/m", "x");
}

static const char *const xfs_fstype[2] = { "layerfs", "overlay" };
static const char *const xfs_dir[2] = { "lfs", "ovl" };

/*
 * Make the layers called @name below @base: $/x/@name/{l,u,w} on the XFS
 * and $/@name/{l,m} on the test's tmpfs.  Returns the lower directory, on
 * the XFS (@lower_on_xfs) or on the tmpfs (a ring buffer of lfs_fmt()), or
 * NULL.
 */
static const char *xfs_layers(const char *base, const char *name,
			      bool lower_on_xfs)
{
	const char *x = lfs_fmt("%s/x/%s", base, name);
	const char *t = lfs_fmt("%s/%s", base, name);

	if (lfs_mkdir_p(lfs_fmt("%s/u", x)) || lfs_mkdir_p(lfs_fmt("%s/w", x)) ||
	    lfs_mkdir_p(lfs_fmt("%s/l", x)) || lfs_mkdir_p(lfs_fmt("%s/l", t)) ||
	    lfs_mkdir_p(lfs_fmt("%s/m", t)))
		return NULL;
	return lfs_fmt("%s/l", lower_on_xfs ? x : t);
}

/* Mount @fstype on $/@name/m, the upper layer on the XFS. */
static int xfs_mount(const char *base, const char *fstype, const char *name,
		     const char *lower)
{
	const char *opts = lfs_fmt("lowerdir=%s,upperdir=%s/x/%s/u,workdir=%s/x/%s/w",
				   lower, base, name, base, name);

	return wu_mount_type(fstype, lfs_fmt("%s/%s/m", base, name), opts);
}

/* Write @size bytes of wu_fill() pattern @seed at @off of @path. */
static int write_at(const char *path, off_t off, size_t size, unsigned int seed)
{
	char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	size_t i, n;

	if (fd < 0)
		return errno;
	for (i = 0; i < size; i += n) {
		size_t j;

		n = size - i < sizeof(buf) ? size - i : sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = wu_byte(i + j, seed);
		if (pwrite(fd, buf, n, off + i) != (ssize_t)n) {
			close(fd);
			return errno ? errno : EIO;
		}
	}
	return close(fd) ? errno : 0;
}

/*
 * Are all extents of @path shared with another file (FIEMAP)?  "shared",
 * "not shared" (some extent is not), or the errno.
 */
static const char *extents_shared(const char *path)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe[64];
	} m = { .fm = { .fm_length = FIEMAP_MAX_OFFSET, .fm_flags = FIEMAP_FLAG_SYNC,
			.fm_extent_count = 64 } };
	int fd = open(path, O_RDONLY);
	unsigned int i;
	bool all = true;

	if (fd < 0)
		return errname(errno);
	if (ioctl(fd, FS_IOC_FIEMAP, &m.fm)) {
		close(fd);
		return errname(errno);
	}
	close(fd);
	for (i = 0; i < m.fm.fm_mapped_extents; i++)
		all &= !!(m.fe[i].fe_flags & FIEMAP_EXTENT_SHARED);
	return m.fm.fm_mapped_extents && all ? "shared" : "not shared";
}

#define XBIG	(16 << 20)

/*
 * With the lower and the upper layer on one XFS, a copy-up clones the
 * lower file: the copy's extents are shared with it (FIEMAP), the free
 * space hardly changes, and the data reads back the same.  (Timing is
 * never asserted: the point is the sharing.)
 */
TEST_F_TIMEOUT(xfs, copy_up_clones_on_reflink_xfs, 300)
{
	char t[2][512];
	int i;

	for (i = 0; i < 2; i++) {
		const char *lower = xfs_layers(self->base, xfs_dir[i], true);
		const char *m = lfs_fmt("%s/%s/m", self->base, xfs_dir[i]);
		const char *u = lfs_fmt("%s/x/%s/u/big", self->base, xfs_dir[i]);
		struct statfs before, after;
		uint64_t h = 0;
		size_t size = 0;
		long long used;
		int fd;

		ASSERT_NE(NULL, lower);
		ASSERT_EQ(0, wu_fill(lfs_fmt("%s/big", lower), XBIG, 7));
		sync();
		ASSERT_EQ(0, xfs_mount(self->base, xfs_fstype[i], xfs_dir[i], lower));
		ASSERT_EQ(0, statfs(lfs_fmt("%s/x", self->base), &before));
		fd = open(lfs_fmt("%s/big", m), O_WRONLY);	/* copies big up */
		ASSERT_LE(0, fd) TH_LOG("%s: open: %s", xfs_fstype[i], strerror(errno));
		close(fd);
		sync();
		ASSERT_EQ(0, statfs(lfs_fmt("%s/x", self->base), &after));
		used = ((long long)before.f_bfree - (long long)after.f_bfree) *
		       before.f_bsize;
		ASSERT_EQ(0, wu_hash_path(lfs_fmt("%s/big", m), &h, &size));
		snprintf(t[i], sizeof(t[i]),
			 "upper: %s; space used: %s; data: %s",
			 extents_shared(u), used < XBIG / 4 ? "< 1/4 of the file" :
			 "a copy", h == wu_pattern_hash(XBIG, 7) &&
			 size == XBIG ? "same" : "different");
	}
	EXPECT_STREQ(t[1], t[0]);
	EXPECT_STREQ("upper: shared; space used: < 1/4 of the file; data: same",
		     t[1]);
}

/*
 * Across filesystems (tmpfs lower, XFS upper) a copy-up cannot clone: it
 * copies, skipping the holes the lower file has (SEEK_DATA), so that a
 * sparse file stays sparse, also when it ends in a hole.
 */
TEST_F_TIMEOUT(xfs, copy_up_keeps_holes, 300)
{
	char t[2][512];
	int i;

	for (i = 0; i < 2; i++) {
		const char *lower = xfs_layers(self->base, xfs_dir[i], false);
		const char *m = lfs_fmt("%s/%s/m", self->base, xfs_dir[i]);
		const char *u = lfs_fmt("%s/x/%s/u", self->base, xfs_dir[i]);
		struct stat s1, s2;
		int fd;

		ASSERT_NE(NULL, lower);
		/* data, hole, data; and data then a hole to the end */
		ASSERT_EQ(0, write_at(lfs_fmt("%s/holes", lower), 0, 4096, 1));
		ASSERT_EQ(0, write_at(lfs_fmt("%s/holes", lower), XBIG - 4096,
				      4096, 2));
		ASSERT_EQ(0, write_at(lfs_fmt("%s/tail", lower), 0, 4096, 3));
		ASSERT_EQ(0, truncate(lfs_fmt("%s/tail", lower), XBIG));
		ASSERT_EQ(0, xfs_mount(self->base, xfs_fstype[i], xfs_dir[i], lower));
		fd = open(lfs_fmt("%s/holes", m), O_WRONLY);
		ASSERT_LE(0, fd);
		close(fd);
		fd = open(lfs_fmt("%s/tail", m), O_WRONLY);
		ASSERT_LE(0, fd);
		close(fd);
		sync();
		ASSERT_EQ(0, lstat(lfs_fmt("%s/holes", u), &s1));
		ASSERT_EQ(0, lstat(lfs_fmt("%s/tail", u), &s2));
		snprintf(t[i], sizeof(t[i]),
			 "holes: size %lld, %s; tail: size %lld, %s",
			 (long long)s1.st_size,
			 s1.st_blocks * 512 < XBIG / 4 ? "sparse" : "filled",
			 (long long)s2.st_size,
			 s2.st_blocks * 512 < XBIG / 4 ? "sparse" : "filled");
	}
	EXPECT_STREQ(t[1], t[0]);
	EXPECT_STREQ(lfs_fmt("holes: size %d, sparse; tail: size %d, sparse",
			     XBIG, XBIG), t[1]);
}

#define XFREEZE	(8 << 20)

/* (In a child.)  The copy-up of one file, by the operation @arg names. */
static int copy_up_by(const void *arg)
{
	const char *op = arg, *path = lfs_fmt("%s/f", getenv("CU_DIR"));
	int fd, v = FS_NODUMP_FL;

	if (!strcmp(op, "open")) {
		fd = open(path, O_WRONLY);
		return fd < 0 ? errno : close(fd);
	}
	if (!strcmp(op, "truncate"))
		return WU_ERR(truncate(path, XFREEZE - 1));
	if (!strcmp(op, "chmod"))
		return WU_ERR(chmod(path, 0600));
	if (!strcmp(op, "setxattr"))
		return WU_ERR(setxattr(path, "user.x", "v", 1, 0));
	if (!strcmp(op, "chattr")) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno;
		if (ioctl(fd, FS_IOC_SETFLAGS, &v))
			v = errno;
		else
			v = 0;
		close(fd);
		return v;
	}
	if (!strcmp(op, "link"))
		return WU_ERR(link(path, lfs_fmt("%s/g", getenv("CU_DIR"))));
	if (!strcmp(op, "rename"))
		return WU_ERR(rename(path, lfs_fmt("%s/g", getenv("CU_DIR"))));
	return EINVAL;
}

/*
 * Copy-up copies data outside the upper filesystem's freeze protection and
 * takes it again for the metadata: freezing and thawing the upper XFS over
 * and over while copy-ups run, whatever operation started them, must not
 * deadlock (a copy-up reached with sb_writers already held would) and must
 * not damage the copy.
 */
TEST_F_TIMEOUT(xfs, copy_up_during_freezes, 600)
{
	static const char *const ops[] = {
		"open", "truncate", "chmod", "setxattr", "chattr", "link", "rename",
	};
	unsigned int k;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		const char *final = strcmp(ops[k], "rename") ? "f" : "g";
		size_t want_size = strcmp(ops[k], "truncate") ? XFREEZE : XFREEZE - 1;
		int i;

		for (i = 0; i < 2; i++) {
			char name[32], mnt[PATH_MAX + 64];
			int xfd, status = 0, freezes = 0;
			const char *lower;
			uint64_t h = 0;
			size_t size = 0;
			pid_t pid;

			snprintf(name, sizeof(name), "%s%u", xfs_dir[i], k);
			snprintf(mnt, sizeof(mnt), "%s/%s/m", self->base, name);
			lower = xfs_layers(self->base, name, false);
			ASSERT_NE(NULL, lower);
			ASSERT_EQ(0, wu_fill(lfs_fmt("%s/f", lower), XFREEZE, k));
			ASSERT_EQ(0, xfs_mount(self->base, xfs_fstype[i], name, lower));
			setenv("CU_DIR", mnt, 1);

			xfd = open(lfs_fmt("%s/x", self->base), O_RDONLY | O_DIRECTORY);
			ASSERT_LE(0, xfd);
			pid = fork();
			ASSERT_LE(0, pid);
			if (!pid)
				_exit(copy_up_by(ops[k]));
			while (!waitpid(pid, &status, WNOHANG)) {
				if (!ioctl(xfd, FIFREEZE, 0)) {
					freezes++;
					usleep(500);
					ioctl(xfd, FITHAW, 0);
				}
				usleep(100);
			}
			close(xfd);
			ASSERT_TRUE(WIFEXITED(status));
			EXPECT_EQ(0, WEXITSTATUS(status))
				TH_LOG("%s: copy-up by %s: %s", xfs_fstype[i], ops[k],
				       strerror(WEXITSTATUS(status)));
			ASSERT_EQ(0, wu_hash_path(lfs_fmt("%s/%s", mnt, final), &h,
						  &size));
			EXPECT_EQ(want_size, size);
			EXPECT_EQ(wu_pattern_hash(want_size, k), h)
				TH_LOG("%s: copy-up by %s: wrong data", xfs_fstype[i],
				       ops[k]);
			TH_LOG("%s, copy-up by %s: %d freezes", xfs_fstype[i], ops[k],
			       freezes);
			/* Make room on the XFS and the tmpfs for the next round. */
			ASSERT_EQ(0, umount(mnt));
			unlink(lfs_fmt("%s/%s/l/f", self->base, name));
			unlink(lfs_fmt("%s/x/%s/u/f", self->base, name));
			unlink(lfs_fmt("%s/x/%s/u/g", self->base, name));
		}
	}
}

TEST_HARNESS_MAIN
