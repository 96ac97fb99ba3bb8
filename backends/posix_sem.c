// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posix_sem.c - POSIX named semaphores (sem_open), the files
 * /dev/shm/sem.NAME.
 *
 *   posix/sem/<name>/value     read: the value (sem_getvalue); write +N
 *                              (N posts) or -N (N waits, blocking; all or
 *                              nothing)
 *   posix/sem/<name>/waiters   threads blocked in sem_wait (glibc's count)
 *   posix/sem/<name>/info, uid, gid, mode   the attribute rows
 *
 *   $ mkdir posix/sem/jobs            # sem_open("/jobs", O_CREAT|O_EXCL, 0644, 0)
 *   $ echo -1 > posix/sem/jobs/value &    # blocks: the value is 0
 *   $ echo +1 > posix/sem/jobs/value      # the background wait completes
 *   $ rmdir posix/sem/jobs            # sem_unlink("/jobs")
 *
 * A named semaphore is nothing but a sem_t in the first bytes of its file:
 * sem_open maps the file and sem_post/sem_wait work on the mapping, with a
 * futex on the value word.  Opening `value` does the same, as the caller:
 * the file is opened with the caller's credentials (the kernel decides, as
 * for sem_open) and mapped; the open file keeps the mapping, and a later
 * chmod or unlink does not take it away, as it does not from a program.
 *
 * The layout is glibc's (2.36, 64-bit): a 64-bit word with the value in its
 * low 32 bits and the number of blocked waiters in its high 32 bits, then
 * `private` (the futex flags to use) and padding:
 *
 *	struct new_sem { uint64_t data; int private; int pad; };
 *
 * The daemon does not call glibc's sem_post/sem_wait on it, but the same
 * steps (see sem_post.c and sem_waitcommon.c in glibc), for two reasons:
 * anyone who may write the file may write `private` too, and glibc aborts
 * the process when the futex call it makes from that word fails
 * ("The futex facility returned an unexpected error code"), so the daemon
 * always uses a shared futex, which is what `private` holds for every
 * semaphore sem_open made; and the same steps take N at once (+N, or -N
 * when N are there) in one compare-and-swap.  A file shrunk under the
 * mapping (ftruncate by its owner) would kill the daemon with SIGBUS on
 * the next access: every access runs under a guard that turns that fault
 * into EIDRM for the one request.
 */
#include "posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc's layout with 64-bit atomics, little-endian: the futex word (the
 * value) is the low half of `data`. */
_Static_assert(sizeof(void *) == 8 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "posix_sem.c knows glibc's 64-bit little-endian sem_t only");
_Static_assert(sizeof(sem_t) >= 16, "sem_t holds glibc's struct new_sem");
#define PSEM_NWAITERS_SHIFT 32
#define PSEM_VALUE_MASK 0xffffffffull
#define PSEM_ONE_WAITER ((uint64_t)1 << PSEM_NWAITERS_SHIFT)
/* The longest write `value` takes: "-2147483647", blanks, a newline. */
#define PSEM_WRITE_MAX 64

/* The kind's numbers: struct posix_head only.  The value and the waiter
 * count are the file's contents: read by whoever asks, as them
 * (psem_word), never by the daemon for everyone. */
struct psem_nums {
	int64_t ino;
};
IPCFS_NUMS_FIT(struct psem_nums);

static struct posix_names psem_names;
extern const struct ipcfs_backend posix_sem_backend;

/* The first word of the semaphore's file, read through a descriptor the
 * reader opened (pread: a short file is no semaphore, -EINVAL, and a read
 * never faults).  0, or -errno (EACCES: the reader may not read it). */
static int psem_word(struct ipcfs_cred *reader, const struct ipcfs_obj *o, uint64_t *word)
{
	return posix_read_as(&posix_sem_backend, reader, o, word, sizeof(*word));
}

static const struct posix_kind psem_kind = {
	.names = &psem_names,
	.dirfd = posix_devshm_dirfd,
	.prefix = "sem.",
};

/* ---- creation: what sem_open(O_CREAT|O_EXCL) does ---- */

/* Write an initialised semaphore of value 0 to a temporary file and link
 * it to its name, as glibc does, so that no opener ever sees a file without
 * its sem_t.  Runs as the caller.  0 or -errno (EEXIST). */
