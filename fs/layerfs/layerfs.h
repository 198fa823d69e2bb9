/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layerfs.h - state and shared declarations of the layerfs stacking
 * filesystem.
 *
 * layerfs merges a stack of directories ("layers") into one tree:
 *
 *	merged view      /merged         what users see
 *	                    |
 *	layer 0          upperdir        writable (optional)
 *	layer 1          lowerdir #1     read-only, topmost lower
 *	...
 *	layer N          lowerdir #N     read-only, bottom
 *
 * A name is looked up top-down; the first layer that has it decides what it
 * is (see namei.c).  Directories of the same name in several layers merge.
 *
 * Vocabulary, as in overlayfs: the "real" object of a layerfs inode is the
 * object in the topmost layer that has the name; "upper" is layer 0 when an
 * upperdir was given; "lower" is any other layer.
 *
 * Locking
 * -------
 * layerfs adds one lock of its own, the copy-up mutex of each layerfs inode
 * (struct layerfs_inode.lock).  Everything else it locks is the VFS's.  The
 * order, outermost first:
 *
 *  1. a layerfs inode's i_rwsem: taken by the VFS around lookup, create,
 *     unlink, rename (lock_rename() of layerfs dentries), setattr,
 *     fileattr_set, write (layerfs_write_iter()) and iterate_shared, by
 *     layerfs_copyfile() for its destination, and by the llseek methods;
 *     iterate_shared of a directory whose d_ino need fixing looks its
 *     entries up through layerfs under it (held shared, as a lookup
 *     holds it; ino.c), with no real lock held;
 *  2. the copy-up mutex of a layerfs inode (layerfs_copy_up_one(), and
 *     layerfs_metacopy_copy_data() for the data of a metadata-only copy;
 *     and layerfs_remove() and layerfs_rename() for the object a name is
 *     taken from, so that no copy-up of it runs meanwhile, and
 *     layerfs_link() for an indexed object, so that no link-up of
 *     another name records its link count meanwhile); copy-ups of a
 *     path run parent first, and no two are nested;
 *  3. the upper filesystem's sb_writers (layerfs_want_write(), and
 *     file_start_write() inside the vfs_*() helpers that write): never taken
 *     while held, so callers copy up before they take write access, and
 *     copy-up leaves it while it copies data;
 *  4. real directories in the upper filesystem: lock_rename() of the work
 *     directory and an upper directory (or, index=on, the index directory:
 *     index.c), or one upper directory's i_rwsem as I_MUTEX_PARENT (the
 *     index directory's to remove an entry); never both the work directory
 *     alone and then an upper directory (that would invert lock_rename()'s
 *     order);
 *  5. a real object's i_rwsem (notify_change() on an upper object;
 *     vfs_setxattr() of the opaque marker on a directory just made, under
 *     its parent's lock of 4: layerfs_redirect_new_dir()), and the
 *     locks the real filesystem takes inside vfs_*() calls and iterate_dir().
 *
 * One more layerfs lock stands outside this order: layerfs_inuse_lock
 * (super.c), a leaf mutex taken only at mount and unmount to claim and
 * release upper and work directories, with nothing else taken under it
 * (but the allocator's locks, for the message of a refused mount).
 * layerfs_nameidx_lock (nameindex.c) is a leaf spinlock too: it guards the
 * list of published name indexes and the pointer of each to its inode; it
 * is taken under a layerfs inode's i_rwsem (lookup builds an index with it
 * held shared) or under none, and nothing is taken under it.  An index is
 * built with no real lock held across the build but the lower directory's
 * own, inside iterate_dir().
 * So do two VFS locks: a real file's f_lock, a spinlock that
 * layerfs_sync_flags() (file.c) takes alone to copy F_SETFL flags, and
 * inode_hash_lock, a spinlock taken inside iget5_locked() at lookup and by
 * layerfs_set_upper() under the copy-up mutex, with nothing of layerfs's
 * taken under it.
 *
 * No layerfs code holds a lock of a lower layer while taking one of the
 * upper layer, and no real lock is held across a return to the VFS.  syncfs
 * takes the upper super block's s_umount inside layerfs's own (sync(2)
 * does not call layerfs: SB_I_SKIP_SYNC).
 *
 * The per-open state of a directory (the readdir cache) is serialised by the
 * file's f_pos_lock and, against llseek, by the layerfs inode's i_rwsem.
 *
 * Credentials: everything layerfs does to a layer it does with the
 * credentials of the task that mounted it (layerfs_override_creds()), after
 * the VFS has checked the caller against the layerfs inode.
 */
#ifndef _LAYERFS_H
#define _LAYERFS_H

/* Every message in dmesg says where it comes from ("layerfs: ..."). */
#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/cred.h>
#include <linux/xattr.h>
#include <linux/fs_parser.h>
#include <linux/percpu.h>
#include "compat.h"

