// SPDX-License-Identifier: GPL-2.0
/*
 * aclcopy.c - POSIX ACLs on their way into the upper layer, on real ext4
 * filesystems made in the VM by lfs_make_fs() (layerfs_util.h), side by
 * side with overlayfs.
 *
 * aclcopy.noacl_upper: an ACL restricts what the mode allows (a user of the
 * file's group denied by name).  When the upper filesystem cannot store
 * ACLs (ext4 -o noacl), a copy-up must fail, as overlayfs's does
 * (ovl_copy_xattr(): ACLs and security.* "must be copied"), and not make
 * the file readable by dropping the ACL.  Other copy-ups on that upper
 * still work.  It SKIPs on 6.12, whose ext4 has no "noacl" any more.
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
	LFS_REQUIRE(return);
	LFS_REQUIRE_REALFS(return, "ext4");
	if (!lfs_fs_available("overlay"))
		SKIP(return, "overlay is not in /proc/filesystems");
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
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

/*
 * Lower ext4 with ACLs, upper ext4 -o noacl: a copy-up that would lose an
 * access ACL (f) or a default ACL (d) fails with EOPNOTSUPP, as in
 * overlayfs, so eve, denied by the ACL, still cannot read f.  A file
 * without ACLs (plain) is copied up.
 */
TEST_F_TIMEOUT(aclcopy, noacl_upper, 300)
{
	static const struct wu_acl_entry deny_eve[5] = {
		{ A_USER_OBJ, 6, A_NO_ID }, { A_USER, 0, EVE },
		{ A_GROUP_OBJ, 4, A_NO_ID }, { A_MASK, 4, A_NO_ID },
		{ A_OTHER, 0, A_NO_ID },
	};
	char *t[2];
	int i, err;

	ASSERT_EQ(0, lfs_make_fs("ext4", NULL, B("lo.img"), B("lo"), "acl"));
	/*
	 * 6.12's ext4 has no "noacl" any more (it always has ACLs), nor
	 * xfs or tmpfs an option to turn them off, and layerfs refuses an
	 * upper without trusted.* xattrs (ramfs): no upper in the VM lacks
	 * ACLs on 6.12.
	 */
	err = lfs_make_fs("ext4", NULL, B("up.img"), B("up"), "noacl");
	if (err == EINVAL)
		SKIP(return, "ext4 has no noacl mount option on this kernel");
	ASSERT_EQ(0, err);
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
	if (strcmp(t[0], t[1]))
		TH_LOG("layerfs:\n%soverlay:\n%s", t[0], t[1]);
	EXPECT_STREQ(t[1], t[0]);
	/* What overlayfs answers, pinned. */
	EXPECT_STREQ("eve reads f: 13\nalice appends f: 95\neve reads f: 13\n"
		     "root chmods f: 95\neve reads f: 13\ncreate d/new: 95\n"
		     "append plain: 0\n", t[0]);
	/* Nothing of f or d reached the upper layer; plain did. */
	EXPECT_EQ(ENOENT, lfs_lstat_errno(B("up/layerfs-u/f")));
	EXPECT_EQ(ENOENT, lfs_lstat_errno(B("up/layerfs-u/d")));
	EXPECT_EQ(0, lfs_lstat_errno(B("up/layerfs-u/plain")));
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
	LFS_REQUIRE(return);
	LFS_REQUIRE_REALFS(return, "ext4");
	if (!lfs_fs_available("overlay"))
		SKIP(return, "overlay is not in /proc/filesystems");
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
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
