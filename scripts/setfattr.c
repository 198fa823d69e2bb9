// SPDX-License-Identifier: GPL-2.0
/*
 * scripts/setfattr.c - "setfattr -n NAME -v VALUE PATH" for the demo VM.
 *
 * busybox has no setfattr, and the demo marks a directory opaque by hand
 * (trusted.overlay.opaque=y).  vm.sh links this statically into the demo
 * initramfs as /bin/setfattr; only the options the demo uses are supported.
 */
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

int main(int argc, char **argv)
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
