// SPDX-License-Identifier: GPL-2.0
/*
 * mount_options.c - layerfs mount option parsing and layer validation.
 *
 * One TEST per row of the contract's validation table, so the KTAP output
 * names the exact case that regressed; each asserts the precise errno of a
 * mount(2) that must fail.  The positive tests prove that the option syntax
 * the table does not reject (escapes, duplicates, symlinked layers) really
 * mounts and serves the right layer, and that the mount reports itself
 * correctly in /proc/mounts and in the fs_context log.
 *
 * Layout below the per-test tmpfs "$" (see lfs_expand()):
 *   $/l1/f1 ("one"), $/l1/sub/, $/l2/f2 ("two"), $/u/, $/w/, $/m/ (mount
 *   point), $/reg (a regular file).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC		0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG
#define FSCONFIG_SET_FLAG	0
#define FSCONFIG_SET_STRING	1
#define FSCONFIG_CMD_CREATE	6
#endif

FIXTURE(opts) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[256];
};

FIXTURE_SETUP(opts)
{
	static const char *const dirs[] = {
		"$/l1/sub", "$/l2", "$/u", "$/w", "$/m",
	};
	unsigned int i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, dirs[i])));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/l1/f1"), "one"));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/l2/f2"), "two"));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/reg"), "file"));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
}

FIXTURE_TEARDOWN(opts)
{
	LFS_DROP_BASE(self->base, "m", "m2", "bind", "other", "ramfs", "cg",
		      "ro");
}

/* mount(2) with the '$'-expanded option string; 0 or errno. */
static int try_mount(FIXTURE_DATA(opts) *self, const char *tmpl)
{
	return lfs_mount(self->mnt, lfs_expand(self->base, tmpl));
}

/* Content of $/m/<name> as seen through the mount. */
static const char *merged(FIXTURE_DATA(opts) *self, const char *name)
{
	return lfs_cat(lfs_fmt("%s/%s", self->mnt, name), self->buf,
		       sizeof(self->buf));
}

/* ---- EINVAL: malformed or missing lowerdir ----------------------------- */

/* No options at all: a layerfs needs at least one lower layer. */
TEST_F(opts, no_options_einval)
{
	ASSERT_EQ(EINVAL, lfs_mount(self->mnt, NULL));
}

/* upperdir+workdir but no lowerdir is still "no lowerdir". */
TEST_F(opts, upper_work_without_lowerdir_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "upperdir=$/u,workdir=$/w"));
}

/* "lowerdir=" with an empty value. */
TEST_F(opts, lowerdir_empty_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir="));
}

/* An empty element in the middle of the list. */
TEST_F(opts, lowerdir_empty_middle_element_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1::$/l2"));
}

/* An empty first element. */
TEST_F(opts, lowerdir_leading_colon_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=:$/l1"));
}

/* An empty last element. */
TEST_F(opts, lowerdir_trailing_colon_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1:"));
}

/* ---- ENOENT / ENOTDIR: each layer path is resolved ---------------------- */

/* The second lower layer does not exist (the first one does). */
TEST_F(opts, lower_missing_enoent)
{
	ASSERT_EQ(ENOENT, try_mount(self, "lowerdir=$/l1:$/nope"));
}

TEST_F(opts, upper_missing_enoent)
{
	ASSERT_EQ(ENOENT,
		  try_mount(self, "lowerdir=$/l1,upperdir=$/nope,workdir=$/w"));
}

