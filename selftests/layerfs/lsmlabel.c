// SPDX-License-Identifier: GPL-2.0
/*
 * lsmlabel.c - the SELinux labels of objects created and copied up through
 * the mount, on layerfs and on the kernel's overlayfs side by side.
 *
 * A stacking filesystem creates its real objects with the mounter's
 * credentials.  An LSM that labels files (SELinux, Smack) would then label
 * every new object for the mounter, unless the filesystem asks it for the
 * caller's label first: security_dentry_create_files_as() for a create,
 * security_inode_copy_up() for a copy-up (layerfs_override_creator() and
 * layerfs_create_copy(), as ovl_create_or_link() and ovl_copy_up_one()).
 *
 * The test VM boots this program alone with security=selinux (scripts/vm.sh,
 * LSM_TESTS), and the program loads lsmlabel.pol, the small policy of
 * lsmlabel.cil built by the Makefile with secilc, unless a policy is loaded
 * already.  That policy denies nothing and labels by creator: an object
 * the caller's domain (caller_t) makes in a directory of type dir_t or
 * lower_dir_t is caller_obj_t (caller_named_t under the name "named"),
 * anything the mounter's domain (mounter_t) makes is mounter_obj_t; tmpfs
 * labels by creator (fs_use_trans), layerfs and overlay take each object's
 * label from the real object's security.selinux (fs_use_xattr).
 *
 * Each case builds the same layers for layerfs ($/layerfs) and overlay
 * ($/overlay), mounts both as mounter_t, then a child in caller_t (root,
 * like the mounter: only the label differs) creates or copies up through
 * the mount.  The label of each object, read as security.selinux from the
 * merged view and from the raw upper object, must be the caller's (or the
 * copied object's) on layerfs, and the same on overlay wherever overlay
 * can make the object (not O_TMPFILE on 6.1).  With the mounter's
 * credentials the objects would be mounter_obj_t.
 *
 * Layers of each stack (l lower, u upper, w work, m the mount):
 *   l/open/          dir_t: the caller creates in it (in place)
 *   l/wo/            dir_t: wfile, named (files) and wdir (a directory),
 *                    removed through the mount, then made again
 *   l/cu/            lower_dir_t, holding f and g (lower_file_t): copied up
 *   w/               work_t
 *
 * Without SELinux active (another major LSM booted, or no selinuxfs) or
 * without lsmlabel.pol, every case SKIPs and says which.
 */
#define _GNU_SOURCE
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define SELINUXFS	"/sys/fs/selinux"
#define XATTR_SEL	"security.selinux"
#define POLICY_FILE	"lsmlabel.pol"
#define CTX(type)	"u:object_r:" type
#define DOMAIN(type)	"u:r:" type
#define LABEL_MAX	256

static const char *const fstypes[] = { "layerfs", "overlay" };

/* ---- SELinux in the VM ------------------------------------------------- */

/* Write @s to @path; 0 or errno. */
static int put(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, len);
	close(fd);
	return n == (ssize_t)len ? 0 : (n < 0 ? errno : EIO);
}

/* Copy file @from to the selinuxfs file @to in one write; 0 or errno. */
static int put_file(const char *from, const char *to)
{
	static char pol[1 << 20];
	ssize_t n;
	int fd = open(from, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	n = read(fd, pol, sizeof(pol));
	close(fd);
	if (n <= 0 || n == sizeof(pol))
		return n < 0 ? errno : (n ? EFBIG : ENODATA);
	return put(to, pol, n);
}

/* lsmlabel.pol beside this program (the selftests' install directory). */
static const char *policy_path(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n < 0)
		return POLICY_FILE;
	path[n] = '\0';
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path,
		 sizeof(path) - (slash ? slash + 1 - path : 0), "%s", POLICY_FILE);
	return path;
}

/*
 * Make SELinux usable with lsmlabel.pol's types: mount selinuxfs, load the
 * policy if none is loaded yet, and make sure the loaded policy is ours
 * (the kernel validates a context written to selinuxfs's "context").
 * Returns NULL, or why the cases must skip.
 */
