// SPDX-License-Identifier: GPL-2.0
/*
 * readdir.c - listing a directory.
 *
 * A layerfs directory stands for one real directory per layer it merges.
 * How an open directory is listed is chosen at the first getdents() after
 * open or rewind (layerfs_dir_prepare()):
 *
 * Pass-through.  A directory whose view comes from exactly one real
 * directory (it exists in the upper layer only, or in a single lower layer)
 * has nothing to merge.  It is listed by iterating that real directory
 * directly, through a filtering dir_context (layerfs_fill_real()) that
 * hides whiteouts and gives "." and ".." layerfs's inode numbers.  File
 * positions are the real directory's own, and layerfs_dir_llseek() passes
 * seeks to the real file, so telldir()/seekdir() behave exactly as on the
 * real filesystem.  The exception is a directory marked as holding
 * whiteouts of the xattr form (layerfs_dir_has_xwhiteouts()): each of its
 * regular files needs a look, which the cache below does in one pass, so
 * such a directory is listed as a merged one, of one layer.  So is an
 * upper directory marked impure when all layers share a filesystem, and
 * every directory with xino: the d_ino of the copies in it, or of all its
 * entries, must be looked up (layerfs_cache_fix_ino()).
 *
 * Merged.  Otherwise the first getdents() reads all the real directories,
 * top first, into a cache private to that open file:
 *
 *	upper   a  b  c(whiteout)          cache, in order of discovery:
 *	lower1  b  c  d                      a  b  c(hidden)  d  e
 *	lower2  d  e                       listed: . .. a b d e
 *
 * Each name is kept once, from the topmost layer that has it; a whiteout is
 * kept too, so that it hides the name below, but it is never listed.  A
 * directory entry does not say whether it is a whiteout: each character
 * device is looked up once the layer is read, and so is each regular file
 * of a directory marked as holding xattr whiteouts (trusted.overlay.opaque
 * "x"; in other directories they are not looked for, as by overlayfs).  Names
 * are found in an rbtree (only while the cache is built: the bottom layer's
 * names are not even added to it, as no layer below will ask); the entries
 * are carved out of a few large chunks rather than allocated one by one,
 * which halves the cost of building the cache of a big directory and makes
 * freeing it a handful of kvfree() calls.  The listed entries are also
 * indexed by position, and
 * the file position is simply that index (plus 2 for "." and ".."), so
 * telldir()/seekdir() positions stay valid however the listing is split
 * across getdents() calls.  Seeking to 0 (rewinddir()) drops the cache: the
 * next getdents() reads the layers again.
 *
 * A directory can become merged while it is open for pass-through: copying
 * up a lower-only directory (to create a name in it, say) gives it an upper
 * directory.  The open file keeps listing the lower directory it chose --
 * a consistent listing of that layer, just as a merged listing is a
 * snapshot taken at the first getdents() -- until the next rewind, which
 * chooses again and so lists the merged view.  The other way round cannot
 * happen: a merged directory never loses a layer.
 *
 * The per-open state belongs to one struct file: concurrent getdents()
 * calls on it are serialised by the VFS's f_pos_lock, and
 * layerfs_dir_llseek() takes the inode lock, which excludes
 * iterate_shared().
 *
 * Core: the merged listing -- layerfs_cache_build(), layerfs_merge_layer(),
 * layerfs_fill_merge(), layerfs_check_whiteouts(), layerfs_iterate(),
 * layerfs_cache_llseek(), layerfs_check_empty_dir().
 * Edge cases: the pass-through listing (layerfs_dir_prepare(),
 * layerfs_iterate_real(), layerfs_fill_real(), layerfs_chr_check(),
 * layerfs_real_llseek()), a speed-up that must still hide whiteouts; xattr
 * whiteouts (layerfs_dir_has_xwhiteouts()); the inode numbers of "." and
 * ".." (layerfs_dot_ino()); the chunked entry storage
 * (layerfs_entry_alloc()); layerfs_dir_fsync().
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include "layerfs.h"
#include "trace.h"

/**
 * struct layerfs_dir_entry - one name of a merged directory
 * @node:      in &layerfs_dir_cache.names, ordered by name (not for names
 *             of the bottom layer)
 * @next:      next entry in order of discovery
 * @next_check: next entry of the layer being read that may be a whiteout:
 *             a character device, or a regular file in a directory marked
 *             for xattr whiteouts (only used while that layer is read)
 * @ino:       d_ino as the topmost layer reported it
 * @type:      d_type as the topmost layer reported it
 * @whiteout:  the name is whited out: hide it here and below
 * @len:       length of @name
 * @name:      the name, NUL-terminated
 */
