// SPDX-License-Identifier: GPL-2.0
/*
 * layers.c - many lower layers and layerfs stacked on layerfs.
 *
 * Proves that layer order is honoured through a deep stack (each name is
 * served by the topmost layer that has it), that the 500-layer limit is
 * exactly where the contract puts it, and that layerfs can be a lower layer
 * of another layerfs once, but not twice.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "layerfs_util.h"

#define DEEP_LAYERS	25
#define MAX_LAYERS	500

FIXTURE(layers) {
	char base[PATH_MAX];
	char mnt[PATH_MAX + 8];
	char buf[8192];
	char opts[8192];
};

FIXTURE_SETUP(layers)
{
	LFS_REQUIRE(return);
	ASSERT_EQ(0, lfs_private_ns());
	ASSERT_EQ(0, lfs_make_base(self->base));
	snprintf(self->mnt, sizeof(self->mnt), "%s/m", self->base);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
}

FIXTURE_TEARDOWN(layers)
{
	LFS_DROP_BASE(self->base, "m", "m3", "m2", "m1");
}

#define L(rel)		lfs_fmt("%s/%s", self->base, rel)
#define CAT(path)	lfs_cat(path, self->buf, sizeof(self->buf))

/*
 * Layer i (0 = top) holds f<i>, u<i> and "common", all with content "L<i>",
 * and also f<i+1>, shadowing the file that layer i+1 introduces.  So:
 * f0 comes from layer 0, f<j> from layer j-1, u<i> from layer i, common from
 * layer 0 -- every layer serves something and every layer but the bottom
 * hides something.
 */
TEST_F(layers, deep_stack_precedence)
{
	char *o = self->opts;
	size_t off;
	int i;

	off = snprintf(o, sizeof(self->opts), "lowerdir=");
	for (i = 0; i < DEEP_LAYERS; i++) {
		const char *content = lfs_fmt("L%d", i);

		ASSERT_EQ(0, lfs_mkdir_p(L(lfs_fmt("s/%d", i))));
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("s/%d/f%d", i, i)), content));
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("s/%d/u%d", i, i)), content));
		ASSERT_EQ(0, lfs_write(L(lfs_fmt("s/%d/common", i)), content));
		if (i + 1 < DEEP_LAYERS)
			ASSERT_EQ(0, lfs_write(L(lfs_fmt("s/%d/f%d", i, i + 1)),
					       content));
		off += snprintf(o + off, sizeof(self->opts) - off, "%s%s/s/%d",
				i ? ":" : "", self->base, i);
	}
	ASSERT_LT(off, sizeof(self->opts));
	ASSERT_EQ(0, lfs_mount(self->mnt, o));

	ASSERT_STREQ("L0", CAT(lfs_fmt("%s/f0", self->mnt)));
	ASSERT_STREQ("L0", CAT(lfs_fmt("%s/common", self->mnt)));
	for (i = 1; i < DEEP_LAYERS; i++) {
		ASSERT_STREQ(lfs_fmt("L%d", i - 1),
			     CAT(lfs_fmt("%s/f%d", self->mnt, i)))
			TH_LOG("file f%d", i);
	}
	for (i = 0; i < DEEP_LAYERS; i++) {
		ASSERT_STREQ(lfs_fmt("L%d", i),
			     CAT(lfs_fmt("%s/u%d", self->mnt, i)))
			TH_LOG("file u%d", i);
	}
}

/*
 * Build @n layers named 0..n-1 in $/many (the top one holds "top", the
 * middle one "mid", the bottom one "bottom"), chdir there and put
 * "lowerdir=0:1:...:n-1" in self->opts: relative names keep the option
 * string well inside mount(2)'s one page.
 */
