// SPDX-License-Identifier: GPL-2.0
/*
 * xattr_escape.c - trusted.overlay.* names through the mount, side by side
 * with the kernel's overlayfs.
 *
 * trusted.overlay.* describe the layers (opaque directories, and what
 * overlayfs records).  What a user gets when naming one through the mount
 * changed in overlayfs 6.7:
 *   - before: getxattr, setxattr and removexattr fail with EOPNOTSUPP, such
 *     names are never listed, and copy-up drops all of them;
 *   - since:  the name is "escaped": trusted.overlay.X through the mount is
 *     trusted.overlay.overlay.X in the layers.  A lower object holding
 *     trusted.overlay.overlay.X shows (getxattr, listxattr) X under
 *     trusted.overlay.X, a setxattr stores the escaped name in the upper
 *     layer, and copy-up keeps escaped names.  The raw trusted.overlay.X
 *     stays invisible, and an escaped opaque marker is the user's data:
 *     it makes nothing opaque.
 * layerfs follows the overlayfs of the kernel it runs on.  Each test builds
 * two identical stacks (l1:l2 + u), mounts one as layerfs and one as
 * overlay, runs the same script on both and compares the transcripts; the
 * answers that show which rule applies are pinned per kernel as well.
 */
#define _GNU_SOURCE

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#define ESC	"trusted.overlay.overlay."

FIXTURE(esc) {
	char base[PATH_MAX];
};

FIXTURE_SETUP(esc)
{
	LFS_SETUP_VS_OVERLAY(self->base, 022);
}

FIXTURE_TEARDOWN(esc)
{
	lfs_drop_base(self->base, NULL);
}

/*
 * The lower layers: d merged from l1 (carrying an escaped opaque marker)
 * and l2; f with an escaped, a raw private and a plain trusted xattr; g
 * with a doubly escaped one; h plain.
 */
static int build(const char *dir)
{
	static const char *const dirs[] = {
		"", "/l1", "/l2", "/u", "/w", "/m", "/l1/d", "/l2/d",
	};
	unsigned int i;
	int err = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !err; i++)
		if (mkdir(lfs_fmt("%s%s", dir, dirs[i]), 0755))
			err = errno;
	if (!err)
		err = lfs_write(lfs_fmt("%s/l1/d/c1", dir), "c1");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l2/d/c2", dir), "c2");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l1/f", dir), "f");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l1/g", dir), "g");
	if (!err)
		err = lfs_write(lfs_fmt("%s/l1/h", dir), "h");
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l1/d", dir), ESC "opaque",
				      "y", 1, 0));
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l1/f", dir), ESC "x", "1", 1,
				      0));
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l1/f", dir),
				      "trusted.overlay.priv", "p", 1, 0));
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l1/f", dir), "trusted.t",
				      "t", 1, 0));
	if (!err)
		err = WU_ERR(setxattr(lfs_fmt("%s/l1/g", dir),
				      ESC "overlay.y", "3", 1, 0));
	return err;
}

static int mount_stack(const char *fstype, const char *dir)
{
	return wu_mount_type(fstype, lfs_fmt("%s/m", dir), lfs_expand(dir,
			"lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w"));
}

/* Append "<label>=<value or <errno N>>" for getxattr(@path, @name). */
static void t_get(struct wu_dump *t, const char *label, const char *path,
		  const char *name)
{
	char v[64];

	wu_dump_add(t, "%s=%s\n", label, wu_getxattr(path, name, v,
							   sizeof(v)));
}

/* Append the trusted.* names listxattr(@path) gives, sorted. */
static void t_list(struct wu_dump *t, const char *label, const char *path)
{
	char list[4096], *names[64];
	ssize_t n = listxattr(path, list, sizeof(list)), k;
	size_t nn = 0, i;

	if (n < 0) {
		wu_dump_add(t, "%s: <errno %d>\n", label, errno);
		return;
	}
	for (k = 0; k < n && nn < 64; k += strlen(list + k) + 1)
		if (!strncmp(list + k, "trusted.", 8))
			names[nn++] = list + k;
	qsort(names, nn, sizeof(names[0]), lfs_strcmp_p);
	wu_dump_add(t, "%s:", label);
	for (i = 0; i < nn; i++)
		wu_dump_add(t, " %s", names[i]);
	wu_dump_add(t, "\n");
}

/*
 * Append what the upper object @path holds of the names a user can reach
 * through the mount (escaped ones, and the raw names the script used),
 * leaving out what overlayfs records for itself (origin and the like).
 */
