// SPDX-License-Identifier: GPL-2.0
/*
 * lookup.c - name resolution, file types, attributes, xattrs, read-only
 * enforcement and permission checks of a layerfs mount.
 *
 * The fixture builds four layers on one private tmpfs and mounts
 *   lowerdir=$/a:$/b:$/c,upperdir=$/u,workdir=$/w   on $/m
 * so the stack is, top to bottom:  u  a  b  c.  Every entry below exists to
 * make one rule of the contract observable (see the comment of the test
 * that uses it); contents name the layer they came from ("U", "A", ...), so
 * a test that reads the wrong layer fails with a readable diff.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define DATA_SIZE	(3 * 4096 + 123)
#define REG_UID		1234
#define REG_GID		5678
#define REG_MTIME_SEC	1000000000
#define REG_MTIME_NSEC	123456789

FIXTURE(lookup) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
	char want[8192];
};

/* Byte @i of the "data" file: not periodic in the page size. */
static unsigned char data_byte(size_t i)
{
	return (unsigned char)((i * 31 + i / 4093) ^ 0x5a);
}

static int make_data_file(const char *path)
{
	static unsigned char data[DATA_SIZE];
	size_t i;
	int fd;

	for (i = 0; i < DATA_SIZE; i++)
		data[i] = data_byte(i);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	if (write(fd, data, DATA_SIZE) != DATA_SIZE) {
		close(fd);
		return EIO;
	}
	close(fd);
	return 0;
}

/* Leave a bound unix socket inode at @path. */
static int make_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int err = 0, fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)))
		err = errno;
	close(fd);
	return err;
}

