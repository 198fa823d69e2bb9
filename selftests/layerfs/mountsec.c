// SPDX-License-Identifier: GPL-2.0
/*
 * mountsec.c - what a mount holds on to, and with which credentials it
 * acts: the protections overlayfs sets up at mount time, side by side with
 * the kernel's overlayfs where both should agree.
 *
 *  - The upper and work directories are reached through a private clone
 *    of the user's mount: the user's mount can be unmounted or made
 *    read-only (bind remount) under a live layerfs, and a mount of another
 *    mount namespace, reached through /proc/PID/root, is refused (EINVAL).
 *  - Upper and work directories of two live mounts must not be the same
 *    or one inside the other (EBUSY), both ways round.
 *  - sync(2) does not call layerfs's sync_fs (SB_I_SKIP_SYNC); syncfs(2)
 *    of the merged view does (kprobes count the calls).
 *  - Automount points are refused as layers (EINVAL) and in lookup
 *    (EREMOTE); so are filesystems with case-folding (an ext4 made with
 *    -O casefold), whatever directory of them is named.
 *  - The mounter's credentials lack CAP_SYS_RESOURCE: a user's writes and
 *    creates through the mount hit the user's disk quota (EDQUOT) and stop
 *    short of the blocks ext4 reserves for root, on an ext4 upper layer.
 *  - Objects created through the mount, in place, over a whiteout and as
 *    hard links, belong to the caller; a copy-up copies the xattrs,
 *    security.* ones included (no LSM claims them here).  The LSM labels
 *    that creation and copy-up ask for (security_dentry_create_files_as(),
 *    security_inode_copy_up(), security_inode_copy_up_xattr()) are tested
 *    in lsmlabel.c, under SELinux.
 *
 * Each case that compares runs the same steps on a layerfs and on an
 * overlay mount (with write_util.h's WU_OVL_OPTS), in $/layerfs/... and
 * $/overlay/..., and asserts layerfs's answer; overlay's is asserted where
 * both kernels' overlayfs give it, and logged otherwise.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define UID_USER	1001
#define TRACING		"/sys/kernel/tracing"
#define KP_GROUP	"lfsmountsec"

FIXTURE(sec) {
	char base[PATH_MAX];
	bool kprobes;		/* events of KP_GROUP to remove at teardown */
};

FIXTURE_SETUP(sec)
{
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
}

static void kp_clear_all(void);

FIXTURE_TEARDOWN(sec)
{
	if (self->kprobes)
		kp_clear_all();
	LFS_DROP_BASE(self->base, "layerfs/m", "layerfs/m2",
		      "layerfs/dbg/tracing", "layerfs/dbg", "layerfs/up",
		      "layerfs/e4", "layerfs/cf", "overlay/m",
		      "overlay/dbg/tracing", "overlay/dbg", "overlay/up",
		      "overlay/e4", "overlay/cf");
}

/* $/<fstype>/<rel> */
static const char *at(FIXTURE_DATA(sec) *self, const char *fs,
		      const char *rel)
{
	return lfs_fmt("%s/%s/%s", self->base, fs, rel);
}

/* Make $/<fs>/{<dirs>...}; NULL-terminated list of relative names. */
static int mkdirs(FIXTURE_DATA(sec) *self, const char *fs,
		  const char *const *dirs)
{
	int err = 0;

	for (; !err && *dirs; dirs++)
		err = lfs_mkdir_p(at(self, fs, *dirs));
	return err;
}

/* Is the kernel's overlay there to compare with? */
static bool have_overlay(void)
{
	return lfs_fs_available("overlay");
}

/* ---- kprobe events ---------------------------------------------------- */

