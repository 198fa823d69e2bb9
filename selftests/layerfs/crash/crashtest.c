// SPDX-License-Identifier: GPL-2.0
/*
 * crashtest - the workload and the checker of the layerfs crash test
 * (scripts/crash.sh), one static binary for the host and the VM.  Nothing
 * in it is layerfs's own: the same workload and checks run on the kernel's
 * overlayfs (scripts/crash.sh --fstype overlay), whose on-disk format and
 * copy-up guarantees layerfs shares.
 *
 *   crashtest populate DIR [index]
 *	Fill DIR (the lower layer, on the host) with big/big00..big07 (2 to
 *	24 MiB) and small/d00..d15/f000..f023 (0 to 8 KiB).  With "index"
 *	(scripts/crash.sh --index), also hl/a/hNN, hl/a/hNNb and hl/b/hNN for
 *	NN 00..05: six files of 3 to 13 MiB with three hard links each, two
 *	in one directory and one in another.
 *   crashtest work MERGED SEED [meta] [index]
 *	Run on a layerfs (or overlay) mount of that lower layer until
 *	killed: one process copies the big files up in a SEED-shuffled order
 *	(chmod, utimes, open for write without writing, or O_APPEND + records
 *	+ fsync), another runs a SEED-driven metadata storm in small/ and
 *	storm/ (create with write + fsync + rename, rename, chmod, unlink,
 *	rmdir of a lower directory and mkdir over its whiteout, mkdir/rmdir).
 *	With "meta" (a metacopy=on mount, scripts/crash.sh --metacopy), a big
 *	file opened for writing gets a metadata-only copy first (utimes), so
 *	that the open copies its data in place.  With "index" (an index=on
 *	mount), the linked files are written first, in a SEED-shuffled order,
 *	each through one SEED-chosen name: open for write (the copy-up: copy
 *	into work/, move into index/, link up that name, nlink xattr), a
 *	64-byte record over its first bytes, fsync.
 *   crashtest index-list INDEX WHEN
 *	Name what the index directory holds (WHEN: "before" or "after" the
 *	mount), with link counts: "crash: index WHEN N entries, T temporaries".
 *   crashtest leftovers WORK
 *	Count (and name, with the type) what a killed mount left in WORK
 *	(<workdir>/work).
 *   crashtest verify LOWER UPPER WORK MERGED [index] [bigNN:RECORDS,...]
 *	After the crash and a fresh mount: check that LOWER is unchanged,
 *	every file of the merged view, the upper layer's whiteouts and opaque
 *	directories, that WORK is empty, and that the appended big files hold
 *	at least RECORDS records (those the workload reported as fsynced
 *	before the kill).  With "index", the linked files too (check_links()):
 *	each name old or new content, complete, all names one inode with
 *	st_nlink 3, a file reported fsynced ("hlNN:1") new, and the index
 *	directory (WORK/../index) after the mount's cleanup: no temporary,
 *	every entry a complete copy of one linked file, its nlink xattr right,
 *	every upper name of a linked file a link to its entry.
 *
 * Every file's content derives from its identity: the name of its directory
 * and its name up to a '~' (renames append "~N") or ".tmp".  A big file is its
 * original bytes, possibly followed by 64-byte records 0, 1, ... of which
 * the last may be cut short.  A file the storm created is complete under
 * its final name; under its ".tmp" name it may hold any prefix.  Data not
 * yet fsynced (records after the last fsync reported, ".tmp" files) may also
 * read back as zeros, see right_or_zero().
 *
 * The workload reports on stdout (the VM console), one line each:
 *   crash: ready                       both processes started
 *   crash: copy-up begin bigNN METHOD  about to trigger the copy-up
 *   crash: copy-up end bigNN           the triggering call returned
 *   crash: fsynced bigNN N             N records are durable
 *   crash: fsynced hlNN 1              the new content of hlNN is durable
 *   crash: error ...                   a system call failed
 * verify prints "crash: FAIL ..." per problem and, last,
 * "crash: verify ok|failed files=N problems=N zeroed=N".
 * Exit status: 0 when all is well, 1 on problems, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NBIG		8
#define NDIR		16
#define NKEEP		8	/* d00..d07: files are renamed, never removed */
#define NFILE		24
#define SMALL_MAX	8192
#define REC_SIZE	64
#define NREC		240	/* records appended to each append file */
#define REC_BATCH	8	/* records per fsync */
#define CHUNK		(1 << 16)
#define OPAQUE_XATTR	"trusted.overlay.opaque"

static const unsigned int big_mib[NBIG] = { 2, 4, 6, 8, 12, 16, 20, 24 };

/*
 * The hard-linked files (--index): sizes all different, so that an index
 * entry tells which file it copies by its size alone.
 */
#define NHL		6
#define HL_NAMES	3
#define NLINK_XATTR	"trusted.overlay.nlink"
static const unsigned int hl_kib[NHL] = { 3072, 5120, 7168, 9216, 11264, 13312 };
static const char *const hl_fmt[HL_NAMES] = { "hl/a/h%02d", "hl/a/h%02db", "hl/b/h%02d" };

enum big_method { BY_CHMOD, BY_UTIMES, BY_OPEN, BY_APPEND };
static const char *const method_name[] = { "chmod", "utimes", "open", "append" };

