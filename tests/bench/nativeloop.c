// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nativeloop.c - `make bench` driver: the native System V calls that
 * ipcfs's figures are compared with, timed the way fdloop times a file.
 * Nothing here touches a filesystem except `recv`, which runs a command
 * that does (`sh -c 'seq 100000 > MOUNT/mq/ID/lines'`).
 *
 *   nativeloop msgsnd ID COUNT SIZE       COUNT messages of SIZE bytes, type 1
 *   nativeloop msgrcv ID COUNT BUFSIZE    COUNT receives of any type, of messages
 *                                         of 64 bytes
 *   nativeloop mqsend /NAME COUNT SIZE    the same with a POSIX queue (mq_send,
 *   nativeloop mqrecv /NAME COUNT BUFSIZE priority 0; batches of mq_maxmsg)
 *   nativeloop semop ID COUNT             semop +1, -1, +1 ... on semaphore 0
 *   nativeloop shmcopy ID in|out          memcpy the whole segment in (write)
 *                                         or out (read), 1 MiB at a time, its
 *                                         pages mapped beforehand (untimed)
 *   nativeloop mapcopy PATH in|out        the same through an mmap(MAP_SHARED)
 *                                         of the file PATH (a mount's data)
 *   nativeloop msgstat ID COUNT           COUNT msgctl(MSG_STAT_ANY) of queue ID
 *   nativeloop semstat ID COUNT           COUNT semctl(SEM_STAT_ANY) of set ID:
 *                                         the check ipcfs makes before every
 *                                         operation on a queue or semaphore file
 *                                         (one call, by the id's index)
 *   nativeloop lines ID COUNT             a child sends "1" .. "COUNT" while
 *                                         this process receives them
 *   nativeloop recv ID COUNT CMD [ARG...] run CMD and receive the COUNT
 *                                         messages "1" .. "COUNT" it sends
 *   nativeloop feed ID COUNT CMD [ARG...] run CMD (a reader through the mount)
 *                                         while this process sends "1" ..
 *                                         "COUNT"; timed until the queue is
 *                                         empty again, then CMD is killed
 *   nativeloop wake ID ROUNDS [PATH]      a child blocks in a P of 1 on
 *                                         semaphore 0 (writing "-1" to PATH,
 *                                         or semop), then this process V's
 *                                         it (writing "+1" to PATH, or
 *                                         semop); prints the median
 *                                         microseconds from the V to the
 *                                         child's return
 *   nativeloop time SECONDS CMD [ARG...]  run CMD, its output to /dev/null,
 *                                         killed after SECONDS; prints the
 *                                         milliseconds from fork to its exit
 *
 * msgsnd and msgrcv go in batches of what the queue holds (qbytes / 64),
 * emptying or filling it between batches with the clock stopped, exactly
 * as `fdloop -q` does through a file.
 *
 * Prints "SECONDS PER_SECOND BYTES" (operations, messages or bytes per
 * second) and exits 0; prints why and exits 1 on any failure, including
 * a message that is not the next number.
 */
#include <errno.h>
#include <mqueue.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)
#define MSG_MAX 65536
#define RECV_TIMEOUT 300	/* seconds before `recv` gives up on a stuck sender */

struct msg {
	long mtype;
	char mtext[MSG_MAX];
};

static struct msg m;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "nativeloop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void report(double t0, double n, double bytes)
{
	double t = now() - t0;

	printf("%.6f %.1f %.0f\n", t, n / t, bytes);
}

/* How many messages of `len` bytes queue `id` holds. */
static long batch_of(int id, size_t len)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds))
		die("msgctl IPC_STAT");
	return ds.msg_qbytes / len ? (long)(ds.msg_qbytes / len) : 1;
}

