// SPDX-License-Identifier: GPL-2.0
/*
 * whichlayer.c - LAYERFS_IOC_WHICH, "which layer serves this object"
 * (include/uapi/linux/layerfs.h, fs/layerfs/ioctl.c).
 *
 * The fixture builds four layers on one private tmpfs and mounts
 *   lowerdir=$/a:$/b:$/c,upperdir=$/u,workdir=$/w   on $/m
 * so the layer indices are u = 0, a = 1, b = 2, c = 3.  Each test opens an
 * object of the merged view (O_RDONLY, as any reader could) and compares
 * the answer, written as a string by answer() ("lower 2", "merged u0 1 3":
 * the kind, then each layer, "u" marking one flagged as the upper layer),
 * with what lookup's rules say.  Run against overlayfs (LAYERFS_TEST_FSTYPE)
 * it skips: the ioctl is layerfs's own.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "../../include/uapi/linux/layerfs.h"

#define MAX_ROOM	16
#define OPTIONS		"lowerdir=$/a:$/b:$/c,upperdir=$/u,workdir=$/w"

/* A LAYERFS_IOC_WHICH argument with room for MAX_ROOM layers. */
union which_buf {
	struct layerfs_which wh;
	char bytes[sizeof(struct layerfs_which) +
		   MAX_ROOM * sizeof(struct layerfs_which_layer)];
};

FIXTURE(which) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char ans[256];
	union which_buf buf;
};

FIXTURE_SETUP(which)
{
	static const char *const dirs[] = {
		"$/u", "$/a", "$/b", "$/c", "$/w", "$/m", "$/ro",
		"$/u/d", "$/a/d", "$/c/d",		/* merged: u a c */
		"$/a/od", "$/b/od", "$/c/od",		/* b/od opaque */
		"$/a/dnd", "$/c/dnd",			/* b/dnd a file */
		"$/u/ud",				/* pure upper */
		"$/b/ld",				/* lower only */
		"$/c/deep/er",
	};
	static const char *const files[][2] = {
		{ "$/u/uf", "U" }, { "$/a/fa", "A" }, { "$/b/fb", "B" },
		{ "$/c/fc", "C" }, { "$/b/shadow", "B" }, { "$/c/shadow", "C" },
		{ "$/b/dnd", "B" }, { "$/a/cu", "A" }, { "$/a/d/x", "A" },
		{ "$/c/od/hidden", "C" }, { "$/c/deep/er/f", "C" },
	};
	const char *b;
	unsigned int i;

	if (strcmp(lfs_fstype(), "layerfs"))
		SKIP(return, "LAYERFS_IOC_WHICH is layerfs's own ioctl");
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	b = self->base;
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", b);

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(b, dirs[i])));
	for (i = 0; i < ARRAY_SIZE(files); i++)
		ASSERT_EQ(0, lfs_write(lfs_expand(b, files[i][0]),
				       files[i][1]));
	ASSERT_EQ(0, lfs_opaque(lfs_expand(b, "$/b/od")));
	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(b, OPTIONS)));
}

FIXTURE_TEARDOWN(which)
{
	LFS_DROP_BASE(self->base, "m", "ro");
}

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)

/*
 * Ask about the open @fd with @room entries; 0 or errno.  Fills @buf,
 * whose entries past the answer keep the 0xff bytes put there first.
 */
static int ask_fd(int fd, unsigned int room, union which_buf *buf)
{
	memset(buf, 0xff, sizeof(*buf));
	memset(&buf->wh, 0, sizeof(buf->wh));
	buf->wh.wh_room = room;
	return ioctl(fd, LAYERFS_IOC_WHICH, &buf->wh) ? errno : 0;
}

/* The answer in @buf as a string: "lower 2", "merged u0 1 3". */
static const char *format(const union which_buf *buf, char *out, size_t len)
{
	static const char *const kinds[] = { "?", "upper", "lower", "merged" };
	const struct layerfs_which *wh = &buf->wh;
	unsigned int i, n = wh->wh_count < MAX_ROOM ? wh->wh_count : MAX_ROOM;
	size_t pos;

	pos = snprintf(out, len, "%s", wh->wh_kind < 4 ? kinds[wh->wh_kind] : "?");
	for (i = 0; i < n && pos < len; i++)
		pos += snprintf(out + pos, len - pos, " %s%u",
				wh->wh_layers[i].lw_flags & LAYERFS_LAYER_UPPER ? "u" : "",
				wh->wh_layers[i].lw_index);
	return out;
}

/* Open @path read-only, ask, and return the answer as format() writes it. */
static const char *answer(const char *path, char *out, size_t len,
			  union which_buf *buf)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(out, len, "open: %s", strerror(errno));
		return out;
	}
	err = ask_fd(fd, MAX_ROOM, buf);
	close(fd);
	if (err) {
		snprintf(out, len, "ioctl: %s", strerror(err));
		return out;
	}
	return format(buf, out, len);
}

