/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layerfs_util.h - helpers shared by the layerfs selftests.
 *
 * Every test program in this directory includes this header after
 * kselftest_harness.h.  The helpers are plain C: they return 0 or an errno
 * value (never call the harness themselves), so each test can ASSERT_* on
 * every step and the failure message names the step that went wrong.
 *
 * Layout used by the fixtures: each test runs in its own mount namespace
 * (lfs_private_ns()), makes a directory /tmp/layerfs-XXXXXX and mounts a
 * private tmpfs on it (lfs_make_base()); the layers and the mount point are
 * created below that directory, so nothing leaks into the real /tmp and the
 * mounts disappear with the test process at the latest.
 *
 * LAYERFS_TEST_FSTYPE (environment, default "layerfs") names the filesystem
 * type to mount.  "make check FSTYPE=overlay" sets it to run the
 * union-semantics programs against the kernel's overlayfs (scripts/vm.sh
 * picks them; cases pinning layerfs's own behaviour SKIP there).
 */
#ifndef LAYERFS_UTIL_H
#define LAYERFS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>

/* statfs f_type of a layerfs superblock ("LAYR"). */
#define LAYERFS_SUPER_MAGIC	0x4c415952
/* Unprivileged identity used for the permission tests ("nobody"). */
#define LFS_NOBODY		65534
/* xattr that marks a directory opaque (shared encoding with overlayfs). */
#define LFS_OPAQUE_XATTR	"trusted.overlay.opaque"

/* Filesystem type under test; see the file header. */
static inline const char *lfs_fstype(void)
{
	const char *t = getenv("LAYERFS_TEST_FSTYPE");

	return (t && *t) ? t : "layerfs";
}

/*
 * The number in environment variable @name (decimal, 0x hex or 0 octal), or
 * @def when it is unset or empty: how the longer runs outside "make check"
 * size a test (e.g. LAYERFS_STRESS_SECS).
 */
static inline long lfs_env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

/* Is @name listed in /proc/filesystems? */
static inline bool lfs_fs_available(const char *name)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, '\t');

		p = p ? p + 1 : line;
		p[strcspn(p, "\n")] = '\0';
		found = !strcmp(p, name);
	}
	fclose(f);
	return found;
}

/*
 * SKIP (exit code 4) unless we are root and the filesystem type under test
 * is registered.  Use in FIXTURE_SETUP or at the top of a TEST.
 */
#define LFS_REQUIRE(statement) do { \
	if (geteuid() != 0) \
		SKIP(statement, "must be run as root"); \
	if (!lfs_fs_available(lfs_fstype())) \
		SKIP(statement, "%s is not in /proc/filesystems", \
		     lfs_fstype()); \
} while (0)

/*
 * SKIP unless the kernel's overlayfs, the reference the tests compare
 * layerfs with, is registered (the VM loads overlay.ko; a kernel of one's
 * own may lack it, scripts/kimage.sh says so).
 */
#define LFS_REQUIRE_OVERLAY(statement) do { \
	if (!lfs_fs_available("overlay")) \
		SKIP(statement, "overlay is not in /proc/filesystems"); \
} while (0)

/*
 * The FIXTURE_SETUP shared by the programs that compare layerfs with
 * overlayfs: root and both filesystems (or SKIP), umask @mask (0 where
 * the tests set every mode themselves), a private mount namespace, and an
 * empty base directory made in @base.
 */
#define LFS_SETUP_VS_OVERLAY(base, mask) do { \
	LFS_REQUIRE(return); \
	LFS_REQUIRE_OVERLAY(return); \
	umask(mask); \
	ASSERT_EQ(0, lfs_private_ns()); \
	ASSERT_EQ(0, lfs_make_base(base)); \
} while (0)

/*
 * printf into one of a ring of static path buffers, so that several paths
 * can be built inline in one call: lfs_fmt("%s/a", b), lfs_fmt("%s/b", b).
 */
