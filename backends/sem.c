// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sem.c - System V semaphore sets.
 *
 *   sem/<semid>/0 .. N-1     one semaphore: read its value; write N (SETVAL),
 *                            +N (V), -N (P, blocks) or "zero" (blocks until 0)
 *   sem/<semid>/values       all values on one line (GETALL); writing sets all
 *   sem/<semid>/semaphores   "num value ncnt zcnt pid", one line per semaphore
 *   sem/<semid>/info, key, nsems, otime, ...   the attribute rows below
 *
 *   $ mkdir sem/0x1234 && id=$(cat sem/0x1234/id)
 *   $ echo -1 > sem/$id/0 &         # blocks: the value is 0
 *   $ echo +1 > sem/0x1234/0        # V: the background P completes
 *   $ cat sem/$id/values
 *   0
 *
 * A P or wait-for-zero blocks the writing process, not the daemon: the
 * worker thread sleeps in semop() and is woken by fs/wait.c's signal when
 * the writer is interrupted.  Operations never use SEM_UNDO, because the
 * writer's "process" as the kernel sees it is the daemon, and a P made by
 * `echo -1 > 0` must outlive that write.  The kernel records the daemon as
 * the last operator (GETPID, `pid` in `semaphores`).
 */
#include "sysv.h"
#include "sem.h"
#include "nowait.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>

/* The kernel's SEMVMX, used only if IPC_INFO cannot be asked. */
#define SEM_VMX_DEFAULT 32767
/* The longest write a semaphore file takes: "-32767", blanks, newline. */
#define SEM_WRITE_MAX 64
/* A `values` line: up to 6 bytes per semaphore, with room for blanks. */
#define SEM_VALUES_MAX (1 << 20)

/* glibc leaves the caller to define semctl()'s fourth argument. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static char *sem_nsems_str;
static uint64_t sem_nsems = 1;

/* ---- the pure parsers (sem.h) ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int sem_parse_write(const char *text, int semvmx, struct sem_write *out)
{
	const char *b, *e;
	int64_t v;
	char sign;
	int r;

	/* The same trimming as parse_s64, to recognise the word. */
	parse_trim(text, &b, &e);
	if (e - b == 4 && !memcmp(b, "zero", 4)) {
		out->verb = SEM_VERB_ZERO;
		out->amount = 0;
		return 0;
	}
	r = parse_s64_in(b, e, -(int64_t)semvmx, semvmx, &v, &sign);
	if (r)
		return r;
	switch (sign) {
	case '+':
		out->verb = SEM_VERB_ADD;
		out->amount = (int)v;
		break;
	case '-':
		out->verb = SEM_VERB_SUB;
		out->amount = (int)-v;
		break;
	default:
		out->verb = SEM_VERB_SET;
		out->amount = (int)v;
		break;
	}
	return 0;
}

/* One word of a `values` line: digits only.  0, -EINVAL or -ERANGE. */
static int parse_value_word(const char *b, const char *e, int semvmx, unsigned short *out)
{
	uint64_t v;
	int r;

	/* Not a number (a sign too: values are absolute) before too big. */
	if (b + strspn(b, "0123456789") != e)
		return -EINVAL;
	r = parse_digits(b, e, 10, &v);
	if (r)
		return r;
	if (v > (uint64_t)semvmx)
		return -ERANGE;
	*out = (unsigned short)v;
	return 0;
}

int sem_parse_values(const char *text, int semvmx, size_t nsems, unsigned short *vals)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		const char *w;
		unsigned short v;
		int r;

		while (is_blank(*p) || *p == '\n')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && !is_blank(*p) && *p != '\n')
			p++;
		r = parse_value_word(w, p, semvmx, &v);
		if (r)
			return r;
		if (n < nsems)
			vals[n] = v;
		n++;
	}
	return n == nsems ? 0 : -EINVAL;
}

/* ---- the kernel's tables ---- */

static int sem_stat_any(int idx, struct ipcfs_obj *o)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int id = semctl(idx, 0, SEM_STAT_ANY, arg);

	if (id < 0)
		return -errno;
	ipc_fill_perm(o, id, &ds.sem_perm);
	SEM(o)->nsems = (int64_t)ds.sem_nsems;
	SEM(o)->otime = ds.sem_otime;
	SEM(o)->ctime = ds.sem_ctime;
	ipc_dir_times(o, ds.sem_otime, ds.sem_otime, ds.sem_ctime);
	return id;
}

