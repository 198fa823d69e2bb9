/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * layerfs.h - the userspace interface of the layerfs stacking filesystem.
 *
 * One ioctl, LAYERFS_IOC_WHICH: "which layer serves this object?".  Call it
 * on any file descriptor open on a regular file or directory of a layerfs
 * mount (an O_RDONLY open is enough; O_PATH is not, the VFS refuses ioctl on
 * those).  It never copies anything up and needs no write permission.
 * tools/layerfs-which.c is its command-line front end, and
 * Documentation/filesystems/layerfs-which.rst describes both.
 */
#ifndef _UAPI_LINUX_LAYERFS_H
#define _UAPI_LINUX_LAYERFS_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* statfs(2)'s f_type of a layerfs mount ("LAYR") */
#define LAYERFS_SUPER_MAGIC	0x4c415952

/* wh_kind: where the object comes from */
#define LAYERFS_WHICH_UPPER	1	/* the upper layer alone */
#define LAYERFS_WHICH_LOWER	2	/* one lower layer alone */
#define LAYERFS_WHICH_MERGED	3	/* a directory merged from several layers */

/* wh_flags (output; must be 0 on input) */
#define LAYERFS_WHICH_HAS_UPPER	(1U << 0)	/* layer 0 is the upper layer */

/* lw_flags of one layer */
#define LAYERFS_LAYER_UPPER	(1U << 0)	/* this is the upper layer */

/**
 * struct layerfs_which_layer - one layer serving the object
 * @lw_index:    the layer's index in the mount: 0 is the topmost layer (the
 *               upper layer when the mount has one), then the lowerdirs in the
 *               order of the lowerdir option, top first
 * @lw_flags:    LAYERFS_LAYER_* bits
 */
struct layerfs_which_layer {
	__u32 lw_index;
	__u32 lw_flags;
};

/**
 * struct layerfs_which - argument of LAYERFS_IOC_WHICH
 * @wh_kind:      out: LAYERFS_WHICH_UPPER, _LOWER or _MERGED
 * @wh_flags:     in: 0; out: LAYERFS_WHICH_* bits
 * @wh_numlayers: out: the number of layers of the mount (upper included)
 * @wh_count:     out: the number of layers serving the object (1 but for a
 *                merged directory); may be more than @wh_room
 * @wh_room:      in: the number of entries of @wh_layers the caller provides
 *                (0 is allowed: then only the header is filled in)
 * @wh_reserved:  in: 0; out: 0 (for later extensions)
 * @wh_layers:    out: the first min(@wh_count, @wh_room) layers serving the
 *                object, top first
 *
 * The caller allocates the header followed by @wh_room entries.  When
 * @wh_count comes back larger than @wh_room, the answer was cut short: call
 * again with @wh_room = @wh_count (a directory merges at most
 * @wh_numlayers layers, so @wh_numlayers entries are always enough).
 */
struct layerfs_which {
	__u32 wh_kind;
	__u32 wh_flags;
	__u32 wh_numlayers;
	__u32 wh_count;
	__u32 wh_room;
	__u32 wh_reserved[3];
	struct layerfs_which_layer wh_layers[];
};

/*
 * 0xB9 is free in Documentation/userspace-api/ioctl/ioctl-number.rst (6.12).
 * _IOWR: the kernel reads wh_room and writes the rest, as FS_IOC_FIEMAP.
 */
#define LAYERFS_IOC_WHICH	_IOWR(0xB9, 1, struct layerfs_which)

#endif /* _UAPI_LINUX_LAYERFS_H */