TEST_F(opts, work_missing_enoent)
{
	ASSERT_EQ(ENOENT,
		  try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/nope"));
}

/* A regular file as a lower layer. */
TEST_F(opts, lower_not_dir_enotdir)
{
	ASSERT_EQ(ENOTDIR, try_mount(self, "lowerdir=$/l1:$/reg"));
}

TEST_F(opts, upper_not_dir_enotdir)
{
	ASSERT_EQ(ENOTDIR,
		  try_mount(self, "lowerdir=$/l1,upperdir=$/reg,workdir=$/w"));
}

TEST_F(opts, work_not_dir_enotdir)
{
	ASSERT_EQ(ENOTDIR,
		  try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/reg"));
}

/* ---- EINVAL: upperdir/workdir pairing ----------------------------------- */

TEST_F(opts, upper_without_work_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1,upperdir=$/u"));
}

TEST_F(opts, work_without_upper_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1,workdir=$/w"));
}

/* workdir on a different tmpfs instance than upperdir. */
TEST_F(opts, upper_work_different_fs_einval)
{
	ASSERT_EQ(0, lfs_mount_tmpfs(lfs_expand(self->base, "$/other")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/other/w")));
	ASSERT_EQ(EINVAL, try_mount(self,
		"lowerdir=$/l1,upperdir=$/u,workdir=$/other/w"));
}

/* Same filesystem but a different mount (a bind mount) is rejected too. */
TEST_F(opts, upper_work_different_mounts_einval)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/bind")));
	ASSERT_EQ(0, mount(lfs_expand(self->base, "$/w"),
			   lfs_expand(self->base, "$/bind"), NULL, MS_BIND,
			   NULL));
	ASSERT_EQ(EINVAL, try_mount(self,
		"lowerdir=$/l1,upperdir=$/u,workdir=$/bind"));
}

/*
 * A lower layer is reached through a private clone of its mount, which the
 * kernel refuses for an unbindable mount: EINVAL, as on overlayfs.  The
 * same directory through an ordinary bind mount is fine.
 */
TEST_F(opts, lower_on_unbindable_mount_einval)
{
	char bind[PATH_MAX];

	snprintf(bind, sizeof(bind), "%s", lfs_expand(self->base, "$/bind"));
	ASSERT_EQ(0, lfs_mkdir_p(bind));
	ASSERT_EQ(0, mount(lfs_expand(self->base, "$/l1"), bind, NULL, MS_BIND,
			   NULL));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/bind"));
	ASSERT_EQ(0, umount2(lfs_expand(self->base, "$/m"), MNT_DETACH));
	ASSERT_EQ(0, mount(NULL, bind, NULL, MS_UNBINDABLE, NULL));
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/bind"));
}

TEST_F(opts, work_inside_upper_einval)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/u/w")));
	ASSERT_EQ(EINVAL, try_mount(self,
		"lowerdir=$/l1,upperdir=$/u,workdir=$/u/w"));
}

TEST_F(opts, upper_inside_work_einval)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/w/u")));
	ASSERT_EQ(EINVAL, try_mount(self,
		"lowerdir=$/l1,upperdir=$/w/u,workdir=$/w"));
}

TEST_F(opts, upper_same_as_work_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self,
				    "lowerdir=$/l1,upperdir=$/u,workdir=$/u"));
}

/* ---- ELOOP: overlapping layer roots ------------------------------------- */

TEST_F(opts, lower_inside_upper_eloop)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/u/low")));
	ASSERT_EQ(ELOOP, try_mount(self,
		"lowerdir=$/u/low,upperdir=$/u,workdir=$/w"));
}

TEST_F(opts, upper_inside_lower_eloop)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/l1/up")));
	ASSERT_EQ(ELOOP, try_mount(self,
		"lowerdir=$/l1,upperdir=$/l1/up,workdir=$/w"));
}

TEST_F(opts, lower_same_as_upper_eloop)
{
	ASSERT_EQ(ELOOP, try_mount(self,
				   "lowerdir=$/u,upperdir=$/u,workdir=$/w"));
}

TEST_F(opts, same_lower_twice_eloop)
{
	ASSERT_EQ(ELOOP, try_mount(self, "lowerdir=$/l1:$/l2:$/l1"));
}

/* The same directory reached by two spellings is still the same layer. */
TEST_F(opts, same_lower_twice_via_symlink_eloop)
{
	ASSERT_EQ(0, symlink(lfs_expand(self->base, "$/l2"),
			     lfs_expand(self->base, "$/l2link")));
	ASSERT_EQ(ELOOP, try_mount(self, "lowerdir=$/l2:$/l1:$/l2link"));
}

/* A lower layer inside a lower layer listed before it... */
TEST_F(opts, lower_inside_lower_eloop)
{
	ASSERT_EQ(ELOOP, try_mount(self, "lowerdir=$/l1:$/l1/sub"));
}

/* ...and after it. */
TEST_F(opts, lower_above_lower_eloop)
{
	ASSERT_EQ(ELOOP, try_mount(self, "lowerdir=$/l1/sub:$/l1"));
}