static int sem_max_index(void)
{
	struct seminfo si;
	union semun arg = { .__buf = &si };
	int max = semctl(0, 0, SEM_INFO, arg);

	return max < 0 ? -errno : max;
}

static int sem_find_key(key_t key)
{
	/* nsems 0 and no flags: the kernel checks nothing but the key. */
	int id = semget(key, 0, 0);

	return id < 0 ? -errno : id;
}

static int sem_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		      ipcfs_id *id)
{
	int r;

	(void)be;
	/* semget() with nsems 0 would look up instead of create. */
	if (args->param < 1 || args->param > INT_MAX)
		return -EINVAL;
	r = semget(args->key, (int)args->param, IPC_CREAT | IPC_EXCL | (int)args->mode);
	if (r < 0)
		return -errno;
	*id = (ipcfs_id)r;
	return 0;
}

static int sem_remove(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id)
{
	(void)be, (void)c;	/* checked by fs/ with sysv_owner */
	return semctl(id, 0, IPC_RMID) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* `what` does not matter: IPC_SET sets all three, owner checked by fs/. */
static int sem_set(const struct ipcfs_backend *be, struct ipcfs_cred *c, ipcfs_id id, unsigned what,
	   uid_t uid, gid_t gid, mode_t mode)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int r;

	(void)be, (void)what;
	r = sysv_ids_settable(c, uid, gid);
	if (r)
		return r;
	if (semctl(id, 0, IPC_STAT, arg))
		return sysv_errno(errno, SYSV_BY_PATH);
	ds.sem_perm.uid = uid;
	ds.sem_perm.gid = gid;
	ds.sem_perm.mode = (unsigned short)mode;
	return semctl(id, 0, IPC_SET, arg) ? sysv_errno(errno, SYSV_BY_PATH) : 0;
}

/* SEMVMX as this kernel reports it: a constant of the kernel (no sysctl
 * sets it), so asked once. */
static int sem_vmx(void)
{
	static int vmx;
	int v = g_atomic_int_get(&vmx);

	if (!v) {
		struct seminfo si;
		union semun arg = { .__buf = &si };

		v = semctl(0, 0, IPC_INFO, arg) < 0 || si.semvmx <= 0 ? SEM_VMX_DEFAULT : si.semvmx;
		g_atomic_int_set(&vmx, v);
	}
	return v;
}

/* ---- 0 .. nsems-1: one file per semaphore ---- */

static uint64_t semfile_count(const struct ipcfs_obj *o)
{
	return (uint64_t)SEM(o)->nsems;
}

/* Files in a set show the set's permission bits, as shm's data does. */
static int semfile_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0666);
	return 0;
}

static int semfile_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	(void)reader;
	int v = semctl((int)o->id, (int)sub, GETVAL);

	if (v < 0)
		return sysv_errno(errno, SYSV_BY_PATH);
	g_string_append_printf(out, "%d\n", v);
	return 0;
}

/*
 * A P or wait-for-zero for a writer: at once when sb has IPC_NOWAIT (the
 * file is O_NONBLOCK), else done so that the writer can give up: the
 * worker's signal (fs/wait.c) ends semop() with EINTR, and we retry unless
 * the writer was interrupted or the daemon is stopping.  0 or -errno.
 */
static int semop_req(struct ipcfs_call *call, int id, struct sembuf *sb, bool *waited)
{
	bool nonblock = sb->sem_flg & IPC_NOWAIT;
	struct sembuf now = *sb;
	int r;

	/* First without waiting, which is all most operations need: a wait
	 * registered for interruption costs a lock, an allocation and
	 * libfuse's bookkeeping (measured: 10% of a small write). */
	if (!nonblock && call_interrupted(call))
		return -EINTR;	/* before it began: nothing done, as in a wait */
	now.sem_flg |= IPC_NOWAIT;
	if (!nowait_semop(id, &now, 1))
		return 0;
	if (errno != EAGAIN || nonblock)
		return sysv_errno(errno, SYSV_OPEN_FILE);
	r = wait_begin(call);
	while (!r) {
		if (!semop(id, sb, 1))
			break;
		if (errno != EINTR)
			r = sysv_errno(errno, SYSV_OPEN_FILE);
		else if (wait_cancelled(call))
			r = -EINTR;
	}
	wait_end(call);	/* also after a failed wait_begin: it registered */
	/* A writer killed while it waited never hears of its P: the kernel
	 * would have cancelled a dead process's semop, so fs/ has it given
	 * back (see semop_undo; a V that came after the kill is then still
	 * there). */
	*waited = true;
	return r;
}

