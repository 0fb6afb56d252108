/* cpio_next and cpio_find over newc archives built in memory (one test per malformation,
 * every truncation, random corruption) and over archives GNU cpio writes. Each archive is
 * read from a heap copy of exactly its size, so that ASan reports any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpio.h"

/* Offsets in the 110-byte header (buffer-format.rst): the magic, then 8 hex digits each. */
#define HDR 110
#define FIELD(i) (6 + 8 * (i))
#define F_MODE FIELD(1)
#define F_FILESIZE FIELD(6)
#define F_NAMESIZE FIELD(11)
#define NFIELDS 13

#define AR_MAX 16384

struct ar {
	char buf[AR_MAX];
	size_t len;
	uint32_t ino;
};

static void ar_raw(struct ar *a, const void *p, size_t n)
{
	assert_true(n <= AR_MAX - a->len);
	if (n > 0)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		ar_raw(a, "", 1);
}

/* A header with the given fields; uppercase hex, as the Linux kernel's gen_init_cpio. */
static void ar_header(struct ar *a, uint32_t mode, uint32_t filesize, uint32_t namesize)
{
	char h[HDR + 1];
	int n = snprintf(h, sizeof(h),
			 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			 ++a->ino, mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
	assert_int_equal(n, HDR);
	ar_raw(a, h, HDR);
}

static void ar_entry(struct ar *a, const char *name, uint32_t mode, const void *data,
		     size_t size)
{
	ar_header(a, mode, (uint32_t)size, (uint32_t)strlen(name) + 1);
	ar_raw(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_raw(a, data, size);
	ar_pad(a);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
	ar_entry(a, name, CPIO_MODE_FILE | 0644, text, strlen(text));
}

static void ar_dir(struct ar *a, const char *name)
{
	ar_entry(a, name, CPIO_MODE_DIR | 0755, NULL, 0);
}

static void ar_trailer(struct ar *a)
{
	ar_entry(a, "TRAILER!!!", 0, NULL, 0);
}

static struct ar *ar_new(void)
{
	struct ar *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	return a;
}

/* An archive of the kinds of entries a boot file system holds. */
#define VERSION_TEXT "Vireo 0.1.0\n" /* 12 bytes: no padding */
#define HELLO_TEXT "hello" /* 5 bytes: 3 of padding */
static struct ar *sample(void)
{
	struct ar *a = ar_new();
	ar_dir(a, "etc");
	ar_file(a, "etc/version", VERSION_TEXT);
	ar_file(a, "empty", "");
	ar_dir(a, "a");
	ar_dir(a, "a/b");
	ar_file(a, "a/b/hello.txt", HELLO_TEXT);
	ar_trailer(a);
	return a;
}

/* The archive's first size bytes, copied to the heap at exactly that size. */
static char *copy_n(const struct ar *a, size_t size)
{
	char *c = malloc(size ? size : 1);
	assert_non_null(c);
	memcpy(c, a->buf, size);
	return c;
}

/* An entry found in the copy c of a's first size bytes lies within them; it is moved to
 * point into a instead, so that it outlives the copy. */
static void check_and_rebase(const struct ar *a, const char *c, size_t size,
			     struct cpio_entry *e)
{
	const char *data = e->data;
	assert_true(e->name >= c && e->name + e->name_len < c + size);
	assert_true(e->name[e->name_len] == '\0');
	assert_true(data >= c && e->size <= (size_t)(c + size - data));
	e->name = a->buf + (e->name - c);
	e->data = a->buf + (data - c);
}

/* cpio_next on a heap copy of the archive's first size bytes. */
static int next_n(const struct ar *a, size_t size, size_t *off, struct cpio_entry *e,
		  const char **err)
{
	char *c = copy_n(a, size);
	*err = NULL;
	int r = cpio_next(c, size, off, e, err);
	if (r == 1)
		check_and_rebase(a, c, size, e);
	free(c);
	return r;
}

static int find_n(const struct ar *a, size_t size, const char *path, struct cpio_entry *e,
		  const char **err)
{
	char *c = copy_n(a, size);
	*err = NULL;
	int r = cpio_find(c, size, path, e, err);
	if (r == 1)
		check_and_rebase(a, c, size, e);
	free(c);
	return r;
}

static void assert_zeroed(const struct cpio_entry *e)
{
	static const struct cpio_entry zero;
	assert_memory_equal(e, &zero, sizeof(zero));
}

/* Walks the whole archive; returns cpio_next's last result (0 at the trailer). */
static int walk(const struct ar *a, size_t size, unsigned *count, const char **err)
{
	size_t off = 0;
	struct cpio_entry e;
	int r;
	*count = 0;
	/* Each entry takes at least 112 bytes, so this bounds the walk. */
	for (unsigned i = 0; i <= size / 112 + 1; i++) {
		size_t before = off;
		r = next_n(a, size, &off, &e, err);
		if (r != 1) {
			assert_int_equal(off, before);
			assert_zeroed(&e);
			return r;
		}
		assert_true(off > before && (off % 4 == 0 || off == size));
		++*count;
	}
	fail_msg("cpio_next went on past %zu bytes", size);
	return -1;
}

/* The first entry of a fails, with a message containing what. */
static void expect_malformed(const struct ar *a, const char *what)
{
	size_t off = 0;
	struct cpio_entry e;
	const char *err;
	assert_int_equal(next_n(a, a->len, &off, &e, &err), -1);
	assert_non_null(err);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not mention \"%s\"", err, what);
	assert_int_equal(off, 0);
	assert_zeroed(&e);
}

static void assert_entry(const struct cpio_entry *e, const char *name, uint32_t type,
			 const char *text)
{
	assert_int_equal(e->name_len, strlen(name));
	assert_string_equal(e->name, name);
	assert_int_equal(e->mode & CPIO_MODE_TYPE_MASK, type);
	assert_int_equal(e->size, strlen(text));
	assert_memory_equal(e->data, text, e->size);
}

static void test_walk_sample(void **state)
{
	(void)state;
	struct ar *a = sample();
	char *c = copy_n(a, a->len);
	size_t off = 0;
	struct cpio_entry e;
	const char *err = NULL;

	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "etc", CPIO_MODE_DIR, "");
	assert_true(cpio_is_dir(&e) && !cpio_is_file(&e));
	assert_int_equal(e.mode, CPIO_MODE_DIR | 0755);
	assert_int_equal(off, 116); /* 110 + "etc\0" = 114, padded to 116 */

	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "etc/version", CPIO_MODE_FILE, VERSION_TEXT);
	assert_true(cpio_is_file(&e) && !cpio_is_dir(&e));
	assert_int_equal(e.mode, CPIO_MODE_FILE | 0644);
	assert_ptr_equal(e.data, c + 116 + 124); /* 110 + 12 = 122, padded to 124 */

	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "empty", CPIO_MODE_FILE, "");
	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "a", CPIO_MODE_DIR, "");
	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "a/b", CPIO_MODE_DIR, "");
	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 1);
	assert_entry(&e, "a/b/hello.txt", CPIO_MODE_FILE, HELLO_TEXT);

	/* The trailer: 0, and again 0 when asked again, offset unchanged. */
	size_t trailer_off = off;
	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 0);
	assert_int_equal(off, trailer_off);
	assert_zeroed(&e);
	assert_int_equal(cpio_next(c, a->len, &off, &e, &err), 0);
	assert_int_equal(a->len, trailer_off + 124);
	free(c);
	free(a);
}

