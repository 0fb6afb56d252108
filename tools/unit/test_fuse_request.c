/* The monitor's FUSE request parser (servers/vmm/fuse_request.c): each served operation as
 * Linux's virtio-fs driver sends it, and every hostile variant (lengths that lie, names with
 * '/' or NUL or 256 bytes, offsets and sizes past the limits, node id 0, reply buffers too
 * small, unknown opcodes) answered with an error, never read past the request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuse_request.h"

#define ROOM 8192 /* writable bytes of a well-made request */

static const struct fuse_limits lim = { .max_io = 65536, .max_file_size = 1ull << 40 };
static uint8_t req[4096];
static size_t req_len;
static struct fuse_request r;

/* Starts a request: its header (len filled in by finish). */
static void start(uint32_t opcode, uint64_t nodeid)
{
	memset(req, 0xee, sizeof(req));
	struct fuse_in_header h = { .opcode = opcode, .unique = 42, .nodeid = nodeid };
	memcpy(req, &h, sizeof(h));
	req_len = sizeof(h);
}

static void put(const void *p, size_t n)
{
	memcpy(req + req_len, p, n);
	req_len += n;
}

static void put_name(const char *s)
{
	put(s, strlen(s) + 1);
}

static void set_len(uint32_t len)
{
	memcpy(req, &len, 4);
}

static enum fuse_parse finish_with(size_t writable)
{
	set_len((uint32_t)req_len);
	return fuse_parse(req, req_len, writable, &lim, &r);
}

static enum fuse_parse finish(void)
{
	return finish_with(ROOM);
}

static void expect_error(enum fuse_parse p, int32_t err)
{
	assert_int_equal(p, FUSE_PARSE_ERROR);
	assert_int_equal(r.error, -err);
	assert_non_null(r.why);
	assert_int_equal(r.h.unique, 42);
}

static void test_init(void **state)
{
	(void)state;
	struct fuse_init_in in = { .major = 7, .minor = 37, .max_readahead = 131072,
				   .flags = FUSE_MAX_PAGES | FUSE_BIG_WRITES | (1u << 0) |
					    (1u << 26) /* MAP_ALIGNMENT: no DAX */ };
	uint8_t ext[48] = { 0 }; /* 7.36's flags2 and reserved words */
	start(FUSE_INIT, 0);
	put(&in, sizeof(in));
	put(ext, sizeof(ext));
	assert_int_equal(finish(), FUSE_PARSE_OK);
	struct fuse_init_out out;
	fuse_init_reply(&r.in.init, &lim, &out);
	assert_int_equal(out.major, 7);
	assert_int_equal(out.minor, FUSE_MINOR);
	assert_int_equal(out.flags, FUSE_MAX_PAGES | FUSE_BIG_WRITES);
	assert_int_equal(out.max_write, lim.max_io);
	assert_int_equal(out.max_pages, lim.max_io / 4096);
	assert_int_equal(out.map_alignment, 0);
	assert_int_equal(out.flags2, 0);
}

static void test_init_bad(void **state)
{
	(void)state;
	struct fuse_init_in old = { .major = 7, .minor = 30 };
	start(FUSE_INIT, 0);
	put(&old, sizeof(old));
	expect_error(finish(), FUSE_EPROTO);
	start(FUSE_INIT, 0);
	put(&old, 12); /* shorter than fuse_init_in */
	expect_error(finish(), FUSE_EINVAL);
	uint8_t big[80] = { 7, 0, 0, 0, 31 };
	start(FUSE_INIT, 0);
	put(big, sizeof(big)); /* longer than any fuse_init_in */
	expect_error(finish(), FUSE_EINVAL);
	/* No room for the reply (64 bytes after the header). */
	struct fuse_init_in in = { .major = 7, .minor = 31 };
	start(FUSE_INIT, 0);
	put(&in, sizeof(in));
	expect_error(finish_with(16 + 63), FUSE_EINVAL);
}