static int make_file(int dirfd, const char *file, mode_t mode)
{
	char tmp[32];
	sem_t init;
	int fd = -1, r = 0, i;

	memset(&init, 0, sizeof(init));
	sem_init(&init, 1, 0);	/* glibc's own bytes: value 0, shared futex */
	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), "sem.%06x", g_random_int() & 0xffffff);
		fd = file_openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL, mode, true);
		if (fd < 0 && fd != -EEXIST)
			return fd;
	}
	if (fd < 0)
		return -EEXIST;
	/* The mode as asked (mkdir's, the caller's umask applied already),
	 * not the daemon's umask on top. */
	errno = 0;
	if (fchmod(fd, mode) || write(fd, &init, sizeof(init)) != (ssize_t)sizeof(init))
		r = errno ? -errno : -EIO;
	if (!r && linkat(dirfd, tmp, dirfd, file, 0))
		r = -errno;
	unlinkat(dirfd, tmp, 0);
	close(fd);
	return r;
}

static int psem_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		       ipcfs_id *id)
{
	char file[IPCFS_NAME_MAX];
	int dirfd = posix_devshm_dirfd(), r;

	if (dirfd < 0)
		return dirfd;
	if ((size_t)snprintf(file, sizeof(file), "sem.%s", args->name) >= sizeof(file))
		return -EINVAL;
	r = make_file(dirfd, file, args->mode);	/* as the caller: CALLER_FS */
	log_dbg("posix/sem create %s -> %d", args->name, r);
	return r ? r : posix_name_new_id(posix_names_of(be), args->name, id);
}

/* ---- the mapping, and the guard against a file shrunk under it ---- */

/*
 * What an open `value` holds: the mapping of the file's first page.  Held
 * by the open file and by each result whose undo may still post or take
 * (undo runs after the file may be closed): the last reference unmaps.
 */
struct psem_map {
	gint refs;
	uint64_t *word;		/* the sem_t's data word: value | nwaiters << 32 */
	size_t len;
	GMutex lock;		/* guards text/textlen; a leaf (fs/ipcfs.h) */
	char text[24];		/* the value as the last read at offset 0 saw it */
	size_t textlen;
};

static struct psem_map *map_ref(struct psem_map *m)
{
	g_atomic_int_inc(&m->refs);
	return m;
}

static void map_unref(struct psem_map *m)
{
	if (!g_atomic_int_dec_and_test(&m->refs))
		return;
	munmap(m->word, m->len);
	g_mutex_clear(&m->lock);
	g_free(m);
}

/*
 * A SIGBUS in a mapping the thread is using ends that access, not the
 * daemon: the handler jumps back to the access's guard, which fails with
 * EIDRM (the semaphore's memory is gone).  Any other SIGBUS is a bug of
 * ours: the former action is put back and the fault happens again.
 */
static __thread sigjmp_buf *bus_jmp;
static __thread const struct psem_map *bus_map;
static struct sigaction bus_former;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *j = bus_jmp;
	const struct psem_map *m = bus_map;

	(void)sig, (void)uc;
	if (j && m && (char *)si->si_addr >= (char *)m->word &&
	    (char *)si->si_addr < (char *)m->word + m->len) {
		bus_jmp = NULL;
		siglongjmp(*j, 1);
	}
	sigaction(SIGBUS, &bus_former, NULL);
}

static void bus_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		/* SA_NODEFER: the jump leaves the handler with SIGBUS not
		 * blocked, without saving the mask at every guard. */
		struct sigaction sa = { .sa_sigaction = on_sigbus,
					.sa_flags = SA_SIGINFO | SA_NODEFER };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &bus_former))
			log_err("posix/sem: cannot handle SIGBUS: %s", g_strerror(errno));
		g_once_init_leave(&once, 1);
	}
}

/* Run one access to m's memory: `body` is a statement; GUARDED evaluates
 * to 0, or -EIDRM when the memory went away under it. */
#define GUARDED(m, body) \
	({ \
		sigjmp_buf _jb; \
		int _r = 0; \
		if (sigsetjmp(_jb, 0)) { \
			_r = -EIDRM; \
		} else { \
			bus_map = (m); \
			bus_jmp = &_jb; \
			body; \
			bus_jmp = NULL; \
		} \
		_r; \
	})

