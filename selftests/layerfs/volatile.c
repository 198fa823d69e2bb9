// SPDX-License-Identifier: GPL-2.0
/*
 * volatile.c - the "volatile" mount option, side by side with overlayfs.
 *
 * A volatile mount never syncs its upper layer: fsync(), fdatasync(),
 * syncfs(), RWF_DSYNC writes and the sync of a copy-up's data before it is
 * renamed into place all stop at layerfs.  After a crash the upper layer
 * may then hold anything, so the mount leaves work/incompat/volatile/dirty
 * (overlayfs's marker) and every later mount over that work directory is
 * refused, by layerfs and overlayfs alike, until someone removes it.
 *
 * "No sync reaches the upper layer" is counted, not timed: kprobes on the
 * upper filesystem's (ext4's) ->fsync and ->sync_fs, through tracefs, count
 * the calls while the same operations run on a normal mount (which must
 * reach them, or the probes prove nothing) and on a volatile one (none).
 *
 * Layers on a private tmpfs: $/l (lower, "f" with data), $/u and $/w.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define PROBE_FSYNC	"lfsvol_fsync"
#define PROBE_SYNCFS	"lfsvol_syncfs"

static const char *const fstypes[] = { "layerfs", "overlay" };

FIXTURE(vol) {
	char base[PATH_MAX];
	char buf[4096];
	bool ovl;
};

#define B(rel)		lfs_fmt("%s/%s", self->base, rel)

FIXTURE_SETUP(vol)
{
	int i;

	LFS_REQUIRE(return);
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	self->ovl = lfs_fs_available("overlay");
	for (i = 0; i < 2; i++) {
		const char *t = fstypes[i];

		ASSERT_EQ(0, lfs_mkdir_p(B(lfs_fmt("%s/l/d", t))));
		ASSERT_EQ(0, lfs_write(B(lfs_fmt("%s/l/f", t)), "lower f"));
		ASSERT_EQ(0, lfs_mkdir_p(B(lfs_fmt("%s/u", t))));
		ASSERT_EQ(0, lfs_mkdir_p(B(lfs_fmt("%s/w", t))));
		ASSERT_EQ(0, lfs_mkdir_p(B(lfs_fmt("%s/m", t))));
	}
}

FIXTURE_TEARDOWN(vol)
{
	LFS_DROP_BASE(self->base, "layerfs/m", "overlay/m", "ext4");
}

/* The options of a volatile (or not) mount of stack $/<t>. */
static const char *vol_opts(const char *base, const char *t, bool vol)
{
	return lfs_fmt("lowerdir=%s/%s/l,upperdir=%s/%s/u,workdir=%s/%s/w%s",
		       base, t, base, t, base, t, vol ? ",volatile" : "");
}

/* Mount stack $/<t> as @t (layerfs as lfs_fstype()); an errno. */
static int vol_mount(const char *base, const char *t, bool vol)
{
	return wu_mount_type(strcmp(t, "layerfs") ? t : lfs_fstype(),
			     lfs_fmt("%s/%s/m", base, t), vol_opts(base, t, vol));
}

