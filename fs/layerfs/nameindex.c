// SPDX-License-Identifier: GPL-2.0
/*
 * nameindex.c - lookups whose cost does not grow with the number of layers.
 *
 * A name is looked up in every layer of its parent directory until one
 * answers (namei.c).  In a deep stack a name of the bottom layer, or a name
 * that is nowhere, costs one real lookup per layer: 500 of them under 500
 * layers, each leaving a negative dentry in a lower filesystem.
 *
 * The lower layers of a mount are read-only by contract: what a merged
 * directory's lower directories hold can be learned once, by reading each
 * of them (iterate_dir(), as the merged readdir does), and kept with the
 * directory's inode.  The name index of a directory answers one question:
 * in which of its lower directories does a name exist?
 *
 *	lower stack of /d     entries             index of /d
 *	lower[0]              a  b(whiteout)      a -> 0
 *	lower[1]              b  s/               b -> 0 (non-dir: ends)
 *	lower[2]              c  s/               c -> 2
 *	lower[3]              s(file)             s -> 1, 2, 3 (ends)
 *
 * A lookup then visits only those layers, top first, in the same loop as
 * before (layerfs_lookup_stack()): every rule of namei.c -- whiteouts,
 * opaque directories, a non-directory ending the merge, metacopy, weird
 * dentries -- is still applied by looking the name up in the layer, the
 * index only skips the layers where the lookup would have found nothing.
 * So the index never decides what a name is, only where not to look, and
 * a lookup costs one hash probe plus one lookup per layer that has the
 * name.  A name nowhere costs no lower lookup at all.  The upper layer is
 * never indexed: it changes through the mount, and is looked up live.
 *
 * A name's list of layers ends at the first entry that is not a directory
 * (d_type of the readdir entry): the lookup stops there whatever it is (a
 * whiteout, a file, a file below a directory).  DT_UNKNOWN keeps the list
 * going: the index may then hold more layers than the lookup visits, never
 * fewer.
 *
 * Where the index is not used (the lookup goes layer by layer):
 *  - once a redirect was found (redirect.c): the layers below are searched
 *    for another name, or in the root's stack; the index knows neither;
 *  - in a directory with fewer than nameindex_min_layers lower layers
 *    (the crossover measured by "make bench": building costs one
 *    iterate_dir() of every lower directory, which a few lookups in a
 *    shallow stack never pay back);
 *  - when a lower directory is case-folding (IS_CASEFOLDED()): a lookup
 *    there finds names readdir spells otherwise, and answers EREMOTE;
 *  - for names longer than NAME_MAX, which the layers refuse themselves;
 *  - when building failed (a lower directory the mounter cannot read, a
 *    directory over nameindex_max_kb): never retried for that inode.
 *
 * Memory.  An index lives with its directory inode (layerfs_inode.nameidx)
 * and is freed at eviction, by the shrinker under memory pressure (oldest
 * first, with a second chance for an index used since the last scan), and
 * when all indexes together exceed nameindex_total_kb.  An index dropped is
 * rebuilt by the next lookup that needs it.  The bytes held show per mount
 * in /sys/fs/layerfs/<id>/nameidx_bytes.
 *
 * Concurrency.  Lookups in one directory run in parallel (the VFS holds its
 * i_rwsem shared).  The first that finds no index builds one, the others
 * go layer by layer meanwhile (LAYERFS_NAMEIDX_BUILDING); the index is
 * published under layerfs_nameidx_lock with rcu_assign_pointer().  A
 * lookup takes a reference under rcu_read_lock() (refcount_inc_not_zero())
 * and keeps it while it walks the layers, which sleeps.  Unpublishing
 * (eviction, shrinker, cap) clears the pointer and puts the published
 * reference under the lock; the last put frees the entries at once (only
 * reference holders read them) and the header after a grace period (RCU
 * readers may still be trying to take a reference).
 *
 * Checking.  With nameindex_check=1 every lookup answered through an index
 * is made again layer by layer, and the answers compared (namei.c,
 * layerfs_nameidx_verify()): a difference is logged and counted in
 * nameidx_mismatches.  The selftests run with it on.
 *
 * Breaking the contract.  A name added to a lower layer after its
 * directory's index was built stays invisible until the index is dropped;
 * a name removed is looked up, found missing and skipped, as by the slow
 * path.  Neither corrupts anything; both are the undefined behaviour
 * overlayfs documents for changed lower layers.
 */

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include "layerfs.h"

