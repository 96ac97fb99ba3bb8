// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchobj.c - `make bench` helper: makes, tracks and removes the System V
 * objects the benchmark uses, and nothing else.  Every object it makes is
 * recorded ("m ID", "s ID" or "q ID", one line) in a track file before
 * the next one is made, with INT/TERM/HUP held off in between, so that
 * bench.sh's exit trap can remove exactly these objects by id; `rm` never
 * lists the system's objects, and refuses an id whose key is neither
 * IPC_PRIVATE nor in the benchmark's range 0x1fc5c000..0x1fc5ffff.
 *
 *   benchobj free shm|sem|mq            "FREE LIMIT USED" ids of that kind
 *   benchobj create KIND N TRACK [P]    N IPC_PRIVATE objects (P: shm size
 *                                       in bytes, sem nsems; default 1);
 *                                       prints how many were made
 *   benchobj key KIND KEY TRACK [P]     one object with KEY (a leftover with
 *                                       that key from a killed run is removed
 *                                       first); prints its id
 *   benchobj rm TRACK [KIND]            remove every tracked object (of KIND);
 *                                       the track file keeps only the others
 *                                       and what could not be removed
 *   benchobj qbytes ID BYTES            IPC_SET msg_qbytes (root may exceed msgmnb)
 *   benchobj qnum ID                    messages queued
 *   benchobj fill ID COUNT SIZE         send until COUNT messages are queued
 *   benchobj drain ID                   receive whatever is queued
 *   benchobj setval ID VAL              SETVAL of semaphore 0
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#define KEY_FIRST 0x1fc5c000u
#define KEY_LAST 0x1fc5ffffu
#define MSG_MAX 65536

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static void die(const char *what)
{
	fprintf(stderr, "benchobj: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char kind_letter(const char *kind)
{
	if (!strcmp(kind, "shm"))
		return 'm';
	if (!strcmp(kind, "sem"))
		return 's';
	if (!strcmp(kind, "mq"))
		return 'q';
	fprintf(stderr, "benchobj: unknown kind %s (shm, sem, mq)\n", kind);
	exit(2);
}

static int make(char k, key_t key, unsigned long param)
{
	int flags = IPC_CREAT | IPC_EXCL | 0600;

	switch (k) {
	case 'm':
		return shmget(key, param ? param : 1, flags);
	case 's':
		return semget(key, param ? (int)param : 1, flags);
	default:
		return msgget(key, flags);
	}
}

/* The key of object `id` (IPC_STAT), or -1 with errno when it is gone. */
static long key_of(char k, int id)
{
	switch (k) {
	case 'm': {
		struct shmid_ds ds;

		return shmctl(id, IPC_STAT, &ds) ? -1 : (long)(unsigned)ds.shm_perm.__key;
	}
	case 's': {
		struct semid_ds ds;
		union semun arg = { .buf = &ds };

		return semctl(id, 0, IPC_STAT, arg) ? -1 : (long)(unsigned)ds.sem_perm.__key;
	}
	default: {
		struct msqid_ds ds;

		return msgctl(id, IPC_STAT, &ds) ? -1 : (long)(unsigned)ds.msg_perm.__key;
	}
	}
}

static int remove_id(char k, int id)
{
	switch (k) {
	case 'm':
		return shmctl(id, IPC_RMID, NULL);
	case 's':
		return semctl(id, 0, IPC_RMID);
	default:
		return msgctl(id, IPC_RMID, NULL);
	}
}

static void track(int fd, char k, int id)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%c %d\n", k, id);

	if (write(fd, line, (size_t)n) != n)
		die("track file");
}

static int open_track(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		die(path);
	return fd;
}

/* Made and recorded, or neither: the signals that end a run wait. */
static void hold_signals(bool hold)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int cmd_free(char k)
{
	long limit, used;

	if (k == 'm') {
		struct shminfo si;
		struct shm_info su;

		if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&si) < 0 ||
		    shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&su) < 0)
			die("shmctl");
		limit = (long)si.shmmni;
		used = su.used_ids;
	} else if (k == 's') {
		struct seminfo si;
		union semun arg = { .__buf = &si };

		if (semctl(0, 0, IPC_INFO, arg) < 0)
			die("semctl IPC_INFO");
		limit = si.semmni;
		if (semctl(0, 0, SEM_INFO, arg) < 0)
			die("semctl SEM_INFO");
		used = si.semusz;	/* SEM_INFO: sets in use */
	} else {
		struct msginfo mi;

		if (msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi) < 0)
			die("msgctl IPC_INFO");
		limit = mi.msgmni;
		if (msgctl(0, MSG_INFO, (struct msqid_ds *)(void *)&mi) < 0)
			die("msgctl MSG_INFO");
		used = mi.msgpool;	/* MSG_INFO: queues in use */
	}
	printf("%ld %ld %ld\n", limit > used ? limit - used : 0, limit, used);
	return 0;
}

static int cmd_create(char k, long n, const char *path, unsigned long param)
{
	int fd = open_track(path);
	long made = 0;

	for (; made < n; made++) {
		int id;

		hold_signals(true);
		id = make(k, IPC_PRIVATE, param);
		if (id >= 0)
			track(fd, k, id);
		hold_signals(false);
		if (id < 0) {
			fprintf(stderr, "benchobj: made %ld of %ld: %s\n", made, n, strerror(errno));
			break;
		}
	}
	close(fd);
	printf("%ld\n", made);
	return made == n ? 0 : 3;
}

