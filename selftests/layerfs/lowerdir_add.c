// SPDX-License-Identifier: GPL-2.0
/*
 * lowerdir_add.c - naming layers one by one: lowerdir+ and datadir+.
 *
 * mount(2) passes one page of options, and each fsconfig(2) value is at
 * most 256 bytes, so a "lowerdir=" list of many long paths fits neither.
 * "lowerdir+=<dir>" names one layer per option, below those named before
 * it, its name taken as it is (no ':' splitting, no escapes); overlayfs has
 * it since 6.8, layerfs on both kernels.  What the tests pin:
 *
 *  - order and merging are those of the same layers given as lowerdir=;
 *  - lowerdir= replaces every layer named before it, lowerdir+ after
 *    lowerdir= is refused (EINVAL, with a message), as on overlayfs;
 *  - datadir+ (data-only layers, for metacopy files) is refused with a
 *    message saying why: a documented difference from overlayfs 6.12;
 *  - 500 layers whose paths are over 200 bytes each mount, the 501st is
 *    refused, and /proc/self/mountinfo lists one lowerdir+= per layer,
 *    escaped so that the options read back give the same mount;
 *  - a name holding ':', ',' and '\' is one layer.
 *
 * Where the running kernel's overlayfs has lowerdir+ (6.8 and later), the
 * same configuration is given to it and the outcome compared.
 */
#define _GNU_SOURCE
#include <linux/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "layerfs_util.h"

#define LONG_NAME_LEN	200	/* bytes of each layer path in the deep test */
#define MAX_LAYERS	500

/* One fsconfig() string option. */
struct kv {
	const char *key;
	const char *value;
};

/*
 * Give @type a fresh fs_context, the @n options @opts, create the super
 * block and attach it at @target.  Returns 0 or the errno of the first
 * step that failed; the fs_context's last message goes to @msg.
 */
static int fs_mount(const char *type, const struct kv *opts, int n,
		    const char *target, char *msg, size_t msglen)
{
	int fd, mfd = -1, err = 0, i;
	ssize_t len;

	msg[0] = '\0';
	fd = syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	if (fd < 0)
		return errno;
	for (i = 0; i < n && !err; i++)
		if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, opts[i].key,
			    opts[i].value, 0))
			err = errno;
	if (!err && syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL,
			    NULL, 0))
		err = errno;
	if (!err) {
		mfd = syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0);
		if (mfd < 0)
			err = errno;
	}
	if (!err && syscall(SYS_move_mount, mfd, "", AT_FDCWD, target,
			    MOVE_MOUNT_F_EMPTY_PATH))
		err = errno;
	/* The log keeps every message; the last one says why. */
	while ((len = read(fd, msg, msglen - 1)) > 0)
		msg[len] = '\0';
	if (mfd >= 0)
		close(mfd);
	close(fd);
	return err;
}

/*
 * Does the running kernel's overlayfs know lowerdir+ (6.8 and later)?
 * Asked by version: before 6.5 overlayfs took its options through the
 * legacy mount API, whose fsconfig() accepts any key and only the
 * final mount says no.
 */
static bool ovl_has_lowerdir_add(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (!lfs_fs_available("overlay") || uname(&u) ||
	    sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 8);
}

FIXTURE(ladd) {
	char base[PATH_MAX];
	char msg[1024];
	char buf[4096];
	bool ovl;
};

#define B(rel)		lfs_fmt("%s/%s", self->base, rel)

FIXTURE_SETUP(ladd)
{
	static const char *const dirs[] = { "l1", "l2", "l3", "u", "w",
					    "m", "m2", "ovl" };
	unsigned int i;

	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ASSERT_EQ(0, mkdir(B(dirs[i]), 0755));
	ASSERT_EQ(0, lfs_write(B("l1/f"), "l1"));
	ASSERT_EQ(0, lfs_write(B("l2/f"), "l2"));
	ASSERT_EQ(0, lfs_write(B("l2/g"), "l2"));
	ASSERT_EQ(0, lfs_write(B("l3/h"), "l3"));
	ASSERT_EQ(0, lfs_write(B("l3/f"), "l3"));
	self->ovl = ovl_has_lowerdir_add();
}

