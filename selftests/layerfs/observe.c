// SPDX-License-Identifier: GPL-2.0
/*
 * observe.c - layerfs's trace events and per-mount counters
 * (Documentation/filesystems/layerfs-tracing.rst).
 *
 * The fixture mounts  lowerdir=$/l,upperdir=$/u,workdir=$/w  on $/m, so
 * layer 0 is u and layer 1 is l, and enables the "layerfs" events in a
 * trace instance of its own (/sys/kernel/tracing/instances/<name>/), so
 * that nothing else's tracing is disturbed.  Each step of the test does
 * one thing through the mount, then checks
 *  - that every counter in /sys/fs/layerfs/<dev>/ moved by exactly the
 *    expected amount (the others not at all), and
 *  - that the trace holds the expected event, with the expected fields,
 *    for this mount's device.
 *
 *	l/file (1000 bytes)   l/gone    l/odir/    l/mdir/{a,b}    l/pdir/p
 *	l/op/hidden           u/op/ (opaque)        u/mdir/c
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define FILE_SIZE	1000

/* The counters of a mount, in the order of their sysfs files. */
static const char *const counter_names[] = {
	"lookups", "copy_ups", "copy_up_bytes", "whiteouts", "opaque_dirs",
	"readdir_built", "readdir_reused", "readdir_passthrough",
};
#define NCOUNTERS	(sizeof(counter_names) / sizeof(counter_names[0]))

enum { LOOKUPS, COPY_UPS, COPY_UP_BYTES, WHITEOUTS, OPAQUE_DIRS,
       READDIR_BUILT, READDIR_REUSED, READDIR_PASSTHROUGH };

/* Counters, then lookups in layer 0 and in layer 1. */
struct counts {
	unsigned long long v[NCOUNTERS];
	unsigned long long layer[2];
};

FIXTURE(observe) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char sysfs[PATH_MAX];
	char inst[PATH_MAX];
	char dev[32];		/* "major:minor", as in the events */
	struct counts before;
	char *trace;
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : EIO;
}

static int read_counts(const char *dir, struct counts *c)
{
	char path[PATH_MAX + 64], buf[256];
	unsigned int i;

	for (i = 0; i < NCOUNTERS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, counter_names[i]);
		if (!lfs_cat(path, buf, sizeof(buf)))
			return errno ? errno : EIO;
		c->v[i] = strtoull(buf, NULL, 10);
	}
	snprintf(path, sizeof(path), "%s/layer_lookups", dir);
	if (!lfs_cat(path, buf, sizeof(buf)))
		return errno ? errno : EIO;
	if (sscanf(buf, "%llu %llu", &c->layer[0], &c->layer[1]) != 2)
		return EINVAL;
	return 0;
}