/* Write @s to tracing file @name (O_APPEND, or truncating). */
static int tr_write(const char *name, const char *s, bool append)
{
	int fd = open(lfs_fmt("%s/%s", TRACING, name),
		      O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : (n < 0 ? errno : EIO);
}

/*
 * Make tracefs reachable in this mount namespace, without events of
 * KP_GROUP that an earlier test may have left.
 */
static int kp_setup(void)
{
	/*
	 * Mount tracefs only where it is not mounted yet: a kernel without
	 * CONFIG_KPROBE_EVENTS has a tracefs without kprobe_events, and a
	 * second mount would fail with EBUSY, hiding the reason.
	 */
	if (access(TRACING "/trace", F_OK) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		return errno;
	if (access(TRACING "/kprobe_events", W_OK))
		return errno;
	/*
	 * Enabling an event would otherwise hook sched_switch to record
	 * command names, patching __schedule() while both vCPUs run it:
	 * under QEMU's TCG that patching sometimes oopses on its int3.
	 */
	tr_write("options/record-cmd", "0", false);
	kp_clear_all();
	return 0;
}

/* Add kprobe event KP_GROUP/@event on function @sym and enable it. */
static int kp_add(FIXTURE_DATA(sec) *self, const char *event, const char *sym)
{
	int err = tr_write("kprobe_events",
			   lfs_fmt("p:%s/%s %s\n", KP_GROUP, event, sym), true);

	if (err)
		return err;
	self->kprobes = true;
	return tr_write(lfs_fmt("events/%s/%s/enable", KP_GROUP, event), "1",
			false);
}

static void kp_clear_all(void)
{
	char line[512];
	FILE *f;

	tr_write(lfs_fmt("events/%s/enable", KP_GROUP), "0", false);
	f = fopen(TRACING "/kprobe_events", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *ev = strchr(line, ':'), *end;

		if (!ev || strncmp(ev + 1, KP_GROUP "/", strlen(KP_GROUP) + 1))
			continue;
		end = strchr(ev, ' ');
		if (end)
			*end = '\0';
		tr_write("kprobe_events", lfs_fmt("-%s\n", ev), true);
	}
	fclose(f);
}

/* Empty the trace buffer. */
static int kp_reset(void)
{
	return tr_write("trace", "", false);
}

/* How many times did @event fire since kp_reset()? (-1: unreadable) */
static int kp_count(const char *event)
{
	const char *needle = lfs_fmt(" %s: ", event);
	char line[1024];
	int n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

/*
 * Set up kprobes on @n (event, function) pairs, or SKIP the test when the
 * kernel cannot (no tracefs, no kprobe events, or the function unknown).
 */
#define KP_REQUIRE(self, ...) do { \
	static const char *const __kp[][2] = { __VA_ARGS__ }; \
	unsigned int __i; \
	int __err = kp_setup(); \
	if (__err) \
		SKIP(return, "no kprobe events (CONFIG_KPROBE_EVENTS): %s", \
		     strerror(__err)); \
	for (__i = 0; __i < ARRAY_SIZE(__kp); __i++) { \
		__err = kp_add(self, __kp[__i][0], __kp[__i][1]); \
		if (__err) \
			SKIP(return, "kprobe on %s: %s", __kp[__i][1], \
			     strerror(__err)); \
	} \
} while (0)

/* ---- the upper mount is a private clone ---------------------------------- */

/*
 * $/<fs>/up: a tmpfs of its own holding the upper and work directories;
 * $/<fs>/l a lower layer with file f, $/<fs>/m the mount point.
 */
static int mount_on_own_upper_fs(FIXTURE_DATA(sec) *self, const char *fs)
{
	static const char *const dirs[] = { "l", "m", NULL };
	int err = mkdirs(self, fs, dirs);

	if (!err)
		err = lfs_mount_tmpfs(at(self, fs, "up"));
	if (!err)
		err = lfs_mkdir_p(at(self, fs, "up/u"));
	if (!err)
		err = lfs_mkdir_p(at(self, fs, "up/w"));
	if (!err)
		err = lfs_write(at(self, fs, "l/f"), "lower");
	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					    at(self, fs, "l"), at(self, fs, "up/u"),
					    at(self, fs, "up/w")));
	return err;
}

/*
 * umount of the upper filesystem's own mount: layerfs used to hold it
 * (EBUSY); now it holds a clone, as overlay does, and keeps working.
 */
static int upper_umount(FIXTURE_DATA(sec) *self, const char *fs, int *write_err)
{
	char buf[32];
	int err = mount_on_own_upper_fs(self, fs);

	if (err)
		return 1000 + err;
	err = umount2(at(self, fs, "up"), 0) ? errno : 0;
	*write_err = lfs_write(at(self, fs, "m/new"), "written");
	if (!*write_err && strcmp("written", lfs_cat(at(self, fs, "m/new"),
						     buf, sizeof(buf))))
		*write_err = EIO;
	if (!*write_err && strcmp("lower", lfs_cat(at(self, fs, "m/f"), buf,
						   sizeof(buf))))
		*write_err = EIO;
	return err;
}

TEST_F(sec, upper_mount_umount_while_mounted)
{
	int err, werr;

	err = upper_umount(self, "layerfs", &werr);
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, werr);
	if (have_overlay()) {
		err = upper_umount(self, "overlay", &werr);
		TH_LOG("overlay: umount %s, write after it %s", strerror(err),
		       strerror(werr));
		EXPECT_EQ(0, err);
		EXPECT_EQ(0, werr);
	}
}

/*
 * mount -o remount,bind,ro of the upper filesystem's mount makes that
 * mount read-only, not the clone layerfs writes through.
 */
