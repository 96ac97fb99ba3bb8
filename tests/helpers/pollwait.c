// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pollwait.c - a program that waits for files to be ready, with poll(2),
 * select(2) or epoll, the "this side" of tests/integration/poll.sh (the
 * other side is a native mqtool or semtool).
 *
 *   pollwait [-m poll|select|epoll|epollet] [-t MS] [-n ROUNDS] [-r] FILE:EVENTS...
 *
 * EVENTS is in, out or pri, joined by '+' (in+out).  Each FILE is opened
 * read-only, or read-write when EVENTS has out, with O_NONBLOCK.  Prints
 * "waiting" when the first wait is about to begin, then for each of ROUNDS
 * (default 1) waits up to MS milliseconds (default 10000; -1: forever)
 * and prints one line: "timeout", or the ready files as INDEX:EVENTS
 * (0-based, in the order given; EVENTS as above, plus err and hup).
 *
 * -r: after each round, read from each file that was reported readable
 * and print "read INDEX TEXT" per read: one read in level-triggered modes,
 * every read until EAGAIN with epollet (as an edge-triggered program must
 * do), so that a later round waits for a new event.  A readable file whose
 * first read says EAGAIN prints "read INDEX EAGAIN": readiness was wrong.
 *
 *   $ pollwait -t 5000 -r mnt/mq/7/queue:in     # then: mqtool send 7 1 hi
 *   waiting
 *   0:in
 *   read 0 hi
 *
 * Exit 0, or 1 with a message when a call fails.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#define MAX_FILES 4096
#define BUF_SIZE 65536

enum mode { MODE_POLL, MODE_SELECT, MODE_EPOLL, MODE_EPOLLET };

struct file {
	const char *path;
	short events;		/* POLLIN, POLLOUT, POLLPRI */
	int fd;
};

static struct file files[MAX_FILES];
static int nfiles;
static short revents[MAX_FILES];
static char buf[BUF_SIZE + 1];

static void usage(void)
{
	fprintf(stderr, "usage: pollwait [-m poll|select|epoll|epollet] [-t MS] [-n ROUNDS] [-r] "
		"FILE:EVENTS...\n");
	exit(2);
}

static short parse_events(const char *s)
{
	short ev = 0;

	while (*s) {
		size_t n = strcspn(s, "+");

		if (n == 2 && !strncmp(s, "in", 2))
			ev |= POLLIN;
		else if (n == 3 && !strncmp(s, "out", 3))
			ev |= POLLOUT;
		else if (n == 3 && !strncmp(s, "pri", 3))
			ev |= POLLPRI;
		else
			usage();
		s += n + (s[n] == '+');
	}
	return ev;
}

static void print_events(int i, short ev)
{
	static const struct {
		short bit;
		const char *name;
	} names[] = {
		{ POLLIN, "in" }, { POLLOUT, "out" }, { POLLPRI, "pri" },
		{ POLLERR, "err" }, { POLLHUP, "hup" },
	};
	const char *sep = "";

	printf("%d:", i);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (ev & names[k].bit) {
			printf("%s%s", sep, names[k].name);
			sep = "+";
		}
	}
}

static int wait_poll(int tmo)
{
	struct pollfd pfd[MAX_FILES];
	int n;

	for (int i = 0; i < nfiles; i++)
		pfd[i] = (struct pollfd){ .fd = files[i].fd, .events = files[i].events };
	do
		n = poll(pfd, (nfds_t)nfiles, tmo);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err(1, "poll");
	for (int i = 0; i < nfiles; i++)
		revents[i] = pfd[i].revents;
	return n;
}

static int wait_select(int tmo)
{
	fd_set rd, wr, ex;
	struct timeval tv = { .tv_sec = tmo / 1000, .tv_usec = (tmo % 1000) * 1000 };
	int maxfd = -1, n;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	for (int i = 0; i < nfiles; i++) {
		if (files[i].fd >= FD_SETSIZE) {
			errno = EMFILE;
			err(1, "select: fd beyond FD_SETSIZE");
		}
		if (files[i].events & POLLIN)
			FD_SET(files[i].fd, &rd);
		if (files[i].events & POLLOUT)
			FD_SET(files[i].fd, &wr);
		if (files[i].events & POLLPRI)
			FD_SET(files[i].fd, &ex);
		if (files[i].fd > maxfd)
			maxfd = files[i].fd;
	}
	n = select(maxfd + 1, &rd, &wr, &ex, tmo < 0 ? NULL : &tv);
	if (n < 0)
		err(1, "select");
	for (int i = 0; i < nfiles; i++) {
		revents[i] = 0;
		if (FD_ISSET(files[i].fd, &rd))
			revents[i] |= POLLIN;
		if (FD_ISSET(files[i].fd, &wr))
			revents[i] |= POLLOUT;
		if (FD_ISSET(files[i].fd, &ex))
			revents[i] |= POLLPRI;
	}
	return n;
}

