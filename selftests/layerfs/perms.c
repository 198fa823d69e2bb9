// SPDX-License-Identifier: GPL-2.0
/*
 * perms.c - non-root callers get the same EACCES/EPERM answers through
 * layerfs as through the kernel's overlayfs.
 *
 * For each case of the table, two identical layer sets are built (lower
 * objects owned by root, by uid 1000 and by a third user, with various
 * modes, in plain, world-writable, sticky, closed and user-owned
 * directories); one is mounted as layerfs, the other as overlay (with
 * redirect_dir=off,index=off,metacopy=off,xino=off).  A child drops to the
 * variant's uid/gid (1000, who owns the "mine" objects, or 65534, who owns
 * nothing) and runs the case's single operation on each mount.  The test
 * proves, per case:
 *   - layerfs returns the same errno as overlay;
 *   - that errno is the one the table expects (so a wrong assumption in the
 *     table, or an overlay difference between kernels, shows up too);
 *   - both upper layers are identical afterwards: a refused operation
 *     copied nothing up, an allowed one copied up the same objects with
 *     the same owner and mode.
 * Some lower objects carry POSIX ACLs (set in the lower layer as the
 * system.posix_acl_* xattrs): an access ACL that denies uid 1000 what the
 * mode's group class allows, one that grants what the mode denies, and a
 * default ACL on a directory, which replaces the umask for new objects.
 * Every case runs even when an earlier one failed (EXPECT_*); a mismatch
 * logs the case name.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define UID_A		1000	/* owner of the "mine" objects */
#define UID_OTHER	4321	/* a third user */
#define ANY		-2	/* table: do not predict, only compare */

enum op {
	OP_READ, OP_WRITE, OP_OTRUNC, OP_TRUNCATE, OP_LIST, OP_UNLINK,
	OP_RMDIR, OP_RENAME, OP_CHMOD, OP_CHOWN, OP_UTIMES_NOW,
	OP_UTIMES_SET, OP_CREATE, OP_MKDIR, OP_SYMLINK, OP_LINK,
	OP_SETXATTR,
};

struct pcase {
	const char *name;
	enum op op;
	const char *a, *b;	/* paths relative to the mount point */
	long arg;		/* mode, uid (gid = uid), xattr name index */
	int as_a;		/* expected errno for uid 1000 */
	int as_nobody;		/* expected errno for uid 65534 */
};

