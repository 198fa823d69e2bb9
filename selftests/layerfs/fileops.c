// SPDX-License-Identifier: GPL-2.0
/*
 * fileops.c - the file operations a layerfs file passes to its real file,
 * side by side with overlayfs: fsync of a file on a filesystem without
 * fsync, the permission checks of splice(2), copy_file_range(2) between
 * two mounts, FICLONE and FIDEDUPERANGE, fadvise and FIEMAP, and the
 * O_TRUNC open that is refused after ->open() (Landlock).
 *
 * The fixture builds two identical stacks below the per-test tmpfs:
 *   $/lfs  mounted as layerfs on $/lfs/m
 *   $/ovl  mounted as overlay on $/ovl/m (when overlay is available)
 * each with  lowerdir=l1:l2,upperdir=u,workdir=w  and
 *   l2/lo_f    "lower-file"   a lower file
 *   u/up_f     "upper-file"   an upper file
 *   u/up2      "upper-file"   a second upper file, same data
 * Each test runs one scenario on both mounts and compares the answers; a
 * few also check the answer layerfs must give on its own, so that a test
 * means something where overlayfs is missing.
 *
 * The tests named *_squashfs and *_xfs put the layers on a real filesystem
 * made by lfs_make_fs() at $/rfs instead (SKIP where it is missing): a
 * squashfs lower has no fsync, and xfs shares extents (reflink), maps them
 * (FIEMAP) and keeps a page cache that fadvise acts on.  The tests named
 * *_fuse put them on lfuse (fuse_util.h), a FUSE filesystem that counts
 * the requests it gets: FLUSH at close(2), and the truncation of an
 * O_TRUNC open, which FUSE with atomic O_TRUNC skips when told ATTR_OPEN.
 */
#define _GNU_SOURCE
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/landlock.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"
#include "fuse_util.h"

#define LO_CONTENT	"lower-file"
#define UP_CONTENT	"upper-file"

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION	(1U << 0)
#endif

FIXTURE(fops) {
	char base[PATH_MAX];
	char buf[4096];
	bool have_ovl;
	struct lfuse fuse[2];		/* the *_fuse tests' servers */
};

/* $/<type>/<rel>: a path in the stack mounted as @type ("lfs" or "ovl"). */
#define S(type, rel)	lfs_fmt("%s/%s/%s", self->base, type, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))

/* Build the layers in @dir and mount @fstype on @dir/m. */
static int fo_stack(const char *fstype, const char *where)
{
	char dir[PATH_MAX];	/* @where may be a ring buffer of lfs_fmt() */
	int err;

	snprintf(dir, sizeof(dir), "%s", where);
	if (mkdir(dir, 0755))
		return errno;
	err = wu_layout_make(dir);
	if (!err)
		err = lfs_write(lfs_fmt("%s/l2/lo_f", dir), LO_CONTENT);
	if (!err)
		err = lfs_write(lfs_fmt("%s/u/up_f", dir), UP_CONTENT);
	if (!err)
		err = lfs_write(lfs_fmt("%s/u/up2", dir), UP_CONTENT);
	if (!err)
		err = wu_mount_type(fstype, lfs_fmt("%s/m", dir), wu_opts(dir));
	return err;
}

FIXTURE_SETUP(fops)
{
	LFS_REQUIRE(return);
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	ASSERT_EQ(0, fo_stack(lfs_fstype(), lfs_fmt("%s/lfs", self->base)));
	self->have_ovl = lfs_fs_available("overlay");
	if (self->have_ovl)
		ASSERT_EQ(0, fo_stack("overlay",
				      lfs_fmt("%s/ovl", self->base)));
}

FIXTURE_TEARDOWN(fops)
{
	static const char *const mnts[] = {
		"lfs/m", "ovl/m", "lfs2/m", "ovl2/m", "lfs/sys", "ovl/sys",
		"lfs/sec", "ovl/sec", "rm-lfs", "rm-ovl", "rfs", "fm-lfs",
		"fm-ovl",
	};
	unsigned int i;

	for (i = 0; i < sizeof(mnts) / sizeof(mnts[0]); i++)
		while (!umount2(lfs_fmt("%s/%s", self->base, mnts[i]),
				MNT_DETACH))
			;
	lfuse_umount(&self->fuse[0]);
	lfuse_umount(&self->fuse[1]);
	lfs_drop_base(self->base, NULL);
}

/* The stacks to run a scenario on: layerfs, then overlay if present. */
#define FOR_EACH_STACK(t) \
	for (const char *t = "lfs"; t; \
	     t = !strcmp(t, "lfs") && self->have_ovl ? "ovl" : NULL)

/* ---- a change through an open file whose lower name was removed -------- */

/*
 * A lower file open read-only, then unlinked (a whiteout takes its name),
 * then changed through the descriptor (fchmod, which must copy it up):
 * the copy-up finds no name to put the copy at.  It must not bring the
 * file back over the whiteout, nor leave anything in work/.  The errno
 * is what each filesystem answers; both keep the file deleted.
 */
TEST_F(fops, fchmod_after_unlink_of_lower_file)
{
	FOR_EACH_STACK(t) {
		int fd = open(S(t, "m/lo_f"), O_RDONLY);
		int err;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, unlink(S(t, "m/lo_f")));
		err = fchmod(fd, 0600) ? errno : 0;
		TH_LOG("%s: fchmod after unlink: %s", t, strerror(err));
		if (t[0] == 'l')
			EXPECT_EQ(ENOENT, err);
		EXPECT_STREQ(LO_CONTENT, CAT(lfs_fmt("/proc/self/fd/%d", fd)));
		close(fd);
		EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "m/lo_f")));
		EXPECT_EQ(0, wu_whiteout_errno(S(t, "u/lo_f")));
		EXPECT_EQ(0, wu_work_leftovers(S(t, "w/work")));
	}
}

