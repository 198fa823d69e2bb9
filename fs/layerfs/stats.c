// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - watching layerfs work: per-mount counters in sysfs, and the
 * trace events of trace.h.
 *
 * Counters.  Each mount counts what it does in a struct layerfs_counters
 * per CPU (layerfs_count(), layerfs.h): an increment is one instruction on
 * the CPU's own copy, with no lock and no cache line bounced between CPUs,
 * so even the lookup path can afford it.  A reader adds the copies up.
 * They are shown as one directory per mount,
 *
 *	/sys/fs/layerfs/<major>:<minor>/lookups
 *	                               /layer_lookups     (one value per layer)
 *	                               /copy_ups ...
 *
 * where <major>:<minor> is the mount's anonymous device number, the third
 * field of its line in /proc/self/mountinfo (the same name the VFS gives
 * its /sys/class/bdi/ entry).  sysfs rather than debugfs: the numbers are
 * part of what the filesystem shows its users, like ext4's
 * /sys/fs/ext4/<disk>/ counters, and sysfs is mounted everywhere, debugfs
 * only where root allowed it.
 *
 * Lifetime: the directory is made at mount, before the root exists (so
 * every operation finds its counters), and removed by layerfs_kill_sb()
 * before the device number is given back, so that the next mount may take
 * the name.  kobject_del() waits for readers inside a show method, after
 * which the counters are freed (layerfs_stats_free()).  The kobject
 * itself may outlive that (an open sysfs file keeps it); its release only
 * frees its own memory.
 *
 * Trace events: this file defines them (CREATE_TRACE_POINTS), and holds
 * the helpers whose arguments cost something to compute: they do that
 * work only when the event is enabled.
 */

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "layerfs.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * struct layerfs_sysfs - the sysfs directory of one mount
 * @kobj:  /sys/fs/layerfs/<id>/
 * @stats: the mount's counters; NULL once the mount is gone
 * @numlayers: number of entries in @stats->layer_lookups
 */
struct layerfs_sysfs {
	struct kobject kobj;
	struct layerfs_counters __percpu *stats;
	unsigned int numlayers;
};

/* /sys/fs/layerfs/ */
static struct kset *layerfs_kset;

/**
 * struct layerfs_counter_attr - a sysfs file showing one counter
 * @attr:   the file
 * @offset: offset of the counter in struct layerfs_counters
 */
struct layerfs_counter_attr {
	struct attribute attr;
	size_t offset;
};

#define LAYERFS_COUNTER(field, off)					\
	static struct layerfs_counter_attr layerfs_attr_##field = {	\
		.attr = { .name = #field, .mode = 0444 },		\
		.offset = (off),					\
	}
#define LAYERFS_COUNT_OFFSET(which) \
	offsetof(struct layerfs_counters, count[which])

LAYERFS_COUNTER(lookups, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_LOOKUPS));
LAYERFS_COUNTER(copy_ups, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_COPY_UPS));
LAYERFS_COUNTER(copy_up_bytes, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_COPY_UP_BYTES));
LAYERFS_COUNTER(whiteouts, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_WHITEOUTS));
LAYERFS_COUNTER(opaque_dirs, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_OPAQUE_DIRS));
LAYERFS_COUNTER(readdir_built, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_READDIR_BUILT));
LAYERFS_COUNTER(readdir_reused,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_READDIR_REUSED));
LAYERFS_COUNTER(readdir_passthrough,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_READDIR_PASSTHROUGH));
LAYERFS_COUNTER(nameidx_built, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_BUILT));
LAYERFS_COUNTER(nameidx_lookups,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_LOOKUPS));
LAYERFS_COUNTER(nameidx_dropped,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_DROPPED));
LAYERFS_COUNTER(nameidx_bytes, LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_BYTES));
LAYERFS_COUNTER(nameidx_mismatches,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_MISMATCHES));
LAYERFS_COUNTER(nameidx_build_ns,
		LAYERFS_COUNT_OFFSET(LAYERFS_CNT_NAMEIDX_BUILD_NS));
LAYERFS_COUNTER(layer_lookups, offsetof(struct layerfs_counters, layer_lookups));

static struct attribute *layerfs_counter_attrs[] = {
	&layerfs_attr_lookups.attr,
	&layerfs_attr_copy_ups.attr,
	&layerfs_attr_copy_up_bytes.attr,
	&layerfs_attr_whiteouts.attr,
	&layerfs_attr_opaque_dirs.attr,
	&layerfs_attr_readdir_built.attr,
	&layerfs_attr_readdir_reused.attr,
	&layerfs_attr_readdir_passthrough.attr,
	&layerfs_attr_nameidx_built.attr,
	&layerfs_attr_nameidx_lookups.attr,
	&layerfs_attr_nameidx_dropped.attr,
	&layerfs_attr_nameidx_bytes.attr,
	&layerfs_attr_nameidx_mismatches.attr,
	&layerfs_attr_nameidx_build_ns.attr,
	&layerfs_attr_layer_lookups.attr,
	NULL,
};
ATTRIBUTE_GROUPS(layerfs_counter);