static unsigned int layerfs_nameidx_min_layers = 8;
module_param_named(nameindex_min_layers, layerfs_nameidx_min_layers, uint, 0644);
MODULE_PARM_DESC(nameindex_min_layers,
		 "index the names of merged directories with at least this many lower layers (0: never)");

static unsigned int layerfs_nameidx_build_ratio = 5;
module_param_named(nameindex_build_ratio, layerfs_nameidx_build_ratio, uint, 0644);
MODULE_PARM_DESC(nameindex_build_ratio,
		 "build an index once the layer-by-layer lookups of a directory, times this, reach its estimated entries (0: at the first lookup)");

static bool layerfs_nameidx_check;
module_param_named(nameindex_check, layerfs_nameidx_check, bool, 0644);
MODULE_PARM_DESC(nameindex_check,
		 "check every lookup answered through a name index against the layer-by-layer path");

static unsigned int layerfs_nameidx_max_kb = 16384;
module_param_named(nameindex_max_kb, layerfs_nameidx_max_kb, uint, 0644);
MODULE_PARM_DESC(nameindex_max_kb,
		 "largest name index of one directory, KiB; bigger directories are looked up layer by layer");

static unsigned int layerfs_nameidx_total_kb = 262144;
module_param_named(nameindex_total_kb, layerfs_nameidx_total_kb, uint, 0644);
MODULE_PARM_DESC(nameindex_total_kb,
		 "all name indexes together, KiB; the oldest are dropped beyond it");

/**
 * struct layerfs_nameidx_pos - one more layer holding a name
 * @next:  the next position; the list is circular, entered at its last
 * @layer: index in the directory's lower stack
 */
struct layerfs_nameidx_pos {
	struct layerfs_nameidx_pos *next;
	u16 layer;
};

/**
 * struct layerfs_nameidx_ent - one name of a directory's lower layers
 * @hnext: next entry of the same hash bucket
 * @more:  the layers after @first holding the name, top first: the last
 *         of a circular list (so appending needs no tail pointer), or NULL
 * @hash:  full_name_hash() of the name
 * @first: the topmost lower layer holding the name
 * @len:   length of @name
 * @ended: a non-directory was found: no layer below matters
 * @name:  the name, not NUL-terminated
 */
struct layerfs_nameidx_ent {
	struct layerfs_nameidx_ent *hnext;
	struct layerfs_nameidx_pos *more;
	u32 hash;
	u16 first;
	u8 len;
	u8 ended;
	char name[];
};

/*
 * Entries are carved from chunks, as readdir.c's are: the first is small
 * (an index of a few names costs little) and each next one twice as big,
 * up to LAYERFS_NAMEIDX_CHUNK_MAX.
 */
#define LAYERFS_NAMEIDX_CHUNK_MIN	1024
#define LAYERFS_NAMEIDX_CHUNK_MAX	(64 * 1024)

struct layerfs_nameidx_chunk {
	struct layerfs_nameidx_chunk *next;
	size_t used;
	size_t size;
	char data[] __aligned(sizeof(void *));
};

/**
 * struct layerfs_nameidx - the name index of one directory
 * @ref:      references: the published pointer holds one, each lookup
 *            using the index one
 * @rcu:      frees this header after readers of the published pointer
 * @lru:      in layerfs_nameidx_lru while published
 * @owner:    the inode whose @nameidx points here, while published
 * @referenced: used since the shrinker last looked (second chance)
 * @hbits:    log2 of the number of buckets
 * @nentries: number of names
 * @buckets:  the hash table
 * @chunks:   storage of the entries and positions, newest first
 * @bytes:    memory held, for the limits and the counters
 * @err:      build: an error of the actor
 * @depth:    build: the layer being read
 */