/* Is @path a directory (@dir) or a regular file (!@dir)? */
static bool is_type(const char *path, bool dir)
{
	struct stat st;

	if (lstat(path, &st))
		return false;
	return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/*
 * A volatile mount shows "volatile" in its options and leaves
 * work/incompat/volatile/dirty, as overlayfs does; after the umount (a
 * crash looks the same to the next mount) the work directory is refused,
 * volatile or not, by both; once the marker is removed, both mount again.
 */
TEST_F(vol, marker_refuses_next_mount)
{
	char opts[4096];
	int i;

	for (i = 0; i < (self->ovl ? 2 : 1); i++) {
		const char *t = fstypes[i];
		char m[PATH_MAX + 16];

		/* copies: lfs_fmt()'s ring of buffers is reused */
		snprintf(m, sizeof(m), "%s/%s/m", self->base, t);
		ASSERT_EQ(0, vol_mount(self->base, t, true));
		ASSERT_EQ(0, lfs_mount_opts(m, opts, sizeof(opts)));
		EXPECT_NE(NULL, strstr(opts, "volatile")) TH_LOG("%s", opts);
		EXPECT_TRUE(is_type(B(lfs_fmt("%s/w/work/incompat", t)), true));
		EXPECT_TRUE(is_type(B(lfs_fmt("%s/w/work/incompat/volatile", t)),
				    true));
		EXPECT_TRUE(is_type(B(lfs_fmt("%s/w/work/incompat/volatile/dirty",
					      t)), false));
		ASSERT_EQ(0, lfs_write(lfs_fmt("%s/new", m), "new"));
		ASSERT_EQ(0, umount(m));

		EXPECT_EQ(EINVAL, vol_mount(self->base, t, false)) TH_LOG("%s", t);
		EXPECT_EQ(EINVAL, vol_mount(self->base, t, true)) TH_LOG("%s", t);
		/* The marker survived the refusals. */
		EXPECT_TRUE(is_type(B(lfs_fmt("%s/w/work/incompat/volatile/dirty",
					      t)), false));

		ASSERT_EQ(0, unlink(B(lfs_fmt("%s/w/work/incompat/volatile/dirty",
					      t))));
		ASSERT_EQ(0, rmdir(B(lfs_fmt("%s/w/work/incompat/volatile", t))));
		ASSERT_EQ(0, vol_mount(self->base, t, false));
		EXPECT_STREQ("new", lfs_cat(lfs_fmt("%s/new", m), self->buf,
					    sizeof(self->buf)));
		ASSERT_EQ(0, lfs_mount_opts(m, opts, sizeof(opts)));
		EXPECT_EQ(NULL, strstr(opts, "volatile")) TH_LOG("%s", opts);
		ASSERT_EQ(0, umount(m));
	}
}

/* The fs_context log says why and what to do. */
TEST_F(vol, refusal_message)
{
	char msg[1024];
	ssize_t n;
	int fd;

	ASSERT_EQ(0, vol_mount(self->base, "layerfs", true));
	ASSERT_EQ(0, umount(B("layerfs/m")));
	fd = syscall(SYS_fsopen, lfs_fstype(), 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1 /* SET_STRING */, "lowerdir",
			     B("layerfs/l"), 0));
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1, "upperdir", B("layerfs/u"), 0));
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1, "workdir", B("layerfs/w"), 0));
	ASSERT_EQ(-1, syscall(SYS_fsconfig, fd, 6 /* CMD_CREATE */, NULL, NULL,
			      0));
	ASSERT_EQ(EINVAL, errno);
	n = read(fd, msg, sizeof(msg) - 1);
	ASSERT_LT(0, n);
	msg[n] = '\0';
	TH_LOG("%s", msg);
	EXPECT_NE(NULL, strstr(msg, "incompat feature 'volatile'"));
	close(fd);
}

/* The other filesystem's marker refuses the mount too: one format. */
TEST_F(vol, marker_read_across)
{
	int i;

	if (!self->ovl)
		SKIP(return, "overlay is not in /proc/filesystems");
	for (i = 0; i < 2; i++) {
		const char *t = fstypes[i], *other = fstypes[!i];

		ASSERT_EQ(0, vol_mount(self->base, t, true));
		ASSERT_EQ(0, umount(B(lfs_fmt("%s/m", t))));
		/* the other filesystem, on these layers */
		EXPECT_EQ(EINVAL, wu_mount_type(strcmp(other, "layerfs") ?
						other : lfs_fstype(),
						B(lfs_fmt("%s/m", t)),
						vol_opts(self->base, t, false)))
			TH_LOG("%s on %s's work directory", other, t);
	}
}

/* Without an upper layer the option is meaningless and ignored. */
TEST_F(vol, ignored_without_upper)
{
	char opts[4096];

	ASSERT_EQ(0, wu_mount_type(lfs_fstype(), B("layerfs/m"),
				   lfs_fmt("lowerdir=%s,volatile",
					   B("layerfs/l"))));
	ASSERT_EQ(0, lfs_mount_opts(B("layerfs/m"), opts, sizeof(opts)));
	EXPECT_EQ(NULL, strstr(opts, "volatile")) TH_LOG("%s", opts);
	EXPECT_STREQ("lower f", lfs_cat(B("layerfs/m/f"), self->buf,
					sizeof(self->buf)));
}

/* ---- counting the syncs that reach the upper filesystem ------------------ */

/* Write @s to tracefs file @name; an errno. */
static int tracefs_write(const char *name, const char *s, bool append)
{
	int fd = open(lfs_fmt("%s/%s", TRACEFS, name),
		      O_WRONLY | (append ? O_APPEND : O_TRUNC));
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : errno ? errno : EIO;
}