static unsigned int problems, nfiles, nzero;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("crash: FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	problems++;
}

/* ---- content ------------------------------------------------------------ */

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;	/* splitmix64 */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Bytes [off, off + len) of the content of identity seed; off % 8 == 0. */
static void fill(uint64_t seed, off_t off, unsigned char *buf, size_t len)
{
	uint64_t w, k = off / 8;
	size_t i;

	for (i = 0; i < len; i += 8, k++) {
		w = mix64(seed ^ mix64(k));
		memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
	}
}

/*
 * The identity of DIR/NAME: the last component of DIR, '/', NAME up to '~'
 * or ".tmp".
 */
static uint64_t identity(const char *dir, const char *name)
{
	const char *base = strrchr(dir, '/');
	size_t n = strcspn(name, "~.");
	char id[512];

	snprintf(id, sizeof(id), "%s/%.*s", base ? base + 1 : dir, (int)n, name);
	return hash_str(id, strlen(id));
}

static off_t small_size(uint64_t seed)
{
	return mix64(seed) % SMALL_MAX;
}

static off_t big_size(int i)
{
	return (off_t)big_mib[i] << 20;
}

static void record(int big, unsigned int n, char *rec)
{
	int len;

	memset(rec, '.', REC_SIZE);
	len = snprintf(rec, REC_SIZE, "big%02d record %06u ", big, n);
	rec[len] = '.';
	rec[REC_SIZE - 1] = '\n';
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Write the content of identity seed, size bytes, to a new file at path. */
static int make_file(const char *path, uint64_t seed, off_t size, int do_fsync)
{
	static unsigned char buf[CHUNK];
	off_t off;
	size_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	for (off = 0; off < size; off += n) {
		n = size - off < CHUNK ? size - off : CHUNK;
		fill(seed, off, buf, n);
		if (write_all(fd, buf, n))
			goto err;
	}
	if (do_fsync && fsync(fd))
		goto err;
	return close(fd);
err:
	close(fd);
	return -1;
}

/*
 * Compare the file open at fd, from offset 0, with the content of identity
 * seed.  Returns how many bytes match (at most len), or -1 on a read error.
 */
static off_t match_prefix(int fd, uint64_t seed, off_t len)
{
	static unsigned char want[CHUNK], got[CHUNK];
	off_t off = 0;
	ssize_t n;
	ssize_t i;

	while (off < len) {
		n = pread(fd, got, len - off < CHUNK ? len - off : CHUNK, off);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		fill(seed, off, want, n);
		if (memcmp(want, got, n)) {
			for (i = 0; want[i] == got[i]; i++)
				;
			return off + i;
		}
		off += n;
	}
	return off;
}

static int is_zero(const char *buf, size_t len)
{
	while (len--)
		if (*buf++)
			return 0;
	return 1;
}

/*
 * Data written but not fsynced before the crash may read back as zeros:
 * ext4 had allocated its blocks (as unwritten extents) and committed the new
 * size, but the data never reached the disk.  So such data is checked in
 * REC_SIZE pieces (at file offsets that are multiples of REC_SIZE), each
 * either right or all zeros (counted in nzero).
 */
static int right_or_zero(const char *got, const char *want, size_t len)
{
	if (!memcmp(got, want, len))
		return 1;
	if (!is_zero(got, len))
		return 0;
	nzero++;
	return 1;
}

/* ---- populate ----------------------------------------------------------- */

static int mkdirf(const char *fmt, ...)
{
	char path[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		return -1;
	}
	return 0;
}

static uint64_t hl_identity(int n)
{
	char id[16];

	snprintf(id, sizeof(id), "hl/h%02d", n);
	return hash_str(id, strlen(id));
}

static off_t hl_size(int n)
{
	return (off_t)hl_kib[n] << 10;
}

/* The new content's first REC_SIZE bytes (the rest is the old content). */
static void hl_record(int n, char *rec)
{
	int len;

	memset(rec, '.', REC_SIZE);
	len = snprintf(rec, REC_SIZE, "hl%02d written through one name ", n);
	rec[len] = '.';
	rec[REC_SIZE - 1] = '\n';
}

static void hl_path(char *path, const char *root, int n, int k)
{
	int len = sprintf(path, "%s/", root);

	sprintf(path + len, hl_fmt[k], n);
}

static int populate_links(const char *root)
{
	char path[4096], link_path[4096];
	int n, k;

	if (mkdirf("%s/hl", root) || mkdirf("%s/hl/a", root) || mkdirf("%s/hl/b", root))
		return 1;
	for (n = 0; n < NHL; n++) {
		hl_path(path, root, n, 0);
		if (make_file(path, hl_identity(n), hl_size(n), 0)) {
			perror(path);
			return 1;
		}
		for (k = 1; k < HL_NAMES; k++) {
			hl_path(link_path, root, n, k);
			if (link(path, link_path)) {
				perror(link_path);
				return 1;
			}
		}
	}
	return 0;
}

static int populate(const char *root, bool links)
{
	char path[4096], dir[16], name[16];
	int i, j;

	if (mkdirf("%s/big", root) || mkdirf("%s/small", root))
		return 1;
	for (i = 0; i < NBIG; i++) {
		snprintf(name, sizeof(name), "big%02d", i);
		snprintf(path, sizeof(path), "%s/big/%s", root, name);
		if (make_file(path, identity("big", name), big_size(i), 0))
			goto err;
	}
	for (i = 0; i < NDIR; i++) {
		snprintf(dir, sizeof(dir), "d%02d", i);
		if (mkdirf("%s/small/%s", root, dir))
			return 1;
		for (j = 0; j < NFILE; j++) {
			uint64_t seed;

			snprintf(name, sizeof(name), "f%03d", j);
			snprintf(path, sizeof(path), "%s/small/%s/%s", root, dir, name);
			seed = identity(dir, name);
			if (make_file(path, seed, small_size(seed), 0))
				goto err;
		}
	}
	return links ? populate_links(root) : 0;
err:
	perror(path);
	return 1;
}

/* ---- work --------------------------------------------------------------- */

static uint64_t rng;

static unsigned int rnd(unsigned int n)
{
	rng = mix64(rng);
	return rng % n;
}

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("crash: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int check_call(int ret, const char *what, const char *path)
{
	if (ret < 0)
		say("error %s %s: %s", what, path, strerror(errno));
	return ret;
}

static void append_records(const char *path, int big)
{
	char rec[REC_SIZE];
	unsigned int n;
	int fd;

	say("copy-up begin big%02d append", big);
	fd = check_call(open(path, O_WRONLY | O_APPEND), "open", path);
	say("copy-up end big%02d", big);
	if (fd < 0)
		return;
	for (n = 0; n < NREC; n++) {
		record(big, n, rec);
		if (check_call(write_all(fd, rec, REC_SIZE), "write", path))
			break;
		if ((n + 1) % REC_BATCH)
			continue;
		if (check_call(fsync(fd), "fsync", path))
			break;
		say("fsynced big%02d %u", big, n + 1);
	}
	close(fd);
}

/*
 * "work ... meta" (a metacopy=on mount): a big file about to be opened for
 * writing gets a metadata-only copy first (utimes), so that the open
 * copies the data into that file in place (layerfs-metacopy.rst).
 */
static bool meta;

static void meta_first(const char *path)
{
	if (meta)
		check_call(utimensat(AT_FDCWD, path, NULL, 0), "utimes", path);
}

/*
 * "work ... index" (an index=on mount): write each linked file through one
 * of its names, so that the kill lands in an index copy-up.
 */
static bool links;

static void write_links(const char *merged)
{
	int order[NHL], i, j, t, fd;
	char path[4096], rec[REC_SIZE];

	for (i = 0; i < NHL; i++)
		order[i] = i;
	for (i = NHL - 1; i > 0; i--) {
		j = rnd(i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < NHL; i++) {
		int n = order[i], k = rnd(HL_NAMES);

		hl_path(path, merged, n, k);
		say("copy-up begin hl%02d write(%s)", n, path + strlen(merged) + 1);
		fd = check_call(open(path, O_WRONLY), "open", path);
		say("copy-up end hl%02d", n);
		if (fd < 0)
			continue;
		hl_record(n, rec);
		if (!check_call(pwrite(fd, rec, REC_SIZE, 0) == REC_SIZE ? 0 : -1,
				"pwrite", path) &&
		    !check_call(fsync(fd), "fsync", path))
			say("fsynced hl%02d 1", n);
		close(fd);
	}
}

static void copy_up_big(const char *merged)
{
	time_t start = time(NULL);
	int order[NBIG], i, j, t, fd;
	char path[4096];

	for (i = 0; i < NBIG; i++)
		order[i] = i;
	for (i = NBIG - 1; i > 0; i--) {
		j = rnd(i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < NBIG; i++) {
		int big = order[i];

		snprintf(path, sizeof(path), "%s/big/big%02d", merged, big);
		if (big % 4 == BY_APPEND) {
			meta_first(path);
			append_records(path, big);
			continue;
		}
		say("copy-up begin big%02d %s", big, method_name[big % 4]);
		switch (big % 4) {
		case BY_CHMOD:
			check_call(chmod(path, 0600), "chmod", path);
			break;
		case BY_UTIMES:
			check_call(utimensat(AT_FDCWD, path, NULL, 0), "utimes", path);
			break;
		case BY_OPEN:
			meta_first(path);
			fd = check_call(open(path, O_WRONLY), "open", path);
			if (fd >= 0)
				close(fd);
			break;
		}
		say("copy-up end big%02d", big);
	}
	say("copy-ups done in %ld s", (long)(time(NULL) - start));
}

/* What the storm knows of small/dNN: generation of each file, -1 if gone. */
static int gen[NDIR][NFILE];
static int recreated[NDIR];
static unsigned int serial;

static void small_path(char *path, const char *merged, int d, int f, int g)
{
	if (g)
		sprintf(path, "%s/small/d%02d/f%03d~%d", merged, d, f, g);
	else
		sprintf(path, "%s/small/d%02d/f%03d", merged, d, f);
}

/* Create DIR/PREFIXNNNN the safe way: DIR/PREFIXNNNN.tmp, fsync, rename. */
static void create_file(const char *merged, const char *dir, char prefix)
{
	char tmp[4200], path[4096], name[32];
	uint64_t seed;

	snprintf(name, sizeof(name), "%c%04u", prefix, serial++);
	seed = identity(dir, name);
	snprintf(path, sizeof(path), "%s/%s/%s", merged, dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (check_call(make_file(tmp, seed, small_size(seed), 1), "create", tmp))
		return;
	check_call(rename(tmp, path), "rename", tmp);
}

static void recreate_dir(const char *merged, int d)
{
	char path[4096], dir[16];
	int f;

	for (f = 0; f < NFILE && !recreated[d]; f++) {
		if (gen[d][f] < 0)
			continue;
		small_path(path, merged, d, f, gen[d][f]);
		check_call(unlink(path), "unlink", path);
		gen[d][f] = -1;
	}
	snprintf(dir, sizeof(dir), "small/d%02d", d);
	snprintf(path, sizeof(path), "%s/%s", merged, dir);
	if (recreated[d]) {
		/* the files made in it last time */
		DIR *dh = opendir(path);
		struct dirent *de;
		char p[4400];

		while (dh && (de = readdir(dh))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
			check_call(unlink(p), "unlink", p);
		}
		if (dh)
			closedir(dh);
	}
	if (check_call(rmdir(path), "rmdir", path) ||
	    check_call(mkdir(path, 0755), "mkdir", path))
		return;
	recreated[d] = 1;
	for (f = 0; f < 3; f++)
		create_file(merged, dir, 'o');
}

static void storm_op(const char *merged, unsigned int *nx)
{
	int d = rnd(NDIR), f = rnd(NFILE);
	char path[4096], to[4096];

	switch (rnd(8)) {
	case 0:
	case 1:	/* rename (a copy-up, then a whiteout, for a lower file) */
		if (gen[d][f] < 0)
			break;
		small_path(path, merged, d, f, gen[d][f]);
		small_path(to, merged, d, f, gen[d][f] + 1);
		if (!check_call(rename(path, to), "rename", path))
			gen[d][f]++;
		break;
	case 2:	/* metadata copy-up */
		if (gen[d][f] < 0)
			break;
		small_path(path, merged, d, f, gen[d][f]);
		check_call(chmod(path, 0600), "chmod", path);
		break;
	case 3:	/* unlink: a whiteout, or exchange + removal in work/ */
		if (d < NKEEP || gen[d][f] < 0)
			break;
		small_path(path, merged, d, f, gen[d][f]);
		if (!check_call(unlink(path), "unlink", path))
			gen[d][f] = -1;
		break;
	case 4:
	case 5:
		create_file(merged, "storm", 't');
		break;
	case 6:	/* rmdir of a lower directory, mkdir over its whiteout */
		if (d >= NKEEP && rnd(4) == 0)
			recreate_dir(merged, d);
		break;
	case 7:	/* mkdir, rmdir of pure upper directories */
		snprintf(path, sizeof(path), "%s/storm/x%04u", merged, *nx % 8);
		if (*nx % 16 < 8)
			check_call(mkdir(path, 0755), "mkdir", path);
		else
			check_call(rmdir(path), "rmdir", path);
		++*nx;
		break;
	}
}

static void storm(const char *merged)
{
	unsigned int nx = 0;
	char path[4096];

	snprintf(path, sizeof(path), "%s/storm", merged);
	check_call(mkdir(path, 0755), "mkdir", path);
	for (;;)
		storm_op(merged, &nx);
}

static int work(const char *merged, const char *seed)
{
	pid_t pid;

	rng = strtoull(seed, NULL, 0);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		rng = mix64(rng ^ 0x5eed);
		storm(merged);
		_exit(0);
	}
	say("ready");
	if (links)
		write_links(merged);
	copy_up_big(merged);
	waitpid(pid, NULL, 0);
	return 0;
}

/* ---- verify ------------------------------------------------------------- */

static int parse_num(const char *s, const char *prefix, int digits, int max)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(s, prefix, n) || strspn(s + n, "0123456789") != (size_t)digits ||
	    s[n + digits])
		return -1;
	v = strtol(s + n, &end, 10);
	return v < max ? v : -1;
}

/* Open a regular file of the merged view for checking; -1 after a fail(). */
static int open_file(const char *path, struct stat *st)
{
	int fd;

	nfiles++;
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, st))
		fail("%s: %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		fail("%s: not a regular file", path);
	else
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* path holds the content of dir/name; whole: complete, else any prefix */
static void check_content(const char *path, const char *dir, const char *name,
			  int whole)
{
	uint64_t seed = identity(dir, name);
	off_t size = small_size(seed), ok;
	char want[REC_SIZE], got[REC_SIZE];
	struct stat st;
	ssize_t len;
	int fd;

	fd = open_file(path, &st);
	if (fd < 0)
		return;
	if (whole ? st.st_size != size : st.st_size > size) {
		fail("%s: size %lld, want %s%lld", path, (long long)st.st_size,
		     whole ? "" : "at most ", (long long)size);
		goto out;
	}
	if (whole) {
		ok = match_prefix(fd, seed, st.st_size);
		if (ok != st.st_size)
			fail("%s: content differs at byte %lld", path, (long long)ok);
		goto out;
	}
	for (ok = 0; ok < st.st_size; ok += len) {
		len = pread(fd, got, REC_SIZE, ok);
		fill(seed, ok, (unsigned char *)want, REC_SIZE);
		if (len <= 0 || !right_or_zero(got, want, len)) {
			fail("%s: bytes at %lld are neither right nor zeros", path,
			     (long long)ok);
			break;
		}
	}
out:
	close(fd);
}

/*
 * path holds big file number big (named name): its lower original, then, for
 * an append file of the merged view, at least min_recs records.
 */
static void check_big(const char *path, const char *name, int big,
		      unsigned int min_recs, int lower)
{
	char want[REC_SIZE], got[REC_SIZE];
	off_t size = big_size(big), ok, tail;
	unsigned int n, nrec;
	struct stat st;
	ssize_t len;
	int fd;

	fd = open_file(path, &st);
	if (fd < 0)
		return;
	if ((st.st_mode & 07777) != 0644 &&
	    (lower || big % 4 != BY_CHMOD || (st.st_mode & 07777) != 0600))
		fail("%s: mode %o", path, st.st_mode & 07777);
	if (st.st_size < size) {
		fail("%s: size %lld, lower has %lld (a partial copy-up?)", path,
		     (long long)st.st_size, (long long)size);
		goto out;
	}
	ok = match_prefix(fd, identity("big", name), size);
	if (ok != size) {
		fail("%s: differs from its lower original at byte %lld", path,
		     (long long)ok);
		goto out;
	}
	tail = st.st_size - size;
	if (tail && (lower || big % 4 != BY_APPEND)) {
		fail("%s: %lld bytes more than the lower original", path,
		     (long long)tail);
		goto out;
	}
	nrec = (tail + REC_SIZE - 1) / REC_SIZE;
	for (n = 0; n < nrec; n++) {
		len = pread(fd, got, REC_SIZE, size + (off_t)n * REC_SIZE);
		record(big, n, want);
		if (len > 0 && (n < min_recs ? !memcmp(want, got, len) :
				right_or_zero(got, want, len)))
			continue;
		fail("%s: record %u is wrong", path, n);
		goto out;
	}
	if (tail / REC_SIZE < min_recs)
		fail("%s: %lld records, but %u were fsynced before the crash",
		     path, (long long)(tail / REC_SIZE), min_recs);
out:
	close(fd);
}

static void check_tmp_name(const char *path, const char *name)
{
	if (name[0] == '#')
		fail("%s: a copy-up temporary is visible", path);
}

/*
 * The linked file hlNN at path: the whole old content (0), or the old
 * content with the written record over its first bytes (1); -1 (after a
 * fail()) when it is neither: a partial copy, a torn or lost write.
 */
static int hl_state(const char *path, int n, struct stat *st)
{
	char want[REC_SIZE], got[REC_SIZE];
	int fd, state = -1;
	off_t ok;

	fd = open_file(path, st);
	if (fd < 0)
		return -1;
	if (st->st_size != hl_size(n)) {
		fail("%s: size %lld, hl%02d has %lld (a partial copy-up?)", path,
		     (long long)st->st_size, n, (long long)hl_size(n));
		goto out;
	}
	ok = match_prefix(fd, hl_identity(n), hl_size(n));
	if (ok == hl_size(n)) {
		state = 0;
		goto out;
	}
	hl_record(n, want);
	if (ok < REC_SIZE && pread(fd, got, REC_SIZE, 0) == REC_SIZE &&
	    !memcmp(got, want, REC_SIZE)) {
		/* the rest must be the old content */
		char buf[CHUNK], old[CHUNK];
		off_t off;
		ssize_t len;

		for (off = REC_SIZE; off < hl_size(n); off += len) {
			len = pread(fd, buf, CHUNK - REC_SIZE, off);
			if (len <= 0)
				break;
			fill(hl_identity(n), off, (unsigned char *)old, len);
			if (memcmp(buf, old, len))
				break;
		}
		if (off >= hl_size(n)) {
			state = 1;
			goto out;
		}
		fail("%s: new first record, but differs from the old content near byte %lld",
		     path, (long long)off);
		goto out;
	}
	fail("%s: neither the old nor the new content (differs at byte %lld)", path,
	     (long long)ok);
out:
	close(fd);
	return state;
}

typedef void (*entry_fn)(const char *path, const char *name, void *arg);

/* Call fn for every entry of path but . and .. */
static int for_each(const char *path, entry_fn fn, void *arg)
{
	char p[4400];
	struct dirent *de;
	DIR *dh;

	dh = opendir(path);
	if (!dh) {
		fail("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dh))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		fn(p, de->d_name, arg);
	}
	closedir(dh);
	return 0;
}

static unsigned int min_recs[NBIG];

static void big_entry(const char *path, const char *name, void *arg)
{
	int big = parse_num(name, "big", 2, NBIG);

	check_tmp_name(path, name);
	if (big < 0)
		fail("%s: unexpected name", path);
	else
		check_big(path, name, big, min_recs[big], 0);
}

struct small_dir {
	const char *dir;	/* "dNN" */
	int d;
	int seen[NFILE];
};

static void small_entry(const char *path, const char *name, void *arg)
{
	struct small_dir *sd = arg;
	const char *dot = strchr(name, '.');
	int f;

	check_tmp_name(path, name);
	if (name[0] == 'o' && parse_num(name, "o", 4, 10000) >= 0) {
		check_content(path, sd->dir, name, 1);
		return;
	}
	if (name[0] == 'o' && dot && !strcmp(dot, ".tmp")) {
		check_content(path, sd->dir, name, 0);
		return;
	}
	f = strtol(name + 1, NULL, 10);
	if (name[0] != 'f' || strspn(name + 1, "0123456789") != 3 ||
	    f >= NFILE || (name[4] && (name[4] != '~' ||
				       strspn(name + 5, "0123456789") != strlen(name + 5)))) {
		fail("%s: unexpected name", path);
		return;
	}
	if (sd->seen[f]++)
		fail("%s: f%03d is visible under two names", path, f);
	check_content(path, sd->dir, name, 1);
}

static void small_dir_entry(const char *path, const char *name, void *arg)
{
	struct small_dir sd = { .dir = name };
	int f;

	check_tmp_name(path, name);
	sd.d = parse_num(name, "d", 2, NDIR);
	if (sd.d < 0) {
		fail("%s: unexpected name", path);
		return;
	}
	if (for_each(path, small_entry, &sd))
		return;
	for (f = 0; f < NFILE && sd.d < NKEEP; f++)
		if (!sd.seen[f])
			fail("%s/f%03d: lost (this directory only has renames)", path, f);
}

static void count_entry(const char *path, const char *name, void *arg)
{
	++*(unsigned int *)arg;
}

static void storm_entry(const char *path, const char *name, void *arg)
{
	const char *dot = strchr(name, '.');
	struct stat st;

	check_tmp_name(path, name);
	if (parse_num(name, "t", 4, 10000) >= 0) {
		check_content(path, "storm", name, 1);
	} else if (name[0] == 't' && dot && !strcmp(dot, ".tmp")) {
		check_content(path, "storm", name, 0);
	} else if (parse_num(name, "x", 4, 10000) >= 0) {
		unsigned int n = 0;

		if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    for_each(path, count_entry, &n) || n)
			fail("%s: not an empty directory", path);
	} else {
		fail("%s: unexpected name", path);
	}
}

static void hl_dir_entry(const char *path, const char *name, void *arg)
{
	const char *dir = arg;
	int n, k;

	check_tmp_name(path, name);
	for (n = 0; n < NHL; n++)
		for (k = 0; k < HL_NAMES; k++) {
			char want[32];

			snprintf(want, sizeof(want), hl_fmt[k], n);
			if (!strncmp(want, "hl/", 3) && !strncmp(want + 3, dir, 1) &&
			    want[4] == '/' && !strcmp(want + 5, name))
				return;
		}
	fail("%s: unexpected name", path);
}

static void hl_top_entry(const char *path, const char *name, void *arg)
{
	check_tmp_name(path, name);
	if (strcmp(name, "a") && strcmp(name, "b"))
		fail("%s: unexpected name", path);
	else
		for_each(path, hl_dir_entry, (void *)name);
}

static bool links_written[NHL];	/* the host saw "fsynced hlNN 1" */

static void top_entry(const char *path, const char *name, void *arg)
{
	check_tmp_name(path, name);
	if (links && !strcmp(name, "hl"))
		for_each(path, hl_top_entry, NULL);
	else if (!strcmp(name, "big"))
		for_each(path, big_entry, NULL);
	else if (!strcmp(name, "small"))
		for_each(path, small_dir_entry, NULL);
	else if (!strcmp(name, "storm"))
		for_each(path, storm_entry, NULL);
	else
		fail("%s: unexpected name", path);
}

struct upper_walk {
	const char *upper;
	const char *merged;
};

static void merged_path(char *out, const struct upper_walk *uw, const char *path)
{
	snprintf(out, 4096, "%s%s", uw->merged, path + strlen(uw->upper));
}

static void opaque_entry(const char *path, const char *name, void *arg)
{
	const struct upper_walk *uw = arg;
	char upath[4096];
	struct stat st;

	snprintf(upath, sizeof(upath), "%s%s", uw->upper, path + strlen(uw->merged));
	if (lstat(upath, &st) || (S_ISCHR(st.st_mode) && !st.st_rdev))
		fail("%s: shown in an opaque directory, but not in its upper layer",
		     path);
}

/* The upper layer: whiteouts, opaque dirs, no temporaries. */
static void upper_entry(const char *path, const char *name, void *arg)
{
	const struct upper_walk *uw = arg;
	char mpath[4096], val[8];
	struct stat st;
	ssize_t len;

	if (name[0] == '#')
		fail("%s: a work temporary in the upper layer", path);
	merged_path(mpath, uw, path);
	if (lstat(path, &st)) {
		fail("%s: %s", path, strerror(errno));
		return;
	}
	if (S_ISCHR(st.st_mode)) {
		if (st.st_rdev)
			fail("%s: a char device %u:%u, not a whiteout", path,
			     major(st.st_rdev), minor(st.st_rdev));
		else if (!lstat(mpath, &st) || errno != ENOENT)
			fail("%s: whited out, but visible", mpath);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode))
			fail("%s: unexpected file type %o", path, st.st_mode);
		return;
	}
	len = lgetxattr(path, OPAQUE_XATTR, val, sizeof(val));
	if (len >= 0 && (len != 1 || val[0] != 'y'))
		fail("%s: %s is \"%.*s\", not \"y\"", path, OPAQUE_XATTR,
		     (int)len, val);
	else if (len < 0 && errno != ENODATA)
		fail("%s: getxattr: %s", path, strerror(errno));
	else if (len == 1)
		for_each(mpath, opaque_entry, arg);
	for_each(path, upper_entry, arg);
}

