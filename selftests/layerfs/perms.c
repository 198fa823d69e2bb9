// SPDX-License-Identifier: GPL-2.0
/*
 * perms.c - non-root callers get the same EACCES/EPERM answers through
 * layerfs as through the kernel's overlayfs.
 *
 * For each case of the table, two identical layer sets are built (lower
 * objects owned by root, by uid 1000 and by a third user, in groups root,
 * 1000 and 4321, with various modes, in plain, world-writable, sticky,
 * closed, group-writable and user-owned directories); one is mounted as
 * layerfs, the other as overlay (with
 * redirect_dir=off,index=off,metacopy=off,xino=off).  A child drops to the
 * variant's user and runs the case's single operation on each mount.  The
 * variants are the three classes of a mode: the owner (uid/gid 1000, who
 * owns the "mine" objects), a group member (uid 1001 with supplementary
 * group 1000, who owns nothing but is in the group of the "mine" and
 * "grp_" objects) and another user (65534, nobody).  The test proves, per
 * case:
 *   - layerfs returns the same errno as overlay;
 *   - that errno is the one the table expects (so a wrong assumption in the
 *     table, or an overlay difference between kernels, shows up too);
 *   - both upper layers are identical afterwards: a refused operation
 *     copied nothing up, an allowed one copied up the same objects with
 *     the same owner, mode and xattrs (ACLs included).
 * Some lower objects carry POSIX ACLs (set in the lower layer as the
 * system.posix_acl_* xattrs): an access ACL that denies uid 1000 what the
 * mode's group class allows, one that grants what the mode denies, one
 * that grants group 1000, and a default ACL on a directory, which replaces
 * the umask for new objects.
 * ACLs are also set and removed *through* the mount, by the owner and by
 * others (only the owner may: EPERM, even with write access to the file;
 * a default ACL on a file is EACCES for everyone), and set on setgid files
 * and directories of an owner who is not in their group, where a new
 * access ACL clears the setgid bit, as chmod does.
 * Every case runs even when an earlier one failed (EXPECT_*); a mismatch
 * logs the case name.
 *
 * The idmap fixture mounts both filesystems over an idmapped lower layer
 * (fs uid 2000 shown as 1000): owners and ACL entries must be the mapped
 * ones for permission checks, getfacl and copy-up, as stat() shows them.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define UID_A		1000	/* owner of the "mine" objects, group 1000 */
#define UID_G		1001	/* in group 1000, owns nothing */
#define UID_OTHER	4321	/* a third user, group 4321 */
#define ANY		-2	/* table: do not predict, only compare */

#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"

enum op {
	OP_READ, OP_WRITE, OP_OTRUNC, OP_TRUNCATE, OP_LIST, OP_UNLINK,
	OP_RMDIR, OP_RENAME, OP_CHMOD, OP_CHOWN, OP_UTIMES_NOW,
	OP_UTIMES_SET, OP_CREATE, OP_MKDIR, OP_SYMLINK, OP_LINK,
	OP_SETXATTR,
	OP_SETACL,	/* access ACL granting the caller read, then read */
	OP_SETACL_MIN,	/* access ACL of 3 entries: only a mode change */
	OP_SETACL_BAD,	/* access ACL of a malformed size */
	OP_RMACL,	/* removexattr(system.posix_acl_access) */
	OP_SETDACL,	/* default ACL rwx/r-x/--- */
	OP_RMDACL,	/* removexattr(system.posix_acl_default) */
	OP_GETACL,	/* getxattr(system.posix_acl_access) */
};

struct pcase {
	const char *name;
	enum op op;
	const char *a, *b;	/* paths relative to the mount point */
	long arg;		/* mode, uid (gid = uid), xattr name index */
	int as_a;		/* expected errno for uid 1000 (the owner) */
	int as_grp;		/* ... for uid 1001 (in group 1000) */
	int as_nobody;		/* ... for uid 65534 */
};

