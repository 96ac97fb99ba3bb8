// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * randops.c - a seeded random sequence of file operations against an
 * ipcfs mount, sensible and nonsensical, with a model of what the ones
 * that succeed must have done (tests/integration/random.sh runs several).
 *
 *   randops MNT KEYBASE SEED OPS SECONDS SHARED_SEM SHARED_MQ OUT
 *
 * The process owns the 32 keys KEYBASE .. KEYBASE+31 and the private
 * objects it makes.  It creates, uses and removes shm/sem/mq objects there
 * through mkdir, `new`, rmdir, chmod and every file of them, under any of
 * their names (id, 0xKEY with any zeros and case, by-key/), and keeps a
 * model: segment bytes, semaphore values, queued messages with their
 * types and bytes, modes, queue limits.  Each operation whose outcome the
 * model can tell (almost all of them) must have exactly that outcome, the
 * errno included; every read must return what the model holds.  Between
 * them come nonsense operations: garbage names, garbage writes to every
 * writable file, writes to read-only files, renames, links, unlinks,
 * mknod, setuid chmod, huge offsets and sizes, xattrs; they may fail as
 * they like, but never with an error that means the daemon broke (EIO,
 * ENOTCONN, ECONNABORTED, EFAULT), and never change anything.  On the
 * shared semaphore and queue (other processes use them too) it only counts
 * its successful V, P, sends and receives.
 *
 * At the end the model is compared with the kernel through plain
 * shmat, semctl, msgrcv(MSG_COPY) and IPC_STAT, and OUT gets (OUT.private
 * has "KIND ID" of every private object made, written as it is made):
 *   live KEY|private KIND ID     every object of this process still alive
 *   shared V P SENT RECEIVED     its successes on the shared objects
 *   stats OPS WRONG UNEXPECTED CHECKED NONSENSE     (WRONG, UNEXPECTED: 0)
 * Exit status 0 when WRONG and UNEXPECTED are 0 and the kernel matched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/param.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NKEYS 32
#define NOBJ (NKEYS + 8)	/* keyed, then private */
#define SEMVMX 32767
#define NSEMS_MAX 8

enum { SHM, SEM, MQ, NKINDS };
static const char *const kind_name[NKINDS] = { "shm", "sem", "mq" };

struct msg {
	long type;
	size_t len;
	unsigned char *data;
};

struct obj {
	bool used;
	int kind, id;
	bool private_;
	key_t key;
	mode_t mode;
	size_t size;		/* shm */
	unsigned char *bytes;
	int nsems;		/* sem */
	int vals[NSEMS_MAX];
	struct msg *msgs;	/* mq, oldest first */
	size_t nmsgs, cap;
	size_t qbytes, cbytes;
};

static const char *mnt;
static struct obj objs[NOBJ];
static key_t keybase;
static uint64_t rng;
static long wrong, unexpected, checked, nonsense, ops;
static long sh_v, sh_p, sh_sent, sh_recv;
static int shared_sem, shared_mq;
static size_t msgmax = 8192, msgmnb = 16384;
static int sem_default = 3;	/* the mount's sem_nsems */
static size_t page = 4096;	/* the mount's shm_size */
static FILE *private_log;	/* OUT.private: each private object at once */
static mode_t umask_bits;	/* mkdir's mode passes through it, `new`'s does not */

