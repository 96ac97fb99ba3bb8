// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blockers.c - many threads of one process, each blocked in one read(2) of
 * a file (an empty queue through the mount), for tests/integration/
 * security.sh: can one user take every worker of the daemon?
 *
 *   blockers PATH N      start N threads, each reading PATH once; print
 *                        "started N", then every second "blocked B
 *                        refused R other O"; run until killed
 *
 * A read that returns (refused by the daemon with EAGAIN, or anything
 * else) is counted and its thread ends; blocked ones stay.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *path;
static int started, refused, other;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *reader(void *unused)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	(void)unused;
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	pthread_mutex_lock(&lock);
	if (n < 0 && errno == EAGAIN)
		refused++;
	else
		other++;
	pthread_mutex_unlock(&lock);
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: blockers PATH N\n");
		return 2;
	}
	path = argv[1];
	n = atoi(argv[2]);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, reader, NULL)) {
			perror("pthread_create");
			break;
		}
		started++;
	}
	printf("started %d\n", started);
	fflush(stdout);
	for (;;) {
		sleep(1);
		pthread_mutex_lock(&lock);
		printf("blocked %d refused %d other %d\n", started - refused - other, refused, other);
		pthread_mutex_unlock(&lock);
		fflush(stdout);
	}
}