FIXTURE_SETUP(lookup)
{
	static const char *const dirs[] = {
		"$/u", "$/a", "$/b", "$/c", "$/w", "$/m",
		"$/c/wo_dir", "$/c/odir", "$/b/odir", "$/a/odir",
		"$/c/odir2", "$/u/odir2", "$/c/fhd", "$/a/dhf",
		"$/c/dfd", "$/a/dfd", "$/u/mrg/sub", "$/a/mrg", "$/b/mrg",
		"$/c/mrg/sub", "$/b/types", "$/b/perm/closed",
		"$/a/fhu", "$/u/dhu", "$/u/odir3", "$/a/odir3", "$/c/odir3",
	};
	static const char *const files[][2] = {
		{ "$/c/wo_mid", "C" }, { "$/c/wo_up", "C" },
		{ "$/c/wo_dir/x", "C" }, { "$/a/above_wo", "A" },
		{ "$/c/odir/low", "C" }, { "$/b/odir/mid", "B" },
		{ "$/a/odir/own", "A" }, { "$/c/odir2/y", "C" },
		{ "$/u/odir2/x", "U" }, { "$/c/fhd/child", "C" },
		{ "$/a/fhd", "A" }, { "$/c/dhf", "C" }, { "$/a/dhf/k", "A" },
		{ "$/c/dfd/deep", "C" }, { "$/b/dfd", "B" },
		{ "$/a/dfd/top", "A" }, { "$/u/mrg/u1", "U" },
		{ "$/a/mrg/a1", "A" }, { "$/b/mrg/b1", "B" },
		{ "$/c/mrg/c1", "C" }, { "$/c/mrg/shared", "C" },
		{ "$/a/mrg/shared", "A" }, { "$/u/mrg/sub/su", "U" },
		{ "$/c/mrg/sub/sc", "C" }, { "$/u/top", "U" },
		{ "$/a/top", "A" }, { "$/b/top", "B" }, { "$/c/top", "C" },
		{ "$/a/top2", "A" }, { "$/c/top2", "C" },
		{ "$/c/bottom", "C" }, { "$/b/types/reg", "hello" },
		{ "$/a/xv", "A" }, { "$/c/xv", "C" },
		{ "$/b/perm/public", "public" }, { "$/b/perm/closed/in", "in" },
		{ "$/u/fhu", "U" }, { "$/a/fhu/child", "A" },
		{ "$/u/dhu/k", "U" }, { "$/b/dhu", "B" },
		{ "$/u/odir3/u3", "U" }, { "$/a/odir3/a3", "A" },
		{ "$/c/odir3/c3", "C" }, { "$/c/mrg/hid", "C" },
	};
	const char *b;
	struct timespec ts[2] = {
		{ REG_MTIME_SEC, REG_MTIME_NSEC },
		{ REG_MTIME_SEC, REG_MTIME_NSEC },
	};
	unsigned int i;

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

	/* Whiteouts in a middle lower layer and in the upper layer. */
	ASSERT_EQ(0, lfs_whiteout(lfs_expand(b, "$/a/wo_mid")));
	ASSERT_EQ(0, lfs_whiteout(lfs_expand(b, "$/u/wo_up")));
	ASSERT_EQ(0, lfs_whiteout(lfs_expand(b, "$/b/wo_dir")));
	ASSERT_EQ(0, lfs_whiteout(lfs_expand(b, "$/b/above_wo")));
	ASSERT_EQ(0, lfs_whiteout(lfs_expand(b, "$/u/mrg/hid")));
	/* Opaque directories in a lower layer and in the upper layer. */
	ASSERT_EQ(0, lfs_opaque(lfs_expand(b, "$/a/odir")));
	ASSERT_EQ(0, lfs_opaque(lfs_expand(b, "$/u/odir2")));
	ASSERT_EQ(0, lfs_opaque(lfs_expand(b, "$/a/odir3")));

	/* One of each file type, in a middle layer. */
	ASSERT_EQ(0, chown(lfs_expand(b, "$/b/types/reg"), REG_UID, REG_GID));
	ASSERT_EQ(0, chmod(lfs_expand(b, "$/b/types/reg"), 0640));
	ASSERT_EQ(0, utimensat(AT_FDCWD, lfs_expand(b, "$/b/types/reg"), ts,
			       0));
	ASSERT_EQ(0, setxattr(lfs_expand(b, "$/b/types/reg"), "trusted.foo",
			      "bar", 3, 0));
	ASSERT_EQ(0, setxattr(lfs_expand(b, "$/b/types/reg"),
			      "trusted.overlay.hidden", "1", 1, 0));
	ASSERT_EQ(0, symlink("reg", lfs_expand(b, "$/b/types/sym_rel")));
	ASSERT_EQ(0, symlink(lfs_expand(b, "$/m/types/reg"),
			     lfs_expand(b, "$/b/types/sym_abs")));
	ASSERT_EQ(0, mkfifo(lfs_expand(b, "$/b/types/fifo"), 0620));
	ASSERT_EQ(0, make_socket(lfs_expand(b, "$/b/types/sock")));
	ASSERT_EQ(0, mknod(lfs_expand(b, "$/b/types/null"), S_IFCHR | 0666,
			   makedev(1, 3)));
	ASSERT_EQ(0, mknod(lfs_expand(b, "$/b/types/blk"), S_IFBLK | 0600,
			   makedev(7, 0)));
	ASSERT_EQ(0, make_data_file(lfs_expand(b, "$/b/types/data")));

	/* xattr on both copies of "xv": the topmost one must be served. */
	ASSERT_EQ(0, setxattr(lfs_expand(b, "$/a/xv"), "trusted.v", "top", 3,
			      0));
	ASSERT_EQ(0, setxattr(lfs_expand(b, "$/c/xv"), "trusted.v", "low", 3,
			      0));

	/* Permission fixtures: owned by root. */
	ASSERT_EQ(0, lfs_write_mode(lfs_expand(b, "$/b/perm/secret"), "secret",
				    0600));
	ASSERT_EQ(0, chmod(lfs_expand(b, "$/b/perm/closed"), 0700));

	ASSERT_EQ(0, lfs_mount(self->mnt, lfs_expand(b,
		"lowerdir=$/a:$/b:$/c,upperdir=$/u,workdir=$/w")));
}

FIXTURE_TEARDOWN(lookup)
{
	LFS_DROP_BASE(self->base, "m", "m2", "m3", "x1", "x2");
}

/* Path below the mount point. */
#define M(rel)		lfs_fmt("%s/%s", self->mnt, rel)
/* Path below the per-test tmpfs (the layers). */
#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
/* Content of a file below the mount point. */
#define CAT(rel)	lfs_cat(M(rel), self->buf, sizeof(self->buf))
/* Sorted listing of a directory below the mount point. */
#define LS(rel)		lfs_list(M(rel), self->buf, sizeof(self->buf))

/* ---- whiteouts ----------------------------------------------------------- */

