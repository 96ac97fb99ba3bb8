// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posix_shm.c - POSIX shared memory objects: what shm_open() makes, the
 * regular files of /dev/shm (of the served namespace's container with
 * ns=/proc/PID/ns/ipc: its /proc/PID/root/dev/shm).
 *
 *   posix/shm/<name>/data      the object's bytes, read and written with
 *                              pread/pwrite on a descriptor opened as the
 *                              caller; st_size is the object's size
 *   posix/shm/<name>/attached  PID COMMAND of every process that maps it,
 *                              as far as the reader may see (then "hidden N")
 *   posix/shm/<name>/info, size, uid, gid, mode, atime, mtime, ctime
 *
 *   $ mkdir -m 600 posix/shm/demo          # shm_open("/demo", O_CREAT|O_EXCL, 0600)
 *   $ printf hello | dd of=posix/shm/demo/data conv=notrunc status=none
 *   $ truncate -s 1M posix/shm/demo/data   # ftruncate
 *   $ rmdir posix/shm/demo                 # shm_unlink
 *
 * glibc keeps its named semaphores in /dev/shm too, as sem.NAME: those are
 * posix/sem's, never listed here, and no name here may start with "sem.".
 */
#include "posix.h"
#include "shmview.h"	/* shm_size */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* An object's own numbers in struct ipcfs_obj, from its file's stat. */
struct pshm_nums {
	struct posix_head head;	/* the inode number: first, as posix.c wants */
	int64_t dev;		/* with the inode: what /proc/PID/maps names */
	int64_t size, blocks;
	int64_t atime, mtime, ctime;
	int64_t passthrough;	/* data is served by FUSE passthrough (mmap works) */
};
IPCFS_NUMS_FIT(struct pshm_nums);
#define PSHM(o) IPCFS_NUMS(struct pshm_nums, o)

/* glibc's sem_open() files, "sem.NAME": posix/sem's. */
#define PSHM_SEM_PREFIX "sem."

static struct posix_names pshm_names;
extern const struct ipcfs_backend posix_shm_backend;

static bool pshm_skip(const char *file)
{
	return !strncmp(file, PSHM_SEM_PREFIX, strlen(PSHM_SEM_PREFIX));
}

static int pshm_fill(struct ipcfs_obj *o, int dirfd, const char *file, const struct stat *st)
{
	(void)dirfd, (void)file;
	PSHM(o)->dev = (int64_t)st->st_dev;
	PSHM(o)->size = (int64_t)st->st_size;
	PSHM(o)->blocks = (int64_t)st->st_blocks;
	PSHM(o)->atime = st->st_atime;
	PSHM(o)->mtime = st->st_mtime;
	PSHM(o)->ctime = st->st_ctime;
	PSHM(o)->passthrough = ipcfs_passthrough_on();
	return 0;
}

/*
 * shm_open(NAME, O_RDWR|O_CREAT|O_EXCL, MODE) and ftruncate to the size,
 * as the caller (IPCFS_CREATE_AS_CALLER_FS): the kernel makes the file
 * theirs and decides whether they may create in /dev/shm.  The daemon's umask is not the caller's (theirs
 * is in MODE already, applied by the kernel to mkdir), hence the fchmod.
 * A size the file cannot take removes it again: no object is half made.
 * No "sem.NAME": it would be taken for a semaphore and never shown (EINVAL).
 */
static int pshm_create(const struct ipcfs_backend *be, const struct ipcfs_create_args *args,
		       ipcfs_id *id)
{
	int dirfd = posix_devshm_dirfd(), fd, r;

	if (dirfd < 0)
		return dirfd;
	r = posix_name_check("", args->name);
	if (r)
		return r;
	if (pshm_skip(args->name))
		return -EINVAL;
	if (args->param > (uint64_t)G_MAXINT64)
		return -EFBIG;
	fd = file_openat(dirfd, args->name, O_RDWR | O_CREAT | O_EXCL, args->mode, true);
	if (fd < 0)
		return fd;
	if (fchmod(fd, args->mode) || ftruncate(fd, (off_t)args->param)) {
		r = -errno;
		unlinkat(dirfd, args->name, 0);
	}
	close(fd);
	if (r)
		return r;
	return posix_name_new_id(posix_names_of(be), args->name, id);
}

/* ---- data: the object's bytes ---- */

