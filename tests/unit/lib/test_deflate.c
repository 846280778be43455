/*
 * test_deflate.c - unit tests for compressing and reading back
 * (deflate.c)
 *
 * What is compressed reads back byte for byte, NUL bytes and all; a
 * stream cut short, damaged, followed by other bytes or larger than the
 * limit is refused with a cause, so a kept message that changed is never
 * shown as if it had not.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deflate.h"

/* Compress n bytes of s, check they read back, return the stream. */
static char *
roundtrip(const char *s, size_t n, size_t *zlen)
{
	char	*z, *back, *cause = NULL;
	size_t	 blen;

	assert_int_equal(deflate_compress(s, n, &z, zlen, &cause), 0);
	assert_null(cause);
	assert_int_equal(deflate_inflate(z, *zlen, n, &back, &blen, &cause),
	    0);
	assert_int_equal(blen, n);
	assert_memory_equal(back, s, n);
	assert_int_equal(back[n], '\0');
	free(back);
	return z;
}

/* Empty, short, binary and large inputs read back as they were. */
static void
test_deflate_roundtrip(void **state)
{
	char	*big, *z;
	size_t	 i, n = 300000, zlen;

	(void)state;
	free(roundtrip("", 0, &zlen));
	free(roundtrip("a\0b\r\n", 5, &zlen));
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = "Date: Sun\r\nSubject: =?UTF-8?B?\r\n"[i % 32];
	z = roundtrip(big, n, &zlen);
	assert_true(zlen < n / 10);	/* a message compresses well */
	free(z);
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 2654435761u >> 13);
	free(roundtrip(big, n, &zlen));
	free(big);
}

/*
 * The window is sized to the input but always holds it: a run repeated
 * at the far end of the input is found, at every size around the
 * window's steps, so the second copy costs next to nothing.
 */
static void
test_deflate_window(void **state)
{
	static const size_t	 sizes[] = {
		2, 1022, 1024, 1026, 2050, 4096, 4098, 16384, 16386, 32768,
		40000
	};
	char			*s, *z;
	size_t			 i, k, n, zlen;

	(void)state;
	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		n = sizes[k];
		s = malloc(n);
		for (i = 0; i < n / 2; i++)	/* incompressible alone */
			s[i] = s[i + n / 2] = (char)((i + 1) * 2654435761u >>
			    19);
		if (n % 2 != 0)
			s[n - 1] = 'x';
		z = roundtrip(s, n, &zlen);
		if (n >= 1024 && zlen > n / 2 + n / 50 + 64)
			fail_msg("%zu bytes, their half repeated: %zu "
			    "compressed", n, zlen);
		free(z);
		free(s);
	}
}

/* More than the limit, by one byte or by much, is refused. */
static void
test_deflate_limit(void **state)
{
	char	*z, *back, *cause = NULL;
	size_t	 zlen, blen;

	(void)state;
	z = roundtrip("0123456789", 10, &zlen);
	assert_int_equal(deflate_inflate(z, zlen, 9, &back, &blen, &cause),
	    -1);
	assert_string_equal(cause, "inflate: more than the limit");
	free(cause);
	cause = NULL;
	assert_int_equal(deflate_inflate(z, zlen, 0, &back, &blen, &cause),
	    -1);
	free(cause);
	free(z);
}

/* Cut short, damaged, trailing bytes, not zlib at all: refused. */
static void
test_deflate_damaged(void **state)
{
	const char	*text = "Subject: your service request was closed";
	char		*z, *back, *cause = NULL, *longer;
	size_t		 zlen, blen;

	(void)state;
	z = roundtrip(text, strlen(text), &zlen);
	assert_int_equal(deflate_inflate(z, zlen - 1, 1000, &back, &blen,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	z[zlen / 2] ^= 0x01;
	assert_int_equal(deflate_inflate(z, zlen, 1000, &back, &blen,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	z[zlen / 2] ^= 0x01;
	longer = malloc(zlen + 1);
	memcpy(longer, z, zlen);
	longer[zlen] = 'x';
	assert_int_equal(deflate_inflate(longer, zlen + 1, 1000, &back, &blen,
	    &cause), -1);
	assert_string_equal(cause, "inflate: bytes after the end");
	free(cause);
	cause = NULL;
	assert_int_equal(deflate_inflate("plain text", 10, 1000, &back, &blen,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(deflate_inflate("", 0, 1000, &back, &blen, &cause),
	    -1);
	assert_non_null(cause);
	free(cause);
	free(longer);
	free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deflate_roundtrip),
		cmocka_unit_test(test_deflate_window),
		cmocka_unit_test(test_deflate_limit),
		cmocka_unit_test(test_deflate_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