static void parse_min(const char *spec)
{
	char *s = strdup(spec), *tok, *save;
	unsigned int n;
	int big;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (sscanf(tok, "big%d:%u", &big, &n) == 2 && big >= 0 && big < NBIG)
			min_recs[big] = n;
		else if (sscanf(tok, "hl%d:%u", &big, &n) == 2 && big >= 0 && big < NHL)
			links_written[big] = n > 0;
	free(s);
}

static int leftovers(const char *work)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *dh;

	dh = opendir(work);
	if (!dh) {
		if (errno == ENOENT) {
			say("leftovers 0");
			return 0;
		}
		perror(work);
		return 1;
	}
	printf("crash: leftovers in %s:", work);
	while ((de = readdir(dh))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* what it is: a whiteout (overlayfs keeps one), a file, a dir */
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			printf(" %s(?)", de->d_name);
		else if (S_ISCHR(st.st_mode) && !st.st_rdev)
			printf(" %s(whiteout)", de->d_name);
		else
			printf(" %s(%s)", de->d_name, S_ISDIR(st.st_mode) ? "dir" :
			       S_ISREG(st.st_mode) ? "file" : "other");
		n++;
	}
	closedir(dh);
	printf("\n");
	say("leftovers %u", n);
	return 0;
}

/* crashtest index-list INDEX WHEN: what the index directory holds. */
static int index_list(const char *index, const char *when)
{
	unsigned int n = 0, tmp = 0;
	struct dirent *de;
	DIR *dh;

	dh = opendir(index);
	if (!dh) {
		if (errno != ENOENT) {
			perror(index);
			return 1;
		}
		say("index %s 0 entries, 0 temporaries", when);
		return 0;
	}
	printf("crash: index %s:", when);
	while ((de = readdir(dh))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		tmp += de->d_name[0] == '#';
		char path[4400], val[16];
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%s", index, de->d_name);
		len = lgetxattr(path, NLINK_XATTR, val, sizeof(val) - 1);
		val[len < 0 ? 0 : len] = 0;
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			printf(" %s(?)", de->d_name);
		else
			printf(" %s(nlink=%lu,size=%lld,%s)", de->d_name,
			       (unsigned long)st.st_nlink, (long long)st.st_size,
			       len < 0 ? "no nlink xattr" : val);
	}
	closedir(dh);
	printf("\n");
	say("index %s %u entries, %u temporaries", when, n, tmp);
	return 0;
}