/* ---- fsync of a file whose filesystem has no fsync ------------------------- */

/*
 * A lower file on a filesystem without fsync (securityfs here, mounted in
 * the test's namespace; squashfs and iso9660 are the usual ones): fsync
 * and fdatasync through the mount succeed and sync nothing, as on
 * overlayfs, which syncs upper files only.  Before, layerfs passed the
 * fsync down and got EINVAL.  Checked on a lower-only mount and on a
 * read-write one (the file opened read-only).
 */
TEST_F(fops, fsync_of_lower_file_without_fsync)
{
	static const char *const opts[] = {
		"lowerdir=$/sec:$/l1",
		"lowerdir=$/sec,upperdir=$/u2,workdir=$/w2",
	};
	unsigned int i;

	FOR_EACH_STACK(t) {
		char dir[PATH_MAX];
		int fd;

		snprintf(dir, sizeof(dir), "%s", S(t, ""));
		ASSERT_EQ(0, mkdir(S(t, "sec"), 0755));
		if (mount("securityfs", S(t, "sec"), "securityfs", 0, NULL))
			SKIP(return, "no securityfs: %s", strerror(errno));
		if (access(S(t, "sec/lsm"), R_OK))
			SKIP(return, "no lsm file in securityfs");
		ASSERT_EQ(0, mkdir(S(t, "sys"), 0755));
		ASSERT_EQ(0, mkdir(S(t, "u2"), 0755));
		ASSERT_EQ(0, mkdir(S(t, "w2"), 0755));
		for (i = 0; i < 2; i++) {
			int fs, fds;

			ASSERT_EQ(0, wu_mount_type(t[0] == 'l' ? lfs_fstype() :
						   "overlay", S(t, "sys"),
						   lfs_expand(dir, opts[i])));
			fd = open(S(t, "sys/lsm"), O_RDONLY);
			ASSERT_LE(0, fd);
			fs = WU_ERR(fsync(fd));
			fds = WU_ERR(fdatasync(fd));
			EXPECT_EQ(0, fs) TH_LOG("%s %s: fsync errno %d", t,
						opts[i], fs);
			EXPECT_EQ(0, fds) TH_LOG("%s %s: fdatasync errno %d",
						 t, opts[i], fds);
			ASSERT_EQ(0, close(fd));
			ASSERT_EQ(0, umount2(S(t, "sys"), 0));
		}
		/* The file itself cannot be synced: that is the point. */
		fd = open(S(t, "sec/lsm"), O_RDONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(EINVAL, WU_ERR(fsync(fd)));
		ASSERT_EQ(0, close(fd));
		ASSERT_EQ(0, umount2(S(t, "sec"), 0));
	}
}

/* An upper file is still synced: fsync of a file being written works. */
TEST_F(fops, fsync_of_upper_file)
{
	int fd = open(S("lfs", "m/lo_f"), O_WRONLY | O_APPEND);

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "+", 1));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, fdatasync(fd));
	ASSERT_EQ(0, close(fd));
	ASSERT_STREQ(LO_CONTENT "+", CAT(S("lfs", "u/lo_f")));
}

/* ---- splice(2) and sendfile(2): the real file's permission checks ----------- */

/*
 * A fanotify listener that answers FAN_DENY to every FAN_ACCESS_PERM event
 * of one file: a stand-in for any LSM or fsnotify permission hook that
 * rw_verify_area() runs before a read of the real file.  Returns the
 * listener's pid (the caller kills it), or -errno.
 */
static pid_t fo_deny_reads(const char *path)
{
	int ready[2], fan, err = 0;
	pid_t pid;
	char c;

	if (pipe(ready))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct fanotify_event_metadata ev[16];
		ssize_t n;

		close(ready[0]);
		fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
		if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD,
					     FAN_ACCESS_PERM, AT_FDCWD, path))
			err = errno;
		c = err;
		if (write(ready[1], &c, 1) != 1 || err)
			_exit(1);
		while ((n = read(fan, ev, sizeof(ev))) > 0) {
			struct fanotify_event_metadata *m = ev;

			for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
				struct fanotify_response r = {
					.fd = m->fd, .response = FAN_DENY,
				};

				if (write(fan, &r, sizeof(r)) != sizeof(r))
					_exit(2);
				close(m->fd);
			}
		}
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		c = EIO;
	close(ready[0]);
	if (c) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -c;
	}
	return pid;
}

struct fo_reads {
	int read_err, splice_err, sendfile_err;
};

/* read(2), splice(2) and sendfile(2) of the first bytes of @path. */
static void fo_try_reads(const char *path, struct fo_reads *r)
{
	char b[16];
	loff_t off = 0;
	int fd, p[2], out;

	r->read_err = r->splice_err = r->sendfile_err = -1;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	r->read_err = WU_ERR(read(fd, b, sizeof(b)));
	if (!pipe(p)) {
		r->splice_err = WU_ERR(splice(fd, &off, p[1], NULL, 4, 0));
		close(p[0]);
		close(p[1]);
	}
	out = open("/dev/null", O_WRONLY);
	if (out >= 0) {
		off = 0;
		r->sendfile_err = WU_ERR(sendfile(out, fd, &off, 4));
		close(out);
	}
	close(fd);
}

/*
 * splice(2) and sendfile(2) from a layerfs file are refused when a read of
 * the real file is: the real file's splice_read runs after
 * rw_verify_area() (the LSM file_permission hook and fsnotify permission
 * events), as read(2) does through vfs_iter_read().  Before, splice called
 * the real splice_read directly and read past the check.  Denial comes from
 * a fanotify FAN_ACCESS_PERM listener on the lower file, then on the upper
 * file.  On overlayfs too splice is refused exactly when read is; on 6.1
 * neither is, because its real files carry the overlay path ("fake
 * path"), so their events go to the overlay inode, not the marked one.
 */