static int word_load(struct psem_map *m, uint64_t *out)
{
	uint64_t v = 0;
	int r = GUARDED(m, v = __atomic_load_n(m->word, __ATOMIC_RELAXED));

	*out = v;
	return r;
}

/* Compare-and-swap: *ok says whether *expected was there (it gets what
 * was, when not).  A full barrier: acquire as glibc takes, release as it
 * posts. */
static int word_cas(struct psem_map *m, uint64_t *expected, uint64_t desired, bool *ok)
{
	uint64_t e = *expected, was = e;
	int r = GUARDED(m, was = __sync_val_compare_and_swap(m->word, e, desired));

	*ok = !r && was == e;
	*expected = was;
	return r;
}

static int word_add(struct psem_map *m, uint64_t delta, uint64_t *old)
{
	uint64_t v = 0;
	int r = GUARDED(m, v = __atomic_fetch_add(m->word, delta, __ATOMIC_RELAXED));

	*old = v;
	return r;
}

/* The value as sem_getvalue() gives it. */
static int value_of(uint64_t w)
{
	return (int)(uint32_t)(w & PSEM_VALUE_MASK);
}

/* The futex word: the value, the low half of `data`. */
static uint32_t *futex_word(struct psem_map *m)
{
	return (uint32_t *)(void *)m->word;
}

/* Post n at once (n posts, all or none): -EOVERFLOW when the value would
 * pass SEM_VALUE_MAX, as sem_post says.  Wakes up to n blocked waiters. */
static int post_n(struct psem_map *m, uint32_t n)
{
	uint64_t w;
	bool ok = false;
	int r = word_load(m, &w);

	while (!r && !ok) {
		if ((uint32_t)(w & PSEM_VALUE_MASK) > (uint32_t)SEM_VALUE_MAX - n)
			return -EOVERFLOW;
		r = word_cas(m, &w, w + n, &ok);
	}
	/* Waiters sleep in FUTEX_WAIT on the value word (shared: the file's
	 * pages, whoever mapped them): wake as many as were posted. */
	if (!r && (w >> PSEM_NWAITERS_SHIFT))
		syscall(SYS_futex, futex_word(m), FUTEX_WAKE, (int)MIN(n, (uint32_t)INT_MAX),
			NULL, NULL, 0);
	return r;
}

/* Take n at once if the value is at least n: 0, or -EAGAIN changing
 * nothing. */
static int take_n_now(struct psem_map *m, uint32_t n)
{
	uint64_t w;
	bool ok = false;
	int r = word_load(m, &w);

	while (!r && !ok) {
		if ((uint32_t)(w & PSEM_VALUE_MASK) < n)
			return -EAGAIN;
		r = word_cas(m, &w, w - n, &ok);
	}
	return r;
}

/*
 * One sem_wait, glibc's slow path: count ourselves a waiter (so that
 * sem_post wakes us), sleep on the futex while the value is 0, then take
 * one and stop being a waiter in a single step.  A signal (the worker's,
 * from fs/wait.c) ends the sleep; the wait then gives up when the caller
 * did.  0, -EINTR (nothing taken) or -EIDRM.
 */
static int wait_one(struct psem_map *m, struct ipcfs_call *call)
{
	uint64_t w;
	bool ok = false;
	int r = word_add(m, PSEM_ONE_WAITER, &w);

	while (!r && !ok) {
		if (w & PSEM_VALUE_MASK) {
			r = word_cas(m, &w, w - 1 - PSEM_ONE_WAITER, &ok);
			continue;
		}
		if (wait_cancelled(call)) {
			r = word_add(m, -PSEM_ONE_WAITER, &w);
			return r ? r : -EINTR;
		}
		if (syscall(SYS_futex, futex_word(m), FUTEX_WAIT, 0, NULL, NULL, 0) &&
		    errno == EFAULT)
			return -EIDRM;
		r = word_load(m, &w);
	}
	return r;
}

/*
 * -N: N waits, all or nothing.  At once when N are there (or O_NONBLOCK:
 * EAGAIN, nothing taken); else one by one, as N sem_wait calls would, and
 * an interrupted wait gives back those it had taken.
 */