/*
 * One open `data`: a descriptor of the object's file opened as the caller,
 * read or write as they opened `data` (a write-only open needs only w, as
 * natively), and used for everything this open file does, as a native
 * descriptor would be: rights are checked once, at open.  With FUSE
 * passthrough the kernel maps that file itself and serves the reads of a
 * read-only open from it (fs/passthrough.c); writes stay here.
 *
 * pread/pwrite, not a mapping: another process may shrink the object at
 * any moment (ftruncate), and a store into a mapping past its new end is a
 * SIGBUS that would end the daemon; pread and pwrite just see the new size.
 */
struct pshm_open {
	int fd;
	/* The open had O_TRUNC (`echo text > data`): the truncation fs/
	 * asks for next zero-fills instead of resizing (see data_truncate). */
	bool zero_pending;
};

static int data_getattr(const struct ipcfs_obj *o, uint64_t sub, struct stat *st)
{
	(void)sub;
	st->st_mode = S_IFREG | (o->mode & 0666);
	st->st_size = PSHM(o)->size;
	st->st_blocks = PSHM(o)->blocks;
	return 0;
}

static int data_open(struct ipcfs_fh *fh, const struct ipcfs_obj *o)
{
	int acc = fh->flags & O_ACCMODE, fd;
	struct pshm_open *p;
	struct stat st;

	fd = posix_open_as(fh->be, &fh->cred, fh->id, acc == O_WRONLY ? O_WRONLY :
					      acc == O_RDWR ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return fd;
	/* The name may have been given to a new object since fs/ looked. */
	if (fstat(fd, &st) || (int64_t)st.st_ino != PSHM(o)->head.ino) {
		close(fd);
		return -ENOENT;
	}
	p = g_new0(struct pshm_open, 1);
	p->fd = fd;
	p->zero_pending = (fh->flags & O_TRUNC) && acc != O_RDONLY;
	fh->priv = p;
	/* The same file, opened as the caller, for fs/ to hand the kernel
	 * (FUSE passthrough: mmap, and reads of a read-only open). */
	if (ipcfs_passthrough_on())
		fh->backing_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return 0;
}

/* Each worker thread's read buffer, kept between reads: a fresh 1 MiB
 * buffer per read would be mmapped and faulted in anew each time (the
 * daemon's malloc maps blocks over 128 KiB).  Freed when the thread ends. */
struct read_buf {
	size_t cap;
	char bytes[];
};
static GPrivate read_buf_key = G_PRIVATE_INIT(g_free);

static int data_read(struct ipcfs_call *call, struct ipcfs_fh *fh, size_t size, off_t off,
		     struct ipcfs_result *res)
{
	struct pshm_open *p = fh->priv;
	struct read_buf *b = g_private_get(&read_buf_key);
	size_t done = 0;

	(void)call;
	if (!size)
		return 0;
	if (!b || b->cap < size) {
		b = g_try_malloc(sizeof(*b) + size);
		if (!b)
			return -ENOMEM;
		b->cap = size;
		g_private_replace(&read_buf_key, b);
	}
	/* fs/ replies (one copy into the request) before this thread reads
	 * again: the buffer is free again once this read is answered. */
	while (done < size) {
		ssize_t n = pread(p->fd, b->bytes + done, size - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? 0 : -errno;
		if (!n)
			break;
		done += (size_t)n;
	}
	res->data = b->bytes;
	res->size = done;
	return 0;
}

/*
 * As System V's data: a write must fit in the object, all or nothing
 * (EFBIG, no byte written), never growing it; `truncate -s` changes the
 * size.  (Another process may shrink it between the size test and the
 * pwrite; the pwrite then grows it back, as a native pwrite would.)
 */
static int data_write(struct ipcfs_call *call, struct ipcfs_fh *fh, const struct ipcfs_obj *o,
		      const char *buf, size_t size, off_t off, struct ipcfs_result *res)
{
	struct pshm_open *p = fh->priv;
	size_t done = 0;
	struct stat st;

	(void)call, (void)o;	/* a MAPPED row: the descriptor decides */
	if (fstat(p->fd, &st))
		return -errno;
	if (off < 0 || off > st.st_size || size > (uint64_t)(st.st_size - off))
		return -EFBIG;
	while (done < size) {
		ssize_t n = pwrite(p->fd, buf + done, size - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!done)
				return -errno;
			break;
		}
		done += (size_t)n;
	}
	res->size = done;
	return 0;
}

static void data_release(struct ipcfs_fh *fh)
{
	struct pshm_open *p = fh->priv;

	if (p) {
		close(p->fd);
		g_free(p);
		fh->priv = NULL;
	}
}

/* Zeros over the whole object, its size kept: holes punched (tmpfs gives
 * the memory back, mappings see zero pages), or zeros written where the
 * filesystem cannot punch. */
static int zero_fill(int fd)
{
	static const char zeros[64 << 10];
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!st.st_size ||
	    !fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, st.st_size))
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = pwrite(fd, zeros, (size_t)MIN((off_t)sizeof(zeros), st.st_size - off), off);

		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/*
 * ftruncate on the descriptor opened as the caller: `truncate -s` (which
 * opens and calls ftruncate) grows or shrinks the object, as natively, and
 * so does truncate(2) by path, for which fs/ opens `data` for writing as
 * the caller first.  The one exception is the truncation an O_TRUNC open
 * brings (`echo text > data`, `cp file data`): that one zero-fills and
 * keeps the size, as for System V's data, because a write never grows the
 * object, and truncating it to nothing would make the write that follows
 * fail with EFBIG after the contents were gone.
 */