static const struct pcase cases[] = {
	{ "read 0644 root file", OP_READ, "pub", 0, 0, 0, 0 },
	{ "read 0600 root file", OP_READ, "priv", 0, 0, EACCES, EACCES },
	{ "read in 0700 root dir", OP_READ, "closed/f", 0, 0, EACCES, EACCES },
	{ "list 0700 root dir", OP_LIST, "closed", 0, 0, EACCES, EACCES },
	{ "read own 0644 file", OP_READ, "mine", 0, 0, 0, 0 },
	{ "write 0644 root file", OP_WRITE, "pub", 0, 0, EACCES, EACCES },
	{ "write 0600 root file", OP_WRITE, "priv", 0, 0, EACCES, EACCES },
	{ "write own 0644 file", OP_WRITE, "mine", 0, 0, 0, EACCES },
	{ "write own 0444 file", OP_WRITE, "mine_ro", 0, 0, EACCES, EACCES },
	{ "write 0666 file of other", OP_WRITE, "other", 0, 0, 0, 0 },
	{ "O_TRUNC 0644 root file", OP_OTRUNC, "pub", 0, 0, EACCES, EACCES },
	{ "O_TRUNC 0666 file", OP_OTRUNC, "other", 0, 0, 0, 0 },
	{ "truncate 0644 root file", OP_TRUNCATE, "pub", 0, 0, EACCES,
	  EACCES },
	{ "truncate own file", OP_TRUNCATE, "mine", 0, 0, 0, EACCES },
	{ "unlink in root 0755 top dir", OP_UNLINK, "pub", 0, 0, EACCES,
	  EACCES },
	{ "unlink in root 0755 dir", OP_UNLINK, "rootdir/f", 0, 0, EACCES,
	  EACCES },
	{ "unlink in 0777 dir", OP_UNLINK, "opendir/rootf", 0, 0, 0, 0 },
	{ "unlink other's in sticky", OP_UNLINK, "sticky/rootf", 0, 0, EPERM,
	  EPERM },
	{ "unlink own in sticky", OP_UNLINK, "sticky/minef", 0, 0, 0, EPERM },
	{ "unlink in own 0755 dir", OP_UNLINK, "mydir/rootf", 0, 0, 0,
	  EACCES },
	{ "unlink in 0700 root dir", OP_UNLINK, "closed/f", 0, 0, EACCES,
	  EACCES },
	{ "rmdir in 0777 dir", OP_RMDIR, "opendir/sub", 0, 0, 0, 0 },
	{ "rmdir other's in sticky", OP_RMDIR, "sticky/sub", 0, 0, EPERM,
	  EPERM },
	{ "rmdir in root 0755 dir", OP_RMDIR, "rootdir/sub", 0, 0, EACCES,
	  EACCES },
	{ "rename in 0777 dir", OP_RENAME, "opendir/rootf", "opendir/x", 0, 0,
	  0 },
	{ "rename in root 0755 dir", OP_RENAME, "rootdir/f", "rootdir/g", 0,
	  EACCES, EACCES },
	{ "rename other's in sticky", OP_RENAME, "sticky/rootf", "sticky/y",
	  0, EPERM, EPERM },
	{ "rename own in sticky", OP_RENAME, "sticky/minef", "sticky/y", 0,
	  0, EPERM },
	{ "rename into own dir", OP_RENAME, "opendir/minef", "mydir/x", 0, 0,
	  EACCES },
	{ "rename out of root dir", OP_RENAME, "mine", "opendir/x", 0, EACCES,
	  EACCES },
	{ "rename over root file", OP_RENAME, "opendir/minef",
	  "opendir/rootf", 0, 0, 0 },
	{ "chmod own file", OP_CHMOD, "mine", 0, 0600, 0, EPERM },
	{ "chmod root file", OP_CHMOD, "pub", 0, 0666, EPERM, EPERM },
	{ "chmod 0666 file of other", OP_CHMOD, "other", 0, 0600, EPERM,
	  EPERM },
	{ "chmod own dir", OP_CHMOD, "mydir", 0, 0700, 0, EPERM },
	{ "chown own file to root", OP_CHOWN, "mine", 0, 0, EPERM, EPERM },
	{ "chown own file to own ids", OP_CHOWN, "mine", 0, UID_A, 0, EPERM },
	{ "utimes now, 0666 file", OP_UTIMES_NOW, "other", 0, 0, 0, 0 },
	{ "utimes now, 0644 root file", OP_UTIMES_NOW, "pub", 0, 0, EACCES,
	  EACCES },
	{ "utimes set, 0666 file", OP_UTIMES_SET, "other", 0, 0, EPERM,
	  EPERM },
	{ "utimes set, own file", OP_UTIMES_SET, "mine", 0, 0, 0, EPERM },
	{ "create in 0777 dir", OP_CREATE, "opendir/new", 0, 0, 0, 0 },
	{ "create in root 0755 dir", OP_CREATE, "rootdir/new", 0, 0, EACCES,
	  EACCES },
	{ "create in 0700 root dir", OP_CREATE, "closed/new", 0, 0, EACCES,
	  EACCES },
	{ "create in own dir", OP_CREATE, "mydir/new", 0, 0, 0, EACCES },
	{ "mkdir in 0777 dir", OP_MKDIR, "opendir/nd", 0, 0, 0, 0 },
	{ "mkdir in root 0755 dir", OP_MKDIR, "rootdir/nd", 0, 0, EACCES,
	  EACCES },
	{ "symlink in sticky dir", OP_SYMLINK, "sticky/sl", 0, 0, 0, 0 },
	{ "symlink in root 0755 dir", OP_SYMLINK, "rootdir/sl", 0, 0, EACCES,
	  EACCES },
	{ "link own file into 0777 dir", OP_LINK, "mine", "opendir/l", 0, 0,
	  ANY },
	{ "link root file into 0777 dir", OP_LINK, "pub", "opendir/l", 0, ANY,
	  ANY },
	{ "link into root 0755 dir", OP_LINK, "opendir/minef", "rootdir/l", 0,
	  EACCES, ANY },	/* nobody: fs.protected_hardlinks decides */
	{ "setxattr trusted.* own file", OP_SETXATTR, "mine", 0, 0, EPERM,
	  EPERM },
	{ "setxattr user.* own file", OP_SETXATTR, "mine", 0, 1, ANY, ANY },
	{ "setxattr user.* root file", OP_SETXATTR, "pub", 0, 1, ANY, ANY },
	{ "read, ACL denies uid 1000", OP_READ, "acl_deny", 0, 0, EACCES, 0 },
	{ "read, ACL grants uid 1000", OP_READ, "acl_grant", 0, 0, 0, EACCES },
	{ "write, ACL grants uid 1000", OP_WRITE, "acl_grant", 0, 0, 0,
	  EACCES },
	{ "create, dir ACL grants uid 1000", OP_CREATE, "acl_dir/new", 0, 0, 0,
	  EACCES },
	{ "create under a default ACL", OP_CREATE, "dacl/new", 0, 0, 0, 0 },
	{ "mkdir under a default ACL", OP_MKDIR, "dacl/nd", 0, 0, 0, 0 },
};