/* The sum over every CPU of the u64 at @offset in struct layerfs_counters. */
static u64 layerfs_counter_sum(struct layerfs_counters __percpu *stats,
			       size_t offset)
{
	u64 sum = 0;
	int cpu;

	/* Each CPU's copy is read whole: u64 loads are atomic on 64-bit. */
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*(u64 *)((char *)per_cpu_ptr(stats, cpu) +
					  offset));
	return sum;
}

/*
 * Show a counter.  layer_lookups is an array, one value per layer, top
 * first, separated by spaces, as sysfs allows for values of one type
 * (Documentation/filesystems/sysfs.rst); a stack too deep for one page is
 * cut short there.
 */
static ssize_t layerfs_counter_show(struct kobject *kobj,
				    struct attribute *attr, char *buf)
{
	struct layerfs_sysfs *sysfs = container_of(kobj, struct layerfs_sysfs,
						   kobj);
	struct layerfs_counter_attr *ca =
		container_of(attr, struct layerfs_counter_attr, attr);
	size_t first = offsetof(struct layerfs_counters, layer_lookups);
	unsigned int i;
	int len = 0;

	if (ca->offset != first)
		return sysfs_emit(buf, "%llu\n",
				  layerfs_counter_sum(sysfs->stats, ca->offset));
	for (i = 0; i < sysfs->numlayers; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "",
				     layerfs_counter_sum(sysfs->stats,
							 first + i * sizeof(u64)));
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct sysfs_ops layerfs_sysfs_ops = {
	.show = layerfs_counter_show,
};

static void layerfs_sysfs_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct layerfs_sysfs, kobj));
}

static const struct kobj_type layerfs_sysfs_ktype = {
	.sysfs_ops	= &layerfs_sysfs_ops,
	.default_groups	= layerfs_counter_groups,
	.release	= layerfs_sysfs_release,
};

/**
 * layerfs_stats_register - give a new mount its counters and sysfs directory
 * @sb: the layerfs super block, its layers set up
 *
 * Called by layerfs_fill_super() before the root is made.  On failure the
 * caller fails the mount; layerfs_kill_sb() undoes what was done.
 *
 * Return: 0 or a negative errno.
 */
int layerfs_stats_register(struct super_block *sb)
{
	struct layerfs_fs *ofs = LAYERFS_FS(sb);
	struct layerfs_sysfs *sysfs;
	int err;

	ofs->stats = __alloc_percpu(struct_size(ofs->stats, layer_lookups,
						ofs->numlayers),
				    __alignof__(u64));
	if (!ofs->stats)
		return -ENOMEM;

	sysfs = kzalloc(sizeof(*sysfs), GFP_KERNEL);
	if (!sysfs)
		return -ENOMEM;
	sysfs->stats = ofs->stats;
	sysfs->numlayers = ofs->numlayers;
	sysfs->kobj.kset = layerfs_kset;
	err = kobject_init_and_add(&sysfs->kobj, &layerfs_sysfs_ktype, NULL,
				   "%u:%u", MAJOR(sb->s_dev), MINOR(sb->s_dev));
	if (err) {
		pr_err("cannot add /sys/fs/layerfs/%u:%u: %d\n",
		       MAJOR(sb->s_dev), MINOR(sb->s_dev), err);
		/* even a failed kobject is freed by its release */
		kobject_put(&sysfs->kobj);
		return err;
	}
	ofs->sysfs = sysfs;
	return 0;
}

/**
 * layerfs_stats_unregister - remove a mount's sysfs directory
 * @ofs: the mount
 *
 * Called by layerfs_kill_sb() before the device number that names the
 * directory is released.  Returns once no reader is left inside a show
 * method; a file still open reads -ENODEV from now on.
 */
void layerfs_stats_unregister(struct layerfs_fs *ofs)
{
	if (ofs->sysfs)
		kobject_del(&ofs->sysfs->kobj);
}

/**
 * layerfs_stats_free - free a mount's counters
 * @ofs: the mount, its sysfs directory removed (layerfs_stats_unregister())
 */
void layerfs_stats_free(struct layerfs_fs *ofs)
{
	if (ofs->sysfs) {
		ofs->sysfs->stats = NULL;
		kobject_put(&ofs->sysfs->kobj);
	}
	free_percpu(ofs->stats);
}

