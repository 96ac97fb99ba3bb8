// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hammer.c - many opens or many distinct lookups through a mount, fast,
 * for tests/integration/security.sh: does the daemon's memory grow with
 * something a client can repeat?
 *
 *   hammer open PATH COUNT [w]        open (read-only, or write-only with w)
 *                                     and close PATH COUNT times
 *   hammer lookup DIR FIRST COUNT     stat DIR/N for N = FIRST .. FIRST+COUNT-1
 *
 * Prints "ok" or the first error and its count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long long count, first;
	int flags = O_RDONLY | O_NONBLOCK;

	if (argc >= 4 && !strcmp(argv[1], "open")) {
		count = atoll(argv[3]);
		if (argc > 4 && !strcmp(argv[4], "w"))
			flags = O_WRONLY | O_NONBLOCK;
		for (long long i = 0; i < count; i++) {
			int fd = open(argv[2], flags);

			if (fd < 0) {
				printf("open %s: %s after %lld\n", argv[2], strerror(errno), i);
				return 1;
			}
			close(fd);
		}
		printf("ok\n");
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "lookup")) {
		char path[4096];
		struct stat st;

		first = atoll(argv[3]);
		count = atoll(argv[4]);
		for (long long i = 0; i < count; i++) {
			snprintf(path, sizeof(path), "%s/%lld", argv[2], first + i);
			if (stat(path, &st)) {
				printf("stat %s: %s after %lld\n", path, strerror(errno), i);
				return 1;
			}
		}
		printf("ok\n");
		return 0;
	}
	fprintf(stderr, "usage: hammer open PATH COUNT [w] | hammer lookup DIR FIRST COUNT\n");
	return 2;
}