/* A whiteout in a middle layer (a) hides the file in the layer below (c). */
TEST_F(lookup, whiteout_in_lower_hides_name)
{
	ASSERT_EQ(0, lfs_lstat_errno(L("c/wo_mid")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_mid")));
}

/* A whiteout in the upper layer hides lower files. */
TEST_F(lookup, whiteout_in_upper_hides_name)
{
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_up")));
}

/* A whiteout hides a whole lower directory, including what is inside. */
TEST_F(lookup, whiteout_hides_lower_dir)
{
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_dir")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("wo_dir/x")));
}

/* A whiteout only acts downwards: the file above it is visible. */
TEST_F(lookup, whiteout_does_not_hide_upwards)
{
	ASSERT_STREQ("A", CAT("above_wo"));
}

/* Whiteouts are not listed, and the names they hide are not either. */
TEST_F(lookup, whiteouts_not_listed)
{
	ASSERT_STREQ("above_wo,bottom,dfd,dhf,dhu,fhd,fhu,mrg,odir,odir2,odir3,"
		     "perm,top,top2,types,xv", LS("."));
}

/* ---- opaque directories -------------------------------------------------- */

/* An opaque lower dir shows its own entries and none of the dirs below. */
TEST_F(lookup, opaque_lower_dir)
{
	ASSERT_STREQ("own", LS("odir"));
	ASSERT_STREQ("A", CAT("odir/own"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("odir/mid")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("odir/low")));
}

/* The same for an opaque directory in the upper layer. */
TEST_F(lookup, opaque_upper_dir)
{
	ASSERT_STREQ("x", LS("odir2"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("odir2/y")));
}

/*
 * An opaque middle directory stops the merge below it, not above it: the
 * upper directory still merges with it.
 */
TEST_F(lookup, opaque_middle_dir_merges_upwards)
{
	ASSERT_STREQ("a3,u3", LS("odir3"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("odir3/c3")));
}

/* A whiteout inside a merged directory hides that one entry. */
TEST_F(lookup, whiteout_inside_merged_dir)
{
	ASSERT_EQ(0, lfs_lstat_errno(L("c/mrg/hid")));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("mrg/hid")));
	ASSERT_STREQ("a1,b1,c1,shared,sub,u1", LS("mrg"));
}

/* ---- files vs directories ------------------------------------------------ */

/* A file in the upper layer hides a lower directory. */
TEST_F(lookup, upper_file_hides_lower_dir)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("fhu"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_STREQ("U", CAT("fhu"));
	ASSERT_EQ(ENOTDIR, lfs_lstat_errno(M("fhu/child")));
}

/* A directory in the upper layer: the lower file of that name is ignored. */
TEST_F(lookup, upper_dir_hides_lower_file)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("dhu"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_STREQ("k", LS("dhu"));
}

/* A file above a directory hides the directory and everything inside. */
TEST_F(lookup, file_hides_lower_dir)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("fhd"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_STREQ("A", CAT("fhd"));
	ASSERT_EQ(ENOTDIR, lfs_lstat_errno(M("fhd/child")));
}

/* A directory above a file: the file is ignored, the dir is not merged. */
TEST_F(lookup, dir_hides_lower_file)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("dhf"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_STREQ("k", LS("dhf"));
}

/*
 * dir (a) / file (b) / dir (c): the file cuts the stack, so the bottom
 * directory is not merged into the top one.
 */
TEST_F(lookup, dir_file_dir_not_merged_through_file)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("dfd"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_STREQ("top", LS("dfd"));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(M("dfd/deep")));
}

/* ---- merging and precedence --------------------------------------------- */

/* Same-named directories in all four layers merge, recursively. */
TEST_F(lookup, merged_dir_shows_all_layers)
{
	ASSERT_STREQ("a1,b1,c1,shared,sub,u1", LS("mrg"));
	ASSERT_STREQ("sc,su", LS("mrg/sub"));
	ASSERT_STREQ("U", CAT("mrg/u1"));
	ASSERT_STREQ("B", CAT("mrg/b1"));
	ASSERT_STREQ("C", CAT("mrg/c1"));
	ASSERT_STREQ("C", CAT("mrg/sub/sc"));
}

/* A name in several layers reads the topmost one. */
TEST_F(lookup, topmost_content_wins)
{
	ASSERT_STREQ("U", CAT("top"));
	ASSERT_STREQ("A", CAT("top2"));
	ASSERT_STREQ("C", CAT("bottom"));
	ASSERT_STREQ("A", CAT("mrg/shared"));
}

