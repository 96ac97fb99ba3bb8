// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floorfs.c - the FUSE floor for `make bench`: the least a low-level FUSE
 * filesystem can do per request, mounted exactly as ipcfs mounts itself
 * (direct_io on every open, max_write and max_readahead 1 MiB, readdirplus
 * always, entry and attribute timeouts 1 s, the multi-threaded loop with
 * the same thread limits, allow_other when root, getxattr answering
 * EOPNOTSUPP so that `ls -l` asks about ACLs only once).  Whatever ipcfs spends
 * beyond this is ipcfs's own; this much is the kernel's and libfuse's.
 *
 *   floorfs [-f] [-o shmid=ID] [-o entries=N] [-o populate] MOUNTPOINT
 *
 *   MOUNT/static      st_size 1 GiB; reads copy from one static 1 MiB buffer
 *   MOUNT/seg         the segment ID, attached once at start: reads reply
 *                     from it, writes memcpy into it
 *   MOUNT/segopen     the same, but attached at each open and detached at
 *                     release (so each open pays the page faults of
 *                     mapping it again: what ipcfs's shared view avoids);
 *                     with -o populate,
 *                     each read or write first maps its range in one
 *                     madvise(MADV_POPULATE_READ/WRITE) call, a way out
 *                     that ipcfs could take
 *   MOUNT/null        discards every write (small-write floor)
 *   MOUNT/small       every read returns 64 bytes (small-read floor)
 *   MOUNT/msgq        with -o msqid=ID: each write is one message (type 1)
 *                     sent with msgsnd(IPC_NOWAIT), each read one received
 *                     with msgrcv(IPC_NOWAIT), each after one
 *                     msgctl(MSG_STAT_ANY): the floor plus exactly the
 *                     native operation and check ipcfs makes, made in the
 *                     floor's own worker (the small rows' limit, measured
 *                     where it applies rather than added up from loops)
 *   MOUNT/semop       with -o semid=ID: each write "+N"/"-N" is one
 *                     semop(IPC_NOWAIT) on semaphore 0 after one
 *                     semctl(SEM_STAT_ANY)
 *   MOUNT/pmq         with -o pmq=NAME: writes mq_timedsend, reads
 *                     mq_timedreceive, with a deadline long past (POSIX
 *                     queues are checked at open only); the queue /NAME
 *                     is opened at the first open of pmq
 *   MOUNT/dir/        N synthetic directories named like IPC ids (entries=N)
 *   MOUNT/d/<N>/      the same for any N, made up on lookup
 *   .../<ID>/info     in each of those: a small text file, as an object's
 *                     `info` (the floor for reading one per object)
 *
 *   $ floorfs -f -o shmid=32769 /tmp/floor &
 *   $ dd if=/tmp/floor/seg of=/dev/null bs=1M
 *   $ ls -l /tmp/floor/d/4000 | wc -l
 *   4001
 */
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <mqueue.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT 1.0
#define STATIC_SIZE (UINT64_C(1) << 30)
#define STATIC_BUF (1 << 20)
#define SMALL_SIZE 64
#define NAME_BASE 100000	/* entry names look like IPC ids: 100000, 100001 ... */
#define DIR_MAX (1u << 24)	/* entries per synthetic directory */

/*
 * Inode numbers are computed: the fixed nodes are small numbers, a
 * synthetic directory d/<N> is TAG_DIR|N and its entry i is
 * TAG_ENT|N<<24|i, so lookup needs no table; that entry's `info` is
 * TAG_INFO|N<<24|i.
 */
enum {
	INO_ROOT = 1,
	INO_STATIC,
	INO_SEG,
	INO_SEGOPEN,
	INO_NULL,
	INO_SMALL,
	INO_MSGQ,
	INO_SEMOP,
	INO_PMQ,
	INO_DIR,
	INO_D,
	INO_COUNT
};
#define TAG_DIR (UINT64_C(1) << 60)
#define TAG_ENT (UINT64_C(2) << 60)
#define TAG_INFO (UINT64_C(4) << 60)
#define INFO_TEXT "ino: 123456\nrqueue: 0\nwqueue: 0\ntype: stream\nstate: established\nname: *\npeer: 123457\n"

