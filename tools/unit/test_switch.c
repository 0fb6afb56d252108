/* The network server's switch (servers/net/switch.c): each guest port's MAC fixed, a
 * guest's frames with any other source refused, frames for a guest to that guest alone,
 * broadcast to every other open port, unknown unicast from guests to the uplink only and
 * from the uplink nowhere, uplink sources learned without ever taking a guest's MAC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "switch.h"

static struct switch_table t;

/* Frames of one MTU at most, as the switch takes them from the NIC and unsegmented. */
static enum switch_verdict admit(struct switch_table *table, unsigned port,
				 const uint8_t own[MAC_BYTES], const uint8_t *f, size_t len)
{
	return switch_admit(table, port, own, f, len, SWITCH_FRAME_MAX);
}
static const uint8_t guest1[6] = { 0x02, 0x56, 0x69, 0x72, 0x65, 1 };
static const uint8_t guest2[6] = { 0x02, 0x56, 0x69, 0x72, 0x65, 2 };
static const uint8_t host[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define ALL_OPEN ((1u << 0) | (1u << 1) | (1u << 2))

static uint8_t frame[SWITCH_FRAME_MAX + 1];

static const uint8_t *make(const uint8_t dst[6], const uint8_t src[6])
{
	memset(frame, 0, sizeof(frame));
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	return frame;
}

static int setup(void **state)
{
	(void)state;
	switch_init(&t);
	assert_true(switch_attach(&t, 1, guest1));
	assert_true(switch_attach(&t, 2, guest2));
	return 0;
}

static void test_a_guest_sends_only_as_itself(void **state)
{
	(void)state;
	assert_int_equal(admit(&t, 1, guest1, make(host, guest1), 60), SWITCH_OK);
	assert_int_equal(admit(&t, 1, guest1, make(host, guest2), 60), SWITCH_SPOOFED);
	assert_int_equal(admit(&t, 1, guest1, make(host, host), 60), SWITCH_SPOOFED);
	assert_int_equal(admit(&t, 1, guest1, make(host, broadcast), 60),
			 SWITCH_MULTICAST_SOURCE);
	/* Refused frames teach the table nothing: guest 2 is still behind port 2. */
	assert_int_equal(switch_lookup(&t, guest2), 2);
	assert_int_equal(switch_lookup(&t, host), -1);
}

static void test_sizes(void **state)
{
	(void)state;
	make(host, guest1);
	assert_int_equal(admit(&t, 1, guest1, frame, SWITCH_FRAME_MIN), SWITCH_OK);
	assert_int_equal(admit(&t, 1, guest1, frame, SWITCH_FRAME_MAX), SWITCH_OK);
	assert_int_equal(admit(&t, 1, guest1, frame, SWITCH_FRAME_MIN - 1), SWITCH_BAD_SIZE);
	assert_int_equal(admit(&t, 1, guest1, frame, SWITCH_FRAME_MAX + 1), SWITCH_BAD_SIZE);
	assert_int_equal(admit(&t, 0, NULL, frame, 9000), SWITCH_BAD_SIZE);
	/* A frame the switch will segment may be longer; one of no size never. */
	assert_int_equal(switch_admit(&t, 1, guest1, frame, 9000, 65549), SWITCH_OK);
	assert_int_equal(switch_admit(&t, 1, guest1, frame, 65550, 65549), SWITCH_BAD_SIZE);
	assert_int_equal(admit(&t, 1, guest1, frame, 0), SWITCH_BAD_SIZE);
}

static void test_routes(void **state)
{
	(void)state;
	/* To another guest: that guest alone, from a guest or from outside. */
	assert_int_equal(switch_route(&t, 1, guest2, ALL_OPEN), 1u << 2);
	assert_int_equal(switch_route(&t, 0, guest2, ALL_OPEN), 1u << 2);
	/* Broadcast and multicast: everyone open but the sender. */
	assert_int_equal(switch_route(&t, 1, broadcast, ALL_OPEN), (1u << 0) | (1u << 2));
	static const uint8_t group[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	assert_int_equal(switch_route(&t, 0, group, ALL_OPEN), (1u << 1) | (1u << 2));
	/* Unknown unicast: outside, from a guest; nowhere, from outside. */
	assert_int_equal(switch_route(&t, 2, host, ALL_OPEN), 1u << 0);
	assert_int_equal(switch_route(&t, 0, host, ALL_OPEN), 0);
	/* Never back where it came from. */
	assert_int_equal(switch_route(&t, 1, guest1, ALL_OPEN), 0);
	/* Closed ports get nothing. */
	assert_int_equal(switch_route(&t, 1, broadcast, 1u << 0 | 1u << 1), 1u << 0);
}

static void test_uplink_learning(void **state)
{
	(void)state;
	assert_int_equal(admit(&t, 0, NULL, make(guest1, host), 60), SWITCH_OK);
	assert_int_equal(switch_lookup(&t, host), 0);
	assert_int_equal(switch_route(&t, 1, host, ALL_OPEN), 1u << 0);
	/* Someone outside passing for a guest is refused, and the table keeps the guest. */
	assert_int_equal(admit(&t, 0, NULL, make(guest1, guest2), 60), SWITCH_SPOOFED);
	assert_int_equal(switch_lookup(&t, guest2), 2);
	/* A flood of sources from outside replaces learned entries, never a guest's. */
	for (unsigned i = 0; i < 10 * SWITCH_ENTRIES; i++) {
		uint8_t src[6] = { 0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		assert_int_equal(admit(&t, 0, NULL, make(guest1, src), 60), SWITCH_OK);
	}
	assert_int_equal(switch_lookup(&t, guest1), 1);
	assert_int_equal(switch_lookup(&t, guest2), 2);
}

static void test_attach_and_detach(void **state)
{
	(void)state;
	assert_false(switch_attach(&t, 3, guest1)); /* one MAC, one port */
	assert_false(switch_attach(&t, 0, guest1)); /* the uplink has no MAC of its own */
	assert_false(switch_attach(&t, SWITCH_PORTS, guest1));
	assert_false(switch_attach(&t, 3, broadcast));
	switch_detach(&t, 1);
	assert_int_equal(switch_lookup(&t, guest1), -1);
	assert_int_equal(switch_route(&t, 2, guest1, (1u << 0) | (1u << 2)), 1u << 0);
	assert_true(switch_attach(&t, 3, guest1));
	assert_int_equal(switch_lookup(&t, guest1), 3);
	/* A MAC learned outside becomes the guest's when a port gets it. */
	admit(&t, 0, NULL, make(broadcast, host), 60);
	assert_true(switch_attach(&t, 4, host));
	assert_int_equal(switch_lookup(&t, host), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_a_guest_sends_only_as_itself, setup),
		cmocka_unit_test_setup(test_sizes, setup),
		cmocka_unit_test_setup(test_routes, setup),
		cmocka_unit_test_setup(test_uplink_learning, setup),
		cmocka_unit_test_setup(test_attach_and_detach, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
