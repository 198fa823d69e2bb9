// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c - mount/umount cycles, inode cache draining, module unload.
 *
 * Proves that nothing is leaked across many mount/umount cycles (every
 * object of the "layerfs_inode" slab cache is freed once the mounts are
 * gone), that a mounted layerfs pins the module (delete_module() fails with
 * EWOULDBLOCK and the mount keeps working), and that the module unloads
 * cleanly once the last mount is gone.
 *
 * The unload tests always put the module back: the test body reloads it
 * with finit_module($LAYERFS_KO) and asserts that worked, and the teardown
 * (run in the parent process, so it also runs when the test body crashed
 * or timed out) reloads it again if it is still missing, so the tests that
 * run after this program still find layerfs registered.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define CYCLES		200
#ifndef SLAB_CACHE	/* overridable only for dry runs against overlayfs */
#define SLAB_CACHE	"layerfs_inode"
#endif
#define MODULE_NAME	"layerfs"

FIXTURE(life) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[4096];
	bool unload_tried;	/* set before delete_module(): reload later */
};

FIXTURE_SETUP(life)
{
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/a/d")));
	ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, "$/b/d")));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/a/fa"), "A"));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/a/d/x"), "AX"));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/b/fb"), "B"));
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/b/d/y"), "BY"));
}

/* Load the module from $LAYERFS_KO; 0 or errno. */
static int load_module(void)
{
	const char *ko = getenv("LAYERFS_KO");
	int fd, err = 0;

	if (!ko || !*ko)
		return ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = errno;
	close(fd);
	return err;
}

/*
 * Runs in the parent of the test process, after the test process (and so
 * its mount namespace with every layerfs mount in it) is gone.
 */
FIXTURE_TEARDOWN_PARENT(life)
{
	if (self->base[0])
		rmdir(self->base);
	if (self->unload_tried && !lfs_fs_available(MODULE_NAME)) {
		int err = load_module();

		ksft_print_msg("teardown: reloaded %s: %s\n", MODULE_NAME,
			       err ? strerror(err) : "ok");
		ASSERT_EQ(0, err);
	}
}

static int mount_ab(FIXTURE_DATA(life) *self)
{
	return lfs_mount(self->mnt, lfs_expand(self->base,
					       "lowerdir=$/a:$/b"));
}

/* Some lookups, reads and a full readdir through the mount. */
static void exercise(struct __test_metadata *_metadata,
		     FIXTURE_DATA(life) *self)
{
	struct dirent *de;
	int entries = 0;
	DIR *d;

	ASSERT_STREQ("A", lfs_cat(lfs_fmt("%s/fa", self->mnt), self->buf,
				  sizeof(self->buf)));
	ASSERT_STREQ("BY", lfs_cat(lfs_fmt("%s/d/y", self->mnt), self->buf,
				   sizeof(self->buf)));
	ASSERT_EQ(0, lfs_lstat_errno(lfs_fmt("%s/d/x", self->mnt)));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(lfs_fmt("%s/nope", self->mnt)));
	d = opendir(self->mnt);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		entries++;
	closedir(d);
	/* ".", "..", d, fa, fb */
	ASSERT_EQ(5, entries);
}

/* active_objs of @cache in /proc/slabinfo; -1 if it is not listed. */
static long slab_active(const char *cache)
{
	char line[512], name[128];
	long active = -1, val;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %ld", name, &val) == 2 &&
		    !strcmp(name, cache))
			active = val;
	}
	fclose(f);
	return active;
}

/* Flush per-cpu slabs and free empty ones so active_objs is exact. */
static void slab_shrink(const char *cache)
{
	int fd = open(lfs_fmt("/sys/kernel/slab/%s/shrink", cache), O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		ksft_print_msg("shrink %s: %s\n", cache, strerror(errno));
	close(fd);
}

/* Poll (shrinking each time) until @cache has no active object or 10 s. */
static long slab_wait_empty(const char *cache)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	long active = -1;
	int i;

	for (i = 0; i < 100; i++) {
		slab_shrink(cache);
		active = slab_active(cache);
		if (active == 0)
			break;
		nanosleep(&tick, NULL);
	}
	return active;
}