static const char *const names[INO_COUNT] = {
	[INO_STATIC] = "static",
	[INO_SEG] = "seg",
	[INO_SEGOPEN] = "segopen",
	[INO_NULL] = "null",
	[INO_SMALL] = "small",
	[INO_MSGQ] = "msgq",
	[INO_SEMOP] = "semop",
	[INO_PMQ] = "pmq",
	[INO_DIR] = "dir",
	[INO_D] = "d",
};

static struct {
	int shmid;
	unsigned entries;
	int populate;
	int msqid, semid;
	char *pmq;
} opts = { .shmid = -1, .msqid = -1, .semid = -1 };

static const struct fuse_opt floor_opts[] = {
	{ "shmid=%d", offsetof(typeof(opts), shmid), 0 },
	{ "entries=%u", offsetof(typeof(opts), entries), 0 },
	{ "populate", offsetof(typeof(opts), populate), 1 },
	{ "msqid=%d", offsetof(typeof(opts), msqid), 0 },
	{ "semid=%d", offsetof(typeof(opts), semid), 0 },
	{ "pmq=%s", offsetof(typeof(opts), pmq), 0 },
	FUSE_OPT_END
};

static char static_buf[STATIC_BUF];
static char *seg_addr;		/* attached at start, for `seg` */
static size_t seg_size;
static time_t started;
static mqd_t pmq_fd = (mqd_t)-1;	/* opened by the first open of pmq */
static const struct timespec past = { 0, 0 };

static void stat_of(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atime = st->st_mtime = st->st_ctime = started;
	st->st_blksize = 4096;
	if (ino & TAG_INFO) {
		st->st_mode = S_IFREG | 0444;	/* size 0, as a generated file */
		st->st_nlink = 1;
	} else if (ino == INO_ROOT || ino == INO_DIR || ino == INO_D || (ino & TAG_DIR)) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino & TAG_ENT) {
		/* As an IPC object's directory. */
		st->st_mode = S_IFDIR | 0600;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0666;
		st->st_nlink = 1;
		if (ino == INO_STATIC)
			st->st_size = (off_t)STATIC_SIZE;
		else if (ino == INO_SEG || ino == INO_SEGOPEN)
			st->st_size = (off_t)seg_size;
	}
}

/* How many entries a directory inode has; 0 for anything else. */
static unsigned dir_count(fuse_ino_t ino)
{
	if (ino == INO_DIR)
		return opts.entries;
	if (ino & TAG_DIR)
		return (unsigned)(ino & (DIR_MAX - 1));
	return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= max;
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse_entry_param e = { .ino = ino, .attr_timeout = TIMEOUT,
				      .entry_timeout = TIMEOUT };

	stat_of(ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* The same wishes as ipcfs_init in fs/ops.c. */
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO)
		conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	conn->max_write = 1 << 20;
	conn->max_read = 0;
	conn->max_readahead = 1 << 20;
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	unsigned long v;

	if (parent == INO_ROOT) {
		for (fuse_ino_t i = INO_STATIC; i < INO_COUNT; i++) {
			if (!strcmp(names[i], name)) {
				reply_entry(req, i);
				return;
			}
		}
	} else if (parent == INO_D) {
		if (parse_uint(name, DIR_MAX - 1, &v)) {
			reply_entry(req, TAG_DIR | v);
			return;
		}
	} else if ((parent & TAG_ENT) && !strcmp(name, "info")) {
		reply_entry(req, (parent & ~TAG_ENT) | TAG_INFO);
		return;
	} else if (dir_count(parent) && parse_uint(name, ULONG_MAX, &v) && v >= NAME_BASE &&
		   v - NAME_BASE < dir_count(parent)) {
		reply_entry(req, TAG_ENT | (uint64_t)dir_count(parent) << 24 | (v - NAME_BASE));
		return;
	}
	fuse_reply_err(req, ENOENT);
}

static void floor_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	(void)ino, (void)nlookup;
	fuse_reply_none(req);
}

static void floor_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	(void)count, (void)f;
	fuse_reply_none(req);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	stat_of(ino, &st);
	fuse_reply_attr(req, &st, TIMEOUT);
}

static void floor_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fi->cache_readdir = 0;
	(void)ino;
	fuse_reply_open(req, fi);
}

