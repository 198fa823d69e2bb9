/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuse_util.h - a small in-memory FUSE filesystem ("lfuse") for the
 * selftests, speaking the FUSE protocol on /dev/fuse directly (the VM has
 * no libfuse).
 *
 * Some behaviour of a stacking filesystem only shows on an upper or lower
 * filesystem that is not local: FUSE answers an open(O_TRUNC) by truncating
 * in its OPEN request when the server asks for FUSE_ATOMIC_O_TRUNC (and
 * then skips the truncation of a setattr marked ATTR_OPEN), and it tells
 * the server about every close(2) of a descriptor (FLUSH).  lfuse offers
 * FUSE_ATOMIC_O_TRUNC and counts the requests the tests look at, in a
 * shared mapping the test process reads (struct lfuse_stats).
 *
 * It is just enough of a filesystem to be the upper layer of layerfs and
 * overlayfs: directories, regular files, symlinks, device nodes (whiteouts
 * are 0/0 character devices), hard links, xattrs (trusted.* included),
 * rename with RENAME_NOREPLACE, RENAME_EXCHANGE and RENAME_WHITEOUT.
 * Everything lives in fixed tables; nothing is ever freed (a test is
 * short).  Attributes and names are never cached by the kernel (timeouts
 * of 0), so the tables are the truth.
 *
 * Use: lfuse_mount(dir, &fs) mounts an empty filesystem on @dir and forks
 * the server; populate it through @dir; lfuse_umount(&fs) at the end.
 * The server handles one request at a time, in a child process; the test
 * process must not be the server's only way out of a request (it never
 * is: lfuse never calls back into the kernel for the filesystem).
 */
#ifndef LAYERFS_FUSE_UTIL_H
#define LAYERFS_FUSE_UTIL_H

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#define LFUSE_INODES	512
#define LFUSE_DENTRIES	1024
#define LFUSE_XATTRS	8
#define LFUSE_NAME_MAX	255
#define LFUSE_MAX_WRITE	(128 * 1024)
#define LFUSE_BUF	(LFUSE_MAX_WRITE + 4096)

/* Counters the server keeps in memory shared with the test process. */
struct lfuse_stats {
	unsigned int flush;		/* FLUSH requests */
	unsigned int open_trunc;	/* OPEN or CREATE with O_TRUNC */
	unsigned int setattr_size;	/* SETATTR changing the size */
	unsigned int unknown;		/* requests answered ENOSYS */
	int last_unknown;		/* opcode of the last of those */
};

struct lfuse_xattr {
	char name[LFUSE_NAME_MAX + 1];
	char *value;
	uint32_t size;
};

struct lfuse_inode {
	bool used;
	uint32_t mode, uid, gid, rdev;
	uint64_t size;
	char *data;			/* file data or symlink target */
	uint64_t cap;
	struct timespec atime, mtime, ctime;
	struct lfuse_xattr xattr[LFUSE_XATTRS];
};

struct lfuse_dentry {
	bool used;
	uint64_t dir;			/* parent's node id */
	uint64_t ino;			/* node id of the object */
	char name[LFUSE_NAME_MAX + 1];
};

/* The server's whole state (in the server process). */
struct lfuse_fs {
	struct lfuse_inode inode[LFUSE_INODES];	/* node id = index, 1 = root */
	struct lfuse_dentry dentry[LFUSE_DENTRIES];
	struct lfuse_stats *stats;
};

/* What the test process keeps of a mounted lfuse. */
struct lfuse {
	char mnt[PATH_MAX];
	pid_t server;
	struct lfuse_stats *stats;	/* shared with the server */
};

static inline void lfuse_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static inline uint64_t lfuse_new_inode(struct lfuse_fs *fs, uint32_t mode,
				       uint32_t uid, uint32_t gid)
{
	uint64_t i;

	for (i = 2; i < LFUSE_INODES; i++) {
		struct lfuse_inode *n = &fs->inode[i];

		if (n->used)
			continue;
		memset(n, 0, sizeof(*n));
		n->used = true;
		n->mode = mode;
		n->uid = uid;
		n->gid = gid;
		lfuse_now(&n->atime);
		n->mtime = n->ctime = n->atime;
		return i;
	}
	return 0;
}