struct layerfs_nameidx {
	refcount_t ref;
	struct rcu_head rcu;
	struct list_head lru;
	struct layerfs_inode *owner;
	bool referenced;
	unsigned int hbits;
	unsigned int nentries;
	struct layerfs_nameidx_ent **buckets;
	struct layerfs_nameidx_chunk *chunks;
	size_t bytes;
	int err;
	u16 depth;
};

/*
 * Published indexes, oldest first, and what they hold.  The lock is a leaf
 * spinlock (see layerfs.h): nothing is taken under it, nothing sleeps.
 */
static DEFINE_SPINLOCK(layerfs_nameidx_lock);
static LIST_HEAD(layerfs_nameidx_lru);
static unsigned long layerfs_nameidx_count;
static size_t layerfs_nameidx_total;
static struct shrinker *layerfs_nameidx_shrinker;

/* Free what an index holds but its header. */
static void layerfs_nameidx_free_data(struct layerfs_nameidx *idx)
{
	struct layerfs_nameidx_chunk *chunk, *next;

	for (chunk = idx->chunks; chunk; chunk = next) {
		next = chunk->next;
		kvfree(chunk);
	}
	kvfree(idx->buckets);
}

static void layerfs_nameidx_put(struct layerfs_nameidx *idx)
{
	if (!refcount_dec_and_test(&idx->ref))
		return;
	layerfs_nameidx_free_data(idx);
	/* a lookup may still be in refcount_inc_not_zero() on it */
	kfree_rcu(idx, rcu);
}

/* Memory from the chunks, @size bytes aligned for a pointer. */
static void *layerfs_nameidx_alloc(struct layerfs_nameidx *idx, size_t size)
{
	struct layerfs_nameidx_chunk *chunk = idx->chunks;
	size_t csize;

	size = ALIGN(size, sizeof(void *));
	if (!chunk || chunk->size - chunk->used < size) {
		csize = chunk ? min_t(size_t, 2 * (chunk->size + sizeof(*chunk)),
				      LAYERFS_NAMEIDX_CHUNK_MAX) :
				LAYERFS_NAMEIDX_CHUNK_MIN;
		if (idx->bytes + csize >
		    (size_t)READ_ONCE(layerfs_nameidx_max_kb) << 10) {
			idx->err = -E2BIG;
			return NULL;
		}
		chunk = kvmalloc(csize, GFP_KERNEL);
		if (!chunk) {
			idx->err = -ENOMEM;
			return NULL;
		}
		chunk->size = csize - sizeof(*chunk);
		chunk->used = 0;
		chunk->next = idx->chunks;
		idx->chunks = chunk;
		idx->bytes += csize;
	}
	chunk->used += size;
	return chunk->data + chunk->used - size;
}

/* Double the hash table (load factor 1 at most), relinking every entry. */
static int layerfs_nameidx_grow(struct layerfs_nameidx *idx)
{
	unsigned int bits = idx->hbits + 1, i;
	struct layerfs_nameidx_ent **buckets, *p, *next;

	buckets = kvcalloc(1U << bits, sizeof(*buckets), GFP_KERNEL);
	if (!buckets)
		return -ENOMEM;
	for (i = 0; i < (1U << idx->hbits); i++) {
		for (p = idx->buckets[i]; p; p = next) {
			unsigned int b = hash_32(p->hash, bits);

			next = p->hnext;
			p->hnext = buckets[b];
			buckets[b] = p;
		}
	}
	kvfree(idx->buckets);
	idx->bytes += ((1U << bits) - (1U << idx->hbits)) * sizeof(*buckets);
	idx->buckets = buckets;
	idx->hbits = bits;
	return 0;
}

