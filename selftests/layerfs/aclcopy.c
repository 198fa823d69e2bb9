// SPDX-License-Identifier: GPL-2.0
/*
 * aclcopy.c - POSIX ACLs on their way into the upper layer, on real ext4
 * filesystems made in the VM by lfs_make_fs() (layerfs_util.h) and a btrfs,
 * side by side with overlayfs.
 *
 * aclcopy.noacl_upper: an ACL restricts what the mode allows (a user of the
 * file's group denied by name).  When the upper filesystem cannot store
 * ACLs, a copy-up must fail, as overlayfs's does since 6.2 (ovl_copy_xattr():
 * ACLs and security.* "must be copied"), and not make the file readable by
 * dropping the ACL, as 6.1's overlayfs does (overlay_keeps_acls(): layerfs
 * differs there).  Other copy-ups on that upper still work.  The upper is
 * a btrfs mounted -o noacl (made here with mkfs.btrfs, which scripts/vm.sh
 * copies into the VM for a test naming it): the ext4 of Debian's 6.1 and
 * 6.12 has no "noacl" (EINVAL), and xfs and tmpfs cannot turn ACLs off,
 * while btrfs still stores trusted.* xattrs and whiteouts and does
 * RENAME_EXCHANGE and RENAME_WHITEOUT, as an upper of either must.
 *
 * inherit.over_whiteout: creating over a whiteout builds the object in work/
 * and gives it the ACLs the upper parent's default ACL passes on.  Those
 * are filesystem ACLs: on an idmapped upper they must not be mapped once
 * more, and the parent's own default ACL (cached and shared by the
 * filesystem) must not change.  The upper is an idmapped mount (fs uid/gid
 * 2000 shown as 1000) in the "idmap" variant, a plain one in "plain".
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#include <grp.h>
#include <sys/utsname.h>
#include <sys/xattr.h>

#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"
#define A_USER_OBJ	WU_ACL_USER_OBJ
#define A_USER		WU_ACL_USER
#define A_GROUP_OBJ	WU_ACL_GROUP_OBJ
#define A_GROUP		0x08	/* ACL_GROUP */
#define A_MASK		WU_ACL_MASK
#define A_OTHER		WU_ACL_OTHER
#define A_NO_ID		WU_ACL_NO_ID

#define ALICE		1000
#define EVE		1001
#define STAFF		100

static const char *const fstypes[] = { "layerfs", "overlay" };

/* A user @uid, primary group @uid, also in group STAFF. */
struct as_user {
	uid_t uid;
	int (*fn)(const void *arg);
	const void *arg;
};

static int as_user_trampoline(const void *p)
{
	const struct as_user *a = p;
	gid_t staff = STAFF;

	if (setgroups(1, &staff) || setresgid(a->uid, a->uid, a->uid) ||
	    setresuid(a->uid, a->uid, a->uid))
		return 255;
	return a->fn(a->arg);
}

static int run_as(uid_t uid, int (*fn)(const void *arg), const void *arg)
{
	struct as_user a = { uid, fn, arg };

	return lfs_in_child(as_user_trampoline, &a);
}