/**
 * layerfs_stats_init - create /sys/fs/layerfs/ at module load
 *
 * Return: 0 or -ENOMEM.
 */
int layerfs_stats_init(void)
{
	layerfs_kset = kset_create_and_add("layerfs", NULL, fs_kobj);
	return layerfs_kset ? 0 : -ENOMEM;
}

/**
 * layerfs_stats_exit - remove /sys/fs/layerfs/ at module unload
 *
 * Every mount is gone by then (each holds a reference on the module), and
 * with it its directory.
 */
void layerfs_stats_exit(void)
{
	kset_unregister(layerfs_kset);
}

/**
 * layerfs_copy_up_begin - note the start of a copy-up
 * @dentry: the layerfs object being copied up
 * @name:   its name, kept still by the caller (a name snapshot)
 * @lower:  the lower object copied
 *
 * Return: the time, for layerfs_copy_up_end(), if its event is enabled.
 */
u64 layerfs_copy_up_begin(struct dentry *dentry, const struct qstr *name,
			  const struct layerfs_real *lower)
{
	trace_layerfs_copy_up_begin(d_inode(dentry), name, lower->layer->idx);
	return trace_layerfs_copy_up_end_enabled() ? ktime_get_ns() : 0;
}

/**
 * layerfs_copy_up_end - count a copy-up and note its end
 * @dentry: the layerfs object
 * @name:   its name, as given to layerfs_copy_up_begin()
 * @bytes:  bytes of data copied
 * @start:  what layerfs_copy_up_begin() returned
 * @err:    0 or the negative errno the copy-up failed with
 */
void layerfs_copy_up_end(struct dentry *dentry, const struct qstr *name,
			 loff_t bytes, u64 start, int err)
{
	struct super_block *sb = dentry->d_sb;

	if (!err) {
		layerfs_count(sb, LAYERFS_CNT_COPY_UPS);
		layerfs_count_add(sb, LAYERFS_CNT_COPY_UP_BYTES, bytes);
	}
	if (trace_layerfs_copy_up_end_enabled())
		trace_layerfs_copy_up_end(d_inode(dentry), name, bytes,
					  start ? ktime_get_ns() - start : 0,
					  err);
}

/**
 * layerfs_note_whiteout - count a whiteout made, and trace it
 * @sb:       the layerfs super block
 * @upperdir: the upper directory it was made in
 * @name:     its name (the caller holds the layerfs parent's i_rwsem)
 * @replaced: it replaced an upper object (else it was made in an empty slot)
 */
void layerfs_note_whiteout(struct super_block *sb, struct dentry *upperdir,
			   const struct qstr *name, bool replaced)
{
	layerfs_count(sb, LAYERFS_CNT_WHITEOUTS);
	trace_layerfs_whiteout(sb, upperdir, name, replaced);
}

/**
 * layerfs_note_opaque - count a directory made opaque, and trace it
 * @dentry: the layerfs directory, its name held still by the caller's
 *          locks (the parent's i_rwsem, or the rename lock)
 * @upper:  its upper directory
 * @why:    enum layerfs_opaque_why
 */
void layerfs_note_opaque(struct dentry *dentry, struct dentry *upper, int why)
{
	layerfs_count(dentry->d_sb, LAYERFS_CNT_OPAQUE_DIRS);
	trace_layerfs_opaque(dentry->d_sb, upper, &dentry->d_name, why);
}

/**
 * layerfs_note_readdir - count a getdents() of a layerfs directory, trace it
 * @file:   the open directory
 * @how:    enum layerfs_readdir_how
 * @listed: names in the merged listing (0 for pass-through)
 *
 * The directory's name is taken as a snapshot, since a rename may change
 * it under getdents(), and only when the event is enabled.
 */
void layerfs_note_readdir(struct file *file, int how, unsigned int listed)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct name_snapshot name;

	if (how == LAYERFS_READDIR_BUILT)
		layerfs_count(sb, LAYERFS_CNT_READDIR_BUILT);
	else if (how == LAYERFS_READDIR_REUSED)
		layerfs_count(sb, LAYERFS_CNT_READDIR_REUSED);
	else
		layerfs_count(sb, LAYERFS_CNT_READDIR_PASSTHROUGH);

	if (!trace_layerfs_readdir_enabled())
		return;
	take_dentry_name_snapshot(&name, file->f_path.dentry);
	trace_layerfs_readdir(file_inode(file), &name.name, how, listed,
			      file->f_pos);
	release_dentry_name_snapshot(&name);
}