struct layerfs_dir_entry {
	struct rb_node node;
	struct layerfs_dir_entry *next;
	struct layerfs_dir_entry *next_check;
	u64 ino;
	unsigned int type;
	bool whiteout;
	unsigned int len;
	char name[];
};

/*
 * Entries are carved out of chunks of this size: 64 KiB holds about a
 * thousand entries of short names, and kvmalloc() falls back to vmalloc()
 * when memory is fragmented.  The first chunk of a small directory is sized
 * to fit (LAYERFS_CHUNK_MIN), so listing a directory of ten names does not
 * cost 64 KiB.
 */
#define LAYERFS_CHUNK_MIN	1024
#define LAYERFS_CHUNK_MAX	(64 * 1024)

/**
 * struct layerfs_dir_chunk - storage for entries of a &layerfs_dir_cache
 * @next: the chunk allocated before this one
 * @used: bytes of @data handed out
 * @size: bytes in @data
 * @data: the entries, each aligned for struct layerfs_dir_entry
 */
struct layerfs_dir_chunk {
	struct layerfs_dir_chunk *next;
	size_t used;
	size_t size;
	char data[] __aligned(sizeof(void *));
};

/**
 * struct layerfs_dir_cache - the merged listing of a directory
 * @names:   names of every layer but the bottom one, including whiteouts
 * @first:   first entry in order of discovery
 * @last:    last entry in order of discovery
 * @chunks:  the storage of the entries, newest chunk first
 * @listed:  the entries to list, in order; position p is @listed[p - 2]
 * @nlisted: number of entries in @listed
 * @upper_last: the last entry the upper directory gave (they come first),
 *           or NULL when it gave none or there is no upper directory
 */
struct layerfs_dir_cache {
	struct rb_root names;
	struct layerfs_dir_entry *first;
	struct layerfs_dir_entry *last;
	struct layerfs_dir_chunk *chunks;
	struct layerfs_dir_entry **listed;
	unsigned int nlisted;
	struct layerfs_dir_entry *upper_last;
};

/**
 * struct layerfs_chr_verdict - what a character device of a pass-through
 * directory turned out to be
 * @known:    the fields below hold a verdict not yet used
 * @whiteout: the entry is a whiteout, to be hidden
 * @pos:      the real directory position of the entry
 * @len:      length of @name
 * @name:     the entry's name (not NUL-terminated)
 *
 * The whiteout check needs a lookup in the real directory, which cannot be
 * made from inside iterate_dir() of that directory: its i_rwsem is held
 * shared, and a lookup that misses the dcache takes it shared again, which
 * deadlocks as soon as a writer queues in between.  So layerfs_fill_real()
 * stops before an unchecked character device, layerfs_iterate_real() looks
 * it up with no real lock held and records the verdict here, and the next
 * iterate_dir() starts again at that entry and uses the verdict.
 */
struct layerfs_chr_verdict {
	bool known;
	bool whiteout;
	loff_t pos;
	unsigned int len;
	char name[NAME_MAX];
};

/**
 * struct layerfs_dir_file - file->private_data of an open layerfs directory
 * @cache:    merged listing: the cache, or NULL until the first getdents()
 *            after open or rewind
 * @realfile: pass-through listing: the open real directory, or NULL
 * @layer:    pass-through listing: the layer of @realfile
 * @chr:      pass-through listing: the verdict on a character device
 *
 * At most one of @cache and @realfile is set; neither is until the first
 * getdents() (or seek) after open or rewind.
 */
struct layerfs_dir_file {
	struct layerfs_dir_cache *cache;
	struct file *realfile;
	const struct layerfs_layer *layer;
	struct layerfs_chr_verdict chr;
};