static void test_find(void **state)
{
	(void)state;
	struct ar *a = sample();
	struct cpio_entry e;
	const char *err;

	assert_int_equal(find_n(a, a->len, "etc/version", &e, &err), 1);
	assert_int_equal(e.size, strlen(VERSION_TEXT));
	assert_int_equal(find_n(a, a->len, "etc", &e, &err), 1);
	assert_true(cpio_is_dir(&e));
	assert_int_equal(find_n(a, a->len, "empty", &e, &err), 1);
	assert_int_equal(e.size, 0);
	assert_int_equal(find_n(a, a->len, "a/b/hello.txt", &e, &err), 1);
	assert_int_equal(e.size, strlen(HELLO_TEXT));
	/* A prefix on the path is ignored too. */
	assert_int_equal(find_n(a, a->len, "./a/b/hello.txt", &e, &err), 1);
	assert_int_equal(find_n(a, a->len, "/a/b", &e, &err), 1);
	assert_string_equal(e.name, "a/b");

	static const char *const misses[] = {
		"etc/versio", "etc/version2", "tc/version", "ETC/version", "etc/", "a/b/",
		"hello.txt", "b/hello.txt", "TRAILER!!!", "", ".", "./", "/",
	};
	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		err = NULL;
		if (find_n(a, a->len, misses[i], &e, &err) != 0)
			fail_msg("found \"%s\"", misses[i]);
		assert_null(err);
		assert_zeroed(&e);
	}
	free(a);
}

