/* The layout of the kernel stacks' region (kernel/kstack.h): where each slot's stack lies,
 * that a guard lies below each, and which slot an address belongs to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kstack.h"

#define PAGE 4096ul
#define GUARD (KSTACK_GUARD_PAGES * PAGE)

static void test_slots_tile_the_region_guard_first(void **state)
{
	(void)state;
	assert_int_equal(kstack_base(0), KSTACK_REGION_BASE + GUARD);
	for (unsigned slot = 0; slot + 1 < KSTACK_SLOTS; slot++)
		/* Between one stack's top and the next one's base lies exactly a guard. */
		assert_int_equal(kstack_base(slot + 1) - (kstack_base(slot) + KSTACK_SIZE), GUARD);
	assert_int_equal(kstack_base(KSTACK_SLOTS - 1) + KSTACK_SIZE,
			 KSTACK_REGION_BASE + KSTACK_REGION_SIZE);
	assert_int_equal(kstack_base(1) % PAGE, 0);
}

/* Every guard and stack address names its slot; the region's edges are outside it. */
static void test_slot_of_each_address(void **state)
{
	(void)state;
	for (unsigned slot = 0; slot < KSTACK_SLOTS; slot++) {
		uint64_t base = kstack_base(slot);
		assert_int_equal(kstack_slot_of(base - GUARD), slot);
		assert_int_equal(kstack_slot_of(base - 8), slot);
		assert_int_equal(kstack_slot_of(base), slot);
		assert_int_equal(kstack_slot_of(base + KSTACK_SIZE - 1), slot);
	}
	assert_int_equal(kstack_slot_of(KSTACK_REGION_BASE - 1), -1);
	assert_int_equal(kstack_slot_of(KSTACK_REGION_BASE + KSTACK_REGION_SIZE), -1);
	assert_int_equal(kstack_slot_of(0), -1);
	assert_int_equal(kstack_slot_of(UINT64_MAX), -1);
	assert_int_equal(kstack_slot_of(0x80200000), -1); /* the kernel image, boot stack too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_tile_the_region_guard_first),
		cmocka_unit_test(test_slot_of_each_address),
	};
	return cmocka_run_group_tests_name("kstack", tests, NULL, NULL);
}