TEST_F(fops, splice_read_checks_real_file)
{
	static const char *const files[][2] = {
		{ "l2/lo_f", "m/lo_f" }, { "u/up_f", "m/up_f" },
	};
	unsigned int i;

	FOR_EACH_STACK(t) {
		for (i = 0; i < 2; i++) {
			struct fo_reads r;
			pid_t pid = fo_deny_reads(S(t, files[i][0]));

			if (pid == -EPERM || pid == -EINVAL || pid == -ENOSYS)
				SKIP(return, "no fanotify permission events");
			ASSERT_LT(0, pid);
			fo_try_reads(S(t, files[i][1]), &r);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			/* overlayfs on 6.1 reports on its own inode instead */
			if (t[0] == 'l')
				EXPECT_EQ(EPERM, r.read_err)
					TH_LOG("%s %s: read", t, files[i][1]);
			EXPECT_EQ(r.read_err, r.splice_err)
				TH_LOG("%s %s: splice", t, files[i][1]);
			EXPECT_EQ(r.read_err, r.sendfile_err)
				TH_LOG("%s %s: sendfile", t, files[i][1]);

			/* Without the listener everything reads again. */
			fo_try_reads(S(t, files[i][1]), &r);
			EXPECT_EQ(0, r.read_err);
			EXPECT_EQ(0, r.splice_err);
			EXPECT_EQ(0, r.sendfile_err);
		}
	}
}

/* ---- copy_file_range(2) ------------------------------------------------------ */

/*
 * copy_file_range between two mounts of the same type is passed to the
 * real files, as overlayfs does: a lower file of one mount copies into a
 * new file of another.  Before, the VFS saw two layerfs super blocks and
 * no copy_file_range operation and answered EXDEV.
 */
TEST_F(fops, copy_file_range_between_mounts)
{
	FOR_EACH_STACK(t) {
		const char *two = t[0] == 'l' ? "lfs2" : "ovl2";
		loff_t in_off = 0, out_off = 0;
		int in, out;
		ssize_t n;

		ASSERT_EQ(0, fo_stack(t[0] == 'l' ? lfs_fstype() : "overlay",
				      S(two, "")));
		in = open(S(t, "m/lo_f"), O_RDONLY);
		ASSERT_LE(0, in);
		out = open(S(two, "m/copy"), O_WRONLY | O_CREAT | O_EXCL, 0644);
		ASSERT_LE(0, out);
		n = copy_file_range(in, &in_off, out, &out_off, 64, 0);
		EXPECT_EQ(10, n) TH_LOG("%s: copy_file_range errno %d", t,
					n < 0 ? errno : 0);
		ASSERT_EQ(0, close(out));
		ASSERT_EQ(0, close(in));
		EXPECT_STREQ(LO_CONTENT, CAT(S(two, "m/copy")));
		EXPECT_STREQ(LO_CONTENT, CAT(S(two, "u/copy")));
		EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "u/lo_f")));
	}
}

/*
 * Within one mount: a lower file copied into a lower file opened for
 * writing (which copied it up, with its data), at an offset.  The result
 * is the same on both, and the source stays in the lower layer.
 */
TEST_F(fops, copy_file_range_into_copied_up_file)
{
	FOR_EACH_STACK(t) {
		loff_t in_off = 0, out_off = 5;
		int in, out;
		ssize_t n;

		ASSERT_EQ(0, lfs_write(S(t, "l1/dst"), "0123456789"));
		in = open(S(t, "m/lo_f"), O_RDONLY);
		ASSERT_LE(0, in);
		out = open(S(t, "m/dst"), O_WRONLY);
		ASSERT_LE(0, out);
		n = copy_file_range(in, &in_off, out, &out_off, 5, 0);
		EXPECT_EQ(5, n) TH_LOG("%s: errno %d", t, n < 0 ? errno : 0);
		ASSERT_EQ(0, close(out));
		ASSERT_EQ(0, close(in));
		EXPECT_STREQ("01234lower", CAT(S(t, "m/dst")));
		EXPECT_STREQ("01234lower", CAT(S(t, "u/dst")));
		EXPECT_STREQ("0123456789", CAT(S(t, "l1/dst")));
		EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "u/lo_f")));
	}
}

struct fo_cfr_arg {
	const char *in, *out;
};

static int fo_cfr_as(const void *p)
{
	const struct fo_cfr_arg *a = p;
	loff_t in_off = 0, out_off = 0;
	int in, out, err = 0;

	in = open(a->in, O_RDONLY);
	if (in < 0)
		return errno;
	out = open(a->out, O_WRONLY);
	if (out < 0) {
		err = errno;
	} else {
		if (copy_file_range(in, &in_off, out, &out_off, 4, 0) != 4)
			err = errno ? errno : EIO;
		close(out);
	}
	close(in);
	return err;
}

/*
 * Copying into a setuid file another user may write clears setuid, as a
 * write does, and the copy is the caller's doing (file_remove_privs() as
 * the caller): the same mode results on both.
 */
