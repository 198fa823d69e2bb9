// SPDX-License-Identifier: GPL-2.0
/*
 * hostile.c - lower layers changed under a live mount, and callers who try
 * to get more through layerfs than the layers give them.
 *
 * (a) Lower layers changed under a live read-write mount (files removed,
 *     directories replaced by files and files by directories, a lower
 *     directory removed while a merged directory is open and being read,
 *     a lower file truncated while it is being copied up, and a "chaos"
 *     run where one process keeps changing the lower layers while others
 *     use the merged view).  overlayfs.rst calls the results undefined, so
 *     the tests accept any errno from every call; what they assert is
 *     that every call returns (each runs in a child under alarm(): a
 *     hang fails the test and names the operation), that no process dies
 *     of a signal, that no temporary is left in work/, and that the mount
 *     then unmounts without EBUSY (no leaked reference).  The VM runner
 *     fails the run on any WARNING/BUG/Oops in dmesg.
 *
 * (b) Security: a non-root caller cannot mount (mount(2) and fsopen());
 *     the raw trusted.overlay.* of the layers cannot be read, set or
 *     removed through the merged view (root: EOPNOTSUPP before 6.7, the
 *     escaped trusted.overlay.overlay.* since; others: EPERM, the VFS
 *     refuses trusted.* before the filesystem sees it) and a refused
 *     setxattr copies nothing up; copy-up never gives a caller access the lower object did not
 *     (0600 root file, 0700 root directory); a non-owner with write access
 *     cannot chmod/chown; and setuid/setgid bits are cleared by writes of
 *     non-root callers exactly as on overlayfs (the same file modes and
 *     operations are run on an overlay mount and the results compared).
 *
 * Environment:
 *   LAYERFS_HOSTILE_SECS   seconds of each concurrent run (default 3)
 *
 * Fixture: lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w on $/m.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"
#include "write_util.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC		0x00000001
#endif
#ifndef SYS_fsopen
#define SYS_fsopen		430
#endif

#define HANG_SECS	30	/* a single operation taking this long hangs */

FIXTURE(hostile) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
};

#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)

FIXTURE_SETUP(hostile)
{
	LFS_REQUIRE(return);
	umask(022);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, wu_layout_make(self->base));
}

FIXTURE_TEARDOWN(hostile)
{
	while (!umount2(self->mnt, MNT_DETACH))
		;
	static const char *const mnts[] = { "ovl/m", NULL };

	lfs_drop_base(self->base, mnts);
}

/* ---- calls that only have to return ------------------------------------ */

/*
 * Shared with the children: the operation each child is in, so that a hang
 * (the child killed by its alarm) can be reported by name.
 */
struct shared {
	char op[8][128];
	unsigned long calls[8];
};

static struct shared *shm;

static void set_op(int slot, const char *fmt, const char *path)
{
	snprintf(shm->op[slot], sizeof(shm->op[slot]), fmt, path);
	shm->calls[slot]++;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "2", 1) < 0)
			;
		close(fd);
	}
}

/*
 * Every kind of call on @path (a name in the merged view); results are
 * ignored, only returning matters.  @slot names the shared op slot.
 */
static void poke(int slot, const char *path, unsigned int salt)
{
	char buf[4096], dst[PATH_MAX];
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	set_op(slot, "lstat %s", path);
	lstat(path, &st);
	set_op(slot, "stat %s", path);
	stat(path, &st);
	set_op(slot, "open/read %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	set_op(slot, "readdir %s", path);
	d = opendir(path);
	if (d) {
		while ((de = readdir(d)))
			fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW);
		closedir(d);
	}
	set_op(slot, "readlink %s", path);
	if (readlink(path, buf, sizeof(buf)) < 0)
		;
	set_op(slot, "listxattr %s", path);
	llistxattr(path, buf, sizeof(buf));
	set_op(slot, "getxattr %s", path);
	lgetxattr(path, "user.x", buf, sizeof(buf));
	switch (salt % 8) {
	case 0:
		set_op(slot, "open O_RDWR/write %s", path);
		fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0) {
			if (write(fd, "x", 1) < 0)
				;
			close(fd);
		}
		break;
	case 1:
		set_op(slot, "chmod %s", path);
		chmod(path, 0755);
		break;
	case 2:
		set_op(slot, "create in %s", path);
		fd = open(lfs_fmt("%s/new%u", path, salt % 5),
			  O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
		if (fd >= 0)
			close(fd);
		break;
	case 3:
		set_op(slot, "mkdir in %s", path);
		mkdir(lfs_fmt("%s/nd%u", path, salt % 3), 0755);
		break;
	case 4:
		set_op(slot, "unlink %s", path);
		unlink(path);
		break;
	case 5:
		set_op(slot, "rmdir %s", path);
		rmdir(path);
		break;
	case 6:
		snprintf(dst, sizeof(dst), "%s.r%u", path, salt % 3);
		set_op(slot, "rename %s", path);
		rename(path, dst);
		rename(dst, path);
		break;
	case 7:
		set_op(slot, "truncate %s", path);
		truncate(path, salt % 100);
		break;
	}
	set_op(slot, "done %s", path);
}