static int open_read(const void *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Open for appending (a copy-up), write nothing.  0 or errno. */
static int open_append(const void *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

FIXTURE(aclcopy) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(aclcopy)
{
	LFS_REQUIRE_REALFS(return, "ext4");
	LFS_SETUP_VS_OVERLAY(self->base, 022);
}

FIXTURE_TEARDOWN(aclcopy)
{
	LFS_DROP_BASE(self->base, "m-layerfs", "m-overlay", "lo", "up");
}

#define B(rel)		lfs_fmt("%s/%s", self->base, rel)

/* The steps of noacl_upper on merged directory @m, as a transcript. */
static char *noacl_steps(const char *m)
{
	struct wu_dump t = { 0 };
	char f[PATH_MAX + 64], d[PATH_MAX + 64], p[PATH_MAX + 64];

	snprintf(f, sizeof(f), "%s/f", m);
	snprintf(d, sizeof(d), "%s/d/new", m);
	snprintf(p, sizeof(p), "%s/plain", m);
	wu_dump_add(&t, "eve reads f: %d\n", run_as(EVE, open_read, f));
	wu_dump_add(&t, "alice appends f: %d\n", run_as(ALICE, open_append, f));
	wu_dump_add(&t, "eve reads f: %d\n", run_as(EVE, open_read, f));
	wu_dump_add(&t, "root chmods f: %d\n", WU_ERR(chmod(f, 0640)));
	wu_dump_add(&t, "eve reads f: %d\n", run_as(EVE, open_read, f));
	wu_dump_add(&t, "create d/new: %d\n", lfs_write(d, "new"));
	wu_dump_add(&t, "append plain: %d\n", open_append(p));
	return t.s;
}

/* Image size of the btrfs (sparse): mkfs.btrfs wants 114 MiB at least. */
#define BTRFS_MIB	128

/* A btrfs in @img, loop-mounted on @mnt with @opts.  0 or errno. */
static int make_btrfs(const char *img, const char *mnt, const char *opts)
{
	const char *const argv[] = { "mkfs.btrfs", "-q", "-f", img, NULL };

	return lfs_mkfs_and_mount(argv, "btrfs", img, mnt, BTRFS_MIB, opts);
}

/* noacl_steps() when the copy-ups of f and d fail with EOPNOTSUPP. */
static const char noacl_fails[] =
	"eve reads f: 13\nalice appends f: 95\neve reads f: 13\n"
	"root chmods f: 95\neve reads f: 13\ncreate d/new: 95\n"
	"append plain: 0\n";
/* noacl_steps() when they drop the ACLs: eve reads f once it is copied. */
static const char noacl_drops[] =
	"eve reads f: 13\nalice appends f: 0\neve reads f: 0\n"
	"root chmods f: 0\neve reads f: 0\ncreate d/new: 0\n"
	"append plain: 0\n";

/*
 * Does the running kernel's overlayfs fail a copy-up that would lose a
 * POSIX ACL?  Since 6.2 it does: ovl_copy_xattr() copies ACLs with
 * ovl_copy_acl() and stops at any error ("POSIX ACLs must be copied").
 * 6.1's drops them with the xattrs the upper cannot store:
 * ovl_must_copy_xattr() compares the full name "system.posix_acl_access"
 * with XATTR_POSIX_ACL_ACCESS, which is "posix_acl_access" without the
 * prefix, so an ACL never counts as one that must be copied (security.*
 * still does).  Read from uname(2).
 */
static bool overlay_keeps_acls(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 2);
}

/*
 * Lower ext4 with ACLs, upper btrfs -o noacl: a copy-up that would lose an
 * access ACL (f) or a default ACL (d) fails with EOPNOTSUPP, as in
 * overlayfs since 6.2, so eve, denied by the ACL, still cannot read f.  A
 * file without ACLs (plain) is copied up.  layerfs differs from 6.1's
 * overlayfs, which drops the ACLs (overlay_keeps_acls()) and so lets eve
 * read f after any copy-up: pinned for both.
 */
TEST_F_TIMEOUT(aclcopy, noacl_upper, 300)
{
	static const struct wu_acl_entry deny_eve[5] = {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 0, EVE },
		{ A_GROUP_OBJ, 4, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	char *t[2];
	bool keeps;
	int i;

	if (!lfs_fs_available("btrfs"))
		lfs_load_module("btrfs");
	if (!lfs_fs_available("btrfs"))
		SKIP(return, "btrfs is not in /proc/filesystems");
	if (!lfs_have_tool("mkfs.btrfs"))
		SKIP(return, "mkfs.btrfs is not installed");
	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, B("lo.img"), B("lo"), "acl"));
	ASSERT_EQ(0, make_btrfs(B("up.img"), B("up"), "noacl"));
	ASSERT_EQ(0, lfs_write_mode(B("lo/f"), "secret", 0640));
	ASSERT_EQ(0, chown(B("lo/f"), ALICE, STAFF));
	ASSERT_EQ(0, wu_set_acl(B("lo/f"), ACL_ACCESS, deny_eve, 5));
	ASSERT_EQ(0, mkdir(B("lo/d"), 0755));
	ASSERT_EQ(0, wu_set_acl(B("lo/d"), ACL_DEFAULT, deny_eve, 5));
	ASSERT_EQ(0, lfs_write(B("lo/plain"), "plain"));
	/* Premise: the upper cannot store an ACL. */
	ASSERT_EQ(0, lfs_write(B("up/probe"), ""));
	ASSERT_EQ(EOPNOTSUPP, wu_set_acl(B("up/probe"), ACL_ACCESS,
					 deny_eve, 5));

	for (i = 0; i < 2; i++) {
		char m[PATH_MAX + 32];

		snprintf(m, sizeof(m), "%s/m-%s", self->base, fstypes[i]);
		ASSERT_EQ(0, mkdir(m, 0755));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/up/%s-u", self->base, fstypes[i]),
				   0755));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/up/%s-w", self->base, fstypes[i]),
				   0755));
		ASSERT_EQ(0, wu_mount_type(i ? "overlay" : lfs_fstype(), m,
			lfs_fmt("lowerdir=%s/lo,upperdir=%s/up/%s-u,workdir=%s/up/%s-w",
				self->base, self->base, fstypes[i], self->base,
				fstypes[i])));
		t[i] = noacl_steps(m);
		ASSERT_EQ(0, umount(m));
	}
	/* layerfs: the copy-ups of f and d fail, on every kernel. */
	EXPECT_STREQ(noacl_fails, t[0]);
	/* overlayfs: the same since 6.2; 6.1's drops the ACLs. */
	keeps = overlay_keeps_acls();
	if (strcmp(t[0], t[1]))
		TH_LOG("layerfs:\n%soverlay (%s):\n%s", t[0],
		       keeps ? "expected the same" : "6.1, drops the ACLs", t[1]);
	EXPECT_STREQ(keeps ? noacl_fails : noacl_drops, t[1]);
	/*
	 * Nothing of f or d reached layerfs's upper directory (nor overlayfs's
	 * since 6.2; 6.1's copied them without their ACLs); plain did.
	 */
	for (i = 0; i < 2; i++) {
		const char *u = lfs_fmt("%s/up/%s-u", self->base, fstypes[i]);
		int gone = i && !keeps ? 0 : ENOENT;

		EXPECT_EQ(gone, lfs_lstat_errno(lfs_fmt("%s/f", u)));
		EXPECT_EQ(gone, lfs_lstat_errno(lfs_fmt("%s/d", u)));
		EXPECT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/plain", u)));
	}
	free(t[0]);
	free(t[1]);
}

