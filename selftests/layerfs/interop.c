// SPDX-License-Identifier: GPL-2.0
/*
 * interop.c - layerfs and the kernel's overlayfs share the on-disk format
 * of the upper layer (whiteouts = char dev 0/0, opaque directories =
 * trusted.overlay.opaque "y").  These tests prove it both ways:
 *
 *  - an upper layer written through layerfs, mounted afterwards as
 *    overlay with the same directories, shows the same merged tree;
 *  - an upper layer written through overlay, mounted afterwards as
 *    layerfs, shows the same merged tree;
 *  - the same sequence of operations applied to two identical layer sets,
 *    one through layerfs and one through overlay, leaves identical upper
 *    layers and identical views.
 *
 * A tree is compared as a text dump (wu_dump_tree()): every name with its
 * type, mode, owner, size, content hash, symlink target, rdev, mtime and
 * user-visible xattrs.  overlay is mounted with redirect_dir=off, index=off,
 * metacopy=off, xino=off, the semantics the layerfs contract follows.
 *
 * Also: the uuid overlayfs 6.6+ stores on the upper root survives a trip
 * through layerfs, and metacopy files are refused, not misread, under
 * metacopy=off (the default); redirects are followed.  With metacopy=on
 * both ways: metacopy.c.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

FIXTURE(interop) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(interop)
{
	LFS_SETUP_VS_OVERLAY(self->base, 0);
}

FIXTURE_TEARDOWN(interop)
{
	umount2(lfs_fmt("%s/a/m", self->base), MNT_DETACH);
	umount2(lfs_fmt("%s/b/m", self->base), MNT_DETACH);
	lfs_drop_base(self->base, NULL);
}

/*
 * Build the layers l1, l2, u, w, m below @dir: one object for each step of
 * run_script(), plus untouched objects that must simply survive.
 */
static int build_layers(const char *dir)
{
	static const char *const dirs[] = {
		"$/l1", "$/l2", "$/u", "$/w", "$/m", "$/l2/lo_e",
		"$/l2/lo_rd", "$/u/mrg", "$/l1/mrg", "$/l2/mrg", "$/u/ev",
		"$/l2/ev", "$/l2/lo_deep/a/b", "$/u/up_p/a", "$/l1/keep_d",
		"$/l2/lo_w",
	};
	static const char *const files[][2] = {
		{ "$/l2/lo_f", "lower f" }, { "$/l2/lo_x", "x" },
		{ "$/l2/lo_o", "o" }, { "$/l2/lo_t", "truncate me" },
		{ "$/l2/lo_h", "hard" }, { "$/l2/lo_u", "unlink me" },
		{ "$/l1/mrg/lf", "L1" }, { "$/l2/mrg/lf", "L2" },
		{ "$/u/mrg/uf", "UF" }, { "$/l2/mrg/keep", "K" },
		{ "$/l2/ev/x", "X" }, { "$/l2/lo_w/old", "OLD" },
		{ "$/l2/lo_rd/f", "F" }, { "$/l2/lo_r", "rename me" },
		{ "$/l2/lo_x1", "one" }, { "$/l1/lo_x2", "two" },
		{ "$/l2/lo_xa", "xa" }, { "$/l2/lo_xr", "xr" },
		{ "$/l2/lo_deep/a/b/f", "deep" }, { "$/l2/lo_time", "t" },
		{ "$/u/up_p/a/in", "in" }, { "$/l1/keep_d/k", "keep" },
		{ "$/l2/keep_f", "keep" },
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		err = lfs_mkdir_p(lfs_expand(dir, dirs[i]));
		if (err)
			return err;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		err = lfs_write(lfs_expand(dir, files[i][0]), files[i][1]);
		if (err)
			return err;
	}
	err = lfs_whiteout(lfs_expand(dir, "$/u/ev/x"));
	if (!err && lchown(lfs_expand(dir, "$/l2/lo_o"), 42, 43))
		err = errno;
	if (!err && setxattr(lfs_expand(dir, "$/l2/lo_xr"), "trusted.r", "1",
			     1, 0))
		err = errno;
	if (!err && setxattr(lfs_expand(dir, "$/l2/lo_xa"), "trusted.old",
			     "o", 1, 0))
		err = errno;
	if (!err && chmod(lfs_expand(dir, "$/l2/lo_deep/a"), 0751))
		err = errno;
	if (!err)
		err = wu_set_times(lfs_expand(dir, "$/l2/lo_deep/a"),
				   1111111111, 0);
	return err;
}

