/* For the test programs that try what they must not: each attempt is checked against the
 * refusal it must get and printed as "PROGRAM: what: result", with ", WRONG" when it was
 * not that; refusals_end() prints the verdict the tests look for. Include after vireo.h,
 * with PROGRAM defined as the program's name. */
#ifndef VIREO_REFUSALS_H
#define VIREO_REFUSALS_H

static int failures;

static inline void expect(const char *what, int64_t got, int64_t want)
{
	bool ok = got == want;
	printf(PROGRAM ": %s: %s%s\n", what, got < 0 ? error_name(got) : "ok", ok ? "" : ", WRONG");
	failures += !ok;
}

/* A server's answer: its IPC error, or the status word of its reply. */
static inline int64_t status(struct msg r)
{
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

static inline int refusals_end(void)
{
	if (failures)
		printf(PROGRAM ": %d WRONG\n", failures);
	else
		printf(PROGRAM ": all refused\n");
	return failures ? 1 : 0;
}

#endif
