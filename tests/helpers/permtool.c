// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * permtool.c - one operation per input line, each answered with "ok" or
 * the errno's name (EACCES, EPERM ...), for the permission matrix of
 * tests/integration/perms.sh.  The same list of operations runs natively
 * (shmat, semop, msgrcv, *ctl) and through the files of a mount, as the
 * same unprivileged user, and the two columns of answers must agree.
 *
 *   setpriv --reuid=65534 --regid=65534 --clear-groups permtool <ops >answers
 *
 * Native operations (KIND is shm, sem or mq; never blocking):
 *   shm-read ID | shm-write ID | shm-zero ID      shmat (ro / rw) and touch a byte
 *   sem-getval ID N | sem-getall ID | sem-zcnt ID N
 *   sem-setval ID N V | sem-setall ID V... | sem-op ID N DELTA   (IPC_NOWAIT)
 *   mq-send ID TYPE TEXT | mq-recv ID TYPE | mq-copy ID POS      (IPC_NOWAIT)
 *   mq-qbytes ID N | mq-qbytes-over ID            N, or msgmnb + 1
 *   stat-any KIND ID                              *_STAT_ANY (what `info` shows)
 *   set-same KIND ID                              IPC_SET to the values it has
 *   set-owner KIND ID UID GID MODE                IPC_SET (test setup, as root)
 *   create KIND KEY MODE [PARAM]                  *get(IPC_CREAT|IPC_EXCL); prints the id
 *   rm KIND ID                                    IPC_RMID
 * File operations (through a mount):
 *   read PATH [nonblock] | write PATH TEXT [nonblock] | stat PATH | ls PATH
 *   mkdir PATH MODE | rmdir PATH | chmod PATH MODE | chown PATH UID GID
 *   chown-same PATH (to the owner it has, as the caller sees it)
 *   truncate PATH LEN
 * TEXT may not hold blanks; "\n" in it is a newline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

struct msgbuf_big {
	long mtype;
	char mtext[65536];
};

static int answer(int r)
{
	const char *name;

	if (r >= 0) {
		printf("ok\n");
		return 0;
	}
	name = strerrorname_np(-r);
	printf("%s\n", name ? name : "E?");
	return 0;
}

#define SYS(call) ((call) < 0 ? -errno : 0)

static int kind_of(const char *k)
{
	return !strcmp(k, "shm") ? 0 : !strcmp(k, "sem") ? 1 : !strcmp(k, "mq") ? 2 : -1;
}

/* Undo "\n" escapes in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static int shm_touch(int id, int flags, int write_it)
{
	char *p = shmat(id, NULL, flags);
	volatile char c;

	if (p == (void *)-1)
		return -errno;
	if (write_it)
		p[0] = 'w';
	else
		c = p[0];
	(void)c;
	shmdt(p);
	return 0;
}

/* IPC_SET with the object's present values (read with *_STAT_ANY, which
 * needs no permission): the permission check alone. */
static int set_same(int kind, int id, int set_owner, int uid, int gid, int mode)
{
	struct ipc_perm *perm;
	struct shmid_ds sd;
	struct semid_ds md;
	struct msqid_ds qd;
	union semun arg = { .buf = &md };
	int idx = id & 0x7fff, r;

	/* *_STAT_ANY takes an index; the id's low bits (ipcmni 32768). */
	if (kind == 0) {
		r = shmctl(idx, SHM_STAT_ANY, &sd);
		perm = &sd.shm_perm;
	} else if (kind == 1) {
		r = semctl(idx, 0, SEM_STAT_ANY, arg);
		perm = &md.sem_perm;
	} else {
		r = msgctl(idx, MSG_STAT_ANY, &qd);
		perm = &qd.msg_perm;
	}
	if (r < 0)
		return -errno;
	if (r != id)
		return -ENOENT;
	if (set_owner) {
		perm->uid = (uid_t)uid;
		perm->gid = (gid_t)gid;
		perm->mode = (unsigned short)mode;
	}
	if (kind == 0)
		return SYS(shmctl(id, IPC_SET, &sd));
	if (kind == 1)
		return SYS(semctl(id, 0, IPC_SET, arg));
	return SYS(msgctl(id, IPC_SET, &qd));
}