/* ---- randomness and reporting ---- */

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	wrong++;
	fprintf(stderr, "randops: WRONG (op %ld): ", ops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The outcome `got` (0 or -errno) must be `want`. */
static void expect(int got, int want, const char *what, const char *path)
{
	checked++;
	if (got != want)
		fail("%s %s: got %s, want %s", what, path, got ? strerror(-got) : "success",
		     want ? strerror(-want) : "success");
}

/* Errors that only a broken daemon gives. */
static bool broken(int e)
{
	return e == EIO || e == ENOTCONN || e == ECONNABORTED || e == EFAULT || e == ENOSYS;
}

static void tolerate(int got, const char *what, const char *path)
{
	nonsense++;
	if (got < 0 && broken(-got)) {
		unexpected++;
		fprintf(stderr, "randops: UNEXPECTED (op %ld): %s %s: %s\n", ops, what, path,
			strerror(-got));
	}
}

/* ---- file helpers: 0/size or -errno ---- */

static ssize_t read_file(const char *path, int flags, void *buf, size_t size, off_t off)
{
	int fd = open(path, O_RDONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = off ? pread(fd, buf, size, off) : read(fd, buf, size);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t write_file(const char *path, int flags, const void *buf, size_t size)
{
	int fd = open(path, O_WRONLY | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, size);
	if (n < 0)
		n = -errno;
	if (close(fd) && n >= 0)
		n = -errno;
	return n;
}

static int write_text(const char *path, int flags, const char *text)
{
	ssize_t n = write_file(path, flags, text, strlen(text));

	return n < 0 ? (int)n : 0;
}

/* ---- names: any of an object's ---- */

static void obj_dir(const struct obj *o, char *out, size_t size)
{
	unsigned form = o->private_ ? 0 : pick(4);

	switch (form) {
	case 1:
		snprintf(out, size, "%s/%s/0x%08x", mnt, kind_name[o->kind], (unsigned)o->key);
		break;
	case 2:
		/* leading zeros and upper case resolve too */
		snprintf(out, size, "%s/%s/0x000%X", mnt, kind_name[o->kind], (unsigned)o->key);
		break;
	case 3:
		snprintf(out, size, "%s/%s/by-key/0x%08x", mnt, kind_name[o->kind], (unsigned)o->key);
		break;
	default:
		snprintf(out, size, "%s/%s/%d", mnt, kind_name[o->kind], o->id);
		break;
	}
}

static void obj_path(const struct obj *o, const char *file, char *out, size_t size)
{
	char dir[512];

	obj_dir(o, dir, sizeof(dir));
	snprintf(out, size, "%s/%s", dir, file);
}

static struct obj *random_live(int kind)
{
	unsigned start = pick(NOBJ);

	for (unsigned i = 0; i < NOBJ; i++) {
		struct obj *o = &objs[(start + i) % NOBJ];

		if (o->used && (kind < 0 || o->kind == kind))
			return o;
	}
	return NULL;
}

static void random_bytes(unsigned char *p, size_t n, bool no_newline)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (unsigned char)rnd();
		if (no_newline && p[i] == '\n')
			p[i] = 'n';
	}
}

/* ---- the model of one object ---- */

static void obj_free(struct obj *o)
{
	free(o->bytes);
	for (size_t i = 0; i < o->nmsgs; i++)
		free(o->msgs[i].data);
	free(o->msgs);
	memset(o, 0, sizeof(*o));
}

static void mq_push(struct obj *o, long type, const void *p, size_t n)
{
	if (o->nmsgs == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 16;
		o->msgs = realloc(o->msgs, o->cap * sizeof(*o->msgs));
		if (!o->msgs)
			abort();
	}
	o->msgs[o->nmsgs].type = type;
	o->msgs[o->nmsgs].len = n;
	o->msgs[o->nmsgs].data = malloc(n ? n : 1);
	if (!o->msgs[o->nmsgs].data)
		abort();
	memcpy(o->msgs[o->nmsgs].data, p, n);
	o->nmsgs++;
	o->cbytes += n;
}

static void mq_take(struct obj *o, size_t i)
{
	o->cbytes -= o->msgs[i].len;
	free(o->msgs[i].data);
	memmove(o->msgs + i, o->msgs + i + 1, (o->nmsgs - i - 1) * sizeof(*o->msgs));
	o->nmsgs--;
}

/* ---- creating and removing ---- */

static const mode_t modes[] = { 0600, 0640, 0644, 0660, 0666, 0604 };

static void op_create(void)
{
	struct obj *o = NULL;
	char path[512], line[128], buf[64];
	bool private_ = pick(8) == 0, by_new = private_ || pick(2);
	int kind = (int)pick(NKINDS), slot = -1, r;
	size_t size = page;
	int nsems = sem_default;
	mode_t mode = modes[pick(6)];

	unsigned start = pick(NKEYS);

	for (int i = private_ ? NKEYS : 0; i < (private_ ? NOBJ : NKEYS); i++) {
		int j = private_ ? i : (int)((i + start) % NKEYS);

		if (!objs[j].used) {
			slot = j;
			break;
		}
	}
	if (slot < 0)
		return;
	o = &objs[slot];
	if (by_new) {
		static const size_t sizes[] = { 1, 100, 4096, 5000, 65536, 2048 };
		char keyw[32], sizew[32];

		size = sizes[pick(6)];
		nsems = 1 + (int)pick(NSEMS_MAX);
		if (private_)
			snprintf(keyw, sizeof(keyw), "%s", pick(2) ? "private" : "IPC_PRIVATE");
		else if (pick(4))
			snprintf(keyw, sizeof(keyw), "0x%x", (unsigned)(keybase + slot));
		else
			snprintf(keyw, sizeof(keyw), "%u", (unsigned)(keybase + slot));
		if (size == 2048)
			snprintf(sizew, sizeof(sizew), "2K");
		else
			snprintf(sizew, sizeof(sizew), "%zu", size);
		if (kind == SHM)
			snprintf(line, sizeof(line), "%s %s %o\n", keyw, sizew, mode);
		else if (kind == SEM)
			snprintf(line, sizeof(line), "%s %d %o\n", keyw, nsems, mode);
		else
			snprintf(line, sizeof(line), "%s %o\n", keyw, mode);
		snprintf(path, sizeof(path), "%s/%s/new", mnt, kind_name[kind]);
		{
			int fd = open(path, O_RDWR);
			ssize_t n;

			if (fd < 0) {
				expect(-errno, 0, "open", path);
				return;
			}
			n = write(fd, line, strlen(line));
			expect(n < 0 ? -errno : 0, 0, "new", line);
			if (n < 0) {
				close(fd);
				return;
			}
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0) {
				fail("new: no id read back (%zd)", n);
				return;
			}
			buf[n] = '\0';
			o->id = atoi(buf);
		}
	} else {
		snprintf(path, sizeof(path), "%s/%s/0x%x", mnt, kind_name[kind],
			 (unsigned)(keybase + slot));
		r = mkdir(path, mode) ? -errno : 0;
		expect(r, 0, "mkdir", path);
		if (r)
			return;
		mode &= ~umask_bits;
		snprintf(path, sizeof(path), "%s/%s/0x%x/id", mnt, kind_name[kind],
			 (unsigned)(keybase + slot));
		r = (int)read_file(path, 0, buf, sizeof(buf) - 1, 0);
		if (r <= 0) {
			fail("id of new object: %s", r < 0 ? strerror(-r) : "empty");
			return;
		}
		buf[r] = '\0';
		o->id = atoi(buf);
	}
	o->used = true;
	o->kind = kind;
	o->private_ = private_;
	if (private_) {
		/* for the test's cleanup, whatever happens to this process */
		fprintf(private_log, "%s %d\n", kind_name[kind], o->id);
		fflush(private_log);
	}
	o->key = private_ ? IPC_PRIVATE : keybase + slot;
	o->mode = mode;
	if (kind == SHM) {
		o->size = size;
		o->bytes = calloc(size, 1);
	} else if (kind == SEM) {
		o->nsems = nsems;
	} else {
		o->qbytes = msgmnb;
	}
	/* The same key again in the same kind: EEXIST. */
	if (!private_ && pick(4) == 0) {
		snprintf(path, sizeof(path), "%s/%s/0x%x", mnt, kind_name[kind], (unsigned)o->key);
		expect(mkdir(path, 0600) ? -errno : 0, -EEXIST, "mkdir again", path);
	}
}