static void drain(int id)
{
	while (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
		;
}

static void fill(int id, long count, size_t len)
{
	m.mtype = 1;
	memset(m.mtext, 'x', len);
	for (long i = 0; i < count; i++)
		if (msgsnd(id, &m, len, IPC_NOWAIT))
			die("msgsnd (fill)");
}

static void on_chld(int sig)
{
	(void)sig;
}

/*
 * Receive "1" .. "count" in order, while `child` sends them.  A child
 * that fails or dies interrupts msgrcv through SIGCHLD (no SA_RESTART),
 * so a sender that stops early ends the wait instead of hanging it.
 */
static void receive_from(int id, long count, pid_t child)
{
	char want[24];
	int status;
	bool child_done = false;

	for (long i = 1; i <= count; i++) {
		ssize_t n = msgrcv(id, &m, sizeof(m.mtext), 0, 0);

		if (n < 0) {
			if (errno != EINTR)
				die("msgrcv");
			if (!child_done && waitpid(child, &status, WNOHANG) == child) {
				child_done = true;
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					fprintf(stderr, "nativeloop: the sender failed after %ld "
						"messages\n", i - 1);
					exit(1);
				}
			}
			i--;
			continue;
		}
		snprintf(want, sizeof(want), "%ld", i);
		if ((size_t)n != strlen(want) || memcmp(m.mtext, want, (size_t)n)) {
			fprintf(stderr, "nativeloop: message %ld is \"%.*s\", not \"%s\"\n", i,
				(int)(n > 20 ? 20 : n), m.mtext, want);
			exit(1);
		}
	}
	if (!child_done && (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
			    WEXITSTATUS(status))) {
		fprintf(stderr, "nativeloop: the sender failed\n");
		exit(1);
	}
}

/* mqsend/mqrecv: COUNT mq_send()s of SIZE bytes, or mq_receive()s into a
 * buffer of SIZE, in batches of what the queue holds (mq_maxmsg), the
 * queue emptied or filled between batches with the clock stopped. */
static int posix_loop(bool sending, const char *name, long count, size_t size)
{
	mqd_t q = mq_open(name, O_RDWR), nq = mq_open(name, O_RDWR | O_NONBLOCK);
	static char buf[1 << 16];
	struct mq_attr at;
	double t0, spent = 0, bytes = 0;
	long batch;

	if (q == (mqd_t)-1 || nq == (mqd_t)-1 || mq_getattr(q, &at) || size > sizeof(buf))
		die(name);
	batch = at.mq_maxmsg;
	memset(buf, 'x', sizeof(buf));
	while (mq_receive(nq, buf, sizeof(buf), NULL) >= 0)
		;
	for (long i = 0; !sending && i < batch && i < count; i++)
		if (mq_send(nq, buf, 64, 0))
			die("mq_send");
	t0 = now();
	for (long i = 0; i < count; i++) {
		ssize_t n = sending ? mq_send(q, buf, size, 0) : mq_receive(q, buf, size, NULL);

		if (n < 0)
			die(sending ? "mq_send" : "mq_receive");
		bytes += sending ? (double)size : (double)n;
		if ((i + 1) % batch == 0 && i + 1 < count) {
			spent += now() - t0;
			while (sending && mq_receive(nq, buf, sizeof(buf), NULL) >= 0)
				;
			for (long k = 0; !sending && k < batch && k < count - i - 1; k++)
				if (mq_send(nq, buf, 64, 0))
					die("mq_send");
			t0 = now();
		}
	}
	report(t0 - spent, (double)count, bytes);
	while (mq_receive(nq, buf, sizeof(buf), NULL) >= 0)
		;
	mq_close(q);
	mq_close(nq);
	return 0;
}

/*
 * memcpy `size` bytes of `mem` in (`in`: from a buffer) or out, 1 MiB at
 * a time, every page mapped (and written, for `in`) beforehand, untimed:
 * the figure is the copy.  Reports bytes per second.
 */