static int take(struct ipcfs_call *call, struct psem_map *m, uint32_t n, bool nonblock,
		bool *waited)
{
	uint32_t taken = 0;
	int r = take_n_now(m, n);

	if (r != -EAGAIN || nonblock)
		return r;
	if (call_interrupted(call))
		return -EINTR;
	r = wait_begin(call);
	while (!r && taken < n) {
		r = wait_one(m, call);
		if (!r)
			taken++;
	}
	wait_end(call);	/* also after a failed wait_begin: it registered */
	*waited = true;
	if (r && taken && r != -EIDRM)
		post_n(m, taken);
	return r;
}

/* ---- value ---- */

static int value_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	bool rdonly = (fh->flags & O_ACCMODE) == O_RDONLY;
	struct psem_map *m;
	struct stat st;
	void *p;
	int fd;

	(void)o;
	bus_init();
	/* As sem_open: the file opened read-write by the caller (writing
	 * needs both, natively too); reading only needs read.  O_NONBLOCK:
	 * a FIFO put in the name's place since the lookup must not hold the
	 * worker in open(2). */
	fd = posix_open_as(fh->be, &fh->cred, fh->id, (rdonly ? O_RDONLY : O_RDWR) | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(sem_t)) {
		close(fd);
		return -EINVAL;	/* not a semaphore: sem_open would map garbage */
	}
	p = mmap(NULL, sizeof(sem_t), rdonly ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	m = g_new0(struct psem_map, 1);
	m->refs = 1;
	m->word = p;
	m->len = sizeof(sem_t);
	g_mutex_init(&m->lock);
	fh->priv = m;
	return 0;
}

static void value_release(struct ipcfs_fh *fh)
{
	if (fh->priv)
		map_unref(fh->priv);
	fh->priv = NULL;
}

static void free_data(struct ipcfs_result *res)
{
	g_free((void *)res->data);
}

/* Offset 0 reads the value now; later offsets read on in that text, so
 * that one `cat` sees one number. */
static int value_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		      struct ipcfs_result *res)
{
	struct psem_map *m = fh->priv;
	uint64_t w;
	int r = 0;

	(void)call;
	g_mutex_lock(&m->lock);
	if (off == 0 || !m->textlen) {
		r = word_load(m, &w);
		if (!r)
			m->textlen = (size_t)snprintf(m->text, sizeof(m->text), "%d\n", value_of(w));
	}
	if (!r && off >= 0 && (size_t)off < m->textlen) {
		res->size = MIN(size, m->textlen - (size_t)off);
		res->data = g_memdup2(m->text + off, res->size);
		res->done = free_data;
	}
	g_mutex_unlock(&m->lock);
	return r;
}

/* Give back what a write did for a writer that never heard of it:
 * arg[0] > 0 posts back what a -N took; < 0 takes back what +N posted, if
 * it is still there.  Never blocks. */
static void value_undo(struct ipcfs_result *res)
{
	struct psem_map *m = res->priv;
	int64_t n = res->arg[0];
	int r = n > 0 ? post_n(m, (uint32_t)n) : take_n_now(m, (uint32_t)-n);

	if (r)
		log_err("posix/sem: cannot undo %+lld for a writer that never heard of it: %s",
			(long long)-n, g_strerror(-r));
	else
		log_dbg("posix/sem: undid %+lld for a writer that never heard of it", (long long)-n);
}

static void value_done(struct ipcfs_result *res)
{
	map_unref(res->priv);
}

static int value_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		       const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct psem_map *m = fh->priv;
	char text[PSEM_WRITE_MAX + 1] = "";
	int64_t v = 0;
	char sign = 0;
	int r;

	(void)o, (void)off;	/* mapped: checked at open; one command a write */
	r = text_copy(buf, size, text, sizeof(text));
	if (!r)
		r = parse_s64(text, -(int64_t)SEM_VALUE_MAX, SEM_VALUE_MAX, &v, &sign);
	/* There is no "set" of a POSIX semaphore: a sign is needed. */
	if (!r && !sign)
		r = -EINVAL;
	if (r || !v)
		goto out;
	if (v > 0)
		r = post_n(m, (uint32_t)v);
	else
		r = take(call, m, (uint32_t)-v, fh->flags & O_NONBLOCK, &res->waited);
	if (!r) {
		/* Undone with the mapping, after fh may be gone. */
		res->undo = value_undo;
		res->done = value_done;
		res->priv = map_ref(m);
		res->arg[0] = -v;
	}
out:
	log_dbg("posix/sem %d value write %s -> %d", fh->id, g_strstrip(text), r);
	return r;
}

