// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stresstool.c - the load generator and checker of the stress and crash
 * tests (tests/integration/stress.sh, crash.sh).  Every mode works either
 * through a file of an ipcfs mount or natively (msgsnd/shmat/semop) on
 * the same object, so both kinds of client run side by side.
 *
 * A TARGET is a path (mq/ID/queue, mq/ID/lines, mq/ID/type/N, shm/ID/data,
 * sem/ID/N) or "native:ID" / "native:ID:TYPE" (mq) / "native:ID:NUM" (sem).
 *
 *   stresstool mq-send TARGET WRITER SECONDS MAX
 *       Send messages WRITER:SEQ:LEN:PAYLOAD:CRC for SEQ = 1, 2, ... until
 *       MAX are sent or SECONDS pass (a send blocked on a full queue is
 *       interrupted then, and that message does not count).  The payload
 *       is a function of (WRITER, SEQ), so a reader can check every byte.
 *       Through `lines`, up to 8 messages go in one write.  Prints
 *       "sent N bytes B errors E"; N messages 1..N were accepted.
 *   stresstool mq-recv TARGET SECONDS LOG
 *       Receive until SECONDS pass (a blocked read is interrupted then),
 *       check each message, and append "WRITER SEQ" lines to LOG.  Prints
 *       "received N bytes B bad K errors E".
 *   stresstool mq-drain ID LOG           every message still queued, natively, into LOG
 *   stresstool mq-check MAXLOST MAXEXTRA SENT LOG...
 *       SENT has "WRITER N" lines.  Every message 1..N of every writer must
 *       be in exactly one LOG, and nothing else: prints "sent S delivered D
 *       lost L duplicated U unsent-but-delivered X"; exit 1 when L or X
 *       exceed the allowance (both 0 outside crash tests) or U > 0.
 *   stresstool shm-write TARGET OFFSET LEN SEED SECONDS
 *       Fill [OFFSET, OFFSET+LEN) pass after pass with pattern(SEED, pass),
 *       in writes of varied sizes, until SECONDS pass; the last pass is
 *       always finished.  Prints "passes P bytes B errors E".
 *   stresstool shm-verify TARGET OFFSET LEN SEED PASS
 *       Every byte must be pattern(SEED, PASS): prints "checked N bad K".
 *   stresstool shm-read TARGET SECONDS   read the whole file over and over (load only)
 *   stresstool sem-count TARGET[,VTARGET] SHMID ITERS SECONDS
 *       ITERS times: P on TARGET (V on VTARGET, when given: another name
 *       of the same semaphore, so that the V need not wait for the file
 *       lock a blocked P holds, see doc/design.md), then, inside, read the counter at the
 *       start of segment SHMID, yield, write it back plus one, V.  A second
 *       process inside at the same time is caught by an owner word next to
 *       the counter.  Prints "done N overlaps V errors E held H" (H: 1 when
 *       it ended inside, its V refused, which only a crash causes).  A P
 *       still blocked 2 s after the deadline is given up.
 *   stresstool sem-init SHMID            zero the counter words
 *   stresstool sem-counter SHMID         print the counter
 *
 * Error lines go to stderr as "stresstool: WHAT: strerror".
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 4096		/* the largest message we build */
#define READ_BUF (1 << 16)

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* SIGALRM after `secs`, without SA_RESTART: a blocked read or write of
 * the mount (or msgrcv) returns EINTR, which is how a run ends. */
static void arm_deadline(unsigned secs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

/* ---- targets ---- */

struct target {
	bool native;
	int id;
	long sub;		/* mq: message type (0: any); sem: number */
	int fd;			/* the file, when not native */
	bool lines;		/* an mq `lines` file */
};

static void target_open(struct target *t, const char *spec, int flags)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (!strncmp(spec, "native:", 7)) {
		char *end;

		t->native = true;
		t->id = (int)strtol(spec + 7, &end, 10);
		t->sub = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
		return;
	}
	t->lines = strlen(spec) >= 6 && !strcmp(spec + strlen(spec) - 6, "/lines");
	t->fd = open(spec, flags | O_CLOEXEC);
	if (t->fd < 0)
		err(2, "%s", spec);
}

/* ---- messages ---- */