static const char *selinux_ready(void)
{
	static char why[512];
	char cmdline[1024] = "";
	int err;

	if (access(SELINUXFS, F_OK)) {
		lfs_cat("/proc/cmdline", cmdline, sizeof(cmdline));
		cmdline[strcspn(cmdline, "\n")] = '\0';
		snprintf(why, sizeof(why),
			 "SELinux is not active in this boot (no %s: a kernel without CONFIG_SECURITY_SELINUX, or another major LSM chosen; scripts/vm.sh boots lsmlabel with security=selinux; cmdline: %s)",
			 SELINUXFS, cmdline);
		return why;
	}
	if (access(SELINUXFS "/load", F_OK) &&
	    mount("selinuxfs", SELINUXFS, "selinuxfs", 0, NULL)) {
		snprintf(why, sizeof(why), "cannot mount selinuxfs: %s",
			 strerror(errno));
		return why;
	}
	/* selinuxfs lists the classes once a policy is loaded */
	if (access(SELINUXFS "/class/process", F_OK)) {
		err = put_file(policy_path(), SELINUXFS "/load");
		if (err) {
			snprintf(why, sizeof(why),
				 "loading %s: %s (it is built from lsmlabel.cil by secilc, which scripts/setup.sh installs)",
				 policy_path(), strerror(err));
			return why;
		}
		/* (it denies nothing, but be sure) */
		put(SELINUXFS "/enforce", "0", 1);
	}
	err = put(SELINUXFS "/context", DOMAIN("caller_t"),
		  strlen(DOMAIN("caller_t")));
	if (err) {
		snprintf(why, sizeof(why),
			 "the loaded SELinux policy is not lsmlabel.pol (%s: %s)",
			 DOMAIN("caller_t"), strerror(err));
		return why;
	}
	return NULL;
}

/* Move this process to domain @type ("caller_t"); 0 or errno. */
static int set_domain(const char *type)
{
	const char *ctx = lfs_fmt("u:r:%s", type);

	return put("/proc/self/attr/current", ctx, strlen(ctx));
}

struct in_domain {
	const char *type;
	int (*fn)(const void *arg);
	const void *arg;
};

static int in_domain_trampoline(const void *p)
{
	const struct in_domain *d = p;

	if (set_domain(d->type))
		return 253;
	return d->fn(d->arg);
}

/* Run @fn(@arg) in a child in domain @type: its 0/errno (see lfs_in_child). */
static int run_in_domain(const char *type, int (*fn)(const void *arg),
			 const void *arg)
{
	struct in_domain d = { .type = type, .fn = fn, .arg = arg };

	return lfs_in_child(in_domain_trampoline, &d);
}

/* The label of @path itself (not a symlink's target), or "(errno text)". */
static const char *label_of(const char *path, char *buf, size_t len)
{
	ssize_t n = lgetxattr(path, XATTR_SEL, buf, len - 1);

	if (n < 0)
		snprintf(buf, len, "(%s)", strerror(errno));
	else
		buf[n] = '\0';
	return buf;
}

/* Label @path (lsetxattr); 0 or errno. */
static int relabel(const char *path, const char *ctx)
{
	return WU_ERR(lsetxattr(path, XATTR_SEL, ctx, strlen(ctx), 0));
}

/* ---- the fixture ----------------------------------------------------------- */

FIXTURE(lbl) {
	char base[PATH_MAX];
	bool have_ovl;
};

/* $/<fs>/<rel> */
#define AT(fs, rel)	lfs_fmt("%s/%s/%s", self->base, fs, rel)

