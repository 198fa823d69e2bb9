/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - the trace events of layerfs (the "layerfs" event system).
 *
 * Each event is a static key: disabled, a call site costs a not-taken
 * branch, and its arguments are only evaluated inside TP_fast_assign when
 * the event is on.  Callers whose arguments cost something to compute
 * (a clock read, a name snapshot) test trace_<event>_enabled() first.
 * Documentation/filesystems/layerfs-tracing.rst describes every field.
 *
 * Names are recorded with __dynamic_array() and a length the caller
 * vouches for (a struct qstr that cannot change under the event: the
 * VFS's locks or a name snapshot keep it still), rather than __string():
 * __assign_str() takes one argument on 6.12 and two on 6.1, and strlen()
 * then strcpy() of a name that a rename could change in between would not
 * be safe anyway.
 *
 * This header is read several times by <trace/define_trace.h> when
 * CREATE_TRACE_POINTS is defined (stats.c), hence the unusual guard.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM layerfs

#if !defined(_LAYERFS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _LAYERFS_TRACE_H

#include <linux/tracepoint.h>
#include <linux/fs.h>
#include <linux/cred.h>

/* defined in layerfs.h, which the users of this header include first */
struct layerfs_lookup_trace;

#ifndef _LAYERFS_TRACE_ONCE
#define _LAYERFS_TRACE_ONCE
/* Why a lookup stopped (namei.c): the "stop" field of layerfs_lookup. */
enum layerfs_lookup_stop {
	LAYERFS_LOOKUP_END,		/* no layer left below */
	LAYERFS_LOOKUP_NONDIR,		/* found a non-directory: the result */
	LAYERFS_LOOKUP_NONDIR_BELOW,	/* a non-directory below a directory */
	LAYERFS_LOOKUP_WHITEOUT,	/* found a whiteout */
	LAYERFS_LOOKUP_OPAQUE,		/* found an opaque directory */
	LAYERFS_LOOKUP_ERROR,		/* the lookup failed */
};

/* How one getdents() was served (readdir.c): "how" of layerfs_readdir. */
enum layerfs_readdir_how {
	LAYERFS_READDIR_PASSTHROUGH,	/* from the one real directory */
	LAYERFS_READDIR_BUILT,		/* merged listing built by this call */
	LAYERFS_READDIR_REUSED,		/* merged listing of an earlier call */
};

/* Why an upper directory was made opaque (dir.c): "why" of layerfs_opaque. */
enum layerfs_opaque_why {
	LAYERFS_OPAQUE_MKDIR,		/* mkdir over a whiteout */
	LAYERFS_OPAQUE_RENAME,		/* a directory moved onto a lower name */
	LAYERFS_OPAQUE_NEW_IN_MERGED,	/* mkdir in a merged dir, redirect_dir=on */
};

/*
 * Record @name as a NUL-terminated string in @dst, which has room for
 * @name->len + 1 bytes (the __dynamic_array() of the event).
 */
static inline void layerfs_trace_name(char *dst, const struct qstr *name)
{
	memcpy(dst, name->name, name->len);
	dst[name->len] = '\0';
}
#endif /* _LAYERFS_TRACE_ONCE */

/* The values of the enums, for user-space parsers of the format files. */
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_END);
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_NONDIR);
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_NONDIR_BELOW);
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_WHITEOUT);
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_OPAQUE);
TRACE_DEFINE_ENUM(LAYERFS_LOOKUP_ERROR);
TRACE_DEFINE_ENUM(LAYERFS_READDIR_PASSTHROUGH);
TRACE_DEFINE_ENUM(LAYERFS_READDIR_BUILT);
TRACE_DEFINE_ENUM(LAYERFS_READDIR_REUSED);
TRACE_DEFINE_ENUM(LAYERFS_OPAQUE_MKDIR);
TRACE_DEFINE_ENUM(LAYERFS_OPAQUE_RENAME);
TRACE_DEFINE_ENUM(LAYERFS_OPAQUE_NEW_IN_MERGED);