static uint32_t crc32_of(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= (unsigned char)p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* The payload of (writer, seq): mostly short, now and then long. */
static size_t payload(int writer, long seq, char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t s = mix((uint64_t)writer << 40 ^ (uint64_t)seq);
	size_t len = (s & 15) == 0 ? (size_t)(s >> 8) % 1500 : (size_t)(s >> 8) % 96;

	for (size_t i = 0; i < len; i++) {
		s = mix(s + i);
		out[i] = alphabet[s % 36];
	}
	return len;
}

static size_t msg_build(int writer, long seq, char *out)
{
	char pl[MSG_MAX];
	size_t len = payload(writer, seq, pl);
	int n = snprintf(out, MSG_MAX, "%d:%ld:%zu:", writer, seq, len);

	memcpy(out + n, pl, len);
	n += (int)len;
	n += snprintf(out + n, MSG_MAX - (size_t)n, ":%08x", crc32_of(out, (size_t)n));
	return (size_t)n;
}

/* Is msg[0, n) exactly what (writer, seq) sends?  Sets them. */
static bool msg_check(const char *msg, size_t n, int *writer, long *seq)
{
	char want[MSG_MAX], head[64];
	size_t hl = n < sizeof(head) - 1 ? n : sizeof(head) - 1;

	memcpy(head, msg, hl);
	head[hl] = '\0';
	if (sscanf(head, "%d:%ld:", writer, seq) != 2 || *writer < 0 || *seq < 1)
		return false;
	return msg_build(*writer, *seq, want) == n && !memcmp(want, msg, n);
}

struct sysv_msg {
	long mtype;
	char mtext[READ_BUF];
};

static int mq_send(int writer, const char *spec, unsigned secs, long max)
{
	static struct sysv_msg m;
	struct target t;
	char batch[8 * (MSG_MAX + 1)];
	long seq = 1, errors = 0;
	uint64_t bytes = 0;

	target_open(&t, spec, O_WRONLY);
	arm_deadline(secs);
	while (seq <= max && !timed_out) {
		if (t.native) {
			size_t n = msg_build(writer, seq, m.mtext);

			m.mtype = t.sub ? t.sub : 1;
			if (msgsnd(t.id, &m, n, 0)) {
				if (errno != EINTR) {
					fprintf(stderr, "stresstool: msgsnd: %s\n", strerror(errno));
					errors++;
					break;
				}
				continue;
			}
			bytes += n;
			seq++;
		} else if (t.lines) {
			/* Several lines in one write; a short write tells how
			 * many whole lines went. */
			size_t used = 0, ends[8];
			int k = 1 + (int)(mix((uint64_t)seq) % 8), sent = 0;
			ssize_t w;

			for (int i = 0; i < k && seq + i <= max; i++) {
				used += msg_build(writer, seq + i, batch + used);
				batch[used++] = '\n';
				ends[i] = used;
				sent = i + 1;
			}
			w = write(t.fd, batch, used);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "stresstool: write: %s\n", strerror(errno));
				errors++;
				break;
			}
			for (int i = 0; i < sent && ends[i] <= (size_t)w; i++) {
				bytes += ends[i] - (i ? ends[i - 1] : 0) - 1;
				seq++;
			}
		} else {
			size_t n = msg_build(writer, seq, batch);
			ssize_t w = write(t.fd, batch, n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "stresstool: write: %s\n", strerror(errno));
				errors++;
				break;
			}
			if ((size_t)w != n) {
				fprintf(stderr, "stresstool: short write %zd of %zu\n", w, n);
				errors++;
				break;
			}
			bytes += n;
			seq++;
		}
	}
	printf("sent %ld bytes %" PRIu64 " errors %ld\n", seq - 1, bytes, errors);
	return errors ? 1 : 0;
}

struct recv_state {
	FILE *log;
	long count, bad;
	uint64_t bytes;
};

static void got_msg(struct recv_state *st, const char *p, size_t n)
{
	int writer;
	long seq;

	if (!msg_check(p, n, &writer, &seq)) {
		st->bad++;
		fprintf(stderr, "stresstool: bad message (%zu bytes): %.60s\n", n, p);
		return;
	}
	fprintf(st->log, "%d %ld\n", writer, seq);
	st->count++;
	st->bytes += n;
}