TEST_F(opts, work_inside_lower_eloop)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/l1/wk")));
	ASSERT_EQ(ELOOP, try_mount(self,
		"lowerdir=$/l1,upperdir=$/u,workdir=$/l1/wk"));
}

TEST_F(opts, work_above_lower_eloop)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/w/low")));
	ASSERT_EQ(ELOOP, try_mount(self,
		"lowerdir=$/w/low,upperdir=$/u,workdir=$/w"));
}

/* ---- upper filesystem capabilities -------------------------------------- */

/* ramfs has no xattr support at all, so no trusted.overlay.* either. */
TEST_F(opts, upper_without_xattr_eopnotsupp)
{
	const char *r = lfs_expand(self->base, "$/ramfs");

	if (!lfs_fs_available("ramfs"))
		SKIP(return, "ramfs not available");
	ASSERT_EQ(0, mkdir(r, 0755));
	ASSERT_EQ(0, mount("ramfs", r, "ramfs", 0, NULL));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/ramfs/u")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/ramfs/w")));
	/* Proves the premise: ramfs really refuses trusted.* xattrs. */
	ASSERT_NE(0, setxattr(lfs_expand(self->base, "$/ramfs/u"),
			      "trusted.t", "1", 1, 0));
	ASSERT_EQ(EOPNOTSUPP, try_mount(self,
		"lowerdir=$/l1,upperdir=$/ramfs/u,workdir=$/ramfs/w"));
}

/*
 * cgroup2 (kernfs) stores trusted.* xattrs and can mkdir, but has no
 * ->mknod, so it cannot hold a whiteout.  (kernfs's ->mkdir leaves the new
 * dentry negative, as the VFS allows; a stacking fs must look the name up
 * again after vfs_mkdir(), as overlayfs does, before it gets to the probe.)
 */
TEST_F(opts, upper_without_mknod_eopnotsupp)
{
	const char *cg = lfs_expand(self->base, "$/cg");
	const char *u = lfs_fmt("%s/lfs-u-%d", cg, getpid());
	const char *w = lfs_fmt("%s/lfs-w-%d", cg, getpid());
	int err, xattr_err, mknod_err;

	if (!lfs_fs_available("cgroup2"))
		SKIP(return, "cgroup2 not available");
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, mount("cgroup2", cg, "cgroup2", 0, NULL));
	ASSERT_EQ(0, mkdir(u, 0755));
	if (mkdir(w, 0755)) {
		rmdir(u);
		ASSERT_EQ(0, errno);
	}
	/* Premise: xattrs work there but a whiteout cannot be created. */
	xattr_err = setxattr(u, "trusted.t", "1", 1, 0) ? errno : 0;
	mknod_err = lfs_whiteout(lfs_fmt("%s/wh", u));
	err = lfs_mount(self->mnt, lfs_fmt("lowerdir=%s/l1,upperdir=%s,workdir=%s",
					   self->base, u, w));
	/* cgroups are global: always remove ours, even on failure. */
	umount2(self->mnt, MNT_DETACH);
	rmdir(lfs_fmt("%s/work", w));
	rmdir(lfs_fmt("%s/work", u));
	rmdir(w);
	rmdir(u);
	ASSERT_EQ(0, xattr_err);
	ASSERT_NE(0, mknod_err);
	ASSERT_EQ(EOPNOTSUPP, err);
}

/* upperdir on a read-only mount. */
TEST_F(opts, upper_on_readonly_mount_erofs)
{
	const char *ro = lfs_expand(self->base, "$/ro");

	ASSERT_EQ(0, lfs_mount_tmpfs(ro));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/ro/u")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/ro/w")));
	ASSERT_EQ(0, mount(NULL, ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			   NULL));
	ASSERT_EQ(EROFS, try_mount(self,
		"lowerdir=$/l1,upperdir=$/ro/u,workdir=$/ro/w"));
}

/* ---- unknown options ---------------------------------------------------- */

TEST_F(opts, unknown_key_value_option_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1,colour=blue"));
}

TEST_F(opts, unknown_flag_option_einval)
{
	ASSERT_EQ(EINVAL, try_mount(self, "lowerdir=$/l1,frobnicate"));
}

/* ---- privilege ----------------------------------------------------------- */

/*
 * Set the capability sets of the calling thread to exactly @keep (a mask of
 * CAP_* bits below 32, in permitted, effective and inheritable).
 */