static int data_truncate(ipcfs_id id, struct ipcfs_fh *fh, off_t size)
{
	struct pshm_open *p = fh->priv;

	(void)id;
	if (p->zero_pending) {
		p->zero_pending = false;
		if (!size)
			return zero_fill(p->fd);
	}
	return ftruncate(p->fd, size) ? -errno : 0;
}

/* ---- attached: who maps it ---- */

/* Does process `pid` map the file dev:ino?  By numbers, not by path: a
 * container's /dev/shm/NAME is another file than ours, and the kernel
 * escapes and decorates paths (" (deleted)" once unlinked). */
static bool pshm_uses(const char *pid, void *ctx)
{
	const struct ipcfs_obj *o = ctx;

	return procs_maps(pid, (dev_t)PSHM(o)->dev, (uint64_t)PSHM(o)->head.ino, NULL);
}

/*
 * PID COMMAND of every process that maps the object, under System V's
 * `attached` rule: only processes whose /proc/PID/maps the kernel would
 * show the reader (ptrace_may_read), the others counted on a last line
 * "hidden N".  A process that has it open without mapping it is not
 * listed (nor counted by nattch for a segment).  The daemon never maps it.
 */
static int attached_text(const struct ipcfs_obj *o, uint64_t sub, struct ipcfs_cred *reader,
			 GString *out)
{
	(void)sub;
	return procs_text(reader, pshm_uses, (void *)o, out);
}

static const struct ipcfs_file pshm_files[] = {
	{
		.name = "data",
		.mode = S_IFREG | 0666,
		.flags = IPCFS_FILE_MAPPED,
		/* As open(2) of /dev/shm/NAME: r to read, w to write. */
		.need_read = IPCFS_R,
		.need_write = IPCFS_W,
		.getattr = data_getattr,
		.open = data_open,
		.read = data_read,
		.write = data_write,
		.release = data_release,
		.truncate = data_truncate,
	},
	{
		.name = "attached",
		.mode = S_IFREG | 0444,
		.text = attached_text,
	},
};

#define F(n, m, f, h) IPCFS_FIELD(n, m, f, h)
#define FN(n, m, f, h) IPCFS_FIELD_NUM(n, struct pshm_nums, m, f, h)
static const struct ipcfs_field pshm_fields[] = {
	FN("size", size, IPCFS_FMT_DEC, "Object size in bytes."),
	F("uid", uid, IPCFS_FMT_DEC, NULL),
	F("gid", gid, IPCFS_FMT_DEC, NULL),
	F("mode", mode, IPCFS_FMT_MODE, NULL),
	FN("atime", atime, IPCFS_FMT_TIME, NULL),
	FN("mtime", mtime, IPCFS_FMT_TIME,
	   "Last change of contents or size, seconds since the epoch."),
	FN("ctime", ctime, IPCFS_FMT_TIME, NULL),
	FN("passthrough", passthrough, IPCFS_FMT_BOOL, NULL),
	{ 0 }
};


static const struct posix_kind pshm_kind = {
	.names = &pshm_names,
	.dirfd = posix_devshm_dirfd,
	.prefix = "",
	.skip = pshm_skip,
	.fill = pshm_fill,
	.default_param = &shm_size,
};

const struct ipcfs_backend posix_shm_backend = {
	.name = "shm",
	.data = &pshm_kind,
	POSIX_METHODS,
	.create = pshm_create,
	.create_as = IPCFS_CREATE_AS_CALLER_FS,
	.remove = posix_remove,
	.fields = pshm_fields,
	.files = pshm_files,
	.nfiles = G_N_ELEMENTS(pshm_files),
	.ns_info = posix_devshm_info,
	.init = posix_devshm_init,
	.shutdown = posix_devshm_close,
};