static void test_lookup(void **state)
{
	(void)state;
	start(FUSE_LOOKUP, FUSE_ROOT_ID);
	put_name("hello.txt");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.name_len, 9);
	assert_memory_equal(r.name, "hello.txt", 9);
	assert_int_equal(r.h.nodeid, FUSE_ROOT_ID);
	assert_int_equal(r.reply_room, ROOM - 16);
}

static void test_bad_names(void **state)
{
	(void)state;
	const char *bad[] = { "a/b", "", ".", "..", "/" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		start(FUSE_LOOKUP, 1);
		put_name(bad[i]);
		expect_error(finish(), FUSE_EINVAL);
	}
	char longname[257];
	memset(longname, 'x', 256);
	longname[256] = '\0';
	start(FUSE_MKDIR, 1);
	put(&(struct fuse_mkdir_in){ .mode = 0755 }, sizeof(struct fuse_mkdir_in));
	put_name(longname);
	expect_error(finish(), FUSE_ENAMETOOLONG);
	longname[255] = '\0'; /* 255 bytes: the longest allowed */
	start(FUSE_MKDIR, 1);
	put(&(struct fuse_mkdir_in){ .mode = 0755 }, sizeof(struct fuse_mkdir_in));
	put_name(longname);
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.name_len, 255);
	/* A NUL inside the name: bytes after the first NUL. */
	start(FUSE_UNLINK, 1);
	put("ab\0cd", 6);
	expect_error(finish(), FUSE_EINVAL);
	/* No NUL at all: the name runs to the end of the request. */
	start(FUSE_RMDIR, 1);
	put("abc", 3);
	expect_error(finish(), FUSE_EINVAL);
}

static void test_header_lies(void **state)
{
	(void)state;
	start(FUSE_LOOKUP, 1);
	put_name("f");
	set_len((uint32_t)req_len + 100); /* says more than there is */
	expect_error(fuse_parse(req, req_len, ROOM, &lim, &r), FUSE_EINVAL);
	set_len((uint32_t)req_len - 1);
	expect_error(fuse_parse(req, req_len, ROOM, &lim, &r), FUSE_EINVAL);
	/* Shorter than a header: nothing to reply to. */
	assert_int_equal(fuse_parse(req, 39, ROOM, &lim, &r), FUSE_PARSE_BROKEN);
	assert_int_equal(fuse_parse(req, 0, ROOM, &lim, &r), FUSE_PARSE_BROKEN);
	/* No room for the reply header. */
	start(FUSE_STATFS, 1);
	assert_int_equal(finish_with(15), FUSE_PARSE_BROKEN);
	/* Extensions never negotiated. */
	start(FUSE_STATFS, 1);
	uint16_t ext = 1;
	memcpy(req + 36, &ext, 2);
	expect_error(finish(), FUSE_EINVAL);
	/* Node id 0 where a node is meant. */
	start(FUSE_GETATTR, 0);
	put(&(struct fuse_getattr_in){ 0 }, sizeof(struct fuse_getattr_in));
	expect_error(finish(), FUSE_EINVAL);
}

static void test_unknown_ops(void **state)
{
	(void)state;
	uint32_t unserved[] = { 0, 5, 6, 7, 8, 13, 19, 21, 22, 23, 24, 30, 31, 32, 33, 34, 36,
				37, 39, 40, 41, 43, 44, 46, 47, 48, 49, 50, 51, 52, 4096,
				0xffffffffu };
	for (unsigned i = 0; i < sizeof(unserved) / sizeof(*unserved); i++) {
		start(unserved[i], 1);
		put("whatever", 8);
		expect_error(finish(), FUSE_ENOSYS);
	}
}

