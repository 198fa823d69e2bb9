// SPDX-License-Identifier: GPL-2.0
/*
 * scripts/setfattr.c - small tools the demo VM needs and busybox lacks.
 *
 * vm.sh links this statically into the initramfs as /bin/setfattr.  It is a
 * multi-call binary that acts according to the name it is run by (the demo
 * adds the symlinks /bin/getfattr and /bin/rename -> setfattr):
 *
 *   setfattr -n NAME [-v VALUE] PATH   set an extended attribute
 *   getfattr -n NAME PATH              print one extended attribute, in the
 *                                      format of attr's getfattr
 *   rename OLD NEW                     call rename(2) once and print the
 *                                      result like strace; unlike mv, never
 *                                      fall back to copying
 *
 * Only the options the demo uses are supported.  Exit status: 0 on success,
 * 1 when the system call failed, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	{ EACCES, "EACCES" },
	{ EBUSY, "EBUSY" },	{ EEXIST, "EEXIST" },	{ EXDEV, "EXDEV" },
	{ ENOTDIR, "ENOTDIR" },	{ EISDIR, "EISDIR" },	{ EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" },	{ EROFS, "EROFS" },	{ ENOTEMPTY, "ENOTEMPTY" },
	{ ENODATA, "ENODATA" },	{ EOPNOTSUPP, "EOPNOTSUPP" },
};

static const char *errname(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "?";
}

static int do_setfattr(int argc, char **argv)
{
	const char *name = NULL, *value = "";
	int opt;

	while ((opt = getopt(argc, argv, "n:v:")) != -1) {
		if (opt == 'n')
			name = optarg;
		else if (opt == 'v')
			value = optarg;
		else
			goto usage;
	}
	if (!name || optind != argc - 1)
		goto usage;
	if (setxattr(argv[optind], name, value, strlen(value), 0)) {
		perror(argv[optind]);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: setfattr -n NAME [-v VALUE] PATH\n");
	return 2;
}

static int do_getfattr(int argc, char **argv)
{
	const char *name = NULL, *path;
	char value[4096];
	ssize_t len, i;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			name = optarg;
		else
			goto usage;
	}
	if (!name || optind != argc - 1)
		goto usage;
	path = argv[optind];
	len = getxattr(path, name, value, sizeof(value));
	if (len < 0) {
		fprintf(stderr, "%s: %s: %s\n", path, name,
			errno == ENODATA ? "No such attribute" : strerror(errno));
		return 1;
	}
	printf("# file: %s\n%s=\"", path, name);
	for (i = 0; i < len; i++) {
		unsigned char c = value[i];

		if (c == '\0' && i == len - 1)
			break;
		if (c < ' ' || c > '~' || c == '"' || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
	printf("\"\n\n");
	return 0;
usage:
	fprintf(stderr, "usage: getfattr -n NAME PATH\n");
	return 2;
}

static int do_rename(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: rename OLD NEW\n");
		return 2;
	}
	if (rename(argv[1], argv[2])) {
		int err = errno;

		printf("rename(\"%s\", \"%s\") = -1 %s (%s)\n",
		       argv[1], argv[2], errname(err), strerror(err));
		return 1;
	}
	printf("rename(\"%s\", \"%s\") = 0\n", argv[1], argv[2]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/');

	prog = prog ? prog + 1 : argv[0];
	if (!strcmp(prog, "getfattr"))
		return do_getfattr(argc, argv);
	if (!strcmp(prog, "rename"))
		return do_rename(argc, argv);
	return do_setfattr(argc, argv);
}