static int upper_bind_ro(FIXTURE_DATA(sec) *self, const char *fs,
			 int *direct_err)
{
	int err = mount_on_own_upper_fs(self, fs);

	if (err)
		return 1000 + err;
	if (mount(NULL, at(self, fs, "up"), NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
		return 2000 + errno;
	*direct_err = lfs_write(at(self, fs, "up/u/direct"), "x");
	err = lfs_write(at(self, fs, "m/new"), "written");
	if (!err)
		err = lfs_write(at(self, fs, "m/f"), "changed");
	return err;
}

TEST_F(sec, upper_mount_remount_bind_ro)
{
	int err, derr = 0;

	err = upper_bind_ro(self, "layerfs", &derr);
	EXPECT_EQ(EROFS, derr);		/* the premise: that mount is r/o */
	EXPECT_EQ(0, err);
	if (have_overlay()) {
		err = upper_bind_ro(self, "overlay", &derr);
		TH_LOG("overlay: write through it after remount,bind,ro: %s",
		       strerror(err));
		EXPECT_EQ(EROFS, derr);
		EXPECT_EQ(0, err);
	}
}

/*
 * (In a child.)  A mount namespace of its own, a tmpfs on @arg/other
 * there with u/ and w/, a byte on the pipe when ready, then wait for the
 * parent to close its end.
 */
struct other_ns {
	const char *dir;
	int ready[2], done[2];
};

static int other_ns_child(const void *arg)
{
	const struct other_ns *o = arg;
	char c = 0;

	close(o->ready[0]);
	close(o->done[1]);
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", o->dir, "tmpfs", 0, NULL) ||
	    mkdir(lfs_fmt("%s/u", o->dir), 0755) ||
	    mkdir(lfs_fmt("%s/w", o->dir), 0755) ||
	    mkdir(lfs_fmt("%s/l", o->dir), 0755))
		return errno;
	if (write(o->ready[1], &c, 1) != 1)
		return EIO;
	if (read(o->done[0], &c, 1) < 0)	/* EOF when the parent is done */
		return errno;
	return 0;
}

/*
 * upperdir (and workdir) on a mount of another mount namespace, reached
 * through /proc/PID/root: clone_private_mount() refuses it, as it refuses
 * such a lowerdir.  Returns the errnos of the upper and of the lower case.
 */
static int other_ns_mount(FIXTURE_DATA(sec) *self, const char *fs,
			  int *lower_err)
{
	static const char *const dirs[] = { "l", "m", "other", NULL };
	struct other_ns o = { .dir = at(self, fs, "other") };
	const char *root;
	int err, status;
	pid_t pid;
	char c;

	err = mkdirs(self, fs, dirs);
	if (err || pipe(o.ready) || pipe(o.done))
		return 1000 + (err ? err : errno);
	o.dir = strdup(o.dir);
	pid = fork();
	if (pid < 0)
		return 1000 + errno;
	if (pid == 0)
		_exit(other_ns_child(&o));
	close(o.ready[1]);
	close(o.done[0]);
	if (read(o.ready[0], &c, 1) != 1) {
		err = 2000;
		goto out;
	}
	root = lfs_fmt("/proc/%d/root%s", pid, o.dir);
	/* Premise: the parent sees the other namespace's tmpfs that way. */
	if (lfs_lstat_errno(lfs_fmt("%s/u", root))) {
		err = 3000;
		goto out;
	}
	err = wu_mount_type(fs, at(self, fs, "m"),
			    lfs_fmt("lowerdir=%s,upperdir=%s/u,workdir=%s/w",
				    at(self, fs, "l"), root, root));
	if (!err)
		umount2(at(self, fs, "m"), MNT_DETACH);
	/* (overlay wants two lower layers when there is no upper one) */
	*lower_err = wu_mount_type(fs, at(self, fs, "m"),
				   lfs_fmt("lowerdir=%s/l:%s", root,
					   at(self, fs, "l")));
	if (!*lower_err)
		umount2(at(self, fs, "m"), MNT_DETACH);
out:
	close(o.done[1]);
	close(o.ready[0]);
	waitpid(pid, &status, 0);
	free((void *)o.dir);
	return err;
}

TEST_F(sec, upper_in_other_mount_ns_einval)
{
	int err, lerr = 0;

	err = other_ns_mount(self, "layerfs", &lerr);
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(EINVAL, lerr);
	if (have_overlay()) {
		err = other_ns_mount(self, "overlay", &lerr);
		TH_LOG("overlay: upper in another namespace %s, lower %s",
		       strerror(err), strerror(lerr));
		EXPECT_EQ(EINVAL, err);
		EXPECT_EQ(EINVAL, lerr);
	}
}

/* ---- upper and work directories of two live mounts -------------------- */

/*
 * A second mount whose upper or work directory is inside, or contains,
 * the first one's: EBUSY, every way round.  (overlayfs, without index=on,
 * only warns when an ancestor is in use, and does not look below.)
 */
TEST_F(sec, nested_upper_work_ebusy)
{
	static const char *const dirs[] = {
		"l", "m", "m2", "a/u/sub", "a/w/sub", "b/u", "b/w", NULL,
	};
	static const struct {
		const char *upper, *work, *why;
	} cases[] = {
		{ "a/u/sub", "b/w", "upper inside the other's upper" },
		{ "a/w/sub", "b/w", "upper inside the other's work" },
		{ "b/u", "a/u/sub", "work inside the other's upper" },
		{ "b/u", "a/w/sub", "work inside the other's work" },
		{ "a", "b/w", "upper contains the other's upper and work" },
		{ "b/u", "a", "work contains the other's upper and work" },
		{ "a/u", "b/w", "the same upper" },
		{ "b/u", "a/w", "the same work" },
	};
	char m2[PATH_MAX];
	unsigned int i;

	snprintf(m2, sizeof(m2), "%s", at(self, "layerfs", "m2"));
	ASSERT_EQ(0, mkdirs(self, "layerfs", dirs));
	ASSERT_EQ(0, wu_mount_type("layerfs", at(self, "layerfs", "m"),
		lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
			at(self, "layerfs", "l"), at(self, "layerfs", "a/u"),
			at(self, "layerfs", "a/w"))));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *o = lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					at(self, "layerfs", "l"),
					at(self, "layerfs", cases[i].upper),
					at(self, "layerfs", cases[i].work));
		int err = wu_mount_type("layerfs", m2, o);

		EXPECT_EQ(EBUSY, err) TH_LOG("%s", cases[i].why);
		if (!err)
			umount2(m2, MNT_DETACH);
	}
	/* Unrelated directories are fine, and so are all of them once free. */
	ASSERT_EQ(0, wu_mount_type("layerfs", m2,
		lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
			at(self, "layerfs", "l"), at(self, "layerfs", "b/u"),
			at(self, "layerfs", "b/w"))));
	ASSERT_EQ(0, umount(m2));
	ASSERT_EQ(0, umount(at(self, "layerfs", "m")));
	ASSERT_EQ(0, wu_mount_type("layerfs", m2,
		lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
			at(self, "layerfs", "l"), at(self, "layerfs", "a/u/sub"),
			at(self, "layerfs", "b/w"))));
}