/* Take back a P or V whose writer never heard of it: it was interrupted,
 * was killed while it waited, or is gone.  Without blocking. */
static void semop_undo(struct ipcfs_result *res)
{
	int id = (int)res->arg[0];
	struct sembuf sb = { .sem_num = (unsigned short)(res->arg[1] >> 16),
			     .sem_op = (short)-(int16_t)(res->arg[1] & 0xffff),
			     .sem_flg = IPC_NOWAIT };

	if (semop(id, &sb, 1))
		log_err("sem %d/%u: cannot undo %+d for a writer that never heard of it: %s",
			id, sb.sem_num, -sb.sem_op, g_strerror(errno));
	else
		log_dbg("sem %d/%u: undid %+d for a writer that never heard of it", id,
			sb.sem_num, -sb.sem_op);
}

/*
 * Who may open a semaphore file for writing: the kernel wants write access
 * for SETVAL and for a semop that alters (+N, -N), but only read access to
 * wait for zero.  So opening for writing needs one of the two, and each
 * write is checked again against what its operation needs, with the mode
 * the set has then.
 */
static int semfile_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	if ((fh->flags & O_ACCMODE) != O_RDONLY && sysv_access(NULL, &fh->cred, o, IPCFS_R) &&
	    sysv_access(NULL, &fh->cred, o, IPCFS_W))
		return -EACCES;
	return 0;
}

static int semfile_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
			 const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	char text[SEM_WRITE_MAX + 1];
	struct sembuf sb = { .sem_num = (unsigned short)fh->sub };
	struct sem_write w;
	bool undoable = false;
	int r;

	(void)off;	/* every write is one whole command */
	r = text_copy(buf, size, text, sizeof(text));
	if (!r)
		r = sem_parse_write(text, sem_vmx(), &w);
	if (r)
		goto out;
	if (fh->flags & O_NONBLOCK)
		sb.sem_flg = IPC_NOWAIT;
	/* What this operation needs, against the set's mode now: read to
	 * wait for zero, write to alter (semop checks at every call). */
	r = sysv_access(NULL, &fh->cred, o, w.verb == SEM_VERB_ZERO ? IPCFS_R : IPCFS_W);
	if (r)
		goto out;
	switch (w.verb) {
	case SEM_VERB_SET: {
		union semun arg = { .val = w.amount };

		if (semctl(fh->id, (int)fh->sub, SETVAL, arg))
			r = sysv_errno(errno, SYSV_OPEN_FILE);
		break;
	}
	case SEM_VERB_ADD:
		if (!w.amount)
			break;	/* semop would read +0 as "wait for zero" */
		/* V never blocks; a result over SEMVMX is ERANGE. */
		sb.sem_op = (short)w.amount;
		sb.sem_flg = IPC_NOWAIT;
		r = semop(fh->id, &sb, 1) ? sysv_errno(errno, SYSV_OPEN_FILE) : 0;
		undoable = !r;
		break;
	case SEM_VERB_SUB:
		if (!w.amount)
			break;	/* taking nothing always succeeds at once */
		sb.sem_op = (short)-w.amount;
		r = semop_req(call, fh->id, &sb, &res->waited);
		undoable = !r;
		break;
	case SEM_VERB_ZERO:
		sb.sem_op = 0;
		r = semop_req(call, fh->id, &sb, &res->waited);
		break;
	case SEM_VERB_COUNT:
		r = -EINVAL;
		break;
	}
out:
	log_dbg("sem %d/%d write -> %d", fh->id, (int)fh->sub, r);
	if (undoable) {
		/* fh may be released once the reply is out: copies. */
		res->undo = semop_undo;
		res->arg[0] = fh->id;
		res->arg[1] = (int64_t)sb.sem_num << 16 | (uint16_t)sb.sem_op;
	}
	return r;
}

/* ---- values: all of them (GETALL, SETALL) ---- */