/**
 * struct layerfs_real_ctx - state while a pass-through directory is listed
 * @ctx:        the dir_context the real filesystem calls back through
 * @caller:     the dir_context of the getdents() being served
 * @file:       the open layerfs directory
 * @od:         its private data
 * @seen:       entries the real filesystem offered in one iterate_dir()
 * @emitted:    entries passed on to @caller in one iterate_dir()
 * @full:       @caller refused an entry (its buffer is full)
 * @pending:    stopped before a character device that needs a lookup
 */
struct layerfs_real_ctx {
	struct dir_context ctx;
	struct dir_context *caller;
	struct file *file;
	struct layerfs_dir_file *od;
	unsigned int seen;
	unsigned int emitted;
	bool full;
	bool pending;
};

/**
 * struct layerfs_merge_ctx - state while one real directory is read
 * @ctx:    the dir_context iterate_dir() calls back through
 * @cache:  the cache being filled
 * @checks: entries of this layer to check for whiteouts after
 * @count:  entries seen in this iterate_dir() call
 * @bottom: this is the bottom layer of the directory: its names need not
 *          go into the rbtree
 * @xwhiteouts: the directory is marked as holding xattr whiteouts: its
 *          regular files are checked too
 * @err:    an error from the callback
 * @entries: entries of this layer but "." and "..", for the trace event
 * @added:  of which names no layer above had, for the trace event
 * @whiteouts: of which whiteouts, for the trace event
 */
struct layerfs_merge_ctx {
	struct dir_context ctx;
	struct layerfs_dir_cache *cache;
	struct layerfs_dir_entry *checks;
	unsigned int count;
	unsigned int entries;
	unsigned int added;
	unsigned int whiteouts;
	bool bottom;
	bool xwhiteouts;
	int err;
};

static int layerfs_name_cmp(const char *name, unsigned int len,
			    const struct layerfs_dir_entry *p)
{
	int cmp = memcmp(name, p->name, min(len, p->len));

	if (cmp)
		return cmp;
	return len < p->len ? -1 : len > p->len;
}

/*
 * Find @name in @cache.  When it is not there, return NULL and leave in
 * *@parentp and *@linkp the place where an entry of that name belongs.
 */
/* LAB readdir: helper */
static struct layerfs_dir_entry *
layerfs_cache_find(struct layerfs_dir_cache *cache, const char *name,
		   unsigned int len, struct rb_node **parentp,
		   struct rb_node ***linkp)
{
	struct rb_node **link = &cache->names.rb_node, *parent = NULL;

	while (*link) {
		struct layerfs_dir_entry *tmp;
		int cmp;

		parent = *link;
		tmp = rb_entry(parent, struct layerfs_dir_entry, node);
		cmp = layerfs_name_cmp(name, len, tmp);
		if (cmp < 0)
			link = &parent->rb_left;
		else if (cmp > 0)
			link = &parent->rb_right;
		else
			return tmp;
	}
	*parentp = parent;
	*linkp = link;
	return NULL;
}

static bool layerfs_is_dot_or_dotdot(const char *name, int len)
{
	return name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'));
}

/*
 * Allocate an entry for a name of @len bytes from @cache's chunks, adding a
 * chunk when the newest one is full.  Chunks grow from LAYERFS_CHUNK_MIN
 * to LAYERFS_CHUNK_MAX by doubling, so a directory of n names costs
 * O(log n) allocations and wastes at most one partly used chunk.
 */
/* LAB readdir: helper */
static struct layerfs_dir_entry *
layerfs_entry_alloc(struct layerfs_dir_cache *cache, unsigned int len)
{
	size_t need = ALIGN(struct_size_t(struct layerfs_dir_entry, name,
					  len + 1), sizeof(void *));
	struct layerfs_dir_chunk *chunk = cache->chunks;
	size_t size;

	if (!chunk || chunk->size - chunk->used < need) {
		size = chunk ? min_t(size_t, 2 * (chunk->size + sizeof(*chunk)),
				     LAYERFS_CHUNK_MAX) : LAYERFS_CHUNK_MIN;
		/* a name is at most NAME_MAX bytes: need always fits */
		chunk = kvmalloc(size, GFP_KERNEL);
		if (!chunk)
			return NULL;
		chunk->size = size - sizeof(*chunk);
		chunk->used = 0;
		chunk->next = cache->chunks;
		cache->chunks = chunk;
	}
	chunk->used += need;
	return (void *)(chunk->data + chunk->used - need);
}