static int mq_recv(const char *spec, unsigned secs, const char *logpath)
{
	static struct sysv_msg m;
	struct recv_state st = { 0 };
	struct target t;
	long errors = 0;

	st.log = fopen(logpath, "a");
	if (!st.log)
		err(2, "%s", logpath);
	target_open(&t, spec, O_RDONLY);
	arm_deadline(secs);
	while (!timed_out) {
		ssize_t n;

		if (t.native) {
			n = msgrcv(t.id, &m, sizeof(m.mtext), t.sub, 0);
			if (n >= 0) {
				got_msg(&st, m.mtext, (size_t)n);
				continue;
			}
		} else {
			n = read(t.fd, m.mtext, sizeof(m.mtext));
			if (n >= 0 && t.lines) {
				/* Whole messages, each followed by a newline. */
				size_t pos = 0;

				while (pos < (size_t)n) {
					char *nl = memchr(m.mtext + pos, '\n', (size_t)n - pos);

					if (!nl) {
						st.bad++;
						fprintf(stderr, "stresstool: lines read without newline\n");
						break;
					}
					got_msg(&st, m.mtext + pos, (size_t)(nl - m.mtext) - pos);
					pos = (size_t)(nl - m.mtext) + 1;
				}
				continue;
			}
			if (n > 0) {
				got_msg(&st, m.mtext, (size_t)n);
				continue;
			}
			if (n == 0) {
				fprintf(stderr, "stresstool: read returned 0\n");
				errors++;
				break;
			}
		}
		if (errno == EINTR)
			continue;	/* the deadline, seen by the loop */
		fprintf(stderr, "stresstool: receive: %s\n", strerror(errno));
		errors++;
		break;
	}
	fclose(st.log);
	printf("received %ld bytes %" PRIu64 " bad %ld errors %ld\n", st.count, st.bytes, st.bad,
	       errors);
	return st.bad || errors ? 1 : 0;
}

static int mq_drain(int id, const char *logpath)
{
	static struct sysv_msg m;
	struct recv_state st = { 0 };
	ssize_t n;

	st.log = fopen(logpath, "a");
	if (!st.log)
		err(2, "%s", logpath);
	while ((n = msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT)) >= 0)
		got_msg(&st, m.mtext, (size_t)n);
	if (errno != ENOMSG)
		err(2, "msgrcv");
	fclose(st.log);
	printf("drained %ld bytes %" PRIu64 " bad %ld\n", st.count, st.bytes, st.bad);
	return st.bad ? 1 : 0;
}

#define WRITERS_MAX 64

static int mq_check(long maxlost, long maxextra, const char *sentpath, int nlogs, char **logs)
{
	long sent[WRITERS_MAX] = { 0 }, total = 0, delivered = 0, lost = 0, dup = 0, extra = 0;
	unsigned char *seen[WRITERS_MAX] = { 0 };
	long cap[WRITERS_MAX] = { 0 };
	FILE *f = fopen(sentpath, "r");
	int w;
	long n;

	if (!f)
		err(2, "%s", sentpath);
	while (fscanf(f, "%d %ld", &w, &n) == 2) {
		if (w < 0 || w >= WRITERS_MAX || n < 0) {
			fprintf(stderr, "stresstool: bad sent line\n");
			return 2;
		}
		sent[w] += n;
	}
	fclose(f);
	for (w = 0; w < WRITERS_MAX; w++) {
		/* room for a few unsent-but-delivered ones past the count */
		cap[w] = sent[w] + 64;
		seen[w] = calloc((size_t)cap[w] + 1, 1);
		if (!seen[w])
			err(2, "calloc");
		total += sent[w];
	}
	for (int i = 0; i < nlogs; i++) {
		f = fopen(logs[i], "r");
		if (!f)
			continue;	/* a reader that never received */
		while (fscanf(f, "%d %ld", &w, &n) == 2) {
			if (w < 0 || w >= WRITERS_MAX || n < 1 || n > cap[w]) {
				extra++;
				continue;
			}
			if (seen[w][n]++)
				dup++;
			else if (n > sent[w])
				extra++;
			else
				delivered++;
		}
		fclose(f);
	}
	for (w = 0; w < WRITERS_MAX; w++) {
		for (long s = 1; s <= sent[w]; s++)
			if (!seen[w][s])
				lost++;
		free(seen[w]);
	}
	printf("sent %ld delivered %ld lost %ld duplicated %ld unsent-but-delivered %ld\n", total,
	       delivered, lost, dup, extra);
	return lost > maxlost || extra > maxextra || dup ? 1 : 0;
}

