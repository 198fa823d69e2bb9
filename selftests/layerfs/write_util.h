/* SPDX-License-Identifier: GPL-2.0 */
/*
 * write_util.h - helpers for the write-side selftests (copyup.c,
 * namespace.c, rename.c, interop.c, perms.c, concurrency.c).
 *
 * Include after kselftest_harness.h and layerfs_util.h.  Like
 * layerfs_util.h, every helper returns 0 or an errno (or a string that
 * describes the failure), never calls the harness, so each test ASSERTs on
 * every step itself.
 *
 * Layer layout used by the write-side fixtures (wu_layout_make()), all
 * below the per-test tmpfs $ (lfs_make_base()):
 *   $/l1  top lower layer     $/l2  bottom lower layer
 *   $/u   upper layer         $/w   work directory       $/m  mount point
 * so the stack seen through $/m is, top to bottom:  u  l1  l2.
 *
 * The on-disk encoding checked in the upper layer is overlayfs's: a
 * whiteout is a character device 0/0, an opaque directory carries
 * trusted.overlay.opaque="y".
 */
#ifndef LAYERFS_WRITE_UTIL_H
#define LAYERFS_WRITE_UTIL_H

#include <endian.h>
#include <stdint.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE		(1 << 1)
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT		(1 << 2)
#endif

#define OVERLAYFS_SUPER_MAGIC	0x794c7630

/*
 * Options that make overlayfs behave as the layerfs contract describes
 * (overlayfs.rst with redirect_dir=off, index=off, metacopy=off, xino=off).
 * Appended to every overlay mount, never to a layerfs one (layerfs rejects
 * unknown options).
 */
#define WU_OVL_OPTS	"redirect_dir=off,index=off,metacopy=off,xino=off"

/* errno of a syscall that returns -1 on failure, 0 when it succeeded. */
#define WU_ERR(call)	((call) == -1 ? errno : 0)

/* renameat2(2) through the raw syscall: static glibc may lack the wrapper. */
static inline int wu_renameat2(const char *from, const char *to,
			       unsigned int flags)
{
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags))
		return errno;
	return 0;
}

/*
 * mount(2) a stack of type @fstype ("layerfs" or "overlay") on @mnt.
 * @opts is "lowerdir=...[,upperdir=...,workdir=...]"; for overlay the
 * WU_OVL_OPTS are appended.  0 or errno.
 */
static inline int wu_mount_type(const char *fstype, const char *mnt,
				const char *opts)
{
	char o[8192];
	int n;

	if (!strcmp(fstype, "overlay"))
		n = snprintf(o, sizeof(o), "%s,%s", opts, WU_OVL_OPTS);
	else
		n = snprintf(o, sizeof(o), "%s", opts);
	if (n >= (int)sizeof(o))
		return ENAMETOOLONG;	/* never mount a cut option string */
	if (mount(fstype, mnt, fstype, 0, o))
		return errno;
	return 0;
}

/* Mount the filesystem under test (lfs_fstype()). */
static inline int wu_mount(const char *mnt, const char *opts)
{
	return wu_mount_type(lfs_fstype(), mnt, opts);
}

/*
 * Dry run against overlayfs (LAYERFS_TEST_FSTYPE=overlay)?  A few contract
 * rules deliberately differ from current overlayfs; those tests SKIP then.
 */
static inline bool wu_dry_run_overlay(void)
{
	return !strcmp(lfs_fstype(), "overlay");
}

/* statfs f_type the filesystem under test must report. */
static inline long wu_magic(void)
{
	return strcmp(lfs_fstype(), "overlay") ? LAYERFS_SUPER_MAGIC :
						 OVERLAYFS_SUPER_MAGIC;
}

/* Create $/l1 $/l2 $/u $/w $/m below @base. */
static inline int wu_layout_make(const char *base)
{
	static const char *const d[] = { "l1", "l2", "u", "w", "m" };
	unsigned int i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (mkdir(lfs_fmt("%s/%s", base, d[i]), 0755))
			return errno;
	return 0;
}

