/* The frames of `linux exec` (servers/vmm/agent_frame.c) as the monitor reads the guest
 * agent's: whole frames in one piece, byte by byte and several in one read, and each
 * malformed stream (bad magic, a flag, a type of the other side or unknown, a length over
 * the limit or wrong for its type) refused, with nothing read after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_frame.h"

static struct agent_reader rd;
static uint8_t stream[3 * (AGENT_HEADER + AGENT_PAYLOAD_MAX)];

static void test_whole_frames(void **state)
{
	(void)state;
	struct agent_frame f;
	const char *why;
	size_t used, n = agent_frame_write(stream, AGENT_STDOUT, "hello", 5);
	int32_t status = 3;
	n += agent_frame_write(stream + n, AGENT_EXIT, &status, 4);
	agent_reader_init(&rd, true);
	assert_int_equal(agent_read(&rd, stream, n, &used, &f, &why), 1);
	assert_int_equal(used, AGENT_HEADER + 5);
	assert_int_equal(f.type, AGENT_STDOUT);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.payload, "hello", 5);
	assert_int_equal(agent_read(&rd, stream + used, n - used, &used, &f, &why), 1);
	assert_int_equal(f.type, AGENT_EXIT);
	memcpy(&status, f.payload, 4);
	assert_int_equal(status, 3);
	assert_int_equal(agent_read(&rd, stream, 0, &used, &f, &why), 0);
}

static void test_byte_by_byte(void **state)
{
	(void)state;
	struct agent_frame f;
	const char *why;
	size_t used;
	uint8_t big[AGENT_PAYLOAD_MAX];
	memset(big, 'z', sizeof(big));
	size_t n = agent_frame_write(stream, AGENT_STDERR, big, sizeof(big));
	n += agent_frame_write(stream + n, AGENT_HELLO, NULL, 0);
	agent_reader_init(&rd, true);
	unsigned frames = 0;
	for (size_t i = 0; i < n; i++) {
		int got = agent_read(&rd, stream + i, 1, &used, &f, &why);
		assert_int_equal(used, 1);
		if (got) {
			assert_int_equal(got, 1);
			frames++;
			if (frames == 1) {
				assert_int_equal(f.type, AGENT_STDERR);
				assert_int_equal(f.len, AGENT_PAYLOAD_MAX);
				assert_memory_equal(f.payload, big, sizeof(big));
			} else {
				assert_int_equal(f.type, AGENT_HELLO);
				assert_int_equal(f.len, 0);
			}
		}
	}
	assert_int_equal(frames, 2);
}

static void test_host_side_types(void **state)
{
	(void)state;
	struct agent_frame f;
	const char *why;
	size_t used, n = agent_frame_write(stream, AGENT_EXEC, "uname -a", 8);
	agent_reader_init(&rd, false); /* the agent reads the host's frames */
	assert_int_equal(agent_read(&rd, stream, n, &used, &f, &why), 1);
	assert_int_equal(f.type, AGENT_EXEC);
	n = agent_frame_write(stream, AGENT_STDIN, NULL, 0); /* end of stdin */
	assert_int_equal(agent_read(&rd, stream, n, &used, &f, &why), 1);
	assert_int_equal(f.len, 0);
	/* The monitor refuses the host's types from the guest. */
	agent_reader_init(&rd, true);
	n = agent_frame_write(stream, AGENT_EXEC, "x", 1);
	assert_int_equal(agent_read(&rd, stream, n, &used, &f, &why), -1);
	assert_non_null(why);
}

/* Each bad stream: refused at its header, and the reader stays broken. */
static void expect_broken(const uint8_t *s, size_t n)
{
	struct agent_frame f;
	const char *why = NULL;
	size_t used;
	agent_reader_init(&rd, true);
	assert_int_equal(agent_read(&rd, s, n, &used, &f, &why), -1);
	assert_non_null(why);
	assert_true(used <= AGENT_HEADER);
	assert_true(rd.broken);
	size_t good = agent_frame_write(stream + 2048, AGENT_HELLO, NULL, 0);
	assert_int_equal(agent_read(&rd, stream + 2048, good, &used, &f, &why), -1);
	assert_int_equal(used, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t h[AGENT_HEADER + 8];
	int32_t status = 0;
	agent_frame_write(h, AGENT_STDOUT, "abc", 3);
	h[0] ^= 1; /* magic */
	expect_broken(h, sizeof(h));
	agent_frame_write(h, AGENT_STDOUT, "abc", 3);
	h[3] = 1; /* a flag */
	expect_broken(h, sizeof(h));
	uint8_t types[] = { 0, 6, 15, AGENT_EXEC, AGENT_STDIN, AGENT_SIGNAL, 19, 255 };
	for (unsigned i = 0; i < sizeof(types); i++) {
		agent_frame_write(h, types[i], "abc", 3);
		expect_broken(h, sizeof(h));
	}
	uint32_t huge = AGENT_PAYLOAD_MAX + 1;
	agent_frame_write(h, AGENT_STDOUT, NULL, 0);
	memcpy(h + 4, &huge, 4);
	expect_broken(h, sizeof(h));
	huge = 0xffffffffu;
	memcpy(h + 4, &huge, 4);
	expect_broken(h, sizeof(h));
	agent_frame_write(h, AGENT_EXIT, &status, 3); /* an exit status of 3 bytes */
	expect_broken(h, sizeof(h));
	agent_frame_write(h, AGENT_HELLO, "x", 1); /* HELLO carries nothing */
	expect_broken(h, sizeof(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_frames),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_host_side_types),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