/* The message names both directories and how they overlap. */
TEST_F(sec, nested_upper_message)
{
	static const char *const dirs[] = { "l", "m", "a/u/sub", "a/w", "b/w",
					    NULL };
	char msg[1024];
	int fd;

	ASSERT_EQ(0, mkdirs(self, "layerfs", dirs));
	ASSERT_EQ(0, wu_mount_type("layerfs", at(self, "layerfs", "m"),
		lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
			at(self, "layerfs", "l"), at(self, "layerfs", "a/u"),
			at(self, "layerfs", "a/w"))));
	fd = syscall(SYS_fsopen, "layerfs", 1 /* FSOPEN_CLOEXEC */);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1 /* FSCONFIG_SET_STRING */,
			     "lowerdir", at(self, "layerfs", "l"), 0));
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1, "upperdir",
			     at(self, "layerfs", "a/u/sub"), 0));
	ASSERT_EQ(0, syscall(SYS_fsconfig, fd, 1, "workdir",
			     at(self, "layerfs", "b/w"), 0));
	ASSERT_EQ(-1, syscall(SYS_fsconfig, fd, 6 /* FSCONFIG_CMD_CREATE */,
			      NULL, NULL, 0));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_LT(0, read(fd, msg, sizeof(msg) - 1));
	msg[sizeof(msg) - 1] = '\0';
	TH_LOG("%s", msg);
	ASSERT_NE(NULL, strstr(msg, "is inside the upper directory"));
	close(fd);
}

/* ---- sync(2) and syncfs(2) ------------------------------------------- */

/*
 * Run sync(2), then syncfs(2) on the merged view of a mount of @fs, and
 * count the calls of its sync_fs (kprobe event @event) after each.
 */
static int sync_counts(FIXTURE_DATA(sec) *self, const char *fs,
		       const char *event, int *after_sync, int *after_syncfs)
{
	static const char *const dirs[] = { "l", "u", "w", "m", NULL };
	int fd, err = mkdirs(self, fs, dirs);

	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					    at(self, fs, "l"), at(self, fs, "u"),
					    at(self, fs, "w")));
	if (!err)
		err = lfs_write(at(self, fs, "m/f"), "dirty");
	if (err)
		return err;
	kp_reset();
	sync();
	*after_sync = kp_count(event);
	fd = open(at(self, fs, "m"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	kp_reset();
	err = syncfs(fd) ? errno : 0;
	close(fd);
	*after_syncfs = kp_count(event);
	return err;
}

TEST_F(sec, sync_skips_layerfs)
{
	int n_sync = -1, n_syncfs = -1;

	KP_REQUIRE(self, { "lsync", "layerfs_sync_fs" });
	ASSERT_EQ(0, sync_counts(self, "layerfs", "lsync", &n_sync,
				 &n_syncfs));
	TH_LOG("layerfs_sync_fs: %d calls in sync(2), %d in syncfs(2)",
	       n_sync, n_syncfs);
	EXPECT_EQ(0, n_sync);
	EXPECT_LT(0, n_syncfs);
}

TEST_F(sec, sync_skips_overlay_too)
{
	int n_sync = -1, n_syncfs = -1;

	if (!have_overlay())
		SKIP(return, "overlay is not in /proc/filesystems");
	KP_REQUIRE(self, { "osync", "ovl_sync_fs" });
	ASSERT_EQ(0, sync_counts(self, "overlay", "osync", &n_sync,
				 &n_syncfs));
	TH_LOG("ovl_sync_fs: %d calls in sync(2), %d in syncfs(2)", n_sync,
	       n_syncfs);
	EXPECT_EQ(0, n_sync);
	EXPECT_LT(0, n_syncfs);
}

/* ---- automount points --------------------------------------------------- */

/*
 * debugfs has an automount point, "tracing", on which tracefs is mounted
 * on first use.  A fresh debugfs mount in this namespace has nothing
 * mounted there yet.  Returns 0 with $/<fs>/dbg mounted, or SKIPs.
 */
static int mount_debugfs(FIXTURE_DATA(sec) *self, const char *fs)
{
	struct statx stx;
	char dbg[PATH_MAX];
	int err;

	snprintf(dbg, sizeof(dbg), "%s", at(self, fs, "dbg"));
	err = lfs_mkdir_p(dbg);
	if (err)
		return err;
	if (mount("debugfs", dbg, "debugfs", 0, NULL))
		return errno;
	/* Is "tracing" an automount point (without triggering it)? */
	if (statx(AT_FDCWD, lfs_fmt("%s/tracing", dbg),
		  AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx))
		return errno;
	return stx.stx_attributes & STATX_ATTR_AUTOMOUNT ? 0 : ENOTSUP;
}

/* An automount point as a lower or upper layer: EINVAL, as on overlay. */
static int automount_layer(FIXTURE_DATA(sec) *self, const char *fs,
			   int *upper_err)
{
	static const char *const dirs[] = { "l", "w", "m", NULL };
	const char *ap;
	int err = mkdirs(self, fs, dirs);

	if (err)
		return 1000 + err;
	ap = strdup(at(self, fs, "dbg/tracing"));
	err = wu_mount_type(fs, at(self, fs, "m"),
			    lfs_fmt("lowerdir=%s:%s", ap, at(self, fs, "l")));
	if (!err)
		umount2(at(self, fs, "m"), MNT_DETACH);
	*upper_err = wu_mount_type(fs, at(self, fs, "m"),
		lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
			at(self, fs, "l"), ap, at(self, fs, "w")));
	if (!*upper_err)
		umount2(at(self, fs, "m"), MNT_DETACH);
	free((void *)ap);
	return err;
}