static void t_raw(struct wu_dump *t, const char *label, const char *path)
{
	static const char *const raw[] = {
		"trusted.overlay.x", "trusted.overlay.new",
		"trusted.overlay.priv", "trusted.overlay.opaque",
		"trusted.overlay.overlay.y",
	};
	char list[4096], *names[64];
	ssize_t n = llistxattr(path, list, sizeof(list)), k;
	size_t nn = 0, i, j;

	if (n < 0) {
		wu_dump_add(t, "%s raw: <errno %d>\n", label, errno);
		return;
	}
	for (k = 0; k < n && nn < 64; k += strlen(list + k) + 1) {
		bool keep = !strncmp(list + k, ESC, strlen(ESC));

		for (j = 0; j < sizeof(raw) / sizeof(raw[0]); j++)
			keep |= !strcmp(list + k, raw[j]);
		if (keep)
			names[nn++] = list + k;
	}
	qsort(names, nn, sizeof(names[0]), lfs_strcmp_p);
	wu_dump_add(t, "%s raw:", label);
	for (i = 0; i < nn; i++) {
		char v[64];

		wu_dump_add(t, " %s=%s", names[i],
			    wu_getxattr(path, names[i], v, sizeof(v)));
	}
	wu_dump_add(t, "\n");
}

struct who_get {
	const char *path, *name;
};

static int get_op(const void *arg)
{
	const struct who_get *g = arg;
	char v[64];

	return getxattr(g->path, g->name, v, sizeof(v)) < 0 ? errno : 0;
}

/* Does listxattr(@arg) show any trusted.* name?  1 yes, 0 no, or errno. */
static int list_trusted_op(const void *arg)
{
	char list[4096];
	ssize_t n = listxattr(arg, list, sizeof(list)), k;

	if (n < 0)
		return errno;
	for (k = 0; k < n; k += strlen(list + k) + 1)
		if (!strncmp(list + k, "trusted.", 8))
			return 1;
	return 0;
}

/* The reading half of the script, on the mount of @dir. */
static void read_script(struct wu_dump *t, const char *dir)
{
	char m[PATH_MAX];
	struct who_get g;

	snprintf(m, sizeof(m), "%s/m", dir);
	t_get(t, "get d opaque", lfs_fmt("%s/d", m), "trusted.overlay.opaque");
	t_list(t, "list d", lfs_fmt("%s/d", m));
	wu_dump_add(t, "readdir d: %s\n", lfs_list(lfs_fmt("%s/d", m),
						   (char[256]){ 0 }, 256));
	t_get(t, "get f x", lfs_fmt("%s/f", m), "trusted.overlay.x");
	t_get(t, "get f priv", lfs_fmt("%s/f", m), "trusted.overlay.priv");
	t_get(t, "get f t", lfs_fmt("%s/f", m), "trusted.t");
	t_list(t, "list f", lfs_fmt("%s/f", m));
	t_get(t, "get g overlay.y", lfs_fmt("%s/g", m),
	      "trusted.overlay.overlay.y");
	t_get(t, "get g y", lfs_fmt("%s/g", m), "trusted.overlay.y");
	t_list(t, "list g", lfs_fmt("%s/g", m));
	/* trusted.* is the VFS's to refuse to other users: ENODATA, unlisted */
	g.path = lfs_fmt("%s/f", m);
	g.name = "trusted.overlay.x";
	wu_dump_add(t, "nobody get f x: %d\n",
		    lfs_run_as(LFS_NOBODY, get_op, &g));
	wu_dump_add(t, "nobody lists trusted of f: %d\n",
		    lfs_run_as(LFS_NOBODY, list_trusted_op,
			       lfs_fmt("%s/f", m)));
}