#define ANSWER(rel)	answer(M(rel), self->ans, sizeof(self->ans), &self->buf)

/* An upper file, and the header: flags, number of layers, count. */
TEST_F(which, upper_file)
{
	ASSERT_STREQ("upper u0", ANSWER("uf"));
	EXPECT_EQ(LAYERFS_WHICH_HAS_UPPER, self->buf.wh.wh_flags);
	EXPECT_EQ(4, self->buf.wh.wh_numlayers);
	EXPECT_EQ(1, self->buf.wh.wh_count);
	EXPECT_EQ(0, self->buf.wh.wh_reserved[0]);
	EXPECT_EQ(0, self->buf.wh.wh_reserved[2]);
}

/* A lower file at each depth; a name in two layers is the top one's. */
TEST_F(which, lower_files)
{
	EXPECT_STREQ("lower 1", ANSWER("fa"));
	EXPECT_STREQ("lower 2", ANSWER("fb"));
	EXPECT_STREQ("lower 3", ANSWER("fc"));
	EXPECT_STREQ("lower 2", ANSWER("shadow"));
	EXPECT_STREQ("lower 3", ANSWER("deep/er/f"));
	EXPECT_STREQ("lower 1", ANSWER("d/x"));
}

/* Directories: merged, in stack order, upper included. */
TEST_F(which, merged_dirs)
{
	EXPECT_STREQ("merged u0 1 2 3", ANSWER("."));
	EXPECT_STREQ("merged u0 1 3", ANSWER("d"));
	EXPECT_EQ(3, self->buf.wh.wh_count);
	/* one layer alone is not a merge: c/deep, c/deep/er */
	EXPECT_STREQ("lower 3", ANSWER("deep"));
	EXPECT_STREQ("lower 3", ANSWER("deep/er"));
	EXPECT_STREQ("lower 2", ANSWER("ld"));
}

/* An opaque directory ends the merge: c/od is not part of od. */
TEST_F(which, opaque_stops)
{
	EXPECT_STREQ("merged 1 2", ANSWER("od"));
	EXPECT_EQ(ENOENT, lfs_lstat_errno(M("od/hidden")));
}

/*
 * A file ends the merge too: b/dnd is a file, so a/dnd is not merged with
 * it (nor with c/dnd below it).  This is the case the demo's shell function
 * used to get wrong.
 */
TEST_F(which, dir_above_file)
{
	EXPECT_STREQ("lower 1", ANSWER("dnd"));
}

/* A directory that exists only in the upper layer. */
TEST_F(which, pure_upper_dir)
{
	EXPECT_STREQ("upper u0", ANSWER("ud"));
	ASSERT_EQ(0, mkdir(M("newdir"), 0755));
	EXPECT_STREQ("upper u0", ANSWER("newdir"));
}

/*
 * A file copied up reports upper, through a file descriptor opened before
 * the copy-up as well as through a new one.  A directory copied up (by
 * creating a file in it) merges its upper and lower directories.
 */