/* filldir_t: called by the real filesystem for each entry of one layer. */
/* LAB readdir: stub returns false */
static bool layerfs_fill_merge(struct dir_context *ctx, const char *name,
			       int len, loff_t offset, u64 ino,
			       unsigned int d_type)
{
	struct layerfs_merge_ctx *mctx =
		container_of(ctx, struct layerfs_merge_ctx, ctx);
	struct layerfs_dir_cache *cache = mctx->cache;
	struct rb_node *parent, **link;
	struct layerfs_dir_entry *p;

	mctx->count++;
	if (layerfs_is_dot_or_dotdot(name, len))
		return true;
	mctx->entries++;

	/* A layer above already decided what this name is. */
	if (layerfs_cache_find(cache, name, len, &parent, &link))
		return true;

	p = layerfs_entry_alloc(cache, len);
	if (!p) {
		mctx->err = -ENOMEM;
		return false;
	}
	mctx->added++;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	p->len = len;
	p->ino = ino;
	p->type = d_type;
	p->whiteout = false;
	p->next = NULL;

	if (!mctx->bottom) {
		rb_link_node(&p->node, parent, link);
		rb_insert_color(&p->node, &cache->names);
	}
	if (cache->last)
		cache->last->next = p;
	else
		cache->first = p;
	cache->last = p;

	if (d_type == DT_CHR || (mctx->xwhiteouts && d_type == DT_REG)) {
		p->next_check = mctx->checks;
		mctx->checks = p;
	}
	return true;
}

/*
 * A directory entry does not say whether a character device (or a regular
 * file, see layerfs_merge_ctx.xwhiteouts) is a whiteout: look each one up,
 * in @real, once iterate_dir() has dropped the directory's lock.  Character
 * devices are rare, and only marked directories have their regular files
 * looked at, so this costs little.
 */
/* LAB readdir: stub returns -EOPNOTSUPP */
static int layerfs_check_whiteouts(struct layerfs_merge_ctx *mctx,
				   const struct layerfs_real *real)
{
	struct layerfs_dir_entry *p;
	struct dentry *dentry;

	for (p = mctx->checks; p; p = p->next_check) {
		dentry = lookup_one_len_unlocked(p->name, real->dentry, p->len);
		if (IS_ERR(dentry))
			return PTR_ERR(dentry);
		p->whiteout = layerfs_is_whiteout(real->layer, dentry);
		mctx->whiteouts += p->whiteout;
		dput(dentry);
	}
	mctx->checks = NULL;
	return 0;
}

/*
 * Read one layer's directory into @cache; @bottom when no layer below it is
 * read.  @dir is the layerfs directory, for the trace event.  Mounter's
 * credentials.
 */
/* LAB readdir: stub returns -EOPNOTSUPP */
static int layerfs_merge_layer(struct layerfs_dir_cache *cache,
			       const struct layerfs_real *real, bool bottom,
			       struct inode *dir)
{
	struct layerfs_merge_ctx mctx = {
		.ctx.actor = layerfs_fill_merge,
		.cache = cache,
		.bottom = bottom,
		.xwhiteouts = layerfs_dir_has_xwhiteouts(real),
	};
	struct file *realfile;
	struct path realpath;
	int err;

	layerfs_path(real, &realpath);
	realfile = dentry_open(&realpath, O_RDONLY | O_DIRECTORY,
			       current_cred());
	if (IS_ERR(realfile))
		return PTR_ERR(realfile);

	/* Some filesystems return a directory in several batches. */
	do {
		mctx.count = 0;
		mctx.err = 0;
		err = iterate_dir(realfile, &mctx.ctx);
		if (err >= 0)
			err = mctx.err;
	} while (!err && mctx.count);
	fput(realfile);

	if (!err)
		err = layerfs_check_whiteouts(&mctx, real);
	trace_layerfs_readdir_layer(dir, real->layer->idx, mctx.entries,
				    mctx.added, mctx.whiteouts);
	return err;
}

