/* The ChaCha20 block function against RFC 8439's test vector (section 2.3.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chacha20.h"

static void test_rfc8439_block_vector(void **state)
{
	(void)state;
	uint8_t key[32], out[64];
	const uint8_t nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	static const uint8_t expect[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20,
		0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a,
		0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2,
		0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	for (unsigned i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, expect, 64);
}

/* The counter and nonce take part: a different block count gives a different block. */
static void test_counter_changes_the_block(void **state)
{
	(void)state;
	uint8_t key[32] = {0}, nonce[12] = {0}, a[64], b[64];
	chacha20_block(key, 0, nonce, a);
	chacha20_block(key, 1, nonce, b);
	assert_memory_not_equal(a, b, 64);
	nonce[11] = 1;
	chacha20_block(key, 0, nonce, b);
	assert_memory_not_equal(a, b, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8439_block_vector),
		cmocka_unit_test(test_counter_changes_the_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
