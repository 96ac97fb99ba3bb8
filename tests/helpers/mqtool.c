// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mqtool.c - a plain System V message queue program, the "other side" in
 * the integration tests.  It uses msgget/msgsnd/msgrcv/msgctl directly,
 * never ipcfs; only `reader` reads a file (one of ipcfs's queue files).
 *
 *   mqtool create KEY|private [MODE]   print the new msqid
 *   mqtool send ID TYPE TEXT           one message, exactly TEXT's bytes
 *   mqtool recv ID [TYPE] [nowait]     one message (TYPE 0: any), its exact bytes
 *   mqtool copy ID POS                 MSG_COPY: the message at POS, not taken
 *   mqtool send-seq ID N [TYPE [USEC]] N messages "1" .. "N", USEC apart
 *   mqtool recv-n ID N                 N messages (waiting), each + newline
 *   mqtool recv-all ID                 every message now queued, each + newline
 *   mqtool count ID                    qnum
 *   mqtool qbytes ID N                 IPC_SET of msg_qbytes
 *   mqtool rm ID                       IPC_RMID
 *   mqtool reader FILE LOG [SIZE]      the killable reader, see below
 *
 *   $ id=$(mqtool create 0x1234 600); mqtool send $id 1 hello
 *   $ mqtool recv $id 1 nowait
 *   hello
 *
 * Errors print "mqtool: WHAT: strerror" and exit 1.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#define BUF_MAX (1 << 20)

struct msg {
	long mtype;
	char mtext[BUF_MAX];
};

static struct msg m;

static void out(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n)
		err(1, "write");
}

/*
 * reader FILE LOG [SIZE]: read FILE (an ipcfs queue) until told to stop,
 * appending every message read() returns to LOG, one per line, before
 * anything else.  SIGTERM and SIGINT have a handler installed without
 * SA_RESTART: a blocked read() ends with EINTR (ipcfs puts back a message
 * it took meanwhile) or returns a message, which is logged before the flag
 * is looked at.  So a reader ended this way never loses a message by
 * itself, and the tests can count exactly.  Prints "ready" once open.
 */
static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int reader(const char *file, const char *log, size_t size)
{
	struct sigaction sa;
	char *buf = malloc(size + 1);
	int fd, lfd;

	if (!buf)
		err(1, "malloc");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (lfd < 0)
		err(1, "%s", log);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "%s", file);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t n = read(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;	/* the loop condition decides */
			err(1, "read");
		}
		/* One write per message: a regular file's write is not cut
		 * short by a signal. */
		buf[n] = '\n';
		if (write(lfd, buf, (size_t)n + 1) != n + 1)
			err(1, "log");
	}
	free(buf);
	close(fd);
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	int id;

	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of mqtool.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "create")) {
		key_t key = strcmp(argv[2], "private") ? (key_t)strtoul(argv[2], NULL, 0) : IPC_PRIVATE;
		int mode = argc > 3 ? (int)strtol(argv[3], NULL, 8) : 0600;

		id = msgget(key, IPC_CREAT | IPC_EXCL | mode);
		if (id < 0)
			err(1, "msgget");
		printf("%d\n", id);
		return 0;
	}
	if (!strcmp(argv[1], "reader") && argc >= 4)
		return reader(argv[2], argv[3], argc > 4 ? strtoul(argv[4], NULL, 0) : 65536);
	id = atoi(argv[2]);
	if (!strcmp(argv[1], "send") && argc == 5) {
		size_t n = strlen(argv[4]);

		m.mtype = strtol(argv[3], NULL, 0);
		memcpy(m.mtext, argv[4], n);
		if (msgsnd(id, &m, n, 0))
			err(1, "msgsnd");
	} else if (!strcmp(argv[1], "recv")) {
		long type = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
		int flg = argc > 4 && !strcmp(argv[4], "nowait") ? IPC_NOWAIT : 0;
		ssize_t n = msgrcv(id, &m, BUF_MAX, type, flg);

		if (n < 0)
			err(1, "msgrcv");
		out(m.mtext, (size_t)n);
	} else if (!strcmp(argv[1], "copy") && argc == 4) {
		ssize_t n = msgrcv(id, &m, BUF_MAX, strtol(argv[3], NULL, 0), MSG_COPY | IPC_NOWAIT);

		if (n < 0)
			err(1, "msgrcv MSG_COPY");
		out(m.mtext, (size_t)n);
	} else if (!strcmp(argv[1], "send-seq") && argc >= 4) {
		long n = strtol(argv[3], NULL, 0);

		long usec = argc > 5 ? strtol(argv[5], NULL, 0) : 0;

		m.mtype = argc > 4 ? strtol(argv[4], NULL, 0) : 1;
		for (long i = 1; i <= n; i++) {
			int len = snprintf(m.mtext, sizeof(m.mtext), "%ld", i);

			if (usec && i > 1)
				usleep((useconds_t)usec);

			while (msgsnd(id, &m, (size_t)len, 0))
				if (errno != EINTR)
					err(1, "msgsnd");
		}
	} else if (!strcmp(argv[1], "recv-n") && argc == 4) {
		long n = strtol(argv[3], NULL, 0);

		for (long i = 0; i < n; i++) {
			ssize_t got = msgrcv(id, &m, BUF_MAX - 1, 0, 0);

			if (got < 0) {
				if (errno == EINTR) {
					i--;
					continue;
				}
				err(1, "msgrcv");
			}
			m.mtext[got] = '\n';
			out(m.mtext, (size_t)got + 1);
		}
	} else if (!strcmp(argv[1], "recv-all")) {
		ssize_t got;

		while ((got = msgrcv(id, &m, BUF_MAX - 1, 0, IPC_NOWAIT)) >= 0) {
			m.mtext[got] = '\n';
			out(m.mtext, (size_t)got + 1);
		}
		if (errno != ENOMSG)
			err(1, "msgrcv");
	} else if (!strcmp(argv[1], "count")) {
		struct msqid_ds ds;

		if (msgctl(id, IPC_STAT, &ds))
			err(1, "IPC_STAT");
		printf("%lu\n", (unsigned long)ds.msg_qnum);
	} else if (!strcmp(argv[1], "qbytes") && argc == 4) {
		struct msqid_ds ds;

		if (msgctl(id, IPC_STAT, &ds))
			err(1, "IPC_STAT");
		ds.msg_qbytes = strtoul(argv[3], NULL, 0);
		if (msgctl(id, IPC_SET, &ds))
			err(1, "IPC_SET");
	} else if (!strcmp(argv[1], "rm")) {
		if (msgctl(id, IPC_RMID, NULL))
			err(1, "IPC_RMID");
	} else {
		fprintf(stderr, "mqtool: bad arguments\n");
		return 2;
	}
	return 0;
}