static void no_entry(const char *path, const char *name, void *arg)
{
	fail("%s: left in the work directory after the mount", path);
}

static void count_entries(const char *path, unsigned int want)
{
	unsigned int n = 0;

	if (!for_each(path, count_entry, &n) && n != want)
		fail("%s: %u entries, populate made %u", path, n, want);
}

/* The lower layer must still be exactly what populate made. */
static void check_lower(const char *lower)
{
	char path[4096], dir[16], name[16];
	int i, j;

	for (i = 0; i < NBIG; i++) {
		snprintf(name, sizeof(name), "big%02d", i);
		snprintf(path, sizeof(path), "%s/big/%s", lower, name);
		check_big(path, name, i, 0, 1);
	}
	snprintf(path, sizeof(path), "%s/big", lower);
	count_entries(path, NBIG);
	for (i = 0; i < NDIR; i++) {
		snprintf(dir, sizeof(dir), "d%02d", i);
		for (j = 0; j < NFILE; j++) {
			snprintf(name, sizeof(name), "f%03d", j);
			snprintf(path, sizeof(path), "%s/small/%s/%s", lower, dir, name);
			check_content(path, dir, name, 1);
		}
		snprintf(path, sizeof(path), "%s/small/%s", lower, dir);
		count_entries(path, NFILE);
	}
}