static int cmd_key(char k, const char *keytext, const char *path, unsigned long param)
{
	unsigned long key = strtoul(keytext, NULL, 0);
	int fd, id;

	if (key < KEY_FIRST || key > KEY_LAST) {
		fprintf(stderr, "benchobj: key %#lx is outside the benchmark's range\n", key);
		return 2;
	}
	fd = open_track(path);
	hold_signals(true);
	id = make(k, (key_t)key, param);
	if (id < 0 && errno == EEXIST) {
		/* A leftover of a run that was killed: the range is ours. */
		int old = k == 'm' ? shmget((key_t)key, 0, 0)
			  : k == 's' ? semget((key_t)key, 0, 0) : msgget((key_t)key, 0);

		if (old >= 0)
			remove_id(k, old);
		id = make(k, (key_t)key, param);
	}
	if (id >= 0)
		track(fd, k, id);
	hold_signals(false);
	close(fd);
	if (id < 0)
		die("create");
	printf("%d\n", id);
	return 0;
}

static int cmd_rm(const char *path, char only)
{
	char tmp[4096], line[64];
	FILE *in = fopen(path, "re"), *out;
	long removed = 0, kept = 0;

	if (!in)
		return errno == ENOENT ? 0 : (die(path), 1);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "we");
	if (!out)
		die(tmp);
	while (fgets(line, sizeof(line), in)) {
		char k;
		int id;
		long key;

		if (sscanf(line, "%c %d", &k, &id) != 2 || !strchr("msq", k))
			continue;
		if (only && k != only) {
			fprintf(out, "%c %d\n", k, id);
			continue;
		}
		key = key_of(k, id);
		if (key < 0) {
			if (errno == EINVAL || errno == EIDRM)
				continue;	/* gone already */
			fprintf(out, "%c %d\n", k, id);
			kept++;
			continue;
		}
		if (key != IPC_PRIVATE && (key < (long)KEY_FIRST || key > (long)KEY_LAST)) {
			/* The id was reused by someone else's object: not ours. */
			continue;
		}
		if (remove_id(k, id) && errno != EINVAL && errno != EIDRM) {
			fprintf(out, "%c %d\n", k, id);
			kept++;
			continue;
		}
		removed++;
	}
	fclose(in);
	if (fclose(out))
		die(tmp);
	if (rename(tmp, path))
		die(path);
	printf("%ld removed, %ld left\n", removed, kept);
	return kept ? 1 : 0;
}

static struct {
	long mtype;
	char mtext[MSG_MAX];
} m;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of benchobj.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "free"))
		return cmd_free(kind_letter(argv[2]));
	if (!strcmp(argv[1], "create") && argc >= 5)
		return cmd_create(kind_letter(argv[2]), atol(argv[3]), argv[4],
				  argc > 5 ? strtoul(argv[5], NULL, 0) : 0);
	if (!strcmp(argv[1], "key") && argc >= 5)
		return cmd_key(kind_letter(argv[2]), argv[3], argv[4],
			       argc > 5 ? strtoul(argv[5], NULL, 0) : 0);
	if (!strcmp(argv[1], "rm"))
		return cmd_rm(argv[2], argc > 3 ? kind_letter(argv[3]) : 0);
	if (!strcmp(argv[1], "qbytes") && argc == 4) {
		struct msqid_ds ds;

		if (msgctl(atoi(argv[2]), IPC_STAT, &ds))
			die("msgctl IPC_STAT");
		ds.msg_qbytes = strtoul(argv[3], NULL, 0);
		if (msgctl(atoi(argv[2]), IPC_SET, &ds))
			die("msgctl IPC_SET");
		return 0;
	}
	if (!strcmp(argv[1], "qnum")) {
		struct msqid_ds ds;

		if (msgctl(atoi(argv[2]), IPC_STAT, &ds))
			die("msgctl IPC_STAT");
		printf("%lu\n", (unsigned long)ds.msg_qnum);
		return 0;
	}
	if (!strcmp(argv[1], "fill") && argc == 5) {
		int id = atoi(argv[2]);
		size_t size = strtoul(argv[4], NULL, 0);
		struct msqid_ds ds;

		if (msgctl(id, IPC_STAT, &ds))
			die("msgctl IPC_STAT");
		m.mtype = 1;
		memset(m.mtext, 'x', size);
		for (long i = (long)ds.msg_qnum; i < atol(argv[3]); i++)
			if (msgsnd(id, &m, size, IPC_NOWAIT))
				die("msgsnd");
		return 0;
	}
	if (!strcmp(argv[1], "drain")) {
		int id = atoi(argv[2]);

		while (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
			;
		return errno == ENOMSG ? 0 : (die("msgrcv"), 1);
	}
	if (!strcmp(argv[1], "setval") && argc == 4) {
		union semun arg = { .val = atoi(argv[3]) };

		if (semctl(atoi(argv[2]), 0, SETVAL, arg))
			die("semctl SETVAL");
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of benchobj.c\n");
	return 2;
}