static void test_getattr_setattr(void **state)
{
	(void)state;
	start(FUSE_GETATTR, 5);
	put(&(struct fuse_getattr_in){ .fh = 3 }, sizeof(struct fuse_getattr_in));
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.getattr.fh, 3);
	start(FUSE_GETATTR, 5);
	put(&(struct fuse_getattr_in){ 0 }, 8); /* short */
	expect_error(finish(), FUSE_EINVAL);

	struct fuse_setattr_in s = { .valid = FATTR_SIZE | FATTR_MODE | FATTR_MTIME,
				     .size = 100, .mode = 0100644, .mtimensec = 999999999 };
	start(FUSE_SETATTR, 5);
	put(&s, sizeof(s));
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.setattr.size, 100);
	assert_int_equal(r.in.setattr.mode, 0100644);
	s.size = lim.max_file_size + 1;
	start(FUSE_SETATTR, 5);
	put(&s, sizeof(s));
	expect_error(finish(), FUSE_EFBIG);
	s.size = 0;
	s.mtimensec = 1000000000;
	start(FUSE_SETATTR, 5);
	put(&s, sizeof(s));
	expect_error(finish(), FUSE_EINVAL);
	s.mtimensec = 0;
	s.valid = 1u << 20;
	start(FUSE_SETATTR, 5);
	put(&s, sizeof(s));
	expect_error(finish(), FUSE_EINVAL);
	/* A reply that would not fit (fuse_attr_out is 104 bytes). */
	s.valid = FATTR_MODE;
	start(FUSE_SETATTR, 5);
	put(&s, sizeof(s));
	expect_error(finish_with(16 + 103), FUSE_EINVAL);
}

static void test_read_readdir(void **state)
{
	(void)state;
	struct fuse_io_in io = { .fh = 7, .offset = 4096, .size = 4096 };
	start(FUSE_READ, 5);
	put(&io, sizeof(io));
	assert_int_equal(finish_with(16 + 4096), FUSE_PARSE_OK);
	assert_int_equal(r.in.io.size, 4096);
	assert_int_equal(r.in.io.offset, 4096);
	start(FUSE_READ, 5);
	put(&io, sizeof(io));
	expect_error(finish_with(16 + 4095), FUSE_EINVAL); /* more than its buffers hold */
	io.size = lim.max_io + 1;
	start(FUSE_READ, 5);
	put(&io, sizeof(io));
	expect_error(finish_with(16 + lim.max_io + 1), FUSE_EINVAL);
	io.size = 10;
	io.offset = ~0ull;
	start(FUSE_READ, 5);
	put(&io, sizeof(io));
	expect_error(finish(), FUSE_EINVAL);
	/* READDIR's offset is the server's cookie, any value. */
	start(FUSE_READDIR, 1);
	put(&io, sizeof(io));
	assert_int_equal(finish(), FUSE_PARSE_OK);
	start(FUSE_READDIR, 1);
	put(&io, sizeof(io) - 8);
	expect_error(finish(), FUSE_EINVAL);
}

static void test_write(void **state)
{
	(void)state;
	struct fuse_io_in io = { .fh = 7, .offset = 10, .size = 5 };
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hello", 5);
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_memory_equal(r.data, "hello", 5);
	/* Data shorter, then longer, than the header says. */
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hell", 4);
	expect_error(finish(), FUSE_EINVAL);
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hello!", 6);
	expect_error(finish(), FUSE_EINVAL);
	/* Past the largest file, and wrapping around 2^64. */
	io.offset = lim.max_file_size - 4;
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hello", 5);
	expect_error(finish(), FUSE_EFBIG);
	io.offset = ~0ull - 2;
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hello", 5);
	expect_error(finish(), FUSE_EFBIG);
	io.offset = 0;
	io.size = lim.max_io + 1;
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	expect_error(finish(), FUSE_EINVAL);
	/* No room for fuse_write_out. */
	io.size = 5;
	start(FUSE_WRITE, 5);
	put(&io, sizeof(io));
	put("hello", 5);
	expect_error(finish_with(16 + 7), FUSE_EINVAL);
}