/*
 * 200 mount/use/umount cycles, then every layerfs inode has been freed.
 * Each umount must succeed without MNT_DETACH (nothing left busy).
 */
TEST_F_TIMEOUT(life, mount_umount_cycles_free_all_inodes, 300)
{
	int i;

	if (slab_active(SLAB_CACHE) < 0 && access("/proc/slabinfo", R_OK))
		SKIP(return, "/proc/slabinfo is not readable");
	/* Premise: live inodes do show up in the counter we watch. */
	ASSERT_EQ(0, mount_ab(self));
	exercise(_metadata, self);
	slab_shrink(SLAB_CACHE);
	ASSERT_GT(slab_active(SLAB_CACHE), 0)
		TH_LOG("no active %s objects while mounted", SLAB_CACHE);
	ASSERT_EQ(0, umount2(self->mnt, 0));

	for (i = 0; i < CYCLES; i++) {
		ASSERT_EQ(0, mount_ab(self)) TH_LOG("cycle %d", i);
		exercise(_metadata, self);
		ASSERT_EQ(0, umount2(self->mnt, 0)) TH_LOG("cycle %d", i);
	}
	ASSERT_EQ(0, slab_wait_empty(SLAB_CACHE));
}

static int unload_module(FIXTURE_DATA(life) *self)
{
	self->unload_tried = true;
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? errno : 0;
}

/* Can the module be loaded again after we remove it? */
static bool reloadable(void)
{
	const char *ko = getenv("LAYERFS_KO");

	return ko && *ko && !access(ko, R_OK);
}

/* Reload the module and check it is registered again. */
static void reload(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, load_module());
	ASSERT_TRUE(lfs_fs_available(MODULE_NAME));
}

/*
 * While mounted, the module cannot be removed and the mount is unharmed;
 * after umount it unloads (and its filesystem type disappears), and a
 * reloaded module mounts again.
 */
TEST_F_TIMEOUT(life, unload_busy_then_idle, 120)
{
	if (!reloadable())
		SKIP(return, "LAYERFS_KO is not set or not readable");
	ASSERT_EQ(0, mount_ab(self));
	ASSERT_EQ(EWOULDBLOCK, unload_module(self));
	ASSERT_TRUE(lfs_fs_available(MODULE_NAME));
	exercise(_metadata, self);
	ASSERT_EQ(0, umount2(self->mnt, 0));

	ASSERT_EQ(0, unload_module(self));
	ASSERT_FALSE(lfs_fs_available(MODULE_NAME));
	reload(_metadata);
	ASSERT_EQ(0, mount_ab(self));
	exercise(_metadata, self);
	ASSERT_EQ(0, umount2(self->mnt, 0));
}

/*
 * A lazily detached mount with a file still open pins the module until the
 * file is closed.
 */
TEST_F_TIMEOUT(life, unload_pinned_by_open_file, 120)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int fd, err = EWOULDBLOCK, i;

	if (!reloadable())
		SKIP(return, "LAYERFS_KO is not set or not readable");
	ASSERT_EQ(0, mount_ab(self));
	fd = open(lfs_fmt("%s/fa", self->mnt), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, umount2(self->mnt, MNT_DETACH));
	ASSERT_EQ(EWOULDBLOCK, unload_module(self));
	/* The detached file is still readable. */
	ASSERT_EQ(1, pread(fd, self->buf, sizeof(self->buf), 0));
	ASSERT_EQ('A', self->buf[0]);
	close(fd);
	for (i = 0; i < 40 && err == EWOULDBLOCK; i++) {
		err = unload_module(self);
		if (err == EWOULDBLOCK)
			nanosleep(&tick, NULL);
	}
	ASSERT_EQ(0, err);
	ASSERT_FALSE(lfs_fs_available(MODULE_NAME));
	reload(_metadata);
}

TEST_HARNESS_MAIN