static void copy_loop(char *mem, size_t size, bool in)
{
	char *buf = malloc(CHUNK);
	double t0;

	if (!buf)
		die("malloc");
	memset(buf, 'y', CHUNK);
	for (size_t off = 0; off < size; off += 4096)
		*(volatile char *)(mem + off);
	if (in)
		for (size_t off = 0; off < size; off += 4096)
			*(volatile char *)(mem + off) = 'y';
	t0 = now();
	for (size_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;

		if (in)
			memcpy(mem + off, buf, n);
		else
			memcpy(buf, mem + off, n);
		/* Keep the copy from being optimised away. */
		__asm__ volatile("" : : "r"(buf) : "memory");
	}
	report(t0, (double)size, (double)size);
	free(buf);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_chld };
	long count;
	double t0;
	int id;

	if (argc < 4) {
		fprintf(stderr, "usage: see the comment at the top of nativeloop.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "mqsend") || !strcmp(argv[1], "mqrecv"))
		return posix_loop(argv[1][2] == 's', argv[2], atol(argv[3]), (size_t)atol(argv[4]));
	if (!strcmp(argv[1], "time")) {
		int status, limit = atoi(argv[2]);
		pid_t child;

		t0 = now();
		child = fork();
		if (child < 0)
			die("fork");
		if (!child) {
			int null = open("/dev/null", O_WRONLY);

			if (null < 0 || dup2(null, 1) < 0)
				die("/dev/null");
			alarm((unsigned)limit);	/* survives exec: a hung command ends */
			execvp(argv[3], argv + 3);
			die(argv[3]);
		}
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "nativeloop: %s %s\n", argv[3],
				WIFSIGNALED(status) ? "was killed (time limit?)" : "failed");
			return 1;
		}
		printf("%.3f\n", (now() - t0) * 1000);
		return 0;
	}
	if (!strcmp(argv[1], "mapcopy")) {
		bool in = !strcmp(argv[3], "in");
		int fd = open(argv[2], in ? O_RDWR : O_RDONLY);
		struct stat st;
		void *mem;

		if (fd < 0 || fstat(fd, &st))
			die(argv[2]);
		mem = mmap(NULL, (size_t)st.st_size, in ? PROT_READ | PROT_WRITE : PROT_READ,
			   MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED)
			die("mmap");
		copy_loop(mem, (size_t)st.st_size, in);
		return 0;
	}
	id = atoi(argv[2]);
	count = atol(argv[3]);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	if (!strcmp(argv[1], "msgsnd") && argc == 5) {
		size_t size = (size_t)atol(argv[4]);
		long batch = batch_of(id, size);
		double spent = 0;

		drain(id);
		m.mtype = 1;
		memset(m.mtext, 'x', size);
		t0 = now();
		for (long i = 0; i < count; i++) {
			if (msgsnd(id, &m, size, 0))
				die("msgsnd");
			if ((i + 1) % batch == 0 && i + 1 < count) {
				spent += now() - t0;
				drain(id);
				m.mtype = 1;
				t0 = now();
			}
		}
		report(t0 - spent, (double)count, (double)count * (double)size);
		drain(id);
		return 0;
	}
	if (!strcmp(argv[1], "msgrcv") && argc == 5) {
		size_t size = (size_t)atol(argv[4]);
		long batch = batch_of(id, 64);
		double bytes = 0, spent = 0;

		drain(id);
		fill(id, batch < count ? batch : count, 64);
		t0 = now();
		for (long i = 0; i < count; i++) {
			ssize_t n = msgrcv(id, &m, size, 0, 0);

			if (n < 0)
				die("msgrcv");
			bytes += (double)n;
			if ((i + 1) % batch == 0 && i + 1 < count) {
				spent += now() - t0;
				fill(id, batch < count - i - 1 ? batch : count - i - 1, 64);
				t0 = now();
			}
		}
		report(t0 - spent, (double)count, bytes);
		return 0;
	}
	if (!strcmp(argv[1], "semop")) {
		struct sembuf up = { 0, 1, 0 }, down = { 0, -1, 0 };

		t0 = now();
		for (long i = 0; i < count; i++)
			if (semop(id, (i & 1) ? &down : &up, 1))
				die("semop");
		report(t0, (double)count, 0);
		return 0;
	}
	if (!strcmp(argv[1], "shmcopy")) {
		bool in = !strcmp(argv[3], "in");
		struct shmid_ds ds;
		char *seg;

		if (shmctl(id, IPC_STAT, &ds))
			die("shmctl");
		seg = shmat(id, NULL, in ? 0 : SHM_RDONLY);
		if (seg == (void *)-1)
			die("shmat");
		copy_loop(seg, ds.shm_segsz, in);
		shmdt(seg);
		return 0;
	}
	/* As ipcfs asks (backends/sysv.c, ipc_stat_id): by the id's index. */
	if (!strcmp(argv[1], "msgstat")) {
		struct msqid_ds ds;

		t0 = now();
		for (long i = 0; i < count; i++)
			if (msgctl(id & 0x7fff, MSG_STAT_ANY, &ds) != id)
				die("msgctl MSG_STAT_ANY");
		report(t0, (double)count, 0);
		return 0;
	}
	if (!strcmp(argv[1], "semstat")) {
		struct semid_ds ds;

		t0 = now();
		for (long i = 0; i < count; i++)
			if (semctl(id & 0x7fff, 0, SEM_STAT_ANY, &ds) != id)
				die("semctl SEM_STAT_ANY");
		report(t0, (double)count, 0);
		return 0;
	}
	if (!strcmp(argv[1], "lines")) {
		pid_t child;

		t0 = now();
		child = fork();
		if (child < 0)
			die("fork");
		if (!child) {
			for (long i = 1; i <= count; i++) {
				int n = snprintf(m.mtext, sizeof(m.mtext), "%ld", i);

				m.mtype = 1;
				if (msgsnd(id, &m, (size_t)n, 0))
					die("msgsnd");
			}
			_exit(0);
		}
		alarm(RECV_TIMEOUT);
		receive_from(id, count, child);
		report(t0, (double)count, 0);
		return 0;
	}
	if (!strcmp(argv[1], "feed") && argc >= 5) {
		struct msqid_ds ds;
		pid_t child = fork();

		if (child < 0)
			die("fork");
		if (!child) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, 1);
			execvp(argv[4], argv + 4);
			die(argv[4]);
		}
		alarm(RECV_TIMEOUT);
		t0 = now();
		for (long i = 1; i <= count; i++) {
			int n = snprintf(m.mtext, sizeof(m.mtext), "%ld", i);

			m.mtype = 1;
			if (msgsnd(id, &m, (size_t)n, 0))
				die("msgsnd");
		}
		do {
			if (msgctl(id, IPC_STAT, &ds))
				die("msgctl");
		} while (ds.msg_qnum && !usleep(50));
		report(t0, (double)count, 0);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!strcmp(argv[1], "wake") && argc >= 4) {
		const char *path = argc > 4 ? argv[4] : NULL;
		double *lat = calloc((size_t)count, sizeof(double));

		if (!lat)
			die("calloc");
		alarm(RECV_TIMEOUT);
		for (long r = 0; r < count; r++) {
			int done[2];
			pid_t child;
			char c;

			if (pipe(done))
				die("pipe");
			child = fork();
			if (child < 0)
				die("fork");
			if (!child) {
				struct sembuf p = { 0, -1, 0 };
				int fd = path ? open(path, O_WRONLY) : -1;

				if (path ? (fd < 0 || write(fd, "-1\n", 3) != 3) : semop(id, &p, 1) != 0)
					_exit(1);
				(void)!write(done[1], "x", 1);
				_exit(0);
			}
			while (semctl(id, 0, GETNCNT) < 1)
				usleep(100);
			t0 = now();
			if (path) {
				int fd = open(path, O_WRONLY);

				if (fd < 0 || write(fd, "+1\n", 3) != 3)
					die("V through the file");
				close(fd);
			} else {
				struct sembuf v = { 0, 1, 0 };

				if (semop(id, &v, 1))
					die("semop");
			}
			if (read(done[0], &c, 1) != 1)
				die("the waiter failed");
			lat[r] = (now() - t0) * 1e6;
			waitpid(child, NULL, 0);
			close(done[0]);
			close(done[1]);
		}
		qsort(lat, (size_t)count, sizeof(double), cmp_double);
		printf("%.2f\n", lat[count / 2]);
		return 0;
	}
	if (!strcmp(argv[1], "recv") && argc >= 5) {
		pid_t child;

		t0 = now();
		child = fork();
		if (child < 0)
			die("fork");
		if (!child) {
			execvp(argv[4], argv + 4);
			die(argv[4]);
		}
		alarm(RECV_TIMEOUT);
		receive_from(id, count, child);
		report(t0, (double)count, 0);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of nativeloop.c\n");
	return 2;
}