static void op_remove(void)
{
	struct obj *o = random_live(-1);
	char dir[512];

	if (!o)
		return;
	obj_dir(o, dir, sizeof(dir));
	if (strstr(dir, "/by-key/")) {
		/* rmdir of a symlink: not a directory, and nothing removed */
		tolerate(rmdir(dir) ? -errno : 0, "rmdir by-key", dir);
		return;
	}
	expect(rmdir(dir) ? -errno : 0, 0, "rmdir", dir);
	obj_free(o);
}

static void op_chmod(void)
{
	struct obj *o = random_live(-1);
	char dir[512];
	mode_t m = modes[pick(6)];

	if (!o)
		return;
	obj_dir(o, dir, sizeof(dir));
	expect(chmod(dir, m) ? -errno : 0, 0, "chmod", dir);
	o->mode = m;
}

/* ---- shm ---- */

static void op_shm(struct obj *o)
{
	char path[600];
	unsigned char buf[1024];
	unsigned what = pick(4);

	obj_path(o, "data", path, sizeof(path));
	if (what == 0) {
		/* a write somewhere, maybe past the end: EFBIG, nothing changes */
		size_t off = pick((unsigned)o->size + 16), len = 1 + pick(300);
		int fd = open(path, O_RDWR), r;
		ssize_t n;

		if (fd < 0) {
			expect(-errno, 0, "open data", path);
			return;
		}
		random_bytes(buf, len, false);
		n = pwrite(fd, buf, len, (off_t)off);
		r = n < 0 ? -errno : 0;
		close(fd);
		if (off + len > o->size) {
			expect(r, -EFBIG, "write past end", path);
		} else {
			expect(r, 0, "write", path);
			if (!r && (size_t)n != len)
				fail("short data write %zd of %zu", n, len);
			if (!r)
				memcpy(o->bytes + off, buf, len);
		}
	} else if (what == 1) {
		size_t off = pick((unsigned)o->size + 8), len = 1 + pick(sizeof(buf) - 1);
		ssize_t n = read_file(path, 0, buf, len, (off_t)off);
		size_t want = off >= o->size ? 0 : (len < o->size - off ? len : o->size - off);

		checked++;
		if (n < 0 || (size_t)n != want || memcmp(buf, o->bytes + (off < o->size ? off : 0), want))
			fail("read data %s at %zu: got %zd bytes, want %zu (or different bytes)", path,
			     off, n, want);
	} else if (what == 2) {
		/* truncate(2): zero-fills from there; past the size: EFBIG */
		size_t n = pick((unsigned)o->size + 4);
		int r = truncate(path, (off_t)n) ? -errno : 0;

		if (n > o->size) {
			expect(r, -EFBIG, "truncate past size", path);
		} else {
			expect(r, 0, "truncate", path);
			if (!r)
				memset(o->bytes + n, 0, o->size - n);
		}
	} else {
		/* `echo text > data`: O_TRUNC zero-fills, then the write */
		const char *t = "hello\n";
		int r = write_text(path, O_TRUNC, t);

		if (strlen(t) > o->size) {
			/* the truncation happened, the write did not fit */
			expect(r, -EFBIG, "echo > data", path);
			if (r == -EFBIG)
				memset(o->bytes, 0, o->size);
		} else {
			expect(r, 0, "echo > data", path);
			if (!r) {
				memset(o->bytes, 0, o->size);
				memcpy(o->bytes, t, strlen(t));
			}
		}
	}
}

/* ---- sem ---- */