TEST_F(fops, copy_file_range_clears_setuid)
{
	FOR_EACH_STACK(t) {
		struct fo_cfr_arg a = { S(t, "m/lo_f"), S(t, "m/suid") };
		char in[PATH_MAX], out[PATH_MAX];

		ASSERT_EQ(0, lfs_write_mode(S(t, "l1/suid"), "xxxxxxxx", 04777));
		snprintf(in, sizeof(in), "%s", a.in);
		snprintf(out, sizeof(out), "%s", a.out);
		a.in = in;
		a.out = out;
		ASSERT_EQ(0, lfs_run_as(LFS_NOBODY, fo_cfr_as, &a));
		EXPECT_EQ(0777, wu_lstat(S(t, "m/suid")).st_mode & 07777)
			TH_LOG("%s", t);
		EXPECT_STREQ("lowexxxx", CAT(S(t, "u/suid")));
	}
}

/*
 * An append-only file (chattr +a) can only be opened with O_APPEND, and
 * copy_file_range refuses such a destination (EBADF): same on both, and
 * the file keeps its data.
 */
TEST_F(fops, copy_file_range_into_append_only)
{
	FOR_EACH_STACK(t) {
		loff_t in_off = 0, out_off = 0;
		int attr = 0, in, out;

		out = open(S(t, "u/up2"), O_RDONLY);
		ASSERT_LE(0, out);
		ASSERT_EQ(0, ioctl(out, FS_IOC_GETFLAGS, &attr));
		attr |= FS_APPEND_FL;
		if (ioctl(out, FS_IOC_SETFLAGS, &attr))
			SKIP(return, "tmpfs cannot chattr +a here");
		close(out);
		in = open(S(t, "m/lo_f"), O_RDONLY);
		ASSERT_LE(0, in);
		EXPECT_EQ(EPERM, WU_ERR(open(S(t, "m/up2"), O_WRONLY)));
		out = open(S(t, "m/up2"), O_WRONLY | O_APPEND);
		ASSERT_LE(0, out);
		EXPECT_EQ(EBADF, WU_ERR(copy_file_range(in, &in_off, out,
							&out_off, 4, 0)))
			TH_LOG("%s", t);
		EXPECT_EQ(EBADF, WU_ERR(ioctl(out, FICLONE, in)));
		close(out);
		close(in);
		attr &= ~FS_APPEND_FL;
		out = open(S(t, "u/up2"), O_RDONLY);
		ASSERT_LE(0, out);
		ASSERT_EQ(0, ioctl(out, FS_IOC_SETFLAGS, &attr));
		close(out);
		EXPECT_STREQ(UP_CONTENT, CAT(S(t, "u/up2")));
	}
}

/* ---- FICLONE, FIDEDUPERANGE ----------------------------------------------- */

/*
 * tmpfs cannot share extents: FICLONE answers EOPNOTSUPP through the
 * mount, from a lower and from an upper source, as on overlayfs.  (On a
 * reflink filesystem the clone is made between the real files.)
 */
TEST_F(fops, ficlone_without_reflink)
{
	FOR_EACH_STACK(t) {
		int src_lo = open(S(t, "m/lo_f"), O_RDONLY);
		int src_up = open(S(t, "m/up_f"), O_RDONLY);
		int dst = open(S(t, "m/clone"), O_WRONLY | O_CREAT, 0644);

		ASSERT_LE(0, src_lo);
		ASSERT_LE(0, src_up);
		ASSERT_LE(0, dst);
		EXPECT_EQ(EOPNOTSUPP, WU_ERR(ioctl(dst, FICLONE, src_lo)))
			TH_LOG("%s lower", t);
		EXPECT_EQ(EOPNOTSUPP, WU_ERR(ioctl(dst, FICLONE, src_up)))
			TH_LOG("%s upper", t);
		close(dst);
		close(src_up);
		close(src_lo);
		EXPECT_EQ(0, wu_lstat(S(t, "u/clone")).st_size);
	}
}

/* FIDEDUPERANGE of @len bytes from @src into @dst: ioctl errno, status. */
static int fo_dedupe(int src, int dst, int len, int *status)
{
	struct {
		struct file_dedupe_range r;
		struct file_dedupe_range_info info;
	} d = { .r = { .src_length = len, .dest_count = 1 },
		.info = { .dest_fd = dst } };

	*status = -9999;
	if (ioctl(src, FIDEDUPERANGE, &d))
		return errno;
	*status = d.info.status;
	return 0;
}

/*
 * FIDEDUPERANGE is passed to the real files when both are upper files
 * (tmpfs then reports EINVAL in the range's status: it has no dedupe),
 * and refused with EPERM in the status when the source is a lower file:
 * copying it up would duplicate the data dedupe means to share.  Same as
 * overlayfs.  Before, layerfs had no remap_file_range and the ioctl itself
 * failed with EOPNOTSUPP.
 */
TEST_F(fops, fideduperange_like_overlay)
{
	FOR_EACH_STACK(t) {
		int up = open(S(t, "m/up_f"), O_RDONLY);
		int lo = open(S(t, "m/lo_f"), O_RDONLY);
		int dst = open(S(t, "m/up2"), O_RDWR);
		int status;

		ASSERT_LE(0, up);
		ASSERT_LE(0, lo);
		ASSERT_LE(0, dst);
		EXPECT_EQ(0, fo_dedupe(up, dst, 10, &status)) TH_LOG("%s", t);
		EXPECT_EQ(-EINVAL, status) TH_LOG("%s upper", t);
		EXPECT_EQ(0, fo_dedupe(lo, dst, 10, &status)) TH_LOG("%s", t);
		EXPECT_EQ(-EPERM, status) TH_LOG("%s lower", t);
		close(dst);
		close(lo);
		close(up);
		EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "u/lo_f")));
	}
}

/* ---- fadvise, FIEMAP --------------------------------------------------------- */

/*
 * posix_fadvise and FIEMAP reach the real file: on tmpfs fadvise accepts
 * the valid advice values (and rejects others with EINVAL), and FIEMAP is
 * EOPNOTSUPP, as on overlayfs.
 */
