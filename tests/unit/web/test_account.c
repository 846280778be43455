/*
 * test_account.c - unit tests for the console's local accounts
 * (account.c)
 *
 * Against a private redis-server: an account added reads back with its
 * role and divisions, and the list is sorted by name; a name taken or
 * not valid is refused, and nothing is written; a name and password
 * check only when both are right; a new password and a deleted account
 * end the user's sessions; and no key or value in Redis holds a
 * password, only its Argon2id hash.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "account.h"
#include "clock.h"
#include "config.h"
#include "redis.h"
#include "session.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

#define PW_ANA	"correct horse battery"
#define PW_BOB	"tr0ub4dor&3-staple"
#define PW_NEW	"a whole new passphrase"

static struct testserver	ts;

/* Add an account that must be taken. */
static void
test_account_add(struct redis *r, const struct config *cf, const char *name,
    enum role role, char **divs, size_t ndivs, const char *password)
{
	struct account	 a;
	char		*cause = NULL;

	memset(&a, 0, sizeof a);
	a.name = (char *)name;
	a.role = role;
	a.divisions = divs;
	a.ndivisions = ndivs;
	if (account_add(r, cf, &a, password, &cause) != 0)
		fail_msg("account_add %s: %s", name, cause);
}

/* Try to add an account that must be refused; return the cause. */
static char *
test_account_refused(struct redis *r, const struct config *cf,
    const char *name, const char *password)
{
	struct account	 a;
	char		*cause = NULL;

	memset(&a, 0, sizeof a);
	a.name = (char *)name;
	a.role = ROLE_OPS;
	assert_int_equal(account_add(r, cf, &a, password, &cause), -1);
	assert_non_null(cause);
	return cause;
}

/* Read account name (NULL if there is none). */
static struct account *
test_account_get(struct redis *r, const struct config *cf, const char *name)
{
	struct account	*a;
	char		*cause = NULL;

	if (account_get(r, cf, name, &a, NULL, &cause) != 0)
		fail_msg("account_get %s: %s", name, cause);
	return a;
}

/* Check a name and password: 1 or 0. */
static int
test_account_check(struct redis *r, const struct config *cf, const char *name,
    const char *password)
{
	struct account	*a = (struct account *)1;
	char		*cause = NULL;
	int		 rc;

	rc = account_check(r, cf, name, password, &a, &cause);
	assert_int_not_equal(rc, -1);
	if (rc == 1) {
		assert_non_null(a);
		assert_string_equal(a->name, name);
	} else
		assert_null(a);
	account_free(a);
	return rc;
}

/* Start a session for name; fails the test if it cannot. */
static void
test_account_session(struct redis *r, const struct config *cf,
    const char *name, char id[SESSION_ID_LEN + 1])
{
	char	*cause = NULL;

	if (session_new(r, cf, name, ROLE_OPS, NULL, 0, id, &cause) != 0)
		fail_msg("session_new: %s", cause);
}

/* Return 1 if session id is still there. */
static int
test_account_signed_in(struct redis *r, const struct config *cf,
    const char *id)
{
	struct session	*s;
	char		*cause = NULL;
	int		 in;

	assert_int_equal(session_get(r, cf, id, &s, &cause), 0);
	in = s != NULL;
	session_free(s);
	return in;
}