TRACE_EVENT(layerfs_lookup,
	    TP_PROTO(const struct inode *dir, const struct qstr *name,
		     const struct layerfs_lookup_trace *lt, int found),
	    TP_ARGS(dir, name, lt, found),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, dir)
			     __field(unsigned int, consulted)
			     __field(unsigned int, last)
			     __field(int, found)
			     __field(int, stop)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = dir->i_sb->s_dev;
			   __entry->dir = dir->i_ino;
			   __entry->consulted = lt->consulted;
			   __entry->last = lt->last;
			   __entry->found = found;
			   __entry->stop = lt->stop;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d dir=%lu name=%s consulted=%u last=%u found=%d stop=%s",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->dir,
		      __get_str(name), __entry->consulted, __entry->last,
		      __entry->found,
		      __print_symbolic(__entry->stop,
				       { LAYERFS_LOOKUP_END, "end" },
				       { LAYERFS_LOOKUP_NONDIR, "nondir" },
				       { LAYERFS_LOOKUP_NONDIR_BELOW, "nondir-below" },
				       { LAYERFS_LOOKUP_WHITEOUT, "whiteout" },
				       { LAYERFS_LOOKUP_OPAQUE, "opaque" },
				       { LAYERFS_LOOKUP_ERROR, "error" }))
);

TRACE_EVENT(layerfs_copy_up_begin,
	    TP_PROTO(const struct inode *inode, const struct qstr *name,
		     unsigned int layer),
	    TP_ARGS(inode, name, layer),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, ino)
			     __field(umode_t, mode)
			     __field(loff_t, size)
			     __field(unsigned int, layer)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
			   __entry->ino = inode->i_ino;
			   __entry->mode = inode->i_mode;
			   __entry->size = i_size_read(inode);
			   __entry->layer = layer;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d ino=%lu name=%s type=%s size=%lld from_layer=%u",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->ino,
		      __get_str(name),
		      __print_symbolic(__entry->mode & S_IFMT,
				       { S_IFREG, "file" }, { S_IFDIR, "dir" },
				       { S_IFLNK, "symlink" }, { S_IFCHR, "chr" },
				       { S_IFBLK, "blk" }, { S_IFIFO, "fifo" },
				       { S_IFSOCK, "sock" }),
		      __entry->size, __entry->layer)
);

TRACE_EVENT(layerfs_copy_up_end,
	    TP_PROTO(const struct inode *inode, const struct qstr *name,
		     loff_t bytes, u64 ns, int err),
	    TP_ARGS(inode, name, bytes, ns, err),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, ino)
			     __field(loff_t, bytes)
			     __field(u64, ns)
			     __field(int, err)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
			   __entry->ino = inode->i_ino;
			   __entry->bytes = bytes;
			   __entry->ns = ns;
			   __entry->err = err;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d ino=%lu name=%s bytes=%lld ns=%llu err=%d",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->ino,
		      __get_str(name), __entry->bytes, __entry->ns, __entry->err)
);

TRACE_EVENT(layerfs_whiteout,
	    TP_PROTO(const struct super_block *sb, const struct dentry *upperdir,
		     const struct qstr *name, bool replaced),
	    TP_ARGS(sb, upperdir, name, replaced),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, upperdir)
			     __field(bool, replaced)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = sb->s_dev;
			   __entry->upperdir = d_inode(upperdir)->i_ino;
			   __entry->replaced = replaced;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d upperdir=%lu name=%s replaced_upper=%d",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->upperdir,
		      __get_str(name), __entry->replaced)
);