/* ---- ACLs inherited when creating over a whiteout ---------------------- */

/* Owner in the upper filesystem of what the idmapped mount shows as 1000. */
#define FS_UID		2000

FIXTURE(inherit) {
	char base[PATH_MAX];
};

FIXTURE_VARIANT(inherit) {
	bool idmapped;		/* the upper is an idmapped mount */
};

FIXTURE_VARIANT_ADD(inherit, plain) { .idmapped = false };
FIXTURE_VARIANT_ADD(inherit, idmap) { .idmapped = true };

FIXTURE_SETUP(inherit)
{
	LFS_REQUIRE_REALFS(return, "ext4");
	LFS_SETUP_VS_OVERLAY(self->base, 022);
}

FIXTURE_TEARDOWN(inherit)
{
	LFS_DROP_BASE(self->base, "m-layerfs", "m-overlay", "idm", "up");
}

/*
 * The steps of inherit in directory @dir of merged directory @m, with upper
 * directory @u (as the ext4 filesystem shows it, not idmapped), into @t.
 */
static void inherit_steps(struct wu_dump *t, const char *m, const char *u,
			  const char *dir)
{
	int xerr, yerr;

	/* A whiteout is a marker, not a file: it inherits no ACL. */
	wu_dump_add(t, "unlink %s/z: %d\n%s/z (whiteout):", dir,
		    WU_ERR(unlink(lfs_fmt("%s/%s/z", m, dir))), dir);
	wu_dump_xattr(t, lfs_fmt("%s/%s/z", u, dir), ACL_ACCESS);
	wu_dump_add(t, "\n");
	wu_dump_add(t, "unlink %s/x: %d\n", dir,
		    WU_ERR(unlink(lfs_fmt("%s/%s/x", m, dir))));
	xerr = lfs_write(lfs_fmt("%s/%s/x", m, dir), "x");
	wu_dump_add(t, "create %s/x: %d\n", dir, xerr);
	wu_dump_add(t, "rmdir %s/y: %d\n", dir,
		    WU_ERR(rmdir(lfs_fmt("%s/%s/y", m, dir))));
	yerr = WU_ERR(mkdir(lfs_fmt("%s/%s/y", m, dir), 0777));
	wu_dump_add(t, "mkdir %s/y: %d\n", dir, yerr);
	wu_dump_add(t, "%s:", dir);
	wu_dump_xattr(t, lfs_fmt("%s/%s", u, dir), ACL_DEFAULT);
	/* Not the whiteouts a failed create leaves (see the report). */
	if (!xerr) {
		wu_dump_add(t, "\n%s/x:", dir);
		wu_dump_xattr(t, lfs_fmt("%s/%s/x", u, dir), ACL_ACCESS);
	}
	if (!yerr) {
		wu_dump_add(t, "\n%s/y:", dir);
		wu_dump_xattr(t, lfs_fmt("%s/%s/y", u, dir), ACL_ACCESS);
		wu_dump_xattr(t, lfs_fmt("%s/%s/y", u, dir), ACL_DEFAULT);
	}
	wu_dump_add(t, "\n");
}