static struct layerfs_nameidx_ent *
layerfs_nameidx_find(const struct layerfs_nameidx *idx, const char *name,
		     unsigned int len, u32 hash)
{
	struct layerfs_nameidx_ent *p;

	for (p = idx->buckets[hash_32(hash, idx->hbits)]; p; p = p->hnext) {
		if (p->hash == hash && p->len == len &&
		    !memcmp(p->name, name, len))
			return p;
	}
	return NULL;
}

/* Note that the layer being read holds @name, of type @d_type. */
static int layerfs_nameidx_add(struct layerfs_nameidx *idx, const char *name,
			       unsigned int len, unsigned int d_type)
{
	u32 hash = full_name_hash(NULL, name, len);
	bool ends = d_type != DT_DIR && d_type != DT_UNKNOWN;
	struct layerfs_nameidx_ent *p;
	struct layerfs_nameidx_pos *pos;

	p = layerfs_nameidx_find(idx, name, len, hash);
	if (p) {
		if (p->ended)
			return 0;
		pos = layerfs_nameidx_alloc(idx, sizeof(*pos));
		if (!pos)
			return idx->err;
		pos->layer = idx->depth;
		if (p->more) {
			pos->next = p->more->next;
			p->more->next = pos;
		} else {
			pos->next = pos;
		}
		p->more = pos;
		p->ended = ends;
		return 0;
	}

	if (idx->nentries >= (1U << idx->hbits)) {
		idx->err = layerfs_nameidx_grow(idx);
		if (idx->err)
			return idx->err;
	}
	p = layerfs_nameidx_alloc(idx, struct_size(p, name, len));
	if (!p)
		return idx->err;
	p->more = NULL;
	p->hash = hash;
	p->first = idx->depth;
	p->len = len;
	p->ended = ends;
	memcpy(p->name, name, len);
	p->hnext = idx->buckets[hash_32(hash, idx->hbits)];
	idx->buckets[hash_32(hash, idx->hbits)] = p;
	idx->nentries++;
	return 0;
}

struct layerfs_nameidx_ctx {
	struct layerfs_dir_reader rd;
	struct layerfs_nameidx *idx;
};

/* filldir_t: an entry of the lower directory being read. */
static bool layerfs_nameidx_fill(struct dir_context *ctx, const char *name,
				 int len, loff_t offset, u64 ino,
				 unsigned int d_type)
{
	struct layerfs_nameidx_ctx *ictx =
		container_of(ctx, struct layerfs_nameidx_ctx, rd.ctx);

	ictx->rd.count++;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return true;
	if (len > NAME_MAX)
		ictx->idx->err = -ENAMETOOLONG;
	else if (!layerfs_nameidx_add(ictx->idx, name, len, d_type))
		return true;
	ictx->rd.err = ictx->idx->err;
	return false;
}

/* Read one lower directory into @idx.  Mounter's credentials. */
static int layerfs_nameidx_read(struct layerfs_nameidx *idx,
				const struct layerfs_real *real)
{
	struct layerfs_nameidx_ctx ictx = {
		.rd.ctx.actor = layerfs_nameidx_fill,
		.idx = idx,
	};
	struct path realpath;

	layerfs_path(real, &realpath);
	return layerfs_read_dir(&realpath, &ictx.rd);
}

/*
 * Build the index of @dir's lower directories.  Mounter's credentials,
 * @dir's i_rwsem held shared (by the lookup), and nothing of layerfs's.
 */
static struct layerfs_nameidx *layerfs_nameidx_build(struct inode *dir)
{
	struct layerfs_inode *li = LAYERFS_I(dir);
	struct layerfs_nameidx *idx;
	unsigned int i;
	int err;

	for (i = 0; i < li->nlower; i++) {
		if (IS_CASEFOLDED(d_inode(li->lower[i].dentry)))
			return ERR_PTR(-EREMOTE);
	}