static int values_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	(void)reader;
	size_t n = (size_t)SEM(o)->nsems;
	g_autofree unsigned short *vals = g_try_new(unsigned short, MAX(n, 1));
	union semun arg = { .array = vals };

	(void)sub;
	if (!vals)
		return -ENOMEM;
	if (semctl((int)o->id, 0, GETALL, arg))
		return sysv_errno(errno, SYSV_BY_PATH);
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(out, i ? " %u" : "%u", vals[i]);
	g_string_append_c(out, '\n');
	return 0;
}

static int values_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
			const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	g_autofree unsigned short *vals = NULL;
	g_autofree char *text = NULL;
	union semun arg;
	int r;

	(void)off;
	(void)call, (void)res;
	r = text_dup(buf, size, SEM_VALUES_MAX, &text);
	if (r)
		goto out;
	vals = g_try_new(unsigned short, (size_t)SEM(o)->nsems);
	if (!vals) {
		r = -ENOMEM;
		goto out;
	}
	r = sem_parse_values(text, sem_vmx(), (size_t)SEM(o)->nsems, vals);
	if (r)
		goto out;
	arg.array = vals;
	if (semctl(fh->id, 0, SETALL, arg))
		r = sysv_errno(errno, SYSV_OPEN_FILE);
out:
	log_dbg("sem %d values write -> %d", fh->id, r);
	return r;
}

/* ---- semaphores: the per-semaphore table `ipcs -s -i` prints ---- */

static int semaphores_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0444);
	return 0;
}

/* No header line: one line per semaphore, so `wc -l` is nsems and
 * `while read num value ncnt zcnt pid` needs no skipping. */
static int semaphores_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	(void)reader;
	int id = (int)o->id;

	(void)sub;
	for (int i = 0; i < (int)SEM(o)->nsems; i++) {
		int val = semctl(id, i, GETVAL);
		int ncnt = semctl(id, i, GETNCNT);
		int zcnt = semctl(id, i, GETZCNT);
		int pid = semctl(id, i, GETPID);

		if (val < 0 || ncnt < 0 || zcnt < 0 || pid < 0)
			return sysv_errno(errno, SYSV_BY_PATH);
		g_string_append_printf(out, "%d %d %d %d %d\n", i, val, ncnt, zcnt, pid);
	}
	return 0;
}

/*
 * poll(2) on a semaphore file (fs/poll.c).  POLLIN: a P of 1 (`-1`) would
 * not block, the value is 1 or more.  POLLPRI: `zero` would not block, the
 * value is 0 (select(2) reports it as an exceptional condition).  POLLOUT
 * always: V and SETVAL never wait.  A set that is gone: POLLERR|POLLHUP and
 * whatever was asked, since every write now fails at once.
 */
static unsigned semfile_ready(struct ipcfs_fh *fh, unsigned events)
{
	int v = semctl(fh->id, (int)fh->sub, GETVAL);
	unsigned mask = POLLOUT | POLLWRNORM;

	if (v < 0)
		return POLLERR | (errno == EINVAL || errno == EIDRM ? POLLHUP : 0) |
		       (events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLPRI));
	if (v >= 1)
		mask |= POLLIN | POLLRDNORM;
	else
		mask |= POLLPRI;
	return mask;
}

static const struct ipcfs_file sem_files[] = {
	{
		/* 0 .. nsems-1 */
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_INDEXED | IPCFS_FILE_OWN_INODE,
		/* GETVAL needs read; writing needs read or write, each write
		 * what its operation needs (semfile_open). */
		.need_read = IPCFS_R,
		.need_write = 0,
		.count = semfile_count,
		.open = semfile_open,
		.getattr = semfile_getattr,
		.text = semfile_text,
		.write = semfile_write,
		.ready = semfile_ready,
	},
	{
		.name = "values",
		.mode = S_IFREG | 0666,
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = semfile_getattr,
		.text = values_text,
		.write = values_write,
	},
	{
		.name = "semaphores",
		.mode = S_IFREG | 0444,
		.need_read = IPCFS_R,
		.getattr = semaphores_getattr,
		.text = semaphores_text,
	},
};

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
#define FN(n, m, f, h) IPCFS_FIELD_NUM(n, struct sem_nums, m, f, h)
static const struct ipcfs_field sem_fields[] = {
	F("id", id, IPCFS_FMT_DEC, NULL),
	F("key", key, IPCFS_FMT_KEY, NULL),
	FN("nsems", nsems, IPCFS_FMT_DEC, "Number of semaphores in the set."),
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("cuid", cuid, IPCFS_FMT_DEC, NULL),
	F("cgid", cgid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, NULL),
	FN("otime", otime, IPCFS_FMT_TIME, "Last semop time, seconds since the epoch (0: never)."),
	FN("ctime", ctime, IPCFS_FMT_TIME, "Last change time, seconds since the epoch."),
	{ 0 }
};