static void layerfs_cache_free(struct layerfs_dir_cache *cache)
{
	struct layerfs_dir_chunk *chunk, *next;

	if (!cache)
		return;
	for (chunk = cache->chunks; chunk; chunk = next) {
		next = chunk->next;
		kvfree(chunk);
	}
	kvfree(cache->listed);
	kfree(cache);
}

/* Index the entries to list by position. */
static int layerfs_cache_index(struct layerfs_dir_cache *cache)
{
	struct layerfs_dir_entry *p;
	unsigned int n = 0;

	for (p = cache->first; p; p = p->next)
		n += !p->whiteout;

	cache->listed = kvmalloc_array(n, sizeof(*cache->listed), GFP_KERNEL);
	if (!cache->listed)
		return -ENOMEM;

	for (p = cache->first; p; p = p->next) {
		if (!p->whiteout)
			cache->listed[cache->nlisted++] = p;
	}
	return 0;
}

static struct layerfs_dir_cache *layerfs_cache_build(struct inode *dir)
{
	struct dentry *upper = layerfs_upper(dir);
	unsigned int i, nstack = layerfs_nstack(dir, upper);
	struct layerfs_dir_cache *cache;
	const struct cred *old_cred;
	struct layerfs_real real;
	int err = 0;

	cache = kzalloc(sizeof(*cache), GFP_KERNEL);
	if (!cache)
		return ERR_PTR(-ENOMEM);
	cache->names = RB_ROOT;

	old_cred = layerfs_override_creds(dir->i_sb);
	for (i = 0; i < nstack && !err; i++) {
		layerfs_stack(dir, upper, i, &real);
		err = layerfs_merge_layer(cache, &real, i == nstack - 1, dir);
		if (upper && i == 0)
			cache->upper_last = cache->last;
	}
	revert_creds(old_cred);

	if (!err)
		err = layerfs_cache_index(cache);
	if (err) {
		layerfs_cache_free(cache);
		return ERR_PTR(err);
	}
	return cache;
}

/**
 * layerfs_check_empty_dir - is a directory empty in the merged view?
 * @dentry: a layerfs directory
 *
 * Whiteouts do not count: they hide names, they are not names.  rmdir and
 * rename use this before replacing a merged directory.
 *
 * Return: 0 when empty, -ENOTEMPTY when not, or another negative errno.
 */
int layerfs_check_empty_dir(struct dentry *dentry)
{
	struct layerfs_dir_cache *cache;
	int err;

	cache = layerfs_cache_build(d_inode(dentry));
	if (IS_ERR(cache))
		return PTR_ERR(cache);
	err = cache->nlisted ? -ENOTEMPTY : 0;
	layerfs_cache_free(cache);
	return err;
}

