// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fdloop.c - `make bench` driver: COUNT write()s or read()s on one open
 * file, timed from the first call to the last (open and close are not
 * counted).  The same program drives ipcfs and the FUSE floor, so the two
 * figures differ only in the filesystem.
 *
 *   fdloop [-q MSQID] write PATH COUNT SIZE      COUNT writes of SIZE bytes ('x')
 *   fdloop write PATH COUNT 0 WORD...            writes of the WORDs in turn ("+1\n" "-1\n")
 *   fdloop [-q MSQID -m LEN] read PATH COUNT SIZE  COUNT reads with a SIZE-byte buffer
 *   fdloop -Q /NAME ...                          the same with a POSIX queue (mq_open)
 *
 * With -p REF, the same COUNT calls are also made on the file REF (the
 * reference: the FUSE floor), alternating between the two in chunks of
 * 1,000 calls, each side first in turn, each with its own clock.  Noise on
 * a shared machine (seconds-long bursts of other work) then falls on both
 * alike, where two runs one after the other can differ by a factor of two.
 *
 * With -q, PATH is a file of message queue MSQID, which holds only so many
 * messages (qbytes, 16 KiB by default; raising it above msgmnb needs
 * CAP_SYS_RESOURCE).  The calls then go in batches of what fits
 * (qbytes / message size) and, with the clock stopped between batches,
 * the queue is emptied after a batch of writes, or filled with messages of
 * LEN bytes (default 64) before a batch of reads.  Only the write()s and
 * read()s are timed.  -Q does the same for the POSIX queue /NAME, whose
 * batches are mq_maxmsg messages.
 *
 * Prints "SECONDS OPS_PER_SECOND BYTES" (a second line for REF) and exits
 * 0; on a failed or short call prints why on stderr and exits 1.  WORDs
 * may use \n.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 65536

static struct {
	long mtype;
	char mtext[MSG_MAX];
} m;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -Q: the POSIX queue's native descriptor (nonblocking), -1 for -q. */
static mqd_t pq = (mqd_t)-1;