struct seq_file;

#define LAYERFS_SUPER_MAGIC	0x4c415952	/* "LAYR" */

/* overlayfs's limit, and ours: the number of lowerdirs one mount may have */
#define LAYERFS_MAX_LOWER	500

/*
 * On-disk conventions, shared with the kernel's overlayfs so that the same
 * layers mount under both:
 *  - a whiteout is a character device with device number 0/0, or a
 *    zero-size regular file with the xattr trusted.overlay.whiteout;
 *  - an opaque directory carries the xattr trusted.overlay.opaque = "y";
 *    the value "x" marks a directory (not opaque) holding whiteouts of the
 *    xattr form;
 *  - the append-only and immutable flags of an upper object are kept in
 *    its xattr trusted.overlay.protattr ("a", "i" or "ai"), not set on it;
 *  - a directory renamed with redirect_dir=on carries the xattr
 *    trusted.overlay.redirect, the place of its lower parts;
 *  - a copied-up object carries trusted.overlay.origin, the file handle
 *    of the lower object it was copied from, and its upper parent
 *    trusted.overlay.impure = "y" (origin.c);
 *  - a metadata-only copy (metacopy=on) is a regular file carrying the
 *    xattr trusted.overlay.metacopy, its data still in a lower layer; a
 *    renamed or linked one carries trusted.overlay.redirect too, the
 *    place of that data (metacopy.c);
 *  - with index=on, a copied-up lower hard link is <workdir>/index/<hex
 *    of its origin file handle>, hard-linked to each of its copied-up
 *    names, with its link count through the mount in
 *    trusted.overlay.nlink (index.c);
 *  - scratch files live in <workdir>/work.
 * Only util.c interprets them, but for redirects (redirect.c) and metacopy
 * files (metacopy.c).
 */
#define LAYERFS_XATTR_PREFIX	XATTR_TRUSTED_PREFIX "overlay."
#define LAYERFS_XATTR_OPAQUE	LAYERFS_XATTR_PREFIX "opaque"
/* a user's own trusted.overlay.X, stored escaped (see util.c) */
#define LAYERFS_XATTR_ESCAPED_PREFIX	LAYERFS_XATTR_PREFIX "overlay."
#define LAYERFS_XATTR_PROTATTR	LAYERFS_XATTR_PREFIX "protattr"
/* a renamed directory: where its lower parts are (redirect.c) */
#define LAYERFS_XATTR_REDIRECT	LAYERFS_XATTR_PREFIX "redirect"
/* the lower object a copy was made from (origin.c) */
#define LAYERFS_XATTR_ORIGIN	LAYERFS_XATTR_PREFIX "origin"
/* a file whose data is still in a lower layer (metacopy.c) */
#define LAYERFS_XATTR_METACOPY	LAYERFS_XATTR_PREFIX "metacopy"
#define LAYERFS_WORKDIR_NAME	"work"
/* <workdir>/index: one upper inode per copied-up lower hard link (index.c) */
#define LAYERFS_INDEXDIR_NAME	"index"
/* <workdir>/work/incompat/<feature>: a mount must not reuse work/ (super.c) */
#define LAYERFS_INCOMPAT_NAME	"incompat"

/**
 * struct layerfs_layer - one directory of the stack
 * @root: the directory the user named, held while mounted, on a private
 *        clone of the user's mount (read-only for a lower layer; see
 *        layerfs_get_upper() and layerfs_get_lower())
 * @name: the name the user gave it, for messages
 * @idx:  0 for the topmost layer, counting down the stack
 * @upper: this is the writable upper layer
 * @pseudo_dev: the st_dev of this layer's non-directories when the layers
 *        are on several filesystems: an anonymous device number per real
 *        filesystem, shared by the layers on it (0 when they are on one)
 * @fsid: which filesystem the layer is on, for xino (ino.c): 0 for the
 *        upper layer's (also when there is no upper layer), then 1, 2,
 *        ... for the other filesystems in the order of the layers
 */
struct layerfs_layer {
	struct path root;
	const char *name;
	unsigned int idx;
	bool upper;
	dev_t pseudo_dev;
	unsigned int fsid;
};

