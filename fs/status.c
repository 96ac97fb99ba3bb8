// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status.c - the one reader of /proc/PID/status, and its lines.
 *
 * Callers' groups and capabilities (cred.c), a target's ids for the ptrace
 * rule (ptrace.c) and a killed waiter's pending SIGKILL (wait.c) all come
 * from there.  Lines are matched at their start: the Name: line, the only
 * one whose text a process chooses, is escaped by the kernel and cannot
 * hold a newline.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void proc_path(char *path, pid_t pid, const char *rest)
{
	char digits[12], *d = digits + sizeof(digits);
	unsigned u = (unsigned)pid;
	size_t n, len;

	do
		*--d = (char)('0' + u % 10);
	while (u /= 10);
	n = (size_t)(digits + sizeof(digits) - d);
	len = strlen(rest);
	if (6 + n + 1 + len >= PROC_PATH_MAX)
		len = PROC_PATH_MAX - 8 - n;	/* cut, as snprintf would; never here */
	memcpy(path, "/proc/", 6);
	memcpy(path + 6, d, n);
	path[6 + n] = '/';
	memcpy(path + 7 + n, rest, len);
	path[7 + n + len] = '\0';
}

char *status_read(pid_t pid)
{
	char path[PROC_PATH_MAX], *text = NULL;

	if (pid <= 0)
		return NULL;
	proc_path(path, pid, "status");
	text = file_read(path, FILE_PROC_MAX, NULL);
	if (!text)
		return NULL;
	if (!*text) {
		g_free(text);
		return NULL;
	}
	return text;
}

const char *status_line(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = text; line && *line;) {
		if (!strncmp(line, name, len) && line[len] == ':')
			return line + len + 1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

int status_numbers(const char *line, unsigned base, GArray *out)
{
	const char *p = line;

	for (;;) {
		guint64 v;
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return 0;
		if (!g_ascii_isxdigit(*p))
			return -EINVAL;
		v = g_ascii_strtoull(p, &end, base);
		if (end == p)
			return -EINVAL;
		g_array_append_val(out, v);
		p = end;
	}
}

int status_number(const char *text, const char *name, unsigned base, unsigned i, uint64_t *out)
{
	const char *line = status_line(text, name);
	g_autoptr(GArray) v = g_array_new(FALSE, FALSE, sizeof(guint64));

	if (!line || status_numbers(line, base, v) || i >= v->len)
		return -EINVAL;
	*out = g_array_index(v, guint64, i);
	return 0;
}
