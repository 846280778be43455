/*
 * test_verp.c - unit tests for the envelope sender that names its
 * message (verp.c)
 *
 * An address is made and read back, whole or as the extension a mail
 * server's pipe gives; it is a valid address of at most 64 octets in its
 * local part; a token made under another key, for another id, or
 * changed in one digit is refused as forged, one in another case is not;
 * what the pattern did not make is not ours.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syntax.h"
#include "verp.h"
#include "xmalloc.h"

#define KEY	"b0unce-k3y"
#define PAT	"bounces+{id}@city.example"

/* Read s back under PAT and KEY; returns what was found, *id set. */
static enum verp_check
test_verp_read(const char *s, char **id)
{
	const char	*why = NULL;
	enum verp_check	 rc;

	rc = verp_parse(PAT, KEY, strlen(KEY), s, id, &why);
	if (rc == VERP_GOOD)
		assert_null(why);
	else {
		assert_non_null(why);
		assert_null(*id);
	}
	return rc;
}

/* An address is made, valid, and read back whole or as an extension. */
static void
test_verp_round_trip(void **state)
{
	static const char *ids[] = { "8812/1/0", "2024-00123456/12/3",
	    "A-7/1/0f", "8812/2/0r1", "x/1/1" };
	char		*a, *id, tok[VERP_TOKEN_LEN + 1], *want;
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		a = verp_address(PAT, KEY, strlen(KEY), ids[i]);
		assert_non_null(a);
		assert_int_equal(syntax_email(a, &why), 0);
		assert_true(strchr(a, '/') == NULL);
		assert_true(strchr(a, '@') - a <= VERP_LOCAL_MAX);
		verp_token(KEY, strlen(KEY), ids[i], tok);
		want = xstrdup(ids[i]);
		for (char *p = want; *p != '\0'; p++)
			if (*p == '/')
				*p = '.';
		assert_non_null(strstr(a, want));
		assert_non_null(strstr(a, tok));
		free(want);
		assert_int_equal(test_verp_read(a, &id), VERP_GOOD);
		assert_string_equal(id, ids[i]);
		free(id);
		/* The extension alone, as ${extension} gives it. */
		*strchr(a, '@') = '\0';
		assert_int_equal(test_verp_read(a + strlen("bounces+"), &id),
		    VERP_GOOD);
		assert_string_equal(id, ids[i]);
		free(id);
		/* The local part, as ${user} with no delimiter. */
		assert_int_equal(test_verp_read(a, &id), VERP_GOOD);
		assert_string_equal(id, ids[i]);
		free(id);
		free(a);
	}
	a = verp_address(PAT, KEY, strlen(KEY), "8812/1/0");
	/* The known address, byte for byte: the format is a contract. */
	verp_token(KEY, strlen(KEY), "8812/1/0", tok);
	want = xasprintf("bounces+8812.1.0.%s@city.example", tok);
	assert_string_equal(a, want);
	free(want);
	free(a);
}

/* The token's case and the domain do not matter; the prefix's case not. */
static void
test_verp_case(void **state)
{
	char	*a, *b, *p, *id;

	(void)state;
	a = verp_address(PAT, KEY, strlen(KEY), "8812/1/0");
	for (p = strchr(a, '@') - VERP_TOKEN_LEN; *p != '@'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	a[0] = 'B';
	assert_int_equal(test_verp_read(a, &id), VERP_GOOD);
	assert_string_equal(id, "8812/1/0");
	free(id);
	b = xasprintf("%.*s@mx.city.example", (int)(strchr(a, '@') - a), a);
	assert_int_equal(test_verp_read(b, &id), VERP_GOOD);
	free(id);
	free(b);
	free(a);
}

/* A wrong token is forged: another key, another id, one digit changed. */
static void
test_verp_forged(void **state)
{
	char	*a, *b, *id, *p;

	(void)state;
	a = verp_address(PAT, "other", 5, "8812/1/0");
	assert_int_equal(test_verp_read(a, &id), VERP_FORGED);
	free(a);
	/* Another message's token on this id. */
	a = verp_address(PAT, KEY, strlen(KEY), "8812/1/1");
	b = verp_address(PAT, KEY, strlen(KEY), "8812/1/0");
	memcpy(strchr(b, '@') - VERP_TOKEN_LEN, strchr(a, '@') -
	    VERP_TOKEN_LEN, VERP_TOKEN_LEN);
	assert_int_equal(test_verp_read(b, &id), VERP_FORGED);
	free(b);
	/* One digit of the token changed. */
	p = strchr(a, '@') - 1;
	*p = *p == '0' ? '1' : '0';
	assert_int_equal(test_verp_read(a, &id), VERP_FORGED);
	free(a);
}

/* What the pattern did not make is not ours, and nothing is found. */
static void
test_verp_not_ours(void **state)
{
	static const char *bad[] = {
		"", "@", "resident@example.com", "bounces@city.example",
		"other+8812.1.0.0123456789abcdef0123@city.example",
		"8812.1.0", "8812.1.0.0123",
		"8812.1.0.0123456789abcdef012g",
		"8812.1.0.0123456789abcdef01234",
		"8812.1.0123456789abcdef0123",
		".8812.1.0.0123456789abcdef0123",
		"8812..1.0.0123456789abcdef0123",
		"88/12.1.0.0123456789abcdef0123",
		"88_12.1.0.0123456789abcdef0123",
		".0123456789abcdef0123",
	};
	char	*id;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (test_verp_read(bad[i], &id) != VERP_NOT_OURS)
			fail_msg("\"%s\" was taken as ours", bad[i]);
}

/* The room a pattern leaves, and the ids that do not fit. */
static void
test_verp_room(void **state)
{
	char	*id, *a;

	(void)state;
	assert_int_equal(verp_room(PAT), VERP_LOCAL_MAX - 8);
	assert_int_equal(verp_room("{id}@x.example"), VERP_LOCAL_MAX);
	assert_int_equal(verp_room("a{id}b@x.example"), VERP_LOCAL_MAX - 2);
	assert_int_equal(verp_room("bounces@x.example"), -1);
	assert_int_equal(verp_room("{id}{id}@x.example"), -1);
	assert_int_equal(verp_room("b@{id}.example"), -1);
	assert_int_equal(verp_room("{id}"), -1);
	/* 56 octets of room: an id of 35 fits, one of 36 does not. */
	id = xasprintf("%031d/1/0", 0);
	assert_int_equal(strlen(id), 35);
	if ((a = verp_address(PAT, KEY, strlen(KEY), id)) == NULL)
		fail_msg("an id of 35 does not fit");
	assert_int_equal(strchr(a, '@') - a, VERP_LOCAL_MAX);
	free(a);
	free(id);
	id = xasprintf("%032d/1/0", 0);
	assert_null(verp_address(PAT, KEY, strlen(KEY), id));
	free(id);
	/* An id with something other than letters, digits, '-', '/'. */
	assert_null(verp_address(PAT, KEY, strlen(KEY), "88.12/1/0"));
	assert_null(verp_address(PAT, KEY, strlen(KEY), "88 12/1/0"));
	assert_null(verp_address(PAT, KEY, strlen(KEY), ""));
	assert_null(verp_address("bounces@x.example", KEY, strlen(KEY),
	    "1/1/0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verp_round_trip),
		cmocka_unit_test(test_verp_case),
		cmocka_unit_test(test_verp_forged),
		cmocka_unit_test(test_verp_not_ours),
		cmocka_unit_test(test_verp_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
