// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_sem.c - what a client writes to a semaphore: sem_parse_write() for
 * sem/<id>/<n> ("N", "+N", "-N", "zero") and sem_parse_values() for
 * sem/<id>/values (nsems plain decimals).
 *
 * Input: byte 0 picks SEMVMX (the kernel's 32767, or a small one so that
 * ERANGE is easy to reach), byte 1 the number of semaphores (1..64), the
 * rest is the text.  The values array is exactly nsems long on the heap,
 * so a write past it is an ASan report.
 */
#include "fuzz.h"
#include "../../backends/sem.h"

#include <errno.h>

static void check_write(const char *s, int vmx)
{
	struct sem_write w = { .verb = SEM_VERB_COUNT, .amount = -1 };
	const char *b, *e;
	char sign = 0;
	uint64_t mag;
	int r = sem_parse_write(s, vmx, &w);

	fuzz_trim(s, &b, &e);
	if (e - b == 4 && !memcmp(b, "zero", 4)) {
		FUZZ_ASSERT(r == 0 && w.verb == SEM_VERB_ZERO && w.amount == 0);
		return;
	}
	if (b < e && (*b == '+' || *b == '-'))
		sign = *b++;
	if (!fuzz_all_digits(b, e)) {
		FUZZ_ASSERT(r == -EINVAL || r == -ERANGE);
		return;
	}
	if (fuzz_dec(b, e, &mag) || mag > (uint64_t)vmx) {
		FUZZ_ASSERT(r == -ERANGE);
		return;
	}
	FUZZ_ASSERT(r == 0 && w.amount == (int)mag);
	FUZZ_ASSERT(w.verb == (sign == '+' ? SEM_VERB_ADD : sign == '-' ? SEM_VERB_SUB : SEM_VERB_SET));
}

/* The reference for `values`: the first bad word decides, then the count. */
static int ref_values(const char *s, int vmx, size_t nsems, unsigned short *vals)
{
	size_t n = 0;

	for (const char *p = s;;) {
		const char *w;
		uint64_t v;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (!fuzz_all_digits(w, p))
			return -EINVAL;
		if (fuzz_dec(w, p, &v) || v > (uint64_t)vmx)
			return -ERANGE;
		if (n < nsems)
			vals[n] = (unsigned short)v;
		n++;
	}
	return n == nsems ? 0 : -EINVAL;
}

static void check_values(const char *s, int vmx, size_t nsems)
{
	unsigned short *got = calloc(nsems, sizeof(*got));
	unsigned short *want = calloc(nsems, sizeof(*want));
	int r, rr;

	if (!got || !want)
		abort();
	r = sem_parse_values(s, vmx, nsems, got);
	rr = ref_values(s, vmx, nsems, want);
	FUZZ_ASSERT(r == rr);
	if (!r)
		FUZZ_ASSERT(!memcmp(got, want, nsems * sizeof(*got)));
	free(got);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int vmx;
	size_t nsems;
	char *s;

	if (size < 2)
		return 0;
	vmx = data[0] < 128 ? 32767 : data[0] - 127;	/* 32767 or 1..128 */
	nsems = (size_t)(data[1] % 64) + 1;
	s = fuzz_cstr(data + 2, size - 2);
	check_write(s, vmx);
	check_values(s, vmx, nsems);
	free(s);
	return 0;
}
