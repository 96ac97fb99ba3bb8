// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shmtool.c - a plain System V shared memory program, the "other side" in
 * the integration tests.  It uses shmget/shmat/shmdt directly, never ipcfs.
 *
 *   shmtool create KEY|private SIZE [MODE]   print the new shmid
 *   shmtool write ID OFFSET TEXT             copy TEXT into the segment
 *   shmtool read ID OFFSET LEN               print LEN bytes from the segment
 *   shmtool hold ID [ro] [nodump]            attach (read-only with ro), print "attached",
 *                                            wait for a signal; nodump first makes the
 *                                            process not dumpable (prctl), which hides its
 *                                            /proc/PID/maps from its own user
 *   shmtool rm ID                            IPC_RMID
 *   shmtool create-many N SIZE               N private segments, ids one per line
 *   shmtool recreate KEY SIZE TEXT1 TEXT2    make KEY holding TEXT1, print its id, wait for
 *                                            a line on stdin; remove it and make KEY again
 *                                            under the same id (kernel.shm_next_id), same
 *                                            size, same creator, holding TEXT2; print the
 *                                            id, wait for a line, remove it
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

static void *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		err(1, "shmat");
	return p;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of shmtool.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "create") && argc >= 4) {
		key_t key = strcmp(argv[2], "private") ? (key_t)strtoul(argv[2], NULL, 0) : IPC_PRIVATE;
		int mode = argc > 4 ? (int)strtol(argv[4], NULL, 8) : 0600;
		int id = shmget(key, strtoull(argv[3], NULL, 0), IPC_CREAT | IPC_EXCL | mode);

		if (id < 0)
			err(1, "shmget");
		printf("%d\n", id);
		return 0;
	}
	if (!strcmp(argv[1], "create-many") && argc == 4) {
		int n = atoi(argv[2]);

		for (int i = 0; i < n; i++) {
			int id = shmget(IPC_PRIVATE, strtoull(argv[3], NULL, 0), IPC_CREAT | 0600);

			if (id < 0)
				err(1, "shmget");
			printf("%d\n", id);
		}
		return 0;
	}
	if (!strcmp(argv[1], "recreate") && argc == 6) {
		key_t key = (key_t)strtoul(argv[2], NULL, 0);
		size_t size = strtoull(argv[3], NULL, 0);
		char line[16];
		int id = -1;

		for (int round = 0; round < 2; round++) {
			const char *text = argv[4 + round];
			FILE *f;
			char *p;

			if (round) {
				if (shmctl(id, IPC_RMID, NULL))
					err(1, "IPC_RMID");
				f = fopen("/proc/sys/kernel/shm_next_id", "w");
				if (!f || fprintf(f, "%d\n", id) < 0 || fclose(f))
					err(1, "shm_next_id");
			}
			id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
			if (id < 0)
				err(1, "shmget");
			p = attach(id, 0);
			memcpy(p, text, strlen(text));
			shmdt(p);
			printf("%d\n", id);
			fflush(stdout);
			if (!fgets(line, sizeof(line), stdin))
				break;
		}
		if (shmctl(id, IPC_RMID, NULL))
			err(1, "IPC_RMID");
		return 0;
	}
	int id = atoi(argv[2]);

	if (!strcmp(argv[1], "write") && argc == 5) {
		char *p = attach(id, 0);

		memcpy(p + strtoul(argv[3], NULL, 0), argv[4], strlen(argv[4]));
		shmdt(p);
	} else if (!strcmp(argv[1], "read") && argc == 5) {
		char *p = attach(id, SHM_RDONLY);

		fwrite(p + strtoul(argv[3], NULL, 0), 1, strtoul(argv[4], NULL, 0), stdout);
		shmdt(p);
	} else if (!strcmp(argv[1], "hold")) {
		int flags = 0;

		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "ro")) {
				flags |= SHM_RDONLY;
			} else if (!strcmp(argv[i], "nodump")) {
				if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
					err(1, "prctl");
			} else {
				fprintf(stderr, "shmtool: hold: %s: want ro or nodump\n", argv[i]);
				return 2;
			}
		}
		attach(id, flags);
		printf("attached\n");
		fflush(stdout);
		pause();
	} else if (!strcmp(argv[1], "rm")) {
		if (shmctl(id, IPC_RMID, NULL))
			err(1, "IPC_RMID");
	} else {
		fprintf(stderr, "shmtool: bad arguments\n");
		return 2;
	}
	return 0;
}