static int set_caps(__u32 keep)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {
		{ .effective = keep, .permitted = keep, .inheritable = 0 },
	};

	return syscall(SYS_capset, &h, d) ? errno : 0;
}

struct unpriv_mount {
	const char *mnt, *opts;
	__u32 keep;	/* capabilities kept before the uid change */
	bool nobody;	/* then become uid/gid 65534 */
};

/*
 * (In a child.)  Drop every capability but @keep, optionally become nobody
 * (which clears the remaining capabilities), then try the mount.  Returns
 * the mount's errno, 255 if the privileges could not be dropped.
 */
static int mount_unprivileged(const void *arg)
{
	const struct unpriv_mount *u = arg;

	if (set_caps(u->keep))
		return 255;
	if (u->nobody && lfs_become(LFS_NOBODY))
		return 255;
	return lfs_mount(u->mnt, u->opts);
}

/* uid 0 without any capability cannot mount. */
TEST_F(opts, no_cap_sys_admin_eperm)
{
	const char *o = lfs_expand(self->base, "lowerdir=$/l1:$/l2");
	struct unpriv_mount u = { .mnt = self->mnt, .opts = o };

	ASSERT_EQ(EPERM, lfs_in_child(mount_unprivileged, &u));
	/* The same options work for root, so EPERM was about privilege. */
	ASSERT_EQ(0, lfs_mount(self->mnt, o));
}

/* Caps dropped (all but setuid/setgid), then setresuid(65534): EPERM. */
TEST_F(opts, non_root_eperm)
{
	const char *o = lfs_expand(self->base, "lowerdir=$/l1:$/l2");
	struct unpriv_mount u = {
		.mnt = self->mnt, .opts = o, .nobody = true,
		.keep = (1U << CAP_SETUID) | (1U << CAP_SETGID),
	};

	ASSERT_EQ(EPERM, lfs_in_child(mount_unprivileged, &u));
	ASSERT_EQ(0, lfs_mount(self->mnt, o));
}

/* ---- accepted syntax ----------------------------------------------------- */

/* Two lower layers, both visible: the baseline the other cases vary. */
TEST_F(opts, two_lowers_mount)
{
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1:$/l2"));
	ASSERT_STREQ("one", merged(self, "f1"));
	ASSERT_STREQ("two", merged(self, "f2"));
}

/* "\:" is a colon inside a path, not a layer separator. */
TEST_F(opts, escaped_colon_in_lowerdir)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/a:b")));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/a:b/fc"), "colon"));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/a\\:b:$/l2"));
	ASSERT_STREQ("colon", merged(self, "fc"));
	ASSERT_STREQ("two", merged(self, "f2"));
}

/* "\\" is a backslash inside a path. */
TEST_F(opts, escaped_backslash_in_lowerdir)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/c\\d")));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/c\\d/fb"), "bslash"));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/c\\\\d"));
	ASSERT_STREQ("bslash", merged(self, "fb"));
}