static int layerfs_dir_open(struct inode *inode, struct file *file)
{
	struct layerfs_dir_file *od;

	od = kzalloc(sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;
	file->private_data = od;
	return 0;
}

/* Forget how the directory was listed: the next getdents() chooses again. */
static void layerfs_dir_reset(struct layerfs_dir_file *od)
{
	layerfs_cache_free(od->cache);
	od->cache = NULL;
	if (od->realfile)
		fput(od->realfile);
	od->realfile = NULL;
	od->chr.known = false;
}

static int layerfs_dir_release(struct inode *inode, struct file *file)
{
	struct layerfs_dir_file *od = file->private_data;

	layerfs_dir_reset(od);
	kfree(od);
	return 0;
}

/*
 * Choose how @file is listed, unless that is chosen already: open the real
 * directory when there is exactly one and it is not marked for xattr
 * whiteouts, for pass-through; otherwise leave both @od->realfile and
 * @od->cache unset, and layerfs_iterate() builds the cache.  Called with
 * the inode lock held (shared by iterate_shared, exclusive by llseek) and
 * the file's f_pos_lock.
 */
static int layerfs_dir_prepare(struct file *file)
{
	struct layerfs_dir_file *od = file->private_data;
	struct inode *inode = file_inode(file);
	struct dentry *upper = layerfs_upper(inode);
	const struct cred *old_cred;
	struct layerfs_real real;
	struct file *realfile;
	struct path realpath;

	if (od->realfile || od->cache || layerfs_nstack(inode, upper) != 1)
		return 0;

	layerfs_stack(inode, upper, 0, &real);
	layerfs_path(&real, &realpath);
	old_cred = layerfs_override_creds(inode->i_sb);
	/* the cache fixes the d_ino of copies (layerfs_cache_fix_ino()) */
	if (layerfs_dir_has_xwhiteouts(&real) ||
	    layerfs_readdir_fix_ino(inode) != LAYERFS_FIX_INO_NONE)
		realfile = NULL;
	else
		realfile = dentry_open(&realpath, O_RDONLY | O_DIRECTORY,
				       current_cred());
	revert_creds(old_cred);
	if (IS_ERR(realfile))
		return PTR_ERR(realfile);
	od->realfile = realfile;
	od->layer = real.layer;
	return 0;
}

/*
 * The st_ino layerfs_getattr() reports for the directory @inode, which is
 * what "." and ".." must carry for ls -i and find to agree with stat():
 * the real directory's inode number (its origin's, once copied up), with
 * the bits of xino, or layerfs's own (ino.c).
 */
static u64 layerfs_dir_st_ino(struct inode *inode)
{
	return layerfs_inode_st_ino(inode);
}

/* d_ino of "." (@len 1) or ".." (@len 2) in a listing of @file. */
static u64 layerfs_dot_ino(struct file *file, int len)
{
	struct dentry *parent;
	u64 ino;

	if (len == 1)
		return layerfs_dir_st_ino(file_inode(file));
	parent = dget_parent(file->f_path.dentry);
	ino = layerfs_dir_st_ino(d_inode(parent));
	dput(parent);
	return ino;
}

/* Does @od hold the verdict on this character device? */
static bool layerfs_chr_known(const struct layerfs_dir_file *od,
			      const char *name, int len, loff_t pos)
{
	return od->chr.known && od->chr.pos == pos && od->chr.len == len &&
	       !memcmp(od->chr.name, name, len);
}

/*
 * filldir_t of a pass-through listing: called by the real filesystem for
 * each entry of the real directory, with that directory's i_rwsem held.
 * Passes the entry on to the getdents() being served, unless it is a
 * whiteout.
 */
static bool layerfs_fill_real(struct dir_context *ctx, const char *name,
			      int len, loff_t offset, u64 ino,
			      unsigned int d_type)
{
	struct layerfs_real_ctx *rctx =
		container_of(ctx, struct layerfs_real_ctx, ctx);
	struct layerfs_dir_file *od = rctx->od;

	rctx->seen++;
	if (layerfs_is_dot_or_dotdot(name, len)) {
		/* the real ones would name the real parent, another layer */
		ino = layerfs_dot_ino(rctx->file, len);
	} else if (d_type == DT_CHR && len <= NAME_MAX) {
		if (!layerfs_chr_known(od, name, len, offset)) {
			/* stop before it; layerfs_iterate_real() looks */
			memcpy(od->chr.name, name, len);
			od->chr.len = len;
			od->chr.pos = offset;
			rctx->pending = true;
			return false;
		}
		od->chr.known = false;
		if (od->chr.whiteout)
			return true;
	}

	rctx->caller->pos = ctx->pos;
	if (!rctx->caller->actor(rctx->caller, name, len, offset, ino,
				 d_type)) {
		rctx->full = true;
		return false;
	}
	rctx->emitted++;
	return true;
}

/* Is the character device layerfs_fill_real() stopped at a whiteout? */
static int layerfs_chr_check(struct layerfs_dir_file *od)
{
	struct dentry *dentry;

	dentry = lookup_one_len_unlocked(od->chr.name,
					 od->realfile->f_path.dentry,
					 od->chr.len);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	/* gone meanwhile: negative, not a whiteout, and never seen again */
	od->chr.whiteout = layerfs_is_whiteout(od->layer, dentry);
	od->chr.known = true;
	dput(dentry);
	return 0;
}

/*
 * List a pass-through directory into @ctx, from @ctx->pos, which is a
 * position in the real directory.  The real file's position follows every
 * seek (layerfs_dir_llseek()) and every getdents(), so it already is
 * @ctx->pos; realign it through the real llseek if it is not, because some
 * filesystems (tmpfs on 6.1) keep a cursor that only their llseek moves.
 * Mounter's credentials, as for every layer access.
 */
static int layerfs_iterate_real(struct file *file, struct dir_context *ctx)
{
	struct layerfs_dir_file *od = file->private_data;
	struct file *realfile = od->realfile;
	struct layerfs_real_ctx rctx = {
		.ctx.actor = layerfs_fill_real,
		.caller = ctx,
		.file = file,
		.od = od,
	};
	const struct cred *old_cred;
	loff_t pos;
	int err = 0;

	old_cred = layerfs_override_creds(file_inode(file)->i_sb);
	if (realfile->f_pos != ctx->pos) {
		pos = vfs_llseek(realfile, ctx->pos, SEEK_SET);
		if (pos < 0)
			err = pos;
	}
	while (!err) {
		rctx.seen = 0;
		rctx.emitted = 0;
		rctx.pending = false;
		err = iterate_dir(realfile, &rctx.ctx);
		ctx->pos = realfile->f_pos;
		if (err)
			break;
		if (rctx.pending) {
			err = layerfs_chr_check(od);
			continue;
		}
		/*
		 * A filesystem may return a directory in batches: one that
		 * held nothing but whiteouts is not the end of it, and an
		 * empty getdents() would tell the caller it is.
		 */
		if (rctx.full || rctx.emitted || !rctx.seen)
			break;
	}
	revert_creds(old_cred);
	return err;
}

/*
 * The d_ino of the entries layerfs_readdir_fix_ino() names: the st_ino
 * stat() reports for them (ino.c).  The others keep theirs, which is
 * their st_ino already.
 */
static void layerfs_cache_fix_ino(struct file *file,
				  struct layerfs_dir_cache *cache)
{
	struct dentry *dir = file->f_path.dentry;
	const struct cred *old_cred;
	struct layerfs_dir_entry *p;
	int fix;

	old_cred = layerfs_override_creds(dir->d_sb);
	fix = layerfs_readdir_fix_ino(d_inode(dir));
	if (fix == LAYERFS_FIX_INO_UPPER && !cache->upper_last)
		fix = LAYERFS_FIX_INO_NONE;
	for (p = cache->first; p && fix != LAYERFS_FIX_INO_NONE; p = p->next) {
		if (!p->whiteout)
			p->ino = layerfs_dirent_ino(dir, p->name, p->len,
						    p->ino);
		if (p == cache->upper_last && fix == LAYERFS_FIX_INO_UPPER)
			break;
	}
	revert_creds(old_cred);
}

/*
 * "." and ".." of a merged listing, with the numbers stat() gives (the
 * VFS's dir_emit_dots() would use i_ino, which a directory copied up after
 * its inode was made no longer shares with stat() when all layers are on
 * one filesystem).
 */
static bool layerfs_emit_dots(struct file *file, struct dir_context *ctx)
{
	if (ctx->pos == 0) {
		if (!dir_emit(ctx, ".", 1, layerfs_dot_ino(file, 1), DT_DIR))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		if (!dir_emit(ctx, "..", 2, layerfs_dot_ino(file, 2), DT_DIR))
			return false;
		ctx->pos = 2;
	}
	return true;
}

/*
 * file_operations.iterate_shared: called with the directory's i_rwsem held
 * shared and the file's f_pos_lock held.
 */
static int layerfs_iterate(struct file *file, struct dir_context *ctx)
{
	struct layerfs_dir_file *od = file->private_data;
	struct layerfs_dir_cache *cache;
	int err;

	err = layerfs_dir_prepare(file);
	if (err)
		return err;
	if (od->realfile) {
		layerfs_note_readdir(file, LAYERFS_READDIR_PASSTHROUGH, 0);
		return layerfs_iterate_real(file, ctx);
	}

	if (!layerfs_emit_dots(file, ctx))
		return 0;

	if (!od->cache) {
		cache = layerfs_cache_build(file_inode(file));
		if (IS_ERR(cache))
			return PTR_ERR(cache);
		layerfs_cache_fix_ino(file, cache);
		od->cache = cache;
		layerfs_note_readdir(file, LAYERFS_READDIR_BUILT, cache->nlisted);
	} else {
		layerfs_note_readdir(file, LAYERFS_READDIR_REUSED,
				     od->cache->nlisted);
	}
	cache = od->cache;

	while (ctx->pos - 2 < cache->nlisted) {
		struct layerfs_dir_entry *p = cache->listed[ctx->pos - 2];

		if (!dir_emit(ctx, p->name, p->len, p->ino, p->type))
			break;
		ctx->pos++;
	}
	return 0;
}

/*
 * Merged listing: positions are indexes into the cache, so any non-negative
 * position is valid; one past the end simply lists nothing more.
 */
static loff_t layerfs_cache_llseek(struct file *file, loff_t offset,
				   int whence)
{
	switch (whence) {
	case SEEK_CUR:
		offset += file->f_pos;
		fallthrough;
	case SEEK_SET:
		if (offset < 0)
			return -EINVAL;
		if (offset == 0)
			/* rewinddir(): list the layers afresh */
			layerfs_dir_reset(file->private_data);
		file->f_pos = offset;
		return offset;
	default:
		return -EINVAL;
	}
}

/*
 * Pass-through listing: positions are the real directory's, and only its
 * llseek knows which are valid.  A rewind first checks whether the
 * directory is still a single real one; if it was copied up since, the
 * listing becomes merged from position 0.
 */
static loff_t layerfs_real_llseek(struct file *file, loff_t offset,
				  int whence)
{
	struct layerfs_dir_file *od = file->private_data;
	struct inode *inode = file_inode(file);
	loff_t res;

	if ((whence == SEEK_SET && offset == 0) ||
	    (whence == SEEK_CUR && offset == -file->f_pos)) {
		if (layerfs_nstack(inode, layerfs_upper(inode)) != 1) {
			layerfs_dir_reset(od);
			file->f_pos = 0;
			return 0;
		}
	}
	/* a verdict belongs to the entry iteration stopped at, not to a name */
	od->chr.known = false;
	res = vfs_llseek(od->realfile, offset, whence);
	if (res >= 0)
		file->f_pos = res;
	return res;
}

/*
 * file_operations.llseek (telldir() needs none; seekdir(), rewinddir() and
 * lseek() come here).  The inode lock excludes iterate_shared, which is
 * what changes the per-open state otherwise.
 */
static loff_t layerfs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	struct layerfs_dir_file *od = file->private_data;
	struct inode *inode = file_inode(file);
	loff_t res;

	inode_lock(inode);
	res = layerfs_dir_prepare(file);
	if (!res && od->realfile)
		res = layerfs_real_llseek(file, offset, whence);
	else if (!res)
		res = layerfs_cache_llseek(file, offset, whence);
	inode_unlock(inode);
	return res;
}

