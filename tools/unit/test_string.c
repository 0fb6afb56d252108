/* lib/string.c's memcpy, memmove and memset at every alignment of source and destination
 * and every short length: their word loops have edge cases that a byte loop has not. The
 * file is included under other names, so the host's own functions stay the host's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define memcpy vireo_memcpy
#define memmove vireo_memmove
#define memset vireo_memset
#define memcmp vireo_memcmp
#define memchr vireo_memchr
#define strlen vireo_strlen
#define strnlen vireo_strnlen
#define strncmp vireo_strncmp
#define strcmp vireo_strcmp
#define strchr vireo_strchr
#define strcspn vireo_strcspn
#define strrchr vireo_strrchr
#define strstr vireo_strstr
#define strcpy vireo_strcpy
#define strncpy vireo_strncpy
#include "../../lib/include/string.h"
#include "../../lib/string.c"
#undef memcpy
#undef memmove
#undef memset

/* Longer than the word loops' thresholds, with room for every offset on both sides. */
#define SPAN 200
#define ROOM (SPAN + 32)

static _Alignas(8) unsigned char src[ROOM], dst[ROOM], expect[ROOM];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

static void test_memcpy_copies_exactly_the_bytes_at_every_alignment(void **state)
{
	(void)state;
	for (size_t so = 0; so < 8; so++)
		for (size_t doff = 0; doff < 8; doff++)
			for (size_t n = 0; n <= SPAN; n++) {
				fill(src, ROOM, (unsigned)(so + n));
				fill(dst, ROOM, 99);
				memcpy(expect, dst, ROOM);
				memcpy(expect + 8 + doff, src + 8 + so, n);
				assert_ptr_equal(vireo_memcpy(dst + 8 + doff, src + 8 + so, n),
						 dst + 8 + doff);
				assert_memory_equal(dst, expect, ROOM);
			}
}

static void test_memmove_handles_overlap_both_ways(void **state)
{
	(void)state;
	for (size_t from = 0; from < 24; from++)
		for (size_t to = 0; to < 24; to++)
			for (size_t n = 0; n <= SPAN; n += 7) {
				fill(dst, ROOM, (unsigned)n);
				memcpy(expect, dst, ROOM);
				memmove(expect + to, expect + from, n);
				vireo_memmove(dst + to, dst + from, n);
				assert_memory_equal(dst, expect, ROOM);
			}
}

static void test_strcspn_counts_up_to_the_first_rejected(void **state)
{
	(void)state;
	assert_int_equal(vireo_strcspn("zicsr_zba", "_"), 5);
	assert_int_equal(vireo_strcspn("zicsr", "_"), 5);
	assert_int_equal(vireo_strcspn("_x", "_"), 0);
	assert_int_equal(vireo_strcspn("", "_"), 0);
	assert_int_equal(vireo_strcspn("abc", ""), 3);
}

static void test_memset_sets_exactly_the_bytes_at_every_alignment(void **state)
{
	(void)state;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= SPAN; n++) {
			fill(dst, ROOM, (unsigned)n);
			memcpy(expect, dst, ROOM);
			memset(expect + off, 0xa5, n);
			assert_ptr_equal(vireo_memset(dst + off, 0x1a5, n), dst + off);
			assert_memory_equal(dst, expect, ROOM);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_copies_exactly_the_bytes_at_every_alignment),
		cmocka_unit_test(test_memmove_handles_overlap_both_ways),
		cmocka_unit_test(test_memset_sets_exactly_the_bytes_at_every_alignment),
		cmocka_unit_test(test_strcspn_counts_up_to_the_first_rejected),
	};
	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