static void test_dot_slash_names_match(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	struct cpio_entry e;
	const char *err;
	ar_dir(a, ".");
	ar_dir(a, "./bin");
	ar_file(a, "./bin/init", "\x7f" "ELF");
	ar_file(a, "/abs", "x");
	ar_trailer(a);

	assert_int_equal(find_n(a, a->len, "bin/init", &e, &err), 1);
	assert_string_equal(e.name, "./bin/init"); /* the name as stored */
	assert_int_equal(e.size, 4);
	assert_int_equal(find_n(a, a->len, "bin", &e, &err), 1);
	assert_true(cpio_is_dir(&e));
	assert_int_equal(find_n(a, a->len, "abs", &e, &err), 1);
	assert_int_equal(find_n(a, a->len, ".", &e, &err), 1);
	assert_int_equal(find_n(a, a->len, "init", &e, &err), 0);
	assert_int_equal(find_n(a, a->len, "", &e, &err), 0);
	free(a);
}

static void test_lowercase_hex(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	struct cpio_entry e;
	const char *err;
	size_t off = 0;
	ar_entry(a, "f", CPIO_MODE_FILE | 0644, "0123456789abcdef", 16);
	ar_trailer(a);
	memcpy(a->buf + F_MODE, "000081a4", 8); /* 0100644 */
	memcpy(a->buf + F_FILESIZE, "0000000A", 8);
	assert_int_equal(next_n(a, a->len, &off, &e, &err), 1);
	assert_int_equal(e.mode, CPIO_MODE_FILE | 0644);
	assert_int_equal(e.size, 10);
	free(a);
}

static void test_trailer_only(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	struct cpio_entry e;
	const char *err;
	unsigned count;
	ar_trailer(a);
	assert_int_equal(walk(a, a->len, &count, &err), 0);
	assert_int_equal(count, 0);
	assert_int_equal(find_n(a, a->len, "x", &e, &err), 0);
	free(a);
}

/* Nothing follows the last padding, so an archive may stop short of it; not short of the
 * name or the data. */
static void test_padding_absent_at_the_end(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	unsigned count;
	const char *err;
	ar_file(a, "x", HELLO_TEXT);
	ar_trailer(a);
	/* The trailer's name ends 3 bytes before the end: then comes padding. */
	for (size_t cut = 0; cut <= 3; cut++) {
		assert_int_equal(walk(a, a->len - cut, &count, &err), 0);
		assert_int_equal(count, 1);
	}
	assert_int_equal(walk(a, a->len - 4, &count, &err), -1); /* the NUL is missing */
	assert_non_null(strstr(err, "name extends past the end"));

	a->len = 0;
	ar_file(a, "x", HELLO_TEXT);
	size_t data_end = a->len - 3;
	for (size_t n = data_end; n <= a->len; n++) {
		size_t off = 0;
		struct cpio_entry e;
		assert_int_equal(next_n(a, n, &off, &e, &err), 1);
		assert_int_equal(off, n);
		assert_int_equal(next_n(a, n, &off, &e, &err), -1);
		assert_string_equal(err, "cpio: truncated (no TRAILER!!!)");
	}
	free(a);
}

static void test_missing_trailer(void **state)
{
	(void)state;
	struct ar *a = sample();
	unsigned count;
	const char *err;
	a->len -= 124; /* the trailer entry */
	assert_int_equal(walk(a, a->len, &count, &err), -1);
	assert_int_equal(count, 6);
	assert_string_equal(err, "cpio: truncated (no TRAILER!!!)");

	struct cpio_entry e;
	assert_int_equal(find_n(a, a->len, "missing", &e, &err), -1);
	assert_string_equal(err, "cpio: truncated (no TRAILER!!!)");
	assert_int_equal(find_n(a, a->len, "a/b/hello.txt", &e, &err), 1);

	/* An empty archive has no trailer either. */
	assert_int_equal(walk(a, 0, &count, &err), -1);
	assert_string_equal(err, "cpio: truncated (no TRAILER!!!)");
	free(a);
}

static void test_bad_magic(void **state)
{
	(void)state;
	static const char *const bad[] = { "123456", "070700", "070703", "707010", "\0\0\0\0\0\0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ar *a = sample();
		memcpy(a->buf, bad[i], 6);
		expect_malformed(a, "bad magic");
		free(a);
	}
	struct ar *a = sample();
	memcpy(a->buf, "070707", 6);
	expect_malformed(a, "odc");
	memcpy(a->buf, "070702", 6);
	expect_malformed(a, "crc");
	/* The old binary format: magic 070707 as a 16-bit number, either byte order. */
	memcpy(a->buf, "\xc7\x71", 2);
	expect_malformed(a, "bad magic");
	free(a);
}

