// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmqtool.c - a plain POSIX message queue program, the "other side" in
 * tests/integration/posix_mq.sh.  It uses mq_open/mq_send/mq_receive/
 * mq_notify directly, never ipcfs.  NAME is given without the leading '/'.
 *
 *   pmqtool create NAME [MODE [MAXMSG MSGSIZE]]   O_CREAT|O_EXCL
 *   pmqtool unlink NAME
 *   pmqtool unlink-hex HEX                 the name given as hex bytes (any byte)
 *   pmqtool send NAME PRIO TEXT [nowait]   one message, exactly TEXT's bytes
 *   pmqtool recv NAME [nowait]             one message, its exact bytes
 *   pmqtool recvp NAME [nowait]            one message as "PRIO TEXT\n"
 *   pmqtool recv-all NAME                  every message now queued, "PRIO TEXT\n"
 *   pmqtool send-seq NAME N                N messages "1" .. "N", priority 0
 *   pmqtool attr NAME                      "maxmsg msgsize curmsgs"
 *   pmqtool can NAME r|w|rw                mq_open with that access: "ok" or
 *                                          the errno's name (EACCES ...)
 *   pmqtool notify NAME READY signal|thread   mq_notify, then touch READY and
 *                                          wait (10 s at most) for the
 *                                          notification: "notified TEXT"
 *                                          (the message it then receives)
 *   pmqtool loop-send NAME N / loop-recv NAME N   N small messages, for timing
 *
 * Errors print "pmqtool: WHAT: strerror" and exit 1.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char path[512];
static char buf[1 << 24];

static mqd_t qopen(int flags)
{
	mqd_t q = mq_open(path, flags);

	if (q == (mqd_t)-1)
		err(1, "mq_open");
	return q;
}

static ssize_t recv_one(mqd_t q, unsigned *prio)
{
	struct mq_attr a;
	ssize_t n;

	if (mq_getattr(q, &a))
		err(1, "mq_getattr");
	n = mq_receive(q, buf, (size_t)a.mq_msgsize, prio);
	if (n < 0)
		err(1, "mq_receive");
	return n;
}

static const char *errname(int e)
{
	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	default: return strerror(e);
	}
}