static inline const char *lfs_fmt(const char *fmt, ...)
{
	static char ring[16][PATH_MAX];
	static unsigned int next;
	char *buf = ring[next++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * Expand every '$' in @tmpl to @base (into a ring buffer, like lfs_fmt()):
 * lfs_expand("/tmp/x", "lowerdir=$/a:$/b") == "lowerdir=/tmp/x/a:/tmp/x/b".
 */
static inline const char *lfs_expand(const char *base, const char *tmpl)
{
	static char ring[8][8192];
	static unsigned int next;
	char *buf = ring[next++ % 8];
	size_t blen = strlen(base), o = 0;

	for (; *tmpl && o + blen + 1 < sizeof(ring[0]); tmpl++) {
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

/*
 * Does the running kernel's overlayfs escape the trusted.overlay.* names a
 * user sets through the mount (storing trusted.overlay.overlay.*), as it
 * does since 6.7?  layerfs follows it; before 6.7 both refuse such names
 * with EOPNOTSUPP.  Read from uname(2).
 */
static inline bool lfs_overlay_escapes_xattrs(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 7);
}

/* New mount namespace whose mounts do not propagate anywhere. */
static inline int lfs_private_ns(void)
{
	if (unshare(CLONE_NEWNS))
		return errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return errno;
	return 0;
}

/* Mount a fresh tmpfs on @path (created if needed). */
static inline int lfs_mount_tmpfs(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return errno;
	if (mount("tmpfs", path, "tmpfs", 0, "mode=0755"))
		return errno;
	return 0;
}

/*
 * Create /tmp/layerfs-XXXXXX in @base (PATH_MAX bytes) and mount a private
 * tmpfs on it.  Call after lfs_private_ns().
 */
static inline int lfs_make_base(char *base)
{
	snprintf(base, PATH_MAX, "/tmp/layerfs-XXXXXX");
	if (!mkdtemp(base))
		return errno;
	return lfs_mount_tmpfs(base);
}

/*
 * Undo lfs_make_base().  @mounts lists the mount points below @base that a
 * test may have created (relative names, innermost first; NULL-terminated);
 * each is unmounted (all stacked mounts), then @base itself.  The unmounts
 * are not lazy: if a mount left behind a reference to a dentry or mount of
 * a layer (a leak on some error path), unmounting fails with EBUSY.  That
 * errno is returned (0 when everything came off cleanly); the tmpfs is then
 * detached anyway and the directory removed.
 */
static inline int lfs_drop_base(const char *base, const char *const *mounts)
{
	char path[PATH_MAX + 64];
	int err = 0;

	if (!base[0])
		return 0;
	if (chdir("/"))
		err = errno;
	for (; mounts && *mounts; mounts++) {
		snprintf(path, sizeof(path), "%s/%s", base, *mounts);
		while (!umount2(path, 0))
			;
		if (errno != EINVAL && errno != ENOENT && !err)
			err = errno;
	}
	if (umount2(base, 0)) {
		if (!err)
			err = errno;
		umount2(base, MNT_DETACH);
	}
	rmdir(base);
	return err;
}

/* Teardown helper: lfs_drop_base() and fail the test if a mount was busy. */
#define LFS_DROP_BASE(base, ...) do { \
	static const char *const __mnts[] = { __VA_ARGS__, NULL }; \
	int __err = lfs_drop_base(base, __mnts); \
	EXPECT_EQ(0, __err) \
		TH_LOG("unmounting the test's mounts: %s (leaked reference?)", \
		       strerror(__err)); \
} while (0)

/* mkdir -p */
static inline int lfs_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return errno;
	return 0;
}

/* Create (or truncate) @path with @mode and write @content into it. */
static inline int lfs_write_mode(const char *path, const char *content,
				 mode_t mode)
{
	size_t len = strlen(content);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return errno;
	if (write(fd, content, len) != (ssize_t)len) {
		int err = errno ? errno : EIO;

		close(fd);
		return err;
	}
	if (fchmod(fd, mode)) {
		close(fd);
		return errno;
	}
	close(fd);
	return 0;
}

static inline int lfs_write(const char *path, const char *content)
{
	return lfs_write_mode(path, content, 0644);
}

/*
 * Read up to @len - 1 bytes of @path into @buf, NUL-terminated.  Returns
 * @buf, or a string "<errno N>" describing the failure, so the result can be
 * fed straight into ASSERT_STREQ() and a failure prints what happened.
 */
static inline const char *lfs_cat(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(buf, len, "<open: errno %d>", errno);
		return buf;
	}
	n = read(fd, buf, len - 1);
	if (n < 0)
		snprintf(buf, len, "<read: errno %d>", errno);
	else
		buf[n] = '\0';
	close(fd);
	return buf;
}