/* A later lowerdir= replaces an earlier one (not appended, not an error). */
TEST_F(opts, duplicate_lowerdir_last_wins)
{
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,lowerdir=$/l2"));
	ASSERT_STREQ("two", merged(self, "f2"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/f1", self->mnt)));
}

/* Even a bad earlier value is forgotten once replaced. */
TEST_F(opts, duplicate_lowerdir_replaces_bad_value)
{
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/nope,lowerdir=$/l1"));
	ASSERT_STREQ("one", merged(self, "f1"));
}

/* A layer given as a symlink to a directory is followed. */
TEST_F(opts, symlink_to_dir_as_layer)
{
	ASSERT_EQ(0, symlink(lfs_expand(self->base, "$/l1"),
			     lfs_expand(self->base, "$/l1link")));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1link:$/l2"));
	ASSERT_STREQ("one", merged(self, "f1"));
	ASSERT_STREQ("two", merged(self, "f2"));
}

/* With upper/work the mount succeeds (read-only for now). */
TEST_F(opts, upper_and_work_mount)
{
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/u/fu"), "upper"));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	ASSERT_STREQ("upper", merged(self, "fu"));
	ASSERT_STREQ("one", merged(self, "f1"));
}

/* /proc/mounts: "rw" plus all three paths, escaped like seq_show_option. */
TEST_F(opts, proc_mounts_shows_options)
{
	char opts[8192];

	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/low er")));
	ASSERT_EQ(0, try_mount(self,
		"lowerdir=$/l1:$/low er,upperdir=$/u,workdir=$/w"));
	ASSERT_EQ(0, lfs_mount_opts(self->mnt, opts, sizeof(opts)));
	TH_LOG("options: %s", opts);
	ASSERT_TRUE(!strcmp(opts, "rw") || !strncmp(opts, "rw,", 3));
	/* The space is shown as \040, so the line stays parseable. */
	ASSERT_NE(NULL, strstr(opts, lfs_expand(self->base,
						"lowerdir=$/l1:$/low\\040er")));
	ASSERT_NE(NULL, strstr(opts, lfs_expand(self->base, "upperdir=$/u")));
	ASSERT_NE(NULL, strstr(opts, lfs_expand(self->base, "workdir=$/w")));
}

/* A lower-only mount shows lowerdir and no upperdir/workdir. */
TEST_F(opts, proc_mounts_lower_only)
{
	char opts[8192];

	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1:$/l2"));
	ASSERT_EQ(0, lfs_mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_TRUE(!strcmp(opts, "ro") || !strncmp(opts, "ro,", 3));
	ASSERT_NE(NULL, strstr(opts, lfs_expand(self->base,
						"lowerdir=$/l1:$/l2")));
	ASSERT_EQ(NULL, strstr(opts, "upperdir="));
	ASSERT_EQ(NULL, strstr(opts, "workdir="));
}

/* Mounting with upper creates workdir/work... */
TEST_F(opts, workdir_work_created)
{
	struct stat st;

	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_expand(self->base, "$/w/work")));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	ASSERT_EQ(0, lstat(lfs_expand(self->base, "$/w/work"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
}

/* ...and empties it when it already exists. */
TEST_F(opts, workdir_work_emptied)
{
	struct stat st;

	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/w/work/olddir/x")));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/w/work/junk"), "j"));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	ASSERT_EQ(0, lstat(lfs_expand(self->base, "$/w/work"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_expand(self->base,
						     "$/w/work/junk")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_expand(self->base,
						     "$/w/work/olddir")));
}

/*
 * An upper or work directory belongs to one live mount: a second mount
 * naming it, as either, fails with EBUSY (overlayfs only warns), and the
 * directory is free again after umount.
 */
TEST_F(opts, upper_in_use_ebusy)
{
	const char *second;

	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/w2")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/m2")));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	second = lfs_expand(self->base, "lowerdir=$/l2,upperdir=$/u,workdir=$/w2");
	ASSERT_EQ(EBUSY, lfs_mount(lfs_expand(self->base, "$/m2"), second));
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, lfs_mount(lfs_expand(self->base, "$/m2"), second));
}

TEST_F(opts, work_in_use_ebusy)
{
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/u2")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/m2")));
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	ASSERT_EQ(EBUSY, lfs_mount(lfs_expand(self->base, "$/m2"),
		lfs_expand(self->base, "lowerdir=$/l2,upperdir=$/u2,workdir=$/w")));
	/* The upper directory of one mount as the workdir of another. */
	ASSERT_EQ(EBUSY, lfs_mount(lfs_expand(self->base, "$/m2"),
		lfs_expand(self->base, "lowerdir=$/l2,upperdir=$/u2,workdir=$/u")));
}