/* Untimed, between batches: empty the queue, or fill it to `count`. */
static void drain(int id)
{
	if (pq != (mqd_t)-1) {
		while (mq_receive(pq, m.mtext, sizeof(m.mtext), NULL) >= 0)
			;
		return;
	}
	while (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
		;
}

static void fill(int id, long count, size_t len)
{
	m.mtype = 1;
	memset(m.mtext, 'x', len);
	for (long i = 0; i < count; i++) {
		if (pq != (mqd_t)-1 ? mq_send(pq, m.mtext, len, 0) : msgsnd(id, &m, len, IPC_NOWAIT)) {
			fprintf(stderr, "fdloop: send to queue %d: %s\n", id, strerror(errno));
			exit(1);
		}
	}
}

/* "+1\n" as typed on a command line: only \n needs translating. */
static char *unescape(const char *s)
{
	char *out = strdup(s), *o = out;

	if (!out)
		exit(1);
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

#define CHUNK 1000

/* One file being driven. */
struct target {
	const char *path;
	int fd;
	int qid;		/* -1: not a queue */
	long batch;		/* calls per queue batch; 0: no batches */
	long done;		/* calls made */
	size_t total;		/* bytes moved */
	double elapsed;		/* seconds on the clock */
};

static bool writing;
static long count;
static size_t size, msglen = 64, nwords;
static char **words, *buf;

static void target_open(struct target *t, const char *path, int qid)
{
	t->path = path;
	t->qid = qid;
	if (qid >= 0 && pq != (mqd_t)-1) {
		struct mq_attr at;

		if (mq_getattr(pq, &at) || !msglen || msglen > (size_t)at.mq_msgsize) {
			fprintf(stderr, "fdloop: POSIX queue: %s\n", strerror(errno));
			exit(1);
		}
		t->batch = at.mq_maxmsg;
		drain(qid);
	} else if (qid >= 0) {
		struct msqid_ds ds;

		if (msgctl(qid, IPC_STAT, &ds) || !msglen || msglen > MSG_MAX) {
			fprintf(stderr, "fdloop: queue %d: %s\n", qid, strerror(errno));
			exit(1);
		}
		t->batch = (long)(ds.msg_qbytes / (writing ? size : msglen));
		if (t->batch < 1)
			t->batch = 1;
		drain(qid);
	}
	t->fd = open(path, writing ? O_WRONLY : O_RDONLY);
	if (t->fd < 0) {
		fprintf(stderr, "fdloop: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (qid >= 0 && !writing)
		fill(qid, t->batch < count ? t->batch : count, msglen);
}

/* The next n calls on t, timed; between queue batches the clock stops. */
static void target_run(struct target *t, long n)
{
	double t0 = now();

	for (long k = 0; k < n; k++) {
		long i = t->done++;
		const char *p = nwords ? words[(size_t)i % nwords] : buf;
		size_t len = nwords ? strlen(p) : size;
		ssize_t r = writing ? write(t->fd, p, len) : read(t->fd, buf, size);

		if (r < 0 || (writing && (size_t)r != len) || (!writing && r == 0)) {
			fprintf(stderr, "fdloop: %s %s, call %ld: %s\n", writing ? "write" : "read",
				t->path, i + 1,
				r < 0 ? strerror(errno) : r == 0 ? "end of file" : "short write");
			exit(1);
		}
		t->total += (size_t)r;
		if (t->batch && (i + 1) % t->batch == 0 && i + 1 < count) {
			t->elapsed += now() - t0;
			if (writing)
				drain(t->qid);
			else
				fill(t->qid, t->batch < count - i - 1 ? t->batch : count - i - 1, msglen);
			t0 = now();
		}
	}
	t->elapsed += now() - t0;
}

static void target_report(struct target *t)
{
	close(t->fd);
	if (t->qid >= 0 && writing)
		drain(t->qid);
	printf("%.6f %.1f %zu\n", t->elapsed, (double)count / t->elapsed, t->total);
}

int main(int argc, char **argv)
{
	struct target a = { 0 }, ref = { 0 };
	const char *refpath = NULL;
	int opt, qid = -1;

	while ((opt = getopt(argc, argv, "+q:Q:m:p:")) != -1) {
		if (opt == 'q') {
			qid = atoi(optarg);
		} else if (opt == 'Q') {
			pq = mq_open(optarg, O_RDWR | O_NONBLOCK);
			if (pq == (mqd_t)-1) {
				fprintf(stderr, "fdloop: mq_open %s: %s\n", optarg, strerror(errno));
				return 1;
			}
			qid = 0;	/* a queue: batches */
		} else if (opt == 'm') {
			msglen = (size_t)atol(optarg);
		} else if (opt == 'p') {
			refpath = optarg;
		} else {
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || (strcmp(argv[1], "write") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: fdloop [-q MSQID] [-m LEN] [-p REF] write|read PATH COUNT SIZE [WORD...]\n");
		return 2;
	}
	writing = !strcmp(argv[1], "write");
	count = atol(argv[3]);
	size = (size_t)atol(argv[4]);
	if (writing && argc > 5) {
		nwords = (size_t)(argc - 5);
		words = calloc(nwords, sizeof(*words));
		if (!words)
			return 1;
		for (size_t w = 0; w < nwords; w++)
			words[w] = unescape(argv[5 + w]);
	}
	buf = malloc(size ? size : 1);
	if (!buf)
		return 1;
	memset(buf, 'x', size);
	target_open(&a, argv[2], qid);
	if (!refpath) {
		target_run(&a, count);
		target_report(&a);
		return 0;
	}
	target_open(&ref, refpath, -1);
	for (long round = 0; a.done < count; round++) {
		long n = count - a.done < CHUNK ? count - a.done : CHUNK;

		target_run(round % 2 ? &ref : &a, n);
		target_run(round % 2 ? &a : &ref, n);
	}
	target_report(&a);
	target_report(&ref);
	return 0;
}
