// SPDX-License-Identifier: GPL-2.0
/*
 * layerfs-which - which layer of a layerfs mount serves a path?
 *
 *	layerfs-which [-n] PATH...
 *
 * For each PATH (a regular file or a directory in a layerfs merged view)
 * print one line per layer serving it:
 *
 *	/merged/bin/tool: lower, layer 2 (/demo/layer2-packages)
 *	/merged/etc: merged, layer 0 (/demo/upper)
 *	/merged/etc: merged, layer 1 (/demo/layer3-app)
 *
 * "upper" and "lower" name a file or a directory that comes from one layer;
 * "merged" a directory that merges several, each on its own line, top first.
 * The layer index counts from the top of the stack, 0 being the upper layer
 * when the mount has one.  The kernel answers with indices only
 * (LAYERFS_IOC_WHICH, include/uapi/linux/layerfs.h); the directory of each
 * layer comes from the mount's options in /proc/self/mountinfo, as the
 * mounter wrote them.  -n leaves the directories out.
 *
 * A symbolic link, a device or a FIFO cannot be asked about: the ioctl needs
 * a file descriptor of the object itself, and opening those does not give
 * one (ask about the directory that holds them).
 *
 * Build (static, for the busybox VM; scripts/vm.sh does this):
 *	gcc -static -O2 -Wall -Iinclude/uapi -o layerfs-which <this file>
 *
 * Exit status: 0 when every PATH was answered, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/layerfs.h>

/* The layer directories of one mount, index 0 first; NULL if unknown. */
struct layer_names {
	char **name;
	unsigned int n;
	char *buf;
};

/* Undo the octal escapes of /proc/self/mountinfo ("\040" is a space). */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* Add one name to @ln; the string stays owned by ln->buf. */
static int add_name(struct layer_names *ln, char *name)
{
	char **p = realloc(ln->name, (ln->n + 1) * sizeof(*p));

	if (!p)
		return -1;
	ln->name = p;
	ln->name[ln->n++] = name;
	return 0;
}

/*
 * Split a lowerdir value into @ln, in place: ':' separates layers, and
 * "\:" or "\\" stand for a ':' or '\' inside a name (as layerfs and
 * overlayfs parse the option).
 */
static int split_lowerdir(struct layer_names *ln, char *s)
{
	char *name = s, *d = s;

	for (;;) {
		if (*s == '\\' && s[1]) {
			*d++ = s[1];
			s += 2;
		} else if (*s == ':' || !*s) {
			int last = !*s;

			*d = '\0';
			if (add_name(ln, name))
				return -1;
			if (last)
				return 0;
			d = ++s;
			name = d;
		} else {
			*d++ = *s++;
		}
	}
}

/*
 * Find the mount @mnt_id in /proc/self/mountinfo and fill @ln from its
 * super block options: upperdir (if any) is layer 0, then the lowerdirs.
 * A line is "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - TYPE SOURCE
 * SUPEROPTS"; the options are ','-separated and octal-escaped.
 */
static int read_layer_names(unsigned long long mnt_id, struct layer_names *ln)
{
	char *line = NULL, *upper = NULL, *lower = NULL;
	size_t cap = 0;
	int found = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *sep, *opts, *opt, *save;

		if (strtoull(line, NULL, 10) != mnt_id)
			continue;
		sep = strstr(line, " - ");
		if (!sep)
			break;
		/* " - TYPE SOURCE SUPEROPTS\n" */
		opts = strchr(sep + 3, ' ');
		opts = opts ? strchr(opts + 1, ' ') : NULL;
		if (!opts)
			break;
		opts[strcspn(opts, "\n")] = '\0';
		for (opt = strtok_r(opts + 1, ",", &save); opt;
		     opt = strtok_r(NULL, ",", &save)) {
			if (!strncmp(opt, "lowerdir=", 9))
				lower = opt + 9;
			else if (!strncmp(opt, "upperdir=", 9))
				upper = opt + 9;
		}
		found = 1;
		break;
	}
	fclose(f);
	if (!found || !lower) {
		free(line);
		return -1;
	}
	ln->buf = line;
	if (upper) {
		unescape_octal(upper);
		if (add_name(ln, upper))
			return -1;
	}
	unescape_octal(lower);
	return split_lowerdir(ln, lower);
}

static const char *kind_name(unsigned int kind)
{
	switch (kind) {
	case LAYERFS_WHICH_UPPER:	return "upper";
	case LAYERFS_WHICH_LOWER:	return "lower";
	case LAYERFS_WHICH_MERGED:	return "merged";
	default:			return "unknown";
	}
}

/*
 * Ask the kernel, growing the buffer when it says there is more: wh_count
 * is then the number of entries needed.
 */
static struct layerfs_which *ask(int fd)
{
	unsigned int room = 8;
	struct layerfs_which *wh = NULL;

	for (;;) {
		struct layerfs_which *p;

		p = realloc(wh, sizeof(*wh) + room * sizeof(wh->wh_layers[0]));
		if (!p) {
			free(wh);
			return NULL;
		}
		wh = p;
		memset(wh, 0, sizeof(*wh));
		wh->wh_room = room;
		if (ioctl(fd, LAYERFS_IOC_WHICH, wh)) {
			free(wh);
			return NULL;
		}
		if (wh->wh_count <= room)
			return wh;
		room = wh->wh_count;
	}
}

static int report(const char *path, int numeric)
{
	struct layer_names ln = { 0 };
	struct layerfs_which *wh;
	struct statfs sfs;
	struct statx stx;
	struct stat st;
	unsigned int i;
	int fd, names;

	if (lstat(path, &st)) {
		fprintf(stderr, "layerfs-which: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"layerfs-which: %s: not a regular file or directory (cannot be opened to ask; ask about its directory)\n",
			path);
		return 1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "layerfs-which: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Another filesystem's ioctl of the same number must not be called. */
	if (fstatfs(fd, &sfs) || sfs.f_type != LAYERFS_SUPER_MAGIC) {
		fprintf(stderr, "layerfs-which: %s: not on a layerfs mount\n", path);
		close(fd);
		return 1;
	}
	wh = ask(fd);
	if (!wh) {
		fprintf(stderr, "layerfs-which: %s: LAYERFS_IOC_WHICH: %s\n", path,
			strerror(errno));
		close(fd);
		return 1;
	}
	names = !numeric &&
		!statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) &&
		(stx.stx_mask & STATX_MNT_ID) &&
		!read_layer_names(stx.stx_mnt_id, &ln) &&
		ln.n == wh->wh_numlayers;
	close(fd);

	for (i = 0; i < wh->wh_count; i++) {
		unsigned int idx = wh->wh_layers[i].lw_index;

		printf("%s: %s, layer %u", path, kind_name(wh->wh_kind), idx);
		if (names && idx < ln.n)
			printf(" (%s)", ln.name[idx]);
		putchar('\n');
	}
	free(wh);
	free(ln.name);
	free(ln.buf);
	return 0;
}

int main(int argc, char **argv)
{
	int numeric = 0, err = 0, i = 1;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		numeric = 1;
		i++;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: layerfs-which [-n] PATH...\n");
		return 2;
	}
	for (; i < argc; i++)
		err |= report(argv[i], numeric);
	return err;
}