/* Whiteout: a character device with device number 0/0. */
static inline int lfs_whiteout(const char *path)
{
	return mknod(path, S_IFCHR | 0600, makedev(0, 0)) ? errno : 0;
}

/* Make directory @path opaque. */
static inline int lfs_opaque(const char *path)
{
	return setxattr(path, LFS_OPAQUE_XATTR, "y", 1, 0) ? errno : 0;
}

/* mount(2) the filesystem under test on @target; 0 or errno. */
static inline int lfs_mount_flags(const char *target, unsigned long flags,
				  const char *opts)
{
	if (mount(lfs_fstype(), target, lfs_fstype(), flags, opts))
		return errno;
	return 0;
}

static inline int lfs_mount(const char *target, const char *opts)
{
	return lfs_mount_flags(target, 0, opts);
}

/* stat(2) as an errno: 0 when @path exists, else errno (e.g. ENOENT). */
static inline int lfs_lstat_errno(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? errno : 0;
}

/*
 * Find the /proc/self/mountinfo line whose mount point is @target and
 * return its device number (field 3, "major:minor").  0 or errno.
 */
static inline int lfs_mount_dev(const char *target, dev_t *dev)
{
	char line[4096], mnt[PATH_MAX];
	unsigned int maj, min;
	int err = ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min,
			   mnt) != 3)
			continue;
		if (!strcmp(mnt, target)) {
			*dev = makedev(maj, min);
			err = 0; /* keep going: the last (top) mount wins */
		}
	}
	fclose(f);
	return err;
}

/*
 * Copy the option field (4th) of the last /proc/self/mounts line whose
 * mount point (2nd field, as escaped by the kernel) is @target.  0 or errno.
 */
static inline int lfs_mount_opts(const char *target, char *opts, size_t len)
{
	static char line[65536];
	int err = ENOENT;
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *dev, *mnt, *type, *o;

		dev = strtok_r(line, " \n", &save);
		mnt = strtok_r(NULL, " \n", &save);
		type = strtok_r(NULL, " \n", &save);
		o = strtok_r(NULL, " \n", &save);
		if (!dev || !mnt || !type || !o || strcmp(mnt, target))
			continue;
		snprintf(opts, len, "%s", o);
		err = 0;
	}
	fclose(f);
	return err;
}

/*
 * Drop to uid/gid @id with no supplementary groups.  Changing all uids from
 * 0 to non-zero clears the permitted and effective capability sets, so the
 * caller loses CAP_SYS_ADMIN, CAP_DAC_OVERRIDE and friends.  0 or errno.
 */
static inline int lfs_become(uid_t id)
{
	if (setgroups(0, NULL))
		return errno;
	if (setresgid(id, id, id))
		return errno;
	if (setresuid(id, id, id))
		return errno;
	return 0;
}

/*
 * Run @fn(@arg) in a forked child and return its result (0 or an errno,
 * passed back as the exit status).  Returns 255 when fork() failed and 254
 * when the child died abnormally.  Use it for anything that changes
 * credentials, so the test process keeps its own.
 */
static inline int lfs_in_child(int (*fn)(const void *arg), const void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0)
		_exit(fn(arg) & 0xff);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 254;
	return WEXITSTATUS(status);
}

struct lfs_as {
	uid_t id;
	int (*fn)(const void *arg);
	const void *arg;
};

static inline int lfs_as_trampoline(const void *p)
{
	const struct lfs_as *as = p;

	if (lfs_become(as->id))
		return 255;
	return as->fn(as->arg);
}

/*
 * Run @fn(@arg) in a child that has become uid/gid @id (see lfs_become()).
 * Returns @fn's 0/errno, or 255/254 as lfs_in_child().
 */
static inline int lfs_run_as(uid_t id, int (*fn)(const void *arg),
			     const void *arg)
{
	struct lfs_as as = { .id = id, .fn = fn, .arg = arg };

	return lfs_in_child(lfs_as_trampoline, &as);
}

/* Does the NUL-separated list from listxattr(2) contain @name? */
static inline bool lfs_xattr_listed(const char *list, ssize_t len,
				    const char *name)
{
	ssize_t i = 0;

	while (i < len) {
		if (!strcmp(list + i, name))
			return true;
		i += strlen(list + i) + 1;
	}
	return false;
}