/*
 * Run @fn(@arg) in a child under alarm(@secs).  Returns 0 when it
 * returned, else a message (static) naming what went wrong.
 */
static const char *in_child(int slot, void (*fn)(const void *), const void *arg,
			    unsigned int secs)
{
	static char msg[512];
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return "fork failed";
	if (pid == 0) {
		alarm(secs);
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return "waitpid failed";
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	snprintf(msg, sizeof(msg), "child %s (%d) in \"%s\"",
		 WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ?
		 "hung" : "died", WIFSIGNALED(status) ? WTERMSIG(status) :
		 WEXITSTATUS(status), shm->op[slot]);
	return msg;
}

struct poke_list {
	const char *mnt;
	const char *const *names;
	unsigned int salt;
};

static void poke_all(const void *arg)
{
	const struct poke_list *p = arg;
	unsigned int i;

	for (i = 0; p->names[i]; i++)
		poke(0, lfs_fmt("%s/%s", p->mnt, p->names[i]), p->salt + i);
}

/* Poke every name of @names through the mount, 8 times with every salt. */
static const char *poke_names(const char *mnt, const char *const *names)
{
	struct poke_list p = { .mnt = mnt, .names = names };
	const char *err = NULL;

	for (p.salt = 0; p.salt < 8 && !err; p.salt++)
		err = in_child(0, poke_all, &p, HANG_SECS);
	return err;
}

static void map_shared(struct __test_metadata *_metadata)
{
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	memset(shm, 0, sizeof(*shm));
}

/* End of every (a) test: nothing left in work/, the mount comes off. */
#define FINISH() do { \
	ASSERT_EQ(0, wu_work_leftovers(L("w/work"))); \
	ASSERT_EQ(0, umount2(self->mnt, 0)) \
		TH_LOG("umount: %s (leaked reference?)", strerror(errno)); \
} while (0)

static int rm_rf(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? errno : 0;
	d = opendir(path);
	if (!d)
		return errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_rf(lfs_fmt("%s/%s", path, de->d_name));
	closedir(d);
	return rmdir(path) ? errno : 0;
}

/* ---- (a) lower layers changed under the mount -------------------------- */

/*
 * Lower files removed after the merged view has looked them up (and with
 * a file open); then the same after the dentry cache was dropped.
 */
TEST_F_TIMEOUT(hostile, lower_files_removed, 120)
{
	static const char *const names[] = {
		"f", "g", "d", "d/x", "d/y", "h", ".", NULL,
	};
	const char *err;
	int fd;

	map_shared(_metadata);
	ASSERT_EQ(0, lfs_write(L("l2/f"), "lower f"));
	ASSERT_EQ(0, lfs_write(L("l1/g"), "lower g"));
	ASSERT_EQ(0, lfs_write(L("l2/h"), "lower h"));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/d")));
	ASSERT_EQ(0, lfs_write(L("l2/d/x"), "x"));
	ASSERT_EQ(0, lfs_write(L("l2/d/y"), "y"));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	ASSERT_STREQ("d,f,g,h", lfs_list(self->mnt, self->buf,
					 sizeof(self->buf)));
	ASSERT_EQ(0, lfs_lstat_errno(M("d/x")));
	fd = open(M("h"), O_RDONLY);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, unlink(L("l2/f")));
	ASSERT_EQ(0, unlink(L("l1/g")));
	ASSERT_EQ(0, unlink(L("l2/h")));
	ASSERT_EQ(0, rm_rf(L("l2/d")));
	ASSERT_LE(0, read(fd, self->buf, sizeof(self->buf)));
	err = poke_names(self->mnt, names);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	close(fd);
	drop_caches();
	err = poke_names(self->mnt, names);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	FINISH();
}