/* The standard options for the layout above. */
static inline const char *wu_opts(const char *base)
{
	return lfs_expand(base, "lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w");
}

/* Is @path a whiteout (character device 0/0)?  lstat errno or 0/-1. */
static inline int wu_whiteout_errno(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
		return -1;
	return 0;
}

static inline bool wu_is_whiteout(const char *path)
{
	return wu_whiteout_errno(path) == 0;
}

/* Is directory @path opaque (trusted.overlay.opaque = "y")? */
static inline bool wu_is_opaque(const char *path)
{
	char v[8];
	ssize_t n = getxattr(path, LFS_OPAQUE_XATTR, v, sizeof(v));

	return n == 1 && v[0] == 'y';
}

/* getxattr @name of @path as a string ("<errno N>" on failure). */
static inline const char *wu_getxattr(const char *path, const char *name,
				      char *buf, size_t len)
{
	ssize_t n = lgetxattr(path, name, buf, len - 1);

	if (n < 0)
		snprintf(buf, len, "<errno %d>", errno);
	else
		buf[n] = '\0';
	return buf;
}

/* Number of entries in directory @path except "." and ".." (-errno). */
static inline int wu_count(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * Number of leftover temporaries in work directory @path: every entry except
 * whiteouts (overlayfs keeps one shared whiteout there to hard-link from, so
 * a whiteout is not a leftover).  -errno on failure.
 */
static inline int wu_work_leftovers(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!wu_is_whiteout(lfs_fmt("%s/%s", path, de->d_name)))
			n++;
	}
	closedir(d);
	return n;
}

/* Byte @i of the deterministic pattern @seed. */
static inline unsigned char wu_byte(uint64_t i, unsigned int seed)
{
	uint64_t x = (i / 8) * 0x9e3779b97f4a7c15ULL + seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (unsigned char)(x >> ((i % 8) * 8));
}

/* Write @size bytes of pattern @seed to new file @path (mode 0644). */
static inline int wu_fill(const char *path, size_t size, unsigned int seed)
{
	static unsigned char buf[1 << 16];
	size_t off = 0, i, n;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	while (off < size) {
		n = size - off < sizeof(buf) ? size - off : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = wu_byte(off + i, seed);
		if (write(fd, buf, n) != (ssize_t)n) {
			int err = errno ? errno : EIO;

			close(fd);
			return err;
		}
		off += n;
	}
	close(fd);
	return 0;
}

/* FNV-1a 64, incremental. */
static inline uint64_t wu_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		h ^= *c++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define WU_FNV_INIT	0xcbf29ce484222325ULL

/* Hash of @size bytes of pattern @seed, as wu_hash_fd() would compute it. */
static inline uint64_t wu_pattern_hash(size_t size, unsigned int seed)
{
	static unsigned char buf[1 << 16];
	uint64_t h = WU_FNV_INIT;
	size_t off = 0, i, n;

	while (off < size) {
		n = size - off < sizeof(buf) ? size - off : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = wu_byte(off + i, seed);
		h = wu_fnv(h, buf, n);
		off += n;
	}
	return h;
}

/* Hash of everything readable from @fd (from offset 0, by pread). */
static inline int wu_hash_fd(int fd, uint64_t *hash, size_t *size)
{
	static unsigned char buf[1 << 16];
	uint64_t h = WU_FNV_INIT;
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		h = wu_fnv(h, buf, n);
		off += n;
	}
	if (n < 0)
		return errno;
	*hash = h;
	if (size)
		*size = off;
	return 0;
}

static inline int wu_hash_path(const char *path, uint64_t *hash,
			       size_t *size)
{
	int err, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	err = wu_hash_fd(fd, hash, size);
	close(fd);
	return err;
}

/* lstat, but returning the struct (zeroed on failure) for inline use. */
static inline struct stat wu_lstat(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		memset(&st, 0, sizeof(st));
	return st;
}