	idx = kzalloc(sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return ERR_PTR(-ENOMEM);
	refcount_set(&idx->ref, 1);
	INIT_LIST_HEAD(&idx->lru);
	idx->hbits = 6;
	idx->buckets = kvcalloc(1U << idx->hbits, sizeof(*idx->buckets),
				GFP_KERNEL);
	err = -ENOMEM;
	if (!idx->buckets)
		goto out_free;
	idx->bytes = sizeof(*idx) + (sizeof(*idx->buckets) << idx->hbits);

	for (i = 0; i < li->nlower; i++) {
		idx->depth = i;
		err = layerfs_nameidx_read(idx, &li->lower[i]);
		if (err)
			goto out_free;
	}
	return idx;

out_free:
	layerfs_nameidx_free_data(idx);
	kfree(idx);
	return ERR_PTR(err);
}

/*
 * Take @idx out of its inode and of the LRU, and its bytes out of the
 * counters.  Called under layerfs_nameidx_lock, while the inode lives
 * (eviction takes the lock to do this before the inode goes).  The caller
 * puts the published reference once the lock is dropped.
 */
static void layerfs_nameidx_unpublish(struct layerfs_nameidx *idx)
{
	struct inode *inode = &idx->owner->vfs_inode;

	lockdep_assert_held(&layerfs_nameidx_lock);
	list_del_init(&idx->lru);
	rcu_assign_pointer(idx->owner->nameidx, NULL);
	layerfs_nameidx_count--;
	layerfs_nameidx_total -= idx->bytes;
	layerfs_count_add(inode->i_sb, LAYERFS_CNT_NAMEIDX_BYTES, -idx->bytes);
}

/* Drop the oldest indexes while all of them hold more than the cap. */
static void layerfs_nameidx_enforce_cap(void)
{
	struct layerfs_nameidx *idx;

	for (;;) {
		spin_lock(&layerfs_nameidx_lock);
		if (layerfs_nameidx_total <=
		    (size_t)READ_ONCE(layerfs_nameidx_total_kb) << 10 ||
		    list_empty(&layerfs_nameidx_lru)) {
			spin_unlock(&layerfs_nameidx_lock);
			return;
		}
		idx = list_first_entry(&layerfs_nameidx_lru,
				       struct layerfs_nameidx, lru);
		layerfs_count(idx->owner->vfs_inode.i_sb,
			      LAYERFS_CNT_NAMEIDX_DROPPED);
		layerfs_nameidx_unpublish(idx);
		spin_unlock(&layerfs_nameidx_lock);
		layerfs_nameidx_put(idx);
	}
}

/*
 * Is an index of @li worth building now?  Building reads every entry of
 * every lower directory; looking a name up layer by layer costs one real
 * lookup per layer consulted.  The index is built once the lookups already
 * paid layer by layer (nameidx_debt), times nameindex_build_ratio (the
 * cost of a missed lookup over that of a readdir entry, measured by "make
 * bench"), reach the number of entries, estimated from the sizes of the
 * lower directories (about 24 bytes an entry on tmpfs, ext4 and xfs alike;
 * an estimate, never read).  Like renting skis until their price is paid:
 * a directory looked in once is never read whole, and one looked in often
 * pays at most twice what the best choice in hindsight would have.
 */
static bool layerfs_nameidx_worth(struct layerfs_inode *li)
{
	unsigned int ratio = READ_ONCE(layerfs_nameidx_build_ratio);
	unsigned long long cost = READ_ONCE(li->nameidx_cost);
	unsigned int i;

	if (!ratio)
		return true;
	if (!cost) {
		for (i = 0; i < li->nlower; i++)
			cost += i_size_read(d_inode(li->lower[i].dentry)) / 24 + 1;
		cost = min_t(unsigned long long, cost, UINT_MAX);
		WRITE_ONCE(li->nameidx_cost, cost);
	}
	return (unsigned long long)READ_ONCE(li->nameidx_debt) * ratio >= cost;
}

/*
 * The index of @dir, with a reference for the caller, building it if there
 * is none and the directory is worth one; or NULL: look layer by layer.
 */
static struct layerfs_nameidx *layerfs_nameidx_get(struct inode *dir)
{
	struct layerfs_inode *li = LAYERFS_I(dir);
	struct layerfs_nameidx *idx;
	unsigned int min = READ_ONCE(layerfs_nameidx_min_layers);
	u64 start;