TEST_F(sec, automount_point_as_layer_einval)
{
	int err, uerr = 0;

	err = mount_debugfs(self, "layerfs");
	if (err == ENOTSUP || err == ENOENT || err == ENODEV)
		SKIP(return, "no debugfs with a 'tracing' automount point: %s",
		     strerror(err));
	ASSERT_EQ(0, err);
	err = automount_layer(self, "layerfs", &uerr);
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(EINVAL, uerr);
	if (have_overlay()) {
		ASSERT_EQ(0, mount_debugfs(self, "overlay"));
		err = automount_layer(self, "overlay", &uerr);
		TH_LOG("overlay: automount point as lower %s, as upper %s",
		       strerror(err), strerror(uerr));
		EXPECT_EQ(EINVAL, err);
		EXPECT_EQ(EINVAL, uerr);
	}
}

/*
 * debugfs's root as the lower layer: the root is fine, the automount point
 * in it is not looked up: EREMOTE, as on overlay.  Other names work.
 */
static int automount_lookup(FIXTURE_DATA(sec) *self, const char *fs,
			    int *other_err)
{
	static const char *const dirs[] = { "l", "m", NULL };
	struct stat st;
	int err = mkdirs(self, fs, dirs);

	/* (overlay wants two lower layers when there is no upper one) */
	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s:%s", at(self, fs, "dbg"),
					    at(self, fs, "l")));
	if (err)
		return 1000 + err;
	err = stat(at(self, fs, "m/tracing"), &st) ? errno : 0;
	*other_err = lfs_lstat_errno(at(self, fs, "m/bdi"));
	return err;
}

TEST_F(sec, automount_point_in_lookup_eremote)
{
	int err, oerr = 0;

	err = mount_debugfs(self, "layerfs");
	if (err == ENOTSUP || err == ENOENT || err == ENODEV)
		SKIP(return, "no debugfs with a 'tracing' automount point: %s",
		     strerror(err));
	ASSERT_EQ(0, err);
	err = automount_lookup(self, "layerfs", &oerr);
	EXPECT_EQ(EREMOTE, err);
	EXPECT_EQ(0, oerr);
	if (have_overlay()) {
		ASSERT_EQ(0, mount_debugfs(self, "overlay"));
		err = automount_lookup(self, "overlay", &oerr);
		TH_LOG("overlay: lookup of the automount point %s, of bdi %s",
		       strerror(err), strerror(oerr));
		EXPECT_EQ(EREMOTE, err);
		EXPECT_EQ(0, oerr);
	}
}

/* ---- case-folding --------------------------------------------------------- */

#define LFS_FS_IOC_GETFLAGS	_IOR('f', 1, long)
#define LFS_FS_IOC_SETFLAGS	_IOW('f', 2, long)
#define LFS_FS_CASEFOLD_FL	0x40000000	/* chattr +F */

/*
 * Make a 64 MiB ext4 with case-folding (mkfs.ext4 -O casefold) in @img and
 * loop-mount it on @mnt.  (lfs_make_fs() makes no casefold ext4; this is
 * its ext4 branch with one more feature.)  0 or errno.
 */
static int make_casefold_ext4(const char *img, const char *mnt)
{
	const char *const argv[] = { "mkfs.ext4", "-q", "-F", "-b", "4096",
				     "-O", "casefold", img, NULL };

	return lfs_mkfs_and_mount(argv, "ext4", img, mnt, LFS_REALFS_MIB, NULL);
}

/* chattr +F @dir (an empty directory on a casefold filesystem). */
static int set_casefold(const char *dir)
{
	long flags;
	int err = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (ioctl(fd, LFS_FS_IOC_GETFLAGS, &flags))
		err = errno;
	flags |= LFS_FS_CASEFOLD_FL;
	if (!err && ioctl(fd, LFS_FS_IOC_SETFLAGS, &flags))
		err = errno;
	close(fd);
	return err;
}

/*
 * Does this kernel's overlayfs take the root of a casefold filesystem?
 * 6.1's does, 6.12's does not (sb_has_encoding() in ovl_mount_dir_check());
 * only those two are tested, so the line between them is a guess.
 */
static bool overlay_takes_casefold_root(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%u.%u", &major, &minor);
	return major < 6 || (major == 6 && minor < 7);
}