/* Entries by offset, made up on the spot: no snapshot to build. */
static void floor_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			      struct fuse_file_info *fi)
{
	char *buf = malloc(size);
	unsigned count = dir_count(ino);
	size_t used = 0;

	(void)fi;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (off_t i = off; ; i++) {
		struct fuse_entry_param e = { .attr_timeout = TIMEOUT, .entry_timeout = TIMEOUT };
		char name[24];
		size_t n;

		if (i < 2) {
			/* . and .. carry no lookup reference */
			e.attr.st_ino = i ? INO_ROOT : ino;
			e.attr.st_mode = S_IFDIR;
			strcpy(name, i ? ".." : ".");
		} else if (ino == INO_ROOT && i - 2 < INO_COUNT - INO_STATIC) {
			e.ino = INO_STATIC + (fuse_ino_t)(i - 2);
			stat_of(e.ino, &e.attr);
			strcpy(name, names[e.ino]);
		} else if (count && (uint64_t)(i - 2) < count) {
			e.ino = TAG_ENT | (uint64_t)count << 24 | (uint64_t)(i - 2);
			stat_of(e.ino, &e.attr);
			snprintf(name, sizeof(name), "%lu", (unsigned long)(NAME_BASE + i - 2));
		} else {
			break;
		}
		n = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

/* Plain readdir, should the kernel ask: the same entries without attributes. */
static void floor_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	char *buf = malloc(size);
	unsigned count = dir_count(ino);
	size_t used = 0;

	(void)fi;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (off_t i = off; ; i++) {
		struct stat st = { 0 };
		char name[24];
		size_t n;

		if (i < 2) {
			st.st_ino = i ? INO_ROOT : ino;
			st.st_mode = S_IFDIR;
			strcpy(name, i ? ".." : ".");
		} else if (ino == INO_ROOT && i - 2 < INO_COUNT - INO_STATIC) {
			stat_of(INO_STATIC + (fuse_ino_t)(i - 2), &st);
			strcpy(name, names[st.st_ino]);
		} else if (count && (uint64_t)(i - 2) < count) {
			stat_of(TAG_ENT | (uint64_t)count << 24 | (uint64_t)(i - 2), &st);
			snprintf(name, sizeof(name), "%lu", (unsigned long)(NAME_BASE + i - 2));
		} else {
			break;
		}
		n = fuse_add_direntry(req, buf + used, size - used, name, &st, i + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void floor_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	fuse_reply_err(req, 0);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if ((ino < INO_STATIC || ino > INO_PMQ) && !(ino & TAG_INFO)) {	/* the directories */
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->fh = 0;
	if (ino == INO_SEG && !seg_addr) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (ino == INO_SEG)
		fi->fh = (uintptr_t)seg_addr;
	if ((ino == INO_MSGQ && opts.msqid < 0) || (ino == INO_SEMOP && opts.semid < 0) ||
	    (ino == INO_PMQ && !opts.pmq)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (ino == INO_PMQ && __atomic_load_n(&pmq_fd, __ATOMIC_ACQUIRE) == (mqd_t)-1) {
		char name[NAME_MAX + 2];
		mqd_t fd, none = (mqd_t)-1;

		snprintf(name, sizeof(name), "/%s", opts.pmq);
		fd = mq_open(name, O_RDWR);
		if (fd == (mqd_t)-1) {
			fuse_reply_err(req, errno);
			return;
		}
		if (!__atomic_compare_exchange_n(&pmq_fd, &none, fd, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			mq_close(fd);	/* another open was first */
	}
	if (ino == INO_SEGOPEN) {
		/* Attached per open file, as ipcfs's data file is. */
		void *addr;

		if (opts.shmid < 0) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		addr = shmat(opts.shmid, NULL,
			     (fi->flags & O_ACCMODE) == O_RDONLY ? SHM_RDONLY : 0);
		if (addr == (void *)-1) {
			fuse_reply_err(req, errno);
			return;
		}
		fi->fh = (uintptr_t)addr;
	}
	fi->direct_io = 1;
	if (ino == INO_NULL || ino == INO_SMALL || ino == INO_MSGQ || ino == INO_SEMOP ||
	    ino == INO_PMQ)
		fi->nonseekable = 1;	/* as ipcfs's queue */
	if (fuse_reply_open(req, fi) && ino == INO_SEGOPEN)
		shmdt((void *)(uintptr_t)fi->fh);
}

/* Map [addr, addr + size) in one call rather than a fault per page. */
static void populate(char *addr, size_t size, int advice)
{
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)4095;

	madvise((void *)start, (uintptr_t)addr + size - start, advice);
}

/* The native check ipcfs makes before a System V operation: is the id
 * still the object, and what are its permissions now (0 or -1). */
static int check(int cmd, int id)
{
	struct msqid_ds mds;
	struct semid_ds sds;
	int r = cmd == MSG_STAT_ANY ? msgctl(id & 0x7fff, cmd, &mds)
				    : semctl(id & 0x7fff, 0, cmd, &sds);

	if (r < 0)
		return -1;
	if (r != id) {
		errno = EIDRM;	/* that index holds another object now */
		return -1;
	}
	return 0;
}

static __thread struct {
	long mtype;
	char mtext[8192];
} msg;

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	unsigned prio;
	ssize_t n;

	if (size > sizeof(msg.mtext))
		size = sizeof(msg.mtext);
	if (ino == INO_MSGQ)
		n = check(MSG_STAT_ANY, opts.msqid) ? -1
			: msgrcv(opts.msqid, &msg, size, 0, IPC_NOWAIT);
	else if (size < sizeof(msg.mtext))
		n = -1, errno = EMSGSIZE;	/* as ipcfs: the buffer holds msgsize */
	else
		n = mq_timedreceive(pmq_fd, msg.mtext, sizeof(msg.mtext), &prio, &past);
	if (n < 0)
		fuse_reply_err(req, errno == ENOMSG || errno == ETIMEDOUT ? EAGAIN : errno);
	else
		fuse_reply_buf(req, msg.mtext, (size_t)n);
}

static int op_write(fuse_ino_t ino, const char *buf, size_t size)
{
	struct sembuf sb = { .sem_num = 0, .sem_flg = IPC_NOWAIT };

	switch (ino) {
	case INO_MSGQ:
		if (size > sizeof(msg.mtext))
			return EINVAL;
		msg.mtype = 1;
		memcpy(msg.mtext, buf, size);
		if (check(MSG_STAT_ANY, opts.msqid) ||
		    msgsnd(opts.msqid, &msg, size, IPC_NOWAIT))
			return errno;
		return 0;
	case INO_SEMOP:
		sb.sem_op = size && buf[0] == '-' ? -1 : 1;
		if (check(SEM_STAT_ANY, opts.semid) || semop(opts.semid, &sb, 1))
			return errno;
		return 0;
	default:
		if (mq_timedsend(pmq_fd, buf, size, 0, &past))
			return errno == ETIMEDOUT ? EAGAIN : errno;
		return 0;
	}
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	bool seg = ino == INO_SEG || ino == INO_SEGOPEN;
	size_t total = seg ? seg_size : STATIC_SIZE;

	if (ino == INO_SMALL) {
		fuse_reply_buf(req, static_buf, size < SMALL_SIZE ? size : SMALL_SIZE);
		return;
	}
	if (ino & TAG_INFO) {
		size_t len = sizeof(INFO_TEXT) - 1;

		if (off < 0 || (size_t)off >= len)
			fuse_reply_buf(req, NULL, 0);
		else
			fuse_reply_buf(req, INFO_TEXT + off,
				       size < len - (size_t)off ? size : len - (size_t)off);
		return;
	}
	if (ino == INO_NULL) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (ino == INO_MSGQ || ino == INO_PMQ) {
		op_read(req, ino, size);
		return;
	}
	if (off < 0 || (uint64_t)off >= total) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > total - (size_t)off)
		size = total - (size_t)off;
	if (seg) {
		if (opts.populate && ino == INO_SEGOPEN)
			populate((char *)(uintptr_t)fi->fh + off, size, MADV_POPULATE_READ);
		fuse_reply_buf(req, (char *)(uintptr_t)fi->fh + off, size);
	} else {
		if (size > STATIC_BUF)
			size = STATIC_BUF;
		fuse_reply_buf(req, static_buf, size);
	}
}

static void floor_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	if (ino == INO_SEG || ino == INO_SEGOPEN) {
		if (off < 0 || (uint64_t)off > seg_size || size > seg_size - (size_t)off) {
			fuse_reply_err(req, EFBIG);
			return;
		}
		if (opts.populate && ino == INO_SEGOPEN)
			populate((char *)(uintptr_t)fi->fh + off, size, MADV_POPULATE_WRITE);
		memcpy((char *)(uintptr_t)fi->fh + off, buf, size);
	} else if (ino == INO_MSGQ || ino == INO_SEMOP || ino == INO_PMQ) {
		int r = op_write(ino, buf, size);

		if (r) {
			fuse_reply_err(req, r);
			return;
		}
	} else if (ino != INO_NULL) {
		fuse_reply_err(req, EBADF);
		return;
	}
	fuse_reply_write(req, size);
}

static void floor_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino == INO_SEGOPEN && fi->fh)
		shmdt((void *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* `dd conv=notrunc` and the like may still set times or sizes: accept. */
static void floor_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	struct stat st;

	(void)attr, (void)to_set, (void)fi;
	stat_of(ino, &st);
	fuse_reply_attr(req, &st, TIMEOUT);
}

static void floor_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)ino;
	(void)name;
	(void)size;
	fuse_reply_err(req, EOPNOTSUPP);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.init = floor_init,
	.lookup = floor_lookup,
	.forget = floor_forget,
	.forget_multi = floor_forget_multi,
	.getattr = floor_getattr,
	.setattr = floor_setattr,
	.opendir = floor_opendir,
	.readdir = floor_readdir,
	.readdirplus = floor_readdirplus,
	.releasedir = floor_releasedir,
	.open = floor_open,
	.read = floor_read,
	.write = floor_write,
	.release = floor_release,
	.getxattr = floor_getxattr,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct fuse_loop_config *cfg;
	struct fuse_session *se;
	int ret = 1;

	started = time(NULL);
	memset(static_buf, 'x', sizeof(static_buf));
	if (fuse_opt_parse(&args, &opts, floor_opts, NULL))
		goto out_args;
	if (opts.entries >= DIR_MAX) {
		fprintf(stderr, "floorfs: entries=%u: at most %u\n", opts.entries, DIR_MAX - 1);
		goto out_args;
	}
	if (opts.shmid >= 0) {
		struct shmid_ds ds;

		if (shmctl(opts.shmid, IPC_STAT, &ds)) {
			perror("floorfs: shmid");
			goto out_args;
		}
		seg_size = ds.shm_segsz;
		seg_addr = shmat(opts.shmid, NULL, 0);
		if (seg_addr == (void *)-1) {
			perror("floorfs: shmat");
			goto out_args;
		}
		/* Mapped once, here: no request pays for a page fault. */
		for (size_t off = 0; off < seg_size; off += 4096)
			(void)*(volatile char *)(seg_addr + off);
	}
	/* The options ipcfs's main() adds for itself. */
	if (getuid() == 0)
		fuse_opt_add_arg(&args, "-oallow_other");
	fuse_opt_add_arg(&args, "-ofsname=floorfs,subtype=floorfs");
	if (fuse_parse_cmdline(&args, &cmd))
		goto out_args;
	if (!cmd.mountpoint) {
		fprintf(stderr, "usage: %s [-f] [-o shmid=ID,entries=N] MOUNTPOINT\n", argv[0]);
		goto out_cmd;
	}
	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	if (!se)
		goto out_cmd;
	if (fuse_set_signal_handlers(se))
		goto out_session;
	if (fuse_session_mount(se, cmd.mountpoint))
		goto out_signals;
	if (fuse_daemonize(cmd.foreground))
		goto out_unmount;
	signal(SIGPIPE, SIG_IGN);
	/* The multi-threaded loop, configured as ipcfs configures it. */
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(cfg, cmd.clone_fd);
	if (cmd.max_idle_threads != UINT_MAX)
		fuse_loop_cfg_set_idle_threads(cfg, cmd.max_idle_threads);
	fuse_loop_cfg_set_max_threads(cfg, 4096);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_cmd:
	free(cmd.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	return ret ? 1 : 0;
}