	if (!min || li->nlower < min)
		return NULL;

	rcu_read_lock();
	idx = rcu_dereference(li->nameidx);
	if (idx && !refcount_inc_not_zero(&idx->ref))
		idx = NULL;
	rcu_read_unlock();
	if (idx) {
		if (!READ_ONCE(idx->referenced))
			WRITE_ONCE(idx->referenced, true);
		return idx;
	}

	if (test_bit(LAYERFS_NAMEIDX_FAILED, &li->nameidx_flags) ||
	    !layerfs_nameidx_worth(li) ||
	    test_and_set_bit(LAYERFS_NAMEIDX_BUILDING, &li->nameidx_flags))
		return NULL;
	start = ktime_get_ns();
	idx = layerfs_nameidx_build(dir);
	layerfs_count_add(dir->i_sb, LAYERFS_CNT_NAMEIDX_BUILD_NS,
			  ktime_get_ns() - start);
	if (IS_ERR(idx)) {
		/* ENOMEM may pass; the rest is the directory's for good */
		if (PTR_ERR(idx) != -ENOMEM)
			set_bit(LAYERFS_NAMEIDX_FAILED, &li->nameidx_flags);
		clear_bit(LAYERFS_NAMEIDX_BUILDING, &li->nameidx_flags);
		return NULL;
	}