/* POSIX ACLs of lower objects, as setfacl(1) would write them. */
enum acl_kind { NO_ACL, ACL_DENY_A, ACL_GRANT_A, ACL_DIR_A, DACL_OPEN };

#define A_USER_OBJ	WU_ACL_USER_OBJ
#define A_USER		WU_ACL_USER
#define A_GROUP_OBJ	WU_ACL_GROUP_OBJ
#define A_MASK		WU_ACL_MASK
#define A_OTHER		WU_ACL_OTHER
#define A_NO_ID		WU_ACL_NO_ID

struct acl_spec {
	const char *xattr;	/* system.posix_acl_access or _default */
	unsigned int n;
	struct wu_acl_entry e[5];
};

static const struct acl_spec acl_specs[] = {
	[ACL_DENY_A] = { "system.posix_acl_access", 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 0, UID_A },
		{ A_GROUP_OBJ, 4, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 4, A_NO_ID } } },
	[ACL_GRANT_A] = { "system.posix_acl_access", 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 6, UID_A },
		{ A_GROUP_OBJ, 0, A_NO_ID }, { A_MASK, 6, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID } } },
	[ACL_DIR_A] = { "system.posix_acl_access", 5, {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_USER, 7, UID_A },
		{ A_GROUP_OBJ, 5, A_NO_ID }, { A_MASK, 7, A_NO_ID },
		{ A_OTHER, 5, A_NO_ID } } },
	[DACL_OPEN] = { "system.posix_acl_default", 3, {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_GROUP_OBJ, 7, A_NO_ID },
		{ A_OTHER, 7, A_NO_ID } } },
};

static int set_acl(const char *path, enum acl_kind kind)
{
	const struct acl_spec *a = &acl_specs[kind];

	return wu_set_acl(path, a->xattr, a->e, a->n);
}

/* One lower object: path, mode (with type), owner, ACL. */
struct pobj {
	const char *path;
	mode_t mode;
	uid_t uid;
	enum acl_kind acl;
};

