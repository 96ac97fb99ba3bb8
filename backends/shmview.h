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
 * and removing the segment works as ever.  Each open of `data` still
 * attaches the segment itself (so nattch and `attached` show the daemon
 * while the file is open, as before).  A view whose segment is gone is
 * unmapped within a second (at once when ipcfs removed it), so it never
 * keeps a removed segment's memory alive for long.
 */
#pragma once
#include "common.h"

#include <sys/stat.h>

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

/* The view of segment `o`, whose attachment at `attach` (this open's own)
 * is the way to its memory.  Never NULL; ->addr may be. */
struct shm_view *shmview_get(const struct ipcfs_obj *o, const void *attach);
void shmview_put(struct shm_view *v);
/* The segment is being removed: drop its view (now if unused). */
void shmview_forget(int id);
/* Does the daemon have `data` of this id open (so attached to it)? */
bool shmview_in_use(int id);
/* Unmap everything and stop the sweeper (at exit). */
void shmview_shutdown(void);