	refcount_inc(&idx->ref);	/* the caller's; the first is published */
	idx->owner = li;
	spin_lock(&layerfs_nameidx_lock);
	list_add_tail(&idx->lru, &layerfs_nameidx_lru);
	layerfs_nameidx_count++;
	layerfs_nameidx_total += idx->bytes;
	rcu_assign_pointer(li->nameidx, idx);
	layerfs_count(dir->i_sb, LAYERFS_CNT_NAMEIDX_BUILT);
	layerfs_count_add(dir->i_sb, LAYERFS_CNT_NAMEIDX_BYTES, idx->bytes);
	spin_unlock(&layerfs_nameidx_lock);
	WRITE_ONCE(li->nameidx_debt, 0);
	clear_bit(LAYERFS_NAMEIDX_BUILDING, &li->nameidx_flags);
	layerfs_nameidx_enforce_cap();
	return idx;
}

/* Look the walk's name up in its index, on the first need. */
static void layerfs_nameidx_probe(struct layerfs_nameidx_walk *w)
{
	w->probed = true;
	if (w->name->len > NAME_MAX)
		return;
	w->idx = layerfs_nameidx_get(w->dir);
	if (!w->idx)
		return;
	w->ent = layerfs_nameidx_find(w->idx, w->name->name, w->name->len,
				      full_name_hash(NULL, w->name->name,
						     w->name->len));
	w->pos = NULL;
	w->started = false;
}

/* The first stack index from @from on whose layer holds the name. */
static unsigned int layerfs_nameidx_from(struct layerfs_nameidx_walk *w,
					 unsigned int from)
{
	const struct layerfs_nameidx_ent *ent = w->ent;
	unsigned int layer;

	if (!ent)
		return w->nstack;
	/* positions come top first: resume after the last one handed out */
	for (;;) {
		if (!w->started) {
			w->started = true;
			layer = ent->first;
		} else {
			if (!ent->more || w->pos == ent->more)
				return w->nstack;
			w->pos = w->pos ? w->pos->next : ent->more->next;
			layer = w->pos->layer;
		}
		if (w->base + layer >= from)
			return w->base + layer;
	}
}

/**
 * layerfs_nameidx_first - where a lookup of a name starts
 * @w:      the walk, filled in; pass it to layerfs_nameidx_next() and
 *          layerfs_nameidx_done()
 * @dir:    the layerfs directory looked in
 * @dirupper: its upper directory, as the lookup read it
 * @nstack: layerfs_nstack() of @dir and @dirupper
 * @name:   the name
 * @slow:   do not use an index (the second lookup of nameindex_check)
 *
 * Called with the mounter's credentials and @dir's i_rwsem held shared;
 * may build the index of @dir.
 *
 * Return: the first stack index of @dir to look the name up in (0, the
 * upper layer, when there is one); @nstack when there is none.
 */
unsigned int layerfs_nameidx_first(struct layerfs_nameidx_walk *w,
				   struct inode *dir, struct dentry *dirupper,
				   unsigned int nstack, const struct qstr *name,
				   bool slow)
{
	*w = (struct layerfs_nameidx_walk) {
		.dir = dir, .name = name, .nstack = nstack,
		.base = dirupper ? 1 : 0, .probed = slow,
	};
	/* the upper layer is looked up live */
	if (dirupper || slow)
		return 0;
	layerfs_nameidx_probe(w);
	if (!w->idx)
		return 0;
	w->used = true;
	return layerfs_nameidx_from(w, 0);
}

/**
 * layerfs_nameidx_next - where a lookup goes on
 * @w:  the walk of layerfs_nameidx_first()
 * @rd: the lookup's redirect state
 * @i:  the stack index just looked at
 *
 * The layer-by-layer answer, @i + 1, once a redirect changed what is looked
 * for or where (the index knows only the name, in @w->dir's own stack).
 *
 * Return: the next stack index to look the name up in, or @w->nstack (or
 * more) when no layer below @i has it.
 */
unsigned int layerfs_nameidx_next(struct layerfs_nameidx_walk *w,
				  const struct layerfs_redirect *rd,
				  unsigned int i)
{
	if (rd->path || rd->dir != w->dir)
		return i + 1;
	if (!w->probed)
		layerfs_nameidx_probe(w);
	if (!w->idx)
		return i + 1;
	w->used = true;
	return layerfs_nameidx_from(w, i + 1);
}

/**
 * layerfs_nameidx_done - end a walk
 * @w:         the walk of layerfs_nameidx_first()
 * @consulted: the layers the lookup consulted
 *
 * A lookup made layer by layer in a directory that may get an index adds
 * its lower lookups to the directory's debt (layerfs_nameidx_worth()).
 *
 * Return: whether the index decided which layers were skipped (for the
 * counters, the trace event and nameindex_check).
 */
bool layerfs_nameidx_done(struct layerfs_nameidx_walk *w,
			  unsigned int consulted)
{
	struct layerfs_inode *li = LAYERFS_I(w->dir);

	if (!w->idx) {
		/* racy sums: a lost update only delays the build */
		if (w->probed && consulted > w->base)
			WRITE_ONCE(li->nameidx_debt,
				   READ_ONCE(li->nameidx_debt) +
				   consulted - w->base);
		return false;
	}
	layerfs_nameidx_put(w->idx);
	w->idx = NULL;
	if (w->used)
		layerfs_count(w->dir->i_sb, LAYERFS_CNT_NAMEIDX_LOOKUPS);
	return w->used;
}

/**
 * layerfs_nameidx_checking - is nameindex_check on?
 *
 * Return: true when each indexed lookup is to be made again layer by layer.
 */
bool layerfs_nameidx_checking(void)
{
	return READ_ONCE(layerfs_nameidx_check);
}

/**
 * layerfs_nameidx_verify - compare an indexed lookup with the slow one
 * @dir:   the directory looked in
 * @name:  the name
 * @n:     what the indexed lookup returned: layers filled, or an errno
 * @stack: the layers it filled
 * @n2:    the same, of the layer-by-layer lookup
 * @stack2: its layers
 *
 * A difference is a bug of the index (or a lower layer changed under the
 * mount): logged, and counted in nameidx_mismatches.
 */
void layerfs_nameidx_verify(struct inode *dir, const struct qstr *name,
			    int n, const struct layerfs_real *stack,
			    int n2, const struct layerfs_real *stack2)
{
	int i;

	if (n == n2) {
		for (i = 0; i < n; i++) {
			if (stack[i].dentry != stack2[i].dentry ||
			    stack[i].layer != stack2[i].layer)
				break;
		}
		if (i >= n)
			return;
	}
	layerfs_count(dir->i_sb, LAYERFS_CNT_NAMEIDX_MISMATCHES);
	pr_warn_ratelimited("name index of inode %lu disagrees on \"%.*s\": %d layers (first %d) indexed, %d (first %d) layer by layer\n",
			    dir->i_ino, name->len, name->name, n,
			    n > 0 ? (int)stack[0].layer->idx : -1, n2,
			    n2 > 0 ? (int)stack2[0].layer->idx : -1);
}

/**
 * layerfs_nameidx_evict - drop the index of an inode leaving the cache
 * @inode: the layerfs inode being evicted
 */
void layerfs_nameidx_evict(struct inode *inode)
{
	struct layerfs_inode *li = LAYERFS_I(inode);
	struct layerfs_nameidx *idx;

	if (!rcu_access_pointer(li->nameidx))
		return;
	spin_lock(&layerfs_nameidx_lock);
	idx = rcu_dereference_protected(li->nameidx,
					lockdep_is_held(&layerfs_nameidx_lock));
	if (idx)
		layerfs_nameidx_unpublish(idx);
	spin_unlock(&layerfs_nameidx_lock);
	if (idx)
		layerfs_nameidx_put(idx);
}

static unsigned long layerfs_nameidx_count_objects(struct shrinker *s,
						   struct shrink_control *sc)
{
	return READ_ONCE(layerfs_nameidx_count) ?: SHRINK_EMPTY;
}

/*
 * Drop up to nr_to_scan indexes, oldest first; one used since the last
 * scan goes to the back of the list instead, once.
 */
static unsigned long layerfs_nameidx_scan_objects(struct shrinker *s,
						  struct shrink_control *sc)
{
	unsigned long freed = 0, scanned;
	struct layerfs_nameidx *idx;