/*
 * On ext4 -O casefold ($/cf): its root, a plain directory, a +F one as the
 * lower layer, and a plain directory as the upper one.  Returns the
 * errnos of the four mounts in @err[]; @root_lookup gets the errno of a
 * lookup through a mount of the root that succeeded (else -1).
 */
static int casefold_layers(FIXTURE_DATA(sec) *self, const char *fs,
			   int err[4], int *root_lookup)
{
	static const char *const dirs[] = { "l", "w", "m", NULL };
	const char *lowers[3] = { "cf", "cf/plain", "cf/ci" };
	const char *m = strdup(at(self, fs, "m"));
	unsigned int i;
	struct stat st;
	int e = mkdirs(self, fs, dirs);

	*root_lookup = -1;
	if (!e)
		e = make_casefold_ext4(at(self, fs, "cf.img"), at(self, fs, "cf"));
	if (!e)
		e = lfs_mkdir_p(at(self, fs, "cf/plain/sub"));
	if (!e)
		e = lfs_mkdir_p(at(self, fs, "cf/ci"));
	if (!e)
		e = set_casefold(at(self, fs, "cf/ci"));
	if (!e)
		e = lfs_mkdir_p(at(self, fs, "cf/u"));
	if (e) {
		free((void *)m);
		return e;
	}
	for (i = 0; i < 3; i++) {
		/* (overlay wants two lower layers when there is no upper one) */
		err[i] = wu_mount_type(fs, m, lfs_fmt("lowerdir=%s:%s",
					at(self, fs, lowers[i]), at(self, fs, "l")));
		if (!err[i] && i == 0)
			*root_lookup = stat(lfs_fmt("%s/plain", m), &st) ? errno : 0;
		if (!err[i])
			umount2(m, MNT_DETACH);
	}
	err[3] = wu_mount_type(fs, m, lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					      at(self, fs, "l"), at(self, fs, "cf/u"),
					      at(self, fs, "w")));
	if (!err[3])
		umount2(m, MNT_DETACH);
	free((void *)m);
	return 0;
}

TEST_F_TIMEOUT(sec, casefold_fs_as_layer_einval, 300)
{
	int err[4], lookup, i;

	LFS_REQUIRE_REALFS(return, "ext4");
	ASSERT_EQ(0, casefold_layers(self, "layerfs", err, &lookup));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(EINVAL, err[i]) TH_LOG("case %d", i);
	}
	if (!have_overlay())
		return;
	ASSERT_EQ(0, casefold_layers(self, "overlay", err, &lookup));
	TH_LOG("overlay: root %s (lookup in it %s), plain dir %s, +F dir %s, upper %s",
	       strerror(err[0]), lookup < 0 ? "-" : strerror(lookup),
	       strerror(err[1]), strerror(err[2]), strerror(err[3]));
	/* 6.1's overlayfs takes the root, then fails its lookups. */
	if (overlay_takes_casefold_root()) {
		EXPECT_EQ(0, err[0]);
		EXPECT_EQ(EREMOTE, lookup);
	} else {
		EXPECT_EQ(EINVAL, err[0]);
	}
	for (i = 1; i < 4; i++) {
		EXPECT_EQ(EINVAL, err[i]) TH_LOG("case %d", i);
	}
}

/* ---- disk quota and reserved blocks: no CAP_SYS_RESOURCE ----------------- */

/* (As the user.)  Write @arg's file in 64 KiB pieces, up to 8 MiB: errno. */
static int write_8m(const void *arg)
{
	static char chunk[65536];
	int err = 0, i, fd;

	fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	memset(chunk, 'q', sizeof(chunk));
	for (i = 0; !err && i < 128; i++)
		if (write(fd, chunk, sizeof(chunk)) != sizeof(chunk))
			err = errno ? errno : EIO;
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* (As the user.)  Create files @arg/0 ... until one fails: its errno. */
static int create_10(const void *arg)
{
	int err = 0, i;

	for (i = 0; !err && i < 10; i++)
		err = lfs_write(lfs_fmt("%s/%d", (const char *)arg, i), "");
	return err;
}

/*
 * ext4 upper layer with usrquota ($/<fs>/e4): UID_USER may use 1 MiB and 3
 * inodes.  Writes and creates through the mount, as UID_USER, into a 0777
 * upper directory: @write_err and @create_err; the same straight on the
 * ext4, in @direct_err (the premise: the limits hold there).
 */
static int quota_errs(FIXTURE_DATA(sec) *self, const char *fs,
		      int *write_err, int *create_err, int *direct_err)
{
	static const char *const dirs[] = { "l", "m", NULL };
	const char *argv[] = { "setquota", "-u", "1001", "1024", "1024", "3",
			       "3", NULL, NULL };
	char e4[PATH_MAX];
	int err = mkdirs(self, fs, dirs);

	snprintf(e4, sizeof(e4), "%s", at(self, fs, "e4"));
	if (!err)
		err = lfs_make_fs("ext4", NULL, at(self, fs, "e4.img"), e4,
				  "usrquota");
	if (!err)
		err = lfs_mkdir_p(lfs_fmt("%s/u/open", e4));
	if (!err)
		err = lfs_mkdir_p(lfs_fmt("%s/w", e4));
	if (!err)
		err = lfs_mkdir_p(lfs_fmt("%s/direct", e4));
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/u/open", e4), 0777));
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/direct", e4), 0777));
	argv[7] = e4;
	if (!err)
		err = lfs_run(argv, NULL);
	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s,upperdir=%s/u,workdir=%s/w",
					    at(self, fs, "l"), e4, e4));
	if (err)
		return err;
	*direct_err = lfs_run_as(UID_USER, write_8m,
				 lfs_fmt("%s/direct/big", e4));
	unlink(lfs_fmt("%s/direct/big", e4));
	*write_err = lfs_run_as(UID_USER, write_8m,
				at(self, fs, "m/open/big"));
	unlink(at(self, fs, "m/open/big"));
	*create_err = lfs_run_as(UID_USER, create_10, at(self, fs, "m/open"));
	return 0;
}