/*
 * poll(2): POLLIN when a wait of 1 (`-1`) would not block, the value is 1
 * or more; POLLOUT when a post would not fail, the value is below
 * SEM_VALUE_MAX.  An unlinked semaphore still works for whoever has it
 * open, as natively: no POLLHUP.
 */
static unsigned value_ready(struct ipcfs_fh *fh, unsigned events)
{
	uint64_t w;
	unsigned mask = 0;

	(void)events;
	if (word_load(fh->priv, &w))
		return POLLERR | POLLHUP | (events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM));
	if (value_of(w) >= 1)
		mask |= POLLIN | POLLRDNORM;
	if (value_of(w) >= 0 && value_of(w) < SEM_VALUE_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static int value_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0666);
	return 0;
}

/* ---- waiters: part of the file's contents, so for its readers only ---- */

static int waiters_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0444);
	return 0;
}

static int waiters_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			GString *out)
{
	uint64_t w;
	int r = psem_word(reader, o, &w);

	(void)sub;
	/* A file too short to be a semaphore has no waiters. */
	if (r && r != -EINVAL)
		return r;
	g_string_append_printf(out, "%lld\n", r ? 0LL : (long long)(w >> PSEM_NWAITERS_SHIFT));
	return 0;
}

static const struct ipcfs_file psem_files[] = {
	{
		.name = "value",
		.mode = S_IFREG | 0666,
		/* The rights are the file's, at open (as sem_open's): the
		 * mapping keeps working after a chmod, natively too. */
		.flags = IPCFS_FILE_MAPPED | IPCFS_FILE_OWN_INODE,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = value_getattr,
		.open = value_open,
		.read = value_read,
		.write = value_write,
		.release = value_release,
		.ready = value_ready,
	},
	{
		/* Read from the file through the reader's own open of it. */
		.name = "waiters",
		.mode = S_IFREG | 0444,
		.need_read = IPCFS_R,
		.getattr = waiters_getattr,
		.text = waiters_text,
	},
};

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
static const struct ipcfs_field psem_fields[] = {
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, NULL),
	{ 0 }
};

/* Value and waiters, for readers who may read them (as the files want). */
static void psem_metrics(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out);


const struct ipcfs_backend posix_sem_backend = {
	.name = "sem",
	.data = &psem_kind,
	POSIX_METHODS,
	.create = psem_create,
	.create_as = IPCFS_CREATE_AS_CALLER_FS,
	.remove = posix_remove,
	.fields = psem_fields,
	.files = psem_files,
	.nfiles = G_N_ELEMENTS(psem_files),
	.metrics = psem_metrics,
	.ns_info = posix_devshm_info,
	.init = posix_devshm_init,
	.shutdown = posix_devshm_close,
};

static void psem_metrics(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out)
{
	/* Each word read through the reader's own open: what they may not
	 * read is not shown, nor is a file too short to be a semaphore. */
	g_autofree uint64_t *words = g_new0(uint64_t, MAX(objs->len, 1));
	g_autofree bool *may = g_new0(bool, MAX(objs->len, 1));
	static const struct {
		const char *name, *help;
		int shift;
		uint64_t mask;
	} fams[] = {
		{ "value", "Value of the semaphore (those the reader may read).", 0,
		  PSEM_VALUE_MASK },
		{ "waiters", "Threads blocked in sem_wait (glibc's count in the semaphore).",
		  PSEM_NWAITERS_SHIFT, PSEM_VALUE_MASK },
	};

	for (guint i = 0; i < objs->len; i++)
		may[i] = !psem_word(reader, &g_array_index(objs, struct ipcfs_obj, i), &words[i]);
	for (size_t f = 0; f < G_N_ELEMENTS(fams); f++) {
		g_string_append_printf(out,
				       "# HELP ipcfs_posix_sem_%s %s\n# TYPE ipcfs_posix_sem_%s gauge\n",
				       fams[f].name, fams[f].help, fams[f].name);
		for (guint i = 0; i < objs->len; i++) {
			uint64_t v = (words[i] >> fams[f].shift) & fams[f].mask;

			if (may[i])
				g_string_append_printf(out, "ipcfs_posix_sem_%s{%s} %lld\n",
						       fams[f].name, labels[i],
						       f ? (long long)v : (long long)(int32_t)v);
		}
	}
}
