// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pollbench.c - `make bench` driver for the poll rows: how long after a
 * native msgsnd a process waiting in poll(2) or epoll on an ipcfs queue
 * file wakes up, against the same wake-up through a pipe and a blocked
 * native msgrcv; and what polling costs the daemon when nothing happens.
 *
 *   pollbench poll|epoll N ID FILE [IDLE...]  wait in poll(2) (epoll) on FILE, a
 *                                             queue file of queue ID (and the IDLE
 *                                             files, which never become ready)
 *   pollbench pipe N                          wait in poll(2) on a pipe
 *   pollbench msgrcv N ID                     wait in msgrcv on queue ID
 *   pollbench cpu MS PID [FILE...]            add the FILEs to an epoll set, then
 *                                             wait MS ms (nothing may happen) and
 *                                             print the CPU time process PID used
 *                                             meanwhile, in % of one CPU
 *
 * The wake-up rows make N wake-ups and print the median in microseconds
 * (the median, 90th percentile and maximum go to stderr).  Each time, a
 * child process waits until the parent is about to wait, sleeps 2-12 ms
 * (at random, so that the send falls anywhere in ipcfs's polling period),
 * reads CLOCK_MONOTONIC and sends that stamp: as a message with msgsnd, or
 * into the pipe.  The parent reads the clock as soon as its wait returns,
 * then reads the stamp through the file and takes the difference.
 *
 * Exits 1 with a message on any failure, including a wait that has not
 * returned after 5 seconds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000
#define MAX_FILES 4096

struct msg {
	long mtype;
	char mtext[64];
};

static void die(const char *what)
{
	fprintf(stderr, "pollbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The child: for each byte the parent sends on `go`, wait 2-12 ms, then
 * send the clock's reading as a message to queue `id`, or into `out`. */
static void sender(int go, int id, int out, unsigned seed)
{
	struct msg m = { .mtype = 1 };
	char c;

	srand(seed);
	while (read(go, &c, 1) == 1) {
		struct timespec d = { 0, (2000 + rand() % 10000) * 1000L };
		int len;

		nanosleep(&d, NULL);
		len = snprintf(m.mtext, sizeof(m.mtext), "%lld", (long long)now_ns());
		if (id >= 0 ? msgsnd(id, &m, (size_t)len, 0) != 0 : write(out, m.mtext, (size_t)len) != len)
			die("send");
	}
	_exit(0);
}

/* The parent's side of one wake-up: wait, read the stamp; latency in us. */
enum mode { MODE_POLL, MODE_EPOLL, MODE_PIPE, MODE_MSGRCV };

struct waiter {
	enum mode mode;
	int fd;			/* the queue file, or the pipe's read end */
	int id;
	struct pollfd *pfd;	/* poll: fd first, then the idle files */
	int npfd;
	int ep;
};

static double one(struct waiter *w)
{
	char buf[64];
	struct msg m;
	int64_t t, stamp;
	ssize_t n;
	int r;

	switch (w->mode) {
	case MODE_POLL:
	case MODE_PIPE:
		r = poll(w->pfd, (nfds_t)w->npfd, WAIT_MS);
		break;
	case MODE_EPOLL: {
		struct epoll_event ev;

		r = epoll_wait(w->ep, &ev, 1, WAIT_MS);
		if (r == 1 && ev.data.fd != w->fd) {
			errno = EPROTO;
			die("an idle file woke up");
		}
		break;
	}
	case MODE_MSGRCV:
		n = msgrcv(w->id, &m, sizeof(m.mtext) - 1, 0, 0);
		t = now_ns();
		if (n < 0)
			die("msgrcv");
		m.mtext[n] = 0;
		return (double)(t - strtoll(m.mtext, NULL, 10)) / 1000;
	}
	t = now_ns();
	if (r < 0)
		die("wait");
	if (r == 0) {
		errno = ETIMEDOUT;
		die("no wake-up");
	}
	n = read(w->fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		die("read");
	buf[n] = 0;
	stamp = strtoll(buf, NULL, 10);
	return (double)(t - stamp) / 1000;
}

static void drain(int id)
{
	struct msg m;

	while (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
		;
}

static int wakeups(enum mode mode, int count, int id, char **files, int nfiles)
{
	struct waiter w = { .mode = mode, .id = id, .ep = -1 };
	double *lat = calloc((size_t)count, sizeof(double));
	int go[2], data[2] = { -1, -1 };
	pid_t child;
	int status;

	if (!lat || nfiles > MAX_FILES)
		die("arguments");
	if (id >= 0)
		drain(id);
	if (pipe(go) || (mode == MODE_PIPE && pipe(data)))
		die("pipe");
	w.pfd = calloc((size_t)(nfiles + 1), sizeof(struct pollfd));
	if (!w.pfd)
		die("calloc");
	if (mode == MODE_PIPE) {
		w.fd = data[0];
		w.pfd[w.npfd++] = (struct pollfd){ .fd = w.fd, .events = POLLIN };
	} else if (mode != MODE_MSGRCV) {
		if (mode == MODE_EPOLL && (w.ep = epoll_create1(0)) < 0)
			die("epoll_create1");
		for (int i = 0; i < nfiles; i++) {
			int fd = open(files[i], O_RDONLY | O_NONBLOCK);
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

			if (fd < 0)
				die(files[i]);
			if (i == 0)
				w.fd = fd;
			w.pfd[w.npfd++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			if (w.ep >= 0 && epoll_ctl(w.ep, EPOLL_CTL_ADD, fd, &ev))
				die("epoll_ctl");
		}
	}
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(go[1]);
		sender(go[0], mode == MODE_PIPE ? -1 : id, data[1], (unsigned)getpid());
	}
	close(go[0]);
	for (int i = 0; i < count; i++) {
		if (write(go[1], "g", 1) != 1)
			die("go");
		lat[i] = one(&w);
	}
	close(go[1]);
	waitpid(child, &status, 0);
	qsort(lat, (size_t)count, sizeof(double), cmp_double);
	fprintf(stderr, "median %.1f us, p90 %.1f us, max %.1f us (%d wake-ups)\n", lat[count / 2],
		lat[count * 9 / 10], lat[count - 1], count);
	printf("%.1f\n", lat[count / 2]);
	return 0;
}

/* CPU time of every thread of pid so far, in ns (schedstat's first field). */
static int64_t cpu_ns(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int64_t sum = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		die(path);
	while ((d = readdir(dir))) {
		char p[384];
		long long v;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/schedstat", path, d->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;	/* the thread ended meanwhile */
		if (fscanf(f, "%lld", &v) == 1)
			sum += v;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

static int cpu(int ms, pid_t pid, char **files, int nfiles)
{
	struct epoll_event ev;
	int64_t c0, c1, t0, t1;
	int ep = epoll_create1(0), r;

	if (ep < 0)
		die("epoll_create1");
	/* Adding a file to the set asks the daemon once, and leaves it a
	 * handle to notify: from then on it is polled. */
	for (int i = 0; i < nfiles; i++) {
		int fd = open(files[i], O_RDONLY | O_NONBLOCK);
		struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

		if (fd < 0)
			die(files[i]);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e))
			die("epoll_ctl");
	}
	usleep(100 * 1000);
	c0 = cpu_ns(pid);
	t0 = now_ns();
	r = epoll_wait(ep, &ev, 1, ms);
	c1 = cpu_ns(pid);
	t1 = now_ns();
	if (r < 0)
		die("epoll_wait");
	if (r > 0) {
		errno = EPROTO;
		die("a file became ready");
	}
	printf("%.3f\n", 100.0 * (double)(c1 - c0) / (double)(t1 - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "poll"))
		return wakeups(MODE_POLL, atoi(argv[2]), atoi(argv[3]), argv + 4, argc - 4);
	if (argc >= 5 && !strcmp(argv[1], "epoll"))
		return wakeups(MODE_EPOLL, atoi(argv[2]), atoi(argv[3]), argv + 4, argc - 4);
	if (argc == 3 && !strcmp(argv[1], "pipe"))
		return wakeups(MODE_PIPE, atoi(argv[2]), -1, NULL, 0);
	if (argc == 4 && !strcmp(argv[1], "msgrcv"))
		return wakeups(MODE_MSGRCV, atoi(argv[2]), atoi(argv[3]), NULL, 0);
	if (argc >= 4 && !strcmp(argv[1], "cpu"))
		return cpu(atoi(argv[2]), (pid_t)atoi(argv[3]), argv + 4, argc - 4);
	fprintf(stderr, "usage: see the comment at the top of pollbench.c\n");
	return 2;
}
