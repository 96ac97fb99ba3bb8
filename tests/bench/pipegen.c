// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipegen.c - `make bench` helper: holds many pipes (or Unix socket pairs)
 * in many processes, for the pipes and unix rows (tests/bench/pipes.sh,
 * tests/bench/unix.sh).
 *
 *   pipegen PAIRS K     PAIRS pairs of processes; in each pair one holds
 *                       the read ends of K pipes and the other their write
 *                       ends (2 * PAIRS processes, PAIRS * K pipes, each
 *                       end in a different process from its other end).
 *                       Prints "ready" once every pipe is made, then waits;
 *                       SIGTERM (or SIGINT, HUP) ends it and, through
 *                       PR_SET_PDEATHSIG, every process it made.
 *
 *   pipegen 500 20      10,000 pipes held by 1,000 processes
 *   pipegen PAIRS K unix  the same with socketpair(2)s (stream, dgram and
 *                       seqpacket in turn) for pipes: 2 * PAIRS * K sockets
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's side: K pipes, a grandchild with their write ends; both
 * wait to be killed when their parent ends. */
static void pair(int k, int ready, bool sockets)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	int (*p)[2] = calloc((size_t)k, sizeof(*p));
	pid_t g;

	if (!p)
		_exit(1);
	for (int i = 0; i < k; i++)
		if (sockets ? socketpair(AF_UNIX, types[i % 3], 0, p[i]) : pipe(p[i]))
			_exit(1);
	g = fork();
	if (g < 0)
		_exit(1);
	if (!g) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 0; i < k; i++)
			close(p[i][0]);
	} else {
		for (int i = 0; i < k; i++)
			close(p[i][1]);
		if (write(ready, "x", 1) != 1)
			_exit(1);
	}
	close(ready);
	for (;;)
		pause();
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);	/* the children get SIGKILL (PR_SET_PDEATHSIG) */
}

int main(int argc, char **argv)
{
	int pairs, k, rd[2];
	bool sockets = argc == 4 && !strcmp(argv[3], "unix");
	char byte;

	if ((argc != 3 && !sockets) || (pairs = atoi(argv[1])) <= 0 || (k = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: pipegen PAIRS K [unix]\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_term);
	if (pipe(rd))
		return 1;
	for (int i = 0; i < pairs; i++) {
		pid_t c = fork();

		if (c < 0) {
			perror("fork");
			return 1;
		}
		if (!c) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			close(rd[0]);
			pair(k, rd[1], sockets);
		}
	}
	close(rd[1]);
	for (int i = 0; i < pairs; i++)
		if (read(rd[0], &byte, 1) != 1) {
			fprintf(stderr, "pipegen: a pair failed\n");
			return 1;
		}
	close(rd[0]);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