/*
 * Apply the same sequence of changes through the mount at @mnt.  Returns
 * "ok" on success, else a description of the step that failed.
 */
static const char *run_script(const char *mnt)
{
	static char err[PATH_MAX + 64];
	char m[PATH_MAX];
	int fd, step = 0;

	/* lfs_fmt() reuses its buffers: keep our own copy of the mount path. */
	snprintf(m, sizeof(m), "%s", mnt);
#define P(rel) lfs_fmt("%s/%s", m, rel)
#define STEP(call) do { \
	step++; \
	if ((call) < 0) { \
		snprintf(err, sizeof(err), "step %d (%s): errno %d", step, \
			 #call, errno); \
		return err; \
	} \
} while (0)
	/* copy-up by write, chmod, chown, truncate, utimes, xattrs */
	STEP(fd = open(P("lo_f"), O_WRONLY | O_APPEND));
	STEP(write(fd, "+more", 5));
	close(fd);
	STEP(chmod(P("lo_x"), 0600));
	STEP(lchown(P("lo_o"), 1234, 5678));
	STEP(truncate(P("lo_t"), 2));
	STEP(wu_set_times(P("lo_time"), 1234567890, 0) ? -1 : 0);
	STEP(setxattr(P("lo_xa"), "trusted.k", "v", 1, 0));
	STEP(removexattr(P("lo_xr"), "trusted.r"));
	STEP(truncate(P("lo_deep/a/b/f"), 1));
	/* new objects */
	STEP(fd = open(P("new"), O_WRONLY | O_CREAT | O_EXCL, 0640));
	STEP(write(fd, "new file", 8));
	close(fd);
	STEP(mkdir(P("nd"), 0750));
	STEP(mkdir(P("nd/sub"), 0700));
	STEP(lfs_write(P("nd/sub/f"), "f") ? -1 : 0);
	STEP(symlink("lo_f", P("sl")));
	STEP(mknod(P("ff"), S_IFIFO | 0640, 0));
	STEP(mknod(P("mrg/cd"), S_IFCHR | 0600, makedev(1, 3)));
	STEP(link(P("lo_h"), P("hl")));
	/* removals: whiteouts */
	STEP(unlink(P("lo_u")));
	STEP(unlink(P("mrg/lf")));
	STEP(unlink(P("mrg/uf")));
	STEP(rmdir(P("lo_e")));
	STEP(rmdir(P("ev")));
	/* directories over whiteouts: opaque */
	STEP(unlink(P("lo_w/old")));
	STEP(rmdir(P("lo_w")));
	STEP(mkdir(P("lo_w"), 0755));
	STEP(lfs_write(P("lo_w/in"), "in") ? -1 : 0);
	STEP(unlink(P("lo_rd/f")));
	STEP(rmdir(P("lo_rd")));
	STEP(mkdir(P("lo_rd"), 0711));
	/* renames */
	STEP(rename(P("lo_r"), P("renamed")));
	STEP(rename(P("up_p/a"), P("up_p/b")));
	STEP(wu_renameat2(P("lo_x1"), P("lo_x2"), RENAME_EXCHANGE) ? -1 : 0);
	STEP(rename(P("new"), P("lo_u")));
#undef STEP
#undef P
	return "ok";
}

/* Mount @fstype on @dir/m over the layers in @dir. */
static int mount_set(const char *fstype, const char *dir)
{
	return wu_mount_type(fstype, lfs_fmt("%s/m", dir), wu_opts(dir));
}

/*
 * Sanity checks that the script did take effect (so equal dumps mean
 * something): a few lines every correct view contains or lacks.
 */