/* A directory merged from several layers reports st_nlink == 1. */
TEST_F(lookup, merged_dir_nlink_is_one)
{
	struct stat st;

	/* Premise: the real directories have nlink >= 2. */
	ASSERT_EQ(0, stat(L("u/mrg"), &st));
	ASSERT_GE(st.st_nlink, (nlink_t)2);
	ASSERT_EQ(0, stat(M("mrg"), &st));
	ASSERT_EQ((nlink_t)1, st.st_nlink);
	ASSERT_EQ(0, stat(M("mrg/sub"), &st));
	ASSERT_EQ((nlink_t)1, st.st_nlink);
}

/* ---- file types ---------------------------------------------------------- */

/* Compare type, mode, owner, size and rdev of merged @rel with b/types/@rel. */
static void assert_same_attrs(struct __test_metadata *_metadata,
			      FIXTURE_DATA(lookup) *self, const char *rel)
{
	struct stat real, st;

	ASSERT_EQ(0, lstat(lfs_fmt("%s/b/types/%s", self->base, rel), &real));
	ASSERT_EQ(0, lstat(lfs_fmt("%s/m/types/%s", self->base, rel), &st));
	EXPECT_EQ(real.st_mode, st.st_mode);
	EXPECT_EQ(real.st_uid, st.st_uid);
	EXPECT_EQ(real.st_gid, st.st_gid);
	EXPECT_EQ(real.st_size, st.st_size);
	EXPECT_EQ(real.st_rdev, st.st_rdev);
	EXPECT_EQ(real.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(real.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
}

TEST_F(lookup, type_regular)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("types/reg"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_STREQ("hello", CAT("types/reg"));
	assert_same_attrs(_metadata, self, "reg");
}

/* A relative symlink: readlink gives the target, following reads it. */
TEST_F(lookup, type_symlink_relative)
{
	char target[PATH_MAX];
	ssize_t n;
	struct stat st;

	ASSERT_EQ(0, lstat(M("types/sym_rel"), &st));
	ASSERT_TRUE(S_ISLNK(st.st_mode));
	n = readlink(M("types/sym_rel"), target, sizeof(target) - 1);
	ASSERT_EQ(3, n);
	target[n] = '\0';
	ASSERT_STREQ("reg", target);
	ASSERT_STREQ("hello", CAT("types/sym_rel"));
	ASSERT_EQ(0, stat(M("types/sym_rel"), &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	assert_same_attrs(_metadata, self, "sym_rel");
}

/* An absolute symlink pointing into the merged view itself. */
TEST_F(lookup, type_symlink_absolute)
{
	char target[PATH_MAX];
	ssize_t n;

	n = readlink(M("types/sym_abs"), target, sizeof(target) - 1);
	ASSERT_GT(n, 0);
	target[n] = '\0';
	ASSERT_STREQ(M("types/reg"), target);
	ASSERT_STREQ("hello", CAT("types/sym_abs"));
}

TEST_F(lookup, type_fifo)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, lstat(M("types/fifo"), &st));
	ASSERT_TRUE(S_ISFIFO(st.st_mode));
	assert_same_attrs(_metadata, self, "fifo");
	/* Opening it gives a working pipe end (no writer: read returns 0). */
	fd = open(M("types/fifo"), O_RDONLY | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, read(fd, self->buf, 1));
	close(fd);
}

TEST_F(lookup, type_socket)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("types/sock"), &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	assert_same_attrs(_metadata, self, "sock");
}

/* A 1:3 char device behaves as /dev/null: open works, read returns 0. */
TEST_F(lookup, type_char_device)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, lstat(M("types/null"), &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(makedev(1, 3), st.st_rdev);
	assert_same_attrs(_metadata, self, "null");
	fd = open(M("types/null"), O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, read(fd, self->buf, sizeof(self->buf)));
	close(fd);
}

TEST_F(lookup, type_block_device)
{
	struct stat st;

	ASSERT_EQ(0, lstat(M("types/blk"), &st));
	ASSERT_TRUE(S_ISBLK(st.st_mode));
	ASSERT_EQ(makedev(7, 0), st.st_rdev);
	assert_same_attrs(_metadata, self, "blk");
}

/* ---- reading data -------------------------------------------------------- */

static void fill_expected(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = data_byte(i);
}

/* read() in odd-sized chunks returns exactly the lower file, then EOF. */
TEST_F(lookup, read_matches_lower)
{
	static unsigned char want[DATA_SIZE], got[DATA_SIZE + 100];
	size_t off = 0;
	ssize_t n;
	int fd;

	fill_expected(want, DATA_SIZE);
	fd = open(M("types/data"), O_RDONLY);
	ASSERT_GE(fd, 0);
	while ((n = read(fd, got + off, 1000)) > 0)
		off += n;
	ASSERT_EQ(0, n);
	close(fd);
	ASSERT_EQ((size_t)DATA_SIZE, off);
	ASSERT_EQ(0, memcmp(want, got, DATA_SIZE));
}

/* pread() at offsets across page boundaries and past EOF. */
TEST_F(lookup, pread_matches_lower)
{
	static unsigned char want[DATA_SIZE];
	static const off_t offs[] = { 0, 1, 4095, 4096, 8000, DATA_SIZE - 7 };
	unsigned char got[300];
	unsigned int i;
	int fd;

	fill_expected(want, DATA_SIZE);
	fd = open(M("types/data"), O_RDONLY);
	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		size_t exp = DATA_SIZE - offs[i] < 300 ? DATA_SIZE - offs[i] :
							  300;

		ASSERT_EQ((ssize_t)exp, pread(fd, got, 300, offs[i]));
		ASSERT_EQ(0, memcmp(want + offs[i], got, exp));
	}
	ASSERT_EQ(0, pread(fd, got, 300, DATA_SIZE));
	close(fd);
}