static const struct pcase cases[] = {
	{ "read 0644 root file", OP_READ, "pub", 0, 0, 0, 0, 0 },
	{ "read 0600 root file", OP_READ, "priv", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "read in 0700 root dir", OP_READ, "closed/f", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "list 0700 root dir", OP_LIST, "closed", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "read own 0644 file", OP_READ, "mine", 0, 0, 0, 0, 0 },
	{ "write 0644 root file", OP_WRITE, "pub", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "write 0600 root file", OP_WRITE, "priv", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "write own 0644 file", OP_WRITE, "mine", 0, 0, 0, EACCES, EACCES },
	{ "write own 0444 file", OP_WRITE, "mine_ro", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "write 0666 file of other", OP_WRITE, "other", 0, 0, 0, 0, 0 },
	{ "O_TRUNC 0644 root file", OP_OTRUNC, "pub", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "O_TRUNC 0666 file", OP_OTRUNC, "other", 0, 0, 0, 0, 0 },
	{ "truncate 0644 root file", OP_TRUNCATE, "pub", 0, 0, EACCES, EACCES,
	  EACCES },
	{ "truncate own file", OP_TRUNCATE, "mine", 0, 0, 0, EACCES, EACCES },
	{ "unlink in root 0755 top dir", OP_UNLINK, "pub", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "unlink in root 0755 dir", OP_UNLINK, "rootdir/f", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "unlink in 0777 dir", OP_UNLINK, "opendir/rootf", 0, 0, 0, 0, 0 },
	{ "unlink other's in sticky", OP_UNLINK, "sticky/rootf", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "unlink own in sticky", OP_UNLINK, "sticky/minef", 0, 0, 0, EPERM,
	  EPERM },
	{ "unlink in own 0755 dir", OP_UNLINK, "mydir/rootf", 0, 0, 0, EACCES,
	  EACCES },
	{ "unlink in 0700 root dir", OP_UNLINK, "closed/f", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "rmdir in 0777 dir", OP_RMDIR, "opendir/sub", 0, 0, 0, 0, 0 },
	{ "rmdir other's in sticky", OP_RMDIR, "sticky/sub", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "rmdir in root 0755 dir", OP_RMDIR, "rootdir/sub", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "rename in 0777 dir", OP_RENAME, "opendir/rootf", "opendir/x", 0, 0,
	  0, 0 },
	{ "rename in root 0755 dir", OP_RENAME, "rootdir/f", "rootdir/g", 0,
	  EACCES, EACCES, EACCES },
	{ "rename other's in sticky", OP_RENAME, "sticky/rootf", "sticky/y",
	  0, EPERM, EPERM, EPERM },
	{ "rename own in sticky", OP_RENAME, "sticky/minef", "sticky/y", 0,
	  0, EPERM, EPERM },
	{ "rename into own dir", OP_RENAME, "opendir/minef", "mydir/x", 0, 0,
	  EACCES, EACCES },
	{ "rename out of root dir", OP_RENAME, "mine", "opendir/x", 0, EACCES,
	  EACCES, EACCES },
	{ "rename over root file", OP_RENAME, "opendir/minef",
	  "opendir/rootf", 0, 0, 0, 0 },
	{ "chmod own file", OP_CHMOD, "mine", 0, 0600, 0, EPERM, EPERM },
	{ "chmod root file", OP_CHMOD, "pub", 0, 0666, EPERM, EPERM, EPERM },
	{ "chmod 0666 file of other", OP_CHMOD, "other", 0, 0600, EPERM,
	  EPERM, EPERM },
	{ "chmod own dir", OP_CHMOD, "mydir", 0, 0700, 0, EPERM, EPERM },
	{ "chown own file to root", OP_CHOWN, "mine", 0, 0, EPERM, EPERM,
	  EPERM },
	{ "chown own file to own ids", OP_CHOWN, "mine", 0, UID_A, 0, EPERM,
	  EPERM },
	{ "utimes now, 0666 file", OP_UTIMES_NOW, "other", 0, 0, 0, 0, 0 },
	{ "utimes now, 0644 root file", OP_UTIMES_NOW, "pub", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "utimes set, 0666 file", OP_UTIMES_SET, "other", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "utimes set, own file", OP_UTIMES_SET, "mine", 0, 0, 0, EPERM,
	  EPERM },
	{ "create in 0777 dir", OP_CREATE, "opendir/new", 0, 0, 0, 0, 0 },
	{ "create in root 0755 dir", OP_CREATE, "rootdir/new", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "create in 0700 root dir", OP_CREATE, "closed/new", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "create in own dir", OP_CREATE, "mydir/new", 0, 0, 0, EACCES,
	  EACCES },
	{ "mkdir in 0777 dir", OP_MKDIR, "opendir/nd", 0, 0, 0, 0, 0 },
	{ "mkdir in root 0755 dir", OP_MKDIR, "rootdir/nd", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "symlink in sticky dir", OP_SYMLINK, "sticky/sl", 0, 0, 0, 0, 0 },
	{ "symlink in root 0755 dir", OP_SYMLINK, "rootdir/sl", 0, 0, EACCES,
	  EACCES, EACCES },
	/* fs.protected_hardlinks decides for who owns neither file nor dir */
	{ "link own file into 0777 dir", OP_LINK, "mine", "opendir/l", 0, 0,
	  ANY, ANY },
	{ "link root file into 0777 dir", OP_LINK, "pub", "opendir/l", 0, ANY,
	  ANY, ANY },
	{ "link into root 0755 dir", OP_LINK, "opendir/minef", "rootdir/l", 0,
	  EACCES, ANY, ANY },
	{ "setxattr trusted.* own file", OP_SETXATTR, "mine", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "setxattr user.* own file", OP_SETXATTR, "mine", 0, 1, ANY, ANY,
	  ANY },
	{ "setxattr user.* root file", OP_SETXATTR, "pub", 0, 1, ANY, ANY,
	  ANY },
	/* the group class of the mode */
	{ "read 0660 root:1000 file", OP_READ, "grp_rw", 0, 0, 0, 0, EACCES },
	{ "write 0660 root:1000 file", OP_WRITE, "grp_rw", 0, 0, 0, 0,
	  EACCES },
	{ "read 0604 root:1000 file", OP_READ, "grp_deny", 0, 0, EACCES,
	  EACCES, 0 },
	{ "create in 0770 root:1000 dir", OP_CREATE, "grp_dir/new", 0, 0, 0,
	  0, EACCES },
	/* ACLs in the lower layer, enforced */
	{ "read, ACL denies uid 1000", OP_READ, "acl_deny", 0, 0, EACCES, 0,
	  0 },
	{ "read, ACL grants uid 1000", OP_READ, "acl_grant", 0, 0, 0, EACCES,
	  EACCES },
	{ "write, ACL grants uid 1000", OP_WRITE, "acl_grant", 0, 0, 0,
	  EACCES, EACCES },
	{ "read, ACL grants group 1000", OP_READ, "acl_grp", 0, 0, 0, 0,
	  EACCES },
	{ "create, dir ACL grants uid 1000", OP_CREATE, "acl_dir/new", 0, 0, 0,
	  EACCES, EACCES },
	{ "create under a default ACL", OP_CREATE, "dacl/new", 0, 0, 0, 0, 0 },
	{ "mkdir under a default ACL", OP_MKDIR, "dacl/nd", 0, 0, 0, 0, 0 },
	/* ACLs set and removed through the mount: the owner only */
	{ "setacl 0600 root file, then read", OP_SETACL, "secret", 0, 0,
	  EPERM, EPERM, EPERM },
	{ "setacl own file, then read", OP_SETACL, "mine", 0, 0, 0, EPERM,
	  EPERM },
	{ "setacl 0666 file of other", OP_SETACL, "other", 0, 0, EPERM, EPERM,
	  EPERM },
	{ "setacl 0660 root:1000 file", OP_SETACL, "grp_rw", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "setacl 0777 root dir", OP_SETACL, "opendir", 0, 0, EPERM, EPERM,
	  EPERM },
	{ "removeacl root file", OP_RMACL, "acl_grant", 0, 0, EPERM, EPERM,
	  EPERM },
	{ "removeacl own file", OP_RMACL, "mine_acl", 0, 0, 0, EPERM, EPERM },
	{ "removeacl own file without one", OP_RMACL, "mine", 0, 0, ENODATA,
	  EPERM, EPERM },
	{ "set default ACL on own file", OP_SETDACL, "mine", 0, 0, EACCES,
	  EACCES, EACCES },
	{ "remove default ACL of root file", OP_RMDACL, "pub", 0, 0, 0, 0,
	  0 },
	{ "set default ACL on own dir", OP_SETDACL, "mydir", 0, 0, 0, EPERM,
	  EPERM },
	{ "set default ACL on root dir", OP_SETDACL, "rootdir", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "remove default ACL of root dir", OP_RMDACL, "dacl", 0, 0, EPERM,
	  EPERM, EPERM },
	{ "set malformed ACL on root file", OP_SETACL_BAD, "secret", 0, 0,
	  EINVAL, EINVAL, EINVAL },
	{ "set malformed ACL on own file", OP_SETACL_BAD, "mine", 0, 0,
	  EINVAL, EINVAL, EINVAL },
	{ "getacl root file", OP_GETACL, "acl_grant", 0, 0, 0, 0, 0 },
	/* setgid: cleared when an owner outside the group changes the mode */
	{ "setacl own setgid file, not in group", OP_SETACL, "sgid_f", 0, 0,
	  0, EPERM, EPERM },
	{ "setacl (mode only) own setgid file", OP_SETACL_MIN, "sgid_f", 0, 0,
	  0, EPERM, EPERM },
	{ "setacl own setgid file, in group", OP_SETACL, "sgid_g", 0, 0, 0,
	  EPERM, EPERM },
	{ "removeacl own setgid file", OP_RMACL, "sgid_acl", 0, 0, 0, EPERM,
	  EPERM },
	{ "setacl own setgid dir, not in group", OP_SETACL, "sgid_dir", 0, 0,
	  0, EPERM, EPERM },
	{ "chmod own setgid file, not in group", OP_CHMOD, "sgid_f", 0, 02750,
	  0, EPERM, EPERM },
	{ "chmod own setgid file, in group", OP_CHMOD, "sgid_g", 0, 02750, 0,
	  EPERM, EPERM },
	{ "chmod g+s own file, not in group", OP_CHMOD, "mine_og", 0, 02755,
	  0, EPERM, EPERM },
};