/* The lower layer's linked files: unchanged, three names each. */
static void check_lower_links(const char *lower)
{
	struct stat st, first;
	char path[4096];
	int n, k;

	for (n = 0; n < NHL; n++)
		for (k = 0; k < HL_NAMES; k++) {
			hl_path(path, lower, n, k);
			if (hl_state(path, n, &st) != 0)
				fail("%s: the lower layer changed", path);
			else if (st.st_nlink != HL_NAMES)
				fail("%s: lower st_nlink %lu, populate made %d", path,
				     (unsigned long)st.st_nlink, HL_NAMES);
			if (!k)
				first = st;
			else if (st.st_ino != first.st_ino)
				fail("%s: no longer a hard link of %s", path, hl_fmt[0]);
		}
}

/* What the index holds, by linked file: its entry's inode, 0 for none. */
static ino_t index_ino[NHL];
static int index_state[NHL];

/* One entry of the index directory, after the mount's cleanup. */
static void index_entry(const char *path, const char *name, void *arg)
{
	char val[32];
	struct stat st;
	ssize_t len;
	int n, state, rel;

	if (name[0] == '#' || strspn(name, "0123456789abcdef") != strlen(name)) {
		fail("%s: not an index entry name (a leftover the mount kept)", path);
		return;
	}
	if (lstat(path, &st) || !S_ISREG(st.st_mode)) {
		fail("%s: not a regular file", path);
		return;
	}
	for (n = 0; n < NHL && hl_size(n) != st.st_size; n++)
		;
	if (n == NHL) {
		fail("%s: size %lld is no linked file's (a partial copy in the index?)",
		     path, (long long)st.st_size);
		return;
	}
	if (index_ino[n]) {
		fail("%s: a second entry for hl%02d", path, n);
		return;
	}
	state = hl_state(path, n, &st);
	if (state < 0)
		return;
	index_ino[n] = st.st_ino;
	index_state[n] = state;
	/*
	 * "U+n" / "U-n": names = the entry's own link count + n; "L+n" (which
	 * overlayfs writes just before it links a name up): the lower's + n.
	 */
	len = lgetxattr(path, NLINK_XATTR, val, sizeof(val) - 1);
	if (len < 0) {
		fail("%s: %s: %s", path, NLINK_XATTR, strerror(errno));
		return;
	}
	val[len] = 0;
	if (sscanf(val + 1, "%d", &rel) != 1 || (val[0] != 'U' && val[0] != 'L') ||
	    (val[0] == 'U' ? (int)st.st_nlink : HL_NAMES) + rel != HL_NAMES)
		fail("%s: %s is \"%s\" with %lu links: not %d names", path,
		     NLINK_XATTR, val, (unsigned long)st.st_nlink, HL_NAMES);
}