/* A read-only shared mapping shows the lower file's bytes. */
TEST_F(lookup, mmap_read_matches_lower)
{
	static unsigned char want[DATA_SIZE];
	unsigned char *p;
	int fd;

	fill_expected(want, DATA_SIZE);
	fd = open(M("types/data"), O_RDONLY);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, DATA_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, (void *)p);
	ASSERT_EQ(0, memcmp(want, p, DATA_SIZE));
	munmap(p, DATA_SIZE);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 8192);
	ASSERT_NE(MAP_FAILED, (void *)p);
	ASSERT_EQ(0, memcmp(want + 8192, p, 4096));
	munmap(p, 4096);
	close(fd);
}

/* ---- getattr ------------------------------------------------------------- */

/* mode/uid/gid/size/mtime are the real file's (set to unusual values). */
TEST_F(lookup, getattr_matches_real)
{
	struct stat st;

	ASSERT_EQ(0, stat(M("types/reg"), &st));
	ASSERT_EQ((mode_t)(S_IFREG | 0640), st.st_mode);
	ASSERT_EQ((uid_t)REG_UID, st.st_uid);
	ASSERT_EQ((gid_t)REG_GID, st.st_gid);
	ASSERT_EQ(5, st.st_size);
	ASSERT_EQ(REG_MTIME_SEC, st.st_mtim.tv_sec);
	ASSERT_EQ(REG_MTIME_NSEC, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, stat(M("types/data"), &st));
	ASSERT_EQ(DATA_SIZE, st.st_size);
}

/* A merged directory shows the mode and owner of its topmost directory. */
TEST_F(lookup, getattr_dir_from_topmost)
{
	struct stat st;

	ASSERT_EQ(0, chown(L("u/mrg"), 42, 43));
	ASSERT_EQ(0, chmod(L("u/mrg"), 0751));
	ASSERT_EQ(0, chmod(L("c/mrg"), 0700));
	ASSERT_EQ(0, stat(M("mrg"), &st));
	ASSERT_EQ((mode_t)(S_IFDIR | 0751), st.st_mode);
	ASSERT_EQ((uid_t)42, st.st_uid);
	ASSERT_EQ((gid_t)43, st.st_gid);
}

/*
 * All layers on one filesystem: every object has the layerfs st_dev and
 * the inode number of the topmost real object, but a merged directory
 * (with an upper directory), which has its first lower directory's, as on
 * overlayfs (OVL_CONST_INO in ovl_getattr(); ino.c).
 */