/*
 * fsync() of a directory syncs its upper directory, where every change to
 * it went; a directory never changed through layerfs has nothing to sync.
 * A volatile mount syncs nothing (layerfs_sync_status()).
 */
static int layerfs_dir_fsync(struct file *file, loff_t start, loff_t end,
			     int datasync)
{
	struct inode *inode = file_inode(file);
	struct dentry *upper = layerfs_upper(inode);
	const struct cred *old_cred;
	struct file *realfile;
	struct path path;
	int err;

	if (!upper)
		return 0;
	err = layerfs_sync_status(inode->i_sb);
	if (err <= 0)
		return err;

	path.mnt = layerfs_upper_layer(inode->i_sb)->root.mnt;
	path.dentry = upper;
	old_cred = layerfs_override_creds(inode->i_sb);
	realfile = dentry_open(&path, O_RDONLY | O_DIRECTORY, current_cred());
	err = PTR_ERR(realfile);
	if (!IS_ERR(realfile)) {
		err = vfs_fsync_range(realfile, start, end, datasync);
		fput(realfile);
	}
	revert_creds(old_cred);
	return err;
}

const struct file_operations layerfs_dir_operations = {
	.open		= layerfs_dir_open,
	.release	= layerfs_dir_release,
	.read		= generic_read_dir,
	.iterate_shared	= layerfs_iterate,
	.llseek		= layerfs_dir_llseek,
	.fsync		= layerfs_dir_fsync,
	.unlocked_ioctl	= layerfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