/*
 * The linked files (verify ... index), after the mount: the index directory
 * on the image, the upper names, then every name through the mount.
 */
static void check_links(const char *upper, const char *work, const char *merged)
{
	char path[4096];
	struct stat st, first;
	int n, k, state, want;

	snprintf(path, sizeof(path), "%s/../index", work);
	for_each(path, index_entry, NULL);
	for (n = 0; n < NHL; n++) {
		for (k = 0; k < HL_NAMES; k++) {
			/* an upper name must be a link to the entry, never a copy */
			hl_path(path, upper, n, k);
			if (lstat(path, &st)) {
				if (errno != ENOENT)
					fail("%s: %s", path, strerror(errno));
				continue;
			}
			if (!index_ino[n] || st.st_ino != index_ino[n])
				fail("%s: an upper name of hl%02d that is not its index entry",
				     path, n);
		}
		want = -1;
		for (k = 0; k < HL_NAMES; k++) {
			hl_path(path, merged, n, k);
			state = hl_state(path, n, &st);
			if (state < 0)
				continue;
			if (st.st_nlink != HL_NAMES)
				fail("%s: st_nlink %lu through the mount, %d names", path,
				     (unsigned long)st.st_nlink, HL_NAMES);
			if (want < 0) {
				want = state;
				first = st;
			} else if (state != want || st.st_ino != first.st_ino ||
				   st.st_dev != first.st_dev) {
				fail("%s: not the same file as %s (%s, ino %lu vs %lu)",
				     path, hl_fmt[0], state != want ? "content differs" :
				     "another inode", (unsigned long)st.st_ino,
				     (unsigned long)first.st_ino);
			}
		}
		if (want == 0 && links_written[n])
			fail("hl%02d: the write was fsynced, the old content is back", n);
		if (want == 1 && !index_ino[n])
			fail("hl%02d: written, but no index entry", n);
		if (index_ino[n] && want >= 0 && index_state[n] != want)
			fail("hl%02d: the index entry and the mount disagree", n);
	}
}