/* Without an upper layer the superblock is read-only: remount rw is refused. */
TEST_F(opts, remount_rw_erofs)
{
	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1:$/l2"));
	ASSERT_EQ(-1, mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(EROFS, errno);
	/* The mount survives the refused remount. */
	ASSERT_STREQ("one", merged(self, "f1"));
}

/* With an upper layer, remounting read-only and back read-write works. */
TEST_F(opts, remount_ro_rw)
{
	char opts[8192];

	ASSERT_EQ(0, try_mount(self, "lowerdir=$/l1,upperdir=$/u,workdir=$/w"));
	ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, lfs_mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_TRUE(!strncmp(opts, "ro,", 3));
	ASSERT_EQ(-1, mkdir(lfs_expand(self->base, "$/m/x"), 0755));
	ASSERT_EQ(EROFS, errno);
	ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, lfs_mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_TRUE(!strncmp(opts, "rw,", 3));
	ASSERT_STREQ("one", merged(self, "f1"));
}

/* ---- fsopen()/fsconfig() ------------------------------------------------- */

/*
 * Configure @key=@value on a fresh fs_context and create the superblock.
 * Returns the errno of the first step that failed (0 if none) and leaves
 * the fs_context fd in *@fdp for reading the log.
 */
static int fsconfig_create(const char *key, const char *value, int *fdp)
{
	int fd = syscall(SYS_fsopen, lfs_fstype(), FSOPEN_CLOEXEC);

	*fdp = fd;
	if (fd < 0)
		return errno ? errno : EIO;
	if (syscall(SYS_fsconfig, fd, value ? FSCONFIG_SET_STRING :
		    FSCONFIG_SET_FLAG, key, value, 0))
		return errno;
	if (syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return errno;
	return 0;
}

/* Read one log message from an fs_context fd (NUL-terminated). */
static ssize_t read_fc_log(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* ENOENT via fsconfig, and the reason can be read from the context fd. */
TEST_F(opts, fsconfig_missing_lower_log_message)
{
	char msg[1024], prefix[64];
	char *nl;
	int fd;

	ASSERT_EQ(ENOENT, fsconfig_create("lowerdir",
			lfs_expand(self->base, "$/nope"), &fd));
	ASSERT_GT(read_fc_log(fd, msg, sizeof(msg)), 0);
	TH_LOG("log: %s", msg);
	snprintf(prefix, sizeof(prefix), "e %s:", lfs_fstype());
	ASSERT_EQ(0, strncmp(msg, prefix, strlen(prefix)));
	/* One line: no newline, except possibly a final one. */
	nl = strchr(msg, '\n');
	ASSERT_TRUE(!nl || nl[1] == '\0');
	/* And it says something after the prefix. */
	ASSERT_GT(strlen(msg), strlen(prefix) + 1);
	close(fd);
}

/* An unknown flag is refused through fsconfig as well, with a message. */
TEST_F(opts, fsconfig_unknown_flag_einval)
{
	char msg[1024], prefix[64];
	int fd;

	ASSERT_EQ(EINVAL, fsconfig_create("frobnicate", NULL, &fd));
	ASSERT_GT(read_fc_log(fd, msg, sizeof(msg)), 0);
	TH_LOG("log: %s", msg);
	snprintf(prefix, sizeof(prefix), "e %s:", lfs_fstype());
	ASSERT_EQ(0, strncmp(msg, prefix, strlen(prefix)));
	close(fd);
}

/* A good configuration creates a superblock that move_mount can attach. */
TEST_F(opts, fsconfig_good_mount)
{
	int fd, mfd;

	ASSERT_EQ(0, fsconfig_create("lowerdir",
			lfs_expand(self->base, "$/l1:$/l2"), &fd));
	mfd = syscall(SYS_fsmount, fd, 0, 0);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, syscall(SYS_move_mount, mfd, "", AT_FDCWD, self->mnt,
			     0x00000004 /* MOVE_MOUNT_F_EMPTY_PATH */));
	ASSERT_STREQ("one", merged(self, "f1"));
	ASSERT_STREQ("two", merged(self, "f2"));
	close(mfd);
	close(fd);
}

/* ---- mount(2)'s one page of options ------------------------------------ */

/*
 * mount(2) copies at most one page of option data and ends the string at
 * its last byte: of a longer string the filesystem sees the first
 * LFS_PAGE - 1 bytes.  layerfs refuses a string that fills the page; these
 * tests build lowerdir lists of an exact length to hit each side of that.
 */
#define LFS_PAGE	4096
#define CUT_MSG		"options fill mount(2)'s one page"

/* Make @n layers $/<dir>/<i><suffix>, each holding f<i> ("<i>"). */
static int make_layers(const char *base, const char *dir, const char *suffix,
		       int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		const char *d = lfs_fmt("%s/%s/%d%s", base, dir, i, suffix);

		err = lfs_mkdir_p(d);
		if (!err)
			err = lfs_write(lfs_fmt("%s/f%d", d, i),
					lfs_fmt("%d", i));
		if (err)
			return err;
	}
	return 0;
}

/*
 * "lowerdir=" and the layers of make_layers(), top first, into @buf
 * (@len bytes): as absolute paths below @base (NULL: relative to $/<dir>,
 * just "<i><suffix>"), the first one written with @pad extra slashes, so
 * that a test can move every later byte to where it wants it.  Returns the
 * length of the string.
 */
static size_t layer_list(char *buf, size_t len, const char *base,
			 const char *dir, const char *suffix, int n, int pad)
{
	size_t o = snprintf(buf, len, "lowerdir=");
	int i;

	for (i = 0; i < n && o < len; i++) {
		if (i)
			buf[o++] = ':';
		if (base)
			o += snprintf(buf + o, len - o, "%s%*s/%s/", base,
				      i ? 0 : pad, "", dir);
		o += snprintf(buf + o, len - o, "%d%s", i, suffix);
	}
	if (base) {	/* the padding: spaces above, slashes here */
		char *p = buf + strlen("lowerdir=") + strlen(base);

		memset(p, '/', pad);
	}
	return o;
}

/* Does the merged view show f<i> of every one of @n layers? */
static bool all_layers_seen(const char *mnt, int n)
{
	char buf[32];
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(lfs_fmt("%d", i), lfs_cat(lfs_fmt("%s/f%d", mnt, i),
						      buf, sizeof(buf))))
			return false;
	return true;
}