static void test_non_hex_digit(void **state)
{
	(void)state;
	/* Every field, with digits strtoul would take or skip: space, sign, "0x", 'g'. */
	static const char bad[] = { 'g', 'G', ' ', '+', '-', 'x', '\0', ':', '@', '`' };
	for (int f = 0; f < NFIELDS; f++) {
		for (size_t k = 0; k < sizeof(bad); k++) {
			struct ar *a = sample();
			a->buf[FIELD(f) + (int)(k % 8)] = bad[k];
			expect_malformed(a, "8 hex digits");
			free(a);
		}
	}
	struct ar *a = sample();
	memcpy(a->buf + F_FILESIZE, "0x000000", 8);
	expect_malformed(a, "8 hex digits");
	free(a);
}

static void test_namesize_zero(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	ar_header(a, CPIO_MODE_FILE, 0, 0);
	ar_raw(a, "\0\0", 2);
	ar_trailer(a);
	expect_malformed(a, "name size is 0");
	free(a);
}

static void test_name_not_nul_terminated(void **state)
{
	(void)state;
	struct ar *a = ar_new();
	ar_header(a, CPIO_MODE_FILE, 0, 3); /* "abc" with no room for the NUL */
	ar_raw(a, "abc\0", 4);
	ar_pad(a);
	ar_trailer(a);
	expect_malformed(a, "not NUL-terminated");

	/* A NUL before namesize - 1. */
	a->len = 0;
	ar_header(a, CPIO_MODE_FILE, 0, 5);
	ar_raw(a, "ab\0c\0", 5);
	ar_pad(a);
	ar_trailer(a);
	expect_malformed(a, "NUL before its end");
	free(a);
}

static void test_name_past_end(void **state)
{
	(void)state;
	static const uint32_t sizes[] = { 0xffffffff, 0x80000000, AR_MAX };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ar *a = ar_new();
		ar_header(a, CPIO_MODE_FILE, 0, sizes[i]);
		ar_raw(a, "name", 5);
		ar_pad(a);
		ar_trailer(a);
		expect_malformed(a, "name extends past the end");
		free(a);
	}
	/* One byte more than there is. */
	struct ar *a = sample();
	a->len = HDR + 3; /* "etc" without its NUL */
	expect_malformed(a, "name extends past the end");
	free(a);
}

static void test_data_past_end(void **state)
{
	(void)state;
	static const uint32_t sizes[] = { 0xffffffff, 0x80000000, AR_MAX };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ar *a = ar_new();
		ar_header(a, CPIO_MODE_FILE, sizes[i], 2);
		ar_raw(a, "f", 2);
		ar_pad(a);
		ar_trailer(a);
		expect_malformed(a, "data extends past the end");
		free(a);
	}
	/* Exactly one byte more than the rest of the archive. */
	struct ar *a = ar_new();
	ar_entry(a, "f", CPIO_MODE_FILE, "data", 4);
	char digits[9];
	snprintf(digits, sizeof(digits), "%08X", 5u);
	memcpy(a->buf + F_FILESIZE, digits, 8);
	expect_malformed(a, "data extends past the end");
	free(a);
}

static void test_bad_offset(void **state)
{
	(void)state;
	struct ar *a = sample();
	struct cpio_entry e;
	const char *err;
	size_t off = 2;
	assert_int_equal(next_n(a, a->len, &off, &e, &err), -1);
	assert_non_null(strstr(err, "multiple of 4"));
	off = a->len + 4;
	assert_int_equal(next_n(a, a->len, &off, &e, &err), -1);
	assert_non_null(strstr(err, "past the end"));
	assert_int_equal(off, a->len + 4);

	off = 0;
	assert_int_equal(next_n(a, 100, &off, &e, &err), -1);
	assert_non_null(strstr(err, "truncated header"));

	off = 0;
	assert_int_equal(cpio_next(NULL, 0, &off, &e, &err), -1);
	assert_non_null(strstr(err, "no archive"));
	free(a);
}

static void test_err_may_be_null(void **state)
{
	(void)state;
	struct ar *a = sample();
	struct cpio_entry e;
	size_t off = 0;
	assert_int_equal(cpio_next(a->buf, a->len, &off, &e, NULL), 1);
	assert_int_equal(cpio_next(a->buf, 3, &off, &e, NULL), -1);
	assert_int_equal(cpio_find(a->buf, a->len, "a/b", &e, NULL), 1);
	free(a);
}