/**
 * struct layerfs_config - the mount options, as parsed
 * @lowerdir:  the lowerdir option as given (escapes kept), for show_options;
 *             NULL when the layers were named one by one with lowerdir+
 * @upperdir:  the upperdir option, or NULL
 * @workdir:   the workdir option, or NULL
 * @lower:     @numlower lower layer names, top first, unescaped, each its
 *             own allocation
 * @numlower:  number of lower layers
 * @lower_cap: number of entries @lower has room for
 * @is_volatile: the "volatile" option: never sync the upper layer
 * @redirect_mode: what redirect_dir= makes of renamed directories, an
 *             enum layerfs_redirect_mode ("off" already turned into
 *             "follow" or "nofollow")
 * @redirect_given: the redirect_dir value as given (or the default's),
 *             for show_options on kernels that print it so
 * @xino:      the xino option, an enum layerfs_xino_mode (ino.c); set to
 *             "off" at mount when the layers cannot have it
 * @redirect_set: redirect_dir was given (it then wins over metacopy's
 *             default, see layerfs_metacopy_finish_config())
 * @metacopy:  the metacopy option: copy up only the metadata of a file
 *             whose data is not written (metacopy.c)
 * @metacopy_set: metacopy was given, not taken from the default
 * @index:     the index option: keep one upper inode per lower hard link
 *             in <workdir>/index (index.c); set to false at mount when
 *             the layers cannot have it
 * @index_set: index was given, not taken from the default
 */
struct layerfs_config {
	char *lowerdir;
	char *upperdir;
	char *workdir;
	char **lower;
	unsigned int numlower;
	unsigned int lower_cap;
	bool is_volatile;
	u8 redirect_mode;
	u8 redirect_given;
	u8 xino;
	bool redirect_set;
	bool metacopy;
	bool metacopy_set;
	bool index;
	bool index_set;
};

/* The values of the xino option, as overlayfs's (ino.c). */
enum layerfs_xino_mode {
	LAYERFS_XINO_OFF,
	LAYERFS_XINO_AUTO,
	LAYERFS_XINO_ON,
};

/*
 * The values of the redirect_dir option, as overlayfs's (redirect.c):
 * follow redirects or not, and make them when renaming or not.
 *
 *	mode       follows   makes (rename of a dir with lower parts)
 *	off        as the redirect_always_follow parameter says; EXDEV
 *	follow     yes       no: EXDEV
 *	nofollow   no: EPERM no: EXDEV
 *	on         yes       yes
 */
enum layerfs_redirect_mode {
	LAYERFS_REDIRECT_OFF,
	LAYERFS_REDIRECT_FOLLOW,
	LAYERFS_REDIRECT_NOFOLLOW,
	LAYERFS_REDIRECT_ON,
};

/* The counters of a mount (struct layerfs_counters), by index. */
enum layerfs_counter {
	LAYERFS_CNT_LOOKUPS,		/* inode_operations.lookup calls */
	LAYERFS_CNT_COPY_UPS,		/* objects copied up successfully */
	LAYERFS_CNT_COPY_UP_BYTES,	/* bytes of data those copy-ups copied */
	LAYERFS_CNT_WHITEOUTS,		/* whiteouts made (unlink, rmdir, rename) */
	LAYERFS_CNT_OPAQUE_DIRS,	/* directories made opaque */
	LAYERFS_CNT_READDIR_BUILT,	/* getdents() that built a merged listing */
	LAYERFS_CNT_READDIR_REUSED,	/* getdents() served from a merged one */
	LAYERFS_CNT_READDIR_PASSTHROUGH, /* getdents() of one real directory */
	LAYERFS_CNT_NAMEIDX_BUILT,	/* name indexes built (nameindex.c) */
	LAYERFS_CNT_NAMEIDX_LOOKUPS,	/* lookups that skipped layers by one */
	LAYERFS_CNT_NAMEIDX_DROPPED,	/* indexes dropped: shrinker, size cap */
	LAYERFS_CNT_NAMEIDX_BYTES,	/* memory the indexes hold now */
	LAYERFS_CNT_NAMEIDX_MISMATCHES,	/* nameindex_check: wrong answers */
	LAYERFS_CNT_NAMEIDX_BUILD_NS,	/* time spent building indexes */
	LAYERFS_NR_COUNTERS
};

/**
 * struct layerfs_counters - what a mount has done, per CPU (stats.c)
 * @count:         the counters of enum layerfs_counter
 * @layer_lookups: names looked up in each layer, by layer index
 *
 * One copy per CPU, incremented with this_cpu_inc(): no lock, no shared
 * cache line on the lookup path.  Readers add up every CPU's copy
 * (/sys/fs/layerfs/<id>/, see layerfs_stats_register()).
 */
struct layerfs_counters {
	u64 count[LAYERFS_NR_COUNTERS];
	u64 layer_lookups[];
};

