/* The block server's volume table (servers/block/volumes.c): creating, finding and deleting
 * volumes, first fit, and damaged tables from the disk refused; ranges checked against a
 * volume without overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "volumes.h"

#define DISK (VOL_DATA_START + 10000ul)

static void test_create_find_delete_first_fit(void **state)
{
	(void)state;
	struct vol_table t;
	int a, b, c;
	vol_format(&t, DISK);
	assert_int_equal(vol_create(&t, "a", 1000, &a), VOL_OK);
	assert_int_equal(t.e[a].start, VOL_DATA_START);
	assert_int_equal(vol_create(&t, "b", 2000, &b), VOL_OK);
	assert_int_equal(t.e[b].start, VOL_DATA_START + 1000);
	assert_int_equal(vol_create(&t, "a", 10, &c), VOL_EXISTS);
	assert_int_equal(vol_create(&t, "big", 7001, &c), VOL_NOSPACE);
	assert_int_equal(vol_create(&t, "zero", 0, &c), VOL_BADSIZE);
	assert_int_equal(vol_create(&t, "a/b", 1, &c), VOL_BADNAME);
	assert_int_equal(vol_create(&t, "", 1, &c), VOL_BADNAME);
	assert_int_equal(vol_create(&t, "sixteen-chars-xx", 1, &c), VOL_BADNAME);
	vol_delete(&t, a);
	assert_int_equal(vol_find(&t, "a"), -1);
	/* The hole a left is found first. */
	assert_int_equal(vol_create(&t, "c", 500, &c), VOL_OK);
	assert_int_equal(t.e[c].start, VOL_DATA_START);
	assert_int_equal(vol_find(&t, "c"), c);
	assert_int_equal(vol_used(&t), 2500);
}

static void test_the_table_fills_up(void **state)
{
	(void)state;
	struct vol_table t;
	int i;
	char name[8];
	vol_format(&t, DISK);
	for (unsigned k = 0; k < VOL_MAX; k++) {
		snprintf(name, sizeof(name), "v%u", k);
		assert_int_equal(vol_create(&t, name, 1, &i), VOL_OK);
	}
	assert_int_equal(vol_create(&t, "more", 1, &i), VOL_FULL);
}

static void test_load_refuses_damaged_tables(void **state)
{
	(void)state;
	struct vol_table t, loaded;
	uint8_t disk[VOL_TABLE_SECTORS * VOL_SECTOR] = { 0 };
	int a, b;
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_EMPTY);
	vol_format(&t, DISK);
	vol_create(&t, "a", 100, &a);
	vol_create(&t, "b", 100, &b);
	memcpy(disk, &t, sizeof(t));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_OK);
	assert_int_equal(vol_find(&loaded, "b"), b);
	/* A grown disk keeps its table; a shrunk one does not fit it. */
	assert_int_equal(vol_load(&loaded, disk, DISK * 2), VOL_OK);
	assert_int_equal(loaded.disk_sectors, DISK * 2);
	assert_int_equal(vol_load(&loaded, disk, DISK - 1), VOL_DAMAGED);

	struct vol_table bad = t;
	bad.e[b].start = t.e[a].start + 50; /* overlaps a */
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
	bad = t;
	bad.e[b].sectors = UINT64_MAX; /* start + sectors wraps */
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
	bad = t;
	bad.e[b].start = 0; /* over the table */
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
	bad = t;
	memset(bad.e[b].name, 'x', VOL_NAME_MAX); /* no terminating NUL */
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
	bad = t;
	strcpy(bad.e[b].name, "a"); /* two of one name */
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
	bad = t;
	bad.version = 2;
	memcpy(disk, &bad, sizeof(bad));
	assert_int_equal(vol_load(&loaded, disk, DISK), VOL_DAMAGED);
}

static void test_ranges_are_checked_without_overflow(void **state)
{
	(void)state;
	struct vol_entry v = { .name = "v", .start = VOL_DATA_START, .sectors = 100 };
	assert_true(vol_range_ok(&v, 0, 100));
	assert_true(vol_range_ok(&v, 99, 1));
	assert_false(vol_range_ok(&v, 100, 1));
	assert_false(vol_range_ok(&v, 99, 2));
	assert_false(vol_range_ok(&v, 0, 0));
	assert_false(vol_range_ok(&v, UINT64_MAX, 2));
	assert_false(vol_range_ok(&v, 1, UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_find_delete_first_fit),
		cmocka_unit_test(test_the_table_fills_up),
		cmocka_unit_test(test_load_refuses_damaged_tables),
		cmocka_unit_test(test_ranges_are_checked_without_overflow),
	};
	return cmocka_run_group_tests_name("volumes", tests, NULL, NULL);
}
