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
 *
 * With -q, PATH is a file of message queue MSQID, which holds only so many
 * messages (qbytes, 16 KiB by default; raising it above msgmnb needs
 * CAP_SYS_RESOURCE).  The calls then go in batches of what fits
 * (qbytes / message size) and, with the clock stopped between batches,
 * the queue is emptied after a batch of writes, or filled with messages of
 * LEN bytes (default 64) before a batch of reads.  Only the write()s and
 * read()s are timed.
 *
 * Prints "SECONDS OPS_PER_SECOND BYTES" and exits 0; on a failed or short
 * call prints why on stderr and exits 1.  WORDs may use \n.
 */
#include <errno.h>
#include <fcntl.h>
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

/* Untimed, between batches: empty the queue, or fill it to `count`. */
static void drain(int id)
{
	while (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
		;
}

static void fill(int id, long count, size_t len)
{
	m.mtype = 1;
	memset(m.mtext, 'x', len);
	for (long i = 0; i < count; i++) {
		if (msgsnd(id, &m, len, IPC_NOWAIT)) {
			fprintf(stderr, "fdloop: msgsnd %d: %s\n", id, strerror(errno));
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

int main(int argc, char **argv)
{
	long count, i, batch = 0;
	size_t size, total = 0, nwords = 0, msglen = 64;
	char **words = NULL, *buf;
	double elapsed = 0, t0;
	bool writing;
	int fd, opt, qid = -1;

	while ((opt = getopt(argc, argv, "+q:m:")) != -1) {
		if (opt == 'q')
			qid = atoi(optarg);
		else if (opt == 'm')
			msglen = (size_t)atol(optarg);
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || (strcmp(argv[1], "write") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: fdloop write|read PATH COUNT SIZE [WORD...]\n");
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
	if (qid >= 0) {
		struct msqid_ds ds;

		if (msgctl(qid, IPC_STAT, &ds) || !msglen || msglen > MSG_MAX) {
			fprintf(stderr, "fdloop: queue %d: %s\n", qid, strerror(errno));
			return 1;
		}
		batch = (long)(ds.msg_qbytes / (writing ? size : msglen));
		if (batch < 1)
			batch = 1;
		drain(qid);
	}
	fd = open(argv[2], writing ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fdloop: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (qid >= 0 && !writing)
		fill(qid, batch < count ? batch : count, msglen);
	t0 = now();
	for (i = 0; i < count; i++) {
		const char *p = nwords ? words[(size_t)i % nwords] : buf;
		size_t len = nwords ? strlen(p) : size;
		ssize_t n = writing ? write(fd, p, len) : read(fd, buf, size);

		if (n < 0 || (writing && (size_t)n != len) || (!writing && n == 0)) {
			fprintf(stderr, "fdloop: %s %s, call %ld: %s\n", argv[1], argv[2], i + 1,
				n < 0 ? strerror(errno) : n == 0 ? "end of file" : "short write");
			return 1;
		}
		total += (size_t)n;
		if (batch && (i + 1) % batch == 0 && i + 1 < count) {
			elapsed += now() - t0;
			if (writing)
				drain(qid);
			else
				fill(qid, batch < count - i - 1 ? batch : count - i - 1, msglen);
			t0 = now();
		}
	}
	elapsed += now() - t0;
	close(fd);
	if (qid >= 0 && writing)
		drain(qid);
	printf("%.6f %.1f %zu\n", elapsed, (double)count / elapsed, total);
	return 0;
}