/**
 * struct layerfs_fs - one mounted layerfs (super_block->s_fs_info)
 * @layers:       @numlayers layers, top first: the upper layer (if any) is
 *                layers[0], then the lower layers in the order given
 * @numlayers:    number of entries in @layers
 * @mnts:         the private mounts of the layers, in the order of
 *                @layers, one per layer the options name (NULL for one not
 *                set up), released together by kern_unmount_array()
 * @has_upper:    whether layers[0] is a writable upper layer
 * @samefs:       all layers are on one filesystem, so their inode numbers
 *                are unique and can be reported unchanged
 * @xino_bits:    layers on several filesystems with xino: how many high
 *                bits of an inode number say which filesystem it is of
 *                (ino.c); 0 without
 * @workdir:      the workdir the user named (upper mounts only), on the
 *                upper layer's private mount (no reference on it)
 * @work:         <workdir>/work, layerfs's scratch directory
 * @indexdir:     <workdir>/index with index=on (index.c), else NULL
 * @creator_cred: credentials of the mounter, used for every layer access
 * @tmp_id:       counter naming scratch files in @work ("#<hex>")
 * @config:       the mount options, for show_options and messages
 * @inuse:        entry in the list of mounts that hold an upper and a work
 *                directory (super.c, layerfs_claim_dirs()); empty if none
 * @errseq:       volatile mounts: the upper filesystem's writeback error
 *                state when mounted (layerfs_sync_status())
 * @stats:        the counters of this mount, one copy per CPU; set before
 *                the root is made, so never NULL for an operation
 * @sysfs:        /sys/fs/layerfs/<id>/, which shows @stats (stats.c)
 */
struct layerfs_fs {
	struct layerfs_layer *layers;
	unsigned int numlayers;
	struct vfsmount **mnts;
	bool has_upper;
	bool samefs;
	unsigned int xino_bits;
	struct path workdir;
	struct dentry *work;
	struct dentry *indexdir;
	const struct cred *creator_cred;
	atomic_t tmp_id;
	struct layerfs_config config;
	struct list_head inuse;
	errseq_t errseq;
	struct layerfs_counters __percpu *stats;
	struct layerfs_sysfs *sysfs;
};

/**
 * struct layerfs_real - an object in one layer
 * @dentry: the object (a reference is held)
 * @layer:  the layer it is in
 */
struct layerfs_real {
	struct dentry *dentry;
	const struct layerfs_layer *layer;
};

/**
 * struct layerfs_redirect - where a lookup looks next (namei.c, redirect.c)
 * @dir:      the layerfs directory whose stack the lookup walks: the parent
 *            of the name, or the root once an absolute redirect was found
 * @dirupper: @dir's upper directory, read once (layerfs_nstack())
 * @nstack:   number of directories in @dir's stack
 * @path:     NULL to look for the name itself, else the redirect being
 *            followed: one name, or a path from the layer roots ("/a/b");
 *            kmalloc()ed
 * @stop:     an ancestor on an absolute path was opaque, a whiteout or not
 *            a directory: the layers below have nothing for the name
 * @to_root:  an absolute redirect was just found: the walk goes on in the
 *            root's stack (layerfs_redirect_to_root())
 */
struct layerfs_redirect {
	struct inode *dir;
	struct dentry *dirupper;
	unsigned int nstack;
	char *path;
	bool stop;
	bool to_root;
};

/**
 * struct layerfs_inode - the layerfs view of one merged object
 * @vfs_inode: the VFS inode (mode, owner, size and times mirror the real
 *             object's).  A non-directory is hashed by its real inode
 *             (i_private), so that all its names share this inode; see
 *             layerfs_new_inode().
 * @upper:     the object in the upper layer, or NULL while there is none.
 *             Set once, by layerfs_set_upper() at copy-up or when the object
 *             is created, with smp_store_release(); read with
 *             layerfs_upper().
 * @nlower:    number of entries in @lower
 * @lower:     the objects in lower layers, top first.  A directory lists
 *             every lower directory that merges into it; anything else has
 *             at most one.  Constant for the inode's life.
 * @one_lower: storage for @lower when @nlower is 1 (most inodes)
 * @lock:      serialises copy-up of this inode (see layerfs_copy_up())
 * @nameidx:   a directory's name index of its lower layers, or NULL
 *             (nameindex.c): published and cleared under
 *             layerfs_nameidx_lock, read under RCU
 * @nameidx_flags: LAYERFS_NAMEIDX_* bits, atomic bitops
 * @nameidx_debt: lower lookups made layer by layer since the last build
 *             (approximate: updated without a lock)
 * @nameidx_cost: estimated entries of the lower directories, or 0 until
 *             first needed
 * @metacopy:  @upper is a metadata-only copy: the data is still read from
 *             lower[nlower - 1] (metacopy.c).  Set before @upper is
 *             published (or at lookup, before the inode is seen); cleared
 *             under @lock with smp_store_release() once the data is in
 *             @upper; read with layerfs_upper_data().
 *
 * The "real" object is @upper if there is one, else lower[0].  @upper and
 * @lower are the dentries of the name the inode was made for: another hard
 * link's name reaches the same real inode through other dentries, so code
 * that needs a name's own place in a layer looks the name up there.
 * @indexed:   a non-directory whose @upper is the entry of <workdir>/index
 *             for lower[0] (index=on, index.c): its link count is the
 *             union of its names, kept in i_nlink, not the upper file's.
 *             Set before @upper is published (or at lookup, before the
 *             inode is seen); never cleared.
 */
