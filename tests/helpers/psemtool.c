// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * psemtool.c - a plain POSIX named-semaphore program, the "other side" in
 * tests/integration/posix_sem.sh.  It uses sem_open/sem_wait/sem_post/
 * sem_getvalue/sem_unlink (glibc), never ipcfs, except where it says it
 * writes a path (then it is a file writer with precise control).  NAME is
 * given without its leading slash, any bytes but '/'.
 *
 *   psemtool create NAME VALUE MODE   sem_open(O_CREAT|O_EXCL); "ok"
 *   psemtool wait NAME [nonblock]     sem_wait (sem_trywait), then "done"
 *   psemtool post NAME [N]            sem_post N times (1)
 *   psemtool value NAME               sem_getvalue
 *   psemtool waiters NAME             glibc's waiter count in the sem_t
 *   psemtool unlink NAME              sem_unlink
 *   psemtool open NAME                sem_open(NAME, 0): "ok" or strerror
 *   psemtool access PATH r|w|rw       open(2) PATH so: "ok" or strerror
 *   psemtool write PATH TEXT [nonblock] [handler]
 *                                     one write(2) of TEXT; with `handler`
 *                                     SIGINT runs a handler (no SA_RESTART);
 *                                     prints "ok" or strerror
 *   psemtool killwait PATH NAME ROUNDS N SIG
 *                                     each round a child writes -N to PATH
 *                                     (the semaphore's `value`, value 0); once
 *                                     the daemon has taken N-1 of them (posted
 *                                     here) and waits for the last, the child
 *                                     gets SIG (KILL or INT, handled), and 1
 *                                     more is posted (after KILL always,
 *                                     after INT every other round).  A child
 *                                     that never heard of its wait (killed,
 *                                     or EINTR) must have taken nothing.
 *                                     Prints "rounds R lost L [eintr E ok K]"
 *   psemtool bench NAME ROUNDS        native sem_post + sem_wait pairs: ns each
 *   psemtool fdbench PATH ROUNDS      write "+1" then "-1" to PATH: ns a pair
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slashed(const char *name)
{
	char *s = malloc(strlen(name) + 2);

	if (!s)
		err(1, "malloc");
	s[0] = '/';
	strcpy(s + 1, name);
	return s;
}

static sem_t *open_sem(const char *name)
{
	char *s = slashed(name);
	sem_t *sem = sem_open(s, 0);

	free(s);
	if (sem == SEM_FAILED)
		err(1, "sem_open");
	return sem;
}

static int value(sem_t *sem)
{
	int v;

	if (sem_getvalue(sem, &v))
		err(1, "sem_getvalue");
	return v;
}

/* glibc's layout (2.36, 64-bit): value | nwaiters << 32 in the first word. */
static unsigned waiters(sem_t *sem)
{
	return (unsigned)(__atomic_load_n((uint64_t *)(void *)sem, __ATOMIC_RELAXED) >> 32);
}

static void nap(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	nanosleep(&ts, NULL);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void on_sigint(int sig)
{
	static const char msg[] = "caught SIGINT\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
}

static void handle_sigint(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

static int write_file(int argc, char **argv)
{
	int flags = O_WRONLY, fd;
	ssize_t n;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "nonblock"))
			flags |= O_NONBLOCK;
		else if (!strcmp(argv[i], "handler"))
			handle_sigint();
	}
	fd = open(argv[2], flags);
	if (fd < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	n = write(fd, argv[3], strlen(argv[3]));
	if (n < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* Wait (up to 10 s) until cond(sem, arg) holds. */
static int until(sem_t *sem, int want_waiters, int want_value)
{
	for (int i = 0; i < 100000; i++) {
		if ((int)waiters(sem) == want_waiters && value(sem) == want_value)
			return 0;
		nap(100);
	}
	return -1;
}

static int killwait(const char *path, const char *name, int rounds, int n, int sig)
{
	sem_t *sem = open_sem(name);
	int lost = 0, eintr = 0, ok = 0;
	char text[32];

	snprintf(text, sizeof(text), "-%d\n", n);
	for (int r = 0; r < rounds; r++) {
		int pipefd[2], status, heard = 0, after = sig == SIGKILL || r % 2;
		char c = 0;
		pid_t pid;

		if (pipe(pipefd))
			err(1, "pipe");
		pid = fork();
		if (pid < 0)
			err(1, "fork");
		if (!pid) {
			int fd = open(path, O_WRONLY);

			close(pipefd[0]);
			if (sig == SIGINT)
				handle_sigint();
			if (fd < 0)
				_exit(3);
			/* Tells the parent whether the write succeeded. */
			c = write(fd, text, strlen(text)) > 0 ? 'y' : (errno == EINTR ? 'i' : 'e');
			(void)!write(pipefd[1], &c, 1);
			_exit(0);
		}
		close(pipefd[1]);
		/* The daemon waits for the first (its waiter is counted) ... */
		if (until(sem, 1, 0)) {
			fprintf(stderr, "round %d: the write never waited\n", r);
			kill(pid, SIGKILL);
			return 2;
		}
		/* ... takes N-1 of them and waits again for the last. */
		for (int i = 1; i < n; i++)
			sem_post(sem);
		if (until(sem, 1, 0)) {
			fprintf(stderr, "round %d: the write did not take %d and wait\n", r, n - 1);
			kill(pid, SIGKILL);
			return 2;
		}
		kill(pid, sig);
		/* One more right after: it may reach the daemon's wait first. */
		if (after)
			sem_post(sem);
		waitpid(pid, &status, 0);
		if (read(pipefd[0], &c, 1) == 1)
			heard = c == 'y';
		close(pipefd[0]);
		if (c == 'i')
			eintr++;
		if (heard) {
			/* It had all N: fair, and nothing may be left. */
			ok++;
			if (value(sem) != 0)
				lost++;
		} else if (value(sem) != n - 1 + after) {
			/* Reaped: the daemon answered; what it took is back. */
			lost++;
		}
		while (!sem_trywait(sem))
			;
	}
	if (sig == SIGINT)
		printf("rounds %d lost %d eintr %d ok %d\n", rounds, lost, eintr, ok);
	else
		printf("rounds %d lost %d\n", rounds, lost);
	return lost ? 1 : 0;
}

static int fdbench(const char *path, long rounds)
{
	int fd = open(path, O_WRONLY);
	double t;

	if (fd < 0)
		err(1, "%s", path);
	t = now_ns();
	for (long i = 0; i < rounds; i++)
		if (write(fd, "+1", 2) != 2 || write(fd, "-1", 2) != 2)
			err(1, "write");
	printf("%.0f\n", (now_ns() - t) / rounds);
	close(fd);
	return 0;
}

static int bench(const char *name, long rounds)
{
	sem_t *sem = open_sem(name);
	double t = now_ns();

	for (long i = 0; i < rounds; i++)
		if (sem_post(sem) || sem_wait(sem))
			err(1, "sem_post/sem_wait");
	printf("%.0f\n", (now_ns() - t) / rounds);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "create") && argc == 5) {
		char *s = slashed(argv[2]);
		sem_t *sem = sem_open(s, O_CREAT | O_EXCL, (mode_t)strtoul(argv[4], NULL, 8),
				      (unsigned)atoi(argv[3]));

		printf("%s\n", sem == SEM_FAILED ? strerror(errno) : "ok");
		free(s);
		return sem == SEM_FAILED;
	}
	if (!strcmp(cmd, "wait") && argc >= 3) {
		sem_t *sem = open_sem(argv[2]);
		int r = argc > 3 ? sem_trywait(sem) : sem_wait(sem);

		printf("%s\n", r ? strerror(errno) : "done");
		return r ? 1 : 0;
	}
	if (!strcmp(cmd, "post") && argc >= 3) {
		sem_t *sem = open_sem(argv[2]);
		int n = argc > 3 ? atoi(argv[3]) : 1;

		for (int i = 0; i < n; i++)
			if (sem_post(sem))
				err(1, "sem_post");
		return 0;
	}
	if (!strcmp(cmd, "value") && argc == 3) {
		printf("%d\n", value(open_sem(argv[2])));
		return 0;
	}
	if (!strcmp(cmd, "waiters") && argc == 3) {
		printf("%u\n", waiters(open_sem(argv[2])));
		return 0;
	}
	if (!strcmp(cmd, "unlink") && argc == 3) {
		char *s = slashed(argv[2]);

		if (sem_unlink(s))
			err(1, "sem_unlink");
		free(s);
		return 0;
	}
	if (!strcmp(cmd, "open") && argc == 3) {
		char *s = slashed(argv[2]);
		sem_t *sem = sem_open(s, 0);

		printf("%s\n", sem == SEM_FAILED ? strerror(errno) : "ok");
		free(s);
		return sem == SEM_FAILED;
	}
	if (!strcmp(cmd, "access") && argc == 4) {
		int flags = !strcmp(argv[3], "r") ? O_RDONLY : !strcmp(argv[3], "w") ? O_WRONLY : O_RDWR;
		int fd = open(argv[2], flags);

		printf("%s\n", fd < 0 ? strerror(errno) : "ok");
		return fd < 0;
	}
	if (!strcmp(cmd, "write") && argc >= 4)
		return write_file(argc, argv);
	if (!strcmp(cmd, "killwait") && argc == 7)
		return killwait(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]),
				!strcmp(argv[6], "INT") ? SIGINT : SIGKILL);
	if (!strcmp(cmd, "bench") && argc == 4)
		return bench(argv[2], atol(argv[3]));
	if (!strcmp(cmd, "fdbench") && argc == 4)
		return fdbench(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of tests/helpers/psemtool.c\n");
	return 2;
}
