/* A network link's ring (servers/net/net_ring.c): records in and out in order across the
 * ring's end and across the counts' wrap at 2^32, a full ring refusing more until the
 * reader releases, and a ring the other side scribbled on found broken, never read outside
 * its bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net_ring.h"

static uint8_t link[NET_LINK_PAGES * 4096ul];
static struct net_ring writer, reader;

static void start_at(uint32_t count)
{
	memset(link, 0, 4096);
	net_ring_attach(&writer, link, NET_RING_IN);
	net_ring_attach(&reader, link, NET_RING_IN);
	net_ring_clear(&writer);
	writer.ends->head = writer.ends->tail = writer.count = reader.count = count;
}

static bool put(uint32_t len, uint8_t tag)
{
	uint8_t *rec = net_ring_reserve(&writer, len);
	if (!rec)
		return false;
	memset(rec, tag, len);
	net_ring_commit(&writer, len);
	return true;
}

static void take(uint32_t len, uint8_t tag)
{
	uint32_t n;
	const uint8_t *rec = net_ring_peek(&reader, &n);
	assert_non_null(rec);
	assert_int_equal(n, len);
	assert_true(rec >= reader.data && rec + n <= reader.data + NET_RING_BYTES);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(rec[i], tag);
	net_ring_release(&reader, n);
}

static void test_records_in_order_across_the_end_and_the_wrap(void **state)
{
	(void)state;
	start_at((0xffffffffu - 100000) & ~7u); /* the counts wrap on the way */
	for (unsigned round = 0; round < 40; round++) {
		uint32_t len = 1514 + 12 + round * 997;
		assert_true(put(len, (uint8_t)round));
		assert_true(put(60, (uint8_t)~round));
		take(len, (uint8_t)round);
		take(60, (uint8_t)~round);
	}
	uint32_t n;
	assert_null(net_ring_peek(&reader, &n));
	assert_false(reader.broken);
}

static void test_a_full_ring_waits_for_the_reader(void **state)
{
	(void)state;
	start_at(0);
	unsigned put_n = 0;
	while (put(NET_RECORD_MAX, (uint8_t)put_n))
		put_n++;
	assert_int_equal(put_n, NET_RING_BYTES / (NET_RECORD_MAX + 4 + 4));
	assert_false(writer.broken);
	take(NET_RECORD_MAX, 0);
	assert_true(put(NET_RECORD_MAX, 0xee)); /* the room made, used, past the end's pad */
	for (unsigned i = 1; i < put_n; i++)
		take(NET_RECORD_MAX, (uint8_t)i);
	take(NET_RECORD_MAX, 0xee);
	assert_null(net_ring_reserve(&writer, NET_RECORD_MAX + 1));
}

static void test_a_scribbled_ring_is_broken_not_followed(void **state)
{
	(void)state;
	uint32_t n;
	start_at(0);
	assert_true(put(100, 1));
	uint32_t huge = NET_RING_BYTES;
	memcpy(reader.data, &huge, 4); /* a length past the ring */
	assert_null(net_ring_peek(&reader, &n));
	assert_true(reader.broken);
	net_ring_drain(&reader);
	assert_false(reader.broken);
	assert_true(put(100, 2));
	take(100, 2);
	writer.ends->head = reader.count + NET_RING_BYTES + 8; /* more than the ring holds */
	assert_null(net_ring_peek(&reader, &n));
	assert_true(reader.broken);
	start_at(0);
	assert_true(put(100, 3));
	writer.ends->head = reader.count + 8; /* a record longer than what was published */
	assert_null(net_ring_peek(&reader, &n));
	assert_true(reader.broken);
	start_at(0);
	writer.ends->tail = writer.count + 16; /* the reader past the writer */
	assert_false(put(100, 4));
	assert_true(writer.broken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_in_order_across_the_end_and_the_wrap),
		cmocka_unit_test(test_a_full_ring_waits_for_the_reader),
		cmocka_unit_test(test_a_scribbled_ring_is_broken_not_followed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