TEST_F_TIMEOUT(sec, quota_holds_through_mount, 300)
{
	int werr, cerr, derr;

	LFS_REQUIRE_REALFS(return, "ext4");
	if (!lfs_have_tool("setquota"))
		SKIP(return, "setquota is not installed");
	ASSERT_EQ(0, quota_errs(self, "layerfs", &werr, &cerr, &derr));
	EXPECT_EQ(EDQUOT, derr);
	EXPECT_EQ(EDQUOT, werr);
	EXPECT_EQ(EDQUOT, cerr);
	if (!have_overlay())
		return;
	ASSERT_EQ(0, quota_errs(self, "overlay", &werr, &cerr, &derr));
	TH_LOG("overlay: write over quota %s, creates over quota %s",
	       strerror(werr), strerror(cerr));
	EXPECT_EQ(EDQUOT, derr);
	EXPECT_EQ(EDQUOT, werr);
	EXPECT_EQ(EDQUOT, cerr);
}

/*
 * (As the user.)  Write @arg's file until the filesystem is full: the
 * errno of the write that fails (a short write is not the end yet).
 */
static int fill_up(const void *arg)
{
	static char chunk[65536];
	int fd, err;

	fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	memset(chunk, 'r', sizeof(chunk));
	while (write(fd, chunk, sizeof(chunk)) >= 0)
		;
	err = errno;
	fsync(fd);
	close(fd);
	return err;
}

/*
 * A 24 MiB ext4 upper layer ($/<fs>/e4), mounted with resuid=4242: UID_USER
 * fills it through the mount.  ENOSPC must come while the blocks reserved
 * for uid 4242 (or CAP_SYS_RESOURCE) are still free.  Returns the free
 * blocks left (f_bfree) and, in @reserved, how many the filesystem keeps
 * back (f_bfree - f_bavail when nothing is written).
 *
 * Why resuid: with ext4's default, root's blocks, the mounter's fsuid 0
 * (writes run with the mounter's credentials, on overlayfs too) gets into
 * the reserved blocks whatever its capabilities: both leave only ext4's
 * own 2% (s_resv_clusters).  A resuid that is not the mounter's shows what
 * CAP_SYS_RESOURCE alone does.
 */
static long reserved_left(FIXTURE_DATA(sec) *self, const char *fs,
			  long *reserved, int *fill_err)
{
	static const char *const dirs[] = { "l", "m", NULL };
	char e4[PATH_MAX];
	struct statfs sf;
	int err = mkdirs(self, fs, dirs);

	snprintf(e4, sizeof(e4), "%s", at(self, fs, "e4"));
	if (!err)
		err = lfs_make_fs_sized("ext4", NULL, at(self, fs, "e4.img"), e4,
					"resuid=4242", 24);
	if (!err)
		err = lfs_mkdir_p(lfs_fmt("%s/u/open", e4));
	if (!err)
		err = lfs_mkdir_p(lfs_fmt("%s/w", e4));
	if (!err)
		err = WU_ERR(chmod(lfs_fmt("%s/u/open", e4), 0777));
	if (!err)
		err = WU_ERR(statfs(e4, &sf));
	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s,upperdir=%s/u,workdir=%s/w",
					    at(self, fs, "l"), e4, e4));
	if (err)
		return -1000 - err;
	*reserved = sf.f_bfree - sf.f_bavail;
	*fill_err = lfs_run_as(UID_USER, fill_up, at(self, fs, "m/open/fill"));
	if (statfs(e4, &sf))
		return -1000 - errno;
	return sf.f_bfree;
}

TEST_F_TIMEOUT(sec, reserved_blocks_left_alone, 300)
{
	long reserved = 0, left;
	int ferr = 0;

	LFS_REQUIRE_REALFS(return, "ext4");
	left = reserved_left(self, "layerfs", &reserved, &ferr);
	TH_LOG("layerfs: %ld of %ld reserved blocks left after ENOSPC (%s)",
	       left, reserved, strerror(ferr));
	ASSERT_LT(0, reserved);		/* the premise: ext4 reserves some */
	EXPECT_EQ(ENOSPC, ferr);
	/* (a few blocks of slack: metadata of the last allocation) */
	EXPECT_LE(reserved - 8, left);
	if (!have_overlay())
		return;
	left = reserved_left(self, "overlay", &reserved, &ferr);
	TH_LOG("overlay: %ld of %ld reserved blocks left after ENOSPC (%s)",
	       left, reserved, strerror(ferr));
	EXPECT_EQ(ENOSPC, ferr);
	EXPECT_LE(reserved - 8, left);
}