/* ---- shared memory ---- */

static unsigned char pattern(uint64_t seed, long pass, uint64_t pos)
{
	return (unsigned char)(mix(seed * 1315423911u + (uint64_t)pass * 2654435761u + (pos >> 3)) >>
			       ((pos & 7) * 8));
}

struct shm_target {
	struct target t;
	unsigned char *addr;	/* native: attached */
};

static void shm_open_target(struct shm_target *s, const char *spec, int flags)
{
	target_open(&s->t, spec, flags);
	s->addr = NULL;
	if (s->t.native) {
		s->addr = shmat(s->t.id, NULL, flags == O_RDONLY ? SHM_RDONLY : 0);
		if (s->addr == (void *)-1)
			err(2, "shmat");
	}
}

static int shm_write(const char *spec, uint64_t off, uint64_t len, uint64_t seed, unsigned secs)
{
	static unsigned char buf[65536];
	struct shm_target s;
	long pass = 0, errors = 0;
	uint64_t bytes = 0;
	time_t end = time(NULL) + secs;

	shm_open_target(&s, spec, O_RDWR);
	do {
		uint64_t pos = 0, r = mix(seed + (uint64_t)pass);

		pass++;
		while (pos < len && !errors) {
			/* 1 byte to 64 KiB, to cross every boundary. */
			uint64_t n;

			r = mix(r);
			n = 1 + r % ((r >> 32) % 4 == 0 ? 65536 : 4096);
			if (n > len - pos)
				n = len - pos;
			for (uint64_t i = 0; i < n; i++)
				buf[i] = pattern(seed, pass, pos + i);
			if (s.t.native) {
				memcpy(s.addr + off + pos, buf, n);
			} else {
				ssize_t w = pwrite(s.t.fd, buf, n, (off_t)(off + pos));

				if (w != (ssize_t)n) {
					fprintf(stderr, "stresstool: pwrite at %" PRIu64 ": %s\n",
						off + pos, w < 0 ? strerror(errno) : "short");
					errors++;
					break;
				}
			}
			pos += n;
			bytes += n;
		}
	} while (!errors && time(NULL) < end);
	printf("passes %ld bytes %" PRIu64 " errors %ld\n", errors ? pass - 1 : pass, bytes, errors);
	return errors ? 1 : 0;
}

static int shm_verify(const char *spec, uint64_t off, uint64_t len, uint64_t seed, long pass)
{
	static unsigned char buf[65536];
	struct shm_target s;
	uint64_t pos = 0, bad = 0;

	shm_open_target(&s, spec, O_RDONLY);
	while (pos < len) {
		uint64_t n = len - pos < sizeof(buf) ? len - pos : sizeof(buf);

		if (s.t.native) {
			memcpy(buf, s.addr + off + pos, n);
		} else if (pread(s.t.fd, buf, n, (off_t)(off + pos)) != (ssize_t)n) {
			err(2, "pread");
		}
		for (uint64_t i = 0; i < n; i++) {
			if (buf[i] != pattern(seed, pass, pos + i)) {
				if (!bad)
					fprintf(stderr, "stresstool: first bad byte at %" PRIu64 "\n",
						off + pos + i);
				bad++;
			}
		}
		pos += n;
	}
	printf("checked %" PRIu64 " bad %" PRIu64 "\n", len, bad);
	return bad ? 1 : 0;
}

static int shm_read(const char *spec, unsigned secs)
{
	static unsigned char buf[1 << 20];
	struct target t;
	time_t end = time(NULL) + secs;
	uint64_t bytes = 0;

	target_open(&t, spec, O_RDONLY);
	while (time(NULL) < end) {
		ssize_t n = pread(t.fd, buf, sizeof(buf), 0);

		if (n < 0)
			err(2, "pread");
		bytes += (uint64_t)n;
		/* Load, not a CPU hog on a shared machine: <= 1000 reads/s. */
		usleep(1000);
	}
	printf("read %" PRIu64 "\n", bytes);
	return 0;
}