/* The whole trace of the instance, NUL-terminated; free() it. */
static char *read_trace(const char *inst)
{
	char path[PATH_MAX + 16];
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", inst);
	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
		len += n;
		if (size - len < 4096) {
			char *p = realloc(buf, size * 2);

			if (!p)
				break;
			buf = p;
			size *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * The first line of @trace for event @event of device @dev that contains
 * every string of @want (NULL-terminated), copied into @line; NULL if none.
 */
static const char *find_event(const char *trace, const char *event,
			      const char *dev, const char *const *want,
			      char *line, size_t len)
{
	char tag[64], devtag[48];
	const char *p = trace;

	snprintf(tag, sizeof(tag), " %s: ", event);
	snprintf(devtag, sizeof(devtag), "dev=%s ", dev);
	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		unsigned int i;

		snprintf(line, len, "%.*s", (int)n, p);
		p = end ? end + 1 : NULL;
		if (!strstr(line, tag) || !strstr(line, devtag))
			continue;
		for (i = 0; want[i]; i++)
			if (!strstr(line, want[i]))
				break;
		if (!want[i])
			return line;
	}
	return NULL;
}

/* getdents64() until it returns 0: how many calls it took, or -errno. */
static int list_dir(const char *path, int *entries)
{
	char buf[4096];
	int fd, calls = 0;
	long n;

	*entries = 0;
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	do {
		long off = 0;

		n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		calls++;
		while (n > 0 && off < n) {
			(*entries)++;
			off += *(unsigned short *)(buf + off + 16);
		}
	} while (n > 0);
	close(fd);
	return n < 0 ? -errno : calls;
}

FIXTURE_SETUP(observe)
{
	static const char *const dirs[] = {
		"$/l", "$/u", "$/w", "$/m", "$/l/odir", "$/l/mdir", "$/u/mdir",
		"$/l/pdir", "$/l/op", "$/u/op",
	};
	static const char *const files[] = {
		"$/l/gone", "$/l/mdir/a", "$/l/mdir/b", "$/u/mdir/c",
		"$/l/pdir/p", "$/l/op/hidden",
	};
	char data[FILE_SIZE + 1], path[PATH_MAX + 32];
	unsigned int i;
	dev_t dev;

	self->trace = NULL;
	self->base[0] = '\0';
	self->inst[0] = '\0';
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	/* Mounted by the VM's init; in a namespace of our own, mount it. */
	if (access(TRACEFS "/instances", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/instances", F_OK))
		SKIP(return, "no tracefs at " TRACEFS);

	ASSERT_EQ(0, lfs_make_base(self->base));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, lfs_mkdir_p(lfs_expand(self->base, dirs[i])));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ASSERT_EQ(0, lfs_write(lfs_expand(self->base, files[i]), "x"));
	memset(data, 'd', FILE_SIZE);
	data[FILE_SIZE] = '\0';
	ASSERT_EQ(0, lfs_write(lfs_expand(self->base, "$/l/file"), data));
	ASSERT_EQ(0, lfs_opaque(lfs_expand(self->base, "$/u/op")));

	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, lfs_mount(self->mnt,
			       lfs_expand(self->base,
					  "lowerdir=$/l,upperdir=$/u,workdir=$/w")));
	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &dev));
	snprintf(self->dev, sizeof(self->dev), "%u:%u", major(dev),
		 minor(dev));
	snprintf(self->sysfs, sizeof(self->sysfs), "/sys/fs/layerfs/%s",
		 self->dev);
	ASSERT_EQ(0, access(self->sysfs, F_OK)) {
		TH_LOG("no %s for the mount", self->sysfs);
	}

	snprintf(self->inst, sizeof(self->inst),
		 TRACEFS "/instances/layerfs-observe-%d", getpid());
	ASSERT_EQ(0, mkdir(self->inst, 0700));
	snprintf(path, sizeof(path), "%s/events/layerfs/enable", self->inst);
	ASSERT_EQ(0, write_str(path, "1")) {
		TH_LOG("cannot enable the layerfs events (%s)", path);
	}
	ASSERT_EQ(0, read_counts(self->sysfs, &self->before));
}

FIXTURE_TEARDOWN(observe)
{
	free(self->trace);
	if (self->inst[0]) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/events/layerfs/enable",
			 self->inst);
		write_str(path, "0");
		rmdir(self->inst);
	}
	if (self->base[0])
		LFS_DROP_BASE(self->base, "m");
}

/*
 * Check that every counter moved by exactly @delta since the last check
 * (@layer0 and @layer1 for layer_lookups), then re-read the trace.
 */
#define EXPECT_COUNTS(step, l0, l1, ...) do {				\
	long long _d[NCOUNTERS] = { __VA_ARGS__ };			\
	struct counts _now;						\
	unsigned int _i;						\
									\
	ASSERT_EQ(0, read_counts(self->sysfs, &_now));			\
	for (_i = 0; _i < NCOUNTERS; _i++) {				\
		EXPECT_EQ(_d[_i], (long long)(_now.v[_i] -		\
					      self->before.v[_i])) {	\
			TH_LOG("%s: counter %s", step, counter_names[_i]); \
		}							\
	}								\
	EXPECT_EQ(l0, (long long)(_now.layer[0] - self->before.layer[0])) { \
		TH_LOG("%s: layer_lookups of layer 0", step);		\
	}								\
	EXPECT_EQ(l1, (long long)(_now.layer[1] - self->before.layer[1])) { \
		TH_LOG("%s: layer_lookups of layer 1", step);		\
	}								\
	self->before = _now;						\
	free(self->trace);						\
	self->trace = read_trace(self->inst);				\
	ASSERT_NE(NULL, self->trace);					\
} while (0)

/* Expect an event @ev of this mount with every one of the strings. */
#define EXPECT_EVENT(ev, ...) do {					\
	static const char *const _want[] = { __VA_ARGS__, NULL };	\
	char _line[1024];						\
									\
	EXPECT_NE(NULL, find_event(self->trace, ev, self->dev, _want,	\
				   _line, sizeof(_line))) {		\
		TH_LOG("no %s event with %s ... (dev=%s)", ev, _want[0], \
		       self->dev);					\
	}								\
} while (0)