FIXTURE_TEARDOWN(ladd)
{
	LFS_DROP_BASE(self->base, "m", "m2", "ovl");
}

/* Three layers one by one: the first named is on top, as in lowerdir=. */
TEST_F(ladd, order_is_top_first)
{
	const struct kv kv[] = {
		{ "lowerdir+", B("l1") }, { "lowerdir+", B("l2") },
		{ "lowerdir+", B("l3") },
	};
	const char *const types[] = { lfs_fstype(), "overlay" };
	int i;

	for (i = 0; i < (self->ovl ? 2 : 1); i++) {
		char m[PATH_MAX + 8];

		/* a copy: lfs_fmt()'s ring of buffers is reused */
		snprintf(m, sizeof(m), "%s/%s", self->base, i ? "ovl" : "m");

		ASSERT_EQ(0, fs_mount(types[i], kv, 3, m, self->msg,
				      sizeof(self->msg)));
		EXPECT_STREQ("l1", lfs_cat(lfs_fmt("%s/f", m), self->buf,
					   sizeof(self->buf)));
		EXPECT_STREQ("l2", lfs_cat(lfs_fmt("%s/g", m), self->buf,
					   sizeof(self->buf)));
		EXPECT_STREQ("l3", lfs_cat(lfs_fmt("%s/h", m), self->buf,
					   sizeof(self->buf)));
		EXPECT_STREQ("f,g,h", lfs_list(m, self->buf, sizeof(self->buf)));
	}
}

/* With an upper layer, through mount(2)'s option string as well. */
TEST_F(ladd, with_upper_through_mount)
{
	char opts[PATH_MAX * 4];

	snprintf(opts, sizeof(opts),
		 "lowerdir+=%s,lowerdir+=%s,upperdir=%s,workdir=%s",
		 B("l2"), B("l3"), B("u"), B("w"));
	ASSERT_EQ(0, lfs_mount(B("m"), opts));
	ASSERT_EQ(0, lfs_write(B("m/new"), "new"));
	EXPECT_STREQ("new", lfs_cat(B("u/new"), self->buf, sizeof(self->buf)));
	EXPECT_STREQ("l2", lfs_cat(B("m/f"), self->buf, sizeof(self->buf)));
	EXPECT_STREQ("f,g,h,new", lfs_list(B("m"), self->buf,
					   sizeof(self->buf)));
}