static void build_many(struct __test_metadata *_metadata,
		       FIXTURE_DATA(layers) *self, int n)
{
	size_t off;
	int i;

	ASSERT_EQ(0, lfs_mkdir_p(L("many")));
	ASSERT_EQ(0, chdir(L("many")));
	off = snprintf(self->opts, sizeof(self->opts), "lowerdir=");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, mkdir(lfs_fmt("%d", i), 0755));
		off += snprintf(self->opts + off, sizeof(self->opts) - off,
				"%s%d", i ? ":" : "", i);
	}
	ASSERT_LT(off, (size_t)4000);
	ASSERT_EQ(0, lfs_write("0/top", "top"));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%d/mid", n / 2), "mid"));
	ASSERT_EQ(0, lfs_write(lfs_fmt("%d/bottom", n - 1), "bottom"));
}

/* Exactly 500 lower layers mount, and the bottom layer is reachable. */
TEST_F_TIMEOUT(layers, max_lower_layers_500, 120)
{
	build_many(_metadata, self, MAX_LAYERS);
	ASSERT_EQ(0, lfs_mount(self->mnt, self->opts));
	ASSERT_STREQ("top", CAT(lfs_fmt("%s/top", self->mnt)));
	ASSERT_STREQ("mid", CAT(lfs_fmt("%s/mid", self->mnt)));
	ASSERT_STREQ("bottom", CAT(lfs_fmt("%s/bottom", self->mnt)));
	ASSERT_STREQ("bottom,mid,top", lfs_list(self->mnt, self->buf,
						sizeof(self->buf)));
}

/* One more is EINVAL. */
TEST_F_TIMEOUT(layers, too_many_lower_layers_501_einval, 120)
{
	build_many(_metadata, self, MAX_LAYERS + 1);
	ASSERT_EQ(EINVAL, lfs_mount(self->mnt, self->opts));
}

/* Two layerfs mounts, the second using the first as its top lower layer. */
static void build_two_levels(struct __test_metadata *_metadata,
			     FIXTURE_DATA(layers) *self)
{
	static const char *const dirs[] = { "a", "b", "c", "d", "m1", "m2", "m3" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ASSERT_EQ(0, mkdir(L(dirs[i]), 0755));
	ASSERT_EQ(0, lfs_write(L("a/fa"), "A"));
	ASSERT_EQ(0, lfs_write(L("b/fb"), "B"));
	ASSERT_EQ(0, lfs_write(L("b/shared"), "B"));
	ASSERT_EQ(0, lfs_write(L("c/shared"), "C"));
	ASSERT_EQ(0, lfs_write(L("c/fc"), "C"));
	ASSERT_EQ(0, lfs_mount(L("m1"), lfs_expand(self->base,
						   "lowerdir=$/a:$/b")));
	ASSERT_EQ(0, lfs_mount(L("m2"), lfs_expand(self->base,
						   "lowerdir=$/m1:$/c")));
}

/* layerfs over layerfs (one level) reads through both. */
TEST_F(layers, stacked_one_level)
{
	build_two_levels(_metadata, self);
	ASSERT_STREQ("A", CAT(L("m2/fa")));
	ASSERT_STREQ("B", CAT(L("m2/fb")));
	ASSERT_STREQ("C", CAT(L("m2/fc")));
	/* m1 (b) is above c in m2. */
	ASSERT_STREQ("B", CAT(L("m2/shared")));
	ASSERT_STREQ("fa,fb,fc,shared", lfs_list(L("m2"), self->buf,
						 sizeof(self->buf)));
}

/* A third level is refused with EINVAL, as the only layer... */
TEST_F(layers, stacked_third_level_einval)
{
	build_two_levels(_metadata, self);
	ASSERT_EQ(EINVAL, lfs_mount(L("m3"), lfs_expand(self->base,
							"lowerdir=$/m2")));
}

/* ...and as a lower layer below a shallow one. */
TEST_F(layers, stacked_third_level_below_einval)
{
	build_two_levels(_metadata, self);
	ASSERT_EQ(EINVAL, lfs_mount(L("m3"), lfs_expand(self->base,
							"lowerdir=$/d:$/m2")));
}

TEST_HARNESS_MAIN