/* POSIX ACLs of lower objects, as setfacl(1) would write them. */
enum acl_kind {
	NO_ACL, ACL_DENY_A, ACL_GRANT_A, ACL_DIR_A, DACL_OPEN, ACL_GRANT_GRP,
	ACL_OTHER_R,
};

#define A_USER_OBJ	WU_ACL_USER_OBJ
#define A_USER		WU_ACL_USER
#define A_GROUP_OBJ	WU_ACL_GROUP_OBJ
#define A_GROUP		0x08
#define A_MASK		WU_ACL_MASK
#define A_OTHER		WU_ACL_OTHER
#define A_NO_ID		WU_ACL_NO_ID

struct acl_spec {
	const char *xattr;	/* system.posix_acl_access or _default */
	unsigned int n;
	struct wu_acl_entry e[5];
};

static const struct acl_spec acl_specs[] = {
	[ACL_DENY_A] = { ACL_ACCESS, 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 0, UID_A },
		{ A_GROUP_OBJ, 4, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 4, A_NO_ID } } },
	[ACL_GRANT_A] = { ACL_ACCESS, 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 6, UID_A },
		{ A_GROUP_OBJ, 0, A_NO_ID }, { A_MASK, 6, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID } } },
	[ACL_DIR_A] = { ACL_ACCESS, 5, {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_USER, 7, UID_A },
		{ A_GROUP_OBJ, 5, A_NO_ID }, { A_MASK, 7, A_NO_ID },
		{ A_OTHER, 5, A_NO_ID } } },
	[DACL_OPEN] = { ACL_DEFAULT, 3, {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_GROUP_OBJ, 7, A_NO_ID },
		{ A_OTHER, 7, A_NO_ID } } },
	[ACL_GRANT_GRP] = { ACL_ACCESS, 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_GROUP_OBJ, 0, A_NO_ID },
		{ A_GROUP, 6, UID_A }, { A_MASK, 6, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID } } },
	[ACL_OTHER_R] = { ACL_ACCESS, 5, {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 4, UID_OTHER },
		{ A_GROUP_OBJ, 4, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID } } },
};