/* The entry @name in directory @dir, or NULL. */
static inline struct lfuse_dentry *lfuse_find(struct lfuse_fs *fs,
					      uint64_t dir, const char *name)
{
	unsigned int i;

	for (i = 0; i < LFUSE_DENTRIES; i++) {
		struct lfuse_dentry *d = &fs->dentry[i];

		if (d->used && d->dir == dir && !strcmp(d->name, name))
			return d;
	}
	return NULL;
}

static inline int lfuse_add(struct lfuse_fs *fs, uint64_t dir,
			    const char *name, uint64_t ino)
{
	unsigned int i;

	if (strlen(name) > LFUSE_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < LFUSE_DENTRIES; i++) {
		struct lfuse_dentry *d = &fs->dentry[i];

		if (d->used)
			continue;
		d->used = true;
		d->dir = dir;
		d->ino = ino;
		snprintf(d->name, sizeof(d->name), "%s", name);
		return 0;
	}
	return -ENOSPC;
}

/* Links to @ino (for a directory: 2 + its subdirectories). */
static inline uint32_t lfuse_nlink(struct lfuse_fs *fs, uint64_t ino)
{
	uint32_t n = 0;
	unsigned int i;

	if (S_ISDIR(fs->inode[ino].mode)) {
		n = 2;
		for (i = 0; i < LFUSE_DENTRIES; i++)
			if (fs->dentry[i].used && fs->dentry[i].dir == ino &&
			    S_ISDIR(fs->inode[fs->dentry[i].ino].mode))
				n++;
		return n;
	}
	for (i = 0; i < LFUSE_DENTRIES; i++)
		if (fs->dentry[i].used && fs->dentry[i].ino == ino)
			n++;
	return n;
}

static inline bool lfuse_dir_empty(struct lfuse_fs *fs, uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < LFUSE_DENTRIES; i++)
		if (fs->dentry[i].used && fs->dentry[i].dir == ino)
			return false;
	return true;
}

static inline void lfuse_attr(struct lfuse_fs *fs, uint64_t ino,
			      struct fuse_attr *a)
{
	struct lfuse_inode *n = &fs->inode[ino];

	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->size = n->size;
	a->blocks = (n->size + 511) / 512;
	a->atime = n->atime.tv_sec;
	a->atimensec = n->atime.tv_nsec;
	a->mtime = n->mtime.tv_sec;
	a->mtimensec = n->mtime.tv_nsec;
	a->ctime = n->ctime.tv_sec;
	a->ctimensec = n->ctime.tv_nsec;
	a->mode = n->mode;
	a->nlink = lfuse_nlink(fs, ino);
	a->uid = n->uid;
	a->gid = n->gid;
	a->rdev = n->rdev;
	a->blksize = 4096;
}

static inline void lfuse_entry(struct lfuse_fs *fs, uint64_t ino,
			       struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = ino;
	e->generation = 1;
	lfuse_attr(fs, ino, &e->attr);
}

/* Grow the data of @n to hold @size bytes (zero-filled). */
static inline int lfuse_resize(struct lfuse_inode *n, uint64_t size)
{
	if (size > n->cap) {
		uint64_t cap = size * 2 + 4096;
		char *p = realloc(n->data, cap);

		if (!p)
			return -ENOMEM;
		memset(p + n->cap, 0, cap - n->cap);
		n->data = p;
		n->cap = cap;
	}
	if (size < n->size)
		memset(n->data + size, 0, n->size - size);
	n->size = size;
	return 0;
}

static inline struct lfuse_xattr *lfuse_xattr_find(struct lfuse_inode *n,
						   const char *name)
{
	unsigned int i;

	for (i = 0; i < LFUSE_XATTRS; i++)
		if (n->xattr[i].value && !strcmp(n->xattr[i].name, name))
			return &n->xattr[i];
	return NULL;
}

static inline int lfuse_reply(int fd, uint64_t unique, int err,
			      const void *data, size_t len)
{
	struct fuse_out_header h = {
		.len = sizeof(h) + (err ? 0 : len),
		.error = err,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) }, { (void *)data, err ? 0 : len },
	};

	return writev(fd, iov, 2) < 0 ? -errno : 0;
}