/* Read the open directory @dfd, create a file in it, rewind, read again. */
static void read_create_reread(int dfd)
{
	char dents[4096];
	int fd;

	if (syscall(SYS_getdents64, dfd, dents, sizeof(dents)) < 0)
		;
	fd = openat(dfd, "newfile", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	lseek(dfd, 0, SEEK_SET);
	if (syscall(SYS_getdents64, dfd, dents, sizeof(dents)) < 0)
		;
}

/*
 * Lower directories replaced by files and files by directories (and by
 * symlinks, fifos and whiteouts), both while cached and after a drop.
 */
TEST_F_TIMEOUT(hostile, lower_types_replaced, 120)
{
	static const char *const names[] = {
		"d", "d/x", "d/sub", "d/sub/z", "f", "f/in", "s", "s/etc", "p",
		"w", "w/a", NULL,
	};
	const char *err;
	int dfd;

	map_shared(_metadata);
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/d/sub")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/d")));
	ASSERT_EQ(0, lfs_write(L("l2/d/x"), "x"));
	ASSERT_EQ(0, lfs_write(L("l2/d/sub/z"), "z"));
	ASSERT_EQ(0, lfs_write(L("l2/f"), "file"));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/s")));
	ASSERT_EQ(0, lfs_write(L("l2/p"), "p"));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/w")));
	ASSERT_EQ(0, lfs_write(L("l2/w/a"), "a"));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	/* Look everything up and keep the merged directory d open. */
	ASSERT_STREQ("sub,x", lfs_list(M("d"), self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, lfs_lstat_errno(M("d/sub/z")));
	ASSERT_EQ(0, lfs_lstat_errno(M("f")));
	ASSERT_EQ(0, lfs_lstat_errno(M("s")));
	ASSERT_EQ(0, lfs_lstat_errno(M("w/a")));
	dfd = open(M("d"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);

	/* d (lower dir) -> file; f (file) -> dir; s (dir) -> symlink to /. */
	ASSERT_EQ(0, rm_rf(L("l2/d")));
	ASSERT_EQ(0, lfs_write(L("l2/d"), "now a file"));
	ASSERT_EQ(0, rm_rf(L("l1/d")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/d/sub")));	/* l1/d: new dir */
	ASSERT_EQ(0, unlink(L("l2/f")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/f/in")));
	ASSERT_EQ(0, rmdir(L("l2/s")));
	ASSERT_EQ(0, symlink("/", L("l2/s")));
	ASSERT_EQ(0, unlink(L("l2/p")));
	ASSERT_EQ(0, mkfifo(L("l2/p"), 0644));
	/* w: a whiteout and an opaque directory appear in l1 */
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/w")));
	ASSERT_EQ(0, lfs_opaque(L("l1/w")));
	ASSERT_EQ(0, lfs_whiteout(L("l1/w/a")));

	/* The open merged directory: read, create in it, rewind, read. */
	read_create_reread(dfd);
	err = poke_names(self->mnt, names);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	close(dfd);
	drop_caches();
	err = poke_names(self->mnt, names);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	FINISH();
}

struct reader {
	const char *dir;
	long secs;
};

/* Read @dir (open, getdents, seek back, getdents) in a loop. */
static void read_dir_loop(const void *arg)
{
	const struct reader *r = arg;
	time_t end = time(NULL) + r->secs;
	char dents[1024];
	long n;

	while (time(NULL) < end) {
		int fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		set_op(1, "getdents %s", r->dir);
		if (fd < 0)
			continue;
		n = syscall(SYS_getdents64, fd, dents, sizeof(dents));
		if (n > 0) {
			off_t pos = lseek(fd, 0, SEEK_CUR);

			while (syscall(SYS_getdents64, fd, dents,
				       sizeof(dents)) > 0)
				;
			lseek(fd, pos, SEEK_SET);
			while (syscall(SYS_getdents64, fd, dents,
				       sizeof(dents)) > 0)
				;
		}
		close(fd);
	}
}

/*
 * A lower directory removed (and recreated) again and again while a
 * merged directory merging it is open and being read by another process.
 */
TEST_F_TIMEOUT(hostile, lower_dir_removed_while_read, 120)
{
	long secs = lfs_env_long("LAYERFS_HOSTILE_SECS", 3);
	struct reader r = { .secs = secs };
	char dents[1024];
	time_t end;
	pid_t pid;
	int i, fd, status, rounds = 0;

	map_shared(_metadata);
	ASSERT_EQ(0, lfs_mkdir_p(L("l1/big")));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/big")));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("l1/big/a%03d", i)), "a"));
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("l2/big/b%03d", i)), "b"));
	}
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	ASSERT_EQ(400, wu_count(M("big")));
	/* This process holds the directory open mid-read throughout. */
	fd = open(M("big"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, syscall(SYS_getdents64, fd, dents, sizeof(dents)));

	r.dir = M("big");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		alarm(secs + HANG_SECS);
		read_dir_loop(&r);
		_exit(0);
	}
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		rm_rf(L("l2/big"));
		if (syscall(SYS_getdents64, fd, dents, sizeof(dents)) < 0)
			;
		lfs_mkdir_p(L("l2/big"));
		for (i = 0; i < 20; i++)
			lfs_write(L(lfs_fmt("l2/big/c%03d", i)), "c");
		rm_rf(L("l1/big"));
		lfs_write(L("l1/big"), "file now");
		lseek(fd, 0, SEEK_SET);
		if (syscall(SYS_getdents64, fd, dents, sizeof(dents)) < 0)
			;
		unlink(L("l1/big"));
		lfs_mkdir_p(L("l1/big"));
		rounds++;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("reader %s (%d) in \"%s\"",
		       WIFSIGNALED(status) ? "killed" : "exited",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
		       WEXITSTATUS(status), shm->op[1]);
	TH_LOG("%d rounds of lower changes, %lu reader calls", rounds,
	       shm->calls[1]);
	lseek(fd, 0, SEEK_SET);
	while (syscall(SYS_getdents64, fd, dents, sizeof(dents)) > 0)
		;
	close(fd);
	/* A copy-up of the (changed) merged directory still returns. */
	{
		static const char *const names[] = { "big", "big/c000", NULL };
		const char *err = poke_names(self->mnt, names);

		ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	}
	FINISH();
}

struct trunc_arg {
	const char *path;
	long secs;
};

/* Shrink and regrow the lower file @path until killed. */
static void truncate_loop(const void *arg)
{
	const struct trunc_arg *t = arg;
	unsigned int i = 0;

	for (;;) {
		set_op(1, "truncate lower %s", t->path);
		truncate(t->path, (i++ % 4) * (1 << 20));
		truncate(t->path, 8 << 20);
	}
}

/*
 * A lower file truncated (shrunk and regrown) while it is being copied up:
 * each copy-up may fail or copy any content, but it returns, leaves no
 * temporary behind, and what it installs is a whole file of some size.
 */
TEST_F_TIMEOUT(hostile, lower_truncated_during_copy_up, 120)
{
	long secs = lfs_env_long("LAYERFS_HOSTILE_SECS", 3);
	unsigned int i, ok = 0, failed = 0, hist[134] = { 0 };
	struct trunc_arg t = { .secs = secs };
	const char *err = NULL;
	pid_t pid;
	int status;

	map_shared(_metadata);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, wu_fill(L(lfs_fmt("l2/t%02u", i)), 8 << 20, i));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));

	for (i = 0; i < 16 && !err; i++) {
		int fd;

		t.path = L(lfs_fmt("l2/t%02u", i));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			alarm(HANG_SECS);
			truncate_loop(&t);
			_exit(0);
		}
		set_op(0, "open O_RDWR (copy-up) %s", t.path);
		alarm(HANG_SECS);
		fd = open(M(lfs_fmt("t%02u", i)), i % 2 ? O_RDWR :
			  O_WRONLY | O_APPEND);
		alarm(0);
		if (fd >= 0) {
			ok++;
			close(fd);
		} else {
			failed++;
			hist[errno < 134 ? errno : 0]++;
		}
		kill(pid, SIGTERM);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
			err = "truncating child died or hung";
	}
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	TH_LOG("copy-ups: %u opened, %u failed (EIO %u, EINTR %u, other %u)",
	       ok, failed, hist[EIO], hist[EINTR],
	       failed - hist[EIO] - hist[EINTR]);
	(void)secs;
	FINISH();
}