static volatile sig_atomic_t notified;
static void on_signal(int sig)
{
	(void)sig;
	notified = 1;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static void on_thread(union sigval v)
{
	(void)v;
	pthread_mutex_lock(&mu);
	notified = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static int notify(const char *ready, const char *how)
{
	mqd_t q = qopen(O_RDONLY | O_NONBLOCK);
	struct sigevent ev = { 0 };
	unsigned prio;
	ssize_t n;
	FILE *f;

	if (!strcmp(how, "signal")) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGUSR1, &sa, NULL);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGUSR1;
	} else {
		ev.sigev_notify = SIGEV_THREAD;
		ev.sigev_notify_function = on_thread;
	}
	if (mq_notify(q, &ev))
		err(1, "mq_notify");
	f = fopen(ready, "w");
	if (!f)
		err(1, "%s", ready);
	fclose(f);
	for (int i = 0; i < 1000 && !notified; i++) {
		struct timespec ts;

		pthread_mutex_lock(&mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!notified)
			pthread_cond_timedwait(&cv, &mu, &ts);
		pthread_mutex_unlock(&mu);
	}
	if (!notified) {
		fprintf(stderr, "pmqtool: no notification\n");
		return 1;
	}
	n = recv_one(q, &prio);
	printf("notified %.*s", (int)n, buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned prio;
	mqd_t q;
	ssize_t n;

	if (argc < 3) {
		fprintf(stderr, "usage: see tests/helpers/pmqtool.c\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/%s", argv[2]);
	if (!strcmp(argv[1], "unlink-hex")) {
		size_t len = strlen(argv[2]) / 2;

		path[0] = '/';
		for (size_t i = 0; i < len && i < sizeof(path) - 2; i++) {
			unsigned b;

			sscanf(argv[2] + 2 * i, "%2x", &b);
			path[1 + i] = (char)b;
			path[2 + i] = '\0';
		}
		if (mq_unlink(path))
			err(1, "mq_unlink");
		return 0;
	}
	if (!strcmp(argv[1], "create")) {
		struct mq_attr a = { 0 };
		mode_t mode = argc > 3 ? (mode_t)strtoul(argv[3], NULL, 8) : 0600;

		if (argc > 5) {
			a.mq_maxmsg = atol(argv[4]);
			a.mq_msgsize = atol(argv[5]);
		}
		q = mq_open(path, O_RDONLY | O_CREAT | O_EXCL, mode, argc > 5 ? &a : NULL);
		if (q == (mqd_t)-1)
			err(1, "mq_open");
		return 0;
	}
	if (!strcmp(argv[1], "unlink")) {
		if (mq_unlink(path))
			err(1, "mq_unlink");
		return 0;
	}
	if (!strcmp(argv[1], "send") && argc > 4) {
		bool nowait = argc > 5 && !strcmp(argv[5], "nowait");

		q = qopen(O_WRONLY | (nowait ? O_NONBLOCK : 0));
		if (mq_send(q, argv[4], strlen(argv[4]), (unsigned)atoi(argv[3])))
			err(1, "mq_send");
		return 0;
	}
	if (!strcmp(argv[1], "recv") || !strcmp(argv[1], "recvp")) {
		bool nowait = argc > 3 && !strcmp(argv[3], "nowait");

		q = qopen(O_RDONLY | (nowait ? O_NONBLOCK : 0));
		n = recv_one(q, &prio);
		if (argv[1][4] == 'p')
			printf("%u %.*s\n", prio, (int)n, buf);
		else
			fwrite(buf, 1, (size_t)n, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "recv-all")) {
		struct mq_attr a;

		q = qopen(O_RDONLY | O_NONBLOCK);
		if (mq_getattr(q, &a))
			err(1, "mq_getattr");
		while ((n = mq_receive(q, buf, (size_t)a.mq_msgsize, &prio)) >= 0)
			printf("%u %.*s\n", prio, (int)n, buf);
		if (errno != EAGAIN)
			err(1, "mq_receive");
		return 0;
	}
	if (!strcmp(argv[1], "send-seq") && argc > 3) {
		long count = atol(argv[3]);

		q = qopen(O_WRONLY);
		for (long i = 1; i <= count; i++) {
			int len = snprintf(buf, 32, "%ld", i);

			if (mq_send(q, buf, (size_t)len, 0))
				err(1, "mq_send");
		}
		return 0;
	}
	if (!strcmp(argv[1], "attr")) {
		struct mq_attr a;

		q = qopen(O_RDONLY | O_NONBLOCK);
		if (mq_getattr(q, &a))
			err(1, "mq_getattr");
		printf("%ld %ld %ld\n", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
		return 0;
	}
	if (!strcmp(argv[1], "can") && argc > 3) {
		int acc = !strcmp(argv[3], "r") ? O_RDONLY : !strcmp(argv[3], "w") ? O_WRONLY : O_RDWR;

		q = mq_open(path, acc | O_NONBLOCK);
		puts(q == (mqd_t)-1 ? errname(errno) : "ok");
		return 0;
	}
	if (!strcmp(argv[1], "notify") && argc > 4)
		return notify(argv[3], argv[4]);
	if (!strcmp(argv[1], "loop-send") && argc > 3) {
		long count = atol(argv[3]);

		q = qopen(O_WRONLY);
		for (long i = 0; i < count; i++)
			if (mq_send(q, "x", 1, 0))
				err(1, "mq_send");
		return 0;
	}
	if (!strcmp(argv[1], "loop-recv") && argc > 3) {
		long count = atol(argv[3]);

		q = qopen(O_RDONLY);
		for (long i = 0; i < count; i++)
			recv_one(q, &prio);
		return 0;
	}
	fprintf(stderr, "pmqtool: unknown command %s\n", argv[1]);
	return 2;
}