static int verify(const char *lower, const char *upper, const char *work,
		  const char *merged, const char *min)
{
	struct upper_walk uw = { .upper = upper, .merged = merged };

	if (min)
		parse_min(min);
	check_lower(lower);
	if (links)
		check_lower_links(lower);
	for_each(work, no_entry, NULL);
	for_each(merged, top_entry, NULL);
	for_each(upper, upper_entry, &uw);
	if (links)
		check_links(upper, work, merged);
	say("verify %s files=%u problems=%u zeroed=%u",
	    problems ? "failed" : "ok", nfiles, problems, nzero);
	return problems ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "populate") && (argc == 3 || argc == 4))
		return populate(argv[2], argc == 4 && !strcmp(argv[3], "index"));
	if (!strcmp(cmd, "work") && argc >= 4 && argc <= 6) {
		for (i = 4; i < argc; i++) {
			meta |= !strcmp(argv[i], "meta");
			links |= !strcmp(argv[i], "index");
		}
		return work(argv[2], argv[3]);
	}
	if (!strcmp(cmd, "leftovers") && argc == 3)
		return leftovers(argv[2]);
	if (!strcmp(cmd, "index-list") && argc == 4)
		return index_list(argv[2], argv[3]);
	if (!strcmp(cmd, "verify") && argc >= 6 && argc <= 8) {
		const char *min = NULL;

		for (i = 6; i < argc; i++) {
			if (!strcmp(argv[i], "index"))
				links = true;
			else
				min = argv[i];
		}
		return verify(argv[2], argv[3], argv[4], argv[5], min);
	}
	fprintf(stderr, "usage: crashtest populate DIR [index] |\n"
		"       work MERGED SEED [meta] [index] | leftovers WORK |\n"
		"       index-list INDEX before|after |\n"
		"       verify LOWER UPPER WORK MERGED [index] [bigNN:N,...]\n");
	return 2;
}
