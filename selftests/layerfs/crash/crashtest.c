// SPDX-License-Identifier: GPL-2.0
/*
 * crashtest - the workload and the checker of the layerfs crash test
 * (scripts/crash.sh), one static binary for the host and the VM.  Nothing
 * in it is layerfs's own: the same workload and checks run on the kernel's
 * overlayfs (scripts/crash.sh --fstype overlay), whose on-disk format and
 * copy-up guarantees layerfs shares.
 *
 *   crashtest populate DIR
 *	Fill DIR (the lower layer, on the host) with big/big00..big07 (2 to
 *	24 MiB) and small/d00..d15/f000..f023 (0 to 8 KiB).
 *   crashtest work MERGED SEED [meta]
 *	Run on a layerfs (or overlay) mount of that lower layer until
 *	killed: one process copies the big files up in a SEED-shuffled order
 *	(chmod, utimes, open for write without writing, or O_APPEND + records
 *	+ fsync), another runs a SEED-driven metadata storm in small/ and
 *	storm/ (create with write + fsync + rename, rename, chmod, unlink,
 *	rmdir of a lower directory and mkdir over its whiteout, mkdir/rmdir).
 *	With "meta" (a metacopy=on mount, scripts/crash.sh --metacopy), a big
 *	file opened for writing gets a metadata-only copy first (utimes), so
 *	that the open copies its data in place.
 *   crashtest leftovers WORK
 *	Count (and name, with the type) what a killed mount left in WORK
 *	(<workdir>/work).
 *   crashtest verify LOWER UPPER WORK MERGED [bigNN:RECORDS,...]
 *	After the crash and a fresh mount: check that LOWER is unchanged,
 *	every file of the merged view, the upper layer's whiteouts and opaque
 *	directories, that WORK is empty, and that the appended big files hold
 *	at least RECORDS records (those the workload reported as fsynced
 *	before the kill).
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

static int populate(const char *root)
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
	return 0;
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

static void top_entry(const char *path, const char *name, void *arg)
{
	check_tmp_name(path, name);
	if (!strcmp(name, "big"))
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

static int verify(const char *lower, const char *upper, const char *work,
		  const char *merged, const char *min)
{
	struct upper_walk uw = { .upper = upper, .merged = merged };

	if (min)
		parse_min(min);
	check_lower(lower);
	for_each(work, no_entry, NULL);
	for_each(merged, top_entry, NULL);
	for_each(upper, upper_entry, &uw);
	say("verify %s files=%u problems=%u zeroed=%u",
	    problems ? "failed" : "ok", nfiles, problems, nzero);
	return problems ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "populate") && argc == 3)
		return populate(argv[2]);
	if (!strcmp(cmd, "work") && (argc == 4 || argc == 5)) {
		meta = argc == 5 && !strcmp(argv[4], "meta");
		return work(argv[2], argv[3]);
	}
	if (!strcmp(cmd, "leftovers") && argc == 3)
		return leftovers(argv[2]);
	if (!strcmp(cmd, "verify") && (argc == 6 || argc == 7))
		return verify(argv[2], argv[3], argv[4], argv[5],
			      argc == 7 ? argv[6] : NULL);
	fprintf(stderr, "usage: crashtest populate DIR | work MERGED SEED |\n"
		"       leftovers WORK | verify LOWER UPPER WORK MERGED [bigNN:N,...]\n");
	return 2;
}