/* /dev/kmsg, positioned after the last message logged so far. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Has a message containing @needle been logged since kmsg_open()? */
static bool kmsg_find(int fd, const char *needle, char *rec, size_t len)
{
	ssize_t n;

	rec[0] = '\0';
	for (;;) {
		n = read(fd, rec, len - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n <= 0)
			return false;
		rec[n] = '\0';
		if (strstr(rec, needle))
			return true;
	}
}

/*
 * mount(2) the list in @opts (longer than a page) and check that it is
 * refused with EINVAL and the one-line message.  Returns the errno.
 */
static int mount_cut(FIXTURE_DATA(opts) *self, const char *opts,
		     struct __test_metadata *_metadata)
{
	char rec[8192];
	int err, fd = kmsg_open();

	EXPECT_LE(0, fd);
	err = lfs_mount(self->mnt, opts);
	if (fd >= 0) {
		EXPECT_TRUE(kmsg_find(fd, lfs_fmt("%s: %s", lfs_fstype(),
						  CUT_MSG), rec, sizeof(rec)));
		TH_LOG("kmsg: %s", rec);
		close(fd);
	}
	return err;
}

/*
 * The case of the bug report, in a container store's layout: 300 layers
 * $/tc/<i>/diff, about 9,000 bytes.  The first layer is padded so that the
 * kernel's cut falls in the middle of a path and leaves "$/tc/<j>/", the
 * directory above layer j: it exists and overlaps no layer kept, so before
 * the check the mount succeeded, the bottom layers missing and j's parent
 * directory mounted in their place.
 */