static void op_sem(struct obj *o)
{
	char path[600], text[64], buf[512], name[8];
	int n = (int)pick((unsigned)o->nsems), *v = &o->vals[n], r;
	unsigned what = pick(7);

	snprintf(name, sizeof(name), "%d", n);
	obj_path(o, name, path, sizeof(path));
	if (what == 0) {
		int x = (int)pick(40000);

		snprintf(text, sizeof(text), "%d\n", x);
		r = write_text(path, 0, text);
		expect(r, x > SEMVMX ? -ERANGE : 0, "SETVAL", path);
		if (!r)
			*v = x;
	} else if (what == 1) {
		int x = pick(3) ? (int)pick(50) : (int)pick(40000);

		snprintf(text, sizeof(text), "+%d", x);
		r = write_text(path, 0, text);
		expect(r, x > SEMVMX || *v + x > SEMVMX ? -ERANGE : 0, "V", path);
		if (!r)
			*v += x;
	} else if (what == 2) {
		int x = pick(3) ? (int)pick(50) : (int)pick(40000);

		snprintf(text, sizeof(text), " -%d \n", x);
		r = write_text(path, O_NONBLOCK, text);
		expect(r, x > SEMVMX ? -ERANGE : (*v >= x ? 0 : -EAGAIN), "P", path);
		if (!r)
			*v -= x;
	} else if (what == 3) {
		r = write_text(path, O_NONBLOCK, "zero\n");
		expect(r, *v == 0 ? 0 : -EAGAIN, "zero", path);
	} else if (what == 4) {
		/* values: all of them, or a wrong count */
		int vals[NSEMS_MAX], cnt = pick(6) ? o->nsems : (int)pick(NSEMS_MAX + 2);
		size_t used = 0;

		for (int i = 0; i < cnt; i++) {
			vals[i < NSEMS_MAX ? i : 0] = (int)pick(SEMVMX + 1);
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%d",
						 i ? (pick(2) ? " " : "\n") : "", vals[i < NSEMS_MAX ? i : 0]);
		}
		buf[used++] = '\n';
		buf[used] = '\0';
		obj_path(o, "values", path, sizeof(path));
		r = write_text(path, 0, buf);
		expect(r, cnt == o->nsems ? 0 : -EINVAL, "SETALL", path);
		if (!r)
			memcpy(o->vals, vals, sizeof(int) * (size_t)o->nsems);
	} else if (what == 5) {
		ssize_t got = read_file(path, 0, buf, sizeof(buf) - 1, 0);

		snprintf(text, sizeof(text), "%d\n", *v);
		checked++;
		if (got < 0 || (buf[got] = '\0', strcmp(buf, text)))
			fail("GETVAL %s: got [%s], want [%d]", path, got < 0 ? strerror((int)-got) : buf, *v);
	} else {
		size_t used = 0;
		ssize_t got;
		char want[512];

		for (int i = 0; i < o->nsems; i++)
			used += (size_t)snprintf(want + used, sizeof(want) - used, i ? " %d" : "%d",
						 o->vals[i]);
		snprintf(want + used, sizeof(want) - used, "\n");
		obj_path(o, "values", path, sizeof(path));
		got = read_file(path, 0, buf, sizeof(buf) - 1, 0);
		checked++;
		if (got < 0 || (buf[got] = '\0', strcmp(buf, want)))
			fail("GETALL %s: got [%s], want [%s]", path, got < 0 ? strerror((int)-got) : buf,
			     want);
	}
}

/* ---- mq ---- */

static long random_type(void)
{
	return pick(8) ? 1 + (long)pick(5) : 1000000000000L + (long)pick(3);
}

static void op_mq_send(struct obj *o)
{
	unsigned char buf[2048];
	char path[600], name[40];
	unsigned what = pick(3);
	int r;

	if (what == 0 || what == 1) {
		long type = what == 0 ? 1 : random_type();
		size_t len = 1 + pick(500);
		ssize_t n;

		if (what == 0) {
			obj_path(o, "queue", path, sizeof(path));
		} else {
			snprintf(name, sizeof(name), "type/%ld", type);
			obj_path(o, name, path, sizeof(path));
		}
		random_bytes(buf, len, false);
		n = write_file(path, O_NONBLOCK, buf, len);
		r = n < 0 ? (int)n : 0;
		/* the kernel's test: bytes, and one byte's worth per message */
		expect(r, o->cbytes + len > o->qbytes || o->nmsgs + 1 > o->qbytes ? -EAGAIN : 0,
		       "send", path);
		if (!r)
			mq_push(o, type, buf, len);
		return;
	}
	/* lines: each line a message, as many as fit; a short write says
	 * how many went */
	{
		size_t used = 0, ends[8], lens[8], starts[8], cb = o->cbytes, qn = o->nmsgs, want = 0;
		int k = 1 + (int)pick(5), fit = 0;
		ssize_t n;

		for (int i = 0; i < k; i++) {
			lens[i] = pick(100);
			starts[i] = used;
			random_bytes(buf + used, lens[i], true);
			used += lens[i];
			buf[used++] = '\n';
			ends[i] = used;
			if (fit == i && cb + lens[i] <= o->qbytes && qn + 1 <= o->qbytes) {
				cb += lens[i];
				qn++;
				fit++;
			}
		}
		want = fit ? ends[fit - 1] : 0;
		obj_path(o, "lines", path, sizeof(path));
		n = write_file(path, O_NONBLOCK, buf, used);
		checked++;
		if (fit == 0 ? n != -EAGAIN : n != (ssize_t)want)
			fail("lines write %s: got %zd, want %zd", path, n, fit ? (ssize_t)want : -EAGAIN);
		for (int i = 0; i < fit && n > 0 && (size_t)n >= ends[i]; i++)
			mq_push(o, 1, buf + starts[i], lens[i]);
	}
}