struct chaos {
	const char *base;
	int id;
	long secs;
};

static const char *const chaos_names[] = {
	"a", "b", "c", "d", "d/e", "d/f", "g", "g/h",
};

/* Keep changing the lower layers: each name cycles through every type. */
static void chaos_mutator(const void *arg)
{
	const struct chaos *c = arg;
	time_t end = time(NULL) + c->secs;
	unsigned int i = 0;

	while (time(NULL) < end) {
		const char *layer = i % 3 ? "l2" : "l1";
		const char *name = chaos_names[(i / 3) % 8];
		const char *p = lfs_fmt("%s/%s/%s", c->base, layer, name);

		set_op(7, "mutate %s", p);
		rm_rf(p);
		switch ((i / 24) % 7) {
		case 0:
			lfs_write(p, "file");
			break;
		case 1:
			mkdir(p, 0755);
			lfs_write(lfs_fmt("%s/e", p), "e");
			mkdir(lfs_fmt("%s/f", p), 0755);
			break;
		case 2:
			symlink("..", p);
			break;
		case 3:
			mkfifo(p, 0644);
			break;
		case 4:
			lfs_whiteout(p);
			break;
		case 5:
			mkdir(p, 0755);
			lfs_opaque(p);
			break;
		case 6:
			break;		/* absent */
		}
		if (!(i % 64))
			drop_caches();
		i++;
	}
}

static void chaos_poker(const void *arg)
{
	const struct chaos *c = arg;
	time_t end = time(NULL) + c->secs;
	unsigned int i = c->id * 7;

	while (time(NULL) < end) {
		const char *name = chaos_names[i % 8];
		DIR *d;

		poke(c->id, lfs_fmt("%s/m/%s", c->base, name), i / 8);
		set_op(c->id, "readdir root %s", "");
		d = opendir(lfs_fmt("%s/m", c->base));
		if (d) {
			while (readdir(d))
				;
			closedir(d);
		}
		i++;
	}
}