TEST_F(lookup, st_dev_st_ino_same_fs)
{
	static const char *const objs[][2] = {
		{ "top", "u/top" }, { "top2", "a/top2" },
		{ "bottom", "c/bottom" }, { "mrg", "a/mrg" },
		{ "types", "b/types" }, { "types/reg", "b/types/reg" },
		{ "types/sym_rel", "b/types/sym_rel" },
		{ "mrg/sub/sc", "c/mrg/sub/sc" }, { "dhf", "a/dhf" },
	};
	struct stat st, real, layer;
	dev_t dev;
	unsigned int i;

	ASSERT_EQ(0, lfs_mount_dev(self->mnt, &dev));
	ASSERT_EQ(0, stat(self->base, &layer));
	ASSERT_NE(layer.st_dev, dev);
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		ASSERT_EQ(0, lstat(M(objs[i][0]), &st));
		ASSERT_EQ(0, lstat(L(objs[i][1]), &real));
		ASSERT_EQ(dev, st.st_dev)
			TH_LOG("st_dev of %s", objs[i][0]);
		ASSERT_EQ(real.st_ino, st.st_ino)
			TH_LOG("st_ino of %s", objs[i][0]);
	}
}

/*
 * Non-directories of a stack whose layers are on two filesystems, as
 * overlayfs (xino=off) numbers them: the real st_ino, and an st_dev that
 * is neither the real one nor the mount's, shared by the objects of one
 * real filesystem and different between filesystems.  Checked on @mnt.
 */
static void assert_cross_fs_files(struct __test_metadata *_metadata,
				  FIXTURE_DATA(lookup) *self, const char *mnt)
{
	struct stat f, g, h, real_f, real_g;
	dev_t dev;

	ASSERT_EQ(0, lfs_mount_dev(mnt, &dev));
	ASSERT_EQ(0, stat(lfs_fmt("%s/d/f", mnt), &f));
	ASSERT_EQ(0, stat(lfs_fmt("%s/g", mnt), &g));
	ASSERT_EQ(0, stat(lfs_fmt("%s/h", mnt), &h));
	ASSERT_EQ(0, stat(L("x2/d/f"), &real_f));
	ASSERT_EQ(0, stat(L("x1/g"), &real_g));
	ASSERT_EQ(real_f.st_ino, f.st_ino);
	ASSERT_EQ(real_g.st_ino, g.st_ino);
	ASSERT_NE(real_f.st_dev, f.st_dev) TH_LOG("%s: real st_dev", mnt);
	ASSERT_NE(real_g.st_dev, g.st_dev) TH_LOG("%s: real st_dev", mnt);
	ASSERT_NE(dev, f.st_dev) TH_LOG("%s: the mount's st_dev", mnt);
	ASSERT_NE(f.st_dev, g.st_dev) TH_LOG("%s: one st_dev for two fs", mnt);
	ASSERT_EQ(g.st_dev, h.st_dev) TH_LOG("%s: two st_dev for one fs", mnt);
}

/*
 * Layers on two filesystems: directories get layerfs's st_dev and private
 * (distinct, stable) inode numbers; non-directories keep their real
 * st_ino with a device number per real filesystem, as on overlayfs.
 */
TEST_F(lookup, st_dev_st_ino_cross_fs)
{
	struct stat d, e, root, d2;
	dev_t dev;

	ASSERT_EQ(0, lfs_mount_tmpfs(L("x1")));
	ASSERT_EQ(0, lfs_mount_tmpfs(L("x2")));
	ASSERT_EQ(0, lfs_mkdir_p(L("x1/d")));
	ASSERT_EQ(0, lfs_mkdir_p(L("x2/d")));
	ASSERT_EQ(0, lfs_mkdir_p(L("x2/e")));
	ASSERT_EQ(0, lfs_write(L("x2/d/f"), "f"));
	ASSERT_EQ(0, lfs_write(L("x1/g"), "g"));
	ASSERT_EQ(0, lfs_write(L("x1/h"), "h"));
	ASSERT_EQ(0, lfs_mkdir_p(L("m2")));
	ASSERT_EQ(0, lfs_mount(L("m2"), lfs_expand(self->base,
						   "lowerdir=$/x1:$/x2")));
	ASSERT_EQ(0, lfs_mount_dev(L("m2"), &dev));

	ASSERT_EQ(0, stat(L("m2"), &root));
	ASSERT_EQ(0, stat(L("m2/d"), &d));
	ASSERT_EQ(0, stat(L("m2/e"), &e));
	ASSERT_EQ(dev, root.st_dev);
	ASSERT_EQ(dev, d.st_dev);
	ASSERT_EQ(dev, e.st_dev);
	ASSERT_NE(root.st_ino, d.st_ino);
	ASSERT_NE(root.st_ino, e.st_ino);
	ASSERT_NE(d.st_ino, e.st_ino);
	ASSERT_EQ(0, stat(L("m2/d"), &d2));
	ASSERT_EQ(d.st_ino, d2.st_ino);

	assert_cross_fs_files(_metadata, self, L("m2"));

	/* The same rule on the kernel's overlayfs (loaded in the test VM). */
	ASSERT_TRUE(lfs_fs_available("overlay"));
	ASSERT_EQ(0, lfs_mkdir_p(L("m3")));
	ASSERT_EQ(0, mount("overlay", L("m3"), "overlay", 0,
			   lfs_expand(self->base,
				      "lowerdir=$/x1:$/x2,xino=off")));
	assert_cross_fs_files(_metadata, self, L("m3"));
}