TEST_F(which, copied_up)
{
	int fd, wfd;

	fd = open(M("cu"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ask_fd(fd, MAX_ROOM, &self->buf));
	EXPECT_STREQ("lower 1", format(&self->buf, self->ans, sizeof(self->ans)));

	wfd = open(M("cu"), O_WRONLY | O_APPEND);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(2, write(wfd, "x\n", 2));
	close(wfd);
	ASSERT_EQ(0, lfs_lstat_errno(L("u/cu")));

	ASSERT_EQ(0, ask_fd(fd, MAX_ROOM, &self->buf));
	EXPECT_STREQ("upper u0", format(&self->buf, self->ans, sizeof(self->ans)));
	close(fd);
	EXPECT_STREQ("upper u0", ANSWER("cu"));

	EXPECT_STREQ("lower 3", ANSWER("deep/er"));
	ASSERT_EQ(0, lfs_write(M("deep/er/new"), "N"));
	EXPECT_STREQ("merged u0 3", ANSWER("deep/er"));
}

/* A mount without an upper layer: layer 0 is the top lowerdir. */
TEST_F(which, lower_only_mount)
{
	const char *ro = L("ro");

	ASSERT_EQ(0, lfs_mount(ro, lfs_expand(self->base,
					      "lowerdir=$/a:$/b:$/c")));
	EXPECT_STREQ("lower 0", answer(lfs_fmt("%s/fa", ro), self->ans,
				       sizeof(self->ans), &self->buf));
	EXPECT_EQ(0, self->buf.wh.wh_flags);
	EXPECT_EQ(3, self->buf.wh.wh_numlayers);
	EXPECT_STREQ("lower 2", answer(lfs_fmt("%s/fc", ro), self->ans,
				       sizeof(self->ans), &self->buf));
	EXPECT_STREQ("merged 0 2", answer(lfs_fmt("%s/d", ro), self->ans,
					  sizeof(self->ans), &self->buf));
	EXPECT_STREQ("merged 0 1 2", answer(ro, self->ans, sizeof(self->ans),
					    &self->buf));
	/* the upper layer of the other mount does not count here */
	EXPECT_STREQ("lower 1", answer(lfs_fmt("%s/fb", ro), self->ans,
				       sizeof(self->ans), &self->buf));
}

/*
 * Too small a buffer: wh_count says how many layers there are, only
 * wh_room entries are written, and the call succeeds.
 */
TEST_F(which, more_than_room)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ask_fd(fd, 2, &self->buf));
	EXPECT_EQ(LAYERFS_WHICH_MERGED, self->buf.wh.wh_kind);
	EXPECT_EQ(4, self->buf.wh.wh_count);
	EXPECT_EQ(2, self->buf.wh.wh_room);
	EXPECT_EQ(0, self->buf.wh.wh_layers[0].lw_index);
	EXPECT_EQ(1, self->buf.wh.wh_layers[1].lw_index);
	/* nothing written past the room */
	EXPECT_EQ(0xffffffffU, self->buf.wh.wh_layers[2].lw_index);
	EXPECT_EQ(0xffffffffU, self->buf.wh.wh_layers[2].lw_flags);

	/* no room at all: only the header */
	ASSERT_EQ(0, ask_fd(fd, 0, &self->buf));
	EXPECT_EQ(4, self->buf.wh.wh_count);
	EXPECT_EQ(0xffffffffU, self->buf.wh.wh_layers[0].lw_index);

	/* a file has one layer, whatever the room */
	close(fd);
	fd = open(M("fb"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ask_fd(fd, 0, &self->buf));
	EXPECT_EQ(LAYERFS_WHICH_LOWER, self->buf.wh.wh_kind);
	EXPECT_EQ(1, self->buf.wh.wh_count);
	close(fd);
}

/* Flags and reserved fields must be 0; bad pointers give EFAULT. */
TEST_F(which, bad_arguments)
{
	long page = sysconf(_SC_PAGESIZE);
	struct layerfs_which *wh;
	char *map;
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);

	ASSERT_LE(0, fd);
	memset(&self->buf, 0, sizeof(self->buf));
	self->buf.wh.wh_flags = LAYERFS_WHICH_HAS_UPPER;
	EXPECT_EQ(-1, ioctl(fd, LAYERFS_IOC_WHICH, &self->buf.wh));
	EXPECT_EQ(EINVAL, errno);
	memset(&self->buf, 0, sizeof(self->buf));
	self->buf.wh.wh_reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(fd, LAYERFS_IOC_WHICH, &self->buf.wh));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, LAYERFS_IOC_WHICH, NULL));
	EXPECT_EQ(EFAULT, errno);

	/*
	 * The header at the end of a page, the entries on an unmapped page:
	 * the room claimed is not there.
	 */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	wh = (struct layerfs_which *)(map + page - sizeof(*wh));
	memset(wh, 0, sizeof(*wh));
	wh->wh_room = 4;
	EXPECT_EQ(-1, ioctl(fd, LAYERFS_IOC_WHICH, wh));
	EXPECT_EQ(EFAULT, errno);
	/* with no room the header alone is read and written */
	memset(wh, 0, sizeof(*wh));
	EXPECT_EQ(0, ioctl(fd, LAYERFS_IOC_WHICH, wh));
	EXPECT_EQ(4, wh->wh_count);
	/* a header that is read-only cannot be answered into */
	memset(wh, 0, sizeof(*wh));
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	EXPECT_EQ(-1, ioctl(fd, LAYERFS_IOC_WHICH, wh));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
	close(fd);
}

/*
 * An ioctl layerfs does not know is ENOTTY, on files and directories;
 * FS_IOC_GETFLAGS and FS_IOC_FSGETXATTR, which the VFS answers through
 * fileattr_get, still work.
 */