/* Make an object @name in @dir from a MKNOD, MKDIR, SYMLINK or CREATE. */
static inline int lfuse_make(struct lfuse_fs *fs,
			     const struct fuse_in_header *in, const char *name,
			     uint32_t mode, uint32_t rdev, uint64_t *ino)
{
	int err;

	if (lfuse_find(fs, in->nodeid, name))
		return -EEXIST;
	*ino = lfuse_new_inode(fs, mode, in->uid, in->gid);
	if (!*ino)
		return -ENOSPC;
	fs->inode[*ino].rdev = rdev;
	/* setgid directories pass their group on */
	if (fs->inode[in->nodeid].mode & S_ISGID) {
		fs->inode[*ino].gid = fs->inode[in->nodeid].gid;
		if (S_ISDIR(mode))
			fs->inode[*ino].mode |= S_ISGID;
	}
	err = lfuse_add(fs, in->nodeid, name, *ino);
	if (err)
		fs->inode[*ino].used = false;
	else
		lfuse_now(&fs->inode[in->nodeid].mtime);
	return err;
}

static inline int lfuse_rename(struct lfuse_fs *fs, uint64_t olddir,
			       const char *oldname, uint64_t newdir,
			       const char *newname, uint32_t flags,
			       uint32_t uid, uint32_t gid)
{
	struct lfuse_dentry *o = lfuse_find(fs, olddir, oldname);
	struct lfuse_dentry *n = lfuse_find(fs, newdir, newname);
	uint64_t wh;

	if (!o)
		return -ENOENT;
	if (flags & RENAME_EXCHANGE) {
		uint64_t tmp;

		if (!n)
			return -ENOENT;
		tmp = o->ino;
		o->ino = n->ino;
		n->ino = tmp;
		return 0;
	}
	if (n && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (n && o->ino == n->ino)
		return 0;
	if (n) {
		if (S_ISDIR(fs->inode[n->ino].mode) &&
		    !lfuse_dir_empty(fs, n->ino))
			return -ENOTEMPTY;
		n->used = false;
	}
	o->dir = newdir;
	snprintf(o->name, sizeof(o->name), "%s", newname);
	if (flags & RENAME_WHITEOUT) {
		wh = lfuse_new_inode(fs, S_IFCHR, uid, gid);
		if (!wh)
			return -ENOSPC;
		return lfuse_add(fs, olddir, oldname, wh);
	}
	return 0;
}

/* Answer one request; returns false when the connection is gone. */
static inline bool lfuse_serve_one(struct lfuse_fs *fs, int fd, char *buf)
{
	struct fuse_in_header *in = (struct fuse_in_header *)buf;
	void *arg = buf + sizeof(*in);
	struct lfuse_inode *node;
	union {
		struct fuse_init_out init;
		struct fuse_entry_out entry;
		struct fuse_attr_out attr;
		struct fuse_open_out open;
		struct fuse_write_out write;
		struct fuse_statfs_out statfs;
		struct fuse_getxattr_out getxattr;
		struct {
			struct fuse_entry_out entry;
			struct fuse_open_out open;
		} create;
	} out;
	static char data[LFUSE_BUF];
	const void *reply = &out;
	size_t len = 0;
	uint64_t ino;
	ssize_t n;
	int err = 0;

	n = read(fd, buf, LFUSE_BUF);
	if (n < 0)
		return errno == EINTR || errno == ENOENT || errno == EAGAIN;
	if (n < (ssize_t)sizeof(*in))
		return false;
	memset(&out, 0, sizeof(out));
	node = in->nodeid < LFUSE_INODES ? &fs->inode[in->nodeid] : NULL;

	switch (in->opcode) {
	case FUSE_INIT: {
		struct fuse_init_in *ii = arg;

		out.init.major = FUSE_KERNEL_VERSION;
		out.init.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ?
				 ii->minor : FUSE_KERNEL_MINOR_VERSION;
		out.init.max_readahead = ii->max_readahead;
		out.init.flags = ii->flags & (FUSE_ATOMIC_O_TRUNC |
					      FUSE_BIG_WRITES);
		out.init.max_background = 16;
		out.init.congestion_threshold = 12;
		out.init.max_write = LFUSE_MAX_WRITE;
		out.init.time_gran = 1;
		len = sizeof(out.init);
		break;
	}
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return true;			/* no reply */
	case FUSE_DESTROY:
		lfuse_reply(fd, in->unique, 0, NULL, 0);
		return false;
	case FUSE_LOOKUP: {
		struct lfuse_dentry *d = lfuse_find(fs, in->nodeid, arg);

		if (!d) {
			err = -ENOENT;
			break;
		}
		lfuse_entry(fs, d->ino, &out.entry);
		len = sizeof(out.entry);
		break;
	}
	case FUSE_GETATTR:
		lfuse_attr(fs, in->nodeid, &out.attr.attr);
		len = sizeof(out.attr);
		break;
	case FUSE_SETATTR: {
		struct fuse_setattr_in *s = arg;

		if (s->valid & FATTR_MODE)
			node->mode = (node->mode & S_IFMT) | (s->mode & 07777);
		if (s->valid & FATTR_UID)
			node->uid = s->uid;
		if (s->valid & FATTR_GID)
			node->gid = s->gid;
		if (s->valid & FATTR_SIZE) {
			fs->stats->setattr_size++;
			err = lfuse_resize(node, s->size);
			lfuse_now(&node->mtime);
		}
		if (s->valid & FATTR_ATIME) {
			node->atime.tv_sec = s->atime;
			node->atime.tv_nsec = s->atimensec;
		}
		if (s->valid & FATTR_MTIME) {
			node->mtime.tv_sec = s->mtime;
			node->mtime.tv_nsec = s->mtimensec;
		}
		if (s->valid & FATTR_ATIME_NOW)
			lfuse_now(&node->atime);
		if (s->valid & FATTR_MTIME_NOW)
			lfuse_now(&node->mtime);
		lfuse_now(&node->ctime);
		lfuse_attr(fs, in->nodeid, &out.attr.attr);
		len = sizeof(out.attr);
		break;
	}
	case FUSE_READLINK:
		reply = node->data ? node->data : "";
		len = node->size;
		break;
	case FUSE_SYMLINK: {
		const char *name = arg, *target = name + strlen(name) + 1;

		err = lfuse_make(fs, in, name, S_IFLNK | 0777, 0, &ino);
		if (!err)
			err = lfuse_resize(&fs->inode[ino], strlen(target));
		if (err)
			break;
		memcpy(fs->inode[ino].data, target, strlen(target));
		lfuse_entry(fs, ino, &out.entry);
		len = sizeof(out.entry);
		break;
	}
	case FUSE_MKNOD: {
		struct fuse_mknod_in *m = arg;

		err = lfuse_make(fs, in, (char *)(m + 1), m->mode, m->rdev,
				 &ino);
		if (err)
			break;
		lfuse_entry(fs, ino, &out.entry);
		len = sizeof(out.entry);
		break;
	}
	case FUSE_MKDIR: {
		struct fuse_mkdir_in *m = arg;

		err = lfuse_make(fs, in, (char *)(m + 1),
				 S_IFDIR | (m->mode & 07777), 0, &ino);
		if (err)
			break;
		lfuse_entry(fs, ino, &out.entry);
		len = sizeof(out.entry);
		break;
	}
	case FUSE_CREATE: {
		struct fuse_create_in *c = arg;

		if (c->flags & O_TRUNC)
			fs->stats->open_trunc++;
		err = lfuse_make(fs, in, (char *)(c + 1),
				 S_IFREG | (c->mode & 07777), 0, &ino);
		if (err)
			break;
		lfuse_entry(fs, ino, &out.create.entry);
		out.create.open.fh = ino;
		len = sizeof(out.create);
		break;
	}
	case FUSE_UNLINK:
	case FUSE_RMDIR: {
		struct lfuse_dentry *d = lfuse_find(fs, in->nodeid, arg);

		if (!d)
			err = -ENOENT;
		else if (in->opcode == FUSE_RMDIR &&
			 !lfuse_dir_empty(fs, d->ino))
			err = -ENOTEMPTY;
		else
			d->used = false;
		break;
	}
	case FUSE_RENAME:
	case FUSE_RENAME2: {
		struct fuse_rename2_in *r = arg;
		size_t hdr = in->opcode == FUSE_RENAME ?
			     sizeof(struct fuse_rename_in) : sizeof(*r);
		const char *oldname = (char *)arg + hdr;

		err = lfuse_rename(fs, in->nodeid, oldname, r->newdir,
				   oldname + strlen(oldname) + 1,
				   in->opcode == FUSE_RENAME ? 0 : r->flags,
				   in->uid, in->gid);
		break;
	}
	case FUSE_LINK: {
		struct fuse_link_in *l = arg;

		if (lfuse_find(fs, in->nodeid, (char *)(l + 1))) {
			err = -EEXIST;
			break;
		}
		err = lfuse_add(fs, in->nodeid, (char *)(l + 1), l->oldnodeid);
		if (err)
			break;
		lfuse_entry(fs, l->oldnodeid, &out.entry);
		len = sizeof(out.entry);
		break;
	}
	case FUSE_OPEN: {
		struct fuse_open_in *o = arg;

		if (o->flags & O_TRUNC) {
			fs->stats->open_trunc++;
			err = lfuse_resize(node, 0);
		}
		out.open.fh = in->nodeid;
		len = sizeof(out.open);
		break;
	}
	case FUSE_OPENDIR:
		out.open.fh = in->nodeid;
		len = sizeof(out.open);
		break;
	case FUSE_READ: {
		struct fuse_read_in *r = arg;

		reply = "";
		if (r->offset < node->size) {
			reply = node->data + r->offset;
			len = node->size - r->offset;
			if (len > r->size)
				len = r->size;
		}
		lfuse_now(&node->atime);
		break;
	}
	case FUSE_WRITE: {
		struct fuse_write_in *w = arg;

		if (w->offset + w->size > node->size)
			err = lfuse_resize(node, w->offset + w->size);
		if (err)
			break;
		memcpy(node->data + w->offset, w + 1, w->size);
		lfuse_now(&node->mtime);
		node->ctime = node->mtime;
		out.write.size = w->size;
		len = sizeof(out.write);
		break;
	}
	case FUSE_READDIR: {
		struct fuse_read_in *r = arg;
		uint64_t idx = 0;
		unsigned int i;

		/* ".", "..", then the entries; off = index of the next one */
		for (i = 0; i < LFUSE_DENTRIES + 2; i++) {
			struct fuse_dirent *de = (struct fuse_dirent *)(data + len);
			const char *name;
			uint64_t eino;
			size_t size;

			if (i == 0) {
				name = ".";
				eino = in->nodeid;
			} else if (i == 1) {
				name = "..";
				eino = 1;
			} else if (fs->dentry[i - 2].used &&
				   fs->dentry[i - 2].dir == in->nodeid) {
				name = fs->dentry[i - 2].name;
				eino = fs->dentry[i - 2].ino;
			} else {
				continue;
			}
			if (idx++ < r->offset)
				continue;
			size = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET +
						 strlen(name));
			if (len + size > r->size)
				break;
			memset(de, 0, size);
			de->ino = eino;
			de->off = idx;
			de->namelen = strlen(name);
			de->type = (fs->inode[eino].mode & S_IFMT) >> 12;
			memcpy(de->name, name, de->namelen);
			len += size;
		}
		reply = data;
		break;
	}
	case FUSE_FLUSH:
		fs->stats->flush++;
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
		break;
	case FUSE_STATFS:
		out.statfs.st.blocks = out.statfs.st.bfree = 1 << 20;
		out.statfs.st.bavail = 1 << 20;
		out.statfs.st.files = LFUSE_INODES;
		out.statfs.st.ffree = LFUSE_INODES / 2;
		out.statfs.st.bsize = out.statfs.st.frsize = 4096;
		out.statfs.st.namelen = LFUSE_NAME_MAX;
		len = sizeof(out.statfs);
		break;
	case FUSE_SETXATTR: {
		/* without FUSE_SETXATTR_EXT: only size and flags */
		uint32_t *sx = arg, size = sx[0], flags = sx[1];
		const char *name = (char *)(sx + 2);
		const char *value = name + strlen(name) + 1;
		struct lfuse_xattr *x = lfuse_xattr_find(node, name);
		unsigned int i;

		if (x && (flags & XATTR_CREATE)) {
			err = -EEXIST;
			break;
		}
		if (!x && (flags & XATTR_REPLACE)) {
			err = -ENODATA;
			break;
		}
		for (i = 0; !x && i < LFUSE_XATTRS; i++)
			if (!node->xattr[i].value)
				x = &node->xattr[i];
		if (!x || strlen(name) > LFUSE_NAME_MAX) {
			err = -ENOSPC;
			break;
		}
		free(x->value);
		x->value = malloc(size ? size : 1);
		if (!x->value) {
			err = -ENOMEM;
			break;
		}
		memcpy(x->value, value, size);
		x->size = size;
		snprintf(x->name, sizeof(x->name), "%s", name);
		lfuse_now(&node->ctime);
		break;
	}
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR: {
		struct fuse_getxattr_in *g = arg;
		unsigned int i;

		if (in->opcode == FUSE_GETXATTR) {
			struct lfuse_xattr *x =
				lfuse_xattr_find(node, (char *)(g + 1));

			if (!x) {
				err = -ENODATA;
				break;
			}
			memcpy(data, x->value, x->size);
			len = x->size;
		} else {
			for (i = 0; i < LFUSE_XATTRS; i++) {
				if (!node->xattr[i].value)
					continue;
				len += sprintf(data + len, "%s",
					       node->xattr[i].name) + 1;
			}
		}
		if (!g->size) {
			out.getxattr.size = len;
			len = sizeof(out.getxattr);
		} else if (len > g->size) {
			err = -ERANGE;
		} else {
			reply = data;
		}
		break;
	}
	case FUSE_REMOVEXATTR: {
		struct lfuse_xattr *x = lfuse_xattr_find(node, arg);

		if (!x) {
			err = -ENODATA;
			break;
		}
		free(x->value);
		x->value = NULL;
		lfuse_now(&node->ctime);
		break;
	}
	default:
		fs->stats->unknown++;
		fs->stats->last_unknown = in->opcode;
		err = -ENOSYS;
		break;
	}
	/* ENOENT: the request was interrupted meanwhile; nothing to do */
	lfuse_reply(fd, in->unique, err, reply, len);
	return true;
}