TEST_F(fops, fadvise_fiemap_on_tmpfs)
{
	FOR_EACH_STACK(t) {
		struct {
			struct fiemap fm;
			struct fiemap_extent ext[4];
		} f = { .fm = { .fm_length = ~0ULL, .fm_extent_count = 4 } };
		int fd = open(S(t, "m/lo_f"), O_RDONLY);

		ASSERT_LE(0, fd);
		EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED));
		EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
		EXPECT_EQ(EINVAL, posix_fadvise(fd, 0, 0, 12345));
		EXPECT_EQ(EOPNOTSUPP, WU_ERR(ioctl(fd, FS_IOC_FIEMAP, &f)))
			TH_LOG("%s", t);
		close(fd);
	}
}

/* ---- on real filesystems ------------------------------------------------------ */

/*
 * Make the layers of both stacks in real filesystem @rfs ($/rfs), each
 * like fo_stack()'s but with @size bytes of pattern 3 as l2/lo_f, and
 * mount them on $/rm-lfs and $/rm-ovl.  The data is on disk (syncfs) so
 * that its pages are clean.
 */
static int fo_real_stacks(const char *base, bool have_ovl, size_t size)
{
	const char *types[] = { lfs_fstype(), "overlay" };
	const char *names[] = { "lfs", "ovl" };
	unsigned int i;
	int fd, err = 0;

	for (i = 0; !err && i < (have_ovl ? 2 : 1); i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/rfs/%s", base, names[i]);
		if (mkdir(dir, 0755) || mkdir(lfs_fmt("%s/rm-%s", base,
						      names[i]), 0755))
			return errno;
		err = wu_layout_make(dir);
		if (!err)
			err = wu_fill(lfs_fmt("%s/l2/lo_f", dir), size, 3);
		if (!err)
			err = lfs_write(lfs_fmt("%s/u/up_f", dir), UP_CONTENT);
		if (!err)
			err = wu_mount_type(types[i],
					    lfs_fmt("%s/rm-%s", base, names[i]),
					    wu_opts(dir));
	}
	fd = open(lfs_fmt("%s/rfs", base), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return err ?: errno;
	if (!err && syncfs(fd))
		err = errno;
	close(fd);
	return err;
}

/* $/rm-<type>/<rel> and $/rfs/<type>/<rel>: the mount and its layers. */
#define RM(type, rel)	lfs_fmt("%s/rm-%s/%s", self->base, type, rel)
#define RL(type, rel)	lfs_fmt("%s/rfs/%s/%s", self->base, type, rel)

/*
 * The case: a lower layer on squashfs, whose files have no fsync.
 * fsync and fdatasync of such a file succeed through the mount (lower-only
 * and read-write), as on overlayfs; before, layerfs answered EINVAL.
 */
TEST_F(fops, fsync_of_lower_file_on_squashfs)
{
	static const char *const opts[] = {
		"lowerdir=$/rfs:$/lfs/l1",
		"lowerdir=$/rfs,upperdir=$/lfs/u,workdir=$/lfs/w",
	};
	unsigned int i;
	int fd;

	LFS_REQUIRE_REALFS(return, "squashfs");
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/sqsrc", self->base), 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/sqsrc/sq_f", self->base), "sq"));
	ASSERT_EQ(0, lfs_make_fs("squashfs", lfs_fmt("%s/sqsrc", self->base),
				 lfs_fmt("%s/sq.img", self->base),
				 lfs_fmt("%s/rfs", self->base), "ro"));
	fd = open(lfs_fmt("%s/rfs/sq_f", self->base), O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, WU_ERR(fsync(fd)));
	ASSERT_EQ(0, close(fd));

	FOR_EACH_STACK(t) {
		const char *mnt = lfs_fmt("%s/rm-%s", self->base, t);
		char m[PATH_MAX];

		snprintf(m, sizeof(m), "%s", mnt);
		ASSERT_EQ(0, mkdir(m, 0755));
		/* the read-write stack borrows the tmpfs stack's u and w */
		ASSERT_EQ(0, umount2(S(t, "m"), 0));
		for (i = 0; i < 2; i++) {
			int fs, fds;
			char o[PATH_MAX];

			snprintf(o, sizeof(o), "%s", lfs_expand(self->base,
								 opts[i]));
			if (t[0] == 'o')	/* overlay's own u and w */
				snprintf(o, sizeof(o), "%s",
					 lfs_expand(self->base, i ?
					 "lowerdir=$/rfs,upperdir=$/ovl/u,workdir=$/ovl/w" :
					 "lowerdir=$/rfs:$/ovl/l1"));
			ASSERT_EQ(0, wu_mount_type(t[0] == 'l' ? lfs_fstype() :
						   "overlay", m, o));
			fd = open(lfs_fmt("%s/sq_f", m), O_RDONLY);
			ASSERT_LE(0, fd);
			fs = WU_ERR(fsync(fd));
			fds = WU_ERR(fdatasync(fd));
			EXPECT_EQ(0, fs) TH_LOG("%s %s: fsync errno %d", t, o,
						fs);
			EXPECT_EQ(0, fds) TH_LOG("%s %s: fdatasync errno %d", t,
						 o, fds);
			ASSERT_EQ(0, close(fd));
			ASSERT_EQ(0, umount2(m, 0));
		}
	}
}

#define RF_SIZE		(256 * 1024)

/* FIEMAP of @fd: the number of mapped extents, or -errno; first extent. */
static int fo_fiemap(int fd, struct fiemap_extent *first)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[32];
	} f = { .fm = { .fm_length = ~0ULL, .fm_extent_count = 32,
			.fm_flags = FIEMAP_FLAG_SYNC } };

	if (ioctl(fd, FS_IOC_FIEMAP, &f))
		return -errno;
	if (f.fm.fm_mapped_extents)
		*first = f.ext[0];
	return f.fm.fm_mapped_extents;
}