static int view_has_changes(const char *dump)
{
	return strstr(dump, "\nlo_u mode=100640 uid=0 gid=0 size=8 ") &&
	       strstr(dump, "\nsl mode=120777 uid=0 gid=0 -> lo_f") &&
	       strstr(dump, "\nlo_w mode=40755") &&
	       strstr(dump, "\nlo_w/in mode=100644") &&
	       !strstr(dump, "lo_w/old") && !strstr(dump, "\nev ") &&
	       !strstr(dump, "\nlo_e ") && !strstr(dump, "\nlo_r ") &&
	       !strstr(dump, "mrg/lf") && strstr(dump, "mrg/keep") &&
	       strstr(dump, "\nkeep_d/k ") && strstr(dump, "\nup_p/b/in ") &&
	       strstr(dump, " trusted.k=v");
}

/*
 * Changes made through @first, then the same layers mounted as @second:
 * both views are the same tree.
 */
static void written_then_read(struct __test_metadata *_metadata,
			      const char *base, const char *first,
			      const char *second)
{
	char dir[PATH_MAX + 8];
	char *d1, *d2, *raw;

	snprintf(dir, sizeof(dir), "%s/a", base);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, build_layers(dir));
	ASSERT_EQ(0, mount_set(first, dir));
	ASSERT_STREQ("ok", run_script(lfs_fmt("%s/m", dir)));
	d1 = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	if (!view_has_changes(d1))
		TH_LOG("view through %s lacks the changes:%s", first, d1);
	ASSERT_TRUE(view_has_changes(d1));
	/* The upper layer holds the encoding the second filesystem reads. */
	raw = wu_dump_string(lfs_fmt("%s/u", dir), WU_RAW);
	ASSERT_NE(NULL, strstr(raw, "\nlo_e whiteout\n"));
	ASSERT_NE(NULL, strstr(raw, "\nmrg/lf whiteout\n"));
	ASSERT_NE(NULL, strstr(raw, "\nlo_w mode=40755 uid=0 gid=0 opaque"));
	free(raw);

	ASSERT_EQ(0, mount_set(second, dir));
	d2 = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_STREQ(d1, d2);
	free(d1);
	free(d2);
}

/* An upper layer written through layerfs reads the same through overlay. */
TEST_F(interop, layerfs_upper_read_by_overlay)
{
	written_then_read(_metadata, self->base, lfs_fstype(), "overlay");
}

/* An upper layer written through overlay reads the same through layerfs. */
TEST_F(interop, overlay_upper_read_by_layerfs)
{
	written_then_read(_metadata, self->base, "overlay", lfs_fstype());
}

/*
 * The same operations on two identical layer sets, one through layerfs
 * and one through overlay, leave the same upper layer (same objects, same
 * whiteouts, same opaque markers, same metadata except times) and the same
 * view.  Also, after both are unmounted, each upper layer read back through
 * the other filesystem still gives that view.
 */
TEST_F(interop, same_changes_same_upper)
{
	char a[PATH_MAX + 8], b[PATH_MAX + 8];
	char *va, *vb, *ua, *ub;

	snprintf(a, sizeof(a), "%s/a", self->base);
	snprintf(b, sizeof(b), "%s/b", self->base);
	ASSERT_EQ(0, mkdir(a, 0755));
	ASSERT_EQ(0, mkdir(b, 0755));
	ASSERT_EQ(0, build_layers(a));
	ASSERT_EQ(0, build_layers(b));
	ASSERT_EQ(0, mount_set(lfs_fstype(), a));
	ASSERT_EQ(0, mount_set("overlay", b));
	ASSERT_STREQ("ok", run_script(lfs_fmt("%s/m", a)));
	ASSERT_STREQ("ok", run_script(lfs_fmt("%s/m", b)));

	va = wu_dump_string(lfs_fmt("%s/m", a), 0);
	vb = wu_dump_string(lfs_fmt("%s/m", b), 0);
	ASSERT_TRUE(view_has_changes(va));
	ASSERT_STREQ(vb, va);
	ua = wu_dump_string(lfs_fmt("%s/u", a), WU_RAW);
	ub = wu_dump_string(lfs_fmt("%s/u", b), WU_RAW);
	ASSERT_STREQ(ub, ua);

	/* Swap: each upper layer through the other filesystem. */
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", a)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", b)));
	ASSERT_EQ(0, mount_set("overlay", a));
	ASSERT_EQ(0, mount_set(lfs_fstype(), b));
	free(va);
	free(vb);
	va = wu_dump_string(lfs_fmt("%s/m", a), 0);
	vb = wu_dump_string(lfs_fmt("%s/m", b), 0);
	ASSERT_STREQ(ua, ub);
	ASSERT_STREQ(vb, va);
	ASSERT_TRUE(view_has_changes(va));
	free(va);
	free(vb);
	free(ua);
	free(ub);
}