/* lowerdir+ after lowerdir=: refused, with the reason, as on overlayfs. */
TEST_F(ladd, add_after_lowerdir_einval)
{
	const struct kv kv[] = {
		{ "lowerdir", B("l1") }, { "lowerdir+", B("l2") },
	};
	char msg[1024];

	ASSERT_EQ(EINVAL, fs_mount(lfs_fstype(), kv, 2, B("m"), self->msg,
				   sizeof(self->msg)));
	TH_LOG("log: %s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "cannot follow lowerdir"));
	if (self->ovl)
		EXPECT_EQ(EINVAL, fs_mount("overlay", kv, 2, B("ovl"), msg,
					   sizeof(msg)));
}

/*
 * lowerdir= after lowerdir+: the list replaces the layers named before.
 * (Two layers: overlayfs wants two when there is no upper layer.)
 */
TEST_F(ladd, lowerdir_replaces_added_layers)
{
	const struct kv kv[] = {
		{ "lowerdir+", B("l1") },
		{ "lowerdir", lfs_fmt("%s:%s", B("l2"), B("l3")) },
	};
	const char *const types[] = { lfs_fstype(), "overlay" };
	int i;

	for (i = 0; i < (self->ovl ? 2 : 1); i++) {
		char m[PATH_MAX + 8];

		/* a copy: lfs_fmt()'s ring of buffers is reused */
		snprintf(m, sizeof(m), "%s/%s", self->base, i ? "ovl" : "m");

		ASSERT_EQ(0, fs_mount(types[i], kv, 2, m, self->msg,
				      sizeof(self->msg)))
			TH_LOG("%s: %s", types[i], self->msg);
		EXPECT_STREQ("f,g,h", lfs_list(m, self->buf, sizeof(self->buf)));
		EXPECT_STREQ("l2", lfs_cat(lfs_fmt("%s/f", m), self->buf,
					   sizeof(self->buf)));
	}
}

/* datadir+ (data-only layers of metacopy files) is not implemented: refused, saying so. */
TEST_F(ladd, datadir_add_refused)
{
	const struct kv kv[] = {
		{ "lowerdir+", B("l1") }, { "datadir+", B("l2") },
	};

	ASSERT_EQ(EINVAL, fs_mount(lfs_fstype(), kv, 2, B("m"), self->msg,
				   sizeof(self->msg)));
	TH_LOG("log: %s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "metacopy"));
}

/* "::" in lowerdir= (data-only layers on overlayfs) says the same. */
TEST_F(ladd, double_colon_refused)
{
	const struct kv kv[] = {
		{ "lowerdir", lfs_fmt("%s::%s", B("l1"), B("l2")) },
	};

	ASSERT_EQ(EINVAL, fs_mount(lfs_fstype(), kv, 1, B("m"), self->msg,
				   sizeof(self->msg)));
	TH_LOG("log: %s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "data-only"));
}

/* An empty lowerdir+ is refused. */
TEST_F(ladd, empty_value_einval)
{
	const struct kv kv[] = { { "lowerdir+", "" } };

	ASSERT_EQ(EINVAL, fs_mount(lfs_fstype(), kv, 1, B("m"), self->msg,
				   sizeof(self->msg)));
}

/*
 * Undo the octal escapes seq_show_option() puts in /proc/self/mountinfo
 * ("\054" for ',', "\134" for '\', ...), in place.
 */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (s[1] - '0') * 64 + (s[2] - '0') * 8 + s[3] - '0';
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/*
 * The super options of the mount at @target in /proc/self/mountinfo (the
 * last field), into a malloc()ed string.
 */
static char *super_options(const char *target)
{
	char *line = NULL, *res = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *mp = strchr(line, ' ');
		char *opts;
		int i;

		/* fields: id parent dev root mountpoint ... */
		for (i = 0; mp && i < 3; i++)
			mp = strchr(mp + 1, ' ');
		if (!mp || strncmp(mp + 1, target, strlen(target)) ||
		    mp[1 + strlen(target)] != ' ')
			continue;
		opts = strrchr(line, ' ');
		if (opts) {
			opts[strcspn(opts, "\n")] = '\0';
			res = strdup(opts + 1);
		}
	}
	free(line);
	fclose(f);
	return res;
}

/*
 * Split mountinfo super options @opts (modified) at unescaped commas into
 * key/value pairs, unescaping the values; returns how many (at most @max).
 */
static int split_options(char *opts, struct kv *kv, int max)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(opts, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || !strcmp(tok, "rw") || !strcmp(tok, "ro"))
			continue;
		*eq = '\0';
		unescape(eq + 1);
		kv[n].key = tok;
		kv[n].value = eq + 1;
		n++;
	}
	return n;
}

/*
 * A layer whose name holds ':', ',' and '\' is one layer through
 * lowerdir+; mountinfo shows it escaped, and the options read back from
 * there mount the same view again.
 */
