// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * semtool.c - a plain System V semaphore program, the "other side" in the
 * integration tests.  It uses semget/semop/semctl directly, never ipcfs
 * (except `write`, which is a file writer with precise control).
 *
 *   semtool create KEY|private NSEMS [MODE]  print the new semid
 *   semtool op ID NUM DELTA [nowait]         semop(DELTA: +N, -N or 0), then print "done"
 *   semtool getval ID NUM                    print the value
 *   semtool getall ID                        print all values, space separated
 *   semtool setval ID NUM VALUE              SETVAL
 *   semtool setall ID VALUE...               SETALL
 *   semtool ncnt ID NUM / zcnt ID NUM        processes waiting to decrease / for zero
 *   semtool pid ID NUM                       GETPID: the last process to operate
 *   semtool rm ID                            IPC_RMID
 *   semtool write PATH TEXT [nonblock] [handler]
 *                                            open(PATH, O_WRONLY [|O_NONBLOCK]) and
 *                                            write TEXT once; with `handler`, SIGINT
 *                                            runs a handler (no SA_RESTART) instead
 *                                            of killing.  Prints "ok" or strerror;
 *                                            exit 0 or 1.
 *
 *   $ semtool op 32769 0 -1 &    # blocks in P
 *   $ echo +1 > mnt/sem/32769/0  # prints "done"
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int get(int id, int num, int cmd, const char *what)
{
	int v = semctl(id, num, cmd);

	if (v < 0)
		err(1, "%s", what);
	return v;
}

static void on_sigint(int sig)
{
	static const char msg[] = "caught SIGINT\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
}

/* One write(2) of TEXT to PATH, reporting exactly what write returned. */
static int write_file(int argc, char **argv)
{
	int flags = O_WRONLY;
	ssize_t n;
	int fd;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "nonblock")) {
			flags |= O_NONBLOCK;
		} else if (!strcmp(argv[i], "handler")) {
			struct sigaction sa = { .sa_handler = on_sigint };

			sigemptyset(&sa.sa_mask);
			sigaction(SIGINT, &sa, NULL);
		}
	}
	fd = open(argv[2], flags);
	if (fd < 0)
		err(1, "open");
	n = write(fd, argv[3], strlen(argv[3]));
	if (n < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	union semun arg;
	int id;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of semtool.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "create") && argc >= 4) {
		key_t key = strcmp(argv[2], "private") ? (key_t)strtoul(argv[2], NULL, 0) : IPC_PRIVATE;
		int mode = argc > 4 ? (int)strtol(argv[4], NULL, 8) : 0600;

		id = semget(key, atoi(argv[3]), IPC_CREAT | IPC_EXCL | mode);
		if (id < 0)
			err(1, "semget");
		printf("%d\n", id);
		return 0;
	}
	if (!strcmp(argv[1], "write") && argc >= 4)
		return write_file(argc, argv);
	id = atoi(argv[2]);
	if (!strcmp(argv[1], "op") && argc >= 5) {
		struct sembuf sb = {
			.sem_num = (unsigned short)atoi(argv[3]),
			.sem_op = (short)atoi(argv[4]),
			.sem_flg = argc > 5 && !strcmp(argv[5], "nowait") ? IPC_NOWAIT : 0,
		};

		if (semop(id, &sb, 1))
			err(1, "semop");
		printf("done\n");
	} else if (!strcmp(argv[1], "getval") && argc == 4) {
		printf("%d\n", get(id, atoi(argv[3]), GETVAL, "GETVAL"));
	} else if (!strcmp(argv[1], "ncnt") && argc == 4) {
		printf("%d\n", get(id, atoi(argv[3]), GETNCNT, "GETNCNT"));
	} else if (!strcmp(argv[1], "zcnt") && argc == 4) {
		printf("%d\n", get(id, atoi(argv[3]), GETZCNT, "GETZCNT"));
	} else if (!strcmp(argv[1], "pid") && argc == 4) {
		printf("%d\n", get(id, atoi(argv[3]), GETPID, "GETPID"));
	} else if (!strcmp(argv[1], "getall")) {
		struct semid_ds ds;
		unsigned short vals[4096];

		arg.buf = &ds;
		if (semctl(id, 0, IPC_STAT, arg))
			err(1, "IPC_STAT");
		if (ds.sem_nsems > 4096) {
			errno = E2BIG;
			err(1, "getall");
		}
		arg.array = vals;
		if (semctl(id, 0, GETALL, arg))
			err(1, "GETALL");
		for (unsigned long i = 0; i < ds.sem_nsems; i++)
			printf(i ? " %u" : "%u", vals[i]);
		printf("\n");
	} else if (!strcmp(argv[1], "setval") && argc == 5) {
		arg.val = atoi(argv[4]);
		if (semctl(id, atoi(argv[3]), SETVAL, arg))
			err(1, "SETVAL");
	} else if (!strcmp(argv[1], "setall") && argc >= 4 && argc - 3 <= 4096) {
		unsigned short vals[4096];

		for (int i = 3; i < argc; i++)
			vals[i - 3] = (unsigned short)atoi(argv[i]);
		arg.array = vals;
		if (semctl(id, 0, SETALL, arg))
			err(1, "SETALL");
	} else if (!strcmp(argv[1], "rm")) {
		if (semctl(id, 0, IPC_RMID))
			err(1, "IPC_RMID");
	} else {
		fprintf(stderr, "semtool: bad arguments\n");
		return 2;
	}
	return 0;
}