/* FIEMAP of @path (opened read-only); see fo_fiemap(). */
static int fo_fiemap_path(const char *path, struct fiemap_extent *first)
{
	int n, fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = fo_fiemap(fd, first);
	close(fd);
	return n;
}

/*
 * On a reflink filesystem (xfs), FICLONE and FICLONERANGE through the
 * mount share extents between the real files: a lower file cloned into a
 * new upper file (the layers share one xfs), an upper file's range into
 * another.  The clones hold the data and FIEMAP through the mount reports
 * the extents of the real file, shared.  Before, layerfs had no
 * remap_file_range (EOPNOTSUPP) and no fiemap (EOPNOTSUPP).  Same as
 * overlayfs.
 */
TEST_F(fops, ficlone_fiemap_on_xfs)
{
	LFS_REQUIRE_REALFS(return, "xfs");
	ASSERT_EQ(0, lfs_make_fs("xfs", NULL, lfs_fmt("%s/x.img", self->base),
				 lfs_fmt("%s/rfs", self->base), NULL));
	ASSERT_EQ(0, fo_real_stacks(self->base, self->have_ovl, RF_SIZE));

	FOR_EACH_STACK(t) {
		struct file_clone_range r = { .src_length = 4096,
					      .dest_offset = 8192 };
		struct fiemap_extent e_real, e_mnt;
		uint64_t h = 0;
		size_t size = 0;
		int src, dst, n;

		src = open(RM(t, "lo_f"), O_RDONLY);
		ASSERT_LE(0, src);
		dst = open(RM(t, "clone"), O_WRONLY | O_CREAT | O_EXCL, 0644);
		ASSERT_LE(0, dst);
		EXPECT_EQ(0, WU_ERR(ioctl(dst, FICLONE, src))) TH_LOG("%s", t);
		ASSERT_EQ(0, close(dst));

		/* a range of the new upper file into a copied-up file */
		ASSERT_EQ(0, wu_fill(RL(t, "l1/part"), 16384, 5));
		dst = open(RM(t, "part"), O_RDWR);
		ASSERT_LE(0, dst);
		r.src_fd = open(RM(t, "clone"), O_RDONLY);
		ASSERT_LE(0, r.src_fd);
		EXPECT_EQ(0, WU_ERR(ioctl(dst, FICLONERANGE, &r)))
			TH_LOG("%s", t);
		close(r.src_fd);
		ASSERT_EQ(0, close(dst));
		ASSERT_EQ(0, close(src));

		ASSERT_EQ(0, wu_hash_path(RM(t, "clone"), &h, &size));
		EXPECT_EQ(RF_SIZE, size);
		EXPECT_EQ(wu_pattern_hash(RF_SIZE, 3), h);
		EXPECT_EQ(RF_SIZE, wu_lstat(RL(t, "u/clone")).st_size);
		EXPECT_EQ(ENOENT, lfs_lstat_errno(RL(t, "u/lo_f")));

		/* FIEMAP through the mount = FIEMAP of the real file */
		n = fo_fiemap_path(RL(t, "u/clone"), &e_real);
		ASSERT_LT(0, n);
		EXPECT_EQ(n, fo_fiemap_path(RM(t, "clone"), &e_mnt))
			TH_LOG("%s", t);
		EXPECT_EQ(e_real.fe_physical, e_mnt.fe_physical);
		EXPECT_TRUE(e_mnt.fe_flags & FIEMAP_EXTENT_SHARED);
		n = fo_fiemap_path(RL(t, "l2/lo_f"), &e_real);
		ASSERT_LT(0, n);
		EXPECT_EQ(n, fo_fiemap_path(RM(t, "lo_f"), &e_mnt));
		EXPECT_EQ(e_real.fe_physical, e_mnt.fe_physical);
	}
}

/* How many of the first @size bytes of @path are in the page cache. */
static long fo_resident(const char *path, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE), n = 0;
	unsigned char vec[RF_SIZE / 4096];
	size_t i, pages = size / pg;
	void *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || pages > sizeof(vec))
		return -1;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	if (mincore(p, size, vec))
		n = -1;
	for (i = 0; n >= 0 && i < pages; i++)
		n += vec[i] & 1;
	munmap(p, size);
	return n * pg;
}

/*
 * posix_fadvise through the mount acts on the real file's page cache:
 * POSIX_FADV_DONTNEED drops the cached (clean) pages of the lower file,
 * POSIX_FADV_WILLNEED reads (some of) them in again.  Before, layerfs left fadvise
 * to the VFS, which found no page cache on the layerfs inode and did
 * nothing.  Residency is read with mincore() on a mapping of the real file.
 */
TEST_F(fops, fadvise_on_xfs)
{
	LFS_REQUIRE_REALFS(return, "xfs");
	ASSERT_EQ(0, lfs_make_fs("xfs", NULL, lfs_fmt("%s/x.img", self->base),
				 lfs_fmt("%s/rfs", self->base), NULL));
	ASSERT_EQ(0, fo_real_stacks(self->base, self->have_ovl, RF_SIZE));

	FOR_EACH_STACK(t) {
		uint64_t h = 0;
		int i, fd = open(RM(t, "lo_f"), O_RDONLY);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, wu_hash_fd(fd, &h, NULL));
		EXPECT_EQ(RF_SIZE, fo_resident(RL(t, "l2/lo_f"), RF_SIZE));
		EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
		EXPECT_EQ(0, fo_resident(RL(t, "l2/lo_f"), RF_SIZE))
			TH_LOG("%s: DONTNEED", t);
		EXPECT_EQ(0, posix_fadvise(fd, 0, RF_SIZE,
					   POSIX_FADV_WILLNEED));
		/* the readahead is asynchronous: give it up to 5 seconds */
		for (i = 0; i < 50 && !fo_resident(RL(t, "l2/lo_f"), RF_SIZE);
		     i++)
			usleep(100000);
		EXPECT_LT(0, fo_resident(RL(t, "l2/lo_f"), RF_SIZE))
			TH_LOG("%s: WILLNEED", t);
		ASSERT_EQ(0, close(fd));
	}
}