/* ---- creation credentials and copy-up ----------------------------------- */

/*
 * (As UID_USER.)  Create one object of each kind in $/<fs>/m/open (a
 * 0777 directory), in place and over a whiteout ("gone*" were lower names
 * the parent removed), and a hard link.  0 or errno.
 */
static int create_all(const void *arg)
{
	const char *m = arg;
	int err = 0;

	err = lfs_write(lfs_fmt("%s/open/file", m), "f");
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/open/dir", m), 0755));
	if (!err)
		err = WU_ERR(mknod(lfs_fmt("%s/open/fifo", m), S_IFIFO | 0644,
				   0));
	if (!err)
		err = WU_ERR(symlink("file", lfs_fmt("%s/open/link", m)));
	if (!err)
		err = lfs_write(lfs_fmt("%s/open/gone1", m), "over whiteout");
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/open/gone2", m), 0755));
	if (!err)
		err = WU_ERR(link(lfs_fmt("%s/open/file", m),
				  lfs_fmt("%s/open/hard", m)));
	return err;
}

/*
 * A stack on @fs whose directory "open" (0777, in the lower layer) holds
 * gone1 and gone2, removed through the mount (whiteouts); then UID_USER
 * creates everything create_all() makes.  @owned counts the new upper
 * objects owned by UID_USER.
 */
static int create_as_user(FIXTURE_DATA(sec) *self, const char *fs,
			  int *owned)
{
	static const char *const dirs[] = { "l/open", "u", "w", "m", NULL };
	static const char *const names[] = {
		"file", "dir", "fifo", "link", "gone1", "gone2", "hard",
	};
	const char *m = strdup(at(self, fs, "m"));
	unsigned int i;
	struct stat st;
	int err = mkdirs(self, fs, dirs);

	if (!err)
		err = WU_ERR(chmod(at(self, fs, "l/open"), 0777));
	if (!err)
		err = lfs_write(at(self, fs, "l/open/gone1"), "lower");
	if (!err)
		err = lfs_write(at(self, fs, "l/open/gone2"), "lower");
	if (!err)
		err = wu_mount_type(fs, m,
				    lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					    at(self, fs, "l"), at(self, fs, "u"),
					    at(self, fs, "w")));
	if (!err)
		err = WU_ERR(unlink(lfs_fmt("%s/open/gone1", m)));
	if (!err)
		err = WU_ERR(unlink(lfs_fmt("%s/open/gone2", m)));
	if (!err)
		err = lfs_run_as(UID_USER, create_all, m);
	*owned = 0;
	for (i = 0; !err && i < ARRAY_SIZE(names); i++) {
		if (lstat(at(self, fs, lfs_fmt("u/open/%s", names[i])), &st))
			err = errno;
		else if (st.st_uid == UID_USER && st.st_gid == UID_USER)
			++*owned;
	}
	free((void *)m);
	return err;
}

/*
 * Every new object belongs to the caller, as on overlay: the mounter's
 * credentials carry the caller's fsuid and fsgid.  (Their LSM label:
 * lsmlabel.c.)
 */
TEST_F(sec, create_owned_by_caller)
{
	int owned = 0;

	ASSERT_EQ(0, create_as_user(self, "layerfs", &owned));
	EXPECT_EQ(7, owned);
	if (have_overlay()) {
		ASSERT_EQ(0, create_as_user(self, "overlay", &owned));
		TH_LOG("overlay: %d of 7 owned by the caller", owned);
		EXPECT_EQ(7, owned);
	}
}

/*
 * Copy-up copies the xattrs of the object, security.* ones included when
 * no LSM claims them (security_inode_copy_up_xattr(): SELinux claims
 * security.selinux, see lsmlabel.c).
 */
static int copy_up_xattrs(FIXTURE_DATA(sec) *self, const char *fs)
{
	static const char *const dirs[] = { "l", "u", "w", "m", NULL };
	char v[16];
	ssize_t n;
	int err = mkdirs(self, fs, dirs);

	if (!err)
		err = lfs_write(at(self, fs, "l/f"), "lower");
	if (!err)
		err = WU_ERR(setxattr(at(self, fs, "l/f"), "trusted.one", "1", 1, 0));
	if (!err)
		err = WU_ERR(setxattr(at(self, fs, "l/f"), "security.two", "2",
				      1, 0));
	if (!err)
		err = wu_mount_type(fs, at(self, fs, "m"),
				    lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
					    at(self, fs, "l"), at(self, fs, "u"),
					    at(self, fs, "w")));
	if (!err)
		err = WU_ERR(chmod(at(self, fs, "m/f"), 0600));	/* copies f up */
	if (err)
		return err;
	n = getxattr(at(self, fs, "u/f"), "security.two", v, sizeof(v));
	if (n != 1 || v[0] != '2')
		return n < 0 ? errno : EIO;
	n = getxattr(at(self, fs, "u/f"), "trusted.one", v, sizeof(v));
	if (n != 1 || v[0] != '1')
		return n < 0 ? errno : EIO;
	return 0;
}

TEST_F(sec, copy_up_copies_security_xattrs)
{
	EXPECT_EQ(0, copy_up_xattrs(self, "layerfs"));
	if (have_overlay())
		EXPECT_EQ(0, copy_up_xattrs(self, "overlay"));
}

TEST_HARNESS_MAIN