struct layerfs_inode {
	struct inode vfs_inode;
	struct dentry *upper;
	unsigned int nlower;
	struct layerfs_real *lower;
	struct layerfs_real one_lower;
	struct mutex lock;		/* serialises copy-up of this inode */
	struct layerfs_nameidx __rcu *nameidx;
	unsigned long nameidx_flags;
	unsigned int nameidx_debt;
	unsigned int nameidx_cost;
	bool metacopy;
	bool indexed;
};

/* layerfs_inode.nameidx_flags */
enum {
	LAYERFS_NAMEIDX_BUILDING,	/* a lookup is building the index */
	LAYERFS_NAMEIDX_FAILED,		/* building failed: never again */
};

static inline struct layerfs_fs *LAYERFS_FS(const struct super_block *sb)
{
	return sb->s_fs_info;
}

/* Does a sync through the mount reach the upper layer (not volatile)? */
static inline bool layerfs_should_sync(const struct super_block *sb)
{
	return !LAYERFS_FS(sb)->config.is_volatile;
}

static inline struct layerfs_inode *LAYERFS_I(const struct inode *inode)
{
	return container_of(inode, struct layerfs_inode, vfs_inode);
}

/* The upper object of @inode, or NULL. */
static inline struct dentry *layerfs_upper(const struct inode *inode)
{
	/* pairs with smp_store_release() in copy-up: the copy is complete */
	return smp_load_acquire(&LAYERFS_I(inode)->upper);
}

/* The upper layer (only meaningful when the mount has one). */
static inline struct layerfs_layer *layerfs_upper_layer(struct super_block *sb)
{
	return &LAYERFS_FS(sb)->layers[0];
}

/**
 * struct layerfs_dir_reader - a dir_context for layerfs_read_dir()
 * @ctx:   what iterate_dir() calls back through; embed the reader in the
 *         actor's own context and reach that with container_of()
 * @count: entries the actor was offered by the current iterate_dir() call
 *         (the actor counts them; 0 ends the reading)
 * @err:   an error the actor met, which ends the reading
 */
struct layerfs_dir_reader {
	struct dir_context ctx;
	unsigned int count;
	int err;
};

/**
 * struct layerfs_cattr - what to create in a layer
 * @mode:     type and permission bits
 * @rdev:     device number, for device nodes (0/0 makes a whiteout)
 * @link:     target, for symlinks
 * @hardlink: existing object to link to instead of creating one, or NULL
 */
struct layerfs_cattr {
	umode_t mode;
	dev_t rdev;
	const char *link;
	struct dentry *hardlink;
};

/**
 * struct layerfs_lookup_trace - what one lookup did, for its trace event
 * @consulted: how many layers the name was looked up in
 * @last:      index of the last layer consulted
 * @stop:      why the search ended (enum layerfs_lookup_stop, trace.h)
 * @slow:      in: look in every layer, never through a name index
 * @indexed:   out: a name index chose the layers (nameindex.c)
 */
struct layerfs_lookup_trace {
	unsigned int consulted;
	unsigned int last;
	int stop;
	bool slow;
	bool indexed;
};

/**
 * struct layerfs_nameidx_walk - a lookup's use of a name index
 * @dir:     the directory looked in
 * @name:    the name looked up
 * @nstack:  the number of layers of @dir's stack
 * @base:    the stack index of @dir's first lower layer (1 with an upper)
 * @idx:     the index, referenced, or NULL: layer by layer
 * @ent:     the name's entry in @idx, or NULL: in no lower layer
 * @pos:     the last position of @ent handed out after its first
 * @probed:  @idx and @ent were looked for
 * @started: @ent's first position was handed out
 * @used:    the index chose a layer
 */
struct layerfs_nameidx_walk {
	struct inode *dir;
	const struct qstr *name;
	unsigned int nstack;
	unsigned int base;
	struct layerfs_nameidx *idx;
	const struct layerfs_nameidx_ent *ent;
	const struct layerfs_nameidx_pos *pos;
	bool probed;
	bool started;
	bool used;
};

/* stats.c: counters (struct layerfs_counters) and trace events */
static inline void layerfs_count(struct super_block *sb,
				 enum layerfs_counter which)
{
	this_cpu_inc(LAYERFS_FS(sb)->stats->count[which]);
}