TEST_F(opts, option_string_cut_mid_path_einval)
{
	static char opts[16384];
	char kept[LFS_PAGE];
	const char *last = NULL;
	struct stat st;
	int pad;

	ASSERT_EQ(0, make_layers(self->base, "tc", "/diff", 300));
	for (pad = 0; pad < 64; pad++) {
		layer_list(opts, sizeof(opts), self->base, "tc", "/diff", 300,
			   pad);
		/* what the kernel keeps: the page, its last byte a NUL */
		memcpy(kept, opts, sizeof(kept) - 1);
		kept[sizeof(kept) - 1] = '\0';
		last = strrchr(kept, ':') + 1;
		if (kept[LFS_PAGE - 2] == '/' && opts[LFS_PAGE - 1] == 'd')
			break;
	}
	/* Premise: what the kernel keeps names existing directories only. */
	ASSERT_LT(pad, 64);
	ASSERT_EQ(0, stat(last, &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	TH_LOG("%zu bytes; the kernel keeps %zu, ending in '%s'", strlen(opts),
	       strlen(kept), last);
	ASSERT_EQ(EINVAL, mount_cut(self, opts, _metadata));
}

/*
 * A cut that falls exactly between two layers leaves a list of whole
 * layers: still refused, because the page is full.
 */
TEST_F(opts, option_string_cut_between_layers_einval)
{
	static char opts[16384];
	int pad;

	ASSERT_EQ(0, make_layers(self->base, "tc", "/diff", 300));
	for (pad = 0; pad < 64; pad++) {
		layer_list(opts, sizeof(opts), self->base, "tc", "/diff", 300,
			   pad);
		if (opts[LFS_PAGE - 1] == ':')
			break;
	}
	ASSERT_LT(pad, 64);
	ASSERT_EQ(EINVAL, mount_cut(self, opts, _metadata));
}

/*
 * Long layer paths: 32 layers of about 125 bytes each below a directory
 * with a 100-byte name, so that the same layers also fit fsconfig()'s
 * 255-byte values as paths relative to that directory.
 */
#define LONG_DIR	"dddddddddddddddddddddddddddddddddddddddddddddddddd" \
			"dddddddddddddddddddddddddddddddddddddddddddddddddd"
#define NLONG		32

/* Pad the list of the NLONG long layers to exactly @total bytes. */
static size_t long_list(FIXTURE_DATA(opts) *self, char *buf, size_t len,
			size_t total)
{
	size_t n = layer_list(buf, len, self->base, LONG_DIR, "", NLONG, 0);

	if (n > total)
		return n;
	return layer_list(buf, len, self->base, LONG_DIR, "", NLONG,
			  total - n);
}

/* 4,000 bytes: every layer is there. */
TEST_F(opts, option_string_4000_bytes_mounts_all_layers)
{
	static char opts[LFS_PAGE * 2];

	ASSERT_EQ(0, make_layers(self->base, LONG_DIR, "", NLONG));
	ASSERT_EQ(4000, long_list(self, opts, sizeof(opts), 4000));
	ASSERT_EQ(0, lfs_mount(self->mnt, opts));
	ASSERT_TRUE(all_layers_seen(self->mnt, NLONG));
}

/*
 * The boundary: 4,094 bytes (the longest string with room for its NUL
 * before the page's last byte) mounts; 4,095 bytes is not cut, but the
 * kernel would hand a longer string over exactly the same way: refused.
 */
TEST_F(opts, option_string_page_full_boundary)
{
	static char opts[LFS_PAGE * 2];

	ASSERT_EQ(0, make_layers(self->base, LONG_DIR, "", NLONG));
	ASSERT_EQ(LFS_PAGE - 2, long_list(self, opts, sizeof(opts),
					  LFS_PAGE - 2));
	ASSERT_EQ(0, lfs_mount(self->mnt, opts));
	ASSERT_TRUE(all_layers_seen(self->mnt, NLONG));
	ASSERT_EQ(0, umount(self->mnt));

	ASSERT_EQ(LFS_PAGE - 1, long_list(self, opts, sizeof(opts),
					  LFS_PAGE - 1));
	ASSERT_EQ(EINVAL, mount_cut(self, opts, _metadata));
}

/*
 * fsconfig() never goes through the one page: the same 32 layers, named
 * relative to the mounter's working directory, mount whole.  (The same
 * list spelled out in absolute paths is too long for one fsconfig() value:
 * the kernel refuses values of more than 255 bytes, before layerfs.)
 */
TEST_F(opts, option_string_same_layers_through_fsconfig)
{
	static char opts[LFS_PAGE * 2];
	int fd, mfd;

	ASSERT_EQ(0, make_layers(self->base, LONG_DIR, "", NLONG));
	long_list(self, opts, sizeof(opts), 4000);
	ASSERT_EQ(EINVAL, fsconfig_create("lowerdir",
					  opts + strlen("lowerdir="), &fd));
	close(fd);

	layer_list(opts, sizeof(opts), NULL, LONG_DIR, "", NLONG, 0);
	ASSERT_EQ(0, chdir(lfs_fmt("%s/%s", self->base, LONG_DIR)));
	ASSERT_EQ(0, fsconfig_create("lowerdir", opts + strlen("lowerdir="),
				     &fd));
	mfd = syscall(SYS_fsmount, fd, 0, 0);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, syscall(SYS_move_mount, mfd, "", AT_FDCWD, self->mnt,
			     0x00000004 /* MOVE_MOUNT_F_EMPTY_PATH */));
	ASSERT_TRUE(all_layers_seen(self->mnt, NLONG));
	close(mfd);
	close(fd);
}

TEST_HARNESS_MAIN