static void test_create_mkdir(void **state)
{
	(void)state;
	struct fuse_create_in c = { .flags = 0101, .mode = 0100644, .umask = 022 };
	start(FUSE_CREATE, 1);
	put(&c, sizeof(c));
	put_name("new");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.create.mode, 0100644);
	assert_int_equal(r.name_len, 3);
	start(FUSE_CREATE, 1);
	put(&c, sizeof(c));
	put_name("new");
	expect_error(finish_with(16 + 143), FUSE_EINVAL); /* entry_out + open_out is 144 */
	c.mode = 0020644; /* a character device */
	start(FUSE_CREATE, 1);
	put(&c, sizeof(c));
	put_name("dev");
	expect_error(finish(), FUSE_EINVAL);
	start(FUSE_CREATE, 1);
	put(&c, 8); /* argument cut short: what follows is taken as no name */
	expect_error(finish(), FUSE_EINVAL);

	start(FUSE_MKDIR, 1);
	put(&(struct fuse_mkdir_in){ .mode = 0755 }, sizeof(struct fuse_mkdir_in));
	put_name("dir");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.mkdir.mode, 0755);
	start(FUSE_MKDIR, 1);
	put(&(struct fuse_mkdir_in){ .mode = 0755 }, 4);
	expect_error(finish(), FUSE_EINVAL);
}

static void test_unlink_rmdir(void **state)
{
	(void)state;
	start(FUSE_UNLINK, 1);
	put_name("f");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.name_len, 1);
	start(FUSE_RMDIR, 1);
	put_name("d");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	start(FUSE_UNLINK, 1);
	expect_error(finish(), FUSE_EINVAL); /* no name at all */
}

static void test_rename(void **state)
{
	(void)state;
	uint64_t newdir = 9;
	start(FUSE_RENAME, 1);
	put(&newdir, 8);
	put_name("old");
	put_name("new");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.rename.newdir, 9);
	assert_int_equal(r.in.rename.flags, 0);
	assert_memory_equal(r.name, "old", 3);
	assert_memory_equal(r.name2, "new", 3);
	start(FUSE_RENAME, 1);
	put(&newdir, 8);
	put_name("old");
	expect_error(finish(), FUSE_EINVAL); /* one name */
	start(FUSE_RENAME, 1);
	put(&newdir, 8);
	put_name("old");
	put_name("new");
	put_name("extra");
	expect_error(finish(), FUSE_EINVAL);
	start(FUSE_RENAME, 1);
	put(&newdir, 8);
	put_name("old");
	put_name("a/b");
	expect_error(finish(), FUSE_EINVAL);

	struct fuse_rename2_in r2 = { .newdir = 1, .flags = FUSE_RENAME_NOREPLACE };
	start(FUSE_RENAME2, 1);
	put(&r2, sizeof(r2));
	put_name("a");
	put_name("b");
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.rename.flags, FUSE_RENAME_NOREPLACE);
	r2.flags = 2; /* RENAME_EXCHANGE */
	start(FUSE_RENAME2, 1);
	put(&r2, sizeof(r2));
	put_name("a");
	put_name("b");
	expect_error(finish(), FUSE_EINVAL);
}

static void test_open_release_flush_fsync(void **state)
{
	(void)state;
	uint32_t ops[] = { FUSE_OPEN, FUSE_OPENDIR };
	for (unsigned i = 0; i < 2; i++) {
		start(ops[i], 5);
		put(&(struct fuse_open_in){ .flags = 2 }, sizeof(struct fuse_open_in));
		assert_int_equal(finish(), FUSE_PARSE_OK);
		assert_int_equal(r.in.open.flags, 2);
		start(ops[i], 5);
		put(&(struct fuse_open_in){ .flags = 2 }, sizeof(struct fuse_open_in));
		expect_error(finish_with(16 + 15), FUSE_EINVAL);
	}
	uint32_t rel[] = { FUSE_RELEASE, FUSE_RELEASEDIR, FUSE_FLUSH };
	for (unsigned i = 0; i < 3; i++) {
		start(rel[i], 5);
		put(&(struct fuse_release_in){ .fh = 11 }, sizeof(struct fuse_release_in));
		assert_int_equal(finish_with(16), FUSE_PARSE_OK);
		assert_int_equal(r.in.release.fh, 11);
		start(rel[i], 5);
		put(&(struct fuse_release_in){ .fh = 11 }, 16);
		expect_error(finish(), FUSE_EINVAL);
	}
	start(FUSE_FSYNC, 5);
	put(&(struct fuse_fsync_in){ .fh = 11, .fsync_flags = 1 }, sizeof(struct fuse_fsync_in));
	assert_int_equal(finish(), FUSE_PARSE_OK);
	assert_int_equal(r.in.fsync.fsync_flags, 1);
	start(FUSE_FSYNC, 5);
	put(&(struct fuse_release_in){ 0 }, 20);
	expect_error(finish(), FUSE_EINVAL);
}