static void op_mq_recv(struct obj *o)
{
	unsigned char buf[4096];
	char path[600], name[40];
	unsigned what = pick(3);
	size_t size = 1 + pick(what == 2 ? 2000 : 600);
	ssize_t n;

	if (what == 0 || what == 1) {
		long type = what == 0 ? 0 : random_type();
		size_t i;

		if (what == 0) {
			obj_path(o, "queue", path, sizeof(path));
		} else {
			snprintf(name, sizeof(name), "type/%ld", type);
			obj_path(o, name, path, sizeof(path));
		}
		for (i = 0; i < o->nmsgs; i++)
			if (!type || o->msgs[i].type == type)
				break;
		n = read_file(path, O_NONBLOCK, buf, size, 0);
		checked++;
		if (i == o->nmsgs) {
			if (n != -EAGAIN)
				fail("receive %s from none: got %zd", path, n);
		} else if (o->msgs[i].len > size) {
			/* too small a buffer: E2BIG, and it stays queued */
			if (n != -E2BIG)
				fail("receive %s (%zu into %zu): got %zd, want E2BIG", path,
				     o->msgs[i].len, size, n);
		} else {
			if (n != (ssize_t)o->msgs[i].len || memcmp(buf, o->msgs[i].data, o->msgs[i].len))
				fail("receive %s: got %zd bytes, want %zu (or other bytes)", path, n,
				     o->msgs[i].len);
			else
				mq_take(o, i);
		}
		return;
	}
	/* lines: whole messages while they fit, each and a newline; a read
	 * under 128 KiB (every read here) takes one message, and one longer
	 * than the read comes in part (the rest would come with the next
	 * reads of the open file, which read_file closes) */
	{
		unsigned char want[4096];
		size_t used = 0;

		while (o->nmsgs && used < size) {
			size_t part = MIN(o->msgs[0].len + 1, size - used);

			if (used && o->msgs[0].len + 1 > size - used)
				break;
			memcpy(want + used, o->msgs[0].data, MIN(o->msgs[0].len, part));
			if (part > o->msgs[0].len)
				want[used + o->msgs[0].len] = '\n';
			used += part;
			mq_take(o, 0);
			if (size < (128 << 10))
				break;
		}
		obj_path(o, "lines", path, sizeof(path));
		n = read_file(path, O_NONBLOCK, buf, size, 0);
		checked++;
		if (!used) {
			if (n != -EAGAIN)
				fail("lines read %s (%zu): got %zd, want %d", path, size, n, -EAGAIN);
		} else if (n != (ssize_t)used || memcmp(buf, want, used)) {
			fail("lines read %s (%zu): got %zd bytes, want %zu (or other bytes)", path, size,
			     n, used);
		}
	}
}

static void op_mq_look(struct obj *o)
{
	char path[600], name[64], buf[64];
	unsigned what = pick(4);

	if (what == 0) {
		/* messages/: exactly the model's names, in order */
		DIR *d;
		struct dirent *de;
		size_t seen = 0;

		obj_path(o, "messages", path, sizeof(path));
		d = opendir(path);
		if (!d) {
			expect(-errno, 0, "opendir", path);
			return;
		}
		checked++;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(name, sizeof(name), "%zu.type%ld", seen,
				 seen < o->nmsgs ? o->msgs[seen].type : -1L);
			if (seen >= o->nmsgs || strcmp(name, de->d_name))
				fail("messages/ of %d: entry %zu is %s, want %s", o->id, seen,
				     de->d_name, name);
			seen++;
		}
		closedir(d);
		if (seen != o->nmsgs)
			fail("messages/ of %d: %zu entries, want %zu", o->id, seen, o->nmsgs);
	} else if (what == 1 && o->nmsgs) {
		size_t i = pick((unsigned)o->nmsgs);
		unsigned char data[4096];
		ssize_t n;

		snprintf(name, sizeof(name), "messages/%zu.type%ld", i, o->msgs[i].type);
		obj_path(o, name, path, sizeof(path));
		n = read_file(path, 0, data, sizeof(data), 0);
		checked++;
		if (n != (ssize_t)o->msgs[i].len || memcmp(data, o->msgs[i].data, o->msgs[i].len))
			fail("read %s: got %zd, want %zu bytes", path, n, o->msgs[i].len);
	} else if (what == 2) {
		ssize_t n;

		obj_path(o, "qnum", path, sizeof(path));
		n = read_file(path, 0, buf, sizeof(buf) - 1, 0);
		checked++;
		if (n < 0 || (buf[n] = '\0', (size_t)atol(buf) != o->nmsgs))
			fail("qnum %s: got %s, want %zu", path, n < 0 ? "error" : buf, o->nmsgs);
		obj_path(o, "cbytes", path, sizeof(path));
		n = read_file(path, 0, buf, sizeof(buf) - 1, 0);
		checked++;
		if (n < 0 || (buf[n] = '\0', (size_t)atol(buf) != o->cbytes))
			fail("cbytes %s: got %s, want %zu", path, n < 0 ? "error" : buf, o->cbytes);
	} else {
		/* qbytes: up to msgmnb (root here may lack CAP_SYS_RESOURCE) */
		size_t q = 64 + pick((unsigned)msgmnb - 63);
		int r;

		snprintf(buf, sizeof(buf), "%zu\n", q);
		obj_path(o, "qbytes", path, sizeof(path));
		r = write_text(path, O_TRUNC, buf);
		expect(r, 0, "qbytes", path);
		if (!r)
			o->qbytes = q;
	}
}

/* ---- the shared objects: counts only ---- */

static void op_shared(void)
{
	char path[512], buf[128];
	unsigned what = pick(4);
	ssize_t n;
	int r;

	if (what < 2) {
		snprintf(path, sizeof(path), "%s/sem/%d/0", mnt, shared_sem);
		r = write_text(path, O_NONBLOCK, what ? "+1" : "-1");
		if (!r)
			what ? sh_v++ : sh_p++;
		else if (what || r != -EAGAIN)
			fail("shared %s: %s", what ? "V" : "P", strerror(-r));
		return;
	}
	snprintf(path, sizeof(path), "%s/mq/%d/queue", mnt, shared_mq);
	if (what == 2) {
		n = write_file(path, O_NONBLOCK, "shared", 6);
		if (n == 6)
			sh_sent++;
		else if (n != -EAGAIN)
			fail("shared send: %zd", n);
	} else {
		n = read_file(path, O_NONBLOCK, buf, sizeof(buf), 0);
		if (n == 6)
			sh_recv++;
		else if (n != -EAGAIN)
			fail("shared receive: %zd", n);
	}
}

/* ---- nonsense ---- */