	for (scanned = 0; scanned < sc->nr_to_scan; scanned++) {
		spin_lock(&layerfs_nameidx_lock);
		if (list_empty(&layerfs_nameidx_lru)) {
			spin_unlock(&layerfs_nameidx_lock);
			break;
		}
		idx = list_first_entry(&layerfs_nameidx_lru,
				       struct layerfs_nameidx, lru);
		if (READ_ONCE(idx->referenced)) {
			WRITE_ONCE(idx->referenced, false);
			list_move_tail(&idx->lru, &layerfs_nameidx_lru);
			spin_unlock(&layerfs_nameidx_lock);
			continue;
		}
		layerfs_count(idx->owner->vfs_inode.i_sb,
			      LAYERFS_CNT_NAMEIDX_DROPPED);
		layerfs_nameidx_unpublish(idx);
		spin_unlock(&layerfs_nameidx_lock);
		layerfs_nameidx_put(idx);
		freed++;
	}
	return freed;
}

/**
 * layerfs_nameidx_init - register the shrinker of the name indexes
 *
 * Return: 0 or -ENOMEM.
 */
int layerfs_nameidx_init(void)
{
	layerfs_nameidx_shrinker =
		layerfs_shrinker_create("layerfs-nameindex",
					layerfs_nameidx_count_objects,
					layerfs_nameidx_scan_objects);
	return layerfs_nameidx_shrinker ? 0 : -ENOMEM;
}

/**
 * layerfs_nameidx_exit - unregister the shrinker, at module unload
 *
 * Every layerfs inode is gone by then, and with them every index.
 */
void layerfs_nameidx_exit(void)
{
	layerfs_shrinker_destroy(layerfs_nameidx_shrinker);
}