static const struct pobj lower_objs[] = {
	{ "pub", S_IFREG | 0644, 0 },
	{ "priv", S_IFREG | 0600, 0 },
	{ "mine", S_IFREG | 0644, UID_A },
	{ "mine_ro", S_IFREG | 0444, UID_A },
	{ "other", S_IFREG | 0666, UID_OTHER },
	{ "rootdir", S_IFDIR | 0755, 0 },
	{ "rootdir/f", S_IFREG | 0644, 0 },
	{ "rootdir/sub", S_IFDIR | 0755, 0 },
	{ "opendir", S_IFDIR | 0777, 0 },
	{ "opendir/rootf", S_IFREG | 0644, 0 },
	{ "opendir/minef", S_IFREG | 0644, UID_A },
	{ "opendir/sub", S_IFDIR | 0755, 0 },
	{ "sticky", S_IFDIR | 01777, 0 },
	{ "sticky/rootf", S_IFREG | 0666, 0 },
	{ "sticky/minef", S_IFREG | 0644, UID_A },
	{ "sticky/sub", S_IFDIR | 0755, 0 },
	{ "closed", S_IFDIR | 0700, 0 },
	{ "closed/f", S_IFREG | 0644, 0 },
	{ "mydir", S_IFDIR | 0755, UID_A },
	{ "mydir/rootf", S_IFREG | 0644, 0 },
	{ "acl_deny", S_IFREG | 0644, 0, ACL_DENY_A },
	{ "acl_grant", S_IFREG | 0600, 0, ACL_GRANT_A },
	{ "acl_dir", S_IFDIR | 0755, 0, ACL_DIR_A },
	{ "dacl", S_IFDIR | 0777, 0, DACL_OPEN },
};

/* Build l, u, w, m below @dir with the lower objects above. */
static int build_layers(const char *dir)
{
	static const char *const layers[] = { "l", "u", "w", "m" };
	unsigned int i;
	int err;

	if (mkdir(dir, 0755))
		return errno;
	for (i = 0; i < 4; i++)
		if (mkdir(lfs_fmt("%s/%s", dir, layers[i]), 0755))
			return errno;
	for (i = 0; i < sizeof(lower_objs) / sizeof(lower_objs[0]); i++) {
		const struct pobj *o = &lower_objs[i];
		const char *p = lfs_fmt("%s/l/%s", dir, o->path);

		if (S_ISDIR(o->mode))
			err = mkdir(p, 0755) ? errno : 0;
		else
			err = lfs_write(p, o->path);
		if (!err && chown(p, o->uid, o->uid))
			err = errno;
		if (!err && chmod(p, o->mode & 07777))
			err = errno;
		if (!err && o->acl != NO_ACL)
			err = set_acl(p, o->acl);
		if (err)
			return err;
	}
	return 0;
}

struct prun {
	const struct pcase *c;
	char a[PATH_MAX], b[PATH_MAX];
};

