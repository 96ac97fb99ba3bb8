// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killwait.c - a client killed while it waits must take nothing with it,
 * for tests/integration/sem.sh and mq.sh.  Each round: a child blocks
 * through the mount (a P on a semaphore file, or a read of a queue file),
 * is killed with SIGKILL, and right after the kill the parent makes the
 * operation possible natively (a V, or a msgsnd).  The V or the message
 * must still be there once the child is reaped.
 *
 * That is more than the kernel promises its own callers: a msgsnd right
 * after the kill often hands the message to the dying reader, still on
 * the queue's list of receivers (measured natively: 452 of 1,500 rounds
 * on an idle machine).  ipcfs gives back whatever its worker took for a
 * caller it sees dying, so the rounds must lose nothing -- provided the
 * kill comes while the daemon's worker waits, not while the request is
 * still on its way to it: each round starts once the semaphore counts a
 * waiter (GETNCNT) or, a queue having no count of readers, once one more
 * of the daemon's threads sleeps in msgrcv (its wchan).
 *
 *   killwait sem PATH SEMID ROUNDS          PATH is the semaphore file (value 0)
 *   killwait mq PATH MSQID ROUNDS DAEMON    PATH is the queue file (empty queue),
 *                                           DAEMON the pid of the ipcfs serving it
 *
 * Prints "rounds R lost L" and exits 0 when L is 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };

	nanosleep(&ts, NULL);
}

/* How many threads of process `pid` sleep in msgrcv. */
static int in_msgrcv(pid_t pid)
{
	char path[320], buf[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && !strcmp(buf, "do_msgrcv"))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

int main(int argc, char **argv)
{
	struct {
		long mtype;
		char mtext[16];
	} msg = { .mtype = 1 };
	int sem, id, rounds, lost = 0;
	pid_t daemon = 0;

	sem = argc == 5 && !strcmp(argv[1], "sem");
	if (!sem && !(argc == 6 && !strcmp(argv[1], "mq"))) {
		fprintf(stderr, "usage: killwait sem PATH SEMID ROUNDS\n"
				"       killwait mq PATH MSQID ROUNDS DAEMON-PID\n");
		return 2;
	}
	id = atoi(argv[3]);
	rounds = atoi(argv[4]);
	if (!sem)
		daemon = atoi(argv[5]);
	for (int r = 0; r < rounds; r++) {
		int before = sem ? 0 : in_msgrcv(daemon);
		pid_t pid = fork();
		int waited = 0;

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid) {
			char buf[64];
			int fd = open(argv[2], sem ? O_WRONLY : O_RDONLY);

			if (fd < 0)
				_exit(3);
			if (sem)
				(void)!write(fd, "-1\n", 3);
			else
				(void)!read(fd, buf, sizeof(buf));
			_exit(0);
		}
		/* Wait until it waits: in the semaphore's ncnt, or (a queue
		 * has no count of readers) in a worker of the daemon, and a
		 * moment more. */
		for (int i = 0; i < 20000; i++) {
			if (sem ? semctl(id, 0, GETNCNT) == 1 : in_msgrcv(daemon) > before) {
				waited = 1;
				break;
			}
			nap(100);
		}
		if (!waited) {
			fprintf(stderr, "round %d: the child never waited\n", r);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return 2;
		}
		if (!sem)
			nap(500);
		kill(pid, SIGKILL);
		if (sem) {
			struct sembuf v = { .sem_num = 0, .sem_op = 1 };

			semop(id, &v, 1);
		} else {
			snprintf(msg.mtext, sizeof(msg.mtext), "m%d", r);
			msgsnd(id, &msg, strlen(msg.mtext), 0);
		}
		waitpid(pid, NULL, 0);
		/* Reaped: the daemon has answered; what it took is back. */
		if (sem) {
			struct sembuf p = { .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };

			if (semop(id, &p, 1))
				lost++;
		} else {
			if (msgrcv(id, &msg, sizeof(msg.mtext), 0, IPC_NOWAIT) < 0)
				lost++;
		}
	}
	printf("rounds %d lost %d\n", rounds, lost);
	return lost ? 1 : 0;
}