/*
 * One process keeps changing the lower layers (every name cycles through
 * file, directory, symlink, fifo, whiteout, opaque directory, absent)
 * while four others use the merged view with every kind of call.
 */
TEST_F_TIMEOUT(hostile, chaos, 120)
{
	long secs = lfs_env_long("LAYERFS_HOSTILE_SECS", 3);
	struct chaos c[5];
	pid_t pid[5];
	int i, status;
	unsigned long calls = 0;

	map_shared(_metadata);
	for (i = 0; i < 8; i++) {
		lfs_mkdir_p(L(lfs_fmt("l2/%s", chaos_names[i])));
		lfs_mkdir_p(L(lfs_fmt("l1/%s", chaos_names[i])));
	}
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	for (i = 0; i < 5; i++) {
		c[i] = (struct chaos){ .base = self->base, .id = i,
				       .secs = secs };
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			alarm(secs + HANG_SECS);
			if (i == 4)
				chaos_mutator(&c[i]);
			else
				chaos_poker(&c[i]);
			_exit(0);
		}
	}
	for (i = 0; i < 5; i++) {
		int slot = i == 4 ? 7 : i;

		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("child %d %s (%d) in \"%s\"", i,
			       WIFSIGNALED(status) ? "killed" : "exited",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
			       WEXITSTATUS(status), shm->op[slot]);
		calls += shm->calls[slot];
	}
	TH_LOG("%lu operations", calls);
	FINISH();
}

/*
 * Deterministic form of a crash the chaos test found: a file whose upper
 * copy is replaced by a whiteout (unlink of a name a lower layer has)
 * while something still holds the layerfs dentry without opening the
 * file (here an O_PATH descriptor).  The layerfs inode must not be left
 * pointing at a negative upper dentry: fstat and listxattr through the
 * descriptor return (any result), no oops.
 */
TEST_F(hostile, unlink_copied_up_with_path_held)
{
	char list[1024];
	struct stat st;
	int fd;

	ASSERT_EQ(0, lfs_write(L("l2/d"), "lower"));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	ASSERT_EQ(0, lfs_write(M("d"), "upper"));	/* copy-up */
	fd = open(M("d"), O_PATH);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink(M("d")));
	ASSERT_TRUE(wu_is_whiteout(L("u/d")));
	if (fstat(fd, &st))
		TH_LOG("fstat: %s", strerror(errno));
	if (listxattr(lfs_fmt("/proc/self/fd/%d", fd), list, sizeof(list)) < 0)
		TH_LOG("listxattr: %s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, umount2(self->mnt, 0));
}

/* ---- (b) security ------------------------------------------------------- */

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

struct mount_try {
	const char *mnt, *opts;
	bool fsopen;
};

static int mount_as_nobody(const void *arg)
{
	const struct mount_try *m = arg;
	int fd;

	if (set_caps((1U << CAP_SETUID) | (1U << CAP_SETGID)))
		return 250;
	if (lfs_become(LFS_NOBODY))
		return 251;
	if (!m->fsopen)
		return lfs_mount(m->mnt, m->opts);
	fd = syscall(SYS_fsopen, "layerfs", FSOPEN_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

/* Non-root cannot mount, by mount(2) or fsopen(2). */
TEST_F(hostile, nonroot_cannot_mount)
{
	struct mount_try m = {
		.mnt = self->mnt,
		.opts = wu_opts(self->base),
	};

	ASSERT_EQ(0, chmod(self->base, 0777));
	ASSERT_EQ(0, chmod(self->mnt, 0777));
	ASSERT_EQ(EPERM, lfs_in_child(mount_as_nobody, &m));
	m.fsopen = true;
	ASSERT_EQ(EPERM, lfs_in_child(mount_as_nobody, &m));
	m.opts = lfs_expand(self->base, "lowerdir=$/l1");
	m.fsopen = false;
	ASSERT_EQ(EPERM, lfs_in_child(mount_as_nobody, &m));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));
	ASSERT_EQ(0, umount2(self->mnt, 0));
}

struct xa {
	const char *path;
	int op;		/* 0 get, 1 set, 2 remove, 3 list-contains */
	const char *name;
};

static int xattr_op(const void *arg)
{
	const struct xa *x = arg;
	char buf[4096];
	ssize_t n;

	switch (x->op) {
	case 0:
		return lgetxattr(x->path, x->name, buf, sizeof(buf)) < 0 ?
		       errno : 0;
	case 1:
		return lsetxattr(x->path, x->name, "y", 1, 0) ? errno : 0;
	case 2:
		return lremovexattr(x->path, x->name) ? errno : 0;
	default:
		n = llistxattr(x->path, buf, sizeof(buf));
		if (n < 0)
			return errno;
		return lfs_xattr_listed(buf, n, x->name) ? 1 : 0;
	}
}

