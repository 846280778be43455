/*
 * test_password.c - unit tests for the console's password hashes
 * (password.c)
 *
 * A hash is Argon2id with the cost password.h names and a salt of its
 * own, so two hashes of one password differ; the right password checks
 * and any other does not, one byte off included; a password too short
 * or too long is refused with a message that says the limits; a name
 * with no hash checks nothing; and a hash made at another cost still
 * checks, since the encoded form carries its own.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <argon2.h>

#include "password.h"
#include "xmalloc.h"

#define GOOD	"correct horse battery"
#define PREFIX	"$argon2id$v=19$m=19456,t=2,p=1$"

/* Hash a password that must be taken; the caller frees the hash. */
static char *
test_password_hash(const char *password)
{
	char	*hash, *cause = NULL;

	hash = password_hash(password, &cause);
	if (hash == NULL)
		fail_msg("password_hash: %s", cause);
	assert_null(cause);
	return hash;
}

/* A password of n bytes of 'x'; the caller frees it. */
static char *
test_password_of(size_t n)
{
	char	*p = xmalloc(n + 1);

	memset(p, 'x', n);
	p[n] = '\0';
	return p;
}

/* The hash is Argon2id at the stated cost; its salt makes each differ. */
static void
test_password_form(void **state)
{
	char	*a, *b;
	char	*salt_a, *salt_b;

	(void)state;
	a = test_password_hash(GOOD);
	b = test_password_hash(GOOD);
	assert_int_equal(strncmp(a, PREFIX, strlen(PREFIX)), 0);
	assert_int_equal(strncmp(b, PREFIX, strlen(PREFIX)), 0);
	/* "$SALT$HASH" follow the parameters: 16 and 32 bytes in base64. */
	salt_a = a + strlen(PREFIX);
	salt_b = b + strlen(PREFIX);
	assert_int_equal(strcspn(salt_a, "$"), 22);
	assert_int_equal(strlen(salt_a + 23), 43);
	assert_string_not_equal(a, b);
	assert_int_not_equal(strncmp(salt_a, salt_b, 22), 0);
	/* The password is nowhere in its hash. */
	assert_null(strstr(a, GOOD));
	assert_null(strstr(a, "horse"));
	/* Both check. */
	assert_int_equal(password_check(a, GOOD), 1);
	assert_int_equal(password_check(b, GOOD), 1);
	free(a);
	free(b);
}

/* Only the right password checks. */
static void
test_password_check(void **state)
{
	char	*hash, *off;
	size_t	 i;

	(void)state;
	hash = test_password_hash(GOOD);
	assert_int_equal(password_check(hash, GOOD), 1);
	assert_int_equal(password_check(hash, "correct horse batterx"), 0);
	assert_int_equal(password_check(hash, "Correct horse battery"), 0);
	assert_int_equal(password_check(hash, "correct horse batter"), 0);
	assert_int_equal(password_check(hash, GOOD " "), 0);
	assert_int_equal(password_check(hash, ""), 0);
	/* One byte off, wherever it is. */
	off = xstrdup(GOOD);
	for (i = 0; i < strlen(GOOD); i += 5) {
		off[i] ^= 0x01;
		assert_int_equal(password_check(hash, off), 0);
		off[i] ^= 0x01;
	}
	assert_int_equal(password_check(hash, off), 1);
	free(off);
	/* A damaged hash checks nothing. */
	hash[strlen(hash) - 2] = hash[strlen(hash) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(password_check(hash, GOOD), 0);
	assert_int_equal(password_check("not a hash", GOOD), 0);
	assert_int_equal(password_check("", GOOD), 0);
	free(hash);
}

/* Too short and too long are refused, saying the limits. */
static void
test_password_length(void **state)
{
	char	*p, *hash, *cause;

	(void)state;
	p = test_password_of(PASSWORD_MIN - 1);
	assert_int_equal(strlen(p), 11);
	cause = NULL;
	assert_null(password_hash(p, &cause));
	assert_non_null(cause);
	assert_string_equal(cause, "a password must have 12 to 1024 "
	    "characters");
	free(cause);
	assert_null(password_hash(p, NULL));
	free(p);

	p = test_password_of(PASSWORD_MAX + 1);
	cause = NULL;
	assert_null(password_hash(p, &cause));
	assert_string_equal(cause, "a password must have 12 to 1024 "
	    "characters");
	free(cause);
	free(p);

	assert_null(password_hash("", &cause));
	free(cause);

	/* The limits themselves are taken. */
	p = test_password_of(PASSWORD_MIN);
	hash = test_password_hash(p);
	assert_int_equal(password_check(hash, p), 1);
	free(hash);
	free(p);
	p = test_password_of(PASSWORD_MAX);
	hash = test_password_hash(p);
	assert_int_equal(password_check(hash, p), 1);
	/* A longer one is not even tried against it. */
	free(p);
	p = test_password_of(PASSWORD_MAX + 1);
	assert_int_equal(password_check(hash, p), 0);
	free(hash);
	free(p);
}

/* No hash (no such account): nothing checks, not even the dummy's. */
static void
test_password_none(void **state)
{
	(void)state;
	assert_int_equal(password_check(NULL, GOOD), 0);
	assert_int_equal(password_check(NULL, "closeloop-no-such-account"), 0);
	assert_int_equal(password_check(NULL, ""), 0);
}

/* A hash made at another cost still checks: it carries its own. */
static void
test_password_other_cost(void **state)
{
	static const unsigned char	 salt[16] = "0123456789abcdef";
	char				 enc[256];

	(void)state;
	assert_int_equal(argon2id_hash_encoded(1, 8192, 1, GOOD, strlen(GOOD),
	    salt, sizeof salt, 32, enc, sizeof enc), ARGON2_OK);
	assert_int_equal(strncmp(enc, "$argon2id$v=19$m=8192,t=1,p=1$",
	    30), 0);
	assert_int_equal(password_check(enc, GOOD), 1);
	assert_int_equal(password_check(enc, "correct horse batterx"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_form),
		cmocka_unit_test(test_password_check),
		cmocka_unit_test(test_password_length),
		cmocka_unit_test(test_password_none),
		cmocka_unit_test(test_password_other_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