TEST_F(observe, events_and_counters)
{
	char path[PATH_MAX + 16], line[1024];
	const char *const want_end[] = { "name=file", "err=0", NULL };
	const char *ev;
	struct stat st;
	int fd, entries;

	/* lookup: a file in layer 1, after looking in layer 0 */
	snprintf(path, sizeof(path), "%s/file", self->mnt);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_COUNTS("stat file", 1, 1, 1);
	EXPECT_EVENT("layerfs_lookup", "name=file ", "consulted=2 last=1 found=1 stop=nondir");

	/* lookup: nothing anywhere */
	snprintf(path, sizeof(path), "%s/nothing", self->mnt);
	ASSERT_EQ(ENOENT, lfs_lstat_errno(path));
	EXPECT_COUNTS("stat nothing", 1, 1, 1);
	EXPECT_EVENT("layerfs_lookup", "name=nothing ", "consulted=2 last=1 found=0 stop=end");

	/* lookup: an opaque directory of layer 0 hides layer 1 */
	snprintf(path, sizeof(path), "%s/op", self->mnt);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_COUNTS("stat op", 1, 0, 1);
	EXPECT_EVENT("layerfs_lookup", "name=op ", "consulted=1 last=0 found=1 stop=opaque");
	/* ... switching to the mounter's credentials to do it */
	EXPECT_EVENT("layerfs_override_creds", "caller=layerfs_lookup", "to_fsuid=0");

	/* copy-up: the file is open for writing, its 1000 bytes copied */
	snprintf(path, sizeof(path), "%s/file", self->mnt);
	fd = open(path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_COUNTS("copy-up", 0, 0, 0, 1, FILE_SIZE);
	EXPECT_EVENT("layerfs_copy_up_begin", "name=file ", "type=file size=1000 from_layer=1");
	EXPECT_EVENT("layerfs_copy_up_end", "name=file ", "bytes=1000 ", "err=0");
	ev = find_event(self->trace, "layerfs_copy_up_end", self->dev, want_end,
			line, sizeof(line));
	if (ev) {
		const char *ns = strstr(ev, " ns=");

		ASSERT_NE(NULL, ns);
		EXPECT_LT(0, strtoll(ns + 4, NULL, 10)) {
			TH_LOG("copy-up took no time: %s", ev);
		}
	}

	/* unlink of a lower file: a whiteout in an empty upper slot */
	snprintf(path, sizeof(path), "%s/gone", self->mnt);
	ASSERT_EQ(0, unlink(path));
	EXPECT_COUNTS("unlink gone", 1, 1, 1, 0, 0, 1);
	EXPECT_EVENT("layerfs_whiteout", "name=gone ", "replaced_upper=0");
	ASSERT_EQ(ENOENT, lfs_lstat_errno(path));

	/* rmdir of a lower directory, then mkdir: an opaque directory */
	snprintf(path, sizeof(path), "%s/odir", self->mnt);
	ASSERT_EQ(0, rmdir(path));
	EXPECT_COUNTS("rmdir odir", 1, 1, 1, 0, 0, 1);
	EXPECT_EVENT("layerfs_whiteout", "name=odir ", "replaced_upper=0");
	ASSERT_EQ(0, mkdir(path, 0755));
	EXPECT_COUNTS("mkdir odir", 0, 0, 0, 0, 0, 0, 1);
	EXPECT_EVENT("layerfs_opaque", "name=odir ", "why=mkdir");

	/* merged readdir: layer 0 gives c, layer 1 gives a and b */
	snprintf(path, sizeof(path), "%s/mdir", self->mnt);
	ASSERT_EQ(2, list_dir(path, &entries));
	ASSERT_EQ(5, entries);
	EXPECT_COUNTS("list mdir", 1, 1, 1, 0, 0, 0, 0, 1, 1, 0);
	EXPECT_EVENT("layerfs_readdir_layer", "layer=0 entries=1 added=1 whiteouts=0");
	EXPECT_EVENT("layerfs_readdir_layer", "layer=1 entries=2 added=2 whiteouts=0");
	EXPECT_EVENT("layerfs_readdir", "name=mdir ", "how=merged-built listed=3 pos=0");
	EXPECT_EVENT("layerfs_readdir", "name=mdir ", "how=merged-reused listed=3");

	/* a directory of one layer is passed through: no cache */
	snprintf(path, sizeof(path), "%s/pdir", self->mnt);
	ASSERT_EQ(2, list_dir(path, &entries));
	ASSERT_EQ(3, entries);
	EXPECT_COUNTS("list pdir", 1, 1, 1, 0, 0, 0, 0, 0, 0, 2);
	EXPECT_EVENT("layerfs_readdir", "name=pdir ", "how=passthrough");
}

TEST_HARNESS_MAIN