static inline int lfs_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List directory @path into @buf as "name1,name2,..." sorted by name,
 * without "." and "..".  Returns @buf, or "<errno N>" on failure, for use
 * with ASSERT_STREQ().  At most 256 entries.
 */
static inline const char *lfs_list(const char *path, char *buf, size_t len)
{
	char *names[256];
	struct dirent *de;
	size_t n = 0, i, o = 0;
	DIR *d = opendir(path);

	if (!d) {
		snprintf(buf, len, "<opendir: errno %d>", errno);
		return buf;
	}
	while (n < 256 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), lfs_strcmp_p);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		o += snprintf(buf + o, o < len ? len - o : 0, "%s%s",
			      i ? "," : "", names[i]);
		free(names[i]);
	}
	return buf;
}


/*
 * Real filesystems in the VM: lfs_make_fs() builds a squashfs, ext4 or xfs
 * image in a (sparse) file and loop-mounts it, so a test can put a layer on
 * something else than tmpfs (a read-only lower, ext4 with usrquota, xfs).
 * scripts/setup.sh collects loop, squashfs, ext4, xfs and quota_v2 from the
 * Debian kernel image; whenever a selected test's source names lfs_make_fs,
 * scripts/vm.sh puts them in /modules/ (listed in /modules/fs-modules, not
 * loaded at boot: lfs_load_fs() loads them on first use) and copies
 * mksquashfs, mkfs.ext4, mkfs.xfs, quotacheck, quotaon and setquota into the
 * VM.  Use LFS_REQUIRE_REALFS() first: it loads the modules and SKIPs when
 * the filesystem, /dev/loop-control or the tool is missing (the debug kernel
 * has no ext4, squashfs or xfs, for one).
 */
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/loop.h>

/* What scripts/vm.sh writes: "NAME FILE.ko ..." a line, in load order. */
#define LFS_FS_MODULES		"/modules/fs-modules"

/*
 * Load module @name and what it needs as /modules/fs-modules lists them
 * (finit_module(2); a module already in /sys/module is skipped).  0, ENOENT
 * when the list or @name is not there (not in the VM, or no selected test
 * names lfs_make_fs), else the errno of the failing load.
 */
static inline int lfs_load_module(const char *name)
{
	char line[1024], *tok, *save = NULL;
	int err = ENOENT;
	FILE *f = fopen(LFS_FS_MODULES, "r");

	if (!f)
		return ENOENT;
	while (err == ENOENT && fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \n", &save);
		if (!tok || strcmp(tok, name))
			continue;
		err = 0;
		while (!err && (tok = strtok_r(NULL, " \n", &save))) {
			char mod[128], *p;
			int fd;

			/* "crc32c_generic.ko" is /sys/module/crc32c_generic */
			snprintf(mod, sizeof(mod), "%s", tok);
			p = strstr(mod, ".ko");
			if (p)
				*p = '\0';
			for (p = mod; *p; p++)
				if (*p == '-')
					*p = '_';
			if (!access(lfs_fmt("/sys/module/%s", mod), F_OK))
				continue;
			fd = open(lfs_fmt("/modules/%s", tok), O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				err = errno;
				break;
			}
			if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
				err = errno;
			close(fd);
		}
	}
	fclose(f);
	return err;
}

/*
 * Load what a loop-mounted filesystem of @type needs ("squashfs", "ext4",
 * "xfs"): loop, @type, and quota_v2 for ext4 (its quota feature uses the
 * v2 format).  Only what is not loaded yet; failures are left for
 * lfs_realfs_missing() to notice.
 */
static inline void lfs_load_fs(const char *type)
{
	if (access("/dev/loop-control", F_OK))
		lfs_load_module("loop");
	if (!lfs_fs_available(type))
		lfs_load_module(type);
	if (!strcmp(type, "ext4") && access("/sys/module/quota_v2", F_OK))
		lfs_load_module("quota_v2");
}

/* Image size of an ext4 or xfs made by lfs_make_fs() (sparse). */
#define LFS_REALFS_MIB		64

/* Find program @name in $PATH (or /usr/sbin, /sbin); true when executable. */
static inline bool lfs_have_tool(const char *name)
{
	const char *path = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin:/usr/bin:/bin",
		 path ? path : "");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		if (*dir && !access(lfs_fmt("%s/%s", dir, name), X_OK))
			return true;
	}
	return false;
}