static inline void layerfs_count_add(struct super_block *sb,
				     enum layerfs_counter which, u64 n)
{
	this_cpu_add(LAYERFS_FS(sb)->stats->count[which], n);
}

/* A lookup of a name in @layer: count it, and note it for the event. */
static inline void layerfs_lookup_layer(struct super_block *sb,
					struct layerfs_lookup_trace *lt,
					const struct layerfs_layer *layer)
{
	this_cpu_inc(LAYERFS_FS(sb)->stats->layer_lookups[layer->idx]);
	lt->consulted++;
	lt->last = layer->idx;
}

int layerfs_stats_init(void);
void layerfs_stats_exit(void);
int layerfs_stats_register(struct super_block *sb);
void layerfs_stats_unregister(struct layerfs_fs *ofs);
void layerfs_stats_free(struct layerfs_fs *ofs);
u64 layerfs_copy_up_begin(struct dentry *dentry, const struct qstr *name,
			  const struct layerfs_real *lower);
void layerfs_copy_up_end(struct dentry *dentry, const struct qstr *name,
			 loff_t bytes, u64 start, int err);
void layerfs_note_whiteout(struct super_block *sb, struct dentry *upperdir,
			   const struct qstr *name, bool replaced);
void layerfs_note_opaque(struct dentry *dentry, struct dentry *upper,
			 int why);
void layerfs_note_readdir(struct file *file, int how, unsigned int listed);

/* util.c */
const struct cred *layerfs_override_creds(struct super_block *sb);
void layerfs_path(const struct layerfs_real *real, struct path *path);
struct layerfs_idmap *layerfs_real_idmap(const struct layerfs_real *real);
void layerfs_real(const struct inode *inode, struct layerfs_real *real);
void layerfs_real_path(const struct inode *inode, struct path *path);
unsigned int layerfs_nstack(const struct inode *inode, struct dentry *upper);
void layerfs_stack(const struct inode *inode, struct dentry *upper,
		   unsigned int i, struct layerfs_real *real);
struct layerfs_idmap *layerfs_upper_idmap(struct super_block *sb);
int layerfs_want_write(struct super_block *sb);
void layerfs_drop_write(struct super_block *sb);
bool layerfs_is_whiteout(const struct layerfs_layer *layer,
			 struct dentry *dentry);
bool layerfs_is_weird(const struct dentry *dentry);
bool layerfs_is_opaque_dir(const struct layerfs_real *real);
bool layerfs_dir_has_xwhiteouts(const struct layerfs_real *real);
int layerfs_set_opaque(struct super_block *sb, struct dentry *upper);
int layerfs_set_mode(struct super_block *sb, struct dentry *upper,
		     umode_t mode);
bool layerfs_is_private_xattr(const char *name);
bool layerfs_is_escaped_xattr(const char *name);
int layerfs_create_real(struct super_block *sb, struct inode *dir,
			struct dentry *dentry, const struct layerfs_cattr *attr);
struct dentry *layerfs_create_temp(struct super_block *sb,
				   const struct layerfs_cattr *attr);
struct dentry *layerfs_create_copy(struct dentry *dentry,
				   const struct layerfs_cattr *attr);
int layerfs_do_rename(struct super_block *sb, struct inode *olddir,
		      struct dentry *olddentry, struct inode *newdir,
		      struct dentry *newdentry, unsigned int flags);
int layerfs_cleanup_dir(struct super_block *sb, struct dentry *dir, int depth);
int layerfs_read_dir(const struct path *path, struct layerfs_dir_reader *rd);
char *layerfs_read_names(struct super_block *sb, struct dentry *dir,
			 size_t *lenp);
int layerfs_sync_status(struct super_block *sb);
int layerfs_cleanup_entry(struct super_block *sb, struct dentry *parent,
			  struct dentry *child, int depth);
u32 layerfs_get_protattr(struct super_block *sb, struct dentry *upper);
int layerfs_set_protattr(struct super_block *sb, struct dentry *upper,
			 u32 fsflags);

/* redirect.c */
extern const struct constant_table layerfs_redirect_dir_values[];
void layerfs_redirect_init_config(struct layerfs_config *config);
void layerfs_redirect_parse(struct layerfs_config *config, unsigned int mode);
void layerfs_redirect_finish_config(struct layerfs_config *config);
void layerfs_redirect_show(struct seq_file *m,
			   const struct layerfs_config *config);
bool layerfs_redirect_follow(struct super_block *sb);
bool layerfs_redirect_dir(struct super_block *sb);
bool layerfs_offline_changes_allowed(struct super_block *sb);
struct dentry *layerfs_redirect_lookup(struct layerfs_redirect *rd,
				       const struct layerfs_real *parent,
				       const struct qstr *name);
int layerfs_redirect_found(struct layerfs_redirect *rd,
			   const struct layerfs_real *real);