/* ---- on FUSE ------------------------------------------------------------------- */

#define FUSE_UP_CONTENT	"upper-file, long tail"

/*
 * The layers of a stack on an lfuse of its own, $/fuse-<t>:
 *   lo/lo_f  "lower-file"               the lower layer
 *   u/up_f   FUSE_UP_CONTENT            the upper layer
 *   w/                                  the work directory
 * mounted as @fstype (lowerdir=lo, upperdir=u, workdir=w) on $/fm-<t>.
 * @f is the lfuse; 0 or errno.
 */
static int fo_fuse_stack(const char *fstype, const char *base,
			 const char *t, struct lfuse *f)
{
	char dir[PATH_MAX];
	int err;

	snprintf(dir, sizeof(dir), "%s/fuse-%s", base, t);
	err = lfuse_mount(dir, f);
	if (err)
		return err;
	if (mkdir(lfs_fmt("%s/lo", dir), 0755) ||
	    mkdir(lfs_fmt("%s/u", dir), 0755) ||
	    mkdir(lfs_fmt("%s/w", dir), 0755) ||
	    mkdir(lfs_fmt("%s/fm-%s", base, t), 0755))
		return errno;
	err = lfs_write(lfs_fmt("%s/lo/lo_f", dir), LO_CONTENT);
	if (!err)
		err = lfs_write(lfs_fmt("%s/u/up_f", dir), FUSE_UP_CONTENT);
	if (!err)
		err = wu_mount_type(fstype, lfs_fmt("%s/fm-%s", base, t),
				    lfs_expand(dir,
					       "lowerdir=$/lo,upperdir=$/u,workdir=$/w"));
	return err;
}

/* Set up fo_fuse_stack() for every stack; SKIP without FUSE. */
#define FUSE_STACKS() do { \
	int __err = fo_fuse_stack(lfs_fstype(), self->base, "lfs", \
				  &self->fuse[0]); \
	if (__err == ENOENT || __err == ENODEV) \
		SKIP(return, "no FUSE: %s", strerror(__err)); \
	ASSERT_EQ(0, __err); \
	if (self->have_ovl) \
		__err = fo_fuse_stack("overlay", self->base, "ovl", \
				      &self->fuse[1]); \
	if (self->have_ovl && __err) { \
		TH_LOG("overlay on lfuse: %s, not compared", \
		       strerror(__err)); \
		self->have_ovl = false; \
	} \
} while (0)

/* $/fm-<t>/<rel> and $/fuse-<t>/<rel>: the mount and its layers. */
#define FM(type, rel)	lfs_fmt("%s/fm-%s/%s", self->base, type, rel)
#define FL(type, rel)	lfs_fmt("%s/fuse-%s/%s", self->base, type, rel)
#define FSTATS(type)	(self->fuse[(type)[0] == 'o'].stats)