static int xattr_as(uid_t uid, const char *path, int op, const char *name)
{
	struct xa x = { path, op, name };

	return uid ? lfs_run_as(uid, xattr_op, &x) : lfs_in_child(xattr_op, &x);
}

/*
 * The raw trusted.overlay.* of the layers are invisible through the merged
 * view, on lower, upper and merged objects that carry such xattrs, and none
 * is listed.  For root, before 6.7, getxattr, setxattr and removexattr of
 * such a name fail with EOPNOTSUPP and copy nothing up; since 6.7 they act
 * on the escaped name trusted.overlay.overlay.* instead (get: ENODATA, as
 * there is none; set and then remove: 0, after a copy-up), as on overlayfs
 * (xattr_escape.c compares the two), and the raw markers stay as they were.
 * Callers without CAP_SYS_ADMIN are stopped by the VFS before layerfs is
 * asked (get: ENODATA, set: EPERM, whatever the name); for root the name
 * "trusted.overlay." with nothing after the prefix is EINVAL.
 */
TEST_F(hostile, trusted_overlay_xattrs_hidden)
{
	static const char *const names[] = {
		"trusted.overlay.opaque", "trusted.overlay.redirect",
		"trusted.overlay.x", "trusted.overlay.",
	};
	static const char *const objs[] = { "od", "f", "ud", "." };
	bool esc = lfs_overlay_escapes_xattrs();
	unsigned int i, k;

	ASSERT_EQ(0, lfs_mkdir_p(L("l2/od")));
	ASSERT_EQ(0, lfs_opaque(L("l2/od")));
	ASSERT_EQ(0, lfs_write(L("l2/f"), "f"));
	ASSERT_EQ(0, setxattr(L("l2/f"), "trusted.overlay.x", "1", 1, 0));
	ASSERT_EQ(0, lfs_mkdir_p(L("u/ud")));
	ASSERT_EQ(0, lfs_opaque(L("u/ud")));
	ASSERT_EQ(0, chmod(self->base, 0755));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));

	for (k = 0; k < ARRAY_SIZE(objs); k++) {
		const char *p = M(objs[k]);

		for (i = 0; i < ARRAY_SIZE(names); i++) {
			bool empty = !strcmp(names[i], "trusted.overlay.");
			int get_err = empty ? EINVAL : esc ? ENODATA :
					     EOPNOTSUPP;
			int set_err = empty ? EINVAL : esc ? 0 : EOPNOTSUPP;

			EXPECT_EQ(get_err, xattr_as(0, p, 0, names[i]))
				TH_LOG("get %s %s", objs[k], names[i]);
			EXPECT_EQ(set_err, xattr_as(0, p, 1, names[i]))
				TH_LOG("set %s %s", objs[k], names[i]);
			EXPECT_EQ(set_err, xattr_as(0, p, 2, names[i]))
				TH_LOG("remove %s %s", objs[k], names[i]);
			/* the VFS refuses before it parses the name */
			EXPECT_EQ(ENODATA,
				  xattr_as(LFS_NOBODY, p, 0, names[i]))
				TH_LOG("nobody get %s %s", objs[k], names[i]);
			EXPECT_EQ(EPERM,
				  xattr_as(LFS_NOBODY, p, 1, names[i]))
				TH_LOG("nobody set %s %s", objs[k], names[i]);
			EXPECT_EQ(0, xattr_as(0, p, 3, names[i]))
				TH_LOG("listed: %s %s", objs[k], names[i]);
		}
	}
	/* Nothing was copied up by the refused calls (before 6.7). */
	EXPECT_STREQ(esc ? "f,od,ud" : "ud",
		     lfs_list(L("u"), self->buf, sizeof(self->buf)));
	/* The lower and upper markers are untouched. */
	EXPECT_TRUE(wu_is_opaque(L("l2/od")));
	EXPECT_TRUE(wu_is_opaque(L("u/ud")));
	EXPECT_EQ(0, xattr_as(0, L("l2/f"), 0, "trusted.overlay.x"));
	if (esc) {
		/* the copies got no raw name, and no escaped name is left */
		EXPECT_EQ(ENODATA, xattr_as(0, L("u/f"), 0,
					    "trusted.overlay.x"));
		EXPECT_EQ(ENODATA, xattr_as(0, L("u/od"), 0,
					    "trusted.overlay.overlay.opaque"));
	}
	ASSERT_EQ(0, umount2(self->mnt, 0));
}

struct acc {
	const char *path;
	int op;		/* 0 read, 1 list, 2 write, 3 chmod, 4 chown */
};

