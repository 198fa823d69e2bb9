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
 * type to mount.  It exists only so the suite's own logic can be dry-run
 * against overlayfs on a development host; the VM runner never sets it.
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

#endif /* LAYERFS_UTIL_H */