/*
 * The upper directory d has a default ACL naming fs uid and gid 2000 (which
 * the idmapped mount shows as 1000), e one naming fs uid 1000 (which it
 * cannot show).  Creating x and y in them over whiteouts gives them what
 * overlayfs gives them: overlayfs hands the ACLs of its parent, as its
 * mount shows them, to the upper mount, which maps them back (6.1
 * ovl_create_over_whiteout(), 6.12 ovl_create_real() letting the upper
 * filesystem inherit), so d's are inherited unchanged and e's are refused
 * (EINVAL).  The parents' own default ACLs (cached and shared by ext4) do
 * not change.  Without an idmap everything is inherited.  Unlinking z
 * leaves a whiteout without an ACL: both make it in the work directory,
 * which has no default ACL, and move it into place.
 */
TEST_F_TIMEOUT(inherit, over_whiteout, 300)
{
	static const struct wu_acl_entry mapped[6] = {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_USER, 7, FS_UID },
		{ A_GROUP_OBJ, 5, A_NO_ID }, { A_GROUP, 5, FS_UID },
		{ A_MASK, 7, A_NO_ID }, { A_OTHER, 5, A_NO_ID },
	};
	static const struct wu_acl_entry unmapped[5] = {
		{ A_USER_OBJ, 7, A_NO_ID }, { A_USER, 7, 1000 },
		{ A_GROUP_OBJ, 5, A_NO_ID }, { A_MASK, 7, A_NO_ID },
		{ A_OTHER, 5, A_NO_ID },
	};
	const char *upperbase = variant->idmapped ? "idm" : "up";
	char before[2][512], after[2][512];
	ssize_t nb[2], na[2];
	struct wu_dump t[2] = { 0 };
	int i, err;

	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, B("up.img"), B("up"), "acl"));
	ASSERT_EQ(0, lfs_mkdir_p(B("lo/d/y")));
	ASSERT_EQ(0, lfs_write(B("lo/d/x"), "lower x"));
	ASSERT_EQ(0, lfs_write(B("lo/d/z"), "lower z"));
	ASSERT_EQ(0, lfs_mkdir_p(B("lo/e/y")));
	ASSERT_EQ(0, lfs_write(B("lo/e/x"), "lower x"));
	ASSERT_EQ(0, lfs_write(B("lo/e/z"), "lower z"));
	if (variant->idmapped) {
		err = lfs_idmapped_mount(B("up"), B("idm"));
		if (err)
			SKIP(return, "idmapped mount of ext4: %s", strerror(err));
	}

	for (i = 0; i < 2; i++) {
		const char *u = lfs_fmt("%s/up/%s-u", self->base, fstypes[i]);
		char m[PATH_MAX + 32];

		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/d", u)));
		ASSERT_EQ(0, wu_set_acl(lfs_fmt("%s/d", u), ACL_DEFAULT, mapped, 6));
		ASSERT_EQ(0, lfs_mkdir_p(lfs_fmt("%s/e", u)));
		ASSERT_EQ(0, wu_set_acl(lfs_fmt("%s/e", u), ACL_DEFAULT,
					unmapped, 5));
		ASSERT_EQ(0, mkdir(lfs_fmt("%s/up/%s-w", self->base, fstypes[i]),
				   0755));
		snprintf(m, sizeof(m), "%s/m-%s", self->base, fstypes[i]);
		ASSERT_EQ(0, mkdir(m, 0755));
		ASSERT_EQ(0, wu_mount_type(i ? "overlay" : lfs_fstype(), m,
			lfs_fmt("lowerdir=%s/lo,upperdir=%s/%s/%s-u,workdir=%s/%s/%s-w",
				self->base, self->base, upperbase, fstypes[i],
				self->base, upperbase, fstypes[i])));
	}
	nb[0] = getxattr(B("up/layerfs-u/d"), ACL_DEFAULT, before[0], 512);
	nb[1] = getxattr(B("up/layerfs-u/e"), ACL_DEFAULT, before[1], 512);
	ASSERT_LT(0, nb[0]);
	ASSERT_LT(0, nb[1]);
	for (i = 0; i < 2; i++) {
		char m[PATH_MAX + 32], u[PATH_MAX + 32];

		snprintf(m, sizeof(m), "%s/m-%s", self->base, fstypes[i]);
		snprintf(u, sizeof(u), "%s/up/%s-u", self->base, fstypes[i]);
		wu_dump_add(&t[i], "\n");
		inherit_steps(&t[i], m, u, "d");
		inherit_steps(&t[i], m, u, "e");
	}
	na[0] = getxattr(B("up/layerfs-u/d"), ACL_DEFAULT, after[0], 512);
	na[1] = getxattr(B("up/layerfs-u/e"), ACL_DEFAULT, after[1], 512);
	if (strcmp(t[0].s, t[1].s))
		TH_LOG("layerfs:%soverlay:%s", t[0].s, t[1].s);
	EXPECT_STREQ(t[1].s, t[0].s);
	EXPECT_NE(NULL, strstr(t[0].s, "\nmkdir d/y: 0\n"));
	EXPECT_NE(NULL, strstr(t[0].s, variant->idmapped ?
			       "\nmkdir e/y: 22\n" : "\nmkdir e/y: 0\n"));
	/* The parents' default ACLs, as cached by ext4, have not changed. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(nb[i], na[i]);
		EXPECT_EQ(0, memcmp(before[i], after[i], nb[i]));
	}
	free(t[0].s);
	free(t[1].s);
}

TEST_HARNESS_MAIN
