// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procs.c - which processes use an object, as far as a reader may know.
 *
 * An `attached` file lists `PID COMMAND` for each process that maps the
 * object, but only those whose /proc/PID/maps the kernel would show the
 * reader (ptrace_may_read); the rest are counted on one last line
 * "hidden N" (a word where a PID would be, so that `while read pid cmd`
 * tells it apart and `kill $pid` refuses it).
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

bool procs_maps(const char *pid, dev_t dev, uint64_t ino, const char *marker)
{
	g_autofree char *line = NULL;
	size_t cap = 0;
	char path[300];
	bool found = false;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	fd = file_open(path, O_RDONLY);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && getline(&line, &cap, f) > 0) {
		unsigned int maj, min;
		unsigned long long inode;

		if (marker && !strstr(line, marker))
			continue;
		/* addr perms offset dev inode path */
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &inode) == 3 &&
		    inode == ino && (!dev || makedev(maj, min) == dev))
			found = true;
	}
	fclose(f);
	return found;
}

/* /proc/PID/comm, without its newline; "?" when it cannot be read. */
static void comm_of(const char *pid, char *out, size_t size)
{
	g_autofree char *text = NULL;
	char path[300];

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	text = file_read(path, FILE_PROC_MAX, NULL);
	if (text)
		text[strcspn(text, "\n")] = '\0';
	g_strlcpy(out, text && *text ? text : "?", size);
}

int procs_text(struct ipcfs_cred *reader, bool (*uses)(const char *pid, void *ctx), void *ctx,
	       GString *out)
{
	struct dirent *de;
	unsigned hidden = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char comm[64];

		if (!g_ascii_isdigit(de->d_name[0]) || !uses(de->d_name, ctx))
			continue;
		if (!ptrace_may_read(reader, (pid_t)atoi(de->d_name))) {
			hidden++;
			continue;
		}
		comm_of(de->d_name, comm, sizeof(comm));
		g_string_append_printf(out, "%s %s\n", de->d_name, comm);
	}
	closedir(d);
	if (hidden)
		g_string_append_printf(out, "hidden %u\n", hidden);
	return 0;
}