TEST_F(which, other_ioctls)
{
	struct fsxattr fsx;
	unsigned int i;

	/* FS_NODUMP_FL on the lower file, which tmpfs keeps */
	{
		int flags = FS_NODUMP_FL;
		int lfd = open(L("b/fb"), O_RDONLY);

		ASSERT_LE(0, lfd);
		ASSERT_EQ(0, ioctl(lfd, FS_IOC_SETFLAGS, &flags));
		close(lfd);
	}
	for (i = 0; i < 2; i++) {	/* a file, then a directory */
		int flags = -1;
		int fd = open(i ? self->mnt : M("fb"), O_RDONLY);

		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, ioctl(fd, _IOWR(0xB9, 2, struct layerfs_which), &self->buf));
		EXPECT_EQ(ENOTTY, errno);
		EXPECT_EQ(-1, ioctl(fd, _IO('x', 99), 0));
		EXPECT_EQ(ENOTTY, errno);
		/* the same number with another size is another ioctl */
		EXPECT_EQ(-1, ioctl(fd, _IOWR(0xB9, 1, __u32), &self->buf));
		EXPECT_EQ(ENOTTY, errno);

		EXPECT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &flags));
		if (i == 0)
			EXPECT_EQ(FS_NODUMP_FL, flags & FS_NODUMP_FL);
		EXPECT_EQ(0, ioctl(fd, FS_IOC_FSGETXATTR, &fsx));
		close(fd);
	}
}

#define RACE_FILES	64

/*
 * Ask about every fd in @fds until all are upper: each answer must be
 * "lower 1" or "upper u0", and a file once upper stays upper.  0, or 1 on a
 * wrong answer, 2 on an ioctl error, 3 when the copy-ups never came.
 */
static int race_asker(const int *fds)
{
	bool upper[RACE_FILES] = { false };
	unsigned int i, nupper = 0;
	union which_buf buf;
	time_t end = time(NULL) + 60;

	while (nupper < RACE_FILES) {
		if (time(NULL) > end)
			return 3;
		for (i = 0; i < RACE_FILES; i++) {
			const struct layerfs_which_layer *lw = &buf.wh.wh_layers[0];

			if (ask_fd(fds[i], 1, &buf))
				return 2;
			if (buf.wh.wh_count != 1)
				return 1;
			if (buf.wh.wh_kind == LAYERFS_WHICH_UPPER &&
			    lw->lw_index == 0 && lw->lw_flags == LAYERFS_LAYER_UPPER) {
				nupper += !upper[i];
				upper[i] = true;
			} else if (upper[i] || buf.wh.wh_kind != LAYERFS_WHICH_LOWER ||
				   lw->lw_index != 1 || lw->lw_flags) {
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Copy-ups racing with the question: another process asks about files
 * opened before they are copied up, over and over, while this one writes
 * to each.  Every answer is lower or upper, never a mix of the two.
 */
TEST_F(which, racing_copy_up)
{
	int fds[RACE_FILES], status, i, go[2];
	char c = 'g';
	pid_t pid;

	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mkdir(L("a/race"), 0755));
	for (i = 0; i < RACE_FILES; i++)
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("a/race/f%d", i)), "A"));
	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(self->base, OPTIONS)));
	for (i = 0; i < RACE_FILES; i++) {
		fds[i] = open(M(lfs_fmt("race/f%d", i)), O_RDONLY);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(race_asker(fds));
	}
	close(go[0]);
	ASSERT_EQ(1, write(go[1], &c, 1));
	close(go[1]);
	for (i = 0; i < RACE_FILES; i++)
		ASSERT_EQ(0, lfs_write(M(lfs_fmt("race/f%d", i)), "W"));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < RACE_FILES; i++)
		close(fds[i]);
}

static int ask_as_nobody(const void *arg)
{
	const char *const *paths = arg;
	union which_buf buf;
	int fd, err;

	for (; *paths; paths++) {
		fd = open(*paths, O_RDONLY);
		if (fd < 0)
			return errno;
		err = ask_fd(fd, MAX_ROOM, &buf);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Asking copies nothing up and needs no write permission: nobody may ask
 * about every object, and afterwards the upper layer holds what it held.
 */
TEST_F(which, never_copies_up)
{
	const char *const paths[] = {
		M("."), M("fa"), M("fb"), M("fc"), M("shadow"), M("d"), M("d/x"),
		M("od"), M("dnd"), M("ld"), M("deep"), M("deep/er"),
		M("deep/er/f"), M("cu"), M("uf"), M("ud"), NULL,
	};
	const char *const *p;

	EXPECT_EQ(0, lfs_run_as(LFS_NOBODY, ask_as_nobody, paths));
	for (p = paths; *p; p++)
		answer(*p, self->ans, sizeof(self->ans), &self->buf);
	/* u holds d, ud and uf, as the fixture made it; d is empty */
	EXPECT_STREQ("d,ud,uf", lfs_list(L("u"), self->ans, sizeof(self->ans)));
	EXPECT_STREQ("", lfs_list(L("u/d"), self->ans, sizeof(self->ans)));
	EXPECT_STREQ("", lfs_list(L("w/work"), self->ans, sizeof(self->ans)));
}

TEST_HARNESS_MAIN