TRACE_EVENT(layerfs_opaque,
	    TP_PROTO(const struct super_block *sb, const struct dentry *upper,
		     const struct qstr *name, int why),
	    TP_ARGS(sb, upper, name, why),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, upper)
			     __field(int, why)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = sb->s_dev;
			   __entry->upper = d_inode(upper)->i_ino;
			   __entry->why = why;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d upper=%lu name=%s why=%s",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->upper,
		      __get_str(name),
		      __print_symbolic(__entry->why,
				       { LAYERFS_OPAQUE_MKDIR, "mkdir" },
				       { LAYERFS_OPAQUE_RENAME, "rename" },
				       { LAYERFS_OPAQUE_NEW_IN_MERGED,
					 "new-in-merged" }))
);

TRACE_EVENT(layerfs_readdir_layer,
	    TP_PROTO(const struct inode *dir, unsigned int layer,
		     unsigned int entries, unsigned int added,
		     unsigned int whiteouts),
	    TP_ARGS(dir, layer, entries, added, whiteouts),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, dir)
			     __field(unsigned int, layer)
			     __field(unsigned int, entries)
			     __field(unsigned int, added)
			     __field(unsigned int, whiteouts)),
	    TP_fast_assign(__entry->dev = dir->i_sb->s_dev;
			   __entry->dir = dir->i_ino;
			   __entry->layer = layer;
			   __entry->entries = entries;
			   __entry->added = added;
			   __entry->whiteouts = whiteouts;),
	    TP_printk("dev=%d:%d dir=%lu layer=%u entries=%u added=%u whiteouts=%u",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->dir,
		      __entry->layer, __entry->entries, __entry->added,
		      __entry->whiteouts)
);

TRACE_EVENT(layerfs_readdir,
	    TP_PROTO(const struct inode *dir, const struct qstr *name, int how,
		     unsigned int listed, loff_t pos),
	    TP_ARGS(dir, name, how, listed, pos),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, dir)
			     __field(int, how)
			     __field(unsigned int, listed)
			     __field(loff_t, pos)
			     __dynamic_array(char, name, name->len + 1)),
	    TP_fast_assign(__entry->dev = dir->i_sb->s_dev;
			   __entry->dir = dir->i_ino;
			   __entry->how = how;
			   __entry->listed = listed;
			   __entry->pos = pos;
			   layerfs_trace_name(__get_dynamic_array(name), name);),
	    TP_printk("dev=%d:%d dir=%lu name=%s how=%s listed=%u pos=%lld",
		      MAJOR(__entry->dev), MINOR(__entry->dev), __entry->dir,
		      __get_str(name),
		      __print_symbolic(__entry->how,
				       { LAYERFS_READDIR_PASSTHROUGH, "passthrough" },
				       { LAYERFS_READDIR_BUILT, "merged-built" },
				       { LAYERFS_READDIR_REUSED, "merged-reused" }),
		      __entry->listed, __entry->pos)
);

TRACE_EVENT(layerfs_override_creds,
	    TP_PROTO(const struct super_block *sb, const struct cred *mounter,
		     unsigned long caller),
	    TP_ARGS(sb, mounter, caller),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(unsigned long, caller)
			     __field(uid_t, fsuid)
			     __field(gid_t, fsgid)
			     __field(uid_t, to_fsuid)
			     __field(gid_t, to_fsgid)),
	    TP_fast_assign(__entry->dev = sb->s_dev;
			   __entry->caller = caller;
			   __entry->fsuid = from_kuid(&init_user_ns, current_fsuid());
			   __entry->fsgid = from_kgid(&init_user_ns, current_fsgid());
			   __entry->to_fsuid = from_kuid(&init_user_ns, mounter->fsuid);
			   __entry->to_fsgid = from_kgid(&init_user_ns, mounter->fsgid);),
	    TP_printk("dev=%d:%d caller=%pS fsuid=%u fsgid=%u to_fsuid=%u to_fsgid=%u",
		      MAJOR(__entry->dev), MINOR(__entry->dev),
		      (void *)__entry->caller, __entry->fsuid, __entry->fsgid,
		      __entry->to_fsuid, __entry->to_fsgid)
);

#endif /* _LAYERFS_TRACE_H */

/* Out of the kernel tree: the header is found in this directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
