/* snformat/vsnformat: every conversion, length modifier and flag format.h promises. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "format.h"

/* Formats into a roomy buffer and checks both the text and the returned length. */
#define CHECK(expect, ...)                                                   \
	do {                                                                 \
		char buf_[256];                                              \
		size_t n_ = snformat(buf_, sizeof(buf_), __VA_ARGS__);       \
		assert_string_equal(buf_, expect);                           \
		assert_int_equal(n_, strlen(expect));                        \
	} while (0)

/* For formats the compiler's printf checking would reject (unknown conversions, '-' with
 * '0'): the same code path without the format attribute. */
static size_t unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_plain_text_is_copied(void **state)
{
	(void)state;
	CHECK("", "%s", "");
	CHECK("hello, world", "hello, world");
}

static void test_char(void **state)
{
	(void)state;
	CHECK("x", "%c", 'x');
	CHECK("[a][b]", "[%c][%c]", 'a', 'b');
	CHECK("    z", "%5c", 'z');
	CHECK("z  |", "%-3c|", 'z');
}

static void test_string(void **state)
{
	(void)state;
	CHECK("abc", "%s", "abc");
	CHECK("  abc", "%5s", "abc");
	CHECK("abc  |", "%-5s|", "abc");
	CHECK("abcdef", "%3s", "abcdef");
}

static void test_null_string_prints_null(void **state)
{
	(void)state;
	const char *none = NULL;
	char buf[32];
	assert_int_equal(unchecked(buf, sizeof(buf), "<%s>", none), 8);
	assert_string_equal(buf, "<(null)>");
}

static void test_signed_decimal(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("42", "%d", 42);
	CHECK("-42", "%i", -42);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
}

static void test_signed_long_modifiers(void **state)
{
	(void)state;
	CHECK("-9223372036854775808", "%ld", LONG_MIN);
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-5", "%zd", (ssize_t)-5);
	/* Without l the argument is an int: only its low 32 bits count. */
	CHECK("-1", "%d", (int)0xffffffffu);
}

static void test_unsigned_decimal(void **state)
{
	(void)state;
	CHECK("0", "%u", 0u);
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("18446744073709551615", "%zu", SIZE_MAX);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK("0", "%x", 0u);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("123456789abcdef0", "%lx", 0x123456789abcdef0ul);
	CHECK("123456789ABCDEF0", "%llX", 0x123456789abcdef0ull);
	CHECK("ffffffffffffffff", "%zx", SIZE_MAX);
}