/* readlink into @buf, NUL-terminated; "<errno N>" on failure. */
static inline const char *wu_readlink(const char *path, char *buf,
				      size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n < 0)
		snprintf(buf, len, "<errno %d>", errno);
	else
		buf[n] = '\0';
	return buf;
}

/* Set atime and mtime of @path (not following symlinks). */
static inline int wu_set_times(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW))
		return errno;
	return 0;
}

/* ---- tree dumps ---------------------------------------------------------- */

/*
 * A growing text buffer: each line of a dump describes one object.  The
 * dump of a tree is compared as a whole with ASSERT_STREQ, so a mismatch
 * prints both trees.
 */
struct wu_dump {
	char *s;
	size_t len, cap;
};

static inline void wu_dump_add(struct wu_dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->s ? d->s + d->len : NULL,
			      d->s ? d->cap - d->len : 0, fmt, ap);
		va_end(ap);
		if (d->s && d->len + n < d->cap)
			break;
		d->cap = (d->cap + n + 1) * 2;
		d->s = realloc(d->s, d->cap);
		if (!d->s)
			abort();
	}
	d->len += n;
}

/*
 * Append " name=value" for xattr @name of @path: the value as text, or as
 * "0x" and hex when it holds a byte that is not printable (a POSIX ACL).
 */
static inline void wu_dump_xattr(struct wu_dump *d, const char *path,
				 const char *name)
{
	unsigned char v[512];
	ssize_t n = lgetxattr(path, name, v, sizeof(v)), i;
	bool text = n >= 0;

	if (n < 0) {
		wu_dump_add(d, " %s=<errno %d>", name, errno);
		return;
	}
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			text = false;
	if (text) {
		wu_dump_add(d, " %s=%.*s", name, (int)n, (const char *)v);
		return;
	}
	wu_dump_add(d, " %s=0x", name);
	for (i = 0; i < n; i++)
		wu_dump_add(d, "%02x", v[i]);
}

/* Flags for wu_dump_tree(). */
#define WU_RAW		0x1	/* dumping a real layer: show whiteouts/opaque */
#define WU_MTIME	0x2	/* include mtime of non-directories */

/*
 * Append one line per object below @dir (relative name @rel, "" for the
 * root) to @d: name, type, mode, uid, gid, and per type size + content
 * hash, symlink target, rdev; plus user-visible xattrs (names and values,
 * sorted).  trusted.overlay.* xattrs are left out, except that with WU_RAW
 * an opaque directory is marked "opaque" (it is part of the on-disk
 * encoding) and a whiteout is printed as "whiteout" without its mode.
 * Returns 0 or errno.
 */