/* The layers described in the header, under $/<fs>; not mounted yet. */
static int make_layers(FIXTURE_DATA(lbl) *self, const char *fs)
{
	static const char *const dirs[] = {
		"l/open", "l/wo/wdir", "l/cu", "u", "w", "m",
	};
	static const struct {
		const char *rel, *ctx;
	} labels[] = {
		{ "l/open", CTX("dir_t") },
		{ "l/wo", CTX("dir_t") },
		{ "l/cu", CTX("lower_dir_t") },
		{ "l/cu/f", CTX("lower_file_t") },
		{ "l/cu/g", CTX("lower_file_t") },
		{ "w", CTX("work_t") },
	};
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(dirs); i++)
		err = lfs_mkdir_p(AT(fs, dirs[i]));
	if (!err)
		err = lfs_write(AT(fs, "l/wo/wfile"), "lower");
	if (!err)
		err = lfs_write(AT(fs, "l/wo/named"), "lower");
	if (!err)
		err = lfs_write(AT(fs, "l/cu/f"), "lower");
	if (!err)
		err = lfs_write(AT(fs, "l/cu/g"), "lower");
	for (i = 0; !err && i < ARRAY_SIZE(labels); i++)
		err = relabel(AT(fs, labels[i].rel), labels[i].ctx);
	return err;
}

static int mount_stack(FIXTURE_DATA(lbl) *self, const char *fs)
{
	return wu_mount_type(fs, AT(fs, "m"),
			     lfs_fmt("lowerdir=%s,upperdir=%s,workdir=%s",
				     AT(fs, "l"), AT(fs, "u"), AT(fs, "w")));
}

FIXTURE_SETUP(lbl)
{
	const char *why;
	unsigned int i;

	LFS_REQUIRE(return);
	why = selinux_ready();
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, lfs_private_ns());
	/* (a tmpfs mounted now, under the policy: fs_t at its root) */
	ASSERT_EQ(0, lfs_make_base(self->base));
	self->have_ovl = lfs_fs_available("overlay");
	for (i = 0; i < ARRAY_SIZE(fstypes); i++) {
		if (i && !self->have_ovl)
			break;
		ASSERT_EQ(0, lfs_mkdir_p(AT(fstypes[i], "")));
		ASSERT_EQ(0, make_layers(self, fstypes[i]));
	}
	/* The layers are built; from now on this process is the mounter. */
	ASSERT_EQ(0, set_domain("mounter_t"));
	for (i = 0; i < ARRAY_SIZE(fstypes); i++) {
		if (i && !self->have_ovl)
			break;
		ASSERT_EQ(0, mount_stack(self, fstypes[i]))
			TH_LOG("mounting %s", fstypes[i]);
	}
	if (!self->have_ovl)
		TH_LOG("overlay is not in /proc/filesystems: layerfs alone");
}

FIXTURE_TEARDOWN(lbl)
{
	LFS_DROP_BASE(self->base, "layerfs/m", "overlay/m");
}

/*
 * The label of $/<fs>/m/<rel> (merged view) and $/<fs>/u/<rel> (the raw
 * upper object) must be @type, on layerfs and (when @ovl_too) on overlay,
 * which must then agree with layerfs.
 */
static void expect_labels(struct __test_metadata *_metadata,
			  FIXTURE_DATA(lbl) *self, const char *rel,
			  const char *type, bool ovl_too)
{
	char want[LABEL_MAX], got[2][2][LABEL_MAX];
	unsigned int i, n = self->have_ovl && ovl_too ? 2 : 1;

	snprintf(want, sizeof(want), "u:object_r:%s", type);
	for (i = 0; i < n; i++) {
		label_of(AT(fstypes[i], lfs_fmt("m/%s", rel)), got[i][0],
			 LABEL_MAX);
		label_of(AT(fstypes[i], lfs_fmt("u/%s", rel)), got[i][1],
			 LABEL_MAX);
		EXPECT_STREQ(want, got[i][0])
			TH_LOG("%s: %s in the merged view", fstypes[i], rel);
		EXPECT_STREQ(want, got[i][1])
			TH_LOG("%s: %s in the upper layer", fstypes[i], rel);
	}
	if (n == 2) {
		EXPECT_STREQ(got[1][0], got[0][0]) TH_LOG("%s merged", rel);
		EXPECT_STREQ(got[1][1], got[0][1]) TH_LOG("%s upper", rel);
	}
}