/* The server process: answer requests until the filesystem is unmounted. */
static inline void lfuse_serve(int fd, struct lfuse_stats *stats)
{
	static struct lfuse_fs fs;
	static char buf[LFUSE_BUF];

	fs.stats = stats;
	fs.inode[1].used = true;
	fs.inode[1].mode = S_IFDIR | 0755;
	lfuse_now(&fs.inode[1].atime);
	fs.inode[1].mtime = fs.inode[1].ctime = fs.inode[1].atime;
	while (lfuse_serve_one(&fs, fd, buf))
		;
}

/*
 * Mount an empty lfuse on @mnt (created if needed) and start its server.
 * 0 or errno: ENODEV/ENOENT when the kernel has no FUSE.
 */
static inline int lfuse_mount(const char *mnt, struct lfuse *f)
{
	char opts[128];
	int fd, err;

	memset(f, 0, sizeof(*f));
	snprintf(f->mnt, sizeof(f->mnt), "%s", mnt);
	if (access("/dev/fuse", F_OK))
		lfs_load_module("fuse");
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	f->stats = mmap(NULL, sizeof(*f->stats), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->stats == MAP_FAILED) {
		err = errno;
		close(fd);
		return err;
	}
	if (mkdir(mnt, 0755) && errno != EEXIST) {
		err = errno;
		goto out_unmap;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions",
		 fd);
	if (mount("lfuse", mnt, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		err = errno;
		goto out_unmap;
	}
	f->server = fork();
	if (f->server < 0) {
		err = errno;
		umount2(mnt, MNT_DETACH);
		goto out_unmap;
	}
	if (f->server == 0) {
		lfuse_serve(fd, f->stats);
		_exit(0);
	}
	close(fd);
	return 0;

out_unmap:
	close(fd);
	munmap(f->stats, sizeof(*f->stats));
	f->stats = NULL;
	return err;
}

/* Unmount (lazily, after whatever is stacked on it) and stop the server. */
static inline void lfuse_umount(struct lfuse *f)
{
	if (!f->server)
		return;
	umount2(f->mnt, MNT_DETACH);
	kill(f->server, SIGKILL);
	waitpid(f->server, NULL, 0);
	f->server = 0;
	munmap(f->stats, sizeof(*f->stats));
	f->stats = NULL;
}

#endif /* LAYERFS_FUSE_UTIL_H */