TEST_F(lookup, statfs_magic)
{
	struct statfs sf;

	if (strcmp(lfs_fstype(), "layerfs"))
		SKIP(return, "layerfs's own f_type (overlayfs has OVERLAYFS_SUPER_MAGIC)");
	ASSERT_EQ(0, statfs(self->mnt, &sf));
	ASSERT_EQ((unsigned long)LAYERFS_SUPER_MAGIC, (unsigned long)sf.f_type);
	ASSERT_EQ(0, statfs(M("mrg/sub"), &sf));
	ASSERT_EQ((unsigned long)LAYERFS_SUPER_MAGIC, (unsigned long)sf.f_type);
}

/* ---- xattrs -------------------------------------------------------------- */

/* trusted.* passes through; trusted.overlay.* is neither listed nor read. */
TEST_F(lookup, xattr_trusted_passthrough)
{
	char list[1024], val[64];
	ssize_t n;

	/* A size probe (size 0) returns the value's length. */
	ASSERT_EQ(3, getxattr(M("types/reg"), "trusted.foo", NULL, 0));
	n = getxattr(M("types/reg"), "trusted.foo", val, sizeof(val));
	ASSERT_EQ(3, n);
	ASSERT_EQ(0, memcmp("bar", val, 3));
	n = listxattr(M("types/reg"), list, sizeof(list));
	ASSERT_GT(n, 0);
	ASSERT_TRUE(lfs_xattr_listed(list, n, "trusted.foo"));
	ASSERT_FALSE(lfs_xattr_listed(list, n, "trusted.overlay.hidden"));
	/* Premise: the real file does list it. */
	n = listxattr(L("b/types/reg"), list, sizeof(list));
	ASSERT_TRUE(lfs_xattr_listed(list, n, "trusted.overlay.hidden"));
}

/*
 * A raw trusted.overlay.* of a layer cannot be read through the mount:
 * EOPNOTSUPP before 6.7; since, the name means the escaped
 * trusted.overlay.overlay.*, which these objects lack (ENODATA).  See
 * xattr_escape.c.
 */
TEST_F(lookup, xattr_overlay_namespace_private)
{
	int want = lfs_overlay_escapes_xattrs() ? ENODATA : EOPNOTSUPP;
	char val[64];

	ASSERT_EQ(-1, getxattr(M("types/reg"), "trusted.overlay.hidden", val,
			       sizeof(val)));
	ASSERT_EQ(want, errno);
	ASSERT_EQ(-1, getxattr(M("odir"), LFS_OPAQUE_XATTR, val, sizeof(val)));
	ASSERT_EQ(want, errno);
}

/* The opaque marker does not show in listxattr of the merged dir. */
TEST_F(lookup, xattr_opaque_not_listed)
{
	char list[1024];
	ssize_t n;

	n = listxattr(M("odir"), list, sizeof(list));
	ASSERT_GE(n, 0);
	ASSERT_FALSE(lfs_xattr_listed(list, n, LFS_OPAQUE_XATTR));
}

/* getxattr reads the topmost object's value. */
TEST_F(lookup, xattr_from_topmost)
{
	char val[64];

	ASSERT_EQ(3, getxattr(M("xv"), "trusted.v", val, sizeof(val)));
	ASSERT_EQ(0, memcmp("top", val, 3));
	/* A missing xattr is ENODATA, not some other error. */
	ASSERT_EQ(-1, getxattr(M("xv"), "trusted.none", val, sizeof(val)));
	ASSERT_EQ(ENODATA, errno);
}

