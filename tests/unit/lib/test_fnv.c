/*
 * test_fnv.c - unit tests for the 64-bit FNV-1a hash (fnv.c)
 *
 * The values are the published FNV-1a test vectors: a template set's
 * version and a message's boundary must be the same on every machine.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fnv.h"

/* Known hashes of short strings. */
static void
test_fnv_vectors(void **state)
{
	(void)state;
	assert_true(fnv_add(FNV_INIT, "", 0) == UINT64_C(0xcbf29ce484222325));
	assert_true(fnv_add(FNV_INIT, "a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(fnv_add(FNV_INIT, "foobar", 6) ==
	    UINT64_C(0x85944171f73967e8));
}

/* Mixing in pieces gives the hash of the whole; every byte counts. */
static void
test_fnv_pieces(void **state)
{
	const char	*s = "closeloop\xff\x00z";
	uint64_t	 whole, h;

	(void)state;
	whole = fnv_add(FNV_INIT, s, 12);
	h = fnv_add(FNV_INIT, s, 4);
	h = fnv_add(h, s + 4, 8);
	assert_true(h == whole);
	assert_true(fnv_add(FNV_INIT, s, 11) != whole);
	assert_true(fnv_add(FNV_INIT, "ab", 2) != fnv_add(FNV_INIT, "ba", 2));
}

/*
 * A word at a time: the same as FNV-1a below eight bytes, the value
 * worked out by hand past them, and every byte counts.
 */
static void
test_fnv_words(void **state)
{
	char		s[] = "0123456789abcdefXYZ";
	uint64_t	h;
	size_t		i;

	(void)state;
	assert_true(fnv_add_words(FNV_INIT, "foobar", 6) ==
	    fnv_add(FNV_INIT, "foobar", 6));
	assert_true(fnv_add_words(FNV_INIT, s, 19) ==
	    UINT64_C(0xaf6d82e0fa8645b0));
	h = fnv_add_words(FNV_INIT, s, 19);
	for (i = 0; i < 19; i++) {
		s[i] ^= 1;
		assert_true(fnv_add_words(FNV_INIT, s, 19) != h);
		s[i] ^= 1;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv_vectors),
		cmocka_unit_test(test_fnv_pieces),
		cmocka_unit_test(test_fnv_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