/* Run the case's operation (in the child, after dropping privileges). */
static int do_op(const void *arg)
{
	const struct prun *r = arg;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd;
	DIR *d;

	switch (r->c->op) {
	case OP_READ:
	case OP_WRITE:
	case OP_OTRUNC:
		fd = open(r->a, r->c->op == OP_READ ? O_RDONLY :
			  r->c->op == OP_WRITE ? O_WRONLY :
			  O_WRONLY | O_TRUNC);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case OP_TRUNCATE:
		return WU_ERR(truncate(r->a, 0));
	case OP_LIST:
		d = opendir(r->a);
		if (!d)
			return errno;
		while (readdir(d))
			;
		closedir(d);
		return 0;
	case OP_UNLINK:
		return WU_ERR(unlink(r->a));
	case OP_RMDIR:
		return WU_ERR(rmdir(r->a));
	case OP_RENAME:
		return WU_ERR(rename(r->a, r->b));
	case OP_CHMOD:
		return WU_ERR(chmod(r->a, r->c->arg));
	case OP_CHOWN:
		return WU_ERR(chown(r->a, r->c->arg, r->c->arg));
	case OP_UTIMES_NOW:
		return WU_ERR(utimensat(AT_FDCWD, r->a, NULL, 0));
	case OP_UTIMES_SET:
		return WU_ERR(utimensat(AT_FDCWD, r->a, ts, 0));
	case OP_CREATE:
		fd = open(r->a, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case OP_MKDIR:
		return WU_ERR(mkdir(r->a, 0755));
	case OP_SYMLINK:
		return WU_ERR(symlink("target", r->a));
	case OP_LINK:
		return WU_ERR(link(r->a, r->b));
	case OP_SETXATTR:
		return WU_ERR(setxattr(r->a, r->c->arg ? "user.x" : "trusted.x",
				       "v", 1, 0));
	}
	return 255;
}

/*
 * Build a layer set in @where, mount it as @fstype, run case @c as @uid, and
 * return the errno (>= 250: the harness plumbing failed); *@upper gets a
 * dump of the upper layer afterwards.
 */
static int run_case(const char *where, const char *fstype,
		    const struct pcase *c, uid_t uid, char **upper)
{
	static struct prun r;
	char dir[PATH_MAX / 2], mnt[PATH_MAX / 2 + 8];
	int err;

	/* lfs_fmt() reuses its buffers: keep our own copy of the path. */
	snprintf(dir, sizeof(dir), "%s", where);
	*upper = NULL;
	if (build_layers(dir))
		return 250;
	snprintf(mnt, sizeof(mnt), "%s/m", dir);
	if (wu_mount_type(fstype, mnt, lfs_expand(dir,
			"lowerdir=$/l,upperdir=$/u,workdir=$/w")))
		return 251;
	r.c = c;
	snprintf(r.a, sizeof(r.a), "%s/%s", mnt, c->a);
	snprintf(r.b, sizeof(r.b), "%s/%s", mnt, c->b ? c->b : "");
	err = lfs_run_as(uid, do_op, &r);
	*upper = wu_dump_string(lfs_fmt("%s/u", dir), WU_RAW);
	if (umount(mnt))
		return 252;
	return err;
}

FIXTURE(perms) {
	char base[PATH_MAX];
};

FIXTURE_VARIANT(perms) {
	uid_t uid;
};

/* uid/gid 1000: owns the "mine" objects and the "mydir" directory. */
FIXTURE_VARIANT_ADD(perms, uid_1000) {
	.uid = UID_A,
};

/* uid/gid 65534 (nobody): owns nothing. */
FIXTURE_VARIANT_ADD(perms, nobody) {
	.uid = LFS_NOBODY,
};

FIXTURE_SETUP(perms)
{
	LFS_REQUIRE(return);
	if (!lfs_fs_available("overlay"))
		SKIP(return, "overlay is not in /proc/filesystems");
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
}

FIXTURE_TEARDOWN(perms)
{
	lfs_drop_base(self->base, NULL);
}

/* The whole table for this variant's uid; see the file header. */
TEST_F_TIMEOUT(perms, table_matches_overlay, 300)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < n; i++) {
		const struct pcase *c = &cases[i];
		int want = variant->uid == UID_A ? c->as_a : c->as_nobody;
		char *ul, *uo;
		int el, eo;

		el = run_case(lfs_fmt("%s/%u-lfs", self->base, i), lfs_fstype(),
			      c, variant->uid, &ul);
		eo = run_case(lfs_fmt("%s/%u-ovl", self->base, i), "overlay",
			      c, variant->uid, &uo);
		ASSERT_GT(250, el);
		ASSERT_GT(250, eo);
		if (el != eo)
			TH_LOG("case \"%s\": %s errno %d, overlay errno %d",
			       c->name, lfs_fstype(), el, eo);
		EXPECT_EQ(eo, el);
		if (want != ANY && eo != want)
			TH_LOG("case \"%s\": overlay errno %d, table %d",
			       c->name, eo, want);
		if (want != ANY)
			EXPECT_EQ(want, eo);
		if (strcmp(ul, uo))
			TH_LOG("case \"%s\": upper layers differ\n%s:%s\noverlay:%s",
			       c->name, lfs_fstype(), ul, uo);
		EXPECT_STREQ(uo, ul);
		free(ul);
		free(uo);
	}
}

TEST_HARNESS_MAIN