/* Every prefix: malformed until the trailer's name is whole, complete from there on. */
static void test_every_truncation(void **state)
{
	(void)state;
	struct ar *a = sample();
	size_t complete = a->len - 124 + HDR + sizeof("TRAILER!!!");
	for (size_t n = 0; n <= a->len; n++) {
		unsigned count;
		const char *err, *find_err;
		struct cpio_entry e;
		int r = walk(a, n, &count, &err);
		int f = find_n(a, n, "a/b/hello.txt", &e, &find_err);
		if (n < complete) {
			if (r != -1)
				fail_msg("prefix of %zu bytes accepted", n);
			assert_non_null(err);
			assert_true(f != 0);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(count, 6);
			assert_int_equal(f, 1);
		}
	}
	free(a);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random corruption, mostly in the headers and biased towards digits, NULs and letters
 * around the hex range; next_n checks that every entry returned lies in the archive. */
static void test_random_corruption(void **state)
{
	(void)state;
	static const char chars[] = "0123456789abcdefABCDEFgG\0 /!.TRAILER";
	struct ar *a = sample();
	char orig[AR_MAX];
	size_t len = a->len;
	memcpy(orig, a->buf, len);
	uint64_t seed = 0x2545f4914f6cdd1dull;
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(a->buf, orig, len);
		int nflips = 1 + (int)(xorshift(&seed) % 3);
		for (int k = 0; k < nflips; k++) {
			size_t at = xorshift(&seed) % len;
			uint64_t v = xorshift(&seed);
			a->buf[at] = (v & 1) ? (char)(v >> 8) : chars[(v >> 8) % (sizeof(chars) - 1)];
		}
		unsigned count;
		const char *err = NULL;
		int r = walk(a, len, &count, &err);
		assert_true(r == 0 || r == -1);
		if (r == -1)
			assert_memory_equal(err, "cpio: ", 6);
	}
	free(a);
}

/* --- Interoperability with GNU cpio ----------------------------------------------------- */

struct tree {
	char dir[64];
};

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void write_file(const char *dir, const char *name, const void *data, size_t size)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

/* The whole of a file, in a heap block of exactly its size. */
static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	char *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

#define BIG_SIZE 5001 /* not a multiple of 4 */

static int make_tree(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	strcpy(t->dir, "/tmp/vireo-cpio-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	sh("mkdir -p %s/root/etc %s/root/a/b/c %s/root/bin", t->dir, t->dir, t->dir);
	char root[128];
	snprintf(root, sizeof(root), "%s/root", t->dir);
	write_file(root, "etc/version", VERSION_TEXT, strlen(VERSION_TEXT));
	write_file(root, "empty", "", 0);
	write_file(root, "a/b/c/hello.txt", HELLO_TEXT, strlen(HELLO_TEXT));
	char big[BIG_SIZE];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 31 + 7);
	write_file(root, "bin/big", big, sizeof(big));
	sh("ln -s etc/version %s/link", root);
	/* Not left to the umask: the test checks the modes. */
	sh("cd %s && chmod 644 etc/version empty a/b/c/hello.txt bin/big && "
	   "chmod 755 etc a a/b a/b/c bin", root);
	*state = t;
	return 0;
}

static int remove_tree(void **state)
{
	struct tree *t = *state;
	sh("rm -rf %s", t->dir);
	free(t);
	return 0;
}

/* GNU cpio's archive of the tree, listed by the given find command run in it. */
static char *gnu_cpio(const struct tree *t, const char *find, size_t *size)
{
	char out[128];
	snprintf(out, sizeof(out), "%s/out.cpio", t->dir);
	sh("cd %s/root && %s | LC_ALL=C sort | cpio -o -H newc --quiet > %s", t->dir, find, out);
	return read_file(out, size);
}