/* The writing half, then a remount to see what the layers now say. */
static int write_script(struct wu_dump *t, const char *fstype,
			const char *dir)
{
	char m[PATH_MAX], longname[256];
	int err;

	snprintf(m, sizeof(m), "%s/m", dir);
	wu_dump_add(t, "set f new: %d\n",
		    WU_ERR(setxattr(lfs_fmt("%s/f", m), "trusted.overlay.new",
				    "v", 1, 0)));
	t_raw(t, "u/f", lfs_fmt("%s/u/f", dir));
	t_get(t, "get f new", lfs_fmt("%s/f", m), "trusted.overlay.new");
	wu_dump_add(t, "remove f x: %d\n",
		    WU_ERR(removexattr(lfs_fmt("%s/f", m),
				       "trusted.overlay.x")));
	wu_dump_add(t, "remove f priv: %d\n",
		    WU_ERR(removexattr(lfs_fmt("%s/f", m),
				       "trusted.overlay.priv")));
	t_raw(t, "u/f", lfs_fmt("%s/u/f", dir));
	/* copy-up by chmod keeps (6.7+) or drops (before) escaped names */
	wu_dump_add(t, "chmod g: %d\n", WU_ERR(chmod(lfs_fmt("%s/g", m),
						     0600)));
	t_raw(t, "u/g", lfs_fmt("%s/u/g", dir));
	/* an escaped opaque marker set through the mount hides nothing */
	wu_dump_add(t, "set d opaque: %d\n",
		    WU_ERR(setxattr(lfs_fmt("%s/d", m),
				    "trusted.overlay.opaque", "y", 1, 0)));
	t_raw(t, "u/d", lfs_fmt("%s/u/d", dir));
	/* a name that does not fit once escaped */
	snprintf(longname, sizeof(longname), "trusted.overlay.%0239d", 0);
	wu_dump_add(t, "set h long: %d\n",
		    WU_ERR(setxattr(lfs_fmt("%s/h", m), longname, "v", 1,
				    0)));
	wu_dump_add(t, "h copied up: %d\n",
		    !lfs_lstat_errno(lfs_fmt("%s/u/h", dir)));

	if (umount(m))
		return errno;
	err = mount_stack(fstype, dir);
	if (err)
		return err;
	wu_dump_add(t, "after remount, readdir d: %s\n",
		    lfs_list(lfs_fmt("%s/d", m), (char[256]){ 0 }, 256));
	t_get(t, "after remount, get d opaque", lfs_fmt("%s/d", m),
	      "trusted.overlay.opaque");
	return 0;
}

/* Build, mount as @fstype and run the whole script; the transcript. */
static char *run(const char *where, const char *fstype)
{
	struct wu_dump t = { 0 };
	char dir[PATH_MAX / 2];
	int err;

	/* lfs_fmt() reuses its buffers: keep our own copy of the path. */
	snprintf(dir, sizeof(dir), "%s", where);

	wu_dump_add(&t, "\n");
	err = build(dir);
	if (!err)
		err = mount_stack(fstype, dir);
	if (!err) {
		read_script(&t, dir);
		err = write_script(&t, fstype, dir);
	}
	if (err)
		wu_dump_add(&t, "<setup or remount: errno %d>\n", err);
	umount(lfs_fmt("%s/m", dir));
	return t.s;
}

/* The whole script gives the same transcript on both filesystems. */
TEST_F(esc, matches_overlay)
{
	char *tl, *to;

	tl = run(lfs_fmt("%s/lfs", self->base), lfs_fstype());
	to = run(lfs_fmt("%s/ovl", self->base), "overlay");
	if (strcmp(tl, to))
		TH_LOG("%s:%s\noverlay:%s", lfs_fstype(), tl, to);
	EXPECT_STREQ(to, tl);

	/* Which rule applied: pinned for this kernel. */
	if (lfs_overlay_escapes_xattrs()) {
		EXPECT_NE(NULL, strstr(tl, "\nget d opaque=y\n"));
		EXPECT_NE(NULL, strstr(tl, "\nlist d: trusted.overlay.opaque\n"));
		EXPECT_NE(NULL, strstr(tl, "\nget f x=1\n"));
		EXPECT_NE(NULL, strstr(tl, "\nget g overlay.y=3\n"));
		EXPECT_NE(NULL, strstr(tl, "\nset f new: 0\n"));
		EXPECT_NE(NULL, strstr(tl, "\nu/g raw: " ESC "overlay.y=3\n"));
		EXPECT_NE(NULL, strstr(tl,
				       "\nafter remount, readdir d: c1,c2\n"));
	} else {
		EXPECT_NE(NULL, strstr(tl, "\nget d opaque=<errno 95>\n"));
		EXPECT_NE(NULL, strstr(tl, "\nlist d:\n"));
		EXPECT_NE(NULL, strstr(tl, "\nset f new: 95\n"));
		EXPECT_NE(NULL, strstr(tl, "\nu/g raw:\n"));
	}
	/* Raw private names are never shown, escaped or not. */
	EXPECT_NE(NULL, strstr(tl, "\nget f priv=<errno "));
	EXPECT_NE(NULL, strstr(tl, "\nnobody get f x: 61\n"));
	EXPECT_NE(NULL, strstr(tl, "\nnobody lists trusted of f: 0\n"));
	free(tl);
	free(to);
}

TEST_HARNESS_MAIN