/* ---- top-level files ---- */

static void sem_limits(GString *out)
{
	struct seminfo si;
	union semun arg = { .__buf = &si };

	if (semctl(0, 0, IPC_INFO, arg) < 0)
		return;
	/* In `ipcs -l` order. */
	g_string_append_printf(out, "semmni: %d\nsemmsl: %d\nsemmns: %d\nsemopm: %d\nsemvmx: %d\n",
			       si.semmni, si.semmsl, si.semmns, si.semopm, si.semvmx);
}

static void sem_summary(GString *out)
{
	struct seminfo si;
	union semun arg = { .__buf = &si };

	/* With SEM_INFO the kernel puts the sets in use in semusz and the
	 * semaphores allocated in semaem, the two numbers `ipcs -u` prints. */
	if (semctl(0, 0, SEM_INFO, arg) < 0)
		return;
	g_string_append_printf(out, "sem_sets: %d\nsem_semaphores: %d\n", si.semusz, si.semaem);
}

/*
 * Per-semaphore families.  Reading a value (or a waiter count) needs read
 * access, so `metrics` shows the sets its reader may read: all of them for
 * a root scraper, the readable ones for anyone else.
 */
static void sem_metrics(GArray *objs, char **labels, struct ipcfs_cred *reader, GString *out)
{
	static const struct {
		const char *name, *help;
		int cmd;
	} fams[] = {
		{ "value", "Value of one semaphore (sets the reader may read).", GETVAL },
		{ "ncnt", "Processes waiting for the semaphore to increase.", GETNCNT },
		{ "zcnt", "Processes waiting for the semaphore to become zero.", GETZCNT },
	};

	for (size_t f = 0; f < G_N_ELEMENTS(fams); f++) {
		g_string_append_printf(out, "# HELP ipcfs_sem_%s %s\n# TYPE ipcfs_sem_%s gauge\n",
				       fams[f].name, fams[f].help, fams[f].name);
		for (guint i = 0; i < objs->len; i++) {
			const struct ipcfs_obj *o = &g_array_index(objs, struct ipcfs_obj, i);

			if (sysv_access(NULL, reader, o, IPCFS_R))
				continue;
			for (int n = 0; n < (int)SEM(o)->nsems; n++) {
				int v = semctl((int)o->id, n, fams[f].cmd);

				if (v < 0)
					break;	/* removed meanwhile */
				g_string_append_printf(out, "ipcfs_sem_%s{%s,num=\"%d\"} %d\n",
						       fams[f].name, labels[i], n, v);
			}
		}
	}
}

static const struct fuse_opt sem_opts[] = {
	{ "sem_nsems=%s", 0, 1 },
	FUSE_OPT_END
};

static int sem_opts_check(void)
{
	sem_nsems = 1;
	if (sem_nsems_str &&
	    (parse_u64(sem_nsems_str, false, &sem_nsems) || sem_nsems < 1 || sem_nsems > INT_MAX)) {
		fprintf(stderr, "ipcfs: sem_nsems=%s: want a number of semaphores, 1 or more\n",
			sem_nsems_str);
		return -EINVAL;
	}
	return 0;
}

static const struct sysv_kind sem_kind = {
	.find_key = sem_find_key,
	.new_has_param = true,
	.default_param = &sem_nsems,
	.stat_any = sem_stat_any,
	.max_index = sem_max_index,
};

const struct ipcfs_backend sem_backend = {
	.name = "sem",
	.data = &sem_kind,
	SYSV_METHODS,
	.create = sem_create,
	.remove = sem_remove,
	.set = sem_set,
	.fields = sem_fields,
	.files = sem_files,
	.nfiles = G_N_ELEMENTS(sem_files),
	.opts = sem_opts,
	.opts_data = &sem_nsems_str,
	.opts_check = sem_opts_check,
	.opts_help = "    -o sem_nsems=N         semaphores in a set made by mkdir (1)\n",
	.limits = sem_limits,
	.summary = sem_summary,
	.metrics = sem_metrics,
};