static int wait_epoll(int ep, int tmo)
{
	struct epoll_event evs[MAX_FILES];
	int n;

	do
		n = epoll_wait(ep, evs, MAX_FILES, tmo);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err(1, "epoll_wait");
	memset(revents, 0, sizeof(revents));
	for (int k = 0; k < n; k++) {
		unsigned e = evs[k].events;
		int i = evs[k].data.u32;

		revents[i] = (short)(((e & EPOLLIN) ? POLLIN : 0) | ((e & EPOLLOUT) ? POLLOUT : 0) |
				     ((e & EPOLLPRI) ? POLLPRI : 0) | ((e & EPOLLERR) ? POLLERR : 0) |
				     ((e & EPOLLHUP) ? POLLHUP : 0));
	}
	return n;
}

/* -r: one read, or (edge-triggered) every read until EAGAIN. */
static void read_ready(int i, bool all)
{
	do {
		ssize_t n = read(files[i].fd, buf, BUF_SIZE);

		if (n < 0 && errno == EAGAIN) {
			if (!all)
				printf("read %d EAGAIN\n", i);
			return;
		}
		if (n < 0) {
			printf("read %d %s\n", i, strerror(errno));
			return;
		}
		buf[n] = 0;
		/* lines ends each message with a newline: print it as one. */
		if (n && buf[n - 1] == '\n')
			buf[n - 1] = 0;
		printf("read %d %s\n", i, buf);
		all = all && n > 0;
	} while (all);
}

int main(int argc, char **argv)
{
	enum mode mode = MODE_POLL;
	int tmo = 10000, rounds = 1, ep = -1, opt;
	bool do_read = false;

	while ((opt = getopt(argc, argv, "m:t:n:r")) != -1) {
		switch (opt) {
		case 'm':
			if (!strcmp(optarg, "poll"))
				mode = MODE_POLL;
			else if (!strcmp(optarg, "select"))
				mode = MODE_SELECT;
			else if (!strcmp(optarg, "epoll"))
				mode = MODE_EPOLL;
			else if (!strcmp(optarg, "epollet"))
				mode = MODE_EPOLLET;
			else
				usage();
			break;
		case 't':
			tmo = atoi(optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'r':
			do_read = true;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || argc - optind > MAX_FILES)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = optind; i < argc; i++) {
		char *colon = strrchr(argv[i], ':');
		struct file *f = &files[nfiles++];

		if (!colon)
			usage();
		*colon = 0;
		f->path = argv[i];
		f->events = parse_events(colon + 1);
		f->fd = open(f->path, ((f->events & POLLOUT) ? O_RDWR : O_RDONLY) | O_NONBLOCK);
		if (f->fd < 0)
			err(1, "%s", f->path);
	}
	if (mode == MODE_EPOLL || mode == MODE_EPOLLET) {
		ep = epoll_create1(0);
		if (ep < 0)
			err(1, "epoll_create1");
		for (int i = 0; i < nfiles; i++) {
			struct epoll_event ev = {
				.events = ((files[i].events & POLLIN) ? EPOLLIN : 0) |
					  ((files[i].events & POLLOUT) ? EPOLLOUT : 0) |
					  ((files[i].events & POLLPRI) ? EPOLLPRI : 0) |
					  (mode == MODE_EPOLLET ? EPOLLET : 0),
				.data.u32 = (unsigned)i,
			};

			if (epoll_ctl(ep, EPOLL_CTL_ADD, files[i].fd, &ev))
				err(1, "epoll_ctl");
		}
	}
	printf("waiting\n");
	for (int r = 0; r < rounds; r++) {
		int n;

		if (mode == MODE_POLL)
			n = wait_poll(tmo);
		else if (mode == MODE_SELECT)
			n = wait_select(tmo);
		else
			n = wait_epoll(ep, tmo);
		if (!n) {
			printf("timeout\n");
			continue;
		}
		for (int i = 0, first = 1; i < nfiles; i++) {
			if (!revents[i])
				continue;
			if (!first)
				printf(" ");
			print_events(i, revents[i]);
			first = 0;
		}
		printf("\n");
		for (int i = 0; do_read && i < nfiles; i++)
			if (revents[i] & POLLIN)
				read_ready(i, mode == MODE_EPOLLET);
	}
	return 0;
}