static int set_acl(const char *path, enum acl_kind kind)
{
	const struct acl_spec *a = &acl_specs[kind];

	return wu_set_acl(path, a->xattr, a->e, a->n);
}

/* One lower object: path, mode (with type), owner, group, ACL. */
struct pobj {
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	enum acl_kind acl;
};

static const struct pobj lower_objs[] = {
	{ "pub", S_IFREG | 0644, 0, 0 },
	{ "priv", S_IFREG | 0600, 0, 0 },
	{ "secret", S_IFREG | 0600, 0, 0 },
	{ "mine", S_IFREG | 0644, UID_A, UID_A },
	{ "mine_ro", S_IFREG | 0444, UID_A, UID_A },
	{ "mine_og", S_IFREG | 0644, UID_A, UID_OTHER },
	{ "other", S_IFREG | 0666, UID_OTHER, UID_OTHER },
	{ "rootdir", S_IFDIR | 0755, 0, 0 },
	{ "rootdir/f", S_IFREG | 0644, 0, 0 },
	{ "rootdir/sub", S_IFDIR | 0755, 0, 0 },
	{ "opendir", S_IFDIR | 0777, 0, 0 },
	{ "opendir/rootf", S_IFREG | 0644, 0, 0 },
	{ "opendir/minef", S_IFREG | 0644, UID_A, UID_A },
	{ "opendir/sub", S_IFDIR | 0755, 0, 0 },
	{ "sticky", S_IFDIR | 01777, 0, 0 },
	{ "sticky/rootf", S_IFREG | 0666, 0, 0 },
	{ "sticky/minef", S_IFREG | 0644, UID_A, UID_A },
	{ "sticky/sub", S_IFDIR | 0755, 0, 0 },
	{ "closed", S_IFDIR | 0700, 0, 0 },
	{ "closed/f", S_IFREG | 0644, 0, 0 },
	{ "mydir", S_IFDIR | 0755, UID_A, UID_A },
	{ "mydir/rootf", S_IFREG | 0644, 0, 0 },
	{ "grp_rw", S_IFREG | 0660, 0, UID_A },
	{ "grp_deny", S_IFREG | 0604, 0, UID_A },
	{ "grp_dir", S_IFDIR | 0770, 0, UID_A },
	{ "acl_deny", S_IFREG | 0644, 0, 0, ACL_DENY_A },
	{ "acl_grant", S_IFREG | 0600, 0, 0, ACL_GRANT_A },
	{ "acl_grp", S_IFREG | 0660, 0, 0, ACL_GRANT_GRP },
	{ "acl_dir", S_IFDIR | 0755, 0, 0, ACL_DIR_A },
	{ "dacl", S_IFDIR | 0777, 0, 0, DACL_OPEN },
	{ "mine_acl", S_IFREG | 0640, UID_A, UID_A, ACL_OTHER_R },
	{ "sgid_f", S_IFREG | 02755, UID_A, UID_OTHER },
	{ "sgid_g", S_IFREG | 02755, UID_A, UID_A },
	{ "sgid_acl", S_IFREG | 02750, UID_A, UID_OTHER, ACL_OTHER_R },
	{ "sgid_dir", S_IFDIR | 02775, UID_A, UID_OTHER },
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
		if (!err && chown(p, o->uid, o->gid))
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
	/* read for the caller, by name: what an attacker would grant itself */
	const struct wu_acl_entry grant[5] = {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 4, getuid() },
		{ A_GROUP_OBJ, 0, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	const struct wu_acl_entry mode_only[3] = {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_GROUP_OBJ, 5, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	char buf[256];
	int fd, err;
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
	case OP_SETACL:
		err = wu_set_acl(r->a, ACL_ACCESS, grant, 5);
		if (err)
			return err;
		fd = open(r->a, O_RDONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case OP_SETACL_MIN:
		return wu_set_acl(r->a, ACL_ACCESS, mode_only, 3);
	case OP_SETACL_BAD:
		/* a version header and a part of an entry */
		return WU_ERR(setxattr(r->a, ACL_ACCESS, "\2\0\0\0\1\0\6", 7, 0));
	case OP_RMACL:
		return WU_ERR(removexattr(r->a, ACL_ACCESS));
	case OP_SETDACL:
		return wu_set_acl(r->a, ACL_DEFAULT, mode_only, 3);
	case OP_RMDACL:
		return WU_ERR(removexattr(r->a, ACL_DEFAULT));
	case OP_GETACL:
		return getxattr(r->a, ACL_ACCESS, buf, sizeof(buf)) > 0 ? 0 :
		       errno ?: EIO;
	}
	return 255;
}

/* A user of the matrix: uid, primary gid and at most one other group. */
struct who {
	uid_t uid;
	gid_t gid;
	gid_t supp;		/* 0: no supplementary group */
};

struct as_who {
	const struct who *w;
	int (*fn)(const void *arg);
	const void *arg;
};

/* In the child: become @w (all ids, so no capability is left), run @fn. */
static int as_who_trampoline(const void *p)
{
	const struct as_who *a = p;
	gid_t g = a->w->supp;

	if (setgroups(g ? 1 : 0, &g) || setresgid(a->w->gid, a->w->gid,
						  a->w->gid) ||
	    setresuid(a->w->uid, a->w->uid, a->w->uid))
		return 253;
	return a->fn(a->arg);
}

/* Run @fn(@arg) in a child that has become @w: its 0/errno (>= 250: failed). */
static int run_as_who(const struct who *w, int (*fn)(const void *arg),
		      const void *arg)
{
	struct as_who a = { w, fn, arg };

	return lfs_in_child(as_who_trampoline, &a);
}

/*
 * Build a layer set in @where, mount it as @fstype, run case @c as @w, and
 * return the errno (>= 250: the harness plumbing failed); *@upper gets a
 * dump of the upper layer afterwards.
 */
static int run_case(const char *where, const char *fstype,
		    const struct pcase *c, const struct who *w, char **upper)
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
	err = run_as_who(w, do_op, &r);
	*upper = wu_dump_string(lfs_fmt("%s/u", dir), WU_RAW);
	if (umount(mnt))
		return 252;
	return err;
}

FIXTURE(perms) {
	char base[PATH_MAX];
};

FIXTURE_VARIANT(perms) {
	struct who who;
	int column;		/* 0: as_a, 1: as_grp, 2: as_nobody */
};

/* uid/gid 1000: owns the "mine" objects and the "mydir" directory. */
FIXTURE_VARIANT_ADD(perms, uid_1000) {
	.who = { UID_A, UID_A, 0 },
	.column = 0,
};

/* uid/gid 1001, also in group 1000: the group class of "mine", "grp_*". */
FIXTURE_VARIANT_ADD(perms, group_1000) {
	.who = { UID_G, UID_G, UID_A },
	.column = 1,
};

/* uid/gid 65534 (nobody): owns nothing, in no group of the objects. */
FIXTURE_VARIANT_ADD(perms, nobody) {
	.who = { LFS_NOBODY, LFS_NOBODY, 0 },
	.column = 2,
};

FIXTURE_SETUP(perms)
{
	LFS_SETUP_VS_OVERLAY(self->base, 022);
}

FIXTURE_TEARDOWN(perms)
{
	lfs_drop_base(self->base, NULL);
}

/* The whole table for this variant's user; see the file header. */
TEST_F_TIMEOUT(perms, table_matches_overlay, 600)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < n; i++) {
		const struct pcase *c = &cases[i];
		const int wants[] = { c->as_a, c->as_grp, c->as_nobody };
		int want = wants[variant->column];
		char *ul, *uo;
		int el, eo;

		el = run_case(lfs_fmt("%s/%u-lfs", self->base, i), lfs_fstype(),
			      c, &variant->who, &ul);
		eo = run_case(lfs_fmt("%s/%u-ovl", self->base, i), "overlay",
			      c, &variant->who, &uo);
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

/* ---- an idmapped lower layer -------------------------------------------- */

/* Owner in the lower filesystem of what the mount shows as uid 1000. */
#define FS_UID		2000

FIXTURE(idmap) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(idmap)
{
	/* tmpfs has idmapped mounts since 6.3 only; ext4 on 6.1 as well */
	LFS_REQUIRE_REALFS(return, "ext4");
	LFS_SETUP_VS_OVERLAY(self->base, 022);
}

FIXTURE_TEARDOWN(idmap)
{
	LFS_DROP_BASE(self->base, "lfs/m", "ovl/m", "idm", "e4");
}

static int open_read(const void *arg)
{
	int fd = open(arg, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int chmod_0640(const void *arg)
{
	return WU_ERR(chmod(arg, 0640));
}

/* The steps on one mount of the idmapped lower, as a transcript. */
static char *idmap_steps(const char *dir)
{
	static const struct who owner = { UID_A, UID_A, 0 };
	static const struct who member = { UID_G, UID_G, UID_A };
	struct wu_dump t = { 0 };
	char m[PATH_MAX];
	struct stat st;
	char *upper;

	snprintf(m, sizeof(m), "%s/m", dir);
	wu_dump_add(&t, "\n");
	if (stat(lfs_fmt("%s/f", m), &st))
		wu_dump_add(&t, "stat f: errno %d\n", errno);
	else
		wu_dump_add(&t, "stat f: %u:%u\n", st.st_uid, st.st_gid);
	wu_dump_add(&t, "owner reads f: %d\n",
		    run_as_who(&owner, open_read, lfs_fmt("%s/f", m)));
	wu_dump_add(&t, "member reads f: %d\n",
		    run_as_who(&member, open_read, lfs_fmt("%s/f", m)));
	wu_dump_add(&t, "uid 1000 reads g (ACL user): %d\n",
		    run_as_who(&owner, open_read, lfs_fmt("%s/g", m)));
	wu_dump_add(&t, "group 1000 reads gg (ACL group): %d\n",
		    run_as_who(&member, open_read, lfs_fmt("%s/gg", m)));
	wu_dump_add(&t, "owner reads d/x: %d\n",
		    run_as_who(&owner, open_read, lfs_fmt("%s/d/x", m)));
	wu_dump_add(&t, "getfacl g:");
	wu_dump_xattr(&t, lfs_fmt("%s/g", m), ACL_ACCESS);
	wu_dump_add(&t, "\ngetfacl gg:");
	wu_dump_xattr(&t, lfs_fmt("%s/gg", m), ACL_ACCESS);
	wu_dump_add(&t, "\nowner chmods f: %d\n",
		    run_as_who(&owner, chmod_0640, lfs_fmt("%s/f", m)));
	wu_dump_add(&t, "member chmods gg: %d\n",
		    run_as_who(&member, chmod_0640, lfs_fmt("%s/gg", m)));
	/* root copies g and gg up: their ACLs must name the mapped ids */
	wu_dump_add(&t, "touch g gg: %d %d\n",
		    WU_ERR(utimensat(AT_FDCWD, lfs_fmt("%s/g", m), NULL, 0)),
		    WU_ERR(utimensat(AT_FDCWD, lfs_fmt("%s/gg", m), NULL, 0)));
	upper = wu_dump_string(lfs_fmt("%s/u", dir), WU_RAW);
	wu_dump_add(&t, "upper:%s", upper);
	free(upper);
	return t.s;
}

/*
 * A lower layer on an idmapped mount (fs uid/gid 2000 shown as 1000): the
 * layerfs inode's owner and the ACL entries used for permission checks,
 * getfacl and copy-up are the mapped ones, as stat() shows them, and as
 * overlayfs has them (ovl_copyattr(), ovl_get_acl()).  The lower is ext4,
 * because tmpfs allows idmapped mounts only since 6.3.
 */
TEST_F_TIMEOUT(idmap, owner_and_acls_mapped_like_overlay, 300)
{
	static const struct wu_acl_entry user_acl[5] = {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 4, FS_UID },
		{ A_GROUP_OBJ, 0, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	static const struct wu_acl_entry group_acl[5] = {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_GROUP_OBJ, 0, A_NO_ID },
		{ A_GROUP, 4, FS_UID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	static const char *const fs[] = { "lfs", "ovl" };
	static const char *const opts[] = {
		"lowerdir=$/idm,upperdir=$/lfs/u,workdir=$/lfs/w",
		"lowerdir=$/idm,upperdir=$/ovl/u,workdir=$/ovl/w",
	};
	const char *b = self->base;
	char *tl, *to;
	int err, i;

	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, lfs_fmt("%s/e4.img", b),
				 lfs_fmt("%s/e4", b), ""));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/e4/src", b), 0755));
	ASSERT_EQ(0, lfs_write_mode(lfs_fmt("%s/e4/src/f", b), "f", 0600));
	ASSERT_EQ(0, chown(lfs_fmt("%s/e4/src/f", b), FS_UID, FS_UID));
	ASSERT_EQ(0, lfs_write_mode(lfs_fmt("%s/e4/src/g", b), "g", 0600));
	ASSERT_EQ(0, wu_set_acl(lfs_fmt("%s/e4/src/g", b), ACL_ACCESS,
				user_acl, 5));
	ASSERT_EQ(0, lfs_write_mode(lfs_fmt("%s/e4/src/gg", b), "gg", 0600));
	ASSERT_EQ(0, chown(lfs_fmt("%s/e4/src/gg", b), FS_UID, 0));
	ASSERT_EQ(0, wu_set_acl(lfs_fmt("%s/e4/src/gg", b), ACL_ACCESS,
				group_acl, 5));
	ASSERT_EQ(0, mkdir(lfs_fmt("%s/e4/src/d", b), 0700));
	ASSERT_EQ(0, chown(lfs_fmt("%s/e4/src/d", b), FS_UID, FS_UID));
	ASSERT_EQ(0, lfs_write_mode(lfs_fmt("%s/e4/src/d/x", b), "x", 0600));
	ASSERT_EQ(0, chown(lfs_fmt("%s/e4/src/d/x", b), FS_UID, FS_UID));

	err = lfs_idmapped_mount(lfs_fmt("%s/e4/src", b), lfs_fmt("%s/idm", b));
	if (err)
		SKIP(return, "idmapped mount of ext4: %s", strerror(err));
	/* Premise: the idmapped mount shows fs uid 2000 as 1000. */
	ASSERT_EQ(UID_A, wu_lstat(lfs_fmt("%s/idm/f", b)).st_uid);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/%s", b, fs[i]), 0755));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/%s/u", b, fs[i]), 0755));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/%s/w", b, fs[i]), 0755));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/%s/m", b, fs[i]), 0755));
		ASSERT_EQ(0, wu_mount_type(i ? "overlay" : lfs_fstype(),
					   lfs_fmt("%s/%s/m", b, fs[i]),
					   lfs_expand(b, opts[i])));
	}

	tl = idmap_steps(lfs_fmt("%s/lfs", b));
	to = idmap_steps(lfs_fmt("%s/ovl", b));
	if (strcmp(tl, to))
		TH_LOG("%s:%s\noverlay:%s", lfs_fstype(), tl, to);
	EXPECT_STREQ(to, tl);
	/* What overlayfs answers, pinned. */
	EXPECT_NE(NULL, strstr(to, "\nstat f: 1000:1000\n"));
	EXPECT_NE(NULL, strstr(to, "\nowner reads f: 0\n"));
	EXPECT_NE(NULL, strstr(to, "\nmember reads f: 13\n"));
	EXPECT_NE(NULL, strstr(to, "\nuid 1000 reads g (ACL user): 0\n"));
	EXPECT_NE(NULL, strstr(to, "\ngroup 1000 reads gg (ACL group): 0\n"));
	EXPECT_NE(NULL, strstr(to, "\nowner chmods f: 0\n"));
	EXPECT_NE(NULL, strstr(to, "\nmember chmods gg: 1\n"));
	free(tl);
	free(to);
}

TEST_HARNESS_MAIN