/*
 * The premise: the policy tells the two creators apart.  In the raw
 * lower directory open/ (dir_t), a file the caller makes is caller_obj_t,
 * one the mounter makes is mounter_obj_t, and "named" caller_named_t.
 */
static int premise_create(const void *arg)
{
	return lfs_write(arg, "x");
}

TEST_F(lbl, premise_policy_labels_by_creator)
{
	char buf[LABEL_MAX];

	ASSERT_EQ(0, run_in_domain("caller_t", premise_create,
				   AT("layerfs", "l/open/by_caller")));
	ASSERT_EQ(0, run_in_domain("caller_t", premise_create,
				   AT("layerfs", "l/open/named")));
	ASSERT_EQ(0, run_in_domain("mounter_t", premise_create,
				   AT("layerfs", "l/open/by_mounter")));
	EXPECT_STREQ(CTX("caller_obj_t"),
		     label_of(AT("layerfs", "l/open/by_caller"), buf, sizeof(buf)));
	EXPECT_STREQ(CTX("caller_named_t"),
		     label_of(AT("layerfs", "l/open/named"), buf, sizeof(buf)));
	EXPECT_STREQ(CTX("mounter_obj_t"),
		     label_of(AT("layerfs", "l/open/by_mounter"), buf,
			      sizeof(buf)));
	EXPECT_STREQ(CTX("work_t"), label_of(AT("layerfs", "w"), buf,
					     sizeof(buf)));
}

/* ---- creation in place ------------------------------------------------------ */

/* (As the caller.)  Every kind of object in $m/open; 0 or errno. */
static int create_in_place(const void *arg)
{
	const char *m = arg;
	int err;

	err = lfs_write(lfs_fmt("%s/open/file", m), "new");
	if (!err)
		err = lfs_write(lfs_fmt("%s/open/named", m), "new");
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/open/dir", m), 0755));
	if (!err)
		err = WU_ERR(symlink("file", lfs_fmt("%s/open/link", m)));
	if (!err)
		err = WU_ERR(mknod(lfs_fmt("%s/open/fifo", m), S_IFIFO | 0644, 0));
	if (!err)
		err = WU_ERR(mknod(lfs_fmt("%s/open/chr", m), S_IFCHR | 0644,
				   makedev(1, 3)));
	if (!err)
		err = WU_ERR(mknod(lfs_fmt("%s/open/sock", m), S_IFSOCK | 0644, 0));
	return err;
}

/*
 * create, mkdir, symlink, mknod (FIFO, character device, socket) in a
 * lower-only directory: the directory is copied up with its own label,
 * each object gets the caller's.
 */
TEST_F(lbl, create_in_place_caller_label)
{
	static const struct {
		const char *rel, *type;
	} objs[] = {
		{ "open", "dir_t" },		/* copied up for the creates */
		{ "open/file", "caller_obj_t" },
		{ "open/named", "caller_named_t" },
		{ "open/dir", "caller_obj_t" },
		{ "open/link", "caller_obj_t" },
		{ "open/fifo", "caller_obj_t" },
		{ "open/chr", "caller_obj_t" },
		{ "open/sock", "caller_obj_t" },
	};
	unsigned int i;

	ASSERT_EQ(0, run_in_domain("caller_t", create_in_place,
				   AT("layerfs", "m")));
	if (self->have_ovl)
		ASSERT_EQ(0, run_in_domain("caller_t", create_in_place,
					   AT("overlay", "m")));
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		expect_labels(_metadata, self, objs[i].rel, objs[i].type, true);
}

/* ---- creation over a whiteout ----------------------------------------------- */

/*
 * (As the caller.)  Remove wo/'s lower names through the mount (leaving
 * whiteouts), then make them again: a file, a file named "named", and a
 * directory where a lower directory was.  0 or errno.
 */