static void test_pointer(void **state)
{
	(void)state;
	CHECK("0x1000", "%p", (void *)0x1000);
	CHECK("0x0", "%p", (void *)0);
	CHECK("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	CHECK("    0x1000", "%10p", (void *)0x1000);
	CHECK("0x1000    |", "%-10p|", (void *)0x1000);
}

static void test_percent(void **state)
{
	(void)state;
	CHECK("100%", "100%%");
	CHECK("%d", "%%d");
}

static void test_width_pads_with_spaces(void **state)
{
	(void)state;
	CHECK("   42", "%5d", 42);
	CHECK("  -42", "%5d", -42);
	CHECK("   ff", "%5x", 0xffu);
	CHECK("12345", "%2d", 12345);
	/* Wider than the 16-character fill the padding is emitted in. */
	CHECK("                   1", "%20d", 1);
}

static void test_minus_flag_left_aligns(void **state)
{
	(void)state;
	CHECK("42   |", "%-5d|", 42);
	CHECK("-42   |", "%-6d|", -42);
	CHECK("ff   |", "%-5x|", 0xffu);
}

static void test_zero_flag_pads_with_zeros(void **state)
{
	(void)state;
	CHECK("00042", "%05d", 42);
	CHECK("0000001f", "%08x", 0x1fu);
	CHECK("00000000000000000001", "%020lu", 1ul);
}

static void test_negative_with_zero_padding_puts_sign_first(void **state)
{
	(void)state;
	CHECK("-0042", "%05d", -42);
	CHECK("-42", "%03d", -42);
	CHECK("-42", "%02d", -42);
	CHECK("-9223372036854775808", "%020ld", LONG_MIN);
	CHECK("-00000000000000000007", "%021ld", -7l);
}

static void test_minus_overrides_zero_flag(void **state)
{
	(void)state;
	char buf[32];
	/* As in C: padding on the right must not add digits to the number. */
	unchecked(buf, sizeof(buf), "%-05d|", 42);
	assert_string_equal(buf, "42   |");
	unchecked(buf, sizeof(buf), "%-05d|", -42);
	assert_string_equal(buf, "-42  |");
	unchecked(buf, sizeof(buf), "%0-5x|", 0xau);
	assert_string_equal(buf, "a    |");
}

static void test_unknown_conversion_shown_as_is(void **state)
{
	(void)state;
	char buf[32];
	assert_int_equal(unchecked(buf, sizeof(buf), "a%qb"), 4);
	assert_string_equal(buf, "a%qb");
	/* It takes no argument: the next conversion still gets the first one. */
	unchecked(buf, sizeof(buf), "%q %d", 7);
	assert_string_equal(buf, "%q 7");
	unchecked(buf, sizeof(buf), "%hd", 7);
	assert_string_equal(buf, "%hd");
	assert_int_equal(unchecked(buf, sizeof(buf), "50%"), 3);
	assert_string_equal(buf, "50%");
}

static void test_truncation_returns_wanted_length(void **state)
{
	(void)state;
	char buf[16];
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(snformat(buf, 8, "hello %s", "world"), 11);
	assert_string_equal(buf, "hello w");
	for (size_t i = 8; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'X');
}

static void test_truncation_inside_padding_and_numbers(void **state)
{
	(void)state;
	char buf[8];
	assert_int_equal(snformat(buf, sizeof(buf), "%20d", 5), 20);
	assert_string_equal(buf, "       ");
	assert_int_equal(snformat(buf, sizeof(buf), "%lu", ULONG_MAX), 20);
	assert_string_equal(buf, "1844674");
	assert_int_equal(snformat(buf, sizeof(buf), "%05d", -1234567), 8);
	assert_string_equal(buf, "-123456");
}

static void test_exact_fit_and_one_short(void **state)
{
	(void)state;
	char buf[6];
	assert_int_equal(snformat(buf, 6, "%s", "abcde"), 5);
	assert_string_equal(buf, "abcde");
	assert_int_equal(snformat(buf, 5, "%s", "abcde"), 5);
	assert_string_equal(buf, "abcd");
}

static void test_size_one_gives_empty_string(void **state)
{
	(void)state;
	char buf[4] = "XYZ";
	assert_int_equal(snformat(buf, 1, "%d", 1234), 4);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Y');
}

static void test_size_zero_writes_nothing(void **state)
{
	(void)state;
	char buf[4] = "XYZ";
	assert_int_equal(snformat(buf, 0, "%s", "abc"), 3);
	assert_string_equal(buf, "XYZ");
	assert_int_equal(snformat(NULL, 0, "%d-%d", 10, 20), 5);
}

struct capture {
	char text[64];
	size_t len;
	unsigned calls;
};

static void capture_sink(void *ctx, const char *s, size_t n)
{
	struct capture *c = ctx;
	assert_true(c->len + n < sizeof(c->text));
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->calls++;
}

static void vformat_into(struct capture *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(capture_sink, c, fmt, ap);
	va_end(ap);
}

static void test_vformat_sends_everything_to_the_sink(void **state)
{
	(void)state;
	struct capture c = { .len = 0 };
	vformat_into(&c, "id=%u name=%-4s|%03x", 17u, "ab", 0xfu);
	assert_int_equal(c.len, strlen("id=17 name=ab  |00f"));
	assert_memory_equal(c.text, "id=17 name=ab  |00f", c.len);
	assert_true(c.calls > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_copied),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_null_string_prints_null),
		cmocka_unit_test(test_signed_decimal),
		cmocka_unit_test(test_signed_long_modifiers),
		cmocka_unit_test(test_unsigned_decimal),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_width_pads_with_spaces),
		cmocka_unit_test(test_minus_flag_left_aligns),
		cmocka_unit_test(test_zero_flag_pads_with_zeros),
		cmocka_unit_test(test_negative_with_zero_padding_puts_sign_first),
		cmocka_unit_test(test_minus_overrides_zero_flag),
		cmocka_unit_test(test_unknown_conversion_shown_as_is),
		cmocka_unit_test(test_truncation_returns_wanted_length),
		cmocka_unit_test(test_truncation_inside_padding_and_numbers),
		cmocka_unit_test(test_exact_fit_and_one_short),
		cmocka_unit_test(test_size_one_gives_empty_string),
		cmocka_unit_test(test_size_zero_writes_nothing),
		cmocka_unit_test(test_vformat_sends_everything_to_the_sink),
	};
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
