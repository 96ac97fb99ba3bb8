/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shmview.h - one warm mapping per segment, shared by every open `data`.
 *
 * Attaching a segment is cheap; touching it through a fresh attachment is
 * not: every page costs a fault (measured here, 1 GiB read through a fresh
 * shmat took 0.42 s, through a warm one 0.095 s).  So the daemon keeps one
 * mapping of each segment's memory (an mmap of the segment's own file,
 * opened through /proc/self/map_files) and serves every open of `data`
 * from it, for as long as a file is open and `linger` seconds after.
 *
 * That mapping is not a System V attachment: it adds nothing to nattch,
 * and removing the segment works as ever.  An open of `data` attaches
 * only for as long as it takes to find the segment's memory file (or to
 * check that the view it finds is of this very segment), then detaches:
 * an open file holds no attachment, so it never makes a segment look in
 * use (PostgreSQL refuses to restart while its old segment is attached).
 * Where no view can be made (no /proc/self/map_files), the open keeps its
 * attachment and reads through it: the only way left to the memory.
 *
 * A view nobody uses is unmapped within a second of its segment's removal
 * (at once when ipcfs removed it), so it never keeps a removed segment's
 * memory alive for long.  One in use keeps working until its last close,
 * as an mmap of a removed segment does: the open file still reads and
 * writes the memory it opened, which nobody else can reach any more.
 */
#pragma once
#include "sysv.h"

#include <sys/stat.h>

/* A segment's own numbers in struct ipcfs_obj (from shmid_ds). */
struct shm_nums {
	int64_t size, nattch, cpid, lpid;
	int64_t atime, dtime, ctime;
	int64_t dest, locked;
	int64_t passthrough;	/* data is served by FUSE passthrough (mmap works) */
};
IPCFS_NUMS_FIT(struct shm_nums);
#define SHM(o) IPCFS_NUMS(struct shm_nums, o)

struct shm_view {
	int id;
	char *addr;		/* NULL: no view; opens use their own attachment */
	size_t size;
	int64_t key, cpid, ctime;	/* with id and size: the segment it maps */
	bool has_born;		/* the kernel gave its memory file's birth time: */
	struct statx_timestamp born;	/* set at creation, never changed */
	unsigned users;		/* open `data` files using it */
	bool stale;		/* out of the table: the last put unmaps it */
	gint64 idle_since;	/* monotonic microseconds of the last put */
};

/* Seconds an unused view is kept (the shm_linger= mount option). */
extern double shmview_linger;

/* The size `mkdir` gives a new segment (the shm_size= mount option, one
 * page by default; set once the options are parsed).  posix/shm makes its
 * objects this size too: one option for both kinds of shared memory. */
extern uint64_t shm_size;

/* The view of segment `o`, whose attachment at `attach` (the caller's,
 * which it may detach once this returns) is the way to its memory: an
 * existing view if it is of this segment, else a new one.  Never NULL;
 * ->addr may be (then the caller must keep its attachment to reach the
 * memory).  With `file`: *file gets a descriptor of the segment's memory
 * file, the caller's to close, or -1 (no view).  Does not block. */
struct shm_view *shmview_get(const struct ipcfs_obj *o, const void *attach, int *file);
void shmview_put(struct shm_view *v);
/* The memory file of segment `id` (`size` bytes), which this process has
 * attached at `attach`: a descriptor (the caller closes it), or -1 where
 * there are no views. */
int shmview_file(int id, size_t size, const void *attach);
/* The segment is being removed: drop its view (now if unused). */
void shmview_forget(int id);
/* Unmap everything and stop the sweeper (at exit). */
void shmview_shutdown(void);