static inline int wu_dump_tree(struct wu_dump *d, const char *dir,
			       const char *rel, int flags)
{
	char *names[512];
	struct dirent *de;
	size_t n = 0, i;
	int err = 0;
	DIR *dp = opendir(dir);

	if (!dp)
		return errno;
	while (n < 512 && (de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), lfs_strcmp_p);

	for (i = 0; i < n && !err; i++) {
		char path[PATH_MAX], r[PATH_MAX], xl[4096], xv[512];
		char *xn[64];
		struct stat st;
		ssize_t xlen, k;
		size_t nx = 0, j;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "",
			 names[i]);
		if (lstat(path, &st)) {
			err = errno;
			break;
		}
		if ((flags & WU_RAW) && S_ISCHR(st.st_mode) &&
		    st.st_rdev == makedev(0, 0)) {
			wu_dump_add(d, "%s whiteout\n", r);
			continue;
		}
		wu_dump_add(d, "%s mode=%o uid=%u gid=%u", r,
			    (unsigned int)st.st_mode, st.st_uid, st.st_gid);
		if (S_ISREG(st.st_mode)) {
			uint64_t h = 0;

			err = wu_hash_path(path, &h, NULL);
			wu_dump_add(d, " size=%lld hash=%016llx",
				    (long long)st.st_size,
				    (unsigned long long)h);
		} else if (S_ISLNK(st.st_mode)) {
			wu_dump_add(d, " -> %s", wu_readlink(path, xv,
							     sizeof(xv)));
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			wu_dump_add(d, " rdev=%u:%u", major(st.st_rdev),
				    minor(st.st_rdev));
		}
		if ((flags & WU_MTIME) && !S_ISDIR(st.st_mode))
			wu_dump_add(d, " mtime=%lld.%09ld",
				    (long long)st.st_mtim.tv_sec,
				    st.st_mtim.tv_nsec);
		if (S_ISDIR(st.st_mode) && (flags & WU_RAW) &&
		    wu_is_opaque(path))
			wu_dump_add(d, " opaque");
		xlen = llistxattr(path, xl, sizeof(xl));
		for (k = 0; xlen > 0 && k < xlen && nx < 64;
		     k += strlen(xl + k) + 1)
			if (strncmp(xl + k, "trusted.overlay.", 16) &&
			    strncmp(xl + k, "security.", 9))
				xn[nx++] = xl + k;
		qsort(xn, nx, sizeof(xn[0]), lfs_strcmp_p);
		for (j = 0; j < nx; j++)
			wu_dump_xattr(d, path, xn[j]);
		wu_dump_add(d, "\n");
		if (S_ISDIR(st.st_mode))
			err = wu_dump_tree(d, path, r, flags);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return err;
}

/* Dump @dir into a malloc()ed string (caller frees); "<errno N>" on error. */
static inline char *wu_dump_string(const char *dir, int flags)
{
	struct wu_dump d = { 0 };
	int err;

	wu_dump_add(&d, "\n");	/* every line starts after a '\n' */
	err = wu_dump_tree(&d, dir, "", flags);
	if (err) {
		free(d.s);
		d.s = NULL;
		d.cap = d.len = 0;
		wu_dump_add(&d, "<dump of %s: errno %d>", dir, err);
	}
	return d.s;
}

/* ---- POSIX ACLs ------------------------------------------------------------ */

/* Entry tags of the system.posix_acl_* xattr format, and its "no id". */
#define WU_ACL_USER_OBJ		0x01
#define WU_ACL_USER		0x02
#define WU_ACL_GROUP_OBJ	0x04
#define WU_ACL_MASK		0x10
#define WU_ACL_OTHER		0x20
#define WU_ACL_NO_ID		0xffffffffU
#define WU_ACL_MAX		8

struct wu_acl_entry {
	unsigned short tag, perm;
	unsigned int id;
};

/* An ACL in the xattr format (version 2, little endian), as setfacl writes. */
struct wu_acl_xattr {
	uint32_t version;
	struct { uint16_t tag, perm; uint32_t id; } e[WU_ACL_MAX];
};

/*
 * Set the ACL of @n entries @e (sorted by tag, then id) as xattr @name
 * ("system.posix_acl_access" or "..._default") of @path.  0 or errno.
 */
static inline int wu_set_acl(const char *path, const char *name,
			     const struct wu_acl_entry *e, unsigned int n)
{
	struct wu_acl_xattr x = { .version = htole32(2) };
	unsigned int i;

	for (i = 0; i < n && i < WU_ACL_MAX; i++) {
		x.e[i].tag = htole16(e[i].tag);
		x.e[i].perm = htole16(e[i].perm);
		x.e[i].id = htole32(e[i].id);
	}
	return WU_ERR(setxattr(path, name, &x,
			       sizeof(x.version) + i * sizeof(x.e[0]), 0));
}

/* ---- children ------------------------------------------------------------ */

/*
 * Run @fn(@arg) in a forked child with fsuid/fsgid etc. unchanged (root);
 * returns its 0/errno result (255: fork failed, 254: died abnormally).
 */
static inline int wu_run(int (*fn)(const void *arg), const void *arg)
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

#endif /* LAYERFS_WRITE_UTIL_H */
