/*
 * test_digest.c - unit tests for content hashes and tokens (digest.c)
 *
 * The hashes are checked against published test vectors (FIPS 180-2 for
 * SHA-256, RFC 4231 for HMAC-SHA-256), so a division can recompute them
 * with any tool (sha256sum).
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "digest.h"

/* SHA-256 of "", "abc" and a UTF-8 text. */
static void
test_digest_sha256(void **state)
{
	char	out[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_sha256("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	digest_sha256("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	digest_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	assert_int_equal(strlen(out), DIGEST_HEX_LEN);
}

/* SHA-1 of "" and "abc" (FIPS 180-2), as Redis's redis.sha1hex(). */
static void
test_digest_sha1(void **state)
{
	char	out[DIGEST_SHA1_HEX_LEN + 1];

	(void)state;
	digest_sha1("", 0, out);
	assert_string_equal(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	digest_sha1("abc", 3, out);
	assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

/* HMAC-SHA-256, RFC 4231 test cases 1 and 2. */
static void
test_digest_hmac(void **state)
{
	char	key[20], out[DIGEST_HEX_LEN + 1];

	(void)state;
	memset(key, 0x0b, sizeof key);
	digest_hmac(key, sizeof key, "Hi There", out);
	assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	digest_hmac("Jefe", 4, "what do ya want for nothing?", out);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

/* Equal strings only; lengths differ or NULL: not equal. */
static void
test_digest_equal(void **state)
{
	(void)state;
	assert_true(digest_equal("abc", "abc"));
	assert_true(digest_equal("", ""));
	assert_false(digest_equal("abc", "abd"));
	assert_false(digest_equal("abc", "abcd"));
	assert_false(digest_equal("abcd", "abc"));
	assert_false(digest_equal(NULL, "abc"));
	assert_false(digest_equal("abc", NULL));
	assert_false(digest_equal(NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_sha256),
		cmocka_unit_test(test_digest_sha1),
		cmocka_unit_test(test_digest_hmac),
		cmocka_unit_test(test_digest_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