static int stat_any(int kind, int id)
{
	struct shmid_ds sd;
	struct semid_ds md;
	struct msqid_ds qd;
	union semun arg = { .buf = &md };
	int r;

	if (kind == 0)
		r = shmctl(id & 0x7fff, SHM_STAT_ANY, &sd);
	else if (kind == 1)
		r = semctl(id & 0x7fff, 0, SEM_STAT_ANY, arg);
	else
		r = msgctl(id & 0x7fff, MSG_STAT_ANY, &qd);
	return r < 0 ? -errno : r == id ? 0 : -ENOENT;
}

static int file_read(const char *path, int nonblock)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | (nonblock ? O_NONBLOCK : 0));
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static int file_write(const char *path, const char *text, int nonblock)
{
	int fd = open(path, O_WRONLY | (nonblock ? O_NONBLOCK : 0));
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	if (close(fd) && !n)
		n = -errno;
	return (int)n;
}

static int file_ls(const char *path)
{
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	errno = 0;
	while (readdir(d))
		;
	closedir(d);
	return -errno;
}

static int run(int argc, char **argv)
{
	static struct msgbuf_big m;
	const char *op = argv[0];
	int id = argc > 1 ? atoi(argv[1]) : 0;

	if (!strcmp(op, "shm-read") && argc == 2)
		return shm_touch(id, SHM_RDONLY, 0);
	if (!strcmp(op, "shm-write") && argc == 2)
		return shm_touch(id, 0, 1);
	if (!strcmp(op, "shm-zero") && argc == 2)
		return shm_touch(id, 0, 1);
	if (!strcmp(op, "sem-getval") && argc == 3)
		return SYS(semctl(id, atoi(argv[2]), GETVAL));
	if (!strcmp(op, "sem-zcnt") && argc == 3)
		return SYS(semctl(id, atoi(argv[2]), GETZCNT));
	if (!strcmp(op, "sem-getall") && argc == 2) {
		unsigned short vals[4096];
		union semun arg = { .array = vals };

		return SYS(semctl(id, 0, GETALL, arg));
	}
	if (!strcmp(op, "sem-setval") && argc == 4) {
		union semun arg = { .val = atoi(argv[3]) };

		return SYS(semctl(id, atoi(argv[2]), SETVAL, arg));
	}
	if (!strcmp(op, "sem-setall") && argc >= 3 && argc - 2 <= 4096) {
		unsigned short vals[4096];
		union semun arg = { .array = vals };

		for (int i = 2; i < argc; i++)
			vals[i - 2] = (unsigned short)atoi(argv[i]);
		return SYS(semctl(id, 0, SETALL, arg));
	}
	if (!strcmp(op, "sem-op") && argc == 4) {
		struct sembuf sb = { .sem_num = (unsigned short)atoi(argv[2]),
				     .sem_op = (short)atoi(argv[3]), .sem_flg = IPC_NOWAIT };

		return SYS(semop(id, &sb, 1));
	}
	if (!strcmp(op, "mq-send") && argc == 4) {
		size_t n = strlen(argv[3]);

		m.mtype = atol(argv[2]);
		memcpy(m.mtext, argv[3], n);
		return SYS(msgsnd(id, &m, n, IPC_NOWAIT));
	}
	if (!strcmp(op, "mq-recv") && argc == 3)
		return SYS(msgrcv(id, &m, sizeof(m.mtext), atol(argv[2]), IPC_NOWAIT));
	if (!strcmp(op, "mq-copy") && argc == 3)
		return SYS(msgrcv(id, &m, sizeof(m.mtext), atol(argv[2]), MSG_COPY | IPC_NOWAIT));
	if ((!strcmp(op, "mq-qbytes") && argc == 3) || (!strcmp(op, "mq-qbytes-over") && argc == 2)) {
		struct msqid_ds ds;
		struct msginfo mi;

		if (msgctl(id & 0x7fff, MSG_STAT_ANY, &ds) != id)
			return -ENOENT;
		if (argc == 3) {
			ds.msg_qbytes = strtoul(argv[2], NULL, 10);
		} else {
			if (msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi) < 0)
				return -errno;
			ds.msg_qbytes = (msglen_t)mi.msgmnb + 1;
		}
		return SYS(msgctl(id, IPC_SET, &ds));
	}
	if (!strcmp(op, "stat-any") && argc == 3 && kind_of(argv[1]) >= 0)
		return stat_any(kind_of(argv[1]), atoi(argv[2]));
	if (!strcmp(op, "set-same") && argc == 3 && kind_of(argv[1]) >= 0)
		return set_same(kind_of(argv[1]), atoi(argv[2]), 0, 0, 0, 0);
	if (!strcmp(op, "set-owner") && argc == 6 && kind_of(argv[1]) >= 0)
		return set_same(kind_of(argv[1]), atoi(argv[2]), 1, atoi(argv[3]), atoi(argv[4]),
				(int)strtol(argv[5], NULL, 8));
	if (!strcmp(op, "create") && argc >= 4 && kind_of(argv[1]) >= 0) {
		key_t key = (key_t)strtoul(argv[2], NULL, 0);
		int flags = IPC_CREAT | IPC_EXCL | (int)strtol(argv[3], NULL, 8), r;

		switch (kind_of(argv[1])) {
		case 0:
			r = shmget(key, argc > 4 ? strtoul(argv[4], NULL, 0) : 4096, flags);
			break;
		case 1:
			r = semget(key, argc > 4 ? atoi(argv[4]) : 1, flags);
			break;
		default:
			r = msgget(key, flags);
			break;
		}
		if (r < 0)
			return -errno;
		printf("%d ", r);
		return 0;
	}
	if (!strcmp(op, "rm") && argc == 3 && kind_of(argv[1]) >= 0) {
		id = atoi(argv[2]);
		switch (kind_of(argv[1])) {
		case 0:
			return SYS(shmctl(id, IPC_RMID, NULL));
		case 1:
			return SYS(semctl(id, 0, IPC_RMID));
		default:
			return SYS(msgctl(id, IPC_RMID, NULL));
		}
	}
	if (!strcmp(op, "read") && (argc == 2 || argc == 3))
		return file_read(argv[1], argc == 3);
	if (!strcmp(op, "write") && (argc == 3 || argc == 4)) {
		unescape(argv[2]);
		return file_write(argv[1], argv[2], argc == 4);
	}
	if (!strcmp(op, "stat") && argc == 2) {
		struct stat st;

		return SYS(stat(argv[1], &st));
	}
	if (!strcmp(op, "ls") && argc == 2)
		return file_ls(argv[1]);
	if (!strcmp(op, "mkdir") && argc == 3)
		return SYS(mkdir(argv[1], (mode_t)strtol(argv[2], NULL, 8)));
	if (!strcmp(op, "rmdir") && argc == 2)
		return SYS(rmdir(argv[1]));
	if (!strcmp(op, "chmod") && argc == 3)
		return SYS(chmod(argv[1], (mode_t)strtol(argv[2], NULL, 8)));
	if (!strcmp(op, "chown") && argc == 4)
		return SYS(chown(argv[1], (uid_t)atoi(argv[2]), (gid_t)atoi(argv[3])));
	if (!strcmp(op, "chown-same") && argc == 2) {
		/* chown to the owner it has, as the caller sees it (in a user
		 * namespace, an id it cannot name shows as the overflow id):
		 * what set-same does natively */
		struct stat st;

		if (stat(argv[1], &st))
			return -errno;
		return SYS(chown(argv[1], st.st_uid, st.st_gid));
	}
	if (!strcmp(op, "truncate") && argc == 3)
		return SYS(truncate(argv[1], atol(argv[2])));
	fprintf(stderr, "permtool: unknown operation: %s (%d words)\n", op, argc);
	return -EBADRQC;
}

int main(void)
{
	char line[4096];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[4100], *save = NULL, *w;
		int argc = 0;

		for (w = strtok_r(line, " \t\n", &save); w && argc < 4099;
		     w = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = w;
		if (!argc) {
			printf("\n");
			continue;
		}
		answer(run(argc, argv));
	}
	return 0;
}
