// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_new_line.c - what a client writes to shm/new, sem/new and mq/new:
 * text_dup() of the raw write, then parse_new_line() in each of its three
 * shapes ("KEY SIZE[K|M|G] [MODE]", "KEY NSEMS [MODE]", "KEY [MODE]").
 *
 * The rule, restated here word by word: one line, blank-separated; KEY is
 * private, IPC_PRIVATE, 0xHEX or a decimal, fitting 32 bits; the count or
 * size a decimal fitting 64 bits (after the suffix); MODE octal <= 0777.
 * The first bad word decides the error; only an overflowing count or size
 * is ERANGE.
 */
#include "fuzz.h"
#include "util.h"
#include "../../backends/sysv.h"

#include <errno.h>

#define NEW_LINE_MAX 256	/* as fs/ops.c */
#define WORDS_MAX 8

/* Set by ref_new_line when the size or count word is garbage, where
 * parse_u64 may say EINVAL or ERANGE (see fuzz_numbers.c). */
static int garbage_param;

/* The reference: 0 or -errno, filling *out like parse_new_line. */
static int ref_new_line(const char *line, int has_param, int suffix, struct ipcfs_create_args *out)
{
	const char *b, *e, *w[WORDS_MAX];
	size_t wl[WORDS_MAX];
	unsigned n = 0, want = has_param ? 2 : 1;
	uint64_t v;

	fuzz_trim(line, &b, &e);
	if (memchr(b, '\n', (size_t)(e - b)))
		return -EINVAL;
	for (const char *p = b; p < e;) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			break;
		if (n == WORDS_MAX)
			return -EINVAL;
		w[n] = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	if (n < want || n > want + 1)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->mode = 0644;
	if ((wl[0] == 7 && !memcmp(w[0], "private", 7)) ||
	    (wl[0] == 11 && !memcmp(w[0], "IPC_PRIVATE", 11))) {
		out->key = IPC_PRIVATE;
	} else if (wl[0] >= 2 && w[0][0] == '0' && (w[0][1] == 'x' || w[0][1] == 'X')) {
		char *k = strndup(w[0], wl[0]);
		key_t key;
		int r = parse_key(k, &key);	/* fuzz_names checks parse_key */

		free(k);
		if (r)
			return -EINVAL;
		out->key = key;
	} else {
		if (!fuzz_all_digits(w[0], w[0] + wl[0]) || fuzz_dec(w[0], w[0] + wl[0], &v) ||
		    v > UINT32_MAX)
			return -EINVAL;
		out->key = (key_t)(uint32_t)v;
	}
	if (has_param) {
		const char *pb = w[1], *pe = w[1] + wl[1];
		unsigned shift = 0;

		if (suffix) {
			switch (pe[-1]) {
			case 'k': case 'K': shift = 10; break;
			case 'm': case 'M': shift = 20; break;
			case 'g': case 'G': shift = 30; break;
			}
			if (shift)
				pe--;
		}
		if (!fuzz_all_digits(pb, pe)) {
			garbage_param = 1;
			return -EINVAL;
		}
		if (fuzz_dec(pb, pe, &v) || v > (UINT64_MAX >> shift))
			return -ERANGE;
		out->param = v << shift;
	}
	if (n == want + 1) {
		uint64_t m = 0;

		for (size_t i = 0; i < wl[want]; i++) {
			char c = w[want][i];

			if (c < '0' || c > '7')
				return -EINVAL;
			if (m <= 0777)
				m = m * 8 + (unsigned)(c - '0');
		}
		if (m > 0777)
			return -EINVAL;
		out->mode = (mode_t)m;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipcfs_create_args got, want;
	char *text = NULL, *s;
	int r, rr;

	/* The write as the daemon first sees it. */
	r = text_dup((const char *)data, size, NEW_LINE_MAX, &text);
	if (size > NEW_LINE_MAX || memchr(data, 0, size)) {
		FUZZ_ASSERT(r == -EINVAL);
	} else {
		FUZZ_ASSERT(r == 0 && strlen(text) == size && !memcmp(text, data, size));
		g_free(text);
	}

	s = fuzz_cstr(data, size);
	for (int shape = 0; shape < 3; shape++) {
		int has_param = shape < 2, suffix = shape == 0;

		r = parse_new_line(s, has_param, suffix, &got);
		garbage_param = 0;
		rr = ref_new_line(s, has_param, suffix, &want);
		if (garbage_param)
			FUZZ_ASSERT(r == -EINVAL || r == -ERANGE);
		else
			FUZZ_ASSERT(r == rr);
		if (!r) {
			FUZZ_ASSERT(got.key == want.key && got.param == want.param &&
				    got.mode == want.mode);
		}
	}
	free(s);
	return 0;
}