TEST_F(ladd, odd_name_reads_back)
{
	const char *odd = B("a:b,c\\d e");
	struct kv kv[8] = { { "lowerdir+", odd }, { "lowerdir+", B("l3") } };
	char *opts;
	int n;

	ASSERT_EQ(0, mkdir(odd, 0755));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%s/odd", odd), "odd"));
	ASSERT_EQ(0, fs_mount(lfs_fstype(), kv, 2, B("m"), self->msg,
			      sizeof(self->msg)));
	EXPECT_STREQ("f,h,odd", lfs_list(B("m"), self->buf, sizeof(self->buf)));

	opts = super_options(B("m"));
	ASSERT_NE(NULL, opts);
	TH_LOG("mountinfo: %s", opts);
	/* the two layers, then whatever else is shown (redirect_dir=...) */
	n = split_options(opts, kv, 8);
	ASSERT_LE(2, n);
	EXPECT_STREQ("lowerdir+", kv[0].key);
	EXPECT_STREQ(odd, kv[0].value);
	EXPECT_STREQ("lowerdir+", kv[1].key);
	EXPECT_STREQ(B("l3"), kv[1].value);
	ASSERT_EQ(0, fs_mount(lfs_fstype(), kv, n, B("m2"), self->msg,
			      sizeof(self->msg)));
	EXPECT_STREQ("f,h,odd", lfs_list(B("m2"), self->buf,
					 sizeof(self->buf)));
	free(opts);
}

/*
 * Make @n layer directories under @base whose paths are at least
 * LONG_NAME_LEN bytes: <base>/<k>-xxxx...; layer k holds "k<k>" and
 * "f" (with its number: the top one wins).  Paths go to @paths.
 */
static int make_long_layers(const char *base, int n, char (*paths)[256])
{
	char pad[LONG_NAME_LEN + 1];
	int k, len;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	len = LONG_NAME_LEN - (int)strlen(base) - 6;
	if (len < 1)
		return ENAMETOOLONG;
	for (k = 0; k < n; k++) {
		snprintf(paths[k], 256, "%s/%04d-%.*s", base, k, len, pad);
		if (mkdir(paths[k], 0755))
			return errno;
		if (lfs_write(lfs_fmt("%s/k%d", paths[k], k), "k"))
			return EIO;
		if (lfs_write(lfs_fmt("%s/f", paths[k]), lfs_fmt("%d", k)))
			return EIO;
	}
	return 0;
}

/* How many times @needle occurs in @s. */
static int occurrences(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * 500 layers of paths over 200 bytes each (100 kB of names, 25 times one
 * page): they mount through lowerdir+, every layer is reached, the top
 * one wins, mountinfo lists all 500; a 501st layer is refused.  overlayfs
 * (6.8+) mounts the same 500.
 */
TEST_F_TIMEOUT(ladd, five_hundred_long_paths, 300)
{
	static char paths[MAX_LAYERS + 1][256];
	static struct kv kv[MAX_LAYERS + 1];
	const char *const types[] = { lfs_fstype(), "overlay" };
	char *opts;
	int i, k;

	ASSERT_EQ(0, make_long_layers(self->base, MAX_LAYERS + 1, paths));
	for (k = 0; k <= MAX_LAYERS; k++) {
		ASSERT_LE(LONG_NAME_LEN, strlen(paths[k]));
		kv[k].key = "lowerdir+";
		kv[k].value = paths[k];
	}

	ASSERT_EQ(EINVAL, fs_mount(lfs_fstype(), kv, MAX_LAYERS + 1, B("m"),
				   self->msg, sizeof(self->msg)));
	TH_LOG("501 layers: %s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "too many lower layers"));

	for (i = 0; i < (self->ovl ? 2 : 1); i++) {
		char m[PATH_MAX + 8];

		/* a copy: lfs_fmt()'s ring of buffers is reused */
		snprintf(m, sizeof(m), "%s/%s", self->base, i ? "ovl" : "m");

		ASSERT_EQ(0, fs_mount(types[i], kv, MAX_LAYERS, m, self->msg,
				      sizeof(self->msg)));
		EXPECT_STREQ("0", lfs_cat(lfs_fmt("%s/f", m), self->buf,
					  sizeof(self->buf)));
		for (k = 0; k < MAX_LAYERS; k++)
			if (lfs_lstat_errno(lfs_fmt("%s/k%d", m, k)))
				break;
		EXPECT_EQ(MAX_LAYERS, k)
			TH_LOG("%s: k%d (from layer %d) not found", types[i], k, k);
		opts = super_options(m);
		ASSERT_NE(NULL, opts);
		EXPECT_EQ(MAX_LAYERS, occurrences(opts, "lowerdir+="));
		free(opts);
	}
}

TEST_HARNESS_MAIN