/* The program that makes a filesystem of @type, or NULL for an unknown type. */
static inline const char *lfs_mkfs_tool(const char *type)
{
	if (!strcmp(type, "squashfs"))
		return "mksquashfs";
	if (!strcmp(type, "ext4"))
		return "mkfs.ext4";
	if (!strcmp(type, "xfs"))
		return "mkfs.xfs";
	return NULL;
}

/*
 * NULL when lfs_make_fs(@type, ...) can work here, else what is missing
 * (for SKIP): we must be root, the kernel must know @type (after
 * lfs_load_fs()), loop devices must exist and the mkfs tool must be in $PATH.
 */
static inline const char *lfs_realfs_missing(const char *type)
{
	const char *tool = lfs_mkfs_tool(type);

	if (!tool)
		return "unknown filesystem type for lfs_make_fs()";
	if (geteuid() != 0)
		return "must be run as root";
	lfs_load_fs(type);
	if (!lfs_fs_available(type))
		return lfs_fmt("%s is not in /proc/filesystems", type);
	if (access("/dev/loop-control", R_OK | W_OK))
		return "no /dev/loop-control (module loop)";
	if (!lfs_have_tool(tool))
		return lfs_fmt("%s is not installed", tool);
	return NULL;
}

/* SKIP unless lfs_make_fs(@type, ...) can work; see lfs_realfs_missing(). */
#define LFS_REQUIRE_REALFS(statement, type) do { \
	const char *__why = lfs_realfs_missing(type); \
	if (__why) \
		SKIP(statement, "%s", __why); \
} while (0)

/*
 * Run @argv (argv[0] looked up in $PATH) with @env_extra (NULL-terminated
 * "NAME=VALUE" list, or NULL) added to the environment, stdout to
 * /dev/null; stderr stays the test's, so a tool's complaint lands in the
 * log.  0 when it exited 0, ENOENT when it could not be run, else EIO.
 */