/* ---- read-only ----------------------------------------------------------- */

/* Expect @call to return -1 with errno EROFS. */
#define ASSERT_EROFS(call) do { \
	errno = 0; \
	ASSERT_EQ(-1, (long)(call)); \
	ASSERT_EQ(EROFS, errno); \
} while (0)

/*
 * A mount with only lower layers has nowhere to write: every call that
 * would change the merged view fails with EROFS and the layers stay as
 * they were.  (A mount with an upper layer is writable: see copyup.c,
 * namespace.c and rename.c.)
 */
TEST_F(lookup, lower_only_mount_readonly)
{
	char opts[4096];
	struct stat st;

	ASSERT_EQ(0, lfs_mkdir_p(L("m2")));
	ASSERT_EQ(0, lfs_mount(L("m2"), lfs_expand(self->base,
						   "lowerdir=$/a:$/b:$/c")));
	ASSERT_STREQ("A", lfs_cat(L("m2/top"), self->buf, sizeof(self->buf)));
	ASSERT_EROFS(open(L("m2/top"), O_WRONLY));
	ASSERT_EROFS(open(L("m2/top"), O_RDWR | O_TRUNC));
	ASSERT_EROFS(truncate(L("m2/top"), 0));
	ASSERT_EROFS(creat(L("m2/newfile"), 0644));
	ASSERT_EROFS(mkdir(L("m2/newdir"), 0755));
	ASSERT_EROFS(unlink(L("m2/top")));
	ASSERT_EROFS(rename(L("m2/top"), L("m2/top3")));
	ASSERT_EROFS(chmod(L("m2/top"), 0600));
	ASSERT_EROFS(chown(L("m2/top"), 1, 1));
	ASSERT_EROFS(setxattr(L("m2/top"), "trusted.new", "1", 1, 0));
	ASSERT_EROFS(link(L("m2/top"), L("m2/hard")));
	ASSERT_EROFS(symlink("top", L("m2/soft")));
	ASSERT_EROFS(mknod(L("m2/fifo2"), S_IFIFO | 0644, 0));
	ASSERT_EROFS(utimensat(AT_FDCWD, L("m2/top"), NULL, 0));
	ASSERT_EQ(ENOENT, lfs_lstat_errno(L("m2/newfile")));
	ASSERT_EQ(0, stat(L("a/top"), &st));
	ASSERT_EQ((mode_t)0644, st.st_mode & 07777);
	ASSERT_STREQ("A", lfs_cat(L("a/top"), self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, lfs_mount_opts(L("m2"), opts, sizeof(opts)));
	ASSERT_TRUE(!strcmp(opts, "ro") || !strncmp(opts, "ro,", 3));
}

/* ---- permission ---------------------------------------------------------- */

static int open_errno(const void *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int read_public(const void *path)
{
	char buf[64];

	if (strcmp("public", lfs_cat(path, buf, sizeof(buf))))
		return EBADMSG;
	return 0;
}

/* A 0600 root file is closed to nobody (but open to root). */
TEST_F(lookup, perm_0600_eacces)
{
	ASSERT_EQ(0, open_errno(M("perm/secret")));
	ASSERT_EQ(EACCES, lfs_run_as(LFS_NOBODY, open_errno, M("perm/secret")));
}

/* A 0644 root file is readable by nobody, with the right content. */
TEST_F(lookup, perm_0644_readable)
{
	ASSERT_EQ(0, lfs_run_as(LFS_NOBODY, read_public, M("perm/public")));
}

static int lstat_errno_cb(const void *path)
{
	return lfs_lstat_errno(path);
}

/* nobody cannot look up names inside a 0700 root directory. */
TEST_F(lookup, perm_0700_dir_eacces)
{
	ASSERT_EQ(0, lfs_lstat_errno(M("perm/closed/in")));
	ASSERT_EQ(EACCES, lfs_run_as(LFS_NOBODY, lstat_errno_cb,
				     M("perm/closed/in")));
	ASSERT_EQ(EACCES, lfs_run_as(LFS_NOBODY, open_errno, M("perm/closed")));
	/* The directory itself can still be stat'ed. */
	ASSERT_EQ(0, lfs_run_as(LFS_NOBODY, lstat_errno_cb, M("perm/closed")));
}

TEST_HARNESS_MAIN