/* Set up (or, @on false, remove) kprobes on ext4's fsync and sync_fs. */
static int probes(bool on)
{
	int err;

	if (!on) {
		tracefs_write("events/kprobes/enable", "0", false);
		tracefs_write("kprobe_events", "-:" PROBE_FSYNC "\n", true);
		tracefs_write("kprobe_events", "-:" PROBE_SYNCFS "\n", true);
		return 0;
	}
	/* mount it where it is not (a second mount: EBUSY, see mountsec.c) */
	if (access(TRACEFS "/trace", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return errno;
	/* no sched_switch hook for command names (see mountsec.c) */
	tracefs_write("options/record-cmd", "0", false);
	err = tracefs_write("kprobe_events",
			    "p:" PROBE_FSYNC " ext4_sync_file\n", true);
	if (!err)
		err = tracefs_write("kprobe_events",
				    "p:" PROBE_SYNCFS " ext4_sync_fs\n", true);
	if (!err)
		err = tracefs_write("events/kprobes/enable", "1", false);
	return err;
}

/* Calls of ext4's fsync and sync_fs since the last count; -1 on error. */
static int count_syncs(void)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(TRACEFS "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && (strstr(line, PROBE_FSYNC) ||
				       strstr(line, PROBE_SYNCFS)))
			n++;
	fclose(f);
	tracefs_write("trace", "", false);	/* empty it */
	return n;
}

/*
 * Every kind of sync a caller can ask for through the mount on $/m, and a
 * copy-up with data (which layerfs and overlayfs sync before the rename).
 * Returns 0 or the errno of the first step that failed.
 */
static int sync_everything(const char *m)
{
	struct iovec iov = { .iov_base = "z", .iov_len = 1 };
	int fd, dfd, err = 0;

	fd = open(lfs_fmt("%s/f", m), O_WRONLY | O_APPEND);	/* copy-up */
	if (fd < 0)
		return errno;
	if (write(fd, "x", 1) != 1 || fsync(fd) || fdatasync(fd) ||
	    pwritev2(fd, &iov, 1, -1, RWF_DSYNC) != 1 || syncfs(fd))
		err = errno ? errno : EIO;
	close(fd);
	if (err)
		return err;
	if (mkdir(lfs_fmt("%s/d/sub", m), 0755))
		return errno;
	dfd = open(lfs_fmt("%s/d", m), O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return errno;
	if (fsync(dfd))
		err = errno;
	close(dfd);
	return err;
}

/*
 * On an ext4 upper: a normal mount's syncs reach ext4 (the probes work),
 * a volatile mount's never do, and its data is there all the same.  The
 * same for overlayfs (both have volatile since 5.10).
 */
TEST_F_TIMEOUT(vol, no_sync_reaches_upper, 300)
{
	int i, err;

	LFS_REQUIRE_REALFS(return, "ext4");
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, B("ext4.img"), B("ext4"), NULL));
	err = probes(true);
	if (err) {
		probes(false);
		SKIP(return, "kprobes through tracefs: %s", strerror(err));
	}

	for (i = 0; i < (self->ovl ? 2 : 1); i++) {
		const char *t = fstypes[i];
		const char *type = i ? t : lfs_fstype();
		char m[PATH_MAX + 16], e[PATH_MAX + 16], opts[PATH_MAX * 4];
		int syncs[2], vol;

		snprintf(m, sizeof(m), "%s/%s/m", self->base, t);
		snprintf(e, sizeof(e), "%s/ext4", self->base);
		/* a normal mount, then a volatile one, on fresh ext4 dirs */
		for (vol = 0; vol < 2; vol++) {
			ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/%s-u%d", e, t, vol)));
			ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/%s-w%d", e, t, vol)));
			ASSERT_GT(sizeof(opts), snprintf(opts, sizeof(opts),
				 "lowerdir=%s,upperdir=%s/%s-u%d,workdir=%s/%s-w%d%s",
				 B(lfs_fmt("%s/l", t)), e, t, vol, e, t, vol,
				 vol ? ",volatile" : ""));
			ASSERT_EQ(0, wu_mount_type(type, m, opts));
			count_syncs();
			ASSERT_EQ(0, sync_everything(m));
			syncs[vol] = count_syncs();
			EXPECT_STREQ("lower fxz",
				     lfs_cat(lfs_fmt("%s/f", m), self->buf,
					     sizeof(self->buf)));
			ASSERT_EQ(0, umount(m));
		}
		TH_LOG("%s: syncs reaching ext4: %d normal, %d volatile",
		       t, syncs[0], syncs[1]);
		EXPECT_LE(5, syncs[0]);
		EXPECT_EQ(0, syncs[1]);
	}
	probes(false);
}

TEST_HARNESS_MAIN