bool layerfs_redirect_may_jump(const struct layerfs_redirect *rd,
			       const struct layerfs_real *real);
unsigned int layerfs_redirect_to_root(struct layerfs_redirect *rd,
				      const struct layerfs_layer *layer);
int layerfs_set_redirect(struct dentry *dentry, bool samedir);
void layerfs_redirect_new_dir(struct dentry *dentry, struct dentry *upper);

/* origin.c */
int layerfs_set_origin(struct super_block *sb, struct dentry *lower,
		       struct dentry *temp);
int layerfs_set_impure(struct super_block *sb, struct dentry *upperdir);
bool layerfs_is_impure(struct super_block *sb, struct dentry *upperdir);
int layerfs_add_origin(struct super_block *sb, struct layerfs_real *stack);
int layerfs_fix_origin(struct inode *dir, struct layerfs_real *stack, int n);
int layerfs_link_impure(struct dentry *old, struct dentry *new);
int layerfs_rename_impure(struct dentry *old, struct dentry *new,
			  bool exchange);
void *layerfs_get_fh(struct inode *real, bool is_upper, size_t *lenp);
int layerfs_verify_fh(struct super_block *sb, struct dentry *dentry,
		      const char *xattr, const void *fh, size_t len);
int layerfs_check_fh(const void *val, size_t len);
int layerfs_decode_fh(struct super_block *sb, const void *val, size_t len,
		      struct layerfs_real *origin);
bool layerfs_can_decode_fh(const struct super_block *sb);
bool layerfs_uuid_usable(struct super_block *sb,
			 const struct layerfs_layer *layer);

/* ino.c */
void layerfs_ino_real(const struct inode *inode, struct layerfs_real *real);
int layerfs_getattr_ino(struct inode *inode, struct kstat *stat,
			unsigned int flags);
void layerfs_init_ino(struct inode *inode);
u64 layerfs_inode_st_ino(const struct inode *inode);
/* What layerfs_readdir_fix_ino() asks readdir to look up. */
enum {
	LAYERFS_FIX_INO_NONE,
	LAYERFS_FIX_INO_UPPER,	/* the entries of the upper directory */
	LAYERFS_FIX_INO_ALL,	/* every entry */
};

int layerfs_readdir_fix_ino(struct inode *dir);
u64 layerfs_dirent_ino(struct dentry *dir, const char *name, int len, u64 ino);
extern const struct constant_table layerfs_xino_values[];
int layerfs_xino_setup(struct fs_context *fc, struct layerfs_fs *ofs);
void layerfs_xino_show(struct seq_file *m, const struct layerfs_fs *ofs);
/* metacopy.c */
extern const struct constant_table layerfs_metacopy_values[];
void layerfs_metacopy_init_config(struct layerfs_config *config);
int layerfs_metacopy_finish_config(struct fs_context *fc,
				   struct layerfs_config *config);
void layerfs_metacopy_show(struct seq_file *m,
			   const struct layerfs_config *config);
bool layerfs_metacopy_on(struct super_block *sb);
int layerfs_is_metacopy(const struct layerfs_real *real);
int layerfs_metacopy_found(struct layerfs_redirect *rd,
			   const struct layerfs_real *real, bool bottom);
int layerfs_metacopy_init_inode(struct inode *inode, struct dentry *upper,
				unsigned int nlower);
struct dentry *layerfs_upper_data(const struct inode *inode);
void layerfs_real_data(const struct inode *inode, struct layerfs_real *real);
void layerfs_lower_data(const struct inode *inode, struct layerfs_real *real);
bool layerfs_metacopy_wanted(struct super_block *sb, umode_t mode, int flags);
int layerfs_metacopy_mark(struct super_block *sb, struct dentry *temp);
void layerfs_metacopy_publish(struct inode *inode, bool metacopy);
int layerfs_metacopy_copy_data(struct dentry *dentry, int flags);
int layerfs_metacopy_set_redirect(struct dentry *dentry, bool samedir);
int layerfs_metacopy_getattr(struct inode *inode, struct kstat *stat,
			     unsigned int flags);

/* index.c */
extern const struct constant_table layerfs_index_values[];
int layerfs_index_parse(struct fs_context *fc, bool on);
void layerfs_index_finish_config(struct fs_context *fc,
				 struct layerfs_config *config);
void layerfs_index_check(struct fs_context *fc, struct super_block *sb);
void layerfs_index_show(struct seq_file *m,
			const struct layerfs_config *config);
int layerfs_index_setup(struct fs_context *fc, struct super_block *sb);
bool layerfs_index_on(struct super_block *sb);
bool layerfs_index_wanted(struct inode *inode);
int layerfs_index_lookup(struct super_block *sb, struct layerfs_real *stack,
			 int n);