static void check_gnu_archive(const char *ar, size_t size, unsigned entries)
{
	struct cpio_entry e;
	const char *err = NULL;

	assert_int_equal(cpio_find(ar, size, "etc/version", &e, &err), 1);
	assert_true(cpio_is_file(&e));
	assert_int_equal(e.mode, CPIO_MODE_FILE | 0644);
	assert_int_equal(e.size, strlen(VERSION_TEXT));
	assert_memory_equal(e.data, VERSION_TEXT, e.size);

	assert_int_equal(cpio_find(ar, size, "a/b/c/hello.txt", &e, &err), 1);
	assert_memory_equal(e.data, HELLO_TEXT, strlen(HELLO_TEXT));
	assert_int_equal(e.size, strlen(HELLO_TEXT));

	assert_int_equal(cpio_find(ar, size, "bin/big", &e, &err), 1);
	assert_int_equal(e.size, BIG_SIZE);
	for (size_t i = 0; i < BIG_SIZE; i++)
		assert_int_equal(((const uint8_t *)e.data)[i], (uint8_t)(i * 31 + 7));

	assert_int_equal(cpio_find(ar, size, "empty", &e, &err), 1);
	assert_true(cpio_is_file(&e));
	assert_int_equal(e.size, 0);

	static const char *const dirs[] = { "etc", "a", "a/b", "a/b/c", "bin" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_int_equal(cpio_find(ar, size, dirs[i], &e, &err), 1);
		assert_true(cpio_is_dir(&e));
		assert_int_equal(e.size, 0);
	}

	/* A symlink's data is its target. */
	assert_int_equal(cpio_find(ar, size, "link", &e, &err), 1);
	assert_false(cpio_is_dir(&e) || cpio_is_file(&e));
	assert_int_equal(e.mode & CPIO_MODE_TYPE_MASK, 0120000);
	assert_int_equal(e.size, strlen("etc/version"));
	assert_memory_equal(e.data, "etc/version", e.size);

	assert_int_equal(cpio_find(ar, size, "a/b/c/missing", &e, &err), 0);
	assert_int_equal(cpio_find(ar, size, "a/b/c/hello", &e, &err), 0);

	/* Every entry, then the trailer, well before the end: GNU cpio pads to 512 bytes. */
	size_t off = 0;
	unsigned n = 0;
	int r;
	while ((r = cpio_next(ar, size, &off, &e, &err)) == 1)
		n++;
	assert_int_equal(r, 0);
	assert_int_equal(n, entries);
	assert_true(size % 512 == 0 && off < size);
}

/* The way the Makefile builds bootfs.cpio. GNU cpio 2.13 drops the "./" find prints. */
static void test_gnu_cpio_as_the_makefile(void **state)
{
	struct tree *t = *state;
	size_t size;
	char *ar = gnu_cpio(t, "find . -mindepth 1", &size);
	check_gnu_archive(ar, size, 10);
	free(ar);
}

/* With the root directory itself, stored as ".". */
static void test_gnu_cpio_with_root(void **state)
{
	struct tree *t = *state;
	struct cpio_entry e;
	const char *err;
	size_t size;
	char *ar = gnu_cpio(t, "find .", &size);
	check_gnu_archive(ar, size, 11);
	assert_int_equal(cpio_find(ar, size, ".", &e, &err), 1);
	assert_true(cpio_is_dir(&e));
	free(ar);
}

static void test_gnu_cpio_plain_names(void **state)
{
	struct tree *t = *state;
	size_t size;
	char *ar = gnu_cpio(t, "find etc a bin empty link", &size);
	check_gnu_archive(ar, size, 10);
	free(ar);
}

/* GNU cpio lists what the test's own writer produces: the helper writes real newc. */
static void test_gnu_cpio_reads_sample(void **state)
{
	struct tree *t = *state;
	struct ar *a = sample();
	char path[128];
	snprintf(path, sizeof(path), "%s/sample.cpio", t->dir);
	write_file(t->dir, "sample.cpio", a->buf, a->len);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < %s", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char listing[512] = "";
	size_t n = fread(listing, 1, sizeof(listing) - 1, p);
	listing[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(listing, "etc\netc/version\nempty\na\na/b\na/b/hello.txt\n");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_sample),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_dot_slash_names_match),
		cmocka_unit_test(test_lowercase_hex),
		cmocka_unit_test(test_trailer_only),
		cmocka_unit_test(test_padding_absent_at_the_end),
		cmocka_unit_test(test_missing_trailer),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_non_hex_digit),
		cmocka_unit_test(test_namesize_zero),
		cmocka_unit_test(test_name_not_nul_terminated),
		cmocka_unit_test(test_name_past_end),
		cmocka_unit_test(test_data_past_end),
		cmocka_unit_test(test_bad_offset),
		cmocka_unit_test(test_err_may_be_null),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test_setup_teardown(test_gnu_cpio_as_the_makefile, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_gnu_cpio_with_root, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_gnu_cpio_plain_names, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_gnu_cpio_reads_sample, make_tree, remove_tree),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