static int access_op(const void *arg)
{
	const struct acc *a = arg;
	int fd;
	DIR *d;

	switch (a->op) {
	case 0:
		fd = open(a->path, O_RDONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case 1:
		d = opendir(a->path);
		if (!d)
			return errno;
		closedir(d);
		return 0;
	case 2:
		fd = open(a->path, O_WRONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case 3:
		return chmod(a->path, 0777) ? errno : 0;
	default:
		return chown(a->path, LFS_NOBODY, LFS_NOBODY) ? errno : 0;
	}
}

static int access_as(uid_t uid, const char *path, int op)
{
	struct acc a = { path, op };

	return lfs_run_as(uid, access_op, &a);
}

/*
 * Copy-up by root never opens up an object: a 0600 root file, a file in a
 * 0700 root directory and the directory itself stay closed to nobody, with
 * the same mode and owner in the upper layer; a 0666 root file nobody may
 * write cannot be chmod'ed or chown'ed by nobody (before or after its
 * copy-up) and keeps its mode.
 */
TEST_F(hostile, copy_up_grants_nothing)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, lfs_write_mode(L("l2/secret"), "secret", 0600));
	ASSERT_EQ(0, lfs_mkdir_p(L("l2/closed")));
	ASSERT_EQ(0, lfs_write_mode(L("l2/closed/f"), "f", 0644));
	ASSERT_EQ(0, chmod(L("l2/closed"), 0700));
	ASSERT_EQ(0, lfs_write_mode(L("l2/open"), "open", 0666));
	ASSERT_EQ(0, lfs_write_mode(L("l2/open2"), "open2", 0666));
	ASSERT_EQ(0, wu_mount(self->mnt, wu_opts(self->base)));

	/* Before: nobody is refused. */
	ASSERT_EQ(EACCES, access_as(LFS_NOBODY, M("secret"), 0));
	ASSERT_EQ(EACCES, access_as(LFS_NOBODY, M("closed"), 1));
	ASSERT_EQ(EACCES, access_as(LFS_NOBODY, M("closed/f"), 0));
	ASSERT_EQ(EPERM, access_as(LFS_NOBODY, M("open"), 3));
	ASSERT_EQ(EPERM, access_as(LFS_NOBODY, M("open"), 4));
	ASSERT_EQ(0, access_as(LFS_NOBODY, M("open"), 2));	/* copied up */
	ASSERT_EQ(EPERM, access_as(LFS_NOBODY, M("open"), 3));
	ASSERT_EQ(EPERM, access_as(LFS_NOBODY, M("open"), 4));

	/* root copies them up. */
	fd = open(M("secret"), O_RDWR);
	ASSERT_LE(0, fd);
	close(fd);
	fd = open(M("closed/f"), O_RDWR);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, utimensat(AT_FDCWD, M("open2"), NULL, 0));
	ASSERT_EQ(0, lstat(L("u/secret"), &st));
	ASSERT_EQ(0100600, st.st_mode);
	ASSERT_EQ(0, st.st_uid);
	ASSERT_EQ(0, lstat(L("u/closed"), &st));
	ASSERT_EQ(040700, st.st_mode);

	/* After: still refused, through the mount and in the upper layer. */
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, M("secret"), 0));
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, M("secret"), 2));
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, M("closed"), 1));
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, M("closed/f"), 0));
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, L("u/secret"), 0));
	EXPECT_EQ(EACCES, access_as(LFS_NOBODY, L("u/closed"), 1));
	EXPECT_EQ(EPERM, access_as(LFS_NOBODY, M("open2"), 3));
	EXPECT_EQ(EPERM, access_as(LFS_NOBODY, M("open2"), 4));
	EXPECT_EQ(0100666, wu_lstat(M("open")).st_mode);
	EXPECT_EQ(0100666, wu_lstat(M("open2")).st_mode);
	EXPECT_EQ(0, wu_lstat(M("open")).st_uid);
	EXPECT_EQ(0, wu_lstat(M("open2")).st_uid);
	/* and root reads what it wrote nothing into */
	EXPECT_STREQ("secret", lfs_cat(M("secret"), self->buf,
				       sizeof(self->buf)));
	ASSERT_EQ(0, umount2(self->mnt, 0));
}

/* ---- setuid/setgid vs overlay ------------------------------------------- */

enum wop { W_WRITE, W_PWRITE, W_WRITEV, W_OTRUNC, W_FTRUNCATE, W_TRUNCATE,
	   W_FALLOCATE, W_NWOPS };
static const char *const wop_names[] = {
	"write", "pwrite", "writev", "O_TRUNC", "ftruncate", "truncate",
	"fallocate",
};

static const mode_t suid_modes[] = {
	04777, 02777, 06777, 02767, 04766, 06755,
};