void layerfs_index_init_inode(struct inode *inode);
bool layerfs_index_by_lower(struct super_block *sb, struct dentry *upper,
			    const struct layerfs_real *lower, unsigned int nlower);
void layerfs_index_mark_lower(struct dentry *dentry, struct inode *inode);
bool layerfs_index_needs_link(struct dentry *dentry);
void layerfs_index_linked(struct dentry *dentry);
int layerfs_index_install(struct super_block *sb, struct inode *inode,
			  struct dentry *temp);
int layerfs_index_link_up(struct dentry *parent, struct dentry *dentry);
int layerfs_index_prepare(struct dentry *dentry);
int layerfs_index_nlink_start(struct inode *inode);
bool layerfs_index_name_gone(struct inode *inode);
void layerfs_index_name_added(struct inode *inode);

/* copy_up.c */
int layerfs_copy_up_data(struct super_block *sb, const struct path *old,
			 struct file *out, loff_t len);
int layerfs_copy_up(struct dentry *dentry);
int layerfs_copy_up_flags(struct dentry *dentry, int flags);
int layerfs_copy_up_for_write(struct dentry *dentry);
int layerfs_set_times(struct super_block *sb, struct dentry *upper,
		      const struct kstat *stat);

/* inode.c */
int layerfs_init_inode_cache(void);
void layerfs_destroy_inode_cache(void);
struct inode *layerfs_alloc_inode(struct super_block *sb);
void layerfs_free_inode(struct inode *inode);
void layerfs_evict_inode(struct inode *inode);
struct inode *layerfs_new_inode(struct super_block *sb, struct dentry *upper,
				const struct layerfs_real *lower,
				unsigned int nlower);
void layerfs_set_upper(struct inode *inode, struct dentry *upper);
void layerfs_copyattr(struct inode *inode);
struct posix_acl *layerfs_get_inode_acl(struct inode *inode, int type,
					bool rcu);
struct posix_acl *layerfs_get_acl(struct layerfs_idmap *idmap,
				  struct dentry *dentry, int type);
int layerfs_set_acl(struct layerfs_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type);
int layerfs_permission(struct layerfs_idmap *idmap, struct inode *inode,
		       int mask);
int layerfs_getattr(struct layerfs_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags);
int layerfs_setattr(struct layerfs_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr);
int layerfs_real_fileattr_get(const struct path *realpath,
			      struct fileattr *fa);
int layerfs_real_fileattr_set(const struct path *realpath,
			      struct fileattr *fa);
int layerfs_fileattr_get(struct dentry *dentry, struct fileattr *fa);
int layerfs_fileattr_set(struct layerfs_idmap *idmap, struct dentry *dentry,
			 struct fileattr *fa);

/* nameindex.c */
unsigned int layerfs_nameidx_first(struct layerfs_nameidx_walk *w,
				   struct inode *dir, struct dentry *dirupper,
				   unsigned int nstack, const struct qstr *name,
				   bool slow);
unsigned int layerfs_nameidx_next(struct layerfs_nameidx_walk *w,
				  const struct layerfs_redirect *rd,
				  unsigned int i);
bool layerfs_nameidx_done(struct layerfs_nameidx_walk *w,
			  unsigned int consulted);
bool layerfs_nameidx_checking(void);
void layerfs_nameidx_verify(struct inode *dir, const struct qstr *name,
			    int n, const struct layerfs_real *stack,
			    int n2, const struct layerfs_real *stack2);
void layerfs_nameidx_evict(struct inode *inode);
int layerfs_nameidx_init(void);
void layerfs_nameidx_exit(void);

/* namei.c */
struct dentry *layerfs_lookup(struct inode *dir, struct dentry *dentry,
			      unsigned int flags);

/* dir.c */
extern const struct inode_operations layerfs_dir_inode_operations;

/* readdir.c */
extern const struct file_operations layerfs_dir_operations;
int layerfs_check_empty_dir(struct dentry *dentry);

/* file.c */
extern const struct file_operations layerfs_file_operations;
int layerfs_file_truncated(struct file *file);
int layerfs_finish_tmpfile(struct file *file, struct file *realfile);

/* ioctl.c */
long layerfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* xattr.c */
extern const struct xattr_handler *layerfs_xattr_handlers[];
ssize_t layerfs_listxattr(struct dentry *dentry, char *list, size_t size);
struct posix_acl *layerfs_acl_idmap(struct layerfs_idmap *idmap,
				    const struct inode *realinode,
				    struct posix_acl *acl);
int layerfs_copy_acl(struct layerfs_idmap *old_idmap, struct dentry *old,
		     struct layerfs_idmap *new_idmap, struct dentry *new,
		     const char *name);

#endif /* _LAYERFS_H */