static inline int lfs_run(const char *const argv[], const char *const env_extra[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		for (; env_extra && *env_extra; env_extra++)
			putenv((char *)*env_extra);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return ENOENT;
	fprintf(stderr, "# %s: status 0x%x\n", argv[0], status);
	return EIO;
}

/*
 * Attach @img to a free loop device, read-only if @ro, and return its open
 * file descriptor (the device's name in @dev, 32 bytes), or -errno.  The
 * device has LO_FLAGS_AUTOCLEAR: it detaches itself when the last user goes,
 * so mount it, then close the descriptor, and the unmount frees the device.
 */
static inline int lfs_loop_attach(const char *img, bool ro, char *dev)
{
	struct loop_config cfg;
	int ctl, fd, lfd, n, tries, err;

	fd = open(img, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = -errno;
		goto out_close;
	}
	/* Another process may grab the free device first: take the next. */
	for (tries = 0; tries < 16; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			err = -errno;
			goto out_ctl;
		}
		snprintf(dev, 32, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			err = -errno;
			goto out_ctl;
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = fd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR |
				    (ro ? LO_FLAGS_READ_ONLY : 0);
		if (!ioctl(lfd, LOOP_CONFIGURE, &cfg)) {
			err = lfd;
			goto out_ctl;
		}
		err = -errno;
		close(lfd);
		if (err != -EBUSY)
			goto out_ctl;
	}
out_ctl:
	close(ctl);
out_close:
	close(fd);
	return err;
}

/*
 * Split mount options @opts ("ro,noatime,usrquota") into mount(2) flags
 * (ro, nosuid, nodev, noexec, noatime, sync, dirsync) and the rest, the
 * filesystem's own options, copied into @data (@len bytes).
 */
static inline unsigned long lfs_mount_flags_of(const char *opts, char *data,
					       size_t len)
{
	static const struct { const char *name; unsigned long flag; } fl[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID },
		{ "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
		{ "noatime", MS_NOATIME }, { "sync", MS_SYNCHRONOUS },
		{ "dirsync", MS_DIRSYNC }, { "rw", 0 },
	};
	char buf[1024], *o, *save = NULL;
	unsigned long flags = 0;
	size_t i, off = 0;

	data[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", opts ? opts : "");
	for (o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		/* (not ARRAY_SIZE(): the benchmark has no kselftest header) */
		for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
			if (!strcmp(o, fl[i].name))
				break;
		if (i < sizeof(fl) / sizeof(fl[0]))
			flags |= fl[i].flag;
		else
			off += snprintf(data + off, off < len ? len - off : 0,
					"%s%s", off ? "," : "", o);
	}
	return flags;
}

/*
 * Build a filesystem image of @type in file @img and loop-mount it on @mnt
 * (created if needed) with mount options @opts (NULL or "" for none); the
 * sizes are in lfs_make_fs():
 *
 *   "squashfs"  mksquashfs of directory @srcdir (required): owners, modes,
 *               xattrs and hard links as they are there; always mounted
 *               read-only (a read-only lower layer).
 *   "ext4"      @mib MiB (sparse), 4 KiB blocks, filled from @srcdir with
 *               mkfs.ext4 -d when @srcdir is not NULL.  "usrquota",
 *               "grpquota" or "prjquota" in @opts also turn on ext4's quota
 *               feature for those types, so usage is accounted from the
 *               start and setquota(8) limits are enforced (no quotacheck or
 *               quotaon needed).
 *   "xfs"       @mib MiB, empty (@srcdir must be NULL).  mkfs.xfs refuses
 *               filesystems under 300 MB except for fstests, which it
 *               recognises by TEST_DIR, TEST_DEV and QA_CHECK_FS in the
 *               environment: set in mkfs.xfs's environment only, so a
 *               64 MiB xfs costs 6 MiB of tmpfs instead of 65.  "uquota"
 *               (or "usrquota") in @opts enables xfs quota.
 *
 * The loop device detaches itself at the unmount (lfs_loop_attach()), so
 * list @mnt among LFS_DROP_BASE()'s mounts (after anything stacked on it)
 * and nothing is left over.  Put @img on tmpfs (below lfs_make_base()'s
 * directory).  Returns 0 or an errno value; a failing tool also says why
 * on stderr.  Call LFS_REQUIRE_REALFS() before.
 */
static inline int lfs_make_fs_sized(const char *type, const char *srcdir,
				    const char *img, const char *mnt,
				    const char *opts, unsigned int mib)
{
	static const char *const xfs_env[] = {
		"TEST_DIR=/tmp", "TEST_DEV=layerfs", "QA_CHECK_FS=1", NULL
	};
	char data[1024], dev[32], size[32], quota[64] = "";
	unsigned long flags = lfs_mount_flags_of(opts, data, sizeof(data));
	int fd, err;

	if (!lfs_mkfs_tool(type))
		return EINVAL;
	lfs_load_fs(type);
	if (!mib)
		mib = LFS_REALFS_MIB;
	snprintf(size, sizeof(size), "%uM", mib);
	unlink(img);
	if (!strcmp(type, "squashfs")) {
		const char *argv[] = { "mksquashfs", srcdir, img, "-noappend",
				       "-quiet", "-no-progress", NULL };

		if (!srcdir)
			return EINVAL;
		flags |= MS_RDONLY;
		err = lfs_run(argv, NULL);
	} else {
		fd = open(img, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno;
		err = ftruncate(fd, (off_t)mib << 20) ? errno : 0;
		close(fd);
		if (err)
			return err;
		if (!strcmp(type, "ext4")) {
			const char *argv[12] = { "mkfs.ext4", "-q", "-F", "-b", "4096" };
			int n = 5;

			if (strstr(data, "usrquota"))
				strcat(quota, ":usrquota");
			if (strstr(data, "grpquota"))
				strcat(quota, ":grpquota");
			if (strstr(data, "prjquota"))
				strcat(quota, ":prjquota");
			if (quota[0]) {
				argv[n++] = "-O";
				argv[n++] = "quota";
				argv[n++] = "-E";
				argv[n++] = lfs_fmt("quotatype=%s", quota + 1);
			}
			if (srcdir) {
				argv[n++] = "-d";
				argv[n++] = srcdir;
			}
			argv[n++] = img;
			argv[n] = NULL;
			err = lfs_run(argv, NULL);
		} else {
			const char *argv[] = { "mkfs.xfs", "-q", "-f", img, NULL };

			if (srcdir)
				return EINVAL;
			err = lfs_run(argv, xfs_env);
		}
	}
	if (err)
		return err;
	if (mkdir(mnt, 0755) && errno != EEXIST)
		return errno;
	fd = lfs_loop_attach(img, flags & MS_RDONLY, dev);
	if (fd < 0)
		return -fd;
	err = mount(dev, mnt, type, flags, data[0] ? data : NULL) ? errno : 0;
	/* Mounted, the device stays; unmounted (or failed), it detaches. */
	close(fd);
	return err;
}

/*
 * A filesystem lfs_make_fs() does not make (a btrfs, an ext4 with another
 * feature): run @argv, a mkfs command whose target is @img, on a sparse
 * @mib MiB @img, then loop-mount it on @mnt as @type with @opts (or none).
 * Returns 0 or an errno value.
 */
static inline int lfs_mkfs_and_mount(const char *const argv[],
				     const char *type, const char *img,
				     const char *mnt, unsigned int mib,
				     const char *opts)
{
	char dev[32];
	int fd, err;

	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	err = ftruncate(fd, (off_t)mib << 20) ? errno : 0;
	close(fd);
	if (!err)
		err = lfs_run(argv, NULL);
	if (!err && mkdir(mnt, 0755) && errno != EEXIST)
		err = errno;
	if (err)
		return err;
	fd = lfs_loop_attach(img, false, dev);
	if (fd < 0)
		return -fd;
	err = mount(dev, mnt, type, 0, opts) ? errno : 0;
	close(fd);
	return err;
}

/* lfs_make_fs_sized() with LFS_REALFS_MIB MiB for ext4 and xfs. */
static inline int lfs_make_fs(const char *type, const char *srcdir,
			      const char *img, const char *mnt, const char *opts)
{
	return lfs_make_fs_sized(type, srcdir, img, mnt, opts, 0);
}

/* ---- idmapped mounts ----------------------------------------------------- */

#define LFS_OPEN_TREE_CLONE		1
#define LFS_MOVE_MOUNT_F_EMPTY_PATH	0x00000004
#define LFS_MOUNT_ATTR_IDMAP		0x00100000
#ifndef SYS_open_tree
#define SYS_open_tree			428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount			429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr		442
#endif

struct lfs_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/*
 * Open an existing @path with @flags (O_WRONLY, maybe O_APPEND) and write
 * @content in one write(2), as /proc/PID/[ug]id_map wants.  0 or errno.
 */
static inline int lfs_write_once(const char *path, const char *content,
				 int flags)
{
	int fd = open(path, flags | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		err = errno ?: EIO;
	close(fd);
	return err;
}

/*
 * A user namespace mapping ids 0 -> 0 and 2000 -> 1000, as an fd: an
 * idmapped mount made with it shows files the filesystem says uid 2000
 * owns as owned by uid 1000 (and root's as root's).  -errno on failure.
 */
static inline int lfs_idmap_userns(void)
{
	static const char map[] = "0 0 1\n2000 1000 1\n";
	int ready[2], hold[2], fd = -EIO, err;
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(hold))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		close(ready[1]);	/* EOF: the namespace exists */
		if (read(hold[0], &c, 1) < 0)	/* until the parent has its fd */
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) == 0) {
		err = lfs_write_once(lfs_fmt("/proc/%d/uid_map", pid), map,
				     O_WRONLY);
		err = err ?: lfs_write_once(lfs_fmt("/proc/%d/gid_map", pid),
					     map, O_WRONLY);
		fd = err ? -err : open(lfs_fmt("/proc/%d/ns/user", pid),
				       O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			fd = -errno;
	}
	close(hold[1]);
	close(ready[0]);
	waitpid(pid, NULL, 0);
	return fd;
}

/* Attach an idmapped clone of @src (lfs_idmap_userns()) at @dst.  0 or errno. */
static inline int lfs_idmapped_mount(const char *src, const char *dst)
{
	struct lfs_mount_attr attr = { .attr_set = LFS_MOUNT_ATTR_IDMAP };
	int ns, fd, err = 0;

	ns = lfs_idmap_userns();
	if (ns < 0)
		return -ns;
	attr.userns_fd = ns;
	fd = syscall(SYS_open_tree, AT_FDCWD, src,
		     LFS_OPEN_TREE_CLONE | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr,
		    sizeof(attr)) ||
	    (mkdir(dst, 0755) && errno != EEXIST) ||
	    syscall(SYS_move_mount, fd, "", AT_FDCWD, dst,
		    LFS_MOVE_MOUNT_F_EMPTY_PATH))
		err = errno;
	close(fd);
out:
	close(ns);
	return err;
}

#endif /* LAYERFS_UTIL_H */