static void test_statfs_destroy(void **state)
{
	(void)state;
	start(FUSE_STATFS, 1);
	assert_int_equal(finish(), FUSE_PARSE_OK);
	start(FUSE_STATFS, 1);
	expect_error(finish_with(16 + 79), FUSE_EINVAL);
	start(FUSE_STATFS, 1);
	put("x", 1);
	expect_error(finish(), FUSE_EINVAL);
	start(FUSE_DESTROY, 0);
	assert_int_equal(finish_with(16), FUSE_PARSE_OK);
}

static void test_forgets(void **state)
{
	(void)state;
	uint64_t n = 3;
	start(FUSE_FORGET, 5);
	put(&n, 8);
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.in.nlookup, 3);
	start(FUSE_FORGET, 5);
	put(&n, 4);
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_not_equal(r.error, 0); /* dropped */
	start(FUSE_FORGET, 0);
	put(&n, 8);
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_not_equal(r.error, 0);

	uint32_t batch[2] = { 2, 0 };
	struct fuse_forget_one f[2] = { { 5, 1 }, { 6, 2 } };
	start(FUSE_BATCH_FORGET, 0);
	put(batch, 8);
	put(f, sizeof(f));
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.nforgets, 2);
	struct fuse_forget_one one;
	memcpy(&one, (const uint8_t *)r.forgets + sizeof(one), sizeof(one));
	assert_int_equal(one.nodeid, 6);
	assert_int_equal(one.nlookup, 2);
	/* A count that says more than there is, or a ragged tail. */
	batch[0] = 1000000;
	start(FUSE_BATCH_FORGET, 0);
	put(batch, 8);
	put(f, sizeof(f));
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_not_equal(r.error, 0);
	assert_int_equal(r.nforgets, 0);
	batch[0] = 1;
	start(FUSE_BATCH_FORGET, 0);
	put(batch, 8);
	put(f, sizeof(f) - 1);
	assert_int_equal(finish_with(0), FUSE_PARSE_NO_REPLY);
	assert_int_not_equal(r.error, 0);
}

static void test_dirent(void **state)
{
	(void)state;
	uint8_t buf[64];
	uint32_t used = 0;
	assert_true(fuse_add_dirent(buf, sizeof(buf), &used, 2, 1, 4, "abc", 3));
	assert_int_equal(used, 32); /* 24 + 3, to a multiple of 8 */
	struct fuse_dirent d;
	memcpy(&d, buf, sizeof(d));
	assert_int_equal(d.ino, 2);
	assert_int_equal(d.namelen, 3);
	assert_memory_equal(buf + 24, "abc\0\0\0\0\0", 8);
	assert_true(fuse_add_dirent(buf, sizeof(buf), &used, 3, 2, 8, "12345678", 8));
	assert_int_equal(used, 64);
	assert_false(fuse_add_dirent(buf, sizeof(buf), &used, 4, 3, 8, "x", 1)); /* full */
	assert_int_equal(used, 64);
	used = 0;
	assert_false(fuse_add_dirent(buf, sizeof(buf), &used, 4, 3, 8, "", 0));
	used = 100; /* a bogus position past the room */
	assert_false(fuse_add_dirent(buf, sizeof(buf), &used, 4, 3, 8, "x", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_init_bad),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_header_lies),
		cmocka_unit_test(test_unknown_ops),
		cmocka_unit_test(test_getattr_setattr),
		cmocka_unit_test(test_read_readdir),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_create_mkdir),
		cmocka_unit_test(test_unlink_rmdir),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_open_release_flush_fsync),
		cmocka_unit_test(test_statfs_destroy),
		cmocka_unit_test(test_forgets),
		cmocka_unit_test(test_dirent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