/* ---- semaphores around a counter ---- */

struct counter {
	volatile long value;
	volatile int owner;	/* the pid inside, 0: nobody */
};

static struct counter *counter_attach(int shmid)
{
	void *p = shmat(shmid, NULL, 0);

	if (p == (void *)-1)
		err(2, "shmat");
	return p;
}

/* One P or V: through the file ("-1", "+1") or natively.  0 or errno;
 * EINTR only once the deadline has passed (the P is then not done). */
static int sem_step(struct target *t, int delta)
{
	for (;;) {
		int r;

		if (t->native) {
			struct sembuf sb = { .sem_num = (unsigned short)t->sub,
					     .sem_op = (short)delta };

			r = semop(t->id, &sb, 1) ? errno : 0;
		} else {
			/* A semaphore file is a stream: write, not pwrite. */
			r = write(t->fd, delta < 0 ? "-1" : "+1", 2) == 2 ? 0 : errno;
		}
		if (r != EINTR || (timed_out && delta < 0))
			return r;
	}
}

static int sem_count(const char *spec, int shmid, long iters, unsigned secs)
{
	struct counter *c = counter_attach(shmid);
	struct target t, vt;
	long done = 0, overlaps = 0, errors = 0, held = 0;
	time_t end = time(NULL) + secs;
	int me = getpid(), e;
	char *pspec = strdup(spec), *comma;

	if (!pspec)
		err(2, "strdup");
	comma = strchr(pspec, ',');
	if (comma)
		*comma = '\0';
	target_open(&t, pspec, O_WRONLY);
	target_open(&vt, comma ? comma + 1 : pspec, O_WRONLY);
	free(pspec);
	/* A P still blocked at the end (a crash test's dead daemon left the
	 * semaphore taken) is given up a little after the deadline. */
	arm_deadline(secs + 2);
	while (done < iters && time(NULL) < end) {
		long v;

		e = sem_step(&t, -1);
		if (e == EINTR)
			break;
		if (e) {
			fprintf(stderr, "stresstool: P: %s\n", strerror(e));
			errors++;
			break;
		}
		if (c->owner)
			overlaps++;
		c->owner = me;
		v = c->value;
		/* Widen the window a lost update would need. */
		sched_yield();
		c->value = v + 1;
		if (c->owner != me)
			overlaps++;
		c->owner = 0;
		done++;
		e = sem_step(&vt, +1);
		if (e) {
			fprintf(stderr, "stresstool: V: %s\n", strerror(e));
			errors++;
			held = 1;
			break;
		}
	}
	printf("done %ld overlaps %ld errors %ld held %ld\n", done, overlaps, errors, held);
	return overlaps || errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "mq-send"))
		return mq_send(atoi(argv[3]), argv[2], (unsigned)atoi(argv[4]), atol(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "mq-recv"))
		return mq_recv(argv[2], (unsigned)atoi(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "mq-drain"))
		return mq_drain(atoi(argv[2]), argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "mq-check"))
		return mq_check(atol(argv[2]), atol(argv[3]), argv[4], argc - 5, argv + 5);
	if (argc == 7 && !strcmp(argv[1], "shm-write"))
		return shm_write(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0),
				 strtoull(argv[5], NULL, 0), (unsigned)atoi(argv[6]));
	if (argc == 7 && !strcmp(argv[1], "shm-verify"))
		return shm_verify(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0),
				  strtoull(argv[5], NULL, 0), atol(argv[6]));
	if (argc == 4 && !strcmp(argv[1], "shm-read"))
		return shm_read(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "sem-count"))
		return sem_count(argv[2], atoi(argv[3]), atol(argv[4]), (unsigned)atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "sem-init")) {
		struct counter *c = counter_attach(atoi(argv[2]));

		c->value = 0;
		c->owner = 0;
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "sem-counter")) {
		printf("%ld\n", counter_attach(atoi(argv[2]))->value);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of stresstool.c\n");
	return 2;
}