struct wreq {
	const char *path;
	enum wop op;
};

static int write_op(const void *arg)
{
	const struct wreq *w = arg;
	struct iovec iov = { .iov_base = "data", .iov_len = 4 };
	int fd, err = 0;

	if (w->op == W_TRUNCATE)
		return truncate(w->path, 2) ? errno : 0;
	fd = open(w->path, O_WRONLY | (w->op == W_OTRUNC ? O_TRUNC : 0));
	if (fd < 0)
		return errno;
	switch (w->op) {
	case W_WRITE:
		err = write(fd, "data", 4) == 4 ? 0 : errno;
		break;
	case W_PWRITE:
		err = pwrite(fd, "data", 4, 1) == 4 ? 0 : errno;
		break;
	case W_WRITEV:
		err = writev(fd, &iov, 1) == 4 ? 0 : errno;
		break;
	case W_FTRUNCATE:
		err = ftruncate(fd, 1) ? errno : 0;
		break;
	case W_FALLOCATE:
		err = fallocate(fd, 0, 0, 8192) ? errno : 0;
		break;
	default:
		break;
	}
	close(fd);
	return err;
}

/*
 * For each setuid/setgid mode, each writing operation and each caller
 * (nobody; uid 1000 owning the file; root), a fresh lower file is written
 * through layerfs and through overlay: the errno and the resulting mode
 * must be the same.  For non-root writers that succeeded the setuid bit
 * must be gone (the kernel's rule; setgid only goes with group-exec).
 */
TEST_F_TIMEOUT(hostile, setuid_cleared_like_overlay, 120)
{
	static const uid_t uids[] = { LFS_NOBODY, 1000, 0 };
	static const char *const fstypes[] = { "layerfs", "overlay" };
	char res[2][64][96];
	unsigned int t, m, o, u, n, mismatches = 0;

	LFS_REQUIRE_OVERLAY(return);
	ASSERT_EQ(0, lfs_mkdir_p(L("ovl/l1")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ovl/l2")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ovl/u")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ovl/w")));
	ASSERT_EQ(0, lfs_mkdir_p(L("ovl/m")));
	ASSERT_EQ(0, chmod(self->base, 0755));

	for (u = 0; u < ARRAY_SIZE(uids); u++) {
		for (t = 0; t < 2; t++) {
			char b[PATH_MAX + 8], mnt[PATH_MAX + 16];

			snprintf(b, sizeof(b), "%s%s", self->base,
				 t ? "/ovl" : "");
			snprintf(mnt, sizeof(mnt), "%s/m", b);

			n = 0;
			for (m = 0; m < ARRAY_SIZE(suid_modes); m++) {
				for (o = 0; o < W_NWOPS; o++) {
					const char *f = lfs_fmt("%s/l2/s%u_%u_%u",
								b, u, m, o);

					ASSERT_EQ(0, lfs_write(f, "setuid file"));
					ASSERT_EQ(0, chown(f, uids[u] == 1000 ?
							   1000 : 0, 0));
					ASSERT_EQ(0, chmod(f, suid_modes[m]));
				}
			}
			ASSERT_EQ(0, wu_mount_type(fstypes[t], mnt,
						   lfs_expand(b,
				"lowerdir=$/l1:$/l2,upperdir=$/u,workdir=$/w")));
			for (m = 0; m < ARRAY_SIZE(suid_modes); m++) {
				for (o = 0; o < W_NWOPS; o++, n++) {
					struct wreq w = {
						.path = lfs_fmt("%s/s%u_%u_%u",
								mnt, u, m, o),
						.op = o,
					};
					int err = uids[u] ?
						lfs_run_as(uids[u], write_op, &w) :
						lfs_in_child(write_op, &w);
					mode_t after = wu_lstat(w.path).st_mode;

					snprintf(res[t][n], sizeof(res[t][n]),
						 "uid %u mode %04o %s: errno %d -> %04o",
						 uids[u], suid_modes[m],
						 wop_names[o], err,
						 after & 07777);
					if (t || !uids[u] || err)
						continue;
					/* non-root write that succeeded */
					EXPECT_EQ(0, after & S_ISUID)
						TH_LOG("layerfs %s", res[t][n]);
					if (suid_modes[m] & S_IXGRP)
						EXPECT_EQ(0, after & S_ISGID)
							TH_LOG("layerfs %s",
							       res[t][n]);
				}
			}
			ASSERT_EQ(0, umount2(mnt, 0));
		}
		for (m = 0; m < n; m++) {
			if (!strcmp(res[0][m], res[1][m]))
				continue;
			mismatches++;
			TH_LOG("layerfs: %s", res[0][m]);
			TH_LOG("overlay: %s", res[1][m]);
		}
	}
	EXPECT_EQ(0, mismatches);
}

TEST_HARNESS_MAIN