/* Add, read back, list sorted. */
static void
test_account_add_get_list(void **state)
{
	struct config	 *cf = testserver_config(&ts, NULL, NULL);
	struct redis	 *r = testredis_open(cf);
	struct account	 *a, **list;
	char		 *divs[] = { "TS", "TW" }, *hash, *cause = NULL;
	size_t		  n;
	int64_t		  before, after;

	(void)state;
	before = clock_now();
	test_account_add(r, cf, "carol", ROLE_COMMS, NULL, 0, PW_ANA);
	test_account_add(r, cf, "ana.lima@example.org", ROLE_DIVISION, divs,
	    2, PW_ANA);
	test_account_add(r, cf, "bob_2", ROLE_AUDITOR, NULL, 0, PW_BOB);
	test_account_add(r, cf, "dan-ops", ROLE_OPS, NULL, 0, PW_BOB);
	after = clock_now();

	assert_int_equal(account_get(r, cf, "ana.lima@example.org", &a, &hash,
	    &cause), 0);
	assert_non_null(a);
	assert_string_equal(a->name, "ana.lima@example.org");
	assert_int_equal(a->role, ROLE_DIVISION);
	assert_int_equal(a->ndivisions, 2);
	assert_string_equal(a->divisions[0], "TS");
	assert_string_equal(a->divisions[1], "TW");
	assert_true(a->created >= before && a->created <= after);
	assert_int_equal(a->changed, a->created);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	free(hash);
	account_free(a);
	a = test_account_get(r, cf, "carol");
	assert_non_null(a);
	assert_int_equal(a->role, ROLE_COMMS);
	assert_int_equal(a->ndivisions, 0);
	account_free(a);
	assert_null(test_account_get(r, cf, "nobody"));
	assert_null(test_account_get(r, cf, "Not A Name"));

	assert_int_equal(account_list(r, cf, &list, &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_string_equal(list[0]->name, "ana.lima@example.org");
	assert_string_equal(list[1]->name, "bob_2");
	assert_string_equal(list[2]->name, "carol");
	assert_string_equal(list[3]->name, "dan-ops");
	assert_int_equal(list[1]->role, ROLE_AUDITOR);
	assert_int_equal(list[3]->role, ROLE_OPS);
	for (n = 0; n < 4; n++)
		account_free(list[n]);
	free(list);
	account_free(NULL);
	redis_free(r);
	config_free(cf);
}

/* A name taken, a name not valid or a password too short: refused. */
static void
test_account_refuse(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	char		*cause, name[80];
	long long	 keys;

	(void)state;
	test_account_add(r, cf, "ana", ROLE_OPS, NULL, 0, PW_ANA);
	keys = testredis_int(r, "DBSIZE");
	cause = test_account_refused(r, cf, "ana", PW_BOB);
	assert_string_equal(cause, "there is already an account \"ana\"");
	free(cause);
	/* The first account's password still holds, not the second's. */
	assert_int_equal(test_account_check(r, cf, "ana", PW_ANA), 1);
	assert_int_equal(test_account_check(r, cf, "ana", PW_BOB), 0);

	memset(name, 'a', 65);
	name[65] = '\0';
	cause = test_account_refused(r, cf, name, PW_ANA);
	assert_non_null(strstr(cause, "is not a valid name"));
	free(cause);
	cause = test_account_refused(r, cf, "Ana", PW_ANA);
	assert_string_equal(cause, "\"Ana\" is not a valid name (1 to 64 of "
	    "a-z, 0-9, '.', '_', '-' and '@')");
	free(cause);
	cause = test_account_refused(r, cf, "ana lima", PW_ANA);
	assert_non_null(strstr(cause, "is not a valid name"));
	free(cause);
	cause = test_account_refused(r, cf, "", PW_ANA);
	assert_non_null(strstr(cause, "is not a valid name"));
	free(cause);
	cause = test_account_refused(r, cf, "ana:lima", PW_ANA);
	assert_non_null(strstr(cause, "is not a valid name"));
	free(cause);
	cause = test_account_refused(r, cf, "bob", "short");
	assert_string_equal(cause, "a password must have 12 to 1024 "
	    "characters");
	free(cause);
	/* Nothing of those was written. */
	assert_int_equal(testredis_int(r, "DBSIZE"), keys);
	assert_null(test_account_get(r, cf, "bob"));

	/* 64 characters are a name; so is every character allowed. */
	name[64] = '\0';
	test_account_add(r, cf, name, ROLE_OPS, NULL, 0, PW_ANA);
	assert_int_equal(account_name_ok(name), 1);
	assert_int_equal(account_name_ok("a.b_c-d@e09"), 1);
	assert_int_equal(account_name_ok("a/b"), 0);
	assert_int_equal(account_name_ok("é"), 0);
	assert_int_equal(account_name_ok(NULL), 0);
	redis_free(r);
	config_free(cf);
}

/* Only the right name with its own password checks. */
static void
test_account_checks(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	struct account	*a;
	char		*cause = NULL;

	(void)state;
	test_account_add(r, cf, "ana", ROLE_OPS, NULL, 0, PW_ANA);
	test_account_add(r, cf, "bob", ROLE_COMMS, NULL, 0, PW_BOB);
	assert_int_equal(test_account_check(r, cf, "ana", PW_ANA), 1);
	assert_int_equal(test_account_check(r, cf, "bob", PW_BOB), 1);
	assert_int_equal(test_account_check(r, cf, "ana", PW_BOB), 0);
	assert_int_equal(test_account_check(r, cf, "ana", "correct horse "
	    "batterY"), 0);
	assert_int_equal(test_account_check(r, cf, "ana", ""), 0);
	assert_int_equal(test_account_check(r, cf, "nobody", PW_ANA), 0);
	assert_int_equal(test_account_check(r, cf, "Ana", PW_ANA), 0);
	assert_int_equal(test_account_check(r, cf, "", PW_ANA), 0);
	/* The account that checks comes with its role. */
	assert_int_equal(account_check(r, cf, "bob", PW_BOB, &a, &cause), 1);
	assert_int_equal(a->role, ROLE_COMMS);
	account_free(a);
	redis_free(r);
	config_free(cf);
}

/* A new password replaces the old one and ends the sessions. */
static void
test_account_passwd(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	struct account	*a;
	char		 s1[SESSION_ID_LEN + 1], s2[SESSION_ID_LEN + 1];
	char		 sb[SESSION_ID_LEN + 1], *cause = NULL;
	int64_t		 created;

	(void)state;
	test_account_add(r, cf, "ana", ROLE_OPS, NULL, 0, PW_ANA);
	test_account_add(r, cf, "bob", ROLE_OPS, NULL, 0, PW_BOB);
	a = test_account_get(r, cf, "ana");
	created = a->created;
	account_free(a);
	test_account_session(r, cf, "ana", s1);
	test_account_session(r, cf, "ana", s2);
	test_account_session(r, cf, "bob", sb);
	assert_true(test_account_signed_in(r, cf, s1));
	usleep(2000);
	assert_int_equal(account_passwd(r, cf, "ana", PW_NEW, &cause), 0);
	assert_int_equal(test_account_check(r, cf, "ana", PW_ANA), 0);
	assert_int_equal(test_account_check(r, cf, "ana", PW_NEW), 1);
	a = test_account_get(r, cf, "ana");
	assert_int_equal(a->created, created);
	assert_true(a->changed > created);
	assert_int_equal(a->role, ROLE_OPS);
	account_free(a);
	/* Signed out everywhere; the other user is not. */
	assert_false(test_account_signed_in(r, cf, s1));
	assert_false(test_account_signed_in(r, cf, s2));
	assert_true(test_account_signed_in(r, cf, sb));
	/* Refused: too short (the old one stays), or no such account. */
	assert_int_equal(account_passwd(r, cf, "ana", "short", &cause), -1);
	assert_non_null(strstr(cause, "12 to 1024"));
	free(cause);
	assert_int_equal(test_account_check(r, cf, "ana", PW_NEW), 1);
	cause = NULL;
	assert_int_equal(account_passwd(r, cf, "nobody", PW_NEW, &cause), -1);
	assert_string_equal(cause, "there is no account \"nobody\"");
	free(cause);
	assert_null(test_account_get(r, cf, "nobody"));
	redis_free(r);
	config_free(cf);
}

/* A deleted account is gone, from the list too, and signed out. */
static void
test_account_del(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	struct account	**list;
	char		 s1[SESSION_ID_LEN + 1], sb[SESSION_ID_LEN + 1];
	char		*cause = NULL;
	size_t		 n;

	(void)state;
	test_account_add(r, cf, "ana", ROLE_OPS, NULL, 0, PW_ANA);
	test_account_add(r, cf, "bob", ROLE_OPS, NULL, 0, PW_BOB);
	test_account_session(r, cf, "ana", s1);
	test_account_session(r, cf, "bob", sb);
	assert_int_equal(account_del(r, cf, "ana", &cause), 0);
	assert_null(test_account_get(r, cf, "ana"));
	assert_int_equal(test_account_check(r, cf, "ana", PW_ANA), 0);
	assert_false(test_account_signed_in(r, cf, s1));
	assert_true(test_account_signed_in(r, cf, sb));
	assert_int_equal(testredis_int(r, "SISMEMBER closeloop:web:users ana"),
	    0);
	assert_int_equal(account_list(r, cf, &list, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0]->name, "bob");
	account_free(list[0]);
	free(list);
	/* Again: there is no such account now. */
	assert_int_equal(account_del(r, cf, "ana", &cause), -1);
	assert_string_equal(cause, "there is no account \"ana\"");
	free(cause);
	/* The name may be taken again, with a new password. */
	test_account_add(r, cf, "ana", ROLE_COMMS, NULL, 0, PW_NEW);
	assert_int_equal(test_account_check(r, cf, "ana", PW_ANA), 0);
	assert_int_equal(test_account_check(r, cf, "ana", PW_NEW), 1);
	redis_free(r);
	config_free(cf);
}

/* Fail the test if text holds one of the passwords. */
static void
test_account_clean(const char *where, const char *text)
{
	static const char *const pw[] = { PW_ANA, PW_BOB, PW_NEW };
	size_t			 i;

	for (i = 0; i < sizeof pw / sizeof pw[0]; i++)
		if (text != NULL && strstr(text, pw[i]) != NULL)
			fail_msg("%s holds a password", where);
}

/* No key or value in Redis holds a password. */
static void
test_account_no_password(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct redis_reply	*keys, *type, *vals;
	const char		*argv[2], *key;
	char			 id[SESSION_ID_LEN + 1], *cause = NULL;
	size_t			 i, j, hashes = 0;

	(void)state;
	test_account_add(r, cf, "ana", ROLE_OPS, NULL, 0, PW_ANA);
	test_account_add(r, cf, "bob", ROLE_DIVISION, (char *[]){ "TS" }, 1,
	    PW_BOB);
	assert_int_equal(account_passwd(r, cf, "bob", PW_NEW, &cause), 0);
	test_account_session(r, cf, "ana", id);
	argv[0] = "KEYS";
	argv[1] = "*";
	keys = redis_command_argv(r, NULL, 2, argv, NULL);
	assert_non_null(keys);
	assert_true(keys->elements >= 4);
	for (i = 0; i < keys->elements; i++) {
		key = keys->element[i]->str;
		test_account_clean(key, key);
		argv[0] = "TYPE";
		argv[1] = key;
		type = redis_command_argv(r, NULL, 2, argv, NULL);
		assert_non_null(type);
		if (strcmp(type->str, "hash") == 0)
			argv[0] = "HGETALL";
		else if (strcmp(type->str, "set") == 0)
			argv[0] = "SMEMBERS";
		else
			fail_msg("%s is a %s", key, type->str);
		redis_reply_free(type);
		vals = redis_command_argv(r, NULL, 2, argv, NULL);
		assert_non_null(vals);
		for (j = 0; j < vals->elements; j++) {
			test_account_clean(key, vals->element[j]->str);
			if (strncmp(vals->element[j]->str, "$argon2id$",
			    10) == 0)
				hashes++;
		}
		redis_reply_free(vals);
	}
	/* Each account holds its one hash. */
	assert_int_equal(hashes, 2);
	redis_reply_free(keys);
	redis_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_add_get_list),
		cmocka_unit_test(test_account_refuse),
		cmocka_unit_test(test_account_checks),
		cmocka_unit_test(test_account_passwd),
		cmocka_unit_test(test_account_del),
		cmocka_unit_test(test_account_no_password),
	};

	return testredis_run(&ts, "account", tests,
	    sizeof tests / sizeof tests[0]);
}