static int create_over_whiteouts(const void *arg)
{
	const char *m = arg;
	int err;

	err = WU_ERR(unlink(lfs_fmt("%s/wo/wfile", m)));
	if (!err)
		err = WU_ERR(unlink(lfs_fmt("%s/wo/named", m)));
	if (!err)
		err = WU_ERR(rmdir(lfs_fmt("%s/wo/wdir", m)));
	if (!err)
		err = lfs_write(lfs_fmt("%s/wo/wfile", m), "again");
	if (!err)
		err = lfs_write(lfs_fmt("%s/wo/named", m), "again");
	if (!err)
		err = WU_ERR(mkdir(lfs_fmt("%s/wo/wdir", m), 0755));
	return err;
}

/*
 * An object that replaces a whiteout is made in work/ (work_t) by the
 * mounter and renamed into place: it still gets the label the caller
 * would get in the merged directory, under its own name.
 */
TEST_F(lbl, create_over_whiteout_caller_label)
{
	ASSERT_EQ(0, run_in_domain("caller_t", create_over_whiteouts,
				   AT("layerfs", "m")));
	if (self->have_ovl)
		ASSERT_EQ(0, run_in_domain("caller_t", create_over_whiteouts,
					   AT("overlay", "m")));
	/* (the premise: each replaced a whiteout, so went through work/) */
	EXPECT_TRUE(wu_is_opaque(AT("layerfs", "u/wo/wdir")));
	expect_labels(_metadata, self, "wo", "dir_t", true);
	expect_labels(_metadata, self, "wo/wfile", "caller_obj_t", true);
	expect_labels(_metadata, self, "wo/named", "caller_named_t", true);
	expect_labels(_metadata, self, "wo/wdir", "caller_obj_t", true);
}

/* ---- copy-up ---------------------------------------------------------------- */

/*
 * (As the caller.)  Append to cu/f (copying cu/ and cu/f up), make cu/new
 * in the copied-up directory, and a hard link cu/hard to f.  0 or errno.
 */
static int copy_up_ops(const void *arg)
{
	const char *m = arg;
	int fd, err = 0;

	fd = open(lfs_fmt("%s/cu/f", m), O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, "+", 1) != 1)
		err = EIO;
	close(fd);
	if (!err)
		err = lfs_write(lfs_fmt("%s/cu/new", m), "new");
	if (!err)
		err = WU_ERR(link(lfs_fmt("%s/cu/f", m),
				  lfs_fmt("%s/cu/hard", m)));
	return err;
}

/*
 * A copy-up keeps the label of the object copied (the directory's and the
 * file's), which the mounter could not have given it; a new object in the
 * copied-up directory gets the caller's label for that directory, and a
 * hard link is the same object, with its label.
 */
TEST_F(lbl, copy_up_keeps_label)
{
	char buf[32];

	ASSERT_EQ(0, run_in_domain("caller_t", copy_up_ops, AT("layerfs", "m")));
	if (self->have_ovl)
		ASSERT_EQ(0, run_in_domain("caller_t", copy_up_ops,
					   AT("overlay", "m")));
	/* (the premise: f was copied up, the lower file is unchanged) */
	lfs_cat(AT("layerfs", "u/cu/f"), buf, sizeof(buf));
	ASSERT_STREQ("lower+", buf);
	lfs_cat(AT("layerfs", "l/cu/f"), buf, sizeof(buf));
	ASSERT_STREQ("lower", buf);
	expect_labels(_metadata, self, "cu", "lower_dir_t", true);
	expect_labels(_metadata, self, "cu/f", "lower_file_t", true);
	expect_labels(_metadata, self, "cu/hard", "lower_file_t", true);
	expect_labels(_metadata, self, "cu/new", "caller_obj_t", true);
}

/*
 * The label a copy gets is the merged inode's (security_inode_copy_up()),
 * not the lower file's security.selinux: SELinux tells copy-up to leave
 * that xattr out (security_inode_copy_up_xattr()).  The two differ when
 * the lower file is relabelled (relabelled_t) while the merged inode,
 * held open, still has the label it was read with (lower_file_t); a
 * copy-up that copied security.selinux would give relabelled_t.
 */