/* Open @path with @flags, write @data at its start, close; 0 or errno. */
static int fo_write_with(const char *path, int flags, const char *data)
{
	ssize_t len = strlen(data);
	int err = 0, fd = open(path, flags);

	if (fd < 0)
		return errno;
	if (write(fd, data, len) != len)
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/*
 * `echo short > file` on an upper filesystem with atomic O_TRUNC (FUSE,
 * virtiofs): the upper file is opened without O_TRUNC (the VFS truncates
 * after ->open()), so the truncation must reach the upper filesystem as a
 * plain truncate.  With ATTR_OPEN passed down, FUSE took it for the
 * O_TRUNC of its own open, sent nothing, and the file kept its old tail
 * ("shortr-file, long tail").  Also for a lower file (copied up without
 * data, then truncated) and for ftruncate.  Same as overlayfs, which
 * clears ATTR_OPEN in ovl_setattr().
 */
TEST_F(fops, otrunc_truncates_on_fuse_upper)
{
	FUSE_STACKS();
	FOR_EACH_STACK(t) {
		unsigned int before = FSTATS(t)->setattr_size;

		EXPECT_EQ(0, fo_write_with(FM(t, "up_f"), O_WRONLY | O_TRUNC,
					   "short"));
		EXPECT_STREQ("short", CAT(FM(t, "up_f"))) TH_LOG("%s", t);
		EXPECT_STREQ("short", CAT(FL(t, "u/up_f")));
		EXPECT_LT(before, FSTATS(t)->setattr_size);

		EXPECT_EQ(0, fo_write_with(FM(t, "lo_f"), O_WRONLY | O_TRUNC,
					   "new"));
		EXPECT_STREQ("new", CAT(FM(t, "lo_f"))) TH_LOG("%s", t);
		EXPECT_STREQ("new", CAT(FL(t, "u/lo_f")));
		EXPECT_STREQ(LO_CONTENT, CAT(FL(t, "lo/lo_f")));

		EXPECT_EQ(0, truncate(FM(t, "up_f"), 2));
		EXPECT_STREQ("sh", CAT(FL(t, "u/up_f")));
		if (FSTATS(t)->unknown)
			TH_LOG("%s: %u requests answered ENOSYS, the last opcode %d",
			       t, FSTATS(t)->unknown, FSTATS(t)->last_unknown);
	}
}

/*
 * close(2) of a layerfs descriptor calls the real file's flush, where
 * FUSE (and NFS) report write-back errors and release POSIX locks held
 * by the server: one FLUSH per close, of the upper and of the lower file,
 * and one per descriptor of a dup().  Same as overlayfs.  Before, layerfs
 * had no flush and the FUSE server never saw one.
 */
TEST_F(fops, close_flushes_fuse_file)
{
	FUSE_STACKS();
	FOR_EACH_STACK(t) {
		static const char *const names[] = { "up_f", "lo_f" };
		unsigned int i, before;

		for (i = 0; i < 2; i++) {
			int fd = open(FM(t, names[i]), O_RDONLY), fd2;

			ASSERT_LE(0, fd);
			before = FSTATS(t)->flush;
			fd2 = dup(fd);
			ASSERT_LE(0, fd2);
			ASSERT_EQ(0, close(fd2));
			EXPECT_EQ(before + 1, FSTATS(t)->flush)
				TH_LOG("%s %s: dup closed", t, names[i]);
			ASSERT_EQ(0, close(fd));
			EXPECT_EQ(before + 2, FSTATS(t)->flush)
				TH_LOG("%s %s: closed", t, names[i]);
		}
		/* a write through the mount, flushed at close: no error */
		EXPECT_EQ(0, fo_write_with(FM(t, "lo_f"), O_WRONLY | O_APPEND,
					   "+"));
		EXPECT_STREQ(LO_CONTENT "+", CAT(FL(t, "u/lo_f")));
	}
}

/* ---- an O_TRUNC open refused after ->open() ------------------------------- */

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif

/* The Landlock ABI version of the running kernel (-errno: none). */
static int fo_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

/* In a child: forbid truncation everywhere, then open @p with O_TRUNC. */
static int fo_otrunc_landlocked(const void *p)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_TRUNCATE,
	};
	int rs, fd;

	rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return 200;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, rs, 0))
		return 201;
	close(rs);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * A Landlock domain without LANDLOCK_ACCESS_FS_TRUNCATE (6.2+) refuses an
 * O_TRUNC open after ->open(), in security_file_truncate().  layerfs
 * leaves the copy-up of a lower file to the truncation, so the refused
 * open changes nothing: the lower data stays visible and nothing is
 * copied up.  overlayfs copies up without the data in ->open() and so
 * leaves the file empty; that is logged, not asserted.  An upper file
 * keeps its data on both.
 */
TEST_F(fops, otrunc_refused_by_landlock_keeps_data)
{
	FOR_EACH_STACK(t) {
		int abi = fo_landlock_abi();
		char path[PATH_MAX];
		int err;

		if (abi < 0)
			SKIP(return, "no Landlock (CONFIG_SECURITY_LANDLOCK, lsm=): %s",
			     strerror(-abi));
		if (abi < 3)
			SKIP(return, "Landlock truncate access needs 6.2+ (ABI %d)", abi);
		snprintf(path, sizeof(path), "%s", S(t, "m/lo_f"));
		err = lfs_in_child(fo_otrunc_landlocked, path);
		EXPECT_EQ(EACCES, err) TH_LOG("%s lower: %d", t, err);
		if (t[0] == 'o') {
			TH_LOG("overlay after the refused O_TRUNC: \"%s\"",
			       CAT(path));
		} else {
			EXPECT_STREQ(LO_CONTENT, CAT(path));
			EXPECT_EQ(ENOENT, lfs_lstat_errno(S(t, "u/lo_f")));
			EXPECT_EQ(0, wu_count(S(t, "w/work")));
		}

		snprintf(path, sizeof(path), "%s", S(t, "m/up_f"));
		err = lfs_in_child(fo_otrunc_landlocked, path);
		EXPECT_EQ(EACCES, err) TH_LOG("%s upper: %d", t, err);
		EXPECT_STREQ(UP_CONTENT, CAT(path));
	}
}

/*
 * O_TRUNC without a refusal: the file is copied up empty by the
 * truncation and the descriptor writes to the copy; read-only O_TRUNC
 * truncates too.  A descriptor opened read-only before follows the copy.
 */
TEST_F(fops, otrunc_copies_up_at_truncation)
{
	FOR_EACH_STACK(t) {
		char b[32] = { 0 };
		int ro, fd;

		ASSERT_EQ(0, lfs_write(S(t, "l1/ro_t"), "read-only-trunc"));
		ro = open(S(t, "m/lo_f"), O_RDONLY);
		ASSERT_LE(0, ro);
		fd = open(S(t, "m/lo_f"), O_RDWR | O_TRUNC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, wu_lstat(S(t, "u/lo_f")).st_size);
		ASSERT_EQ(3, write(fd, "new", 3));
		ASSERT_EQ(3, pread(fd, b, sizeof(b) - 1, 0));
		EXPECT_STREQ("new", b);
		ASSERT_EQ(0, close(fd));
		memset(b, 0, sizeof(b));
		EXPECT_EQ(3, pread(ro, b, sizeof(b) - 1, 0));
		EXPECT_STREQ("new", b);
		ASSERT_EQ(0, close(ro));
		EXPECT_STREQ("new", CAT(S(t, "u/lo_f")));
		EXPECT_STREQ(LO_CONTENT, CAT(S(t, "l2/lo_f")));

		fd = open(S(t, "m/ro_t"), O_RDONLY | O_TRUNC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, read(fd, b, sizeof(b)));
		ASSERT_EQ(0, close(fd));
		EXPECT_EQ(0, wu_lstat(S(t, "u/ro_t")).st_size);
		EXPECT_EQ(0, wu_count(S(t, "w/work")));
	}
}

TEST_HARNESS_MAIN