/* Does the running kernel's overlayfs write trusted.overlay.uuid (6.6+)? */
static bool ovl_writes_uuid(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

#define UUID_XATTR	"trusted.overlay.uuid"

/*
 * overlayfs 6.6+ stores a uuid on the upper root (trusted.overlay.uuid,
 * 16 bytes) at the first mount of a new upper layer.  Such an upper layer
 * mounts under layerfs, which keeps the xattr as it is, and goes back to
 * overlay.  On 6.1 overlayfs writes none, so the test sets one by hand.
 */
TEST_F(interop, overlay_uuid_round_trip)
{
	unsigned char uuid[16], again[16];
	char dir[PATH_MAX + 8], buf[64];
	char *d1, *d2;

	snprintf(dir, sizeof(dir), "%s/a", self->base);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, build_layers(dir));
	ASSERT_EQ(0, mount_set("overlay", dir));
	ASSERT_STREQ("ok", run_script(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	if (ovl_writes_uuid()) {
		ASSERT_EQ(16, getxattr(lfs_fmt("%s/u", dir), UUID_XATTR, uuid,
				       sizeof(uuid)));
	} else {
		ASSERT_EQ(-1, getxattr(lfs_fmt("%s/u", dir), UUID_XATTR, uuid,
				       sizeof(uuid)));
		memcpy(uuid, "layerfs-uuid-16b", 16);
		ASSERT_EQ(0, setxattr(lfs_fmt("%s/u", dir), UUID_XATTR, uuid,
				      sizeof(uuid), 0));
	}

	/* the same tree through layerfs, which then changes it */
	ASSERT_EQ(0, mount_set("overlay", dir));
	d1 = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(0, mount_set(lfs_fstype(), dir));
	d2 = wu_dump_string(lfs_fmt("%s/m", dir), WU_MTIME);
	ASSERT_TRUE(view_has_changes(d2));
	ASSERT_STREQ(d1, d2);
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/m/after", dir), "after"));
	ASSERT_EQ(0, unlink(lfs_fmt("%s/m/keep_f", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(16, getxattr(lfs_fmt("%s/u", dir), UUID_XATTR, again,
			       sizeof(again)));
	ASSERT_EQ(0, memcmp(uuid, again, 16));

	/* and back: overlay reads what layerfs wrote, keeps its uuid */
	ASSERT_EQ(0, mount_set("overlay", dir));
	ASSERT_STREQ("after", lfs_cat(lfs_fmt("%s/m/after", dir), buf,
				      sizeof(buf)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/m/keep_f", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(16, getxattr(lfs_fmt("%s/u", dir), UUID_XATTR, again,
			       sizeof(again)));
	ASSERT_EQ(0, memcmp(uuid, again, 16));
	free(d1);
	free(d2);
}

/* mount(2) overlay on @dir/m with exactly @opts (no WU_OVL_OPTS). */
static int mount_overlay_opts(const char *dir, const char *opts)
{
	if (mount("overlay", lfs_fmt("%s/m", dir), "overlay", 0,
		  lfs_expand(dir, opts)))
		return errno;
	return 0;
}

/*
 * A metacopy file is refused at lookup under metacopy=off (the default of
 * both), as overlayfs does (written with metacopy=on; EPERM when its data
 * is below, EIO when not): shown as it is, it would read as zeros.  A
 * directory renamed with redirect_dir=on is followed by both with
 * redirect_dir=follow and refused by both with EPERM under
 * redirect_dir=nofollow (more in redirect.c).
 */
TEST_F(interop, overlay_metacopy_and_redirect_refused)
{
	static const char rw[] = "lowerdir=$/l2,upperdir=$/u,workdir=$/w";
	static const char with[] =
		"redirect_dir=on,metacopy=on,index=off,xino=off";
	static const char nofollow[] =
		"redirect_dir=nofollow,metacopy=off,index=off,xino=off";
	/* Debian's default, CONFIG_OVERLAY_FS_REDIRECT_ALWAYS_FOLLOW=y */
	static const char follow[] =
		"redirect_dir=follow,metacopy=off,index=off,xino=off";
	char dir[PATH_MAX + 8], buf[64];

	snprintf(dir, sizeof(dir), "%s/a", self->base);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, build_layers(dir));
	ASSERT_EQ(0, mount_overlay_opts(dir, lfs_fmt("%s,%s", rw, with)));
	ASSERT_EQ(0, chmod(lfs_fmt("%s/m/lo_f", dir), 0600));
	ASSERT_EQ(0, rename(lfs_fmt("%s/m/lo_rd", dir),
			    lfs_fmt("%s/m/moved", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	/* the premise: overlay did write both */
	ASSERT_LE(0, getxattr(lfs_fmt("%s/u/lo_f", dir),
			      "trusted.overlay.metacopy", NULL, 0));
	ASSERT_LE(0, getxattr(lfs_fmt("%s/u/moved", dir),
			      "trusted.overlay.redirect", NULL, 0));

	/* spelled out: the default is the kernel's config (the debug kernel's is nofollow) */
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", dir),
			      lfs_fmt("%s,redirect_dir=follow",
				      lfs_expand(dir, rw))));
	ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/m/lo_f", dir)));
	ASSERT_STREQ("F", lfs_cat(lfs_fmt("%s/m/moved/f", dir), buf,
				  sizeof(buf)));
	ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/m/lo_x", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", dir),
			      lfs_fmt("%s,redirect_dir=nofollow",
				      lfs_expand(dir, rw))));
	ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/m/moved", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	/* the same upper layer as a lower one: the same answers */
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", dir),
			      lfs_expand(dir, "lowerdir=$/u:$/l2,"
					 "redirect_dir=follow")));
	ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/m/lo_f", dir)));
	ASSERT_STREQ("F", lfs_cat(lfs_fmt("%s/m/moved/f", dir), buf,
				  sizeof(buf)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));

	/* overlay, metacopy off: the same EPERM; the redirect followed... */
	ASSERT_EQ(0, mount_overlay_opts(dir, lfs_fmt("%s,%s", rw, follow)));
	ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/m/lo_f", dir)));
	ASSERT_STREQ("F", lfs_cat(lfs_fmt("%s/m/moved/f", dir), buf,
				  sizeof(buf)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	/* ...unless told not to */
	ASSERT_EQ(0, mount_overlay_opts(dir, lfs_fmt("%s,%s", rw, nofollow)));
	ASSERT_EQ(EPERM, lfs_lstat_errno(lfs_fmt("%s/m/moved", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));

	/* a metacopy file whose data is gone: EIO on both */
	ASSERT_EQ(0, unlink(lfs_fmt("%s/l2/lo_f", dir)));
	ASSERT_EQ(0, wu_mount(lfs_fmt("%s/m", dir), lfs_expand(dir, rw)));
	ASSERT_EQ(EIO, lfs_lstat_errno(lfs_fmt("%s/m/lo_f", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
	ASSERT_EQ(0, mount_set("overlay", dir));
	ASSERT_EQ(EIO, lfs_lstat_errno(lfs_fmt("%s/m/lo_f", dir)));
	ASSERT_EQ(0, umount(lfs_fmt("%s/m", dir)));
}

TEST_HARNESS_MAIN