/* Garbage that no parser takes: it always holds a '#'. */
static size_t garbage(char *out, size_t max, bool allow_nul)
{
	size_t n = 1 + pick((unsigned)max - 1);

	random_bytes((unsigned char *)out, n, false);
	for (size_t i = 0; !allow_nul && i < n; i++)
		if (!out[i])
			out[i] = 'z';
	out[pick((unsigned)n)] = '#';
	return n;
}

/* A name: garbage without '/' or NUL, or something plausible. */
static void garbage_name(char *out, size_t size)
{
	static const char *const plausible[] = { "0x", "0x0", "007", "-1", "2147483648", "..",
						 "0xffffffffff", "by-key", "new", "type", "1.type",
						 "0.type0", "x.type1", "99999999999999999999" };
	size_t n;

	if (pick(3) == 0) {
		snprintf(out, size, "%s", plausible[pick(14)]);
		return;
	}
	n = 1 + pick(pick(10) ? 40 : 300);
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++) {
		char c = (char)(1 + pick(255));

		out[i] = c == '/' ? '_' : c;
	}
	out[n] = '\0';
	if (pick(2))
		out[pick((unsigned)n)] = '#';	/* never a key */
}

static void op_nonsense(void)
{
	char path[2048], path2[1024], name[400], buf[8192];
	struct obj *o = random_live(-1);
	unsigned what = pick(16);
	size_t n;
	int r;

	switch (what) {
	case 0: {
		/* a garbage name looked up somewhere */
		static const char *const dirs[] = { "", "/shm", "/sem", "/mq", "/shm/by-key",
						    "/mq/by-key" };
		struct stat st;

		garbage_name(name, sizeof(name));
		if (o && pick(2)) {
			obj_dir(o, path2, sizeof(path2));
			snprintf(path, sizeof(path), "%s/%s%s", path2,
				 o->kind == MQ && pick(2) ? (pick(2) ? "messages/" : "type/") : "", name);
		} else {
			snprintf(path, sizeof(path), "%s%s/%s", mnt, dirs[pick(6)], name);
		}
		tolerate(stat(path, &st) ? -errno : 0, "stat", path);
		break;
	}
	case 1:
		/* mkdir of a garbage name (never a valid key) anywhere */
		garbage_name(name, sizeof(name));
		name[0] = name[0] == '0' ? 'x' : name[0];
		snprintf(path, sizeof(path), "%s/%s/%s", mnt, kind_name[pick(3)], name);
		r = mkdir(path, 0600) ? -errno : 0;
		tolerate(r, "mkdir", path);
		if (!r)
			fail("mkdir of garbage %s succeeded", path);
		break;
	case 2:
		/* garbage to every writable control file */
		n = garbage(buf, pick(4) ? 64 : sizeof(buf), pick(2));
		if (!o) {
			snprintf(path, sizeof(path), "%s/%s/new", mnt, kind_name[pick(3)]);
		} else if (o->kind == SEM) {
			snprintf(name, sizeof(name), "%s", pick(2) ? "values" : "0");
			obj_path(o, name, path, sizeof(path));
		} else if (o->kind == MQ) {
			obj_path(o, "qbytes", path, sizeof(path));
		} else {
			snprintf(path, sizeof(path), "%s/shm/new", mnt);
		}
		r = (int)write_file(path, O_NONBLOCK, buf, n);
		tolerate(r < 0 ? r : 0, "garbage write", path);
		if (r >= 0)
			fail("garbage write to %s succeeded", path);
		break;
	case 3: {
		/* writes to read-only files */
		static const char *const ro[] = { "info", "key", "id", "mode", "cuid" };

		if (o)
			obj_path(o, ro[pick(5)], path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/%s", mnt, pick(2) ? "limits" : "metrics");
		r = write_text(path, 0, "1\n");
		tolerate(r, "write read-only", path);
		if (!r)
			fail("write to read-only %s succeeded", path);
		break;
	}
	case 4:
		/* tree changes: all refused */
		if (!o)
			break;
		obj_path(o, "info", path, sizeof(path));
		obj_path(o, "info2", path2, sizeof(path2));
		switch (pick(5)) {
		case 0:
			r = rename(path, path2) ? -errno : 0;
			break;
		case 1:
			r = link(path, path2) ? -errno : 0;
			break;
		case 2:
			r = symlink("x", path2) ? -errno : 0;
			break;
		case 3:
			r = unlink(path) ? -errno : 0;
			break;
		default:
			r = mknod(path2, S_IFIFO | 0600, 0) ? -errno : 0;
			break;
		}
		tolerate(r, "tree change", path);
		if (!r)
			fail("tree change at %s succeeded", path);
		break;
	case 5:
		/* setuid bits, and chmod/chown of files inside */
		if (!o)
			break;
		obj_dir(o, path, sizeof(path));
		if (strstr(path, "/by-key/"))
			break;	/* chmod follows the link; the mode would change */
		/* IPC_SET keeps the 9 permission bits: the mode is unchanged */
		r = chmod(path, 04000 | o->mode) ? -errno : 0;
		tolerate(r, "chmod setuid", path);
		obj_path(o, "info", path, sizeof(path));
		tolerate(chmod(path, 0666) ? -errno : 0, "chmod file", path);
		break;
	case 6: {
		/* a directory opened for writing, a file as a directory */
		int fd;

		if (o)
			obj_dir(o, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/shm", mnt);
		fd = open(path, O_WRONLY);
		tolerate(fd < 0 ? -errno : 0, "open dir for writing", path);
		if (fd >= 0) {
			fail("open %s for writing succeeded", path);
			close(fd);
		}
		snprintf(path, sizeof(path), "%s/limits", mnt);
		fd = open(path, O_RDONLY | O_DIRECTORY);
		tolerate(fd < 0 ? -errno : 0, "open file as dir", path);
		if (fd >= 0)
			close(fd);
		break;
	}
	case 7:
		/* huge offsets and sizes */
		if (o)
			obj_path(o, o->kind == SHM ? "data" : "info", path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/metrics", mnt);
		r = (int)read_file(path, 0, buf, sizeof(buf), (off_t)1 << 40);
		tolerate(r < 0 ? r : 0, "pread far", path);
		break;
	case 8:
		/* xattrs */
		if (o)
			obj_dir(o, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s", mnt);
		tolerate(getxattr(path, "user.x", buf, sizeof(buf)) < 0 ? -errno : 0, "getxattr",
			 path);
		tolerate(setxattr(path, "user.x", "1", 1, 0) ? -errno : 0, "setxattr", path);
		tolerate(listxattr(path, buf, sizeof(buf)) < 0 ? -errno : 0, "listxattr", path);
		break;
	case 9:
		/* ids that do not exist, in every form */
		snprintf(path, sizeof(path), "%s/%s/%u/%s", mnt, kind_name[pick(3)],
			 1000000 + pick(1000000), pick(2) ? "info" : "data");
		r = (int)read_file(path, 0, buf, 64, 0);
		tolerate(r < 0 ? r : 0, "read of no object", path);
		if (r >= 0)
			fail("read of %s succeeded", path);
		break;
	case 10:
		/* oversized writes: msgmax, sem, new */
		if (!o)
			break;
		memset(buf, '7', sizeof(buf));
		obj_path(o, o->kind == SEM ? "0" : o->kind == MQ ? "queue" : "info", path,
			 sizeof(path));
		r = (int)write_file(path, O_NONBLOCK, buf, o->kind == MQ ? msgmax + 1 : 300);
		tolerate(r < 0 ? r : 0, "oversized write", path);
		if (r >= 0)
			fail("oversized write to %s succeeded", path);
		break;
	case 11:
		/* NUL bytes in a semaphore write */
		if (!o || o->kind != SEM)
			break;
		obj_path(o, "0", path, sizeof(path));
		r = (int)write_file(path, 0, "1\0002", 3);
		tolerate(r < 0 ? r : 0, "NUL write", path);
		if (r >= 0)
			fail("NUL write to %s succeeded", path);
		break;
	case 12: {
		/* every directory listed, every link read */
		static const char *const dirs[] = { "", "/shm", "/sem", "/mq", "/shm/by-key",
						    "/sem/by-key", "/mq/by-key" };
		DIR *d;
		struct dirent *de;

		snprintf(path, sizeof(path), "%s%s", mnt, dirs[pick(7)]);
		d = opendir(path);
		if (!d) {
			tolerate(-errno, "opendir", path);
			break;
		}
		while ((de = readdir(d))) {
			if (strstr(path, "by-key") && de->d_name[0] != '.') {
				snprintf(path2, sizeof(path2), "%.700s/%.255s", path, de->d_name);
				tolerate(readlink(path2, name, sizeof(name)) < 0 ? -errno : 0,
					 "readlink", path2);
			}
		}
		closedir(d);
		nonsense++;
		break;
	}
	case 13: {
		/* text files read in tiny pieces at odd offsets */
		static const char *const top[] = { "limits", "summary", "metrics" };
		int fd;

		if (o && pick(2))
			obj_path(o, "info", path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/%s", mnt, top[pick(3)]);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			tolerate(-errno, "open", path);
			break;
		}
		for (int i = 0; i < 8; i++)
			tolerate(pread(fd, buf, 1 + pick(7), pick(5000)) < 0 ? -errno : 0, "pread",
				 path);
		close(fd);
		break;
	}
	case 14:
		/* truncate files that are not data */
		if (!o)
			break;
		obj_path(o, o->kind == SHM ? "info" : o->kind == SEM ? "semaphores" : "messages",
			 path, sizeof(path));
		r = truncate(path, (off_t)pick(10)) ? -errno : 0;
		tolerate(r, "truncate", path);
		break;
	default:
		/* access(2) with any mask, utimes */
		if (o)
			obj_dir(o, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/sem", mnt);
		tolerate(access(path, (int)pick(8)) ? -errno : 0, "access", path);
		tolerate(utimensat(AT_FDCWD, path, NULL, 0) ? -errno : 0, "utimensat", path);
		break;
	}
}

/* ---- the end: the model against the kernel, natively ---- */

static void verify(FILE *out)
{
	for (int i = 0; i < NOBJ; i++) {
		struct obj *o = &objs[i];

		if (!o->used) {
			/* a free key has no object of any kind */
			if (i < NKEYS && (shmget(keybase + i, 0, 0) >= 0 || semget(keybase + i, 0, 0) >= 0 ||
					  msgget(keybase + i, 0) >= 0))
				fail("key 0x%x: the kernel has an object the model does not",
				     (unsigned)(keybase + i));
			continue;
		}
		if (o->private_)
			fprintf(out, "live private %s %d\n", kind_name[o->kind], o->id);
		else
			fprintf(out, "live 0x%08x %s %d\n", (unsigned)o->key, kind_name[o->kind], o->id);
		checked++;
		if (o->kind == SHM) {
			struct shmid_ds ds;
			unsigned char *p;

			if (shmctl(o->id, IPC_STAT, &ds) || ds.shm_segsz != o->size ||
			    (ds.shm_perm.mode & 0777) != o->mode ||
			    (!o->private_ && shmget(o->key, 0, 0) != o->id)) {
				fail("shm %d: gone, or size %zu/%zu, mode %o/%o, key differ", o->id,
				     (size_t)ds.shm_segsz, o->size, ds.shm_perm.mode & 0777, o->mode);
				continue;
			}
			p = shmat(o->id, NULL, SHM_RDONLY);
			if (p == (void *)-1 || memcmp(p, o->bytes, o->size))
				fail("shm %d: bytes differ from the model", o->id);
			if (p != (void *)-1)
				shmdt(p);
		} else if (o->kind == SEM) {
			struct semid_ds ds;
			unsigned short vals[NSEMS_MAX];
			union { struct semid_ds *buf; unsigned short *array; } arg = { .buf = &ds };

			if (semctl(o->id, 0, IPC_STAT, arg) || (int)ds.sem_nsems != o->nsems ||
			    (ds.sem_perm.mode & 0777) != o->mode ||
			    (!o->private_ && semget(o->key, 0, 0) != o->id)) {
				fail("sem %d: gone, or nsems %d/%d, mode %o/%o, key differ", o->id,
				     (int)ds.sem_nsems, o->nsems, ds.sem_perm.mode & 0777, o->mode);
				continue;
			}
			arg.array = vals;
			semctl(o->id, 0, GETALL, arg);
			for (int k = 0; k < o->nsems; k++)
				if (vals[k] != o->vals[k])
					fail("sem %d/%d: kernel %u, model %d", o->id, k, vals[k],
					     o->vals[k]);
		} else {
			struct msqid_ds ds;
			static struct { long mtype; unsigned char mtext[65536]; } m;

			if (msgctl(o->id, IPC_STAT, &ds) || ds.msg_qnum != o->nmsgs ||
			    ds.msg_cbytes != o->cbytes || ds.msg_qbytes != o->qbytes ||
			    (ds.msg_perm.mode & 0777) != o->mode ||
			    (!o->private_ && msgget(o->key, 0) != o->id)) {
				fail("mq %d: gone, or qnum %lu/%zu cbytes %lu/%zu qbytes %lu/%zu mode %o/%o",
				     o->id, (unsigned long)ds.msg_qnum, o->nmsgs,
				     (unsigned long)ds.msg_cbytes, o->cbytes,
				     (unsigned long)ds.msg_qbytes, o->qbytes, ds.msg_perm.mode & 0777,
				     o->mode);
				continue;
			}
			for (size_t k = 0; k < o->nmsgs; k++) {
				ssize_t n = msgrcv(o->id, &m, sizeof(m.mtext), (long)k,
						   MSG_COPY | IPC_NOWAIT);

				if (n != (ssize_t)o->msgs[k].len || m.mtype != o->msgs[k].type ||
				    memcmp(m.mtext, o->msgs[k].data, o->msgs[k].len))
					fail("mq %d message %zu differs from the model", o->id, k);
			}
		}
	}
}

int main(int argc, char **argv)
{
	long max_ops;
	time_t end;
	FILE *out;
	struct msginfo mi;

	if (argc != 9) {
		fprintf(stderr, "usage: see the comment at the top of randops.c\n");
		return 2;
	}
	mnt = argv[1];
	keybase = (key_t)strtoul(argv[2], NULL, 0);
	rng = strtoull(argv[3], NULL, 0) * 2654435761u + 1;
	max_ops = atol(argv[4]);
	end = time(NULL) + atol(argv[5]);
	shared_sem = atoi(argv[6]);
	shared_mq = atoi(argv[7]);
	out = fopen(argv[8], "w");
	{
		char pl[4096];

		snprintf(pl, sizeof(pl), "%s.private", argv[8]);
		private_log = fopen(pl, "w");
	}
	if (!out || !private_log) {
		perror(argv[8]);
		return 2;
	}
	if (msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&mi) >= 0) {
		msgmax = (size_t)mi.msgmax;
		msgmnb = (size_t)mi.msgmnb;
	}
	page = (size_t)sysconf(_SC_PAGESIZE);
	umask_bits = umask(022);
	umask(umask_bits);
	if (getenv("RANDOPS_SEM_NSEMS"))
		sem_default = atoi(getenv("RANDOPS_SEM_NSEMS"));
	for (ops = 0; ops < max_ops && time(NULL) < end && unexpected < 20 && wrong < 20; ops++) {
		unsigned what = pick(100);
		struct obj *o;

		if (what < 6)
			op_create();
		else if (what < 11)
			op_remove();
		else if (what < 13)
			op_chmod();
		else if (what < 24)
			op_shared();
		else if (what < 44)
			op_nonsense();
		else if ((o = random_live(SHM)) && what < 56)
			op_shm(o);
		else if ((o = random_live(SEM)) && what < 72)
			op_sem(o);
		else if ((o = random_live(MQ)) && what < 82)
			op_mq_send(o);
		else if ((o = random_live(MQ)) && what < 92)
			op_mq_recv(o);
		else if ((o = random_live(MQ)))
			op_mq_look(o);
		else
			op_create();
	}
	verify(out);
	fprintf(out, "shared %ld %ld %ld %ld\n", sh_v, sh_p, sh_sent, sh_recv);
	fprintf(out, "stats %ld %ld %ld %ld %ld\n", ops, wrong, unexpected, checked, nonsense);
	fclose(out);
	for (int i = 0; i < NOBJ; i++)
		if (objs[i].used)
			obj_free(&objs[i]);
	return wrong || unexpected ? 1 : 0;
}