static int copy_up_relabelled(FIXTURE_DATA(lbl) *self, const char *fs)
{
	int fd, err;

	fd = open(AT(fs, "m/cu/g"), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1000 + errno;
	err = relabel(AT(fs, "l/cu/g"), CTX("relabelled_t"));
	if (!err)
		err = WU_ERR(chmod(AT(fs, "m/cu/g"), 0600));	/* copies g up */
	close(fd);
	return err;
}

TEST_F(lbl, copy_up_label_not_copied_xattr)
{
	char buf[LABEL_MAX];

	ASSERT_EQ(0, copy_up_relabelled(self, "layerfs"));
	if (self->have_ovl)
		ASSERT_EQ(0, copy_up_relabelled(self, "overlay"));
	/* (the premise: the lower file's label changed) */
	label_of(AT("layerfs", "l/cu/g"), buf, sizeof(buf));
	ASSERT_STREQ(CTX("relabelled_t"), buf);
	expect_labels(_metadata, self, "cu/g", "lower_file_t", true);
}

/* ---- O_TMPFILE ------------------------------------------------------------ */

/*
 * (As the caller.)  An O_TMPFILE file in $m/open, its label read through
 * the descriptor into @arg's label buffer, then linked as open/tmp.
 * Returns 0 or errno (EOPNOTSUPP: no O_TMPFILE, overlay on 6.1).
 */
struct tmpfile_arg {
	const char *m;
	char label[LABEL_MAX];
	int pipe[2];
};

static int make_tmpfile(const void *arg)
{
	const struct tmpfile_arg *t = arg;
	char label[LABEL_MAX];
	ssize_t n;
	int fd, err = 0;

	fd = open(lfs_fmt("%s/open", t->m), O_TMPFILE | O_RDWR, 0644);
	if (fd < 0)
		return errno;
	n = fgetxattr(fd, XATTR_SEL, label, sizeof(label) - 1);
	if (n < 0)
		n = snprintf(label, sizeof(label), "(%s)", strerror(errno));
	else
		label[n] = '\0';
	if (write(t->pipe[1], label, strlen(label) + 1) < 0)
		err = errno;
	if (!err)
		err = WU_ERR(linkat(AT_FDCWD, lfs_fmt("/proc/self/fd/%d", fd),
				    AT_FDCWD, lfs_fmt("%s/open/tmp", t->m),
				    AT_SYMLINK_FOLLOW));
	close(fd);
	return err;
}

/* make_tmpfile() as the caller on $/<fs>/m; the open file's label in @t. */
static int tmpfile_as_caller(FIXTURE_DATA(lbl) *self, const char *fs,
			     struct tmpfile_arg *t)
{
	ssize_t n;
	int err;

	t->m = AT(fs, "m");
	t->label[0] = '\0';
	if (pipe(t->pipe))
		return errno;
	err = run_in_domain("caller_t", make_tmpfile, t);
	close(t->pipe[1]);
	n = read(t->pipe[0], t->label, sizeof(t->label) - 1);
	t->label[n > 0 ? n : 0] = '\0';
	close(t->pipe[0]);
	return err;
}

/*
 * open(O_TMPFILE): the unnamed upper file gets the caller's label, seen
 * through the open descriptor, and keeps it once linked.  layerfs has
 * O_TMPFILE on both kernels; overlay only since 6.10, so on 6.1 layerfs's
 * label is checked alone.
 */
TEST_F(lbl, tmpfile_caller_label)
{
	struct tmpfile_arg t;
	int err;

	ASSERT_EQ(0, tmpfile_as_caller(self, "layerfs", &t));
	EXPECT_STREQ(CTX("caller_obj_t"), t.label)
		TH_LOG("layerfs: the O_TMPFILE descriptor");
	err = self->have_ovl ? tmpfile_as_caller(self, "overlay", &t) : ENODEV;
	if (!err) {
		EXPECT_STREQ(CTX("caller_obj_t"), t.label)
			TH_LOG("overlay: the O_TMPFILE descriptor");
	} else {
		TH_LOG("overlay: no O_TMPFILE (%s), layerfs checked alone",
		       strerror(err));
	}
	expect_labels(_metadata, self, "open/tmp", "caller_obj_t", !err);
}

TEST_HARNESS_MAIN
